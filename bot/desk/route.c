/* route.c — see route.h. */
#include "desk/route.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
 * here and a case to tests/unit/test_route.c.
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

/*
 * Message parts that only machines write: delivery status notifications
 * (RFC 3464) and read receipts (RFC 8098).
 */
static const char *const machine_parts[] = {
	"message/delivery-status", "message/global-delivery-status",
	"message/disposition-notification", "message/global-disposition-notification",
};

/* Local parts of addresses that mail systems, not people, send from. */
static const char *const daemon_senders[] = {
	"mailer-daemon", "mail-daemon", "maildaemon", "postmaster",
};

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
	for (i = 0; i < sizeof daemon_senders / sizeof daemon_senders[0]; i++)
		if (strlen(daemon_senders[i]) == n && strncasecmp(addr, daemon_senders[i], n) == 0)
			return true;
	return false;
}

bool route_is_automatic(const struct mail *m, const char *bot_addr, const char **why)
{
	const char *subject = m->subject;
	size_t i, k;

	if (m->auto_submitted && !header_is(m->auto_submitted, "no")) {
		*why = "Auto-Submitted";
		return true;
	}
	if (m->x_autoreply) {
		*why = "X-Autoreply";
		return true;
	}
	if (header_is(m->precedence, "bulk") || header_is(m->precedence, "junk") ||
	    header_is(m->precedence, "list")) {
		*why = "Precedence";
		return true;
	}
	if (m->list_id) {
		*why = "List-Id";
		return true;
	}
	if (m->return_path && strstr(m->return_path, "<>")) {
		*why = "null sender";
		return true;
	}
	if (daemon_sender(m->from.addr)) {
		*why = "MAILER-DAEMON sender";
		return true;
	}
	if (m->from.addr && bot_addr && strcasecmp(m->from.addr, bot_addr) == 0) {
		*why = "our own address";
		return true;
	}
	for (i = 0; i < m->n_attachments; i++)
		for (k = 0; k < sizeof machine_parts / sizeof machine_parts[0]; k++)
			if (m->attachments[i].content_type &&
			    strcasecmp(m->attachments[i].content_type, machine_parts[k]) == 0) {
				*why = "delivery or read report";
				return true;
			}
	while (subject && (*subject == ' ' || *subject == '\t'))
		subject++;
	for (i = 0; i < sizeof autoreply_subjects / sizeof autoreply_subjects[0]; i++)
		if (has_prefix_nocase(subject, autoreply_subjects[i])) {
			*why = "auto-reply subject";
			return true;
		}
	return false;
}
