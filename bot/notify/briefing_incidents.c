/*
 * briefing_incidents.c — the digest's incidents by name (issue 13 point
 * 7, SPEC 4 "each open incident by name with its next statutory
 * deadline"): one line per open incident, the open obligations by kind of
 * deadline, the warning in the subject, and what was done or became late
 * since the last digest.  Pure: records in, variables out.
 *
 * A manager reads the subject on a phone's lock screen, so the subject
 * names the one deadline that cannot wait: the longest overdue statutory
 * or contractual one, else the nearest within BRIEFING_UPCOMING_HOURS.
 * Internal targets (社内目標) never make the subject: missing one is ours
 * to manage, missing a legal or contractual one is the company's exposure
 * (policy 7-4).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "notify/briefing.h"
#include "notify/briefing_internal.h"
#include "rules/policy.h"

/* At most this many lines of "since the last digest"; the rest counted. */
#define ACTIVITY_SHOWN 40

/* "12,000": a count as people read it. */
static void thousands(long n, char *buf, size_t len)
{
	char digits[32], out[48];
	size_t nd, i, o = 0;

	snprintf(digits, sizeof digits, "%ld", n < 0 ? -n : n);
	nd = strlen(digits);
	if (n < 0)
		out[o++] = '-';
	for (i = 0; i < nd; i++) {
		if (i && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}

/* The configured name of an address (config_find_person), else the address. */
static const char *person_name(const struct config *cfg, const char *addr)
{
	const struct person *p = addr && *addr ? config_find_person(cfg, addr) : NULL;

	return p && p->name && *p->name ? p->name : addr;
}

static bool is_open_ticket(const struct ticket *t)
{
	return t->status >= 0 && !policy_settled(t->status) && !briefing_is_drill(t);
}

static enum deadline_kind kind_of(const struct ticket *t, const struct obligation *o)
{
	struct policy_facts facts = store_ticket_facts(t);
	int kind = obligation_from_name(o->kind);

	return policy_deadline_kind(kind >= 0 ? kind : OBL_COUNT, &facts);
}

/* ---- one line per open incident ---- */

struct incident {
	const struct ticket *t;
	const struct obligation *next[3];	/* per enum deadline_kind: the nearest open */
	long internal_open;
	time_t key;				/* sort: the nearest statutory/contractual due */
	int prio;
};

static int by_urgency(const void *a, const void *b)
{
	const struct incident *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio - y->prio;
	return x->t->created_at < y->t->created_at ? -1 : x->t->created_at > y->t->created_at;
}

/* prefix_label, _short, _due, _when (「残り 35分」/「期限切れ 2時間」), _late; prefix
 * itself non-empty when o is set. */
static int set_next(struct tvars *item, const char *prefix, const struct obligation *o,
		    time_t now)
{
	char key[64], span[48];
	int kind;
	bool late;

	snprintf(key, sizeof key, "%s", prefix);
	if (tvars_set(item, key, o ? "1" : "") < 0)
		return -1;
	kind = o ? obligation_from_name(o->kind) : -1;
	late = o && o->due_at <= now;
	if (o)
		briefing_duration_ja((long)(late ? now - o->due_at : o->due_at - now), span,
				     sizeof span);
#define SET(suffix, value)                                                  \
	do {                                                                \
		snprintf(key, sizeof key, "%s_%s", prefix, suffix);         \
		if (tvars_set(item, key, value) < 0)                        \
			return -1;                                          \
	} while (0)
	SET("label", !o ? NULL : kind >= 0 ? obligation_label(kind) : o->kind);
	SET("short", !o ? NULL : kind >= 0 ? obligation_short_label(kind) : o->kind);
	SET("late", late ? "1" : "");
#undef SET
	snprintf(key, sizeof key, "%s_due", prefix);
	if (o ? briefing_set_time(item, key, o->due_at) < 0 : tvars_set(item, key, "") < 0)
		return -1;
	snprintf(key, sizeof key, "%s_when", prefix);
	if (o ? tvars_setf(item, key, late ? "期限切れ %s" : "残り %s", span) < 0
	      : tvars_set(item, key, "") < 0)
		return -1;
	snprintf(key, sizeof key, "%s_left", prefix);	/* the time alone, and key_en */
	if (o)
		return briefing_set_duration(item, key, (long)(late ? now - o->due_at :
							    o->due_at - now));
	if (tvars_set(item, key, "") < 0)
		return -1;
	snprintf(key, sizeof key, "%s_left_en", prefix);
	return tvars_set(item, key, "");
}

static int set_incident(struct tvars *v, const struct config *cfg, const struct incident *x,
			time_t now)
{
	const struct ticket *t = x->t;
	struct tvars *item = tvars_add_item(v, "incidents");
	int st = t->status, p = t->priority;
	bool personal = (t->flags & FLAG_BIT(FLAG_PERSONAL_DATA)) != 0;
	char n[48], affected[64], affected_en[64];

	if (t->affected >= 0) {
		thousands(t->affected, n, sizeof n);
		snprintf(affected, sizeof affected, "%s人%s", n, t->affected_over ? "超" : "");
		snprintf(affected_en, sizeof affected_en, "%s%s", t->affected_over ? "over " : "", n);
	} else {
		snprintf(affected, sizeof affected, "人数不明");
		snprintf(affected_en, sizeof affected_en, "unknown");
	}
	return !item || tvars_set(item, "ticket_id", t->ref) < 0 ||
	       tvars_set(item, "subject", t->subject) < 0 ||
	       tvars_set(item, "priority", p >= 0 ? priority_label(p) : "未分類") < 0 ||
	       tvars_set(item, "priority_name", p >= 0 ? priority_name(p) : "unclassified") < 0 ||
	       tvars_set(item, "affected", affected) < 0 ||
	       tvars_set(item, "affected_en", affected_en) < 0 ||
	       tvars_set(item, "personal", personal ? "個人情報あり" : "個人情報なし") < 0 ||
	       tvars_set(item, "personal_en", personal ? "personal data" : "no personal data") < 0 ||
	       tvars_set(item, "has_personal", personal ? "1" : "") < 0 ||
	       tvars_set(item, "status", status_label(st)) < 0 ||
	       tvars_set(item, "status_name", status_name(st)) < 0 ||
	       tvars_set(item, "owner", t->owner && *t->owner ? person_name(cfg, t->owner) :
				       "未定") < 0 ||
	       tvars_set(item, "owner_en", t->owner && *t->owner ? person_name(cfg, t->owner) :
					  "no owner") < 0 ||
	       set_next(item, "statutory", x->next[DEADLINE_STATUTORY], now) < 0 ||
	       set_next(item, "contractual", x->next[DEADLINE_CONTRACTUAL], now) < 0 ||
	       set_next(item, "internal", x->next[DEADLINE_INTERNAL], now) < 0 ||
	       tvars_setf(item, "internal_count", "%ld", x->internal_open) < 0 ? -1 : 0;
}

static int set_incident_lines(struct tvars *v, const struct config *cfg, const struct inputs *in)
{
	struct incident *x = calloc(in->n_tickets + 1, sizeof *x);
	size_t i, j, n = 0;
	int rc = -1;

	if (!x || tvars_set_list(v, "incidents") < 0)
		goto done;
	for (i = 0; i < in->n_tickets; i++) {
		const struct ticket *t = &in->tickets[i];
		int p = t->priority;

		if (!is_open_ticket(t))
			continue;
		x[n].t = t;
		x[n].prio = p >= 0 ? p : PRIORITY_COUNT;
		x[n].key = LONG_MAX;
		for (j = 0; j < in->n_obl; j++) {	/* by due time: the first is the nearest */
			const struct obligation *o = &in->obl[j];
			enum deadline_kind dk;

			if (o->ticket_id != t->id)
				continue;
			dk = kind_of(t, o);
			if (dk == DEADLINE_INTERNAL)
				x[n].internal_open++;
			if (!x[n].next[dk])
				x[n].next[dk] = o;
			if (dk != DEADLINE_INTERNAL && o->due_at < x[n].key)
				x[n].key = o->due_at;
		}
		n++;
	}
	qsort(x, n, sizeof *x, by_urgency);
	for (i = 0; i < n; i++)
		if (set_incident(v, cfg, &x[i], in->now) < 0)
			goto done;
	rc = 0;
done:
	free(x);
	return rc;
}

/* ---- the deadlines by kind, and the subject's warning ---- */

static const struct {
	enum deadline_kind kind;
	const char *about, *about_en;
} groups[] = {
	{ DEADLINE_STATUTORY, "個人情報保護法で定められた期限（遅れると法令違反）",
	  "set by the APPI: missing one breaks the law" },
	{ DEADLINE_CONTRACTUAL, "Amazon・AWS との契約で定められた期限（規程 7-4, 7-6）",
	  "set by a contract (Amazon, AWS)" },
	{ DEADLINE_INTERNAL, "社内の規程で目標とする期限（規程 7-4, 7-5）",
	  "the policy's own targets" },
};

static int set_groups(struct tvars *v, const struct inputs *in, struct error *err)
{
	time_t soon = in->now + BRIEFING_UPCOMING_HOURS * HOUR;
	const struct obligation *alert = NULL;
	long alert_more = 0;
	size_t g, i;

	if (tvars_set_list(v, "deadline_groups") < 0)
		return briefing_oom(err);
	for (g = 0; g < sizeof groups / sizeof *groups; g++) {
		struct tvars *group = tvars_add_item(v, "deadline_groups");
		long overdue = 0, upcoming = 0, later = 0;

		if (!group || tvars_set(group, "label", deadline_kind_label(groups[g].kind)) < 0 ||
		    tvars_set(group, "name", deadline_kind_name(groups[g].kind)) < 0 ||
		    tvars_set(group, "about", groups[g].about) < 0 ||
		    tvars_set(group, "about_en", groups[g].about_en) < 0 ||
		    tvars_set_list(group, "overdue") < 0 || tvars_set_list(group, "upcoming") < 0)
			return briefing_oom(err);
		for (i = 0; i < in->n_obl; i++) {
			const struct obligation *o = &in->obl[i];
			const struct ticket *t = briefing_ticket_of(in, o->ticket_id);
			struct tvars *item;

			if (!t || briefing_is_drill(t) || kind_of(t, o) != groups[g].kind)
				continue;
			if (o->due_at > soon) {
				later++;
				continue;
			}
			if (o->due_at <= in->now)
				overdue++;
			else
				upcoming++;
			item = tvars_add_item(group, o->due_at <= in->now ? "overdue" : "upcoming");
			if (!item || briefing_set_obligation(item, t, o, in->now) < 0)
				return briefing_oom(err);
			/* in->obl is in due order: the first one seen is the
			 * longest overdue, else the nearest */
			if (groups[g].kind == DEADLINE_INTERNAL)
				continue;
			if (!alert || o->due_at < alert->due_at) {
				alert_more += alert != NULL;
				alert = o;
			} else {
				alert_more++;
			}
		}
		if (tvars_setf(group, "overdue_count", "%ld", overdue) < 0 ||
		    tvars_setf(group, "upcoming_count", "%ld", upcoming) < 0 ||
		    tvars_setf(group, "later_count", "%ld", later) < 0 ||
		    tvars_set(group, "any", overdue || upcoming ? "1" : "") < 0)
			return briefing_oom(err);
	}
	if (alert) {
		int kind = obligation_from_name(alert->kind);
		const char *name = kind >= 0 ? obligation_short_label(kind) : alert->kind;
		bool late = alert->due_at <= in->now;
		char span[48], more[32] = "";

		briefing_duration_ja((long)(late ? in->now - alert->due_at : alert->due_at - in->now),
				     span, sizeof span);
		if (alert_more)
			snprintf(more, sizeof more, " ほか%ld件", alert_more);
		if (tvars_setf(v, "alert", late ? "%s 期限切れ %s%s" : "%s 期限まで%s%s", name, span,
			       more) < 0)
			return briefing_oom(err);
	} else if (tvars_set(v, "alert", "") < 0) {
		return briefing_oom(err);
	}
	return 0;
}

/* ---- what was done or became late since the last digest ---- */

struct happening {
	time_t at;
	const struct ticket *t;
	char what[400];
	bool bad;		/* late, or done late */
};

static int by_time(const void *a, const void *b)
{
	const struct happening *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* "受付済み → 調査中" from an event's "acknowledged → investigating". */
static void status_change(const char *detail, char *buf, size_t len)
{
	const char *arrow = detail ? strstr(detail, " → ") : NULL;
	char from[32];
	int a, b;

	if (!arrow || (size_t)(arrow - detail) >= sizeof from) {
		snprintf(buf, len, "状態の変更: %s", detail ? detail : "");
		return;
	}
	snprintf(from, sizeof from, "%.*s", (int)(arrow - detail), detail);
	a = status_from_name(from);
	b = status_from_name(arrow + strlen(" → "));
	snprintf(buf, len, "状態: %s → %s", a >= 0 ? status_label(a) : from,
		 b >= 0 ? status_label(b) : arrow + strlen(" → "));
}

static int set_activity(struct tvars *v, const struct config *cfg, const struct inputs *in,
			struct error *err)
{
	time_t from = briefing_window_start(in);
	size_t cap = in->n_tickets + in->n_recent_obl * 2 + 1, n = 0, i, j, bad = 0;
	struct happening *h;
	int rc = -1;

	for (i = 0; i < in->n_events; i++)
		cap += in->events[i].n;
	if (!(h = calloc(cap, sizeof *h)))
		return briefing_oom(err);
	for (i = 0; i < in->n_tickets; i++) {	/* opened */
		const struct ticket *t = &in->tickets[i];
		int p = t->priority;

		if (briefing_is_drill(t) || t->created_at <= from || t->created_at > in->now)
			continue;
		h[n].at = t->created_at;
		h[n].t = t;
		snprintf(h[n].what, sizeof h[n].what, "新規受付（優先度 %s）",
			 p >= 0 ? priority_label(p) : "未分類");
		n++;
	}
	for (i = 0; i < in->n_events; i++) {	/* status changes, by whom */
		const struct ticket *t = briefing_ticket_of(in, in->events[i].ticket_id);

		for (j = 0; t && j < in->events[i].n; j++) {
			const struct event *e = &in->events[i].ev[j];
			char change[200];

			if (strcmp(e->kind, "status") != 0 || e->at <= from || e->at > in->now)
				continue;
			status_change(e->detail, change, sizeof change);
			h[n].at = e->at;
			h[n].t = t;
			if (e->actor && strcmp(e->actor, "bot") != 0)
				snprintf(h[n].what, sizeof h[n].what, "%s（%s）", change,
					 person_name(cfg, e->actor));
			else
				snprintf(h[n].what, sizeof h[n].what, "%s", change);
			n++;
		}
	}
	for (i = 0; i < in->n_recent_obl; i++) {	/* done, not needed, became late */
		const struct obligation *o = &in->recent_obl[i];
		const struct ticket *t = briefing_ticket_of(in, o->ticket_id);
		int kind = obligation_from_name(o->kind);
		const char *label = kind >= 0 ? obligation_label(kind) : o->kind;
		const char *dk;
		char span[48];

		if (!t || briefing_is_drill(t))
			continue;
		dk = deadline_kind_label(kind_of(t, o));
		if (o->closed_at > from && o->closed_at <= in->now &&
		    (o->state == OBLIGATION_DONE ||
		     o->state == OBLIGATION_NOT_NEEDED)) {
			bool done = o->state == OBLIGATION_DONE,
			     late = o->closed_at > o->due_at;

			briefing_duration_ja((long)(o->closed_at - o->due_at), span, sizeof span);
			h[n].at = o->closed_at;
			h[n].t = t;
			h[n].bad = done && late;
			if (!done)
				snprintf(h[n].what, sizeof h[n].what, "不要と判断: %s（%s）", label, dk);
			else if (late)
				snprintf(h[n].what, sizeof h[n].what, "完了（期限後 %s）: %s（%s）",
					 span, label, dk);
			else
				snprintf(h[n].what, sizeof h[n].what, "完了（期限内）: %s（%s）",
					 label, dk);
			if (o->closed_by && *o->closed_by)
				snprintf(h[n].what + strlen(h[n].what),
					 sizeof h[n].what - strlen(h[n].what), " — %s",
					 person_name(cfg, o->closed_by));
			n++;
		}
		/* became late in the window and still not done at now */
		if (o->due_at > from && o->due_at <= in->now &&
		    (o->state == OBLIGATION_OPEN ||
		     (o->closed_at > in->now &&
		      o->state != OBLIGATION_CANCELLED))) {
			h[n].at = o->due_at;
			h[n].t = t;
			h[n].bad = true;
			snprintf(h[n].what, sizeof h[n].what, "期限切れになった: %s（%s）", label, dk);
			n++;
		}
	}
	qsort(h, n, sizeof *h, by_time);
	if (tvars_set_list(v, "activity") < 0)
		goto done;
	for (i = 0; i < n; i++) {
		struct tvars *item;

		bad += h[i].bad;
		if (i >= ACTIVITY_SHOWN)
			continue;
		if (!(item = tvars_add_item(v, "activity")) ||
		    briefing_set_time(item, "at", h[i].at) < 0 ||
		    tvars_set(item, "ticket_id", h[i].t->ref) < 0 ||
		    tvars_set(item, "subject", h[i].t->subject) < 0 ||
		    tvars_set(item, "what", h[i].what) < 0 ||
		    tvars_set(item, "bad", h[i].bad ? "1" : "") < 0)
			goto done;
	}
	if (tvars_setf(v, "activity_count", "%zu", n) < 0 ||
	    tvars_setf(v, "activity_bad_count", "%zu", bad) < 0 ||
	    tvars_setf(v, "activity_more", "%zu", n > ACTIVITY_SHOWN ? n - ACTIVITY_SHOWN : 0) < 0 ||
	    tvars_set(v, "activity_cut", n > ACTIVITY_SHOWN ? "1" : "") < 0)
		goto done;
	rc = 0;
done:
	free(h);
	return rc < 0 ? briefing_oom(err) : 0;
}

int briefing_set_incidents(struct tvars *v, const struct config *cfg, const struct inputs *in,
			   struct error *err)
{
	if (set_incident_lines(v, cfg, in) < 0)
		return briefing_oom(err);
	return set_groups(v, in, err) < 0 || set_activity(v, cfg, in, err) < 0 ? -1 : 0;
}
