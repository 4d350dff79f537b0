/*
 * mime.c — the parse stage: raw RFC 5322 bytes in, a struct mail out.
 *
 * The libetpan adapter.  libetpan does the grammar: mailimf for the header
 * fields, mailmime_parse for the MIME tree, mailmime_part_parse for base64
 * / quoted-printable and mailmime_encoded_word_parse for RFC 2047.  This
 * file decides what the bot reads: which part is the body, what counts as
 * an attachment, which charset a text is in, and how to get something
 * useful out of mail that breaks the rules.  A bad mail yields a lossy
 * body, never a failure, unless it has no header at all; running out of
 * memory is ERR_TEMP.
 *
 * What needs no libetpan lives beside it, each with its own header:
 * charset.c (labels, conversion to UTF-8, detection), html.c (HTML as
 * text, the charset of its <meta>), header.c (header values cleaned,
 * msg-ids, a broken From), rfc2231.c (encoded parameter values), buf.c
 * (the growable buffer).
 *
 * Sections, in order: text; input preparation; headers; the MIME tree;
 * the entry points.
 */
#include "mime/mime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "lib/buf.h"
#include "lib/digest.h"
#include "mime/charset.h"
#include "mime/header.h"
#include "mime/html.h"
#include "mime/rfc2231.h"

/*
 * libetpan's parser recurses once per nested multipart or message/rfc822
 * and rescans the rest of the mail at each level: 20,000 nested multiparts
 * (1.2 MB) take 9 s and 100,000 nested messages overflow the stack.  A mail
 * with more nesting-capable Content-Type headers than this is read as
 * headers + raw text instead.
 */
#define NEST_MAX 100

/* Forwarded messages inside forwarded messages: deeper ones stay attachments. */
#define FORWARD_DEPTH_MAX 4

/* ---- text -------------------------------------------------------------- */

/*
 * Body text: CRLF and lone CR become LF.  NUL cannot stand in a C string
 * and carries no text (padding, UTF-16 read as bytes): it is dropped, and
 * the body counts as lossy.
 */
static void text_append(struct buf *out, const char *s, size_t n, int *lossy)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\0')
			continue;
		buf_add(out, s + start, i - start);
		if (s[i] == '\0') {
			*lossy = 1;
		} else if (i + 1 < n && s[i + 1] == '\n') {
			i++;
			buf_addc(out, '\n');
		} else {
			buf_addc(out, '\n');
		}
		start = i + 1;
	}
	buf_add(out, s + start, n - start);
}

/* ---- input preparation ------------------------------------------------- */

/* Length of the line at s including its end (LF, CRLF or lone CR). */
static size_t line_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			return i + 1;
		if (s[i] == '\r')
			return i + 1 < n && s[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return n;
}

static int line_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/*
 * Copies raw into a NUL-terminated buffer libetpan can parse.  libetpan's
 * header grammar accepts bare LF, but QP soft breaks and multipart boundary
 * lines are only reliable with CRLF, and a lone CR (old Mac mail) is no
 * line end to it at all: every line end becomes CRLF.  A UTF-8 BOM, blank
 * lines and an mbox "From " line before the header are dropped.
 */
static char *prepare_input(const char *raw, size_t len, size_t *out_len)
{
	size_t i = 0, k, n, extra = 0;
	char *buf, *o;

	if (len >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		k = line_len(raw + i, len - i);
		if (!line_blank(raw + i, k) &&
		    !(k >= 5 && memcmp(raw + i, "From ", 5) == 0))
			break;
		i += k;
	}
	for (k = i; k < len; k++)
		if ((raw[k] == '\n' && (k == i || raw[k - 1] != '\r')) ||
		    (raw[k] == '\r' && (k + 1 == len || raw[k + 1] != '\n')))
			extra++;
	n = len - i + extra;
	if (n < extra || !(buf = malloc(n + 1)))
		return NULL;
	for (o = buf; i < len; i++) {
		if (raw[i] == '\n' && (o == buf || o[-1] != '\r'))
			*o++ = '\r';
		*o++ = raw[i];
		if (raw[i] == '\r' && (i + 1 == len || raw[i + 1] != '\n'))
			*o++ = '\n';
	}
	*o = '\0';
	*out_len = (size_t)(o - buf);
	return buf;
}

/* ---- headers ----------------------------------------------------------- */

/*
 * RFC 2047.  libetpan reads the grammar of one encoded word and its B or Q
 * encoding (mailmime_encoded_word_parse); the rest is here, because its
 * mailmime_encoded_phrase_parse converts each word alone with charconv's
 * strict tables: a character cut between two words (mutt does that) and
 * ISO-2022-JP written by Windows (①, ㈱, 髙) came out as "?".  Instead the
 * decoded bytes of adjacent words in one charset are joined (RFC 2047
 * section 6.2: the white space between encoded words is dropped) and each
 * run goes through charset_to_utf8, which knows the aliases
 * ("=?shift_jis?" means CP932) and the Windows ISO-2022-JP.
 */

/* Adjacent encoded words in one charset: their decoded bytes, not yet text. */
struct word_run {
	struct mailmime_encoded_word *first;	/* owns the label */
	struct buf bytes;
};

static int is_fws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Converts the run and appends it to out; the run is empty after. */
static void run_flush(struct word_run *run, struct buf *out)
{
	char *u;
	size_t n;
	int lossy = 0;		/* a header has no lossy flag to set */

	if (!run->first)
		return;
	u = charset_to_utf8(run->first->wd_charset, run->bytes.p ? run->bytes.p : "",
			    run->bytes.len, &n, &lossy);
	if (u)
		buf_add(out, u, n);
	out->oom |= !u || run->bytes.oom;
	free(u);
	mailmime_encoded_word_free(run->first);
	run->first = NULL;
	buf_release(&run->bytes);
}

