/*
 * leased — main: parse the configuration, start every module in order,
 * connect them, and run the loop.  Nothing here decides anything about
 * DHCP or leases; it only wires (DESIGN.md: "main.c only wires modules
 * together").  Invoked as `dnsmasq` it behaves exactly the same.
 */
#include "conf/config.h"
#include "ctl/control.h"
#include "ctl/control_cmd.h"
#include "core/daemon.h"
#include "dhcp/dhcp4_server.h"
#include "dhcp/dhcp6.h"
#include "dhcp/dhcp6_server.h"
#include "dns/dns_local.h"
#include "dns/dns_server.h"
#include "conf/hostdb.h"
#include "lease/lease.h"
#include "core/log.h"
#include "core/loop.h"
#include "net/netlink.h"
#include "ra/ra_server.h"
#include "lease/script.h"
#include "store/store.h"
#include "tftp/tftp_server.h"
#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION_LINE "Dnsmasq version 2.90 (leased " LEASED_VERSION ", a dnsmasq-compatible DHCP server for container bridges)"

/* The running daemon's parts, owned by main() and lent to callbacks. */
struct wiring {
	const struct config *cfg;
	struct loop *loop;
	struct netlink *nl;
	struct lease_table *leases;
	struct store *store;
	struct script *script;        /* NULL without --dhcp-script */
	struct hostdb *hosts;
	struct dhcp4_server *dhcp4;
	struct ra_server *ra;         /* NULL when no range asks for RAs */
	struct dhcp6_server *dhcp6;   /* NULL when no range serves DHCPv6 */
	struct tftp_server *tftp;     /* NULL without --enable-tftp */
	struct dns_local *names;      /* local DNS data, swapped on SIGHUP */
	struct dns_service *dns;      /* NULL with --port=0 */
	struct control *control;      /* leasectl's socket */
	/* The deps of its commands (open_control's table): */
	struct control_leases *ctl_leases;     /* leases, show, release, watch */
	struct control_stats_deps ctl_stats;   /* stats */
	struct control_reload_deps ctl_reload; /* reload */
	struct loop_timer *expiry;
	struct loop_timer *disk;      /* while changes wait for the disk */
};

static void on_netlink(void *ctx, int fd, uint32_t events)
{
	struct wiring *w = ctx;

	(void)fd;
	(void)events;
	netlink_process(w->nl);
}

static void on_interfaces_changed(void *ctx)
{
	struct wiring *w = ctx;

	dhcp4_server_interfaces_changed(w->dhcp4);
	ra_server_interfaces_changed(w->ra);
	dhcp6_server_interfaces_changed(w->dhcp6);
}

static void on_store(void *ctx, int fd, uint32_t events)
{
	struct wiring *w = ctx;

	(void)fd;
	(void)events;
	if (store_handle_acks(w->store) < 0) {
		/* Without the writer no lease can be made durable: stop granting. */
		log_err("lease store writer died; exiting so no lease is granted unsaved");
		loop_quit(w->loop, EXIT_FILESYSTEM);
		return;
	}
	dhcp4_server_send_durable(w->dhcp4);
	dhcp6_server_send_durable(w->dhcp6);
	control_store_durable(w->control);
}

/*
 * Once a second while changes wait for the disk: drop replies that waited
 * too long, and give up when the writer has confirmed nothing for
 * STORE_STALL_MS.  Holding every grant for ever helps nobody; lxc-net and
 * systemd restart a daemon that exits (DNS answers again within a second
 * of the restart, DHCP once the disk works).
 */
static void on_disk_timer(void *ctx)
{
	struct wiring *w = ctx;

	dhcp4_server_send_durable(w->dhcp4);
	dhcp6_server_send_durable(w->dhcp6);
	if (store_stalled(w->store, now_mono_ms())) {
		struct store_health h;

		store_health(w->store, &h);
		log_err("lease store confirmed no change for %d s (%s): exiting so that a restart "
			"can try again", STORE_STALL_MS / 1000, h.failing ? h.error : "writer stuck");
		loop_quit(w->loop, EXIT_FILESYSTEM);
	}
}

static void on_expiry(void *ctx)
{
	struct wiring *w = ctx;

	lease_expire(w->leases, now_wall());
}

/*
 * Before every wait: arm the expiry timer for the earliest lease, then
 * hand everything this iteration changed to the store in one batch (one
 * sync for the whole burst), and send what is already durable.
 */
