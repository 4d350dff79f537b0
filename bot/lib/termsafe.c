/* termsafe.c — see termsafe.h. */
#include "lib/termsafe.h"

#include <stdio.h>

/* The length of the valid UTF-8 sequence at p (n bytes left), its code
 * point in *cp; 0 when it is not one (overlong, surrogate, cut, > U+10FFFF). */
static size_t utf8_at(const unsigned char *p, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c;

	if (p[0] < 0x80)
		return *cp = p[0], 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

void termsafe_escape(const char *in, size_t len, int keep_lines, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)in;
	char esc[12];
	size_t i = 0, n;
	unsigned long cp;

	while (i < len) {
		n = utf8_at(p + i, len - i, &cp);
		if (n == 0) {
			snprintf(esc, sizeof esc, "\\x%02x", p[i]);
			buf_adds(out, esc);
			i++;
			continue;
		}
		if (n == 1 && (cp < 0x20 || cp == 0x7f) &&
		    !(keep_lines && (cp == '\n' || cp == '\t'))) {
			snprintf(esc, sizeof esc, "\\x%02lx", cp);
			buf_adds(out, esc);
		} else if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
			   (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(esc, sizeof esc, "\\u%04lx", cp);
			buf_adds(out, esc);
		} else {
			buf_add(out, p + i, n);
		}
		i += n;
	}
}
