/* store=postgresql: the PostgreSQL store is the plugin pam_totp_pg.so, in
 * the directory pam_totp.so was loaded from, so that pam_totp.so itself
 * does not link libpq and the ~20 libraries it pulls in: hosts on the file
 * store never load them. */
#ifndef PAM_TOTP_PG_PLUGIN_H
#define PAM_TOTP_PG_PLUGIN_H

#include <stddef.h>
#include "store.h"

/* The plugin's table, loaded on the first call and kept for the life of
 * the process (never unloaded: a login holds pointers into it). NULL when
 * it cannot be loaded: err then names the plugin's path and the reason.
 * The path is never taken from the environment or the configuration, and
 * a file that is not root's or that others may write is refused. */
const struct store_pg_api *pg_plugin_load(char *err, size_t err_size);

#endif
