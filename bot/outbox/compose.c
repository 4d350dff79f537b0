/*
 * compose.c — turns a struct outmsg into the bytes handed to smtp_send():
 * a minimal set of standard headers (RFC 5322), UTF-8 made 7-bit with
 * RFC 2047 encoded words, a base64 text/plain body (or, with an HTML
 * version, multipart/alternative of text and HTML), CRLF everywhere.
 * With charset "iso-2022-jp", for old Japanese mail clients, the body and
 * the encoded words are ISO-2022-JP instead (RFC 1468), when every
 * character fits; see the ISO-2022-JP section below.
 *
 * Pure: no I/O, no clock, no randomness; `date` and the offset come in.
 *
 * Safety rule: whatever the fields contain, the output has exactly the
 * headers written here.  Every header value goes through clean_text() or
 * clean_addr() first, which remove CR, LF and NUL (and, in addresses, the
 * characters that would start a second address or a comment), and every line
 * is folded so that no line exceeds 78 characters (except an address or a
 * message id longer than that, which cannot be folded).
 */
#include "outbox/compose.h"

#include "lib/buf.h"
#include "outbox/jis.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_LEN	78	/* RFC 5322 2.1.1: SHOULD be no more than 78 */
#define WORD_MAX_LEN	75	/* RFC 2047 2: an encoded word is at most 75 */
#define WORD_OVERHEAD	12	/* "=?UTF-8?B?" + "?=" */
#define B64_LINE_LEN	76	/* RFC 2045 6.8 */

/*
 * The finished string, still owned by b (never NULL on success), and its
 * length; NULL after an allocation failure, with b released.
 */
static char *buf_finish(struct buf *b, size_t *len)
{
	if (!b->oom && !b->p)
		b->p = calloc(1, 1);
	if (b->oom || !b->p) {
		buf_release(b);
		return NULL;
	}
	if (len)
		*len = b->len;
	return b->p;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of n bytes, no line breaks. */
static void b64_add(struct buf *b, const unsigned char *s, size_t n)
{
	char out[256];		/* filled, then added at once: a call per group was 8 % of a backlog */
	size_t k = 0;

	for (; n >= 3; s += 3, n -= 3) {
		out[k++] = b64_alphabet[s[0] >> 2];
		out[k++] = b64_alphabet[(s[0] & 3) << 4 | s[1] >> 4];
		out[k++] = b64_alphabet[(s[1] & 15) << 2 | s[2] >> 6];
		out[k++] = b64_alphabet[s[2] & 63];
		if (k == sizeof out) {
			buf_add(b, out, k);
			k = 0;
		}
	}
	if (n) {
		out[k++] = b64_alphabet[s[0] >> 2];
		out[k++] = b64_alphabet[(s[0] & 3) << 4 | (n > 1 ? s[1] >> 4 : 0)];
		out[k++] = n > 1 ? b64_alphabet[(s[1] & 15) << 2] : '=';
		out[k++] = '=';
	}
	buf_add(b, out, k);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * A header value made safe: CR and LF become a space (so "a\r\nBcc: x" stays
 * one line and "two\nlines" stays readable), invalid UTF-8 becomes U+FFFD,
 * runs of whitespace at either end are dropped (a folded line must not be
 * all whitespace).  NUL cannot occur in a C string.  Returns malloc'd text.
 */
static char *clean_text(const char *in)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	struct buf b = { 0 };
	size_t n;

	while (*s) {
		if (*s == '\r' || *s == '\n') {
			buf_add(&b, " ", 1);
			s++;
		} else if ((n = jis_utf8_len(s)) > 0) {
			buf_add(&b, (const char *)s, n);
			s += n;
		} else {
			buf_add(&b, "\xef\xbf\xbd", 3);
			s++;
		}
	}
	if (!buf_finish(&b, NULL))
		return NULL;
	while (b.len > 0 && is_wsp(b.p[b.len - 1]))
		b.p[--b.len] = '\0';
	n = strspn(b.p, " \t");
	memmove(b.p, b.p + n, b.len - n + 1);
	return b.p;
}

/*
 * An address or message id made safe: drops controls, whitespace and
 * everything that would end the addr-spec or start something else — '<' '>'
 * (angle brackets are ours), ',' and ';' (a second address, group end),
 * ':' (group syntax), '(' ')' (comments).  What remains is written as is; a
 * syntactically broken address is the caller's problem, but never a header.
 */
static char *clean_addr(const char *in)
{
	const char *s = in ? in : "";
	struct buf b = { 0 };

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || strchr("<>,;:()", c))
			continue;
		buf_add(&b, s, 1);
	}
	return buf_finish(&b, NULL);
}

