/*
 * test_imap.c — bot/imap/imap.c against the private Dovecot of scripts/mailserver,
 * plus small fake servers forked here for what Dovecot cannot do wrong on
 * demand (a certificate for another name, no STARTTLS, no greeting).
 *
 * Run by tests/integration/imap.sh, which sets the environment:
 *   IB_HOST IB_IMAPS_PORT IB_IMAP_PORT IB_CA IB_OTHER_CA IB_MAIL_DIR
 *   IB_IMAP_TEST_USER  a user of its own whose folders imap.sh emptied
 *   IB_IMAP_BULK       messages for the batch test (default 300)
 *   IB_MAILSERVER      path of scripts/mailserver (default: relative)
 * The fake TLS server uses $IB_MAIL_DIR/certs/server.{pem,key}.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gnutls/gnutls.h>

#include "imap/imap.h"
#include "lib/error.h"
#include "lib/log.h"
#include "test.h"

static const char *host, *ca, *other_ca, *mail_dir, *user, *mailserver;
static int imaps_port, imap_port;
static char password[256];
static char tmpdir[] = "/tmp/test_imap.XXXXXX";

/* ---- helpers ------------------------------------------------------------ */

static const char *env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct imap_options opts(bool implicit_tls, const char *mailbox)
{
	struct imap_options o = {
		.host = host,
		.port = implicit_tls ? imaps_port : imap_port,
		.implicit_tls = implicit_tls,
		.mailbox = mailbox,
		.user = user,
		.password = password,
		.ca_file = ca,
		.timeout = 10,
	};
	return o;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

static int run(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		printf("# command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* LF -> CRLF: what IMAP serves for a message stored with LF. */
static char *crlf(const char *lf, size_t *len)
{
	size_t n = strlen(lf), k = 0;
	char *out = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		if (lf[i] == '\n')
			out[k++] = '\r';
		out[k++] = lf[i];
	}
	out[k] = '\0';
	*len = k;
	return out;
}

/* A bulk message of about 1 to 10 KB whose bytes follow from its number. */
static char *bulk_message(int i)
{
	size_t cap = 16384, k;
	char *m = malloc(cap);
	int lines = 20 + (i * 37) % 220;

	k = snprintf(m, cap, "From: Bulk Sender <bulk@example.com>\nTo: %s\n"
		     "Subject: bulk %d\nMessage-ID: <bulk-%d@test.invalid>\n"
		     "Content-Type: text/plain; charset=utf-8\n\n", user, i, i);
	for (int l = 0; l < lines && k + 64 < cap; l++)
		k += snprintf(m + k, cap - k, "line %d of message %d: Störung gemeldet.\n", l, i);
	return m;
}

/* Delivers files dir/<first..last>.eml (a doveadm process per file: slow,
 * and no faster in parallel on a small machine). */
static int deliver_range(const char *dir, int first, int last)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "seq %d %d | sed 's|.*|%s/&.eml|' | "
		 "xargs %s deliver %s", first, last, dir, mailserver, user);
	return run(cmd);
}

static int deliver_one(const char *path)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "%s deliver %s %s", mailserver, user, path);
	return run(cmd);
}

static size_t count_in(const char *mailbox)
{
	struct imap_options o = opts(true, mailbox);
	struct imap_session *s;
	struct error err = { 0 };
	uint32_t *uids = NULL;
	size_t n = (size_t)-1;

	if (imap_open(&o, &s, &err) < 0) {
		printf("# open %s: %s\n", mailbox, err.msg);
		return (size_t)-1;
	}
	if (imap_list_uids(s, &uids, &n, &err) < 0)
		printf("# list %s: %s\n", mailbox, err.msg);
	free(uids);
	imap_close(s);
	return n;
}

/* ---- a fake server, forked ------------------------------------------------ */

enum fake_mode {
	FAKE_TLS,		/* IMAPS with the test server certificate */
	FAKE_NO_STARTTLS,	/* clear text, STARTTLS not offered */
	FAKE_INJECT,		/* STARTTLS, with clear text right behind its OK */
	FAKE_SILENT,		/* accepts and never says a word */
};

struct fake {
	pid_t pid;
	int port;
	int report;	/* read end: "BYTES LOGIN" when the child is done */
};

struct conn {
	int fd;
	gnutls_session_t tls;
};

static ssize_t conn_send(struct conn *c, const char *s)
{
	return c->tls ? gnutls_record_send(c->tls, s, strlen(s)) : write(c->fd, s, strlen(s));
}

static ssize_t conn_recv(struct conn *c, char *buf, size_t n)
{
	return c->tls ? gnutls_record_recv(c->tls, buf, n) : read(c->fd, buf, n);
}

