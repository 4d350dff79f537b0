/* test_auth.c — reply tokens, reply addresses, Authentication-Results. */
#include <stdlib.h>
#include <string.h>

#include "desk/route.h"
#include "lib/digest.h"
#include "rules/auth.h"
#include "test.h"

_Static_assert(AUTH_REF_MAX == ROUTE_REF_MAX, "auth and route disagree on refs");

#define SECRET "s3cret-key"
#define BOT "incident@example.com"
#define MX "mx.example.com"

static void hmac_vector(void)
{
	/* RFC 4231 test case 2 */
	unsigned char mac[32];
	char hex[65];
	size_t i;

	digest_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		  "HMAC-SHA256: RFC 4231 test case 2");
}

static void tokens(void)
{
	char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1], up[AUTH_TOKEN_LEN + 1];
	char longaddr[AUTH_ADDR_MAX + 20];
	size_t i;

	auth_token(SECRET, "INC-2026-0007", "alice@example.com", 1, a);
	/* computed apart: HMAC-SHA256("s3cret-key", "incident-bot reply v2\n
	 * INC-2026-0007\nalice@example.com\n1")[:8] in Python */
	CHECK_STR(a, "3b18a65c55e46ec7", "token: the documented MAC, first 8 bytes in hex");
	auth_token(SECRET, "INC-2026-0007", "alice@example.com", 1, b);
	CHECK_STR(b, a, "token: same input, same token");
	auth_token(SECRET, "inc-2026-0007", "Alice@EXAMPLE.com", 1, b);
	CHECK_STR(b, a, "token: case of ref and address does not matter");
	auth_token(SECRET, "INC-2026-0008", "alice@example.com", 1, b);
	CHECK(strlen(b) == AUTH_TOKEN_LEN && strcmp(a, b) != 0, "token: another ticket, another token");
	auth_token(SECRET, "INC-2026-0007", "bob@example.com", 1, b);
	CHECK(strlen(b) == AUTH_TOKEN_LEN && strcmp(a, b) != 0, "token: another address, another token");
	auth_token("other-secret", "INC-2026-0007", "alice@example.com", 1, b);
	CHECK(strlen(b) == AUTH_TOKEN_LEN && strcmp(a, b) != 0, "token: another secret, another token");
	auth_token(SECRET, "INC-2026-0007", "alice@example.co", 1, b);
	CHECK(strcmp(a, b) != 0, "token: an address one letter shorter, another token");
	auth_token(SECRET, "INC-2026-0007", "alice@example.com", 2, b);
	CHECK(strlen(b) == AUTH_TOKEN_LEN && strcmp(a, b) != 0,
	      "token: another generation, another token (what revocation rests on)");
	auth_token(SECRET, "INC-2026-0007", "alice@example.com", 0, b);
	CHECK_STR(b, "", "token: none for generation 0");
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 2, a),
	      "token ok: refused for another generation");

	auth_token("", "INC-2026-0007", "alice@example.com", 1, b);
	CHECK_STR(b, "", "token: none with an empty secret");
	auth_token(NULL, "INC-2026-0007", "alice@example.com", 1, b);
	CHECK_STR(b, "", "token: none with no secret");
	auth_token(SECRET, NULL, "alice@example.com", 1, b);
	CHECK_STR(b, "", "token: none with no ref");
	auth_token(SECRET, "INC-2026-0007", NULL, 1, b);
	CHECK_STR(b, "", "token: none with no address");
	auth_token(SECRET, "INC-2026-0007\nx", "alice@example.com", 1, b);
	CHECK_STR(b, "", "token: none for a ref with a newline (it would shift the fields)");
	auth_token(SECRET, "INC-2026-0007", "alice@example.com\nx", 1, b);
	CHECK_STR(b, "", "token: none for an address with a newline");
	auth_token(SECRET, "INC-2026-0007", "alice @example.com", 1, b);
	CHECK_STR(b, "", "token: none for an address with a space");
	memset(longaddr, 'a', sizeof longaddr - 1);
	longaddr[sizeof longaddr - 1] = '\0';
	auth_token(SECRET, "INC-2026-0007", longaddr, 1, b);
	CHECK_STR(b, "", "token: none for an address longer than SMTP carries");
	longaddr[AUTH_ADDR_MAX] = '\0';
	auth_token(SECRET, "INC-2026-0007", longaddr, 1, b);
	CHECK_INT(strlen(b), AUTH_TOKEN_LEN, "token: made for an address of exactly AUTH_ADDR_MAX");

	CHECK(auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, a), "token ok: right one");
	for (i = 0; i <= AUTH_TOKEN_LEN; i++)
		up[i] = (a[i] >= 'a' && a[i] <= 'f') ? (char)(a[i] - 32) : a[i];
	CHECK(auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, up), "token ok: upper case");
	CHECK(auth_token_ok(SECRET, "inc-2026-0007", "ALICE@example.com", 1, a),
	      "token ok: ref and address in other case");
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "bob@example.com", 1, a),
	      "token ok: refused for another address");
	CHECK(!auth_token_ok(SECRET, "INC-2026-0008", "alice@example.com", 1, a),
	      "token ok: refused for another ticket");
	CHECK(!auth_token_ok("other-secret", "INC-2026-0007", "alice@example.com", 1, a),
	      "token ok: refused under another secret");
	CHECK(!auth_token_ok("", "INC-2026-0007", "alice@example.com", 1, a),
	      "token ok: refused with an empty secret");
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, NULL), "token ok: NULL");
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, ""), "token ok: empty");
	memcpy(b, a, sizeof b);
	b[AUTH_TOKEN_LEN - 1] = '\0';
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, b), "token ok: 15 digits");
	{
		char longer[AUTH_TOKEN_LEN + 2];

		memcpy(longer, a, AUTH_TOKEN_LEN);
		longer[AUTH_TOKEN_LEN] = '0';
		longer[AUTH_TOKEN_LEN + 1] = '\0';
		CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, longer),
		      "token ok: 17 digits (a right token and one more)");
	}
	memcpy(b, a, sizeof b);
	b[0] = b[0] == '0' ? '1' : '0';
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, b),
	      "token ok: first digit wrong");
	memcpy(b, a, sizeof b);
	b[AUTH_TOKEN_LEN - 1] = b[AUTH_TOKEN_LEN - 1] == '0' ? '1' : '0';
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, b),
	      "token ok: last digit wrong");
	CHECK(!auth_token_ok(SECRET, "INC-2026-0007", "alice@example.com", 1, "0000000000000000"),
	      "token ok: zeros");
}