/* True when text can go into a header as it is: printable ASCII, no "=?". */
static bool is_plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static bool needs_encoding(const char *s)
{
	/* A literal "=?" could be taken for an encoded word by a reader. */
	return !is_plain(s) || strstr(s, "=?") != NULL;
}

/*
 * ---- ISO-2022-JP (RFC 1468), for old Japanese mail clients ----
 *
 * jis.c turns the texts into an "EUC form" (one or two bytes a character,
 * so a word is cut between characters like the UTF-8 ones) and writes
 * stretches of it as ISO-2022-JP that start and end in ASCII: every
 * encoded word and every body line decodes on its own.  When a character
 * has no place in ISO-2022-JP the whole message goes in UTF-8 instead.
 */

static void add_jis_word(struct buf *b, const char *s, size_t n)
{
	struct buf raw = { 0 };

	jis_put(&raw, s, n);
	if (raw.oom) {
		b->oom = true;
	} else {
		buf_adds(b, "=?ISO-2022-JP?B?");
		b64_add(b, (const unsigned char *)raw.p, raw.len);
		buf_adds(b, "?=");
	}
	free(raw.p);
}

/*
 * The header being written: the buffer and the current column, so that each
 * token can decide whether it still fits on the line or goes on a new one.
 */
struct hdr {
	struct buf *b;
	size_t col;
	bool empty;	/* no token yet: folding here would gain nothing */
	bool jis;	/* text is in EUC form, words are ISO-2022-JP */
};

static void hdr_start(struct hdr *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_adds(b, name);
	buf_add(b, ":", 1);
	h->col = strlen(name) + 1;
	h->empty = true;
	h->jis = false;
}

/*
 * Appends " token", folding (CRLF before the space) when the token would
 * pass column 78 — but never right after the field name, where folding
 * would gain nothing.
 */
static void hdr_token(struct hdr *h, const char *tok, size_t n)
{
	if (h->col + 1 + n > LINE_MAX_LEN && !h->empty) {
		buf_add(h->b, "\r\n", 2);
		h->col = 0;
	}
	buf_add(h->b, " ", 1);
	buf_add(h->b, tok, n);
	h->col += 1 + n;
	h->empty = false;
}

static void hdr_end(struct hdr *h)
{
	buf_add(h->b, "\r\n", 2);
}

/*
 * How many bytes of s (whole UTF-8 characters, s is clean) fit into an
 * encoded word of at most `room` characters.  0 when not even one does.
 */
static size_t word_fit(const char *s, size_t room)
{
	size_t max_bytes, n = 0, k;

	if (room > WORD_MAX_LEN)
		room = WORD_MAX_LEN;
	if (room < WORD_OVERHEAD + 4)
		return 0;
	max_bytes = (room - WORD_OVERHEAD) / 4 * 3;
	while (s[n]) {
		k = jis_utf8_len((const unsigned char *)s + n);
		if (k == 0)
			k = 1;		/* cannot happen after clean_text() */
		if (n + k > max_bytes)
			break;
		n += k;
	}
	return n;
}

static void add_word(struct buf *b, const char *s, size_t n)
{
	buf_adds(b, "=?UTF-8?B?");
	b64_add(b, (const unsigned char *)s, n);
	buf_adds(b, "?=");
}

/*
 * Writes clean text s as encoded words into header h: the first word fills
 * what is left of the current line, then full 75-character words on
 * continuation lines.  The whitespace between adjacent encoded words is
 * ignored by decoders (RFC 2047 6.2), so the split is invisible.  With
 * h->jis, s is in EUC form and the words are ISO-2022-JP.
 */
