/*
 * notify.h — who gets which mail about a ticket (SPEC 4): the
 * acknowledgement and the alarm of a new ticket, and the notices to the
 * admins when a mail of the bot bounced or a received mail was cut.
 * Each function renders and queues inside the caller's open transaction
 * (outbox_queue), so the mail goes out if and only if the change commits.
 */
#ifndef INCIDENT_NOTIFY_H
#define INCIDENT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "mail.h"
#include "render.h"
#include "store.h"

/*
 * A new ticket t opened by report m: the acknowledgement to the reporter
 * (not when an admin reported, or nobody can be answered, or the sender
 * got limits.replies_per_sender_per_hour of them in the last hour), and
 * the alarm to every admin.
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
 *     management and the admins;
 *   reminder.txt — obligation o approaches its due time: to the owner, or
 *     the admins while nobody owns the ticket;
 *   overdue.txt — o is overdue (`stage`: 1 at due, +1 each repeat): to
 *     management and the admins;
 *   review.txt — a periodic review of the policy (5-1, 5-2, 6-2) is due:
 *     to the admins; about no ticket.
 */
int notify_escalation(const struct config *cfg, struct store *st, const struct ticket *t,
		      int stage, time_t now, struct error *err);
int notify_reminder(const struct config *cfg, struct store *st, const struct ticket *t,
		    const struct obligation *o, time_t now, struct error *err);
int notify_overdue(const struct config *cfg, struct store *st, const struct ticket *t,
		   const struct obligation *o, int stage, time_t now, struct error *err);
int notify_review(const struct config *cfg, struct store *st, const char *kind,
		  const char *label, time_t last_done, time_t due, time_t now, struct error *err);

/*
 * Admin commands (issue 5):
 *   refused.txt — a command mail was not executed (who may not command,
 *     or not authentic): to the admins only, never the sender;
 *   command-error.txt — an authentic mail with a bad or disallowed line:
 *     to its sender, with the reason and the help;
 *   result.txt — what the commands changed: to the sender, and (when
 *     something changed) to the other admins;
 *   draft.txt — /draft NOTICE: the notice's facts, deadline and contact,
 *     to `to`.  kind: enum obligation_kind.
 */
int notify_refused(const struct config *cfg, struct store *st, const struct ticket *t,
		   const struct mail *m, const char *why, const char *what, time_t now,
		   struct error *err);
int notify_command_error(const struct config *cfg, struct store *st, const struct ticket *t,
			 const struct mail *m, const char *reason, time_t now, struct error *err);
int notify_result(const struct config *cfg, struct store *st, const struct ticket *t,
		  const struct mail *m, const char *changes, bool help, time_t now,
		  struct error *err);
int notify_draft(const struct config *cfg, struct store *st, const struct ticket *t, int kind,
		 const char *to, time_t now, struct error *err);

#endif
