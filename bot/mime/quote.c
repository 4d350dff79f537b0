/* quote.c — a reply's own text, without quotes and signatures; see quote.h. */
#include "mime/quote.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every look-ahead below is bounded by a constant number of lines, so a
 * line is read at most a constant number of times and the whole scan is
 * linear in the body, however hostile.
 */
#define HEADER_WINDOW	10	/* lines after From: that may hold Sent:, To: */
#define SEPARATOR_WINDOW 3	/* lines after ____ that may hold From: */
#define QUOTE_WINDOW	5	/* empty lines allowed between "wrote:" and ">" */
#define ATTR_MAX	400	/* bytes: longer lines are prose, not attributions */
#define ATTR_PART_MAX	200	/* bytes: each half of a wrapped one, a weak one */
#define MOBILE_SIG_MAX	80	/* bytes: a phone's "Sent from my …" line */

struct line {
	const char *s;		/* the line without its '\n' */
	size_t n;
	const char *t;		/* s without white space at either end */
	size_t tn;
	const char *next;	/* where the following line starts */
};

/* ASCII white space or U+3000 IDEOGRAPHIC SPACE: its length at s, or 0. */
static size_t space_at(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' ||
		       s[0] == '\f' || s[0] == '\v'))
		return 1;
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

static size_t space_before(const char *s, size_t n)
{
	if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		       s[n - 1] == '\f' || s[n - 1] == '\v'))
		return 1;
	if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
		return 3;
	return 0;
}

static void line_read(const char *p, const char *end, struct line *l)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t k;

	l->s = p;
	l->n = (size_t)((nl ? nl : end) - p);
	l->next = nl ? nl + 1 : end;
	l->t = l->s;
	l->tn = l->n;
	while ((k = space_at(l->t, l->tn)) != 0) {
		l->t += k;
		l->tn -= k;
	}
	while ((k = space_before(l->t, l->tn)) != 0)
		l->tn -= k;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

/* ASCII case folded by hand: strncasecmp would follow the locale. */
static bool same_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static bool starts_ci(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && same_ci(s, prefix, k);
}

static bool ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static bool equals_ci(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && same_ci(s, word, n);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A time of day somewhere in s: a digit, ':', a digit ("10:00"). */
static bool has_time(const char *s, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++)
		if (s[i] == ':' && is_digit(s[i - 1]) && is_digit(s[i + 1]))
			return true;
	return false;
}

/* A colon, ASCII or full-width (U+FF1A): its length at s, or 0. */
static size_t colon_at(const char *s, size_t n)
{
	if (n >= 1 && s[0] == ':')
		return 1;
	if (n >= 3 && memcmp(s, "：", 3) == 0)
		return 3;
	return 0;
}

static bool is_quoted(const struct line *l)
{
	return (l->n >= 1 && l->s[0] == '>') || starts(l->s, l->n, "＞");
}

/* RFC 3676 4.3 "-- ", and the "--" that clients which trim lines leave. */
static bool is_signature(const struct line *l)
{
	size_t n = l->n;

	if (n > 0 && l->s[n - 1] == '\r')
		n--;
	return (n == 3 && memcmp(l->s, "-- ", 3) == 0) ||
	       (n == 2 && memcmp(l->s, "--", 2) == 0);
}

/* ---- separator lines ---------------------------------------------------- */

enum form { FORM_TEXT, FORM_DROP, FORM_CUT, FORM_FORWARD };

/*
 * The words between two runs of dashes: "-----Original Message-----",
 * "---------- Forwarded message ---------".  Compared ignoring ASCII case.
 * To add one: the words as the client writes them, and what they start.
 */
static const struct {
	const char *words;
	enum form form;
} framed[] = {
	{ "Original Message", FORM_CUT },	/* Outlook, OE, Yahoo, Thunderbird */
	{ "元のメッセージ", FORM_CUT },		/* Outlook (ja) */
	{ "Forwarded message", FORM_FORWARD },	/* Gmail, Thunderbird */
	{ "転送メッセージ", FORM_FORWARD },	/* Gmail (ja) */
	{ "転送されたメッセージ", FORM_FORWARD },
};

/* Whole lines (trimmed, any ASCII case, either colon). */
static const struct {
	const char *words;	/* without the colon */
	enum form form;
} markers[] = {
	{ "Begin forwarded message", FORM_FORWARD },	/* Apple Mail */
	{ "転送されたメッセージ", FORM_FORWARD },	/* Apple Mail (ja) */
};

static enum form framed_form(const struct line *l)
{
	const char *s = l->t;
	size_t n = l->tn, lead = 0, tail = 0, k;

