/* vars.c — see vars.h. To add a variable: set it here, document it in
 * templates/README.md, use it in a template. */
#include "vars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
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
