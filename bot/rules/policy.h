/*
 * policy.h — the company's incident policy (seeds/000_…txt, cited as
 * "policy N-M") and the law behind its section 7-4, as data and pure
 * functions: the enumerations of a ticket, the status machine, the
 * checklists of 7-6, and which obligations a ticket's flags create.
 * No I/O, no allocation, no state: tables and lookups only.
 *
 * Every enumeration has a stable English name (the spelling of commands,
 * configuration and --json: "high", "personal-data", "acknowledged") and
 * a Japanese label for mail and `show`.  *_name() and *_label() return
 * static strings, "?" for a value out of range (never NULL).
 * *_from_name() is ASCII case-insensitive, reads "_" as "-"
 * ("Personal_Data" is "personal-data") and returns -1 for an unknown name
 * or NULL.
 *
 * A ticket holds its status, priority, type and source, and an obligation
 * its state, as these enums (store.h); their names appear only at the
 * edges: the database (store/), --json and reports (cli/), template
 * variables (notify/vars.c).  Each of those has a value -1 (STATUS_UNKNOWN,
 * PRIORITY_UNSET, ...) for "not classified yet" or a name this version
 * does not know (an old database): *_from_name()'s -1 read as the enum,
 * named "?" and labelled "?" like any value out of range.
 *
 * To add a value: append it before the *_COUNT entry and to the matching
 * table in policy.c; names are stored in the database, so never rename one.
 */
#ifndef INCIDENT_POLICY_H
#define INCIDENT_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* SPEC 3 / policy 7: the ticket's life; see policy_transition(). */
enum status {
	STATUS_UNKNOWN = -1,	/* a stored name this version does not know */
	STATUS_NEW,
	STATUS_ACKNOWLEDGED,
	STATUS_INVESTIGATING,	/* 7-3 調査 */
	STATUS_CONTAINING,	/* 7-3 封じ込め */
	STATUS_REPORTING,	/* 7-4 報告・公表 */
	STATUS_RECOVERING,	/* 7-5 抑制措置・復旧 */
	STATUS_RESOLVED,
	STATUS_CLOSED,
	STATUS_COUNT
};

/* Policy 7-2: recovery priority. */
enum priority {
	PRIORITY_UNSET = -1,	/* not classified yet (or an unknown stored name) */
	PRIORITY_HIGH,		/* servers, customer data, logistics systems */
	PRIORITY_MEDIUM,	/* other management systems */
	PRIORITY_LOW,		/* everything else */
	PRIORITY_COUNT
};

/* Policy 7-1: how the event was detected. */
enum source {
	SOURCE_UNSET = -1,		/* nobody recorded it (or an unknown stored name) */
	SOURCE_SUSPECTED_ACCESS,	/* 情報漏洩の兆候となる不正アクセス */
	SOURCE_CONFIRMED_LEAK,		/* 具体的な情報漏洩の事実 */
	SOURCE_UTM_VENDOR,		/* UTM 管理のセキュリティ会社 */
	SOURCE_EXTERNAL_NOTICE,		/* その他外部からの情報提供 */
	SOURCE_SYSTEM_ALERT,		/* システムのアラートや異常検知 */
	SOURCE_MALFUNCTION,		/* システムが通常通り動作しない */
	SOURCE_EQUIPMENT,		/* 機器トラブル */
	SOURCE_COUNT
};

/* Policy 1 and 7-6: what kind of incident. */
enum incident_type {
	TYPE_UNSET = -1,		/* not classified yet (or an unknown stored name) */
	TYPE_DATABASE_HACKING,		/* 1(1), 7-6(1) */
	TYPE_UNAUTHORIZED_ACCESS,	/* 7-6(2) */
	TYPE_DATA_LEAK,			/* 7-6(3) */
	TYPE_INSIDER_LEAK,		/* 1(1) 従業員による情報漏洩 */
	TYPE_MALWARE,			/* 1(1) */
	TYPE_DOS,			/* 1(1) */
	TYPE_LOST_DEVICE,		/* 1(1) 記録媒体等の紛失 */
	TYPE_POWER,			/* 1(2) 電源異常 */
	TYPE_OVERHEATING,		/* 1(2) 熱暴走 */
	TYPE_DISASTER,			/* 1(2) 天災による機器損壊 */
	TYPE_OTHER,
	TYPE_COUNT
};

