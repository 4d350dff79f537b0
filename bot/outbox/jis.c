/*
 * jis.c — UTF-8 to ISO-2022-JP (RFC 1468) as Windows reads it; see jis.h.
 *
 * Two steps.  jis_from_utf8() turns UTF-8 into the "EUC form", one
 * character at a time: half-width kana (with a following ﾞ or ﾟ), ¥ and
 * ‾ first become the full-width character ISO-2022-JP has, then iconv's
 * EUC-JP-MS gives the two bytes, accepted only in the rows ISO-2022-JP
 * carries.  jis_put() then writes EUC form as ISO-2022-JP, with an escape
 * into JIS X 0208 before each run of it and one back to ASCII after.
 *
 * The table is glibc's EUC-JP-MS, the Windows reading of JIS X 0208 that
 * most Japanese mail programs use for ISO-2022-JP (Microsoft's CP50221):
 * it adds NEC row 13 (①, ㈱, Ⅰ, ㍻) and maps both the JIS and the Microsoft
 * Unicode forms of a few characters (〜 U+301C and ～ U+FF5E, − and －) to
 * the same code.
 */
#include "outbox/jis.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX_LEN	75	/* RFC 2047 2: an encoded word is at most 75 */
#define JIS_WORD_OVERHEAD 18	/* "=?ISO-2022-JP?B?" + "?=" */

struct jis {
	iconv_t cd;		/* UTF-8 to EUC-JP-MS */
};

struct jis *jis_new(void)
{
	struct jis *j = malloc(sizeof *j);

	if (!j)
		return NULL;
	j->cd = iconv_open("EUC-JP-MS", "UTF-8");
	if (j->cd == (iconv_t)-1) {
		free(j);
		return NULL;
	}
	return j;
}

void jis_free(struct jis *j)
{
	if (!j)
		return;
	iconv_close(j->cd);
	free(j);
}

/* ---- UTF-8 to EUC form ---------------------------------------------------- */

size_t jis_utf8_len(const unsigned char *s)
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

/* NUL-terminated UTF-8 text appended to out in EUC form; see jis.h. */
int jis_from_utf8(struct jis *j, const char *in, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned char e[2];
	unsigned cp;
	size_t n;

	while (*s) {
		n = jis_utf8_len(s);
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
		if (jis_char(j->cd, cp, e) < 0)
			return -1;
		buf_add(out, e, 2);
	}
	return 0;
}

/* ---- EUC form to ISO-2022-JP ---------------------------------------------- */

/*
 * Writes n bytes of EUC-form text as ISO-2022-JP into b (when b is not
 * NULL): ESC $ B before each run of JIS X 0208, ESC ( B after it, so that
 * the result starts and ends in ASCII.  Returns the length written.
 */
size_t jis_put(struct buf *b, const char *s, size_t n)
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
size_t jis_word_fit(const char *s, size_t room)
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

/* The body as ISO-2022-JP lines; see jis.h. */
int jis_body(struct jis *j, const char *text, struct buf *out)
{
	struct buf euc = { 0 };
	const char *s, *end, *eol;
	size_t n;
	int rc = -1;

	if (text && jis_from_utf8(j, text, &euc) < 0)
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
	if (euc.oom)
		out->oom = true;
	free(euc.p);
	return rc;
}
