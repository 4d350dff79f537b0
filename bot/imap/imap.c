/*
 * imap.c — see imap.h.  The intake adapter over libetpan's low-level
 * mailimap API; the certificate check itself is in tls.c (GnuTLS).
 *
 * libetpan 1.9.4 (GnuTLS build) completes the TLS handshake without looking
 * at the certificate at all, so every connection goes: TCP, TLS (implicit or
 * STARTTLS), then verify_peer() on the chain the server sent, and only then
 * LOGIN.  Nothing but the TLS handshake (and, for STARTTLS, the CAPABILITY
 * and STARTTLS commands) goes out before the check.
 *
 * libetpan facts this file relies on (read in its 1.9.4 source):
 * - mailimap_*connect() return MAILIMAP_NO_ERROR_AUTHENTICATED (1) or
 *   MAILIMAP_NO_ERROR_NON_AUTHENTICATED (2) on success, not 0.
 * - mailimap_free() sends LOGOUT and waits for the answer if a stream is
 *   open: on a dead connection we close the stream ourselves first.
 * - mailimap_uid_fetch() reports success when any FETCH data came back,
 *   even if the command ended in NO; on failure it frees its result but
 *   does not reset the pointer.  Unsolicited FETCH responses (flag changes
 *   made by other clients) land in the same result list.
 * - mailimap_uid_search() hands over its result even when it fails.
 * - mailimap_get_certificate_chain() reads an uninitialised pointer when
 *   the peer sent no certificate: mailstream_ssl_get_certificate() first.
 * - Debian's 1.9.4-3 (CVE-2020-15953 patch) fails mailimap_starttls() with
 *   MAILIMAP_ERROR_STARTTLS, as for a NO, when data follows the answer.
 * - mailimap_idle() reads up to the "+ idling" line; an untagged response
 *   the server sent right after it may already sit in the stream's read
 *   buffer, where poll() on the socket cannot see it.
 */
#include "imap/imap.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "imap/tls.h"
#include "lib/log.h"
#include "lib/secret.h"

#define DEFAULT_TIMEOUT	60		/* seconds, when opt->timeout <= 0 */
#define BATCH_UIDS	200		/* UIDs per UID FETCH / MOVE / COPY */
#define BATCH_BYTES	(32u << 20)	/* message bytes per UID FETCH */
#define IDLE_RENEW	(25 * 60)	/* RFC 2177: re-issue IDLE before 29 min */

struct imap_session {
	mailimap *imap;
	char where[300];	/* "host:port", the prefix of every error */
	uint32_t uidvalidity;
	bool has_move, has_uidplus, has_idle;
	bool broken;		/* stream unusable: no LOGOUT, caller reconnects */
	bool token_refused;	/* AUTHENTICATE XOAUTH2 got NO: imap_open retries */
	uint32_t max_size;	/* bytes fetched of a message at most; 0: all */
};

/* ---- errors ------------------------------------------------------------ */

static int fail(struct imap_session *s, struct error *err, enum err_class cls,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct imap_session *s, struct error *err, enum err_class cls,
		const char *fmt, ...)
{
	char msg[sizeof err->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return error_set(err, cls, "imap: %s: %s", s->where, msg);
}

/* The text of the server's last tagged answer, for error messages. */
static const char *server_text(const struct imap_session *s)
{
	const char *t = s->imap->imap_response;

	return t && *t ? t : "(no reason given)";
}

/* Whether r is the server's NO to a command: the session is still usable. */
static bool is_refusal(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_CAPABILITY: case MAILIMAP_ERROR_CREATE:
	case MAILIMAP_ERROR_EXPUNGE:    case MAILIMAP_ERROR_LIST:
	case MAILIMAP_ERROR_LOGIN:      case MAILIMAP_ERROR_NOOP:
	case MAILIMAP_ERROR_SELECT:     case MAILIMAP_ERROR_STARTTLS:
	case MAILIMAP_ERROR_UID_COPY:   case MAILIMAP_ERROR_UID_FETCH:
	case MAILIMAP_ERROR_UID_MOVE:   case MAILIMAP_ERROR_UID_SEARCH:
	case MAILIMAP_ERROR_UID_STORE:  case MAILIMAP_ERROR_EXTENSION:
		return true;
	}
	return false;
}

static const char *etpan_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return "connection closed, or no answer within the timeout";
	case MAILIMAP_ERROR_PARSE:
		return "could not parse the server's answer";
	case MAILIMAP_ERROR_PROTOCOL:
		return "server answered BAD or out of sequence";
	case MAILIMAP_ERROR_FATAL:
		return "server ended the session (BYE)";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "cannot connect (refused, unreachable, unknown host or timed out)";
	case MAILIMAP_ERROR_SSL:
		return "TLS handshake failed";
	case MAILIMAP_ERROR_BAD_STATE:
		return "command not allowed in this state (bug)";
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		return "server refused the connection in its greeting";
	}
	return "unexpected libetpan error";
}

/*
 * A failed libetpan call: the server's NO keeps the session (ERR_TEMP, the
 * server's words in the message); anything else leaves the stream in an
 * unknown state, so the session is marked broken and must be reopened.
 */
