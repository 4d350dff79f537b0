/* test_progress.c — a long backlog's progress on a terminal (one line
 * redrawn, at most 4 times a second) and in the journal (a line every
 * interval), driven by a fake clock; a total of one batch shows nothing;
 * log lines written meanwhile do not land on the progress line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/progress.h"
#include "test.h"

#define CLEAR "\r\033[K"

/* Everything progress writes, in memory. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
	size_t seen;		/* what since_last() returned up to */
	char text[4096];
};

static void capture_open(struct capture *c)
{
	memset(c, 0, sizeof *c);
	c->f = open_memstream(&c->buf, &c->len);
}

static void capture_close(struct capture *c)
{
	fclose(c->f);
	free(c->buf);
}

/*
 * The output since the last call, with the log lines' time stamps
 * ("2026-11-25T00:30:00Z ") taken out: the tests compare the rest.
 */
static const char *since_last(struct capture *c)
{
	const char *s;
	size_t o = 0;

	fflush(c->f);
	s = c->buf + c->seen;
	while (*s && o + 1 < sizeof c->text) {
		if (strlen(s) > 21 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
		    s[19] == 'Z' && s[20] == ' ' && (s == c->buf || s[-1] == '\n' || s[-1] == 'K'))
			s += 21;
		else
			c->text[o++] = *s++;
	}
	c->text[o] = '\0';
	c->seen = c->len;
	return c->text;
}

static struct progress_config config(struct capture *c, enum progress_mode mode, size_t batch)
{
	return (struct progress_config){
		.out = c->f, .mode = mode, .module = "intake", .batch = batch, .interval = 10,
	};
}

/* A warning logged to stderr, which is swapped for a temporary file; returns what it got. */
static const char *warn_to_stderr(const char *what)
{
	static char got[256];
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	log_warn("test", "%s", what);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(got, 1, sizeof got - 1, tmp);
	got[n] = '\0';
	fclose(tmp);
	return got;
}

static void terminal(void)
{
	struct capture c;
	struct progress p;
	struct progress_config cfg;

	capture_open(&c);
	cfg = config(&c, PROGRESS_TERMINAL, 100);
	progress_start(&p, &cfg, 1000, 100.0);
	CHECK_STR(since_last(&c), CLEAR "intake: 0/1,000 (0%)", "terminal: the line is drawn at once");
	CHECK(p.line_open, "... and is known to be open");

	progress_update(&p, 100, 100.1);
	CHECK_STR(since_last(&c), "", "terminal: no redraw within a quarter second");
	progress_update(&p, 200, 100.3);
	CHECK_STR(since_last(&c), CLEAR "intake: 200/1,000 (20%)",
		  "terminal: redrawn in place after it; no rate in the first second");
	progress_update(&p, 500, 102.0);
	CHECK_STR(since_last(&c), CLEAR "intake: 500/1,000 (50%)  250 msgs/s",
		  "terminal: the rate over the whole run, no time left yet");
	progress_update(&p, 800, 104.0);
	CHECK_STR(since_last(&c), CLEAR "intake: 800/1,000 (80%)  200 msgs/s  about 1 s left",
		  "terminal: the time left after a few seconds");

	CHECK(strstr(warn_to_stderr("a log line meanwhile"), " warn test: a log line meanwhile\n"),
	      "a log line meanwhile goes to stderr whole");
	CHECK_STR(since_last(&c), CLEAR CLEAR "intake: 800/1,000 (80%)  200 msgs/s  about 1 s left",
		  "a log line clears the progress line first, which is drawn again after it");
	CHECK(p.line_open, "... and is open again");
	progress_clear_line(&p);
	CHECK_STR(since_last(&c), CLEAR, "progress_clear_line clears the line");
	progress_clear_line(&p);
	CHECK_STR(since_last(&c), "", "... not twice");
	CHECK(strstr(warn_to_stderr("while cleared"), " warn test: while cleared\n"),
	      "a log line while the line is cleared");
	CHECK_STR(since_last(&c), "", "... leaves the terminal alone");
	progress_update(&p, 900, 104.6);
	CHECK_STR(since_last(&c), CLEAR "intake: 900/1,000 (90%)  196 msgs/s  about 1 s left",
		  "the next update draws the line again");

	progress_update(&p, 1000, 105.0);
	progress_finish(&p, 105.0);
	CHECK_STR(since_last(&c), CLEAR "intake: 1,000/1,000 (100%)  200 msgs/s"
		  CLEAR "info intake: 1000 messages in 5.0 s, 200 msgs/s\n",
		  "terminal: the line is replaced by the summary, ended by a newline");
	CHECK(!p.line_open && !p.active, "... and the run is over");
	warn_to_stderr("after the run");
	CHECK_STR(since_last(&c), "", "after the run, log lines leave the terminal alone");
	progress_finish(&p, 106.0);
	CHECK_STR(since_last(&c), "", "a second finish writes nothing");
	capture_close(&c);
}

