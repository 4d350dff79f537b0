/* vars.c — see vars.h. To add a variable: set it here, document it in
 * templates/README.md, use it in a template. */
#include "vars.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "policy.h"
#include "outbox.h"

/* The report's text as quoted in the alarm: at most max_lines lines. */
static char *excerpt(const char *body, int max_lines)
{
	const char *p = body, *nl;
	char *out;
	int lines;

	for (lines = 0; lines < max_lines && (nl = strchr(p, '\n')); lines++)
		p = nl + 1;
	if (lines < max_lines || !*p)
		return strdup(body);
	if (asprintf(&out, "%.*s(…)\n", (int)(p - body), body) < 0)
		return NULL;
	return out;
}

static int add_people(struct tvars *v, const struct config *cfg)
{
	size_t i;

	if (tvars_set_list(v, "admins") < 0 || tvars_set_list(v, "management") < 0)
		return -1;
	for (i = 0; i < cfg->n_persons; i++) {
		const struct person *p = &cfg->persons[i];
		struct tvars *item;

		if (p->roles & ROLE_ADMIN) {	/* policy 7-1: whom to report to */
			if (!(item = tvars_add_item(v, "admins")))
				return -1;
		} else if (p->roles & ROLE_MANAGEMENT) {
			if (!(item = tvars_add_item(v, "management")))
				return -1;
		} else {
			continue;
		}
		if (tvars_set(item, "name", p->name) < 0 || tvars_set(item, "email", p->email) < 0 ||
		    tvars_set(item, "phone", p->phone) < 0)
			return -1;
	}
	return 0;
}

static int add_report(struct tvars *v, const struct mail *m)
{
	char *text = excerpt(m && m->body ? m->body : "", 40);
	size_t i;
	int rc;

	if (!text)
		return -1;
	rc = tvars_set(v, "report_excerpt", text);
	free(text);
	if (rc < 0 || tvars_set(v, "report_message_id", m ? m->message_id : NULL) < 0 ||
	    tvars_set(v, "report_date", m ? m->date_raw : NULL) < 0 ||
	    tvars_set_list(v, "attachments") < 0)
		return -1;
	for (i = 0; m && i < m->n_attachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		struct tvars *item = tvars_add_item(v, "attachments");

		if (!item || tvars_set(item, "filename", a->filename ? a->filename : "(名前なし)") < 0 ||
		    tvars_set(item, "content_type", a->content_type) < 0 ||
		    tvars_setf(item, "size", "%zu", a->size) < 0 ||
		    tvars_set(item, "sha256", a->sha256) < 0)
			return -1;
	}
	return 0;
}

struct tvars *vars_for_ticket(const struct config *cfg, const struct ticket *t,
			      const struct mail *m)
{
	struct tvars *v = tvars_new();
	char created[40], aware[40], *reply = NULL;

	if (!v)
		return NULL;
	reply = outbox_reply_address(cfg, t->ref);
	clock_format_short(t->created_at, created, sizeof created);
	clock_format_short(t->aware_at, aware, sizeof aware);
	if (!reply ||
	    tvars_set(v, "ticket_id", t->ref) < 0 ||
	    tvars_set(v, "ticket_subject", t->subject) < 0 ||
	    tvars_set(v, "ticket_status", t->status) < 0 ||
	    tvars_set(v, "ticket_created", created) < 0 ||
	    tvars_set(v, "ticket_aware", aware) < 0 ||
	    tvars_set(v, "reporter_name", t->reporter_name && *t->reporter_name ?
		      t->reporter_name : t->reporter_addr) < 0 ||
	    tvars_set(v, "reporter_addr", t->reporter_addr) < 0 ||
	    tvars_set(v, "bot_addr", cfg->smtp.from) < 0 ||
	    tvars_set(v, "bot_name", cfg->smtp.from_name) < 0 ||
	    tvars_set(v, "reply_addr", reply) < 0 ||
	    add_people(v, cfg) < 0 || add_report(v, m) < 0) {
		free(reply);
		tvars_free(v);
		return NULL;
	}
	free(reply);
	return v;
}

void vars_duration(long seconds, char *buf, size_t len)
{
	long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;

	if (d > 0)
		snprintf(buf, len, "%ld日%ld時間", d, h);
	else if (h > 0)
		snprintf(buf, len, "%ld時間%ld分", h, m);
	else
		snprintf(buf, len, "%ld分", m);
}

