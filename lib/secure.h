/* Wiping, constant-time comparison and file-system identity switches. */
#ifndef PAM_TOTP_SECURE_H
#define PAM_TOTP_SECURE_H

#include <stddef.h>
#include <sys/types.h>

/* Wipe memory that held a secret or a code (OPENSSL_cleanse). */
void secure_wipe(void *p, size_t n);

/* Constant-time equality of two buffers of the same length: 1 if equal. */
int secure_equal(const void *a, const void *b, size_t n);

/* Random bytes from OpenSSL's CSPRNG. 0 on success, -1 on failure. */
int secure_random(void *buf, size_t n);

/* Switch the file-system identity to uid/gid (setfsuid/setfsgid) and back.
 * Only does something when running as root with a different target.
 * secure_fsid_enter: 0, or -1 (errno EPERM) with the identity unchanged.
 * secure_fsid_leave: 0, the identity saved by enter taken back. Neither
 * returns with the user's identity left in place: a process that cannot
 * take its own back ends (abort), since whatever it did next would be
 * done as the user. */
struct fs_identity {
	uid_t old_uid;
	gid_t old_gid;
	int switched;
};
int secure_fsid_enter(struct fs_identity *saved, uid_t uid, gid_t gid);
int secure_fsid_leave(struct fs_identity *saved);

#endif
