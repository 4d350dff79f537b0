/*
 * test_rfc2231.c — rfc2231.c: single and split parameter values, %XX,
 * the charset'language' prefix, and what does not count as RFC 2231.
 */
#include <stdlib.h>

#include "mime/rfc2231.h"
#include "test.h"

#define MAXP 4

/*
 * To add a case: the parameters as a Content-Disposition carries them
 * (up to MAXP, in the order written) and the file name a user should see.
 */
static const struct value_case {
	const char *what;
	struct rfc2231_param p[MAXP];
	const char *want;
} values[] = {
	{ "single, UTF-8", { { "filename*", "UTF-8''%E5%A0%B1%E5%91%8A.pdf" } }, "報告.pdf" },
	{ "single, any case", { { "FileName*", "utf-8'ja'%E5%A0%B1.pdf" } }, "報.pdf" },
	{ "segments", { { "filename*0*", "UTF-8''%E8%AA%BF" }, { "filename*1*", "%E6%9F%BB.pdf" } },
	  "調査.pdf" },
	{ "segments out of order", { { "filename*1*", "%E6%9F%BB.pdf" },
	  { "filename*0*", "UTF-8''%E8%AA%BF" } }, "調査.pdf" },
	{ "segments not encoded", { { "filename*0", "very long " }, { "filename*1", "name.txt" } },
	  "very long name.txt" },
	{ "a later segment plain: %XX kept", { { "filename*0*", "UTF-8''%41" },
	  { "filename*1", "%41" } }, "A%41" },
	{ "segments stop at a gap", { { "filename*0", "a" }, { "filename*2", "c" } }, "a" },
	{ "single beats segments", { { "filename*0", "seg" }, { "filename*", "''single" } }, "single" },
	{ "ISO-2022-JP", { { "filename*", "iso-2022-jp'ja'%1B%24B%3Ec32%1B%28B.txt" } }, "障害.txt" },
	{ "Shift_JIS means CP932", { { "filename*", "shift_jis''%87%40.txt" } }, "①.txt" },
	{ "no charset: detected", { { "filename*", "''%82%a0.txt" } }, "あ.txt" },
	{ "no prefix at all", { { "filename*", "a%20b.txt" } }, "a b.txt" },
	{ "broken %XX kept", { { "filename*", "UTF-8''100%.txt%4" } }, "100%.txt%4" },
	{ "line breaks cleaned", { { "filename*", "UTF-8''a%0D%0Ab%09c" } }, "ab c" },
	{ "other parameters skipped", { { NULL, "x" }, { "size", "12" },
	  { "filename*", "UTF-8''ok" } }, "ok" },
	{ "plain filename= is not RFC 2231", { { "filename", "plain.txt" } }, NULL },
	{ "segment 64 is too far", { { "filename*64", "x" } }, NULL },
	{ "empty value", { { "filename*", "UTF-8''" } }, NULL },
	{ "none", { { NULL, NULL } }, NULL },
};

static const struct { const char *param, *name; int want; } forms[] = {
	{ "filename*", "filename", 1 },
	{ "filename*0", "filename", 1 },
	{ "filename*12*", "filename", 1 },
	{ "FILENAME*63", "filename", 1 },
	{ "filename", "filename", 0 },
	{ "filename*x", "filename", 0 },
	{ "filename*0x", "filename", 0 },
	{ "filename*64", "filename", 0 },
	{ "filenames*", "filename", 0 },
	{ "name*", "filename", 0 },
	{ "name*0*", "name", 1 },
	{ NULL, "name", 0 },
};

static void test_values(void)
{
	char what[200];
	size_t i, n;

	for (i = 0; i < sizeof values / sizeof *values; i++) {
		const struct value_case *c = &values[i];
		int oom = 0;
		char *s;

		for (n = 0; n < MAXP && c->p[n].value; n++)
			;
		s = rfc2231_value(c->p, n, "filename", &oom);
		snprintf(what, sizeof what, "value: %s", c->what);
		CHECK_STR(s, c->want, what);
		CHECK_INT(oom, 0, "  ... and no OOM reported");
		free(s);
	}
}

static void test_forms(void)
{
	char what[200];
	size_t i;

	for (i = 0; i < sizeof forms / sizeof *forms; i++) {
		snprintf(what, sizeof what, "is: %s as %s", forms[i].param ? forms[i].param : "NULL",
			 forms[i].name);
		CHECK_INT(rfc2231_is(forms[i].param, forms[i].name), forms[i].want, what);
	}
}

int main(void)
{
	test_values();
	test_forms();
	return test_done();
}
