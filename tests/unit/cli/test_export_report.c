/*
 * test_export_report.c — report.md of `export`, from hand-built records:
 * the escaping of text from mail (Markdown specials, HTML, table pipes,
 * headings, line breaks, controls, invalid UTF-8), code blocks that no
 * text can close, one small document exactly, and a hostile one whose
 * every field tries to break out — read back the way a Markdown renderer
 * would read its headings, tables, HTML and code blocks.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export_report.h"
#include "lib/clock.h"
#include "rules/policy.h"
#include "test.h"

#define T0 1795568400	/* 2026-11-25T10:00:00+09:00 */
#define FFFD "\xef\xbf\xbd"

typedef void writer(FILE *f, const char *s);

/* What w writes for s, malloc'd (the caller frees it). */
static char *written(writer *w, const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	w(f, s);
	fclose(f);
	return buf;
}

/* Whether s[i] is escaped: preceded by an odd number of backslashes. */
static bool escaped(const char *s, size_t i)
{
	size_t n = 0;

	while (i > n && s[i - n - 1] == '\\')
		n++;
	return n % 2 == 1;
}

/* ---- reading Markdown back: lines, fences, headings, tables, HTML ---- */

/* The next line of *p into line (CommonMark ends a line at LF, CR LF or a
 * lone CR); false at the end. */
static bool next_line(const char **p, char *line, size_t size)
{
	const char *s = *p;
	size_t n;

	if (!*s)
		return false;
	n = strcspn(s, "\r\n");
	snprintf(line, size, "%.*s", (int)n, s);
	s += n;
	if (s[0] == '\r' && s[1] == '\n')
		s += 2;
	else if (*s)
		s++;
	*p = s;
	return true;
}

/* A fence line: 0-3 spaces, then a run of 3 or more backticks or tildes;
 * its length (0: no fence) and *c its character. */
static size_t fence_of(const char *line, char *c, const char **rest)
{
	size_t sp = strspn(line, " "), n;

	*c = line[sp];
	if (sp > 3 || (*c != '`' && *c != '~'))
		return 0;
	n = strspn(line + sp, *c == '`' ? "`" : "~");
	*rest = line + sp + n;
	return n >= 3 ? n : 0;
}

/* Whether a block opened by a fence of open times c ends at this line. */
static bool closes(const char *line, size_t open, char c)
{
	const char *rest;
	char k;
	size_t n = fence_of(line, &k, &rest);

	return n >= open && k == c && rest[strspn(rest, " \t")] == '\0';
}

struct md_read {
	char headings[32][160];	/* the heading lines outside code blocks */
	size_t n_headings;
	size_t blocks;		/* code blocks closed */
	bool unclosed;		/* a code block runs to the end */
	int bad_row;		/* a table row whose cells differ from its header (line no.) */
	int raw_html;		/* an unescaped '<' other than <br> outside code (line no.) */
	int loose_pipe;		/* an escaped-looking '|' with an even run of '\' (line no.) */
};

/* Reads what a CommonMark renderer would make of doc's structure: fenced
 * blocks, ATX headings, table rows, raw HTML (not indented code or block
 * quotes, which the report never makes). */
static void md_read(const char *doc, struct md_read *m)
{
	char line[8192], c = 0;
	size_t open = 0, header_cells = 0, i;
	int no = 0;

	memset(m, 0, sizeof *m);
	while (next_line(&doc, line, sizeof line)) {
		const char *rest;
		size_t cells = 0;

		no++;
		if (open) {
			if (closes(line, open, c)) {
				open = 0;
				m->blocks++;
			}
			continue;
		}
		if ((open = fence_of(line, &c, &rest)))
			continue;
		if (line[strspn(line, " ")] == '#' && m->n_headings < 32)
			snprintf(m->headings[m->n_headings++], sizeof m->headings[0], "%.159s", line);
		for (i = 0; line[i]; i++) {
			if (line[i] == '|' && !escaped(line, i))
				cells++;
			if (line[i] == '|' && i && line[i - 1] == '\\' && !escaped(line, i) &&
			    !m->loose_pipe)
				m->loose_pipe = no;
			if (line[i] == '<' && !escaped(line, i) &&
			    strncmp(line + i, "<br>", 4) != 0 && !m->raw_html)
				m->raw_html = no;
		}
		if (line[0] != '|')
			header_cells = 0;
		else if (!header_cells)
			header_cells = cells;	/* a table's first row */
		else if (cells != header_cells && !m->bad_row)
			m->bad_row = no;
	}
	m->unclosed = open != 0;
}

