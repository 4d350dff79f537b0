/*
 * mime.c — the parse stage: raw RFC 5322 bytes in, a struct mail out.
 *
 * libetpan does the grammar: mailimf for the header fields, mailmime_parse
 * for the MIME tree, mailmime_part_parse for base64 / quoted-printable and
 * mailmime_encoded_phrase_parse for RFC 2047; iconv(3) converts charsets
 * (iconv_append says why not libetpan's charconv).  This file decides what
 * the bot reads: which part is the body, what counts as an attachment, how
 * unlabelled or mislabelled Japanese text becomes UTF-8, and how to get
 * something useful out of mail that breaks the rules.  A bad mail yields a
 * lossy body, never a failure, unless it has no header at all; running out
 * of memory is ERR_TEMP.
 *
 * Sections, in order: growable buffer; charsets; text clean-up (line ends,
 * HTML); input preparation; headers; the MIME tree; the entry points.
 */
#include "mime.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "digest.h"

/*
 * libetpan's parser recurses once per nested multipart or message/rfc822
 * and rescans the rest of the mail at each level: 20,000 nested multiparts
 * (1.2 MB) take 9 s and 100,000 nested messages overflow the stack.  A mail
 * with more nesting-capable Content-Type headers than this is read as
 * headers + raw text instead.
 */
#define NEST_MAX 100

/* Forwarded messages inside forwarded messages: deeper ones stay attachments. */
#define FORWARD_DEPTH_MAX 4

static const char REPLACEMENT[] = "\xef\xbf\xbd";	/* U+FFFD in UTF-8 */

/* ---- growable buffer ------------------------------------------------- */

/* Doubling, so appending n bytes in pieces costs O(n).  oom sticks. */
struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void buf_add(struct buf *b, const void *s, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->oom || n == 0)
		return;
	need = b->len + n + 1;
	if (need < n) {
		b->oom = 1;
		return;
	}
	if (need > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < need && cap <= SIZE_MAX / 2)
			cap *= 2;
		if (cap < need || !(p = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* Hands the NUL-terminated contents to the caller ("" when empty); NULL on OOM. */
static char *buf_take(struct buf *b)
{
	char *p;

	if (b->oom) {
		buf_free(b);
		return NULL;
	}
	p = b->p ? b->p : strdup("");
	memset(b, 0, sizeof *b);
	return p;
}

/* ---- charsets: bytes in some charset → UTF-8 -------------------------- */

/* Length of the well-formed UTF-8 sequence at s, or 0 (RFC 3629 table 3-7). */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;	/* overlong, surrogate, above U+10FFFF */
	return len;
}

static int utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if (!(k = utf8_seq_len((const unsigned char *)s + i, n - i)))
			return 0;
		i += k;
	}
	return 1;
}

/* Appends s, each byte that is not part of valid UTF-8 replaced by U+FFFD. */
static void utf8_append_fixed(struct buf *out, const char *s, size_t n,
			      int *lossy)
{
	size_t i = 0, start = 0, k;

	while (i < n) {
		if ((k = utf8_seq_len((const unsigned char *)s + i, n - i))) {
			i += k;
			continue;
		}
		buf_add(out, s + start, i - start);
		buf_adds(out, REPLACEMENT);
		*lossy = 1;
		start = ++i;
	}
	buf_add(out, s + start, i - start);
}

static int has_8bit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * Converts with iconv(3) and appends UTF-8.  Not libetpan's charconv():
 * in 1.9.4 it turns each bad byte into "?" and silently drops a truncated
 * sequence at the end, so a caller cannot tell a lossy body from a clean
 * one.  Here a byte iconv rejects becomes U+FFFD and sets *lossy.
 * Returns -1 (nothing appended) when iconv does not know the charset.
 */
static int iconv_append(struct buf *out, const char *from, const char *s,
			size_t n, int *lossy)
{
	char tmp[8192], *in = (char *)s, *o;
	size_t left = n, room, r;
	iconv_t cd;

	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return -1;
	while (left > 0 && !out->oom) {
		o = tmp;
		room = sizeof tmp;
		r = iconv(cd, &in, &left, &o, &room);
		buf_add(out, tmp, (size_t)(o - tmp));
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ (bad byte) or EINVAL (sequence cut off at the end) */
		buf_adds(out, REPLACEMENT);
		*lossy = 1;
		in++;
		left--;
	}
	iconv_close(cd);
	return 0;
}

/*
 * Windows writes ISO-2022-JP with CP932's extra characters (①, ㈱, NEC
 * row 13, IBM rows 89-92) that glibc's ISO-2022-JP-2 rejects.  Rewriting
 * each JIS X 0208 pair as the Shift_JIS pair for the same cell and decoding
 * that as CP932 keeps them.  JIS X 0212 (ESC $ ( D) has no CP932 form.
 */
static void jis_to_sjis(const unsigned char *s, size_t n, struct buf *out,
			int *lossy)
{
	enum { ASCII, KANJI, KANA, X0212 } mode = ASCII;
	unsigned char a, b, pair[2];
	size_t i = 0;

	while (i < n) {
		if (s[i] == 0x1b && i + 2 < n) {
			const unsigned char *e = s + i + 1;

			if (e[0] == '$' && (e[1] == 'B' || e[1] == '@'))
				mode = KANJI, i += 3;
			else if (e[0] == '$' && e[1] == '(' && i + 3 < n && e[2] == 'D')
				mode = X0212, i += 4;
			else if (e[0] == '(' && e[1] == 'I')
				mode = KANA, i += 3;
			else if (e[0] == '(')
				mode = ASCII, i += 3;
			else
				buf_addc(out, (char)s[i++]);
			continue;
		}
		a = s[i];
		b = i + 1 < n ? s[i + 1] : 0;
		if ((mode == KANJI || mode == X0212) && a >= 0x21 && a <= 0x7e &&
		    b >= 0x21 && b <= 0x7e) {
			if (mode == X0212) {
				buf_addc(out, '?');
				*lossy = 1;
			} else {
				pair[0] = (unsigned char)(((a + 1) >> 1) + (a <= 0x5e ? 0x70 : 0xb0));
				pair[1] = (unsigned char)(b + ((a & 1) ? (b < 0x60 ? 0x1f : 0x20) : 0x7e));
				buf_add(out, pair, 2);
			}
			i += 2;
		} else if (mode == KANA && a >= 0x21 && a <= 0x5f) {
			buf_addc(out, (char)(a + 0x80));
			i++;
		} else {
			buf_addc(out, (char)a);
			i++;
		}
	}
}

/* ISO-2022-JP: the standard table first, the Windows superset when it fails. */
static void iso2022jp_append(struct buf *out, const char *s, size_t n,
			     int *lossy)
{
	struct buf strict = { 0 }, sjis = { 0 };
	int bad = 0;

	if (iconv_append(&strict, "ISO-2022-JP-2", s, n, &bad) == 0 && !bad) {
		buf_add(out, strict.p, strict.len);
		buf_free(&strict);
		return;
	}
	buf_free(&strict);
	jis_to_sjis((const unsigned char *)s, n, &sjis, lossy);
	if (iconv_append(out, "CP932", sjis.p ? sjis.p : "", sjis.len, lossy) < 0)
		utf8_append_fixed(out, sjis.p ? sjis.p : "", sjis.len, lossy);
	out->oom |= sjis.oom;
	buf_free(&sjis);
}

