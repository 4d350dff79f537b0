/*
 * outbox.h — mail the bot sends: recorded in the database with the change
 * that causes it, then delivered by outbox_flush().
 *
 * Issue 16: most mail is recorded as an intent (outbox_intent): what must
 * be sent — kind, template, recipient, threading, the kind's parameters,
 * and the final Message-ID, fixed then so that what threads under it can
 * name it at once.  The sender stage (notify_render_pending, notify/
 * intent.h) rebuilds its variables from the ticket as it is at that time
 * and seals it (outbox_seal: composed, and the SHA-256 of its bytes); then
 * outbox_store_sealed() stores those exact bytes and their SHA-256 in the
 * transaction that marks it rendered.  outbox_queue() renders at once: the mails about no ticket.
 * outbox_flush() sends only rendered mail, the stored bytes as they are
 * (a resend after a crash is the same mail, byte for byte), marks each
 * sent right after the server accepted it, reschedules temporary failures
 * with outbox_backoff() and gives up on a mail after a bounded number of
 * attempts.
 */
#ifndef INCIDENT_OUTBOX_H
#define INCIDENT_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "outbox/compose.h"
#include "outbox/render.h"
#include "outbox/smtp.h"
#include "store/store.h"

struct outbox_mail {
	const char *kind;		/* "ack", "alarm", ... (for listings) */
	const char *template;		/* file in the templates folder */
	const char *html_template;	/* NULL, or an HTML version (render_html): the
					 * mail is then multipart/alternative */
	const struct tvars *vars;
	const char *to_addr;
	const char *to_name;		/* may be NULL */
	const char *in_reply_to;	/* without brackets; may be NULL */
	const char *references;		/* space-separated; may be NULL */
	bool drill;			/* about a drill: the subject says so (policy 6-2) */
	const char *reply_to;		/* NULL: the ticket's reply address (outbox_reply_address) */
	const char *auto_submitted;	/* NULL: "auto-replied" with in_reply_to, else
					 * "auto-generated" (set it when in_reply_to is
					 * the bot's own mail: a reminder under its alarm) */
	bool urgent;			/* Importance: high, X-Priority: 1 (issue 13:
					 * alarm, escalation, overdue) */
	const struct outpart *attachments;	/* texts attached (issue 13: the drafts),
						 * rendered by the caller; may be NULL */
	size_t n_attachments;
	/* issue 16: notify_queue_to records the mail as an intent (outbox_intent) */
	bool intent;
	/* outbox_intent only (issue 16): */
	const char *params;		/* the kind's parameters (notify/intent.h); may be NULL */
	const char *cause_message;	/* Message-ID of the mail that caused it; may be NULL */
};

/*
 * Renders, composes and queues one mail about ticket (id + ref) inside the
 * open transaction, and notes it on the ticket's timeline.  A mail about
 * no ticket (the digest, a periodic reminder) has ticket_id 0 and ref NULL
 * or "": its Message-ID names only the kind, its Reply-To is smtp.from,
 * and the note goes to the event log without a ticket.  Attachments are
 * stored as composed, like the text: the outbox holds every mail's exact
 * bytes before it is sent (the evidence rule); each is cut like the text
 * when the mail would pass OUTBOX_MAIL_MAX.
 */
/* The state key that names the last recipient whose mail outbox_queue()
 * held back at limits.pending_per_recipient ("" once the admins were told). */
#define OUTBOX_CAP_STATE "outbox-cap"

int outbox_queue(struct store *st, const struct config *cfg, int64_t ticket_id,
		 const char *ticket_ref, const struct outbox_mail *m, time_t now,
		 struct error *err);

/*
 * Records m as an intent inside the open transaction (issue 16): its kind,
 * template, html_template, recipient, reply_to (NULL: the ticket's reply
 * address, made at render time), threading, urgent, params and
 * cause_message, and a new Message-ID; m->vars, attachments and drill are
 * not used (the render stage makes them).  Held back at the per-recipient
 * cap like outbox_queue.  No timeline note: the render writes it, with
 * the SHA-256 of what it stored.  0 queued, 1 held back at the cap (its
 * event written), or -1 (the store's error).
 */
int outbox_intent(struct store *st, const struct config *cfg, int64_t ticket_id,
		  const char *ticket_ref, const struct outbox_mail *m, time_t now,
		  struct error *err);

