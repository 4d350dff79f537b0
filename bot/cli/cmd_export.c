/*
 * cmd_export.c — `incident-bot export ID [--out DIR]`: one ticket's
 * evidence as a self-contained folder to hand over (policy 7-3: 証拠の確保;
 * 7-4: reports to the authorities; 8: the lessons-learned document):
 *
 *   report.md        the ticket, classification, flags, obligations,
 *                    checklist, messages, mail sent, timeline with hashes,
 *                    lessons learned (Japanese, English in parentheses)
 *   messages/NNN.eml every received message, the raw bytes as stored
 *   sent/NNN.eml     every mail the bot sent about it, as rendered and stored
 *                    (one still an intent, not rendered yet, has none)
 *   chain.txt        the ticket's first and last event hash and the
 *                    verify result of the whole database at export time
 *   manifest.sha256  `sha256sum -c` lines for every other file
 *
 * Everything is read in one snapshot and written into a fresh folder
 * beside DIR, which is renamed to DIR at the end: a failed export leaves
 * nothing half-written, and an existing non-empty DIR is never touched.
 * The folders are 0700 and the files 0600: they hold personal data.  No
 * path is built from anything a mail said: files are numbered.  This file
 * is the command and the folder; export_report.c writes report.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/export_report.h"
#include "rules/ticket_ref.h"
#include "lib/clock.h"
#include "lib/digest.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] export ID [--out DIR]\n"
	"\n"
	"Writes the evidence of ticket ID (e.g. INC-2026-0007) into one folder\n"
	"(default ./ID-export), to keep or hand over (policy 7-3, 7-4, 8):\n"
	"  report.md         the ticket, its classification and why, flags, awareness\n"
	"                    time, obligations, checklist, messages, mail sent, the\n"
	"                    timeline with each event's hash, lessons learned\n"
	"  messages/NNN.eml  every received message, byte for byte as received\n"
	"  sent/NNN.eml      every mail the bot sent about the ticket\n"
	"  chain.txt         the ticket's first and last event hash and the result\n"
	"                    of `verify` over the whole database at export time\n"
	"  manifest.sha256   check the folder with: sha256sum -c manifest.sha256\n"
	"The admins' reply tokens in the mail are revoked before it is written, so\n"
	"the folder holds no token that still authenticates a command (the\n"
	"manifest says so); the admins' next mail from the bot carries fresh ones,\n"
	"or they send /token.\n"
	"  --out DIR   the folder to create; an existing one must be empty\n"
	"\n"
	"Folders are created 0700 and files 0600 (personal data).  Exit 0 when\n"
	"written, 1 when the ticket is unknown, the folder could not be written,\n"
	"or it was written but verify found the database altered (chain.txt and\n"
	"report.md then say where), 2 on a usage error or an existing non-empty DIR.\n";

/* At most this many problems are copied into chain.txt and report.md. */
#define PROBLEMS_LISTED 100

struct evidence {
	struct ticket t;
	struct message_row *msgs;
	size_t n_msgs;
	struct event *events;
	size_t n_events;
	struct outbox_entry *mails;
	size_t n_mails;
	struct checklist_item *items;
	size_t n_items;
	struct obligation *obl;
	size_t n_obl;
	struct verify_result vr;
	char verdict[160];			/* "ok: N events, M messages verified" */
	char *problems[PROBLEMS_LISTED];	/* described, the first first */
	size_t n_problems;
	char **msg_sha;				/* SHA-256 of each messages/NNN.eml as written */
	time_t now;
	int revoked;				/* live reply tokens revoked for the export */
};

/* A folder being written: files are opened relative to its descriptor. */
struct folder {
	char *tmp;		/* the fresh folder beside the destination */
	int fd;
	struct {
		char name[40];
		char sha[65];
		bool listed;	/* in the manifest (all but the manifest itself) */
	} *files;
	size_t n, cap;
};

static void evidence_release(struct evidence *e)
{
	size_t i;

	store_ticket_release(&e->t);
	store_messages_free(e->msgs, e->n_msgs);
	store_events_free(e->events, e->n_events);
	store_outbox_free(e->mails, e->n_mails);
	store_checklist_free(e->items, e->n_items);
	store_obligations_free(e->obl, e->n_obl);
	for (i = 0; i < e->n_problems; i++)
		free(e->problems[i]);
	for (i = 0; e->msg_sha && i < e->n_msgs; i++)
		free(e->msg_sha[i]);
	free(e->msg_sha);
}

