/*
 * tftp_server — TFTP's sockets and timers (see include/tftp/tftp_server.h).
 */
#include "tftp/tftp_server.h"
#include "tftp/tftp_path.h"
#include "tftp/tftp_xfer.h"
#include "core/log.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BATCH 16
/* IPv4 and UDP headers and TFTP's own four bytes: what an MTU leaves for a block. */
#define TFTP_OVERHEAD 32

/* One transfer: its socket (the TID), its client, its timer. */
struct tftp_conn {
	struct tftp_server *s;
	int sock;
	struct sockaddr_in peer;
	char peer_str[INET_ADDRSTRLEN];
	char path[PATH_MAX];     /* ROOT/NAME, for the log */
	struct loop_timer *timer;
	struct tftp_xfer x;
	struct tftp_conn *next;
};

struct tftp_server {
	struct tftp_server_deps d;
	int fd;                  /* port 69 */
	int rootfd;              /* -1 while the root cannot be opened (--tftp-no-fail) */
	struct tftp_access acc;
	struct tftp_conn *conns;
	size_t nconns;
};

/* Where a request came from and arrived. */
struct arrival {
	struct sockaddr_in from;
	struct in_addr local;    /* the address to answer from */
	int ifindex;
	char from_str[INET_ADDRSTRLEN];
};

/* ---- sending ---- */

