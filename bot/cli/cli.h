/*
 * cli.h — what every command of the command line shares: the global
 * options, loading the configuration and opening the database, and the
 * mapping of errors to exit codes (SPEC 7: 0 ok, 1 runtime failure,
 * 2 usage or configuration error).
 */
#ifndef INCIDENT_CLI_H
#define INCIDENT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "lib/error.h"
#include "store/store.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct cli {
	const char *config_path;
	const char *now_text;	/* --now, or NULL */
	struct config cfg;
	bool cfg_loaded;
	struct store *store;
};

/* Loads the configuration (and sets the time zone); prints and returns EXIT_USAGE on failure. */
int cli_load_config(struct cli *c);
/* Loads the configuration and opens the database; prints and returns the exit code on failure. */
int cli_open(struct cli *c);
/*
 * Opens the database of the loaded configuration (and the reply-token key)
 * when not open yet.  ERR_TEMP: the database cannot be opened or written
 * now (locked, disk full, read-only) — `run` waits and tries again.
 */
int cli_open_store(struct cli *c, struct error *err);
void cli_release(struct cli *c);

/* Prints "incident-bot: <message>" to stderr and returns code. */
int cli_fail(const struct error *e, int code);
/* Prints a usage complaint and the hint to use --help; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* true when argv has --help or -h (the command then prints its help). */
bool cli_wants_help(int argc, char **argv);

/*
 * Issue 14 (V9, V1): what a command prints of mail goes to the terminal
 * only through these.  cli_safe_begin() collects stdout; cli_safe_end()
 * restores it and writes what was collected with every reply token
 * masked (auth_mask_tokens) and every control made visible
 * (termsafe_escape), so a report's ESC sequences never reach the
 * operator's terminal and `show` never prints a token that may be live.
 * begin returns 0, or -1 (nothing collected, stdout unchanged).
 */
struct cli_safe {
	FILE *real;
	char *buf;
	size_t len;
};
int cli_safe_begin(struct cli_safe *s);
void cli_safe_end(struct cli_safe *s);

/*
 * The width of the operator's terminal in columns, for cutting long
 * columns (issue 13, point 9): the terminal's when standard output is
 * one, else $COLUMNS when it holds a number (10..10000), else 0 — no
 * limit, so a pipe or a file gets every word.
 */
size_t cli_columns(void);

/* The commands (cmd_*.c): argv[0] is the command's name. */
int cmd_run(struct cli *c, int argc, char **argv);
int cmd_poll(struct cli *c, int argc, char **argv);
int cmd_tickets(struct cli *c, int argc, char **argv);
int cmd_outbox(struct cli *c, int argc, char **argv);
int cmd_mail(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_digest(struct cli *c, int argc, char **argv);
int cmd_review(struct cli *c, int argc, char **argv);
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_check_config(struct cli *c, int argc, char **argv);

#endif
