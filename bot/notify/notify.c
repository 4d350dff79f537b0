/*
 * notify.c — see notify.h: who gets which mail about a ticket.
 *
 * notify/ is three layers (issue 15): the variables (vars.c, and the
 * notify_fill_* helpers below: each mail's own), the queue (queue.c:
 * recipients, reply tokens, threading, recorded as intents), and the mails
 * (this file, notify_drafts.c, notify_due.c, notify_words.c, briefing.c),
 * each with the notify_build_* function the render stage (intent.c) calls
 * to rebuild its variables from the store when it renders the intent.
 *
 * Every mail is rendered from variables built in one place: its set
 * comes from notify_vars_of (notify_drafts.c, with the table of which
 * set each template gets, and the sample check-config renders), and each
 * mail's own variables are set by the notify_fill_* helpers below, which
 * the sample uses too.  So check-config renders every template with
 * exactly what its mail will have.  The notice drafts and the
 * lessons-learned draft are in notify_drafts.c.
 */
#include "notify/notify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "notify/intent.h"
#include "notify/notify_internal.h"
#include "notify/vars.h"
#include "outbox/outbox.h"
#include "rules/auth.h"
#include "rules/command.h"
#include "rules/machine.h"
#include "rules/deadline.h"
#include "rules/policy.h"

int notify_out_of_memory(struct error *err)
{
	return error_set(err, ERR_TEMP, "notify: out of memory");
}

/* ---- each mail's own variables (its notify_* function and the sample) ---- */

int notify_fill_bounce(struct tvars *v, const char *kind, const char *to, const char *subject,
		       const char *reason)
{
	return tvars_set(v, "bounced_kind", kind) < 0 || tvars_set(v, "bounced_to", to) < 0 ||
	       tvars_set(v, "bounced_subject", subject) < 0 ||
	       tvars_set(v, "bounce_reason", reason) < 0 ? -1 : 0;
}

int notify_fill_cut(struct tvars *v, const struct mail *m, size_t full_size, size_t kept)
{
	return tvars_setf(v, "full_size", "%zu", full_size) < 0 ||
	       tvars_setf(v, "kept_size", "%zu", kept) < 0 ||
	       tvars_set(v, "cut_from", m->from.addr) < 0 ||
	       tvars_set(v, "cut_subject", m->subject) < 0 ? -1 : 0;
}

int notify_fill_escalation(struct tvars *v, int stage, long waited)
{
	char span[40];

	vars_duration(waited, span, sizeof span);
	return tvars_setf(v, "escalation_stage", "%d", stage) < 0 ||
	       tvars_set(v, "unacked_for", span) < 0 ? -1 : 0;
}

int notify_fill_alarm(struct tvars *v, const struct config *cfg, const struct ticket *t,
		      time_t now)
{
	long limit = deadline_escalation_limit(&cfg->policy, t->created_at, t->priority);
	char at[40], span[40];

	(void)now;
	clock_format_short(t->created_at + limit, at, sizeof at);
	vars_duration(limit, span, sizeof span);
	return tvars_set(v, "escalate_at", at) < 0 || tvars_set(v, "escalate_after", span) < 0 ?
		-1 : 0;
}

int notify_fill_intake_down(struct tvars *v, const char *reason, time_t since)
{
	char when[40];

	clock_format_short(since, when, sizeof when);
	return tvars_set(v, "down_reason", reason) < 0 || tvars_set(v, "down_since", when) < 0 ?
		-1 : 0;
}

int notify_fill_review(struct tvars *v, const char *kind, const char *label, const char *change,
		       time_t last_done, time_t due)
{
	char last[40], when[40];

	clock_format_short(last_done, last, sizeof last);
	clock_format_short(due, when, sizeof when);
	return tvars_set(v, "review_kind", kind) < 0 || tvars_set(v, "review_label", label) < 0 ||
	       tvars_set(v, "review_change", change) < 0 ||
	       tvars_set(v, "review_last", last) < 0 || tvars_set(v, "review_due", when) < 0 ?
		-1 : 0;
}

int notify_fill_policy_change(struct tvars *v, const char *change, const char *staff)
{
	return tvars_set(v, "policy_change", change) < 0 ||
	       tvars_set(v, "contact_staff", staff) < 0 ? -1 : 0;
}

