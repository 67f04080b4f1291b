/* Print the module's table of log reasons (pam_module/log_reason.h), one
 * a line: ID, syslog priority (a number), "guess" or "-", fixed text,
 * separated by tabs. tests/fail2ban_filter.sh checks against it that
 * every reason was logged by a case of its own and that the fail2ban
 * filter matches exactly the guesses. */
#include "config.h"

#include <stdio.h>

#include "log_reason.h"

int
main(void)
{
	for (int r = 0; r < LR_COUNT; r++)
		printf("%s\t%d\t%s\t%s\n", log_reasons[r].id, log_reasons[r].priority,
		       log_reasons[r].guess ? "guess" : "-", log_reasons[r].text);
	return ferror(stdout) ? 1 : 0;
}
