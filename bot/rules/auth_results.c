/*
 * auth_results.c — the Authentication-Results half of auth.h: the header
 * fields (RFC 8601) read the RFC way, only those of our own authserv-id
 * counted, and a dkim or spf pass accepted when its domain is aligned
 * with the From domain.  Everything compares ASCII case by hand rather
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
 * Relaxed alignment as DMARC (RFC 7489 3.1) has it, but with the
 * subdomain relation in place of the organizational domain, which would
 * need the public suffix list: equal, or one ends with "." + the other.
 * The shorter must have two labels, so no top-level domain aligns with
 * everything under it.
 */
static bool aligned(struct span a, struct span b)
{
	struct span s = a.n <= b.n ? a : b, l = a.n <= b.n ? b : a;

	if (!domain_ok(a) || !domain_ok(b))
		return false;
	if (a.n == b.n)
		return ieq_n(a.p, b.p, a.n);
	return l.p[l.n - s.n - 1] == '.' && ieq_n(l.p + l.n - s.n, s.p, s.n) &&
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
	bool counted;		/* a field of ours was seen */
	bool passed;
	int rank;		/* of text: see judge_result() */
	char text[WHY_MAX];
};

/* Weighs one parsed result of our server. */
static void judge_result(struct judge *j, const struct resinfo *r)
{
	bool dkim = span_is(r->method, "dkim"), pass, ok;
	const struct value *v = NULL;
	const char *prop = NULL, *missing;
	char result[32], shown[VALUE_MAX], text[WHY_MAX];
	int rank;

	if (!dkim && !span_is(r->method, "spf"))
		return;
	if (dkim && r->d.set)
		v = &r->d, prop = "header.d";
	else if (dkim && r->i.set)
		v = &r->i, prop = "header.i";
	else if (!dkim && r->mailfrom.set)
		v = &r->mailfrom, prop = "smtp.mailfrom";
	missing = dkim ? "header.d or header.i" : "smtp.mailfrom";
	pass = span_is(r->result, "pass");
	ok = v && !v->cut && aligned(domain_of(v->s, v->n, v != &r->d), j->from);
	clean(result, sizeof result, r->result.p, r->result.n, true);
	clean(shown, sizeof shown, v ? v->s : "", v ? v->n : 0, false);

	/* 4 decides; else the best explanation of a failure is kept */
	if (pass && ok) {
		rank = 4;
		snprintf(text, sizeof text, "%s=pass %s=%s (by %s)", dkim ? "dkim" : "spf", prop,
			 shown, j->by);
	} else if (ok) {	/* our domain, and it failed: the likeliest forgery */
		rank = 3;
		snprintf(text, sizeof text, "%s=%s %s=%s (by %s)", dkim ? "dkim" : "spf", result,
			 prop, shown, j->by);
	} else if (pass && v) {
		rank = 2;
		snprintf(text, sizeof text, "%s=pass but %s=%s not aligned with %.*s",
			 dkim ? "dkim" : "spf", prop, shown, (int)j->from.n, j->from.p);
	} else if (pass) {
		rank = 2;
		snprintf(text, sizeof text, "%s=pass but no %s (by %s)", dkim ? "dkim" : "spf",
			 missing, j->by);
	} else {
		rank = 1;
		snprintf(text, sizeof text, "%s=%s%s%s%s%s (by %s)", dkim ? "dkim" : "spf", result,
			 v ? " " : "", v ? prop : "", v ? "=" : "", shown, j->by);
	}
	if (rank > j->rank) {
		j->rank = rank;
		memcpy(j->text, text, sizeof text);
	}
	if (rank == 4)
		j->passed = true;
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
	while (*p == ';' && !j->passed) {
		p = read_resinfo(p + 1, &r, &ok, &quote);
		if (ok && !r.twice)
			judge_result(j, &r);
		else
			p = skip_resinfo(p, &quote);
	}
}

bool auth_results_ok(const char *const *values, size_t n, const char *authserv_id,
		     const char *from_addr, char *why, size_t why_len)
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
		for (k = 0; values && k < n && !j.passed; k++)
			if (values[k])
				read_field(&j, values[k]);
		if (!j.rank)
			snprintf(j.text, sizeof j.text, j.counted ? "no dkim or spf result from %s"
				 : "no Authentication-Results from %s", authserv_id);
	}
	if (why && why_len)
		snprintf(why, why_len, "%s", j.text);
	return j.passed;
}
