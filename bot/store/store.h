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
 * retries; the mail stays in the INBOX); anything else ERR_FATAL.
 * Records returned to the caller are plain structs owned by the caller and
 * freed with the matching *_release / *_free function.
 */
#ifndef INCIDENT_STORE_H
#define INCIDENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/error.h"
#include "mime/mail.h"

struct store;

/* Opens (creating it and its folder if needed) and migrates the database. */
int store_open(const char *path, struct store **out, struct error *err);
void store_close(struct store *s);

/*
 * A savepoint inside the open transaction, for changes that go together
 * or not at all (one admin's command mail): store_savepoint_end(s, false)
 * undoes everything since store_savepoint, true keeps it.
 */
int store_savepoint(struct store *s, struct error *err);
int store_savepoint_end(struct store *s, bool keep, struct error *err);

/*
 * Moves the WAL checkpoints off this connection onto a thread with its
 * own (store_checkpoint.c): commits then only append to the WAL.  For the
 * service, whose transactions follow each other during a backlog;
 * store_close stops it.  Nothing changes on disk but who copies the pages.
 */
int store_checkpoint_in_background(struct store *s, struct error *err);

/*
 * A consistent copy of the live database into path (which must not exist)
 * with SQLite's online backup API: the bot may go on writing meanwhile.
 * The copy is made mode 600 (it holds personal data).
 */
int store_backup(struct store *s, const char *path, struct error *err);

/* BEGIN IMMEDIATE ... COMMIT; rollback never fails from the caller's view. */
int store_begin(struct store *s, struct error *err);
int store_commit(struct store *s, struct error *err);
void store_rollback(struct store *s);

/* ---- key/value state (e.g. the IMAP UIDVALIDITY) ---- */
/* Returns 1 and a malloc'd *value when set, 0 when not, -1 on error. */
int store_state_get(struct store *s, const char *key, char **value, struct error *err);
int store_state_set(struct store *s, const char *key, const char *value, struct error *err);

/* ---- tickets (store_ticket.c) ---- */

struct ticket {
	int64_t id;		/* row id */
	char ref[24];		/* "INC-2026-0007" */
	char *subject;
	char *status;		/* "new", "acknowledged", ... (SPEC 3) */
	char *priority;		/* NULL until classified */
	char *type;
	char *source;
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
	char *classify_why;	/* the words the first classification saw */
	time_t acked_at;	/* 0: never; first left "new" */
	time_t contained_at;	/* 0: never; first reached recovering or later */
	time_t resolved_at;	/* 0: not resolved */
	time_t closed_at;	/* 0: not closed */
	int escalation_stage;	/* unacknowledged escalations sent (timers) */
	char *lessons;		/* policy 8: the lessons-learned document */
};

void store_ticket_release(struct ticket *t);
void store_tickets_free(struct ticket *t, size_t n);

/*
 * Opens a ticket with the next number of year (INC-YYYY-NNNN) inside the
 * open transaction; fills *out.
 */
int store_ticket_create(struct store *s, int year, time_t now, const char *subject,
			const char *reporter_addr, const char *reporter_name,
			struct ticket *out, struct error *err);

/* 1 and *out filled when found, 0 when not, -1 on error. */
int store_ticket_get(struct store *s, const char *ref, struct ticket *out,
		     struct error *err);
int store_ticket_get_by_id(struct store *s, int64_t id, struct ticket *out,
			   struct error *err);

/* Tickets not closed (or all), newest first; *out malloc'd array. */
int store_ticket_list(struct store *s, bool all, struct ticket **out, size_t *n,
		      struct error *err);

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
 */
/*
 * How many events of kind by actor (case-insensitive) ticket_id has at or
 * after since: *n.  0 or -1.
 */
int store_event_count(struct store *s, int64_t ticket_id, const char *actor, const char *kind,
		      time_t since, int *n, struct error *err);
int store_event_add(struct store *s, int64_t ticket_id, time_t at, const char *actor,
		    const char *kind, const char *detail, struct error *err);
int store_event_list(struct store *s, int64_t ticket_id, struct event **out, size_t *n,
		     struct error *err);
void store_events_free(struct event *e, size_t n);

/* ---- the policy engine's records (store_policy.c) ---- */

