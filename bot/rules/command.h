/*
 * command.h — the admin commands of SPEC 6: the lines at the top of a
 * reply ("/ack", "/priority high", "/受付") turned into a validated list.
 * Pure: no I/O, no store, no clock but clock_parse(); libc only.  What a
 * command does to a ticket is the executor's business; every value here
 * is already checked, so the executor can trust it.
 *
 * The commands, their Japanese aliases and their arguments are in the
 * tables of command.c (and in command_help()); SPEC 6 is the summary.
 */
#ifndef INCIDENT_COMMAND_H
#define INCIDENT_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/error.h"

/* At most this many commands in one mail; more is refused as a whole. */
#define COMMAND_MAX 50

enum cmd_verb {
	CMD_ACK,	/* take the ticket */
	CMD_ASSIGN,	/* text: the address */
	CMD_TYPE,	/* value: enum incident_type */
	CMD_PRIORITY,	/* value: enum priority */
	CMD_SOURCE,	/* value: enum source */
	CMD_STATUS,	/* value: enum status (not checked against the machine) */
	CMD_AWARE,	/* time */
	CMD_FLAG,	/* value: enum flag; off */
	CMD_AFFECTED,	/* number: 0…1,000,000,000 people */
	CMD_NOTE,	/* text */
	CMD_DRAFT,	/* value: enum obligation_kind */
	CMD_DONE,	/* value: enum obligation_kind; text or NULL */
	CMD_SKIP,	/* value: enum obligation_kind; text: the reason */
	CMD_LESSONS,	/* text: the document; always the last command */
	CMD_CLOSE,	/* text or NULL; force (then text is set) */
	CMD_REOPEN,
	CMD_DRILL,
	CMD_HELP,
	CMD_CHECK,	/* number: checklist item 1…99 */
	CMD_TOKEN,	/* mail me a fresh reply token (issue 14) */
	CMD_COUNT
};

/*
 * One command.  Fields a verb does not use hold their "none": value -1,
 * off and force false, number -1, time 0, text NULL.
 */
struct command {
	enum cmd_verb verb;
	int line;		/* 1-based line of the text it was on */
	char *raw;		/* the line as written (trimmed, valid UTF-8), for results and the audit trail */
	int value;		/* type/priority/source/status/flag/obligation kind (enum of policy.h); -1 when none */
	bool off;		/* /flag NAME off */
	long number;		/* /affected N, /check N */
	time_t time;		/* /aware */
	char *text;		/* /assign address, /note text, /done note, /skip reason, /close reason, /lessons document; NULL when none */
	bool force;		/* /close force REASON */
};

/* Owns cmds and every raw and text in them. */
struct command_list {
	struct command *cmds;
	size_t n;
};

/*
 * Parses the commands at the top of text: a reply's own words, quotes and
 * signature already removed (quote.h); UTF-8, LF line ends.
 *
 * Lines are read from the top.  Blank lines are skipped; a line whose
 * first non-blank character is "/" or "／" (U+FF0F) is a command; the
 * first other line ends the commands, and nothing below it is read (so a
 * text that starts with prose has none).  "/lessons" takes the rest of
 * the text as its document and so is always the last command (a mail
 * that sends the document and closes has /close above /lessons: the
 * executor stores the document before it checks /close).  Blank
 * means ASCII space and tab, U+3000, U+00A0 and U+FEFF.  In command
 * words, enumerated values, numbers and dates case does not matter, and
 * there and in addresses full-width ASCII (U+FF01–FF5E) counts as ASCII;
 * free text (notes, reasons, the document) is kept as written, only
 * trimmed, with invalid UTF-8 bytes replaced by U+FFFD.  A CR at the end
 * of a line is dropped; one inside a command line is refused.
 *
 * Returns 0 and fills *out (n may be 0: no commands), or -1 and leaves
 * *out empty: ERR_MESSAGE "line N: "RAW": what is wrong / 日本語" for the
 * first bad line (an unknown command, a missing, bad or extra argument,
 * a time without a zone, more than COMMAND_MAX commands), or ERR_FATAL
 * when memory ran out.  The caller releases *out with
 * command_list_release().  A NULL text has no commands; out and err
 * must not be NULL.
 */
int command_parse(const char *text, struct command_list *out, struct error *err);

/* Frees everything l owns and empties it; safe on an empty list. */
void command_list_release(struct command_list *l);

/* The English command word: "ack", "assign", …; "?" out of range. */
const char *command_name(enum cmd_verb v);

/*
 * The help text for the /help reply: every command with its arguments
 * and Japanese aliases, what it does in Japanese then English, and the
 * values TYPE, PRIORITY, SOURCE, STATUS, FLAG and NOTICE take.  Static:
 * built on the first call, never freed; not thread-safe.
 */
const char *command_help(void);

#endif
