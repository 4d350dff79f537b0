/*
 * cmd_check_config.c — `incident-bot check-config [--connect]`: validates
 * the configuration, the secret files and every template (rendered against
 * a sample ticket), and with --connect logs in to the IMAP server.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "briefing.h"
#include "cli.h"
#include "clock.h"
#include "imap.h"
#include "mail.h"
#include "policy.h"
#include "render.h"
#include "smtp.h"
#include "vars.h"

static const char help[] =
	"usage: incident-bot [-c FILE] check-config [--connect]\n"
	"\n"
	"Checks the configuration file, the secret files (they must not be\n"
	"readable by group or others), the CA files, and renders every template\n"
	"against a sample ticket, reporting unknown variables and syntax errors\n"
	"with file and line.  Exit 0 when all is well, 2 otherwise.\n"
	"  --connect   also log in to the IMAP and SMTP servers (TLS verified)\n";

static int check_readable(const char *what, const char *path)
{
	if (path && access(path, R_OK) != 0) {
		fprintf(stderr, "incident-bot: %s %s cannot be read (check the path)\n", what, path);
		return -1;
	}
	return 0;
}

/* Renders every *.txt template with a made-up ticket and report. */
static int check_templates(const struct config *cfg)
{
	struct ticket t = {
		.ref = "INC-2026-0001",
		.subject = "サンプル: 不正アクセスの疑い",
		.status = "new",
		.reporter_addr = "reporter@example.com",
		.reporter_name = "報告 太郎",
		.type = "data-leak", .priority = "high", .source = "external-notice",
		.flags = FLAG_BIT(FLAG_PERSONAL_DATA) | FLAG_BIT(FLAG_AMAZON), .affected = 1200,
		.classify_why = "種別 data-leak: 流出 / 優先度 high: 顧客",
	};
	struct checklist_item item = { .pos = 1, .text = "被害の詳細と稼働状況を確認する（規程 7-2）" };
	struct obligation obl = { .kind = "amazon", .state = "open" };
	struct mail_attachment att = { .filename = "log.txt", .content_type = "text/plain",
				       .size = 42 };
	struct mail m = {
		.subject = t.subject, .body = "サンプルの本文です。\nSample body.\n",
		.message_id = "sample@example.com", .date_raw = "Wed, 25 Nov 2026 10:00:00 +0900",
		.attachments = &att, .n_attachments = 1,
	};
	struct tvars *vars;
	struct dirent *de;
	int bad = 0, count = 0;
	DIR *d;

	t.created_at = t.aware_at = clock_now();
	obl.start_at = t.aware_at;
	obl.due_at = t.aware_at + 86400;
	vars = vars_for_ticket(cfg, &t, &m);
	if (vars && vars_add_policy(vars, &t, &item, 1, &obl, 1, clock_now()) < 0) {
		tvars_free(vars);
		vars = NULL;
	}
	/* The variables only some templates get (see templates/README.md). */
	if (vars && (tvars_set(vars, "bounced_kind", "ack") < 0 ||
		     tvars_set(vars, "bounced_to", "reporter@example.com") < 0 ||
		     tvars_set(vars, "bounced_subject", "[INC-2026-0001] 受付しました") < 0 ||
		     tvars_set(vars, "bounce_reason", "5.1.1 (smtp; 550 user unknown)") < 0 ||
		     tvars_set(vars, "full_size", "30000000") < 0 ||
		     tvars_set(vars, "kept_size", "26214400") < 0 ||
		     tvars_set(vars, "cut_from", "reporter@example.com") < 0 ||
		     tvars_set(vars, "cut_subject", "ログ一式") < 0 ||
		     tvars_set(vars, "escalation_stage", "1") < 0 ||
		     tvars_set(vars, "unacked_for", "30分") < 0 ||
		     tvars_set(vars, "obligation_kind", "amazon") < 0 ||
		     tvars_set(vars, "obligation_label", "Amazon への通知") < 0 ||
		     tvars_set(vars, "obligation_due", "2026-11-26 10:00") < 0 ||
		     tvars_set(vars, "obligation_left", "2時間0分") < 0 ||
		     tvars_set(vars, "obligation_late", "") < 0 ||
		     tvars_set(vars, "overdue_stage", "1") < 0 ||
		     tvars_set(vars, "review_kind", "risk") < 0 ||
		     tvars_set(vars, "review_label", "リスク評価") < 0 ||
		     tvars_set(vars, "review_last", "2025-11-25 10:00") < 0 ||
		     tvars_set(vars, "review_due", "2026-11-25 10:00") < 0 ||
		     tvars_set(vars, "command_from", "admin@example.com") < 0 ||
		     tvars_set(vars, "command_subject", "Re: [INC-2026-0001]") < 0 ||
		     tvars_set(vars, "help", "/ack …") < 0 ||
		     tvars_set(vars, "refused_why", "token: not sent to a reply address with a token") < 0 ||
		     tvars_set(vars, "refused_commands", "/close") < 0 ||
		     tvars_set(vars, "command_error", "line 1: /priority urgent: unknown priority") < 0 ||
		     tvars_set(vars, "changes", "・受付 / acknowledged") < 0 ||
		     tvars_set(vars, "want_help", "") < 0 ||
		     tvars_set(vars, "draft_kind", "amazon") < 0 ||
		     tvars_set(vars, "draft_label", "Amazon への通知") < 0 ||
		     tvars_set(vars, "draft_due", "2026-11-26 10:00") < 0 ||
		     tvars_set(vars, "contact_ppc_phone", cfg->contacts.ppc_phone) < 0 ||
		     tvars_set(vars, "contact_amazon", cfg->contacts.amazon) < 0 ||
		     tvars_set(vars, "contact_aws", cfg->contacts.aws) < 0 ||
		     tvars_set(vars, "contact_rakuten_phone", cfg->contacts.rakuten_phone) < 0 ||
		     tvars_set(vars, "contact_yahoo_form", cfg->contacts.yahoo_form) < 0 ||
		     tvars_set(vars, "contact_website", cfg->contacts.website) < 0)) {
		tvars_free(vars);
		vars = NULL;
	}
	if (!vars || !(d = opendir(cfg->templates))) {
		fprintf(stderr, "incident-bot: templates folder %s cannot be read\n", cfg->templates);
		tvars_free(vars);
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct error err = { 0 };
		char *subject, *body;

		if (len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		/* The digest has variables of its own: briefing_check() below. */
		if (strcmp(de->d_name, "digest.txt") == 0)
			continue;
		count++;
		if (render_mail(cfg->templates, de->d_name, vars, &subject, &body, &err) < 0) {
			fprintf(stderr, "incident-bot: %s\n", err.msg);
			bad++;
			continue;
		}
		free(subject);
		free(body);
	}
	closedir(d);
	tvars_free(vars);
	{
		struct error err = { 0 };

		count++;
		if (briefing_check(cfg, clock_now(), &err) < 0) {
			fprintf(stderr, "incident-bot: %s\n", err.msg);
			bad++;
		}
	}
	if (count == 0) {
		fprintf(stderr, "incident-bot: no templates (*.txt) in %s\n", cfg->templates);
		return -1;
	}
	printf("templates: %d checked in %s\n", count, cfg->templates);
	return bad ? -1 : 0;
}

static int check_imap_login(const struct config *cfg, const char *password)
{
	struct imap_options o = {
		.host = cfg->imap.host, .port = cfg->imap.port,
		.implicit_tls = cfg->imap.implicit_tls, .mailbox = cfg->imap.mailbox,
		.user = cfg->imap.user, .password = password, .ca_file = cfg->imap.ca_file,
		.timeout = cfg->imap.timeout,
	};
	struct imap_session *s;
	struct error err = { 0 };

	if (imap_open(&o, &s, &err) < 0) {
		fprintf(stderr, "incident-bot: %s\n", err.msg);
		return -1;
	}
	printf("imap: logged in to %s as %s\n", cfg->imap.url, cfg->imap.user);
	imap_close(s);
	return 0;
}

static int check_smtp_login(const struct config *cfg, const char *password)
{
	struct smtp_options o = {
		.url = cfg->smtp.url, .starttls = cfg->smtp.starttls, .user = cfg->smtp.user,
		.password = password, .ca_file = cfg->smtp.ca_file, .timeout = cfg->smtp.timeout,
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
		printf("smtp: connected to %s%s%s\n", cfg->smtp.url,
		       cfg->smtp.user ? " as " : "", cfg->smtp.user ? cfg->smtp.user : "");
	smtp_free(c);
	return rc;
}

int cmd_check_config(struct cli *c, int argc, char **argv)
{
	struct error err = { 0 };
	char *imap_pw = NULL, *smtp_pw = NULL;
	bool connect = false;
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

	if (config_read_secret(c->cfg.imap.password_file, &imap_pw, &err) < 0) {
		cli_fail(&err, 0);
		bad++;
	}
	if (c->cfg.smtp.password_file &&
	    config_read_secret(c->cfg.smtp.password_file, &smtp_pw, &err) < 0) {
		cli_fail(&err, 0);
		bad++;
	}
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
	if (connect && imap_pw)
		bad += check_imap_login(&c->cfg, imap_pw) < 0;
	if (connect && (smtp_pw || !c->cfg.smtp.password_file))
		bad += check_smtp_login(&c->cfg, smtp_pw) < 0;
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
