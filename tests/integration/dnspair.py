#!/usr/bin/python3
"""dnspair.py SERVER NAME [--timeout S] [--port N] [--tcp]: ask A and AAAA
for NAME the way glibc and musl do - both queries back to back from one
UDP socket, with different IDs - and wait for both replies, matched by ID.
With --tcp both go pipelined on one TCP connection (glibc's use-vc).

Prints one line per type: "TYPE RCODE ANSWERS AUTHORITY", ANSWERS the
answer records' data joined by commas ("-" for none), AUTHORITY the types
in the authority section ("-" for none); "TYPE NOREPLY" when no reply
came within the timeout.  Exit status 0 when both were answered, 1 when
one was not, 2 on a usage or setup error.
"""

import argparse
import random
import select
import socket
import struct
import sys
import time

try:
    import dns.message
    import dns.rcode
    import dns.rdatatype
except ImportError as e:
    sys.stderr.write("dnspair: dnspython is missing (%s); run with /usr/bin/python3 "
                     "and install python3-dnspython\n" % e)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("server")
    ap.add_argument("name")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--tcp", action="store_true", help="both on one TCP connection")
    opts = ap.parse_args()

    family = socket.AF_INET6 if ":" in opts.server else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM if opts.tcp else socket.SOCK_DGRAM)
    sock.settimeout(opts.timeout)
    try:
        sock.connect((opts.server, opts.port))
    except OSError as e:
        sys.stderr.write("dnspair: cannot connect to %s port %d: %s\n" % (opts.server, opts.port, e))
        return 2
    ids = random.sample(range(1, 65536), 2)
    want = {}
    wires = []
    for qid, rdtype in zip(ids, (dns.rdatatype.A, dns.rdatatype.AAAA)):
        q = dns.message.make_query(opts.name, rdtype)  # no EDNS, as glibc
        q.id = qid
        want[qid] = (q, dns.rdatatype.to_text(rdtype))
        wires.append(q.to_wire())
    if opts.tcp:  # both in one write, before any reply is read
        sock.sendall(b"".join(struct.pack("!H", len(w)) + w for w in wires))
    else:
        for w in wires:  # back to back, before any reply is read
            sock.send(w)
    stream = b""

    got = {}

    def take(data):
        try:
            msg = dns.message.from_wire(data)
        except Exception as e:
            sys.stderr.write("dnspair: malformed reply (%s)\n" % e)
            return
        if msg.id not in want or msg.id in got:
            sys.stderr.write("dnspair: reply with unexpected id %d\n" % msg.id)
            return
        if not want[msg.id][0].is_response(msg):
            sys.stderr.write("dnspair: reply %d does not answer its question\n" % msg.id)
            return
        got[msg.id] = msg
    deadline = time.monotonic() + opts.timeout
    while len(got) < len(want):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            break
        try:
            data = sock.recv(65535)
        except ConnectionRefusedError:
            sys.stderr.write("dnspair: connection refused (ICMP port unreachable)\n")
            break
        except OSError as e:
            sys.stderr.write("dnspair: %s\n" % e)
            break
        if opts.tcp:
            if not data:
                sys.stderr.write("dnspair: the server closed the connection\n")
                break
            stream += data
            while len(stream) >= 2 and len(stream) >= 2 + struct.unpack("!H", stream[:2])[0]:
                n = struct.unpack("!H", stream[:2])[0]
                stream, data = stream[2 + n:], stream[2:2 + n]
                take(data)
            continue
        take(data)

    status = 0
    for qid in ids:
        tname = want[qid][1]
        msg = got.get(qid)
        if msg is None:
            print("%s NOREPLY" % tname)
            status = 1
            continue
        data = [rd.to_text() for rrs in msg.answer for rd in rrs
                if rrs.rdtype == dns.rdatatype.from_text(tname)]
        auth = sorted({dns.rdatatype.to_text(rrs.rdtype) for rrs in msg.authority})
        print("%s %s %s %s" % (tname, dns.rcode.to_text(msg.rcode()),
                               ",".join(data) or "-", ",".join(auth) or "-"))
    return status


if __name__ == "__main__":
    sys.exit(main())
