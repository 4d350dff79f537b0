/*
 * vars.h — the template variables that describe a ticket, the mail that
 * opened it, what the policy engine knows of it, its timeline, and the
 * facts of one notice draft.  Pure: each function turns records the
 * caller read (or made up, for check-config) into variables; no I/O.
 * The variable names are documented in templates/README.md.
 *
 * Every function adds to a set made by vars_for_ticket (tvars_free frees
 * it) and returns 0, or -1 on out-of-memory.
 */
#ifndef INCIDENT_VARS_H
#define INCIDENT_VARS_H

#include "config/config.h"
#include "mime/mail.h"
#include "outbox/render.h"
#include "store/store.h"

#include <stddef.h>
#include <time.h>

/*
 * A new set of variables for ticket t; m (the report, may be NULL) adds the
 * report's text and attachments.  NULL on out-of-memory.  Caller frees
 * with tvars_free.
 */
struct tvars *vars_for_ticket(const struct config *cfg, const struct ticket *t,
			      const struct mail *m);

/*
 * Adds what the policy engine knows of t: classification with labels and
 * the words behind it, flags (also one has_<flag> each), the checklist and
 * the obligations (each with its due time and the time left at now; also
 * one obl_<kind> text each, as a notice reports it: 「未実施（期限 …）」,
 * 「実施済み（…）」, …), what is still unknown (missing), and the facts of
 * the four cases of APPI rules art. 7.
 */
int vars_add_policy(struct tvars *v, const struct ticket *t, const struct checklist_item *items,
		    size_t n_items, const struct obligation *obl, size_t n_obl, time_t now);

/*
 * Adds the ticket's timeline (events ev, oldest first) for the notices and
 * the lessons-learned document (policy 8): the significant events with
 * their times, the notes, the times taken to acknowledge, contain and
 * resolve, and what went well and badly by the record (the obligations'
 * due and done times, escalations, the checklist).  obl: the ticket's
 * obligations, as for vars_add_policy.
 */
int vars_add_timeline(struct tvars *v, const struct ticket *t, const struct event *ev,
		      size_t n_ev, const struct obligation *obl, size_t n_obl, time_t now);

/*
 * Adds the facts of the draft of a notice of kind (enum obligation_kind):
 * its name and label, its due time, o's state (NULL: not an obligation
 * of the ticket), the external contacts of policy 7-4, and `number`, the
 * 第N報 of a publication (1: the first).
 */
int vars_add_draft(struct tvars *v, const struct config *cfg, int kind,
		   const struct obligation *o, time_t due, int number, time_t now);

/*
 * Adds what a follow-up publication (第二報, …) builds on, first being
 * when the first publication was recorded done (0: this is the first):
 * publication_first (its date, 「2026年12月7日」, "" when 0), since_first
 * (list of `at`, `text`: the public's sentence for each obligation done
 * since — the PPC told, the individuals told, the desk opened) and
 * since_first_notes (`at`, `actor`, `text`: the notes since, for the
 * admins only).
 */
int vars_add_since_first(struct tvars *v, const struct obligation *obl, size_t n_obl,
			 const struct event *ev, size_t n_ev, time_t first);

/* The variables of one obligation o (obligation_kind, _label, _due, _left, _late). */
int vars_add_obligation(struct tvars *v, const struct obligation *o, const struct ticket *t,
			time_t now);

/* "3時間20分" / "2日5時間": a duration for people (seconds >= 0). */
void vars_duration(long seconds, char *buf, size_t len);
/* The same for the English part: "3 h 20 min", "2 d 5 h". */
void vars_duration_en(long seconds, char *buf, size_t len);

/*
 * Dates and numbers as a letter writes them (issue 13: the notices to
 * customers, the public and partners read 「2026-12-07 10:05」 and
 * 「12000 名」), in the configured zone (lib/clock.h).  Each writes a
 * NUL-terminated text into buf, cut to len; 48 bytes hold any of them.
 *   vars_date_ja  「2026年12月7日」
 *   vars_time_ja  「2026年12月7日 9時40分」, on the hour 「2026年12月7日 10時」
 *   vars_time_en  "7 December 2026, 9:40 (UTC+09:00)"
 *   vars_count    "12,000" (thousands separated; "-1,234")
 */
void vars_date_ja(time_t t, char *buf, size_t len);
void vars_time_ja(time_t t, char *buf, size_t len);
void vars_time_en(time_t t, char *buf, size_t len);
void vars_count(long n, char *buf, size_t len);

#endif
