/*
 * test_smtp.c — smtp.c + compose.c against the project's loopback SMTP
 * server (scripts/mailserver): mail sent over STARTTLS and implicit TLS
 * arrives in alice's INBOX with its Japanese subject and body intact, and
 * each way of failing gives the verdict the outbox relies on — retry
 * (TEMPFAIL) or give up (PERMFAIL).
 *
 * Run by tests/integration/smtp.sh, which starts the servers and exports
 * `scripts/mailserver env`.  Every mail carries a token unique to this run,
 * so other tests sharing alice@example.com do not confuse us.
 *
 * IB_SMTP_BENCH=N additionally sends N mails on one client to
 * smtpbench@example.com (smtp.sh creates that user) and prints the rate.
 *
 * Caution: the fault file is read by the server for every connection, so
 * while a fault case runs (a fraction of a second) another test sending
 * mail would see it too.  The file is removed right after each case, at exit
 * and on SIGINT/SIGTERM; smtp.sh removes a leftover one of ours.
 */
#include "lib/log.h"
#include "outbox/compose.h"
#include "outbox/smtp.h"
#include "test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct {
	const char *host, *ca, *other_ca, *fault, *mailbox, *spool, *pwfile;
	const char *smtp_port, *smtps_port;
} env;

static char token[64];		/* unique to this run: "t<pid>-<time>" */
static char fault_path[512];	/* non-empty while we may own a fault file */

/* --- the fault file ------------------------------------------------------- */

static void fault_clear(void)
{
	if (fault_path[0])
		unlink(fault_path);
}

static void on_signal(int sig)
{
	fault_clear();			/* unlink is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Writes the fault file.  The text after the code names us, so that smtp.sh
 * can tell our leftover from another test's file.
 */
static bool fault_set(const char *what)
{
	FILE *f;

	snprintf(fault_path, sizeof fault_path, "%s", env.fault);
	f = fopen(fault_path, "w");
	if (!f)
		return false;
	if (strcmp(what, "drop") == 0)
		fprintf(f, "drop\n");
	else
		fprintf(f, "%s %s.0.0 injected by test_smtp %s\n", what,
			what[0] == '5' ? "5" : "4", token);
	return fclose(f) == 0;
}

/* --- helpers -------------------------------------------------------------- */

static char *read_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *out = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
		char *q = realloc(out, len + n + 1);

		if (!q)
			break;
		out = q;
		memcpy(out + len, chunk, n);
		len += n;
		out[len] = '\0';
	}
	pclose(p);
	return out ? out : strdup("");
}

/*
 * The line of `mailbox.py USER list` (UID TAB From TAB To TAB Subject, headers
 * decoded) that contains needle, malloc'd; NULL when none does.
 */
static char *mailbox_line(const char *user, const char *needle)
{
	char cmd[1024], *all, *hit, *start, *end, *line = NULL;

	snprintf(cmd, sizeof cmd, "'%s' '%s' list", env.mailbox, user);
	all = read_cmd(cmd);
	if (all && (hit = strstr(all, needle))) {
		for (start = hit; start > all && start[-1] != '\n'; start--)
			;
		end = strchr(hit, '\n');
		line = strndup(start, end ? (size_t)(end - start) : strlen(start));
	}
	free(all);
	return line;
}

/* The decoded body of alice's mail whose list line contains needle. */
static char *mailbox_body(const char *user, const char *needle)
{
	char cmd[1024], *line = mailbox_line(user, needle), *body;

	if (!line)
		return NULL;
	snprintf(cmd, sizeof cmd, "'%s' '%s' body %ld", env.mailbox, user,
		 strtol(line, NULL, 10));
	free(line);
	body = read_cmd(cmd);
	/* The text comes back in canonical form (CRLF): compare it as LF. */
	if (body) {
		char *r = body, *w = body;

		for (; *r; r++)
			if (*r != '\r')
				*w++ = *r;
		*w = '\0';
	}
	return body;
}

