/* Enrolment at login shows a new secret to whoever sits at the prompt, and
 * whoever confirms it holds the user's second factor from then on. So it
 * must only happen after the first factor has passed, and the order of
 * the stack cannot be trusted for that: behind `auth required pam_unix.so`
 * (not requisite) a wrong password goes on to pam_totp. Linux-PAM tells a
 * module nothing of the verdicts before it, so the module looks for what
 * a passed first factor leaves in the PAM handle, which only the modules
 * of the stack and the application can write, never the person at the
 * prompt:
 *
 *   - pam_unix records its own verdict in the handle as the data item
 *     "unix_setcred_return" (it reads it back in pam_sm_setcred); it is
 *     rewritten each time pam_unix authenticates, so a later wrong
 *     password replaces an earlier right one;
 *   - sshd puts the methods that already succeeded into the PAM
 *     environment as SSH_AUTH_INFO_0 before keyboard-interactive runs: a
 *     line "publickey ..." is a key sshd verified (AuthenticationMethods
 *     publickey,keyboard-interactive). The PAM environment is the
 *     application's and the modules'; a client cannot put anything there
 *     before it is authenticated.
 *
 * Anything else (no password module before, one that failed, another
 * password module that leaves no trace) refuses enrolment: the user is
 * then treated as without enroll=prompt, and the log line says why. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <security/pam_ext.h>

#include "enroll_evidence.h"

/* the data item pam_unix keeps its authentication verdict in */
#define PAM_UNIX_VERDICT "unix_setcred_return"

static int
pam_unix_passed(pam_handle_t *pamh)
{
	const void *data = NULL;

	return pam_get_data(pamh, PAM_UNIX_VERDICT, &data) == PAM_SUCCESS && data != NULL &&
	       *(const int *)data == PAM_SUCCESS;
}

/* SSH_AUTH_INFO_0: one line per method that succeeded, "METHOD DETAILS" */
static int
ssh_key_passed(pam_handle_t *pamh)
{
	const char *info = pam_getenv(pamh, "SSH_AUTH_INFO_0");

	for (const char *line = info; line != NULL && *line != '\0';) {
		if (strncmp(line, "publickey ", 10) == 0)
			return 1;
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return 0;
}

int
enroll_first_factor_passed(pam_handle_t *pamh, const char **what, char *why, size_t why_size)
{
	if (pam_unix_passed(pamh)) {
		*what = "password checked by pam_unix";
		return 1;
	}
	if (ssh_key_passed(pamh)) {
		*what = "SSH key checked by sshd";
		return 1;
	}
	snprintf(why, why_size, "no proof that the first factor passed in this login (neither "
		 "pam_unix accepted the password before pam_totp nor sshd a key)");
	return 0;
}
