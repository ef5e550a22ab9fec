#!/usr/bin/python3
"""dnsupstream.py - a scriptable upstream DNS server for leased's
integration tests (t_dns_*.sh).  Run it with Debian's /usr/bin/python3
(python3-dnspython) inside a network namespace the test made.

It listens on UDP and TCP on --addr/--port and answers from rules given
on the command line and in a rules file.  The rules file is read again
whenever it is replaced or changed (checked on every query) and on
SIGHUP, so a test can switch what the server says while it runs; write
it atomically (a new file moved into place).  It counts the queries it
receives per (name, type, transport) and writes the counts to --counts
before it answers, so a test that got its reply can read them.

Rules, one per line in the file (# starts a comment), the same as the
options without the leading dashes:

  rule NAME [TTL] TYPE DATA   a record, e.g. "rule example.org A 192.0.2.1";
                              several for one name and type form one RRset
  cname NAME TARGET           NAME is a CNAME for TARGET (the target's
                              records are added when this server has them)
  big NAME [COUNT]            COUNT (180) A records for NAME: about 3 KB
  nxdomain PATTERN            NXDOMAIN, with an SOA in authority
  nodata PATTERN              NOERROR, no answer, an SOA in authority
  servfail PATTERN            SERVFAIL
  refused PATTERN             REFUSED
  silent [PATTERN]            never answer (default pattern: everything)
  drop-type PATTERN TYPE      never answer queries of TYPE for the names
                              PATTERN covers; other types are answered as
                              the other rules say (an upstream that loses
                              AAAA queries for one name)
  miss N PATTERN [TYPE]       leave the first N queries for each name
                              PATTERN covers (of TYPE only, when given)
                              unanswered, then answer as the other rules
                              say; counted per name (and TYPE) since the
                              rules were last loaded, so replacing the
                              rules file starts the count again
  tc-udp [always|over512]     over UDP answer with TC set and no records:
                              always, or when the answer exceeds 512 bytes;
                              over TCP answer fully
  soa-ttl N / soa-min N       TTL and MINIMUM of the SOA in negative answers
                              (default 300 / 300)
  ttl N                       TTL of records given without one (300)
  default ACTION              for names no rule covers: nxdomain (default),
                              nodata, servfail, refused or silent
  delay SECONDS               wait this long before each answer

A PATTERN is a name, "*.NAME" (NAME and every name below it) or "*".
drop-type and miss come first, whatever the other rules say.  Otherwise,
where several rules cover a name the most specific wins (an exact name
before *.NAME, a longer NAME before a shorter); between rules as
specific, silent > servfail > refused > nxdomain > records > nodata.
A name with records of another type than the one asked gets NODATA.
Over UDP an answer larger than the client's EDNS size (512 without EDNS)
is sent with TC set and no records, as servers do.

Counts file: one line "NAME TYPE TRANSPORT COUNT" (NAME lower case,
without the final dot; "." for the root), rewritten after every query.
"""

import argparse
import os
import signal
import socket
import struct
import sys
import threading
import time
import traceback

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.name
    import dns.rcode
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset
except ImportError as e:  # pragma: no cover
    sys.stderr.write("dnsupstream: dnspython is missing (%s); install python3-dnspython "
                     "and run this with /usr/bin/python3\n" % e)
    sys.exit(2)

ACTIONS = ("silent", "servfail", "refused", "nxdomain")
DEFAULTS = ("nxdomain", "nodata", "servfail", "refused", "silent")
PRIORITY = {"silent": 0, "servfail": 1, "refused": 2, "nxdomain": 3, "data": 4, "nodata": 5}


class RuleError(Exception):
    pass


def norm(name):
    n = name.strip().lower().rstrip(".")
    return n if n else "."


def specificity(pattern, name):
    """How specifically pattern covers name (higher wins), or None."""
    if pattern == "*":
        return 0
    if pattern.startswith("*."):
        base = pattern[2:]
        if name == base or name.endswith("." + base):
            return 1 + base.count(".")
        return None
    return 1000 if pattern == name else None


