/*
 * store_message.c — received messages and their attachments' records
 * (see store.h).  The raw bytes are kept as received, with their SHA-256,
 * so the record can be handed over as evidence (policy 7-3, 7-4).
 */
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_message_seen(struct store *s, const char *message_id, const char *sha256,
		       const char *from_addr, const char *body, int64_t *ticket_id,
		       struct error *err)
{
	/* issue 14 (V12): a Message-ID is the sender's word, not a proof:
	 * only the same bytes, or the same sender and text, are the same
	 * mail; the best match decides */
	static const char sql[] =
		"SELECT COALESCE(ticket_id, 0), sha256 = ?2,"
		" COALESCE(from_addr = ?3 COLLATE NOCASE AND body IS ?4, 0) AS same FROM messages "
		"WHERE sha256 = ?2 OR (?1 IS NOT NULL AND message_id = ?1) "
		"ORDER BY sha256 = ?2 DESC, same DESC, id LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc, same_bytes = 0, same_mail = 0;

	*ticket_id = 0;
	if (!st)
		return -1;
	store_bind_text(st, 1, message_id);
	sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
	store_bind_text(st, 3, from_addr);
	store_bind_text_static(st, 4, body);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ticket_id = sqlite3_column_int64(st, 0);
		same_bytes = sqlite3_column_int(st, 1);
		same_mail = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "duplicate check", err);
	if (rc == SQLITE_DONE)
		return 0;
	return same_bytes ? STORE_SEEN_BYTES : same_mail ? STORE_SEEN_ID : STORE_SEEN_CLASH;
}

static int insert_attachments(struct store *s, int64_t msg_id, const struct mail *m,
			      struct error *err)
{
	static const char sql[] =
		"INSERT INTO attachments(message_id, filename, content_type, size, sha256)"
		" VALUES (?, ?, ?, ?, ?)";
	size_t i;

	for (i = 0; i < m->n_attachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		sqlite3_stmt *st = store_stmt(s, sql, err);

		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, msg_id);
		store_bind_text(st, 2, a->filename);
		sqlite3_bind_text(st, 3, a->content_type ? a->content_type :
				  "application/octet-stream", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)a->size);
		sqlite3_bind_text(st, 5, a->sha256, -1, SQLITE_STATIC);
		if (store_step_done(s, st, "attachment", err) < 0)
			return -1;
	}
	return 0;
}

int store_message_insert(struct store *s, const struct message_in *in, time_t now,
			 int64_t *id, struct error *err)
{
	static const char sql[] =
		"INSERT INTO messages(ticket_id, kind, message_id, sha256, raw, imap_uid,"
		" imap_uidvalidity, from_addr, from_name, subject, date, in_reply_to, refs,"
		" body, received_at, new_text, machine, forward, date_raw)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	const struct mail *m = in->mail;
	sqlite3_stmt *st = store_stmt(s, sql, err);
	char *refs = NULL;
	int64_t row;
	int rc;

	if (!st)
		return -1;
	if (in->ticket_id)
		sqlite3_bind_int64(st, 1, in->ticket_id);
	sqlite3_bind_text(st, 2, in->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, in->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 5, in->raw, in->len, SQLITE_STATIC);
	if (in->imap_uid) {
		sqlite3_bind_int64(st, 6, in->imap_uid);
		sqlite3_bind_int64(st, 7, in->imap_uidvalidity);
	}
	if (m) {
		refs = mail_thread(m, false);
		store_bind_text(st, 3, m->message_id);
		store_bind_text(st, 8, m->from.addr);
		store_bind_text(st, 9, m->from.name);
		store_bind_text(st, 10, m->subject);
		if (m->date)
			sqlite3_bind_int64(st, 11, m->date);
		store_bind_text(st, 12, m->in_reply_to);
		store_bind_text(st, 13, refs);
		store_bind_text_static(st, 14, m->body);
		store_bind_text_static(st, 19, m->date_raw);
	}
	sqlite3_bind_int64(st, 15, now);
	store_bind_text_static(st, 16, in->new_text ? in->new_text : m ? m->body : NULL);
	store_bind_text_static(st, 17, in->machine);
	store_bind_text_static(st, 18, in->forward);
	rc = store_step_done(s, st, "message", err);
	free(refs);
	if (rc < 0)
		return -1;
	row = sqlite3_last_insert_rowid(s->db);
	if (id)
		*id = row;
	return m ? insert_attachments(s, row, m, err) : 0;
}

