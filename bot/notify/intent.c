/*
 * intent.c — the sender stage (see intent.h): each intent of the outbox
 * rendered from the ticket as it is now, its bytes stored before anything
 * is sent; and the small key=value form of a kind's parameters.
 *
 * Why render late (issue 16): a mail composed at intake is frozen with the
 * facts of that moment (a /draft in a mail rendered before the same mail's
 * /affected), and composing three to seven whole mails per report inside
 * the intake transaction was a third of the storing thread's time.  The
 * evidence rule does not move: what leaves is stored byte for byte, with
 * its SHA-256 chained in the "mail-queued" event, before it leaves
 * (outbox_store_sealed), and a resend sends the stored bytes.
 */
#include "notify/intent.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "notify/notify_internal.h"
#include "outbox/composer.h"
#include "outbox/outbox.h"

/* ---- parameters ---- */

int notify_params_add(char **text, const char *key, const char *value)
{
	size_t have = *text ? strlen(*text) : 0, need = strlen(key) + 3, i;
	char *grown, *w;

	for (i = 0; value && value[i]; i++)
		need += value[i] == '\\' || value[i] == '\n' ? 2 : 1;
	if (!(grown = realloc(*text, have + need)))
		return -1;
	*text = grown;
	w = grown + have;
	w += sprintf(w, "%s=", key);
	for (i = 0; value && value[i]; i++) {
		if (value[i] == '\\' || value[i] == '\n') {
			*w++ = '\\';
			*w++ = value[i] == '\n' ? 'n' : '\\';
		} else {
			*w++ = value[i];
		}
	}
	*w++ = '\n';
	*w = '\0';
	return 0;
}

int notify_params_addf(char **text, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *value;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = notify_params_add(text, key, value);
	free(value);
	return rc;
}

int notify_params_parse(struct notify_params *p, const char *text)
{
	char *r, *w, *line;

	memset(p, 0, sizeof *p);
	if (!text)
		return 0;
	if (!(p->buf = strdup(text)))
		return -1;
	/* decoded in place: an escape is never shorter than what it stands for */
	for (r = w = line = p->buf; *r; r++) {
		if (*r == '\\' && r[1]) {
			r++;
			*w++ = *r == 'n' ? '\n' : *r;
			continue;
		}
		if (*r != '\n') {
			*w++ = *r;
			continue;
		}
		*w++ = '\0';
		{
			char *eq = strchr(line, '=');

			if (eq) {
				if (p->n == NOTIFY_PARAMS_MAX) {
					notify_params_release(p);
					return -1;
				}
				*eq = '\0';
				p->key[p->n] = line;
				p->val[p->n] = eq + 1;
				p->n++;
			}
		}
		line = w;
	}
	return 0;
}

const char *notify_params_get(const struct notify_params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->key[i], key) == 0)
			return p->val[i];
	return "";
}

long notify_params_long(const struct notify_params *p, const char *key, long dflt)
{
	const char *v = notify_params_get(p, key);
	char *end;
	long n;

	if (!*v)
		return dflt;
	n = strtol(v, &end, 10);
	return *end ? dflt : n;
}

void notify_params_release(struct notify_params *p)
{
	free(p->buf);
	memset(p, 0, sizeof *p);
}

/* ---- the registry: which function rebuilds which kind ---- */

/*
 * Every kind that notify_* records as an intent, and the function (in the
 * file of its mail) that rebuilds its variables from the store and the
 * intent's parameters.  To make another mail an intent: its build
 * function next to its notify_* function (declared in notify_internal.h),
 * a row here, and .intent = true with its parameters where it is queued.
 * The mails about no ticket (the digest, reviews, policy change, intake
 * down, trouble) and the notices about a single mail (bounce, cut,
 * forwarded words) are still rendered when queued: nothing in them
 * changes with the ticket, so rebuilding them would only repeat the work.
 */
static const struct renderer {
	const char *kind;	/* ending in "-": every kind starting so */
	notify_build_fn *build;
} renderers[] = {
	{ "ack", notify_build_ack },
	{ "alarm", notify_build_alarm },
	{ "drafts", notify_build_drafts },
	{ "draft-", notify_build_draft },	/* draft-<obligation>: /draft NOTICE */
	{ "lessons-draft", notify_build_lessons },
	{ "reminder", notify_build_due },
	{ "overdue", notify_build_due },
	{ "escalation", notify_build_escalation },
	{ "command-result", notify_build_result },
	{ "command-help", notify_build_help },
	{ "command-error", notify_build_command_error },
	{ "command-refused", notify_build_refused },
	{ "token", notify_build_token },
	{ "token-revoked", notify_build_token },
};