/* auth_address_token() on addr: want_ref NULL when it must refuse. */
static void address(const char *addr, const char *want_ref, const char *want_token)
{
	char ref[AUTH_REF_MAX] = "x", token[AUTH_TOKEN_LEN + 1] = "x", what[300];
	bool got = auth_address_token(addr, BOT, ref, token);

	snprintf(what, sizeof what, "address %s → %s", addr ? addr : "(null)",
		 want_ref ? want_ref : "refused");
	if (want_ref)
		CHECK(got && strcmp(ref, want_ref) == 0 && strcmp(token, want_token) == 0, what);
	else
		CHECK(!got && !ref[0] && !token[0], what);
}

static void addresses(void)
{
	char tok[AUTH_TOKEN_LEN + 1], ref[AUTH_REF_MAX], got_tok[AUTH_TOKEN_LEN + 1];
	char *addr, want[200];

	auth_token(SECRET, "INC-2026-0007", "alice@example.com", 1, tok);
	addr = auth_reply_address(BOT, "inc-2026-0007", tok);
	snprintf(want, sizeof want, "incident+INC-2026-0007-%s@example.com", tok);
	CHECK_STR(addr, want, "reply address: local+REF-TOKEN@domain, ref upper-cased");
	CHECK(addr && auth_address_token(addr, BOT, ref, got_tok), "reply address: reads back");
	CHECK_STR(ref, "INC-2026-0007", "reply address: ref back");
	CHECK_STR(got_tok, tok, "reply address: token back");
	CHECK(auth_token_ok(SECRET, ref, "alice@example.com", 1, got_tok), "reply address: token checks");
	ref[0] = '\0';
	CHECK(addr && route_address_tag(addr, BOT, ref) && strcmp(ref, "INC-2026-0007") == 0,
	      "reply address: route_address_tag still finds the ticket");
	free(addr);

	addr = auth_reply_address(BOT, "INC-2026-12345678", "0123456789ABCDEF");
	CHECK_STR(addr, "incident+INC-2026-12345678-0123456789abcdef@example.com",
		  "reply address: 8-digit number, token lower-cased");
	ref[0] = '\0';
	CHECK(addr && route_address_tag(addr, BOT, ref) && strcmp(ref, "INC-2026-12345678") == 0,
	      "reply address: route agrees on an 8-digit number");
	free(addr);

	CHECK(!auth_reply_address("incident", "INC-2026-0007", tok), "reply address: bot without @");
	CHECK(!auth_reply_address("@example.com", "INC-2026-0007", tok), "reply address: empty local part");
	CHECK(!auth_reply_address("incident@", "INC-2026-0007", tok), "reply address: empty domain");
	CHECK(!auth_reply_address("a@b@example.com", "INC-2026-0007", tok), "reply address: two @");
	CHECK(!auth_reply_address(NULL, "INC-2026-0007", tok), "reply address: NULL bot");
	CHECK(!auth_reply_address(BOT, "INC-26-0007", tok), "reply address: bad ref");
	CHECK(!auth_reply_address(BOT, "INC-2026-0007x", tok), "reply address: ref with a tail");
	CHECK(!auth_reply_address(BOT, NULL, tok), "reply address: NULL ref");
	CHECK(!auth_reply_address(BOT, "INC-2026-0007", ""), "reply address: empty token");
	CHECK(!auth_reply_address(BOT, "INC-2026-0007", "0123456789abcde"), "reply address: short token");
	CHECK(!auth_reply_address(BOT, "INC-2026-0007", "0123456789abcdef0"), "reply address: long token");
	CHECK(!auth_reply_address(BOT, "INC-2026-0007", "0123456789abcdeg"), "reply address: non-hex");
	CHECK(!auth_reply_address(BOT, "INC-2026-0007", NULL), "reply address: NULL token");

	address("incident+INC-2026-0007-0123456789abcdef@example.com", "INC-2026-0007",
		"0123456789abcdef");
	address("INCIDENT+inc-2026-0007-0123456789ABCDEF@Example.COM", "INC-2026-0007",
		"0123456789abcdef");
	address("incident+INC-2026-00071-0123456789abcdef@example.com", "INC-2026-00071",
		"0123456789abcdef");
	address("incident+INC-2026-0007@example.com", NULL, NULL);
	address("incident+INC-2026-0007-@example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef@example.org", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef@example.com.evil.example", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef@sub.example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef@evil@example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef@", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef", NULL, NULL);
	address("admin+INC-2026-0007-0123456789abcdef@example.com", NULL, NULL);
	address("incidentx+INC-2026-0007-0123456789abcdef@example.com", NULL, NULL);
	address("xincident+INC-2026-0007-0123456789abcdef@example.com", NULL, NULL);
	address("incident-INC-2026-0007-0123456789abcdef@example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcde@example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef0@example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdeg@example.com", NULL, NULL);
	address("incident+INC-2026-0007--123456789abcdef@example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef @example.com", NULL, NULL);
	address("incident+INC-2026-0007-0123456789abcdef@example.com ", NULL, NULL);
	address("<incident+INC-2026-0007-0123456789abcdef@example.com>", NULL, NULL);
	address("incident+INC-26-0007-0123456789abcdef@example.com", NULL, NULL);
	address("incident+INC-2026-007-0123456789abcdef@example.com", NULL, NULL);
	address("incident+INC-2026-123456789-0123456789abcdef@example.com", NULL, NULL);
	address("incident+XYZ-2026-0007-0123456789abcdef@example.com", NULL, NULL);
	address("incident@example.com", NULL, NULL);
	address("", NULL, NULL);
	address(NULL, NULL, NULL);
	CHECK(!auth_address_token("incident+INC-2026-0007-0123456789abcdef@example.com", NULL, ref,
				  got_tok), "address: NULL bot address refused");
	CHECK(!auth_address_token("incident+INC-2026-0007-0123456789abcdef@example.com", "incident",
				  ref, got_tok), "address: bot address without @ refused");
}

/* auth_results_ok() with authserv-id MX and From alice@<from_domain>. */
static void results_n(const char *const *v, size_t n, const char *from, bool want,
		      const char *want_why, const char *what)
{
	char why[300] = "unset", msg[400];
	bool got = auth_results_ok(v, n, MX, from, why, sizeof why);

	snprintf(msg, sizeof msg, "A-R: %s → %s", what, want ? "pass" : "fail");
	CHECK(got == want, msg);
	if (got != want)
		printf("#   why: %s\n", why);
	if (want_why) {
		snprintf(msg, sizeof msg, "A-R: %s: why", what);
		CHECK_STR(why, want_why, msg);
	}
}

static void results(const char *value, const char *from, bool want, const char *want_why,
		    const char *what)
{
	results_n(&value, 1, from, want, want_why, what);
}

static const char gmail[] =
	"mx.google.com;\r\n       dkim=pass header.i=@example.com header.s=20230601 header.b=abc;\r\n"
	"       spf=pass (google.com: domain of a@example.com designates 1.2.3.4 as permitted sender)"
	" smtp.mailfrom=a@example.com;\r\n       dmarc=pass (p=NONE) header.from=example.com";

static const char microsoft[] =
	"spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=example.com; dkim=pass (signature was "
	"verified) header.d=example.com;dmarc=pass action=none header.from=example.com;"
	"compauth=pass reason=100";

static void authentication_results(void)
{
	char why[64];
	const char *v2[2];

	/* real-world forms */
	{
		const char *v = gmail;
		CHECK(auth_results_ok(&v, 1, "mx.google.com", "a@example.com", why, sizeof why),
		      "A-R: Gmail's field, by mx.google.com → pass");
		CHECK_STR(why, "dkim=pass header.i=@example.com (by mx.google.com)",
			  "A-R: Gmail's field: why");
		CHECK(!auth_results_ok(&v, 1, "MX.Google.COM", "a@sub.example.com", why, sizeof why),
		      "A-R: Gmail's field, From a subdomain: not aligned (issue 14, V3) → fail");
	}
	results(gmail, "a@example.com", false, "no Authentication-Results from mx.example.com",
		"Gmail's field is not ours");
	results(microsoft, "a@example.com", false, "no Authentication-Results from mx.example.com",
		"Microsoft's field without authserv-id is nobody's");
	{
		char ms[sizeof microsoft + 32];
		const char *v = ms;

		snprintf(ms, sizeof ms, "%s; %s", MX, microsoft);
		results_n(&v, 1, "a@example.com", true,
			  "dkim=pass header.d=example.com (by mx.example.com)",
			  "Microsoft's results under our authserv-id (action=, reason=)");
	}
	results("mx.example.com;\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com "
		"header.i=@example.com header.a=rsa-sha256 header.s=sel header.b=AbC+/dE=;",
		"alice@example.com", true, "dkim=pass header.d=example.com (by mx.example.com)",
		"OpenDKIM's field, trailing ';'");

	/* whose field counts */
	v2[0] = "mx.evil.example; dkim=pass header.d=example.com";
	v2[1] = "mx.example.com; dkim=fail header.d=example.com";
	results_n(v2, 2, "alice@example.com", false,
		  "dkim=fail header.d=example.com (by mx.example.com)",
		  "a sender's pass above our fail");
	v2[0] = "mx.example.com.evil.example; dkim=pass header.d=example.com";
	v2[1] = "mx.example.com; spf=fail smtp.mailfrom=alice@example.com";
	results_n(v2, 2, "alice@example.com", false,
		  "spf=fail smtp.mailfrom=alice@example.com: SPF alone authorises no command (by mx.example.com)",
		  "authserv-id with our name as prefix");
	results("(mx.example.com) mx.evil.example; dkim=pass header.d=example.com",
		"alice@example.com", false, "no Authentication-Results from mx.example.com",
		"our name in a comment before another authserv-id");
	results("mx.example; dkim=pass header.d=example.com", "alice@example.com", false, NULL,
		"a prefix of our authserv-id");
	results("mx.example.com=x; dkim=pass header.d=example.com", "alice@example.com", false,
		"no dkim result from mx.example.com", "garbage after the authserv-id");
	results("MX.EXAMPLE.COM; DKIM=PASS HEADER.D=EXAMPLE.COM", "alice@example.com", true, NULL,
		"names in upper case");
	results("\"mx.example.com\"; dkim=pass header.d=example.com", "alice@example.com", true, NULL,
		"quoted authserv-id");
	results("  (ours) mx.example.com (v) 1 (one); dkim=pass header.d=example.com",
		"alice@example.com", true, NULL, "comments around authserv-id and version");
	results("mx.example.com 1; dkim=pass header.d=example.com", "alice@example.com", true, NULL,
		"version 1");
	results("mx.example.com 2; dkim=pass header.d=example.com", "alice@example.com", false,
		"no dkim result from mx.example.com", "version 2 is not understood");
	v2[0] = "mx.example.com; dkim=fail header.d=example.com";
	v2[1] = "mx.example.com; spf=pass smtp.mailfrom=bounce@example.com";
	/* issue 14 (V2): a fail among ours wins over any pass; SPF never authorises */
	results_n(v2, 2, "alice@example.com", false,
		  "dkim=fail header.d=example.com (by mx.example.com)",
		  "two fields of ours: DKIM failed, SPF passed");
	results("mx.example.com; dkim=fail header.d=example.com; dkim=pass header.d=example.com",
		"alice@example.com", false, "dkim=fail header.d=example.com (by mx.example.com)",
		"two signatures, the first fails: the fail wins");
	results("mx.example.com; dkim=pass header.d=example.com; dkim=temperror header.d=example.com",
		"alice@example.com", false, "dkim=temperror header.d=example.com (by mx.example.com)",
		"a temperror after a pass wins");
	results("mx.example.com; dkim=pass header.d=example.com; dkim=none header.d=example.com",
		"alice@example.com", false, NULL, "a none after a pass wins");
	results("mx.example.com; dkim=pass header.d=example.com; dmarc=fail header.from=example.com",
		"alice@example.com", false, "dmarc=fail (by mx.example.com)", "dmarc=fail refuses");
	results("mx.example.com; dkim=pass header.d=example.com; dkim=fail header.d=list.example",
		"alice@example.com", true, NULL, "a failing signature of another domain does not refuse");
	results("mx.example.com; spf=pass smtp.mailfrom=alice@example.com", "alice@example.com", false,
		"spf=pass smtp.mailfrom=alice@example.com: SPF alone authorises no command (by mx.example.com)",
		"spf=pass alone (issue 14, V3)");
	results("mx.example.com; dkim=pass header.d=example.com header.i=bob@example.com",
		"alice@example.com", false,
		"dkim=pass but header.i=bob@example.com is not the From address (by mx.example.com)",
		"header.i names another person");
	results("mx.example.com; dkim=pass header.d=example.com header.i=Alice@Example.com",
		"alice@example.com", true, NULL, "header.i names the From address");

	/* alignment */
	/* issue 14 (V3): subdomains align only when configured (auth_trace_ok) */
	results("mx.example.com; dkim=pass header.d=example.com", "alice@mail.example.com", false,
		NULL, "header.d a parent of the From domain");
	results("mx.example.com; dkim=pass header.d=mail.example.com", "alice@example.com", false,
		NULL, "header.d a subdomain of the From domain");
	results("mx.example.com; dkim=pass header.d=example.com.", "alice@Example.COM", true, NULL,
		"final dot and case");
	results("mx.example.com; dkim=pass header.d=evil.example", "alice@example.com", false,
		"dkim=pass but header.d=evil.example not aligned with example.com (subdomains align only "
		"with commands.align_subdomains)", "unaligned pass");
	results("mx.example.com; dkim=pass header.d=badexample.com", "alice@example.com", false,
		"dkim=pass but header.d=badexample.com not aligned with example.com (subdomains align "
		"only with commands.align_subdomains)", "suffix but not on a label boundary");
	results("mx.example.com; dkim=pass header.d=example.com.evil.example", "alice@example.com",
		false, NULL, "our domain as a prefix");
	results("mx.example.com; dkim=pass header.d=com", "alice@example.com", false, NULL,
		"a top-level domain aligns with nothing below it");
	results("mx.example.com; dkim=pass header.d=ex..ample.com", "alice@ex..ample.com", false,
		NULL, "empty label");
	results("mx.example.com; dkim=pass header.i=alice@example.com", "alice@example.com",
		true, "dkim=pass header.i=alice@example.com (by mx.example.com)",
		"header.i without header.d");
	results("mx.example.com; dkim=pass header.d=evil.example header.i=@example.com",
		"alice@example.com", false, NULL, "header.d wins over header.i");
	results("mx.example.com; dkim=pass header.s=sel", "alice@example.com", false,
		"dkim=pass (by mx.example.com)", "pass without a domain");
	results("mx.example.com; spf=pass smtp.mailfrom=example.com", "alice@example.com", false,
		NULL, "smtp.mailfrom without @: SPF does not authorise");
	results("mx.example.com; spf=pass smtp.helo=example.com", "alice@example.com", false,
		"spf=pass smtp.mailfrom=: SPF alone authorises no command (by mx.example.com)",
		"HELO identity does not count");
	results("mx.example.com; spf=softfail smtp.mailfrom=evil.example", "alice@example.com",
		false, "spf=softfail smtp.mailfrom=evil.example: SPF alone authorises no command (by "
		"mx.example.com)", "softfail of another domain");
	results("mx.example.com; dmarc=pass header.from=example.com; arc=pass",
		"alice@example.com", false, "no dkim result from mx.example.com",
		"dmarc and arc do not count");
	results("mx.example.com; dkim=pass header.d=example.com", "alice", false,
		"From address has no domain", "From without a domain");
	results("mx.example.com; dkim=pass header.d=example.com", NULL, false,
		"From address has no domain", "no From");
	results("mx.example.com; dkim=pass header.d=example.com header.d=evil.example",
		"alice@example.com", false, NULL, "header.d twice is ambiguous");
	results("mx.example.com; dkim=pass header.d=evil.example header.d=example.com",
		"alice@example.com", false, NULL, "header.d twice, ours second");
	results("mx.example.com; dkim=policy header.d=example.com; dkim=pass header.d=other.example",
		"alice@example.com", false, "dkim=policy header.d=example.com (by mx.example.com)",
		"a failure of our domain is a better reason than an unaligned pass");

	/* RFC 8601 syntax */
	results("mx.example.com; dkim=pass (2048-bit key; header.d=example.com) header.d=evil.example",
		"alice@example.com", false, NULL, "';' and header.d inside a comment");
	results("mx.example.com (a (nested; (deep)) c\\) ;); dkim=pass header.d=example.com",
		"alice@example.com", true, NULL, "nested comment with a quoted ')'");
	results("mx.example.com; dkim=pass reason=\"good; header.d=evil.example\" header.d=example.com",
		"alice@example.com", true, NULL, "quoted reason with ';'");
	results("mx.example.com; spf=pass smtp.mailfrom=\"a; dkim=pass header.d=example.com\"@evil.example",
		"alice@example.com", false, NULL, "quoted local part cannot inject a result");
	results("mx.example.com; dkim=pass header.d=\"example.com\"", "alice@example.com", true, NULL,
		"quoted domain");
	results("mx.example.com; spf=pass (domain of \"x) ; dkim=pass header.d=example.com; (\"@evil"
		".example designates 1.2.3.4) smtp.mailfrom=\"x) ; dkim=pass header.d=example.com; (\""
		"@evil.example", "alice@example.com", false, "no dkim result from mx.example.com",
		"'\"' inside a comment drops the field");
	results("mx.example.com; dkim/1 = pass header . d = example.com", "alice@example.com", true,
		NULL, "method version and spaces around '=' and '.'");
	results("mx.example.com; none", "alice@example.com", false,
		"no dkim result from mx.example.com", "none");
	results("mx.example.com", "alice@example.com", false,
		"no dkim result from mx.example.com", "authserv-id alone");
	results("mx.example.com; dkim=pass header.d; dkim=pass header.d=example.com",
		"alice@example.com", true, NULL, "a broken result does not hide the next");
	results("mx.example.com; dkim=pass header.d=example.com x", "alice@example.com", false, NULL,
		"a result with trailing garbage is dropped");
	results("mx.example.com; =pass; dkim=; ;;; dkim pass; dkim=pass header.d=example.com",
		"alice@example.com", true, NULL, "empty and broken results before a good one");
	results("mx.example.com; dkim=pass header.d=\"example.com", "alice@example.com", false, NULL,
		"unclosed quote");
	results("mx.example.com; dkim=pass header.d=example.com (unclosed", "alice@example.com",
		true, NULL, "unclosed comment at the end");
	results("mx.example.com; dkim=pass header.d=ex\001ample.com", "alice@example.com", false,
		"dkim=pass but header.d=ex?ample.com not aligned with example.com (subdomains align "
		"only with commands.align_subdomains)", "control character shown as '?'");

	/* empty and absent */
	results("", "alice@example.com", false, "no Authentication-Results from mx.example.com",
		"empty value");
	results_n(NULL, 0, "alice@example.com", false, "no Authentication-Results from mx.example.com",
		  "no fields");
	results_n(NULL, 3, "alice@example.com", false, NULL, "NULL array with a count");
	v2[0] = NULL;
	v2[1] = "mx.example.com; dkim=pass header.d=example.com";
	results_n(v2, 2, "alice@example.com", true, NULL, "NULL entry skipped");
	{
		const char *v = "mx.example.com; dkim=pass header.d=example.com";

		CHECK(!auth_results_ok(&v, 1, "", "alice@example.com", why, sizeof why),
		      "A-R: no authserv-id configured → fail");
		CHECK(!auth_results_ok(&v, 1, NULL, "alice@example.com", NULL, 0),
		      "A-R: NULL authserv-id, NULL why → fail");
		CHECK(auth_results_ok(&v, 1, MX, "alice@example.com", why, 10),
		      "A-R: short why buffer → pass");
		CHECK_STR(why, "dkim=pass", "A-R: why cut to its buffer");
		why[0] = 'x';
		auth_results_ok(&v, 1, MX, "alice@example.com", why, 1);
		CHECK_STR(why, "", "A-R: one-byte why buffer gets the NUL");
	}
}

/* 10 KB of each kind of garbage: nothing passes, nothing breaks. */
static void garbage(void)
{
	enum { N = 10 * 1024 };
	static const char pieces[] = "();\"\\=./@ \t\r\nab1";
	char *buf = malloc(N + 64), why[200];
	const char *v[1];
	unsigned seed = 12345;
	size_t i, round;
	bool any = false;

	if (!buf)
		return;
	v[0] = buf;
	for (round = 0; round < 200; round++) {
		size_t k = 0;

		if (round % 2 == 0)
			k = (size_t)snprintf(buf, 64, "%s; dkim=pass ", MX);
		for (i = k; i < N; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = round % 4 == 1 ? (char)((seed >> 16) % 255 + 1)
						: pieces[(seed >> 16) % (sizeof pieces - 1)];
		}
		buf[N] = '\0';
		any |= auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why);
	}
	CHECK(!any, "A-R: 200 random 10 KB fields: none passes, none crashes");

	memset(buf, '(', N);
	buf[N] = '\0';
	CHECK(!auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why), "A-R: 10 KB of '('");
	memset(buf, '"', N);
	CHECK(!auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why), "A-R: 10 KB of '\"'");
	i = (size_t)snprintf(buf, 64, "%s", MX);
	memset(buf + i, ';', N - i);
	CHECK(!auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why),
	      "A-R: our authserv-id and 10 KB of ';'");
	i = (size_t)snprintf(buf, 64, "%s; dkim=pass header.d=", MX);
	memset(buf + i, 'a', N - i);
	CHECK(!auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why),
	      "A-R: a 10 KB header.d");
	CHECK(strlen(why) < sizeof why, "A-R: the 10 KB header.d fits why");
	i = (size_t)snprintf(buf, 64, "%s", MX);
	memset(buf + i, '0', N - i);
	buf[N - 1] = '1';
	CHECK(!auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why),
	      "A-R: a 10 KB version");
	for (i = 0; i + 1 < N; i += 2)
		memcpy(buf + i, "\\(", 2);
	CHECK(!auth_results_ok(v, 1, MX, "alice@example.com", why, sizeof why),
	      "A-R: 10 KB of quoted pairs");
	free(buf);
}

