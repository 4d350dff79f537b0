/*
 * pipeline.c — parse → route → store → queue answers, for a batch of mail
 * (see pipeline.h).
 */
#include "desk/pipeline.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk/admin.h"
#include "desk/engine.h"
#include "desk/route.h"
#include "desk/token.h"
#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "mime/bounce.h"
#include "mime/mime.h"
#include "mime/quote.h"
#include "notify/notify.h"
#include "rules/machine.h"

/* Finds the ticket that the mail follows up, if any: 1 and *t, 0, -1. */
static int find_ticket(const struct config *cfg, struct store *st, const struct mail *m,
		       struct ticket *t, struct error *err)
{
	char ref[ROUTE_REF_MAX];
	int64_t id = 0;
	size_t i;
	int rc;

	/* The subject tag first: people keep it when they reply by hand. */
	if (route_subject_tag(m->subject, ref) && (rc = store_ticket_get(st, ref, t, err)) != 0)
		return rc;
	/* A reply address of the bot (incident+INC-…@) in To or Cc. */
	for (i = 0; i < m->n_to + m->n_cc; i++) {
		const char *a = i < m->n_to ? m->to[i].addr : m->cc[i - m->n_to].addr;
		if (route_address_tag(a, cfg->smtp.from, ref) &&
		    (rc = store_ticket_get(st, ref, t, err)) != 0)
			return rc;
	}
	/* Threading: the message it answers, then the thread, newest first. */
	if (m->in_reply_to && (rc = store_message_ticket_of(st, m->in_reply_to, &id, err)) != 0)
		return rc < 0 ? -1 : store_ticket_get_by_id(st, id, t, err);
	for (i = m->n_references; i-- > 0;)
		if ((rc = store_message_ticket_of(st, m->references[i], &id, err)) != 0)
			return rc < 0 ? -1 : store_ticket_get_by_id(st, id, t, err);
	return 0;
}

/*
 * Whether m answers a mail of the bot about no ticket (the digest, a
 * periodic reminder): 1, 0, or -1.
 */
static int answers_ticketless(struct store *st, const struct mail *m, struct error *err)
{
	struct outbox_entry e;
	int rc;

	if (!m->in_reply_to)
		return 0;
	rc = store_outbox_find(st, m->in_reply_to, &e, err);
	if (rc == 1) {
		rc = e.ticket_id == 0;
		store_outbox_entry_release(&e);
	}
	return rc;
}

/* Stores the mail in as a message of kind (see struct message_in); *id: its row (may be NULL). */
static int record_row(struct store *st, const struct pipeline_mail *in, int64_t ticket_id,
		      const char *kind, const char *new_text, const char *machine,
		      const char *forward, time_t now, int64_t *id, struct error *err)
{
	struct message_in row = {
		.new_text = new_text,
		.machine = machine,
		.forward = forward,
		.ticket_id = ticket_id,
		.kind = kind,
		.raw = in->raw->raw,
		.len = in->raw->len,
		.sha256 = in->sha256,
		.imap_uid = in->raw->uid,
		.imap_uidvalidity = in->uidvalidity,
		.mail = in->parsed ? &in->mail : NULL,
	};
	return store_message_insert(st, &row, now, id, err);
}

static int record(struct store *st, const struct pipeline_mail *in, int64_t ticket_id,
		  const char *kind, time_t now, struct error *err)
{
	return record_row(st, in, ticket_id, kind, NULL, NULL, NULL, now, NULL, err);
}

static bool has_part(const struct mail *m, const char *type)
{
	size_t i;

	for (i = 0; i < m->n_attachments; i++)	/* the mail's own, not a forwarded one's */
		if (!m->attachments[i].forwarded && m->attachments[i].content_type &&
		    strcmp(m->attachments[i].content_type, type) == 0)
			return true;
	return false;
}

