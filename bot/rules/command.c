/*
 * command.c — the admin commands of SPEC 6 (see command.h): the lines,
 * the command words, the dispatch to the argument parsers, /help, and
 * how an error names its line.
 *
 * command_parse() walks the lines from the top: blank lines are skipped,
 * a line starting with "/" or "／" is a command, anything else ends the
 * list.  A command line is made valid UTF-8 and trimmed (its raw), its
 * first word is looked up in verbs[] and aliases[], and parse_args()
 * hands what follows to the verb's parser in command_args.c.  Admins
 * type with Japanese input methods on, so words and values are compared
 * after command_fold(): full-width ASCII and U+3000 become ASCII, runs of
 * blanks one space.  Free text is never folded: it is the admin's words,
 * kept for the record.
 */
#include "rules/command.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/utf8.h"
#include "rules/command_internal.h"

#define COUNT_OF(a) (sizeof (a) / sizeof *(a))

#define QUOTE_MAX 80			/* bytes of a line quoted in an error */

/*
 * The commands: the English word (SPEC 6's spelling; admins know it, so
 * never rename one), then for /help the arguments and what it does,
 * Japanese first.  To add a command: a value in enum cmd_verb (command.h), a line
 * here, its case in parse_args(), an alias below, and cases in
 * tests/unit/rules/test_command.c; then its case in run_one() in
 * desk/admin.c, which only reports — the change of the ticket's state
 * is an engine_* function in desk/engine.c (the one writer of a ticket:
 * store, event, obligations re-synced), tested in
 * tests/unit/desk/test_engine.c.
 */
static const struct verb {
	const char *name;
	const char *args;		/* for /help, the Japanese words */
	const char *does_ja, *does_en;	/* one short line each */
} verbs[] = {
	[CMD_ACK] = { "ack", "", "担当として引き受ける（未受付のエスカレーションが止まる）", "take the ticket" },
	[CMD_ASSIGN] = { "assign", "アドレス", "担当者を指定", "make ADDRESS the owner" },
	[CMD_TYPE] = { "type", "種別", "種別を設定", "set the type" },
	[CMD_PRIORITY] = { "priority", "高|中|低", "優先度（規程 7-2）", "set the priority" },
	[CMD_SOURCE] = { "source", "経緯", "検知の経緯（規程 7-1）", "set how it was detected" },
	[CMD_STATUS] = { "status", "状態", "状態を変更", "change the status" },
	[CMD_AWARE] = { "aware", "日時", "認知日時。期限はここから数える", "set the awareness time" },
	[CMD_FLAG] = { "flag", "フラグ [off]", "フラグを付ける／外す（通知の義務が変わる）", "set or clear a flag" },
	[CMD_AFFECTED] = { "affected", "人数", "影響を受けた人数", "number of people affected" },
	[CMD_NOTE] = { "note", "本文", "タイムラインにメモ", "add a note" },
	[CMD_DRAFT] = { "draft", "通知", "通知の下書きを送る", "mail me a notice's draft" },
	[CMD_DONE] = { "done", "通知 [日時] [メモ]", "通知を送付済みに（日時は実際に送った時刻）", "record a notice as sent" },
	[CMD_SKIP] = { "skip", "通知 理由", "通知を不要に（理由は必須）", "record a notice as not needed" },
	[CMD_LESSONS] = { "lessons", "", "次の行から次のコマンド行までを教訓の文書に（規程 8）", "the lines below are the lessons document" },
	[CMD_CLOSE] = { "close", "[強制 理由]", "クローズ（教訓の文書が必要）", "close (needs the lessons, or force REASON)" },
	[CMD_REOPEN] = { "reopen", "", "再開", "reopen" },
	[CMD_DRILL] = { "drill", "", "訓練として扱う", "mark as a drill" },
	[CMD_HELP] = { "help", "", "この説明を返信", "this help" },
	[CMD_CHECK] = { "check", "番号", "チェックリストの項目を完了に", "tick a checklist item" },
	[CMD_TOKEN] = { "token", "", "新しい返信用アドレスを送る", "mail me a fresh reply address" },
};
_Static_assert(COUNT_OF(verbs) == CMD_COUNT, "a command without a line in verbs[]");

/*
 * Other words for the commands, as typed after "/".  To add one: a line
 * here with the word as it reads after command_fold() (full-width ASCII already
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
	{ "トークン",	CMD_TOKEN },
};

const char *command_name(enum cmd_verb v)
{
	return (int)v >= 0 && (int)v < CMD_COUNT ? verbs[v].name : "?";
}

/* ---- errors ----------------------------------------------------------- */