static int fail_etpan(struct imap_session *s, struct error *err, int r,
		      const char *what)
{
	if (is_refusal(r))
		return fail(s, err, ERR_TEMP, "%s refused: %s", what, server_text(s));
	s->broken = true;
	if (r == MAILIMAP_ERROR_CONNECTION_REFUSED)
		return fail(s, err, ERR_TEMP, "cannot connect (refused, unreachable, "
			    "unknown host or no answer in time): is the server up "
			    "and imap host/port right? will retry");
	return fail(s, err, ERR_TEMP, "%s: %s (libetpan error %d); will retry",
		    what, etpan_strerror(r), r);
}

static int check_usable(struct imap_session *s, struct error *err)
{
	if (!s || !s->imap || s->broken)
		return s ? fail(s, err, ERR_TEMP, "connection is broken; reopen it")
			 : error_set(err, ERR_FATAL, "imap: no session (bug)");
	return 0;
}

/* ---- TLS: the check libetpan does not do ------------------------------- */

/* Called by libetpan before the handshake: SNI for names (never for IPs). */
static void set_sni(struct mailstream_ssl_context *ctx, void *data)
{
	const char *host = data;

	if (!tls_is_ip_literal(host))
		mailstream_ssl_set_server_name(ctx, (char *)host);
}

/*
 * Hands the chain the server sent to tls_verify_chain() (against ca_file,
 * and the leaf against the host we dialled).  ERR_FATAL on any doubt:
 * retrying does not make a wrong certificate right.
 */
static int verify_peer(struct imap_session *s, const struct tls_trust *trust,
		       const struct imap_options *opt, struct error *err)
{
	mailstream *stream = s->imap->imap_stream;
	const unsigned char *ders[TLS_MAX_CHAIN];
	size_t lens[TLS_MAX_CHAIN], n = 0;
	unsigned char *leaf = NULL;
	carray *chain = NULL;
	int ret = -1;

	if (mailstream_ssl_get_certificate(stream, &leaf) < 0) {
		fail(s, err, ERR_FATAL, "server sent no certificate; refusing to log in");
		goto out;
	}
	chain = mailstream_get_certificate_chain(stream);
	if (!chain || carray_count(chain) == 0) {
		fail(s, err, ERR_FATAL, "cannot read the server's certificate chain");
		goto out;
	}
	for (unsigned i = 0; i < carray_count(chain) && n < TLS_MAX_CHAIN; i++, n++) {
		MMAPString *der = carray_get(chain, i);

		ders[n] = (const unsigned char *)der->str;
		lens[n] = der->len;
	}
	ret = tls_verify_chain(trust, ders, lens, n, opt->host, err);
	if (ret < 0)
		error_prefix(err, "imap: %s", s->where);
out:
	mailstream_certificate_chain_free(chain);
	free(leaf);
	return ret;
}

/* ---- open / close ------------------------------------------------------- */

static int connect_tls(struct imap_session *s, const struct tls_trust *trust,
		       const struct imap_options *opt, struct error *err)
{
	mailimap *imap = s->imap;
	int r;

	if (opt->implicit_tls) {
		r = mailimap_ssl_connect_with_callback(imap, opt->host, (uint16_t)opt->port,
						       set_sni, (void *)opt->host);
		if (r == MAILIMAP_ERROR_SSL) {
			s->broken = true;
			return fail(s, err, ERR_TEMP, "TLS handshake failed or timed out "
				    "(is port %d really IMAPS? for STARTTLS use imap://)",
				    opt->port);
		}
		if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
		    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
			return fail_etpan(s, err, r, "connect");
		return verify_peer(s, trust, opt, err);
	}

	r = mailimap_socket_connect(imap, opt->host, (uint16_t)opt->port);
	if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
		s->broken = true;
		return fail(s, err, ERR_FATAL, "server greeted with PREAUTH before "
			    "STARTTLS; refusing an unencrypted session");
	}
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return fail_etpan(s, err, r, "connect");

	/* Only to refuse early with a clear message; a MITM could lie here,
	 * but then the STARTTLS below or the certificate check fails. */
	struct mailimap_capability_data *cap = NULL;
	r = mailimap_capability(imap, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, "CAPABILITY");
	mailimap_capability_data_free(cap);
	if (!mailimap_has_extension(imap, "STARTTLS"))
		return fail(s, err, ERR_FATAL, "server does not offer STARTTLS; "
			    "refusing to send the password in clear (use imaps:// "
			    "or enable TLS on the server)");

	/* Bytes read along with the STARTTLS answer came in clear text but would
	 * be taken as protected (CVE-2011-0411, CVE-2020-15953).  Debian's
	 * libetpan refuses them itself, with the same code as a NO to STARTTLS;
	 * upstream 1.9.4 does not, hence the second check. */
	r = mailimap_socket_starttls_with_callback(imap, set_sni, (void *)opt->host);
	if (imap->imap_stream->read_buffer_len > 0) {
		s->broken = true;
		return fail(s, err, ERR_FATAL, "server sent clear-text data after "
			    "its STARTTLS answer (an injection attempt?); refusing");
	}
	if (r != MAILIMAP_NO_ERROR) {
		s->broken = true;	/* maybe half-way into TLS: no LOGOUT */
		if (r == MAILIMAP_ERROR_STARTTLS)
			return fail(s, err, ERR_FATAL, "server refused STARTTLS: %s "
				    "(fix TLS on the server, or use imaps://)", server_text(s));
		if (r == MAILIMAP_ERROR_STREAM)	/* what libetpan says when TLS fails */
			return fail(s, err, ERR_TEMP, "TLS handshake after STARTTLS "
				    "failed, or connection lost; will retry");
		return fail_etpan(s, err, r, "STARTTLS");
	}
	return verify_peer(s, trust, opt, err);
}

