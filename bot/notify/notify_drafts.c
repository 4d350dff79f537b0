/*
 * notify_drafts.c — the notice drafts and the lessons-learned draft (see
 * notify.h), and what every mail's template is rendered with.
 *
 * Every mail is rendered from variables built in one place,
 * notify_vars_of(): the table `uses` says which set each template gets,
 * the records are read from the store (facts_load) or made up
 * (sample_facts, for check-config and the tests), and each mail's own
 * variables are set by the same fill helpers on both paths (the
 * notify_fill_* of notify.c, fill_draft here).  So check-config renders
 * every template with exactly what its mail will have.
 */
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "notify/intent.h"
#include "notify/notify_internal.h"
#include "notify/vars.h"
#include "outbox/outbox.h"
#include "rules/deadline.h"
#include "rules/policy.h"

/* ---- which variables each template gets ---- */

/* The sets of variables, each including the one before. */
enum level {
	L_NONE,		/* about no ticket: bot_addr, bot_name */
	L_TICKET,	/* vars_for_ticket: the ticket, the people, the report */
	L_POLICY,	/* + vars_add_policy: classification, flags, checklist, obligations */
	L_RECORD,	/* + the report from the store, vars_add_timeline: the timeline */
};

struct sample;
static int sample_none(struct tvars *, const struct sample *);
static int sample_bounce(struct tvars *, const struct sample *);
static int sample_cut(struct tvars *, const struct sample *);
static int sample_escalation(struct tvars *, const struct sample *);
static int sample_reminder(struct tvars *, const struct sample *);
static int sample_overdue(struct tvars *, const struct sample *);
static int sample_review(struct tvars *, const struct sample *);
static int sample_policy_change(struct tvars *, const struct sample *);
static int sample_intake_down(struct tvars *, const struct sample *);
static int sample_refused(struct tvars *, const struct sample *);
static int sample_token(struct tvars *, const struct sample *);
static int sample_trouble(struct tvars *, const struct sample *);
static int sample_command_error(struct tvars *, const struct sample *);
static int sample_result(struct tvars *, const struct sample *);
static int sample_help(struct tvars *, const struct sample *);
static int sample_draft(struct tvars *, const struct sample *);
static int sample_words(struct tvars *, const struct sample *);
static int sample_alarm(struct tvars *, const struct sample *);
static int sample_drafts(struct tvars *, const struct sample *);

/*
 * templates/README.md "Files": what each template is rendered with.  To
 * add a mail: a row here (its set, and a sample of its own variables made
 * with the helpers its notify_* function uses: a notify_fill_* in
 * notify.c, declared in notify_internal.h), the notify_* function, a line
 * in the README.
 */
static const struct use {
	const char *template;	/* ending in "-": every template starting so */
	enum level level;
	int (*sample)(struct tvars *v, const struct sample *s);
} uses[] = {
	{ "ack.txt", L_POLICY, sample_none },
	{ "ack-outside.txt", L_POLICY, sample_none },
	{ "alarm.txt", L_POLICY, sample_alarm },
	{ "drafts.txt", L_POLICY, sample_drafts },
	{ "bounce.txt", L_TICKET, sample_bounce },
	{ "cut.txt", L_TICKET, sample_cut },
	{ "escalation.txt", L_POLICY, sample_escalation },
	{ "reminder.txt", L_POLICY, sample_reminder },
	{ "overdue.txt", L_POLICY, sample_overdue },
	{ "review.txt", L_NONE, sample_review },
	{ "policy-change.txt", L_NONE, sample_policy_change },
	{ "intake-down.txt", L_NONE, sample_intake_down },
	{ "refused.txt", L_POLICY, sample_refused },
	{ "token.txt", L_TICKET, sample_token },
	{ "trouble.txt", L_NONE, sample_trouble },
	{ "command-error.txt", L_POLICY, sample_command_error },
	{ "result.txt", L_POLICY, sample_result },
	{ "help.txt", L_POLICY, sample_help },
	{ "draft-", L_RECORD, sample_draft },		/* draft-<obligation>.txt */
	{ "draft.txt", L_RECORD, sample_draft },	/* a notice without its own */
	{ "lessons.txt", L_RECORD, sample_none },
	{ "followup.txt", L_NONE, sample_words },	/* notify_words.c, issue 13 */
};

static const struct use *use_of(const char *template)
{
	size_t i, n;

	for (i = 0; i < sizeof uses / sizeof *uses; i++) {
		n = strlen(uses[i].template);
		if (uses[i].template[n - 1] == '-' ? strncmp(template, uses[i].template, n) == 0
						   : strcmp(template, uses[i].template) == 0)
			return &uses[i];
	}
	return NULL;
}

void notify_facts_release(struct facts *f)
{
	if (!f->loaded)
		return;
	store_checklist_free(f->items, f->n_items);
	store_obligations_free(f->obl, f->n_obl);
	store_events_free(f->ev, f->n_ev);
	store_messages_free(f->msgs, f->n_msgs);
	f->items = NULL;
	f->obl = NULL;
	f->ev = NULL;
	f->msgs = NULL;
	f->n_items = f->n_obl = f->n_ev = f->n_msgs = 0;
	f->loaded = false;
	f->level = L_NONE;
}

