/* html.c — HTML → text, and the charset its <meta> declares; see html.h. */
#include "mime/html.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"

static const char REPLACEMENT[] = "\xef\xbf\xbd";	/* U+FFFD in UTF-8 */

static void utf8_put(struct buf *out, unsigned long cp)
{
	char u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		buf_adds(out, REPLACEMENT);
	} else if (cp < 0x80) {
		buf_addc(out, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, u, 4);
	}
}

/* Decodes the entity at s ("&...;"); returns the bytes used, 0 if none. */
static size_t html_entity(const char *s, size_t n, struct buf *out)
{
	static const struct { const char *name, *text; } named[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" },
		{ "apos;", "'" }, { "nbsp;", " " },
	};
	unsigned long cp = 0;
	size_t i, k, first;
	int hex;

	for (k = 0; k < sizeof named / sizeof *named; k++) {
		size_t len = strlen(named[k].name);

		if (n > len && strncasecmp(s + 1, named[k].name, len) == 0) {
			buf_adds(out, named[k].text);
			return len + 1;
		}
	}
	if (n < 4 || s[1] != '#')
		return 0;
	hex = s[2] == 'x' || s[2] == 'X';
	first = i = 2 + (size_t)hex;
	for (; i < n && i < first + 8 && (hex ? isxdigit((unsigned char)s[i]) :
					     isdigit((unsigned char)s[i])); i++)
		cp = cp * (hex ? 16 : 10) + (unsigned long)(s[i] <= '9' ? s[i] - '0'
							 : (s[i] | 0x20) - 'a' + 10);
	if (i == first || i >= n || s[i] != ';')
		return 0;
	utf8_put(out, cp);
	return i + 1;
}

/* Skips past the first case-insensitive `end` at or after s; n if none. */
static size_t skip_past(const char *s, size_t n, const char *end)
{
	size_t len = strlen(end), i;

	for (i = 0; i + len <= n; i++)
		if (strncasecmp(s + i, end, len) == 0)
			return i + len;
	return n;
}

/* The tag name after '<' or '</', lower-cased into name (up to 15 chars). */
static void html_tag_name(const char *s, size_t n, char name[16])
{
	size_t i = 1, k = 0;

	if (i < n && s[i] == '/')
		i++;
	while (i < n && k < 15 && ((s[i] >= 'a' && s[i] <= 'z') ||
				   (s[i] >= 'A' && s[i] <= 'Z') ||
				   (s[i] >= '0' && s[i] <= '9')))
		name[k++] = (char)(s[i++] | 0x20);
	name[k] = '\0';
}

static int html_space(char c);
static int html_attr(const char *s, size_t n, size_t *i, char name[16],
		     const char **val, size_t *vlen);

/*
 * Issue 14 (V11): whether a style attribute's value hides the element
 * from a person reading the mail.  Admin commands are read from what a
 * person sees; text they cannot see must not command.  Spaces and case
 * do not matter ("Display : NONE").
 */
static int style_hides(const char *v, size_t n)
{
	static const char *const hiding[] = { "display:none", "visibility:hidden",
		"visibility:collapse", "font-size:0", "opacity:0", "max-height:0", "height:0" };
	char flat[256];
	size_t i, k = 0, j, len;

	for (i = 0; i < n && k < sizeof flat - 1; i++)
		if (!html_space(v[i]))
			flat[k++] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] | 0x20 : v[i]);
	flat[k] = '\0';
	for (j = 0; j < sizeof hiding / sizeof *hiding; j++) {
		const char *at = flat;

		len = strlen(hiding[j]);
		while ((at = strstr(at, hiding[j]))) {
			char next = at[len];

			/* "font-size:0px" hides, "opacity:0.9" does not */
			if ((at == flat || at[-1] == ';' || at[-1] == '"' || at[-1] == '\'') &&
			    (next == '\0' || next == ';' || next == '!' || next == 'p' ||
			     next == 'e' || next == 'r' || next == '%'))
				return 1;
			at += len;
		}
	}
	return 0;
}

/* Whether the opening tag at s (n bytes, to its '>') hides its element:
 * the hidden attribute, or a style that does. */
static int tag_hides(const char *s, size_t n)
{
	const char *v;
	size_t i = 1, vlen;
	char name[16];

	while (i < n && !html_space(s[i]) && s[i] != '>' && s[i] != '/')
		i++;
	while (html_attr(s, n, &i, name, &v, &vlen))
		if (!strcmp(name, "hidden") || (!strcmp(name, "style") && style_hides(v, vlen)))
			return 1;
	return 0;
}

