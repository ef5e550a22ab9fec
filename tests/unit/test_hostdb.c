/*
 * test_hostdb — reservations from the configuration and from hosts files
 * (a file, or LXD's directory of files), lookups by MAC, client-id, name
 * (any case) and address, options from the configuration then optsfiles,
 * and the errors: a bad line names its file:line, a missing file is a
 * filesystem error, one address for two clients names both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/config.h"
#include "test_files.h"
#include "conf/hostdb.h"

static void conf(struct config *cfg, const char *text)
{
	struct error err;

	config_init(cfg);
	if (config_parse_text(cfg, text, strlen(text), "t.conf", &err) < 0)
		fail_msg("%s", err.msg);
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void test_lookups_from_config(void **state)
{
	static const uint8_t mac1[6] = { 0x00, 0x16, 0x3e, 0, 0, 1 };
	static const uint8_t mac2[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };
	static const uint8_t mac9[6] = { 0x00, 0x16, 0x3e, 0, 0, 9 };
	static const uint8_t id[3] = { 1, 2, 3 };
	struct config cfg;
	struct error err;
	struct hostdb *db;
	const struct dhcp_host *h;

	(void)state;
	conf(&cfg, "dhcp-host=00:16:3e:00:00:01,00:16:3e:00:00:02,10.0.3.10,Web\n"
		   "dhcp-host=id:01:02:03,10.0.3.11,db\n"
		   "dhcp-host=cache,10.0.3.12\n");
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	/* The database owns copies: the configuration may go. */
	config_free(&cfg);
	assert_int_equal(hostdb_count(db), 3);
	h = hostdb_by_mac(db, mac2);
	assert_non_null(h);
	assert_string_equal(h->name, "Web");
	assert_ptr_equal(hostdb_by_mac(db, mac1), h);
	assert_null(hostdb_by_mac(db, mac9));
	h = hostdb_by_client_id(db, id, sizeof(id));
	assert_non_null(h);
	assert_string_equal(h->name, "db");
	assert_null(hostdb_by_client_id(db, id, 2));
	assert_ptr_equal(hostdb_by_name(db, "WEB"), hostdb_by_mac(db, mac1));
	assert_ptr_equal(hostdb_by_name(db, "cache"), hostdb_by_ip(db, ip("10.0.3.12")));
	assert_null(hostdb_by_name(db, "we"));
	assert_null(hostdb_by_ip(db, ip("10.0.3.13")));
	assert_string_equal(hostdb_by_ip(db, ip("10.0.3.11"))->name, "db");
	hostdb_free(db);
}

static void test_hostsfile(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x16, 0x3e, 0xaa, 0, 2 };
	struct config cfg;
	struct error err;
	struct hostdb *db;
	char text[512];
	const char *path;

	(void)state;
	path = write_file("hosts", "# reservations\n"
				   "\n"
				   "00:16:3e:aa:00:01,10.0.3.21,one\n"
				   "  00:16:3e:aa:00:02,10.0.3.22,two,1h   # second\n");
	snprintf(text, sizeof(text), "dhcp-host=00:16:3e:aa:00:03,10.0.3.23\n"
		 "dhcp-hostsfile=%s\n", path);
	conf(&cfg, text);
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	assert_int_equal(hostdb_count(db), 3);
	assert_string_equal(hostdb_by_mac(db, mac)->name, "two");
	assert_int_equal(hostdb_by_mac(db, mac)->lease_time, 3600);
	snprintf(text, sizeof(text), "%s:4", path);
	assert_string_equal(hostdb_by_name(db, "two")->origin.where, text);
	hostdb_free(db);
	config_free(&cfg);
}

/* LXD keeps one file per instance in a directory named like a file. */
static void test_hostsfile_directory(void **state)
{
	struct config cfg;
	struct error err;
	struct hostdb *db;
	char dir[300], text[400];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/dnsmasq.hosts", test_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_file("dnsmasq.hosts/c1", "00:16:3e:bb:00:01,10.1.2.10,c1\n");
	write_file("dnsmasq.hosts/c2", "00:16:3e:bb:00:02,10.1.2.11,c2\n");
	write_file("dnsmasq.hosts/c2~", "this is not a valid line\n");
	write_file("dnsmasq.hosts/.c3", "neither is this\n");
	snprintf(text, sizeof(text), "dhcp-hostsfile=%s\n", dir);
	conf(&cfg, text);
	db = hostdb_load(&cfg, &err);
	if (!db)
		fail_msg("%s", err.msg);
	assert_int_equal(hostdb_count(db), 2);
	assert_non_null(hostdb_by_name(db, "c1"));
	assert_string_equal(hostdb_by_ip(db, ip("10.1.2.11"))->name, "c2");
	hostdb_free(db);
	config_free(&cfg);
}

