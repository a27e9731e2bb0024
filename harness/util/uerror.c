/* One-line user errors (see uerror.h). */
#include "harness/util/uerror.h"

#include <stdarg.h>
#include <stdio.h>

int uerror(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USER;
}
