/*
 * cmd_digest.c — `incident-bot digest [--send]`: the management digest
 * (SPEC 4, briefing.h) now, printed, or queued to management and sent.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "notify/briefing.h"
#include "service/service.h"

static const char help[] =
	"usage: incident-bot [-c FILE] [--now TIME] digest [--html | --send]\n"
	"\n"
	"Prints the management digest as of now (or --now): each open incident\n"
	"with its people affected, status, owner and next statutory deadline;\n"
	"obligations overdue and due within 48 h, statutory, contractual and\n"
	"internal apart; what was done or became late since the last digest;\n"
	"unacknowledged and closed tickets, median times to acknowledge and to\n"
	"recovery, and the periodic reviews that are due.\n"
	"  --html   print the HTML version (the mail's alternative part) instead\n"
	"  --send   instead, queue it (text and HTML) to every person with role\n"
	"           management, record it as the last digest, and send the outbox;\n"
	"           prints how many were queued and sent.  A mail the server does\n"
	"           not take now stays queued: `run` or `poll --once` retries it.\n"
	"           Exit 1 when the database failed, 2 when nobody has the role\n"
	"           management or the configuration is wrong.\n";

/* How many digest mails queued at now are still waiting to be sent. */
static int still_pending(struct store *st, time_t now, size_t *pending, struct error *err)
{
	struct outbox_entry *e;
	size_t n, i;

	*pending = 0;
	if (store_outbox_list(st, 0, false, &e, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		*pending += e[i].state == OUTBOX_PENDING && e[i].created_at == now &&
			    strcmp(e[i].kind, "digest") == 0;
	store_outbox_free(e, n);
	return 0;
}

/* Queues the digest and records it as the last one, in one transaction. */
static int queue(struct cli *c, time_t now, time_t since, struct error *err)
{
	int queued;

	if (store_begin(c->store, err) < 0)
		return -1;
	if ((queued = briefing_queue(&c->cfg, c->store, now, since, err)) < 0 ||
	    (queued > 0 && briefing_mark(c->store, now, err) < 0) ||
	    store_commit(c->store, err) < 0) {
		store_rollback(c->store);
		return -1;
	}
	return queued;
}

int cmd_digest(struct cli *c, int argc, char **argv)
{
	struct service sv;
	struct error err = { 0 };
	bool send = false, html = false;
	time_t now, since;
	size_t pending;
	int rc, a, queued;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--send") == 0)
			send = true;
		else if (strcmp(argv[a], "--html") == 0)
			html = true;
		else
			return cli_usage("digest", "unknown argument \"%s\"", argv[a]);
	}
	if (send && html)
		return cli_usage("digest", "--html prints; --send sends both versions: use one");
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	now = clock_now();
	if (briefing_since(c->store, &since, &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);
	if (!send) {
		if (briefing_print(&c->cfg, c->store, now, since, html, stdout, &err) < 0)
			return cli_fail(&err, err.cls == ERR_TEMP ? EXIT_RUNTIME : EXIT_USAGE);
		return EXIT_OK;
	}

	/* The secrets first: a configuration error queues nothing. */
	if (service_init(&sv, &c->cfg, c->store, &err) < 0)
		return cli_fail(&err, EXIT_USAGE);
	if ((queued = queue(c, now, since, &err)) < 0) {
		service_release(&sv);
		return cli_fail(&err, err.cls == ERR_TEMP ? EXIT_RUNTIME : EXIT_USAGE);
	}
	if (queued == 0) {
		service_release(&sv);
		fprintf(stderr, "incident-bot: no person has the role \"management\": nobody to "
			"send the digest to (add roles = {\"management\"} to a person in %s)\n",
			c->cfg.path);
		return EXIT_USAGE;
	}
	printf("digest: %d mail%s queued for management\n", queued, queued == 1 ? "" : "s");
	rc = service_flush(&sv, &err);
	service_release(&sv);
	if (rc < 0 || still_pending(c->store, now, &pending, &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);
	if (pending)
		printf("digest: %zu not sent yet (the mail server did not take them): "
		       "`run` or `poll --once` retries\n", pending);
	else
		printf("digest: sent\n");
	return EXIT_OK;
}
