/* The limits an administrator puts on enrolment at first login
 * (enroll=prompt): a deadline (enroll_until=), the networks a login may
 * come from (enroll_from=) and the services (enroll_services=). Pure
 * functions of the configuration, the login's service and remote host and
 * the time: the module asks, logs the reason, and writes nothing when
 * refused. */
#ifndef PAM_TOTP_ENROLL_LIMITS_H
#define PAM_TOTP_ENROLL_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/* conf.c checks enroll_until= and enroll_from= with the parsers below, so
 * this header does not include conf.h: the options are only named here. */
struct totp_config;

/* enroll_until=YYYY-MM-DD: the first second after that day, local time,
 * in *end. 0, or -1 for anything but a real date in that form. */
int enroll_parse_until(const char *date, int64_t *end);

/* enroll_from=: networks separated by commas, each an IPv4 or IPv6
 * address with an optional /PREFIX (none: that one address). 0 when the
 * whole list is well-formed, else -1 with the bad entry named in err. */
int enroll_check_networks(const char *list, char *err, size_t err_size);

/* 1 when addr (a numeric IPv4 or IPv6 address; an IPv4-mapped IPv6
 * address counts as its IPv4 one) lies in one of the list's networks; 0
 * otherwise, also for a host name or an empty addr. */
int enroll_in_networks(const char *list, const char *addr);

/* 1 when the login may enrol: enroll=prompt, before the deadline, from a
 * listed network (when enroll_from= is set: a login without a remote
 * address, sudo at a console, is then refused), through a listed service
 * (when enroll_services= is set). 0 with the reason in why (for the log)
 * otherwise. */
int enroll_allowed(const struct totp_config *cfg, const char *service, const char *rhost,
		  int64_t now, char *why, size_t why_size);

#endif
