/*
 * gai — getaddrinfo() for each name on the command line, as a program
 * linked with glibc or musl resolves it: AF_UNSPEC, SOCK_STREAM, no
 * flags (so A and AAAA are both asked, in parallel, whatever addresses
 * the machine has).  One line per name:
 *
 *   NAME OK ADDR... ms=N        addresses sorted and without duplicates
 *   NAME FAIL TEXT CODE ms=N    gai_strerror() text and the EAI_ code
 *
 * where N is how long the call took, in milliseconds.  Exits 0 when
 * every name resolved, 1 otherwise.  Built by the integration tests
 * (t_dns_stub_resolvers.sh) with gcc and with musl-gcc -static.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_ADDRS 64

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int main(int argc, char **argv)
{
	static char addrs[MAX_ADDRS][INET6_ADDRSTRLEN];
	int failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: gai NAME...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct addrinfo hints, *res = NULL, *ai;
		long long t0, ms;
		size_t n = 0;
		int rc;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		t0 = now_ms();
		rc = getaddrinfo(argv[i], NULL, &hints, &res);
		ms = now_ms() - t0;
		if (rc != 0) {
			printf("%s FAIL %s %d ms=%lld\n", argv[i], gai_strerror(rc), rc, ms);
			failed = 1;
			continue;
		}
		for (ai = res; ai && n < MAX_ADDRS; ai = ai->ai_next) {
			const void *a;

			if (ai->ai_family == AF_INET)
				a = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			else if (ai->ai_family == AF_INET6)
				a = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			else
				continue;
			if (inet_ntop(ai->ai_family, a, addrs[n], sizeof(addrs[n])))
				n++;
		}
		freeaddrinfo(res);
		qsort(addrs, n, sizeof(addrs[0]), cmp);
		printf("%s OK", argv[i]);
		for (size_t k = 0; k < n; k++)
			if (k == 0 || strcmp(addrs[k], addrs[k - 1]) != 0)
				printf(" %s", addrs[k]);
		printf(" ms=%lld\n", ms);
	}
	return failed;
}
