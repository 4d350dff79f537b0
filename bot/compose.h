/*
 * compose.h — builds the bytes of an outgoing mail from plain fields:
 * RFC 2047 encoded UTF-8 headers, CRLF line ends, threading headers,
 * Auto-Submitted.  Pure: no I/O.  Header values are stripped of CR and LF so
 * that no input can inject a header.
 */
#ifndef INCIDENT_COMPOSE_H
#define INCIDENT_COMPOSE_H

#include <stddef.h>
#include <time.h>

struct outmsg {
	const char *from_addr;
	const char *from_name;		/* UTF-8, may be NULL */
	const char *to_addr;
	const char *to_name;		/* UTF-8, may be NULL */
	const char *reply_to;		/* may be NULL */
	const char *subject;		/* UTF-8 */
	const char *message_id;		/* without brackets */
	const char *in_reply_to;	/* without brackets, may be NULL */
	const char *references;		/* space-separated ids without brackets, may be NULL */
	const char *auto_submitted;	/* "auto-replied" or "auto-generated" */
	const char *body;		/* UTF-8 text, LF or CRLF */
	time_t date;
	int utc_offset_min;		/* offset for the Date: header, e.g. 540 */
};

/*
 * Returns a malloc'd NUL-terminated message (the caller frees) and sets *len,
 * or NULL on out-of-memory.
 */
char *compose_message(const struct outmsg *m, size_t *len);

/* RFC 2047 B-encoding of a UTF-8 phrase when it needs it (non-ASCII); malloc'd. */
char *compose_encode_word(const char *utf8);

#endif
