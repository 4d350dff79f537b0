/* outbox.c — see outbox.h. */
#include "outbox/outbox.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/clock.h"
#include "lib/digest.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "outbox/compose.h"
#include "rules/auth.h"
#include "rules/ticket_ref.h"

/* Due mail read from the database at a time. */
#define OUTBOX_BATCH 200

char *outbox_reply_address(const struct config *cfg, const char *ticket_ref)
{
	const char *from = cfg->smtp.from;

	/* A mail about no ticket (the digest): replies go to the desk itself
	 * and open a ticket, like any other mail there. */
	if (!strchr(from, '@') || !ticket_ref || !*ticket_ref)
		return strdup(from);
	return ticket_ref_address(from, ticket_ref, NULL);
}

/* "<ref>.<kind>.<time>.<random>@domain": unique without a counter, and it
 * names the ticket so a person reading headers sees where it belongs;
 * "<kind>.<time>.<random>@domain" for a mail about no ticket. */
static char *new_message_id(const struct config *cfg, const char *ref, const char *kind,
			    time_t now)
{
	unsigned char rnd[8] = { 0 };
	char hex[17], *out;
	size_t i;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		for (i = 0; i < sizeof rnd; i++)	/* no entropy: still unique enough with time */
			rnd[i] = (unsigned char)rand();
	digest_hex(rnd, sizeof rnd, hex);
	if (asprintf(&out, "%s%s%s.%lld.%s@%s", ref && *ref ? ref : "", ref && *ref ? "." : "",
		     kind, (long long)now, hex, config_mail_domain(cfg)) < 0)
		return NULL;
	return out;
}

/*
 * Issue 14 (V6/V7): every mail the bot sends is at most OUTBOX_MAIL_MAX
 * bytes as queued.  A 1 MB refused command mail became a 1.37 MB notice
 * to every admin, a one-line 20 MB report a 28.7 MB alarm a real relay
 * refuses — so the admins never heard of that incident.  The text is cut
 * in bytes (on a UTF-8 boundary) with a note saying where the whole is;
 * an HTML alternative too big is left out (the text part stays).
 */
#define OUTBOX_MAIL_MAX (256 * 1024)
#define OUTBOX_TEXT_FIRST (160 * 1024)	/* the first try; halved until it fits */
#define OUTBOX_SUBJECT_MAX 400		/* bytes of a subject (RFC 5322 2.1.1 folds it) */

/* *text cut to max bytes with a note; 0, or -1 on out-of-memory. */
static int cut_text(char **text, size_t max, const char *ticket_ref)
{
	size_t len = strlen(*text), keep;
	char *cut;

	if (len <= max)
		return 0;
	keep = utf8_cut_bytes(*text, len, max);
	if (asprintf(&cut, "%.*s\n\n[このメールは長すぎるため、全 %zu バイトのうち先頭 %zu バイトだけを"
		     "載せました。全文は incident-bot show %s で見られます / cut: the first %zu of "
		     "%zu bytes; the whole is in `incident-bot show %s` and its export]\n",
		     (int)keep, *text, len, keep, ticket_ref ? ticket_ref : "", keep, len,
		     ticket_ref ? ticket_ref : "") < 0)
		return -1;
	free(*text);
	*text = cut;
	return 0;
}

/*
 * Issue 14 (point 11): a recipient whose mail does not go out (a dead
 * mailbox, a relay that defers it forever) must not fill the disk; the
 * mail not queued is an event on its ticket, and the admins hear of it
 * (OUTBOX_CAP_STATE, read by service_flush).  1: held back, 0: go on, -1.
 */
static int held_back(struct store *st, const struct config *cfg, int64_t ticket_id,
		     const char *ticket_ref, const struct outbox_mail *m, time_t now,
		     struct error *err)
{
	/* a configuration built by hand (zeroed limits) gets the default */
	int pending, cap = cfg->limits.pending_per_recipient > 0 ?
		cfg->limits.pending_per_recipient : LIMITS_PENDING_DEFAULT;
	char note[400];

