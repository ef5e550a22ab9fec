/* ip6_msg — IPv6 datagrams with their interface (see include/net/ip6_msg.h). */
#include "net/ip6_msg.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

ssize_t ip6_recv_on(int fd, void *buf, size_t len, struct sockaddr_in6 *from,
		    struct ip6_arrival *arr)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);

	*arr = (struct ip6_arrival){ .hoplimit = -1 };
	if (n < 0)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			arr->ifindex = (int)pi.ipi6_ifindex;
			arr->dst = pi.ipi6_addr;
		} else if (c->cmsg_type == IPV6_HOPLIMIT) {
			memcpy(&arr->hoplimit, CMSG_DATA(c), sizeof(arr->hoplimit));
		}
	}
	return n;
}

ssize_t ip6_send_on(int fd, const void *buf, size_t len, const struct sockaddr_in6 *to,
		    int ifindex, const struct in6_addr *src)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = sizeof(*to),
			      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	if (src)
		pi.ipi6_addr = *src;
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return sendmsg(fd, &msg, MSG_DONTWAIT);
}

int ip6_membership(int fd, const struct in6_addr *group, int ifindex, bool join)
{
	struct ipv6_mreq mr = { .ipv6mr_multiaddr = *group, .ipv6mr_interface = (unsigned)ifindex };

	if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &mr,
		       sizeof(mr)) < 0 && !(join && errno == EADDRINUSE))
		return -1;
	return 0;
}
