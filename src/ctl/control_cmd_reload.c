/*
 * control_cmd_reload — `leasectl reload`: run main's reload (the same as
 * SIGHUP) and say what it changed; see include/ctl/control_cmd.h.
 *
 * May include: ctl/, core/.
 */
#include "ctl/control_cmd.h"
#include "ctl/control.h"
#include "ctl/control_proto.h"
#include "core/json.h"

static void write_change(struct json_writer *w, const char *key, size_t before, size_t after)
{
	json_begin_object(w, key);
	json_int(w, "before", (int64_t)before);
	json_int(w, "after", (int64_t)after);
	json_end_object(w);
}

void control_cmd_reload(void *ctx, struct control_conn *k, const struct control_request *req,
			struct json_writer *w)
{
	const struct control_reload_deps *d = ctx;
	struct control_reload_report r = { 0 };

	(void)req;
	d->reload(d->ctx, &r);
	if (!r.ok) {
		control_reply_error(k, CONTROL_E_FAILED, "%s", r.error);
		return;
	}
	control_begin_result(w);
	json_begin_object(w, "changes");
	write_change(w, "reservations", r.reservations_before, r.reservations_after);
	write_change(w, "dns_records", r.dns_records_before, r.dns_records_after);
	write_change(w, "dns_servers", r.dns_servers_before, r.dns_servers_after);
	json_end_object(w);
	control_end_result(w);
	control_reply(k, w);
}
