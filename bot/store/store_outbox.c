/*
 * store_outbox.c — the outbox table (see store.h).  A mail is queued in the
 * same transaction as the change that causes it, and marked sent right
 * after the server's 250, so that it is sent at least once and, short of a
 * kill between the 250 and the mark, at most once.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *outbox_state_name(enum outbox_state st)
{
	switch (st) {
	case OUTBOX_PENDING: return "pending";
	case OUTBOX_SENT: return "sent";
	case OUTBOX_FAILED: return "failed";
	}
	return "?";
}

static enum outbox_state state_of(const char *s)
{
	if (s && strcmp(s, "sent") == 0)
		return OUTBOX_SENT;
	if (s && strcmp(s, "failed") == 0)
		return OUTBOX_FAILED;
	return OUTBOX_PENDING;
}

int store_outbox_add(struct store *s, int64_t ticket_id, const char *kind,
		     const char *message_id, const char *env_from, const char *rcpt,
		     const char *subject, const char *data, size_t len, const char *sha256,
		     time_t now, struct error *err)
{
	static const char sql[] =
		"INSERT INTO outbox(ticket_id, kind, message_id, env_from, rcpt, subject, data,"
		" created_at, next_attempt_at, sha256, rendered_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?10, ?8)";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 10, sha256, -1, SQLITE_STATIC);
	if (ticket_id)
		sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, env_from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, rcpt, -1, SQLITE_STATIC);
	store_bind_text(st, 6, subject);
	sqlite3_bind_blob64(st, 7, data, len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, now);
	return store_step_done(s, st, "outbox", err);
}

int store_outbox_add_intent(struct store *s, const struct outbox_intent *in, time_t now,
			    struct error *err)
{
	/* data stays empty until store_outbox_mark_rendered; the cause is the
	 * newest event, the one the change that queued it wrote last */
	static const char sql[] =
		"INSERT INTO outbox(ticket_id, kind, message_id, env_from, rcpt, data, created_at,"
		" next_attempt_at, stage, template, html_template, to_name, reply_to, in_reply_to,"
		" refs, auto_submitted, urgent, params, cause_message, cause_event)"
		" VALUES (?1, ?2, ?3, ?4, ?5, X'', ?6, ?6, 'intent', ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, (SELECT MAX(id) FROM events))";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	if (in->ticket_id)
		sqlite3_bind_int64(st, 1, in->ticket_id);
	store_bind_text_static(st, 2, in->kind);
	store_bind_text_static(st, 3, in->message_id);
	store_bind_text_static(st, 4, in->env_from);
	store_bind_text_static(st, 5, in->rcpt);
	sqlite3_bind_int64(st, 6, now);
	store_bind_text_static(st, 7, in->template);
	store_bind_text_static(st, 8, in->html_template);
	store_bind_text_static(st, 9, in->to_name);
	store_bind_text_static(st, 10, in->reply_to);
	store_bind_text_static(st, 11, in->in_reply_to);
	store_bind_text_static(st, 12, in->references);
	store_bind_text_static(st, 13, in->auto_submitted);
	sqlite3_bind_int(st, 14, in->urgent);
	store_bind_text_static(st, 15, in->params);
	store_bind_text_static(st, 16, in->cause_message);
	return store_step_done(s, st, "outbox intent", err);
}

/*
 * Steps st to its end, each row into a new zeroed entry by fill (SQLITE_OK
 * or SQLITE_NOMEM).  0 and a malloc'd *out of *n (store_outbox_free), or
 * -1 (what failed named by what).
 */
static int read_rows(struct store *s, sqlite3_stmt *st,
		     int (*fill)(sqlite3_stmt *st, struct outbox_entry *e), const char *what,
		     struct outbox_entry **out, size_t *n, struct error *err)
{
	struct outbox_entry *list = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct outbox_entry *e;

