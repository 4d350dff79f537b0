/*
 * test_intent.c — the outbox holds intents (issue 16), against a
 * temporary database and the bundled templates:
 *   - a kind's parameters survive their text form (line breaks,
 *     backslashes, '=' in values, too many);
 *   - a /draft queued before an /affected (the next command mail of the
 *     same pass) is rendered with the number: what the intake recorded is
 *     an intent, not bytes;
 *   - the render stores the bytes, their SHA-256 and the "mail-queued"
 *     event that chains it, and a second pass renders nothing again (a
 *     later change of the ticket does not touch stored bytes);
 *   - a recipient's rendered mail waits behind its older intent, so the
 *     order per recipient holds across the stage;
 *   - an intent nobody can render fails alone: the rest of its batch is
 *     rendered, and the failure says why;
 *   - sixty tickets' mails in one pass, composed on the second thread:
 *     each mail its own intent's and its own ticket's, a mail that cannot
 *     be composed failing alone;
 *   - verify sees a rendered mail's bytes edited afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk/engine.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "mime/mime.h"
#include "notify/intent.h"
#include "notify/notify.h"
#include "rules/policy.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-intent-XXXXXX";
static char templates[1024];
static struct config cfg;
static struct store *st;
static time_t now;

static void load_config(void)
{
	char path[1200];
	struct error err = { 0 };
	FILE *f;

	snprintf(path, sizeof path, "%s/bot.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "database = \"incidents.db\"\n"
		"templates = \"%s\"\n"
		"imap { url = \"imaps://127.0.0.1:1/INBOX\" user = \"bot@example.com\""
		" password_file = \"imap\" }\n"
		"smtp { url = \"smtp://127.0.0.1:1\" from = \"bot@example.com\" }\n"
		"person \"sysadmin\" { name = \"北垣 剛志\" email = \"admin1@example.com\""
		" roles = {\"admin\"} }\n"
		"person \"ecadmin\" { name = \"伊藤 佳彦\" email = \"admin2@example.com\""
		" roles = {\"admin\"} }\n"
		"person \"president\" { name = \"渡部 正行\" email = \"ceo@example.com\""
		" roles = {\"management\"} }\n", templates);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, &err), 0, "the configuration loads");
	if (err.msg[0])
		printf("# %s\n", err.msg);
}

static void test_params(void)
{
	struct notify_params p;
	char *text = NULL;
	int i, rc = 0;

	rc |= notify_params_add(&text, "changes", "・受付\n・影響人数: 12\\34 = a=b");
	rc |= notify_params_add(&text, "empty", NULL);
	rc |= notify_params_addf(&text, "stage", "%d", 3);
	CHECK_INT(rc, 0, "parameters written");
	CHECK(text && !strchr(strchr(text, '\n') + 1, '=') == 0 && strstr(text, "\\n・影響人数"),
	      "... one line each: a line break in a value is written \\n");
	CHECK_INT(notify_params_parse(&p, text), 0, "parameters read back");
	CHECK_STR(notify_params_get(&p, "changes"), "・受付\n・影響人数: 12\\34 = a=b",
		  "... a value with a line break, a backslash and '=' comes back as it was");
	CHECK_STR(notify_params_get(&p, "empty"), "", "... an empty one is empty");
	CHECK_INT(notify_params_long(&p, "stage", -1), 3, "... a number is a number");
	CHECK_STR(notify_params_get(&p, "missing"), "", "... a key it does not hold is empty");
	CHECK_INT(notify_params_long(&p, "changes", -1), -1, "... and text is not a number");
	notify_params_release(&p);
	free(text);

	text = NULL;
	for (i = 0; i <= NOTIFY_PARAMS_MAX; i++)
		notify_params_addf(&text, "k", "%d", i);
	CHECK_INT(notify_params_parse(&p, text), -1, "more than NOTIFY_PARAMS_MAX lines are refused");
	free(text);
	CHECK_INT(notify_params_parse(&p, NULL), 0, "no parameters at all: none");
	CHECK_INT((long)p.n, 0, "... zero of them");
	notify_params_release(&p);
}

static int64_t open_ticket(unsigned flags)
{
	struct ticket t = { 0 };
	struct error err = { 0 };
	int64_t id;

	store_ticket_create(st, 2026, now - 3600, "顧客情報の流出", "r@example.com", "報告者",
			    &t, &err);
	id = t.id;
	store_ticket_set_class(st, id, TYPE_DATA_LEAK, PRIORITY_HIGH, SOURCE_EXTERNAL_NOTICE, flags, -1, NULL, &err);
	store_ticket_release(&t);
	store_ticket_get_by_id(st, id, &t, &err);
	engine_sync_obligations(&cfg, st, &t, "bot", now - 3600, &err);
	store_ticket_release(&t);
	if (err.msg[0])
		printf("# %s\n", err.msg);
	return id;
}

/* The entries of ticket id, with their bytes; *n of them. */
static struct outbox_entry *mails(int64_t id, size_t *n)
{
	struct outbox_entry *e = NULL;
	struct error err = { 0 };

