/*
 * smtp.c — the sending adapter: hands composed bytes to an SMTP server with
 * libcurl and says, in one of three words, what the caller should do next:
 * forget the mail (SMTP_SENT), retry later (SMTP_TEMPFAIL), or give up on it
 * (SMTP_PERMFAIL).  It and lib/oauth2.c (HTTPS to the OAuth2 token
 * endpoint) are the only files that include <curl/curl.h>.
 *
 * One easy handle lives as long as the client: curl keeps the connection in
 * the handle's cache, so the next send skips TCP, TLS and EHLO and goes
 * straight to MAIL FROM.  A connection that died while cached is replaced
 * transparently (see stale_connection()).
 *
 * Thread safety: a client must be used by one thread at a time.
 * curl_global_init() is not thread-safe, so smtp_new() runs it exactly once
 * per process through pthread_once(); nothing calls curl_global_cleanup()
 * (the process ends instead), so a client can be created at any time.
 */
#include "outbox/smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/secret.h"

#define DEFAULT_TIMEOUT	30	/* seconds, when the options say 0 */

struct smtp_client {
	CURL *curl;
	char *url;		/* scheme://host:port for messages, no userinfo */
	char *host;		/* for the certificate message */
	char *ca_file;		/* for messages; NULL: system store */
	bool tls;		/* TLS required (smtps:// or STARTTLS) */
	struct oauth2 *oauth2;	/* borrowed: AUTH XOAUTH2 when set */
	char *token;		/* the bearer set on the handle, for oauth2_refused */

	/* Per send: the bytes curl reads, the server's last reply line. */
	const char *data;
	size_t len, pos;
	char reply[256];
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* CURLOPT_READFUNCTION: feeds the message to curl, which dot-stuffs it. */
static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_client *c = arg;
	size_t n = size * nitems;

	if (n > c->len - c->pos)
		n = c->len - c->pos;
	if (n == 0)
		return 0;	/* end of message; curl sends CRLF . CRLF */
	memcpy(buf, c->data + c->pos, n);
	c->pos += n;
	return n;
}

/*
 * CURLOPT_DEBUGFUNCTION: keeps the last line the server sent, so that a
 * failure can quote the reply ("550 5.1.1 <bob@...>: unknown user") instead
 * of curl's "RCPT failed: 550".  Only CURLINFO_HEADER_IN (server replies) is
 * looked at: the outgoing side carries AUTH credentials and is never kept.
 */
static int debug_cb(CURL *h, curl_infotype type, char *text, size_t n, void *arg)
{
	struct smtp_client *c = arg;
	size_t i;

	(void)h;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (n > 0 && (text[n - 1] == '\r' || text[n - 1] == '\n'))
		n--;
	/* A multi-line reply may come in one piece: keep its last line. */
	for (i = n; i > 0; i--) {
		if (text[i - 1] == '\n') {
			text += i;
			n -= i;
			break;
		}
	}
	if (n == 0)
		return 0;
	/*
	 * Keep the reply that matters: AUTH challenges (334) are base64 noise,
	 * and after a failure curl closes with QUIT, whose "221" would
	 * otherwise replace the 550 we want to report.
	 */
	if (n >= 3 && (memcmp(text, "334", 3) == 0 || memcmp(text, "221", 3) == 0))
		return 0;
	if (n >= sizeof c->reply)
		n = sizeof c->reply - 1;
	for (i = 0; i < n; i++)		/* server text goes into logs: no controls */
		c->reply[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
	c->reply[n] = '\0';
	return 0;
}

/*
 * Splits the configured URL into what messages may show: "scheme://host:port"
 * and the host.  A URL may carry "user:password@"; it must never reach a log.
 * Returns -1 on out-of-memory only; an unparsable URL shows as "(bad url)"
 * and fails at the first send with curl's reason.
 */
static int url_names(struct smtp_client *c, const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (!u)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	}
	c->host = strdup(host ? host : "server");
	if (scheme && host && asprintf(&c->url, "%s://%s%s%s", scheme, host,
				       port ? ":" : "", port ? port : "") < 0)
		c->url = NULL;
	else if (!(scheme && host))
		c->url = strdup("(bad url)");
	if (c->host && c->url)
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(c->curl, opt, val) != CURLE_OK)		\
		goto fail;						\
} while (0)

