/*
 * export_report.c — a ticket's evidence as a Markdown document (report.md
 * of `incident-bot export`; the contract is in export_report.h).
 *
 * Every text that came from outside (a mail, an admin's note or command)
 * goes through export_report_md_text or export_report_md_block.  Printed
 * as they are: the report's own labels, times and numbers, the ticket's
 * ref (the command looked it up by it), and the stored hashes, in code
 * spans, which the store writes as 64 hex digits (verify names an edited
 * event or message hash; an attachment's is not checked).  The report is
 * read by people deciding what to tell the authorities (policy 7-4): a
 * subject that renders as a heading or a disguised link, or a mail that
 * closes its code block and writes the rest of the report, would put the
 * sender's words in the company's mouth.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export_report.h"
#include "lib/clock.h"
#include "rules/policy.h"

/* ---- Markdown that no text from a mail can break out of ---- */

/* Markup characters escaped, line breaks as <br>, other control characters
 * as U+FFFD: a subject cannot open a heading, a link, a table cell or HTML.
 * Every character escaped is ASCII, and no byte of a multi-byte UTF-8
 * character is, so the escapes hold whatever the bytes around them. */
void export_report_md_text(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("<br>", f);
		else if (c == '\r' && s[1] == '\n')
			continue;
		else if (c == '\t' || c == '\r')
			putc(' ', f);
		else if (c < 0x20 || c == 0x7f)
			fputs("\xef\xbf\xbd", f);
		else if (strchr("\\`*_[]<>|~&#!", c))
			fprintf(f, "\\%c", c);
		else
			putc(c, f);
	}
}

