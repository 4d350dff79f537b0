/* notify.c — see notify.h. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "clock.h"
#include "command.h"
#include "engine.h"

#include "log.h"
#include "policy.h"
#include "outbox.h"
#include "vars.h"

static int out_of_memory(struct error *err)
{
	return error_set(err, ERR_FATAL, "notify: out of memory");
}

/*
 * Queues om to one recipient.  Admins and management get a reply address
 * with their own token (issue 5: what authenticates their commands);
 * everyone else the ticket's plain one.
 */
static int queue_to(const struct config *cfg, struct store *st, const struct ticket *t,
		    struct outbox_mail *om, const char *addr, const char *name, time_t now,
		    struct error *err)
{
	const struct person *p = config_find_person(cfg, addr);
	char token[AUTH_TOKEN_LEN + 1], *reply = NULL;
	int rc;

	om->to_addr = addr;
	om->to_name = name ? name : p ? p->name : NULL;
	om->reply_to = NULL;
	if (t && cfg->token_secret && p && (p->roles & (ROLE_ADMIN | ROLE_MANAGEMENT))) {
		auth_token(cfg->token_secret, t->ref, addr, token);
		if (!(reply = auth_reply_address(cfg->smtp.from, t->ref, token)))
			return out_of_memory(err);
		om->reply_to = reply;
	}
	rc = outbox_queue(st, cfg, t ? t->id : 0, t ? t->ref : NULL, om, now, err);
	om->reply_to = NULL;
	free(reply);
	return rc;
}

/* Queues om to every person with one of roles (ROLE_* bits) but skip (may be NULL). */
static int queue_roles_but(const struct config *cfg, struct store *st, const struct ticket *t,
			   struct outbox_mail *om, unsigned roles, const char *skip, time_t now,
			   struct error *err)
{
	size_t i;

	om->drill = t && (t->flags & FLAG_BIT(FLAG_DRILL));
	for (i = 0; i < cfg->n_persons; i++) {
		const struct person *p = &cfg->persons[i];

		if (!(p->roles & roles) || (skip && strcasecmp(p->email, skip) == 0))
			continue;
		if (queue_to(cfg, st, t, om, p->email, p->name, now, err) < 0)
			return -1;
	}
	return 0;
}

static int queue_roles(const struct config *cfg, struct store *st, const struct ticket *t,
		       struct outbox_mail *om, unsigned roles, time_t now, struct error *err)
{
	return queue_roles_but(cfg, st, t, om, roles, NULL, now, err);
}

int notify_admins(const struct config *cfg, struct store *st, const struct ticket *t,
		  const char *kind, const char *template, const struct tvars *vars,
		  const char *in_reply_to, time_t now, struct error *err)
{
	struct outbox_mail om = {
		.kind = kind, .template = template, .vars = vars, .in_reply_to = in_reply_to,
	};

	/* policy 7-1: the system admin and the EC admin take every report */
	return queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err);
}

/*
 * The variables of a ticket with all the policy engine knows of it: what
 * every mail about a ticket is rendered with.  NULL with err set.
 */
static struct tvars *ticket_vars(const struct config *cfg, struct store *st,
				 const struct ticket *t, const struct mail *m, time_t now,
				 struct error *err)
{
	struct checklist_item *items = NULL;
	struct obligation *obl = NULL;
	size_t n_items = 0, n_obl = 0;
	struct tvars *v = NULL;

	if (store_checklist_list(st, t->id, &items, &n_items, err) < 0 ||
	    store_obligation_list(st, t->id, &obl, &n_obl, err) < 0)
		goto done;
	if (!(v = vars_for_ticket(cfg, t, m)) ||
	    vars_add_policy(v, t, items, n_items, obl, n_obl, now) < 0) {
		tvars_free(v);
		v = NULL;
		out_of_memory(err);
	}
done:
	store_checklist_free(items, n_items);
	store_obligations_free(obl, n_obl);
	return v;
}

/* The acknowledgement, unless the sender had enough of them this hour. */
static int acknowledge(const struct config *cfg, struct store *st, const struct ticket *t,
		       const struct mail *m, struct outbox_mail *om, time_t now,
		       struct error *err)
{
	int recent;

