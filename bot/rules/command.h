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
	CMD_ASSIGN,	/* text: the address; or, value 1, a person's name or id to look up */
	CMD_TYPE,	/* value: enum incident_type */
	CMD_PRIORITY,	/* value: enum priority */
	CMD_SOURCE,	/* value: enum source */
	CMD_STATUS,	/* value: enum status (not checked against the machine) */
	CMD_AWARE,	/* time */
	CMD_FLAG,	/* value: enum flag; off */
	CMD_AFFECTED,	/* number: 0…1,000,000,000 people */
	CMD_NOTE,	/* text */
	CMD_DRAFT,	/* value: enum obligation_kind */
	CMD_DONE,	/* value: enum obligation_kind; time (0: not given); text or NULL */
	CMD_SKIP,	/* value: enum obligation_kind; text: the reason */
	CMD_LESSONS,	/* text: the document, down to the next command line */
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
	time_t time;		/* /aware; /done's completion time (0: not given) */
	char *text;		/* /assign address or name, /note text, /done note, /skip reason, /close reason, /lessons document; NULL when none */
	bool force;		/* /close force REASON */
};

/*
 * A line that starts like a command but is not a valid one (issue 13):
 * kept so the reply can list every line of the mail with its fate.
 */
struct command_flaw {
	int line;		/* 1-based */
	char *raw;		/* the line as written (trimmed, valid UTF-8) */
	char *why;		/* "N 行目 / line N: "RAW": reason", Japanese first */
	char *reason;		/* the reason alone */
	char *fix;		/* did-you-mean: the corrected line, ready to copy; NULL when none */
};

/* Owns cmds, flaws and every string in them. */
struct command_list {
	struct command *cmds;
	size_t n;
	struct command_flaw *flaws;	/* the bad lines, in line order */
	size_t n_flaws;
};

/*
 * Parses the commands at the top of text: a reply's own words, quotes and
 * signature already removed (quote.h); UTF-8, LF line ends.  now: the
 * time the mail is read, for dates that leave out the day or the year
 * (/aware 9:40 is today in the configured zone, clock_set_zone()).
 *
 * Lines are read from the top.  Blank lines are skipped; a line whose
 * first non-blank character is "/" or "／" (U+FF0F) is a command; the
 * first other line ends the commands, and nothing below it is read (so a
 * text that starts with prose has none).  "/lessons" takes the lines
 * below it as its document down to the next line that starts with a
 * command word (issue 13: "/lessons … /close" closes); a line starting
 * with "/" that names no command ("/var/log/secure") stays document
 * text.  Blank means ASCII space and tab, U+3000, U+00A0 and U+FEFF.  In
 * command words, enumerated values, numbers and dates case does not
 * matter, and there and in addresses full-width ASCII (U+FF01–FF5E)
 * counts as ASCII; free text (notes, reasons, the document) is kept as
 * written, only trimmed, with invalid UTF-8 bytes replaced by U+FFFD.  A
 * CR at the end of a line is dropped; one inside a command line is
 * refused.
 *
 * Every command line is read, good or bad: the good ones go to out->cmds,
 * the bad ones to out->flaws, each with its reason and, for a near miss
 * (a typo, a space for a hyphen, a known other word), the corrected line.
 * Returns 0 when there is no bad line (n may be 0: no commands); -1 with
 * ERR_MESSAGE (the first bad line's why) when there is one — *out then
 * holds both lists, for the reply; -1 with ERR_TEMP when memory ran out
 * (*out empty).  The caller releases *out with command_list_release().  A
 * NULL text has no commands; out and err must not be NULL.
 */
int command_parse(const char *text, time_t now, struct command_list *out, struct error *err);

/* Frees everything l owns and empties it; safe on an empty list. */
void command_list_release(struct command_list *l);

/* The English command word: "ack", "assign", …; "?" out of range. */
const char *command_name(enum cmd_verb v);

/*
 * The help text for the /help reply and the refusals (issue 13): at most
 * 30 lines — every command with its Japanese alias and what it does, then
 * examples.  Japanese first.  The values each takes are named by the
 * refusal of a wrong one.  Static.
 */
const char *command_help(void);

#endif
