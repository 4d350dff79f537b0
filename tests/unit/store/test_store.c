/* test_store.c — schema, ticket numbers, duplicates, threading, outbox, event chain. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/digest.h"
#include "store/store_internal.h"	/* the statement cache: test_due_plan */
#include "test.h"

/* The SHA-256 (hex) the outbox stores with data (a static buffer). */
static const char *sha_of(const char *data, size_t len)
{
	static char hex[65];

	digest_sha256_hex(data, len, hex);
	return hex;
}

static char dir[] = "/tmp/ib-test-store-XXXXXX";
static char path[256];

static int64_t new_ticket(struct store *s, int year, const char *want_ref)
{
	struct ticket t;
	struct error err = { 0 };
	char what[100];
	int64_t id;

	store_begin(s, &err);
	CHECK_INT(store_ticket_create(s, year, 1000, "件名", "a@example.com", "A", &t, &err), 0,
		  "ticket created");
	store_commit(s, &err);
	snprintf(what, sizeof what, "ticket number %s", want_ref);
	CHECK_STR(t.ref, want_ref, what);
	id = t.id;
	store_ticket_release(&t);
	return id;
}

static void add_message(struct store *s, int64_t ticket, const char *msgid, const char *raw)
{
	struct mail m = { 0 };
	struct message_in in = { 0 };
	struct error err = { 0 };
	char sha[65];

	digest_sha256_hex(raw, strlen(raw), sha);
	m.message_id = (char *)msgid;
	m.from.addr = "a@example.com";
	m.subject = "s";
	m.body = "本文";
	m.date_raw = "Wed, 25 Nov 2026 10:00:00 +0900";
	in.ticket_id = ticket;
	in.kind = "report";
	in.raw = raw;
	in.len = strlen(raw);
	in.sha256 = sha;
	in.imap_uid = 7;
	in.imap_uidvalidity = 99;
	in.mail = &m;
	store_begin(s, &err);
	CHECK_INT(store_message_insert(s, &in, 1000, NULL, &err), 0, "message stored");
	store_commit(s, &err);
}

static int user_version(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Runs one statement on the database behind the store's back (an old
 * version's rows, an admin's edit). */
