/*
 * cmd_run.c — `incident-bot run`: the service loop.
 *
 * Each round takes in all mail, sends what is due, then waits: in IDLE when
 * the server has it (woken by new mail), otherwise for poll_interval — but
 * never past the next outbox retry.  A lost connection is retried with
 * exponential backoff.  SIGTERM/SIGINT end the loop after the message in
 * hand (the pipeline commits or rolls back whole batches).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "log.h"
#include "service.h"

static const char help[] =
	"usage: incident-bot [-c FILE] run\n"
	"\n"
	"Runs the service until SIGTERM or SIGINT: takes in mail from the IMAP\n"
	"mailbox (IDLE where the server has it, polling every imap.poll_interval\n"
	"seconds otherwise), files tickets, sends the outbox, reconnects after\n"
	"network failures.  Logs to stderr.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Sleeps up to seconds, waking early on a stop request. */
static void nap(int seconds)
{
	while (seconds-- > 0 && !stop_flag)
		sleep(1);
}

/* How long to wait before the next round: poll_interval, or less when
 * outbox mail becomes due sooner. */
static int wait_seconds(struct service *sv)
{
	struct error err = { 0 };
	/* at most a minute: the timers (escalations, deadlines) run each round */
	int wait = sv->cfg->imap.poll_interval < 60 ? sv->cfg->imap.poll_interval : 60;
	time_t due = 0, now = clock_now();

	if (store_outbox_next_due(sv->store, &due, &err) == 0 && due) {
		if (due <= now)
			return 1;
		if (due - now < wait)
			wait = (int)(due - now);
	}
	return wait;
}

int cmd_run(struct cli *c, int argc, char **argv)
{
	struct sigaction sa;
	struct service sv;
	struct error err = { 0 };
	int rc, backoff = 0;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return cli_usage("run", "takes no arguments");
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (service_init(&sv, &c->cfg, c->store, &err) < 0)
		return cli_fail(&err, EXIT_USAGE);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_info("run", "started: %s, %s", c->cfg.imap.url, c->cfg.smtp.url);

	while (!stop_flag) {
		int wait;

		if (service_intake(&sv, &err) < 0) {
			if (err.cls == ERR_FATAL) {
				log_error("run", "%s", err.msg);
				rc = EXIT_USAGE;
				break;
			}
			/* 5 s, 10 s, … up to 5 minutes between attempts */
			backoff = backoff ? (backoff * 2 > 300 ? 300 : backoff * 2) : 5;
			log_warn("run", "%s; retrying in %d s", err.msg, backoff);
		} else {
			backoff = 0;
		}
		if (service_timers(&sv, &err) < 0)
			log_warn("run", "%s", err.msg);
		if (service_flush(&sv, &err) < 0)
			log_warn("run", "outbox: %s", err.msg);
		if (stop_flag)
			break;
		wait = wait_seconds(&sv);
		if (backoff) {
			nap(backoff < wait ? backoff : wait);
		} else if (c->cfg.imap.idle && sv.imap && imap_has_idle(sv.imap)) {
			if (imap_idle(sv.imap, wait, &stop_flag, &err) < 0) {
				log_warn("run", "idle: %s", err.msg);
				service_disconnect(&sv);
			}
		} else {
			nap(wait);
		}
	}
	log_info("run", "stopping");
	service_release(&sv);
	return rc;
}