/* Adds a decoded word to the run, or starts a new run in its charset. */
static void run_add(struct word_run *run, struct mailmime_encoded_word *w,
		    struct buf *out)
{
	/* "=?iso-2022-jp*ja?": the RFC 2231 language is no part of the name */
	w->wd_charset[strcspn(w->wd_charset, "*")] = '\0';
	if (run->first && strcasecmp(run->first->wd_charset, w->wd_charset) == 0) {
		buf_adds(&run->bytes, w->wd_text);
		mailmime_encoded_word_free(w);
		return;
	}
	run_flush(run, out);
	run->first = w;
	buf_adds(&run->bytes, w->wd_text);
}

/*
 * Text outside encoded words, s[0..n), to out: raw 8-bit or raw ISO-2022-JP
 * to UTF-8 (against RFC 5322, common all the same, and mostly in the
 * body's charset: the hint), each run of white space as one space, as
 * libetpan's phrase parser wrote it.
 */
static void plain_add(const char *s, size_t n, const char *hint, struct buf *out)
{
	size_t len, i;
	char *u;
	int lossy = 0;

	if (!n)
		return;
	if (!(u = charset_guess_to_utf8(hint, s, n, &len, &lossy))) {
		out->oom = 1;
		return;
	}
	for (i = 0; i < len; i++)
		if (!is_fws(u[i]))
			buf_addc(out, u[i]);
		else if (i == 0 || !is_fws(u[i - 1]))
			buf_addc(out, ' ');
	free(u);
}

/*
 * Where the next encoded word may start in s at or after i, or n.  Raw
 * ISO-2022-JP in a header can hold "=?" as half of a kanji or as two
 * half-width kana: only text in ASCII (before any escape, after ESC ( B
 * or ESC ( J, or on a new line, as RFC 1468 has each line end in ASCII)
 * is searched.  *ascii carries that state from call to call.
 */
static size_t word_next(const char *s, size_t n, size_t i, int *ascii)
{
	for (; i + 1 < n; i++) {
		if (s[i] == '\x1b')
			*ascii = s[i + 1] == '(' && i + 2 < n && (s[i + 2] == 'B' || s[i + 2] == 'J');
		else if (s[i] == '\r' || s[i] == '\n')
			*ascii = 1;
		else if (*ascii && s[i] == '=' && s[i + 1] == '?')
			return i;
	}
	return n;
}

/*
 * A header value as text: encoded words decoded from the raw bytes (an
 * 8-bit byte inside one belongs to its charset), the text around them
 * through charset_guess_to_utf8 with hint, the charset raw 8-bit bytes are
 * likely in; cleaned as header_clean does.  A word libetpan cannot read
 * stays as written.  Linear time: each "=?" is tried once, and libetpan
 * reads no further than the end of the word it returns and the start of
 * the next (an older version retried whole phrases, and a 200 KB Subject
 * found by fuzzing took minutes).  NULL on OOM.
 */
static char *decode_words(const char *value, const char *hint)
{
	struct buf out = { 0 };
	struct word_run run = { 0 };
	struct mailmime_encoded_word *w;
	size_t n, plain = 0, k = 0, at, end, j;
	int ascii = 1, fwd, unclosed, r;
	char *res;

	if (!value)
		value = "";
	n = strlen(value);
	while ((k = word_next(value, n, k, &ascii)) < n && !out.oom) {
		/* libetpan drops the quotes of a quoted word, "=?...?=" */
		at = k > plain && value[k - 1] == '"' ? k - 1 : k;
		end = at;
		w = NULL;
		r = mailmime_encoded_word_parse(value, n, &end, &w, &fwd, &unclosed);
		if (r == MAILIMF_ERROR_MEMORY)
			out.oom = 1;
		if (r != MAILIMF_NO_ERROR) {
			k += 2;		/* not a word: text as written */
			continue;
		}
		for (j = plain; j < at && is_fws(value[j]); j++)
			;
		if (!run.first || j < at) {	/* not just space between words */
			run_flush(&run, &out);
			plain_add(value + plain, at - plain, hint, &out);
		}
		run_add(&run, w, &out);
		plain = k = end;
		ascii = 1;
	}
	run_flush(&run, &out);
	plain_add(value + plain, n - plain, hint, &out);
	if (out.oom) {
		buf_release(&out);
		return NULL;
	}
	res = header_clean(out.p ? out.p : "");
	buf_release(&out);
	return res;
}

char *mime_decode_header(const char *value)
{
	return decode_words(value, NULL);
}

/* An unstructured header value as written: unfolded, trimmed, valid UTF-8. */
static char *raw_value_dup(const char *v)
{
	return v ? header_clean(v) : NULL;
}

/* The first header called name in the raw (all-optional) field list. */
static const char *raw_get(const struct mailimf_fields *raw, const char *name)
{
	clistiter *c;

	for (c = clist_begin(raw->fld_list); c; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);

		if (f->fld_type == MAILIMF_FIELD_OPTIONAL_FIELD &&
		    strcasecmp(f->fld_data.fld_optional_field->fld_name, name) == 0)
			return f->fld_data.fld_optional_field->fld_value;
	}
	return NULL;
}

/*
 * The trace fields, top first (RFC 8601 5): every Authentication-Results
 * and Received header, up to MAIL_TRACE_MAX — our own servers write on
 * top, so the first ones are what counts; auth.h decides which.
 */
static int trace_fill(struct mail *m, const struct mailimf_fields *raw)
{
	clistiter *c;

	for (c = clist_begin(raw->fld_list); c && m->n_trace < MAIL_TRACE_MAX; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);
		struct mail_trace *grown;
		const char *name;
		char kind;

		if (f->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD)
			continue;
		name = f->fld_data.fld_optional_field->fld_name;
		kind = strcasecmp(name, "Authentication-Results") == 0 ? 'A' :
		       strcasecmp(name, "Received") == 0 ? 'R' : 0;
		if (!kind)
			continue;
		grown = realloc(m->trace, (m->n_trace + 1) * sizeof *grown);
		if (!grown)
			return -1;
		m->trace = grown;
		grown[m->n_trace].kind = kind;
		if (!(grown[m->n_trace].value = raw_value_dup(f->fld_data.fld_optional_field->fld_value)))
			return -1;
		m->n_trace++;
	}
	return 0;
}

