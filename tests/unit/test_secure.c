/* Constant-time compare, wiping, randomness and fs identity switches. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <cmocka.h>

#include "secure.h"

static void
test_equal(void **state)
{
	(void)state;
	assert_true(secure_equal("123456", "123456", 6));
	assert_false(secure_equal("123456", "123457", 6));
	assert_false(secure_equal("023456", "123456", 6));
	assert_true(secure_equal("", "", 0));
}

static void
test_wipe(void **state)
{
	char buf[32];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	secure_wipe(buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	secure_wipe(NULL, 10); /* harmless */
}

static void
test_random(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	assert_int_equal(secure_random(a, sizeof(a)), 0);
	assert_int_equal(secure_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void
test_fsid_round_trip(void **state)
{
	struct fs_identity saved;
	uid_t before = (uid_t)setfsuid((uid_t)-1);

	(void)state;
	assert_int_equal(secure_fsid_enter(&saved, 65534, 65534), 0);
	if (geteuid() == 0) {
		assert_int_equal(saved.switched, 1);
		assert_int_equal((uid_t)setfsuid((uid_t)-1), 65534);
	} else {
		assert_int_equal(saved.switched, 0);
	}
	assert_int_equal(secure_fsid_leave(&saved), 0);
	assert_int_equal((uid_t)setfsuid((uid_t)-1), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_wipe),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_fsid_round_trip),
	};
	return cmocka_run_group_tests_name("secure", tests, NULL, NULL);
}
