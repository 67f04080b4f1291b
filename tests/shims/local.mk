# tests/shims/: the programs and LD_PRELOAD libraries the shell tests run.
# Included by the top Makefile.am (see tests/unit/local.mk for why).
#
# Folder-wide: a shim is a module libtool builds only for the tests (no
# rpath of its own, never installed); a driver links the core.
shim_ldflags = -module -avoid-version -shared -rpath /nowhere
driver_ldadd = lib/libtotpcore.la $(CRYPTO_LIBS)

# the PAM driver for tests: the real libpam, answers from argv.
# time_shim.c: the tests' clock (PAM_TOTP_TEST_NOW). Linked into the
# drivers and exported, so the module's time() resolves to it too;
# preloaded as libtimeshim.so into the programs the tests run as installed.
check_PROGRAMS += %reldir%/pam_login
%canon_reldir%_pam_login_SOURCES = %reldir%/pam_login.c %reldir%/time_shim.c
%canon_reldir%_pam_login_LDFLAGS = -export-dynamic
# per-target flags: time_shim.o apart from libtimeshim's object
%canon_reldir%_pam_login_CFLAGS = $(AM_CFLAGS)
%canon_reldir%_pam_login_LDADD = $(PAM_LIBS)
check_PROGRAMS += %reldir%/make_record
%canon_reldir%_make_record_SOURCES = %reldir%/make_record.c %reldir%/time_shim.c
%canon_reldir%_make_record_CFLAGS = $(AM_CFLAGS)
%canon_reldir%_make_record_LDADD = $(driver_ldadd)
check_PROGRAMS += %reldir%/record_state
%canon_reldir%_record_state_LDADD = $(driver_ldadd)
check_PROGRAMS += %reldir%/otp_cli
%canon_reldir%_otp_cli_LDADD = $(driver_ldadd)
check_PROGRAMS += %reldir%/update_loop
%canon_reldir%_update_loop_LDADD = $(driver_ldadd)
check_PROGRAMS += %reldir%/qr_dump
%canon_reldir%_qr_dump_SOURCES = %reldir%/qr_dump.c $(QR_SOURCES)
%canon_reldir%_qr_dump_CPPFLAGS = $(QR_CPPFLAGS)
%canon_reldir%_qr_dump_LDADD = $(QR_LIBS) $(driver_ldadd)
# the module's log reasons, for the fail2ban filter's test
check_PROGRAMS += %reldir%/log_reasons
%canon_reldir%_log_reasons_SOURCES = %reldir%/log_reasons.c pam_module/log_reason.c pam_module/log_reason.h
%canon_reldir%_log_reasons_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/pam_module
%canon_reldir%_log_reasons_LDADD = $(driver_ldadd) $(PAM_LIBS)
# power cuts: every state a cut could leave, rebuilt from a recorded trace
check_PROGRAMS += %reldir%/powercut_states
%canon_reldir%_powercut_states_LDADD =

# LD_PRELOAD libraries: fault injection (one chosen file-system call
# fails), the module's syslog lines on stderr, the tests' clock, no PAM
# fail delay, the power-cut recorder
check_LTLIBRARIES = %reldir%/libfaultshim.la
%canon_reldir%_libfaultshim_la_SOURCES = %reldir%/fault_shim.c %reldir%/preload_next.h
%canon_reldir%_libfaultshim_la_LDFLAGS = $(shim_ldflags)
%canon_reldir%_libfaultshim_la_LIBADD = -ldl
check_LTLIBRARIES += %reldir%/libsyslogshim.la
%canon_reldir%_libsyslogshim_la_SOURCES = %reldir%/syslog_shim.c
%canon_reldir%_libsyslogshim_la_LDFLAGS = $(shim_ldflags)
check_LTLIBRARIES += %reldir%/libtimeshim.la
%canon_reldir%_libtimeshim_la_SOURCES = %reldir%/time_shim.c
%canon_reldir%_libtimeshim_la_LDFLAGS = $(shim_ldflags)
check_LTLIBRARIES += %reldir%/libnodelayshim.la
%canon_reldir%_libnodelayshim_la_SOURCES = %reldir%/nodelay_shim.c
%canon_reldir%_libnodelayshim_la_LDFLAGS = $(shim_ldflags)
%canon_reldir%_libnodelayshim_la_LIBADD = -ldl
check_LTLIBRARIES += %reldir%/libpowercutrec.la
%canon_reldir%_libpowercutrec_la_SOURCES = %reldir%/powercut_recorder.c %reldir%/preload_next.h
%canon_reldir%_libpowercutrec_la_LDFLAGS = $(shim_ldflags)
%canon_reldir%_libpowercutrec_la_LIBADD = -ldl
# a PAM module standing in for pam_unix's recorded verdict (enrolment at login)
check_LTLIBRARIES += %reldir%/pam_first_factor.la
%canon_reldir%_pam_first_factor_la_SOURCES = %reldir%/pam_first_factor.c
%canon_reldir%_pam_first_factor_la_LDFLAGS = $(shim_ldflags)
%canon_reldir%_pam_first_factor_la_LIBADD = $(PAM_LIBS)
