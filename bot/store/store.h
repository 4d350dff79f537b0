/*
 * store.h — the bot's SQLite database: tickets, received messages (raw
 * bytes + SHA-256), the hash-chained event timeline, and the outbox.
 * Only the store_*.c files include sqlite3.
 *
 * The database runs in WAL mode with foreign keys on; its schema version
 * lives in PRAGMA user_version and store_open() applies the missing
 * migrations in one transaction.  Every change the pipeline makes for one
 * batch of mail is one transaction (store_begin/store_commit), and the mail
 * it causes is queued in the same commit (transactional outbox).
 *
 * Errors: SQLITE_BUSY/LOCKED/FULL/IOERR/READONLY are ERR_TEMP (the caller
 * retries; the mail stays in the INBOX); out of memory is ERR_TEMP too
 * (lib/error.h); anything else ERR_FATAL.
 *
 * Conventions every function below keeps unless its comment says more:
 * - Returns 0 on success, -1 on error with *err filled (class as above).
 *   A lookup returns 1 when found, 0 when not, -1 on error.
 * - An UPDATE of a row that does not exist (an unknown id or kind) changes
 *   nothing and returns 0: the callers hold the row they name.
 * - Arguments are borrowed for the call: strings and records passed in are
 *   copied into the database, never kept.
 * - Records returned are plain structs owned by the caller: one record is
 *   freed with its *_release (the struct itself is the caller's), a list
 *   is a malloc'd array freed with its *_free(list, n).  On -1 (and on 0
 *   of a lookup) nothing is to be freed: lists are NULL with n 0, and a
 *   record is left zeroed or untouched as its comment says.
 * - Writes belong to the caller's transaction (store_begin) when one is
 *   open, else SQLite commits each on its own.
 */
#ifndef INCIDENT_STORE_H
#define INCIDENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/error.h"
#include "mime/mail.h"
#include "rules/policy.h"

struct store;

/*
 * Opens (creating it and its folder if needed) and migrates the database.
 * 0 and *out, a handle the caller ends with store_close; -1 and *out NULL
 * (a database that cannot be written names the cause: full disk,
 * read-only file system, owner).  path is not kept.
 */
int store_open(const char *path, struct store **out, struct error *err);
/* Stops the checkpoint thread, closes the database and frees s (NULL: nothing). */
void store_close(struct store *s);

/*
 * A savepoint inside the open transaction, for changes that go together
 * or not at all (one admin's command mail): store_savepoint_end(s, false)
 * undoes everything since store_savepoint, true keeps it.
 */
int store_savepoint(struct store *s, struct error *err);		/* 0 or -1 */
int store_savepoint_end(struct store *s, bool keep, struct error *err);	/* 0 or -1 */

/*
 * Moves the WAL checkpoints off this connection onto a thread with its
 * own (store_checkpoint.c): commits then only append to the WAL.  For the
 * service, whose transactions follow each other during a backlog;
 * store_close stops it.  Nothing changes on disk but who copies the pages.
 * 0, or -1 when the second connection or the thread cannot start.
 */
int store_checkpoint_in_background(struct store *s, struct error *err);

/*
 * A consistent copy of the live database into path (which must not exist)
 * with SQLite's online backup API: the bot may go on writing meanwhile.
 * The copy is made mode 600 (it holds personal data).  0, or -1: an
 * existing path is refused (ERR_FATAL), a copy that fails is removed.
 */
int store_backup(struct store *s, const char *path, struct error *err);

/*
 * BEGIN IMMEDIATE ... COMMIT: 0 or -1 (a busy or full database is
 * ERR_TEMP; after a failed commit the caller rolls back).  Rollback never
 * fails from the caller's view.
 */
int store_begin(struct store *s, struct error *err);
int store_commit(struct store *s, struct error *err);
void store_rollback(struct store *s);

/* ---- key/value state (e.g. the IMAP UIDVALIDITY) ---- */
/* Returns 1 and a malloc'd *value (the caller frees it) when set, 0 and
 * *value NULL when not, -1 on error. */
int store_state_get(struct store *s, const char *key, char **value, struct error *err);
/* Sets key to value, replacing an earlier one: 0 or -1. */
int store_state_set(struct store *s, const char *key, const char *value, struct error *err);

/* ---- tickets (store_ticket.c) ---- */