/* Reads what `level` needs of f->t from the store, and only what f does
 * not hold yet (a drafts mail reads the timeline after the rest). */
static int facts_load(struct store *st, struct facts *f, enum level level, struct error *err)
{
	f->loaded = true;
	if (level >= L_POLICY && f->level < L_POLICY) {
		if (store_checklist_list(st, f->t->id, &f->items, &f->n_items, err) < 0 ||
		    store_obligation_list(st, f->t->id, &f->obl, &f->n_obl, err) < 0)
			return -1;
		f->level = L_POLICY;
	}
	if (level < L_RECORD || f->level >= L_RECORD)
		return 0;
	if (store_event_list(st, f->t->id, &f->ev, &f->n_ev, err) < 0)
		return -1;
	f->level = L_RECORD;
	/* a notice quotes the report: read it back */
	return f->m ? 0 : notify_load_report(st, f, err);
}

int notify_load_report(struct store *st, struct facts *f, struct error *err)
{
	size_t i;

	if (f->m || f->msgs)
		return 0;
	f->loaded = true;
	if (store_message_report(st, f->t->id, &f->msgs, &f->n_msgs, err) < 0)
		return -1;
	for (i = 0; i < f->n_msgs; i++)
		if (f->msgs[i].kind && strcmp(f->msgs[i].kind, "report") == 0) {
			f->report.body = f->msgs[i].body;
			f->report.message_id = f->msgs[i].message_id;
			f->report.subject = f->msgs[i].subject;
			/* issue 16: the acknowledgement and the alarm are rendered
			 * from here now; `noticed` reads the report's Date */
			f->report.date = f->msgs[i].date;
			f->report.date_raw = f->msgs[i].date_raw;
			f->report.from.addr = f->msgs[i].from_addr;
			f->report.from.name = f->msgs[i].from_name;
			f->report.attachments = f->msgs[i].attachments;
			f->report.n_attachments = f->msgs[i].n_attachments;
			f->m = &f->report;
			break;
		}
	return 0;
}

/* The variables of `level` from f.  NULL on out-of-memory. */
static struct tvars *facts_vars(const struct config *cfg, const struct facts *f, enum level level,
				time_t now)
{
	struct tvars *v;

	if (level == L_NONE) {
		if ((v = tvars_new()) && (tvars_set(v, "bot_addr", cfg->smtp.from) < 0 ||
					  tvars_set(v, "bot_name", cfg->smtp.from_name) < 0)) {
			tvars_free(v);
			v = NULL;
		}
		return v;
	}
	v = vars_for_ticket(cfg, f->t, f->m);
	if (v && ((level >= L_POLICY &&
		   vars_add_policy(v, f->t, f->items, f->n_items, f->obl, f->n_obl, now) < 0) ||
		  (level >= L_RECORD &&
		   vars_add_timeline(v, f->t, f->ev, f->n_ev, f->obl, f->n_obl, now) < 0))) {
		tvars_free(v);
		v = NULL;
	}
	return v;
}

struct tvars *notify_vars_of(const struct config *cfg, struct store *st, const char *template,
			     struct facts *f, time_t now, struct error *err)
{
	const struct use *u = use_of(template);
	enum level level = u ? u->level : L_RECORD;
	struct tvars *v;

	if (level > L_NONE && facts_load(st, f, level, err) < 0)
		return NULL;
	if (!(v = facts_vars(cfg, f, level, now)))
		notify_out_of_memory(err);
	return v;
}

/* Empty for another ticket; the variables stay (mails over them may be
 * being composed) until notify_ticket_cache_release. */
static void ticket_cache_clear(struct notify_ticket_cache *c)
{
	notify_facts_release(&c->f);
	if (c->ticket_id)
		store_ticket_release(&c->t);
	c->ticket_id = 0;
	c->t = (struct ticket){ 0 };
	c->f = (struct facts){ 0 };	/* its report too */
}

void notify_ticket_cache_release(struct notify_ticket_cache *c)
{
	struct shared_vars *s, *older;

	ticket_cache_clear(c);
	for (s = c->vars; s; s = older) {
		older = s->older;
		tvars_free(s->v);
		free(s);
	}
	memset(c, 0, sizeof *c);
}

const struct facts *notify_shared_vars(struct notify_build *b, time_t now, struct error *err)
{
	const struct use *u = use_of(b->e->template);
	struct notify_ticket_cache *c = b->tickets;
	struct shared_vars *s;
	int found;

	if (!c || !u || u->level != L_POLICY) {
		if (notify_load_report(b->st, &b->f, err) < 0 ||
		    !(b->v = notify_vars_of(b->cfg, b->st, b->e->template, &b->f, now, err)))
			return NULL;
		return &b->f;
	}
	if (c->ticket_id != b->f.t->id) {
		ticket_cache_clear(c);
		if ((found = store_ticket_get_by_id(b->st, b->f.t->id, &c->t, err)) <= 0) {
			if (found == 0)
				error_set(err, ERR_FATAL, "notify: ticket %lld is gone",
					  (long long)b->f.t->id);
			return NULL;
		}
		c->ticket_id = c->t.id;
		c->f.t = &c->t;
		if (facts_load(b->st, &c->f, L_POLICY, err) < 0 ||
		    notify_load_report(b->st, &c->f, err) < 0) {
			ticket_cache_clear(c);
			return NULL;
		}
		if (!(s = calloc(1, sizeof *s)) || !(s->v = facts_vars(b->cfg, &c->f, L_POLICY, now))) {
			free(s);
			ticket_cache_clear(c);
			notify_out_of_memory(err);
			return NULL;
		}
		s->older = c->vars;
		c->vars = s;
	}
	if (!(b->v = tvars_new_over(c->vars->v))) {
		notify_out_of_memory(err);
		return NULL;
	}
	return &c->f;
}