/* The server side of TLS with the test server certificate (child only). */
static void fake_tls_accept(struct conn *c)
{
	gnutls_certificate_credentials_t cred;
	char cert[512], key[512];
	int r;

	snprintf(cert, sizeof cert, "%s/certs/server.pem", mail_dir);
	snprintf(key, sizeof key, "%s/certs/server.key", mail_dir);
	gnutls_certificate_allocate_credentials(&cred);
	if (gnutls_certificate_set_x509_key_file(cred, cert, key, GNUTLS_X509_FMT_PEM) < 0)
		_exit(1);
	gnutls_init(&c->tls, GNUTLS_SERVER);
	gnutls_set_default_priority(c->tls);
	gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(c->tls, c->fd);
	gnutls_handshake_set_timeout(c->tls, 10000);
	do
		r = gnutls_handshake(c->tls);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0)
		_exit(1);
}

/* Answers like a minimal IMAP server and counts what the client sent after
 * the greeting (inside TLS, once there is TLS), and whether a LOGIN came. */
static void fake_serve(int lfd, enum fake_mode mode, int report)
{
	struct conn c = { -1, NULL };
	struct timeval tv = { 10, 0 };
	char buf[4096], line[4096], msg[64];
	size_t total = 0, ll = 0;
	int login = 0;
	ssize_t r;

	alarm(30);	/* never outlive the test */
	c.fd = accept(lfd, NULL, NULL);
	if (c.fd < 0)
		_exit(1);
	setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (mode == FAKE_TLS) {
		fake_tls_accept(&c);
		conn_send(&c, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n");
	} else if (mode == FAKE_NO_STARTTLS) {
		conn_send(&c, "* OK fake ready, no TLS here\r\n");
	} else if (mode == FAKE_INJECT) {
		conn_send(&c, "* OK fake ready\r\n");
	}

	while ((r = conn_recv(&c, buf, sizeof buf)) > 0) {
		total += r;
		for (ssize_t i = 0; i < r; i++) {
			char tag[64] = "*", reply[256];

			if (buf[i] != '\n') {
				if (ll + 1 < sizeof line)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			sscanf(line, "%63s", tag);
			if (strstr(line, " LOGIN ") || strstr(line, " login ")) {
				login = 1;
				snprintf(reply, sizeof reply, "%s NO [AUTHENTICATIONFAILED] fake says no\r\n", tag);
			} else if (strstr(line, "STARTTLS") && mode == FAKE_INJECT && !c.tls) {
				/* one write: the injected line arrives with the OK */
				snprintf(reply, sizeof reply, "%s OK begin TLS\r\n"
					 "* 1 EXISTS\r\n", tag);
				conn_send(&c, reply);
				/* TLS only if a ClientHello comes; a client that
				 * hangs up is counted as 0 bytes, one that goes on in
				 * clear text is counted (and LOGIN seen) below */
				unsigned char first = 0;
				if (recv(c.fd, &first, 1, MSG_PEEK) == 1 && first == 0x16)
					fake_tls_accept(&c);
				total = 0;
				break;
			} else if (strstr(line, "CAPABILITY")) {
				snprintf(reply, sizeof reply, "* CAPABILITY IMAP4rev1 %sAUTH=PLAIN\r\n"
					 "%s OK done\r\n", mode == FAKE_INJECT ? "STARTTLS " : "", tag);
			} else if (strstr(line, "LOGOUT")) {
				snprintf(reply, sizeof reply, "* BYE\r\n%s OK bye\r\n", tag);
			} else {
				snprintf(reply, sizeof reply, "%s BAD what?\r\n", tag);
			}
			if (mode != FAKE_SILENT)
				conn_send(&c, reply);
		}
	}
	snprintf(msg, sizeof msg, "%zu %d\n", total, login);
	if (write(report, msg, strlen(msg)) < 0)
		_exit(1);
	_exit(0);
}

static int fake_start(struct fake *f, enum fake_mode mode, const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int lfd, p[2];

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&sa, &len) < 0 ||
	    pipe(p) < 0) {
		printf("# fake server on %s: %s\n", addr, strerror(errno));
		return -1;
	}
	fflush(stdout);
	f->pid = fork();
	if (f->pid == 0) {
		close(p[0]);
		fake_serve(lfd, mode, p[1]);
	}
	close(lfd);
	close(p[1]);
	f->port = ntohs(sa.sin_port);
	f->report = p[0];
	return f->pid < 0 ? -1 : 0;
}