/* SPEC 3: what a ticket involves; a bit set in struct ticket's flags. */
enum flag {
	FLAG_PERSONAL_DATA,	/* 7-4: 個人情報保護法 */
	FLAG_PARTNER_DATA,	/* 7-2: 取引先情報 */
	FLAG_AMAZON,		/* 7-4: Amazon within 24 h, also when only suspected */
	FLAG_AWS,		/* 7-6 (1)-(3) d: e-mail within 24 h */
	FLAG_RAKUTEN,		/* 7-4: phone */
	FLAG_YAHOO,		/* 7-4: web form */
	FLAG_EXTERNAL_REPORTER,	/* 7-2: ask who they are, where the information came from */
	FLAG_INTERNAL_ONLY,	/* 7-4: damage within the company: reports may be omitted */
	FLAG_MALICIOUS,		/* APPI rules art. 7(3): possibly an act with unauthorized purpose */
	FLAG_SENSITIVE,		/* APPI rules art. 7(1): 要配慮個人情報 */
	FLAG_FINANCIAL,		/* APPI rules art. 7(2): risk of financial damage */
	FLAG_DRILL,		/* policy 6-2: a drill; every mail says so */
	FLAG_ENCRYPTED,		/* APPI rules art. 7: the data was protected by advanced
				 * encryption — no mandatory report, the admins decide */
	FLAG_PROCESSOR,		/* APPI art. 26(1) ただし書: we hold the data for a
				 * principal (委託元) and tell it */
	FLAG_COUNT
};

#define FLAG_BIT(f) (1u << (f))

/*
 * Policy 7-4 and SPEC 5: what the company may owe someone.  Each kind is
 * created by policy_obligations() and ends when an admin records it done
 * or not needed.
 */
enum obligation_kind {
	OBL_PPC_ASSESS,		/* personal data below the art. 7 cases: is a report needed? */
	OBL_PPC_PRELIMINARY,	/* APPI art. 26, rules art. 8(1): 速報, 「速やかに」 */
	OBL_PPC_FINAL,		/* rules art. 8(2): 確報, 30 days (60: art. 7(3)) */
	OBL_INDIVIDUALS,	/* APPI art. 26(2), rules art. 10: notice to the people affected */
	OBL_CONSULTATION_DESK,	/* policy 7-5: 専用の相談窓口 */
	OBL_PUBLICATION,	/* policy 7-4: ホームページにて公表 (also art. 26(2) substitute) */
	OBL_AMAZON,		/* policy 7-4: 24 h */
	OBL_AWS,		/* policy 7-6 (1)-(3) d: 24 h */
	OBL_RAKUTEN,		/* policy 7-4: phone */
	OBL_YAHOO,		/* policy 7-4: form */
	OBL_PARTNERS,		/* policy 7-2, 7-4: 取引先に報告し、意向に沿った対応 */
	OBL_OUTAGE_CONTACTS,	/* policy 7-4: equipment trouble, disaster: only the needed contacts */
	OBL_PRINCIPAL,		/* APPI art. 26(1) ただし書: the processor tells the principal (委託元) */
	OBL_RECOVERY,		/* policy 6(3): the named system back within its downtime */
	OBL_CIRCULATION,	/* policy 8(3): the prevention plan made known to all staff */
	OBL_COUNT
};

const char *status_name(enum status s);
const char *status_label(enum status s);	/* "調査中" */
int status_from_name(const char *name);

const char *priority_name(enum priority p);
const char *priority_label(enum priority p);	/* "高" */
int priority_from_name(const char *name);

const char *source_name(enum source s);
const char *source_label(enum source s);
int source_from_name(const char *name);

const char *type_name(enum incident_type t);
const char *type_label(enum incident_type t);
int type_from_name(const char *name);

