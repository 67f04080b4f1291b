/* What the benchmark's drivers (pam_bench, pam_cold) share.
 *
 * The fake wall clock: linked into each driver and exported from it
 * (-export-dynamic), so that the modules' calls of time(), gettimeofday()
 * and clock_gettime() resolve to it and see the time the driver sets.
 * Monotonic clocks are left alone. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdint.h>
#include <time.h>

#include <security/pam_appl.h>

extern int64_t fake_now; /* < 0: the real clock */

/* the real clock_gettime, past the fake one */
int real_gettime(clockid_t clk, struct timespec *ts);
/* CLOCK_MONOTONIC in nanoseconds: comparable across processes */
int64_t mono_ns(void);

/* The conversation: every prompt is answered with appdata, a string. */
int bench_converse(int num, const struct pam_message **msg, struct pam_response **resp,
		   void *appdata);

/* The call callgrind counts (--toggle-collect=counted_authenticate): a
 * bare pam_authenticate, from counted logins only. */
int counted_authenticate(pam_handle_t *pamh) __attribute__((noinline));

#endif
