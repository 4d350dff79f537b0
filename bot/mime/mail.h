/*
 * mail.h — a received mail as the rest of the bot sees it: the bytes as
 * fetched (struct mail_raw: imap/ fills it, desk/ reads it, neither knows
 * the other) and their reading (struct mail): plain strings in UTF-8, no
 * library types.  mime.c fills a struct mail from raw RFC 5322 bytes.
 *
 * Every string member is either NULL (header absent) or a NUL-terminated
 * UTF-8 string owned by the struct mail; mail_release() frees them all.
 */
#ifndef INCIDENT_MAIL_H
#define INCIDENT_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A mail as the mailbox gave it, before any reading. */
struct mail_raw {
	uint32_t uid;		/* the mailbox's id for it (IMAP UID): the logs'
				 * "uid N" and the stored row (with UIDVALIDITY) */
	char *raw;		/* malloc'd, CRLF as the server sent it, NUL-terminated */
	size_t len;		/* bytes in raw, without the NUL (raw may hold NULs) */
	bool truncated;		/* over the size limit: raw is only the first
				 * len (= max) bytes, cut anywhere, even in the
				 * middle of a header, a line or a character */
	size_t full_size;	/* the whole mail's size (RFC822.SIZE) when
				 * truncated, otherwise len */
	time_t arrived;		/* when the mailbox received it (IMAP
				 * INTERNALDATE, RFC 3501 2.3.3); 0 when unknown */
};

/* Frees msgs[0..n) (each raw, then the array); safe on NULL. */
void mail_raws_free(struct mail_raw *msgs, size_t n);

struct mail_address {
	char *name;		/* display name, RFC 2047 decoded; may be NULL */
	char *addr;		/* local@domain as written (not lower-cased) */
};

struct mail_attachment {
	char *filename;		/* decoded (RFC 2047 / 2231); NULL when none */
	char *content_type;	/* "type/subtype", lower case */
	size_t size;		/* decoded size in bytes */
	char sha256[65];	/* hex of the decoded content */
	bool forwarded;		/* inside a forwarded message, not the mail's own part
				   (issue 13: a person forwarding a bounce is a person) */
};

struct mail {
	struct mail_address from;	/* from.addr NULL when unparseable */
	struct mail_address *to;	size_t n_to;
	struct mail_address *cc;	size_t n_cc;
	char *subject;			/* RFC 2047 decoded */
	char *date_raw;			/* the Date: header as written */
	time_t date;			/* 0 when missing or unparseable */
	char *message_id;		/* without the angle brackets */
	char *in_reply_to;		/* first msg-id, without brackets */
	char **references;		/* msg-ids without brackets, oldest first */
	size_t n_references;
	char *body;			/* the text, UTF-8, LF line ends; never NULL after a successful parse */
	int body_lossy;			/* 1 when some bytes could not be decoded */
	struct mail_attachment *attachments;
	size_t n_attachments;

	/* Headers that tell a machine's mail from a person's (RFC 3834). */
	char *auto_submitted;
	char *precedence;
	char *list_id;		/* List-Id, or Mailing-List (ezmlm) */
	char *list_unsubscribe;	/* List-Unsubscribe (RFC 2369): newsletters have it */
	char *return_path;
	char *x_autoreply;	/* X-Autoreply, X-Autorespond or X-AutoReply-From */

	/* The header's trace, top first (RFC 8601 5, issue 14): every
	 * Authentication-Results ('A') and Received ('R') field, unfolded,
	 * at most MAIL_TRACE_MAX of them — whose results count is where the
	 * Received of the hop from outside is (auth.h). */
	struct mail_trace {
		char kind;		/* 'A' or 'R' */
		char *value;
	} *trace;
	size_t n_trace;
};

#define MAIL_TRACE_MAX 64

/* Frees every member and zeroes the struct; safe on a zeroed struct. */
void mail_release(struct mail *m);

/*
 * The mail's References as one space-separated string, oldest first, and
 * with_self: its own Message-ID last (the References of an answer).
 * Malloc'd ("" when empty), NULL on out-of-memory.
 */
char *mail_thread(const struct mail *m, bool with_self);

#endif
