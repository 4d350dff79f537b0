/*
 * charset.c — bytes in some charset → UTF-8; see charset.h.
 *
 * iconv(3) does the tables (iconv_append says why not libetpan's
 * charconv).  This file decides what the tables are given: which name a
 * label means, when a label is wrong, how ISO-2022-JP written by Windows
 * survives, and how unlabelled Japanese is told from Latin-1.
 *
 * Sections, in order: UTF-8 validity; iconv; ISO-2022-JP; detection;
 * labels; the entry points.
 */
#include "mime/charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/utf8.h"

static const char REPLACEMENT[] = "\xef\xbf\xbd";	/* U+FFFD in UTF-8 */

/* ---- UTF-8 validity ------------------------------------------------------ */

/* Well-formed UTF-8 (RFC 3629 table 3-7: no overlong form, no surrogate,
 * nothing above U+10FFFF), as utf8_decode reads it. */
static int utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if (!(k = utf8_decode(s + i, n - i, &cp)))
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
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &cp))) {
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

/* ---- iconv --------------------------------------------------------------- */

/*
 * Converts with iconv(3) and appends UTF-8.  Not libetpan's charconv():
 * in 1.9.4 it turns each bad byte into "?" and silently drops a truncated
 * sequence at the end, so a caller cannot tell a lossy body from a clean
 * one.  Here a byte iconv rejects becomes U+FFFD and sets *lossy.
 *
 * iconv's output is checked too, not trusted: glibc (2.36) writes code
 * points above U+10FFFF as 4- to 6-byte "UTF-8" that RFC 3629 forbids, and
 * its UTF-8 and UCS-4 decoders let them through.  Any label glibc reads
 * as one of those gets there, and the alias table cannot list them all:
 * glibc drops the characters a charset name cannot hold ("utf-8\xa3",
 * found by fuzzing, and "ut!f-8" are UTF-8 to it), and takes "UTF8//",
 * "ISO-10646/UTF8/", "UCS-4" and more.  Every iconv conversion ends here,
 * so this is the one place that keeps charset.h's promise for all of
 * them: such bytes become U+FFFD and set *lossy, as a byte iconv rejects
 * does.  iconv writes whole characters only, so no sequence is cut
 * between two chunks of tmp.
 *
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
		utf8_append_fixed(out, tmp, (size_t)(o - tmp), lossy);
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

/* ---- ISO-2022-JP --------------------------------------------------------- */

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
		buf_release(&strict);
		return;
	}
	buf_release(&strict);
	jis_to_sjis((const unsigned char *)s, n, &sjis, lossy);
	if (iconv_append(out, "CP932", sjis.p ? sjis.p : "", sjis.len, lossy) < 0)
		utf8_append_fixed(out, sjis.p ? sjis.p : "", sjis.len, lossy);
	out->oom |= sjis.oom;
	buf_release(&sjis);
}

/* ---- detection ----------------------------------------------------------- */

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
	buf_release(&w);
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

/* Decodes strictly into b; 1 if every byte decoded and it reads as Japanese. */
static int japanese_try(struct buf *b, const char *charset, const char *s,
			size_t n, int pairs)
{
	int bad = 0;

	if (iconv_append(b, charset, s, n, &bad) < 0 || bad)
		return 0;
	return pairs || kana_count(b) > 0;
}

/*
 * Bytes without a usable label.  ISO-2022-JP is pure ASCII with escapes,
 * so it is recognised by ESC $ before the UTF-8 check would accept it as
 * is.  Then UTF-8; then Shift_JIS as Windows writes it (CP932) or EUC-JP,
 * whichever decodes cleanly and looks Japanese (both may: the one with more
 * kana wins); else Windows-1252 / Latin-1, which decode anything.
 */
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
	buf_release(&sjis);
	buf_release(&euc);
}

/* ---- labels -------------------------------------------------------------- */

/*
 * Labels as mail clients write them → the name glibc's iconv knows, or
 * NULL for "no real label: guess".  Labels not listed go to iconv as
 * written.  To add one: a row here, the target checked with `iconv -l`,
 * and a row in tests/unit/test_charset.c's alias table with a sample.
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

const char *charset_iconv_name(const char *label, char tmp[CHARSET_NAME_MAX])
{
	iconv_t cd;
	size_t i;

	if (!label || !*label)
		return NULL;
	for (i = 0; i < sizeof charset_aliases / sizeof *charset_aliases; i++)
		if (strcasecmp(label, charset_aliases[i].label) == 0)
			return charset_aliases[i].iconv;
	if (!strchr(label, '_') || strlen(label) >= CHARSET_NAME_MAX)
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

/* ---- entry points -------------------------------------------------------- */

/* Hands out's contents over as charset.h promises. */
static char *result(struct buf *out, size_t *len)
{
	size_t n = out->len;
	char *p = buf_take(out);

	if (p && len)
		*len = n;
	return p;
}

char *charset_to_utf8(const char *label, const char *s, size_t n,
		      size_t *len, int *lossy)
{
	struct buf out = { 0 };
	char tmp[CHARSET_NAME_MAX];
	const char *cs = charset_iconv_name(label, tmp);

	if (!cs) {
		guess_append(&out, s, n, lossy);
	} else if (strcmp(cs, "UTF-8") == 0 || (has_8bit(s, n) && utf8_valid(s, n))) {
		utf8_append_fixed(&out, s, n, lossy);
	} else if (strcmp(cs, "ISO-2022-JP") == 0) {
		/* 7-bit by definition: 8-bit bytes mean a wrong label */
		if (has_8bit(s, n))
			guess_append(&out, s, n, lossy);
		else
			iso2022jp_append(&out, s, n, lossy);
	} else if (iconv_append(&out, cs, s, n, lossy) < 0) {
		guess_append(&out, s, n, lossy);
	}
	return result(&out, len);
}

char *charset_guess_to_utf8(const char *hint, const char *s, size_t n,
			    size_t *len, int *lossy)
{
	struct buf out = { 0 }, tmp = { 0 };
	char name[CHARSET_NAME_MAX];
	const char *cs;
	int bad = 0;

	cs = has_8bit(s, n) && !utf8_valid(s, n) ? charset_iconv_name(hint, name) : NULL;
	if (cs && strcmp(cs, "UTF-8") != 0 && strcmp(cs, "ISO-2022-JP") != 0 &&
	    iconv_append(&tmp, cs, s, n, &bad) == 0 && !bad)
		buf_add(&out, tmp.p, tmp.len);
	else
		guess_append(&out, s, n, lossy);
	out.oom |= tmp.oom;
	buf_release(&tmp);
	return result(&out, len);
}
