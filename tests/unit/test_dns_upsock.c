/*
 * test_dns_upsock — the pool of upstream UDP sockets against a plain UDP
 * socket on 127.0.0.1 playing the server: one socket carries many queries
 * (no socket per query), IDs in flight on a socket are distinct, replies
 * reach the owner of their ID and a reply with an unknown ID reaches
 * nobody, a full socket makes another, the source port changes after
 * DNS_UPSOCK_MAX_USES queries and after DNS_UPSOCK_MAX_AGE_MS (time passed
 * in), a closed port ends every query on the socket with ECONNREFUSED,
 * and forget retires a server's sockets.  Nothing leaves 127.0.0.1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/upstream_sock.h"
#include "core/loop.h"
#include "core/util.h"

#define NOW 5000000

struct got {
	void *ctx;
	uint16_t id;
	size_t len;
	int err;
};

static struct got got[256];
static size_t ngot;
static struct loop *lp;

static void on_reply(void *ctx, struct dns_upsock_ticket t, const uint8_t *p, size_t len,
		     int err)
{
	(void)p;
	assert_true(ngot < 256);
	got[ngot++] = (struct got){ .ctx = ctx, .id = t.id, .len = len, .err = err };
	loop_quit(lp, 0);
}

static void on_safety(void *ctx)
{
	(void)ctx;
	loop_quit(lp, 1);
}

/* Run the loop until a callback (or 2 s pass: a failure). */
static void run_once(void)
{
	struct loop_timer *t = loop_timer_new(lp, on_safety, NULL);

	loop_timer_arm(t, now_mono_ms() + 2000);
	assert_int_equal(loop_run(lp), 0);
	loop_timer_free(t);
}

