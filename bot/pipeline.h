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

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "error.h"
#include "imap.h"
#include "store.h"

struct pipeline_stats {
	size_t new_tickets;
	size_t follow_ups;
	size_t duplicates;	/* already stored, or another copy: no new ticket */
	size_t automatic;	/* machines' mail: recorded, never answered */
	size_t unparseable;
};

/*
 * Processes msgs[0..n) (from the mailbox with this UIDVALIDITY) in one
 * transaction.  On -1 nothing was committed; ERR_TEMP means "try again
 * later", ERR_FATAL a configuration problem (e.g. a broken template).
 */
int pipeline_process(const struct config *cfg, struct store *st,
		     const struct imap_message *msgs, size_t n, uint32_t uidvalidity,
		     time_t now, struct pipeline_stats *stats, struct error *err);

#endif