/* Which tickets store_ticket_query lists; zeroed: every ticket not closed. */
struct ticket_filter {
	bool all;		/* closed ones too */
	const char *status;	/* only this status */
	const char *priority;	/* only this priority */
	bool overdue;		/* only those with an open obligation due before now */
	time_t now;
	bool oldest_first;	/* default: newest first */
};
int store_ticket_query(struct store *s, const struct ticket_filter *f, struct ticket **out,
		       size_t *n, struct error *err);

/* The first classification (or a correction): every field is written. */
int store_ticket_set_class(struct store *s, int64_t id, const char *type, const char *priority,
			   const char *source, unsigned flags, long affected, const char *why,
			   struct error *err);

/*
 * The new status, and the times derived from it: acked_at when it first
 * leaves "new", contained_at when it first reaches "recovering" or later,
 * resolved_at / closed_at set on reaching them and cleared on a reopen.
 * The caller has checked the move (policy_transition).
 */
int store_ticket_set_status(struct store *s, int64_t id, const char *status, time_t now,
			    struct error *err);
int store_ticket_set_escalation(struct store *s, int64_t id, int stage, struct error *err);
int store_ticket_set_owner(struct store *s, int64_t id, const char *owner, struct error *err);
/* Policy 8: the lessons-learned document. */
int store_ticket_set_lessons(struct store *s, int64_t id, const char *text, struct error *err);
/*
 * Issue 12: the counts beside `affected` — whether it is "more than" (over)
 * and the records counted (-1 none).  0, or -1 (err); the caller re-syncs
 * the obligations (APPI rules art. 7(4)).
 */
int store_ticket_set_counts(struct store *s, int64_t id, bool affected_over, long records,
			    struct error *err);

/* Policy 7-4: when the company became aware; the caller re-syncs the obligations. */
int store_ticket_set_aware(struct store *s, int64_t id, time_t aware, struct error *err);

struct checklist_item {
	int pos;		/* 1, 2, ... as admins tick them (/check N) */
	char *text;
	time_t done_at;		/* 0: open */
	char *done_by;
};

int store_checklist_add(struct store *s, int64_t ticket_id, int pos, const char *text,
			struct error *err);
int store_checklist_list(struct store *s, int64_t ticket_id, struct checklist_item **out,
			 size_t *n, struct error *err);
void store_checklist_free(struct checklist_item *c, size_t n);
/* Ticks item pos: 1, 2 when it was ticked already, 0 when there is no such item, -1. */
int store_checklist_tick(struct store *s, int64_t ticket_id, int pos, const char *by, time_t now,
			 struct error *err);
/* A new type's checklist: the items not yet ticked go, texts follow the ticked ones. */
int store_checklist_replace(struct store *s, int64_t ticket_id, const char *const *texts,
			    size_t n, struct error *err);

struct obligation {
	int64_t id;
	int64_t ticket_id;
	char ref[24];		/* the ticket's INC-… */
	char *kind;		/* obligation_name() */
	char *state;		/* "open", "done", "not-needed", "cancelled" */
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
/* Ends an open obligation as state ("done", "not-needed", "cancelled"): 1, 0 when none open, -1. */
int store_obligation_close(struct store *s, int64_t ticket_id, const char *kind,
			   const char *state, const char *reason, const char *by, time_t now,
			   struct error *err);
/* A ticket's obligations in due order; ticket_id 0: the open ones of every ticket not settled. */
int store_obligation_list(struct store *s, int64_t ticket_id, struct obligation **out,
			  size_t *n, struct error *err);
int store_obligation_set_stages(struct store *s, int64_t id, int remind_stage,
				int overdue_stage, struct error *err);
void store_obligations_free(struct obligation *o, size_t n);

/* Policy 5-1, 5-2, 6-2: when each periodic review was last done. */
struct review {
	time_t last_done;
	char *done_by;
	int remind_stage;
};
/* 1 and *out, 0 when never recorded, -1. */
int store_review_get(struct store *s, const char *kind, struct review *out, struct error *err);
/* Records the review done at `at` (reminders start over). */
int store_review_done(struct store *s, const char *kind, time_t at, const char *by,
		      struct error *err);
int store_review_set_stage(struct store *s, const char *kind, int stage, struct error *err);
void store_review_release(struct review *r);

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

/* Inserts the message and its attachments' records; *id may be NULL. */
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
};

int store_message_list(struct store *s, int64_t ticket_id, struct message_row **out,
		       size_t *n, struct error *err);
void store_messages_free(struct message_row *m, size_t n);

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
};

