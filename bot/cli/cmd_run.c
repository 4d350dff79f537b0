/*
 * cmd_run.c — `incident-bot run`: the service loop.
 *
 * Each round takes in all mail, sends what is due, then waits: in IDLE when
 * the server has it (woken by new mail), otherwise for poll_interval — but
 * never past the next outbox retry.  A lost connection is retried with
 * exponential backoff.  SIGTERM/SIGINT end the loop after the message in
 * hand (the pipeline commits or rolls back whole batches).  SIGHUP reloads
 * the configuration and checks the templates; a new configuration that
 * does not load, or whose templates do not render, is refused and the
 * running one kept.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/templates_check.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "outbox/render.h"
#include "service/service.h"

static const char help[] =
	"usage: incident-bot [-c FILE] run\n"
	"\n"
	"Runs the service until SIGTERM or SIGINT: takes in mail from the IMAP\n"
	"mailbox (IDLE where the server has it, polling every imap.poll_interval\n"
	"seconds otherwise), files tickets, sends the outbox, reconnects after\n"
	"network failures, and waits while the database cannot be opened or\n"
	"written (disk full, read-only, locked), the mail staying in the INBOX.\n"
	"With auth = \"xoauth2\" it renews OAuth2 tokens before they run out; a\n"
	"refused token or client secret is retried with backoff (a new secret in\n"
	"its file is used without a restart) and the admins are told by mail,\n"
	"at most once an hour.\n"
	"A backlog is read ahead on a second IMAP session and shows its progress.\n"
	"Logs to stderr.  SIGHUP reloads the configuration and the templates (a\n"
	"bad new configuration is refused and the old one kept); SIGTERM finishes\n"
	"the batch in hand and exits.\n";

static volatile sig_atomic_t stop_flag, reload_flag;
/* What IDLE and the naps watch: set by every signal, so SIGHUP wakes them too. */
static volatile sig_atomic_t wake_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
	wake_flag = 1;
}

static void log_problem(const char *problem, void *ctx)
{
	(void)ctx;
	log_error("run", "reload: %s", problem);
}

/*
 * SIGHUP: the configuration file read again and every template rendered;
 * the service restarts on the new configuration only when both are good.
 * The database cannot change under a running service.
 */
static void reload(struct cli *c, struct service *sv, struct template_set **templates)
{
	struct template_set *set = NULL;
	struct config fresh;
	struct service next;
	struct error err = { 0 };
	int checked = 0;

	log_info("run", "SIGHUP: reloading %s", c->config_path);
	if (config_load(c->config_path, &fresh, &err) < 0) {
		log_error("run", "reload refused, the running configuration is kept: %s", err.msg);
		return;
	}
	if (strcmp(fresh.database, c->cfg.database) != 0) {
		log_error("run", "reload refused: database changed (%s → %s); restart the service "
			  "for that", c->cfg.database, fresh.database);
		config_release(&fresh);
		return;
	}
	if (template_set_load(fresh.templates, &set, &err) < 0) {
		log_error("run", "reload refused, the running configuration is kept: %s", err.msg);
		config_release(&fresh);
		return;
	}
	render_pin(set);	/* what is checked is what will be served */
	if (templates_check(&fresh, clock_now(), log_problem, NULL, &checked) != 0 ||
	    config_token_secret(&fresh, &err) < 0 ||
	    service_init(&next, &fresh, c->store, &err) < 0) {
		if (err.msg[0])
			log_error("run", "reload: %s", err.msg);
		log_error("run", "reload refused, the running configuration and templates are kept");
		render_pin(*templates);
		template_set_free(set);
		config_release(&fresh);
		return;
	}
	template_set_free(*templates);
	*templates = set;
	service_release(sv);
	config_release(&c->cfg);
	c->cfg = fresh;
	next.cfg = &c->cfg;
	next.stop = &stop_flag;
	*sv = next;
	clock_set_zone(c->cfg.timezone);
	log_info("run", "reloaded: %s, %d templates", c->config_path, checked);
}

/* Sleeps up to seconds, waking early on a stop request. */
static void nap(int seconds)
{
	while (seconds-- > 0 && !wake_flag)
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

/* 5 s, 10 s, … up to 5 minutes between attempts */
static int next_backoff(int backoff)
{
	return backoff ? (backoff * 2 > 300 ? 300 : backoff * 2) : 5;
}

/*
 * Opens the database, waiting while it cannot be opened or written (disk
 * full, read-only file system, locked: policy 8(4) — the record must be
 * kept, so the service waits for it rather than dropping mail or exiting).
 * -1 on a configuration error or a stop request.
 */
static int open_store_waiting(struct cli *c)
{
	struct error err = { 0 };
	int backoff = 0;

	while (cli_open_store(c, &err) < 0) {
		if (err.cls != ERR_TEMP) {
			log_error("run", "%s", err.msg);
			return -1;
		}
		backoff = next_backoff(backoff);
		log_warn("run", "%s; the mail waits in the INBOX, retrying in %d s", err.msg,
			 backoff);
		nap(backoff);
		if (stop_flag)
			return -1;
		wake_flag = 0;
	}
	return 0;
}

int cmd_run(struct cli *c, int argc, char **argv)
{
	struct template_set *templates = NULL;
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
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (open_store_waiting(c) < 0)
		return stop_flag ? EXIT_OK : EXIT_USAGE;
	if (service_init(&sv, &c->cfg, c->store, &err) < 0)
		return cli_fail(&err, EXIT_USAGE);
	sv.stop = &stop_flag;	/* a long backlog stops after its batch in hand */
	/* the templates as they are now: later edits wait for a checked SIGHUP */
	if (template_set_load(c->cfg.templates, &templates, &err) < 0) {
		service_release(&sv);
		return cli_fail(&err, EXIT_USAGE);
	}
	render_pin(templates);

	log_info("run", "started: %s, %s", c->cfg.imap.url, c->cfg.smtp.url);

	while (!stop_flag) {
		int wait;

		if (reload_flag) {
			reload_flag = 0;
			reload(c, &sv, &templates);
		}
		wake_flag = stop_flag;

		if (service_intake(&sv, &err) < 0) {
			struct error nerr = { 0 };

			if (err.cls == ERR_FATAL) {
				log_error("run", "%s", err.msg);
				rc = EXIT_USAGE;
				break;
			}
			backoff = next_backoff(backoff);
			if (err.cls == ERR_AUTH) {
				/* issues 14, 17: a refused credential — a changed
				 * password, a revoked token, or an LDAP outage behind
				 * the server, which looks the same — must not stop the
				 * desk: retry, and tell the admins by SMTP once an hour
				 * while it lasts; a mended file needs no restart */
				log_error("run", "%s; retrying in %d s", err.msg, backoff);
				if (service_intake_down(&sv, &err, &nerr) < 0)
					log_warn("run", "cannot tell the admins: %s", nerr.msg);
			} else {
				log_warn("run", "%s; retrying in %d s", err.msg, backoff);
			}
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
			if (imap_idle(sv.imap, wait, &wake_flag, &err) < 0) {
				log_warn("run", "idle: %s", err.msg);
				service_disconnect(&sv);
			}
		} else {
			nap(wait);
		}
	}
	log_info("run", "stopping");
	service_release(&sv);
	render_pin(NULL);
	template_set_free(templates);
	return rc;
}
