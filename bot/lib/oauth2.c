/*
 * oauth2.c — see oauth2.h.  One POST per token, form-encoded (RFC 6749
 * 4.4 and 6), the answer read with a small JSON reader of its own: a
 * token answer is one flat object, and the project has no JSON parser
 * (lib/json.c only writes).
 */
#include "lib/oauth2.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/secret.h"

#define DEFAULT_TIMEOUT	30		/* seconds, when the options say 0 */
#define MAX_ANSWER	(64 * 1024)	/* a token answer is a few KiB */
#define RENEW_SHARE	0.8		/* issue 17: renew at 80 % of expires_in */
#define DEFAULT_LIFETIME 3600		/* RFC 6749 makes expires_in optional */
/*
 * After a failed request the same answer is given for this long without
 * asking again: a flush of a hundred queued mails must not become a
 * hundred requests (or timeouts) against an endpoint that is down or
 * refusing us.  Shorter than the service's first backoff (5 s).
 */
#define HOLD_DOWN	3.0

struct oauth2 {
	pthread_mutex_t lock;
	char *token_url, *client_id, *secret_file, *refresh_file, *scope, *ca_file;
	int timeout;
	enum oauth2_grant grant;
	char *token;		/* the token in memory, NULL when none */
	double renew_at;	/* clock_monotonic() time to fetch again */
	char *rotated;		/* a rotated refresh token the file could not take */
	unsigned long fetches;
	double failed_at;	/* clock_monotonic() of the last failed request; 0: none */
	struct error failure;	/* what it said */
};

/* ---- the pure parts ---------------------------------------------------- */

enum oauth2_grant oauth2_grant_of(const struct oauth2_options *opt)
{
	return opt->refresh_token_file && *opt->refresh_token_file ?
		OAUTH2_REFRESH_TOKEN : OAUTH2_CLIENT_CREDENTIALS;
}

const char *oauth2_grant_name(enum oauth2_grant g)
{
	return g == OAUTH2_REFRESH_TOKEN ? "refresh_token" : "client_credentials";
}

double oauth2_renew_at(double obtained, long expires_in)
{
	/* more than a year is no lifetime a real endpoint gives: distrust it */
	if (expires_in <= 0 || expires_in > 366L * 86400)
		expires_in = DEFAULT_LIFETIME;
	return obtained + RENEW_SHARE * (double)expires_in;
}

/* A tiny JSON reader: enough to walk one object and skip what we ignore. */
struct reader {
	const char *p, *end;
};

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Reads a string at r->p (at its '"'); *out malloc'd UTF-8 when out != NULL. */
static int read_string(struct reader *r, char **out)
{
	size_t cap = (size_t)(r->end - r->p) + 1, n = 0;
	char *buf = out ? malloc(cap) : NULL;

	if (out && !buf)
		return -1;
	if (r->p >= r->end || *r->p != '"')
		goto bad;
	r->p++;
	while (r->p < r->end && *r->p != '"') {
		char c = *r->p++;

		if ((unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			if (r->p >= r->end)
				goto bad;
			c = *r->p++;
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '"': case '\\': case '/': break;
			case 'u': {
				unsigned v = 0;
				int i, h;

				if (r->end - r->p < 4)
					goto bad;
				for (i = 0; i < 4; i++) {
					if ((h = hexval(r->p[i])) < 0)
						goto bad;
					v = v * 16 + (unsigned)h;
				}
				r->p += 4;
				/* error texts are ASCII in practice; anything else
				 * (surrogates included) becomes U+FFFD */
				if (buf) {
					if (v < 0x80) {
						buf[n++] = (char)v;
					} else if (v < 0x800) {
						buf[n++] = (char)(0xc0 | v >> 6);
						buf[n++] = (char)(0x80 | (v & 0x3f));
					} else {
						if (v >= 0xd800 && v <= 0xdfff)
							v = 0xfffd;
						buf[n++] = (char)(0xe0 | v >> 12);
						buf[n++] = (char)(0x80 | ((v >> 6) & 0x3f));
						buf[n++] = (char)(0x80 | (v & 0x3f));
					}
				}
				continue;
			}
			default:
				goto bad;
			}
		}
		if (buf)
			buf[n++] = c;
	}
	if (r->p >= r->end)
		goto bad;
	r->p++;
	if (buf) {
		buf[n] = '\0';
		*out = buf;
	}
	return 0;
bad:
	if (buf) {
		explicit_bzero(buf, n);
		free(buf);
	}
	return -1;
}

