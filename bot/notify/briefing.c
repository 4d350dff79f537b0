/*
 * briefing.c — see briefing.h.  Two steps: read what the digest needs from
 * the store (every ticket, the open obligations, the three reviews, the
 * recent tickets' obligations and timelines), then turn those records into
 * template variables.  The second step does no I/O, so briefing_check()
 * runs it on made-up records.  This file has the counts, the charts and
 * the store; briefing_incidents.c each open incident by name and what
 * happened since the last digest.
 *
 * To add a figure: compute it in summarize(), set it in set_*(), document
 * it in templates/README.md, and use it in digest.txt and digest.html.
 */
#include "notify/briefing.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "notify/briefing_internal.h"
#include "outbox/outbox.h"
#include "rules/deadline.h"
#include "rules/policy.h"

#define BAR_PX 180		/* the longest bar of the priority chart (fits a 390 px phone) */

/* Policy 7-2 priorities, then tickets nobody has classified yet. */
#define PRIO_UNSET PRIORITY_COUNT
static const char *const prio_colors[PRIORITY_COUNT + 1] = {
	"#c62828", "#ef6c00", "#9e9e9e", "#607d8b",	/* red, orange, grey; unset */
};

int briefing_oom(struct error *err)
{
	return error_set(err, ERR_TEMP, "briefing: out of memory");
}


bool briefing_is_drill(const struct ticket *t)
{
	return (t->flags & FLAG_BIT(FLAG_DRILL)) != 0;
}

const struct ticket *briefing_ticket_of(const struct inputs *in, int64_t id)
{
	size_t i;

	for (i = 0; i < in->n_tickets; i++)
		if (in->tickets[i].id == id)
			return &in->tickets[i];
	return NULL;
}

time_t briefing_window_start(const struct inputs *in)
{
	return in->since ? in->since : in->now - DAY;
}

/* ---- durations and times for people ---- */

/* "2日3時間" / "2 d 3 h": the two largest units, never less than a minute. */
static void duration(long s, char *ja, size_t ja_len, char *en, size_t en_len)
{
	long d, h, m;

	if (s < 0)
		s = 0;
	d = s / DAY;
	h = s % DAY / HOUR;
	m = s % HOUR / 60;
	if (d > 0 && h > 0) {
		snprintf(ja, ja_len, "%ld日%ld時間", d, h);
		snprintf(en, en_len, "%ld d %ld h", d, h);
	} else if (d > 0) {
		snprintf(ja, ja_len, "%ld日", d);
		snprintf(en, en_len, "%ld d", d);
	} else if (h > 0 && m > 0) {
		snprintf(ja, ja_len, "%ld時間%ld分", h, m);
		snprintf(en, en_len, "%ld h %ld min", h, m);
	} else if (h > 0) {
		snprintf(ja, ja_len, "%ld時間", h);
		snprintf(en, en_len, "%ld h", h);
	} else if (m > 0) {
		snprintf(ja, ja_len, "%ld分", m);
		snprintf(en, en_len, "%ld min", m);
	} else {
		snprintf(ja, ja_len, "1分未満");
		snprintf(en, en_len, "< 1 min");
	}
}

void briefing_duration_ja(long s, char *buf, size_t len)
{
	char en[48];

	duration(s, buf, len, en, sizeof en);
}

int briefing_set_duration(struct tvars *v, const char *key, long s)
{
	char ja[48], en[48], key_en[64];

	duration(s, ja, sizeof ja, en, sizeof en);
	snprintf(key_en, sizeof key_en, "%s_en", key);
	return tvars_set(v, key, ja) < 0 || tvars_set(v, key_en, en) < 0 ? -1 : 0;
}

int briefing_set_time(struct tvars *v, const char *key, time_t t)
{
	char buf[40];

	return tvars_set(v, key, clock_format_short(t, buf, sizeof buf));
}

static int set_count(struct tvars *v, const char *key, long n)
{
	return tvars_setf(v, key, "%ld", n);
}

/* A span from the configuration in Japanese: "1年", "6か月", "2週間", "90日". */
static void span_ja(const struct span *sp, char *buf, size_t len)
{
	if (sp->months && sp->months % 12 == 0)
		snprintf(buf, len, "%d年", sp->months / 12);
	else if (sp->months)
		snprintf(buf, len, "%dか月", sp->months);
	else if (sp->days && sp->days % 7 == 0)
		snprintf(buf, len, "%d週間", sp->days / 7);
	else if (sp->days)
		snprintf(buf, len, "%d日", sp->days);
	else
		snprintf(buf, len, "%ld時間", sp->seconds / HOUR);
}

