/*
 * leasectl — inspect and manage leased's leases.  For now it only tells
 * its version; the control-socket commands come with issue 4.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
		printf("leasectl %s\n", LEASED_VERSION);
		return 0;
	}
	fprintf(stderr, "leasectl %s: only --version is implemented yet\n", LEASED_VERSION);
	return 2;
}