/* ---- notice drafts and the lessons-learned draft ---- */

/* The ticket's obligation of kind, or NULL. */
static const struct obligation *obligation_of(const struct facts *f, int kind)
{
	size_t i;

	for (i = 0; i < f->n_obl; i++)
		if (strcmp(f->obl[i].kind, obligation_name(kind)) == 0)
			return &f->obl[i];
	return NULL;
}

/*
 * Policy 7-4 「ホームページにて公表」: the first publication is 第一報;
 * once it is recorded done, every further draft is the next report
 * (第二報, …), counted by the drafts made since.
 */
static int publication_number(const struct facts *f)
{
	const struct obligation *o = obligation_of(f, OBL_PUBLICATION);
	size_t i;
	int n = 2;

	if (!o || o->state != OBLIGATION_DONE)
		return 1;
	for (i = 0; i < f->n_ev; i++)
		if (f->ev[i].kind && strcmp(f->ev[i].kind, "draft") == 0 && f->ev[i].detail &&
		    strncmp(f->ev[i].detail, "publication:", 12) == 0 && f->ev[i].at >= o->closed_at)
			n++;
	return n;
}

/* The due time of kind's notice: its obligation's, else as it would be. */
static time_t draft_due(const struct config *cfg, const struct facts *f, int kind)
{
	const struct obligation *o = obligation_of(f, kind);

	return o ? o->due_at : deadline_due(&cfg->policy, f->t->aware_at, f->t->flags, kind);
}

/* The draft's own variables for kind: due from its obligation, else as it
 * would be; number: the 第N報 of a publication (publication_number when
 * the draft was asked for: issue 16, its own "draft" event is on the
 * timeline by the time it is rendered). */
static int fill_draft(struct tvars *v, const struct config *cfg, const struct facts *f, int kind,
		      int number, time_t now)
{
	const struct obligation *pub = obligation_of(f, OBL_PUBLICATION);

	/* issue 13: a 第二報 builds on what was recorded since the first */
	return vars_add_draft(v, cfg, kind, obligation_of(f, kind), draft_due(cfg, f, kind), number,
			      now) < 0 ||
	       vars_add_since_first(v, f->obl, f->n_obl, f->ev, f->n_ev,
				    number > 1 && pub ? pub->closed_at : 0) < 0 ? -1 : 0;
}

/*
 * The template of a notice: draft-<obligation>.txt, or draft.txt when the
 * operator has none.  Asked of the renderer, not the disk: `run` serves
 * the set it loaded, so a draft-X.txt added since (no SIGHUP yet) must
 * not be chosen (issue 15: it was, and the render failed as fatal).
 */
static const char *draft_template(const struct config *cfg, int kind, char *buf, size_t len)
{
	snprintf(buf, len, "draft-%s.txt", obligation_name(kind));
	return render_has(cfg->templates, buf) ? buf : "draft.txt";
}

/*
 * The record of which notice was drafted when, for whom, and the 第N報 of
 * a publication (publication_number counts these events): written when
 * the draft is asked for, in that transaction; attached: in a drafts mail.
 */
static int draft_event(const struct config *cfg, struct store *st, const struct ticket *t,
		       int kind, const char *to, int number, bool attached, time_t now,
		       struct error *err)
{
	char file[80], detail[200];
	const char *template = draft_template(cfg, kind, file, sizeof file);

	if (kind == OBL_PUBLICATION)
		snprintf(detail, sizeof detail, "%s: %s → %s, 第%d報%s", obligation_name(kind),
			 template, to ? to : "every admin", number, attached ? " (attached)" : "");
	else
		snprintf(detail, sizeof detail, "%s: %s → %s%s", obligation_name(kind), template,
			 to ? to : "every admin", attached ? " (attached)" : "");
	return store_event_add(st, t->id, now, "bot", "draft", detail, err);
}

/* One draft of kind to `to` (NULL: every admin), an intent: its number and
 * threading from f as it is now, its text when it is rendered. */