/* The RFC 5530 response code of the last tagged answer, or NULL. */
static const char *response_code(const struct imap_session *s)
{
	return s->imap->imap_response_info ? s->imap->imap_response_info->rsp_atom : NULL;
}

/*
 * AUTHENTICATE XOAUTH2 (issue 17) with a token of opt->oauth2.  A NO to the
 * token marks the session token_refused (after telling oauth2.c, so the
 * next token is a fresh one); imap_open decides about the retry.
 */
static int login_xoauth2(struct imap_session *s, const struct imap_options *opt,
			 struct error *err)
{
	struct mailimap_capability_data *cap = NULL;
	char *token = NULL;
	const char *code;
	int r;

	/* after STARTTLS the greeting's capabilities are void: ask */
	r = mailimap_capability(s->imap, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, "CAPABILITY");
	mailimap_capability_data_free(cap);
	if (!mailimap_has_xoauth2(s->imap))
		return fail(s, err, ERR_FATAL, "the server does not offer AUTH=XOAUTH2: set "
			    "imap auth = \"password\", or check the server");
	if (oauth2_token(opt->oauth2, &token, err) < 0)
		return error_prefix(err, "imap: %s: login as %s", s->where, opt->user);
	r = mailimap_oauth2_authenticate(s->imap, opt->user, token);
	if (r != MAILIMAP_NO_ERROR && s->imap->imap_stream && r != MAILIMAP_ERROR_STREAM &&
	    r != MAILIMAP_ERROR_MEMORY && r != MAILIMAP_ERROR_FATAL) {
		code = response_code(s);
		/* RFC 5530: UNAVAILABLE = the auth backend (for Dovecot: its
		 * introspection request) failed, not our token */
		if (code && strcasecmp(code, "UNAVAILABLE") == 0) {
			secret_free(token);
			return fail(s, err, ERR_TEMP, "login as %s (XOAUTH2) failed for now: %s",
				    opt->user, server_text(s));
		}
		oauth2_refused(opt->oauth2, token);
		secret_free(token);
		s->token_refused = true;
		return fail(s, err, ERR_AUTH, "login as %s with XOAUTH2 refused: %s (the token "
			    "endpoint gave a token, but the server does not take it: check the "
			    "app's IMAP permission and its access to this mailbox; README, "
			    "Microsoft 365 / Google Workspace)", opt->user, server_text(s));
	}
	secret_free(token);
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, "AUTHENTICATE XOAUTH2");
	return 0;
}

static int login_and_select(struct imap_session *s, const struct imap_options *opt,
			    struct error *err)
{
	mailimap *imap = s->imap;
	struct mailimap_capability_data *cap = NULL;
	int r;

	if (imap->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED && opt->oauth2) {
		if (login_xoauth2(s, opt, err) < 0)
			return -1;
	} else if (imap->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED) {
		r = mailimap_login(imap, opt->user, opt->password);
		if (r == MAILIMAP_ERROR_LOGIN) {
			const char *code = imap->imap_response_info ?
				imap->imap_response_info->rsp_atom : NULL;

			/* RFC 5530: UNAVAILABLE = auth backend down, try later */
			if (code && strcasecmp(code, "UNAVAILABLE") == 0)
				return fail(s, err, ERR_TEMP, "login as %s failed for now: %s",
					    opt->user, server_text(s));
			/* a refused credential: run retries and tells the admins */
			return fail(s, err, ERR_AUTH, "login as %s refused: %s "
				    "(check imap user and password)", opt->user, server_text(s));
		}
		if (r != MAILIMAP_NO_ERROR)
			return fail_etpan(s, err, r, "LOGIN");
	}

	/* Capabilities change after login (Dovecot adds MOVE): ask again. */
	r = mailimap_capability(imap, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, "CAPABILITY");
	mailimap_capability_data_free(cap);
	s->has_move = mailimap_has_extension(imap, "MOVE");
	s->has_uidplus = mailimap_has_extension(imap, "UIDPLUS");
	s->has_idle = mailimap_has_idle(imap);
	if (getenv("IB_IMAP_NO_MOVE") && *getenv("IB_IMAP_NO_MOVE") &&
	    strcmp(getenv("IB_IMAP_NO_MOVE"), "0") != 0)
		s->has_move = false;

	r = mailimap_select(imap, opt->mailbox);
	if (r == MAILIMAP_ERROR_SELECT)
		return fail(s, err, ERR_FATAL, "cannot select mailbox \"%s\": %s "
			    "(check imap mailbox)", opt->mailbox, server_text(s));
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, "SELECT");
	s->uidvalidity = imap->imap_selection_info->sel_uidvalidity;
	if (s->uidvalidity == 0)
		return fail(s, err, ERR_FATAL, "server reported no UIDVALIDITY for "
			    "\"%s\"; cannot track messages", opt->mailbox);
	log_info("imap", "%s: logged in as %s, %s selected (uidvalidity %u, "
		 "%u messages%s%s)", s->where, opt->user, opt->mailbox,
		 s->uidvalidity, imap->imap_selection_info->sel_exists,
		 s->has_move ? ", MOVE" : "", s->has_idle ? ", IDLE" : "");
	return 0;
}