/* A "server": a UDP socket on 127.0.0.1, its address in *ss. */
static int server(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = sizeof(*sin);
	assert_int_equal(bind(fd, (struct sockaddr *)sin, *len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

/* Receive one query at the server: its ID and the sender's port. */
static uint16_t serve_recv(int fd, struct sockaddr_in *from)
{
	uint8_t buf[512];
	socklen_t fl = sizeof(*from);
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &fl);

	assert_true(n >= 12);
	return (uint16_t)(buf[0] << 8 | buf[1]);
}

static void serve_send(int fd, const struct sockaddr_in *to, uint16_t id)
{
	uint8_t buf[12] = { (uint8_t)(id >> 8), (uint8_t)id, 0x80 };

	assert_int_equal(sendto(fd, buf, sizeof(buf), 0, (const struct sockaddr *)to,
				sizeof(*to)), (ssize_t)sizeof(buf));
}

static int ctxs[300];

static struct dns_upsock_pool *setup(void)
{
	ngot = 0;
	lp = loop_new();
	assert_non_null(lp);
	return dns_upsock_new(lp, on_reply);
}

static void teardown(struct dns_upsock_pool *pool)
{
	dns_upsock_free(pool);
	loop_free(lp);
}

/*
 * Many queries, one after another, in one loop run (a loop cannot run
 * again after loop_quit): each reply's callback checks it and asks the
 * next question.
 */
struct seq {
	struct dns_upsock_pool *pool;
	int srv;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct dns_upsock_ticket t;
	uint16_t port;
	int i;
};

static struct seq SEQ;

/* Send query SEQ.i; the server answers a stranger's ID first, then ours. */
static void seq_ask(void)
{
	uint8_t q[12] = { 0 };
	struct sockaddr_in from;
	uint16_t id;

	assert_int_equal(dns_upsock_send(SEQ.pool, &SEQ.ss, SEQ.sl, q, sizeof(q), &ctxs[SEQ.i],
					 NOW, &SEQ.t), 0);
	id = serve_recv(SEQ.srv, &from);
	assert_int_equal(id, SEQ.t.id);
	assert_int_equal(id, (uint16_t)(q[0] << 8 | q[1])); /* written into the query */
	if (SEQ.i == 0)
		SEQ.port = from.sin_port;
	assert_int_equal(from.sin_port, SEQ.port);
	serve_send(SEQ.srv, &from, (uint16_t)(id ^ 0x5555)); /* reaches nobody */
	serve_send(SEQ.srv, &from, id);
}

static void on_seq_reply(void *ctx, struct dns_upsock_ticket t, const uint8_t *p, size_t len,
			 int err)
{
	(void)p;
	(void)len;
	assert_int_equal(err, 0);
	assert_ptr_equal(ctx, &ctxs[SEQ.i]);
	assert_int_equal(t.id, SEQ.t.id);
	assert_ptr_equal(t.sock, SEQ.t.sock);
	ngot++;
	dns_upsock_cancel(SEQ.pool, &SEQ.t);
	assert_null(SEQ.t.sock);
	if (++SEQ.i == 20) {
		loop_quit(lp, 0);
		return;
	}
	seq_ask();
}

/* One socket, one port for all; each reply to its owner; a stranger's ID to nobody. */
static void test_reuse_and_dispatch(void **state)
{
	(void)state;
	ngot = 0;
	lp = loop_new();
	SEQ = (struct seq){ .pool = dns_upsock_new(lp, on_seq_reply) };
	SEQ.srv = server(&SEQ.ss, &SEQ.sl);
	seq_ask();
	run_once();
	assert_int_equal(ngot, 20);
	assert_int_equal(dns_upsock_open_count(SEQ.pool), 1);
	close(SEQ.srv);
	teardown(SEQ.pool);
}

/* In flight together: distinct IDs; a full socket makes another. */
static void test_ids_distinct_and_overflow(void **state)
{
	struct dns_upsock_pool *pool = setup();
	struct sockaddr_storage ss;
	socklen_t sl;
	int srv = server(&ss, &sl);
	struct dns_upsock_ticket t[DNS_UPSOCK_PER_SOCKET + 1];

	(void)state;
	for (int i = 0; i <= DNS_UPSOCK_PER_SOCKET; i++) {
		uint8_t q[12] = { 0 };

		assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[i], NOW, &t[i]),
				 0);
		for (int k = 0; k < i; k++)
			assert_false(t[k].sock == t[i].sock && t[k].id == t[i].id);
	}
	assert_int_equal(dns_upsock_open_count(pool), 2);
	for (int i = 0; i <= DNS_UPSOCK_PER_SOCKET; i++)
		dns_upsock_cancel(pool, &t[i]);
	close(srv);
	teardown(pool);
}

/* The port changes after DNS_UPSOCK_MAX_USES queries and after DNS_UPSOCK_MAX_AGE_MS. */
static void test_port_rotates(void **state)
{
	struct dns_upsock_pool *pool = setup();
	struct sockaddr_storage ss;
	socklen_t sl;
	int srv = server(&ss, &sl);
	struct sockaddr_in from;
	uint16_t first = 0, last = 0;
	uint8_t q[12] = { 0 };
	struct dns_upsock_ticket t;

	(void)state;
	for (int i = 0; i <= DNS_UPSOCK_MAX_USES; i++) {
		assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[0], NOW, &t), 0);
		serve_recv(srv, &from);
		if (i == 0)
			first = from.sin_port;
		last = from.sin_port;
		dns_upsock_cancel(pool, &t);
	}
	assert_true(first != last);
	assert_int_equal(dns_upsock_open_count(pool), 1); /* the retired one is closed */
	assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[0],
					 NOW + DNS_UPSOCK_MAX_AGE_MS, &t), 0);
	serve_recv(srv, &from);
	assert_true(from.sin_port != last);
	dns_upsock_cancel(pool, &t);
	close(srv);
	teardown(pool);
}

/* Pearson's chi-square of counts against a uniform expectation. */
static double chi_square(const unsigned *count, size_t buckets, unsigned total)
{
	double expect = (double)total / (double)buckets, x = 0;

	for (size_t i = 0; i < buckets; i++)
		x += ((double)count[i] - expect) * ((double)count[i] - expect) / expect;
	return x;
}

