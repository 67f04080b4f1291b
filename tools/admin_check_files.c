/* totp-admin check: the files a login reads besides the PAM stack: the
 * configuration file, the record store, the key files and the PostgreSQL
 * plugin, each judged by the rule the module applies to it (so that a
 * finding here is a login refused there). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin_check.h"
#include "enroll.h"
#include "store.h"
#include "text.h"

#define PLUGIN_NAME "pam_totp_pg.so"

/* Scan a configuration file for where each option is set and which line,
 * if any, the module refuses: each line through config_apply, as
 * config_load_file reads it. */
static void
scan_conf(struct check_conf *c)
{
	static struct totp_config scratch;
	char *line = NULL, err[512];
	size_t cap = 0, i;
	int lineno = 0;
	struct stat st;
	FILE *f;

	c->exists = lstat(c->path, &st) == 0;
	if ((f = check_open(c->path)) == NULL)
		return;
	config_defaults(&scratch);
	while (getline(&line, &cap, f) >= 0) {
		char *s = line, *end;
		size_t n;

		lineno++;
		s += strspn(s, " \t");
		end = s + strlen(s);
		while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' ||
				   end[-1] == '\t'))
			*--end = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		n = strcspn(s, "=");
		if (n >= sizeof(c->set[0].name))
			n = sizeof(c->set[0].name) - 1;
		if (c->error_line == 0 && (config_apply(&scratch, s, err, sizeof(err)) != 0 ||
					   strncmp(s, "conf=", 5) == 0 || strcmp(s, "split_pass") == 0)) {
			c->error_line = lineno;
			snprintf(c->error_word, sizeof(c->error_word), "%.*s", (int)n, s);
			snprintf(c->error, sizeof(c->error), "%s", strncmp(s, "conf=", 5) == 0 ?
				 "conf= cannot be set in a configuration file" :
				 strcmp(s, "split_pass") == 0 ? "split_pass cannot be set in a "
				 "configuration file: it belongs on the first pam_totp line alone" : err);
		}
		for (i = 0; i < c->n_set; i++)
			if (strlen(c->set[i].name) == n && strncmp(c->set[i].name, s, n) == 0)
				break;
		if (i == c->n_set && c->n_set < sizeof(c->set) / sizeof(c->set[0]))
			snprintf(c->set[c->n_set++].name, sizeof(c->set[0].name), "%.*s", (int)n, s);
		if (i < c->n_set)
			c->set[i].line = lineno;
	}
	free(line);
	fclose(f);
}

const struct check_conf *
check_conf_get(struct check_run *r, const char *path)
{
	struct check_conf *c;

	for (size_t i = 0; i < r->n_confs; i++)
		if (strcmp(r->confs[i].path, path) == 0)
			return &r->confs[i];
	c = realloc(r->confs, (r->n_confs + 1) * sizeof(*c));
	if (c == NULL) {
		fputs("totp-admin: out of memory\n", stderr);
		exit(ADMIN_EXIT_ERROR);
	}
	r->confs = c;
	c = &r->confs[r->n_confs++];
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	scan_conf(c);
	return c;
}

int
check_conf_line(const struct check_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_set; i++)
		if (strcmp(c->set[i].name, name) == 0)
			return c->set[i].line;
	return 0;
}

