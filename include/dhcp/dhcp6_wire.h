/*
 * dhcp6_wire — the DHCPv6 message format (RFC 8415 sections 8, 10 and 21;
 * RFC 4704 for the client FQDN).  It owns reading a client's message into
 * a struct and writing a reply's options; what to answer is the engine's.
 * Parsing walks a cursor over the bytes left and never trusts a length;
 * building never writes past the buffer it is given.  Nothing here
 * allocates, logs or touches a socket.
 */
#ifndef LEASED_DHCP6_WIRE_H
#define LEASED_DHCP6_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
#define DHCP6_HEADER_LEN 4            /* msg-type, transaction-id */
#define DHCP6_RELAY_HEADER_LEN 34     /* msg-type, hop-count, link and peer address */
#define DHCP6_OPT_HEADER_LEN 4        /* option-code, option-len */
#define DHCP6_DUID_MAX 128
#define DHCP6_MAX_IAS 8
#define DHCP6_MAX_IA_ADDRS 8
#define DHCP6_MAX_ORO 64
#define DHCP6_MAX_PACKET 1500         /* what we ever send */
#define DHCP6_FQDN_MAX 255            /* a DNS name in wire form, RFC 1035 2.3.4 */

/* RFC 8415 section 7.3. */
enum dhcp6_type {
	DHCP6_SOLICIT = 1, DHCP6_ADVERTISE, DHCP6_REQUEST, DHCP6_CONFIRM,
	DHCP6_RENEW, DHCP6_REBIND, DHCP6_REPLY, DHCP6_RELEASE, DHCP6_DECLINE,
	DHCP6_RECONFIGURE, DHCP6_INFORMATION_REQUEST, DHCP6_RELAY_FORW,
	DHCP6_RELAY_REPL,
};

/* RFC 8415 section 24 (IANA's registry); 39 is RFC 4704, 23 and 24 RFC 3646. */
enum dhcp6_opt {
	D6O_CLIENTID = 1, D6O_SERVERID = 2, D6O_IA_NA = 3, D6O_IA_TA = 4,
	D6O_IAADDR = 5, D6O_ORO = 6, D6O_PREFERENCE = 7, D6O_ELAPSED_TIME = 8,
	D6O_RELAY_MSG = 9, D6O_AUTH = 11, D6O_UNICAST = 12, D6O_STATUS_CODE = 13,
	D6O_RAPID_COMMIT = 14, D6O_USER_CLASS = 15, D6O_VENDOR_CLASS = 16,
	D6O_VENDOR_OPTS = 17, D6O_INTERFACE_ID = 18, D6O_RECONF_ACCEPT = 20,
	D6O_DNS_SERVERS = 23, D6O_DOMAIN_LIST = 24, D6O_IA_PD = 25,
	D6O_IAPREFIX = 26, D6O_CLIENT_FQDN = 39, D6O_SOL_MAX_RT = 82,
	D6O_INF_MAX_RT = 83,
};

/* RFC 8415 section 21.13. */
enum dhcp6_status {
	D6S_SUCCESS = 0, D6S_UNSPEC_FAIL = 1, D6S_NO_ADDRS_AVAIL = 2,
	D6S_NO_BINDING = 3, D6S_NOT_ON_LINK = 4, D6S_USE_MULTICAST = 5,
	D6S_NO_PREFIX_AVAIL = 6,
};

/* An address in an IA_NA or IA_TA, with the lifetimes the client sent. */
struct dhcp6_iaaddr {
	struct in6_addr addr;
	uint32_t preferred, valid;
};

struct dhcp6_ia {
	uint16_t type;                /* D6O_IA_NA or D6O_IA_TA */
	uint32_t iaid, t1, t2;        /* t1, t2: 0 for IA_TA */
	struct dhcp6_iaaddr addrs[DHCP6_MAX_IA_ADDRS];
	size_t naddrs;
};

