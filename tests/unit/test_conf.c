/* config_defaults and config_apply (lib/conf.c): the defaults come from the
 * options' table alone, and which option takes an empty value is the
 * table's word, not a place in it. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_values),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