	*n = 0;
	store_outbox_list(st, id, true, &e, n, &err);
	return e;
}

static size_t intents_left(void)
{
	struct outbox_entry *e = NULL;
	struct error err = { 0 };
	size_t n = 0;

	store_outbox_intents(st, 1000, &e, &n, &err);
	store_outbox_free(e, n);
	return n;
}

static void test_render_from_current_state(void)
{
	struct error err = { 0 };
	struct ticket t;
	struct outbox_entry *e;
	struct mail m = { 0 };
	char sha[65], before[65];
	size_t n = 0, rendered = 0;
	int64_t id;

	store_begin(st, &err);
	id = open_ticket(FLAG_BIT(FLAG_PERSONAL_DATA));
	store_ticket_get_by_id(st, id, &t, &err);
	/* /draft ppc-preliminary, then /affected 12345 before the render stage */
	CHECK_INT(notify_draft(&cfg, st, &t, OBL_PPC_PRELIMINARY, "admin1@example.com", now, &err),
		  0, "/draft: recorded");
	/* (it returns the obligations it opened: 0 or more) */
	CHECK(engine_set_affected(&cfg, st, &t, 12345, "admin1@example.com", now, &err) >= 0,
	      "/affected 12345 after it, before the render stage");
	store_commit(st, &err);
	store_ticket_release(&t);

	e = mails(id, &n);
	CHECK(n == 1 && e[0].len == 0 && !e[0].subject && e[0].intent,
	      "the intake stored an intent: no bytes, no subject yet (a listing says so)");
	CHECK_INT(intents_left(), 1, "... one intent waits for the render stage");
	store_outbox_free(e, n);

	CHECK_INT(notify_render_pending(&cfg, st, now, &rendered, &err), 0, "the render stage runs");
	CHECK_INT((long)rendered, 1, "... and renders the one intent");
	CHECK_INT(intents_left(), 0, "... none is left");
	e = mails(id, &n);
	CHECK(n == 1 && e[0].len > 0 && e[0].subject && strstr(e[0].subject, "INC-") && !e[0].intent,
	      "... the row holds the bytes and the subject, an intent no more");
	if (n == 1 && e[0].len > 0 && mime_parse(e[0].data, e[0].len, &m, &err) == 0) {
		CHECK(m.body && (strstr(m.body, "12,345") || strstr(m.body, "12345")),
		      "the draft shows the later /affected (rendered from the ticket as it is now)");
		CHECK_STR(m.message_id && strstr(m.message_id, ".draft-ppc-preliminary.") ?
			  "kind" : m.message_id, "kind",
			  "... under the Message-ID fixed at queue time (it names the kind)");
		mail_release(&m);
	} else {
		CHECK(0, "the rendered draft parses");
	}
	if (n == 1) {
		struct event *ev = NULL;
		size_t nev = 0, i, found = 0;
		char want[100];

		digest_sha256_hex(e[0].data, e[0].len, sha);
		memcpy(before, sha, sizeof before);
		snprintf(want, sizeof want, "(sha256 %s)", sha);
		store_event_list(st, id, &ev, &nev, &err);
		for (i = 0; i < nev; i++)
			found += ev[i].kind && strcmp(ev[i].kind, "mail-queued") == 0 &&
				 ev[i].detail && strstr(ev[i].detail, want) != NULL;
		CHECK_INT((long)found, 1, "the SHA-256 of the stored bytes is chained in its mail-queued event");
		store_events_free(ev, nev);
	}
	store_outbox_free(e, n);

	/* the ticket changes again: what is stored stays as it is */
	store_begin(st, &err);
	store_ticket_get_by_id(st, id, &t, &err);
	engine_set_affected(&cfg, st, &t, 99, "admin1@example.com", now, &err);
	store_ticket_release(&t);
	store_commit(st, &err);
	CHECK_INT(notify_render_pending(&cfg, st, now + 60, &rendered, &err), 0, "a second pass runs");
	CHECK_INT((long)rendered, 0, "... and renders nothing again");
	e = mails(id, &n);
	if (n == 1)
		digest_sha256_hex(e[0].data, e[0].len, sha);
	CHECK(n == 1 && strcmp(sha, before) == 0, "... the stored bytes are those rendered first");
	store_outbox_free(e, n);
}

