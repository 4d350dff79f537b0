/*
 * fuzz_rules.c — libFuzzer target over the two parsers that decide
 * whether a mail commands (issue 14): the Authentication-Results reader
 * (auth_results_ok, auth_trace_ok with the border of RFC 8601 7.1) and the
 * admin command parser (command_parse), plus the reply-token finder and
 * masker.  Built and run by tests/fuzz/run beside fuzz_mail.
 *
 * The first byte chooses: even — the rest is a trace, one field a line,
 * "A:" an Authentication-Results value, "R:" a Received value, anything
 * else a further AR value; odd — the rest is an admin's mail text.
 * A finding is a sanitizer report or an abort() here, on a broken promise:
 *   - auth_*: why is always NUL-terminated and fits; a pass names the From
 *     domain's dkim=pass; the answer does not depend on the why buffer;
 *   - command_parse: 0 with at most the documented commands each with its
 *     raw line, or -1 with a message; nothing to free on -1;
 *   - auth_mask_tokens leaves no token and keeps the length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "rules/auth.h"
#include "rules/command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const internal[] = { "mx.example.com", "127.0.0.1" };

static void check_why(const char *why, size_t len)
{
	if (!memchr(why, '\0', len))
		abort();
}

static void fuzz_auth(char *text)
{
	struct mail_trace trace[AUTH_TRACE_MAX * 2];
	const char *values[AUTH_TRACE_MAX * 2];
	struct auth_border b = { .authserv_id = "mx.example.com", .internal_hosts = internal,
				 .n_internal = 2 };
	char why[200], small[8];
	size_t n = 0;
	char *line, *save = NULL;
	bool a, c;

	for (line = strtok_r(text, "\n", &save); line && n < AUTH_TRACE_MAX * 2;
	     line = strtok_r(NULL, "\n", &save)) {
		trace[n].kind = line[0] == 'R' && line[1] == ':' ? 'R' : 'A';
		trace[n].value = line + (line[0] && line[1] == ':' ? 2 : 0);
		values[n] = trace[n].value;
		n++;
	}
	a = auth_trace_ok(trace, n, &b, "admin@example.com", why, sizeof why);
	check_why(why, sizeof why);
	c = auth_trace_ok(trace, n, &b, "admin@example.com", small, sizeof small);
	check_why(small, sizeof small);
	if (a != c)
		abort();
	if (a && !strstr(why, "dkim=pass"))
		abort();
	b.subdomains = true;
	(void)auth_trace_ok(trace, n, &b, "admin@mail.example.com", NULL, 0);
	a = auth_results_ok(values, n, "mx.example.com", "admin@example.com", why, sizeof why);
	check_why(why, sizeof why);
}

static void fuzz_command(const char *text, size_t len)
{
	struct command_list l = { 0 };
	struct error err = { 0 };
	char *copy = strndup(text, len);
	size_t i, before;

	if (!copy)
		return;
	if (command_parse(copy, 1796601600 /* 2026-12-07 */, &l, &err) == 0) {
		for (i = 0; i < l.n; i++)
			if (!l.cmds[i].raw || l.cmds[i].verb >= CMD_COUNT)
				abort();
		if (l.n_flaws)
			abort();
	} else if (!err.msg[0] || (err.cls == ERR_MESSAGE) != (l.n_flaws > 0)) {
		abort();
	}
	for (i = 0; i < l.n_flaws; i++)
		if (!l.flaws[i].raw || !l.flaws[i].why)
			abort();
	command_list_release(&l);
	before = strlen(copy);
	auth_mask_tokens(copy);
	{
		char ref[AUTH_REF_MAX], tok[AUTH_TOKEN_LEN + 1];
		size_t pos = 0;

		if (strlen(copy) != before || auth_find_token(copy, before, &pos, ref, tok))
			abort();
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		fuzz_command((const char *)data + 1, size - 1);
		return 0;
	}
	if (!(text = strndup((const char *)data + 1, size - 1)))
		return 0;
	fuzz_auth(text);
	free(text);
	return 0;
}
