/*
 * service.h — the bot's working parts wired together for `run` and
 * `poll --once`: an IMAP session, an SMTP client, the store and the
 * configuration, with the two jobs they do (take in mail, send mail).
 */
#ifndef INCIDENT_SERVICE_H
#define INCIDENT_SERVICE_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "desk/pipeline.h"
#include "imap/imap.h"
#include "lib/error.h"
#include "outbox/outbox.h"
#include "outbox/smtp.h"
#include "store/store.h"

struct service {
	const struct config *cfg;
	struct store *store;		/* borrowed */
	struct imap_session *imap;	/* NULL while disconnected */
	struct smtp_client *smtp;
	struct outbox_flusher flusher;	/* outbox state between flushes (outbox.h) */
	char *imap_password;		/* NULL with imap.auth = xoauth2 */
	char *smtp_password;
	struct oauth2 *oauth2;		/* tokens for XOAUTH2 logins; NULL: none */
	struct pipeline_stats totals;	/* since service_init */
	time_t down_since;		/* intake refused a credential since; 0: not */
	/* set by the caller (run's SIGTERM): intake stops after the batch in hand */
	volatile sig_atomic_t *stop;
};

/* Reads the secrets and prepares the SMTP client and the OAuth2 token
 * source (no network yet: the first token is fetched at the first login). */
int service_init(struct service *sv, const struct config *cfg, struct store *store,
		 struct error *err);
void service_release(struct service *sv);

/* Connects to IMAP when not connected (ERR_TEMP: retry later; ERR_FATAL: config). */
int service_connect(struct service *sv, struct error *err);
void service_disconnect(struct service *sv);

/*
 * Takes in everything in the mailbox: fetches in batches, processes each
 * batch in one transaction, then moves it to the processed folder.
 * On an IMAP error the session is closed (the caller reconnects).
 */
int service_intake(struct service *sv, struct error *err);

/*
 * Intake failed with why (ERR_AUTH: a credential refused, issue 17): the
 * admins are told by mail (intake-down.txt), at most once an hour — the
 * time of the last notice is kept in the store, so restarts do not repeat
 * it.  service_intake() ends the episode when it succeeds again.
 */
int service_intake_down(struct service *sv, const struct error *why, struct error *err);

/* Forwards the people's words the intake took in (forward.h), then
 * fires the policy's timers that are due (timers.h); logs what fired. */
int service_timers(struct service *sv, struct error *err);

/*
 * Renders every intent of the outbox and stores its bytes (the sender
 * stage, notify_render_pending: issue 16), then sends the outbox mail
 * that is due.  A mail that fails for good (5xx, or
 * never accepted: outbox.h) is noted on its ticket's timeline and the
 * admins are told (bounce.txt), in the transaction that records it.
 */
int service_flush(struct service *sv, struct error *err);

/*
 * Issue 14: tells the admins, at most once an hour per `key`, that the
 * service is in trouble but goes on (notify_trouble): the outbox cap hit.
 * (A refused login is service_intake_down's.)  Its own transaction; the mail goes
 * with the next flush.  0, or -1 (err).
 */
int service_trouble(struct service *sv, const char *key, const char *label, const char *what,
		    const char *todo, struct error *err);

#endif
