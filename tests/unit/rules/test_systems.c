/* test_systems.c — policy 6(3): which configured system a report names. */
#include <stdlib.h>
#include <string.h>

#include "rules/systems.h"
#include "test.h"

static char *kw_order[] = { "受注管理", "oms", NULL };
static char *kw_site[] = { "ecサイト", "ショップ", NULL };
static char *kw_mail[] = { "メールサーバ", NULL };

static void normalise_keywords(char **kw)
{
	for (; *kw; kw++)
		*kw = systems_normalise(*kw);
}

int main(void)
{
	struct system_config sys[] = {
		{ "社内メール", kw_mail, 1, PRIORITY_MEDIUM, 0 },
		{ "受注管理システム", kw_order, 2, PRIORITY_HIGH, 4 * 3600 },
		{ "ECサイト", kw_site, 2, PRIORITY_HIGH, 2 * 3600 },
	};
	const struct system_config *got;
	char *n;

	normalise_keywords(kw_order);
	normalise_keywords(kw_site);
	normalise_keywords(kw_mail);

	CHECK_INT(systems_named(sys, 3, "受注管理画面にログインできません", "朝から", &got), 1,
		  "a subject naming the order system");
	CHECK(got == &sys[1], "... is that system");
	CHECK_INT(systems_named(sys, 3, "障害", "ＯＭＳ が応答しません", &got), 1,
		  "full-width ＯＭＳ in the body names it (normalised)");
	CHECK(got == &sys[1], "... the order system");
	CHECK_INT(systems_named(sys, 3, "メールサーバが落ちました", "ECサイトの注文メールも届きません",
				&got), 1, "two systems named");
	CHECK(got == &sys[2], "... the more urgent one (high before medium), the first among equals");
	CHECK_INT(systems_named(sys, 3, "メールサーバが落ちました", NULL, &got), 1,
		  "a medium system alone");
	CHECK(got == &sys[0], "... is the mail server");
	CHECK_INT(systems_named(sys, 3, "プリンタが壊れた", "紙詰まりです", &got), 0,
		  "no system named: 0");
	CHECK(got == NULL, "... and NULL");
	CHECK_INT(systems_named(sys, 3, "受注", "管理", &got), 0,
		  "a keyword split between subject and body is not named");
	CHECK_INT(systems_named(sys, 0, "受注管理", "", &got), 0, "no systems configured: 0");
	CHECK_INT(systems_named(sys, 3, NULL, NULL, &got), 0, "no text: 0");

	n = systems_normalise("ＥＣサイト  ｼｮｯﾌﾟ");
	CHECK_STR(n, "ecサイト ショップ", "keywords are normalised as the text is");
	free(n);

	for (char **kw = kw_order; *kw; kw++)
		free(*kw);
	for (char **kw = kw_site; *kw; kw++)
		free(*kw);
	for (char **kw = kw_mail; *kw; kw++)
		free(*kw);
	return test_done();
}