/* ---- the figures ---- */

/* The middle of n sorted values (the mean of the two middle ones for even n). */
static long median(long *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++)		/* insertion sort: a month of tickets */
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			long t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* key (and key_en) to the median of the n values, or "データなし" when none. */
static int set_median(struct tvars *v, const char *key, long *values, size_t n)
{
	char key_en[64];

	if (n)
		return briefing_set_duration(v, key, median(values, n));
	snprintf(key_en, sizeof key_en, "%s_en", key);
	return tvars_set(v, key, "データなし") < 0 || tvars_set(v, key_en, "no data") < 0 ? -1 : 0;
}

/*
 * Median time from created_at to acked_at, and to contained_at, of the
 * non-drill tickets created in the last BRIEFING_MEDIAN_DAYS days.  The
 * store's contained_at is when a ticket first reached "recovering" (policy
 * 7-5 抑制措置・復旧) or later, not when containment (7-3) began: the
 * digest calls it "recover", time to recovery, so the figure says what it
 * measures (issue 13: it was labelled 封じ込めまで).
 */
static int set_medians(struct tvars *v, const struct inputs *in, struct error *err)
{
	long *ack = calloc(in->n_tickets + 1, sizeof *ack);
	long *recover = calloc(in->n_tickets + 1, sizeof *recover);
	size_t i, n_ack = 0, n_recover = 0, recent = 0;
	time_t from = in->now - BRIEFING_MEDIAN_DAYS * DAY;
	int rc = -1;

	if (!ack || !recover)
		goto done;
	for (i = 0; i < in->n_tickets; i++) {
		const struct ticket *t = &in->tickets[i];

		if (briefing_is_drill(t) || t->created_at <= from || t->created_at > in->now)
			continue;
		recent++;
		if (t->acked_at)
			ack[n_ack++] = (long)(t->acked_at - t->created_at);
		if (t->contained_at)
			recover[n_recover++] = (long)(t->contained_at - t->created_at);
	}
	if (set_count(v, "recent_count", (long)recent) < 0 ||
	    set_count(v, "ack_count", (long)n_ack) < 0 ||
	    set_count(v, "recover_count", (long)n_recover) < 0 ||
	    set_count(v, "median_days", BRIEFING_MEDIAN_DAYS) < 0)
		goto done;
	if (set_median(v, "ack_median", ack, n_ack) < 0 ||
	    set_median(v, "recover_median", recover, n_recover) < 0)
		goto done;
	rc = 0;
done:
	free(ack);
	free(recover);
	return rc < 0 ? briefing_oom(err) : 0;
}

/* ticket_id, subject and the priority's label of t into item. */
static int set_ticket(struct tvars *item, const struct ticket *t)
{
	int p = t->priority;

	return tvars_set(item, "ticket_id", t->ref) < 0 ||
	       tvars_set(item, "subject", t->subject) < 0 ||
	       tvars_set(item, "priority", p >= 0 ? priority_label(p) : "未分類") < 0 ? -1 : 0;
}

/*
 * The open tickets by priority (the bar chart) and by status, the
 * unacknowledged ones, the resolved ones awaiting their close (listed
 * when their lessons-learned document is missing), the ones closed in
 * (since, now], and the drills apart.
 */
