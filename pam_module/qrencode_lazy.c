/* libqrencode, loaded by pam_totp.so when it first draws a QR code.
 *
 * Only enrolment at login (enroll=prompt) draws one, but libpam loads the
 * module for every transaction of every service that names it: linked,
 * libqrencode (and the libpthread it needs) was mapped, bound (-z now) and
 * unmapped again at every sshd connection and sudo prompt of every user
 * (what that cost: README, "Benchmark", figures 8 and 9). So the module
 * defines the two libqrencode functions lib/qr_term.c calls, local to the
 * module like every symbol but pam_sm_*, and they load the library on the
 * first call. totp-enroll links it as usual.
 *
 * dlopen finds QRENCODE_SONAME (the name configure read from the library
 * it built against) where the dynamic loader would have found it for a
 * link, and the handle is kept, as for the PostgreSQL plugin: the next
 * load of pam_totp.so in the same process finds the library loaded. A
 * library that cannot be loaded makes QRcode_encodeString fail (errno
 * ENOSYS): the enrolment shows the key without the QR code and logs why. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include <qrencode.h>

#include "qrencode_lazy.h"

typedef QRcode *encode_string_fn(const char *, int, QRecLevel, QRencodeMode, int);
typedef void code_free_fn(QRcode *);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static encode_string_fn *encode_string; /* set once, by load */
static code_free_fn *code_free;
static char load_error[256];

static void
load(void)
{
	void *handle = dlopen(QRENCODE_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (handle == NULL) {
		why = dlerror();
		snprintf(load_error, sizeof(load_error), "cannot load %s: %s", QRENCODE_SONAME,
			 why != NULL ? why : "?");
		return;
	}
	/* POSIX's way to a function pointer from dlsym's void pointer */
	*(void **)&encode_string = dlsym(handle, "QRcode_encodeString");
	*(void **)&code_free = dlsym(handle, "QRcode_free");
	if (encode_string == NULL || code_free == NULL) {
		snprintf(load_error, sizeof(load_error), "%s has no QRcode_encodeString or "
			 "QRcode_free", QRENCODE_SONAME);
		encode_string = NULL;
		code_free = NULL;
		dlclose(handle);
	}
}

const char *
qrencode_lazy_error(void)
{
	return load_error[0] != '\0' ? load_error : NULL;
}

QRcode *
QRcode_encodeString(const char *string, int version, QRecLevel level, QRencodeMode hint,
		    int casesensitive)
{
	pthread_once(&load_once, load);
	if (encode_string == NULL) {
		errno = ENOSYS;
		return NULL;
	}
	return encode_string(string, version, level, hint, casesensitive);
}

void
QRcode_free(QRcode *qrcode)
{
	/* only a code QRcode_encodeString made comes here: loaded by then */
	if (qrcode != NULL && code_free != NULL)
		code_free(qrcode);
}
