/*
 * notify.h — who gets which mail about a ticket (SPEC 4): the
 * acknowledgement and the alarm of a new ticket, the notices to the
 * admins when a mail of the bot bounced or a received mail was cut, the
 * policy engine's mail, the answers to admin commands, the notice drafts
 * and the lessons-learned draft.  notify.c sends the mail; notify_drafts.c
 * makes the drafts and says what each template is rendered with.
 * Each function queues inside the caller's open transaction, so the mail
 * goes out if and only if the change commits.  Issue 16: the mails about a
 * ticket are recorded as intents (outbox_intent) and rendered from the
 * ticket as it is by the sender stage before they are sent
 * (notify_render_pending, intent.h: each kind's notify_build_* rebuilds
 * its variables); the mails about no ticket, and the notices about one
 * mail (bounce, cut, forwarded words), are rendered when queued.
 * Errors are the store's (ERR_TEMP / ERR_FATAL) or a template's
 * (ERR_FATAL, naming file and line).
 */
#ifndef INCIDENT_NOTIFY_H
#define INCIDENT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "outbox/render.h"
#include "store/store.h"

/*
 * A new ticket t opened by report m: the acknowledgement to the reporter
 * (not when an admin reported, or nobody can be answered, or the sender
 * got limits.replies_per_sender_per_hour of them in the last hour), the
 * alarm to every admin (urgent; it says when the ticket escalates and
 * which drafts follow), then one mail per admin with the draft of every
 * notice its obligations require attached (all of them were opened by
 * engine_open just before): two mails per admin at most (issue 13).
 */
int notify_new_ticket(const struct config *cfg, struct store *st, const struct ticket *t,
		      const struct mail *m, time_t now, struct error *err);

/* Queues template (as kind) to every person with role admin. */
int notify_admins(const struct config *cfg, struct store *st, const struct ticket *t,
		  const char *kind, const char *template, const struct tvars *vars,
		  const char *in_reply_to, time_t now, struct error *err);

/* Mail e of the bot came back undelivered for reason (bounce.txt). */
int notify_bounce(const struct config *cfg, struct store *st, const struct outbox_entry *e,
		  const char *reason, time_t now, struct error *err);

/* Mail m on ticket t was cut to kept of full_size bytes (cut.txt). */
int notify_cut(const struct config *cfg, struct store *st, const struct ticket *t,
	       const struct mail *m, size_t full_size, size_t kept, time_t now,
	       struct error *err);

/*
 * Policy-engine mail (SPEC 4), each rendered with the ticket, its
 * classification, checklist and obligations:
 *   escalation.txt — t still unacknowledged after `stage` limits: to
 *     management and the admins, urgent (Importance: high), under the
 *     ticket's alarm;
 *   review.txt — a periodic review of the policy (5-1, 5-2, 6-2) is due:
 *     to the admins; about no ticket.
 */
int notify_escalation(const struct config *cfg, struct store *st, const struct ticket *t,
		      int stage, time_t now, struct error *err);

/* An obligation of a ticket that falls due in this timer pass. */
struct due_item {
	const struct obligation *o;
	int overdue_stage;	/* > 0: overdue (1 at due, +1 each repeat); 0: a reminder */
};

/*
 * ---- notify_due.c ----
 * The obligations of ticket t that fall due in one timer pass (items,
 * nearest due first), as ONE mail per person (issue 13): a reminder
 * concerns the owner, or the admins while nobody owns the ticket; an
 * overdue one management and the admins.  A person whose share has an
 * overdue item gets overdue.txt (urgent), else reminder.txt; either lists
 * their items (due_items) with the nearest one's obligation_* variables,
 * and threads under the alarm the person got (or the ticket's first).
 */
int notify_due(const struct config *cfg, struct store *st, const struct ticket *t,
	       const struct due_item *items, size_t n, time_t now, struct error *err);
int notify_review(const struct config *cfg, struct store *st, const char *kind,
		  const char *label, const char *change, time_t last_done, time_t due, time_t now,
		  struct error *err);

/*
 * policy-change.txt — policy 5(1): the yearly review changed the policy or
 * the response plan (review done risk --changed TEXT); the admins get the
 * draft of the announcement to every employee (contacts.staff).  About no
 * ticket.
 */
int notify_policy_change(const struct config *cfg, struct store *st, const char *change,
			 time_t now, struct error *err);

/*
 * intake-down.txt — `run` cannot take in mail because a credential was
 * refused since `since` (issue 17: the token endpoint refused the client,
 * or the server a fresh token); reason is the error for people, without
 * secrets.  To the admins; about no ticket.  The caller decides how often
 * (service.c: at most once an hour).
 */
int notify_intake_down(const struct config *cfg, struct store *st, const char *reason,
		       time_t since, time_t now, struct error *err);

