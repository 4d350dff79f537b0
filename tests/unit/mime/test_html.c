/*
 * test_html.c — html.c: tags dropped, block tags as line breaks,
 * script/style/head and comments dropped, entities decoded (named and
 * numeric), white space collapsed, and broken HTML kept as text; the
 * charset a <meta> declares.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "mime/html.h"
#include "test.h"

#define FFFD "\xef\xbf\xbd"

/*
 * To add a case: the HTML as a mail carries it (already UTF-8) and the
 * text a person should read.
 */
static const struct html_case {
	const char *what, *in, *want;
} cases[] = {
	/* tags */
	{ "plain text", "just text", "just text" },
	{ "inline tags dropped", "<b>bold</b> and <i>italic</i>", "bold and italic" },
	{ "attributes dropped", "<a href=\"https://example.com/?a=1&b=2\" title='x'>link</a>", "link" },
	{ "tag names in any case", "<B>x</B><P>y</P>", "x\ny\n" },
	{ "br variants", "a<br>b<br/>c<BR />d", "a\nb\nc\nd" },
	{ "p", "<p>one</p><p>two</p>", "one\n\ntwo\n" },
	{ "div", "<div>a</div><div>b</div>", "a\n\nb\n" },
	{ "li", "<ul><li>first</li><li>second</li></ul>", "first\n\nsecond\n\n" },
	{ "ol, h1, hr, pre, blockquote", "<h1>Title</h1>text<hr><ol><li>x</ol><pre>p</pre>"
	  "<blockquote>q</blockquote>", "Title\ntext\n\nx\n\np\n\n> q\n" },
	/* issue 14 (V11): a blockquote is a quote, as "> " in plain text */
	{ "blockquote lines quoted", "<p>ok</p><blockquote>a<br>b<blockquote>c</blockquote>d</blockquote>e",
	  "ok\n\n> a\n> b\n> c\n> d\ne" },
	{ "stray closing blockquote", "</blockquote>a", "a" },
	{ "table rows", "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>", "a\n\nb\n\n" },
	{ "no break at the start", "<p><br><div>x", "x" },
	{ "at most one empty line", "a<br><br><br><br>b", "a\n\nb" },
	{ "tag that only looks like one", "a < b > c", "a c" },
	{ "unknown tag", "<custom-tag>x</custom-tag>", "x" },

	/* dropped with their contents */
	{ "script", "a<script>var s = '<p>';</script>b", "ab" },
	{ "script in capitals", "a<SCRIPT type=\"text/javascript\">x()</SCRIPT>b", "ab" },
	{ "style", "<style>p { color: red }</style>text", "text" },
	{ "head", "<html><head><title>T</title><meta charset=utf-8></head><body>x</body></html>", "x" },
	{ "comment", "a<!-- <p>hidden</p> -->b", "ab" },
	{ "comment never closed", "a<!-- x > y, to the end", "a" },
	{ "script never closed", "a<script>x < y", "a" },
	{ "closing script alone", "a</script>b", "ab" },
	{ "title outside head", "<title>/close force</title>x", "x" },
	/* issue 14 (V11): what a person does not see is not text */
	{ "display:none", "<div style=\"display:none\">/close force x</div>seen", "seen" },
	{ "display: none, any case, among others", "<p STYLE='color:red; Display : NONE !important'>/ack</p>seen",
	  "seen" },
	{ "visibility:hidden", "<span style=\"visibility:hidden\">/ack</span>seen", "seen" },
	{ "font-size:0", "<span style=\"font-size:0px\">/ack</span>seen", "seen" },
	{ "opacity:0.9 shows", "<span style=\"opacity:0.9\">shown</span>", "shown" },
	{ "hidden attribute", "<div hidden>/ack</div>seen", "seen" },
	{ "hidden with nested same tags", "<div hidden><div>a</div><div>b</div>c</div>seen", "seen" },
	{ "hidden never closed", "x<div hidden>/ack <p>more", "x\n" },
	{ "hidden void element", "a<img hidden src=x>b", "ab" },
	{ "display:none is not a word inside text", "<p>display:none</p>", "display:none\n" },

	/* white space */
	{ "runs collapse", "a  \t\r\n  b", "a b" },
	{ "trimmed at both ends", "  \n a b \n ", "a b" },
	{ "none beside a break", "a <br> b", "a\nb" },
	{ "space survives inline tags", "a <b>b</b> c", "a b c" },

	/* entities */
	{ "named", "&amp; &lt; &gt; &quot; &apos;", "& < > \" '" },
	{ "named in any case", "&AMP;&Lt;", "&<" },
	{ "nbsp is a space that stays", "a&nbsp;&nbsp;b", "a  b" },
	{ "decimal", "&#9312;&#12354;&#65;", "①あA" },
	{ "hex", "&#x2460;&#X3042;&#x1F600;", "①あ\xf0\x9f\x98\x80" },
	{ "code point 0", "a&#0;b", "a" FFFD "b" },
	{ "surrogate", "&#xD800;", FFFD },
	{ "above U+10FFFF", "&#x110000;", FFFD },
	{ "more than 8 digits stays", "&#123456789;", "&#123456789;" },
	{ "unknown name stays", "&copy; &bogus;", "&copy; &bogus;" },
	{ "no semicolon stays", "&amp &#65 x", "&amp &#65 x" },
	{ "empty numeric stays", "&#; &#x;", "&#; &#x;" },
	{ "lone ampersand", "R&D", "R&D" },
	{ "entity spells a tag, not one", "&lt;p&gt;", "<p>" },

	/* broken HTML */
	{ "< with no >", "1 < 2 and 3 <", "1 < 2 and 3 <" },
	{ "> alone", "a > b", "a > b" },
	{ "UTF-8 passes", "<p>障害 ①</p>", "障害 ①\n" },
	{ "empty", "", "" },
};

