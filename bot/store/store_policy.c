/*
 * store_policy.c — the policy engine's records (see store.h): a ticket's
 * classification and status times, its checklist, its obligations with
 * their timer stages, and the policy's periodic reviews.  Rules live in
 * policy.c and engine.c; this file only reads and writes rows.
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list read row by row: grows *list, calls read for each row. */
static int read_rows(struct store *s, sqlite3_stmt *st, void *listp, size_t *n, size_t elem,
		     void (*read)(sqlite3_stmt *, void *), void (*free_list)(void *, size_t),
		     const char *what, struct error *err)
{
	char **list = listp;
	size_t cap = 0;
	int rc;

	*list = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_grow(list, &cap, *n, elem) < 0) {
			sqlite3_reset(st);
			free_list(*list, *n);
			*list = NULL;
			*n = 0;
			return error_set(err, ERR_TEMP, "store: out of memory");
		}
		read(st, *list + elem * (*n)++);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free_list(*list, *n);
		*list = NULL;
		*n = 0;
		return store_fail(s, rc, what, err);
	}
	return 0;
}

/* ---- tickets ---- */

/* A value's name for its column: NULL for an *_UNSET value or one out of range. */
static const char *column_name(int value, int count, const char *name)
{
	return value >= 0 && value < count ? name : NULL;
}

int store_ticket_set_class(struct store *s, int64_t id, enum incident_type type,
			   enum priority priority, enum source source, unsigned flags,
			   long affected, const char *why, struct error *err)
{
	static const char sql[] =
		"UPDATE tickets SET type = COALESCE(?, type), priority = COALESCE(?, priority),"
		" source = COALESCE(?, source), flags = ?, affected = ?,"
		" classify_why = COALESCE(?, classify_why) WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	store_bind_text(st, 1, column_name(type, TYPE_COUNT, type_name(type)));
	store_bind_text(st, 2, column_name(priority, PRIORITY_COUNT, priority_name(priority)));
	store_bind_text(st, 3, column_name(source, SOURCE_COUNT, source_name(source)));
	sqlite3_bind_int64(st, 4, flags);
	if (affected >= 0)
		sqlite3_bind_int64(st, 5, affected);
	else
		sqlite3_bind_null(st, 5);
	store_bind_text(st, 6, why);
	sqlite3_bind_int64(st, 7, id);
	return store_step_done(s, st, "classify ticket", err);
}

int store_ticket_set_status(struct store *s, int64_t id, enum status status, time_t now,
			    struct error *err)
{
	/* ?1 status, ?2 now, ?3 id; what the status means for the times is
	 * decided here in C by the order of policy.h's states, so that no
	 * status is spelled in the SQL: ?4 left "new", ?5 recovering or
	 * later (contained), ?6 resolved, ?7 closed. */
	static const char sql[] =
		"UPDATE tickets SET status = ?1, updated_at = ?2,"
		" acked_at = CASE WHEN acked_at IS NULL AND ?4 THEN ?2 ELSE acked_at END,"
		" contained_at = CASE WHEN contained_at IS NULL AND ?5 THEN ?2 ELSE contained_at END,"
		" resolved_at = CASE WHEN ?6 THEN ?2"
		"   WHEN ?7 THEN COALESCE(resolved_at, ?2) ELSE NULL END,"
		" closed_at = CASE WHEN ?7 THEN ?2 ELSE NULL END"
		" WHERE id = ?3";
	const char *name = column_name(status, STATUS_COUNT, status_name(status));
	sqlite3_stmt *st;

	if (!name)	/* the engine moves only by policy_transition */
		return error_set(err, ERR_FATAL, "store: ticket %lld: status %d out of range",
				 (long long)id, (int)status);
	if (!(st = store_stmt(s, sql, err)))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_int(st, 4, status != STATUS_NEW);
	sqlite3_bind_int(st, 5, status >= STATUS_RECOVERING);
	sqlite3_bind_int(st, 6, status == STATUS_RESOLVED);
	sqlite3_bind_int(st, 7, status == STATUS_CLOSED);
	return store_step_done(s, st, "ticket status", err);
}

int store_ticket_set_escalation(struct store *s, int64_t id, int stage, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET escalation_stage = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, stage);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "escalation stage", err);
}

int store_ticket_set_counts(struct store *s, int64_t id, bool affected_over, long records,
			    struct error *err)
{
	static const char sql[] = "UPDATE tickets SET affected_over = ?, records = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, affected_over);
	if (records >= 0)
		sqlite3_bind_int64(st, 2, records);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, id);
	return store_step_done(s, st, "ticket counts", err);
}

