/*
 * oauth2.h — OAuth2 access tokens for SASL XOAUTH2 (issue 17): Microsoft
 * 365 and Google Workspace accept IMAP and SMTP logins only with them.
 * A token is fetched from the token endpoint (RFC 6749: client_credentials
 * or refresh_token grant), kept in memory and fetched again once 80 % of
 * its expires_in has passed, so that no login goes out with a token about
 * to run out.
 *
 * The second libcurl adapter (outbox/smtp.c is the first).  It lives in
 * lib/ because both the IMAP session (imap/, layer 3) and the SMTP client
 * (outbox/, layer 7) ask it for tokens, and it speaks HTTPS rather than
 * SMTP: smtp.c's handle is an SMTP connection cache and its protocol list
 * allows nothing else.  Like smtp.c it verifies the certificate (against
 * ca_file alone, or the system store) and includes nothing above lib/.
 *
 * Secrets: the client secret and the refresh token are read from their
 * files (secret.h's rule) at every request — so a new secret works without
 * a restart — and wiped after use; tokens live only in this module's
 * memory and in the copies it hands out.  None of them ever reaches a
 * log line or an error message (the endpoint's own error text does, with
 * control characters removed).
 *
 * Thread safety: one handle serves every thread (the intake reader opens
 * its own IMAP session): a mutex makes requests one at a time, so two
 * threads never both spend a rotating refresh token.
 */
#ifndef INCIDENT_OAUTH2_H
#define INCIDENT_OAUTH2_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

enum oauth2_grant {
	OAUTH2_CLIENT_CREDENTIALS = 1,	/* Microsoft 365 app-only: id + secret */
	OAUTH2_REFRESH_TOKEN,		/* Google (delegated): a refresh token */
};

struct oauth2_options {
	const char *token_url;		/* https:// only */
	const char *client_id;
	const char *client_secret_file;	/* client_credentials: required;
					 * refresh_token: optional (Google wants it) */
	const char *refresh_token_file;	/* set: the refresh_token grant */
	const char *scope;		/* NULL or "": none sent */
	const char *ca_file;		/* NULL: the system store */
	int timeout;			/* seconds per request (<= 0: 30) */
};

struct oauth2;

/* The grant the options select (refresh_token when a refresh_token_file is set). */
enum oauth2_grant oauth2_grant_of(const struct oauth2_options *opt);
const char *oauth2_grant_name(enum oauth2_grant g);	/* "client_credentials" */

/*
 * A handle (no network yet).  The strings are copied.  NULL on out of
 * memory, a URL that is not https://, or no client_id.  Free with
 * oauth2_free.
 */
struct oauth2 *oauth2_new(const struct oauth2_options *opt);
void oauth2_free(struct oauth2 *o);

/*
 * A token good for a login now: the one in memory while it is younger
 * than 80 % of its lifetime, otherwise a new one from the endpoint.
 * *token is a malloc'd copy (free it with secret_free; it is only the
 * token, without "Bearer").  A rotated refresh token in the answer
 * replaces refresh_token_file's content atomically (secret_replace).
 * Errors name the endpoint URL, the grant and the client_id:
 *   ERR_TEMP  endpoint unreachable, timed out, 5xx, 429, unreadable answer;
 *   ERR_AUTH  the endpoint refused (4xx): its error and error_description
 *             (AADSTS codes) and what to check;
 *   ERR_FATAL a secret file unreadable or unsafe, the endpoint's
 *             certificate not trusted by ca_file.
 */
int oauth2_token(struct oauth2 *o, char **token, struct error *err);

/*
 * The server refused token at login: when it is the one in memory, it is
 * forgotten, so that the next oauth2_token fetches a fresh one (the
 * caller's one retry).  Revocation and early expiry show this way.
 */
void oauth2_refused(struct oauth2 *o, const char *token);

/* How many tokens this handle has fetched (for logs and tests). */
unsigned long oauth2_fetches(struct oauth2 *o);

/* ---- pure parts, for the unit tests ---- */

/* When a token fetched at `obtained` (seconds) with expires_in is renewed:
 * at 80 % of its lifetime; a missing or silly expires_in counts as 3600. */
double oauth2_renew_at(double obtained, long expires_in);

/* What a token endpoint answered (RFC 6749 5.1 and 5.2). */
struct oauth2_answer {
	char *access_token;	/* malloc'd or NULL */
	char *refresh_token;	/* malloc'd or NULL: rotated when set */
	long expires_in;	/* 0 when absent */
	char *error;		/* "invalid_client", or NULL */
	char *error_description;
};

/*
 * Reads the JSON object body of an answer (top-level string and number
 * members; everything else is skipped).  0, or -1 when body is not a JSON
 * object.  Release with oauth2_answer_release (safe on a zeroed struct;
 * wipes the tokens).
 */
int oauth2_answer_parse(const char *body, size_t len, struct oauth2_answer *a);
void oauth2_answer_release(struct oauth2_answer *a);

#endif