/*
 * A ticket as the store reads it.  Status, priority, type and source are
 * the enums of rules/policy.h: the rows hold their names, read back with
 * *_from_name(), so a name this version does not know (an old or edited
 * database) reads as STATUS_UNKNOWN / *_UNSET and everything goes on.
 */
struct ticket {
	int64_t id;		/* row id */
	char ref[24];		/* "INC-2026-0007" */
	char *subject;
	enum status status;	/* SPEC 3 */
	enum priority priority;	/* PRIORITY_UNSET until classified */
	enum incident_type type;	/* TYPE_UNSET until classified */
	enum source source;	/* SOURCE_UNSET: nobody recorded it */
	char *reporter_addr;
	char *reporter_name;
	char *owner;
	time_t created_at;
	time_t updated_at;
	time_t aware_at;	/* policy 7-4: every legal clock starts here */
	unsigned flags;		/* FLAG_BIT()s of policy.h */
	long affected;		/* people whose data is involved; -1 unknown */
	bool affected_over;	/* more than `affected` (1,000人超) */
	long records;		/* records the report counted (件), not people; -1 none */
	char *system;		/* policy 6(3): the system the report named; NULL none */
	long recovery_seconds;	/* ... the downtime its business allows; 0: no target */
	char *classify_why;	/* the words the first classification saw */
	time_t acked_at;	/* 0: never; first left "new" */
	time_t contained_at;	/* 0: never; first reached recovering or later */
	time_t resolved_at;	/* 0: not resolved */
	time_t closed_at;	/* 0: not closed */
	int escalation_stage;	/* unacknowledged escalations sent (timers) */
	char *lessons;		/* policy 8: the lessons-learned document */
};

/* Frees what a ticket's fields point to (the struct stays the caller's). */
void store_ticket_release(struct ticket *t);
/* The facts that decide t's obligations (rules/policy.h): the one place a
 * ticket's fields become policy_facts.  Pure: no database, t is borrowed. */
struct policy_facts store_ticket_facts(const struct ticket *t);
/* Releases n tickets and frees the array (NULL: nothing). */
void store_tickets_free(struct ticket *t, size_t n);

/*
 * Opens a ticket with the next number of year (INC-YYYY-NNNN) inside the
 * open transaction.  0 and *out filled (the caller releases it with
 * store_ticket_release), or -1 and *out untouched.
 */
int store_ticket_create(struct store *s, int year, time_t now, const char *subject,
			const char *reporter_addr, const char *reporter_name,
			struct ticket *out, struct error *err);

/* By INC-… or by row id: 1 and *out filled (released by the caller with
 * store_ticket_release) when found; 0 when not, -1 on error, *out
 * untouched by both. */
int store_ticket_get(struct store *s, const char *ref, struct ticket *out,
		     struct error *err);
int store_ticket_get_by_id(struct store *s, int64_t id, struct ticket *out,
			   struct error *err);

/* Tickets not closed (or all), newest first: 0 and a malloc'd *out of *n
 * (store_tickets_free), or -1. */
int store_ticket_list(struct store *s, bool all, struct ticket **out, size_t *n,
		      struct error *err);

/* Sets the ticket's updated_at to now: 0 or -1. */
int store_ticket_touch(struct store *s, int64_t id, time_t now, struct error *err);

/* ---- the timeline (store_ticket.c) ---- */

struct event {
	int64_t id;
	time_t at;
	char *actor;		/* an address, or "bot" */
	char *kind;		/* "opened", "follow-up", "mail-queued", ... */
	char *detail;
	char hash[65];
};

/*
 * Appends an event to the ticket's timeline.  Each event's hash covers the
 * previous event's hash, so editing or deleting a row breaks the chain.
 * ticket_id 0: an event about no ticket.  detail may be NULL.  0 or -1.
 */
/*
 * How many events of kind by actor (case-insensitive) ticket_id has at or
 * after since: *n.  0 or -1.
 */
int store_event_count(struct store *s, int64_t ticket_id, const char *actor, const char *kind,
		      time_t since, int *n, struct error *err);
int store_event_add(struct store *s, int64_t ticket_id, time_t at, const char *actor,
		    const char *kind, const char *detail, struct error *err);
/* A ticket's events, oldest first: 0 and a malloc'd *out of *n
 * (store_events_free), or -1. */
int store_event_list(struct store *s, int64_t ticket_id, struct event **out, size_t *n,
		     struct error *err);
void store_events_free(struct event *e, size_t n);	/* NULL: nothing */

/* ---- the policy engine's records (store_policy.c) ---- */