/* Windows-1252 where it decodes (its 0x80-0x9F are letters, not controls), else Latin-1. */
static void latin1_append(struct buf *out, const char *s, size_t n, int *lossy)
{
	struct buf w = { 0 };
	int bad = 0;

	if (iconv_append(&w, "CP1252", s, n, &bad) == 0 && !bad)
		buf_add(out, w.p, w.len);
	else if (iconv_append(out, "ISO-8859-1", s, n, lossy) < 0)
		utf8_append_fixed(out, s, n, lossy);
	out->oom |= w.oom;
	buf_free(&w);
}

/*
 * Is a CP932 or EUC-JP reading of unlabelled bytes Japanese rather than
 * Latin-1 that happens to decode?  Japanese prose is full of kana
 * (U+3040-U+30FF); a kana-less one passes if its 8-bit bytes come in
 * pairs, as double-byte text does and "ção" does not.  Half-width kana do
 * not count: EUC-JP read as CP932 turns into them.
 */
static size_t kana_count(const struct buf *b)
{
	const unsigned char *u = (const unsigned char *)b->p;
	size_t i, k = 0;

	for (i = 0; i + 2 < b->len; i++)
		if (u[i] == 0xe3 && u[i + 1] >= 0x81 && u[i + 1] <= 0x83)
			k++;
	return k;
}

static int pairs_only(const char *s, size_t n)
{
	size_t i = 0, run, longest = 0;

	while (i < n) {
		for (run = 0; i < n && (unsigned char)s[i] >= 0x80; i++)
			run++;
		if (run % 2)
			return 0;
		if (run > longest)
			longest = run;
		i += !run;
	}
	return longest >= 4;
}

/*
 * Bytes without a usable label.  ISO-2022-JP is pure ASCII with escapes,
 * so it is recognised by ESC $ before the UTF-8 check would accept it as
 * is.  Then UTF-8; then Shift_JIS as Windows writes it (CP932) or EUC-JP,
 * whichever decodes cleanly and looks Japanese (both may: the one with more
 * kana wins); else Windows-1252 / Latin-1, which decode anything.
 */
/* Decodes strictly into b; 1 if every byte decoded and it reads as Japanese. */
static int japanese_try(struct buf *b, const char *charset, const char *s,
			size_t n, int pairs)
{
	int bad = 0;

	if (iconv_append(b, charset, s, n, &bad) < 0 || bad)
		return 0;
	return pairs || kana_count(b) > 0;
}

static void guess_append(struct buf *out, const char *s, size_t n, int *lossy)
{
	struct buf sjis = { 0 }, euc = { 0 };
	int sjis_ok, euc_ok, pairs;

	if (memmem(s, n, "\x1b$", 2)) {
		iso2022jp_append(out, s, n, lossy);
		return;
	}
	if (utf8_valid(s, n)) {
		buf_add(out, s, n);
		return;
	}
	pairs = pairs_only(s, n);
	sjis_ok = japanese_try(&sjis, "CP932", s, n, pairs);
	euc_ok = japanese_try(&euc, "EUC-JP-MS", s, n, pairs);
	if (sjis_ok && (!euc_ok || kana_count(&sjis) >= kana_count(&euc)))
		buf_add(out, sjis.p, sjis.len);
	else if (euc_ok)
		buf_add(out, euc.p, euc.len);
	else
		latin1_append(out, s, n, lossy);
	out->oom |= sjis.oom | euc.oom;
	buf_free(&sjis);
	buf_free(&euc);
}

/*
 * Labels as mail clients write them → the name glibc's iconv knows, or
 * NULL for "no real label: guess".  Labels not listed go to iconv as
 * written.  To add one: a row here, the target checked with `iconv -l`.
 */
static const struct {
	const char *label, *iconv;
} charset_aliases[] = {
	{ "us-ascii", NULL },		/* 8-bit text under it is common */
	{ "ascii", NULL },
	{ "unknown-8bit", NULL },
	{ "x-unknown", NULL },
	{ "unknown", NULL },
	{ "utf-8", "UTF-8" },
	{ "utf8", "UTF-8" },
	{ "iso-2022-jp", "ISO-2022-JP" },
	{ "csiso2022jp", "ISO-2022-JP" },
	{ "shift_jis", "CP932" },	/* Japanese Windows and handsets mean CP932 */
	{ "shift-jis", "CP932" },
	{ "sjis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "ms_kanji", "CP932" },
	{ "windows-31j", "CP932" },
	{ "cp932", "CP932" },
	{ "euc-jp", "EUC-JP-MS" },	/* eucJP-ms: EUC-JP plus the Windows rows */
	{ "x-euc-jp", "EUC-JP-MS" },
	{ "iso-8859-1", "CP1252" },	/* as browsers do: 0x80-0x9F are Windows' */
	{ "latin1", "CP1252" },
	{ "gb2312", "GBK" },
	{ "ks_c_5601-1987", "CP949" },
	{ "iso-8859-8-i", "ISO-8859-8" },
};

/*
 * The iconv name for a label; NULL for "no real label: guess".  Labels
 * iconv does not know with "_" ("koi8_r") are tried with "-" (in tmp).
 */
static const char *charset_name(const char *label, char tmp[64])
{
	iconv_t cd;
	size_t i;

	if (!label || !*label)
		return NULL;
	for (i = 0; i < sizeof charset_aliases / sizeof *charset_aliases; i++)
		if (strcasecmp(label, charset_aliases[i].label) == 0)
			return charset_aliases[i].iconv;
	if (!strchr(label, '_') || strlen(label) >= 64)
		return label;
	if ((cd = iconv_open("UTF-8", label)) != (iconv_t)-1) {
		iconv_close(cd);
		return label;
	}
	for (i = 0; label[i]; i++)
		tmp[i] = label[i] == '_' ? '-' : label[i];
	tmp[i] = '\0';
	return tmp;
}

/*
 * Appends n bytes labelled charset (NULL: no label) as UTF-8.  8-bit text
 * that is valid UTF-8 is UTF-8 whatever the label says: legacy charsets
 * almost never form valid multi-byte UTF-8 by chance, and clients that
 * re-encode a forwarded text to UTF-8 often keep the old label.
 */
static void charset_append(struct buf *out, const char *charset,
			   const char *s, size_t n, int *lossy)
{
	char tmp[64];
	const char *cs = charset_name(charset, tmp);

	if (!cs) {
		guess_append(out, s, n, lossy);
	} else if (strcmp(cs, "UTF-8") == 0 || (has_8bit(s, n) && utf8_valid(s, n))) {
		utf8_append_fixed(out, s, n, lossy);
	} else if (strcmp(cs, "ISO-2022-JP") == 0) {
		/* 7-bit by definition: 8-bit bytes mean a wrong label */
		if (has_8bit(s, n))
			guess_append(out, s, n, lossy);
		else
			iso2022jp_append(out, s, n, lossy);
	} else if (iconv_append(out, cs, s, n, lossy) < 0) {
		guess_append(out, s, n, lossy);
	}
}

/* ---- text clean-up ----------------------------------------------------- */

/*
 * Body text: CRLF and lone CR become LF.  NUL cannot stand in a C string
 * and carries no text (padding, UTF-16 read as bytes): it is dropped, and
 * the body counts as lossy.
 */
static void text_append(struct buf *out, const char *s, size_t n, int *lossy)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\0')
			continue;
		buf_add(out, s + start, i - start);
		if (s[i] == '\0') {
			*lossy = 1;
		} else if (i + 1 < n && s[i + 1] == '\n') {
			i++;
			buf_addc(out, '\n');
		} else {
			buf_addc(out, '\n');
		}
		start = i + 1;
	}
	buf_add(out, s + start, n - start);
}

