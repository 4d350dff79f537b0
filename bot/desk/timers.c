/* timers.c — see timers.h. */
#include "desk/timers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "notify/briefing.h"
#include "notify/notify.h"
#include "notify/vars.h"
#include "rules/deadline.h"
#include "rules/policy.h"

/* ---- unacknowledged tickets ---- */

/*
 * SPEC 4 "escalation": nobody acknowledged the ticket within its
 * priority's limit (policy 7-2 decides how urgent): management and the
 * admins are told, and again at every further limit.
 */
static int escalate_unacked(const struct config *cfg, struct store *st, time_t now,
			    struct timer_stats *stats, struct error *err)
{
	struct ticket_filter f = { .status = status_name(STATUS_NEW), .oldest_first = true };
	struct ticket *list;
	size_t i, n;
	int rc = 0;

	if (store_ticket_query(st, &f, &list, &n, err) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		struct ticket *t = &list[i];
		long limit = deadline_escalation_limit(&cfg->policy, t->created_at, t->priority);
		int stage = stage_every(t->created_at, now, limit);
		char detail[160], waited[40];

		if (stage <= t->escalation_stage)
			continue;
		vars_duration((long)(now - t->created_at), waited, sizeof waited);
		snprintf(detail, sizeof detail, "unacknowledged for %s (priority %s): "
			 "management and admins alarmed (escalation %d)", waited,
			 t->priority >= 0 ? priority_name(t->priority) : "low", stage);
		log_warn("timers", "%s: %s", t->ref, detail);
		rc = notify_escalation(cfg, st, t, stage, now, err) < 0 ||
		     store_ticket_set_escalation(st, t->id, stage, err) < 0 ||
		     store_event_add(st, t->id, now, "bot", "escalated", detail, err) < 0 ? -1 : 0;
		stats->escalations += rc == 0;
	}
	store_tickets_free(list, n);
	return rc;
}

/* ---- obligations ---- */

/* What the clock says of o now: the reminder and overdue stages it has
 * reached, never lower than the ones recorded (a clock that went back). */
static void obligation_stages(const struct config *cfg, const struct obligation *o, int kind,
			      time_t now, int *remind, int *overdue)
{
	const struct deadline_config *dc = &cfg->policy.deadline[kind];
	time_t points[REMIND_MAX + 1];
	size_t i;

	for (i = 0; i < dc->n_remind; i++)
		points[i] = remind_at(&dc->remind[i], o->start_at, o->due_at);
	/* issue 12 point 9: due on a weekend or holiday, reminded on the last
	 * business day before it as well */
	points[i++] = business_day_reminder(&cfg->policy.calendar, o->start_at, o->due_at);
	*remind = stage_reached(points, i, now);
	*overdue = stage_overdue(o->due_at, now, span_seconds_at(o->due_at,
								 &cfg->policy.overdue_repeat));
}

/*
 * The obligations of one ticket (list[0..n), nearest due first) in this
 * pass: those whose reminder or overdue stage grew go out together, one
 * mail per person (issue 13, notify_due); each is recorded on its own
 * (stages, an event on the timeline).
 */
