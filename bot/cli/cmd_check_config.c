/*
 * cmd_check_config.c — `incident-bot check-config [--connect]`: validates
 * the configuration, the secret files and every template (rendered as its
 * mail would be, for a full and an empty sample ticket: notify_sample_vars),
 * and with --connect logs in to the IMAP and SMTP servers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/templates_check.h"
#include "imap/imap.h"
#include "lib/clock.h"
#include "lib/oauth2.h"
#include "lib/secret.h"
#include "mime/mail.h"
#include "notify/notify.h"
#include "outbox/render.h"
#include "outbox/smtp.h"
#include "rules/policy.h"

static const char help[] =
	"usage: incident-bot [-c FILE] check-config [--connect]\n"
	"\n"
	"Checks the configuration file, the secret files (they must not be\n"
	"readable by group or others), the CA files, and renders every template\n"
	"with the variables its mail gets, for a sample ticket with every field\n"
	"filled and for one with none, reporting unknown variables and syntax\n"
	"errors with file and line.  Exit 0 when all is well, 2 otherwise.\n"
	"  --connect   also log in to the IMAP and SMTP servers (TLS verified);\n"
	"              with auth = \"xoauth2\", first get a token from oauth2.token_url\n";

static int check_readable(const char *what, const char *path)
{
	if (path && access(path, R_OK) != 0) {
		fprintf(stderr, "incident-bot: %s %s cannot be read (check the path)\n", what, path);
		return -1;
	}
	return 0;
}

static void report_problem(const char *problem, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "incident-bot: %s\n", problem);
}

/* Every template rendered as its mail would be (templates_check.h). */
static int check_templates(const struct config *cfg)
{
	int checked = 0, bad = templates_check(cfg, clock_now(), report_problem, NULL, &checked);

	if (bad >= 0)
		printf("templates: %d checked in %s\n", checked, cfg->templates);
	return bad ? -1 : 0;
}

/* The oauth2 section's secret files: readable, owner only (secret.h). */
static int check_oauth2_files(const struct config *cfg)
{
	const struct oauth2_config *o = &cfg->oauth2;
	const char *files[2] = { o->client_secret_file, o->refresh_token_file };
	const char *names[2] = { "oauth2.client_secret_file", "oauth2.refresh_token_file" };
	struct error err = { 0 };
	int bad = 0, i;
	char *s;

	for (i = 0; i < 2; i++) {
		if (!files[i])
			continue;
		if (secret_read(files[i], &s, &err) < 0) {
			fprintf(stderr, "incident-bot: %s: %s\n", names[i], err.msg);
			bad++;
		}
		secret_free(s);
	}
	return bad + (check_readable("oauth2.ca_file", o->ca_file) < 0);
}

/* --connect: one token from the endpoint, or what it said, before any login. */
static int check_token(const struct config *cfg, struct oauth2 *o)
{
	struct error err = { 0 };
	char *token = NULL;

	if (oauth2_token(o, &token, &err) < 0) {
		fprintf(stderr, "incident-bot: %s\n", err.msg);
		return -1;
	}
	secret_free(token);
	printf("oauth2: token from %s (grant %s, client_id %s)\n", cfg->oauth2.token_url,
	       cfg->oauth2.refresh_token_file ? "refresh_token" : "client_credentials",
	       cfg->oauth2.client_id);
	return 0;
}

static int check_imap_login(const struct config *cfg, const char *password, struct oauth2 *oa)
{
	struct imap_options o = {
		.host = cfg->imap.host, .port = cfg->imap.port,
		.implicit_tls = cfg->imap.implicit_tls, .mailbox = cfg->imap.mailbox,
		.user = cfg->imap.user, .password = password, .ca_file = cfg->imap.ca_file,
		.timeout = cfg->imap.timeout,
		.oauth2 = cfg->imap.auth == LOGIN_XOAUTH2 ? oa : NULL,
	};
	struct imap_session *s;
	struct error err = { 0 };

	if (imap_open(&o, &s, &err) < 0) {
		fprintf(stderr, "incident-bot: %s\n", err.msg);
		return -1;
	}
	printf("imap: logged in to %s as %s%s\n", cfg->imap.url, cfg->imap.user,
	       o.oauth2 ? " (XOAUTH2)" : "");
	imap_close(s);
	return 0;
}

