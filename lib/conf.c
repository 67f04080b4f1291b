/* Options: defaults, the shared config file, then module arguments. */
#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf.h"
#include "enroll_limits.h"
#include "text.h"

#define CONF_FILE_MAX 16384

/* Every option with its default: config_defaults sets nothing else but
 * zeros (a flag off, a choice at its first word). */

struct string_option {
	const char *name;
	size_t offset, size;
	const char *dflt;      /* the default; NULL: empty */
	int allow_empty;       /* name= (nothing) is a value: the default again */
};

static const struct string_option string_options[] = {
	{ "secret", offsetof(struct totp_config, secret_template), PATH_MAX, CONFIG_DEFAULT_SECRET,
	  0 },
	/* prompt=: the translated default prompt */
	{ "prompt", offsetof(struct totp_config, prompt), CONFIG_PROMPT_MAX, NULL, 1 },
	{ "issuer", offsetof(struct totp_config, issuer), CONFIG_ISSUER_MAX, NULL, 0 },
	{ "language", offsetof(struct totp_config, language), CONFIG_LANGUAGE_MAX, NULL, 0 },
	{ "localedir", offsetof(struct totp_config, localedir), PATH_MAX, NULL, 0 },
	{ "conf", offsetof(struct totp_config, conf_path), PATH_MAX, CONFIG_DEFAULT_PATH, 0 },
	{ "db", offsetof(struct totp_config, db), CONFIG_DB_MAX, NULL, 0 },
	/* the fleet key: sealing is on unless db_key=none */
	{ "db_key", offsetof(struct totp_config, db_key), PATH_MAX, CONFIG_DEFAULT_DB_KEY, 0 },
	{ "db_key_old", offsetof(struct totp_config, db_key_old), PATH_MAX, NULL, 0 },
	{ "enroll_until", offsetof(struct totp_config, enroll_until), CONFIG_DATE_MAX, NULL, 0 },
	{ "enroll_from", offsetof(struct totp_config, enroll_from), CONFIG_LIST_MAX, NULL, 0 },
	{ "enroll_services", offsetof(struct totp_config, enroll_services), CONFIG_LIST_MAX, NULL,
	  0 },
	{ "helpdesk", offsetof(struct totp_config, helpdesk), CONFIG_HELPDESK_MAX, NULL, 0 },
};

struct number_option {
	const char *name;
	size_t offset;
	unsigned min, max, dflt;
};

#define POLICY(field) (offsetof(struct totp_config, policy) + offsetof(struct verify_policy, field))
static const struct number_option number_options[] = {
	{ "window", POLICY(window), 0, 10, VERIFY_DEFAULT_WINDOW },
	{ "max_skew", POLICY(max_skew), 0, VERIFY_SKEW_LIMIT, VERIFY_DEFAULT_MAX_SKEW },
	{ "max_failures", POLICY(max_failures), 1, VERIFY_FAILURE_CEILING,
	  VERIFY_DEFAULT_MAX_FAILURES },
	{ "lockout_base", POLICY(lockout_base), 1, 86400, VERIFY_DEFAULT_LOCKOUT_BASE },
	{ "lockout_max", POLICY(lockout_max), 1, 604800, VERIFY_DEFAULT_LOCKOUT_MAX },
	{ "failure_ceiling", POLICY(failure_ceiling), 1, VERIFY_FAILURE_CEILING,
	  VERIFY_DEFAULT_FAILURE_CEILING },
	{ "lock_timeout", offsetof(struct totp_config, lock_timeout), 1, 300, CONFIG_LOCK_TIMEOUT },
	{ "fail_delay", offsetof(struct totp_config, fail_delay), 0, 60000, 0 },
	{ "db_timeout", offsetof(struct totp_config, db_timeout), 1, 300, CONFIG_DB_TIMEOUT },
	{ "split_digits", offsetof(struct totp_config, split_digits), OTP_DIGITS_MIN,
	  OTP_DIGITS_MAX, OTP_DIGITS_MIN },
	{ "enroll_pending", offsetof(struct totp_config, enroll_pending), 60, 86400,
	  CONFIG_ENROLL_PENDING },
};

