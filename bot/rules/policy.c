/*
 * policy.c — the incident policy as tables (see policy.h).
 *
 * Everything here is static data and lookups: no allocation, no I/O, no
 * state, so every rule is checked by tests/unit/test_policy.c with tables.
 * "policy N-M" / "規程 N-M" cite seeds/000_7e7147bd67ccb384.txt; "APPI"
 * is 個人情報保護法, "rules" its enforcement rules (施行規則).
 */
#include "rules/policy.h"

/* One value of an enumeration: its stable name and its Japanese label. */
struct entry {
	const char *name;	/* stored in the database: never rename */
	const char *label;	/* for mail and `show`: short, may be reworded */
};

#define COUNT_OF(a) (sizeof (a) / sizeof *(a))

/*
 * The tables.  To add a value: append it to the enum before *_COUNT, then
 * a line here; the _Static_asserts catch a missing last line, and
 * test_policy's round trip catches a gap (it would read as "?").
 */
static const struct entry statuses[] = {
	[STATUS_NEW]		= { "new",		"新規" },
	[STATUS_ACKNOWLEDGED]	= { "acknowledged",	"受付済み" },
	[STATUS_INVESTIGATING]	= { "investigating",	"調査中" },
	[STATUS_CONTAINING]	= { "containing",	"封じ込め中" },
	[STATUS_REPORTING]	= { "reporting",	"報告・公表中" },
	[STATUS_RECOVERING]	= { "recovering",	"復旧中" },
	[STATUS_RESOLVED]	= { "resolved",		"解決" },
	[STATUS_CLOSED]		= { "closed",		"クローズ" },
};
_Static_assert(COUNT_OF(statuses) == STATUS_COUNT, "a status without a name");

/* Policy 7-2: 優先度高／中／低. */
static const struct entry priorities[] = {
	[PRIORITY_HIGH]		= { "high",	"高" },
	[PRIORITY_MEDIUM]	= { "medium",	"中" },
	[PRIORITY_LOW]		= { "low",	"低" },
};
_Static_assert(COUNT_OF(priorities) == PRIORITY_COUNT, "a priority without a name");

/* Policy 7-1: the seven ways an event is detected, in its own words. */
static const struct entry sources[] = {
	[SOURCE_SUSPECTED_ACCESS]	= { "suspected-access",	"情報漏洩の兆候となる不正アクセス" },
	[SOURCE_CONFIRMED_LEAK]		= { "confirmed-leak",	"情報漏洩の事実を確認" },
	[SOURCE_UTM_VENDOR]		= { "utm-vendor",	"UTM 管理のセキュリティ会社からの情報提供" },
	[SOURCE_EXTERNAL_NOTICE]	= { "external-notice",	"その他外部からの情報提供" },
	[SOURCE_SYSTEM_ALERT]		= { "system-alert",	"システムのアラート・異常検知" },
	[SOURCE_MALFUNCTION]		= { "malfunction",	"システムが通常通り動作しない" },
	[SOURCE_EQUIPMENT]		= { "equipment",	"機器トラブル" },
};
_Static_assert(COUNT_OF(sources) == SOURCE_COUNT, "a source without a name");

/* Policy 1 (1)(2) and 7-6 (1)-(3). */
static const struct entry types[] = {
	[TYPE_DATABASE_HACKING]		= { "database-hacking",	   "データベースへのハッキング" },
	[TYPE_UNAUTHORIZED_ACCESS]	= { "unauthorized-access", "不正アクセス" },
	[TYPE_DATA_LEAK]		= { "data-leak",	   "データ漏洩" },
	[TYPE_INSIDER_LEAK]		= { "insider-leak",	   "従業員による情報漏洩" },
	[TYPE_MALWARE]			= { "malware",		   "ウイルス・マルウェア感染" },
	[TYPE_DOS]			= { "dos",		   "DoS 攻撃" },
	[TYPE_LOST_DEVICE]		= { "lost-device",	   "記録媒体等の紛失" },
	[TYPE_POWER]			= { "power",		   "電源異常" },
	[TYPE_OVERHEATING]		= { "overheating",	   "熱暴走" },
	[TYPE_DISASTER]			= { "disaster",		   "天災による機器損壊" },
	[TYPE_OTHER]			= { "other",		   "その他" },
};
_Static_assert(COUNT_OF(types) == TYPE_COUNT, "a type without a name");

