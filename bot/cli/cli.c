/* cli.c — see cli.h. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/termsafe.h"
#include "rules/auth.h"

int cli_fail(const struct error *e, int code)
{
	fprintf(stderr, "incident-bot: %s\n", e->msg);
	return code;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "incident-bot %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'incident-bot %s --help')\n", cmd);
	return EXIT_USAGE;
}

bool cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

size_t cli_columns(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");
	char *end;
	long n;

	/* fd 1, not stdout: cli_safe_begin() has put a memory stream there */
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && *env) {
		n = strtol(env, &end, 10);
		if (*end == '\0' && n >= 10 && n <= 10000)
			return (size_t)n;
	}
	return 0;
}

int cli_load_config(struct cli *c)
{
	struct error err = { 0 };

	if (c->cfg_loaded)
		return EXIT_OK;
	if (config_load(c->config_path, &c->cfg, &err) < 0)
		return cli_fail(&err, EXIT_USAGE);
	c->cfg_loaded = true;
	clock_set_zone(c->cfg.timezone);
	if (c->now_text) {
		time_t now;

		if (clock_parse(c->now_text, &now) < 0) {
			fprintf(stderr, "incident-bot: --now: cannot read \"%s\" "
				"(write e.g. 2026-11-25T09:30+09:00)\n", c->now_text);
			return EXIT_USAGE;
		}
		clock_fix(now);
	}
	return EXIT_OK;
}

int cli_open_store(struct cli *c, struct error *err)
{
	if (c->store)
		return 0;
	if (store_open(c->cfg.database, &c->store, err) < 0)
		return -1;
	/* the key of the admins' reply tokens (issue 5), made on first start */
	return config_token_secret(&c->cfg, err);
}

int cli_open(struct cli *c)
{
	struct error err = { 0 };
	int rc = cli_load_config(c);

	if (rc != EXIT_OK)
		return rc;
	if (cli_open_store(c, &err) < 0)
		return cli_fail(&err, err.cls == ERR_TEMP ? EXIT_RUNTIME : EXIT_USAGE);
	return EXIT_OK;
}

void cli_release(struct cli *c)
{
	store_close(c->store);
	c->store = NULL;
	if (c->cfg_loaded)
		config_release(&c->cfg);
	c->cfg_loaded = false;
}

int cli_safe_begin(struct cli_safe *s)
{
	FILE *mem;

	fflush(stdout);
	s->real = stdout;
	s->buf = NULL;
	s->len = 0;
	if (!(mem = open_memstream(&s->buf, &s->len)))
		return -1;
	stdout = mem;
	return 0;
}

void cli_safe_end(struct cli_safe *s)
{
	struct buf out = { 0 };

	fclose(stdout);
	stdout = s->real;
	if (!s->buf)
		return;
	auth_mask_tokens(s->buf);
	termsafe_escape(s->buf, strlen(s->buf), 1, &out);
	if (out.p && !out.oom)
		fwrite(out.p, 1, out.len, stdout);
	buf_release(&out);
	free(s->buf);
	s->buf = NULL;
}
