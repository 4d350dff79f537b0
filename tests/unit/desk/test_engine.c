/*
 * test_engine.c — the policy engine and its timers against a temporary
 * database (no network): obligations follow the flags and the awareness
 * time, the status machine refuses what policy.c refuses and records what
 * it allows, and every timer fires once — also when the clock jumps
 * forward past several stages or back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "desk/engine.h"
#include "desk/timers.h"
#include "lib/clock.h"
#include "test.h"

static char dir[] = "/tmp/ib-test-engine-XXXXXX";
static struct store *st;
static struct config cfg;
static time_t t0;		/* 2026-11-25T10:00:00+09:00 */

static void load_config(void)
{
	char path[300];
	struct error err = { 0 };
	FILE *f;

	snprintf(path, sizeof path, "%s/bot.conf", dir);
	f = fopen(path, "w");
	fputs("database = \"incidents.db\"\n"
	      "imap { url = \"imaps://127.0.0.1:1/INBOX\" user = \"bot@example.com\""
	      " password_file = \"imap\" }\n"
	      "smtp { url = \"smtp://127.0.0.1:1\" from = \"bot@example.com\" }\n"
	      "person \"a\" { name = \"管理 一\" email = \"admin@example.com\" roles = {\"admin\"} }\n"
	      "person \"b\" { name = \"社長\" email = \"ceo@example.com\" roles = {\"management\"} }\n",
	      f);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, &err), 0, "a small configuration loads with the policy defaults");
	if (err.msg[0])
		printf("# %s\n", err.msg);
}

static struct ticket open_ticket(unsigned flags, enum incident_type type, long affected)
{
	struct ticket t = { 0 };
	struct error err = { 0 };
	int64_t id;

	store_begin(st, &err);
	store_ticket_create(st, 2026, t0, "顧客情報の流出", "r@example.com", "報告者", &t, &err);
	id = t.id;
	store_ticket_set_class(st, id, type, PRIORITY_HIGH, SOURCE_UNSET, flags, affected, NULL,
			       &err);
	store_ticket_release(&t);
	store_ticket_get_by_id(st, id, &t, &err);
	CHECK(engine_sync_obligations(&cfg, st, &t, "bot", t0, &err) >= 0, "obligations synced");
	store_commit(st, &err);
	return t;
}

/* The obligation of kind on ticket id: its state and due time. */
static int obligation(int64_t id, const char *kind, char state[16], time_t *due)
{
	struct obligation *o;
	struct error err = { 0 };
	size_t n, i;
	int found = 0;

	store_obligation_list(st, id, &o, &n, &err);
	for (i = 0; i < n; i++)
		if (strcmp(o[i].kind, kind) == 0) {
			snprintf(state, 16, "%s", obligation_state_name(o[i].state));
			*due = o[i].due_at;
			found = 1;
		}
	store_obligations_free(o, n);
	return found;
}

static time_t at(const char *rfc3339)
{
	time_t t = 0;

	clock_parse(rfc3339, &t);
	return t;
}

static void resync(struct ticket *t, unsigned flags, long affected)
{
	struct error err = { 0 };
	int64_t id = t->id;

	store_begin(st, &err);
	store_ticket_set_class(st, id, t->type, t->priority, t->source, flags, affected, NULL, &err);
	store_ticket_release(t);
	store_ticket_get_by_id(st, id, t, &err);
	engine_sync_obligations(&cfg, st, t, "admin@example.com", t0 + 60, &err);
	store_commit(st, &err);
}