/*
 * Header text: unfolded (CR and LF dropped), other control characters as
 * spaces, so a decoded "=0D=0A" cannot inject a header line; trimmed.
 */
static char *header_clean(const char *s)
{
	struct buf b = { 0 };
	size_t n = strlen(s), i, o = 0;
	int lossy = 0;
	char *p;

	utf8_append_fixed(&b, s, n, &lossy);
	if (b.oom || !b.p)
		return buf_take(&b);
	p = b.p;
	for (i = 0; i < b.len; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			continue;
		p[o++] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? ' ' : p[i];
	}
	while (o > 0 && p[o - 1] == ' ')
		o--;
	for (i = 0; i < o && p[i] == ' '; i++)
		;
	memmove(p, p + i, o - i);
	p[o - i] = '\0';
	b.len = o - i;
	return buf_take(&b);
}

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

/*
 * A crude HTML → text for mails with no text/plain part: tags dropped,
 * block tags become line breaks, script/style/head skipped, the common
 * entities decoded, runs of white space collapsed.  A later issue renders
 * HTML properly; this is kept apart so it can be replaced whole.
 */
static void html_to_text(const char *s, size_t n, struct buf *out)
{
	static const char *const blocks[] = { "br", "p", "div", "tr", "li",
		"h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
		"blockquote", "pre", "hr" };
	int space = 0, newlines = 2, no_gt = 0;
	size_t i = 0, k, used;
	char name[16];
	const char *gt;

	while (i < n) {
		/* once a '<' has no '>' after it, none has: no rescans */
		gt = s[i] == '<' && !no_gt ? memchr(s + i, '>', n - i) : NULL;
		no_gt |= s[i] == '<' && !gt;
		if (gt) {
			html_tag_name(s + i, n - i, name);
			if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0)
				i += 4 + skip_past(s + i + 4, n - i - 4, "-->");
			else if (s[i + 1] != '/' && (!strcmp(name, "script") ||
				 !strcmp(name, "style") || !strcmp(name, "head")))
				i += 1 + skip_past(s + i + 1, n - i - 1, !strcmp(name, "head")
					? "</head>" : name[1] == 'c' ? "</script>" : "</style>");
			else
				i = (size_t)(gt - s) + 1;
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
		space = newlines = 0;
		if (s[i] == '&' && (used = html_entity(s + i, n - i, out))) {
			i += used;
			continue;
		}
		buf_addc(out, s[i++]);
	}
}

/* ---- input preparation ------------------------------------------------- */

/* Length of the line at s including its end (LF, CRLF or lone CR). */
static size_t line_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			return i + 1;
		if (s[i] == '\r')
			return i + 1 < n && s[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return n;
}

static int line_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/*
 * Copies raw into a NUL-terminated buffer libetpan can parse.  libetpan's
 * header grammar accepts bare LF, but QP soft breaks and multipart boundary
 * lines are only reliable with CRLF, and a lone CR (old Mac mail) is no
 * line end to it at all: every line end becomes CRLF.  A UTF-8 BOM, blank
 * lines and an mbox "From " line before the header are dropped.
 */
static char *prepare_input(const char *raw, size_t len, size_t *out_len)
{
	size_t i = 0, k, n, extra = 0;
	char *buf, *o;

	if (len >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		k = line_len(raw + i, len - i);
		if (!line_blank(raw + i, k) &&
		    !(k >= 5 && memcmp(raw + i, "From ", 5) == 0))
			break;
		i += k;
	}
	for (k = i; k < len; k++)
		if ((raw[k] == '\n' && (k == i || raw[k - 1] != '\r')) ||
		    (raw[k] == '\r' && (k + 1 == len || raw[k + 1] != '\n')))
			extra++;
	n = len - i + extra;
	if (n < extra || !(buf = malloc(n + 1)))
		return NULL;
	for (o = buf; i < len; i++) {
		if (raw[i] == '\n' && (o == buf || o[-1] != '\r'))
			*o++ = '\r';
		*o++ = raw[i];
		if (raw[i] == '\r' && (i + 1 == len || raw[i + 1] != '\n'))
			*o++ = '\n';
	}
	*o = '\0';
	*out_len = (size_t)(o - buf);
	return buf;
}

/* ---- headers ----------------------------------------------------------- */

/*
 * Encoded words name charsets as bodies do ("=?shift_jis?B?...", meaning
 * CP932), so the same alias table applies: the label is rewritten before
 * libetpan's charconv sees it.  An RFC 2231 language ("=?iso-2022-jp*ja?")
 * is cut, as charconv would not know the name with it.
 */
static void header_aliases(const char *s, size_t n, struct buf *out)
{
	const char *cs;
	char label[48], tmp[64];
	size_t i = 0, j;

	while (i < n) {
		if (s[i] != '=' || i + 1 >= n || s[i + 1] != '?') {
			buf_addc(out, s[i++]);
			continue;
		}
		for (j = i + 2; j < n && j - i < sizeof label && s[j] != '?' && s[j] != ' '; j++)
			;
		if (j >= n || s[j] != '?' || j == i + 2) {
			buf_add(out, s + i, 2);
			i += 2;
			continue;
		}
		snprintf(label, sizeof label, "%.*s", (int)(j - i - 2), s + i + 2);
		label[strcspn(label, "*")] = '\0';
		cs = charset_name(label, tmp);
		buf_adds(out, "=?");
		buf_adds(out, cs ? cs : label);
		i = j;
	}
}

/*
 * Raw 8-bit header bytes (against RFC 5322, common all the same).  Clients
 * that write them mostly write them in the body's charset, so that hint
 * comes first when it decodes cleanly; then the guess as for bodies.
 */
static void header_bytes_append(struct buf *out, const char *s, size_t n,
				const char *hint)
{
	struct buf tmp = { 0 };
	const char *cs;
	char name[64];
	int bad = 0;

	cs = has_8bit(s, n) && !utf8_valid(s, n) ? charset_name(hint, name) : NULL;
	if (cs && strcmp(cs, "UTF-8") != 0 && strcmp(cs, "ISO-2022-JP") != 0 &&
	    iconv_append(&tmp, cs, s, n, &bad) == 0 && !bad)
		buf_add(out, tmp.p, tmp.len);
	else
		guess_append(out, s, n, &bad);
	out->oom |= tmp.oom;
	buf_free(&tmp);
}