static void before_wait(void *ctx)
{
	struct wiring *w = ctx;
	time_t next = lease_next_expiry(w->leases);

	if (next) {
		time_t now = now_wall();
		uint64_t delay = next > now ? (uint64_t)(next - now) * 1000 : 0;

		loop_timer_arm(w->expiry, now_mono_ms() + delay);
	} else {
		loop_timer_disarm(w->expiry);
	}
	store_flush(w->store);
	dhcp4_server_send_durable(w->dhcp4);
	dhcp6_server_send_durable(w->dhcp6);
	if (store_durable_seq(w->store) < store_pending_seq(w->store)) {
		if (!loop_timer_armed(w->disk))
			loop_timer_arm(w->disk, now_mono_ms() + 1000);
	} else {
		loop_timer_disarm(w->disk);
	}
	log_flush();
}

static void count_server(void *ctx, const struct dns_forward_server_info *s)
{
	(void)s;
	(*(size_t *)ctx)++;
}

static size_t dns_server_count(const struct wiring *w)
{
	size_t n = 0;

	if (w->dns)
		dns_forward_foreach_server(dns_service_forward(w->dns), count_server, &n);
	return n;
}

/* What a fresh hostdb skipped (hostsfile lines) or took with a change (option values). */
static void log_skipped_hosts(const struct hostdb *db)
{
	const struct dhcp_option *opts;
	const char *const *msgs;
	size_t n = hostdb_warnings(db, &msgs);

	for (size_t i = 0; i < n; i++)
		log_warn("%s", msgs[i]);
	opts = hostdb_options(db, &n);
	for (size_t i = 0; opts && i < n; i++)
		if (opts[i].note)
			log_warn("%s", opts[i].note);
}

/*
 * SIGHUP and `leasectl reload`: reservations, hosts files and the resolv
 * file, each whole or not at all; r says what changed.
 */
static void reload(void *ctx, struct control_reload_report *r)
{
	struct wiring *w = ctx;
	struct error err = { 0 };
	struct hostdb *fresh = hostdb_load(w->cfg, &err);
	struct dns_local *names;

	*r = (struct control_reload_report){
		.reservations_before = hostdb_count(w->hosts),
		.dns_records_before = w->names ? dns_local_count(w->names) : 0,
		.dns_servers_before = dns_server_count(w),
	};
	script_rerun(w->script, w->leases); /* dnsmasq: "old" for every lease on SIGHUP */
	if (!fresh) {
		snprintf(r->error, sizeof(r->error), "reload failed, keeping the previous reservations: %s",
			 err.msg);
		log_err("%s", r->error);
		return;
	}
	log_skipped_hosts(fresh);
	dhcp4_server_set_hosts(w->dhcp4, fresh);
	dhcp6_server_set_hosts(w->dhcp6, fresh);
	control_leases_set_hosts(w->ctl_leases, fresh);
	hostdb_free(w->hosts);
	w->hosts = fresh;
	r->reservations_after = hostdb_count(fresh);
	log_info("reloaded: %zu DHCP reservations", r->reservations_after);
	r->ok = true;
	if (!w->dns)
		return;
	names = dns_local_load(w->cfg, w->hosts, &err);
	if (!names) {
		snprintf(r->error, sizeof(r->error), "reload failed, keeping the previous local names: %s",
			 err.msg);
		log_err("%s", r->error);
		r->ok = false;
	} else {
		dns_service_set_local(w->dns, names);
		dns_local_free(w->names);
		w->names = names;
		log_info("reloaded: %zu local DNS records", dns_local_count(names));
	}
	r->dns_records_after = dns_local_count(w->names);
	dns_service_reload(w->dns);
	r->dns_servers_after = dns_server_count(w);
}

static void on_signal(void *ctx, int signo)
{
	struct wiring *w = ctx;

	switch (signo) {
	case SIGTERM:
	case SIGINT:
		log_info("exiting on signal %d", signo);
		loop_quit(w->loop, 0);
		break;
	case SIGHUP: {
		struct control_reload_report r;

		reload(w, &r);
		break;
	}
	case SIGUSR1:
		log_info("%zu leases held", lease_count(w->leases));
		dhcp4_server_log_stats(w->dhcp4);
		if (w->dns)
			dns_service_log_stats(w->dns);
		break;
	case SIGUSR2:
		log_reopen();
		break;
	}
}

/* Local names, listeners, cache and forwarder; the cache follows the leases. */
static int start_dns(struct wiring *w, struct error *err)
{
	struct dns_service_deps deps;

	w->names = dns_local_load(w->cfg, w->hosts, err);
	if (!w->names)
		return -1;
	deps = (struct dns_service_deps){
		.cfg = w->cfg, .loop = w->loop, .leases = w->leases, .nl = w->nl,
		.local = w->names,
	};
	w->dns = dns_service_new(&deps, err);
	if (!w->dns)
		return -1;
	if (lease_table_add_observer(w->leases, dns_service_lease_changed, w->dns) < 0)
		return error_set(err, EXIT_OTHER, "cannot watch the lease table for DNS");
	return 0;
}

