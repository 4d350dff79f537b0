/*
 * store_verify.c — the evidence side of the store (see store.h): checking
 * the event chain and the messages' hashes (SPEC 2: "tampering is
 * detectable"), a read snapshot for documents, and a message's raw bytes
 * for the evidence folder (policy 7-3, 7-4: evidence kept and handed over).
 */
#include "store/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/digest.h"

/* What store_event_add links the first event to. */
static const char chain_start[65] =
	"0000000000000000000000000000000000000000000000000000000000000000";

int store_read_begin(struct store *s, struct error *err)
{
	/* Deferred: the snapshot is taken by the first read and kept to the end. */
	int rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, "read snapshot", err);
}

void store_read_end(struct store *s)
{
	/* Nothing was written: ending it either way is the same, and this never fails. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_message_raw(struct store *s, int64_t id, char **raw, size_t *len,
		      struct error *err)
{
	static const char sql[] = "SELECT raw FROM messages WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	const void *blob;
	int rc;

	*raw = NULL;
	*len = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "message bytes", err);
	}
	blob = sqlite3_column_blob(st, 0);
	*len = (size_t)sqlite3_column_bytes(st, 0);
	*raw = malloc(*len + 1);
	if (*raw) {
		if (*len)
			memcpy(*raw, blob, *len);
		(*raw)[*len] = '\0';
	}
	sqlite3_reset(st);
	if (!*raw) {
		*len = 0;
		return error_set(err, ERR_TEMP, "store: out of memory for message %" PRId64, id);
	}
	return 1;
}

static void problem(struct verify_result *r, const struct verify_problem *p, verify_fn *cb,
		    void *arg)
{
	if (r->problems++ == 0)
		r->first = *p;
	if (cb)
		cb(p, arg);
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

/*
 * The events in id order, each checked twice: its prev_hash must be the
 * stored hash of the event before it (a deleted event, or one re-hashed
 * to fit an edit, breaks this link), and its own hash must be the one of
 * its content over its prev_hash (an edited field, prev_hash included,
 * breaks this).  Where the link holds, that prev_hash is the previous
 * event's hash, as store_event_add computed it; where it does not, the
 * link is the problem, and an event that was itself left alone is not
 * reported as edited too.  Only rewriting every event from the edit to the
 * newest passes both, which the newest hash written down earlier shows.
 */
static int verify_events(struct store *s, verify_fn *cb, void *arg, struct verify_result *r,
			 struct error *err)
{
	static const char sql[] =
		"SELECT e.id, COALESCE(e.ticket_id, 0), COALESCE(t.ref, ''), e.at, e.actor,"
		" e.kind, e.detail, e.prev_hash, e.hash"
		" FROM events e LEFT JOIN tickets t ON t.id = e.ticket_id ORDER BY e.id";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	char prev[65], want[65];
	int64_t prev_id = 0;
	int rc;

	if (!st)
		return -1;
	memcpy(prev, chain_start, sizeof prev);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct verify_problem p = { 0 };
		const char *prev_hash = (const char *)sqlite3_column_text(st, 7);
		const char *hash = (const char *)sqlite3_column_text(st, 8);

		p.id = sqlite3_column_int64(st, 0);
		copy_text(p.ref, sizeof p.ref, sqlite3_column_text(st, 2));
		p.at = (time_t)sqlite3_column_int64(st, 3);
		copy_text(p.kind, sizeof p.kind, sqlite3_column_text(st, 5));
		p.prev_id = prev_id;
		r->events++;

		if (!prev_hash || strcmp(prev_hash, prev) != 0) {
			p.what = VERIFY_EVENT_LINK;
			problem(r, &p, cb, arg);
		}
		if (store_event_hash(prev_hash ? prev_hash : "", sqlite3_column_int64(st, 1), p.at,
				     (const char *)sqlite3_column_text(st, 4),
				     (const char *)sqlite3_column_text(st, 5),
				     (const char *)sqlite3_column_text(st, 6), want) < 0) {
			sqlite3_reset(st);
			return error_set(err, ERR_TEMP, "store: out of memory checking event %"
					 PRId64, p.id);
		}
		if (!hash || strcmp(hash, want) != 0) {
			p.what = VERIFY_EVENT_HASH;
			problem(r, &p, cb, arg);
		}
		/* The next event was linked to what was stored, right or wrong. */
		copy_text(prev, sizeof prev, (const unsigned char *)hash);
		prev_id = p.id;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "events", err);
	r->last_id = prev_id;
	if (prev_id)
		memcpy(r->last_hash, prev, sizeof r->last_hash);
	return 0;
}

/*
 * One walk over rows of (id, ticket ref, time, stored SHA-256, bytes):
 * every row counted in *count, a row whose bytes no longer hash to what
 * was stored with them reported as `what`.
 */
