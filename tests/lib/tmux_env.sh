# A real terminal emulator for the tests: tmux, one server a window, of
# the size a test asks for. Source after tests/lib/tap.sh; it adds its own
# clean-up to the EXIT trap's work through tmux_cleanup (call it there).
#
#   tmux_open LINES COLUMNS CMD   run the shell command CMD in a fresh window
#                                 of that size; it stays after CMD exits
#   screen                        the screen, as text
#   history                       the whole scroll-back, wrapped lines joined
#   wait_screen PATTERN           until the screen shows it (at most 60 s)
#   tmux_keys KEYS...             type into the window (tmux send-keys)
command -v tmux >/dev/null || bail "tmux not installed (apt-get install tmux)"
TM=(tmux -S "$T/tmux.0.sock")
tmux_windows=0

tmux_cleanup() { "${TM[@]}" kill-server 2>/dev/null; }

# a new tmux server each time: one being shut down cannot take a session
tmux_open() {
	local lines=$1 columns=$2
	tmux_cleanup
	tmux_windows=$((tmux_windows + 1))
	TM=(tmux -S "$T/tmux.$tmux_windows.sock")
	"${TM[@]}" -f /dev/null new-session -d -x "$columns" -y "$lines" "$3; read" ||
		bail "tmux did not start"
}
screen() { "${TM[@]}" capture-pane -p; }
history() { "${TM[@]}" capture-pane -p -J -S -; }
screen_shows() { screen | grep -q -- "$1"; }
# the cap turns a screen that never comes into a failure; it is no wait
wait_screen() { wait_for 60 "screen showing '$1'" screen_shows "$1"; }
tmux_keys() { "${TM[@]}" send-keys "$@"; }