/* Options whose value is one of a few words, each meaning a number. */
struct choice_option {
	const char *name;
	size_t offset;
	const char *words[3];  /* words[i] stores i; NULL-terminated; words[0] (0)
	                          is the default */
};

static const struct choice_option choice_options[] = {
	{ "store", offsetof(struct totp_config, store), { "file", "postgresql", NULL } },
	{ "db_unavailable", offsetof(struct totp_config, db_unavailable_ignore),
	  { "deny", "ignore", NULL } },
	{ "db_insecure_transport", offsetof(struct totp_config, db_insecure_transport),
	  { "no", "yes", NULL } },
	{ "enroll", offsetof(struct totp_config, enroll_prompt), { "no", "prompt", NULL } },
};

struct flag_option {
	const char *name;
	size_t offset;
};

static const struct flag_option flag_options[] = {
	{ "nullok", offsetof(struct totp_config, nullok) },
	{ "echo", offsetof(struct totp_config, echo) },
	{ "try_first_pass", offsetof(struct totp_config, try_first_pass) },
	{ "use_first_pass", offsetof(struct totp_config, use_first_pass) },
	{ "split_pass", offsetof(struct totp_config, split_pass) },
	{ "debug", offsetof(struct totp_config, debug) },
};


#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

_Static_assert(CONFIG_STORE_FILE == 0, "store=file, the first word, is the default");

void
config_defaults(struct totp_config *cfg)
{
	char *base = (char *)cfg;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < COUNT(string_options); i++)
		if (string_options[i].dflt != NULL)
			snprintf(base + string_options[i].offset, string_options[i].size, "%s",
				 string_options[i].dflt);
	for (size_t i = 0; i < COUNT(number_options); i++)
		*(unsigned *)(base + number_options[i].offset) = number_options[i].dflt;
}


int
config_apply(struct totp_config *cfg, const char *word, char *err, size_t err_size)
{
	const char *eq = strchr(word, '=');
	size_t nlen = eq != NULL ? (size_t)(eq - word) : strlen(word);
	char *base = (char *)cfg;

	if (strcmp(word, "forward_pass") == 0) {
		/* refused rather than ignored: the one line it took, before the
		 * password module, counted codes of whoever did not know the
		 * password, and a stack left as it was must not silently lose
		 * the code either */
		text_error(err, err_size, "%s", "forward_pass is replaced by split_pass: "
			   "pam_totp split_pass, then the password module with use_first_pass, "
			   "then pam_totp again (see pam_totp(8))");
		return -1;
	}
	for (size_t i = 0; i < COUNT(flag_options); i++) {
		if (strlen(flag_options[i].name) == nlen &&
		    strncmp(word, flag_options[i].name, nlen) == 0) {
			if (eq != NULL) {
				text_error(err, err_size, "option '%s' takes no value", word);
				return -1;
			}
			*(int *)(base + flag_options[i].offset) = 1;
			return 0;
		}
	}
	if (eq == NULL) {
		text_error(err, err_size, "unknown option '%s'", word);
		return -1;
	}
	for (size_t i = 0; i < COUNT(number_options); i++) {
		const struct number_option *o = &number_options[i];

		if (strlen(o->name) == nlen && strncmp(word, o->name, nlen) == 0) {
			if (text_parse_unsigned(eq + 1, o->min, o->max,
					   (unsigned *)(base + o->offset)) != 0) {
				text_error(err, err_size, "bad value in '%s'", word);
				return -1;
			}
			return 0;
		}
	}
	for (size_t i = 0; i < COUNT(choice_options); i++) {
		const struct choice_option *o = &choice_options[i];

		if (strlen(o->name) != nlen || strncmp(word, o->name, nlen) != 0)
			continue;
		for (int v = 0; o->words[v] != NULL; v++) {
			if (strcmp(eq + 1, o->words[v]) == 0) {
				*(int *)(base + o->offset) = v;
				return 0;
			}
		}
		text_error(err, err_size, "bad value in '%s'", word);
		return -1;
	}
	for (size_t i = 0; i < COUNT(string_options); i++) {
		const struct string_option *o = &string_options[i];

		if (strlen(o->name) == nlen && strncmp(word, o->name, nlen) == 0) {
			if (strlen(eq + 1) >= o->size || (!o->allow_empty && eq[1] == '\0')) {
				text_error(err, err_size, "bad value in '%s'", word);
				return -1;
			}
			snprintf(base + o->offset, o->size, "%s", eq + 1);
			return 0;
		}
	}
	text_error(err, err_size, "unknown option '%s'", word);
	return -1;
}

