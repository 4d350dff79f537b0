/*
 * test_mime.c — the parse stage: golden fixtures (tests/fixtures/mail/, a
 * mail in, the fields a user would check out), small inline mails for the
 * edge cases, RFC 2047 decoding, a sweep over the real-world corpus, and
 * mutated mails (truncated, bytes flipped) that must not crash.
 *
 * Runs from the repository root.  IB_CORPUS names the corpus directory
 * (default ../shared/corpus/mail).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/digest.h"
#include "mime/mime.h"
#include "test.h"

#define FIXTURES "tests/fixtures/mail/"

static char what_buf[512];

static const char *what(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static const char *what(const char *fmt, ...)
{
	va_list ap;

	char raw[sizeof what_buf];
	size_t i, o = 0;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	/* one TAP line: line ends shown as \n */
	for (i = 0; raw[i] && o + 3 < sizeof what_buf; i++) {
		if (raw[i] == '\n' || raw[i] == '\r') {
			what_buf[o++] = '\\';
			what_buf[o++] = raw[i] == '\n' ? 'n' : 'r';
		} else {
			what_buf[o++] = raw[i];
		}
	}
	what_buf[o] = '\0';
	return what_buf;
}

/* The whole file in a buffer of exactly its size (no NUL: ASan sees overreads). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n ? (size_t)n : 1)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Our own check, independent of mime.c's: well-formed UTF-8 (RFC 3629). */
static int utf8_ok(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len, k;

	if (!s)
		return 1;
	while (u[i]) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		len = u[i] >= 0xc2 && u[i] <= 0xdf ? 2 : u[i] >= 0xe0 && u[i] <= 0xef ? 3
		    : u[i] >= 0xf0 && u[i] <= 0xf4 ? 4 : 0;
		if (!len)
			return 0;
		for (k = 1; k < len; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
		if ((u[i] == 0xe0 && u[i + 1] < 0xa0) || (u[i] == 0xed && u[i + 1] > 0x9f) ||
		    (u[i] == 0xf0 && u[i + 1] < 0x90) || (u[i] == 0xf4 && u[i + 1] > 0x8f))
			return 0;
		i += len;
	}
	return 1;
}

/* "type/subtype": lower case, printable ASCII without spaces, one '/'. */
static int content_type_ok(const char *s)
{
	const char *slash = s ? strchr(s, '/') : NULL;

	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || (*s >= 'A' && *s <= 'Z'))
			return 0;
	return 1;
}

/* What every successful parse must give: a body, and UTF-8 everywhere. */
static const char *mail_problem(const struct mail *m)
{
	size_t i;

	if (!m->body)
		return "body is NULL";
	if (!utf8_ok(m->body))
		return "body is not valid UTF-8";
	if (strchr(m->body, '\r'))
		return "body has a CR";
	if (!utf8_ok(m->subject) || !utf8_ok(m->from.name) || !utf8_ok(m->from.addr) ||
	    !utf8_ok(m->date_raw) || !utf8_ok(m->message_id) || !utf8_ok(m->in_reply_to) ||
	    !utf8_ok(m->auto_submitted) || !utf8_ok(m->precedence) ||
	    !utf8_ok(m->list_id) || !utf8_ok(m->return_path))
		return "a header is not valid UTF-8";
	if ((m->subject && strpbrk(m->subject, "\r\n")) ||
	    (m->from.name && strpbrk(m->from.name, "\r\n")))
		return "a header has a line break";
	for (i = 0; i < m->n_to; i++)
		if (!utf8_ok(m->to[i].name) || !utf8_ok(m->to[i].addr))
			return "a To address is not valid UTF-8";
	for (i = 0; i < m->n_cc; i++)
		if (!utf8_ok(m->cc[i].name) || !utf8_ok(m->cc[i].addr))
			return "a Cc address is not valid UTF-8";
	for (i = 0; i < m->n_references; i++)
		if (!m->references[i] || !utf8_ok(m->references[i]) || !m->references[i][0])
			return "a reference is NULL, empty or not UTF-8";
	if ((m->message_id && !m->message_id[0]) || (m->in_reply_to && !m->in_reply_to[0]))
		return "an empty msg-id";
	for (i = 0; i < m->n_attachments; i++)
		if (!m->attachments[i].content_type || !utf8_ok(m->attachments[i].filename) ||
		    strlen(m->attachments[i].sha256) != 64)
			return "an attachment record is incomplete";
		else if (!content_type_ok(m->attachments[i].content_type))
			return "an attachment's content type is not a clean type/subtype";
	return NULL;
}

/* ---- golden fixtures ---------------------------------------------------- */

/*
 * To add a fixture: write the .eml into tests/fixtures/mail/ (byte for
 * byte what a client sends), add a row with what a user would check, the
 * date from `date -d '2024-04-02 09:15:00 +0900' +%s`, and any attachment
 * to golden_atts with `sha256sum` of its decoded bytes.
 */

