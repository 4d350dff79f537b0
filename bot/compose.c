/*
 * compose.c — turns a struct outmsg into the bytes handed to smtp_send():
 * a minimal set of standard headers (RFC 5322), UTF-8 made 7-bit with
 * RFC 2047 encoded words, a base64 text/plain body (or, with an HTML
 * version, multipart/alternative of text and HTML), CRLF everywhere.
 * With charset "iso-2022-jp", for old Japanese mail clients, the body and
 * the encoded words are ISO-2022-JP instead (RFC 1468), when every
 * character fits; see the ISO-2022-JP section below.
 *
 * Pure: no I/O, no clock, no randomness; `date` and the offset come in.
 *
 * Safety rule: whatever the fields contain, the output has exactly the
 * headers written here.  Every header value goes through clean_text() or
 * clean_addr() first, which remove CR, LF and NUL (and, in addresses, the
 * characters that would start a second address or a comment), and every line
 * is folded so that no line exceeds 78 characters (except an address or a
 * message id longer than that, which cannot be folded).
 */
#include "compose.h"

#include "buf.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN	78	/* RFC 5322 2.1.1: SHOULD be no more than 78 */
#define WORD_MAX_LEN	75	/* RFC 2047 2: an encoded word is at most 75 */
#define WORD_OVERHEAD	12	/* "=?UTF-8?B?" + "?=" */
#define B64_LINE_LEN	76	/* RFC 2045 6.8 */
#define JIS_WORD_OVERHEAD 18	/* "=?ISO-2022-JP?B?" + "?=" */
#define JIS_BODY_LINE_MAX 998	/* RFC 5322 2.1.1: MUST be no more than 998 */

/*
 * The finished string, still owned by b (never NULL on success), and its
 * length; NULL after an allocation failure, with b released.
 */
static char *buf_finish(struct buf *b, size_t *len)
{
	if (!b->oom && !b->p)
		b->p = calloc(1, 1);
	if (b->oom || !b->p) {
		buf_release(b);
		return NULL;
	}
	if (len)
		*len = b->len;
	return b->p;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of n bytes, no line breaks. */
static void b64_add(struct buf *b, const unsigned char *s, size_t n)
{
	char out[4];

	for (; n >= 3; s += 3, n -= 3) {
		out[0] = b64_alphabet[s[0] >> 2];
		out[1] = b64_alphabet[(s[0] & 3) << 4 | s[1] >> 4];
		out[2] = b64_alphabet[(s[1] & 15) << 2 | s[2] >> 6];
		out[3] = b64_alphabet[s[2] & 63];
		buf_add(b, out, 4);
	}
	if (n) {
		out[0] = b64_alphabet[s[0] >> 2];
		out[1] = b64_alphabet[(s[0] & 3) << 4 | (n > 1 ? s[1] >> 4 : 0)];
		out[2] = n > 1 ? b64_alphabet[(s[1] & 15) << 2] : '=';
		out[3] = '=';
		buf_add(b, out, 4);
	}
}

/*
 * Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there
 * are not valid UTF-8 (stray continuation, overlong form, surrogate, > U+10FFFF,
 * truncated).  Encoded words are cut only between sequences, so that every
 * word decodes on its own (RFC 2047 5: "each encoded-word MUST represent an
 * integral number of characters").
 */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * A header value made safe: CR and LF become a space (so "a\r\nBcc: x" stays
 * one line and "two\nlines" stays readable), invalid UTF-8 becomes U+FFFD,
 * runs of whitespace at either end are dropped (a folded line must not be
 * all whitespace).  NUL cannot occur in a C string.  Returns malloc'd text.
 */
static char *clean_text(const char *in)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	struct buf b = { 0 };
	size_t n;

	while (*s) {
		if (*s == '\r' || *s == '\n') {
			buf_add(&b, " ", 1);
			s++;
		} else if ((n = utf8_seq_len(s)) > 0) {
			buf_add(&b, (const char *)s, n);
			s += n;
		} else {
			buf_add(&b, "\xef\xbf\xbd", 3);
			s++;
		}
	}
	if (!buf_finish(&b, NULL))
		return NULL;
	while (b.len > 0 && is_wsp(b.p[b.len - 1]))
		b.p[--b.len] = '\0';
	n = strspn(b.p, " \t");
	memmove(b.p, b.p + n, b.len - n + 1);
	return b.p;
}