int
check_conf_file(struct check_run *r, const char *path, int explicit_path, const char *service)
{
	static struct totp_config cfg;
	const struct check_conf *c = check_conf_get(r, path);
	char word[PATH_MAX + 8], err[1024], fix[PATH_MAX + 200];
	const char *argv[1] = { word };
	struct stat st;
	int shown = 0;

	if (!c->exists && !explicit_path)
		return 0;  /* no file: the defaults */
	snprintf(word, sizeof(word), "conf=%s", path);
	if (config_load(&cfg, 1, argv, err, sizeof(err)) == 0) {
		if (cfg.store == CONFIG_STORE_POSTGRESQL &&
		    enroll_db_check_password(&cfg, err, sizeof(err)) != 0) {
			snprintf(fix, sizeof(fix), "chmod 600 %s (a database password must be "
				 "readable by root alone)", check_esc(path));
			check_add(r, CHECK_DANGER, "config", path, cfg.db_line, service, fix,
				  "every login through pam_totp is refused: %s", check_esc(err));
			return -1;
		}
		return 0;
	}
	/* as the module reads it: the file first, then its lines; each fault
	 * named, so that one fix does not just reveal the next */
	if (lstat(path, &st) != 0) {
		snprintf(fix, sizeof(fix), "create %s (root's, mode 0644), or name another file",
			 check_esc(path));
		check_add(r, CHECK_DANGER, "config", path, 0, service, fix,
			  "the configuration file is missing (%s): every login through pam_totp "
			  "is refused", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(fix, sizeof(fix), "make it a regular file: chown root:root %s && "
			 "chmod go-w %s", check_esc(path), check_esc(path));
		check_add(r, CHECK_DANGER, "config", path, 0, service, fix,
			  "every login through pam_totp is refused: the configuration file must "
			  "be a regular file owned by root that group and others cannot write");
		shown = 1;
	}
	if (c->error_line > 0 && strcmp(c->error_word, "forward_pass") == 0) {
		check_add(r, CHECK_DANGER, "forward-pass", path, c->error_line, service,
			  "remove it here; split_pass on a first pam_totp line, the password module "
			  "with use_first_pass, then pam_totp (examples/pam.d/"
			  "sshd-password-code-one-answer)",
			  "forward_pass is refused by this version: every login through pam_totp "
			  "is denied");
	} else if (c->error_line > 0 || !shown) {
		if (c->error_line > 0)
			snprintf(err, sizeof(err), "%s", c->error);
		check_add(r, CHECK_DANGER, "config", path, c->error_line, service,
			  "correct or remove the option (pam_totp(8) lists every one)",
			  "every login through pam_totp is refused: %s", check_esc(err));
	}
	return -1;
}

/* The directory part of a record path template that holds no %-escape:
 * the store's directory (*per_user clear), or, when the directory itself
 * depends on the user, the fixed part above it (*per_user set). */
static int
store_dir(const char *template, char *dir, size_t size, int *per_user)
{
	const char *slash = strrchr(template, '/'), *pct = strchr(template, '%');

	*per_user = 0;
	if (slash == NULL || template[0] != '/')
		return -1;
	if (pct != NULL && pct < slash) {
		*per_user = 1;
		while (slash > template && slash >= pct)
			slash--;
		while (slash > template && *slash != '/')
			slash--;
	}
	snprintf(dir, size, "%.*s", slash == template ? 1 : (int)(slash - template), template);
	return 0;
}

static void
check_store_dir(struct check_run *r, const struct totp_config *cfg, const char *file, int line,
		const char *service)
{
	char dir[PATH_MAX], path[PATH_MAX], err[512], fix[PATH_MAX * 2 + 100];
	struct stat st;
	int in_home = 0, per_user;

	if (config_record_path(cfg, "root", 0, "/root", path, sizeof(path), &in_home, err,
			       sizeof(err)) != 0) {
		check_add(r, CHECK_DANGER, "config", file, line, service,
			  "correct secret= (pam_totp(8): %u user, %h home, %U uid, %% a %)",
			  "every login through this line is refused: %s", check_esc(err));
		return;
	}
	if (in_home || store_dir(cfg->secret_template, dir, sizeof(dir), &per_user) != 0)
		return;
	if (lstat(dir, &st) != 0) {
		if (per_user)
			return;
		snprintf(fix, sizeof(fix), "mkdir -m 700 %s (totp-enroll --user NAME also makes it)",
			 check_esc(dir));
		check_add(r, CHECK_WARNING, "store-dir", dir, 0, service, fix,
			  "the record store (secret=%s) does not exist (%s): no one is enrolled "
			  "there, and enrolment at login cannot write to it",
			  check_esc(cfg->secret_template), strerror(errno));
		return;
	}
	if (!store_file_root_dir_safe(&st)) {
		snprintf(fix, sizeof(fix), "chown root:root %s && chmod 700 %s", check_esc(dir),
			 check_esc(dir));
		check_add(r, CHECK_DANGER, "store-dir", dir, 0, service, fix,
			  "the record store (secret=%s) is not a directory owned by root that only "
			  "root may write: whoever may write it can replace the records, so the "
			  "module refuses every record there", check_esc(cfg->secret_template));
		return;
	}
	if (!per_user && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(fix, sizeof(fix), "chmod 700 %s", check_esc(dir));
		check_add(r, CHECK_WARNING, "store-dir", dir, 0, service, fix,
			  "group or others may look into the record store (mode %04o): they see "
			  "who is enrolled", (unsigned)(st.st_mode & 07777));
	}
}

static void
check_key_file(struct check_run *r, const char *key, const char *option, const char *service)
{
	char fix[PATH_MAX * 2 + 200];
	struct stat st;

	if (lstat(key, &st) != 0) {
		snprintf(fix, sizeof(fix), "copy the fleet's key file to %s (root's, mode 0600); "
			 "for a new fleet totp-enroll --init-db creates it", check_esc(key));
		check_add(r, CHECK_DANGER, "key-file", key, 0, service, fix,
			  "the key file (%s) is missing (%s): every login is denied",
			  option, strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) != 0) {
		snprintf(fix, sizeof(fix), "%schown root:root %s && chmod 600 %s",
			 S_ISLNK(st.st_mode) ? "put the file itself in place of the link; " : "",
			 check_esc(key), check_esc(key));
		check_add(r, CHECK_DANGER, "key-file", key, 0, service, fix,
			  "the key file (%s) is refused, it must be a regular file owned by root "
			  "with mode 0600 or 0400: every login is denied%s", option,
			  S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 ?
			  ", and whoever could read it may have the key" : "");
	}
}

void
check_store(struct check_run *r, const struct totp_config *cfg, const char *module,
	    const char *file, int line, const char *service)
{
	char plugin[PATH_MAX], fix[PATH_MAX * 2 + 200];
	const char *slash;
	struct stat st;

	if (cfg->store == CONFIG_STORE_FILE) {
		check_store_dir(r, cfg, file, line, service);
		return;
	}
	if (cfg->db_key[0] != '\0')
		check_key_file(r, cfg->db_key, "db_key=", service);
	if (cfg->db_key_old[0] != '\0')
		check_key_file(r, cfg->db_key_old, "db_key_old=", service);
	/* libpam loads a module named without a path from its own directory,
	 * and the module the plugin from beside itself */
	if (module[0] == '/')
		snprintf(plugin, sizeof(plugin), "%s", module);
	else
		snprintf(plugin, sizeof(plugin), "%s/%s", PAMDIR, module);
	slash = strrchr(plugin, '/');
	snprintf(plugin + (slash - plugin) + 1, sizeof(plugin) - (size_t)(slash - plugin) - 1,
		 "%s", PLUGIN_NAME);
	if (stat(plugin, &st) != 0) {
		check_add(r, CHECK_DANGER, "plugin", plugin, 0, service,
			  "install pam_totp_pg.so of the same build beside pam_totp.so (make "
			  "install, or the libpam-totp package)",
			  "store=postgresql, but the PostgreSQL store's plugin is missing (%s): "
			  "every login is denied", strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(fix, sizeof(fix), "chown root:root %s && chmod go-w %s", check_esc(plugin),
			 check_esc(plugin));
		check_add(r, CHECK_DANGER, "plugin", plugin, 0, service, fix,
			  "the PostgreSQL store's plugin is refused, it must be a regular file "
			  "owned by root and writable by root alone: every login is denied");
	}
}
