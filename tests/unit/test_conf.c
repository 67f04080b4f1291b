/* config_defaults, config_apply and config_load (lib/conf.c): the
 * defaults come from the options' table alone, and which option takes an
 * empty value is the table's word, not a place in it. Each kind of option
 * (a flag, a number within bounds, one of a few words, a text of bounded
 * length) is checked at its edges against pam_totp(8), and a refused word
 * leaves the configuration as it was. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "verify.h"

static void
test_defaults(void **state)
{
	struct totp_config cfg;
	struct verify_policy p;

	(void)state;
	config_defaults(&cfg);
	verify_policy_defaults(&p);
	/* the policy's defaults, as verify knows them */
	assert_memory_equal(&cfg.policy, &p, sizeof(p));
	assert_int_equal(cfg.lock_timeout, CONFIG_LOCK_TIMEOUT);
	assert_int_equal(cfg.db_timeout, CONFIG_DB_TIMEOUT);
	assert_int_equal(cfg.enroll_pending, CONFIG_ENROLL_PENDING);
	assert_int_equal(cfg.split_digits, 6);
	assert_int_equal(cfg.fail_delay, 0);
	assert_int_equal(cfg.store, CONFIG_STORE_FILE);
	assert_string_equal(cfg.secret_template, CONFIG_DEFAULT_SECRET);
	assert_string_equal(cfg.conf_path, CONFIG_DEFAULT_PATH);
	assert_string_equal(cfg.db_key, CONFIG_DEFAULT_DB_KEY);
	assert_string_equal(cfg.prompt, "");
	assert_int_equal(cfg.nullok, 0);
	assert_int_equal(cfg.enroll_prompt, 0);
}

/* prompt= alone: the translated default prompt again; every other text
 * option refuses an empty value */
static void
test_empty_values(void **state)
{
	static const char *const refused[] = {
		"secret=", "issuer=", "language=", "localedir=", "conf=", "db=", "db_key=",
		"db_key_old=", "enroll_until=", "enroll_from=", "enroll_services=", "helpdesk=",
	};
	struct totp_config cfg;
	char err[128];

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(config_apply(&cfg, "prompt=Code: ", err, sizeof(err)), 0);
	assert_string_equal(cfg.prompt, "Code: ");
	assert_int_equal(config_apply(&cfg, "prompt=", err, sizeof(err)), 0);
	assert_string_equal(cfg.prompt, "");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err[0] = '\0';
		assert_int_equal(config_apply(&cfg, refused[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, "bad value in"));
	}
}

#define FIELD(f) offsetof(struct totp_config, f)
#define POLICY(f) (offsetof(struct totp_config, policy) + offsetof(struct verify_policy, f))

static unsigned
number_at(const struct totp_config *cfg, size_t offset)
{
	return *(const unsigned *)((const char *)cfg + offset);
}

static int
apply(struct totp_config *cfg, const char *word, char *err, size_t err_size)
{
	err[0] = '\0';
	return config_apply(cfg, word, err, err_size);
}

/* a refused word: -1, a reason naming it, and cfg untouched */
static void
assert_refused(struct totp_config *cfg, const char *word, const char *reason)
{
	struct totp_config before = *cfg;
	char err[256];

	assert_int_equal(apply(cfg, word, err, sizeof(err)), -1);
	assert_non_null(strstr(err, reason));
	assert_memory_equal(cfg, &before, sizeof(before));
}

/* pam_totp(8)'s bounds and defaults, written out here, not read from
 * conf.c's table: the table is what is tested */
