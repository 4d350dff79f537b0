/*
 * auth.h — whether a mail that carries an admin command really comes from
 * the admin it names.  The incident address is public, so a From alone is
 * worth nothing: a command needs both a reply token (a MAC of ticket and
 * address that only the bot can make, carried in the reply address it
 * mailed to that admin) and a DKIM or SPF pass of the company's own mail
 * server aligned with the From domain.  Pure: no I/O, no globals; the MAC
 * comes from digest.c.
 *
 * Two halves: the reply tokens and reply addresses (auth.c), and the
 * reading of Authentication-Results (auth_results.c).
 */
#ifndef INCIDENT_AUTH_H
#define INCIDENT_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "mime/mail.h"

#define AUTH_TOKEN_LEN 16	/* hex characters: 64 bits of the HMAC */
#define AUTH_REF_MAX 24		/* "INC-2026-0007" and NUL; = ROUTE_REF_MAX */
#define AUTH_ADDR_MAX 254	/* the longest address SMTP carries (RFC 5321 4.5.3.1.3) */

/* ---- reply tokens and reply addresses (auth.c) ---- */

/*
 * The reply token of generation `generation` of ticket ticket_ref for the
 * person addr: HMAC-SHA256 keyed with secret over "incident-bot reply
 * v2\n" + ref upper-cased + "\n" + addr lower-cased (ASCII only) + "\n" +
 * the generation in decimal, its first 8 bytes as lower-case hex.  The
 * generation is what makes a token revocable (issue 14): the store keeps
 * which generation of (ticket, admin) is live, and a new one makes a new
 * token that no leaked old one equals.  Writes "" (which no token check
 * accepts) when it cannot make a token: secret NULL or empty, ref not 1 to
 * AUTH_REF_MAX - 1 letters, digits and '-', addr NULL, empty, longer than
 * AUTH_ADDR_MAX or holding a space or control character, generation 0, or
 * a failed GnuTLS.
 */
void auth_token(const char *secret, const char *ticket_ref, const char *addr,
		unsigned long generation, char out[AUTH_TOKEN_LEN + 1]);

/*
 * Whether token (any case) is the token of (ticket_ref, addr, generation)
 * under secret.  The comparison takes the same time wherever the first
 * wrong digit is.  False for a NULL, shorter or longer token, and whenever
 * auth_token() writes "".  Whether that generation is still live is the
 * store's business (store_token.c), not this function's.
 */
bool auth_token_ok(const char *secret, const char *ticket_ref, const char *addr,
		   unsigned long generation, const char *token);

/*
 * The reply address that carries a token: "local+INC-2026-0007-<token>@domain"
 * for the bot address "local@domain", the ref upper-cased and the token
 * lower-cased.  Returns a malloc'd string the caller frees, or NULL on
 * out-of-memory or when the result would not read back with
 * auth_address_token() (bot_addr without '@' or with an empty part, ref not
 * of the form INC-YYYY-NNNN, token not AUTH_TOKEN_LEN hex digits).
 */
char *auth_reply_address(const char *bot_addr, const char *ticket_ref, const char *token);

/*
 * When addr (a bare address the mail was sent to) is a reply address of
 * bot_addr with a token — "local+INC-YYYY-NNNN-<token>@domain" — returns
 * true with the canonical ref ("INC-2026-0007") and the token (lower case).
 * Case does not matter anywhere (local part, tag, token, domain); the shape
 * is strict: the bot's local part and domain exactly, a ref of 4 digits
 * year and 4 to 8 digits number (as route.c reads it), exactly
 * AUTH_TOKEN_LEN hex digits, nothing else.  Otherwise returns false with
 * ref and token "".
 */
bool auth_address_token(const char *addr, const char *bot_addr, char ref[AUTH_REF_MAX],
			char token[AUTH_TOKEN_LEN + 1]);

/*
 * Finds the next reply token anywhere in text[*pos .. len): the shape
 * "+INC-YYYY-NNNN-<AUTH_TOKEN_LEN hex>" followed by '@' (a reply address
 * of any local part, in a header, a quoted mail or a forwarded one).
 * Returns true with the canonical ref, the token in lower case and *pos
 * past it; false at the end.  text need not be NUL-terminated.  Used to
 * revoke a token that shows up where it should not (issue 14).
 */