/* A rendered mail waits behind the same recipient's older intent. */
static void test_order(void)
{
	struct error err = { 0 };
	struct outbox_entry *due = NULL;
	struct ticket t;
	size_t n = 0, i, later = 0, esc = 0, trouble = 0;
	int64_t id;

	/* drain what earlier tests left */
	notify_render_pending(&cfg, st, now, NULL, &err);
	store_begin(st, &err);
	id = open_ticket(0);
	store_ticket_get_by_id(st, id, &t, &err);
	/* an intent (escalation: management and admins), then a mail rendered at once */
	notify_escalation(&cfg, st, &t, 1, now, &err);
	notify_trouble(&cfg, st, "テスト", "test", "nothing", now, &err);
	notify_review(&cfg, st, "risk", "リスク評価", NULL, now - 365 * 86400, now, now, &err);
	store_commit(st, &err);
	store_ticket_release(&t);
	store_outbox_due(st, now, 100, &due, &n, &err);
	for (i = 0; i < n; i++)
		later += strcmp(due[i].kind, "trouble") == 0 || strcmp(due[i].kind, "review") == 0;
	CHECK_INT((long)later, 0, "a rendered mail waits while an older intent to its recipient is not rendered");
	store_outbox_free(due, n);
	notify_render_pending(&cfg, st, now, NULL, &err);
	store_outbox_due(st, now, 100, &due, &n, &err);
	for (i = 0; i < n; i++) {
		if (strcmp(due[i].rcpt, "admin1@example.com") != 0)
			continue;
		if (strcmp(due[i].kind, "escalation") == 0 && !esc)
			esc = i + 1;
		if (strcmp(due[i].kind, "trouble") == 0 && !trouble)
			trouble = i + 1;
	}
	CHECK(esc && trouble && esc < trouble,
	      "... and once it is, both are due, the intent's mail first");
	store_outbox_free(due, n);
}

/* The attachments of the drafts mail e: their names and SHA-256s, "name=sha;" each. */
static void attachments_of(const struct outbox_entry *e, char *out, size_t len)
{
	struct error err = { 0 };
	struct mail m = { 0 };
	size_t i, k = 0;

	out[0] = '\0';
	if (mime_parse(e->data, e->len, &m, &err) < 0)
		return;
	for (i = 0; i < m.n_attachments && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s=%s;", m.attachments[i].filename,
				      m.attachments[i].sha256);
	mail_release(&m);
}

/* Does e's text (decoded) hold `text`? */
static int body_has(const struct outbox_entry *e, const char *text)
{
	struct error err = { 0 };
	struct mail m = { 0 };
	int has;

	if (mime_parse(e->data, e->len, &m, &err) < 0)
		return 0;
	has = m.body && strstr(m.body, text) != NULL;
	mail_release(&m);
	return has;
}

/*
 * The drafts mail of a new ticket goes to each admin: the second copy's
 * attachments come from the batch's cache — the same bytes, and never
 * another ticket's (two tickets with the same parameters in one batch).
 */
