/*
 * ip6_msg — one IPv6 datagram in or out with its interface: the
 * IPV6_PKTINFO (and IPV6_HOPLIMIT) ancillary data the router
 * advertisement and DHCPv6 servers both need, written once.  The socket
 * is the caller's (IPV6_RECVPKTINFO, and IPV6_RECVHOPLIMIT for the hop
 * limit, set by it).
 */
#ifndef LEASED_IP6_MSG_H
#define LEASED_IP6_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How a datagram arrived. */
struct ip6_arrival {
	int ifindex;            /* 0: unknown */
	struct in6_addr dst;    /* the address it was sent to (multicast or ours) */
	int hoplimit;           /* -1: unknown */
};

/* One datagram without waiting; its length, or -1 with errno (EAGAIN: none). */
ssize_t ip6_recv_on(int fd, void *buf, size_t len, struct sockaddr_in6 *from,
		    struct ip6_arrival *arr);
/* Send to `to` out of ifindex, from src (NULL: the kernel chooses); -1 with errno. */
ssize_t ip6_send_on(int fd, const void *buf, size_t len, const struct sockaddr_in6 *to,
		    int ifindex, const struct in6_addr *src);

/* Join (or leave) multicast group on ifindex; 0 (also when already joined), or -1 with errno. */
int ip6_membership(int fd, const struct in6_addr *group, int ifindex, bool join);

#endif