class Rules:
    def __init__(self):
        self.records = {}   # (name, rdtype) -> [(ttl, rdata)]
        self.cnames = {}    # name -> target
        self.patterns = []  # (pattern, kind) kind in ACTIONS or "nodata"
        self.tc_udp = None
        self.soa_ttl = 300
        self.soa_min = 300
        self.ttl = 300
        self.default = "nxdomain"
        self.delay = 0.0
        self.drops = []     # (pattern, rdtype name): drop-type rules
        self.misses = []    # (n, pattern, rdtype name or None): miss rules
        self.missed = {}    # (miss rule index, name, type or None) -> queries left unanswered

    def apply(self, words, where):
        if not words:
            return
        op, args = words[0].lower(), words[1:]

        def need(n, usage):
            if len(args) < n:
                raise RuleError("%s: '%s' needs %s" % (where, op, usage))

        def number(text, kind=int):
            try:
                v = kind(text)
            except ValueError:
                raise RuleError("%s: '%s' is not a number" % (where, text))
            if v < 0:
                raise RuleError("%s: '%s' is negative" % (where, text))
            return v

        def pattern(text):
            return norm(text) if text != "*" else "*"

        def rdtype_name(text):
            try:
                return dns.rdatatype.to_text(dns.rdatatype.from_text(text.upper()))
            except Exception:
                raise RuleError("%s: '%s' is not a record type" % (where, text))

        if op == "rule":
            need(3, "NAME [TTL] TYPE DATA")
            name, rest = norm(args[0]), args[1:]
            ttl = self.ttl
            if rest[0].isdigit():
                ttl, rest = int(rest[0]), rest[1:]
            if len(rest) < 2:
                raise RuleError("%s: 'rule' needs NAME [TTL] TYPE DATA" % where)
            try:
                rdtype = dns.rdatatype.from_text(rest[0].upper())
                rd = dns.rdata.from_text(dns.rdataclass.IN, rdtype, " ".join(rest[1:]),
                                         origin=dns.name.root)
            except Exception as e:  # dnspython raises many kinds
                raise RuleError("%s: bad record '%s': %s" % (where, " ".join(args), e))
            self.records.setdefault((name, rdtype), []).append((ttl, rd))
        elif op == "cname":
            need(2, "NAME TARGET")
            self.cnames[norm(args[0])] = norm(args[1])
        elif op == "big":
            need(1, "NAME [COUNT]")
            count = number(args[1]) if len(args) > 1 else 180
            if not 1 <= count <= 1000:
                raise RuleError("%s: big COUNT must be 1..1000" % where)
            name = norm(args[0])
            recs = self.records.setdefault((name, dns.rdatatype.A), [])
            for i in range(count):
                addr = "198.18.%d.%d" % (i // 250, 1 + i % 250)
                recs.append((self.ttl, dns.rdata.from_text(dns.rdataclass.IN,
                                                           dns.rdatatype.A, addr)))
        elif op in ACTIONS or op == "nodata":
            pats = args or (["*"] if op == "silent" else [])
            if not pats:
                raise RuleError("%s: '%s' needs a name or pattern" % (where, op))
            for p in pats:
                self.patterns.append((norm(p) if p != "*" else "*", op))
        elif op == "drop-type":
            need(2, "PATTERN TYPE")
            self.drops.append((pattern(args[0]), rdtype_name(args[1])))
        elif op == "miss":
            need(2, "N PATTERN [TYPE]")
            self.misses.append((number(args[0]), pattern(args[1]),
                                rdtype_name(args[2]) if len(args) > 2 else None))
        elif op == "tc-udp":
            mode = args[0].lower() if args else "always"
            if mode not in ("always", "over512", "off"):
                raise RuleError("%s: tc-udp takes always, over512 or off" % where)
            self.tc_udp = None if mode == "off" else mode
        elif op == "soa-ttl":
            need(1, "N")
            self.soa_ttl = number(args[0])
        elif op == "soa-min":
            need(1, "N")
            self.soa_min = number(args[0])
        elif op == "ttl":
            need(1, "N")
            self.ttl = number(args[0])
        elif op == "default":
            need(1, "ACTION")
            if args[0].lower() not in DEFAULTS:
                raise RuleError("%s: default takes one of %s" % (where, ", ".join(DEFAULTS)))
            self.default = args[0].lower()
        elif op == "delay":
            need(1, "SECONDS")
            self.delay = number(args[0], float)
        else:
            raise RuleError("%s: unknown rule '%s'" % (where, op))

    def has_data(self, name):
        return name in self.cnames or any(n == name for (n, _t) in self.records)

    def unanswered(self, name, qtype):
        """Why drop-type or miss leaves this query unanswered, or None.
        Called once per query (miss counts it), under the server's lock."""
        for pat, t in self.drops:
            if t == qtype and specificity(pat, name) is not None:
                return "drop-type %s %s" % (pat, t)
        for i, (n, pat, t) in enumerate(self.misses):
            if (t is None or t == qtype) and specificity(pat, name) is not None:
                key = (i, name, t)
                done = self.missed.get(key, 0)
                if done < n:
                    self.missed[key] = done + 1
                    return "miss %d of %d" % (done + 1, n)
        return None

    def decide(self, name):
        """The kind of answer for name: an action, 'data' or 'nodata'."""
        best = None
        for pat, kind in self.patterns:
            s = specificity(pat, name)
            if s is not None:
                cand = (s, -PRIORITY[kind], kind)
                best = cand if best is None or cand > best else best
        if self.has_data(name):
            cand = (1000, -PRIORITY["data"], "data")
            best = cand if best is None or cand > best else best
        return best[2] if best else self.default


def parse_lines(lines, where):
    out = []
    for i, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if line:
            out.append((line.split(), "%s:%d" % (where, i)))
    return out


class Server:
    def __init__(self, opts, cli_rules):
        self.opts = opts
        self.cli_rules = cli_rules
        self.lock = threading.Lock()
        self.counts = {}
        self.rules_stamp = None
        self.rules = self.build([])  # validates the command line
        self.file_rules = []
        if opts.rules_file:
            self.load_file(force=True, fatal=True)

    def log(self, msg):
        sys.stdout.write("%.3f %s\n" % (time.time(), msg))
        sys.stdout.flush()

    def build(self, file_rules):
        r = Rules()
        for words, where in self.cli_rules + file_rules:
            r.apply(words, where)
        return r

    def load_file(self, force=False, fatal=False):
        path = self.opts.rules_file
        try:
            st = os.stat(path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if not force and stamp == self.rules_stamp:
            return
        self.rules_stamp = stamp
        try:
            if stamp is None:
                lines = []
                self.log("rules file %s does not exist: no rules from it" % path)
            else:
                with open(path) as f:
                    lines = f.read().splitlines()
            file_rules = parse_lines(lines, path)
            rules = self.build(file_rules)
        except (RuleError, OSError) as e:
            msg = "ERROR: %s; keeping the rules in force before" % e
            if fatal:
                sys.stderr.write("dnsupstream: %s\n" % e)
                sys.exit(2)
            self.log(msg)
            sys.stderr.write("dnsupstream: %s\n" % msg)
            return
        self.file_rules, self.rules = file_rules, rules
        self.log("rules loaded: %d from the command line, %d from %s"
                 % (len(self.cli_rules), len(file_rules), path))

    def count(self, name, qtype, transport):
        key = (name, qtype, transport)
        self.counts[key] = self.counts.get(key, 0) + 1
        if not self.opts.counts:
            return
        tmp = self.opts.counts + ".tmp"
        with open(tmp, "w") as f:
            for (n, t, tr), c in sorted(self.counts.items()):
                f.write("%s %s %s %d\n" % (n, t, tr, c))
        os.replace(tmp, self.opts.counts)

    def soa(self, name, rules):
        """The SOA for negative answers: owned by name's last two labels."""
        labels = [] if name == "." else name.split(".")
        zone = ".".join(labels[-2:]) + "." if labels else "."
        base = zone if zone != "." else "invalid."
        text = "ns.%s hostmaster.%s 1 3600 600 86400 %d" % (base, base, rules.soa_min)
        return dns.rrset.from_text(zone, rules.soa_ttl, "IN", "SOA", text)

    def add_records(self, resp, name, rdtype, rules):
        """Add name's records of rdtype to the answer; True if any."""
        recs = rules.records.get((name, rdtype))
        if not recs:
            return False
        rrs = dns.rrset.RRset(dns.name.from_text(name), dns.rdataclass.IN, rdtype)
        for ttl, rd in recs:
            rrs.add(rd, ttl)
        resp.answer.append(rrs)
        return True

    def answer(self, query, transport, peer):
        """The reply message for query, or None for no reply, and the delay."""
        q = query.question[0]
        name = norm(q.name.to_text())
        qtype = dns.rdatatype.to_text(q.rdtype)
        with self.lock:
            if self.opts.rules_file:
                self.load_file()
            rules = self.rules
            self.count(name, qtype, transport)
            why = rules.unanswered(name, qtype)
        if why is not None:
            self.log("%s %s %s %s id=%d: silent (%s)" % (transport, peer, name, qtype, query.id, why))
            return None, 0
        kind = rules.decide(name)
        if kind == "silent":
            self.log("%s %s %s %s id=%d: silent" % (transport, peer, name, qtype, query.id))
            return None, 0
        resp = dns.message.make_response(query, recursion_available=True)
        if kind == "servfail":
            resp.set_rcode(dns.rcode.SERVFAIL)
        elif kind == "refused":
            resp.set_rcode(dns.rcode.REFUSED)
        elif kind == "nxdomain":
            resp.set_rcode(dns.rcode.NXDOMAIN)
            resp.authority.append(self.soa(name, rules))
        elif kind == "nodata":
            resp.authority.append(self.soa(name, rules))
        else:  # data
            cur, seen = name, set()
            while True:
                if self.add_records(resp, cur, q.rdtype, rules):
                    break
                target = rules.cnames.get(cur)
                if target is None or q.rdtype == dns.rdatatype.CNAME or cur in seen:
                    break
                seen.add(cur)
                rrs = dns.rrset.from_text(cur + ".", rules.ttl, "IN", "CNAME", target + ".")
                resp.answer.append(rrs)
                # Chase the target only through names whose data this server owns.
                if rules.decide(target) != "data":
                    break
                cur = target
            if not resp.answer:
                resp.authority.append(self.soa(name, rules))
        return resp, rules

    def wire(self, query, resp, rules, transport):
        """The reply's wire form, truncated as a UDP server must."""
        if transport == "tcp":
            return resp.to_wire(max_size=65535)
        limit = query.payload if query.edns >= 0 else 512
        limit = max(512, min(limit, 65535))
        full = resp.to_wire(max_size=65535)
        truncate = (rules.tc_udp == "always"
                    or (rules.tc_udp == "over512" and len(full) > 512)
                    or len(full) > limit)
        if not truncate:
            return full
        resp.answer, resp.authority, resp.additional = [], [], []
        resp.flags |= dns.flags.TC
        return resp.to_wire(max_size=65535)

    def handle(self, data, transport, peer, send):
        try:
            self.handle1(data, transport, peer, send)
        except Exception:
            self.log("ERROR: %s %s: %s" % (transport, peer, traceback.format_exc()))

    def handle1(self, data, transport, peer, send):
        try:
            query = dns.message.from_wire(data)
        except Exception as e:
            self.log("%s %s: malformed query (%s): ignored" % (transport, peer, e))
            return
        if not query.question:
            self.log("%s %s id=%d: no question: ignored" % (transport, peer, query.id))
            return
        resp, rules = self.answer(query, transport, peer)
        if resp is None:
            return
        wire = self.wire(query, resp, rules, transport)
        q = query.question[0]
        self.log("%s %s %s %s id=%d edns=%s: %s, %d answers%s, %d bytes" % (
            transport, peer, norm(q.name.to_text()), dns.rdatatype.to_text(q.rdtype),
            query.id, query.payload if query.edns >= 0 else "no",
            dns.rcode.to_text(resp.rcode()), sum(len(r) for r in resp.answer),
            " TC" if resp.flags & dns.flags.TC else "", len(wire)))
        if rules.delay > 0:
            threading.Timer(rules.delay, send, (wire,)).start()
        else:
            send(wire)

    def serve_udp(self, sock):
        while True:
            try:
                data, peer = sock.recvfrom(65535)
            except OSError:
                return
            peer_text = "%s#%d" % peer[:2]

            def send(wire, peer=peer):
                try:
                    sock.sendto(wire, peer)
                except OSError as e:
                    self.log("udp send to %s failed: %s" % (peer_text, e))
            self.handle(data, "udp", peer_text, send)

    def serve_tcp_conn(self, conn, peer):
        peer_text = "%s#%d" % peer[:2]
        wlock = threading.Lock()

        def send(wire):
            with wlock:
                try:
                    conn.sendall(struct.pack("!H", len(wire)) + wire)
                except OSError:
                    pass

        def recv_exact(n):
            buf = b""
            while len(buf) < n:
                chunk = conn.recv(n - len(buf))
                if not chunk:
                    return None
                buf += chunk
            return buf

        try:
            conn.settimeout(30)
            while True:
                hdr = recv_exact(2)
                if hdr is None:
                    break
                data = recv_exact(struct.unpack("!H", hdr)[0])
                if data is None:
                    break
                self.handle(data, "tcp", peer_text, send)
        except OSError:
            pass
        finally:
            # Let delayed answers go out before closing.
            time.sleep(self.rules.delay)
            conn.close()

    def serve_tcp(self, sock):
        while True:
            try:
                conn, peer = sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve_tcp_conn, args=(conn, peer), daemon=True).start()


def main():
    ap = argparse.ArgumentParser(
        description="A scriptable upstream DNS server for leased's integration tests.",
        epilog="Rules (see the top of this file) come from the options below and "
               "from --rules-file, which is reread whenever it changes and on SIGHUP.")
    ap.add_argument("--addr", required=True, help="address to listen on (UDP and TCP)")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--rules-file", help="file of rules, reread when it changes")
    ap.add_argument("--counts", help="file the query counts are written to")
    ap.add_argument("--pid-file", help="written once both sockets listen")
    ap.add_argument("--rule", action="append", default=[], metavar="'NAME [TTL] TYPE DATA'")
    ap.add_argument("--cname", action="append", nargs=2, default=[], metavar=("NAME", "TARGET"))
    ap.add_argument("--big", action="append", default=[], metavar="NAME")
    for a in ("nxdomain", "nodata", "servfail", "refused"):
        ap.add_argument("--" + a, action="append", default=[], metavar="PATTERN")
    ap.add_argument("--silent", action="append", nargs="?", const="*", default=[],
                    metavar="PATTERN", help="never answer (PATTERN, default everything)")
    ap.add_argument("--drop-type", action="append", nargs=2, default=[],
                    metavar=("PATTERN", "TYPE"))
    ap.add_argument("--miss", action="append", nargs="+", default=[],
                    metavar="N PATTERN [TYPE]")
    ap.add_argument("--tc-udp", nargs="?", const="always", choices=("always", "over512"))
    ap.add_argument("--soa-ttl", type=int)
    ap.add_argument("--soa-min", type=int)
    ap.add_argument("--ttl", type=int)
    ap.add_argument("--default", choices=DEFAULTS)
    ap.add_argument("--delay", type=float)
    opts = ap.parse_args()

    cli = []
    # Settings first, so that records given on the command line use --ttl.
    for key in ("soa_ttl", "soa_min", "ttl", "default", "delay", "tc_udp"):
        v = getattr(opts, key)
        if v is not None:
            cli.append(([key.replace("_", "-"), str(v)], "--" + key.replace("_", "-")))
    for r in opts.rule:
        cli.append((["rule"] + r.split(), "--rule"))
    for n, t in opts.cname:
        cli.append((["cname", n, t], "--cname"))
    for n in opts.big:
        cli.append((["big", n], "--big"))
    for a in ACTIONS + ("nodata",):
        for p in getattr(opts, a):
            cli.append(([a, p], "--" + a))
    for p, t in opts.drop_type:
        cli.append((["drop-type", p, t], "--drop-type"))
    for m in opts.miss:
        if len(m) > 3:
            ap.error("--miss takes N PATTERN [TYPE]")
        cli.append((["miss"] + m, "--miss"))

    try:
        server = Server(opts, cli)
    except RuleError as e:
        sys.stderr.write("dnsupstream: %s\n" % e)
        sys.exit(2)

    family = socket.AF_INET6 if ":" in opts.addr else socket.AF_INET
    try:
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((opts.addr, opts.port))
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((opts.addr, opts.port))
        tcp.listen(64)
    except OSError as e:
        sys.stderr.write("dnsupstream: cannot listen on %s port %d: %s\n"
                         % (opts.addr, opts.port, e.strerror or e))
        sys.exit(2)

    stop = threading.Event()

    def on_term(signum, frame):
        stop.set()

    def on_hup(signum, frame):
        if opts.rules_file:
            with server.lock:
                server.load_file(force=True)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGHUP, on_hup)

    threading.Thread(target=server.serve_udp, args=(udp,), daemon=True).start()
    threading.Thread(target=server.serve_tcp, args=(tcp,), daemon=True).start()
    if opts.counts:
        with server.lock:
            open(opts.counts, "a").close()
    if opts.pid_file:
        with open(opts.pid_file + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(opts.pid_file + ".tmp", opts.pid_file)
    server.log("listening on %s port %d (UDP and TCP)" % (opts.addr, opts.port))

    while not stop.is_set():
        stop.wait(0.2)
    udp.close()
    tcp.close()
    if opts.pid_file:
        try:
            os.unlink(opts.pid_file)
        except OSError:
            pass
    server.log("SIGTERM: exiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