	/* RFC 3834 5: a responder limits its answers per sender, which stops
	 * a loop with a machine that none of the rules recognised. */
	if (store_outbox_count_since(st, m->from.addr, "ack", now - 3600, &recent, err) < 0)
		return -1;
	if (recent >= cfg->limits.replies_per_hour) {
		log_warn("notify", "%s: %d acknowledgements to %s in the last hour: no more",
			 t->ref, recent, m->from.addr);
		return store_event_add(st, t->id, now, "bot", "ack-suppressed",
				       "per-sender limit of acknowledgements per hour reached", err);
	}
	om->kind = "ack";
	om->template = "ack.txt";
	om->drill = t->flags & FLAG_BIT(FLAG_DRILL);
	om->to_addr = m->from.addr;
	om->to_name = m->from.name;
	return outbox_queue(st, cfg, t->id, t->ref, om, now, err);
}

int notify_new_ticket(const struct config *cfg, struct store *st, const struct ticket *t,
		      const struct mail *m, time_t now, struct error *err)
{
	struct tvars *vars = ticket_vars(cfg, st, t, m, now, err);
	char *refs = mail_thread(m, true);
	const struct person *reporter = config_find_person(cfg, m->from.addr);
	struct outbox_mail om = { .vars = vars, .in_reply_to = m->message_id, .references = refs };
	int rc = -1;

	if (!vars || !refs) {
		if (vars)
			out_of_memory(err);
		goto done;
	}
	/* An admin who reports is alarmed anyway; a mail without a sender
	 * has nobody to acknowledge. */
	if (m->from.addr && !(reporter && (reporter->roles & ROLE_ADMIN)) &&
	    acknowledge(cfg, st, t, m, &om, now, err) < 0)
		goto done;
	rc = notify_admins(cfg, st, t, "alarm", "alarm.txt", vars, m->message_id, now, err);
done:
	tvars_free(vars);
	free(refs);
	return rc;
}

int notify_bounce(const struct config *cfg, struct store *st, const struct outbox_entry *e,
		  const char *reason, time_t now, struct error *err)
{
	struct ticket t = { 0 };
	struct tvars *vars = NULL;
	int rc;

	rc = store_ticket_get_by_id(st, e->ticket_id, &t, err);
	if (rc <= 0)
		return rc;
	if (!(vars = vars_for_ticket(cfg, &t, NULL)) ||
	    tvars_set(vars, "bounced_kind", e->kind) < 0 ||
	    tvars_set(vars, "bounced_to", e->rcpt) < 0 ||
	    tvars_set(vars, "bounced_subject", e->subject) < 0 ||
	    tvars_set(vars, "bounce_reason", reason) < 0)
		rc = out_of_memory(err);
	else
		rc = notify_admins(cfg, st, &t, "bounce", "bounce.txt", vars, e->message_id, now, err);
	tvars_free(vars);
	store_ticket_release(&t);
	return rc;
}

int notify_cut(const struct config *cfg, struct store *st, const struct ticket *t,
	       const struct mail *m, size_t full_size, size_t kept, time_t now,
	       struct error *err)
{
	struct tvars *vars = vars_for_ticket(cfg, t, m);
	int rc;

	if (!vars || tvars_setf(vars, "full_size", "%zu", full_size) < 0 ||
	    tvars_setf(vars, "kept_size", "%zu", kept) < 0 ||
	    tvars_set(vars, "cut_from", m->from.addr) < 0 ||
	    tvars_set(vars, "cut_subject", m->subject) < 0)
		rc = out_of_memory(err);
	else
		rc = notify_admins(cfg, st, t, "cut", "cut.txt", vars, m->message_id, now, err);
	tvars_free(vars);
	return rc;
}