/* The first parsed field of type in the envelope list. */
static struct mailimf_field *env_get(const struct mailimf_fields *env, int type)
{
	clistiter *c;

	for (c = clist_begin(env->fld_list); c; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);

		if (f->fld_type == type)
			return f;
	}
	return NULL;
}

/* What the header functions read: both field lists and the charset hint. */
struct hdrs {
	const struct mailimf_fields *env;	/* parsed (From, To, Date...) */
	const struct mailimf_fields *raw;	/* every field unparsed */
	char hint[64];				/* top-level Content-Type charset */
};

/* Fills a from a mailbox; -1 on OOM.  An empty name or address is NULL. */
static int address_set(struct mail_address *a, const char *name,
		       const char *addr, const char *hint)
{
	a->name = NULL;
	a->addr = NULL;
	if (name && !(a->name = decode_words(name, hint)))
		return -1;
	if (a->name && (a->name[0] == '\0' || strcmp(a->name, "\"\"") == 0)) {
		free(a->name);
		a->name = NULL;
	}
	if (addr && !(a->addr = header_clean(addr)))
		return -1;
	if (a->addr && a->addr[0] == '\0') {
		free(a->addr);
		a->addr = NULL;
	}
	return 0;
}

static int address_push(struct mail_address **list, size_t *n,
			const struct mailimf_mailbox *mb, const char *hint)
{
	struct mail_address *p;

	p = realloc(*list, (*n + 1) * sizeof *p);
	if (!p)
		return -1;
	*list = p;
	if (address_set(&p[*n], mb->mb_display_name, mb->mb_addr_spec, hint) < 0) {
		free(p[*n].name);
		free(p[*n].addr);
		return -1;
	}
	(*n)++;
	return 0;
}

/* Every mailbox of the To or Cc fields (all of them, groups flattened). */
static int addresses_fill(struct mail_address **list, size_t *n,
			  const struct hdrs *h, int type)
{
	clistiter *c, *a, *g;

	for (c = clist_begin(h->env->fld_list); c; c = clist_next(c)) {
		struct mailimf_field *f = clist_content(c);
		struct mailimf_address_list *al;

		if (f->fld_type != type)
			continue;
		al = type == MAILIMF_FIELD_TO ? f->fld_data.fld_to->to_addr_list
					      : f->fld_data.fld_cc->cc_addr_list;
		for (a = al ? clist_begin(al->ad_list) : NULL; a; a = clist_next(a)) {
			struct mailimf_address *ad = clist_content(a);
			struct mailimf_mailbox_list *mbl;

			if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX) {
				if (address_push(list, n, ad->ad_data.ad_mailbox, h->hint) < 0)
					return -1;
				continue;
			}
			mbl = ad->ad_data.ad_group->grp_mb_list;
			for (g = mbl ? clist_begin(mbl->mb_list) : NULL; g; g = clist_next(g))
				if (address_push(list, n, clist_content(g), h->hint) < 0)
					return -1;
		}
	}
	return 0;
}

/* A From libetpan could not parse (it keeps such a field as unstructured). */
static int from_fallback(struct mail_address *a, const char *v, const char *hint)
{
	char *name, *addr;
	int r;

	if (header_from_split(v, &name, &addr) < 0)
		return -1;
	r = address_set(a, name, addr, hint);
	free(name);
	free(addr);
	return r;
}

/* In-Reply-To / References: libetpan's list, else the <...> of the raw value. */
static int msgids_fill(char ***out, size_t *n, const clist *parsed,
		       const char *raw)
{
	size_t i, k, cnt = parsed ? (size_t)clist_count(parsed) : header_msgids_scan(raw, NULL, 0);
	clistiter *c;
	char **ids;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if (!(ids = calloc(cnt, sizeof *ids)))
		return -1;
	if (parsed) {
		for (i = 0, c = clist_begin(parsed); c; c = clist_next(c), i++)
			ids[i] = header_msgid(clist_content(c));
	} else {
		header_msgids_scan(raw, ids, cnt);
		for (i = 0; i < cnt; i++) {
			char *s = ids[i] ? header_msgid(ids[i]) : NULL;

			free(ids[i]);
			ids[i] = s;
		}
	}
	/* An id of nothing but brackets, spaces and control characters
	 * cleans to "": no id (found by fuzzing), not one that every other
	 * such mail would match as a duplicate or a thread. */
	for (i = k = 0; i < cnt; i++)
		if (ids[i] && !ids[i][0])
			free(ids[i]);
		else
			ids[k++] = ids[i];
	*out = ids;
	*n = k;
	for (i = 0; i < k; i++)
		if (!ids[i])
			return -1;
	return 0;
}

/* RFC 5322 date-time → seconds since the epoch, UTC; 0 if impossible. */
static time_t date_to_time(const struct mailimf_date_time *d)
{
	struct tm tm = { 0 };
	int year = d->dt_year, zone = d->dt_zone, off;
	time_t t;

	if (year < 50)
		year += 2000;		/* obs-year, RFC 5322 section 4.3 */
	else if (year < 1000)
		year += 1900;
	if (d->dt_month < 1 || d->dt_month > 12 || d->dt_day < 1 ||
	    d->dt_day > 31 || d->dt_hour < 0 || d->dt_hour > 23 ||
	    d->dt_min < 0 || d->dt_min > 59 || d->dt_sec < 0 || d->dt_sec > 60 ||
	    year > 9999)
		return 0;
	tm.tm_year = year - 1900;
	tm.tm_mon = d->dt_month - 1;
	tm.tm_mday = d->dt_day;
	tm.tm_hour = d->dt_hour;
	tm.tm_min = d->dt_min;
	tm.tm_sec = d->dt_sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	/* libetpan 1.9.4 reports the obsolete zone "UT" as 1 (its TRUE) */
	if (zone == 1 || zone > 1400 || zone < -1400 || abs(zone) % 100 >= 60)
		zone = 0;
	off = (abs(zone) / 100 * 60 + abs(zone) % 100) * 60;
	return zone >= 0 ? t - off : t + off;
}

