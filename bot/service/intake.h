/*
 * intake.h — reading a backlog ahead.  While the service stores one batch
 * (its transaction, then the MOVE out of the INBOX), a thread with its own
 * IMAP session fetches the next batches and reads them (SHA-256, MIME:
 * pipeline_read), so that the network, Dovecot and the parser work on the
 * second core instead of in turn with the database (issue 7, backlog
 * throughput).
 *
 * The reader only fetches (BODY.PEEK: nothing is marked or moved), so the
 * guarantees stay the service's: a batch leaves the INBOX only after its
 * commit, on the service's session.  A kill loses at most what the reader
 * had fetched, which is still in the INBOX.
 *
 * Only intake_reader_start, _next and _stop are called, from one thread
 * (the service's); the reader thread touches nothing but its session and
 * its own memory, and logs nothing (pipeline_store logs what it read).
 */
#ifndef INCIDENT_INTAKE_H
#define INCIDENT_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "desk/pipeline.h"
#include "imap/imap.h"
#include "lib/error.h"

/* One batch as the reader hands it over; the caller owns it. */
struct intake_batch {
	struct mail_raw *msgs;	/* as fetched, UID order */
	size_t n;
	struct pipeline_mail *mails;	/* msgs read, n entries */
};

void intake_batch_release(struct intake_batch *b);

/* Fetches uids[0..n) on imap and reads them into *b (nothing on failure):
 * the reader's step, and the service's own for a single batch. */
int intake_read(struct imap_session *imap, const uint32_t *uids, size_t n,
		struct intake_batch *b, struct error *err);

struct intake_reader;

/*
 * Opens a second session with opt (on this thread: the TLS library's set-up
 * is not shared with the reader) and starts the thread on uids[0..n) in
 * batches of `batch`.  The session must see the same UIDVALIDITY as the
 * caller's (uidvalidity), else the UIDs would name other messages.
 * ERR_TEMP when the server refuses a second session: the caller then reads
 * on its own.
 */
int intake_reader_start(const struct imap_options *opt, size_t max_message_size,
			uint32_t uidvalidity, const uint32_t *uids, size_t n, size_t batch,
			struct intake_reader **out, struct error *err);

/*
 * The next batch, in order: 1 and *b; 0 when every batch was handed out;
 * -1 with the reader's error (its fetch failed; what came before is good).
 * Waits while the reader is still fetching it.  *waited (if not NULL)
 * gets the seconds spent waiting.
 */
int intake_reader_next(struct intake_reader *r, struct intake_batch *b, double *waited,
		       struct error *err);

/* Stops the thread (after the fetch in hand), closes its session, frees the rest. */
void intake_reader_stop(struct intake_reader *r);

#endif