static const struct entry flags[] = {
	[FLAG_PERSONAL_DATA]	= { "personal-data",	 "個人情報" },
	[FLAG_PARTNER_DATA]	= { "partner-data",	 "取引先情報" },
	[FLAG_AMAZON]		= { "amazon",		 "Amazon 関係" },
	[FLAG_AWS]		= { "aws",		 "AWS 関係" },
	[FLAG_RAKUTEN]		= { "rakuten",		 "楽天 関係" },
	[FLAG_YAHOO]		= { "yahoo",		 "Yahoo 関係" },
	[FLAG_EXTERNAL_REPORTER] = { "external-reporter", "外部からの報告" },
	[FLAG_INTERNAL_ONLY]	= { "internal-only",	 "被害は社内で完結" },
	[FLAG_MALICIOUS]	= { "malicious",	 "不正の目的のおそれ" },
	[FLAG_SENSITIVE]	= { "sensitive",	 "要配慮個人情報" },
	[FLAG_FINANCIAL]	= { "financial",	 "財産的被害のおそれ" },
	[FLAG_DRILL]		= { "drill",		 "訓練" },
	[FLAG_ENCRYPTED]	= { "encrypted",	 "高度な暗号化で保護" },
	[FLAG_PROCESSOR]	= { "processor",	 "委託を受けて取り扱う個人データ" },
};
_Static_assert(COUNT_OF(flags) == FLAG_COUNT, "a flag without a name");
_Static_assert(FLAG_COUNT <= 32, "flags no longer fit an unsigned");

static const struct entry obligations[] = {
	[OBL_PPC_ASSESS]	= { "ppc-assess",	 "個人情報保護委員会への報告要否の判断" },
	[OBL_PPC_PRELIMINARY]	= { "ppc-preliminary",	 "個人情報保護委員会への速報" },
	[OBL_PPC_FINAL]		= { "ppc-final",	 "個人情報保護委員会への確報" },
	[OBL_INDIVIDUALS]	= { "individuals",	 "本人への通知" },
	[OBL_CONSULTATION_DESK]	= { "consultation-desk", "相談窓口の設置 (規程 7-5)" },
	[OBL_PUBLICATION]	= { "publication",	 "ホームページでの公表" },
	[OBL_AMAZON]		= { "amazon",		 "Amazon への通知 (24 時間以内)" },
	[OBL_AWS]		= { "aws",		 "AWS への通知 (24 時間以内)" },
	[OBL_RAKUTEN]		= { "rakuten",		 "楽天への電話報告" },
	[OBL_YAHOO]		= { "yahoo",		 "Yahoo へのフォーム報告" },
	[OBL_PARTNERS]		= { "partners",		 "取引先への報告" },
	[OBL_OUTAGE_CONTACTS]	= { "outage-contacts",	 "必要な連絡先への報告 (機器トラブル・天災)" },
	[OBL_PRINCIPAL]		= { "principal",	 "委託元への通知" },
	[OBL_RECOVERY]		= { "recovery",		 "システムの復旧 (停止許容時間, 規程 6(3))" },
	[OBL_CIRCULATION]	= { "circulation",	 "再発防止計画の全従業員への周知 (規程 8(3))" },
};
_Static_assert(COUNT_OF(obligations) == OBL_COUNT, "an obligation without a name");

static const struct entry obligation_states[] = {
	[OBLIGATION_OPEN]	= { "open",		"未了" },
	[OBLIGATION_DONE]	= { "done",		"完了" },
	[OBLIGATION_NOT_NEEDED]	= { "not-needed",	"不要" },
	[OBLIGATION_CANCELLED]	= { "cancelled",	"取消" },
};
_Static_assert(COUNT_OF(obligation_states) == OBLIGATION_STATE_COUNT,
	       "an obligation state without a name");
_Static_assert(OBL_COUNT <= 32, "obligations no longer fit an unsigned");

/* The value as an int, so that an out-of-range enum (even a negative one
 * through an unsigned underlying type) is caught by one comparison. */
static const struct entry *entry_at(const struct entry *tab, int n, int v)
{
	return v >= 0 && v < n ? &tab[v] : NULL;
}

static const char *name_at(const struct entry *tab, int n, int v)
{
	const struct entry *e = entry_at(tab, n, v);

	return e && e->name ? e->name : "?";
}

