/*
 * store_internal.h — what the store_*.c files share: the handle, a cache of
 * prepared statements, and the mapping of SQLite errors to error classes.
 * Not for the rest of the bot.
 */
#ifndef INCIDENT_STORE_INTERNAL_H
#define INCIDENT_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

#define STORE_STMT_CACHE 128

struct store {
	sqlite3 *db;
	struct {
		const char *sql;	/* the literal's address is the key */
		sqlite3_stmt *stmt;
	} cache[STORE_STMT_CACHE];
	size_t n_cache;
	struct checkpointer *checkpointer;	/* store_checkpoint.c, or NULL */
};

/*
 * The name of the VFS every connection of ours opens with (store_vfs.c:
 * SQLite's default, with the -wal file's appends gathered), registered on
 * the first call; NULL when it cannot be (then SQLite's default is used).
 */
const char *store_vfs_name(void);

/* Stops the checkpoint thread, if any (store_close). */
void store_checkpoint_stop(struct store *s);

/*
 * A prepared statement for sql (a string literal: its address is the cache
 * key), reset and with bindings cleared.  NULL with err filled on failure.
 */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct error *err);

/* Fills err from the database's last error (class from rc); returns -1. */
int store_fail(struct store *s, int rc, const char *what, struct error *err);

/* Runs a statement that returns no rows to completion. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, struct error *err);

/* Runs a statement of one number (a count, a MIN): its first column into
 * *v, 0 when it returns no row.  0, or -1 (what failed named by what). */
int store_step_int64(struct store *s, sqlite3_stmt *st, const char *what, int64_t *v,
		     struct error *err);

/* A malloc'd copy of a text column, or NULL for SQL NULL. */
char *store_col_strdup(sqlite3_stmt *st, int col);

/*
 * Makes room for one more element in a growing array (*listp of n elements,
 * capacity *cap, elements of size elem).  0, or -1 on out-of-memory with the
 * array untouched.
 */
int store_grow(void *listp, size_t *cap, size_t n, size_t elem);

/* Binds text or NULL. */
int store_bind_text(sqlite3_stmt *st, int idx, const char *s);
/* The same without a copy: s must stay until the statement is reset.
 * For a mail's text, which can be tens of MB (issue 14, point 10). */
int store_bind_text_static(sqlite3_stmt *st, int idx, const char *s);

/*
 * The hash of an event (store_ticket.c): lower-case hex SHA-256 over the
 * previous event's hash (64 '0's for the first), the ticket's row id (0:
 * none), the time, actor, kind and detail (NULL as ""), one per line.
 * store_event_add stores it and store_verify recomputes it.  -1 only when
 * out of memory (hex is then 64 '0's, which no real hash is).
 */
int store_event_hash(const char *prev, int64_t ticket_id, time_t at, const char *actor,
		     const char *kind, const char *detail, char hex[65]);

#endif