static int draft_one(const struct config *cfg, struct store *st, const struct facts *f, int kind,
		     const char *to, time_t now, struct error *err)
{
	char file[80], kind_name[80], *params = NULL;
	struct outbox_mail om = { .kind = kind_name, .intent = true,
				  .in_reply_to = f->m ? f->m->message_id : NULL };
	int number = kind == OBL_PUBLICATION ? publication_number(f) : 1;
	int rc;

	if (notify_params_add(&params, "notice", obligation_name(kind)) < 0 ||
	    notify_params_addf(&params, "number", "%d", number) < 0) {
		free(params);
		return notify_out_of_memory(err);
	}
	om.params = params;
	om.template = draft_template(cfg, kind, file, sizeof file);
	snprintf(kind_name, sizeof kind_name, "draft-%s", obligation_name(kind));
	rc = draft_event(cfg, st, f->t, kind, to, number, false, now, err) < 0 ? -1 :
	     to ? notify_queue_to(cfg, st, f->t, &om, to, NULL, now, err) :
	     notify_queue_roles(cfg, st, f->t, &om, ROLE_ADMIN, now, err);
	free(params);
	return rc;
}

int notify_build_draft(struct notify_build *b, const struct notify_params *p, time_t now,
		       struct error *err)
{
	int kind = obligation_from_name(notify_params_get(p, "notice"));

	if (!b->f.t || kind < 0)
		return error_set(err, ERR_FATAL, "notify: mail %lld: a draft without its ticket or "
				 "notice", (long long)b->e->id);
	if (facts_load(b->st, &b->f, L_RECORD, err) < 0)
		return -1;
	if (!(b->v = facts_vars(b->cfg, &b->f, L_RECORD, now)) ||
	    fill_draft(b->v, b->cfg, &b->f, kind, (int)notify_params_long(p, "number", 1), now) < 0)
		return notify_out_of_memory(err);
	return 0;
}

/* ---- the drafts of one pass in one mail (issue 13) ---- */

/*
 * Whom each notice is for (policy 7-4, 7-5; APPI art. 26), for the
 * summary of the drafts mail.  To add a notice: a line here too.
 */
static const char *const audiences[OBL_COUNT] = {
	[OBL_PPC_ASSESS]	= "社内（報告要否の判断メモ）/ internal decision memo",
	[OBL_PPC_PRELIMINARY]	= "個人情報保護委員会 / PPC",
	[OBL_PPC_FINAL]		= "個人情報保護委員会 / PPC",
	[OBL_INDIVIDUALS]	= "漏えい等の対象となった本人 / the people affected",
	[OBL_CONSULTATION_DESK]	= "お客様・本人（相談窓口）/ customers (consultation desk)",
	[OBL_PUBLICATION]	= "ホームページの閲覧者 / the public (website)",
	[OBL_AMAZON]		= "Amazon",
	[OBL_AWS]		= "AWS",
	[OBL_RAKUTEN]		= "楽天（電話）/ Rakuten (phone)",
	[OBL_YAHOO]		= "Yahoo（フォーム）/ Yahoo (web form)",
	[OBL_PARTNERS]		= "取引先 / partners",
	[OBL_OUTAGE_CONTACTS]	= "必要な連絡先 / the contacts needed",
	[OBL_PRINCIPAL]		= "委託元 / the principal",
	[OBL_CIRCULATION]	= "全従業員 / every employee",
};

/* The attachment's name of kind's draft: "INC-2026-0001_本人への通知.txt". */
static void draft_file(const struct ticket *t, int kind, char *buf, size_t len)
{
	snprintf(buf, len, "%s_%s.txt", t->ref, obligation_label(kind));
}

int notify_fill_drafts(struct tvars *v, const struct config *cfg, const struct facts *f,
		       unsigned kinds, time_t now)
{
	struct policy_facts facts = store_ticket_facts(f->t);
	char due[40], span[40], left[80], file[200];
	int k, count = 0;

	if (tvars_set_list(v, "drafts") < 0)
		return -1;
	for (k = 0; k < OBL_COUNT; k++) {
		struct tvars *item;
		time_t at;

		if (!(kinds & (1u << k)) || !obligation_is_notice(k))
			continue;
		at = draft_due(cfg, f, k);
		clock_format_short(at, due, sizeof due);
		vars_duration((long)(at > now ? at - now : now - at), span, sizeof span);
		if (at > now)
			snprintf(left, sizeof left, "%s", span);
		else
			snprintf(left, sizeof left, "期限切れ %s / overdue", span);
		draft_file(f->t, k, file, sizeof file);
		if (!(item = tvars_add_item(v, "drafts")) ||
		    tvars_set(item, "kind", obligation_name(k)) < 0 ||
		    tvars_set(item, "label", obligation_label(k)) < 0 ||
		    tvars_set(item, "audience", audiences[k] ? audiences[k] : obligation_label(k)) < 0 ||
		    tvars_set(item, "due", due) < 0 || tvars_set(item, "left", left) < 0 ||
		    tvars_set(item, "deadline",
			      deadline_kind_label(policy_deadline_kind(k, &facts))) < 0 ||
		    tvars_set(item, "file", file) < 0)
			return -1;
		count++;
	}
	return tvars_setf(v, "drafts_count", "%d", count);
}

/*
 * Renders kind's draft from f, whose L_RECORD variables are `record`, as
 * the text of an attachment: its subject line, an empty line, its body.
 * *text is malloc'd.
 */