/*
 * The server's envelope record (spool/NNNNNN.env, JSON) of the accepted mail
 * whose raw bytes contain needle; malloc'd, NULL when not found.
 */
static char *spool_envelope(const char *needle)
{
	DIR *d = opendir(env.spool);
	struct dirent *de;
	char path[1024], cmd[1100], *raw, *found = NULL;

	if (!d)
		return NULL;
	while (!found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".eml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", env.spool, de->d_name);
		snprintf(cmd, sizeof cmd, "cat '%s'", path);
		raw = read_cmd(cmd);
		if (raw && strstr(raw, needle)) {
			strcpy(path + strlen(path) - 4, ".env");
			snprintf(cmd, sizeof cmd, "cat '%s'", path);
			found = read_cmd(cmd);
		}
		free(raw);
	}
	closedir(d);
	return found;
}

/*
 * A TCP port on 127.0.0.1 where nothing listens: bound (so no one else gets
 * it while the test runs) but never listen()ed, so connecting is refused.
 */
static int reserve_dead_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*fd = socket(AF_INET, SOCK_STREAM, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	return ntohs(a.sin_port);
}

static struct smtp_client *client(const char *scheme, const char *port,
				  const char *ca)
{
	struct smtp_options o = {
		.starttls = true,
		.ca_file = ca,
		.timeout = 10,
	};
	char url[256];

	snprintf(url, sizeof url, "%s://%s:%s", scheme, env.host, port);
	o.url = url;
	return smtp_new(&o);
}

/* Composes a mail whose subject and body carry tag; returns its bytes. */
static char *make_mail(const char *tag, const char *to, size_t *len)
{
	static unsigned seq;
	char subject[256], msgid[128], body[512];
	struct outmsg m = {
		.from_addr = "incident@example.com",
		.from_name = "障害受付デスク",
		.to_addr = to,
		.subject = subject,
		.message_id = msgid,
		.in_reply_to = "orig@example.net",
		.references = "orig@example.net",
		.auto_submitted = "auto-replied",
		.body = body,
		.date = time(NULL),
		.utc_offset_min = 540,
	};

	snprintf(subject, sizeof subject, "[INC-1] 障害報告を受け付けました %s", tag);
	snprintf(msgid, sizeof msgid, "%s.%u@test.example.com", tag, ++seq);
	snprintf(body, sizeof body,
		 "お問い合わせありがとうございます。\n受付番号: %s\n.\n以上\n", tag);
	return compose_message(&m, len);
}

static enum smtp_status send_mail(struct smtp_client *c, const char *tag,
				  const char *const *rcpts, size_t n,
				  struct error *err)
{
	size_t len;
	char *data = make_mail(tag, rcpts[0], &len);
	enum smtp_status st;

	err->cls = ERR_NONE;
	err->msg[0] = '\0';
	if (!data)
		return error_set(err, ERR_FATAL, "compose failed"), SMTP_TEMPFAIL;
	st = smtp_send(c, "incident@example.com", rcpts, n, data, len, err);
	free(data);
	return st;
}

static const char *status_name(enum smtp_status s)
{
	return s == SMTP_SENT ? "SENT" : s == SMTP_TEMPFAIL ? "TEMPFAIL" : "PERMFAIL";
}

#define CHECK_STATUS(got, want, what) do {				\
	enum smtp_status g2_ = (got), w2_ = (want);			\
	CHECK(g2_ == w2_, what);					\
	if (g2_ != w2_)							\
		printf("#   got %s, want %s: %s\n", status_name(g2_),	\
		       status_name(w2_), err.msg);			\
} while (0)

static const char *alice[] = { "alice@example.com" };

/* --- tests ---------------------------------------------------------------- */