static int open_once(const struct imap_options *opt, struct imap_session **out,
		     bool *token_refused, struct error *err);

int imap_open(const struct imap_options *opt, struct imap_session **out,
	      struct error *err)
{
	bool refused = false;

	*out = NULL;
	if (!opt || !opt->host || !*opt->host || !opt->user || !(opt->password || opt->oauth2) ||
	    !opt->mailbox || !opt->ca_file || opt->port <= 0 || opt->port > 65535)
		return error_set(err, ERR_FATAL, "imap: incomplete options: host, "
				 "port, user, password or oauth2, mailbox and ca_file are required");
	if (open_once(opt, out, &refused, err) == 0)
		return 0;
	if (!refused)
		return -1;
	/*
	 * Issue 17: a token we believed valid was refused (revoked, or it ran
	 * out early): one fresh token, one more try, on a new connection — a
	 * server may end the session after a failed AUTHENTICATE.  A second
	 * refusal is the caller's (ERR_AUTH: backoff, the admins told).
	 */
	log_warn("imap", "%s; trying once more with a fresh token", err->msg);
	return open_once(opt, out, &refused, err);
}

static int open_once(const struct imap_options *opt, struct imap_session **out,
		     bool *token_refused, struct error *err)
{
	struct tls_trust *trust = NULL;
	struct imap_session *s;
	struct error why;

	*out = NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return error_set(err, ERR_TEMP, "imap: out of memory");
	snprintf(s->where, sizeof s->where, strchr(opt->host, ':') ? "[%s]:%d" : "%s:%d",
		 opt->host, opt->port);

	/* The CA first: a configuration error needs no network to show. */
	if (tls_trust_load(opt->ca_file, &trust, &why) < 0) {
		if (why.cls == ERR_FATAL)
			fail(s, err, ERR_FATAL, "%s; set imap ca_file to the PEM file "
			     "of the CA that signed the server's certificate", why.msg);
		else
			fail(s, err, why.cls, "%s", why.msg);
		goto bad;
	}

	s->imap = mailimap_new(0, NULL);
	if (!s->imap) {
		fail(s, err, ERR_TEMP, "out of memory");
		goto bad;
	}
	/* Per session: bounds connect, the TLS handshake and every read/write. */
	mailimap_set_timeout(s->imap, opt->timeout > 0 ? opt->timeout : DEFAULT_TIMEOUT);

	if (connect_tls(s, trust, opt, err) < 0 || login_and_select(s, opt, err) < 0)
		goto bad;
	tls_trust_free(trust);
	*out = s;
	return 0;
bad:
	tls_trust_free(trust);
	*token_refused = s->token_refused;
	s->broken = true;	/* no LOGOUT: nothing to be polite about */
	imap_close(s);
	return -1;
}

void imap_close(struct imap_session *s)
{
	if (!s)
		return;
	if (s->imap) {
		if (s->imap->imap_stream && s->broken) {
			/* mailimap_free() would send LOGOUT and wait for an answer */
			mailstream_close(s->imap->imap_stream);
			s->imap->imap_stream = NULL;
		}
		mailimap_free(s->imap);	/* LOGOUT when still connected */
	}
	free(s);
}

uint32_t imap_uidvalidity(const struct imap_session *s)
{
	return s->uidvalidity;
}

bool imap_has_idle(const struct imap_session *s)
{
	return s->has_idle;
}

void imap_set_max_size(struct imap_session *s, size_t max)
{
	/* RFC822.SIZE and the partial fetch's length are 32-bit in IMAP */
	s->max_size = max >= UINT32_MAX ? 0 : (uint32_t)max;
}

/* ---- UID sets ------------------------------------------------------------ */

static int uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* A sorted, duplicate-free, zero-free copy of uids (NULL when out of memory). */
static uint32_t *uids_sorted(const uint32_t *uids, size_t n, size_t *out_n)
{
	uint32_t *u = malloc((n ? n : 1) * sizeof *u);
	size_t k = 0;

	if (!u)
		return NULL;
	memcpy(u, uids, n * sizeof *u);
	qsort(u, n, sizeof *u, uid_cmp);
	for (size_t i = 0; i < n; i++)
		if (u[i] != 0 && (k == 0 || u[k - 1] != u[i]))
			u[k++] = u[i];
	*out_n = k;
	return u;
}

/* "4:7,9,12:13" from sorted unique UIDs. */
static struct mailimap_set *set_of(const uint32_t *u, size_t n)
{
	struct mailimap_set *set = mailimap_set_new_empty();

	for (size_t i = 0; set && i < n;) {
		size_t j = i;

		while (j + 1 < n && u[j + 1] == u[j] + 1)
			j++;
		if (mailimap_set_add_interval(set, u[i], u[j]) != MAILIMAP_NO_ERROR) {
			mailimap_set_free(set);
			return NULL;
		}
		i = j + 1;
	}
	return set;
}

static bool uid_in(uint32_t uid, const uint32_t *u, size_t n)
{
	return bsearch(&uid, u, n, sizeof *u, uid_cmp) != NULL;
}

