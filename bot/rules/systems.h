/*
 * systems.h — policy 6(3): the recovery priority of each system, which the
 * system and EC admins decide from how long the business it carries may
 * stop (業務の停止許容時間), and the report that names one.
 *
 * A report naming a system (one of its keywords, compared as textnorm.h
 * normalises text: full-width as ASCII, case folded) is at least that
 * system's priority (policy 7-2 restores by it), and a system with a
 * max_downtime gives the ticket an internal recovery target (the
 * obligation "recovery") that long after the awareness time.
 * Pure: no I/O; the one allocation is the normalised text of a report.
 */
#ifndef INCIDENT_SYSTEMS_H
#define INCIDENT_SYSTEMS_H

#include <stddef.h>

#include "rules/policy.h"

/* One `system "NAME" { … }` section of the configuration. */
struct system_config {
	char *name;		/* "受注管理システム" */
	char **keywords;	/* normalised (textnorm), non-empty */
	size_t n_keywords;
	enum priority priority;	/* its recovery priority */
	long max_downtime;	/* seconds the business may stop; 0: no recovery target */
};

/*
 * The most urgent of the n systems whose keyword the subject or the body
 * names (the first configured among equals): 1 and *out, 0 when none does
 * (*out NULL), -1 out of memory.  subject and body may be NULL.
 */
int systems_named(const struct system_config *sys, size_t n, const char *subject,
		  const char *body, const struct system_config **out);

/* s normalised as systems_named() compares keywords (malloc'd; NULL: out of memory). */
char *systems_normalise(const char *s);

#endif
