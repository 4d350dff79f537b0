/*
 * route.h — the pure part of routing (SPEC 2): which ticket a mail names
 * (whether a machine wrote it: rules/machine.h).  The database lookups
 * (In-Reply-To / References) are done by the pipeline with these answers.
 */
#ifndef INCIDENT_ROUTE_H
#define INCIDENT_ROUTE_H

#include <stdbool.h>

#include "rules/ticket_ref.h"

#define ROUTE_REF_MAX TICKET_REF_MAX

/*
 * Finds a ticket tag "[INC-2026-0007]" in a subject (full-width brackets
 * 【】 and lower case accepted, as mail clients and people write them).
 * Returns true and the canonical "INC-2026-0007" in ref.
 */
bool route_subject_tag(const char *subject, char ref[ROUTE_REF_MAX]);

/*
 * Finds a ticket in a reply address of the bot: "incident+INC-2026-0007@…" or
 * "incident+INC-2026-0007-<token>@…", where bot_addr is "incident@domain"
 * (ticket_ref_address_read; whether the token is good is auth.c's business).
 */
bool route_address_tag(const char *addr, const char *bot_addr, char ref[ROUTE_REF_MAX]);

#endif