static int verify_hashes(struct store *s, const char *sql, enum verify_what what,
			 size_t *count, const char *label, verify_fn *cb, void *arg,
			 struct verify_result *r, struct error *err)
{
	sqlite3_stmt *st = store_stmt(s, sql, err);
	char got[65];
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct verify_problem p = { .what = what };
		const char *stored = (const char *)sqlite3_column_text(st, 3);
		const void *bytes = sqlite3_column_blob(st, 4);
		size_t len = (size_t)sqlite3_column_bytes(st, 4);

		(*count)++;
		digest_sha256_hex(bytes ? bytes : "", len, got);
		if (stored && strcmp(stored, got) == 0)
			continue;
		p.id = sqlite3_column_int64(st, 0);
		copy_text(p.ref, sizeof p.ref, sqlite3_column_text(st, 1));
		p.at = (time_t)sqlite3_column_int64(st, 2);
		problem(r, &p, cb, arg);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, label, err);
}

static int verify_messages(struct store *s, verify_fn *cb, void *arg, struct verify_result *r,
			   struct error *err)
{
	return verify_hashes(s, "SELECT m.id, COALESCE(t.ref, ''), m.received_at, m.sha256, m.raw"
			     " FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id"
			     " ORDER BY m.id",
			     VERIFY_MESSAGE_HASH, &r->messages, "messages", cb, arg, r, err);
}

/*
 * Issue 16: every mail rendered since schema step 12 keeps the SHA-256 of
 * its bytes, written in the transaction that stored them (and chained in
 * its "mail-queued" event): bytes edited afterwards no longer match.
 */
static int verify_mails(struct store *s, verify_fn *cb, void *arg, struct verify_result *r,
			struct error *err)
{
	return verify_hashes(s, "SELECT o.id, COALESCE(t.ref, ''), o.created_at, o.sha256, o.data"
			     " FROM outbox o LEFT JOIN tickets t ON t.id = o.ticket_id"
			     " WHERE o.stage = 'rendered' AND o.sha256 IS NOT NULL ORDER BY o.id",
			     VERIFY_MAIL_HASH, &r->mails, "outbox", cb, arg, r, err);
}

int store_verify(struct store *s, verify_fn *cb, void *arg, struct verify_result *out,
		 struct error *err)
{
	/* One snapshot for both walks, unless the caller holds one already. */
	bool own = sqlite3_get_autocommit(s->db);
	int rc;

	memset(out, 0, sizeof *out);
	if (own && store_read_begin(s, err) < 0)
		return -1;
	rc = verify_events(s, cb, arg, out, err) < 0 ||
	     verify_messages(s, cb, arg, out, err) < 0 ||
	     verify_mails(s, cb, arg, out, err) < 0 ? -1 : 0;
	if (own)
		store_read_end(s);
	return rc;
}

char *store_verify_describe(const struct verify_problem *p, char *buf, size_t len)
{
	char at[40], against[48], missing[80] = "";
	int64_t gap_from = p->prev_id + 1, gap_to = p->id - 1;

	switch (p->what) {
	case VERIFY_EVENT_HASH:
		snprintf(buf, len, "event %" PRId64 " (%s, %s, %s): hash does not match its content",
			 p->id, p->ref[0] ? p->ref : "no ticket",
			 clock_format_rfc3339(p->at, at, sizeof at), p->kind);
		break;
	case VERIFY_EVENT_LINK:
		if (p->prev_id)
			snprintf(against, sizeof against, "event %" PRId64, p->prev_id);
		else
			snprintf(against, sizeof against, "the start of the chain");
		/* Row ids come without gaps, so one names the events taken out. */
		if (gap_from == gap_to)
			snprintf(missing, sizeof missing, " (event %" PRId64 " is missing: deleted?)",
				 gap_from);
		else if (gap_from < gap_to)
			snprintf(missing, sizeof missing, " (events %" PRId64 "-%" PRId64
				 " are missing: deleted?)", gap_from, gap_to);
		snprintf(buf, len, "event %" PRId64 ": prev_hash does not match %s%s", p->id,
			 against, missing);
		break;
	case VERIFY_MAIL_HASH:
		snprintf(buf, len, "outbox mail %" PRId64 " (%s): SHA-256 of the stored bytes differs "
			 "from the one kept when it was rendered", p->id,
			 p->ref[0] ? p->ref : "no ticket");
		break;
	case VERIFY_MESSAGE_HASH:
		snprintf(buf, len, "message %" PRId64 " (%s): SHA-256 of the raw bytes differs "
			 "from the stored one", p->id, p->ref[0] ? p->ref : "no ticket");
		break;
	}
	return buf;
}
