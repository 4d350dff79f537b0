/*
 * test_ticket_ref.c — the one reader and writer of ticket IDs and reply
 * addresses (rules/ticket_ref.c), by tables: IDs at the start of a text,
 * whole arguments as people copy them, reply addresses written and read
 * back, and every near miss refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/auth.h"
#include "rules/ticket_ref.h"
#include "test.h"

static const struct {
	const char *text;
	size_t len;		/* 0: no ID */
	const char *ref;
} parses[] = {
	{ "INC-2026-0007", 13, "INC-2026-0007" },
	{ "inc-2026-0007]", 13, "INC-2026-0007" },
	{ "Inc-2026-0007-abc@x", 13, "INC-2026-0007" },
	{ "INC-2026-12345678", 17, "INC-2026-12345678" },	/* 8 digits: past 9999 */
	{ "INC-2026-123456789", 0, NULL },			/* 9: no ID */
	{ "INC-2026-007", 0, NULL },
	{ "INC-26-0007", 0, NULL },
	{ "INC-2026_0007", 0, NULL },
	{ "INC2026-0007", 0, NULL },
	{ "ＩＮＣ-2026-0007", 0, NULL },			/* full-width letters */
	{ "INC-２０２６-0007", 0, NULL },			/* full-width digits */
	{ "", 0, NULL },
};

static const struct {
	const char *arg;
	const char *ref;	/* NULL: refused */
} args[] = {
	{ "INC-2026-0007", "INC-2026-0007" },
	{ "inc-2026-0007", "INC-2026-0007" },
	{ "[INC-2026-0007]", "INC-2026-0007" },
	{ "[inc-2026-0007]", "INC-2026-0007" },
	{ "[INC-2026-0007", NULL },
	{ "INC-2026-0007]", NULL },
	{ "INC-2026-0007 ", NULL },
	{ " INC-2026-0007", NULL },
	{ "INC-2026-0007x", NULL },
	{ "[INC-2026-0007]]", NULL },
	{ "2026-0007", NULL },
	{ "", NULL },
};

static const struct {
	const char *bot, *ref, *token, *want;	/* want NULL: refused */
} writes[] = {
	{ "incident@example.com", "INC-2026-0007", NULL, "incident+INC-2026-0007@example.com" },
	{ "incident@example.com", "inc-2026-0007", NULL, "incident+INC-2026-0007@example.com" },
	{ "incident@example.com", "INC-2026-0007", "0123456789ABCDEF",
	  "incident+INC-2026-0007-0123456789abcdef@example.com" },
	{ "incident@example.com", "INC-2026-0007", "0123456789abcde", NULL },	/* 15 */
	{ "incident@example.com", "INC-2026-0007", "0123456789abcdeg", NULL },	/* not hex */
	{ "incident@example.com", "INC-2026-0007x", NULL, NULL },
	{ "incident@example.com", "", NULL, NULL },
	{ "incident", "INC-2026-0007", NULL, NULL },
	{ "@example.com", "INC-2026-0007", NULL, NULL },
	{ "incident@", "INC-2026-0007", NULL, NULL },
	{ "a@b@example.com", "INC-2026-0007", NULL, NULL },
};

static const struct {
	const char *addr;
	enum ticket_ref_tail kind;
	const char *ref, *token;
} reads[] = {
	{ "incident+INC-2026-0007@example.com", TICKET_ADDR_PLAIN, "INC-2026-0007", "" },
	{ "INCIDENT+inc-2026-0007@EXAMPLE.COM", TICKET_ADDR_PLAIN, "INC-2026-0007", "" },
	{ "incident+INC-2026-0007-0123456789ABCDEF@example.com", TICKET_ADDR_TOKEN,
	  "INC-2026-0007", "0123456789abcdef" },
	{ "incident+INC-2026-0007-0123456789abcde@example.com", TICKET_ADDR_OTHER, "INC-2026-0007", "" },
	{ "incident+INC-2026-0007-0123456789abcdef0@example.com", TICKET_ADDR_OTHER, "INC-2026-0007", "" },
	{ "incident+INC-2026-0007-x@example.com", TICKET_ADDR_OTHER, "INC-2026-0007", "" },
	{ "incident+INC-2026-0007@example.org", TICKET_ADDR_NONE, "", "" },
	{ "incident+INC-2026-0007@example.com.evil", TICKET_ADDR_NONE, "", "" },
	{ "other+INC-2026-0007@example.com", TICKET_ADDR_NONE, "", "" },
	{ "incidents+INC-2026-0007@example.com", TICKET_ADDR_NONE, "", "" },
	{ "incident-INC-2026-0007@example.com", TICKET_ADDR_NONE, "", "" },
	{ "incident+INC-2026-0007x@example.com", TICKET_ADDR_NONE, "", "" },
	{ "incident+INC-2026-007@example.com", TICKET_ADDR_NONE, "", "" },
	{ "incident@example.com", TICKET_ADDR_NONE, "", "" },
	{ "incident+INC-2026-0007", TICKET_ADDR_NONE, "", "" },
	{ "", TICKET_ADDR_NONE, "", "" },
};