static int set_tickets(struct tvars *v, const struct inputs *in, struct error *err)
{
	long by_prio[PRIORITY_COUNT + 1] = { 0 }, by_status[STATUS_COUNT] = { 0 };
	long open = 0, drills_open = 0, drills_closed = 0, closed = 0, max = 0;
	time_t since = in->since ? in->since : in->now - DAY;
	size_t i;
	int k;

	long no_lessons = 0;

	if (tvars_set_list(v, "unacked") < 0 || tvars_set_list(v, "closed") < 0 ||
	    tvars_set_list(v, "by_priority") < 0 || tvars_set_list(v, "by_status") < 0 ||
	    tvars_set_list(v, "no_lessons") < 0)
		return briefing_oom(err);
	for (i = 0; i < in->n_tickets; i++) {
		const struct ticket *t = &in->tickets[i];
		int st = t->status, p = t->priority;
		bool active = st >= 0 && !policy_settled(st);
		bool closed_now = t->closed_at && t->closed_at > since && t->closed_at <= in->now;
		struct tvars *item;

		if (briefing_is_drill(t)) {	/* policy 6-2: a drill is not an incident */
			drills_open += active;
			drills_closed += closed_now;
			continue;
		}
		if (st >= 0)
			by_status[st]++;
		if (active) {
			open++;
			by_prio[p >= 0 ? p : PRIO_UNSET]++;
		}
		if (st == STATUS_NEW) {
			if (!(item = tvars_add_item(v, "unacked")) || set_ticket(item, t) < 0 ||
			    briefing_set_time(item, "created", t->created_at) < 0 ||
			    briefing_set_duration(item, "age", (long)(in->now - t->created_at)) < 0)
				return briefing_oom(err);
		}
		/* policy 8: resolved, and the lessons-learned document still missing */
		if (st == STATUS_RESOLVED && !(t->lessons && *t->lessons)) {
			no_lessons++;
			if (!(item = tvars_add_item(v, "no_lessons")) || set_ticket(item, t) < 0 ||
			    briefing_set_time(item, "resolved_at", t->resolved_at) < 0 ||
			    briefing_set_duration(item, "age", (long)(in->now - t->resolved_at)) < 0 ||
			    tvars_set(item, "owner", t->owner && *t->owner ? t->owner : "未定") < 0)
				return briefing_oom(err);
		}
		if (closed_now) {
			closed++;
			if (!(item = tvars_add_item(v, "closed")) || set_ticket(item, t) < 0 ||
			    briefing_set_time(item, "closed_at", t->closed_at) < 0 ||
			    briefing_set_duration(item, "took", (long)(t->closed_at - t->created_at)) < 0)
				return briefing_oom(err);
		}
	}
	for (k = 0; k <= PRIO_UNSET; k++)
		if (by_prio[k] > max)
			max = by_prio[k];
	for (k = 0; k <= PRIO_UNSET; k++) {
		/* A bar at least a few pixels long, so that 1 of 500 shows. */
		long px = max ? by_prio[k] * BAR_PX / max : 0;
		struct tvars *item;

		if (k == PRIO_UNSET && by_prio[k] == 0)
			continue;
		if (by_prio[k] > 0 && px < 4)
			px = 4;
		if (!(item = tvars_add_item(v, "by_priority")) ||
		    tvars_set(item, "label", k < PRIORITY_COUNT ? priority_label(k) : "未分類") < 0 ||
		    tvars_set(item, "name", k < PRIORITY_COUNT ? priority_name(k) : "unclassified") < 0 ||
		    set_count(item, "count", by_prio[k]) < 0 ||
		    tvars_set(item, "color", prio_colors[k]) < 0 ||
		    set_count(item, "bar_px", px) < 0 ||
		    set_count(item, "rest_px", BAR_PX - px) < 0 ||
		    tvars_set(item, "bar", px ? "1" : "") < 0 ||
		    tvars_set(item, "rest", px < BAR_PX ? "1" : "") < 0)
			return briefing_oom(err);
	}
	for (k = STATUS_NEW; k < STATUS_RESOLVED; k++) {
		struct tvars *item = tvars_add_item(v, "by_status");

		if (!item || tvars_set(item, "label", status_label(k)) < 0 ||
		    tvars_set(item, "name", status_name(k)) < 0 ||
		    set_count(item, "count", by_status[k]) < 0)
			return briefing_oom(err);
	}
	if (set_count(v, "open_count", open) < 0 ||
	    set_count(v, "unacked_count", by_status[STATUS_NEW]) < 0 ||
	    set_count(v, "resolved_count", by_status[STATUS_RESOLVED]) < 0 ||
	    set_count(v, "no_lessons_count", no_lessons) < 0 ||
	    set_count(v, "closed_count", closed) < 0 ||
	    set_count(v, "drills_open", drills_open) < 0 ||
	    set_count(v, "drills_closed", drills_closed) < 0 ||
	    tvars_set(v, "drills", drills_open || drills_closed ? "1" : "") < 0 ||
	    tvars_set(v, "since_known", in->since ? "1" : "") < 0 ||
	    briefing_set_time(v, "since", since) < 0)
		return briefing_oom(err);
	return 0;
}

