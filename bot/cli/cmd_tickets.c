/*
 * cmd_tickets.c — `incident-bot tickets [--all] [--status S] [--priority P]
 * [--overdue] [--json]`: the list of open (or all) tickets, newest first,
 * with owner, next deadline and drill marker in aligned columns.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "cli/ticket_json.h"
#include "cli/ticket_text.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "rules/policy.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] tickets [--all] [--status STATUS]\n"
	"                    [--priority high|medium|low] [--overdue] [--json]\n"
	"\n"
	"Lists the tickets that are not closed, newest first: each with its owner,\n"
	"its next deadline and the time left (or how late it is), and 訓練 for a drill.\n"
	"  --all             closed ones too\n"
	"  --status STATUS   only tickets in STATUS (new, acknowledged, investigating,\n"
	"                    containing, reporting, recovering, resolved, closed)\n"
	"  --priority P      only tickets of priority P (policy 7-2)\n"
	"  --overdue         only tickets with an obligation past its due time\n"
	"  --json            a JSON array of ticket objects, for scripts (next_deadline:\n"
	"                    the next open obligation, as in show --json, or null)\n";

/* The tickets as a JSON array; each with next_deadline, its next open
 * obligation as show --json writes one (null when none).  0 or -1. */
static int print_json(struct cli *c, const struct ticket *list, size_t n, time_t now,
		      struct error *err)
{
	struct obligation *obl = NULL;
	size_t n_obl = 0, i;
	struct json j;

	if (store_obligation_list(c->store, 0, &obl, &n_obl, err) < 0)
		return -1;
	json_init(&j, stdout);
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		const struct obligation *o = ticket_text_next(obl, n_obl, list[i].id);
		struct policy_facts facts = store_ticket_facts(&list[i]);

		json_object_begin(&j);
		ticket_json_fields(&j, &list[i]);
		json_key(&j, "next_deadline");
		if (o)
			obligation_json(&j, o, &facts, now);
		else
			json_null(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	store_obligations_free(obl, n_obl);
	return 0;
}

/*
 * Issue 13, point 9: one line a ticket, in columns that line up in any
 * script (cli/table.h) — who owns it (by name), its next deadline with
 * the time left or how late it is, whether it is a drill — and the
 * subject in what the terminal's width leaves.  0, or -1 (err set).
 */
static int print_list(struct cli *c, const struct ticket *list, size_t n, time_t now,
		      struct error *err)
{
	static const struct table_col head[] = {
		{ "ID", 0 }, { "STATUS", 0 }, { "PRI", 0 }, { "OWNER", 12 },
		{ "NEXT DEADLINE", 44 }, { "DRILL", 0 }, { "SUBJECT", 0 },
	};
	struct obligation *obl = NULL;
	size_t n_obl = 0, i;
	struct table *tb;

	/* the open obligations of every ticket not settled: one query */
	if (store_obligation_list(c->store, 0, &obl, &n_obl, err) < 0)
		return -1;
	tb = table_new(head, sizeof head / sizeof *head);
	for (i = 0; tb && i < n; i++) {
		const struct obligation *o = ticket_text_next(obl, n_obl, list[i].id);
		char owner[320], next[128], left[64];
		const char *cells[7];

		/* "ppc-preliminary 残り2日3時間 [法定期限]": show has the due time;
		 * the kind, as statutory, contractual and internal deadlines
		 * must not look the same (SPEC 5) */
		if (o) {
			struct policy_facts facts = store_ticket_facts(&list[i]);
			int k = obligation_from_name(o->kind);

			snprintf(next, sizeof next, "%s %s [%s]", o->kind,
				 ticket_text_left(o, now, left, sizeof left),
				 deadline_kind_label(policy_deadline_kind(k >= 0 ? k : OBL_COUNT,
									  &facts)));
		}
		cells[0] = list[i].ref;
		cells[1] = status_name(list[i].status);
		cells[2] = list[i].priority >= 0 ? priority_name(list[i].priority) : NULL;
		cells[3] = ticket_text_person(&c->cfg, list[i].owner, false, owner, sizeof owner);
		cells[4] = o ? next : NULL;
		/* policy 6-2: a drill must never pass for the real thing */
		cells[5] = list[i].flags & FLAG_BIT(FLAG_DRILL) ? "訓練" : "";
		cells[6] = list[i].subject;
		if (table_row(tb, cells) < 0) {
			table_free(tb);
			tb = NULL;
		}
	}
	store_obligations_free(obl, n_obl);
	if (!tb) {
		error_set(err, ERR_TEMP, "tickets: out of memory");
		return -1;
	}
	table_print(tb, stdout, "", cli_columns());
	table_free(tb);
	return 0;
}

int cmd_tickets(struct cli *c, int argc, char **argv)
{
	struct ticket *list = NULL;
	struct error err = { 0 };
	struct ticket_filter f = { 0 };
	bool as_json = false;
	size_t n = 0;
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
		if (print_json(c, list, n, f.now, &err) < 0) {
			store_tickets_free(list, n);
			return cli_fail(&err, EXIT_RUNTIME);
		}
	} else if (n == 0) {
		printf("no %stickets\n", f.all || f.status || f.priority || f.overdue ? "" : "open ");
	} else if (print_list(c, list, n, f.now, &err) < 0) {
		store_tickets_free(list, n);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	store_tickets_free(list, n);
	return EXIT_OK;
}
