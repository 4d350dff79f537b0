/*
 * composer.h — the render stage's second core (issue 16): mails composed
 * (templates → MIME bytes → SHA-256, outbox_seal) on a thread of their own
 * while the caller reads the store for the next ones.
 *
 * Why: the render stage ran on one thread and left a third of a 2-core
 * machine idle (vmstat over a 10,000 backlog), and composing and hashing
 * were a third of its time.  Composing reads only its job and the
 * configuration and writes only its job, so it can run beside the
 * caller's database work; the caller stores the results, in order, in its
 * own transaction, as before — nothing of the evidence rule moves.
 *
 * Use: composer_start, then composer_submit for each job (its mail and
 * what that points to stay untouched until it is done), composer_wait_for
 * each job in the order submitted and read its rc, out and err (the caller
 * composes what the thread has not taken yet, so that it never waits
 * while there is work), composer_wait; again for the next batch;
 * composer_stop.
 * With no composer (NULL: one mail, or no thread could be started),
 * composer_submit composes at once on the caller's thread.
 */
#ifndef INCIDENT_COMPOSER_H
#define INCIDENT_COMPOSER_H

#include <stdbool.h>
#include <time.h>

#include "lib/error.h"
#include "outbox/outbox.h"

struct compose_job {
	/* what to compose: outbox_seal's arguments */
	const struct config *cfg;
	const struct outbox_mail *mail;
	const char *ticket_ref;
	const char *message_id;
	time_t now;
	/* the result, once composer_wait_for or composer_wait returned */
	int rc;				/* 0: out holds the mail; -1: err says why */
	struct outbox_sealed out;
	struct error err;
	bool taken, done;		/* the composer's (under its lock) */
};

struct composer;

/* A composer with its thread, or NULL (then jobs are composed by the caller). */
struct composer *composer_start(void);

/* Job j composed on the composer's thread, or now when c is NULL. */
void composer_submit(struct composer *c, struct compose_job *j);

/* Returns when job j (submitted to c) is composed. */
void composer_wait_for(struct composer *c, struct compose_job *j);

/* Returns when every job submitted since the last wait is composed. */
void composer_wait(struct composer *c);

/* Stops the thread (after composer_wait) and frees c; NULL is fine. */
void composer_stop(struct composer *c);

#endif
