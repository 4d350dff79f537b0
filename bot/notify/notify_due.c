/*
 * notify_due.c — the reminders and overdue notices of one timer pass (see
 * notify.h, notify_due): one mail per person and ticket, however many of
 * its obligations fall due together (issue 13: six reminders reached the
 * owner at once, three overdue mails the CEO in the same minute).
 *
 * Who hears of what is as before (SPEC 4): a reminder goes to the owner,
 * or to every admin while nobody owns the ticket; an overdue obligation
 * to management and every admin.  Each person's mail lists what concerns
 * them, nearest deadline first; it is overdue.txt (marked urgent) when
 * one of them is overdue, else reminder.txt, and it threads under the
 * ticket's alarm.
 */
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/clock.h"
#include "notify/intent.h"
#include "notify/notify_internal.h"
#include "notify/vars.h"
#include "rules/policy.h"

/* One person's share of the pass: the items (bits of the array) that concern them. */
struct due_rcpt {
	const char *addr;
	const char *name;	/* NULL: the configured name */
	unsigned items;
};

/* Adds bit to addr's share, adding addr when it is new (case-insensitive). */
static void share(struct due_rcpt *r, size_t *n, const char *addr, const char *name,
		  unsigned bit)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcasecmp(r[i].addr, addr) == 0) {
			r[i].items |= bit;
			return;
		}
	r[*n].addr = addr;
	r[*n].name = name;
	r[*n].items = bit;
	(*n)++;
}

int notify_fill_due(struct tvars *v, const struct ticket *t, const struct due_item *items,
		    size_t n, time_t now)
{
	const struct due_item *nearest = NULL;
	int stage = 0;
	size_t i;

	if (tvars_set_list(v, "due_items") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct obligation *o = items[i].o;
		struct tvars *item = tvars_add_item(v, "due_items");

		if (!item || vars_add_obligation(item, o, t, now) < 0 ||
		    tvars_set(item, "overdue", items[i].overdue_stage > 0 ? "1" : "") < 0)
			return -1;
		if (!nearest || o->due_at < nearest->o->due_at)
			nearest = &items[i];
		if (items[i].overdue_stage > stage)
			stage = items[i].overdue_stage;
	}
	/* the nearest deadline is the mail's own: its subject and first lines */
	return (nearest && vars_add_obligation(v, nearest->o, t, now) < 0) ||
	       tvars_setf(v, "overdue_stage", "%d", stage) < 0 ||
	       tvars_set(v, "due_more", n > 1 ? "1" : "") < 0 ||
	       tvars_setf(v, "due_others", "%zu", n > 0 ? n - 1 : 0) < 0 ? -1 : 0;
}

/*
 * The mail of one person: their items, nearest first (items come so).
 * Issue 16: an intent; which obligations and their overdue stages are its
 * parameters ("items": kind:stage, space-separated), their due times and
 * states are read again when it is rendered (notify_build_due).
 */
static int due_mail(const struct config *cfg, struct store *st, const struct ticket *t,
		    const struct due_item *items, size_t n, const struct due_rcpt *r,
		    time_t now, struct error *err)
{
	bool overdue = false;
	char *root = NULL, *list = NULL, *params = NULL;
	size_t i, len = 0;
	int rc = -1;

	for (i = 0; i < n; i++)
		if (r->items & (1u << i)) {
			char *grown;
			int add = snprintf(NULL, 0, "%s%s:%d", len ? " " : "", items[i].o->kind,
					   items[i].overdue_stage);

			if (!(grown = realloc(list, len + (size_t)add + 1))) {
				notify_out_of_memory(err);
				goto done;
			}
			list = grown;
			len += (size_t)sprintf(list + len, "%s%s:%d", len ? " " : "", items[i].o->kind,
					       items[i].overdue_stage);
			overdue |= items[i].overdue_stage > 0;
		}
	if (notify_params_add(&params, "items", list) < 0) {
		notify_out_of_memory(err);
		goto done;
	}
	{
		struct outbox_mail om = {
			.kind = overdue ? "overdue" : "reminder",
			.template = overdue ? "overdue.txt" : "reminder.txt",
			.urgent = overdue, .intent = true, .params = params,
		};

		/* issue 13: under the ticket's alarm, as the person got it */
		if (store_outbox_thread_root(st, t->id, "alarm", r->addr, &root, err) < 0)
			goto done;
		om.in_reply_to = root;
		om.references = root;
		om.auto_submitted = "auto-generated";
		rc = notify_queue_to(cfg, st, t, &om, r->addr, r->name, now, err);
	}
done:
	free(root);
	free(list);
	free(params);
	return rc;
}

int notify_build_due(struct notify_build *b, const struct notify_params *p, time_t now,
		     struct error *err)
{
	struct due_item mine[32];
	const char *s = notify_params_get(p, "items");
	size_t k = 0, i;

	if (!b->f.t)
		return error_set(err, ERR_FATAL, "notify: a reminder without its ticket");
	if (!(b->v = notify_vars_of(b->cfg, b->st, b->e->template, &b->f, now, err)))
		return -1;
	/* "kind:stage kind:stage": each obligation as the store has it now */
	while (*s && k < 32) {
		size_t len = strcspn(s, ":");
		int stage = atoi(s + len + (s[len] == ':'));

		for (i = 0; i < b->f.n_obl; i++)
			if (strlen(b->f.obl[i].kind) == len && strncmp(b->f.obl[i].kind, s, len) == 0) {
				mine[k].o = &b->f.obl[i];
				mine[k].overdue_stage = stage;
				k++;
				break;
			}
		s += strcspn(s, " ");
		s += *s == ' ';
	}
	return notify_fill_due(b->v, b->f.t, mine, k, now) < 0 ? notify_out_of_memory(err) : 0;
}

int notify_due(const struct config *cfg, struct store *st, const struct ticket *t,
	       const struct due_item *items, size_t n, time_t now, struct error *err)
{
	struct due_rcpt *r;
	size_t nr = 0, i, p;
	int rc = 0;

	if (n > 32)	/* a person's share is a bit set: the rest in another mail */
		return notify_due(cfg, st, t, items, 32, now, err) < 0 ? -1 :
		       notify_due(cfg, st, t, items + 32, n - 32, now, err);
	if (n == 0)
		return 0;
	if (!(r = calloc(cfg->n_persons + 1, sizeof *r)))
		return notify_out_of_memory(err);
	for (i = 0; i < n; i++) {
		unsigned bit = 1u << i;

		if (items[i].overdue_stage == 0 && t->owner && *t->owner) {
			/* SPEC 4: a reminder to the owner ... */
			share(r, &nr, t->owner, NULL, bit);
			continue;
		}
		for (p = 0; p < cfg->n_persons; p++) {
			const struct person *pp = &cfg->persons[p];
			/* ... or the admins; overdue: management and the admins */
			unsigned roles = items[i].overdue_stage > 0 ? ROLE_MANAGEMENT | ROLE_ADMIN :
				ROLE_ADMIN;

			if (pp->roles & roles)
				share(r, &nr, pp->email, pp->name, bit);
		}
	}
	for (i = 0; i < nr && rc == 0; i++)
		rc = due_mail(cfg, st, t, items, n, &r[i], now, err);
	free(r);
	return rc;
}
