/*
 * cmd_poll.c — `incident-bot poll --once`: one pass of the service (fetch,
 * process, send what is due) and exit.  For cron, tests and demos.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "outbox/render.h"
#include "service/service.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] poll --once\n"
	"\n"
	"Takes in every message in the IMAP mailbox (new tickets, follow-ups),\n"
	"moves each to the processed folder after it is committed, fires the\n"
	"policy's timers that are due (escalations, reminders, overdue\n"
	"obligations, the digest, periodic reviews), sends the outbox mail\n"
	"that is due, and exits: 0 when all went well, 1 when the\n"
	"mail server or the database failed (nothing is lost: run it again).\n";

int cmd_poll(struct cli *c, int argc, char **argv)
{
	struct template_set *templates = NULL;
	struct service sv;
	struct error err = { 0 }, timer_err = { 0 }, send_err = { 0 };
	int rc, intake_rc, timers_rc, flush_rc;
	double t[4];	/* when each step began and the last ended, for -v */

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc != 2 || strcmp(argv[1], "--once") != 0)
		return cli_usage("poll", "needs --once (the service loop is 'run')");
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (service_init(&sv, &c->cfg, c->store, &err) < 0)
		return cli_fail(&err, EXIT_USAGE);
	/* every template read once, not once per mail of a long backlog */
	if (template_set_load(c->cfg.templates, &templates, &err) < 0) {
		service_release(&sv);
		return cli_fail(&err, EXIT_USAGE);
	}
	render_pin(templates);

	t[0] = clock_monotonic();
	intake_rc = service_intake(&sv, &err);
	if (intake_rc < 0)
		log_error("poll", "%s", err.msg);
	/* The timers and the outbox run even when intake failed: the clock
	 * does not wait, and earlier mail may be waiting. */
	t[1] = clock_monotonic();
	timers_rc = service_timers(&sv, &timer_err);
	if (timers_rc < 0)
		log_error("poll", "%s", timer_err.msg);
	t[2] = clock_monotonic();
	flush_rc = service_flush(&sv, &send_err);
	if (flush_rc < 0)
		log_error("poll", "%s", send_err.msg);
	t[3] = clock_monotonic();
	log_debug("poll", "intake %.2f s, timers %.2f s, outbox %.2f s", t[1] - t[0], t[2] - t[1],
		  t[3] - t[2]);
	log_info("poll", "%zu new tickets, %zu follow-ups, %zu duplicates, %zu automatic, %zu unparseable",
		 sv.totals.new_tickets, sv.totals.follow_ups, sv.totals.duplicates,
		 sv.totals.automatic, sv.totals.unparseable);
	service_release(&sv);
	render_pin(NULL);
	template_set_free(templates);
	if (intake_rc < 0)
		/* a refused credential is the configuration's, as a bad password is */
		return cli_fail(&err, err.cls == ERR_FATAL || err.cls == ERR_AUTH ?
				EXIT_USAGE : EXIT_RUNTIME);
	if (timers_rc < 0)
		return cli_fail(&timer_err, EXIT_RUNTIME);
	if (flush_rc < 0)
		return cli_fail(&send_err, EXIT_RUNTIME);
	return EXIT_OK;
}
