/* UTF-8 validation for the report writers: JSON and XML must be valid
 * UTF-8, but guest output is arbitrary bytes. */
#ifndef HARNESS_UTF8_H
#define HARNESS_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at p, or 0 if the bytes
 * at p are not one (overlong forms, surrogates, values past U+10FFFF and
 * truncated sequences are all rejected). n > 0. */
size_t utf8_seq(const unsigned char *p, size_t n);

#endif
