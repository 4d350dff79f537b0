/*
 * store_ticket.c — tickets and their timeline of events (see store.h).
 */
#include "store/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/digest.h"

#define TICKET_COLUMNS \
	"id, ref, subject, status, priority, type, source, reporter_addr, " \
	"reporter_name, owner, created_at, updated_at, aware_at, flags, affected, " \
	"classify_why, acked_at, contained_at, resolved_at, closed_at, escalation_stage, lessons, " \
	"affected_over, records, system, recovery_seconds"

static void read_ticket(sqlite3_stmt *st, struct ticket *t)
{
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	snprintf(t->ref, sizeof t->ref, "%s", (const char *)sqlite3_column_text(st, 1));
	t->subject = store_col_strdup(st, 2);
	/* The names at the edge: NULL (not classified) and a name this version
	 * does not know (an old database) both read as the enum's -1 value. */
	t->status = (enum status)status_from_name((const char *)sqlite3_column_text(st, 3));
	t->priority = (enum priority)priority_from_name((const char *)sqlite3_column_text(st, 4));
	t->type = (enum incident_type)type_from_name((const char *)sqlite3_column_text(st, 5));
	t->source = (enum source)source_from_name((const char *)sqlite3_column_text(st, 6));
	t->reporter_addr = store_col_strdup(st, 7);
	t->reporter_name = store_col_strdup(st, 8);
	t->owner = store_col_strdup(st, 9);
	t->created_at = sqlite3_column_int64(st, 10);
	t->updated_at = sqlite3_column_int64(st, 11);
	t->aware_at = sqlite3_column_int64(st, 12);
	t->flags = (unsigned)sqlite3_column_int64(st, 13);
	t->affected = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 :
		(long)sqlite3_column_int64(st, 14);
	t->classify_why = store_col_strdup(st, 15);
	t->acked_at = sqlite3_column_int64(st, 16);
	t->contained_at = sqlite3_column_int64(st, 17);
	t->resolved_at = sqlite3_column_int64(st, 18);
	t->closed_at = sqlite3_column_int64(st, 19);
	t->escalation_stage = sqlite3_column_int(st, 20);
	t->lessons = store_col_strdup(st, 21);
	t->affected_over = sqlite3_column_int(st, 22) != 0;
	t->records = sqlite3_column_type(st, 23) == SQLITE_NULL ? -1 :
		(long)sqlite3_column_int64(st, 23);
	t->system = store_col_strdup(st, 24);
	t->recovery_seconds = (long)sqlite3_column_int64(st, 25);
}

void store_ticket_release(struct ticket *t)
{
	free(t->subject);
	free(t->reporter_addr);
	free(t->reporter_name);
	free(t->owner);
	free(t->classify_why);
	free(t->lessons);
	free(t->system);
	memset(t, 0, sizeof *t);
}

struct policy_facts store_ticket_facts(const struct ticket *t)
{
	struct policy_facts f = policy_facts_of(t->flags, t->type, t->affected, t->affected_over);

	f.recovery_target = t->recovery_seconds > 0;
	f.lessons_recorded = t->lessons && *t->lessons;
	return f;
}

void store_tickets_free(struct ticket *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_ticket_release(&t[i]);
	free(t);
}

int store_ticket_create(struct store *s, int year, time_t now, const char *subject,
			const char *reporter_addr, const char *reporter_name,
			struct ticket *out, struct error *err)
{
	static const char next_sql[] =
		"SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets WHERE year = ?";
	static const char insert_sql[] =
		"INSERT INTO tickets(ref, year, seq, subject, reporter_addr, reporter_name,"
		" created_at, updated_at, aware_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int seq, rc;
	char ref[24];

	/* The sequence is read and used inside the caller's write transaction
	 * (BEGIN IMMEDIATE), so no other writer can take the same number. */
	if (!(st = store_stmt(s, next_sql, err)))
		return -1;
	sqlite3_bind_int(st, 1, year);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return store_fail(s, rc, "ticket number", err);
	}
	seq = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	/* INC-YYYY-NNNN; past 9999 in a year the number simply grows wider. */
	snprintf(ref, sizeof ref, "INC-%04d-%04d", year, seq);

	if (!(st = store_stmt(s, insert_sql, err)))
		return -1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_int(st, 3, seq);
	sqlite3_bind_text(st, 4, subject ? subject : "", -1, SQLITE_STATIC);
	store_bind_text(st, 5, reporter_addr);
	store_bind_text(st, 6, reporter_name);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, now);
	/* policy 7-4 / SPEC 3: by default the company became aware when the
	 * first report arrived; an admin can move it later. */
	sqlite3_bind_int64(st, 9, now);
	if (store_step_done(s, st, "new ticket", err) < 0)
		return -1;
	return store_ticket_get(s, ref, out, err) == 1 ? 0 :
		error_set(err, ERR_FATAL, "store: ticket %s vanished after insert", ref);
}

static int get_one(struct store *s, sqlite3_stmt *st, struct ticket *out, struct error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		read_ticket(st, out);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "ticket", err);
}

int store_ticket_get(struct store *s, const char *ref, struct ticket *out, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS " FROM tickets WHERE ref = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	return get_one(s, st, out, err);
}

int store_ticket_get_by_id(struct store *s, int64_t id, struct ticket *out, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS " FROM tickets WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return get_one(s, st, out, err);
}

