/* ticket_json.c — see ticket_json.h. */
#include "cli/ticket_json.h"

#include "rules/policy.h"

#include <string.h>

/* The names of the enums at the edge: null for unset (or unknown to this version). */
void ticket_json_fields(struct json *j, const struct ticket *t)
{
	json_kv_string(j, "id", t->ref);
	json_kv_string(j, "subject", t->subject);
	json_kv_string(j, "status", t->status >= 0 ? status_name(t->status) : NULL);
	json_kv_string(j, "priority", t->priority >= 0 ? priority_name(t->priority) : NULL);
	json_kv_string(j, "type", t->type >= 0 ? type_name(t->type) : NULL);
	json_kv_string(j, "source", t->source >= 0 ? source_name(t->source) : NULL);
	json_kv_string(j, "owner", t->owner);
	json_key(j, "reporter");
	json_object_begin(j);
	json_kv_string(j, "address", t->reporter_addr);
	json_kv_string(j, "name", t->reporter_name);
	json_object_end(j);
	json_key(j, "flags");
	json_array_begin(j);
	for (int f = 0; f < FLAG_COUNT; f++)
		if (t->flags & FLAG_BIT(f))
			json_string(j, flag_name(f));
	json_array_end(j);
	json_key(j, "affected");
	if (t->affected >= 0)
		json_int(j, t->affected);
	else
		json_null(j);
	json_key(j, "affected_over");		/* "more than affected" (1,000人超) */
	json_bool(j, t->affected_over);
	json_key(j, "records");			/* records counted (件): not people */
	if (t->records >= 0)
		json_int(j, t->records);
	else
		json_null(j);
	json_kv_string(j, "system", t->system);		/* policy 6(3): the system named; null none */
	json_key(j, "recovery_seconds");	/* ... the downtime its business allows */
	if (t->recovery_seconds > 0)
		json_int(j, t->recovery_seconds);
	else
		json_null(j);
	json_kv_string(j, "classification", t->classify_why);
	json_kv_time(j, "created", t->created_at);
	json_kv_time(j, "updated", t->updated_at);
	json_kv_time(j, "aware", t->aware_at);
	json_kv_time(j, "acknowledged", t->acked_at);
	json_kv_time(j, "contained", t->contained_at);
	json_kv_time(j, "resolved", t->resolved_at);
	json_kv_time(j, "closed", t->closed_at);
	json_kv_int(j, "escalations", t->escalation_stage);
}

void obligation_json(struct json *j, const struct obligation *o, const struct policy_facts *f,
		     time_t now)
{
	int k = obligation_from_name(o->kind);
	bool skippable = k >= 0 && (policy_waivable(f) & (1u << k));

	json_object_begin(j);
	json_kv_string(j, "ticket", o->ref);
	json_kv_string(j, "kind", o->kind);
	json_kv_string(j, "state", o->state >= 0 ? obligation_state_name(o->state) : NULL);
	json_kv_time(j, "start", o->start_at);
	json_kv_time(j, "due", o->due_at);
	json_key(j, "overdue");
	json_bool(j, o->state == OBLIGATION_OPEN && o->due_at <= now);
	json_kv_string(j, "deadline", deadline_kind_name(policy_deadline_kind(k >= 0 ? k : OBL_COUNT,
									       f)));
	json_key(j, "skippable");
	json_bool(j, o->state == OBLIGATION_OPEN && skippable);
	json_kv_time(j, "closed", o->closed_at);
	json_kv_string(j, "closed_by", o->closed_by);
	json_kv_string(j, "reason", o->reason);
	json_kv_int(j, "reminders", o->remind_stage);
	json_kv_int(j, "overdue_escalations", o->overdue_stage);
	json_object_end(j);
}
