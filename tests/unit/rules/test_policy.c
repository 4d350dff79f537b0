/* test_policy.c — the policy tables: names, the status machine,
 * checklists, the PPC threshold and the obligations facts create. */
#include <limits.h>
#include <string.h>

#include "rules/policy.h"
#include "test.h"

/* ---- names and labels --------------------------------------------------- */

/* One enumeration seen through int, so one routine tests all six. */
struct enum_api {
	const char *what;
	int count;
	const char *(*name)(int);
	const char *(*label)(int);
	int (*from_name)(const char *);
	const char *const *names;	/* what SPEC, config and --json spell */
	const char *const *labels;	/* NULL: labels only checked for shape */
};

#define WRAP(prefix, type)						\
static const char *prefix##_name_i(int v) { return prefix##_name((type)v); } \
static const char *prefix##_label_i(int v) { return prefix##_label((type)v); }
WRAP(status, enum status)
WRAP(priority, enum priority)
WRAP(source, enum source)
WRAP(type, enum incident_type)
WRAP(flag, enum flag)
WRAP(obligation, enum obligation_kind)
WRAP(obligation_state, enum obligation_state)

static const char *const status_names[] = {
	"new", "acknowledged", "investigating", "containing", "reporting",
	"recovering", "resolved", "closed",
};
static const char *const status_labels[] = {
	"新規", "受付済み", "調査中", "封じ込め中", "報告・公表中", "復旧中",
	"解決", "クローズ",
};
static const char *const priority_names[] = { "high", "medium", "low" };
static const char *const priority_labels[] = { "高", "中", "低" };
static const char *const source_names[] = {
	"suspected-access", "confirmed-leak", "utm-vendor", "external-notice",
	"system-alert", "malfunction", "equipment",
};
static const char *const type_names[] = {
	"database-hacking", "unauthorized-access", "data-leak", "insider-leak",
	"malware", "dos", "lost-device", "power", "overheating", "disaster",
	"other",
};
static const char *const type_labels[] = {
	"データベースへのハッキング", "不正アクセス", "データ漏洩",
	"従業員による情報漏洩", "ウイルス・マルウェア感染", "DoS 攻撃",
	"記録媒体等の紛失", "電源異常", "熱暴走", "天災による機器損壊", "その他",
};
static const char *const flag_names[] = {
	"personal-data", "partner-data", "amazon", "aws", "rakuten", "yahoo",
	"external-reporter", "internal-only", "malicious", "sensitive",
	"financial", "drill", "encrypted", "processor",
};
static const char *const flag_labels[] = {
	"個人情報", "取引先情報", "Amazon 関係", "AWS 関係", "楽天 関係",
	"Yahoo 関係", "外部からの報告", "被害は社内で完結", "不正の目的のおそれ",
	"要配慮個人情報", "財産的被害のおそれ", "訓練", "高度な暗号化で保護",
	"委託を受けて取り扱う個人データ",
};
static const char *const obligation_names[] = {
	"ppc-assess", "ppc-preliminary", "ppc-final", "individuals",
	"consultation-desk", "publication", "amazon", "aws", "rakuten", "yahoo",
	"partners", "outage-contacts", "principal", "recovery", "circulation",
};
static const char *const obligation_labels[] = {
	"個人情報保護委員会への報告要否の判断", "個人情報保護委員会への速報",
	"個人情報保護委員会への確報", "本人への通知", "相談窓口の設置 (規程 7-5)",
	"ホームページでの公表", "Amazon への通知 (24 時間以内)",
	"AWS への通知 (24 時間以内)", "楽天への電話報告", "Yahoo へのフォーム報告",
	"取引先への報告", "必要な連絡先への報告 (機器トラブル・天災)", "委託元への通知",
	"システムの復旧 (停止許容時間, 規程 6(3))", "再発防止計画の全従業員への周知 (規程 8(3))",
};

/* the names the database keeps: never renamed */
static const char *const obligation_state_names[] = { "open", "done", "not-needed", "cancelled" };
static const char *const obligation_state_labels[] = { "未了", "完了", "不要", "取消" };