/* --dhcp-script: its helper forks now, while still root (as dnsmasq runs it). */
static int start_script(struct wiring *w, struct error *err)
{
	const struct config *cfg = w->cfg;
	struct script_config sc = {
		.path = cfg->dhcp_script, .domain = cfg->domain,
		.log_dhcp = cfg->log_dhcp, .nl = w->nl,
	};

	if (!cfg->dhcp_script)
		return 0;
	w->script = script_new(&sc, w->loop, err);
	if (!w->script)
		return -1;
	if (lease_table_add_observer(w->leases, script_lease_changed, w->script) < 0)
		return error_set(err, EXIT_OTHER,
				 "cannot watch the lease table for the dhcp-script");
	/* libvirt's form: the script keeps the leases ("init" prints them). */
	if (cfg->leasefile_ro && script_load_init(w->script, w->leases, now_wall(), err) < 0)
		return -1;
	return 0;
}

/* What the store has on disk: a `leasectl release` is answered once it is. */
static uint64_t durable_seq(void *ctx)
{
	const struct wiring *w = ctx;

	return store_durable_seq(w->store);
}

/* leasectl's socket, with the table of its commands and their deps (start_control). */
static struct control *open_control(struct wiring *w, struct error *err)
{
	const struct control_handler commands[] = {
		{ CONTROL_LEASES, control_cmd_leases, w->ctl_leases },
		{ CONTROL_SHOW, control_cmd_show, w->ctl_leases },
		{ CONTROL_RELEASE, control_cmd_release, w->ctl_leases },
		{ CONTROL_WATCH, control_cmd_watch, w->ctl_leases },
		{ CONTROL_STATS, control_cmd_stats, &w->ctl_stats },
		{ CONTROL_CACHE, control_cmd_cache, w->dns },       /* NULL with --port=0 */
		{ CONTROL_EXPLAIN, control_cmd_explain, w->dns },
		{ CONTROL_RELOAD, control_cmd_reload, &w->ctl_reload },
	};
	const struct control_deps deps = {
		.cfg = w->cfg, .loop = w->loop, .commands = commands,
		.ncommands = ARRAY_SIZE(commands), .durable_seq = durable_seq, .durable_ctx = w,
	};

	return control_open(&deps, err);
}

/*
 * The control socket, made while still root; the lease commands watch the
 * leases for `leasectl watch`.
 */
static int start_control(struct wiring *w, struct error *err)
{
	const struct control_leases_deps leases_deps = {
		.leases = w->leases, .nl = w->nl, .hosts = w->hosts, .dns = w->dns,
		.store = w->store,
	};

	w->ctl_leases = control_leases_new(&leases_deps);
	w->ctl_stats = (struct control_stats_deps){
		.cfg = w->cfg, .leases = w->leases, .dhcp4 = w->dhcp4, .dhcp6 = w->dhcp6,
		.ra = w->ra, .store = w->store, .dns = w->dns,
	};
	w->ctl_reload = (struct control_reload_deps){ .reload = reload, .ctx = w };
	w->control = open_control(w, err);
	if (!w->control)
		return -1;
	control_leases_set_server(w->ctl_leases, w->control);
	if (lease_table_add_observer(w->leases, control_leases_changed, w->ctl_leases) < 0)
		return error_set(err, EXIT_OTHER, "cannot watch the lease table for leasectl");
	return 0;
}