/* What the client sent after the greeting; login: whether LOGIN came. */
static void fake_result(struct fake *f, long *bytes, int *login)
{
	char buf[64] = "";
	ssize_t r = read(f->report, buf, sizeof buf - 1);

	*bytes = -1;
	*login = -1;
	if (r > 0)
		sscanf(buf, "%ld %d", bytes, login);
	close(f->report);
	waitpid(f->pid, NULL, 0);
}

/* ---- tests ---------------------------------------------------------------- */

static const char sample[] =
	"From: Tanaka <tanaka@example.com>\n"
	"To: incident@example.com\n"
	"Subject: =?UTF-8?B?44K144O844OQ44O844GM6JC944Gh44G+44GX44Gf?=\n"
	"Message-ID: <sample-1@test.invalid>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: text/plain; charset=utf-8\n"
	"Content-Transfer-Encoding: 8bit\n"
	"\n"
	"サーバーが落ちました。\n"
	".\n"
	"A line with trailing spaces   \n"
	"\n"
	"-- \n"
	"Tanaka\n";

static void test_open_both(void)
{
	struct imap_options o = opts(true, "INBOX");
	struct imap_session *s = NULL, *t = NULL;
	struct error err = { 0 };
	uint32_t v1 = 0;

	CHECK(imap_open(&o, &s, &err) == 0, "IMAPS (127.0.0.1, IP SAN): open");
	if (s) {
		v1 = imap_uidvalidity(s);
		CHECK(v1 != 0, "IMAPS: UIDVALIDITY is nonzero");
		CHECK(imap_has_idle(s), "Dovecot announces IDLE");
	} else {
		printf("# %s\n", err.msg);
	}
	imap_close(s);

	o = opts(false, "INBOX");
	o.host = "localhost";	/* DNS SAN this time */
	CHECK(imap_open(&o, &t, &err) == 0, "STARTTLS (localhost, DNS SAN): open");
	if (t)
		CHECK_INT(imap_uidvalidity(t), v1, "STARTTLS: same UIDVALIDITY");
	else
		printf("# %s\n", err.msg);
	imap_close(t);
}

static void test_fetch_exact_and_move(void)
{
	char path[512];
	size_t want_len, n = 99, nm = 99;
	char *want = crlf(sample, &want_len);
	struct imap_options o = opts(true, "INBOX");
	struct imap_session *s = NULL;
	struct mail_raw *m = NULL;
	struct error err = { 0 };
	uint32_t *uids = NULL, bogus = 999999;

	(void)nm;

	snprintf(path, sizeof path, "%s/sample.eml", tmpdir);
	write_file(path, sample, strlen(sample));
	CHECK(deliver_one(path) == 0, "deliver the sample message");
	if (imap_open(&o, &s, &err) < 0) {
		CHECK(0, "open for fetch");
		printf("# %s\n", err.msg);
		free(want);
		return;
	}
	CHECK(imap_list_uids(s, &uids, &n, &err) == 0 && n == 1, "list: one UID");
	CHECK(imap_fetch(s, uids, n, &m, &nm, &err) == 0 && nm == 1, "fetch: one message");
	if (nm == 1) {
		CHECK_INT(m[0].uid, uids[0], "fetch: the UID asked for");
		CHECK_INT(m[0].len, want_len, "fetch: size is the CRLF size");
		CHECK(m[0].len == want_len && memcmp(m[0].raw, want, want_len) == 0,
		      "fetch: exact bytes, CRLF, 8-bit UTF-8 intact");
		CHECK(m[0].raw[m[0].len] == '\0', "fetch: NUL-terminated");
	}
	mail_raws_free(m, nm);

	/* BODY.PEEK: Dovecot's own view of the flags must not show \Seen */
	char cmd[1024], flags[256] = "";
	snprintf(cmd, sizeof cmd, "doveadm -c %s/dovecot.conf fetch -u %s flags "
		 "mailbox INBOX 2>&1", mail_dir, user);
	FILE *p = popen(cmd, "r");
	size_t fl = p ? fread(flags, 1, sizeof flags - 1, p) : 0;
	if (p)
		pclose(p);
	flags[fl] = '\0';
	CHECK(strstr(flags, "flags:") && !strstr(flags, "\\Seen"), "fetch did not set \\Seen");

	m = NULL;
	CHECK(imap_fetch(s, &bogus, 1, &m, &nm, &err) == 0 && nm == 0 && m == NULL,
	      "fetch of a vanished UID: skipped, no error, NULL array");
	mail_raws_free(m, nm);
	CHECK(imap_fetch(s, NULL, 0, &m, &nm, &err) == 0 && nm == 0, "fetch of nothing");

	CHECK(imap_move(s, uids, n, "Processed", &err) == 0, "move to Processed (created)");
	if (err.cls)
		printf("# %s\n", err.msg);
	free(uids);
	uids = NULL;
	CHECK(imap_list_uids(s, &uids, &n, &err) == 0 && n == 0, "INBOX empty after move");
	free(uids);
	imap_close(s);

	/* the moved message, intact, in the new folder */
	o = opts(false, "Processed");
	s = NULL;
	m = NULL;
	nm = 0;
	uids = NULL;
	CHECK(imap_open(&o, &s, &err) == 0, "open Processed");
	if (s && imap_list_uids(s, &uids, &n, &err) == 0 && n == 1 &&
	    imap_fetch(s, uids, n, &m, &nm, &err) == 0 && nm == 1)
		CHECK(m[0].len == want_len && memcmp(m[0].raw, want, want_len) == 0,
		      "Processed holds the same bytes");
	else
		CHECK(0, "Processed holds the same bytes");
	mail_raws_free(m, nm);
	free(uids);
	imap_close(s);
	CHECK_INT(count_in("INBOX"), 0, "a second session lists nothing in INBOX");
	free(want);
}