#define N(a) ((int)(sizeof (a) / sizeof *(a)))
#define API(prefix, count, labels)					\
	{ #prefix, count, prefix##_name_i, prefix##_label_i,		\
	  prefix##_from_name, prefix##_names, labels }

static const struct enum_api apis[] = {
	API(status, STATUS_COUNT, status_labels),
	API(priority, PRIORITY_COUNT, priority_labels),
	API(source, SOURCE_COUNT, NULL),
	API(type, TYPE_COUNT, type_labels),
	API(flag, FLAG_COUNT, flag_labels),
	API(obligation, OBL_COUNT, obligation_labels),
	API(obligation_state, OBLIGATION_STATE_COUNT, obligation_state_labels),
};

_Static_assert(N(status_names) == STATUS_COUNT, "test table");
_Static_assert(N(status_labels) == STATUS_COUNT, "test table");
_Static_assert(N(priority_names) == PRIORITY_COUNT, "test table");
_Static_assert(N(priority_labels) == PRIORITY_COUNT, "test table");
_Static_assert(N(source_names) == SOURCE_COUNT, "test table");
_Static_assert(N(type_names) == TYPE_COUNT, "test table");
_Static_assert(N(type_labels) == TYPE_COUNT, "test table");
_Static_assert(N(flag_names) == FLAG_COUNT, "test table");
_Static_assert(N(flag_labels) == FLAG_COUNT, "test table");
_Static_assert(N(obligation_names) == OBL_COUNT, "test table");
_Static_assert(N(obligation_labels) == OBL_COUNT, "test table");
_Static_assert(N(obligation_state_names) == OBLIGATION_STATE_COUNT, "test table");

/* "personal-data" → "PERSONAL_DATA" or "Personal-Data". */
static void respell(const char *in, char *out, size_t size, bool upper, bool underscore)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++) {
		char c = in[i];

		if (underscore && c == '-')
			c = '_';
		if ((upper || i == 0) && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		out[i] = c;
	}
	out[i] = '\0';
}

static bool has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static void names(const struct enum_api *a)
{
	char what[200], spelled[64];

	for (int v = 0; v < a->count; v++) {
		const char *name = a->name(v), *label = a->label(v);

		snprintf(what, sizeof what, "%s %d is named \"%s\"", a->what, v, a->names[v]);
		CHECK_STR(name, a->names[v], what);
		snprintf(what, sizeof what, "%s \"%s\" → %d", a->what, name, v);
		CHECK_INT(a->from_name(name), v, what);

		respell(name, spelled, sizeof spelled, true, true);
		snprintf(what, sizeof what, "%s \"%s\" → %d", a->what, spelled, v);
		CHECK_INT(a->from_name(spelled), v, what);
		respell(name, spelled, sizeof spelled, false, false);
		snprintf(what, sizeof what, "%s \"%s\" → %d", a->what, spelled, v);
		CHECK_INT(a->from_name(spelled), v, what);
		respell(name, spelled, sizeof spelled, false, true);
		spelled[0] = name[0];
		snprintf(what, sizeof what, "%s \"%s\" → %d", a->what, spelled, v);
		CHECK_INT(a->from_name(spelled), v, what);

		/* A prefix or an extension of a name is not that name. */
		snprintf(spelled, sizeof spelled, "%.*s", (int)strlen(name) - 1, name);
		snprintf(what, sizeof what, "%s \"%s\" (a prefix) unknown", a->what, spelled);
		CHECK_INT(a->from_name(spelled), -1, what);
		snprintf(spelled, sizeof spelled, "%s ", name);
		snprintf(what, sizeof what, "%s \"%s\" (trailing space) unknown", a->what, spelled);
		CHECK_INT(a->from_name(spelled), -1, what);

		snprintf(what, sizeof what, "%s %s has its Japanese label", a->what, name);
		if (a->labels)
			CHECK_STR(label, a->labels[v], what);
		else
			CHECK(label && has_non_ascii(label), what);
	}

	snprintf(what, sizeof what, "%s: out of range names and labels are \"?\"", a->what);
	CHECK(strcmp(a->name(a->count), "?") == 0 && strcmp(a->label(a->count), "?") == 0
	      && strcmp(a->name(-1), "?") == 0 && strcmp(a->label(-1), "?") == 0
	      && strcmp(a->name(INT_MAX), "?") == 0, what);
	snprintf(what, sizeof what, "%s: NULL, \"\", \"?\" and \"bogus\" are unknown", a->what);
	CHECK(a->from_name(NULL) == -1 && a->from_name("") == -1
	      && a->from_name("?") == -1 && a->from_name("bogus") == -1, what);
}

static void source_labels(void)
{
	/* Policy 7-1's own words, shortened. */
	CHECK(strstr(source_label(SOURCE_SUSPECTED_ACCESS), "不正アクセス") != NULL,
	      "source label: suspected-access says 不正アクセス");
	CHECK(strstr(source_label(SOURCE_CONFIRMED_LEAK), "情報漏洩") != NULL,
	      "source label: confirmed-leak says 情報漏洩");
	CHECK(strstr(source_label(SOURCE_UTM_VENDOR), "UTM") != NULL,
	      "source label: utm-vendor says UTM");
	CHECK(strstr(source_label(SOURCE_EXTERNAL_NOTICE), "外部") != NULL,
	      "source label: external-notice says 外部");
	CHECK(strstr(source_label(SOURCE_SYSTEM_ALERT), "アラート") != NULL,
	      "source label: system-alert says アラート");
	CHECK(strstr(source_label(SOURCE_MALFUNCTION), "動作") != NULL,
	      "source label: malfunction says 動作");
	CHECK_STR(source_label(SOURCE_EQUIPMENT), "機器トラブル", "source label: equipment");
}