static int draft_text(const struct config *cfg, const struct facts *f,
		      const struct tvars *record, int kind, int number, time_t now, char **text,
		      struct error *err)
{
	char file[80], *subject = NULL, *body = NULL;
	struct tvars *v = tvars_new_over(record);
	const char *template = draft_template(cfg, kind, file, sizeof file);
	int rc = -1;

	*text = NULL;
	if (!v || fill_draft(v, cfg, f, kind, number, now) < 0) {
		notify_out_of_memory(err);
		goto done;
	}
	if (render_mail(cfg->templates, template, v, &subject, &body, err) < 0)
		goto done;
	if (asprintf(text, "%s\n\n%s", subject, body) < 0) {
		*text = NULL;
		notify_out_of_memory(err);
		goto done;
	}
	rc = 0;
done:
	free(subject);
	free(body);
	tvars_free(v);
	return rc;
}

/*
 * Issue 13: the drafts of one pass as ONE mail per admin (drafts.txt, a
 * summary: which notice, for whom, due when), each draft a text/plain
 * attachment, under the ticket's alarm.  Issue 16: an intent; which
 * drafts and the publication's 第N報 (counted before its own draft event
 * is added) are fixed now, the texts are rendered from the ticket as it
 * is when the mail is rendered (notify_build_drafts).
 */
int notify_drafts(const struct config *cfg, struct store *st, const struct ticket *t,
		  const struct mail *m, unsigned kinds, const char *to, time_t now,
		  struct error *err)
{
	struct facts f = { .t = t, .m = m };
	struct outbox_mail om = { .kind = "drafts", .template = "drafts.txt", .intent = true };
	char *params = NULL;
	int k, number = 1, rc = -1;

	/* the recovery target (policy 6(3)) is nobody's notice: no draft */
	for (k = 0; k < OBL_COUNT; k++)
		if (!obligation_is_notice(k))
			kinds &= ~(1u << k);
	if (!kinds)
		return 0;
	/* only a publication needs the record now: its number */
	if (kinds & (1u << OBL_PUBLICATION)) {
		if (facts_load(st, &f, L_RECORD, err) < 0)
			goto done;
		number = publication_number(&f);
	}
	for (k = 0; k < OBL_COUNT; k++)
		if ((kinds & (1u << k)) &&
		    draft_event(cfg, st, t, k, to, number, true, now, err) < 0)
			goto done;
	if (notify_params_addf(&params, "drafts", "%u", kinds) < 0 ||
	    notify_params_addf(&params, "number", "%d", number) < 0) {
		notify_out_of_memory(err);
		goto done;
	}
	om.params = params;
	om.cause_message = m ? m->message_id : NULL;
	rc = to ? notify_queue_to(cfg, st, t, &om, to, NULL, now, err) :
	     notify_queue_roles_under_alarm(cfg, st, t, &om, ROLE_ADMIN, now, err);
done:
	free(params);
	notify_facts_release(&f);
	return rc;
}

void notify_drafts_cache_release(struct notify_drafts_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->texts[i]);
	free(c->params);
	memset(c, 0, sizeof *c);
}

/* b's attachments copied from the cache, when it holds this ticket's
 * drafts for the same parameters: 1; 0 when it does not; -1 no memory. */
static int drafts_from_cache(struct notify_build *b)
{
	const struct notify_drafts_cache *c = b->drafts;
	size_t i;

	if (!c || !c->ticket_id || c->ticket_id != b->f.t->id || !b->e->params ||
	    strcmp(c->params, b->e->params) != 0)
		return 0;
	for (i = 0; i < c->n; i++) {
		if (!(b->texts[i] = strdup(c->texts[i])))
			return -1;
		memcpy(b->files[i], c->files[i], sizeof b->files[i]);
		b->parts[i].filename = b->files[i];
		b->parts[i].text = b->texts[i];
		b->n_parts++;
	}
	return 1;
}

/* b's attachments kept for the next admin's copy (nothing when out of memory). */
static void drafts_to_cache(const struct notify_build *b)
{
	struct notify_drafts_cache *c = b->drafts;
	size_t i;

	if (!c || !b->e->params)
		return;
	notify_drafts_cache_release(c);
	if (!(c->params = strdup(b->e->params)))
		return;
	for (i = 0; i < b->n_parts; i++) {
		if (!(c->texts[i] = strdup(b->texts[i]))) {
			notify_drafts_cache_release(c);
			return;
		}
		memcpy(c->files[i], b->files[i], sizeof c->files[i]);
		c->n++;
	}
	c->ticket_id = b->f.t->id;
}

int notify_build_drafts(struct notify_build *b, const struct notify_params *p, time_t now,
			struct error *err)
{
	unsigned kinds = (unsigned)notify_params_long(p, "drafts", 0);
	int number = (int)notify_params_long(p, "number", 1), k, cached;
	const struct facts *f;
	struct tvars *record;

