/*
 * test_config — the command lines lxc-net and LXD run, conf-files with
 * their comments, quoting, nesting and exact file:line messages,
 * conf-dir filtering, every --dhcp-host form, the wire bytes of
 * --dhcp-option values, DHCPv4/v6 ranges, DNS options and the
 * whole-configuration checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "test_files.h"

static int parse_argv(struct config *cfg, struct error *err, enum config_action *act,
		      char **argv)
{
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	config_init(cfg);
	rc = config_parse_args(cfg, argc, argv, act, err);
	if (rc < 0)
		print_message("(parse failed: %s)\n", err->msg);
	return rc;
}

#define PARSE(cfg, err, ...) \
	parse_argv(cfg, err, &action, (char *[]){ "dnsmasq", __VA_ARGS__, NULL })

/* Parse conf-file text alone (no file involved). */
static int parse_conf(struct config *cfg, struct error *err, const char *text)
{
	int rc;

	config_init(cfg);
	rc = config_parse_text(cfg, text, strlen(text), "test.conf", err);
	if (rc < 0)
		print_message("(parse failed: %s)\n", err->msg);
	return rc;
}

static const char *addr4(struct in_addr a)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int next;
	char *b = buf[next++ % 4];

	return inet_ntop(AF_INET, &a, b, INET_ADDRSTRLEN);
}

static const char *sockaddr_str(const struct sockaddr_storage *ss)
{
	static char buf[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
				 sizeof(buf));
	return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			 sizeof(buf));
}

/* ---- command lines ---- */

static void test_lxc_net_argv(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--conf-file=/dev/null", "-s", "lxc", "-S", "/lxc/",
			       "-u", "lxc-dnsmasq", "--strict-order", "--bind-interfaces",
			       "--pid-file=/run/lxc/dnsmasq.pid", "--listen-address", "10.0.3.1",
			       "--dhcp-range", "10.0.3.2,10.0.3.254", "--dhcp-lease-max=253",
			       "--dhcp-no-override", "--except-interface=lo", "--interface=lxcbr0",
			       "--dhcp-leasefile=/var/lib/misc/dnsmasq.lxcbr0.leases",
			       "--dhcp-authoritative", "--dhcp-range=fd42::1,ra-only",
			       "--listen-address", "fd42::1", "--no-ping"), 0);
	assert_int_equal(action, CONFIG_RUN);
	assert_int_equal(config_validate(&cfg, &err), 0);
	assert_string_equal(cfg.domain, "lxc");
	assert_null(cfg.domain_range);
	assert_int_equal(cfg.nservers, 1);
	assert_string_equal(cfg.servers[0].domain, "lxc");
	assert_true(cfg.servers[0].local_only);
	assert_false(cfg.servers[0].has_addr);
	assert_string_equal(cfg.user, "lxc-dnsmasq");
	assert_true(cfg.strict_order);
	assert_true(cfg.bind_interfaces);
	assert_string_equal(cfg.pid_file, "/run/lxc/dnsmasq.pid");
	assert_int_equal(cfg.nlisten_addrs, 2);
	assert_string_equal(sockaddr_str(&cfg.listen_addrs[0]), "10.0.3.1");
	assert_string_equal(sockaddr_str(&cfg.listen_addrs[1]), "fd42::1");
	assert_int_equal(cfg.nranges, 2);
	assert_int_equal(cfg.ranges[0].family, AF_INET);
	assert_string_equal(addr4(cfg.ranges[0].start), "10.0.3.2");
	assert_string_equal(addr4(cfg.ranges[0].end), "10.0.3.254");
	assert_int_equal(cfg.ranges[0].lease_time, DEFAULT_LEASE_TIME);
	assert_int_equal(cfg.ranges[1].family, AF_INET6);
	assert_int_equal(cfg.ranges[1].mode6, RANGE6_RA_ONLY);
	assert_int_equal(cfg.lease_max, 253);
	assert_true(cfg.dhcp_no_override);
	assert_int_equal(cfg.nexcept_interfaces, 1);
	assert_string_equal(cfg.except_interfaces[0], "lo");
	assert_int_equal(cfg.ninterfaces, 1);
	assert_string_equal(cfg.interfaces[0], "lxcbr0");
	assert_string_equal(cfg.lease_file, "/var/lib/misc/dnsmasq.lxcbr0.leases");
	assert_true(cfg.authoritative);
	assert_true(cfg.no_ping);
	config_free(&cfg);
}

static void test_lxd_argv(void **state)
{
	const char *raw = write_file("dnsmasq.raw", "# raw.dnsmasq\ndhcp-option=option:mtu,1400\n");
	struct config cfg;
	struct error err;
	enum config_action action;
	char conf_arg[300];

	(void)state;
	snprintf(conf_arg, sizeof(conf_arg), "--conf-file=%s", raw);
	assert_int_equal(PARSE(&cfg, &err, "--keep-in-foreground", "--strict-order",
			       "--bind-interfaces", "--except-interface=lo", "--pid-file=",
			       "--no-ping", "--interface=lxdbr0", "--dhcp-rapid-commit",
			       "--no-negcache", "--quiet-dhcp", "--quiet-dhcp6", "--quiet-ra",
			       "--listen-address=10.1.2.1", "--dhcp-no-override",
			       "--dhcp-ignore-clid", /* LXD, with a dnsmasq newer than 2.81 */
			       "--dhcp-authoritative", "--dhcp-leasefile=/x/dnsmasq.leases",
			       "--dhcp-hostsfile=/x/dnsmasq.hosts", "--dhcp-range",
			       "10.1.2.2,10.1.2.254,1h", "--listen-address=fd42::1", "--enable-ra",
			       "--dhcp-range", "::,constructor:lxdbr0,ra-stateless,ra-names", "-s",
			       "lxd", "--interface-name", "_gateway.lxd,lxdbr0", "-S", "/lxd/",
			       conf_arg, "-u", "nobody", "-g", "lxd"), 0);
	assert_int_equal(config_validate(&cfg, &err), 0);
	assert_true(cfg.keep_in_foreground);
	assert_null(cfg.pid_file);
	assert_true(cfg.rapid_commit);
	assert_true(cfg.ignore_clid);
	assert_true(cfg.no_negcache);
	assert_true(cfg.quiet_dhcp && cfg.quiet_dhcp6 && cfg.quiet_ra);
	assert_true(cfg.enable_ra);
	assert_int_equal(cfg.nhostsfiles, 1);
	assert_string_equal(cfg.hostsfiles[0], "/x/dnsmasq.hosts");
	assert_int_equal(cfg.ranges[0].lease_time, 3600);
	assert_int_equal(cfg.ranges[1].family, AF_INET6);
	assert_string_equal(cfg.ranges[1].constructor_if, "lxdbr0");
	assert_int_equal(cfg.ranges[1].mode6, RANGE6_RA_STATELESS | RANGE6_RA_NAMES);
	assert_int_equal(cfg.ninterface_names, 1);
	assert_string_equal(cfg.interface_names[0].fields[0], "_gateway.lxd");
	assert_string_equal(cfg.interface_names[0].fields[1], "lxdbr0");
	assert_string_equal(cfg.user, "nobody");
	assert_string_equal(cfg.group, "lxd");
	/* The raw file was read after the command line. */
	assert_int_equal(cfg.noptions, 1);
	assert_int_equal(cfg.options[0].code, 26);
	assert_int_equal(cfg.options[0].len, 2);
	assert_int_equal(cfg.options[0].data[0] << 8 | cfg.options[0].data[1], 1400);
	config_free(&cfg);
}

/*
 * libvirt's generated conf files, as virsh net-start writes them (NAT with
 * IPv6, isolated, routed with a domain, hosts only), started the way
 * libvirt starts dnsmasq: --conf-file, --leasefile-ro, its lease helper.
 */
static const char libvirt_head[] =
	"##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n"
	"##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:\n"
	"##    virsh net-edit NET\n"
	"## or other application using the libvirt API.\n"
	"##\n"
	"## dnsmasq conf file created by libvirt\n"
	"strict-order\n";

