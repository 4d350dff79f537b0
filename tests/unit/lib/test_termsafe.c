/* test_termsafe.c — text from mail made safe for a terminal (issue 14, V9). */
#include <string.h>

#include "lib/termsafe.h"
#include "test.h"

static void one(const char *in, size_t len, int keep_lines, const char *want, const char *what)
{
	struct buf b = { 0 };

	termsafe_escape(in, len, keep_lines, &b);
	buf_addc(&b, '\0');
	CHECK_STR(b.p, want, what);
	buf_release(&b);
}

#define ONE(in, keep, want, what) one(in, sizeof in - 1, keep, want, what)

int main(void)
{
	ONE("plain 日本語 text\n\ttab", 1, "plain 日本語 text\n\ttab", "text, Japanese, LF and tab kept");
	ONE("a\nb", 0, "a\\x0ab", "one-line mode: LF escaped (a log line cannot be split)");
	ONE("\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", 1,
	    "\\x1b]8;;http://evil/\\x1b\\link\\x1b]8;;\\x1b\\", "OSC 8 hyperlink: every ESC visible");
	ONE("\x1b[2J\x1b[H", 1, "\\x1b[2J\\x1b[H", "CSI clear screen: visible");
	ONE("bell\a back\b cr\r del\x7f", 1, "bell\\x07 back\\x08 cr\\x0d del\\x7f",
	    "BEL, BS, CR, DEL: visible");
	ONE("c1 \xc2\x9b" "31m", 1, "c1 \\u009b31m", "C1 CSI in UTF-8: visible");
	ONE("c1 \xc2\x85 nel", 1, "c1 \\u0085 nel", "C1 NEL in UTF-8: visible");
	ONE("raw \x9b" "31m", 1, "raw \\x9b31m", "a lone 0x9b (8-bit CSI): visible");
	ONE("bidi \xe2\x80\xae" "gnp.exe", 1, "bidi \\u202egnp.exe", "RLO bidi override: visible");
	ONE("iso \xe2\x81\xa6x\xe2\x81\xa9", 1, "iso \\u2066x\\u2069", "bidi isolates: visible");
	ONE("cut \xe6\x97", 1, "cut \\xe6\\x97", "a cut UTF-8 sequence: its bytes visible");
	ONE("overlong \xc0\xaf", 1, "overlong \\xc0\\xaf", "an overlong sequence: visible");
	ONE("nul\0after", 1, "nul\\x00after", "NUL: visible, and what follows kept");
	ONE("emoji \xf0\x9f\x94\x92", 1, "emoji \xf0\x9f\x94\x92", "a 4-byte character kept");
	return test_done();
}
