/*
 * test_composer.c — the render stage's second thread (issue 16): what it
 * composes is what the caller would have composed itself.
 *   - 300 mails of different recipients, subjects, lengths (some in
 *     ISO-2022-JP) through the composer, collected one by one in
 *     submission order, match outbox_seal on the caller's thread byte for
 *     byte, each its own SHA-256;
 *   - a mail that cannot be composed (an unknown variable) fails alone,
 *     with the template's error, between mails that compose;
 *   - the composer serves batch after batch (and a batch waited for at
 *     once, the caller composing what the thread has not taken);
 *   - without a composer (NULL) a job is composed when submitted;
 *   - stopped with jobs not collected: they are composed first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/digest.h"
#include "outbox/composer.h"
#include "test.h"

#define MAILS 300

static char dir[] = "/tmp/ib-test-composer-XXXXXX";
static struct config cfg, cfg_jis;	/* UTF-8, ISO-2022-JP */

struct case_ {
	struct tvars *vars;
	struct outbox_mail mail;
	char rcpt[64], message_id[64];
	struct compose_job job;
};

/* Mail i: its own recipient, subject and body length; every seventh has no
 * "body" variable, so that its template cannot be rendered. */
static void make_case(struct case_ *c, int i)
{
	char *body;
	size_t len = 40 + (size_t)(i * 37) % 3000, k;

	memset(c, 0, sizeof *c);
	c->vars = tvars_new();
	tvars_setf(c->vars, "subject", "件名 %d: 顧客情報の誤送信", i);
	body = malloc(len + 1);
	for (k = 0; k < len; k++)
		body[k] = k % 70 == 69 ? '\n' : (char)('a' + (k + (size_t)i) % 26);
	body[len] = '\0';
	if (i % 7 != 3)
		tvars_set(c->vars, "body", body);
	free(body);
	snprintf(c->rcpt, sizeof c->rcpt, "person%03d@example.com", i);
	snprintf(c->message_id, sizeof c->message_id, "INC-2026-%04d.ack.1.%04x@example.com", i, i);
	c->mail = (struct outbox_mail){ .kind = "ack", .template = "t.txt", .vars = c->vars,
					.to_addr = c->rcpt };
	c->job = (struct compose_job){ .cfg = &cfg, .mail = &c->mail, .ticket_ref = "INC-2026-0001",
				       .message_id = c->message_id, .now = 1796000000 + i };
}

/* Does job j hold what outbox_seal makes of the same mail on this thread? */
static int same_as_here(const struct compose_job *j)
{
	struct outbox_sealed here;
	struct error err = { 0 };
	char sha[65];
	int same;

	if (outbox_seal(j->cfg, j->ticket_ref, j->mail, j->message_id, j->now, &here, &err) < 0)
		return j->rc < 0 && strcmp(j->err.msg, err.msg) == 0;
	digest_sha256_hex(j->out.data, j->out.len, sha);
	same = j->rc == 0 && j->out.len == here.len &&
	       memcmp(j->out.data, here.data, here.len) == 0 &&
	       strcmp(j->out.sha, here.sha) == 0 && strcmp(sha, here.sha) == 0 &&
	       strcmp(j->out.subject, here.subject) == 0;
	outbox_sealed_release(&here);
	return same;
}

static void release_cases(struct case_ *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		outbox_sealed_release(&cases[i].job.out);
		tvars_free(cases[i].vars);
	}
}

/* Cases first .. first + n - 1 made into cases[0..n) and submitted to c. */
static void submit_cases(struct composer *c, struct case_ *cases, int n, int first)
{
	int i;

	for (i = 0; i < n; i++) {
		make_case(&cases[i], first + i);
		composer_submit(c, &cases[i].job);
	}
}

/* How many of cases[0..n) are done, each as this thread composes it. */
static int done_right(const struct case_ *cases, int n)
{
	int i, right = 0;

	for (i = 0; i < n; i++)
		right += cases[i].job.done && same_as_here(&cases[i].job);
	return right;
}

static void test_batches(void)
{
	static struct case_ cases[MAILS];
	struct composer *c = composer_start();
	int batch, i, same = 0, failed = 0, own = 0, failed_right = 0, jis = 0, jis_wanted = 0;

	CHECK(c != NULL, "a composer starts its thread");
	/* three batches of 100, as the render stage hands them */
	for (batch = 0; batch < 3; batch++) {
		for (i = batch * 100; i < (batch + 1) * 100; i++) {
			make_case(&cases[i], i);
			/* every other mail of the last batch in ISO-2022-JP */
			if (batch == 2 && i % 2)
				cases[i].job.cfg = &cfg_jis;
			composer_submit(c, &cases[i].job);
		}
		for (i = batch * 100; i < (batch + 1) * 100; i++) {
			char to[80];

			composer_wait_for(c, &cases[i].job);
			same += same_as_here(&cases[i].job);
			if (cases[i].job.rc < 0) {
				failed++;
				failed_right += i % 7 == 3 &&
						strstr(cases[i].job.err.msg, "unknown variable \"body\"") != NULL;
				continue;
			}
			snprintf(to, sizeof to, "To: person%03d@example.com\r\n", i);
			own += strstr(cases[i].job.out.data, to) &&
			       strstr(cases[i].job.out.data, cases[i].message_id) != NULL;
			jis_wanted += cases[i].job.cfg == &cfg_jis;
			jis += strstr(cases[i].job.out.data, "=?ISO-2022-JP?B?") != NULL;
		}
		composer_wait(c);
	}
	CHECK_INT(same, MAILS, "300 mails composed on the thread are byte for byte what this thread composes");
	CHECK_INT(failed, MAILS / 7 + (MAILS % 7 > 3), "... the ones without a body fail");
	CHECK_INT(failed_right, failed, "... each with its template's error, alone");
	CHECK_INT(own, MAILS - failed, "... and each other mail is its own: recipient and Message-ID");
	CHECK(jis_wanted > 40 && jis == jis_wanted,
	      "... in its own configuration's charset (ISO-2022-JP for those that ask)");
	release_cases(cases, MAILS);

	/* a batch waited for as a whole at once: the caller composes too */
	submit_cases(c, cases, 100, 1);
	composer_wait(c);
	CHECK_INT(done_right(cases, 100), 100, "a batch waited for as a whole: every job done and right");
	release_cases(cases, 100);

	/* stopped before the jobs are collected: composed first */
	submit_cases(c, cases, 50, 5);
	composer_stop(c);
	CHECK_INT(done_right(cases, 50), 50,
		  "stopped with jobs not collected: they are composed before it stops");
	release_cases(cases, 50);
}

static void test_without_thread(void)
{
	struct case_ one;

	make_case(&one, 1);
	composer_submit(NULL, &one.job);
	CHECK(one.job.done && one.job.rc == 0 && same_as_here(&one.job),
	      "without a composer a job is composed when submitted");
	composer_wait_for(NULL, &one.job);
	composer_wait(NULL);
	composer_stop(NULL);
	CHECK(one.job.done, "... and waiting on no composer returns at once");
	release_cases(&one, 1);
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(dir))
		return 1;
	test_write_file(dir, "t.txt", "Subject: {{subject}}\n\n{{subject}}\n\n{{body}}\n");
	cfg.templates = dir;
	cfg.smtp.from = "incident@example.com";
	cfg.smtp.from_name = "セキュリティインシデント窓口";
	cfg_jis = cfg;
	cfg_jis.smtp.charset = "iso-2022-jp";
	test_batches();
	test_without_thread();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return test_done();
}
