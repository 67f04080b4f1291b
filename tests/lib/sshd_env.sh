# The system's real sshd on loopback, for the system tests: source after
# tests/lib/system_env.sh. It uses a PAM service file of the test's own: sshd
# before OpenSSH 10 takes the service name from the name it was started as,
# so it runs through a link of that name; OpenSSH 10 is told it with
# PAMServiceName. /etc/pam.d/sshd and the system's sshd_config are never
# touched.
#
#   start_sshd USER... [-- CONFIG-LINE...]
#                       sshd for these users, keyboard-interactive only
#                       (unless $sshd_methods says otherwise), with
#                       CONFIG-LINEs appended to its config; sets
#                       $service, $port, $sshd_pid
#   set_stack LINE...   the auth part of the service (account and session stay)
#   ssh_code USER [-a REGEX ANSWER]...  keyboard-interactive only, runs a
#                       command that prints "logged in as USER"
#   ssh_key USER [-a REGEX ANSWER]...   the key $T/client_key first
#   expect_in USER DESC / expect_out DESC   judge the last ssh run
system_require sshd ssh ssh-keygen

SSHD=$(command -v sshd)
service="sshd-pamtotp-test-$$"

set_stack() {
	pam_service "$service" "$note_service" "$@" \
		"account required pam_unix.so" "session required pam_unix.so"
}

start_sshd() {
	local users=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do users+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	# sshd insists on its privilege separation directory. It is left in
	# place (the openssh-server package makes it at every boot): a test
	# removing it at exit pulled it from under another system test's sshd.
	mkdir -p -m 755 /run/sshd || bail "cannot make /run/sshd"
	ln -s "$SSHD" "$T/$service"
	ssh-keygen -q -t ed25519 -N '' -C host -f "$T/host_key" || bail "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -C client -f "$T/client_key" || bail "ssh-keygen failed"
	# Options that only some releases know: the PAM service (OpenSSH 10,
	# Debian 13), and no penalty for the address after the failed logins
	# the tests make on purpose (PerSourcePenalties, OpenSSH 9.8 on).
	local only_some=()
	sshd_knows "PAMServiceName $service" && only_some+=("PAMServiceName $service")
	sshd_knows "PerSourcePenalties no" && only_some+=("PerSourcePenalties no")
	# a free port: bind to port 0, read it, let it go (sshd binds it next)
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	{
		cat <<-EOC
		ListenAddress 127.0.0.1
		Port $port
		HostKey $T/host_key
		PidFile $T/sshd.pid
		UsePAM yes
		$sshd_methods
		PubkeyAuthentication yes
		PermitRootLogin no
		AllowUsers ${users[*]}
		# no limit: a login on a loaded machine must not be cut off by
		# sshd's clock; pty_answer.py's deadline ends one that hangs
		LoginGraceTime 0
		MaxAuthTries 6
		UseDNS no
		PrintMotd no
		PrintLastLog no
		X11Forwarding no
		AllowTcpForwarding no
		EOC
		printf '%s\n' "${only_some[@]}" "$@"
	} >"$T/sshd_config"
	set_stack "auth requisite pam_deny.so"
	"$T/$service" -t -f "$T/sshd_config" >"$T/sshd_t.log" 2>&1 ||
		{ cat "$T/sshd_t.log"; bail "sshd -t refused the config"; }
	# -D: no daemon, so $! is sshd and the trap can end it; -e: log to
	# stderr. On the test clock (tests/lib/totp_code.sh): the shim reads it as
	# sshd starts, before sshd's PAM process empties its environment.
	# libpam's delay after a failure passes at once (tests/shims/nodelay_shim.c).
	# The module's log lines go to sshd.log too (tests/shims/syslog_shim.c).
	LD_PRELOAD="$TIME_SHIM:$top_builddir/tests/shims/.libs/libnodelayshim.so:$top_builddir/tests/shims/.libs/libsyslogshim.so" \
		"$T/$service" -D -e -f "$T/sshd_config" >"$T/sshd.log" 2>&1 &
	sshd_pid=$!
	at_exit "kill $sshd_pid; wait $sshd_pid"
	wait_for 60 "sshd listening on port $port" sshd_listens ||
		bail "sshd does not listen on port $port"
	ok "sshd runs as $service on 127.0.0.1:$port"
}
# sshd_knows "OPTION VALUE": this sshd accepts the option (an older one
# refuses an option it does not know)
sshd_knows() {
	"$SSHD" -T -f /dev/null -o "HostKey=$T/host_key" -o "${1/ /=}" >/dev/null 2>&1
}
sshd_listens() {
	kill -0 "$sshd_pid" 2>/dev/null || { cat "$T/sshd.log"; bail "sshd did not start"; }
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# the authentication methods of the test sshd; a test may set its own
# before start_sshd (tests/system_sshd_defaults.sh: Debian's defaults)
sshd_methods="KbdInteractiveAuthentication yes
PasswordAuthentication no
AuthenticationMethods keyboard-interactive"

SSH_OPTS=(-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o ConnectTimeout=120 -o NumberOfPasswordPrompts=1 -o BatchMode=no
	-o KbdInteractiveAuthentication=yes -o PasswordAuthentication=no -o IdentitiesOnly=yes)
# the client's own notices left out, unless SSH_LOG_LEVEL=INFO (ssh's
# default, at which it prints what sshd's PAM modules say, such as why a
# code was refused); SSH_LOCALE: the client's LC_ALL, when set
ssh_code() {
	local user=$1; shift
	answer "$@" -- /usr/bin/env -u SSH_AUTH_SOCK ${SSH_LOCALE:+LC_ALL="$SSH_LOCALE"} ssh "${SSH_OPTS[@]}" -p "$port" \
		-o LogLevel="${SSH_LOG_LEVEL:-ERROR}" \
		-o PubkeyAuthentication=no -o PreferredAuthentications=keyboard-interactive \
		"$user@127.0.0.1" 'echo "logged in as $(id -un)"'
}
# ssh_password USER PASSWORD: the password method alone, as a script or an
# SFTP client with a stored password logs in
ssh_password() {
	local user=$1
	answer -t 20 -a "password: ?" "$2" -- /usr/bin/env -u SSH_AUTH_SOCK ssh \
		-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o ConnectTimeout=10 -o NumberOfPasswordPrompts=1 -o BatchMode=no \
		-o PasswordAuthentication=yes -o KbdInteractiveAuthentication=no \
		-o PubkeyAuthentication=no -o PreferredAuthentications=password -p "$port" \
		-o LogLevel="${SSH_LOG_LEVEL:-ERROR}" "$user@127.0.0.1" 'echo "logged in as $(id -un)"'
}
ssh_key() {
	local user=$1; shift
	answer "$@" -- /usr/bin/env -u SSH_AUTH_SOCK ssh "${SSH_OPTS[@]}" -p "$port" \
		-o LogLevel="${SSH_LOG_LEVEL:-ERROR}" -i "$T/client_key" -o PubkeyAuthentication=yes \
		-o PreferredAuthentications=publickey,keyboard-interactive \
		"$user@127.0.0.1" 'echo "logged in as $(id -un)"'
}
expect_in() {
	if [ "$status" -eq 0 ] && grep -q "^logged in as $1" "$T/last.log"; then ok "$2"; else
		not_ok "$2 (ssh exit $status)"; show "$T/sshd.log"; fi
}
expect_out() {
	if [ "$status" -eq 255 ] && grep -q 'Permission denied' "$T/last.log" &&
		! grep -q '^logged in as' "$T/last.log"; then ok "$1"; else
		not_ok "$1 (ssh exit $status)"; show "$T/sshd.log"; fi
}
