/* ticket_json.c — see ticket_json.h. */
#include "ticket_json.h"

void ticket_json_fields(struct json *j, const struct ticket *t)
{
	json_kv_string(j, "id", t->ref);
	json_kv_string(j, "subject", t->subject);
	json_kv_string(j, "status", t->status);
	json_kv_string(j, "priority", t->priority);
	json_kv_string(j, "type", t->type);
	json_kv_string(j, "source", t->source);
	json_kv_string(j, "owner", t->owner);
	json_key(j, "reporter");
	json_object_begin(j);
	json_kv_string(j, "address", t->reporter_addr);
	json_kv_string(j, "name", t->reporter_name);
	json_object_end(j);
	json_key(j, "flags");
	json_array_begin(j);
	json_array_end(j);
	json_kv_time(j, "created", t->created_at);
	json_kv_time(j, "updated", t->updated_at);
	json_kv_time(j, "aware", t->aware_at);
}