static void hdr_words(struct hdr *h, const char *s)
{
	size_t (*fit)(const char *, size_t) = h->jis ? jis_word_fit : word_fit;
	struct buf w = { 0 };
	size_t n, room;

	while (*s) {
		room = h->col + 1 < LINE_MAX_LEN ? LINE_MAX_LEN - h->col - 1 : 0;
		n = fit(s, room);
		if (n == 0) {
			/* Nothing fits here: start a new line and retry. */
			buf_add(h->b, "\r\n", 2);
			h->col = 0;
			n = fit(s, LINE_MAX_LEN - 1);
		}
		w.len = 0;
		if (h->jis)
			add_jis_word(&w, s, n);
		else
			add_word(&w, s, n);
		if (w.oom) {
			h->b->oom = true;
			break;
		}
		hdr_token(h, w.p, w.len);
		s += n;
	}
	free(w.p);
}

/* Writes clean ASCII text as tokens split at whitespace, for folding. */
static void hdr_plain(struct hdr *h, const char *s)
{
	size_t n;

	while (*s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n)
			hdr_token(h, s, n);
		s += n;
	}
}

/* True when every whitespace-separated token fits a line of its own. */
static bool plain_fits(const char *s, size_t first_col)
{
	size_t n, col = first_col;

	while (*s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n && col + 1 + n > LINE_MAX_LEN)
			return false;
		col = 0;
		s += n;
	}
	return true;
}

/*
 * An unstructured header (Subject): as is when it is printable ASCII that can
 * be folded to 78 columns, else encoded words (ISO-2022-JP ones from EUC
 * form with jis).  Runs of spaces collapse to one — a small price for being
 * able to fold anywhere.
 */
static void add_unstructured(struct buf *b, const char *name, const char *s,
			     bool jis)
{
	struct hdr h;

	hdr_start(&h, b, name);
	h.jis = jis;
	if (!needs_encoding(s) && plain_fits(s, h.col))
		hdr_plain(&h, s);
	else
		hdr_words(&h, s);
	hdr_end(&h);
}

/* RFC 5322 atext (3.2.3): what a phrase may hold without quotes. */
static bool is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", c);
}

/*
 * A mailbox header: `name <addr>`, or just `addr` without a name.  The name
 * goes as atoms when it is plain words, as a quoted-string when it has
 * specials ("Doe, John"), as encoded words when it is not ASCII or too long
 * for the first line (encoded words fold, a quoted-string we keep whole;
 * ISO-2022-JP ones from EUC form with jis).  The <addr> moves to a
 * continuation line when it does not fit.
 */
static void add_mailbox(struct buf *b, const char *hname, const char *name,
			const char *addr, bool jis)
{
	struct buf q = { 0 };
	struct hdr h;
	const char *s;
	bool quote = false;

	hdr_start(&h, b, hname);
	h.jis = jis;
	if (!name || !*name) {
		hdr_token(&h, addr, strlen(addr));
		hdr_end(&h);
		return;
	}
	for (s = name; *s; s++)
		if (!is_atext(*s) && *s != ' ')
			quote = true;
	if (quote)
		buf_add(&q, "\"", 1);
	for (s = name; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_add(&q, "\\", 1);
		buf_add(&q, s, 1);
	}
	if (quote)
		buf_add(&q, "\"", 1);
	if (q.oom)
		goto oom;
	if (needs_encoding(name) || h.col + 1 + q.len > LINE_MAX_LEN)
		hdr_words(&h, name);
	else
		hdr_token(&h, q.p, q.len);

	q.len = 0;
	buf_add(&q, "<", 1);
	buf_adds(&q, addr);
	buf_add(&q, ">", 1);
	if (q.oom)
		goto oom;
	hdr_token(&h, q.p, q.len);
	hdr_end(&h);
	free(q.p);
	return;
oom:
	b->oom = true;
	free(q.p);
}

/* A msg-id list header: each id in brackets, folded between ids. */
static void add_ids(struct buf *b, const char *hname, const char *ids)
{
	struct buf one = { 0 };
	struct hdr h;
	const char *s = ids;
	size_t n;

	hdr_start(&h, b, hname);
	while (*s) {
		s += strspn(s, " \t");
		n = strcspn(s, " \t");
		if (n) {
			one.len = 0;
			buf_add(&one, "<", 1);
			buf_add(&one, s, n);
			buf_add(&one, ">", 1);
			if (one.oom) {
				b->oom = true;
				break;
			}
			hdr_token(&h, one.p, one.len);
		}
		s += n;
	}
	free(one.p);
	hdr_end(&h);
}

/*
 * The Date header, RFC 5322 3.3, with day and month names from our own
 * tables: strftime's %a and %b would follow the locale.
 */
