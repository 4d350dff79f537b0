/*
 * cmd_backup.c — `incident-bot backup FILE`: a consistent copy of the live
 * database (SQLite's online backup API, safe while `run` writes), checked
 * with the same verification as `verify`.  Policy 8(4): the records are
 * kept; backups are how they survive the machine.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static const char help[] =
	"usage: incident-bot [-c FILE] backup FILE\n"
	"\n"
	"Copies the database to FILE (which must not exist; made mode 600) while\n"
	"the service may keep running, then opens the copy and verifies its event\n"
	"chain and message hashes as 'verify' does.  Exit 0 when the copy is\n"
	"complete and verifies, 1 otherwise (a copy that does not verify is kept\n"
	"for inspection and named).\n";

int cmd_backup(struct cli *c, int argc, char **argv)
{
	struct verify_result vr;
	struct store *copy = NULL;
	struct error err = { 0 };
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage("backup", "needs the file to write");
	if ((rc = cli_open(c)) != EXIT_OK)
		return rc;
	if (store_backup(c->store, argv[1], &err) < 0)
		return cli_fail(&err, EXIT_RUNTIME);
	if (store_open(argv[1], &copy, &err) < 0 ||
	    store_verify(copy, NULL, NULL, &vr, &err) < 0) {
		store_close(copy);
		return cli_fail(&err, EXIT_RUNTIME);
	}
	store_close(copy);
	if (vr.problems) {
		char line[256];

		fprintf(stderr, "incident-bot: backup %s does not verify: %s\n", argv[1],
			store_verify_describe(&vr.first, line, sizeof line));
		return EXIT_RUNTIME;
	}
	printf("backup %s: %zu events, %zu messages verified; newest event %lld %.16s…\n",
	       argv[1], vr.events, vr.messages, (long long)vr.last_id, vr.last_hash);
	return EXIT_OK;
}
