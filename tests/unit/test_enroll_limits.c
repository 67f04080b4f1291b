/* The limits of enrolment at login (lib/enroll_limits.c): enroll_until's
 * dates, enroll_from's networks and enroll_services' names at their edges,
 * enroll_allowed, and where config_load says enroll=prompt came from:
 * enrolment at login from the shared config file must name its
 * services. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "enroll_limits.h"

static struct totp_config cfg;
static char why[256];

static int
allowed(const char *service, const char *rhost)
{
	why[0] = '\0';
	return enroll_allowed(&cfg, service, rhost, 1700000000, why, sizeof(why));
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
	char path[] = "/tmp/test_enroll_limits.XXXXXX", conf_arg[64], err[256];
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

/* the deadline is the first second after the day, local time */
static void
test_until(void **state)
{
	static const struct {
		const char *date;
		int64_t end;
	} good[] = {
		{ "2023-11-14", 1700006400 },  /* 2023-11-15T00:00:00Z */
		{ "2023-12-31", 1704067200 },  /* into the next year */
		{ "2024-02-29", 1709251200 },  /* a leap day */
		{ "1970-01-01", 86400 },
	};
	static const char *const bad[] = {
		"", "2023-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00",
		"2023-01-32", "1969-12-31", "2023-1-01", "2023-01-1", "2023/01/01",
		"2023-01-01x", "2023-01-01 ", " 2023-01-01", "+023-01-01", "2023-0a-01",
		"20230101", "tomorrow",
	};
	int64_t end;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		end = -1;
		assert_int_equal(enroll_parse_until(good[i].date, &end), 0);
		assert_int_equal(end, good[i].end);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		end = -1;
		assert_int_equal(enroll_parse_until(bad[i], &end), -1);
		assert_int_equal(end, -1);
	}
	/* local time: the day DST begins has 23 hours, and still ends at
	 * the next midnight (2024-03-31T22:00:00Z in Amsterdam) */
	setenv("TZ", "Europe/Amsterdam", 1);
	tzset();
	assert_int_equal(enroll_parse_until("2024-03-31", &end), 0);
	assert_int_equal(end, 1711922400);
	assert_int_equal(enroll_parse_until("2024-10-27", &end), 0);
	assert_int_equal(end, 1730070000);  /* 25 hours: 2024-10-27T23:00:00Z */
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
test_network_lists(void **state)
{
	static const char *const good[] = {
		"192.0.2.7", "192.0.2.0/24", "0.0.0.0/0", "10.0.0.0/32", "2001:db8::/32",
		"::/0", "2001:db8::1/128", "::ffff:192.0.2.7", " 192.0.2.0/24 ,\t2001:db8::/32 ",
	};
	static const char *const bad[] = {
		"", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "192.0.2.0/-1",
		"192.0.2.0/8x", "192.0.2.0/ 8", "192.0.2.256", "host.example", "192.0.2.0/24,",
		",192.0.2.0/24", "192.0.2.0/24,,10.0.0.0/8", "192.0.2.0/24 10.0.0.0/8",
		"2001:db8::/32,bogus",
		"2001:0db8:0000:0000:0000:0000:0000:0001:2001:0db8:0000:0000:0000:0001/128",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(enroll_check_networks(good[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(enroll_check_networks(bad[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, "enroll_from"));
	}
	/* the reason names the bad entry, without its blanks */
	assert_int_equal(enroll_check_networks("10.0.0.0/8, bogus ", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus'"));
}

static void
test_in_networks(void **state)
{
	static const struct {
		const char *list, *addr;
		int in;
	} cases[] = {
		{ "10.0.0.0/8", "10.255.255.255", 1 },
		{ "10.0.0.0/8", "11.0.0.0", 0 },
		{ "10.0.0.0/8", "::ffff:10.1.2.3", 1 },      /* IPv4-mapped */
		{ "::ffff:10.0.0.1", "10.0.0.1", 1 },
		{ "172.16.0.0/12", "172.31.255.255", 1 },    /* a prefix inside a byte */
		{ "172.16.0.0/12", "172.32.0.0", 0 },
		{ "172.16.0.0/12", "172.15.255.255", 0 },
		{ "192.0.2.7", "192.0.2.7", 1 },             /* no prefix: one address */
		{ "192.0.2.7", "192.0.2.8", 0 },
		{ "192.0.2.7/31", "192.0.2.6", 1 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "0.0.0.0/0", "2001:db8::1", 0 },           /* the other family */
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "192.0.2.1", 0 },
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8::/33", "2001:db8:7fff::", 1 },
		{ "2001:db8::/33", "2001:db8:8000::", 0 },
		{ "2001:db8::/32", "2001:DB8::1", 1 },
		{ "192.0.2.0/24, 198.51.100.0/24", "198.51.100.200", 1 },
		{ "bogus, 10.0.0.0/8", "10.1.1.1", 1 },      /* conf.c refuses such a list */
		{ "10.0.0.0/8", "localhost", 0 },            /* a name is never resolved */
		{ "10.0.0.0/8", "10.1.2.3.", 0 },
		{ "10.0.0.0/8", "", 0 },
		{ "", "10.1.2.3", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(enroll_in_networks(cases[i].list, cases[i].addr), cases[i].in);
	assert_int_equal(enroll_in_networks("0.0.0.0/0", NULL), 0);
}

static void
test_services(void **state)
{
	/* whole names, as written */
	static const struct {
		const char *service;
		int in;
	} cases[] = {
		{ "sshd", 1 }, { "sudo", 1 }, { "ssh", 0 }, { "sshd2", 0 }, { "SSHD", 0 },
		{ "sshd, sudo", 0 }, { "", 0 }, { NULL, 0 },
	};

	(void)state;
	config_defaults(&cfg);
	cfg.enroll_prompt = 1;
	snprintf(cfg.enroll_services, sizeof(cfg.enroll_services), "sshd, sudo");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(allowed(cases[i].service, NULL), cases[i].in);
		if (!cases[i].in)
			assert_non_null(strstr(why, "not in enroll_services"));
	}
}

/* every limit set: each one alone refuses, with its own reason */
static void
test_all_limits(void **state)
{
	(void)state;
	config_defaults(&cfg);
	cfg.enroll_prompt = 1;
	snprintf(cfg.enroll_until, sizeof(cfg.enroll_until), "2023-11-14");
	cfg.enroll_deadline = 1700006400;
	snprintf(cfg.enroll_from, sizeof(cfg.enroll_from), "192.0.2.0/24");
	snprintf(cfg.enroll_services, sizeof(cfg.enroll_services), "sshd");
	assert_int_equal(allowed("sshd", "192.0.2.1"), 1);
	assert_int_equal(allowed("sshd", "198.51.100.1"), 0);
	assert_non_null(strstr(why, "not in enroll_from"));
	assert_int_equal(allowed("sudo", "192.0.2.1"), 0);
	assert_non_null(strstr(why, "not in enroll_services"));
	cfg.enroll_deadline = 1700000000;
	assert_int_equal(allowed("sshd", "192.0.2.1"), 0);
	assert_non_null(strstr(why, "enroll_until=2023-11-14 has passed"));
	/* no enroll_until: no deadline at all */
	cfg.enroll_until[0] = '\0';
	assert_int_equal(enroll_allowed(&cfg, "sshd", "192.0.2.1", INT64_MAX, why, sizeof(why)), 1);
}

/* config_load checks the limits' values when it loads them */
static void
test_load_checks(void **state)
{
	const char *good[] = { "enroll=prompt", "enroll_until=2023-11-14",
			       "enroll_from=192.0.2.0/24" };
	const char *bad_date[] = { "enroll_until=2023-02-30" };
	const char *bad_net[] = { "enroll_from=192.0.2.0/24,bogus" };
	char err[256];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(config_load(&cfg, 3, good, err, sizeof(err)), 0);
	assert_int_equal(cfg.enroll_deadline, 1700006400);
	assert_int_equal(config_load(&cfg, 1, bad_date, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a date YYYY-MM-DD"));
	assert_int_equal(config_load(&cfg, 1, bad_net, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'bogus'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_file_needs_services),
		cmocka_unit_test(test_other_limits),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_until),
		cmocka_unit_test(test_network_lists),
		cmocka_unit_test(test_in_networks),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_all_limits),
		cmocka_unit_test(test_load_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
