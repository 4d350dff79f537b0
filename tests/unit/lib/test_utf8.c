/* test_utf8.c — display width and cutting of UTF-8 text (issue 13, point 9). */
#include <string.h>

#include "lib/utf8.h"
#include "test.h"

#define W(s) utf8_width(s, sizeof s - 1)

/* s cut to cols by utf8_clip, as a string; *w the columns it returned. */
static char *clip(const char *s, size_t cols, size_t *w)
{
	static char out[256];
	struct buf b = { 0 };

	*w = utf8_clip(s, strlen(s), cols, &b);
	snprintf(out, sizeof out, "%s", b.p ? b.p : "");
	buf_release(&b);
	return out;
}

#define CLIP(s, cols, want, want_w, what) do {		\
	size_t w_;					\
	CHECK_STR(clip(s, cols, &w_), want, what);	\
	CHECK_INT(w_, want_w, what " (columns)");	\
} while (0)

/* Every character of s that was valid UTF-8 in the input is whole. */
static int whole(const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		if (!(len = utf8_decode(s + i, n - i, &cp)))
			return 0;
		i += len;
	}
	return 1;
}

int main(void)
{
	uint32_t cp = 0;
	size_t w, n, cols;
	static const char mixed[] = "不正ｱｸｾｽ😀e\xcc\x81ＡＢか\xe3\x82\x99※…한x";
	int bad = 0, all_whole = 1;

	/* decoding */
	CHECK_INT(utf8_decode("A", 1, &cp), 1, "decode: ASCII is one byte");
	CHECK_INT(utf8_decode("日", 3, &cp), 3, "decode: a kanji is three bytes");
	CHECK_INT(cp, 0x65e5, "... U+65E5");
	CHECK_INT(utf8_decode("😀", 4, &cp), 4, "decode: outside the BMP, four bytes");
	CHECK_INT(cp, 0x1f600, "... U+1F600");
	CHECK_INT(utf8_decode("\xe6\x97", 2, &cp), 0, "decode: a character cut short is no character");
	CHECK_INT(utf8_decode("\xe6\x97\xa5", 2, &cp), 0, "decode: n bytes left is respected");
	CHECK_INT(utf8_decode("\x97", 1, &cp), 0, "decode: a stray continuation byte");
	CHECK_INT(utf8_decode("\xc0\xaf", 2, &cp), 0, "decode: an overlong '/'");
	CHECK_INT(utf8_decode("\xed\xa0\x80", 3, &cp), 0, "decode: a surrogate");
	CHECK_INT(utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0, "decode: above U+10FFFF");
	CHECK_INT(utf8_decode("", 0, &cp), 0, "decode: nothing left");

	/* the width of one character */
	CHECK_INT(utf8_cp_width('a'), 1, "width: ASCII 1");
	CHECK_INT(utf8_cp_width(0x3042), 2, "width: hiragana あ 2");
	CHECK_INT(utf8_cp_width(0x4e0d), 2, "width: kanji 不 2");
	CHECK_INT(utf8_cp_width(0xff71), 1, "width: half-width kana ｱ 1");
	CHECK_INT(utf8_cp_width(0xff21), 2, "width: full-width Ａ 2");
	CHECK_INT(utf8_cp_width(0x3000), 2, "width: the ideographic space 2");
	CHECK_INT(utf8_cp_width(0x1f600), 2, "width: emoji 😀 (outside the BMP) 2");
	CHECK_INT(utf8_cp_width(0x20000), 2, "width: CJK extension B 𠀀 2");
	CHECK_INT(utf8_cp_width(0xd55c), 2, "width: hangul 한 2");
	CHECK_INT(utf8_cp_width(0x0301), 0, "width: combining acute 0");
	CHECK_INT(utf8_cp_width(0x3099), 0, "width: combining dakuten 0");
	CHECK_INT(utf8_cp_width(0x200d), 0, "width: zero-width joiner 0");
	CHECK_INT(utf8_cp_width(0xfe0f), 0, "width: variation selector 0");
	CHECK_INT(utf8_cp_width(0x1b), 0, "width: ESC (a control) 0");
	CHECK_INT(utf8_cp_width(0x9b), 0, "width: C1 CSI 0");
	CHECK_INT(utf8_cp_width(0x203b), 1, "width: ambiguous ※ 1");
	CHECK_INT(utf8_cp_width(0x2026), 1, "width: ambiguous … 1");
	CHECK_INT(utf8_cp_width(0xe9), 1, "width: é 1");

	/* the width of a text */
	CHECK_INT(W("incident"), 8, "text: ASCII");
	CHECK_INT(W("不正アクセス"), 12, "text: Japanese, 6 characters 12 columns");
	CHECK_INT(W("ﾉｰﾄPC"), 5, "text: half-width kana and ASCII");
	CHECK_INT(W("ＰＣ紛失"), 8, "text: full-width letters");
	CHECK_INT(W("🔒 鍵"), 5, "text: emoji, space, kanji");
	CHECK_INT(W("e\xcc\x81t\xc3\xa9"), 3, "text: decomposed and precomposed é");
	CHECK_INT(W("か\xe3\x82\x99"), 2, "text: kana with a combining dakuten");
	CHECK_INT(W("\xff\xfe"), 2, "text: invalid bytes count one column each");
	CHECK_INT(W("不\xe6\x97"), 4, "text: a character cut short counts its bytes");
	CHECK_INT(W(""), 0, "text: empty");

	/* the head that fits */
	CHECK_INT(utf8_fit("日本語", 9, 5, &w), 6, "fit: 日本 in 5 columns (語 would need 6)");
	CHECK_INT(w, 4, "... 4 columns");
	CHECK_INT(utf8_fit("か\xe3\x82\x99き", 9, 2, &w), 6, "fit: the dakuten stays with its kana");
	CHECK_INT(utf8_fit("a😀b", 6, 2, &w), 1, "fit: an emoji does not half-fit");
	CHECK_INT(utf8_fit("abc", 3, 0, &w), 0, "fit: nothing in 0 columns");
	CHECK_INT(utf8_fit("abc", 3, 9, NULL), 3, "fit: all of a short text (width not wanted)");

	/* cutting with "…" */
	CLIP("不正アクセス", 12, "不正アクセス", 12, "clip: a text that fits is whole");
	CLIP("不正アクセス", 11, "不正アクセ…", 11, "clip: one column short: the last character gives way to …");
	CLIP("不正アクセス", 10, "不正アク…", 9, "clip: a wide character never half-fits: one column left empty");
	CLIP("不正アクセス", 5, "不正…", 5, "clip: 不正… in 5");
	CLIP("不正アクセス", 4, "不…", 3, "clip: 4 columns: 不… (never 「不\\xe6」)");
	CLIP("不正アクセス", 1, "…", 1, "clip: 1 column: only …");
	CLIP("不正アクセス", 0, "", 0, "clip: 0 columns: nothing");
	CLIP("ﾉｰﾄPCを紛失", 6, "ﾉｰﾄPC…", 6, "clip: half-width kana one column each");
	CLIP("🔒ロック", 4, "🔒…", 3, "clip: an emoji outside the BMP stays whole");
	CLIP("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2, "e\xcc\x81…", 2, "clip: a combining mark stays with its letter");
	CLIP("\xff\xfe\xfd abc", 3, "\xff\xfe…", 3, "clip: invalid bytes are cut as single columns");
	CLIP("北垣 剛志", 6, "北垣…", 5, "clip: no space left before …");
	CLIP("不\xe6\x97", 10, "不\xe6\x97", 4, "clip: a text ending in a cut character: kept, no crash");

	/* every width of a mixed text: never a split character, never too wide */
	n = strlen(mixed);
	for (cols = 0; cols <= W(mixed) + 1; cols++) {
		struct buf b = { 0 };

		w = utf8_clip(mixed, n, cols, &b);
		if (w > cols || (b.p ? utf8_width(b.p, b.len) : 0) != w)
			bad++;
		if (b.p && !whole(b.p, b.len))
			all_whole = 0;
		buf_release(&b);
	}
	CHECK_INT(bad, 0, "clip: at every width the result is no wider and measures what it says");
	CHECK(all_whole, "clip: at every width every character is whole");

	/* cuts to bytes and characters (outbox, notices, excerpts) */
	CHECK_INT(utf8_cut_bytes("abc", 3, 3), 3, "cut bytes: a text within the limit is whole");
	CHECK_INT(utf8_cut_bytes("abc", 3, 9), 3, "cut bytes: a limit past the end is the end");
	CHECK_INT(utf8_cut_bytes("日本語", 9, 7), 6, "cut bytes: 7 bytes of 日本語 are 日本 (never half of 語)");
	CHECK_INT(utf8_cut_bytes("日本語", 9, 5), 3, "cut bytes: 5 bytes are 日");
	CHECK_INT(utf8_cut_bytes("日本語", 9, 6), 6, "cut bytes: on a boundary the cut stays");
	CHECK_INT(utf8_cut_bytes("日本語", 9, 2), 0, "cut bytes: less than a character is nothing");
	CHECK_INT(utf8_cut_bytes("a😀b", 6, 4), 1, "cut bytes: a 4-byte emoji is not split");
	CHECK_INT(utf8_cut_chars("日本語", 9, 2), 6, "cut chars: two characters of 日本語 are 6 bytes");
	CHECK_INT(utf8_cut_chars("日本語", 9, 3), 9, "cut chars: all three are the whole");
	CHECK_INT(utf8_cut_chars("日本語", 9, 0), 0, "cut chars: none are nothing");
	CHECK_INT(utf8_cut_chars("aé😀b", 8, 3), 7, "cut chars: one, two and four bytes");
	CHECK_INT(utf8_cut_chars("\xff\xfe" "ab", 4, 2), 2, "cut chars: invalid bytes count one each");
	CHECK_INT(utf8_cut_chars("日本\xe8", 7, 9), 7, "cut chars: a text ending in a cut character: the whole, no overread");
	bad = 0;
	n = strlen(mixed);
	for (cols = 0; cols <= n + 1; cols++) {
		size_t k = utf8_cut_bytes(mixed, n, cols);

		if (k > cols || !whole(mixed, k))
			bad++;
	}
	CHECK_INT(bad, 0, "cut bytes: at every limit no more bytes than asked and every character whole");
	return test_done();
}