static void libvirt_parse(struct config *cfg, const char *name, const char *body)
{
	char text[4096], conf_arg[300];
	enum config_action action;
	struct error err;
	const char *path;

	snprintf(text, sizeof(text), "%s%s", libvirt_head, body);
	path = write_file(name, text);
	snprintf(conf_arg, sizeof(conf_arg), "--conf-file=%s", path);
	if (PARSE(cfg, &err, conf_arg, "--leasefile-ro",
		  "--dhcp-script=/usr/lib/libvirt/libvirt_leaseshelper") < 0 ||
	    config_validate(cfg, &err) < 0)
		fail_msg("libvirt's %s: %s", name, err.msg);
	assert_true(cfg->leasefile_ro);
	assert_string_equal(cfg->dhcp_script, "/usr/lib/libvirt/libvirt_leaseshelper");
	assert_true(cfg->bind_dynamic && cfg->strict_order);
}

static void test_libvirt_conf_files(void **state)
{
	struct config cfg;
	const struct dhcp_option *o;

	(void)state;
	libvirt_parse(&cfg, "default.conf",
		      "pid-file=/run/libvirt/network/default.pid\n"
		      "except-interface=lo\nbind-dynamic\ninterface=virbr0\n"
		      "dhcp-range=192.168.122.2,192.168.122.254,255.255.255.0\n"
		      "dhcp-no-override\ndhcp-authoritative\n"
		      "dhcp-range=2001:db8:ca2:2::100,2001:db8:ca2:2::1ff,64\n"
		      "dhcp-lease-max=493\n"
		      "dhcp-hostsfile=/var/lib/libvirt/dnsmasq/default.hostsfile\n"
		      "addn-hosts=/var/lib/libvirt/dnsmasq/default.addnhosts\n"
		      "enable-ra\n");
	assert_int_equal(cfg.nranges, 2);
	assert_int_equal(cfg.ranges[1].family, AF_INET6);
	assert_true(cfg.enable_ra);
	assert_int_equal(cfg.lease_max, 493);
	config_free(&cfg);

	/* Isolated: no router (an empty option 3), router lifetime 0 in RAs. */
	libvirt_parse(&cfg, "isolated.conf",
		      "pid-file=/run/libvirt/network/isolated.pid\n"
		      "except-interface=lo\nbind-dynamic\ninterface=virbr1\n"
		      "dhcp-option=3\nno-resolv\nra-param=*,0,0\n"
		      "dhcp-range=192.168.152.2,192.168.152.254,255.255.255.0\n"
		      "dhcp-no-override\ndhcp-authoritative\ndhcp-lease-max=253\n"
		      "dhcp-hostsfile=/var/lib/libvirt/dnsmasq/isolated.hostsfile\n"
		      "addn-hosts=/var/lib/libvirt/dnsmasq/isolated.addnhosts\n");
	o = config_iface_option(&cfg, AF_INET, 3, "virbr1");
	assert_non_null(o);
	assert_int_equal(o->len, 0);
	assert_int_equal(cfg.nra_params, 1);
	assert_true(cfg.ra_params[0].has_lifetime);
	assert_int_equal(cfg.ra_params[0].lifetime, 0);
	assert_true(cfg.no_resolv);
	config_free(&cfg);

	/* Routed, with a domain of its own. */
	libvirt_parse(&cfg, "routed.conf",
		      "local=/example.com/\ndomain=example.com\nexpand-hosts\n"
		      "pid-file=/run/libvirt/network/routed.pid\n"
		      "except-interface=lo\nbind-dynamic\ninterface=virbr2\n"
		      "dhcp-range=192.168.126.2,192.168.126.254,255.255.255.0\n"
		      "dhcp-no-override\ndhcp-authoritative\ndhcp-lease-max=253\n"
		      "dhcp-hostsfile=/var/lib/libvirt/dnsmasq/routed.hostsfile\n"
		      "addn-hosts=/var/lib/libvirt/dnsmasq/routed.addnhosts\n");
	assert_string_equal(cfg.domain, "example.com");
	assert_true(cfg.expand_hosts);
	assert_true(cfg.servers[0].local_only);
	config_free(&cfg);

	/* Hosts and no range: the bridge's address with "static", both families. */
	libvirt_parse(&cfg, "hostsonly.conf",
		      "except-interface=lo\nbind-dynamic\ninterface=virbr3\n"
		      "dhcp-range=192.168.130.1,static\n"
		      "dhcp-range=2001:db8:ca2:3::1,static,64\n"
		      "dhcp-no-override\ndhcp-authoritative\n"
		      "dhcp-hostsfile=/var/lib/libvirt/dnsmasq/hostsonly.hostsfile\n");
	assert_true(cfg.ranges[0].static_only && cfg.ranges[1].static_only);
	config_free(&cfg);

	/* Netboot: TFTP from a root, the boot file in DHCP. */
	libvirt_parse(&cfg, "netboot.conf",
		      "pid-file=/run/libvirt/network/netboot.pid\n"
		      "except-interface=lo\nbind-dynamic\ninterface=virbr4\n"
		      "dhcp-range=192.168.140.2,192.168.140.254,255.255.255.0\n"
		      "dhcp-no-override\ndhcp-authoritative\ndhcp-lease-max=253\n"
		      "dhcp-hostsfile=/var/lib/libvirt/dnsmasq/netboot.hostsfile\n"
		      "addn-hosts=/var/lib/libvirt/dnsmasq/netboot.addnhosts\n"
		      "enable-tftp\ntftp-root=/var/lib/tftpboot\ndhcp-boot=pxelinux.0\n");
	assert_true(cfg.enable_tftp);
	assert_string_equal(cfg.tftp_root, "/var/lib/tftpboot");
	assert_string_equal(cfg.boots[0].file, "pxelinux.0");
	config_free(&cfg);
}

/* --dhcp-boot: [tag:T,]FILE[,SNAME[,SERVER]] (libvirt's netboot networks write it). */
static void test_dhcp_boot(void **state)
{
	struct config cfg;
	struct error err;

	(void)state;
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-boot=pxelinux.0\n"
				    "dhcp-boot=tag:efi,grubx64.efi,boothost,192.168.122.1\n"), 0);
	assert_int_equal(cfg.nboots, 2);
	assert_string_equal(cfg.boots[0].file, "pxelinux.0");
	assert_null(cfg.boots[0].sname);
	assert_int_equal(cfg.boots[0].server.s_addr, 0);
	assert_string_equal(cfg.boots[1].match.names[0], "efi");
	assert_string_equal(cfg.boots[1].sname, "boothost");
	assert_string_equal(addr4(cfg.boots[1].server), "192.168.122.1");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-boot=pxelinux.0,boothost,tftp.example\n"),
			 -1);
	assert_string_equal(err.msg, "bad --dhcp-boot \"pxelinux.0,boothost,tftp.example\": "
			    "\"tftp.example\" is not an IPv4 address (a TFTP server's name is not "
			    "supported yet) (at test.conf:1)");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-boot=tag:x\n"), -1);
	assert_non_null(strstr(err.msg, "no boot file"));
	config_free(&cfg);
}

/* The TFTP options: values, defaults, and errors that name the option and the place. */
static void test_tftp_options(void **state)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "tftp-root=srv/tftp",
		  "bad --tftp-root \"srv/tftp\": not an absolute path (at test.conf:1)" },
		{ "tftp-root=/srv/tftp,virbr0", "bad --tftp-root \"/srv/tftp,virbr0\": a TFTP root per "
		  "interface is not supported yet (at test.conf:1)" },
		{ "tftp-root=", "bad --tftp-root \"\": the value is empty (at test.conf:1)" },
		{ "tftp-max=0", "bad --tftp-max \"0\": not a number from 1 to 65535 (at test.conf:1)" },
		{ "tftp-max=lots", "bad --tftp-max \"lots\"" },
		{ "tftp-mtu=40", "bad --tftp-mtu \"40\": not a number from 68 to 65535 (at test.conf:1)" },
		{ "tftp-unique-root=mac", "bad --tftp-unique-root \"mac\": a root per MAC is not "
		  "supported yet (at test.conf:1)" },
		{ "tftp-unique-root=name", "bad --tftp-unique-root \"name\": only \"ip\"" },
		{ "enable-tftp=a/b", "bad --enable-tftp \"a/b\": \"a/b\" is not an interface name" },
		{ "tftp-secure=yes", "--tftp-secure takes no value (at test.conf:1)" },
	};
	struct config cfg;
	struct error err;
	enum config_action action;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--enable-tftp", "--tftp-root=/srv/tftp/"), 0);
	assert_true(cfg.enable_tftp);
	assert_int_equal(cfg.ntftp_ifaces, 0);
	assert_string_equal(cfg.tftp_root, "/srv/tftp/");
	assert_int_equal(cfg.tftp_max, DEFAULT_TFTP_MAX);
	assert_int_equal(cfg.tftp_mtu, 0);
	assert_false(cfg.tftp_secure || cfg.tftp_no_fail || cfg.tftp_no_blocksize ||
		     cfg.tftp_unique_root);
	assert_int_equal(config_validate(&cfg, &err), 0);
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "enable-tftp=virbr0,virbr1\nenable-tftp=eth*\n"
				    "tftp-root=/var/lib/tftpboot\ntftp-secure\ntftp-no-fail\n"
				    "tftp-max=5\ntftp-mtu=1400\ntftp-no-blocksize\n"
				    "tftp-unique-root=ip\n"), 0);
	assert_int_equal(cfg.ntftp_ifaces, 3);
	assert_string_equal(cfg.tftp_ifaces[2], "eth*");
	assert_true(cfg.tftp_secure && cfg.tftp_no_fail && cfg.tftp_no_blocksize &&
		    cfg.tftp_unique_root);
	assert_int_equal(cfg.tftp_max, 5);
	assert_int_equal(cfg.tftp_mtu, 1400);
	config_free(&cfg);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[128];

		snprintf(text, sizeof(text), "%s\n", bad[i].line);
		assert_int_equal(parse_conf(&cfg, &err, text), -1);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].line, err.msg, bad[i].msg);
		assert_int_equal(err.status, EXIT_CONFIG);
		config_free(&cfg);
	}
	/* A root alone serves nothing (as in dnsmasq); TFTP without a root is refused. */
	assert_int_equal(parse_conf(&cfg, &err, "tftp-root=/srv\n"), 0);
	assert_false(cfg.enable_tftp);
	config_free(&cfg);
}