/* A message of about size bytes (LF) whose every line says where it is. */
static char *big_message(size_t size)
{
	char *m = malloc(size + 200);
	size_t k;

	k = snprintf(m, size + 200, "From: Big Sender <big@example.com>\nTo: %s\n"
		     "Subject: big\nMessage-ID: <big-1@test.invalid>\n"
		     "Content-Type: text/plain; charset=utf-8\n\n", user);
	for (int l = 0; k + 100 < size; l++)
		k += snprintf(m + k, size + 200 - k, "%06d ログ: the disk is full, "
			      "0123456789 abcdefghij %d\n", l, l * 7919 % 100003);
	return m;
}

/* What the fetch of uid got; NULL when it is not among m[0..n). */
static const struct mail_raw *find_uid(const struct mail_raw *m,
					   size_t n, uint32_t uid)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].uid == uid)
			return &m[i];
	return NULL;
}

/*
 * imap_set_max_size: a message over the limit comes back as exactly its
 * first max bytes, marked truncated with its real size; one beside it is
 * untouched; without a limit (the default) both come whole.
 */
static void test_max_size(void)
{
	const size_t limit = 100 * 1024;
	char path[512];
	char *lf = big_message(300 * 1024);
	size_t big_len, small_len, n = 0, nm = 0;
	char *big = crlf(lf, &big_len), *small = crlf(sample, &small_len);
	struct imap_options o = opts(true, "INBOX");
	struct imap_session *s = NULL;
	struct mail_raw *m = NULL;
	const struct mail_raw *b, *sm;
	struct error err = { 0 };
	uint32_t *uids = NULL, big_uid, small_uid;

	snprintf(path, sizeof path, "%s/big.eml", tmpdir);
	write_file(path, lf, strlen(lf));
	free(lf);
	CHECK(deliver_one(path) == 0, "max size: deliver a 300 KB message");
	snprintf(path, sizeof path, "%s/sample.eml", tmpdir);
	write_file(path, sample, strlen(sample));
	CHECK(deliver_one(path) == 0, "max size: and a small one beside it");
	if (imap_open(&o, &s, &err) < 0 || imap_list_uids(s, &uids, &n, &err) < 0 || n != 2) {
		CHECK(0, "max size: open and list two UIDs");
		printf("# %zu UIDs: %s\n", n, err.msg);
		goto out;
	}
	big_uid = uids[0];	/* delivered first */
	small_uid = uids[1];

	/* the default: no limit */
	CHECK(imap_fetch(s, uids, n, &m, &nm, &err) == 0 && nm == 2,
	      "no limit by default: both fetched");
	b = find_uid(m, nm, big_uid);
	CHECK(b && b->len == big_len && memcmp(b->raw, big, big_len) == 0 &&
	      !b->truncated && b->full_size == big_len,
	      "no limit by default: the 300 KB message whole, not truncated");
	mail_raws_free(m, nm);
	m = NULL;

	imap_set_max_size(s, limit);
	CHECK(imap_fetch(s, uids, n, &m, &nm, &err) == 0 && nm == 2,
	      "limit 100 KB: both fetched");
	if (err.cls)
		printf("# %s\n", err.msg);
	b = find_uid(m, nm, big_uid);
	sm = find_uid(m, nm, small_uid);
	CHECK(b != NULL, "limit 100 KB: the big message is there");
	if (b) {
		CHECK_INT(b->len, limit, "limit 100 KB: exactly 100 KB fetched");
		CHECK(b->len == limit && memcmp(b->raw, big, limit) == 0,
		      "limit 100 KB: its first 100 KB, byte-exact");
		CHECK(b->len == limit && b->raw[limit] == '\0', "limit 100 KB: NUL-terminated");
		CHECK(b->truncated, "limit 100 KB: marked truncated");
		CHECK_INT(b->full_size, big_len, "limit 100 KB: full_size is the real size");
	}
	CHECK(sm && sm->len == small_len && memcmp(sm->raw, small, small_len) == 0,
	      "limit 100 KB: the small message whole, byte-exact");
	CHECK(sm && !sm->truncated && sm->full_size == small_len,
	      "limit 100 KB: the small message not truncated, full_size = len");
	mail_raws_free(m, nm);
	m = NULL;

	/* the boundary: a message exactly at the limit is whole */
	imap_set_max_size(s, big_len);
	CHECK(imap_fetch(s, &big_uid, 1, &m, &nm, &err) == 0 && nm == 1 &&
	      m[0].len == big_len && !m[0].truncated && m[0].full_size == big_len,
	      "limit = the size: whole, not truncated");
	mail_raws_free(m, nm);
	m = NULL;
	imap_set_max_size(s, big_len - 1);
	CHECK(imap_fetch(s, &big_uid, 1, &m, &nm, &err) == 0 && nm == 1 &&
	      m[0].len == big_len - 1 && m[0].truncated && m[0].full_size == big_len &&
	      memcmp(m[0].raw, big, big_len - 1) == 0,
	      "limit = the size - 1: one byte short, truncated");
	mail_raws_free(m, nm);
	m = NULL;

	/* back to no limit */
	imap_set_max_size(s, 0);
	CHECK(imap_fetch(s, &big_uid, 1, &m, &nm, &err) == 0 && nm == 1 &&
	      m[0].len == big_len && !m[0].truncated,
	      "limit 0 again: whole");
	mail_raws_free(m, nm);
	m = NULL;

	/* a partial BODY.PEEK must not set \Seen either */
	char cmd[1024], flags[512] = "";
	snprintf(cmd, sizeof cmd, "doveadm -c %s/dovecot.conf fetch -u %s flags "
		 "mailbox INBOX 2>&1", mail_dir, user);
	FILE *p = popen(cmd, "r");
	size_t fl = p ? fread(flags, 1, sizeof flags - 1, p) : 0;
	if (p)
		pclose(p);
	flags[fl] = '\0';
	CHECK(strstr(flags, "flags:") && !strstr(flags, "\\Seen"), "max size: fetch did not set \\Seen");

	CHECK(imap_move(s, uids, n, "Processed", &err) == 0, "max size: move both away");
out:
	free(uids);
	imap_close(s);
	free(big);
	free(small);
}