int pipeline_tell_failed(const struct config *cfg, struct store *st, const struct outbox_entry *e,
			 const char *how, const char *reason, time_t now, struct error *err)
{
	char *detail;
	int rc = 0;

	if (e->ticket_id) {
		if (asprintf(&detail, "%s to %s %s: %s", e->kind, e->rcpt, how, reason) < 0)
			return error_set(err, ERR_TEMP, "pipeline: out of memory");
		rc = store_event_add(st, e->ticket_id, now, "bot", "bounce", detail, err);
		free(detail);
	}
	/* a notice about a failed notice would loop */
	if (rc == 0 && strcmp(e->kind, "bounce") != 0)
		rc = notify_bounce(cfg, st, e, reason, now, err);
	return rc;
}

/*
 * A delivery status notification (RFC 3464) about mail of ours: the mail
 * it names is marked failed with the reason, and the ticket and the
 * admins hear of it (pipeline_tell_failed).  *matched: how many of our
 * mails it named.
 */
static int match_bounce(const struct config *cfg, struct store *st, const struct pipeline_mail *in,
			time_t now, size_t *matched, struct error *err)
{
	struct bounce b;
	char reason[600];
	size_t i;
	int rc = 0;

	*matched = 0;
	if (!has_part(&in->mail, "message/delivery-status") &&
	    !has_part(&in->mail, "message/global-delivery-status"))
		return 0;
	if (bounce_parse(in->raw->raw, in->raw->len, &b) < 0)
		return error_set(err, ERR_TEMP, "pipeline: out of memory");
	bounce_reason(&b, reason, sizeof reason);
	for (i = 0; b.failed && rc == 0 && i < b.n_ids; i++) {
		struct outbox_entry e;
		int found = store_outbox_find(st, b.ids[i], &e, err);

		if (found <= 0) {
			rc = found;
			continue;
		}
		log_warn("pipeline", "uid %u: mail %lld (%s) to %s bounced: %s", in->raw->uid,
			 (long long)e.id, e.kind, e.rcpt, reason);
		(*matched)++;
		rc = store_outbox_mark_bounced(st, e.id, reason, now, err) < 0 ||
		     pipeline_tell_failed(cfg, st, &e, "bounced", reason, now, err) < 0 ? -1 : 0;
		store_outbox_entry_release(&e);
	}
	bounce_release(&b);
	return rc;
}

/*
 * A mail over limits.max_message_size was fetched only in part: its ticket
 * notes it and the admins are told (its text says so: mark_cut_text).
 */
static int note_cut(const struct config *cfg, struct store *st, const struct pipeline_mail *in,
		    int64_t ticket_id, time_t now, struct error *err)
{
	struct ticket t = { 0 };
	char *detail = NULL;
	int rc = -1;

	if (asprintf(&detail, "message of %zu bytes cut to its first %zu bytes (limits.max_message_size)",
		     in->raw->full_size, in->raw->len) < 0) {
		error_set(err, ERR_TEMP, "pipeline: out of memory");
		return -1;
	}
	if (store_event_add(st, ticket_id, now, "bot", "cut", detail, err) == 0 &&
	    store_ticket_get_by_id(st, ticket_id, &t, err) == 1)
		rc = notify_cut(cfg, st, &t, &in->mail, in->raw->full_size, in->raw->len, now, err);
	free(detail);
	store_ticket_release(&t);
	return rc;
}

/* Some bytes of the text could not be decoded: the ticket says so. */
/*
 * SPEC 3, policy 7-4: every legal clock starts when the company had the
 * report — its arrival in the mailbox, or its Date when a little earlier
 * (rules/deadline.h) — not when this pass got to it.  The event says
 * which, so the alarm's reader can check it and correct it with /aware.
 */
static int set_awareness(const struct config *cfg, struct store *st, struct ticket *t,
			 const struct pipeline_mail *in, time_t now, struct error *err)
{
	time_t aware = deadline_awareness(in->raw->arrived, in->mail.date, now,
					  &cfg->policy.aware_window);
	char when[40], detail[160];
	const char *from = aware == in->mail.date ? "the mail's Date header" :
			   aware == in->raw->arrived ? "its arrival in the mailbox (INTERNALDATE)" :
			   "the processing time (no earlier arrival time known)";

	if (aware == t->aware_at)
		return 0;
	clock_format_rfc3339(aware, when, sizeof when);
	snprintf(detail, sizeof detail, "awareness time %s: %s", when, from);
	if (store_ticket_set_aware(st, t->id, aware, err) < 0 ||
	    store_event_add(st, t->id, now, "bot", "aware", detail, err) < 0)
		return -1;
	t->aware_at = aware;
	return 0;
}