int notify_escalation(const struct config *cfg, struct store *st, const struct ticket *t,
		      int stage, time_t now, struct error *err)
{
	struct tvars *vars = ticket_vars(cfg, st, t, NULL, now, err);
	struct outbox_mail om = { .kind = "escalation", .template = "escalation.txt", .vars = vars };
	char waited[40];
	int rc;

	if (!vars)
		return -1;
	vars_duration((long)(now - t->created_at), waited, sizeof waited);
	/* SPEC 4: management, and the admins again */
	rc = tvars_setf(vars, "escalation_stage", "%d", stage) < 0 ||
	     tvars_set(vars, "unacked_for", waited) < 0 ? out_of_memory(err) :
	     queue_roles(cfg, st, t, &om, ROLE_MANAGEMENT | ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

/* The obligation's own variables beside the ticket's. */
static int obligation_vars(struct tvars *v, const struct obligation *o, time_t now)
{
	int kind = obligation_from_name(o->kind);
	char due[40], span[40];

	clock_format_short(o->due_at, due, sizeof due);
	vars_duration((long)(o->due_at > now ? o->due_at - now : now - o->due_at), span, sizeof span);
	return tvars_set(v, "obligation_kind", o->kind) < 0 ||
	       tvars_set(v, "obligation_label", kind >= 0 ? obligation_label(kind) : o->kind) < 0 ||
	       tvars_set(v, "obligation_due", due) < 0 ||
	       tvars_set(v, "obligation_left", o->due_at > now ? span : "") < 0 ||
	       tvars_set(v, "obligation_late", o->due_at > now ? "" : span) < 0 ? -1 : 0;
}

int notify_reminder(const struct config *cfg, struct store *st, const struct ticket *t,
		    const struct obligation *o, time_t now, struct error *err)
{
	struct tvars *vars = ticket_vars(cfg, st, t, NULL, now, err);
	struct outbox_mail om = { .kind = "reminder", .template = "reminder.txt", .vars = vars };
	const struct person *owner = config_find_person(cfg, t->owner);
	int rc;

	if (!vars)
		return -1;
	if (obligation_vars(vars, o, now) < 0)
		rc = out_of_memory(err);
	else if (t->owner && *t->owner) {
		/* SPEC 4: the owner, or the admins while nobody owns it */
		om.drill = t->flags & FLAG_BIT(FLAG_DRILL);
		rc = queue_to(cfg, st, t, &om, t->owner, owner ? owner->name : NULL, now, err);
	} else {
		rc = queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err);
	}
	tvars_free(vars);
	return rc;
}

int notify_overdue(const struct config *cfg, struct store *st, const struct ticket *t,
		   const struct obligation *o, int stage, time_t now, struct error *err)
{
	struct tvars *vars = ticket_vars(cfg, st, t, NULL, now, err);
	struct outbox_mail om = { .kind = "overdue", .template = "overdue.txt", .vars = vars };
	int rc;

	if (!vars)
		return -1;
	rc = obligation_vars(vars, o, now) < 0 ||
	     tvars_setf(vars, "overdue_stage", "%d", stage) < 0 ? out_of_memory(err) :
	     queue_roles(cfg, st, t, &om, ROLE_MANAGEMENT | ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

int notify_review(const struct config *cfg, struct store *st, const char *kind,
		  const char *label, time_t last_done, time_t due, time_t now, struct error *err)
{
	struct tvars *vars = tvars_new();
	struct outbox_mail om = { .kind = "review", .template = "review.txt", .vars = vars };
	char last[40], when[40];
	int rc;

	if (!vars)
		return out_of_memory(err);
	clock_format_short(last_done, last, sizeof last);
	clock_format_short(due, when, sizeof when);
	rc = tvars_set(vars, "review_kind", kind) < 0 ||
	     tvars_set(vars, "review_label", label) < 0 ||
	     tvars_set(vars, "review_last", last) < 0 ||
	     tvars_set(vars, "review_due", when) < 0 ||
	     tvars_set(vars, "bot_addr", cfg->smtp.from) < 0 ||
	     tvars_set(vars, "bot_name", cfg->smtp.from_name) < 0 ? out_of_memory(err) :
	     queue_roles(cfg, st, NULL, &om, ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

/* ---- admin commands (issue 5) ---- */

/* The ticket's variables plus the command mail's sender and subject. */
static struct tvars *command_vars(const struct config *cfg, struct store *st,
				  const struct ticket *t, const struct mail *m, time_t now,
				  struct error *err)
{
	struct tvars *v = ticket_vars(cfg, st, t, NULL, now, err);

	if (v && (tvars_set(v, "command_from", m->from.addr) < 0 ||
		  tvars_set(v, "command_subject", m->subject) < 0 ||
		  tvars_set(v, "help", command_help()) < 0)) {
		tvars_free(v);
		out_of_memory(err);
		return NULL;
	}
	return v;
}

int notify_refused(const struct config *cfg, struct store *st, const struct ticket *t,
		   const struct mail *m, const char *why, const char *what, time_t now,
		   struct error *err)
{
	struct tvars *v = command_vars(cfg, st, t, m, now, err);
	struct outbox_mail om = { .kind = "command-refused", .template = "refused.txt", .vars = v };
	int rc;

	if (!v)
		return -1;
	rc = tvars_set(v, "refused_why", why) < 0 || tvars_set(v, "refused_commands", what) < 0 ?
		out_of_memory(err) : queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err);
	tvars_free(v);
	return rc;
}

int notify_command_error(const struct config *cfg, struct store *st, const struct ticket *t,
			 const struct mail *m, const char *reason, time_t now, struct error *err)
{
	struct tvars *v = command_vars(cfg, st, t, m, now, err);
	struct outbox_mail om = { .kind = "command-error", .template = "command-error.txt",
				  .vars = v, .in_reply_to = m->message_id };
	int rc;

	if (!v)
		return -1;
	om.drill = t->flags & FLAG_BIT(FLAG_DRILL);
	rc = tvars_set(v, "command_error", reason) < 0 ? out_of_memory(err) :
		queue_to(cfg, st, t, &om, m->from.addr, NULL, now, err);
	tvars_free(v);
	return rc;
}

int notify_result(const struct config *cfg, struct store *st, const struct ticket *t,
		  const struct mail *m, const char *changes, bool help, time_t now,
		  struct error *err)
{
	struct tvars *v = command_vars(cfg, st, t, m, now, err);
	struct outbox_mail om = { .kind = "command-result", .template = "result.txt", .vars = v,
				  .in_reply_to = m->message_id };
	int rc = -1;

	if (!v)
		return -1;
	if (tvars_set(v, "changes", changes) < 0 || tvars_set(v, "want_help", help ? "1" : "") < 0) {
		out_of_memory(err);
		goto done;
	}
	/* SPEC 4: the commanding admin, and the others so they know who did what */
	om.drill = t->flags & FLAG_BIT(FLAG_DRILL);
	if (queue_to(cfg, st, t, &om, m->from.addr, NULL, now, err) < 0 ||
	    (*changes && queue_roles_but(cfg, st, t, &om, ROLE_ADMIN, m->from.addr, now, err) < 0))
		goto done;
	rc = 0;
done:
	tvars_free(v);
	return rc;
}

int notify_draft(const struct config *cfg, struct store *st, const struct ticket *t, int kind,
		 const char *to, time_t now, struct error *err)
{
	struct tvars *v = ticket_vars(cfg, st, t, NULL, now, err);
	struct outbox_mail om = { .kind = "draft", .template = "draft.txt", .vars = v };
	char due[40] = "";
	int rc;

	if (!v)
		return -1;
	if (kind >= 0 && kind < OBL_COUNT)
		clock_format_short(engine_due(cfg, t, kind), due, sizeof due);
	rc = tvars_set(v, "draft_kind", obligation_name(kind)) < 0 ||
	     tvars_set(v, "draft_label", obligation_label(kind)) < 0 ||
	     tvars_set(v, "draft_due", due) < 0 ||
	     tvars_set(v, "contact_ppc_phone", cfg->contacts.ppc_phone) < 0 ||
	     tvars_set(v, "contact_amazon", cfg->contacts.amazon) < 0 ||
	     tvars_set(v, "contact_aws", cfg->contacts.aws) < 0 ||
	     tvars_set(v, "contact_rakuten_phone", cfg->contacts.rakuten_phone) < 0 ||
	     tvars_set(v, "contact_yahoo_form", cfg->contacts.yahoo_form) < 0 ||
	     tvars_set(v, "contact_website", cfg->contacts.website) < 0 ? out_of_memory(err) :
	     (om.drill = t->flags & FLAG_BIT(FLAG_DRILL),
	      queue_to(cfg, st, t, &om, to, NULL, now, err));
	tvars_free(v);
	return rc;
}
