/*
 * fuzz_leasefile — the two parsers of what the store reads back from disk:
 * leasefile_parse_line() (dnsmasq's lease file, possibly hand-edited) and
 * store_record_parse() (journal records, possibly torn).  Whatever parses
 * must format again and parse back to the same lease, and a journal record
 * must survive the writer's map.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lease/leasefile.h"
#include "store/store_writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct lease *l)
{
	char line[LEASEFILE_LINE_MAX];
	struct lease again;
	int n = leasefile_format_line(l, line, sizeof(line));

	if (n <= 0 || leasefile_parse_line(line, (size_t)n, &again, NULL) != LEASEFILE_LEASE)
		abort();
	if (again.addr.v4.s_addr != l->addr.v4.s_addr || again.htype != l->htype ||
	    again.hwlen != l->hwlen || memcmp(again.hwaddr, l->hwaddr, l->hwlen) != 0 ||
	    again.client_id_len != l->client_id_len ||
	    memcmp(again.client_id, l->client_id, l->client_id_len) != 0 ||
	    strcmp(again.hostname, l->hostname) != 0 || again.expires != l->expires)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan catches a read one byte past the end. */
	char *buf = malloc(size ? size : 1);
	struct lease l;
	const char *why = NULL;

	memcpy(buf, data, size);
	switch (leasefile_parse_line(buf, size, &l, &why)) {
	case LEASEFILE_LEASE:
		check_round_trip(&l);
		break;
	case LEASEFILE_BAD:
		if (!why)
			abort(); /* every rejection says why */
		break;
	case LEASEFILE_SERVER_DUID: {
		char line[LEASEFILE_LINE_MAX];
		int n = leasefile_format_server_duid(l.client_id, l.client_id_len, line,
						     sizeof(line));
		struct lease again;

		/* Written back, it reads back the same. */
		if (n <= 0 || leasefile_parse_line(line, (size_t)n, &again, NULL) !=
				      LEASEFILE_SERVER_DUID ||
		    again.client_id_len != l.client_id_len ||
		    memcmp(again.client_id, l.client_id, l.client_id_len) != 0)
			abort();
		break;
	}
	case LEASEFILE_SKIP:
		break;
	}
	why = NULL;
	switch (store_record_parse(buf, size, &l, &why)) {
	case STORE_RECORD_ADD: {
		struct store_map *m = store_map_new();

		check_round_trip(&l);
		if (!store_map_apply(m, buf, size) || store_map_count(m) != 1)
			abort();
		store_map_free(m);
		break;
	}
	case STORE_RECORD_DEL:
		break;
	case STORE_RECORD_QUARANTINE: {
		/* A quarantine record reads back as the same address and time. */
		char rec[STORE_RECORD_MAX];
		struct lease back;
		int n = store_record_format_quarantine(l.addr, l.expires, rec, sizeof(rec));

		if (n < 0 || store_record_parse(rec, (size_t)n, &back, NULL) != STORE_RECORD_QUARANTINE ||
		    back.addr.v4.s_addr != l.addr.v4.s_addr || back.expires != l.expires)
			abort();
		break;
	}
	case STORE_RECORD_BAD:
		if (!why)
			abort();
		break;
	}
	free(buf);
	return 0;
}