static int note_lossy(struct store *st, const struct mail *m, int64_t ticket_id, time_t now,
		      struct error *err)
{
	if (!m->body_lossy)
		return 0;
	return store_event_add(st, ticket_id, now, "bot", "undecodable",
			       "some bytes of the text could not be decoded and show as U+FFFD (\xef\xbf\xbd); "
			       "the raw message is kept as received", err);
}

/* Appends to the text of a cut mail the note that it was cut. */
static int mark_cut_text(struct pipeline_mail *in)
{
	char *text;

	if (asprintf(&text, "%s\n\n[このメールは大きすぎるため、先頭 %zu バイトだけを取り込みました"
		     " / cut: only the first %zu of %zu bytes were taken in]\n",
		     in->mail.body ? in->mail.body : "", in->raw->len, in->raw->len,
		     in->raw->full_size) < 0)
		return -1;
	free(in->mail.body);
	in->mail.body = text;
	return 0;
}

/*
 * Issue 14 (V12): a known Message-ID on mail of another sender or text —
 * whoever sends first with a guessable Message-ID must not hide a later
 * real report as its "duplicate".  The mail goes on as new; the event on
 * the first copy's ticket names the clash.
 */
static int note_clash(struct store *st, const struct pipeline_mail *in, int64_t seen_ticket,
		      time_t now, struct error *err)
{
	char *detail = NULL;
	int rc;

	log_warn("pipeline", "uid %u: Message-ID <%s> already stored with another sender or text: "
		 "taken in as a new mail", in->raw->uid, in->mail.message_id);
	if (asprintf(&detail, "message-id <%s> of a stored mail came again from %s with other "
		     "text (sha256 %s): taken in as a new mail, not a duplicate",
		     in->mail.message_id, in->mail.from.addr ? in->mail.from.addr : "(no sender)",
		     in->sha256) < 0)
		return error_set(err, ERR_TEMP, "pipeline: out of memory");
	rc = store_event_add(st, seen_ticket, now, "bot", "message-id-clash", detail, err);
	free(detail);
	return rc;
}

/*
 * Issue 13: whether a machine's mail of kind mk is a monitoring or UTM
 * alert: list or generated mail from a configured alert sender
 * (machine.h), or generated mail whose text the classifier reads as an
 * incident.  Out-of-office replies, bounces and our own mail never are.
 */
static bool is_alert(const struct config *cfg, const struct mail *m, enum machine_kind mk)
{
	struct classification c;

	if (mk != MACHINE_LIST && mk != MACHINE_GENERATED)
		return false;
	if (machine_alert_sender(cfg->rules, cfg->n_rules, m->from.addr))
		return true;
	if (mk != MACHINE_GENERATED)
		return false;
	if (cfg->classifier)
		classify_with(cfg->classifier, m->subject, m->body, m->from.addr, false, &c);
	else
		classify(cfg->rules, cfg->n_rules, m->subject, m->body, m->from.addr, false, &c);
	return machine_reports_incident(&c);
}

/*
 * SPEC 2, issue 13: a machine's mail that is no alert opens no ticket and
 * is never answered, but nothing is lost: it is stored with what wrote
 * it and why (`mail --automatic`, the digest's count), and a bounce of
 * our own mail goes on the outbox entry it names (kind "bounce").
 */