/* Which tickets store_ticket_query lists; zeroed: every ticket not closed. */
struct ticket_filter {
	bool all;		/* closed ones too */
	const char *status;	/* only this status: its name (status_name()), as
				 * `tickets --status` takes it; NULL any */
	const char *priority;	/* only this priority (priority_name()); NULL any */
	bool overdue;		/* only those with an open obligation due before now */
	time_t now;
	bool oldest_first;	/* default: newest first */
};
/* 0 and a malloc'd *out of *n (store_tickets_free), or -1.  f is borrowed. */
int store_ticket_query(struct store *s, const struct ticket_filter *f, struct ticket **out,
		       size_t *n, struct error *err);

/* The first classification (or a correction): flags and affected (-1:
 * unknown) are written; type, priority and source when set — an *_UNSET
 * (or out-of-range) value keeps the row's, so that a name an old database
 * holds, read as unset, survives an admin's /type (the admins cannot
 * unset one); why only when not NULL.  0 or -1. */
int store_ticket_set_class(struct store *s, int64_t id, enum incident_type type,
			   enum priority priority, enum source source, unsigned flags,
			   long affected, const char *why, struct error *err);

/*
 * The new status, and the times derived from it: acked_at when it first
 * leaves "new", contained_at when it first reaches "recovering" or later,
 * resolved_at / closed_at set on reaching them and cleared on a reopen.
 * The caller has checked the move (policy_transition).  0 or -1.
 */
int store_ticket_set_status(struct store *s, int64_t id, enum status status, time_t now,
			    struct error *err);
/* The unacknowledged escalations sent so far (timers): 0 or -1. */
int store_ticket_set_escalation(struct store *s, int64_t id, int stage, struct error *err);
/* The owner's address (NULL: none): 0 or -1. */
int store_ticket_set_owner(struct store *s, int64_t id, const char *owner, struct error *err);
/* Policy 8: the lessons-learned document (NULL: none).  0 or -1. */
int store_ticket_set_lessons(struct store *s, int64_t id, const char *text, struct error *err);
/*
 * Issue 12: the counts beside `affected` — whether it is "more than" (over)
 * and the records counted (-1 none).  0, or -1 (err); the caller re-syncs
 * the obligations (APPI rules art. 7(4)).
 */
int store_ticket_set_counts(struct store *s, int64_t id, bool affected_over, long records,
			    struct error *err);

/*
 * Policy 6(3): the system the report names (NULL: none) and the downtime
 * its business allows in seconds (0: no recovery target).  0, or -1; the
 * caller re-syncs the obligations.
 */
int store_ticket_set_system(struct store *s, int64_t id, const char *system,
			    long recovery_seconds, struct error *err);

/* Policy 7-4: when the company became aware; the caller re-syncs the obligations. */
int store_ticket_set_aware(struct store *s, int64_t id, time_t aware, struct error *err);

struct checklist_item {
	int pos;		/* 1, 2, ... as admins tick them (/check N) */
	char *text;
	time_t done_at;		/* 0: open */
	char *done_by;
};

/* Adds item pos; an item already at pos is kept as it is (not an error).  0 or -1. */
int store_checklist_add(struct store *s, int64_t ticket_id, int pos, const char *text,
			struct error *err);
/* The items in pos order: 0 and a malloc'd *out of *n (store_checklist_free), or -1. */
int store_checklist_list(struct store *s, int64_t ticket_id, struct checklist_item **out,
			 size_t *n, struct error *err);
void store_checklist_free(struct checklist_item *c, size_t n);	/* NULL: nothing */
/* Ticks item pos: 1, 2 when it was ticked already, 0 when there is no such item, -1. */
int store_checklist_tick(struct store *s, int64_t ticket_id, int pos, const char *by, time_t now,
			 struct error *err);
/* A new type's checklist: the items not yet ticked go, texts follow the
 * ticked ones (texts and its strings are borrowed).  0 or -1. */
int store_checklist_replace(struct store *s, int64_t ticket_id, const char *const *texts,
			    size_t n, struct error *err);

struct obligation {
	int64_t id;
	int64_t ticket_id;
	char ref[24];		/* the ticket's INC-… */
	char *kind;		/* obligation_name() */
	enum obligation_state state;	/* stored by its name; one this version does not
					 * know reads as OBLIGATION_STATE_UNKNOWN */
	time_t created_at;
	time_t start_at;	/* the awareness time it counts from */
	time_t due_at;
	time_t closed_at;
	char *reason;		/* not needed / cancelled because …; done: the note */
	char *closed_by;
	int remind_stage;	/* timers: reminders sent */
	int overdue_stage;	/* timers: overdue escalations sent */
};

