/*
 * command_args.c — the arguments of the admin commands (see command.h):
 * addresses, numbers, dates with their zone, the enumerated values of
 * policy.h, notices and free text, each checked so the executor can
 * trust it; and the UTF-8, blank and full-width folding helpers they and
 * command.c compare with.  Errors go through command_bad() (command.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "rules/command_internal.h"
#include "rules/policy.h"

#define AFFECTED_MAX 1000000000L	/* more people than exist in Japan, tenfold */
#define CHECK_ITEM_MAX 99

/* The keywords inside arguments, with their Japanese forms. */
static const char *const words_on[] = { "on", "オン", NULL };
static const char *const words_off[] = { "off", "オフ", NULL };
static const char *const words_force[] = { "force", "強制", NULL };

/* ---- UTF-8 and blanks ------------------------------------------------- */

/*
 * The length of the UTF-8 character at s (n bytes left) and its code
 * point, or 0 when the bytes there are not UTF-8: a stray continuation
 * byte, an overlong form, a surrogate, beyond U+10FFFF, or cut short.
 */
static size_t utf8_next(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t v, min;
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, v = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, v = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Appends s, each byte that is not part of a UTF-8 character as U+FFFD. */
void command_add_valid(struct buf *b, const char *s, size_t n)
{
	const char *e = s + n;
	uint32_t cp;

	while (s < e) {
		size_t run = 0, l;

		while (s + run < e && (l = utf8_next(s + run, (size_t)(e - s - run), &cp)) > 0)
			run += l;
		buf_add(b, s, run);
		s += run;
		if (s < e) {
			buf_add(b, "\xef\xbf\xbd", 3);
			s++;
		}
	}
}

/*
 * Blanks: ASCII space and tab, U+3000 (the full-width space of Japanese
 * input), U+00A0 (how HTML mail indents) and U+FEFF (a stray BOM).
 * blank_at: the length of the blank starting at s, or 0.
 * blank_before: the length of the blank ending at e, or 0 (s..e valid UTF-8:
 * then a lead byte followed by these continuation bytes is that character).
 */
static size_t blank_at(const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 2 && memcmp(s, "\xc2\xa0", 2) == 0)
		return 2;
	if (n >= 3 && (memcmp(s, "\xe3\x80\x80", 3) == 0 || memcmp(s, "\xef\xbb\xbf", 3) == 0))
		return 3;
	return 0;
}

static size_t blank_before(const char *s, const char *e)
{
	size_t n = (size_t)(e - s);

	if (n >= 1 && (e[-1] == ' ' || e[-1] == '\t'))
		return 1;
	if (n >= 2 && memcmp(e - 2, "\xc2\xa0", 2) == 0)
		return 2;
	if (n >= 3 && (memcmp(e - 3, "\xe3\x80\x80", 3) == 0 || memcmp(e - 3, "\xef\xbb\xbf", 3) == 0))
		return 3;
	return 0;
}

const char *command_skip_blanks(const char *s, const char *e)
{
	size_t l;

	while ((l = blank_at(s, e)) > 0)
		s += l;
	return s;
}

const char *command_trim_end(const char *s, const char *e)
{
	size_t l;

	while ((l = blank_before(s, e)) > 0)
		e -= l;
	return e;
}

/* The end of the word at s: the first blank or e. */
const char *command_word_end(const char *s, const char *e)
{
	while (s < e && blank_at(s, e) == 0)
		s++;
	return s;
}

/*
 * s..s+n (valid UTF-8) as words compare: full-width ASCII U+FF01–FF5E as
 * ASCII, every run of blanks one space, none at either end; ASCII case
 * kept (the comparisons ignore it).  Malloc'd, NULL when memory ran out.
 */
