/*
 * store.c — opening, migrating and transactions (see store.h), plus the
 * helpers the other store_*.c files share (store_internal.h).
 *
 * To change the schema: append a step to `migrations` (never edit a step
 * that has shipped); store_open() applies the steps the database lacks and
 * sets PRAGMA user_version to their count, all in one transaction.
 */
#include "store/store_internal.h"

#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <limits.h>

#include "lib/log.h"

static const char *const migrations[] = {
	/* 1: the pipeline's tables */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  year INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'new',"
	"  priority TEXT, type TEXT, source TEXT,"
	"  reporter_addr TEXT, reporter_name TEXT, owner TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  aware_at INTEGER NOT NULL,"
	"  UNIQUE (year, seq));"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"
	"  message_id TEXT,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  raw BLOB NOT NULL,"
	"  imap_uid INTEGER, imap_uidvalidity INTEGER,"
	"  from_addr TEXT, from_name TEXT, subject TEXT,"
	"  date INTEGER, in_reply_to TEXT, refs TEXT, body TEXT, new_text TEXT,"
	"  received_at INTEGER NOT NULL);"
	"CREATE INDEX messages_ticket ON messages(ticket_id);"
	"CREATE INDEX messages_message_id ON messages(message_id);"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id INTEGER NOT NULL REFERENCES messages(id),"
	"  filename TEXT, content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL, sha256 TEXT NOT NULL);"
	"CREATE INDEX attachments_message ON attachments(message_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT,"
	"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX events_ticket ON events(ticket_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  env_from TEXT NOT NULL, rcpt TEXT NOT NULL, subject TEXT,"
	"  data BLOB NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  next_attempt_at INTEGER NOT NULL,"
	"  sent_at INTEGER, last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
	"CREATE INDEX outbox_rcpt ON outbox(rcpt, created_at);"
	"CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);",

	/* 2: the policy engine — classification, flags, checklists,
	 * obligations, timer stages, the policy's periodic reviews */
	"ALTER TABLE tickets ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN affected INTEGER;"
	"ALTER TABLE tickets ADD COLUMN classify_why TEXT;"
	"ALTER TABLE tickets ADD COLUMN acked_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN contained_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN resolved_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN closed_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN escalation_stage INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN lessons TEXT;"
	"CREATE INDEX tickets_status ON tickets(status);"
	"CREATE TABLE checklist ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  pos INTEGER NOT NULL, text TEXT NOT NULL,"
	"  done_at INTEGER, done_by TEXT,"
	"  UNIQUE (ticket_id, pos));"
	"CREATE TABLE obligations ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  kind TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open',"
	"  created_at INTEGER NOT NULL,"
	"  start_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
	"  reason TEXT, closed_at INTEGER, closed_by TEXT,"
	"  remind_stage INTEGER NOT NULL DEFAULT 0,"
	"  overdue_stage INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (ticket_id, kind));"
	"CREATE INDEX obligations_state ON obligations(state, due_at);"
	"CREATE TABLE reviews ("
	"  kind TEXT PRIMARY KEY,"
	"  last_done INTEGER NOT NULL, done_by TEXT,"
	"  remind_stage INTEGER NOT NULL DEFAULT 0);",

	/* 3: the per-sender reply limit counts a recipient's mail case-
	 * insensitively; without this index every acknowledgement scanned the
	 * whole outbox (make bench: 43 % of the CPU, cost growing with it). */
	"CREATE INDEX outbox_rcpt_kind ON outbox(rcpt COLLATE NOCASE, kind, created_at);",

	/* 4: when a mail failed for good, so that the digest can list the
	 * failures since the last one (issue 7: admins told by another route) */
	"ALTER TABLE outbox ADD COLUMN failed_at INTEGER;",


	/* 5: the reply tokens' generations (issue 14): which token of a
	 * ticket and person is live, since when, and why one was revoked.
	 * The token itself is never stored: it is the HMAC of the row. */
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  addr TEXT NOT NULL COLLATE NOCASE,"
	"  generation INTEGER NOT NULL,"
	"  issued_at INTEGER NOT NULL,"
	"  revoked_at INTEGER, revoked_why TEXT,"
	"  UNIQUE (ticket_id, addr, generation));",

	/* 6: the acknowledgement caps count an hour's acknowledgements by
	 * mailbox, domain and in all (issue 14, V5) */
	"CREATE INDEX outbox_kind_time ON outbox(kind, created_at);",

	/* 7: people and records apart (issue 12; APPI rules art. 7(4) counts
	 * people, "more than 1,000"): affected_over says "more than affected",
	 * records the records the report counted, which are not people */
	"ALTER TABLE tickets ADD COLUMN affected_over INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN records INTEGER;",

	/* 8: the system a report names and the downtime its business allows
	 * (issue 12, policy 6(3)): its priority and its recovery target */
	"ALTER TABLE tickets ADD COLUMN system TEXT;"
	"ALTER TABLE tickets ADD COLUMN recovery_seconds INTEGER NOT NULL DEFAULT 0;",

	/* 9: the plan verified after a major change (issue 12, policy 5(2)):
	 * one row per change an admin announced with `review start change` */
	"CREATE TABLE change_reviews ("
	"  id INTEGER PRIMARY KEY,"
	"  what TEXT NOT NULL,"
	"  opened_at INTEGER NOT NULL, opened_by TEXT,"
	"  due_at INTEGER NOT NULL,"
	"  done_at INTEGER, done_by TEXT,"
	"  remind_stage INTEGER NOT NULL DEFAULT 0);",

	/* 10 (issue 13): what machine
	 * wrote a mail that opened no ticket and why (`mail --automatic`,
	 * the digest's count); a person's words waiting to be forwarded to
	 * the owner or the admins (forward: what they are), and when they were */
	"ALTER TABLE messages ADD COLUMN machine TEXT;"
	"ALTER TABLE messages ADD COLUMN forward TEXT;"
	"ALTER TABLE messages ADD COLUMN forwarded_at INTEGER;"
	"CREATE INDEX messages_kind_time ON messages(kind, received_at);"
	"CREATE INDEX messages_forward ON messages(forwarded_at) WHERE forward IS NOT NULL;",

	/* 11 (issue 13):
	 * a ticket's alarm to a person, which its reminders, escalations and
	 * drafts mail thread under (store_outbox_thread_root); without it each
	 * lookup scanned every alarm ever queued */
	"CREATE INDEX outbox_ticket_kind ON outbox(ticket_id, kind);",

	/* 12 (issue 16): the outbox holds intents.  The intake records what
	 * must be sent (stage 'intent': the template, the recipient, the
	 * threading and the Message-ID fixed then, the kind's parameters, the
	 * event and the mail that caused it, data still empty); the sender
	 * stage renders it from the ticket as it is then, and stores the
	 * exact bytes and their SHA-256 in the transaction that makes the
	 * row 'rendered'.  Only rendered rows are sent.  Every row written
	 * before this step was rendered when queued: the default says so. */
	"ALTER TABLE outbox ADD COLUMN stage TEXT NOT NULL DEFAULT 'rendered';"
	"ALTER TABLE outbox ADD COLUMN template TEXT;"
	"ALTER TABLE outbox ADD COLUMN html_template TEXT;"
	"ALTER TABLE outbox ADD COLUMN to_name TEXT;"
	"ALTER TABLE outbox ADD COLUMN reply_to TEXT;"
	"ALTER TABLE outbox ADD COLUMN in_reply_to TEXT;"
	"ALTER TABLE outbox ADD COLUMN refs TEXT;"
	"ALTER TABLE outbox ADD COLUMN auto_submitted TEXT;"
	"ALTER TABLE outbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN params TEXT;"
	"ALTER TABLE outbox ADD COLUMN cause_event INTEGER;"
	"ALTER TABLE outbox ADD COLUMN cause_message TEXT;"
	"ALTER TABLE outbox ADD COLUMN sha256 TEXT;"
	"ALTER TABLE outbox ADD COLUMN rendered_at INTEGER;"
	"CREATE INDEX outbox_intents ON outbox(id) WHERE stage = 'intent';"
	/* the per-recipient cap counts pending mail for every mail queued;
	 * intents stay pending until the stage after the intake, so a
	 * backlog's admins have thousands: counted here, never in the table */
	"CREATE INDEX outbox_pending_rcpt ON outbox(rcpt COLLATE NOCASE) WHERE state = 'pending';"
	/* the report's Date header as written (`report_date`): the
	 * acknowledgement and the alarm are rendered from the stored report
	 * now, not from the parsed mail in hand */
	"ALTER TABLE messages ADD COLUMN date_raw TEXT;",

	/* 13 (issue 16): what the caps of issue 14 ask for every mail queued
	 * is kept as it changes, not counted again each time (a backlog's
	 * admins have thousands of mails pending, and its reporters
	 * hundreds of acknowledgements in the hour: counting them for each
	 * mail made the intake quadratic).
	 *
	 * outbox_pending: mails waiting per recipient (limits.
	 * pending_per_recipient), kept by the triggers below whatever
	 * changes a row's state. */
	"CREATE TABLE outbox_pending (rcpt TEXT PRIMARY KEY COLLATE NOCASE,"
	"  n INTEGER NOT NULL);"
	"INSERT INTO outbox_pending(rcpt, n) SELECT rcpt, count(*) FROM outbox"
	"  WHERE state = 'pending' GROUP BY rcpt COLLATE NOCASE;"
	"CREATE TRIGGER outbox_pending_insert AFTER INSERT ON outbox"
	"  WHEN new.state = 'pending' BEGIN"
	"  INSERT INTO outbox_pending(rcpt, n) VALUES (new.rcpt, 1)"
	"    ON CONFLICT(rcpt) DO UPDATE SET n = n + 1;"
	"END;"
	"CREATE TRIGGER outbox_pending_leave AFTER UPDATE OF state, rcpt ON outbox"
	"  WHEN old.state = 'pending' BEGIN"
	"  UPDATE outbox_pending SET n = n - 1 WHERE rcpt = old.rcpt;"
	"END;"
	"CREATE TRIGGER outbox_pending_enter AFTER UPDATE OF state, rcpt ON outbox"
	"  WHEN new.state = 'pending' BEGIN"
	"  INSERT INTO outbox_pending(rcpt, n) VALUES (new.rcpt, 1)"
	"    ON CONFLICT(rcpt) DO UPDATE SET n = n + 1;"
	"END;"
	"CREATE TRIGGER outbox_pending_delete AFTER DELETE ON outbox"
	"  WHEN old.state = 'pending' BEGIN"
	"  UPDATE outbox_pending SET n = n - 1 WHERE rcpt = old.rcpt;"
	"END;"
	/* acks: one row per acknowledgement queued, keyed as the caps count
	 * (RFC 3834 5, issue 14 V5: per mailbox with +tags and case folded,
	 * per domain, all outside senders together), so that each cap is an
	 * index range no longer than the cap.  Acknowledgements queued
	 * before this step count with their address lower-cased and +tag
	 * folded, and as outside ones: for the hour after an upgrade the
	 * caps are stricter, never looser. */
	"CREATE TABLE acks (at INTEGER NOT NULL, mailbox TEXT NOT NULL,"
	"  domain TEXT NOT NULL, outside INTEGER NOT NULL);"
	"CREATE INDEX acks_mailbox ON acks(mailbox, at);"
	"CREATE INDEX acks_domain ON acks(domain, at);"
	"CREATE INDEX acks_outside ON acks(at) WHERE outside;"
	"INSERT INTO acks(at, mailbox, domain, outside)"
	"  SELECT created_at,"
	"    lower(CASE WHEN instr(rcpt, '+') BETWEEN 1 AND instr(rcpt, '@')"
	"      THEN substr(rcpt, 1, instr(rcpt, '+') - 1) || substr(rcpt, instr(rcpt, '@'))"
	"      ELSE rcpt END),"
	"    lower(substr(rcpt, instr(rcpt, '@') + 1)), 1"
	"  FROM outbox WHERE kind = 'ack';"
	/* ... and the outbox's indexes the caps counted in (steps 1, 3, 6,
	 * 12) go: nothing reads them now, and every mail queued wrote four
	 * index entries more than it needs */
	"DROP INDEX outbox_rcpt;"
	"DROP INDEX outbox_rcpt_kind;"
	"DROP INDEX outbox_kind_time;"
	"DROP INDEX outbox_pending_rcpt;",

	/* 14 (issue 16): the mails ready to send, in the order they go out.
	 * The flush asks for the first 200 by id; through outbox_due
	 * (state, next_attempt_at) SQLite read every pending mail, bytes and
	 * all, and sorted them to keep 200 — per batch, so a backlog's
	 * outbox of 40,000 mails read 400 MB for each 200 it sent.  Here the
	 * first 200 are the index's first entries, and a mail waiting for a
	 * retry is passed over on the index alone. */
	"CREATE INDEX outbox_sendable ON outbox(id, next_attempt_at, rcpt)"
	"  WHERE state = 'pending' AND stage = 'rendered';",
};

