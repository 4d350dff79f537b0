/* test_route.c — ticket tags in subjects and addresses. */
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

	return test_done();
}
