/* The limits of enrolment at first login: deadline, networks, services. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "enroll_limits.h"
#include "text.h"

#define ENTRY_MAX 64  /* the longest IPv6 text with a prefix is 49 */

int
enroll_parse_until(const char *date, int64_t *end)
{
	struct tm tm;
	unsigned y, m, d;
	char tail;
	time_t t;

	if (strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
	    sscanf(date, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
	    y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9'))
			return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = 12;  /* midday: a day whose midnight a DST change skips is still found */
	tm.tm_isdst = -1;
	if (mktime(&tm) == (time_t)-1 || tm.tm_mday != (int)d || tm.tm_mon != (int)m - 1)
		return -1;  /* 31 April and the like */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d + 1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*end = (int64_t)t;
	return 0;
}

/* One network: its address bytes (4 or 16) and prefix length. */
struct network {
	unsigned char addr[16];
	int len;      /* 4 or 16 */
	unsigned prefix;
};

/* An address as bytes; an IPv4-mapped IPv6 address becomes IPv4. */
static int
parse_addr(const char *text, unsigned char out[16], int *len)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (inet_pton(AF_INET, text, out) == 1) {
		*len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out) != 1)
		return -1;
	if (memcmp(out, mapped, sizeof(mapped)) == 0) {
		memmove(out, out + 12, 4);
		*len = 4;
	} else {
		*len = 16;
	}
	return 0;
}

static int
parse_network(const char *entry, struct network *n)
{
	char text[ENTRY_MAX], *slash;

	if (snprintf(text, sizeof(text), "%s", entry) >= (int)sizeof(text))
		return -1;
	slash = strchr(text, '/');
	if (slash != NULL)
		*slash = '\0';
	if (parse_addr(text, n->addr, &n->len) != 0)
		return -1;
	n->prefix = (unsigned)n->len * 8;
	if (slash != NULL && text_parse_unsigned(slash + 1, 0, n->prefix, &n->prefix) != 0)
		return -1;
	return 0;
}

static int
network_contains(const struct network *n, const unsigned char *addr, int len)
{
	unsigned full = n->prefix / 8, bits = n->prefix % 8;

	if (len != n->len || memcmp(n->addr, addr, full) != 0)
		return 0;
	if (bits == 0)
		return 1;
	return ((n->addr[full] ^ addr[full]) & (0xff << (8 - bits)) & 0xff) == 0;
}

/* Call fn for each entry of the comma-separated list (blanks around an
 * entry ignored); stops at the first non-zero return and returns it. An
 * empty entry gives fn an empty string. */
static int
each_entry(const char *list, int (*fn)(const char *entry, void *arg), void *arg)
{
	const char *p = list;

	for (;;) {
		char entry[ENTRY_MAX];
		const char *end = strchr(p, ',');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
		int r;

		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n >= sizeof(entry))
			n = sizeof(entry) - 1;  /* too long for any address: fails to parse */
		memcpy(entry, p, n);
		entry[n] = '\0';
		r = fn(entry, arg);
		if (r != 0)
			return r;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

struct check_arg {
	char *err;
	size_t err_size;
};

static int
check_one(const char *entry, void *arg)
{
	struct check_arg *a = arg;
	struct network n;

	if (parse_network(entry, &n) == 0)
		return 0;
	text_error(a->err, a->err_size, "enroll_from: '%s' is not an address or network "
		   "(like 192.0.2.0/24 or 2001:db8::/32)", entry);
	return -1;
}

int
enroll_check_networks(const char *list, char *err, size_t err_size)
{
	struct check_arg a = { err, err_size };

	return each_entry(list, check_one, &a) != 0 ? -1 : 0;
}

struct match_arg {
	unsigned char addr[16];
	int len;
};

static int
match_one(const char *entry, void *arg)
{
	struct match_arg *a = arg;
	struct network n;

	return parse_network(entry, &n) == 0 && network_contains(&n, a->addr, a->len);
}

int
enroll_in_networks(const char *list, const char *addr)
{
	struct match_arg a;

	if (addr == NULL || parse_addr(addr, a.addr, &a.len) != 0)
		return 0;
	return each_entry(list, match_one, &a) == 1;
}

struct name_arg {
	const char *name;
};

static int
same_name(const char *entry, void *arg)
{
	return strcmp(entry, ((struct name_arg *)arg)->name) == 0;
}

int
enroll_allowed(const struct totp_config *cfg, const char *service, const char *rhost,
	      int64_t now, char *why, size_t why_size)
{
	if (!cfg->enroll_prompt) {
		snprintf(why, why_size, "enroll=prompt is not set");
		return 0;
	}
	/* the default file is read by every stack that names pam_totp.so,
	 * sudo's and su's too: enrolment from there must name its services */
	if (cfg->enroll_in_shared_file && cfg->enroll_services[0] == '\0') {
		snprintf(why, why_size, "enroll=prompt in the shared config file would reach every "
			 "PAM stack: it needs enroll_services= (or enroll=prompt on the module line)");
		return 0;
	}
	if (cfg->enroll_until[0] != '\0' && now >= cfg->enroll_deadline) {
		snprintf(why, why_size, "enroll_until=%s has passed", cfg->enroll_until);
		return 0;
	}
	if (cfg->enroll_from[0] != '\0' &&
	    (rhost == NULL || !enroll_in_networks(cfg->enroll_from, rhost))) {
		snprintf(why, why_size, "the remote host is not in enroll_from");
		return 0;
	}
	struct name_arg svc = { service };

	if (cfg->enroll_services[0] != '\0' &&
	    (service == NULL || each_entry(cfg->enroll_services, same_name, &svc) != 1)) {
		snprintf(why, why_size, "the service is not in enroll_services");
		return 0;
	}
	return 1;
}