/* One mail over the given scheme arrives with subject, body and TLS intact. */
static void test_delivery(const char *scheme, const char *port)
{
	struct smtp_client *c = client(scheme, port, env.ca);
	struct error err = { 0 };
	char tag[96], what[128], subject[256], *line, *body, *envl;

	snprintf(tag, sizeof tag, "%s-%s", token, scheme);
	snprintf(subject, sizeof subject, "[INC-1] 障害報告を受け付けました %s", tag);
	CHECK(c, "smtp_new");
	if (!c)
		return;
	snprintf(what, sizeof what, "%s: sent", scheme);
	CHECK_STATUS(send_mail(c, tag, alice, 1, &err), SMTP_SENT, what);

	line = mailbox_line("alice@example.com", tag);
	snprintf(what, sizeof what, "%s: in alice's INBOX with the decoded Japanese subject",
		 scheme);
	CHECK(line && strstr(line, subject), what);
	if (line)
		printf("#   %s\n", line);
	snprintf(what, sizeof what, "%s: From display name decoded", scheme);
	CHECK(line && strstr(line, "障害受付デスク"), what);
	free(line);

	body = mailbox_body("alice@example.com", tag);
	snprintf(what, sizeof what, "%s: body decoded back, lone dot kept", scheme);
	CHECK(body && strstr(body, "お問い合わせありがとうございます。") &&
	      strstr(body, "\n.\n以上"), what);
	free(body);

	envl = spool_envelope(tag);
	snprintf(what, sizeof what, "%s: server saw TLS", scheme);
	CHECK(envl && strstr(envl, "\"tls\": \"TLSv1."), what);
	free(envl);
	smtp_free(c);
}

/* Two sends on one client: both arrive, the second on the same connection. */
static void test_reuse(void)
{
	struct smtp_client *c = client("smtp", env.smtp_port, env.ca);
	struct error err = { 0 };
	char tag1[96], tag2[96], logpath[] = "/tmp/test_smtp.logXXXXXX", *log;
	char *l1, *l2, cmd[128];
	int saved, fd;

	CHECK(c, "reuse: smtp_new");
	if (!c)
		return;
	snprintf(tag1, sizeof tag1, "%s-reuse1", token);
	snprintf(tag2, sizeof tag2, "%s-reuse2", token);

	/* smtp.c says at debug level whether a connection was new or reused. */
	fd = mkstemp(logpath);
	saved = dup(2);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	log_set_level(LOG_DEBUG);
	CHECK_STATUS(send_mail(c, tag1, alice, 1, &err), SMTP_SENT, "reuse: first send");
	CHECK_STATUS(send_mail(c, tag2, alice, 1, &err), SMTP_SENT, "reuse: second send");
	log_set_level(LOG_INFO);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	snprintf(cmd, sizeof cmd, "cat %s", logpath);
	log = read_cmd(cmd);
	unlink(logpath);
	CHECK(log && strstr(log, "(new connection)") &&
	      strstr(strstr(log, "(new connection)"), "(reused connection)"),
	      "reuse: second send reused the connection");
	if (log && !strstr(log, "(reused connection)"))
		printf("#   log: %s\n", log);
	free(log);

	l1 = mailbox_line("alice@example.com", tag1);
	l2 = mailbox_line("alice@example.com", tag2);
	CHECK(l1 && l2, "reuse: both mails arrived");
	free(l1);
	free(l2);
	smtp_free(c);
}

