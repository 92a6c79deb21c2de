#!/usr/bin/env python3
"""Extracts the UDP payloads of a port (default 1701, L2TP) from classic
libpcap files, one output file per datagram. Pure Python, no dependencies.

  tools/pcap_udp_payloads.py --port 1701 --out tests/fuzz/l2tp capture.pcap...

Link types: Ethernet (1, with 802.1Q tags and PPPoE session frames carrying
PPP IPv4/IPv6), Linux cooked (113), raw IP (101, 12, 14) and BSD loopback
(0, 108). IPv4 (options skipped, first fragments only) and IPv6 (no
extension headers). A payload is what the capture holds: the UDP Length is
honoured when it is shorter, and a UDP Length longer than the capture is
clamped to the captured octets (fuzzed captures lie about it).

Output files are named <prefix><capture stem>-<packet number>.bin; with
--unique, a payload identical to one already written is skipped.
"""
import argparse
import hashlib
import pathlib
import struct
import sys

ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ, ETH_PPPOE_SESSION = 0x0800, 0x86DD, 0x8100, 0x88A8, 0x8864
PPP_IPV4, PPP_IPV6 = 0x0021, 0x0057


def read_pcap(path):
    """Yields (packet number from 1, link type, captured bytes)."""
    data = pathlib.Path(path).read_bytes()
    if len(data) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a classic pcap file (pcapng is not supported)")
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    off, n = 24, 0
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        pkt = data[off:off + caplen]
        off += caplen
        n += 1
        yield n, linktype, pkt


def network_layer(linktype, pkt):
    """Returns (ethertype, bytes) of the network layer, or None."""
    if linktype == 1:  # Ethernet
        if len(pkt) < 14:
            return None
        etype, off = struct.unpack(">H", pkt[12:14])[0], 14
        while etype in (ETH_VLAN, ETH_QINQ) and len(pkt) >= off + 4:
            etype, off = struct.unpack(">H", pkt[off + 2:off + 4])[0], off + 4
        if etype == ETH_PPPOE_SESSION:
            # PPPoE header (RFC 2516): ver/type, code, session, length; then PPP protocol.
            if len(pkt) < off + 8:
                return None
            plen = struct.unpack(">H", pkt[off + 4:off + 6])[0]
            proto = struct.unpack(">H", pkt[off + 6:off + 8])[0]
            body = pkt[off + 8:off + 6 + plen] if plen >= 2 else b""
            if proto == PPP_IPV4:
                return ETH_IPV4, body
            if proto == PPP_IPV6:
                return ETH_IPV6, body
            return None
        return etype, pkt[off:]
    if linktype == 113:  # Linux cooked capture v1
        if len(pkt) < 16:
            return None
        return struct.unpack(">H", pkt[14:16])[0], pkt[16:]
    if linktype in (101, 12, 14):  # raw IP
        if not pkt:
            return None
        return (ETH_IPV4 if pkt[0] >> 4 == 4 else ETH_IPV6), pkt
    if linktype in (0, 108):  # BSD loopback: 4-octet address family
        if len(pkt) < 4:
            return None
        return (ETH_IPV4 if pkt[4:5] and pkt[4] >> 4 == 4 else ETH_IPV6), pkt[4:]
    return None


def udp_payload(etype, ip, port):
    """Returns the UDP payload if the datagram is from or to `port`."""
    if etype == ETH_IPV4:
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 0x0F) * 4
        frag = struct.unpack(">H", ip[6:8])[0] & 0x1FFF
        if ip[9] != 17 or frag != 0 or ihl < 20:
            return None
        total = struct.unpack(">H", ip[2:4])[0]
        udp = ip[ihl:total] if ihl <= total <= len(ip) else ip[ihl:]
    elif etype == ETH_IPV6:
        if len(ip) < 40 or ip[0] >> 4 != 6 or ip[6] != 17:
            return None
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8:
        return None
    sport, dport, ulen = struct.unpack(">HHH", udp[:6])
    if port not in (sport, dport):
        return None
    end = ulen if 8 <= ulen <= len(udp) else len(udp)
    return udp[8:end]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pcaps", nargs="+")
    ap.add_argument("--port", type=int, default=1701)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--prefix", default="", help="prefix of the output file names")
    ap.add_argument("--unique", action="store_true", help="skip payloads already written in this run")
    args = ap.parse_args()

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seen = set()
    total = 0
    for path in args.pcaps:
        stem = pathlib.Path(path).stem
        count = 0
        for n, linktype, pkt in read_pcap(path):
            nl = network_layer(linktype, pkt)
            payload = udp_payload(*nl, args.port) if nl else None
            if payload is None:
                continue
            digest = hashlib.sha256(payload).digest()
            if args.unique and digest in seen:
                continue
            seen.add(digest)
            (out / f"{args.prefix}{stem}-{n:04d}.bin").write_bytes(payload)
            count += 1
        print(f"{path}: {count} payloads", file=sys.stderr)
        total += count
    print(f"{total} payloads written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