/* Copies s into out, clipped; see command_internal.h. */
const char *command_clip(const char *s, size_t max, char *out)
{
	size_t n = 0;

	while (s[n] && (unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
		n++;
	if (n <= max && !s[n]) {
		memcpy(out, s, n + 1);
		return out;
	}
	n = utf8_cut_bytes(s, n, max);
	memcpy(out, s, n);
	memcpy(out + n, "…", sizeof "…");
	return out;
}

/* ERR_MESSAGE "N 行目 / line N: "RAW": reason"; returns -1. */
int command_bad(const struct line *ln, const char *fmt, ...)
{
	char reason[sizeof ln->err->msg], quoted[QUOTE_MAX + 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	if (ln->reason)
		memcpy(ln->reason, reason, sizeof reason);
	/* issue 14 (point 9): the line named in Japanese first, as admin.c does */
	return error_set(ln->err, ERR_MESSAGE, "%d 行目 / line %d: \"%s\": %s", ln->no, ln->no,
			 command_clip(ln->raw, QUOTE_MAX, quoted), reason);
}

int command_out_of_memory(struct error *err)
{
	return error_set(err, ERR_TEMP, "command: out of memory");
}

static int parse_args(struct command *c, const struct line *ln)
{
	switch (c->verb) {
	case CMD_ACK:
	case CMD_REOPEN:
	case CMD_DRILL:
	case CMD_HELP:
	case CMD_TOKEN:
		if (*ln->args) {
			char quoted[VALUE_QUOTE_MAX + 4];

			return command_bad(ln, "引数は不要です / extra \"%s\": /%s takes no argument",
					   command_clip(ln->args, VALUE_QUOTE_MAX, quoted), command_name(c->verb));
		}
		return 0;
	case CMD_ASSIGN: return command_parse_assign(c, ln);
	case CMD_TYPE: return command_parse_value(c, ln, K_TYPE);
	case CMD_PRIORITY: return command_parse_value(c, ln, K_PRIORITY);
	case CMD_SOURCE: return command_parse_value(c, ln, K_SOURCE);
	case CMD_STATUS: return command_parse_value(c, ln, K_STATUS);
	case CMD_AWARE: return command_parse_aware(c, ln);
	case CMD_FLAG: return command_parse_flag(c, ln);
	case CMD_AFFECTED:
	case CMD_CHECK: return command_parse_number(c, ln);
	case CMD_NOTE: return command_parse_note(c, ln);
	case CMD_DRAFT: return command_parse_notice(c, ln, TEXT_NONE);
	case CMD_DONE: return command_parse_notice(c, ln, TEXT_OPTIONAL);
	case CMD_SKIP: return command_parse_notice(c, ln, TEXT_REQUIRED);
	case CMD_LESSONS: return command_parse_lessons(c, ln);
	case CMD_CLOSE: return command_parse_close(c, ln);
	case CMD_COUNT: break;
	}
	return command_bad(ln, "不明なコマンドです / unknown command");
}

/* ---- lines ------------------------------------------------------------ */

/* The folded command word (any case): its verb, or -1. */
static int verb_of(const char *word)
{
	for (int v = 0; v < CMD_COUNT; v++)
		if (command_same(word, verbs[v].name))
			return v;
	for (size_t i = 0; i < COUNT_OF(aliases); i++)
		if (command_same(word, aliases[i].word))
			return (int)aliases[i].verb;
	return -1;
}

/* The command word that the folded word nearly is ("/acknowledge" is not: too far), or NULL. */
static const char *near_verb(const char *word)
{
	int limit = command_near_limit(word), best_d = limit + 1;
	const char *best = NULL;
	bool tie = false;

	for (int v = 0; v < CMD_COUNT; v++) {
		int d = command_distance(word, verbs[v].name, limit);

		if (d < best_d)
			best = verbs[v].name, best_d = d, tie = false;
		else if (d == best_d && d <= limit)
			tie = true;
	}
	for (size_t i = 0; i < COUNT_OF(aliases); i++) {
		int d = command_distance(word, aliases[i].word, limit);

		if (d < best_d)
			best = aliases[i].word, best_d = d, tie = false;
		else if (d == best_d && d <= limit && strcmp(best, aliases[i].word) != 0)
			tie = true;
	}
	return best_d <= limit && !tie ? best : NULL;
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

bool command_line_is_command(const char *s, const char *e)
{
	size_t n = slash_at(s, e);
	const char *we;
	char *word;
	bool is;

	if (n == 0)
		return false;
	s += n;
	we = command_word_end(s, e);
	if (!(word = command_fold(s, (size_t)(we - s))))
		return false;
	is = verb_of(word) >= 0;
	free(word);
	return is;
}

/* Keeps the bad line ln (its why in err, its fix if any) in l->flaws; -1 when memory ran out. */
static int add_flaw(struct command_list *l, const struct line *ln, char *fix)
{
	struct command_flaw *grown = realloc(l->flaws, (l->n_flaws + 1) * sizeof *grown);
	struct command_flaw *f;

	if (!grown) {
		free(fix);
		return -1;
	}
	l->flaws = grown;
	f = &l->flaws[l->n_flaws];
	f->line = ln->no;
	f->raw = strdup(ln->raw);
	f->why = strdup(ln->err->msg);
	f->reason = strdup(ln->reason);
	f->fix = fix;
	if (!f->raw || !f->why || !f->reason) {
		free(f->raw);
		free(f->why);
		free(f->reason);
		free(fix);
		return -1;
	}
	l->n_flaws++;
	return 0;
}

/*
 * The command on s..e (the line without its leading blanks and final CR):
 * appended to l->cmds, or, when it is bad, to l->flaws (0 both times);
 * -1 when memory ran out.  rest: the text below the line; *resume: where
 * the next command may be (/lessons moves it past its document).
 */
static int parse_line(struct command_list *l, int no, const char *s, const char *e,
		      const char *rest, const char **resume, time_t now, struct error *err)
{
	struct command c = { .line = no, .value = -1, .number = -1 };
	struct error lerr = { 0 };
	char *fix = NULL, reason[sizeof lerr.msg] = "";
	struct line ln = { .no = no, .rest = rest, .resume = resume, .now = now, .fix = &fix,
			   .reason = reason, .err = &lerr };
	struct command *grown;
	struct buf b = { 0 };
	const char *w, *we, *re, *near;
	char *word, quoted[VALUE_QUOTE_MAX + 4];
	int v;

	command_add_valid(&b, s, (size_t)(e - s));
	if (!(c.raw = buf_take(&b)))
		return command_out_of_memory(err);
	re = command_trim_end(c.raw, c.raw + strlen(c.raw));
	c.raw[re - c.raw] = '\0';
	ln.raw = c.raw;
	ln.args = re;
	if (l->n + l->n_flaws >= COMMAND_MAX) {
		command_bad(&ln, "コマンドは 1 通に %d 個までです / "
			    "too many commands: at most %d in one mail", COMMAND_MAX, COMMAND_MAX);
		goto bad;
	}
	if (strchr(c.raw, '\r')) {
		command_bad(&ln, "行の途中に改行コード (CR) があります / a carriage return (CR) inside the line");
		goto bad;
	}
	w = c.raw + slash_at(c.raw, re);
	we = command_word_end(w, re);
	ln.args = command_skip_blanks(we, re);
	if (!(word = command_fold(w, (size_t)(we - w)))) {
		command_out_of_memory(&lerr);
		goto bad;
	}
	v = verb_of(word);
	if (v < 0) {
		if ((near = near_verb(word)) != NULL) {
			struct buf fb = { 0 };

			buf_add(&fb, c.raw, (size_t)(w - c.raw));
			buf_adds(&fb, near);
			buf_adds(&fb, we);
			fix = buf_take(&fb);
			command_bad(&ln, "不明なコマンドです。もしかして「/%s」ですか / "
				    "unknown command \"/%s\": did you mean /%s?", near,
				    command_clip(word, VALUE_QUOTE_MAX, quoted), near);
		} else {
			command_bad(&ln, "不明なコマンドです（/help で一覧を返信します） / "
				    "unknown command \"/%s\": /help lists them",
				    command_clip(word, VALUE_QUOTE_MAX, quoted));
		}
		free(word);
		goto bad;
	}
	free(word);
	c.verb = (enum cmd_verb)v;
	if (parse_args(&c, &ln) < 0)
		goto bad;
	if (!(grown = realloc(l->cmds, (l->n + 1) * sizeof *grown))) {
		command_out_of_memory(err);
		goto fail;
	}
	l->cmds = grown;
	l->cmds[l->n++] = c;
	free(fix);
	return 0;
bad:
	if (lerr.cls != ERR_MESSAGE) {
		*err = lerr;
		goto fail;
	}
	if (!l->n_flaws)
		*err = lerr;		/* the first bad line is the error */
	free(c.text);
	c.text = NULL;
	if (add_flaw(l, &ln, fix) < 0) {
		fix = NULL;
		command_out_of_memory(err);
		goto fail;
	}
	free(c.raw);
	return 0;
fail:
	free(fix);
	free(c.raw);
	free(c.text);
	return -1;
}

int command_parse(const char *text, time_t now, struct command_list *out, struct error *err)
{
	const char *p = text ? text : "", *end = p + strlen(p);
	int no = 0;

	*out = (struct command_list){ 0 };
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *s, *e, *next;

		if (!eol)
			eol = end;
		next = eol < end ? eol + 1 : end;
		e = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		s = command_skip_blanks(p, e);
		no++;
		if (s == e) {			/* blank: before or between commands */
			p = next;
			continue;
		}
		if (!slash_at(s, e))		/* prose, a quote, a signature: the end */
			break;
		{
			const char *resume = next;

			if (parse_line(out, no, s, e, next, &resume, now, err) < 0) {
				command_list_release(out);
				return -1;
			}
			/* /lessons took the lines down to the next command */
			for (const char *q = next; q < resume; q++)
				no += *q == '\n';
			p = resume;
		}
		if (out->n + out->n_flaws > COMMAND_MAX)
			break;			/* the one too many is refused; no more are read */
	}
	return out->n_flaws ? -1 : 0;
}

void command_list_release(struct command_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->cmds[i].raw);
		free(l->cmds[i].text);
	}
	for (size_t i = 0; i < l->n_flaws; i++) {
		free(l->flaws[i].raw);
		free(l->flaws[i].why);
		free(l->flaws[i].reason);
		free(l->flaws[i].fix);
	}
	free(l->cmds);
	free(l->flaws);
	*l = (struct command_list){ 0 };
}

/* ---- help ------------------------------------------------------------- */

/* "/受付 /ack — 担当として… / take the ticket": one line per command, its aliases after it. */
static void help_command(struct buf *b, enum cmd_verb v)
{
	const struct verb *vb = &verbs[v];
	bool first = true;

	for (size_t i = 0; i < COUNT_OF(aliases); i++)
		if (aliases[i].verb == v) {
			buf_adds(b, first ? "/" : " /");
			buf_adds(b, aliases[i].word);
			first = false;
		}
	buf_adds(b, first ? "/" : " (/");
	buf_adds(b, vb->name);
	buf_adds(b, first ? "" : ")");
	if (*vb->args) {
		buf_addc(b, ' ');
		buf_adds(b, vb->args);
	}
	buf_adds(b, " — ");
	buf_adds(b, vb->does_ja);
	buf_adds(b, " / ");
	buf_adds(b, vb->does_en);
	buf_addc(b, '\n');
}

#define STRINGIFY(x) #x
#define MAX_TEXT_(x) STRINGIFY(x)
#define MAX_TEXT MAX_TEXT_(COMMAND_MAX)

/*
 * Issue 13: short enough to read on a phone (the whole reply at most 40
 * lines), every command and alias, and examples that can be copied.
 * The values each command takes are listed by the refusal of a wrong one.
 */
const char *command_help(void)
{
	static char *help;
	struct buf b = { 0 };

	if (help)
		return help;
	buf_adds(&b,
		"管理者コマンド — 返信の先頭に 1 行に 1 つ書きます（全角の／や英数字も可）。\n"
		"Admin commands: one per line at the top of your reply.\n");
	for (int v = 0; v < CMD_COUNT; v++)
		help_command(&b, (enum cmd_verb)v);
	buf_adds(&b,
		"例 / examples（1 行ずつそのまま使えます / copy as they are）:\n"
		"  /受付\n"
		"  /認知 2026/12/07 9:40\n"
		"  /フラグ 個人情報\n"
		"  /影響 1,200\n"
		"  /完了 速報 2026/12/07 15:10 電子申請で提出\n"
		"日時は設定のタイムゾーンで読みます（12月7日 9時40分、9:40 は今日）。値は日本語名でも英語名でも"
		"書けます。1 通のコマンドはまとめて適用され、1 行でも誤りがあればどれも適用されません"
		"（" MAX_TEXT " 個まで）。\n"
		"Dates are in the configured zone; a mail's commands apply together or not at all, "
		"and a refusal lists every line.\n");
	help = buf_take(&b);
	return help ? help : "help: out of memory / メモリ不足です\n";
}