/* Bulk: many messages, batches, exact bytes; then the COPY fallback. */
static void test_bulk(int bulk)
{
	char dir[512], path[600];
	struct imap_options o = opts(true, "INBOX");
	struct imap_session *s = NULL;
	struct mail_raw *m = NULL;
	struct error err = { 0 };
	uint32_t *uids = NULL;
	size_t n = 0, nm = 0, bytes = 0;
	int bad = 0, ascending = 1;

	snprintf(dir, sizeof dir, "%s/bulk", tmpdir);
	mkdir(dir, 0755);
	for (int i = 1; i <= bulk; i++) {
		char *msg = bulk_message(i);

		snprintf(path, sizeof path, "%s/%d.eml", dir, i);
		write_file(path, msg, strlen(msg));
		free(msg);
	}
	double t0 = now_s();
	CHECK(deliver_range(dir, 1, bulk) == 0, "deliver the bulk messages");
	printf("# delivered %d messages in %.1f s\n", bulk, now_s() - t0);

	if (imap_open(&o, &s, &err) < 0) {
		CHECK(0, "open for bulk");
		printf("# %s\n", err.msg);
		return;
	}
	if (imap_list_uids(s, &uids, &n, &err) < 0 || n != (size_t)bulk) {
		CHECK(0, "bulk: list all");
		printf("# %zu UIDs: %s\n", n, err.msg);
		free(uids);
		imap_close(s);
		return;
	}
	CHECK(1, "bulk: list all");
	t0 = now_s();
	CHECK(imap_fetch(s, uids, n, &m, &nm, &err) == 0, "bulk: fetch all");
	double dt = now_s() - t0;
	CHECK_INT(nm, bulk, "bulk: every message came back");
	for (size_t i = 0; i < nm; i++) {
		int num = 0;
		const char *subj = strstr(m[i].raw, "Subject: bulk ");
		size_t len;
		char *want;

		bytes += m[i].len;
		if (i > 0 && m[i].uid <= m[i - 1].uid)
			ascending = 0;
		if (!subj || sscanf(subj, "Subject: bulk %d", &num) != 1) {
			bad++;
			continue;
		}
		char *lf = bulk_message(num);
		want = crlf(lf, &len);
		if (m[i].len != len || memcmp(m[i].raw, want, len) != 0)
			bad++;
		free(lf);
		free(want);
	}
	CHECK_INT(bad, 0, "bulk: every message has its exact bytes");
	CHECK(ascending, "bulk: ascending by UID");
	printf("# fetched %zu messages (%.1f MB) in %.3f s: %.0f messages/s, %.1f MB/s\n",
	       nm, bytes / 1e6, dt, nm / dt, bytes / 1e6 / dt);
	mail_raws_free(m, nm);

	/* a subset of UIDs, unsorted with a duplicate: only those, once */
	uint32_t some[4] = { uids[n - 1], uids[0], uids[n / 2], uids[0] };
	CHECK(imap_fetch(s, some, 4, &m, &nm, &err) == 0 && nm == 3 &&
	      m[0].uid == uids[0] && m[1].uid == uids[n / 2] && m[2].uid == uids[n - 1],
	      "fetch of unsorted UIDs with a duplicate: each once, ascending");
	mail_raws_free(m, nm);
	imap_close(s);
	s = NULL;

	/* COPY + STORE \Deleted + UID EXPUNGE, into a folder that does not exist */
	setenv("IB_IMAP_NO_MOVE", "1", 1);
	CHECK(imap_open(&o, &s, &err) == 0, "open pretending the server has no MOVE");
	unsetenv("IB_IMAP_NO_MOVE");
	if (s) {
		CHECK(imap_move(s, uids, n, "Processed-copy", &err) == 0,
		      "COPY fallback: move all (folder created)");
		if (err.cls)
			printf("# %s\n", err.msg);
		free(uids);
		uids = NULL;
		CHECK(imap_list_uids(s, &uids, &n, &err) == 0 && n == 0,
		      "COPY fallback: INBOX empty (expunged)");
		imap_close(s);
	}
	free(uids);
	CHECK_INT(count_in("Processed-copy"), bulk, "COPY fallback: all in the folder");
}