	if (!b->f.t)
		return error_set(err, ERR_FATAL, "notify: a drafts mail without its ticket");
	if (!(f = notify_shared_vars(b, now, err)))
		return -1;
	if (notify_fill_drafts(b->v, b->cfg, f, kinds, now) < 0)
		return notify_out_of_memory(err);
	if ((cached = drafts_from_cache(b)) != 0)
		return cached < 0 ? notify_out_of_memory(err) : 0;
	/* the drafts quote the timeline: read it now, its variables made
	 * once for every draft */
	if (facts_load(b->st, &b->f, L_RECORD, err) < 0)
		return -1;
	if (!(record = facts_vars(b->cfg, &b->f, L_RECORD, now)))
		return notify_out_of_memory(err);
	for (k = 0; k < OBL_COUNT; k++) {
		size_t n = b->n_parts;

		if (!(kinds & (1u << k)))
			continue;
		if (draft_text(b->cfg, &b->f, record, k, k == OBL_PUBLICATION ? number : 1, now,
			       &b->texts[n], err) < 0) {
			tvars_free(record);
			return -1;
		}
		draft_file(b->f.t, k, b->files[n], sizeof b->files[n]);
		b->parts[n].filename = b->files[n];
		b->parts[n].text = b->texts[n];
		b->n_parts++;
	}
	tvars_free(record);
	drafts_to_cache(b);
	return 0;
}

int notify_draft(const struct config *cfg, struct store *st, const struct ticket *t, int kind,
		 const char *to, time_t now, struct error *err)
{
	struct facts f = { .t = t };
	int rc;

	if (kind < 0 || kind >= OBL_COUNT || !obligation_is_notice(kind))
		return error_set(err, ERR_FATAL, "notify: no notice %d", kind);
	/* /draft NOTICE: the one draft as a mail of its own, as it always was */
	rc = facts_load(st, &f, L_RECORD, err) < 0 ? -1 : draft_one(cfg, st, &f, kind, to, now, err);
	notify_facts_release(&f);
	return rc;
}

int notify_lessons(const struct config *cfg, struct store *st, const struct ticket *t, time_t now,
		   struct error *err)
{
	struct outbox_mail om = { .kind = "lessons-draft", .template = "lessons.txt",
				  .intent = true };

	/* SPEC 4: the owner, or the admins while nobody owns the ticket (policy 8(1)) */
	return t->owner && *t->owner ? notify_queue_to(cfg, st, t, &om, t->owner, NULL, now, err) :
	       notify_queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err);
}

/* Policy 8: pre-filled from the timeline as it is when it is rendered. */
int notify_build_lessons(struct notify_build *b, const struct notify_params *p, time_t now,
			 struct error *err)
{
	(void)p;
	if (!b->f.t)
		return error_set(err, ERR_FATAL, "notify: a lessons draft without its ticket");
	return (b->v = notify_vars_of(b->cfg, b->st, b->e->template, &b->f, now, err)) ? 0 : -1;
}

/* ---- the sample: every template rendered as its mail would be ---- */

/* A made-up ticket with all its records, full or empty, and the sample's own values. */
struct sample {
	const struct config *cfg;
	const char *template;
	struct ticket t;
	struct mail m;
	struct mail_attachment att;
	struct checklist_item items[2];
	struct obligation obl[OBL_COUNT];
	struct event ev[12];
	struct facts f;
	time_t now;
};

