/* Wiping, constant-time comparison, randomness and fs identity. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/fsuid.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "secure.h"

void
secure_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

int
secure_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

int
secure_random(void *buf, size_t n)
{
	if (n > (size_t)INT32_MAX)
		return -1;
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

/*
 * setfsuid() reports the previous value and cannot report failure directly:
 * a second call with the same value returns the current one, which tells
 * whether the switch took effect.
 */
static int
set_fsuid_checked(uid_t uid)
{
	setfsuid(uid);
	return (uid_t)setfsuid(uid) == uid ? 0 : -1;
}

static int
set_fsgid_checked(gid_t gid)
{
	setfsgid(gid);
	return (gid_t)setfsgid(gid) == gid ? 0 : -1;
}

/* Back to the identity saved, or the process ends (abort): one that kept
 * the user's file-system identity would create its next files as the
 * user and open them with the user's rights (the next user's record in
 * totp-admin import-ga; in the program that loaded the module, its own
 * files: sudo's time stamp). An error returned would not stop the
 * callers above from going on. Root, the only one that switches, does
 * not fail to take back its own identity unless it lost CAP_SETUID or
 * CAP_SETGID in between. */
static void
take_back(const struct fs_identity *saved)
{
	int uid_ok = set_fsuid_checked(saved->old_uid) == 0;
	int gid_ok = set_fsgid_checked(saved->old_gid) == 0;

	if (!uid_ok || !gid_ok)
		abort();
}

int
secure_fsid_enter(struct fs_identity *saved, uid_t uid, gid_t gid)
{
	saved->switched = 0;
	saved->old_uid = (uid_t)setfsuid((uid_t)-1);
	saved->old_gid = (gid_t)setfsgid((gid_t)-1);
	if (geteuid() != 0 || (uid == saved->old_uid && gid == saved->old_gid))
		return 0;
	/* group first: after the uid switch we may no longer change it */
	if (set_fsgid_checked(gid) != 0)
		goto fail;
	if (set_fsuid_checked(uid) != 0)
		goto fail;
	saved->switched = 1;
	return 0;
fail:
	take_back(saved);
	errno = EPERM;
	return -1;
}

int
secure_fsid_leave(struct fs_identity *saved)
{
	if (!saved->switched)
		return 0;
	take_back(saved);
	saved->switched = 0;
	return 0;
}
