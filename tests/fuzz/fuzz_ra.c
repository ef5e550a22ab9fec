/*
 * fuzz_ra — router solicitations on anything, from an exact-size copy (so
 * ASan sees a read past the end), from a host and from ::.  An accepted
 * one is checked against an independent reading: type 133 code 0, at
 * least 8 bytes, every option inside the message with a length above 0,
 * no more than 64 of them, and no source link-layer address from ::.
 * Then the RA a served interface would send is built into a buffer of
 * every size up to the whole: it fits exactly or is refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ra/ra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool valid_rs(const uint8_t *p, size_t len, bool from_unspecified)
{
	size_t off = 8, n = 0;
	bool slla = false;

	if (len < 8 || p[0] != 133 || p[1] != 0)
		return false;
	while (off < len) {
		if (len - off < 2 || p[off + 1] == 0 || (size_t)p[off + 1] * 8 > len - off)
			return false;
		slla |= p[off] == 1;
		off += (size_t)p[off + 1] * 8;
		n++;
	}
	return n <= 64 && !(from_unspecified && slla);
}

/* An RA with as much as the input asks for, built into every buffer size. */
static void build_all_sizes(const uint8_t *data, size_t size)
{
	struct ra_message m = { 0 };
	uint8_t buf[RA_PACKET_MAX];
	int whole;

	m.nprefixes = size > 0 ? data[0] % (RA_MAX_PREFIXES + 1) : 0;
	m.nrdnss = size > 1 ? data[1] % (RA_MAX_RDNSS + 1) : 0;
	m.src_hwlen = size > 2 ? data[2] % (NETLINK_HWADDR_MAX + 1) : 0;
	m.mtu = size > 3 ? data[3] : 0;
	if (size > 4) {
		size_t n = (size - 4) % sizeof(m.domain);

		memcpy(m.domain, data + 4, n);
		m.domain[n] = '\0';
	}
	whole = ra_build(&m, buf, sizeof(buf));
	if (whole < 0)
		abort();
	for (size_t cap = 0; cap < (size_t)whole; cap++)
		if (ra_build(&m, buf, cap) != -1)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct ra_solicit rs;
	const char *why;

	memcpy(copy, data, size);
	for (int unspec = 0; unspec < 2; unspec++) {
		int r = ra_parse_rs(copy, size, unspec, &rs, &why);

		if ((r == 0) != valid_rs(copy, size, unspec))
			abort();
		if (r == 0 && rs.src_hwlen > sizeof(rs.src_hw))
			abort();
	}
	build_all_sizes(copy, size);
	free(copy);
	return 0;
}
