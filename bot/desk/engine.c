/* engine.c — see engine.h. */
#include "desk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "rules/classify.h"
#include "rules/deadline.h"

static int out_of_memory(struct error *err)
{
	return error_set(err, ERR_TEMP, "engine: out of memory");
}


/* "personal-data amazon" — the ticket's flags by name. */
static void flags_text(unsigned flags, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < FLAG_COUNT; i++)
		if (flags & FLAG_BIT(i)) {
			int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
					 flag_name(i));
			if (n < 0 || (size_t)n >= len - used)
				break;
			used += (size_t)n;
		}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Whether the sender is outside the company: neither a configured person
 * nor at the bot's own domain (policy 7-2 asks who they are). */
static bool sender_external(const struct config *cfg, const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	if (!addr || config_find_person(cfg, addr))
		return false;
	return !at || strcasecmp(at + 1, config_mail_domain(cfg)) != 0;
}

_Static_assert(OBL_COUNT < 31, "the kinds created no longer fit engine_sync_obligations' int");

int engine_sync_obligations(const struct config *cfg, struct store *st, const struct ticket *t,
			    const char *actor, time_t now, struct error *err)
{
	struct policy_facts facts = store_ticket_facts(t);
	unsigned want = policy_obligations(&facts);
	char due_text[40], detail[200];
	unsigned created = 0;
	int k, rc;

	for (k = 0; k < OBL_COUNT; k++) {
		if (want & (1u << k)) {
			/* the recovery target is the named system's, not a kind's span */
			time_t due = k == OBL_RECOVERY ? t->aware_at + t->recovery_seconds :
				     deadline_due(&cfg->policy, t->aware_at, t->flags, k);

			rc = store_obligation_require(st, t->id, obligation_name(k), t->aware_at,
						      due, now, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
			created |= 1u << k;
			snprintf(detail, sizeof detail, "%s: %s, due %s", obligation_name(k),
				 obligation_label(k),
				 clock_format_rfc3339(due, due_text, sizeof due_text));
			if (store_event_add(st, t->id, now, actor, "obligation-opened", detail, err) < 0)
				return -1;
		} else {
			rc = store_obligation_close(st, t->id, obligation_name(k),
						    OBLIGATION_CANCELLED,
						    "no flag requires it any more", actor, now, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
			snprintf(detail, sizeof detail, "%s: no flag requires it any more",
				 obligation_name(k));
			if (store_event_add(st, t->id, now, actor, "obligation-cancelled", detail,
					    err) < 0)
				return -1;
		}
	}
	return (int)created;	/* OBL_COUNT bits: never negative */
}

static int add_checklist(struct store *st, const struct ticket *t, struct error *err)
{
	const char *const *items;
	size_t i, n = policy_checklist(t->type >= 0 ? t->type : TYPE_OTHER, &items);

	for (i = 0; i < n; i++)
		if (store_checklist_add(st, t->id, (int)i + 1, items[i], err) < 0)
			return -1;
	return 0;
}

/* Records the system a new report names: its priority applied, its target kept. */
static int system_named(struct store *st, int64_t id, const struct system_config *sys,
			time_t now, struct error *err)
{
	char target[40] = "none", *detail = NULL;
	int rc;

	if (sys->max_downtime > 0)
		span_format(&(struct span){ .seconds = sys->max_downtime }, target, sizeof target);
	if (asprintf(&detail, "%s: recovery priority %s, max downtime %s (policy 6(3))", sys->name,
		     priority_name(sys->priority), target) < 0)
		return out_of_memory(err);
	rc = store_ticket_set_system(st, id, sys->name, sys->max_downtime, err) < 0 ||
	     store_event_add(st, id, now, "bot", "system", detail, err) < 0 ? -1 : 0;
	free(detail);
	return rc;
}

int engine_open(const struct config *cfg, struct store *st, struct ticket *t,
		const struct mail *m, time_t now, struct error *err)
{
	const struct system_config *sys = NULL;
	struct classification c;
	char flags[300], affected[40] = "", *detail = NULL;
	int64_t id = t->id;
	int rc;

	if (cfg->classifier)	/* built with the configuration */
		classify_with(cfg->classifier, m->subject, m->body, m->from.addr,
			      sender_external(cfg, m->from.addr), &c);
	else
		classify(cfg->rules, cfg->n_rules, m->subject, m->body, m->from.addr,
			 sender_external(cfg, m->from.addr), &c);
	/* Policy 6(3), 7-2: a named system is restored by its own priority */
	if (systems_named(cfg->systems, cfg->n_systems, m->subject, m->body, &sys) < 0)
		return out_of_memory(err);
	if (sys && (int)sys->priority < c.priority)	/* PRIORITY_HIGH is 0 */
		c.priority = sys->priority;
	if (store_ticket_set_class(st, id, c.type, c.priority, c.source, c.flags, c.affected,
				   c.why, err) < 0 ||
	    store_ticket_set_counts(st, id, c.affected_over, c.records, err) < 0)
		return -1;
	flags_text(c.flags, flags, sizeof flags);
	if (c.affected >= 0)
		snprintf(affected, sizeof affected, ", affected %s%ld", c.affected_over ? "over " : "",
			 c.affected);
	if (asprintf(&detail, "type %s, priority %s, source %s, flags %s%s — %s",
		     type_name(c.type), priority_name(c.priority),
		     c.source >= 0 ? source_name(c.source) : "-", flags, affected, c.why) < 0)
		return out_of_memory(err);
	rc = store_event_add(st, id, now, "bot", "classified", detail, err);
	free(detail);
	if (rc < 0)
		return -1;
	if (sys && system_named(st, id, sys, now, err) < 0)
		return -1;

	if (engine_reload(st, t, err) < 0)
		return -1;
	if (add_checklist(st, t, err) < 0 || engine_sync_obligations(cfg, st, t, "bot", now, err) < 0)
		return -1;
	/* Policy 6-2: a drill held is what the periodic drill reminder waits for. */
	if ((t->flags & FLAG_BIT(FLAG_DRILL)) &&
	    (store_review_done(st, "drill", now, t->reporter_addr, err) < 0 ||
	     store_event_add(st, id, now, "bot", "drill", "a drill: recorded as the policy 6-2 drill held",
			     err) < 0))
		return -1;
	return 0;
}

int engine_reload(struct store *st, struct ticket *t, struct error *err)
{
	int64_t id = t->id;
	int rc;

	store_ticket_release(t);
	rc = store_ticket_get_by_id(st, id, t, err);
	return rc == 1 ? 0 : rc < 0 ? -1 :
		error_set(err, ERR_FATAL, "engine: ticket %lld vanished", (long long)id);
}

/* Policy 8: the lessons-learned document is written before closing. */
static int lessons_missing(struct error *err)
{
	return error_set(err, ERR_MESSAGE, "教訓（規程 8 の再発防止文書）が未登録です。"
			 "/lessons で登録するか /close force 理由 としてください / "
			 "the lessons-learned document (policy 8) is missing: send /lessons "
			 "first, or /close force REASON");
}

/* The move itself, the status machine's check included; engine_set_status adds policy 8's. */
static int set_status(struct store *st, struct ticket *t, enum status to, const char *actor,
		      time_t now, struct error *err)
{
	enum status from = t->status < 0 ? STATUS_NEW : t->status;
	const char *why = NULL;
	char detail[120];

	if (!policy_transition(from, to, &why))
		return error_set(err, ERR_MESSAGE, "「%s」→「%s」(%s → %s): %s", status_label(from),
				 status_label(to), status_name(from), status_name(to),
				 why ? why : "できません / not allowed");
	snprintf(detail, sizeof detail, "%s → %s", status_name(from), status_name(to));
	if (store_ticket_set_status(st, t->id, to, now, err) < 0 ||
	    store_event_add(st, t->id, now, actor, "status", detail, err) < 0)
		return -1;
	/* issue 14: a ticket's tokens end when it closes; /token makes one
	 * for an admin who has to /reopen it */
	if (to == STATUS_CLOSED &&
	    store_token_revoke(st, t->id, NULL, 0, "ticket closed", now, err) < 0)
		return -1;
	return engine_reload(st, t, err);
}

int engine_set_status(struct store *st, struct ticket *t, enum status to, const char *actor,
		      time_t now, struct error *err)
{
	/* SPEC 6: "/status closed" is no way around /close's rule (the
	 * machine closes only a resolved ticket; it says why for others) */
	if (to == STATUS_CLOSED && !t->lessons && t->status == STATUS_RESOLVED)
		return lessons_missing(err);
	return set_status(st, t, to, actor, now, err);
}

/* ---- the admins' changes ---- */

/* Issue 14 (V10): how far an admin's awareness or done time may be from now. */
#define ADMIN_TIME_PAST (365L * 86400)	/* a year back: older is a typo or an attack */
#define ADMIN_TIME_FUTURE 3600L		/* an hour ahead: clocks of mail clients drift */

static bool admin_time_ok(time_t at, time_t now)
{
	return at >= now - ADMIN_TIME_PAST && at <= now + ADMIN_TIME_FUTURE;
}

/* The refusal of an admin's time out of range: what, in Japanese then English. */
static int admin_time_refused(time_t at, time_t now, const char *what_ja, const char *what_en,
			      struct error *err)
{
	char when[40], lo[40], hi[40];

	clock_format_short(at, when, sizeof when);
	clock_format_short(now - ADMIN_TIME_PAST, lo, sizeof lo);
	clock_format_short(now + ADMIN_TIME_FUTURE, hi, sizeof hi);
	return error_set(err, ERR_MESSAGE, "%s %s は受け付けられません。%s から %s の間で"
			 "指定してください / %s %s out of range: give one between %s and %s",
			 what_ja, when, lo, hi, what_en, when, lo, hi);
}

/* Writes the classification as given (the reason of the first one kept),
 * reads *t again and re-syncs the obligations. */
static int reclassify(const struct config *cfg, struct store *st, struct ticket *t,
		      enum incident_type type, enum priority priority, enum source source,
		      unsigned flags, long affected, const char *actor, time_t now,
		      struct error *err)
{
	if (store_ticket_set_class(st, t->id, type, priority, source, flags, affected, NULL,
				   err) < 0 || engine_reload(st, t, err) < 0)
		return -1;
	return engine_sync_obligations(cfg, st, t, actor, now, err);
}

int engine_take(struct store *st, struct ticket *t, const char *actor, time_t now,
		struct error *err)
{
	/* SPEC 6: take the ticket — it stops the unacknowledged escalation */
	if (t->status == STATUS_NEW &&
	    engine_set_status(st, t, STATUS_ACKNOWLEDGED, actor, now, err) < 0)
		return -1;
	return t->owner ? 0 : engine_set_owner(st, t, actor, err);
}

int engine_set_owner(struct store *st, struct ticket *t, const char *owner, struct error *err)
{
	return store_ticket_set_owner(st, t->id, owner, err) < 0 ? -1 : engine_reload(st, t, err);
}

int engine_set_type(const struct config *cfg, struct store *st, struct ticket *t,
		    enum incident_type type, const char *actor, time_t now, struct error *err)
{
	const char *const *items;
	size_t n = policy_checklist(type, &items);
	int created = reclassify(cfg, st, t, type, t->priority, t->source, t->flags, t->affected,
				 actor, now, err);

	/* policy 7-6: the checklist is the new type's */
	if (created < 0 || store_checklist_replace(st, t->id, items, n, err) < 0)
		return -1;
	return created;
}

int engine_set_priority(const struct config *cfg, struct store *st, struct ticket *t,
			enum priority p, const char *actor, time_t now, struct error *err)
{
	return reclassify(cfg, st, t, t->type, p, t->source, t->flags, t->affected, actor, now,
			  err);
}

int engine_set_source(const struct config *cfg, struct store *st, struct ticket *t,
		      enum source s, const char *actor, time_t now, struct error *err)
{
	return reclassify(cfg, st, t, t->type, t->priority, s, t->flags, t->affected, actor, now,
			  err);
}

int engine_set_flag(const struct config *cfg, struct store *st, struct ticket *t, enum flag f,
		    bool on, const char *actor, time_t now, struct error *err)
{
	unsigned flags = on ? t->flags | FLAG_BIT(f) : t->flags & ~FLAG_BIT(f);
	int created = reclassify(cfg, st, t, t->type, t->priority, t->source, flags, t->affected,
				 actor, now, err);

	/* Policy 6-2: a drill held is what the periodic drill reminder waits for. */
	if (created < 0 ||
	    (f == FLAG_DRILL && on && store_review_done(st, "drill", now, actor, err) < 0))
		return -1;
	return created;
}

int engine_set_affected(const struct config *cfg, struct store *st, struct ticket *t,
			long affected, const char *actor, time_t now, struct error *err)
{
	/* an admin's number is exact: no longer "more than" */
	if (store_ticket_set_counts(st, t->id, false, t->records, err) < 0)
		return -1;
	return reclassify(cfg, st, t, t->type, t->priority, t->source, t->flags, affected, actor,
			  now, err);
}

int engine_set_aware(const struct config *cfg, struct store *st, struct ticket *t, time_t aware,
		     const char *actor, time_t now, struct error *err)
{
	/* Policy 7-4's clocks run from the awareness time: one far in the
	 * future silences every statutory deadline, one decades back makes
	 * all overdue at once.  A year back to an hour ahead is every real
	 * correction. */
	if (!admin_time_ok(aware, now))
		return admin_time_refused(aware, now, "認知日時", "awareness time", err);
	if (store_ticket_set_aware(st, t->id, aware, err) < 0 || engine_reload(st, t, err) < 0)
		return -1;
	return engine_sync_obligations(cfg, st, t, actor, now, err);
}

int engine_set_lessons(const struct config *cfg, struct store *st, struct ticket *t,
		       const char *text, const char *actor, time_t now, struct error *err)
{
	/* policy 8(3): the plan stored opens its circulation to all staff */
	if (store_ticket_set_lessons(st, t->id, text, err) < 0 ||
	    store_event_add(st, t->id, now, actor, "lessons", text, err) < 0 ||
	    engine_reload(st, t, err) < 0)
		return -1;
	return engine_sync_obligations(cfg, st, t, actor, now, err);
}

int engine_close(struct store *st, struct ticket *t, bool force, const char *reason,
		 const char *actor, time_t now, struct error *err)
{
	enum status from = t->status;

	/* Policy 8: the lessons-learned document is written before closing;
	 * "force" with a reason records why it was not. */
	if (!t->lessons && !force)
		return lessons_missing(err);
	if (from != STATUS_RESOLVED && from != STATUS_CLOSED &&
	    set_status(st, t, STATUS_RESOLVED, actor, now, err) < 0)
		return -1;
	if (set_status(st, t, STATUS_CLOSED, actor, now, err) < 0)
		return -1;
	return reason && store_event_add(st, t->id, now, actor, force ? "closed-without-lessons" :
					 "close-reason", reason, err) < 0 ? -1 : 0;
}

int engine_check_item(struct store *st, struct ticket *t, long pos, const char *actor,
		      time_t now, struct error *err)
{
	int rc = store_checklist_tick(st, t->id, (int)pos, actor, now, err);

	if (rc == 0)
		return error_set(err, ERR_MESSAGE, "チェックリストに %ld 番はありません / "
				 "the checklist has no item %ld", pos, pos);
	return rc;
}

/* Whether t's obligation of kind exists and was cancelled (no flag or type requires it any more). */
static int cancelled(struct store *st, const struct ticket *t, const char *kind,
		     struct error *err)
{
	struct obligation *obl;
	size_t i, n;
	int yes = 0;

	if (store_obligation_list(st, t->id, &obl, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(obl[i].kind, kind) == 0 &&
		    obl[i].state == OBLIGATION_CANCELLED)
			yes = 1;
	store_obligations_free(obl, n);
	return yes;
}

int engine_end_obligation(struct store *st, struct ticket *t, enum obligation_kind k,
			  enum obligation_state state, time_t at, const char *text,
			  const char *actor, time_t now, char *detail, size_t detail_len,
			  struct error *err)
{
	const char *kind = obligation_name(k), *name = obligation_state_name(state);
	char when[40] = "";
	int rc;

	/* issue 13 (point 8): /done records when it really was done */
	if (at && !admin_time_ok(at, now))
		return admin_time_refused(at, now, "実施日時", "time", err);
	if (at)
		clock_format_short(at, when, sizeof when);
	if ((rc = store_obligation_close(st, t->id, kind, state, text, actor, at ? at : now,
					 err)) < 0)
		return -1;
	if (rc == 0) {
		/* Issue 13: "/type power" then "/skip rakuten 停電" — the /type
		 * above already took the duty away (policy 7-4: outages notify
		 * only the needed contacts), so the /skip asks for what is
		 * true: recorded, not refused. */
		if ((rc = cancelled(st, t, kind, err)) < 0)
			return -1;
		if (rc == 0)
			return error_set(err, ERR_MESSAGE, "「%s」は未完了の対応ではありません / "
					 "\"%s\" is not an open obligation of this ticket",
					 obligation_label(k), kind);
		snprintf(detail, detail_len, "%s: already cancelled; %s%s%s", kind, name,
			 text ? " — " : "", text ? text : "");
		return store_event_add(st, t->id, now, actor, "note", detail, err) < 0 ? -1 : 2;
	}
	snprintf(detail, detail_len, "%s: %s%s%s%s%s", kind, name, *when ? " at " : "", when,
		 text ? " — " : "", text ? text : "");
	return store_event_add(st, t->id, now, actor, "obligation-closed", detail, err) < 0 ? -1 :
		1;
}
