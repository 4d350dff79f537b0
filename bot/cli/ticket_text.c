/* ticket_text.c — see ticket_text.h. */
#include "cli/ticket_text.h"

#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "notify/vars.h"

const char *ticket_text_person(const struct config *cfg, const char *addr, bool with_addr,
			       char *buf, size_t len)
{
	const struct person *p = addr && cfg ? config_find_person(cfg, addr) : NULL;

	if (!addr)
		snprintf(buf, len, "-");
	else if (!p || !p->name || !*p->name)
		snprintf(buf, len, "%s", addr);
	else if (with_addr)
		snprintf(buf, len, "%s <%s>", p->name, addr);
	else
		snprintf(buf, len, "%s", p->name);
	return buf;
}

const char *ticket_text_left(const struct obligation *o, time_t now, char *buf, size_t len)
{
	char span[40], when[32];

	if (o->state == OBLIGATION_OPEN) {
		/* the same words as the mails' 【残り1時間50分】 (notify/vars.c) */
		vars_duration((long)(o->due_at > now ? o->due_at - now : now - o->due_at), span,
			      sizeof span);
		snprintf(buf, len, "%s%s", o->due_at > now ? "残り" : "超過", span);
	} else if (o->state == OBLIGATION_DONE) {
		/* "2026-12-09 10:00" without the year: the 5 bytes "2026-" */
		clock_format_short(o->closed_at, when, sizeof when);
		snprintf(buf, len, "済 %s", !o->closed_at ? "" : when[4] == '-' ? when + 5 : when);
	} else if (o->state == OBLIGATION_NOT_NEEDED) {
		snprintf(buf, len, "不要");
	} else if (o->state == OBLIGATION_CANCELLED) {
		snprintf(buf, len, "取消");
	} else {
		snprintf(buf, len, "%s", obligation_state_name(o->state));	/* "?" */
	}
	return buf;
}

const struct obligation *ticket_text_next(const struct obligation *o, size_t n,
					  int64_t ticket_id)
{
	const struct obligation *next = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (o[i].ticket_id == ticket_id &&
		    o[i].state == OBLIGATION_OPEN &&
		    (!next || o[i].due_at < next->due_at))
			next = &o[i];
	return next;
}