/* A client's message, as far as a server on a bridge needs it. */
struct dhcp6_msg {
	uint8_t type;
	uint8_t xid[3];
	uint8_t client_id[DHCP6_DUID_MAX];
	size_t client_id_len;         /* 0: absent */
	uint8_t server_id[DHCP6_DUID_MAX];
	size_t server_id_len;         /* 0: absent */
	struct dhcp6_ia ias[DHCP6_MAX_IAS];
	size_t nias;
	uint16_t oro[DHCP6_MAX_ORO];
	size_t noro;
	bool rapid_commit, reconf_accept, has_elapsed;
	uint16_t elapsed;             /* hundredths of a second */
	size_t n_ia_pd;               /* counted; prefix delegation is not served */
	/*
	 * Option 39: the flags byte and the name as text, lower-cased, with
	 * no trailing dot.  A partial (unqualified) name is allowed, as RFC
	 * 4704 section 4.2 says, and so is an empty one ("give me a name").
	 */
	bool has_fqdn;
	uint8_t fqdn_flags;
	char fqdn[256];
};

/*
 * Parse p[0..len).  Returns 0, or -1 with *why set to a static string
 * naming what was wrong ("an option runs past the end of the message",
 * "relayed messages are not served", ...).  Unknown options are skipped;
 * where an option may appear once, the first instance is the one used and
 * later ones are only checked.
 */
int dhcp6_parse(const uint8_t *p, size_t len, struct dhcp6_msg *out, const char **why);

/*
 * Building a reply into buf[0..cap).  Nothing is written past cap: a
 * write that would pass it marks the reply full instead, a full reply
 * stays full (later writes do nothing, an open option may be left cut
 * short) and the caller drops it.  Options nest: open one, write its body
 * (raw bytes or further options), close it.
 */
struct dhcp6_out {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

void dhcp6_out_init(struct dhcp6_out *o, uint8_t *buf, size_t cap, uint8_t type,
		    const uint8_t xid[3]);
/* One whole option. */
void dhcp6_put(struct dhcp6_out *o, uint16_t code, const void *data, size_t len);
/* Start an option whose body follows; returns the mark dhcp6_close takes. */
size_t dhcp6_open(struct dhcp6_out *o, uint16_t code);
/* Set the length of the option opened at mark to what was written since. */
void dhcp6_close(struct dhcp6_out *o, size_t mark);
/* Raw body bytes inside an open option. */
void dhcp6_put_u32(struct dhcp6_out *o, uint32_t v);
void dhcp6_put_bytes(struct dhcp6_out *o, const void *p, size_t n);
/*
 * Raw body bytes: name ("host.example", a trailing dot allowed) in DNS
 * wire format with its root label (RFC 8415 section 10: uncompressed).
 * -1, writing nothing, when it is not a name: an empty label, a label
 * over 63 bytes, over 255 bytes in all, or the root alone.
 */
int dhcp6_put_name(struct dhcp6_out *o, const char *name);
/* A Status Code option (RFC 8415 21.13); message may be NULL. */
void dhcp6_put_status(struct dhcp6_out *o, uint16_t status, const char *message);
/* An IAADDR option, with a Status Code inside unless status_or_minus1 is -1. */
void dhcp6_put_iaaddr(struct dhcp6_out *o, const struct in6_addr *a, uint32_t preferred,
		      uint32_t valid, int status_or_minus1);
/*
 * An option holding a list of names (D6O_DOMAIN_LIST), each as
 * dhcp6_put_name writes it.  -1, writing nothing, when one is not a name.
 */
int dhcp6_put_domain_list(struct dhcp6_out *o, uint16_t code, const char *const *names,
			  size_t n);

const char *dhcp6_type_name(uint8_t type);      /* "SOLICIT" ... "UNKNOWN" */
const char *dhcp6_status_name(uint16_t status); /* "Success" ... "unknown status" */

#endif