int briefing_set_obligation(struct tvars *item, const struct ticket *t,
			    const struct obligation *o, time_t now)
{
	int kind = obligation_from_name(o->kind);
	struct policy_facts facts = store_ticket_facts(t);
	/* policy 7-4 省略可能: open until an admin skips it, marked so */
	bool skippable = kind >= 0 && (policy_waivable(&facts) & (1u << kind));
	enum deadline_kind dk = policy_deadline_kind(kind >= 0 ? kind : OBL_COUNT, &facts);
	bool late = o->due_at <= now;
	char span[48];

	briefing_duration_ja((long)(late ? now - o->due_at : o->due_at - now), span, sizeof span);
	return set_ticket(item, t) < 0 ||
	       tvars_set(item, "skippable", skippable ? "1" : "") < 0 ||
	       tvars_set(item, "deadline", deadline_kind_label(dk)) < 0 ||
	       tvars_set(item, "deadline_kind", deadline_kind_name(dk)) < 0 ||
	       tvars_set(item, "label", kind >= 0 ? obligation_label(kind) : o->kind) < 0 ||
	       tvars_set(item, "short", kind >= 0 ? obligation_short_label(kind) : o->kind) < 0 ||
	       tvars_set(item, "kind", o->kind) < 0 ||
	       briefing_set_time(item, "due", o->due_at) < 0 ||
	       tvars_set(item, "is_late", late ? "1" : "") < 0 ||
	       tvars_setf(item, "when", late ? "期限切れ %s" : "残り %s", span) < 0 ||
	       briefing_set_duration(item, late ? "late" : "left",
				     (long)(late ? now - o->due_at : o->due_at - now)) < 0 ? -1 : 0;
}

/* The heading of a column of the deadline line: "11/26" and "(木)" / "Thu". */
struct day_head {
	char date[16], wd[16], wd_en[8];
};