static time_t date_parse_raw(const char *v)
{
	struct mailimf_date_time *d = NULL;
	size_t i = 0;
	time_t t = 0;

	if (v && mailimf_date_time_parse(v, strlen(v), &i, &d) == MAILIMF_NO_ERROR) {
		t = date_to_time(d);
		mailimf_date_time_free(d);
	}
	return t;
}

static int from_fill(struct mail *m, const struct hdrs *h)
{
	struct mailimf_field *f = env_get(h->env, MAILIMF_FIELD_FROM);
	struct mailimf_mailbox_list *mbl = f ? f->fld_data.fld_from->frm_mb_list : NULL;
	const char *v;

	if (mbl && clist_begin(mbl->mb_list)) {
		struct mailimf_mailbox *mb = clist_content(clist_begin(mbl->mb_list));

		return address_set(&m->from, mb->mb_display_name, mb->mb_addr_spec, h->hint);
	}
	v = raw_get(h->raw, "From");
	return v ? from_fallback(&m->from, v, h->hint) : 0;
}

/* The first msg-id of In-Reply-To (libetpan's list or the raw value). */
static int msgid_first(char **out, const clist *parsed, const char *raw)
{
	char **ids;
	size_t n;
	int r;

	r = msgids_fill(&ids, &n, parsed, raw);
	*out = n > 0 ? ids[0] : NULL;
	while (n > 1)
		free(ids[--n]);
	free(ids);
	return r;
}

static int msgid_fill(struct mail *m, const struct hdrs *h)
{
	struct mailimf_field *f = env_get(h->env, MAILIMF_FIELD_MESSAGE_ID);
	const char *v = raw_get(h->raw, "Message-ID");

	if (f) {
		if (!(m->message_id = header_msgid(f->fld_data.fld_message_id->mid_value)))
			return -1;
	} else if (!v) {
		return 0;
	} else {
		if (msgid_first(&m->message_id, NULL, v) < 0)
			return -1;
		/* no <...> at all: keep the value as the id rather than lose it */
		if (!m->message_id && !header_msgids_scan(v, NULL, 0) &&
		    !(m->message_id = header_msgid(v)))
			return -1;
	}
	/* "" is no id: see msgids_fill (libetpan's msg-id, too, can clean to "") */
	if (m->message_id && !m->message_id[0]) {
		free(m->message_id);
		m->message_id = NULL;
	}
	return 0;
}

/* Everything struct mail takes from the header.  -1 only on OOM. */
static int headers_fill(struct mail *m, const struct hdrs *h)
{
	const struct mailimf_fields *env = h->env, *raw = h->raw;
	struct mailimf_field *f;
	const char *v;

	if (from_fill(m, h) < 0 ||
	    addresses_fill(&m->to, &m->n_to, h, MAILIMF_FIELD_TO) < 0 ||
	    addresses_fill(&m->cc, &m->n_cc, h, MAILIMF_FIELD_CC) < 0 ||
	    msgid_fill(m, h) < 0)
		return -1;
	if ((v = raw_get(raw, "Subject")) && !(m->subject = decode_words(v, h->hint)))
		return -1;
	if ((v = raw_get(raw, "Date")) && !(m->date_raw = raw_value_dup(v)))
		return -1;
	f = env_get(env, MAILIMF_FIELD_ORIG_DATE);
	m->date = f ? date_to_time(f->fld_data.fld_orig_date->dt_date_time)
		    : date_parse_raw(m->date_raw);

	f = env_get(env, MAILIMF_FIELD_IN_REPLY_TO);
	if (msgid_first(&m->in_reply_to, f ? f->fld_data.fld_in_reply_to->mid_list : NULL,
			f ? NULL : raw_get(raw, "In-Reply-To")) < 0)
		return -1;
	f = env_get(env, MAILIMF_FIELD_REFERENCES);
	if (msgids_fill(&m->references, &m->n_references,
			f ? f->fld_data.fld_references->mid_list : NULL,
			f ? NULL : raw_get(raw, "References")) < 0)
		return -1;

	if (((v = raw_get(raw, "Auto-Submitted")) && !(m->auto_submitted = raw_value_dup(v))) ||
	    ((v = raw_get(raw, "Precedence")) && !(m->precedence = raw_value_dup(v))) ||
	    /* ezmlm and older list servers say Mailing-List instead of List-Id */
	    (((v = raw_get(raw, "List-Id")) || (v = raw_get(raw, "Mailing-List"))) &&
	     !(m->list_id = raw_value_dup(v))) ||
	    ((v = raw_get(raw, "List-Unsubscribe")) && !(m->list_unsubscribe = raw_value_dup(v))) ||
	    ((v = raw_get(raw, "Return-Path")) && !(m->return_path = raw_value_dup(v))))
		return -1;
	/* Vacation responders that do not write Auto-Submitted (RFC 3834)
	 * mark their mail with one of these instead. */
	if (!(v = raw_get(raw, "X-Autoreply")) && !(v = raw_get(raw, "X-Autorespond")))
		v = raw_get(raw, "X-AutoReply-From");
	if (v && !(m->x_autoreply = raw_value_dup(v)))
		return -1;
	return trace_fill(m, raw);
}

/* ---- the MIME tree ----------------------------------------------------- */

