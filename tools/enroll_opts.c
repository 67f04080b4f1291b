/* totp-enroll's command line: options, their checks, --help, --version. */
#include "config.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "enroll.h"
#include "i18n.h"
#include "opts_exact.h"
#include "text.h"

/* One message, so that a translation can lay the whole text out anew. */
static void
print_usage(void)
{
	printf(_(
		"Usage: totp-enroll [OPTION]...\n"
		"       totp-enroll --init-db [--conf FILE]\n"
		"       totp-enroll --rotate-key [--conf FILE]\n"
		"       totp-enroll --import [--conf FILE] [--secret-path TEMPLATE] USER[=FILE]...\n"
		"Make a TOTP secret for an authenticator app, confirm a code from the app,\n"
		"and write the record pam_totp reads.\n"
		"\n"
		"  --user NAME            enrol NAME instead of yourself (root only)\n"
		"  --issuer TEXT          issuer shown by the app (default: config issuer=,\n"
		"                         else the host name)\n"
		"  --label TEXT           account name shown by the app (default: user@host)\n"
		"  --algorithm ALG        SHA1 (default), SHA256 or SHA512\n"
		"  --digits N             6 (default) or 8\n"
		"  --period N             seconds per code, 1..300 (default 30)\n"
		"  --recovery-codes N     single-use recovery codes, 0..20 (default 10)\n"
		"  --qr=utf8|ansi|none    how to draw the QR code in the terminal (default utf8)\n"
		"  --png FILE             also write the QR code as a PNG (mode 0600)\n"
		"  --svg FILE             also write the QR code as an SVG (mode 0600)\n"
		"  --force                replace an existing enrolment once the new one is\n"
		"                         confirmed\n"
		"  --no-confirm           write the record without asking for a code\n"
		"                         (SHA1, 6 digits, 30 s only)\n"
		"  --quiet                no explanations, only what must be seen\n"
		"  --conf FILE            config file (default %s)\n"
		"  --secret-path TEMPLATE record path template, %%u user, %%h home, %%U uid\n"
		"                         (as the module's secret=)\n"
		"  --init-db              with store=postgresql: create the tables (schema\n"
		"                         version %d) unless they exist, and exit\n"
		"  --rotate-key           with store=postgresql: re-seal under db_key= every\n"
		"                         row sealed under db_key_old= (the previous key), all\n"
		"                         in one transaction, and exit\n"
		"  --import               with store=postgresql: copy each USER's record file\n"
		"                         (found through --secret-path or the config's secret=,\n"
		"                         or given as USER=FILE) into the database, all in one\n"
		"                         transaction; a user already there stops it (exit 3)\n"
		"  --help                 show this help and exit\n"
		"  --version              show the version and exit\n"
		"\n"
		"Exit status: 0 enrolled, 1 error, 2 bad options, 3 already enrolled,\n"
		"4 not confirmed, 130 interrupted.\n"),
	       CONFIG_DEFAULT_PATH, STORE_PG_SCHEMA_VERSION);
}

enum {
	OPT_USER = 256, OPT_ISSUER, OPT_LABEL, OPT_ALGORITHM, OPT_DIGITS, OPT_PERIOD,
	OPT_RECOVERY, OPT_QR, OPT_PNG, OPT_SVG, OPT_FORCE, OPT_NO_CONFIRM, OPT_QUIET,
	OPT_CONF, OPT_SECRET_PATH, OPT_HELP, OPT_VERSION, OPT_INIT_DB, OPT_IMPORT,
	OPT_ROTATE_KEY
};

