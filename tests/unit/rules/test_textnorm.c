/*
 * test_textnorm.c — textnorm.c: full-width ASCII, half-width katakana and
 * their (han)dakuten, combining marks, ASCII case, white space and line
 * breaks inside Japanese, invalid UTF-8; text passed in pieces and in
 * several calls; the UTF-8 reader and writer.  Each output buffer is
 * exactly as long as the input, so valgrind sees a normaliser that
 * lengthens text.
 */
#include <stdint.h>
#include <stdlib.h>

#include "rules/textnorm.h"
#include "test.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* in normalised as one piece, NUL-terminated (malloc'd). */
static char *norm(const char *in, size_t len)
{
	struct textnorm st = { .o = malloc(len ? len : 1) };
	char *out;

	if (!st.o)
		return NULL;
	textnorm_start(&st);
	textnorm_text(&st, in, len);
	out = malloc(st.n + 1);
	if (out) {
		memcpy(out, st.o, st.n);
		out[st.n] = '\0';
	}
	free(st.o);
	return out;
}

static const struct {
	const char *in, *want, *what;
} cases[] = {
	{ "", "", "empty" },
	{ "plain ascii", "plain ascii", "ASCII lower case is kept" },
	/* runs copied at once (textnorm.c plain_run) end where a character changes */
	{ "顧客情報\xe3\x80\x80流出abcDEF漢字", "顧客情報 流出abcdef漢字",
	  "a run stops at U+3000 and at a capital, and goes on after" },
	{ "データヘ\xe3\x82\x99ース", "データベース", "a run stops at a combining mark, which joins" },
	{ "\xe1\x80\x80\xee\x80\x80\xed\x9f\xbf\xef\xbd\x81",
	  "\xe1\x80\x80\xee\x80\x80\xed\x9f\xbf" "a",
	  "the edges of the three-byte run: U+1000, U+E000 kept, U+D7FF kept, U+FF41 mapped" },
	{ "DoS Attack", "dos attack", "ASCII upper case lowered" },
	{ "\xc3\x89t\xc3\xa9", "\xc3\x89t\xc3\xa9", "only ASCII is lowered: É stays" },
	{ "ＡＢＣ１２３！＠～", "abc123!@~", "full-width ASCII U+FF01-FF5E as ASCII, lowered" },
	{ "Ｗｉｎｄｏｗｓ", "windows", "a full-width word" },
	{ "ＤｏＳ攻撃", "dos攻撃", "full-width next to kanji" },
	{ "ｶﾀｶﾅ", "カタカナ", "half-width katakana to full-width" },
	{ "｡｢｣､･ｰ", "。「」、・ー", "half-width punctuation and the long vowel mark" },
	{ "ｧｨｩｪｫｬｭｮｯ", "ァィゥェォャュョッ", "half-width small kana" },
	{ "ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ", "half-width dakuten joined: ガ行" },
	{ "ｻﾞﾀﾞﾂﾞﾃﾞﾄﾞ", "ザダヅデド", "half-width dakuten joined: ザ ダ ヅ デ ド" },
	{ "ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ", "half-width dakuten joined: バ行" },
	{ "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ", "half-width handakuten joined: パ行" },
	{ "ｳﾞ", "ヴ", "ｳﾞ is ヴ" },
	{ "ﾜﾞｦﾞ", "ヷヺ", "ﾜﾞ ｦﾞ are ヷ ヺ" },
	{ "ｱﾞ", "ア゛", "a kana that takes no dakuten keeps it apart" },
	{ "ｶﾟ", "カ゜", "handakuten on カ is kept apart" },
	{ "ﾞ", "゛", "a dakuten with nothing before it" },
	{ "ｶ ﾞ", "カ ゛", "a space between kana and mark: not joined" },
	{ "ｶﾞﾞ", "ガ゛", "a second dakuten is not joined again" },
	{ "か\xe3\x82\x99", "が", "hiragana + combining U+3099 joined" },
	{ "は\xe3\x82\x9a", "ぱ", "hiragana + combining U+309A joined" },
	{ "う\xe3\x82\x99", "ゔ", "う + U+3099 is ゔ (U+3094)" },
	{ "カ\xe3\x82\x99", "ガ", "katakana + combining U+3099 joined" },
	{ "ア\xe3\x82\x99", "ア\xe3\x82\x99", "a combining mark that cannot join stays" },
	{ "わ\xe3\x82\x99", "わ\xe3\x82\x99", "わ takes no dakuten (only katakana ワ)" },
	{ "ﾃﾞｰﾀﾍﾞｰｽ", "データベース", "a half-width word with marks" },
	{ "  lead and trail  ", "lead and trail", "no space at either end" },
	{ "a \t\f\v b", "a b", "a run of white space is one space" },
	{ "a\xc2\xa0" "b", "a b", "U+00A0 is white space" },
	{ "a　b", "a b", "U+3000 is white space" },
	{ "顧客　情報", "顧客 情報", "U+3000 between Japanese stays a space" },
	{ "顧客 情報", "顧客 情報", "a space between Japanese stays" },
	{ "顧客\n情報", "顧客情報", "a line break inside Japanese is joined" },
	{ "顧客\r\n情報", "顧客情報", "CRLF inside Japanese is joined" },
	{ "顧客 \n　情報", "顧客情報", "a run with a line break inside Japanese is joined" },
	{ "ｺｷｬｸ\nｼﾞｮｳﾎｳ", "コキャクジョウホウ", "half-width kana across a line break joined" },
	{ "customer\ndata", "customer data", "a line break between ASCII is a space" },
	{ "顧客\nDB", "顧客 db", "a line break between Japanese and ASCII is a space" },
	{ "顧客\nＤＢ", "顧客 db", "full-width ASCII after a break counts as ASCII" },
	{ "\n\n本文\n\n", "本文", "line breaks at the ends dropped" },
	{ "a\xff" "b", "a b", "an invalid byte separates like a space" },
	{ "a\xc0\xaf" "b", "a b", "an overlong form is invalid" },
	{ "x\xed\xa0\x80y", "x y", "a surrogate is invalid" },
	{ "x\xf4\x90\x80\x80y", "x y", "beyond U+10FFFF is invalid" },
	{ "\xe3\x81", "", "a cut-short character at the end" },
	{ "\xf0\x9f\x98\x80 ok", "\xf0\x9f\x98\x80 ok", "4-byte characters are kept" },
};

