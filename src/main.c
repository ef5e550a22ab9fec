/* leased — placeholder until the daemon is wired (see DESIGN.md). */
#include <stdio.h>

int main(void)
{
	printf("Dnsmasq version 2.90 (leased %s)\n", LEASED_VERSION);
	return 0;
}