char *command_fold(const char *s, size_t n)
{
	const char *e = s + n;
	struct buf b = { 0 };
	bool space = false;

	while (s < e) {
		size_t l = blank_at(s, e);
		uint32_t cp = 0;

		if (l > 0) {
			space = true;
			s += l;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = false;
		l = utf8_next(s, (size_t)(e - s), &cp);
		if (l == 0)
			l = 1;		/* not reached for a raw line: it is valid */
		if (l == 3 && cp >= 0xff01 && cp <= 0xff5e)
			buf_addc(&b, (char)(cp - 0xfee0));
		else
			buf_add(&b, s, l);
		s += l;
	}
	return buf_take(&b);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality, blind to the locale. */
bool command_same(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

/* Like command_same(), but spaces do not count: "DoS攻撃" is the label "DoS 攻撃". */
static bool same_label(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (!*a || !*b)
			return *a == *b;
		if (lower(*a++) != lower(*b++))
			return false;
	}
}

static bool is_one_of(const char *word, const char *const *words)
{
	for (; *words; words++)
		if (command_same(word, *words))
			return true;
	return false;
}

/* ---- values ----------------------------------------------------------- */

const struct kind_info command_kinds[] = {
	[K_TYPE]	= { "type",	"種別",		TYPE_COUNT,	true },
	[K_PRIORITY]	= { "priority",	"優先度",	PRIORITY_COUNT,	true },
	[K_SOURCE]	= { "source",	"検知の経緯",	SOURCE_COUNT,	true },
	[K_STATUS]	= { "status",	"状態",		STATUS_COUNT,	true },
	[K_FLAG]	= { "flag",	"フラグ",	FLAG_COUNT,	true },
	/* Notice labels are sentences ("Amazon への通知 (24 時間以内)"), and
	 * /done and /skip take text after the notice: names only. */
	[K_NOTICE]	= { "notice",	"通知",		OBL_COUNT,	false },
};

const char *command_kind_name(enum kind k, int i)
{
	switch (k) {
	case K_TYPE: return type_name((enum incident_type)i);
	case K_PRIORITY: return priority_name((enum priority)i);
	case K_SOURCE: return source_name((enum source)i);
	case K_STATUS: return status_name((enum status)i);
	case K_FLAG: return flag_name((enum flag)i);
	case K_NOTICE: return obligation_name((enum obligation_kind)i);
	}
	return "?";
}

const char *command_kind_label(enum kind k, int i)
{
	switch (k) {
	case K_TYPE: return type_label((enum incident_type)i);
	case K_PRIORITY: return priority_label((enum priority)i);
	case K_SOURCE: return source_label((enum source)i);
	case K_STATUS: return status_label((enum status)i);
	case K_FLAG: return flag_label((enum flag)i);
	case K_NOTICE: return obligation_label((enum obligation_kind)i);
	}
	return "?";
}

static int from_name(enum kind k, const char *v)
{
	switch (k) {
	case K_TYPE: return type_from_name(v);
	case K_PRIORITY: return priority_from_name(v);
	case K_SOURCE: return source_from_name(v);
	case K_STATUS: return status_from_name(v);
	case K_FLAG: return flag_from_name(v);
	case K_NOTICE: return obligation_from_name(v);
	}
	return -1;
}

/* A folded value: the English name (any case, "_" for "-") or the label. */
static int lookup(enum kind k, const char *v)
{
	int i = from_name(k, v);

	if (i >= 0 || !command_kinds[k].labels)
		return i;
	for (i = 0; i < command_kinds[k].count; i++)
		if (same_label(command_kind_label(k, i), v))
			return i;
	return -1;
}

/* "high, medium, low": the names of a kind, for a message. */
static const char *names_of(enum kind k, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < command_kinds[k].count && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "", command_kind_name(k, i));

		used += n > 0 ? (size_t)n : 0;
	}
	return out;
}

