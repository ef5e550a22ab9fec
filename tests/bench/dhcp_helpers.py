#!/usr/bin/env python3
"""Helpers for tests/bench/run.sh.

  genleases N FIRST LAST EXPIRY LEASETIME DNSMASQ_OUT KEA_OUT [NAMES [LAYOUT]]
      N held leases spread over the range FIRST..LAST (a fixed-seed random
      choice of addresses, as a hash allocator leaves them), or with
      LAYOUT "ordered" on its first N addresses (as a sequential allocator
      leaves them: the worst case for a walk from a hashed start), in dnsmasq's
      lease-file format (leased reads the same file) and in Kea's memfile
      CSV.  MACs are 02:be:xx:xx:xx:xx: never one of perfdhcp's
      (00:0c:01:...) nor the poller's (02:bb:...).  Each lease has a host
      name (heldN), as containers send one, unless NAMES is 0.

  poll IFACE GIADDR TIMEOUT READYFILE
      Broadcast a relayed DHCPDISCOVER (giaddr = GIADDR, like perfdhcp)
      every 5 ms on IFACE until a BOOTREPLY for it arrives; print the
      wall-clock time (seconds since the epoch) it arrived.  Creates
      READYFILE once its socket is open, so the caller starts the server
      only then.  Exit 1 on TIMEOUT.
"""
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import time


def genleases(n, first, last, expiry, leasetime, dnsmasq_out, kea_out, names=True,
              layout="spread"):
    lo = int(ipaddress.IPv4Address(first))
    hi = int(ipaddress.IPv4Address(last))
    if n > hi - lo + 1:
        sys.exit("genleases: %d leases do not fit in %s..%s" % (n, first, last))
    rng = random.Random(4242)
    if layout == "ordered":
        offsets = range(n)
    else:
        offsets = sorted(rng.sample(range(hi - lo + 1), n))
    with open(dnsmasq_out, "w") as d, open(kea_out, "w") as k:
        k.write("address,hwaddr,client_id,valid_lifetime,expire,subnet_id,"
                "fqdn_fwd,fqdn_rev,hostname,state,user_context\n")
        for i, off in enumerate(offsets):
            ip = str(ipaddress.IPv4Address(lo + off))
            mac = "02:be:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255,
                                                 (i >> 8) & 255, i & 255)
            cid = "01:" + mac
            name = "held%d" % i if names else ""
            d.write("%d %s %s %s %s\n" % (expiry, mac, ip, name or "*", cid))
            k.write("%s,%s,%s,%d,%d,1,0,0,%s,0,\n" % (ip, mac, cid, leasetime, expiry, name))


def discover(xid, giaddr, mac):
    pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s",
                      1, 1, 6, 1, xid, 0, 0,
                      b"\0" * 4, b"\0" * 4, b"\0" * 4, socket.inet_aton(giaddr),
                      mac + b"\0" * 10, b"\0" * 64, b"\0" * 128)
    opts = b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\x3d\x07\x01" + mac + \
        b"\x37\x03\x01\x03\x06" + b"\xff"
    pkt += opts
    return pkt + b"\0" * max(0, 300 - len(pkt))


def poll(iface, giaddr, timeout, readyfile):
    mac = bytes([0x02, 0xbb, 0, 0, 0, 1])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    # A relay listens on port 67 of giaddr: the server answers there.
    s.bind((giaddr, 67))
    open(readyfile, "w").close()
    deadline = time.monotonic() + timeout
    base = 0x5e000000
    xid = base
    while time.monotonic() < deadline:
        xid += 1
        s.sendto(discover(xid, giaddr, mac), ("255.255.255.255", 67))
        end = time.monotonic() + 0.005
        while True:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                continue
            data = s.recv(2048)
            now = time.time()
            if len(data) >= 240 and data[0] == 2 and data[28:34] == mac:
                rxid = struct.unpack("!I", data[4:8])[0]
                if base < rxid <= xid:
                    print("%.6f" % now)
                    return 0
    return 1


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "genleases" and len(sys.argv) in (9, 10, 11):
        a = sys.argv[2:]
        genleases(int(a[0]), a[1], a[2], int(a[3]), int(a[4]), a[5], a[6],
                  len(a) < 8 or a[7] != "0", a[8] if len(a) > 8 else "spread")
        return 0
    if len(sys.argv) == 6 and sys.argv[1] == "poll":
        return poll(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