/*
 * An address or message id made safe: drops controls, whitespace and
 * everything that would end the addr-spec or start something else — '<' '>'
 * (angle brackets are ours), ',' and ';' (a second address, group end),
 * ':' (group syntax), '(' ')' (comments).  What remains is written as is; a
 * syntactically broken address is the caller's problem, but never a header.
 */
static char *clean_addr(const char *in)
{
	const char *s = in ? in : "";
	struct buf b = { 0 };

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || strchr("<>,;:()", c))
			continue;
		buf_add(&b, s, 1);
	}
	return buf_finish(&b, NULL);
}

/* True when text can go into a header as it is: printable ASCII, no "=?". */
static bool is_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static bool needs_encoding(const char *s)
{
	/* A literal "=?" could be taken for an encoded word by a reader. */
	return !is_plain(s) || strstr(s, "=?") != NULL;
}

/*
 * ---- ISO-2022-JP (RFC 1468), for old Japanese mail clients ----
 *
 * Text is first converted into an "EUC form": ASCII bytes as they are,
 * each JIS X 0208 character as its two bytes with the high bit set
 * (0xA1–0xFE, as in EUC-JP).  Character boundaries are then obvious, so
 * encoded words are cut between characters like the UTF-8 ones, and
 * jis_put() writes any stretch of it as ISO-2022-JP that starts and ends
 * in ASCII: every encoded word and every body line decodes on its own.
 *
 * The table is glibc's EUC-JP-MS, the Windows reading of JIS X 0208 that
 * most Japanese mail programs use for ISO-2022-JP (Microsoft's CP50221):
 * it adds NEC row 13 (①, ㈱, Ⅰ, ㍻) and maps both the JIS and the Microsoft
 * Unicode forms of a few characters (〜 U+301C and ～ U+FF5E, − and －) to
 * the same code.  Strict decoders (glibc's and Python's ISO-2022-JP) cannot
 * read row 13; Windows mail programs and Thunderbird do.
 * Half-width katakana, which ISO-2022-JP does not have, become full-width
 * (ｶﾞ → ガ), as do ¥ and ‾.  Anything else that JIS X 0208 lacks — emoji,
 * accented Latin, IBM extension kanji (髙, 﨑), the user-defined area, the
 * ESC, SO and SI controls — makes jis_from_utf8() fail, and the caller
 * sends the whole message in UTF-8 instead: nothing becomes '?'.
 */

/* U+FF61..U+FF9F (half-width katakana) as full-width: U+3000 + value. */
static const unsigned char halfwidth_kana[63] = {
	0x02, 0x0c, 0x0d, 0x01, 0xfb, 0xf2, 0xa1, 0xa3,
	0xa5, 0xa7, 0xa9, 0xe3, 0xe5, 0xe7, 0xc3, 0xfc,
	0xa2, 0xa4, 0xa6, 0xa8, 0xaa, 0xab, 0xad, 0xaf,
	0xb1, 0xb3, 0xb5, 0xb7, 0xb9, 0xbb, 0xbd, 0xbf,
	0xc1, 0xc4, 0xc6, 0xc8, 0xca, 0xcb, 0xcc, 0xcd,
	0xce, 0xcf, 0xd2, 0xd5, 0xd8, 0xdb, 0xde, 0xdf,
	0xe0, 0xe1, 0xe2, 0xe4, 0xe6, 0xe8, 0xe9, 0xea,
	0xeb, 0xec, 0xed, 0xef, 0xf3, 0x9b, 0x9c,
};