static volatile sig_atomic_t stop_flag;

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void test_idle(void)
{
	struct imap_options o = opts(false, "INBOX");
	struct imap_session *s = NULL;
	struct error err = { 0 };
	char path[512];
	uint32_t *uids = NULL;
	size_t n = 0;
	double t0;
	pid_t pid;
	int r;

	snprintf(path, sizeof path, "%s/idle.eml", tmpdir);
	write_file(path, "Subject: idle\n\nwake up\n", 23);
	if (imap_open(&o, &s, &err) < 0) {
		CHECK(0, "open for IDLE");
		printf("# %s\n", err.msg);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(1000 * 1000);
		_exit(deliver_one(path) == 0 ? 0 : 1);
	}
	t0 = now_s();
	r = imap_idle(s, 20, &stop_flag, &err);
	double dt = now_s() - t0;
	waitpid(pid, NULL, 0);
	CHECK_INT(r, 1, "IDLE: 1 when a message arrives");
	CHECK(dt >= 0.5 && dt < 10, "IDLE: woke when it arrived, not at the timeout");
	printf("# IDLE woke after %.2f s\n", dt);
	CHECK(imap_list_uids(s, &uids, &n, &err) == 0 && n == 1, "after IDLE: the new UID is listed");
	CHECK(imap_move(s, uids, n, "Processed", &err) == 0, "move it away (folder exists)");
	free(uids);

	t0 = now_s();
	r = imap_idle(s, 2, &stop_flag, &err);
	dt = now_s() - t0;
	CHECK_INT(r, 0, "IDLE: 0 on timeout");
	CHECK(dt >= 1.9 && dt < 4, "IDLE: timeout honoured");

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	t0 = now_s();
	r = imap_idle(s, 30, &stop_flag, &err);
	dt = now_s() - t0;
	CHECK_INT(r, 0, "IDLE: 0 when *stop is set");
	CHECK(dt < 3, "IDLE: stop honoured within a second or so");
	stop_flag = 0;
	CHECK(imap_list_uids(s, &uids, &n, &err) == 0 && n == 0,
	      "session still usable after IDLE");
	free(uids);
	imap_close(s);
}