static void name_variants(void)
{
	CHECK_INT(flag_from_name("personal_data"), FLAG_PERSONAL_DATA, "flag personal_data");
	CHECK_INT(flag_from_name("Internal_Only"), FLAG_INTERNAL_ONLY, "flag Internal_Only");
	CHECK_INT(flag_from_name("personal data"), -1, "flag \"personal data\" (space) unknown");
	CHECK_INT(flag_from_name("personal--data"), -1, "flag personal--data unknown");
	CHECK_INT(flag_from_name("personaldata"), -1, "flag personaldata unknown");
	CHECK_INT(status_from_name("NEW"), STATUS_NEW, "status NEW");
	CHECK_INT(priority_from_name("High"), PRIORITY_HIGH, "priority High");
	CHECK_INT(type_from_name("DoS"), TYPE_DOS, "type DoS");
	CHECK_INT(obligation_from_name("PPC_Final"), OBL_PPC_FINAL, "obligation PPC_Final");
	/* "amazon" is both a flag and an obligation: same spelling, own tables. */
	CHECK_INT(obligation_from_name("amazon"), OBL_AMAZON, "obligation amazon");
	CHECK_INT(flag_from_name("amazon"), FLAG_AMAZON, "flag amazon");
	CHECK_INT(status_from_name("調査中"), -1, "a label is not a name");
	CHECK(obligation_state_from_name("not-needed") == OBLIGATION_NOT_NEEDED &&
	      obligation_state_from_name("opened") == OBLIGATION_STATE_UNKNOWN &&
	      obligation_state_from_name(NULL) == OBLIGATION_STATE_UNKNOWN,
	      "obligation state: the state named; a longer word and NULL are unknown");
	/* what the store reads for NULL or a name it does not know (an old
	 * database) is *_from_name()'s -1, which is each enum's unset value */
	CHECK(status_from_name("reopened") == STATUS_UNKNOWN &&
	      priority_from_name(NULL) == PRIORITY_UNSET && priority_from_name("urgent") == PRIORITY_UNSET &&
	      type_from_name(NULL) == TYPE_UNSET && type_from_name("phishing") == TYPE_UNSET &&
	      source_from_name(NULL) == SOURCE_UNSET && source_from_name("other-notice") == SOURCE_UNSET,
	      "an unknown or NULL name is the enum's unset value");
	CHECK(strcmp(status_name(STATUS_UNKNOWN), "?") == 0 &&
	      strcmp(priority_label(PRIORITY_UNSET), "?") == 0 &&
	      strcmp(type_name(TYPE_UNSET), "?") == 0 && strcmp(source_name(SOURCE_UNSET), "?") == 0 &&
	      strcmp(obligation_state_name(OBLIGATION_STATE_UNKNOWN), "?") == 0,
	      "the unset values are named \"?\" like any out of range");
	CHECK(policy_facts_of(0, TYPE_UNSET, -1, false).type == TYPE_OTHER &&
	      policy_facts_of(0, TYPE_COUNT, -1, false).type == TYPE_OTHER &&
	      policy_facts_of(0, TYPE_POWER, -1, false).type == TYPE_POWER,
	      "policy_facts_of: an unset type counts as other");
	CHECK_INT(policy_checklist(TYPE_UNSET, NULL), 0, "policy_checklist: an unset type has none");
	CHECK_INT(status_from_name("\xc0"), -1, "a stray byte is unknown");
}

/* ---- the status machine -------------------------------------------------- */

/*
 * Row: from; column: to, in enum order
 *   new acknowledged investigating containing reporting recovering resolved closed.
 * 'Y' allowed, '.' refused.
 */
static const char *const matrix[STATUS_COUNT] = {
	/*                      N A I C R V S X */
	[STATUS_NEW]		= ".YYYYYY.",
	[STATUS_ACKNOWLEDGED]	= "..YYYYY.",
	[STATUS_INVESTIGATING]	= ".Y.YYYY.",
	[STATUS_CONTAINING]	= ".YY.YYY.",
	[STATUS_REPORTING]	= ".YYY.YY.",
	[STATUS_RECOVERING]	= ".YYYY.Y.",
	[STATUS_RESOLVED]	= ".YYYYY.Y",
	[STATUS_CLOSED]		= "..Y.....",
};

static void transitions(void)
{
	char what[200];

	for (int from = 0; from < STATUS_COUNT; from++)
		for (int to = 0; to < STATUS_COUNT; to++) {
			bool want = matrix[from][to] == 'Y';
			const char *why = "unset";
			bool got = policy_transition(from, to, &why);

			snprintf(what, sizeof what, "%s → %s %s", status_name(from),
				 status_name(to), want ? "allowed" : "refused");
			CHECK(got == want && (got ? why == NULL
					      : why && strstr(why, " / ") && has_non_ascii(why)),
			      what);
		}
}

