/*
 * briefing_internal.h — what briefing.c (the store, the counts, the
 * charts) and briefing_incidents.c (each open incident by name, the
 * deadlines by kind, the subject's warning, what happened since the last
 * digest) share.  Only these two files include it.
 */
#ifndef INCIDENT_BRIEFING_INTERNAL_H
#define INCIDENT_BRIEFING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "outbox/render.h"
#include "rules/policy.h"
#include "store/store.h"

#define HOUR 3600L
#define DAY (24 * HOUR)

/* What one review row says at now. */
struct review_at {
	bool known;		/* a row exists (the timers create it at first start) */
	bool ever_done;		/* someone recorded it: not just the bot's first pass */
	time_t last_done, due_at;
};

/* One ticket's timeline, for what happened since the last digest. */
struct ticket_events {
	int64_t ticket_id;
	struct event *ev;	/* oldest first */
	size_t n;
};

/* The records the digest is made of; borrowed, not owned. */
struct inputs {
	const struct ticket *tickets;	/* every ticket, oldest first */
	size_t n_tickets;
	const struct obligation *obl;	/* open ones of unsettled tickets, by due time */
	size_t n_obl;
	/* every obligation, any state, of the non-drill tickets not closed
	 * before since (what was done or became late since the last digest) */
	const struct obligation *recent_obl;
	size_t n_recent_obl;
	const struct ticket_events *events;	/* of the same tickets */
	size_t n_events;
	struct review_at review[REVIEW_COUNT];
	const struct outbox_entry *failed;	/* mail failed since the last digest */
	size_t n_failed;
	long automatic;		/* machines' mail that opened no ticket since (issue 13) */
	time_t now, since;
};

/* ---- briefing.c ---- */

/* Fills err with ERR_TEMP "briefing: out of memory"; returns -1. */
int briefing_oom(struct error *err);
bool briefing_is_drill(const struct ticket *t);
const struct ticket *briefing_ticket_of(const struct inputs *in, int64_t id);
/* Sets key ("2日3時間") and key_en ("2 d 3 h") to the duration s.  0 or -1. */
int briefing_set_duration(struct tvars *v, const char *key, long s);
/* "2日3時間" only. */
void briefing_duration_ja(long s, char *buf, size_t len);
/* key to the local time t, "2026-11-26 09:00".  0 or -1. */
int briefing_set_time(struct tvars *v, const char *key, time_t t);
/* The window "since the last digest" starts here (24 h back when there was none). */
time_t briefing_window_start(const struct inputs *in);

/*
 * One open obligation o of ticket t as a list item at now: the ticket's
 * ticket_id, subject, priority; label, short (PPC速報), kind, due,
 * deadline (法定期限, …) and deadline_kind (statutory, …), skippable
 * (policy 7-4 省略可能), is_late, when (「残り 35分」/「期限切れ 2時間」),
 * and left/left_en or late/late_en.  0 or -1 (out of memory).
 */
int briefing_set_obligation(struct tvars *item, const struct ticket *t,
			    const struct obligation *o, time_t now);

/* ---- briefing_incidents.c ---- */

/*
 * SPEC 4 "each open incident by name": the list `incidents`, one item per
 * open non-drill ticket (most urgent first), the open obligations in
 * `deadline_groups` by kind (statutory, contractual, internal: policy
 * 7-4), `alert` for the subject (the nearest statutory or contractual
 * deadline within BRIEFING_UPCOMING_HOURS, or the longest overdue one),
 * and `activity`, what was done or became late since the last digest.
 * 0, or -1 with err (out of memory).
 */
int briefing_set_incidents(struct tvars *v, const struct config *cfg, const struct inputs *in,
			   struct error *err);

#endif
