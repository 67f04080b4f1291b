/* The in-memory store of the whole-login fuzz target (mem_store.h).
 * Anything the login asks that no login may ask (a second lock, a write
 * before a read, a slot beyond the record's end) aborts: a finding. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem_store.h"
#include "secure.h"

struct mem_store {
	struct totp_store base;
	struct mem_record *m;
	int read_ok;
};

static struct mem_record *current;

void
mem_store_use(struct mem_record *m)
{
	current = m;
}

/* 1 when fault f is set for m (and counted as fired) */
static int
fails(struct mem_record *m, unsigned f)
{
	if (!(m->faults & f))
		return 0;
	m->fired |= f;
	return 1;
}

static enum store_status
fail(char *err, size_t err_size, enum store_status st, const char *what)
{
	if (err != NULL)
		snprintf(err, err_size, "%s", what);
	return st;
}

/* After a write that reported success: the bytes read back as written. */
static void
check_written(const struct mem_record *m, uint64_t seq)
{
	struct totp_record back;
	char err[256];

	if (record_parse(m->bytes, m->len, &back, err, sizeof(err)) != 0 ||
	    back.state.seq != seq)
		abort();
	record_wipe(&back);
}

static enum store_status
mem_read(struct totp_store *base, struct totp_record *rec, char *err, size_t err_size)
{
	struct mem_store *s = (struct mem_store *)base;
	char perr[256];
	int rc;

	memset(rec, 0, sizeof(*rec));
	if (fails(s->m, MEM_FAIL_READ))
		return fail(err, err_size, STORE_ERROR, "cannot read the record: EIO");
	rc = record_parse(s->m->bytes, s->m->len, rec, perr, sizeof(perr));
	if (rc == RECORD_REMOVED)
		return fail(err, err_size, STORE_REMOVED, perr);
	if (rc != 0 && rc != RECORD_PENDING)
		return fail(err, err_size, STORE_ERROR, perr);
	s->read_ok = 1;
	return rc == RECORD_PENDING ? fail(err, err_size, STORE_PENDING, perr) : STORE_OK;
}

static enum store_status
mem_write_state(struct totp_store *base, const struct totp_record *rec,
		const struct totp_state *next, char *err, size_t err_size)
{
	struct mem_store *s = (struct mem_store *)base;
	struct mem_record *m = s->m;
	char line[RECORD_SLOT_LEN + 1];
	struct totp_state st = *next;
	int slot = record_next_slot(rec);
	size_t off = (size_t)RECORD_SLOT_OFFSET(slot);

	if (!s->read_ok)
		abort();
	st.seq = rec->state.seq + 1;
	if (record_format_slot(&st, slot, line) != 0)
		return fail(err, err_size, STORE_ERROR, "cannot format the state");
	/* the file store writes the slot where it always is: record_parse
	 * reads both at their fixed offsets, so whatever lies there (a slot
	 * a torn write spoilt, too) is the older slot's and nothing else */
	if (off + RECORD_SLOT_LEN > m->len)
		abort();
	if (fails(m, MEM_FAIL_GONE))
		return fail(err, err_size, STORE_UNAVAILABLE, "the server went away");
	if (fails(m, MEM_FAIL_WRITE))
		return fail(err, err_size, STORE_ERROR, "cannot write the state: ENOSPC");
	memcpy(m->bytes + off, line, RECORD_SLOT_LEN);
	if (fails(m, MEM_FAIL_SYNC))
		return fail(err, err_size, STORE_ERROR, "cannot sync the state: EIO");
	check_written(m, st.seq);
	m->written++;
	return STORE_OK;
}

static enum store_status
mem_rewrite(struct totp_store *base, const struct totp_record *rec, char *err,
	    size_t err_size)
{
	struct mem_store *s = (struct mem_store *)base;
	struct mem_record *m = s->m;
	static char out[RECORD_MAX_BYTES + 1];
	struct totp_record next;
	size_t len;
	int rc;

	if (!s->read_ok)
		abort();
	next = *rec;
	next.state.seq = rec->state.seq + 1;
	rc = record_format(&next, out, sizeof(out), &len);
	record_wipe(&next);
	if (rc != 0 || len > sizeof(m->bytes))
		return fail(err, err_size, STORE_ERROR, "cannot format the record");
	if (fails(m, MEM_FAIL_GONE)) {
		secure_wipe(out, len);
		return fail(err, err_size, STORE_UNAVAILABLE, "the server went away");
	}
	if (fails(m, MEM_FAIL_REWRITE)) {
		secure_wipe(out, len);
		return fail(err, err_size, STORE_ERROR, "cannot rename the new record: EIO");
	}
	memcpy(m->bytes, out, len);
	m->len = len;
	secure_wipe(out, len);
	check_written(m, rec->state.seq + 1);
	m->written++;
	return STORE_OK;
}

static void
mem_close(struct totp_store *base)
{
	struct mem_store *s = (struct mem_store *)base;

	s->m->locked = 0;
	free(s);
}

