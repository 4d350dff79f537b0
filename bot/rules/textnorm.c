/*
 * textnorm.c — mail text normalised for comparing (see textnorm.h):
 * full-width ASCII to ASCII, half-width katakana to full-width with their
 * (han)dakuten joined, ASCII lower-cased, white space folded and line
 * breaks inside Japanese text joined; and the UTF-8 reading and writing
 * that needs.  One pass, one code point at a time, in the caller's buffer.
 */
#include "rules/textnorm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- UTF-8 --------------------------------------------------------------- */

/* Inline for the normalising loop, which reads every character of a report. */
static inline size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	uint32_t v, min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

size_t textnorm_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	return utf8_next(s, n, cp);
}

static inline size_t utf8_put(uint32_t cp, unsigned char *o)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t textnorm_utf8_put(uint32_t cp, unsigned char *o)
{
	return utf8_put(cp, o);
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* ---- normalising ---------------------------------------------------------- */

/* Half-width katakana U+FF61…U+FF9F as full-width (NFKC without the marks). */
static const uint16_t halfwidth_kana[] = {
	0x3002, 0x300c, 0x300d, 0x3001, 0x30fb, 0x30f2, 0x30a1, 0x30a3,	/* ｡｢｣､･ｦｧｨ */
	0x30a5, 0x30a7, 0x30a9, 0x30e3, 0x30e5, 0x30e7, 0x30c3, 0x30fc,	/* ｩｪｫｬｭｮｯｰ */
	0x30a2, 0x30a4, 0x30a6, 0x30a8, 0x30aa, 0x30ab, 0x30ad, 0x30af,	/* ｱｲｳｴｵｶｷｸ */
	0x30b1, 0x30b3, 0x30b5, 0x30b7, 0x30b9, 0x30bb, 0x30bd, 0x30bf,	/* ｹｺｻｼｽｾｿﾀ */
	0x30c1, 0x30c4, 0x30c6, 0x30c8, 0x30ca, 0x30cb, 0x30cc, 0x30cd,	/* ﾁﾂﾃﾄﾅﾆﾇﾈ */
	0x30ce, 0x30cf, 0x30d2, 0x30d5, 0x30d8, 0x30db, 0x30de, 0x30df,	/* ﾉﾊﾋﾌﾍﾎﾏﾐ */
	0x30e0, 0x30e1, 0x30e2, 0x30e4, 0x30e6, 0x30e8, 0x30e9, 0x30ea,	/* ﾑﾒﾓﾔﾕﾖﾗﾘ */
	0x30eb, 0x30ec, 0x30ed, 0x30ef, 0x30f3, 0x309b, 0x309c,		/* ﾙﾚﾛﾜﾝﾞﾟ */
};

/* Kana cp with a (semi-)voiced mark, or 0 when it takes none: カ+゛ → ガ. */
static uint32_t kana_compose(uint32_t cp, bool semi)
{
	uint32_t k = cp >= 0x3041 && cp <= 0x3096 ? cp + 0x60 : cp;	/* hiragana → katakana */
	uint32_t r = 0;

	if (k >= 0x30cf && k <= 0x30db && (k - 0x30cf) % 3 == 0)	/* ハヒフヘホ */
		r = k + (semi ? 2 : 1);
	else if (semi)
		return 0;
	else if ((k >= 0x30ab && k <= 0x30c1 && (k - 0x30ab) % 2 == 0) ||
		 k == 0x30c4 || k == 0x30c6 || k == 0x30c8)		/* カ…チ ツテト */
		r = k + 1;
	else if (k == 0x30a6)						/* ウ → ヴ */
		r = 0x30f4;
	else if (k >= 0x30ef && k <= 0x30f2 && k == cp)			/* ワヰヱヲ → ヷヸヹヺ */
		r = k + 8;
	if (!r || k == cp)
		return r;
	return r == 0x30f4 ? 0x3094 : r - 0x60;
}

void textnorm_start(struct textnorm *st)
{
	st->last_cp = 0;
	st->space = 0;
}

static inline void norm_put(struct textnorm *st, uint32_t cp)
{
	if (st->space && st->last_cp &&
	    !(st->space == 2 && st->last_cp >= 0x3000 && cp >= 0x3000))
		st->o[st->n++] = ' ';
	st->space = 0;
	st->last = st->n;
	st->last_cp = cp;
	st->n += utf8_put(cp, st->o + st->n);
}

/*
 * The bytes from p[i] that normalising keeps as they are — printable ASCII
 * but capitals, three-byte characters U+1000–EFFF but the surrogates, the
 * ideographic space and the combining (han)dakuten (U+FFxx is mapped:
 * full-width ASCII, half-width kana) — and in *last the offset of the
 * last character among them.
 */
static size_t plain_run(const unsigned char *p, size_t n, size_t i, size_t *last)
{
	/* per first byte: 1 printable ASCII but capitals; 3 the lead of a
	 * three-byte character kept (E1–EC, EE); 4 E3, kept but for U+3000,
	 * U+3099 and U+309A; 0 anything else */
	static const unsigned char kind[256] = {
		[0x21 ... 0x40] = 1, [0x5b ... 0x7e] = 1,
		[0xe1 ... 0xe2] = 3, [0xe3] = 4, [0xe4 ... 0xec] = 3, [0xee] = 3,
	};
	size_t j = i, l = i;	/* *last written once: a store through it could be p[] */

	while (j < n) {
		unsigned char k = kind[p[j]], c1, c2;

		if (k == 1) {
			l = j++;
			continue;
		}
		if (k < 3 || n - j < 3)
			break;
		c1 = p[j + 1];
		c2 = p[j + 2];
		if (((c1 ^ 0x80) | (c2 ^ 0x80)) & 0xc0)
			break;
		if (k == 4 && ((c1 == 0x80 && c2 == 0x80) || (c1 == 0x82 && (c2 == 0x99 || c2 == 0x9a))))
			break;
		l = j;
		j += 3;
	}
	*last = l - i;
	return j - i;
}

/*
 * Whitespace runs (and invalid bytes) become one space, dropped at either
 * end and where a line break falls between two Japanese characters (mail
 * wraps 顧客\n情報).  The output is never longer than the input: every
 * mapping keeps or shrinks a character.
 */
void textnorm_text(struct textnorm *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, at = 0;
	uint32_t cp, c;
	/* A copy the compiler may keep in registers: the bytes written through
	 * o could otherwise be *out itself, to be read again after each. */
	struct textnorm local = *out, *st = &local;

	while (i < n) {
		if (!st->space && (k = plain_run(p, n, i, &at)) > 0) {
			/* no white space owed: a run of characters kept as they
			 * are is copied at once, its last one remembered */
			memcpy(st->o + st->n, p + i, k);
			st->last = st->n + at;
			utf8_next(p + i + at, n - i - at, &st->last_cp);
			st->n += k;
			i += k;
			continue;
		}
		if (p[i] > ' ' && p[i] < 0x7f) {
			/* printable ASCII, most of an English report: norm_put's
			 * work with no decoding (below U+3000: no line break is
			 * dropped before it) */
			if (st->space && st->last_cp)
				st->o[st->n++] = ' ';
			st->space = 0;
			st->last = st->n;
			st->last_cp = ascii_lower(p[i]);
			st->o[st->n++] = (unsigned char)st->last_cp;
			i++;
			continue;
		}
		if (p[i] >= 0xe1 && p[i] <= 0xee && p[i] != 0xed && n - i >= 3 &&
		    (p[i + 1] & 0xc0) == 0x80 && (p[i + 2] & 0xc0) == 0x80) {
			/* three bytes, U+1000–EFFF but no surrogate: kana, kanji,
			 * CJK punctuation, most of a Japanese report, kept as
			 * they are but for the ideographic space and the
			 * combining (han)dakuten (U+FFxx is not among them) */
			cp = (uint32_t)(p[i] & 0x0f) << 12 | (uint32_t)(p[i + 1] & 0x3f) << 6 |
			     (p[i + 2] & 0x3f);
			if (cp != 0x3000 && cp != 0x3099 && cp != 0x309a) {
				norm_put(st, cp);
				i += 3;
				continue;
			}
		}
		if (!(k = utf8_next(p + i, n - i, &cp))) {
			cp = ' ';	/* an invalid byte separates, like a space */
			k = 1;
		}
		i += k;
		if (cp == '\n' || cp == '\r') {
			st->space = 2;
			continue;
		}
		if (cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v' ||
		    cp == 0xa0 || cp == 0x3000) {
			if (!st->space)
				st->space = 1;
			continue;
		}
		if (cp >= 0xff01 && cp <= 0xff5e)	/* full-width ASCII */
			cp -= 0xfee0;
		if (cp < 0x80) {
			norm_put(st, ascii_lower((unsigned char)cp));
			continue;
		}
		if (cp == 0xff9e || cp == 0xff9f || cp == 0x3099 || cp == 0x309a) {
			bool semi = cp == 0xff9f || cp == 0x309a;

			if (!st->space && st->last_cp &&
			    (c = kana_compose(st->last_cp, semi))) {
				st->n = st->last;	/* same length: U+30xx */
				norm_put(st, c);
				continue;
			}
		}
		if (cp >= 0xff61 && cp <= 0xff9f)
			cp = halfwidth_kana[cp - 0xff61];
		norm_put(st, cp);
	}
	*out = local;
}