static void
test_numbers(void **state)
{
	static const struct {
		const char *name;
		size_t offset;
		unsigned min, max, dflt;
	} numbers[] = {
		{ "window", POLICY(window), 0, 10, 1 },
		{ "max_skew", POLICY(max_skew), 0, 2880, 10 },
		{ "max_failures", POLICY(max_failures), 1, 100, 5 },
		{ "lockout_base", POLICY(lockout_base), 1, 86400, 30 },
		{ "lockout_max", POLICY(lockout_max), 1, 604800, 900 },
		{ "failure_ceiling", POLICY(failure_ceiling), 1, 100, 100 },
		{ "lock_timeout", FIELD(lock_timeout), 1, 300, 10 },
		{ "fail_delay", FIELD(fail_delay), 0, 60000, 0 },
		{ "db_timeout", FIELD(db_timeout), 1, 300, 5 },
		{ "split_digits", FIELD(split_digits), 6, 8, 6 },
		{ "enroll_pending", FIELD(enroll_pending), 60, 86400, 900 },
	};
	static const char *const not_numbers[] = {
		"", "x", "-1", "+1", " 1", "1 ", "1.5", "0x10", "1e3",
		"99999999999999999999999",
	};
	struct totp_config cfg;
	char word[128], err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		const char *name = numbers[i].name;
		size_t off = numbers[i].offset;

		config_defaults(&cfg);
		assert_int_equal(number_at(&cfg, off), numbers[i].dflt);
		snprintf(word, sizeof(word), "%s=%u", name, numbers[i].min);
		assert_int_equal(apply(&cfg, word, err, sizeof(err)), 0);
		assert_int_equal(number_at(&cfg, off), numbers[i].min);
		snprintf(word, sizeof(word), "%s=%u", name, numbers[i].max);
		assert_int_equal(apply(&cfg, word, err, sizeof(err)), 0);
		assert_int_equal(number_at(&cfg, off), numbers[i].max);
		snprintf(word, sizeof(word), "%s=%u", name, numbers[i].max + 1);
		assert_refused(&cfg, word, "bad value in");
		if (numbers[i].min > 0) {
			snprintf(word, sizeof(word), "%s=%u", name, numbers[i].min - 1);
			assert_refused(&cfg, word, "bad value in");
		}
		for (size_t j = 0; j < sizeof(not_numbers) / sizeof(not_numbers[0]); j++) {
			snprintf(word, sizeof(word), "%s=%s", name, not_numbers[j]);
			assert_refused(&cfg, word, "bad value in");
		}
		/* a number option without a value is no word at all */
		assert_refused(&cfg, name, "unknown option");
		assert_int_equal(number_at(&cfg, off), numbers[i].max);
	}
}

static void
test_flags(void **state)
{
	static const struct {
		const char *name;
		size_t offset;
	} flags[] = {
		{ "nullok", FIELD(nullok) },
		{ "echo", FIELD(echo) },
		{ "try_first_pass", FIELD(try_first_pass) },
		{ "use_first_pass", FIELD(use_first_pass) },
		{ "split_pass", FIELD(split_pass) },
		{ "debug", FIELD(debug) },
	};
	struct totp_config cfg;
	char word[64], err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const int *on = (const int *)((const char *)&cfg + flags[i].offset);

		config_defaults(&cfg);
		assert_int_equal(*on, 0);
		snprintf(word, sizeof(word), "%s=1", flags[i].name);
		assert_refused(&cfg, word, "takes no value");
		snprintf(word, sizeof(word), "%s=", flags[i].name);
		assert_refused(&cfg, word, "takes no value");
		assert_int_equal(apply(&cfg, flags[i].name, err, sizeof(err)), 0);
		assert_int_equal(*on, 1);
		/* twice is still on: a flag has no off */
		assert_int_equal(apply(&cfg, flags[i].name, err, sizeof(err)), 0);
		assert_int_equal(*on, 1);
	}
}

