/* The store interface: each call goes to the store the record was opened
 * with (store_file.c, store_pg.c). */
#include "config.h"

#include "store.h"

enum store_status
store_read(struct totp_store *s, struct totp_record *rec, char *err, size_t err_size)
{
	return s->ops->read(s, rec, err, err_size);
}

enum store_status
store_write_state(struct totp_store *s, const struct totp_record *rec,
		  const struct totp_state *next, char *err, size_t err_size)
{
	return s->ops->write_state(s, rec, next, err, err_size);
}

enum store_status
store_rewrite(struct totp_store *s, const struct totp_record *rec, char *err, size_t err_size)
{
	return s->ops->rewrite(s, rec, err, err_size);
}

enum store_status
store_remove(struct totp_store *s, char *err, size_t err_size)
{
	return s->ops->remove(s, err, err_size);
}

enum store_status
store_mark_removed(struct totp_store *s, int64_t when, const char *by, char *err,
		   size_t err_size)
{
	return s->ops->mark_removed(s, when, by, err, err_size);
}

void
store_close(struct totp_store *s)
{
	if (s != NULL)
		s->ops->close(s);
}