/* The code point of the valid n-byte UTF-8 sequence at s. */
static unsigned utf8_decode(const unsigned char *s, size_t n)
{
	switch (n) {
	case 1:
		return s[0];
	case 2:
		return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	case 3:
		return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 |
		       (s[2] & 0x3f);
	default:
		return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
		       (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
}

/*
 * The full-width form of the character cp when ISO-2022-JP has only that
 * one, else cp.  A half-width kana takes a following ﾞ or ﾟ with it when
 * JIS X 0208 has the combination (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ; not ﾜﾞ):
 * *s then moves past the mark.
 */
static unsigned jis_fullwidth(unsigned cp, const unsigned char **s)
{
	unsigned full, mark;

	if (cp == 0xa5)
		return 0xffe5;		/* ¥ → ￥ */
	if (cp == 0x203e)
		return 0xffe3;		/* ‾ → ￣ */
	if (cp < 0xff61 || cp > 0xff9f)
		return cp;
	full = 0x3000 + halfwidth_kana[cp - 0xff61];
	/* ﾞ is EF BE 9E, ﾟ is EF BE 9F in UTF-8 */
	if ((*s)[0] != 0xef || (*s)[1] != 0xbe || ((*s)[2] != 0x9e && (*s)[2] != 0x9f))
		return full;
	mark = (*s)[2] == 0x9e ? 0xff9e : 0xff9f;
	if (mark == 0xff9e && cp == 0xff73)
		full = 0x30f4;				/* ｳﾞ → ヴ */
	else if (mark == 0xff9e && cp >= 0xff76 && cp <= 0xff84)
		full += 1;				/* ｶﾞ..ﾄﾞ → ガ..ド */
	else if (cp >= 0xff8a && cp <= 0xff8e)
		full += mark == 0xff9e ? 1 : 2;		/* ﾊﾞ → バ, ﾊﾟ → パ */
	else
		return full;
	*s += 3;
	return full;
}

/*
 * One character (cp, not ASCII) as its two EUC bytes through cd (UTF-8 to
 * EUC-JP-MS).  -1 when it has none, or one outside what ISO-2022-JP
 * carries: JIS X 0208 rows 1–8 and 16–84 plus NEC row 13.  The ¥ → '\\'
 * kind of mapping to ASCII is refused by the length check.
 */
static int jis_char(iconv_t cd, unsigned cp, unsigned char e[2])
{
	char u[4], out[8], *ip = u, *op = out;
	size_t il, ol = sizeof out;

	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		il = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		il = 3;
	} else {
		return -1;	/* beyond the BMP: never in JIS X 0208 */
	}
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0 || op - out != 2)
		return -1;
	e[0] = (unsigned char)out[0];
	e[1] = (unsigned char)out[1];
	if (e[1] < 0xa1 || e[1] > 0xfe)
		return -1;
	if ((e[0] >= 0xa1 && e[0] <= 0xa8) || e[0] == 0xad ||
	    (e[0] >= 0xb0 && e[0] <= 0xf4))
		return 0;
	return -1;
}

/*
 * NUL-terminated UTF-8 text appended to out in EUC form.  Returns 0, or
 * -1 when some character has no place in ISO-2022-JP (out then holds a
 * part); out->oom tells of memory.
 */
static int jis_from_utf8(iconv_t cd, const char *in, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char e[2];
	unsigned cp;
	size_t n;

	while (*s) {
		n = utf8_seq_len(s);
		if (n == 0)
			return -1;
		if (n == 1) {
			/* ESC, SO and SI would switch a reader's character set. */
			if (*s == 0x1b || *s == 0x0e || *s == 0x0f)
				return -1;
			buf_add(out, s, 1);
			s++;
			continue;
		}
		cp = utf8_decode(s, n);
		s += n;
		cp = jis_fullwidth(cp, &s);
		if (jis_char(cd, cp, e) < 0)
			return -1;
		buf_add(out, e, 2);
	}
	return 0;
}

/*
 * Writes n bytes of EUC-form text as ISO-2022-JP into b (when b is not
 * NULL): ESC $ B before each run of JIS X 0208, ESC ( B after it, so that
 * the result starts and ends in ASCII.  Returns the length written.
 */
static size_t jis_put(struct buf *b, const char *s, size_t n)
{
	size_t i, len = 0;
	bool kanji = false, k;
	char c;

	for (i = 0; i < n; i++) {
		k = (unsigned char)s[i] >= 0x80;
		if (k != kanji) {
			if (b)
				buf_add(b, k ? "\x1b$B" : "\x1b(B", 3);
			len += 3;
			kanji = k;
		}
		c = (char)(s[i] & 0x7f);
		if (b)
			buf_add(b, &c, 1);
		len++;
	}
	if (kanji) {
		if (b)
			buf_add(b, "\x1b(B", 3);
		len += 3;
	}
	return len;
}