/* AUTH: the right password sends, a wrong one is a configuration TEMPFAIL. */
static void test_auth(void)
{
	char url[256], pw[128] = "", tag[96], cmd[600], *envl, *p;
	const char *wrong = "wrong-Passw0rd-xyz";
	struct smtp_options o = {
		.url = url, .starttls = true, .ca_file = env.ca, .timeout = 10,
		.user = "alice@example.com", .password = pw,
	};
	struct smtp_client *c;
	struct error err = { 0 };

	snprintf(cmd, sizeof cmd, "cat '%s'", env.pwfile);
	p = read_cmd(cmd);
	if (p) {
		snprintf(pw, sizeof pw, "%.*s", (int)strcspn(p, "\r\n"), p);
		free(p);
	}
	CHECK(pw[0], "auth: test password readable");
	snprintf(url, sizeof url, "smtp://%s:%s", env.host, env.smtp_port);

	c = smtp_new(&o);
	snprintf(tag, sizeof tag, "%s-auth", token);
	CHECK_STATUS(c ? send_mail(c, tag, alice, 1, &err) : SMTP_TEMPFAIL, SMTP_SENT,
		     "auth: right password → SENT");
	envl = spool_envelope(tag);
	CHECK(envl && strstr(envl, "\"auth\": \"alice@example.com\""),
	      "auth: server saw the login");
	free(envl);
	smtp_free(c);

	o.password = wrong;
	c = smtp_new(&o);
	snprintf(tag, sizeof tag, "%s-badauth", token);
	CHECK_STATUS(c ? send_mail(c, tag, alice, 1, &err) : SMTP_PERMFAIL, SMTP_TEMPFAIL,
		     "auth: wrong password → TEMPFAIL (configuration, keep the mail)");
	printf("#   %s\n", err.msg);
	CHECK(strstr(err.msg, "authentication failed") && strstr(err.msg, "smtp.password"),
	      "auth: message says what to check");
	CHECK(!strstr(err.msg, wrong) && !strstr(err.msg, pw),
	      "auth: no password in the message");
	smtp_free(c);
}

/*
 * Failures, each with the verdict and a word the message must contain.
 * `shared` cases run on one client, which must still send afterwards.
 */