/* name and label of one enumeration value ("high", "高"); unset: "未確認". */
static int set_enum(struct tvars *v, const char *key, const char *name,
		    const char *(*label_of)(int), int (*from_name)(const char *))
{
	char label_key[64];
	int val = from_name(name);

	snprintf(label_key, sizeof label_key, "%s_label", key);
	return tvars_set(v, key, name ? name : "") < 0 ||
	       tvars_set(v, label_key, val >= 0 ? label_of(val) : "未確認 / unknown") < 0 ? -1 : 0;
}

/* Adapters: the *_label functions take their enum, set_enum an int. */
static const char *type_label_i(int x) { return type_label(x); }
static const char *priority_label_i(int x) { return priority_label(x); }
static const char *source_label_i(int x) { return source_label(x); }
static const char *status_label_i(int x) { return status_label(x); }

static int add_obligation(struct tvars *v, const struct obligation *o, time_t now)
{
	struct tvars *item = tvars_add_item(v, "obligations");
	int kind = obligation_from_name(o->kind);
	char due[40], left[80];
	bool open = o->state && strcmp(o->state, "open") == 0;

	if (!item)
		return -1;
	clock_format_short(o->due_at, due, sizeof due);
	if (!open)
		snprintf(left, sizeof left, "%s", o->state ? o->state : "");
	else if (o->due_at >= now)
		vars_duration((long)(o->due_at - now), left, sizeof left);
	else {
		char late[32];

		vars_duration((long)(now - o->due_at), late, sizeof late);
		snprintf(left, sizeof left, "期限切れ %s / overdue", late);
	}
	return tvars_set(item, "kind", o->kind) < 0 ||
	       tvars_set(item, "label", kind >= 0 ? obligation_label(kind) : o->kind) < 0 ||
	       tvars_set(item, "state", o->state) < 0 ||
	       tvars_set(item, "open", open ? "1" : "") < 0 ||
	       tvars_set(item, "overdue", open && o->due_at < now ? "1" : "") < 0 ||
	       tvars_set(item, "due", due) < 0 ||
	       tvars_set(item, "left", left) < 0 ||
	       tvars_set(item, "reason", o->reason) < 0 ? -1 : 0;
}

int vars_add_policy(struct tvars *v, const struct ticket *t, const struct checklist_item *items,
		    size_t n_items, const struct obligation *obl, size_t n_obl, time_t now)
{
	size_t i;
	int f;

	if (set_enum(v, "ticket_type", t->type, type_label_i, type_from_name) < 0 ||
	    set_enum(v, "ticket_priority", t->priority, priority_label_i, priority_from_name) < 0 ||
	    set_enum(v, "ticket_source", t->source, source_label_i, source_from_name) < 0 ||
	    set_enum(v, "ticket_status", t->status, status_label_i, status_from_name) < 0 ||
	    tvars_set(v, "classify_why", t->classify_why) < 0 ||
	    tvars_set(v, "drill", (t->flags & FLAG_BIT(FLAG_DRILL)) ? "1" : "") < 0 ||
	    tvars_set(v, "owner", t->owner) < 0 ||
	    (t->affected >= 0 ? tvars_setf(v, "affected", "%ld", t->affected)
			      : tvars_set(v, "affected", NULL)) < 0 ||
	    tvars_set_list(v, "flags") < 0 || tvars_set_list(v, "checklist") < 0 ||
	    tvars_set_list(v, "obligations") < 0)
		return -1;
	for (f = 0; f < FLAG_COUNT; f++) {
		struct tvars *item;

		if (!(t->flags & FLAG_BIT(f)))
			continue;
		if (!(item = tvars_add_item(v, "flags")) || tvars_set(item, "name", flag_name(f)) < 0 ||
		    tvars_set(item, "label", flag_label(f)) < 0)
			return -1;
	}
	for (i = 0; i < n_items; i++) {
		struct tvars *item = tvars_add_item(v, "checklist");

		if (!item || tvars_setf(item, "pos", "%d", items[i].pos) < 0 ||
		    tvars_set(item, "text", items[i].text) < 0 ||
		    tvars_set(item, "done", items[i].done_at ? "1" : "") < 0)
			return -1;
	}
	for (i = 0; i < n_obl; i++)
		if (add_obligation(v, &obl[i], now) < 0)
			return -1;
	return 0;
}
