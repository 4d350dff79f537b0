/*
 * test_machine.c — who wrote a mail (rules/machine.h, issue 13): each
 * rule, the order they are tried in, a forwarded bounce that stays a
 * person's, whom an acknowledgement may go to, alert senders and what
 * counts as an incident.
 */
#include <string.h>

#include "rules/machine.h"
#include "rules/policy.h"
#include "test.h"

#define BOT "incident@example.com"

/* A mail from `from` with one header (or part) set to value. */
static struct mail one(const char *header, const char *value, const char *from,
		       struct mail_attachment *part)
{
	struct mail m = { 0 };

	m.from.addr = (char *)from;
	if (!header)
		return m;
	if (strcmp(header, "Auto-Submitted") == 0)
		m.auto_submitted = (char *)value;
	else if (strcmp(header, "Precedence") == 0)
		m.precedence = (char *)value;
	else if (strcmp(header, "List-Id") == 0)
		m.list_id = (char *)value;
	else if (strcmp(header, "List-Unsubscribe") == 0)
		m.list_unsubscribe = (char *)value;
	else if (strcmp(header, "Return-Path") == 0)
		m.return_path = (char *)value;
	else if (strcmp(header, "X-Autoreply") == 0)
		m.x_autoreply = (char *)value;
	else if (strcmp(header, "Subject") == 0)
		m.subject = (char *)value;
	else if (strcmp(header, "Part") == 0 || strcmp(header, "Forwarded-Part") == 0) {
		part->content_type = (char *)value;
		part->forwarded = strcmp(header, "Forwarded-Part") == 0;
		m.attachments = part;
		m.n_attachments = 1;
	}
	return m;
}

static void kind(const char *header, const char *value, const char *from, enum machine_kind want)
{
	struct mail_attachment part = { 0 };
	struct mail m = one(header, value, from, &part);
	const char *why = NULL;
	char what[240];
	enum machine_kind got = machine_kind(&m, BOT, &why);

	snprintf(what, sizeof what, "%s: %s from %s → %s", header ? header : "(none)",
		 value ? value : "", from ? from : "(null)",
		 want == MACHINE_NONE ? "a person" : machine_kind_name(want));
	CHECK(got == want && why && (want == MACHINE_NONE) == (*why == '\0'), what);
	if (got != want)
		printf("#   got %s (%s)\n", got == MACHINE_NONE ? "a person" : machine_kind_name(got),
		       why ? why : "");
}

static void answerable(const char *header, const char *value, const char *from, bool want)
{
	struct mail_attachment part = { 0 };
	struct mail m = one(header, value, from, &part);
	const char *why = NULL;
	char what[240];
	bool got = machine_answerable(&m, &why);

	snprintf(what, sizeof what, "acknowledge %s (%s: %s): %s", from ? from : "(null)",
		 header ? header : "-", value ? value : "", want ? "yes" : "no");
	CHECK(got == want && (got || (why && *why)), what);
}