/*
 * Makes sure the ticket has an open obligation of kind from start to due:
 * creates it (returns 1), reopens a cancelled one (1), moves the times of
 * an open one when they differ (0; its reminder stages restart), or
 * leaves one that is done or not needed alone (0).  -1 on error.
 */
int store_obligation_require(struct store *s, int64_t ticket_id, const char *kind,
			     time_t start, time_t due, time_t now, struct error *err);
/* Ends an open obligation as state (done, not needed, cancelled): 1, 0
 * when none open, -1 (a state out of range or OBLIGATION_OPEN: ERR_FATAL). */
int store_obligation_close(struct store *s, int64_t ticket_id, const char *kind,
			   enum obligation_state state, const char *reason, const char *by,
			   time_t now, struct error *err);
/* A ticket's obligations in due order; ticket_id 0: the open ones of every
 * ticket not settled.  0 and a malloc'd *out of *n (store_obligations_free), or -1. */
int store_obligation_list(struct store *s, int64_t ticket_id, struct obligation **out,
			  size_t *n, struct error *err);
/* The reminders and overdue escalations sent for obligation id (timers): 0 or -1. */
int store_obligation_set_stages(struct store *s, int64_t id, int remind_stage,
				int overdue_stage, struct error *err);
void store_obligations_free(struct obligation *o, size_t n);	/* NULL: nothing */

/* Policy 5-1, 5-2, 6-2: when each periodic review was last done. */
struct review {
	time_t last_done;
	char *done_by;
	int remind_stage;
};
/* 1 and *out (store_review_release), 0 when never recorded, -1; *out is
 * zeroed first in every case. */
int store_review_get(struct store *s, const char *kind, struct review *out, struct error *err);
/* Records the review done at `at` by `by` (reminders start over).  0 or -1. */
int store_review_done(struct store *s, const char *kind, time_t at, const char *by,
		      struct error *err);
/* The reminders sent since the review was last done: 0 or -1 (a kind
 * never recorded by store_review_done has no row to update). */
int store_review_set_stage(struct store *s, const char *kind, int stage, struct error *err);
/* Frees done_by and zeroes *r. */
void store_review_release(struct review *r);

/* Policy 5(2): a plan verification after a major change, tracked until done. */
struct change_review {
	int64_t id;
	char *what;		/* the change, as the admin wrote it */
	time_t opened_at;
	char *opened_by;	/* NULL: unknown */
	time_t due_at;
	time_t done_at;		/* 0: still open */
	char *done_by;
	int remind_stage;	/* reminders sent (timers) */
};
/* Opens one: 0 and its id in *id, or -1.  what is copied. */
int store_change_review_open(struct store *s, const char *what, const char *by, time_t at,
			     time_t due, int64_t *id, struct error *err);
/* Every change review (open_only: the open ones), oldest first: 0 and a
 * malloc'd *out of *n (store_change_reviews_free), or -1. */
int store_change_review_list(struct store *s, bool open_only, struct change_review **out,
			     size_t *n, struct error *err);
/* Records review id done: 1, 0 when no open review has that id, -1. */
int store_change_review_done(struct store *s, int64_t id, time_t at, const char *by,
			     struct error *err);
/* The reminders sent for review id: 0 or -1. */
int store_change_review_set_stage(struct store *s, int64_t id, int stage, struct error *err);
void store_change_reviews_free(struct change_review *r, size_t n);	/* NULL: nothing */

/* ---- received messages (store_message.c) ---- */

struct message_in {
	int64_t ticket_id;	/* 0: none (e.g. an auto-reply) */
	const char *kind;	/* "report", "follow-up", "automatic", "unparseable" */
	const char *raw;
	size_t len;
	const char *sha256;
	uint32_t imap_uid;
	uint32_t imap_uidvalidity;
	const struct mail *mail; /* parsed fields; NULL when unparseable */
	const char *new_text;	/* a reply's own words without quotes (quote.h); NULL: the body */
	const char *machine;	/* what machine wrote it and why ("out-of-office: auto-reply
				   subject"); NULL: a person */
	const char *forward;	/* a person's words to forward (issue 13): "follow-up",
				   "management", "question"; NULL: none */
};