/* Where uid is in the sorted u[0..n), or -1. */
static long uid_index(uint32_t uid, const uint32_t *u, size_t n)
{
	const uint32_t *p = bsearch(&uid, u, n, sizeof *u, uid_cmp);

	return p ? p - u : -1;
}

/* ---- list and fetch --------------------------------------------------- */

int imap_list_uids(struct imap_session *s, uint32_t **uids, size_t *n,
		   struct error *err)
{
	struct mailimap_search_key *all;
	clist *res = NULL;
	uint32_t *u;
	size_t k = 0;
	int r;

	*uids = NULL;
	*n = 0;
	if (check_usable(s, err) < 0)
		return -1;
	all = mailimap_search_key_new_all();
	if (!all)
		return fail(s, err, ERR_TEMP, "out of memory");
	r = mailimap_uid_search(s->imap, NULL, all, &res);
	mailimap_search_key_free(all);
	if (r != MAILIMAP_NO_ERROR) {
		if (res)
			mailimap_search_result_free(res);
		return fail_etpan(s, err, r, "UID SEARCH");
	}
	u = malloc((res ? clist_count(res) : 0) * sizeof *u + 1);
	if (!u) {
		mailimap_search_result_free(res);
		return fail(s, err, ERR_TEMP, "out of memory");
	}
	for (clistiter *it = res ? clist_begin(res) : NULL; it; it = clist_next(it))
		u[k++] = *(uint32_t *)clist_content(it);
	if (res)
		mailimap_search_result_free(res);
	qsort(u, k, sizeof *u, uid_cmp);
	*uids = u;
	*n = k;
	return 0;
}

struct fetched {
	uint32_t uid, size;
	bool has_size;
	struct mailimap_msg_att_body_section *body;
	time_t arrived;
};

/* An IMAP date-time ("07-Dec-2026 09:40:00 +0900") as a time_t; 0 when
 * out of range.  timegm is libc's, the zone is applied by hand. */
static time_t date_time_of(const struct mailimap_date_time *d)
{
	struct tm tm = { 0 };
	int zone, minutes;
	time_t t;

	if (!d || d->dt_year < 1970 || d->dt_month < 1 || d->dt_month > 12 ||
	    d->dt_day < 1 || d->dt_day > 31)
		return 0;
	tm.tm_year = d->dt_year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	zone = d->dt_zone < 0 ? -d->dt_zone : d->dt_zone;	/* "-0200" is -200 */
	minutes = (zone / 100) * 60 + zone % 100;
	return d->dt_zone < 0 ? t + minutes * 60 : t - minutes * 60;
}

/* What a UID FETCH asks for. */
enum fetch_what {
	FETCH_SIZES,	/* (UID RFC822.SIZE) */
	FETCH_WHOLE,	/* (UID INTERNALDATE BODY.PEEK[]) */
	FETCH_CUT,	/* (UID RFC822.SIZE INTERNALDATE BODY.PEEK[]<0.max_size>) */
};

static struct fetched fetched_of(struct mailimap_msg_att *att)
{
	struct fetched f = { 0, 0, false, NULL, 0 };

	for (clistiter *it = clist_begin(att->att_list); it; it = clist_next(it)) {
		struct mailimap_msg_att_item *item = clist_content(it);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_UID) {
			f.uid = st->att_data.att_uid;
		} else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE) {
			f.size = st->att_data.att_rfc822_size;
			f.has_size = true;
		} else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION) {
			f.body = st->att_data.att_body_section;
		} else if (st->att_type == MAILIMAP_MSG_ATT_INTERNALDATE) {
			f.arrived = date_time_of(st->att_data.att_internal_date);
		}
	}
	return f;
}

/* Whether uid is among m[0..n): a UID answered twice (linear: n <= 200). */
static bool uid_seen(uint32_t uid, const struct mail_raw *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].uid == uid)
			return true;
	return false;
}

static const char *fetch_name(enum fetch_what what)
{
	switch (what) {
	case FETCH_SIZES: return "UID FETCH RFC822.SIZE";
	case FETCH_WHOLE: return "UID FETCH BODY.PEEK[]";
	case FETCH_CUT:   return "UID FETCH BODY.PEEK[]<0.max>";
	}
	return "UID FETCH";
}

/* Adds a to ft, or frees a; false when out of memory. */
static bool add_att(struct mailimap_fetch_type *ft, struct mailimap_fetch_att *a)
{
	if (!a)
		return false;
	if (!ft || mailimap_fetch_type_new_fetch_att_list_add(ft, a) != MAILIMAP_NO_ERROR) {
		mailimap_fetch_att_free(a);
		return false;
	}
	return true;
}

/* A body section for BODY.PEEK, or NULL when out of memory. */
static struct mailimap_fetch_att *body_att(struct imap_session *s, bool cut)
{
	struct mailimap_section *sec = mailimap_section_new(NULL);
	struct mailimap_fetch_att *a;

	if (!sec)
		return NULL;
	a = cut ? mailimap_fetch_att_new_body_peek_section_partial(sec, 0, s->max_size)
		: mailimap_fetch_att_new_body_peek_section(sec);
	if (!a)
		mailimap_section_free(sec);
	return a;
}

