/*
 * cmd_check_config.c — `incident-bot check-config [--connect]`: validates
 * the configuration, the secret files and every template (rendered as its
 * mail would be, for a full and an empty sample ticket: notify_sample_vars),
 * and with --connect logs in to the IMAP and SMTP servers.
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
#include "notify.h"
#include "policy.h"
#include "render.h"
#include "smtp.h"

static const char help[] =
	"usage: incident-bot [-c FILE] check-config [--connect]\n"
	"\n"
	"Checks the configuration file, the secret files (they must not be\n"
	"readable by group or others), the CA files, and renders every template\n"
	"with the variables its mail gets, for a sample ticket with every field\n"
	"filled and for one with none, reporting unknown variables and syntax\n"
	"errors with file and line.  Exit 0 when all is well, 2 otherwise.\n"
	"  --connect   also log in to the IMAP and SMTP servers (TLS verified)\n";

static int check_readable(const char *what, const char *path)
{
	if (path && access(path, R_OK) != 0) {
		fprintf(stderr, "incident-bot: %s %s cannot be read (check the path)\n", what, path);
		return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One template rendered as its mail would be, for a made-up ticket with
 * every field, flag, list and state filled and for one with none (so both
 * branches of every {{#if}} are seen): the first error, once.
 */
static int check_one(const struct config *cfg, const char *file, bool html, time_t now)
{
	struct error err = { 0 };
	int pass;

	for (pass = 0; pass < 2 && err.cls == ERR_NONE; pass++) {
		struct tvars *v = notify_sample_vars(cfg, file, pass == 0, now);
		char *subject = NULL, *body = NULL;

		if (!v)
			error_set(&err, ERR_FATAL, "template %s: out of memory", file);
		else if (html)
			render_html(cfg->templates, file, v, &body, &err);
		else
			render_mail(cfg->templates, file, v, &subject, &body, &err);
		free(subject);
		free(body);
		tvars_free(v);
	}
	if (err.cls == ERR_NONE)
		return 0;
	fprintf(stderr, "incident-bot: %s\n", err.msg);
	return -1;
}

/* The names in the templates folder, sorted; NULL when it cannot be read. */
static char **template_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **grown;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (!(grown = realloc(names, (*n + 2) * sizeof *names)))
			break;
		names = grown;
		if (!(names[*n] = strdup(de->d_name)))
			break;
		names[++*n] = NULL;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof *names, by_name);
	return names ? names : calloc(1, sizeof *names);
}

/* Renders every *.txt and *.html template as check_one does; the digest with its own variables. */
static int check_templates(const struct config *cfg)
{
	time_t now = clock_now();
	size_t i, n;
	char **names = template_names(cfg->templates, &n);
	int bad = 0, count = 0;

	if (!names) {
		fprintf(stderr, "incident-bot: templates folder %s cannot be read\n", cfg->templates);
		return -1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		bool txt = len > 4 && strcmp(names[i] + len - 4, ".txt") == 0;
		bool html = len > 5 && strcmp(names[i] + len - 5, ".html") == 0;

		if (!txt && !html)
			continue;
		count++;
		if (strcmp(names[i], "digest.txt") == 0 || strcmp(names[i], "digest.html") == 0)
			continue;	/* briefing_check below renders both */
		if (!notify_template_used(names[i]))
			fprintf(stderr, "incident-bot: template %s: no mail uses it "
				"(checked with the variables of a draft)\n", names[i]);
		bad += check_one(cfg, names[i], html, now) < 0;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	{
		struct error err = { 0 };

		if (briefing_check(cfg, now, &err) < 0) {
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
