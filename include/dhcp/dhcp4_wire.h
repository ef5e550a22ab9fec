/*
 * dhcp4_wire — the DHCPv4 message format (RFC 2131 section 2, RFC 2132,
 * RFC 3396 for long and overloaded options).  Parsing walks a cursor with
 * the bytes remaining and never trusts a length; building never writes
 * past the size the client said it accepts.
 */
#ifndef LEASED_DHCP4_WIRE_H
#define LEASED_DHCP4_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP4_SERVER_PORT 67
#define DHCP4_CLIENT_PORT 68
#define DHCP4_HEADER_LEN 236          /* up to and including 'file' */
#define DHCP4_MIN_LEN 240             /* header + magic cookie */
#define DHCP4_MIN_REPLY 300           /* BOOTP minimum, some clients need it */
#define DHCP4_DEFAULT_MAX 576         /* RFC 2131: without option 57 */
#define DHCP4_MAX_PACKET 1500         /* what we ever send or accept */
#define DHCP4_MAGIC 0x63825363u
#define DHCP4_BOOTREQUEST 1
#define DHCP4_BOOTREPLY 2
#define DHCP4_FLAG_BROADCAST 0x8000

enum dhcp4_msg_type {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE,
	DHCPACK, DHCPNAK, DHCPRELEASE, DHCPINFORM,
};

enum dhcp4_opt {
	OPT_PAD = 0, OPT_SUBNET_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6,
	OPT_HOSTNAME = 12, OPT_DOMAIN_NAME = 15, OPT_BROADCAST = 28,
	OPT_REQUESTED_IP = 50, OPT_LEASE_TIME = 51, OPT_OVERLOAD = 52,
	OPT_MSG_TYPE = 53, OPT_SERVER_ID = 54, OPT_PARAM_REQUEST = 55,
	OPT_MESSAGE = 56, OPT_MAX_SIZE = 57, OPT_T1 = 58, OPT_T2 = 59,
	OPT_VENDOR_CLASS = 60, OPT_CLIENT_ID = 61, OPT_TFTP_SERVER = 66, OPT_BOOTFILE = 67,
	OPT_RAPID_COMMIT = 80,
	OPT_CLIENT_FQDN = 81, OPT_DOMAIN_SEARCH = 119, OPT_END = 255,
};

/* A received message: fixed fields plus options reassembled per RFC 3396. */
struct dhcp4_packet {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;                 /* network byte order, echoed as is */
	uint16_t secs, flags;         /* host byte order */
	struct in_addr ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	uint8_t msg_type;             /* option 53, 0 when absent (BOOTP) */
	/* Option values, concatenated per code, in optbuf. */
	uint8_t optbuf[DHCP4_MAX_PACKET * 3];
	size_t optbuf_len;
	struct {
		uint16_t off, len;
		bool present;
	} opt[256];
};

/*
 * Parse p[0..len).  Returns 0, or -1 with *why set to a static string
 * ("shorter than the fixed header", "option 12 runs past the end", ...).
 */
int dhcp4_parse(const uint8_t *p, size_t len, struct dhcp4_packet *out, const char **why);
/* Value of option code, or NULL when absent; *len gets its length. */
const uint8_t *dhcp4_get_option(const struct dhcp4_packet *pkt, uint8_t code, size_t *len);
/* Convenience: a 4-byte address option; false when absent or wrong length. */
bool dhcp4_get_addr_option(const struct dhcp4_packet *pkt, uint8_t code, struct in_addr *out);

/* Building a reply. */
struct dhcp4_builder {
	uint8_t buf[DHCP4_MAX_PACKET];
	size_t len;      /* bytes written so far */
	size_t max;      /* the size the client accepts (<= DHCP4_MAX_PACKET) */
};

/* Start a BOOTREPLY echoing req's xid, flags, giaddr, chaddr; add option 53. */
void dhcp4_build_init(struct dhcp4_builder *b, const struct dhcp4_packet *req,
		      uint8_t msg_type, size_t max);
/* Set ciaddr, yiaddr and siaddr of the reply (all 0 after init). */
void dhcp4_build_set_addrs(struct dhcp4_builder *b, struct in_addr ciaddr,
			   struct in_addr yiaddr, struct in_addr siaddr);
/* Fill the 'sname' and 'file' fields (NULL: left zero); longer text is cut. */
void dhcp4_build_set_boot(struct dhcp4_builder *b, const char *sname, const char *file);
/* Set the broadcast bit (a relayed DHCPNAK, RFC 2131 section 4.3.2). */
void dhcp4_build_set_broadcast(struct dhcp4_builder *b);
/*
 * Append an option; values longer than 255 are split per RFC 3396.
 * Returns -1 (and adds nothing) when it would not fit with room left for
 * the END option.
 */
int dhcp4_add_option(struct dhcp4_builder *b, uint8_t code, const void *data, size_t len);
/* Add END, pad to DHCP4_MIN_REPLY; returns the final length. */
size_t dhcp4_build_finish(struct dhcp4_builder *b);

const char *dhcp4_msg_type_name(uint8_t type); /* "DHCPDISCOVER" ... */

#endif
