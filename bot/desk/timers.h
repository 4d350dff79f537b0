/*
 * timers.h — the policy's clocks, fired by `run` and `poll --once` (SPEC
 * 2 "timers", 4): the escalation of a ticket nobody acknowledged, the
 * reminders before an obligation's due time, the escalation of an overdue
 * one (repeated daily), the management digest at its local time, and the
 * policy's periodic reviews (5-1, 5-2, 6-2).
 *
 * Each timer keeps the stage it last fired at in the store and fires when
 * the stage computed from the clock (deadline.h) grows past it, in the
 * same transaction as the mail it queues.  So a timer fires once: a crash
 * before the commit fires it again at the next pass, one after sends
 * nothing twice, a pass missed while the bot was down fires once late,
 * and a clock that jumps back fires nothing.
 */
#ifndef INCIDENT_TIMERS_H
#define INCIDENT_TIMERS_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "store/store.h"

struct timer_stats {
	size_t escalations, reminders, overdue, digests, reviews;
};

/* Fires every timer due at now, in one transaction (ERR_TEMP: retry later). */
int timers_run(const struct config *cfg, struct store *st, time_t now,
	       struct timer_stats *stats, struct error *err);


#endif