/*
 * How many bytes of EUC-form text s (whole characters) fit into an
 * ISO-2022-JP encoded word of at most `room` characters, escapes counted.
 * 0 when not even one does.
 */
static size_t jis_word_fit(const char *s, size_t room)
{
	size_t n = 0, k;

	if (room > WORD_MAX_LEN)
		room = WORD_MAX_LEN;
	while (s[n]) {
		k = (unsigned char)s[n] >= 0x80 ? 2 : 1;
		if (JIS_WORD_OVERHEAD + (jis_put(NULL, s, n + k) + 2) / 3 * 4 > room)
			break;
		n += k;
	}
	return n;
}

static void add_jis_word(struct buf *b, const char *s, size_t n)
{
	struct buf raw = { 0 };

	jis_put(&raw, s, n);
	if (raw.oom) {
		b->oom = true;
	} else {
		buf_adds(b, "=?ISO-2022-JP?B?");
		b64_add(b, (const unsigned char *)raw.p, raw.len);
		buf_adds(b, "?=");
	}
	free(raw.p);
}

/*
 * The header being written: the buffer and the current column, so that each
 * token can decide whether it still fits on the line or goes on a new one.
 */
struct hdr {
	struct buf *b;
	size_t col;
	bool empty;	/* no token yet: folding here would gain nothing */
	bool jis;	/* text is in EUC form, words are ISO-2022-JP */
};

static void hdr_start(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_adds(b, name);
	buf_add(b, ":", 1);
	h->col = strlen(name) + 1;
	h->empty = true;
	h->jis = false;
}

/*
 * Appends " token", folding (CRLF before the space) when the token would
 * pass column 78 — but never right after the field name, where folding
 * would gain nothing.
 */
static void hdr_token(struct hdr *h, const char *tok, size_t n)
{
	if (h->col + 1 + n > LINE_MAX_LEN && !h->empty) {
		buf_add(h->b, "\r\n", 2);
		h->col = 0;
	}
	buf_add(h->b, " ", 1);
	buf_add(h->b, tok, n);
	h->col += 1 + n;
	h->empty = false;
}

static void hdr_end(struct hdr *h)
{
	buf_add(h->b, "\r\n", 2);
}

/*
 * How many bytes of s (whole UTF-8 characters, s is clean) fit into an
 * encoded word of at most `room` characters.  0 when not even one does.
 */
static size_t word_fit(const char *s, size_t room)
{
	size_t max_bytes, n = 0, k;

	if (room > WORD_MAX_LEN)
		room = WORD_MAX_LEN;
	if (room < WORD_OVERHEAD + 4)
		return 0;
	max_bytes = (room - WORD_OVERHEAD) / 4 * 3;
	while (s[n]) {
		k = utf8_seq_len((const unsigned char *)s + n);
		if (k == 0)
			k = 1;		/* cannot happen after clean_text() */
		if (n + k > max_bytes)
			break;
		n += k;
	}
	return n;
}

static void add_word(struct buf *b, const char *s, size_t n)
{
	buf_adds(b, "=?UTF-8?B?");
	b64_add(b, (const unsigned char *)s, n);
	buf_adds(b, "?=");
}

/*
 * Writes clean text s as encoded words into header h: the first word fills
 * what is left of the current line, then full 75-character words on
 * continuation lines.  The whitespace between adjacent encoded words is
 * ignored by decoders (RFC 2047 6.2), so the split is invisible.  With
 * h->jis, s is in EUC form and the words are ISO-2022-JP.
 */