	while (lead < n && s[lead] == '-')
		lead++;
	while (tail < n - lead && s[n - 1 - tail] == '-')
		tail++;
	if (lead < 2 || tail < 2)
		return FORM_TEXT;
	s += lead;
	n -= lead + tail;
	while ((k = space_at(s, n)) != 0) {
		s += k;
		n -= k;
	}
	while ((k = space_before(s, n)) != 0)
		n -= k;
	for (size_t i = 0; i < sizeof framed / sizeof *framed; i++)
		if (equals_ci(s, n, framed[i].words))
			return framed[i].form;
	return FORM_TEXT;
}

static enum form marker_form(const struct line *l)
{
	for (size_t i = 0; i < sizeof markers / sizeof *markers; i++) {
		size_t k = strlen(markers[i].words);

		if (l->tn > k && starts_ci(l->t, l->tn, markers[i].words) &&
		    colon_at(l->t + k, l->tn - k) == l->tn - k)
			return markers[i].form;
	}
	return FORM_TEXT;
}

/* ---- Outlook header blocks ---------------------------------------------- */

enum role { ROLE_NONE, ROLE_FROM, ROLE_DATE, ROLE_TO };

/*
 * Field names of the block Outlook writes above the original.  To add a
 * language: its words for From, Sent/Date and To/Subject.
 */
static const struct {
	const char *name;
	enum role role;
} header_keys[] = {
	{ "From", ROLE_FROM }, { "差出人", ROLE_FROM }, { "送信者", ROLE_FROM },
	{ "Sent", ROLE_DATE }, { "Date", ROLE_DATE },
	{ "送信日時", ROLE_DATE }, { "日時", ROLE_DATE },
	{ "To", ROLE_TO }, { "Subject", ROLE_TO },
	{ "宛先", ROLE_TO }, { "件名", ROLE_TO },
};

/* "Name:" or "Name :" at the start of the trimmed line. */
static enum role header_role(const struct line *l)
{
	if (l->tn == 0)
		return ROLE_NONE;
	for (size_t i = 0; i < sizeof header_keys / sizeof *header_keys; i++) {
		size_t k;

		/* The first byte, case folded, rules out most lines cheaply. */
		if ((l->t[0] | 0x20) != (header_keys[i].name[0] | 0x20) ||
		    !starts_ci(l->t, l->tn, header_keys[i].name))
			continue;
		k = strlen(header_keys[i].name);
		while (k < l->tn && (l->t[k] == ' ' || l->t[k] == '\t'))
			k++;
		if (colon_at(l->t + k, l->tn - k))
			return header_keys[i].role;
	}
	return ROLE_NONE;
}

/* Whether the From: line l is followed by a date and a To:/Subject: line. */
static bool header_block(const struct line *l, const char *end)
{
	bool date = false, to = false;
	const char *p = l->next;
	struct line h;

	for (int i = 0; i < HEADER_WINDOW && p < end; i++) {
		line_read(p, end, &h);
		switch (header_role(&h)) {
		case ROLE_DATE:
			date = true;
			break;
		case ROLE_TO:
			to = true;
			break;
		default:
			break;
		}
		if (date && to)
			return true;
		p = h.next;
	}
	return false;
}

/* Outlook's line of underscores, when a From: line follows it. */
static bool outlook_separator(const struct line *l, const char *end)
{
	const char *p = l->next;
	struct line h;

	if (l->tn < 10)
		return false;
	for (size_t i = 0; i < l->tn; i++)
		if (l->t[i] != '_')
			return false;
	for (int i = 0; i < SEPARATOR_WINDOW && p < end; i++) {
		line_read(p, end, &h);
		if (h.tn > 0)
			return header_role(&h) == ROLE_FROM;
		p = h.next;
	}
	return false;
}

/* ---- attributions --------------------------------------------------------- */

enum attr { ATTR_NONE, ATTR_WEAK, ATTR_STRONG };

/*
 * How attribution lines end, and what else the line needs to be one, as
 * the endings alone are common in prose:
 *   NEED_NONE  nothing more;
 *   NEED_LEAD  "On <time>", or a year with a comma after it ("2026/11/25
 *              10:00, Name wrote:"; without it, "2026/11/25 10:00 cron
 *              wrote:" is a line of a report);
 *   NEED_ADDR  any lead and an '@': the sender's address.
 * To add one: the ending as the client writes it, once per colon.
 */
enum need { NEED_NONE, NEED_LEAD, NEED_ADDR };

