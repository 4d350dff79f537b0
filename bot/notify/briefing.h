/*
 * briefing.h — the management digest (SPEC 4 "digest", daily): the open
 * incidents, each by name with its next statutory deadline, and by
 * priority and status; the unacknowledged ones; obligations overdue and
 * due within 48 h, statutory, contractual and internal apart; what was
 * done, became late or was closed since the last digest; the median times
 * to acknowledge and to recovery; and the policy's periodic
 * reviews that are due (5-1, 5-2, 6-2).  Drill tickets (policy 6-2) are
 * counted on a line of their own and left out of everything else.
 *
 * Reads the store and renders templates/digest.txt, with digest.html as
 * the HTML alternative (charts drawn with tables only); the variables are
 * documented in templates/README.md.  Local times are in the configured
 * zone (clock_set_zone).  Errors are the store's (ERR_TEMP / ERR_FATAL) or
 * a template's (ERR_FATAL, naming file and line).
 */
#ifndef INCIDENT_BRIEFING_H
#define INCIDENT_BRIEFING_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "outbox/render.h"
#include "store/store.h"

/* The store's key/value state: when the last digest was queued (decimal time_t). */
#define BRIEFING_LAST_KEY "digest.last_at"

/* Obligations due within this many hours are "upcoming". */
#define BRIEFING_UPCOMING_HOURS 48
/* Tickets created within this many days give the median times. */
#define BRIEFING_MEDIAN_DAYS 30
/* Days in the HTML deadline line, from today. */
#define BRIEFING_DAYS 14

/*
 * The digest's variables at now; since: the previous digest's time (0:
 * never) for "closed since the last digest" — with 0 the last 24 hours.
 * Caller frees *out with tvars_free.  0 or -1.
 */
int briefing_vars(const struct config *cfg, struct store *st, time_t now, time_t since,
		  struct tvars **out, struct error *err);

/*
 * Renders digest.txt (+ digest.html as the HTML alternative) and queues it,
 * inside the caller's open transaction, to every person with role
 * management (SPEC 4), kind "digest", about no ticket.  Returns the number
 * of mails queued (0 when nobody has the role), or -1.  Does not record
 * the time: the caller does, with briefing_mark, in the same transaction.
 */
int briefing_queue(const struct config *cfg, struct store *st, time_t now, time_t since,
		   struct error *err);

/* The text version ("Subject: …", an empty line, the body) to f, or with
 * html the HTML alternative, the whole document (for `incident-bot digest`). */
int briefing_print(const struct config *cfg, struct store *st, time_t now, time_t since,
		   bool html, FILE *f, struct error *err);

/* The previous digest's time from BRIEFING_LAST_KEY into *since: 0 when never (or unreadable). */
int briefing_since(struct store *st, time_t *since, struct error *err);
/* Records at as the previous digest's time (inside the caller's transaction). */
int briefing_mark(struct store *st, time_t at, struct error *err);

/*
 * For check-config: renders digest.txt and digest.html of cfg->templates
 * with made-up tickets (no store), so a typo names its file and line.
 */
int briefing_check(const struct config *cfg, time_t now, struct error *err);

#endif
