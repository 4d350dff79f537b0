/*
 * templates_check.h — renders every template of the configured folder as
 * its mail would be (full and empty sample tickets; the digest with its own
 * variables) and reports each problem with file and line.
 */
#ifndef INCIDENT_TEMPLATES_CHECK_H
#define INCIDENT_TEMPLATES_CHECK_H

#include <time.h>

#include "config/config.h"

typedef void templates_report_fn(const char *problem, void *ctx);

/*
 * Checks cfg->templates; report is called once per problem (and for a
 * template no mail uses, as a note).  Returns the number of templates that
 * failed (0: all render), or -1 when the folder cannot be read or holds no
 * template.  *checked: how many templates were looked at.
 */
int templates_check(const struct config *cfg, time_t now, templates_report_fn *report,
		    void *ctx, int *checked);

#endif