static void terminal_stopped(void)
{
	struct capture c;
	struct progress p;
	struct progress_config cfg;

	capture_open(&c);
	cfg = config(&c, PROGRESS_TERMINAL, 200);
	progress_start(&p, &cfg, 1234567, 0.0);
	CHECK_STR(since_last(&c), CLEAR "intake: 0/1,234,567 (0%)", "terminal: thousands separators");
	progress_update(&p, 61000, 10.0);
	CHECK_STR(since_last(&c), CLEAR "intake: 61,000/1,234,567 (4%)  6100 msgs/s  about 3 min left",
		  "terminal: a long wait in minutes");
	progress_finish(&p, 12.0);
	CHECK_STR(since_last(&c), CLEAR "info intake: stopped after 61000 of 1234567 messages in 12.0 s\n",
		  "terminal: a failed run says where it stopped, on its own line");
	capture_close(&c);
}

static void journal(void)
{
	struct capture c;
	struct progress p;
	struct progress_config cfg;
	char out[4096] = "";
	int k, lines = 0;
	const char *s;

	capture_open(&c);
	cfg = config(&c, PROGRESS_LINES, 200);
	progress_start(&p, &cfg, 3000, 50.0);
	CHECK_STR(since_last(&c), "info intake: 3000 messages waiting\n",
		  "journal: a line when the backlog starts");
	CHECK(!p.line_open, "journal: no open line");
	/* 100 messages a second for 30 s. */
	for (k = 1; k <= 30; k++) {
		progress_update(&p, 100 * (size_t)k, 50.0 + k);
		strncat(out, since_last(&c), sizeof out - strlen(out) - 1);
	}
	CHECK_STR(out, "info intake: 1000/3000 (33%), 100 msgs/s, about 20 s left\n"
		  "info intake: 2000/3000 (66%), 100 msgs/s, about 10 s left\n",
		  "journal: one plain line every 10 s, none for the last batch");
	progress_finish(&p, 80.0);
	CHECK_STR(since_last(&c), "info intake: 3000 messages in 30.0 s, 100 msgs/s\n",
		  "journal: a summary at the end");
	for (s = c.buf; *s; s++)
		lines += *s == '\n';
	CHECK_INT(lines, 4, "journal: four lines in all");
	CHECK(!strchr(c.buf, '\r') && !strchr(c.buf, '\033'), "journal: no \\r, no escapes");
	CHECK(strncmp(c.buf + 4, "-", 1) == 0 && strstr(c.buf, "Z info intake: "),
	      "journal: the lines are log lines (stamp, level, module)");
	capture_close(&c);

	capture_open(&c);
	cfg = config(&c, PROGRESS_LINES, 200);
	progress_start(&p, &cfg, 500, 0.0);
	progress_update(&p, 200, 11.5);
	CHECK_STR(since_last(&c), "info intake: 500 messages waiting\n"
		  "info intake: 200/500 (40%), 17 msgs/s, about 17 s left\n",
		  "journal: a slow start");
	progress_update(&p, 300, 20.0);
	CHECK_STR(since_last(&c), "", "journal: the interval counts from the last line");
	progress_update(&p, 400, 21.5);
	CHECK_STR(since_last(&c), "info intake: 400/500 (80%), 19 msgs/s, about 5 s left\n",
		  "journal: ... and then a line again");
	progress_finish(&p, 22.0);
	CHECK_STR(since_last(&c), "info intake: stopped after 400 of 500 messages in 22.0 s\n",
		  "journal: a failed run says where it stopped");
	capture_close(&c);
}

static void silent(void)
{
	struct capture c;
	struct progress p;
	struct progress_config cfg;
	enum progress_mode modes[] = { PROGRESS_TERMINAL, PROGRESS_LINES };
	size_t i;

	for (i = 0; i < 2; i++) {
		capture_open(&c);
		cfg = config(&c, modes[i], 200);
		progress_start(&p, &cfg, 1, 0.0);
		progress_update(&p, 1, 0.5);
		progress_finish(&p, 0.5);
		progress_start(&p, &cfg, 200, 0.0);
		progress_update(&p, 200, 30.0);
		progress_finish(&p, 30.0);
		progress_start(&p, &cfg, 0, 0.0);
		progress_finish(&p, 0.0);
		CHECK_STR(since_last(&c), "", i == 0 ? "terminal: one batch or less shows nothing"
					     : "journal: one batch or less shows nothing");
		capture_close(&c);
	}
	capture_open(&c);
	cfg = config(&c, PROGRESS_OFF, 200);
	progress_start(&p, &cfg, 10000, 0.0);
	progress_update(&p, 5000, 20.0);
	progress_finish(&p, 30.0);
	CHECK_STR(since_last(&c), "", "PROGRESS_OFF: a backlog shows nothing");
	capture_close(&c);
}

static void modes(void)
{
	struct capture c;
	struct progress p;
	struct progress_config cfg;

	log_set_level(LOG_WARN);
	CHECK_INT(progress_mode_for_stderr(), PROGRESS_OFF, "--quiet: no progress");
	capture_open(&c);
	cfg = config(&c, PROGRESS_TERMINAL, 10);
	progress_start(&p, &cfg, 100, 0.0);
	since_last(&c);
	log_info("test", "dropped by the level");
	CHECK_STR(since_last(&c), "", "a log line that is dropped does not clear the progress line");
	progress_finish(&p, 1.0);
	capture_close(&c);
	log_set_level(LOG_INFO);
	CHECK_INT(progress_mode_for_stderr(),
		  isatty(STDERR_FILENO) ? PROGRESS_TERMINAL : PROGRESS_LINES,
		  "info: a terminal gets the redrawn line, anything else log lines");
}

int main(void)
{
	terminal();
	terminal_stopped();
	journal();
	silent();
	modes();
	return test_done();
}