static void test_table(void)
{
	char what[200];

	for (size_t i = 0; i < COUNT_OF(cases); i++) {
		char *got = norm(cases[i].in, strlen(cases[i].in));

		snprintf(what, sizeof what, "normalise: %s", cases[i].what);
		CHECK_STR(got, cases[i].want, what);
		free(got);
	}
}

/* What classify does: subject, its own '\n', then the body as another piece. */
static void test_pieces(void)
{
	const char *subject = "  件名：ＵＴＭ警告 ", *body = "\n本文　ｶﾞ\n";
	size_t sl = strlen(subject), bl = strlen(body);
	struct textnorm st = { .o = malloc(sl + bl + 1) };

	textnorm_start(&st);
	textnorm_text(&st, subject, sl);
	st.o[st.n++] = '\n';
	textnorm_start(&st);
	textnorm_text(&st, body, bl);
	CHECK(st.n == strlen("件名:utm警告\n本文 ガ") &&
	      memcmp(st.o, "件名:utm警告\n本文 ガ", st.n) == 0,
	      "pieces: white space at the ends dropped, the caller's byte kept");

	/* a mark at the start of a piece does not join the last piece's kana */
	st.n = 0;
	textnorm_start(&st);
	textnorm_text(&st, "ｶ", strlen("ｶ"));
	st.o[st.n++] = '\n';
	textnorm_start(&st);
	textnorm_text(&st, "ﾞ", strlen("ﾞ"));
	CHECK(st.n == strlen("カ\n゛") && memcmp(st.o, "カ\n゛", st.n) == 0,
	      "pieces: a mark starting a piece stays apart");
	free(st.o);

	/* one piece in several calls reads as one call */
	st.o = malloc(64);
	st.n = 0;
	textnorm_start(&st);
	textnorm_text(&st, "ｶ", strlen("ｶ"));
	textnorm_text(&st, "ﾞ", strlen("ﾞ"));
	textnorm_text(&st, "A ", 2);
	textnorm_text(&st, "B\n", 2);
	textnorm_text(&st, "情報\n", strlen("情報\n"));
	CHECK(st.n == strlen("ガa b 情報") && memcmp(st.o, "ガa b 情報", st.n) == 0,
	      "calls: marks, spaces and line breaks carry over between calls");
	free(st.o);
}

static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t n, len;
		uint32_t cp;
		const char *what;
	} next[] = {
		{ "A", 1, 1, 0x41, "ASCII" },
		{ "\xc3\xa9", 2, 2, 0xe9, "2 bytes" },
		{ "\xe3\x81\x82", 3, 3, 0x3042, "3 bytes" },
		{ "\xf0\x9f\x98\x80", 4, 4, 0x1f600, "4 bytes" },
		{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff, "U+10FFFF" },
		{ "\x80", 1, 0, 0, "a stray continuation byte" },
		{ "\xc0\x80", 2, 0, 0, "overlong 2 bytes" },
		{ "\xe0\x80\x80", 3, 0, 0, "overlong 3 bytes" },
		{ "\xed\xa0\x80", 3, 0, 0, "a surrogate" },
		{ "\xf4\x90\x80\x80", 4, 0, 0, "beyond U+10FFFF" },
		{ "\xe3\x81\x82", 2, 0, 0, "cut short by n" },
		{ "\xe3\x41\x82", 3, 0, 0, "a bad continuation byte" },
	};
	static const uint32_t put[] = { 0, 0x7f, 0x80, 0x7ff, 0x800, 0x3042, 0xffff,
					0x10000, 0x10ffff };
	char what[120];

	for (size_t i = 0; i < COUNT_OF(next); i++) {
		uint32_t cp = 0xdead;
		size_t len = textnorm_utf8_next((const unsigned char *)next[i].s, next[i].n, &cp);

		snprintf(what, sizeof what, "utf8_next: %s", next[i].what);
		CHECK(len == next[i].len && cp == (len ? next[i].cp : 0xdead), what);
	}
	for (size_t i = 0; i < COUNT_OF(put); i++) {
		unsigned char b[4];
		uint32_t cp = 0xdead;
		size_t l = textnorm_utf8_put(put[i], b);

		snprintf(what, sizeof what, "utf8_put: U+%04X round-trips in %zu bytes",
			 (unsigned)put[i], l);
		CHECK(l == (put[i] < 0x80 ? 1u : put[i] < 0x800 ? 2u : put[i] < 0x10000 ? 3u : 4u) &&
		      textnorm_utf8_next(b, l, &cp) == l && cp == put[i], what);
	}
}

int main(void)
{
	test_table();
	test_pieces();
	test_utf8();
	return test_done();
}