/* Removing or enrolling is no part of a login (totp-admin's, enroll=prompt's):
 * that login_attempt asked is a finding. */
static enum store_status
mem_remove(struct totp_store *base, char *err, size_t err_size)
{
	(void)base;
	(void)err;
	(void)err_size;
	abort();
}

static enum store_status
mem_mark_removed(struct totp_store *base, int64_t when, const char *by, char *err,
		 size_t err_size)
{
	(void)base;
	(void)when;
	(void)by;
	(void)err;
	(void)err_size;
	abort();
}

static const struct store_ops mem_ops = {
	.name = "memory",
	.read = mem_read,
	.write_state = mem_write_state,
	.rewrite = mem_rewrite,
	.close = mem_close,
	.remove = mem_remove,
	.mark_removed = mem_mark_removed,
};

/* The session: the one record of this run. A connection is made at the
 * session's first call, as the database store's is, and a failure to
 * make it is final for the session. */
struct mem_session {
	struct store_session base;
	struct mem_record *m;
	enum store_status connected; /* STORE_OK once made; an error: final */
	int tried;
};

static enum store_status
mem_connect(struct mem_session *sess, char *err, size_t err_size)
{
	if (!sess->tried) {
		sess->tried = 1;
		sess->connected = STORE_OK;
		if (fails(sess->m, MEM_FAIL_UNREACHABLE))
			sess->connected = STORE_UNAVAILABLE;
		else if (fails(sess->m, MEM_FAIL_CONNECT))
			sess->connected = STORE_ERROR;
	}
	if (sess->connected == STORE_UNAVAILABLE)
		return fail(err, err_size, STORE_UNAVAILABLE, "no server answered");
	if (sess->connected != STORE_OK)
		return fail(err, err_size, STORE_ERROR, "the server refused the login");
	return STORE_OK;
}

static enum store_status
mem_exists(struct store_session *base, const struct store_user *u, char *err,
	   size_t err_size)
{
	struct mem_session *sess = (struct mem_session *)base;
	enum store_status st = mem_connect(sess, err, err_size);

	(void)u;
	if (st != STORE_OK)
		return st;
	return sess->m->missing ? STORE_NOT_FOUND : STORE_OK;
}

static enum store_status
mem_open(struct store_session *base, const struct store_user *u, struct totp_store **out,
	 char *err, size_t err_size)
{
	struct mem_session *sess = (struct mem_session *)base;
	struct mem_record *m = sess->m;
	enum store_status st = mem_connect(sess, err, err_size);
	struct mem_store *s;

	(void)u;
	*out = NULL;
	if (st != STORE_OK)
		return st;
	/* one login at a time: a lock taken twice is a finding */
	if (m->locked)
		abort();
	if (fails(m, MEM_FAIL_OPEN))
		return fail(err, err_size, STORE_ERROR, "the record's lock was not granted");
	if (m->missing)
		return fail(err, err_size, STORE_NOT_FOUND, "no record");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return fail(err, err_size, STORE_ERROR, "out of memory");
	s->base.ops = &mem_ops;
	s->m = m;
	m->locked = 1;
	*out = &s->base;
	return STORE_OK;
}

/* Creating a record is enrolment's, listing users the administrator's:
 * that login_attempt asked is a finding. */
static enum store_status
mem_create(struct store_session *base, const struct store_user *u,
	   const struct totp_record *rec, int replace, char *err, size_t err_size)
{
	(void)base;
	(void)u;
	(void)rec;
	(void)replace;
	(void)err;
	(void)err_size;
	abort();
}

static int
mem_can_create(struct store_session *base, const struct store_user *u, unsigned flags,
	       struct store_create_why *why)
{
	(void)base;
	(void)u;
	(void)flags;
	(void)why;
	abort();
}

static int
mem_where(struct store_session *base, const struct store_user *u, int style, char *out,
	  size_t size, char *err, size_t err_size)
{
	(void)base;
	(void)u;
	(void)style;
	(void)err;
	(void)err_size;
	snprintf(out, size, "record in memory");
	return 0;
}

static enum store_status
mem_users(struct store_session *base, char ***names, size_t *n, char *err, size_t err_size)
{
	(void)base;
	(void)names;
	(void)n;
	(void)err;
	(void)err_size;
	abort();
}

static void
mem_disconnect(struct store_session *base)
{
	(void)base;
}

static void
mem_free(struct store_session *base)
{
	free(base);
}

static const struct store_session_ops mem_session_ops = {
	.exists = mem_exists,
	.open = mem_open,
	.create = mem_create,
	.can_create = mem_can_create,
	.where = mem_where,
	.users = mem_users,
	.disconnect = mem_disconnect,
	.free = mem_free,
};

struct store_session *
mem_session_new(void)
{
	struct store_session *out = NULL;
	struct mem_session *sess;
	char err[128];

	sess = store_session_alloc(sizeof(*sess), &mem_session_ops, &out, err, sizeof(err));
	if (sess == NULL)
		abort();
	sess->m = current;
	out->flags = STORE_NAMES_RECORDS;
	return out;
}
