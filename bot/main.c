/*
 * main.c — incident-bot's entry point: global options, then a dispatch
 * table over the commands in cmd_*.c (like git's builtins).
 *
 * To add a command: write cmd_NAME.c with int cmd_NAME(struct cli *, int,
 * char **), declare it in cli.h, add a row to `commands`, list the file in
 * the Makefile, and document it in README.md.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli/cli.h"
#include "lib/log.h"

static const struct command {
	const char *name;
	int (*run)(struct cli *, int, char **);
	const char *summary;
	bool shows_mail;	/* prints text from mail: through cli_safe (issue 14, V9) */
} commands[] = {
	{ "run", cmd_run, "the service: IDLE/poll loop, timers, outbox", false },
	{ "poll", cmd_poll, "one pass (--once): fetch, process, flush the outbox, exit", false },
	{ "check-config", cmd_check_config, "validate configuration and templates", false },
	{ "tickets", cmd_tickets, "list open tickets ([--all] [--status S] [--priority P] [--overdue] [--json])", true },
	{ "show", cmd_show, "one ticket: obligations, notes, what people wrote (ID [--full] [--json])", true },
	{ "digest", cmd_digest, "print (--html, or --send) the management digest now", true },
	{ "outbox", cmd_outbox, "pending, sent and failed mail ([--all] [--state S] [--json])", true },
	{ "mail", cmd_mail, "the machines' mail that opened no ticket (--automatic [--since T] [--json])", true },
	{ "backup", cmd_backup, "a consistent, verified copy of the live database", false },
	{ "review", cmd_review, "the policy's periodic reviews; 'review done KIND', 'review start change TEXT'", false },
	{ "export", cmd_export, "the evidence folder of one ticket (ID [--out DIR])", false },
	{ "verify", cmd_verify, "check the event log's hash chain and the messages' hashes", false },
};

#define DEFAULT_CONFIG "/etc/incident-bot/incident-bot.conf"

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"usage: incident-bot [-c FILE] [--now TIME] [-v|-q] COMMAND [ARGS]\n"
		"\n"
		"  -c, --config FILE   configuration (default $INCIDENT_BOT_CONFIG or %s)\n"
		"  --now TIME          fix the clock for this run, e.g. 2026-11-25T09:30+09:00\n"
		"  -v, --verbose       log debug lines too\n"
		"  -q, --quiet         log only warnings and errors\n"
		"\n"
		"commands:\n", DEFAULT_CONFIG);
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'incident-bot COMMAND --help' tells more about a command.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "now", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *now_text = NULL;
	size_t i;
	int opt, rc;

	/* Issue 14 (V8): everything the bot creates — the database with its
	 * personal data and raw mail, its WAL, backups, exports, spool
	 * files — is the operator's alone, whatever umask we were started
	 * with (a shell's 022 made the database 0644). */
	umask(077);
	/* A peer that drops a TLS connection must give us EPIPE, not kill us
	 * (libetpan writes with send() without MSG_NOSIGNAL). */
	signal(SIGPIPE, SIG_IGN);
	cli.config_path = getenv("INCIDENT_BOT_CONFIG");
	if (!cli.config_path)
		cli.config_path = DEFAULT_CONFIG;
	/* "+": stop at the command, whose own options follow it. */
	while ((opt = getopt_long(argc, argv, "+c:vqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cli.config_path = optarg; break;
		case 'n': now_text = optarg; break;
		case 'v': log_set_level(LOG_DEBUG); break;
		case 'q': log_set_level(LOG_WARN); break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == sizeof commands / sizeof commands[0]) {
		fprintf(stderr, "incident-bot: unknown command \"%s\"\n\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	cli.now_text = now_text;	/* read once the configured zone is known */
	{
		struct cli_safe safe;
		bool wrap = commands[i].shows_mail && cli_safe_begin(&safe) == 0;

		rc = commands[i].run(&cli, argc - optind, argv + optind);
		if (wrap)
			cli_safe_end(&safe);
	}
	cli_release(&cli);
	return rc;
}
