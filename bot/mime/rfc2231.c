/* rfc2231.c — RFC 2231 parameter values; see rfc2231.h. */
#include "mime/rfc2231.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "mime/charset.h"
#include "mime/header.h"

#define SEGMENTS_MAX 64

/* The segment number of an RFC 2231 parameter name: "name*" -1, "name*3*" 3, else -2. */
static int segment(const char *pa, const char *name, int *encoded)
{
	size_t len = strlen(name);
	char *end;
	long seg;

	if (!pa || strncasecmp(pa, name, len) != 0 || pa[len] != '*')
		return -2;
	if (pa[len + 1] == '\0') {
		*encoded = 1;
		return -1;
	}
	if (pa[len + 1] < '0' || pa[len + 1] > '9')
		return -2;
	seg = strtol(pa + len + 1, &end, 10);
	*encoded = *end == '*';
	if ((*end && strcmp(end, "*") != 0) || seg > SEGMENTS_MAX - 1)
		return -2;
	return (int)seg;
}

int rfc2231_is(const char *param, const char *name)
{
	int e;

	return segment(param, name, &e) >= -1;
}

/* Appends an RFC 2231 value: %XX decoded when encoded, charset'lang' cut. */
static void piece(struct buf *b, const char *v, int encoded, int first,
		  char charset[CHARSET_NAME_MAX])
{
	const char *q1, *q2;
	size_t i;

	if (encoded && first && (q1 = strchr(v, '\'')) && (q2 = strchr(q1 + 1, '\''))) {
		snprintf(charset, CHARSET_NAME_MAX, "%.*s", (int)(q1 - v), v);
		v = q2 + 1;
	}
	for (i = 0; v[i]; i++) {
		if (encoded && v[i] == '%' && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			char hex[3] = { v[i + 1], v[i + 2], 0 };

			buf_addc(b, (char)strtol(hex, NULL, 16));
			i += 2;
		} else {
			buf_addc(b, v[i]);
		}
	}
}

char *rfc2231_value(const struct rfc2231_param *params, size_t n,
		    const char *name, int *oom)
{
	const char *seg[SEGMENTS_MAX] = { 0 };
	int enc[SEGMENTS_MAX] = { 0 }, single = -1, e, k, lossy = 0;
	char charset[CHARSET_NAME_MAX] = "", *u, *res;
	struct buf bytes = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		k = segment(params[i].name, name, &e);
		if (k == -1 && single < 0)
			single = (int)i;
		else if (k >= 0 && !seg[k])
			seg[k] = params[i].value, enc[k] = e;
	}
	if (single >= 0)
		piece(&bytes, params[single].value, 1, 1, charset);
	for (k = 0; single < 0 && k < SEGMENTS_MAX && seg[k]; k++)
		piece(&bytes, seg[k], enc[k], k == 0, charset);
	*oom |= bytes.oom;
	if (!bytes.p || bytes.oom) {
		buf_release(&bytes);
		return NULL;
	}
	u = charset_to_utf8(charset[0] ? charset : NULL, bytes.p, bytes.len, NULL, &lossy);
	res = u ? header_clean(u) : NULL;
	*oom |= !res;
	buf_release(&bytes);
	free(u);
	return res;
}
