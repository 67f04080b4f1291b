/* An in-memory record store for tests/fuzz/fuzz_login.c: lib/store.h's
 * operations over a byte buffer, read by the real record_parse and
 * written as the file store writes (one state slot in place, or the whole
 * record formatted anew), each operation failing when the caller says.
 * It is offered as the PostgreSQL plugin's table (struct store_pg_api),
 * the one way login_attempt takes a store it did not open itself. All of
 * the store lives in mem_store.c, so a change of the store interface is
 * met there alone. */
#ifndef PAM_TOTP_MEM_STORE_H
#define PAM_TOTP_MEM_STORE_H

#include <stddef.h>

#include "record.h"
#include "store.h"

/* What the operations of the next login fail with, as the file store's
 * system calls or the database would make them fail. */
enum mem_fault {
	MEM_FAIL_UNREACHABLE = 1 << 0, /* connect: no server reached */
	MEM_FAIL_CONNECT = 1 << 1,     /* connect: a server reached, refusing */
	MEM_FAIL_OPEN = 1 << 2,        /* open: the lock not granted, an unsafe file */
	MEM_FAIL_READ = 1 << 3,        /* read: EIO */
	MEM_FAIL_WRITE = 1 << 4,       /* write_state: the pwrite fails, nothing written */
	MEM_FAIL_SYNC = 1 << 5,        /* write_state: written, then the sync fails
	                                  (the bytes may reach the disk later: kept) */
	MEM_FAIL_REWRITE = 1 << 6,     /* rewrite: the rename fails, the old record stays */
	MEM_FAIL_GONE = 1 << 7         /* write_state, rewrite: the server went away
	                                  before the write: nothing written */
};

struct mem_record {
	char bytes[RECORD_MAX_BYTES];
	size_t len;
	int missing;         /* no record at all */
	unsigned faults;     /* enum mem_fault: for the operations to come */
	unsigned fired;      /* those that made an operation fail */
	unsigned written;    /* writes that reported success */
	int locked;          /* a store is open on it */
};

/* A session of the store for one login, to m (mem_store_use): what
 * store_session_open gives login_attempt; close it with
 * store_session_close. */
struct store_session *mem_session_new(void);
void mem_store_use(struct mem_record *m);

#endif