static void transition_reason(enum status from, enum status to, const char *want)
{
	const char *why = NULL;
	char what[200];

	snprintf(what, sizeof what, "%s → %s: reason", status_name(from), status_name(to));
	CHECK(!policy_transition(from, to, &why), what);
	CHECK_STR(why, want, what);
}

static void transition_reasons(void)
{
	transition_reason(STATUS_CONTAINING, STATUS_CONTAINING,
			  "すでにその状態です / already in that status");
	transition_reason(STATUS_CLOSED, STATUS_CLOSED,
			  "すでにその状態です / already in that status");
	transition_reason(STATUS_REPORTING, STATUS_NEW,
			  "新規には戻せません / a ticket never goes back to new");
	transition_reason(STATUS_CLOSED, STATUS_RESOLVED,
			  "クローズ済みは /reopen で再開します / a closed ticket is reopened with /reopen");
	transition_reason(STATUS_INVESTIGATING, STATUS_CLOSED,
			  "解決後にクローズできます / close a ticket after it is resolved");
	transition_reason(STATUS_NEW, STATUS_CLOSED,
			  "解決後にクローズできます / close a ticket after it is resolved");
	transition_reason(STATUS_COUNT, STATUS_NEW, "不明な状態です / unknown status");
	transition_reason(STATUS_NEW, (enum status)-1, "不明な状態です / unknown status");

	CHECK(policy_transition(STATUS_RESOLVED, STATUS_CLOSED, NULL), "why may be NULL (allowed)");
	CHECK(!policy_transition(STATUS_CLOSED, STATUS_NEW, NULL), "why may be NULL (refused)");
}

static void timer_states(void)
{
	static const char unack[] = "Y.......", settled[] = "......YY";
	char what[200];

	for (int s = 0; s < STATUS_COUNT; s++) {
		snprintf(what, sizeof what, "%s: unacknowledged %s, settled %s",
			 status_name(s), unack[s] == 'Y' ? "yes" : "no",
			 settled[s] == 'Y' ? "yes" : "no");
		CHECK(policy_unacknowledged(s) == (unack[s] == 'Y')
		      && policy_settled(s) == (settled[s] == 'Y'), what);
	}
	CHECK(!policy_unacknowledged(STATUS_COUNT) && !policy_settled(STATUS_COUNT)
	      && !policy_settled((enum status)-1), "out-of-range status: neither");
}

/* ---- checklists ----------------------------------------------------------- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* The policy section an item cites: "7-2" out of "…（規程 7-2）". */
static bool cites(const char *item, const char *section)
{
	char tail[64];

	snprintf(tail, sizeof tail, "（規程 %s）", section);
	return ends_with(item, tail);
}

static void checklist_7_6(enum incident_type t, int part)
{
	const char *const *items = NULL;
	size_t n = policy_checklist(t, &items);
	char what[200], section[16];

	snprintf(what, sizeof what, "checklist %s: five steps a–e of 7-6(%d)", type_name(t), part);
	CHECK_INT(n, 5, what);
	for (size_t i = 0; i < n && i < 5; i++) {
		snprintf(section, sizeof section, "7-6(%d)%c", part, (char)('a' + i));
		snprintf(what, sizeof what, "checklist %s item %zu cites 規程 %s",
			 type_name(t), i + 1, section);
		CHECK(items[i] && cites(items[i], section), what);
	}
	if (n >= 4) {
		snprintf(what, sizeof what, "checklist %s step d: AWS by e-mail within 24 h",
			 type_name(t));
		CHECK(strstr(items[3], "AWS") && strstr(items[3], "24 時間以内")
		      && strstr(items[3], "メール"), what);
	}
}

/* Every item cites 7-1…7-5 in order, and every section appears. */
static void checklist_generic(enum incident_type t, size_t want_n, const char *must)
{
	static const char *const sections[] = { "7-1", "7-2", "7-3", "7-4", "7-5" };
	const char *const *items = NULL;
	size_t n = policy_checklist(t, &items), s = 0;
	bool ordered = true, seen[5] = { false };
	char what[200];

	snprintf(what, sizeof what, "checklist %s: %zu generic steps", type_name(t), want_n);
	CHECK_INT(n, want_n, what);
	for (size_t i = 0; i < n; i++) {
		while (s < 5 && !cites(items[i], sections[s]))
			s++;
		if (s == 5)
			ordered = false;
		else
			seen[s] = true;
	}
	snprintf(what, sizeof what, "checklist %s: cites 7-1…7-5 in order, each of them",
		 type_name(t));
	CHECK(ordered && seen[0] && seen[1] && seen[2] && seen[3] && seen[4], what);

	/* What the brief of each step must not lose. */
	for (const char *m = must; *m; m += strlen(m) + 1) {
		bool found = false;

		for (size_t i = 0; i < n; i++)
			found |= strstr(items[i], m) != NULL;
		snprintf(what, sizeof what, "checklist %s mentions %s", type_name(t), m);
		CHECK(found, what);
	}
}