/* The command mail's sender and subject, and the help. */
int notify_fill_command(struct tvars *v, const struct config *cfg, const struct mail *m)
{
	const struct person *p = cfg && m->from.addr ? config_find_person(cfg, m->from.addr) : NULL;

	/* issue 13: people by their configured names */
	return tvars_set(v, "command_from", m->from.addr) < 0 ||
	       tvars_set(v, "command_from_name", p && p->name && *p->name ? p->name :
			 m->from.addr) < 0 ||
	       tvars_set(v, "command_subject", m->subject) < 0 ||
	       tvars_set(v, "help", command_help()) < 0 ? -1 : 0;
}

int notify_fill_refused(struct tvars *v, const char *why, const char *what)
{
	return tvars_set(v, "refused_why", why) < 0 || tvars_set(v, "refused_commands", what) < 0 ?
		-1 : 0;
}

int notify_fill_trouble(struct tvars *v, const char *label, const char *what, const char *todo,
			time_t at)
{
	char when[40];

	clock_format_short(at, when, sizeof when);
	return tvars_set(v, "trouble_label", label) < 0 || tvars_set(v, "trouble_what", what) < 0 ||
	       tvars_set(v, "trouble_todo", todo) < 0 || tvars_set(v, "trouble_at", when) < 0 ?
		-1 : 0;
}

int notify_fill_token(struct tvars *v, const char *addr, const char *why, bool revoked)
{
	return tvars_set(v, "token_person", addr) < 0 || tvars_set(v, "token_why", why) < 0 ||
	       tvars_set(v, "token_revoked", revoked ? "1" : "") < 0 ? -1 : 0;
}

int notify_fill_command_error(struct tvars *v, const char *reason)
{
	return tvars_set(v, "command_error", reason);
}

int notify_fill_result(struct tvars *v, const char *changes, bool help, bool open_obligations)
{
	return tvars_set(v, "changes", changes) < 0 ||
	       tvars_set(v, "open_obligations", open_obligations ? "1" : "") < 0 ||
	       tvars_set(v, "want_help", help ? "1" : "") < 0 ? -1 : 0;
}

/* ---- a new ticket ---- */

/* addr lower-cased, a "+tag" of its local part taken off: one mailbox
 * however its owner (or whoever forges it) spells it. */
static void mailbox_key(const char *addr, char *out, size_t size)
{
	const char *at = strrchr(addr, '@'), *plus = strchr(addr, '+');
	size_t k = 0, i;

	for (i = 0; addr[i] && k + 1 < size; i++) {
		if (plus && at && plus < at && addr + i == plus)
			i = (size_t)(at - addr);
		out[k++] = (char)tolower((unsigned char)addr[i]);
	}
	out[k] = '\0';
}

/* The domain of addr lower-cased (after its last '@'; "" without one). */
static void domain_key(const char *addr, char *out, size_t size)
{
	const char *at = strrchr(addr, '@');
	size_t k = 0;

	for (at = at ? at + 1 : ""; *at && k + 1 < size; at++)
		out[k++] = (char)tolower((unsigned char)*at);
	out[k] = '\0';
}

/*
 * *cap: why no acknowledgement may go to mailbox box (of domain) now, or
 * NULL; 0, or -1 when the store failed.  RFC 3834 5: a
 * responder limits its answers per sender, which stops a loop with a
 * machine none of the rules recognised; issue 14 (V5): the answer must
 * not become a relay that mails anybody on the Internet — per mailbox
 * (+tags and case ignored), per outside domain and for all outside
 * senders together, in the last hour.  Issue 16: counted in the store's
 * window of acknowledgements, no further than each cap.
 */
static int ack_cap(const struct config *cfg, struct store *st, const char *box,
		   const char *domain, bool outside, time_t now, const char **cap,
		   struct error *err)
{
	/* the domain and the outside are capped for outside senders only */
	const struct ack_counts caps = {
		.mailbox = cfg->limits.replies_per_hour,
		.domain = outside ? cfg->limits.replies_per_domain : 0,
		.outside = outside ? cfg->limits.replies_outside : 0 };
	struct ack_counts sent;

