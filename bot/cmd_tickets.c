/*
 * cmd_tickets.c — `incident-bot tickets [--all] [--json]`: the list of open
 * (or all) tickets, newest first.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "json.h"
#include "ticket_json.h"

static const char help[] =
	"usage: incident-bot [-c FILE] tickets [--all] [--json]\n"
	"\n"
	"Lists the tickets that are not closed, newest first.\n"
	"  --all    closed ones too\n"
	"  --json   a JSON array of ticket objects, for scripts\n";

int cmd_tickets(struct cli *c, int argc, char **argv)
{
	struct ticket *list = NULL;
	struct error err = { 0 };
	bool all = false, as_json = false;
	size_t n = 0, i;
	int rc, a;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--all") == 0)
			all = true;
		else if (strcmp(argv[a], "--json") == 0)
			as_json = true;
		else
			return cli_usage("tickets", "unknown argument \"%s\"", argv[a]);
	}
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (store_ticket_list(c->store, all, &list, &n, &err) < 0)
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
		printf("no %stickets\n", all ? "" : "open ");
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