int store_ticket_set_system(struct store *s, int64_t id, const char *system,
			    long recovery_seconds, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET system = ?, recovery_seconds = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, system, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, recovery_seconds);
	sqlite3_bind_int64(st, 3, id);
	return store_step_done(s, st, "ticket system", err);
}

int store_ticket_set_aware(struct store *s, int64_t id, time_t aware, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET aware_at = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, aware);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "awareness time", err);
}

int store_ticket_set_owner(struct store *s, int64_t id, const char *owner, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET owner = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	store_bind_text(st, 1, owner);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "ticket owner", err);
}

int store_ticket_set_lessons(struct store *s, int64_t id, const char *text, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET lessons = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	store_bind_text(st, 1, text);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "lessons", err);
}

/* ---- checklist ---- */

int store_checklist_add(struct store *s, int64_t ticket_id, int pos, const char *text,
			struct error *err)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO checklist(ticket_id, pos, text) VALUES (?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int(st, 2, pos);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	return store_step_done(s, st, "checklist item", err);
}

static void read_item(sqlite3_stmt *st, void *p)
{
	struct checklist_item *c = p;

	c->pos = sqlite3_column_int(st, 0);
	c->text = store_col_strdup(st, 1);
	c->done_at = sqlite3_column_int64(st, 2);
	c->done_by = store_col_strdup(st, 3);
}

static void free_items(void *p, size_t n)
{
	store_checklist_free(p, n);
}

int store_checklist_list(struct store *s, int64_t ticket_id, struct checklist_item **out,
			 size_t *n, struct error *err)
{
	static const char sql[] = "SELECT pos, text, done_at, done_by FROM checklist"
		" WHERE ticket_id = ? ORDER BY pos";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	return read_rows(s, st, out, n, sizeof **out, read_item, free_items, "checklist", err);
}

int store_checklist_tick(struct store *s, int64_t ticket_id, int pos, const char *by, time_t now,
			 struct error *err)
{
	static const char find_sql[] =
		"SELECT done_at IS NOT NULL FROM checklist WHERE ticket_id = ? AND pos = ?";
	static const char tick_sql[] =
		"UPDATE checklist SET done_at = ?, done_by = ? WHERE ticket_id = ? AND pos = ?";
	sqlite3_stmt *st = store_stmt(s, find_sql, err);
	int rc, done;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int(st, 2, pos);
	rc = sqlite3_step(st);
	done = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(s, rc, "checklist item", err);
	if (done)
		return 2;
	if (!(st = store_stmt(s, tick_sql, err)))
		return -1;
	sqlite3_bind_int64(st, 1, now);
	store_bind_text(st, 2, by);
	sqlite3_bind_int64(st, 3, ticket_id);
	sqlite3_bind_int(st, 4, pos);
	return store_step_done(s, st, "tick checklist item", err) < 0 ? -1 : 1;
}

int store_checklist_replace(struct store *s, int64_t ticket_id, const char *const *texts,
			    size_t n, struct error *err)
{
	static const char drop_sql[] =
		"DELETE FROM checklist WHERE ticket_id = ? AND done_at IS NULL";
	static const char last_sql[] =
		"SELECT COALESCE(MAX(pos), 0) FROM checklist WHERE ticket_id = ?";
	sqlite3_stmt *st = store_stmt(s, drop_sql, err);
	size_t i;
	int last, rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	if (store_step_done(s, st, "checklist", err) < 0 || !(st = store_stmt(s, last_sql, err)))
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	rc = sqlite3_step(st);
	last = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc, "checklist", err);
	for (i = 0; i < n; i++)
		if (store_checklist_add(s, ticket_id, last + (int)i + 1, texts[i], err) < 0)
			return -1;
	return 0;
}

void store_checklist_free(struct checklist_item *c, size_t n)
{
	size_t i;

	for (i = 0; c && i < n; i++) {
		free(c[i].text);
		free(c[i].done_by);
	}
	free(c);
}

/* ---- obligations ---- */