static void day_head(time_t t, struct day_head *h)
{
	static const char *const wd_ja[7] = { "日", "月", "火", "水", "木", "金", "土" };
	static const char *const wd_en[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct tm tm;

	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(h->date, sizeof h->date, "%d/%d", (tm.tm_mon + 1) % 100, tm.tm_mday % 100);
	snprintf(h->wd, sizeof h->wd, "(%s)", wd_ja[tm.tm_wday % 7]);
	snprintf(h->wd_en, sizeof h->wd_en, "%s", wd_en[tm.tm_wday % 7]);
}

/* One cell of the deadline line: the colour says how urgent (0: overdue);
 * row_break starts a second row (a phone shows 8 cells of 40 px, not 15). */
static int add_day(struct tvars *v, const struct day_head *h, long count, int urgency,
		   bool row_break)
{
	static const char *const bg[] = { "#c62828", "#ef6c00", "#f9a825", "#90caf9" };
	static const char *const fg[] = { "#ffffff", "#ffffff", "#000000", "#000000" };
	struct tvars *item = tvars_add_item(v, "days");

	return !item || tvars_set(item, "date", h->date) < 0 || tvars_set(item, "wd", h->wd) < 0 ||
	       tvars_set(item, "wd_en", h->wd_en) < 0 ||
	       tvars_setf(item, "head", "%s%s", h->date, h->wd) < 0 ||
	       set_count(item, "count", count) < 0 ||
	       tvars_set(item, "bg", count ? bg[urgency] : "#f5f5f5") < 0 ||
	       tvars_set(item, "fg", count ? fg[urgency] : "#9e9e9e") < 0 ||
	       tvars_set(item, "row_break", row_break ? "1" : "") < 0 ? -1 : 0;
}

/*
 * The open obligations of non-drill tickets: overdue (due <= now, policy
 * 7-4's clocks run from the awareness time), due within the next 48 h,
 * and per local day for the 14-day line of the HTML version.
 */
static int set_obligations(struct tvars *v, const struct inputs *in, struct error *err)
{
	time_t day[BRIEFING_DAYS + 1], soon = in->now + BRIEFING_UPCOMING_HOURS * HOUR;
	long per_day[BRIEFING_DAYS] = { 0 }, overdue = 0, upcoming = 0, later = 0;
	struct day_head head = { "期限切れ", "", "late" };
	size_t i;
	int d;

	day[0] = daily_last(in->now, 0);	/* local midnight */
	for (d = 1; d <= BRIEFING_DAYS; d++) {
		struct span sp = { .days = d };
		day[d] = span_add(day[0], &sp);
	}
	if (tvars_set_list(v, "overdue") < 0 || tvars_set_list(v, "upcoming") < 0 ||
	    tvars_set_list(v, "days") < 0)
		return briefing_oom(err);
	for (i = 0; i < in->n_obl; i++) {
		const struct obligation *o = &in->obl[i];
		const struct ticket *t = briefing_ticket_of(in, o->ticket_id);
		struct tvars *item;

		if (!t || briefing_is_drill(t))
			continue;
		if (o->due_at <= in->now) {
			overdue++;
			item = tvars_add_item(v, "overdue");
		} else {
			for (d = 0; d < BRIEFING_DAYS && o->due_at >= day[d + 1]; d++)
				;
			if (d < BRIEFING_DAYS)
				per_day[d]++;
			else
				later++;
			if (o->due_at > soon)
				continue;
			upcoming++;
			item = tvars_add_item(v, "upcoming");
		}
		if (!item || briefing_set_obligation(item, t, o, in->now) < 0)
			return briefing_oom(err);
	}
	if (add_day(v, &head, overdue, 0, false) < 0)
		return briefing_oom(err);
	for (d = 0; d < BRIEFING_DAYS; d++) {
		day_head(day[d], &head);
		/* today and tomorrow; this week; later */
		if (add_day(v, &head, per_day[d], d < 2 ? 1 : d < 7 ? 2 : 3, d == 7) < 0)
			return briefing_oom(err);
	}
	if (set_count(v, "overdue_count", overdue) < 0 ||
	    set_count(v, "upcoming_count", upcoming) < 0 ||
	    set_count(v, "upcoming_hours", BRIEFING_UPCOMING_HOURS) < 0 ||
	    set_count(v, "later_count", later) < 0 ||
	    set_count(v, "days_count", BRIEFING_DAYS) < 0)
		return briefing_oom(err);
	return 0;
}

/* Policy 5(1), 5(2), 6(2): due when last_done + every <= now. */
static int set_reviews(struct tvars *v, const struct config *cfg, const struct inputs *in,
		       struct error *err)
{
	long due_count = 0;
	int k;

	if (tvars_set_list(v, "reviews") < 0 || tvars_set_list(v, "reviews_due") < 0)
		return briefing_oom(err);
	for (k = 0; k < REVIEW_COUNT; k++) {
		const struct review_at *r = &in->review[k];
		bool due = r->known && r->due_at <= in->now;
		char every_ja[32], every_en[16], last[16], next[16];
		struct tvars *item;
		int pass;

		span_ja(&cfg->policy.review_every[k], every_ja, sizeof every_ja);
		span_format(&cfg->policy.review_every[k], every_en, sizeof every_en);
		snprintf(last, sizeof last, "%s", "記録なし");
		snprintf(next, sizeof next, "%s", "-");
		if (r->known) {
			/* the bot's first pass starts the clock but is no review:
			 * "前回" is a date only when someone recorded one (`review`) */
			if (r->ever_done)
				local_date(r->last_done, last, sizeof last);
			local_date(r->due_at, next, sizeof next);
		}
		due_count += due;
		for (pass = 0; pass < 1 + due; pass++) {
			item = tvars_add_item(v, pass ? "reviews_due" : "reviews");
			if (!item || tvars_set(item, "name", review_info(k)->name) < 0 ||
			    tvars_set(item, "section", review_info(k)->section) < 0 ||
			    tvars_set(item, "label", review_info(k)->title) < 0 ||
			    tvars_set(item, "label_en", review_info(k)->title_en) < 0 ||
			    tvars_set(item, "every", every_ja) < 0 ||
			    tvars_set(item, "every_en", every_en) < 0 ||
			    tvars_set(item, "last_done", last) < 0 ||
			    tvars_set(item, "next_due", next) < 0 ||
			    tvars_set(item, "due", due ? "1" : "") < 0 ||
			    tvars_set(item, "known", r->known ? "1" : "") < 0 ||
			    tvars_set(item, "ever_done", r->ever_done ? "1" : "") < 0 ||
			    (due ? briefing_set_duration(item, "late", (long)(in->now - r->due_at))
				 : briefing_set_duration(item, "late", 0)) < 0)
				return briefing_oom(err);
		}
	}
	return set_count(v, "reviews_due_count", due_count) < 0 ? briefing_oom(err) : 0;
}

#define FAILED_MAIL_SHOWN 30

/*
 * Mail that failed for good since the last digest (issue 7): the admins
 * were told by mail as each failed, but when the mail server refuses
 * everything that notice fails too — the digest is the other route.
 */
static int set_failed_mail(struct tvars *v, const struct inputs *in)
{
	/* after a long outage: the newest ones, the rest counted (`outbox` lists all) */
	size_t shown = in->n_failed < FAILED_MAIL_SHOWN ? in->n_failed : FAILED_MAIL_SHOWN, i;

	if (tvars_set_list(v, "failed_mail") < 0 ||
	    set_count(v, "failed_mail_count", (long)in->n_failed) < 0 ||
	    set_count(v, "automatic_count", in->automatic) < 0 ||
	    set_count(v, "failed_mail_more", (long)(in->n_failed - shown)) < 0 ||
	    tvars_set(v, "failed_mail_cut", in->n_failed > shown ? "1" : "") < 0)
		return -1;
	for (i = 0; i < shown; i++) {
		const struct outbox_entry *e = &in->failed[i];
		const struct ticket *t = briefing_ticket_of(in, e->ticket_id);
		struct tvars *item = tvars_add_item(v, "failed_mail");

		if (!item || tvars_set(item, "ticket_id", t ? t->ref : "-") < 0 ||
		    tvars_set(item, "kind", e->kind) < 0 || tvars_set(item, "to", e->rcpt) < 0 ||
		    tvars_set(item, "subject", e->subject ? e->subject : "") < 0 ||
		    tvars_set(item, "reason", e->last_error ? e->last_error : "") < 0 ||
		    briefing_set_time(item, "failed_at", e->failed_at ? e->failed_at : e->created_at) < 0)
			return -1;
	}
	return 0;
}

/* Policy 7-1: whom management asks about an incident (the admins). */
static int set_admins(struct tvars *v, const struct config *cfg)
{
	size_t i;

	if (tvars_set_list(v, "admins") < 0)
		return -1;
	for (i = 0; i < cfg->n_persons; i++) {
		const struct person *p = &cfg->persons[i];
		struct tvars *item;

		if (!(p->roles & ROLE_ADMIN))
			continue;
		if (!(item = tvars_add_item(v, "admins")) || tvars_set(item, "name", p->name) < 0 ||
		    tvars_set(item, "email", p->email) < 0 || tvars_set(item, "phone", p->phone) < 0)
			return -1;
	}
	return 0;
}

/* The whole set of variables from the records. */
static int summarize(const struct config *cfg, const struct inputs *in, struct tvars *v,
		     struct error *err)
{
	char date[16];

	if (tvars_set(v, "digest_date", local_date(in->now, date, sizeof date)) < 0 ||
	    briefing_set_time(v, "digest_time", in->now) < 0 ||
	    tvars_set(v, "bot_addr", cfg->smtp.from) < 0 ||
	    tvars_set(v, "bot_name", cfg->smtp.from_name) < 0 || set_admins(v, cfg) < 0 ||
	    set_failed_mail(v, in) < 0)
		return briefing_oom(err);
	if (set_tickets(v, in, err) < 0 || set_obligations(v, in, err) < 0 ||
	    set_medians(v, in, err) < 0 || set_reviews(v, cfg, in, err) < 0 ||
	    briefing_set_incidents(v, cfg, in, err) < 0)
		return -1;
	return 0;
}

/* ---- the store ---- */

/* What a ticket is worth reading back for "since the last digest". */
static bool recent(const struct ticket *t, time_t from)
{
	return !briefing_is_drill(t) && (!t->closed_at || t->closed_at > from);
}

/*
 * The obligations (any state) and timelines of the tickets not closed
 * before the window: what "since the last digest" is made of.  The
 * arrays are the caller's (store_obligations_free, release_events).
 */
static int load_recent(struct store *st, struct inputs *in, struct obligation **obl,
		       struct ticket_events **events, struct error *err)
{
	time_t from = briefing_window_start(in);
	size_t i, n_obl = 0, n_ev = 0;

	*obl = NULL;
	*events = calloc(in->n_tickets + 1, sizeof **events);
	if (!*events)
		return briefing_oom(err);
	for (i = 0; i < in->n_tickets; i++) {
		const struct ticket *t = &in->tickets[i];
		struct obligation *o, *grown;
		size_t n;

		if (!recent(t, from))
			continue;
		(*events)[n_ev].ticket_id = t->id;
		if (store_event_list(st, t->id, &(*events)[n_ev].ev, &(*events)[n_ev].n, err) < 0)
			goto fail;
		n_ev++;
		if (store_obligation_list(st, t->id, &o, &n, err) < 0)
			goto fail;
		if (n && !(grown = realloc(*obl, (n_obl + n) * sizeof **obl))) {
			store_obligations_free(o, n);
			briefing_oom(err);
			goto fail;
		}
		if (n) {	/* the records move: free only the emptied array */
			*obl = grown;
			memcpy(*obl + n_obl, o, n * sizeof *o);
			n_obl += n;
			free(o);
		}
	}
	in->recent_obl = *obl;
	in->n_recent_obl = n_obl;
	in->events = *events;
	in->n_events = n_ev;
	return 0;
fail:
	in->n_recent_obl = n_obl;
	in->n_events = n_ev;
	return -1;
}

static void release_events(struct ticket_events *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++)
		store_events_free(e[i].ev, e[i].n);
	free(e);
}

