/*
 * progress.h — how far a long backlog has got: processed/total, the rate
 * and the time left, for a person at a terminal or for the journal.
 *
 * On a terminal one line is redrawn in place ("\r", at most 4 times a
 * second); elsewhere (journald, a file) a plain log line says when the
 * backlog starts, then one every `interval` seconds, then a summary.
 * Only a backlog shows anything: a total of at most one batch is silent.
 *
 * The time is a parameter (seconds on a monotonic clock, clock_monotonic() in
 * the service, a fake clock in the tests), so this module does no clock
 * reading of its own and every line it writes can be tested.
 */
#ifndef INCIDENT_PROGRESS_H
#define INCIDENT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum progress_mode {
	PROGRESS_OFF,		/* show nothing (--quiet) */
	PROGRESS_TERMINAL,	/* one line redrawn in place */
	PROGRESS_LINES,		/* a log line now and then */
};

struct progress_config {
	FILE *out;		/* where every line goes; borrowed */
	enum progress_mode mode;
	const char *module;	/* the lines' prefix, "intake"; borrowed */
	size_t batch;		/* a total of at most this shows nothing */
	double interval;	/* seconds between lines in PROGRESS_LINES */
};

/* One run over a backlog; lives on the caller's stack, owns no memory. */
struct progress {
	struct progress_config cfg;
	bool active;		/* a backlog: progress_start decided to show it */
	bool line_open;		/* a partial line is on the terminal */
	bool under_log;		/* cleared for a log line, to be drawn again after it */
	char line[160];		/* the terminal line last drawn, for drawing it again */
	size_t total, done;
	double started;		/* the `now` given to progress_start */
	double shown;		/* when a line was last drawn or written */
};

/*
 * The mode for stderr: PROGRESS_OFF when the log level drops info lines
 * (--quiet), PROGRESS_TERMINAL when stderr is a terminal, else
 * PROGRESS_LINES.
 */
enum progress_mode progress_mode_for_stderr(void);

/*
 * Starts a run over `total` messages.  When total > cfg->batch and the mode
 * is not PROGRESS_OFF: draws the first terminal line, or writes the log
 * line "MODULE: TOTAL messages waiting".  Otherwise every call below does
 * nothing.  On a terminal, log_msg lines are written above the progress
 * line (log_set_line_hooks) until progress_finish: p must stay where it is
 * until then.  cfg is copied; cfg->out and cfg->module must outlive the run.
 */
void progress_start(struct progress *p, const struct progress_config *cfg, size_t total,
		    double now);

/* `done` messages are finished (committed) in all, at `now`. */
void progress_update(struct progress *p, size_t done, double now);

/*
 * Ends the run: the summary "MODULE: TOTAL messages in 12.3 s, 812 msgs/s",
 * or, when fewer than total were done (the caller failed),
 * "MODULE: stopped after DONE of TOTAL messages in 4.0 s".  On a terminal
 * it replaces the progress line.  Safe to call on an inactive run.
 */
void progress_finish(struct progress *p, double now);

/* Clears the terminal line if one is drawn (the next update draws it again). */
void progress_clear_line(struct progress *p);

#endif