	*cap = NULL;
	if (store_acks_since(st, box, domain, now - 3600, &caps, &sent, err) < 0)
		return -1;
	if (sent.mailbox >= caps.mailbox)
		*cap = "limits.replies_per_sender_per_hour (this mailbox, +tags and case ignored)";
	else if (outside && sent.domain >= caps.domain)
		*cap = "limits.replies_per_domain_per_hour (this outside domain)";
	else if (outside && sent.outside >= caps.outside)
		*cap = "limits.replies_outside_per_hour (all outside senders)";
	return 0;
}

/* The subject cut to at most max characters (UTF-8), "…" when cut; malloc'd. */
static char *cut_chars(const char *s, size_t max)
{
	size_t len = strlen(s), i = utf8_cut_chars(s, len, max);
	char *out;

	if (i == len)
		return strdup(s);
	if (asprintf(&out, "%.*s…", (int)i, s) < 0)
		return NULL;
	return out;
}

/* Issue 14 (V5): what an outside sender's acknowledgement may echo of its mail. */
#define ACK_OUTSIDE_SUBJECT 80	/* characters */

/* The acknowledgement, unless a cap says no more this hour: an intent,
 * rendered by notify_build_ack. */
static int acknowledge(const struct config *cfg, struct store *st, const struct ticket *t,
		       const struct mail *m, const char *refs, time_t now, struct error *err)
{
	bool outside = !config_is_company_address(cfg, m->from.addr);
	struct outbox_mail om = { .kind = "ack", .intent = true, .in_reply_to = m->message_id,
				  .references = refs, .cause_message = m->message_id };
	const char *cap;
	char detail[200], box[300], domain[256];
	int rc;

	/* RFC 3834, issue 13: never to a machine or an address nobody reads */
	if (!machine_answerable(m, &cap)) {
		log_info("notify", "%s: no acknowledgement to %s: %s", t->ref, m->from.addr, cap);
		snprintf(detail, sizeof detail, "no acknowledgement (RFC 3834): %s", cap);
		return store_event_add(st, t->id, now, "bot", "ack-suppressed", detail, err);
	}
	mailbox_key(m->from.addr, box, sizeof box);
	domain_key(m->from.addr, domain, sizeof domain);
	if (ack_cap(cfg, st, box, domain, outside, now, &cap, err) < 0)
		return -1;
	if (cap) {
		log_warn("notify", "%s: acknowledgement to %s suppressed: %s reached", t->ref,
			 m->from.addr, cap);
		snprintf(detail, sizeof detail, "limit of acknowledgements per hour reached: %s", cap);
		return store_event_add(st, t->id, now, "bot", "ack-suppressed", detail, err);
	}
	/* SPEC 4, issue 13: an outsider's acknowledgement names nobody inside
	 * and gives no instructions, and asks what policy 7-2 wants to know;
	 * ack.txt (which hides the same for outside) when an operator's
	 * template folder has no ack-outside.txt yet */
	om.template = outside && render_has(cfg->templates, "ack-outside.txt") ?
		"ack-outside.txt" : "ack.txt";
	om.to_addr = m->from.addr;
	/* an outsider's own words (name, subject) are what a phisher would
	 * write: none of the name (and 80 characters of the subject, at render) */
	om.to_name = outside ? NULL : m->from.name;
	rc = outbox_intent(st, cfg, t->id, t->ref, &om, now, err);
	/* what the caps count: the acknowledgements queued, not those held */
	return rc == 0 ? store_ack_note(st, now, box, domain, outside, err) : rc < 0 ? -1 : 0;
}

int notify_build_ack(struct notify_build *b, const struct notify_params *p, time_t now,
		     struct error *err)
{
	char *subject = NULL;
	int rc = 0;

	(void)p;
	if (!b->f.t)
		return error_set(err, ERR_FATAL, "notify: an acknowledgement without its ticket");
	if (!notify_shared_vars(b, now, err))
		return -1;
	/* the recipient is the report's sender: outside, none of its name and
	 * 80 characters of its subject (issue 14, V5) */
	if (!config_is_company_address(b->cfg, b->e->rcpt) &&
	    (!(subject = cut_chars(b->f.t->subject, ACK_OUTSIDE_SUBJECT)) ||
	     tvars_set(b->v, "ticket_subject", subject) < 0 ||
	     tvars_set(b->v, "reporter_name", "") < 0))
		rc = notify_out_of_memory(err);
	free(subject);
	return rc;
}

