/*
 * vars.h — the template variables that describe a ticket and the mail that
 * opened it; every mail template is rendered with them, and check-config
 * renders every template with a sample ticket to catch typos.
 * The variable names are documented in templates/README.md.
 */
#ifndef INCIDENT_VARS_H
#define INCIDENT_VARS_H

#include "config.h"
#include "mail.h"
#include "render.h"
#include "store.h"

#include <stddef.h>
#include <time.h>

/*
 * A new set of variables for ticket t; m (the report, may be NULL) adds the
 * report's text and attachments.  NULL on out-of-memory.  Caller frees
 * with tvars_free.
 */
struct tvars *vars_for_ticket(const struct config *cfg, const struct ticket *t,
			      const struct mail *m);

/*
 * Adds what the policy engine knows of t: classification with labels and
 * the words behind it, flags, the checklist and the obligations (each
 * with its due time and the time left at now).  0, or -1 on out-of-memory.
 */
int vars_add_policy(struct tvars *v, const struct ticket *t, const struct checklist_item *items,
		    size_t n_items, const struct obligation *obl, size_t n_obl, time_t now);

/* "3時間20分" / "2日5時間": a duration for people (seconds >= 0). */
void vars_duration(long seconds, char *buf, size_t len);

#endif