int briefing_vars(const struct config *cfg, struct store *st, time_t now, time_t since,
		  struct tvars **out, struct error *err)
{
	struct ticket_filter all = { .all = true, .oldest_first = true };
	struct outbox_filter failed = { .state = OUTBOX_FAILED, .since = since ? since : now - DAY };
	struct ticket *tickets = NULL;
	struct obligation *obl = NULL, *recent_obl = NULL;
	struct ticket_events *events = NULL;
	struct outbox_entry *failed_mail = NULL;
	struct inputs in = { .now = now, .since = since };
	struct tvars *v = NULL;
	int k, rc = -1;

	*out = NULL;
	if (store_ticket_query(st, &all, &tickets, &in.n_tickets, err) < 0)
		return -1;
	in.tickets = tickets;
	if (store_obligation_list(st, 0, &obl, &in.n_obl, err) < 0 ||
	    store_outbox_query(st, &failed, &failed_mail, &in.n_failed, err) < 0 ||
	    store_message_automatic_count(st, failed.since, now + 1, &in.automatic, err) < 0 ||
	    load_recent(st, &in, &recent_obl, &events, err) < 0)
		goto done;
	in.obl = obl;
	in.failed = failed_mail;
	for (k = 0; k < REVIEW_COUNT; k++) {
		struct review r = { 0 };
		int found = store_review_get(st, review_name(k), &r, err);

		if (found < 0)
			goto done;
		/* No row yet: the timers start the clock at their first pass. */
		in.review[k].known = found == 1;
		if (found == 1) {
			in.review[k].ever_done = r.done_by != NULL;
			in.review[k].last_done = r.last_done;
			in.review[k].due_at = span_add(r.last_done, &cfg->policy.review_every[k]);
			store_review_release(&r);
		}
	}
	if (!(v = tvars_new())) {
		briefing_oom(err);
		goto done;
	}
	if (summarize(cfg, &in, v, err) < 0)
		goto done;
	*out = v;
	v = NULL;
	rc = 0;
done:
	tvars_free(v);
	store_tickets_free(tickets, in.n_tickets);
	store_obligations_free(obl, in.n_obl);
	store_obligations_free(recent_obl, in.n_recent_obl);
	release_events(events, in.n_events);
	store_outbox_free(failed_mail, in.n_failed);
	if (rc < 0)
		error_prefix(err, "digest");
	return rc;
}