/* UID FETCH u with the attributes of what; *res to free. */
static int uid_fetch(struct imap_session *s, const uint32_t *u, size_t n,
		     enum fetch_what what, clist **res, struct error *err)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_set *set = set_of(u, n);
	bool ok = ft && set && add_att(ft, mailimap_fetch_att_new_uid());
	int r = MAILIMAP_ERROR_MEMORY;

	if (ok && what != FETCH_WHOLE)
		ok = add_att(ft, mailimap_fetch_att_new_rfc822_size());
	/* INTERNALDATE: when the mail reached the mailbox, where the legal
	 * clocks start by default (SPEC 3, policy 7-4), not when we got to it */
	if (ok && what != FETCH_SIZES)
		ok = add_att(ft, mailimap_fetch_att_new_internaldate()) &&
		     add_att(ft, body_att(s, what == FETCH_CUT));
	*res = NULL;
	if (ok)
		r = mailimap_uid_fetch(s->imap, set, ft, res);
	if (ft)
		mailimap_fetch_type_free(ft);
	if (set)
		mailimap_set_free(set);
	if (r == MAILIMAP_ERROR_MEMORY)
		return fail(s, err, ERR_TEMP, "out of memory");
	if (r != MAILIMAP_NO_ERROR) {
		*res = NULL;	/* already freed by libetpan, pointer left dangling */
		return fail_etpan(s, err, r, fetch_name(what));
	}
	return 0;
}

/*
 * Copies the bodies for the UIDs in u[0..n) (sorted) out of one FETCH
 * response into out[*nout...]; FETCH_CUT marks them truncated.
 */
static int fetch_bodies(struct imap_session *s, const uint32_t *u, size_t n,
			enum fetch_what what, struct mail_raw *out,
			size_t *nout, struct error *err)
{
	size_t first = *nout;
	clist *res;

	if (uid_fetch(s, u, n, what, &res, err) < 0)
		return -1;
	for (clistiter *it = clist_begin(res); it; it = clist_next(it)) {
		struct fetched f = fetched_of(clist_content(it));
		struct mail_raw *m = &out[*nout];

		/* unsolicited FETCH (flags of another message) or BODY[] NIL */
		if (!f.body || !uid_in(f.uid, u, n) || !f.body->sec_body_part ||
		    uid_seen(f.uid, out + first, *nout - first))
			continue;
		m->raw = malloc(f.body->sec_length + 1);
		if (!m->raw) {
			mailimap_fetch_list_free(res);
			return fail(s, err, ERR_TEMP, "out of memory for uid %u (%zu bytes)",
				    f.uid, f.body->sec_length);
		}
		memcpy(m->raw, f.body->sec_body_part, f.body->sec_length);
		m->raw[f.body->sec_length] = '\0';
		m->len = f.body->sec_length;
		m->uid = f.uid;
		m->truncated = what == FETCH_CUT;
		m->full_size = m->truncated && f.has_size ? f.size : m->len;
		m->arrived = f.arrived;
		if (m->truncated)
			log_warn("imap", "uid %u: %zu bytes, over the limit of %u: "
				 "fetched the first %zu bytes only", m->uid,
				 m->full_size, s->max_size, m->len);
		(*nout)++;
	}
	mailimap_fetch_list_free(res);	/* the big buffers go right away */
	return 0;
}

/* UIDs waiting for one UID FETCH of bodies, whole or cut. */
struct pending {
	enum fetch_what what;
	uint32_t uid[BATCH_UIDS];
	size_t n, bytes;
};

static int pending_flush(struct imap_session *s, struct pending *p,
			 struct mail_raw *out, size_t *nout, struct error *err)
{
	int r = 0;

	if (p->n > 0) {
		/* the server lists in sequence order, which is UID order; sort anyway */
		qsort(p->uid, p->n, sizeof *p->uid, uid_cmp);
		r = fetch_bodies(s, p->uid, p->n, p->what, out, nout, err);
	}
	p->n = p->bytes = 0;
	return r;
}

/* Adds uid, of size bytes as fetched, to p; a full batch is fetched first. */
static int pending_add(struct imap_session *s, struct pending *p, uint32_t uid,
		       size_t bytes, struct mail_raw *out, size_t *nout,
		       struct error *err)
{
	if (p->n > 0 && (p->n == BATCH_UIDS || p->bytes + bytes > BATCH_BYTES) &&
	    pending_flush(s, p, out, nout, err) < 0)
		return -1;
	p->uid[p->n++] = uid;
	p->bytes += bytes;
	return 0;
}

static int msg_cmp(const void *a, const void *b)
{
	return uid_cmp(&((const struct mail_raw *)a)->uid,
		       &((const struct mail_raw *)b)->uid);
}

/*
 * Batches: at most BATCH_UIDS UIDs and, as far as the sizes tell,
 * BATCH_BYTES bytes per UID FETCH, so that a mailbox of large attachments
 * cannot take the whole memory (libetpan holds a response up to three times:
 * its read buffer, the parsed literal and our copy).  The sizes come from a
 * cheap UID FETCH (UID RFC822.SIZE) per chunk, which also drops vanished UIDs.
 * Messages over max_size go into batches of their own, fetched with
 * BODY.PEEK[]<0.max_size>, so that they count, and cost, only max_size.
 */
int imap_fetch(struct imap_session *s, const uint32_t *uids, size_t n_uids,
	       struct mail_raw **msgs, size_t *n, struct error *err)
{
	struct mail_raw *out = NULL;
	struct pending *whole = NULL, *cut = NULL;
	uint32_t *want = NULL;
	size_t nwant = 0, nout = 0;