/* ---- the escaping of inline text ---- */

static void test_md_text(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
		{ "山田 太郎 <taro@example.jp>", "山田 太郎 \\<taro@example.jp\\>",
		  "UTF-8 stays; an address's brackets are no HTML tag" },
		{ "plain text 123", "plain text 123", "plain text as it is" },
		{ "", "", "the empty text" },
		/* Markdown specials */
		{ "*強調* _em_ **b** ~~s~~", "\\*強調\\* \\_em\\_ \\*\\*b\\*\\* \\~\\~s\\~\\~",
		  "emphasis and strike-through are escaped" },
		{ "[click](http://evil.example/)", "\\[click\\](http://evil.example/)",
		  "a link's brackets are escaped" },
		{ "![x](http://evil.example/t.png)", "\\!\\[x\\](http://evil.example/t.png)",
		  "an image is escaped" },
		{ "`code`", "\\`code\\`", "backticks cannot open a code span" },
		{ "C:\\temp\\*", "C:\\\\temp\\\\\\*", "a backslash is escaped, so it escapes nothing" },
		{ "&amp; &#60;", "\\&amp; \\&\\#60;", "an entity stays text" },
		/* HTML */
		{ "<b>太字</b>", "\\<b\\>太字\\</b\\>", "an HTML tag is escaped" },
		{ "<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>",
		  "a script tag is escaped" },
		{ "<!-- hide -->", "\\<\\!-- hide --\\>", "an HTML comment is escaped" },
		/* pipes: table cells */
		{ "a | b", "a \\| b", "a pipe cannot end a table cell" },
		{ "| x | y |", "\\| x \\| y \\|", "a row of pipes stays in one cell" },
		{ "\\|", "\\\\\\|", "a backslash before a pipe cannot unescape it" },
		/* headings and other line starts */
		{ "# 見出し", "\\# 見出し", "a heading mark is escaped" },
		{ "### x ###", "\\#\\#\\# x \\#\\#\\#", "every heading mark is escaped" },
		{ "> quote", "\\> quote", "a block quote mark is escaped" },
		{ "- item", "- item", "a list mark needs no escape: the text never starts a line" },
		{ "1. one", "1. one", "... nor a numbered one" },
		{ "---", "---", "... nor a rule" },
		/* line breaks and controls */
		{ "a\nb", "a<br>b", "LF: <br>, the row goes on" },
		{ "a\r\nb", "a<br>b", "CR LF: one <br>" },
		{ "a\rb", "a b", "a lone CR: a space (CommonMark would end the line)" },
		{ "a\tb", "a b", "a tab: a space" },
		{ "x\n# not a heading\n| t |", "x<br>\\# not a heading<br>\\| t \\|",
		  "a heading or a table row after a line break stays in the cell" },
		{ "\n\n", "<br><br>", "line breaks only" },
		{ "a\x01" "b\x1b[31m\x7f", "a" FFFD "b" FFFD "\\[31m" FFFD,
		  "other controls (NUL-free C0, ESC, DEL) become U+FFFD" },
		{ "\x0b\x0c", FFFD FFFD, "vertical tab and form feed too" },
		/* invalid UTF-8: copied as it is, the escapes around it intact */
		{ "\xff\xfe", "\xff\xfe", "bytes that are no UTF-8 are copied" },
		{ "\xe3\x81|", "\xe3\x81\\|", "a cut character before a pipe: the pipe is escaped" },
		{ "\xe3#x", "\xe3\\#x", "a lone lead byte cannot swallow an escape" },
		{ "\xc0\xbc" "b>", "\xc0\xbc" "b\\>", "an overlong '<' is not '<': copied, no tag" },
		{ "\x80<i>", "\x80\\<i\\>", "a stray continuation byte before a tag" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = written(export_report_md_text, cases[i].in);
		size_t k;
		bool ok = true;

		CHECK_STR(got, cases[i].want, cases[i].what);
		for (k = 0; got && got[k]; k++)
			if (got[k] == '\n' || got[k] == '\r' ||
			    (got[k] == '|' && !escaped(got, k)))
				ok = false;
		if (!ok)
			CHECK(ok, "  ... and no line break or bare pipe is written");
		free(got);
	}
	{
		char *got = written(export_report_md_text, NULL);

		CHECK_STR(got, "", "NULL writes nothing");
		free(got);
	}
}