static void test_obligations(void)
{
	struct ticket t = open_ticket(FLAG_BIT(FLAG_PERSONAL_DATA) | FLAG_BIT(FLAG_FINANCIAL) |
				      FLAG_BIT(FLAG_AMAZON), TYPE_DATA_LEAK, 1200);
	struct error err = { 0 };
	char state[16];
	time_t due;

	CHECK(obligation(t.id, "amazon", state, &due) && due == at("2026-11-26T10:00:00+09:00"),
	      "Amazon: 24 h from the awareness time");
	CHECK(obligation(t.id, "ppc-preliminary", state, &due) && due == at("2026-11-30T10:00:00+09:00"),
	      "PPC preliminary: 5 days");
	CHECK(obligation(t.id, "ppc-final", state, &due) && due == at("2026-12-25T10:00:00+09:00"),
	      "PPC final: 30 days, across the month end");
	CHECK(!obligation(t.id, "ppc-assess", state, &due), "no assessment when a report is required");

	resync(&t, t.flags | FLAG_BIT(FLAG_MALICIOUS), 1200);
	CHECK(obligation(t.id, "ppc-final", state, &due) && due == at("2027-01-24T10:00:00+09:00"),
	      "the malicious flag moves the final report to 60 days");

	resync(&t, t.flags & ~FLAG_BIT(FLAG_AMAZON), 1200);
	CHECK(obligation(t.id, "amazon", state, &due) && strcmp(state, "cancelled") == 0,
	      "the Amazon flag removed: its notice is cancelled");
	resync(&t, t.flags | FLAG_BIT(FLAG_AMAZON), 1200);
	CHECK(obligation(t.id, "amazon", state, &due) && strcmp(state, "open") == 0,
	      "... and set again: reopened");

	store_begin(st, &err);
	CHECK_INT(store_obligation_close(st, t.id, "amazon", OBLIGATION_DONE, "sent 10:30", "admin@example.com",
					 t0 + 1800, &err), 1, "an admin records the Amazon notice as sent");
	store_commit(st, &err);
	resync(&t, t.flags, 1200);
	CHECK(obligation(t.id, "amazon", state, &due) && strcmp(state, "done") == 0,
	      "a sync leaves an obligation recorded as done alone");

	/* Policy 7-4: the awareness time moves every legal clock. */
	store_begin(st, &err);
	store_ticket_set_aware(st, t.id, at("2026-11-24T22:00:00+09:00"), &err);
	store_commit(st, &err);
	store_ticket_release(&t);
	store_ticket_get_by_id(st, 1, &t, &err);
	resync(&t, t.flags, 1200);
	CHECK(obligation(t.id, "ppc-preliminary", state, &due) && due == at("2026-11-29T22:00:00+09:00"),
	      "moving the awareness time moves the PPC deadline");

	/* Below the art. 7 thresholds: the admins decide whether to report. */
	resync(&t, FLAG_BIT(FLAG_PERSONAL_DATA), 1000);
	CHECK(obligation(t.id, "ppc-assess", state, &due) && strcmp(state, "open") == 0,
	      "1,000 people, no other case: ppc-assess instead of a report");
	CHECK(obligation(t.id, "ppc-preliminary", state, &due) && strcmp(state, "cancelled") == 0,
	      "... the report obligations are cancelled");
	/* settled: the timers below leave it alone */
	store_begin(st, &err);
	store_ticket_set_status(st, t.id, STATUS_RESOLVED, t0 + 3600, &err);
	store_commit(st, &err);
	store_ticket_release(&t);
}

static void test_status(void)
{
	struct ticket t = open_ticket(0, TYPE_MALWARE, -1);
	struct error err = { 0 };
	struct event *ev;
	size_t n, i;
	int seen = 0;

	store_begin(st, &err);
	CHECK_INT(engine_set_status(st, &t, STATUS_CLOSED, "admin@example.com", t0 + 60, &err), -1,
		  "new → closed is refused");
	CHECK_INT(err.cls, ERR_MESSAGE, "... as a bad request, not a failure");
	CHECK(strstr(err.msg, "resolved") != NULL, "... saying why");
	CHECK_INT(engine_set_status(st, &t, STATUS_ACKNOWLEDGED, "admin@example.com", t0 + 120, &err),
		  0, "new → acknowledged");
	CHECK_STR(status_name(t.status), "acknowledged", "the ticket is acknowledged");
	CHECK_INT(t.acked_at, t0 + 120, "... at that time");
	CHECK_INT(engine_set_status(st, &t, STATUS_RESOLVED, "admin@example.com", t0 + 300, &err), 0,
		  "acknowledged → resolved (policy 7: steps may be skipped)");
	CHECK_INT(t.contained_at, t0 + 300, "resolving counts as contained");
	CHECK_INT(engine_set_status(st, &t, STATUS_CLOSED, "admin@example.com", t0 + 350, &err), -1,
		  "resolved → closed without the lessons is refused (policy 8: /status is no way "
		  "around /close)");
	CHECK(err.cls == ERR_MESSAGE && strstr(err.msg, "policy 8") != NULL, "... saying why");
	CHECK_STR(status_name(t.status), "resolved", "... the ticket stays resolved");
	store_ticket_set_lessons(st, t.id, "教訓", &err);
	engine_reload(st, &t, &err);
	CHECK_INT(engine_set_status(st, &t, STATUS_CLOSED, "admin@example.com", t0 + 400, &err), 0,
		  "resolved → closed with the lessons stored");
	CHECK_INT(engine_set_status(st, &t, STATUS_ACKNOWLEDGED, "admin@example.com", t0 + 500, &err),
		  -1, "closed → acknowledged is refused (reopen)");
	CHECK_INT(engine_set_status(st, &t, STATUS_INVESTIGATING, "admin@example.com", t0 + 600, &err),
		  0, "closed → investigating (reopen)");
	CHECK_INT(t.closed_at, 0, "a reopened ticket is not closed any more");
	store_commit(st, &err);
	store_event_list(st, t.id, &ev, &n, &err);
	for (i = 0; i < n; i++)
		seen += strcmp(ev[i].kind, "status") == 0;
	CHECK_INT(seen, 4, "every transition is on the timeline, refused ones are not");
	store_events_free(ev, n);
	store_begin(st, &err);
	engine_set_status(st, &t, STATUS_RESOLVED, "admin@example.com", t0 + 700, &err);
	store_commit(st, &err);
	store_ticket_release(&t);
}