/* Incus (LXD's fork) starts its dnsmasq with LXD's flags under its own names. */
static void test_incus_argv(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--keep-in-foreground", "--strict-order",
			       "--bind-interfaces", "--except-interface=lo", "--pid-file=",
			       "--no-ping", "--interface=incusbr0", "--dhcp-rapid-commit",
			       "--no-negcache", "--quiet-dhcp", "--quiet-dhcp6", "--quiet-ra",
			       "--listen-address=10.5.6.1", "--dhcp-no-override",
			       "--dhcp-authoritative", "--dhcp-ignore-clid",
			       "--dhcp-leasefile=/var/lib/incus/networks/incusbr0/dnsmasq.leases",
			       "--dhcp-hostsfile=/var/lib/incus/networks/incusbr0/dnsmasq.hosts",
			       "--dhcp-range", "10.5.6.2,10.5.6.254,1h", "--listen-address=fd42:5::1",
			       "--enable-ra", "--dhcp-range", "::,constructor:incusbr0,ra-stateless,ra-names",
			       "-s", "incus", "--interface-name", "_gateway.incus,incusbr0", "-S",
			       "/incus/", "--rev-server=240.0.0.0/8,127.0.0.1#1053",
			       "-u", "incus", "-g", "incus"), 0);
	assert_int_equal(config_validate(&cfg, &err), 0);
	assert_true(cfg.ignore_clid);
	assert_string_equal(cfg.domain, "incus");
	config_free(&cfg);
}

static void test_optional_arguments(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;

	(void)state;
	/* Bare --pid-file: the default; "--pid-file=": none. */
	assert_int_equal(PARSE(&cfg, &err, "--pid-file", "--no-ping"), 0);
	assert_string_equal(cfg.pid_file, DEFAULT_PID_FILE);
	assert_true(cfg.no_ping);
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--pid-file="), 0);
	assert_null(cfg.pid_file);
	config_free(&cfg);
	/* An optional value is never the next word. */
	assert_int_equal(PARSE(&cfg, &err, "--pid-file", "/run/x.pid"), -1);
	assert_int_equal(err.status, EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "junk found in command line"));
	assert_non_null(strstr(err.msg, "/run/x.pid"));
	config_free(&cfg);
	/* The short forms take the next word. */
	assert_int_equal(PARSE(&cfg, &err, "-x", "/run/x.pid", "-u", "lxc-dnsmasq", "-g", "lxc",
			       "-l", "/tmp/l.leases"), 0);
	assert_string_equal(cfg.pid_file, "/run/x.pid");
	assert_string_equal(cfg.user, "lxc-dnsmasq");
	assert_string_equal(cfg.group, "lxc");
	assert_string_equal(cfg.lease_file, "/tmp/l.leases");
	config_free(&cfg);
	/* Bare --user / --dhcp-leasefile: no user change, default lease file. */
	assert_int_equal(PARSE(&cfg, &err, "-u", "x", "--user", "--dhcp-leasefile"), 0);
	assert_null(cfg.user);
	assert_null(cfg.lease_file);
	config_free(&cfg);
	/* "--user=" is no user, never "". */
	assert_int_equal(PARSE(&cfg, &err, "--user="), 0);
	assert_null(cfg.user);
	config_free(&cfg);
}

static void test_short_forms(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "-slxc", "-kd", "-ilxcbr0", "-X", "10", "-p0"), 0);
	assert_string_equal(cfg.domain, "lxc");
	assert_true(cfg.keep_in_foreground);
	assert_true(cfg.no_daemon);
	assert_string_equal(cfg.interfaces[0], "lxcbr0");
	assert_int_equal(cfg.lease_max, 10);
	assert_int_equal(cfg.port, 0);
	config_free(&cfg);
	/* "--opt value" for required values, also when the value starts with '-'. */
	assert_int_equal(PARSE(&cfg, &err, "--domain", "lxc", "--interface", "eth0,eth1"), 0);
	assert_int_equal(cfg.ninterfaces, 2);
	assert_string_equal(cfg.interfaces[1], "eth1");
	config_free(&cfg);
}

static void test_command_line_errors(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;

	(void)state;
	assert_int_equal(PARSE(&cfg, &err, "--foo"), -1);
	assert_string_equal(err.msg, "unknown option --foo (at command line)");
	assert_int_equal(err.status, EXIT_CONFIG);
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--foo=bar"), -1);
	assert_string_equal(err.msg, "unknown option --foo (at command line)");
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--tftp-port-range=2000,2100"), -1);
	assert_string_equal(err.msg,
			    "--tftp-port-range is a dnsmasq option leased does not implement yet "
			    "(at command line)");
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--tftp-lowercase"), -1);
	assert_non_null(strstr(err.msg, "--tftp-lowercase is a dnsmasq option"));
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "-Z"), -1);
	assert_non_null(strstr(err.msg, "-Z is a dnsmasq option leased does not implement"));
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--no-ping", "lxcbr0"), -1);
	assert_string_equal(err.msg,
			    "junk found in command line: \"lxcbr0\" is not an option");
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--interface"), -1);
	assert_string_equal(err.msg, "--interface needs a value (at command line)");
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--no-ping=yes"), -1);
	assert_string_equal(err.msg, "--no-ping takes no value (at command line)");
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--dhcp-range", "10.0.3.254,10.0.3.2"), -1);
	assert_string_equal(err.msg, "bad --dhcp-range \"10.0.3.254,10.0.3.2\": end address is "
			    "before start address (at command line)");
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--dhcp-lease-max=0"), -1);
	assert_non_null(strstr(err.msg, "bad --dhcp-lease-max \"0\""));
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--port=65536"), -1);
	assert_non_null(strstr(err.msg, "bad --port \"65536\""));
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "-Q", "5"), -1);
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--interface=a/b"), -1);
	assert_non_null(strstr(err.msg, "is not an interface name"));
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--listen-address=10.0.3.1,banana"), -1);
	assert_non_null(strstr(err.msg, "\"banana\" is not an IPv4 or IPv6 address"));
	config_free(&cfg);
}

static void test_help_and_version(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	/* They stop parsing: what follows is not judged. */
	assert_int_equal(PARSE(&cfg, &err, "--version", "--foo"), 0);
	assert_int_equal(action, CONFIG_VERSION);
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "-w"), 0);
	assert_int_equal(action, CONFIG_HELP);
	config_free(&cfg);
	out = open_memstream(&buf, &len);
	config_print_help(out);
	fclose(out);
	assert_non_null(strstr(buf, "-F, --dhcp-range="));
	assert_non_null(strstr(buf, "-x, --pid-file[=<path>]"));
	assert_non_null(strstr(buf, "--dhcp-boot"));
	free(buf);
}

/* ---- conf-files ---- */

