/*
 * The DNS benchmark's upstream stub (tests/bench/dns.sh builds it with cc
 * into the bench's work directory): an authoritative server for
 * example.test on ADDR#PORT over UDP.
 *
 *   dns_stub ADDR PORT TTL READYFILE LOGFILE
 *
 * A for any name under example.test (the apex too): 192.0.2.x, x derived
 * from the name (FNV-1a of its lower-case form, 1..254), with TTL; other
 * types there NODATA; names elsewhere REFUSED; a query without a question
 * FORMERR; replies and unparsable messages are dropped.  AA on answers from
 * the zone, RD copied, an OPT record (1232 bytes) when the query had one.
 * Appends one line per query to LOGFILE ("NAME. TYPE", one write per batch)
 * so the bench counts what reached the upstream, and creates READYFILE once
 * its socket is bound.  Runs until killed.
 *
 * In C, with recvmmsg/sendmmsg batches, so that a stream of forwarded cache
 * misses (every query upstream) measures the server, not the stub: a few
 * microseconds per query, where a Python stub took about 30.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MSGMAX 1500
#define LOGMAX (BATCH * 300)

static uint32_t ttl;

/* The reply to Q (QLEN bytes) in R, its length, or 0 to drop Q; the query's
 * log line appended at *LOGP. */
static size_t answer(const uint8_t *q, size_t qlen, uint8_t *r, char **logp)
{
	static const char zone[] = "example.test";
	char name[256];
	size_t i = 12, nl = 0, qend;
	uint16_t qd, ar, qtype;
	uint32_t h = 2166136261u;
	int inzone, opt = 0;
	size_t n;

	if (qlen < 12 || (q[2] & 0x80))
		return 0; /* too short, or a reply */
	qd = (uint16_t)(q[4] << 8 | q[5]);
	ar = (uint16_t)(q[10] << 8 | q[11]);
	memcpy(r, q, 2);
	r[2] = 0x80 | (q[2] & 0x79); /* QR, opcode, RD */
	r[3] = 0;
	memset(r + 4, 0, 8);
	if (qd == 0) {
		r[3] = 1; /* FORMERR */
		*logp += sprintf(*logp, "- -\n");
		return 12;
	}
	for (;;) {
		uint8_t l;

		if (i >= qlen)
			return 0;
		l = q[i++];
		if (l == 0)
			break;
		if (l > 63 || i + l > qlen || nl + l + 1 >= sizeof(name))
			return 0;
		for (size_t k = 0; k < l; k++)
			name[nl++] = (char)tolower(q[i + k]);
		name[nl++] = '.';
		i += l;
	}
	if (i + 4 > qlen)
		return 0;
	qend = i + 4;
	qtype = (uint16_t)(q[i] << 8 | q[i + 1]);
	if (nl == 0)
		name[nl++] = '.';
	name[nl] = 0;
	/* Additional section: the OPT record first, as resolvers send it. */
	if (ar && qend + 11 <= qlen && q[qend] == 0 && q[qend + 1] == 0 && q[qend + 2] == 41)
		opt = 1;
	*logp += sprintf(*logp, "%s %s\n", name,
			 qtype == 1 ? "A" : qtype == 28 ? "AAAA" : "OTHER");
	for (size_t k = 0; k < nl; k++)
		h = (h ^ (uint8_t)name[k]) * 16777619u;
	inzone = (nl == sizeof(zone) && memcmp(name, zone, sizeof(zone) - 1) == 0) ||
		 (nl > sizeof(zone) && name[nl - sizeof(zone) - 1] == '.' &&
		  memcmp(name + nl - sizeof(zone), zone, sizeof(zone) - 1) == 0);
	r[5] = 1; /* the question */
	memcpy(r + 12, q + 12, qend - 12);
	n = qend;
	if (!inzone) {
		r[3] = 5; /* REFUSED */
	} else {
		r[2] |= 0x04; /* AA */
		if (qtype == 1) {
			static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1 };

			r[7] = 1;
			memcpy(r + n, rr, sizeof(rr));
			n += sizeof(rr);
			r[n++] = (uint8_t)(ttl >> 24);
			r[n++] = (uint8_t)(ttl >> 16);
			r[n++] = (uint8_t)(ttl >> 8);
			r[n++] = (uint8_t)ttl;
			r[n++] = 0;
			r[n++] = 4;
			r[n++] = 192;
			r[n++] = 0;
			r[n++] = 2;
			r[n++] = (uint8_t)(1 + h % 254);
		}
	}
	if (opt) {
		static const uint8_t o[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };

		r[11] = 1;
		memcpy(r + n, o, sizeof(o));
		n += sizeof(o);
	}
	return n;
}

int main(int argc, char **argv)
{
	static uint8_t in[BATCH][MSGMAX], out[BATCH][MSGMAX];
	static char logbuf[LOGMAX];
	struct sockaddr_in sa = { .sin_family = AF_INET }, peers[BATCH];
	struct mmsghdr rm[BATCH], sm[BATCH];
	struct iovec riov[BATCH], siov[BATCH];
	int fd, logfd, buf = 4 << 20;

	if (argc != 6) {
		fprintf(stderr, "usage: dns_stub ADDR PORT TTL READYFILE LOGFILE\n");
		return 2;
	}
	ttl = (uint32_t)strtoul(argv[3], NULL, 10);
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "dns_stub: bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* Room for bursts of 100 outstanding queries from a server. */
	if (fd < 0 || (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0 &&
		       setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)) < 0) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("dns_stub: socket");
		return 1;
	}
	logfd = open(argv[5], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0 || close(open(argv[4], O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		perror("dns_stub: log or ready file");
		return 1;
	}
	for (int k = 0; k < BATCH; k++) {
		riov[k] = (struct iovec){ .iov_base = in[k], .iov_len = MSGMAX };
		siov[k].iov_base = out[k];
	}
	for (;;) {
		char *lp = logbuf;
		int got, ns = 0;

		for (int k = 0; k < BATCH; k++)
			rm[k].msg_hdr = (struct msghdr){ .msg_name = &peers[k],
							 .msg_namelen = sizeof(peers[k]),
							 .msg_iov = &riov[k],
							 .msg_iovlen = 1 };
		got = recvmmsg(fd, rm, BATCH, MSG_WAITFORONE, NULL);
		if (got < 0)
			continue;
		for (int k = 0; k < got; k++) {
			size_t n = answer(in[k], rm[k].msg_len, out[ns], &lp);

			if (!n)
				continue;
			siov[ns].iov_len = n;
			siov[ns].iov_base = out[ns];
			sm[ns].msg_hdr = (struct msghdr){ .msg_name = &peers[k],
							  .msg_namelen = rm[k].msg_hdr.msg_namelen,
							  .msg_iov = &siov[ns],
							  .msg_iovlen = 1 };
			ns++;
		}
		if (lp > logbuf && write(logfd, logbuf, (size_t)(lp - logbuf)) < 0)
			perror("dns_stub: log");
		for (int done = 0; done < ns;) {
			int s = sendmmsg(fd, sm + done, (unsigned)(ns - done), 0);

			if (s <= 0)
				break; /* a full buffer: the rest are lost, as on a real network */
			done += s;
		}
	}
}
