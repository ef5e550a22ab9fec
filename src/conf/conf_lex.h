/*
 * conf_lex — the text side of the configuration: reading conf-files and
 * conf-dirs the way dnsmasq reads them, cutting the text into lines
 * (comments off, trimmed), a value into comma fields (quotes and escapes
 * undone), checking the small values every option shares (names,
 * addresses, interface names, tags), and composing the one-line error
 * that names the option, the value, the reason and where it came from.
 *
 * It knows no option and no struct config field: it depends on core/ and
 * on the types of include/conf/config.h only, never on config*.c, so the
 * option table (config.c) and the value parsers (config_dhcp.c,
 * config_dns.c) can both build on it without depending on each other.
 *
 * Private to src/conf/, for the files that read conf text or values:
 * Included by: conf_lex.c config.c config_dhcp.c config_dns.c hostdb.c hostsfile.c only.
 * (scripts/check-layering.sh fails any other file that includes it.)  It
 * sits beside the .c files rather than in include/conf/ because no other
 * folder reads conf-file text; the three functions defined in conf_lex.c
 * that other folders do call (error_set, config_free_list,
 * config_valid_label) are declared in the public include/conf/config.h.
 */
#ifndef LEASED_CONF_LEX_H
#define LEASED_CONF_LEX_H

#include "conf/config.h"

/*
 * A value split at the commas that are outside double quotes.  Each field
 * is trimmed and unquoted (with the escapes dnsmasq allows inside quotes:
 * \\ \" \t \e \b \r \n); quoted[i] tells whether field i held a quote,
 * so that "12" can stay a string where 12 is a number.
 */
struct fieldlist {
	char **v;
	bool *quoted;
	size_t n;
};

int fields_split(const char *arg, struct fieldlist *out, const char **why);
void fields_free(struct fieldlist *f);
/* The whole value unquoted (no splitting); NULL with *why on bad quoting. */
char *config_unquote(const char *arg, const char **why);

/* "bad --OPT \"ARG\": REASON (at WHERE)", status EXIT_CONFIG; returns -1. */
int config_option_error(struct error *err, const char *opt, const char *arg,
			const char *where, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void config_set_origin(struct config_origin *o, const char *where);

/* The reason part of a message, built where the value is parsed. */
struct reason {
	char msg[200];
};

/* Fill r; returns -1 so that parsers can "return reasonf(...)". */
int reasonf(struct reason *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A dotted DNS name of valid labels; '_' allowed where SRV/TXT need it. */
bool config_valid_name(const char *s, bool allow_underscore);
/* Strict dotted quad; 0 or -1. */
int config_parse_ipv4(const char *s, struct in_addr *out);
/* An IPv6 address, with or without [brackets]; 0 or -1. */
int config_parse_ipv6(const char *s, struct in6_addr *out);
/* An interface name (or dnsmasq's trailing '*' wildcard). */
bool config_valid_ifname(const char *s);
/* "tag:NAME" / "tag:!NAME" into m; -1 with *why. */
int config_add_tag(struct tag_match *m, const char *name, const char **why);
void tag_match_free(struct tag_match *m);

/* Whole file into memory (NUL-terminated too); -1 with errno. */
int config_read_file(const char *path, char **text, size_t *len);
/* The same from an open descriptor (the conf-file "-" is standard input). */
int config_read_fd(int fd, char **text, size_t *len);

/*
 * The regular files of dir, sorted by name, full paths, skipping names
 * ending in '~', starting with '.', or "#...#"; also those ending in any
 * of skip_ext; when only_ext is non-empty, only names ending in one of
 * them.  -1 with errno (the directory cannot be read).
 */
int config_list_dir(const char *dir, char *const *skip_ext, size_t nskip,
		    char *const *only_ext, size_t nonly, char ***paths, size_t *npaths);

/*
 * Lines of conf-file text: the comment ('#' at the start or after a blank,
 * outside double quotes) cut off, both ends trimmed, blank lines skipped.
 * line_next returns 1 with *line (valid until the next call), 0 at the
 * end, -1 with *why when a line holds a NUL byte or an unclosed quote.
 */
struct line_reader {
	const char *text;
	size_t len, pos;
	unsigned lineno;
	char *buf;
};

void line_reader_init(struct line_reader *r, const char *text, size_t len);
int line_next(struct line_reader *r, char **line, const char **why);
void line_reader_free(struct line_reader *r);

#endif