#define N_MIGRATIONS (int)(sizeof migrations / sizeof migrations[0])

int store_fail(struct store *s, int rc, const char *what, struct error *err)
{
	int primary = rc & 0xff;
	int os_errno = s && s->db ? sqlite3_system_errno(s->db) : 0;
	enum err_class cls = ERR_FATAL;

	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL ||
	    primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN ||
	    primary == SQLITE_PROTOCOL)
		cls = ERR_TEMP;
	/* SQLite's own words ("database or disk is full", "unable to open
	 * database file") do not say which; the operating system's do. */
	if (os_errno && (primary == SQLITE_FULL || primary == SQLITE_IOERR ||
			 primary == SQLITE_READONLY))
		return error_set(err, cls, "store: %s: %s (%s)", what, sqlite3_errmsg(s->db),
				 strerror(os_errno));
	return error_set(err, cls, "store: %s: %s", what,
			 s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < s->n_cache; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			return s->cache[i].stmt;
		}
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		store_fail(s, rc, "prepare", err);
		return NULL;
	}
	if (s->n_cache < STORE_STMT_CACHE) {
		s->cache[s->n_cache].sql = sql;
		s->cache[s->n_cache].stmt = st;
		s->n_cache++;
	}
	/* A full cache would leak statements: it is sized above what we use. */
	return st;
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, struct error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_fail(s, rc, what, err);
	return 0;
}