static int ticket_due(const struct config *cfg, struct store *st, const struct obligation *list,
		      size_t n, time_t now, struct timer_stats *stats, struct error *err)
{
	struct due_item *items = calloc(n, sizeof *items);
	int *remind = calloc(n, sizeof *remind), *overdue = calloc(n, sizeof *overdue);
	size_t i, k = 0;
	struct ticket t;
	int rc = -1;

	if (!items || !remind || !overdue) {
		error_set(err, ERR_TEMP, "timers: out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		const struct obligation *o = &list[i];
		int kind = obligation_from_name(o->kind), r, d;

		if (kind < 0)
			continue;	/* a kind this version does not know: left alone */
		obligation_stages(cfg, o, kind, now, &r, &d);
		if (r <= o->remind_stage && d <= o->overdue_stage)
			continue;
		/* the reminders passed while down are not sent late: overdue says more */
		items[k].o = o;
		items[k].overdue_stage = d > o->overdue_stage ? d : 0;
		remind[k] = r > o->remind_stage ? r : o->remind_stage;
		overdue[k] = d > o->overdue_stage ? d : o->overdue_stage;
		k++;
	}
	if (k == 0) {
		rc = 0;
		goto done;
	}
	if ((rc = store_ticket_get_by_id(st, list[0].ticket_id, &t, err)) <= 0)
		goto done;
	rc = notify_due(cfg, st, &t, items, k, now, err);
	for (i = 0; i < k && rc == 0; i++) {
		const struct obligation *o = items[i].o;
		char detail[200], due[40];

		clock_format_rfc3339(o->due_at, due, sizeof due);
		if (items[i].overdue_stage) {
			/* SPEC 4: an overdue obligation goes to management, daily */
			snprintf(detail, sizeof detail, "%s overdue since %s: management and admins "
				 "alarmed (%d)", o->kind, due, items[i].overdue_stage);
			log_warn("timers", "%s: %s", t.ref, detail);
			stats->overdue++;
		} else {
			snprintf(detail, sizeof detail, "%s due %s: reminder sent", o->kind, due);
			log_info("timers", "%s: %s", t.ref, detail);
			stats->reminders++;
		}
		rc = store_obligation_set_stages(st, o->id, remind[i], overdue[i], err) < 0 ||
		     store_event_add(st, t.id, now, "bot", items[i].overdue_stage ?
				     "obligation-overdue" : "reminder", detail, err) < 0 ? -1 : 0;
	}
	store_ticket_release(&t);
done:
	free(items);
	free(remind);
	free(overdue);
	return rc;
}

/* Every open obligation, ticket by ticket (the list comes nearest due first). */
static int obligations(const struct config *cfg, struct store *st, time_t now,
		       struct timer_stats *stats, struct error *err)
{
	struct obligation *list, *mine;
	bool *seen;
	size_t i, j, k, n;
	int rc = 0;

	if (store_obligation_list(st, 0, &list, &n, err) < 0)
		return -1;
	seen = calloc(n + 1, sizeof *seen);
	mine = calloc(n + 1, sizeof *mine);
	if (!seen || !mine)
		rc = error_set(err, ERR_TEMP, "timers: out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		if (seen[i])
			continue;
		/* shallow copies: the strings stay list's */
		for (j = i, k = 0; j < n; j++)
			if (list[j].ticket_id == list[i].ticket_id) {
				seen[j] = true;
				mine[k++] = list[j];
			}
		rc = ticket_due(cfg, st, mine, k, now, stats, err);
	}
	free(seen);
	free(mine);
	store_obligations_free(list, n);
	return rc;
}

/* ---- the management digest ---- */

/* A state value as a time; 0 when unset. */
static int state_time(struct store *st, const char *key, time_t *t, struct error *err)
{
	char *v = NULL;
	int rc = store_state_get(st, key, &v, err);

	*t = rc == 1 ? (time_t)strtoll(v, NULL, 10) : 0;
	free(v);
	return rc < 0 ? -1 : 0;
}

/*
 * SPEC 4 "digest": daily at the configured local time (default 09:00
 * Asia/Tokyo).  The local date of the last scheduled time is remembered:
 * a digest fires once per date, late if the bot was down at 09:00.  On
 * the very first pass the date is only noted — the bot was not down, it
 * did not exist yet.
 */
static int digest(const struct config *cfg, struct store *st, time_t now,
		  struct timer_stats *stats, struct error *err)
{
	char date[16], *last_date = NULL, since_text[32];
	time_t since;
	int rc, queued;

	if (!cfg->policy.digest_enabled)
		return 0;
	local_date(daily_last(now, cfg->policy.digest_minutes), date, sizeof date);
	if ((rc = store_state_get(st, "digest.date", &last_date, err)) < 0)
		return -1;
	if (rc == 1 && strcmp(last_date, date) >= 0) {	/* sent (or clock went back) */
		free(last_date);
		return 0;
	}
	free(last_date);
	if (rc == 0)
		return store_state_set(st, "digest.date", date, err);
	if (state_time(st, "digest.last_at", &since, err) < 0 ||
	    (queued = briefing_queue(cfg, st, now, since, err)) < 0)
		return -1;
	snprintf(since_text, sizeof since_text, "%lld", (long long)now);
	if (store_state_set(st, "digest.date", date, err) < 0 ||
	    store_state_set(st, "digest.last_at", since_text, err) < 0)
		return -1;
	log_info("timers", "digest of %s queued to %d people", date, queued);
	stats->digests++;
	return 0;
}

/* ---- periodic reviews ---- */

/*
 * Policy 5(1) yearly risk review, 5(2) half-yearly plan verification,
 * 6(2) drills: due `every` after the last one; the admins are reminded at
 * the due time and every review_repeat after it until it is recorded as
 * done.  A review never recorded counts from the bot's first pass.
 */
static int reviews(const struct config *cfg, struct store *st, time_t now,
		   struct timer_stats *stats, struct error *err)
{
	int k;

	for (k = 0; k < REVIEW_COUNT; k++) {
		struct review r;
		time_t due;
		int stage, rc = store_review_get(st, review_name(k), &r, err);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (store_review_done(st, review_name(k), now, NULL, err) < 0)
				return -1;
			continue;
		}
		due = span_add(r.last_done, &cfg->policy.review_every[k]);
		stage = stage_overdue(due, now, span_seconds_at(due, &cfg->policy.review_repeat));
		if (stage > r.remind_stage) {
			char when[40];

			log_info("timers", "review %s due since %s: admins reminded",
				 review_name(k), clock_format_short(due, when, sizeof when));
			if (notify_review(cfg, st, review_name(k), review_label(k), NULL,
					  r.last_done, due, now, err) < 0 ||
			    store_review_set_stage(st, review_name(k), stage, err) < 0) {
				store_review_release(&r);
				return -1;
			}
			stats->reviews++;
		}
		store_review_release(&r);
	}
	return 0;
}

