/* Preloaded into the system tests' sshd: libpam's wait after a failed
 * login returns at once. libpam waits with select() on no descriptors
 * (the delay pam_unix and pam_totp ask for with pam_fail_delay, 2 s and
 * more); sshd, unlike the tests' own driver, sets no PAM_FAIL_DELAY
 * function, so every wrong password would cost the test two seconds of
 * waiting for nothing. A select() that watches a descriptor is passed on.
 * That the module asks for the delay is tests/pam_fail_delay.sh's to show.
 * Never built into anything that is installed. */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <sys/select.h>

int
select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout)
{
	static int (*real_select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);

	if (nfds == 0 && readfds == NULL && writefds == NULL && exceptfds == NULL)
		return 0; /* a pure sleep: the time is up */
	if (real_select == NULL)
		real_select = (int (*)(int, fd_set *, fd_set *, fd_set *, struct timeval *))
			dlsym(RTLD_NEXT, "select");
	return real_select(nfds, readfds, writefds, exceptfds, timeout);
}
