/*
 * test_jis.c — jis.c by itself: UTF-8 in, the ISO-2022-JP bytes out, for
 * ASCII, kana, kanji, NEC row 13 (①, ㈱), half-width kana with and
 * without marks, ¥ and the wave dashes; characters it lacks fail; body
 * lines start and end in ASCII, stay 7-bit and respect the 998 limit;
 * encoded words are measured with their escapes.  The expected bytes are
 * the JIS X 0208 codes (Windows CP50221 for row 13), written out here.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "lib/buf.h"
#include "outbox/jis.h"
#include "test.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define IN_JIS "\x1b$B"		/* ESC $ B: JIS X 0208 */
#define IN_ASCII "\x1b(B"	/* ESC ( B: ASCII */

/* in as ISO-2022-JP (jis_from_utf8, then jis_put); NULL when it fails. */
static char *encode(struct jis *j, const char *in)
{
	struct buf euc = { 0 }, out = { 0 };
	size_t measured;

	if (jis_from_utf8(j, in, &euc) < 0) {
		buf_release(&euc);
		return NULL;
	}
	measured = jis_put(NULL, euc.p ? euc.p : "", euc.len);
	jis_put(&out, euc.p ? euc.p : "", euc.len);
	buf_release(&euc);
	if (out.len != measured) {
		buf_release(&out);
		return strdup("(jis_put(NULL) measured a different length)");
	}
	return buf_take(&out);
}

static const struct {
	const char *in, *want, *what;
} good[] = {
	{ "", "", "empty" },
	{ "Disk full on db1", "Disk full on db1", "ASCII stays ASCII, no escapes" },
	{ "あ", IN_JIS "\x24\x22" IN_ASCII, "hiragana あ is 0x2422" },
	{ "ア", IN_JIS "\x25\x22" IN_ASCII, "katakana ア is 0x2522" },
	{ "漢字", IN_JIS "\x34\x41\x3b\x7a" IN_ASCII, "kanji 漢字 is 0x3441 0x3B7A, one run" },
	{ "a漢b字", "a" IN_JIS "\x34\x41" IN_ASCII "b" IN_JIS "\x3b\x7a" IN_ASCII,
	  "each run of kanji in its own escapes" },
	{ "①", IN_JIS "\x2d\x21" IN_ASCII, "① is NEC row 13, 0x2D21" },
	{ "㈱", IN_JIS "\x2d\x6a" IN_ASCII, "㈱ is NEC row 13, 0x2D6A" },
	{ "Ⅰ㍻", IN_JIS "\x2d\x35\x2d\x5f" IN_ASCII, "Ⅰ and ㍻ are row 13 too" },
	{ "ｱ", IN_JIS "\x25\x22" IN_ASCII, "half-width ｱ as full-width ア" },
	{ "ｶﾞ", IN_JIS "\x25\x2c" IN_ASCII, "ｶﾞ is one character, ガ" },
	{ "ﾄﾞ", IN_JIS "\x25\x49" IN_ASCII, "ﾄﾞ is ド" },
	{ "ﾊﾞﾊﾟ", IN_JIS "\x25\x50\x25\x51" IN_ASCII, "ﾊﾞ ﾊﾟ are バ パ" },
	{ "ｳﾞ", IN_JIS "\x25\x74" IN_ASCII, "ｳﾞ is ヴ" },
	{ "ﾜﾞ", IN_JIS "\x25\x6f\x21\x2b" IN_ASCII, "ﾜﾞ: JIS has no ヷ, so ワ and ゛" },
	{ "ｶﾟ", IN_JIS "\x25\x2b\x21\x2c" IN_ASCII, "ｶﾟ: カ and ゜" },
	{ "ﾃﾞｰﾀ", IN_JIS "\x25\x47\x21\x3c\x25\x3f" IN_ASCII, "ﾃﾞｰﾀ is データ" },
	{ "｢｣｡､", IN_JIS "\x21\x56\x21\x57\x21\x23\x21\x22" IN_ASCII,
	  "half-width punctuation as 「」。、" },
	{ "¥100", IN_JIS "\x21\x6f" IN_ASCII "100", "¥ goes full-width ￥" },
	{ "‾", IN_JIS "\x21\x31" IN_ASCII, "‾ goes full-width ￣" },
	{ "〜～", IN_JIS "\x21\x41\x21\x41" IN_ASCII, "〜 U+301C and ～ U+FF5E are both 0x2141" },
	{ "−－", IN_JIS "\x21\x5d\x21\x5d" IN_ASCII, "− U+2212 and － U+FF0D are both 0x215D" },
	{ "Ж", IN_JIS "\x27\x28" IN_ASCII, "Cyrillic Ж is in JIS X 0208 row 7, 0x2728" },
	{ "[INC-7] 顧客情報", "[INC-7] " IN_JIS "\x38\x5c\x35\x52\x3e\x70\x4a\x73" IN_ASCII,
	  "a subject: ASCII, then kanji" },
};

