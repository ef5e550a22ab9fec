/* util — see include/core/util.h. */
#include "core/util.h"

#include <ctype.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static void out_of_memory(void)
{
	fputs("leased: out of memory\n", stderr);
	exit(EXIT_MEMORY);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		out_of_memory();
	return d;
}

void *array_push(void *arr_ptr, size_t *n, size_t size)
{
	void **arr = arr_ptr;
	char *base;

	/* Grow by doubling once past the power-of-two boundary. */
	if ((*n & (*n - 1)) == 0) {
		size_t cap = *n ? *n * 2 : 1;
		*arr = xrealloc(*arr, cap * size);
	}
	base = *arr;
	memset(base + *n * size, 0, size);
	return base + (*n)++ * size;
}

size_t str_copy(char *dst, const char *src, size_t dstlen)
{
	size_t len = strlen(src);

	if (dstlen) {
		size_t n = len < dstlen - 1 ? len : dstlen - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

bool str_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool str_is_label(const char *s, bool underscore)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || !isalnum((unsigned char)s[0]) || s[n - 1] == '-')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && !(underscore && s[i] == '_'))
			return false;
	return true;
}

void str_printable(char *out, size_t outlen, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && n + 1 < outlen && n < max; s++)
		out[n++] = isprint((unsigned char)*s) ? *s : '?';
	if (*s && n + 4 < outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_parse(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = 0;

	while (*s) {
		int hi = hex_digit(s[0]), lo;

		if (hi < 0)
			return -1;
		/* "a:b" allows single-digit groups, as dnsmasq does. */
		if (s[1] == '\0' || s[1] == ':' || s[1] == '-') {
			lo = hi;
			hi = 0;
			s += 1;
		} else {
			lo = hex_digit(s[1]);
			if (lo < 0)
				return -1;
			s += 2;
		}
		if (n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		if (*s == ':' || *s == '-') {
			s++;
			if (*s == '\0')
				return -1;
		}
	}
	*len = n;
	return 0;
}

char *hex_format(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	if (outlen == 0)
		return out;
	/* By hand: this runs for every DHCP log line and journal record. */
	for (size_t i = 0; i < len; i++) {
		size_t need = i ? 3 : 2;

		if (o + need >= outlen)
			break; /* truncate at a whole byte */
		if (i)
			out[o++] = ':';
		out[o++] = digits[p[i] >> 4];
		out[o++] = digits[p[i] & 0x0f];
	}
	out[o] = '\0';
	return out;
}

int mac_parse(const char *s, uint8_t mac[MAC_LEN])
{
	size_t len;

	if (hex_parse(s, mac, MAC_LEN, &len) < 0 || len != MAC_LEN)
		return -1;
	return 0;
}

char *mac_format(const uint8_t mac[MAC_LEN], char out[MAC_STR_LEN])
{
	return hex_format(mac, MAC_LEN, out, MAC_STR_LEN);
}

uint64_t now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

time_t now_wall(void)
{
	return time(NULL);
}

bool in6_same_prefix(const struct in6_addr *a, const struct in6_addr *b, unsigned len)
{
	for (unsigned bit = 0; bit < len && bit < 128; bit++) {
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));

		if ((a->s6_addr[bit / 8] & m) != (b->s6_addr[bit / 8] & m))
			return false;
	}
	return true;
}

uint64_t hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int read_whole_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 64 * 1024, n = 0;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	p = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			cap *= 2;
			p = xrealloc(p, cap);
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int saved = errno;

			free(p);
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*buf = p;
	*len = n;
	return 0;
}

uint16_t random_u16(void)
{
	static uint16_t pool[256];
	static size_t left;

	if (left == 0) {
		if (getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool)) {
			/* getrandom cannot fail short for 512 bytes once seeded. */
			for (size_t i = 0; i < ARRAY_SIZE(pool); i++)
				pool[i] = (uint16_t)(now_mono_ms() * 2654435761u + i);
		}
		left = ARRAY_SIZE(pool);
	}
	return pool[--left];
}