/* A missing or unknown value of kind k; v folded, may be "". */
static int bad_value(const struct line *ln, enum kind k, const char *v)
{
	char names[256], quoted[VALUE_QUOTE_MAX + 4];

	names_of(k, names, sizeof names);
	if (!*v)
		return command_bad(ln, "%sがありません / missing the %s; 次のいずれか / use one of: %s%s",
				   command_kinds[k].ja, command_kinds[k].en, names,
				   command_kinds[k].labels ? " (or the Japanese name / 日本語名も可)" : "");
	return command_bad(ln, "不明な%s「%s」です / unknown %s; 次のいずれか / use one of: %s%s",
			   command_kinds[k].ja, command_clip(v, VALUE_QUOTE_MAX, quoted), command_kinds[k].en, names,
			   command_kinds[k].labels ? " (or the Japanese name / 日本語名も可)" : "");
}

static int bad_extra(const struct line *ln, const char *extra, const char *usage_en,
		     const char *usage_ja)
{
	char quoted[VALUE_QUOTE_MAX + 4];

	return command_bad(ln, "余分な引数「%s」です。%s と書いてください / extra argument: write %s",
			   command_clip(extra, VALUE_QUOTE_MAX, quoted), usage_ja, usage_en);
}

/* ---- arguments -------------------------------------------------------- */

/* /type, /priority, /source, /status: the whole rest is one value. */
int command_parse_value(struct command *c, const struct line *ln, enum kind k)
{
	char *v = command_fold(ln->args, strlen(ln->args));
	int r = 0;

	if (!v)
		return command_out_of_memory(ln->err);
	if ((c->value = lookup(k, v)) < 0)
		r = bad_value(ln, k, v);
	free(v);
	return r;
}

/*
 * /flag FLAG [on|off]: a label may have spaces ("Amazon 関係"), so the
 * whole rest is tried first, then all but a last word that must be
 * on or off.
 */
int command_parse_flag(struct command *c, const struct line *ln)
{
	char *v = command_fold(ln->args, strlen(ln->args)), *last;
	int r = 0;

	if (!v)
		return command_out_of_memory(ln->err);
	c->value = lookup(K_FLAG, v);
	if (c->value < 0 && (last = strrchr(v, ' ')) != NULL) {
		*last = '\0';
		if ((c->value = lookup(K_FLAG, v)) < 0)
			*last = ' ';
		else if (is_one_of(last + 1, words_off))
			c->off = true;
		else if (!is_one_of(last + 1, words_on))
			r = bad_extra(ln, last + 1, "/flag FLAG [on|off]", "/フラグ フラグ [on|off]");
	}
	if (c->value < 0)
		r = bad_value(ln, K_FLAG, v);
	free(v);
	return r;
}

/*
 * "1200" or "1,200" (with commas, only between groups of three digits):
 * the number, -1 when it is not one, -2 when it is above max.
 */
static long parse_count(const char *s, bool commas, long max)
{
	int digits = 0, group = -1;	/* digits since the last comma; -1: none yet */
	long v = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (v > (max - (*s - '0')) / 10)
				v = max + 1;	/* too large; keep reading for -1 */
			else
				v = v * 10 + (*s - '0');
			digits++;
			if (group >= 0)
				group++;
		} else if (*s == ',' && commas && digits > 0 &&
			   (group < 0 ? digits <= 3 : group == 3)) {
			group = 0;
		} else {
			return -1;
		}
	}
	if (digits == 0 || (group >= 0 && group != 3))
		return -1;
	return v > max ? -2 : v;
}

/* Strips a final suffix (and the space before it) from s, if it is there. */
static void strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n > m && strcmp(s + n - m, suffix) == 0) {
		n -= m;
		if (n > 0 && s[n - 1] == ' ')
			n--;
		s[n] = '\0';
	}
}