static void checklists(void)
{
	static const char *const unset[1] = { "unset" };
	const char *const *items = unset;

	checklist_7_6(TYPE_DATABASE_HACKING, 1);
	checklist_7_6(TYPE_UNAUTHORIZED_ACCESS, 2);
	checklist_7_6(TYPE_DATA_LEAK, 3);

	/* Strings separated by \0: each must appear in some item. */
	static const char security[] =
		"システム管理者又は EC 管理者\0被害状況\0隔離\0証跡\0"
		"連絡先と、どこからどのような情報\0取引先\0第 8 項\0"
		"個人情報保護法\0相談窓口\0";
	static const char outage[] =
		"システム管理者又は EC 管理者\0優先度\0必要な連絡先にのみ\0第 8 項\0";

	checklist_generic(TYPE_INSIDER_LEAK, 8, security);
	checklist_generic(TYPE_MALWARE, 8, security);
	checklist_generic(TYPE_DOS, 8, security);
	checklist_generic(TYPE_LOST_DEVICE, 8, security);
	checklist_generic(TYPE_OTHER, 8, security);
	checklist_generic(TYPE_POWER, 6, outage);
	checklist_generic(TYPE_OVERHEATING, 6, outage);
	checklist_generic(TYPE_DISASTER, 6, outage);

	bool fits = true;
	for (int t = 0; t < TYPE_COUNT; t++)
		fits &= policy_checklist(t, NULL) <= POLICY_CHECKLIST_MAX;
	CHECK(fits, "every checklist fits POLICY_CHECKLIST_MAX; items may be NULL");

	CHECK_INT(policy_checklist(TYPE_COUNT, &items), 0, "checklist of an unknown type: empty");
	CHECK(items != NULL, "checklist of an unknown type: *items still points somewhere");
}

/* ---- the PPC threshold ---------------------------------------------------- */

#define F(flag) FLAG_BIT(FLAG_##flag)

static void reportable(void)
{
	static const struct {
		const char *what;
		unsigned flags;
		long affected;
		bool want;
	} cases[] = {
		{ "personal data, 1,000 people: not more than 1,000", F(PERSONAL_DATA), 1000, false },
		{ "personal data, 1,001 people (art. 7(4))", F(PERSONAL_DATA), 1001, true },
		{ "personal data, count unknown (-1)", F(PERSONAL_DATA), -1, false },
		{ "personal data, nobody yet (0)", F(PERSONAL_DATA), 0, false },
		{ "personal data, LONG_MAX people", F(PERSONAL_DATA), LONG_MAX, true },
		{ "5,000 records but no personal data", 0, 5000, false },
		{ "sensitive personal data (art. 7(1))", F(PERSONAL_DATA) | F(SENSITIVE), 1, true },
		{ "financial damage risk (art. 7(2))", F(PERSONAL_DATA) | F(FINANCIAL), 1, true },
		{ "malicious act (art. 7(3))", F(PERSONAL_DATA) | F(MALICIOUS), -1, true },
		{ "sensitive, financial, malicious without personal data",
		  F(SENSITIVE) | F(FINANCIAL) | F(MALICIOUS), 5000, false },
		{ "personal data, Amazon, AWS, partners: none of them a case",
		  F(PERSONAL_DATA) | F(AMAZON) | F(AWS) | F(PARTNER_DATA), 10, false },
		{ "internal only does not change the law",
		  F(PERSONAL_DATA) | F(INTERNAL_ONLY) | F(SENSITIVE), 1, true },
	};
	char what[200];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct policy_facts f = { cases[i].flags, TYPE_DATA_LEAK, cases[i].affected, false, false, false };

		snprintf(what, sizeof what, "PPC reportable: %s → %s", cases[i].what,
			 cases[i].want ? "yes" : "no");
		CHECK(policy_ppc_reportable(&f) == cases[i].want, what);
	}
	CHECK(!policy_ppc_reportable(NULL), "PPC reportable: NULL facts → no");
}

/* ---- obligations -------------------------------------------------------- */

#define O(k) (1u << OBL_##k)
#define REPORTABLE (O(PPC_PRELIMINARY) | O(PPC_FINAL) | O(INDIVIDUALS) \
		    | O(CONSULTATION_DESK) | O(PUBLICATION))
#define BELOW_ART7 (O(PPC_ASSESS) | O(INDIVIDUALS) | O(CONSULTATION_DESK))

