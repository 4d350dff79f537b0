/* engine.c — see engine.h. */
#include "desk/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "rules/classify.h"
#include "rules/deadline.h"

static int out_of_memory(struct error *err)
{
	return error_set(err, ERR_TEMP, "engine: out of memory");
}


/* "personal-data amazon" — the ticket's flags by name. */
static void flags_text(unsigned flags, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < FLAG_COUNT; i++)
		if (flags & FLAG_BIT(i)) {
			int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
					 flag_name(i));
			if (n < 0 || (size_t)n >= len - used)
				break;
			used += (size_t)n;
		}
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Whether the sender is outside the company: neither a configured person
 * nor at the bot's own domain (policy 7-2 asks who they are). */
static bool sender_external(const struct config *cfg, const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	if (!addr || config_find_person(cfg, addr))
		return false;
	return !at || strcasecmp(at + 1, config_mail_domain(cfg)) != 0;
}

_Static_assert(OBL_COUNT < 31, "the kinds created no longer fit engine_sync_obligations' int");

int engine_sync_obligations(const struct config *cfg, struct store *st, const struct ticket *t,
			    const char *actor, time_t now, struct error *err)
{
	struct policy_facts facts = policy_ticket_facts(t);
	unsigned want = policy_obligations(&facts);
	char due_text[40], detail[200];
	unsigned created = 0;
	int k, rc;

	for (k = 0; k < OBL_COUNT; k++) {
		if (want & (1u << k)) {
			/* the recovery target is the named system's, not a kind's span */
			time_t due = k == OBL_RECOVERY ? t->aware_at + t->recovery_seconds :
				     deadline_due(&cfg->policy, t->aware_at, t->flags, k);

			rc = store_obligation_require(st, t->id, obligation_name(k), t->aware_at,
						      due, now, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
			created |= 1u << k;
			snprintf(detail, sizeof detail, "%s: %s, due %s", obligation_name(k),
				 obligation_label(k),
				 clock_format_rfc3339(due, due_text, sizeof due_text));
			if (store_event_add(st, t->id, now, actor, "obligation-opened", detail, err) < 0)
				return -1;
		} else {
			rc = store_obligation_close(st, t->id, obligation_name(k), "cancelled",
						    "no flag requires it any more", actor, now, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
			snprintf(detail, sizeof detail, "%s: no flag requires it any more",
				 obligation_name(k));
			if (store_event_add(st, t->id, now, actor, "obligation-cancelled", detail,
					    err) < 0)
				return -1;
		}
	}
	return (int)created;	/* OBL_COUNT bits: never negative */
}

static int add_checklist(struct store *st, const struct ticket *t, struct error *err)
{
	const char *const *items;
	int type = type_from_name(t->type);
	size_t i, n = policy_checklist(type >= 0 ? (enum incident_type)type : TYPE_OTHER, &items);

	for (i = 0; i < n; i++)
		if (store_checklist_add(st, t->id, (int)i + 1, items[i], err) < 0)
			return -1;
	return 0;
}

/* Records the system a new report names: its priority applied, its target kept. */
static int system_named(struct store *st, int64_t id, const struct system_config *sys,
			time_t now, struct error *err)
{
	char target[40] = "none", *detail = NULL;
	int rc;

	if (sys->max_downtime > 0)
		span_format(&(struct span){ .seconds = sys->max_downtime }, target, sizeof target);
	if (asprintf(&detail, "%s: recovery priority %s, max downtime %s (policy 6(3))", sys->name,
		     priority_name(sys->priority), target) < 0)
		return out_of_memory(err);
	rc = store_ticket_set_system(st, id, sys->name, sys->max_downtime, err) < 0 ||
	     store_event_add(st, id, now, "bot", "system", detail, err) < 0 ? -1 : 0;
	free(detail);
	return rc;
}

int engine_open(const struct config *cfg, struct store *st, struct ticket *t,
		const struct mail *m, time_t now, struct error *err)
{
	const struct system_config *sys = NULL;
	struct classification c;
	char flags[300], affected[40] = "", *detail = NULL;
	int64_t id = t->id;
	int rc;

	if (cfg->classifier)	/* built with the configuration */
		classify_with(cfg->classifier, m->subject, m->body, m->from.addr,
			      sender_external(cfg, m->from.addr), &c);
	else
		classify(cfg->rules, cfg->n_rules, m->subject, m->body, m->from.addr,
			 sender_external(cfg, m->from.addr), &c);
	/* Policy 6(3), 7-2: a named system is restored by its own priority */
	if (systems_named(cfg->systems, cfg->n_systems, m->subject, m->body, &sys) < 0)
		return out_of_memory(err);
	if (sys && (int)sys->priority < c.priority)	/* PRIORITY_HIGH is 0 */
		c.priority = sys->priority;
	if (store_ticket_set_class(st, id, type_name(c.type), priority_name(c.priority),
				   c.source >= 0 ? source_name(c.source) : NULL, c.flags,
				   c.affected, c.why, err) < 0 ||
	    store_ticket_set_counts(st, id, c.affected_over, c.records, err) < 0)
		return -1;
	flags_text(c.flags, flags, sizeof flags);
	if (c.affected >= 0)
		snprintf(affected, sizeof affected, ", affected %s%ld", c.affected_over ? "over " : "",
			 c.affected);
	if (asprintf(&detail, "type %s, priority %s, source %s, flags %s%s — %s",
		     type_name(c.type), priority_name(c.priority),
		     c.source >= 0 ? source_name(c.source) : "-", flags, affected, c.why) < 0)
		return out_of_memory(err);
	rc = store_event_add(st, id, now, "bot", "classified", detail, err);
	free(detail);
	if (rc < 0)
		return -1;
	if (sys && system_named(st, id, sys, now, err) < 0)
		return -1;

	store_ticket_release(t);
	if ((rc = store_ticket_get_by_id(st, id, t, err)) <= 0)
		return rc < 0 ? -1 : error_set(err, ERR_FATAL, "engine: ticket %lld vanished",
					       (long long)id);
	if (add_checklist(st, t, err) < 0 || engine_sync_obligations(cfg, st, t, "bot", now, err) < 0)
		return -1;
	/* Policy 6-2: a drill held is what the periodic drill reminder waits for. */
	if ((t->flags & FLAG_BIT(FLAG_DRILL)) &&
	    (store_review_done(st, "drill", now, t->reporter_addr, err) < 0 ||
	     store_event_add(st, id, now, "bot", "drill", "a drill: recorded as the policy 6-2 drill held",
			     err) < 0))
		return -1;
	return 0;
}

int engine_set_status(struct store *st, struct ticket *t, enum status to, const char *actor,
		      time_t now, struct error *err)
{
	int from = status_from_name(t->status);
	const char *why = NULL;
	char detail[120];
	int64_t id = t->id;
	int rc;

	if (from < 0)
		from = STATUS_NEW;
	if (!policy_transition(from, to, &why))
		return error_set(err, ERR_MESSAGE, "「%s」→「%s」(%s → %s): %s", status_label(from),
				 status_label(to), status_name(from), status_name(to),
				 why ? why : "できません / not allowed");
	snprintf(detail, sizeof detail, "%s → %s", status_name(from), status_name(to));
	if (store_ticket_set_status(st, id, status_name(to), now, err) < 0 ||
	    store_event_add(st, id, now, actor, "status", detail, err) < 0)
		return -1;
	store_ticket_release(t);
	rc = store_ticket_get_by_id(st, id, t, err);
	return rc == 1 ? 0 : rc < 0 ? -1 :
		error_set(err, ERR_FATAL, "engine: ticket %lld vanished", (long long)id);
}