static void test_drafts_cache(void)
{
	struct error err = { 0 };
	struct outbox_entry *a, *b;
	struct ticket t;
	int64_t id[2];
	size_t na, nb, i, k;
	char got[2][3][4096];
	int j;

	store_begin(st, &err);
	for (j = 0; j < 2; j++) {
		id[j] = open_ticket(FLAG_BIT(FLAG_PERSONAL_DATA));
		store_ticket_get_by_id(st, id[j], &t, &err);
		CHECK_INT(notify_drafts(&cfg, st, &t, NULL, (1u << OBL_PPC_PRELIMINARY) |
					(1u << OBL_INDIVIDUALS), NULL, now, &err), 0,
			  "a drafts mail to every admin");
		store_ticket_release(&t);
	}
	store_commit(st, &err);
	CHECK_INT(notify_render_pending(&cfg, st, now, NULL, &err), 0, "... rendered in one batch");
	a = mails(id[0], &na);
	b = mails(id[1], &nb);
	memset(got, 0, sizeof got);
	for (i = k = 0; i < na && k < 2; i++)
		if (strcmp(a[i].kind, "drafts") == 0)
			attachments_of(&a[i], got[0][k++], sizeof got[0][0]);
	for (i = k = 0; i < nb && k < 2; i++)
		if (strcmp(b[i].kind, "drafts") == 0)
			attachments_of(&b[i], got[1][k++], sizeof got[1][0]);
	CHECK(got[0][0][0] && strcmp(got[0][0], got[0][1]) == 0,
	      "both admins' copies carry the same two drafts, byte for byte");
	CHECK(got[1][0][0] && strcmp(got[1][0], got[1][1]) == 0, "... on the second ticket too");
	CHECK(strcmp(got[0][0], got[1][0]) != 0, "... and the second ticket's are its own, not the first's");
	for (j = 0; j < 2; j++) {
		struct outbox_entry *list = j == 0 ? a : b;
		size_t n = j == 0 ? na : nb, own = 0, other = 0;
		struct ticket u;

		store_ticket_get_by_id(st, id[j], &t, &err);
		store_ticket_get_by_id(st, id[1 - j], &u, &err);
		CHECK(strstr(got[j][1], t.ref) != NULL, "... each named for its ticket");
		/* issue 16: the text is built over the ticket's shared variables,
		 * kept per ticket in the batch: never the ticket before's */
		for (i = 0; i < n; i++)
			if (strcmp(list[i].kind, "drafts") == 0) {
				own += body_has(&list[i], t.ref);
				other += body_has(&list[i], u.ref);
			}
		CHECK(own == 2 && other == 0,
		      "... and both drafts mails' text names its own ticket, not the other");
		store_ticket_release(&t);
		store_ticket_release(&u);
	}
	store_outbox_free(a, na);
	store_outbox_free(b, nb);
}

static void test_failure(void)
{
	struct error err = { 0 };
	struct outbox_intent bad = {
		.kind = "no-such-kind", .template = "ack.txt", .message_id = "bad.1@example.com",
		.env_from = "bot@example.com", .rcpt = "admin1@example.com",
	};
	struct outbox_entry found;
	struct ticket t;
	size_t rendered = 0;
	int64_t id;

	store_begin(st, &err);
	id = open_ticket(0);
	store_ticket_get_by_id(st, id, &t, &err);
	bad.ticket_id = id;
	CHECK_INT(store_outbox_add_intent(st, &bad, now, &err), 0, "an intent of a kind nobody renders");
	notify_lessons(&cfg, st, &t, now, &err);
	store_commit(st, &err);
	store_ticket_release(&t);
	CHECK_INT(notify_render_pending(&cfg, st, now, &rendered, &err), 0,
		  "the render stage goes on past it");
	CHECK_INT((long)rendered, 2, "... the other intents of its batch are rendered (a lessons draft to each admin)");
	CHECK_INT(store_outbox_find(st, "bad.1@example.com", &found, &err), 1, "... the bad one is kept");
	CHECK(found.state == OUTBOX_FAILED && found.last_error &&
	      strstr(found.last_error, "no renderer") != NULL,
	      "... failed, saying that nothing renders its kind");
	store_outbox_entry_release(&found);
	CHECK_INT(intents_left(), 0, "... and no intent is left behind");
}

/*
 * Issue 16: a batch's mails are composed on a second thread while the
 * next ones are read from the store, and each ticket's shared variables
 * are kept until its batch ends.  Sixty tickets' drafts mails (two
 * batches and more): each stored mail is its own intent's — its
 * Message-ID, its recipient, its ticket's text and no neighbour's — and
 * a mail whose template cannot be composed (the composing thread's
 * failure, in the middle of a batch) fails alone.
 */
