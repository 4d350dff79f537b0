/*
 * test_store_vfs.c — the store's VFS (store_vfs.c) gathers the -wal
 * file's appends; nothing another connection or process can see may
 * change by it.  Each check writes through a connection on our VFS and
 * reads through one on SQLite's default VFS, as another process would:
 *  - a commit of many pages (more than one gathered write) reads back
 *    whole, and the database passes integrity_check;
 *  - with synchronous = NORMAL (no sync at a commit) a commit is read at
 *    once — the frames reach the file before the WAL header that names
 *    them (the xShmBarrier flush; without it the reader finds pages of
 *    zeros);
 *  - frames spilled mid-transaction by a tiny page cache are read back by
 *    their own writer, rewritten in place, and a rollback after a spill
 *    leaves no trace;
 *  - a WAL restarted by a checkpoint keeps working;
 *  - a kill after commits loses none of them.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_internal.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-vfs-XXXXXX";
static char path[256];

static sqlite3 *open_with(const char *vfs)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) != SQLITE_OK) {
		printf("# open: %s\n", db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int run(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

/* The first column of the first row as a number; -1 on any failure. */
static long long number(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		printf("# %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return v;
}

static int integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

/* n rows of 3,000 bytes each (one page apiece), numbered from first */
static int insert_rows(sqlite3 *db, int first, int n)
{
	char sql[256];

	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE k(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM k WHERE i < %d)"
		 " INSERT INTO t(i, body) SELECT i, printf('%%.3000c', char(65 + i %% 26)) FROM k",
		 first, first + n - 1);
	return run(db, sql);
}

static void test_commit_read_elsewhere(void)
{
	sqlite3 *ours = open_with(store_vfs_name()), *theirs;

	CHECK(ours != NULL, "a database opens on the store's VFS");
	if (!ours)
		return;
	CHECK_INT(run(ours, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		       "CREATE TABLE t(i INTEGER PRIMARY KEY, body TEXT)"), SQLITE_OK,
		  "WAL mode and a table");
	/* 500 pages: some 16 gathered writes */
	CHECK_INT(run(ours, "BEGIN; SELECT 1"), SQLITE_OK, "a transaction begins");
	CHECK_INT(insert_rows(ours, 1, 500), SQLITE_OK, "500 pages written");
	CHECK_INT(run(ours, "COMMIT"), SQLITE_OK, "and committed");
	theirs = open_with(NULL);
	CHECK_INT(number(theirs, "SELECT count(*) FROM t"), 500,
		  "another connection on SQLite's own VFS reads every row");
	CHECK_INT(number(theirs, "SELECT sum(length(body)) FROM t"), 500 * 3000,
		  "... every byte of them");
	CHECK(integrity_ok(theirs), "... and the database passes integrity_check");
	sqlite3_close(theirs);
	sqlite3_close(ours);
}

static void test_normal_sync_published_after_write(void)
{
	sqlite3 *ours = open_with(store_vfs_name()), *theirs = open_with(NULL);
	int i, ok = 1;

	if (!ours || !theirs) {
		CHECK(0, "both connections open");
		sqlite3_close(ours);
		sqlite3_close(theirs);
		return;
	}
	run(ours, "PRAGMA synchronous = NORMAL");
	/* small commits stay whole in the buffer until the header is due */
	for (i = 0; i < 20 && ok; i++) {
		char sql[128];

		snprintf(sql, sizeof sql, "INSERT INTO t(i, body) VALUES (%d, 'row %d')", 1000 + i, i);
		ok = run(ours, sql) == SQLITE_OK &&
		     number(theirs, "SELECT count(*) FROM t WHERE i >= 1000") == i + 1;
	}
	CHECK(ok, "synchronous = NORMAL: each small commit is read at once by another "
		  "connection (frames in the file before the WAL header names them)");
	CHECK(integrity_ok(theirs), "... and the database passes integrity_check");
	sqlite3_close(theirs);
	sqlite3_close(ours);
}

