/*
 * classify.h — the first guess at a report (SPEC 3): its source (policy
 * 7-1), type (policy 1, 7-6), priority (policy 7-2), flags and number of
 * people affected, from Japanese and English keywords and the sender.
 * An admin confirms it; `why` tells the alarm's reader what was seen.
 *
 * The keywords are data: struct keyword_rule (config.h), read from
 * conf/keywords.conf, whose header explains the matching for those who
 * edit it.  In short: text and words are normalised alike (ASCII case,
 * full-width ASCII, half-width katakana, line breaks inside Japanese
 * text do not matter); a word that begins or ends with
 * an ASCII letter or digit matches there only on a word boundary ("dos"
 * is not in "windows"), other words anywhere; "leak*" also matches
 * "leaked"; "-Amazon Web Services" is an exception: the rule's words do
 * not count where they are part of it.  Pure: no I/O, no state.
 */
#ifndef INCIDENT_CLASSIFY_H
#define INCIDENT_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * keywords.conf (the `classification` file): one rule per section, the
 * words in a report and the senders that point to one value of a field.
 * config.c reads them, classify.c matches them; see conf/keywords.conf.
 */
enum keyword_field { KW_SOURCE, KW_TYPE, KW_PRIORITY, KW_FLAG };

struct keyword_rule {
	enum keyword_field field;
	int value;		/* enum source / incident_type / priority / flag */
	char **words;		/* UTF-8; matched case-insensitively */
	size_t n_words;
	char **senders;		/* "alerts@utm.example" or "@utm.example" */
	size_t n_senders;
};

#define CLASSIFY_WHY_MAX 1024

struct classification {
	int source;		/* enum source, -1 when nothing pointed to one */
	int type;		/* enum incident_type; TYPE_OTHER when nothing matched */
	int priority;		/* enum priority; PRIORITY_LOW when nothing matched (policy 7-2 (3)) */
	unsigned flags;		/* FLAG_BIT()s seen */
	long affected;		/* the largest count of people the text names (人, 名,
				   customers …), -1 none; records are not people */
	bool affected_over;	/* "more than" it: 1,000人超, 以上, over 1,000, 1,000+ */
	long records;		/* the largest count of records (件, records, rows), -1 none */
	char why[CLASSIFY_WHY_MAX]; /* for the alarm: per decided field, the words that decided it,
				       e.g. "種別 data-leak: 流出, 漏洩 / 優先度 high: 顧客 / 個人情報
				       (personal-data): 個人情報 / 件数: 約1,200件"; always valid UTF-8,
				       NUL-terminated, cut at a character boundary with "…" when long */
};

/*
 * Classifies one report into *out (every member is written).
 *
 * subject, body: UTF-8 (may be NULL; invalid bytes are read as spaces).
 * sender: the From address (may be NULL; "<a@b>" and case are tolerated).
 * external: the sender is not of the company (the caller decides); sets
 * FLAG_EXTERNAL_REPORTER, and makes the source external-notice (policy
 * 7-1 その他外部からの情報提供) when no rule pointed to another.
 *
 * The decisions:
 *   - only what this report says counts: the body's quoted original and
 *     its signature are dropped (quote_new_text, mime/quote.h) unless the
 *     subject is a forward (FW:, Fwd:, 転送), which is the report itself;
 *     a reply's subject (Re:) is the old thread's and counts only for
 *     the drill marker;
 *   - source, type, priority: the value whose rules have the most distinct
 *     words in the text wins; a rule whose sender matches ("a@b.example"
 *     exactly, "@b.example" for the domain and its subdomains) beats any
 *     number of words; ties go to the value listed first in rules;
 *   - a flag is set when any word or sender of its rules matches;
 *     sensitive data is personal data too (APPI art. 2(3));
 *   - a word of a source, type or flag rule does not count where the text
 *     denies it (「…はありません」, 「…の形跡はなく」, "no …", "… was not
 *     affected"; a hedge such as 「…ていないか確認中」 is no denial) or
 *     writes it as a label ("電話番号: …");
 *   - an attack type (database-hacking, unauthorized-access, malware, dos,
 *     insider-leak) sets malicious (APPI rules art. 7(3)), unless a word
 *     of that flag was denied in the text;
 *   - processor sets partner-data (the data is the principal's); from an
 *     outside sender the processor words describe the sender, so they
 *     set nothing;
 *   - the drill flag comes only from a subject marker (【訓練】, [DRILL],
 *     訓練: …), never from words (policy 6-2);
 *   - personal data raises the priority to high (7-2 (1): 顧客情報);
 *   - affected: the largest count of people written in digits before 名,
 *     人, customers, users, accounts, people … ("約1,200人", "1.2万名",
 *     "1万2000人"), affected_over when it says more than that (超, 以上,
 *     を超える, 余, "over", "more than", "+"); records: the same for 件,
 *     records, rows — never taken for people (APPI rules art. 7(4) counts
 *     people); dates, times, phone and order numbers are not counts;
 *   - nothing at all: source -1, TYPE_OTHER, PRIORITY_LOW, flags 0,
 *     affected -1, why "一致なし / no keyword matched".
 * Rules with an unknown field or a value out of range are skipped; words
 * and senders may be NULL entries.
 *
 * Time is linear in the text plus the words: text and words are
 * normalised once, then one pass walks a trie of the words from each
 * character, as far as the longest word that starts there.  Memory is
 * allocated for that pass and freed before returning.
 * Should allocation fail, *out is the "nothing" answer with why "分類不能
 * (メモリ不足) / out of memory".
 */
void classify(const struct keyword_rule *rules, size_t n_rules,
	      const char *subject, const char *body, const char *sender,
	      bool external, struct classification *out);

/*
 * The same with the keyword table built once (classifier_new: NULL when
 * memory runs out), for a service that classifies many reports with one
 * configuration.  The rules must outlive the classifier.  classify() is
 * classifier_new + classify_with + classifier_free.  classify_with never
 * writes the classifier: any number of reports, in any order and from any
 * thread, get what classify() gives each alone.
 */
struct classifier;
struct classifier *classifier_new(const struct keyword_rule *rules, size_t n_rules);
void classifier_free(struct classifier *c);
void classify_with(struct classifier *c, const char *subject, const char *body,
		   const char *sender, bool external, struct classification *out);

#endif
