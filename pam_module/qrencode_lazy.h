/* libqrencode for pam_totp.so, loaded the first time a QR code is drawn
 * (see qrencode_lazy.c). */
#ifndef PAM_TOTP_QRENCODE_LAZY_H
#define PAM_TOTP_QRENCODE_LAZY_H

/* NULL once libqrencode is loaded, or before anything tried to load it;
 * otherwise why it could not be (for the log). */
const char *qrencode_lazy_error(void);

#endif