		if (store_grow(&list, &cap, *n, sizeof *list) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		e = &list[(*n)++];
		memset(e, 0, sizeof *e);
		if ((rc = fill(st, e)) != SQLITE_OK)
			break;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_outbox_free(list, *n);
		*n = 0;
		return rc == SQLITE_NOMEM ? error_set(err, ERR_TEMP, "store: out of memory") :
			store_fail(s, rc, what, err);
	}
	*out = list;
	return 0;
}

/* The columns every outbox row is read with first (fill_head). */
#define OUTBOX_HEAD \
	"id, COALESCE(ticket_id, 0), kind, message_id, env_from, rcpt, subject, state," \
	" attempts, created_at, next_attempt_at"

/* OUTBOX_HEAD's columns into e. */
static void fill_head(sqlite3_stmt *st, struct outbox_entry *e)
{
	e->id = sqlite3_column_int64(st, 0);
	e->ticket_id = sqlite3_column_int64(st, 1);
	e->kind = store_col_strdup(st, 2);
	e->message_id = store_col_strdup(st, 3);
	e->env_from = store_col_strdup(st, 4);
	e->rcpt = store_col_strdup(st, 5);
	e->subject = store_col_strdup(st, 6);
	e->state = state_of((const char *)sqlite3_column_text(st, 7));
	e->attempts = sqlite3_column_int(st, 8);
	e->created_at = sqlite3_column_int64(st, 9);
	e->next_attempt_at = sqlite3_column_int64(st, 10);
}

/* One row of the head (fill_head), then sent_at, last_error, failed_at,
 * intent, data[, ticket ref] into e (zeroed). */
static int fill_entry(sqlite3_stmt *st, struct outbox_entry *e)
{
	const void *data;

	fill_head(st, e);
	e->sent_at = sqlite3_column_int64(st, 11);
	e->last_error = store_col_strdup(st, 12);
	e->failed_at = sqlite3_column_int64(st, 13);
	e->intent = sqlite3_column_int(st, 14) != 0;
	if (sqlite3_column_count(st) > 16 && sqlite3_column_text(st, 16))
		snprintf(e->ticket_ref, sizeof e->ticket_ref, "%s",
			 (const char *)sqlite3_column_text(st, 16));
	data = sqlite3_column_blob(st, 15);
	e->len = (size_t)sqlite3_column_bytes(st, 15);
	if (data) {
		if (!(e->data = malloc(e->len + 1)))
			return SQLITE_NOMEM;
		memcpy(e->data, data, e->len);
		e->data[e->len] = '\0';
	}
	return SQLITE_OK;
}

static int read_entries(struct store *s, sqlite3_stmt *st, struct outbox_entry **out,
			size_t *n, struct error *err)
{
	return read_rows(s, st, fill_entry, "outbox", out, n, err);
}

/* One row of store_outbox_intents' SELECT (the head, then what the render
 * stage needs) into e (zeroed): SQLITE_OK, or SQLITE_NOMEM when a NOT
 * NULL column could not be copied. */
static int fill_intent(sqlite3_stmt *st, struct outbox_entry *e)
{
	fill_head(st, e);
	e->intent = true;
	e->template = store_col_strdup(st, 11);
	e->html_template = store_col_strdup(st, 12);
	e->to_name = store_col_strdup(st, 13);
	e->reply_to = store_col_strdup(st, 14);
	e->in_reply_to = store_col_strdup(st, 15);
	e->references = store_col_strdup(st, 16);
	e->auto_submitted = store_col_strdup(st, 17);
	e->urgent = sqlite3_column_int(st, 18) != 0;
	e->params = store_col_strdup(st, 19);
	e->cause_message = store_col_strdup(st, 20);
	e->cause_event = sqlite3_column_int64(st, 21);
	return e->kind && e->message_id && e->env_from && e->rcpt && e->template ?
	       SQLITE_OK : SQLITE_NOMEM;
}