static void add_date(struct buf *b, time_t date, int offset_min)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char line[160];	/* worst case for any int in tm, so -O2 sees no truncation */
	struct tm tm;
	time_t local;
	int off;

	/* An offset beyond ±23:59 cannot be written: fall back to UTC. */
	if (offset_min < -(23 * 60 + 59) || offset_min > 23 * 60 + 59)
		offset_min = 0;
	local = date + (time_t)offset_min * 60;
	if (!gmtime_r(&local, &tm))
		memset(&tm, 0, sizeof tm);	/* absurd time_t: 1900 rather than junk */
	off = offset_min < 0 ? -offset_min : offset_min;
	snprintf(line, sizeof line,
		 "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
		 days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 offset_min < 0 ? '-' : '+', off / 60, off % 60);
	buf_adds(b, line);
}

/* Auto-Submitted is a token (RFC 3834 5); keep only token characters. */
static void add_auto_submitted(struct buf *b, const char *value)
{
	const char *s = value && *value ? value : "auto-generated";
	size_t start;

	buf_adds(b, "Auto-Submitted: ");
	start = b->len;
	for (; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-')
			buf_add(b, s, 1);
	if (!b->oom && b->len == start)
		buf_adds(b, "auto-generated");
	buf_adds(b, "\r\n");
}

/*
 * body (NULL: empty) with every line end as CRLF (RFC 2046 4.1.1: text
 * line breaks are CRLF in canonical form): CR LF, lone CR and lone LF.
 */
static void canon_crlf(struct buf *canon, const char *body)
{
	const char *s = body ? body : "";
	size_t run;

	while (*s) {
		run = strcspn(s, "\r\n");	/* copied whole: most of a text is runs */
		buf_add(canon, s, run);
		s += run;
		if (!*s)
			break;
		buf_add(canon, "\r\n", 2);
		s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
	}
}

/*
 * The body.  Base64 rather than quoted-printable: this bot writes mostly
 * Japanese, which QP turns into =E3=81=82 runs three times the size and no
 * more readable than base64; base64 is 4/3 the size, has no trailing-space,
 * "From " or lone-dot pitfalls, and every line is exactly 76 characters.
 * Line ends become CRLF first.
 */
static void add_body(struct buf *b, const char *body)
{
	struct buf canon = { 0 };
	size_t off, n;

	canon_crlf(&canon, body);
	if (canon.oom) {
		b->oom = true;
		return;
	}
	for (off = 0; off < canon.len; off += n) {
		n = canon.len - off;
		if (n > B64_LINE_LEN / 4 * 3)
			n = B64_LINE_LEN / 4 * 3;
		b64_add(b, (const unsigned char *)canon.p + off, n);
		buf_add(b, "\r\n", 2);
	}
	free(canon.p);
}

/*
 * The boundary of a multipart/alternative message.  "=_" cannot occur in
 * base64 (no "_", and "=" only as padding at a line's end) nor in the
 * part headers written here, so no part can contain it; the hash of the
 * message id and the texts makes it differ from the boundary of any other
 * message this one may be nested in (a forward), without randomness, so
 * the same fields give the same bytes.  FNV-1a, 64 bits.
 */
static void make_boundary(char out[40], const char *msgid, const char *text,
			  const char *html)
{
	const char *parts[3] = { msgid, text, html };
	unsigned long long h = 0xcbf29ce484222325ULL;
	const unsigned char *s;
	size_t i;

	for (i = 0; i < 3; i++) {
		for (s = (const unsigned char *)(parts[i] ? parts[i] : ""); *s; s++) {
			h ^= *s;
			h *= 0x100000001b3ULL;
		}
		h ^= 0xff;	/* separates "ab"+"c" from "a"+"bc" */
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 40, "=_incident-bot_%016llx", h);
}

/*
 * text/plain and text/html as the two parts of multipart/alternative
 * (RFC 2046 5.1.4: the plainest first, the preferred last), both UTF-8
 * base64, from the header "Content-Type: multipart/alternative" on (the
 * caller writes MIME-Version).
 */
static void add_alternative(struct buf *b, const char *msgid, const char *text,
			    const char *html)
{
	char boundary[40];

	make_boundary(boundary, msgid, text, html);
	buf_adds(b, "Content-Type: multipart/alternative;\r\n"
		    " boundary=\"");
	buf_adds(b, boundary);
	buf_adds(b, "\"\r\n"
		    "\r\n"
		    "This is a message in MIME format: a text and an HTML version.\r\n"
		    "\r\n--");
	buf_adds(b, boundary);
	buf_adds(b, "\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "\r\n");
	add_body(b, text);
	buf_adds(b, "--");
	buf_adds(b, boundary);
	buf_adds(b, "\r\n"
		    "Content-Type: text/html; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: base64\r\n"
		    "\r\n");
	add_body(b, html);
	buf_adds(b, "--");
	buf_adds(b, boundary);
	buf_adds(b, "--\r\n");
}

/*
 * The body (NULL: empty) as ISO-2022-JP lines appended to out, 7bit (see
 * jis_body()), once its line ends are CRLF.  No base64: the clients this
 * is for expect 7bit.  Returns 0, or -1 when a character has no place in
 * ISO-2022-JP or a line would pass 998 bytes; out->oom tells of memory.
 */
static int body_to_jis(struct jis *cd, const char *body, struct buf *out)
{
	struct buf canon = { 0 };
	int rc = -1;

	canon_crlf(&canon, body);
	if (canon.oom)
		out->oom = true;
	else
		rc = jis_body(cd, canon.p, out);
	free(canon.p);
	return rc;
}

/* What changes in ISO-2022-JP: the header texts in EUC form, the body done. */
struct jis_fields {
	struct buf subject, from_name, to_name, body;
};

/* A text of struct jis_fields as a string ("" while the buffer is empty). */
static const char *jis_text(const struct buf *b)
{
	return b->p ? b->p : "";
}

/*
 * Fills j from the clean header texts and the body.  Returns 1 when all of
 * them fit ISO-2022-JP, 0 when the message must go in UTF-8 (a character
 * without a place, a body line over 998 bytes, an iconv without
 * EUC-JP-MS), -1 when memory ran out.  The caller releases j's buffers.
 */
static int jis_prepare(struct jis_fields *j, const char *subject,
		       const char *from_name, const char *to_name,
		       const char *body)
{
	struct jis *cd = jis_new();
	bool ok;

	if (!cd)
		return 0;
	ok = jis_from_utf8(cd, subject, &j->subject) == 0 &&
	     jis_from_utf8(cd, from_name, &j->from_name) == 0 &&
	     jis_from_utf8(cd, to_name, &j->to_name) == 0 &&
	     body_to_jis(cd, body, &j->body) == 0;
	jis_free(cd);
	if (j->subject.oom || j->from_name.oom || j->to_name.oom || j->body.oom)
		return -1;
	return ok;
}

/*
 * The mail's own text from its Content-Type on: multipart/alternative
 * with an HTML version, else text/plain — ISO-2022-JP 7bit when jis_body
 * holds it, else UTF-8 base64.
 */
static void add_content(struct buf *b, const struct outmsg *m, const char *msgid,
			const struct buf *jis_body)
{
	if (m->html) {
		add_alternative(b, msgid, m->body, m->html);
	} else if (jis_body) {
		buf_adds(b, "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
			    "Content-Transfer-Encoding: 7bit\r\n"
			    "\r\n");
		buf_add(b, jis_body->p, jis_body->len);
	} else {
		buf_adds(b, "Content-Type: text/plain; charset=UTF-8\r\n"
			    "Content-Transfer-Encoding: base64\r\n"
			    "\r\n");
		add_body(b, m->body);
	}
}

/* RFC 2231 7 attribute-char: what a parameter value may hold unencoded. */
static bool is_attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$&+-.^_`|~", c));
}

/* The RFC 2231 form of n bytes of s: attr-chars as they are, others %XX. */
static void add_pct(struct buf *b, const unsigned char *s, size_t n)
{
	char hex[3] = { '%' };
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_attr_char(s[i])) {
			buf_addc(b, (char)s[i]);
		} else {
			hex[1] = "0123456789ABCDEF"[s[i] >> 4];
			hex[2] = "0123456789ABCDEF"[s[i] & 15];
			buf_add(b, hex, 3);
		}
	}
}

/* How long add_pct makes n bytes of s. */
static size_t pct_len(const unsigned char *s, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += is_attr_char(s[i]) ? 1 : 3;
	return len;
}

/*
 * ";" and the parameter name=value on a continuation line: name="value"
 * when value is printable ASCII without quotes that fits the line, else
 * RFC 2231 name*=UTF-8''%XX…, split into name*0*=, name*1*=… when it
 * does not fit, so that no line passes 78 columns; each segment ends on
 * a whole character (decoders that decode segment by segment still see
 * whole characters).  value is clean (clean_text): one line of valid UTF-8.
 */
static void add_param(struct buf *b, const char *name, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t k, n, used, room, nseg = 0;
	bool plain = strlen(name) + strlen(value) + 5 <= LINE_MAX_LEN;
	char head[80];

	for (k = 0; value[k] && plain; k++)
		plain = s[k] >= 0x20 && s[k] < 0x7f && s[k] != '"' && s[k] != '\\';
	if (plain) {
		buf_adds(b, ";\r\n ");
		buf_adds(b, name);
		buf_adds(b, "=\"");
		buf_adds(b, value);
		buf_adds(b, "\"");
		return;
	}
	/* " name*=UTF-8''…" when the whole fits one line */
	if (1 + strlen(name) + 9 + pct_len(s, strlen(value)) <= LINE_MAX_LEN) {
		buf_adds(b, ";\r\n ");
		buf_adds(b, name);
		buf_adds(b, "*=UTF-8''");
		add_pct(b, s, strlen(value));
		return;
	}
	while (*s) {
		/* " name*N*=" (+ "UTF-8''" on the first) + segment + ";" */
		snprintf(head, sizeof head, " %s*%zu*=%s", name, nseg, nseg ? "" : "UTF-8''");
		room = LINE_MAX_LEN > strlen(head) + 1 ? LINE_MAX_LEN - strlen(head) - 1 : 12;
		buf_adds(b, ";\r\n");
		buf_adds(b, head);
		for (used = 0; *s; s += n, used += k) {
			n = jis_utf8_len(s);
			if (n == 0)
				n = 1;	/* cannot happen after clean_text() */
			k = pct_len(s, n);
			if (used && used + k > room)
				break;
			add_pct(b, s, n);
		}
		nseg++;
	}
}

/*
 * An attachment's file name made safe: clean_text, then "/", "\" and
 * controls (which would make it a path or break a line) become "_";
 * "attachment.txt" when nothing is left.  malloc'd.
 */
static char *clean_filename(const char *in)
{
	char *s = clean_text(in), *p;

	if (!s)
		return NULL;
	for (p = s; *p; p++)
		if (*p == '/' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	if (!*s) {
		free(s);
		return strdup("attachment.txt");
	}
	return s;
}

/*
 * multipart/mixed (RFC 2046 5.1.3): the mail's text (add_content) first,
 * then each attachment, text/plain UTF-8 base64, named in the
 * Content-Type (name) and the Content-Disposition (filename) alike: RFC
 * 2231 readers take either.  The boundary is another hash than the
 * alternative's, so the two never clash.
 */
static void add_mixed(struct buf *b, const struct outmsg *m, const char *msgid,
		      const struct buf *jis_body)
{
	char boundary[40], *name;
	size_t i;

	make_boundary(boundary, msgid, "multipart/mixed", m->body);
	buf_adds(b, "Content-Type: multipart/mixed;\r\n"
		    " boundary=\"");
	buf_adds(b, boundary);
	buf_adds(b, "\"\r\n"
		    "\r\n"
		    "This is a message in MIME format: a text and attached files.\r\n"
		    "\r\n--");
	buf_adds(b, boundary);
	buf_adds(b, "\r\n");
	add_content(b, m, msgid, jis_body);
	for (i = 0; i < m->n_attachments; i++) {
		if (!(name = clean_filename(m->attachments[i].filename))) {
			b->oom = true;
			return;
		}
		buf_adds(b, "--");
		buf_adds(b, boundary);
		buf_adds(b, "\r\nContent-Type: text/plain; charset=UTF-8");
		add_param(b, "name", name);
		buf_adds(b, "\r\nContent-Disposition: attachment");
		add_param(b, "filename", name);
		buf_adds(b, "\r\nContent-Transfer-Encoding: base64\r\n"
			    "\r\n");
		add_body(b, m->attachments[i].text);
		free(name);
	}
	buf_adds(b, "--");
	buf_adds(b, boundary);
	buf_adds(b, "--\r\n");
}

char *compose_message(const struct outmsg *m, size_t *len)
{
	struct buf b = { 0 };
	char *from_addr, *from_name, *to_addr, *to_name, *reply_to, *subject;
	char *msgid, *irt, *refs, *out = NULL;
	struct jis_fields j = { 0 };
	int jis = 0;

	/*
	 * Clean everything first.  Message ids get the address treatment: a
	 * msg-id has no spaces, brackets or controls either.  References keeps
	 * its spaces (separators) but loses the rest via clean_text + add_ids.
	 */
	from_addr = clean_addr(m->from_addr);
	from_name = clean_text(m->from_name);
	to_addr = clean_addr(m->to_addr);
	to_name = clean_text(m->to_name);
	reply_to = m->reply_to ? clean_addr(m->reply_to) : NULL;
	subject = clean_text(m->subject);
	msgid = clean_addr(m->message_id);
	irt = m->in_reply_to ? clean_addr(m->in_reply_to) : NULL;
	refs = m->references ? clean_text(m->references) : NULL;
	if (!from_addr || !from_name || !to_addr || !to_name || !subject ||
	    !msgid || (m->reply_to && !reply_to) ||
	    (m->in_reply_to && !irt) || (m->references && !refs))
		goto out;
	if (refs) {
		/* Brackets and other non-id characters out; spaces stay. */
		char *r = refs, *w = refs;

		for (; *r; r++)
			if (*r == ' ' || *r == '\t' ||
			    ((unsigned char)*r > 0x20 && *r != 0x7f &&
			     !strchr("<>,;:()", *r)))
				*w++ = *r;
		*w = '\0';
	}
	/* ISO-2022-JP only when everything fits; else the whole mail is UTF-8.
	 * A mail with an HTML part is always UTF-8: the HTML declares no
	 * other charset, and the clients that need ISO-2022-JP show no HTML. */
	if (m->charset && strcasecmp(m->charset, "iso-2022-jp") == 0 && !m->html) {
		jis = jis_prepare(&j, subject, from_name, to_name, m->body);
		if (jis < 0)
			goto out;
	}

	add_date(&b, m->date, m->utc_offset_min);
	add_mailbox(&b, "From", jis ? jis_text(&j.from_name) : from_name,
		    from_addr, jis);
	add_mailbox(&b, "To", jis ? jis_text(&j.to_name) : to_name, to_addr, jis);
	if (reply_to && *reply_to)
		add_mailbox(&b, "Reply-To", NULL, reply_to, false);
	add_unstructured(&b, "Subject", jis ? jis_text(&j.subject) : subject, jis);
	if (*msgid)
		add_ids(&b, "Message-ID", msgid);
	if (irt && *irt)
		add_ids(&b, "In-Reply-To", irt);
	if (refs && refs[strspn(refs, " \t")])
		add_ids(&b, "References", refs);
	add_auto_submitted(&b, m->auto_submitted);
	if (m->urgent)
		/* fixed texts: nothing of the fields goes into them */
		buf_adds(&b, "Importance: high\r\nX-Priority: 1\r\n");
	buf_adds(&b, "MIME-Version: 1.0\r\n");
	if (m->n_attachments > 0)
		add_mixed(&b, m, msgid, jis ? &j.body : NULL);
	else
		add_content(&b, m, msgid, jis ? &j.body : NULL);
	out = buf_finish(&b, len);
	b.p = NULL;
out:
	buf_release(&j.subject);
	buf_release(&j.from_name);
	buf_release(&j.to_name);
	buf_release(&j.body);
	free(b.p);
	free(from_addr);
	free(from_name);
	free(to_addr);
	free(to_name);
	free(reply_to);
	free(subject);
	free(msgid);
	free(irt);
	free(refs);
	return out;
}

char *compose_encode_word(const char *utf8)
{
	struct buf b = { 0 };
	char *clean = clean_text(utf8);
	const char *s = clean;
	size_t n;

	if (!clean)
		return NULL;
	if (!needs_encoding(clean))
		return clean;
	/* Full-size words separated by spaces; the caller folds at the spaces. */
	while (*s) {
		n = word_fit(s, WORD_MAX_LEN);
		if (b.len)
			buf_add(&b, " ", 1);
		add_word(&b, s, n);
		s += n;
	}
	free(clean);
	return buf_finish(&b, NULL);
}
