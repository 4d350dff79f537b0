/* test_route.c — ticket tags in subjects and addresses; machines' mail. */
#include <string.h>

#include "desk/route.h"
#include "test.h"

static void subject(const char *s, const char *want)
{
	char ref[ROUTE_REF_MAX] = "", what[200];
	bool found = route_subject_tag(s, ref);

	snprintf(what, sizeof what, "subject \"%s\" → %s", s, want ? want : "none");
	CHECK(want ? found && strcmp(ref, want) == 0 : !found, what);
}

static void address(const char *a, const char *want)
{
	char ref[ROUTE_REF_MAX] = "", what[200];
	bool found = route_address_tag(a, "incident@example.com", ref);

	snprintf(what, sizeof what, "address %s → %s", a, want ? want : "none");
	CHECK(want ? found && strcmp(ref, want) == 0 : !found, what);
}

static void automatic(const char *header, const char *value, const char *from, bool want)
{
	struct mail m = { 0 };
	struct mail_attachment part = { 0 };
	const char *why = NULL;
	char what[200];

	m.from.addr = (char *)from;
	if (header && strcmp(header, "Auto-Submitted") == 0)
		m.auto_submitted = (char *)value;
	if (header && strcmp(header, "Precedence") == 0)
		m.precedence = (char *)value;
	if (header && strcmp(header, "List-Id") == 0)
		m.list_id = (char *)value;
	if (header && strcmp(header, "Return-Path") == 0)
		m.return_path = (char *)value;
	if (header && strcmp(header, "X-Autoreply") == 0)
		m.x_autoreply = (char *)value;
	if (header && strcmp(header, "Subject") == 0)
		m.subject = (char *)value;
	if (header && strcmp(header, "Part") == 0) {
		part.content_type = (char *)value;
		m.attachments = &part;
		m.n_attachments = 1;
	}
	snprintf(what, sizeof what, "%s: %s from %s → %s", header ? header : "(none)",
		 value ? value : "", from ? from : "(null)", want ? "automatic" : "a person");
	CHECK(route_is_automatic(&m, "incident@example.com", &why) == want, what);
}

int main(void)
{
	subject("[INC-2026-0007] サーバーが遅い", "INC-2026-0007");
	subject("Re: Re: [INC-2026-0007] x", "INC-2026-0007");
	subject("RE: 【INC-2026-0012】 受付しました", "INC-2026-0012");
	subject("Fw: ［inc-2026-0003］", "INC-2026-0003");
	subject("[INC-2026-12345] wide", "INC-2026-12345");
	subject("INC-2026-0007 without brackets", NULL);
	subject("[INC-2026-007] short", NULL);
	subject("[INC-26-0007]", NULL);
	subject("[INC-2026-0007", NULL);
	subject(NULL, NULL);
	subject("", NULL);

	address("incident+INC-2026-0007@example.com", "INC-2026-0007");
	address("incident+INC-2026-0007-a1b2c3@example.com", "INC-2026-0007");
	address("Incident+inc-2026-0007@EXAMPLE.com", "INC-2026-0007");
	address("incident@example.com", NULL);
	address("incident+INC-2026-0007@other.example", NULL);
	address("other+INC-2026-0007@example.com", NULL);
	address("incident+INC-2026-0007x@example.com", NULL);
	address(NULL, NULL);

	automatic(NULL, NULL, "alice@example.com", false);
	automatic("Auto-Submitted", "no", "alice@example.com", false);
	automatic("Auto-Submitted", "auto-replied", "alice@example.com", true);
	automatic("Auto-Submitted", "auto-generated; foo", "alice@example.com", true);
	automatic("Precedence", "bulk", "alice@example.com", true);
	automatic("Precedence", "JUNK", "alice@example.com", true);
	automatic("Precedence", "first-class", "alice@example.com", false);
	automatic("List-Id", "<list.example.com>", "alice@example.com", true);
	automatic("Return-Path", "<>", "alice@example.com", true);
	automatic(NULL, NULL, "MAILER-DAEMON@example.com", true);
	automatic(NULL, NULL, "postmaster@example.net", true);
	automatic(NULL, NULL, "incident@example.com", true);
	automatic(NULL, NULL, "INCIDENT@example.com", true);
	automatic(NULL, NULL, NULL, false);	/* no sender: a report without answer */
	automatic("X-Autoreply", "yes", "alice@example.com", true);
	automatic("Subject", "AUTO: Smith is out of the office", "alice@example.com", true);
	automatic("Subject", "Automatic reply: 障害報告", "alice@example.com", true);
	automatic("Subject", "自動応答: 不在です", "alice@example.com", true);
	automatic("Subject", "Automatyczna odpowiedź: Piotrze", "alice@example.com", true);
	automatic("Subject", "Réponse automatique : absent", "alice@example.com", true);
	automatic("Subject", "Re: auto reply settings are broken", "alice@example.com", false);
	automatic("Subject", "サーバーが自動応答しません", "alice@example.com", false);
	automatic("Part", "message/delivery-status", "alice@example.com", true);
	automatic("Part", "message/disposition-notification", "alice@example.com", true);
	automatic("Part", "text/plain", "alice@example.com", false);
	automatic(NULL, NULL, "Mail-Daemon@example.net", true);
	automatic(NULL, NULL, "daemon-fan@example.net", false);
	return test_done();
}
