/*
 * test_pipeline.c — parse → route → store → outbox for batches of raw mail,
 * against a temporary database (no network): ticket numbers, threading,
 * duplicates, machines' mail, header injection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk/pipeline.h"
#include "lib/clock.h"
#include "notify/intent.h"
#include "mime/mime.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-pipeline-XXXXXX";
static struct store *st;
static struct config cfg;
static struct person persons[] = {
	{ "sysadmin", "北垣 剛志", "tkita@example.com", "070-0000-0000", ROLE_ADMIN },
	{ "ecadmin", "伊藤 佳彦", "y.ito@example.com", NULL, ROLE_ADMIN },
	{ "president", "渡部 正行", "ceo@example.com", NULL, ROLE_MANAGEMENT },
};

static time_t now = 1795651200;	/* 2026-11-26T09:00:00+09:00 */

static struct pipeline_stats feed(const char *const *raws, size_t n)
{
	struct mail_raw msgs[16] = { 0 };
	struct pipeline_stats stats = { 0 };
	struct error err = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		msgs[i].uid = (uint32_t)(100 + i);
		msgs[i].raw = (char *)raws[i];
		msgs[i].len = strlen(raws[i]);
	}
	if (pipeline_process(&cfg, st, msgs, n, 42, now, &stats, &err) < 0)
		printf("# pipeline_process: %s\n", err.msg);
	return stats;
}

static struct pipeline_stats feed1(const char *raw)
{
	return feed(&raw, 1);
}

/* As the IMAP intake hands over a mail it cut at limits.max_message_size. */
static struct pipeline_stats feed_cut(const char *raw, size_t full_size)
{
	struct mail_raw msg = { .uid = 900, .raw = (char *)raw, .len = strlen(raw),
				    .truncated = true, .full_size = full_size };
	struct pipeline_stats stats = { 0 };
	struct error err = { 0 };

	if (pipeline_process(&cfg, st, &msg, 1, 42, now, &stats, &err) < 0)
		printf("# pipeline_process: %s\n", err.msg);
	return stats;
}

static size_t count_tickets(void)
{
	struct ticket *t;
	struct error err;
	size_t n;

	store_ticket_list(st, true, &t, &n, &err);
	store_tickets_free(t, n);
	return n;
}

static size_t count_messages(const char *ref)
{
	struct ticket t;
	struct message_row *m;
	struct error err;
	size_t n = 0;

	if (store_ticket_get(st, ref, &t, &err) == 1) {
		store_message_list(st, t.id, &m, &n, &err);
		store_messages_free(m, n);
		store_ticket_release(&t);
	}
	return n;
}

/* The mail queued about a ticket, with its bytes; caller frees. */
static struct outbox_entry *mails_of(const char *ref, size_t *n)
{
	struct ticket t;
	struct outbox_entry *e = NULL;
	struct error err;

	*n = 0;
	/* issue 16: what the sender stage would store before a flush */
	if (notify_render_pending(&cfg, st, now, NULL, &err) < 0)
		printf("# notify_render_pending: %s\n", err.msg);
	if (store_ticket_get(st, ref, &t, &err) == 1) {
		store_outbox_list(st, t.id, true, &e, n, &err);
		store_ticket_release(&t);
	}
	return e;
}

/* Does e's text (decoded) hold `text`? */
static int body_has(const struct outbox_entry *e, const char *text)
{
	struct error err = { 0 };
	struct mail m = { 0 };
	int has;

	if (!e->data || mime_parse(e->data, e->len, &m, &err) < 0)
		return 0;
	has = m.body && strstr(m.body, text) != NULL;
	mail_release(&m);
	return has;
}

