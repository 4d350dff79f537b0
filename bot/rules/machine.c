/* machine.c — see machine.h. */
#include "rules/machine.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "rules/policy.h"

static bool header_is(const char *value, const char *word)
{
	size_t n = strlen(word);

	while (value && isspace((unsigned char)*value))
		value++;
	return value && strncasecmp(value, word, n) == 0 &&
		(value[n] == '\0' || value[n] == ';' || isspace((unsigned char)value[n]));
}

/*
 * Subject prefixes that vacation and auto-reply programs write when they do
 * not say Auto-Submitted (Lotus Notes "AUTO:", Apple and Outlook "Auto
 * reply:" / "Automatic reply:", Exchange "Out of Office:").  Compared
 * case-insensitively at the start of the subject.  To add one: append it
 * here and a case to tests/unit/rules/test_machine.c.
 */
static const char *const autoreply_subjects[] = {
	"AUTO:", "Auto reply:", "Autoreply:", "Auto-reply:", "Automatic reply:",
	"Out of Office:", "Out of office autoreply:", "自動応答:", "自動返信:",
	"自動応答：", "自動返信：",
	/* Exchange/Outlook's "Automatic reply:" in the languages it ships */
	"Automatische Antwort:", "Réponse automatique", "Respuesta automática:",
	"Risposta automatica:", "Resposta automática:", "Automatisch antwoord:",
	"Automatyczna odpowiedź:", "Automatické odpověď:", "Автоматический ответ:",
	"自动答复:", "自動回覆:", "자동 회신:",
};

/* Parts only machines write: delivery status notifications (RFC 3464)
 * and read receipts (RFC 8098). */
static const char *const dsn_parts[] = {
	"message/delivery-status", "message/global-delivery-status",
};
static const char *const mdn_parts[] = {
	"message/disposition-notification", "message/global-disposition-notification",
};

/* Local parts of addresses that mail systems, not people, send from. */
static const char *const daemon_senders[] = {
	"mailer-daemon", "mail-daemon", "maildaemon", "postmaster",
};

/*
 * Words in a local part that say nobody reads the answer (issue 13: no
 * acknowledgement goes there).  Found anywhere in the local part, case
 * ignored: "no-reply", "aws-noreply", "bounces+123", "list-bounces".
 */
static const char *const unanswerable_words[] = {
	"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
	"mailer-daemon", "postmaster", "bounce",
};
#define NOREPLY_WORDS 6	/* the first ones: a machine sends from there */

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static bool has_prefix_nocase(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool daemon_sender(const char *addr)
{
	const char *at = addr ? strchr(addr, '@') : NULL;
	size_t i, n;

	if (!at)
		return false;
	n = (size_t)(at - addr);
	for (i = 0; i < COUNT(daemon_senders); i++)
		if (strlen(daemon_senders[i]) == n && strncasecmp(addr, daemon_senders[i], n) == 0)
			return true;
	return false;
}

/* Whether the mail itself (not a message it forwards) has a part of one of types. */
static bool own_part(const struct mail *m, const char *const *types, size_t n_types)
{
	size_t i, k;

	for (i = 0; i < m->n_attachments; i++)
		for (k = 0; k < n_types; k++)
			if (!m->attachments[i].forwarded && m->attachments[i].content_type &&
			    strcasecmp(m->attachments[i].content_type, types[k]) == 0)
				return true;
	return false;
}

/* Whether the local part of addr holds one of the first n unanswerable words. */
static bool local_part_says(const char *addr, size_t n_words)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;
	size_t n = at ? (size_t)(at - addr) : addr ? strlen(addr) : 0, i, k, w;

	for (k = 0; k < n_words; k++) {
		w = strlen(unanswerable_words[k]);
		for (i = 0; i + w <= n; i++)
			if (strncasecmp(addr + i, unanswerable_words[k], w) == 0)
				return true;
	}
	return false;
}

