/* Taking a record's flock with a time limit, waking as soon as it is free. */
#ifndef PAM_TOTP_LOCK_WAIT_H
#define PAM_TOTP_LOCK_WAIT_H

/* Take an exclusive flock on fd, waiting at most timeout_ms.
 * 0: held. -1 with errno: ETIMEDOUT when the wait ran out, else the error
 * of flock. Never blocks past the limit, never signals the caller's
 * process, and leaves no process or descriptor behind. */
int lock_wait(int fd, unsigned long timeout_ms);

#endif