/*
 * Admin commands (issue 5):
 *   refused.txt — a command mail was not executed (who may not command,
 *     or not authentic): to the admins only, never the sender;
 *   command-error.txt — an authentic mail with a bad or disallowed line:
 *     to its sender, with the reason and the help;
 *   result.txt — what the commands changed: to the sender, and (when
 *     something changed) to the other admins;
 *   help.txt — a mail with nothing but /help (issue 13): the help under its
 *     own subject, to the sender only.
 */
/*
 * token.txt (issue 14) — the reply token of addr on t was revoked (revoked
 * true: to every admin, and to addr when it is not one, why saying what
 * happened) or renewed at addr's request with /token (false: to addr
 * only).  Each recipient's Reply-To carries their live token, so addr's
 * is the fresh one.
 */
int notify_token(const struct config *cfg, struct store *st, const struct ticket *t,
		 const char *addr, const char *why, bool revoked, time_t now, struct error *err);

/*
 * trouble.txt (issue 14) — the bot itself is in trouble but goes on (the
 * IMAP login refused, a recipient's pending mail at the outbox cap): to
 * every admin, about no ticket.  label is the subject's short form, what
 * the detail, todo what to do (Japanese first).  The caller limits how
 * often.
 */
int notify_trouble(const struct config *cfg, struct store *st, const char *label,
		   const char *what, const char *todo, time_t now, struct error *err);

int notify_refused(const struct config *cfg, struct store *st, const struct ticket *t,
		   const struct mail *m, const char *why, const char *what, time_t now,
		   struct error *err);
int notify_command_error(const struct config *cfg, struct store *st, const struct ticket *t,
			 const struct mail *m, const char *reason, time_t now, struct error *err);
int notify_result(const struct config *cfg, struct store *st, const struct ticket *t,
		  const struct mail *m, const char *changes, bool help, time_t now,
		  struct error *err);
int notify_help(const struct config *cfg, struct store *st, const struct ticket *t,
		const struct mail *m, time_t now, struct error *err);

/* ---- notify_words.c (issue 13) ---- */

/* One person's words to forward, as followup.txt shows them. */
struct words_item {
	const char *ticket_ref, *ticket_subject;	/* "" or NULL: about no ticket */
	const char *from_addr, *from_name;	/* the mail's sender */
	bool reporter;			/* the ticket's reporter wrote it */
	const char *what;		/* "follow-up", "management" or "question" (no ticket) */
	const char *subject;
	const char *text;		/* the sender's own words (quote.h), not what they quoted */
	const char *message_id;		/* of the mail, without brackets; may be NULL */
	time_t at;			/* when it arrived */
};

/*
 * followup.txt to `to`: the words items[0..n) in one mail (issue 13: at
 * most one such mail per person per pass).  t: the ticket every item is
 * about (the mail then carries its tag, threads under the last item and
 * has to's reply address for commands), or NULL when the items are about
 * several tickets or none.
 */
int notify_words(const struct config *cfg, struct store *st, const struct ticket *t,
		 const char *to, const struct words_item *items, size_t n, time_t now,
		 struct error *err);

/* ---- notify_drafts.c ---- */

/*
 * Notice drafts (SPEC 4, policy 7-4; issue 6): for each kind in `kinds`
 * (bits 1u << enum obligation_kind), the notice rendered from
 * draft-<obligation>.txt (draft.txt when the operator has none for it)
 * with the ticket, its report (m, or read from the store when NULL), its
 * obligations and timeline.  Never to an authority, a marketplace or a
 * customer: the admins check and send.  Each draft is a "draft" event on
 * the timeline (a publication draft counts its 第N報 from them).
 * notify_drafts: all of them attached to ONE mail (drafts.txt, a summary:
 * which notice, for whom, due when; issue 13) to `to`, or to every admin
 * when to is NULL, under the ticket's alarm.
 * notify_draft: one kind as a mail of its own (/draft NOTICE).
 */
int notify_drafts(const struct config *cfg, struct store *st, const struct ticket *t,
		  const struct mail *m, unsigned kinds, const char *to, time_t now,
		  struct error *err);
int notify_draft(const struct config *cfg, struct store *st, const struct ticket *t, int kind,
		 const char *to, time_t now, struct error *err);

/*
 * Policy 8: the lessons-learned draft (lessons.txt), pre-filled from the
 * ticket's timeline, to its owner, or to every admin while nobody owns it.
 */
int notify_lessons(const struct config *cfg, struct store *st, const struct ticket *t, time_t now,
		   struct error *err);

/*
 * For check-config and the tests: the variables template gets in its
 * mail, for a made-up ticket with every field, flag, list and state
 * filled (full) or with none (no flags, obligations, type, report …), so
 * that rendering both reaches every branch.  A template no mail uses
 * (notify_template_used false) gets everything a draft gets.  NULL on
 * out-of-memory; the caller frees with tvars_free.
 */
struct tvars *notify_sample_vars(const struct config *cfg, const char *template, bool full,
				 time_t now);
bool notify_template_used(const char *template);

#endif