/*
 * Composes m (rendered with m->vars) with Message-ID message_id and date
 * now, as every mail is: tokens masked, a drill marked, cut to the size
 * limit.  0 and malloc'd *data (CRLF, *len bytes) and *subject (UTF-8, for
 * listings), or -1 (a template's ERR_FATAL naming file and line, or
 * ERR_TEMP out of memory).  Touches no database.
 */
int outbox_compose(const struct config *cfg, const char *ticket_ref, const struct outbox_mail *m,
		   const char *message_id, time_t now, char **data, size_t *len, char **subject,
		   struct error *err);

/*
 * A mail of the render stage, sealed: its exact bytes (CRLF, len of
 * them), their SHA-256 in hex and its subject (UTF-8, for listings).
 */
struct outbox_sealed {
	char *data;
	size_t len;
	char *subject;
	char sha[65];
};

/*
 * outbox_compose into *out, and the SHA-256 of the bytes.  Touches no
 * database and no shared state: the render stage runs it on a second
 * thread (composer.h).  0, or -1 as outbox_compose (*out then empty).
 */
int outbox_seal(const struct config *cfg, const char *ticket_ref, const struct outbox_mail *m,
		const char *message_id, time_t now, struct outbox_sealed *out, struct error *err);
void outbox_sealed_release(struct outbox_sealed *s);

/*
 * The render stage's last step for intent e (store_outbox_intents), s its
 * mail as rebuilt and sealed now with e's Message-ID: stores the bytes and
 * their SHA-256 and marks e rendered, and notes "mail-queued" with that
 * SHA-256 on the timeline — all inside the caller's open transaction.
 * 0 or -1.
 */
int outbox_store_sealed(struct store *st, const struct outbox_entry *e,
			const struct outbox_sealed *s, time_t now, struct error *err);

/* The reply address that routes replies back to the ticket ("incident+REF@domain");
 * smtp.from itself when ticket_ref is NULL or "".  malloc'd; NULL: no memory. */
char *outbox_reply_address(const struct config *cfg, const char *ticket_ref);

/*
 * Seconds to wait before attempt number `attempts` + 1 after `attempts`
 * failures: exponential from 30 s, capped at an hour, spread by jitter
 * (any integer; its value picks up to ±20 %).  Pure.
 */
long outbox_backoff(int attempts, unsigned jitter);

/*
 * Sending gives up after this many attempts (about two days with the
 * backoff), or at a temporary failure more than OUTBOX_MAX_AGE after the
 * mail was queued: mail that waited behind an earlier one to the same
 * recipient (order per recipient, store_outbox_due) then does not get two
 * more days each.  Either way the outbox cannot grow without bound.
 */
#define OUTBOX_MAX_ATTEMPTS 60
#define OUTBOX_MAX_AGE (3 * 24 * 3600)

struct outbox_stats {
	size_t sent, retried, failed;
};

/* A mail the server accepted that the database has not recorded yet. */
struct outbox_unrecorded {
	int64_t id;
	time_t sent_at;
};

/*
 * What outbox_flush() keeps from one call to the next in a sending process.
 * Zero it before the first flush; outbox_flusher_release() frees it.
 *
 * on_failed (may be NULL) runs inside the transaction that marks mail e
 * failed for good, with the reason: what it queues (the admins' notice) is
 * committed with the failure or not at all.  ctx is passed to it.
 *
 * unrecorded: mail the SMTP server accepted (250) when the database could
 * not record it (locked, disk full).  This process never sends it again;
 * the next flush records it before it sends anything.  Only a kill loses
 * the list — the one case where a mail goes out twice, with the same
 * Message-ID.
 */
struct outbox_flusher {
	int (*on_failed)(void *ctx, const struct outbox_entry *e, const char *reason,
			 time_t now, struct error *err);
	void *ctx;
	struct outbox_unrecorded *unrecorded;	/* owned */
	size_t n_unrecorded, cap_unrecorded;
};

/*
 * Sends every pending mail that is due at now through client: first
 * records f's unrecorded mail (a database still failing stops the flush
 * before anything is sent).  A database error stops the flush (ERR_TEMP or
 * ERR_FATAL); SMTP trouble never does (it is recorded on the mail).
 */
int outbox_flush(struct store *st, struct smtp_client *client, struct outbox_flusher *f,
		 time_t now, struct outbox_stats *stats, struct error *err);

/* Tries once more to record f's unrecorded mail (logs what stays
 * unrecorded: it will be sent again after a restart), then frees f. */
void outbox_flusher_release(struct store *st, struct outbox_flusher *f);

#endif