int store_message_ticket_of(struct store *s, const char *message_id, int64_t *ticket_id,
			    struct error *err)
{
	static const char sql[] =
		"SELECT ticket_id FROM messages WHERE message_id = ?1 AND ticket_id IS NOT NULL "
		"UNION ALL "
		"SELECT ticket_id FROM outbox WHERE message_id = ?1 AND ticket_id IS NOT NULL "
		"LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	*ticket_id = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ticket_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "thread lookup", err);
	return rc == SQLITE_ROW;
}

static int load_attachments(struct store *s, struct message_row *m, struct error *err)
{
	static const char sql[] = "SELECT filename, content_type, size, sha256 "
		"FROM attachments WHERE message_id = ? ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	size_t cap = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, m->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mail_attachment *a;

		if (store_grow(&m->attachments, &cap, m->n_attachments, sizeof *a) < 0) {
			sqlite3_reset(st);
			return error_set(err, ERR_TEMP, "store: out of memory");
		}
		a = &m->attachments[m->n_attachments++];
		memset(a, 0, sizeof *a);
		a->filename = store_col_strdup(st, 0);
		a->content_type = store_col_strdup(st, 1);
		a->size = (size_t)sqlite3_column_int64(st, 2);
		snprintf(a->sha256, sizeof a->sha256, "%s", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "attachments", err);
}

/* The rows of a prepared SELECT of the columns below (bound), with their
 * attachments' records. */
static int list_read(struct store *s, sqlite3_stmt *st, struct message_row **out, size_t *n,
		     struct error *err)
{
	struct message_row *list = NULL;
	size_t cap = 0, i;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct message_row *m;

		if (store_grow(&list, &cap, *n, sizeof *list) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		m = &list[(*n)++];
		memset(m, 0, sizeof *m);
		m->id = sqlite3_column_int64(st, 0);
		m->kind = store_col_strdup(st, 1);
		m->message_id = store_col_strdup(st, 2);
		m->from_addr = store_col_strdup(st, 3);
		m->from_name = store_col_strdup(st, 4);
		m->subject = store_col_strdup(st, 5);
		m->body = store_col_strdup(st, 6);
		m->sha256 = store_col_strdup(st, 7);
		m->date = sqlite3_column_int64(st, 8);
		m->received_at = sqlite3_column_int64(st, 9);
		m->size = (size_t)sqlite3_column_int64(st, 10);
		m->new_text = store_col_strdup(st, 11);
		m->date_raw = store_col_strdup(st, 12);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_messages_free(list, *n);
		*n = 0;
		return rc == SQLITE_NOMEM ? error_set(err, ERR_TEMP, "store: out of memory") :
			store_fail(s, rc, "messages", err);
	}
	for (i = 0; i < *n; i++)
		if (load_attachments(s, &list[i], err) < 0) {
			store_messages_free(list, *n);
			*n = 0;
			return -1;
		}
	*out = list;
	return 0;
}

#define LIST_COLUMNS "id, kind, message_id, from_addr, from_name, subject, body, sha256," \
	" COALESCE(date, 0), received_at, length(raw), new_text, date_raw"

int store_message_list(struct store *s, int64_t ticket_id, struct message_row **out,
		       size_t *n, struct error *err)
{
	static const char sql[] = "SELECT " LIST_COLUMNS " FROM messages"
		" WHERE ticket_id = ? ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	return list_read(s, st, out, n, err);
}

int store_message_report(struct store *s, int64_t ticket_id, struct message_row **out,
			 size_t *n, struct error *err)
{
	/* issue 16: what every acknowledgement and alarm is rendered from,
	 * without a ticket's every follow-up and its text */
	static const char sql[] = "SELECT " LIST_COLUMNS " FROM messages"
		" WHERE ticket_id = ? AND kind = 'report' ORDER BY id LIMIT 1";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	return list_read(s, st, out, n, err);
}