/*
 * IDs and source ports are unpredictable, not merely different: over
 * 8192 queries both bytes of the ID are uniform over 256 values, and the
 * ports of the ~80 sockets used spread over the ephemeral range.  The
 * bounds are far in the tail (chi-square with 255 degrees of freedom has
 * mean 255 and deviation 23; with 7, mean 7 and deviation 4), so a fair
 * source never fails them, while sequential or constant IDs and ports
 * fail by orders of magnitude.
 */
static void test_ids_and_ports_random(void **state)
{
	struct dns_upsock_pool *pool = setup();
	struct sockaddr_storage ss;
	socklen_t sl;
	int srv = server(&ss, &sl);
	unsigned hi[256] = { 0 }, lo[256] = { 0 }, port_bucket[8] = { 0 };
	unsigned nports = 0, plo = 32768, phi = 60999;
	uint16_t last_port = 0;
	FILE *range = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	(void)state;
	if (range) {
		assert_int_equal(fscanf(range, "%u %u", &plo, &phi), 2);
		fclose(range);
	}
	for (unsigned i = 0; i < 8192; i++) {
		uint8_t q[12] = { 0 };
		struct dns_upsock_ticket t;
		struct sockaddr_in from;
		uint16_t id, port;

		assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[0], NOW, &t), 0);
		id = serve_recv(srv, &from);
		dns_upsock_cancel(pool, &t);
		hi[id >> 8]++;
		lo[id & 0xff]++;
		port = ntohs(from.sin_port);
		if (port != last_port) {
			assert_true(port >= plo && port <= phi);
			port_bucket[(size_t)(port - plo) * 8 / (phi - plo + 1)]++;
			nports++;
			last_port = port;
		}
	}
	assert_true(chi_square(hi, 256, 8192) < 400);
	assert_true(chi_square(lo, 256, 8192) < 400);
	assert_true(nports >= 8192 / DNS_UPSOCK_MAX_USES);
	assert_true(chi_square(port_bucket, 8, nports) < 40);
	close(srv);
	teardown(pool);
}

/* A closed port: every query on the socket ends with ECONNREFUSED. */
static void test_refused(void **state)
{
	struct dns_upsock_pool *pool = setup();
	struct sockaddr_storage ss;
	socklen_t sl;
	int srv = server(&ss, &sl);
	struct dns_upsock_ticket t[2];
	uint8_t q[12] = { 0 };

	(void)state;
	close(srv); /* nothing listens there now */
	assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[0], NOW, &t[0]), 0);
	run_once();
	assert_int_equal(ngot, 1);
	assert_ptr_equal(got[0].ctx, &ctxs[0]);
	assert_int_equal(got[0].err, ECONNREFUSED);
	assert_int_equal(dns_upsock_open_count(pool), 0);
	/* The next query gets a new socket. */
	assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[1], NOW, &t[1]), 0);
	assert_int_equal(dns_upsock_open_count(pool), 1);
	dns_upsock_cancel(pool, &t[1]);
	teardown(pool);
}

/* forget: the server's sockets close once their queries are done. */
static void test_forget(void **state)
{
	struct dns_upsock_pool *pool = setup();
	struct sockaddr_storage ss;
	socklen_t sl;
	int srv = server(&ss, &sl);
	struct dns_upsock_ticket t;
	uint8_t q[12] = { 0 };

	(void)state;
	assert_int_equal(dns_upsock_send(pool, &ss, sl, q, sizeof(q), &ctxs[0], NOW, &t), 0);
	dns_upsock_forget(pool, &ss, sl);
	assert_int_equal(dns_upsock_open_count(pool), 1); /* a query still waits */
	dns_upsock_cancel(pool, &t);
	assert_int_equal(dns_upsock_open_count(pool), 0);
	close(srv);
	teardown(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_and_dispatch),
		cmocka_unit_test(test_ids_distinct_and_overflow),
		cmocka_unit_test(test_port_rotates),
		cmocka_unit_test(test_ids_and_ports_random),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_forget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