/*
 * Whether this message is already stored: STORE_SEEN_BYTES when the same
 * bytes are (SHA-256); STORE_SEEN_ID when another message with this
 * Message-ID (not NULL) has the same from_addr (ignoring case) and body
 * (another copy of the same mail); STORE_SEEN_CLASH when messages with
 * this Message-ID exist but none from this sender with this body (issue
 * 14, V12: a planted Message-ID must not hide a real report — the mail
 * is new).  *ticket_id is then the matching (or first) message's ticket
 * (0 when none).  0 when none of these, -1 on error.
 */
enum { STORE_SEEN_BYTES = 1, STORE_SEEN_ID = 2, STORE_SEEN_CLASH = 3 };
int store_message_seen(struct store *s, const char *message_id, const char *sha256,
		       const char *from_addr, const char *body, int64_t *ticket_id,
		       struct error *err);

/* Inserts the message (raw bytes, parsed fields, new_text) and its
 * attachments' records; everything in m is borrowed.  0 and the row id in
 * *id (id may be NULL), or -1. */
int store_message_insert(struct store *s, const struct message_in *m, time_t now,
			 int64_t *id, struct error *err);

/*
 * The ticket a Message-ID belongs to: a received message of the ticket or a
 * mail the bot sent about it.  1 and *ticket_id, 0 when unknown, -1.
 */
int store_message_ticket_of(struct store *s, const char *message_id,
			    int64_t *ticket_id, struct error *err);

struct message_row {
	int64_t id;
	char *kind;
	char *message_id;
	char *from_addr;
	char *from_name;
	char *subject;
	char *body;
	char *new_text;		/* what the person wrote, without quotes and signature */
	char *sha256;
	time_t date;
	time_t received_at;
	size_t size;
	size_t n_attachments;
	struct mail_attachment *attachments;
	int64_t ticket_id;	/* 0: none */
	char *machine;		/* as in struct message_in */
	char *forward;		/* as in struct message_in */
	char *date_raw;		/* the Date header as written (store_message_list and
				 * store_message_report; NULL before schema 12) */
};

/* A ticket's received messages, oldest first, with their attachments'
 * records (not the raw bytes: store_message_raw): 0 and a malloc'd *out of
 * *n (store_messages_free), or -1. */
int store_message_list(struct store *s, int64_t ticket_id, struct message_row **out,
		       size_t *n, struct error *err);
void store_messages_free(struct message_row *m, size_t n);	/* NULL: nothing */

/* The ticket's report (its first message of kind "report") as
 * store_message_list reads it: 0 and a malloc'd *out of *n, 0 or 1
 * (store_messages_free), or -1. */
int store_message_report(struct store *s, int64_t ticket_id, struct message_row **out,
			 size_t *n, struct error *err);

/*
 * Issue 13: the machines' mail that opened no ticket (kind "automatic")
 * received in [since, until) — until 0: no end — newest first, at most
 * limit (0: all), without attachments; and how many there are.  0 or -1.
 */
int store_message_automatic(struct store *s, time_t since, time_t until, size_t limit,
			    struct message_row **out, size_t *n, struct error *err);
int store_message_automatic_count(struct store *s, time_t since, time_t until, long *count,
				  struct error *err);

/*
 * Issue 13: the people's words not forwarded yet (forward set,
 * forwarded_at NULL), oldest first, without attachments: 0 and *out of *n
 * (store_messages_free), or -1.  store_message_forwarded marks one done.
 */
int store_message_to_forward(struct store *s, struct message_row **out, size_t *n,
			     struct error *err);
int store_message_forwarded(struct store *s, int64_t id, time_t now, struct error *err);
/* Marks message id's words to be forwarded as `what` (struct message_in forward). */
int store_message_set_forward(struct store *s, int64_t id, const char *what, struct error *err);

/* ---- the outbox (store_outbox.c) ---- */

enum outbox_state { OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_FAILED };