/* The detail of ticket id's last event of kind, copied into out ("" when none). */
static int last_event(int64_t id, const char *kind, char *out, size_t len)
{
	struct event *ev;
	struct error err = { 0 };
	size_t n, i;
	int found = 0;

	out[0] = '\0';
	store_event_list(st, id, &ev, &n, &err);
	for (i = 0; i < n; i++)
		if (strcmp(ev[i].kind, kind) == 0) {
			snprintf(out, len, "%s", ev[i].detail ? ev[i].detail : "");
			found = 1;
		}
	store_events_free(ev, n);
	return found;
}

/*
 * Issue 15 (point 3): the admins' changes go through the engine — the
 * policy 8 close rule, the reclassifications that re-sync the
 * obligations, the awareness time's range, an obligation ended.
 */
static void test_admin_changes(void)
{
	struct ticket t = open_ticket(0, TYPE_UNAUTHORIZED_ACCESS, -1);
	struct error err = { 0 };
	const char *admin = "admin@example.com";
	char state[16], detail[300];
	time_t due, due_before;
	int rc;

	store_begin(st, &err);
	CHECK_INT(engine_take(st, &t, admin, t0 + 60, &err), 0, "/ack: taken");
	CHECK_STR(status_name(t.status), "acknowledged", "... acknowledged");
	CHECK_STR(t.owner ? t.owner : "", admin, "... the taker owns it");
	CHECK_INT(engine_set_owner(st, &t, "ceo@example.com", &err), 0, "/assign");
	CHECK_STR(t.owner ? t.owner : "", "ceo@example.com", "... the ticket read again shows it");
	CHECK_INT(engine_take(st, &t, admin, t0 + 70, &err), 0, "/ack again");
	CHECK_STR(t.owner ? t.owner : "", "ceo@example.com", "... keeps the owner it has");

	/* a reclassification re-syncs the obligations and says what it opened */
	rc = engine_set_flag(&cfg, st, &t, FLAG_AMAZON, true, admin, t0 + 120, &err);
	CHECK_INT(rc, (int)(1u << OBL_AMAZON), "/flag amazon: the Amazon notice opened, nothing else");
	CHECK(t.flags & FLAG_BIT(FLAG_AMAZON), "... the flag is on the ticket read again");
	CHECK(obligation(t.id, "amazon", state, &due) && strcmp(state, "open") == 0,
	      "... and the obligation is open");
	CHECK_INT(engine_set_flag(&cfg, st, &t, FLAG_AMAZON, false, admin, t0 + 180, &err), 0,
		  "/flag amazon off: nothing opened");
	CHECK(obligation(t.id, "amazon", state, &due) && strcmp(state, "cancelled") == 0,
	      "... the obligation is cancelled");
	rc = engine_end_obligation(st, &t, OBL_AMAZON, OBLIGATION_NOT_NEEDED, 0, "停止中",
				   admin, t0 + 200, detail, sizeof detail, &err);
	CHECK_INT(rc, 2, "/skip of a cancelled obligation: recorded, not refused");
	CHECK(strstr(detail, "already cancelled; not-needed — 停止中") != NULL,
	      "... saying it was already cancelled");
	CHECK_INT(engine_end_obligation(st, &t, OBL_RAKUTEN, OBLIGATION_DONE, 0, NULL, admin,
					t0 + 200, detail, sizeof detail, &err), -1,
		  "/done of an obligation the ticket never had is refused");
	CHECK_INT(err.cls, ERR_MESSAGE, "... as a bad request");

	rc = engine_set_affected(&cfg, st, &t, 1200, admin, t0 + 240, &err);
	CHECK_INT(rc, 0, "/affected without personal data opens nothing");
	CHECK_INT(t.affected, 1200, "... the count is on the ticket");
	rc = engine_set_flag(&cfg, st, &t, FLAG_PERSONAL_DATA, true, admin, t0 + 300, &err);
	CHECK(rc > 0 && (rc & (1 << OBL_PPC_PRELIMINARY)),
	      "/flag personal-data with 1200 affected: the PPC preliminary report opens");
	CHECK(obligation(t.id, "ppc-preliminary", state, &due_before) &&
	      strcmp(state, "open") == 0, "... open");

	/* the awareness time: in range moves the clocks, out of range is refused */
	CHECK_INT(engine_set_aware(&cfg, st, &t, t0 - 400L * 86400, admin, t0 + 360, &err), -1,
		  "/aware more than a year back is refused");
	CHECK_INT(err.cls, ERR_MESSAGE, "... as a bad request");
	CHECK(strstr(err.msg, "awareness time") != NULL, "... saying what");
	CHECK_INT(engine_set_aware(&cfg, st, &t, t0 - 86400, admin, t0 + 360, &err), 0,
		  "/aware a day back");
	CHECK_INT(t.aware_at, t0 - 86400, "... on the ticket read again");
	CHECK(obligation(t.id, "ppc-preliminary", state, &due) && due == due_before - 86400,
	      "... and the PPC deadline moved a day earlier");
	rc = engine_end_obligation(st, &t, OBL_PPC_PRELIMINARY, OBLIGATION_DONE, t0 + 3 * 3600,
				   "送付", admin, t0 + 400, detail, sizeof detail, &err);
	CHECK_INT(rc, -1, "/done with a time two hours ahead is refused");
	rc = engine_end_obligation(st, &t, OBL_PPC_PRELIMINARY, OBLIGATION_DONE, t0 + 300,
				   "送付", admin, t0 + 400, detail, sizeof detail, &err);
	CHECK_INT(rc, 1, "/done with a time: recorded");
	CHECK(obligation(t.id, "ppc-preliminary", state, &due) && strcmp(state, "done") == 0,
	      "... the obligation is done");
	CHECK(last_event(t.id, "obligation-closed", detail, sizeof detail) &&
	      strncmp(detail, "ppc-preliminary: done at ", 25) == 0,
	      "... an event with the time it was done");

	/* /type: the classification and the checklist are the new type's (policy 7-6) */
	{
		const char *const *items;
		size_t want = policy_checklist(TYPE_POWER, &items), n = 0;
		struct checklist_item *cl = NULL;

		CHECK(engine_set_type(&cfg, st, &t, TYPE_POWER, admin, t0 + 420, &err) >= 0,
		      "/type power");
		CHECK_STR(type_name(t.type), "power", "... the type is on the ticket read again");
		store_checklist_list(st, t.id, &cl, &n, &err);
		CHECK(want > 0 && n == want && strcmp(cl[0].text, items[0]) == 0,
		      "... and the checklist is the power outage's");
		store_checklist_free(cl, n);
	}
	CHECK_INT(engine_check_item(st, &t, 1, admin, t0 + 480, &err), 1, "/check 1: ticked");
	CHECK_INT(engine_check_item(st, &t, 1, admin, t0 + 490, &err), 2, "/check 1 again: it was");
	CHECK_INT(engine_check_item(st, &t, 99, admin, t0 + 500, &err), -1,
		  "/check 99: no such item, refused");
	CHECK_INT(err.cls, ERR_MESSAGE, "... as a bad request");

	/* policy 8: no close without the lessons, unless forced with a reason */
	CHECK_INT(engine_close(st, &t, false, NULL, admin, t0 + 600, &err), -1,
		  "/close without lessons is refused");
	CHECK_INT(err.cls, ERR_MESSAGE, "... as a bad request");
	CHECK(strstr(err.msg, "policy 8") != NULL, "... naming policy 8");
	CHECK_STR(status_name(t.status), "acknowledged", "... and the ticket did not move");
	CHECK_INT(engine_close(st, &t, true, "訓練のため不要", admin, t0 + 660, &err), 0,
		  "/close force REASON closes");
	CHECK_STR(status_name(t.status), "closed", "... the ticket is closed");
	CHECK(last_event(t.id, "closed-without-lessons", detail, sizeof detail) &&
	      strcmp(detail, "訓練のため不要") == 0, "... the reason is on the timeline");
	CHECK_INT(engine_set_status(st, &t, STATUS_INVESTIGATING, admin, t0 + 700, &err), 0,
		  "/reopen");

	rc = engine_set_lessons(&cfg, st, &t, "パスワードの再利用を禁止", admin, t0 + 760, &err);
	CHECK(rc > 0 && (rc & (1 << OBL_CIRCULATION)),
	      "/lessons opens the circulation to all staff (policy 8(3))");
	CHECK(last_event(t.id, "lessons", detail, sizeof detail), "... an event \"lessons\"");
	CHECK_INT(engine_close(st, &t, false, "再発防止済み", admin, t0 + 800, &err), 0,
		  "/close with the lessons stored closes");
	CHECK_STR(status_name(t.status), "closed", "... through resolved");
	CHECK(last_event(t.id, "close-reason", detail, sizeof detail) &&
	      strcmp(detail, "再発防止済み") == 0, "... its text recorded as the reason");
	store_commit(st, &err);
	store_ticket_release(&t);
}