static void hdr_words(struct hdr *h, const char *s)
{
	size_t (*fit)(const char *, size_t) = h->jis ? jis_word_fit : word_fit;
	struct buf w = { 0 };
	size_t n, room;

	while (*s) {
		room = h->col + 1 < LINE_MAX_LEN ? LINE_MAX_LEN - h->col - 1 : 0;
		n = fit(s, room);
		if (n == 0) {
			/* Nothing fits here: start a new line and retry. */
			buf_add(h->b, "\r\n", 2);
			h->col = 0;
			n = fit(s, LINE_MAX_LEN - 1);
		}
		w.len = 0;
		if (h->jis)
			add_jis_word(&w, s, n);
		else
			add_word(&w, s, n);
		if (w.oom) {
			h->b->oom = true;
			break;
		}
		hdr_token(h, w.p, w.len);
		s += n;
	}
	free(w.p);
}

/* Writes clean ASCII text as tokens split at whitespace, for folding. */
static void hdr_plain(struct hdr *h, const char *s)
{
	size_t n;

	while (*s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n)
			hdr_token(h, s, n);
		s += n;
	}
}

/* True when every whitespace-separated token fits a line of its own. */
static bool plain_fits(const char *s, size_t first_col)
{
	size_t n, col = first_col;

	while (*s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n && col + 1 + n > LINE_MAX_LEN)
			return false;
		col = 0;
		s += n;
	}
	return true;
}

/*
 * An unstructured header (Subject): as is when it is printable ASCII that can
 * be folded to 78 columns, else encoded words (ISO-2022-JP ones from EUC
 * form with jis).  Runs of spaces collapse to one — a small price for being
 * able to fold anywhere.
 */
static void add_unstructured(struct buf *b, const char *name, const char *s,
			     bool jis)
{
	struct hdr h;

	hdr_start(&h, b, name);
	h.jis = jis;
	if (!needs_encoding(s) && plain_fits(s, h.col))
		hdr_plain(&h, s);
	else
		hdr_words(&h, s);
	hdr_end(&h);
}

/* RFC 5322 atext (3.2.3): what a phrase may hold without quotes. */
static bool is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", c);
}

/*
 * A mailbox header: `name <addr>`, or just `addr` without a name.  The name
 * goes as atoms when it is plain words, as a quoted-string when it has
 * specials ("Doe, John"), as encoded words when it is not ASCII or too long
 * for the first line (encoded words fold, a quoted-string we keep whole;
 * ISO-2022-JP ones from EUC form with jis).  The <addr> moves to a
 * continuation line when it does not fit.
 */
static void add_mailbox(struct buf *b, const char *hname, const char *name,
			const char *addr, bool jis)
{
	struct buf q = { 0 };
	struct hdr h;
	const char *s;
	bool quote = false;

	hdr_start(&h, b, hname);
	h.jis = jis;
	if (!name || !*name) {
		hdr_token(&h, addr, strlen(addr));
		hdr_end(&h);
		return;
	}
	for (s = name; *s; s++)
		if (!is_atext(*s) && *s != ' ')
			quote = true;
	if (quote)
		buf_add(&q, "\"", 1);
	for (s = name; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_add(&q, "\\", 1);
		buf_add(&q, s, 1);
	}
	if (quote)
		buf_add(&q, "\"", 1);
	if (q.oom)
		goto oom;
	if (needs_encoding(name) || h.col + 1 + q.len > LINE_MAX_LEN)
		hdr_words(&h, name);
	else
		hdr_token(&h, q.p, q.len);

	q.len = 0;
	buf_add(&q, "<", 1);
	buf_adds(&q, addr);
	buf_add(&q, ">", 1);
	if (q.oom)
		goto oom;
	hdr_token(&h, q.p, q.len);
	hdr_end(&h);
	free(q.p);
	return;
oom:
	b->oom = true;
	free(q.p);
}

/* A msg-id list header: each id in brackets, folded between ids. */
static void add_ids(struct buf *b, const char *hname, const char *ids)
{
	struct buf one = { 0 };
	struct hdr h;
	const char *s = ids;
	size_t n;

	hdr_start(&h, b, hname);
	while (*s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n) {
			one.len = 0;
			buf_add(&one, "<", 1);
			buf_add(&one, s, n);
			buf_add(&one, ">", 1);
			if (one.oom) {
				b->oom = true;
				break;
			}
			hdr_token(&h, one.p, one.len);
		}
		s += n;
	}
	free(one.p);
	hdr_end(&h);
}