static const char *label_at(const struct entry *tab, int n, int v)
{
	const struct entry *e = entry_at(tab, n, v);

	return e && e->label ? e->label : "?";
}

/* ASCII case-insensitive, '_' read as '-': "Personal_Data" is "personal-data".
 * Not locale-dependent, so a Turkish locale cannot change a lookup. */
static bool name_matches(const char *want, const char *got)
{
	for (; *want; want++, got++) {
		char c = *got;

		if (c == '_')
			c = '-';
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *want)
			return false;	/* also at the end of `got` */
	}
	return *got == '\0';
}

static int index_of(const struct entry *tab, int n, const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < n; i++)
		if (tab[i].name && name_matches(tab[i].name, name))
			return i;
	return -1;
}

#define ENUM_FUNCTIONS(prefix, type, tab)				\
const char *prefix##_name(type v)					\
{									\
	return name_at(tab, (int)COUNT_OF(tab), (int)v);		\
}									\
const char *prefix##_label(type v)					\
{									\
	return label_at(tab, (int)COUNT_OF(tab), (int)v);		\
}									\
int prefix##_from_name(const char *name)				\
{									\
	return index_of(tab, (int)COUNT_OF(tab), name);			\
}

ENUM_FUNCTIONS(status, enum status, statuses)
ENUM_FUNCTIONS(priority, enum priority, priorities)
ENUM_FUNCTIONS(source, enum source, sources)
ENUM_FUNCTIONS(type, enum incident_type, types)
ENUM_FUNCTIONS(flag, enum flag, flags)
ENUM_FUNCTIONS(obligation, enum obligation_kind, obligations)
ENUM_FUNCTIONS(obligation_state, enum obligation_state, obligation_states)

/* ---- the status machine ------------------------------------------------ */

static bool status_valid(enum status s)
{
	return (int)s >= 0 && (int)s < STATUS_COUNT;
}

/*
 * Policy 7: "基本的な対応フローは第 7-1 項から順に、第 7-5 項までを行う …
 * 種類・規模によっては省略、順序変更を行う" — so the open states (7-2…7-5)
 * may follow each other in any order, and "resolved" is reachable from
 * any of them (and from "new": an event settled before anyone took it).
 * What the machine guards is only what would corrupt the record: the
 * checks run in this order, so each refusal names the first rule broken.
 */
bool policy_transition(enum status from, enum status to, const char **why)
{
	const char *no = NULL;

	if (!status_valid(from) || !status_valid(to))
		no = "不明な状態です / unknown status";
	else if (from == to)
		no = "すでにその状態です / already in that status";
	else if (to == STATUS_NEW)
		/* "new" is what the unacknowledged escalation watches. */
		no = "新規には戻せません / a ticket never goes back to new";
	else if (from == STATUS_CLOSED && to != STATUS_INVESTIGATING)
		no = "クローズ済みは /reopen で再開します / "
		     "a closed ticket is reopened with /reopen";
	else if (to == STATUS_CLOSED && from != STATUS_RESOLVED)
		/* Closing files the policy 8 record; work must be done first. */
		no = "解決後にクローズできます / close a ticket after it is resolved";

	if (why)
		*why = no;
	return no == NULL;
}

bool policy_unacknowledged(enum status s)
{
	return s == STATUS_NEW;
}

bool policy_settled(enum status s)
{
	return s == STATUS_RESOLVED || s == STATUS_CLOSED;
}

/* ---- checklists --------------------------------------------------------- */

/*
 * Policy 7-6: a–e per type, each step shortened but keeping what the
 * policy asks.  Step d keeps the AWS e-mail within 24 hours: the policy
 * puts it there for all three types.
 */
static const char *const checklist_db_hacking[] = {
	"データベースへの不正アクセスや異常なシステム動作を検知したら、"
	"システム管理者又は EC 管理者に報告する（規程 7-6(1)a）",
	"直ちにインシデント対応体制を敷き、被害の詳細と現在の稼働状況を確認する。"
	"必要に応じてデータベースへのアクセスを一時的に制限または停止する（規程 7-6(1)b）",
	"ハッキングの手口を調査して脆弱性を特定し、対策を実施する。"
	"被害箇所を修復し、防御を強化する（規程 7-6(1)c）",
	"法的義務に基づき、影響を受けた個人・組織と関連機関に報告する。"
	"AWS を使用したシステムやサービスがわずかでも関係する可能性があれば、"
	"24 時間以内にメールで通知する。再発防止策を文書化し、必要に応じて公開する"
	"（規程 7-6(1)d）",
	"影響を受けたデータベースの運用を一時停止して修復とセキュリティ強化を行い、"
	"安全を確認してから再稼働する（規程 7-6(1)e）",
};

