/*
 * command.c — the admin commands of SPEC 6 (see command.h).
 *
 * command_parse() walks the lines from the top: blank lines are skipped,
 * a line starting with "/" or "／" is a command, anything else ends the
 * list.  A command line is made valid UTF-8 and trimmed (its raw), its
 * first word is looked up in verbs[] and aliases[], and parse_args()
 * reads what the verb takes.  Admins type with Japanese input methods
 * on, so words and values are compared after fold(): full-width ASCII
 * and U+3000 become ASCII, runs of blanks one space.  Free text is never
 * folded: it is the admin's words, kept for the record.
 */
#include "command.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "policy.h"

#define COUNT_OF(a) (sizeof (a) / sizeof *(a))

#define AFFECTED_MAX 1000000000L	/* more people than exist in Japan, tenfold */
#define CHECK_ITEM_MAX 99
#define QUOTE_MAX 80			/* bytes of a line quoted in an error */
#define VALUE_QUOTE_MAX 40		/* bytes of a value quoted in an error */

/*
 * The commands: the English word (SPEC 6's spelling; admins know it, so
 * never rename one), then for /help the arguments and what it does,
 * Japanese first.  To add a command: a value in enum cmd_verb (command.h), a line
 * here, its case in parse_args(), an alias below, and cases in
 * tests/unit/test_command.c.
 */
static const struct verb {
	const char *name;
	const char *args_ja, *args_en;
	const char *does_ja, *does_en;
} verbs[] = {
	[CMD_ACK] = { "ack", "", "",
		"このチケットを担当として引き受けます（未受付のエスカレーションが止まります）。",
		"Take the ticket (stops the unacknowledged escalation)." },
	[CMD_ASSIGN] = { "assign", "アドレス", "ADDRESS",
		"担当者をメールアドレスだけで指定します（名前や <> は付けません）。",
		"Make ADDRESS (the bare address) the person in charge." },
	[CMD_TYPE] = { "type", "種別名", "TYPE",
		"インシデントの種別を設定します（値は下の一覧）。",
		"Set the incident type (values below)." },
	[CMD_PRIORITY] = { "priority", "高|中|低", "high|medium|low",
		"復旧の優先度を設定します（規程 7-2）。",
		"Set the recovery priority (policy 7-2)." },
	[CMD_SOURCE] = { "source", "経緯", "SOURCE",
		"検知の経緯を設定します（規程 7-1、値は下の一覧）。",
		"Set how the event was detected (policy 7-1; values below)." },
	[CMD_STATUS] = { "status", "状態名", "STATUS",
		"状態を変更します（値は下の一覧）。",
		"Change the status (values below)." },
	[CMD_AWARE] = { "aware", "日時", "DATE-TIME",
		"事態を認知した日時を設定します。期限はここから数えます。"
		"タイムゾーンが必要です（例 2026-11-25T09:30+09:00、2026-11-25 09:30 JST）。",
		"Set when the company became aware; deadlines count from it. "
		"Give the zone: 2026-11-25T09:30+09:00, 2026-11-25T00:30Z." },
	[CMD_FLAG] = { "flag", "フラグ [on|off]", "FLAG [on|off]",
		"フラグを付けます（off で外します）。通知の義務と期限が変わります。",
		"Set a flag (off clears it); flags decide the notices owed." },
	[CMD_AFFECTED] = { "affected", "人数", "N",
		"影響を受けた人数を設定します（例 1200、1,200人）。",
		"Set the number of people affected (1200 or 1,200)." },
	[CMD_NOTE] = { "note", "本文", "TEXT",
		"タイムラインにメモを残します（行の残りすべて）。",
		"Add the rest of the line to the timeline." },
	[CMD_DRAFT] = { "draft", "通知", "NOTICE",
		"通知の下書きをメールで送ります。",
		"Mail me the draft of a notice." },
	[CMD_DONE] = { "done", "通知 [メモ]", "NOTICE [TEXT]",
		"通知を送付済みとして記録します。",
		"Record a notice as sent." },
	[CMD_SKIP] = { "skip", "通知 理由", "NOTICE REASON",
		"通知を不要として記録します（理由は必須）。",
		"Record a notice as not needed (the reason is required)." },
	[CMD_LESSONS] = { "lessons", "", "",
		"この行より下の本文すべてを再発防止策（教訓）の文書として記録します。最後のコマンドにしてください。",
		"Everything below this line is the lessons-learned document; put it last." },
	[CMD_CLOSE] = { "close", "[理由] または 強制 理由", "[REASON] or force REASON",
		"チケットをクローズします。教訓の文書が必要です。文書なしで閉じるには「強制」と理由を書きます。",
		"Close the ticket; needs the lessons document, or force with a reason." },
	[CMD_REOPEN] = { "reopen", "", "",
		"クローズしたチケットを再開します。",
		"Reopen a closed ticket." },
	[CMD_DRILL] = { "drill", "", "",
		"このチケットを訓練として扱います（すべてのメールに訓練と表示されます）。",
		"Mark the ticket as a drill (every mail says so)." },
	[CMD_HELP] = { "help", "", "",
		"このヘルプを返信します。",
		"Reply with this help." },
	[CMD_CHECK] = { "check", "番号", "N",
		"チェックリストの項目 N を完了にします（1〜99）。",
		"Tick checklist item N (1-99)." },
};
_Static_assert(COUNT_OF(verbs) == CMD_COUNT, "a command without a line in verbs[]");