int
config_check_db_password(const struct totp_config *cfg, int has_password,
			 char *err, size_t err_size)
{
	if (has_password == 0 || cfg->db_origin == CONFIG_DB_PRIVATE_FILE)
		return 0;
	if (cfg->db_origin == CONFIG_DB_ARGUMENT) {
		text_error(err, err_size, "%s", "a database password must not be a module "
			   "argument (anyone can read /etc/pam.d): put db= in a config file "
			   "readable by root alone");
		return -1;
	}
	text_error(err, err_size, "config file %s holds a database password (line %d): it must "
		   "be readable by root alone (chmod 600)", cfg->conf_path, cfg->db_line);
	return -1;
}

int
config_load_file(struct totp_config *cfg, const char *path, int missing_ok,
		 char *err, size_t err_size)
{
	char buf[CONF_FILE_MAX + 1];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, ret = -1, lineno = 0;
	char *line, *next;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		text_error(err, err_size, "cannot open config file %s", path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		text_error(err, err_size,
			"config file %s must be a regular file owned by root, not group/other writable",
			path);
		goto out;
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (n < 0 || len > CONF_FILE_MAX) {
		text_error(err, err_size, "cannot read config file %s (or over 16 KiB)", path);
		goto out;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		text_error(err, err_size, "config file %s holds a NUL byte", path);
		goto out;
	}
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		char *end;

		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		end = line + strlen(line);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (strncmp(line, "conf=", 5) == 0) {
			text_error(err, err_size, "conf= cannot be set in config file %s", path);
			goto out;
		}
		if (strcmp(line, "split_pass") == 0) {
			/* the file is shared by both pam_totp lines: the second
			 * one would split again instead of checking the code */
			text_error(err, err_size, "split_pass cannot be set in config file %s: "
				   "it belongs on the first pam_totp line alone", path);
			goto out;
		}
		if (config_apply(cfg, line, err, err_size) != 0) {
			size_t used = err != NULL ? strlen(err) : 0;

			if (err != NULL && used + 32 < err_size)
				snprintf(err + used, err_size - used, " (%s line %d)", path, lineno);
			goto out;
		}
		if (strncmp(line, "db=", 3) == 0) {
			cfg->db_origin = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0
					 ? CONFIG_DB_SHARED_FILE : CONFIG_DB_PRIVATE_FILE;
			cfg->db_line = lineno;
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* The enroll_* options: well-formed. */
static int
check_enroll(struct totp_config *cfg, char *err, size_t err_size)
{
	if (cfg->enroll_until[0] != '\0' &&
	    enroll_parse_until(cfg->enroll_until, &cfg->enroll_deadline) != 0) {
		text_error(err, err_size, "enroll_until=%s is not a date YYYY-MM-DD",
			   cfg->enroll_until);
		return -1;
	}
	if (cfg->enroll_from[0] != '\0' &&
	    enroll_check_networks(cfg->enroll_from, err, err_size) != 0)
		return -1;
	return 0;
}

/* db_key= an absolute path, or none (then empty: rows in the clear);
 * db_key_old= an absolute path, and only beside a key. */
static int
check_db_keys(struct totp_config *cfg, char *err, size_t err_size)
{
	if (strcmp(cfg->db_key, CONFIG_DB_KEY_NONE) == 0)
		cfg->db_key[0] = '\0';
	else if (cfg->db_key[0] != '/') {
		text_error(err, err_size, "db_key=%s is not an absolute path (or none)",
			   cfg->db_key);
		return -1;
	}
	if (cfg->db_key_old[0] != '\0' && (cfg->db_key_old[0] != '/' || cfg->db_key[0] == '\0')) {
		text_error(err, err_size, "%s", "db_key_old= must be an absolute path, "
			   "beside a db_key= that is not none");
		return -1;
	}
	return 0;
}

int
config_load(struct totp_config *cfg, int argc, const char **argv,
	    char *err, size_t err_size)
{
	int explicit_conf = 0;

	config_defaults(cfg);
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0) {
			if (config_apply(cfg, argv[i], err, err_size) != 0)
				return -1;
			explicit_conf = 1;
		}
	}
	if (config_load_file(cfg, cfg->conf_path, !explicit_conf, err, err_size) != 0)
		return -1;
	cfg->enroll_in_shared_file = !explicit_conf && cfg->enroll_prompt;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) != 0 &&
		    config_apply(cfg, argv[i], err, err_size) != 0)
			return -1;
		if (strncmp(argv[i], "db=", 3) == 0)
			cfg->db_origin = CONFIG_DB_ARGUMENT;
		if (strncmp(argv[i], "enroll=", 7) == 0)
			cfg->enroll_in_shared_file = 0;
	}
	if (cfg->policy.window > cfg->policy.max_skew) {
		text_error(err, err_size, "%s", "window must not exceed max_skew");
		return -1;
	}
	if (cfg->policy.failure_ceiling < cfg->policy.max_failures) {
		text_error(err, err_size, "%s", "failure_ceiling must be at least max_failures");
		return -1;
	}
	if (check_enroll(cfg, err, err_size) != 0)
		return -1;
	/* shown to the user as written, in every refusal: no control
	 * character may reach the terminal */
	text_clean_display(cfg->helpdesk);
	if (cfg->store == CONFIG_STORE_POSTGRESQL) {
#ifndef HAVE_LIBPQ
		text_error(err, err_size, "%s", "store=postgresql: this pam_totp was built "
			"without PostgreSQL support (configure --with-postgresql)");
		return -1;
#else
		if (cfg->db[0] == '\0') {
			text_error(err, err_size, "%s", "store=postgresql needs db=CONNECTION");
			return -1;
		}
#endif
		if (check_db_keys(cfg, err, err_size) != 0)
			return -1;
	}
	return 0;
}

