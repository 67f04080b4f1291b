#!/usr/bin/env python3
"""The QR code on a terminal screen, as tmux shows it.

usage: tmux capture-pane -p -e -N | term_screen.py

Reads the screen (every line in full, with the escape sequences of its
colours) and prints the lines of the QR code just above the line that
starts with "Code from the app:": the run of lines whose first cell has
a colour set explicitly, each cut to its coloured cells and written with
one SGR sequence per cell, the form tests/lib/qr_lib.sh's term2pgm reads. tmux sets a
colour only where it changes, across lines too, so the colours in force are
tracked from the top of the screen. Exits 1 when the prompt or the code is
not on the screen.
"""
import re
import sys

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(line, state):
    """The cells of one screen line: (glyph, fg, bg); state carries over."""
    out = []
    pos = 0
    for m in SGR.finditer(line):
        out.extend((c, state[0], state[1]) for c in line[pos:m.start()])
        for p in (m.group(1) or "0").split(";"):
            n = int(p or "0")
            if n == 0:
                state[:] = [None, None]
            elif 30 <= n <= 37 or 90 <= n <= 97:
                state[0] = n
            elif n == 39:
                state[0] = None
            elif 40 <= n <= 47 or 100 <= n <= 107:
                state[1] = n
            elif n == 49:
                state[1] = None
        pos = m.end()
    out.extend((c, state[0], state[1]) for c in line[pos:])
    return out


def main():
    state = [None, None]
    screen = [cells(line.rstrip("\n"), state) for line in sys.stdin]
    prompt = next((i for i, row in enumerate(screen)
                   if "".join(c for c, _, _ in row).startswith("Code from the app:")), None)
    if prompt is None:
        return 1
    top = prompt
    while top > 0 and screen[top - 1] and screen[top - 1][0][2] is not None:
        top -= 1
    if top == prompt:
        return 1
    for row in screen[top:prompt]:
        coloured = []
        for c, fg, bg in row:
            if bg is None:
                break
            coloured.append("\x1b[0;%s%dm%s" % ("%d;" % fg if fg is not None else "", bg, c))
        sys.stdout.write("".join(coloured) + "\x1b[0m\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