static void send_to(int fd, const uint8_t *p, size_t len, const struct sockaddr_in *to)
{
	if (sendto(fd, p, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
		log_ratelimited("tftp-send", LOG_DEBUG, "tftp: send to %s: %s",
				inet_ntoa(to->sin_addr), strerror(errno));
}

static void send_error(int fd, const struct sockaddr_in *to, enum tftp_error code,
		       const char *msg)
{
	uint8_t buf[256];
	int n = tftp_build_error(buf, sizeof(buf), code, msg);

	if (n > 0)
		send_to(fd, buf, (size_t)n, to);
}

/* ---- one transfer ---- */

static void conn_end(struct tftp_conn *c)
{
	struct tftp_server *s = c->s;

	for (struct tftp_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->nconns--;
	loop_del_fd(s->d.loop, c->sock);
	close(c->sock);
	loop_timer_free(c->timer);
	tftp_xfer_free(&c->x);
	free(c);
}

/* Do what the state machine said. */
static void conn_apply(struct tftp_conn *c, enum tftp_step step)
{
	switch (step) {
	case TFTP_SEND:
		send_to(c->sock, c->x.out, c->x.outlen, &c->peer);
		/* fall through */
	case TFTP_WAIT:
		loop_timer_arm(c->timer, c->x.deadline);
		return;
	case TFTP_DONE:
		log_info("tftp: sent %s to %s (%llu bytes)", c->path, c->peer_str,
			 (unsigned long long)c->x.sent);
		break;
	case TFTP_FAIL:
		if (c->x.outlen)
			send_to(c->sock, c->x.out, c->x.outlen, &c->peer);
		log_warn("tftp: failed sending %s to %s: %s", c->path, c->peer_str, c->x.why);
		break;
	}
	conn_end(c);
}

static void on_conn_timer(void *ctx)
{
	struct tftp_conn *c = ctx;

	conn_apply(c, tftp_xfer_tick(&c->x, now_mono_ms()));
}

static bool same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static void on_conn_read(void *ctx, int fd, uint32_t events)
{
	struct tftp_conn *c = ctx;

	(void)events;
	for (int k = 0; k < READ_BATCH; k++) {
		uint8_t buf[TFTP_REQUEST_MAX];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		enum tftp_step step;

		if (n < 0)
			return;
		/* RFC 1350 section 4: another TID gets ERROR 5; this transfer goes on. */
		if (flen != sizeof(from) || !same_peer(&from, &c->peer)) {
			if (tftp_opcode(buf, (size_t)n) != TFTP_ERROR)
				send_error(fd, &from, TFTP_EBADID, "unknown transfer ID");
			continue;
		}
		step = tftp_xfer_packet(&c->x, buf, (size_t)n, now_mono_ms());
		if (step != TFTP_WAIT) {
			conn_apply(c, step); /* may free c */
			return;
		}
	}
}

/* A socket of its own on an ephemeral port of the address the request reached. */
static int open_tid(const struct in_addr *local)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = *local };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- requests ---- */

/* The largest block an interface's MTU and --tftp-mtu allow (RFC 2348 asks to fit one packet). */
static uint32_t max_blksize(const struct config *cfg, const struct nl_iface *ifc)
{
	uint32_t mtu = ifc && ifc->mtu ? ifc->mtu : 0;

	if (cfg->tftp_mtu && (!mtu || cfg->tftp_mtu < mtu))
		mtu = cfg->tftp_mtu;
	return mtu > TFTP_OVERHEAD + TFTP_BLKSIZE_MIN ? mtu - TFTP_OVERHEAD : 0;
}

static bool iface_admitted(const struct config *cfg, const struct nl_iface *ifc)
{
	if (!ifc)
		return false;
	if (cfg->ntftp_ifaces == 0)
		return config_iface_serves_dhcp4(cfg, ifc->name, ifc->addrs, ifc->naddrs);
	for (size_t i = 0; i < cfg->ntftp_ifaces; i++)
		if (config_iface_matches(cfg->tftp_ifaces[i], ifc->name))
			return true;
	return false;
}

/* Whether the client may start one more transfer (a repeat of a live one: no). */
static bool within_limits(const struct tftp_server *s, const struct arrival *a)
{
	size_t mine = 0;

	for (const struct tftp_conn *c = s->conns; c; c = c->next) {
		if (same_peer(&c->peer, &a->from))
			return false;
		mine += c->peer.sin_addr.s_addr == a->from.sin_addr.s_addr;
	}
	if (s->nconns >= s->d.cfg->tftp_max) {
		log_ratelimited("tftp-max", LOG_WARNING, "tftp: %zu transfers at once (--tftp-max), "
				"not answering %s yet", s->nconns, a->from_str);
		return false;
	}
	if (mine >= TFTP_PER_CLIENT) {
		log_ratelimited("tftp-client", LOG_WARNING, "tftp: %s has %d transfers at once, "
				"not answering it yet", a->from_str, TFTP_PER_CLIENT);
		return false;
	}
	return true;
}

static void refuse(struct tftp_server *s, const struct arrival *a, enum tftp_error code,
		   const char *file, const char *why)
{
	char name[96];

	str_printable(name, sizeof(name), file, 64);
	/* One line per refusal, but a client asking in a loop must not flood the log. */
	log_ratelimited("tftp-refused", LOG_WARNING, "tftp: refused %s to %s: %s", name,
			a->from_str, why);
	send_error(s->fd, &a->from, code, why);
}

/* The root for this client: ROOT/ADDRESS with --tftp-unique-root when it exists. */
static int request_root(struct tftp_server *s, const struct arrival *a, bool *own)
{
	int fd;

	*own = false;
	if (s->rootfd < 0)
		s->rootfd = open(s->d.cfg->tftp_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0 || !s->d.cfg->tftp_unique_root)
		return s->rootfd;
	fd = tftp_path_client_root(s->rootfd, a->from_str);
	if (fd < 0)
		return s->rootfd;
	*own = true;
	return fd;
}

/* Open the file a read request names: its descriptor, or -1 once refused. */
static int open_requested(struct tftp_server *s, const struct arrival *a,
			  const struct tftp_request *req, struct tftp_conn *c, uint64_t *size)
{
	char rel[TFTP_NAME_MAX];
	enum tftp_error code;
	const char *why;
	size_t rootlen;
	bool own;
	int root, fd;

	s->acc.euid = geteuid(); /* after -u: the user files are opened as */
	if (tftp_path_relative(s->d.cfg->tftp_root, req->file, rel, sizeof(rel), &why) < 0) {
		refuse(s, a, TFTP_EACCESS, req->file, why);
		return -1;
	}
	root = request_root(s, a, &own);
	if (root < 0) {
		refuse(s, a, TFTP_EUNDEF, req->file, "the TFTP root cannot be opened");
		return -1;
	}
	rootlen = strlen(s->d.cfg->tftp_root);
	while (rootlen > 1 && s->d.cfg->tftp_root[rootlen - 1] == '/')
		rootlen--; /* "/srv/tftp/" names its files "/srv/tftp/x" in the log */
	snprintf(c->path, sizeof(c->path), "%.*s%s%s/%s", (int)rootlen, s->d.cfg->tftp_root,
		 own ? "/" : "", own ? a->from_str : "", rel);
	fd = tftp_path_open(root, rel, &s->acc, size, &code, &why);
	if (own)
		close(root);
	if (fd < 0)
		refuse(s, a, code, c->path, why);
	return fd;
}

static void start_transfer(struct tftp_server *s, const struct arrival *a,
			   const struct tftp_request *req)
{
	const struct nl_iface *ifc = netlink_iface_by_index(s->d.nl, a->ifindex);
	struct tftp_limits lim = { max_blksize(s->d.cfg, ifc), s->d.cfg->tftp_no_blocksize };
	struct tftp_conn *c = xcalloc(1, sizeof(*c));
	struct tftp_options granted;
	uint64_t size = 0;
	int fd = open_requested(s, a, req, c, &size);

	if (fd < 0 || (c->sock = open_tid(&a->local)) < 0 ||
	    loop_add_fd(s->d.loop, c->sock, EPOLLIN, on_conn_read, c) < 0) {
		if (fd >= 0) {
			log_err("tftp: no socket for a transfer to %s: %s", a->from_str, strerror(errno));
			close(fd);
			if (c->sock >= 0)
				close(c->sock);
		}
		free(c);
		return;
	}
	c->s = s;
	c->peer = a->from;
	memcpy(c->peer_str, a->from_str, sizeof(c->peer_str));
	c->timer = loop_timer_new(s->d.loop, on_conn_timer, c);
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	tftp_negotiate(req, &lim, size, &granted);
	log_info("tftp: sending %s to %s (%s, %llu bytes, block size %u)", c->path, c->peer_str,
		 req->netascii ? "netascii" : "octet", (unsigned long long)size,
		 granted.has_blksize ? granted.blksize : TFTP_BLKSIZE_DEFAULT);
	conn_apply(c, tftp_xfer_start(&c->x, fd, req->netascii, &granted, now_mono_ms()));
}

static void handle_request(struct tftp_server *s, const struct arrival *a, const uint8_t *p,
			   size_t len)
{
	struct tftp_request req;
	const char *why;

	int op = tftp_opcode(p, len);

	/*
	 * Only requests belong on port 69.  DATA, ACK, OACK and ERROR here are
	 * the tail of some transfer (tftp-hpa ACKs the ERROR that refused its
	 * request): no answer, or two peers could trade ERRORs for ever.
	 */
	if ((op >= TFTP_DATA && op <= TFTP_OACK) || a->from.sin_port == 0)
		return;
	if (tftp_parse_request(p, len, &req, &why) < 0) {
		log_ratelimited("tftp-bad", LOG_WARNING, "tftp: bad request from %s: %s",
				a->from_str, why);
		send_error(s->fd, &a->from, TFTP_EBADOP, why);
		return;
	}
	if (req.op == TFTP_WRQ) {
		refuse(s, a, TFTP_EACCESS, req.file, "writing is not allowed (read-only server)");
		return;
	}
	if (within_limits(s, a))
		start_transfer(s, a, &req);
}

/* The interface and local address of a request (IP_PKTINFO); false without them. */
static bool read_arrival(struct msghdr *mh, struct arrival *a)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			a->ifindex = pi.ipi_ifindex;
			a->local = pi.ipi_spec_dst; /* the address replies to it come from */
			inet_ntop(AF_INET, &a->from.sin_addr, a->from_str, sizeof(a->from_str));
			return true;
		}
	}
	return false;
}

