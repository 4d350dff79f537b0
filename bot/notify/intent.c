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
 * (outbox_store_rendered), and a resend sends the stored bytes.
 */
#include "notify/intent.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "notify/notify_internal.h"
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

static void build_release(struct notify_build *b)
{
	size_t i;

	notify_facts_release(&b->f);
	tvars_free(b->v);
	for (i = 0; i < b->n_parts; i++)
		free(b->texts[i]);
	b->v = NULL;
	b->n_parts = 0;
}

/*
 * Renders intent e and stores it, inside the open transaction.  -1 with
 * err: ERR_TEMP (try again later) or ERR_FATAL (this intent cannot be
 * rendered: the caller marks it failed).
 */
static int render_one(const struct config *cfg, struct store *st, const struct outbox_entry *e,
		      struct notify_drafts_cache *drafts, struct notify_ticket_cache *tickets,
		      time_t now, struct error *err)
{
	struct ticket t = { 0 };
	struct notify_build b = { .cfg = cfg, .st = st, .e = e, .drafts = drafts,
				  .tickets = tickets };
	struct notify_params p;
	notify_build_fn *build = renderer_of(e->kind);
	struct outbox_mail om = { 0 };
	int rc = -1, found = 0;

	if (!build)
		return error_set(err, ERR_FATAL, "notify: no renderer for mail kind \"%s\"", e->kind);
	if (notify_params_parse(&p, e->params) < 0)
		return error_set(err, ERR_TEMP, "notify: out of memory (or too many parameters) "
				 "reading mail %lld", (long long)e->id);
	if (e->ticket_id && (found = store_ticket_get_by_id(st, e->ticket_id, &t, err)) <= 0) {
		if (found == 0)
			error_set(err, ERR_FATAL, "notify: mail %lld: its ticket %lld is gone",
				  (long long)e->id, (long long)e->ticket_id);
		goto done;
	}
	b.f.t = e->ticket_id ? &t : NULL;
	if (build(&b, &p, now, err) < 0)
		goto done;
	om.kind = e->kind;
	om.template = e->template;
	om.html_template = e->html_template;
	om.vars = b.v;
	om.to_addr = e->rcpt;
	om.to_name = e->to_name;
	om.in_reply_to = e->in_reply_to;
	om.references = e->references;
	om.reply_to = e->reply_to;
	om.auto_submitted = e->auto_submitted;
	om.urgent = e->urgent;
	/* issue 4: a drill as the ticket is now (a /drill in the same mail counts) */
	om.drill = b.f.t && (t.flags & FLAG_BIT(FLAG_DRILL));
	om.attachments = b.parts;
	om.n_attachments = b.n_parts;
	rc = outbox_store_rendered(st, cfg, e, b.f.t ? t.ref : NULL, &om, now, err);
done:
	build_release(&b);
	notify_params_release(&p);
	if (found > 0)
		store_ticket_release(&t);
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
	size_t total = 0;
	int rc = 0;

	for (;;) {
		struct outbox_entry *list = NULL;
		struct notify_drafts_cache drafts = { 0 };
		struct notify_ticket_cache tickets = { 0 };
		struct error rerr = { 0 };
		size_t n = 0, i = 0;

		if (store_outbox_intents(st, NOTIFY_RENDER_BATCH, &list, &n, err) < 0) {
			rc = -1;
			break;
		}
		if (n == 0) {
			free(list);
			break;
		}
		/* one transaction per batch: the bytes and their marks commit
		 * together; a kill before the commit leaves the intents as
		 * they were, to be rendered again (nothing of them was sent) */
		if (store_begin(st, err) < 0) {
			store_outbox_free(list, n);
			rc = -1;
			break;
		}
		for (i = 0; i < n; i++)
			if (render_one(cfg, st, &list[i], &drafts, &tickets, now, &rerr) < 0)
				break;
		notify_drafts_cache_release(&drafts);
		notify_ticket_cache_release(&tickets);
		if (i < n) {
			store_rollback(st);
			/* a busy or full database: the whole batch waits */
			if (rerr.cls == ERR_TEMP) {
				*err = rerr;
				store_outbox_free(list, n);
				rc = -1;
				break;
			}
			/* this one intent cannot be rendered; the batch again without it */
			rc = give_up(st, &list[i], rerr.msg, now, err);
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
	/* make bench reads this line: intake and render apart */
	if (total)
		log_info("notify", "render stage: %zu mails rendered and stored in %.3f s", total,
			 clock_monotonic() - t0);
	if (rendered)
		*rendered = total;
	return rc;
}