/* Past the end tag that closes the element `name` whose content starts
 * at s, counting nested ones of the same name; n when never closed. */
static size_t skip_element(const char *s, size_t n, const char *name)
{
	size_t i = 0, len = strlen(name), p;
	const char *lt, *gt;
	int depth = 1, close;

	while (i < n && (lt = memchr(s + i, '<', n - i))) {
		i = (size_t)(lt - s);
		close = i + 1 < n && s[i + 1] == '/';
		p = i + 1 + (size_t)close;
		if (p + len <= n && strncasecmp(s + p, name, len) == 0 &&
		    (p + len == n || !isalnum((unsigned char)s[p + len])) &&
		    (depth += close ? -1 : 1) == 0)
			return (gt = memchr(s + p, '>', n - p)) ? (size_t)(gt - s) + 1 : n;
		i++;
	}
	return n;
}

/* Elements that have no content: hiding one hides only itself. */
static int html_void(const char *name)
{
	static const char *const voids[] = { "br", "hr", "img", "input", "meta", "link", "wbr",
		"area", "base", "col", "embed", "source", "track" };
	size_t i;

	for (i = 0; i < sizeof voids / sizeof *voids; i++)
		if (!strcmp(name, voids[i]))
			return 1;
	return 0;
}

/* To make another tag break the line, add it to blocks. */
char *html_to_text(const char *s, size_t n, size_t *len)
{
	static const char *const blocks[] = { "br", "p", "div", "tr", "li",
		"h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
		"blockquote", "pre", "hr" };
	struct buf b = { 0 }, *out = &b;
	int space = 0, newlines = 2, no_gt = 0, quoted = 0;
	size_t i = 0, k, used;
	char name[16], *res;
	const char *gt;

	while (i < n) {
		/* once a '<' has no '>' after it, none has: no rescans */
		gt = s[i] == '<' && !no_gt ? memchr(s + i, '>', n - i) : NULL;
		no_gt |= s[i] == '<' && !gt;
		if (gt) {
			html_tag_name(s + i, n - i, name);
			if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0) {
				i += 4 + skip_past(s + i + 4, n - i - 4, "-->");
			} else if (s[i + 1] != '/' && (!strcmp(name, "script") ||
				   !strcmp(name, "style") || !strcmp(name, "head") ||
				   !strcmp(name, "title") || !strcmp(name, "template"))) {
				char end[32];

				snprintf(end, sizeof end, "</%s>", name);
				i += 1 + skip_past(s + i + 1, n - i - 1, end);
			} else if (s[i + 1] != '/' && *name && tag_hides(s + i, (size_t)(gt - s - i) + 1)) {
				/* issue 14 (V11): hidden text is not shown, so not read */
				i = (size_t)(gt - s) + 1;
				if (!html_void(name) && gt[-1] != '/')
					i += skip_element(s + i, n - i, name);
			} else {
				/* issue 14 (V11): a quoted original in HTML is a
				 * blockquote; its lines get "> " as in plain text,
				 * so that quote.c and the commands see a quote */
				if (!strcmp(name, "blockquote"))
					quoted += s[i + 1] == '/' ? (quoted > 0 ? -1 : 0) : 1;
				i = (size_t)(gt - s) + 1;
			}
			for (k = 0; k < sizeof blocks / sizeof *blocks; k++) {
				if (strcmp(name, blocks[k]) == 0 && newlines < 2) {
					buf_addc(out, '\n');
					newlines++;
					space = 0;
					break;
				}
			}
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			space = 1;
			i++;
			continue;
		}
		if (space && !newlines)
			buf_addc(out, ' ');
		if (newlines && quoted)
			buf_adds(out, "> ");
		space = newlines = 0;
		if (s[i] == '&' && (used = html_entity(s + i, n - i, out))) {
			i += used;
			continue;
		}
		buf_addc(out, s[i++]);
	}
	k = b.len;
	if ((res = buf_take(&b)) && len)
		*len = k;
	return res;
}

/* ---- <meta> charset ------------------------------------------------------ */

static int html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/*
 * One attribute of a tag at s[*i..n): its name lower-cased into name (up to
 * 15 chars, longer ones cut), its value (quotes taken off) at *val, *vlen.
 * 0 at the '>' or the end.
 */