static const char *const checklist_unauthorized_access[] = {
	"不正アクセスを確認したら、システム管理者又は EC 管理者に報告する（規程 7-6(2)a）",
	"不正アクセスのソースを特定してアクセスを遮断し、"
	"影響を受けたアカウントのパスワード変更などの応急処置を行う（規程 7-6(2)b）",
	"不正アクセスの原因を調査して対策を実施し、再発防止策を文書化する（規程 7-6(2)c）",
	"関連機関と影響を受けた個人に報告し、必要に応じて公表する。"
	"AWS を使用したシステムやサービスがわずかでも関係する可能性があれば、"
	"24 時間以内にメールで通知する（規程 7-6(2)d）",
	"セキュリティ対策の強化と修復の後、安全を確認したうえで"
	"通常業務に戻るかを判断する（規程 7-6(2)e）",
};

static const char *const checklist_data_leak[] = {
	"データ漏洩を確認したら、その事実をシステム管理者又は EC 管理者に報告する"
	"（規程 7-6(3)a）",
	"漏洩した情報の種類を特定し、可能な限り漏洩したデータを隔離する。"
	"システムへのアクセスを制限または一時停止し、二次被害を防ぐ（規程 7-6(3)b）",
	"漏洩の原因を調査して漏洩経路を封じ込め、被害箇所の修復と再発防止策を文書化する"
	"（規程 7-6(3)c）",
	"法的義務に基づき、影響を受けた個人・組織と関連機関に報告する。"
	"AWS を使用したシステムやサービスがわずかでも関係する可能性があれば、"
	"24 時間以内にメールで通知する。再発防止策を文書化し、必要に応じて公開する"
	"（規程 7-6(3)d）",
	"影響を受けたシステムの運用を一時停止して修復とセキュリティ強化を行い、"
	"安全を確認してから再稼働する（規程 7-6(3)e）",
};

/* Policy 7-1…7-5 for the security incidents 7-6 does not describe. */
static const char *const checklist_generic[] = {
	"事象を検知したら速やかにシステム管理者又は EC 管理者に報告する（規程 7-1）",
	"直ちにインシデント対応体制を取り、システムの被害状況と稼働状況を確認する。"
	"異常があれば優先度（高: サーバー・顧客情報・物流の管理システム、"
	"中: その他の管理システム、低: それ以外）の順に復旧にあたる（規程 7-2）",
	"情報が外部からアクセスできる状態なら、情報の隔離・ネットワークの遮断・"
	"サービスの停止で被害の拡大と二次被害を防ぐ。不正アクセスや不正プログラムの"
	"可能性があれば、原因調査のためシステム上の証跡を消さない（規程 7-2）",
	"外部からの情報提供による発見なら、相手の連絡先と、どこからどのような情報を"
	"得たのかを聞き取る（規程 7-2）",
	"取引先情報が含まれる場合は取引先に報告し、取引先の意向に沿って対応する"
	"（規程 7-2）",
	"情報を整理して証拠を確保し、原因に基づいて被害の拡散防止・原因の根絶・"
	"防御・修復を行う。第 8 項に基づき再発防止のための文書を作成する（規程 7-3）",
	"情報漏洩（個人情報の漏洩とそのおそれを含む）は、代表者または管理者が"
	"個人情報保護法に準拠して関係各所に報告・公表する。被害が当社で完結して"
	"いれば省略できる（規程 7-4）",
	"拡大防止と復旧の措置を取る。個人情報漏洩なら専用の相談窓口を設けて被害を"
	"聞き取り対応する。再発防止の取組みが完了したものから復旧し、通常業務へ戻る"
	"（規程 7-5）",
};

/* Policy 1(2) — 電源異常、熱暴走、天災: the same steps, as 7-2 and 7-4
 * word them for a system failure rather than an attack. */
