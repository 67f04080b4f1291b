/* Where records live. One login is: store_open (opens and locks the user's
 * record), store_read, then store_write_state or store_rewrite, then
 * store_close (unlocks). The file store is the embedded default; a database
 * store implements the same calls. */
#ifndef PAM_TOTP_STORE_H
#define PAM_TOTP_STORE_H

#include <stddef.h>
#include <sys/types.h>
#include "record.h"

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,   /* no record for this user */
	STORE_ERROR        /* anything else: unsafe, unreadable, malformed, I/O */
};

struct store_user {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
};

struct totp_store;

/* Open and lock the record at path (already expanded from the template).
 * in_home: the record is in the user's home: access it with the user's
 * file-system identity and require the user's ownership; otherwise root's
 * or the user's ownership is accepted. Waits at most lock_timeout seconds
 * for the lock. On STORE_OK *out must be closed with store_close. */
enum store_status store_file_open(const char *path, const struct store_user *user,
				  int in_home, unsigned lock_timeout,
				  struct totp_store **out, char *err, size_t err_size);

/* Read and parse the locked record. */
enum store_status store_read(struct totp_store *s, struct totp_record *rec,
			     char *err, size_t err_size);

/* Store next as the newest state: overwrite the older slot in place and
 * make it durable. next->seq is set here (current + 1). 0 or -1. */
int store_write_state(struct totp_store *s, const struct totp_record *rec,
		      const struct totp_state *next, char *err, size_t err_size);

/* Replace the whole record (enrolment part changed) atomically and
 * durably: temporary file, fsync, rename, directory fsync. On failure the
 * old record is intact and no temporary file is left. 0 or -1. */
int store_rewrite(struct totp_store *s, const struct totp_record *rec,
		  char *err, size_t err_size);

/* Unlock, close, restore the file-system identity. */
void store_close(struct totp_store *s);

/* Write a new record at path (enrolment). With replace == 0 an existing
 * record is never overwritten (-1, errno EEXIST). Same atomic, durable
 * path as store_rewrite; the file gets owner uid/gid and mode 0600. */
int store_file_create(const char *path, const struct totp_record *rec,
		      uid_t uid, gid_t gid, int replace, char *err, size_t err_size);

#endif
