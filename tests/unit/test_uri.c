/* The otpauth:// Key URI: encoding, round trips and rejections. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "uri.h"

static void
fill(struct otp_uri *u, const char *issuer, const char *account)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->issuer, issuer);
	strcpy(u->account, account);
	strcpy(u->secret, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	u->alg = OTP_ALG_SHA1;
	u->digits = 6;
	u->period = 30;
}

static void
test_build_plain(void **state)
{
	struct otp_uri u;
	char out[1024];

	(void)state;
	fill(&u, "Zorg", "anna");
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), 0);
	/* the defaults SHA1, 6, 30 left out; the secret last */
	assert_string_equal(out, "otpauth://totp/Zorg:anna?issuer=Zorg"
			    "&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	/* without URI_ISSUER_PARAM the label alone names the issuer */
	assert_int_equal(uri_build(&u, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/Zorg:anna?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	fill(&u, "", "anna");
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/anna?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
}

/* Each parameter that differs from its default is kept, alone. */
static void
test_build_keeps_nondefaults(void **state)
{
	struct otp_uri u;
	char out[1024];

	(void)state;
	fill(&u, "Zorg", "anna");
	u.alg = OTP_ALG_SHA512;
	assert_int_equal(uri_build(&u, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/Zorg:anna?algorithm=SHA512"
			    "&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	fill(&u, "Zorg", "anna");
	u.digits = 8;
	assert_int_equal(uri_build(&u, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/Zorg:anna?digits=8"
			    "&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
	fill(&u, "Zorg", "anna");
	u.period = 60;
	assert_int_equal(uri_build(&u, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/Zorg:anna?period=60"
			    "&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
}

static void
test_build_percent_encodes(void **state)
{
	struct otp_uri u;
	char out[1024];

	(void)state;
	fill(&u, "Zorg & Co", "jan.de.vries@zorg.example");
	u.alg = OTP_ALG_SHA256;
	u.digits = 8;
	u.period = 60;
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), 0);
	assert_string_equal(out, "otpauth://totp/Zorg%20%26%20Co:jan.de.vries%40zorg.example"
			    "?issuer=Zorg%20%26%20Co&algorithm=SHA256&digits=8&period=60"
			    "&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
}

static void
test_build_non_ascii(void **state)
{
	struct otp_uri u;
	char out[1024];

	(void)state;
	fill(&u, "Zorgcentrum Ré", "zoë");
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "totp/Zorgcentrum%20R%C3%A9:zo%C3%AB?"));
}

static void
test_round_trip(void **state)
{
	static const char *const issuers[] = { "Zorg & Co", "", "a+b/c?d=e#f", "Ünïcødé", "100%" };
	static const char *const accounts[] = { "jan.de.vries@zorg.example", "x", "a:b", "名前", "s p a c e" };
	struct otp_uri u, v;
	char out[2048], err[128];

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		fill(&u, issuers[i], accounts[i]);
		u.alg = (otp_alg)(i % 3);
		u.digits = 6 + (unsigned)(i % 3);
		u.period = 15 + (unsigned)i;
		for (unsigned flags = 0; flags <= URI_ISSUER_PARAM; flags++) {
			assert_int_equal(uri_build(&u, flags, out, sizeof(out)), 0);
			assert_int_equal(uri_parse(out, &v, err, sizeof(err)), 0);
			assert_string_equal(v.issuer, u.issuer);
			assert_string_equal(v.account, u.account);
			assert_string_equal(v.secret, u.secret);
			assert_int_equal(v.alg, u.alg);
			assert_int_equal(v.digits, u.digits);
			assert_int_equal(v.period, u.period);
		}
	}
}

static void
test_parse_defaults_and_tolerance(void **state)
{
	struct otp_uri v;
	char err[128];

	(void)state;
	assert_int_equal(uri_parse("otpauth://totp/alice?secret=jbsw%20y3dp%20ehpk%203pxp",
				   &v, err, sizeof(err)), 0);
	assert_string_equal(v.account, "alice");
	assert_string_equal(v.issuer, "");
	assert_string_equal(v.secret, "JBSWY3DPEHPK3PXP");
	assert_int_equal(v.alg, OTP_ALG_SHA1);
	assert_int_equal(v.digits, 6);
	assert_int_equal(v.period, 30);
	/* unknown extension parameters are ignored, space after the colon allowed */
	assert_int_equal(uri_parse("otpauth://totp/ACME%3A%20bob?image=x&secret=JBSWY3DPEHPK3PXP&issuer=ACME",
				   &v, err, sizeof(err)), 0);
	assert_string_equal(v.issuer, "ACME");
	assert_string_equal(v.account, "bob");
}

static void
test_parse_rejects(void **state)
{
	static const struct { const char *uri, *why; } bad[] = {
		{ "", "not an otpauth" },
		{ "http://totp/a?secret=JBSWY3DPEHPK3PXP", "not an otpauth" },
		{ "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=1", "not an otpauth" },
		{ "otpauth://totp/a", "no query" },
		{ "otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "label" },
		{ "otpauth://totp/Iss:?secret=JBSWY3DPEHPK3PXP", "empty account" },
		{ "otpauth://totp/a?issuer=x", "secret missing" },
		{ "otpauth://totp/a?secret=JBSW1Y3DPEHPK3PXP", "base32" },
		{ "otpauth://totp/a?secret=JBSWY3DP", "base32" },
		{ "otpauth://totp/a?secret=", "base32" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", "algorithm" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=5", "digits" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=9", "digits" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=6x", "digits" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0", "period" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=301", "period" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=99999999999999999999", "period" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP", "duplicate" },
		{ "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B", "differ" },
		{ "otpauth://totp/a%2?secret=JBSWY3DPEHPK3PXP", "label" },
		{ "otpauth://totp/a%00b?secret=JBSWY3DPEHPK3PXP", "label" },
		{ "otpauth://totp/a%zzb?secret=JBSWY3DPEHPK3PXP", "label" },
		{ "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=%4", "percent" },
		{ "otpauth://totp/a?secret", "without '='" },
	};
	struct otp_uri v;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(uri_parse(bad[i].uri, &v, err, sizeof(err)), -1);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("uri %zu (%s): error '%s' does not say '%s'", i, bad[i].uri,
				 err, bad[i].why);
		assert_string_equal(v.secret, "");
	}
}

static void
test_parse_rejects_overlong(void **state)
{
	char uri[4096], err[128];
	struct otp_uri v;

	(void)state;
	strcpy(uri, "otpauth://totp/");
	memset(uri + 15, 'a', 1000);
	strcpy(uri + 1015, "?secret=JBSWY3DPEHPK3PXP");
	assert_int_equal(uri_parse(uri, &v, err, sizeof(err)), -1);
	strcpy(uri, "otpauth://totp/a?secret=");
	memset(uri + 24, 'A', 2000);
	uri[2024] = '\0';
	assert_int_equal(uri_parse(uri, &v, err, sizeof(err)), -1);
}

static void
test_build_rejects(void **state)
{
	struct otp_uri u;
	char out[1024], small[40];

	(void)state;
	fill(&u, "Zorg", "");
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), -1);
	fill(&u, "Zorg:Co", "anna");  /* a colon in the issuer breaks the label */
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), -1);
	fill(&u, "Zorg", " anna");  /* a leading space is dropped when read */
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), -1);
	fill(&u, "", "a:b");  /* without an issuer, a colon would become one */
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), -1);
	fill(&u, "Zorg", "anna");
	u.digits = 9;
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), -1);
	fill(&u, "Zorg", "anna");
	u.period = 0;
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, out, sizeof(out)), -1);
	fill(&u, "Zorg", "anna");
	assert_int_equal(uri_build(&u, URI_ISSUER_PARAM, small, sizeof(small)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_plain),
		cmocka_unit_test(test_build_keeps_nondefaults),
		cmocka_unit_test(test_build_percent_encodes),
		cmocka_unit_test(test_build_non_ascii),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_defaults_and_tolerance),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_rejects_overlong),
		cmocka_unit_test(test_build_rejects),
	};
	return cmocka_run_group_tests_name("uri", tests, NULL, NULL);
}