static notify_build_fn *renderer_of(const char *kind)
{
	size_t i, n;

	for (i = 0; i < sizeof renderers / sizeof *renderers; i++) {
		n = strlen(renderers[i].kind);
		if (renderers[i].kind[n - 1] == '-' ? strncmp(kind, renderers[i].kind, n) == 0 :
		    strcmp(kind, renderers[i].kind) == 0)
			return renderers[i].build;
	}
	return NULL;
}

/* ---- the stage ---- */

/*
 * One intent of a batch on its way: rebuilt (b, its parameters, its
 * ticket as it is now), its mail, and that mail being composed on the
 * second core.  A batch's renders sit in one array that does not move:
 * the mail points into b (the drafts' file names).
 */
struct render {
	struct notify_build b;		/* b.f.t: &t, or NULL for a mail about no ticket */
	struct notify_params p;
	struct ticket t;
	struct outbox_mail om;
	struct compose_job job;
};

/* Frees what r holds, however far it got (a render starts zeroed). */
static void render_release(struct render *r)
{
	size_t i;

	notify_facts_release(&r->b.f);
	tvars_free(r->b.v);
	for (i = 0; i < r->b.n_parts; i++)
		free(r->b.texts[i]);
	notify_params_release(&r->p);
	store_ticket_release(&r->t);
	outbox_sealed_release(&r->job.out);
}

/*
 * Rebuilds intent e into r from the store and submits its mail to be
 * composed.  -1 with err: ERR_TEMP (try again later) or ERR_FATAL (this
 * intent cannot be rendered: the caller marks it failed).
 */
static int build_one(const struct config *cfg, struct store *st, const struct outbox_entry *e,
		     struct notify_drafts_cache *drafts, struct notify_ticket_cache *tickets,
		     struct composer *composer, struct render *r, time_t now, struct error *err)
{
	notify_build_fn *build = renderer_of(e->kind);
	int found;

	r->b = (struct notify_build){ .cfg = cfg, .st = st, .e = e, .drafts = drafts,
				      .tickets = tickets };
	if (!build)
		return error_set(err, ERR_FATAL, "notify: no renderer for mail kind \"%s\"", e->kind);
	if (notify_params_parse(&r->p, e->params) < 0)
		return error_set(err, ERR_TEMP, "notify: out of memory (or too many parameters) "
				 "reading mail %lld", (long long)e->id);
	if (e->ticket_id && (found = store_ticket_get_by_id(st, e->ticket_id, &r->t, err)) <= 0) {
		if (found == 0)
			error_set(err, ERR_FATAL, "notify: mail %lld: its ticket %lld is gone",
				  (long long)e->id, (long long)e->ticket_id);
		return -1;
	}
	r->b.f.t = e->ticket_id ? &r->t : NULL;
	if (build(&r->b, &r->p, now, err) < 0)
		return -1;
	r->om = (struct outbox_mail){
		.kind = e->kind, .template = e->template, .html_template = e->html_template,
		.vars = r->b.v, .to_addr = e->rcpt, .to_name = e->to_name,
		.in_reply_to = e->in_reply_to, .references = e->references,
		.reply_to = e->reply_to, .auto_submitted = e->auto_submitted, .urgent = e->urgent,
		/* issue 4: a drill as the ticket is now (a /drill in the same mail counts) */
		.drill = r->b.f.t && (r->t.flags & FLAG_BIT(FLAG_DRILL)),
		.attachments = r->b.parts, .n_attachments = r->b.n_parts,
	};
	r->job = (struct compose_job){ .cfg = cfg, .mail = &r->om,
				       .ticket_ref = r->b.f.t ? r->t.ref : NULL,
				       .message_id = e->message_id, .now = now };
	composer_submit(composer, &r->job);
	return 0;
}

/*
 * Renders intents list[0..n) and stores them inside the open transaction:
 * each rebuilt from the store in order while the second core composes the
 * ones before it, then each stored in order as soon as it is composed,
 * while the later ones compose.  Builds only read the store, and the
 * stores write only the outbox and "mail-queued" events, which no build
 * reads: the same mails as one at a time.  -1 with err and *failed the
 * index of the first intent that could not be rendered or stored.
 */