static void test_refusals(void)
{
	struct imap_options o;
	struct imap_session *s = NULL;
	struct error err = { 0 };
	char wrong[300];

	o = opts(true, "INBOX");
	snprintf(wrong, sizeof wrong, "%s-wrong", password);
	o.password = wrong;
	CHECK(imap_open(&o, &s, &err) < 0 && s == NULL && err.cls == ERR_AUTH,
	      "wrong password: ERR_AUTH (run retries, the admins told)");
	CHECK(strstr(err.msg, "login") && !strstr(err.msg, wrong), "  says login, not the password");
	printf("# %s\n", err.msg);

	o = opts(true, "INBOX");
	o.ca_file = other_ca;
	err.cls = ERR_NONE;
	CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL, "IMAPS, other CA: ERR_FATAL");
	CHECK(strstr(err.msg, "certificate") != NULL, "  fails on the certificate, before login");
	printf("# %s\n", err.msg);

	o = opts(false, "INBOX");
	o.ca_file = other_ca;
	err.cls = ERR_NONE;
	CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL, "STARTTLS, other CA: ERR_FATAL");
	CHECK(strstr(err.msg, "certificate") != NULL, "  fails on the certificate, before login");

	o = opts(true, "INBOX");
	o.ca_file = "/nonexistent/ca.pem";
	err.cls = ERR_NONE;
	CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL, "missing CA file: ERR_FATAL");
	printf("# %s\n", err.msg);

	o = opts(true, "No such folder");
	err.cls = ERR_NONE;
	CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL, "missing mailbox: ERR_FATAL");
	printf("# %s\n", err.msg);

	o = opts(true, "INBOX");
	o.port = imap_port;	/* TLS to the plain-text port */
	err.cls = ERR_NONE;
	CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_TEMP, "IMAPS to the STARTTLS port: ERR_TEMP");
	printf("# %s\n", err.msg);

	/* a port where nothing listens: bind one, then close it */
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	bind(fd, (struct sockaddr *)&sa, sizeof sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	o = opts(true, "INBOX");
	o.host = "127.0.0.1";
	o.port = ntohs(sa.sin_port);
	err.cls = ERR_NONE;
	CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_TEMP, "nothing listening: ERR_TEMP");
	CHECK(strncmp(err.msg, "imap: 127.0.0.1:", 16) == 0, "  message starts with imap: host:port:");
	printf("# %s\n", err.msg);
}

/* Fake servers: what goes over the wire when the certificate is wrong. */
static void test_wire(void)
{
	struct imap_options o;
	struct imap_session *s = NULL;
	struct error err = { 0 };
	struct fake f;
	long bytes;
	int login;

	/* positive control: right CA and name, so LOGIN does reach the server */
	if (fake_start(&f, FAKE_TLS, "127.0.0.1") == 0) {
		o = opts(true, "INBOX");
		o.host = "127.0.0.1";
		o.port = f.port;
		CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_AUTH,
		      "fake server, good certificate: login refused (ERR_AUTH)");
		fake_result(&f, &bytes, &login);
		CHECK(login == 1, "  control: the fake server saw the LOGIN");
	}

	/* a certificate signed by a CA we do not trust */
	if (fake_start(&f, FAKE_TLS, "127.0.0.1") == 0) {
		o = opts(true, "INBOX");
		o.host = "127.0.0.1";
		o.port = f.port;
		o.ca_file = other_ca;
		err.cls = ERR_NONE;
		CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL,
		      "fake server, untrusted CA: ERR_FATAL");
		fake_result(&f, &bytes, &login);
		CHECK(bytes == 0 && login == 0, "  not one byte sent inside TLS: no password");
		if (bytes != 0)
			printf("#   server got %ld bytes, login %d\n", bytes, login);
	}

	/* the right CA, but a name the certificate does not carry */
	if (fake_start(&f, FAKE_TLS, "127.0.0.2") == 0) {
		o = opts(true, "INBOX");
		o.host = "127.0.0.2";
		o.port = f.port;
		err.cls = ERR_NONE;
		CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL,
		      "fake server, host name mismatch (127.0.0.2): ERR_FATAL");
		CHECK(strstr(err.msg, "not valid for \"127.0.0.2\"") != NULL, "  says which name");
		printf("# %s\n", err.msg);
		fake_result(&f, &bytes, &login);
		CHECK(bytes == 0 && login == 0, "  not one byte sent inside TLS: no password");
	}

	/* imap:// to a server without STARTTLS */
	if (fake_start(&f, FAKE_NO_STARTTLS, "127.0.0.1") == 0) {
		o = opts(false, "INBOX");
		o.host = "127.0.0.1";
		o.port = f.port;
		err.cls = ERR_NONE;
		CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL,
		      "no STARTTLS offered: ERR_FATAL");
		printf("# %s\n", err.msg);
		fake_result(&f, &bytes, &login);
		CHECK(login == 0, "  no LOGIN sent in clear text");
	}

	/* clear text smuggled in behind the STARTTLS answer */
	if (fake_start(&f, FAKE_INJECT, "127.0.0.1") == 0) {
		o = opts(false, "INBOX");
		o.host = "127.0.0.1";
		o.port = f.port;
		err.cls = ERR_NONE;
		CHECK(imap_open(&o, &s, &err) < 0 && err.cls == ERR_FATAL,
		      "data injected before TLS: ERR_FATAL");
		CHECK(strstr(err.msg, "clear-text data after") != NULL, "  says why");
		printf("# %s\n", err.msg);
		fake_result(&f, &bytes, &login);
		CHECK(bytes == 0 && login == 0, "  not one byte sent inside TLS: no password");
	}

	/* a server that accepts and never greets: the timeout ends it */
	for (int tls = 0; tls <= 1; tls++)
		if (fake_start(&f, FAKE_SILENT, "127.0.0.1") == 0) {
			o = opts(tls, "INBOX");
			o.host = "127.0.0.1";
			o.port = f.port;
			o.timeout = 2;
			err.cls = ERR_NONE;
			double t0 = now_s();
			int r = imap_open(&o, &s, &err);
			double dt = now_s() - t0;
			CHECK(r < 0 && err.cls == ERR_TEMP && dt < 6,
			      tls ? "silent server, IMAPS: ERR_TEMP after the timeout"
				  : "silent server, STARTTLS: ERR_TEMP after the timeout");
			printf("# after %.1f s: %s\n", dt, err.msg);
			fake_result(&f, &bytes, &login);
		}
}