static void test_cases(void)
{
	char what[256];
	size_t i, len;
	char *s;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		len = (size_t)-1;
		s = html_to_text(cases[i].in, strlen(cases[i].in), &len);
		snprintf(what, sizeof what, "html: %s", cases[i].what);
		CHECK_STR(s, cases[i].want, what);
		CHECK(s && len == strlen(s), "  ... and len is its length");
		free(s);
	}
}

/* What the length argument and the bytes after n must not change. */
static void test_bounds(void)
{
	static const char nul[] = "a\0<b>b</b>";
	char *s;
	size_t len;

	s = html_to_text("<p>x</p>", 8, NULL);
	CHECK_STR(s, "x\n", "len may be NULL");
	free(s);
	s = html_to_text("ab<p>cd", 2, &len);
	CHECK_STR(s, "ab", "only n bytes are read");
	free(s);
	s = html_to_text("a<b", 3, &len);
	CHECK_STR(s, "a<b", "a tag cut at n stays text");
	free(s);
	s = html_to_text(nul, sizeof nul - 1, &len);
	CHECK(s && len == 3 && memcmp(s, "a\0b", 4) == 0, "NUL passes through, counted in len");
	free(s);
}

/*
 * The charset a <meta> declares, for HTML parts whose MIME header names
 * none (fml8__text_html: EUC-KR read as Japanese).  want NULL: none.
 */
static const struct meta_case {
	const char *what, *in, *want;
} metas[] = {
	{ "http-equiv", "<html><head><meta http-equiv=\"content-type\" "
	  "content=\"text/html; charset=euc-kr\"><title>", "euc-kr" },
	{ "charset attribute", "<meta charset=\"Shift_JIS\">", "Shift_JIS" },
	{ "unquoted, capitals, self-closing", "<META CHARSET=iso-2022-jp/>", "iso-2022-jp" },
	{ "content before http-equiv", "<meta content='text/html;charset=\"gb2312\"' "
	  "http-equiv='Content-Type'>", "gb2312" },
	{ "spaces around", "<meta charset = \" koi8-r \" >", "koi8-r" },
	{ "content charset ends at ;", "<meta http-equiv=Content-Type content=\"text/html; "
	  "charset=euc-jp; x=y\">", "euc-jp" },
	{ "the first meta that names one", "<meta name=generator content=\"charset=x\">"
	  "<meta charset=utf-8><meta charset=euc-kr>", "utf-8" },
	{ "content without http-equiv", "<meta name=x content=\"text/html; charset=euc-kr\">", NULL },
	{ "inside a comment", "<!-- <meta charset=euc-kr> --><p>x", NULL },
	{ "UTF-16 is no label", "<meta charset=utf-16le>", NULL },
	{ "empty", "<meta charset=\"\">", NULL },
	{ "a tag that only starts like meta", "<metadata charset=euc-kr>", NULL },
	{ "none", "<html><body>text</body></html>", NULL },
	{ "cut at the end", "<meta charset=", NULL },
};

static void test_meta_charset(void)
{
	char label[64], big[1200], what[256];
	size_t i;
	int r;

	for (i = 0; i < sizeof metas / sizeof *metas; i++) {
		strcpy(label, "unchanged");
		r = html_meta_charset(metas[i].in, strlen(metas[i].in), label, sizeof label);
		snprintf(what, sizeof what, "meta charset: %s", metas[i].what);
		CHECK_STR(r == 0 ? label : NULL, metas[i].want, what);
	}
	r = html_meta_charset("<meta charset=euc-kr>", 14, label, sizeof label);
	CHECK(r < 0, "meta charset: only n bytes are read");
	r = html_meta_charset("<meta charset=euc-kr>", 21, label, 6);
	CHECK(r < 0, "meta charset: a label that does not fit is none");
	memset(big, ' ', sizeof big);
	memcpy(big + 1100, "<meta charset=euc-kr>", 21);
	r = html_meta_charset(big, sizeof big, label, sizeof label);
	CHECK(r < 0, "meta charset: not after the first 1024 bytes");
}

int main(void)
{
	test_cases();
	test_bounds();
	test_meta_charset();
	return test_done();
}
