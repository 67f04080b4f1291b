/* totp-admin: the command line. Root only; options as the module reads
 * them (the same config file), so the tool finds the records the logins
 * use. Long options must be spelled out (tools/opts_exact.c). */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "enroll.h"
#include "opts_exact.h"

/* Administration may wait longer than a login for a busy record. */
#define ADMIN_TIMEOUT 60

static const char usage_text[] =
	"Usage: totp-admin [--conf FILE] [--secret-path TEMPLATE] COMMAND [ARGS]\n"
	"See and change pam_totp enrolments (root only).\n"
	"\n"
	"  list [--locked | --disabled] [--json]\n"
	"                   every enrolled user: algorithm, digits, period, last\n"
	"                   login, failures, locked until, recovery codes left\n"
	"  status USER [--json]\n"
	"                   the same for one user, and where the record is\n"
	"  unlock USER      clear the failures and the lock-out (the secret, the\n"
	"                   replay state and the recovery codes stay)\n"
	"  remove USER [--yes]\n"
	"                   end the enrolment (asks first unless --yes); outside the\n"
	"                   homes a mark stays, and no login enrols the user again\n"
	"                   until reset\n"
	"  reset USER [--yes]\n"
	"                   delete the enrolment or that mark (asks first unless\n"
	"                   --yes): the next login may set up a new app (a lost\n"
	"                   phone: check who is asking first)\n"
	"  missing [--group GROUP] [--json]\n"
	"                   users without an enrolment (of GROUP, or all human\n"
	"                   accounts)\n"
	"  import-ga [USER... | --all] [--dry-run]\n"
	"                   google-authenticator files (~/.google_authenticator)\n"
	"                   into records with the same secret; scratch codes become\n"
	"                   recovery codes; the files are left as they are\n"
	"  import-oath FILE [--dry-run]\n"
	"                   the time-based lines of a pam_oath usersfile\n"
	"  check [--pam-dir DIR] [--sshd-config FILE] [--json]\n"
	"                   the deployment: PAM stacks, sshd, config file, store;\n"
	"                   each danger with its file, line and fix\n"
	"\n"
	"  --conf FILE            config file (default " CONFIG_DEFAULT_PATH ")\n"
	"  --secret-path TEMPLATE record path template, as the module's secret=\n"
	"  --pam-dir DIR          check: the PAM service files (default /etc/pam.d)\n"
	"  --sshd-config FILE     check: read this sshd_config instead of sshd -T\n"
	"  --sshd-T FILE          check: saved output of sshd -T (not running it)\n"
	"  --help                 show this help and exit\n"
	"  --version              show the version and exit\n"
	"\n"
	"Exit status: 0 done, 1 error, 2 bad options, 3 not enrolled (or removed),\n"
	"4 some users refused by an import, 5 remove or reset not confirmed,\n"
	"6 check found a danger.\n";

enum {
	OPT_CONF = 256, OPT_SECRET_PATH, OPT_JSON, OPT_LOCKED, OPT_DISABLED, OPT_YES,
	OPT_GROUP, OPT_ALL, OPT_DRY_RUN, OPT_HELP, OPT_VERSION,
	OPT_PAM_DIR, OPT_SSHD_CONFIG, OPT_SSHD_T
};

static const struct option long_options[] = {
	{ "conf", required_argument, NULL, OPT_CONF },
	{ "secret-path", required_argument, NULL, OPT_SECRET_PATH },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "locked", no_argument, NULL, OPT_LOCKED },
	{ "disabled", no_argument, NULL, OPT_DISABLED },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "pam-dir", required_argument, NULL, OPT_PAM_DIR },
	{ "sshd-config", required_argument, NULL, OPT_SSHD_CONFIG },
	{ "sshd-T", required_argument, NULL, OPT_SSHD_T },
	{ NULL, 0, NULL, 0 }
};

struct admin_opts {
	const char *conf, *secret_path, *group;
	const char *pam_dir, *sshd_config, *sshd_t;  /* check */
	int json, locked, disabled, yes, all, dry_run;
	const char *command;
	char **args;
	int n_args;
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The message quotes words of the command line (a user name, perhaps
 * taken from a file): shown escaped as a whole, our text being printable. */
static int
usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "totp-admin: %s\nTry 'totp-admin --help'.\n", admin_esc(msg));
	return -1;
}

