/*
 * test_table.c — aligned columns for the terminal (issue 13, point 9):
 * widths by display columns (kanji 2, half-width kana 1, combining marks
 * 0), a column's max and the line's width cut with "…", cells put on one
 * line with their controls visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "test.h"

/* What table_print writes, malloc'd. */
static char *printed(const struct table *t, const char *indent, size_t cols)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	table_print(t, f, indent, cols);
	fclose(f);
	return buf;
}

int main(void)
{
	static const struct table_col head[] = { { "ID", 0 }, { "OWNER", 6 }, { "SUBJECT", 0 } };
	static const struct table_col bare[] = { { NULL, 0 }, { NULL, 0 } };
	const char *r1[] = { "INC-1", "北垣 剛志", "不正アクセスの疑い" };
	const char *r2[] = { "INC-22", "ｱｲ", "ﾉｰﾄPCを紛失しました" };
	const char *r3[] = { "INC-333", NULL, "e\xcc\x81t\xc3\xa9" };
	const char *r4[] = { "a\nb\tc\r\n", "\x1b[2Jx\xe6\x97" };
	struct table *t = table_new(head, 3), *u;
	char *out;

	CHECK(t != NULL, "a table of three columns");
	CHECK(table_row(t, r1) == 0 && table_row(t, r2) == 0 && table_row(t, r3) == 0, "three rows");
	out = printed(t, "", 0);
	CHECK_STR(out,
		  "ID       OWNER   SUBJECT\n"
		  "INC-1    北垣…   不正アクセスの疑い\n"
		  "INC-22   ｱｲ      ﾉｰﾄPCを紛失しました\n"
		  "INC-333  -       e\xcc\x81t\xc3\xa9\n",
		  "columns by display width; OWNER cut to its 6 with … (no space before it); NULL as -; "
		  "no limit on the last");
	free(out);
	out = printed(t, "  ", 35);
	CHECK_STR(out,
		  "  ID       OWNER   SUBJECT\n"
		  "  INC-1    北垣…   不正アクセスの…\n"
		  "  INC-22   ｱｲ      ﾉｰﾄPCを紛失しま…\n"
		  "  INC-333  -       e\xcc\x81t\xc3\xa9\n",
		  "35 columns with an indent: the last column cut to fit, on characters");
	free(out);
	out = printed(t, "", 10);
	CHECK(strstr(out, "INC-1    北垣…   不正アクセ…\n") != NULL,
	      "a line too narrow still leaves the last column 12 columns");
	free(out);
	table_free(t);

	u = table_new(bare, 2);
	CHECK(u && table_row(u, r4) == 0, "a table without titles");
	out = printed(u, "", 0);
	CHECK_STR(out, "a b c  \\x1b[2Jx\\xe6\\x97\n",
		  "no header; line breaks and tabs one space; ESC and a cut character visible");
	free(out);
	table_free(u);

	CHECK(table_new(head, 0) == NULL, "no columns: refused");
	table_free(NULL);
	return test_done();
}