#define TICKET_FILTER \
	"SELECT " TICKET_COLUMNS " FROM tickets " \
	"WHERE (?1 OR status <> ?6) AND (?2 IS NULL OR status = ?2) " \
	"AND (?3 IS NULL OR priority = ?3) AND (NOT ?4 OR EXISTS (SELECT 1 FROM obligations o " \
	"WHERE o.ticket_id = tickets.id AND o.state = ?7 AND o.due_at <= ?5)) "

int store_ticket_query(struct store *s, const struct ticket_filter *f, struct ticket **out,
		       size_t *n, struct error *err)
{
	static const char newest_sql[] = TICKET_FILTER "ORDER BY created_at DESC, id DESC";
	static const char oldest_sql[] = TICKET_FILTER "ORDER BY created_at, id";
	sqlite3_stmt *st = store_stmt(s, f->oldest_first ? oldest_sql : newest_sql, err);
	struct ticket *list = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, f->all || status_from_name(f->status) == STATUS_CLOSED);
	store_bind_text(st, 2, f->status);
	store_bind_text(st, 3, f->priority);
	sqlite3_bind_int(st, 4, f->overdue);
	sqlite3_bind_int64(st, 5, f->now);
	sqlite3_bind_text(st, 6, status_name(STATUS_CLOSED), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, obligation_state_name(OBLIGATION_OPEN), -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_grow(&list, &cap, *n, sizeof *list) < 0) {
			sqlite3_reset(st);
			store_tickets_free(list, *n);
			*n = 0;
			return error_set(err, ERR_TEMP, "store: out of memory");
		}
		read_ticket(st, &list[(*n)++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_tickets_free(list, *n);
		*n = 0;
		return store_fail(s, rc, "ticket list", err);
	}
	*out = list;
	return 0;
}

int store_ticket_list(struct store *s, bool all, struct ticket **out, size_t *n,
		      struct error *err)
{
	struct ticket_filter f = { .all = all };

	return store_ticket_query(s, &f, out, n, err);
}

int store_ticket_touch(struct store *s, int64_t id, time_t now, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET updated_at = ? WHERE id = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, "touch ticket", err);
}

/* ---- events ---- */

/* The hash of an event: SHA-256 over the previous hash and every field, one
 * per line, so that a change anywhere in the chain shows (SPEC 2: evidence).
 * store_verify.c recomputes it with this same function. */
int store_event_hash(const char *prev, int64_t ticket_id, time_t at, const char *actor,
		     const char *kind, const char *detail, char hex[65])
{
	char *buf = NULL;
	int len;

	len = asprintf(&buf, "%s\n%" PRId64 "\n%lld\n%s\n%s\n%s", prev, ticket_id,
		       (long long)at, actor, kind, detail ? detail : "");
	if (len < 0) {
		memset(hex, '0', 64);
		hex[64] = '\0';
		return -1;
	}
	digest_sha256_hex(buf, (size_t)len, hex);
	free(buf);
	return 0;
}

int store_event_count(struct store *s, int64_t ticket_id, const char *actor, const char *kind,
		      time_t since, int *n, struct error *err)
{
	static const char sql[] = "SELECT count(*) FROM events WHERE ticket_id = ?1 AND kind = ?3"
		" AND actor = ?2 COLLATE NOCASE AND at >= ?4";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int64_t v;

	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, since);
	if (store_step_int64(s, st, "event count", &v, err) < 0)
		return -1;
	*n = (int)v;
	return 0;
}

int store_event_add(struct store *s, int64_t ticket_id, time_t at, const char *actor,
		    const char *kind, const char *detail, struct error *err)
{
	static const char last_sql[] = "SELECT hash FROM events ORDER BY id DESC LIMIT 1";
	static const char insert_sql[] =
		"INSERT INTO events(ticket_id, at, actor, kind, detail, prev_hash, hash)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)";
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
	char hash[65];
	sqlite3_stmt *st;
	int rc;

	if (!(st = store_stmt(s, last_sql, err)))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "event chain", err);

	store_event_hash(prev, ticket_id, at, actor, kind, detail, hash);
	if (!(st = store_stmt(s, insert_sql, err)))
		return -1;
	if (ticket_id)
		sqlite3_bind_int64(st, 1, ticket_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	store_bind_text(st, 5, detail);
	sqlite3_bind_text(st, 6, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
	return store_step_done(s, st, "event", err);
}

int store_event_list(struct store *s, int64_t ticket_id, struct event **out, size_t *n,
		     struct error *err)
{
	static const char sql[] = "SELECT id, at, actor, kind, detail, hash FROM events "
		"WHERE ticket_id = ? ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	struct event *list = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct event *e;

		if (store_grow(&list, &cap, *n, sizeof *list) < 0) {
			sqlite3_reset(st);
			store_events_free(list, *n);
			*n = 0;
			return error_set(err, ERR_TEMP, "store: out of memory");
		}
		e = &list[(*n)++];
		e->id = sqlite3_column_int64(st, 0);
		e->at = sqlite3_column_int64(st, 1);
		e->actor = store_col_strdup(st, 2);
		e->kind = store_col_strdup(st, 3);
		e->detail = store_col_strdup(st, 4);
		snprintf(e->hash, sizeof e->hash, "%s", (const char *)sqlite3_column_text(st, 5));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_events_free(list, *n);
		*n = 0;
		return store_fail(s, rc, "events", err);
	}
	*out = list;
	return 0;
}

void store_events_free(struct event *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(e[i].actor);
		free(e[i].kind);
		free(e[i].detail);
	}
	free(e);
}