const char *flag_name(enum flag f);
const char *flag_label(enum flag f);
int flag_from_name(const char *name);

const char *obligation_name(enum obligation_kind k);
const char *obligation_label(enum obligation_kind k);	/* "個人情報保護委員会への速報" */
const char *obligation_short_label(enum obligation_kind k);	/* "PPC速報": for a subject */
int obligation_from_name(const char *name);
/* Whether the kind is a notice to someone (it has a draft): all but recovery. */
bool obligation_is_notice(enum obligation_kind k);

/*
 * Where an obligation stands: struct obligation's state.  The store keeps
 * the name ("open", "done", "not-needed", "cancelled"), so a new state is
 * one line here and in policy.c (and the store's SQL that asks for 'open').
 */
enum obligation_state {
	OBLIGATION_STATE_UNKNOWN = -1,	/* a stored name this version does not know */
	OBLIGATION_OPEN,	/* owed */
	OBLIGATION_DONE,	/* an admin recorded it done (/done) */
	OBLIGATION_NOT_NEEDED,	/* an admin decided it is not owed (/skip) */
	OBLIGATION_CANCELLED,	/* no flag requires it any more (the engine) */
	OBLIGATION_STATE_COUNT
};

const char *obligation_state_name(enum obligation_state s);
const char *obligation_state_label(enum obligation_state s);	/* "未了" */
int obligation_state_from_name(const char *name);	/* -1: unknown or NULL */

/*
 * Whether a ticket may move from `from` to `to`.  Returns true (and sets
 * *why to NULL), or false with *why set to a static English+Japanese
 * reason ("すでにその状態です / already in that status"); `why` may be
 * NULL.  Policy 7 allows steps 7-1…7-5 to be skipped or reordered, so
 * any move among the open states (acknowledged…recovering) and from
 * there or from "new" to "resolved" is allowed, and "resolved" may go
 * back to any open state.  What is refused: staying put, going back to
 * "new", leaving "closed" other than by reopening (to "investigating"),
 * closing before "resolved", and a status out of range.
 */
bool policy_transition(enum status from, enum status to, const char **why);

/* True for the states an escalation timer watches: only "new". */
bool policy_unacknowledged(enum status s);

/* True for "resolved" and "closed": no reminders, no escalations. */
bool policy_settled(enum status s);

/*
 * The checklist of a type: policy 7-6 a–e for the three types it
 * describes, the generic steps of 7-1…7-5 for the others (worded for a
 * system failure for power, overheating and disaster: restore by the 7-2
 * priorities, tell only the needed contacts, 7-4).  Returns the number
 * of items (at most POLICY_CHECKLIST_MAX) and, unless `items` is NULL,
 * points *items at a static array of Japanese texts, each ending with
 * its section ("…（規程 7-6(1)b）").  TYPE_UNSET or a type out of range has
 * 0 items.
 */
#define POLICY_CHECKLIST_MAX 8
size_t policy_checklist(enum incident_type t, const char *const **items);

/*
 * The facts that decide a ticket's obligations.  affected: the number of
 * people whose data is involved, -1 when unknown.
 */
struct policy_facts {
	unsigned flags;			/* FLAG_BIT()s */
	enum incident_type type;
	long affected;
	bool affected_over;		/* more than `affected` (1,000人超) */
	bool recovery_target;		/* it names a system with a max_downtime (6(3)) */
	bool lessons_recorded;		/* the policy 8 document is stored (/lessons) */
};

/* The facts of a ticket's fields: its flags, its type (TYPE_UNSET or out of
 * range: TYPE_OTHER), the people affected (-1 unknown) and whether that is
 * "more than".  Of a stored ticket: store_ticket_facts() (store.h). */
struct policy_facts policy_facts_of(unsigned flags, enum incident_type type, long affected,
				    bool affected_over);