struct smtp_client *smtp_new(const struct smtp_options *opt)
{
	struct smtp_client *c;
	long timeout = opt->timeout > 0 ? opt->timeout : DEFAULT_TIMEOUT;
	bool smtps;

	if (!opt->url) {
		log_error("smtp", "no smtp.url given");
		return NULL;
	}
	smtps = strncmp(opt->url, "smtps://", 8) == 0;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		log_error("smtp", "curl_global_init failed: %s",
			  curl_easy_strerror(global_rc));
		return NULL;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->ca_file = opt->ca_file ? strdup(opt->ca_file) : NULL;
	c->curl = curl_easy_init();
	if (url_names(c, opt->url) < 0 || (opt->ca_file && !c->ca_file) ||
	    !c->curl)
		goto fail;
	c->tls = smtps || opt->starttls;

	SETOPT(CURLOPT_URL, opt->url);
	/*
	 * Only SMTP: a config typo such as "file:///etc/passwd" or an http
	 * redirect must not turn the sender into something else.
	 */
	SETOPT(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/*
	 * CURLUSESSL_ALL makes STARTTLS mandatory on smtp:// (no silent
	 * fallback to plain text when the server does not offer it) and is
	 * harmless on smtps://.  Plain smtp:// without STARTTLS is for a relay
	 * on loopback only; smtp_new() warns when a password would travel so.
	 */
	SETOPT(CURLOPT_USE_SSL, (long)(c->tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (opt->ca_file) {
		/*
		 * Trust ca_file alone: Debian's libcurl also loads /etc/ssl/certs
		 * through its default CAPATH, which would let any public CA vouch
		 * for the private relay.
		 */
		SETOPT(CURLOPT_CAINFO, opt->ca_file);
		SETOPT(CURLOPT_CAPATH, (char *)NULL);
	}
	c->oauth2 = opt->user ? opt->oauth2 : NULL;
	if (c->oauth2) {
		/*
		 * Issue 17: AUTH XOAUTH2 only — curl would otherwise pick
		 * OAUTHBEARER first where both are offered, which Exchange
		 * Online does not take.  The bearer is set before every
		 * transfer (set_bearer), so a renewed token is used at the next
		 * connection; curl does not reuse a connection made with
		 * another token.
		 */
		SETOPT(CURLOPT_USERNAME, opt->user);
		SETOPT(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
		if (!c->tls)
			log_warn("smtp", "%s: token sent without TLS "
				 "(set smtp.starttls or use smtps://)", c->url);
	} else if (opt->user) {
		SETOPT(CURLOPT_USERNAME, opt->user);
		SETOPT(CURLOPT_PASSWORD, opt->password ? opt->password : "");
		if (!c->tls)
			log_warn("smtp", "%s: password sent without TLS "
				 "(set smtp.starttls or use smtps://)", c->url);
	}

	/*
	 * Timeouts: connect and each server reply within `timeout`; during
	 * the upload, fewer than 1 byte/s for `timeout` seconds aborts too.  No
	 * overall CURLOPT_TIMEOUT: a big mail on a slow link is not a failure,
	 * a stalled one is.
	 */
	SETOPT(CURLOPT_CONNECTTIMEOUT, timeout);
	SETOPT(CURLOPT_SERVER_RESPONSE_TIMEOUT, timeout);
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(CURLOPT_LOW_SPEED_TIME, timeout);
	/* No SIGALRM for DNS timeouts: the bot has other threads and timers. */
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	/*
	 * The connection idles between sends: keepalive probes keep NAT and
	 * firewall state alive and let the kernel notice a peer that vanished.
	 */
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);

	SETOPT(CURLOPT_UPLOAD, 1L);
	SETOPT(CURLOPT_READFUNCTION, read_cb);
	SETOPT(CURLOPT_READDATA, c);
	SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
	/* VERBOSE only feeds debug_cb; nothing is printed. */
	SETOPT(CURLOPT_DEBUGFUNCTION, debug_cb);
	SETOPT(CURLOPT_DEBUGDATA, c);
	SETOPT(CURLOPT_VERBOSE, 1L);
	/*
	 * CURLOPT_MAIL_RCPT_ALLOWFAILS stays off: when one RCPT is refused
	 * curl fails the whole transaction, so a message is either sent to all
	 * its recipients or to none, and a retry never duplicates it.  The bot
	 * sends one recipient per message anyway.
	 */
	return c;
fail:
	smtp_free(c);
	return NULL;
}

void smtp_free(struct smtp_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);	/* sends QUIT on an open connection */
	secret_free(c->token);
	free(c->url);
	free(c->host);
	free(c->ca_file);
	free(c);
}

/* An envelope address curl can put into MAIL FROM / RCPT TO as it is. */
static bool envelope_ok(const char *addr)
{
	const char *s;

	for (s = addr; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '<' || *s == '>')
			return false;
	return true;
}

static bool is_cert_error(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION ||
	       rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR;
}

/*
 * A cached connection that the server closed while it idled (RFC 5321
 * 4.5.3.2.7 lets it after 5 minutes) can pass curl's liveness check and fail
 * on the first write.  When the transfer ran on a reused connection and the
 * server answered nothing at all, no command was accepted, so sending again
 * on a new connection cannot duplicate the mail.
 */
static bool stale_connection(struct smtp_client *c, CURLcode rc)
{
	long fresh = 1, code = -1;

	curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &fresh);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	return fresh == 0 && code == 0 &&
	       (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
		rc == CURLE_GOT_NOTHING);
}

/*
 * Authentication refused or required (530, 534, 535, 538: RFC 4954): the
 * server means "not with these credentials", which is our configuration,
 * not the message.  Bouncing would throw away every queued mail.
 */
static bool is_auth_failure(CURLcode rc, long code)
{
	return rc == CURLE_LOGIN_DENIED || code == 530 || code == 534 ||
	       code == 535 || code == 538;
}

/*
 * Turns curl's result into our verdict and a message for people.
 *   - 5xx from the server (RCPT, DATA, end of data, MAIL) → PERMFAIL
 *   - authentication and certificate problems → TEMPFAIL with what to fix
 *   - everything else: 4xx, refused, timeouts, TLS, DNS → TEMPFAIL
 */
static enum smtp_status classify(struct smtp_client *c, CURLcode rc,
				 struct error *err)
{
	const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
	long code = 0;

	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);

