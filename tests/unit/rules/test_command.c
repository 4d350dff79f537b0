/*
 * test_command.c — command.c: the admin commands at the top of a reply
 * (SPEC 6).  Every command and alias with its values; "／", full-width
 * letters, digits and spaces; the list ending at the first prose line;
 * /lessons ending at the next command line; every refusal naming its
 * line, every bad line kept with its did-you-mean (issue 13); /aware and
 * /done's time in the forms Japanese admins write; Japanese names of
 * flags and notices; free text (SQL included) kept as written; invalid
 * UTF-8, CRs, 1 MB lines and random bytes handled; the help text short
 * and complete.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/error.h"
#include "rules/command.h"
#include "rules/policy.h"
#include "test.h"

/*
 * One expected command.  value: the English name of the enum value (NULL:
 * none, -1); number: for /affected and /check (else -1 is expected); time:
 * the expected instant as UTC RFC 3339 for /aware (else 0); text: NULL
 * when none; raw: checked when not NULL.
 */
struct want {
	enum cmd_verb verb;
	int line;
	const char *value;
	bool off;
	long number;
	const char *time;
	const char *text;
	bool force;
	const char *raw;
};

#define MAXW 4

/* The mail is read at 2026-12-07 10:00 in Tokyo (01:00 UTC). */
#define NOW ((time_t)1796605200)
#define W(v, l, ...) { .verb = (v), .line = (l), __VA_ARGS__ }

/*
 * To add a case: the text as an admin writes it (after quote.c) and the
 * commands the executor should get.
 */