static void test_failures(void)
{
	int dead_fd = -1, dead = reserve_dead_port(&dead_fd);
	char dead_port[16];
	const char *mixed[] = { "alice@example.com", "nobody@example.com" };
	const char *nobody[] = { "nobody@example.com" };
	const struct {
		const char *what, *scheme, *port, *ca, *fault;
		const char *const *rcpts;
		size_t n;
		bool shared;
		enum smtp_status want;
		const char *want_msg, *want_msg2;
	} cases[] = {
		{ "STARTTLS, unrelated CA", "smtp", env.smtp_port, env.other_ca, NULL,
		  alice, 1, false, SMTP_TEMPFAIL, "certificate of 127.0.0.1 not trusted", "smtp.ca_file" },
		{ "smtps, unrelated CA", "smtps", env.smtps_port, env.other_ca, NULL,
		  alice, 1, false, SMTP_TEMPFAIL, "certificate of 127.0.0.1 not trusted", "smtp.ca_file" },
		{ "unknown recipient", "smtp", env.smtp_port, env.ca, NULL,
		  nobody, 1, true, SMTP_PERMFAIL, "550", "unknown user" },
		{ "one of two recipients unknown", "smtp", env.smtp_port, env.ca, NULL,
		  mixed, 2, true, SMTP_PERMFAIL, "550", "nobody@example.com" },
		{ "DATA answered 451", "smtp", env.smtp_port, env.ca, "451",
		  alice, 1, true, SMTP_TEMPFAIL, "451", "injected" },
		{ "DATA answered 550", "smtp", env.smtp_port, env.ca, "550",
		  alice, 1, true, SMTP_PERMFAIL, "550", "injected" },
		{ "connection dropped at DATA", "smtp", env.smtp_port, env.ca, "drop",
		  alice, 1, true, SMTP_TEMPFAIL, "smtp://", NULL },
		{ "smtps, DATA answered 451", "smtps", env.smtps_port, env.ca, "451",
		  alice, 1, false, SMTP_TEMPFAIL, "451", NULL },
		{ "nothing listening", "smtp", dead_port, env.ca, NULL,
		  alice, 1, false, SMTP_TEMPFAIL, "connect", NULL },
	};
	struct smtp_client *shared = client("smtp", env.smtp_port, env.ca);
	size_t i;

	snprintf(dead_port, sizeof dead_port, "%d", dead);
	CHECK(dead > 0, "reserved a port where nothing listens");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct smtp_client *c = cases[i].shared ? shared :
			client(cases[i].scheme, cases[i].port, cases[i].ca);
		struct error err = { 0 };
		char tag[96], what[160], *line;
		enum smtp_status st;

		snprintf(tag, sizeof tag, "%s-fail%zu", token, i);
		if (!c) {
			CHECK(0, "smtp_new");
			continue;
		}
		if (cases[i].fault && !fault_set(cases[i].fault)) {
			CHECK(0, "writing the fault file");
			continue;
		}
		st = send_mail(c, tag, cases[i].rcpts, cases[i].n, &err);
		fault_clear();

		snprintf(what, sizeof what, "%s → %s", cases[i].what,
			 status_name(cases[i].want));
		CHECK_STATUS(st, cases[i].want, what);
		snprintf(what, sizeof what, "%s: message says \"%s\"%s%s%s", cases[i].what,
			 cases[i].want_msg, cases[i].want_msg2 ? " and \"" : "",
			 cases[i].want_msg2 ? cases[i].want_msg2 : "",
			 cases[i].want_msg2 ? "\"" : "");
		CHECK(strstr(err.msg, cases[i].want_msg) &&
		      (!cases[i].want_msg2 || strstr(err.msg, cases[i].want_msg2)), what);
		printf("#   %s\n", err.msg);
		snprintf(what, sizeof what, "%s: error class fits", cases[i].what);
		CHECK(err.cls == (cases[i].want == SMTP_PERMFAIL ? ERR_MESSAGE : ERR_TEMP),
		      what);
		/* A refused mail must not have reached anyone. */
		line = mailbox_line("alice@example.com", tag);
		snprintf(what, sizeof what, "%s: nothing delivered", cases[i].what);
		CHECK(!line, what);
		free(line);
		if (!cases[i].shared)
			smtp_free(c);
	}
	if (dead_fd >= 0)
		close(dead_fd);

	/* After all that, the shared client still works. */
	if (shared) {
		struct error err = { 0 };
		char tag[96], *line;

		snprintf(tag, sizeof tag, "%s-after-failures", token);
		CHECK_STATUS(send_mail(shared, tag, alice, 1, &err), SMTP_SENT,
			     "client sends again after failures");
		line = mailbox_line("alice@example.com", tag);
		CHECK(line, "that mail arrived");
		free(line);
		smtp_free(shared);
	}
}

/*
 * A fake SMTP server in a child process for the one case the real server
 * cannot stage: a cached connection the server closed silently (as after an
 * idle timeout) that still looks alive.  Connection 1 takes one mail, then
 * closes when the next MAIL FROM arrives, before answering; later
 * connections behave.  Plain SMTP: nothing here is about TLS.
 */
static void fake_server(int lfd)
{
	char line[1024];
	int conn;

	for (conn = 1; conn <= 3; conn++) {
		int fd = accept(lfd, NULL, NULL), mails = 0;
		FILE *f;

		if (fd < 0 || !(f = fdopen(fd, "r+")))
			_exit(1);
		fprintf(f, "220 fake\r\n");
		fflush(f);
		while (fgets(line, sizeof line, f)) {
			if (strncasecmp(line, "EHLO", 4) == 0) {
				fprintf(f, "250-fake\r\n250 8BITMIME\r\n");
			} else if (strncasecmp(line, "MAIL", 4) == 0) {
				if (conn == 1 && mails == 1)
					break;	/* gone without a word */
				fprintf(f, "250 ok\r\n");
			} else if (strncasecmp(line, "RCPT", 4) == 0) {
				fprintf(f, "250 ok\r\n");
			} else if (strncasecmp(line, "DATA", 4) == 0) {
				fprintf(f, "354 go\r\n");
				fflush(f);
				while (fgets(line, sizeof line, f) && strcmp(line, ".\r\n"))
					;
				mails++;
				fprintf(f, "250 conn %d mail %d\r\n", conn, mails);
			} else if (strncasecmp(line, "QUIT", 4) == 0) {
				fprintf(f, "221 bye\r\n");
				break;
			} else {
				fprintf(f, "500 what\r\n");
			}
			fflush(f);
		}
		fclose(f);
	}
	_exit(0);
}

