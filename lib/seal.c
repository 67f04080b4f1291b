/* AES-256-GCM sealing of the PostgreSQL store's secret part (seal.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "seal.h"
#include "secure.h"

#define NONCE_BYTES 12
#define TAG_BYTES 16
#define KEY_FILE_CHARS (2 * SEAL_KEY_BYTES)

static const char hexdigits[] = "0123456789abcdef";

/* The key id: the first 8 bytes of SHA-256("pam_totp key id" NUL key). */
static int
key_id(struct seal_key *k)
{
	static const char label[] = "pam_totp key id";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, label, sizeof(label)) == 1 &&
		 EVP_DigestUpdate(ctx, k->key, SEAL_KEY_BYTES) == 1 &&
		 EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen >= SEAL_KEY_ID_CHARS / 2;

	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (int i = 0; i < SEAL_KEY_ID_CHARS / 2; i++) {
		k->id[2 * i] = hexdigits[md[i] >> 4];
		k->id[2 * i + 1] = hexdigits[md[i] & 15];
	}
	k->id[SEAL_KEY_ID_CHARS] = '\0';
	return 0;
}

void
seal_key_wipe(struct seal_key *k)
{
	secure_wipe(k, sizeof(*k));
}

int
seal_key_load(const char *path, struct seal_key *k, char *err, size_t err_size)
{
	char buf[KEY_FILE_CHARS + 2];
	struct stat st;
	unsigned char *raw = NULL;
	long raw_len = 0;
	ssize_t n = -1;
	int fd, rc = -1;

	memset(k, 0, sizeof(*k));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, err_size, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) != 0) {
		snprintf(err, err_size, "key file %s: refused: it must be a regular file owned "
			 "by root with mode 0600 or 0400", path);
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n != KEY_FILE_CHARS + 1 || buf[KEY_FILE_CHARS] != '\n') {
		snprintf(err, err_size, "key file %s: not one line of %d hex digits", path,
			 KEY_FILE_CHARS);
		goto out;
	}
	buf[KEY_FILE_CHARS] = '\0';
	raw = strchr(buf, ':') == NULL ? OPENSSL_hexstr2buf(buf, &raw_len) : NULL;
	if (raw == NULL || raw_len != SEAL_KEY_BYTES) {
		snprintf(err, err_size, "key file %s: not one line of %d hex digits", path,
			 KEY_FILE_CHARS);
		goto out;
	}
	memcpy(k->key, raw, SEAL_KEY_BYTES);
	if (key_id(k) != 0) {
		snprintf(err, err_size, "key file %s: cannot compute its key id", path);
		goto out;
	}
	rc = 0;
out:
	secure_wipe(buf, sizeof(buf));
	if (raw != NULL)
		OPENSSL_clear_free(raw, (size_t)raw_len);
	if (rc != 0)
		seal_key_wipe(k);
	close(fd);
	return rc;
}

int
seal_key_create(const char *path, char *err, size_t err_size)
{
	unsigned char key[SEAL_KEY_BYTES];
	char text[KEY_FILE_CHARS + 1];
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return 1;
		snprintf(err, err_size, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (secure_random(key, sizeof(key)) != 0) {
		snprintf(err, err_size, "key file %s: no random bytes", path);
		goto out;
	}
	for (int i = 0; i < SEAL_KEY_BYTES; i++) {
		text[2 * i] = hexdigits[key[i] >> 4];
		text[2 * i + 1] = hexdigits[key[i] & 15];
	}
	text[KEY_FILE_CHARS] = '\n';
	if (write(fd, text, sizeof(text)) != (ssize_t)sizeof(text) || fsync(fd) != 0) {
		snprintf(err, err_size, "key file %s: cannot write it: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	secure_wipe(key, sizeof(key));
	secure_wipe(text, sizeof(text));
	if (close(fd) != 0 && rc == 0) {
		snprintf(err, err_size, "key file %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(path);
	return rc;
}

int
seal_is_sealed(const char *text)
{
	return strncmp(text, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0;
}

int
seal_by_key(const struct seal_key *k, const char *text)
{
	size_t head = strlen(SEAL_PREFIX);

	return seal_is_sealed(text) && strncmp(text + head, k->id, SEAL_KEY_ID_CHARS) == 0 &&
	       text[head + SEAL_KEY_ID_CHARS] == ':';
}

/* The additional data: the prefix, the key id, ':', the user name. */
static int
add_aad(EVP_CIPHER_CTX *ctx, const char *id, const char *user)
{
	int n;

	return EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)SEAL_PREFIX,
				(int)strlen(SEAL_PREFIX)) == 1 &&
	       EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)id, SEAL_KEY_ID_CHARS) == 1 &&
	       EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)":", 1) == 1 &&
	       EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)user,
				(int)strlen(user)) == 1;
}

