/*
 * test_charset.c — charset.c: each alias, each Japanese encoding there and
 * back (the Windows extensions ①㈱, half-width kana), bad and truncated
 * bytes (U+FFFD and the lossy flag), detection of unlabelled and
 * mislabelled text, and the header hint.
 *
 * Expected text is written out here, not computed with charset.c; the
 * round trips encode with the system's iconv(3) and decode with charset.c.
 */
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>

#include "mime/charset.h"
#include "test.h"

#define FFFD "\xef\xbf\xbd"

/* A string literal and its length, NUL bytes included. */
#define RAW(s) s, sizeof(s) - 1

static char what_buf[256];

static const char *what(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static const char *what(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what_buf, sizeof what_buf, fmt, ap);
	va_end(ap);
	return what_buf;
}

/* Decodes with charset_to_utf8 and checks the text and the lossy flag. */
static void check_decode(const char *label, const char *in, size_t n,
			 const char *want, int want_lossy, const char *name)
{
	size_t len = 0;
	int lossy = 0;
	char *got = charset_to_utf8(label, in, n, &len, &lossy);

	CHECK_STR(got, want, what("%s: text", name));
	CHECK_INT(len, got ? strlen(got) : 0, what("%s: length", name));
	CHECK_INT(lossy, want_lossy, what("%s: lossy", name));
	free(got);
}

/* ---- aliases -------------------------------------------------------------- */

/*
 * Every row of charset.c's alias table, with a sample only the right
 * table reads as written (GBK's and CP949's extensions, Windows-1252's
 * quotes, NEC row 13).  To add an alias: a row here too.
 */
static const struct alias_case {
	const char *label, *iconv;	/* iconv NULL: detected */
	const char *in;
	size_t n;
	const char *want;
} aliases[] = {
	{ "us-ascii", NULL, RAW("\x82\xa0\x82\xa2 ok"), "あい ok" },
	{ "ascii", NULL, RAW("\xa4\xa2\xa4\xa4 ok"), "あい ok" },
	{ "unknown-8bit", NULL, RAW("caf\xe9"), "café" },
	{ "x-unknown", NULL, RAW("\xe9\x9a\x9c"), "障" },
	{ "unknown", NULL, RAW("\x1b$B>c\x1b(B"), "障" },
	{ "utf-8", "UTF-8", RAW("\xe9\x9a\x9c"), "障" },
	{ "utf8", "UTF-8", RAW("\xe9\x9a\x9c"), "障" },
	{ "iso-2022-jp", "ISO-2022-JP", RAW("\x1b$B>c32\x1b(B"), "障害" },
	{ "csiso2022jp", "ISO-2022-JP", RAW("\x1b$B>c32\x1b(B"), "障害" },
	{ "shift_jis", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "shift-jis", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "sjis", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "x-sjis", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "ms_kanji", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "windows-31j", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "cp932", "CP932", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "euc-jp", "EUC-JP-MS", RAW("\xad\xa1\xad\xea"), "①㈱" },
	{ "x-euc-jp", "EUC-JP-MS", RAW("\xad\xa1\xad\xea"), "①㈱" },
	{ "iso-8859-1", "CP1252", RAW("\x93q\x94 caf\xe9"), "“q” café" },
	{ "latin1", "CP1252", RAW("\x93q\x94 caf\xe9"), "“q” café" },
	{ "gb2312", "GBK", RAW("\xd6\xd0\xce\xc4\x81\x40"), "中文丂" },
	{ "ks_c_5601-1987", "CP949", RAW("\xc7\xd1\xb1\xdb\x81\x41"), "한글갂" },
	{ "iso-8859-8-i", "ISO-8859-8", RAW("\xf9\xec\xe5\xed"), "שלום" },
};

