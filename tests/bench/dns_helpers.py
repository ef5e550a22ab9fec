#!/usr/bin/python3
"""Helpers for tests/bench/dns.sh (the DNS benchmark).

Standard library only.  The upstream stub is tests/bench/dns_stub.c.

  genleases N FIRST LAST EXPIRY OUT
      N held leases spread over FIRST..LAST (a fixed-seed random choice of
      addresses), in dnsmasq's lease-file format, which leased reads too:
      "EXPIRY MAC IP NAME CLIENTID".  Lease i (1..N) has the host name
      c%06d, MAC 02:dd:xx:xx:xx:xx and client id 01:MAC.

  queries MIX N COUNT FWD OUT
      A dnsperf input file of COUNT queries in random order (fixed seed):
        lease-a     A for c%06d.lxc, a held lease's name (1..N)
        lease-aaaa  AAAA for the same names (NODATA: leases are IPv4 only)
        nxdomain    A for random names under .lxc that no lease has
        fwd         A for f%05d.example.test, one of FWD forwarded names
        fwd-warm    every forwarded name once, in order (warm-up)

  missnames TAG COUNT OUT
      A dnsperf input file of COUNT distinct names, A each, for forwarded
      cache misses: m%07d.TAG.example.test (TAG: lower-case letters,
      digits and dashes, unique to the run, so no name is asked twice).

  leaseaddr FILE NAME
      The address of the lease named NAME in FILE (for the answer checks).
"""
import ipaddress
import random
import re
import string
import sys
import zlib


def genleases(n, first, last, expiry, out):
    lo = int(ipaddress.IPv4Address(first))
    hi = int(ipaddress.IPv4Address(last))
    if n > hi - lo + 1:
        sys.exit("genleases: %d leases do not fit in %s..%s" % (n, first, last))
    rng = random.Random(5353)
    offsets = rng.sample(range(hi - lo + 1), n)
    with open(out, "w") as f:
        for i, off in enumerate(offsets, 1):
            ip = str(ipaddress.IPv4Address(lo + off))
            mac = "02:dd:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255,
                                                 (i >> 8) & 255, i & 255)
            f.write("%d %s %s c%06d 01:%s\n" % (expiry, mac, ip, i, mac))


def queries(mix, n, count, fwd, out):
    rng = random.Random(zlib.crc32(mix.encode()))
    letters = string.ascii_lowercase + string.digits
    with open(out, "w") as f:
        if mix == "fwd-warm":
            for i in range(1, fwd + 1):
                f.write("f%05d.example.test A\n" % i)
            return
        for _ in range(count):
            if mix == "lease-a":
                f.write("c%06d.lxc A\n" % rng.randint(1, n))
            elif mix == "lease-aaaa":
                f.write("c%06d.lxc AAAA\n" % rng.randint(1, n))
            elif mix == "nxdomain":
                # "nx" + 10 random characters: never a lease name (c%06d).
                f.write("nx%s.lxc A\n" % "".join(rng.choice(letters) for _ in range(10)))
            elif mix == "fwd":
                f.write("f%05d.example.test A\n" % rng.randint(1, fwd))
            else:
                sys.exit("queries: unknown mix %s" % mix)


def missnames(tag, count, out):
    if not re.match(r"^[a-z0-9-]{1,54}$", tag):
        sys.exit("missnames: bad tag %r" % tag)
    with open(out, "w") as f:
        f.writelines("m%07d.%s.example.test A\n" % (i, tag) for i in range(1, count + 1))


def leaseaddr(path, name):
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[3] == name:
                print(p[2])
                return 0
    return 1


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "genleases":
        genleases(int(a[1]), a[2], a[3], int(a[4]), a[5])
        return 0
    if len(a) == 6 and a[0] == "queries":
        queries(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
        return 0
    if len(a) == 4 and a[0] == "missnames":
        missnames(a[1], int(a[2]), a[3])
        return 0
    if len(a) == 3 and a[0] == "leaseaddr":
        return leaseaddr(a[1], a[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
