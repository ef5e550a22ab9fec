/*
 * fuzz_config — conf-file text through the whole configuration path:
 * config_parse_text, then config_validate, then config_free (so leaks
 * show), and the same bytes as one --dhcp-host and one --dhcp-option
 * value, the parsers hosts files and opts files reach.  The build defines
 * LEASED_FUZZING, which keeps conf-file/conf-dir lines off the filesystem.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct error err;
	struct dhcp_host host;
	struct dhcp_option opt;
	char *value;

	config_init(&cfg);
	if (config_parse_text(&cfg, (const char *)data, size, "fuzz", &err) == 0)
		config_validate(&cfg, &err);
	config_free(&cfg);

	/* A single value is a C string: stop at the first NUL, as argv would. */
	value = malloc(size + 1);
	if (!value)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	if (config_parse_dhcp_host(value, "fuzz", &host, &err) == 0)
		dhcp_host_free(&host);
	if (config_parse_dhcp_option(value, false, "fuzz", &opt, &err) == 0)
		dhcp_option_free(&opt);
	free(value);
	return 0;
}