static const char *const checklist_outage[] = {
	"機器トラブルを検知したら速やかにシステム管理者又は EC 管理者に報告する"
	"（規程 7-1）",
	"直ちにインシデント対応体制を取り、システムの被害状況と稼働状況を確認する。"
	"優先度（高: サーバー・顧客情報・物流の管理システム、中: その他の管理システム、"
	"低: それ以外）の順に復旧にあたる（規程 7-2）",
	"機器の損壊で情報が外部からアクセスできる状態になっていれば、情報の隔離・"
	"ネットワークの遮断・サービスの停止で二次被害を防ぐ（規程 7-2）",
	"発生状況と対応状況、顧客・取引先への影響、業務再開の見通しを整理する。"
	"第 8 項に基づき再発防止のための文書を作成する（規程 7-3）",
	"サービスが一時停止する場合は、必要な連絡先にのみ事象を報告する。"
	"個人情報が漏洩した（おそれがある）場合は個人情報保護法に準拠して報告する"
	"（規程 7-4）",
	"再発防止の取組みが完了したシステムから復旧させ、通常業務へ戻る（規程 7-5）",
};

_Static_assert(COUNT_OF(checklist_db_hacking) <= POLICY_CHECKLIST_MAX, "checklist too long");
_Static_assert(COUNT_OF(checklist_unauthorized_access) <= POLICY_CHECKLIST_MAX, "checklist too long");
_Static_assert(COUNT_OF(checklist_data_leak) <= POLICY_CHECKLIST_MAX, "checklist too long");
_Static_assert(COUNT_OF(checklist_generic) <= POLICY_CHECKLIST_MAX, "checklist too long");
_Static_assert(COUNT_OF(checklist_outage) <= POLICY_CHECKLIST_MAX, "checklist too long");

size_t policy_checklist(enum incident_type t, const char *const **items)
{
	static const char *const none[1] = { NULL };
	const char *const *list = none;
	size_t n = 0;

#define USE(a) (list = (a), n = COUNT_OF(a))
	switch (t) {
	case TYPE_DATABASE_HACKING:	USE(checklist_db_hacking); break;
	case TYPE_UNAUTHORIZED_ACCESS:	USE(checklist_unauthorized_access); break;
	case TYPE_DATA_LEAK:		USE(checklist_data_leak); break;
	case TYPE_POWER:
	case TYPE_OVERHEATING:
	case TYPE_DISASTER:		USE(checklist_outage); break;
	case TYPE_INSIDER_LEAK:
	case TYPE_MALWARE:
	case TYPE_DOS:
	case TYPE_LOST_DEVICE:
	case TYPE_OTHER:		USE(checklist_generic); break;
	case TYPE_UNSET:
	case TYPE_COUNT:		break;
	}
#undef USE
	if (items)
		*items = list;
	return n;
}

/* ---- obligations -------------------------------------------------------- */

#define HAS(f, flag) (((f)->flags & FLAG_BIT(flag)) != 0)
#define OBL(k) (1u << (k))

/*
 * APPI art. 26(1) and rules art. 7: a leak (or its risk) of personal data
 * must be reported to the PPC when it involves
 *   (1) 要配慮個人情報, (2) data whose misuse may cause financial damage,
 *   (3) a possibly malicious act (不正の目的), (4) more than 1,000 people.
 * "1,000人を超える": exactly 1,000 is not a case; -1 (unknown) is not one
 * either — the admins then decide through OBL_PPC_ASSESS.
 */
bool policy_ppc_reportable(const struct policy_facts *f)
{
	/* art. 7 括弧書: data protected by advanced encryption is no case */
	if (!f || !HAS(f, FLAG_PERSONAL_DATA) || HAS(f, FLAG_ENCRYPTED))
		return false;
	return HAS(f, FLAG_SENSITIVE)		/* art. 7(1) */
	    || HAS(f, FLAG_FINANCIAL)		/* art. 7(2) */
	    || HAS(f, FLAG_MALICIOUS)		/* art. 7(3) */
	    || f->affected > 1000		/* art. 7(4) */
	    || (f->affected == 1000 && f->affected_over);	/* 「1,000人超」 */
}

struct policy_facts policy_facts_of(unsigned flags, enum incident_type type, long affected,
				    bool affected_over)
{
	return (struct policy_facts){
		.flags = flags, .affected = affected, .affected_over = affected_over,
		.type = (int)type >= 0 && type < TYPE_COUNT ? type : TYPE_OTHER,
	};
}

bool obligation_is_notice(enum obligation_kind k)
{
	return k != OBL_RECOVERY;
}