int briefing_queue(const struct config *cfg, struct store *st, time_t now, time_t since,
		   struct error *err)
{
	struct outbox_mail om = {
		.kind = "digest", .template = "digest.txt", .html_template = "digest.html",
	};
	struct tvars *vars;
	size_t i;
	int queued = 0;

	if (briefing_vars(cfg, st, now, since, &vars, err) < 0)
		return -1;
	om.vars = vars;
	/* SPEC 4: the digest is management's; an admin who is also management gets it */
	for (i = 0; i < cfg->n_persons; i++) {
		if (!(cfg->persons[i].roles & ROLE_MANAGEMENT))
			continue;
		om.to_addr = cfg->persons[i].email;
		om.to_name = cfg->persons[i].name;
		if (outbox_queue(st, cfg, 0, NULL, &om, now, err) < 0) {
			tvars_free(vars);
			return -1;
		}
		queued++;
	}
	tvars_free(vars);
	return queued;
}

int briefing_print(const struct config *cfg, struct store *st, time_t now, time_t since,
		   bool html, FILE *f, struct error *err)
{
	struct tvars *vars;
	char *subject = NULL, *body = NULL;
	int rc;

	if (briefing_vars(cfg, st, now, since, &vars, err) < 0)
		return -1;
	if (html) {
		rc = render_html(cfg->templates, "digest.html", vars, &body, err);
		if (rc == 0 && fputs(body, f) < 0)
			rc = error_set(err, ERR_FATAL, "digest: cannot write the digest");
	} else {
		rc = render_mail(cfg->templates, "digest.txt", vars, &subject, &body, err);
		if (rc == 0 && fprintf(f, "Subject: %s\n\n%s", subject, body) < 0)
			rc = error_set(err, ERR_FATAL, "digest: cannot write the digest");
	}
	free(subject);
	free(body);
	tvars_free(vars);
	return rc;
}

