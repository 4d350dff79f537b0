/*
 * ticket_json.h — the JSON shape of a ticket, shared by `tickets --json`
 * and `show --json` (SPEC 7: English snake_case names, RFC 3339 times in
 * the configured zone, enumerations spelled as in the commands).
 */
#ifndef INCIDENT_TICKET_JSON_H
#define INCIDENT_TICKET_JSON_H

#include <stdbool.h>

#include "lib/json.h"
#include "store/store.h"

/* Writes the ticket's own fields into the currently open object. */
void ticket_json_fields(struct json *j, const struct ticket *t);

/* One obligation as an object (SPEC 7: kind, due, state, …); overdue as at
 * now; skippable: the internal-only flag lets an admin skip it (policy 7-4). */
void obligation_json(struct json *j, const struct obligation *o, bool skippable, time_t now);

#endif
