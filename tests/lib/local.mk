# tests/lib/: what the shell tests source or run beside themselves (TAP,
# the PAM, PostgreSQL, sshd and user environments, pty drivers). Nothing
# is built here; every file goes into the tarball.
EXTRA_DIST += \
	%reldir%/tap.sh \
	%reldir%/totp_code.sh \
	%reldir%/pam_env.sh \
	%reldir%/enroll_login.sh \
	%reldir%/pg_env.sh \
	%reldir%/pg_tls.sh \
	%reldir%/nss_env.sh \
	%reldir%/admin_env.sh \
	%reldir%/admin_race_lib.sh \
	%reldir%/import_env.sh \
	%reldir%/enroll_env.sh \
	%reldir%/locale_env.sh \
	%reldir%/qr_lib.sh \
	%reldir%/tmux_env.sh \
	%reldir%/system_env.sh \
	%reldir%/sshd_env.sh \
	%reldir%/enroll_pty.py \
	%reldir%/term_screen.py \
	%reldir%/pty_answer.py