int store_outbox_intents(struct store *s, size_t limit, struct outbox_entry **out, size_t *n,
			 struct error *err)
{
	static const char sql[] =
		"SELECT " OUTBOX_HEAD ", template, html_template, to_name, reply_to,"
		" in_reply_to, refs, auto_submitted, urgent, params, cause_message,"
		" COALESCE(cause_event, 0)"
		/* the partial index holds only intents: the planner's choice of
		 * outbox_due read every pending row, blobs and all (make bench) */
		" FROM outbox INDEXED BY outbox_intents"
		" WHERE stage = 'intent' AND state = 'pending' ORDER BY id LIMIT ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	return read_rows(s, st, fill_intent, "outbox intents", out, n, err);
}

int store_outbox_mark_rendered(struct store *s, int64_t id, const char *subject,
			       const char *data, size_t len, const char *sha256, time_t now,
			       struct error *err)
{
	static const char sql[] = "UPDATE outbox SET stage = 'rendered', subject = ?, data = ?,"
		" sha256 = ?, rendered_at = ? WHERE id = ? AND stage = 'intent'";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	store_bind_text_static(st, 1, subject);
	sqlite3_bind_blob64(st, 2, data, len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, id);
	return store_step_done(s, st, "outbox rendered", err);
}

#define OUTBOX_COLUMNS \
	OUTBOX_HEAD ", COALESCE(sent_at, 0), last_error, COALESCE(failed_at, 0)," \
	" stage = 'intent'"

/*
 * Order per recipient: a mail waits while an earlier one to the same
 * address is pending and not yet due (its server said 4xx), so that a
 * retry never arrives after the mail queued behind it.  `waiting` is the
 * few mails in backoff, found through outbox_due, and (issue 16) the
 * intents not rendered yet, through their partial index: each recipient's
 * first.  The mails themselves are read in id order through
 * outbox_sendable (schema step 14): the first `limit` that may go, and
 * no others' bytes.
 */
int store_outbox_due(struct store *s, time_t now, size_t limit, struct outbox_entry **out,
		     size_t *n, struct error *err)
{
	static const char sql[] =
		"WITH waiting(w_rcpt, w_first) AS MATERIALIZED ("
		" SELECT r, MIN(i) FROM ("
		"  SELECT lower(rcpt) AS r, id AS i FROM outbox"
		"  WHERE state = 'pending' AND next_attempt_at > ?1"
		"  UNION ALL SELECT lower(rcpt), id FROM outbox INDEXED BY outbox_intents"
		"  WHERE stage = 'intent' AND state = 'pending')"
		" GROUP BY r) "
		"SELECT " OUTBOX_COLUMNS ", data FROM outbox INDEXED BY outbox_sendable"
		" LEFT JOIN waiting ON w_rcpt = lower(rcpt) "
		"WHERE state = 'pending' AND stage = 'rendered' AND next_attempt_at <= ?1"
		" AND (w_first IS NULL OR w_first > id) ORDER BY id LIMIT ?2";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return read_entries(s, st, out, n, err);
}

int store_outbox_list(struct store *s, int64_t ticket_id, bool with_data,
		      struct outbox_entry **out, size_t *n, struct error *err)
{
	static const char sql[] = "SELECT " OUTBOX_COLUMNS ", CASE WHEN ?2 THEN data END"
		" FROM outbox WHERE ?1 = 0 OR ticket_id = ?1 ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int(st, 2, with_data);
	return read_entries(s, st, out, n, err);
}

