/* notify.c — see notify.h. */
#include "notify.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "outbox.h"
#include "vars.h"

static int out_of_memory(struct error *err)
{
	return error_set(err, ERR_FATAL, "notify: out of memory");
}

int notify_admins(const struct config *cfg, struct store *st, const struct ticket *t,
		  const char *kind, const char *template, const struct tvars *vars,
		  const char *in_reply_to, time_t now, struct error *err)
{
	struct outbox_mail om = {
		.kind = kind, .template = template, .vars = vars, .in_reply_to = in_reply_to,
	};
	size_t i;

	/* policy 7-1: the system admin and the EC admin take every report */
	for (i = 0; i < cfg->n_persons; i++) {
		if (!(cfg->persons[i].roles & ROLE_ADMIN))
			continue;
		om.to_addr = cfg->persons[i].email;
		om.to_name = cfg->persons[i].name;
		if (outbox_queue(st, cfg, t->id, t->ref, &om, now, err) < 0)
			return -1;
	}
	return 0;
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
	om->to_addr = m->from.addr;
	om->to_name = m->from.name;
	return outbox_queue(st, cfg, t->id, t->ref, om, now, err);
}

int notify_new_ticket(const struct config *cfg, struct store *st, const struct ticket *t,
		      const struct mail *m, time_t now, struct error *err)
{
	struct tvars *vars = vars_for_ticket(cfg, t, m);
	char *refs = mail_thread(m, true);
	const struct person *reporter = config_find_person(cfg, m->from.addr);
	struct outbox_mail om = { .vars = vars, .in_reply_to = m->message_id, .references = refs };
	int rc = -1;

	if (!vars || !refs) {
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
