/* error — the one error convention (see include/core/error.h). */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

int error_set(struct error *e, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->status = status ? status : EXIT_OTHER;
	return -1;
}

int error_status(const struct error *e)
{
	return e->status ? e->status : EXIT_OTHER;
}
