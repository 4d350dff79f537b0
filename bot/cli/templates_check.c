/*
 * templates_check.c — every template in the templates folder rendered as
 * its mail would be, for a sample ticket with every field filled and for
 * one with none (notify_sample_vars), so that unknown variables and syntax
 * errors show with file and line before a real mail needs the template.
 * check-config reports them; `run` refuses a reload (SIGHUP) that has any.
 */
#include "cli/templates_check.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/briefing.h"
#include "notify/notify.h"
#include "outbox/render.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * One template rendered as its mail would be, for a made-up ticket with
 * every field, flag, list and state filled and for one with none (so both
 * branches of every {{#if}} are seen): the first error, once.
 */
static int check_one(const struct config *cfg, const char *file, bool html, time_t now,
		     templates_report_fn *report, void *ctx)
{
	struct error err = { 0 };
	int pass;

	for (pass = 0; pass < 2 && err.cls == ERR_NONE; pass++) {
		struct tvars *v = notify_sample_vars(cfg, file, pass == 0, now);
		char *subject = NULL, *body = NULL;

		if (!v)
			error_set(&err, ERR_TEMP, "template %s: out of memory", file);
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
	report(err.msg, ctx);
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

int templates_check(const struct config *cfg, time_t now, templates_report_fn *report,
		    void *ctx, int *checked)
{
	size_t i, n;
	char **names = template_names(cfg->templates, &n);
	char msg[600];
	struct error err = { 0 };
	int bad = 0;

	*checked = 0;
	if (!names) {
		snprintf(msg, sizeof msg, "templates folder %s cannot be read", cfg->templates);
		report(msg, ctx);
		return -1;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		bool txt = len > 4 && strcmp(names[i] + len - 4, ".txt") == 0;
		bool html = len > 5 && strcmp(names[i] + len - 5, ".html") == 0;

		if (!txt && !html)
			continue;
		++*checked;
		if (strcmp(names[i], "digest.txt") == 0 || strcmp(names[i], "digest.html") == 0)
			continue;	/* briefing_check below renders both */
		if (!notify_template_used(names[i])) {
			/* a note, not a problem: an operator's extra file */
			snprintf(msg, sizeof msg, "template %s: no mail uses it "
				 "(checked with the variables of a draft)", names[i]);
			report(msg, ctx);
		}
		bad += check_one(cfg, names[i], html, now, report, ctx) < 0;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (briefing_check(cfg, now, &err) < 0) {
		report(err.msg, ctx);
		bad++;
	}
	if (*checked == 0) {
		snprintf(msg, sizeof msg, "no templates (*.txt) in %s", cfg->templates);
		report(msg, ctx);
		return -1;
	}
	return bad;
}
