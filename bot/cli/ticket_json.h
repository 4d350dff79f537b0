/*
 * ticket_json.h — the JSON shape of a ticket, shared by `tickets --json`
 * and `show --json` (SPEC 7: English snake_case names, RFC 3339 times in
 * the configured zone, enumerations spelled as in the commands).
 */
#ifndef INCIDENT_TICKET_JSON_H
#define INCIDENT_TICKET_JSON_H

#include "lib/json.h"
#include "rules/policy.h"
#include "store/store.h"

/* Writes the ticket's own fields into the currently open object. */
void ticket_json_fields(struct json *j, const struct ticket *t);

/* One obligation as an object (SPEC 7: kind, due, state, …); overdue as at
 * now; from the ticket's facts f: skippable (the internal-only flag lets an
 * admin skip it, policy 7-4) and deadline (statutory, contractual, internal). */
void obligation_json(struct json *j, const struct obligation *o, const struct policy_facts *f,
		     time_t now);

#endif
