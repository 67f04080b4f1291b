/* Load pam_totp_pg.so from beside pam_totp.so (see pg_plugin.h). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pg_plugin.h"

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct store_pg_api *loaded; /* under load_lock */

/* The plugin's path: this module's own file name (the path libpam opened
 * it by) with its last component replaced. */
static int
plugin_path(char *path, size_t size, char *err, size_t err_size)
{
	Dl_info info;
	const char *slash;
	int dir_len, n;

	if (dladdr(&loaded, &info) == 0 || info.dli_fname == NULL) {
		snprintf(err, err_size, "PostgreSQL store plugin %s: cannot tell where "
			 "pam_totp.so was loaded from", STORE_PG_PLUGIN);
		return -1;
	}
	slash = strrchr(info.dli_fname, '/');
	if (info.dli_fname[0] != '/' || slash == NULL) {
		/* relative to the working directory: not trusted */
		snprintf(err, err_size, "PostgreSQL store plugin %s: pam_totp.so was loaded by "
			 "the relative path %s; give PAM its absolute path", STORE_PG_PLUGIN,
			 info.dli_fname);
		return -1;
	}
	dir_len = (int)(slash - info.dli_fname);
	n = snprintf(path, size, "%.*s/%s", dir_len, info.dli_fname, STORE_PG_PLUGIN);
	if (n < 0 || (size_t)n >= size) {
		snprintf(err, err_size, "PostgreSQL store plugin %s: the path of pam_totp.so "
			 "is too long", STORE_PG_PLUGIN);
		return -1;
	}
	return 0;
}

static const struct store_pg_api *
load(char *err, size_t err_size)
{
	char path[PATH_MAX];
	struct stat st;
	const struct store_pg_api *api;
	void *handle;

	if (plugin_path(path, sizeof(path), err, err_size) != 0)
		return NULL;
	/* the same ownership rule as for the module's directory: root's, and
	 * only root may change it. dlopen takes no descriptor, so this is a
	 * check of the path; whoever could swap the file between the two
	 * could swap pam_totp.so beside it as well. */
	if (stat(path, &st) != 0) {
		snprintf(err, err_size, "PostgreSQL store plugin %s: %s (store=postgresql needs "
			 "it installed beside pam_totp.so)", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, err_size, "PostgreSQL store plugin %s: refused: it must be a "
			 "regular file owned by root and writable by root alone", path);
		return NULL;
	}
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		const char *why = dlerror();

		snprintf(err, err_size, "PostgreSQL store plugin %s: cannot load: %s", path,
			 why != NULL ? why : "?");
		return NULL;
	}
	api = dlsym(handle, STORE_PG_API_SYMBOL);
	if (api == NULL || api->version == NULL || api->session_new == NULL ||
	    api->db_has_password == NULL) {
		snprintf(err, err_size, "PostgreSQL store plugin %s: no %s in it", path,
			 STORE_PG_API_SYMBOL);
		dlclose(handle);
		return NULL;
	}
	if (strcmp(api->version, PACKAGE_VERSION) != 0) {
		snprintf(err, err_size, "PostgreSQL store plugin %s: it is version %.32s, "
			 "pam_totp.so is " PACKAGE_VERSION ": install both from one build",
			 path, api->version);
		dlclose(handle);
		return NULL;
	}
	/* the handle is kept: the plugin stays loaded until the process ends,
	 * also after libpam unloads pam_totp.so, whose next load finds it
	 * loaded (dlopen counts references) instead of loading libpq again */
	return api;
}

const struct store_pg_api *
pg_plugin_load(char *err, size_t err_size)
{
	const struct store_pg_api *api;

	pthread_mutex_lock(&load_lock);
	if (loaded == NULL)
		loaded = load(err, err_size);
	api = loaded;
	pthread_mutex_unlock(&load_lock);
	return api;
}
