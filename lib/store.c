/* The store interface: each call goes to the store the record was opened
 * with (store_file.c, store_pg.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

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

/* ---- the session ---- */

int
store_session_open(const struct totp_config *cfg, store_pg_loader load,
		   struct store_session **out, char *err, size_t err_size)
{
	const struct store_pg_api *api;

	*out = NULL;
	if (cfg->store != CONFIG_STORE_POSTGRESQL)
		return store_file_session_new(cfg, out, err, err_size);
	/* a plugin missing or refused, a password where others may read it:
	 * the same for every user, so a configuration error */
	api = load != NULL ? load(err, err_size) : NULL;
	if (api == NULL)
		return -1;
	if (config_check_db_password(cfg, api->db_has_password(cfg->db), err, err_size) != 0)
		return -1;
	return api->session_new(cfg, out, err, err_size);
}

void *
store_session_alloc(size_t size, const struct store_session_ops *ops,
		    struct store_session **out, char *err, size_t err_size)
{
	struct store_session *s = calloc(1, size);

	*out = s;
	if (s == NULL)
		snprintf(err, err_size, "out of memory");
	else
		s->ops = ops;
	return s;
}

void
store_session_close(struct store_session *s)
{
	if (s != NULL)
		s->ops->free(s);
}

void
store_session_disconnect(struct store_session *s)
{
	if (s != NULL)
		s->ops->disconnect(s);
}

enum store_status
store_exists(struct store_session *s, const struct store_user *u, char *err, size_t err_size)
{
	return s->ops->exists(s, u, err, err_size);
}

enum store_status
store_open(struct store_session *s, const struct store_user *u, struct totp_store **out,
	   char *err, size_t err_size)
{
	return s->ops->open(s, u, out, err, err_size);
}

enum store_status
store_create(struct store_session *s, const struct store_user *u, const struct totp_record *rec,
	     int replace, char *err, size_t err_size)
{
	return s->ops->create(s, u, rec, replace, err, err_size);
}

int
store_can_create(struct store_session *s, const struct store_user *u, unsigned flags,
		 struct store_create_why *why)
{
	return s->ops->can_create(s, u, flags, why);
}

int
store_where(struct store_session *s, const struct store_user *u, int style, char *out,
	    size_t size, char *err, size_t err_size)
{
	return s->ops->where(s, u, style, out, size, err, err_size);
}

enum store_status
store_users(struct store_session *s, char ***names, size_t *n, char *err, size_t err_size)
{
	return s->ops->users(s, names, n, err, err_size);
}

void
store_free_names(char **names, size_t n)
{
	for (size_t i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
}