static void keep_problem(const struct verify_problem *p, void *arg)
{
	struct evidence *e = arg;
	char line[256], *copy;

	if (e->n_problems == PROBLEMS_LISTED)
		return;		/* counted in e->vr.problems all the same */
	if ((copy = strdup(store_verify_describe(p, line, sizeof line))))
		e->problems[e->n_problems++] = copy;
}

/* ---- the documents ---- */

/* A time in the configured zone, RFC 3339; "—" for never. */
static const char *when(time_t t, char buf[40])
{
	return t ? clock_format_rfc3339(t, buf, 40) : "—";
}

/* report.md, from what load() read and write_mails() wrote. */
static int report(const struct evidence *e, char **buf, size_t *len, struct error *err)
{
	const struct export_report r = {
		.ticket = &e->t,
		.msgs = e->msgs, .n_msgs = e->n_msgs, .msg_sha = e->msg_sha,
		.mails = e->mails, .n_mails = e->n_mails,
		.events = e->events, .n_events = e->n_events,
		.items = e->items, .n_items = e->n_items,
		.obl = e->obl, .n_obl = e->n_obl,
		.vr = &e->vr, .verdict = e->verdict,
		.problems = e->problems, .n_problems = e->n_problems,
		.now = e->now,
	};

	return export_report_render(&r, buf, len, err);
}

static int chain_text(const struct evidence *e, char **buf, size_t *len, struct error *err)
{
	FILE *f = open_memstream(buf, len);
	char a[40];
	size_t i;

	if (!f)
		return error_set(err, ERR_TEMP, "export: out of memory for chain.txt");
	fprintf(f, "# incident-bot export of %s: the ticket's place in the event chain\n"
		"# and `incident-bot verify` over the whole database at export time.\n",
		e->t.ref);
	fprintf(f, "ticket: %s\nexported-at: %s\nticket-events: %zu\n", e->t.ref,
		when(e->now, a), e->n_events);
	if (e->n_events) {
		const struct event *first = &e->events[0], *last = &e->events[e->n_events - 1];

		fprintf(f, "first-event: %" PRId64 " %s %s\n", first->id, when(first->at, a),
			first->hash);
		fprintf(f, "last-event: %" PRId64 " %s %s\n", last->id, when(last->at, a),
			last->hash);
	} else {
		fputs("first-event: none\nlast-event: none\n", f);
	}
	fprintf(f, "database-events: %zu\ndatabase-messages: %zu\n", e->vr.events,
		e->vr.messages);
	if (e->vr.last_id)
		fprintf(f, "database-newest-event: %" PRId64 " %s\n", e->vr.last_id,
			e->vr.last_hash);
	fprintf(f, "verify: %s\n", e->verdict);
	for (i = 0; i < e->n_problems; i++)
		fprintf(f, "problem: %s\n", e->problems[i]);
	if (e->vr.problems > e->n_problems)
		fprintf(f, "problem: ... and %zu more (run incident-bot verify)\n",
			e->vr.problems - e->n_problems);
	if (fclose(f) != 0) {
		free(*buf);
		*buf = NULL;
		return error_set(err, ERR_TEMP, "export: out of memory for chain.txt");
	}
	return 0;
}

/* ---- the folder ---- */

/* Writes one file (new, 0600) and records its SHA-256; sha may be NULL. */
static int folder_write(struct folder *d, const char *name, const char *data, size_t len,
			bool listed, char sha_out[65], struct error *err)
{
	size_t off = 0;
	int fd;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		void *grown = realloc(d->files, cap * sizeof *d->files);

		if (!grown)
			return error_set(err, ERR_TEMP, "export: out of memory");
		d->files = grown;
		d->cap = cap;
	}
	fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(err, ERR_FATAL, "export: %s/%s: %s", d->tmp, name, strerror(errno));
	snprintf(d->files[d->n].name, sizeof d->files[d->n].name, "%s", name);
	digest_sha256_hex(data ? data : "", len, d->files[d->n].sha);
	d->files[d->n].listed = listed;
	if (sha_out)
		memcpy(sha_out, d->files[d->n].sha, 65);
	d->n++;		/* created: removed again should the export fail */
	if (fchmod(fd, 0600) < 0)
		goto fail;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	return close(fd) < 0 ? error_set(err, ERR_FATAL, "export: %s/%s: %s", d->tmp, name,
					 strerror(errno)) : 0;