static void test_bad_line(void **state)
{
	struct config cfg;
	struct error err;
	char text[400], expect[600];
	const char *path;

	(void)state;
	path = write_file("bad-hosts", "00:16:3e:cc:00:01,10.0.3.31,ok\n"
				       "# comment\n"
				       "00:16:3e:cc:00:02,10.0.3.32,bad_name\n");
	snprintf(text, sizeof(text), "dhcp-hostsfile=%s\n", path);
	conf(&cfg, text);
	assert_null(hostdb_load(&cfg, &err));
	snprintf(expect, sizeof(expect), "bad --dhcp-host \"00:16:3e:cc:00:02,10.0.3.32,"
		 "bad_name\": \"bad_name\" is not a MAC, address, lease time or valid hostname "
		 "(at %s:3)", path);
	assert_string_equal(err.msg, expect);
	assert_int_equal(err.status, EXIT_CONFIG);
	config_free(&cfg);
}

static void test_missing_file(void **state)
{
	struct config cfg;
	struct error err;
	char text[400], expect[600];

	(void)state;
	snprintf(text, sizeof(text), "dhcp-hostsfile=%s/absent\n", test_dir);
	conf(&cfg, text);
	assert_null(hostdb_load(&cfg, &err));
	assert_int_equal(err.status, EXIT_FILESYSTEM);
	snprintf(expect, sizeof(expect), "cannot read dhcp-hostsfile %s/absent: No such file or "
		 "directory", test_dir);
	assert_string_equal(err.msg, expect);
	config_free(&cfg);
}

static void test_duplicate_ip(void **state)
{
	struct config cfg;
	struct error err;
	struct hostdb *db;
	char text[400], expect[600];
	const char *path;

	const char *const *msgs;

	(void)state;
	/* A hostsfile line taking a reserved address: skipped and named, the rest loads. */
	path = write_file("dup-hosts", "\n00:16:3e:dd:00:02,10.0.3.40,other\n"
			  "00:16:3e:dd:00:03,10.0.3.41,third\n");
	snprintf(text, sizeof(text), "dhcp-host=00:16:3e:dd:00:01,10.0.3.40\n"
		 "dhcp-hostsfile=%s\n", path);
	conf(&cfg, text);
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	assert_int_equal(hostdb_count(db), 2);
	assert_null(hostdb_by_name(db, "other"));
	assert_non_null(hostdb_by_name(db, "third"));
	assert_string_equal(hostdb_by_ip(db, ip("10.0.3.40"))->origin.where, "t.conf:1");
	assert_int_equal(hostdb_warnings(db, &msgs), 1);
	snprintf(expect, sizeof(expect), "dhcp-hostsfile line at %s:2 skipped: it reserves "
		 "10.0.3.40, already reserved for another client at t.conf:1", path);
	assert_string_equal(msgs[0], expect);
	hostdb_free(db);
	config_free(&cfg);

	/* Among --dhcp-host options the same conflicts are errors naming both places. */
	conf(&cfg, "dhcp-host=00:16:3e:dd:00:01,10.0.3.40\ndhcp-host=00:16:3e:dd:00:02,10.0.3.40\n");
	assert_null(hostdb_load(&cfg, &err));
	assert_string_equal(err.msg, "dhcp-host at t.conf:2 reserves 10.0.3.40, already reserved "
			    "for another client at t.conf:1");
	assert_int_equal(err.status, EXIT_CONFIG);
	config_free(&cfg);
	conf(&cfg, "dhcp-host=00:16:3e:dd:00:01,10.0.3.40\ndhcp-host=00:16:3e:dd:00:01,10.0.3.42,b\n");
	assert_null(hostdb_load(&cfg, &err));
	assert_string_equal(err.msg, "dhcp-host at t.conf:2 gives 00:16:3e:dd:00:01 a second IPv4 "
			    "address (the first at t.conf:1)");
	config_free(&cfg);
	/* One MAC, one address per family: two lines, one per family, are fine (libvirt). */
	conf(&cfg, "dhcp-host=00:16:3e:dd:00:01,10.0.3.40,vm\n"
	     "dhcp-host=00:16:3e:dd:00:01,[fd42::40],vm\n");
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	assert_int_equal(hostdb_warnings(db, &msgs), 0);
	hostdb_free(db);
	config_free(&cfg);

	/* The same client listed twice keeps its address; the first entry answers. */
	path = write_file("same-hosts", "00:16:3e:dd:00:01,10.0.3.40,1h\n");
	snprintf(text, sizeof(text), "dhcp-host=00:16:3e:dd:00:01,10.0.3.40\n"
		 "dhcp-hostsfile=%s\n", path);
	conf(&cfg, text);
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	assert_int_equal(hostdb_count(db), 2);
	assert_string_equal(hostdb_by_ip(db, ip("10.0.3.40"))->origin.where, "t.conf:1");
	hostdb_free(db);
	config_free(&cfg);
}

