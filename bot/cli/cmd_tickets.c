/*
 * cmd_tickets.c — `incident-bot tickets [--all] [--status S] [--priority P]
 * [--overdue] [--json]`: the list of open (or all) tickets, newest first.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/ticket_json.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "rules/policy.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] tickets [--all] [--status STATUS]\n"
	"                    [--priority high|medium|low] [--overdue] [--json]\n"
	"\n"
	"Lists the tickets that are not closed, newest first.\n"
	"  --all             closed ones too\n"
	"  --status STATUS   only tickets in STATUS (new, acknowledged, investigating,\n"
	"                    containing, reporting, recovering, resolved, closed)\n"
	"  --priority P      only tickets of priority P (policy 7-2)\n"
	"  --overdue         only tickets with an obligation past its due time\n"
	"  --json            a JSON array of ticket objects, for scripts\n";

int cmd_tickets(struct cli *c, int argc, char **argv)
{
	struct ticket *list = NULL;
	struct error err = { 0 };
	struct ticket_filter f = { 0 };
	bool as_json = false;
	size_t n = 0, i;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--all") == 0)
			f.all = true;
		else if (strcmp(argv[a], "--json") == 0)
			as_json = true;
		else if (strcmp(argv[a], "--overdue") == 0)
			f.overdue = true;
		else if (strcmp(argv[a], "--status") == 0 && a + 1 < argc) {
			int st = status_from_name(argv[++a]);
			if (st < 0)
				return cli_usage("tickets", "unknown status \"%s\"", argv[a]);
			f.status = status_name(st);
		} else if (strcmp(argv[a], "--priority") == 0 && a + 1 < argc) {
			int p = priority_from_name(argv[++a]);
			if (p < 0)
				return cli_usage("tickets", "unknown priority \"%s\" (high, medium or low)",
						 argv[a]);
			f.priority = priority_name(p);
		} else
			return cli_usage("tickets", "unknown argument \"%s\"", argv[a]);
	}
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	f.now = clock_now();
	if (store_ticket_query(c->store, &f, &list, &n, &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);

	if (as_json) {
		struct json j;

		json_init(&j, stdout);
		json_array_begin(&j);
		for (i = 0; i < n; i++) {
			json_object_begin(&j);
			ticket_json_fields(&j, &list[i]);
			json_object_end(&j);
		}
		json_array_end(&j);
	} else if (n == 0) {
		printf("no %stickets\n", f.all || f.status || f.priority || f.overdue ? "" : "open ");
	} else {
		printf("%-14s %-13s %-8s %-16s %-28s %s\n", "ID", "STATUS", "PRIORITY",
		       "CREATED", "REPORTER", "SUBJECT");
		for (i = 0; i < n; i++) {
			char when[32];

			printf("%-14s %-13s %-8s %-16s %-28s %s\n", list[i].ref, list[i].status,
			       list[i].priority ? list[i].priority : "-",
			       clock_format_short(list[i].created_at, when, sizeof when),
			       list[i].reporter_addr ? list[i].reporter_addr : "-",
			       list[i].subject);
		}
	}
	store_tickets_free(list, n);
	return EXIT_OK;
}
