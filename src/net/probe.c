/*
 * probe — conflict checks by neighbour table, ARP and ICMP echo; see
 * include/net/probe.h.  Checks in flight live in a fixed pool of slots,
 * found by address through a chained hash, and sit on one deadline queue
 * per kind (on the link, behind a relay): every check of a kind waits the
 * same time, so each queue is in deadline order by construction and the
 * timer only ever looks at the two heads.  Finished "free" results go to
 * a direct-mapped cache indexed by address hash.
 */
#include "net/probe.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLEAR_SLOTS 4096
#define BUCKETS 8192 /* twice PROBE_MAX_PENDING: chains stay a slot or two long */
#define NONE (-1)

enum kind { ON_LINK, RELAYED, NKINDS };

struct check {
	struct in_addr addr;
	int ifindex;                  /* 0 behind a relay */
	uint64_t deadline_ms;
	enum kind kind;
	bool has_client_mac;
	uint8_t client_mac[6];
	int32_t hnext;                /* hash chain, or the free list */
	int32_t qprev, qnext;         /* deadline queue of its kind */
	struct probe_waiter *waiters;
	size_t nwaiters;
};

struct probe {
	struct loop *loop;
	struct netlink *nl;
	int icmp_fd, arp_fd;
	uint16_t ident, seq;
	probe_done_fn done;
	void *ctx;
	struct check checks[PROBE_MAX_PENDING];
	int32_t free_head;
	int32_t bucket[BUCKETS];
	struct {
		int32_t head, tail;
	} queue[NKINDS];
	struct loop_timer *timer;
	struct {
		struct in_addr addr;
		uint64_t until_ms;
	} clear[CLEAR_SLOTS];
};

static const uint64_t kind_wait_ms[NKINDS] = { PROBE_LINK_MS, PROBE_RELAYED_MS };

/* --- wire ---------------------------------------------------------------- */

void probe_arp_request(uint8_t out[PROBE_ARP_LEN], const uint8_t src_mac[6], struct in_addr src,
		       struct in_addr target)
{
	static const uint8_t head[8] = { 0, ARPHRD_ETHER, 0x08, 0x00, 6, 4, 0, ARPOP_REQUEST };

	memcpy(out, head, sizeof(head));
	memcpy(out + 8, src_mac, 6);
	memcpy(out + 14, &src, 4);
	memset(out + 18, 0, 6);
	memcpy(out + 24, &target, 4);
}

bool probe_arp_reply_parse(const uint8_t *p, size_t len, struct in_addr *sender_ip,
			   uint8_t sender_mac[6])
{
	if (len < PROBE_ARP_LEN)
		return false;
	if (get_be16(p) != ARPHRD_ETHER || get_be16(p + 2) != ETHERTYPE_IP || p[4] != 6 ||
	    p[5] != 4 || get_be16(p + 6) != ARPOP_REPLY)
		return false;
	memcpy(sender_mac, p + 8, 6);
	memcpy(sender_ip, p + 14, 4);
	return true;
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

/* --- the clear cache ----------------------------------------------------- */

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

/* --- checks in flight ---------------------------------------------------- */

static size_t bucket_of(struct in_addr a)
{
	return hash_bytes(&a, sizeof(a), 0) % BUCKETS;
}

static int32_t find_check(const struct probe *p, struct in_addr a)
{
	for (int32_t i = p->bucket[bucket_of(a)]; i != NONE; i = p->checks[i].hnext)
		if (p->checks[i].addr.s_addr == a.s_addr)
			return i;
	return NONE;
}

static void arm_timer(struct probe *p)
{
	uint64_t first = UINT64_MAX;

	for (int k = 0; k < NKINDS; k++)
		if (p->queue[k].head != NONE)
			first = MIN(first, p->checks[p->queue[k].head].deadline_ms);
	if (first != UINT64_MAX)
		loop_timer_arm(p->timer, first);
	else
		loop_timer_disarm(p->timer);
}

static int32_t take_slot(struct probe *p, struct in_addr a, enum kind kind)
{
	int32_t i = p->free_head;
	struct check *c;
	size_t b = bucket_of(a);

	if (i == NONE)
		return NONE;
	c = &p->checks[i];
	p->free_head = c->hnext;
	memset(c, 0, sizeof(*c));
	c->addr = a;
	c->kind = kind;
	c->deadline_ms = now_mono_ms() + kind_wait_ms[kind];
	c->hnext = p->bucket[b];
	p->bucket[b] = i;
	c->qnext = NONE;
	c->qprev = p->queue[kind].tail;
	if (c->qprev != NONE)
		p->checks[c->qprev].qnext = i;
	else
		p->queue[kind].head = i;
	p->queue[kind].tail = i;
	return i;
}

/* Unlink slot i from its chain and queue and return it to the free list. */
static void release_slot(struct probe *p, int32_t i)
{
	struct check *c = &p->checks[i];
	int32_t *link = &p->bucket[bucket_of(c->addr)];

	while (*link != i)
		link = &p->checks[*link].hnext;
	*link = c->hnext;
	if (c->qprev != NONE)
		p->checks[c->qprev].qnext = c->qnext;
	else
		p->queue[c->kind].head = c->qnext;
	if (c->qnext != NONE)
		p->checks[c->qnext].qprev = c->qprev;
	else
		p->queue[c->kind].tail = c->qprev;
	c->hnext = p->free_head;
	p->free_head = i;
}

static bool park(struct check *c, int tag, const void *data, size_t len)
{
	struct probe_waiter *w, **end = &c->waiters;

	if (c->nwaiters == PROBE_MAX_WAITERS)
		return false;
	w = xmalloc(sizeof(*w) + len);
	w->next = NULL;
	w->tag = tag;
	w->len = len;
	memcpy(w->data, data, len);
	while (*end)
		end = &(*end)->next;
	*end = w;
	c->nwaiters++;
	return true;
}

static void free_waiters(struct probe_waiter *w)
{
	while (w) {
		struct probe_waiter *next = w->next;

		free(w);
		w = next;
	}
}

/*
 * End check i.  The slot is free before the callback runs: handling a
 * waiter again may start checks of other addresses.
 */
static void finish(struct probe *p, int32_t i, struct probe_result *r)
{
	struct probe_waiter *waiters = p->checks[i].waiters;

	r->addr = p->checks[i].addr;
	release_slot(p, i);
	if (!r->in_use)
		remember_clear(p, r->addr);
	arm_timer(p);
	p->done(p->ctx, r, waiters);
	free_waiters(waiters);
}

static void on_timeout(void *ctx)
{
	struct probe *p = ctx;
	uint64_t now = now_mono_ms();

	for (int k = 0; k < NKINDS; k++) {
		int32_t i;

		while ((i = p->queue[k].head) != NONE && p->checks[i].deadline_ms <= now) {
			struct probe_result r = { .how = PROBE_BY_SILENCE };

			finish(p, i, &r);
		}
	}
	arm_timer(p);
}

/* --- answers ------------------------------------------------------------- */

static void on_icmp(void *ctx, int fd, uint32_t events)
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
		int32_t i;

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
		i = find_check(p, from.sin_addr);
		if (i != NONE) {
			struct probe_result r = { .in_use = true, .how = PROBE_BY_PING };

			finish(p, i, &r);
		}
	}
}

