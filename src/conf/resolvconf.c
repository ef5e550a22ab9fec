/*
 * resolvconf — nameserver lines of a resolv.conf; see include/conf/resolvconf.h.
 */
#include "conf/resolvconf.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RESOLVCONF_FILE_MAX (64 * 1024)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next whitespace-separated word of [*p, end) into out; false if none. */
static bool next_word(const char **p, const char *end, char *out, size_t outlen)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && is_blank(*s))
		s++;
	while (s < end && !is_blank(*s) && *s != '#' && *s != ';') {
		if (n + 1 < outlen)
			out[n++] = *s;
		else
			return false; /* longer than any address */
		s++;
	}
	out[n] = '\0';
	*p = s;
	return n > 0;
}

/* "10.0.0.1", "fe80::1%eth0" into ss with port 53. */
static bool parse_server(const char *word, struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN + IF_NAMESIZE];
	char *scope;

	memset(ss, 0, sizeof(*ss));
	str_copy(addr, word, sizeof(addr));
	scope = strchr(addr, '%');
	if (scope)
		*scope++ = '\0';
	if (!scope) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons(53);
			return true;
		}
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1)
		return false;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(53);
	if (scope) {
		sin6->sin6_scope_id = if_nametoindex(scope);
		if (!sin6->sin6_scope_id)
			return false;
	}
	return true;
}

size_t resolvconf_parse(const char *p, size_t len, struct sockaddr_storage *out, size_t max)
{
	const char *end = p + len;
	size_t n = 0;

	while (p < end && n < max) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		char word[64];

		if (next_word(&p, line_end, word, sizeof(word)) &&
		    strcmp(word, "nameserver") == 0 &&
		    next_word(&p, line_end, word, sizeof(word)) && parse_server(word, &out[n]))
			n++;
		p = eol ? eol + 1 : end;
	}
	return n;
}

int resolvconf_read(const char *path, struct sockaddr_storage *out, size_t max, size_t *n)
{
	char *buf = xmalloc(RESOLVCONF_FILE_MAX);
	ssize_t got;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved;

	if (fd < 0)
		goto fail;
	while (len < RESOLVCONF_FILE_MAX &&
	       (got = read(fd, buf + len, RESOLVCONF_FILE_MAX - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		len += (size_t)got;
	}
	close(fd);
	*n = resolvconf_parse(buf, len, out, max);
	free(buf);
	return 0;
fail:
	saved = errno;
	free(buf);
	errno = saved;
	return -1;
}