/* ---- code blocks that no text can close ---- */

static void test_md_block(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
		{ "", "```text\n```\n", "the empty text: an empty block" },
		{ "hello", "```text\nhello\n```\n", "a last line break is added" },
		{ "hello\n", "```text\nhello\n```\n", "... not doubled" },
		{ "a `b` c", "```text\na `b` c\n```\n", "the fence is at least 3 backticks" },
		{ "``", "```text\n``\n```\n", "... also after a run of 2" },
		{ "```\n# 見出し\n", "````text\n```\n# 見出し\n````\n",
		  "a fence in the text: a longer fence; the heading stays text" },
		{ "a ````` b\n", "``````text\na ````` b\n``````\n",
		  "a run anywhere in a line counts" },
		{ "```text\n", "````text\n```text\n````\n", "a fence with an info string" },
		{ "x\r\n```\r\ny", "````text\nx\r\n```\r\ny\n````\n",
		  "CR LF lines are copied; the fence is longer than theirs" },
		{ "x\r```", "````text\nx\r```\n````\n",
		  "a fence after a lone CR (a line break to CommonMark)" },
		{ "   ```", "````text\n   ```\n````\n", "an indented fence" },
		{ "~~~\n", "```text\n~~~\n```\n", "tildes cannot close a backtick fence" },
		{ "<b>raw</b> *x* | y\n", "```text\n<b>raw</b> *x* | y\n```\n",
		  "markup inside is not escaped: the block shows it as it is" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = written(export_report_md_block, cases[i].in);
		struct md_read m;

		CHECK_STR(got, cases[i].want, cases[i].what);
		md_read(got ? got : "", &m);
		if (m.blocks != 1 || m.unclosed || m.n_headings)
			CHECK(0, "  ... read back: one block, closed by the last line");
		free(got);
	}
}

/* Texts built to close a block early, each read back as a renderer would. */
static void test_md_block_hostile(void)
{
	static const char *const texts[] = {
		"```\n# owned\n```\n", "````\n", "text\n```   \n# h\n", "text\n   ````\t\n# h",
		"``` ```` ````` ``````\n```````\n# h\n", "\r```\r# h\r", "a\n\n```\n\n# h\n\n",
	};
	size_t i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *doc = NULL, *got = written(export_report_md_block, texts[i]);
		struct md_read m;

		/* a heading after the block must be seen, none inside it */
		if (got && asprintf(&doc, "%s# after\n", got) < 0)
			doc = NULL;
		md_read(doc ? doc : "", &m);
		CHECK(m.blocks == 1 && !m.unclosed && m.n_headings == 1 &&
		      strcmp(m.headings[0], "# after") == 0,
		      "a text that closes fences stays inside its block");
		if (m.n_headings != 1)
			printf("#   text %zu: %zu headings, first \"%s\"\n", i, m.n_headings,
			       m.headings[0]);
		free(got);
		free(doc);
	}
}

/* ---- whole documents ---- */

#define HASH1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HASH2 "2222222222222222222222222222222222222222222222222222222222222222"
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char *render(const struct export_report *r)
{
	struct error err = { 0 };
	char *buf = NULL;
	size_t len = 0;

	if (export_report_render(r, &buf, &len, &err) < 0) {
		printf("#   error: %s\n", err.msg);
		return NULL;
	}
	if (strlen(buf) != len)
		CHECK(0, "the length given is the document's");
	return buf;
}

/* A small ticket: one of each record, a subject with markup, a message whose
 * text holds a fence and a heading. */