/*
 * Other words for the commands, as typed after "/".  To add one: a line
 * here with the word as it reads after fold() (full-width ASCII already
 * ASCII; case does not matter), then the same word in the alias table of
 * tests/unit/test_command.c; /help lists it by itself.  A word must not
 * be another command's name or alias: the first match wins, so the
 * second would never be read.
 */
static const struct alias {
	const char *word;
	enum cmd_verb verb;
} aliases[] = {
	{ "受付",	CMD_ACK },
	{ "担当",	CMD_ASSIGN },
	{ "種別",	CMD_TYPE },
	{ "優先度",	CMD_PRIORITY },
	{ "検知",	CMD_SOURCE },
	{ "状態",	CMD_STATUS },
	{ "認知",	CMD_AWARE },
	{ "フラグ",	CMD_FLAG },
	{ "影響",	CMD_AFFECTED },
	{ "人数",	CMD_AFFECTED },
	{ "影響人数",	CMD_AFFECTED },
	{ "メモ",	CMD_NOTE },
	{ "下書き",	CMD_DRAFT },
	{ "完了",	CMD_DONE },
	{ "不要",	CMD_SKIP },
	{ "教訓",	CMD_LESSONS },
	{ "再発防止",	CMD_LESSONS },
	{ "クローズ",	CMD_CLOSE },
	{ "再開",	CMD_REOPEN },
	{ "訓練",	CMD_DRILL },
	{ "ヘルプ",	CMD_HELP },
	{ "チェック",	CMD_CHECK },
};

/* The keywords inside arguments, with their Japanese forms. */
static const char *const words_on[] = { "on", "オン", NULL };
static const char *const words_off[] = { "off", "オフ", NULL };
static const char *const words_force[] = { "force", "強制", NULL };

const char *command_name(enum cmd_verb v)
{
	return (int)v >= 0 && (int)v < CMD_COUNT ? verbs[v].name : "?";
}

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
static void add_valid(struct buf *b, const char *s, size_t n)
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

static const char *skip_blanks(const char *s, const char *e)
{
	size_t l;

	while ((l = blank_at(s, e)) > 0)
		s += l;
	return s;
}

static const char *trim_end(const char *s, const char *e)
{
	size_t l;

	while ((l = blank_before(s, e)) > 0)
		e -= l;
	return e;
}

/* The end of the word at s: the first blank or e. */
static const char *word_end(const char *s, const char *e)
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
static char *fold(const char *s, size_t n)
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
static bool same(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

/* Like same(), but spaces do not count: "DoS攻撃" is the label "DoS 攻撃". */
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
		if (same(word, *words))
			return true;
	return false;
}

/* ---- errors ----------------------------------------------------------- */

/*
 * Copies at most max bytes of s (valid UTF-8) into out, cut at a
 * character boundary and before any control character, with "…" when
 * something was left out.  out holds max + 4 bytes.
 */