bool auth_find_token(const char *text, size_t len, size_t *pos, char ref[AUTH_REF_MAX],
		     char token[AUTH_TOKEN_LEN + 1]);

/*
 * Overwrites, in place, the hex digits of every reply token in the
 * NUL-terminated s (the shape of auth_find_token) with 'x', so that what
 * is shown or mailed on (show, the lessons draft, a quoted command) never
 * carries a token that could still be live.  Returns how many it masked.
 */
size_t auth_mask_tokens(char *s);

/* ---- Authentication-Results (auth_results.c) ---- */

/*
 * Whether the company's own mail server vouches for the From address,
 * read from Authentication-Results header fields (RFC 8601), issue 14.
 *
 * values are the raw values (folded or not) of the fields that count, top
 * first; n of them (NULL entries are skipped) — auth_trace_ok() picks
 * them.  Only a field whose authserv-id (its first token or quoted
 * string, before any version and ';', comments skipped) equals
 * authserv_id ignoring case counts: any other was written by somebody
 * else, possibly the sender.  The server must remove fields with its own
 * authserv-id from incoming mail (RFC 8601 section 5); no reader can tell
 * those from its own.
 *
 * True when a counted field holds dkim=pass whose header.d (or, without
 * header.d, the domain of header.i) is the domain of from_addr (equal
 * ignoring case and a final dot; a subdomain only through auth_trace_ok
 * with subdomains), whose header.i, when it names a person, names
 * from_addr — and no counted result says otherwise: a dkim result of that
 * domain that is not pass (fail, none, neutral, policy, temperror,
 * permerror) or dmarc=fail, temperror or permerror refuses, whatever
 * passed.  SPF never authorises (it vouches for the envelope, not the
 * From); arc, compauth and the rest do not count.
 *
 * Read the RFC way: nested comments (quoted pairs inside), quoted strings,
 * an optional version (only "1" is understood; another means the field is
 * skipped), ';'-separated results "method[/version]=result" with
 * "reason=value" and "ptype.property=value" (and, as Microsoft writes it,
 * "name=value"), "none" for no result; names ignore case.  A result that
 * does not parse, or names header.d, header.i or smtp.mailfrom twice, is
 * dropped and reading goes on after the next ';'.  A field with a '"'
 * inside a comment is dropped whole: a server that copies a quoted local
 * part into a comment unescaped lets the sender write results.  Any input
 * is safe; time is linear in the input.
 *
 * why (why_len bytes, may be NULL or 0) receives what decided, for logs and
 * the admin, always NUL-terminated and cut to fit:
 *   "dkim=pass header.d=example.com (by mx.example.com)"
 *   "dkim=fail header.d=example.com (by mx.example.com)"
 *   "dmarc=fail (by mx.example.com)"
 *   "dkim=pass but header.d=evil.example not aligned with example.com"
 *   "spf=pass smtp.mailfrom=a@example.com: SPF alone authorises no command (by …)"
 *   "no dkim result from mx.example.com"
 *   "no Authentication-Results from mx.example.com"
 *   "From address has no domain"
 * Refusing, it names first a decisive refusal, then a pass that did not
 * count, an unaligned result, any other.
 */
bool auth_results_ok(const char *const *values, size_t n, const char *authserv_id,
		     const char *from_addr, char *why, size_t why_len);

/* At most this many Authentication-Results fields of a mail are read. */
#define AUTH_TRACE_MAX 32

/* Where the company's border is, for auth_trace_ok() (config: commands). */
struct auth_border {
	const char *authserv_id;		/* what our border writes first in its fields */
	const char *const *internal_hosts;	/* the hosts of our own mail system */
	size_t n_internal;
	bool subdomains;			/* commands.align_subdomains */
};

/*
 * auth_results_ok() over the Authentication-Results fields of a mail's
 * trace (mail.h: its AR and Received fields, top first) that lie above
 * the Received field recording the hop from outside into the company's
 * mail system — the first whose from-host (or an address literal of its
 * from clause) is not in b->internal_hosts (RFC 8601 5, 7.1: only those
 * were written by our border; a field below it came with the mail,
 * whatever authserv-id it names).  Without such a Received field (mail
 * put in the mailbox from inside) every AR field is read.  At most
 * AUTH_TRACE_MAX fields.
 */
bool auth_trace_ok(const struct mail_trace *trace, size_t n, const struct auth_border *b,
		   const char *from_addr, char *why, size_t why_len);

#endif
