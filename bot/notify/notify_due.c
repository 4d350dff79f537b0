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

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/clock.h"
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

/* The mail of one person: their items, nearest first (items come so). */
static int due_mail(const struct config *cfg, struct store *st, const struct ticket *t,
		    const struct due_item *items, size_t n, const struct due_rcpt *r,
		    time_t now, struct error *err)
{
	struct due_item mine[32];
	struct facts f = { .t = t };
	struct tvars *v = NULL;
	bool overdue = false;
	char *root = NULL;
	size_t i, k = 0;
	int rc = -1;

	for (i = 0; i < n; i++)
		if (r->items & (1u << i)) {
			mine[k++] = items[i];
			overdue |= items[i].overdue_stage > 0;
		}
	{
		struct outbox_mail om = {
			.kind = overdue ? "overdue" : "reminder",
			.template = overdue ? "overdue.txt" : "reminder.txt",
			.urgent = overdue,
		};

		if (!(v = notify_vars_of(cfg, st, om.template, &f, now, err)))
			goto done;
		if (notify_fill_due(v, t, mine, k, now) < 0) {
			notify_out_of_memory(err);
			goto done;
		}
		om.vars = v;
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
	tvars_free(v);
	notify_facts_release(&f);
	return rc;
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