static int check_smtp_login(const struct config *cfg, const char *password, struct oauth2 *oa)
{
	struct smtp_options o = {
		.url = cfg->smtp.url, .starttls = cfg->smtp.starttls, .user = cfg->smtp.user,
		.password = password, .ca_file = cfg->smtp.ca_file, .timeout = cfg->smtp.timeout,
		.oauth2 = cfg->smtp.auth == LOGIN_XOAUTH2 ? oa : NULL,
	};
	struct smtp_client *c = smtp_new(&o);
	struct error err = { 0 };
	int rc;

	if (!c) {
		fprintf(stderr, "incident-bot: smtp: cannot start the client\n");
		return -1;
	}
	rc = smtp_check(c, &err);
	if (rc < 0)
		fprintf(stderr, "incident-bot: %s\n", err.msg);
	else
		printf("smtp: connected to %s%s%s%s\n", cfg->smtp.url,
		       cfg->smtp.user ? " as " : "", cfg->smtp.user ? cfg->smtp.user : "",
		       o.oauth2 ? " (XOAUTH2)" : "");
	smtp_free(c);
	return rc;
}

int cmd_check_config(struct cli *c, int argc, char **argv)
{
	struct error err = { 0 };
	char *imap_pw = NULL, *smtp_pw = NULL;
	struct oauth2 *oa = NULL;
	bool connect = false, token_ok = true;
	int rc, bad = 0, a;
	size_t i, admins = 0;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--connect") == 0)
			connect = true;
		else
			return cli_usage("check-config", "unknown argument \"%s\"", argv[a]);
	}
	if ((rc = cli_load_config(c)) != EXIT_OK)
		return rc;
	printf("config: %s\n", c->cfg.path);

	if (c->cfg.imap.auth == LOGIN_PASSWORD &&
	    config_read_secret(c->cfg.imap.password_file, &imap_pw, &err) < 0) {
		cli_fail(&err, 0);
		bad++;
	}
	if (c->cfg.smtp.auth == LOGIN_PASSWORD && c->cfg.smtp.password_file &&
	    config_read_secret(c->cfg.smtp.password_file, &smtp_pw, &err) < 0) {
		cli_fail(&err, 0);
		bad++;
	}
	if (c->cfg.oauth2.token_url)
		bad += check_oauth2_files(&c->cfg);
	bad += check_readable("imap.ca_file", c->cfg.imap.ca_file) < 0;
	bad += check_readable("smtp.ca_file", c->cfg.smtp.ca_file) < 0;
	for (i = 0; i < c->cfg.n_persons; i++)
		admins += (c->cfg.persons[i].roles & ROLE_ADMIN) != 0;
	if (admins == 0) {
		/* policy 7-1: reports go to the system or EC administrator */
		fprintf(stderr, "incident-bot: no person has the role \"admin\": nobody would get the alarms\n");
		bad++;
	}
	bad += check_templates(&c->cfg) < 0;
	{	/* issue 12: a warning, not a refusal: the company may know better */
		struct deadline_warning w[8];
		size_t k, n = deadline_check_limits(&c->cfg.policy, clock_now(), w, 8);

		for (k = 0; k < n; k++)
			fprintf(stderr, "incident-bot: warning: %s\n", w[k].text);
	}
	if (connect && config_uses_oauth2(&c->cfg)) {
		struct oauth2_options oo = config_oauth2_options(&c->cfg);

		if (!(oa = oauth2_new(&oo))) {
			fprintf(stderr, "incident-bot: oauth2: cannot start the token client\n");
			bad++;
		} else if (check_token(&c->cfg, oa) < 0) {
			bad++;
		}
		/* without a token no XOAUTH2 login can work: one message is enough */
		token_ok = oa && oauth2_fetches(oa) > 0;
	}
	if (connect && (imap_pw || (c->cfg.imap.auth == LOGIN_XOAUTH2 && token_ok)))
		bad += check_imap_login(&c->cfg, imap_pw, oa) < 0;
	if (connect && (c->cfg.smtp.auth == LOGIN_XOAUTH2 ? token_ok :
			(smtp_pw || !c->cfg.smtp.password_file)))
		bad += check_smtp_login(&c->cfg, smtp_pw, oa) < 0;
	oauth2_free(oa);
	if (imap_pw)
		explicit_bzero(imap_pw, strlen(imap_pw));
	if (smtp_pw)
		explicit_bzero(smtp_pw, strlen(smtp_pw));
	free(imap_pw);
	free(smtp_pw);
	if (bad) {
		fprintf(stderr, "incident-bot: %d problem%s found\n", bad, bad == 1 ? "" : "s");
		return EXIT_USAGE;
	}
	printf("ok\n");
	return EXIT_OK;
}
