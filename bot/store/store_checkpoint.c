/*
 * store_checkpoint.c — WAL checkpoints on a thread of their own (see
 * store.h, store_checkpoint_in_background).
 *
 * In WAL mode a commit appends pages to the -wal file; a checkpoint copies
 * them into the database file and syncs it.  SQLite runs one inside the
 * commit that takes the WAL past 1,000 pages, so a backlog's transactions
 * paid for it in turn (make bench: 9 % of the intake).  Here the commit
 * hook only wakes a thread with its own connection, which checkpoints
 * PASSIVE: it copies what no reader needs and never blocks the writer.
 * Durability is the commit's (synchronous = FULL syncs the WAL) either way.
 */
#include "store/store_internal.h"

#include "lib/log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* SQLite's own auto-checkpoint threshold (pages of the WAL) */
#define CHECKPOINT_PAGES 1000

struct checkpointer {
	sqlite3 *db;		/* the thread's connection */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool due, stop;
};

/* sqlite3_wal_hook: runs on the writer's thread after each commit. */
static int on_commit(void *ctx, sqlite3 *db, const char *name, int wal_pages)
{
	struct checkpointer *c = ctx;

	(void)db;
	(void)name;
	if (wal_pages >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&c->lock);
		c->due = true;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
	}
	return SQLITE_OK;
}

static void *checkpoint_main(void *arg)
{
	struct checkpointer *c = arg;
	int rc, wal, copied;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->due && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		c->due = false;
		pthread_mutex_unlock(&c->lock);
		/* SQLITE_BUSY (another checkpoint) or an I/O error: the next
		 * commit asks again, and the WAL keeps every page meanwhile. */
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
		log_debug("store", "checkpoint: %d of %d WAL pages in the database%s%s", copied, wal,
			  rc == SQLITE_OK ? "" : ": ", rc == SQLITE_OK ? "" : sqlite3_errstr(rc));
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int store_checkpoint_in_background(struct store *s, struct error *err)
{
	const char *path = sqlite3_db_filename(s->db, "main");
	struct checkpointer *c;
	int rc;

	if (s->checkpointer)
		return 0;
	if (!path || !*path)	/* an in-memory database has no WAL */
		return 0;
	if (!(c = calloc(1, sizeof *c)))
		return error_set(err, ERR_TEMP, "store: out of memory");
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			     store_vfs_name());
	/* A connection checkpoints only once it has read the database and so
	 * knows it is in WAL mode; before that a checkpoint does nothing. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		error_set(err, ERR_TEMP, "store: checkpoint connection: %s",
			  c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return -1;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (pthread_create(&c->thread, NULL, checkpoint_main, c) != 0) {
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->wake);
		sqlite3_close(c->db);
		free(c);
		return error_set(err, ERR_TEMP, "store: cannot start the checkpoint thread");
	}
	/* replaces SQLite's auto-checkpoint, which is a wal hook too */
	sqlite3_wal_hook(s->db, on_commit, c);
	s->checkpointer = c;
	return 0;
}

void store_checkpoint_stop(struct store *s)
{
	struct checkpointer *c = s->checkpointer;

	if (!c)
		return;
	sqlite3_wal_autocheckpoint(s->db, CHECKPOINT_PAGES);	/* SQLite's hook again */
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	free(c);
	s->checkpointer = NULL;
}
