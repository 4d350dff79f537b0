/*
 * engine.h — the policy engine: applies the rules of policy.c and the
 * classification of classify.c to tickets in the store.  It decides; the
 * store keeps; every change is an event on the ticket's timeline.  It is
 * the one writer of a ticket's state for the admins' commands (admin.c
 * parses and reports, the engine_* functions below change), so a rule
 * such as policy 8's on closing lives here once.
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
 * reason, changing nothing.  Closing needs the lessons-learned document
 * (policy 8; engine_close's force waives it) and revokes the ticket's
 * reply tokens (issue 14).  *t is read again on success.
 */
int engine_set_status(struct store *st, struct ticket *t, enum status to, const char *actor,
		      time_t now, struct error *err);

/* Reads *t again from the store, e.g. after a refused change was rolled back.  0 or -1. */
int engine_reload(struct store *st, struct ticket *t, struct error *err);

/*
 * ---- the admins' changes (SPEC 6) ----
 *
 * The engine is the one writer of a ticket's state: admin.c parses a
 * command and calls one of these.  Each writes the store and the event
 * the change has (if any), re-syncs the obligations when a fact they
 * depend on changed, and reads *t again.  Those that re-sync return the
 * kinds they created or reopened (engine_sync_obligations' bit set, so
 * that the caller sends their drafts), the others 0; -1 on error.  A
 * change the policy refuses fails with ERR_MESSAGE and a reason in
 * Japanese and English; the caller's savepoint undoes anything written.
 */

/* SPEC 6 /ack: a new ticket moves to acknowledged (the unacknowledged
 * escalation stops) and actor becomes the owner unless it has one. */
int engine_take(struct store *st, struct ticket *t, const char *actor, time_t now,
		struct error *err);

/* The owner (an address); who may be one is the caller's check. */
int engine_set_owner(struct store *st, struct ticket *t, const char *owner, struct error *err);

/* The classification, one field at a time; each re-syncs the obligations.
 * A new type replaces the checklist with the type's (policy 7-6); the
 * drill flag set records the policy 6-2 drill as held by actor; an
 * admin's count of people affected is exact (no longer "more than"). */
int engine_set_type(const struct config *cfg, struct store *st, struct ticket *t,
		    enum incident_type type, const char *actor, time_t now, struct error *err);
int engine_set_priority(const struct config *cfg, struct store *st, struct ticket *t,
			enum priority p, const char *actor, time_t now, struct error *err);
int engine_set_source(const struct config *cfg, struct store *st, struct ticket *t,
		      enum source s, const char *actor, time_t now, struct error *err);
int engine_set_flag(const struct config *cfg, struct store *st, struct ticket *t, enum flag f,
		    bool on, const char *actor, time_t now, struct error *err);
int engine_set_affected(const struct config *cfg, struct store *st, struct ticket *t,
			long affected, const char *actor, time_t now, struct error *err);

/* Policy 7-4: the awareness time every legal clock runs from; the due
 * times move with it.  One more than a year back or an hour ahead is
 * refused (issue 14, V10).  Re-syncs. */
int engine_set_aware(const struct config *cfg, struct store *st, struct ticket *t, time_t aware,
		     const char *actor, time_t now, struct error *err);

/* Policy 8: the lessons-learned document, an event "lessons"; storing it
 * opens the circulation of the plan to all staff (8(3)).  Re-syncs. */
int engine_set_lessons(const struct config *cfg, struct store *st, struct ticket *t,
		       const char *text, const char *actor, time_t now, struct error *err);

/*
 * Policy 8: closes the ticket, through resolved if it is not yet.  Refused
 * (ERR_MESSAGE) without a lessons-learned document unless force, which
 * needs a reason (the parser insists on it): the reason is recorded as
 * "closed-without-lessons", a plain /close's text as "close-reason".
 */
int engine_close(struct store *st, struct ticket *t, bool force, const char *reason,
		 const char *actor, time_t now, struct error *err);

/* Ticks checklist item pos: 1 ticked, 2 it already was; no such item is
 * refused (ERR_MESSAGE). */
int engine_check_item(struct store *st, struct ticket *t, long pos, const char *actor,
		      time_t now, struct error *err);

/*
 * Ends the open obligation of kind k as state (OBLIGATION_DONE or
 * OBLIGATION_NOT_NEEDED) at time `at` (0: now; more than a year back or an
 * hour ahead is refused), with the admin's text (or NULL): 1, an event
 * "obligation-closed".  An obligation already cancelled because no flag
 * requires it any more is recorded as a note: 2.  None of kind is
 * refused (ERR_MESSAGE).  detail gets the event's text, for the report.
 */
int engine_end_obligation(struct store *st, struct ticket *t, enum obligation_kind k,
			  enum obligation_state state, time_t at, const char *text,
			  const char *actor, time_t now, char *detail, size_t detail_len,
			  struct error *err);

#endif