/* Queues a composed message inside the open transaction. */
int store_outbox_add(struct store *s, int64_t ticket_id, const char *kind,
		     const char *message_id, const char *env_from, const char *rcpt,
		     const char *subject, const char *data, size_t len, time_t now,
		     struct error *err);

/* Pending entries due at now, oldest first, at most limit; a mail waits
 * while an earlier one to the same recipient is pending and not yet due. */
int store_outbox_due(struct store *s, time_t now, size_t limit,
		     struct outbox_entry **out, size_t *n, struct error *err);
/* Entries of a ticket (ticket_id 0: all), oldest first; data only when asked. */
int store_outbox_list(struct store *s, int64_t ticket_id, bool with_data,
		      struct outbox_entry **out, size_t *n, struct error *err);

/* What `outbox` and the digest look at (without data), newest first. */
struct outbox_filter {
	int state;		/* an enum outbox_state, or -1 for every state */
	bool unsent_only;	/* pending and failed */
	time_t since;		/* queued (failed: failed) at or after; 0: ever */
	size_t limit;		/* 0: no limit */
};
int store_outbox_query(struct store *s, const struct outbox_filter *f,
		       struct outbox_entry **out, size_t *n, struct error *err);

struct outbox_counts {
	int64_t count[3];	/* by enum outbox_state */
	time_t oldest_pending;	/* queued at, or 0 */
	time_t next_due;	/* store_outbox_next_due */
};
int store_outbox_counts(struct store *s, struct outbox_counts *c, struct error *err);

void store_outbox_free(struct outbox_entry *e, size_t n);
void store_outbox_entry_release(struct outbox_entry *e);

/* The entry whose Message-ID is message_id (without data): 1, 0, or -1. */
int store_outbox_find(struct store *s, const char *message_id, struct outbox_entry *out,
		      struct error *err);

/*
 * The recipients of the mails of kind queued since then, oldest first, in
 * a malloc'd array of malloc'd strings (free each, then the array): what
 * the acknowledgement caps count by mailbox and domain (issue 14).  0 or
 * -1.
 */
int store_outbox_rcpts_since(struct store *s, const char *kind, time_t since, char ***rcpts,
			     size_t *n, struct error *err);

/* How many mails to rcpt (case-insensitive) wait in the outbox (pending): *n. */
int store_outbox_pending_to(struct store *s, const char *rcpt, int *n, struct error *err);

/* How many mails of kind were queued to rcpt (case-insensitive) since then. */
int store_outbox_count_since(struct store *s, const char *rcpt, const char *kind,
			     time_t since, int *count, struct error *err);

/* When store_outbox_due will next return mail (the earliest due time of
 * each recipient's first pending mail), or 0 when none is pending. */
int store_outbox_next_due(struct store *s, time_t *when, struct error *err);

/*
 * Counts an attempt before the mail goes to the server, so that nothing is
 * sent while the database cannot record it (locked, full, read-only): the
 * sender stops when this fails.  A kill during the send leaves the count.
 */
int store_outbox_claim(struct store *s, int64_t id, struct error *err);
int store_outbox_mark_sent(struct store *s, int64_t id, time_t now, struct error *err);
int store_outbox_mark_retry(struct store *s, int64_t id, int attempts, time_t next,
			    const char *reason, struct error *err);
int store_outbox_mark_failed(struct store *s, int64_t id, int attempts, const char *reason,
			     time_t now, struct error *err);
/* A mail the server took and then returned (a bounce): failed, with the reason. */
int store_outbox_mark_bounced(struct store *s, int64_t id, const char *reason, time_t now,
			      struct error *err);

const char *outbox_state_name(enum outbox_state st);

/* ---- evidence: checking the records, reading them whole (store_verify.c) ---- */

/*
 * A read snapshot for a document made of many queries (export): every
 * read between begin and end sees the database as it was at the first
 * one, while the bot goes on writing (WAL).  Not inside another
 * transaction; nothing may be written before end, which never fails.
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
 * every message's SHA-256 from its raw bytes.  Calls cb (may be NULL) for
 * every problem in that order and goes on; fills *out.  Returns 0 — also
 * when problems were found: see out->problems — or -1 when the database
 * could not be read.  cb must not use the store.
 *
 * What it cannot see: a deleted message (messages are not chained), the
 * newest events deleted together (compare last_id/last_hash with a value
 * written down earlier, e.g. an export's chain.txt), the outbox, and the
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
void store_token_rows_free(struct token_row *rows, size_t n);

#endif