/* Skips one value of any kind (depth-limited: an answer is shallow). */
static int skip_value(struct reader *r, int depth)
{
	skip_ws(r);
	if (r->p >= r->end || depth > 16)
		return -1;
	if (*r->p == '"')
		return read_string(r, NULL);
	if (*r->p == '{' || *r->p == '[') {
		char close = *r->p == '{' ? '}' : ']';

		r->p++;
		skip_ws(r);
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				skip_ws(r);
				if (read_string(r, NULL) < 0)
					return -1;
				skip_ws(r);
				if (r->p >= r->end || *r->p++ != ':')
					return -1;
			}
			if (skip_value(r, depth + 1) < 0)
				return -1;
			skip_ws(r);
			if (r->p < r->end && *r->p == ',') {
				r->p++;
				continue;
			}
			if (r->p < r->end && *r->p == close) {
				r->p++;
				return 0;
			}
			return -1;
		}
	}
	/* number, true, false, null */
	if (!(isalnum((unsigned char)*r->p) || *r->p == '-'))
		return -1;
	while (r->p < r->end && (isalnum((unsigned char)*r->p) || strchr("+-.", *r->p)))
		r->p++;
	return 0;
}

void oauth2_answer_release(struct oauth2_answer *a)
{
	secret_free(a->access_token);
	secret_free(a->refresh_token);
	free(a->error);
	free(a->error_description);
	memset(a, 0, sizeof *a);
}

int oauth2_answer_parse(const char *body, size_t len, struct oauth2_answer *a)
{
	struct reader r = { body, body + len };

	memset(a, 0, sizeof *a);
	skip_ws(&r);
	if (r.p >= r.end || *r.p++ != '{')
		return -1;
	skip_ws(&r);
	if (r.p < r.end && *r.p == '}')
		return 0;
	for (;;) {
		char *key = NULL, **slot = NULL;

		skip_ws(&r);
		if (read_string(&r, &key) < 0)
			goto bad;
		skip_ws(&r);
		if (r.p >= r.end || *r.p++ != ':') {
			free(key);
			goto bad;
		}
		skip_ws(&r);
		if (strcmp(key, "access_token") == 0)
			slot = &a->access_token;
		else if (strcmp(key, "refresh_token") == 0)
			slot = &a->refresh_token;
		else if (strcmp(key, "error") == 0)
			slot = &a->error;
		else if (strcmp(key, "error_description") == 0)
			slot = &a->error_description;
		if (slot && r.p < r.end && *r.p == '"') {
			char *v;

			if (read_string(&r, &v) < 0) {
				free(key);
				goto bad;
			}
			secret_free(*slot);	/* a repeated key: the last wins */
			*slot = v;
		} else if (strcmp(key, "expires_in") == 0 && r.p < r.end &&
			   (isdigit((unsigned char)*r.p) || *r.p == '"')) {
			/* a number; some endpoints (old Azure AD v1) send a string */
			const char *start = r.p + (*r.p == '"');

			a->expires_in = strtol(start, NULL, 10);
			if (skip_value(&r, 0) < 0) {
				free(key);
				goto bad;
			}
		} else if (skip_value(&r, 0) < 0) {
			free(key);
			goto bad;
		}
		free(key);
		skip_ws(&r);
		if (r.p < r.end && *r.p == ',') {
			r.p++;
			continue;
		}
		if (r.p < r.end && *r.p == '}')
			return 0;
		goto bad;
	}
bad:
	oauth2_answer_release(a);
	return -1;
}

/* ---- the handle ------------------------------------------------------- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	/* the same once-only init as smtp.c's: curl counts its callers */
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_opt(const char *s, bool *ok)
{
	char *d;

	if (!s || !*s)
		return NULL;
	if (!(d = strdup(s)))
		*ok = false;
	return d;
}

