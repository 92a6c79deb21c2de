#!/usr/bin/env python3
"""Writes hand-built, valid L2TPv2 datagrams (RFC 2661) as seeds for the
l2tp fuzz target: control messages of every type with their AVPs, hidden AVPs
(secret "secret", as tests/fuzz/l2tp_fuzz.cpp uses), vendor AVPs, a ZLB, and
data messages with and without Offset / sequence numbers.

  tools/l2tp_fuzz_seeds.py tests/fuzz/l2tp

Deterministic: the same files every run (fixed Random Vectors and padding).
"""
import hashlib
import pathlib
import struct
import sys

SECRET = b"secret"
M, H = 0x8000, 0x4000


def avp(attr, value=b"", m=True, vendor=0, hidden=False):
    flags = (M if m else 0) | (H if hidden else 0)
    return struct.pack(">HHH", flags | (6 + len(value)), vendor, attr) + value


def u16(attr, v, m=True):
    return avp(attr, struct.pack(">H", v), m)


def u32(attr, v, m=True):
    return avp(attr, struct.pack(">I", v), m)


def hide(attr, value, rv, pad=b""):
    """RFC 2661 s4.3 (attribute number hashed, as RFC 3931 s5.3 says)."""
    sub = struct.pack(">H", len(value)) + value + pad
    out = bytearray()
    b = hashlib.md5(struct.pack(">H", attr) + SECRET + rv).digest()
    for off in range(0, len(sub), 16):
        c = bytes(x ^ y for x, y in zip(sub[off:off + 16], b))
        out += c
        b = hashlib.md5(SECRET + c).digest()
    return bytes(out)


def hidden_avp(attr, value, rv, m=True, pad=b"", vendor=0):
    return avp(attr, hide(attr, value, rv, pad), m, vendor, hidden=True)


def control(tunnel, session, ns, nr, avps):
    body = b"".join(avps)
    return struct.pack(">HHHHHH", 0xC802, 12 + len(body), tunnel, session, ns, nr) + body


def msg_type(t):
    return u16(0, t)


PPP_LCP_ECHO = bytes.fromhex("ff03c021 0948000c c1343922 e7e18ff6".replace(" ", ""))


