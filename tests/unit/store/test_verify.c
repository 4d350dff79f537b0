/*
 * test_verify.c — store_verify over a real database: an untouched one
 * verifies; an edited detail, a rewritten prev_hash, an event re-hashed to
 * fit its edit, a deleted event, an edited message are each named; the
 * read snapshot; a message's raw bytes read back whole.  The tampering is
 * done the way someone would do it: a second SQLite connection.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/digest.h"
#include "store/store.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-verify-XXXXXX";
static char path[256];
static struct store *s;
static time_t t0;

/* Runs SQL on a second connection, as someone with the database file would. */
static void tamper(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		printf("# tamper failed: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
		test_result(0, __FILE__, __LINE__, "tampering SQL runs");
	}
	sqlite3_free(msg);
	sqlite3_close(db);
}

/* One text column of the first row, as a second connection reads it. */
static void peek(const char *sql, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

struct seen {
	int n;
	char lines[8][256];
};

static void note(const struct verify_problem *p, void *arg)
{
	struct seen *sn = arg;

	if (sn->n < 8)
		store_verify_describe(p, sn->lines[sn->n], sizeof sn->lines[0]);
	sn->n++;
}

/* Verifies; returns the number of problems, the first one described in first. */
static size_t verify(struct verify_result *r, struct seen *sn, char first[256])
{
	struct error err = { 0 };

	memset(sn, 0, sizeof *sn);
	first[0] = '\0';
	if (store_verify(s, note, sn, r, &err) < 0) {
		printf("# verify failed: %s\n", err.msg);
		return (size_t)-1;
	}
	if (r->problems)
		store_verify_describe(&r->first, first, 256);
	return r->problems;
}

static int64_t new_ticket(void)
{
	struct ticket t;
	struct error err = { 0 };
	int64_t id;

	store_ticket_create(s, 2026, t0, "件名", "a@example.com", "A", &t, &err);
	id = t.id;
	store_ticket_release(&t);
	return id;
}

static void add_message(int64_t ticket, const char *kind, const char *raw, size_t len)
{
	struct mail m = { 0 };
	struct message_in in = { 0 };
	struct error err = { 0 };
	char sha[65];

	digest_sha256_hex(raw, len, sha);
	m.subject = "s";
	m.body = "本文";
	in.ticket_id = ticket;
	in.kind = kind;
	in.raw = raw;
	in.len = len;
	in.sha256 = sha;
	in.mail = &m;
	CHECK_INT(store_message_insert(s, &in, t0, NULL, &err), 0, "message stored");
}

/* The documented formula, written again here: the test does not trust store_ticket.c. */
static void hash_of(const char *prev, int64_t ticket, time_t at, const char *actor,
		    const char *kind, const char *detail, char hex[65])
{
	char buf[1024];
	int len = snprintf(buf, sizeof buf, "%s\n%" PRId64 "\n%lld\n%s\n%s\n%s", prev, ticket,
			   (long long)at, actor, kind, detail);

	digest_sha256_hex(buf, (size_t)len, hex);
}

int main(void)
{
	static const char bin[] = "From: a@example.com\r\n\r\nbinary \0 inside\r\n";
	struct error err = { 0 };
	struct verify_result r;
	struct seen sn;
	struct event *ev;
	char first[256], want[256], hash[65], prev[65], sql[512], *raw;
	int64_t t1, t2;
	size_t n, len;

	clock_set_zone("Asia/Tokyo");
	if (clock_parse("2026-11-25T10:00:00+09:00", &t0) < 0 || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/incidents.db", dir);
	CHECK_INT(store_open(path, &s, &err), 0, "database opened");

	CHECK_INT(verify(&r, &sn, first), 0, "an empty database verifies");
	CHECK_INT(r.events + r.messages, 0, "... with nothing to check");
	CHECK_INT(r.last_id, 0, "... and no newest event");

	/* Events 1-7 over two tickets and one without a ticket; messages 1-3. */
	store_begin(s, &err);
	t1 = new_ticket();
	t2 = new_ticket();
	store_event_add(s, t1, t0, "bot", "opened", "report from a@example.com", &err);
	store_event_add(s, t2, t0 + 60, "bot", "opened", "second", &err);
	store_event_add(s, t1, t0 + 120, "a@example.com", "follow-up", "追加の情報", &err);
	store_event_add(s, t1, t0 + 180, "admin@example.com", "status", "investigating", &err);
	store_event_add(s, 0, t0 + 240, "operator (CLI)", "review-done", "drill", &err);
	store_event_add(s, t2, t0 + 300, "bot", "mail-queued", NULL, &err);
	store_event_add(s, t1, t0 + 360, "bot", "note", "multi\nline | detail", &err);
	add_message(t1, "report", "raw one\r\n", 9);
	add_message(t1, "follow-up", bin, sizeof bin - 1);
	add_message(0, "automatic", "auto reply\r\n", 12);
	CHECK_INT(store_commit(s, &err), 0, "events and messages committed");

	CHECK_INT(verify(&r, &sn, first), 0, "an untouched database verifies");
	CHECK_INT(r.events, 7, "... all 7 events checked");
	CHECK_INT(r.messages, 3, "... all 3 messages checked");
	CHECK_INT(sn.n, 0, "... and no problem reported");
	peek("SELECT hash FROM events WHERE id = 7", hash, sizeof hash);
	CHECK_INT(r.last_id, 7, "the newest event is named");
	CHECK_STR(r.last_hash, hash, "... with its stored hash");

	/* The stored hashes follow the documented formula. */
	peek("SELECT hash FROM events WHERE id = 2", prev, sizeof prev);
	hash_of(prev, t1, t0 + 120, "a@example.com", "follow-up", "追加の情報", want);
	peek("SELECT hash FROM events WHERE id = 3", hash, sizeof hash);
	CHECK_STR(hash, want, "event hash = SHA-256(prev, ticket, time, actor, kind, detail)");

	/* An edited detail: that event, and only it. */
	tamper("UPDATE events SET detail = 'x' WHERE id = 3");
	CHECK_INT(verify(&r, &sn, first), 1, "an edited detail is one problem");
	CHECK_STR(first, "event 3 (INC-2026-0001, 2026-11-25T10:02:00+09:00, follow-up): "
		  "hash does not match its content", "... naming the event, ticket, time and kind");
	CHECK_INT(r.first.what, VERIFY_EVENT_HASH, "... as a hash mismatch");
	CHECK_INT(sn.n, 1, "... reported once through the callback");
	tamper("UPDATE events SET detail = '追加の情報' WHERE id = 3");
	CHECK_INT(verify(&r, &sn, first), 0, "put back, it verifies again");

	/* Other fields count too. */
	tamper("UPDATE events SET at = at + 1 WHERE id = 5");
	CHECK_INT(verify(&r, &sn, first), 1, "an edited time is caught");
	CHECK_STR(first, "event 5 (no ticket, 2026-11-25T10:04:01+09:00, review-done): "
		  "hash does not match its content", "... an event of no ticket says so");
	tamper("UPDATE events SET at = at - 1 WHERE id = 5");
	tamper("UPDATE events SET actor = 'someone-else@example.com' WHERE id = 4");
	CHECK_INT(verify(&r, &sn, first), 1, "an edited actor is caught");
	tamper("UPDATE events SET actor = 'admin@example.com' WHERE id = 4");
	tamper("UPDATE events SET ticket_id = 2 WHERE id = 1");
	CHECK_INT(verify(&r, &sn, first), 1, "an event moved to another ticket is caught");
	CHECK(strstr(first, "event 1 (INC-2026-0002") != NULL, "... and named");
	tamper("UPDATE events SET ticket_id = 1 WHERE id = 1");
	tamper("UPDATE events SET detail = '' WHERE id = 6");
	CHECK_INT(verify(&r, &sn, first), 0, "a NULL detail hashes as \"\" (the formula's rule)");
	tamper("UPDATE events SET detail = NULL WHERE id = 6");

	/* A rewritten prev_hash: the link is named, not the content. */
	tamper("UPDATE events SET prev_hash = '" "1111111111111111111111111111111111111111111111111111111111111111" "' WHERE id = 4");
	CHECK_INT(verify(&r, &sn, first), 2, "a rewritten prev_hash: the link and the row");
	CHECK_STR(first, "event 4: prev_hash does not match event 3", "... first the link, naming "
		  "both events");
	CHECK_INT(r.first.what, VERIFY_EVENT_LINK, "... as a broken link");
	CHECK_STR(sn.lines[1], "event 4 (INC-2026-0001, 2026-11-25T10:03:00+09:00, status): hash "
		  "does not match its content", "... then the row, whose hash covers its prev_hash");
	peek("SELECT hash FROM events WHERE id = 3", hash, sizeof hash);
	snprintf(sql, sizeof sql, "UPDATE events SET prev_hash = '%s' WHERE id = 4", hash);
	tamper(sql);
	CHECK_INT(verify(&r, &sn, first), 0, "put back, it verifies again");

	/* An edit re-hashed to fit: the event itself passes, the next link breaks. */
	peek("SELECT prev_hash FROM events WHERE id = 2", prev, sizeof prev);
	hash_of(prev, t2, t0 + 60, "bot", "opened", "forged", want);
	snprintf(sql, sizeof sql, "UPDATE events SET detail = 'forged', hash = '%s' WHERE id = 2",
		 want);
	peek("SELECT hash FROM events WHERE id = 2", hash, sizeof hash);
	tamper(sql);
	CHECK_INT(verify(&r, &sn, first), 1, "an edit with its hash recomputed is still caught");
	CHECK_STR(first, "event 3: prev_hash does not match event 2", "... by the next event's link");
	snprintf(sql, sizeof sql, "UPDATE events SET detail = 'second', hash = '%s' WHERE id = 2",
		 hash);
	tamper(sql);
	CHECK_INT(verify(&r, &sn, first), 0, "put back, it verifies again");

	/* Two problems: both reported, in chain order, the first kept. */
	tamper("UPDATE events SET kind = 'closed' WHERE id = 6;"
	       "UPDATE events SET detail = 'y' WHERE id = 2");
	CHECK_INT(verify(&r, &sn, first), 2, "two edits are two problems");
	CHECK(strncmp(sn.lines[0], "event 2 ", 8) == 0 && strncmp(sn.lines[1], "event 6 ", 8) == 0,
	      "... reported in id order");
	CHECK(strncmp(first, "event 2 ", 8) == 0, "... the first is the first");
	tamper("UPDATE events SET kind = 'mail-queued' WHERE id = 6;"
	       "UPDATE events SET detail = 'second' WHERE id = 2");

	/* An edited message. */
	tamper("UPDATE messages SET raw = CAST('raw onE\r\n' AS BLOB) WHERE id = 1");
	CHECK_INT(verify(&r, &sn, first), 1, "an edited message is one problem");
	CHECK_STR(first, "message 1 (INC-2026-0001): SHA-256 of the raw bytes differs from the "
		  "stored one", "... naming the message and its ticket");
	CHECK_INT(r.first.what, VERIFY_MESSAGE_HASH, "... as a message problem");
	tamper("UPDATE messages SET raw = CAST('raw one\r\n' AS BLOB) WHERE id = 1");
	tamper("UPDATE messages SET sha256 = upper(sha256) WHERE id = 3");
	CHECK_INT(verify(&r, &sn, first), 1, "an edited stored hash is caught too");
	CHECK_STR(first, "message 3 (no ticket): SHA-256 of the raw bytes differs from the "
		  "stored one", "... a message of no ticket says so");
	tamper("UPDATE messages SET sha256 = lower(sha256) WHERE id = 3");
	CHECK_INT(verify(&r, &sn, first), 0, "put back, it verifies again");

	/* The raw bytes, read back whole (a NUL inside). */
	CHECK_INT(store_message_raw(s, 2, &raw, &len, &err), 1, "a message's raw bytes are read");
	CHECK(len == sizeof bin - 1 && memcmp(raw, bin, len) == 0, "... byte for byte, NUL included");
	free(raw);
	CHECK_INT(store_message_raw(s, 99, &raw, &len, &err), 0, "an unknown message is 0");
	CHECK(raw == NULL && len == 0, "... with nothing returned");

	/* The read snapshot: another writer's event is not seen until the end. */
	CHECK_INT(store_read_begin(s, &err), 0, "read snapshot begun");
	CHECK_INT(verify(&r, &sn, first), 0, "verify inside it");
	tamper("INSERT INTO events(ticket_id, at, actor, kind, detail, prev_hash, hash)"
	       " VALUES (1, 0, 'x', 'x', 'x', 'bad', 'bad')");
	verify(&r, &sn, first);
	CHECK_INT(r.events, 7, "a row written meanwhile is not in the snapshot");
	store_read_end(s);
	CHECK_INT(verify(&r, &sn, first), 2, "after it, the foreign row is seen and named");
	CHECK_STR(first, "event 8: prev_hash does not match event 7", "... first by its link");
	tamper("DELETE FROM events WHERE id = 8");

	/* A deleted event in the middle: the next one is named, and the gap. */
	tamper("DELETE FROM events WHERE id = 4");
	CHECK_INT(verify(&r, &sn, first), 1, "a deleted event is one problem");
	CHECK_STR(first, "event 5: prev_hash does not match event 3 (event 4 is missing: deleted?)",
		  "... the next event is named, and the missing one");
	CHECK_INT(r.events, 6, "... six events left");
	tamper("DELETE FROM events WHERE id = 5");
	CHECK_INT(verify(&r, &sn, first), 1, "two deleted events are one broken link");
	CHECK_STR(first, "event 6: prev_hash does not match event 3 (events 4-5 are missing: "
		  "deleted?)", "... naming the gap");
	tamper("DELETE FROM events WHERE id = 1");
	verify(&r, &sn, first);
	CHECK_STR(first, "event 2: prev_hash does not match the start of the chain (event 1 is "
		  "missing: deleted?)", "the first event deleted: the chain's start is named");
	CHECK(store_event_list(s, t1, &ev, &n, &err) == 0 && n == 2, "store_event_list still reads");
	store_events_free(ev, n);

	store_close(s);
	if (fork() == 0)
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
	return test_done();
}