static const struct {
	const char *tail;
	enum need need;
} tails[] = {
	{ "wrote:", NEED_LEAD },			/* Gmail, Apple, Thunderbird */
	{ ">:", NEED_ADDR }, { ">：", NEED_ADDR },	/* Gmail (ja): "… 山田 <a@b>:" */
	{ "書きました:", NEED_NONE }, { "書きました：", NEED_NONE },	/* Thunderbird (ja) */
	{ "のメール:", NEED_ADDR }, { "のメール：", NEED_ADDR },	/* iPhone (ja) */
	{ "のメッセージ:", NEED_ADDR }, { "のメッセージ：", NEED_ADDR },	/* Yahoo! (ja) */
};

enum lead { LEAD_NONE, LEAD_ON, LEAD_YEAR };

/*
 * LEAD_ON: "On <…time…>" — every client that writes "On" gives the time,
 * and prose ("On 2 occasions the job wrote:") seldom does.  LEAD_YEAR: the
 * line starts with a year: "2026/", "2026-", "2026.", "2026年", "(2026/".
 */
static enum lead lead_of(const char *s, size_t n)
{
	if (starts(s, n, "On "))
		return has_time(s, n) ? LEAD_ON : LEAD_NONE;
	if (n > 0 && s[0] == '(') {
		s++;
		n--;
	}
	if (n < 5)
		return LEAD_NONE;
	for (int i = 0; i < 4; i++)
		if (!is_digit(s[i]))
			return LEAD_NONE;
	if (s[4] == '/' || s[4] == '-' || s[4] == '.' || starts(s + 4, n - 4, "年"))
		return LEAD_YEAR;
	return LEAD_NONE;
}

/* The tail l ends with: 1 + its index, or 0. */
static size_t tail_of(const struct line *l)
{
	/* Every tail ends in ':' or in "：" (EF BC 9A). */
	if (l->tn == 0 || (l->t[l->tn - 1] != ':' && l->t[l->tn - 1] != '\x9a'))
		return 0;
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++)
		if (ends(l->t, l->tn, tails[i].tail))
			return i + 1;
	return 0;
}

static bool has_byte(const struct line *l, char c)
{
	return memchr(l->t, c, l->tn) != NULL;
}

/* Whether first … last (one line, or a wrapped two) with tail t is one. */
static bool attribution_fits(const struct line *first, const struct line *last, size_t t)
{
	enum lead lead = lead_of(first->t, first->tn);

	switch (tails[t - 1].need) {
	case NEED_NONE:
		return true;
	case NEED_LEAD:
		return lead == LEAD_ON ||
		       (lead == LEAD_YEAR && (has_byte(first, ',') || has_byte(last, ',')));
	case NEED_ADDR:
		return lead != LEAD_NONE && (has_byte(first, '@') || has_byte(last, '@'));
	}
	return false;
}

/*
 * Whether l starts an attribution; *after: where the line after it starts,
 * two lines down when a client wrapped it ("On …, Name <" / "a@b> wrote:").
 */
static enum attr attribution(const struct line *l, const char *end, const char **after)
{
	size_t t = tail_of(l);
	struct line next;

	*after = l->next;
	if (t && l->tn <= ATTR_MAX && attribution_fits(l, l, t))
		return ATTR_STRONG;
	if (!t && l->tn <= ATTR_PART_MAX && l->next < end &&
	    lead_of(l->t, l->tn) != LEAD_NONE) {
		line_read(l->next, end, &next);
		t = tail_of(&next);
		if (t && next.tn <= ATTR_PART_MAX && attribution_fits(l, &next, t)) {
			*after = next.next;
			return ATTR_STRONG;
		}
	}
	if (ends(l->t, l->tn, "wrote:") && l->tn <= ATTR_PART_MAX)
		return ATTR_WEAK;
	return ATTR_NONE;
}

/* Whether quoted lines come next, after at most a few empty lines. */
static bool quote_follows(const char *p, const char *end)
{
	struct line l;

	for (int i = 0; i <= QUOTE_WINDOW && p < end; i++) {
		line_read(p, end, &l);
		if (l.tn > 0)
			return is_quoted(&l);
		p = l.next;
	}
	return false;
}

/*
 * What the unquoted, non-empty line l is.  *resume: where the scan goes
 * on, past both lines of a wrapped attribution that is dropped.
 */
static enum form classify(const struct line *l, const char *end, const char **resume)
{
	const char *after;
	enum form f;
	enum attr a;

	*resume = l->next;
	if ((f = framed_form(l)) != FORM_TEXT || (f = marker_form(l)) != FORM_TEXT)
		return f;
	if (outlook_separator(l, end))
		return FORM_CUT;
	if (header_role(l) == ROLE_FROM && header_block(l, end))
		return FORM_CUT;
	a = attribution(l, end, &after);
	if (a == ATTR_NONE)
		return FORM_TEXT;
	if (quote_follows(after, end)) {
		*resume = after;
		return FORM_DROP;
	}
	return a == ATTR_STRONG ? FORM_CUT : FORM_TEXT;
}