/* The mails of kind queued to rcpt (case ignored) since then. */
static int queued_since(const char *rcpt, const char *kind, time_t since)
{
	struct outbox_entry *e = NULL;
	struct error err;
	size_t n = 0, i;
	int count = 0;

	store_outbox_list(st, 0, false, &e, &n, &err);
	for (i = 0; i < n; i++)
		count += strcasecmp(e[i].rcpt, rcpt) == 0 && strcmp(e[i].kind, kind) == 0 &&
			 e[i].created_at >= since;
	store_outbox_free(e, n);
	return count;
}

static const char report[] =
	"From: =?UTF-8?B?5bGx55SwIOiKseWtkA==?= <yamada@example.com>\r\n"
	"To: incident@example.com\r\n"
	"Subject: =?UTF-8?B?44K144O844OQ44O844GM6YGF44GE?=\r\n"
	"Date: Wed, 25 Nov 2026 10:00:00 +0900\r\n"
	"Message-ID: <report-1@example.com>\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: text/plain; charset=UTF-8\r\n"
	"Content-Transfer-Encoding: 8bit\r\n"
	"\r\n"
	"受注サーバーが遅く、見知らぬログインがあります。\r\n";

/*
 * Issue 16: sixteen reports in one batch and their mails rendered in one
 * pass — composed on a second thread while the next tickets are read, each
 * ticket's shared variables kept until the batch ends: every alarm and
 * acknowledgement names its own ticket (the alarm quotes its report, the
 * acknowledgement goes to its reporter), and none the next ticket.
 */
static void test_many_reports_one_pass(void)
{
	enum { REPORTS = 16 };
	char raws[REPORTS][600], refs[REPORTS][24], own[48], other[48];
	const char *p[REPORTS];
	struct pipeline_stats s;
	struct outbox_entry *mails;
	struct error err = { 0 };
	struct ticket t;
	size_t n, i;
	int alarms = 0, acks = 0, right = 0, mixed = 0, r;

	for (r = 0; r < REPORTS; r++) {
		snprintf(raws[r], sizeof raws[r],
			 "From: Reporter %02d <rep%02d@shop%02d.example.org>\r\n"
			 "Subject: =?UTF-8?B?5LiN5a+p44Gq44Oh44O844Or?= %02d\r\n"
			 "Message-ID: <many-%02d@example.org>\r\nMIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=UTF-8\r\n"
			 "Content-Transfer-Encoding: 8bit\r\n\r\n"
			 "KEY-%02d-ZQ 顧客情報の入ったメールを社外に誤送信しました。\r\n",
			 r, r, r, r, r, r);
		p[r] = raws[r];
	}
	s = feed(p, REPORTS);
	CHECK_INT(s.new_tickets, REPORTS, "sixteen reports in one batch open sixteen tickets");
	for (r = 0; r < REPORTS; r++) {
		int64_t id = 0;
		char mid[40];

		snprintf(mid, sizeof mid, "many-%02d@example.org", r);
		refs[r][0] = '\0';
		if (store_message_ticket_of(st, mid, &id, &err) == 1 &&
		    store_ticket_get_by_id(st, id, &t, &err) == 1) {
			snprintf(refs[r], sizeof refs[r], "%s", t.ref);
			store_ticket_release(&t);
		}
	}
	for (r = 0; r < REPORTS; r++) {
		/* the first call renders all of them, in one pass */
		mails = mails_of(refs[r], &n);
		for (i = 0; i < n; i++) {
			bool alarm = strcmp(mails[i].kind, "alarm") == 0;
			bool ack = strcmp(mails[i].kind, "ack") == 0;

			if (!alarm && !ack)
				continue;
			alarms += alarm;
			acks += ack;
			/* the alarm quotes the report; the acknowledgement goes to
			 * its writer and gives the ticket's number */
			if (alarm)
				snprintf(own, sizeof own, "KEY-%02d-ZQ", r);
			else
				snprintf(own, sizeof own, "To: rep%02d@shop%02d.example.org", r, r);
			snprintf(other, sizeof other, "KEY-%02d-ZQ", (r + 1) % REPORTS);
			right += mails[i].data && body_has(&mails[i], refs[r]) &&
				 (alarm ? body_has(&mails[i], own) : strstr(mails[i].data, own) != NULL);
			mixed += body_has(&mails[i], other) +
				 body_has(&mails[i], refs[(r + 1) % REPORTS]);
		}
		store_outbox_free(mails, n);
	}
	CHECK_INT(alarms, 2 * REPORTS, "... an alarm to each admin for each of them");
	CHECK_INT(acks, REPORTS, "... and an acknowledgement to each reporter");
	CHECK_INT(right, alarms + acks, "... each naming its own ticket: the alarms quote its report, "
		  "the acknowledgements go to its reporter");
	CHECK_INT(mixed, 0, "... and none names the next ticket or quotes its report");
}