static const struct {
	const char *in, *what;
} bad[] = {
	{ "\xf0\x9f\x98\x80", "an emoji" },
	{ "caf\xc3\xa9", "accented Latin (JIS X 0212 only)" },
	{ "\xe9\xab\x99", "髙, an IBM extension kanji" },
	{ "\xef\xa8\x91", "﨑, an IBM extension kanji" },
	{ "\xee\x80\x80", "U+E000, the user-defined area" },
	{ "a\x1b" "b", "ESC would switch the reader's character set" },
	{ "a\x0e" "b", "SO" },
	{ "a\x0f" "b", "SI" },
	{ "a\xff" "b", "a byte that is not UTF-8" },
	{ "\xe3\x81", "a cut-short character" },
	{ "\xc0\xaf", "an overlong form" },
	{ "\xed\xa0\x80", "a surrogate" },
	{ "\xea\xb0\x80", "Hangul 가" },
};

static void test_encode(struct jis *j)
{
	char what[200];

	for (size_t i = 0; i < COUNT_OF(good); i++) {
		char *got = encode(j, good[i].in);

		snprintf(what, sizeof what, "encode: %s", good[i].what);
		CHECK_STR(got, good[i].want, what);
		free(got);
	}
	for (size_t i = 0; i < COUNT_OF(bad); i++) {
		char *got = encode(j, bad[i].in);

		snprintf(what, sizeof what, "refuse: %s", bad[i].what);
		CHECK(got == NULL, what);
		free(got);
	}
}

/* Each CRLF line: 7-bit, no lone CR or LF, starts in ASCII, ends in ASCII. */
static bool lines_balanced(const char *s, size_t n, size_t *lines)
{
	bool jis = false;

	*lines = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			return false;
		if (c == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n' || jis)
				return false;	/* a line still in JIS X 0208 */
			i++;
			(*lines)++;
			continue;
		}
		if (c == '\n')
			return false;
		if (c == 0x1b) {
			if (i + 2 < n && s[i + 1] == '$' && s[i + 2] == 'B')
				jis = true;
			else if (i + 2 < n && s[i + 1] == '(' && s[i + 2] == 'B')
				jis = false;
			else
				return false;
			i += 2;
		}
	}
	return !jis && n > 0 && s[n - 1] == '\n';
}

static void test_body(struct jis *j)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
		{ "あ\r\nb\r\nい", IN_JIS "\x24\x22" IN_ASCII "\r\nb\r\n" IN_JIS "\x24\x24" IN_ASCII "\r\n",
		  "body: every line starts and ends in ASCII; the last gets its CRLF" },
		{ "a\r\n", "a\r\n", "body: a final CRLF adds no empty line" },
		{ "a\r\n\r\nb", "a\r\n\r\nb\r\n", "body: an empty line is kept" },
		{ "漢字\r\n", IN_JIS "\x34\x41\x3b\x7a" IN_ASCII "\r\n",
		  "body: a kanji line closes before its CRLF" },
	};
	struct buf out = { 0 };
	size_t lines;
	char what[200];
	int rc;

	for (size_t i = 0; i < COUNT_OF(cases); i++) {
		out.len = 0;
		rc = jis_body(j, cases[i].in, &out);
		snprintf(what, sizeof what, "%s", cases[i].what);
		CHECK(rc == 0 && !out.oom && out.len == strlen(cases[i].want) &&
		      memcmp(out.p, cases[i].want, out.len) == 0, what);
	}

	out.len = 0;
	CHECK(jis_body(j, NULL, &out) == 0 && out.len == 0, "body: NULL is an empty body");
	out.len = 0;
	CHECK(jis_body(j, "", &out) == 0 && out.len == 0, "body: \"\" is an empty body");

	out.len = 0;
	rc = jis_body(j, "件名: ﾃｽﾄ ①\r\nDisk full 〜 ㈱\r\n\r\n漢a字b\r\nend", &out);
	CHECK(rc == 0 && lines_balanced(out.p, out.len, &lines) && lines == 5,
	      "body: mixed lines are 7-bit and balanced, escape by escape");

	out.len = 0;
	CHECK(jis_body(j, "ok\r\n\xf0\x9f\x98\x80\r\n", &out) < 0,
	      "body: a character it lacks fails the body");
	buf_release(&out);
}

