#!/usr/bin/python3
"""Load for tests/bench/ra.sh (router solicitations beside DNS).

Standard library only; run inside the client namespace.

  load IFACE RS_RATE SECONDS DNS_SERVER NAME OUT
      For SECONDS: send RS_RATE router solicitations per second (0: none)
      to ff02::2 on IFACE from its link-local address (hop limit 255, a
      source link-layer address option), count the router advertisements
      that come back, and meanwhile ask DNS_SERVER:53 for NAME (A) 100
      times a second, timing each answer.  Writes one line of key=value
      to OUT: rs_sent, ra_received, dns_sent, dns_answered, dns_p50_ms,
      dns_p99_ms.
"""
import os
import random
import socket
import struct
import sys
import threading
import time

ICMP6_FILTER = 1
ND_ROUTER_SOLICIT = 133
ND_ROUTER_ADVERT = 134


def mac_of(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes(int(x, 16) for x in f.read().strip().split(":"))


def icmp6_socket(iface):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    # Pass router advertisements only (a set bit blocks a type).
    blocked = [0xFFFFFFFF] * 8
    blocked[ND_ROUTER_ADVERT >> 5] &= ~(1 << (ND_ROUTER_ADVERT & 31))
    s.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, struct.pack("=8I", *blocked))
    s.settimeout(0.2)
    return s


def count_ras(sock, stop, counter):
    while not stop.is_set():
        try:
            sock.recv(2048)
        except socket.timeout:
            continue
        counter[0] += 1


def dns_query(name, qid):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.strip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)


def dns_loop(server, name, seconds, result):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    lat, sent = [], 0
    end = time.monotonic() + seconds
    nxt = time.monotonic()
    while time.monotonic() < end:
        qid = random.randrange(65536)
        t0 = time.monotonic()
        s.sendto(dns_query(name, qid), (server, 53))
        sent += 1
        try:
            while True:
                data = s.recv(4096)
                if len(data) >= 2 and struct.unpack("!H", data[:2])[0] == qid:
                    lat.append((time.monotonic() - t0) * 1000)
                    break
        except socket.timeout:
            pass
        nxt += 0.01
        time.sleep(max(0, nxt - time.monotonic()))
    result.update(dns_sent=sent, dns_lat=lat)


def pct(v, p):
    if not v:
        return -1
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def load(iface, rate, seconds, server, name, out):
    rate, seconds = int(rate), float(seconds)
    sock = icmp6_socket(iface)
    rs = struct.pack("!BBHI", ND_ROUTER_SOLICIT, 0, 0, 0) + bytes([1, 1]) + mac_of(iface)
    dest = ("ff02::2", 0, 0, socket.if_nametoindex(iface))
    stop, ras, dns = threading.Event(), [0], {}
    rx = threading.Thread(target=count_ras, args=(sock, stop, ras))
    dq = threading.Thread(target=dns_loop, args=(server, name, seconds, dns))
    rx.start()
    dq.start()
    sent = 0
    t0 = time.monotonic()
    while rate and time.monotonic() - t0 < seconds:
        # Catch up in small bursts: the schedule, not the loop, sets the rate.
        due = int((time.monotonic() - t0) * rate)
        while sent < due:
            sock.sendto(rs, dest)
            sent += 1
        time.sleep(0.001)
    dq.join()
    time.sleep(0.3)
    stop.set()
    rx.join()
    lat = dns["dns_lat"]
    with open(out, "w") as f:
        f.write("rs_sent=%d ra_received=%d dns_sent=%d dns_answered=%d "
                "dns_p50_ms=%.2f dns_p99_ms=%.2f\n" %
                (sent, ras[0], dns["dns_sent"], len(lat), pct(lat, 50), pct(lat, 99)))


def main():
    if len(sys.argv) == 8 and sys.argv[1] == "load":
        load(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
