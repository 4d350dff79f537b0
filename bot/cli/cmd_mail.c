/*
 * cmd_mail.c — `incident-bot mail --automatic [--since TIME] [--limit N]
 * [--json]` (issue 13): the machines' mail that opened no ticket —
 * out-of-office replies, bounces not about our mail, newsletters and list
 * mail, other machines' mail that reported no incident — with what wrote
 * it and why, newest first.  None of it was answered, all of it is kept
 * (SPEC 2: never a lost report); the digest counts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/json.h"

static const char help[] =
	"usage: incident-bot [-c FILE] mail --automatic [--since TIME] [--limit N] [--json]\n"
	"\n"
	"Lists the machines' mail that opened no ticket and got no answer: out-of-office\n"
	"replies, bounces not about the bot's own mail, newsletters and list mail, and\n"
	"other automatic mail whose text reported no incident — newest first, with its\n"
	"date, sender, subject and why it was judged a machine's.  Every one is stored\n"
	"as received (`verify` checks it); the digest counts them.\n"
	"  --automatic   the machines' mail (the only listing for now)\n"
	"  --since TIME  received at or after TIME (RFC 3339, e.g. 2026-11-25T09:00+09:00)\n"
	"  --limit N     at most N mails (default 100; 0: all)\n"
	"  --json        [{\"id\", \"received\", \"date\", \"from\", \"subject\", \"why\"}] for scripts\n";

static void print_json(const struct message_row *m, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "id", m[i].id);
		json_kv_time(&j, "received", m[i].received_at);
		json_kv_time(&j, "date", m[i].date);
		json_kv_string(&j, "from", m[i].from_addr);
		json_kv_string(&j, "subject", m[i].subject);
		json_kv_string(&j, "why", m[i].machine);
		json_object_end(&j);
	}
	json_array_end(&j);
	fputc('\n', stdout);
}

static void print_text(const struct message_row *m, size_t n, long total)
{
	char when[40];
	size_t i;

	printf("automatic mail that opened no ticket: %ld%s\n", total,
	       (size_t)total > n ? " (the newest below)" : "");
	if (n == 0)
		return;
	printf("\n%-16s %-32s %-40s %s\n", "DATE", "FROM", "WHY", "SUBJECT");
	for (i = 0; i < n; i++)
		printf("%-16s %-32s %-40s %s\n",
		       clock_format_short(m[i].date ? m[i].date : m[i].received_at, when, sizeof when),
		       m[i].from_addr ? m[i].from_addr : "(no sender)",
		       m[i].machine ? m[i].machine : "-", m[i].subject ? m[i].subject : "");
}

int cmd_mail(struct cli *c, int argc, char **argv)
{
	struct message_row *list = NULL;
	struct error err = { 0 };
	bool as_json = false, automatic = false;
	size_t n = 0, limit = 100;
	time_t since = 0;
	long total = 0;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--automatic") == 0) {
			automatic = true;
		} else if (strcmp(argv[a], "--json") == 0) {
			as_json = true;
		} else if (strcmp(argv[a], "--since") == 0 && a + 1 < argc) {
			if (clock_parse(argv[++a], &since) < 0)
				return cli_usage("mail", "--since takes an RFC 3339 time "
						 "(2026-11-25T09:00+09:00), not \"%s\"", argv[a]);
		} else if (strcmp(argv[a], "--limit") == 0 && a + 1 < argc) {
			char *end;
			long v = strtol(argv[++a], &end, 10);

			if (*end || end == argv[a] || v < 0)
				return cli_usage("mail", "--limit takes a number, not \"%s\"", argv[a]);
			limit = (size_t)v;
		} else {
			return cli_usage("mail", "unknown argument \"%s\"", argv[a]);
		}
	}
	if (!automatic)
		return cli_usage("mail", "say which mail: --automatic");
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (store_message_automatic_count(c->store, since, 0, &total, &err) < 0 ||
	    store_message_automatic(c->store, since, 0, limit, &list, &n, &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);
	if (as_json)
		print_json(list, n);
	else
		print_text(list, n, total);
	store_messages_free(list, n);
	return EXIT_OK;
}
