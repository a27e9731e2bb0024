/* libFuzzer target for the case-file parser: any bytes must give a parsed
 * case or one error line, never a crash; and what parses must survive the
 * bless round trip (format, then parse again, gives the same case). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/case/case.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcase c;
	char err[512];
	if (size > 1 << 16)
		return 0;
	if (case_parse("cases/fuzz/input.case", (const char *)data, size, &c, err, sizeof(err)) !=
	    0) {
		if (!err[0] || memchr(err, '\n', strlen(err)))
			abort(); /* an error is exactly one non-empty line */
		return 0;
	}
	size_t len;
	char *text = case_format_len(&c, &len);
	if (text) {
		struct tcase again;
		if (case_parse("cases/fuzz/input.case", text, len, &again, err, sizeof(err)) != 0)
			abort();
		if (!case_equal(&c, &again))
			abort();
		case_free(&again);
		free(text);
	}
	case_free(&c);
	return 0;
}