/* 0: go on; 1: --help or --version printed; -1: bad options (reported). */
static int
parse(int argc, char **argv, struct admin_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	if (opts_exact_check("totp-admin", argc, argv, long_options) != 0)
		return -1;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_CONF: o->conf = optarg; break;
		case OPT_SECRET_PATH: o->secret_path = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_LOCKED: o->locked = 1; break;
		case OPT_DISABLED: o->disabled = 1; break;
		case OPT_YES: o->yes = 1; break;
		case OPT_GROUP: o->group = optarg; break;
		case OPT_ALL: o->all = 1; break;
		case OPT_DRY_RUN: o->dry_run = 1; break;
		case OPT_PAM_DIR: o->pam_dir = optarg; break;
		case OPT_SSHD_CONFIG: o->sshd_config = optarg; break;
		case OPT_SSHD_T: o->sshd_t = optarg; break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			return 1;
		case OPT_VERSION:
			printf("totp-admin (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 1;
		default:
			if (optopt == OPT_CONF || optopt == OPT_SECRET_PATH || optopt == OPT_GROUP ||
			    optopt == OPT_PAM_DIR || optopt == OPT_SSHD_CONFIG || optopt == OPT_SSHD_T)
				return usage_error("option '%s' needs a value", argv[optind - 1]);
			if (optopt >= OPT_CONF)
				return usage_error("option '%s' takes no value", argv[optind - 1]);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("which command? (list, status, unlock, remove, reset, missing, "
				   "import-ga, import-oath, check)");
	o->command = argv[optind];
	o->args = argv + optind + 1;
	o->n_args = argc - optind - 1;
	return 0;
}

/* Which options each command takes, and how many operands. */
static int
check_command(const struct admin_opts *o)
{
	static const struct {
		const char *name;
		int min_args, max_args;
		int json, locked, yes, group, import;
	} commands[] = {
		{ "list", 0, 0, 1, 1, 0, 0, 0 },
		{ "status", 1, 1, 1, 0, 0, 0, 0 },
		{ "unlock", 1, 1, 0, 0, 0, 0, 0 },
		{ "remove", 1, 1, 0, 0, 1, 0, 0 },
		{ "reset", 1, 1, 0, 0, 1, 0, 0 },
		{ "missing", 0, 0, 1, 0, 0, 1, 0 },
		{ "import-ga", 0, INT_MAX, 0, 0, 0, 0, 1 },
		{ "import-oath", 1, 1, 0, 0, 0, 0, 1 },
		{ "check", 0, 0, 1, 0, 0, 0, 0 },
	};
	int check = strcmp(o->command, "check") == 0;

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, o->command) != 0)
			continue;
		if (o->n_args < commands[i].min_args)
			return usage_error("%s needs %s", o->command,
					   commands[i].import ? "a file" : "a user name");
		if (o->n_args > commands[i].max_args)
			return usage_error("unexpected argument '%s'", o->args[commands[i].max_args]);
		if ((o->json && !commands[i].json) ||
		    ((o->locked || o->disabled) && !commands[i].locked) ||
		    (o->yes && !commands[i].yes) || (o->group != NULL && !commands[i].group) ||
		    (o->dry_run && !commands[i].import) ||
		    (o->all && strcmp(o->command, "import-ga") != 0) ||
		    ((o->pam_dir != NULL || o->sshd_config != NULL || o->sshd_t != NULL) && !check) ||
		    (o->secret_path != NULL && check))
			return usage_error("an option given does not go with %s", o->command);
		if (o->sshd_config != NULL && o->sshd_t != NULL)
			return usage_error("--sshd-config or --sshd-T, not both");
		if (o->locked && o->disabled)
			return usage_error("--locked or --disabled, not both");
		if (strcmp(o->command, "import-ga") == 0 && (o->all == (o->n_args > 0)))
			return usage_error("import-ga needs user names or --all (one of them)");
		return 0;
	}
	return usage_error("unknown command '%s'", o->command);
}

static int
load_config(const struct admin_opts *o, struct admin_ctx *c)
{
	char err[512];

	/* err quotes the file's name and words: escaped as every error */
	if (config_load_tool(&c->cfg, o->conf, o->secret_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "totp-admin: %s\n", admin_esc(err));
		return -1;
	}
	if (c->cfg.lock_timeout < ADMIN_TIMEOUT)
		c->cfg.lock_timeout = ADMIN_TIMEOUT;
	if (c->cfg.db_timeout < ADMIN_TIMEOUT)
		c->cfg.db_timeout = ADMIN_TIMEOUT;
	/* as the module and totp-enroll: a db= password only in a file root
	 * alone may read, judged by libpq's own reading of db= */
	if (store_session_open(&c->cfg, enroll_db_api, &c->store, err, sizeof(err)) != 0) {
		fprintf(stderr, "totp-admin: %s\n", admin_esc(err));
		return -1;
	}
	if (c->store->flags & STORE_CAUTION_INSECURE)
		fputs("totp-admin: warning: db_insecure_transport=yes: secrets may cross the "
		      "network unencrypted and unverified\n", stderr);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct admin_ctx c;
	struct admin_opts o;
	int r = parse(argc, argv, &o);

	if (r != 0)
		return r > 0 ? ADMIN_EXIT_OK : ADMIN_EXIT_USAGE;
	if (check_command(&o) != 0)
		return ADMIN_EXIT_USAGE;
	if (geteuid() != 0) {
		fputs("totp-admin: must be run as root\n", stderr);
		return ADMIN_EXIT_ERROR;
	}
	if (strcmp(o.command, "check") == 0) {
		/* before the configuration is loaded: a broken one is a finding */
		struct admin_check_opts co = { o.pam_dir, o.conf, o.sshd_config, o.sshd_t, o.json };

		return admin_check(&co);
	}
	if (load_config(&o, &c) != 0)
		return ADMIN_EXIT_ERROR;
	c.json = o.json;
	c.dry_run = o.dry_run;
	c.now = (int64_t)time(NULL);
	audit_who(c.admin, sizeof(c.admin));
	openlog("totp-admin", LOG_PID, LOG_AUTHPRIV);
	if (strcmp(o.command, "list") == 0)
		r = admin_list(&c, o.locked, o.disabled);
	else if (strcmp(o.command, "status") == 0)
		r = admin_status(&c, o.args[0]);
	else if (strcmp(o.command, "unlock") == 0)
		r = admin_unlock(&c, o.args[0]);
	else if (strcmp(o.command, "remove") == 0)
		r = admin_remove(&c, o.args[0], o.yes);
	else if (strcmp(o.command, "reset") == 0)
		r = admin_reset(&c, o.args[0], o.yes);
	else if (strcmp(o.command, "missing") == 0)
		r = admin_missing(&c, o.group);
	else if (strcmp(o.command, "import-ga") == 0)
		r = admin_import_ga(&c, o.args, o.n_args, o.all);
	else
		r = admin_import_oath(&c, o.args[0]);
	store_session_close(c.store);
	closelog();
	return r;
}
