#!/bin/bash
# Every QR code qr_render draws must scan back to exactly the URI it was given:
# PNG and SVG files are decoded with zbarimg (an independent decoder), and the
# terminal renderings are turned back into pictures, cell by cell with their
# colours, and decoded too. Each picture must also keep its 4-module quiet
# zone, and the files, which hold the secret, must be 0600 and not written
# through a symlink.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only; make distcheck-quick runs it in a plain build too"
dump="$top_builddir/tests/shims/qr_dump"
[ -x "$dump" ] || bail "$dump not built"

# Byte-wise text handling for awk (mawk or gawk alike) and a known umask.
export LC_ALL=C
umask 022
tmp=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib/qr_lib.sh"

short='otpauth://totp/a?secret=JBSWY3DPEHPK3PXP'
long='otpauth://totp/Zorg%20%26%20Co:jean-baptiste.emanuel.zorg%40zorg-industries.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Zorg%20%26%20Co&algorithm=SHA1&digits=6&period=30'
sha512='otpauth://totp/Example:alice@example.com?secret=OFVLWZ5BNS5G7WKXY5MXUHSOEGDGCK4UBUVH6JM52SSOFHQ33UIKIQX2XC3RLZQ54I75X2VX4RQWLZWW3LOPHV7XRDLGKDXZ43QOXEA&issuer=Example&algorithm=SHA512&digits=8&period=60'

# quiet_zone PIXELS: stdin is a plain PGM of PIXELS pixels per module, or
# anything `convert` reads; ok when the 4 outermost modules on every side
# are all light.
quiet_zone() {
	convert - -colorspace gray -depth 8 -compress none pgm:- | awk -v k="$1" '
	{ for (i = 1; i <= NF; i++) v[n++] = $i }
	END {
		if (v[0] != "P2") exit 1
		w = v[1]; h = v[2]; max = v[3]; b = 4 * k
		if (w < 2 * b || h < 2 * b) exit 1
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++)
				if ((y < b || y >= h - b || x < b || x >= w - b) &&
				    v[4 + y * w + x] * 4 < max * 3) exit 1
	}'
}

# svg_quiet_zone: stdin is an SVG from qr_write_svg; ok when every dark run
# ("Mx yhNv1h-Nz" in module units) lies 4 modules inside the viewBox. Checked
# on the text, since ImageMagick's renderer fattens shapes by a pixel.
svg_quiet_zone() {
	awk '
	match($0, /viewBox="0 0 [0-9]+ [0-9]+"/) {
		split(substr($0, RSTART + 9, RLENGTH - 10), vb, " "); n = vb[3]
	}
	/ d="/ {
		d = $0; sub(/.* d="/, "", d); sub(/".*/, "", d)
		runs = split(d, r, "z")
		for (i = 1; i < runs; i++) {
			if (r[i] !~ /^M[0-9]+ [0-9]+h[0-9]+v1h-[0-9]+$/) { bad = 1; exit }
			split(substr(r[i], 2), a, /[ hv]/)
			if (a[1] < 4 || a[2] < 4 || a[1] + a[3] > n - 4 || a[2] + 1 > n - 4) { bad = 1; exit }
			seen++
		}
	}
	END { exit bad || !(n > 8 && seen > 0) }'
}