static const struct golden {
	const char *file;
	const char *subject, *from_name, *from_addr, *message_id, *in_reply_to;
	const char *refs[3];		/* NULL-terminated */
	long long date;			/* computed with Python from the Date: header */
	const char *body_has[3];	/* substrings the body must contain */
	const char *body_lacks;
	size_t n_to, n_cc, n_att;
	int lossy;
} goldens[] = {
	{ "ja-utf8-report.eml", "【障害報告】共有フォルダに不審なファイル", "山田 太郎",
	  "yamada@example.co.jp", "20240402091500.12345@mail.example.co.jp", NULL, { NULL },
	  1712016900, { "情報システム部 御中\n\n本日 8:40 頃", "・対象端末: PC-EIGYO-023\n",
	  "ご確認をお願いいたします。\n" }, "\r", 2, 1, 0, 0 },
	{ "ja-iso2022jp-report.eml", "ウイルス感染の報告", "鈴木 一郎", "suzuki@example.jp",
	  "jis-0001@example.jp", NULL, { NULL }, 1712131530,
	  { "システム管理者 様\n", "ウイルス対策ソフトが警告を表示しました。", "対象: 経理部の端末①\n" },
	  "\x1b", 1, 0, 0, 0 },
	{ "multipart-attachment.eml", "調査報告", "Taro Yamada", "yamada@example.co.jp",
	  "multi-0001@example.co.jp", NULL, { NULL }, 1712194200,
	  { "添付のとおり調査報告書とログを送ります。" }, "This is a multi-part", 1, 0, 2, 0 },
	{ "reply.eml", "Re: 【障害報告】共有フォルダに不審なファイル", "Security Team",
	  "security@example.com", "reply-0001@example.com",
	  "20240402091500.12345@mail.example.co.jp",
	  { "thread-start@example.co.jp", "20240402091500.12345@mail.example.co.jp" },
	  1712019723, { "山田様\n\n受け付けました。" }, NULL, 1, 0, 0, 0 },
	{ "ja-sjis.eml", "入退室記録の件①", "高橋", "takahashi@example.jp", "sjis-0001@example.jp",
	  NULL, { NULL }, 1712271600,
	  { "サーバ室の入退室記録に不審な点があります。\n", "① 4/5 02:10 入室記録のみ",
	  "② 退室記録なし ～ 確認中" }, NULL, 1, 0, 0, 0 },
	{ "html-only.eml", "Phishing report", "Hanako Sato", "sato@example.co.jp",
	  "html-0001@example.co.jp", NULL, { NULL }, 1712422800,
	  { "Dear team,\n", "received & clicked by 2 users.\nAffected: <all> ① ②", "Regards,\n佐藤" },
	  "color: red", 1, 0, 0, 0 },
	{ "lf-only.eml", "VPN 障害（大阪拠点）", NULL, "ops@example.net", "lf-0001@example.net",
	  NULL, { NULL }, 1712534399,
	  { "断続的に切断されています。影響範囲は大阪拠点の全員です。至急確認をお願いします。" },
	  "html version", 2, 0, 0, 0 },
	{ "forwarded.eml", "Fwd: suspicious mail", "Taro Yamada", "yamada@example.co.jp",
	  "fwd-0001@example.co.jp", NULL, { NULL }, 1712536200,
	  { "不審なメールを転送します。\n---- forwarded message ----\n",
	  "From: 外部 業者 <vendor@example.org>\nDate: Mon, 8 Apr 2024 09:00:00 +0900\n"
	  "Subject: 請求書の送付\n\n", "添付の請求書をご確認ください。" }, NULL, 1, 0, 1, 0 },
	{ "unlabelled-sjis.eml", "紛失の報告", NULL, "takahashi@example.jp",
	  "nolabel-0001@example.jp", NULL, { NULL }, 1712624400,
	  { "パスワードを書いた付箋を紛失しました。\n" }, NULL, 1, 0, 0, 0 },
	/* Found by fuzzing: charset "utf-8\xa3" is UTF-8 to glibc's iconv,
	 * which passed F5 AC 8A 8A (above U+10FFFF) into the body.  Each byte
	 * of it is U+FFFD now, like the stray bytes around it; the mangled
	 * "Content-T\xf9pe" leaves the forwarded part a plain attachment. */
	{ "fuzz-utf8-charset-garbage.eml", "Fwd: suspicious mail", "Taro Yamada",
	  "yamada@example.co.jp", "fuzz-utf8-0001@example.co.jp", NULL, { NULL }, 1712536200,
	  { "不審なメールを転送します。\n",
	  "09:00.co" "\xef\xbf\xbd\xef\xbf\xbd" "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	  "\xef\xbf\xbd\xef\xbf\xbd" "Apr  9 10:00:00 2024\n" }, NULL, 1, 0, 1, 1 },
};

static void check_golden(const struct golden *g, const struct mail *m)
{
	size_t i, n_refs = 0;

	CHECK_STR(m->subject, g->subject, what("%s: subject", g->file));
	CHECK_STR(m->from.name, g->from_name, what("%s: from name", g->file));
	CHECK_STR(m->from.addr, g->from_addr, what("%s: from address", g->file));
	CHECK_STR(m->message_id, g->message_id, what("%s: message-id", g->file));
	CHECK_STR(m->in_reply_to, g->in_reply_to, what("%s: in-reply-to", g->file));
	while (n_refs < 3 && g->refs[n_refs])
		n_refs++;
	CHECK_INT(m->n_references, n_refs, what("%s: references count", g->file));
	for (i = 0; i < n_refs && i < m->n_references; i++)
		CHECK_STR(m->references[i], g->refs[i], what("%s: reference %zu", g->file, i));
	CHECK_INT(m->date, g->date, what("%s: date as UTC", g->file));
	for (i = 0; i < 3 && g->body_has[i]; i++) {
		int ok = m->body && strstr(m->body, g->body_has[i]);

		CHECK(ok, what("%s: body has \"%.40s\"", g->file, g->body_has[i]));
		if (!ok)
			printf("#   body: \"%s\"\n", m->body ? m->body : "(null)");
	}
	if (g->body_lacks)
		CHECK(m->body && !strstr(m->body, g->body_lacks),
		      what("%s: body lacks \"%s\"", g->file, g->body_lacks));
	CHECK_INT(m->n_to, g->n_to, what("%s: To count", g->file));
	CHECK_INT(m->n_cc, g->n_cc, what("%s: Cc count", g->file));
	CHECK_INT(m->n_attachments, g->n_att, what("%s: attachment count", g->file));
	CHECK_INT(m->body_lossy, g->lossy, what("%s: lossy flag", g->file));
	CHECK_STR(mail_problem(m), NULL, what("%s: UTF-8 everywhere, LF body", g->file));
}

/* Sizes and digests from `sha256sum` over the bytes the fixtures encode. */
static const struct golden_att {
	const char *file;
	size_t idx;
	const char *filename, *content_type;
	size_t size;
	const char *sha256;
} golden_atts[] = {
	{ "multipart-attachment.eml", 0, "調査報告書.pdf", "application/pdf", 781,
	  "2d1b7e5664aa6c074fa55e12e4327b1777e34667aef285cdba25926ee86b8821" },
	{ "multipart-attachment.eml", 1, "ログ.csv", "text/csv", 62,
	  "9be617cd19f6a93e7ce6a9fa0377b2a229c67377a93023a5b6f10902b1339a0a" },
	{ "forwarded.eml", 0, "invoice.exe", "application/octet-stream", 18,
	  "8ac8dd84944893b41c64fdc5d72f6d75d286e5b72a8f30f567769bcc2db2786a" },
};

static int parse_file(const char *file, struct mail *m, struct error *e)
{
	char path[256];
	size_t len;
	char *raw;
	int r;

	snprintf(path, sizeof path, FIXTURES "%s", file);
	if (!(raw = slurp(path, &len))) {
		printf("# cannot read %s (run from the repository root)\n", path);
		return -2;
	}
	r = mime_parse(raw, len, m, e);
	free(raw);
	return r;
}

static void test_goldens(void)
{
	size_t i, k;

	for (i = 0; i < sizeof goldens / sizeof *goldens; i++) {
		struct mail m = { 0 };
		struct error e = { 0 };
		int r = parse_file(goldens[i].file, &m, &e);

		CHECK_INT(r, 0, what("%s: parses", goldens[i].file));
		if (r == 0)
			check_golden(&goldens[i], &m);
		for (k = 0; r == 0 && k < sizeof golden_atts / sizeof *golden_atts; k++) {
			const struct golden_att *a = &golden_atts[k];
			const struct mail_attachment *got;

			if (strcmp(a->file, goldens[i].file) != 0)
				continue;
			if (a->idx >= m.n_attachments) {
				CHECK(0, what("%s: attachment %zu present", a->file, a->idx));
				continue;
			}
			got = &m.attachments[a->idx];
			CHECK_STR(got->filename, a->filename, what("%s: attachment %zu name", a->file, a->idx));
			CHECK_STR(got->content_type, a->content_type,
				  what("%s: attachment %zu type", a->file, a->idx));
			CHECK_INT(got->size, a->size, what("%s: attachment %zu size", a->file, a->idx));
			CHECK_STR(got->sha256, a->sha256, what("%s: attachment %zu sha256", a->file, a->idx));
		}
		mail_release(&m);
	}
}

/* Things only one fixture shows. */
static void test_golden_details(void)
{
	struct mail m = { 0 };
	struct error e = { 0 };

	if (parse_file("ja-utf8-report.eml", &m, &e) == 0) {
		CHECK_STR(m.to[0].addr, "incident@example.com", "ja-utf8-report: first To");
		CHECK_STR(m.to[0].name, NULL, "ja-utf8-report: first To has no name");
		CHECK_STR(m.to[1].name, "Security Team", "ja-utf8-report: quoted To name");
		CHECK_STR(m.cc[0].name, "佐藤 花子", "ja-utf8-report: Q-encoded Cc name");
		CHECK_STR(m.return_path, "<yamada@example.co.jp>", "ja-utf8-report: Return-Path raw");
		CHECK_STR(m.date_raw, "Tue, 02 Apr 2024 09:15:00 +0900", "ja-utf8-report: Date raw");
		CHECK_STR(m.auto_submitted, NULL, "ja-utf8-report: no Auto-Submitted");
	}
	mail_release(&m);
	if (parse_file("lf-only.eml", &m, &e) == 0) {
		CHECK_STR(m.to[0].addr, "incident@example.com", "lf-only: group member 1");
		CHECK_STR(m.to[1].addr, "desk2@example.com", "lf-only: group member 2");
		CHECK_STR(m.auto_submitted, "no", "lf-only: Auto-Submitted raw");
	}
	mail_release(&m);
}

/* ---- inline mails: edge cases ------------------------------------------ */

/* A string literal and its length, NUL bytes included. */
#define RAW(s) s, sizeof(s) - 1

static const struct inline_case {
	const char *what;
	const char *raw;
	size_t len;
	int ret;
	const char *subject;		/* checked when ret == 0 */
	const char *body_has;
	int lossy;
	long long date;			/* -1: not checked */
} inlines[] = {
	{ "BOM and LF", RAW("\xef\xbb\xbf" "From: a@example.com\nSubject: bom\n\nhello\nworld\n"),
	  0, "bom", "hello\nworld\n", 0, -1 },
	{ "CR-only line ends", RAW("From: a@example.com\rSubject: old mac\r\rline1\rline2\r"),
	  0, "old mac", "line1\nline2\n", 0, -1 },
	{ "NUL in body", RAW("From: a@example.com\r\nSubject: nul\r\n\r\nab\0cd\r\n"),
	  0, "nul", "abcd\n", 1, -1 },
	{ "bad bytes under a UTF-8 label", RAW("From: a@example.com\r\nSubject: bad\r\n"
	  "Content-Type: text/plain; charset=utf-8\r\n\r\nok \xff end\r\n"),
	  0, "bad", "ok \xef\xbf\xbd end\n", 1, -1 },
	{ "UTF-8 under an ISO-2022-JP label", RAW("From: a@example.com\r\nSubject: label\r\n"
	  "Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n障害です\r\n"),
	  0, "label", "障害です\n", 0, -1 },
	{ "unknown charset, ASCII text", RAW("From: a@example.com\r\nSubject: x\r\n"
	  "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nplain words\r\n"),
	  0, "x", "plain words\n", 0, -1 },
	{ "EUC-JP labelled euc-jp", RAW("From: a@example.com\r\nSubject: euc\r\n"
	  "Content-Type: text/plain; charset=euc-jp\r\n\r\n\xbe\xe3\xb3\xb2\xa4\xc7\xa4\xb9\r\n"),
	  0, "euc", "障害です\n", 0, -1 },
	{ "unlabelled EUC-JP", RAW("From: a@example.com\r\nSubject: euc\r\n\r\n"
	  "\xbe\xe3\xb3\xb2\xa4\xc7\xa4\xb9\r\n"), 0, "euc", "障害です\n", 0, -1 },
	{ "unlabelled Latin-1 stays Latin", RAW("From: a@example.com\r\n"
	  "Subject: Forma\xe7\xe3o\r\n\r\nOl\xe1\r\n"), 0, "Formação", "Olá\n", 0, -1 },
	{ "raw 8-bit UTF-8 header", RAW("From: a@example.com\r\nSubject: 障害 report\r\n\r\nx\r\n"),
	  0, "障害 report", "x\n", 0, -1 },
	{ "raw 8-bit header in the body's charset", RAW("From: a@example.com\r\n"
	  "Subject: \xc7\xd1\xb1\xdb\r\nContent-Type: text/plain; charset=euc-kr\r\n\r\nx\r\n"),
	  0, "한글", "x\n", 0, -1 },
	{ "inline named text part is the body", RAW("From: a@example.com\r\nSubject: n\r\n"
	  "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
	  "Content-Type: text/plain; charset=utf-8; name=note.txt\r\n"
	  "Content-Disposition: inline; filename=note.txt\r\n\r\nthe note\r\n--b--\r\n"),
	  0, "n", "the note", 0, -1 },
	{ "raw ISO-2022-JP header",
	  RAW("From: a@example.com\r\nSubject: \x1b$B>c32\x1b(B\r\n\r\nx\r\n"),
	  0, "障害", "x\n", 0, -1 },
	{ "CR LF injected by an encoded word", RAW("From: a@example.com\r\n"
	  "Subject: =?UTF-8?Q?a=0D=0ABcc:_evil@example.com?=\r\n\r\nx\r\n"),
	  0, "aBcc: evil@example.com", "x\n", 0, -1 },
	{ "control characters in a header", RAW("From: a@example.com\r\n"
	  "Subject: =?UTF-8?Q?a=09b=1Bc=7Fd?=\r\n\r\nx\r\n"), 0, "a b c d", "x\n", 0, -1 },
	{ "broken encoded word keeps the rest",
	  RAW("From: a@example.com\r\nSubject: a =?bad b c\r\n\r\nx\r\n"),
	  0, "a =?bad b c", "x\n", 0, -1 },
	{ "unknown encoding letter",
	  RAW("From: a@example.com\r\nSubject: =?UTF-8?X?abc?= tail\r\n\r\nx\r\n"),
	  0, "=?UTF-8?X?abc?= tail", "x\n", 0, -1 },
	{ "header only, no body", RAW("From: a@example.com\r\nSubject: only\r\n"),
	  0, "only", "", 0, -1 },
	{ "multipart without a boundary", RAW("From: a@example.com\r\nSubject: mp\r\n"
	  "Content-Type: multipart/mixed\r\n\r\nthe text\r\n"), 0, "mp", "the text\n", 0, -1 },
	{ "boundary never found", RAW("From: a@example.com\r\nSubject: mp\r\n"
	  "Content-Type: multipart/mixed; boundary=zz\r\n\r\nthe text\r\n"),
	  0, "mp", "the text\n", 0, -1 },
	{ "UT zone (libetpan says 1)", RAW("From: a@example.com\r\nSubject: d\r\n"
	  "Date: Mon, 1 Apr 2024 00:00:00 UT\r\n\r\nx\r\n"), 0, "d", "x", 0, 1711929600 },
	{ "EST zone", RAW("From: a@example.com\r\nSubject: d\r\n"
	  "Date: Mon, 1 Apr 2024 00:00:00 EST\r\n\r\nx\r\n"), 0, "d", "x", 0, 1711947600 },
	{ "two-digit year", RAW("From: a@example.com\r\nSubject: d\r\n"
	  "Date: 1 Apr 24 00:00:00 +0000\r\n\r\nx\r\n"), 0, "d", "x", 0, 1711929600 },
	{ "no Date", RAW("From: a@example.com\r\nSubject: d\r\n\r\nx\r\n"), 0, "d", "x", 0, 0 },
	/* issue 3: jpmobile__au-decomail2, the last delimiter not closed and
	 * blank lines after it: the decoded text part, not the raw MIME
	 * (which holds "the=20text") */
	{ "multipart ends in a delimiter and blank lines", RAW("From: a@example.com\n"
	  "Subject: au\nContent-Type: multipart/alternative; boundary=B\n\n--B\n"
	  "Content-Type: text/plain; charset=utf-8\n"
	  "Content-Transfer-Encoding: quoted-printable\n\nthe=20text\n--B\n"
	  "Content-Type: text/html; charset=utf-8\n\n<p>html</p>\n--B\n\n\n"),
	  0, "au", "the text\n", 0, -1 },
	{ "multipart ends in a delimiter and a space", RAW("From: a@example.com\r\n"
	  "Subject: au\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
	  "Content-Transfer-Encoding: quoted-printable\r\n\r\nthe=20text\r\n--B\r\n \r\n"),
	  0, "au", "the text\n", 0, -1 },
	/* issue 3: fml8__text_html, EUC-KR named only by the HTML <meta> */
	{ "HTML charset in <meta http-equiv>", RAW("From: a@example.com\r\nSubject: m\r\n"
	  "Content-Type: text/html\r\n\r\n<html><head><meta http-equiv=\"content-type\" "
	  "content=\"text/html; charset=euc-kr\"></head><body>\xbc\xba\xc0\xce "
	  "\xc0\xfc\xbf\xeb \xb9\xab\xb7\xe1 \xbb\xe7\xc0\xcc\xc6\xae</body></html>\r\n"),
	  0, "m", "성인 전용 무료 사이트", 0, -1 },
	{ "HTML <meta charset> under us-ascii", RAW("From: a@example.com\r\nSubject: m\r\n"
	  "Content-Type: text/html; charset=us-ascii\r\n\r\n<meta charset=euc-kr>"
	  "\xc7\xd1\xb1\xdb\r\n"), 0, "m", "한글", 0, -1 },
	{ "MIME charset beats the <meta>", RAW("From: a@example.com\r\nSubject: m\r\n"
	  "Content-Type: text/html; charset=iso-8859-1\r\n\r\n<meta charset=euc-kr>"
	  "caf\xe9\r\n"), 0, "m", "café", 0, -1 },
	{ "raw 8-bit in an encoded word, another hint", RAW("From: a@example.com\r\n"
	  "Subject: =?iso-8859-1?Q?Die_Fr\xf6sche?=\r\n"
	  "Content-Type: text/plain; charset=euc-kr\r\n\r\nx\r\n"),
	  0, "Die Frösche", "x\n", 0, -1 },
	{ "no header at all", RAW("just some text\r\nand more\r\n"), -1, NULL, NULL, 0, -1 },
	{ "empty input", RAW(""), -1, NULL, NULL, 0, -1 },
	{ "only blank lines", RAW("\r\n\r\n  \r\n"), -1, NULL, NULL, 0, -1 },
};

static void test_inlines(void)
{
	static const struct mail zero;
	size_t i;

	for (i = 0; i < sizeof inlines / sizeof *inlines; i++) {
		const struct inline_case *c = &inlines[i];
		size_t len = c->len;
		char *raw = malloc(len ? len : 1);	/* exact size: no NUL after it */
		struct mail m = { 0 };
		struct error e = { 0 };
		int r;

		memcpy(raw, c->raw, len);
		r = mime_parse(raw, len, &m, &e);
		CHECK_INT(r, c->ret, what("inline: %s: return", c->what));
		if (r < 0) {
			CHECK_INT(e.cls, ERR_MESSAGE, what("inline: %s: ERR_MESSAGE", c->what));
			CHECK(memcmp(&m, &zero, sizeof m) == 0,
			      what("inline: %s: nothing left to free", c->what));
		} else {
			CHECK_STR(m.subject, c->subject, what("inline: %s: subject", c->what));
			CHECK(m.body && strstr(m.body, c->body_has),
			      what("inline: %s: body has \"%s\"", c->what, c->body_has));
			CHECK_INT(m.body_lossy, c->lossy, what("inline: %s: lossy", c->what));
			if (c->date >= 0)
				CHECK_INT(m.date, c->date, what("inline: %s: date", c->what));
			CHECK_STR(mail_problem(&m), NULL, what("inline: %s: well-formed", c->what));
		}
		mail_release(&m);
		free(raw);
	}
}

/*
 * The same mail stored with LF (Maildir) and fetched with CRLF (IMAP) must
 * give the same text and the same attachment digest, or one report would
 * look like two.
 */
static void test_line_ends(void)
{
	static const char lf[] = "From: a@example.com\nSubject: eol\n"
		"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Type: text/plain; charset=utf-8\n\nline one\nline two\n--b\n"
		"Content-Type: text/plain; name=log.txt\n\nlog 1\nlog 2\n--b--\n";
	char crlf[sizeof lf * 2];
	struct mail a = { 0 }, b = { 0 };
	struct error e = { 0 };
	size_t i, n = 0;

	for (i = 0; i < sizeof lf - 1; i++) {
		if (lf[i] == '\n')
			crlf[n++] = '\r';
		crlf[n++] = lf[i];
	}
	CHECK(mime_parse(lf, sizeof lf - 1, &a, &e) == 0 && mime_parse(crlf, n, &b, &e) == 0,
	      "line ends: LF and CRLF copies parse");
	CHECK_STR(a.body, b.body, "line ends: same body");
	CHECK(a.n_attachments == 1 && b.n_attachments == 1 &&
	      strcmp(a.attachments[0].sha256, b.attachments[0].sha256) == 0,
	      "line ends: same attachment sha256");
	CHECK(a.n_attachments == 1 && a.attachments[0].size == strlen("log 1\r\nlog 2"),
	      "line ends: text attachment measured with CRLF, as sent");
	mail_release(&a);
	mail_release(&b);
}

/* ---- RFC 2047 ------------------------------------------------------------ */

static const struct { const char *in, *want; } headers[] = {
	{ "=?UTF-8?B?5bGx55Sw?=", "山田" },
	{ "=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=", "山田" },
	{ "=?iso-2022-jp*ja?B?GyRCOzNFRBsoQg==?=", "山田" },	/* RFC 2231 language */
	{ "=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait" },
	{ "=?UTF-8?B?5bGx?= =?UTF-8?B?55Sw?=", "山田" },		/* space between words dropped */
	{ "=?UTF-8?B?YeWx?= =?UTF-8?B?seeU?= =?UTF-8?B?sA==?=", "a山田" },	/* split inside a character */
	{ "Re: =?UTF-8?B?5bGx55Sw?= [#12]", "Re: 山田 [#12]" },
	{ "=?shift_jis?B?h0A=?=", "①" },			/* alias: Shift_JIS as CP932 */
	{ "=?UTF-8?B?5bGx55Sw", "山田" },			/* unterminated */
	/* a word libetpan refuses stays as written, and only that word */
	{ "=?UTF-8?B?5bGx55Sw?= =?utf-8??q?x?=", "山田 =?utf-8??q?x?=" },
	{ "Re: =?UTF-8?B?W0lOQy0yMDI2LTAwMDdd?= =?utf-8?x?y?= tail",
	  "Re: [INC-2026-0007] =?utf-8?x?y?= tail" },
	{ "plain ascii", "plain ascii" },
	{ "  padded  ", "padded" },
	{ "", "" },
	/* ISO-2022-JP as Windows writes it (nkf --oc=CP50221 -M): ① ㈱ 髙 ｼﾒｲ
	 * used to come out as "?" (issue 3) */
	{ "=?ISO-2022-JP?B?GyRCN29MPi0hLWp8YhsoSTxSMhsoQg==?=", "件名①㈱髙ｼﾒｲ" },
	{ "=?ISO-2022-JP?B?GyRCLSEtag==?= =?ISO-2022-JP?B?fGIbKEk8UjIbKEI=?=", "①㈱髙ｼﾒｲ" },
	/* a character cut between words (mutt 2.2): the bytes are joined
	 * before conversion, also when each word is padded (issue 3) */
	{ "=?UTF-8?B?44ix6Q==?= =?UTF-8?B?q5k=?=", "㈱髙" },
	{ "=?utf-8?B?44ix6Q==?=\r\n =?UTF-8?B?q5k=?= x", "㈱髙 x" },
	{ "=?UTF-8?Q?=E3=88=B1=E9?= =?UTF-8?Q?=AB=99?=", "㈱髙" },
	{ "=?ISO-2022-JP?B?GyRCN28=?= =?ISO-2022-JP?B?TD4bKEI=?=", "件名" },
	{ "=?ISO-2022-JP?B?GyRCLQ==?= =?ISO-2022-JP?B?IS1qfGIbKEk8UjIbKEI=?=", "①㈱髙ｼﾒｲ" },
	/* ... but not across charsets or text: each part alone is broken */
	{ "=?UTF-8?B?44ix6Q==?= =?ISO-8859-1?Q?x?=", "㈱\xef\xbf\xbdx" },
	{ "=?UTF-8?B?44ix6Q==?= - =?UTF-8?B?q5k=?=", "㈱\xef\xbf\xbd - \xef\xbf\xbd\xef\xbf\xbd" },
	/* white space: dropped between encoded words, one space elsewhere */
	{ "=?ISO-8859-1?Q?caf=E9?=  =?UTF-8?B?5bGx?=", "café山" },
	{ "a  b\t c =?UTF-8?B?5bGx?=  d", "a b c 山 d" },
	{ "=?UTF-8?B?5bGx?=x=?UTF-8?B?55Sw?=", "山x田" },
	{ "\"=?UTF-8?B?5bGx55Sw?=\"", "山田" },		/* quoted */
	/* a raw 8-bit byte inside a word is in the word's charset, decoded
	 * once (stalwart__legacy-015: "Müller" came out "MÃ¼ller") */
	{ "Heinz =?iso-8859-1?Q?M\xfc" "ller?=", "Heinz Müller" },
	{ "=?iso-8859-1?Q?Fr\xf6sche?= \xe7" "a", "Frösche ça" },
	/* "=?" inside raw ISO-2022-JP is a kanji (戎 is 0x3D3F), not a word */
	{ "\x1b$B=?\x1b(B =?UTF-8?B?5bGx?=", "戎 山" },
	{ "=?x-no-such-charset?Q?caf=E9?=", "café" },	/* unknown: detected */
};

static void test_decode_header(void)
{
	size_t i;
	char *s;

	for (i = 0; i < sizeof headers / sizeof *headers; i++) {
		s = mime_decode_header(headers[i].in);
		CHECK_STR(s, headers[i].want, what("decode header \"%s\"", headers[i].in));
		free(s);
	}
	s = mime_decode_header(NULL);
	CHECK_STR(s, "", "decode header NULL");
	free(s);
}

/*
 * Display names and file names go the same way as the Subject: Windows
 * ISO-2022-JP (nkf) and a character cut between words (mutt), with the
 * body's charset as the hint for the raw bytes around them.
 */
static void test_decode_fields(void)
{
	static const char raw[] = "From: =?ISO-2022-JP?B?GyRCLSEtag==?= =?ISO-2022-JP?B?"
		"fGIbKEk8UjIbKEI=?= <a@example.com>\r\n"
		"To: \"=?UTF-8?B?44ix6Q==?= =?UTF-8?B?q5k=?=\" <b@example.com>\r\n"
		"Subject: f\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		"Content-Type: text/plain; charset=shift_jis\r\n\r\nx\r\n--b\r\n"
		"Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
		" filename=\"=?ISO-2022-JP?B?GyRCN29MPi0hLWp8YhsoSTxSMhsoQg==?=.pdf\"\r\n\r\n"
		"DATA\r\n--b\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?44ix6Q==?=\r\n"
		" =?UTF-8?B?q5k=?=\x82\xa0.pdf\"\r\n\r\nDATA\r\n--b--\r\n";
	struct mail m = { 0 };
	struct error e = { 0 };

	CHECK_INT(mime_parse(raw, sizeof raw - 1, &m, &e), 0, "fields: parse");
	CHECK_STR(m.from.name, "①㈱髙ｼﾒｲ", "fields: From name in Windows ISO-2022-JP");
	CHECK_STR(m.n_to ? m.to[0].name : NULL, "㈱髙", "fields: To name cut between words");
	CHECK_STR(m.n_attachments > 0 ? m.attachments[0].filename : NULL, "件名①㈱髙ｼﾒｲ.pdf",
		  "fields: file name in Windows ISO-2022-JP");
	CHECK_STR(m.n_attachments > 1 ? m.attachments[1].filename : NULL, "㈱髙あ.pdf",
		  "fields: file name cut between words, raw Shift_JIS after");
	mail_release(&m);
}

/* ---- msg-ids ------------------------------------------------------------- */

/*
 * An id that cleans to "" (brackets around spaces or control characters)
 * is no id: kept, it made every other such mail a duplicate of the first,
 * and put "" in threads (found by fuzzing).
 */
static const struct {
	const char *what, *raw;
	const char *message_id, *in_reply_to, *thread;
} msgid_cases[] = {
	{ "control character only", "Message-ID: <\x01>\r\n", NULL, NULL, "" },
	{ "space only", "Message-ID: < >\r\n", NULL, NULL, "" },
	{ "empty, then words", "Message-ID: <\x01> junk\r\n", NULL, NULL, "" },
	{ "no brackets: the value", "Message-ID: id@example.com\r\n",
	  "id@example.com", NULL, "id@example.com" },
	{ "empty reference skipped", "Message-ID: <m@x>\r\nReferences: <a@x> <\x01> <b@x>\r\n",
	  "m@x", NULL, "a@x b@x m@x" },
	{ "empty In-Reply-To skipped", "In-Reply-To: <\x01> <c@x>\r\n", NULL, "c@x", "" },
};

static void test_msgids(void)
{
	char raw[256], *thread;
	size_t i;

	for (i = 0; i < sizeof msgid_cases / sizeof *msgid_cases; i++) {
		struct mail m = { 0 };
		struct error e = { 0 };
		int n = snprintf(raw, sizeof raw, "From: a@example.com\r\n%s\r\nx\r\n",
				 msgid_cases[i].raw);

		CHECK_INT(mime_parse(raw, (size_t)n, &m, &e), 0,
			  what("msg-id: %s: parse", msgid_cases[i].what));
		CHECK_STR(m.message_id, msgid_cases[i].message_id,
			  what("msg-id: %s: Message-ID", msgid_cases[i].what));
		CHECK_STR(m.in_reply_to, msgid_cases[i].in_reply_to,
			  what("msg-id: %s: In-Reply-To", msgid_cases[i].what));
		thread = mail_thread(&m, true);
		CHECK_STR(thread, msgid_cases[i].thread,
			  what("msg-id: %s: thread", msgid_cases[i].what));
		free(thread);
		mail_release(&m);
	}
}

/* ---- attachment content types ------------------------------------------- */

/*
 * libetpan's MIME token lets control characters through: a CR LF or an ESC
 * reached the attachment's content type, and from there the database,
 * templates and `show` on a terminal (found by fuzzing).
 */
static const struct { const char *what, *raw, *want; } ct_cases[] = {
	{ "folded before an encoded word", "From: a@example.com\r\nSubject: t\r\n"
	  "Content-Type: x-foo\r\n =?a?t\r\n\r\nDATA\r\n", "x-foo/unknown" },
	{ "ESC", "From: a@example.com\r\nSubject: t\r\n"
	  "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b\r\n"
	  "Content-Type: application/pdf\x1b[31m\r\n\r\nDATA\r\n--b--\r\n", "application/pdf" },
	{ "DEL", "From: a@example.com\r\nSubject: t\r\n"
	  "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhello\r\n--b\r\n"
	  "Content-Type: Application/X\x7fy\r\n\r\nDATA\r\n--b--\r\n", "application/x" },
};

static void test_content_types(void)
{
	size_t i;

	for (i = 0; i < sizeof ct_cases / sizeof *ct_cases; i++) {
		struct mail m = { 0 };
		struct error e = { 0 };
		int r = mime_parse(ct_cases[i].raw, strlen(ct_cases[i].raw), &m, &e);

		CHECK(r == 0 && m.n_attachments == 1,
		      what("content type: %s: one attachment", ct_cases[i].what));
		CHECK_STR(m.n_attachments ? m.attachments[0].content_type : NULL, ct_cases[i].want,
			  what("content type: %s", ct_cases[i].what));
		mail_release(&m);
	}
}

/* ---- structure limits ---------------------------------------------------- */

/* A message/rfc822 nested `depth` times; the innermost says "innermost". */
static char *nested_forwards(int depth, size_t *len)
{
	size_t cap = (size_t)depth * 200 + 200, n = 0;
	char *b = malloc(cap);
	int i;

	n += (size_t)sprintf(b + n, "From: a@example.com\r\nSubject: level 0\r\n");
	for (i = 1; i <= depth; i++)
		n += (size_t)sprintf(b + n, "Content-Type: message/rfc822\r\n\r\n"
				     "From: l%d@example.com\r\nSubject: level %d\r\n", i, i);
	n += (size_t)sprintf(b + n, "\r\ninnermost\r\n");
	*len = n;
	return b;
}

static void test_limits(void)
{
	struct mail m = { 0 };
	struct error e = { 0 };
	size_t len, n, i, cap;
	const char *p;
	char *raw, *big, hex[65];
	clock_t t0;
	int r, seps = 0;

	/* forwarded messages: four levels become text, the fifth an attachment */
	raw = nested_forwards(6, &len);
	r = mime_parse(raw, len, &m, &e);
	CHECK_INT(r, 0, "nested forwards: parse");
	for (p = m.body; p && (p = strstr(p, "---- forwarded message ----")); p++)
		seps++;
	CHECK_INT(seps, 4, "nested forwards: four levels in the body");
	CHECK(m.body && strstr(m.body, "Subject: level 4\n"), "nested forwards: level 4 shown");
	CHECK(m.n_attachments == 1 && !strcmp(m.attachments[0].content_type, "message/rfc822"),
	      "nested forwards: level 5 kept as message/rfc822");
	mail_release(&m);
	free(raw);

	/* 100,000 nested messages overflow libetpan's stack: must not reach it */
	raw = nested_forwards(100000, &len);
	t0 = clock();
	r = mime_parse(raw, len, &m, &e);
	printf("# 100000 nested messages (%zu bytes): %.2f s\n", len,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	CHECK(r == 0 && m.body && strstr(m.body, "innermost"),
	      "100000 nested messages: no crash, raw text kept");
	mail_release(&m);
	free(raw);

	/* 20,000 nested multiparts cost libetpan minutes of rescanning */
	cap = 20000 * 80 + 100;
	raw = malloc(cap);
	n = (size_t)sprintf(raw, "From: a@example.com\r\nSubject: deep\r\n");
	for (i = 0; i < 20000; i++)
		n += (size_t)sprintf(raw + n, "Content-Type: multipart/mixed; boundary=b%zu\r\n"
				     "\r\n--b%zu\r\n", i, i);
	n += (size_t)sprintf(raw + n, "\r\nbottom\r\n");
	t0 = clock();
	r = mime_parse(raw, n, &m, &e);
	printf("# 20000 nested multiparts (%zu bytes): %.2f s\n", n,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	CHECK(r == 0 && m.body && strstr(m.body, "bottom"), "20000 nested multiparts: raw text kept");
	mail_release(&m);
	free(raw);

	/* 30,000 words and a broken encoded word: retrying libetpan after
	 * each word took 145 s (found by fuzzing), halving takes 0.2 s */
	cap = 30000 * 2 + 100;
	raw = malloc(cap);
	n = (size_t)sprintf(raw, "From: a@example.com\r\nSubject: ");
	for (i = 0; i < 30000; i++)
		n += (size_t)sprintf(raw + n, "a ");
	n += (size_t)sprintf(raw + n, "=?utf-8??q?x?=\r\n\r\nbody\r\n");
	t0 = clock();
	r = mime_parse(raw, n, &m, &e);
	printf("# 30000-word Subject with a broken word: %.2f s\n",
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	CHECK(clock() - t0 < 10 * CLOCKS_PER_SEC, "long Subject with a broken word: not quadratic");
	CHECK(r == 0 && m.subject && strlen(m.subject) == 30000 * 2 + strlen("=?utf-8??q?x?=") &&
	      strcmp(m.subject + 30000 * 2, "=?utf-8??q?x?=") == 0,
	      "long Subject with a broken word: every word kept");
	mail_release(&m);
	free(raw);

	/* 20,000 encoded words, the charset changing at each: every word
	 * decoded, each "=?" tried once */
	cap = 20000 * 44 + 100;
	raw = malloc(cap);
	n = (size_t)sprintf(raw, "From: a@example.com\r\nSubject: ");
	for (i = 0; i < 10000; i++)
		n += (size_t)sprintf(raw + n, "=?UTF-8?B?5bGx?=\r\n =?ISO-8859-1?Q?caf=E9?= ");
	n += (size_t)sprintf(raw + n, "\r\n\r\nbody\r\n");
	t0 = clock();
	r = mime_parse(raw, n, &m, &e);
	printf("# 20000 encoded words in two charsets: %.2f s\n",
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	CHECK(clock() - t0 < 10 * CLOCKS_PER_SEC, "20000 encoded words: not quadratic");
	CHECK(r == 0 && m.subject && strlen(m.subject) == 10000 * strlen("山café") &&
	      strncmp(m.subject, "山café山café", strlen("山café山café")) == 0,
	      "20000 encoded words: all decoded, no space between them");
	mail_release(&m);
	free(raw);

	/* a big mail: 2 MB of text and a 12 MB attachment, in linear time */
	len = 12u << 20;
	big = malloc(len);
	for (i = 0; i < len; i++)
		big[i] = (char)(i * 7 + (i >> 13));
	digest_sha256_hex(big, len, hex);
	cap = len / 57 * 78 + 78 + (8u << 20);	/* base64 lines + text + headers */
	raw = malloc(cap);
	n = (size_t)sprintf(raw, "From: a@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed;"
			    " boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (i = 0; i < (2u << 20) / 16; i++)
		n += (size_t)sprintf(raw + n, "障害ログ %05zu\r\n", i % 100000);
	n += (size_t)sprintf(raw + n, "--B\r\nContent-Type: application/octet-stream\r\n"
			     "Content-Transfer-Encoding: base64\r\n\r\n");
	for (i = 0; i < len; i += 57) {
		static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		size_t k, chunk = len - i < 57 ? len - i : 57;

		for (k = 0; k < chunk; k += 3) {
			unsigned v = (unsigned char)big[i + k] << 16;

			v |= k + 1 < chunk ? (unsigned)(unsigned char)big[i + k + 1] << 8 : 0;
			v |= k + 2 < chunk ? (unsigned char)big[i + k + 2] : 0;
			raw[n++] = b64[v >> 18 & 63];
			raw[n++] = b64[v >> 12 & 63];
			raw[n++] = k + 1 < chunk ? b64[v >> 6 & 63] : '=';
			raw[n++] = k + 2 < chunk ? b64[v & 63] : '=';
		}
		raw[n++] = '\r';
		raw[n++] = '\n';
	}
	n += (size_t)sprintf(raw + n, "--B--\r\n");
	t0 = clock();
	r = mime_parse(raw, n, &m, &e);
	printf("# %zu-byte mail: %.2f s\n", n, (double)(clock() - t0) / CLOCKS_PER_SEC);
	CHECK_INT(r, 0, "big mail: parse");
	CHECK(m.n_attachments == 1 && m.attachments[0].size == len,
	      "big mail: 12 MB attachment decoded in full");
	CHECK(m.n_attachments == 1 && strcmp(m.attachments[0].sha256, hex) == 0,
	      "big mail: attachment sha256");
	CHECK(m.body && strstr(m.body, "障害ログ 00042\n") && strlen(m.body) > (1u << 20),
	      "big mail: text body");
	mail_release(&m);
	free(raw);
	free(big);
}

/* ---- the corpus ---------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses one corpus file twice; NULL if fine, else what is wrong. */
static const char *corpus_one(const char *path, int *refused, int *lossy)
{
	struct mail m = { 0 }, again = { 0 };
	struct error e = { 0 };
	const char *problem = NULL;
	size_t len;
	char *raw;
	int r;

	if (!(raw = slurp(path, &len)))
		return "cannot read";
	r = mime_parse(raw, len, &m, &e);
	if (r < 0) {
		*refused = 1;
		printf("# refused: %s: %s\n", path, e.msg);
		problem = e.cls == ERR_MESSAGE ? NULL : "failed, and not as a bad message";
	} else if (!(problem = mail_problem(&m))) {
		*lossy = m.body_lossy;
		/* a second parse must give the same: no hidden state */
		if (mime_parse(raw, len, &again, &e) != 0 || strcmp(m.body, again.body) != 0 ||
		    m.n_attachments != again.n_attachments)
			problem = "a second parse differs";
	}
	mail_release(&m);
	mail_release(&again);
	free(raw);
	return problem;
}

static void test_corpus(void)
{
	const char *dir = getenv("IB_CORPUS");
	size_t n = 0, cap = 0, i, bad = 0, refused_n = 0, lossy_n = 0;
	char **names = NULL, path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!dir || !*dir)
		dir = "../shared/corpus/mail";
	if (!(d = opendir(dir))) {
		CHECK(1, what("corpus sweep # SKIP no corpus at %s", dir));
		return;
	}
	while ((de = readdir(d))) {
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap)
			names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		int refused = 0, lossy = 0;
		const char *problem;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		problem = corpus_one(path, &refused, &lossy);
		refused_n += refused;
		lossy_n += lossy;
		if (lossy)
			printf("# lossy body: %s\n", names[i]);
		if (problem) {
			CHECK(0, what("corpus: %s: %s", names[i], problem));
			bad++;
		}
		free(names[i]);
	}
	free(names);
	CHECK(bad == 0 && n > 0, what("corpus sweep: %zu files, %zu refused as not a mail, "
				      "%zu with lossy bodies", n, refused_n, lossy_n));
}

/* ---- mutations ----------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;	/* fixed seed */

static uint64_t rng(void)
{
	/* xorshift64: deterministic, so a failure can be replayed */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Parses buf[0..len) from an exact-size copy; NULL if the outcome is fine. */
static const char *mutant(const char *buf, size_t len)
{
	char *copy = malloc(len ? len : 1);
	struct mail m = { 0 };
	struct error e = { 0 };
	const char *problem = NULL;

	memcpy(copy, buf, len);
	if (mime_parse(copy, len, &m, &e) == 0)
		problem = mail_problem(&m);
	else if (e.cls != ERR_MESSAGE)
		problem = "failed, and not as a bad message";
	mail_release(&m);
	free(copy);
	return problem;
}

static void test_mutations(void)
{
	static const char *const files[] = { "ja-iso2022jp-report.eml",
		"multipart-attachment.eml", "forwarded.eml", "lf-only.eml", "html-only.eml" };
	static const char noise[] = "\0\r\n-=?<>\x1b$B\xff\x80 :;\"";
	size_t f, len, i, step, k, bad;
	char path[256], *raw, *copy;
	const char *problem;

	for (f = 0; f < sizeof files / sizeof *files; f++) {
		snprintf(path, sizeof path, FIXTURES "%s", files[f]);
		if (!(raw = slurp(path, &len))) {
			CHECK(0, what("mutations: read %s", files[f]));
			continue;
		}
		bad = 0;
		step = len / 150 ? len / 150 : 1;
		for (i = 0; i <= len; i += i < 64 ? 1 : step)
			if ((problem = mutant(raw, i)) && ++bad <= 3)
				printf("#   prefix %zu: %s\n", i, problem);
		CHECK(bad == 0, what("mutations: %s: truncated prefixes", files[f]));

		bad = 0;
		copy = malloc(len);
		for (i = 0; i < 300; i++) {
			memcpy(copy, raw, len);
			for (k = 1 + rng() % 8; k > 0; k--)
				copy[rng() % len] = rng() % 2 ? (char)rng()
					: noise[rng() % (sizeof noise - 1)];
			if ((problem = mutant(copy, len)) && ++bad <= 3)
				printf("#   variant %zu: %s\n", i, problem);
		}
		CHECK(bad == 0, what("mutations: %s: 300 byte-flipped variants", files[f]));
		free(copy);
		free(raw);
	}
}

int main(void)
{
	test_goldens();
	test_golden_details();
	test_inlines();
	test_line_ends();
	test_decode_header();
	test_decode_fields();
	test_msgids();
	test_content_types();
	test_limits();
	test_mutations();
	test_corpus();
	return test_done();
}
