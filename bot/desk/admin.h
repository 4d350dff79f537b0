/*
 * admin.h — administrators' command mail (SPEC 6, issue 5): who may
 * command, whether the mail is authentic, and running its commands on a
 * ticket through the policy engine, all of them or none.
 *
 * The pipeline calls admin_handle() for every follow-up after recording
 * it; everything happens inside the pipeline's open transaction, so the
 * changes, their events and the result mail commit together.
 */
#ifndef INCIDENT_ADMIN_H
#define INCIDENT_ADMIN_H

#include <stdbool.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "store/store.h"

/*
 * Whether the mail m from a configured admin or management person is
 * authentic for ticket t under commands.auth: the live reply token of (t,
 * sender) in a To/Cc address (issue 14: its generation not revoked nor
 * expired at now), and/or DKIM/SPF passing in the company server's
 * Authentication-Results.  1 yes, 0 no, -1 on a store error (err).  why
 * gets what decided, for the audit trail (never a secret).
 */
int admin_authentic(const struct config *cfg, struct store *st, const struct mail *m,
		    const struct ticket *t, time_t now, char *why, size_t why_len,
		    struct error *err);

/*
 * The commands of mail m on ticket t: the lines at the top of its body
 * (m->body: the text/plain part, or the visible text of its HTML), down
 * to its first quoted line (issue 14, V11); new_text (the follow-up's own
 * words) only when m has no body.  Without commands: nothing (0).  From someone who may not command,
 * or not authentic: nothing executes; the refusal is an event and the
 * admins are told (never the sender).  Authentic, but a line is invalid
 * or a change is not allowed: nothing changes (SPEC 6: all or none — a
 * half-applied mail would leave the admin guessing what holds); the
 * sender gets every line with its fate (issue 13: valid but not applied,
 * or the reason and the corrected line to copy), and when the escalation
 * goes out if an /ack was held back.  Otherwise every command runs, each
 * an event — /lessons first, then the changes as written, then /draft
 * and /help, so a draft shows the mail's own figures — and the sender
 * and the other admins get the result (a mail of only /help: the help,
 * to the sender).  A mail with
 * nothing but /token from an admin or management person needs no
 * authentication: the fresh token goes to the configured address only
 * (issue 14).  sha256: the
 * mail's, for the audit trail.  Returns 1 for a mail with commands
 * (whatever came of them: its sender or the admins were answered), 0 for
 * a plain follow-up, -1 only on store or memory errors.
 */
int admin_handle(const struct config *cfg, struct store *st, struct ticket *t,
		 const struct mail *m, const char *new_text, const char *sha256, time_t now,
		 struct error *err);

#endif
