/*
 * auth_results.c — the Authentication-Results half of auth.h: the header
 * fields (RFC 8601) read the RFC way, only those of our own authserv-id
 * above the hop from outside counted, and a dkim pass accepted when its
 * domain is the From domain and no result of ours failed (issue 14).  Everything compares ASCII case by hand rather
 * than with ctype or strcasecmp, so that no locale changes a decision.
 */
#include "rules/auth.h"

#include <stdio.h>
#include <string.h>

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether the n bytes at a and b are equal ignoring ASCII case; stops at
 * the first difference, so a shorter string's NUL ends it safely. */
static bool ieq_n(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static bool ieq(const char *a, const char *b)
{
	size_t n = strlen(b);

	return ieq_n(a, b, n) && a[n] == '\0';
}

/* ---- Authentication-Results (RFC 8601) ---- */

#define VALUE_MAX 256	/* a domain has at most 253 bytes */
#define WHY_MAX 512

/* A piece of the field as written: a method, result or property name. */
struct span {
	const char *p;
	size_t n;
};

/* A value read out of the field (quotes and quoted pairs undone). */
struct value {
	char s[VALUE_MAX];
	size_t n;
	bool set;
	bool cut;	/* longer than VALUE_MAX - 1: never aligned */
	bool broken;	/* a quote never closed */
};

/* One "method=result property=value …" between semicolons. */
struct resinfo {
	struct span method, result;
	struct value d, i, mailfrom;	/* header.d, header.i, smtp.mailfrom */
	bool twice;			/* one of those three named twice */
};

static bool span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && ieq_n(s.p, word, s.n);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Past the comment opening at p, nested ones included (to the end of the
 * string when it is never closed).  Sets *quote when it holds a '"'. */
static const char *skip_comment(const char *p, bool *quote)
{
	size_t depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			*quote = true;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return p;
}

/* Past white space (folding included) and comments. */
static const char *skip_cfws(const char *p, bool *quote)
{
	for (;;) {
		while (is_wsp(*p))
			p++;
		if (*p != '(')
			return p;
		p = skip_comment(p, quote);
	}
}

/* Past the quoted string opening at p (to the end when never closed). */
static const char *skip_quoted(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* Past the rest of a result that did not parse: to its ';' or the end. */
static const char *skip_resinfo(const char *p, bool *quote)
{
	while (*p && *p != ';') {
		if (*p == '(')
			p = skip_comment(p, quote);
		else if (*p == '"')
			p = skip_quoted(p);
		else
			p++;
	}
	return p;
}

/* A Keyword (RFC 8601: letters, digits and '-'; '_' too, as some write). */
static const char *read_keyword(const char *p, struct span *s)
{
	s->p = p;
	while (is_alnum(*p) || *p == '-' || *p == '_')
		p++;
	s->n = (size_t)(p - s->p);
	return p;
}

static void value_put(struct value *v, char c)
{
	if (v->n + 1 < VALUE_MAX)
		v->s[v->n++] = c;
	else
		v->cut = true;
	v->s[v->n] = '\0';
}

static void value_clear(struct value *v)
{
	v->s[0] = '\0';
	v->n = 0;
	v->set = v->cut = v->broken = false;
}

/* Reads the quoted string opening at p into v; returns past it (the end of
 * the string, with v->broken set, when it is never closed). */
static const char *read_quoted(const char *p, struct value *v)
{
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		value_put(v, *p);
	}
	if (!*p)
		v->broken = true;
	return *p ? p + 1 : p;
}

/*
 * Reads a pvalue at p into v: a token, a quoted string, or an address
 * (local-part, which may be quoted, '@', domain) — in practice everything
 * up to white space, a comment or ';', quoted parts undone.
 */
static const char *read_pvalue(const char *p, struct value *v)
{
	value_clear(v);
	v->set = true;
	while (*p && !is_wsp(*p) && *p != '(' && *p != ';') {
		if (*p == '"')
			p = read_quoted(p, v);
		else
			value_put(v, *p++);
	}
	return p;
}

/* An authserv-id: a token (RFC 2045: no space, control or tspecial) or a
 * quoted string. */
static const char *read_authserv_id(const char *p, struct value *v)
{
	value_clear(v);
	if (*p == '"') {
		v->set = true;
		return read_quoted(p, v);
	}
	while ((unsigned char)*p > ' ' && *p != 0x7f && !strchr("()<>@,;:\\\"/[]?=", *p))
		value_put(v, *p++);
	v->set = v->n > 0;
	return p;
}

/* Where the value of ptype.property goes: one of the three we read, or the
 * scratch value for all the others. */
static struct value *slot(struct resinfo *r, struct span ptype, struct span prop,
			  struct value *scratch)
{
	if (span_is(ptype, "header") && span_is(prop, "d"))
		return &r->d;
	if (span_is(ptype, "header") && span_is(prop, "i"))
		return &r->i;
	if (span_is(ptype, "smtp") && span_is(prop, "mailfrom"))
		return &r->mailfrom;
	return scratch;
}

/*
 * Reads one resinfo at p (just after its ';').  Returns where reading
 * stopped and sets *ok when the whole result parsed up to its ';' or the
 * end.  "none" alone parses, with an empty result.
 */
static const char *read_resinfo(const char *p, struct resinfo *r, bool *ok, bool *quote)
{
	struct span ptype, prop, ver;
	struct value scratch, *v;

	memset(r, 0, sizeof *r);
	*ok = false;
	p = read_keyword(skip_cfws(p, quote), &r->method);
	if (!r->method.n)
		return p;
	p = skip_cfws(p, quote);
	if (*p == '/') {		/* method-version */
		p = read_keyword(skip_cfws(p + 1, quote), &ver);
		if (!ver.n)
			return p;
		p = skip_cfws(p, quote);
	}
	if (*p != '=') {
		*ok = span_is(r->method, "none") && (*p == ';' || !*p);
		return p;
	}
	p = read_keyword(skip_cfws(p + 1, quote), &r->result);
	if (!r->result.n)
		return p;
	for (;;) {
		p = skip_cfws(p, quote);
		if (!*p || *p == ';') {
			*ok = true;
			return p;
		}
		/* reason=value, ptype.property=value, or Microsoft's name=value */
		p = read_keyword(p, &ptype);
		if (!ptype.n)
			return p;
		p = skip_cfws(p, quote);
		prop.n = 0;
		prop.p = p;
		if (*p == '.') {
			p = read_keyword(skip_cfws(p + 1, quote), &prop);
			if (!prop.n)
				return p;
			p = skip_cfws(p, quote);
		}
		if (*p != '=')
			return p;
		v = slot(r, ptype, prop, &scratch);
		if (v != &scratch && v->set)
			r->twice = true;
		p = read_pvalue(skip_cfws(p + 1, quote), v);
		if (v->broken)
			return p;
	}
}

/* Whether the part of a field from p on has a '"' inside a comment (see
 * auth.h: a sender's quoted local part copied unescaped into a comment
 * could end the comment and write results of its own). */
static bool quote_in_comment(const char *p)
{
	bool quote = false;

	while (*p && !quote) {
		if (*p == '(')
			p = skip_comment(p, &quote);
		else if (*p == '"')
			p = skip_quoted(p);
		else
			p++;
	}
	return quote;
}

/* "1", "01", …: the only version of RFC 8601 there is. */
static bool version_one(struct span v)
{
	size_t i = 0;

	while (i < v.n && v.p[i] == '0')
		i++;
	return v.n - i == 1 && v.p[i] == '1';
}

/* The domain in s: after its last '@' when at_form (header.i,
 * smtp.mailfrom), without a final dot. */
static struct span domain_of(const char *s, size_t n, bool at_form)
{
	struct span d = { s, n };
	size_t i;

	for (i = n; at_form && i > 0; i--)
		if (s[i - 1] == '@') {
			d.p = s + i;
			d.n = n - i;
			break;
		}
	if (d.n && d.p[d.n - 1] == '.')
		d.n--;
	return d;
}

/* Letters, digits, '-', '_' (DKIM selectors' habits) and UTF-8 bytes in
 * non-empty labels; at most 253 bytes. */
static bool domain_ok(struct span d)
{
	size_t i, label = 0;

	if (d.n == 0 || d.n > 253)
		return false;
	for (i = 0; i < d.n; i++) {
		char c = d.p[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (is_alnum(c) || c == '-' || c == '_' || (unsigned char)c >= 0x80) {
			label++;
		} else {
			return false;
		}
	}
	return label > 0;
}

/*
 * Whether the signing domain a is aligned with the From domain b.  Issue
 * 14 (V3): strict by default — a subdomain's key (a marketing service's
 * mail.example.com) must not command as example.com's admins; with
 * subdomains, relaxed alignment as DMARC (RFC 7489 3.1) has it but with
 * the subdomain relation in place of the organizational domain, which
 * would need the public suffix list: equal, or one ends with "." + the
 * other, the shorter with two labels at least.
 */
static bool aligned(struct span a, struct span b, bool subdomains)
{
	struct span s = a.n <= b.n ? a : b, l = a.n <= b.n ? b : a;

	if (!domain_ok(a) || !domain_ok(b))
		return false;
	if (a.n == b.n)
		return ieq_n(a.p, b.p, a.n);
	return subdomains && l.p[l.n - s.n - 1] == '.' && ieq_n(l.p + l.n - s.n, s.p, s.n) &&
		memchr(s.p, '.', s.n) != NULL;
}

/* Copies n bytes of src for a log line: control characters become '?',
 * ASCII letters lower case when lower. */
static void clean(char *dst, size_t len, const char *src, size_t n, bool lower)
{
	size_t i;

	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++) {
		char c = src[i];

		dst[i] = (unsigned char)c < ' ' || c == 0x7f ? '?' : lower ? ascii_lower(c) : c;
	}
	dst[n] = '\0';
}

/* What the fields of our server have said so far. */
struct judge {
	const char *by;		/* our authserv-id */
	struct span from;	/* the From domain */
	const char *from_addr;	/* the whole From address */
	bool subdomains;
	bool counted;		/* a field of ours was seen */
	bool pass;		/* an aligned dkim=pass */
	bool refused;		/* a decisive non-pass: it wins over any pass */
	int rank;		/* of text: see judge_result() */
	char text[WHY_MAX];
};

static void keep(struct judge *j, int rank, const char *text)
{
	if (rank > j->rank) {
		j->rank = rank;
		snprintf(j->text, sizeof j->text, "%s", text);
	}
}

/*
 * Weighs one parsed result of our server (issue 14, RFC 8601 7): a dkim
 * result of the From domain decides — pass, unless its header.i names
 * another person; anything else (fail, none, neutral, policy, temperror,
 * permerror) refuses, whatever else passed.  dmarc=fail, temperror or
 * permerror refuses.  SPF checks the envelope sender, which is no person
 * (RFC 7208 2.4): it never authorises a command alone; its results are
 * only explained.  Ranks of the explanation: 5 a decisive refusal, 4 the
 * pass, 3 a pass that does not count, 2 an unaligned result, 1 the rest.
 */
static void judge_result(struct judge *j, const struct resinfo *r)
{
	bool dkim = span_is(r->method, "dkim"), spf = span_is(r->method, "spf"), pass, ok;
	const struct value *v = NULL;
	const char *prop = NULL;
	char result[32], shown[VALUE_MAX], text[WHY_MAX];

	clean(result, sizeof result, r->result.p, r->result.n, true);
	if (span_is(r->method, "dmarc")) {
		if (span_is(r->result, "fail") || span_is(r->result, "temperror") ||
		    span_is(r->result, "permerror")) {
			j->refused = true;
			snprintf(text, sizeof text, "dmarc=%s (by %s)", result, j->by);
			keep(j, 5, text);
		}
		return;
	}
	if (!dkim && !spf)
		return;
	if (dkim && r->d.set)
		v = &r->d, prop = "header.d";
	else if (dkim && r->i.set)
		v = &r->i, prop = "header.i";
	else if (spf && r->mailfrom.set)
		v = &r->mailfrom, prop = "smtp.mailfrom";
	pass = span_is(r->result, "pass");
	ok = v && !v->cut && aligned(domain_of(v->s, v->n, v != &r->d), j->from, j->subdomains);
	clean(shown, sizeof shown, v ? v->s : "", v ? v->n : 0, false);

	if (spf) {
		snprintf(text, sizeof text, "spf=%s %s=%s: SPF alone authorises no command (by %s)",
			 result, prop ? prop : "smtp.mailfrom", shown, j->by);
		keep(j, pass && ok ? 3 : 1, text);
		return;
	}
	if (ok && pass && r->i.set && !r->i.cut && memchr(r->i.s, '@', r->i.n) &&
	    r->i.s[0] != '@' && !ieq(r->i.s, j->from_addr)) {
		/* the signer says which person it vouches for, and it is another */
		clean(shown, sizeof shown, r->i.s, r->i.n, false);
		snprintf(text, sizeof text, "dkim=pass but header.i=%s is not the From address (by %s)",
			 shown, j->by);
		keep(j, 3, text);
	} else if (ok && pass) {
		j->pass = true;
		snprintf(text, sizeof text, "dkim=pass %s=%s (by %s)", prop, shown, j->by);
		keep(j, 4, text);
	} else if (ok) {	/* our domain, and it did not pass: the likeliest forgery */
		j->refused = true;
		snprintf(text, sizeof text, "dkim=%s %s=%s (by %s)", result, prop, shown, j->by);
		keep(j, 5, text);
	} else if (pass && v) {
		snprintf(text, sizeof text, "dkim=pass but %s=%s not aligned with %.*s%s", prop,
			 shown, (int)j->from.n, j->from.p,
			 j->subdomains ? "" : " (subdomains align only with commands.align_subdomains)");
		keep(j, 2, text);
	} else {
		snprintf(text, sizeof text, "dkim=%s%s%s%s%s (by %s)", result, v ? " " : "",
			 v ? prop : "", v ? "=" : "", shown, j->by);
		keep(j, 1, text);
	}
}

/* Reads one Authentication-Results value; judges its results when it is
 * our server's. */
static void read_field(struct judge *j, const char *p)
{
	struct value id;
	struct resinfo r;
	struct span ver;
	bool quote = false, ok;

	p = read_authserv_id(skip_cfws(p, &quote), &id);
	if (!id.set || id.cut || id.broken || !ieq(id.s, j->by))
		return;
	j->counted = true;
	if (quote || quote_in_comment(p))
		return;
	p = skip_cfws(p, &quote);
	if (is_digit(*p)) {
		ver.p = p;
		while (is_digit(*p))
			p++;
		ver.n = (size_t)(p - ver.p);
		if (!version_one(ver))
			return;
		p = skip_cfws(p, &quote);
	}
	while (*p == ';') {
		p = read_resinfo(p + 1, &r, &ok, &quote);
		if (ok && !r.twice)
			judge_result(j, &r);
		else
			p = skip_resinfo(p, &quote);
	}
}

/* The judgement over the fields of ours among values (NULLs skipped). */
static bool judge_all(const char *const *values, size_t n, const char *authserv_id,
		      bool subdomains, const char *from_addr, char *why, size_t why_len)
{
	struct judge j = { 0 };
	const char *at = from_addr ? strrchr(from_addr, '@') : NULL;
	size_t k;

	if (!authserv_id || !*authserv_id) {
		snprintf(j.text, sizeof j.text, "no authserv-id configured");
	} else if (!at || !domain_ok(j.from = domain_of(at + 1, strlen(at + 1), false))) {
		snprintf(j.text, sizeof j.text, "From address has no domain");
	} else {
		j.by = authserv_id;
		j.from_addr = from_addr;
		j.subdomains = subdomains;
		/* every field of ours is read: a fail anywhere among them wins */
		for (k = 0; values && k < n; k++)
			if (values[k])
				read_field(&j, values[k]);
		if (!j.rank)
			snprintf(j.text, sizeof j.text, j.counted ? "no dkim result from %s"
				 : "no Authentication-Results from %s", authserv_id);
	}
	if (why && why_len)
		snprintf(why, why_len, "%s", j.text);
	return j.pass && !j.refused;
}

bool auth_results_ok(const char *const *values, size_t n, const char *authserv_id,
		     const char *from_addr, char *why, size_t why_len)
{
	return judge_all(values, n, authserv_id, false, from_addr, why, why_len);
}

/* ---- where our border is (RFC 8601 5 and 7.1) ---- */

static bool is_ip_char(char c)
{
	return is_digit(c) || c == '.' || c == ':' || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * Whether the Received value r records a hop from a host of
 * internal_hosts: its "from" host name (the first word after "from"), or
 * an address literal "[…]" of its from clause, equals an entry ignoring
 * case.  A Received without a from clause (a local submission, a hop
 * inside one host) is internal.
 */
static bool internal_hop(const char *r, const char *const *hosts, size_t n_hosts)
{
	const char *p = r, *word, *end;
	size_t k, n;

	while (is_wsp(*p))
		p++;
	if (!ieq_n(p, "from", 4) || !is_wsp(p[4]))
		return true;
	for (p += 4; is_wsp(*p); p++)
		;
	word = p;
	while (*p && !is_wsp(*p) && *p != '(' && *p != ';')
		p++;
	n = (size_t)(p - word);
	for (k = 0; k < n_hosts; k++)
		if (hosts[k] && strlen(hosts[k]) == n && ieq_n(word, hosts[k], n))
			return true;
	/* the address literals of the from clause, up to " by " */
	end = p;
	while (*end && !(is_wsp(end[0]) && ieq_n(end + 1, "by", 2) && is_wsp(end[3])))
		end++;
	for (; p < end; p++) {
		if (*p != '[')
			continue;
		word = ++p;
		if (ieq_n(p, "IPv6:", 5))
			word = p += 5;
		while (p < end && is_ip_char(*p))
			p++;
		n = (size_t)(p - word);
		for (k = 0; n && k < n_hosts; k++)
			if (hosts[k] && strlen(hosts[k]) == n && ieq_n(word, hosts[k], n))
				return true;
	}
	return false;
}

bool auth_trace_ok(const struct mail_trace *trace, size_t n, const struct auth_border *b,
		   const char *from_addr, char *why, size_t why_len)
{
	const char *ours[AUTH_TRACE_MAX];
	size_t k, m = 0;

	/* Only the fields above the hop from outside into our system are
	 * our border's (RFC 8601 7.1): everything below it came with the
	 * mail, whatever authserv-id it names. */
	for (k = 0; trace && k < n && m < AUTH_TRACE_MAX; k++) {
		if (trace[k].kind == 'R' && trace[k].value &&
		    !internal_hop(trace[k].value, b->internal_hosts, b->n_internal))
			break;
		if (trace[k].kind == 'A')
			ours[m++] = trace[k].value;
	}
	return judge_all(ours, m, b->authserv_id, b->subdomains, from_addr, why, why_len);
}