/* RFC 2047 to UTF-8; hint: the charset raw 8-bit bytes are likely in. */
static char *header_decode(const char *value, const char *hint)
{
	struct buf utf8 = { 0 }, pre = { 0 }, out = { 0 };
	size_t i = 0, at, end;
	char *dec, *res;

	if (!value)
		value = "";
	/* Raw 8-bit or raw ISO-2022-JP to UTF-8 first; encoded words are
	 * ASCII and pass through unchanged. */
	header_bytes_append(&utf8, value, strlen(value), hint);
	header_aliases(utf8.p ? utf8.p : "", utf8.len, &pre);
	pre.oom |= utf8.oom;
	buf_free(&utf8);
	while (!pre.oom && i < pre.len) {
		at = i;
		dec = NULL;
		if (mailmime_encoded_phrase_parse("UTF-8", pre.p, pre.len, &i,
						  "UTF-8", &dec) == MAILIMF_NO_ERROR &&
		    i > at) {
			buf_adds(&out, dec);
			free(dec);
			continue;
		}
		free(dec);
		/* libetpan stopped at a word it cannot read (a broken or
		 * unterminated encoded word, an unknown encoding letter) and
		 * would drop the rest: keep that word as written, go on. */
		i = at;
		for (end = i + 1; end < pre.len && !strchr(" \t\r\n", pre.p[end]); end++)
			;
		/* with the white space after it, which libetpan would drop */
		while (end < pre.len && strchr(" \t\r\n", pre.p[end]))
			end++;
		buf_add(&out, pre.p + i, end - i);
		i = end;
	}
	if (pre.oom || out.oom) {
		buf_free(&pre);
		buf_free(&out);
		return NULL;
	}
	buf_free(&pre);
	res = header_clean(out.p ? out.p : "");
	buf_free(&out);
	return res;
}

char *mime_decode_header(const char *value)
{
	return header_decode(value, NULL);
}

/* An unstructured header value as written: unfolded, trimmed, valid UTF-8. */
static char *raw_value_dup(const char *v)
{
	return v ? header_clean(v) : NULL;
}

/* The first header called name in the raw (all-optional) field list. */
static const char *raw_get(const struct mailimf_fields *raw, const char *name)
{
	clistiter *c;

	for (c = clist_begin(raw->fld_list); c; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);

		if (f->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD &&
		    strcasecmp(f->fld_data.fld_optional_field->fld_name, name) == 0)
			return f->fld_data.fld_optional_field->fld_value;
	}
	return NULL;
}

/* The first parsed field of type in the envelope list. */
static struct mailimf_field *env_get(const struct mailimf_fields *env, int type)
{
	clistiter *c;

	for (c = clist_begin(env->fld_list); c; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);

		if (f->fld_type == type)
			return f;
	}
	return NULL;
}

/* What the header functions read: both field lists and the charset hint. */
struct hdrs {
	const struct mailimf_fields *env;	/* parsed (From, To, Date...) */
	const struct mailimf_fields *raw;	/* every field unparsed */
	char hint[64];				/* top-level Content-Type charset */
};

/* Fills a from a mailbox; -1 on OOM.  An empty name or address is NULL. */
static int address_set(struct mail_address *a, const char *name,
		       const char *addr, const char *hint)
{
	a->name = NULL;
	a->addr = NULL;
	if (name && !(a->name = header_decode(name, hint)))
		return -1;
	if (a->name && (a->name[0] == '\0' || strcmp(a->name, "\"\"") == 0)) {
		free(a->name);
		a->name = NULL;
	}
	if (addr && !(a->addr = header_clean(addr)))
		return -1;
	if (a->addr && a->addr[0] == '\0') {
		free(a->addr);
		a->addr = NULL;
	}
	return 0;
}

static int address_push(struct mail_address **list, size_t *n,
			const struct mailimf_mailbox *mb, const char *hint)
{
	struct mail_address *p;

	p = realloc(*list, (*n + 1) * sizeof *p);
	if (!p)
		return -1;
	*list = p;
	if (address_set(&p[*n], mb->mb_display_name, mb->mb_addr_spec, hint) < 0) {
		free(p[*n].name);
		free(p[*n].addr);
		return -1;
	}
	(*n)++;
	return 0;
}

/* Every mailbox of the To or Cc fields (all of them, groups flattened). */
static int addresses_fill(struct mail_address **list, size_t *n,
			  const struct hdrs *h, int type)
{
	clistiter *c, *a, *g;

	for (c = clist_begin(h->env->fld_list); c; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);
		struct mailimf_address_list *al;

		if (f->fld_type != type)
			continue;
		al = type == MAILIMF_FIELD_TO ? f->fld_data.fld_to->to_addr_list
					      : f->fld_data.fld_cc->cc_addr_list;
		for (a = al ? clist_begin(al->ad_list) : NULL; a; a = clist_next(a)) {
			struct mailimf_address *ad = clist_content(a);
			struct mailimf_mailbox_list *mbl;

			if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX) {
				if (address_push(list, n, ad->ad_data.ad_mailbox, h->hint) < 0)
					return -1;
				continue;
			}
			mbl = ad->ad_data.ad_group->grp_mb_list;
			for (g = mbl ? clist_begin(mbl->mb_list) : NULL; g; g = clist_next(g))
				if (address_push(list, n, clist_content(g), h->hint) < 0)
					return -1;
		}
	}
	return 0;
}

/*
 * A From libetpan could not parse (it keeps such a field as unstructured):
 * the address is what stands in the last <...>, else the word with an @,
 * and the display name is whatever precedes the <.
 */
static int from_fallback(struct mail_address *a, const char *v, const char *hint)
{
	const char *lt = strrchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL, *at;
	char *name = NULL, *addr = NULL;
	size_t b, e;
	int r = -1;

	if (gt) {
		if (!(addr = strndup(lt + 1, (size_t)(gt - lt - 1))) ||
		    !(name = strndup(v, (size_t)(lt - v))))
			goto out;
		for (e = strlen(name); e > 0 && strchr(" \t\r\n\"", name[e - 1]); e--)
			name[e - 1] = '\0';
		for (b = 0; name[b] && strchr(" \t\r\n\"", name[b]); b++)
			;
		memmove(name, name + b, strlen(name + b) + 1);
	} else if ((at = strchr(v, '@'))) {
		for (b = (size_t)(at - v); b > 0 && !strchr(" \t\r\n<(\"", v[b - 1]); b--)
			;
		for (e = (size_t)(at - v); v[e] && !strchr(" \t\r\n>),\"", v[e]); e++)
			;
		if (!(addr = strndup(v + b, e - b)))
			goto out;
	}
	r = address_set(a, name, addr, hint);
out:
	free(name);
	free(addr);
	return r;
}

/* Writes the msg-ids inside <...> of a raw value into ids (NULL: count). */
static size_t msgids_scan(const char *v, char **ids, size_t max)
{
	const char *lt, *gt;
	size_t n = 0;

	while (v && (lt = strchr(v, '<')) && (gt = strchr(lt, '>'))) {
		if (gt > lt + 1 && n < max && ids)
			ids[n] = strndup(lt + 1, (size_t)(gt - lt - 1));
		if (gt > lt + 1)
			n++;
		v = gt + 1;
	}
	return n;
}