static void test_aliases(void)
{
	static const struct { const char *label, *iconv; } cases[] = {
		{ "Shift_JIS", "CP932" }, { "UTF-8", "UTF-8" }, { "US-ASCII", NULL },
		{ "ISO-2022-JP", "ISO-2022-JP" }, { "EUC-JP", "EUC-JP-MS" },
		{ "Windows-31J", "CP932" },
	};
	char tmp[CHARSET_NAME_MAX], longer[80];
	const char *label = "windows-1251";
	size_t i;

	for (i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		const struct alias_case *a = &aliases[i];

		CHECK_STR(charset_iconv_name(a->label, tmp), a->iconv,
			  what("alias %s: iconv name", a->label));
		check_decode(a->label, a->in, a->n, a->want, 0,
			     what("alias %s: sample", a->label));
	}
	for (i = 0; i < sizeof cases / sizeof *cases; i++)
		CHECK_STR(charset_iconv_name(cases[i].label, tmp), cases[i].iconv,
			  what("alias %s: any case", cases[i].label));
	CHECK_STR(charset_iconv_name(NULL, tmp), NULL, "label NULL: detect");
	CHECK_STR(charset_iconv_name("", tmp), NULL, "label empty: detect");
	CHECK(charset_iconv_name(label, tmp) == label, "label not in the table: as written");
	CHECK_STR(charset_iconv_name("iso_8859-2", tmp), "iso_8859-2",
		  "label with _ that iconv knows: as written");
	CHECK_STR(charset_iconv_name("koi8_r", tmp), "koi8-r", "label with _ iconv does not know: -");
	memset(longer, 'x', sizeof longer - 1);
	longer[1] = '_';
	longer[sizeof longer - 1] = '\0';
	CHECK(charset_iconv_name(longer, tmp) == longer, "label too long to rewrite: as written");
	check_decode("koi8_r", RAW("\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", 0, "koi8_r decodes as KOI8-R");
	check_decode("windows-1251", RAW("\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет", 0,
		     "label not in the table goes to iconv");
}

/* ---- Japanese ------------------------------------------------------------- */

/*
 * Bytes as Japanese mailers write them (from Python's cp932 / euc_jp
 * codecs and the JIS ↔ Shift_JIS cell mapping), and the text they hold.
 */
static const struct ja_case {
	const char *what, *label;
	const char *in;
	size_t n;
	const char *want;
} japanese[] = {
	{ "ISO-2022-JP kanji and kana", "iso-2022-jp", RAW("\x1b$B>c32$G$9\x1b(B."), "障害です." },
	{ "ISO-2022-JP JIS C 6226 escape", "iso-2022-jp", RAW("\x1b$@>c32\x1b(B"), "障害" },
	{ "ISO-2022-JP with NEC row 13", "iso-2022-jp", RAW("\x1b$B-!-j\x1b(B"), "①㈱" },
	{ "ISO-2022-JP with an IBM extension", "iso-2022-jp", RAW("\x1b$B!A|b-!\x1b(B"), "～髙①" },
	{ "ISO-2022-JP with half-width kana", "iso-2022-jp", RAW("\x1b(I123\x1b(B"), "ｱｲｳ" },
	{ "ISO-2022-JP mixed", "iso-2022-jp",
	  RAW("\x1b$B-!-j\x1b(I12\x1b$B>c32$G$9\x1b(B"), "①㈱ｱｲ障害です" },
	{ "ISO-2022-JP with JIS X 0212", "iso-2022-jp", RAW("\x1b$(D0!\x1b(B"), "丂" },
	{ "CP932 kanji and kana", "shift_jis", RAW("\x8f\xe1\x8aQ\x82\xc5\x82\xb7"), "障害です" },
	{ "CP932 NEC row 13", "shift_jis", RAW("\x87\x40\x87\x8a"), "①㈱" },
	{ "CP932 IBM extension and wave dash", "shift_jis", RAW("\x81\x60\xee\xe0"), "～髙" },
	{ "CP932 half-width kana", "shift_jis", RAW("\xb1\xb2\xb3"), "ｱｲｳ" },
	{ "EUC-JP kanji and kana", "euc-jp", RAW("\xbe\xe3\xb3\xb2\xa4\xc7\xa4\xb9"), "障害です" },
	{ "EUC-JP NEC row 13", "euc-jp", RAW("\xad\xa1\xad\xea"), "①㈱" },
	{ "EUC-JP half-width kana", "euc-jp", RAW("\x8e\xb1\x8e\xb2\x8e\xb3"), "ｱｲｳ" },
	{ "EUC-JP IBM extension", "euc-jp", RAW("\x8f\xf4\xfb"), "髙" },
};

/* text encoded by the system's iconv into `encoder`, decoded under `label` */
static const struct round_trip {
	const char *label, *encoder, *text;
} round_trips[] = {
	{ "shift_jis", "CP932", "障害です。①㈱ ｱｲｳ ～髙 PC-023" },
	{ "windows-31j", "CP932", "パスワードを書いた付箋を紛失しました。" },
	{ "euc-jp", "EUC-JP-MS", "障害です。①㈱ ｱｲｳ ～髙 PC-023" },
	{ "iso-2022-jp", "ISO-2022-JP", "障害です。対象端末: PC-EIGYO-023" },
	{ NULL, "CP932", "障害です。①㈱ ～ PC-023" },		/* detected */
	{ NULL, "EUC-JP-MS", "障害です。①㈱ ～ PC-023" },
	{ NULL, "ISO-2022-JP", "障害です。PC-023" },
};

/* s encoded into charset by iconv(3), in out (size cap); its length or 0. */
static size_t encode(const char *charset, const char *s, char *out, size_t cap)
{
	iconv_t cd = iconv_open(charset, "UTF-8");
	char *in = (char *)s, *o = out;
	size_t left = strlen(s), room = cap, r;

	if (cd == (iconv_t)-1)
		return 0;
	r = iconv(cd, &in, &left, &o, &room);
	if (r != (size_t)-1)
		r = iconv(cd, NULL, NULL, &o, &room);	/* back to ASCII */
	iconv_close(cd);
	return r == (size_t)-1 || left ? 0 : (size_t)(o - out);
}

static void test_japanese(void)
{
	char bytes[512];
	size_t i, n;

	for (i = 0; i < sizeof japanese / sizeof *japanese; i++)
		check_decode(japanese[i].label, japanese[i].in, japanese[i].n,
			     japanese[i].want, 0, japanese[i].what);
	for (i = 0; i < sizeof round_trips / sizeof *round_trips; i++) {
		const struct round_trip *t = &round_trips[i];

		n = encode(t->encoder, t->text, bytes, sizeof bytes);
		CHECK(n > 0, what("round trip %s: the system's iconv encodes", t->encoder));
		check_decode(t->label, bytes, n, t->text, 0,
			     what("round trip %s under %s", t->encoder,
				  t->label ? t->label : "no label"));
	}
}

/* ---- bad and truncated bytes ---------------------------------------------- */

static const struct bad_case {
	const char *what, *label;
	const char *in;
	size_t n;
	const char *want;
} bad[] = {
	{ "UTF-8 cut in a character", "utf-8", RAW("ab\xe3\x81"), "ab" FFFD FFFD },
	{ "UTF-8 cut after a character", "utf-8", RAW("\xe3\x81\x82\xe3"), "あ" FFFD },
	{ "UTF-8 stray byte", "utf-8", RAW("ok \xff end"), "ok " FFFD " end" },
	{ "UTF-8 overlong", "utf-8", RAW("\xc0\xaf"), FFFD FFFD },
	{ "UTF-8 surrogate", "utf-8", RAW("\xed\xa0\x80"), FFFD FFFD FFFD },
	{ "UTF-8 above U+10FFFF", "utf-8", RAW("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD },
	{ "CP932 cut", "shift_jis", RAW("\x82\xa0\x82"), "あ" FFFD },
	{ "CP932 bad byte", "shift_jis", RAW("\x82\xa0\xff\x82\xa2"), "あ" FFFD "い" },
	{ "EUC-JP cut", "euc-jp", RAW("\xa4\xa2\xa4"), "あ" FFFD },
	{ "EUC-JP half-width kana cut", "euc-jp", RAW("\xa4\xa2\x8e"), "あ" FFFD },
	{ "GBK cut", "gb2312", RAW("\xd6\xd0\xce"), "中" FFFD },
	{ "Windows-1252 has no 0x81", "latin1", RAW("a\x81z"), "a" FFFD "z" },
	{ "JIS X 0212 beside a Windows extension", "iso-2022-jp",
	  RAW("\x1b$(D0!\x1b$B-!\x1b(B"), "?①" },
	/* glibc's iconv passes code points above U+10FFFF (found by fuzzing) */
	{ "label glibc reads as UTF-8, above U+10FFFF", "utf-8\xa3",
	  RAW("\xf5\xac\x8a\x8a ok"), FFFD FFFD FFFD FFFD " ok" },
	{ "UCS-4 above U+10FFFF", "UCS-4", RAW("\x04\x00\x00\x00\x00\x00\x30\x42"),
	  FFFD FFFD FFFD FFFD FFFD FFFD "あ" },
};

static void test_bad_bytes(void)
{
	size_t i, len = 0;
	int lossy;
	char *s;

	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		check_decode(bad[i].label, bad[i].in, bad[i].n, bad[i].want, 1, bad[i].what);

	/*
	 * A JIS pair cut in half falls back to the Windows reading, which
	 * keeps the lone byte as ASCII and does not mark the text lossy; the
	 * whole characters before the cut must survive all the same.
	 */
	lossy = 0;
	s = charset_to_utf8("iso-2022-jp", RAW("\x1b$B$\"$"), &len, &lossy);
	CHECK(s && strncmp(s, "あ", strlen("あ")) == 0, "ISO-2022-JP cut in a pair: text before the cut");
	free(s);

	lossy = 1;
	s = charset_to_utf8("utf-8", RAW("clean"), NULL, &lossy);
	CHECK_STR(s, "clean", "len may be NULL");
	CHECK_INT(lossy, 1, "lossy is never cleared");
	free(s);

	lossy = 0;
	s = charset_to_utf8("utf-8", RAW("a\0b"), &len, &lossy);
	CHECK(s && len == 3 && memcmp(s, "a\0b", 4) == 0 && !lossy, "NUL passes through, counted in len");
	free(s);
	s = charset_to_utf8("shift_jis", RAW(""), &len, &lossy);
	CHECK(s && len == 0 && s[0] == '\0', "empty input: empty string");
	free(s);
}

/* ---- detection ------------------------------------------------------------ */

static const struct detect_case {
	const char *what, *label;	/* label NULL: none */
	const char *in;
	size_t n;
	const char *want;
} detect[] = {
	{ "ASCII", NULL, RAW("plain words\r\n"), "plain words\r\n" },
	{ "UTF-8", NULL, RAW("障害 report"), "障害 report" },
	{ "ISO-2022-JP", NULL, RAW("\x1b$B>c32$G$9\x1b(B"), "障害です" },
	{ "ISO-2022-JP with Windows extensions", NULL, RAW("\x1b$B-!-j\x1b(B"), "①㈱" },
	{ "CP932", NULL, RAW("\x8f\xe1\x8aQ\x82\xc5\x82\xb7"), "障害です" },
	{ "CP932 kana only", NULL, RAW("\x82\xa0\x82\xa2\x82\xa4"), "あいう" },
	{ "EUC-JP", NULL, RAW("\xbe\xe3\xb3\xb2\xa4\xc7\xa4\xb9"), "障害です" },
	{ "EUC-JP kana only", NULL, RAW("\xa4\xa2\xa4\xa4\xa4\xa6"), "あいう" },
	{ "Latin-1", NULL, RAW("Forma\xe7\xe3o, Ol\xe1"), "Formação, Olá" },
	{ "Windows-1252 quotes", NULL, RAW("\x93quoted\x94"), "“quoted”" },
	{ "Latin-1, one 8-bit pair", NULL, RAW("Gr\xfc\xdf" "e"), "Grüße" },
	{ "UTF-8 under a CP932 label", "shift_jis", RAW("障害です"), "障害です" },
	{ "UTF-8 under an ISO-2022-JP label", "iso-2022-jp", RAW("障害です"), "障害です" },
	{ "UTF-8 under a Latin-1 label", "latin1", RAW("café"), "café" },
	{ "CP932 under an ISO-2022-JP label", "iso-2022-jp",
	  RAW("\x8f\xe1\x8aQ\x82\xc5\x82\xb7"), "障害です" },
	{ "CP932 under us-ascii", "us-ascii", RAW("\x8f\xe1\x8aQ\x82\xc5\x82\xb7"), "障害です" },
	{ "EUC-JP under unknown-8bit", "unknown-8bit",
	  RAW("\xbe\xe3\xb3\xb2\xa4\xc7\xa4\xb9"), "障害です" },
	{ "Latin-1 under a label iconv does not know", "x-no-such", RAW("caf\xe9"), "café" },
};

static void test_detection(void)
{
	size_t i;

	for (i = 0; i < sizeof detect / sizeof *detect; i++)
		check_decode(detect[i].label, detect[i].in, detect[i].n, detect[i].want, 0,
			     what("detect %s", detect[i].what));
}

/* ---- the header hint ------------------------------------------------------ */

static const struct hint_case {
	const char *what, *hint;
	const char *in;
	size_t n;
	const char *want;
} hints[] = {
	{ "EUC-KR hint decodes", "euc-kr", RAW("\xc7\xd1\xb1\xdb"), "한글" },
	{ "CP932 hint where detection has too little", "shift_jis", RAW("\x8f\xe1\x8aQ"), "障害" },
	{ "UTF-8 beats the hint", "euc-kr", RAW("障害"), "障害" },
	{ "7-bit beats the hint", "euc-kr", RAW("plain"), "plain" },
	{ "hint that fails: detected", "euc-kr", RAW("\x82\xa0\x82\xa2"), "あい" },
	{ "hint iconv does not know: detected", "x-no-such",
	  RAW("\xbe\xe3\xb3\xb2\xa4\xc7\xa4\xb9"), "障害です" },
	{ "raw ISO-2022-JP", "euc-kr", RAW("\x1b$B>c32\x1b(B"), "障害" },
};

static void test_hints(void)
{
	static const char *const never[] = { NULL, "utf-8", "iso-2022-jp", "us-ascii" };
	static const char sample[] = "\xc7\xd1\xb1\xdb";
	char *plain, *s;
	size_t i, len;
	int lossy = 0;

	for (i = 0; i < sizeof hints / sizeof *hints; i++) {
		s = charset_guess_to_utf8(hints[i].hint, hints[i].in, hints[i].n, &len, &lossy);
		CHECK_STR(s, hints[i].want, what("hint: %s", hints[i].what));
		free(s);
	}
	CHECK_INT(lossy, 0, "hint: none of those is lossy");

	/* these hints never apply: the result is the detected one */
	plain = charset_guess_to_utf8(NULL, sample, sizeof sample - 1, NULL, &lossy);
	CHECK(plain && strcmp(plain, "한글") != 0, "no hint: EUC-KR is not detected");
	for (i = 1; i < sizeof never / sizeof *never; i++) {
		s = charset_guess_to_utf8(never[i], sample, sizeof sample - 1, NULL, &lossy);
		CHECK_STR(s, plain, what("hint %s: as with no hint", never[i]));
		free(s);
	}
	free(plain);
	s = charset_guess_to_utf8("euc-kr", RAW("ok \xff\xfe"), NULL, &lossy);
	CHECK(s && strncmp(s, "ok ", 3) == 0, "hint: bytes no charset holds still give text");
	free(s);
	/* glibc decodes F5 AC 8A 8A "cleanly" under a hint it reads as UTF-8 */
	s = charset_guess_to_utf8("utf-8\xa3", RAW("x \xf5\xac\x8a\x8a"), NULL, &lossy);
	CHECK(s && strncmp(s, "x ", 2) == 0 && !strchr(s, '\xf5'),
	      "hint glibc reads as UTF-8: nothing above U+10FFFF taken as decoded");
	free(s);
}

int main(void)
{
	test_aliases();
	test_japanese();
	test_bad_bytes();
	test_detection();
	test_hints();
	return test_done();
}