	if (is_cert_error(rc)) {
		error_set(err, ERR_TEMP,
			  "smtp: %s: certificate of %s not trusted by ca_file %s: "
			  "check smtp.ca_file (%s)", c->url, c->host,
			  c->ca_file ? c->ca_file : "(system store)", why);
		return SMTP_TEMPFAIL;
	}
	if (rc == CURLE_USE_SSL_FAILED) {
		error_set(err, ERR_TEMP,
			  "smtp: %s: server does not offer STARTTLS: use smtps:// "
			  "or check the server (%s)", c->url, why);
		return SMTP_TEMPFAIL;
	}
	if (is_auth_failure(rc, code) && c->oauth2) {
		error_set(err, ERR_AUTH,
			  "smtp: %s: XOAUTH2 refused (%s): the token endpoint gave a token, "
			  "but the server does not take it: check smtp.user, the app's SMTP "
			  "permission and SMTP AUTH for the mailbox (README, Microsoft 365 / "
			  "Google Workspace)", c->url,
			  c->reply[0] == '4' || c->reply[0] == '5' ? c->reply : why);
		return SMTP_TEMPFAIL;
	}
	if (is_auth_failure(rc, code)) {
		error_set(err, ERR_TEMP,
			  "smtp: %s: authentication failed (%s): check smtp.user "
			  "and smtp.password", c->url,
			  c->reply[0] ? c->reply : why);
		return SMTP_TEMPFAIL;
	}
	if (code >= 500 && code <= 599) {
		error_set(err, ERR_MESSAGE, "smtp: %s: rejected: %s", c->url,
			  c->reply[0] && atoi(c->reply) == code ? c->reply : why);
		return SMTP_PERMFAIL;
	}
	if (code >= 400 && code <= 499) {
		error_set(err, ERR_TEMP, "smtp: %s: deferred: %s", c->url,
			  c->reply[0] && atoi(c->reply) == code ? c->reply : why);
		return SMTP_TEMPFAIL;
	}
	error_set(err, ERR_TEMP, "smtp: %s: %s (curl %d)", c->url, why, (int)rc);
	return SMTP_TEMPFAIL;
}