/* auth_trace_ok(): only the fields above the hop from outside (issue 14, V2). */
static void border(void)
{
	static const char *const inside[] = { "mx.example.com", "10.0.0.5" };
	struct auth_border b = { .authserv_id = MX, .internal_hosts = inside, .n_internal = 2 };
	char ours_pass[] = "mx.example.com; dkim=pass header.d=example.com";
	char ours_fail[] = "mx.example.com; dkim=fail header.d=example.com";
	char lmtp[] = "from mx.example.com (localhost [127.0.0.1]) by store.example.com with LMTP id x";
	char relay[] = "from relay.example.com (relay [10.0.0.5]) by mx.example.com with ESMTP";
	char outside[] = "from evil.example (evil.example [203.0.113.9]) by mx.example.com with ESMTPS";
	char local[] = "by mx.example.com (Postfix, from userid 0) id 1234";
	char why[300];
	struct mail_trace t[6];

#define T(i, k, v) (t[i].kind = (k), t[i].value = (v))
	T(0, 'R', lmtp), T(1, 'A', ours_pass), T(2, 'R', outside);
	CHECK(auth_trace_ok(t, 3, &b, "alice@example.com", why, sizeof why),
	      "border: our pass above the hop from outside (and an LMTP hop of ours above it) → pass");
	T(0, 'R', lmtp), T(1, 'R', outside), T(2, 'A', ours_pass);
	CHECK(!auth_trace_ok(t, 3, &b, "alice@example.com", why, sizeof why),
	      "border: a pass in our name below the hop from outside (sender-added) → fail");
	CHECK_STR(why, "no Authentication-Results from mx.example.com", "border: ... why");
	T(0, 'A', ours_fail), T(1, 'R', outside), T(2, 'A', ours_pass);
	CHECK(!auth_trace_ok(t, 3, &b, "alice@example.com", why, sizeof why),
	      "border: our fail above, a forged pass below → fail");
	CHECK_STR(why, "dkim=fail header.d=example.com (by mx.example.com)", "border: ... why");
	T(0, 'A', ours_pass), T(1, 'R', relay), T(2, 'A', ours_fail), T(3, 'R', outside);
	CHECK(!auth_trace_ok(t, 4, &b, "alice@example.com", why, sizeof why),
	      "border: a fail of ours below an internal hop (by address literal) still counts → fail");
	T(0, 'R', local), T(1, 'A', ours_pass), T(2, 'R', outside);
	CHECK(auth_trace_ok(t, 3, &b, "alice@example.com", why, sizeof why),
	      "border: a Received without 'from' is a hop inside → pass");
	T(0, 'A', ours_pass);
	CHECK(auth_trace_ok(t, 1, &b, "alice@example.com", why, sizeof why),
	      "border: no Received at all (put in from inside): every field read → pass");
	T(0, 'A', (char *)"mx.example.com; dkim=pass header.d=mail.example.com"), T(1, 'R', outside);
	CHECK(!auth_trace_ok(t, 2, &b, "alice@example.com", why, sizeof why),
	      "border: a subdomain's signature without align_subdomains → fail");
	b.subdomains = true;
	CHECK(auth_trace_ok(t, 2, &b, "alice@example.com", why, sizeof why),
	      "border: ... with align_subdomains → pass");
	b.n_internal = 0;
	T(0, 'R', lmtp), T(1, 'A', ours_pass);
	CHECK(!auth_trace_ok(t, 2, &b, "alice@example.com", why, sizeof why),
	      "border: no internal hosts configured: the first Received is the border");
	CHECK(!auth_trace_ok(NULL, 0, &b, "alice@example.com", why, sizeof why), "border: no trace → fail");
#undef T
}