int store_outbox_query(struct store *s, const struct outbox_filter *f,
		       struct outbox_entry **out, size_t *n, struct error *err)
{
	/* newest first: what an operator looks at is what happened last */
	static const char sql[] = "SELECT " OUTBOX_COLUMNS ", NULL,"
		" (SELECT ref FROM tickets WHERE tickets.id = ticket_id) FROM outbox"
		" WHERE (?1 = 0 OR state = ?2) AND (?3 = 0 OR state != 'sent')"
		" AND COALESCE(failed_at, created_at) >= ?4 ORDER BY id DESC LIMIT ?5";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, f->state >= 0);
	sqlite3_bind_text(st, 2, f->state >= 0 ? outbox_state_name(f->state) : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->unsent_only);
	sqlite3_bind_int64(st, 4, f->since);
	sqlite3_bind_int64(st, 5, f->limit > 0 ? (sqlite3_int64)f->limit : -1);
	return read_entries(s, st, out, n, err);
}

int store_outbox_counts(struct store *s, struct outbox_counts *c, struct error *err)
{
	static const char sql[] = "SELECT state, count(*), MIN(created_at) FROM outbox"
		" GROUP BY state";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	memset(c, 0, sizeof *c);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum outbox_state state = state_of((const char *)sqlite3_column_text(st, 0));

		c->count[state] = sqlite3_column_int64(st, 1);
		if (state == OUTBOX_PENDING)
			c->oldest_pending = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "outbox counts", err);
	return store_outbox_next_due(s, &c->next_due, err);
}

void store_outbox_entry_release(struct outbox_entry *e)
{
	free(e->kind);
	free(e->message_id);
	free(e->env_from);
	free(e->rcpt);
	free(e->subject);
	free(e->data);
	free(e->last_error);
	free(e->template);
	free(e->html_template);
	free(e->to_name);
	free(e->reply_to);
	free(e->in_reply_to);
	free(e->references);
	free(e->auto_submitted);
	free(e->params);
	free(e->cause_message);
	memset(e, 0, sizeof *e);
}

void store_outbox_free(struct outbox_entry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_outbox_entry_release(&e[i]);
	free(e);
}

int store_outbox_find(struct store *s, const char *message_id, struct outbox_entry *out,
		      struct error *err)
{
	static const char sql[] = "SELECT " OUTBOX_COLUMNS ", NULL FROM outbox "
		"WHERE message_id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	struct outbox_entry *list;
	size_t n;

	memset(out, 0, sizeof *out);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	if (read_entries(s, st, &list, &n, err) < 0)
		return -1;
	if (n == 0) {
		free(list);
		return 0;
	}
	*out = list[0];	/* message_id is unique: one entry at most */
	free(list);
	return 1;
}

int store_outbox_thread_root(struct store *s, int64_t ticket_id, const char *kind,
			     const char *rcpt, char **message_id, struct error *err)
{
	static const char sql[] = "SELECT message_id FROM outbox WHERE ticket_id = ?1 AND kind = ?2 "
		"ORDER BY rcpt = ?3 COLLATE NOCASE DESC, id LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	*message_id = NULL;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	store_bind_text(st, 3, rcpt);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !(*message_id = store_col_strdup(st, 0)))
		rc = SQLITE_NOMEM;
	sqlite3_reset(st);
	if (rc == SQLITE_NOMEM)
		return error_set(err, ERR_TEMP, "store: out of memory");
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "outbox thread", err);
}

int store_outbox_pending_to(struct store *s, const char *rcpt, int *n, struct error *err)
{
	/* issue 16: kept by schema 13's triggers, never counted here */
	static const char sql[] = "SELECT n FROM outbox_pending WHERE rcpt = ?1";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int64_t v;

	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
	if (store_step_int64(s, st, "outbox pending", &v, err) < 0)
		return -1;
	*n = (int)v;
	return 0;
}

int store_ack_note(struct store *s, time_t at, const char *mailbox, const char *domain,
		   bool outside, struct error *err)
{
	static const char sql[] =
		"INSERT INTO acks(at, mailbox, domain, outside) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_text(st, 2, mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, outside);
	return store_step_done(s, st, "acknowledgement", err);
}

