/* Confirmation: the user types the code the app shows, proving the app
 * holds the secret before the record is written. The check accepts the
 * module's window around now, compared in constant time. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "enroll_secret.h"
#include "enroll.h"
#include "i18n.h"
#include "input.h"
#include "secure.h"

int
enroll_confirm(const struct totp_record *rec, unsigned window, int64_t *step)
{
	/* static: registered with the guard, so they must outlive this call */
	static char line[64], code[OTP_CODE_SIZE];
	int ret = ENROLL_EXIT_UNCONFIRMED, eof = 0;

	enroll_guard_wipe(line, sizeof(line));
	enroll_guard_wipe(code, sizeof(code));
	for (int tries = ENROLL_TRIES; tries > 0; tries--) {
		int r = enroll_prompt_line(_("Code from the app: "), line, sizeof(line));

		if (r < 0) {
			perror(_("totp-enroll: cannot read the code"));
			ret = ENROLL_EXIT_ERROR;
			break;
		}
		if (r == 0) {
			fputs(_("\ntotp-enroll: end of input: not enrolled, nothing was written.\n"),
			      stderr);
			eof = 1;
			break;
		}
		if (!input_totp_code(line, rec->digits, code)) {
			/* whole sentences, so a translation can order them its way */
			if (tries > 1)
				printf(P_("A code is %u digits. %d try left.\n",
					  "A code is %u digits. %d tries left.\n", tries - 1),
				       rec->digits, tries - 1);
			else
				printf(_("A code is %u digits.\n"), rec->digits);
		} else {
			r = enroll_code_matches(rec, (int64_t)time(NULL), window, code, step);
			if (r < 0) {
				fputs(_("totp-enroll: cannot compute codes\n"), stderr);
				ret = ENROLL_EXIT_ERROR;
				break;
			}
			if (r == 1) {
				ret = 0;
				break;
			}
			if (tries > 1)
				printf(P_("That code is not right. %d try left.\n",
					  "That code is not right. %d tries left.\n", tries - 1),
				       tries - 1);
			else
				puts(_("That code is not right."));
		}
	}
	if (ret == ENROLL_EXIT_UNCONFIRMED && !eof)
		fputs(_("totp-enroll: no right code: not enrolled, nothing was written.\n"), stderr);
	secure_wipe(line, sizeof(line));
	secure_wipe(code, sizeof(code));
	return ret;
}
