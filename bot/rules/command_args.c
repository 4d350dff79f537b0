/*
 * command_args.c — the arguments of the admin commands (see command.h):
 * addresses and names, numbers, dates (in the configured zone unless they
 * name one), the enumerated values of policy.h with their Japanese names
 * and near misses, notices and free text, each checked so the executor
 * can trust it; and the UTF-8, blank and full-width folding helpers they
 * and command.c compare with.  Errors go through command_bad() (command.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/utf8.h"
#include "rules/command_internal.h"
#include "rules/policy.h"

#define AFFECTED_MAX 1000000000L	/* more people than exist in Japan, tenfold */
#define CHECK_ITEM_MAX 99

/* The keywords inside arguments, with their Japanese forms. */
static const char *const words_on[] = { "on", "オン", NULL };
static const char *const words_off[] = { "off", "オフ", NULL };
static const char *const words_force[] = { "force", "強制", NULL };

/* ---- UTF-8 and blanks ------------------------------------------------- */

/* Appends s, each byte that is not part of a UTF-8 character as U+FFFD. */
void command_add_valid(struct buf *b, const char *s, size_t n)
{
	const char *e = s + n;
	uint32_t cp;

	while (s < e) {
		size_t run = 0, l;

		while (s + run < e && (l = utf8_decode(s + run, (size_t)(e - s - run), &cp)) > 0)
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
		l = utf8_decode(s, (size_t)(e - s), &cp);
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

/* ---- near misses ------------------------------------------------------ */

#define NEAR_MAX_CHARS 48

/* The code points of s, ASCII lower-cased, without "-", "_" and blanks; -1 when too long. */
static int squashed(const char *s, uint32_t *out)
{
	size_t n = strlen(s), l;
	int k = 0;
	uint32_t cp;

	while (n > 0) {
		if ((l = blank_at(s, s + n)) > 0 || *s == '-' || *s == '_') {
			l = l ? l : 1;
		} else {
			if ((l = utf8_decode(s, n, &cp)) == 0) {
				l = 1;
				cp = 0xfffd;
			}
			if (k == NEAR_MAX_CHARS)
				return -1;
			out[k++] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
		}
		s += l;
		n -= l;
	}
	return k;
}

int command_distance(const char *a, const char *b, int max)
{
	uint32_t x[NEAR_MAX_CHARS], y[NEAR_MAX_CHARS];
	int d[NEAR_MAX_CHARS + 1][NEAR_MAX_CHARS + 1];
	int n = squashed(a, x), m = squashed(b, y);

	if (n < 0 || m < 0 || n - m > max || m - n > max)
		return max + 1;
	for (int i = 0; i <= n; i++)
		d[i][0] = i;
	for (int j = 0; j <= m; j++)
		d[0][j] = j;
	for (int i = 1; i <= n; i++)
		for (int j = 1; j <= m; j++) {
			int v = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;	/* two characters swapped */
			d[i][j] = v;
		}
	return d[n][m] <= max ? d[n][m] : max + 1;
}

/* Short words get no typo (「楽」 is not 「楽天」); "hihg" one, "investgating" two. */
int command_near_limit(const char *word)
{
	uint32_t x[NEAR_MAX_CHARS];
	int n = squashed(word, x);

	return n < 0 || n <= 2 ? 0 : n <= 6 ? 1 : 2;
}

/* ---- values ----------------------------------------------------------- */

const struct kind_info command_kinds[] = {
	[K_TYPE]	= { "type",	"種別",		TYPE_COUNT,	true },
	[K_PRIORITY]	= { "priority",	"優先度",	PRIORITY_COUNT,	true },
	[K_SOURCE]	= { "source",	"検知の経緯",	SOURCE_COUNT,	true },
	[K_STATUS]	= { "status",	"状態",		STATUS_COUNT,	true },
	[K_FLAG]	= { "flag",	"フラグ",	FLAG_COUNT,	true },
	/* Notice labels are sentences ("Amazon への通知 (24 時間以内)"); they
	 * and the short words below are read as the longest run of words
	 * that names one, the rest being /done's and /skip's text. */
	[K_NOTICE]	= { "notice",	"通知",		OBL_COUNT,	true },
};

/*
 * The words admins use for a value besides its name and label (issue 13:
 * 「/flag 楽天」, 「/done 個人情報保護委員会 確報」).  Compared like labels:
 * case and spaces do not count.  To add one: a line here and a case in
 * tests/unit/rules/test_command.c; a word must name one value of its kind.
 */
static const struct other_word {
	enum kind kind;
	int value;
	const char *word;
} other_words[] = {
	{ K_TYPE, TYPE_DATABASE_HACKING, "ハッキング" },
	{ K_TYPE, TYPE_DATA_LEAK, "情報漏洩" },
	{ K_TYPE, TYPE_DATA_LEAK, "漏えい" },
	{ K_TYPE, TYPE_MALWARE, "マルウェア" },
	{ K_TYPE, TYPE_MALWARE, "ウイルス" },
	{ K_TYPE, TYPE_LOST_DEVICE, "紛失" },
	{ K_TYPE, TYPE_POWER, "停電" },
	{ K_TYPE, TYPE_DISASTER, "天災" },
	{ K_FLAG, FLAG_PERSONAL_DATA, "個人データ" },
	{ K_FLAG, FLAG_PARTNER_DATA, "取引先" },
	{ K_FLAG, FLAG_AMAZON, "アマゾン" },
	{ K_FLAG, FLAG_RAKUTEN, "楽天" },
	{ K_FLAG, FLAG_YAHOO, "ヤフー" },
	{ K_FLAG, FLAG_YAHOO, "Yahoo!" },
	{ K_FLAG, FLAG_EXTERNAL_REPORTER, "外部" },
	{ K_FLAG, FLAG_INTERNAL_ONLY, "社内のみ" },
	{ K_FLAG, FLAG_MALICIOUS, "悪意" },
	{ K_FLAG, FLAG_MALICIOUS, "不正目的" },
	{ K_FLAG, FLAG_SENSITIVE, "要配慮" },
	{ K_FLAG, FLAG_FINANCIAL, "財産的被害" },
	{ K_FLAG, FLAG_ENCRYPTED, "暗号化" },
	{ K_FLAG, FLAG_PROCESSOR, "委託" },
	{ K_NOTICE, OBL_PPC_ASSESS, "報告要否" },
	{ K_NOTICE, OBL_PPC_ASSESS, "個人情報保護委員会 報告要否" },
	{ K_NOTICE, OBL_PPC_PRELIMINARY, "速報" },
	{ K_NOTICE, OBL_PPC_PRELIMINARY, "PPC 速報" },
	{ K_NOTICE, OBL_PPC_PRELIMINARY, "個人情報保護委員会 速報" },
	{ K_NOTICE, OBL_PPC_FINAL, "確報" },
	{ K_NOTICE, OBL_PPC_FINAL, "PPC 確報" },
	{ K_NOTICE, OBL_PPC_FINAL, "個人情報保護委員会 確報" },
	{ K_NOTICE, OBL_INDIVIDUALS, "本人通知" },
	{ K_NOTICE, OBL_CONSULTATION_DESK, "相談窓口" },
	{ K_NOTICE, OBL_PUBLICATION, "公表" },
	{ K_NOTICE, OBL_AMAZON, "アマゾン" },
	{ K_NOTICE, OBL_RAKUTEN, "楽天" },
	{ K_NOTICE, OBL_YAHOO, "ヤフー" },
	{ K_NOTICE, OBL_PARTNERS, "取引先" },
	{ K_NOTICE, OBL_OUTAGE_CONTACTS, "連絡先" },
	{ K_NOTICE, OBL_PRINCIPAL, "委託元" },
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
	for (size_t w = 0; w < sizeof other_words / sizeof *other_words; w++)
		if (other_words[w].kind == k && same_label(other_words[w].word, v))
			return other_words[w].value;
	return -1;
}

/*
 * The value v nearly names (issue 13's did-you-mean): the one whose name,
 * label or other word is nearest, within command_near_limit(v), and
 * nearer than any other value; -1 when none.  "ppc final" is ppc-final
 * (hyphens and spaces do not count), "hihg" high, 「楽天関連」 rakuten.
 */
struct nearest {
	int limit, best, d;
	bool tie;		/* two values equally near: no suggestion */
};

static void consider(struct nearest *n, const char *v, int value, const char *word)
{
	int d = command_distance(v, word, n->limit);

	if (d > n->limit)
		return;
	if (n->best < 0 || d < n->d) {
		n->best = value;
		n->d = d;
		n->tie = false;
	} else if (d == n->d && value != n->best) {
		n->tie = true;
	}
}

static int near_value(enum kind k, const char *v)
{
	struct nearest n = { .limit = command_near_limit(v), .best = -1 };

	for (int i = 0; i < command_kinds[k].count; i++) {
		consider(&n, v, i, command_kind_name(k, i));
		if (command_kinds[k].labels)
			consider(&n, v, i, command_kind_label(k, i));
	}
	for (size_t w = 0; w < sizeof other_words / sizeof *other_words; w++)
		if (other_words[w].kind == k)
			consider(&n, v, other_words[w].value, other_words[w].word);
	return n.tie ? -1 : n.best;
}

/* The line with args[from..to) replaced by word: the corrected line of a did-you-mean. */
static void suggest(const struct line *ln, size_t from, size_t to, const char *word)
{
	struct buf b = { 0 };
	size_t at = (size_t)(ln->args - ln->raw);

	if (!ln->fix)
		return;
	buf_add(&b, ln->raw, at + from);
	buf_adds(&b, word);
	buf_adds(&b, ln->args + to);
	free(*ln->fix);
	*ln->fix = buf_take(&b);
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

/*
 * A missing or unknown value of kind k; v folded, may be "".  A near miss
 * of args[from..to) (the value as written) names the value it nearly is
 * and leaves the corrected line in *ln->fix.
 */
static int bad_value_at(const struct line *ln, enum kind k, const char *v, size_t from,
			size_t to)
{
	char names[256], quoted[VALUE_QUOTE_MAX + 4], hint[200] = "";
	int near;

	names_of(k, names, sizeof names);
	if (!*v)
		return command_bad(ln, "%sがありません / missing the %s; 次のいずれか / use one of: %s%s",
				   command_kinds[k].ja, command_kinds[k].en, names,
				   command_kinds[k].labels ? " (or the Japanese name / 日本語名も可)" : "");
	if ((near = near_value(k, v)) >= 0) {
		suggest(ln, from, to, command_kind_name(k, near));
		snprintf(hint, sizeof hint, "。もしかして「%s」（%s）ですか / did you mean %s?",
			 command_kind_name(k, near), command_kind_label(k, near),
			 command_kind_name(k, near));
	}
	command_clip(v, VALUE_QUOTE_MAX, quoted);
	if (*hint)
		return command_bad(ln, "不明な%s「%s」です%s", command_kinds[k].ja, quoted, hint);
	return command_bad(ln, "不明な%s「%s」です / unknown %s; 次のいずれか / use one of: %s%s",
			   command_kinds[k].ja, quoted, command_kinds[k].en, names,
			   command_kinds[k].labels ? " (or the Japanese name / 日本語名も可)" : "");
}

/* The whole of the arguments is the value. */
static int bad_value(const struct line *ln, enum kind k, const char *v)
{
	return bad_value_at(ln, k, v, 0, strlen(ln->args));
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
	char *v = command_fold(ln->args, strlen(ln->args)), *last = NULL;
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
	if (c->value < 0 && last && (is_one_of(last + 1, words_off) || is_one_of(last + 1, words_on))) {
		/* "/flag 楽天関連 off": the did-you-mean keeps the off */
		const char *e = ln->args + strlen(ln->args), *w = e;

		while (w > ln->args && !(w[-1] == ' ' || w[-1] == '\t' || (w - ln->args >= 3 &&
			  memcmp(w - 3, "\xe3\x80\x80", 3) == 0)))
			w--;
		*last = '\0';
		r = bad_value_at(ln, K_FLAG, v, 0, (size_t)(command_trim_end(ln->args, w) - ln->args));
	} else if (c->value < 0) {
		r = bad_value(ln, K_FLAG, v);
	}
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

enum when { WHEN_OK, WHEN_FORMAT, WHEN_NO_TIME, WHEN_RANGE, WHEN_NO_YEAR, WHEN_WHICH_DAY };

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

/* Skips the word w at *p; false (and *p unmoved) when it is not there. */
static bool eat(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The date written at *p (moved past it); false when none is, *p unmoved. */
static enum when read_date(const char **p, int *y, int *mo, int *d, int *back)
{
	const char *q = *p;
	int a;

	if (eat(&q, "今日") || eat(&q, "本日")) {
		*back = 0;
	} else if (eat(&q, "昨日")) {
		*back = 1;
	} else if (eat(&q, "一昨日")) {
		*back = 2;
	} else if (digits(&q, 1, 4, &a)) {
		if (q - *p == 4 && (*q == '-' || *q == '/')) {		/* 2026-12-07, 2026/12/07 */
			char sep = *q++;

			*y = a;
			if (!digits(&q, 1, 2, mo) || *q++ != sep || !digits(&q, 1, 2, d))
				return WHEN_FORMAT;
		} else if (q - *p <= 2 && *q == '/' && q[1] >= '0' && q[1] <= '9') {
			return WHEN_NO_YEAR;	/* 12/7 or 7/12? */
		} else if (eat(&q, "年")) {				/* 2026年12月7日 */
			*y = a;
			if (!digits(&q, 1, 2, mo) || !eat(&q, "月") || !digits(&q, 1, 2, d) ||
			    !eat(&q, "日"))
				return WHEN_FORMAT;
		} else if (eat(&q, "月")) {				/* 12月7日 */
			*mo = a;
			if (!digits(&q, 1, 2, d) || !eat(&q, "日"))
				return WHEN_FORMAT;
		} else {
			return WHEN_OK;		/* a time: 9:40, 9時40分 */
		}
	} else {
		return WHEN_OK;
	}
	*p = q;
	return WHEN_OK;
}

/* The time of day at *p: 9:40, 09:40:15.5, 9時40分, 9時半, 9時, with 午前/午後 or AM/PM. */
static bool read_time(const char **p, int *h, int *mi, int *sec)
{
	const char *q = *p;
	bool am = eat(&q, "午前"), pm = !am && eat(&q, "午後");

	if (am || pm)
		q = command_skip_blanks(q, q + strlen(q));
	if (!digits(&q, 1, 2, h))
		return false;
	*mi = *sec = 0;
	if (*q == ':') {
		q++;
		if (!digits(&q, 2, 2, mi))
			return false;
		if (*q == ':') {
			q++;
			if (!digits(&q, 2, 2, sec))
				return false;
			if (*q == '.')		/* fractions of a second: dropped */
				for (q++; *q >= '0' && *q <= '9'; q++)
					;
		}
	} else if (eat(&q, "時")) {
		if (eat(&q, "半"))
			*mi = 30;
		else if (*q >= '0' && *q <= '9' && (!digits(&q, 1, 2, mi) || !eat(&q, "分")))
			return false;
	} else {
		return false;
	}
	if (eat(&q, " AM") || eat(&q, "AM"))
		am = true;
	else if (eat(&q, " PM") || eat(&q, "PM"))
		pm = true;
	if ((am || pm) && (*h < 1 || *h > 12))
		*h = 99;		/* 午後15時: out of range */
	else if (pm && *h < 12)
		*h += 12;
	else if (am && *h == 12)
		*h = 0;
	*p = q;
	return true;
}

/* The instant of a local (sign 0) or offset time; WHEN_RANGE for fields out of range. */
static enum when instant(int y, int mo, int d, int h, int mi, int sec, char sign, int off_min,
			 time_t *t)
{
	struct tm tm = { 0 };

	if (mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || h > 23 || mi > 59 || sec > 59 ||
	    off_min > 23 * 60 + 59)
		return WHEN_RANGE;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if (sign == 0) {
		*t = mktime(&tm);
	} else {
		*t = timegm(&tm);
		if (sign != 'Z')
			*t -= (sign == '+' ? 1 : -1) * (off_min * 60L);
	}
	return *t == (time_t)-1 ? WHEN_FORMAT : WHEN_OK;
}

/*
 * A folded, upper-cased date and time as admins write them, read in the
 * configured zone unless one is given (issue 13):
 *   2026-11-25T09:30+09:00   2026-11-25 09:30:00Z   2026/11/25 9:30 +0900
 *   2026-11-25 09:30 JST     2026/12/07 9:40   2026年12月7日 9時40分
 *   12月7日 9時40分 (the last 12月7日 not after tomorrow)   9:40, 昨日 23:50
 * A time alone is today's; when today's is more than an hour ahead of
 * now it could be yesterday's, and is refused (WHEN_WHICH_DAY), as is a
 * month/day without its year (12/7: WHEN_NO_YEAR, 7 December or 12
 * July?).  The fields are checked (no 31 November).
 */
static enum when parse_when(const char *s, time_t now, time_t *t)
{
	int y = 0, mo = 0, d = 0, back = -1, h, mi, sec, oh = 0, om = 0;
	const char *p = s;
	char sign = 0;
	bool dated;
	struct tm tm;
	enum when w = read_date(&p, &y, &mo, &d, &back);

	if (w != WHEN_OK)
		return w;
	dated = p != s;
	if (dated && (*p == 'T' || *p == ' '))
		p++;
	if (*p == '\0')
		return dated ? WHEN_NO_TIME : WHEN_FORMAT;
	if (!read_time(&p, &h, &mi, &sec))
		return WHEN_FORMAT;
	eat(&p, "頃");
	eat(&p, "ごろ");
	if (*p == ' ')
		p++;
	if (*p == '\0') {
		sign = 0;			/* the configured zone */
	} else if (strcmp(p, "Z") == 0 || strcmp(p, "UTC") == 0 || strcmp(p, "GMT") == 0) {
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
	if (!localtime_r(&now, &tm))
		return WHEN_FORMAT;
	if (back >= 0) {			/* 今日, 昨日: the local day */
		tm.tm_mday -= back;
		tm.tm_isdst = -1;
		if (mktime(&tm) == (time_t)-1)
			return WHEN_FORMAT;
		y = tm.tm_year + 1900;
		mo = tm.tm_mon + 1;
		d = tm.tm_mday;
	} else if (!dated) {
		y = tm.tm_year + 1900;
		mo = tm.tm_mon + 1;
		d = tm.tm_mday;
	} else if (y == 0) {			/* 12月7日: this year's, or last year's */
		y = tm.tm_year + 1900;
		if (instant(y, mo, d, h, mi, sec, sign, oh * 60 + om, t) == WHEN_OK &&
		    *t > now + 86400)
			y--;
	}
	if ((w = instant(y, mo, d, h, mi, sec, sign, oh * 60 + om, t)) != WHEN_OK)
		return w;
	if (!dated && *t > now + 3600)
		return WHEN_WHICH_DAY;		/* 23:50 written at 00:10 */
	return WHEN_OK;
}

#define WHEN_EXAMPLE "2026/12/07 9:40"

/* ERR_MESSAGE for a date and time that did not read; quoted: as written. */
static int bad_when(const struct line *ln, enum when w, const char *quoted, bool missing)
{
	switch (w) {
	case WHEN_OK:
		return 0;
	case WHEN_NO_TIME:
		return command_bad(ln, "時刻も書いてください（例 %s） / \"%s\" has no time: write "
				   "the time too", WHEN_EXAMPLE, quoted);
	case WHEN_RANGE:
		return command_bad(ln, "存在しない日時です / no such date or time \"%s\"", quoted);
	case WHEN_NO_YEAR:
		return command_bad(ln, "「%s」は月/日か日/月か分かりません。年を付けるか 12月7日 の形で書いて"
				   "ください（例 %s） / \"%s\" is ambiguous: add the year, e.g. %s",
				   quoted, WHEN_EXAMPLE, quoted, WHEN_EXAMPLE);
	case WHEN_WHICH_DAY:
		return command_bad(ln, "「%s」は今日ならまだ先の時刻です。昨日なら日付も書いてください"
				   "（例 昨日 %s、%s） / \"%s\" today is still ahead: write the date",
				   quoted, quoted, WHEN_EXAMPLE, quoted);
	case WHEN_FORMAT:
		break;
	}
	return command_bad(ln, "日時の形式が違います（例 %s、12月7日 9時40分、2026-12-07T09:40+09:00） / "
			   "%s \"%s\"", WHEN_EXAMPLE,
			   missing ? "missing the date and time" : "not a date and time", quoted);
}

/* s..e folded and upper-cased: what parse_when reads.  Malloc'd or NULL. */
static char *when_text(const char *s, size_t n)
{
	char *v = command_fold(s, n);

	for (char *p = v; p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return v;
}

int command_parse_aware(struct command *c, const struct line *ln)
{
	char *v = when_text(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	int r;

	if (!v)
		return command_out_of_memory(ln->err);
	command_clip(v, VALUE_QUOTE_MAX, quoted);
	r = bad_when(ln, *v ? parse_when(v, ln->now, &c->time) : WHEN_FORMAT, quoted, !*v);
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

/*
 * /assign ADDRESS, or /assign NAME (issue 13: people by their names): a
 * text without "@" is a configured person's name or id, which only the
 * executor can look up (value 1).  Full-width ＠ and letters typed by an
 * input method are read as ASCII.
 */
#define NAME_MAX_BYTES 100
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
	if (!strpbrk(v, "@<>\",;:()[]\\") && strlen(v) <= NAME_MAX_BYTES) {
		c->value = 1;		/* a name: "北垣 剛志", "sysadmin" */
		c->text = v;
		return 0;
	}
	if ((why = address_problem(v)) != NULL) {
		int r = command_bad(ln, "\"%s\": %s", command_clip(v, VALUE_QUOTE_MAX, quoted), why);

		free(v);
		return r;
	}
	c->text = v;
	return 0;
}

/* The end of the n-th word of s..e (n >= 1), or NULL when s..e has fewer. */
static const char *words_end(const char *s, const char *e, int n)
{
	const char *p = command_skip_blanks(s, e);

	for (int i = 0; i < n; i++) {
		if (p == e)
			return NULL;
		p = command_word_end(p, e);
		if (i + 1 < n)
			p = command_skip_blanks(p, e);
	}
	return p;
}

#define NOTICE_WORDS 3		/* 「個人情報保護委員会 確報」, "PPC 速報" … */
#define WHEN_WORDS 3		/* "2026-11-25 09:30 JST" */

/*
 * The notice at the start of a..e: the longest run of up to NOTICE_WORDS
 * words that names one; its value, *end after it; -1 when none does.
 */
static int read_notice(const char *a, const char *e, const char **end, struct error *err)
{
	for (int n = NOTICE_WORDS; n >= 1; n--) {
		const char *we = words_end(a, e, n);
		char *v;
		int k;

		if (!we)
			continue;
		if (!(v = command_fold(a, (size_t)(we - a))))
			return command_out_of_memory(err), -2;
		k = lookup(K_NOTICE, v);
		free(v);
		if (k >= 0) {
			*end = we;
			return k;
		}
	}
	return -1;
}

/*
 * No notice named: the did-you-mean tries the first one to NOTICE_WORDS
 * words ("ppc final" is ppc-final), the first word alone otherwise.
 */
static int bad_notice(const struct line *ln, const char *a, const char *e)
{
	for (int n = NOTICE_WORDS; n >= 1; n--) {
		const char *we = words_end(a, e, n);
		char *v;
		int k;

		if (!we || !(v = command_fold(a, (size_t)(we - a))))
			continue;
		k = near_value(K_NOTICE, v);
		if (k >= 0 || n == 1) {
			int r = bad_value_at(ln, K_NOTICE, v, 0, (size_t)(we - a));

			free(v);
			return r;
		}
		free(v);
	}
	return bad_value_at(ln, K_NOTICE, "", 0, 0);
}

/*
 * /done's completion time (issue 13, point 8): the longest run of up to
 * WHEN_WORDS words at *rest that reads as a date and time (the forms of
 * /aware); *rest moves past it.  0 when none does (the text starts there),
 * 1 when one did, -1 with ln->err for a time that cannot be meant.
 */
static int read_done_time(struct command *c, const struct line *ln, const char **rest)
{
	const char *e = *rest + strlen(*rest);

	for (int n = WHEN_WORDS; n >= 1; n--) {
		const char *we = words_end(*rest, e, n);
		char *v, quoted[VALUE_QUOTE_MAX + 4];
		enum when w;

		if (!we)
			continue;
		if (!(v = when_text(*rest, (size_t)(we - *rest))))
			return command_out_of_memory(ln->err);
		w = parse_when(v, ln->now, &c->time);
		command_clip(v, VALUE_QUOTE_MAX, quoted);
		free(v);
		if (w == WHEN_OK) {
			*rest = command_skip_blanks(we, e);
			return 1;
		}
		c->time = 0;
		if (w == WHEN_WHICH_DAY || w == WHEN_RANGE || w == WHEN_NO_YEAR)
			return bad_when(ln, w, quoted, false);
	}
	return 0;
}

/* /draft NOTICE, /done NOTICE [TIME] [TEXT], /skip NOTICE REASON. */
int command_parse_notice(struct command *c, const struct line *ln, enum need need)
{
	const char *a = ln->args, *e = a + strlen(a), *we = a, *rest;

	if ((c->value = read_notice(a, e, &we, ln->err)) == -2)
		return -1;
	if (c->value < 0)
		return bad_notice(ln, a, e);
	rest = command_skip_blanks(we, e);
	if (c->verb == CMD_DONE && *rest && read_done_time(c, ln, &rest) < 0)
		return -1;
	if (need == TEXT_NONE && *rest)
		return bad_extra(ln, rest, "/draft NOTICE", "/下書き 通知");
	if (need == TEXT_REQUIRED && !*rest)
		return command_bad(ln, "理由がありません。/不要 通知 理由 と書いてください / "
				   "missing the reason: write /skip NOTICE REASON");
	if (*rest && !(c->text = strdup(rest)))
		return command_out_of_memory(ln->err);
	return 0;
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
 * /lessons: the document is the text below (and what follows the command
 * on its own line) down to the next line that starts with a command word
 * (issue 13: a /close below the document is a command), kept as written —
 * quotes and lines like "/var/log/secure" too — but valid UTF-8, without
 * CRs (a CR ending a line is dropped, another one breaks the line), and
 * without blank lines before or white space after.  *ln->resume gets
 * where the commands go on.
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
		if (command_line_is_command(command_skip_blanks(p, le), le))
			break;
		while ((cr = memchr(p, '\r', (size_t)(le - p))) != NULL) {
			command_add_valid(&b, p, (size_t)(cr - p));
			buf_addc(&b, '\n');
			p = cr + 1;
		}
		command_add_valid(&b, p, (size_t)(le - p));
		buf_addc(&b, '\n');
		p = eol < end ? eol + 1 : end;
	}
	if (ln->resume)
		*ln->resume = p;
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