static int record_machine(const struct config *cfg, struct store *st,
			  const struct pipeline_mail *in, enum machine_kind mk, const char *why,
			  time_t now, struct pipeline_stats *stats, struct error *err)
{
	char machine[160];
	size_t matched = 0;

	if (mk == MACHINE_BOUNCE && match_bounce(cfg, st, in, now, &matched, err) < 0)
		return -1;
	snprintf(machine, sizeof machine, "%s: %s%s", machine_kind_name(mk), why,
		 mk == MACHINE_GENERATED ? ", no incident in its text" :
		 matched ? ", of our own mail" : "");
	log_info("pipeline", "uid %u: automatic mail (%s) from %s: recorded, not answered",
		 in->raw->uid, machine, in->mail.from.addr ? in->mail.from.addr : "(no sender)");
	stats->automatic++;
	return record_row(st, in, 0, matched ? "bounce" : "automatic", NULL, machine, NULL, now,
			  NULL, err);
}

/* Issue 13: what a person's words that join a ticket are, for whoever gets them. */
static const char *words_of(const struct config *cfg, const char *sender)
{
	const struct person *p = config_find_person(cfg, sender);

	return p && (p->roles & ROLE_MANAGEMENT) && !(p->roles & ROLE_ADMIN) ? "management" :
		"follow-up";
}

/*
 * Issue 13: an alert opened ticket t: its source is system-alert (policy
 * 7-1 システムのアラートや異常検知), whatever the words suggested.
 */
static int mark_alert(struct store *st, struct ticket *t, const char *sender, time_t now,
		      struct error *err)
{
	char detail[200];
	int64_t id = t->id;
	int rc;

	snprintf(detail, sizeof detail, "source system-alert: a machine's alert from %s "
		 "(no acknowledgement)", sender);
	if (store_ticket_set_class(st, id, t->type, t->priority, SOURCE_SYSTEM_ALERT, t->flags,
				   t->affected, NULL, err) < 0 ||
	    store_event_add(st, id, now, "bot", "alert", detail, err) < 0)
		return -1;
	store_ticket_release(t);
	if ((rc = store_ticket_get_by_id(st, id, t, err)) <= 0)
		return rc < 0 ? -1 : error_set(err, ERR_FATAL, "pipeline: ticket %lld vanished",
					       (long long)id);
	return 0;
}

/*
 * A reply to the digest or a periodic reminder that names a ticket in
 * its own words ("INC-2026-0007 の件は…"): 1 and *t, 0, -1.
 */
static int named_ticket(struct store *st, const char *said, struct ticket *t, struct error *err)
{
	char ref[ROUTE_REF_MAX];
	const char *p;
	int rc;

	for (p = said; p && (p = strcasestr(p, "INC-")); p++)
		if (ticket_ref_parse(p, ref) && (rc = store_ticket_get(st, ref, t, err)) != 0)
			return rc;
	return 0;
}