/*
 * With oauth2: a token on handle h for the next transfer (kept in c->token
 * for oauth2_refused).  -1 with err (the endpoint's reason) when there is
 * none to be had.
 */
static int set_bearer(struct smtp_client *c, CURL *h, struct error *err)
{
	char *token = NULL;

	if (!c->oauth2)
		return 0;
	if (oauth2_token(c->oauth2, &token, err) < 0)
		return error_prefix(err, "smtp: %s: no token to log in", c->url);
	secret_free(c->token);
	c->token = token;
	if (curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, token) != CURLE_OK)
		return error_set(err, ERR_TEMP, "smtp: out of memory");
	return 0;
}

/* Whether a failed transfer was the server refusing our token (then it is
 * forgotten, and a fresh one worth one more try). */
static bool token_refused(struct smtp_client *c, CURL *h, CURLcode rc)
{
	long code = 0;

	if (!c->oauth2 || rc == CURLE_OK)
		return false;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (!is_auth_failure(rc, code))
		return false;
	log_warn("smtp", "%s: XOAUTH2 refused (%s); trying once more with a fresh token",
		 c->url, c->reply[0] == '4' || c->reply[0] == '5' ? c->reply :
		 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	oauth2_refused(c->oauth2, c->token);
	return true;
}

enum smtp_status smtp_send(struct smtp_client *c, const char *from,
			   const char *const *rcpts, size_t n_rcpts,
			   const char *data, size_t len, struct error *err)
{
	struct curl_slist *list = NULL, *l;
	CURLcode rc;
	size_t i;

	if (n_rcpts == 0) {
		error_set(err, ERR_MESSAGE, "smtp: no recipients");
		return SMTP_PERMFAIL;
	}
	/*
	 * curl writes the addresses into MAIL FROM and RCPT TO as given: a CR
	 * or LF would inject an SMTP command, a '>' end the path early.
	 */
	if (!envelope_ok(from)) {
		error_set(err, ERR_MESSAGE, "smtp: invalid envelope sender");
		return SMTP_PERMFAIL;
	}
	for (i = 0; i < n_rcpts; i++) {
		if (!envelope_ok(rcpts[i]) || !rcpts[i][0]) {
			curl_slist_free_all(list);
			error_set(err, ERR_MESSAGE,
				  "smtp: invalid recipient address #%zu", i + 1);
			return SMTP_PERMFAIL;
		}
		l = curl_slist_append(list, rcpts[i]);
		if (!l) {
			curl_slist_free_all(list);
			error_set(err, ERR_TEMP, "smtp: out of memory");
			return SMTP_TEMPFAIL;
		}
		list = l;
	}

	c->data = data;
	c->len = len;
	c->pos = 0;
	c->reply[0] = '\0';
	c->errbuf[0] = '\0';
	/* "" is the null reverse-path "<>" (bounces); curl adds the brackets. */
	curl_easy_setopt(c->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, list);
	/* Lets curl announce SIZE= so a server can refuse a huge mail early. */
	curl_easy_setopt(c->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);

	if (set_bearer(c, c->curl, err) < 0) {
		curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
		curl_slist_free_all(list);
		c->data = NULL;
		return SMTP_TEMPFAIL;
	}
	rc = curl_easy_perform(c->curl);
	if (rc != CURLE_OK && stale_connection(c, rc)) {
		log_debug("smtp", "%s: cached connection was closed, reconnecting",
			  c->url);
		c->pos = 0;
		c->reply[0] = '\0';
		c->errbuf[0] = '\0';
		rc = curl_easy_perform(c->curl);
	}
	/* AUTH precedes MAIL FROM: a refused token sent nothing, so trying
	 * again cannot duplicate the mail */
	if (token_refused(c, c->curl, rc)) {
		c->pos = 0;
		c->reply[0] = '\0';
		c->errbuf[0] = '\0';
		if (set_bearer(c, c->curl, err) < 0) {
			curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
			curl_slist_free_all(list);
			c->data = NULL;
			return SMTP_TEMPFAIL;
		}
		rc = curl_easy_perform(c->curl);
	}

	/* The list dies here: the handle must not keep a dangling pointer. */
	curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, (struct curl_slist *)NULL);
	curl_slist_free_all(list);
	c->data = NULL;

	if (rc == CURLE_OK) {
		long fresh = 0;

		curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &fresh);
		log_debug("smtp", "%s: sent %zu bytes to %zu recipient%s (%s "
			  "connection): %s", c->url, len, n_rcpts,
			  n_rcpts == 1 ? "" : "s", fresh ? "new" : "reused",
			  c->reply);
		return SMTP_SENT;
	}
	/* No log line here: the caller owns err and logs it once. */
	return classify(c, rc, err);
}