/* ---- output ------------------------------------------------------------- */

/*
 * The text is written into a buffer as long as the body: every byte out
 * stands for one in, as a line break stands for the '\n' of a line that
 * was kept or dropped.
 */
struct out {
	char *p;
	size_t len;
	size_t gap;		/* empty lines owed before the next text line */
	bool dropped;		/* and a dropped block among them */
	size_t last;		/* where the last text line starts */
	size_t before_last;	/* len before that line and its breaks */
	bool any;		/* a text line was written */
};

static void out_line(struct out *o, const struct line *l)
{
	if (l->tn == 0) {
		o->gap++;
		return;
	}
	o->before_last = o->len;
	if (o->any) {
		size_t gap = o->dropped ? 1 : o->gap < 2 ? o->gap : 2;

		o->p[o->len++] = '\n';
		while (gap--)
			o->p[o->len++] = '\n';
	}
	o->last = o->len;
	memcpy(o->p + o->len, l->s, l->n);
	o->len += l->n;
	o->gap = 0;
	o->dropped = false;
	o->any = true;
}

/*
 * A dropped block, with the empty lines around it, reads as one empty
 * line between the text above and below.
 */
static void out_dropped(struct out *o)
{
	o->dropped = true;
}

static void out_trim(struct out *o)
{
	size_t k;

	while ((k = space_before(o->p, o->len)) != 0)
		o->len -= k;
}

/*
 * Lines a phone adds below the text.  prefix: the line starts so; suffix:
 * it ends so after a device name in ASCII ("iPhoneから送信").  To add one:
 * the words as the phone writes them.
 */
static const char *const mobile_prefixes[] = {
	"Sent from my ", "Sent from Outlook", "Sent from Mail for Windows",
	"Sent from Yahoo Mail", "Get Outlook for ",
};
static const char *const mobile_suffixes[] = { "から送信" };

static bool is_mobile_signature(const char *s, size_t n)
{
	if (n > MOBILE_SIG_MAX)
		return false;
	for (size_t i = 0; i < sizeof mobile_prefixes / sizeof *mobile_prefixes; i++)
		if (starts(s, n, mobile_prefixes[i]))
			return true;
	for (size_t i = 0; i < sizeof mobile_suffixes / sizeof *mobile_suffixes; i++) {
		size_t k = strlen(mobile_suffixes[i]), j;

		if (!ends(s, n, mobile_suffixes[i]) || n == k)
			continue;
		for (j = 0; j < n - k; j++)
			if ((unsigned char)s[j] >= 0x80)
				break;
		if (j == n - k)
			return true;
	}
	return false;
}

static void drop_mobile_signature(struct out *o)
{
	struct line l;

	if (!o->any)
		return;
	line_read(o->p + o->last, o->p + o->len, &l);
	if (is_mobile_signature(l.t, l.tn))
		o->len = o->before_last;
}

/* ---- the scan ----------------------------------------------------------- */

/* Returns whether a forward marker was met (the rest then kept as is). */
static bool scan(const char *body, size_t len, struct out *o)
{
	const char *p = body, *end = body + len;
	bool verbatim = false;	/* below a forward marker */
	struct line l;

	while (p < end) {
		line_read(p, end, &l);
		p = l.next;
		if (verbatim || l.tn == 0) {
			out_line(o, &l);
			continue;
		}
		if (is_quoted(&l)) {
			out_dropped(o);
			continue;
		}
		if (is_signature(&l))
			return false;
		switch (classify(&l, end, &p)) {
		case FORM_CUT:
			return false;
		case FORM_FORWARD:
			verbatim = true;
			out_line(o, &l);
			break;
		case FORM_DROP:
			out_dropped(o);
			break;
		case FORM_TEXT:
			out_line(o, &l);
			break;
		}
	}
	return verbatim;
}

static void copy_all(const char *body, size_t len, struct out *o)
{
	const char *p = body, *end = body + len;
	struct line l;

	while (p < end) {
		line_read(p, end, &l);
		p = l.next;
		out_line(o, &l);
	}
}

char *quote_new_text(const char *body)
{
	size_t len = strlen(body);
	struct out o = { 0 };
	char *shrunk;

	o.p = malloc(len + 1);
	if (!o.p)
		return NULL;
	if (!scan(body, len, &o))
		drop_mobile_signature(&o);
	out_trim(&o);
	if (o.len == 0) {
		/* Nothing of the sender's own: keep it all rather than lose it. */
		o = (struct out){ .p = o.p };
		copy_all(body, len, &o);
		out_trim(&o);
	}
	o.p[o.len] = '\0';
	shrunk = realloc(o.p, o.len + 1);
	return shrunk ? shrunk : o.p;
}
