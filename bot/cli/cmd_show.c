/*
 * cmd_show.c — `incident-bot show ID [--full | --json]`: one ticket with
 * its fields, obligations, checklist and notes, and its messages — by
 * default each sender's own words; with --full every message whole, the
 * mail the bot sent about it and its timeline (issue 13, point 9).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/show_text.h"
#include "cli/ticket_json.h"
#include "rules/ticket_ref.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "rules/policy.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] show ID [--full | --json]\n"
	"\n"
	"Shows ticket ID (e.g. INC-2026-0007): its fields, its obligations with the\n"
	"time left (or how late they are) and their kind (法定期限, 契約上の期限,\n"
	"社内目標), the checklist, the notes, and what each person wrote in each\n"
	"message, without the text they quoted.\n"
	"  --full   every message whole, every mail the bot sent, and the timeline\n"
	"  --json   everything as one JSON object, for scripts\n";

static void view_release(struct ticket_view *v)
{
	store_ticket_release(&v->t);
	store_messages_free(v->msgs, v->n_msgs);
	store_events_free(v->events, v->n_events);
	store_outbox_free(v->mails, v->n_mails);
	store_checklist_free(v->items, v->n_items);
	store_obligations_free(v->obl, v->n_obl);
}

static void print_json(const struct ticket_view *v)
{
	struct policy_facts facts = store_ticket_facts(&v->t);
	struct json j;
	size_t i, k;

	json_init(&j, stdout);
	json_object_begin(&j);
	ticket_json_fields(&j, &v->t);
	json_key(&j, "obligations");
	json_array_begin(&j);
	for (i = 0; i < v->n_obl; i++)
		obligation_json(&j, &v->obl[i], &facts, v->now);
	json_array_end(&j);
	json_key(&j, "checklist");
	json_array_begin(&j);
	for (i = 0; i < v->n_items; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "item", v->items[i].pos);
		json_kv_string(&j, "text", v->items[i].text);
		json_kv_time(&j, "done", v->items[i].done_at);
		json_kv_string(&j, "done_by", v->items[i].done_by);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "messages");
	json_array_begin(&j);
	for (i = 0; i < v->n_msgs; i++) {
		const struct message_row *m = &v->msgs[i];

		json_object_begin(&j);
		json_kv_string(&j, "kind", m->kind);
		json_kv_string(&j, "message_id", m->message_id);
		json_kv_string(&j, "from", m->from_addr);
		json_kv_string(&j, "from_name", m->from_name);
		json_kv_string(&j, "subject", m->subject);
		json_kv_time(&j, "date", m->date);
		json_kv_time(&j, "received", m->received_at);
		json_kv_string(&j, "text", m->body);
		json_kv_string(&j, "new_text", m->new_text);
		json_kv_int(&j, "size", (long long)m->size);
		json_kv_string(&j, "sha256", m->sha256);
		json_key(&j, "attachments");
		json_array_begin(&j);
		for (k = 0; k < m->n_attachments; k++) {
			json_object_begin(&j);
			json_kv_string(&j, "filename", m->attachments[k].filename);
			json_kv_string(&j, "content_type", m->attachments[k].content_type);
			json_kv_int(&j, "size", (long long)m->attachments[k].size);
			json_kv_string(&j, "sha256", m->attachments[k].sha256);
			json_object_end(&j);
		}
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "mails");
	json_array_begin(&j);
	for (i = 0; i < v->n_mails; i++) {
		const struct outbox_entry *e = &v->mails[i];

		json_object_begin(&j);
		json_kv_string(&j, "kind", e->kind);
		json_kv_string(&j, "to", e->rcpt);
		json_kv_string(&j, "subject", e->subject);
		json_kv_string(&j, "message_id", e->message_id);
		json_kv_string(&j, "state", outbox_state_name(e->state));
		json_kv_int(&j, "attempts", e->attempts);
		json_kv_time(&j, "queued", e->created_at);
		json_kv_time(&j, "sent", e->sent_at);
		json_kv_string(&j, "last_error", e->last_error);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "timeline");
	json_array_begin(&j);
	for (i = 0; i < v->n_events; i++) {
		json_object_begin(&j);
		json_kv_time(&j, "at", v->events[i].at);
		json_kv_string(&j, "actor", v->events[i].actor);
		json_kv_string(&j, "kind", v->events[i].kind);
		json_kv_string(&j, "detail", v->events[i].detail);
		json_kv_string(&j, "hash", v->events[i].hash);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	struct ticket_view v = { 0 };
	struct error err = { 0 };
	const char *id = NULL;
	char ref[TICKET_REF_MAX];
	bool as_json = false, full = false;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			as_json = true;
		else if (strcmp(argv[a], "--full") == 0)
			full = true;
		else if (!id && argv[a][0] != '-')
			id = argv[a];
		else
			return cli_usage("show", "unexpected argument \"%s\"", argv[a]);
	}
	if (!id)
		return cli_usage("show", "which ticket? give its ID, e.g. INC-2026-0007");
	/* "inc-2026-0007" and "[INC-2026-0007]" too, as people copy them */
	if (!ticket_ref_arg(id, ref))
		return cli_usage("show", "\"%s\" is not a ticket ID (INC-YYYY-NNNN)", id);
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;

	v.now = clock_now();
	rc = store_ticket_get(c->store, ref, &v.t, &err);
	if (rc == 0) {
		fprintf(stderr, "incident-bot: no ticket %s (see 'incident-bot tickets --all')\n", ref);
		return EXIT_RUNTIME;
	}
	if (rc < 0 ||
	    store_message_list(c->store, v.t.id, &v.msgs, &v.n_msgs, &err) < 0 ||
	    store_event_list(c->store, v.t.id, &v.events, &v.n_events, &err) < 0 ||
	    store_outbox_list(c->store, v.t.id, false, &v.mails, &v.n_mails, &err) < 0 ||
	    store_checklist_list(c->store, v.t.id, &v.items, &v.n_items, &err) < 0 ||
	    store_obligation_list(c->store, v.t.id, &v.obl, &v.n_obl, &err) < 0) {
		view_release(&v);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	if (as_json)
		print_json(&v);
	else
		show_text_print(&v, &c->cfg, full);
	view_release(&v);
	return EXIT_OK;
}