/* ---- main -------------------------------------------------------------------- */

int main(void)
{
	char path[512], logpath[] = "/tmp/test_imap.log.XXXXXX";
	int bulk, saved_err, logfd;
	FILE *f;

	signal(SIGPIPE, SIG_IGN);	/* as the bot's main does */
	setvbuf(stdout, NULL, _IOLBF, 0);
	host = env("IB_HOST", "127.0.0.1");
	imaps_port = atoi(env("IB_IMAPS_PORT", "10993"));
	imap_port = atoi(env("IB_IMAP_PORT", "10143"));
	mail_dir = env("IB_MAIL_DIR", "/tmp/ib-mail");
	user = env("IB_IMAP_TEST_USER", "imaptest@example.com");
	mailserver = env("IB_MAILSERVER", "scripts/mailserver");
	bulk = atoi(env("IB_IMAP_BULK", "300"));
	snprintf(path, sizeof path, "%s/certs/ca.pem", mail_dir);
	ca = env("IB_CA", path);
	static char other[512];
	snprintf(other, sizeof other, "%s/certs/other-ca.pem", mail_dir);
	other_ca = env("IB_OTHER_CA", other);
	snprintf(path, sizeof path, "%s/secrets/password", mail_dir);
	f = fopen(path, "r");
	if (!f || !fgets(password, sizeof password, f)) {
		printf("Bail out! cannot read the test password from %s\n", path);
		return 2;
	}
	fclose(f);
	password[strcspn(password, "\r\n")] = '\0';
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 2;
	}

	/* Keep what imap.c logs, to prove the password never appears in it. */
	fflush(stderr);
	saved_err = dup(2);
	logfd = mkstemp(logpath);
	if (saved_err < 0 || logfd < 0 || dup2(logfd, 2) < 0) {
		printf("Bail out! cannot capture stderr\n");
		return 2;
	}
	log_set_level(LOG_DEBUG);

	test_open_both();
	test_fetch_exact_and_move();
	test_max_size();
	test_bulk(bulk);
	test_idle();
	test_refusals();
	test_wire();

	fflush(stderr);
	size_t cap = 4 << 20, len = 0;
	char *logtxt = malloc(cap + 1);
	lseek(logfd, 0, SEEK_SET);
	for (ssize_t r; len < cap && (r = read(logfd, logtxt + len, cap - len)) > 0;)
		len += r;
	logtxt[len] = '\0';
	CHECK(strstr(logtxt, "imap: uid ") && strstr(logtxt, ": moved to Processed"),
	      "log has \"imap: uid N: moved to Processed\"");
	CHECK(strstr(logtxt, "over the limit of 102400: fetched the first 102400 bytes only"),
	      "log says which message was cut");
	CHECK(memmem(logtxt, len, password, strlen(password)) == NULL,
	      "the password appears nowhere in the log");
	dup2(saved_err, 2);
	/* the log is long (a line per moved message): shown when it helps */
	if ((test_failed || getenv("IB_IMAP_SHOW_LOG")) && write(2, logtxt, len) < 0)
		return 2;
	free(logtxt);
	close(logfd);
	unlink(logpath);

	snprintf(path, sizeof path, "rm -rf %s", tmpdir);
	run(path);
	return test_done();
}