/*
 * APPI rules art. 7: personal data and one of the four cases that make a
 * PPC report mandatory — sensitive (1), financial (2), malicious (3),
 * affected > 1,000 (4; exactly 1,000 or unknown is not, "more than 1,000"
 * is) — unless the data was protected by advanced encryption (art. 7
 * 括弧書: the encrypted flag; the admins then decide, ppc-assess).
 * NULL: false.
 */
bool policy_ppc_reportable(const struct policy_facts *f);

/*
 * The obligations the facts create, as a bit set over enum
 * obligation_kind (1u << kind).  The rules (SPEC 5):
 *   - personal data and policy_ppc_reportable: PPC preliminary and final,
 *     the notice to individuals, the consultation desk (7-5), publication;
 *     without an art. 7 case: OBL_PPC_ASSESS (the admins record whether a
 *     report is needed) and the notice to individuals + desk;
 *   - amazon, aws, rakuten, yahoo, partner data: their notice;
 *   - processor (we are the 委託先): the notice to the principal (委託元,
 *     APPI art. 26(1) ただし書), and the PPC reports become ppc-assess —
 *     whether we report ourselves or the principal does is the admins'
 *     decision, never silently gone;
 *   - "internal only" (7-4: 被害が当社で完結) drops nothing: what it may
 *     waive is policy_waivable()'s, and stays open until an admin skips it;
 *   - power, overheating, disaster (7-4: 機器トラブルや天災): the
 *     marketplaces give way to OBL_OUTAGE_CONTACTS; what personal data
 *     and partner data (7-2) require stays.
 * The drill flag changes nothing (a drill runs the whole process).
 * NULL: 0.
 */
unsigned policy_obligations(const struct policy_facts *f);

/*
 * Of policy_obligations(f), the ones the "internal only" flag lets an
 * admin skip (policy 7-4 省略可能): publication, Rakuten, Yahoo, partners,
 * and the notice to individuals below the art. 7 cases.  Never Amazon,
 * AWS (contracts), the PPC duties (law) or the consultation desk (7-5).
 * 0 without the flag or for NULL.
 */
unsigned policy_waivable(const struct policy_facts *f);

/*
 * Issue 12, SPEC 5: what kind of deadline an obligation's is — the law's
 * (PPC reports; the notice to individuals under APPI art. 26(2) when an
 * art. 7 case holds), a contract's (Amazon, AWS), or an internal target
 * (「速やかに」 made N days by configuration: the rest).  Mails, show and
 * the digest say which; an overdue mail says 法定期限, 契約上の期限 or 社内目標.
 */
enum deadline_kind { DEADLINE_STATUTORY, DEADLINE_CONTRACTUAL, DEADLINE_INTERNAL };

/* The kind of k's deadline for the facts f (NULL: no art. 7 case known). */
enum deadline_kind policy_deadline_kind(enum obligation_kind k, const struct policy_facts *f);
const char *deadline_kind_name(enum deadline_kind d);	/* "statutory", "contractual", "internal" */
const char *deadline_kind_label(enum deadline_kind d);	/* "法定期限", "契約上の期限", "社内目標" */

/* Policy 5-1, 5-2, 6-2: the reviews the policy repeats. */
enum review_kind { REVIEW_RISK, REVIEW_PLAN, REVIEW_DRILL, REVIEW_COUNT };

/*
 * What a review is called, from the one table of them in policy.c (a new
 * review: the enum above, its row in policy.c's table, its span in
 * rules/deadline.c).  Out of range every string is "?".
 */
struct review_info {
	const char *name;	/* "risk": the store's rows, reviews { } keys,
				 * `incident-bot review done KIND`, templates */
	const char *section;	/* "5(1)": the policy's section */
	const char *title;	/* the digest's Japanese title */
	const char *title_en;	/* ... and its English one */
	const char *label;	/* the reminder's and `review`'s one line, both languages */
};
const struct review_info *review_info(enum review_kind k);
const char *review_name(enum review_kind k);	/* review_info(k)->name */
const char *review_label(enum review_kind k);	/* review_info(k)->label */

/* Policy 5(2): the label of a plan verification after a major change
 * (`review start change`), which is no periodic review. */
extern const char *const review_change_label;

#endif
