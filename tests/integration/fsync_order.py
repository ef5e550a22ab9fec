#!/usr/bin/python3
"""Check, from `strace -f -tt -T -y -xx` of leased, that durability comes
before the reply: every DHCPACK and every DHCPv6 REPLY that grants an
address (sendmmsg/sendmsg) follows a write of
its lease's record to the journal and an fdatasync of the journal that
started after that write and ended before the send; and every rename into
place (lease file, fresh journal) is followed by an fsync of the lease
directory before its process touches anything else.

Usage: fsync_order.py TRACE LEASEFILE.  Prints what it checked; exit 1
with the first violation."""
import ipaddress
import re
import sys

trace, leasefile = sys.argv[1], sys.argv[2]
journal = leasefile + ".journal"
lease_dir = leasefile.rsplit("/", 1)[0]

HEX = re.compile(r"(?:\\x[0-9a-f]{2})+")


def unhex(s):
    return bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-f]{2})", s))


def secs(ts):
    h, m, s = ts.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


# strace pads the pid to five columns ("4984  07:00:13.88 ..."): a fresh
# machine's low pids get two or more spaces.
LINE = re.compile(r"^(\d+) +(\d\d:\d\d:\d\d\.\d+) (.*)$")
pending = {}  # pid -> (start, text of the unfinished call)
calls = []    # (pid, start, end, name, text)
with open(trace, encoding="latin-1") as f:
    for raw in f:
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        pid, ts, rest = int(m.group(1)), secs(m.group(2)), m.group(3)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = (ts, rest[: -len("<unfinished ...>")])
            continue
        r = re.match(r"<\.\.\. (\w+) resumed>(.*)$", rest)
        if r:
            start, head = pending.pop(pid, (ts, r.group(1) + "("))
            text, end = head + r.group(2), ts
        else:
            start, text = ts, rest
            d = re.search(r"<(\d+\.\d+)>$", rest)
            end = ts + float(d.group(1)) if d else ts
        n = re.match(r"(\w+)\(", text)
        if n:
            calls.append((pid, start, end, n.group(1), text))
calls.sort(key=lambda c: c[1])


def fd_path(text):
    m = re.match(r"\w+\(\d+<((?:\\x[0-9a-f]{2})+)>", text)
    return unhex(m.group(1)).decode("latin-1") if m else None


def ok_result(text):
    return re.search(r"\) = (\d+)( <[\d.]+>)?$", text) is not None


def v6_granted(pkt):
    """The addresses a DHCPv6 REPLY grants (IA_NA > IAADDR, valid lifetime > 0)."""
    out, i = [], 4
    while pkt and pkt[0] == 7 and i + 4 <= len(pkt):
        code, n = int.from_bytes(pkt[i:i + 2], "big"), int.from_bytes(pkt[i + 2:i + 4], "big")
        if code == 3:  # IA_NA: IAID, T1, T2, then options
            j, end = i + 16, i + 4 + n
            while j + 4 <= end:
                c, m = int.from_bytes(pkt[j:j + 2], "big"), int.from_bytes(pkt[j + 2:j + 4], "big")
                if c == 5 and m >= 24 and int.from_bytes(pkt[j + 24:j + 28], "big") > 0:
                    out.append(ipaddress.IPv6Address(pkt[j + 4:j + 20]).compressed)
                j += 4 + m
        i += 4 + n
    return out


writes = []   # (start, set of addresses in the records)
syncs = []    # (start, end) of fdatasync of the journal
acks = []     # (start, yiaddr)
for pid, start, end, name, text in calls:
    if name == "write" and fd_path(text) == journal and ok_result(text):
        data = unhex(text.split(", ", 2)[1]).decode("latin-1")
        addrs = set()
        for rec in data.split("\n"):
            f = rec.split(" ")
            if len(f) >= 5 and f[1] == "+":
                addrs.add(f[4])
        writes.append((start, addrs))
    elif name == "fdatasync" and fd_path(text) == journal and ok_result(text):
        syncs.append((start, end))
    elif name in ("sendmmsg", "sendmsg") and ok_result(text):
        for b in re.findall(r'iov_base="((?:\\x[0-9a-f]{2})+)"', text):
            pkt = unhex(b)
            acks.extend((start, a) for a in v6_granted(pkt))
            # BOOTREPLY with option 53 = 5 (DHCPACK) first after the cookie
            if len(pkt) > 243 and pkt[0] == 2 and pkt[236:240] == b"\x63\x82\x53\x63":
                i = 240
                while i + 1 < len(pkt) and pkt[i] != 255:
                    if pkt[i] == 0:
                        i += 1
                        continue
                    if pkt[i] == 53 and pkt[i + 2] == 5:
                        acks.append((start, ".".join(str(x) for x in pkt[16:20])))
                        break
                    i += 2 + pkt[i + 1]

if not any("." in a for _, a in acks) or not any(":" in a for _, a in acks):
    sys.exit("no DHCPACK or no DHCPv6 REPLY seen in the trace (strace -s too small?)")
for t_send, addr in acks:
    covered = False
    for t_w, addrs in writes:
        if t_w >= t_send or addr not in addrs:
            continue
        if any(s > t_w and e < t_send for s, e in syncs):
            covered = True
            break
    if not covered:
        sys.exit(f"reply granting {addr} sent at {t_send:.6f} before an fdatasync of "
                 f"{journal} covered its record")
n6 = sum(1 for _, a in acks if ":" in a)
print(f"{len(acks) - n6} DHCPACKs and {n6} DHCPv6 REPLYs, each after the fdatasync that "
      f"covered its record ({len(writes)} journal writes, {len(syncs)} fdatasyncs)")

# Renames into place, then the directory's fsync before anything else.
renames = 0
for i, (pid, start, end, name, text) in enumerate(calls):
    if name != "rename" or not ok_result(text):
        continue
    to = unhex(re.findall(r'"((?:\\x[0-9a-f]{2})+)"', text)[1]).decode("latin-1")
    if to.endswith(".journal.old"):
        continue  # covered by the fresh journal's rename and sync after it
    renames += 1
    nxt = next((c for c in calls[i + 1:] if c[0] == pid), None)
    if not nxt or nxt[3] != "fsync" or fd_path(nxt[4]) != lease_dir:
        sys.exit(f"rename to {to} (pid {pid}) not followed by an fsync of {lease_dir}: "
                 f"next {nxt[3] if nxt else 'nothing'}")
if renames < 2:
    sys.exit(f"only {renames} renames into place seen")
print(f"{renames} renames into place, each followed by an fsync of {lease_dir}")
