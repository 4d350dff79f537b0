/*
 * compose.h — builds the bytes of an outgoing mail from plain fields:
 * RFC 2047 encoded UTF-8 headers, CRLF line ends, threading headers,
 * Auto-Submitted; or the same in ISO-2022-JP for old Japanese clients.
 * Pure: no I/O.  Header values are stripped of CR and LF so that no input
 * can inject a header.
 */
#ifndef INCIDENT_COMPOSE_H
#define INCIDENT_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A text file attached to a mail (issue 13: the notice drafts). */
struct outpart {
	const char *filename;		/* UTF-8 (RFC 2231 in the headers); "/" "\\" and
					 * controls become "_" */
	const char *text;		/* UTF-8 text, LF or CRLF */
};

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
	const char *html;		/* UTF-8 HTML, the alternative to body; NULL: none */
	time_t date;
	int utc_offset_min;		/* offset for the Date: header, e.g. 540 */
	const char *charset;		/* NULL or "utf-8", or "iso-2022-jp" */
	const struct outpart *attachments;	/* n_attachments of them; may be NULL */
	size_t n_attachments;
	bool urgent;			/* Importance: high and X-Priority: 1 */
};

/*
 * Returns a malloc'd NUL-terminated message (the caller frees) and sets *len,
 * or NULL on out-of-memory.
 *
 * charset NULL, "utf-8" or anything unknown: UTF-8, a base64 body, encoded
 * words =?UTF-8?B?...?=.  "iso-2022-jp" (any case): a 7bit ISO-2022-JP
 * body (lines CRLF, each starting and ending in ASCII) and words
 * =?ISO-2022-JP?B?...?=, each one balanced, within 75 characters.  The
 * table is JIS X 0208 with NEC row 13 (①, ㈱), as Windows reads it;
 * half-width kana, ¥ and ‾ go full-width.  When the subject, a display
 * name or the body has a character that ISO-2022-JP lacks (emoji, most
 * non-Japanese scripts, 髙), or a body line over 998 bytes, the whole
 * message is UTF-8 as if charset were NULL: nothing is ever replaced.
 *
 * html set: multipart/alternative with body as text/plain first and html
 * as text/html second, each UTF-8 base64 with CRLF line ends, separated by
 * a boundary starting "=_" (which base64 cannot contain); always UTF-8,
 * whatever charset says.
 *
 * attachments (n_attachments > 0): multipart/mixed, the text (or the
 * alternative above) first, then each attachment as text/plain UTF-8
 * base64 with Content-Disposition: attachment and its file name in
 * RFC 2231 form (filename*=UTF-8''%E4… split into filename*0*=,
 * filename*1*=… at character boundaries so that no line passes 78), the
 * same as the Content-Type's name; a plain ASCII name goes quoted.
 *
 * urgent: the headers "Importance: high" (RFC 2156) and "X-Priority: 1",
 * which Outlook, Thunderbird and iPhone Mail show as a high-priority mark.
 */
char *compose_message(const struct outmsg *m, size_t *len);

/* RFC 2047 B-encoding of a UTF-8 phrase when it needs it (non-ASCII); malloc'd. */
char *compose_encode_word(const char *utf8);

#endif