static void sample_facts(struct sample *s, const struct config *cfg, bool full, time_t now)
{
	/* the states an obligation can be in, so that every obl_* text is seen */
	static const enum obligation_state states[] = {
		OBLIGATION_OPEN, OBLIGATION_DONE, OBLIGATION_NOT_NEEDED, OBLIGATION_OPEN,
		OBLIGATION_DONE, OBLIGATION_CANCELLED,
	};
	static const char *const events[][3] = {
		{ "opened", "report from customer@example.com", NULL },
		{ "classified", "type data-leak, priority high — 流出", NULL },
		{ "escalated", "unacknowledged for 30分: management told", NULL },
		{ "status", "new → acknowledged", NULL },
		{ "command", "sha256 0; auth: ok\n/ack\n/flag amazon", NULL },
		{ "note", "受注管理画面への不正ログインを確認。パスワードを変更した。", NULL },
		{ "follow-up", "customer@example.com: Re: 追加の情報", NULL },
		{ "obligation-opened", "amazon: Amazon への通知, due …", NULL },
		{ "draft", "amazon: draft-amazon.txt → every admin", NULL },
		{ "obligation-closed", "amazon: done — 3p-security に送付", NULL },
		{ "mail-queued", "alarm to admin@example.com", NULL },
		{ "status", "recovering → resolved", NULL },
	};
	const char *owner = "admin@example.com";
	size_t i;
	int k;

	for (i = 0; i < cfg->n_persons; i++)
		if (cfg->persons[i].roles & ROLE_ADMIN) {
			owner = cfg->persons[i].email;
			break;
		}
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->now = now;
	snprintf(s->t.ref, sizeof s->t.ref, "INC-2026-0001");
	s->t.id = 1;
	s->t.status = full ? STATUS_RESOLVED : STATUS_NEW;
	s->t.type = TYPE_UNSET;
	s->t.priority = PRIORITY_UNSET;
	s->t.source = SOURCE_UNSET;
	s->t.affected = -1;
	s->t.created_at = s->t.aware_at = s->t.updated_at = now;
	s->f.t = &s->t;
	if (!full) {
		s->t.subject = "";
		s->t.reporter_addr = "";
		return;
	}
	s->t.subject = "サンプル: ECサイトの顧客情報が流出した可能性";
	s->t.reporter_addr = "customer@example.com";
	s->t.reporter_name = "報告 太郎";
	s->t.type = TYPE_DATA_LEAK;
	s->t.priority = PRIORITY_HIGH;
	s->t.source = SOURCE_EXTERNAL_NOTICE;
	s->t.flags = (1u << FLAG_COUNT) - 1;
	s->t.affected = 1200;
	s->t.owner = (char *)owner;
	s->t.classify_why = "種別 data-leak: 流出 / 優先度 high: 顧客";
	s->t.created_at = now - 3 * 86400;
	s->t.aware_at = s->t.created_at - 2 * 3600;
	s->t.acked_at = s->t.created_at + 40 * 60;
	s->t.contained_at = s->t.created_at + 86400;
	s->t.resolved_at = now - 3600;
	s->t.escalation_stage = 1;
	s->t.lessons = "原因: 管理画面のパスワードの使い回し。対策: 多要素認証を導入する。";

	s->att = (struct mail_attachment){ .filename = "access.log", .content_type = "text/plain",
					   .size = 42, .sha256 = "0" };
	s->m = (struct mail){
		.subject = s->t.subject, .message_id = "sample@example.com",
		.body = "受注管理画面から顧客情報が流出した可能性があります。\n約1,200件です。\n",
		.date_raw = "Wed, 25 Nov 2026 10:00:00 +0900",
		.attachments = &s->att, .n_attachments = 1,
	};
	s->m.from.addr = s->t.reporter_addr;
	s->f.m = &s->m;

	s->items[0] = (struct checklist_item){ .pos = 1, .text = "被害の詳細と稼働状況を確認する（規程 7-2）",
					       .done_at = s->t.acked_at, .done_by = (char *)owner };
	s->items[1] = (struct checklist_item){ .pos = 2, .text = "漏洩経路を封じ込める（規程 7-6(3)c）" };
	s->f.items = s->items;
	s->f.n_items = 2;

	for (k = 0; k < OBL_COUNT; k++) {
		struct obligation *o = &s->obl[k];

		o->ticket_id = 1;
		o->kind = (char *)obligation_name(k);
		o->state = states[k % 6];
		o->start_at = s->t.aware_at;
		o->due_at = k % 6 == 3 ? now - 3600 : deadline_due(&cfg->policy, s->t.aware_at, s->t.flags, k);
		o->closed_at = o->state == OBLIGATION_OPEN ? 0 :
			       o->due_at + (k % 6 == 4 ? 3600 : -3600);
		o->closed_by = o->closed_at ? (char *)owner : NULL;
		o->reason = o->closed_at ? "サンプルの記録" : NULL;
	}
	s->f.obl = s->obl;
	s->f.n_obl = OBL_COUNT;

	for (i = 0; i < sizeof events / sizeof *events; i++) {
		s->ev[i].at = s->t.created_at + (time_t)i * 600;
		s->ev[i].actor = (char *)(i ? owner : "customer@example.com");
		s->ev[i].kind = (char *)events[i][0];
		s->ev[i].detail = (char *)events[i][1];
	}
	s->f.ev = s->ev;
	s->f.n_ev = sizeof events / sizeof *events;
}

static int sample_none(struct tvars *v, const struct sample *s)
{
	(void)v;
	(void)s;
	return 0;
}

static int sample_bounce(struct tvars *v, const struct sample *s)
{
	return notify_fill_bounce(v, "ack", s->t.reporter_addr, "[INC-2026-0001] 受付しました",
				  "5.1.1 (smtp; 550 user unknown)");
}

static int sample_cut(struct tvars *v, const struct sample *s)
{
	return notify_fill_cut(v, &s->m, 30000000, 26214400);
}

static int sample_escalation(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_escalation(v, 1, 1800);
}

/* A pass where the Amazon notice is due soon and the PPC report too. */
static int sample_reminder(struct tvars *v, const struct sample *s)
{
	struct due_item items[2] = { { &s->obl[OBL_AMAZON], 0 }, { &s->obl[OBL_PPC_PRELIMINARY], 0 } };

	return notify_fill_due(v, &s->t, items, 2, s->now);
}

/* A pass where one obligation is overdue (the third time) and another due soon. */
static int sample_overdue(struct tvars *v, const struct sample *s)
{
	struct due_item items[2] = { { &s->obl[OBL_AMAZON], 3 }, { &s->obl[OBL_PPC_PRELIMINARY], 0 } };

	return notify_fill_due(v, &s->t, items, 2, s->now);
}

/* The alarm: when it escalates, and the drafts of every obligation. */
static int sample_alarm(struct tvars *v, const struct sample *s)
{
	return notify_fill_alarm(v, s->cfg, &s->t, s->now) < 0 ? -1 :
	       notify_fill_drafts(v, s->cfg, &s->f, s->t.flags ? (1u << OBL_COUNT) - 1 : 0, s->now);
}

