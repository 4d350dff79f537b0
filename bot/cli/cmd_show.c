/*
 * cmd_show.c — `incident-bot show ID [--json]`: one ticket with its fields,
 * its messages (decoded text), the mail the bot sent about it, and its
 * timeline.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ticket_json.h"
#include "rules/ticket_ref.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "rules/policy.h"

static const char help[] =
	"usage: incident-bot [-c FILE] show ID [--json]\n"
	"\n"
	"Shows ticket ID (e.g. INC-2026-0007): its fields, every message with its\n"
	"text as the person wrote it, the mail the bot sent, and the timeline.\n"
	"  --json   the same as one JSON object, for scripts\n";

struct ticket_view {
	struct ticket t;
	struct message_row *msgs;
	size_t n_msgs;
	struct event *events;
	size_t n_events;
	struct outbox_entry *mails;
	size_t n_mails;
	struct checklist_item *items;
	size_t n_items;
	struct obligation *obl;
	size_t n_obl;
	time_t now;
};

static void view_release(struct ticket_view *v)
{
	store_ticket_release(&v->t);
	store_messages_free(v->msgs, v->n_msgs);
	store_events_free(v->events, v->n_events);
	store_outbox_free(v->mails, v->n_mails);
	store_checklist_free(v->items, v->n_items);
	store_obligations_free(v->obl, v->n_obl);
}

/* Whether the obligation kind named is in the set (1u << kind). */
static bool in_set(unsigned set, const char *kind)
{
	int k = obligation_from_name(kind);

	return k >= 0 && (set & (1u << k));
}

static void print_json(const struct ticket_view *v)
{
	struct policy_facts facts = policy_ticket_facts(&v->t);
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

/* Adapters: the *_label functions take their enum. */
static const char *status_label_i(int x) { return status_label(x); }
static const char *priority_label_i(int x) { return priority_label(x); }
static const char *type_label_i(int x) { return type_label(x); }
static const char *source_label_i(int x) { return source_label(x); }

/* The Japanese label of an enumeration value by name; "未確認" when unset. */
static const char *label_of(const char *name, int (*from_name)(const char *),
			    const char *(*label)(int))
{
	int v = from_name(name);

	return v >= 0 ? label(v) : "未確認";
}

static void print_text(const struct ticket_view *v)
{
	struct policy_facts facts = policy_ticket_facts(&v->t);
	unsigned skippable = policy_waivable(&facts);
	const struct ticket *t = &v->t;
	char a[40], b[40];
	size_t i, k;
	int f;

	printf("%s  %s\n", t->ref, t->subject);
	printf("  status    %s (%s)\n", t->status, label_of(t->status, status_from_name, status_label_i));
	printf("  priority  %s (%s)\n", t->priority ? t->priority : "-",
	       label_of(t->priority, priority_from_name, priority_label_i));
	printf("  type      %s (%s)\n", t->type ? t->type : "-",
	       label_of(t->type, type_from_name, type_label_i));
	printf("  source    %s (%s)\n", t->source ? t->source : "-",
	       label_of(t->source, source_from_name, source_label_i));
	printf("  flags    ");
	for (f = 0; f < FLAG_COUNT; f++)
		if (t->flags & FLAG_BIT(f))
			printf(" %s", flag_name(f));
	printf("%s\n", t->flags ? "" : " -");
	if (t->affected >= 0)
		printf("  affected  %ld\n", t->affected);
	printf("  owner     %s\n", t->owner ? t->owner : "-");
	printf("  reporter  %s%s%s%s\n", t->reporter_name ? t->reporter_name : "",
	       t->reporter_name ? " <" : "", t->reporter_addr ? t->reporter_addr : "-",
	       t->reporter_name ? ">" : "");
	printf("  created   %s\n", clock_format_short(t->created_at, a, sizeof a));
	printf("  aware     %s\n", clock_format_short(t->aware_at, b, sizeof b));
	if (t->acked_at)
		printf("  acked     %s\n", clock_format_short(t->acked_at, a, sizeof a));
	if (t->classify_why)
		printf("  guessed   %s\n", t->classify_why);
	if (v->n_obl) {
		printf("\n--- obligations (due from the awareness time)\n");
		for (i = 0; i < v->n_obl; i++) {
			const struct obligation *o = &v->obl[i];
			int k = obligation_from_name(o->kind);

			bool open = strcmp(o->state, "open") == 0;

			printf("  %-18s %-10s due %s%s  %s [%s]%s%s%s\n", o->kind, o->state,
			       clock_format_short(o->due_at, a, sizeof a),
			       open && o->due_at <= v->now ? " OVERDUE" : "",
			       k >= 0 ? obligation_label(k) : "",
			       deadline_kind_label(policy_deadline_kind(k >= 0 ? k : OBL_COUNT,
									&facts)),
			       o->reason ? " — " : "",
			       o->reason ? o->reason : "",
			       open && in_set(skippable, o->kind) ?
				       "  [省略可: 社内で完結 (7-4) — /skip で理由を記録]" : "");
		}
	}
	if (v->n_items) {
		printf("\n--- checklist\n");
		for (i = 0; i < v->n_items; i++)
			printf("  %2d. [%c] %s\n", v->items[i].pos, v->items[i].done_at ? 'x' : ' ',
			       v->items[i].text);
	}

	for (i = 0; i < v->n_msgs; i++) {
		const struct message_row *m = &v->msgs[i];

		printf("\n--- message %zu (%s) from %s%s%s%s, %s\n", i + 1, m->kind,
		       m->from_name ? m->from_name : "", m->from_name ? " <" : "",
		       m->from_addr ? m->from_addr : "?", m->from_name ? ">" : "",
		       clock_format_short(m->received_at, a, sizeof a));
		printf("Subject: %s\n\n%s", m->subject ? m->subject : "",
		       m->body ? m->body : "");
		if (m->body && *m->body && m->body[strlen(m->body) - 1] != '\n')
			putchar('\n');
		for (k = 0; k < m->n_attachments; k++)
			printf("[attachment] %s (%s, %zu bytes, sha256 %s)\n",
			       m->attachments[k].filename ? m->attachments[k].filename : "(no name)",
			       m->attachments[k].content_type, m->attachments[k].size,
			       m->attachments[k].sha256);
	}
	if (v->n_mails) {
		printf("\n--- mail sent by the bot\n");
		for (i = 0; i < v->n_mails; i++)
			printf("  %-6s %-8s %-28s %s\n", v->mails[i].kind,
			       outbox_state_name(v->mails[i].state), v->mails[i].rcpt,
			       v->mails[i].subject ? v->mails[i].subject : "");
	}
	printf("\n--- timeline\n");
	for (i = 0; i < v->n_events; i++)
		printf("  %s  %-12s %-26s %s\n", clock_format_short(v->events[i].at, a, sizeof a),
		       v->events[i].kind, v->events[i].actor,
		       v->events[i].detail ? v->events[i].detail : "");
}

int cmd_show(struct cli *c, int argc, char **argv)
{
	struct ticket_view v = { 0 };
	struct error err = { 0 };
	const char *id = NULL;
	char ref[TICKET_REF_MAX];
	bool as_json = false;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			as_json = true;
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
		print_text(&v);
	view_release(&v);
	return EXIT_OK;
}
