#!/usr/bin/env python3
# Stand-in for /usr/sbin/pppd on kernels without PPP support (no /dev/ppp).
# xl2tpd (userspace mode) starts "/usr/sbin/pppd <pty> <options>" for every
# session; bind-mount this file over it inside a private mount namespace:
#   ip netns exec NS unshare -m --propagation private sh -c "mount --bind
#     $PWD/fakepppd.py /usr/sbin/pppd && FAKEPPP_LOG=... exec xl2tpd -D -c ..."
# It speaks async-HDLC framed PPP (RFC 1662) on the pty: sends LCP
# Configure-Request id=1..3 one second apart, then one LCP Echo-Request
# (id=0x42), answers every LCP Echo-Request with an Echo-Reply (magic 0), and
# logs each received frame as "rx <hex of addr..info, FCS stripped>" ("rx-badfcs"
# when the FCS is wrong). The first frame from the peer can be lost if it
# arrives before this script has put the pty in raw mode; the later ones
# arrive. Env: FAKEPPP_LOG (default /tmp/fakepppd.log), FAKEPPP_SECONDS
# (stay up this long, default 10; xl2tpd then clears the call with a CDN).
# This is the interop tests' own copy (tests/interop/lib.sh bind-mounts it);
# change here: it logs "terminated by signal N" when xl2tpd ends it with
# SIGTERM (tunnel or call torn down from the other side) instead of dying
# silently, so a test can tell a timed exit ("done") from a teardown.
import os, sys, time, tty, termios, select, signal

LOG = open(os.environ.get("FAKEPPP_LOG", "/tmp/fakepppd.log"), "a")
SECONDS = float(os.environ.get("FAKEPPP_SECONDS", "10"))
LCP = b"\xff\x03\xc0\x21"

def fcs16(data):
    fcs = 0xFFFF
    for b in data:
        fcs ^= b
        for _ in range(8):
            fcs = (fcs >> 1) ^ 0x8408 if fcs & 1 else fcs >> 1
    return fcs ^ 0xFFFF

def frame(payload):
    body = payload + fcs16(payload).to_bytes(2, "little")
    out = bytearray(b"\x7e")
    for b in body:
        if b < 0x20 or b in (0x7E, 0x7D):
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out + b"\x7e")

def log(msg):
    LOG.write(msg + "\n")
    LOG.flush()

def on_term(signum, _frame):
    log(f"terminated by signal {signum}")
    sys.exit(0)

signal.signal(signal.SIGTERM, on_term)

pty = next(a for a in sys.argv[1:] if a.startswith("/dev/"))
log(f"fakepppd args={sys.argv[1:]}")
fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd, termios.TCSANOW)  # TCSANOW: keep bytes that arrived already
end = time.time() + SECONDS
next_tx, ident = 0.0, 1
cur, esc = bytearray(), False  # HDLC deframer state survives across reads
while time.time() < end:
    if time.time() >= next_tx and ident <= 4:
        if ident <= 3:
            os.write(fd, frame(LCP + bytes([1, ident, 0, 10, 5, 6]) + (0x11223344 + ident).to_bytes(4, "big")))
            log(f"tx LCP Configure-Request id={ident}")
        else:
            os.write(fd, frame(LCP + bytes([9, 0x42, 0, 8, 0, 0, 0, 0])))
            log("tx LCP Echo-Request id=66")
        ident, next_tx = ident + 1, time.time() + 1.0
    r, _, _ = select.select([fd], [], [], 0.1)
    if not r:
        continue
    for b in os.read(fd, 4096):
        if b == 0x7E:
            if len(cur) >= 4:
                f, ok = bytes(cur[:-2]), fcs16(cur[:-2]) == int.from_bytes(cur[-2:], "little")
                log(("rx " if ok else "rx-badfcs ") + f.hex())
                if ok and f[:4] == LCP and len(f) >= 12 and f[4] == 9:  # Echo-Request
                    os.write(fd, frame(LCP + bytes([10]) + f[5:8] + bytes(4) + f[12:]))
                    log(f"tx LCP Echo-Reply id={f[5]}")
            cur, esc = bytearray(), False
        elif b == 0x7D:
            esc = True
        else:
            cur.append(b ^ 0x20 if esc else b)
            esc = False
log("done")