static void on_arp(void *ctx, int fd, uint32_t events)
{
	struct probe *p = ctx;
	uint8_t buf[64];
	struct sockaddr_ll from;
	socklen_t fromlen;
	ssize_t n;

	(void)events;
	for (;;) {
		struct probe_result r = { .how = PROBE_BY_ARP, .has_mac = true };
		struct in_addr sender;
		const struct check *c;
		int32_t i;

		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return;
		if (!probe_arp_reply_parse(buf, (size_t)n, &sender, r.mac))
			continue;
		i = find_check(p, sender);
		if (i == NONE)
			continue;
		c = &p->checks[i];
		/* The same address on another link is another network's business. */
		if (c->kind != ON_LINK || c->ifindex != from.sll_ifindex)
			continue;
		r.in_use = !(c->has_client_mac && memcmp(c->client_mac, r.mac, 6) == 0);
		finish(p, i, &r);
	}
}

/* --- sending ------------------------------------------------------------- */

static int send_echo(struct probe *p, struct in_addr addr)
{
	struct {
		struct icmphdr h;
		uint8_t payload[8];
	} pkt;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = addr };

	memset(&pkt, 0, sizeof(pkt));
	pkt.h.type = ICMP_ECHO;
	pkt.h.un.echo.id = htons(p->ident);
	pkt.h.un.echo.sequence = htons(++p->seq);
	memcpy(pkt.payload, "leased..", sizeof(pkt.payload));
	pkt.h.checksum = icmp_checksum(&pkt, sizeof(pkt));
	return sendto(p->icmp_fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

static int send_arp(struct probe *p, const struct probe_target *t)
{
	uint8_t pkt[PROBE_ARP_LEN];
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = t->ifindex,
		.sll_halen = 6,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};

	probe_arp_request(pkt, t->src_mac, t->src, t->addr);
	return sendto(p->arp_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/*
 * Step 1 of the check on the link: what the neighbour table knows.  True
 * with *conflict filled when it alone proves the address in use;
 * *unconfirmed when it has a MAC it has not confirmed lately, which an
 * ICMP echo can reach.
 */
static bool neighbour_says_in_use(struct probe *p, const struct probe_target *t,
				  struct probe_result *conflict, bool *unconfirmed)
{
	struct nl_neigh4 n;
	bool others;

	*unconfirmed = false;
	if (netlink_neighbour4(p->nl, t->ifindex, t->addr, &n) != 1)
		return false;
	others = !t->client_mac || memcmp(t->client_mac, n.mac, 6) != 0;
	if (!others)
		return false;
	if (!n.confirmed) {
		*unconfirmed = true;
		return false;
	}
	*conflict = (struct probe_result){
		.addr = t->addr, .in_use = true, .how = PROBE_BY_NEIGHBOUR, .has_mac = true,
	};
	memcpy(conflict->mac, n.mac, 6);
	return true;
}

/* Send what the check of a new slot needs; -1 when nothing could be sent. */
static int send_probes(struct probe *p, const struct probe_target *t, bool on_link,
		       bool ping_too)
{
	int sent = 0;

	if (on_link && send_arp(p, t) == 0)
		sent++;
	if ((ping_too || !sent) && send_echo(p, t->addr) == 0)
		sent++;
	return sent ? 0 : -1;
}

enum probe_start_result probe_start(struct probe *p, const struct probe_target *t, int tag,
				    const void *data, size_t len, struct probe_result *conflict)
{
	bool on_link = t->ifindex && t->src_mac;
	bool unconfirmed = false;
	int32_t i = find_check(p, t->addr);
	struct check *c;

	if (i != NONE) {
		park(&p->checks[i], tag, data, len); /* when full, the client retries */
		return PROBE_PENDING;
	}
	if (on_link && neighbour_says_in_use(p, t, conflict, &unconfirmed))
		return PROBE_CONFLICT;
	i = take_slot(p, t->addr, on_link ? ON_LINK : RELAYED);
	if (i == NONE)
		goto unchecked;
	c = &p->checks[i];
	c->ifindex = t->ifindex;
	c->has_client_mac = t->client_mac != NULL;
	if (t->client_mac)
		memcpy(c->client_mac, t->client_mac, 6);
	if (send_probes(p, t, on_link, unconfirmed) < 0) {
		release_slot(p, i);
		goto unchecked;
	}
	park(c, tag, data, len);
	arm_timer(p);
	return PROBE_PENDING;
unchecked:
	remember_clear(p, t->addr);
	return PROBE_UNCHECKED;
}

/* --- life ---------------------------------------------------------------- */

/*
 * Only ARP replies reach us: the filter runs in the kernel, so the ARP
 * traffic of a busy host costs nothing here (data starts at the ARP
 * header on a SOCK_DGRAM packet socket; the operation is at offset 6).
 */
static int only_arp_replies(int fd)
{
	static struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARPOP_REPLY, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 64),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(code), .filter = code };
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -1;
	/* Our own requests would come back to us otherwise. */
	return setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
}