/* What one message (the mail, or a forwarded one inside it) collects. */
struct walk {
	struct mail *m;
	struct buf body;		/* the chosen text part */
	struct buf fwd;			/* forwarded messages, after the body */
	const struct mailmime *body_part;
	size_t att_cap;
	const char *hint;		/* the message's charset, for raw 8-bit names */
	int depth;			/* how deep in forwarded messages */
	int lossy;
	int oom;
	int found;			/* a body, attachment or forward was seen */
};

static int message_parse(const char *raw, size_t len, int depth,
			 struct mail *out, struct error *err);

/* A missing Content-Type means text/plain (RFC 2045 section 5.2). */
static int type_is(const struct mailmime_content *ct, int discrete,
		   const char *subtype)
{
	if (!ct)
		return discrete == MAILMIME_DISCRETE_TYPE_TEXT &&
		       strcmp(subtype, "plain") == 0;
	return ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE &&
	       ct->ct_type->tp_data.tp_discrete_type->dt_type == discrete &&
	       ct->ct_subtype && strcasecmp(ct->ct_subtype, subtype) == 0;
}

static int composite_is(const struct mailmime_content *ct, int composite)
{
	return ct && ct->ct_type->tp_type == MAILMIME_TYPE_COMPOSITE_TYPE &&
	       ct->ct_type->tp_data.tp_composite_type->ct_type == composite;
}

/*
 * The length of the RFC 2045 token at s.  libetpan's token admits control
 * characters: "text/pl\r\n" and an ESC reached attachment records (found
 * by fuzzing), and from there the database, templates and a terminal.
 */
static size_t token_len(const char *s)
{
	size_t n = 0;

	while ((unsigned char)s[n] > ' ' && (unsigned char)s[n] < 0x7f)
		n++;
	return n;
}

/* "type/subtype", lower case, as struct mail_attachment wants it. */
static char *content_type_str(const struct mailmime_content *ct)
{
	static const char *const discrete[] = { "application", "text", "image",
		"audio", "video", "application" };
	const char *type = "text", *sub = "plain";
	struct buf b = { 0 };
	size_t i;
	char *s;

	if (ct && ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		struct mailmime_discrete_type *d = ct->ct_type->tp_data.tp_discrete_type;

		type = d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION ? d->dt_extension
		     : d->dt_type >= 0 && d->dt_type <= MAILMIME_DISCRETE_TYPE_APPLICATION
		     ? discrete[d->dt_type] : "application";
	} else if (ct) {
		struct mailmime_composite_type *c = ct->ct_type->tp_data.tp_composite_type;

		type = c->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE ? "message"
		     : c->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART ? "multipart"
		     : c->ct_token;
	}
	if (ct)
		sub = ct->ct_subtype;
	if (!type || !token_len(type))
		type = "application";
	if (!sub || !token_len(sub))
		sub = "octet-stream";
	buf_add(&b, type, token_len(type));
	buf_addc(&b, '/');
	buf_add(&b, sub, token_len(sub));
	if (!(s = buf_take(&b)))
		return NULL;
	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] | 0x20);
	return s;
}

