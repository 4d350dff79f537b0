/* route.c — see route.h. */
#include "desk/route.h"

#include <stdio.h>
#include <string.h>

bool route_subject_tag(const char *subject, char ref[ROUTE_REF_MAX])
{
	static const char *const opens[] = { "[", "\xe3\x80\x90" /* 【 */, "\xef\xbc\xbb" /* ［ */ };
	static const char *const closes[] = { "]", "\xe3\x80\x91" /* 】 */, "\xef\xbc\xbd" /* ］ */ };
	const char *p;
	size_t i, n;

	if (!subject)
		return false;
	for (p = subject; *p; p++)
		for (i = 0; i < sizeof opens / sizeof opens[0]; i++) {
			size_t ol = strlen(opens[i]);
			if (strncmp(p, opens[i], ol) != 0)
				continue;
			n = ticket_ref_parse(p + ol, ref);
			if (n && strncmp(p + ol + n, closes[i], strlen(closes[i])) == 0)
				return true;
		}
	return false;
}

bool route_address_tag(const char *addr, const char *bot_addr, char ref[ROUTE_REF_MAX])
{
	return ticket_ref_address_read(addr, bot_addr, ref, NULL) != TICKET_ADDR_NONE;
}
