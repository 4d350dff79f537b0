/*
 * queue.c — the queue layer of notify/ (issue 15: variables, queue,
 * mails): a mail decided by the mails layer goes to its recipients here —
 * each admin's and management's reply address with their own token, the
 * threading under the ticket's alarm, the drill mark — and is recorded in
 * the caller's transaction, as an intent (issue 16: outbox_intent, rendered
 * by the sender stage, intent.c) or, for a mail about no ticket, rendered
 * at once (outbox_queue).  See notify_internal.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "notify/notify.h"
#include "notify/notify_internal.h"
#include "outbox/outbox.h"
#include "rules/auth.h"
#include "rules/policy.h"

/*
 * The token of addr on t for a mail now: the live generation, or a new
 * one (issue 14: the next mail after a revocation or expiry carries a
 * fresh token) — but never a new one on a closed ticket, whose tokens
 * ended with it; there only /token makes one.  token "" when none.
 */
static int reply_token(const struct config *cfg, struct store *st, const struct ticket *t,
		       const char *addr, time_t now, char token[AUTH_TOKEN_LEN + 1],
		       struct error *err)
{
	unsigned long gen;
	int rc;

	token[0] = '\0';
	rc = store_token_live(st, t->id, addr, now, cfg->commands.token_max_age, &gen, NULL, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (t->status == STATUS_CLOSED)
			return 0;
		if (store_token_issue(st, t->id, addr, now, &gen, err) < 0)
			return -1;
	}
	auth_token(cfg->token_secret, t->ref, addr, gen, token);
	return 0;
}

/*
 * Queues om to one recipient.  Admins and management get a reply address
 * with their own token (issue 5: what authenticates their commands);
 * everyone else the ticket's plain one.
 */
int notify_queue_to(const struct config *cfg, struct store *st, const struct ticket *t,
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
		if (reply_token(cfg, st, t, addr, now, token, err) < 0)
			return -1;
		if (token[0] && !(reply = auth_reply_address(cfg->smtp.from, t->ref, token)))
			return notify_out_of_memory(err);
		explicit_bzero(token, sizeof token);
		om->reply_to = reply;
	}
	om->drill = t && (t->flags & FLAG_BIT(FLAG_DRILL));
	/* issue 16: an intent is rendered by the sender stage (intent.h) */
	rc = (om->intent ? outbox_intent : outbox_queue)(st, cfg, t ? t->id : 0, t ? t->ref : NULL,
							 om, now, err);
	om->reply_to = NULL;
	free(reply);
	return rc < 0 ? -1 : 0;		/* held back at the cap: its event says so */
}

/* om to addr under t's alarm to addr (see notify_queue_roles_under_alarm). */
static int queue_under_alarm(const struct config *cfg, struct store *st, const struct ticket *t,
			     struct outbox_mail *om, const char *addr, const char *name,
			     time_t now, struct error *err)
{
	char *root = NULL;
	int rc;

	if (store_outbox_thread_root(st, t->id, "alarm", addr, &root, err) < 0)
		return -1;
	om->in_reply_to = root;
	om->references = root;
	om->auto_submitted = root ? "auto-generated" : NULL;
	rc = notify_queue_to(cfg, st, t, om, addr, name, now, err);
	om->in_reply_to = om->references = om->auto_submitted = NULL;
	free(root);
	return rc;
}

int notify_queue_roles_but(const struct config *cfg, struct store *st, const struct ticket *t,
			   struct outbox_mail *om, unsigned roles, const char *skip,
			   bool under_alarm, time_t now, struct error *err)
{
	size_t i;

	for (i = 0; i < cfg->n_persons; i++) {
		const struct person *p = &cfg->persons[i];

		if (!(p->roles & roles) || (skip && strcasecmp(p->email, skip) == 0))
			continue;
		if ((under_alarm && t ? queue_under_alarm(cfg, st, t, om, p->email, p->name, now, err) :
		     notify_queue_to(cfg, st, t, om, p->email, p->name, now, err)) < 0)
			return -1;
	}
	return 0;
}

int notify_queue_roles(const struct config *cfg, struct store *st, const struct ticket *t,
		       struct outbox_mail *om, unsigned roles, time_t now, struct error *err)
{
	return notify_queue_roles_but(cfg, st, t, om, roles, NULL, false, now, err);
}

int notify_queue_roles_under_alarm(const struct config *cfg, struct store *st,
				   const struct ticket *t, struct outbox_mail *om, unsigned roles,
				   time_t now, struct error *err)
{
	return notify_queue_roles_but(cfg, st, t, om, roles, NULL, true, now, err);
}

int notify_admins(const struct config *cfg, struct store *st, const struct ticket *t,
		  const char *kind, const char *template, const struct tvars *vars,
		  const char *in_reply_to, time_t now, struct error *err)
{
	struct outbox_mail om = {
		.kind = kind, .template = template, .vars = vars, .in_reply_to = in_reply_to,
	};

	/* policy 7-1: the system admin and the EC admin take every report */
	return notify_queue_roles(cfg, st, t, &om, ROLE_ADMIN, now, err);
}
