# QR helpers for shell tests: source after tests/lib/tap.sh with $tmp set.
#   term2pgm [light|dark]  a terminal QR rendering (stdin) to a plain PGM
#   decode IMAGE      the text zbarimg reads from IMAGE (nothing when none)
#   term_decode [light|dark]  a terminal rendering (stdin, utf8 or ansi) to
#                     its text, each text zbarimg finds once
#   screen_blocks     the lines of a screen (stdin) drawn only with blocks
#                     and spaces (the QR codes), padded to one width
# "light": cells in the terminal's default colours are allowed, painted as
# a light-background terminal shows them (dark glyphs on white), the
# picture surrounded by that background; "dark": the same for a dark
# background (light glyphs on black).
command -v zbarimg >/dev/null || bail "zbarimg not installed (apt-get install zbar-tools)"
command -v convert >/dev/null || bail "convert not installed (apt-get install imagemagick)"
command -v rsvg-convert >/dev/null || bail "rsvg-convert not installed (apt-get install librsvg2-bin)"

# term2pgm: a terminal rendering (stdin) to a plain PGM (stdout). Each
# character cell becomes one pixel wide and two tall: its upper and lower
# halves, each black or white as the glyph (space, upper, lower or full
# block) and the SGR colours in force paint it. A visible half drawn in the
# terminal's default colours, an unknown SGR or any other character is an
# error (that output would look different on a dark and a light terminal),
# unless "light" is given.
term2pgm() {
	awk -v light="${1:-}" '
	BEGIN {
		esc = sprintf("%c", 27)
		upper = sprintf("%c%c%c", 226, 150, 128)
		lower = sprintf("%c%c%c", 226, 150, 132)
		full = sprintf("%c%c%c", 226, 150, 136)
		deffg = light == "light" ? 0 : light == "dark" ? 255 : -1
		defbg = light == "light" ? 255 : light == "dark" ? 0 : -1
		fg = deffg; bg = defbg; w = -1; h = 0
	}
	function die(msg) { print "term2pgm: line " NR ": " msg > "/dev/stderr"; bad = 1; exit 1 }
	function sgr(params,   n, i, p) {
		n = split(params, p, ";")
		if (n == 0) { fg = deffg; bg = defbg; return }
		for (i = 1; i <= n; i++) {
			if (p[i] == "" || p[i] == "0") { fg = deffg; bg = defbg }
			else if (p[i] == "30") fg = 0
			else if (p[i] == "37") fg = 255
			else if (p[i] == "40") bg = 0
			else if (p[i] == "47") bg = 255
			else die("unexpected SGR " p[i])
		}
	}
	function cell(top, bottom) {
		if (top < 0 || bottom < 0) die("cell " (cells + 1) " in default colours")
		cells++; row1 = row1 " " top; row2 = row2 " " bottom
	}
	{
		line = $0; cells = 0; row1 = row2 = ""
		while (length(line) > 0) {
			c = substr(line, 1, 1)
			if (c == esc) {
				end = index(line, "m")
				if (substr(line, 2, 1) != "[" || end == 0) die("bad escape")
				sgr(substr(line, 3, end - 3)); line = substr(line, end + 1)
			} else if (c == " ") {
				cell(bg, bg); line = substr(line, 2)
			} else {
				g = substr(line, 1, 3); line = substr(line, 4)
				if (g == upper) cell(fg, bg)
				else if (g == lower) cell(bg, fg)
				else if (g == full) cell(fg, fg)
				else die("unexpected character")
			}
		}
		if (w < 0) w = cells
		else if (cells != w) die(cells " cells, the first line had " w)
		out[h++] = row1; out[h++] = row2
	}
	END {
		if (bad) exit 1
		if (h == 0) { print "term2pgm: no output" > "/dev/stderr"; exit 1 }
		print "P2"; print w, h; print 255
		for (i = 0; i < h; i++) print substr(out[i], 2)
	}'
}

# decode IMAGE: the text zbarimg reads from it (nothing when none).
decode() {
	zbarimg --raw -q "$1" 2>>"$tmp/zbar.log"
}

# term_decode: a terminal rendering on stdin back to the text in it, as a
# picture scaled up 8 times, since zbarimg wants more than a pixel or two
# per module (square either way: a UTF-8 module is one pixel, an ANSI
# module two by two).
term_decode() {
	local f border=()
	f=$(mktemp "$tmp/term.XXXXXX") || return 1
	case ${1:-} in
	light) border=(-bordercolor white -border 80) ;;
	dark) border=(-bordercolor black -border 80) ;;
	esac
	term2pgm "${1:-}" >"$f.pgm" && convert "$f.pgm" -scale 800% "${border[@]}" "$f.png" &&
		decode "$f.png" | sort -u
}

screen_blocks() {
	python3 -c '
import re, sys
sgr = re.compile("\x1b\\[[0-9;]*m")
lines = [l.rstrip("\r\n") for l in sys.stdin]
qr = [l for l in lines if sgr.sub("", l).strip() and
      set(sgr.sub("", l)) <= set(" \u2580\u2584\u2588")]
width = max((len(sgr.sub("", l)) for l in qr), default=0)
for l in qr:
    print(l + " " * (width - len(sgr.sub("", l))))
'
}
