/*
 * dhcp4_internal — what src/dhcp/dhcp4.c (the decisions) and src/dhcp/dhcp4_options.c
 * (which options a reply carries) share, and nobody else should use: the
 * per-message context and the reply-building entry point.  The decisions
 * call the options, never the other way round.
 * Included by: dhcp4.c dhcp4_options.c only.
 */
#ifndef LEASED_DHCP4_INTERNAL_H
#define LEASED_DHCP4_INTERNAL_H

#include "dhcp/dhcp4.h"

#define DHCP4_MAX_TAGS 4
#define DHCP4_HWSTR_LEN (4 + 16 * 3) /* "255-" + 16 hex bytes */

/* Where an option's value came from; a tagged entry beats an untagged one. */
enum source { SRC_NONE, SRC_DEFAULT, SRC_CONFIG, SRC_CONFIG_TAGGED };

struct candidate {
	const uint8_t *data;
	size_t len;
	bool send;        /* false: absent or suppressed */
	bool force;       /* --dhcp-option-force */
	enum source src;
};

struct reply_opts {
	struct candidate cand[256];
	bool done[256];
	uint8_t mask[4], bcast[4], router[4], dns[4];
	uint8_t scratch[4096]; /* configured values with 0.0.0.0 replaced */
	size_t scratch_used;
};

/*
 * The memory one message is handled in: the parsed request, the reply
 * being built and the option candidates.  The server keeps one and lends
 * it to every call, so the packet path allocates nothing.
 */
struct dhcp4_work {
	struct dhcp4_packet req;
	struct dhcp4_builder builder;
	struct reply_opts opts;
};

/* Everything known about one received message while deciding on it. */
struct dhcp4_ctx {
	const struct dhcp4_env *env;
	struct dhcp4_work *work;
	const struct config *cfg;
	const struct dhcp4_packet *req;
	const struct dhcp_range *range;
	struct in_addr server;          /* our address on the range's subnet */
	struct in_addr subnet;          /* an address in the client's subnet:
					 * server, or giaddr when relayed */
	struct in_addr netmask;
	const uint8_t *client_id;       /* option 61, or NULL */
	size_t client_id_len;
	const struct dhcp_host *host;   /* the client's reservation, or NULL */
	const struct dhcp_boot *boot;   /* --dhcp-boot for this client, or NULL */
	const struct lease *own;        /* the client's lease now, or NULL */
	char hostname[LEASE_NAME_MAX];  /* the name the lease gets, or "" */
	char hwstr[DHCP4_HWSTR_LEN];    /* chaddr for log lines */
	const char *tags[DHCP4_MAX_TAGS];
	size_t ntags;
};

/* What kind of reply, for dhcp4_reply_options(). */
struct dhcp4_reply_info {
	uint8_t type;                   /* DHCPOFFER, DHCPACK, DHCPNAK */
	bool lease;                     /* carries lease times (not INFORM) */
	uint32_t lease_time;            /* LEASE_INFINITE: no T1/T2 */
	bool rapid_commit;              /* ACK to a DISCOVER: option 80 */
	const char *message;            /* option 56 for a NAK, or NULL */
};

/*
 * Append the reply's options to b: the essentials first, then what the
 * client asked for in option 55 in its order, then forced ones; what does
 * not fit within b->max is dropped with a debug line.
 */
void dhcp4_reply_options(const struct dhcp4_ctx *c, const struct dhcp4_reply_info *ri,
			 struct dhcp4_builder *b);

/* True when every tag condition of m holds for the message's tags. */

#endif