static int html_attr(const char *s, size_t n, size_t *i, char name[16],
		     const char **val, size_t *vlen)
{
	size_t k = 0;
	char q;

	while (*i < n && (html_space(s[*i]) || s[*i] == '/'))
		(*i)++;
	if (*i >= n || s[*i] == '>')
		return 0;
	for (; *i < n && !html_space(s[*i]) && s[*i] != '=' && s[*i] != '>' &&
	       s[*i] != '/'; (*i)++)
		if (k < 15)
			name[k++] = (char)(s[*i] >= 'A' && s[*i] <= 'Z' ? s[*i] | 0x20 : s[*i]);
	name[k] = '\0';
	*val = s + *i;
	*vlen = 0;
	while (*i < n && html_space(s[*i]))
		(*i)++;
	if (*i >= n || s[*i] != '=')
		return 1;		/* no value */
	for ((*i)++; *i < n && html_space(s[*i]); (*i)++)
		;
	if (*i < n && (s[*i] == '"' || s[*i] == '\'')) {
		q = s[(*i)++];
		*val = s + *i;
		while (*i < n && s[*i] != q)
			(*i)++;
		*vlen = (size_t)(s + *i - *val);
		if (*i < n)
			(*i)++;
	} else {
		*val = s + *i;
		while (*i < n && !html_space(s[*i]) && s[*i] != '>')
			(*i)++;
		*vlen = (size_t)(s + *i - *val);
	}
	return 1;
}

/* The label after "charset" (and '=') in a content value, as the standard reads it. */
static int html_content_charset(const char *v, size_t n, const char **cs, size_t *len)
{
	size_t i = 0;
	char q;

	for (; i + 7 <= n; i++) {
		if (strncasecmp(v + i, "charset", 7) != 0)
			continue;
		for (i += 7; i < n && html_space(v[i]); i++)
			;
		if (i >= n || v[i] != '=')
			continue;
		for (i++; i < n && html_space(v[i]); i++)
			;
		q = i < n && (v[i] == '"' || v[i] == '\'') ? v[i++] : 0;
		*cs = v + i;
		while (i < n && (q ? v[i] != q : !html_space(v[i]) && v[i] != ';'))
			i++;
		*len = (size_t)(v + i - *cs);
		return *len > 0;
	}
	return 0;
}

int html_meta_charset(const char *s, size_t n, char *label, size_t size)
{
	const char *v, *cs = NULL, *ct = NULL;
	size_t i = 0, vlen, cslen = 0, ctlen = 0;
	char name[16];
	int equiv;

	if (n > 1024)
		n = 1024;	/* the standard's prescan reads no further */
	while (i < n && !cs) {
		if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0) {
			i += 4 + skip_past(s + i + 4, n - i - 4, "-->");
			continue;
		}
		if (n - i < 6 || strncasecmp(s + i, "<meta", 5) != 0 ||
		    !(html_space(s[i + 5]) || s[i + 5] == '/')) {
			i++;
			continue;
		}
		i += 5;
		equiv = 0;
		ct = NULL;
		while (html_attr(s, n, &i, name, &v, &vlen)) {
			if (!strcmp(name, "charset") && vlen && !cs)
				cs = v, cslen = vlen;
			else if (!strcmp(name, "http-equiv"))
				equiv = vlen == 12 && strncasecmp(v, "content-type", 12) == 0;
			else if (!strcmp(name, "content") && !ct)
				ct = v, ctlen = vlen;
		}
		if (!cs && equiv && ct && html_content_charset(ct, ctlen, &v, &vlen))
			cs = v, cslen = vlen;
	}
	/* (no label holds a '/': "<meta charset=utf-8/>" means utf-8) */
	while (cs && cslen && (html_space(cs[cslen - 1]) || cs[cslen - 1] == '/'))
		cslen--;
	while (cs && cslen && html_space(*cs))
		cs++, cslen--;
	if (!cs || !cslen || cslen >= size)
		return -1;
	/* UTF-16 or UTF-32 text would not have shown an ASCII <meta> */
	if (cslen >= 6 && (!strncasecmp(cs, "utf-16", 6) || !strncasecmp(cs, "utf-32", 6)))
		return -1;
	memcpy(label, cs, cslen);
	label[cslen] = '\0';
	return 0;
}