static void test_many_in_one_pass(void)
{
	enum { TICKETS = 60 };
	struct error err = { 0 };
	struct outbox_intent bad = {
		.kind = "ack", .template = "no-such-template.txt",
		.message_id = "bad.2@example.com", .env_from = "bot@example.com",
		.rcpt = "r@example.com",
	};
	struct outbox_entry found, *list;
	char ref[TICKETS][24], header[300];
	int64_t id[TICKETS];
	size_t rendered = 0, n, i, own = 0, wrong = 0, mine = 0;
	struct ticket t;
	int j;

	store_begin(st, &err);
	for (j = 0; j < TICKETS; j++) {
		id[j] = open_ticket(FLAG_BIT(FLAG_PERSONAL_DATA));
		store_ticket_get_by_id(st, id[j], &t, &err);
		snprintf(ref[j], sizeof ref[j], "%s", t.ref);
		notify_drafts(&cfg, st, &t, NULL, (1u << OBL_PPC_PRELIMINARY) |
			      (1u << OBL_INDIVIDUALS), NULL, now, &err);
		if (j == TICKETS / 4) {
			bad.ticket_id = id[j];
			CHECK_INT(store_outbox_add_intent(st, &bad, now, &err), 0,
				  "an intent whose template is missing, among sixty tickets' mails");
		}
		store_ticket_release(&t);
	}
	store_commit(st, &err);
	CHECK_INT(notify_render_pending(&cfg, st, now, &rendered, &err), 0,
		  "the render stage goes through them all");
	CHECK_INT((long)rendered, 2 * TICKETS, "... every drafts mail is rendered (two batches and more)");
	CHECK_INT(intents_left(), 0, "... and no intent is left behind");
	CHECK_INT(store_outbox_find(st, "bad.2@example.com", &found, &err), 1, "... the bad one is kept");
	CHECK(found.state == OUTBOX_FAILED && found.last_error &&
	      strstr(found.last_error, "no-such-template.txt") != NULL,
	      "... failed alone, naming the template it could not compose");
	store_outbox_entry_release(&found);
	for (j = 0; j < TICKETS; j++) {
		list = mails(id[j], &n);
		for (i = 0; i < n; i++) {
			if (strcmp(list[i].kind, "drafts") != 0)
				continue;
			snprintf(header, sizeof header, "Message-ID: <%s>\r\n", list[i].message_id);
			mine += list[i].data && strstr(list[i].data, header) &&
				strstr(list[i].data, list[i].rcpt);
			own += body_has(&list[i], ref[j]);
			wrong += body_has(&list[i], ref[(j + 1) % TICKETS]) +
				 body_has(&list[i], ref[(j + TICKETS - 1) % TICKETS]);
		}
		store_outbox_free(list, n);
	}
	CHECK_INT((long)mine, 2 * TICKETS, "... each stored mail carries its own intent's Message-ID and recipient");
	CHECK_INT((long)own, 2 * TICKETS, "... and its own ticket's text");
	CHECK_INT((long)wrong, 0, "... and never a neighbouring ticket's");
}

static void test_verify(void)
{
	struct error err = { 0 };
	struct verify_result r;
	char db[1200], cmd[1400];

	CHECK_INT(store_verify(st, NULL, NULL, &r, &err), 0, "verify reads the database");
	CHECK(r.problems == 0 && r.mails >= 4, "verify: every rendered mail's bytes match their SHA-256");
	store_close(st);
	snprintf(db, sizeof db, "%s/incidents.db", dir);
	snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"UPDATE outbox SET data = CAST(replace(CAST(data AS TEXT),"
		 " 'Subject', 'Subjekt') AS BLOB) WHERE id = (SELECT MIN(id) FROM outbox WHERE"
		 " sha256 IS NOT NULL)\"", db);
	if (system(cmd) != 0)
		printf("# could not edit the outbox (sqlite3 missing?)\n");
	store_open(db, &st, &err);
	CHECK_INT(store_verify(st, NULL, NULL, &r, &err), 0, "verify reads the edited database");
	CHECK(r.problems == 1 && r.first.what == VERIFY_MAIL_HASH,
	      "verify: a rendered mail edited afterwards is found");
}

int main(void)
{
	char db[1200], cwd[512];
	struct error err = { 0 };

	if (!mkdtemp(dir) || !getcwd(cwd, sizeof cwd))
		return 1;
	clock_set_zone("Asia/Tokyo");
	clock_parse("2026-11-28T10:00:00+09:00", &now);
	snprintf(templates, sizeof templates, "%s/templates", cwd);
	load_config();
	snprintf(db, sizeof db, "%s/incidents.db", dir);
	if (store_open(db, &st, &err) < 0) {
		printf("# %s\n", err.msg);
		return 1;
	}
	test_params();
	test_render_from_current_state();
	test_order();
	test_drafts_cache();
	test_failure();
	test_many_in_one_pass();
	test_verify();
	store_close(st);
	config_release(&cfg);
	{
		char cmd[1200];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return test_done();
}