/* The bit set of t's open obligations. */
static int open_obligations(struct store *st, const struct ticket *t, unsigned *kinds,
			    struct error *err)
{
	struct obligation *obl;
	size_t i, n;

	*kinds = 0;
	if (store_obligation_list(st, t->id, &obl, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int k = obligation_from_name(obl[i].kind);

		if (k >= 0 && obl[i].state == OBLIGATION_OPEN)
			*kinds |= 1u << k;
	}
	store_obligations_free(obl, n);
	return 0;
}

int notify_new_ticket(const struct config *cfg, struct store *st, const struct ticket *t,
		      const struct mail *m, time_t now, struct error *err)
{
	char *refs = mail_thread(m, true), *params = NULL;
	const struct person *reporter = config_find_person(cfg, m->from.addr);
	struct outbox_mail alarm = { .kind = "alarm", .template = "alarm.txt", .intent = true,
				     .in_reply_to = m->message_id, .references = refs,
				     .urgent = true, .cause_message = m->message_id };
	unsigned kinds;
	int rc = -1;

	if (!refs) {
		notify_out_of_memory(err);
		goto done;
	}
	/* issue 13: the alarm says when it escalates and which drafts follow;
	 * all the obligations were opened just now (engine_open) */
	if (open_obligations(st, t, &kinds, err) < 0)
		goto done;
	if (notify_params_addf(&params, "drafts", "%u", kinds) < 0) {
		notify_out_of_memory(err);
		goto done;
	}
	alarm.params = params;
	/* An admin who reports is alarmed anyway; a mail without a sender
	 * has nobody to acknowledge. */
	if (m->from.addr && !(reporter && (reporter->roles & ROLE_ADMIN)) &&
	    acknowledge(cfg, st, t, m, refs, now, err) < 0)
		goto done;
	/* policy 7-1: the system admin and the EC admin take every report;
	 * issue 13: marked urgent */
	if (notify_queue_roles(cfg, st, t, &alarm, ROLE_ADMIN, now, err) < 0)
		goto done;
	/* SPEC 4: the drafts of every notice the new ticket's flags require,
	 * after the alarm: one mail per admin, the drafts attached (issue 13) */
	if (notify_drafts(cfg, st, t, m, kinds, NULL, now, err) < 0)
		goto done;
	rc = 0;
done:
	free(params);
	free(refs);
	return rc;
}

/* The alarm: the ticket with its report, when it escalates, which drafts
 * follow (the kinds fixed when it was queued: the drafts mail has them). */
int notify_build_alarm(struct notify_build *b, const struct notify_params *p, time_t now,
		       struct error *err)
{
	unsigned kinds = (unsigned)notify_params_long(p, "drafts", 0);
	const struct facts *f;

	if (!b->f.t)
		return error_set(err, ERR_FATAL, "notify: an alarm without its ticket");
	if (!(f = notify_shared_vars(b, now, err)))
		return -1;
	return notify_fill_alarm(b->v, b->cfg, b->f.t, now) < 0 ||
	       notify_fill_drafts(b->v, b->cfg, f, kinds, now) < 0 ?
		notify_out_of_memory(err) : 0;
}

/* ---- notices to the admins ---- */

int notify_bounce(const struct config *cfg, struct store *st, const struct outbox_entry *e,
		  const char *reason, time_t now, struct error *err)
{
	struct ticket t = { 0 };
	struct facts f = { .t = &t };
	struct tvars *vars = NULL;
	int rc;

	rc = store_ticket_get_by_id(st, e->ticket_id, &t, err);
	if (rc <= 0)
		return rc;
	if (!(vars = notify_vars_of(cfg, st, "bounce.txt", &f, now, err)))
		rc = -1;
	else if (notify_fill_bounce(vars, e->kind, e->rcpt, e->subject, reason) < 0)
		rc = notify_out_of_memory(err);
	else
		rc = notify_admins(cfg, st, &t, "bounce", "bounce.txt", vars, e->message_id, now, err);
	tvars_free(vars);
	notify_facts_release(&f);
	store_ticket_release(&t);
	return rc;
}

int notify_cut(const struct config *cfg, struct store *st, const struct ticket *t,
	       const struct mail *m, size_t full_size, size_t kept, time_t now,
	       struct error *err)
{
	struct facts f = { .t = t, .m = m };
	struct tvars *vars = notify_vars_of(cfg, st, "cut.txt", &f, now, err);
	int rc;

