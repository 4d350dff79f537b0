/*
 * cmd_review.c — `incident-bot review [done KIND]`: the policy's periodic
 * reviews (5(1) risk review, 5(2) plan verification, 6(2) drill): when
 * each was last done and is next due, and recording one as done, which
 * stops its reminders until the next is due.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "desk/timers.h"
#include "lib/clock.h"
#include "rules/deadline.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] review [done risk|plan|drill]\n"
	"\n"
	"Without arguments, lists the periodic reviews of the policy — risk\n"
	"review yearly (5(1)), plan verification every six months (5(2)), drills\n"
	"(6(2)) — with when each was last done and when it is next due.\n"
	"  done KIND   records KIND as done now (--now sets the time); the admins\n"
	"              are reminded again when the next one is due.\n";

static int list(struct cli *c)
{
	struct error err = { 0 };
	time_t now = clock_now();
	int k;

	printf("%-6s %-17s %-17s %s\n", "REVIEW", "LAST DONE", "NEXT DUE", "");
	for (k = 0; k < REVIEW_COUNT; k++) {
		struct review r;
		char last[40] = "-", next[40] = "-";
		time_t due = 0;
		int rc = store_review_get(c->store, timers_review_name(k), &r, &err);

		if (rc < 0)
			return cli_fail(&err, EXIT_RUNTIME);
		if (rc == 1) {
			due = span_add(r.last_done, &c->cfg.policy.review_every[k]);
			clock_format_short(r.last_done, last, sizeof last);
			clock_format_short(due, next, sizeof next);
			if (!r.done_by)		/* the bot's first pass started the clock */
				snprintf(last, sizeof last, "(never)");
		}
		printf("%-6s %-17s %-17s %s%s\n", timers_review_name(k), last, next,
		       rc == 1 && due <= now ? "DUE  " : "", timers_review_label(k));
		store_review_release(&r);
	}
	return EXIT_OK;
}

int cmd_review(struct cli *c, int argc, char **argv)
{
	struct error err = { 0 };
	int rc, k;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc != 1 && !(argc == 3 && strcmp(argv[1], "done") == 0))
		return cli_usage("review", "use 'review' or 'review done risk|plan|drill'");
	for (k = 0; argc == 3 && k < REVIEW_COUNT; k++)
		if (strcmp(argv[2], timers_review_name(k)) == 0)
			break;
	if (argc == 3 && k == REVIEW_COUNT)
		return cli_usage("review", "unknown review \"%s\" (risk, plan or drill)", argv[2]);
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (argc == 1)
		return list(c);
	if (store_begin(c->store, &err) < 0 ||
	    store_review_done(c->store, argv[2], clock_now(), "operator (CLI)", &err) < 0 ||
	    store_event_add(c->store, 0, clock_now(), "operator (CLI)", "review-done", argv[2],
			    &err) < 0 ||
	    store_commit(c->store, &err) < 0) {
		store_rollback(c->store);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	printf("%s recorded as done\n", argv[2]);
	return list(c);
}