static const char *ct_param(const struct mailmime_content *ct, const char *name)
{
	clistiter *c;

	for (c = ct && ct->ct_parameters ? clist_begin(ct->ct_parameters) : NULL;
	     c; c = clist_next(c)) {
		struct mailmime_parameter *p = clist_content(c);

		if (p->pa_name && strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

static const struct mailmime_disposition *part_disposition(const struct mailmime *p)
{
	clistiter *c;

	for (c = p->mm_mime_fields ? clist_begin(p->mm_mime_fields->fld_list) : NULL;
	     c; c = clist_next(c)) {
		struct mailmime_field *f = clist_content(c);

		if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
			return f->fld_data.fld_disposition;
	}
	return NULL;
}

/* The parameters of a part that can name a file, from both headers. */
struct named_params {
	const char *dsp_filename;		/* filename= as libetpan parsed it */
	const char *ct_name;			/* name= of Content-Type */
	struct rfc2231_param p[64];		/* the rest, for RFC 2231 */
	size_t n;
};

static void param_add(struct named_params *np, const struct mailmime_parameter *mp)
{
	np->p[np->n].name = mp->pa_name;
	np->p[np->n].value = mp->pa_value;
	np->n++;
}

static void params_collect(const struct mailmime *p, struct named_params *np)
{
	const struct mailmime_disposition *d = part_disposition(p);
	clistiter *c;

	memset(np, 0, sizeof *np);
	np->ct_name = ct_param(p->mm_content_type, "name");
	for (c = d && d->dsp_parms ? clist_begin(d->dsp_parms) : NULL; c; c = clist_next(c)) {
		struct mailmime_disposition_parm *dp = clist_content(c);

		if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME && !np->dsp_filename)
			np->dsp_filename = dp->pa_data.pa_filename;
		else if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
			 np->n < sizeof np->p / sizeof *np->p)
			param_add(np, dp->pa_data.pa_parameter);
	}
	for (c = p->mm_content_type && p->mm_content_type->ct_parameters
		 ? clist_begin(p->mm_content_type->ct_parameters) : NULL;
	     c; c = clist_next(c))
		if (np->n < sizeof np->p / sizeof *np->p)
			param_add(np, clist_content(c));
}

/* Does the part name a file?  Cheap: nothing is decoded. */
static int part_named(const struct mailmime *p)
{
	struct named_params np;
	size_t i;

	params_collect(p, &np);
	if (np.dsp_filename || np.ct_name)
		return 1;
	for (i = 0; i < np.n; i++)
		if (rfc2231_is(np.p[i].name, "filename") || rfc2231_is(np.p[i].name, "name"))
			return 1;
	return 0;
}

/*
 * The name= of a part's Content-Type as written (malloc'd), or NULL.
 * libetpan decodes a whole Content-Type value as an RFC 2047 phrase before
 * it parses it (mailmime_field_parse), each word alone in charconv's
 * strict tables and raw 8-bit bytes as "?": what decode_words is there to
 * avoid.  So the part's own header, from its start to its body, is read
 * again.  *oom set when memory ran out.
 */
static char *ct_name_raw(const struct mailmime *p, int *oom)
{
	const struct mailmime_data *b = p->mm_body;
	struct mailimf_fields *fields = NULL;
	struct mailmime_content *ct = NULL;
	const char *v, *name, *body;
	size_t i = 0;
	char *s = NULL;

	if (!b || b->dt_type != MAILMIME_DATA_TEXT || !p->mm_mime_start)
		return NULL;
	body = b->dt_data.dt_text.dt_data;
	if (body < p->mm_mime_start || body > p->mm_mime_start + p->mm_length)
		return NULL;
	if (mailimf_optional_fields_parse(p->mm_mime_start, (size_t)(body - p->mm_mime_start),
					  &i, &fields) != MAILIMF_NO_ERROR) {
		*oom = 1;
		return NULL;
	}
	i = 0;
	if ((v = raw_get(fields, "Content-Type")) &&
	    mailmime_content_parse(v, strlen(v), &i, &ct) == MAILIMF_NO_ERROR) {
		if ((name = ct_param(ct, "name")) && !(s = strdup(name)))
			*oom = 1;
		mailmime_content_free(ct);
	}
	mailimf_fields_free(fields);
	return s;
}

/* The file name of a part, decoded; NULL when it has none. */
static char *part_filename(const struct mailmime *p, const char *hint, int *oom)
{
	const char *cs = ct_param(p->mm_content_type, "charset");
	struct named_params np;
	char *s, *raw;

	params_collect(p, &np);
	if ((s = rfc2231_value(np.p, np.n, "filename", oom)) || *oom)
		return s;
	if (np.dsp_filename)
		return (s = decode_words(np.dsp_filename, cs ? cs : hint)) ? s : (*oom = 1, NULL);
	if ((s = rfc2231_value(np.p, np.n, "name", oom)) || *oom)
		return s;
	if (!np.ct_name || (!(raw = ct_name_raw(p, oom)) && *oom))
		return NULL;
	s = decode_words(raw ? raw : np.ct_name, cs ? cs : hint);
	free(raw);
	return s ? s : (*oom = 1, NULL);
}

static int disposition_attachment(const struct mailmime *p)
{
	const struct mailmime_disposition *d = part_disposition(p);

	return d && d->dsp_type &&
	       d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
}

static int part_is_attachment(const struct mailmime *p)
{
	return disposition_attachment(p) || part_named(p);
}

/*
 * The decoded bytes of a leaf.  7bit/8bit/binary are used in place (no
 * copy of a big part); otherwise *freeme is libetpan's decoded copy, for
 * mailmime_decoded_part_free.  -1 on OOM.
 */
static int part_decode(const struct mailmime *p, const char **data,
		       size_t *len, char **freeme)
{
	const struct mailmime_data *b = p->mm_body;
	size_t idx = 0;

	*freeme = NULL;
	*data = "";
	*len = 0;
	if (!b || b->dt_type != MAILMIME_DATA_TEXT || !b->dt_data.dt_text.dt_data)
		return 0;
	if (!b->dt_encoded || (b->dt_encoding != MAILMIME_MECHANISM_BASE64 &&
			       b->dt_encoding != MAILMIME_MECHANISM_QUOTED_PRINTABLE)) {
		*data = b->dt_data.dt_text.dt_data;
		*len = b->dt_data.dt_text.dt_length;
		return 0;
	}
	if (mailmime_part_parse(b->dt_data.dt_text.dt_data, b->dt_data.dt_text.dt_length,
				&idx, b->dt_encoding, freeme, len) != MAILIMF_NO_ERROR)
		return -1;
	*data = *freeme;
	return 0;
}

static void attachment_push(struct walk *w, const struct mail_attachment *a)
{
	struct mail *m = w->m;
	struct mail_attachment *p;
	size_t cap;

	if (m->n_attachments == w->att_cap) {
		cap = w->att_cap ? 2 * w->att_cap : 4;
		if (!(p = realloc(m->attachments, cap * sizeof *p))) {
			free(a->filename);
			free(a->content_type);
			w->oom = 1;
			return;
		}
		m->attachments = p;
		w->att_cap = cap;
	}
	m->attachments[m->n_attachments++] = *a;
	w->found = 1;
}

/* Records a part as an attachment; data is its decoded content. */
static void attachment_add(struct walk *w, const struct mailmime *p,
			   const char *data, size_t len)
{
	struct mail_attachment a = { 0 };

	a.filename = part_filename(p, w->hint, &w->oom);
	a.content_type = content_type_str(p->mm_content_type);
	if (!a.content_type)
		w->oom = 1;
	if (w->oom) {
		free(a.filename);
		free(a.content_type);
		return;
	}
	a.size = len;
	digest_sha256_hex(data, len, a.sha256);
	attachment_push(w, &a);
}

/*
 * The first text/<subtype> leaf that is not an attachment, outside
 * forwarded messages.  named: a leaf with a file name will do as long as
 * it is not marked "attachment".
 */
static const struct mailmime *find_text(const struct mailmime *p,
					const char *subtype, int named)
{
	const struct mailmime *r;
	clistiter *c;

	if (p->mm_type == MAILMIME_SINGLE)
		return type_is(p->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, subtype) &&
		       !(named ? disposition_attachment(p) : part_is_attachment(p)) ? p : NULL;
	if (p->mm_type != MAILMIME_MULTIPLE)
		return NULL;
	for (c = clist_begin(p->mm_data.mm_multipart.mm_mp_list); c; c = clist_next(c))
		if ((r = find_text(clist_content(c), subtype, named)))
			return r;
	return NULL;
}

/* Decodes the body part into w->body: transfer encoding, charset, HTML. */
static void body_add(struct walk *w, const struct mailmime *p)
{
	const char *data, *cs = ct_param(p->mm_content_type, "charset");
	int html = type_is(p->mm_content_type, MAILMIME_DISCRETE_TYPE_TEXT, "html");
	char *freeme, *u, *t, tmp[CHARSET_NAME_MAX], meta[CHARSET_NAME_MAX];
	size_t len, n;

	w->found = 1;
	if (part_decode(p, &data, &len, &freeme) < 0) {
		w->oom = 1;
		return;
	}
	/* HTML whose MIME header names no charset often names it in a
	 * <meta>: better than detection, which reads EUC-KR as EUC-JP */
	if (html && !charset_iconv_name(cs, tmp) &&
	    html_meta_charset(data, len, meta, sizeof meta) == 0)
		cs = meta;
	u = charset_to_utf8(cs, data, len, &n, &w->lossy);
	mailmime_decoded_part_free(freeme);
	if (u && html) {
		t = html_to_text(u, n, &len);
		free(u);
		u = t;
		n = len;
	}
	if (u)
		text_append(&w->body, u, n, &w->lossy);
	else
		w->oom = 1;
	free(u);
}

/* Starts a new line in b unless it is empty or already at one. */
static void line_break(struct buf *b)
{
	if (b->len && b->p[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

/* Appends the forwarded message's header lines and text to w->fwd. */
static void forward_text(struct walk *w, const struct mail *in)
{
	struct buf *f = &w->fwd;

	line_break(f);
	buf_adds(f, "---- forwarded message ----\n");
	if (in->from.name || in->from.addr) {
		buf_adds(f, "From: ");
		buf_adds(f, in->from.name ? in->from.name : "");
		buf_adds(f, in->from.name && in->from.addr ? " <" : in->from.addr ? "<" : "");
		buf_adds(f, in->from.addr ? in->from.addr : "");
		buf_adds(f, in->from.addr ? ">\n" : "\n");
	}
	if (in->date_raw) {
		buf_adds(f, "Date: ");
		buf_adds(f, in->date_raw);
		buf_addc(f, '\n');
	}
	if (in->subject) {
		buf_adds(f, "Subject: ");
		buf_adds(f, in->subject);
		buf_addc(f, '\n');
	}
	buf_addc(f, '\n');
	buf_adds(f, in->body);
}

/*
 * A message/rfc822 part: its text joins the body after a separator line,
 * its attachments join ours.  Too deep, or not a mail at all: it stays an
 * attachment.
 */
static void forward_add(struct walk *w, const struct mailmime *p,
			const char *data, size_t len)
{
	struct mail in = { 0 };
	struct error e = { 0 };
	size_t i;

	if (w->depth >= FORWARD_DEPTH_MAX ||
	    message_parse(data, len, w->depth + 1, &in, &e) < 0) {
		if (e.cls == ERR_TEMP)
			w->oom = 1;
		else
			attachment_add(w, p, data, len);
		return;
	}
	w->found = 1;
	forward_text(w, &in);
	w->lossy |= in.body_lossy;
	for (i = 0; i < in.n_attachments && !w->oom; i++) {
		in.attachments[i].forwarded = true;
		attachment_push(w, &in.attachments[i]);
		memset(&in.attachments[i], 0, sizeof in.attachments[i]);
	}
	mail_release(&in);
}

/* Every leaf but the body: attachments and forwarded messages, in order. */
static void collect(struct walk *w, const struct mailmime *p)
{
	const struct mailmime_content *ct = p->mm_content_type;
	const char *data;
	char *freeme;
	clistiter *c;
	size_t len;

	if (p->mm_type == MAILMIME_MULTIPLE) {
		for (c = clist_begin(p->mm_data.mm_multipart.mm_mp_list); c && !w->oom;
		     c = clist_next(c))
			collect(w, clist_content(c));
		return;
	}
	if ((p == w->body_part && !part_is_attachment(p)) ||
	    composite_is(ct, MAILMIME_COMPOSITE_TYPE_MULTIPART))
		return;		/* a multipart without boundary has no parts */
	if (p->mm_type == MAILMIME_SINGLE && !part_is_attachment(p) &&
	    (type_is(ct, MAILMIME_DISCRETE_TYPE_TEXT, "plain") ||
	     type_is(ct, MAILMIME_DISCRETE_TYPE_TEXT, "html")))
		return;		/* another rendering of the text, not a file */
	if (part_decode(p, &data, &len, &freeme) < 0) {
		w->oom = 1;
		return;
	}
	/* MAILMIME_MESSAGE, or message/rfc822 libetpan left whole because
	 * it was base64 or quoted-printable encoded */
	if (p->mm_type == MAILMIME_MESSAGE ||
	    (composite_is(ct, MAILMIME_COMPOSITE_TYPE_MESSAGE) &&
	     ct->ct_subtype && strcasecmp(ct->ct_subtype, "rfc822") == 0))
		forward_add(w, p, data, len);
	else
		attachment_add(w, p, data, len);
	mailmime_decoded_part_free(freeme);
}

/*
 * The body of one message: its text part first, then the rest.  With no
 * plain or HTML text, an inline text file (some clients name the body
 * part) is the text, and stays an attachment too.
 */
static void walk_tree(struct walk *w, const struct mailmime *root)
{
	if (!(w->body_part = find_text(root, "plain", 0)) &&
	    !(w->body_part = find_text(root, "html", 0)))
		w->body_part = find_text(root, "plain", 1);
	if (w->body_part)
		body_add(w, w->body_part);
	collect(w, root);
}

/*
 * The guard of NEST_MAX: counts Content-Type headers that can nest
 * (multipart/..., message/...), wherever they are, folded or not.
 */
static int nesting_ok(const char *s, size_t n)
{
	size_t i = 0, k, count = 0;
	const char *v, *end = s + n;

	while (i < n) {
		k = line_len(s + i, n - i);
		if (k > 13 && strncasecmp(s + i, "content-type:", 13) == 0) {
			for (v = s + i + 13; v < end && strchr(" \t\r\n", *v) && *v; v++)
				;
			if ((end - v >= 9 && strncasecmp(v, "multipart", 9) == 0) ||
			    (end - v >= 7 && strncasecmp(v, "message", 7) == 0))
				if (++count > NEST_MAX)
					return 0;
		}
		i += k;
	}
	return 1;
}

/* Headers + raw text, for a structure libetpan refuses or we do not try. */
static void raw_body(struct walk *w, const char *s, size_t n)
{
	size_t len;
	char *u = charset_to_utf8(NULL, s, n, &len, &w->lossy);

	if (u)
		text_append(&w->body, u, len, &w->lossy);
	else
		w->oom = 1;
	free(u);
}

/* The charset of the top-level Content-Type, as a hint for raw 8-bit headers. */
static void charset_hint(const struct mailimf_fields *raw, char hint[64])
{
	const char *v = raw_get(raw, "Content-Type"), *cs;
	struct mailmime_content *ct = NULL;
	size_t i = 0;

	hint[0] = '\0';
	if (v && mailmime_content_parse(v, strlen(v), &i, &ct) == MAILIMF_NO_ERROR) {
		if ((cs = ct_param(ct, "charset")))
			snprintf(hint, 64, "%s", cs);
		mailmime_content_free(ct);
	}
}

/* A multipart at the top that libetpan left without parts. */
static int multipart_lost(const struct mailmime *mime)
{
	const struct mailmime *top = mime->mm_type == MAILMIME_MESSAGE
				     ? mime->mm_data.mm_message.mm_msg_mime : NULL;

	return top && top->mm_type == MAILMIME_MULTIPLE &&
	       clist_count(top->mm_data.mm_multipart.mm_mp_list) == 0;
}

/*
 * libetpan's MIME tree of buf, or NULL.  libetpan refuses a whole
 * multipart for one empty part, and so for a mail that ends in a
 * delimiter line and blank lines, with no close delimiter (au's Decomail
 * does that): the multipart came back without parts, and the raw MIME
 * became the text.  The end of the text closes a multipart for libetpan,
 * so the mail is read again without its trailing white space.
 */
static struct mailmime *tree_parse(const char *buf, size_t n)
{
	struct mailmime *mime = NULL, *again = NULL;
	size_t i = 0, end = n;

	if (!nesting_ok(buf, n) || mailmime_parse(buf, n, &i, &mime) != MAILIMF_NO_ERROR)
		return NULL;
	while (end > 0 && is_fws(buf[end - 1]))
		end--;
	i = 0;
	if (end < n && multipart_lost(mime) &&
	    mailmime_parse(buf, end, &i, &again) == MAILIMF_NO_ERROR) {
		if (multipart_lost(again)) {
			mailmime_free(again);
		} else {
			mailmime_free(mime);
			mime = again;
		}
	}
	return mime;
}

/* The MIME part of message_parse: fills out->body and out->attachments. */
static int body_fill(struct walk *w, const char *buf, size_t n, size_t body_at)
{
	struct mailmime *mime = tree_parse(buf, n);

	if (mime) {
		if (mime->mm_type == MAILMIME_MESSAGE && mime->mm_data.mm_message.mm_msg_mime)
			walk_tree(w, mime->mm_data.mm_message.mm_msg_mime);
		mailmime_free(mime);
	}
	if (!w->found && !w->oom)
		raw_body(w, buf + body_at, n - body_at);
	line_break(&w->body);
	if (w->fwd.len)
		buf_add(&w->body, w->fwd.p, w->fwd.len);
	w->m->body_lossy = w->lossy;
	w->oom |= w->body.oom | w->fwd.oom;
	if (w->oom)
		return -1;
	w->m->body = buf_take(&w->body);
	return w->m->body ? 0 : -1;
}

/* ---- entry points ------------------------------------------------------ */

static int message_parse(const char *raw, size_t len, int depth,
			 struct mail *out, struct error *err)
{
	struct mailimf_fields *env = NULL, *fields = NULL;
	struct walk w = { .m = out, .depth = depth };
	struct hdrs h = { 0 };
	size_t n, i = 0, body_at;
	int r = -1;
	char *buf;

	if (!(buf = prepare_input(raw, len, &n)))
		return error_set(err, ERR_TEMP, "mime: out of memory copying a %zu-byte mail", len);
	if (mailimf_optional_fields_parse(buf, n, &i, &fields) != MAILIMF_NO_ERROR) {
		error_set(err, ERR_TEMP, "mime: out of memory parsing the header");
		goto out;
	}
	if (clist_count(fields->fld_list) == 0) {
		error_set(err, ERR_MESSAGE, "mime: %zu bytes that do not start with a "
			  "header field: not a mail", len);
		goto out;
	}
	body_at = i;
	mailimf_crlf_parse(buf, n, &body_at);
	i = 0;
	if (mailimf_envelope_and_optional_fields_parse(buf, n, &i, &env) != MAILIMF_NO_ERROR) {
		error_set(err, ERR_TEMP, "mime: out of memory parsing the header");
		goto out;
	}
	h.env = env;
	h.raw = fields;
	charset_hint(fields, h.hint);
	w.hint = h.hint;
	if (headers_fill(out, &h) < 0 || body_fill(&w, buf, n, body_at) < 0) {
		error_set(err, ERR_TEMP, "mime: out of memory for a %zu-byte mail", len);
		goto out;
	}
	r = 0;
out:
	if (r < 0)
		mail_release(out);
	buf_release(&w.body);
	buf_release(&w.fwd);
	if (env)
		mailimf_fields_free(env);
	if (fields)
		mailimf_fields_free(fields);
	free(buf);
	return r;
}

int mime_parse(const char *raw, size_t len, struct mail *out, struct error *err)
{
	if (!raw)
		len = 0;
	return message_parse(raw ? raw : "", len, 0, out, err);
}
