#!/usr/bin/python3
"""Helpers for tests/bench/dns.sh (the DNS benchmark).

Run with Debian's /usr/bin/python3: the upstream stub needs dnspython
(python3-dnspython), the other commands only the standard library.

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

  leaseaddr FILE NAME
      The address of the lease named NAME in FILE (for the answer checks).

  upstream ADDR PORT TTL READYFILE LOGFILE
      A small authoritative stub for example.test on ADDR#PORT (UDP): A
      for any name under it, 192.0.2.0/24 derived from the name, with TTL;
      other types NODATA; other names REFUSED.  Appends one line per query
      received to LOGFILE (so the bench counts what reached upstream) and
      creates READYFILE once its socket is bound.  Runs until killed.
"""
import ipaddress
import os
import random
import socket
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


def leaseaddr(path, name):
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[3] == name:
                print(p[2])
                return 0
    return 1


def upstream(addr, port, ttl, readyfile, logfile):
    import dns.flags
    import dns.message
    import dns.name
    import dns.rcode
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    zone = dns.name.from_text("example.test.")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    log = os.open(logfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    open(readyfile, "w").close()
    while True:
        data, peer = s.recvfrom(4096)
        try:
            q = dns.message.from_wire(data)
        except Exception:
            continue
        r = dns.message.make_response(q)
        if not q.question:
            r.set_rcode(dns.rcode.FORMERR)
        else:
            qn = q.question[0]
            os.write(log, ("%s %s\n" % (qn.name, dns.rdatatype.to_text(qn.rdtype))).encode())
            if not qn.name.is_subdomain(zone):
                r.set_rcode(dns.rcode.REFUSED)
            else:
                r.flags |= dns.flags.AA
                if qn.rdtype == dns.rdatatype.A:
                    h = zlib.crc32(qn.name.to_text().lower().encode())
                    rr = r.find_rrset(r.answer, qn.name, dns.rdataclass.IN,
                                      dns.rdatatype.A, create=True)
                    rr.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.A,
                                               "192.0.2.%d" % (1 + h % 254)), ttl)
        s.sendto(r.to_wire(), peer)


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "genleases":
        genleases(int(a[1]), a[2], a[3], int(a[4]), a[5])
        return 0
    if len(a) == 6 and a[0] == "queries":
        queries(a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
        return 0
    if len(a) == 3 and a[0] == "leaseaddr":
        return leaseaddr(a[1], a[2])
    if len(a) == 6 and a[0] == "upstream":
        upstream(a[1], int(a[2]), int(a[3]), a[4], a[5])
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
