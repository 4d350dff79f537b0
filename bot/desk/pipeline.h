/*
 * pipeline.h — what happens to a batch of received mail: parse, route,
 * store, queue the answers — in one database transaction.
 *
 * The caller moves the batch's messages out of the INBOX only after
 * pipeline_process() returned 0 (the commit is done): a kill at any
 * instant leaves each message either uncommitted and still in the INBOX,
 * or committed — and then, when it is seen again, recognised by its
 * Message-ID or SHA-256 and only moved.
 */
#ifndef INCIDENT_PIPELINE_H
#define INCIDENT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "store/store.h"

struct pipeline_stats {
	size_t new_tickets;
	size_t follow_ups;
	size_t duplicates;	/* already stored, or another copy: no new ticket */
	size_t automatic;	/* machines' mail: recorded, never answered */
	size_t unparseable;
};

/*
 * One fetched message read: its SHA-256 and its MIME structure.  Reading
 * needs no database, so a backlog reads the next batch on another thread
 * while the current one is stored (intake.h).
 */
struct pipeline_mail {
	const struct mail_raw *raw;	/* borrowed */
	char sha256[65];
	struct mail mail;
	bool parsed;			/* mime_parse succeeded */
	char unparseable[sizeof ((struct error *)0)->msg];	/* why not, for the log */
	uint32_t uidvalidity;		/* set by pipeline_store */
};

/* Reads msgs[0..n) into *out (n entries); -1 (ERR_TEMP) only when out of memory. */
int pipeline_read(const struct mail_raw *msgs, size_t n, struct pipeline_mail **out,
		  struct error *err);
void pipeline_mails_free(struct pipeline_mail *mails, size_t n);

/*
 * Stores, routes and answers mails[0..n) (from the mailbox with this
 * UIDVALIDITY) in one transaction.  On -1 nothing was committed; ERR_TEMP
 * means "try again later", ERR_FATAL a configuration problem.
 */
int pipeline_store(const struct config *cfg, struct store *st, struct pipeline_mail *mails,
		   size_t n, uint32_t uidvalidity, time_t now, struct pipeline_stats *stats,
		   struct error *err);

/*
 * Mail e of ours failed for good — it bounced (how = "bounced") or the
 * relay refused it (how = "failed"): its ticket notes it (an event
 * "bounce": "KIND to RCPT HOW: REASON") and the admins are told by mail
 * (notify_bounce: another route than the one that failed) — unless e was
 * such a notice itself, which would loop.  Mail about no ticket (the
 * digest) has no ticket to note it on: its failure is in the log and the
 * outbox.  0, or -1 (ERR_TEMP) with nothing sent.
 */
int pipeline_tell_failed(const struct config *cfg, struct store *st, const struct outbox_entry *e,
			 const char *how, const char *reason, time_t now, struct error *err);

/* pipeline_read and pipeline_store of msgs[0..n) in one go (same results). */
int pipeline_process(const struct config *cfg, struct store *st,
		     const struct mail_raw *msgs, size_t n, uint32_t uidvalidity,
		     time_t now, struct pipeline_stats *stats, struct error *err);

#endif
