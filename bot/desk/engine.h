/*
 * engine.h — the policy engine: applies the rules of policy.c and the
 * classification of classify.c to tickets in the store.  It decides; the
 * store keeps; every change is an event on the ticket's timeline.
 *
 * Every function works inside the caller's open transaction and queues no
 * mail itself (the callers do, through notify.c), so that a refused change
 * leaves nothing behind once the caller rolls back.
 */
#ifndef INCIDENT_ENGINE_H
#define INCIDENT_ENGINE_H

#include <stdbool.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "rules/policy.h"
#include "store/store.h"

/*
 * A new ticket t opened by report m: the first classification (policy
 * 7-1, 7-2, 1/7-6; SPEC 3), the checklist of its type (7-6), the
 * obligations its flags create (SPEC 5), a drill recorded as held (6-2).
 * *t is read again afterwards, so it shows all of it.  Every obligation
 * of the new ticket is one it created: notify_new_ticket, called next,
 * sends their drafts after the alarm.
 */
int engine_open(const struct config *cfg, struct store *st, struct ticket *t,
		const struct mail *m, time_t now, struct error *err);

/*
 * Brings the ticket's obligations in line with its flags, type, number of
 * people affected and awareness time: creates what is missing, moves due
 * times that changed, cancels what no flag requires any more; each change
 * an event by actor.  Obligations an admin recorded as done or not needed
 * stay as they are.  Returns the kinds it created or reopened as a bit
 * set (1u << enum obligation_kind; 0: none), so that the caller can send
 * their drafts (notify_drafts), or -1.
 */
int engine_sync_obligations(const struct config *cfg, struct store *st, const struct ticket *t,
			    const char *actor, time_t now, struct error *err);

/*
 * Moves the ticket to status `to`, an event by actor.  A move the status
 * machine refuses (policy_transition) fails with ERR_MESSAGE and the
 * reason, changing nothing.  *t is read again on success.
 */
int engine_set_status(struct store *st, struct ticket *t, enum status to, const char *actor,
		      time_t now, struct error *err);

#endif