int main(void)
{
	char ref[TICKET_REF_MAX], token[TICKET_TOKEN_LEN + 1], what[200], *addr;
	size_t i, n;

	for (i = 0; i < sizeof parses / sizeof *parses; i++) {
		strcpy(ref, "untouched");
		n = ticket_ref_parse(parses[i].text, ref);
		snprintf(what, sizeof what, "parse \"%s\": %s", parses[i].text,
			 parses[i].ref ? parses[i].ref : "no ID");
		CHECK(n == parses[i].len &&
		      strcmp(ref, parses[i].ref ? parses[i].ref : "untouched") == 0, what);
	}
	CHECK_INT(ticket_ref_parse(NULL, ref), 0, "parse NULL: no ID");

	for (i = 0; i < sizeof args / sizeof *args; i++) {
		bool ok = ticket_ref_arg(args[i].arg, ref);

		snprintf(what, sizeof what, "argument \"%s\": %s", args[i].arg,
			 args[i].ref ? args[i].ref : "refused");
		CHECK(args[i].ref ? ok && strcmp(ref, args[i].ref) == 0 : !ok, what);
	}

	for (i = 0; i < sizeof writes / sizeof *writes; i++) {
		addr = ticket_ref_address(writes[i].bot, writes[i].ref, writes[i].token);
		snprintf(what, sizeof what, "address of %s, %s, token %s: %s", writes[i].bot,
			 writes[i].ref, writes[i].token ? writes[i].token : "none",
			 writes[i].want ? writes[i].want : "refused");
		CHECK_STR(addr, writes[i].want, what);
		/* what is written reads back as written */
		if (addr && writes[i].want) {
			enum ticket_ref_tail k = ticket_ref_address_read(addr, writes[i].bot, ref, token);

			snprintf(what, sizeof what, "... reads back: %s", addr);
			CHECK(k == (writes[i].token ? TICKET_ADDR_TOKEN : TICKET_ADDR_PLAIN) &&
			      strcmp(ref, "INC-2026-0007") == 0, what);
		}
		free(addr);
	}

	for (i = 0; i < sizeof reads / sizeof *reads; i++) {
		enum ticket_ref_tail k = ticket_ref_address_read(reads[i].addr, "incident@example.com",
								 ref, token);

		snprintf(what, sizeof what, "read \"%s\": kind %d, \"%s\", \"%s\"", reads[i].addr,
			 (int)reads[i].kind, reads[i].ref, reads[i].token);
		CHECK(k == reads[i].kind && strcmp(ref, reads[i].ref) == 0 &&
		      strcmp(token, reads[i].token) == 0, what);
	}
	CHECK(ticket_ref_address_read("incident+INC-2026-0007@example.com", "incident@example.com",
				      ref, NULL) == TICKET_ADDR_PLAIN, "read: the token buffer may be NULL");

	/* the owners that use it agree with it */
	CHECK(AUTH_TOKEN_LEN == TICKET_TOKEN_LEN && AUTH_REF_MAX == TICKET_REF_MAX,
	      "auth.h's token and ref sizes are ticket_ref.h's");
	addr = auth_reply_address("incident@example.com", "INC-2026-0007", "0123456789abcdef");
	CHECK_STR(addr, "incident+INC-2026-0007-0123456789abcdef@example.com",
		  "auth_reply_address writes the same address");
	free(addr);
	CHECK(auth_reply_address("incident@example.com", "INC-2026-0007", NULL) == NULL,
	      "auth_reply_address without a token: none (a token address needs one)");
	return test_done();
}
