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

/*
 * A new set of variables for ticket t; m (the report, may be NULL) adds the
 * report's text and attachments.  NULL on out-of-memory.  Caller frees
 * with tvars_free.
 */
struct tvars *vars_for_ticket(const struct config *cfg, const struct ticket *t,
			      const struct mail *m);

#endif