struct outbox_entry {
	int64_t id;
	int64_t ticket_id;
	char *kind;		/* "ack", "alarm", ... */
	char *message_id;
	char *env_from;
	char *rcpt;
	char *subject;		/* UTF-8, for listings */
	char *data;		/* the complete message (CRLF) */
	size_t len;
	enum outbox_state state;
	int attempts;
	time_t created_at;
	time_t next_attempt_at;
	time_t sent_at;
	time_t failed_at;	/* 0 unless failed (and 0 for failures before schema 4) */
	char ticket_ref[24];	/* "INC-…" (store_outbox_query only), "" for none */
	char *last_error;
	/* Issue 16: an intent not rendered yet (data is then empty); every
	 * function that returns entries sets it.  The fields after it are
	 * filled by store_outbox_intents only (NULL/0 elsewhere). */
	bool intent;
	char *template, *html_template;	/* html_template may be NULL */
	char *to_name, *reply_to, *in_reply_to, *references, *auto_submitted;
	bool urgent;
	char *params;		/* the kind's parameters (notify/intent.h); may be NULL */
	char *cause_message;	/* the Message-ID of the mail that caused it; may be NULL */
	int64_t cause_event;	/* the newest event when it was recorded; 0: none */
};

/*
 * Issue 16: what must be sent, recorded in the transaction of the change
 * that causes it; store_outbox_mark_rendered() adds the bytes later.  The
 * strings are copied; every one but kind, template, message_id, env_from
 * and rcpt may be NULL.
 */
struct outbox_intent {
	int64_t ticket_id;	/* 0: about no ticket */
	const char *kind, *template, *html_template;
	const char *message_id, *env_from, *rcpt, *to_name;
	const char *reply_to, *in_reply_to, *references, *auto_submitted;
	bool urgent;
	const char *params;
	const char *cause_message;
};
/* Records in inside the open transaction: pending, due now, stage
 * 'intent', cause_event the newest event so far.  0 or -1 (a Message-ID
 * already queued is an error). */
int store_outbox_add_intent(struct store *s, const struct outbox_intent *in, time_t now,
			    struct error *err);
/* The oldest intents not rendered yet (pending or not), at most limit,
 * with their intent fields: 0 and a malloc'd *out of *n
 * (store_outbox_free), or -1. */
int store_outbox_intents(struct store *s, size_t limit, struct outbox_entry **out, size_t *n,
			 struct error *err);
/* Intent id rendered: its exact bytes (data, len), their SHA-256 (hex),
 * its subject for listings; stage 'rendered' from now on.  Call it inside
 * the transaction that records anything else the rendering caused, so
 * that the bytes and their mark commit together.  0 or -1. */
int store_outbox_mark_rendered(struct store *s, int64_t id, const char *subject,
			       const char *data, size_t len, const char *sha256, time_t now,
			       struct error *err);

/* Queues a composed message inside the open transaction, pending and due
 * now (ticket_id 0: about no ticket), rendered, with sha256 (hex), the
 * SHA-256 of its bytes the caller computed once for the row and its
 * event, as store_outbox_mark_rendered takes it.  Everything is copied.
 * 0 or -1 (a Message-ID already queued is an error). */
int store_outbox_add(struct store *s, int64_t ticket_id, const char *kind,
		     const char *message_id, const char *env_from, const char *rcpt,
		     const char *subject, const char *data, size_t len, const char *sha256,
		     time_t now, struct error *err);

/* Pending rendered entries due at now, oldest first, at most limit; a mail
 * waits while an earlier one to the same recipient is pending and not yet
 * due, or not rendered yet (issue 16: order per recipient holds across
 * the render stage).
 * With their data.  0 and a malloc'd *out of *n (store_outbox_free), or -1. */
int store_outbox_due(struct store *s, time_t now, size_t limit,
		     struct outbox_entry **out, size_t *n, struct error *err);
/* Entries of a ticket (ticket_id 0: all), oldest first; data only when
 * asked.  0 and a malloc'd *out of *n (store_outbox_free), or -1. */
int store_outbox_list(struct store *s, int64_t ticket_id, bool with_data,
		      struct outbox_entry **out, size_t *n, struct error *err);

/* What `outbox` and the digest look at (without data), newest first. */
struct outbox_filter {
	int state;		/* an enum outbox_state, or -1 for every state */
	bool unsent_only;	/* pending and failed */
	time_t since;		/* queued (failed: failed) at or after; 0: ever */
	size_t limit;		/* 0: no limit */
};
/* 0 and a malloc'd *out of *n (store_outbox_free), or -1. */
int store_outbox_query(struct store *s, const struct outbox_filter *f,
		       struct outbox_entry **out, size_t *n, struct error *err);

struct outbox_counts {
	int64_t count[3];	/* by enum outbox_state */
	time_t oldest_pending;	/* queued at, or 0 */
	time_t next_due;	/* store_outbox_next_due */
};
/* Fills the caller's *c: 0 or -1. */
int store_outbox_counts(struct store *s, struct outbox_counts *c, struct error *err);