for name in short long sha512; do
	uri=${!name}
	f="$tmp/$name"

	# PNG at 8 pixels a module.
	if "$dump" png "$uri" "$f.png"; then
		check_eq "png $name decodes" "$uri" "$(decode "$f.png")"
		check "png $name keeps its quiet zone" quiet_zone 8 <"$f.png"
	else
		not_ok "png $name written"; not_ok "png $name keeps its quiet zone"
	fi

	# SVG: the viewBox counts modules, one user unit each; rsvg-convert's
	# zoom of 10 makes that 10 pixels a module.
	if "$dump" svg "$uri" "$f.svg" &&
		rsvg-convert -z 10 -b white -o "$f.svg.png" "$f.svg"; then
		check_eq "svg $name decodes" "$uri" "$(decode "$f.svg.png")"
		check "svg $name keeps its quiet zone" svg_quiet_zone <"$f.svg"
	else
		not_ok "svg $name written and rendered"; not_ok "svg $name keeps its quiet zone"
	fi

	# Terminal renderings, back to pictures: a UTF-8 cell is one module
	# wide and two tall, so one pixel a module; an ANSI module is two
	# cells wide and one tall, so two pixels a module. Scaled up 8 times,
	# since zbarimg wants more than a pixel or two per module.
	for mode in utf8 ansi; do
		k=1; [ $mode = ansi ] && k=2
		if "$dump" $mode "$uri" >"$f.$mode" &&
			term2pgm <"$f.$mode" >"$f.$mode.pgm" &&
			convert "$f.$mode.pgm" -scale 800% "$f.$mode.png"; then
			check_eq "$mode $name decodes" "$uri" "$(decode "$f.$mode.png")"
			check "$mode $name keeps its quiet zone" quiet_zone $k <"$f.$mode.pgm"
		else
			not_ok "$mode $name drawn with explicit colours"
			not_ok "$mode $name keeps its quiet zone"
		fi
	done
done

# A terminal rendering may narrow the quiet zone to fit a small window:
# with QR_QUIET_ZONE_MIN (2 modules) it still decodes, even on a dark
# terminal background (a wide black border around it); narrower is refused.
for mode in utf8 ansi; do
	for name in short long; do
		uri=${!name}
		if "$dump" $mode "$uri" 2 >"$tmp/q2.$mode" && term2pgm <"$tmp/q2.$mode" >"$tmp/q2.pgm" &&
			convert "$tmp/q2.pgm" -scale 800% -bordercolor black -border 80 "$tmp/q2.png"; then
			check_eq "$mode $name with a 2-module quiet zone decodes on black" "$uri" \
				"$(decode "$tmp/q2.png")"
		else
			not_ok "$mode $name with a 2-module quiet zone drawn"
		fi
	done
	if "$dump" $mode "$short" 1 >/dev/null 2>&1; then
		not_ok "$mode refuses a 1-module quiet zone"
	else
		ok "$mode refuses a 1-module quiet zone"
	fi
done

# The first two lines of the UTF-8 rendering, four modules of quiet zone,
# are nothing but light cells: black on white, spaces, and a reset.
light_line=$'^\e\\[30;47m {29,}\e\\[0m$'
light=0
while IFS= read -r line; do
	[[ $line =~ $light_line ]] && light=$((light + 1))
done < <("$dump" utf8 "$short" | head -n 2)
check_eq "utf8 first two lines are all light" 2 "$light"

# The files hold the secret: 0600 when created, and an existing file that
# was readable by others is made 0600 too.
"$dump" png "$short" "$tmp/new.png"
check_eq "png created mode 0600" 600 "$(stat -c %a "$tmp/new.png")"
touch "$tmp/old.svg"; chmod 644 "$tmp/old.svg"
"$dump" svg "$short" "$tmp/old.svg"
check_eq "svg over a 0644 file leaves it 0600" 600 "$(stat -c %a "$tmp/old.svg")"

# A symlink at the path is refused, and what it points to is left alone.
echo untouched >"$tmp/target"
ln -s "$tmp/target" "$tmp/link"
for mode in png svg; do
	if "$dump" $mode "$short" "$tmp/link" 2>/dev/null; then
		not_ok "$mode refuses a symlink"
	else
		check_eq "$mode refuses a symlink" untouched "$(cat "$tmp/target")"
	fi
done

# A text too long for any QR version fails cleanly and leaves no file.
# (4296 alphanumeric characters fit version 40 at level L: this is more)
huge=$(head -c 5000 /dev/zero | tr '\0' 'A')
if "$dump" png "$huge" "$tmp/huge.png" 2>/dev/null || [ -e "$tmp/huge.png" ]; then
	not_ok "png refuses a text too long for a QR code"
else
	ok "png refuses a text too long for a QR code"
fi

tap_done