static void print_set(const char *label, unsigned set)
{
	printf("#   %s:", label);
	for (int k = 0; k < OBL_COUNT; k++)
		if (set & (1u << k))
			printf(" %s", obligation_name(k));
	printf("\n");
}

static void obligation_sets(void)
{
	static const struct {
		const char *what;
		unsigned flags;
		enum incident_type type;
		long affected;
		unsigned want;
	} cases[] = {
		{ "customer-data leak with card numbers (financial)",
		  F(PERSONAL_DATA) | F(FINANCIAL), TYPE_DATA_LEAK, 300, REPORTABLE },
		{ "the same as a drill: the whole process runs",
		  F(PERSONAL_DATA) | F(FINANCIAL) | F(DRILL), TYPE_DATA_LEAK, 300, REPORTABLE },
		{ "Amazon only, suspected access",
		  F(AMAZON), TYPE_UNAUTHORIZED_ACCESS, -1, O(AMAZON) },
		{ "internal only drops nothing: reportable personal data and Amazon",
		  F(PERSONAL_DATA) | F(SENSITIVE) | F(INTERNAL_ONLY) | F(AMAZON),
		  TYPE_INSIDER_LEAK, 40, REPORTABLE | O(AMAZON) },
		{ "internal only drops nothing: personal data below art. 7",
		  F(PERSONAL_DATA) | F(INTERNAL_ONLY), TYPE_LOST_DEVICE, 12, BELOW_ART7 },
		{ "internal only drops nothing: partners and marketplaces",
		  F(INTERNAL_ONLY) | F(PARTNER_DATA) | F(AWS) | F(RAKUTEN) | F(YAHOO),
		  TYPE_MALWARE, -1, O(PARTNERS) | O(AWS) | O(RAKUTEN) | O(YAHOO) },
		{ "disaster with 5,000 customers' data, Amazon, partners",
		  F(PERSONAL_DATA) | F(AMAZON) | F(PARTNER_DATA), TYPE_DISASTER, 5000,
		  REPORTABLE | O(PARTNERS) | O(OUTAGE_CONTACTS) },
		{ "disaster, personal data below art. 7, internal only",
		  F(PERSONAL_DATA) | F(INTERNAL_ONLY) | F(RAKUTEN), TYPE_DISASTER, 3,
		  BELOW_ART7 | O(OUTAGE_CONTACTS) },
		{ "power failure, nothing else", 0, TYPE_POWER, -1, O(OUTAGE_CONTACTS) },
		{ "overheating, AWS involved: only the needed contacts",
		  F(AWS), TYPE_OVERHEATING, -1, O(OUTAGE_CONTACTS) },
		{ "partner data in a malware case",
		  F(PARTNER_DATA), TYPE_MALWARE, -1, O(PARTNERS) },
		{ "malicious act on personal data: reportable, final report due",
		  F(PERSONAL_DATA) | F(MALICIOUS), TYPE_DATABASE_HACKING, 3, REPORTABLE },
		{ "personal data of exactly 1,000 people: assess",
		  F(PERSONAL_DATA), TYPE_LOST_DEVICE, 1000, BELOW_ART7 },
		{ "personal data of 1,001 people: report",
		  F(PERSONAL_DATA), TYPE_LOST_DEVICE, 1001, REPORTABLE },
		{ "personal data, count unknown: assess",
		  F(PERSONAL_DATA) | F(EXTERNAL_REPORTER), TYPE_OTHER, -1, BELOW_ART7 },
		{ "AWS, Rakuten, Yahoo on a database hack",
		  F(AWS) | F(RAKUTEN) | F(YAHOO), TYPE_DATABASE_HACKING, -1,
		  O(AWS) | O(RAKUTEN) | O(YAHOO) },
		{ "malicious DoS without personal data: nothing",
		  F(MALICIOUS) | F(EXTERNAL_REPORTER), TYPE_DOS, -1, 0 },
		{ "a drill alone creates nothing", F(DRILL), TYPE_OTHER, -1, 0 },
		{ "unknown type still gives the flags' notices",
		  F(AMAZON) | F(PARTNER_DATA), TYPE_COUNT, -1, O(AMAZON) | O(PARTNERS) },
		{ "every flag but encrypted and processor on a data leak",
		  ((1u << FLAG_COUNT) - 1) & ~F(ENCRYPTED) & ~F(PROCESSOR), TYPE_DATA_LEAK, 2000,
		  REPORTABLE | O(AMAZON) | O(AWS) | O(RAKUTEN) | O(YAHOO) | O(PARTNERS) },
		{ "every flag: encrypted and a processor's — the admins decide, the principal is told",
		  (1u << FLAG_COUNT) - 1, TYPE_DATA_LEAK, 2000,
		  BELOW_ART7 | O(AMAZON) | O(AWS) | O(RAKUTEN) | O(YAHOO) | O(PARTNERS) | O(PRINCIPAL) },
		{ "encrypted card data of 5,000: no mandatory report, ppc-assess (art. 7 括弧書)",
		  F(PERSONAL_DATA) | F(FINANCIAL) | F(ENCRYPTED), TYPE_LOST_DEVICE, 5000, BELOW_ART7 },
		{ "a processor's leak: the principal is told, the PPC report is assessed (art. 26(1) ただし書)",
		  F(PERSONAL_DATA) | F(MALICIOUS) | F(PROCESSOR), TYPE_DATABASE_HACKING, 300,
		  BELOW_ART7 | O(PRINCIPAL) },
	};
	char what[300];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct policy_facts f = { cases[i].flags, cases[i].type, cases[i].affected, false, false, false };
		unsigned got = policy_obligations(&f);

		snprintf(what, sizeof what, "obligations: %s", cases[i].what);
		CHECK(got == cases[i].want, what);
		if (got != cases[i].want) {
			print_set("got ", got);
			print_set("want", cases[i].want);
		}
	}
	CHECK_INT(policy_obligations(NULL), 0, "obligations: NULL facts → none");
}