void store_outbox_free(struct outbox_entry *e, size_t n);	/* NULL: nothing */
/* Frees what an entry's fields point to (the struct stays the caller's). */
void store_outbox_entry_release(struct outbox_entry *e);

/* The entry whose Message-ID is message_id (without data): 1 and *out
 * (store_outbox_entry_release), 0, or -1; *out is zeroed first. */
int store_outbox_find(struct store *s, const char *message_id, struct outbox_entry *out,
		      struct error *err);

/*
 * The Message-ID of the first mail of kind on ticket_id to rcpt
 * (case-insensitive), else of its first mail of kind to anybody: what a
 * later mail threads under (issue 13: reminders under the alarm).  1 and
 * a malloc'd *message_id (the caller frees), 0 when there is none, or -1.
 */
int store_outbox_thread_root(struct store *s, int64_t ticket_id, const char *kind,
			     const char *rcpt, char **message_id, struct error *err);

/* How many mails to rcpt (case-insensitive) wait in the outbox (pending):
 * *n, kept per recipient as rows change (schema 13), so one lookup.  0 or -1. */
int store_outbox_pending_to(struct store *s, const char *rcpt, int *n, struct error *err);

/* The acknowledgements of the caps' window (issue 14 V5), each count. */
struct ack_counts {
	int mailbox;		/* to this mailbox (+tags and case folded) */
	int domain;		/* to this domain */
	int outside;		/* to all outside senders together */
};

/* Notes an acknowledgement queued at `at` to mailbox (the caller's key:
 * lower case, +tag folded) of domain (lower case), outside the company or
 * not, in the caller's transaction.  0 or -1. */
int store_ack_note(struct store *s, time_t at, const char *mailbox, const char *domain,
		   bool outside, struct error *err);

/* The acknowledgements noted since then to mailbox, to domain and to the
 * outside, each counted no further than its cap in *caps (a cap of 0: not
 * counted, 0): *c.  0 or -1. */
int store_acks_since(struct store *s, const char *mailbox, const char *domain, time_t since,
		     const struct ack_counts *caps, struct ack_counts *c, struct error *err);

/* When store_outbox_due will next return mail (the earliest due time of
 * each recipient's first pending mail) into *when, 0 when none is pending.
 * Returns 0 or -1. */
int store_outbox_next_due(struct store *s, time_t *when, struct error *err);

/*
 * Counts an attempt before the mail goes to the server, so that nothing is
 * sent while the database cannot record it (locked, full, read-only): the
 * sender stops when this fails.  A kill during the send leaves the count.
 * Only a pending entry counts.  0 or -1.
 */
int store_outbox_claim(struct store *s, int64_t id, struct error *err);
/* The server took it (250): sent at now, its last error cleared.  0 or -1. */
int store_outbox_mark_sent(struct store *s, int64_t id, time_t now, struct error *err);
/* A temporary failure: attempts so far, the next try at `next`, the
 * server's words (reason, may be NULL).  0 or -1. */
int store_outbox_mark_retry(struct store *s, int64_t id, int attempts, time_t next,
			    const char *reason, struct error *err);
/* Refused for good (5xx, or the attempt limit): failed at now.  0 or -1. */
int store_outbox_mark_failed(struct store *s, int64_t id, int attempts, const char *reason,
			     time_t now, struct error *err);
/* A mail the server took and then returned (a bounce): failed, with the
 * reason.  0 or -1. */
int store_outbox_mark_bounced(struct store *s, int64_t id, const char *reason, time_t now,
			      struct error *err);

/* "pending", "sent", "failed": a static string. */
const char *outbox_state_name(enum outbox_state st);

/* ---- evidence: checking the records, reading them whole (store_verify.c) ---- */

/*
 * A read snapshot for a document made of many queries (export): every
 * read between begin and end sees the database as it was at the first
 * one, while the bot goes on writing (WAL).  Not inside another
 * transaction; nothing may be written before end, which never fails.
 * 0 or -1.
 */
int store_read_begin(struct store *s, struct error *err);
void store_read_end(struct store *s);

/* The raw bytes of received message id: 1 and *raw (malloc'd, the
 * caller frees it; NUL-terminated past *len), 0 when there is no such
 * message, -1 on error. */
int store_message_raw(struct store *s, int64_t id, char **raw, size_t *len,
		      struct error *err);