static void raw_sql(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	sqlite3_open(path, &db);
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		printf("# %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
}

/* The first column of the first row of sql, as text (a static buffer; "" none). */
static const char *raw_text(const char *sql)
{
	static char out[200];
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return out;
}

static struct ticket read_back(struct store *s, int64_t id)
{
	struct ticket t = { 0 };
	struct error err = { 0 };

	CHECK_INT(store_ticket_get_by_id(s, id, &t, &err), 1, "  read back");
	return t;
}

/*
 * Issue 15: status, priority, type, source and obligation state are enums
 * in memory and names in the rows.  Every value goes in and comes out the
 * same; a name this version does not know (an old database) reads as the
 * enum's unknown value without failing the read, the list or verify.
 */
static void test_enums(struct store *s, int64_t id)
{
	struct error err = { 0 };
	struct ticket t = read_back(s, id), *list;
	struct obligation *obl;
	struct verify_result vr;
	char what[120];
	size_t n, i;
	int v, found;

	CHECK(t.status == STATUS_NEW && t.priority == PRIORITY_UNSET && t.type == TYPE_UNSET &&
	      t.source == SOURCE_UNSET, "a new ticket: new, and not classified");
	store_ticket_release(&t);

	for (v = 0; v < TYPE_COUNT; v++) {
		enum priority p = (enum priority)(v % PRIORITY_COUNT);
		enum source src = (enum source)(v % SOURCE_COUNT);

		store_ticket_set_class(s, id, (enum incident_type)v, p, src, 0, -1, NULL, &err);
		t = read_back(s, id);
		snprintf(what, sizeof what, "round trip: type %s, priority %s, source %s",
			 type_name(v), priority_name(p), source_name(src));
		CHECK(t.type == (enum incident_type)v && t.priority == p && t.source == src, what);
		store_ticket_release(&t);
	}
	for (v = 0; v < STATUS_COUNT; v++) {
		CHECK_INT(store_ticket_set_status(s, id, (enum status)v, 2000 + v, &err), 0,
			  "status set");
		t = read_back(s, id);
		snprintf(what, sizeof what, "round trip: status %s", status_name(v));
		CHECK_INT(t.status, v, what);
		store_ticket_release(&t);
	}
	/* the times follow policy.h's order of the states, not spelled names */
	t = read_back(s, id);
	CHECK(t.acked_at == 2000 + STATUS_ACKNOWLEDGED && t.contained_at == 2000 + STATUS_RECOVERING &&
	      t.resolved_at == 2000 + STATUS_RESOLVED && t.closed_at == 2000 + STATUS_CLOSED,
	      "acknowledged, contained, resolved and closed when first reached");
	store_ticket_release(&t);
	store_ticket_set_status(s, id, STATUS_INVESTIGATING, 3000, &err);	/* reopened */
	t = read_back(s, id);
	CHECK(t.acked_at == 2000 + STATUS_ACKNOWLEDGED && t.contained_at == 2000 + STATUS_RECOVERING &&
	      !t.resolved_at && !t.closed_at, "a reopen clears resolved and closed, keeps the rest");
	store_ticket_release(&t);
	store_ticket_set_status(s, id, STATUS_CLOSED, 3100, &err);	/* /close force: */
	t = read_back(s, id);
	CHECK(t.resolved_at == 3100 && t.closed_at == 3100, "closed straight: resolved then too");
	store_ticket_release(&t);
	CHECK_INT(store_ticket_query(s, &(struct ticket_filter){ 0 }, &list, &n, &err), 0,
		  "the open tickets");
	for (i = 0, found = 0; i < n; i++)
		found += list[i].id == id;
	CHECK_INT(found, 0, "... leave the closed one out");
	store_tickets_free(list, n);
	CHECK_INT(store_ticket_query(s, &(struct ticket_filter){ .status = "closed" }, &list, &n, &err),
		  0, "--status closed");
	for (i = 0, found = 0; i < n; i++)
		found += list[i].id == id;
	CHECK_INT(found, 1, "... finds it");
	store_tickets_free(list, n);
	CHECK_INT(store_ticket_set_status(s, id, STATUS_UNKNOWN, 2000, &err), -1,
		  "an unknown status is never written");
	CHECK_INT(err.cls, ERR_FATAL, "... a bug, not a retry");
	err = (struct error){ 0 };

	store_ticket_set_class(s, id, TYPE_UNSET, PRIORITY_UNSET, SOURCE_UNSET, 0, -1, NULL, &err);
	t = read_back(s, id);
	v = TYPE_COUNT - 1;	/* the loop's last */
	CHECK(t.type == (enum incident_type)v && t.priority == (enum priority)(v % PRIORITY_COUNT) &&
	      t.source == (enum source)(v % SOURCE_COUNT),
	      "unset values leave the row's values as they were");
	store_ticket_release(&t);

	/* obligation states: each end, read back */
	for (v = OBLIGATION_DONE; v < OBLIGATION_STATE_COUNT; v++) {
		store_obligation_require(s, id, "amazon", 1000, 2000, 1000, &err);
		CHECK_INT(store_obligation_close(s, id, "amazon", (enum obligation_state)v, "r", "a",
						 1500, &err), 1, "obligation closed");
		store_obligation_list(s, id, &obl, &n, &err);
		snprintf(what, sizeof what, "round trip: obligation state %s",
			 obligation_state_name(v));
		CHECK(n == 1 && obl[0].state == (enum obligation_state)v, what);
		store_obligations_free(obl, n);
		raw_sql("UPDATE obligations SET state = 'cancelled'");	/* reopened by require */
	}
	CHECK_INT(store_obligation_close(s, id, "amazon", OBLIGATION_OPEN, NULL, "a", 1500, &err), -1,
		  "an obligation is never closed as open");
	err = (struct error){ 0 };

	/* what an old (or hand-edited) database may hold */
	raw_sql("UPDATE tickets SET status = 'reopened', priority = 'urgent', type = 'phishing',"
		" source = 'rumour' WHERE ref = 'INC-2026-0002'");
	raw_sql("UPDATE obligations SET state = 'postponed'");
	t = read_back(s, id);
	CHECK(t.status == STATUS_UNKNOWN && t.priority == PRIORITY_UNSET && t.type == TYPE_UNSET &&
	      t.source == SOURCE_UNSET, "unknown names read as the unknown values");
	CHECK_STR(t.ref, "INC-2026-0002", "... and the rest of the row is read");
	store_ticket_release(&t);
	CHECK_INT(store_ticket_list(s, true, &list, &n, &err), 0, "the list reads such a row");
	for (i = 0, found = 0; i < n; i++)
		found += list[i].id == id && list[i].status == STATUS_UNKNOWN;
	CHECK_INT(found, 1, "... as unknown");
	store_tickets_free(list, n);
	/* an admin's /type on such a ticket: the names it does not know stay */
	CHECK_INT(store_ticket_set_class(s, id, TYPE_MALWARE, PRIORITY_UNSET, SOURCE_UNSET, 0, -1,
					 NULL, &err), 0, "a new type on it");
	t = read_back(s, id);
	CHECK_INT(t.type, TYPE_MALWARE, "... is written");
	store_ticket_release(&t);
	CHECK_STR(raw_text("SELECT priority || ' ' || source FROM tickets"
			   " WHERE ref = 'INC-2026-0002'"), "urgent rumour",
		  "... and the unknown priority and source stay in the row");
	CHECK_INT(store_obligation_list(s, id, &obl, &n, &err), 0, "the obligations read too");
	CHECK(n == 1 && obl[0].state == OBLIGATION_STATE_UNKNOWN, "... an unknown state as unknown");
	store_obligations_free(obl, n);
	CHECK_INT(store_verify(s, NULL, NULL, &vr, &err), 0, "verify runs");
	CHECK_INT(vr.problems, 0, "... and finds nothing wrong: the rows are not the chain");
}

/* What schema steps 14 and 13 added, taken off again: the database step
 * 12 left. */
#define UNDO_STEP_13							\
	"DROP INDEX outbox_sendable;"					\
	"DROP TRIGGER outbox_pending_insert; DROP TRIGGER outbox_pending_leave;"	\
	"DROP TRIGGER outbox_pending_enter; DROP TRIGGER outbox_pending_delete;"	\
	"DROP TABLE outbox_pending; DROP TABLE acks;"				\
	"CREATE INDEX outbox_rcpt ON outbox(rcpt, created_at);"			\
	"CREATE INDEX outbox_rcpt_kind ON outbox(rcpt COLLATE NOCASE, kind, created_at);" \
	"CREATE INDEX outbox_kind_time ON outbox(kind, created_at);"		\
	"CREATE INDEX outbox_pending_rcpt ON outbox(rcpt COLLATE NOCASE)"	\
	" WHERE state = 'pending'; PRAGMA user_version = 12;"

/*
 * Schema step 13 (issue 16): the pending mails per recipient and the
 * window of acknowledgements are kept as rows change.  On a database of
 * step 12 they are counted from the outbox once; after that every change
 * of a mail's state moves its recipient's count, and an acknowledgement
 * noted counts for its mailbox, domain and the outside.
 */
static void test_schema_13_counts(void)
{
	static const char mail[] = "Subject: x\r\n\r\nbytes\r\n";
	const struct ack_counts caps = { 100, 100, 100 };
	struct ack_counts c;
	char old_path[300];
	struct store *s;
	struct error err = { 0 };
	struct outbox_entry *due = NULL;
	sqlite3 *db;
	size_t n = 0, i;
	int pending = -1, ok = 1;

	snprintf(old_path, sizeof old_path, "%s/step12.db", dir);
	if (store_open(old_path, &s, &err) < 0)
		return;
	store_begin(s, &err);
	store_outbox_add(s, 0, "ack", "a.1@example.com", "bot@example.com", "Alice+x@Example.com",
			 "s", mail, strlen(mail), sha_of(mail, strlen(mail)), 1000, &err);
	store_outbox_add(s, 0, "ack", "a.2@example.com", "bot@example.com", "alice@example.com",
			 "s", mail, strlen(mail), sha_of(mail, strlen(mail)), 1000, &err);
	store_outbox_add(s, 0, "alarm", "a.3@example.com", "bot@example.com", "admin@example.com",
			 "s", mail, strlen(mail), sha_of(mail, strlen(mail)), 1000, &err);
	store_outbox_add(s, 0, "digest", "a.5@example.com", "bot@example.com", "ALICE@example.com",
			 "s", mail, strlen(mail), sha_of(mail, strlen(mail)), 1000, &err);
	store_commit(s, &err);
	store_close(s);
	sqlite3_open(old_path, &db);
	ok &= sqlite3_exec(db, UNDO_STEP_13, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	CHECK(ok, "a database of schema step 12 made");

	CHECK_INT(store_open(old_path, &s, &err), 0, "steps 13 and 14 upgrade it");
	CHECK(store_outbox_pending_to(s, "ALICE@example.com", &pending, &err) == 0 && pending == 2,
	      "... the pending mails to one address are counted, case ignored");
	CHECK(store_acks_since(s, "alice@example.com", "example.com", 0, &caps, &c, &err) == 0 &&
	      c.mailbox == 2 && c.domain == 2 && c.outside == 2,
	      "... the acknowledgements before it count for their mailbox (+tag folded) and "
	      "domain, and as outside ones (stricter, never looser)");
	CHECK(store_acks_since(s, "alice@example.com", "example.com", 1001, &caps, &c, &err) == 0 &&
	      c.mailbox == 0 && c.domain == 0 && c.outside == 0,
	      "... and only those of the window");

	store_begin(s, &err);
	store_outbox_add(s, 0, "ack", "a.4@example.com", "bot@example.com", "alice@EXAMPLE.com",
			 "s", mail, strlen(mail), sha_of(mail, strlen(mail)), 1000, &err);
	store_commit(s, &err);
	CHECK(store_outbox_pending_to(s, "alice@example.com", &pending, &err) == 0 && pending == 3,
	      "a mail queued counts");
	CHECK_INT(store_outbox_due(s, 2000, 10, &due, &n, &err), 0, "the outbox is read");
	for (i = 0; i < n && strcasecmp(due[i].rcpt, "alice@example.com") != 0; i++)
		;
	CHECK_INT(i < n ? store_outbox_mark_sent(s, due[i].id, 2000, &err) : -1, 0,
		  "... and a mail to that address sent");
	store_outbox_free(due, n);
	CHECK(store_outbox_pending_to(s, "alice@example.com", &pending, &err) == 0 && pending == 2,
	      "a mail sent leaves the count");
	CHECK(store_outbox_pending_to(s, "admin@example.com", &pending, &err) == 0 && pending == 1,
	      "... another recipient's is its own");
	CHECK(store_outbox_pending_to(s, "nobody@example.com", &pending, &err) == 0 && pending == 0,
	      "an address never mailed has none pending");

	store_begin(s, &err);
	store_ack_note(s, 5000, "bob@example.net", "example.net", true, &err);
	store_ack_note(s, 5001, "carol@example.net", "example.net", true, &err);
	store_ack_note(s, 5002, "dave@example.com", "example.com", false, &err);
	store_commit(s, &err);
	CHECK(store_acks_since(s, "bob@example.net", "example.net", 4000, &caps, &c, &err) == 0 &&
	      c.mailbox == 1 && c.domain == 2 && c.outside == 2,
	      "acknowledgements noted count per mailbox, per domain and outside");
	CHECK(store_acks_since(s, "carol@example.net", "example.net", 4000,
			       &(struct ack_counts){ 1, 1, 1 }, &c, &err) == 0 &&
	      c.mailbox == 1 && c.domain == 1 && c.outside == 1,
	      "... each counted no further than its cap");
	CHECK(store_acks_since(s, "dave@example.com", "example.com", 4000,
			       &(struct ack_counts){ 5, 0, 0 }, &c, &err) == 0 &&
	      c.mailbox == 1 && c.domain == 0 && c.outside == 0,
	      "... and not at all with a cap of 0 (an inside sender's domain and outside)");
	store_close(s);
}

/*
 * Schema step 12 (issue 16) on a database of step 11: the outbox's new
 * columns and indexes (and the messages' date_raw) taken off again by hand (SQLite drops columns since 3.35) make
 * exactly the table step 11 left.  A mail queued then was rendered then:
 * after the upgrade it is 'rendered', due, and sent as stored.
 */
static void test_schema_12_upgrade(void)
{
	static const char *const added[] = {
		"stage", "template", "html_template", "to_name", "reply_to", "in_reply_to", "refs",
		"auto_submitted", "urgent", "params", "cause_event", "cause_message", "sha256",
		"rendered_at",
	};
	static const char old_mail[] = "Subject: x\r\n\r\nold bytes\r\n";
	char old_path[300], sql[200];
	struct store *s;
	struct error err = { 0 };
	struct outbox_entry *due = NULL, *intents = NULL;
	struct verify_result r;
	sqlite3 *db;
	size_t n = 0, k = 0, i;
	int ok = 1;

	snprintf(old_path, sizeof old_path, "%s/old.db", dir);
	if (store_open(old_path, &s, &err) < 0)
		return;
	store_begin(s, &err);
	store_outbox_add(s, 0, "digest", "old.1@example.com", "bot@example.com", "ceo@example.com",
			 "日次報告", old_mail, strlen(old_mail), sha_of(old_mail, strlen(old_mail)),
			 1000, &err);
	store_commit(s, &err);
	store_close(s);
	sqlite3_open(old_path, &db);
	ok &= sqlite3_exec(db, UNDO_STEP_13, NULL, NULL, NULL) == SQLITE_OK;
	ok &= sqlite3_exec(db, "DROP INDEX outbox_intents", NULL, NULL, NULL) == SQLITE_OK;
	ok &= sqlite3_exec(db, "DROP INDEX outbox_pending_rcpt", NULL, NULL, NULL) == SQLITE_OK;
	for (i = 0; i < sizeof added / sizeof *added; i++) {
		snprintf(sql, sizeof sql, "ALTER TABLE outbox DROP COLUMN %s", added[i]);
		ok &= sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	}
	ok &= sqlite3_exec(db, "ALTER TABLE messages DROP COLUMN date_raw", NULL, NULL, NULL) ==
	      SQLITE_OK;
	ok &= sqlite3_exec(db, "PRAGMA user_version = 11", NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	CHECK(ok, "a database of schema step 11 made (its outbox as step 11 left it)");

	CHECK_INT(store_open(old_path, &s, &err), 0, "step 12 upgrades it");
	CHECK_INT(store_outbox_intents(s, 10, &intents, &k, &err), 0, "... its intents are listed");
	CHECK_INT(k, 0, "... a mail queued before step 12 is no intent: it was rendered then");
	store_outbox_free(intents, k);
	CHECK_INT(store_outbox_due(s, 2000, 10, &due, &n, &err), 0, "... the outbox is read");
	CHECK(n == 1 && due[0].len == strlen(old_mail) && memcmp(due[0].data, old_mail, due[0].len) == 0,
	      "... and the old pending mail is due, its stored bytes as they were");
	store_outbox_free(due, n);
	CHECK(store_verify(s, NULL, NULL, &r, &err) == 0 && r.problems == 0 && r.mails == 0,
	      "... verify passes (a mail from before step 12 has no SHA-256 to check)");
	store_close(s);
}

/*
 * Schema step 14 (issue 16): the flush reads the first mails that may go
 * in id order, through outbox_sendable.  Through outbox_due SQLite read
 * every pending mail with its bytes and sorted them for each batch of 200
 * — quadratic in a backlog's outbox.  The statement is the one
 * store_outbox_due prepared (the store's cache), so the check follows it.
 */
static void test_due_plan(struct store *s)
{
	struct error err = { 0 };
	struct outbox_entry *due = NULL;
	sqlite3_stmt *plan;
	const char *sql = NULL;
	char *explain;
	size_t n = 0, i;
	int sorts = 0, by_index = 0;

	CHECK_INT(store_outbox_due(s, 2000, 10, &due, &n, &err), 0, "the due mails are read");
	store_outbox_free(due, n);
	for (i = 0; i < s->n_cache && !sql; i++)
		if (strstr(s->cache[i].sql, "outbox_sendable"))
			sql = s->cache[i].sql;
	CHECK(sql != NULL, "... by a statement that names outbox_sendable");
	if (!sql)
		return;
	explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(s->db, explain, -1, &plan, NULL) == SQLITE_OK) {
		while (sqlite3_step(plan) == SQLITE_ROW) {
			const char *step = (const char *)sqlite3_column_text(plan, 3);

			sorts += strstr(step, "TEMP B-TREE FOR ORDER BY") != NULL;
			by_index += strstr(step, "SCAN outbox USING INDEX outbox_sendable") != NULL;
		}
		sqlite3_finalize(plan);
	}
	sqlite3_free(explain);
	CHECK(by_index == 1 && sorts == 0,
	      "the due mails are read in id order through outbox_sendable: the first that may "
	      "go, not every pending mail sorted");
}

int main(void)
{
	struct store *s;
	struct error err = { 0 };
	int64_t t1, t2, tid;
	char sha[65];
	struct event *ev;
	struct outbox_entry *due;
	size_t n;
	time_t when;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/sub/dir/incidents.db", dir);
	CHECK_INT(store_open(path, &s, &err), 0, "open creates the database and its folders");
	CHECK(user_version() >= 1, "schema version recorded in user_version");
	store_close(s);
	CHECK_INT(store_open(path, &s, &err), 0, "reopening an up-to-date database works");

	t1 = new_ticket(s, 2026, "INC-2026-0001");
	t2 = new_ticket(s, 2026, "INC-2026-0002");
	new_ticket(s, 2027, "INC-2027-0001");
	CHECK(t1 != t2, "distinct ticket rows");

	add_message(s, t1, "abc@example.com", "raw one");
	CHECK_INT(store_message_seen(s, "abc@example.com", "0", "A@example.com", "本文", &tid, &err),
		  STORE_SEEN_ID, "same Message-ID, sender (any case) and text is another copy");
	CHECK_INT(store_message_seen(s, "abc@example.com", "0", "b@example.com", "本文", &tid, &err),
		  STORE_SEEN_CLASH, "same Message-ID from another sender: a clash, not a copy (V12)");
	CHECK_INT(store_message_seen(s, "abc@example.com", "0", "a@example.com", "別の本文", &tid,
				     &err), STORE_SEEN_CLASH, "same Message-ID with another text: a clash");
	CHECK_INT(store_message_seen(s, "abc@example.com", "0", NULL, NULL, &tid, &err),
		  STORE_SEEN_CLASH, "same Message-ID, no sender or text known: a clash");
	CHECK_INT(tid, t1, "... of the first ticket");
	{
		struct message_row *rows = NULL;
		size_t k = 0;

		/* issue 16: the acknowledgement and the alarm read the report back */
		CHECK(store_message_report(s, t1, &rows, &k, &err) == 0 && k == 1 &&
		      strcmp(rows[0].kind, "report") == 0 && rows[0].date_raw &&
		      strcmp(rows[0].date_raw, "Wed, 25 Nov 2026 10:00:00 +0900") == 0,
		      "the ticket's report is read back with its Date header as written");
		store_messages_free(rows, k);
		CHECK(store_message_report(s, t2, &rows, &k, &err) == 0 && k == 0,
		      "... a ticket without a report has none");
		store_messages_free(rows, k);
	}
	digest_sha256_hex("raw one", 7, sha);
	CHECK_INT(store_message_seen(s, NULL, sha, NULL, NULL, &tid, &err), STORE_SEEN_BYTES,
		  "same bytes without Message-ID are a duplicate");
	CHECK_INT(store_message_seen(s, "abc@example.com", sha, NULL, NULL, &tid, &err), STORE_SEEN_BYTES,
		  "same bytes and Message-ID: the same bytes win");
	CHECK_INT(store_message_seen(s, "other@example.com", "0", "a@example.com", "本文", &tid, &err), 0,
		  "a new message is not");
	CHECK_INT(store_message_ticket_of(s, "abc@example.com", &tid, &err), 1,
		  "thread lookup finds the ticket of a received message");

	store_begin(s, &err);
	CHECK_INT(store_outbox_add(s, t2, "ack", "out1@example.com", "incident@example.com",
				   "a@example.com", "件名", "DATA\r\n", 6, sha_of("DATA\r\n", 6), 1000,
				   &err), 0, "mail queued");
	CHECK_INT(store_outbox_add(s, t2, "ack", "out1@example.com", "incident@example.com",
				   "a@example.com", "件名", "DATA\r\n", 6, sha_of("DATA\r\n", 6), 1000,
				   &err), -1,
		  "the same Message-ID cannot be queued twice");
	store_commit(s, &err);
	CHECK_INT(store_message_ticket_of(s, "out1@example.com", &tid, &err), 1,
		  "thread lookup finds the ticket of a mail the bot sent");
	CHECK_INT(tid, t2, "... the right one");

	CHECK_INT(store_outbox_due(s, 1000, 10, &due, &n, &err), 0, "due list");
	CHECK_INT(n, 1, "one mail due");
	CHECK_STR(n ? due[0].data : NULL, "DATA\r\n", "its bytes");
	store_outbox_mark_retry(s, due[0].id, 1, 1100, "451 busy", &err);
	store_outbox_free(due, n);
	store_outbox_due(s, 1050, 10, &due, &n, &err);
	CHECK_INT(n, 0, "a rescheduled mail is not due before its time");
	store_outbox_free(due, n);
	store_outbox_next_due(s, &when, &err);
	CHECK_INT(when, 1100, "next due time");
	store_outbox_due(s, 1100, 10, &due, &n, &err);
	CHECK_INT(n, 1, "due again at its time");
	store_outbox_mark_sent(s, due[0].id, 1100, &err);
	store_outbox_free(due, n);
	store_outbox_due(s, 99999, 10, &due, &n, &err);
	CHECK_INT(n, 0, "a sent mail is never due again");
	store_outbox_free(due, n);

	/* Order per recipient: b1 in backoff holds b2 (same address, any case)
	 * but not c1 (another address). */
	store_begin(s, &err);
	store_outbox_add(s, t2, "ack", "b1@example.com", "incident@example.com", "b@example.com",
			 "1", "B1\r\n", 4, sha_of("B1\r\n", 4), 2000, &err);
	store_outbox_add(s, t2, "alarm", "c1@example.com", "incident@example.com", "c@example.com",
			 "1", "C1\r\n", 4, sha_of("C1\r\n", 4), 2000, &err);
	store_outbox_add(s, t2, "ack", "b2@example.com", "incident@example.com", "B@Example.com",
			 "2", "B2\r\n", 4, sha_of("B2\r\n", 4), 2000, &err);
	store_commit(s, &err);
	store_outbox_due(s, 2000, 10, &due, &n, &err);
	CHECK_INT(n, 3, "three mails due");
	if (n == 3)
		store_outbox_mark_retry(s, due[0].id, 1, 2100, "451 busy", &err);
	store_outbox_free(due, n);
	store_outbox_due(s, 2050, 10, &due, &n, &err);
	CHECK_INT(n, 1, "while the first mail to b@ waits, the second waits behind it");
	CHECK_STR(n ? due[0].message_id : NULL, "c1@example.com", "... mail to others goes on");
	store_outbox_free(due, n);
	store_outbox_next_due(s, &when, &err);
	CHECK_INT(when, 2000, "next due: c@'s mail, due now");
	store_outbox_due(s, 2050, 10, &due, &n, &err);
	if (n == 1)
		store_outbox_mark_sent(s, due[0].id, 2050, &err);
	store_outbox_free(due, n);
	store_outbox_next_due(s, &when, &err);
	CHECK_INT(when, 2100, "then b@'s queue, when its first mail is due");
	store_outbox_due(s, 2100, 10, &due, &n, &err);
	CHECK_INT(n, 2, "at that time both mails to b@ are due");
	CHECK_STR(n == 2 ? due[0].message_id : NULL, "b1@example.com", "... the first first");
	store_outbox_free(due, n);

	store_begin(s, &err);
	store_event_add(s, t1, 1000, "bot", "opened", "x", &err);
	store_event_add(s, t1, 1001, "bot", "follow-up", "y", &err);
	store_commit(s, &err);
	CHECK_INT(store_event_list(s, t1, &ev, &n, &err), 0, "events listed");
	CHECK_INT(n, 2, "two events");
	CHECK(n == 2 && strlen(ev[0].hash) == 64 && strcmp(ev[0].hash, ev[1].hash) != 0,
	      "each event has its own chained hash");
	store_events_free(ev, n);

	test_enums(s, t2);
	test_due_plan(s);
	store_close(s);

	test_schema_12_upgrade();
	test_schema_13_counts();

	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	return test_done();
}
