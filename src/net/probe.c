/*
 * probe — ICMP echo conflict checks; see include/net/probe.h.  Pending probes
 * live in a small array (a few at a time in practice); finished results in
 * a direct-mapped cache indexed by address hash, so lookups cost nothing.
 */
#include "net/probe.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLEAR_SLOTS 4096

struct pending_probe {
	struct in_addr addr;
	uint64_t deadline_ms;
};

struct probe {
	struct loop *loop;
	int fd;
	uint16_t ident;
	uint16_t seq;
	probe_done_fn done;
	void *ctx;
	struct pending_probe pending[PROBE_MAX_PENDING];
	size_t npending;
	struct loop_timer *timer;
	struct {
		struct in_addr addr;
		uint64_t until_ms;
	} clear[CLEAR_SLOTS];
};

static size_t clear_slot(struct in_addr a)
{
	return hash_bytes(&a, sizeof(a), 0) % CLEAR_SLOTS;
}

bool probe_is_clear(const struct probe *p, struct in_addr addr)
{
	size_t s = clear_slot(addr);

	return p->clear[s].addr.s_addr == addr.s_addr && p->clear[s].until_ms > now_mono_ms();
}

static void remember_clear(struct probe *p, struct in_addr addr)
{
	size_t s = clear_slot(addr);

	p->clear[s].addr = addr;
	p->clear[s].until_ms = now_mono_ms() + PROBE_CLEAR_MS;
}

static void arm_timer(struct probe *p)
{
	uint64_t first = UINT64_MAX;

	for (size_t i = 0; i < p->npending; i++)
		first = MIN(first, p->pending[i].deadline_ms);
	if (p->npending)
		loop_timer_arm(p->timer, first);
	else
		loop_timer_disarm(p->timer);
}

/* Remove pending[i] and report it; the callback may start new probes. */
static void finish(struct probe *p, size_t i, bool in_use)
{
	struct in_addr addr = p->pending[i].addr;

	p->pending[i] = p->pending[--p->npending];
	if (!in_use)
		remember_clear(p, addr);
	arm_timer(p);
	p->done(p->ctx, addr, in_use);
}

static void on_timeout(void *ctx)
{
	struct probe *p = ctx;
	uint64_t now = now_mono_ms();

	for (size_t i = 0; i < p->npending;) {
		if (p->pending[i].deadline_ms <= now)
			finish(p, i, false);
		else
			i++;
	}
	arm_timer(p);
}

static uint16_t icmp_checksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* An echo reply to one of ours: IP header, then ICMP type 0 with our id. */
static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct probe *p = ctx;
	uint8_t buf[1500];
	struct sockaddr_in from;
	socklen_t fromlen;
	ssize_t n;

	(void)events;
	for (;;) {
		const struct icmphdr *icmp;
		size_t ihl;

		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if ((size_t)n < sizeof(struct iphdr))
			continue;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < sizeof(struct iphdr) || (size_t)n < ihl + sizeof(*icmp))
			continue;
		icmp = (const struct icmphdr *)(buf + ihl);
		if (icmp->type != ICMP_ECHOREPLY || ntohs(icmp->un.echo.id) != p->ident)
			continue;
		for (size_t i = 0; i < p->npending; i++) {
			if (p->pending[i].addr.s_addr == from.sin_addr.s_addr) {
				finish(p, i, true);
				break;
			}
		}
	}
}

struct probe *probe_new(struct loop *loop, probe_done_fn done, void *ctx,
			struct error *err)
{
	struct probe *p = xcalloc(1, sizeof(*p));

	p->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->fd < 0) {
		error_set(err, EXIT_NETWORK, "cannot open ICMP socket for the ping check: %s",
			 strerror(errno));
		free(p);
		return NULL;
	}
	p->loop = loop;
	p->done = done;
	p->ctx = ctx;
	p->ident = (uint16_t)(getpid() ^ 0x1e45);
	p->timer = loop_timer_new(loop, on_timeout, p);
	if (loop_add_fd(loop, p->fd, EPOLLIN, on_readable, p) < 0) {
		error_set(err, EXIT_NETWORK, "cannot watch ICMP socket: %s", strerror(errno));
		probe_free(p);
		return NULL;
	}
	return p;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	loop_del_fd(p->loop, p->fd);
	close(p->fd);
	loop_timer_free(p->timer);
	free(p);
}

int probe_start(struct probe *p, struct in_addr addr)
{
	struct {
		struct icmphdr h;
		uint8_t payload[8];
	} pkt;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = addr };

	for (size_t i = 0; i < p->npending; i++)
		if (p->pending[i].addr.s_addr == addr.s_addr)
			return 0;
	if (p->npending == PROBE_MAX_PENDING)
		goto unprobed;
	memset(&pkt, 0, sizeof(pkt));
	pkt.h.type = ICMP_ECHO;
	pkt.h.un.echo.id = htons(p->ident);
	pkt.h.un.echo.sequence = htons(++p->seq);
	memcpy(pkt.payload, "leased..", sizeof(pkt.payload));
	pkt.h.checksum = icmp_checksum(&pkt, sizeof(pkt));
	if (sendto(p->fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		goto unprobed;
	p->pending[p->npending].addr = addr;
	p->pending[p->npending].deadline_ms = now_mono_ms() + PROBE_TIMEOUT_MS;
	p->npending++;
	arm_timer(p);
	return 0;
unprobed:
	remember_clear(p, addr);
	return -1;
}
