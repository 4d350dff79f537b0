/* ticket_ref.c — see ticket_ref.h.  ASCII only: the C locale's ctype is
 * not assumed, so a byte of UTF-8 never counts as a letter or digit. */
#include "rules/ticket_ref.h"

#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ieq_n(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]) || !a[i])
			return false;
	return true;
}

size_t ticket_ref_parse(const char *p, char ref[TICKET_REF_MAX])
{
	size_t i, digits;

	if (!p || !ieq_n(p, "INC-", 4))
		return 0;
	for (i = 4; i < 8; i++)
		if (!is_digit(p[i]))
			return 0;
	if (p[8] != '-')
		return 0;
	/* stop at 9: a tenth digit would already make it no ID */
	for (digits = 0; digits <= 8 && is_digit(p[9 + digits]); digits++)
		;
	if (digits < 4 || digits > 8)
		return 0;
	memcpy(ref, "INC-", 4);
	memcpy(ref + 4, p + 4, 5 + digits);
	ref[9 + digits] = '\0';
	return 9 + digits;
}

bool ticket_ref_arg(const char *arg, char ref[TICKET_REF_MAX])
{
	char r[TICKET_REF_MAX];
	bool bracket = arg && arg[0] == '[';
	size_t n;

	if (!arg || !(n = ticket_ref_parse(arg + bracket, r)))
		return false;
	if (bracket ? strcmp(arg + 1 + n, "]") != 0 : arg[n] != '\0')
		return false;
	memcpy(ref, r, n + 1);
	return true;
}

/* The '@' of a bot address "local@domain" with both parts non-empty and no
 * second '@', or NULL. */
static const char *bot_at(const char *bot_addr)
{
	const char *at = bot_addr ? strchr(bot_addr, '@') : NULL;

	if (!at || at == bot_addr || !at[1] || strchr(at + 1, '@'))
		return NULL;
	return at;
}

static bool token_ok(const char *token, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_hex(token[i]))
			return false;
	return true;
}

char *ticket_ref_address(const char *bot_addr, const char *ref, const char *token)
{
	const char *at = bot_at(bot_addr);
	char r[TICKET_REF_MAX], *out;
	size_t local, rl, k, i;

	if (!at || !ref || !(rl = ticket_ref_parse(ref, r)) || ref[rl])
		return NULL;
	if (token && (strlen(token) != TICKET_TOKEN_LEN || !token_ok(token, TICKET_TOKEN_LEN)))
		return NULL;
	local = (size_t)(at - bot_addr);
	if (!(out = malloc(local + 1 + rl + 1 + TICKET_TOKEN_LEN + strlen(at) + 1)))
		return NULL;
	memcpy(out, bot_addr, local);
	k = local;
	out[k++] = '+';
	memcpy(out + k, r, rl);
	k += rl;
	if (token) {
		out[k++] = '-';
		for (i = 0; i < TICKET_TOKEN_LEN; i++)
			out[k++] = lower(token[i]);
	}
	memcpy(out + k, at, strlen(at) + 1);
	return out;
}

enum ticket_ref_tail ticket_ref_address_read(const char *addr, const char *bot_addr,
					     char ref[TICKET_REF_MAX], char *token)
{
	const char *at = bot_at(bot_addr), *p, *addr_at;
	char r[TICKET_REF_MAX];
	size_t local, n, tail, i;
	enum ticket_ref_tail kind;

	ref[0] = '\0';
	if (token)
		token[0] = '\0';
	if (!addr || !at || !(addr_at = strchr(addr, '@')))
		return TICKET_ADDR_NONE;
	local = (size_t)(at - bot_addr);
	if (!ieq_n(addr, bot_addr, local) || addr[local] != '+')
		return TICKET_ADDR_NONE;
	p = addr + local + 1;
	if (!(n = ticket_ref_parse(p, r)) || (p[n] != '@' && p[n] != '-'))
		return TICKET_ADDR_NONE;
	/* the domain: the rest after the first '@', the bot's in any case */
	if (strlen(addr_at + 1) != strlen(at + 1) || !ieq_n(addr_at + 1, at + 1, strlen(at + 1)))
		return TICKET_ADDR_NONE;
	if (p[n] == '@')
		kind = TICKET_ADDR_PLAIN;
	else {
		tail = (size_t)(addr_at - (p + n + 1));
		kind = tail == TICKET_TOKEN_LEN && token_ok(p + n + 1, tail) ? TICKET_ADDR_TOKEN
									 : TICKET_ADDR_OTHER;
		if (kind == TICKET_ADDR_TOKEN && token) {
			for (i = 0; i < TICKET_TOKEN_LEN; i++)
				token[i] = lower(p[n + 1 + i]);
			token[TICKET_TOKEN_LEN] = '\0';
		}
	}
	memcpy(ref, r, n + 1);
	return kind;
}