static void test_small_document(void)
{
	struct ticket t = {
		.id = 7, .ref = "INC-2026-0007",
		.subject = "サーバー停止 | <b>至急</b>", .status = STATUS_ACKNOWLEDGED,
		.priority = PRIORITY_HIGH, .type = TYPE_MALWARE, .source = SOURCE_UNSET,
		.reporter_addr = "taro@example.jp", .reporter_name = "山田 太郎",
		.created_at = T0, .updated_at = T0 + 600, .aware_at = T0,
		.flags = FLAG_BIT(FLAG_PERSONAL_DATA), .affected = -1,
		.classify_why = "個人情報: 顧客", .acked_at = T0 + 300,
	};
	struct checklist_item item = {
		.pos = 1, .text = "ログを保全する", .done_at = T0 + 600,
		.done_by = "admin@example.jp",
	};
	struct message_row msg = {
		.id = 1, .kind = "report", .message_id = "m1@example.jp",
		.from_addr = "taro@example.jp", .from_name = "山田 太郎",
		.subject = "サーバー停止 | <b>至急</b>",
		.body = "止まりました。\n```\n# 見出しではない\n", .sha256 = SHA_A,
		.date = T0 - 60, .received_at = T0, .size = 321,
	};
	char *msg_sha[] = { SHA_A };
	struct outbox_entry mail = {
		.id = 1, .kind = "ack", .message_id = "ack1@bot.example.jp",
		.rcpt = "taro@example.jp", .subject = "[INC-2026-0007] 受付",
		.state = OUTBOX_SENT, .created_at = T0, .sent_at = T0 + 5,
	};
	struct event ev = {
		.id = 1, .at = T0, .actor = "bot", .kind = "opened", .detail = "報告を受信",
		.hash = HASH1,
	};
	struct verify_result vr = { .events = 1, .messages = 1, .last_id = 1,
				    .last_hash = HASH1 };
	struct export_report r = {
		.ticket = &t, .msgs = &msg, .n_msgs = 1, .msg_sha = msg_sha,
		.mails = &mail, .n_mails = 1, .events = &ev, .n_events = 1,
		.items = &item, .n_items = 1, .vr = &vr,
		.verdict = "ok: 1 events, 1 messages verified", .now = T0 + 3600,
	};
	static const char want[] =
	"# インシデント記録 (Incident record) INC-2026-0007\n"
	"\n"
	"- 件名 (Subject): サーバー停止 \\| \\<b\\>至急\\</b\\>\n"
	"- 作成日時 (Exported at): 2026-11-25T11:00:00+09:00\n"
	"- 作成 (Exported by): incident-bot export\n"
	"- 検証 (Verify): ok: 1 events, 1 messages verified\n"
	"\n"
	"## 概要 (Ticket)\n"
	"\n"
	"| 項目 (Field) | 内容 (Value) |\n"
	"| --- | --- |\n"
	"| 番号 (ID) | INC-2026-0007 |\n"
	"| 件名 (Subject) | サーバー停止 \\| \\<b\\>至急\\</b\\> |\n"
	"| 状態 (Status) | 受付済み (acknowledged) |\n"
	"| 優先度 (Priority, policy 7-2) | 高 (high) |\n"
	"| 種別 (Type, policy 7-6) | ウイルス・マルウェア感染 (malware) |\n"
	"| 検知の経緯 (Source, policy 7-1) | 未確認 (not set) |\n"
	"| 影響を受けた人数 (People affected) | 不明 (unknown) |\n"
	"| 報告者 (Reporter) | 山田 太郎 taro@example.jp |\n"
	"| 担当 (Owner) | 未定 (none) |\n"
	"| 起票 (Opened) | 2026-11-25T10:00:00+09:00 |\n"
	"| 認知時刻 (Awareness time, policy 7-4) | 2026-11-25T10:00:00+09:00 |\n"
	"| 受付 (Acknowledged) | 2026-11-25T10:05:00+09:00 |\n"
	"| 封じ込め (Contained) | — |\n"
	"| 解決 (Resolved) | — |\n"
	"| 完了 (Closed) | — |\n"
	"| 最終更新 (Last updated) | 2026-11-25T10:10:00+09:00 |\n"
	"| 未受付のエスカレーション (Escalations sent) | 0 |\n"
	"\n"
	"## 分類とその根拠 (Classification and why)\n"
	"\n"
	"自動分類が根拠とした語句 (the words the classification saw): 個人情報: 顧客\n"
	"\n"
	"分類の変更は経過に記録されています (corrections are in the timeline: `classified`, `command`).\n"
	"\n"
	"## フラグ (Flags)\n"
	"\n"
	"- 個人情報 (personal-data)\n"
	"\n"
	"## 義務と期限 (Obligations, policy 7-4)\n"
	"\n"
	"なし (none)\n"
	"\n"
	"## チェックリスト (Checklist, policy 7-6)\n"
	"\n"
	"| # | 項目 (Item) | 完了 (Done at) | 実施者 (By) |\n"
	"| --- | --- | --- | --- |\n"
	"| 1 | ログを保全する | 2026-11-25T10:10:00+09:00 | admin@example.jp |\n"
	"\n"
	"## 受信したメッセージ (Messages received)\n"
	"\n"
	"各メッセージの受信時のままのバイト列は messages/ にあります (the raw bytes as received are in messages/).\n"
	"\n"
	"### 1. messages/001.eml\n"
	"\n"
	"- 種別 (Kind): report\n"
	"- 差出人 (From): 山田 太郎 taro@example.jp\n"
	"- 日付 (Date): 2026-11-25T09:59:00+09:00\n"
	"- 受信 (Received): 2026-11-25T10:00:00+09:00\n"
	"- 件名 (Subject): サーバー停止 \\| \\<b\\>至急\\</b\\>\n"
	"- Message-ID: m1@example.jp\n"
	"- 大きさ (Size): 321 bytes\n"
	"- SHA-256: `" SHA_A "`\n"
	"- 記録番号 (Message row): 1\n"
	"\n"
	"本文 (Text):\n"
	"\n"
	"````text\n"
	"止まりました。\n"
	"```\n"
	"# 見出しではない\n"
	"````\n"
	"\n"
	"## ボットが送信したメール (Mail sent by the bot)\n"
	"\n"
	"| # | 種別 (Kind) | 宛先 (To) | 件名 (Subject) | 状態 (State) | "
		"登録 (Queued) | 送信 (Sent) | Message-ID | ファイル (File) |\n"
	"| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
	"| 1 | ack | taro@example.jp | \\[INC-2026-0007\\] 受付 | sent | 2026-11-25T10:00:00+09:00 | "
		"2026-11-25T10:00:05+09:00 | ack1@bot.example.jp | sent/001.eml |\n"
	"\n"
	"## 経過 (Timeline)\n"
	"\n"
	"各イベントのハッシュは前のイベントのハッシュを含みます (each event's hash covers the previous one's: `incident-bot verify`).\n"
	"\n"
	"| # | 時刻 (Time) | 種別 (Kind) | 実施者 (Actor) | 内容 (Detail) | ハッシュ (Hash) |\n"
	"| --- | --- | --- | --- | --- | --- |\n"
	"| 1 | 2026-11-25T10:00:00+09:00 | opened | bot | 報告を受信 | `" HASH1 "` |\n"
	"\n"
	"## 再発防止のための文書 (Lessons learned, policy 8)\n"
	"\n"
	"未登録 / not recorded\n"
	"\n"
	"## 完全性 (Integrity)\n"
	"\n"
	"- 検証 (Verify, whole database): ok: 1 events, 1 messages verified\n"
	"- 最初のイベント (First event): 1 `" HASH1 "`\n"
	"- 最後のイベント (Last event): 1 `" HASH1 "`\n"
	"- データベースの最新イベント (Newest event in the database): 1 `" HASH1 "`\n"
	"- 各ファイルの SHA-256 は manifest.sha256 にあります。このフォルダで `sha256sum -c manifest.sha256` で確認できます (check every file with `sha256sum -c manifest.sha256` in this folder).\n";
	static const char *const headings[] = {
		"# インシデント記録 (Incident record) INC-2026-0007", "## 概要 (Ticket)",
		"## 分類とその根拠 (Classification and why)", "## フラグ (Flags)",
		"## 義務と期限 (Obligations, policy 7-4)", "## チェックリスト (Checklist, policy 7-6)",
		"## 受信したメッセージ (Messages received)", "### 1. messages/001.eml",
		"## ボットが送信したメール (Mail sent by the bot)", "## 経過 (Timeline)",
		"## 再発防止のための文書 (Lessons learned, policy 8)", "## 完全性 (Integrity)",
	};
	char *got = render(&r);
	struct md_read m;
	size_t i;

	CHECK_STR(got, want, "a small ticket renders as report.md, word for word");
	md_read(got ? got : "", &m);
	CHECK_INT(m.n_headings, sizeof headings / sizeof headings[0],
		  "read back: the report's own headings, no other");
	for (i = 0; i < m.n_headings && i < sizeof headings / sizeof headings[0]; i++)
		if (strcmp(m.headings[i], headings[i]) != 0)
			CHECK_STR(m.headings[i], headings[i], "  ... in order");
	CHECK(m.blocks == 1 && !m.unclosed, "read back: the message's text is one closed block");
	CHECK_INT(m.bad_row, 0, "read back: every table row has its header's cells");
	CHECK_INT(m.raw_html, 0, "read back: no HTML but <br>");
	free(got);
}