static void test_conf_file_lines(void **state)
{
	struct config cfg;
	struct error err;

	(void)state;
	assert_int_equal(parse_conf(&cfg, &err,
				    "# a comment\n"
				    "\n"
				    "   domain = lxc   # trailing comment\n"
				    "\tdhcp-option = 3 , 10.0.3.1\r\n"
				    "txt-record=a.lxc,\"x # y, z\"\n"
				    "server=/lxd/#\n"
				    "no-ping\n"
				    "pid-file\n"
				    "user=\n"), 0);
	assert_string_equal(cfg.domain, "lxc");
	assert_int_equal(cfg.noptions, 1);
	assert_int_equal(cfg.options[0].code, 3);
	assert_int_equal(cfg.options[0].len, 4);
	assert_string_equal(cfg.options[0].origin.where, "test.conf:4");
	assert_int_equal(cfg.ntxt_records, 1);
	assert_string_equal(cfg.txt_records[0].fields[1], "x # y, z");
	assert_string_equal(cfg.servers[0].domain, "lxd");
	assert_false(cfg.servers[0].local_only);
	assert_false(cfg.servers[0].has_addr);
	assert_true(cfg.no_ping);
	assert_string_equal(cfg.pid_file, DEFAULT_PID_FILE);
	assert_null(cfg.user);
	config_free(&cfg);
}

static void test_conf_file_errors(void **state)
{
	struct config cfg;
	struct error err;

	(void)state;
	assert_int_equal(parse_conf(&cfg, &err, "domain=lxc\n# x\nfoo=bar\n"), -1);
	assert_string_equal(err.msg, "unknown option --foo (at test.conf:3)");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "\ndhcp-match=set:efi,option:client-arch,7\n"), -1);
	assert_string_equal(err.msg, "--dhcp-match is a dnsmasq option leased does not "
			    "implement yet (at test.conf:2)");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-option=15,\"lxc\n"), -1);
	assert_string_equal(err.msg, "bad line: a double quote is not closed (at test.conf:1)");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "interface\n"), -1);
	assert_string_equal(err.msg, "--interface needs a value (at test.conf:1)");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "resolv-file=\n"), -1);
	assert_string_equal(err.msg, "bad --resolv-file \"\": the value is empty (at test.conf:1)");
	config_free(&cfg);
	config_init(&cfg);
	assert_int_equal(config_parse_text(&cfg, "no-ping\nx\0y\n", 11, "nul.conf", &err), -1);
	assert_string_equal(err.msg, "bad line: the line holds a NUL byte (at nul.conf:2)");
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "help\n"), -1);
	config_free(&cfg);
}

static void test_conf_file_from_argv(void **state)
{
	const char *path = write_file("lxc.conf", "# lxc-net's LXC_DHCP_CONFILE\n"
					"dhcp-host=00:16:3e:00:00:01,10.0.3.50,web\n"
					"\n"
					"dhcp-range=10.0.3.254,10.0.3.2\n");
	struct config cfg;
	struct error err;
	enum config_action action;
	char arg[300], expect[400];

	(void)state;
	snprintf(arg, sizeof(arg), "--conf-file=%s", path);
	assert_int_equal(PARSE(&cfg, &err, arg), -1);
	snprintf(expect, sizeof(expect), "bad --dhcp-range \"10.0.3.254,10.0.3.2\": end address "
		 "is before start address (at %s:4)", path);
	assert_string_equal(err.msg, expect);
	assert_int_equal(err.status, EXIT_CONFIG);
	config_free(&cfg);

	/* A conf-file overrides the command line for single values. */
	path = write_file("pid.conf", "pid-file=/run/from-file.pid\n");
	snprintf(arg, sizeof(arg), "--conf-file=%s", path);
	assert_int_equal(PARSE(&cfg, &err, arg, "--pid-file=/run/argv.pid"), 0);
	assert_string_equal(cfg.pid_file, "/run/from-file.pid");
	config_free(&cfg);

	/* A bare --conf-file is dnsmasq's default file, which may be absent. */
	if (access("/etc/dnsmasq.conf", F_OK) < 0) {
		assert_int_equal(PARSE(&cfg, &err, "--conf-file", "--no-ping"), 0);
		assert_true(cfg.no_ping);
		config_free(&cfg);
		assert_int_equal(PARSE(&cfg, &err, "--conf-file=/etc/dnsmasq.conf"), -1);
		assert_int_equal(err.status, EXIT_FILESYSTEM);
		config_free(&cfg);
	}

	/* -C FILE, and /dev/null is fine. */
	assert_int_equal(PARSE(&cfg, &err, "-C", (char *)path, "-C", "/dev/null"), 0);
	assert_string_equal(cfg.pid_file, "/run/from-file.pid");
	config_free(&cfg);
}

static void test_conf_file_missing_and_nested(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;
	char text[600], arg[300], expect[400];
	const char *inner, *outer, *loop;

	(void)state;
	snprintf(arg, sizeof(arg), "--conf-file=%s/absent.conf", test_dir);
	assert_int_equal(PARSE(&cfg, &err, arg), -1);
	assert_int_equal(err.status, EXIT_FILESYSTEM);
	snprintf(expect, sizeof(expect), "cannot read conf-file %s/absent.conf: No such file "
		 "or directory (at command line)", test_dir);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);

	/* Nested: the inner file is read where the outer names it. */
	inner = write_file("inner.conf", "interface=inner0\nbogus-opt\n");
	snprintf(text, sizeof(text), "interface=outer0\nconf-file=%s\n", inner);
	outer = write_file("outer.conf", text);
	snprintf(arg, sizeof(arg), "--conf-file=%s", outer);
	assert_int_equal(PARSE(&cfg, &err, arg), -1);
	snprintf(expect, sizeof(expect), "unknown option --bogus-opt (at %s:2)", inner);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);

	/* A missing nested file names the line that included it. */
	snprintf(text, sizeof(text), "\n\nconf-file=%s/nope.conf\n", test_dir);
	outer = write_file("outer2.conf", text);
	snprintf(arg, sizeof(arg), "--conf-file=%s", outer);
	assert_int_equal(PARSE(&cfg, &err, arg), -1);
	assert_int_equal(err.status, EXIT_FILESYSTEM);
	snprintf(expect, sizeof(expect), "(at %s:3)", outer);
	assert_non_null(strstr(err.msg, expect));
	config_free(&cfg);

	/* A file including itself stops at the depth limit with a message. */
	snprintf(text, sizeof(text), "conf-file=%s/loop.conf\n", test_dir);
	loop = write_file("loop.conf", text);
	snprintf(arg, sizeof(arg), "--conf-file=%s", loop);
	assert_int_equal(PARSE(&cfg, &err, arg), -1);
	assert_int_equal(err.status, EXIT_CONFIG);
	assert_non_null(strstr(err.msg, "nested more than"));
	config_free(&cfg);
}

static void test_conf_dir(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;
	char dir[300], arg[400];
	static const char *const files[] = { "b.conf", "a.conf", "c.conf~", ".hidden.conf",
					     "#d.conf#", "e.bak", "f.txt" };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/conf.d", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char name[64], text[64];

		snprintf(name, sizeof(name), "conf.d/%s", files[i]);
		snprintf(text, sizeof(text), "interface=if%zu\n", i);
		write_file(name, text);
	}
	/* Skip extensions: a.conf, b.conf, f.txt in name order. */
	snprintf(arg, sizeof(arg), "--conf-dir=%s,.bak", dir);
	assert_int_equal(PARSE(&cfg, &err, arg), 0);
	assert_int_equal(cfg.ninterfaces, 3);
	assert_string_equal(cfg.interfaces[0], "if1");
	assert_string_equal(cfg.interfaces[1], "if0");
	assert_string_equal(cfg.interfaces[2], "if6");
	config_free(&cfg);
	/* Only *.conf. */
	snprintf(arg, sizeof(arg), "--conf-dir=%s,*.conf", dir);
	assert_int_equal(PARSE(&cfg, &err, arg), 0);
	assert_int_equal(cfg.ninterfaces, 2);
	assert_string_equal(cfg.interfaces[0], "if1");
	assert_string_equal(cfg.interfaces[1], "if0");
	config_free(&cfg);
	/* Missing directory. */
	assert_int_equal(PARSE(&cfg, &err, "-7", "/nonexistent/leased.d"), -1);
	assert_int_equal(err.status, EXIT_FILESYSTEM);
	assert_string_equal(err.msg, "cannot read conf-dir /nonexistent/leased.d: No such file "
			    "or directory (at command line)");
	config_free(&cfg);
}