static const char *clip(const char *s, size_t max, char *out)
{
	size_t n = 0;

	while (s[n] && (unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
		n++;
	if (n <= max && !s[n]) {
		memcpy(out, s, n + 1);
		return out;
	}
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	memcpy(out + n, "…", sizeof "…");
	return out;
}

/* What a line's parse needs to read it and to say what is wrong with it. */
struct line {
	int no;			/* 1-based */
	const char *raw;	/* the trimmed, valid line */
	const char *args;	/* in raw: after the command word and its blanks */
	const char *rest;	/* the text after this line (for /lessons) */
	struct error *err;
};

/* ERR_MESSAGE "line N: "RAW": reason"; returns -1. */
__attribute__((format(printf, 2, 3)))
static int bad(const struct line *ln, const char *fmt, ...)
{
	char reason[sizeof ln->err->msg], quoted[QUOTE_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return error_set(ln->err, ERR_MESSAGE, "line %d: \"%s\": %s", ln->no,
			 clip(ln->raw, QUOTE_MAX, quoted), reason);
}

static int out_of_memory(struct error *err)
{
	return error_set(err, ERR_FATAL, "command: out of memory");
}

/* ---- values ----------------------------------------------------------- */

/* The enumerations of policy.h an argument may name. */
enum kind { K_TYPE, K_PRIORITY, K_SOURCE, K_STATUS, K_FLAG, K_NOTICE };

static const struct kind_info {
	const char *en, *ja;		/* for messages and /help */
	int count;
	bool labels;			/* the Japanese labels are accepted too */
} kinds[] = {
	[K_TYPE]	= { "type",	"種別",		TYPE_COUNT,	true },
	[K_PRIORITY]	= { "priority",	"優先度",	PRIORITY_COUNT,	true },
	[K_SOURCE]	= { "source",	"検知の経緯",	SOURCE_COUNT,	true },
	[K_STATUS]	= { "status",	"状態",		STATUS_COUNT,	true },
	[K_FLAG]	= { "flag",	"フラグ",	FLAG_COUNT,	true },
	/* Notice labels are sentences ("Amazon への通知 (24 時間以内)"), and
	 * /done and /skip take text after the notice: names only. */
	[K_NOTICE]	= { "notice",	"通知",		OBL_COUNT,	false },
};

static const char *kind_name(enum kind k, int i)
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

static const char *kind_label(enum kind k, int i)
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

	if (i >= 0 || !kinds[k].labels)
		return i;
	for (i = 0; i < kinds[k].count; i++)
		if (same_label(kind_label(k, i), v))
			return i;
	return -1;
}

/* "high, medium, low": the names of a kind, for a message. */
static const char *names_of(enum kind k, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < kinds[k].count && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "", kind_name(k, i));

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
		return bad(ln, "missing the %s / %sがありません; use one of / 次のいずれか: %s%s",
			   kinds[k].en, kinds[k].ja, names,
			   kinds[k].labels ? " (or the Japanese name / 日本語名も可)" : "");
	return bad(ln, "unknown %s \"%s\" / 不明な%sです; use one of / 次のいずれか: %s%s",
		   kinds[k].en, clip(v, VALUE_QUOTE_MAX, quoted), kinds[k].ja, names,
		   kinds[k].labels ? " (or the Japanese name / 日本語名も可)" : "");
}

static int bad_extra(const struct line *ln, const char *extra, const char *usage_en,
		     const char *usage_ja)
{
	char quoted[VALUE_QUOTE_MAX + 4];

	return bad(ln, "extra \"%s\": write %s / 余分な引数です。%s と書いてください",
		   clip(extra, VALUE_QUOTE_MAX, quoted), usage_en, usage_ja);
}

/* ---- arguments -------------------------------------------------------- */

/* /type, /priority, /source, /status: the whole rest is one value. */
static int parse_value(struct command *c, const struct line *ln, enum kind k)
{
	char *v = fold(ln->args, strlen(ln->args));
	int r = 0;

	if (!v)
		return out_of_memory(ln->err);
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
static int parse_flag(struct command *c, const struct line *ln)
{
	char *v = fold(ln->args, strlen(ln->args)), *last;
	int r = 0;

	if (!v)
		return out_of_memory(ln->err);
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
static int parse_number(struct command *c, const struct line *ln)
{
	bool affected = c->verb == CMD_AFFECTED;
	char *v = fold(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	int r = 0;

	if (!v)
		return out_of_memory(ln->err);
	if (affected) {
		strip_suffix(v, "人");
		strip_suffix(v, "名");
		c->number = parse_count(v, true, AFFECTED_MAX);
		if (c->number == -2)
			r = bad(ln, "\"%s\" is more than 1,000,000,000 / 人数が大きすぎます（10 億まで）",
				clip(v, VALUE_QUOTE_MAX, quoted));
		else if (c->number < 0)
			r = bad(ln, "%s \"%s\": write the number of people, e.g. 1200 or 1,200 / "
				"人数を数字で書いてください（例 1200、1,200）",
				*v ? "not a number" : "missing the number",
				clip(v, VALUE_QUOTE_MAX, quoted));
	} else {
		c->number = parse_count(v, false, CHECK_ITEM_MAX);
		if (c->number < 1)
			r = bad(ln, "not a checklist item \"%s\": write its number, 1-99 / "
				"チェックリストの項目番号（1〜99）を書いてください",
				clip(v, VALUE_QUOTE_MAX, quoted));
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

static int parse_aware(struct command *c, const struct line *ln)
{
	char *v = fold(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	int r = 0;

	if (!v)
		return out_of_memory(ln->err);
	for (char *p = v; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	clip(v, VALUE_QUOTE_MAX, quoted);
	switch (*v ? parse_when(v, &c->time) : WHEN_FORMAT) {
	case WHEN_OK:
		break;
	case WHEN_NO_ZONE:
		r = bad(ln, "\"%s\" has no time zone: add it, e.g. %s (JST) or Z (UTC) / "
			"タイムゾーンがありません。+09:00（日本時間）などを付けてください",
			quoted, WHEN_EXAMPLE);
		break;
	case WHEN_NO_TIME:
		r = bad(ln, "\"%s\" has no time: write the time and its zone, e.g. %s / "
			"時刻とタイムゾーンも書いてください（例 %s）", quoted, WHEN_EXAMPLE, WHEN_EXAMPLE);
		break;
	case WHEN_RANGE:
		r = bad(ln, "no such date or time \"%s\" / 存在しない日時です", quoted);
		break;
	case WHEN_FORMAT:
		r = bad(ln, "%s \"%s\": write e.g. %s / 日時の形式が違います（例 %s）",
			*v ? "not a date and time" : "missing the date and time",
			quoted, WHEN_EXAMPLE, WHEN_EXAMPLE);
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
static int parse_assign(struct command *c, const struct line *ln)
{
	char *v = fold(ln->args, strlen(ln->args)), quoted[VALUE_QUOTE_MAX + 4];
	const char *why;

	if (!v)
		return out_of_memory(ln->err);
	if (!*v) {
		free(v);
		return bad(ln, "missing the address, e.g. /assign taro@example.jp / "
			   "担当者のメールアドレスがありません");
	}
	if ((why = address_problem(v)) != NULL) {
		int r = bad(ln, "\"%s\": %s", clip(v, VALUE_QUOTE_MAX, quoted), why);

		free(v);
		return r;
	}
	c->text = v;
	return 0;
}

enum need { TEXT_NONE, TEXT_OPTIONAL, TEXT_REQUIRED };

/* /draft NOTICE, /done NOTICE [TEXT], /skip NOTICE REASON. */
static int parse_notice(struct command *c, const struct line *ln, enum need need)
{
	const char *a = ln->args, *e = a + strlen(a), *we = word_end(a, e);
	const char *rest = skip_blanks(we, e);
	char *v = fold(a, (size_t)(we - a));
	int r = 0;

	if (!v)
		return out_of_memory(ln->err);
	if ((c->value = lookup(K_NOTICE, v)) < 0)
		r = bad_value(ln, K_NOTICE, v);
	else if (need == TEXT_NONE && *rest)
		r = bad_extra(ln, rest, "/draft NOTICE", "/下書き 通知");
	else if (need == TEXT_REQUIRED && !*rest)
		r = bad(ln, "missing the reason: write /skip NOTICE REASON / "
			"理由がありません。/不要 通知 理由 と書いてください");
	else if (*rest && !(c->text = strdup(rest)))
		r = out_of_memory(ln->err);
	free(v);
	return r;
}

/* /note TEXT: the rest of the line, as written. */
static int parse_note(struct command *c, const struct line *ln)
{
	if (!*ln->args)
		return bad(ln, "missing the text: write /note TEXT / メモの本文がありません");
	if (!(c->text = strdup(ln->args)))
		return out_of_memory(ln->err);
	return 0;
}

/* /close [REASON] or /close force REASON (also 強制). */
static int parse_close(struct command *c, const struct line *ln)
{
	const char *a = ln->args, *e = a + strlen(a), *we = word_end(a, e);
	const char *text = a;
	char *w;

	if (!*a)
		return 0;
	if (!(w = fold(a, (size_t)(we - a))))
		return out_of_memory(ln->err);
	c->force = is_one_of(w, words_force);
	free(w);
	if (c->force) {
		text = skip_blanks(we, e);
		if (!*text)
			return bad(ln, "force needs a reason: write /close force REASON / "
				   "強制クローズには理由が必要です（/クローズ 強制 理由）");
	}
	if (!(c->text = strdup(text)))
		return out_of_memory(ln->err);
	return 0;
}

/*
 * /lessons: the document is the rest of the text (and what follows the
 * command on its own line), kept as written — lines that look like
 * commands or quotes too — but valid UTF-8, without CRs (a CR ending a
 * line is dropped, another one breaks the line), and without blank lines
 * before or white space after.
 */
static int parse_lessons(struct command *c, const struct line *ln)
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
			add_valid(&b, p, (size_t)(cr - p));
			buf_addc(&b, '\n');
			p = cr + 1;
		}
		add_valid(&b, p, (size_t)(le - p));
		buf_addc(&b, '\n');
		p = eol < end ? eol + 1 : end;
	}
	if (!(doc = buf_take(&b)))
		return out_of_memory(ln->err);
	s = doc;
	e = doc + strlen(doc);
	for (const char *q; *(q = skip_blanks(s, e)) == '\n'; )
		s = (char *)q + 1;
	while (e > s && ((l = blank_before(s, e)) > 0 || e[-1] == '\n'))
		e -= l ? l : 1;
	if (s == e) {
		free(doc);
		return bad(ln, "the document is missing: write it below the /lessons line / "
			   "文書がありません。/教訓 の次の行から書いてください");
	}
	memmove(doc, s, (size_t)(e - s));
	doc[e - s] = '\0';
	c->text = doc;
	return 0;
}

static int parse_args(struct command *c, const struct line *ln)
{
	switch (c->verb) {
	case CMD_ACK:
	case CMD_REOPEN:
	case CMD_DRILL:
	case CMD_HELP:
		if (*ln->args) {
			char quoted[VALUE_QUOTE_MAX + 4];

			return bad(ln, "extra \"%s\": /%s takes no argument / 引数は不要です",
				   clip(ln->args, VALUE_QUOTE_MAX, quoted), command_name(c->verb));
		}
		return 0;
	case CMD_ASSIGN: return parse_assign(c, ln);
	case CMD_TYPE: return parse_value(c, ln, K_TYPE);
	case CMD_PRIORITY: return parse_value(c, ln, K_PRIORITY);
	case CMD_SOURCE: return parse_value(c, ln, K_SOURCE);
	case CMD_STATUS: return parse_value(c, ln, K_STATUS);
	case CMD_AWARE: return parse_aware(c, ln);
	case CMD_FLAG: return parse_flag(c, ln);
	case CMD_AFFECTED:
	case CMD_CHECK: return parse_number(c, ln);
	case CMD_NOTE: return parse_note(c, ln);
	case CMD_DRAFT: return parse_notice(c, ln, TEXT_NONE);
	case CMD_DONE: return parse_notice(c, ln, TEXT_OPTIONAL);
	case CMD_SKIP: return parse_notice(c, ln, TEXT_REQUIRED);
	case CMD_LESSONS: return parse_lessons(c, ln);
	case CMD_CLOSE: return parse_close(c, ln);
	case CMD_COUNT: break;
	}
	return bad(ln, "unknown command / 不明なコマンドです");
}

/* ---- lines ------------------------------------------------------------ */

/* The folded command word (any case): its verb, or -1. */
static int verb_of(const char *word)
{
	for (int v = 0; v < CMD_COUNT; v++)
		if (same(word, verbs[v].name))
			return v;
	for (size_t i = 0; i < COUNT_OF(aliases); i++)
		if (same(word, aliases[i].word))
			return (int)aliases[i].verb;
	return -1;
}

#define FULLWIDTH_SLASH "\xef\xbc\x8f"	/* ／ U+FF0F */

static size_t slash_at(const char *s, const char *e)
{
	if (s < e && *s == '/')
		return 1;
	if (e - s >= 3 && memcmp(s, FULLWIDTH_SLASH, 3) == 0)
		return 3;
	return 0;
}

/*
 * The command on s..e (the line without its leading blanks and final CR):
 * appended to l, or -1 with err.  rest: the text below the line.
 */
static int parse_line(struct command_list *l, int no, const char *s, const char *e,
		      const char *rest, struct error *err)
{
	struct command c = { .line = no, .value = -1, .number = -1 };
	struct line ln = { .no = no, .rest = rest, .err = err };
	struct command *grown;
	struct buf b = { 0 };
	const char *w, *we, *re;
	char *word, quoted[VALUE_QUOTE_MAX + 4];
	int v;

	add_valid(&b, s, (size_t)(e - s));
	if (!(c.raw = buf_take(&b)))
		return out_of_memory(err);
	re = trim_end(c.raw, c.raw + strlen(c.raw));
	c.raw[re - c.raw] = '\0';
	ln.raw = c.raw;
	if (l->n >= COMMAND_MAX) {
		bad(&ln, "too many commands: at most %d in one mail / "
		    "コマンドは 1 通に %d 個までです", COMMAND_MAX, COMMAND_MAX);
		goto fail;
	}
	if (strchr(c.raw, '\r')) {
		bad(&ln, "a carriage return (CR) inside the line / 行の途中に改行コード (CR) があります");
		goto fail;
	}
	w = c.raw + slash_at(c.raw, re);
	we = word_end(w, re);
	if (!(word = fold(w, (size_t)(we - w)))) {
		out_of_memory(err);
		goto fail;
	}
	v = verb_of(word);
	if (v < 0) {
		bad(&ln, "unknown command \"/%s\": /help lists them / "
		    "不明なコマンドです（/help で一覧を返信します）",
		    clip(word, VALUE_QUOTE_MAX, quoted));
		free(word);
		goto fail;
	}
	free(word);
	c.verb = (enum cmd_verb)v;
	ln.args = skip_blanks(we, re);
	if (parse_args(&c, &ln) < 0)
		goto fail;
	if (!(grown = realloc(l->cmds, (l->n + 1) * sizeof *grown))) {
		out_of_memory(err);
		goto fail;
	}
	l->cmds = grown;
	l->cmds[l->n++] = c;
	return 0;
fail:
	free(c.raw);
	free(c.text);
	return -1;
}

int command_parse(const char *text, struct command_list *out, struct error *err)
{
	const char *p = text ? text : "", *end = p + strlen(p);
	int no = 0;

	out->cmds = NULL;
	out->n = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s, *e, *next;

		if (!eol)
			eol = end;
		next = eol < end ? eol + 1 : end;
		e = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		s = skip_blanks(p, e);
		no++;
		if (s == e) {			/* blank: before or between commands */
			p = next;
			continue;
		}
		if (!slash_at(s, e))		/* prose, a quote, a signature: the end */
			break;
		if (parse_line(out, no, s, e, next, err) < 0) {
			command_list_release(out);
			return -1;
		}
		if (out->cmds[out->n - 1].verb == CMD_LESSONS)
			break;			/* it took the rest */
		p = next;
	}
	return 0;
}

void command_list_release(struct command_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->cmds[i].raw);
		free(l->cmds[i].text);
	}
	free(l->cmds);
	l->cmds = NULL;
	l->n = 0;
}

/* ---- help ------------------------------------------------------------- */

/* "/影響 人数   /affected N   （別名 also: /人数 /影響人数）", then what it does. */
static void help_command(struct buf *b, enum cmd_verb v)
{
	const struct verb *vb = &verbs[v];
	size_t first = COUNT_OF(aliases), more = 0;

	for (size_t i = 0; i < COUNT_OF(aliases); i++)
		if (aliases[i].verb == v && first == COUNT_OF(aliases))
			first = i;
		else if (aliases[i].verb == v)
			more++;
	if (first < COUNT_OF(aliases)) {
		buf_addc(b, '/');
		buf_adds(b, aliases[first].word);
		if (*vb->args_ja) {
			buf_addc(b, ' ');
			buf_adds(b, vb->args_ja);
		}
		buf_adds(b, "   ");
	}
	buf_addc(b, '/');
	buf_adds(b, vb->name);
	if (*vb->args_en) {
		buf_addc(b, ' ');
		buf_adds(b, vb->args_en);
	}
	if (more > 0) {
		buf_adds(b, "   （別名 also:");
		for (size_t i = first + 1; i < COUNT_OF(aliases); i++)
			if (aliases[i].verb == v) {
				buf_adds(b, " /");
				buf_adds(b, aliases[i].word);
			}
		buf_adds(b, "）");
	}
	buf_adds(b, "\n    ");
	buf_adds(b, vb->does_ja);
	buf_adds(b, "\n    ");
	buf_adds(b, vb->does_en);
	buf_addc(b, '\n');
}

static void help_values(struct buf *b, enum kind k, const char *heading)
{
	buf_adds(b, heading);
	buf_addc(b, '\n');
	for (int i = 0; i < kinds[k].count; i++) {
		const char *name = kind_name(k, i);

		buf_adds(b, "    ");
		buf_adds(b, name);
		for (size_t n = strlen(name); n < 22; n++)
			buf_addc(b, ' ');
		buf_adds(b, kind_label(k, i));
		buf_addc(b, '\n');
	}
}

#define STRINGIFY(x) #x
#define MAX_TEXT_(x) STRINGIFY(x)
#define MAX_TEXT MAX_TEXT_(COMMAND_MAX)

const char *command_help(void)
{
	static char *help;
	struct buf b = { 0 };

	if (help)
		return help;
	buf_adds(&b,
		"管理者コマンド / Admin commands\n"
		"\n"
		"返信の本文の先頭に、1 行に 1 つずつ書いてください。「/」は全角の「／」でも、"
		"英字・数字は全角や大文字でも構いません。コマンドでない最初の行から下（引用や署名）は"
		"読みません。1 通のコマンドはまとめて適用され、1 つでも誤りがあればどれも適用されません"
		"（1 通 " MAX_TEXT " 個まで）。\n"
		"Write one command per line at the top of your reply; \"／\", full-width and "
		"upper-case letters work too. The first line that is not a command ends them: "
		"quotes and signatures are never read. A mail's commands apply together or not "
		"at all (at most " MAX_TEXT ").\n"
		"\n");
	for (int v = 0; v < CMD_COUNT; v++)
		help_command(&b, (enum cmd_verb)v);
	buf_adds(&b,
		"\n"
		"値の一覧（英語名でも日本語名でも指定できます。通知は英語名のみ）\n"
		"Values (the English or the Japanese name; notices by English name only)\n"
		"\n");
	help_values(&b, K_TYPE, "種別 TYPE (/type)");
	help_values(&b, K_PRIORITY, "優先度 PRIORITY (/priority)");
	help_values(&b, K_SOURCE, "検知 SOURCE (/source)");
	help_values(&b, K_STATUS, "状態 STATUS (/status)");
	help_values(&b, K_FLAG, "フラグ FLAG (/flag)");
	help_values(&b, K_NOTICE, "通知 NOTICE (/draft /done /skip)");
	help = buf_take(&b);
	return help ? help : "help: out of memory / メモリ不足です\n";
}
