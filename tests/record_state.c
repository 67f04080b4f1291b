/* Print the state a record parses to, for tests: what the next login
 * would start from, whichever slot holds it.
 *
 * usage: record_state PATH
 * prints "seq=N last=N skew=N failures=N locked=N resync=N recovery=N"
 * and exits 0, or prints the parse error and exits 1. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "record.h"

int
main(int argc, char **argv)
{
	static char buf[RECORD_MAX_BYTES + 2];
	struct totp_record rec;
	char err[256];
	size_t len;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: record_state PATH\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (record_parse(buf, len, &rec, err, sizeof(err)) != 0) {
		printf("malformed: %s\n", err);
		return 1;
	}
	printf("seq=%llu last=%lld skew=%d failures=%u locked=%lld resync=%lld recovery=%zu\n",
	       (unsigned long long)rec.state.seq, (long long)rec.state.last_step,
	       (int)rec.state.skew, (unsigned)rec.state.failures,
	       (long long)rec.state.locked_until, (long long)rec.state.resync_step,
	       rec.recovery_count);
	record_wipe(&rec);
	return 0;
}