/* ---- --dhcp-host ---- */

static void test_dhcp_host_forms(void **state)
{
	struct dhcp_host h;
	struct error err;
	static const uint8_t mac1[6] = { 0x00, 0x16, 0x3e, 0xaa, 0xbb, 0x01 };

	(void)state;
	assert_int_equal(config_parse_dhcp_host("00:16:3E:AA:BB:01,10.0.3.50,web,45m", "x:1",
						&h, &err), 0);
	assert_int_equal(h.nmacs, 1);
	assert_memory_equal(h.macs[0], mac1, 6);
	assert_true(h.has_ip);
	assert_string_equal(addr4(h.ip), "10.0.3.50");
	assert_string_equal(h.name, "web");
	assert_true(h.has_lease_time);
	assert_int_equal(h.lease_time, 45 * 60);
	assert_string_equal(h.origin.where, "x:1");
	dhcp_host_free(&h);

	/* Fields in any order; two MACs; a FQDN keeps its first label. */
	assert_int_equal(config_parse_dhcp_host("web.lxc,infinite,10.0.3.51,00:16:3e:aa:bb:01,"
						"00:16:3e:aa:bb:02,set:red", "x", &h, &err), 0);
	assert_int_equal(h.nmacs, 2);
	assert_int_equal(h.macs[1][5], 2);
	assert_string_equal(h.name, "web");
	assert_int_equal(h.lease_time, LEASE_INFINITE);
	assert_string_equal(h.set_tag, "red");
	dhcp_host_free(&h);

	assert_int_equal(config_parse_dhcp_host("id:01:00:16:3e:aa:bb:01,10.0.3.52", "x", &h,
						&err), 0);
	assert_int_equal(h.client_id_len, 7);
	assert_int_equal(h.client_id[0], 1);
	assert_int_equal(h.nmacs, 0);
	dhcp_host_free(&h);

	assert_int_equal(config_parse_dhcp_host("id:\"my-client\",10.0.3.53", "x", &h, &err), 0);
	assert_int_equal(h.client_id_len, 9);
	assert_memory_equal(h.client_id, "my-client", 9);
	dhcp_host_free(&h);

	/* Reserve by name; a bare number is a lease time, raised to 2 minutes. */
	assert_int_equal(config_parse_dhcp_host("db,10.0.3.54,60", "x", &h, &err), 0);
	assert_string_equal(h.name, "db");
	assert_int_equal(h.lease_time, 120);
	dhcp_host_free(&h);

	assert_int_equal(config_parse_dhcp_host("00:16:3e:aa:bb:03,ignore", "x", &h, &err), 0);
	assert_true(h.ignore);
	assert_false(h.has_ip);
	dhcp_host_free(&h);

	/* id:* and an [IPv6] address are accepted. */
	assert_int_equal(config_parse_dhcp_host("00:16:3e:aa:bb:04,id:*,[fd42::5],10.0.3.55",
						"x", &h, &err), 0);
	assert_null(h.client_id);
	dhcp_host_free(&h);
}

static void test_dhcp_host_errors(void **state)
{
	struct dhcp_host h;
	struct error err;

	(void)state;
	assert_int_equal(config_parse_dhcp_host("10.0.3.5,45m", "f.conf:7", &h, &err), -1);
	assert_string_equal(err.msg, "bad --dhcp-host \"10.0.3.5,45m\": names no client: give a "
			    "MAC address, an id: or a hostname (at f.conf:7)");
	assert_int_equal(err.status, EXIT_CONFIG);
	assert_int_equal(config_parse_dhcp_host("00:16:3e:*:*:*,10.0.3.5", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "MAC wildcards"));
	assert_int_equal(config_parse_dhcp_host("1-00:16:3e:aa:bb:01,10.0.3.5", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "hardware-type prefixed"));
	assert_int_equal(config_parse_dhcp_host("web,10.0.3.5,10.0.3.6", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "two IPv4 addresses"));
	assert_int_equal(config_parse_dhcp_host("web_1,10.0.3.5", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "\"web_1\" is not a MAC, address, lease time or valid "
				       "hostname"));
	assert_int_equal(config_parse_dhcp_host("00:16:3e:aa:bb,web", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "is not a MAC address"));
	assert_int_equal(config_parse_dhcp_host("fd42::5,web", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "[in brackets]"));
	assert_int_equal(config_parse_dhcp_host("web,,10.0.3.5", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "empty field"));
	assert_int_equal(config_parse_dhcp_host("a,b", "x", &h, &err), -1);
	assert_non_null(strstr(err.msg, "two hostnames"));
}

/* ---- --dhcp-option ---- */

static void expect_option(const char *arg, int family, int code, const uint8_t *bytes,
			  size_t len)
{
	struct dhcp_option o;
	struct error err;

	if (config_parse_dhcp_option(arg, false, "x", &o, &err) < 0)
		fail_msg("%s: %s", arg, err.msg);
	assert_int_equal(o.family, family);
	assert_int_equal(o.code, code);
	assert_int_equal(o.len, len);
	if (len)
		assert_memory_equal(o.data, bytes, len);
	dhcp_option_free(&o);
}

static void expect_option_error(const char *arg, const char *needle)
{
	struct dhcp_option o;
	struct error err;

	if (config_parse_dhcp_option(arg, false, "f:2", &o, &err) == 0) {
		dhcp_option_free(&o);
		fail_msg("accepted: %s", arg);
	}
	if (!strstr(err.msg, needle))
		fail_msg("%s: \"%s\" lacks \"%s\"", arg, err.msg, needle);
	assert_non_null(strstr(err.msg, "(at f:2)"));
	assert_int_equal(err.status, EXIT_CONFIG);
}

