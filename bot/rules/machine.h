/*
 * machine.h — who wrote a mail, a person or a machine, and what a
 * machine's mail is (SPEC 2, RFC 3834, issue 13): an out-of-office reply,
 * a bounce, list mail, our own mail come back, or another machine's mail
 * that may be an alert.  And whether anybody may be answered at all.
 * Pure: the mail's headers, parts and sender; no I/O.
 */
#ifndef INCIDENT_MACHINE_H
#define INCIDENT_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

#include "mime/mail.h"
#include "rules/classify.h"

enum machine_kind {
	MACHINE_NONE,		/* a person wrote it: a report, a follow-up, commands */
	MACHINE_AUTO_REPLY,	/* out-of-office, vacation, read receipt: no ticket */
	MACHINE_BOUNCE,		/* a delivery failure: matched to our outbox, else no ticket */
	MACHINE_LIST,		/* list mail, a newsletter, bulk mail: no ticket */
	MACHINE_LOOP,		/* our own address: no ticket */
	MACHINE_GENERATED,	/* another machine's mail (Auto-Submitted: auto-generated,
				   auto-notified …, a no-reply sender): an alert when its text
				   reports an incident or it comes from an alert sender */
};

/*
 * What wrote m (bot_addr: our own address, may be NULL).  The rules, first
 * match wins:
 *   our own From address                                   → LOOP
 *   a delivery status part, a MAILER-DAEMON or postmaster
 *     sender (Postfix also says auto-replied on its bounces) → BOUNCE
 *   Auto-Submitted: auto-replied, X-Autoreply/X-Autorespond,
 *     a read report part, an auto-reply subject ("AUTO:",
 *     "Automatic reply:", "自動応答:" …)                     → AUTO_REPLY
 *   a null sender (Return-Path <>; after the auto-replies,
 *     which RFC 3834 3.3 sends so)                           → BOUNCE
 *   List-Id, List-Unsubscribe, Precedence bulk/list/junk     → LIST
 *   any other Auto-Submitted but "no", a no-reply sender
 *     (no-reply@, noreply@, do-not-reply@ … in the local part) → GENERATED
 * A report or delivery status part counts only as the mail's own part:
 * one inside a forwarded message is evidence a person forwards (issue 13).
 * A mail without any sender is not a machine's by itself: it is a report
 * nobody can be answered about.  *why (static text) says which rule
 * matched; "" for a person.
 */
enum machine_kind machine_kind(const struct mail *m, const char *bot_addr, const char **why);

/* "out-of-office", "bounce", "list", "loop", "auto-generated" ("" for a person). */
const char *machine_kind_name(enum machine_kind k);

/*
 * Whether an acknowledgement may go to m's sender (RFC 3834 2, issue 13):
 * never to a no-reply, noreply, do-not-reply, mailer-daemon, postmaster or
 * bounce address (its local part), nor for mail with List-Unsubscribe,
 * List-Id, Precedence bulk/list/junk or Auto-Submitted other than "no",
 * nor to nobody.  false sets *why (static text).
 */
bool machine_answerable(const struct mail *m, const char **why);

/*
 * Whether addr is a configured alert sender: a `senders` entry of the
 * keyword rules of source system-alert or utm-vendor (conf/keywords.conf,
 * matched as the classifier matches senders).  addr may be NULL.
 */
bool machine_alert_sender(const struct keyword_rule *rules, size_t n_rules, const char *addr);

/*
 * Whether the classification of a machine's mail reports an incident
 * (issue 13: a monitoring or UTM alert): an incident type, or a source of
 * policy 7-1 other than an outside person's notice.
 */
bool machine_reports_incident(const struct classification *c);

#endif