static int render_batch(const struct config *cfg, struct store *st, struct outbox_entry *list,
			size_t n, struct composer *composer, time_t now, size_t *failed,
			struct error *err)
{
	struct notify_drafts_cache drafts = { 0 };
	struct notify_ticket_cache tickets = { 0 };
	struct render *renders = calloc(n, sizeof *renders);
	size_t built = 0, i;
	int rc = 0;

	*failed = 0;
	if (!renders)
		return error_set(err, ERR_TEMP, "notify: out of memory rendering %zu mails", n);
	for (; built < n; built++)
		if (build_one(cfg, st, &list[built], &drafts, &tickets, composer, &renders[built],
			      now, err) < 0)
			break;
	/* each stored as soon as it is composed, while the later ones compose */
	for (i = 0; i < built; i++) {
		composer_wait_for(composer, &renders[i].job);
		if (renders[i].job.rc < 0) {
			*err = renders[i].job.err;
			break;
		}
		if (outbox_store_sealed(st, &list[i], &renders[i].job.out, now, err) < 0)
			break;
	}
	composer_wait(composer);	/* the rest after a failure; empty for the next batch */
	if (i < n) {
		*failed = i;
		rc = -1;
	}
	for (i = 0; i < n; i++)
		render_release(&renders[i]);
	free(renders);
	notify_drafts_cache_release(&drafts);
	notify_ticket_cache_release(&tickets);
	return rc;
}

/* Intent e cannot be rendered: failed for good, in its own transaction. */
static int give_up(struct store *st, const struct outbox_entry *e, const char *why, time_t now,
		   struct error *err)
{
	char reason[sizeof err->msg + 40];

	snprintf(reason, sizeof reason, "not rendered: %s", why);
	log_error("notify", "mail %lld (%s) to %s: %s", (long long)e->id, e->kind, e->rcpt, reason);
	if (store_begin(st, err) < 0)
		return -1;
	if (store_outbox_mark_failed(st, e->id, e->attempts, reason, now, err) < 0 ||
	    store_commit(st, err) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int notify_render_pending(const struct config *cfg, struct store *st, time_t now,
			  size_t *rendered, struct error *err)
{
	double t0 = clock_monotonic();
	struct composer *composer = NULL;
	size_t total = 0;
	int rc = 0;

	for (;;) {
		struct outbox_entry *list = NULL;
		struct error rerr = { 0 };
		size_t n = 0, failed;

		if (store_outbox_intents(st, NOTIFY_RENDER_BATCH, &list, &n, err) < 0) {
			rc = -1;
			break;
		}
		if (n == 0) {
			free(list);
			break;
		}
		/* one mail (a service's acknowledgement) is composed on this thread */
		if (n > 1 && !composer)
			composer = composer_start();
		/* one transaction per batch: the bytes and their marks commit
		 * together; a kill before the commit leaves the intents as
		 * they were, to be rendered again (nothing of them was sent) */
		if (store_begin(st, err) < 0) {
			store_outbox_free(list, n);
			rc = -1;
			break;
		}
		if (render_batch(cfg, st, list, n, composer, now, &failed, &rerr) < 0) {
			store_rollback(st);
			/* a busy or full database: the whole batch waits */
			if (rerr.cls == ERR_TEMP) {
				*err = rerr;
				store_outbox_free(list, n);
				rc = -1;
				break;
			}
			/* this one intent cannot be rendered; the batch again without it */
			rc = give_up(st, &list[failed], rerr.msg, now, err);
			store_outbox_free(list, n);
			if (rc < 0)
				break;
			continue;
		}
		if (store_commit(st, err) < 0) {
			store_rollback(st);
			store_outbox_free(list, n);
			rc = -1;
			break;
		}
		total += n;
		log_info("notify", "%zu mails rendered and stored", n);
		store_outbox_free(list, n);
		if (n < NOTIFY_RENDER_BATCH)
			break;
	}
	composer_stop(composer);
	/* make bench reads this line: intake and render apart */
	if (total)
		log_info("notify", "render stage: %zu mails rendered and stored in %.3f s", total,
			 clock_monotonic() - t0);
	if (rendered)
		*rendered = total;
	return rc;
}
