/* enrol_allowed (lib/enrol_limits.c) and where config_load says
 * enroll=prompt came from: enrolment at login from the shared config file
 * must name its services. */
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
#include "enrol_limits.h"

static struct totp_config cfg;
static char why[256];

static int
allowed(const char *service, const char *rhost)
{
	why[0] = '\0';
	return enrol_allowed(&cfg, service, rhost, 1700000000, why, sizeof(why));
}

static void
test_shared_file_needs_services(void **state)
{
	(void)state;
	config_defaults(&cfg);
	cfg.enroll_prompt = 1;
	assert_int_equal(allowed("sudo", NULL), 1);
	/* from the shared file, without enroll_services: no service may enrol */
	cfg.enroll_in_shared_file = 1;
	assert_int_equal(allowed("sshd", "192.0.2.1"), 0);
	assert_non_null(strstr(why, "needs enroll_services="));
	assert_int_equal(allowed("sudo", NULL), 0);
	/* with them: the listed ones may, the others not */
	snprintf(cfg.enroll_services, sizeof(cfg.enroll_services), "sshd");
	assert_int_equal(allowed("sshd", "192.0.2.1"), 1);
	assert_int_equal(allowed("sudo", NULL), 0);
	assert_non_null(strstr(why, "not in enroll_services"));
}

static void
test_other_limits(void **state)
{
	(void)state;
	config_defaults(&cfg);
	assert_int_equal(allowed("sshd", NULL), 0);
	assert_non_null(strstr(why, "enroll=prompt is not set"));
	cfg.enroll_prompt = 1;
	snprintf(cfg.enroll_from, sizeof(cfg.enroll_from), "10.0.0.0/8");
	assert_int_equal(allowed("sshd", "10.1.2.3"), 1);
	assert_int_equal(allowed("sshd", "192.0.2.1"), 0);
	assert_int_equal(allowed("sshd", NULL), 0);
	cfg.enroll_from[0] = '\0';
	snprintf(cfg.enroll_until, sizeof(cfg.enroll_until), "2023-11-14");
	cfg.enroll_deadline = 1700000000;
	assert_int_equal(allowed("sshd", NULL), 0);
	assert_non_null(strstr(why, "has passed"));
	cfg.enroll_deadline = 1700000001;
	assert_int_equal(allowed("sshd", NULL), 1);
}

/* config_load: enroll=prompt on the module line, or in a file the line
 * names with conf=, is that stack's own; only the default file is shared */
static void
test_origin(void **state)
{
	char path[] = "/tmp/test_enrol_limits.XXXXXX", conf_arg[64], err[256];
	const char *line[] = { "enroll=prompt" };
	const char *with_conf[] = { conf_arg };
	int fd;

	(void)state;
	assert_int_equal(config_load(&cfg, 1, line, err, sizeof(err)), 0);
	assert_int_equal(cfg.enroll_prompt, 1);
	assert_int_equal(cfg.enroll_in_shared_file, 0);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, "enroll=prompt\n", 14) == 14);
	close(fd);
	snprintf(conf_arg, sizeof(conf_arg), "conf=%s", path);
	assert_int_equal(config_load(&cfg, 1, with_conf, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(cfg.enroll_prompt, 1);
	assert_int_equal(cfg.enroll_in_shared_file, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_file_needs_services),
		cmocka_unit_test(test_other_limits),
		cmocka_unit_test(test_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
