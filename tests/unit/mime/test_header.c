/*
 * test_header.c — header.c: values cleaned to one line of UTF-8, msg-ids
 * without brackets, and the address picked out of a broken From.
 */
#include <stdlib.h>

#include "mime/header.h"
#include "test.h"

#define FFFD "\xef\xbf\xbd"

static const struct { const char *in, *want, *what; } cleans[] = {
	{ "plain", "plain", "clean: plain text as is" },
	{ "  padded \t", "padded", "clean: trimmed, tab as space" },
	{ "folded\r\n continued", "folded continued", "clean: unfolded" },
	{ "a\r\nBcc: evil@example.com", "aBcc: evil@example.com", "clean: no line can be injected" },
	{ "a\tb\x1b" "c\x7f" "d", "a b c d", "clean: control characters as spaces" },
	{ "caf\xe9 \xe9\x9a\x9c", "caf" FFFD " 障", "clean: bad bytes as U+FFFD" },
	{ "\r\n \r\n", "", "clean: nothing left" },
	{ "", "", "clean: empty" },
};

static const struct { const char *in, *want, *what; } msgids[] = {
	{ "<abc@example.com>", "abc@example.com", "msgid: brackets cut" },
	{ " <a b@example.com>\r\n", "ab@example.com", "msgid: white space cut" },
	{ "<x\xff@y>", "x" FFFD "@y", "msgid: valid UTF-8" },
	{ "plain@example.com", "plain@example.com", "msgid: no brackets" },
};

static const struct { const char *in, *name, *addr, *what; } froms[] = {
	{ "Taro Yamada <taro@example.jp>", "Taro Yamada", "taro@example.jp", "from: name <addr>" },
	{ "\"Yamada, Taro\" <taro@example.jp>", "Yamada, Taro", "taro@example.jp",
	  "from: quotes cut from the name" },
	{ "<taro@example.jp>", "", "taro@example.jp", "from: <addr> alone, empty name" },
	{ "a <x@y> b <taro@example.jp>", "a <x@y> b", "taro@example.jp", "from: the last <...>" },
	{ "taro@example.jp (Taro)", NULL, "taro@example.jp", "from: the word with @" },
	{ "write to \"taro@example.jp\", thanks", NULL, "taro@example.jp", "from: @ word in quotes" },
	{ "Taro <taro@example.jp", NULL, "taro@example.jp", "from: unclosed bracket" },
	{ "no address here", NULL, NULL, "from: nothing" },
	{ "", NULL, NULL, "from: empty" },
};

static void test_clean(void)
{
	size_t i;
	char *s;

	for (i = 0; i < sizeof cleans / sizeof *cleans; i++) {
		s = header_clean(cleans[i].in);
		CHECK_STR(s, cleans[i].want, cleans[i].what);
		free(s);
	}
	for (i = 0; i < sizeof msgids / sizeof *msgids; i++) {
		s = header_msgid(msgids[i].in);
		CHECK_STR(s, msgids[i].want, msgids[i].what);
		free(s);
	}
}

static void test_msgids_scan(void)
{
	const char *v = "<a@x> <> junk <b@y>\r\n <c@z";
	char *ids[2] = { NULL, NULL };

	CHECK_INT(header_msgids_scan(v, NULL, 0), 2, "scan: counts non-empty <...>");
	CHECK_INT(header_msgids_scan(NULL, NULL, 0), 0, "scan: NULL value");
	CHECK_INT(header_msgids_scan("none", NULL, 0), 0, "scan: none");
	CHECK_INT(header_msgids_scan(v, ids, 1), 2, "scan: count past max");
	CHECK_STR(ids[0], "a@x", "scan: first copied");
	CHECK_STR(ids[1], NULL, "scan: nothing past max");
	free(ids[0]);
	ids[0] = NULL;
	header_msgids_scan(" <one@x>\t<two@y>", ids, 2);
	CHECK_STR(ids[0], "one@x", "scan: in order 1");
	CHECK_STR(ids[1], "two@y", "scan: in order 2");
	free(ids[0]);
	free(ids[1]);
}

static void test_from_split(void)
{
	char *name, *addr;
	size_t i;

	for (i = 0; i < sizeof froms / sizeof *froms; i++) {
		int r = header_from_split(froms[i].in, &name, &addr);

		CHECK_INT(r, 0, froms[i].what);
		CHECK_STR(name, froms[i].name, "  ... name");
		CHECK_STR(addr, froms[i].addr, "  ... address");
		free(name);
		free(addr);
	}
}

int main(void)
{
	test_clean();
	test_msgids_scan();
	test_from_split();
	return test_done();
}