	if (strcmp(m->kind, "trouble") == 0)
		return 0;
	if (store_outbox_pending_to(st, m->to_addr, &pending, err) < 0)
		return -1;
	if (pending < cap)
		return 0;
	log_warn("outbox", "%s: %s to %s not queued: %d mails wait for that address "
		 "(limits.pending_per_recipient)", ticket_ref ? ticket_ref : "-",
		 m->kind, m->to_addr, pending);
	snprintf(note, sizeof note, "%s to %s not queued: %d mails already wait for "
		 "that address (limits.pending_per_recipient)", m->kind, m->to_addr, pending);
	return store_event_add(st, ticket_id, now, "bot", "mail-held", note, err) < 0 ||
	       store_state_set(st, OUTBOX_CAP_STATE, m->to_addr, err) < 0 ? -1 : 1;
}

int outbox_compose(const struct config *cfg, const char *ticket_ref, const struct outbox_mail *m,
		   const char *message_id, time_t now, char **data_out, size_t *len_out,
		   char **subject_out, struct error *err)
{
	char *subject = NULL, *body = NULL, *html = NULL, *reply_to = NULL, *data = NULL;
	struct outmsg out = { 0 };
	struct outpart *parts = NULL;
	char **texts = NULL;		/* the attachments' texts, ours to mask and cut */
	size_t len = 0, budget, i;
	int rc = -1;

	*data_out = *subject_out = NULL;
	*len_out = 0;
	if (render_mail(cfg->templates, m->template, m->vars, &subject, &body, err) < 0)
		return -1;
	if (m->html_template &&
	    render_html(cfg->templates, m->html_template, m->vars, &html, err) < 0)
		goto done;
	/* Issue 14: what a mail quotes (a report, a refused command, the
	 * timeline of the lessons draft) may hold somebody's reply token; a
	 * token travels only in the Reply-To header made for its owner. */
	auth_mask_tokens(subject);
	auth_mask_tokens(body);
	auth_mask_tokens(html);
	/* the attachments are copied: masked and cut here like the text */
	if (m->n_attachments > 0 && (!(parts = calloc(m->n_attachments, sizeof *parts)) ||
				     !(texts = calloc(m->n_attachments, sizeof *texts)))) {
		error_set(err, ERR_TEMP, "outbox: out of memory");
		goto done;
	}
	for (i = 0; i < m->n_attachments; i++) {
		parts[i].filename = m->attachments[i].filename;
		if (!(texts[i] = strdup(m->attachments[i].text ? m->attachments[i].text : ""))) {
			error_set(err, ERR_TEMP, "outbox: out of memory");
			goto done;
		}
		auth_mask_tokens(texts[i]);
	}
	if (m->drill) {
		/* Issue 4: every mail a drill causes says so, whatever the
		 * template writes, so that nobody takes it for a real incident. */
		char *marked;

		if (asprintf(&marked, "【訓練 / DRILL】%s", subject) < 0) {
			error_set(err, ERR_TEMP, "outbox: out of memory");
			goto done;
		}
		free(subject);
		subject = marked;
	}
	reply_to = m->reply_to ? strdup(m->reply_to) : outbox_reply_address(cfg, ticket_ref);
	if (!reply_to) {
		error_set(err, ERR_TEMP, "outbox: out of memory");
		goto done;
	}
	out.from_addr = cfg->smtp.from;
	out.from_name = cfg->smtp.from_name;
	out.to_addr = m->to_addr;
	out.to_name = m->to_name;
	out.reply_to = reply_to;
	out.subject = subject;
	out.message_id = message_id;
	out.in_reply_to = m->in_reply_to;
	out.references = m->references;
	/* RFC 3834: everything the bot sends is automatic; answers to a
	 * person's mail say so precisely. */
	out.auto_submitted = m->auto_submitted ? m->auto_submitted :
			     m->in_reply_to ? "auto-replied" : "auto-generated";
	out.urgent = m->urgent;
	out.attachments = parts;
	out.n_attachments = m->n_attachments;
	out.date = now;
	out.utc_offset_min = clock_utc_offset_min(now);
	out.charset = cfg->smtp.charset;
	subject[utf8_cut_bytes(subject, strlen(subject), OUTBOX_SUBJECT_MAX)] = '\0';
	for (budget = OUTBOX_TEXT_FIRST;; budget /= 2) {
		if (cut_text(&body, budget, ticket_ref) < 0) {
			error_set(err, ERR_TEMP, "outbox: out of memory cutting %s", m->kind);
			goto done;
		}
		for (i = 0; i < m->n_attachments; i++) {
			if (cut_text(&texts[i], budget, ticket_ref) < 0) {
				error_set(err, ERR_TEMP, "outbox: out of memory cutting %s", m->kind);
				goto done;
			}
			parts[i].text = texts[i];
		}
		if (html && strlen(html) > budget / 2) {
			free(html);
			html = NULL;
		}
		out.body = body;
		out.html = html;
		free(data);
		if (!(data = compose_message(&out, &len))) {
			error_set(err, ERR_TEMP, "outbox: out of memory composing %s", m->kind);
			goto done;
		}
		if (len <= OUTBOX_MAIL_MAX || budget < 1024)
			break;
	}
	if (budget < OUTBOX_TEXT_FIRST)
		log_warn("outbox", "%s: %s to %s cut to %zu bytes (at most %d)",
			 ticket_ref ? ticket_ref : "-", m->kind, m->to_addr, len, OUTBOX_MAIL_MAX);
	*data_out = data;
	*len_out = len;
	*subject_out = subject;
	data = subject = NULL;
	rc = 0;
done:
	for (i = 0; texts && i < m->n_attachments; i++)
		free(texts[i]);
	free(texts);
	free(parts);
	free(subject);
	free(body);
	free(html);
	free(reply_to);
	free(data);
	return rc;
}