int store_step_int64(struct store *s, sqlite3_stmt *st, const char *what, int64_t *v,
		     struct error *err)
{
	int rc = sqlite3_step(st);

	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(s, rc, what, err);
}

int store_grow(void *listp, size_t *cap, size_t n, size_t elem)
{
	void **list = listp, *grown;
	size_t want;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 16;
	grown = realloc(*list, want * elem);
	if (!grown)
		return -1;
	*list = grown;
	*cap = want;
	return 0;
}

char *store_col_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? strdup((const char *)t) : NULL;
}

int store_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	return s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT) :
		   sqlite3_bind_null(st, idx);
}

int store_bind_text_static(sqlite3_stmt *st, int idx, const char *s)
{
	return s ? sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, idx);
}

static int exec(struct store *s, const char *sql, const char *what, struct error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : store_fail(s, rc, what, err);
}

static int migrate(struct store *s, struct error *err)
{
	sqlite3_stmt *st;
	int version = 0, i;
	char sql[64];

	if (exec(s, "BEGIN IMMEDIATE", "migrate", err) < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (version > N_MIGRATIONS) {
		exec(s, "ROLLBACK", "rollback", NULL);
		return error_set(err, ERR_FATAL,
				 "store: database schema %d is newer than this bot (%d): upgrade incident-bot",
				 version, N_MIGRATIONS);
	}
	for (i = version; i < N_MIGRATIONS; i++)
		if (exec(s, migrations[i], "migration", err) < 0) {
			exec(s, "ROLLBACK", "rollback", NULL);
			return error_prefix(err, "store: schema step %d", i + 1);
		}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", N_MIGRATIONS);
	if (exec(s, sql, "migrate", err) < 0 || exec(s, "COMMIT", "migrate", err) < 0) {
		exec(s, "ROLLBACK", "rollback", NULL);
		return -1;
	}
	return 0;
}

/* mkdir -p of the database's folder, so a fresh install just works. */
static void make_parent(const char *path)
{
	char *copy = strdup(path), *dir, *p;

	if (!copy)
		return;
	dir = dirname(copy);
	for (p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	mkdir(dir, 0700);
	free(copy);
}

/*
 * SQLite opens a database it cannot write read-only and then fails on the
 * first write (or on the -wal file) with errno ENOENT or none at all; the
 * operator needs the real cause: the file or its folder is not writable
 * (read-only file system, chattr +i, owner).  Appended to err when found.
 */
static void explain_unwritable(const char *path, struct error *err)
{
	char *copy = strdup(path);
	const char *which = NULL;
	int cause = 0;

	if (!copy || !err)
		goto out;
	if (access(path, W_OK) < 0 && errno != ENOENT) {
		which = "the database file";
		cause = errno;
	} else if (access(dirname(copy), W_OK) < 0) {
		which = "its folder";
		cause = errno;
	}
	if (which) {
		size_t used = strlen(err->msg);

		snprintf(err->msg + used, sizeof err->msg - used, "; %s is not writable: %s",
			 which, strerror(cause));
	}
out:
	free(copy);
}

/*
 * Issue 14 (V8): the database, its WAL and shared-memory file 0600 and
 * their folder 0700 whatever they were before — an installation made
 * with umask 022 left them readable by every local user.  SQLite gives a
 * new -wal/-shm the database file's mode, so fixing the file first fixes
 * those to come.  A file or folder of another owner is left alone (we
 * could not change it anyway) and logged.
 */
static void make_private(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char *copy = strdup(path), file[PATH_MAX];
	struct stat sb;
	size_t i;

	if (!copy || !*path || *path == ':') {	/* ":memory:" has no file */
		free(copy);
		return;
	}
	for (i = 0; i < sizeof suffix / sizeof *suffix; i++) {
		snprintf(file, sizeof file, "%s%s", path, suffix[i]);
		if (lstat(file, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 077) &&
		    chmod(file, 0600) < 0)
			log_warn("store", "%s: cannot make it private (0600): %s", file, strerror(errno));
	}
	if (lstat(dirname(copy), &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 077)) {
		if (sb.st_uid != geteuid())
			log_warn("store", "%s: folder of the database is not ours and open to others "
				 "(mode %04o): make it 0700", copy, (unsigned)(sb.st_mode & 07777));
		else if (chmod(copy, 0700) < 0)
			log_warn("store", "%s: cannot make it private (0700): %s", copy, strerror(errno));
	}
	free(copy);
}

int store_open(const char *path, struct store **out, struct error *err)
{
	struct store *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (!s)
		return error_set(err, ERR_TEMP, "store: out of memory");
	make_parent(path);
	make_private(path);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, store_vfs_name());
	if (rc != SQLITE_OK) {
		store_fail(s, rc, path, err);
		explain_unwritable(path, err);
		store_close(s);
		return -1;
	}
	make_private(path);	/* a database SQLite just created */
	sqlite3_busy_timeout(s->db, 5000);
	if (exec(s, "PRAGMA journal_mode = WAL", "WAL", err) < 0 ||
	    exec(s, "PRAGMA foreign_keys = ON", "foreign keys", err) < 0 ||
	    /* FULL: a commit is on disk before the message leaves the INBOX
	     * (moved after commit), so even a power cut loses no report;
	     * NORMAL would let the last commits roll back with the mail
	     * already moved.  One sync per batch of fetch_batch messages. */
	    exec(s, "PRAGMA synchronous = FULL", "synchronous", err) < 0 ||
	    /* issue 16: a statement that fires a trigger or may change many
	     * rows keeps a statement journal; in a file (the default) that
	     * is a temporary file per statement, 60-70 µs each here.  They
	     * hold a statement's changes only, so memory is the right place. */
	    exec(s, "PRAGMA temp_store = MEMORY", "temp store", err) < 0 ||
	    migrate(s, err) < 0) {
		if (err && err->cls == ERR_TEMP)
			explain_unwritable(path, err);
		error_prefix(err, "%s", path);
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	store_checkpoint_stop(s);
	for (i = 0; i < s->n_cache; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close(s->db);
	free(s);
}

int store_backup(struct store *s, const char *path, struct error *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int fd, rc;

	/* create it first, exclusively and private, so no one else can read it */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(err, ERR_FATAL, "backup: %s: %s", path, strerror(errno));
	close(fd);
	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		if ((b = sqlite3_backup_init(dst, "main", s->db, "main"))) {
			/* in steps, so that a busy bot is held up only briefly */
			do {
				rc = sqlite3_backup_step(b, 256);
				if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
					sqlite3_sleep(50);
			} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
			sqlite3_backup_finish(b);
		}
		rc = sqlite3_errcode(dst);
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		error_set(err, ERR_TEMP, "backup: %s: %s", path, dst ? sqlite3_errmsg(dst) :
			  sqlite3_errstr(rc));
		sqlite3_close(dst);
		unlink(path);
		return -1;
	}
	sqlite3_close(dst);
	return 0;
}

int store_savepoint(struct store *s, struct error *err)
{
	int rc = sqlite3_exec(s->db, "SAVEPOINT together", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, "savepoint", err);
}

int store_savepoint_end(struct store *s, bool keep, struct error *err)
{
	int rc = sqlite3_exec(s->db, keep ? "RELEASE together" :
			      "ROLLBACK TO together; RELEASE together", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, keep ? "release" : "rollback to", err);
}

int store_begin(struct store *s, struct error *err)
{
	return exec(s, "BEGIN IMMEDIATE", "begin", err);
}

int store_commit(struct store *s, struct error *err)
{
	return exec(s, "COMMIT", "commit", err);
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK", "rollback", NULL);
}

int store_state_get(struct store *s, const char *key, char **value, struct error *err)
{
	static const char sql[] = "SELECT value FROM state WHERE key = ?";
	sqlite3_stmt *st = store_stmt(s, sql, err);
	int rc;

	*value = NULL;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = store_col_strdup(st, 0);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "state", err);
}

int store_state_set(struct store *s, const char *key, const char *value, struct error *err)
{
	static const char sql[] =
		"INSERT INTO state(key, value) VALUES (?, ?) "
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st = store_stmt(s, sql, err);

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return store_step_done(s, st, "state", err);
}