/* /affected N (people; "1,200人" is fine), /check N (an item, 1…99). */
int command_parse_number(struct command *c, const struct line *ln)
{
	bool affected = c->verb == CMD_AFFECTED;
	char *v = command_fold(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	int r = 0;

	if (!v)
		return command_out_of_memory(ln->err);
	if (affected) {
		strip_suffix(v, "人");
		strip_suffix(v, "名");
		c->number = parse_count(v, true, AFFECTED_MAX);
		if (c->number == -2)
			r = command_bad(ln, "人数が大きすぎます（10 億まで）: \"%s\" / more than 1,000,000,000",
					command_clip(v, VALUE_QUOTE_MAX, quoted));
		else if (c->number < 0)
			r = command_bad(ln, "人数を数字で書いてください（例 1200、1,200） / "
					"%s \"%s\": write the number of people, e.g. 1200 or 1,200",
					*v ? "not a number" : "missing the number",
					command_clip(v, VALUE_QUOTE_MAX, quoted));
	} else {
		c->number = parse_count(v, false, CHECK_ITEM_MAX);
		if (c->number < 1)
			r = command_bad(ln, "チェックリストの項目番号（1〜99）を書いてください / "
					"not a checklist item \"%s\": write its number, 1-99",
					command_clip(v, VALUE_QUOTE_MAX, quoted));
	}
	free(v);
	return r;
}

enum when { WHEN_OK, WHEN_FORMAT, WHEN_NO_TIME, WHEN_NO_ZONE, WHEN_RANGE };

static bool digits(const char **p, int min, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n >= min;
}

static int days_in(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * A folded, upper-cased date and time with its zone, as admins write
 * them: "2026-11-25T09:30+09:00", "2026-11-25 09:30:00Z",
 * "2026/11/25 9:30 +0900", "2026-11-25 09:30 JST".  The fields are
 * checked (no 31 November), then the canonical RFC 3339 form goes to
 * clock_parse().  Without a zone a time would be read in the bot's zone,
 * which need not be the writer's: deadlines count from it, so it is asked.
 */
static enum when parse_when(const char *s, time_t *t)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0;
	char sep, sign = 'Z', canon[96];	/* roomy: gcc cannot see the ranges */
	const char *p = s;

	if (!digits(&p, 4, 4, &y) || (*p != '-' && *p != '/'))
		return WHEN_FORMAT;
	sep = *p++;
	if (!digits(&p, 1, 2, &mo) || *p++ != sep || !digits(&p, 1, 2, &d))
		return WHEN_FORMAT;
	if (*p == '\0')
		return WHEN_NO_TIME;
	if (*p != 'T' && *p != ' ')
		return WHEN_FORMAT;
	p++;
	if (!digits(&p, 1, 2, &h) || *p++ != ':' || !digits(&p, 2, 2, &mi))
		return WHEN_FORMAT;
	if (*p == ':') {
		p++;
		if (!digits(&p, 2, 2, &sec))
			return WHEN_FORMAT;
		if (*p == '.')		/* fractions of a second: dropped */
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == ' ')
		p++;
	if (*p == '\0')
		return WHEN_NO_ZONE;
	if (strcmp(p, "Z") == 0 || strcmp(p, "UTC") == 0 || strcmp(p, "GMT") == 0) {
		sign = 'Z';
	} else if (strcmp(p, "JST") == 0) {
		sign = '+';
		oh = 9;
	} else if (*p == '+' || *p == '-') {
		sign = *p++;
		if (!digits(&p, 2, 2, &oh))
			return WHEN_FORMAT;
		if (*p == ':' && !(p++, digits(&p, 2, 2, &om)))
			return WHEN_FORMAT;
		if (*p != '\0' && !digits(&p, 2, 2, &om))
			return WHEN_FORMAT;
		if (*p != '\0')
			return WHEN_FORMAT;
	} else {
		return WHEN_FORMAT;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || h > 23 || mi > 59 ||
	    sec > 59 || oh > 23 || om > 59)
		return WHEN_RANGE;
	if (sign == 'Z')
		snprintf(canon, sizeof canon, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, sec);
	else
		snprintf(canon, sizeof canon, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
			 y, mo, d, h, mi, sec, sign, oh, om);
	return clock_parse(canon, t) == 0 ? WHEN_OK : WHEN_FORMAT;
}

#define WHEN_EXAMPLE "2026-11-25T09:30+09:00"

int command_parse_aware(struct command *c, const struct line *ln)
{
	char *v = command_fold(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	int r = 0;

	if (!v)
		return command_out_of_memory(ln->err);
	for (char *p = v; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	command_clip(v, VALUE_QUOTE_MAX, quoted);
	switch (*v ? parse_when(v, &c->time) : WHEN_FORMAT) {
	case WHEN_OK:
		break;
	case WHEN_NO_ZONE:
		r = command_bad(ln, "タイムゾーンがありません。+09:00（日本時間）などを付けてください / "
				"\"%s\" has no time zone: add it, e.g. %s (JST) or Z (UTC)",
				quoted, WHEN_EXAMPLE);
		break;
	case WHEN_NO_TIME:
		r = command_bad(ln, "時刻とタイムゾーンも書いてください（例 %s） / "
				"\"%s\" has no time: write the time and its zone", WHEN_EXAMPLE, quoted);
		break;
	case WHEN_RANGE:
		r = command_bad(ln, "存在しない日時です / no such date or time \"%s\"", quoted);
		break;
	case WHEN_FORMAT:
		r = command_bad(ln, "日時の形式が違います（例 %s） / %s \"%s\"",
				WHEN_EXAMPLE, *v ? "not a date and time" : "missing the date and time",
				quoted);
		break;
	}
	free(v);
	return r;
}

/*
 * Why a folded address is not one we accept, or NULL.  Strict on
 * purpose: the executor puts it in a To: header and the store, so only
 * a bare local@domain of RFC 5322 dot-atoms passes — no name, quotes,
 * <>, commas, white space or control characters that could smuggle a
 * second address or a header.
 */
static const char *address_problem(const char *a)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
	const char *at = strchr(a, '@'), *p;
	size_t local;

	if (strchr(a, ' '))
		return "write the address alone, without a name or spaces / "
		       "名前や空白を付けずにアドレスだけを書いてください";
	if (strpbrk(a, "\"<>,;:()[]\\"))
		return "write the bare address, without quotes, <>, commas or brackets / "
		       "引用符や <>、カンマを付けずにアドレスだけを書いてください";
	for (p = a; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return "only ASCII letters, digits and symbols / "
			       "半角の英数字と記号で書いてください";
	if (!at || strchr(at + 1, '@'))
		return "not a mail address: write local@domain / "
		       "メールアドレスの形式ではありません（例 taro@example.jp）";
	local = (size_t)(at - a);
	if (local == 0 || local > 64 || strlen(a) > 254 || at[1] == '\0')
		return "not a mail address: write local@domain / "
		       "メールアドレスの形式ではありません（例 taro@example.jp）";
	for (p = a; p < at; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || strchr(atext, *p)) ||
		    (*p == '.' && (p == a || p + 1 == at || p[1] == '.')))
			return "the part before @ is not valid / @ の前の部分が正しくありません";
	for (p = at + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-') ||
		    (*p == '.' && (p == at + 1 || !p[1] || p[1] == '.')) ||
		    (*p == '-' && (p[-1] == '.' || p[-1] == '@' || !p[1] || p[1] == '.')))
			return "the domain after @ is not valid / @ の後のドメインが正しくありません";
	return NULL;
}

/* /assign ADDRESS: full-width ＠ and letters typed by an input method are read as ASCII. */
int command_parse_assign(struct command *c, const struct line *ln)
{
	char *v = command_fold(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	const char *why;

	if (!v)
		return command_out_of_memory(ln->err);
	if (!*v) {
		free(v);
		return command_bad(ln, "担当者のメールアドレスがありません / "
				   "missing the address, e.g. /assign taro@example.jp");
	}
	if ((why = address_problem(v)) != NULL) {
		int r = command_bad(ln, "\"%s\": %s", command_clip(v, VALUE_QUOTE_MAX, quoted), why);

		free(v);
		return r;
	}
	c->text = v;
	return 0;
}

/* /draft NOTICE, /done NOTICE [TEXT], /skip NOTICE REASON. */
int command_parse_notice(struct command *c, const struct line *ln, enum need need)
{
	const char *a = ln->args, *e = a + strlen(a), *we = command_word_end(a, e);
	const char *rest = command_skip_blanks(we, e);
	char *v = command_fold(a, (size_t)(we - a));
	int r = 0;

	if (!v)
		return command_out_of_memory(ln->err);
	if ((c->value = lookup(K_NOTICE, v)) < 0)
		r = bad_value(ln, K_NOTICE, v);
	else if (need == TEXT_NONE && *rest)
		r = bad_extra(ln, rest, "/draft NOTICE", "/下書き 通知");
	else if (need == TEXT_REQUIRED && !*rest)
		r = command_bad(ln, "理由がありません。/不要 通知 理由 と書いてください / "
				"missing the reason: write /skip NOTICE REASON");
	else if (*rest && !(c->text = strdup(rest)))
		r = command_out_of_memory(ln->err);
	free(v);
	return r;
}

/* /note TEXT: the rest of the line, as written. */
int command_parse_note(struct command *c, const struct line *ln)
{
	if (!*ln->args)
		return command_bad(ln, "メモの本文がありません / missing the text: write /note TEXT");
	if (!(c->text = strdup(ln->args)))
		return command_out_of_memory(ln->err);
	return 0;
}

/* /close [REASON] or /close force REASON (also 強制). */
int command_parse_close(struct command *c, const struct line *ln)
{
	const char *a = ln->args, *e = a + strlen(a), *we = command_word_end(a, e);
	const char *text = a;
	char *w;

	if (!*a)
		return 0;
	if (!(w = command_fold(a, (size_t)(we - a))))
		return command_out_of_memory(ln->err);
	c->force = is_one_of(w, words_force);
	free(w);
	if (c->force) {
		text = command_skip_blanks(we, e);
		if (!*text)
			return command_bad(ln, "強制クローズには理由が必要です（/クローズ 強制 理由） / "
					   "force needs a reason: write /close force REASON");
	}
	if (!(c->text = strdup(text)))
		return command_out_of_memory(ln->err);
	return 0;
}

/*
 * /lessons: the document is the rest of the text (and what follows the
 * command on its own line), kept as written — lines that look like
 * commands or quotes too — but valid UTF-8, without CRs (a CR ending a
 * line is dropped, another one breaks the line), and without blank lines
 * before or white space after.
 */
int command_parse_lessons(struct command *c, const struct line *ln)
{
	const char *p = ln->rest, *end = p + strlen(p);
	struct buf b = { 0 };
	char *doc, *s, *e;
	size_t l;

	if (*ln->args) {
		buf_adds(&b, ln->args);
		buf_addc(&b, '\n');
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *le, *cr;

		if (!eol)
			eol = end;
		le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		while ((cr = memchr(p, '\r', (size_t)(le - p))) != NULL) {
			command_add_valid(&b, p, (size_t)(cr - p));
			buf_addc(&b, '\n');
			p = cr + 1;
		}
		command_add_valid(&b, p, (size_t)(le - p));
		buf_addc(&b, '\n');
		p = eol < end ? eol + 1 : end;
	}
	if (!(doc = buf_take(&b)))
		return command_out_of_memory(ln->err);
	s = doc;
	e = doc + strlen(doc);
	for (const char *q; *(q = command_skip_blanks(s, e)) == '\n'; )
		s = (char *)q + 1;
	while (e > s && ((l = blank_before(s, e)) > 0 || e[-1] == '\n'))
		e -= l ? l : 1;
	if (s == e) {
		free(doc);
		return command_bad(ln, "文書がありません。/教訓 の次の行から書いてください / "
				   "the document is missing: write it below the /lessons line");
	}
	memmove(doc, s, (size_t)(e - s));
	doc[e - s] = '\0';
	c->text = doc;
	return 0;
}