int main(void)
{
	static char *alert_senders[] = { "@monitoring.example.com", "no-reply@sns.amazonaws.com" };
	static char *utm_senders[] = { "@utm-vendor.example" };
	static char *words[] = { "アラート" };
	struct keyword_rule rules[] = {
		{ .field = KW_SOURCE, .value = SOURCE_SYSTEM_ALERT, .words = words, .n_words = 1,
		  .senders = alert_senders, .n_senders = 2 },
		{ .field = KW_SOURCE, .value = SOURCE_UTM_VENDOR, .senders = utm_senders,
		  .n_senders = 1 },
	};
	struct classification c;

	kind(NULL, NULL, "alice@example.com", MACHINE_NONE);
	kind("Auto-Submitted", "no", "alice@example.com", MACHINE_NONE);
	kind("Auto-Submitted", "auto-replied", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Auto-Submitted", "Auto-Replied; owner-email=\"a@b\"", "alice@example.com",
	     MACHINE_AUTO_REPLY);
	kind("Auto-Submitted", "auto-generated; foo", "alice@example.com", MACHINE_GENERATED);
	kind("Auto-Submitted", "auto-notified", "zabbix@example.com", MACHINE_GENERATED);
	kind("Precedence", "bulk", "alice@example.com", MACHINE_LIST);
	kind("Precedence", "JUNK", "alice@example.com", MACHINE_LIST);
	kind("Precedence", "list", "alice@example.com", MACHINE_LIST);
	kind("Precedence", "first-class", "alice@example.com", MACHINE_NONE);
	kind("List-Id", "<list.example.com>", "alice@example.com", MACHINE_LIST);
	kind("List-Unsubscribe", "<mailto:leave@news.example>", "news@shop.example", MACHINE_LIST);
	kind("Return-Path", "<>", "alice@example.com", MACHINE_BOUNCE);
	kind(NULL, NULL, "MAILER-DAEMON@example.com", MACHINE_BOUNCE);
	kind(NULL, NULL, "postmaster@example.net", MACHINE_BOUNCE);
	kind(NULL, NULL, "Mail-Daemon@example.net", MACHINE_BOUNCE);
	kind(NULL, NULL, "daemon-fan@example.net", MACHINE_NONE);
	kind(NULL, NULL, "no-reply@shop.example", MACHINE_GENERATED);
	kind(NULL, NULL, "aws-noreply@amazon.example", MACHINE_GENERATED);
	kind(NULL, NULL, "alice@noreply.example", MACHINE_NONE);
	kind(NULL, NULL, "incident@example.com", MACHINE_LOOP);
	kind(NULL, NULL, "INCIDENT@example.com", MACHINE_LOOP);
	kind(NULL, NULL, NULL, MACHINE_NONE);	/* no sender: a report without answer */
	kind("X-Autoreply", "yes", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Subject", "AUTO: Smith is out of the office", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Subject", "Automatic reply: 障害報告", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Subject", "自動応答: 不在です", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Subject", "Automatyczna odpowiedź: Piotrze", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Subject", "Réponse automatique : absent", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Subject", "Re: auto reply settings are broken", "alice@example.com", MACHINE_NONE);
	kind("Subject", "サーバーが自動応答しません", "alice@example.com", MACHINE_NONE);
	kind("Part", "message/delivery-status", "alice@example.com", MACHINE_BOUNCE);
	kind("Part", "message/disposition-notification", "alice@example.com", MACHINE_AUTO_REPLY);
	kind("Part", "text/plain", "alice@example.com", MACHINE_NONE);
	/* issue 13: an employee forwards a bounce as evidence — a person's mail */
	kind("Forwarded-Part", "message/delivery-status", "alice@example.com", MACHINE_NONE);
	kind("Forwarded-Part", "message/disposition-notification", "alice@example.com", MACHINE_NONE);

	/* the order: an out-of-office reply of a list member is an auto-reply,
	 * a bounce with Auto-Submitted a bounce, our own list mail a loop */
	{
		struct mail m = { .from.addr = "alice@example.com", .auto_submitted = "auto-replied",
				  .list_id = "<x>" };
		const char *why;

		CHECK(machine_kind(&m, BOT, &why) == MACHINE_AUTO_REPLY,
		      "Auto-Submitted: auto-replied beats List-Id");
		m = (struct mail){ .from.addr = "MAILER-DAEMON@example.com",
				   .auto_submitted = "auto-generated" };
		CHECK(machine_kind(&m, BOT, &why) == MACHINE_BOUNCE,
		      "a daemon's bounce with Auto-Submitted: auto-generated is a bounce");
		m = (struct mail){ .from.addr = "MAILER-DAEMON@example.com",
				   .auto_submitted = "auto-replied" };
		CHECK(machine_kind(&m, BOT, &why) == MACHINE_BOUNCE,
		      "a Postfix bounce (Auto-Submitted: auto-replied) is a bounce");
		m = (struct mail){ .from.addr = "alice@example.com", .auto_submitted = "auto-replied",
				   .return_path = "<>" };
		CHECK(machine_kind(&m, BOT, &why) == MACHINE_AUTO_REPLY,
		      "a vacation reply with a null sender (RFC 3834 3.3) is an auto-reply");
		m = (struct mail){ .from.addr = BOT, .precedence = "bulk" };
		CHECK(machine_kind(&m, BOT, &why) == MACHINE_LOOP, "our own address first");
	}

	answerable(NULL, NULL, "alice@example.com", true);
	answerable(NULL, NULL, "no-reply@shop.example", false);
	answerable(NULL, NULL, "NoReply@shop.example", false);
	answerable(NULL, NULL, "aws-noreply@amazon.example", false);
	answerable(NULL, NULL, "do-not-reply@bank.example", false);
	answerable(NULL, NULL, "donotreply@bank.example", false);
	answerable(NULL, NULL, "MAILER-DAEMON@example.net", false);
	answerable(NULL, NULL, "postmaster@example.net", false);
	answerable(NULL, NULL, "bounce@news.example", false);
	answerable(NULL, NULL, "list-bounces+x=y@lists.example", false);
	answerable(NULL, NULL, NULL, false);
	answerable(NULL, NULL, "", false);
	answerable("List-Unsubscribe", "<https://news.example/u>", "news@shop.example", false);
	answerable("List-Id", "<x.lists.example>", "alice@example.com", false);
	answerable("Precedence", "bulk", "alice@example.com", false);
	answerable("Precedence", "list", "alice@example.com", false);
	answerable("Precedence", "junk", "alice@example.com", false);
	answerable("Precedence", "first-class", "alice@example.com", true);
	answerable("Auto-Submitted", "auto-generated", "alice@example.com", false);
	answerable("Auto-Submitted", "no", "alice@example.com", true);
	/* the domain is not the local part */
	answerable(NULL, NULL, "alice@noreply-domain.example", true);

	CHECK(machine_alert_sender(rules, 2, "zabbix@monitoring.example.com"),
	      "alert sender: the domain of a system-alert rule");
	CHECK(machine_alert_sender(rules, 2, "zabbix@eu.monitoring.example.com"),
	      "alert sender: ... and its subdomains");
	CHECK(machine_alert_sender(rules, 2, "No-Reply@sns.amazonaws.com"),
	      "alert sender: an address of a system-alert rule, case ignored");
	CHECK(machine_alert_sender(rules, 2, "soc@utm-vendor.example"),
	      "alert sender: the UTM vendor's domain (policy 7-1)");
	CHECK(!machine_alert_sender(rules, 2, "alice@example.com"), "not an alert sender: a person");
	CHECK(!machine_alert_sender(rules, 2, "other@sns.amazonaws.com"),
	      "not an alert sender: another address of the domain");
	CHECK(!machine_alert_sender(rules, 2, NULL), "not an alert sender: nobody");
	CHECK(!machine_alert_sender(rules, 0, "zabbix@monitoring.example.com"),
	      "not an alert sender: no rules");

	memset(&c, 0, sizeof c);
	c.source = -1;
	c.type = TYPE_OTHER;
	CHECK(!machine_reports_incident(&c), "nothing matched: no incident");
	c.source = SOURCE_EXTERNAL_NOTICE;
	CHECK(!machine_reports_incident(&c), "an outsider's notice by words alone: no incident");
	c.source = SOURCE_SYSTEM_ALERT;
	CHECK(machine_reports_incident(&c), "a system alert's words: an incident");
	c.source = SOURCE_MALFUNCTION;
	CHECK(machine_reports_incident(&c), "a malfunction: an incident");
	c.source = -1;
	c.type = TYPE_MALWARE;
	CHECK(machine_reports_incident(&c), "an incident type: an incident");
	return test_done();
}