/* A msg-id as the bot keeps it: no brackets, no white space, valid UTF-8. */
static char *msgid_dup(const char *id)
{
	char *s = header_clean(id), *o, *p;

	if (!s)
		return NULL;
	for (p = o = s; *p; p++)
		if (*p != ' ' && *p != '<' && *p != '>')
			*o++ = *p;
	*o = '\0';
	return s;
}

/* In-Reply-To / References: libetpan's list, else the <...> of the raw value. */
static int msgids_fill(char ***out, size_t *n, const clist *parsed,
		       const char *raw)
{
	size_t i, cnt = parsed ? (size_t)clist_count(parsed) : msgids_scan(raw, NULL, 0);
	clistiter *c;
	char **ids;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if (!(ids = calloc(cnt, sizeof *ids)))
		return -1;
	if (parsed) {
		for (i = 0, c = clist_begin(parsed); c; c = clist_next(c), i++)
			ids[i] = msgid_dup(clist_content(c));
	} else {
		msgids_scan(raw, ids, cnt);
		for (i = 0; i < cnt; i++) {
			char *s = ids[i] ? msgid_dup(ids[i]) : NULL;

			free(ids[i]);
			ids[i] = s;
		}
	}
	*out = ids;
	*n = cnt;
	for (i = 0; i < cnt; i++)
		if (!ids[i])
			return -1;
	return 0;
}

/* RFC 5322 date-time → seconds since the epoch, UTC; 0 if impossible. */
static time_t date_to_time(const struct mailimf_date_time *d)
{
	struct tm tm = { 0 };
	int year = d->dt_year, zone = d->dt_zone, off;
	time_t t;

	if (year < 50)
		year += 2000;		/* obs-year, RFC 5322 section 4.3 */
	else if (year < 1000)
		year += 1900;
	if (d->dt_month < 1 || d->dt_month > 12 || d->dt_day < 1 ||
	    d->dt_day > 31 || d->dt_hour < 0 || d->dt_hour > 23 ||
	    d->dt_min < 0 || d->dt_min > 59 || d->dt_sec < 0 || d->dt_sec > 60 ||
	    year > 9999)
		return 0;
	tm.tm_year = year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	/* libetpan 1.9.4 reports the obsolete zone "UT" as 1 (its TRUE) */
	if (zone == 1 || zone > 1400 || zone < -1400 || abs(zone) % 100 >= 60)
		zone = 0;
	off = (abs(zone) / 100 * 60 + abs(zone) % 100) * 60;
	return zone >= 0 ? t - off : t + off;
}

static time_t date_parse_raw(const char *v)
{
	struct mailimf_date_time *d = NULL;
	size_t i = 0;
	time_t t = 0;

	if (v && mailimf_date_time_parse(v, strlen(v), &i, &d) == MAILIMF_NO_ERROR) {
		t = date_to_time(d);
		mailimf_date_time_free(d);
	}
	return t;
}

static int from_fill(struct mail *m, const struct hdrs *h)
{
	struct mailimf_field *f = env_get(h->env, MAILIMF_FIELD_FROM);
	struct mailimf_mailbox_list *mbl = f ? f->fld_data.fld_from->frm_mb_list : NULL;
	const char *v;

	if (mbl && clist_begin(mbl->mb_list)) {
		struct mailimf_mailbox *mb = clist_content(clist_begin(mbl->mb_list));

		return address_set(&m->from, mb->mb_display_name, mb->mb_addr_spec, h->hint);
	}
	v = raw_get(h->raw, "From");
	return v ? from_fallback(&m->from, v, h->hint) : 0;
}

/* The first msg-id of In-Reply-To (libetpan's list or the raw value). */
static int msgid_first(char **out, const clist *parsed, const char *raw)
{
	char **ids;
	size_t n;
	int r;

	r = msgids_fill(&ids, &n, parsed, raw);
	*out = n > 0 ? ids[0] : NULL;
	while (n > 1)
		free(ids[--n]);
	free(ids);
	return r;
}

static int msgid_fill(struct mail *m, const struct hdrs *h)
{
	struct mailimf_field *f = env_get(h->env, MAILIMF_FIELD_MESSAGE_ID);
	const char *v = raw_get(h->raw, "Message-ID");

	if (f)
		return (m->message_id = msgid_dup(f->fld_data.fld_message_id->mid_value)) ? 0 : -1;
	if (!v)
		return 0;
	if (msgid_first(&m->message_id, NULL, v) < 0)
		return -1;
	/* no <...> at all: keep the value as the id rather than lose it */
	if (!m->message_id && !(m->message_id = msgid_dup(v)))
		return -1;
	if (!m->message_id[0]) {
		free(m->message_id);
		m->message_id = NULL;
	}
	return 0;
}

/* Everything struct mail takes from the header.  -1 only on OOM. */
static int headers_fill(struct mail *m, const struct hdrs *h)
{
	const struct mailimf_fields *env = h->env, *raw = h->raw;
	struct mailimf_field *f;
	const char *v;

	if (from_fill(m, h) < 0 ||
	    addresses_fill(&m->to, &m->n_to, h, MAILIMF_FIELD_TO) < 0 ||
	    addresses_fill(&m->cc, &m->n_cc, h, MAILIMF_FIELD_CC) < 0 ||
	    msgid_fill(m, h) < 0)
		return -1;
	if ((v = raw_get(raw, "Subject")) && !(m->subject = header_decode(v, h->hint)))
		return -1;
	if ((v = raw_get(raw, "Date")) && !(m->date_raw = raw_value_dup(v)))
		return -1;
	f = env_get(env, MAILIMF_FIELD_ORIG_DATE);
	m->date = f ? date_to_time(f->fld_data.fld_orig_date->dt_date_time)
		    : date_parse_raw(m->date_raw);

	f = env_get(env, MAILIMF_FIELD_IN_REPLY_TO);
	if (msgid_first(&m->in_reply_to, f ? f->fld_data.fld_in_reply_to->mid_list : NULL,
			f ? NULL : raw_get(raw, "In-Reply-To")) < 0)
		return -1;
	f = env_get(env, MAILIMF_FIELD_REFERENCES);
	if (msgids_fill(&m->references, &m->n_references,
			f ? f->fld_data.fld_references->mid_list : NULL,
			f ? NULL : raw_get(raw, "References")) < 0)
		return -1;

	if (((v = raw_get(raw, "Auto-Submitted")) && !(m->auto_submitted = raw_value_dup(v))) ||
	    ((v = raw_get(raw, "Precedence")) && !(m->precedence = raw_value_dup(v))) ||
	    ((v = raw_get(raw, "List-Id")) && !(m->list_id = raw_value_dup(v))) ||
	    ((v = raw_get(raw, "Return-Path")) && !(m->return_path = raw_value_dup(v))))
		return -1;
	return 0;
}

/* ---- the MIME tree ----------------------------------------------------- */