	if (!vars)
		rc = -1;
	else if (notify_fill_cut(vars, m, full_size, kept) < 0)
		rc = notify_out_of_memory(err);
	else
		rc = notify_admins(cfg, st, t, "cut", "cut.txt", vars, m->message_id, now, err);
	tvars_free(vars);
	notify_facts_release(&f);
	return rc;
}

int notify_escalation(const struct config *cfg, struct store *st, const struct ticket *t,
		      int stage, time_t now, struct error *err)
{
	struct outbox_mail om = { .kind = "escalation", .template = "escalation.txt",
				  .intent = true, .urgent = true };
	char *params = NULL;
	int rc;

	if (notify_params_addf(&params, "stage", "%d", stage) < 0)
		return notify_out_of_memory(err);
	om.params = params;
	/* SPEC 4: management, and the admins again; issue 13: marked urgent,
	 * under the alarm */
	rc = notify_queue_roles_under_alarm(cfg, st, t, &om, ROLE_MANAGEMENT | ROLE_ADMIN, now, err);
	free(params);
	return rc;
}

int notify_build_escalation(struct notify_build *b, const struct notify_params *p, time_t now,
			    struct error *err)
{
	if (!b->f.t)
		return error_set(err, ERR_FATAL, "notify: an escalation without its ticket");
	if (!(b->v = notify_vars_of(b->cfg, b->st, b->e->template, &b->f, now, err)))
		return -1;
	return notify_fill_escalation(b->v, (int)notify_params_long(p, "stage", 1),
				      (long)(now - b->f.t->created_at)) < 0 ?
		notify_out_of_memory(err) : 0;
}

int notify_review(const struct config *cfg, struct store *st, const char *kind,
		  const char *label, const char *change, time_t last_done, time_t due, time_t now,
		  struct error *err)
{
	struct facts f = { 0 };
	struct tvars *vars = notify_vars_of(cfg, st, "review.txt", &f, now, err);
	struct outbox_mail om = { .kind = "review", .template = "review.txt", .vars = vars };
	int rc;

