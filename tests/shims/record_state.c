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
	char err[256], value[24];
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
	/* each field of the state by its label (TOTP_STATE_FIELDS) */
#define PRINT(name, type, label, ...) \
	RECORD_FIELD_TEXT(value, sizeof(value), rec.state.name); \
	printf("%s=%s ", label, value);
	TOTP_STATE_FIELDS(PRINT)
#undef PRINT
	printf("recovery=%zu\n", rec.recovery_count);
	record_wipe(&rec);
	return 0;
}
