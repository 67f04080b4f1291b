#!/usr/bin/python3
"""Run a command under a pseudo-terminal and answer its prompts, for the
system tests (ssh keyboard-interactive, sudo).

usage: pty_answer.py [-t SECONDS] [-a REGEX ANSWER]... -- COMMAND [ARG...]

Each -a pair is one expected prompt (a Python regex) and the line to type
for it, in order. The transcript goes to stdout with one line per event:
"answered: REGEX" when a prompt was answered, "not asked: REGEX" when the
command ended first, "timeout" when it hung. Every wait is bounded by -t
(default 20 s, for each prompt and for the end); on a timeout the command is
killed. The exit status is the command's, 124 on a timeout.
"""
import sys

import pexpect


def main(argv):
    timeout = 20.0
    pairs = []
    i = 1
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "-t" and i + 1 < len(argv):
            timeout = float(argv[i + 1])
            i += 2
        elif argv[i] == "-a" and i + 2 < len(argv):
            pairs.append((argv[i + 1], argv[i + 2]))
            i += 3
        else:
            print("usage: pty_answer.py [-t SECONDS] [-a REGEX ANSWER]... -- COMMAND [ARG...]",
                  file=sys.stderr)
            return 2
    cmd = argv[i + 1:]
    if not cmd:
        print("pty_answer.py: no command", file=sys.stderr)
        return 2

    child = pexpect.spawn(cmd[0], cmd[1:], timeout=timeout, encoding="utf-8",
                          codec_errors="replace", echo=False)
    child.logfile_read = sys.stdout
    status = None
    try:
        for regex, answer in pairs:
            got = child.expect([regex, pexpect.EOF, pexpect.TIMEOUT])
            if got == 0:
                child.sendline(answer)
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
