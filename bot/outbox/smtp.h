/*
 * smtp.h — the sending adapter: SMTP submission over TLS with libcurl.
 *
 * One client keeps one connection open across sends where the server lets
 * it.  TLS is always verified against ca_file (or the system store when
 * ca_file is NULL).  With an oauth2 handle it logs in with AUTH XOAUTH2
 * (issue 17).  One of the two files that include curl (lib/oauth2.c, the
 * token endpoint's HTTPS, is the other).
 */
#ifndef INCIDENT_SMTP_H
#define INCIDENT_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"
#include "lib/oauth2.h"

struct smtp_options {
	const char *url;	/* smtp://host:port (STARTTLS) or smtps://host:port */
	bool starttls;		/* for smtp://: require STARTTLS (default true) */
	const char *user;	/* NULL: no AUTH */
	const char *password;	/* AUTH PLAIN/LOGIN; unused with oauth2 */
	struct oauth2 *oauth2;	/* set: AUTH XOAUTH2 as user with its tokens
				 * (borrowed; must outlive the client) */
	const char *ca_file;
	int timeout;		/* seconds */
};

enum smtp_status {
	SMTP_SENT = 0,		/* the server said 250 to the data */
	SMTP_TEMPFAIL,		/* 4xx, network, TLS handshake: retry later */
	SMTP_PERMFAIL,		/* 5xx: do not retry */
};

struct smtp_client;

/* Returns NULL on out-of-memory or when curl cannot start. */
struct smtp_client *smtp_new(const struct smtp_options *opt);
void smtp_free(struct smtp_client *c);

/*
 * Sends one message (data: complete RFC 5322 bytes with CRLF line ends)
 * from envelope sender to the recipients.  Fills err->msg with the server's
 * reply or curl's reason on failure.  With oauth2, a token the server
 * refuses is replaced by a fresh one and the send tried once more (AUTH
 * comes before MAIL FROM: nothing was sent); no token from the endpoint
 * is SMTP_TEMPFAIL with the endpoint's reason.
 */
enum smtp_status smtp_send(struct smtp_client *c, const char *from,
			   const char *const *rcpts, size_t n_rcpts,
			   const char *data, size_t len, struct error *err);

/*
 * Connects, negotiates TLS and logs in (when a user is set) without sending
 * any mail: for `check-config --connect`.  0, or -1 with the reason.
 */
int smtp_check(struct smtp_client *c, struct error *err);

#endif