/* Every text a mail or a person could set, hostile at once. */
#define HOSTILE "# h | <i>x</i> *a* [l](u) `c` \\ \r\n## 2nd\tline\x01 ```` ~~~"
#define HOSTILE_MD "\\# h \\| \\<i\\>x\\</i\\> \\*a\\* \\[l\\](u) \\`c\\` \\\\ <br>" \
	"\\#\\# 2nd line" FFFD " \\`\\`\\`\\` \\~\\~\\~"

static bool has(const char *doc, const char *s, const char *what)
{
	bool ok = doc && strstr(doc, s);

	CHECK(ok, what);
	if (!ok)
		printf("#   missing \"%s\"\n", s);
	return ok;
}

static size_t count(const char *doc, const char *s)
{
	size_t n = 0;

	for (; doc && (doc = strstr(doc, s)); doc += strlen(s))
		n++;
	return n;
}

static void test_hostile_document(void)
{
	struct ticket t = {
		/* a status and a priority an old database held: read as unknown */
		.id = 8, .ref = "INC-2026-0008", .subject = HOSTILE, .status = STATUS_UNKNOWN,
		.priority = PRIORITY_UNSET, .type = TYPE_MALWARE, .source = SOURCE_UNSET,
		.reporter_addr = HOSTILE, .reporter_name = HOSTILE, .owner = HOSTILE,
		.created_at = T0, .updated_at = T0, .aware_at = T0,
		.flags = FLAG_BIT(FLAG_AMAZON), .affected = 1200, .classify_why = HOSTILE,
		.escalation_stage = 2,
		.lessons = "原因: ```\n# 偽の見出し\n```````\n</pre>",
	};
	struct checklist_item items[] = {
		{ .pos = 1, .text = HOSTILE, .done_at = T0 + 60, .done_by = HOSTILE },
		{ .pos = 2, .text = "未了の項目" },
	};
	struct obligation obl[] = {
		{ .kind = "amazon", .state = OBLIGATION_OPEN, .created_at = T0, .start_at = T0,
		  .due_at = T0 + 24 * 3600 },
		{ .kind = HOSTILE, .state = OBLIGATION_NOT_NEEDED, .created_at = T0, .start_at = T0,
		  .due_at = T0 + 3600, .closed_at = T0 + 60, .closed_by = HOSTILE,
		  .reason = HOSTILE },
	};
	struct mail_attachment att[] = {
		{ .filename = HOSTILE, .content_type = "text/html", .size = 12, .sha256 = SHA_A },
		{ .content_type = HOSTILE, .size = 0, .sha256 = SHA_B },
	};
	struct message_row msgs[] = {
		{ .id = 11, .kind = HOSTILE, .message_id = HOSTILE, .from_addr = HOSTILE,
		  .from_name = HOSTILE, .subject = HOSTILE, .sha256 = SHA_A,
		  .body = "`````\n# owned\n</code></pre><script>x()</script>\n| a | b |\n",
		  .received_at = T0, .size = 99, .n_attachments = 2, .attachments = att },
		{ .id = 12, .kind = "follow-up", .sha256 = SHA_A, .received_at = T0 + 60 },
	};
	char *msg_sha[] = { SHA_A, SHA_B };
	struct outbox_entry mails[] = {
		{ .kind = HOSTILE, .message_id = HOSTILE, .rcpt = HOSTILE, .subject = HOSTILE,
		  .state = OUTBOX_FAILED, .created_at = T0, .last_error = HOSTILE },
	};
	struct event evs[] = {
		{ .id = 5, .at = T0, .actor = HOSTILE, .kind = HOSTILE, .detail = HOSTILE,
		  .hash = HASH1 },
		{ .id = 9, .at = T0 + 60, .actor = "bot", .kind = "status", .hash = HASH2 },
	};
	char *problems[] = { "event 3 (INC-2026-0008, …): hash does not match | <b>" };
	struct verify_result vr = { .events = 9, .messages = 2, .problems = 1, .last_id = 9,
				    .last_hash = HASH2 };
	struct export_report r = {
		.ticket = &t, .msgs = msgs, .n_msgs = 2, .msg_sha = msg_sha,
		.mails = mails, .n_mails = 1, .events = evs, .n_events = 2,
		.items = items, .n_items = 2, .obl = obl, .n_obl = 2, .vr = &vr,
		.verdict = "FAILED: 1 problem in 9 events, 2 messages",
		.problems = problems, .n_problems = 1, .now = T0 + 7200,
	};
	static const char *const headings[] = {
		"# インシデント記録 (Incident record) INC-2026-0008", "## 概要 (Ticket)",
		"## 分類とその根拠 (Classification and why)", "## フラグ (Flags)",
		"## 義務と期限 (Obligations, policy 7-4)", "## チェックリスト (Checklist, policy 7-6)",
		"## 受信したメッセージ (Messages received)", "### 1. messages/001.eml",
		"### 2. messages/002.eml", "## ボットが送信したメール (Mail sent by the bot)",
		"## 経過 (Timeline)", "## 再発防止のための文書 (Lessons learned, policy 8)",
		"## 完全性 (Integrity)",
	};
	char *got = render(&r);
	struct md_read m;
	size_t i;

	md_read(got ? got : "", &m);
	CHECK_INT(m.n_headings, sizeof headings / sizeof headings[0],
		  "hostile fields: the report's own headings, no other");
	for (i = 0; i < m.n_headings && i < sizeof headings / sizeof headings[0]; i++)
		if (strcmp(m.headings[i], headings[i]) != 0)
			CHECK_STR(m.headings[i], headings[i], "  ... in order");
	CHECK(m.blocks == 3 && !m.unclosed,
	      "... the two messages' texts and the lessons: three closed blocks");
	CHECK_INT(m.bad_row, 0, "... every table row has its header's cells");
	CHECK_INT(m.raw_html, 0, "... no HTML but <br>");
	CHECK_INT(m.loose_pipe, 0, "... no pipe behind an even run of backslashes");
	has(got, "| 件名 (Subject) | " HOSTILE_MD " |\n", "... the subject escaped in its cell");
	has(got, "- 件名 (Subject): " HOSTILE_MD "\n", "... and in the list");
	has(got, "| 状態 (Status) | 未確認 (not set) |\n", "an unknown status: not set");
	has(got, "| 優先度 (Priority, policy 7-2) | 未確認 (not set) |\n",
	    "... and an unknown priority");
	has(got, "| 影響を受けた人数 (People affected) | 1200 |\n", "the people affected");
	has(got, "| 報告者 (Reporter) | " HOSTILE_MD " " HOSTILE_MD " |\n", "the reporter");
	has(got, "- Amazon 関係 (amazon)\n", "the flags");
	has(got, "| Amazon への通知 (24 時間以内) (amazon) | 未了 (open) | ",
	    "an open obligation with its label and state");
	CHECK(!strstr(got ? got : "", "期限超過"), "... not overdue before its due time");
	has(got, "| ? (" HOSTILE_MD ") | 不要 (not-needed) | 2026-11-25T10:00:00+09:00 | "
	    "2026-11-25T10:00:00+09:00 | 2026-11-25T11:00:00+09:00 | 2026-11-25T10:01:00+09:00 | "
	    HOSTILE_MD " | " HOSTILE_MD " |\n",
	    "an obligation not needed: past its due time, not overdue, who and why escaped");
	has(got, "| 2 | 未了の項目 | 未了 (open) | — |\n", "an open checklist item");
	has(got, "- 差出人 (From): " HOSTILE_MD " " HOSTILE_MD "\n", "a message's sender");
	has(got, "  - " HOSTILE_MD " (text/html, 12 bytes, SHA-256 `" SHA_A "`)\n",
	    "an attachment's name escaped");
	has(got, "  - (名前なし / no name) (" HOSTILE_MD ", 0 bytes, SHA-256 `" SHA_B "`)\n",
	    "an attachment without a name; its type escaped");
	has(got, "``````text\n`````\n# owned\n</code></pre><script>x()</script>\n| a | b |\n"
	    "``````\n", "a message's text verbatim in a longer fence");
	has(got, "- SHA-256: `" SHA_A "` **保存されたバイト列のハッシュと一致しません "
	    "(the stored bytes hash to `" SHA_B "`)**\n",
	    "a message whose bytes do not hash to the stored SHA-256 is pointed out");
	CHECK_INT(count(got, "一致しません"), 1, "... only that one");
	has(got, "### 2. messages/002.eml\n\n- 種別 (Kind): follow-up\n- 差出人 (From): —\n"
	    "- 日付 (Date): —\n", "a message without sender or date");
	has(got, "本文 (Text):\n\n```text\n```\n", "... and without text: an empty block");
	has(got, "| 1 | " HOSTILE_MD " | " HOSTILE_MD " | " HOSTILE_MD " | failed (" HOSTILE_MD
	    ") | 2026-11-25T10:00:00+09:00 | — | " HOSTILE_MD " | sent/001.eml |\n",
	    "a failed mail: its error escaped, never sent");
	has(got, "| 5 | 2026-11-25T10:00:00+09:00 | " HOSTILE_MD " | " HOSTILE_MD " | "
	    HOSTILE_MD " | `" HASH1 "` |\n", "a timeline row escaped, with its hash");
	has(got, "| 9 | 2026-11-25T10:01:00+09:00 | status | bot |  | `" HASH2 "` |\n",
	    "an event without detail");
	has(got, "````````text\n原因: ```\n# 偽の見出し\n```````\n</pre>\n````````\n",
	    "the lessons verbatim in a fence longer than theirs");
	has(got, "- 検証 (Verify): FAILED: 1 problem in 9 events, 2 messages\n",
	    "the verdict at the top");
	has(got, "  - event 3 (INC-2026-0008, …): hash does not match \\| \\<b\\>\n",
	    "verify's problem listed, escaped");
	has(got, "- 最初のイベント (First event): 5 `" HASH1 "`\n- 最後のイベント (Last event): 9 `"
	    HASH2 "`\n", "the ticket's first and last event");
	free(got);

	/* the same, once the first obligation is due */
	r.now = T0 + 24 * 3600;
	got = render(&r);
	has(got, "| 未了 (open) **期限超過 (overdue)** | ", "an open obligation due now is overdue");
	free(got);
}