static int open_sockets(struct probe *p, struct error *err)
{
	p->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->icmp_fd < 0)
		return error_set(err, EXIT_NETWORK, "cannot open ICMP socket for the ping check: %s",
				 strerror(errno));
	p->arp_fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (p->arp_fd < 0 || only_arp_replies(p->arp_fd) < 0)
		return error_set(err, EXIT_NETWORK, "cannot open ARP socket for the conflict check: %s",
				 strerror(errno));
	if (loop_add_fd(p->loop, p->icmp_fd, EPOLLIN, on_icmp, p) < 0 ||
	    loop_add_fd(p->loop, p->arp_fd, EPOLLIN, on_arp, p) < 0)
		return error_set(err, EXIT_NETWORK, "cannot watch the conflict check's sockets: %s",
				 strerror(errno));
	return 0;
}

struct probe *probe_new(struct loop *loop, struct netlink *nl, probe_done_fn done, void *ctx,
			struct error *err)
{
	struct probe *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->nl = nl;
	p->done = done;
	p->ctx = ctx;
	p->icmp_fd = p->arp_fd = -1;
	p->ident = (uint16_t)(getpid() ^ 0x1e45);
	for (size_t b = 0; b < BUCKETS; b++)
		p->bucket[b] = NONE;
	for (int k = 0; k < NKINDS; k++)
		p->queue[k].head = p->queue[k].tail = NONE;
	for (int32_t i = 0; i < PROBE_MAX_PENDING; i++)
		p->checks[i].hnext = i + 1 < PROBE_MAX_PENDING ? i + 1 : NONE;
	p->free_head = 0;
	p->timer = loop_timer_new(loop, on_timeout, p);
	if (open_sockets(p, err) < 0) {
		probe_free(p);
		return NULL;
	}
	return p;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	for (int k = 0; k < NKINDS; k++)
		for (int32_t i = p->queue[k].head; i != NONE; i = p->checks[i].qnext)
			free_waiters(p->checks[i].waiters);
	if (p->icmp_fd >= 0) {
		loop_del_fd(p->loop, p->icmp_fd);
		close(p->icmp_fd);
	}
	if (p->arp_fd >= 0) {
		loop_del_fd(p->loop, p->arp_fd);
		close(p->arp_fd);
	}
	loop_timer_free(p->timer);
	free(p);
}