static const struct option long_options[] = {
	{ "user", required_argument, NULL, OPT_USER },
	{ "issuer", required_argument, NULL, OPT_ISSUER },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "algorithm", required_argument, NULL, OPT_ALGORITHM },
	{ "digits", required_argument, NULL, OPT_DIGITS },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "recovery-codes", required_argument, NULL, OPT_RECOVERY },
	{ "qr", required_argument, NULL, OPT_QR },
	{ "png", required_argument, NULL, OPT_PNG },
	{ "svg", required_argument, NULL, OPT_SVG },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-confirm", no_argument, NULL, OPT_NO_CONFIRM },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "conf", required_argument, NULL, OPT_CONF },
	{ "secret-path", required_argument, NULL, OPT_SECRET_PATH },
	{ "init-db", no_argument, NULL, OPT_INIT_DB },
	{ "import", no_argument, NULL, OPT_IMPORT },
	{ "rotate-key", no_argument, NULL, OPT_ROTATE_KEY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static int
bad(const char *what, const char *value)
{
	fprintf(stderr, _("totp-enroll: %s: '%s'\n"), what, value);
	return -1;
}

/* Options that take a text: where it goes, and whether it may be empty
 * (an empty issuer leaves the issuer out of the URI). */
static const struct {
	int val;
	size_t offset;
	int may_be_empty;
} text_options[] = {
	{ OPT_USER, offsetof(struct enroll_opts, user), 0 },
	{ OPT_ISSUER, offsetof(struct enroll_opts, issuer), 1 },
	{ OPT_LABEL, offsetof(struct enroll_opts, label), 0 },
	{ OPT_PNG, offsetof(struct enroll_opts, png), 0 },
	{ OPT_SVG, offsetof(struct enroll_opts, svg), 0 },
	{ OPT_CONF, offsetof(struct enroll_opts, conf), 0 },
	{ OPT_SECRET_PATH, offsetof(struct enroll_opts, secret_path), 0 },
};

/* 1 when c is a text option (stored in o), 0 when not, -1 when refused. */
static int
take_text(int c, const char *value, struct enroll_opts *o)
{
	for (size_t i = 0; i < sizeof(text_options) / sizeof(text_options[0]); i++) {
		if (text_options[i].val != c)
			continue;
		if (value[0] == '\0' && !text_options[i].may_be_empty) {
			for (const struct option *l = long_options; l->name != NULL; l++)
				if (l->val == c)
					fprintf(stderr, _("totp-enroll: --%s must not be empty\n"), l->name);
			return -1;
		}
		*(const char **)((char *)o + text_options[i].offset) = value;
		return 1;
	}
	return 0;
}

int
enroll_opts_parse(int argc, char **argv, struct enroll_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->alg = OTP_ALG_SHA1;
	o->digits = 6;
	o->period = 30;
	o->recovery = ENROLL_RECOVERY_DEFAULT;
	o->qr = ENROLL_QR_UTF8;
	opterr = 0;
	if (opts_exact_check("totp-enroll", argc, argv, long_options) != 0)
		return -1;
	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		int r = take_text(c, optarg, o);

		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_ALGORITHM:
			if (otp_alg_from_name(optarg, &o->alg) != 0)
				return bad(_("unknown algorithm (SHA1, SHA256 or SHA512)"), optarg);
			break;
		case OPT_DIGITS:
			if (strcmp(optarg, "6") != 0 && strcmp(optarg, "8") != 0)
				return bad(_("--digits must be 6 or 8"), optarg);
			o->digits = (unsigned)(optarg[0] - '0');
			break;
		case OPT_PERIOD:
			if (text_parse_unsigned(optarg, 1, RECORD_PERIOD_MAX, &o->period) != 0)
				return bad(_("--period must be 1..300 seconds"), optarg);
			break;
		case OPT_RECOVERY:
			if (text_parse_unsigned(optarg, 0, RECORD_RECOVERY_MAX, &o->recovery) != 0)
				return bad(_("--recovery-codes must be 0..20"), optarg);
			break;
		case OPT_QR:
			if (strcmp(optarg, "utf8") == 0)
				o->qr = ENROLL_QR_UTF8;
			else if (strcmp(optarg, "ansi") == 0)
				o->qr = ENROLL_QR_ANSI;
			else if (strcmp(optarg, "none") == 0)
				o->qr = ENROLL_QR_NONE;
			else
				return bad(_("--qr must be utf8, ansi or none"), optarg);
			break;
		case OPT_FORCE:
			o->force = 1;
			break;
		case OPT_NO_CONFIRM:
			o->no_confirm = 1;
			break;
		case OPT_QUIET:
			o->quiet = 1;
			break;
		case OPT_INIT_DB:
			o->init_db = 1;
			break;
		case OPT_IMPORT:
			o->import = 1;
			break;
		case OPT_ROTATE_KEY:
			o->rotate_key = 1;
			break;
		case OPT_HELP:
			print_usage();
			return 1;
		case OPT_VERSION:
			printf("totp-enroll (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			return 1;
		default:
			if (optopt >= OPT_USER)  /* one of ours, without its value */
				fprintf(stderr, _("totp-enroll: option '%s' needs a value\n"),
					argv[optind - 1]);
			else if (optopt != 0)
				fprintf(stderr, _("totp-enroll: unknown option '-%c'\n"), optopt);
			else
				fprintf(stderr, _("totp-enroll: unknown option '%s'\n"), argv[optind - 1]);
			fputs(_("Try 'totp-enroll --help'.\n"), stderr);
			return -1;
		}
	}
	if (o->init_db + o->import + o->rotate_key > 1) {
		fputs(_("totp-enroll: --init-db, --import and --rotate-key are separate steps\n"),
		      stderr);
		return -1;
	}
	if (o->import) {
		o->args = argv + optind;
		o->n_args = argc - optind;
		if (o->n_args == 0) {
			fputs(_("totp-enroll: --import needs at least one USER[=FILE]\n"), stderr);
			return -1;
		}
		return 0;
	}
	if (optind < argc) {
		fprintf(stderr, _("totp-enroll: unexpected argument '%s'\n"), argv[optind]);
		fputs(_("Try 'totp-enroll --help'.\n"), stderr);
		return -1;
	}
	return 0;
}

int
enroll_opts_nonstandard(const struct enroll_opts *o)
{
	return o->alg != OTP_ALG_SHA1 || o->digits != 6 || o->period != 30;
}
