/*
 * imap.h — the intake adapter: one IMAP session over TLS with libetpan.
 *
 * The session verifies the server certificate against a CA file and the
 * host name before it sends the password.  Messages are fetched with
 * BODY.PEEK (never marked \Seen by us) and leave the mailbox only through
 * imap_move(), which the caller calls after its database commit.
 * The only file besides mime.c that includes libetpan.
 *
 * Errors: every message starts "imap: host:port: ".  ERR_FATAL means a
 * person must act (CA, password, mailbox, folder, a server without TLS);
 * ERR_TEMP means retry later.  After an ERR_TEMP from any call the session
 * may be broken (later calls then fail at once with ERR_TEMP): imap_close()
 * it and imap_open() a new one.  A dead server costs at most `timeout`
 * seconds per call.  The password is never logged nor put in a message.
 *
 * The process must ignore SIGPIPE (cmd_run does; so must every command that
 * opens a session): libetpan writes to the socket without MSG_NOSIGNAL, and
 * a write to a connection the server dropped would kill the process.
 *
 * Testing knob: IB_IMAP_NO_MOVE=1 in the environment at imap_open() makes
 * the session behave as if the server lacked MOVE (UID COPY + UID STORE
 * \Deleted + UID EXPUNGE instead).
 */
#ifndef INCIDENT_IMAP_H
#define INCIDENT_IMAP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/error.h"
#include "lib/oauth2.h"
#include "mime/mail.h"

struct imap_options {
	const char *host;	/* "127.0.0.1" or a name; must be in the cert's SANs */
	int port;
	bool implicit_tls;	/* imaps:// when true, STARTTLS (required) otherwise */
	const char *mailbox;	/* "INBOX" */
	const char *user;
	const char *password;	/* LOGIN; NULL when oauth2 is set */
	struct oauth2 *oauth2;	/* set: AUTHENTICATE XOAUTH2 with its tokens
				 * (borrowed; issue 17) instead of LOGIN */
	const char *ca_file;	/* PEM; required: we never skip verification */
	int timeout;		/* seconds for connect and each command (<= 0: 60) */
};

struct imap_session;

/*
 * Connects, negotiates TLS, verifies the certificate chain (against ca_file
 * only) and the host name (an IP address must match an IP SAN), logs in
 * (LOGIN, or AUTHENTICATE XOAUTH2 with a token of opt->oauth2: a token the
 * server refuses is replaced by a fresh one and tried once more, on a new
 * connection) and SELECTs the mailbox.  imap:// without STARTTLS on offer is
 * refused.  Errors: ERR_TEMP for network/server trouble (refused, timed out,
 * TLS handshake failed, auth backend [UNAVAILABLE]); ERR_FATAL for a
 * refused certificate, no STARTTLS, an unreadable CA file or a mailbox that
 * cannot be selected; ERR_AUTH for a refused credential: a refused login,
 * a refused fresh token, or a token endpoint's refusal (oauth2.h).  *out owned by the caller
 * (imap_close); NULL on failure.
 */
int imap_open(const struct imap_options *opt, struct imap_session **out,
	      struct error *err);

/* UIDVALIDITY of the selected mailbox, as reported by SELECT (never 0). */
uint32_t imap_uidvalidity(const struct imap_session *s);

/*
 * UIDs of every message in the mailbox (UID SEARCH ALL), ascending; *uids
 * malloc'd (also when *n is 0), caller frees.  Errors: ERR_TEMP.
 */
int imap_list_uids(struct imap_session *s, uint32_t **uids, size_t *n,
		   struct error *err);

/*
 * The largest message imap_fetch() takes whole, in bytes (RFC822.SIZE); 0,
 * the default, means no limit.  A larger message is fetched only up to max
 * bytes (BODY.PEEK[]<0.max>) and comes back with truncated set.  Applies to
 * later imap_fetch() calls on this session.
 */
void imap_set_max_size(struct imap_session *s, size_t max);

/*
 * Fetches the raw bytes of the given UIDs (any order; duplicates and 0
 * ignored) with BODY.PEEK[], in batches of at most 200 UIDs and about
 * 32 MiB (sizes asked first with RFC822.SIZE; a message over the max size
 * counts with its cut size), so memory stays bounded whatever the mailbox
 * holds.  Messages over the max size (imap_set_max_size) are cut to it and
 * marked truncated (logged).  *msgs is a malloc'd array of *n entries,
 * ascending by UID, NULL when *n is 0; UIDs no longer in the mailbox are
 * skipped (and logged).  Free with mail_raws_free (mail.h).  Errors: ERR_TEMP
 * (nothing is returned then).
 */
int imap_fetch(struct imap_session *s, const uint32_t *uids, size_t n_uids,
	       struct mail_raw **msgs, size_t *n, struct error *err);

/*
 * Moves the UIDs to folder: UID MOVE when the server has MOVE, otherwise
 * UID COPY + UID STORE +FLAGS.SILENT (\Deleted) + UID EXPUNGE (UIDPLUS;
 * plain EXPUNGE without it), in batches of 200.  Creates the folder when the
 * server says [TRYCREATE] or LIST does not show it, then tries once more.
 * folder is sent as given: ASCII, with the server's hierarchy separator.
 * Logs "uid N: moved to folder" per message.  Errors: ERR_TEMP (earlier
 * batches may have moved; moving them again is harmless, they are gone
 * from the mailbox), ERR_FATAL when the folder cannot be created.
 */
int imap_move(struct imap_session *s, const uint32_t *uids, size_t n,
	      const char *folder, struct error *err);

/* Whether the server announced IDLE. */
bool imap_has_idle(const struct imap_session *s);

/*
 * Waits in IDLE up to timeout seconds (or until *stop becomes nonzero, checked
 * at least once a second; stop may be NULL).  Returns 1 when the server
 * reported a change (EXISTS/RECENT), 0 on timeout or stop, -1 on error
 * (ERR_TEMP: reconnect).  IDLE is renewed every 25 minutes and after server
 * keepalives.  Without IDLE on the server it sleeps, then asks with NOOP.
 */
int imap_idle(struct imap_session *s, int timeout, volatile sig_atomic_t *stop,
	      struct error *err);

/* Logs out (best effort, not on a broken session) and frees; NULL is fine. */
void imap_close(struct imap_session *s);

#endif