static void test_dhcp_option_encodings(void **state)
{
	(void)state;
	expect_option("option:router,10.0.3.1", AF_INET, 3, (const uint8_t[]){ 10, 0, 3, 1 }, 4);
	expect_option("3,10.0.3.1,10.0.3.2", AF_INET, 3,
		      (const uint8_t[]){ 10, 0, 3, 1, 10, 0, 3, 2 }, 8);
	/* 0.0.0.0 stays: the engine fills in its own address. */
	expect_option("option:dns-server,0.0.0.0,1.1.1.1", AF_INET, 6,
		      (const uint8_t[]){ 0, 0, 0, 0, 1, 1, 1, 1 }, 8);
	/* Empty value: send none. */
	expect_option("option:router", AF_INET, 3, NULL, 0);
	expect_option("3,", AF_INET, 3, NULL, 0);
	expect_option("option:mtu,1400", AF_INET, 26, (const uint8_t[]){ 0x05, 0x78 }, 2);
	expect_option("option:T1,1h", AF_INET, 58, (const uint8_t[]){ 0, 0, 0x0e, 0x10 }, 4);
	expect_option("option:lease-time,infinite", AF_INET, 51,
		      (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff }, 4);
	expect_option("option:time-offset,-3600", AF_INET, 2,
		      (const uint8_t[]){ 0xff, 0xff, 0xf1, 0xf0 }, 4);
	expect_option("option:ip-forward-enable,1", AF_INET, 19, (const uint8_t[]){ 1 }, 1);
	expect_option("option:domain-name,Example.COM.", AF_INET, 15,
		      (const uint8_t *)"Example.COM", 11);
	expect_option("option:bootfile-name,\"pxe,linux.0\"", AF_INET, 67,
		      (const uint8_t *)"pxe,linux.0", 11);
	expect_option("tag:red,tag:!blue,option:netbios-nodetype,8", AF_INET, 46,
		      (const uint8_t[]){ 8 }, 1);
	/* RFC 3397 section 4's example, compression included. */
	expect_option("option:domain-search,eng.apple.com,marketing.apple.com", AF_INET, 119,
		      (const uint8_t[]){ 3, 'e', 'n', 'g', 5, 'a', 'p', 'p', 'l', 'e', 3, 'c',
					 'o', 'm', 0, 9, 'm', 'a', 'r', 'k', 'e', 't', 'i', 'n',
					 'g', 0xc0, 0x04 }, 27);
	/* RFC 3442: width, significant octets, router. */
	expect_option("option:classless-static-route,10.0.0.0/8,10.0.3.1,0.0.0.0/0,10.0.3.1",
		      AF_INET, 121,
		      (const uint8_t[]){ 8, 10, 10, 0, 3, 1, 0, 10, 0, 3, 1 }, 11);
	/* Host bits beyond the prefix: cleared, as dnsmasq does, with a note for the log. */
	{
		struct dhcp_option o;
		struct error err;

		assert_int_equal(config_parse_dhcp_option("option:classless-static-route,"
							  "10.0.3.5/24,10.0.3.1", false,
							  "f:3", &o, &err), 0);
		assert_int_equal(o.len, 8);
		assert_memory_equal(o.data, ((const uint8_t[]){ 24, 10, 0, 3, 10, 0, 3, 1 }), 8);
		assert_non_null(o.note);
		assert_non_null(strstr(o.note, "\"10.0.3.5/24\" has bits set beyond its prefix: "
					       "taken as 10.0.3.0/24"));
		assert_non_null(strstr(o.note, "(at f:3)"));
		dhcp_option_free(&o);
	}
	/* Options 24, 25 and 91 by their types (a guess would make 600 two bytes). */
	expect_option("24,600", AF_INET, 24, (const uint8_t[]){ 0, 0, 2, 0x58 }, 4);
	expect_option("25,68,296,576,1500", AF_INET, 25,
		      (const uint8_t[]){ 0, 68, 1, 0x28, 2, 0x40, 5, 0xdc }, 8);
	expect_option("option:client-last-transaction-time,30", AF_INET, 91,
		      (const uint8_t[]){ 0, 0, 0, 30 }, 4);
	/* RFC 3361: encoding byte, then addresses or names. */
	expect_option("option:sip-server,10.0.3.9", AF_INET, 120,
		      (const uint8_t[]){ 1, 10, 0, 3, 9 }, 5);
	expect_option("option:sip-server,sip.lxc", AF_INET, 120,
		      (const uint8_t[]){ 0, 3, 's', 'i', 'p', 3, 'l', 'x', 'c', 0 }, 10);
	expect_option("option:static-route,10.1.0.0,10.0.3.1", AF_INET, 33,
		      (const uint8_t[]){ 10, 1, 0, 0, 10, 0, 3, 1 }, 8);
	expect_option("option:client-machine-id,00:01:02", AF_INET, 97,
		      (const uint8_t[]){ 0, 1, 2 }, 3);
	expect_option("option:rapid-commit", AF_INET, 80, NULL, 0);
	/* Unknown codes: addresses, then decimal in the fewest bytes, hex, text. */
	expect_option("200,10.0.0.1", AF_INET, 200, (const uint8_t[]){ 10, 0, 0, 1 }, 4);
	expect_option("201,7", AF_INET, 201, (const uint8_t[]){ 7 }, 1);
	expect_option("201,300", AF_INET, 201, (const uint8_t[]){ 1, 44 }, 2);
	expect_option("202,01:02:ff", AF_INET, 202, (const uint8_t[]){ 1, 2, 0xff }, 3);
	expect_option("203,\"12\"", AF_INET, 203, (const uint8_t *)"12", 2);
	expect_option("204,hello world", AF_INET, 204, (const uint8_t *)"hello world", 11);
	/* DHCPv6. */
	expect_option("option6:dns-server,[fd42::1]", AF_INET6, 23,
		      (const uint8_t[]){ 0xfd, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
		      16);
	expect_option("option6:domain-search,lxc", AF_INET6, 24,
		      (const uint8_t[]){ 3, 'l', 'x', 'c', 0 }, 5);
	expect_option("option6:information-refresh-time,1h", AF_INET6, 32,
		      (const uint8_t[]){ 0, 0, 0x0e, 0x10 }, 4);
}

static void test_dhcp_option_errors(void **state)
{
	struct dhcp_option o;
	struct error err;

	(void)state;
	expect_option_error("option:rooter,10.0.3.1", "unknown DHCP option name \"rooter\"");
	expect_option_error("option:router,10.0.3", "\"10.0.3\" is not an IPv4 address");
	expect_option_error("option:netmask,255.255.255.0,255.0.0.0", "exactly one");
	expect_option_error("option:mtu,70000", "\"70000\" is not a number from 0 to 65535");
	expect_option_error("25,68,70000", "\"70000\" is not a number from 0 to 65535");
	expect_option_error("option:default-ttl,256", "\"256\" is not a number from 0 to 255");
	expect_option_error("option:ip-forward-enable,2", "\"2\" is not a number from 0 to 1");
	expect_option_error("encap:175,190,iscsi-client0", "encap options are not supported");
	expect_option_error("vi-encap:3561,1,x", "vi-encap options are not supported");
	expect_option_error("option:domain-search,bad!name.com", "not a valid domain name");
	expect_option_error("option:classless-static-route,10.0.0.0/8", "pairs");
	expect_option_error("option:rapid-commit,1", "takes no value");
	expect_option_error("53,1", "set by the server itself");
	expect_option_error("256,1", "not an option number");
	expect_option_error("router,10.0.3.1", "not an option number, option:NAME");
	expect_option_error("option:router,10.0.3.1,,10.0.3.2", "empty value");
	expect_option_error("option6:dns-server,10.0.3.1", "is not an [IPv6] address");
	expect_option_error("option:server-ip-address,10.0.3.1", "not supported by leased yet");
	/* -force is named in its messages. */
	assert_int_equal(config_parse_dhcp_option("option:mtu,x", true, "y", &o, &err), -1);
	assert_non_null(strstr(err.msg, "bad --dhcp-option-force \"option:mtu,x\""));
	assert_int_equal(config_parse_dhcp_option("option:mtu,1500", true, "y", &o, &err), 0);
	assert_true(o.force);
	dhcp_option_free(&o);
}

static void test_option_names(void **state)
{
	(void)state;
	assert_int_equal(config_dhcp4_option_code("router"), 3);
	assert_int_equal(config_dhcp4_option_code("dns-server"), 6);
	assert_int_equal(config_dhcp4_option_code("domain-search"), 119);
	assert_int_equal(config_dhcp4_option_code("classless-static-route"), 121);
	assert_int_equal(config_dhcp4_option_code("t1"), 58);
	assert_int_equal(config_dhcp4_option_code("no-such-option"), -1);
}

/* ---- --dhcp-range ---- */

static void test_dhcp_range_v4(void **state)
{
	struct config cfg;
	struct error err;

	(void)state;
	assert_int_equal(parse_conf(&cfg, &err,
				    "dhcp-range=tag:green,set:lab,10.0.4.10,10.0.4.20,"
				    "255.255.255.0,10.0.4.255,12h\n"
				    "dhcp-range=10.0.5.10,10.0.5.20,30\n"
				    "dhcp-range=10.0.6.10,10.0.6.20,infinite\n"), 0);
	assert_int_equal(cfg.nranges, 3);
	assert_string_equal(cfg.ranges[0].match.names[0], "green");
	assert_string_equal(cfg.ranges[0].set_tag, "lab");
	assert_true(cfg.ranges[0].has_netmask);
	assert_string_equal(addr4(cfg.ranges[0].netmask), "255.255.255.0");
	assert_int_equal(cfg.ranges[0].lease_time, 12 * 3600);
	assert_int_equal(cfg.ranges[1].lease_time, 120); /* raised, as dnsmasq */
	assert_int_equal(cfg.ranges[2].lease_time, LEASE_INFINITE);
	assert_string_equal(cfg.ranges[1].origin.where, "test.conf:2");
	config_free(&cfg);

	/* libvirt's "static" ranges: DHCP for reservations only (end = start). */
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.0,static,255.255.255.0,2h\n"
				    "dhcp-range=fd42::,static,64\n"), 0);
	assert_true(cfg.ranges[0].static_only);
	assert_string_equal(addr4(cfg.ranges[0].end), "10.0.3.0");
	assert_string_equal(addr4(cfg.ranges[0].netmask), "255.255.255.0");
	assert_int_equal(cfg.ranges[0].lease_time, 2 * 3600);
	assert_true(cfg.ranges[1].static_only);
	assert_int_equal(cfg.ranges[1].prefixlen6, 64);
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.2,10.0.3.9,static\n"), -1);
	assert_non_null(strstr(err.msg, "\"static\" takes the end address's place"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.0,proxy\n"), -1);
	assert_non_null(strstr(err.msg, "\"proxy\" ranges are not supported by leased yet"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.2,10.0.4.2,255.255.255.0\n"), -1);
	assert_non_null(strstr(err.msg, "not in one subnet under netmask 255.255.255.0"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.2,10.0.3.9,255.0.255.0\n"), -1);
	assert_non_null(strstr(err.msg, "\"255.0.255.0\" is not a netmask"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.2\n"), -1);
	assert_non_null(strstr(err.msg, "no end address"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=10.0.3.2,10.0.3.9,1x\n"), -1);
	assert_non_null(strstr(err.msg, "\"1x\" is neither a netmask"));
	config_free(&cfg);
}

static void test_dhcp_range_v6(void **state)
{
	struct config cfg;
	struct error err;
	struct in6_addr a;

	(void)state;
	assert_int_equal(parse_conf(&cfg, &err,
				    "dhcp-range=::,constructor:lxdbr0,ra-stateless,ra-names\n"
				    "dhcp-range=fd42::1,ra-only\n"
				    "dhcp-range=2001:db8::,ra-only\n"
				    "dhcp-range=::1,::400,constructor:eth0,12h\n"
				    "dhcp-range=fd00::2,fd00::500,64,1d\n"
				    "dhcp-range=fd01::2,fd01::500,slaac,ra-advrouter,off-link\n"), 0);
	assert_int_equal(cfg.nranges, 6);
	assert_int_equal(cfg.ranges[0].mode6, RANGE6_RA_STATELESS | RANGE6_RA_NAMES);
	assert_string_equal(cfg.ranges[0].constructor_if, "lxdbr0");
	inet_pton(AF_INET6, "fd42::1", &a);
	assert_memory_equal(&cfg.ranges[1].start6, &a, 16);
	assert_memory_equal(&cfg.ranges[1].end6, &a, 16);
	assert_int_equal(cfg.ranges[1].mode6, RANGE6_RA_ONLY);
	assert_int_equal(cfg.ranges[2].prefixlen6, 64);
	inet_pton(AF_INET6, "::400", &a);
	assert_memory_equal(&cfg.ranges[3].end6, &a, 16);
	assert_string_equal(cfg.ranges[3].constructor_if, "eth0");
	assert_int_equal(cfg.ranges[3].lease_time, 12 * 3600);
	assert_int_equal(cfg.ranges[4].prefixlen6, 64);
	assert_int_equal(cfg.ranges[4].lease_time, 86400);
	assert_int_equal(cfg.ranges[5].mode6, RANGE6_SLAAC | RANGE6_RA_ADVROUTER |
						      RANGE6_OFF_LINK);
	assert_int_equal(config_validate(&cfg, &err), 0);
	config_free(&cfg);

	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=fd00::500,fd00::2\n"), -1);
	assert_non_null(strstr(err.msg, "end address is before start address"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=fd00::,ra-only,48\n"), -1);
	assert_non_null(strstr(err.msg, "prefix length must be exactly 64 for RA subnets"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=fd00::1,fd01::1\n"), -1);
	assert_non_null(strstr(err.msg, "not in one /64"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "dhcp-range=fd00::1,ra-sometimes\n"), -1);
	assert_non_null(strstr(err.msg, "\"ra-sometimes\" is not"));
	config_free(&cfg);
}

static void test_lease_time(void **state)
{
	uint32_t t;

	(void)state;
	assert_int_equal(config_parse_lease_time("3600", &t), 0);
	assert_int_equal(t, 3600);
	assert_int_equal(config_parse_lease_time("45m", &t), 0);
	assert_int_equal(t, 2700);
	assert_int_equal(config_parse_lease_time("12h", &t), 0);
	assert_int_equal(t, 43200);
	assert_int_equal(config_parse_lease_time("2d", &t), 0);
	assert_int_equal(t, 172800);
	assert_int_equal(config_parse_lease_time("1w", &t), 0);
	assert_int_equal(t, 604800);
	assert_int_equal(config_parse_lease_time("infinite", &t), 0);
	assert_int_equal(t, LEASE_INFINITE);
	assert_int_equal(config_parse_lease_time("", &t), -1);
	assert_int_equal(config_parse_lease_time("h", &t), -1);
	assert_int_equal(config_parse_lease_time("1y", &t), -1);
	assert_int_equal(config_parse_lease_time("-5", &t), -1);
	assert_int_equal(config_parse_lease_time("99999999w", &t), -1);
	assert_int_equal(config_parse_lease_time("4294967295", &t), -1);
}

static void test_valid_label(void **state)
{
	(void)state;
	assert_true(config_valid_label("web-1"));
	assert_true(config_valid_label("A1"));
	assert_false(config_valid_label(""));
	assert_false(config_valid_label("-web"));
	assert_false(config_valid_label("web-"));
	assert_false(config_valid_label("web.lxc"));
	assert_false(config_valid_label("web_1"));
	assert_true(config_valid_label("a23456789012345678901234567890123456789012345678901234567890123"));
	assert_false(config_valid_label("a234567890123456789012345678901234567890123456789012345678901234"));
}

/* ---- DNS options ---- */

static void test_dns_options(void **state)
{
	struct config cfg;
	struct error err;
	enum config_action action;
	const struct sockaddr_in *sin;

	(void)state;
	assert_int_equal(parse_conf(&cfg, &err,
				    "server=10.0.0.53#5353\n"
				    "server=/Corp.Example/B.example/10.1.1.1\n"
				    "server=//10.0.0.54\n"
				    "server=fd00::53\n"
				    "local=/home.lan/\n"
				    "address=/ads.example/#\n"
				    "address=/blocked.example/\n"
				    "address=/fixed.example/10.9.9.9\n"
				    "domain=lxc,10.0.3.0/24,local\n"
				    "host-record=gw,gw.lxc,10.0.3.1,fd42::1,300\n"
				    "cname=www.lxc,web.lxc\n"
				    "srv-host=_ldap._tcp.lxc,ldap.lxc,389,0,100\n"
				    "mx-host=lxc,mail.lxc,10\n"
				    "ptr-record=1.3.0.10.in-addr.arpa,gw.lxc\n"
				    "domain-needed\nbogus-priv\nneg-ttl=30\nmax-cache-ttl=600\n"
				    "edns-packet-max=1232\n"), 0);
	assert_int_equal(config_validate(&cfg, &err), 0);
	assert_int_equal(cfg.nservers, 6);
	assert_null(cfg.servers[0].domain);
	sin = (const struct sockaddr_in *)&cfg.servers[0].addr;
	assert_int_equal(ntohs(sin->sin_port), 5353);
	assert_string_equal(cfg.servers[1].domain, "corp.example");
	assert_string_equal(cfg.servers[2].domain, "b.example");
	assert_string_equal(sockaddr_str(&cfg.servers[2].addr), "10.1.1.1");
	sin = (const struct sockaddr_in *)&cfg.servers[2].addr;
	assert_int_equal(ntohs(sin->sin_port), 53);
	assert_string_equal(cfg.servers[3].domain, "");
	assert_int_equal(cfg.servers[4].addr.ss_family, AF_INET6);
	assert_true(cfg.servers[5].local_only);
	assert_string_equal(cfg.servers[5].domain, "home.lan");
	assert_int_equal(cfg.naddresses, 3);
	assert_true(cfg.addresses[0].null_addr);
	assert_false(cfg.addresses[1].has_addr);
	assert_true(cfg.addresses[2].has_addr);
	assert_string_equal(cfg.domain, "lxc");
	assert_string_equal(cfg.domain_range, "10.0.3.0/24,local");
	assert_int_equal(cfg.nhost_records, 1);
	assert_int_equal(cfg.host_records[0].nnames, 2);
	assert_true(cfg.host_records[0].has_v4 && cfg.host_records[0].has_v6);
	assert_int_equal(cfg.host_records[0].ttl, 300);
	assert_int_equal(cfg.ncnames, 1);
	assert_int_equal(cfg.nsrv_hosts, 1);
	assert_int_equal(cfg.nmx_hosts, 1);
	assert_int_equal(cfg.nptr_records, 1);
	assert_true(cfg.domain_needed && cfg.bogus_priv);
	assert_true(cfg.has_neg_ttl);
	assert_int_equal(cfg.neg_ttl, 30);
	assert_true(cfg.has_max_cache_ttl);
	assert_int_equal(cfg.edns_packet_max, 1232);
	config_free(&cfg);
	/* The short form, and both ends of the range. */
	assert_int_equal(PARSE(&cfg, &err, "-P", "512"), 0);
	assert_int_equal(cfg.edns_packet_max, 512);
	config_free(&cfg);
	assert_int_equal(PARSE(&cfg, &err, "--edns-packet-max=4096"), 0);
	assert_int_equal(cfg.edns_packet_max, 4096);
	config_free(&cfg);
	/* --rev-server: --server for the prefix's reverse zone (LXD's fan networks). */
	assert_int_equal(parse_conf(&cfg, &err, "rev-server=10.0.3.0/24,10.0.3.1#1053\n"
				    "rev-server=240.0.0.0/8,127.0.0.1\n"
				    "rev-server=fd42:77::/64,fd42::1\n"
				    "rev-server=192.168.4.0/22\n"), 0);
	assert_int_equal(cfg.nservers, 4);
	assert_string_equal(cfg.servers[0].domain, "3.0.10.in-addr.arpa");
	assert_string_equal(sockaddr_str(&cfg.servers[0].addr), "10.0.3.1");
	sin = (const struct sockaddr_in *)&cfg.servers[0].addr;
	assert_int_equal(ntohs(sin->sin_port), 1053);
	assert_string_equal(cfg.servers[1].domain, "240.in-addr.arpa");
	assert_string_equal(cfg.servers[2].domain, "0.0.0.0.0.0.0.0.7.7.0.0.2.4.d.f.ip6.arpa");
	assert_string_equal(cfg.servers[3].domain, "168.192.in-addr.arpa"); /* /22: the /16 around */
	assert_true(cfg.servers[3].local_only);
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "rev-server=10.0.3.0/33,10.0.3.1\n"), -1);
	assert_non_null(strstr(err.msg, "bad --rev-server \"10.0.3.0/33,10.0.3.1\""));
	assert_non_null(strstr(err.msg, "is not ADDRESS/PREFIX-LENGTH"));
	config_free(&cfg);
	assert_int_equal(parse_conf(&cfg, &err, "rev-server=10.0.3.0/24,banana\n"), -1);
	assert_string_equal(err.msg, "bad --rev-server \"10.0.3.0/24,banana\": \"banana\" is not an "
			    "IPv4 or IPv6 address (at test.conf:1)");
	config_free(&cfg);
}

static void test_dns_option_errors(void **state)
{
	static const struct {
		const char *line, *needle;
	} cases[] = {
		{ "server=10.0.0.53#0", "\"0\" is not a port number" },
		{ "server=10.0.0.300", "is not an IPv4 or IPv6 address" },
		{ "server=/lxc", "no closing '/'" },
		{ "server=/bad_domain!/", "not a valid domain name" },
		{ "local=/lxc/10.0.0.1", "--local takes /domain/ only" },
		{ "address=lxc/10.0.0.1", "must start with /domain/" },
		{ "domain=-bad-", "not a valid domain name" },
		{ "domain=lxc,10.0.3.9,10.0.3.1", "end address is before start address" },
		{ "domain=lxc,10.0.3.0/33", "not address/prefix" },
		{ "host-record=gw", "no address" },
		{ "host-record=10.0.3.1", "no name" },
		{ "cname=www.lxc", "needs an alias and a target" },
		{ "srv-host=_ldap._tcp,ldap,70000", "is not a port" },
		{ "mx-host=lxc,mail.lxc,x", "\"x\" is not a preference" },
		{ "mx-host=lxc,mail!.lxc", "not a valid domain name" },
		{ "interface-name=gw.lxc,a/b", "is not an interface name" },
		{ "log-facility=nonsense", "not a syslog facility" },
		{ "min-cache-ttl=4000", "not a number from 0 to 3600" },
		{ "edns-packet-max=511", "bad --edns-packet-max \"511\": not a number from 512 to 4096" },
		{ "edns-packet-max=4097", "bad --edns-packet-max \"4097\": not a number from 512" },
		{ "edns-packet-max=65535", "not a number from 512 to 4096" },
		{ "edns-packet-max=1k", "not a number from 512 to 4096" },
		{ "edns-packet-max", "--edns-packet-max needs a value" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		struct error err;

		if (parse_conf(&cfg, &err, cases[i].line) == 0)
			fail_msg("accepted: %s", cases[i].line);
		if (!strstr(err.msg, cases[i].needle) || !strstr(err.msg, "(at test.conf:1)"))
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].line, err.msg, cases[i].needle);
		config_free(&cfg);
	}
}

/* ---- whole-configuration checks ---- */

static void expect_invalid(const char *text, const char *expect)
{
	struct config cfg;
	struct error err;

	assert_int_equal(parse_conf(&cfg, &err, text), 0);
	assert_int_equal(config_validate(&cfg, &err), -1);
	if (strcmp(err.msg, expect) != 0)
		fail_msg("got \"%s\", want \"%s\"", err.msg, expect);
	assert_int_equal(err.status, EXIT_CONFIG);
	config_free(&cfg);
}

static void test_validate(void **state)
{
	struct config cfg;
	struct error err;

	(void)state;
	expect_invalid("dhcp-range=10.0.3.2,10.0.3.100\ndhcp-range=10.0.3.50,10.0.3.200\n",
		       "--dhcp-range at test.conf:2 overlaps the range 10.0.3.2-10.0.3.100 given "
		       "at test.conf:1");
	expect_invalid("dhcp-host=00:16:3e:00:00:01,10.0.3.9\n"
		       "# other\n"
		       "dhcp-host=00:16:3e:00:00:02,10.0.3.9\n",
		       "--dhcp-host at test.conf:3 reserves 10.0.3.9, already reserved for "
		       "another client at test.conf:1");
	expect_invalid("bind-interfaces\nbind-dynamic\n",
		       "--bind-interfaces and --bind-dynamic cannot be used together");
	expect_invalid("interface=lxcbr0\nexcept-interface=lxcbr0\n",
		       "interface lxcbr0 is given both to --interface and --except-interface");
	expect_invalid("min-cache-ttl=600\nmax-cache-ttl=60\n",
		       "--min-cache-ttl (600) is larger than --max-cache-ttl (60)");
	expect_invalid("\nenable-tftp\n",
		       "--enable-tftp (at test.conf:2) needs --tftp-root: leased serves TFTP from a "
		       "root directory only");

	/* The same client named twice with one address, and adjacent ranges, are fine. */
	assert_int_equal(parse_conf(&cfg, &err,
				    "dhcp-host=00:16:3e:00:00:01,10.0.3.9\n"
				    "dhcp-host=00:16:3e:00:00:01,10.0.3.9,1h\n"
				    "dhcp-range=10.0.3.2,10.0.3.100\n"
				    "dhcp-range=10.0.3.101,10.0.3.200\n"), 0);
	assert_int_equal(config_validate(&cfg, &err), 0);
	config_free(&cfg);
}

static void test_init_defaults(void **state)
{
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(cfg.port, 53);
	assert_int_equal(cfg.lease_max, DEFAULT_LEASE_MAX);
	assert_int_equal(cfg.cache_size, DEFAULT_CACHE_SIZE);
	assert_int_equal(cfg.max_neg_ttl, DEFAULT_MAX_NEG_TTL);
	assert_int_equal(cfg.edns_packet_max, 0);
	assert_string_equal(cfg.pid_file, DEFAULT_PID_FILE);
	assert_null(cfg.lease_file);
	assert_null(cfg.user);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_defaults),
		cmocka_unit_test(test_lxc_net_argv),
		cmocka_unit_test(test_lxd_argv),
		cmocka_unit_test(test_libvirt_conf_files),
		cmocka_unit_test(test_incus_argv),
		cmocka_unit_test(test_dhcp_boot),
		cmocka_unit_test(test_tftp_options),
		cmocka_unit_test(test_optional_arguments),
		cmocka_unit_test(test_short_forms),
		cmocka_unit_test(test_command_line_errors),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_conf_file_lines),
		cmocka_unit_test(test_conf_file_errors),
		cmocka_unit_test(test_conf_file_from_argv),
		cmocka_unit_test(test_conf_file_missing_and_nested),
		cmocka_unit_test(test_conf_dir),
		cmocka_unit_test(test_dhcp_host_forms),
		cmocka_unit_test(test_dhcp_host_errors),
		cmocka_unit_test(test_dhcp_option_encodings),
		cmocka_unit_test(test_dhcp_option_errors),
		cmocka_unit_test(test_option_names),
		cmocka_unit_test(test_dhcp_range_v4),
		cmocka_unit_test(test_dhcp_range_v6),
		cmocka_unit_test(test_lease_time),
		cmocka_unit_test(test_valid_label),
		cmocka_unit_test(test_dns_options),
		cmocka_unit_test(test_dns_option_errors),
		cmocka_unit_test(test_validate),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
