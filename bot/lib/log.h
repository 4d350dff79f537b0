/*
 * log.h — one line per event on stderr: "LEVEL module: thing: what".
 *
 * Never pass a password, token or message body to these functions.
 */
#ifndef INCIDENT_LOG_H
#define INCIDENT_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Whether log_msg writes lines of this level. */
bool log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...)  log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

/*
 * One line in log_msg's format to `out`, whatever the level and without
 * the before-line hook: for progress.c, which decides itself what to show
 * and writes to the FILE it was given (a memory stream in its tests).
 */
void log_line(FILE *out, enum log_level level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Keeps a partial line on the terminal (progress.c's) out of the way of
 * log_msg: before(ctx) is called before a line is written, after(ctx)
 * once it is, so progress.c clears its line and draws it again below the
 * new one — a warning during a long intake does not land glued onto
 * "intake: 3,200/10,000 (32%)".  One pair at a time; NULLs remove it.
 */
void log_set_line_hooks(void (*before)(void *ctx), void (*after)(void *ctx), void *ctx);

/* For a writer of its own lines to stderr (progress.c): no log line of
 * another thread comes between hold and release. */
void log_hold(void);
void log_release(void);

#endif