def seeds():
    rv1 = bytes(range(0x10, 0x20))
    rv2 = bytes(range(0xA0, 0xB1))  # 17 octets
    s = {}
    s["sccrq"] = control(0, 0, 0, 0, [
        msg_type(1), avp(2, b"\x01\x00"), u32(3, 3), u32(4, 3), avp(5, bytes(range(8)), m=False),
        u16(6, 0x0690, m=False), avp(7, b"lac.example.net"), avp(8, b"l2sec", m=False), u16(9, 0x4a32),
        u16(10, 8), avp(11, bytes(range(16)))])
    s["sccrp-challenge-response"] = control(0x4a32, 0, 0, 1, [
        msg_type(2), avp(2, b"\x01\x00"), u32(3, 1), avp(7, b"lns"), u16(9, 0x1001), u16(10, 4),
        avp(11, bytes(range(100, 116))),
        avp(13, bytes.fromhex("dd4186e2196f00124a9d588f02701259"))])
    s["scccn"] = control(0x1001, 0, 1, 1, [
        msg_type(3), avp(13, bytes.fromhex("8f3c2fa6fcfea72215ae83ea89ec2b77"))])
    s["stopccn"] = control(0x1001, 0, 2, 1, [
        msg_type(4), u16(9, 0x4a32), avp(1, struct.pack(">HH", 2, 8) + b"unknown mandatory AVP 60963")])
    s["hello"] = control(0x1001, 0, 3, 2, [msg_type(6)])
    s["zlb"] = struct.pack(">HHHHHH", 0xC802, 12, 0x1001, 0, 4, 3)
    s["icrq"] = control(0x1001, 0, 4, 3, [
        msg_type(10), u16(14, 0x0101), u32(15, 77), u32(18, 1), u32(25, 0x1234, m=False),
        avp(22, b"0123456789"), avp(21, b"555"), avp(23, b"sub")])
    s["icrp"] = control(0x4a32, 0x0101, 1, 5, [msg_type(11), u16(14, 0x0202)])
    s["iccn"] = control(0x1001, 0x0202, 5, 2, [
        msg_type(12), u32(24, 64000), u32(19, 1), avp(26, bytes.fromhex("010405dc"), m=False),
        avp(27, bytes.fromhex("010405d4"), m=False), avp(28, bytes.fromhex("0305c22305"), m=False),
        u16(29, 2, m=False), avp(30, b"user", m=False), avp(31, bytes(16), m=False), u16(32, 7, m=False),
        avp(33, bytes(range(16)), m=False), avp(37, b"grp", m=False), u32(38, 128000, m=False), avp(39)])
    s["ocrq"] = control(0x4a32, 0, 2, 6, [
        msg_type(7), u16(14, 3), u32(15, 9), u32(16, 9600), u32(17, 64000), u32(18, 2), u32(19, 2),
        avp(21, b"+82 2 555 0100"), avp(23, b"x")])
    s["ocrp"] = control(0x1001, 3, 6, 3, [msg_type(8), u16(14, 4), u32(25, 1, m=False)])
    s["occn"] = control(0x1001, 3, 7, 3, [msg_type(9), u32(24, 9600), u32(19, 2), avp(39)])
    s["cdn-q931"] = control(0x1001, 0x0202, 8, 3, [
        msg_type(14), avp(1, struct.pack(">HH", 3, 0)), u16(14, 0x0101),
        avp(12, struct.pack(">HB", 16, 0x5a) + b"normal")])
    s["wen"] = control(0x1001, 0x0202, 9, 3, [
        msg_type(15), avp(34, b"\x00\x00" + struct.pack(">6I", 1, 2, 3, 4, 5, 6))])
    s["sli"] = control(0x4a32, 0x0101, 3, 10, [
        msg_type(16), avp(35, b"\x00\x00" + struct.pack(">II", 0x000A0000, 0xFFFFFFFF))])
    s["sccrq-hidden"] = control(0, 0, 0, 0, [
        msg_type(1), avp(2, b"\x01\x00"), avp(36, rv1), hidden_avp(3, struct.pack(">I", 3), rv1),
        avp(7, b"lac"), hidden_avp(9, b"\x12\x34", rv1, pad=bytes(6)),
        hidden_avp(8, b"a vendor name longer than thirty-two octets", rv1, m=False, pad=bytes(11)),
        avp(36, rv2), hidden_avp(11, bytes(range(40)), rv2),
        hidden_avp(1, b"hidden vendor AVP", rv2, m=False, vendor=9)])
    s["vendor-avps"] = control(0x1001, 0, 10, 3, [
        msg_type(6), avp(1, b"cisco", m=False, vendor=9), avp(60963, b"\x05\x30", m=False),
        avp(0x7fff, b"", m=False, vendor=311)])
    s["data-minimal"] = struct.pack(">HHH", 0x0002, 0x4a32, 0x0101) + PPP_LCP_ECHO
    s["data-offset"] = struct.pack(">HHHH", 0x0202, 0x4a32, 0x0101, 4) + bytes(4) + PPP_LCP_ECHO
    # L S O P: Length, Ns/Nr, Offset Size 3 and its pad.
    s["data-all-fields"] = struct.pack(">HHHHHHH", 0x4B02, 14 + 3 + len(PPP_LCP_ECHO), 0x4a32, 0x0101, 7, 0,
                                       3) + bytes(3) + PPP_LCP_ECHO
    return s


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: l2tp_fuzz_seeds.py <output directory>")
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, data in seeds().items():
        (out / f"seed-{name}.bin").write_bytes(data)
    print(f"{len(seeds())} seeds written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