/* Policy 7-4 省略可能: what the internal-only flag lets an admin skip. */
static void waivable(void)
{
	struct policy_facts below = { F(PERSONAL_DATA) | F(INTERNAL_ONLY) | F(AMAZON) | F(AWS) |
				      F(RAKUTEN) | F(YAHOO) | F(PARTNER_DATA), TYPE_DATA_LEAK, 12, false, false, false };
	struct policy_facts law = { F(PERSONAL_DATA) | F(SENSITIVE) | F(INTERNAL_ONLY),
				    TYPE_INSIDER_LEAK, 40, false, false, false };
	struct policy_facts plain = { F(PERSONAL_DATA) | F(AMAZON), TYPE_DATA_LEAK, 12, false, false, false };
	struct policy_facts over = { F(PERSONAL_DATA), TYPE_DATA_LEAK, 1000, true, false, false };
	struct policy_facts exact = { F(PERSONAL_DATA), TYPE_DATA_LEAK, 1000, false, false, false };

	/* APPI rules art. 7(4): 「1,000人を超える」 */
	CHECK(policy_ppc_reportable(&over), "art. 7(4): more than 1,000 people is a case");
	CHECK(!policy_ppc_reportable(&exact), "art. 7(4): exactly 1,000 people is not");

	CHECK_INT(policy_waivable(&below),
		  O(INDIVIDUALS) | O(RAKUTEN) | O(YAHOO) | O(PARTNERS),
		  "waivable: below art. 7: the customers', Rakuten's, Yahoo's and partners' notices");
	CHECK_INT(policy_waivable(&law), O(PUBLICATION),
		  "waivable: an art. 7 case: only the publication (the notice is APPI art. 26(2))");
	CHECK_INT(policy_waivable(&plain), 0, "waivable: nothing without the internal-only flag");
	CHECK_INT(policy_waivable(NULL), 0, "waivable: NULL facts: nothing");
}

/* Issue 12: the law's, a contract's, or an internal target. */
static void deadline_kinds(void)
{
	struct policy_facts art7 = { F(PERSONAL_DATA) | F(FINANCIAL), TYPE_DATA_LEAK, 10, false, false, false };
	struct policy_facts below = { F(PERSONAL_DATA), TYPE_DATA_LEAK, 10, false, false, false };

	CHECK_INT(policy_deadline_kind(OBL_PPC_PRELIMINARY, &below), DEADLINE_STATUTORY,
		  "deadline: PPC preliminary report is statutory");
	CHECK_INT(policy_deadline_kind(OBL_PPC_FINAL, NULL), DEADLINE_STATUTORY,
		  "deadline: PPC final report is statutory");
	CHECK_INT(policy_deadline_kind(OBL_INDIVIDUALS, &art7), DEADLINE_STATUTORY,
		  "deadline: the notice to individuals in an art. 7 case is statutory (art. 26(2))");
	CHECK_INT(policy_deadline_kind(OBL_INDIVIDUALS, &below), DEADLINE_INTERNAL,
		  "deadline: ... below the art. 7 cases an internal target (policy 7-4)");
	CHECK_INT(policy_deadline_kind(OBL_AMAZON, &below), DEADLINE_CONTRACTUAL,
		  "deadline: Amazon 24 h is contractual");
	CHECK_INT(policy_deadline_kind(OBL_AWS, &below), DEADLINE_CONTRACTUAL,
		  "deadline: AWS 24 h is contractual");
	CHECK_INT(policy_deadline_kind(OBL_RAKUTEN, &below), DEADLINE_INTERNAL,
		  "deadline: Rakuten 「速やかに」 is an internal target");
	CHECK_STR(deadline_kind_label(DEADLINE_STATUTORY), "法定期限", "deadline: label 法定期限");
	CHECK_STR(deadline_kind_name(DEADLINE_INTERNAL), "internal", "deadline: name internal");
}