static int
append(char *out, size_t out_size, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= out_size)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

int
config_record_path(const struct totp_config *cfg, const char *user, uid_t uid,
		   const char *home, char *out, size_t out_size, int *in_home,
		   char *err, size_t err_size)
{
	char uidbuf[32], one[2] = { 0, 0 };
	size_t o = 0;
	int home_dummy;

	if (in_home == NULL)
		in_home = &home_dummy;
	*in_home = 0;
	if (user == NULL || user[0] == '\0' || strchr(user, '/') != NULL ||
	    strcmp(user, ".") == 0 || strcmp(user, "..") == 0) {
		text_error(err, err_size, "%s", "user name unusable in a path");
		return -1;
	}
	snprintf(uidbuf, sizeof(uidbuf), "%lu", (unsigned long)uid);
	for (const char *p = cfg->secret_template; *p != '\0'; p++) {
		const char *piece;

		if (*p != '%') {
			one[0] = *p;
			piece = one;
		} else {
			switch (*++p) {
			case 'u':
				piece = user;
				break;
			case 'U':
				piece = uidbuf;
				break;
			case 'h':
				if (home == NULL || home[0] != '/') {
					text_error(err, err_size, "%s", "user has no absolute home directory");
					return -1;
				}
				piece = home;
				*in_home = 1;
				break;
			case '%':
				piece = "%";
				break;
			default:
				text_error(err, err_size, "bad %%-escape in secret=%s", cfg->secret_template);
				return -1;
			}
		}
		if (append(out, out_size, &o, piece) != 0) {
			text_error(err, err_size, "%s", "record path too long");
			return -1;
		}
	}
	out[o] = '\0';
	if (out[0] != '/') {
		text_error(err, err_size, "record path %s is not absolute", out);
		return -1;
	}
	return 0;
}

int
config_load_tool(struct totp_config *cfg, const char *conf, const char *secret_path,
		 char *err, size_t err_size)
{
	char conf_word[PATH_MAX + 8], secret_word[PATH_MAX + 8];
	const char *words[2];
	int n = 0;

	if (conf != NULL) {
		snprintf(conf_word, sizeof(conf_word), "conf=%s", conf);
		words[n++] = conf_word;
	}
	if (secret_path != NULL) {
		snprintf(secret_word, sizeof(secret_word), "secret=%s", secret_path);
		words[n++] = secret_word;
	}
	return config_load(cfg, n, words, err, err_size);
}