/* Start every module; -1 with err filled (message and exit status) on failure. */
static int start(struct wiring *w, struct error *err)
{
	const struct config *cfg = w->cfg;
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };
	struct dhcp4_server_deps deps;

	w->loop = loop_new();
	if (!w->loop)
		return error_set(err, EXIT_OTHER, "cannot create event loop: %s", strerror(errno));
	w->nl = netlink_open(config_ra_names(cfg) || dhcp6_wanted(cfg), err);
	if (!w->nl)
		return -1;
	w->hosts = hostdb_load(cfg, err);
	if (!w->hosts)
		return -1;
	log_skipped_hosts(w->hosts);
	w->leases = lease_table_new();
	/* Before the store: the leases it loads give the script its "old" calls. */
	if (start_script(w, err) < 0)
		return -1;
	log_flush(); /* the store forks: no buffered line may be written twice */
	w->store = store_open(cfg->lease_file ? cfg->lease_file : DEFAULT_LEASE_FILE,
			      cfg->leasefile_ro, dhcp6_wanted(cfg), w->leases, now_wall(), err);
	if (!w->store)
		return -1;
	{
		const uint8_t *duid;
		size_t n = store_server_duid(w->store, &duid);

		script_start_events(w->script, duid, n);
	}
	deps = (struct dhcp4_server_deps){
		.cfg = cfg, .leases = w->leases, .store = w->store, .nl = w->nl,
		.loop = w->loop, .hosts = w->hosts,
	};
	w->dhcp4 = dhcp4_server_new(&deps, err);
	if (!w->dhcp4)
		return -1;
	if (dhcp6_wanted(cfg)) {
		const struct dhcp6_server_deps d6 = {
			.cfg = cfg, .leases = w->leases, .store = w->store, .nl = w->nl,
			.loop = w->loop, .hosts = w->hosts,
		};

		w->dhcp6 = dhcp6_server_new(&d6, err);
		if (!w->dhcp6)
			return -1;
	}
	if (ra_wanted(cfg)) {
		const struct ra_server_deps ra = { .cfg = cfg, .loop = w->loop, .nl = w->nl };

		w->ra = ra_server_new(&ra, err);
		if (!w->ra)
			return -1;
	}
	if (cfg->enable_tftp) {
		const struct tftp_server_deps td = { .cfg = cfg, .loop = w->loop, .nl = w->nl };

		w->tftp = tftp_server_new(&td, err);
		if (!w->tftp)
			return -1;
	}
	if (cfg->port != 0 && start_dns(w, err) < 0)
		return -1;
	if (start_control(w, err) < 0)
		return -1;
	if (daemon_write_pidfile(cfg->pid_file) < 0)
		return error_set(err, EXIT_FILESYSTEM, "cannot write pid file %s: %s",
				 cfg->pid_file,
				 strerror(errno));
	if (daemon_drop_privileges(cfg->user, cfg->group, err) < 0)
		return -1;
	w->expiry = loop_timer_new(w->loop, on_expiry, w);
	w->disk = loop_timer_new(w->loop, on_disk_timer, w);
	netlink_on_change(w->nl, on_interfaces_changed, w);
	if (loop_add_fd(w->loop, netlink_fd(w->nl), EPOLLIN, on_netlink, w) < 0 ||
	    (store_fd(w->store) >= 0 &&
	     loop_add_fd(w->loop, store_fd(w->store), EPOLLIN, on_store, w) < 0) ||
	    loop_add_signals(w->loop, signals, (int)ARRAY_SIZE(signals), on_signal, w) < 0 ||
	    loop_add_hook(w->loop, before_wait, w) < 0)
		return error_set(err, EXIT_OTHER, "cannot set up the event loop: %s",
				 strerror(errno));
	return 0;
}

static void stop(struct wiring *w)
{
	if (w->store)
		store_close(w->store); /* everything queued reaches the disk */
	script_free(w->script);
	control_free(w->control);
	control_leases_free(w->ctl_leases);
	dhcp4_server_free(w->dhcp4);
	ra_server_free(w->ra); /* its final RAs: "no longer a router" */
	dhcp6_server_free(w->dhcp6);
	tftp_server_free(w->tftp);
	dns_service_free(w->dns);
	dns_local_free(w->names);
	loop_timer_free(w->expiry);
	loop_timer_free(w->disk);
	hostdb_free(w->hosts);
	lease_table_free(w->leases);
	netlink_close(w->nl);
	loop_free(w->loop);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct error err = { 0 };
	enum config_action action = CONFIG_RUN;
	struct wiring w = { .cfg = &cfg };
	bool foreground;
	int status;

	config_init(&cfg);
	if (config_parse_args(&cfg, argc, argv, &action, &err) < 0 ||
	    (action == CONFIG_RUN && config_validate(&cfg, &err) < 0)) {
		fprintf(stderr, "leased: %s\n", err.msg);
		return error_status(&err);
	}
	if (action == CONFIG_VERSION) {
		printf("%s\n", VERSION_LINE);
		return 0;
	}
	if (action == CONFIG_HELP) {
		config_print_help(stdout);
		return 0;
	}
	if (cfg.test_only) {
		fprintf(stderr, "dnsmasq: syntax check OK.\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	foreground = cfg.keep_in_foreground || cfg.no_daemon;
	if (!foreground && daemon_background() < 0) {
		fprintf(stderr, "leased: cannot go to the background: %s\n", strerror(errno));
		return EXIT_OTHER;
	}
	if (log_open("leased", cfg.log_facility) < 0) {
		error_set(&err, EXIT_FILESYSTEM, "cannot open log file %s: %s", cfg.log_facility,
			  strerror(errno));
		daemon_fail(err.status, err.msg);
		return err.status;
	}
	log_set_stderr(cfg.no_daemon);
	log_set_debug(cfg.log_dhcp);
	if (start(&w, &err) < 0) {
		status = error_status(&err);
		log_err("%s", err.msg);
		daemon_fail(status, err.msg);
		stop(&w);
		return status;
	}
	log_info("started, version %s (dnsmasq-compatible 2.90); %zu leases loaded",
		 LEASED_VERSION, lease_count(w.leases));
	daemon_ready(foreground);
	status = loop_run(w.loop);
	stop(&w);
	log_close();
	config_free(&cfg);
	return status < 0 ? EXIT_OTHER : status;
}