int store_obligation_require(struct store *s, int64_t ticket_id, const char *kind,
			     time_t start, time_t due, time_t now, struct error *err)
{
	static const char find_sql[] =
		"SELECT id, state, start_at, due_at FROM obligations WHERE ticket_id = ? AND kind = ?";
	static const char insert_sql[] =
		"INSERT INTO obligations(ticket_id, kind, created_at, start_at, due_at)"
		" VALUES (?, ?, ?, ?, ?)";
	static const char reopen_sql[] =
		"UPDATE obligations SET state = ?, start_at = ?, due_at = ?, reason = NULL,"
		" closed_at = NULL, closed_by = NULL, remind_stage = 0, overdue_stage = 0"
		" WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, find_sql, err);
	int64_t id = 0;
	int state = OBLIGATION_STATE_UNKNOWN;
	time_t old_start = 0, old_due = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		state = obligation_state_from_name((const char *)sqlite3_column_text(st, 1));
		old_start = sqlite3_column_int64(st, 2);
		old_due = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "obligation", err);

	if (!id) {
		if (!(st = store_stmt(s, insert_sql, err)))
			return -1;
		sqlite3_bind_int64(st, 1, ticket_id);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, start);
		sqlite3_bind_int64(st, 5, due);
		return store_step_done(s, st, "new obligation", err) < 0 ? -1 : 1;
	}
	if (state == OBLIGATION_DONE || state == OBLIGATION_NOT_NEEDED)
		return 0;	/* an admin's record stands */
	if (state == OBLIGATION_OPEN && old_start == start && old_due == due)
		return 0;
	/* open with other times, cancelled, or a state unknown to this version */
	if (!(st = store_stmt(s, reopen_sql, err)))
		return -1;
	sqlite3_bind_text(st, 1, obligation_state_name(OBLIGATION_OPEN), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, due);
	sqlite3_bind_int64(st, 4, id);
	if (store_step_done(s, st, "obligation", err) < 0)
		return -1;
	return state == OBLIGATION_OPEN ? 0 : 1;
}

int store_obligation_close(struct store *s, int64_t ticket_id, const char *kind,
			   enum obligation_state state, const char *reason, const char *by,
			   time_t now, struct error *err)
{
	static const char sql[] =
		"UPDATE obligations SET state = ?, reason = ?, closed_by = ?, closed_at = ?"
		" WHERE ticket_id = ? AND kind = ? AND state = ?";
	const char *name = state == OBLIGATION_OPEN ? NULL :
		column_name(state, OBLIGATION_STATE_COUNT, obligation_state_name(state));
	sqlite3_stmt *st;

	if (!name)
		return error_set(err, ERR_FATAL, "store: obligation %s: cannot end as state %d",
				 kind, (int)state);
	if (!(st = store_stmt(s, sql, err)))
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	store_bind_text(st, 2, reason);
	store_bind_text(st, 3, by);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, ticket_id);
	sqlite3_bind_text(st, 6, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, obligation_state_name(OBLIGATION_OPEN), -1, SQLITE_STATIC);
	if (store_step_done(s, st, "close obligation", err) < 0)
		return -1;
	return sqlite3_changes(s->db) > 0;
}

static void read_obligation(sqlite3_stmt *st, void *p)
{
	struct obligation *o = p;

	memset(o, 0, sizeof *o);
	o->id = sqlite3_column_int64(st, 0);
	o->ticket_id = sqlite3_column_int64(st, 1);
	snprintf(o->ref, sizeof o->ref, "%s", (const char *)sqlite3_column_text(st, 2));
	o->kind = store_col_strdup(st, 3);
	/* an unknown name (an old database) reads as OBLIGATION_STATE_UNKNOWN */
	o->state = (enum obligation_state)obligation_state_from_name(
		(const char *)sqlite3_column_text(st, 4));
	o->created_at = sqlite3_column_int64(st, 5);
	o->start_at = sqlite3_column_int64(st, 6);
	o->due_at = sqlite3_column_int64(st, 7);
	o->closed_at = sqlite3_column_int64(st, 8);
	o->reason = store_col_strdup(st, 9);
	o->closed_by = store_col_strdup(st, 10);
	o->remind_stage = sqlite3_column_int(st, 11);
	o->overdue_stage = sqlite3_column_int(st, 12);
}

static void free_obligations(void *p, size_t n)
{
	store_obligations_free(p, n);
}

#define OBLIGATION_COLUMNS \
	"SELECT o.id, o.ticket_id, t.ref, o.kind, o.state, o.created_at, o.start_at, o.due_at," \
	" o.closed_at, o.reason, o.closed_by, o.remind_stage, o.overdue_stage" \
	" FROM obligations o JOIN tickets t ON t.id = o.ticket_id "

