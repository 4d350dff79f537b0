/* log.c — see log.h. */
#include "lib/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/termsafe.h"

static enum log_level min_level = LOG_INFO;
/* One line at a time, with its hooks, whatever thread writes (intake.c's
 * reader logs from imap.c); recursive, for a hook or a held writer that logs. */
static pthread_mutex_t line_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static void (*before_line)(void *), (*after_line)(void *);
static void *line_hooks_ctx;

void log_set_level(enum log_level level)
{
	min_level = level;
}

bool log_enabled(enum log_level level)
{
	return level >= min_level;
}

void log_set_line_hooks(void (*before)(void *ctx), void (*after)(void *ctx), void *ctx)
{
	before_line = before;
	after_line = after;
	line_hooks_ctx = ctx;
}

/*
 * One line: the stamp, the level, the module and the message made safe,
 * written with one call — stderr is unbuffered, and three writes a line
 * were a cost of their own in a backlog (issue 16: a line per mail).
 */
static void vlog_line(FILE *out, enum log_level level, const char *module, const char *fmt,
		      va_list ap)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char stamp[32], line[2048], *text = line;
	struct buf out_line = { 0 };
	struct tm tm;
	time_t now;
	va_list again;
	int n;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_adds(&out_line, stamp);
	buf_addc(&out_line, ' ');
	buf_adds(&out_line, names[level]);
	buf_addc(&out_line, ' ');
	buf_adds(&out_line, module);
	buf_add(&out_line, ": ", 2);
	/* issue 14 (V9): what a log line quotes of a mail (a sender, a
	 * subject) must not drive the terminal or split the line */
	va_copy(again, ap);
	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n >= (int)sizeof line && !(text = malloc((size_t)n + 1)))
		text = line;
	else if (text != line)
		vsnprintf(text, (size_t)n + 1, fmt, again);
	va_end(again);
	if (n > 0)
		termsafe_escape(text, strnlen(text, (size_t)n), 0, &out_line);
	buf_addc(&out_line, '\n');
	if (text != line)
		free(text);
	if (out_line.p && !out_line.oom) {
		fwrite(out_line.p, 1, out_line.len, out);
	} else {	/* out of memory: the line as it can be */
		fprintf(out, "%s %s %s: ", stamp, names[level], module);
		fputs(n > 0 ? line : "", out);
		fputc('\n', out);
	}
	buf_release(&out_line);
}

void log_line(FILE *out, enum log_level level, const char *module, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_line(out, level, module, fmt, ap);
	va_end(ap);
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
	va_list ap;

	if (level < min_level)
		return;
	pthread_mutex_lock(&line_lock);
	if (before_line)
		before_line(line_hooks_ctx);
	va_start(ap, fmt);
	vlog_line(stderr, level, module, fmt, ap);
	va_end(ap);
	if (after_line)
		after_line(line_hooks_ctx);
	pthread_mutex_unlock(&line_lock);
}

void log_hold(void)
{
	pthread_mutex_lock(&line_lock);
}

void log_release(void)
{
	pthread_mutex_unlock(&line_lock);
}