	*msgs = NULL;
	*n = 0;
	if (check_usable(s, err) < 0)
		return -1;
	if (n_uids == 0)
		return 0;
	want = uids_sorted(uids, n_uids, &nwant);
	whole = calloc(1, sizeof *whole);
	cut = calloc(1, sizeof *cut);
	out = calloc(nwant ? nwant : 1, sizeof *out);
	if (!want || !whole || !cut || !out) {
		fail(s, err, ERR_TEMP, "out of memory");
		goto bad;
	}
	whole->what = FETCH_WHOLE;
	cut->what = FETCH_CUT;

	for (size_t i = 0; i < nwant; i += BATCH_UIDS) {
		size_t chunk = nwant - i < BATCH_UIDS ? nwant - i : BATCH_UIDS;
		bool taken[BATCH_UIDS] = { false };	/* a UID answered twice */
		clist *sizes;

		if (uid_fetch(s, want + i, chunk, FETCH_SIZES, &sizes, err) < 0)
			goto bad;
		for (clistiter *it = clist_begin(sizes); it; it = clist_next(it)) {
			struct fetched f = fetched_of(clist_content(it));
			long k = uid_index(f.uid, want + i, chunk);
			bool over = s->max_size && f.size > s->max_size;
			int r;

			if (!f.has_size || k < 0 || taken[k])
				continue;
			taken[k] = true;
			r = over ? pending_add(s, cut, f.uid, s->max_size, out, &nout, err)
				 : pending_add(s, whole, f.uid, f.size, out, &nout, err);
			if (r < 0) {
				mailimap_fetch_list_free(sizes);
				goto bad;
			}
		}
		mailimap_fetch_list_free(sizes);
		if (pending_flush(s, whole, out, &nout, err) < 0 ||
		    pending_flush(s, cut, out, &nout, err) < 0)
			goto bad;
	}

	/* batches are disjoint and duplicate-free: sorting is all that is left */
	qsort(out, nout, sizeof *out, msg_cmp);
	if (nout == 0) {
		free(out);
		out = NULL;
	}
	if (nout < nwant)
		for (size_t i = 0, j = 0; i < nwant; i++) {
			while (j < nout && out[j].uid < want[i])
				j++;
			if (j >= nout || out[j].uid != want[i])
				log_info("imap", "uid %u: not fetched, no longer in the "
					 "mailbox", want[i]);
		}
	free(want);
	free(whole);
	free(cut);
	*msgs = out;
	*n = nout;
	return 0;
bad:
	mail_raws_free(out, nout);
	free(want);
	free(whole);
	free(cut);
	return -1;
}

/* ---- move --------------------------------------------------------------- */

/* Whether LIST shows folder (LIST "" folder: no wildcards in our names). */
static int folder_exists(struct imap_session *s, const char *folder, struct error *err)
{
	clist *list = NULL;
	int r = mailimap_list(s->imap, "", folder, &list);
	int found;

	if (r != MAILIMAP_NO_ERROR) {
		if (list)
			mailimap_list_result_free(list);
		return fail_etpan(s, err, r, "LIST");
	}
	found = list && clist_count(list) > 0;
	if (list)
		mailimap_list_result_free(list);
	return found;
}

static int create_folder(struct imap_session *s, const char *folder, struct error *err)
{
	int r = mailimap_create(s->imap, folder);
	const char *code = s->imap->imap_response_info ?
		s->imap->imap_response_info->rsp_atom : NULL;

	if (r == MAILIMAP_NO_ERROR) {
		log_info("imap", "%s: created folder %s", s->where, folder);
		return 0;
	}
	/* another instance won the race: fine */
	if (r == MAILIMAP_ERROR_CREATE && code && strcasecmp(code, "ALREADYEXISTS") == 0)
		return 0;
	if (r == MAILIMAP_ERROR_CREATE)
		return fail(s, err, ERR_FATAL, "cannot create folder \"%s\": %s (create "
			    "it by hand or configure another folder)", folder, server_text(s));
	return fail_etpan(s, err, r, "CREATE");
}

/* UID MOVE, or UID COPY when the server has no MOVE; creates folder once. */
static int move_or_copy(struct imap_session *s, struct mailimap_set *set,
			const char *folder, struct error *err)
{
	const char *cmd = s->has_move ? "UID MOVE" : "UID COPY";

	for (int attempt = 0;; attempt++) {
		int r = s->has_move ? mailimap_uid_move(s->imap, set, folder)
				    : mailimap_uid_copy(s->imap, set, folder);
		bool trycreate;

		if (r == MAILIMAP_NO_ERROR)
			return 0;
		if (!is_refusal(r) || attempt > 0)
			return fail_etpan(s, err, r, cmd);
		trycreate = s->imap->imap_response_info &&
			    s->imap->imap_response_info->rsp_trycreate;
		if (!trycreate) {
			int exists = folder_exists(s, folder, err);

			if (exists < 0)
				return -1;
			if (exists)	/* refused for another reason */
				return fail(s, err, ERR_TEMP, "%s to \"%s\" refused: %s",
					    cmd, folder, server_text(s));
		}
		if (create_folder(s, folder, err) < 0)
			return -1;
	}
}