static bool type_is_outage(enum incident_type t)
{
	return t == TYPE_POWER || t == TYPE_OVERHEATING || t == TYPE_DISASTER;
}

/*
 * The drill flag changes nothing: a drill (policy 6-2) runs the whole
 * process, obligations included; only the mail says it is a drill.
 */
unsigned policy_obligations(const struct policy_facts *f)
{
	unsigned o = 0;
	bool reportable;

	if (!f)
		return 0;
	reportable = policy_ppc_reportable(f);

	if (HAS(f, FLAG_PERSONAL_DATA)) {
		/* Policy 7-5: a consultation desk for every personal-data leak;
		 * the notice to individuals is APPI art. 26(2) for an art. 7
		 * case and policy 7-4 (影響のある顧客個人) otherwise. */
		o |= OBL(OBL_INDIVIDUALS) | OBL(OBL_CONSULTATION_DESK);
		if (reportable && !HAS(f, FLAG_PROCESSOR))
			/* Rules art. 8(1) 速報, 8(2) 確報; publication: policy 7-4. */
			o |= OBL(OBL_PPC_PRELIMINARY) | OBL(OBL_PPC_FINAL)
			   | OBL(OBL_PUBLICATION);
		else
			/* below art. 7, encrypted (art. 7 括弧書), or a processor
			 * who tells the principal (art. 26(1) ただし書): the
			 * admins decide and record why */
			o |= OBL(OBL_PPC_ASSESS);
		if (HAS(f, FLAG_PROCESSOR))	/* APPI art. 26(1) ただし書 */
			o |= OBL(OBL_PRINCIPAL);
	}
	if (HAS(f, FLAG_AMAZON))	/* policy 7-4: within 24 h, also when suspected */
		o |= OBL(OBL_AMAZON);
	if (HAS(f, FLAG_AWS))		/* policy 7-6 (1)-(3) d: e-mail within 24 h */
		o |= OBL(OBL_AWS);
	if (HAS(f, FLAG_RAKUTEN))	/* policy 7-4: phone */
		o |= OBL(OBL_RAKUTEN);
	if (HAS(f, FLAG_YAHOO))		/* policy 7-4: web form */
		o |= OBL(OBL_YAHOO);
	if (HAS(f, FLAG_PARTNER_DATA))	/* policy 7-2: report, follow their wishes */
		o |= OBL(OBL_PARTNERS);

	/* Policy 7-4: "機器トラブルや天災によりサービスが一時停止する場合は
	 * 必要な連絡先にのみ事象を報告" — the marketplaces give way to the
	 * contacts the admins judge necessary.  What personal data requires
	 * is the law's and stays, and so does the partners' notice when their
	 * data is involved: 7-2 asks it whatever the cause. */
	if (type_is_outage(f->type)) {
		o &= ~(OBL(OBL_AMAZON) | OBL(OBL_AWS) | OBL(OBL_RAKUTEN) | OBL(OBL_YAHOO));
		o |= OBL(OBL_OUTAGE_CONTACTS);
	}
	/* Policy 6(3), 7-2: the system the report names is restored within the
	 * downtime its business allows — the company's own target */
	if (f->recovery_target)
		o |= OBL(OBL_RECOVERY);
	/* Policy 8(3): "再発防止計画は、すべての従業員に周知され" — once the
	 * plan is written (8(2), /lessons), telling every employee is a duty */
	if (f->lessons_recorded)
		o |= OBL(OBL_CIRCULATION);

	return o;
}

/*
 * Policy 7-4: "被害が当社で完結している場合は、関係各所への報告・公表は
 * 省略可能" — *may* be omitted: an admin decides, with a reason (/skip), and
 * until then the duty stays open (issue 12: the flag used to drop them
 * silently).  What it may waive are the policy's own reports and
 * publication: the partners', Rakuten's, Yahoo's, the website, and the
 * notice to the customers when no art. 7 case makes it the law's (APPI
 * art. 26(2)).  Never the Amazon and AWS notices (contracts, not the
 * policy's to waive), the PPC duties (law), nor the consultation desk
 * (7-5 is recovery, not a report).
 */