fail:
	error_set(err, ERR_FATAL, "export: writing %s/%s: %s", d->tmp, name, strerror(errno));
	close(fd);
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);	/* name is the first member */
}

static int folder_manifest(struct folder *d, int revoked, struct error *err)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;
	int rc;

	qsort(d->files, d->n, sizeof *d->files, by_name);
	if (!(f = open_memstream(&buf, &len)))
		return error_set(err, ERR_TEMP, "export: out of memory");
	/* sha256sum -c skips lines starting with '#' (also with --strict) */
	fprintf(f, "# issue 14: every reply token of this ticket was revoked before this export "
		"(%d live until then): a token in messages/ or sent/ authenticates nothing; "
		"the mail is byte for byte as stored\n", revoked);
	for (i = 0; i < d->n; i++)
		if (d->files[i].listed)
			fprintf(f, "%s  %s\n", d->files[i].sha, d->files[i].name);
	if (fclose(f) != 0) {
		free(buf);
		return error_set(err, ERR_TEMP, "export: out of memory");
	}
	rc = folder_write(d, "manifest.sha256", buf, len, false, NULL, err);
	free(buf);
	return rc;
}

/* Removes what this export created (only that). */
static void folder_discard(struct folder *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		unlinkat(d->fd, d->files[i].name, 0);
	unlinkat(d->fd, "messages", AT_REMOVEDIR);
	unlinkat(d->fd, "sent", AT_REMOVEDIR);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	rmdir(d->tmp);
}