/* What one message (the mail, or a forwarded one inside it) collects. */
struct walk {
	struct mail *m;
	struct buf body;		/* the chosen text part */
	struct buf fwd;			/* forwarded messages, after the body */
	const struct mailmime *body_part;
	size_t att_cap;
	const char *hint;		/* the message's charset, for raw 8-bit names */
	int depth;			/* how deep in forwarded messages */
	int lossy;
	int oom;
	int found;			/* a body, attachment or forward was seen */
};

static int message_parse(const char *raw, size_t len, int depth,
			 struct mail *out, struct error *err);

/* A missing Content-Type means text/plain (RFC 2045 section 5.2). */
static int type_is(const struct mailmime_content *ct, int discrete,
		   const char *subtype)
{
	if (!ct)
		return discrete == MAILMIME_DISCRETE_TYPE_TEXT &&
		       strcmp(subtype, "plain") == 0;
	return ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	       ct->ct_type->tp_data.tp_discrete_type->dt_type == discrete &&
	       ct->ct_subtype && strcasecmp(ct->ct_subtype, subtype) == 0;
}

static int composite_is(const struct mailmime_content *ct, int composite)
{
	return ct && ct->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	       ct->ct_type->tp_data.tp_composite_type->ct_type == composite;
}

/* "type/subtype", lower case, as struct mail_attachment wants it. */
static char *content_type_str(const struct mailmime_content *ct)
{
	static const char *const discrete[] = { "application", "text", "image",
		"audio", "video", "application" };
	const char *type = "text", *sub = "plain";
	struct buf b = { 0 };
	size_t i;
	char *s;

	if (ct && ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		struct mailmime_discrete_type *d = ct->ct_type->tp_data.tp_discrete_type;

		type = d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION ? d->dt_extension
		     : d->dt_type >= 0 && d->dt_type <= MAILMIME_DISCRETE_TYPE_APPLICATION
		     ? discrete[d->dt_type] : "application";
	} else if (ct) {
		struct mailmime_composite_type *c = ct->ct_type->tp_data.tp_composite_type;

		type = c->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE ? "message"
		     : c->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART ? "multipart"
		     : c->ct_token;
	}
	if (ct)
		sub = ct->ct_subtype;
	buf_adds(&b, type ? type : "application");
	buf_addc(&b, '/');
	buf_adds(&b, sub ? sub : "octet-stream");
	if (!(s = buf_take(&b)))
		return NULL;
	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] | 0x20);
	return s;
}

static const char *ct_param(const struct mailmime_content *ct, const char *name)
{
	clistiter *c;

	for (c = ct && ct->ct_parameters ? clist_begin(ct->ct_parameters) : NULL;
	     c; c = clist_next(c)) {
		struct mailmime_parameter *p = clist_content(c);

		if (p->pa_name && strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

static const struct mailmime_disposition *part_disposition(const struct mailmime *p)
{
	clistiter *c;

	for (c = p->mm_mime_fields ? clist_begin(p->mm_mime_fields->fld_list) : NULL;
	     c; c = clist_next(c)) {
		struct mailmime_field *f = clist_content(c);

		if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
			return f->fld_data.fld_disposition;
	}
	return NULL;
}

/* The parameters of a part that can name a file, from both headers. */
struct named_params {
	const char *dsp_filename;		/* filename= as libetpan parsed it */
	const char *ct_name;			/* name= of Content-Type */
	struct mailmime_parameter *p[64];	/* the rest, for RFC 2231 */
	size_t n;
};

static void params_collect(const struct mailmime *p, struct named_params *np)
{
	const struct mailmime_disposition *d = part_disposition(p);
	clistiter *c;

	memset(np, 0, sizeof *np);
	np->ct_name = ct_param(p->mm_content_type, "name");
	for (c = d && d->dsp_parms ? clist_begin(d->dsp_parms) : NULL; c; c = clist_next(c)) {
		struct mailmime_disposition_parm *dp = clist_content(c);

		if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME && !np->dsp_filename)
			np->dsp_filename = dp->pa_data.pa_filename;
		else if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
			 np->n < sizeof np->p / sizeof *np->p)
			np->p[np->n++] = dp->pa_data.pa_parameter;
	}
	for (c = p->mm_content_type && p->mm_content_type->ct_parameters
		 ? clist_begin(p->mm_content_type->ct_parameters) : NULL;
	     c; c = clist_next(c))
		if (np->n < sizeof np->p / sizeof *np->p)
			np->p[np->n++] = clist_content(c);
}

/* The segment number of an RFC 2231 parameter name: "name*" -1, "name*3*" 3. */
static int rfc2231_segment(const char *pa, const char *name, int *encoded)
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
	if ((*end && strcmp(end, "*") != 0) || seg > 63)
		return -2;
	return (int)seg;
}

