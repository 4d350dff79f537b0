/*
 * cmd_outbox.c — `incident-bot outbox [--all] [--state S] [--limit N]
 * [--json]` (SPEC 7): what the bot has to send, has sent and could not
 * send.  The operator's view of the transactional outbox: counts by state,
 * the oldest waiting mail and the next attempt, then the mail itself,
 * newest first, with the server's last answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "lib/clock.h"
#include "lib/json.h"

static const char help[] =
	"usage: incident-bot [-c FILE] outbox [--all] [--state pending|sent|failed]\n"
	"                    [--limit N] [--json]\n"
	"\n"
	"Shows the outbox: how many mails are pending, sent and failed, when the\n"
	"oldest pending one was queued and when the next attempt is due; then the\n"
	"pending and failed mails, newest first, with the server's last answer.\n"
	"A failed mail is one the server refused for good (5xx), bounced, or never\n"
	"took within the retry limit; the admins were told of each.\n"
	"  --all         sent mail too\n"
	"  --state S     only mail in state S\n"
	"  --limit N     at most N mails (default 100; 0: all)\n"
	"  --json        {\"pending\", \"sent\", \"failed\", \"oldest_pending\",\n"
	"                \"next_attempt\", \"mails\": [...]} for scripts\n";

static int parse_state(const char *name)
{
	int st;

	for (st = OUTBOX_PENDING; st <= OUTBOX_FAILED; st++)
		if (strcmp(name, outbox_state_name(st)) == 0)
			return st;
	return -1;
}

static void print_json(const struct outbox_counts *c, const struct outbox_entry *e, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_kv_int(&j, "pending", c->count[OUTBOX_PENDING]);
	json_kv_int(&j, "sent", c->count[OUTBOX_SENT]);
	json_kv_int(&j, "failed", c->count[OUTBOX_FAILED]);
	json_kv_time(&j, "oldest_pending", c->oldest_pending);
	json_kv_time(&j, "next_attempt", c->count[OUTBOX_PENDING] ? c->next_due : 0);
	json_key(&j, "mails");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "id", e[i].id);
		json_kv_string(&j, "ticket", e[i].ticket_ref[0] ? e[i].ticket_ref : NULL);
		json_kv_string(&j, "kind", e[i].kind);
		json_kv_string(&j, "to", e[i].rcpt);
		json_kv_string(&j, "subject", e[i].subject);
		json_kv_string(&j, "message_id", e[i].message_id);
		json_kv_string(&j, "state", outbox_state_name(e[i].state));
		/* issue 16: false until the render stage stored its bytes */
		json_key(&j, "rendered");
		json_bool(&j, !e[i].intent);
		json_kv_int(&j, "attempts", e[i].attempts);
		json_kv_time(&j, "queued", e[i].created_at);
		json_kv_time(&j, "next_attempt",
			     e[i].state == OUTBOX_PENDING ? e[i].next_attempt_at : 0);
		json_kv_time(&j, "sent", e[i].sent_at);
		json_kv_time(&j, "failed", e[i].failed_at);
		json_kv_string(&j, "last_error", e[i].last_error);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	fputc('\n', stdout);
}

/* Issue 13, point 9: the list in columns aligned by display width
 * (cli/table.h), the subject cut to the terminal's width. */
static void print_text(const struct outbox_counts *c, const struct outbox_entry *e, size_t n,
		       const char *what)
{
	static const struct table_col head[] = {
		{ "ID", 0 }, { "STATE", 0 }, { "KIND", 0 }, { "TICKET", 0 }, { "TO", 30 },
		{ "TRY", 0 }, { "WHEN", 0 }, { "SUBJECT", 0 },
	};
	char a[40], b[40];
	struct table *tb;
	size_t i;

	printf("outbox: %lld pending, %lld sent, %lld failed\n",
	       (long long)c->count[OUTBOX_PENDING], (long long)c->count[OUTBOX_SENT],
	       (long long)c->count[OUTBOX_FAILED]);
	if (c->count[OUTBOX_PENDING])
		printf("  oldest pending queued %s, next attempt %s\n",
		       clock_format_short(c->oldest_pending, a, sizeof a),
		       clock_format_short(c->next_due, b, sizeof b));
	if (n == 0) {
		printf("no %s mail\n", what);
		return;
	}
	tb = table_new(head, sizeof head / sizeof *head);
	for (i = 0; tb && i < n; i++) {
		const struct outbox_entry *m = &e[i];
		/* what the state's time is: sent, failed, or the next attempt */
		time_t when = m->state == OUTBOX_SENT ? m->sent_at :
			      m->state == OUTBOX_FAILED ? m->failed_at : m->next_attempt_at;
		char id[24], tries[16], answer[600];
		const char *row[8] = {
			id, outbox_state_name(m->state), m->kind, m->ticket_ref[0] ? m->ticket_ref : "-",
			m->rcpt, tries, when ? clock_format_short(when, a, sizeof a) : "-",
			/* issue 16: an intent's subject exists once it is rendered */
			m->subject ? m->subject : m->intent ? "(not rendered yet)" : "",
		};
		/* the server's last answer, on a line of its own under the subject */
		const char *more[8] = { "", "", "", "", "", "", "", answer };

		snprintf(id, sizeof id, "%lld", (long long)m->id);
		snprintf(tries, sizeof tries, "%d", m->attempts);
		snprintf(answer, sizeof answer, "last answer: %s", m->last_error ? m->last_error : "");
		if (table_row(tb, row) < 0 ||
		    (m->last_error && m->state != OUTBOX_SENT && table_row(tb, more) < 0)) {
			table_free(tb);
			tb = NULL;
		}
	}
	putchar('\n');
	if (tb)
		table_print(tb, stdout, "", cli_columns());
	else
		printf("(out of memory)\n");
	table_free(tb);
}

int cmd_outbox(struct cli *c, int argc, char **argv)
{
	struct outbox_filter f = { .state = -1, .unsent_only = true, .limit = 100 };
	struct outbox_entry *list = NULL;
	struct outbox_counts counts;
	struct error err = { 0 };
	bool as_json = false;
	size_t n = 0;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--all") == 0) {
			f.unsent_only = false;
		} else if (strcmp(argv[a], "--json") == 0) {
			as_json = true;
		} else if (strcmp(argv[a], "--state") == 0 && a + 1 < argc) {
			if ((f.state = parse_state(argv[++a])) < 0)
				return cli_usage("outbox", "unknown state \"%s\" (pending, sent or failed)",
						 argv[a]);
			f.unsent_only = false;
		} else if (strcmp(argv[a], "--limit") == 0 && a + 1 < argc) {
			char *end;
			long v = strtol(argv[++a], &end, 10);

			if (*end || end == argv[a] || v < 0)
				return cli_usage("outbox", "--limit takes a number, not \"%s\"", argv[a]);
			f.limit = (size_t)v;
		} else {
			return cli_usage("outbox", "unknown argument \"%s\"", argv[a]);
		}
	}
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (store_outbox_counts(c->store, &counts, &err) < 0 ||
	    store_outbox_query(c->store, &f, &list, &n, &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);
	if (as_json)
		print_json(&counts, list, n);
	else
		print_text(&counts, list, n,
			   f.state >= 0 ? outbox_state_name(f.state) :
			   f.unsent_only ? "pending or failed" : "");
	store_outbox_free(list, n);
	return EXIT_OK;
}
