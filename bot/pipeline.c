/*
 * pipeline.c — parse → route → store → queue answers, for a batch of mail
 * (see pipeline.h).
 */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "digest.h"
#include "log.h"
#include "mime.h"
#include "outbox.h"
#include "route.h"
#include "vars.h"

/* One received message while it is being processed. */
struct incoming {
	const struct imap_message *raw;
	uint32_t uidvalidity;
	char sha256[65];
	struct mail mail;
	int parsed;		/* mime_parse succeeded */
};

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

/* The acknowledgement to the reporter and the alarm to every admin (SPEC 4). */
static int queue_new_ticket_mail(const struct config *cfg, struct store *st,
				 const struct ticket *t, const struct mail *m, time_t now,
				 struct error *err)
{
	struct tvars *vars = vars_for_ticket(cfg, t, m);
	char *refs = mail_thread(m, true);
	struct outbox_mail om = { 0 };
	int rc = -1;
	size_t i;

	if (!vars || !refs) {
		error_set(err, ERR_FATAL, "pipeline: out of memory");
		goto done;
	}
	om.vars = vars;
	om.in_reply_to = m->message_id;
	om.references = refs;
	/* An admin who reports is alarmed anyway: no separate acknowledgement. */
	if (!config_find_person(cfg, m->from.addr) ||
	    !(config_find_person(cfg, m->from.addr)->roles & ROLE_ADMIN)) {
		om.kind = "ack";
		om.template = "ack.txt";
		om.to_addr = m->from.addr;
		om.to_name = m->from.name;
		if (outbox_queue(st, cfg, t->id, t->ref, &om, now, err) < 0)
			goto done;
	}
	om.kind = "alarm";
	om.template = "alarm.txt";
	for (i = 0; i < cfg->n_persons; i++) {
		if (!(cfg->persons[i].roles & ROLE_ADMIN))
			continue;
		om.to_addr = cfg->persons[i].email;
		om.to_name = cfg->persons[i].name;
		if (outbox_queue(st, cfg, t->id, t->ref, &om, now, err) < 0)
			goto done;
	}
	rc = 0;
done:
	tvars_free(vars);
	free(refs);
	return rc;
}

static int record(struct store *st, const struct incoming *in, int64_t ticket_id,
		  const char *kind, time_t now, struct error *err)
{
	struct message_in row = {
		.ticket_id = ticket_id,
		.kind = kind,
		.raw = in->raw->raw,
		.len = in->raw->len,
		.sha256 = in->sha256,
		.imap_uid = in->raw->uid,
		.imap_uidvalidity = in->uidvalidity,
		.mail = in->parsed ? &in->mail : NULL,
	};
	return store_message_insert(st, &row, now, NULL, err);
}

static int process_one(const struct config *cfg, struct store *st, struct incoming *in,
		       time_t now, struct pipeline_stats *stats, struct error *err)
{
	const struct mail *m = &in->mail;
	struct ticket t = { 0 };
	const char *why;
	int64_t seen_ticket;
	char *detail = NULL;
	int rc;

	rc = store_message_seen(st, in->parsed ? m->message_id : NULL, in->sha256,
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
	if (!in->parsed) {
		/* Kept as evidence; nobody is answered about bytes we cannot read. */
		stats->unparseable++;
		if (record(st, in, 0, "unparseable", now, err) < 0)
			return -1;
		return store_event_add(st, 0, now, "bot", "unparseable",
				       in->sha256, err);
	}
	if (route_is_automatic(m, cfg->smtp.from, &why)) {
		log_info("pipeline", "uid %u: automatic mail (%s) from %s: recorded, not answered",
			 in->raw->uid, why, m->from.addr ? m->from.addr : "(none)");
		stats->automatic++;
		return record(st, in, 0, "automatic", now, err);
	}

	rc = find_ticket(cfg, st, m, &t, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		if (asprintf(&detail, "%s: %s", m->from.addr, m->subject ? m->subject : "") < 0)
			detail = NULL;
		rc = record(st, in, t.id, "follow-up", now, err) < 0 ||
		     store_event_add(st, t.id, now, m->from.addr, "follow-up", detail, err) < 0 ||
		     store_ticket_touch(st, t.id, now, err) < 0 ? -1 : 0;
		if (rc == 0) {
			log_info("pipeline", "uid %u: follow-up of %s from %s", in->raw->uid,
				 t.ref, m->from.addr);
			stats->follow_ups++;
		}
		free(detail);
		store_ticket_release(&t);
		return rc;
	}

	if (store_ticket_create(st, clock_year(now), now,
				m->subject && *m->subject ? m->subject : "(件名なし / no subject)",
				m->from.addr, m->from.name, &t, err) < 0)
		return -1;
	if (asprintf(&detail, "report from %s", m->from.addr) < 0)
		detail = NULL;
	rc = record(st, in, t.id, "report", now, err) < 0 ||
	     store_event_add(st, t.id, now, m->from.addr, "opened", detail, err) < 0 ||
	     queue_new_ticket_mail(cfg, st, &t, m, now, err) < 0 ? -1 : 0;
	if (rc == 0) {
		log_info("pipeline", "uid %u: new ticket %s from %s", in->raw->uid, t.ref,
			 m->from.addr);
		stats->new_tickets++;
	}
	free(detail);
	store_ticket_release(&t);
	return rc;
}

int pipeline_process(const struct config *cfg, struct store *st,
		     const struct imap_message *msgs, size_t n, uint32_t uidvalidity,
		     time_t now, struct pipeline_stats *stats, struct error *err)
{
	struct incoming in;
	struct error perr;
	size_t i;

	if (store_begin(st, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&in, 0, sizeof in);
		in.raw = &msgs[i];
		in.uidvalidity = uidvalidity;
		digest_sha256_hex(msgs[i].raw, msgs[i].len, in.sha256);
		in.parsed = mime_parse(msgs[i].raw, msgs[i].len, &in.mail, &perr) == 0;
		if (!in.parsed && perr.cls == ERR_TEMP) {	/* out of memory: later */
			*err = perr;
			store_rollback(st);
			return -1;
		}
		if (!in.parsed)
			log_warn("pipeline", "uid %u: cannot parse: %s", msgs[i].uid, perr.msg);
		if (process_one(cfg, st, &in, now, stats, err) < 0) {
			error_prefix(err, "uid %u", msgs[i].uid);
			if (in.parsed)
				mail_release(&in.mail);
			store_rollback(st);
			return -1;
		}
		if (in.parsed)
			mail_release(&in.mail);
	}
	return store_commit(st, err) < 0 ? (store_rollback(st), -1) : 0;
}
