/*
 * util — small helpers every module uses: bounded string copies, number,
 * hex and MAC parsing/formatting, clocks.  Nothing here allocates except
 * the x*() wrappers, which exit with status 4 (dnsmasq's "memory") on
 * failure, because running on without memory helps nobody.
 */
#ifndef LEASED_UTIL_H
#define LEASED_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h" /* exit statuses */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))


#define MAC_LEN 6
#define MAC_STR_LEN 18 /* "aa:bb:cc:dd:ee:ff" + NUL */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Grow *arr (of *n elements of size) by one zeroed element; return it. */
void *array_push(void *arr_ptr, size_t *n, size_t size);

/* Copy at most dstlen-1 bytes and NUL-terminate; return strlen(src). */
size_t str_copy(char *dst, const char *src, size_t dstlen);
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* Non-empty and only ASCII digits. */
bool str_all_digits(const char *s);
/*
 * One DNS label as a host name: 1 to 63 ASCII letters, digits and '-'
 * (RFC 1123 section 2.1), a letter or digit first and no '-' last; with
 * underscore also '_' after the first (dnsmasq's legal_hostname(), so
 * names in a dnsmasq lease file).
 */
bool str_is_label(const char *s, bool underscore);
/* s for a message: at most max bytes, control bytes as '?', "..." when cut. */
void str_printable(char *out, size_t outlen, const char *s, size_t max);

/* Parse a whole decimal number in [0, max]; -1 on anything else. */
int parse_u32(const char *s, uint32_t max, uint32_t *out);

/*
 * Parse "aa:bb:cc" / "aa-bb-cc" / "aabbcc" hex bytes into out (at most
 * max bytes); set *len.  -1 on a bad digit or too many bytes.
 */
int hex_parse(const char *s, uint8_t *out, size_t max, size_t *len);
/* Format bytes as "aa:bb:cc" (lower case) into out; returns out. */
char *hex_format(const uint8_t *p, size_t len, char *out, size_t outlen);
int mac_parse(const char *s, uint8_t mac[MAC_LEN]);
char *mac_format(const uint8_t mac[MAC_LEN], char out[MAC_STR_LEN]);

/*
 * The whole file into *buf (malloc'd, not NUL-terminated) and *len.
 * 0; 1 when it does not exist; -1 (errno set) when it cannot be read.
 */
int read_whole_file(const char *path, char **buf, size_t *len);

/* Big-endian (network order) integers at p; the caller has checked the length. */
static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

/* Monotonic milliseconds, for timers.  Wall seconds, for lease expiry. */
uint64_t now_mono_ms(void);

/*
 * 16 unpredictable bits (getrandom, drawn 256 at a time), for DNS query
 * IDs and probe names that an off-path attacker must not guess.
 */
uint16_t random_u16(void);
time_t now_wall(void);

/* FNV-1a, the hash all in-memory indexes use. */
uint64_t hash_bytes(const void *p, size_t len, uint64_t seed);
/* Whether a and b share their first len bits (an IPv6 prefix; len up to 128). */
struct in6_addr;
bool in6_same_prefix(const struct in6_addr *a, const struct in6_addr *b, unsigned len);

#endif