/* Appends an RFC 2231 value: %XX decoded when encoded, charset'lang' cut. */
static void rfc2231_piece(struct buf *b, const char *v, int encoded, int first,
			  char charset[64])
{
	const char *q1, *q2;
	size_t i;

	if (encoded && first && (q1 = strchr(v, '\'')) && (q2 = strchr(q1 + 1, '\''))) {
		snprintf(charset, 64, "%.*s", (int)(q1 - v), v);
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

/*
 * RFC 2231 file names (filename*=UTF-8''%E5%A0%B1.pdf, or split as
 * filename*0*=...; filename*1*=...): libetpan 1.9.4 does not decode them
 * and hands them over as ordinary parameters.  NULL when there is none.
 */
static char *rfc2231_value(const struct named_params *np, const char *name,
			   int *oom)
{
	const char *seg[64] = { 0 };
	int enc[64] = { 0 }, single = -1, e, k, lossy = 0;
	char charset[64] = "", *res;
	struct buf bytes = { 0 }, u = { 0 };
	size_t i;

	for (i = 0; i < np->n; i++) {
		k = rfc2231_segment(np->p[i]->pa_name, name, &e);
		if (k == -1 && single < 0)
			single = (int)i;
		else if (k >= 0 && !seg[k])
			seg[k] = np->p[i]->pa_value, enc[k] = e;
	}
	if (single >= 0)
		rfc2231_piece(&bytes, np->p[single]->pa_value, 1, 1, charset);
	for (k = 0; single < 0 && k < 64 && seg[k]; k++)
		rfc2231_piece(&bytes, seg[k], enc[k], k == 0, charset);
	*oom |= bytes.oom;
	if (!bytes.p || bytes.oom) {
		buf_free(&bytes);
		return NULL;
	}
	charset_append(&u, charset[0] ? charset : NULL, bytes.p, bytes.len, &lossy);
	res = u.oom ? NULL : header_clean(u.p ? u.p : "");
	*oom |= !res;
	buf_free(&bytes);
	buf_free(&u);
	return res;
}

/* Does the part name a file?  Cheap: nothing is decoded. */
static int part_named(const struct mailmime *p)
{
	struct named_params np;
	size_t i;
	int e;

	params_collect(p, &np);
	if (np.dsp_filename || np.ct_name)
		return 1;
	for (i = 0; i < np.n; i++)
		if (rfc2231_segment(np.p[i]->pa_name, "filename", &e) >= -1 ||
		    rfc2231_segment(np.p[i]->pa_name, "name", &e) >= -1)
			return 1;
	return 0;
}

/* The file name of a part, decoded; NULL when it has none. */
static char *part_filename(const struct mailmime *p, const char *hint, int *oom)
{
	const char *cs = ct_param(p->mm_content_type, "charset");
	struct named_params np;
	char *s;

	params_collect(p, &np);
	if ((s = rfc2231_value(&np, "filename", oom)) || *oom)
		return s;
	if (np.dsp_filename)
		return (s = header_decode(np.dsp_filename, cs ? cs : hint)) ? s : (*oom = 1, NULL);
	if ((s = rfc2231_value(&np, "name", oom)) || *oom)
		return s;
	if (np.ct_name)
		return (s = header_decode(np.ct_name, cs ? cs : hint)) ? s : (*oom = 1, NULL);
	return NULL;
}

static int disposition_attachment(const struct mailmime *p)
{
	const struct mailmime_disposition *d = part_disposition(p);

	return d && d->dsp_type &&
	       d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
}

static int part_is_attachment(const struct mailmime *p)
{
	return disposition_attachment(p) || part_named(p);
}

/*
 * The decoded bytes of a leaf.  7bit/8bit/binary are used in place (no
 * copy of a big part); otherwise *freeme is libetpan's decoded copy, for
 * mailmime_decoded_part_free.  -1 on OOM.
 */
static int part_decode(const struct mailmime *p, const char **data,
		       size_t *len, char **freeme)
{
	const struct mailmime_data *b = p->mm_body;
	size_t idx = 0;

	*freeme = NULL;
	*data = "";
	*len = 0;
	if (!b || b->dt_type != MAILMIME_DATA_TEXT || !b->dt_data.dt_text.dt_data)
		return 0;
	if (!b->dt_encoded || (b->dt_encoding != MAILMIME_MECHANISM_BASE64 &&
			       b->dt_encoding != MAILMIME_MECHANISM_QUOTED_PRINTABLE)) {
		*data = b->dt_data.dt_text.dt_data;
		*len = b->dt_data.dt_text.dt_length;
		return 0;
	}
	if (mailmime_part_parse(b->dt_data.dt_text.dt_data, b->dt_data.dt_text.dt_length,
				&idx, b->dt_encoding, freeme, len) != MAILIMF_NO_ERROR)
		return -1;
	*data = *freeme;
	return 0;
}

static void attachment_push(struct walk *w, const struct mail_attachment *a)
{
	struct mail *m = w->m;
	struct mail_attachment *p;
	size_t cap;

	if (m->n_attachments == w->att_cap) {
		cap = w->att_cap ? 2 * w->att_cap : 4;
		if (!(p = realloc(m->attachments, cap * sizeof *p))) {
			free(a->filename);
			free(a->content_type);
			w->oom = 1;
			return;
		}
		m->attachments = p;
		w->att_cap = cap;
	}
	m->attachments[m->n_attachments++] = *a;
	w->found = 1;
}

/* Records a part as an attachment; data is its decoded content. */
static void attachment_add(struct walk *w, const struct mailmime *p,
			   const char *data, size_t len)
{
	struct mail_attachment a = { 0 };

	a.filename = part_filename(p, w->hint, &w->oom);
	a.content_type = content_type_str(p->mm_content_type);
	if (!a.content_type)
		w->oom = 1;
	if (w->oom) {
		free(a.filename);
		free(a.content_type);
		return;
	}
	a.size = len;
	digest_sha256_hex(data, len, a.sha256);
	attachment_push(w, &a);
}

/*
 * The first text/<subtype> leaf that is not an attachment, outside
 * forwarded messages.  named: a leaf with a file name will do as long as
 * it is not marked "attachment".
 */
static const struct mailmime *find_text(const struct mailmime *p,
					const char *subtype, int named)
{
	const struct mailmime *r;
	clistiter *c;

	if (p->mm_type == MAILMIME_SINGLE)
		return type_is(p->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, subtype) &&
		       !(named ? disposition_attachment(p) : part_is_attachment(p)) ? p : NULL;
	if (p->mm_type != MAILMIME_MULTIPLE)
		return NULL;
	for (c = clist_begin(p->mm_data.mm_multipart.mm_mp_list); c; c = clist_next(c))
		if ((r = find_text(clist_content(c), subtype, named)))
			return r;
	return NULL;
}

/* Decodes the body part into w->body: transfer encoding, charset, HTML. */
static void body_add(struct walk *w, const struct mailmime *p)
{
	struct buf u = { 0 }, t = { 0 };
	const char *data;
	char *freeme;
	size_t len;

	w->found = 1;
	if (part_decode(p, &data, &len, &freeme) < 0) {
		w->oom = 1;
		return;
	}
	charset_append(&u, ct_param(p->mm_content_type, "charset"), data, len, &w->lossy);
	if (type_is(p->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, "html")) {
		html_to_text(u.p ? u.p : "", u.len, &t);
		text_append(&w->body, t.p ? t.p : "", t.len, &w->lossy);
	} else {
		text_append(&w->body, u.p ? u.p : "", u.len, &w->lossy);
	}
	w->oom |= u.oom | t.oom;
	buf_free(&u);
	buf_free(&t);
	mailmime_decoded_part_free(freeme);
}

/* Starts a new line in b unless it is empty or already at one. */
static void line_break(struct buf *b)
{
	if (b->len && b->p[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

/* Appends the forwarded message's header lines and text to w->fwd. */
static void forward_text(struct walk *w, const struct mail *in)
{
	struct buf *f = &w->fwd;

	line_break(f);
	buf_adds(f, "---- forwarded message ----\n");
	if (in->from.name || in->from.addr) {
		buf_adds(f, "From: ");
		buf_adds(f, in->from.name ? in->from.name : "");
		buf_adds(f, in->from.name && in->from.addr ? " <" : in->from.addr ? "<" : "");
		buf_adds(f, in->from.addr ? in->from.addr : "");
		buf_adds(f, in->from.addr ? ">\n" : "\n");
	}
	if (in->date_raw) {
		buf_adds(f, "Date: ");
		buf_adds(f, in->date_raw);
		buf_addc(f, '\n');
	}
	if (in->subject) {
		buf_adds(f, "Subject: ");
		buf_adds(f, in->subject);
		buf_addc(f, '\n');
	}
	buf_addc(f, '\n');
	buf_adds(f, in->body);
}

/*
 * A message/rfc822 part: its text joins the body after a separator line,
 * its attachments join ours.  Too deep, or not a mail at all: it stays an
 * attachment.
 */
static void forward_add(struct walk *w, const struct mailmime *p,
			const char *data, size_t len)
{
	struct mail in = { 0 };
	struct error e = { 0 };
	size_t i;

	if (w->depth >= FORWARD_DEPTH_MAX ||
	    message_parse(data, len, w->depth + 1, &in, &e) < 0) {
		if (e.cls == ERR_TEMP)
			w->oom = 1;
		else
			attachment_add(w, p, data, len);
		return;
	}
	w->found = 1;
	forward_text(w, &in);
	w->lossy |= in.body_lossy;
	for (i = 0; i < in.n_attachments && !w->oom; i++) {
		attachment_push(w, &in.attachments[i]);
		memset(&in.attachments[i], 0, sizeof in.attachments[i]);
	}
	mail_release(&in);
}

/* Every leaf but the body: attachments and forwarded messages, in order. */
static void collect(struct walk *w, const struct mailmime *p)
{
	const struct mailmime_content *ct = p->mm_content_type;
	const char *data;
	char *freeme;
	clistiter *c;
	size_t len;

	if (p->mm_type == MAILMIME_MULTIPLE) {
		for (c = clist_begin(p->mm_data.mm_multipart.mm_mp_list); c && !w->oom;
		     c = clist_next(c))
			collect(w, clist_content(c));
		return;
	}
	if ((p == w->body_part && !part_is_attachment(p)) ||
	    composite_is(ct, MAILMIME_COMPOSITE_TYPE_MULTIPART))
		return;		/* a multipart without boundary has no parts */
	if (p->mm_type == MAILMIME_SINGLE && !part_is_attachment(p) &&
	    (type_is(ct, MAILMIME_DISCRETE_TYPE_TEXT, "plain") ||
	     type_is(ct, MAILMIME_DISCRETE_TYPE_TEXT, "html")))
		return;		/* another rendering of the text, not a file */
	if (part_decode(p, &data, &len, &freeme) < 0) {
		w->oom = 1;
		return;
	}
	/* MAILMIME_MESSAGE, or message/rfc822 libetpan left whole because
	 * it was base64 or quoted-printable encoded */
	if (p->mm_type == MAILMIME_MESSAGE ||
	    (composite_is(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE) &&
	     ct->ct_subtype && strcasecmp(ct->ct_subtype, "rfc822") == 0))
		forward_add(w, p, data, len);
	else
		attachment_add(w, p, data, len);
	mailmime_decoded_part_free(freeme);
}

/*
 * The body of one message: its text part first, then the rest.  With no
 * plain or HTML text, an inline text file (some clients name the body
 * part) is the text, and stays an attachment too.
 */
static void walk_tree(struct walk *w, const struct mailmime *root)
{
	if (!(w->body_part = find_text(root, "plain", 0)) &&
	    !(w->body_part = find_text(root, "html", 0)))
		w->body_part = find_text(root, "plain", 1);
	if (w->body_part)
		body_add(w, w->body_part);
	collect(w, root);
}

/*
 * The guard of NEST_MAX: counts Content-Type headers that can nest
 * (multipart/..., message/...), wherever they are, folded or not.
 */
static int nesting_ok(const char *s, size_t n)
{
	size_t i = 0, k, count = 0;
	const char *v, *end = s + n;

	while (i < n) {
		k = line_len(s + i, n - i);
		if (k > 13 && strncasecmp(s + i, "content-type:", 13) == 0) {
			for (v = s + i + 13; v < end && strchr(" \t\r\n", *v) && *v; v++)
				;
			if ((end - v >= 9 && strncasecmp(v, "multipart", 9) == 0) ||
			    (end - v >= 7 && strncasecmp(v, "message", 7) == 0))
				if (++count > NEST_MAX)
					return 0;
		}
		i += k;
	}
	return 1;
}

/* Headers + raw text, for a structure libetpan refuses or we do not try. */
static void raw_body(struct walk *w, const char *s, size_t n)
{
	struct buf u = { 0 };

	guess_append(&u, s, n, &w->lossy);
	text_append(&w->body, u.p ? u.p : "", u.len, &w->lossy);
	w->oom |= u.oom;
	buf_free(&u);
}

/* The charset of the top-level Content-Type, as a hint for raw 8-bit headers. */
static void charset_hint(const struct mailimf_fields *raw, char hint[64])
{
	const char *v = raw_get(raw, "Content-Type"), *cs;
	struct mailmime_content *ct = NULL;
	size_t i = 0;

	hint[0] = '\0';
	if (v && mailmime_content_parse(v, strlen(v), &i, &ct) == MAILIMF_NO_ERROR) {
		if ((cs = ct_param(ct, "charset")))
			snprintf(hint, 64, "%s", cs);
		mailmime_content_free(ct);
	}
}

/* The MIME part of message_parse: fills out->body and out->attachments. */
static int body_fill(struct walk *w, const char *buf, size_t n, size_t body_at)
{
	struct mailmime *mime = NULL;
	size_t i = 0;

	if (nesting_ok(buf, n) &&
	    mailmime_parse(buf, n, &i, &mime) == MAILIMF_NO_ERROR) {
		if (mime->mm_type == MAILMIME_MESSAGE && mime->mm_data.mm_message.mm_msg_mime)
			walk_tree(w, mime->mm_data.mm_message.mm_msg_mime);
		mailmime_free(mime);
	}
	if (!w->found && !w->oom)
		raw_body(w, buf + body_at, n - body_at);
	line_break(&w->body);
	if (w->fwd.len)
		buf_add(&w->body, w->fwd.p, w->fwd.len);
	w->m->body_lossy = w->lossy;
	w->oom |= w->body.oom | w->fwd.oom;
	if (w->oom)
		return -1;
	w->m->body = buf_take(&w->body);
	return w->m->body ? 0 : -1;
}

/* ---- entry points ------------------------------------------------------ */

static int message_parse(const char *raw, size_t len, int depth,
			 struct mail *out, struct error *err)
{
	struct mailimf_fields *env = NULL, *fields = NULL;
	struct walk w = { .m = out, .depth = depth };
	struct hdrs h = { 0 };
	size_t n, i = 0, body_at;
	int r = -1;
	char *buf;

	if (!(buf = prepare_input(raw, len, &n)))
		return error_set(err, ERR_TEMP, "mime: out of memory copying a %zu-byte mail", len);
	if (mailimf_optional_fields_parse(buf, n, &i, &fields) != MAILIMF_NO_ERROR) {
		error_set(err, ERR_TEMP, "mime: out of memory parsing the header");
		goto out;
	}
	if (clist_count(fields->fld_list) == 0) {
		error_set(err, ERR_MESSAGE, "mime: %zu bytes that do not start with a "
			  "header field: not a mail", len);
		goto out;
	}
	body_at = i;
	mailimf_crlf_parse(buf, n, &body_at);
	i = 0;
	if (mailimf_envelope_and_optional_fields_parse(buf, n, &i, &env) != MAILIMF_NO_ERROR) {
		error_set(err, ERR_TEMP, "mime: out of memory parsing the header");
		goto out;
	}
	h.env = env;
	h.raw = fields;
	charset_hint(fields, h.hint);
	w.hint = h.hint;
	if (headers_fill(out, &h) < 0 || body_fill(&w, buf, n, body_at) < 0) {
		error_set(err, ERR_TEMP, "mime: out of memory for a %zu-byte mail", len);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		mail_release(out);
	buf_free(&w.body);
	buf_free(&w.fwd);
	if (env)
		mailimf_fields_free(env);
	if (fields)
		mailimf_fields_free(fields);
	free(buf);
	return r;
}

int mime_parse(const char *raw, size_t len, struct mail *out, struct error *err)
{
	if (!raw)
		len = 0;
	return message_parse(raw ? raw : "", len, 0, out, err);
}