struct oauth2 *oauth2_new(const struct oauth2_options *opt)
{
	struct oauth2 *o;
	bool ok = true;

	if (!opt->token_url || strncmp(opt->token_url, "https://", 8) != 0 ||
	    !opt->client_id || !*opt->client_id)
		return NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	if (!(o = calloc(1, sizeof *o)))
		return NULL;
	pthread_mutex_init(&o->lock, NULL);
	o->token_url = dup_opt(opt->token_url, &ok);
	o->client_id = dup_opt(opt->client_id, &ok);
	o->secret_file = dup_opt(opt->client_secret_file, &ok);
	o->refresh_file = dup_opt(opt->refresh_token_file, &ok);
	o->scope = dup_opt(opt->scope, &ok);
	o->ca_file = dup_opt(opt->ca_file, &ok);
	o->timeout = opt->timeout > 0 ? opt->timeout : DEFAULT_TIMEOUT;
	o->grant = oauth2_grant_of(opt);
	if (!ok) {
		oauth2_free(o);
		return NULL;
	}
	return o;
}

void oauth2_free(struct oauth2 *o)
{
	if (!o)
		return;
	secret_free(o->token);
	secret_free(o->rotated);
	free(o->token_url);
	free(o->client_id);
	free(o->secret_file);
	free(o->refresh_file);
	free(o->scope);
	free(o->ca_file);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

unsigned long oauth2_fetches(struct oauth2 *o)
{
	unsigned long n;

	pthread_mutex_lock(&o->lock);
	n = o->fetches;
	pthread_mutex_unlock(&o->lock);
	return n;
}

void oauth2_refused(struct oauth2 *o, const char *token)
{
	pthread_mutex_lock(&o->lock);
	if (o->token && token && strcmp(o->token, token) == 0) {
		secret_free(o->token);
		o->token = NULL;
	}
	pthread_mutex_unlock(&o->lock);
}

/* ---- one request ------------------------------------------------------ */

struct body {
	char *data;
	size_t len;
	bool too_big;
};

static size_t write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t add = size * n;
	char *grown;

	if (b->len + add > MAX_ANSWER) {
		b->too_big = true;
		return 0;
	}
	if (!(grown = realloc(b->data, b->len + add + 1)))
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, p, add);
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

/*
 * A form being built in one buffer sized for the worst case up front
 * (form-encoding at most triples a value), so that no realloc leaves a
 * copy of a secret behind in freed memory.
 */
struct form {
	char *buf;
	size_t cap, len;
};

/* Appends "&name=value" (value form-encoded); -1 on out of memory or no room. */
static int form_add(CURL *h, struct form *f, const char *name, const char *value)
{
	char *enc = curl_easy_escape(h, value, 0);
	int n;

	if (!enc)
		return -1;
	n = snprintf(f->buf + f->len, f->cap - f->len, "%s%s=%s", f->len ? "&" : "", name, enc);
	explicit_bzero(enc, strlen(enc));
	curl_free(enc);
	if (n < 0 || (size_t)n >= f->cap - f->len)
		return -1;
	f->len += (size_t)n;
	return 0;
}

/*
 * Server text for a log line: control characters out, at most n bytes.
 * Entra ends every description with "\r\nTrace ID: … Correlation ID: …
 * Timestamp: …", useful to its support and noise to us: cut there.
 */