static void test_options_and_optsfile(void **state)
{
	struct config cfg;
	struct error err;
	struct hostdb *db;
	const struct dhcp_option *o;
	char text[400], expect[600];
	const char *path;
	size_t n;

	(void)state;
	path = write_file("opts", "# options\noption:ntp-server,10.0.3.1\ntag:red,42,10.0.3.2\n");
	snprintf(text, sizeof(text), "dhcp-option=option:router,10.0.3.1\n"
		 "dhcp-optsfile=%s\n", path);
	conf(&cfg, text);
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	config_free(&cfg);
	o = hostdb_options(db, &n);
	assert_int_equal(n, 3);
	assert_int_equal(o[0].code, 3);
	assert_int_equal(o[1].code, 42);
	assert_int_equal(o[2].code, 42);
	assert_int_equal(o[2].match.n, 1);
	assert_string_equal(o[2].match.names[0], "red");
	assert_int_equal(o[2].len, 4);
	assert_memory_equal(o[2].data, "\x0a\x00\x03\x02", 4);
	hostdb_free(db);

	path = write_file("bad-opts", "option:mtu,huge\n");
	snprintf(text, sizeof(text), "dhcp-optsfile=%s\n", path);
	conf(&cfg, text);
	assert_null(hostdb_load(&cfg, &err));
	snprintf(expect, sizeof(expect), "(at %s:1)", path);
	assert_non_null(strstr(err.msg, expect));
	assert_non_null(strstr(err.msg, "\"huge\" is not a number"));
	config_free(&cfg);
}

/* Thousands of reservations: every one is found by each key. */
static void test_many_hosts(void **state)
{
	struct config cfg;
	struct error err;
	struct hostdb *db;
	size_t len = 0, cap = 1 << 20;
	char *text = malloc(cap);
	const size_t count = 5000;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < count; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"dhcp-host=02:00:00:00:%02zx:%02zx,10.%zu.%zu.%zu,h%zu\n",
					i >> 8, i & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff,
					i & 0xff, i);
	config_init(&cfg);
	assert_int_equal(config_parse_text(&cfg, text, len, "many", &err), 0);
	free(text);
	db = hostdb_load(&cfg, &err);
	assert_non_null(db);
	assert_int_equal(hostdb_count(db), count);
	for (size_t i = 0; i < count; i++) {
		uint8_t mac[6] = { 2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
		char name[16];
		struct in_addr a = { htonl((10u << 24) | (uint32_t)i) };
		const struct dhcp_host *h = hostdb_by_mac(db, mac);

		snprintf(name, sizeof(name), "H%zu", i);
		assert_non_null(h);
		assert_ptr_equal(hostdb_by_name(db, name), h);
		assert_ptr_equal(hostdb_by_ip(db, a), h);
	}
	hostdb_free(db);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups_from_config),
		cmocka_unit_test(test_hostsfile),
		cmocka_unit_test(test_hostsfile_directory),
		cmocka_unit_test(test_bad_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_duplicate_ip),
		cmocka_unit_test(test_options_and_optsfile),
		cmocka_unit_test(test_many_hosts),
	};

	return cmocka_run_group_tests(tests, test_dir_setup, test_dir_remove);
}