/* Every string the records may leave NULL, NULL. */
static void test_null_document(void)
{
	struct ticket t = { .id = 9, .ref = "INC-2026-0009", .status = STATUS_UNKNOWN,
			    .priority = PRIORITY_UNSET, .type = TYPE_UNSET, .source = SOURCE_UNSET,
			    .affected = -1 };
	struct checklist_item item = { .pos = 1 };
	struct obligation obl = { .state = OBLIGATION_CANCELLED, .due_at = T0 };
	struct mail_attachment att = { .sha256 = SHA_A };
	struct message_row msg = { .id = 1, .n_attachments = 1, .attachments = &att };
	char *msg_sha[] = { SHA_A };
	struct outbox_entry mail = { .state = OUTBOX_PENDING, .intent = true };
	struct event ev = { .id = 1, .hash = HASH1 };
	char *problems[] = { NULL };
	struct verify_result vr = { 0 };
	struct export_report r = {
		.ticket = &t, .msgs = &msg, .n_msgs = 1, .msg_sha = msg_sha,
		.mails = &mail, .n_mails = 1, .events = &ev, .n_events = 1,
		.items = &item, .n_items = 1, .obl = &obl, .n_obl = 1, .vr = &vr,
		.problems = problems, .n_problems = 1, .now = T0,
	};
	char *got = render(&r);
	struct md_read m;

	CHECK(got != NULL, "records with every optional text NULL render");
	md_read(got ? got : "", &m);
	CHECK(m.n_headings == 12 && m.blocks == 1 && !m.unclosed && !m.bad_row,
	      "... with the same structure");
	has(got, "| 状態 (Status) | 未確認 (not set) |\n", "... a status not set");
	has(got, "| 担当 (Owner) | 未定 (none) |\n", "... no owner");
	has(got, "- SHA-256: `` **保存されたバイト列のハッシュと一致しません (the stored bytes "
	    "hash to `" SHA_A "`)**\n", "... a message without a stored SHA-256 is pointed out");
	has(got, "| ? () | 取消 (cancelled) | — | — | 2026-11-25T10:00:00+09:00 | — | — | — |\n",
	    "... an obligation without a kind, times or reason");
	has(got, "未登録 / not recorded\n", "... no lessons");
	has(got, " | 作成前 (not rendered yet) |\n",
	    "... a mail still an intent names no sent/ file (issue 16: it has no bytes yet)");
	CHECK(!strstr(got ? got : "", "データベースの最新イベント"),
	      "... an empty database names no newest event");
	free(got);
}

int main(void)
{
	clock_set_zone("Asia/Tokyo");
	test_md_text();
	test_md_block();
	test_md_block_hostile();
	test_small_document();
	test_hostile_document();
	test_null_document();
	return test_done();
}