/*
 * Policy 5(2): "主要なインフラストラクチャまたはシステムの変更後は、計画を
 * 確認し検証をおこなう" — each change an admin announced (review start
 * change) is reminded from its due time, every review_repeat, until done.
 */
static int change_reviews(const struct config *cfg, struct store *st, time_t now,
			  struct timer_stats *stats, struct error *err)
{
	struct change_review *list;
	size_t i, n;
	int rc = 0;

	if (store_change_review_list(st, true, &list, &n, err) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		const struct change_review *r = &list[i];
		int stage = stage_overdue(r->due_at, now,
					  span_seconds_at(r->due_at, &cfg->policy.review_repeat));

		if (stage <= r->remind_stage)
			continue;
		log_info("timers", "change review %lld due: admins reminded", (long long)r->id);
		rc = notify_review(cfg, st, "change", review_change_label, r->what, r->opened_at,
				   r->due_at, now, err) < 0 ||
		     store_change_review_set_stage(st, r->id, stage, err) < 0 ? -1 : 0;
		stats->reviews += rc == 0;
	}
	store_change_reviews_free(list, n);
	return rc;
}

int timers_run(const struct config *cfg, struct store *st, time_t now,
	       struct timer_stats *stats, struct error *err)
{
	if (store_begin(st, err) < 0)
		return -1;
	if (escalate_unacked(cfg, st, now, stats, err) < 0 ||
	    obligations(cfg, st, now, stats, err) < 0 ||
	    digest(cfg, st, now, stats, err) < 0 ||
	    reviews(cfg, st, now, stats, err) < 0 ||
	    change_reviews(cfg, st, now, stats, err) < 0) {
		error_prefix(err, "timers");
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err) < 0 ? (store_rollback(st), -1) : 0;
}