/* Tokens found and masked wherever a reply address shows (issue 14). */
static void leaks(void)
{
	static const char text[] =
		"To: \"x\" <incident+INC-2026-0007-0123456789abcdef@example.com>\r\n"
		"> Reply-To: other+inc-2026-00123-FEDCBA9876543210@corp.example\n"
		"not one: +INC-2026-0007-0123456789abcde@x (15 digits), +INC-2026-0007-0123456789abcdef0@x,"
		" +INC-26-0007-0123456789abcdef@x, +INC-2026-0007-0123456789abcdef";
	char ref[AUTH_REF_MAX], tok[AUTH_TOKEN_LEN + 1], *copy;
	size_t pos = 0;

	CHECK(auth_find_token(text, strlen(text), &pos, ref, tok) &&
	      strcmp(ref, "INC-2026-0007") == 0 && strcmp(tok, "0123456789abcdef") == 0,
	      "find token: in a To header");
	CHECK(auth_find_token(text, strlen(text), &pos, ref, tok) &&
	      strcmp(ref, "INC-2026-00123") == 0 && strcmp(tok, "fedcba9876543210") == 0,
	      "find token: in a quoted Reply-To of another local part, any case");
	CHECK(!auth_find_token(text, strlen(text), &pos, ref, tok) && !ref[0] && !tok[0],
	      "find token: none of the wrong shapes, nor one cut at the end of the text");
	pos = 0;
	CHECK(!auth_find_token(text, 40, &pos, ref, tok), "find token: never past len");
	copy = strdup(text);
	CHECK_INT(auth_mask_tokens(copy), 2, "mask: both tokens");
	CHECK(strstr(copy, "+INC-2026-0007-xxxxxxxxxxxxxxxx@example.com") &&
	      strstr(copy, "+inc-2026-00123-xxxxxxxxxxxxxxxx@corp") &&
	      strstr(copy, "0123456789abcde@x (15"), "mask: the digits become x, nothing else changes");
	CHECK_INT(strlen(copy), strlen(text), "mask: same length");
	pos = 0;
	CHECK(!auth_find_token(copy, strlen(copy), &pos, ref, tok), "mask: a masked token is no token");
	free(copy);
	CHECK_INT(auth_mask_tokens(NULL), 0, "mask: NULL is safe");
}

int main(void)
{
	hmac_vector();
	tokens();
	addresses();
	leaks();
	authentication_results();
	border();
	garbage();
	return test_done();
}