int store_obligation_list(struct store *s, int64_t ticket_id, struct obligation **out,
			  size_t *n, struct error *err)
{
	static const char one_sql[] = OBLIGATION_COLUMNS
		"WHERE o.ticket_id = ? ORDER BY o.due_at, o.id";
	static const char open_sql[] = OBLIGATION_COLUMNS
		"WHERE o.state = ?1 AND t.status NOT IN (?2, ?3)"
		" ORDER BY o.due_at, o.id";
	sqlite3_stmt *st = store_stmt(s, ticket_id ? one_sql : open_sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	if (ticket_id) {
		sqlite3_bind_int64(st, 1, ticket_id);
	} else {	/* the open ones of tickets not settled (policy_settled) */
		sqlite3_bind_text(st, 1, obligation_state_name(OBLIGATION_OPEN), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, status_name(STATUS_RESOLVED), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, status_name(STATUS_CLOSED), -1, SQLITE_STATIC);
	}
	return read_rows(s, st, out, n, sizeof **out, read_obligation, free_obligations,
			 "obligations", err);
}

int store_obligation_set_stages(struct store *s, int64_t id, int remind_stage,
				int overdue_stage, struct error *err)
{
	static const char sql[] =
		"UPDATE obligations SET remind_stage = ?, overdue_stage = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, remind_stage);
	sqlite3_bind_int(st, 2, overdue_stage);
	sqlite3_bind_int64(st, 3, id);
	return store_step_done(s, st, "obligation stages", err);
}

void store_obligations_free(struct obligation *o, size_t n)
{
	size_t i;

	for (i = 0; o && i < n; i++) {
		free(o[i].kind);
		free(o[i].reason);
		free(o[i].closed_by);
	}
	free(o);
}

/* ---- periodic reviews ---- */

int store_review_get(struct store *s, const char *kind, struct review *out, struct error *err)
{
	static const char sql[] =
		"SELECT last_done, done_by, remind_stage FROM reviews WHERE kind = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	memset(out, 0, sizeof *out);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->last_done = sqlite3_column_int64(st, 0);
		out->done_by = store_col_strdup(st, 1);
		out->remind_stage = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "review", err);
	return rc == SQLITE_ROW;
}

int store_review_done(struct store *s, const char *kind, time_t at, const char *by,
		      struct error *err)
{
	static const char sql[] =
		"INSERT INTO reviews(kind, last_done, done_by) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(kind) DO UPDATE SET last_done = ?2, done_by = ?3, remind_stage = 0";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	store_bind_text(st, 3, by);
	return store_step_done(s, st, "review done", err);
}

int store_review_set_stage(struct store *s, const char *kind, int stage, struct error *err)
{
	static const char sql[] = "UPDATE reviews SET remind_stage = ? WHERE kind = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, stage);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	return store_step_done(s, st, "review stage", err);
}

void store_review_release(struct review *r)
{
	free(r->done_by);
	memset(r, 0, sizeof *r);
}

/* ---- plan verification after a change (policy 5(2)) ---- */

int store_change_review_open(struct store *s, const char *what, const char *by, time_t at,
			     time_t due, int64_t *id, struct error *err)
{
	static const char sql[] =
		"INSERT INTO change_reviews(what, opened_at, opened_by, due_at) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	store_bind_text(st, 3, by);
	sqlite3_bind_int64(st, 4, due);
	if (store_step_done(s, st, "change review", err) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static void read_change_review(sqlite3_stmt *st, void *p)
{
	struct change_review *r = p;

	r->id = sqlite3_column_int64(st, 0);
	r->what = store_col_strdup(st, 1);
	r->opened_at = sqlite3_column_int64(st, 2);
	r->opened_by = store_col_strdup(st, 3);
	r->due_at = sqlite3_column_int64(st, 4);
	r->done_at = sqlite3_column_int64(st, 5);
	r->done_by = store_col_strdup(st, 6);
	r->remind_stage = sqlite3_column_int(st, 7);
}

static void free_change_reviews(void *p, size_t n)
{
	store_change_reviews_free(p, n);
}

int store_change_review_list(struct store *s, bool open_only, struct change_review **out,
			     size_t *n, struct error *err)
{
	static const char sql[] =
		"SELECT id, what, opened_at, opened_by, due_at, done_at, done_by, remind_stage"
		" FROM change_reviews WHERE ?1 = 0 OR done_at IS NULL ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, open_only);
	return read_rows(s, st, out, n, sizeof **out, read_change_review, free_change_reviews,
			 "change reviews", err);
}

int store_change_review_done(struct store *s, int64_t id, time_t at, const char *by,
			     struct error *err)
{
	static const char sql[] = "UPDATE change_reviews SET done_at = ?, done_by = ?"
				  " WHERE id = ? AND done_at IS NULL";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	store_bind_text(st, 2, by);
	sqlite3_bind_int64(st, 3, id);
	if (store_step_done(s, st, "change review done", err) < 0)
		return -1;
	return sqlite3_changes(s->db) > 0;
}

int store_change_review_set_stage(struct store *s, int64_t id, int stage, struct error *err)
{
	static const char sql[] = "UPDATE change_reviews SET remind_stage = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, stage);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "change review stage", err);
}

void store_change_reviews_free(struct change_review *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++) {
		free(r[i].what);
		free(r[i].opened_by);
		free(r[i].done_by);
	}
	free(r);
}
