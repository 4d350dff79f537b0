/*
 * auth.c — the reply tokens of auth.h: a MAC the bot hands each admin in
 * the reply address of its mail, made, checked, and read back out of the
 * address a reply was sent to.  Authentication-Results are read in
 * auth_results.c.  Everything compares ASCII case by hand rather than
 * with ctype or strcasecmp, so that no locale changes a decision.
 */
#include "rules/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/digest.h"
#include "rules/ticket_ref.h"

_Static_assert(AUTH_TOKEN_LEN == TICKET_TOKEN_LEN && AUTH_REF_MAX == TICKET_REF_MAX,
	       "auth.h and ticket_ref.h agree on the reply address");

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether the n bytes at a and b are equal ignoring ASCII case; stops at
 * the first difference, so a shorter string's NUL ends it safely. */
/* ---- reply tokens ---- */

static bool ref_ok(const char *ref)
{
	size_t i, n = ref ? strnlen(ref, AUTH_REF_MAX) : 0;

	if (n == 0 || n == AUTH_REF_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!is_alnum(ref[i]) && ref[i] != '-')
			return false;
	return true;
}

/* No space or control character: each one could shift the MAC input's
 * fields ("\n" separates them) or hide in a log line. */
static bool addr_ok(const char *addr)
{
	size_t i, n = addr ? strnlen(addr, AUTH_ADDR_MAX + 1) : 0;

	if (n == 0 || n > AUTH_ADDR_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)addr[i] <= ' ' || addr[i] == 0x7f)
			return false;
	return true;
}

void auth_token(const char *secret, const char *ticket_ref, const char *addr,
		unsigned long generation, char out[AUTH_TOKEN_LEN + 1])
{
	static const char prefix[] = "incident-bot reply v2\n";
	char msg[sizeof prefix - 1 + AUTH_REF_MAX + 1 + AUTH_ADDR_MAX + 1 + 24];
	unsigned char mac[32], any = 0;
	size_t i, k = sizeof prefix - 1;

	out[0] = '\0';
	if (!secret || !*secret || !ref_ok(ticket_ref) || !addr_ok(addr) || generation == 0)
		return;
	memcpy(msg, prefix, k);
	for (i = 0; ticket_ref[i]; i++)
		msg[k++] = ascii_upper(ticket_ref[i]);
	msg[k++] = '\n';
	for (i = 0; addr[i]; i++)
		msg[k++] = ascii_lower(addr[i]);
	k += (size_t)snprintf(msg + k, sizeof msg - k, "\n%lu", generation);
	digest_hmac_sha256(secret, strlen(secret), msg, k, mac);
	for (i = 0; i < sizeof mac; i++)
		any |= mac[i];
	if (any)	/* all zero: GnuTLS failed (digest.h) */
		digest_hex(mac, AUTH_TOKEN_LEN / 2, out);
	explicit_bzero(mac, sizeof mac);
}

bool auth_token_ok(const char *secret, const char *ticket_ref, const char *addr,
		   unsigned long generation, const char *token)
{
	char want[AUTH_TOKEN_LEN + 1];
	unsigned diff = 0;
	size_t i;

	if (!token || strnlen(token, AUTH_TOKEN_LEN + 1) != AUTH_TOKEN_LEN)
		return false;
	auth_token(secret, ticket_ref, addr, generation, want);
	if (!want[0])
		return false;
	/* No early exit: the time must not tell how many digits were right. */
	for (i = 0; i < AUTH_TOKEN_LEN; i++)
		diff |= (unsigned char)(ascii_lower(token[i]) ^ want[i]);
	explicit_bzero(want, sizeof want);
	return diff == 0;
}

static bool token_shape_ok(const char *token)
{
	size_t i;

	if (!token)
		return false;
	for (i = 0; i < AUTH_TOKEN_LEN; i++)
		if (!is_hex(token[i]))
			return false;
	return token[AUTH_TOKEN_LEN] == '\0';
}

char *auth_reply_address(const char *bot_addr, const char *ticket_ref, const char *token)
{
	/* the format is ticket_ref.c's; a token is required here */
	return token_shape_ok(token) ? ticket_ref_address(bot_addr, ticket_ref, token) : NULL;
}

bool auth_address_token(const char *addr, const char *bot_addr, char ref[AUTH_REF_MAX],
			char token[AUTH_TOKEN_LEN + 1])
{
	if (ticket_ref_address_read(addr, bot_addr, ref, token) == TICKET_ADDR_TOKEN)
		return true;
	ref[0] = token[0] = '\0';
	return false;
}

/* ---- tokens where they should not be ---- */

/* Whether text[i..len) holds "+REF-<hex>@" and its length up to the '@'. */
static size_t token_at(const char *text, size_t len, size_t i, char ref[AUTH_REF_MAX],
		       char token[AUTH_TOKEN_LEN + 1])
{
	char buf[AUTH_REF_MAX + AUTH_TOKEN_LEN + 4], r[AUTH_REF_MAX];
	size_t n = len - i < sizeof buf - 1 ? len - i : sizeof buf - 1, rl, k;

	/* a copy with a NUL, so that ticket_ref_parse never reads past len */
	memcpy(buf, text + i, n);
	buf[n] = '\0';
	if (buf[0] != '+' || !(rl = ticket_ref_parse(buf + 1, r)) || buf[1 + rl] != '-')
		return 0;
	for (k = 0; k < AUTH_TOKEN_LEN; k++)
		if (!is_hex(buf[2 + rl + k]))
			return 0;
	if (buf[2 + rl + AUTH_TOKEN_LEN] != '@')
		return 0;
	memcpy(ref, r, rl + 1);
	for (k = 0; k < AUTH_TOKEN_LEN; k++)
		token[k] = ascii_lower(buf[2 + rl + k]);
	token[AUTH_TOKEN_LEN] = '\0';
	return 2 + rl + AUTH_TOKEN_LEN;
}

bool auth_find_token(const char *text, size_t len, size_t *pos, char ref[AUTH_REF_MAX],
		     char token[AUTH_TOKEN_LEN + 1])
{
	const char *p;
	size_t i = *pos, n;

	while (i < len && (p = memchr(text + i, '+', len - i))) {
		i = (size_t)(p - text);
		if ((n = token_at(text, len, i, ref, token))) {
			*pos = i + n;
			return true;
		}
		i++;
	}
	*pos = len;
	ref[0] = token[0] = '\0';
	return false;
}

size_t auth_mask_tokens(char *s)
{
	char ref[AUTH_REF_MAX], token[AUTH_TOKEN_LEN + 1];
	size_t len = s ? strlen(s) : 0, pos = 0, count = 0;

	while (auth_find_token(s, len, &pos, ref, token)) {
		/* the token is the AUTH_TOKEN_LEN characters before the '@' */
		memset(s + pos - AUTH_TOKEN_LEN, 'x', AUTH_TOKEN_LEN);
		count++;
	}
	explicit_bzero(token, sizeof token);
	return count;
}
