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
#include "rules/command_internal.h"

#define COUNT_OF(a) (sizeof (a) / sizeof *(a))

#define QUOTE_MAX 80			/* bytes of a line quoted in an error */

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
	[CMD_TOKEN] = { "token", "", "",
		"新しい返信用アドレス（トークン）を、設定されたあなたのアドレスに送ります。以前のものは失効します。",
		"Mail a fresh reply address (token) to your configured address; the old one stops working." },
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
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
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

	command_add_valid(&b, s, (size_t)(e - s));
	if (!(c.raw = buf_take(&b)))
		return command_out_of_memory(err);
	re = command_trim_end(c.raw, c.raw + strlen(c.raw));
	c.raw[re - c.raw] = '\0';
	ln.raw = c.raw;
	if (l->n >= COMMAND_MAX) {
		command_bad(&ln, "コマンドは 1 通に %d 個までです / "
			    "too many commands: at most %d in one mail", COMMAND_MAX, COMMAND_MAX);
		goto fail;
	}
	if (strchr(c.raw, '\r')) {
		command_bad(&ln, "行の途中に改行コード (CR) があります / a carriage return (CR) inside the line");
		goto fail;
	}
	w = c.raw + slash_at(c.raw, re);
	we = command_word_end(w, re);
	if (!(word = command_fold(w, (size_t)(we - w)))) {
		command_out_of_memory(err);
		goto fail;
	}
	v = verb_of(word);
	if (v < 0) {
		command_bad(&ln, "不明なコマンドです（/help で一覧を返信します） / "
			    "unknown command \"/%s\": /help lists them",
			    command_clip(word, VALUE_QUOTE_MAX, quoted));
		free(word);
		goto fail;
	}
	free(word);
	c.verb = (enum cmd_verb)v;
	ln.args = command_skip_blanks(we, re);
	if (parse_args(&c, &ln) < 0)
		goto fail;
	if (!(grown = realloc(l->cmds, (l->n + 1) * sizeof *grown))) {
		command_out_of_memory(err);
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
		s = command_skip_blanks(p, e);
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
	for (int i = 0; i < command_kinds[k].count; i++) {
		const char *name = command_kind_name(k, i);

		buf_adds(b, "    ");
		buf_adds(b, name);
		for (size_t n = strlen(name); n < 22; n++)
			buf_addc(b, ' ');
		buf_adds(b, command_kind_label(k, i));
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
