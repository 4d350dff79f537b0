/*
 * notify_internal.h — what notify.c (who gets which mail),
 * notify_drafts.c (the notice drafts, the lessons draft, and what each
 * template is rendered with) and notify_words.c (people's words
 * forwarded) share.  Only these files include it.
 */
#ifndef INCIDENT_NOTIFY_INTERNAL_H
#define INCIDENT_NOTIFY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "notify/notify.h"
#include "outbox/outbox.h"
#include "outbox/render.h"
#include "rules/policy.h"
#include "store/store.h"

/* Fills err with ERR_FATAL "notify: out of memory"; returns -1. */
int notify_out_of_memory(struct error *err);

/* ---- notify_drafts.c: the variables each template gets ---- */

/*
 * The records a mail about a ticket is rendered from; loaded from the
 * store by notify_vars_of (notify_facts_release frees what it read) or
 * made up for the sample.
 */
struct facts {
	const struct ticket *t;
	const struct mail *m;		/* the report or the mail answered; NULL: none */
	struct checklist_item *items;
	size_t n_items;
	struct obligation *obl;
	size_t n_obl;
	struct event *ev;
	size_t n_ev;
	struct message_row *msgs;	/* the ticket's messages, for its report */
	size_t n_msgs;
	struct mail report;		/* borrowed from msgs */
	bool loaded;			/* the lists are the store's (free them) */
	int level;			/* what facts_load has read (notify_drafts.c) */
};

/*
 * The variables template gets for ticket f->t (f->m: the report, or NULL;
 * f->t NULL for a mail about no ticket): loads the records into f.  The
 * caller frees the result with tvars_free and calls notify_facts_release
 * on f, also when this failed.  NULL with err set (the store's error, or
 * out of memory).
 */
struct tvars *notify_vars_of(const struct config *cfg, struct store *st, const char *template,
			     struct facts *f, time_t now, struct error *err);

/* Frees the lists notify_vars_of read into f; nothing if it read none. */
void notify_facts_release(struct facts *f);

/* ---- queue.c: queueing, inside the caller's transaction (om->intent: as an intent) ---- */

/*
 * Queues om to one recipient (name NULL: the person's configured name);
 * admins and management get a reply address with their own token.
 * 0, or -1 with err set (the store's or a template's error).
 */
int notify_queue_to(const struct config *cfg, struct store *st, const struct ticket *t,
		    struct outbox_mail *om, const char *addr, const char *name, time_t now,
		    struct error *err);

/* Queues om to every person with one of roles (ROLE_* bits) but skip (may
 * be NULL: nobody), under the ticket's alarm when under_alarm (see
 * notify_queue_roles_under_alarm); as notify_queue_to. */
int notify_queue_roles_but(const struct config *cfg, struct store *st, const struct ticket *t,
			   struct outbox_mail *om, unsigned roles, const char *skip,
			   bool under_alarm, time_t now, struct error *err);

/* Queues om to every person with one of roles (ROLE_* bits); as notify_queue_to. */
int notify_queue_roles(const struct config *cfg, struct store *st, const struct ticket *t,
		       struct outbox_mail *om, unsigned roles, time_t now, struct error *err);

/*
 * The same, each mail threaded under the ticket's alarm as that person
 * got it (the ticket's first alarm for one who got none): In-Reply-To and
 * References, Auto-Submitted auto-generated (issue 13).  om's threading
 * fields are the caller's again afterwards.
 */
int notify_queue_roles_under_alarm(const struct config *cfg, struct store *st,
				   const struct ticket *t, struct outbox_mail *om, unsigned roles,
				   time_t now, struct error *err);

/* ---- notify_drafts.c: the drafts of a new ticket, listed in its alarm ---- */

/*
 * The list `drafts` of the notices in kinds (bits of enum obligation_kind)
 * of f->t, the drafts the admins get attached to one mail (issue 13):
 * `kind`, `label`, `audience` (whom the notice is for), `due`, `left`,
 * `deadline` (法定期限 …), `file` (the attachment's name); and
 * `drafts_count`.  0, or -1 when out of memory.
 */
int notify_fill_drafts(struct tvars *v, const struct config *cfg, const struct facts *f,
		       unsigned kinds, time_t now);

/*
 * ---- notify.c: each mail's own variables ----
 * Set by the notify_* function and by the sample (notify_sample_vars) alike,
 * so check-config renders a template with exactly what its mail will have.
 * Each returns 0, or -1 when out of memory.
 */
int notify_fill_bounce(struct tvars *v, const char *kind, const char *to, const char *subject,
		       const char *reason);
int notify_fill_cut(struct tvars *v, const struct mail *m, size_t full_size, size_t kept);
int notify_fill_escalation(struct tvars *v, int stage, long waited);
/* The alarm's own: escalate_at (local time) and escalate_after (a
 * duration): when management is told if nobody takes t with /ack. */
int notify_fill_alarm(struct tvars *v, const struct config *cfg, const struct ticket *t,
		      time_t now);