void store_messages_free(struct message_row *m, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(m[i].kind);
		free(m[i].message_id);
		free(m[i].from_addr);
		free(m[i].from_name);
		free(m[i].subject);
		free(m[i].body);
		free(m[i].new_text);
		free(m[i].date_raw);
		free(m[i].sha256);
		free(m[i].machine);
		free(m[i].forward);
		for (j = 0; j < m[i].n_attachments; j++) {
			free(m[i].attachments[j].filename);
			free(m[i].attachments[j].content_type);
		}
		free(m[i].attachments);
	}
	free(m);
}

/* ---- issue 13: machines' mail, people's words to forward ---- */

#define ROW_COLUMNS "id, kind, message_id, from_addr, from_name, subject, sha256," \
	" COALESCE(date, 0), received_at, length(raw), new_text, COALESCE(ticket_id, 0)," \
	" machine, forward"

/* Reads the rows of a prepared SELECT ROW_COLUMNS (bound, not stepped yet). */
static int rows_read(struct store *s, sqlite3_stmt *st, const char *what,
		     struct message_row **out, size_t *n, struct error *err)
{
	struct message_row *list = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct message_row *m;

		if (store_grow(&list, &cap, *n, sizeof *list) < 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		m = &list[(*n)++];
		memset(m, 0, sizeof *m);
		m->id = sqlite3_column_int64(st, 0);
		m->kind = store_col_strdup(st, 1);
		m->message_id = store_col_strdup(st, 2);
		m->from_addr = store_col_strdup(st, 3);
		m->from_name = store_col_strdup(st, 4);
		m->subject = store_col_strdup(st, 5);
		m->sha256 = store_col_strdup(st, 6);
		m->date = sqlite3_column_int64(st, 7);
		m->received_at = sqlite3_column_int64(st, 8);
		m->size = (size_t)sqlite3_column_int64(st, 9);
		m->new_text = store_col_strdup(st, 10);
		m->ticket_id = sqlite3_column_int64(st, 11);
		m->machine = store_col_strdup(st, 12);
		m->forward = store_col_strdup(st, 13);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_messages_free(list, *n);
		*n = 0;
		return rc == SQLITE_NOMEM ? error_set(err, ERR_TEMP, "store: out of memory") :
			store_fail(s, rc, what, err);
	}
	*out = list;
	return 0;
}

int store_message_automatic(struct store *s, time_t since, time_t until, size_t limit,
			    struct message_row **out, size_t *n, struct error *err)
{
	static const char sql[] = "SELECT " ROW_COLUMNS " FROM messages"
		" WHERE kind = 'automatic' AND received_at >= ?1 AND (?2 = 0 OR received_at < ?2)"
		" ORDER BY received_at DESC, id DESC LIMIT ?3";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_int64(st, 3, limit ? (sqlite3_int64)limit : -1);
	return rows_read(s, st, "automatic mail", out, n, err);
}

int store_message_automatic_count(struct store *s, time_t since, time_t until, long *count,
				  struct error *err)
{
	static const char sql[] = "SELECT count(*) FROM messages"
		" WHERE kind = 'automatic' AND received_at >= ?1 AND (?2 = 0 OR received_at < ?2)";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	*count = 0;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, rc, "automatic mail count", err);
}

int store_message_to_forward(struct store *s, struct message_row **out, size_t *n,
			     struct error *err)
{
	static const char sql[] = "SELECT " ROW_COLUMNS " FROM messages"
		" WHERE forward IS NOT NULL AND forwarded_at IS NULL ORDER BY id";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	return rows_read(s, st, "words to forward", out, n, err);
}

int store_message_forwarded(struct store *s, int64_t id, time_t now, struct error *err)
{
	static const char sql[] = "UPDATE messages SET forwarded_at = ?2 WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return store_step_done(s, st, "forwarded", err);
}

int store_message_set_forward(struct store *s, int64_t id, const char *what, struct error *err)
{
	static const char sql[] = "UPDATE messages SET forward = ?2 WHERE id = ?1";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, what, -1, SQLITE_STATIC);
	return store_step_done(s, st, "forward", err);
}