static int folder_subdir(struct folder *d, const char *name, struct error *err)
{
	int fd;

	if (mkdirat(d->fd, name, 0700) < 0 ||
	    (fd = openat(d->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return error_set(err, ERR_FATAL, "export: %s/%s: %s", d->tmp, name, strerror(errno));
	/* exactly 0700 whatever the umask; then its entries on disk */
	if (fchmod(fd, 0700) < 0 || fsync(fd) < 0) {
		close(fd);
		return error_set(err, ERR_FATAL, "export: %s/%s: %s", d->tmp, name, strerror(errno));
	}
	close(fd);
	return 0;
}

/* A fresh folder (mkdtemp: 0700) beside dest, so the final rename stays on one file system. */
static int folder_open(struct folder *d, const char *dest, struct error *err)
{
	const char *slash = strrchr(dest, '/');
	int n = slash ? (int)(slash - dest + 1) : 0;

	if (asprintf(&d->tmp, "%.*s.%s.partial-XXXXXX", n, dest, slash ? slash + 1 : dest) < 0) {
		d->tmp = NULL;
		return error_set(err, ERR_TEMP, "export: out of memory");
	}
	if (!mkdtemp(d->tmp))
		return error_set(err, ERR_FATAL, "export: cannot create a folder beside %s: %s "
				 "(does its parent folder exist and may you write there?)",
				 dest, strerror(errno));
	if ((d->fd = open(d->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		error_set(err, ERR_FATAL, "export: %s: %s", d->tmp, strerror(errno));
		rmdir(d->tmp);
		return -1;
	}
	if (folder_subdir(d, "messages", err) < 0 || folder_subdir(d, "sent", err) < 0) {
		folder_discard(d);
		return -1;
	}
	return 0;
}

/* 1 when path exists and is anything but an empty folder (what export must not replace). */
static int occupied(const char *path, const char **why)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;

	*why = NULL;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			*why = strerror(errno);
	} else if (!S_ISDIR(st.st_mode)) {
		*why = "it exists and is not a folder";
	} else if (!(dir = opendir(path))) {
		*why = strerror(errno);
	} else {
		while (!*why && (de = readdir(dir)))
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				*why = "the folder is not empty";
		closedir(dir);
	}
	return *why != NULL;
}

/* ---- the command ---- */

static int load(struct store *s, const char *ref, struct evidence *e, struct error *err)
{
	int rc = store_ticket_get(s, ref, &e->t, err);

	if (rc <= 0)
		return rc;
	if (store_message_list(s, e->t.id, &e->msgs, &e->n_msgs, err) < 0 ||
	    store_event_list(s, e->t.id, &e->events, &e->n_events, err) < 0 ||
	    store_outbox_list(s, e->t.id, true, &e->mails, &e->n_mails, err) < 0 ||
	    store_checklist_list(s, e->t.id, &e->items, &e->n_items, err) < 0 ||
	    store_obligation_list(s, e->t.id, &e->obl, &e->n_obl, err) < 0 ||
	    store_verify(s, keep_problem, e, &e->vr, err) < 0)
		return -1;
	if (e->vr.problems == 0)
		snprintf(e->verdict, sizeof e->verdict, "ok: %zu events, %zu messages verified",
			 e->vr.events, e->vr.messages);
	else
		snprintf(e->verdict, sizeof e->verdict, "FAILED: %zu problem%s in %zu events, "
			 "%zu messages", e->vr.problems, e->vr.problems == 1 ? "" : "s",
			 e->vr.events, e->vr.messages);
	e->msg_sha = calloc(e->n_msgs ? e->n_msgs : 1, sizeof *e->msg_sha);
	return e->msg_sha ? 1 : error_set(err, ERR_TEMP, "export: out of memory");
}

/*
 * Issue 14: the folder goes to authorities and lawyers, and its mail holds
 * the admins' reply tokens (the Reply-To of every sent mail, quoted in
 * replies).  Revoking them all first keeps the evidence byte for byte as
 * stored while no copy of it can command; an event records it.  Sets
 * *revoked; 0, or -1.
 */
static int revoke_tokens(struct store *s, const char *ref, time_t now, int *revoked,
			 struct error *err)
{
	struct ticket t = { 0 };
	char detail[120];
	int rc;

	*revoked = 0;
	if (store_begin(s, err) < 0)
		return -1;
	rc = store_ticket_get(s, ref, &t, err);
	if (rc == 1 && (*revoked = store_token_revoke(s, t.id, NULL, 0, "export", now, err)) > 0) {
		snprintf(detail, sizeof detail, "%d reply tokens revoked: the ticket was exported",
			 *revoked);
		rc = store_event_add(s, t.id, now, "bot", "token-revoked", detail, err) < 0 ? -1 : 1;
	}
	if (*revoked < 0)
		rc = -1;
	store_ticket_release(&t);
	if (rc < 0 || store_commit(s, err) < 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* messages/NNN.eml and sent/NNN.eml, numbered in the order they came and went. */
static int write_mails(struct store *s, struct evidence *e, struct folder *d,
		       struct error *err)
{
	char name[40], sha[65];
	size_t i, len;
	char *raw;

	for (i = 0; i < e->n_msgs; i++) {
		if (store_message_raw(s, e->msgs[i].id, &raw, &len, err) <= 0)
			return error_set(err, ERR_FATAL, "export: message %" PRId64 " vanished",
					 e->msgs[i].id);
		snprintf(name, sizeof name, "messages/%03zu.eml", i + 1);
		if (folder_write(d, name, raw, len, true, sha, err) < 0) {
			free(raw);
			return -1;
		}
		free(raw);
		if (!(e->msg_sha[i] = strdup(sha)))
			return error_set(err, ERR_TEMP, "export: out of memory");
	}
	for (i = 0; i < e->n_mails; i++) {
		/* issue 16: an intent not rendered yet has no bytes to keep; the
		 * report says so instead of an empty file */
		if (e->mails[i].intent)
			continue;
		snprintf(name, sizeof name, "sent/%03zu.eml", i + 1);
		if (folder_write(d, name, e->mails[i].data, e->mails[i].len, true, NULL, err) < 0)
			return -1;
	}
	return 0;
}

static int write_folder(struct store *s, struct evidence *e, struct folder *d,
			struct error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (write_mails(s, e, d, err) < 0 || report(e, &buf, &len, err) < 0)
		return -1;
	rc = folder_write(d, "report.md", buf, len, true, NULL, err);
	free(buf);
	buf = NULL;
	if (rc < 0 || chain_text(e, &buf, &len, err) < 0)
		return -1;
	rc = folder_write(d, "chain.txt", buf, len, true, NULL, err);
	free(buf);
	if (rc < 0 || folder_manifest(d, e->revoked, err) < 0)
		return -1;
	if (fsync(d->fd) < 0)
		return error_set(err, ERR_FATAL, "export: %s: %s", d->tmp, strerror(errno));
	return 0;
}

int cmd_export(struct cli *c, int argc, char **argv)
{
	struct evidence e = { 0 };
	struct folder d = { .fd = -1 };
	struct error err = { 0 };
	const char *id = NULL, *out = NULL, *why = NULL;
	char ref[TICKET_REF_MAX], *dest = NULL;
	size_t n;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--out") == 0 && a + 1 < argc)
			out = argv[++a];
		else if (strncmp(argv[a], "--out=", 6) == 0)
			out = argv[a] + 6;
		else if (!id && argv[a][0] != '-')
			id = argv[a];
		else
			return cli_usage("export", "unexpected argument \"%s\"", argv[a]);
	}
	if (!id)
		return cli_usage("export", "which ticket? give its ID, e.g. INC-2026-0007");
	if (out && !*out)
		return cli_usage("export", "--out needs a folder");
	/* "inc-2026-0007" and "[INC-2026-0007]" too, as people copy them */
	if (!ticket_ref_arg(id, ref))
		return cli_usage("export", "\"%s\" is not a ticket ID (INC-YYYY-NNNN)", id);
	/* The destination without trailing slashes ("/" stays itself: occupied). */
	if (out ? !(dest = strdup(out)) : asprintf(&dest, "%s-export", ref) < 0) {
		fprintf(stderr, "incident-bot: out of memory\n");
		return EXIT_RUNTIME;
	}
	for (n = strlen(dest); n > 1 && dest[n - 1] == '/'; n--)
		dest[n - 1] = '\0';
	if (occupied(dest, &why)) {
		fprintf(stderr, "incident-bot: export: %s: %s: give another --out DIR, or move "
			"it away first (an export never overwrites)\n", dest, why);
		free(dest);
		return EXIT_USAGE;
	}
	if ((rc = cli_open(c)) != EXIT_OK) {
		free(dest);
		return rc;
	}

	e.now = clock_now();
	if (revoke_tokens(c->store, ref, e.now, &e.revoked, &err) < 0)
		return free(dest), cli_fail(&err, EXIT_RUNTIME);
	if (store_read_begin(c->store, &err) < 0 ||
	    (rc = load(c->store, ref, &e, &err)) < 0 ||
	    (rc == 1 && (folder_open(&d, dest, &err) < 0 ||
			 write_folder(c->store, &e, &d, &err) < 0))) {
		store_read_end(c->store);
		if (d.fd >= 0)
			folder_discard(&d);
		free(d.tmp);
		free(d.files);
		evidence_release(&e);
		free(dest);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	store_read_end(c->store);
	if (rc == 0) {
		fprintf(stderr, "incident-bot: no ticket %s (see 'incident-bot tickets --all')\n", ref);
		evidence_release(&e);
		free(dest);
		return EXIT_RUNTIME;
	}
	/* rename() replaces an empty folder and refuses a non-empty one: nothing
	 * that appeared at dest since the check above is lost. */
	if (rename(d.tmp, dest) < 0) {
		int saved = errno;

		folder_discard(&d);
		fprintf(stderr, "incident-bot: export: %s: %s: give another --out DIR\n", dest,
			saved == ENOTEMPTY || saved == EEXIST ? "the folder is not empty" :
			strerror(saved));
		rc = saved == ENOTEMPTY || saved == EEXIST ? EXIT_USAGE : EXIT_RUNTIME;
	} else {
		close(d.fd);
		printf("%s exported to %s/: report.md, %zu message%s, %zu sent mail%s, chain.txt, "
		       "manifest.sha256\nverify: %s\n", ref, dest, e.n_msgs,
		       e.n_msgs == 1 ? "" : "s", e.n_mails, e.n_mails == 1 ? "" : "s", e.verdict);
		rc = EXIT_OK;
		if (e.vr.problems) {
			fprintf(stderr, "incident-bot: export: the database does not verify (%s); "
				"written anyway, with the problems in %s/chain.txt: find out what "
				"changed before handing it over\n", e.problems[0] ? e.problems[0] :
				e.verdict, dest);
			rc = EXIT_RUNTIME;
		}
	}
	free(d.tmp);
	free(d.files);
	evidence_release(&e);
	free(dest);
	return rc;
}