static const struct accept_case {
	const char *what, *in;
	size_t n;
	struct want w[MAXW];
} accepts[] = {
	/* every command */
	{ "/ack", "/ack", 1, { W(CMD_ACK, 1, .raw = "/ack") } },
	{ "/assign", "/assign taro@example.jp", 1,
	  { W(CMD_ASSIGN, 1, .text = "taro@example.jp") } },
	{ "/assign: atext in the local part", "/assign o'brien+ir@mail.example.co.jp", 1,
	  { W(CMD_ASSIGN, 1, .text = "o'brien+ir@mail.example.co.jp") } },
	{ "/assign: full-width address from an input method",
	  "/assign ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ", 1,
	  { W(CMD_ASSIGN, 1, .text = "taro.yamada@example.jp") } },
	{ "/assign a name (issue 13)", "/assign 北垣　剛志", 1,
	  { W(CMD_ASSIGN, 1, .value = "a name", .text = "北垣 剛志") } },
	{ "/assign a person's id", "/assign sysadmin", 1,
	  { W(CMD_ASSIGN, 1, .value = "a name", .text = "sysadmin") } },
	{ "/type name", "/type data-leak", 1, { W(CMD_TYPE, 1, .value = "data-leak") } },
	{ "/type name: upper case, _ for -", "/type DATA_LEAK", 1, { W(CMD_TYPE, 1, .value = "data-leak") } },
	{ "/type label", "/type データ漏洩", 1, { W(CMD_TYPE, 1, .value = "data-leak") } },
	{ "/type label with its space left out", "/type DoS攻撃", 1, { W(CMD_TYPE, 1, .value = "dos") } },
	{ "/type label with a full-width space", "/type ＤｏＳ　攻撃", 1, { W(CMD_TYPE, 1, .value = "dos") } },
	{ "/priority high", "/priority high", 1, { W(CMD_PRIORITY, 1, .value = "high") } },
	{ "/priority Medium", "/priority Medium", 1, { W(CMD_PRIORITY, 1, .value = "medium") } },
	{ "/priority 高", "/priority 高", 1, { W(CMD_PRIORITY, 1, .value = "high") } },
	{ "/priority 中", "/priority 中", 1, { W(CMD_PRIORITY, 1, .value = "medium") } },
	{ "/priority 低", "/priority 低", 1, { W(CMD_PRIORITY, 1, .value = "low") } },
	{ "/source name", "/source utm-vendor", 1, { W(CMD_SOURCE, 1, .value = "utm-vendor") } },
	{ "/source label with a space", "/source UTM 管理のセキュリティ会社からの情報提供", 1,
	  { W(CMD_SOURCE, 1, .value = "utm-vendor") } },
	{ "/source label", "/source 機器トラブル", 1, { W(CMD_SOURCE, 1, .value = "equipment") } },
	{ "/status name", "/status investigating", 1, { W(CMD_STATUS, 1, .value = "investigating") } },
	{ "/status label", "/status 調査中", 1, { W(CMD_STATUS, 1, .value = "investigating") } },
	{ "/status label with ・", "/status 報告・公表中", 1, { W(CMD_STATUS, 1, .value = "reporting") } },
	{ "/aware +09:00", "/aware 2026-11-25T09:30+09:00", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T00:30:00Z") } },
	{ "/aware Z with seconds", "/aware 2026-11-25T09:30:00Z", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T09:30:00Z") } },
	{ "/aware with spaces before the zone", "/aware 2026-11-25 09:30 +09:00", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T00:30:00Z") } },
	{ "/aware -05:00 crosses the date", "/aware 2026-11-25T21:15-05:00", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-26T02:15:00Z") } },
	{ "/aware lower-case t, +0900", "/aware 2026-11-25t09:30+0900", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T00:30:00Z") } },
	{ "/aware slashes, one-digit hour, JST", "/aware 2026/11/25 9:30 JST", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T00:30:00Z") } },
	{ "/aware fractions of a second, utc", "/aware 2026-11-25T09:30:15.250 utc", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T09:30:15Z") } },
	{ "/aware full-width digits", "/aware ２０２６－１１－２５Ｔ０９：３０＋０９：００", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T00:30:00Z") } },
	{ "/aware leap day", "/aware 2028-02-29T23:59Z", 1,
	  { W(CMD_AWARE, 1, .time = "2028-02-29T23:59:00Z") } },
	{ "/flag on by default", "/flag amazon", 1, { W(CMD_FLAG, 1, .value = "amazon") } },
	{ "/flag on", "/flag personal-data on", 1, { W(CMD_FLAG, 1, .value = "personal-data") } },
	{ "/flag off, _ for -", "/flag Personal_Data off", 1,
	  { W(CMD_FLAG, 1, .value = "personal-data", .off = true) } },
	{ "/flag label with a space, OFF", "/flag Amazon 関係 OFF", 1,
	  { W(CMD_FLAG, 1, .value = "amazon", .off = true) } },
	{ "/flag label whose first word is a name", "/flag Amazon 関係", 1,
	  { W(CMD_FLAG, 1, .value = "amazon") } },
	{ "/flag label whose first word is a name, on", "/flag AWS 関係 on", 1,
	  { W(CMD_FLAG, 1, .value = "aws") } },
	{ "/flag label, オフ", "/flag 個人情報 オフ", 1, { W(CMD_FLAG, 1, .value = "personal-data", .off = true) } },
	{ "/flag full-width ｏｆｆ", "/flag aws　ｏｆｆ", 1, { W(CMD_FLAG, 1, .value = "aws", .off = true) } },
	{ "/affected digits", "/affected 1200", 1, { W(CMD_AFFECTED, 1, .number = 1200) } },
	{ "/affected with a comma", "/affected 1,200", 1, { W(CMD_AFFECTED, 1, .number = 1200) } },
	{ "/affected full-width, 人", "/affected １，２００人", 1,
	  { W(CMD_AFFECTED, 1, .number = 1200) } },
	{ "/affected 0", "/affected 0", 1, { W(CMD_AFFECTED, 1, .number = 0) } },
	{ "/affected 10^9", "/affected 1,000,000,000 名", 1,
	  { W(CMD_AFFECTED, 1, .number = 1000000000) } },
	{ "/note kept as written", "/note  DB1 の CPU が　１００％、see   https://x/y?a=1  ", 1,
	  { W(CMD_NOTE, 1, .text = "DB1 の CPU が　１００％、see   https://x/y?a=1",
	      .raw = "/note  DB1 の CPU が　１００％、see   https://x/y?a=1") } },
	{ "/draft", "/draft amazon", 1, { W(CMD_DRAFT, 1, .value = "amazon") } },
	{ "/draft any case, _", "/draft PPC_Preliminary", 1, { W(CMD_DRAFT, 1, .value = "ppc-preliminary") } },
	{ "/done without text", "/done ppc-final", 1, { W(CMD_DONE, 1, .value = "ppc-final") } },
	{ "/done with text", "/done amazon sent 10:05 to 3p-security, ticket 12345", 1,
	  { W(CMD_DONE, 1, .value = "amazon", .text = "sent 10:05 to 3p-security, ticket 12345") } },
	{ "/skip", "/skip publication 被害は社内で完結 (policy 7-4)", 1,
	  { W(CMD_SKIP, 1, .value = "publication", .text = "被害は社内で完結 (policy 7-4)") } },
	{ "/lessons", "/lessons\n1. Patch within a week.\n\n2. Review the WAF rules.\n", 1,
	  { W(CMD_LESSONS, 1, .text = "1. Patch within a week.\n\n2. Review the WAF rules.") } },
	{ "/close", "/close", 1, { W(CMD_CLOSE, 1) } },
	{ "/close REASON", "/close 対応完了、文書は添付のとおり", 1,
	  { W(CMD_CLOSE, 1, .text = "対応完了、文書は添付のとおり") } },
	{ "/close force REASON", "/close force document comes next week", 1,
	  { W(CMD_CLOSE, 1, .text = "document comes next week", .force = true) } },
	{ "/close FORCE, any case", "/close FORCE drill only", 1,
	  { W(CMD_CLOSE, 1, .text = "drill only", .force = true) } },
	{ "/クローズ 強制 REASON", "/クローズ　強制　訓練のため", 1,
	  { W(CMD_CLOSE, 1, .text = "訓練のため", .force = true) } },
	{ "/close forced…: not the keyword", "/close forced shutdown resolved it", 1,
	  { W(CMD_CLOSE, 1, .text = "forced shutdown resolved it") } },
	{ "/reopen", "/reopen", 1, { W(CMD_REOPEN, 1) } },
	{ "/drill", "/drill", 1, { W(CMD_DRILL, 1) } },
	{ "/help", "/help", 1, { W(CMD_HELP, 1) } },
	{ "/token", "/token", 1, { W(CMD_TOKEN, 1) } },
	{ "/check", "/check 3", 1, { W(CMD_CHECK, 1, .number = 3) } },
	{ "/check full-width, leading zero", "/check ０７", 1, { W(CMD_CHECK, 1, .number = 7) } },
	{ "/check 99", "/check 99", 1, { W(CMD_CHECK, 1, .number = 99) } },

	/* how Japanese input methods and mail clients write them */
	{ "full-width slash", "／ack", 1, { W(CMD_ACK, 1) } },
	{ "full-width slash and letters", "／ＡＣＫ", 1, { W(CMD_ACK, 1, .raw = "／ＡＣＫ") } },
	{ "full-width space before, alias", "　／受付", 1, { W(CMD_ACK, 1, .raw = "／受付") } },
	{ "upper and mixed case", "/ACK\n/Priority HIGH", 2,
	  { W(CMD_ACK, 1), W(CMD_PRIORITY, 2, .value = "high") } },
	{ "full-width space between, full-width value", "／優先度　ＨＩＧＨ", 1,
	  { W(CMD_PRIORITY, 1, .value = "high") } },
	{ "tabs and NBSP around", "\t\xc2\xa0/ack \t", 1, { W(CMD_ACK, 1, .raw = "/ack") } },
	{ "a BOM before the first command", "\xef\xbb\xbf/ack", 1, { W(CMD_ACK, 1) } },
	{ "CRLF line ends", "/ack\r\n/priority low\r\n\r\nThanks\r\n", 2,
	  { W(CMD_ACK, 1, .raw = "/ack"), W(CMD_PRIORITY, 2, .value = "low", .raw = "/priority low") } },

	/* where the commands end */
	{ "blank lines before and between",
	  "\n  \n/ack\n\n/priority high\n　\n/flag amazon\n", 3,
	  { W(CMD_ACK, 3), W(CMD_PRIORITY, 5, .value = "high"), W(CMD_FLAG, 7, .value = "amazon") } },
	{ "prose ends them", "/ack\nThanks, taking it.\n/close\n", 1, { W(CMD_ACK, 1) } },
	{ "quoted commands after prose never read",
	  "/ack\nお疲れさまです。対応します。\n\n> /close\n> /reopen\n/drill", 1, { W(CMD_ACK, 1) } },
	{ "prose first: none", "Hello,\n/ack\n", 0, { { 0 } } },
	{ "a quote first: none", "> /close\n/ack", 0, { { 0 } } },
	{ "a signature first: none", "-- \n/ack", 0, { { 0 } } },
	{ "empty text", "", 0, { { 0 } } },
	{ "blank lines only", "\n \n\t\n　\n", 0, { { 0 } } },
	{ "a slash later in a line is prose", "see /var/log/secure\n/ack", 0, { { 0 } } },
	{ "/lessons takes quotes, ends at a command, prose after it ends all",
	  "/priority low\n/lessons\n\n  Indented first line\n> quoted\n-- \nKen\n/close\nKen\n/ack\n", 3,
	  { W(CMD_PRIORITY, 1, .value = "low"),
	    W(CMD_LESSONS, 2, .text = "  Indented first line\n> quoted\n-- \nKen"), W(CMD_CLOSE, 8) } },
	{ "/close above /lessons: both, in the order written",
	  "/close\n/lessons\nRotate the keys.", 2,
	  { W(CMD_CLOSE, 1), W(CMD_LESSONS, 2, .text = "Rotate the keys.") } },
	{ "/lessons: the commands below its document are commands",
	  "/lessons\nRotate.\n/close force oops\n/ack", 3,
	  { W(CMD_LESSONS, 1, .text = "Rotate."), W(CMD_CLOSE, 3, .text = "oops", .force = true),
	    W(CMD_ACK, 4) } },
	{ "/lessons text on its own line starts the document",
	  "/教訓 パスワードの使い回しを禁止する。\n二要素認証を必須にする。", 1,
	  { W(CMD_LESSONS, 1, .text = "パスワードの使い回しを禁止する。\n二要素認証を必須にする。") } },
	{ "/lessons CRLF and a bare CR in the document", "/lessons\r\na\r\nb\rc\r\n", 1,
	  { W(CMD_LESSONS, 1, .text = "a\nb\nc") } },
	{ "a whole admin reply",
	  "/受付\n/種別 不正アクセス\n/優先度 高\n/認知 2026-11-25T09:30+09:00\n"
	  "/フラグ 個人情報\n/影響 1,200\n\n山田です。上記のとおり登録します。\n\n-- \n山田",
	  6, { W(CMD_ACK, 1), W(CMD_TYPE, 2, .value = "unauthorized-access"),
	       W(CMD_PRIORITY, 3, .value = "high"),
	       W(CMD_AWARE, 4, .time = "2026-11-25T00:30:00Z") } },

	/* free text is the store's to quote, not ours to filter */
	{ "SQL in a note kept verbatim", "/note '); DROP TABLE tickets;--", 1,
	  { W(CMD_NOTE, 1, .text = "'); DROP TABLE tickets;--") } },
	{ "SQL in a reason kept verbatim", "/skip aws ' OR '1'='1'; DELETE FROM obligations; --", 1,
	  { W(CMD_SKIP, 1, .value = "aws", .text = "' OR '1'='1'; DELETE FROM obligations; --") } },
	{ "SQL in a close reason", "/close force \"; UPDATE tickets SET status='closed' --", 1,
	  { W(CMD_CLOSE, 1, .text = "\"; UPDATE tickets SET status='closed' --", .force = true) } },
	{ "header-like text in a note stays one line", "/note Bcc: x@y <script>alert(1)</script>", 1,
	  { W(CMD_NOTE, 1, .text = "Bcc: x@y <script>alert(1)</script>") } },
	/*
	 * The text has LF line ends; a CR before one is dropped, so "a@b\r\n"
	 * ends the /assign line and "Bcc: x@y" is a prose line that ends the
	 * commands: the address is "a@b" alone.  A CR inside a line is
	 * refused (see refusals).
	 */
	{ "/assign a@b CRLF Bcc: the Bcc line is never read", "/assign a@b\r\nBcc: x@y", 1,
	  { W(CMD_ASSIGN, 1, .text = "a@b") } },

	/* invalid UTF-8: replaced, never a crash */
	{ "invalid UTF-8 in a note", "/note bad \xff\xfe here \xe3\x81", 1,
	  { W(CMD_NOTE, 1, .text = "bad \xef\xbf\xbd\xef\xbf\xbd here \xef\xbf\xbd\xef\xbf\xbd") } },
	{ "invalid UTF-8 before the slash: prose", "\xff/ack", 0, { { 0 } } },
	{ "overlong and surrogate forms replaced", "/note \xc0\xaf \xed\xa0\x80", 1,
	  { W(CMD_NOTE, 1, .text = "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") } },

	/* issue 13: /aware as Japanese admins write it, in the configured zone */
	{ "/aware without zone: the configured one", "/aware 2026-11-25T09:30", 1,
	  { W(CMD_AWARE, 1, .time = "2026-11-25T00:30:00Z") } },
	{ "/aware 2026/12/07 9:40", "/aware 2026/12/07 9:40", 1,
	  { W(CMD_AWARE, 1, .time = "2026-12-07T00:40:00Z") } },
	{ "/aware as the alarm shows the time (2026-12-07 09:40)", "/aware 2026-12-07 09:40", 1,
	  { W(CMD_AWARE, 1, .time = "2026-12-07T00:40:00Z") } },
	{ "/aware 12月7日 9時40分", "/aware 12月7日 9時40分", 1,
	  { W(CMD_AWARE, 1, .time = "2026-12-07T00:40:00Z") } },
	{ "/aware 2026年12月7日 9時40分", "/認知 2026年12月7日 9時40分", 1,
	  { W(CMD_AWARE, 1, .time = "2026-12-07T00:40:00Z") } },
	{ "/aware full-width 12月7日９時４０分", "/aware １２月７日９時４０分", 1,
	  { W(CMD_AWARE, 1, .time = "2026-12-07T00:40:00Z") } },
	{ "/aware 9:40 is today", "/aware 9:40", 1, { W(CMD_AWARE, 1, .time = "2026-12-07T00:40:00Z") } },
	{ "/aware 午前9時半", "/aware 午前9時半", 1, { W(CMD_AWARE, 1, .time = "2026-12-07T00:30:00Z") } },
	{ "/aware 昨日 23:50", "/aware 昨日 23:50", 1, { W(CMD_AWARE, 1, .time = "2026-12-06T14:50:00Z") } },
	{ "/aware 12月31日 without year: last year's", "/aware 12月31日 23時", 1,
	  { W(CMD_AWARE, 1, .time = "2025-12-31T14:00:00Z") } },
	{ "/aware 9:40 pm in a zone", "/aware 2026-12-06 9:40 PM Z", 1,
	  { W(CMD_AWARE, 1, .time = "2026-12-06T21:40:00Z") } },

	/* issue 13: flags and notices by their Japanese names */
	{ "/flag 楽天", "/flag 楽天", 1, { W(CMD_FLAG, 1, .value = "rakuten") } },
	{ "/flag ヤフー off", "/フラグ ヤフー off", 1, { W(CMD_FLAG, 1, .value = "yahoo", .off = true) } },
	{ "/done 個人情報保護委員会 確報", "/done 個人情報保護委員会 確報", 1,
	  { W(CMD_DONE, 1, .value = "ppc-final") } },
	{ "/done 速報 with a time and a text", "/完了 速報 2026/12/07 9:40 電子申請で提出", 1,
	  { W(CMD_DONE, 1, .value = "ppc-preliminary", .time = "2026-12-07T00:40:00Z",
	      .text = "電子申請で提出") } },
	{ "/done with a time alone", "/done amazon 9:05", 1,
	  { W(CMD_DONE, 1, .value = "amazon", .time = "2026-12-07T00:05:00Z") } },
	{ "/done with 12月7日 9時40分 and text", "/done PPC 速報 12月7日 9時40分 委員会へ", 1,
	  { W(CMD_DONE, 1, .value = "ppc-preliminary", .time = "2026-12-07T00:40:00Z",
	      .text = "委員会へ") } },
	{ "/skip 楽天 REASON", "/skip 楽天 停電のため", 1,
	  { W(CMD_SKIP, 1, .value = "rakuten", .text = "停電のため") } },
	{ "/draft by the notice's label", "/draft 本人への通知", 1, { W(CMD_DRAFT, 1, .value = "individuals") } },

	/* issue 13: /lessons ends at the next command line */
	{ "/lessons then /close: both", "/lessons\nRotate the keys.\n/close", 2,
	  { W(CMD_LESSONS, 1, .text = "Rotate the keys."), W(CMD_CLOSE, 3) } },
	{ "/lessons: a path is not a command", "/lessons\n/var/log/secure を毎日確認\n／クローズ\nありがとう\n/ack", 2,
	  { W(CMD_LESSONS, 1, .text = "/var/log/secure を毎日確認"), W(CMD_CLOSE, 3) } },
};

/* The Japanese aliases with an argument each takes. */
static const struct alias_case {
	const char *word, *args;
	enum cmd_verb verb;
} alias_cases[] = {
	{ "受付", "", CMD_ACK },
	{ "担当", " taro@example.jp", CMD_ASSIGN },
	{ "種別", " malware", CMD_TYPE },
	{ "優先度", " 中", CMD_PRIORITY },
	{ "検知", " system-alert", CMD_SOURCE },
	{ "状態", " 復旧中", CMD_STATUS },
	{ "認知", " 2026-11-25T09:30+09:00", CMD_AWARE },
	{ "フラグ", " 楽天 関係", CMD_FLAG },
	{ "影響", " 1,001", CMD_AFFECTED },
	{ "人数", " 12人", CMD_AFFECTED },
	{ "影響人数", " 12", CMD_AFFECTED },
	{ "メモ", " 調査開始", CMD_NOTE },
	{ "下書き", " individuals", CMD_DRAFT },
	{ "完了", " rakuten 電話済み", CMD_DONE },
	{ "不要", " yahoo 出店なし", CMD_SKIP },
	{ "教訓", "\n文書", CMD_LESSONS },
	{ "再発防止", "\n文書", CMD_LESSONS },
	{ "クローズ", "", CMD_CLOSE },
	{ "再開", "", CMD_REOPEN },
	{ "訓練", "", CMD_DRILL },
	{ "トークン", "", CMD_TOKEN },
	{ "ヘルプ", "", CMD_HELP },
	{ "チェック", " 2", CMD_CHECK },
};

/* The refusals: the line named and words the message must have. */
static const struct refuse_case {
	const char *what, *in;
	int line;
	const char *says;
	const char *fix;	/* the did-you-mean's corrected line; NULL: none */
} refusals[] = {
	{ "unknown command", "/frobnicate", 1, "unknown command \"/frobnicate\"", NULL },
	{ "unknown command after blank lines", "\n\n/ack\n/frobnicate now", 4, "unknown command", NULL },
	{ "a slash alone", "/", 1, "unknown command \"/\"", NULL },
	{ "a space after the slash", "/ ack", 1, "unknown command", NULL },
	{ "a colon after the word", "/note: text", 1, "unknown command \"/note:\"", "/note text" },
	{ "bad priority", "/priority urgent", 1, "不明な優先度「urgent」", NULL },
	{ "missing priority", "/priority", 1, "missing the priority", NULL },
	{ "bad priority in the middle: all refused", "/ack\n/priority urgent\n/close", 2,
	  "不明な優先度「urgent」です", NULL },
	{ "missing type", "/type", 1, "missing the type", NULL },
	{ "bad type", "/type hacking", 1, "不明な種別「hacking」", NULL },
	{ "bad source", "/source rumour", 1, "unknown source", NULL },
	{ "bad status", "/status done", 1, "unknown status", NULL },
	{ "/affected abc", "/affected abc", 1, "not a number \"abc\"", NULL },
	{ "/affected missing", "/affected", 1, "missing the number", NULL },
	{ "/affected bad grouping", "/affected 12,00", 1, "not a number", NULL },
	{ "/affected first group too long", "/affected 1234,567", 1, "not a number", NULL },
	{ "/affected trailing comma", "/affected 1,", 1, "not a number", NULL },
	{ "/affected negative", "/affected -5", 1, "not a number", NULL },
	{ "/affected decimal", "/affected 1.5", 1, "not a number", NULL },
	{ "/affected above 10^9", "/affected 1,000,000,001", 1, "more than 1,000,000,000", NULL },
	{ "/affected huge", "/affected 99999999999999999999999", 1, "more than", NULL },
	{ "/aware 12/7: month/day or day/month?", "/aware 12/7 9:40", 1, "年を付ける", NULL },
	{ "/aware 23:50 at 10:00: yesterday?", "/aware 23:50", 1, "昨日なら日付も", NULL },
	{ "/aware 30 February", "/aware 2月30日 9時", 1, "no such date", NULL },
	{ "/done 23:50 at 10:00: yesterday?", "/done amazon 23:50 電話", 1, "昨日なら日付も", NULL },
	{ "/aware a date only", "/aware 2026-11-25", 1, "has no time", NULL },
	{ "/aware no 30 February", "/aware 2026-02-30T09:30+09:00", 1, "no such date", NULL },
	{ "/aware no 25 o'clock", "/aware 2026-11-25T25:00Z", 1, "no such date", NULL },
	{ "/aware words", "/aware yesterday morning", 1, "not a date and time", NULL },
	{ "/aware an unknown zone", "/aware 2026-11-25T09:30 PST", 1, "not a date and time", NULL },
	{ "/aware missing", "/aware", 1, "missing the date", NULL },
	{ "/skip without reason", "/skip publication", 1, "missing the reason", NULL },
	{ "/skip without notice", "/skip", 1, "missing the notice", NULL },
	{ "/skip unknown notice", "/skip press 不要", 1, "不明な通知「press」", NULL },
	{ "/done unknown notice", "/done press", 1, "unknown notice", NULL },
	/* issue 13: near misses get the corrected line */
	{ "/done ppc final", "/done ppc final", 1, "もしかして「ppc-final」", "/done ppc-final" },
	{ "/done ppc final with text", "/done ppc final 送付済み", 1, "did you mean ppc-final",
	  "/done ppc-final 送付済み" },
	{ "/flag 楽天関連", "/flag 楽天関連", 1, "もしかして「rakuten」", "/flag rakuten" },
	{ "/flag 楽天関連　off", "/flag 楽天関連　off", 1, "もしかして「rakuten」", "/flag rakuten　off" },
	{ "/flag amazn on", "/flag amazn on", 1, "did you mean amazon", "/flag amazon on" },
	{ "/priority hihg", "/優先度 hihg", 1, "did you mean high", "/優先度 high" },
	{ "/akc", "/akc", 1, "did you mean /ack", "/ack" },
	{ "/stauts investigating", "/stauts investigating", 1, "もしかして「/status」",
	  "/status investigating" },
	{ "/draft extra", "/draft amazon now please", 1, "余分な引数「now please」", NULL },
	{ "/close force without reason", "/close force", 1, "force needs a reason", NULL },
	{ "/クローズ 強制 without reason", "/クローズ　強制　", 1, "強制クローズには理由が必要です", NULL },
	{ "/assign with spaces", "/assign taro yamada@example.jp", 1, "without a name or spaces", NULL },
	{ "/assign with a name and <>", "/assign Taro <taro@example.jp>", 1, "spaces", NULL },
	{ "/assign <>", "/assign <taro@example.jp>", 1, "without quotes, <>", NULL },
	{ "/assign quotes", "/assign \"taro\"@example.jp", 1, "without quotes", NULL },
	{ "/assign two addresses", "/assign a@example.jp,b@example.jp", 1, "commas", NULL },
	{ "/assign a CR inside the line", "/assign a@b\rBcc: x@y", 1, "carriage return", NULL },
	{ "/assign two @", "/assign a@b@c", 1, "local@domain", NULL },
	{ "/assign empty domain", "/assign taro@", 1, "local@domain", NULL },
	{ "/assign bad domain", "/assign taro@-example..jp", 1, "domain", NULL },
	{ "/assign dot at the start", "/assign .taro@example.jp", 1, "before @", NULL },
	{ "/assign non-ASCII", "/assign 太郎@example.jp", 1, "ASCII", NULL },
	{ "/assign missing", "/assign", 1, "missing the address", NULL },
	{ "/ack with an argument", "/ack 了解しました", 1, "引数は不要です / extra \"了解しました\"", NULL },
	{ "/help with an argument", "/help me", 1, "extra", NULL },
	{ "/reopen with an argument", "/reopen now", 1, "extra", NULL },
	{ "/drill with an argument", "/drill yes", 1, "extra", NULL },
	{ "/flag unknown", "/flag ebay", 1, "不明なフラグ「ebay」", NULL },
	{ "/flag neither on nor off", "/flag amazon maybe", 1, "余分な引数「maybe」", NULL },
	{ "/flag missing", "/flag", 1, "missing the flag", NULL },
	{ "/flag off alone", "/flag off", 1, "不明なフラグ「off」", NULL },
	{ "/check 0", "/check 0", 1, "not a checklist item", NULL },
	{ "/check 100", "/check 100", 1, "not a checklist item", NULL },
	{ "/check abc", "/check abc", 1, "1-99", NULL },
	{ "/note missing", "/note   ", 1, "missing the text", NULL },
	{ "/lessons without a document", "/lessons\n\n \n", 1, "the document is missing", NULL },
	{ "/lessons at the end", "/ack\n/lessons", 2, "the document is missing", NULL },
	{ "invalid UTF-8 command word", "/\xff\xfe", 1, "unknown command", NULL },
	{ "cut UTF-8 in a value", "/priority \xe9\xab", 1, "unknown priority", NULL },
};

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len;
		uint32_t v, min;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			len = 2, v = *p & 0x1f, min = 0x80;
		else if (*p >= 0xe0 && *p <= 0xef)
			len = 3, v = *p & 0x0f, min = 0x800;
		else if (*p >= 0xf0 && *p <= 0xf4)
			len = 4, v = *p & 0x07, min = 0x10000;
		else
			return false;
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			v = v << 6 | (p[i] & 0x3f);
		}
		if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return false;
		p += len;
	}
	return true;
}

static const char *value_name(enum cmd_verb v, int value)
{
	if (value < 0)
		return NULL;
	switch (v) {
	case CMD_ASSIGN: return value == 1 ? "a name" : "(an assign value but 1)";
	case CMD_TYPE: return type_name((enum incident_type)value);
	case CMD_PRIORITY: return priority_name((enum priority)value);
	case CMD_SOURCE: return source_name((enum source)value);
	case CMD_STATUS: return status_name((enum status)value);
	case CMD_FLAG: return flag_name((enum flag)value);
	case CMD_DRAFT:
	case CMD_DONE:
	case CMD_SKIP: return obligation_name((enum obligation_kind)value);
	default: return "(a value where none belongs)";
	}
}

static void check_command(const char *what, const struct command *c, const struct want *w)
{
	char label[300];
	time_t t = 0;
	bool counted = w->verb == CMD_AFFECTED || w->verb == CMD_CHECK;

#define L(field) (snprintf(label, sizeof label, "%s: %s", what, field), label)
	CHECK_STR(command_name(c->verb), command_name(w->verb), L("verb"));
	CHECK_INT(c->line, w->line, L("line"));
	CHECK_STR(value_name(c->verb, c->value), w->value, L("value"));
	CHECK_INT(c->off, w->off, L("off"));
	CHECK_INT(c->number, counted ? w->number : -1, L("number"));
	if (w->time)
		CHECK(clock_parse(w->time, &t) == 0, L("expected time parses"));
	CHECK_INT(c->time, t, L("time"));
	CHECK_STR(c->text, w->text, L("text"));
	CHECK_INT(c->force, w->force, L("force"));
	if (w->raw)
		CHECK_STR(c->raw, w->raw, L("raw"));
	CHECK(c->raw && valid_utf8(c->raw) && !strchr(c->raw, '\r') && !strchr(c->raw, '\n'),
	      L("raw is one valid line"));
	CHECK(!c->text || (valid_utf8(c->text) && !strchr(c->text, '\r')), L("text valid, no CR"));
#undef L
}

static void test_accepted(void)
{
	struct command_list none;
	struct error err;

	for (size_t i = 0; i < sizeof accepts / sizeof *accepts; i++) {
		const struct accept_case *a = &accepts[i];
		struct command_list l = { (struct command *)1, 99, (struct command_flaw *)1, 99 };
		int rc = command_parse(a->in, NOW, &l, &err);

		CHECK_INT(rc, 0, a->what);
		if (rc != 0)
			printf("#   error: %s\n", err.msg);
		CHECK_INT(l.n, a->n, a->what);
		for (size_t j = 0; j < l.n && j < a->n && j < MAXW; j++)
			if (a->w[j].line)	/* a case may check only the first few */
				check_command(a->what, &l.cmds[j], &a->w[j]);
		if (a->n == 0)
			CHECK(l.cmds == NULL, a->what);
		command_list_release(&l);
		CHECK(l.cmds == NULL && l.n == 0, "released list is empty");
	}
	CHECK(command_parse(NULL, NOW, &none, &err) == 0 && none.n == 0 && !none.cmds, "NULL text: none");
}

static void test_aliases(void)
{
	const char *help = command_help();

	for (size_t i = 0; i < sizeof alias_cases / sizeof *alias_cases; i++) {
		const struct alias_case *a = &alias_cases[i];
		char in[200], what[200], slash[64];
		struct command_list l;
		struct error err = { 0 };
		int rc;

		snprintf(slash, sizeof slash, "/%s", a->word);
		snprintf(what, sizeof what, "alias %s is /%s", slash, command_name(a->verb));
		for (int fw = 0; fw < 2; fw++) {	/* with "/" and with "／" */
			snprintf(in, sizeof in, "%s%s%s", fw ? "／" : "/", a->word, a->args);
			rc = command_parse(in, NOW, &l, &err);
			CHECK(rc == 0 && l.n == 1 && l.cmds[0].verb == a->verb, what);
			if (rc != 0)
				printf("#   error: %s\n", err.msg);
			command_list_release(&l);
		}
		snprintf(what, sizeof what, "help lists %s", slash);
		CHECK(strstr(help, slash) != NULL, what);
	}
}

static void test_names(void)
{
	const char *help = command_help();

	for (int v = 0; v < CMD_COUNT; v++) {
		char in[64], what[100];
		struct command_list l;
		struct error err;
		int rc;

		/* the help names it */
		snprintf(in, sizeof in, "/%s", command_name((enum cmd_verb)v));
		snprintf(what, sizeof what, "help lists %s", in);
		CHECK(strstr(help, in) != NULL, what);
		/* its name in upper case reads back as it */
		snprintf(in, sizeof in, "/%s%s", command_name((enum cmd_verb)v),
			 v == CMD_LESSONS ? "\nx" : "");
		for (char *p = in; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		rc = command_parse(in, NOW, &l, &err);
		snprintf(what, sizeof what, "/%s in upper case reads as it", command_name((enum cmd_verb)v));
		/* only the verb is checked: some need arguments */
		CHECK(rc == 0 ? l.cmds[0].verb == (enum cmd_verb)v
			      : strstr(err.msg, "unknown command") == NULL, what);
		command_list_release(&l);
	}
	CHECK_STR(command_name(CMD_COUNT), "?", "command_name out of range");
	CHECK_STR(command_name((enum cmd_verb)-1), "?", "command_name negative");
	CHECK(help == command_help(), "help is built once");
	CHECK(valid_utf8(help), "help is valid UTF-8");
	{
		int lines = 0;

		for (const char *p = help; *p; p++)
			lines += *p == '\n';
		CHECK(lines <= 32, "help: at most 32 lines (the reply at most 40, issue 13)");
		if (lines > 32)
			printf("#   %d lines\n", lines);
	}
	CHECK(strstr(help, "例 / examples") && strstr(help, "/認知 2026/12/07 9:40"),
	      "help: with examples");
	CHECK(strstr(help, "管理者コマンド") < strstr(help, "Admin commands") &&
	      strstr(help, "この説明を返信") < strstr(help, "this help"),
	      "help: Japanese first, then English");
}

static void test_refused(void)
{
	for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++) {
		const struct refuse_case *r = &refusals[i];
		struct command_list l = { (struct command *)1, 99, (struct command_flaw *)1, 99 };
		struct error err = { 0 };
		char prefix[48];
		int rc = command_parse(r->in, NOW, &l, &err);

		/* issue 14 (point 9): the line named in Japanese first */
		snprintf(prefix, sizeof prefix, "%d 行目 / line %d: \"", r->line, r->line);
		CHECK(rc == -1 && err.cls == ERR_MESSAGE, r->what);
		CHECK(strncmp(err.msg, prefix, strlen(prefix)) == 0 && strstr(err.msg, r->says),
		      r->what);
		if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, r->says))
			printf("#   message: %s\n#   want:    %s… %s\n", err.msg, prefix, r->says);
		CHECK(valid_utf8(err.msg) && strstr(err.msg, " / "), "message valid, bilingual");
		CHECK(l.n_flaws >= 1 && l.flaws[0].line == r->line && strcmp(l.flaws[0].why, err.msg) == 0,
		      "refused: the bad line is kept with its reason");
		CHECK_STR(l.n_flaws ? l.flaws[0].fix : NULL, r->fix, r->what);
		CHECK(l.n_flaws && *l.flaws[0].reason && strstr(l.flaws[0].why, l.flaws[0].reason) &&
		      strstr(l.flaws[0].reason, " 行目 / line ") == NULL, "the reason alone, without the line");
		command_list_release(&l);
	}
}

/* Issue 13: every line is read, the good ones kept beside the bad ones, in order. */
static void test_every_line(void)
{
	struct command_list l;
	struct error err;
	int rc = command_parse("/ack\n/priority urgent\n/note 調査中\n/done ppc final\n/close\n"
			       "thanks\n/drill", NOW, &l, &err);

	CHECK(rc == -1 && err.cls == ERR_MESSAGE && strstr(err.msg, "2 行目"), "mixed: refused, first error");
	CHECK(l.n == 3 && l.cmds[0].verb == CMD_ACK && l.cmds[1].verb == CMD_NOTE &&
	      l.cmds[2].verb == CMD_CLOSE && l.cmds[2].line == 5, "mixed: the good lines kept");
	CHECK(l.n_flaws == 2 && l.flaws[0].line == 2 && !l.flaws[0].fix && l.flaws[1].line == 4 &&
	      l.flaws[1].fix && strcmp(l.flaws[1].fix, "/done ppc-final") == 0,
	      "mixed: the bad lines with their did-you-mean");
	command_list_release(&l);
	CHECK(l.n == 0 && l.n_flaws == 0 && !l.flaws, "mixed: released");
}

static void test_messages(void)
{
	struct command_list l;
	struct error err;

	CHECK(command_parse("/ack\n/priority urgent", NOW, &l, &err) == -1, "message: refused");
	CHECK_STR(err.msg,
		  "2 行目 / line 2: \"/priority urgent\": 不明な優先度「urgent」です / unknown priority; "
		  "次のいずれか / use one of: high, medium, low (or the Japanese name / 日本語名も可)",
		  "message: line, raw line quoted, reason in Japanese / English, the values");
	command_list_release(&l);
	CHECK(command_parse("/aware 12/7 9:40", NOW, &l, &err) == -1, "aware: refused");
	CHECK(strstr(err.msg, "年を付ける") != NULL, "aware 12/7: asks for the year");
	command_list_release(&l);
}

/*
 * 1 MB lines: kept whole, linear; a bad one quoted in the error cut at
 * 80 bytes on a character boundary.
 */
static void test_long_lines(void)
{
	const size_t big = 1 << 20;
	char *in = malloc(big + 64), *dots;
	struct command_list l;
	struct error err;
	size_t i;

	if (!in) {
		CHECK(0, "long lines: memory");
		return;
	}
	/* a 1 MB note */
	memcpy(in, "/note ", 6);
	memset(in + 6, 'x', big);
	strcpy(in + 6 + big, "\n/ack\n");
	CHECK(command_parse(in, NOW, &l, &err) == 0 && l.n == 2, "1 MB note: accepted");
	CHECK(l.n == 2 && strlen(l.cmds[0].text) == big && l.cmds[1].line == 2,
	      "1 MB note: kept whole, next line counted");
	command_list_release(&l);

	/* a 1 MB bad line of Japanese */
	memcpy(in, "/不明 ", 8);
	for (i = 8; i + 3 <= big; i += 3)
		memcpy(in + i, "あ", 3);
	in[i] = '\0';
	CHECK(command_parse(in, NOW, &l, &err) == -1, "1 MB bad line: refused");
	CHECK(strlen(err.msg) < sizeof err.msg - 1 && valid_utf8(err.msg),
	      "1 MB bad line: message short and valid UTF-8");
	dots = strstr(err.msg, "…\"");
	CHECK(dots && dots - (err.msg + strlen("1 行目 / line 1: \"")) <= 80,
	      "1 MB bad line: quote cut at 80 bytes with …");
	command_list_release(&l);

	/* a 1 MB lessons document */
	memcpy(in, "/lessons\n", 9);
	memset(in + 9, 'y', big);
	in[9 + big] = '\0';
	CHECK(command_parse(in, NOW, &l, &err) == 0 && l.n == 1 && strlen(l.cmds[0].text) == big,
	      "1 MB lessons: kept whole");
	command_list_release(&l);

	/* 1 MB of prose after the commands */
	memcpy(in, "/ack\n", 5);
	memset(in + 5, 'z', big);
	in[5 + big] = '\0';
	CHECK(command_parse(in, NOW, &l, &err) == 0 && l.n == 1, "1 MB prose after: one command");
	command_list_release(&l);
	free(in);
}

static void test_limit(void)
{
	char in[60 * 8] = "";
	struct command_list l;
	struct error err;

	for (int i = 0; i < COMMAND_MAX; i++)
		strcat(in, i % 2 ? "/ack\n" : "\n/drill\n");
	CHECK(command_parse(in, NOW, &l, &err) == 0 && l.n == COMMAND_MAX, "50 commands: accepted");
	command_list_release(&l);
	strcat(in, "/help\n");
	strcat(in, "/ack\n");
	CHECK(command_parse(in, NOW, &l, &err) == -1 && err.cls == ERR_MESSAGE &&
	      strncmp(err.msg, "76 行目 / line 76: \"/help\": コマンドは 1 通に",
			  strlen("76 行目 / line 76: \"/help\": コマンドは 1 通に")) == 0 &&
	      l.n == COMMAND_MAX && l.n_flaws == 1,
	      "51 commands: refused at the 51st, nothing read after it");
	if (l.n_flaws != 1 || strncmp(err.msg, "76 行目 / line 76:", strlen("76 行目 / line 76:")) != 0)
		printf("#   message: %s\n", err.msg);
	command_list_release(&l);
}

/*
 * Random texts from pieces that matter here: whatever comes in, no crash
 * (valgrind and ASan watch), and either a list of valid one-line raws
 * and valid texts, or a line error with an empty list.
 */
static void test_random(void)
{
	static const char *const pieces[] = {
		"/", "／", "ack", "note ", "lessons", "close ", "force ", "affected ", "1,2",
		"aware ", "2026-11-25T09:30", "+09:00", "flag ", "amazon", " off", "assign ",
		"a@b", "\n", "\n", "\r", "\r\n", " ", "\t", "　", "\xff", "\xe3\x80", "\xc2",
		"受付", "教訓", "> ", "x", "'); DROP TABLE t;--", "\xef\xbb\xbf", "人",
	};
	unsigned seed = 12345;
	bool ok = true;

	for (int round = 0; round < 3000; round++) {
		char in[400] = "";
		struct command_list l;
		struct error err = { 0 };
		int k = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 30;

		for (int i = 0; i < k; i++) {
			seed = seed * 1103515245u + 12345u;
			strcat(in, pieces[(seed >> 16) % (sizeof pieces / sizeof *pieces)]);
		}
		if (command_parse(in, NOW, &l, &err) == 0) {
			ok &= l.n <= COMMAND_MAX && (l.n == 0) == (l.cmds == NULL);
			for (size_t i = 0; i < l.n; i++)
				ok &= l.cmds[i].raw && valid_utf8(l.cmds[i].raw) &&
				      !strpbrk(l.cmds[i].raw, "\r\n") &&
				      (!l.cmds[i].text || (valid_utf8(l.cmds[i].text) &&
							   !strchr(l.cmds[i].text, '\r'))) &&
				      l.cmds[i].line >= 1 && (size_t)l.cmds[i].verb < CMD_COUNT;
		} else {
			ok &= err.cls == ERR_MESSAGE && strstr(err.msg, " 行目 / line ") &&
			      valid_utf8(err.msg) && l.n_flaws > 0 && l.n + l.n_flaws <= COMMAND_MAX + 1;
			for (size_t i = 0; i < l.n_flaws; i++)
				ok &= valid_utf8(l.flaws[i].why) && valid_utf8(l.flaws[i].raw) &&
				      (!l.flaws[i].fix || valid_utf8(l.flaws[i].fix));
			if (!ok)
				printf("#   input %d: %s\n", round, err.msg);
		}
		command_list_release(&l);
	}
	CHECK(ok, "3000 random texts: valid lists or line errors");
}

int main(void)
{
	clock_set_zone("Asia/Tokyo");
	test_accepted();
	test_aliases();
	test_names();
	test_refused();
	test_every_line();
	test_messages();
	test_long_lines();
	test_limit();
	test_random();
	return test_done();
}