static void clean_text(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src && *src && i + 1 < n; src++) {
		if (*src == '\r' || *src == '\n' || strncmp(src, " Trace ID:", 10) == 0)
			break;
		dst[i++] = (unsigned char)*src < 0x20 || *src == 0x7f ? ' ' : *src;
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

/* What to check, for the endpoint's error codes people meet (RFC 6749 5.2). */
static const char *hint_of(const char *error, enum oauth2_grant g)
{
	if (!error)
		return "check oauth2.token_url";
	if (strcmp(error, "invalid_client") == 0)
		return g == OAUTH2_CLIENT_CREDENTIALS ?
			"check oauth2.client_id and the secret in oauth2.client_secret_file "
			"(its value, not its ID; expired: make a new one)" :
			"check oauth2.client_id and oauth2.client_secret_file";
	if (strcmp(error, "unauthorized_client") == 0)
		return "check oauth2.client_id, the tenant in oauth2.token_url, and that "
		       "the app may use this grant (admin consent)";
	if (strcmp(error, "invalid_grant") == 0)
		return g == OAUTH2_REFRESH_TOKEN ?
			"the refresh token in oauth2.refresh_token_file is expired or "
			"revoked: make a new one (README, Google Workspace)" :
			"check the app's permissions and admin consent";
	if (strcmp(error, "invalid_scope") == 0)
		return "check oauth2.scope";
	return "check the oauth2 section";
}

/* Reads the form's secrets and builds it (*form malloc'd); -1 with err set. */
static int build_form(struct oauth2 *o, CURL *h, char **form, struct error *err)
{
	char *secret = NULL, *refresh = NULL;
	const char *rt;
	struct form f = { 0 };
	int rc = -1;

	*form = NULL;
	if (o->secret_file && secret_read(o->secret_file, &secret, err) < 0) {
		error_prefix(err, "oauth2: client_secret_file");
		goto out;
	}
	if (o->grant == OAUTH2_REFRESH_TOKEN && !o->rotated &&
	    secret_read(o->refresh_file, &refresh, err) < 0) {
		error_prefix(err, "oauth2: refresh_token_file");
		goto out;
	}
	rt = o->rotated ? o->rotated : refresh;
	f.cap = 3 * (strlen(o->client_id) + (secret ? strlen(secret) : 0) +
		     (rt ? strlen(rt) : 0) + (o->scope ? strlen(o->scope) : 0)) + 128;
	if (!(f.buf = calloc(1, f.cap)) ||
	    form_add(h, &f, "grant_type", oauth2_grant_name(o->grant)) < 0 ||
	    form_add(h, &f, "client_id", o->client_id) < 0 ||
	    (secret && form_add(h, &f, "client_secret", secret) < 0) ||
	    (o->grant == OAUTH2_REFRESH_TOKEN && form_add(h, &f, "refresh_token", rt) < 0) ||
	    (o->scope && form_add(h, &f, "scope", o->scope) < 0)) {
		error_set(err, ERR_TEMP, "oauth2: out of memory");
		goto out;
	}
	*form = f.buf;
	f.buf = NULL;
	rc = 0;
out:
	secret_free(secret);
	secret_free(refresh);
	secret_free(f.buf);
	return rc;
}

/* Keeps a rotated refresh token: in its file, or in memory when that fails. */
static void keep_rotated(struct oauth2 *o, const char *fresh)
{
	struct error werr = { 0 };
	char *now = NULL;

	if (o->rotated && strcmp(o->rotated, fresh) == 0)
		return;
	if (!o->rotated && secret_read(o->refresh_file, &now, &werr) == 0 &&
	    strcmp(now, fresh) == 0) {
		secret_free(now);	/* the endpoint gave the same one back */
		return;
	}
	secret_free(now);
	if (secret_replace(o->refresh_file, fresh, &werr) == 0) {
		secret_free(o->rotated);
		o->rotated = NULL;
		log_info("oauth2", "%s: the endpoint rotated the refresh token; %s rewritten",
			 o->token_url, o->refresh_file);
		return;
	}
	/* the old token is spent: the new one must survive in memory at least */
	secret_free(o->rotated);
	o->rotated = strdup(fresh);
	log_error("oauth2", "%s: the rotated refresh token could not be saved (%s); "
		  "it is kept in memory until the file can be written — a restart before "
		  "then needs a new refresh token", o->token_url, werr.msg);
}

/* Fetches a token into o->token; the lock is held. */
static int fetch(struct oauth2 *o, struct error *err)
{
	const char *grant = oauth2_grant_name(o->grant);
	struct body b = { 0 };
	struct oauth2_answer a = { 0 };
	char errbuf[CURL_ERROR_SIZE] = "", *form = NULL, what[600], text[300];
	long code = 0;
	CURLcode rc;
	CURL *h;
	int ret = -1;

	snprintf(what, sizeof what, "oauth2: %s (grant %s, client_id %s)", o->token_url, grant,
		 o->client_id);
	if (!(h = curl_easy_init()))
		return error_set(err, ERR_TEMP, "%s: cannot start curl", what);
	if (build_form(o, h, &form, err) < 0)
		goto out;
	curl_easy_setopt(h, CURLOPT_URL, o->token_url);
	/* HTTPS only, no redirects: the secret goes to this URL or nowhere */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file) {
		/* as in smtp.c: ca_file alone, not also Debian's CAPATH */
		curl_easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, (char *)NULL);
	}
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)o->timeout);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)o->timeout);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "incident-bot");
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);

	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_SSL_ISSUER_ERROR) {
		error_set(err, ERR_FATAL, "%s: certificate not trusted by %s (%s): check oauth2.ca_file",
			  what, o->ca_file ? o->ca_file : "the system store",
			  errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && b.too_big)) {
		error_set(err, ERR_TEMP, "%s: %s (curl %d); will retry", what,
			  errbuf[0] ? errbuf : curl_easy_strerror(rc), (int)rc);
		goto out;
	}
	if (b.too_big || oauth2_answer_parse(b.data ? b.data : "", b.len, &a) < 0) {
		error_set(err, code >= 400 && code < 500 && code != 429 ? ERR_AUTH : ERR_TEMP,
			  "%s: HTTP %ld with an answer that is not a JSON object%s", what, code,
			  code == 200 ? "; will retry" : ": is oauth2.token_url the token endpoint?");
		goto out;
	}
	if (code != 200 || !a.access_token) {
		char desc[200];	/* the message has room for the hint too */

		clean_text(text, sizeof text, a.error ? a.error : "no error code");
		clean_text(desc, sizeof desc, a.error_description ? a.error_description : "");
		if (code >= 500 || code == 429 || (code == 200 && !a.access_token))
			error_set(err, ERR_TEMP, "%s: HTTP %ld: %s%s%s; will retry", what, code, text,
				  desc[0] ? ": " : "", desc);
		else
			error_set(err, ERR_AUTH, "%s: refused (HTTP %ld): %s%s%s — %s", what, code,
				  text, desc[0] ? ": " : "", desc, hint_of(a.error, o->grant));
		goto out;
	}
	if (o->grant == OAUTH2_REFRESH_TOKEN && a.refresh_token && *a.refresh_token)
		keep_rotated(o, a.refresh_token);
	secret_free(o->token);
	o->token = a.access_token;
	a.access_token = NULL;
	o->renew_at = oauth2_renew_at(clock_monotonic(), a.expires_in);
	o->fetches++;
	log_info("oauth2", "%s: new access token (grant %s), valid %ld s, renewed after %.0f s",
		 o->token_url, grant, a.expires_in > 0 ? a.expires_in : (long)DEFAULT_LIFETIME,
		 o->renew_at - clock_monotonic());
	ret = 0;
out:
	oauth2_answer_release(&a);
	if (b.data) {
		explicit_bzero(b.data, b.len);
		free(b.data);
	}
	secret_free(form);
	curl_easy_cleanup(h);
	return ret;
}

int oauth2_token(struct oauth2 *o, char **token, struct error *err)
{
	int rc = 0;

	*token = NULL;
	pthread_mutex_lock(&o->lock);
	if ((!o->token || clock_monotonic() >= o->renew_at) && o->failed_at &&
	    clock_monotonic() - o->failed_at < HOLD_DOWN) {
		if (err)
			*err = o->failure;
		rc = -1;
	} else if (!o->token || clock_monotonic() >= o->renew_at) {
		struct error ferr = { 0 };

		rc = fetch(o, &ferr);
		o->failed_at = rc < 0 ? clock_monotonic() : 0;
		o->failure = ferr;
		if (rc < 0 && err)
			*err = ferr;
	}
	if (rc == 0 && !(*token = strdup(o->token)))
		rc = error_set(err, ERR_TEMP, "oauth2: out of memory");
	pthread_mutex_unlock(&o->lock);
	return rc;
}