int main(void)
{
	struct error err = { 0 };
	struct pipeline_stats s;
	struct outbox_entry *mails;
	struct ticket t;
	char path[256], *templates;
	size_t n, i;
	int acks = 0, alarms = 0;

	if (!mkdtemp(dir))
		return 1;
	clock_set_zone("Asia/Tokyo");
	snprintf(path, sizeof path, "%s/incidents.db", dir);
	if (store_open(path, &st, &err) < 0) {
		printf("# %s\n", err.msg);
		return 1;
	}
	templates = getenv("IB_TEMPLATES") ? getenv("IB_TEMPLATES") : "templates";
	cfg.templates = templates;
	cfg.smtp.from = "incident@example.com";
	cfg.smtp.from_name = "セキュリティインシデント窓口";
	cfg.persons = persons;
	cfg.n_persons = 3;
	cfg.limits.replies_per_hour = 3;
	cfg.limits.replies_per_domain = 20;
	cfg.limits.replies_outside = 100;

	/* A new report: a ticket, an acknowledgement, an alarm per admin. */
	s = feed1(report);
	CHECK_INT(s.new_tickets, 1, "a report opens a ticket");
	CHECK_INT(store_ticket_get(st, "INC-2026-0001", &t, &err), 1, "numbered INC-2026-0001");
	CHECK_STR(t.subject, "サーバーが遅い", "its subject, RFC 2047 decoded");
	CHECK_STR(t.reporter_addr, "yamada@example.com", "the reporter's address");
	CHECK_STR(t.reporter_name, "山田 花子", "the reporter's decoded name");
	CHECK_INT(t.aware_at, now, "awareness defaults to the arrival (policy 7-4)");
	store_ticket_release(&t);
	mails = mails_of("INC-2026-0001", &n);
	for (i = 0; i < n; i++) {
		acks += strcmp(mails[i].kind, "ack") == 0 &&
			strcmp(mails[i].rcpt, "yamada@example.com") == 0;
		alarms += strcmp(mails[i].kind, "alarm") == 0;
	}
	CHECK_INT(acks, 1, "one acknowledgement to the reporter");
	CHECK_INT(alarms, 2, "one alarm to each of the two admins");
	CHECK(n && strstr(mails[0].subject, "[INC-2026-0001]") != NULL, "subjects carry the tag");
	CHECK(n && strstr(mails[0].data, "In-Reply-To: <report-1@example.com>") != NULL,
	      "the acknowledgement answers the report");
	CHECK(n && strstr(mails[0].data, "References: <report-1@example.com>") != NULL,
	      "... and threads under it");
	CHECK(n && strstr(mails[0].data, "Auto-Submitted: auto-replied") != NULL,
	      "and says it is automatic (RFC 3834)");
	CHECK(n && strstr(mails[0].data, "incident+INC-2026-0001@example.com") != NULL,
	      "a Reply-To that routes back to the ticket");
	store_outbox_free(mails, n);

	/* Duplicates never open a second ticket. */
	s = feed1(report);
	CHECK_INT(s.duplicates, 1, "the same message again is a duplicate");
	{
		const char *twice[] = {
			"From: a@example.com\r\nSubject: no id\r\n\r\nbody\r\n",
			"From: a@example.com\r\nSubject: no id\r\n\r\nbody\r\n",
		};
		s = feed(twice, 2);
		CHECK_INT(s.new_tickets, 1, "same bytes without Message-ID in one batch: one ticket");
		CHECK_INT(s.duplicates, 1, "... and one duplicate");
	}
	/* issue 14 (V12): a copy is the same sender and text; another sender
	 * or text with a known Message-ID is new mail (security-dupes.sh) */
	s = feed1("From: Yamada <YAMADA@example.com>\r\nSubject: other bytes\r\n"
		  "Message-ID: <report-1@example.com>\r\nMIME-Version: 1.0\r\n"
		  "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
		  "受注サーバーが遅く、見知らぬログインがあります。\r\n");
	CHECK_INT(s.duplicates, 1, "same Message-ID, sender and text with other bytes is a duplicate");
	CHECK_INT(count_messages("INC-2026-0001"), 2, "... whose bytes are kept on the first copy's ticket");
	CHECK_INT(count_tickets(), 2, "two tickets so far");

	/* Follow-ups: subject tag, In-Reply-To, References, reply address. */
	s = feed1("From: yamada@example.com\r\nSubject: Re: [INC-2026-0001] =?UTF-8?B?5Y+X5LuY?=\r\n"
		  "Message-ID: <f1@example.com>\r\n\r\nmore\r\n\r\nOn Wed, 25 Nov 2026 at 10:00, Desk wrote:\r\n"
		  "> the acknowledgement\r\n");
	CHECK_INT(s.follow_ups, 1, "a tagged reply is a follow-up");
	{
		struct ticket tk;
		struct message_row *rows;
		struct event *ev;
		size_t nr = 0, ne = 0;

		store_ticket_get(st, "INC-2026-0001", &tk, &err);
		store_message_list(st, tk.id, &rows, &nr, &err);
		store_event_list(st, tk.id, &ev, &ne, &err);
		CHECK(nr && strcmp(rows[nr - 1].new_text, "more") == 0 &&
		      strstr(rows[nr - 1].body, "> the acknowledgement"),
		      "the reply's own words are kept apart from the quote (body kept whole)");
		CHECK(ne && strcmp(ev[ne - 1].kind, "follow-up") == 0 &&
		      !strstr(ev[ne - 1].detail, "acknowledgement"), "the timeline shows only the new text");
		store_messages_free(rows, nr);
		store_events_free(ev, ne);
		store_ticket_release(&tk);
	}
	mails = mails_of("INC-2026-0001", &n);
	{
		char raw[1024];
		snprintf(raw, sizeof raw, "From: tkita@example.com\r\nSubject: Re: untagged\r\n"
			 "Message-ID: <f2@example.com>\r\nIn-Reply-To: <%s>\r\n\r\nx\r\n",
			 n ? mails[n - 1].message_id : "none");
		s = feed1(raw);
		CHECK_INT(s.follow_ups, 1, "In-Reply-To naming the bot's alarm is a follow-up");
	}
	store_outbox_free(mails, n);
	s = feed1("From: c@example.com\r\nSubject: thread\r\nMessage-ID: <f3@example.com>\r\n"
		  "References: <unknown@x> <report-1@example.com> <other@x>\r\n\r\nx\r\n");
	CHECK_INT(s.follow_ups, 1, "References naming a message of the ticket");
	{
		struct mail m = { 0 };
		struct error perr;
		char *t;
		const char *raw = "From: a@x\r\nMessage-ID: <me@x>\r\nReferences: <a@x> <b@x>\r\n\r\n.\r\n";

		mime_parse(raw, strlen(raw), &m, &perr);
		t = mail_thread(&m, true);
		CHECK_STR(t, "a@x b@x me@x", "an answer's References: the thread, then the mail");
		free(t);
		t = mail_thread(&m, false);
		CHECK_STR(t, "a@x b@x", "the thread alone");
		free(t);
		mail_release(&m);
	}
	s = feed1("From: c@example.com\r\nTo: Desk <incident+INC-2026-0001-abc@example.com>\r\n"
		  "Subject: plain\r\nMessage-ID: <f4@example.com>\r\n\r\nx\r\n");
	CHECK_INT(s.follow_ups, 1, "mail to the ticket's reply address");
	CHECK_INT(count_messages("INC-2026-0001"), 6,
		  "the ticket holds the report, its other copy and four follow-ups");
	s = feed1("From: c@example.com\r\nSubject: [INC-2026-9999] ghost\r\nMessage-ID: <g@x>\r\n\r\nx\r\n");
	CHECK_INT(s.new_tickets, 1, "a tag of no ticket opens a new one");

	/* Machines: recorded, never answered. */
	s = feed1("From: mailer-daemon@example.net\r\nSubject: Undelivered\r\nMessage-ID: <b1@x>\r\n\r\nx\r\n");
	CHECK_INT(s.automatic, 1, "a bounce is automatic");
	s = feed1("From: a@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: away\r\n"
		  "Message-ID: <b2@x>\r\n\r\nx\r\n");
	CHECK_INT(s.automatic, 1, "an auto-reply is automatic");
	s = feed1("From: incident@example.com\r\nSubject: [INC-2026-0001] loop\r\nMessage-ID: <b3@x>\r\n\r\nx\r\n");
	CHECK_INT(s.automatic, 1, "our own mail is automatic (no loop)");
	CHECK_INT(count_tickets(), 3, "none of them opened a ticket");

	/* An admin's report: alarms only. */
	s = feed1("From: tkita@example.com\r\nSubject: disk failure\r\nMessage-ID: <adm@x>\r\n\r\nx\r\n");
	mails = mails_of("INC-2026-0004", &n);
	acks = 0;
	for (i = 0; i < n; i++)
		acks += strcmp(mails[i].kind, "ack") == 0;
	CHECK(s.new_tickets == 1 && acks == 0 && n == 2, "an admin's report: two alarms, no acknowledgement");
	store_outbox_free(mails, n);

	/* No header injection through an encoded subject or name. */
	s = feed1("From: =?UTF-8?B?RXZpbA0KQmNjOiB2aWN0aW1AZXhhbXBsZS5jb20=?= <evil@example.com>\r\n"
		  "Subject: =?UTF-8?B?aGkNCkJjYzogdmljdGltQGV4YW1wbGUuY29t?=\r\n"
		  "Message-ID: <inj@x>\r\n\r\nx\r\n");
	mails = mails_of("INC-2026-0005", &n);
	{
		int injected = 0;
		for (i = 0; i < n; i++)
			injected += strstr(mails[i].data, "\r\nBcc:") != NULL ||
				    strstr(mails[i].data, "\nBcc:") != NULL;
		CHECK(s.new_tickets == 1 && n == 3 && injected == 0,
		      "an encoded CRLF in subject or name adds no header");
	}
	store_outbox_free(mails, n);

	/* No sender at all: a ticket, alarms, and nobody to acknowledge. */
	s = feed1("Subject: anonymous\r\nMessage-ID: <anon@x>\r\n\r\nsomething is wrong\r\n");
	mails = mails_of("INC-2026-0006", &n);
	acks = 0;
	for (i = 0; i < n; i++)
		acks += strcmp(mails[i].kind, "ack") == 0;
	CHECK(s.new_tickets == 1 && n == 2 && acks == 0, "a mail without sender: two alarms, no acknowledgement");
	store_outbox_free(mails, n);

	/* A bounce of the acknowledgement: failed, noted, admins told — once. */
	{
		char raw[2048];
		struct outbox_entry e;
		size_t before, after;

		mails = mails_of("INC-2026-0001", &n);
		before = n;
		snprintf(raw, sizeof raw,
			 "From: MAILER-DAEMON@mx.example.net\r\nSubject: Undelivered\r\n"
			 "Message-ID: <dsn1@x>\r\nContent-Type: multipart/report; report-type=delivery-status;"
			 " boundary=B\r\n\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
			 "Final-Recipient: rfc822; yamada@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
			 "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%s>\r\n\r\n--B--\r\n",
			 mails[0].message_id);
		store_outbox_free(mails, n);
		s = feed1(raw);
		CHECK_INT(s.automatic, 1, "a bounce is machine mail");
		mails = mails_of("INC-2026-0001", &n);
		CHECK(n && mails[0].state == OUTBOX_FAILED && strstr(mails[0].last_error, "5.1.1"),
		      "the bounced acknowledgement is marked failed with the reason");
		after = n;
		CHECK_INT(after - before, 2, "each admin is told (bounce.txt)");
		CHECK(n && strcmp(mails[n - 1].kind, "bounce") == 0 &&
		      strstr(mails[n - 1].subject, "Delivery failed: yamada@example.com"),
		      "... naming the address that failed");
		/* The notice bounces too: recorded, no notice about the notice. */
		snprintf(raw, sizeof raw,
			 "From: MAILER-DAEMON@mx.example.net\r\nSubject: Undelivered\r\n"
			 "Message-ID: <dsn2@x>\r\nContent-Type: multipart/report; report-type=delivery-status;"
			 " boundary=B\r\n\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
			 "Action: failed\r\nStatus: 5.0.0\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
			 "Message-ID: <%s>\r\n\r\n--B--\r\n", mails[n - 1].message_id);
		CHECK_INT(store_outbox_find(st, mails[n - 1].message_id, &e, &err), 1, "the notice is in the outbox");
		store_outbox_entry_release(&e);
		store_outbox_free(mails, n);
		feed1(raw);
		mails = mails_of("INC-2026-0001", &n);
		CHECK(n == after && mails[n - 1].state == OUTBOX_FAILED,
		      "a bounced notice is marked failed and causes no further mail");
		store_outbox_free(mails, n);
		/* An out-of-office answer to the acknowledgement causes nothing. */
		s = feed1("From: yamada@example.com\r\nSubject: Automatic reply: [INC-2026-0001] x\r\n"
			  "Auto-Submitted: auto-replied\r\nMessage-ID: <ooo@x>\r\n\r\naway\r\n");
		mails = mails_of("INC-2026-0001", &n);
		CHECK(s.automatic == 1 && n == after, "an out-of-office reply to an acknowledgement causes nothing");
		store_outbox_free(mails, n);
	}

	/* A sender that answers every mail: at most limits.replies_per_hour acks an hour. */
	{
		int k, queued = 0;
		char raw[256];

		for (k = 0; k < 6; k++) {
			snprintf(raw, sizeof raw, "From: loop@example.net\r\nSubject: loop %d\r\n"
				 "Message-ID: <loop%d@x>\r\n\r\nx\r\n", k, k);
			feed1(raw);
		}
		queued = queued_since("loop@example.net", "ack", now - 3600);
		CHECK_INT(queued, 3, "acknowledgements to one sender stop at the hourly limit");
		now += 3601;
		feed1("From: loop@example.net\r\nSubject: later\r\nMessage-ID: <loop-later@x>\r\n\r\nx\r\n");
		queued = queued_since("loop@example.net", "ack", now - 3600);
		CHECK_INT(queued, 1, "... and resume an hour later");
	}


	/* A mail cut at the size limit: a ticket, a note, the admins told. */
	{
		struct ticket tk;
		struct message_row *rows;
		struct event *ev;
		size_t nr = 0, ne = 0, k, cuts = 0;
		int noted = 0;

		s = feed_cut("From: big@example.com\r\nSubject: huge logs\r\nMessage-ID: <big@x>\r\n"
			     "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
			     "Content-Type: text/plain\r\n\r\nsee the attached logs\r\n--B\r\n"
			     "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA", 99999999);
		CHECK_INT(s.new_tickets, 1, "a cut mail still opens a ticket");
		store_ticket_get(st, "INC-2026-0014", &tk, &err);
		CHECK_STR(tk.subject, "huge logs", "... with its subject");
		store_message_list(st, tk.id, &rows, &nr, &err);
		CHECK(nr == 1 && strstr(rows[0].body, "see the attached logs") &&
		      strstr(rows[0].body, "99999999 bytes were taken in"),
		      "its text keeps the first part and says it was cut");
		store_event_list(st, tk.id, &ev, &ne, &err);
		for (k = 0; k < ne; k++)
			noted += strcmp(ev[k].kind, "cut") == 0;
		CHECK_INT(noted, 1, "the timeline notes the cut");
		mails = mails_of("INC-2026-0014", &n);
		for (k = 0; k < n; k++)
			cuts += strcmp(mails[k].kind, "cut") == 0;
		CHECK_INT(cuts, 2, "each admin is told (cut.txt)");
		store_outbox_free(mails, n);
		store_messages_free(rows, nr);
		store_events_free(ev, ne);
		store_ticket_release(&tk);
	}

	/* Undecodable bytes: U+FFFD in the text, and the ticket says so. */
	{
		struct ticket tk;
		struct event *ev;
		size_t ne = 0, k;
		int noted = 0;

		feed1("From: bad@example.com\r\nSubject: broken\r\nMessage-ID: <lossy@x>\r\n"
		      "Content-Type: text/plain; charset=utf-8\r\n\r\nok \xff\xfe bytes\r\n");
		store_ticket_get(st, "INC-2026-0015", &tk, &err);
		store_event_list(st, tk.id, &ev, &ne, &err);
		for (k = 0; k < ne; k++)
			noted += strcmp(ev[k].kind, "undecodable") == 0;
		CHECK_INT(noted, 1, "undecodable bytes are noted on the ticket");
		store_events_free(ev, ne);
		store_ticket_release(&tk);
	}

	/* No subject; and the year turns. */
	feed1("From: d@example.com\r\nMessage-ID: <nosub@x>\r\n\r\nx\r\n");
	CHECK_INT(store_ticket_get(st, "INC-2026-0016", &t, &err), 1, "a mail without subject opens a ticket");
	CHECK_STR(t.subject, "(件名なし / no subject)", "... with a placeholder subject");
	store_ticket_release(&t);
	now = 1798729200;	/* 2027-01-01T00:00:00+09:00 */
	feed1("From: d@example.com\r\nSubject: new year\r\nMessage-ID: <ny@x>\r\n\r\nx\r\n");
	CHECK_INT(store_ticket_get(st, "INC-2027-0001", &t, &err), 1,
		  "numbers restart with the year in the configured zone");
	store_ticket_release(&t);

	/* Issue 16: the caps count the acknowledgements queued, not those
	 * held back at the per-recipient cap (a dead mailbox's backlog). */
	{
		const struct ack_counts caps = { 10, 10, 10 };
		struct ack_counts noted;
		int saved = cfg.limits.pending_per_recipient;

		cfg.limits.pending_per_recipient = 1;
		feed1("From: held@example.net\r\nSubject: held 1\r\nMessage-ID: <held1@x>\r\n\r\nx\r\n");
		feed1("From: held@example.net\r\nSubject: held 2\r\nMessage-ID: <held2@x>\r\n\r\nx\r\n");
		cfg.limits.pending_per_recipient = saved;
		CHECK_INT(queued_since("held@example.net", "ack", now - 3600), 1,
			  "a second acknowledgement to an address with one waiting is held back");
		CHECK(store_acks_since(st, "held@example.net", "example.net", now - 3600, &caps,
				       &noted, &err) == 0 && noted.mailbox == 1,
		      "... and only the one queued counts against the sender's hourly cap");
	}

	test_many_reports_one_pass();

	store_close(st);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);

	return test_done();
}
