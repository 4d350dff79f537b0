/*
 * ticket_ref.h — the one owner of the ticket ID ("INC-2026-0007") and of
 * the bot's reply address ("incident+INC-2026-0007[-<token>]@domain"):
 * reading them wherever they turn up (a subject tag, an address, a
 * command-line argument, a quoted mail) and writing the address.  Pure:
 * no I/O, no allocation but the address it returns.
 *
 * A ticket ID is "INC-" in any case, a 4-digit year, '-', and 4 to 8
 * digits (past 9999 in a year the number grows wider: store_ticket.c);
 * its canonical form is upper case.  route.c, auth.c, outbox.c and the
 * show/export commands all read and write it through here, so a change of
 * the format is one change.
 */
#ifndef INCIDENT_TICKET_REF_H
#define INCIDENT_TICKET_REF_H

#include <stdbool.h>
#include <stddef.h>

#define TICKET_REF_MAX 24	/* "INC-2026-0007" and NUL, with room for 8 digits */
#define TICKET_TOKEN_LEN 16	/* hex digits of a reply token (= AUTH_TOKEN_LEN, auth.h) */

/*
 * Reads a ticket ID at p (p NUL-terminated; what follows the ID is not
 * looked at).  Returns its length with the canonical form in ref, or 0
 * (ref untouched) when p does not start with one.
 */
size_t ticket_ref_parse(const char *p, char ref[TICKET_REF_MAX]);

/*
 * A whole argument as people copy it — "INC-2026-0007", "inc-2026-0007",
 * "[INC-2026-0007]" — and nothing else: true with the canonical ref.
 */
bool ticket_ref_arg(const char *arg, char ref[TICKET_REF_MAX]);

/*
 * The reply address of ticket ref for the bot address "local@domain":
 * "local+REF@domain", or with a token "local+REF-<token>@domain" (the
 * token lower-cased).  Returns a malloc'd string the caller frees, or NULL
 * on out-of-memory or when the result would not read back with
 * ticket_ref_address_read: bot_addr without exactly one '@' or with an
 * empty part, ref not wholly a ticket ID, token (when not NULL) not
 * TICKET_TOKEN_LEN hex digits.
 */
char *ticket_ref_address(const char *bot_addr, const char *ref, const char *token);

/* What ticket_ref_address_read found after "local+REF". */
enum ticket_ref_tail {
	TICKET_ADDR_NONE = 0,	/* not a reply address of the bot */
	TICKET_ADDR_PLAIN,	/* "local+REF@domain" */
	TICKET_ADDR_TOKEN,	/* "local+REF-<TICKET_TOKEN_LEN hex>@domain" */
	TICKET_ADDR_OTHER,	/* "local+REF-<anything else>@domain" */
};

/*
 * Whether addr (a bare address) is a reply address of bot_addr: the bot's
 * local part, '+', a ticket ID, an optional "-tail", '@' and the bot's
 * domain, case-insensitive everywhere.  Returns what it is, with the
 * canonical ref and, for TICKET_ADDR_TOKEN, the token in lower case in
 * token (a buffer of TICKET_TOKEN_LEN + 1; may be NULL).  TICKET_ADDR_NONE
 * leaves ref and token "".
 */
enum ticket_ref_tail ticket_ref_address_read(const char *addr, const char *bot_addr,
					     char ref[TICKET_REF_MAX], char *token);

#endif