static int process_one(const struct config *cfg, struct store *st, struct pipeline_mail *in,
		       time_t now, struct pipeline_stats *stats, struct error *err)
{
	const struct mail *m = &in->mail;
	const char *sender = m->from.addr ? m->from.addr : "(no sender)";
	struct ticket t = { 0 };
	enum machine_kind mk;
	const char *why;
	bool alert;
	int64_t seen_ticket, msg_id;
	char *detail = NULL;
	int rc;

	rc = store_message_seen(st, in->parsed ? m->message_id : NULL, in->sha256,
				in->parsed ? m->from.addr : NULL, in->parsed ? m->body : NULL,
				&seen_ticket, err);
	if (rc < 0)
		return -1;
	if (rc == STORE_SEEN_BYTES) {
		log_info("pipeline", "uid %u: already stored (same SHA-256): skipped", in->raw->uid);
		stats->duplicates++;
		return 0;
	}
	if (rc == STORE_SEEN_ID) {
		/* Another copy of a known mail (another route, a re-send with
		 * other headers): no second ticket, but its bytes are kept, on
		 * the first copy's ticket, as evidence. */
		log_info("pipeline", "uid %u: Message-ID already stored: kept as a duplicate",
			 in->raw->uid);
		stats->duplicates++;
		return record(st, in, seen_ticket, "duplicate", now, err);
	}
	if (rc == STORE_SEEN_CLASH && note_clash(st, in, seen_ticket, now, err) < 0)
		return -1;
	if (!in->parsed) {
		/* Kept as evidence; nobody is answered about bytes we cannot read. */
		stats->unparseable++;
		if (record(st, in, 0, "unparseable", now, err) < 0)
			return -1;
		return store_event_add(st, 0, now, "bot", "unparseable",
				       in->sha256, err);
	}
	/* issue 14: a reply token seen where it should not be ends now,
	 * before this very mail's commands are judged */
	if (token_check_leaks(cfg, st, m, in->raw->raw, in->raw->len, now, err) < 0)
		return -1;
	mk = machine_kind(m, cfg->smtp.from, &why);
	/* issue 13: an alert opens a ticket without acknowledgement */
	alert = is_alert(cfg, m, mk);
	if (mk != MACHINE_NONE && !alert)
		return record_machine(cfg, st, in, mk, why, now, stats, err);

	rc = find_ticket(cfg, st, m, &t, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		/* The timeline shows what the person wrote, not what they quoted. */
		char *said = quote_new_text(m->body);
		/* an excerpt, cut on a UTF-8 character boundary */
		size_t cut = said ? utf8_cut_bytes(said, strlen(said), 600) : 0;

		if (asprintf(&detail, "%s: %s\n%.*s", sender, m->subject ? m->subject : "",
			     (int)cut, said ? said : "") < 0)
			detail = NULL;
		rc = record_row(st, in, t.id, "follow-up", said, NULL, NULL, now, &msg_id, err) < 0 ||
		     store_event_add(st, t.id, now, sender, "follow-up", detail, err) < 0 ||
		     store_ticket_touch(st, t.id, now, err) < 0 ||
		     (in->raw->truncated && note_cut(cfg, st, in, t.id, now, err) < 0) ||
		     note_lossy(st, m, t.id, now, err) < 0 ? -1 : 0;
		/* an admin's commands (SPEC 6), once the mail is on the record;
		 * a person's words without commands reach a person (issue 13),
		 * forwarded once the pass has taken in all its mail (desk/forward.h) */
		if (rc == 0)
			rc = admin_handle(cfg, st, &t, m, said, in->sha256, now, err);
		if (rc == 0 && !alert && m->from.addr)
			rc = store_message_set_forward(st, msg_id, words_of(cfg, m->from.addr), err);
		rc = rc < 0 ? -1 : 0;
		if (rc == 0) {
			log_info("pipeline", "uid %u: follow-up of %s from %s", in->raw->uid,
				 t.ref, sender);
			stats->follow_ups++;
		}
		free(said);
		free(detail);
		store_ticket_release(&t);
		return rc;
	}

	if (!alert && (rc = answers_ticketless(st, m, err)) != 0) {
		/* A reply to the digest or a periodic reminder: words for the
		 * desk, not a new incident.  Issue 13: when its words name a
		 * ticket they join it and go to its owner; otherwise they go to
		 * the admins (management's: as a question). */
		char *said;
		int named;

		if (rc < 0)
			return -1;
		if (!(said = quote_new_text(m->body)))
			return error_set(err, ERR_TEMP, "pipeline: out of memory");
		named = named_ticket(st, said, &t, err);
		rc = named < 0 ? -1 :
		     record_row(st, in, named ? t.id : 0, named ? "follow-up" : "reply", said, NULL,
				!m->from.addr ? NULL : named ? words_of(cfg, m->from.addr) :
				strcmp(words_of(cfg, m->from.addr), "management") == 0 ? "question" :
				"follow-up",
				now, NULL, err) < 0 ||
		     store_event_add(st, named ? t.id : 0, now, sender, named ? "follow-up" : "reply",
				     m->subject ? m->subject : "", err) < 0 ||
		     (named && store_ticket_touch(st, t.id, now, err) < 0) ? -1 : 0;
		free(said);
		if (rc == 0)
			log_info("pipeline", "uid %u: reply from %s to a mail about no ticket: %s",
				 in->raw->uid, sender, named ? t.ref : "a question for the admins");
		stats->follow_ups += rc == 0;
		store_ticket_release(&t);
		return rc;
	}

	if (store_ticket_create(st, clock_year(now), now,
				m->subject && *m->subject ? m->subject : "(件名なし / no subject)",
				m->from.addr, m->from.name, &t, err) < 0)
		return -1;
	if (asprintf(&detail, "report from %s", sender) < 0)
		detail = NULL;
	rc = record(st, in, t.id, "report", now, err) < 0 ||
	     store_event_add(st, t.id, now, sender, "opened", detail, err) < 0 ||
	     set_awareness(cfg, st, &t, in, now, err) < 0 ||
	     engine_open(cfg, st, &t, m, now, err) < 0 ||
	     (alert && mark_alert(st, &t, sender, now, err) < 0) ||
	     notify_new_ticket(cfg, st, &t, m, now, err) < 0 ||
	     (in->raw->truncated && note_cut(cfg, st, in, t.id, now, err) < 0) ||
	     note_lossy(st, m, t.id, now, err) < 0 ? -1 : 0;
	if (rc == 0) {
		log_info("pipeline", "uid %u: new ticket %s from %s%s", in->raw->uid, t.ref, sender,
			 alert ? " (an alert: no acknowledgement)" : "");
		stats->new_tickets++;
	}
	free(detail);
	store_ticket_release(&t);
	return rc;
}