static void test_spill_and_rollback(void)
{
	sqlite3 *ours = open_with(store_vfs_name()), *theirs;

	if (!ours) {
		CHECK(0, "the connection opens");
		return;
	}
	/* a cache of 10 pages: a transaction of 300 spills frames to the WAL */
	run(ours, "PRAGMA cache_size = 10");
	run(ours, "BEGIN");
	insert_rows(ours, 2000, 300);
	CHECK_INT(number(ours, "SELECT sum(length(body)) FROM t WHERE i >= 2000"), 300 * 3000,
		  "pages spilled before the commit are read back whole by their writer");
	CHECK_INT(run(ours, "ROLLBACK"), SQLITE_OK, "the transaction rolls back");
	CHECK_INT(number(ours, "SELECT count(*) FROM t WHERE i >= 2000"), 0,
		  "nothing of it is left for the writer");
	run(ours, "BEGIN");
	insert_rows(ours, 3000, 300);
	/* the same pages changed again: SQLite rewrites their spilled frames
	 * in place, behind the end of the WAL */
	run(ours, "UPDATE t SET body = printf('%.3000c', 'z') WHERE i >= 3000");
	CHECK_INT(run(ours, "COMMIT"), SQLITE_OK, "a spilled and rewritten transaction after it commits");
	theirs = open_with(NULL);
	CHECK_INT(number(theirs, "SELECT count(*) FROM t WHERE i >= 2000"), 300,
		  "another connection sees the committed rows and none rolled back");
	CHECK_INT(number(theirs, "SELECT count(*) FROM t WHERE i >= 3000 AND body = printf('%.3000c', 'z')"),
		  300, "... each with its last value");
	CHECK(integrity_ok(theirs), "... and the database passes integrity_check");
	sqlite3_close(theirs);
	sqlite3_close(ours);
}

static void test_restart(void)
{
	sqlite3 *ours = open_with(store_vfs_name()), *theirs;
	int log = -1, done = -1;

	if (!ours) {
		CHECK(0, "the connection opens");
		return;
	}
	CHECK_INT(sqlite3_wal_checkpoint_v2(ours, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done),
		  SQLITE_OK, "a checkpoint empties the WAL");
	run(ours, "BEGIN");
	insert_rows(ours, 5000, 100);
	CHECK_INT(run(ours, "COMMIT"), SQLITE_OK, "a commit into the restarted WAL");
	theirs = open_with(NULL);
	CHECK_INT(number(theirs, "SELECT count(*) FROM t WHERE i >= 5000"), 100,
		  "another connection reads it");
	CHECK(integrity_ok(theirs), "... and the database passes integrity_check");
	sqlite3_close(theirs);
	sqlite3_close(ours);
}

/* A child commits, then dies by SIGKILL before it closes anything. */
static void test_kill_after_commit(void)
{
	sqlite3 *theirs;
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		sqlite3 *db = open_with(store_vfs_name());

		if (!db || run(db, "PRAGMA synchronous = FULL; BEGIN") != SQLITE_OK ||
		    insert_rows(db, 7000, 200) != SQLITE_OK || run(db, "COMMIT") != SQLITE_OK)
			_exit(1);
		/* more, uncommitted, in the buffer when the kill comes */
		run(db, "BEGIN");
		insert_rows(db, 8000, 5);
		kill(getpid(), SIGKILL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the writer was killed");
	theirs = open_with(NULL);
	CHECK_INT(number(theirs, "SELECT count(*) FROM t WHERE i >= 7000 AND i < 8000"), 200,
		  "after a kill every committed row is there");
	CHECK_INT(number(theirs, "SELECT count(*) FROM t WHERE i >= 8000"), 0,
		  "... and none of the transaction it was in");
	CHECK(integrity_ok(theirs), "... and the database passes integrity_check");
	sqlite3_close(theirs);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/vfs.db", dir);
	CHECK(store_vfs_name() != NULL, "the store's VFS registers");
	test_commit_read_elsewhere();
	test_normal_sync_published_after_write();
	test_spill_and_rollback();
	test_restart();
	test_kill_after_commit();
	{
		char cmd[300];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return test_done();
}
