"""A stand-in for the ecrsim UI behind `ecrsim serve` in tests: it speaks Textual's web-driver packets and
reports what it was given (environment, folder, the metas and input sizes it received) as JSON data.
`--stubborn` ignores the quit request and SIGTERM, as a frozen app would."""

import json
import os
import signal
import sys
import time

STUBBORN = "--stubborn" in sys.argv
if STUBBORN:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
out = sys.stdout.buffer


def send(report: dict) -> None:
    data = json.dumps(report).encode()
    out.write(b"D" + len(data).to_bytes(4, "big") + data)
    out.flush()


out.write(b"__GANGLION__\n")
send({"env": dict(os.environ), "cwd": os.getcwd(), "files": os.listdir("."), "pid": os.getpid()})
while True:
    head = sys.stdin.buffer.read(5)
    if len(head) < 5:
        break
    payload = sys.stdin.buffer.read(int.from_bytes(head[1:], "big"))
    if head[:1] == b"M":
        meta = json.loads(payload)
        if meta["type"] == "quit" and not STUBBORN:
            break
        send({"meta": meta})
    else:
        send({"input": len(payload)})
while STUBBORN:
    time.sleep(1)