	rc = !vars ? -1 :
	     notify_fill_review(vars, kind, label, change, last_done, due) < 0 ?
		notify_out_of_memory(err) :
	     notify_queue_roles(cfg, st, NULL, &om, ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

int notify_policy_change(const struct config *cfg, struct store *st, const char *change,
			 time_t now, struct error *err)
{
	struct facts f = { 0 };
	struct tvars *vars = notify_vars_of(cfg, st, "policy-change.txt", &f, now, err);
	struct outbox_mail om = { .kind = "policy-change", .template = "policy-change.txt",
				  .vars = vars };
	int rc;

	rc = !vars ? -1 :
	     notify_fill_policy_change(vars, change, cfg->contacts.staff) < 0 ?
		notify_out_of_memory(err) :
	     notify_queue_roles(cfg, st, NULL, &om, ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

int notify_intake_down(const struct config *cfg, struct store *st, const char *reason,
		       time_t since, time_t now, struct error *err)
{
	struct facts f = { 0 };
	struct tvars *vars = notify_vars_of(cfg, st, "intake-down.txt", &f, now, err);
	struct outbox_mail om = { .kind = "intake-down", .template = "intake-down.txt",
				  .vars = vars };
	int rc;

	rc = !vars ? -1 :
	     notify_fill_intake_down(vars, reason, since) < 0 ? notify_out_of_memory(err) :
	     notify_queue_roles(cfg, st, NULL, &om, ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

int notify_trouble(const struct config *cfg, struct store *st, const char *label,
		   const char *what, const char *todo, time_t now, struct error *err)
{
	struct facts f = { 0 };
	struct tvars *vars = notify_vars_of(cfg, st, "trouble.txt", &f, now, err);
	struct outbox_mail om = { .kind = "trouble", .template = "trouble.txt", .vars = vars };
	int rc;

	rc = !vars ? -1 :
	     notify_fill_trouble(vars, label, what, todo, now) < 0 ? notify_out_of_memory(err) :
	     notify_queue_roles(cfg, st, NULL, &om, ROLE_ADMIN, now, err);
	tvars_free(vars);
	return rc;
}

/* ---- admin commands (issue 5) ---- */

/*
 * Issue 16: the answers to a command mail are intents; what they say of
 * the mail (its sender and subject) and of the commands is kept as the
 * intent's parameters, the rest is the ticket as it is when rendered (so
 * the result of a mail with /draft and /affected shows both).
 */
static int command_params(char **params, const struct mail *m)
{
	return notify_params_add(params, "from", m->from.addr) < 0 ||
	       notify_params_add(params, "subject", m->subject) < 0 ? -1 : 0;
}

/* The ticket's variables (e's template) plus the command mail's sender and subject. */
static int command_build(struct notify_build *b, const struct notify_params *p, time_t now,
			 struct error *err)
{
	struct mail m = { .subject = (char *)notify_params_get(p, "subject") };

	m.from.addr = (char *)notify_params_get(p, "from");
	if (!(b->v = notify_vars_of(b->cfg, b->st, b->e->template, &b->f, now, err)))
		return -1;
	return notify_fill_command(b->v, b->cfg, &m) < 0 ? notify_out_of_memory(err) : 0;
}

/* A command answer about ticket t: needs it. */
static int need_ticket(const struct notify_build *b, struct error *err)
{
	return b->f.t ? 0 : error_set(err, ERR_FATAL, "notify: mail %lld (%s) without its ticket",
				      (long long)b->e->id, b->e->kind);
}

int notify_refused(const struct config *cfg, struct store *st, const struct ticket *t,
		   const struct mail *m, const char *why, const char *what, time_t now,
		   struct error *err)
{
	struct outbox_mail om = { .kind = "command-refused", .template = "refused.txt",
				  .intent = true, .cause_message = m->message_id };
	char *params = NULL;
	int rc;

	if (command_params(&params, m) < 0 || notify_params_add(&params, "why", why) < 0 ||
	    notify_params_add(&params, "what", what) < 0) {
		free(params);
		return notify_out_of_memory(err);
	}
	om.params = params;
	rc = notify_queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err);
	free(params);
	return rc;
}

int notify_build_refused(struct notify_build *b, const struct notify_params *p, time_t now,
			 struct error *err)
{
	return need_ticket(b, err) < 0 || command_build(b, p, now, err) < 0 ? -1 :
	       notify_fill_refused(b->v, notify_params_get(p, "why"),
				   notify_params_get(p, "what")) < 0 ? notify_out_of_memory(err) : 0;
}

int notify_token(const struct config *cfg, struct store *st, const struct ticket *t,
		 const char *addr, const char *why, bool revoked, time_t now, struct error *err)
{
	struct outbox_mail om = { .kind = revoked ? "token-revoked" : "token", .template = "token.txt",
				  .intent = true };
	const struct person *p = config_find_person(cfg, addr);
	char *params = NULL;
	int rc;

	if (notify_params_add(&params, "addr", addr) < 0 ||
	    notify_params_add(&params, "why", why) < 0 ||
	    notify_params_add(&params, "revoked", revoked ? "1" : "") < 0) {
		free(params);
		return notify_out_of_memory(err);
	}
	om.params = params;
	rc = !revoked ? notify_queue_to(cfg, st, t, &om, addr, NULL, now, err) :
	     notify_queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err) < 0 ? -1 :
	     /* management lost a token: they hear it too, with the fresh one */
	     p && !(p->roles & ROLE_ADMIN) ? notify_queue_to(cfg, st, t, &om, addr, NULL, now, err) : 0;
	free(params);
	return rc;
}

int notify_build_token(struct notify_build *b, const struct notify_params *p, time_t now,
		       struct error *err)
{
	if (need_ticket(b, err) < 0 ||
	    !(b->v = notify_vars_of(b->cfg, b->st, b->e->template, &b->f, now, err)))
		return -1;
	return notify_fill_token(b->v, notify_params_get(p, "addr"), notify_params_get(p, "why"),
				 *notify_params_get(p, "revoked") != '\0') < 0 ?
		notify_out_of_memory(err) : 0;
}

int notify_command_error(const struct config *cfg, struct store *st, const struct ticket *t,
			 const struct mail *m, const char *reason, time_t now, struct error *err)
{
	struct outbox_mail om = { .kind = "command-error", .template = "command-error.txt",
				  .intent = true, .in_reply_to = m->message_id,
				  .cause_message = m->message_id };
	char *params = NULL;
	int rc;

	if (command_params(&params, m) < 0 || notify_params_add(&params, "reason", reason) < 0) {
		free(params);
		return notify_out_of_memory(err);
	}
	om.params = params;
	rc = notify_queue_to(cfg, st, t, &om, m->from.addr, NULL, now, err);
	free(params);
	return rc;
}

int notify_build_command_error(struct notify_build *b, const struct notify_params *p, time_t now,
			       struct error *err)
{
	return need_ticket(b, err) < 0 || command_build(b, p, now, err) < 0 ? -1 :
	       notify_fill_command_error(b->v, notify_params_get(p, "reason")) < 0 ?
		notify_out_of_memory(err) : 0;
}

/* Whether any of f's obligations is open. */
static bool any_open(const struct facts *f)
{
	for (size_t i = 0; i < f->n_obl; i++)
		if (f->obl[i].state == OBLIGATION_OPEN)
			return true;
	return false;
}

int notify_result(const struct config *cfg, struct store *st, const struct ticket *t,
		  const struct mail *m, const char *changes, bool help, time_t now,
		  struct error *err)
{
	struct outbox_mail om = { .kind = "command-result", .template = "result.txt",
				  .intent = true, .in_reply_to = m->message_id,
				  .cause_message = m->message_id };
	char *params = NULL;
	int rc = -1;

	if (command_params(&params, m) < 0 || notify_params_add(&params, "changes", changes) < 0 ||
	    notify_params_add(&params, "help", help ? "1" : "") < 0) {
		notify_out_of_memory(err);
		goto done;
	}
	om.params = params;
	/* SPEC 4: the commanding admin, and the others so they know who did what */
	if (notify_queue_to(cfg, st, t, &om, m->from.addr, NULL, now, err) < 0 ||
	    (*changes && notify_queue_roles_but(cfg, st, t, &om, ROLE_ADMIN, m->from.addr, false,
						now, err) < 0))
		goto done;
	rc = 0;
done:
	free(params);
	return rc;
}

int notify_build_result(struct notify_build *b, const struct notify_params *p, time_t now,
			struct error *err)
{
	/* open obligations as they are now: a /done later in the same mail counts */
	return need_ticket(b, err) < 0 || command_build(b, p, now, err) < 0 ? -1 :
	       notify_fill_result(b->v, notify_params_get(p, "changes"),
				  *notify_params_get(p, "help") != '\0', any_open(&b->f)) < 0 ?
		notify_out_of_memory(err) : 0;
}

int notify_help(const struct config *cfg, struct store *st, const struct ticket *t,
		const struct mail *m, time_t now, struct error *err)
{
	struct outbox_mail om = { .kind = "command-help", .template = "help.txt", .intent = true,
				  .in_reply_to = m->message_id, .cause_message = m->message_id };
	char *params = NULL;
	int rc;

	if (command_params(&params, m) < 0) {
		free(params);
		return notify_out_of_memory(err);
	}
	om.params = params;
	/* issue 13: the help under its own subject, to the one who asked */
	rc = notify_queue_to(cfg, st, t, &om, m->from.addr, NULL, now, err);
	free(params);
	return rc;
}

int notify_build_help(struct notify_build *b, const struct notify_params *p, time_t now,
		      struct error *err)
{
	return need_ticket(b, err) < 0 ? -1 : command_build(b, p, now, err);
}