/* 998 bytes a line, escapes counted (RFC 5322 2.1.1). */
static void test_body_limit(struct jis *j)
{
	struct buf in = { 0 }, out = { 0 };

	for (int i = 0; i < JIS_BODY_LINE_MAX; i++)
		buf_addc(&in, 'x');
	CHECK(jis_body(j, in.p, &out) == 0 && out.len == JIS_BODY_LINE_MAX + 2,
	      "limit: 998 ASCII bytes fit a line");
	buf_addc(&in, 'x');
	out.len = 0;
	CHECK(jis_body(j, in.p, &out) < 0, "limit: 999 ASCII bytes do not");
	buf_release(&in);

	/* 496 kanji: 992 bytes and two escapes of 3 = 998 */
	for (int i = 0; i < 496; i++)
		buf_adds(&in, "漢");
	out.len = 0;
	CHECK(jis_body(j, in.p, &out) == 0 && out.len == JIS_BODY_LINE_MAX + 2,
	      "limit: 496 kanji and their escapes fit a line");
	buf_adds(&in, "漢");
	out.len = 0;
	CHECK(jis_body(j, in.p, &out) < 0, "limit: 497 kanji do not");
	buf_adds(&in, "\r\nshort");
	out.len = 0;
	CHECK(jis_body(j, in.p, &out) < 0, "limit: one long line fails the whole body");
	buf_release(&in);
	buf_release(&out);
}

/* EUC form of s, NUL-terminated (malloc'd). */
static char *euc(struct jis *j, const char *s)
{
	struct buf b = { 0 };

	if (jis_from_utf8(j, s, &b) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* "=?ISO-2022-JP?B?" + base64 + "?=": 18 + 4 per 3 bytes or part, at most 75. */
static void test_word_fit(struct jis *j)
{
	char *ascii = euc(j, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
	char *kana = euc(j, "あいうえおかきくけこさしすせそたちつてとなにぬねの");
	char *mixed = euc(j, "aあ");

	CHECK_INT(jis_word_fit(ascii, 75), 42, "word: 42 ASCII bytes fill a 75-character word");
	CHECK_INT(jis_word_fit(ascii, 200), 42, "word: room above 75 counts as 75");
	CHECK_INT(jis_word_fit(ascii, 22), 3, "word: room 22 holds 3 ASCII bytes (4 of base64)");
	CHECK_INT(jis_word_fit(ascii, 21), 0, "word: room 21 holds none");
	CHECK_INT(jis_word_fit(kana, 75), 36, "word: 18 kana and their escapes fill a word");
	CHECK_INT(jis_word_fit(kana, 30), 2, "word: one kana is 8 bytes with escapes: room 30");
	CHECK_INT(jis_word_fit(kana, 29), 0, "word: ... and not room 29");
	CHECK_INT(jis_word_fit(kana, 34), 6, "word: three kana are 12 bytes: room 34");
	CHECK_INT(jis_word_fit(mixed, 29), 1, "word: never cuts inside a character");
	CHECK_INT(jis_word_fit("", 75), 0, "word: nothing to fit");
	free(ascii);
	free(kana);
	free(mixed);
}

int main(void)
{
	struct jis *j = jis_new();

	CHECK(j != NULL, "jis_new: the C library has EUC-JP-MS");
	if (!j)
		return test_done();
	test_encode(j);
	test_body(j);
	test_body_limit(j);
	test_word_fit(j);
	jis_free(j);
	jis_free(NULL);
	return test_done();
}