/* Over every flag set, type and a few counts: what must always hold. */
static void obligation_invariants(void)
{
	static const long counts[] = { -1, 0, 1000, 1001 };
	const unsigned market = O(AMAZON) | O(AWS) | O(RAKUTEN) | O(YAHOO);
	bool drill = true, assess_xor = true, pair = true, internal = true,
	     outage = true, personal = true, known = true;

	for (unsigned flags = 0; flags < (1u << FLAG_COUNT); flags++)
		for (int t = 0; t < TYPE_COUNT; t++)
			for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
				struct policy_facts f = { flags, t, counts[c], false, false, false };
				struct policy_facts d = { flags ^ F(DRILL), t, counts[c], false, false, false };
				unsigned o = policy_obligations(&f);
				bool rep = policy_ppc_reportable(&f);
				bool pd = flags & F(PERSONAL_DATA);
				bool out = t == TYPE_POWER || t == TYPE_OVERHEATING
					   || t == TYPE_DISASTER;

				drill &= o == policy_obligations(&d);
				assess_xor &= !((o & O(PPC_ASSESS)) && (o & O(PPC_PRELIMINARY)));
				pair &= !!(o & O(PPC_PRELIMINARY)) == !!(o & O(PPC_FINAL))
					&& !!(o & O(PPC_PRELIMINARY)) == (rep && !(flags & F(PROCESSOR)))
					&& !(rep && (flags & F(ENCRYPTED)))
					&& !!(o & O(PRINCIPAL)) == (pd && (flags & F(PROCESSOR)));
				/* internal only drops nothing, and waives only the
				 * policy's own reports (policy 7-4 省略可能) */
				internal &= o == policy_obligations(&(struct policy_facts){
						     flags & ~F(INTERNAL_ONLY), t, counts[c], false, false, false });
				if (flags & F(INTERNAL_ONLY))
					internal &= (policy_waivable(&f) & ~o) == 0 &&
						    !(policy_waivable(&f) & (market & ~(O(RAKUTEN) | O(YAHOO)))) &&
						    !(policy_waivable(&f) & (O(PPC_PRELIMINARY) | O(PPC_FINAL) |
									     O(PPC_ASSESS) | O(CONSULTATION_DESK))) &&
						    !(rep && (policy_waivable(&f) & O(INDIVIDUALS)));
				else
					internal &= policy_waivable(&f) == 0;
				if (pd)
					personal &= (o & (O(INDIVIDUALS) | O(CONSULTATION_DESK)))
						    == (O(INDIVIDUALS) | O(CONSULTATION_DESK))
						    && !!(o & O(PUBLICATION)) == (rep && !(flags & F(PROCESSOR)))
						    && !!(o & O(PPC_ASSESS)) == !(rep && !(flags & F(PROCESSOR)));
				outage &= out ? (o & market) == 0 && (o & O(OUTAGE_CONTACTS))
					      : !(o & O(OUTAGE_CONTACTS));
				known &= (o >> OBL_COUNT) == 0;
			}
	CHECK(drill, "invariant: the drill flag changes no obligation");
	CHECK(assess_xor, "invariant: never both ppc-assess and a PPC report");
	CHECK(pair, "invariant: PPC preliminary and final together, exactly when reportable and "
		    "not a processor's; encrypted is never reportable; the principal told exactly "
		    "for a processor's personal data");
	CHECK(internal, "invariant: internal only drops nothing and may waive only the policy's own "
			"reports, never Amazon, AWS, the PPC duties, the desk or art. 26(2)");
	CHECK(personal, "invariant: personal data → individuals + desk; publication iff reportable");
	CHECK(outage, "invariant: outages give outage-contacts and no marketplace");
	CHECK(known, "invariant: no bit beyond OBL_COUNT");
}

int main(void)
{
	for (size_t i = 0; i < sizeof apis / sizeof *apis; i++)
		names(&apis[i]);
	source_labels();
	name_variants();
	transitions();
	transition_reasons();
	timer_states();
	checklists();
	reportable();
	obligation_sets();
	waivable();
	deadline_kinds();
	obligation_invariants();
	/* the one table of review names (store rows, reviews { }, review done KIND) */
	CHECK_STR(review_name(REVIEW_RISK), "risk", "review_name: policy 5(1) is \"risk\"");
	CHECK_STR(review_name(REVIEW_PLAN), "plan", "review_name: policy 5(2) is \"plan\"");
	CHECK_STR(review_name(REVIEW_DRILL), "drill", "review_name: policy 6(2) is \"drill\"");
	CHECK_STR(review_name(REVIEW_COUNT), "?", "review_name: out of range is \"?\"");
	CHECK_STR(review_name((enum review_kind)-1), "?", "review_name: negative is \"?\"");
	return test_done();
}
