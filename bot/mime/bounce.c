/*
 * bounce.c — see bounce.h.  The fields are read line by line, wherever they
 * stand, because real notifications nest them in varied ways (a missing
 * blank line, a report inside a forward); what counts is that they come
 * after the notification's own header.
 */
#include "mime/bounce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The next line of [p, end): sets line and n (without CR LF), returns the
 * start of the line after it. */
static const char *next_line(const char *p, const char *end, const char **line, size_t *n)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *stop = nl ? nl : end;

	*line = p;
	*n = (size_t)(stop - p);
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return nl ? nl + 1 : end;
}

/* When line is "Name: value", copies the value (trimmed, with its folded
 * continuation lines joined) into out and returns true. */
static bool field(const char *line, size_t n, const char *name, const char *rest,
		  const char *end, char *out, size_t outlen)
{
	size_t nl = strlen(name), k = 0, m;
	const char *v, *cont, *l;

	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return false;
	for (v = line + nl + 1; v < line + n && isspace((unsigned char)*v); v++)
		;
	m = (size_t)(line + n - v);
	if (m >= outlen)
		m = outlen - 1;
	memcpy(out, v, m);
	k = m;
	for (cont = rest; cont < end && (*cont == ' ' || *cont == '\t');) {
		cont = next_line(cont, end, &l, &m);
		while (m && isspace((unsigned char)*l)) {
			l++;
			m--;
		}
		if (k + 1 + m >= outlen)
			break;
		out[k++] = ' ';
		memcpy(out + k, l, m);
		k += m;
	}
	out[k] = '\0';
	return true;
}

/* Copies at most dstlen - 1 bytes of src (cut if longer). */
static void copy(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Adds the <id> of a "Message-ID: <id>" value to b->ids (once). */
static int add_id(struct bounce *b, const char *value)
{
	const char *lt = strchr(value, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	size_t i;
	char *id;

	if (!lt || !gt || gt == lt + 1 || b->n_ids == BOUNCE_MAX_IDS)
		return 0;
	if (!(id = strndup(lt + 1, (size_t)(gt - lt - 1))))
		return -1;
	for (i = 0; i < b->n_ids; i++)
		if (strcmp(b->ids[i], id) == 0) {
			free(id);
			return 0;
		}
	b->ids[b->n_ids++] = id;
	return 0;
}

int bounce_parse(const char *raw, size_t len, struct bounce *b)
{
	const char *p = raw, *end = raw + len, *line;
	bool in_header = true;
	char value[512];
	size_t n;

	memset(b, 0, sizeof *b);
	while (p < end) {
		const char *rest = next_line(p, end, &line, &n);

		if (in_header) {	/* the notification's own header: skip */
			in_header = n > 0;
		} else if (field(line, n, "Action", rest, end, value, sizeof value)) {
			/* The first failed recipient wins; otherwise the first action. */
			if (!b->failed) {
				size_t i;
				copy(b->action, sizeof b->action, value, strlen(value));
				for (i = 0; b->action[i]; i++)
					b->action[i] = (char)tolower((unsigned char)b->action[i]);
				b->failed = strncmp(b->action, "failed", 6) == 0;
			}
		} else if (field(line, n, "Status", rest, end, value, sizeof value)) {
			if (!b->status[0] || (b->failed && value[0] == '5'))
				copy(b->status, sizeof b->status, value, strcspn(value, " \t("));
		} else if (field(line, n, "Final-Recipient", rest, end, value, sizeof value)) {
			const char *semi = strchr(value, ';');
			const char *addr = semi ? semi + 1 + strspn(semi + 1, " \t") : value;
			if (!b->recipient[0])
				copy(b->recipient, sizeof b->recipient, addr, strlen(addr));
		} else if (field(line, n, "Diagnostic-Code", rest, end, value, sizeof value)) {
			if (!b->diagnostic[0])
				copy(b->diagnostic, sizeof b->diagnostic, value, strlen(value));
		} else if (field(line, n, "Message-ID", rest, end, value, sizeof value)) {
			if (add_id(b, value) < 0) {
				bounce_release(b);
				return -1;
			}
		}
		p = rest;
	}
	return 0;
}

void bounce_release(struct bounce *b)
{
	size_t i;

	for (i = 0; i < b->n_ids; i++)
		free(b->ids[i]);
	memset(b, 0, sizeof *b);
}

void bounce_reason(const struct bounce *b, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s", b->status[0] ? b->status : b->action,
		 b->recipient[0] ? " " : "", b->recipient,
		 b->diagnostic[0] ? " (" : "", b->diagnostic, b->diagnostic[0] ? ")" : "");
}