static bool autoreply_subject(const char *subject)
{
	size_t i;

	while (subject && (*subject == ' ' || *subject == '\t'))
		subject++;
	for (i = 0; i < COUNT(autoreply_subjects); i++)
		if (has_prefix_nocase(subject, autoreply_subjects[i]))
			return true;
	return false;
}

static bool list_mail(const struct mail *m, const char **why)
{
	if (m->list_id)
		*why = "List-Id";
	else if (m->list_unsubscribe)
		*why = "List-Unsubscribe";
	else if (header_is(m->precedence, "bulk") || header_is(m->precedence, "junk") ||
		 header_is(m->precedence, "list"))
		*why = "Precedence";
	else
		return false;
	return true;
}

enum machine_kind machine_kind(const struct mail *m, const char *bot_addr, const char **why)
{
	*why = "";
	if (m->from.addr && bot_addr && strcasecmp(m->from.addr, bot_addr) == 0) {
		*why = "our own address";
		return MACHINE_LOOP;
	}
	/* a bounce first: Postfix writes Auto-Submitted: auto-replied on its own */
	if (own_part(m, dsn_parts, COUNT(dsn_parts))) {
		*why = "delivery status report";
		return MACHINE_BOUNCE;
	}
	if (daemon_sender(m->from.addr)) {
		*why = "MAILER-DAEMON sender";
		return MACHINE_BOUNCE;
	}
	if (header_is(m->auto_submitted, "auto-replied")) {
		*why = "Auto-Submitted: auto-replied";
		return MACHINE_AUTO_REPLY;
	}
	if (m->x_autoreply) {
		*why = "X-Autoreply";
		return MACHINE_AUTO_REPLY;
	}
	if (own_part(m, mdn_parts, COUNT(mdn_parts))) {
		*why = "read report";
		return MACHINE_AUTO_REPLY;
	}
	if (autoreply_subject(m->subject)) {
		*why = "auto-reply subject";
		return MACHINE_AUTO_REPLY;
	}
	if (m->return_path && strstr(m->return_path, "<>")) {
		*why = "null sender";
		return MACHINE_BOUNCE;
	}
	if (list_mail(m, why))
		return MACHINE_LIST;
	if (m->auto_submitted && !header_is(m->auto_submitted, "no")) {
		*why = "Auto-Submitted";
		return MACHINE_GENERATED;
	}
	if (local_part_says(m->from.addr, NOREPLY_WORDS)) {
		*why = "no-reply sender";
		return MACHINE_GENERATED;
	}
	return MACHINE_NONE;
}

const char *machine_kind_name(enum machine_kind k)
{
	static const char *const names[] = {
		[MACHINE_NONE] = "", [MACHINE_AUTO_REPLY] = "out-of-office",
		[MACHINE_BOUNCE] = "bounce", [MACHINE_LIST] = "list", [MACHINE_LOOP] = "loop",
		[MACHINE_GENERATED] = "auto-generated",
	};

	return (unsigned)k < COUNT(names) ? names[k] : "";
}

bool machine_answerable(const struct mail *m, const char **why)
{
	const char *list;

	if (!m->from.addr || !*m->from.addr) {
		*why = "no sender";
		return false;
	}
	if (local_part_says(m->from.addr, COUNT(unanswerable_words))) {
		*why = "a no-reply, mail system or bounce address";
		return false;
	}
	if (list_mail(m, &list)) {
		*why = list;
		return false;
	}
	if (m->auto_submitted && !header_is(m->auto_submitted, "no")) {
		*why = "Auto-Submitted";
		return false;
	}
	return true;
}

bool machine_alert_sender(const struct keyword_rule *rules, size_t n_rules, const char *addr)
{
	struct classification c;

	if (!addr || !*addr)
		return false;
	/* Without text only a sender rule can decide the source. */
	classify(rules, n_rules, NULL, NULL, addr, false, &c);
	return c.source == SOURCE_SYSTEM_ALERT || c.source == SOURCE_UTM_VENDOR;
}

bool machine_reports_incident(const struct classification *c)
{
	return c->type != TYPE_OTHER ||
	       (c->source >= 0 && c->source != SOURCE_EXTERNAL_NOTICE);
}