/*
 * The Date header, RFC 5322 3.3, with day and month names from our own
 * tables: strftime's %a and %b would follow the locale.
 */
static void add_date(struct buf *b, time_t date, int offset_min)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char line[160];	/* worst case for any int in tm, so -O2 sees no truncation */
	struct tm tm;
	time_t local;
	int off;

	/* An offset beyond ±23:59 cannot be written: fall back to UTC. */
	if (offset_min < -(23 * 60 + 59) || offset_min > 23 * 60 + 59)
		offset_min = 0;
	local = date + (time_t)offset_min * 60;
	if (!gmtime_r(&local, &tm))
		memset(&tm, 0, sizeof tm);	/* absurd time_t: 1900 rather than junk */
	off = offset_min < 0 ? -offset_min : offset_min;
	snprintf(line, sizeof line,
		 "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 offset_min < 0 ? '-' : '+', off / 60, off % 60);
	buf_adds(b, line);
}

/* Auto-Submitted is a token (RFC 3834 5); keep only token characters. */
static void add_auto_submitted(struct buf *b, const char *value)
{
	const char *s = value && *value ? value : "auto-generated";
	size_t start;

	buf_adds(b, "Auto-Submitted: ");
	start = b->len;
	for (; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-')
			buf_add(b, s, 1);
	if (!b->oom && b->len == start)
		buf_adds(b, "auto-generated");
	buf_adds(b, "\r\n");
}

/*
 * body (NULL: empty) with every line end as CRLF (RFC 2046 4.1.1: text
 * line breaks are CRLF in canonical form): CR LF, lone CR and lone LF.
 */
static void canon_crlf(struct buf *canon, const char *body)
{
	const char *s = body ? body : "";

	for (; *s; s++) {
		if (*s == '\r') {
			buf_add(canon, "\r\n", 2);
			if (s[1] == '\n')
				s++;
		} else if (*s == '\n') {
			buf_add(canon, "\r\n", 2);
		} else {
			buf_add(canon, s, 1);
		}
	}
}

/*
 * The body.  Base64 rather than quoted-printable: this bot writes mostly
 * Japanese, which QP turns into =E3=81=82 runs three times the size and no
 * more readable than base64; base64 is 4/3 the size, has no trailing-space,
 * "From " or lone-dot pitfalls, and every line is exactly 76 characters.
 * Line ends become CRLF first.
 */
static void add_body(struct buf *b, const char *body)
{
	struct buf canon = { 0 };
	size_t off, n;

	canon_crlf(&canon, body);
	if (canon.oom) {
		b->oom = true;
		return;
	}
	for (off = 0; off < canon.len; off += n) {
		n = canon.len - off;
		if (n > B64_LINE_LEN / 4 * 3)
			n = B64_LINE_LEN / 4 * 3;
		b64_add(b, (const unsigned char *)canon.p + off, n);
		buf_add(b, "\r\n", 2);
	}
	free(canon.p);
}

/*
 * The boundary of a multipart/alternative message.  "=_" cannot occur in
 * base64 (no "_", and "=" only as padding at a line's end) nor in the
 * part headers written here, so no part can contain it; the hash of the
 * message id and the texts makes it differ from the boundary of any other
 * message this one may be nested in (a forward), without randomness, so
 * the same fields give the same bytes.  FNV-1a, 64 bits.
 */
static void make_boundary(char out[40], const char *msgid, const char *text,
			  const char *html)
{
	const char *parts[3] = { msgid, text, html };
	unsigned long long h = 0xcbf29ce484222325ULL;
	const unsigned char *s;
	size_t i;

	for (i = 0; i < 3; i++) {
		for (s = (const unsigned char *)(parts[i] ? parts[i] : ""); *s; s++) {
			h ^= *s;
			h *= 0x100000001b3ULL;
		}
		h ^= 0xff;	/* separates "ab"+"c" from "a"+"bc" */
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 40, "=_incident-bot_%016llx", h);
}

/*
 * text/plain and text/html as the two parts of multipart/alternative
 * (RFC 2046 5.1.4: the plainest first, the preferred last), both UTF-8
 * base64, after the header "Content-Type: multipart/alternative".
 */
static void add_alternative(struct buf *b, const char *msgid, const char *text,
			    const char *html)
{
	char boundary[40];

	make_boundary(boundary, msgid, text, html);
	buf_adds(b, "MIME-Version: 1.0\r\n"
		    "Content-Type: multipart/alternative;\r\n"
		    " boundary=\"");
	buf_adds(b, boundary);
	buf_adds(b, "\"\r\n"
		    "\r\n"
		    "This is a message in MIME format: a text and an HTML version.\r\n"
		    "\r\n--");
	buf_adds(b, boundary);
	buf_adds(b, "\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "\r\n");
	add_body(b, text);
	buf_adds(b, "--");
	buf_adds(b, boundary);
	buf_adds(b, "\r\n"
		    "Content-Type: text/html; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "\r\n");
	add_body(b, html);
	buf_adds(b, "--");
	buf_adds(b, boundary);
	buf_adds(b, "--\r\n");
}

/*
 * The body as ISO-2022-JP lines appended to out, 7bit: each line starts and
 * ends in ASCII (RFC 1468) and ends in CRLF, the last one too.  No
 * base64: the clients this is for expect 7bit, and a line is not folded,
 * as folding would change the text.  Returns 0, or -1 when a character
 * has no place in ISO-2022-JP or a line would pass 998 bytes; out->oom
 * tells of memory.
 */
static int jis_body(iconv_t cd, const char *body, struct buf *out)
{
	struct buf canon = { 0 }, euc = { 0 };
	const char *s, *end, *eol;
	size_t n;
	int rc = -1;

	canon_crlf(&canon, body);
	if (canon.oom)
		goto done;
	if (canon.p && jis_from_utf8(cd, canon.p, &euc) < 0)
		goto done;
	if (euc.oom)
		goto done;
	/* In EUC form, CR and LF are never part of a character. */
	s = euc.p;
	end = euc.p + euc.len;
	while (s < end) {
		eol = strstr(s, "\r\n");
		n = eol ? (size_t)(eol - s) : (size_t)(end - s);
		if (jis_put(NULL, s, n) > JIS_BODY_LINE_MAX)
			goto done;
		jis_put(out, s, n);
		buf_add(out, "\r\n", 2);
		s += n + (eol ? 2 : 0);
	}
	rc = 0;
done:
	if (canon.oom || euc.oom)
		out->oom = true;
	free(canon.p);
	free(euc.p);
	return rc;
}

/* What changes in ISO-2022-JP: the header texts in EUC form, the body done. */
struct jis_fields {
	struct buf subject, from_name, to_name, body;
};

/* A text of struct jis_fields as a string ("" while the buffer is empty). */
static const char *jis_text(const struct buf *b)
{
	return b->p ? b->p : "";
}

/*
 * Fills j from the clean header texts and the body.  Returns 1 when all of
 * them fit ISO-2022-JP, 0 when the message must go in UTF-8 (a character
 * without a place, a body line over 998 bytes, an iconv without
 * EUC-JP-MS), -1 when memory ran out.  The caller releases j's buffers.
 */
static int jis_prepare(struct jis_fields *j, const char *subject,
		       const char *from_name, const char *to_name,
		       const char *body)
{
	iconv_t cd = iconv_open("EUC-JP-MS", "UTF-8");
	bool ok;

	if (cd == (iconv_t)-1)
		return 0;
	ok = jis_from_utf8(cd, subject, &j->subject) == 0 &&
	     jis_from_utf8(cd, from_name, &j->from_name) == 0 &&
	     jis_from_utf8(cd, to_name, &j->to_name) == 0 &&
	     jis_body(cd, body, &j->body) == 0;
	iconv_close(cd);
	if (j->subject.oom || j->from_name.oom || j->to_name.oom || j->body.oom)
		return -1;
	return ok;
}

char *compose_message(const struct outmsg *m, size_t *len)
{
	struct buf b = { 0 };
	char *from_addr, *from_name, *to_addr, *to_name, *reply_to, *subject;
	char *msgid, *irt, *refs, *out = NULL;
	struct jis_fields j = { 0 };
	int jis = 0;

	/*
	 * Clean everything first.  Message ids get the address treatment: a
	 * msg-id has no spaces, brackets or controls either.  References keeps
	 * its spaces (separators) but loses the rest via clean_text + add_ids.
	 */
	from_addr = clean_addr(m->from_addr);
	from_name = clean_text(m->from_name);
	to_addr = clean_addr(m->to_addr);
	to_name = clean_text(m->to_name);
	reply_to = m->reply_to ? clean_addr(m->reply_to) : NULL;
	subject = clean_text(m->subject);
	msgid = clean_addr(m->message_id);
	irt = m->in_reply_to ? clean_addr(m->in_reply_to) : NULL;
	refs = m->references ? clean_text(m->references) : NULL;
	if (!from_addr || !from_name || !to_addr || !to_name || !subject ||
	    !msgid || (m->reply_to && !reply_to) ||
	    (m->in_reply_to && !irt) || (m->references && !refs))
		goto out;
	if (refs) {
		/* Brackets and other non-id characters out; spaces stay. */
		char *r = refs, *w = refs;

		for (; *r; r++)
			if (*r == ' ' || *r == '\t' ||
			    ((unsigned char)*r > 0x20 && *r != 0x7f &&
			     !strchr("<>,;:()", *r)))
				*w++ = *r;
		*w = '\0';
	}
	/* ISO-2022-JP only when everything fits; else the whole mail is UTF-8.
	 * A mail with an HTML part is always UTF-8: the HTML declares no
	 * other charset, and the clients that need ISO-2022-JP show no HTML. */
	if (m->charset && strcasecmp(m->charset, "iso-2022-jp") == 0 && !m->html) {
		jis = jis_prepare(&j, subject, from_name, to_name, m->body);
		if (jis < 0)
			goto out;
	}

	add_date(&b, m->date, m->utc_offset_min);
	add_mailbox(&b, "From", jis ? jis_text(&j.from_name) : from_name,
		    from_addr, jis);
	add_mailbox(&b, "To", jis ? jis_text(&j.to_name) : to_name, to_addr, jis);
	if (reply_to && *reply_to)
		add_mailbox(&b, "Reply-To", NULL, reply_to, false);
	add_unstructured(&b, "Subject", jis ? jis_text(&j.subject) : subject, jis);
	if (*msgid)
		add_ids(&b, "Message-ID", msgid);
	if (irt && *irt)
		add_ids(&b, "In-Reply-To", irt);
	if (refs && refs[strspn(refs, " \t")])
		add_ids(&b, "References", refs);
	add_auto_submitted(&b, m->auto_submitted);
	if (m->html) {
		add_alternative(&b, msgid, m->body, m->html);
	} else if (jis) {
		buf_adds(&b, "MIME-Version: 1.0\r\n"
			     "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
			     "Content-Transfer-Encoding: 7bit\r\n"
			     "\r\n");
		buf_add(&b, j.body.p, j.body.len);
	} else {
		buf_adds(&b, "MIME-Version: 1.0\r\n"
			     "Content-Type: text/plain; charset=UTF-8\r\n"
			     "Content-Transfer-Encoding: base64\r\n"
			     "\r\n");
		add_body(&b, m->body);
	}
	out = buf_finish(&b, len);
	b.p = NULL;
out:
	buf_release(&j.subject);
	buf_release(&j.from_name);
	buf_release(&j.to_name);
	buf_release(&j.body);
	free(b.p);
	free(from_addr);
	free(from_name);
	free(to_addr);
	free(to_name);
	free(reply_to);
	free(subject);
	free(msgid);
	free(irt);
	free(refs);
	return out;
}

char *compose_encode_word(const char *utf8)
{
	struct buf b = { 0 };
	char *clean = clean_text(utf8);
	const char *s = clean;
	size_t n;

	if (!clean)
		return NULL;
	if (!needs_encoding(clean))
		return clean;
	/* Full-size words separated by spaces; the caller folds at the spaces. */
	while (*s) {
		n = word_fit(s, WORD_MAX_LEN);
		if (b.len)
			buf_add(&b, " ", 1);
		add_word(&b, s, n);
		s += n;
	}
	free(clean);
	return buf_finish(&b, NULL);
}
