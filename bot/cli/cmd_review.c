/*
 * cmd_review.c — `incident-bot review`: the policy's periodic reviews (5(1)
 * risk review, 5(2) plan verification, 6(2) drill) with when each was last
 * done and is next due; recording one as done, which stops its reminders
 * until the next is due, and, when the yearly review changed the policy,
 * drafting its announcement to every employee (5(1)); and the plan
 * verifications after a major change (5(2)), opened and closed by hand.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "notify/notify.h"
#include "rules/deadline.h"
#include "rules/policy.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] review\n"
	"       incident-bot review done risk|plan|drill [--changed TEXT]\n"
	"       incident-bot review start change TEXT\n"
	"       incident-bot review done change N\n"
	"\n"
	"Without arguments, lists the periodic reviews of the policy — risk\n"
	"review yearly (5(1)), plan verification every six months (5(2)), drills\n"
	"(6(2)) — with when each was last done and when it is next due, and the\n"
	"open plan verifications after a major change (5(2)).\n"
	"  done KIND       records KIND as done now (--now sets the time); the\n"
	"                  admins are reminded again when the next one is due.\n"
	"    --changed TEXT  the review changed the policy or the response plan:\n"
	"                  the admins get the draft of the announcement of TEXT to\n"
	"                  every employee (policy 5(1); contacts.staff).\n"
	"  start change TEXT  a major change of infrastructure or systems (5(2)):\n"
	"                  the plan must be verified within reviews.change (30d);\n"
	"                  the admins are reminded from then until it is done.\n"
	"  done change N   records that verification as done.\n";

static int list(struct cli *c)
{
	struct error err = { 0 };
	struct change_review *changes;
	time_t now = clock_now();
	size_t i, n;
	int k;

	printf("%-6s %-17s %-17s %s\n", "REVIEW", "LAST DONE", "NEXT DUE", "");
	for (k = 0; k < REVIEW_COUNT; k++) {
		struct review r;
		char last[40] = "-", next[40] = "-";
		time_t due = 0;
		int rc = store_review_get(c->store, review_name(k), &r, &err);

		if (rc < 0)
			return cli_fail(&err, EXIT_RUNTIME);
		if (rc == 1) {
			due = span_add(r.last_done, &c->cfg.policy.review_every[k]);
			clock_format_short(r.last_done, last, sizeof last);
			clock_format_short(due, next, sizeof next);
			if (!r.done_by)		/* the bot's first pass started the clock */
				snprintf(last, sizeof last, "(never)");
		}
		printf("%-6s %-17s %-17s %s%s\n", review_name(k), last, next,
		       rc == 1 && due <= now ? "DUE  " : "", review_label(k));
		store_review_release(&r);
	}
	if (store_change_review_list(c->store, true, &changes, &n, &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);
	for (i = 0; i < n; i++) {
		char opened[40], due[40];

		clock_format_short(changes[i].opened_at, opened, sizeof opened);
		clock_format_short(changes[i].due_at, due, sizeof due);
		printf("change %-4" PRId64 " %-12s %-17s %s5(2) after: %s\n", changes[i].id, opened,
		       due, changes[i].due_at <= now ? "DUE  " : "", changes[i].what);
	}
	store_change_reviews_free(changes, n);
	return EXIT_OK;
}

/* One step in a transaction of its own, then the list. */
static int commit(struct cli *c, struct error *err)
{
	if (store_commit(c->store, err) < 0) {
		store_rollback(c->store);
		return cli_fail(err, EXIT_RUNTIME);
	}
	return list(c);
}

/* review start change TEXT */
static int start_change(struct cli *c, const char *what)
{
	struct error err = { 0 };
	time_t now = clock_now(), due = span_add(now, &c->cfg.policy.review_change);
	char when[40];
	int64_t id;

	if (!*what)
		return cli_usage("review", "say what changed: review start change \"TEXT\"");
	if (store_begin(c->store, &err) < 0 ||
	    store_change_review_open(c->store, what, "operator (CLI)", now, due, &id, &err) < 0 ||
	    store_event_add(c->store, 0, now, "operator (CLI)", "review-change-opened", what,
			    &err) < 0) {
		store_rollback(c->store);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	printf("change %" PRId64 " opened: verify the plan by %s (policy 5(2))\n", id,
	       clock_format_short(due, when, sizeof when));
	return commit(c, &err);
}

/* review done change N */
static int done_change(struct cli *c, const char *number)
{
	struct error err = { 0 };
	char *end;
	long long id;
	int rc;

	errno = 0;
	id = strtoll(number, &end, 10);
	if (errno || end == number || *end || id <= 0)
		return cli_usage("review", "\"%s\" is not a change number (see 'review')", number);
	if (store_begin(c->store, &err) < 0 ||
	    (rc = store_change_review_done(c->store, id, clock_now(), "operator (CLI)", &err)) < 0 ||
	    (rc == 1 && store_event_add(c->store, 0, clock_now(), "operator (CLI)",
					"review-change-done", number, &err) < 0)) {
		store_rollback(c->store);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	if (rc == 0) {
		store_rollback(c->store);
		return cli_usage("review", "no open change review %lld (see 'review')", id);
	}
	printf("change %lld recorded as verified\n", id);
	return commit(c, &err);
}

/* review done KIND [--changed TEXT] */
static int done(struct cli *c, const char *kind, const char *changed)
{
	struct error err = { 0 };
	time_t now = clock_now();

	if (store_begin(c->store, &err) < 0 ||
	    store_review_done(c->store, kind, now, "operator (CLI)", &err) < 0 ||
	    store_event_add(c->store, 0, now, "operator (CLI)", "review-done", kind, &err) < 0 ||
	    (changed && (store_event_add(c->store, 0, now, "operator (CLI)", "policy-changed",
					 changed, &err) < 0 ||
			 notify_policy_change(&c->cfg, c->store, changed, now, &err) < 0))) {
		store_rollback(c->store);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	printf("%s recorded as done\n", kind);
	if (changed)
		printf("the announcement to every employee is drafted to the admins (policy 5(1))\n");
	return commit(c, &err);
}

int cmd_review(struct cli *c, int argc, char **argv)
{
	const char *changed = NULL;
	int rc, k;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc == 5 && strcmp(argv[3], "--changed") == 0) {
		changed = argv[4];
		argc = 3;
		if (!*changed)
			return cli_usage("review", "--changed needs the text of the change");
	}
	if (argc != 1 && !(argc == 3 && strcmp(argv[1], "done") == 0) &&
	    !(argc == 4 && strcmp(argv[1], "done") == 0 && strcmp(argv[2], "change") == 0) &&
	    !(argc == 4 && strcmp(argv[1], "start") == 0 && strcmp(argv[2], "change") == 0))
		return cli_usage("review", "use 'review', 'review done risk|plan|drill "
				 "[--changed TEXT]', 'review start change TEXT' or 'review done "
				 "change N'");
	if (argc == 3) {
		for (k = 0; k < REVIEW_COUNT; k++)
			if (strcmp(argv[2], review_name(k)) == 0)
				break;
		if (k == REVIEW_COUNT)
			return cli_usage("review", "unknown review \"%s\" (risk, plan or drill)",
					 argv[2]);
	}
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (argc == 1)
		return list(c);
	if (argc == 4)
		return strcmp(argv[1], "start") == 0 ? start_change(c, argv[3])
						     : done_change(c, argv[3]);
	return done(c, argv[2], changed);
}