/* Mails of kind queued so far. */
static int queued(const char *kind)
{
	struct outbox_entry *e;
	struct error err = { 0 };
	size_t n, i;
	int count = 0;

	store_outbox_list(st, 0, false, &e, &n, &err);
	for (i = 0; i < n; i++)
		count += strcmp(e[i].kind, kind) == 0;
	store_outbox_free(e, n);
	return count;
}

static struct timer_stats tick(time_t now)
{
	struct timer_stats ts = { 0 };
	struct error err = { 0 };

	if (timers_run(&cfg, st, now, &ts, &err) < 0)
		printf("# timers_run: %s\n", err.msg);
	return ts;
}

static void test_timers(void)
{
	struct ticket t;
	int esc;

	tick(t0);		/* the first pass: the digest's date and the reviews' clocks start */
	CHECK_INT(queued("digest"), 0, "the first pass sends no digest");
	t = open_ticket(FLAG_BIT(FLAG_AMAZON), TYPE_UNAUTHORIZED_ACCESS, -1);
	esc = queued("escalation");
	CHECK_INT(tick(t0 + 29 * 60).escalations, 0, "no escalation at +29 min (priority high)");
	CHECK_INT(tick(t0 + 30 * 60).escalations, 1, "escalation at +30 min");
	CHECK_INT(queued("escalation") - esc, 2, "... to management and the admin");
	CHECK_INT(tick(t0 + 30 * 60).escalations, 0, "the same pass again sends nothing");
	CHECK_INT(tick(t0 + 10 * 60).escalations, 0, "a clock that jumps back sends nothing");
	CHECK_INT(tick(t0 + 5 * 3600).escalations, 1,
		  "a jump forward past many limits: one escalation, not nine");
	CHECK_INT(tick(t0 + 5 * 3600 + 60).escalations, 0, "... and not again");

	CHECK_INT(tick(t0 + 12 * 3600).reminders, 1, "Amazon: a reminder at 50 %");
	CHECK_INT(tick(t0 + 23 * 3600).reminders, 1,
		  "80 % and 2 h before both passed while down: one reminder");
	CHECK_INT(tick(t0 + 23 * 3600 + 60).reminders, 0, "... not again");
	CHECK_INT(tick(t0 + 24 * 3600).overdue, 1, "overdue at 24 h");
	CHECK_INT(tick(t0 + 30 * 3600).overdue, 0, "not again within the day");
	CHECK_INT(tick(t0 + 48 * 3600).overdue, 1, "again a day later");
	CHECK_INT(queued("digest"), 2, "the digests of 11-26 and 11-27 at the passes after 09:00");
	CHECK_INT(tick(t0 + 400 * 86400).reviews, 3,
		  "a year on: the risk review, the plan check and the drill are due");
	CHECK_INT(tick(t0 + 401 * 86400).reviews, 0, "reminded again only after a week");
	CHECK_INT(tick(t0 + 408 * 86400).reviews, 3, "... then again");
	store_ticket_release(&t);
}

int main(void)
{
	struct error err = { 0 };
	char path[300], cmd[400];

	clock_set_zone("Asia/Tokyo");
	if (!mkdtemp(dir))
		return 1;
	load_config();
	t0 = at("2026-11-25T10:00:00+09:00");
	snprintf(path, sizeof path, "%s/incidents.db", dir);
	CHECK_INT(store_open(path, &st, &err), 0, "database opened");
	test_obligations();
	test_status();
	test_admin_changes();
	test_timers();
	store_close(st);
	config_release(&cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0, "test folder removed");
	return test_done();
}