int briefing_since(struct store *st, time_t *since, struct error *err)
{
	char *v = NULL, *end;
	long long t;
	int rc = store_state_get(st, BRIEFING_LAST_KEY, &v, err);

	*since = 0;
	if (rc < 0)
		return -1;
	if (rc == 1) {
		t = strtoll(v, &end, 10);
		if (end != v && *end == '\0' && t > 0)
			*since = (time_t)t;
	}
	free(v);
	return 0;
}

int briefing_mark(struct store *st, time_t at, struct error *err)
{
	char text[32];

	snprintf(text, sizeof text, "%lld", (long long)at);
	return store_state_set(st, BRIEFING_LAST_KEY, text, err);
}

/* ---- check-config ---- */

int briefing_check(const struct config *cfg, time_t now, struct error *err)
{
	struct ticket t[4] = {
		{ .id = 1, .ref = "INC-2026-0001", .subject = "サンプル: 不正アクセスの疑い",
		  .status = STATUS_NEW, .priority = PRIORITY_HIGH,
		  .type = TYPE_UNSET, .source = SOURCE_UNSET },
		{ .id = 2, .ref = "INC-2026-0002", .subject = "サンプル: <b>個人情報</b> & 流出",
		  .status = STATUS_INVESTIGATING, .priority = PRIORITY_MEDIUM,
		  .type = TYPE_UNSET, .source = SOURCE_UNSET },
		{ .id = 3, .ref = "INC-2026-0003", .subject = "サンプル: 訓練",
		  .status = STATUS_CLOSED, .priority = PRIORITY_LOW,
		  .type = TYPE_UNSET, .source = SOURCE_UNSET },
		{ .id = 4, .ref = "INC-2026-0004", .subject = "サンプル: 解決済み",
		  .status = STATUS_RESOLVED, .priority = PRIORITY_MEDIUM,
		  .type = TYPE_UNSET, .source = SOURCE_UNSET },
	};
	struct obligation o[2] = {
		{ .ticket_id = 2, .kind = "amazon", .state = OBLIGATION_OPEN },
		{ .ticket_id = 2, .kind = "ppc-preliminary", .state = OBLIGATION_OPEN },
	};
	struct outbox_entry failed = {
		.ticket_id = 2, .kind = "ack", .rcpt = "reporter@example.com",
		.subject = "[INC-2026-0002] 受付 / Received", .last_error = "550 5.1.1 no such user",
	};
	struct inputs in = { .tickets = t, .n_tickets = 4, .obl = o, .n_obl = 2,
			     .failed = &failed, .n_failed = 1, .automatic = 3, .now = now,
			     .since = now - DAY };
	struct tvars *v = tvars_new();
	char *subject = NULL, *body = NULL, *html = NULL;
	int k, rc = -1;

	t[0].created_at = now - 2 * HOUR;
	t[1].created_at = now - 3 * DAY;
	t[1].acked_at = now - 3 * DAY + HOUR;
	t[2].created_at = now - 5 * DAY;
	t[2].acked_at = t[2].contained_at = now - 4 * DAY;
	t[2].closed_at = now - HOUR;
	t[3].created_at = now - 6 * DAY;
	t[3].resolved_at = now - DAY;
	o[0].due_at = now - HOUR;
	o[1].due_at = now + DAY;
	failed.created_at = now - 2 * HOUR;
	failed.failed_at = now - HOUR;
	for (k = 0; k < REVIEW_COUNT; k++) {
		in.review[k].known = true;
		in.review[k].last_done = now - 200 * DAY;
		in.review[k].due_at = span_add(in.review[k].last_done, &cfg->policy.review_every[k]);
	}
	if (!v) {
		briefing_oom(err);
		goto done;
	}
	if (summarize(cfg, &in, v, err) < 0 ||
	    render_mail(cfg->templates, "digest.txt", v, &subject, &body, err) < 0 ||
	    render_html(cfg->templates, "digest.html", v, &html, err) < 0)
		goto done;
	rc = 0;
done:
	free(subject);
	free(body);
	free(html);
	tvars_free(v);
	return rc;
}