static void on_read(void *ctx, int fd, uint32_t events)
{
	struct tftp_server *s = ctx;

	(void)events;
	for (int k = 0; k < READ_BATCH; k++) {
		uint8_t buf[TFTP_REQUEST_MAX];
		char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo)) + 64];
		struct arrival a = { 0 };
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &a.from, .msg_namelen = sizeof(a.from), .msg_iov = &iov,
			.msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0)
			return;
		if (!read_arrival(&mh, &a) ||
		    !iface_admitted(s->d.cfg, netlink_iface_by_index(s->d.nl, a.ifindex)))
			continue;
		handle_request(s, &a, buf, (size_t)n);
	}
}

/* ---- life ---- */

static int open_listener(struct error *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(TFTP_PORT) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return error_set(err, EXIT_NETWORK, "cannot open the TFTP socket: %s",
				 strerror(errno));
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		error_set(err, EXIT_NETWORK, "cannot listen on the TFTP port %d: %s", TFTP_PORT,
			  strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct tftp_server *tftp_server_new(const struct tftp_server_deps *deps, struct error *err)
{
	struct tftp_server *s = xcalloc(1, sizeof(*s));
	const struct config *cfg = deps->cfg;

	s->d = *deps;
	s->fd = -1;
	s->acc.secure = cfg->tftp_secure;
	s->rootfd = open(cfg->tftp_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0 && !cfg->tftp_no_fail) {
		error_set(err, EXIT_FILESYSTEM, "cannot open the TFTP root %s: %s", cfg->tftp_root,
			  strerror(errno));
		tftp_server_free(s);
		return NULL;
	}
	if (s->rootfd < 0)
		log_warn("cannot open the TFTP root %s: %s (--tftp-no-fail: requests fail until "
			 "it can be)", cfg->tftp_root, strerror(errno));
	s->fd = open_listener(err);
	if (s->fd < 0 || loop_add_fd(deps->loop, s->fd, EPOLLIN, on_read, s) < 0) {
		if (s->fd >= 0)
			error_set(err, EXIT_OTHER, "cannot watch the TFTP socket: %s", strerror(errno));
		tftp_server_free(s);
		return NULL;
	}
	log_info("TFTP root is %s%s", cfg->tftp_root, cfg->tftp_secure ? " (secure mode)" : "");
	return s;
}

void tftp_server_free(struct tftp_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_end(s->conns);
	if (s->fd >= 0) {
		loop_del_fd(s->d.loop, s->fd);
		close(s->fd);
	}
	if (s->rootfd >= 0)
		close(s->rootfd);
	free(s);
}