/* notify_due.c: a person's share of a timer pass (items nearest first). */
int notify_fill_due(struct tvars *v, const struct ticket *t, const struct due_item *items,
		    size_t n, time_t now);
int notify_fill_intake_down(struct tvars *v, const char *reason, time_t since);
int notify_fill_review(struct tvars *v, const char *kind, const char *label, const char *change,
		       time_t last_done, time_t due);
/* policy_change, and contact_staff: where it is announced ("" unknown). */
int notify_fill_policy_change(struct tvars *v, const char *change, const char *staff);
/* The command mail's sender (address and name: cfg's person, else the address) and subject, and the help. */
int notify_fill_command(struct tvars *v, const struct config *cfg, const struct mail *m);
int notify_fill_refused(struct tvars *v, const char *why, const char *what);
int notify_fill_trouble(struct tvars *v, const char *label, const char *what, const char *todo,
			time_t at);
int notify_fill_token(struct tvars *v, const char *addr, const char *why, bool revoked);
int notify_fill_command_error(struct tvars *v, const char *reason);
/* open_obligations: whether any obligation is still open (issue 13: no empty section). */
int notify_fill_result(struct tvars *v, const char *changes, bool help, bool open_obligations);
/* notify_words.c: the forwarded words (t: their one ticket, or NULL). */
int notify_fill_words(struct tvars *v, const struct config *cfg, const struct ticket *t,
		      const struct words_item *items, size_t n);

/* ---- intent.c and the mails: rebuilding an intent at render time (issue 16) ---- */

/*
 * What one batch of the render stage keeps between intents: the drafts
 * attached to a drafts mail are the same texts for every admin who gets
 * one (nothing in them depends on the recipient), so the second admin's
 * copy takes them from here instead of rendering every draft again (make
 * bench: the drafts were 17 % of the CPU).  Valid for one batch: the
 * ticket cannot change under it.
 */
struct notify_drafts_cache {
	int64_t ticket_id;		/* 0: empty */
	char *params;			/* the intent's parameters the texts were made for */
	size_t n;
	char *texts[OBL_COUNT];
	char files[OBL_COUNT][200];
};
void notify_drafts_cache_release(struct notify_drafts_cache *c);

/*
 * The same batch's ticket, its report, checklist and obligations, and the
 * variables built from them (L_POLICY: what the acknowledgement, the
 * alarm and the drafts mail of a new ticket share), so that the four or
 * five mails of one report build them once (issue 16: rebuilt for every
 * mail they were a fifth of the render stage).  The render stage writes
 * only "mail-queued" events, which these do not hold.  The variables of
 * every ticket of the batch are kept until the batch ends: its mails are
 * composed on a second thread while the next tickets are read (composer.h).
 */
struct shared_vars {
	struct tvars *v;
	struct shared_vars *older;
};
struct notify_ticket_cache {
	int64_t ticket_id;		/* 0: empty */
	struct ticket t;
	struct facts f;
	struct shared_vars *vars;	/* ticket_id's first, then the older tickets' */
};
void notify_ticket_cache_release(struct notify_ticket_cache *c);

/*
 * What the render stage hands a kind's build function: the intent e, its
 * ticket in f.t (NULL: about no ticket), f.m NULL.  The function sets v
 * (the variables of e->template) and, for a mail with attachments,
 * parts[0..n_parts) (texts malloc'd in texts[], names in files[]);
 * notify_build_release frees all of it.
 */
struct notify_build {
	const struct config *cfg;
	struct store *st;
	const struct outbox_entry *e;
	struct notify_drafts_cache *drafts;	/* may be NULL: no reuse */
	struct notify_ticket_cache *tickets;	/* may be NULL: no reuse */
	struct facts f;
	struct tvars *v;
	struct outpart parts[OBL_COUNT];
	char *texts[OBL_COUNT];
	char files[OBL_COUNT][200];
	size_t n_parts;
};
struct notify_params;
typedef int notify_build_fn(struct notify_build *b, const struct notify_params *p, time_t now,
			    struct error *err);

/*
 * b->v: the variables of b->e->template, which must be of the set the
 * acknowledgement, the alarm and the drafts mail share, over those of
 * b->tickets when it holds b's ticket (built there when it does not).
 * Returns the facts they were built from (the ticket's report, checklist
 * and obligations; b->tickets' or b->f), or NULL with err.
 */
const struct facts *notify_shared_vars(struct notify_build *b, time_t now, struct error *err);

/* Reads the ticket's report (its first message of kind "report") into
 * f->report and points f->m at it; f->m stays NULL when there is none.
 * 0 or -1.  notify_facts_release frees it. */
int notify_load_report(struct store *st, struct facts *f, struct error *err);

/* notify.c */
notify_build_fn notify_build_ack, notify_build_alarm, notify_build_escalation,
	notify_build_result, notify_build_help, notify_build_command_error,
	notify_build_refused, notify_build_token;
/* notify_drafts.c */
notify_build_fn notify_build_drafts, notify_build_draft, notify_build_lessons;
/* notify_due.c */
notify_build_fn notify_build_due;

#endif