/* The timeline's note of a mail whose bytes are stored: what, to whom, and
 * (issue 16) their SHA-256, so that the hash chain holds what was sent. */
static int note_queued(struct store *st, int64_t ticket_id, const char *kind, const char *to,
		       const char *subject, const char *sha, time_t now, struct error *err)
{
	char *detail;
	int rc;

	if (asprintf(&detail, "%s to %s: %s (sha256 %s)", kind, to, subject, sha) < 0)
		detail = NULL;
	rc = store_event_add(st, ticket_id, now, "bot", "mail-queued", detail, err);
	free(detail);
	return rc;
}

int outbox_queue(struct store *st, const struct config *cfg, int64_t ticket_id,
		 const char *ticket_ref, const struct outbox_mail *m, time_t now,
		 struct error *err)
{
	char *subject = NULL, *msgid = NULL, *data = NULL, sha[65];
	size_t len = 0;
	int rc;

	if ((rc = held_back(st, cfg, ticket_id, ticket_ref, m, now, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (!(msgid = new_message_id(cfg, ticket_ref, m->kind, now)))
		return error_set(err, ERR_TEMP, "outbox: out of memory");
	rc = -1;
	if (outbox_compose(cfg, ticket_ref, m, msgid, now, &data, &len, &subject, err) < 0)
		goto done;
	digest_sha256_hex(data, len, sha);
	if (store_outbox_add(st, ticket_id, m->kind, msgid, cfg->smtp.from, m->to_addr,
			     subject, data, len, sha, now, err) < 0)
		goto done;
	rc = note_queued(st, ticket_id, m->kind, m->to_addr, subject, sha, now, err);
done:
	free(subject);
	free(msgid);
	free(data);
	return rc;
}

int outbox_intent(struct store *st, const struct config *cfg, int64_t ticket_id,
		  const char *ticket_ref, const struct outbox_mail *m, time_t now,
		  struct error *err)
{
	struct outbox_intent in = {
		.ticket_id = ticket_id, .kind = m->kind, .template = m->template,
		.html_template = m->html_template, .env_from = cfg->smtp.from,
		.rcpt = m->to_addr, .to_name = m->to_name, .reply_to = m->reply_to,
		.in_reply_to = m->in_reply_to, .references = m->references,
		.auto_submitted = m->auto_submitted, .urgent = m->urgent, .params = m->params,
		.cause_message = m->cause_message,
	};
	char *msgid;
	int rc;

	if ((rc = held_back(st, cfg, ticket_id, ticket_ref, m, now, err)) != 0)
		return rc;
	/* the Message-ID is fixed now, as for a rendered mail: what threads
	 * under this one (a reminder under its alarm) can name it at once */
	if (!(msgid = new_message_id(cfg, ticket_ref, m->kind, now)))
		return error_set(err, ERR_TEMP, "outbox: out of memory");
	in.message_id = msgid;
	rc = store_outbox_add_intent(st, &in, now, err);
	free(msgid);
	return rc;
}

int outbox_seal(const struct config *cfg, const char *ticket_ref, const struct outbox_mail *m,
		const char *message_id, time_t now, struct outbox_sealed *out, struct error *err)
{
	*out = (struct outbox_sealed){ 0 };
	if (outbox_compose(cfg, ticket_ref, m, message_id, now, &out->data, &out->len,
			   &out->subject, err) < 0)
		return -1;
	digest_sha256_hex(out->data, out->len, out->sha);
	return 0;
}

void outbox_sealed_release(struct outbox_sealed *s)
{
	free(s->data);
	free(s->subject);
	*s = (struct outbox_sealed){ 0 };
}

int outbox_store_sealed(struct store *st, const struct outbox_entry *e,
			const struct outbox_sealed *s, time_t now, struct error *err)
{
	/* the bytes, their hash and the mark in the caller's one transaction */
	if (store_outbox_mark_rendered(st, e->id, s->subject, s->data, s->len, s->sha, now,
				       err) < 0 ||
	    note_queued(st, e->ticket_id, e->kind, e->rcpt, s->subject, s->sha, now, err) < 0)
		return -1;
	log_info("outbox", "mail %lld (%s) to %s: rendered, %zu bytes", (long long)e->id, e->kind,
		 e->rcpt, s->len);
	return 0;
}

long outbox_backoff(int attempts, unsigned jitter)
{
	long delay = 30, spread;

	while (attempts-- > 1 && delay < 3600)
		delay *= 2;
	if (delay > 3600)
		delay = 3600;
	/* ±20 %, so that many mails failed together do not retry together */
	spread = delay / 5;
	return delay - spread + (long)(jitter % (unsigned)(2 * spread + 1));
}

/* Remembers that the server accepted mail id that the database could not
 * record; -1 when there is no memory for it (it may then be sent again). */
static int remember_unrecorded(struct outbox_flusher *f, int64_t id, time_t sent_at)
{
	if (f->n_unrecorded == f->cap_unrecorded) {
		size_t cap = f->cap_unrecorded ? 2 * f->cap_unrecorded : 8;
		struct outbox_unrecorded *grown = realloc(f->unrecorded, cap * sizeof *grown);

		if (!grown)
			return -1;
		f->unrecorded = grown;
		f->cap_unrecorded = cap;
	}
	f->unrecorded[f->n_unrecorded].id = id;
	f->unrecorded[f->n_unrecorded].sent_at = sent_at;
	f->n_unrecorded++;
	return 0;
}

/* Records the mail sent while the database could not; stops at the first failure. */
static int record_unrecorded(struct store *st, struct outbox_flusher *f, struct error *err)
{
	while (f->n_unrecorded > 0) {
		const struct outbox_unrecorded *u = &f->unrecorded[f->n_unrecorded - 1];

		if (store_outbox_mark_sent(st, u->id, u->sent_at, err) < 0)
			return -1;
		log_info("outbox", "mail %lld: sent earlier, now recorded", (long long)u->id);
		f->n_unrecorded--;
	}
	return 0;
}

void outbox_flusher_release(struct store *st, struct outbox_flusher *f)
{
	struct error err = { 0 };
	size_t i;

	if (f->n_unrecorded > 0 && record_unrecorded(st, f, &err) < 0)
		for (i = 0; i < f->n_unrecorded; i++)
			log_error("outbox", "mail %lld was sent but cannot be recorded (%s): "
				  "it will be sent again, with the same Message-ID",
				  (long long)f->unrecorded[i].id, err.msg);
	free(f->unrecorded);
	memset(f, 0, sizeof *f);
}

/*
 * Marks e failed for good and lets f->on_failed tell whom it must, in one
 * transaction: the failure and the notice commit together or not at all
 * (then the mail stays pending and is tried again).
 */
static int give_up(struct store *st, struct outbox_flusher *f, const struct outbox_entry *e,
		   int attempts, const char *reason, time_t now, struct error *err)
{
	if (!f->on_failed)
		return store_outbox_mark_failed(st, e->id, attempts, reason, now, err);
	if (store_begin(st, err) < 0)
		return -1;
	if (store_outbox_mark_failed(st, e->id, attempts, reason, now, err) < 0 ||
	    f->on_failed(f->ctx, e, reason, now, err) < 0 || store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* Sends one batch of due mail; *more says whether to go on with the next. */
static int flush_batch(struct store *st, struct smtp_client *client, struct outbox_flusher *f,
		       time_t now, struct outbox_stats *stats, bool *more, struct error *err)
{
	struct outbox_entry *due = NULL;
	size_t n = 0, i;
	int rc = 0;

	*more = false;
	if (store_outbox_due(st, now, OUTBOX_BATCH, &due, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct outbox_entry *e = &due[i];
		const char *rcpt = e->rcpt;
		struct error serr = { 0 };
		enum smtp_status status;
		int attempts = e->attempts + 1;
		bool too_old = now - e->created_at >= OUTBOX_MAX_AGE;

		/* Nothing goes out that the database could not record as sent. */
		if (store_outbox_claim(st, e->id, err) < 0) {
			rc = -1;
			break;
		}
		status = smtp_send(client, e->env_from, &rcpt, 1, e->data, e->len, &serr);
		if (status == SMTP_SENT) {
			/* Recorded at once: a kill after this line never resends. */
			if (store_outbox_mark_sent(st, e->id, now, err) < 0) {
				/* Never sent again by this process: recorded on the next flush. */
				if (remember_unrecorded(f, e->id, now) < 0)
					log_error("outbox", "mail %lld (%s) to %s: sent, but cannot be "
						  "recorded nor remembered: it will be sent again",
						  (long long)e->id, e->kind, e->rcpt);
				else
					log_warn("outbox", "mail %lld (%s) to %s: sent, not recorded yet "
						 "(%s): it will not be sent again", (long long)e->id,
						 e->kind, e->rcpt, err->msg);
				rc = -1;
				break;
			}
			log_info("outbox", "mail %lld (%s) to %s: sent", (long long)e->id,
				 e->kind, e->rcpt);
			stats->sent++;
		} else if (status == SMTP_PERMFAIL || attempts >= OUTBOX_MAX_ATTEMPTS || too_old) {
			char reason[sizeof serr.msg + 80];

			if (status == SMTP_PERMFAIL)
				snprintf(reason, sizeof reason, "%s", serr.msg);
			else
				snprintf(reason, sizeof reason, "not accepted in %d attempts over %lld h: %s",
					 attempts, (long long)(now - e->created_at) / 3600, serr.msg);
			if (give_up(st, f, e, attempts, reason, now, err) < 0) {
				rc = -1;
				break;
			}
			log_error("outbox", "mail %lld (%s) to %s: failed for good: %s",
				  (long long)e->id, e->kind, e->rcpt, reason);
			stats->failed++;
		} else {
			unsigned jitter = 0;
			long wait;

			if (getrandom(&jitter, sizeof jitter, 0) < 0)
				jitter = (unsigned)e->id;
			wait = outbox_backoff(attempts, jitter);
			if (store_outbox_mark_retry(st, e->id, attempts, now + wait, serr.msg, err) < 0) {
				rc = -1;
				break;
			}
			log_warn("outbox", "mail %lld (%s) to %s: attempt %d failed, retry in %ld s: %s",
				 (long long)e->id, e->kind, e->rcpt, attempts, wait, serr.msg);
			stats->retried++;
			/* The server is likely down or busy for everyone: try the
			 * rest on the next round instead of timing out on each. */
			store_outbox_free(due, n);
			return 0;
		}
	}
	*more = rc == 0 && n == OUTBOX_BATCH;
	store_outbox_free(due, n);
	return rc;
}

int outbox_flush(struct store *st, struct smtp_client *client, struct outbox_flusher *f,
		 time_t now, struct outbox_stats *stats, struct error *err)
{
	bool more = true;

	memset(stats, 0, sizeof *stats);
	if (record_unrecorded(st, f, err) < 0)
		return -1;
	while (more)
		if (flush_batch(st, client, f, now, stats, &more, err) < 0)
			return -1;
	return 0;
}
