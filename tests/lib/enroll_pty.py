#!/usr/bin/env python3
"""Drive totp-enroll under a pseudo-terminal, as a person would.

usage: enroll_pty.py TRANSCRIPT ACTION[,ACTION...] COMMAND [ARG...]

Actions, one per code prompt ("Code from the app: ", in Dutch "Code uit de
app: "; the last may end the program):
  right    the current code, from oathtool with the secret of the printed URI
  code:N   the code N steps from now (N may be negative)
  wrong    a code of the right length that matches no step near now
  garbage  text that is no code at all
  eof      Ctrl-D (end of input)
  intr     Ctrl-C
  pause:F  before the next action, wait until file F exists (lets the
           calling test log in with an old record meanwhile); then go on
Prints "uri: URI", "exit: STATUS" (128 + N for a signal) and, when the
transcript shows recovery codes, "recovery: CODE" lines. The raw output goes
to TRANSCRIPT.
"""
import os
import re
import subprocess
import sys
import time
import urllib.parse

import pexpect


def test_now():
    """The test clock of tests/lib/totp_code.sh, which totp-enroll runs on."""
    fake = os.environ.get("PAM_TOTP_TEST_NOW")
    return int(fake) if fake else int(time.time())


def oathtool(params, offset=0):
    period = int(params.get("period", "30"))
    now = test_now() + offset * period
    return subprocess.check_output(
        ["oathtool", "--totp=" + params.get("algorithm", "SHA1"), "-b",
         "-d", params.get("digits", "6"), "-s", str(period), "-N", "@%d" % now,
         params["secret"]], text=True).strip()


def wrong_code(params):
    near = {oathtool(params, off) for off in range(-3, 4)}
    digits = int(params.get("digits", "6"))
    n = 0
    while ("%0*d" % (digits, n)) in near:
        n += 1
    return "%0*d" % (digits, n)


def main():
    transcript, actions, cmd = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    log = open(transcript, "w", encoding="utf-8", errors="replace")
    # the waits' deadline is for a command that hangs, never a measurement:
    # far above what a loaded machine needs
    child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                          timeout=120, dimensions=(60, 200))
    child.logfile_read = log
    uri = None
    params = {}
    for action in actions:
        if action.startswith("pause:"):
            flag = action[len("pause:"):]
            while not os.path.exists(flag):
                time.sleep(0.1)  # not sync: the poll interval of a wait for the flag file
            continue
        if child.expect(["Code from the app: |Code uit de app: ", pexpect.EOF]) == 1:
            break
        if uri is None:
            m = re.search(r"otpauth://\S+", child.before)
            if m is None:
                sys.exit("no URI before the prompt")
            uri = m.group(0)
            q = urllib.parse.urlparse(uri).query
            params = {k: v[0] for k, v in urllib.parse.parse_qs(q).items()}
        if action == "right":
            child.sendline(oathtool(params))
        elif action.startswith("code:"):
            child.sendline(oathtool(params, int(action[len("code:"):])))
        elif action == "wrong":
            child.sendline(wrong_code(params))
        elif action == "garbage":
            child.sendline("not a code")
        elif action == "eof":
            child.sendeof()
        elif action == "intr":
            child.sendintr()
        else:
            sys.exit("unknown action " + action)
    child.expect(pexpect.EOF, timeout=120)
    child.close()
    log.close()
    status = child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus
    if uri is None:
        m = re.search(r"otpauth://\S+", open(transcript, encoding="utf-8", errors="replace").read())
        uri = m.group(0) if m else ""
    print("uri: " + uri)
    print("exit: %d" % status)
    text = open(transcript, encoding="utf-8", errors="replace").read()
    for code in re.findall(r"^  ([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})\r?$", text, re.M):
        print("recovery: " + code)


if __name__ == "__main__":
    main()
