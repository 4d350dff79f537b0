/*
 * notify_words.c — people's words forwarded to people (issue 13, SPEC 2
 * "A person's words that join a ticket reach a person"): the follow-ups
 * of reporters and colleagues, management's replies, and management's
 * questions about no ticket, one mail (followup.txt) per recipient and
 * pass.  Who gets which words is desk/forward.c's decision.
 */
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/utf8.h"
#include "notify/notify_internal.h"

/* A forwarded text is an excerpt: the whole is on the ticket (`show`). */
#define WORDS_TEXT_MAX 2000	/* characters */

/* text cut to WORDS_TEXT_MAX characters on a UTF-8 boundary, with a note; malloc'd. */
static char *excerpt(const char *text)
{
	size_t len = strlen(text), i = utf8_cut_chars(text, len, WORDS_TEXT_MAX);
	char *out;

	if (i == len)
		return strdup(text);
	if (asprintf(&out, "%.*s…\n（以下略: 全文は show で / the rest: incident-bot show）",
		     (int)i, text) < 0)
		return NULL;
	return out;
}

/* Who wrote an item, as its reader knows them: the configured name first. */
static const char *writer(const struct config *cfg, const struct words_item *w)
{
	const struct person *p = config_find_person(cfg, w->from_addr);

	return p && p->name && *p->name ? p->name :
	       w->from_name && *w->from_name ? w->from_name : w->from_addr;
}

static int fill_item(struct tvars *it, const struct config *cfg, const struct words_item *w)
{
	const struct person *p = config_find_person(cfg, w->from_addr);
	bool management = strcmp(w->what, "management") == 0 ||
			  (p && (p->roles & ROLE_MANAGEMENT));
	const char *role = management ? "経営層" : p && (p->roles & ROLE_ADMIN) ? "管理者" :
			   w->reporter ? "報告者" : "";
	const char *role_en = management ? "management" : p && (p->roles & ROLE_ADMIN) ? "admin" :
			      w->reporter ? "reporter" : "";
	char when[40], *text = excerpt(w->text ? w->text : "");
	int rc;

	clock_format_short(w->at, when, sizeof when);
	rc = !text ||
	     tvars_set(it, "ticket_id", w->ticket_ref) < 0 ||
	     tvars_set(it, "ticket_subject", w->ticket_subject) < 0 ||
	     tvars_set(it, "from", writer(cfg, w)) < 0 ||
	     tvars_set(it, "from_addr", w->from_addr) < 0 ||
	     tvars_set(it, "role", role) < 0 || tvars_set(it, "role_en", role_en) < 0 ||
	     tvars_set(it, "management", management ? "1" : "") < 0 ||
	     tvars_set(it, "question", strcmp(w->what, "question") == 0 ? "1" : "") < 0 ||
	     tvars_set(it, "at", when) < 0 || tvars_set(it, "subject", w->subject) < 0 ||
	     tvars_set(it, "text", text) < 0 ? -1 : 0;
	free(text);
	return rc;
}

int notify_fill_words(struct tvars *v, const struct config *cfg, const struct ticket *t,
		      const struct words_item *items, size_t n)
{
	bool question = false;
	size_t i;

	if (tvars_set(v, "ticket_id", t ? t->ref : "") < 0 ||
	    tvars_set(v, "ticket_subject", t ? t->subject : "") < 0 ||
	    tvars_setf(v, "words_count", "%zu", n) < 0 ||
	    tvars_set(v, "first_from", n ? writer(cfg, &items[0]) : "") < 0 ||
	    tvars_set_list(v, "words") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct tvars *it = tvars_add_item(v, "words");

		if (!it || fill_item(it, cfg, &items[i]) < 0)
			return -1;
		question |= strcmp(items[i].what, "question") == 0;
	}
	return tvars_set(v, "has_question", question ? "1" : "");
}

int notify_words(const struct config *cfg, struct store *st, const struct ticket *t,
		 const char *to, const struct words_item *items, size_t n, time_t now,
		 struct error *err)
{
	struct facts f = { 0 };
	struct tvars *v = notify_vars_of(cfg, st, "followup.txt", &f, now, err);
	struct outbox_mail om = { .kind = "followup", .template = "followup.txt", .vars = v,
				  /* one ticket's words thread under its latest one */
				  .in_reply_to = t && n ? items[n - 1].message_id : NULL };
	int rc;

	rc = !v ? -1 : notify_fill_words(v, cfg, t, items, n) < 0 ? notify_out_of_memory(err) :
	     notify_queue_to(cfg, st, t, &om, to, NULL, now, err);
	tvars_free(v);
	return rc;
}
