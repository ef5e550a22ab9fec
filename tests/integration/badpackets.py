#!/usr/bin/env python3
"""Send malformed DHCPv4 requests to the server port on an interface.

Used by t_bad_packets.sh inside a client namespace: every packet goes to
255.255.255.255:67 out of the given interface only.  Usage:
badpackets.py IFACE COUNT
"""
import socket
import struct
import sys

MAGIC = b"\x63\x82\x53\x63"


def header(op=1, htype=1, hlen=6, xid=0x1234, chaddr=b"\x02\x00\x00\x00\xee\x01"):
    return (struct.pack("!BBBBIHH4s4s4s4s", op, htype, hlen, 0, xid, 0, 0x8000,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4)
            + chaddr.ljust(16, b"\0") + b"\0" * 64 + b"\0" * 128)


def discover_with(options, **kw):
    return header(**kw) + MAGIC + b"\x35\x01\x01" + options + b"\xff"


def request_with(options, **kw):
    return header(**kw) + MAGIC + b"\x35\x01\x03" + options + b"\xff"


CASES = {
    "truncated header": header()[:100],
    "no magic cookie": header() + b"\x00\x00\x00\x00\x35\x01\x01\xff",
    "reply op": discover_with(b"", op=2),
    "hlen 200": discover_with(b"", hlen=200),
    "option past the end": header() + MAGIC + b"\x35\x01\x01\x0c\xf0abc",
    "message type length 2": header() + MAGIC + b"\x35\x02\x01\x01\xff",
    "overload into garbage": header() + MAGIC + b"\x35\x01\x01\x34\x01\x03\xff",
    "client-id of one byte": discover_with(b"\x3d\x01\x01"),
    "absurd lease request": request_with(b"\x32\x04\x0a\x4d\x03\x09\x33\x04\xff\xff\xff\xff"
                                         b"\x36\x04\x01\x02\x03\x04"),
    "request outside any range": request_with(b"\x32\x04\xc0\x00\x02\x05"),
    "hostname of NULs": discover_with(b"\x0c\x04\x00\x00\x00\x00"),
}


def main():
    iface, count = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(("0.0.0.0", 68))
    for _ in range(count):
        for payload in CASES.values():
            s.sendto(payload, ("255.255.255.255", 67))
    print(len(CASES) * count)


if __name__ == "__main__":
    main()
