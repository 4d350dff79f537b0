/*
 * store_token.c — the generations of the reply tokens (see store.h, issue
 * 14).  A token is the HMAC of (ticket, person, generation) (rules/auth.c);
 * this table says which generation is live.  Revoking one is a row
 * update, so a token that leaked stops working at once while the mail
 * that carried it stays as it was in the messages table (evidence).
 */
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

int store_token_live(struct store *s, int64_t ticket_id, const char *addr, time_t now,
		     long max_age, unsigned long *generation, time_t *issued_at, struct error *err)
{
	static const char sql[] =
		"SELECT generation, issued_at FROM tokens WHERE ticket_id = ?1 AND addr = ?2 "
		"AND revoked_at IS NULL AND issued_at > ?3 ORDER BY generation DESC LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	*generation = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now - max_age);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*generation = (unsigned long)sqlite3_column_int64(st, 0);
		if (issued_at)
			*issued_at = (time_t)sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "token", err);
}

int store_token_issue(struct store *s, int64_t ticket_id, const char *addr, time_t now,
		      unsigned long *generation, struct error *err)
{
	static const char sql[] =
		"INSERT INTO tokens(ticket_id, addr, generation, issued_at) VALUES (?1, ?2,"
		" (SELECT COALESCE(MAX(generation), 0) + 1 FROM tokens"
		"  WHERE ticket_id = ?1 AND addr = ?2), ?3) RETURNING generation";
	sqlite3_stmt *st;
	int rc;

	*generation = 0;
	if (store_token_revoke(s, ticket_id, addr, 0, "replaced", now, err) < 0 ||
	    !(st = store_stmt(s, sql, err)))
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*generation = (unsigned long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "token issue", err);
}

int store_token_revoke(struct store *s, int64_t ticket_id, const char *addr,
		       unsigned long generation, const char *why, time_t now, struct error *err)
{
	static const char sql[] =
		"UPDATE tokens SET revoked_at = ?4, revoked_why = ?5 WHERE ticket_id = ?1"
		" AND (?2 IS NULL OR addr = ?2) AND (?3 = 0 OR generation = ?3)"
		" AND revoked_at IS NULL";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	store_bind_text(st, 2, addr);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)generation);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, why, -1, SQLITE_STATIC);
	if (store_step_done(s, st, "token revoke", err) < 0)
		return -1;
	return sqlite3_changes(s->db);
}

int store_token_list_live(struct store *s, int64_t ticket_id, time_t now, long max_age,
			  struct token_row **rows, size_t *n, struct error *err)
{
	static const char sql[] =
		"SELECT addr, generation, issued_at FROM tokens WHERE ticket_id = ?1"
		" AND revoked_at IS NULL AND issued_at > ?2 ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	struct token_row *list = NULL;
	size_t cap = 0, k = 0;
	int rc;

	*rows = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now - max_age);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_grow(&list, &cap, k, sizeof *list) < 0)
			goto oom;
		list[k].ticket_id = ticket_id;
		list[k].addr = store_col_strdup(st, 0);
		list[k].generation = (unsigned long)sqlite3_column_int64(st, 1);
		list[k].issued_at = (time_t)sqlite3_column_int64(st, 2);
		if (!list[k++].addr)
			goto oom;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_token_rows_free(list, k);
		return store_fail(s, rc, "token list", err);
	}
	*rows = list;
	*n = k;
	return 0;
oom:
	sqlite3_reset(st);
	store_token_rows_free(list, k);
	return error_set(err, ERR_TEMP, "store: out of memory");
}

void store_token_rows_free(struct token_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		free(rows[i].addr);
	free(rows);
}
