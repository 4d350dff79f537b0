/*
 * bounce.h — reads a delivery status notification (RFC 3464) well enough to
 * match it to the mail of ours it is about: the returned Message-IDs, the
 * action, the status code and the server's diagnostic.  Pure: works on the
 * raw bytes of the notification (DSN parts are 7-bit text by RFC 3464).
 */
#ifndef INCIDENT_BOUNCE_H
#define INCIDENT_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#define BOUNCE_MAX_IDS 8

struct bounce {
	bool failed;		/* an "Action: failed" (delayed, relayed, delivered: false) */
	char action[32];	/* as written, lower case; "" when absent */
	char status[32];	/* "5.1.1"; "" when absent */
	char recipient[256];	/* Final-Recipient address; "" when absent */
	char diagnostic[256];	/* Diagnostic-Code text, unfolded; "" when absent */
	char *ids[BOUNCE_MAX_IDS];	/* Message-IDs found in the returned message, without brackets */
	size_t n_ids;
};

/*
 * Scans raw (len bytes, CRLF or LF) for the per-recipient fields of the
 * delivery-status part and for every Message-ID header line after the
 * notification's own header.  Returns 0 (fields it cannot find stay empty),
 * or -1 on out-of-memory.  Free with bounce_release().
 */
int bounce_parse(const char *raw, size_t len, struct bounce *out);
void bounce_release(struct bounce *b);

/* "5.1.1 (smtp; 550 5.1.1 <x@example.com>: user unknown)" for people and logs. */
void bounce_reason(const struct bounce *b, char *buf, size_t len);

#endif
