#!/usr/bin/python3
"""Verify the DKIM signature of the message on stdin with dkimpy (Debian's python3-dkim),
looking keys up at one DNS server (argv[1]). Prints "pass" or "fail: <reason>"."""
import re
import subprocess
import sys

import dkim

server = sys.argv[1]


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    out = subprocess.run(
        ["dig", "+short", f"@{server}", "TXT", name.rstrip(".")],
        capture_output=True, text=True, timeout=10,
    ).stdout
    for line in out.splitlines():
        # dig prints one record per line as quoted character-strings; a key may span several.
        chunks = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
        if chunks:
            return "".join(chunks).encode()
    return b""


message = sys.stdin.buffer.read()
verifier = dkim.DKIM(message)
try:
    ok = verifier.verify(dnsfunc=dnsfunc)
except dkim.DKIMException as error:
    print(f"fail: {error}")
    sys.exit(1)
print("pass" if ok else "fail: signature does not verify")
sys.exit(0 if ok else 1)
