/* For the LD_PRELOAD test libraries (tests/shims/fault_shim.c,
 * tests/shims/powercut_recorder.c): REAL(name) in a wrapper of a libc call
 * declares `real`, the next definition of name (libc's), found once. A
 * call missing from libc ends the program with a line on stderr: a
 * wrapper that silently did nothing would hide what the test looks for. */
#ifndef PRELOAD_NEXT_H
#define PRELOAD_NEXT_H

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

static void *
preload_next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		static const char msg[] = "preload library: a wrapped call is missing from libc\n";

		(void)syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		abort();
	}
	return f;
}

#define REAL(name) \
	static __typeof__(name) *real; \
	if (real == NULL) \
		real = (__typeof__(name) *)preload_next(#name)

#endif