int pipeline_read(const struct mail_raw *msgs, size_t n, struct pipeline_mail **out,
		  struct error *err)
{
	struct pipeline_mail *list = calloc(n ? n : 1, sizeof *list);
	struct error perr;
	size_t i;

	*out = NULL;
	if (!list)
		return error_set(err, ERR_TEMP, "pipeline: out of memory");
	for (i = 0; i < n; i++) {
		struct pipeline_mail *in = &list[i];

		in->raw = &msgs[i];
		digest_sha256_hex(msgs[i].raw, msgs[i].len, in->sha256);
		in->parsed = mime_parse(msgs[i].raw, msgs[i].len, &in->mail, &perr) == 0;
		if (!in->parsed && perr.cls == ERR_TEMP) {	/* out of memory: later */
			*err = perr;
			pipeline_mails_free(list, i);
			return -1;
		}
		if (!in->parsed)
			snprintf(in->unparseable, sizeof in->unparseable, "%s", perr.msg);
		if (in->parsed && msgs[i].truncated && mark_cut_text(in) < 0) {
			pipeline_mails_free(list, i + 1);
			return error_set(err, ERR_TEMP, "pipeline: out of memory");
		}
	}
	*out = list;
	return 0;
}

void pipeline_mails_free(struct pipeline_mail *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++)
		if (list[i].parsed)
			mail_release(&list[i].mail);
	free(list);
}

int pipeline_store(const struct config *cfg, struct store *st, struct pipeline_mail *mails,
		   size_t n, uint32_t uidvalidity, time_t now, struct pipeline_stats *stats,
		   struct error *err)
{
	size_t i;

	if (store_begin(st, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		mails[i].uidvalidity = uidvalidity;
		/* logged here, not in pipeline_read, which may run on another thread */
		if (!mails[i].parsed)
			log_warn("pipeline", "uid %u: cannot parse: %s", mails[i].raw->uid,
				 mails[i].unparseable);
		if (process_one(cfg, st, &mails[i], now, stats, err) < 0) {
			error_prefix(err, "uid %u", mails[i].raw->uid);
			store_rollback(st);
			return -1;
		}
	}
	return store_commit(st, err) < 0 ? (store_rollback(st), -1) : 0;
}

int pipeline_process(const struct config *cfg, struct store *st,
		     const struct mail_raw *msgs, size_t n, uint32_t uidvalidity,
		     time_t now, struct pipeline_stats *stats, struct error *err)
{
	struct pipeline_mail *mails;
	int rc;

	if (pipeline_read(msgs, n, &mails, err) < 0)
		return -1;
	rc = pipeline_store(cfg, st, mails, n, uidvalidity, now, stats, err);
	pipeline_mails_free(mails, n);
	return rc;
}
