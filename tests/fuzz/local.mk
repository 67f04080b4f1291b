# tests/fuzz/: libFuzzer targets, with their seeds (fuzz_T.seed and
# fuzz_T_*.seed) and dictionaries (fuzz_T.dict). Built only in a tree
# configured with --enable-fuzzing by a clang with libFuzzer and the core
# compiled with -fsanitize=fuzzer-no-link (tests/fuzz.sh makes one, then
# runs every target `make print-fuzz-targets` names). Included by the
# top Makefile.am (see tests/unit/local.mk for why).
#
# Folder-wide: each target links the core (the default LDADD) and
# libFuzzer's main (FUZZ_LDFLAGS, from configure).
FUZZ_TARGETS =
FUZZ_TARGETS += %reldir%/fuzz_record
%canon_reldir%_fuzz_record_LDFLAGS = $(FUZZ_LDFLAGS)
FUZZ_TARGETS += %reldir%/fuzz_input
%canon_reldir%_fuzz_input_LDFLAGS = $(FUZZ_LDFLAGS)
FUZZ_TARGETS += %reldir%/fuzz_base32
%canon_reldir%_fuzz_base32_LDFLAGS = $(FUZZ_LDFLAGS)
FUZZ_TARGETS += %reldir%/fuzz_uri
%canon_reldir%_fuzz_uri_LDFLAGS = $(FUZZ_LDFLAGS)
FUZZ_TARGETS += %reldir%/fuzz_ga_file
%canon_reldir%_fuzz_ga_file_LDFLAGS = $(FUZZ_LDFLAGS)
FUZZ_TARGETS += %reldir%/fuzz_oath_file
%canon_reldir%_fuzz_oath_file_LDFLAGS = $(FUZZ_LDFLAGS)
FUZZ_TARGETS += %reldir%/fuzz_catalog
%canon_reldir%_fuzz_catalog_LDFLAGS = $(FUZZ_LDFLAGS)
# a whole login over an in-memory store, its faults from the input
FUZZ_TARGETS += %reldir%/fuzz_login
%canon_reldir%_fuzz_login_SOURCES = %reldir%/fuzz_login.c %reldir%/mem_store.c %reldir%/mem_store.h
%canon_reldir%_fuzz_login_LDFLAGS = $(FUZZ_LDFLAGS)

if FUZZING
check_PROGRAMS += $(FUZZ_TARGETS)
endif
fuzz-targets: $(FUZZ_TARGETS)
print-fuzz-targets:
	@echo $(FUZZ_TARGETS)
.PHONY: fuzz-targets print-fuzz-targets
EXTRA_DIST += \
	%reldir%/fuzz_record.dict \
	%reldir%/fuzz_record.seed \
	%reldir%/fuzz_record_removed.seed \
	%reldir%/fuzz_record_pending.seed \
	%reldir%/fuzz_ga_file.seed \
	%reldir%/fuzz_oath_file.seed \
	%reldir%/fuzz_catalog.dict \
	%reldir%/fuzz_login.seed \
	%reldir%/fuzz_login_removed.seed \
	%reldir%/fuzz_login_pending.seed \
	%reldir%/fuzz_login_resync.seed \
	%reldir%/fuzz_login_none.seed \
	%reldir%/fuzz_login_torn.seed \
	%reldir%/fuzz_login.dict
