/* Write a user record for tests and the benchmark, through the same
 * formatter and store as the real tools.
 *
 * usage: make_record [-a ALG] [-d DIGITS] [-p PERIOD] [-r N] [-i ITER]
 *                    [-o UID:GID] [-s FAILURES] [-f] PATH BASE32SECRET
 * -r N makes N recovery codes and prints them one per line. -f replaces an
 * existing record. -s starts the record with that many failures (a user at
 * the failure ceiling without a hundred logins). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base32.h"
#include "recovery.h"
#include "secure.h"
#include "store.h"

int
main(int argc, char **argv)
{
	struct totp_record rec;
	char codes[RECORD_RECOVERY_MAX][RECOVERY_CODE_SIZE], err[512];
	unsigned n_recovery = 0, iterations = 1000;
	uid_t uid = getuid();
	gid_t gid = getgid();
	int opt, replace = 0, rc = 1;

	memset(&rec, 0, sizeof(rec));
	record_state_init(&rec.state);
	rec.alg = OTP_ALG_SHA1;
	rec.digits = 6;
	rec.period = 30;
	rec.created = (int64_t)time(NULL);
	while ((opt = getopt(argc, argv, "a:d:p:r:i:o:s:f")) != -1) {
		switch (opt) {
		case 'a':
			if (otp_alg_from_name(optarg, &rec.alg) != 0)
				return 2;
			break;
		case 'd': rec.digits = (unsigned)atoi(optarg); break;
		case 'p': rec.period = (unsigned)atoi(optarg); break;
		case 'r': n_recovery = (unsigned)atoi(optarg); break;
		case 'i': iterations = (unsigned)atoi(optarg); break;
		case 'o':
			if (sscanf(optarg, "%u:%u", &uid, &gid) != 2)
				return 2;
			break;
		case 's': rec.state.failures = (uint32_t)atoi(optarg); break;
		case 'f': replace = 1; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || n_recovery > RECORD_RECOVERY_MAX) {
		fprintf(stderr, "usage: make_record [-a ALG] [-d DIGITS] [-p PERIOD] [-r N] [-i ITER] [-o UID:GID] [-s FAILURES] [-f] PATH BASE32\n");
		return 2;
	}
	if (base32_decode(argv[optind + 1], rec.secret, sizeof(rec.secret), &rec.secret_len) != 0) {
		fprintf(stderr, "make_record: bad base32 secret\n");
		goto out;
	}
	if (n_recovery > 0 && recovery_generate(&rec, n_recovery, iterations, codes) != 0) {
		fprintf(stderr, "make_record: cannot make recovery codes\n");
		goto out;
	}
	if (store_file_create(argv[optind], &rec, uid, gid, replace, err, sizeof(err)) != 0) {
		fprintf(stderr, "make_record: %s\n", err);
		goto out;
	}
	for (unsigned i = 0; i < n_recovery; i++)
		printf("%s\n", codes[i]);
	rc = 0;
out:
	secure_wipe(codes, sizeof(codes));
	record_wipe(&rec);
	return rc;
}