/* Rows of sql (?1 key, ?2 since, ?3 limit) counted up to at_most. */
static int count_upto(struct store *s, const char *sql, const char *key, time_t since,
		      int at_most, int *n, struct error *err)
{
	sqlite3_stmt *st;
	int64_t v;

	*n = 0;
	if (at_most <= 0)
		return 0;	/* not asked */
	if (!(st = store_stmt(s, sql, err)))
		return -1;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int(st, 3, at_most);
	if (store_step_int64(s, st, "acknowledgements", &v, err) < 0)
		return -1;
	*n = (int)v;
	return 0;
}

int store_acks_since(struct store *s, const char *mailbox, const char *domain, time_t since,
		     const struct ack_counts *caps, struct ack_counts *c, struct error *err)
{
	/* each an index range, read no further than its cap */
	static const char by_mailbox[] = "SELECT count(*) FROM (SELECT 1 FROM acks"
		" WHERE mailbox = ?1 AND at >= ?2 LIMIT ?3)";
	static const char by_domain[] = "SELECT count(*) FROM (SELECT 1 FROM acks"
		" WHERE domain = ?1 AND at >= ?2 LIMIT ?3)";
	static const char outside[] = "SELECT count(*) FROM (SELECT 1 FROM acks"
		" INDEXED BY acks_outside WHERE outside AND at >= ?2 LIMIT ?3)";

	return count_upto(s, by_mailbox, mailbox, since, caps->mailbox, &c->mailbox, err) < 0 ||
	       count_upto(s, by_domain, domain, since, caps->domain, &c->domain, err) < 0 ||
	       count_upto(s, outside, NULL, since, caps->outside, &c->outside, err) < 0 ? -1 : 0;
}

/* Each recipient's queue moves when its first pending mail is due (the
 * others wait behind it: store_outbox_due). */
int store_outbox_next_due(struct store *s, time_t *when, struct error *err)
{
	static const char sql[] =
		"SELECT COALESCE(MIN(next_attempt_at), 0) FROM outbox WHERE id IN"
		" (SELECT MIN(id) FROM outbox WHERE state = 'pending' GROUP BY lower(rcpt))";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int64_t v;

	*when = 0;
	if (!st || store_step_int64(s, st, "outbox", &v, err) < 0)
		return -1;
	*when = (time_t)v;
	return 0;
}

int store_outbox_claim(struct store *s, int64_t id, struct error *err)
{
	static const char sql[] = "UPDATE outbox SET attempts = attempts + 1"
		" WHERE id = ? AND state = 'pending'";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(s, st, "outbox claim", err);
}

/* The attempt was counted by store_outbox_claim. */
int store_outbox_mark_sent(struct store *s, int64_t id, time_t now, struct error *err)
{
	static const char sql[] = "UPDATE outbox SET state = 'sent', sent_at = ?,"
		" last_error = NULL WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "outbox sent", err);
}

int store_outbox_mark_retry(struct store *s, int64_t id, int attempts, time_t next,
			    const char *reason, struct error *err)
{
	static const char sql[] = "UPDATE outbox SET attempts = ?, next_attempt_at = ?,"
		" last_error = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, attempts);
	sqlite3_bind_int64(st, 2, next);
	store_bind_text(st, 3, reason);
	sqlite3_bind_int64(st, 4, id);
	return store_step_done(s, st, "outbox retry", err);
}

int store_outbox_mark_failed(struct store *s, int64_t id, int attempts, const char *reason,
			     time_t now, struct error *err)
{
	static const char sql[] = "UPDATE outbox SET state = 'failed', attempts = ?,"
		" last_error = ?, failed_at = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, attempts);
	store_bind_text(st, 2, reason);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	return store_step_done(s, st, "outbox failed", err);
}

int store_outbox_mark_bounced(struct store *s, int64_t id, const char *reason, time_t now,
			      struct error *err)
{
	static const char sql[] = "UPDATE outbox SET state = 'failed', last_error = ?,"
		" failed_at = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	store_bind_text(st, 1, reason);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	return store_step_done(s, st, "outbox bounced", err);
}