static void test_stale_connection(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof a;
	struct smtp_options o = { .timeout = 5 };
	const char *mail = "Subject: stale\r\n\r\nhi\r\n";
	char url[64], logpath[] = "/tmp/test_smtp.logXXXXXX", cmd[128], *log;
	struct smtp_client *c;
	struct error err = { 0 };
	int lfd, fd, saved;
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(lfd, 4) != 0 || getsockname(lfd, (struct sockaddr *)&a, &alen) != 0) {
		CHECK(0, "stale: fake server socket");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		fake_server(lfd);
	close(lfd);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", ntohs(a.sin_port));
	o.url = url;
	c = smtp_new(&o);

	fd = mkstemp(logpath);
	saved = dup(2);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	log_set_level(LOG_DEBUG);
	CHECK_STATUS(c ? smtp_send(c, "b@example.com", alice, 1, mail, strlen(mail), &err)
		       : SMTP_TEMPFAIL, SMTP_SENT, "stale: first mail sent");
	CHECK_STATUS(c ? smtp_send(c, "b@example.com", alice, 1, mail, strlen(mail), &err)
		       : SMTP_TEMPFAIL, SMTP_SENT,
		     "stale: silently closed cached connection → sent on a new one");
	log_set_level(LOG_INFO);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	snprintf(cmd, sizeof cmd, "cat %s", logpath);
	log = read_cmd(cmd);
	unlink(logpath);
	CHECK(log && strstr(log, "reconnecting") && strstr(log, "conn 2 mail 1"),
	      "stale: retried once on a new connection");
	free(log);
	smtp_free(c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void bench(long n)
{
	struct smtp_client *c = client("smtp", env.smtp_port, env.ca);
	const char *rcpt[] = { "smtpbench@example.com" };
	struct error err = { 0 };
	struct timespec t0, t1;
	char tag[96];
	long i, sent = 0;
	double s;

	if (!c)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		snprintf(tag, sizeof tag, "%s-bench%ld", token, i);
		if (send_mail(c, tag, rcpt, 1, &err) == SMTP_SENT)
			sent++;
		else
			printf("#   bench %ld: %s\n", i, err.msg);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK_INT(sent, n, "bench: every mail sent");
	printf("# bench: %ld mails on one client (STARTTLS) in %.2f s = %.0f mails/s\n",
	       sent, s, s > 0 ? (double)sent / s : 0.0);
	smtp_free(c);
}

static const char *need(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		printf("Bail out! %s is not set: run tests/integration/smtp.sh\n", name);
		exit(2);
	}
	return v;
}

int main(void)
{
	const char *b;

	env.host = need("IB_HOST");
	env.smtp_port = need("IB_SMTP_PORT");
	env.smtps_port = need("IB_SMTPS_PORT");
	env.ca = need("IB_CA");
	env.other_ca = need("IB_OTHER_CA");
	env.fault = need("IB_SMTP_FAULT");
	env.mailbox = need("IB_MAILBOX");
	env.spool = need("IB_SPOOL");
	env.pwfile = need("IB_SMTP_PASSWORD_FILE");
	snprintf(token, sizeof token, "t%ld-%ld", (long)getpid(), (long)time(NULL));
	atexit(fault_clear);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	printf("# run token %s\n", token);

	test_delivery("smtp", env.smtp_port);
	test_delivery("smtps", env.smtps_port);
	test_reuse();
	test_auth();
	test_failures();
	test_stale_connection();
	if ((b = getenv("IB_SMTP_BENCH")) && atol(b) > 0)
		bench(atol(b));
	return test_done();
}
