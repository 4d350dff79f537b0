/* progress.c — see progress.h. */
#include "lib/progress.h"

#include <time.h>
#include <unistd.h>

#include "lib/log.h"

/* A person reads a line redrawn 4 times a second; more is flicker. */
#define TERMINAL_EVERY 0.25
/* Over the first second the rate is mostly connection set-up: noise. */
#define RATE_AFTER 1.0
/* The time left is a guess from the rate; give the rate a few seconds. */
#define LEFT_AFTER 3.0

enum progress_mode progress_mode_for_stderr(void)
{
	if (!log_enabled(LOG_INFO))
		return PROGRESS_OFF;
	return isatty(STDERR_FILENO) ? PROGRESS_TERMINAL : PROGRESS_LINES;
}

/* "10000", or "10,000" with grouping (for people at a terminal). */
static const char *count_text(size_t n, bool grouped, char *buf, size_t len)
{
	char digits[32];
	int nd, i, o = 0;

	nd = snprintf(digits, sizeof digits, "%zu", n);
	if (!grouped || (size_t)(nd + nd / 3 + 1) > len) {
		snprintf(buf, len, "%s", digits);
		return buf;
	}
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "8 s", "12 min", "2.5 h": a duration at the precision it deserves. */
static const char *duration_text(double s, char *buf, size_t len)
{
	if (s < 100)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 100 * 60)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
	return buf;
}

static const char *rate_text(double rate, char *buf, size_t len)
{
	snprintf(buf, len, rate >= 10 ? "%.0f" : "%.1f", rate);
	return buf;
}

/*
 * "3,200/10,000 (32%)  812 msgs/s  about 8 s left" on a terminal,
 * "3200/10000 (32%), 812 msgs/s, about 8 s left" in the journal.  The rate
 * is over the whole run so far: per-batch rates jump with every slow mail.
 */
static void describe(const struct progress *p, double now, char *buf, size_t len)
{
	bool term = p->cfg.mode == PROGRESS_TERMINAL;
	const char *sep = term ? "  " : ", ";
	double elapsed = now - p->started, rate;
	char done[48], total[48], r[32], left[32];
	int o;

	o = snprintf(buf, len, "%s/%s (%u%%)", count_text(p->done, term, done, sizeof done),
		     count_text(p->total, term, total, sizeof total),
		     (unsigned)(p->done * 100 / p->total));
	if (p->done == 0 || elapsed < RATE_AFTER || o < 0 || (size_t)o >= len)
		return;
	rate = (double)p->done / elapsed;
	o += snprintf(buf + o, len - o, "%s%s msgs/s", sep, rate_text(rate, r, sizeof r));
	if (elapsed < LEFT_AFTER || p->done >= p->total || (size_t)o >= len)
		return;
	snprintf(buf + o, len - o, "%sabout %s left", sep,
		 duration_text((double)(p->total - p->done) / rate, left, sizeof left));
}

static void show(struct progress *p)
{
	/* \r and ESC[K: back to the line's start and clear what was there. */
	fprintf(p->cfg.out, "\r\033[K%s: %s", p->cfg.module, p->line);
	fflush(p->cfg.out);
	p->line_open = true;
}

static void draw(struct progress *p, double now)
{
	describe(p, now, p->line, sizeof p->line);
	show(p);
	p->shown = now;
}

void progress_clear_line(struct progress *p)
{
	if (!p->line_open)
		return;
	fputs("\r\033[K", p->cfg.out);
	fflush(p->cfg.out);
	p->line_open = false;
}

/* log_msg's hooks: the log line goes where the progress line was, and the
 * progress line, as last drawn, below it. */
static void hide_for_log(void *ctx)
{
	struct progress *p = ctx;

	p->under_log = p->line_open;
	progress_clear_line(p);
}

static void show_after_log(void *ctx)
{
	struct progress *p = ctx;

	if (p->under_log)
		show(p);
	p->under_log = false;
}

void progress_start(struct progress *p, const struct progress_config *cfg, size_t total,
		    double now)
{
	*p = (struct progress){ .cfg = *cfg, .total = total, .started = now, .shown = now };
	/* One batch is over before anyone could read a progress line. */
	p->active = cfg->mode != PROGRESS_OFF && total > cfg->batch;
	if (!p->active)
		return;
	log_hold();
	if (cfg->mode == PROGRESS_TERMINAL) {
		log_set_line_hooks(hide_for_log, show_after_log, p);
		draw(p, now);
	} else {
		log_line(cfg->out, LOG_INFO, cfg->module, "%zu messages waiting", total);
	}
	log_release();
}

static void update_held(struct progress *p, size_t done, double now)
{
	p->done = done < p->total ? done : p->total;
	if (p->cfg.mode == PROGRESS_TERMINAL) {
		if (now - p->shown >= TERMINAL_EVERY)
			draw(p, now);
		return;
	}
	/* The last batch's line would only repeat the summary that follows. */
	if (now - p->shown >= p->cfg.interval && p->done < p->total) {
		char text[160];

		describe(p, now, text, sizeof text);
		log_line(p->cfg.out, LOG_INFO, p->cfg.module, "%s", text);
		p->shown = now;
	}
}

void progress_update(struct progress *p, size_t done, double now)
{
	if (!p->active)
		return;
	log_hold();
	update_held(p, done, now);
	log_release();
}

static void finish_held(struct progress *p, double now)
{
	double elapsed = now - p->started;
	char r[32];

	p->active = false;
	if (p->cfg.mode == PROGRESS_TERMINAL) {
		progress_clear_line(p);
		log_set_line_hooks(NULL, NULL, NULL);
	}
	if (p->done < p->total)
		log_line(p->cfg.out, LOG_INFO, p->cfg.module,
			 "stopped after %zu of %zu messages in %.1f s", p->done, p->total, elapsed);
	else if (elapsed > 0)
		log_line(p->cfg.out, LOG_INFO, p->cfg.module, "%zu messages in %.1f s, %s msgs/s",
			 p->total, elapsed, rate_text((double)p->total / elapsed, r, sizeof r));
	else
		log_line(p->cfg.out, LOG_INFO, p->cfg.module, "%zu messages in %.1f s",
			 p->total, elapsed);
}

void progress_finish(struct progress *p, double now)
{
	if (!p->active)
		return;
	log_hold();
	finish_held(p, now);
	log_release();
}
