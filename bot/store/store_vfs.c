/*
 * store_vfs.c — SQLite's default VFS with the -wal file's appends gathered
 * into one write (issue 16, point 2: less work per report).
 *
 * SQLite writes a WAL frame as two pwrite calls, its 24-byte header and
 * its page, so a commit of a batch (~5 MB: the raw reports or the rendered
 * mails) was some 2,500 system calls, about half the calls of a backlog.
 * Here the frames a connection appends wait in a buffer and reach the
 * file in writes of up to WAL_GATHER bytes (31 frames).  4,000 reports
 * (strace): 270,000 pwrite before, 112,000 after; the render stage 12 %
 * and the store 7 % faster (median of five runs; a system call is dear
 * on this virtual machine).
 *
 * Nothing of the WAL's guarantees moves: the buffer is written
 *  - before the WAL is synced (xSync), which is before a commit counts
 *    with synchronous = FULL (store_open sets it);
 *  - before the connection publishes a new WAL header in shared memory,
 *    whatever the synchronous mode: SQLite calls the database file's
 *    xShmBarrier between writing the frames and the header other
 *    connections read, so no one is told of a frame not yet in the file;
 *  - before a read, truncate or close of the -wal file, and before a write
 *    elsewhere in it (a restarted WAL starts again at offset 0).
 * A buffer lost in a crash holds only frames no commit has claimed yet.
 * The database file and every other file pass through untouched.
 *
 * Each sqlite3_file belongs to one connection, used by one thread at a
 * time (SQLite's rule), so the buffer needs no lock.
 */
#include "store/store_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STORE_VFS_NAME "incident-bot"
/* The unix VFS writes at most 0x1ffff bytes in one call (its seekAndWrite
 * masks the length, and a longer write comes back short, as SQLITE_FULL):
 * 31 frames of 4 KB pages. */
#define WAL_GATHER 0x1ffff

struct wal_file;

/* How both our files begin: SQLite's handle, then the real VFS's file
 * (which sits right behind ours: vfs_open). */
struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;
};

/* The database file: passes through, and knows its connection's -wal. */
struct db_file {
	struct shim_file s;
	struct wal_file *wal;		/* open -wal of this connection, or NULL */
};

/* A -wal file: appends gathered in buf, [off, off + len) of the file. */
struct wal_file {
	struct shim_file s;
	struct db_file *db;		/* its database file, or NULL */
	char *buf;
	size_t len;
	sqlite3_int64 off;
};

static sqlite3_vfs *real_vfs;		/* the default VFS we wrap */

/* ------------------------------------------------ what passes through */

#define REAL(f) (((struct shim_file *)(f))->real)

static int pass_read(sqlite3_file *f, void *dst, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), dst, amt, off);
}
static int pass_write(sqlite3_file *f, const void *src, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xWrite(REAL(f), src, amt, off);
}
static int pass_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int pass_sync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int pass_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int pass_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int pass_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int pass_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int pass_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int pass_sector_size(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int pass_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int pass_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}
static int pass_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static int pass_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int pass_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **p)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, amt, p);
}
static int pass_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

#undef REAL

/* ------------------------------------------------------------- the -wal */

/* Writes what waits in w's buffer. */
static int wal_flush(struct wal_file *w)
{
	int rc;

	if (w->len == 0)
		return SQLITE_OK;
	rc = pass_write(&w->s.base, w->buf, (int)w->len, w->off);
	w->len = 0;
	return rc;
}

static int wal_close(sqlite3_file *f)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w), rc2;

	if (w->db)
		w->db->wal = NULL;
	rc2 = w->s.real->pMethods->xClose(w->s.real);
	free(w->buf);
	return rc != SQLITE_OK ? rc : rc2;
}

static int wal_read(sqlite3_file *f, void *dst, int amt, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	/* frames spilled before their commit are read back by their writer */
	if (w->len && off < w->off + (sqlite3_int64)w->len && off + amt > w->off &&
	    (rc = wal_flush(w)) != SQLITE_OK)
		return rc;
	return pass_read(f, dst, amt, off);
}

static int wal_write(sqlite3_file *f, const void *src, int amt, sqlite3_int64 off)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc;

	if (w->len && (off != w->off + (sqlite3_int64)w->len || w->len + (size_t)amt > WAL_GATHER) &&
	    (rc = wal_flush(w)) != SQLITE_OK)
		return rc;
	if (!w->buf)
		w->buf = malloc(WAL_GATHER);
	if (!w->buf || (size_t)amt > WAL_GATHER)	/* no room: write it now */
		return pass_write(f, src, amt, off);
	if (w->len == 0)
		w->off = off;
	memcpy(w->buf + w->len, src, (size_t)amt);
	w->len += (size_t)amt;
	return SQLITE_OK;
}

static int wal_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK ? rc : pass_truncate(f, size);
}

static int wal_sync(sqlite3_file *f, int flags)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = wal_flush(w);

	return rc != SQLITE_OK ? rc : pass_sync(f, flags);
}

static int wal_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct wal_file *w = (struct wal_file *)f;
	int rc = pass_file_size(f, size);

	if (rc == SQLITE_OK && w->len && w->off + (sqlite3_int64)w->len > *size)
		*size = w->off + (sqlite3_int64)w->len;
	return rc;
}

/* Version 1: SQLite maps and locks shared memory through the database
 * file, never through the -wal. */
