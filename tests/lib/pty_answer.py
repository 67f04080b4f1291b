#!/usr/bin/python3
"""Run a command under a pseudo-terminal and answer its prompts, for the
system tests (ssh keyboard-interactive, sudo).

usage: pty_answer.py [-t SECONDS] [-a REGEX ANSWER | -c REGEX SHELL-COMMAND]...
                     -- COMMAND [ARG...]

Each -a pair is one expected prompt (a Python regex) and the line to type
for it, in order. With -c the line to type is what SHELL-COMMAND prints
(its first line), given everything the command has shown so far on its
standard input: an answer computed from the screen, such as the code for
a key the command showed. The transcript goes to stdout with one line per event:
"answered: REGEX" when a prompt was answered, "not asked: REGEX" when the
command ended first, "timeout" when it hung. Every wait is bounded by -t
(default 120 s, for each prompt and for the end): a deadline for a command
that hangs, far above what a loaded machine needs, never a measurement; on
a timeout the command is killed. The exit status is the command's, 124 on
a timeout.
"""
import subprocess
import sys

import pexpect


class Transcript:
    """What the command showed: copied to stdout and kept."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        sys.stdout.write(text)

    def flush(self):
        sys.stdout.flush()

    def text(self):
        return "".join(self.parts)


def computed(command, screen):
    """The first line SHELL-COMMAND prints with SCREEN on its stdin."""
    out = subprocess.run(["sh", "-c", command], input=screen, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        print("\ncommand failed (%d): %s" % (out.returncode, command))
    return (out.stdout.splitlines() or [""])[0]


def main(argv):
    timeout = 120.0
    pairs = []
    i = 1
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "-t" and i + 1 < len(argv):
            timeout = float(argv[i + 1])
            i += 2
        elif argv[i] in ("-a", "-c") and i + 2 < len(argv):
            pairs.append((argv[i + 1], argv[i + 2], argv[i] == "-c"))
            i += 3
        else:
            print("usage: pty_answer.py [-t SECONDS] [-a REGEX ANSWER | -c REGEX SHELL-COMMAND]..."
                  " -- COMMAND [ARG...]", file=sys.stderr)
            return 2
    cmd = argv[i + 1:]
    if not cmd:
        print("pty_answer.py: no command", file=sys.stderr)
        return 2

    child = pexpect.spawn(cmd[0], cmd[1:], timeout=timeout, encoding="utf-8",
                          codec_errors="replace", echo=False)
    transcript = Transcript()
    child.logfile_read = transcript
    status = None
    try:
        for regex, answer, is_command in pairs:
            got = child.expect([regex, pexpect.EOF, pexpect.TIMEOUT])
            if got == 0:
                child.sendline(computed(answer, transcript.text()) if is_command else answer)
                print("\nanswered: " + regex)
            elif got == 1:
                print("\nnot asked: " + regex)
                break
            else:
                print("\ntimeout waiting for: " + regex)
                status = 124
                break
        if status is None:
            got = child.expect([pexpect.EOF, pexpect.TIMEOUT])
            if got == 1:
                print("\ntimeout waiting for the end")
                status = 124
    finally:
        if status == 124:
            child.terminate(force=True)
        child.close(force=True)
    if status is None:
        if child.exitstatus is not None:
            status = child.exitstatus
        else:
            status = 128 + (child.signalstatus or 0)
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
