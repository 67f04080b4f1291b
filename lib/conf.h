/* Options shared by pam_totp.so and totp-enroll: defaults, then
 * /etc/security/pam_totp.conf (or conf=), then module arguments. The file
 * uses the same words as the module arguments, one per line. */
#ifndef PAM_TOTP_CONF_H
#define PAM_TOTP_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "verify.h"

#define CONFIG_DEFAULT_PATH SYSCONFDIR "/security/pam_totp.conf"
#define CONFIG_DEFAULT_SECRET "%h/.pam_totp"
#define CONFIG_DEFAULT_DB_KEY SYSCONFDIR "/security/pam_totp.key"
#define CONFIG_DB_KEY_NONE "none"   /* db_key=none: rows in the clear */
#define CONFIG_PROMPT_MAX 128
#define CONFIG_ISSUER_MAX 128
#define CONFIG_HELPDESK_MAX 256  /* helpdesk=: at most 255 bytes */
#define CONFIG_DB_MAX 1024
#define CONFIG_LANGUAGE_MAX 64
#define CONFIG_LOCK_TIMEOUT 10
#define CONFIG_DB_TIMEOUT 5
/* enroll_pending=: 15 minutes, enough to install an app and come back */
#define CONFIG_ENROLL_PENDING 900
#define CONFIG_LIST_MAX 1024
#define CONFIG_DATE_MAX 11     /* YYYY-MM-DD */

/* Where records live (store=). */
enum config_store {
	CONFIG_STORE_FILE = 0,   /* one file per user (secret=): the default */
	CONFIG_STORE_POSTGRESQL  /* one row per user in PostgreSQL (db=) */
};

/* Where db= was last set: whether it may carry a password depends on it. */
enum config_db_origin {
	CONFIG_DB_UNSET = 0,
	CONFIG_DB_ARGUMENT,      /* a module argument: /etc/pam.d is world-readable */
	CONFIG_DB_SHARED_FILE,   /* a config file others may read */
	CONFIG_DB_PRIVATE_FILE   /* a config file readable by root alone */
};

struct totp_config {
	char conf_path[PATH_MAX];
	char secret_template[PATH_MAX];  /* %u user, %h home, %U uid, %% */
	char prompt[CONFIG_PROMPT_MAX];  /* empty: the translated default */
	char issuer[CONFIG_ISSUER_MAX];  /* the app's issuer, for totp-enroll and enrolment
	                                    at login; empty: host name */
	char helpdesk[CONFIG_HELPDESK_MAX]; /* said after every refusal, as written (control
	                                       characters made spaces); empty: nothing */
	char language[CONFIG_LANGUAGE_MAX]; /* the module's messages: a locale name;
	                                       empty: LANG in the PAM environment */
	char localedir[PATH_MAX];        /* message catalogues; empty: the built-in one */
	struct verify_policy policy;
	unsigned lock_timeout;           /* seconds to wait for a busy record */
	unsigned fail_delay;             /* ms asked of libpam after a refusal; 0: none */
	enum config_store store;
	char db[CONFIG_DB_MAX];          /* libpq connection string or URI */
	char db_key[PATH_MAX];           /* key file sealing the rows' secrets (default
	                                    CONFIG_DEFAULT_DB_KEY); empty after
	                                    config_load: db_key=none, rows in the clear */
	char db_key_old[PATH_MAX];       /* the previous key during a rotation: rows
	                                    sealed under it are read, never written;
	                                    empty: none */
	enum config_db_origin db_origin; /* where db= came from */
	int db_line;                     /* its line in conf_path (from a file) */
	unsigned db_timeout;             /* seconds a login may spend on the database */
	int db_unavailable_ignore;       /* db_unavailable=ignore: PAM_IGNORE, not a denial */
	int db_insecure_transport;       /* db_insecure_transport=yes: TCP without a verified
	                                    TLS server allowed (dangerous) */
	int nullok;
	int echo;
	int try_first_pass;
	int use_first_pass;
	int split_pass;                  /* split_pass: the first of two steps (pam_totp(8)) */
	unsigned split_digits;           /* the digits split_pass cuts off the answer: known
	                                    without the record, which is read only after
	                                    the answer is in */
	int enroll_prompt;               /* enroll=prompt: enrol a user without a record
	                                    inside the login (lib/enroll_limits.h) */
	char enroll_until[CONFIG_DATE_MAX]; /* YYYY-MM-DD; empty: no deadline */
	unsigned enroll_pending;         /* seconds an enrolment at login shown and not
	                                    confirmed is kept (lib/record.h pending=) */
	int64_t enroll_deadline;         /* the first second after enroll_until (config_load) */
	char enroll_from[CONFIG_LIST_MAX];  /* networks (CIDR), commas; empty: any */
	char enroll_services[CONFIG_LIST_MAX]; /* PAM services, commas; empty: any */
	int enroll_in_shared_file;       /* enroll=prompt came from the default config file,
	                                    which every stack reads (config_load) */
	int debug;
};

void config_defaults(struct totp_config *cfg);

/* Apply one word ("nullok", "window=2", "prompt=Code: "). 0 on success; -1
 * with a reason in err for an unknown word or a bad value. */
int config_apply(struct totp_config *cfg, const char *word, char *err, size_t err_size);

/* The rule for a database password: only in a config file readable by
 * root alone. has_password is libpq's own reading of cfg->db
 * (PQconninfoParse, the PostgreSQL store's db_has_password: 1 a
 * password, 0 none, -1 unparsable, which may hide one), so that a keyword
 * libpq decodes
 * (pass%77ord= in a URI) counts as it does for libpq. 0 when allowed, -1
 * with the reason in err. */
int config_check_db_password(const struct totp_config *cfg, int has_password,
			     char *err, size_t err_size);

/* Read a config file: one word per line, '#' comments and blank lines
 * ignored. The file must be a regular file owned by root and not writable
 * by group or others (it decides who must give a code); whether its db=
 * may hold a password is judged by config_check_db_password. A missing file is
 * fine when missing_ok (the default path); an explicit conf= must exist.
 * 0 on success, -1 with a reason in err. */
int config_load_file(struct totp_config *cfg, const char *path, int missing_ok,
		     char *err, size_t err_size);

/* Defaults, then the file (conf= among argv, else the default path), then
 * argv. The one entry point both binaries use. With store=postgresql the
 * caller then applies config_check_db_password (it needs libpq). */
int config_load(struct totp_config *cfg, int argc, const char **argv,
		char *err, size_t err_size);

/* For the tools: config_load with their --conf FILE and --secret-path
 * TEMPLATE (each may be NULL) in the roles of the module's conf= and
 * secret=, so they find the records the module finds. */
int config_load_tool(struct totp_config *cfg, const char *conf, const char *secret_path,
		     char *err, size_t err_size);

/* Expand the record path template for a user. The result must be an
 * absolute path; a user name with '/' or a name of "." or ".." is refused.
 * *in_home (unless in_home is NULL) is set when the template uses %h (the
 * record is then accessed with the user's file-system identity). 0 on
 * success, -1 with err. */
int config_record_path(const struct totp_config *cfg, const char *user, uid_t uid,
		       const char *home, char *out, size_t out_size, int *in_home,
		       char *err, size_t err_size);

#endif