static const sqlite3_io_methods wal_methods = {
	1, wal_close, wal_read, wal_write, wal_truncate, wal_sync, wal_file_size, pass_lock,
	pass_unlock, pass_check_reserved, pass_file_control, pass_sector_size, pass_device,
	NULL, NULL, NULL, NULL, NULL, NULL
};

/* ------------------------------------------------------- the database */

static int db_close(sqlite3_file *f)
{
	struct db_file *d = (struct db_file *)f;

	if (d->wal)
		d->wal->db = NULL;
	return d->s.real->pMethods->xClose(d->s.real);
}

/*
 * Before SQLite publishes what it wrote to shared memory (a new WAL
 * header above all), the frames it names are in the file.  With the
 * store's synchronous = FULL the commit's sync has written them already
 * and this finds the buffer empty; it is what keeps synchronous = NORMAL
 * right too (test_store_vfs), where a failed write is lost as a failed
 * write-back of the OS would be.
 */
static void db_shm_barrier(sqlite3_file *f)
{
	struct db_file *d = (struct db_file *)f;

	if (d->wal)
		(void)wal_flush(d->wal);	/* a failure shows at the sync */
	d->s.real->pMethods->xShmBarrier(d->s.real);
}

static const sqlite3_io_methods db_methods = {
	3, db_close, pass_read, pass_write, pass_truncate, pass_sync, pass_file_size, pass_lock,
	pass_unlock, pass_check_reserved, pass_file_control, pass_sector_size, pass_device,
	pass_shm_map, pass_shm_lock, db_shm_barrier, pass_shm_unmap, pass_fetch, pass_unfetch
};

/* ------------------------------------------------------------ the VFS */

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct db_file *d = (struct db_file *)f;
	struct wal_file *w = (struct wal_file *)f;
	sqlite3_file *real;
	int rc;

	(void)vfs;
	if (flags & SQLITE_OPEN_MAIN_DB) {
		memset(d, 0, sizeof *d);
		real = d->s.real = (sqlite3_file *)(d + 1);
	} else if (flags & SQLITE_OPEN_WAL) {
		memset(w, 0, sizeof *w);
		real = w->s.real = (sqlite3_file *)(w + 1);
	} else {
		/* journals, temporary files: the real VFS's own */
		return real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
	}
	rc = real_vfs->xOpen(real_vfs, name, real, flags, out_flags);
	if (rc != SQLITE_OK || !real->pMethods) {
		f->pMethods = NULL;	/* SQLite closes nothing that failed to open */
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	if (flags & SQLITE_OPEN_MAIN_DB) {
		d->s.base.pMethods = &db_methods;
	} else {
		struct db_file *owner = (struct db_file *)sqlite3_database_file_object(name);

		w->s.base.pMethods = &wal_methods;
		if (owner && owner->s.base.pMethods == &db_methods) {
			owner->wal = w;
			w->db = owner;
		}
	}
	return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, name, sync);
}
static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}
static int vfs_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}
static void *vfs_dl_open(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return real_vfs->xDlOpen(real_vfs, name);
}
static void vfs_dl_error(sqlite3_vfs *v, int n, char *msg)
{
	(void)v;
	real_vfs->xDlError(real_vfs, n, msg);
}
static void (*vfs_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return real_vfs->xDlSym(real_vfs, h, sym);
}
static void vfs_dl_close(sqlite3_vfs *v, void *h)
{
	(void)v;
	real_vfs->xDlClose(real_vfs, h);
}
static int vfs_randomness(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xRandomness(real_vfs, n, out);
}
static int vfs_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return real_vfs->xSleep(real_vfs, us);
}
static int vfs_current_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return real_vfs->xCurrentTime(real_vfs, out);
}
static int vfs_last_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
static int vfs_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs store_vfs = {
	.iVersion = 2,
	.zName = STORE_VFS_NAME,
	.xOpen = vfs_open,
	.xDelete = vfs_delete,
	.xAccess = vfs_access,
	.xFullPathname = vfs_full_pathname,
	.xDlOpen = vfs_dl_open,
	.xDlError = vfs_dl_error,
	.xDlSym = vfs_dl_sym,
	.xDlClose = vfs_dl_close,
	.xRandomness = vfs_randomness,
	.xSleep = vfs_sleep,
	.xCurrentTime = vfs_current_time,
	.xGetLastError = vfs_last_error,
	.xCurrentTimeInt64 = vfs_current_time_int64,
};

static pthread_once_t registered = PTHREAD_ONCE_INIT;
static int register_rc = SQLITE_ERROR;

static void register_once(void)
{
	/* ours in front, the real VFS's file right behind it (vfs_open) */
	size_t ours = sizeof(struct db_file) > sizeof(struct wal_file) ?
		      sizeof(struct db_file) : sizeof(struct wal_file);

	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs || real_vfs->iVersion < 2 || !real_vfs->xCurrentTimeInt64)
		return;
	store_vfs.szOsFile = (int)ours + real_vfs->szOsFile;
	store_vfs.mxPathname = real_vfs->mxPathname;
	register_rc = sqlite3_vfs_register(&store_vfs, 0);
}

const char *store_vfs_name(void)
{
	pthread_once(&registered, register_once);
	return register_rc == SQLITE_OK ? STORE_VFS_NAME : NULL;
}