static size_t longest_run(const char *s, char c)
{
	size_t best = 0, run = 0;

	for (; s && *s; s++) {
		run = *s == c ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* A closing fence needs a run of backticks at least as long as the opening
 * one, so a fence longer than every run in s (anywhere on a line, which is
 * more than needed) cannot be closed from inside. */
void export_report_md_block(FILE *f, const char *s)
{
	size_t n = longest_run(s, '`') + 1, i;

	if (n < 3)
		n = 3;
	for (i = 0; i < n; i++)
		putc('`', f);
	fputs("text\n", f);
	fputs(s, f);
	if (*s && s[strlen(s) - 1] != '\n')
		putc('\n', f);
	for (i = 0; i < n; i++)
		putc('`', f);
	putc('\n', f);
}

/* A time in the configured zone, RFC 3339; "—" for never. */
static const char *when(time_t t, char buf[40])
{
	return t ? clock_format_rfc3339(t, buf, 40) : "—";
}

/* Adapters: the *_name and *_label functions take their enum. */
static const char *status_name_i(int x) { return status_name(x); }
static const char *status_label_i(int x) { return status_label(x); }
static const char *priority_name_i(int x) { return priority_name(x); }
static const char *priority_label_i(int x) { return priority_label(x); }
static const char *type_name_i(int x) { return type_name(x); }
static const char *type_label_i(int x) { return type_label(x); }
static const char *source_name_i(int x) { return source_name(x); }
static const char *source_label_i(int x) { return source_label(x); }

/* "調査中 (investigating)", or "未確認 (not set)" for -1 (unset, or a name
 * an old database holds that this version does not know). */
static void md_enum(FILE *f, int v, const char *(*name)(int), const char *(*label)(int))
{
	if (v < 0) {
		fputs("未確認 (not set)", f);
		return;
	}
	fputs(label(v), f);
	fputs(" (", f);
	export_report_md_text(f, name(v));
	putc(')', f);
}

/* ---- report.md ---- */

static void report_ticket(FILE *f, const struct export_report *r)
{
	const struct ticket *t = r->ticket;
	char a[40];
	int k;

	fputs("## 概要 (Ticket)\n\n| 項目 (Field) | 内容 (Value) |\n| --- | --- |\n", f);
	fprintf(f, "| 番号 (ID) | %s |\n| 件名 (Subject) | ", t->ref);
	export_report_md_text(f, t->subject);
	fputs(" |\n| 状態 (Status) | ", f);
	md_enum(f, t->status, status_name_i, status_label_i);
	fputs(" |\n| 優先度 (Priority, policy 7-2) | ", f);
	md_enum(f, t->priority, priority_name_i, priority_label_i);
	fputs(" |\n| 種別 (Type, policy 7-6) | ", f);
	md_enum(f, t->type, type_name_i, type_label_i);
	fputs(" |\n| 検知の経緯 (Source, policy 7-1) | ", f);
	md_enum(f, t->source, source_name_i, source_label_i);
	fputs(" |\n| 影響を受けた人数 (People affected) | ", f);
	if (t->affected >= 0)
		fprintf(f, "%ld", t->affected);
	else
		fputs("不明 (unknown)", f);
	fputs(" |\n| 報告者 (Reporter) | ", f);
	if (t->reporter_name) {
		export_report_md_text(f, t->reporter_name);
		putc(' ', f);
	}
	export_report_md_text(f, t->reporter_addr ? t->reporter_addr : "—");
	fputs(" |\n| 担当 (Owner) | ", f);
	export_report_md_text(f, t->owner ? t->owner : "未定 (none)");
	fprintf(f, " |\n| 起票 (Opened) | %s |\n", when(t->created_at, a));
	fprintf(f, "| 認知時刻 (Awareness time, policy 7-4) | %s |\n", when(t->aware_at, a));
	fprintf(f, "| 受付 (Acknowledged) | %s |\n", when(t->acked_at, a));
	fprintf(f, "| 封じ込め (Contained) | %s |\n", when(t->contained_at, a));
	fprintf(f, "| 解決 (Resolved) | %s |\n", when(t->resolved_at, a));
	fprintf(f, "| 完了 (Closed) | %s |\n", when(t->closed_at, a));
	fprintf(f, "| 最終更新 (Last updated) | %s |\n", when(t->updated_at, a));
	fprintf(f, "| 未受付のエスカレーション (Escalations sent) | %d |\n\n", t->escalation_stage);

	fputs("## 分類とその根拠 (Classification and why)\n\n", f);
	if (t->classify_why) {
		fputs("自動分類が根拠とした語句 (the words the classification saw): ", f);
		export_report_md_text(f, t->classify_why);
		fputs("\n\n", f);
	} else {
		fputs("記録なし (not recorded)\n\n", f);
	}
	fputs("分類の変更は経過に記録されています (corrections are in the timeline: "
	      "`classified`, `command`).\n\n", f);

	fputs("## フラグ (Flags)\n\n", f);
	for (k = 0; k < FLAG_COUNT; k++)
		if (t->flags & FLAG_BIT(k))
			fprintf(f, "- %s (%s)\n", flag_label(k), flag_name(k));
	fputs(t->flags ? "\n" : "なし (none)\n\n", f);
}

static void report_obligations(FILE *f, const struct export_report *r)
{
	char a[40], b[40], c[40], d[40];
	size_t i;

	fputs("## 義務と期限 (Obligations, policy 7-4)\n\n", f);
	if (!r->n_obl) {
		fputs("なし (none)\n\n", f);
		return;
	}
	fputs("期限は認知時刻から数えます (due dates count from the awareness time).\n\n"
	      "| 義務 (Obligation) | 状態 (State) | 作成 (Created) | 起算 (Counted from) "
	      "| 期限 (Due) | 完了・不要の記録 (Closed) | 記録者 (By) | 理由・メモ (Reason / note) |\n"
	      "| --- | --- | --- | --- | --- | --- | --- | --- |\n", f);
	for (i = 0; i < r->n_obl; i++) {
		const struct obligation *o = &r->obl[i];
		int k = obligation_from_name(o->kind);
		bool overdue = o->state == OBLIGATION_OPEN && o->due_at <= r->now;

		fprintf(f, "| %s (", k >= 0 ? obligation_label(k) : "?");
		export_report_md_text(f, o->kind);
		fprintf(f, ") | %s (", obligation_state_label(o->state));	/* "?" unknown */
		export_report_md_text(f, obligation_state_name(o->state));
		fprintf(f, ")%s | %s | %s | %s | %s | ", overdue ? " **期限超過 (overdue)**" : "",
			when(o->created_at, a), when(o->start_at, b), when(o->due_at, c),
			when(o->closed_at, d));
		export_report_md_text(f, o->closed_by ? o->closed_by : "—");
		fputs(" | ", f);
		export_report_md_text(f, o->reason ? o->reason : "—");
		fputs(" |\n", f);
	}
	fputs("\n", f);
}

static void report_checklist(FILE *f, const struct export_report *r)
{
	char a[40];
	size_t i;

	fputs("## チェックリスト (Checklist, policy 7-6)\n\n", f);
	if (!r->n_items) {
		fputs("なし (none)\n\n", f);
		return;
	}
	fputs("| # | 項目 (Item) | 完了 (Done at) | 実施者 (By) |\n| --- | --- | --- | --- |\n", f);
	for (i = 0; i < r->n_items; i++) {
		fprintf(f, "| %d | ", r->items[i].pos);
		export_report_md_text(f, r->items[i].text);
		fprintf(f, " | %s | ", r->items[i].done_at ? when(r->items[i].done_at, a) :
			"未了 (open)");
		export_report_md_text(f, r->items[i].done_by ? r->items[i].done_by : "—");
		fputs(" |\n", f);
	}
	fputs("\n", f);
}

static void report_messages(FILE *f, const struct export_report *r)
{
	char a[40];
	size_t i, k;

	fputs("## 受信したメッセージ (Messages received)\n\n", f);
	if (!r->n_msgs) {
		fputs("なし (none)\n\n", f);
		return;
	}
	fputs("各メッセージの受信時のままのバイト列は messages/ にあります "
	      "(the raw bytes as received are in messages/).\n\n", f);
	for (i = 0; i < r->n_msgs; i++) {
		const struct message_row *m = &r->msgs[i];

		fprintf(f, "### %zu. messages/%03zu.eml\n\n- 種別 (Kind): ", i + 1, i + 1);
		export_report_md_text(f, m->kind);
		fputs("\n- 差出人 (From): ", f);
		if (m->from_name) {
			export_report_md_text(f, m->from_name);
			putc(' ', f);
		}
		export_report_md_text(f, m->from_addr ? m->from_addr : "—");
		fprintf(f, "\n- 日付 (Date): %s\n", when(m->date, a));
		fprintf(f, "- 受信 (Received): %s\n- 件名 (Subject): ", when(m->received_at, a));
		export_report_md_text(f, m->subject ? m->subject : "—");
		fputs("\n- Message-ID: ", f);
		export_report_md_text(f, m->message_id ? m->message_id : "—");
		fprintf(f, "\n- 大きさ (Size): %zu bytes\n- SHA-256: `%s`", m->size,
			m->sha256 ? m->sha256 : "");
		if (!m->sha256 || strcmp(m->sha256, r->msg_sha[i]) != 0)
			fprintf(f, " **保存されたバイト列のハッシュと一致しません (the stored bytes hash "
				"to `%s`)**", r->msg_sha[i]);
		fprintf(f, "\n- 記録番号 (Message row): %" PRId64 "\n", m->id);
		for (k = 0; k < m->n_attachments; k++) {
			const struct mail_attachment *at = &m->attachments[k];

			fputs(k ? "  - " : "- 添付 (Attachments):\n  - ", f);
			export_report_md_text(f, at->filename ? at->filename :
					      "(名前なし / no name)");
			fputs(" (", f);
			export_report_md_text(f, at->content_type);
			fprintf(f, ", %zu bytes, SHA-256 `%s`)\n", at->size, at->sha256);
		}
		fputs("\n本文 (Text):\n\n", f);
		export_report_md_block(f, m->body ? m->body : "");
		fputs("\n", f);
	}
}

static void report_mails(FILE *f, const struct export_report *r)
{
	char a[40], b[40];
	size_t i;

	fputs("## ボットが送信したメール (Mail sent by the bot)\n\n", f);
	if (!r->n_mails) {
		fputs("なし (none)\n\n", f);
		return;
	}
	fputs("| # | 種別 (Kind) | 宛先 (To) | 件名 (Subject) | 状態 (State) | 登録 (Queued) "
	      "| 送信 (Sent) | Message-ID | ファイル (File) |\n"
	      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n", f);
	for (i = 0; i < r->n_mails; i++) {
		const struct outbox_entry *m = &r->mails[i];

		fprintf(f, "| %zu | ", i + 1);
		export_report_md_text(f, m->kind);
		fputs(" | ", f);
		export_report_md_text(f, m->rcpt);
		fputs(" | ", f);
		export_report_md_text(f, m->subject ? m->subject : "—");
		fprintf(f, " | %s", outbox_state_name(m->state));
		if (m->last_error) {
			fputs(" (", f);
			export_report_md_text(f, m->last_error);
			putc(')', f);
		}
		fprintf(f, " | %s | %s | ", when(m->created_at, a), when(m->sent_at, b));
		export_report_md_text(f, m->message_id);
		/* issue 16: an intent has no bytes until the render stage */
		if (m->intent)
			fputs(" | 作成前 (not rendered yet) |\n", f);
		else
			fprintf(f, " | sent/%03zu.eml |\n", i + 1);
	}
	fputs("\n", f);
}

static void report_timeline(FILE *f, const struct export_report *r)
{
	char a[40];
	size_t i;

	fputs("## 経過 (Timeline)\n\n", f);
	if (!r->n_events) {
		fputs("なし (none)\n\n", f);
		return;
	}
	fputs("各イベントのハッシュは前のイベントのハッシュを含みます "
	      "(each event's hash covers the previous one's: `incident-bot verify`).\n\n"
	      "| # | 時刻 (Time) | 種別 (Kind) | 実施者 (Actor) | 内容 (Detail) | ハッシュ (Hash) |\n"
	      "| --- | --- | --- | --- | --- | --- |\n", f);
	for (i = 0; i < r->n_events; i++) {
		const struct event *ev = &r->events[i];

		fprintf(f, "| %" PRId64 " | %s | ", ev->id, when(ev->at, a));
		export_report_md_text(f, ev->kind);
		fputs(" | ", f);
		export_report_md_text(f, ev->actor);
		fputs(" | ", f);
		export_report_md_text(f, ev->detail ? ev->detail : "");
		fprintf(f, " | `%s` |\n", ev->hash);
	}
	fputs("\n", f);
}

static void report_integrity(FILE *f, const struct export_report *r)
{
	size_t i;

	fputs("## 完全性 (Integrity)\n\n- 検証 (Verify, whole database): ", f);
	export_report_md_text(f, r->verdict);
	fputs("\n", f);
	for (i = 0; i < r->n_problems; i++) {
		fputs("  - ", f);
		export_report_md_text(f, r->problems[i]);
		fputs("\n", f);
	}
	if (r->n_events) {
		fprintf(f, "- 最初のイベント (First event): %" PRId64 " `%s`\n", r->events[0].id,
			r->events[0].hash);
		fprintf(f, "- 最後のイベント (Last event): %" PRId64 " `%s`\n",
			r->events[r->n_events - 1].id, r->events[r->n_events - 1].hash);
	}
	if (r->vr->last_id)
		fprintf(f, "- データベースの最新イベント (Newest event in the database): %" PRId64
			" `%s`\n", r->vr->last_id, r->vr->last_hash);
	fputs("- 各ファイルの SHA-256 は manifest.sha256 にあります。このフォルダで "
	      "`sha256sum -c manifest.sha256` で確認できます "
	      "(check every file with `sha256sum -c manifest.sha256` in this folder).\n", f);
}

int export_report_render(const struct export_report *r, char **buf, size_t *len,
			 struct error *err)
{
	FILE *f = open_memstream(buf, len);
	char a[40];

	if (!f)
		return error_set(err, ERR_TEMP, "export: out of memory for report.md");
	fprintf(f, "# インシデント記録 (Incident record) %s\n\n", r->ticket->ref);
	fputs("- 件名 (Subject): ", f);
	export_report_md_text(f, r->ticket->subject);
	fprintf(f, "\n- 作成日時 (Exported at): %s\n", when(r->now, a));
	fputs("- 作成 (Exported by): incident-bot export\n- 検証 (Verify): ", f);
	export_report_md_text(f, r->verdict);
	fputs("\n\n", f);
	report_ticket(f, r);
	report_obligations(f, r);
	report_checklist(f, r);
	report_messages(f, r);
	report_mails(f, r);
	report_timeline(f, r);
	fputs("## 再発防止のための文書 (Lessons learned, policy 8)\n\n", f);
	if (r->ticket->lessons && *r->ticket->lessons)
		export_report_md_block(f, r->ticket->lessons);
	else
		fputs("未登録 / not recorded\n", f);
	fputs("\n", f);
	report_integrity(f, r);
	if (fclose(f) != 0) {
		free(*buf);
		*buf = NULL;
		return error_set(err, ERR_TEMP, "export: out of memory for report.md");
	}
	return 0;
}
