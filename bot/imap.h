/*
 * imap.h — the intake adapter: one IMAP session over TLS with libetpan.
 *
 * The session verifies the server certificate against a CA file and the
 * host name before it sends the password.  Messages are fetched with
 * BODY.PEEK (never marked \Seen by us) and leave the mailbox only through
 * imap_move(), which the caller calls after its database commit.
 * The only file besides mime.c that includes libetpan.
 */
#ifndef INCIDENT_IMAP_H
#define INCIDENT_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct imap_options {
	const char *host;	/* "127.0.0.1" or a name */
	int port;
	bool implicit_tls;	/* imaps:// when true, STARTTLS (required) otherwise */
	const char *mailbox;	/* "INBOX" */
	const char *user;
	const char *password;
	const char *ca_file;	/* PEM; required: we never skip verification */
	int timeout;		/* seconds for connect and each command */
};

struct imap_session;

struct imap_message {
	uint32_t uid;
	char *raw;		/* malloc'd, CRLF as the server sent it, NUL-terminated */
	size_t len;
};

/*
 * Connects, negotiates TLS, verifies the certificate, logs in and SELECTs
 * the mailbox.  Errors: ERR_TEMP for network/server trouble, ERR_FATAL for
 * a refused certificate or refused login.  *out owned by the caller
 * (imap_close).
 */
int imap_open(const struct imap_options *opt, struct imap_session **out,
	      struct error *err);

/* UIDVALIDITY of the selected mailbox, as reported by SELECT. */
uint32_t imap_uidvalidity(const struct imap_session *s);

/* UIDs of every message in the mailbox, ascending; *uids malloc'd, caller frees. */
int imap_list_uids(struct imap_session *s, uint32_t **uids, size_t *n,
		   struct error *err);

/*
 * Fetches the full raw bytes of the given UIDs (in one or a few UID FETCH
 * commands).  *msgs is a malloc'd array of *n entries (UIDs that vanished
 * are skipped); free with imap_messages_free.
 */
int imap_fetch(struct imap_session *s, const uint32_t *uids, size_t n_uids,
	       struct imap_message **msgs, size_t *n, struct error *err);
void imap_messages_free(struct imap_message *msgs, size_t n);

/*
 * Moves the UIDs to folder: UID MOVE when the server has MOVE, otherwise
 * UID COPY + UID STORE \Deleted + UID EXPUNGE (UIDPLUS) .  Creates the folder
 * when it does not exist.
 */
int imap_move(struct imap_session *s, const uint32_t *uids, size_t n,
	      const char *folder, struct error *err);

/* Whether the server announced IDLE. */
bool imap_has_idle(const struct imap_session *s);

/*
 * Waits in IDLE up to timeout seconds (or until *stop becomes nonzero, checked
 * at least once a second).  Returns 1 when the server reported a change
 * (EXISTS/RECENT), 0 on timeout or stop, -1 on error (ERR_TEMP: reconnect).
 */
int imap_idle(struct imap_session *s, int timeout, volatile int *stop,
	      struct error *err);

/* Logs out (best effort) and frees; NULL is fine. */
void imap_close(struct imap_session *s);

#endif