static int delete_copied(struct imap_session *s, struct mailimap_set *set,
			 struct error *err)
{
	struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
	struct mailimap_flag *deleted = mailimap_flag_new_deleted();
	struct mailimap_store_att_flags *store = NULL;
	int r = MAILIMAP_ERROR_MEMORY;

	if (flags && deleted && mailimap_flag_list_add(flags, deleted) == MAILIMAP_NO_ERROR) {
		deleted = NULL;
		store = mailimap_store_att_flags_new_add_flags_silent(flags);
		if (store) {
			flags = NULL;
			r = mailimap_uid_store(s->imap, set, store);
		}
	}
	if (store)
		mailimap_store_att_flags_free(store);
	if (flags)
		mailimap_flag_list_free(flags);
	if (deleted)
		mailimap_flag_free(deleted);
	if (r != MAILIMAP_NO_ERROR)
		return r == MAILIMAP_ERROR_MEMORY ? fail(s, err, ERR_TEMP, "out of memory")
			: fail_etpan(s, err, r, "UID STORE +FLAGS.SILENT (\\Deleted)");

	/* Without UIDPLUS only a plain EXPUNGE exists; it also removes other
	 * \Deleted messages, which is what \Deleted asks for anyway. */
	r = s->has_uidplus ? mailimap_uid_expunge(s->imap, set) : mailimap_expunge(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, s->has_uidplus ? "UID EXPUNGE" : "EXPUNGE");
	return 0;
}

int imap_move(struct imap_session *s, const uint32_t *uids, size_t n,
	      const char *folder, struct error *err)
{
	uint32_t *u;
	size_t nu;
	int ret = 0;

	if (check_usable(s, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	u = uids_sorted(uids, n, &nu);
	if (!u)
		return fail(s, err, ERR_TEMP, "out of memory");
	for (size_t i = 0; i < nu && ret == 0; i += BATCH_UIDS) {
		size_t chunk = nu - i < BATCH_UIDS ? nu - i : BATCH_UIDS;
		struct mailimap_set *set = set_of(u + i, chunk);

		if (!set) {
			ret = fail(s, err, ERR_TEMP, "out of memory");
			break;
		}
		ret = move_or_copy(s, set, folder, err);
		if (ret == 0 && !s->has_move)
			ret = delete_copied(s, set, err);
		mailimap_set_free(set);
		for (size_t j = i; ret == 0 && j < i + chunk; j++)
			log_info("imap", "uid %u: moved to %s", u[j], folder);
	}
	free(u);
	return ret;
}

/* ---- IDLE ---------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool mailbox_changed(const struct imap_session *s)
{
	const struct mailimap_selection_info *sel = s->imap->imap_selection_info;

	return sel && (sel->sel_has_exists || sel->sel_has_recent);
}

/* Servers without IDLE: sleep in slices, then NOOP to collect news. */
static int idle_by_noop(struct imap_session *s, double deadline,
			volatile sig_atomic_t *stop, struct error *err)
{
	int r;

	while (!(stop && *stop) && now_s() < deadline)
		poll(NULL, 0, (int)(deadline - now_s() > 1 ? 1000 : (deadline - now_s()) * 1000));
	s->imap->imap_selection_info->sel_has_exists = 0;
	s->imap->imap_selection_info->sel_has_recent = 0;
	r = mailimap_noop(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return fail_etpan(s, err, r, "NOOP");
	return mailbox_changed(s) ? 1 : 0;
}

int imap_idle(struct imap_session *s, int timeout, volatile sig_atomic_t *stop,
	      struct error *err)
{
	double deadline = now_s() + (timeout > 0 ? timeout : 0);

	if (check_usable(s, err) < 0)
		return -1;
	if (!s->has_idle)
		return idle_by_noop(s, deadline, stop, err);

	while (!(stop && *stop) && now_s() < deadline) {
		double renew = now_s() + IDLE_RENEW;
		bool woke = false;
		int r, fd;

		r = mailimap_idle(s->imap);	/* resets sel_has_exists/recent */
		if (r != MAILIMAP_NO_ERROR)
			return fail_etpan(s, err, r, "IDLE");
		fd = mailimap_idle_get_fd(s->imap);
		while (!woke && !(stop && *stop)) {
			double t = now_s(), end = deadline < renew ? deadline : renew;
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (t >= end)
				break;
			/* something already buffered behind "+ idling" */
			if (s->imap->imap_stream->read_buffer_len > 0) {
				woke = true;
				break;
			}
			r = poll(&pfd, 1, end - t > 1 ? 1000 : (int)((end - t) * 1000) + 1);
			if (r < 0 && errno != EINTR) {
				s->broken = true;
				return fail(s, err, ERR_TEMP, "poll during IDLE: %s", strerror(errno));
			}
			woke = r > 0;
		}
		/* DONE reads what the server said meanwhile (EXISTS, keepalive
		 * "* OK Still here", flag changes) and stores it in the session. */
		r = mailimap_idle_done(s->imap);
		if (r != MAILIMAP_NO_ERROR)
			return fail_etpan(s, err, r, "IDLE DONE");
		if (mailbox_changed(s)) {
			/* with the wall clock's milliseconds: make bench's
			 * latency trace (issue 16) reads it */
			log_debug("imap", "%s: IDLE: mailbox changed at %.3f", s->where, wall_s());
			return 1;
		}
	}
	return 0;
}
