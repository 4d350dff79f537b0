/*
 * command_internal.h — what command.c (lines, verbs, dispatch, help,
 * errors) and command_args.c (the argument parsers and the folding they
 * compare with) share.  Only these two files include it.
 */
#ifndef INCIDENT_COMMAND_INTERNAL_H
#define INCIDENT_COMMAND_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/error.h"
#include "rules/command.h"

#define VALUE_QUOTE_MAX 40		/* bytes of a value quoted in an error */

/* What a line's parse needs to read it and to say what is wrong with it. */
struct line {
	int no;			/* 1-based */
	const char *raw;	/* the trimmed, valid line */
	const char *args;	/* in raw: after the command word and its blanks */
	const char *rest;	/* the text after this line (for /lessons) */
	const char **resume;	/* /lessons: where its document ended (the next command line, or the end) */
	time_t now;		/* when the mail is read: for a date without its day or year */
	char **fix;		/* a near miss: the corrected line (malloc'd), for the did-you-mean */
	char *reason;		/* command_bad() copies the reason alone here (sizeof err->msg bytes) */
	struct error *err;
};

/* ---- command.c: errors ------------------------------------------------ */

/*
 * Copies at most max bytes of s (valid UTF-8) into out, cut at a
 * character boundary and before any control character, with "…" when
 * something was left out.  out holds max + 4 bytes; returns out.
 */
const char *command_clip(const char *s, size_t max, char *out);

/* Fills ln->err with ERR_MESSAGE "line N: "RAW": reason"; returns -1. */
__attribute__((format(printf, 2, 3)))
int command_bad(const struct line *ln, const char *fmt, ...);

/* Fills err with ERR_FATAL "command: out of memory"; returns -1. */
int command_out_of_memory(struct error *err);

/*
 * Whether s..e (a line without its leading blanks) starts with "/" or
 * "／" and a command word: where a /lessons document ends.
 */
bool command_line_is_command(const char *s, const char *e);

/* ---- command_args.c: UTF-8, blanks and folding ------------------------ */

/*
 * Blanks are ASCII space and tab, U+3000, U+00A0 and U+FEFF; s..e is
 * valid UTF-8 unless said otherwise.
 */

/* Appends s..s+n (any bytes) to b, each byte that is not part of a UTF-8 character as U+FFFD. */
void command_add_valid(struct buf *b, const char *s, size_t n);

/* The first non-blank at or after s, or e. */
const char *command_skip_blanks(const char *s, const char *e);

/* e moved back over the blanks that end s..e. */
const char *command_trim_end(const char *s, const char *e);

/* The end of the word at s: the first blank or e. */
const char *command_word_end(const char *s, const char *e);

/*
 * s..s+n as words compare: full-width ASCII U+FF01–FF5E as ASCII, every
 * run of blanks one space, none at either end; ASCII case kept.
 * Malloc'd (the caller frees it), NULL when memory ran out.
 */
char *command_fold(const char *s, size_t n);

/* ASCII case-insensitive equality, blind to the locale. */
bool command_same(const char *a, const char *b);

/*
 * How far apart two words are for a did-you-mean: the optimal string
 * alignment distance over code points (a typo, a missing, extra or
 * swapped character is 1), ASCII case and "-", "_" and spaces ignored;
 * max + 1 when further than max (or either is longer than 48 characters).
 */
int command_distance(const char *a, const char *b, int max);

/* How many typos a word of this many bytes may hold and still be a near miss. */
int command_near_limit(const char *word);

/* ---- command_args.c: enumerated values -------------------------------- */

/* The enumerations of policy.h an argument may name. */
enum kind { K_TYPE, K_PRIORITY, K_SOURCE, K_STATUS, K_FLAG, K_NOTICE };

struct kind_info {
	const char *en, *ja;		/* for messages and /help */
	int count;
	bool labels;			/* the Japanese labels are accepted too */
};

/* Indexed by enum kind. */
extern const struct kind_info command_kinds[];

/* The English name and the Japanese label of value i of kind k (static strings). */
const char *command_kind_name(enum kind k, int i);
const char *command_kind_label(enum kind k, int i);

/* ---- command_args.c: the arguments of each verb ----------------------- */

/*
 * Each reads ln->args for c->verb into c's fields (command.h says which)
 * and returns 0, or -1 with ln->err filled: ERR_MESSAGE for a bad
 * argument (command_bad()), ERR_FATAL when memory ran out.  A text they
 * set is malloc'd and belongs to c.
 */

/* How much text /draft, /done and /skip take after the notice. */
enum need { TEXT_NONE, TEXT_OPTIONAL, TEXT_REQUIRED };

int command_parse_value(struct command *c, const struct line *ln, enum kind k);	/* /type /priority /source /status */
int command_parse_flag(struct command *c, const struct line *ln);
int command_parse_number(struct command *c, const struct line *ln);	/* /affected, /check */
int command_parse_aware(struct command *c, const struct line *ln);
int command_parse_assign(struct command *c, const struct line *ln);
int command_parse_notice(struct command *c, const struct line *ln, enum need need);
int command_parse_note(struct command *c, const struct line *ln);
int command_parse_close(struct command *c, const struct line *ln);
int command_parse_lessons(struct command *c, const struct line *ln);	/* reads ln->rest too */

#endif
