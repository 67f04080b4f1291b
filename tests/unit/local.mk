# tests/unit/: cmocka unit tests, one per lib/ file, each one program over
# the core. Included by the top Makefile.am: one Makefile, so one `make
# check` runs the tests of every folder in one parallel harness, and
# `make check TESTS=...` names any test.
#
# Folder-wide: the default LDADD is this folder's (the fuzz targets, on
# the same core, take it too; every other program names its own), and
# cmocka's include flags (none on Debian) join AM_CFLAGS, automake having
# no per-folder flags in one Makefile. So a unit test is one line here.
LDADD = lib/libtotpcore.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
AM_CFLAGS += $(CMOCKA_CFLAGS)

UNIT_TESTS =
if HAVE_CMOCKA
UNIT_TESTS += %reldir%/test_otp
UNIT_TESTS += %reldir%/test_base32
UNIT_TESTS += %reldir%/test_uri
UNIT_TESTS += %reldir%/test_secure
UNIT_TESTS += %reldir%/test_text
UNIT_TESTS += %reldir%/test_record
UNIT_TESTS += %reldir%/test_seal
UNIT_TESTS += %reldir%/test_state_fields
UNIT_TESTS += %reldir%/test_input
UNIT_TESTS += %reldir%/test_recovery
UNIT_TESTS += %reldir%/test_verify
UNIT_TESTS += %reldir%/test_lock_wait
UNIT_TESTS += %reldir%/test_catalog
UNIT_TESTS += %reldir%/test_enroll_limits
UNIT_TESTS += %reldir%/test_conf
endif
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
# its .mo files are made by msgfmt from .po texts in the test
%canon_reldir%_test_catalog_CPPFLAGS = $(AM_CPPFLAGS) -DMSGFMT='"$(MSGFMT)"'