enum verify_what {
	VERIFY_EVENT_HASH,	/* the event's stored hash is not that of its content */
	VERIFY_EVENT_LINK,	/* its prev_hash is not the previous event's hash */
	VERIFY_MESSAGE_HASH,	/* SHA-256 of a message's raw bytes is not the stored one */
	VERIFY_MAIL_HASH,	/* SHA-256 of a rendered outbox mail is not the stored one */
};

struct verify_problem {
	enum verify_what what;
	int64_t id;		/* the event's or the message's row id */
	char ref[24];		/* its ticket's INC-…, "" when it has none */
	time_t at;		/* the event's time; the message's reception */
	char kind[32];		/* the event's kind (cut to fit) */
	int64_t prev_id;	/* LINK: the event before it in the table; 0: none */
};

struct verify_result {
	size_t events;		/* events checked */
	size_t messages;	/* messages checked */
	size_t mails;		/* outbox mails checked (rendered since schema 12) */
	size_t problems;
	int64_t last_id;	/* the newest event (0: none) and its stored hash: */
	char last_hash[65];	/* write them down to detect a later truncation */
	struct verify_problem first;	/* the first problem, when problems > 0 */
};

/*
 * Recomputes the whole database, in one read snapshot: walks the events in
 * id order, checking that each prev_hash is the hash of the event before
 * it (64 '0's before the first) and recomputing each hash from its content
 * and prev_hash (store_event_add's formula), then recomputes
 * every message's SHA-256 from its raw bytes, and the SHA-256 of every
 * outbox mail rendered since schema step 12 (issue 16: what left is what
 * was stored, and the render's "mail-queued" event chains that hash).  Calls cb (may be NULL) for
 * every problem in that order and goes on; fills *out.  Returns 0 — also
 * when problems were found: see out->problems — or -1 when the database
 * could not be read.  cb must not use the store.
 *
 * What it cannot see: a deleted message (messages are not chained), the
 * newest events deleted together (compare last_id/last_hash with a value
 * written down earlier, e.g. an export's chain.txt), mail queued before
 * schema step 12 (no SHA-256 was kept), and the
 * other tables (tickets, obligations, …), which are state, not records.
 */
typedef void verify_fn(const struct verify_problem *p, void *arg);
int store_verify(struct store *s, verify_fn *cb, void *arg, struct verify_result *out,
		 struct error *err);

/*
 * The problem for people, times in the configured zone:
 *   event 1234 (INC-2026-0007, 2026-11-25T10:00:00+09:00, status): hash does not match its content
 *   event 1235: prev_hash does not match event 1234
 *   message 17 (INC-2026-0007): SHA-256 of the raw bytes differs from the stored one
 * Returns buf (256 bytes is always enough).
 */
char *store_verify_describe(const struct verify_problem *p, char *buf, size_t len);

/* ---- reply token generations (store_token.c, issue 14) ---- */

/* A generation of the reply token of (ticket, addr); the token is its HMAC. */
struct token_row {
	int64_t ticket_id;
	char *addr;
	unsigned long generation;
	time_t issued_at;
};

/*
 * The live generation of (ticket_id, addr) (case-insensitive): the newest
 * not revoked, issued after now - max_age.  1 and *generation (and
 * *issued_at, may be NULL), 0 when there is none, -1 on error.
 */
int store_token_live(struct store *s, int64_t ticket_id, const char *addr, time_t now,
		     long max_age, unsigned long *generation, time_t *issued_at, struct error *err);

/*
 * A new generation of (ticket_id, addr), issued now: every older live one
 * is revoked with why "replaced".  0 and *generation, or -1.
 */
int store_token_issue(struct store *s, int64_t ticket_id, const char *addr, time_t now,
		      unsigned long *generation, struct error *err);

/*
 * Revokes, now, the live generations of ticket_id: those of addr (NULL:
 * of everybody), only generation when it is not 0.  why (not NULL) is
 * kept.  Returns how many were revoked, or -1.
 */
int store_token_revoke(struct store *s, int64_t ticket_id, const char *addr,
		       unsigned long generation, const char *why, time_t now, struct error *err);

/*
 * Every generation of ticket_id not revoked and issued after now -
 * max_age, into a malloc'd array the caller frees with
 * store_token_rows_free().  0 or -1.
 */
int store_token_list_live(struct store *s, int64_t ticket_id, time_t now, long max_age,
			  struct token_row **rows, size_t *n, struct error *err);
void store_token_rows_free(struct token_row *rows, size_t n);	/* NULL: nothing */

#endif
