/*
 * buf.h — a growable byte buffer for the text-building modules (mime.c,
 * charset.c, html.c, header.c, rfc2231.c).
 *
 * A struct buf starts zeroed and owns p.  Appending doubles the capacity,
 * so building n bytes in pieces costs O(n).  Running out of memory does
 * not fail the call: it sets oom, which sticks, and later appends do
 * nothing, so a builder checks once at the end (buf_take returns NULL).
 * p is NUL-terminated whenever it is not NULL; it stays NULL until the
 * first byte arrives, and may hold NUL bytes of its own (use len).
 */
#ifndef INCIDENT_BUF_H
#define INCIDENT_BUF_H

#include <stddef.h>

struct buf {
	char *p;		/* NULL while empty */
	size_t len, cap;
	int oom;		/* memory ran out; the contents are incomplete */
};

/* Append n bytes of s / one byte / a NUL-terminated string. */
void buf_add(struct buf *b, const void *s, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);

/* Frees the contents and zeroes b; safe on a zeroed buffer. */
void buf_release(struct buf *b);

/*
 * Hands the NUL-terminated contents to the caller, who frees them ("" when
 * empty), and zeroes b.  NULL when b->oom was set or "" cannot be had;
 * b is released either way.
 */
char *buf_take(struct buf *b);

#endif