int
seal_text(const struct seal_key *k, const char *user, const char *plain, size_t len,
	  char **out, char *err, size_t err_size)
{
	size_t raw_len = NONCE_BYTES + len + TAG_BYTES, head = strlen(SEAL_PREFIX) +
		SEAL_KEY_ID_CHARS + 1;
	unsigned char *raw = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	int n, fin, rc = -1;

	*out = NULL;
	if (len > 65536 || strlen(user) > 65536) {
		snprintf(err, err_size, "seal: value too long");
		return -1;
	}
	raw = malloc(raw_len);
	*out = malloc(head + 4 * ((raw_len + 2) / 3) + 1);
	ctx = EVP_CIPHER_CTX_new();
	if (raw == NULL || *out == NULL || ctx == NULL) {
		snprintf(err, err_size, "seal: out of memory");
		goto out;
	}
	if (secure_random(raw, NONCE_BYTES) != 0 ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, k->key, raw) != 1 ||
	    !add_aad(ctx, k->id, user) ||
	    EVP_EncryptUpdate(ctx, raw + NONCE_BYTES, &n, (const unsigned char *)plain,
			      (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, raw + NONCE_BYTES + n, &fin) != 1 ||
	    (size_t)(n + fin) != len ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_BYTES,
				raw + NONCE_BYTES + len) != 1) {
		snprintf(err, err_size, "seal: encryption failed");
		goto out;
	}
	snprintf(*out, head + 1, "%s%s:", SEAL_PREFIX, k->id);
	EVP_EncodeBlock((unsigned char *)*out + head, raw, (int)raw_len);
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(raw);  /* the ciphertext and nonce: nothing secret */
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int
seal_open(const struct seal_key *k, const char *user, const char *sealed, char **plain,
	  size_t *len, char *err, size_t err_size)
{
	size_t head = strlen(SEAL_PREFIX) + SEAL_KEY_ID_CHARS + 1, b64_len, raw_len, ct_len;
	const char *id = sealed + strlen(SEAL_PREFIX), *b64 = sealed + head;
	unsigned char *raw = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	int n, fin, dec, rc = -1;

	*plain = NULL;
	*len = 0;
	if (!seal_is_sealed(sealed) || strlen(sealed) < head || sealed[head - 1] != ':') {
		snprintf(err, err_size, "sealed value: not in the sealed format");
		return -1;
	}
	if (memcmp(id, k->id, SEAL_KEY_ID_CHARS) != 0) {
		snprintf(err, err_size, "sealed value: sealed under key %.*s, this host's key "
			 "is %s", SEAL_KEY_ID_CHARS, id, k->id);
		return -1;
	}
	b64_len = strlen(b64);
	if (b64_len == 0 || b64_len % 4 != 0 || b64_len > 4 * 65536) {
		snprintf(err, err_size, "sealed value: damaged");
		return -1;
	}
	raw = malloc(b64_len / 4 * 3);
	ctx = EVP_CIPHER_CTX_new();
	if (raw == NULL || ctx == NULL) {
		snprintf(err, err_size, "sealed value: out of memory");
		goto out;
	}
	dec = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)b64_len);
	/* EVP_DecodeBlock counts the padding's zero bytes */
	raw_len = dec < 0 ? 0 : (size_t)dec - (b64[b64_len - 1] == '=') -
		  (b64[b64_len - 2] == '=');
	if (dec < 0 || raw_len < NONCE_BYTES + TAG_BYTES) {
		snprintf(err, err_size, "sealed value: damaged");
		goto out;
	}
	ct_len = raw_len - NONCE_BYTES - TAG_BYTES;
	*plain = malloc(ct_len + 1);
	if (*plain == NULL) {
		snprintf(err, err_size, "sealed value: out of memory");
		goto out;
	}
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, k->key, raw) != 1 ||
	    !add_aad(ctx, k->id, user) ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)*plain, &n, raw + NONCE_BYTES,
			      (int)ct_len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_BYTES,
				raw + NONCE_BYTES + ct_len) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)*plain + n, &fin) != 1) {
		snprintf(err, err_size, "sealed value: does not open for this user with this "
			 "key (moved from another user's row, damaged or forged)");
		secure_wipe(*plain, ct_len + 1);
		goto out;
	}
	(*plain)[n + fin] = '\0';
	*len = (size_t)(n + fin);
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(raw);
	if (rc != 0) {
		free(*plain);
		*plain = NULL;
	}
	return rc;
}
