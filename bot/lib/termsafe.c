/* termsafe.c — see termsafe.h. */
#include "lib/termsafe.h"

#include <stdio.h>

#include "lib/utf8.h"

void termsafe_escape(const char *in, size_t len, int keep_lines, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	char esc[12];
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(in + i, len - i, &cp);
		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", p[i]);
			buf_adds(out, esc);
			i++;
			continue;
		}
		if (n == 1 && (cp < 0x20 || cp == 0x7f) &&
		    !(keep_lines && (cp == '\n' || cp == '\t'))) {
			snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
			buf_adds(out, esc);
		} else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
			   (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
			buf_adds(out, esc);
		} else {
			buf_add(out, p + i, n);
		}
		i += n;
	}
}
