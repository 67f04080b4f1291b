/* A stand-in for pam_unix in tests that cannot know a password (pam_wrapper
 * runs the stack as root, for root). It records a first-factor verdict in
 * the PAM handle where pam_unix records its own, the data item
 * "unix_setcred_return", and returns it: PAM_SUCCESS, or PAM_AUTH_ERR with
 * the argument "fail". pam_module/enroll_evidence.c reads that item; the
 * real pam_unix writes it in tests/system_enroll.sh. */
#include <stdlib.h>
#include <string.h>

#include <security/pam_modules.h>

static void
free_verdict(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	free(data);
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	int *verdict = malloc(sizeof(*verdict));

	(void)flags;
	if (verdict == NULL)
		return PAM_BUF_ERR;
	*verdict = argc > 0 && strcmp(argv[0], "fail") == 0 ? PAM_AUTH_ERR : PAM_SUCCESS;
	if (pam_set_data(pamh, "unix_setcred_return", verdict, free_verdict) != PAM_SUCCESS) {
		free(verdict);
		return PAM_SYSTEM_ERR;
	}
	return *verdict;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
