/* totp-admin check: what a login will use, read the way libpam, the
 * module and sshd read it, and each danger named with its file and line
 * and the fix. One file per part:
 *   admin_check.c        the run: findings, their text and JSON, the exit
 *   admin_check_pam.c    the PAM stacks: includes, substacks and jumps as
 *                        libpam follows them, and each pam_totp line's options
 *   admin_check_files.c  the configuration file, the record store, the key
 *                        file and the PostgreSQL plugin
 *   admin_check_sshd.c   sshd's settings: sshd -T, or a config file
 * Every name and path that goes into a finding is escaped (text_escape):
 * a file name in /etc/pam.d cannot write to the terminal. */
#ifndef PAM_TOTP_ADMIN_CHECK_H
#define PAM_TOTP_ADMIN_CHECK_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "admin.h"
#include "conf.h"

enum check_severity { CHECK_WARNING, CHECK_DANGER };

/* One finding; file, message and fix hold escaped text only. */
struct check_finding {
	char file[PATH_MAX];
	int line;                    /* 0: the file as a whole */
	enum check_severity severity;
	const char *rule;
	char message[2048];
	char fix[1024];
	char services[512];          /* the PAM services it concerns, ", " between */
	size_t order;                /* when it was made */
};

/* A configuration file as the pam_totp lines use it: whether it loads and
 * the line that sets each option, for the findings' FILE:LINE. */
struct check_conf {
	char path[PATH_MAX];
	int exists;
	int error_line;              /* the line config_apply refuses; 0: none */
	char error_word[64];         /* that line's option name */
	char error[512];             /* and why */
	struct { char name[32]; int line; } set[64];
	size_t n_set;
};

struct check_run {
	const struct admin_check_opts *opts;
	int64_t now;
	struct check_finding *findings;
	size_t n_findings, cap_findings;
	struct check_conf *confs;
	size_t n_confs;
	/* what the PAM part found that sshd's settings are judged against */
	int sshd_totp;               /* the sshd stack runs a pam_totp line */
	int sshd_enroll;              /* ... one that enrols (enroll=prompt, for sshd) */
	char sshd_enroll_at[PATH_MAX + 32];   /* FILE:LINE of enroll=prompt (escaped) */
	int sshd_code_alone;         /* ... one reached with no password module before it */
	char sshd_code_alone_at[PATH_MAX + 32]; /* FILE:LINE of that pam_totp line (escaped) */
	int n_services;              /* services whose stacks run pam_totp */
};

/* admin_check.c */
/* Add a finding; message and fix are printf formats whose arguments are
 * already escaped (check_esc). A finding equal to one already made (same
 * place, rule and text) only adds service to it. */
void check_add(struct check_run *r, enum check_severity sev, const char *rule,
	       const char *file, int line, const char *service, const char *fix,
	       const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* s escaped for a finding (text_escape), in one of a few rotating
 * buffers: valid until eight more calls. */
const char *check_esc(const char *s);
/* "FILE:LINE" (or "FILE" for line 0), escaped, in a rotating buffer. */
const char *check_at(const char *file, int line);
/* A file to read, when it is a regular file (a FIFO in its place must not
 * hang the check); NULL with errno set otherwise. */
FILE *check_open(const char *path);

/* admin_check_pam.c: every service file of the PAM directory that runs
 * pam_totp.so; -1 when the directory cannot be read (after a message). */
int check_pam(struct check_run *r);

/* admin_check_files.c */
/* The configuration file at path (cached): loaded and scanned once. */
const struct check_conf *check_conf_get(struct check_run *r, const char *path);
/* The line of c that sets option name (the last one), or 0. */
int check_conf_line(const struct check_conf *c, const char *name);
/* The configuration file alone (explicit_path: it must exist, as a conf=
 * file must): the findings about it, for service (NULL: none). -1 when it
 * does not load by itself, 0 when it does. */
int check_conf_file(struct check_run *r, const char *path, int explicit_path,
		    const char *service);
/* A configuration that loaded: its record store or, with
 * store=postgresql, the key files and the plugin beside module (the
 * module path of the PAM line). file and line: the PAM line. */
void check_store(struct check_run *r, const struct totp_config *cfg, const char *module,
		 const char *file, int line, const char *service);

/* admin_check_sshd.c: sshd's settings, when the sshd stack runs pam_totp. */
void check_sshd(struct check_run *r);

#endif