int smtp_check(struct smtp_client *c, struct error *err)
{
	CURL *probe = curl_easy_duphandle(c->curl), *saved = c->curl;
	CURLcode rc;

	if (!probe)
		return error_set(err, ERR_TEMP, "smtp: out of memory");
	/* Connect-only stops after the protocol's connect phase, which for
	 * SMTP is the greeting, EHLO, STARTTLS and AUTH: a real login check
	 * that sends no mail. */
	curl_easy_setopt(probe, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(probe, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(probe, CURLOPT_DEBUGDATA, c);
	c->errbuf[0] = '\0';
	c->reply[0] = '\0';
	if (set_bearer(c, probe, err) < 0) {
		curl_easy_cleanup(probe);
		return -1;
	}
	rc = curl_easy_perform(probe);
	if (token_refused(c, probe, rc)) {
		/* a connect-only handle has its connection: a new probe for the retry */
		curl_easy_cleanup(probe);
		if (!(probe = curl_easy_duphandle(c->curl)))
			return error_set(err, ERR_TEMP, "smtp: out of memory");
		curl_easy_setopt(probe, CURLOPT_CONNECT_ONLY, 1L);
		curl_easy_setopt(probe, CURLOPT_ERRORBUFFER, c->errbuf);
		curl_easy_setopt(probe, CURLOPT_DEBUGDATA, c);
		c->errbuf[0] = '\0';
		c->reply[0] = '\0';
		if (set_bearer(c, probe, err) < 0) {
			curl_easy_cleanup(probe);
			return -1;
		}
		rc = curl_easy_perform(probe);
	}
	c->curl = probe;	/* classify() reads the probe's response code */
	if (rc != CURLE_OK)
		classify(c, rc, err);
	c->curl = saved;
	curl_easy_cleanup(probe);
	return rc == CURLE_OK ? 0 : -1;
}
