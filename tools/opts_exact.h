/* Long options matched exactly, in both tools. getopt_long takes any
 * unambiguous prefix ("--secret" for "--secret-path"); a typo or a
 * shortened name must be an error instead, since a guessed option can
 * act on the wrong record. */
#ifndef PAM_TOTP_OPTS_EXACT_H
#define PAM_TOTP_OPTS_EXACT_H

#include <getopt.h>

/* Check every "--name" or "--name=value" in argv (up to a "--") against
 * the table by its full name, skipping the value of an option that takes
 * one as the next argument. 0 when all are exact; -1 after telling prog's
 * user which one is not. */
int opts_exact_check(const char *prog, int argc, char **argv, const struct option *table);

#endif