unsigned policy_waivable(const struct policy_facts *f)
{
	unsigned may = OBL(OBL_PUBLICATION) | OBL(OBL_RAKUTEN) | OBL(OBL_YAHOO) | OBL(OBL_PARTNERS);

	if (!f || !HAS(f, FLAG_INTERNAL_ONLY))
		return 0;
	if (!policy_ppc_reportable(f))
		may |= OBL(OBL_INDIVIDUALS);
	return may & policy_obligations(f);
}

enum deadline_kind policy_deadline_kind(enum obligation_kind k, const struct policy_facts *f)
{
	switch (k) {
	case OBL_PPC_PRELIMINARY:	/* APPI art. 26(1), rules art. 8(1) */
	case OBL_PPC_FINAL:		/* rules art. 8(2) */
	case OBL_PRINCIPAL:		/* art. 26(1) ただし書, rules art. 9: 速やかに */
		return DEADLINE_STATUTORY;
	case OBL_INDIVIDUALS:		/* APPI art. 26(2) for an art. 7 case */
		return f && policy_ppc_reportable(f) ? DEADLINE_STATUTORY : DEADLINE_INTERNAL;
	case OBL_AMAZON:		/* policy 7-4, the seller agreement: 24 h */
	case OBL_AWS:			/* policy 7-6 d, the customer agreement: 24 h */
		return DEADLINE_CONTRACTUAL;
	default:
		return DEADLINE_INTERNAL;
	}
}

const char *deadline_kind_name(enum deadline_kind d)
{
	return d == DEADLINE_STATUTORY ? "statutory" : d == DEADLINE_CONTRACTUAL ? "contractual" :
	       "internal";
}

const char *deadline_kind_label(enum deadline_kind d)
{
	return d == DEADLINE_STATUTORY ? "法定期限" : d == DEADLINE_CONTRACTUAL ? "契約上の期限" :
	       "社内目標";
}

/* Short names for a subject line (issue 13: 【PPC速報 期限まで35分】). */
static const char *const obligation_short[] = {
	[OBL_PPC_ASSESS] = "PPC報告要否",
	[OBL_PPC_PRELIMINARY] = "PPC速報",
	[OBL_PPC_FINAL] = "PPC確報",
	[OBL_INDIVIDUALS] = "本人通知",
	[OBL_CONSULTATION_DESK] = "相談窓口",
	[OBL_PUBLICATION] = "HP公表",
	[OBL_AMAZON] = "Amazon通知",
	[OBL_AWS] = "AWS通知",
	[OBL_RAKUTEN] = "楽天報告",
	[OBL_YAHOO] = "Yahoo報告",
	[OBL_PARTNERS] = "取引先報告",
	[OBL_OUTAGE_CONTACTS] = "関係先連絡",
	[OBL_PRINCIPAL] = "委託元通知",
	[OBL_RECOVERY] = "システム復旧",
	[OBL_CIRCULATION] = "再発防止周知",
};
_Static_assert(COUNT_OF(obligation_short) == OBL_COUNT, "an obligation without a short name");

const char *obligation_short_label(enum obligation_kind k)
{
	int v = (int)k;

	return v >= 0 && v < OBL_COUNT && obligation_short[v] ? obligation_short[v] : "?";
}

static const struct review_info reviews[] = {
	[REVIEW_RISK] = { "risk", "5(1)", "リスクの評価と管理プロセスの審議", "risk assessment review",
			  "リスク評価と管理プロセスの審議（年 1 回, 規程 5(1)）/ yearly risk review" },
	[REVIEW_PLAN] = { "plan", "5(2)", "対応計画の確認・検証", "response plan verification",
			  "対応計画の確認・検証（半年に 1 回, 規程 5(2)）/ half-yearly plan verification" },
	[REVIEW_DRILL] = { "drill", "6(2)", "対応手順の訓練", "incident response drill",
			   "インシデント対応訓練（規程 6(2)）/ incident response drill" },
};
_Static_assert(sizeof reviews / sizeof *reviews == REVIEW_COUNT, "every review has its row");

const char *const review_change_label =
	"主要な変更後の計画の確認・検証（規程 5(2)）/ plan verification after a major change";

const struct review_info *review_info(enum review_kind k)
{
	static const struct review_info unknown = { "?", "?", "?", "?", "?" };

	return (unsigned)k < REVIEW_COUNT ? &reviews[k] : &unknown;
}

const char *review_name(enum review_kind k)
{
	return review_info(k)->name;
}

const char *review_label(enum review_kind k)
{
	return review_info(k)->label;
}