static int sample_drafts(struct tvars *v, const struct sample *s)
{
	return notify_fill_drafts(v, s->cfg, &s->f, (1u << OBL_COUNT) - 1, s->now);
}

static int sample_review(struct tvars *v, const struct sample *s)
{
	return notify_fill_review(v, review_name(REVIEW_RISK), review_label(REVIEW_RISK), NULL,
				  s->now - 365 * 86400, s->now);
}

static int sample_policy_change(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_policy_change(v, "・不審なメールの報告先を incident@ に一本化\n"
					 "・夜間の連絡先に EC 管理者の携帯を追加",
					 "all-staff@example.com");
}

static int sample_intake_down(struct tvars *v, const struct sample *s)
{
	return notify_fill_intake_down(v, "oauth2: https://login.microsoftonline.com/TENANT/"
				       "oauth2/v2.0/token (grant client_credentials, client_id "
				       "00000000-0000-0000-0000-000000000000): refused (HTTP 401): "
				       "invalid_client: AADSTS7000215: Invalid client secret provided.",
				       s->now - 600);
}

static const struct mail sample_command = {
	.from = { .addr = "admin@example.com" }, .subject = "Re: [INC-2026-0001]",
};

static int sample_refused(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_command(v, s->cfg, &sample_command) < 0 ? -1 :
	       notify_fill_refused(v, "token: not sent to a reply address with a token", "/close");
}

static int sample_trouble(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_trouble(v, "IMAP にログインできません / IMAP login refused",
				   "imap: login as incident@example.com refused: [AUTHENTICATIONFAILED]",
				   "imap の user と password_file、メールサーバーの認証を確認してください。",
				   1795568400);
}

static int sample_token(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_token(v, "tkita@example.com",
				 "it came in a mail from someone@example.net, who is not an admin "
				 "or management", true);
}

static int sample_command_error(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_command(v, s->cfg, &sample_command) < 0 ? -1 :
	       notify_fill_command_error(v, "line 1: /priority urgent: unknown priority");
}

static int sample_result(struct tvars *v, const struct sample *s)
{
	(void)s;
	return notify_fill_command(v, s->cfg, &sample_command) < 0 ? -1 :
	       notify_fill_result(v, "・受付 / acknowledged", true, true);
}

static int sample_help(struct tvars *v, const struct sample *s)
{
	return notify_fill_command(v, s->cfg, &sample_command);
}

/* A reporter's follow-up and management's reply on the ticket; or
 * (empty sample) management's question about no ticket. */
static int sample_words(struct tvars *v, const struct sample *s)
{
	const struct words_item items[] = {
		{ .ticket_ref = s->t.ref, .ticket_subject = s->t.subject,
		  .from_addr = "customer@example.com", .from_name = "報告 太郎", .reporter = true,
		  .what = "follow-up", .subject = "Re: [INC-2026-0001] 受付しました",
		  .text = "楽天・Yahoo の注文も同じ DB にあります。", .at = s->now - 600 },
		{ .ticket_ref = s->t.ref, .ticket_subject = s->t.subject,
		  .from_addr = "ceo@example.com", .what = "management",
		  .subject = "Re: [INC-2026-0001] エスカレーション",
		  .text = "取引先への連絡はいつになりますか。", .at = s->now },
	};
	const struct words_item question = {
		.ticket_ref = "", .ticket_subject = "", .from_addr = "ceo@example.com",
		.what = "question", .subject = "Re: 日次報告", .text = "先週の件はどうなりましたか。",
		.at = s->now,
	};

	if (!*s->t.subject)	/* the empty sample: a question about no ticket */
		return notify_fill_words(v, s->cfg, NULL, &question, 1);
	return notify_fill_words(v, s->cfg, &s->t, items, 2);
}

/* draft-<obligation>.txt: that notice; draft.txt and unknown names: the Amazon one. */
static int sample_draft(struct tvars *v, const struct sample *s)
{
	char name[80];
	size_t len = strlen(s->template);
	int kind = -1;

	if (strncmp(s->template, "draft-", 6) == 0 && len > 10 &&
	    strcmp(s->template + len - 4, ".txt") == 0) {
		snprintf(name, sizeof name, "%.*s", (int)(len - 10), s->template + 6);
		kind = obligation_from_name(name);
	}
	kind = kind >= 0 ? kind : OBL_AMAZON;
	return fill_draft(v, s->cfg, &s->f, kind,
			  kind == OBL_PUBLICATION ? publication_number(&s->f) : 1, s->now);
}

struct tvars *notify_sample_vars(const struct config *cfg, const char *template, bool full,
				 time_t now)
{
	struct sample *s = malloc(sizeof *s);
	const struct use *u = use_of(template);
	struct tvars *v = NULL;

	if (!s)
		return NULL;
	sample_facts(s, cfg, full, now);
	s->template = template;
	v = facts_vars(cfg, &s->f, u ? u->level : L_RECORD, now);
	if (v && (u ? u->sample : sample_draft)(v, s) < 0) {
		tvars_free(v);
		v = NULL;
	}
	free(s);
	return v;
}

bool notify_template_used(const char *template)
{
	return use_of(template) != NULL;
}