static void
test_choices(void **state)
{
	static const struct {
		const char *word;
		size_t offset;
		int value;
	} words[] = {
		{ "store=postgresql", FIELD(store), CONFIG_STORE_POSTGRESQL },
		{ "store=file", FIELD(store), CONFIG_STORE_FILE },
		{ "db_unavailable=ignore", FIELD(db_unavailable_ignore), 1 },
		{ "db_unavailable=deny", FIELD(db_unavailable_ignore), 0 },
		{ "db_insecure_transport=yes", FIELD(db_insecure_transport), 1 },
		{ "db_insecure_transport=no", FIELD(db_insecure_transport), 0 },
		{ "enroll=prompt", FIELD(enroll_prompt), 1 },
		{ "enroll=no", FIELD(enroll_prompt), 0 },
	};
	static const char *const refused[] = {
		"store=", "store=pg", "store=FILE", "store=file ", "store=files",
		"db_unavailable=allow", "db_insecure_transport=1", "enroll=yes", "enroll=",
	};
	struct totp_config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		assert_int_equal(apply(&cfg, words[i].word, err, sizeof(err)), 0);
		assert_int_equal(*(const int *)((const char *)&cfg + words[i].offset),
				 words[i].value);
	}
	assert_int_equal(apply(&cfg, "store=postgresql", err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_refused(&cfg, refused[i], "bad value in");
	assert_refused(&cfg, "store", "unknown option");
	assert_int_equal(cfg.store, CONFIG_STORE_POSTGRESQL);
}

/* the longest value each text holds is taken whole; one byte more is
 * refused, never cut */
static void
test_string_lengths(void **state)
{
	static const struct {
		const char *name;
		size_t offset, size;
	} strings[] = {
		{ "secret", FIELD(secret_template), PATH_MAX },
		{ "prompt", FIELD(prompt), CONFIG_PROMPT_MAX },
		{ "issuer", FIELD(issuer), CONFIG_ISSUER_MAX },
		{ "language", FIELD(language), CONFIG_LANGUAGE_MAX },
		{ "localedir", FIELD(localedir), PATH_MAX },
		{ "conf", FIELD(conf_path), PATH_MAX },
		{ "db", FIELD(db), CONFIG_DB_MAX },
		{ "db_key", FIELD(db_key), PATH_MAX },
		{ "db_key_old", FIELD(db_key_old), PATH_MAX },
		{ "enroll_until", FIELD(enroll_until), CONFIG_DATE_MAX },
		{ "enroll_from", FIELD(enroll_from), CONFIG_LIST_MAX },
		{ "enroll_services", FIELD(enroll_services), CONFIG_LIST_MAX },
		{ "helpdesk", FIELD(helpdesk), CONFIG_HELPDESK_MAX },
	};
	static char word[PATH_MAX + 64];
	struct totp_config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		size_t n = strlen(strings[i].name) + 1, len = strings[i].size - 1;
		const char *value = (const char *)&cfg + strings[i].offset;

		snprintf(word, sizeof(word), "%s=", strings[i].name);
		memset(word + n, 'a', len);
		word[n + len] = '\0';
		assert_int_equal(apply(&cfg, word, err, sizeof(err)), 0);
		assert_int_equal(strlen(value), len);
		word[n + len] = 'a';
		word[n + len + 1] = '\0';
		assert_refused(&cfg, word, "bad value in");
	}
	/* the value runs to the end of the word, '=' and blanks included;
	 * a later word wins */
	assert_int_equal(apply(&cfg, "prompt=a=b ", err, sizeof(err)), 0);
	assert_string_equal(cfg.prompt, "a=b ");
	assert_int_equal(apply(&cfg, "prompt=c", err, sizeof(err)), 0);
	assert_string_equal(cfg.prompt, "c");
}

static void
test_unknown(void **state)
{
	static const char *const unknown[] = {
		"", "=", "=1", "nosuch", "nosuch=1", "win=1", "windowx=1", "Window=1",
		" nullok", "nullok ", "NULLOK", "window =1", "pam_totp.so",
	};
	struct totp_config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_refused(&cfg, unknown[i], "unknown option");
	/* the reason names the word */
	assert_int_equal(apply(&cfg, "nosuch=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'nosuch=1'"));
	/* a word that was an option once: refused with what replaces it */
	assert_refused(&cfg, "forward_pass", "split_pass");
}

/* config_load: the defaults, then the file conf= names, then the module
 * line, each word in order; one bad word fails the whole load */
static void
test_load_order(void **state)
{
	char path[] = "/tmp/test_conf.XXXXXX", conf_arg[64], err[256];
	const char *line[] = { conf_arg, "window=3", "max_failures=7", "max_failures=8" };
	const char *bad_line[] = { conf_arg, "window=3", "nosuch" };
	struct totp_config cfg;
	const char *text = "# a comment\n\nwindow=2\nlockout_base=60\nnullok\n";
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	snprintf(conf_arg, sizeof(conf_arg), "conf=%s", path);
	assert_int_equal(config_load(&cfg, 4, line, err, sizeof(err)), 0);
	assert_int_equal(cfg.policy.window, 3);          /* the line wins */
	assert_int_equal(cfg.policy.lockout_base, 60);   /* the file's */
	assert_int_equal(cfg.policy.max_failures, 8);    /* the last word */
	assert_int_equal(cfg.nullok, 1);
	assert_int_equal(cfg.policy.max_skew, 10);       /* untouched: the default */
	err[0] = '\0';
	assert_int_equal(config_load(&cfg, 3, bad_line, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nosuch"));
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_choices),
		cmocka_unit_test(test_string_lengths),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_load_order),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
