/*
 * export_report.h — a ticket's evidence as a Markdown document: the
 * report.md of `incident-bot export` (policy 7-3, 7-4, 8).  cmd_export.c
 * reads the records and writes the folder around it; this module only
 * turns records into text: it takes `now` and data, and does no I/O of
 * its own.
 *
 * What it takes: the plain records of store.h as the store returned them,
 * borrowed for the call (read, never kept, never freed here).
 *
 * What it writes: UTF-8 Markdown (CommonMark with GitHub tables), Japanese
 * first and English in parentheses, in this order: the title and the
 * verify verdict; 概要 (Ticket); 分類とその根拠 (Classification and why);
 * フラグ (Flags); 義務と期限 (Obligations); チェックリスト (Checklist);
 * 受信したメッセージ (Messages received), each message's text in a code
 * block; ボットが送信したメール (Mail sent by the bot); 経過 (Timeline) with
 * each event's hash; 再発防止のための文書 (Lessons learned); 完全性
 * (Integrity).  Times are RFC 3339 in the zone of clock_set_zone(), "—"
 * for never.  An empty list is "なし (none)", never an empty table.
 *
 * Text that came from a mail or a person (subjects, names, addresses,
 * notes, event details) cannot change the document's structure: inline it
 * is escaped (export_report_md_text), whole texts go into code blocks that
 * nothing in them can close (export_report_md_block), so the only headings,
 * tables, link markup and HTML are the report's own (a renderer may still
 * make a bare URL clickable; it shows as written).  Text that is not valid
 * UTF-8 is copied as it is; the store keeps mail text valid UTF-8
 * (charset.h, header.h).
 */
#ifndef INCIDENT_EXPORT_REPORT_H
#define INCIDENT_EXPORT_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "lib/error.h"
#include "store/store.h"

/*
 * One ticket's evidence, all of it borrowed.  An array may be NULL when its
 * count is 0.  Any string in the records may be NULL (it is then left out,
 * or shown as "—" or "未確認 (not set)") except an obligation's state
 * (the database requires one) and the msg_sha entries.
 */
struct export_report {
	const struct ticket *ticket;		/* required */
	const struct message_row *msgs;		/* received, oldest first: messages/NNN.eml */
	size_t n_msgs;
	char *const *msg_sha;			/* n_msgs hex SHA-256s of the bytes written to
						 * messages/NNN.eml; one that differs from the
						 * stored msgs[i].sha256 is pointed out */
	const struct outbox_entry *mails;	/* sent about it, oldest first: sent/NNN.eml */
	size_t n_mails;
	const struct event *events;		/* the ticket's timeline, oldest first */
	size_t n_events;
	const struct checklist_item *items;
	size_t n_items;
	const struct obligation *obl;		/* in due order */
	size_t n_obl;
	const struct verify_result *vr;		/* store_verify over the whole database; required */
	const char *verdict;			/* one line: "ok: N events, M messages verified" */
	char *const *problems;			/* verify's first problems, described */
	size_t n_problems;
	time_t now;				/* the export's time: "overdue" is due_at <= now */
};

/*
 * Renders the whole report.md into *buf (malloc'd, the caller frees it;
 * NUL-terminated past *len).  Returns 0, or -1 with ERR_FATAL when memory
 * runs out (*buf is then NULL).
 */
int export_report_render(const struct export_report *r, char **buf, size_t *len,
			 struct error *err);

/*
 * Writes s (NULL: nothing) as inline text for a table cell or a list item:
 * \ ` * _ [ ] < > | ~ & # ! are backslash-escaped, a line break (LF or
 * CRLF) becomes <br>, a tab or lone CR a space, any other C0 control or
 * DEL U+FFFD.  Other bytes, UTF-8 or not, are copied.
 */
void export_report_md_text(FILE *f, const char *s);

/*
 * Writes s (not NULL) verbatim as a fenced code block (info string "text")
 * whose fence is a run of backticks longer than any run in s, and at least
 * 3, so no line of s can close it.  A final line break is added when s
 * lacks one.
 */
void export_report_md_block(FILE *f, const char *s);

#endif
