/*
 * cmd_verify.c — `incident-bot verify [--json]`: recomputes the event
 * chain and the received messages' hashes (store_verify) and names every
 * problem, the first first (SPEC 2: tampering is detectable; policy 7-3,
 * 7-4: the evidence is kept and must hold when it is handed over).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/json.h"

static const char help[] =
	"usage: incident-bot [-c FILE] verify [--json]\n"
	"\n"
	"Recomputes what the database keeps as evidence:\n"
	"  - the event log (every ticket's timeline): walks the events in order,\n"
	"    checks that each names the hash of the event before it (prev_hash) and\n"
	"    recomputes its own hash from its ticket, time, actor, kind and detail;\n"
	"    an edited event, or one deleted from the middle, breaks the chain;\n"
	"  - every received message: recomputes the SHA-256 of its raw bytes;\n"
	"  - every mail of the outbox rendered since schema step 12: recomputes\n"
	"    the SHA-256 of the bytes stored before it was sent.\n"
	"Prints \"ok: N events, M messages verified, K mails of the outbox\" and\n"
	"the newest event's hash,\n"
	"or one line per problem, the first first, e.g.\n"
	"  event 1234 (INC-2026-0007, 2026-11-25T10:00:00+09:00, status): hash does not match its content\n"
	"  event 1235: prev_hash does not match event 1234\n"
	"  message 17 (INC-2026-0007): SHA-256 of the raw bytes differs from the stored one\n"
	"  --json   the same as one JSON object, for scripts\n"
	"\n"
	"What it cannot detect: a deleted message (messages are not chained, only\n"
	"their bytes are checked); the newest events deleted together (nothing\n"
	"follows them: compare the newest hash with one written down earlier, e.g.\n"
	"in an export's chain.txt); mail queued before schema step 12; and the tickets' present\n"
	"state (status, obligations, checklist), whose history is in the events.\n"
	"Exit 0 when everything verified, 1 when a problem was found or the\n"
	"database could not be read, 2 on a usage or configuration error.\n";

static const char *what_name(enum verify_what w)
{
	switch (w) {
	case VERIFY_EVENT_HASH: return "event-hash";
	case VERIFY_EVENT_LINK: return "event-link";
	case VERIFY_MESSAGE_HASH: return "message-hash";
	case VERIFY_MAIL_HASH: return "mail-hash";
	}
	return "?";
}

static void print_problem(const struct verify_problem *p, void *arg)
{
	char line[256];

	(void)arg;
	printf("%s\n", store_verify_describe(p, line, sizeof line));
}

/* --json collects the problems first, so that a read error prints no half object. */
struct problems {
	struct verify_problem *list;
	size_t n, cap;
	bool oom;
};

static void collect(const struct verify_problem *p, void *arg)
{
	struct problems *ps = arg;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct verify_problem *grown = realloc(ps->list, cap * sizeof *grown);

		if (!grown) {
			ps->oom = true;
			return;
		}
		ps->list = grown;
		ps->cap = cap;
	}
	ps->list[ps->n++] = *p;
}

static void print_json(const struct verify_result *r, const struct problems *ps)
{
	struct json j;
	char line[256];
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, r->problems == 0);
	json_kv_int(&j, "events", (long long)r->events);
	json_kv_int(&j, "messages", (long long)r->messages);
	json_kv_int(&j, "mails", (long long)r->mails);
	json_key(&j, "last_event");
	if (r->last_id) {
		json_object_begin(&j);
		json_kv_int(&j, "id", r->last_id);
		json_kv_string(&j, "hash", r->last_hash);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "problems");
	json_array_begin(&j);
	for (i = 0; i < ps->n; i++) {
		const struct verify_problem *p = &ps->list[i];

		json_object_begin(&j);
		json_kv_string(&j, "what", what_name(p->what));
		json_kv_int(&j, p->what == VERIFY_MESSAGE_HASH ? "message" :
			    p->what == VERIFY_MAIL_HASH ? "mail" : "event", p->id);
		json_kv_string(&j, "ticket", p->ref[0] ? p->ref : NULL);
		json_kv_time(&j, "at", p->at);
		if (p->what != VERIFY_MESSAGE_HASH && p->what != VERIFY_MAIL_HASH)
			json_kv_string(&j, "kind", p->kind);
		json_kv_string(&j, "text", store_verify_describe(p, line, sizeof line));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	putchar('\n');
}

int cmd_verify(struct cli *c, int argc, char **argv)
{
	struct verify_result r;
	struct problems ps = { 0 };
	struct error err = { 0 };
	bool as_json = false;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			as_json = true;
		else
			return cli_usage("verify", "unexpected argument \"%s\"", argv[a]);
	}
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;

	if (store_verify(c->store, as_json ? collect : print_problem, &ps, &r, &err) < 0) {
		free(ps.list);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	if (ps.oom) {
		free(ps.list);
		fprintf(stderr, "incident-bot: out of memory listing %zu problems: run verify "
			"without --json\n", r.problems);
		return EXIT_RUNTIME;
	}
	if (as_json)
		print_json(&r, &ps);
	else if (r.problems == 0)
		printf("ok: %zu events, %zu messages verified, %zu mails of the outbox\n", r.events,
		       r.messages, r.mails);
	else
		printf("FAILED: %zu problem%s in %zu events, %zu messages\n", r.problems,
		       r.problems == 1 ? "" : "s", r.events, r.messages);
	if (!as_json && r.last_id)
		printf("newest event: %" PRId64 " %s\n", r.last_id, r.last_hash);
	free(ps.list);
	return r.problems ? EXIT_RUNTIME : EXIT_OK;
}
