/*
 * classify.c — a report's words, sender and counts to a first
 * classification; see classify.h.
 *
 * Three steps.  Text and words are normalised once, alike, by textnorm.c,
 * so that a word in the configuration is one byte string to find (ASCII
 * case, full-width ASCII and half-width katakana do not matter).  One
 * pass over the text then walks a trie of the words from each character;
 * a word counts once, the first time it is found.  Last, each field is
 * decided from the tallies and `why` written.
 *
 * The table is built once per configuration and never written after: what
 * one report found lives in that report's own `found` array, so the same
 * text gets the same answer in a process of any length and from any
 * thread (SPEC 3: classification is a pure function).
 *
 * The value names are spelled here, not taken from policy.c, so that
 * classification does not wait on the policy module; they are the names
 * of policy.h's comments and of conf/keywords.conf.
 *
 * Sections, in order: names; characters; senders; the word table;
 * counts; why; the entry point.
 */
#include "rules/classify.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime/quote.h"
#include "rules/policy.h"
#include "rules/textnorm.h"

/* ---- names --------------------------------------------------------------- */

#define VALUES_MAX 16	/* the largest *_COUNT of the four fields */

_Static_assert(SOURCE_COUNT <= VALUES_MAX && TYPE_COUNT <= VALUES_MAX &&
	       PRIORITY_COUNT <= VALUES_MAX && FLAG_COUNT <= VALUES_MAX,
	       "VALUES_MAX too small");

static const int field_count[] = {
	[KW_SOURCE] = SOURCE_COUNT, [KW_TYPE] = TYPE_COUNT,
	[KW_PRIORITY] = PRIORITY_COUNT, [KW_FLAG] = FLAG_COUNT,
};

static const char *const source_names[SOURCE_COUNT] = {
	[SOURCE_SUSPECTED_ACCESS] = "suspected-access",
	[SOURCE_CONFIRMED_LEAK] = "confirmed-leak",
	[SOURCE_UTM_VENDOR] = "utm-vendor",
	[SOURCE_EXTERNAL_NOTICE] = "external-notice",
	[SOURCE_SYSTEM_ALERT] = "system-alert",
	[SOURCE_MALFUNCTION] = "malfunction",
	[SOURCE_EQUIPMENT] = "equipment",
};

static const char *const type_names[TYPE_COUNT] = {
	[TYPE_DATABASE_HACKING] = "database-hacking",
	[TYPE_UNAUTHORIZED_ACCESS] = "unauthorized-access",
	[TYPE_DATA_LEAK] = "data-leak",
	[TYPE_INSIDER_LEAK] = "insider-leak",
	[TYPE_MALWARE] = "malware",
	[TYPE_DOS] = "dos",
	[TYPE_LOST_DEVICE] = "lost-device",
	[TYPE_POWER] = "power",
	[TYPE_OVERHEATING] = "overheating",
	[TYPE_DISASTER] = "disaster",
	[TYPE_OTHER] = "other",
};

static const char *const priority_names[PRIORITY_COUNT] = {
	[PRIORITY_HIGH] = "high", [PRIORITY_MEDIUM] = "medium", [PRIORITY_LOW] = "low",
};

/* A flag in why: "個人情報 (personal-data)". */
static const char *const flag_names[FLAG_COUNT][2] = {
	[FLAG_PERSONAL_DATA] = { "個人情報", "personal-data" },
	[FLAG_PARTNER_DATA] = { "取引先情報", "partner-data" },
	[FLAG_AMAZON] = { "Amazon", "amazon" },
	[FLAG_AWS] = { "AWS", "aws" },
	[FLAG_RAKUTEN] = { "楽天", "rakuten" },
	[FLAG_YAHOO] = { "Yahoo", "yahoo" },
	[FLAG_EXTERNAL_REPORTER] = { "外部からの報告", "external-reporter" },
	[FLAG_INTERNAL_ONLY] = { "社内で完結", "internal-only" },
	[FLAG_MALICIOUS] = { "不正の目的", "malicious" },
	[FLAG_SENSITIVE] = { "要配慮個人情報", "sensitive" },
	[FLAG_FINANCIAL] = { "財産的被害", "financial" },
	[FLAG_DRILL] = { "訓練", "drill" },
	[FLAG_ENCRYPTED] = { "高度な暗号化", "encrypted" },
	[FLAG_PROCESSOR] = { "委託元のデータ", "processor" },
};

static const char *value_name(int field, int value)
{
	const char *s = NULL;

	switch (field) {
	case KW_SOURCE: s = source_names[value]; break;
	case KW_TYPE: s = type_names[value]; break;
	case KW_PRIORITY: s = priority_names[value]; break;
	case KW_FLAG: s = flag_names[value][1]; break;
	}
	return s ? s : "?";
}

static bool rule_valid(const struct keyword_rule *r)
{
	return (int)r->field >= (int)KW_SOURCE && (int)r->field <= (int)KW_FLAG &&
	       r->value >= 0 && r->value < field_count[r->field];
}

/* ---- characters ----------------------------------------------------------- */

static bool ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* ---- senders -------------------------------------------------------------- */

/* s without surrounding spaces and <>: [*b, *e). */
static void addr_trim(const char *s, const char **b, const char **e)
{
	const char *x = s, *y = s + strlen(s);

	while (x < y && (*x == ' ' || *x == '\t' || *x == '<'))
		x++;
	while (y > x && (y[-1] == ' ' || y[-1] == '\t' || y[-1] == '>'))
		y--;
	*b = x;
	*e = y;
}

static bool same_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* "a@b.example" exactly, or "@b.example": that domain and its subdomains. */
static bool sender_matches(const char *pattern, const char *sender)
{
	const char *pb, *pe, *sb, *se, *at;
	size_t pl, sl;

	if (!pattern || !sender)
		return false;
	addr_trim(pattern, &pb, &pe);
	addr_trim(sender, &sb, &se);
	pl = (size_t)(pe - pb);
	sl = (size_t)(se - sb);
	if (pl < 2 || sl == 0)
		return false;
	if (*pb != '@')
		return pl == sl && same_nocase(pb, sb, pl);
	if (sl > pl && same_nocase(pb, se - pl, pl))
		return true;				/* …@b.example */
	at = memchr(sb, '@', sl);
	return at && se - at > (ptrdiff_t)pl && se[-(ptrdiff_t)pl] == '.' &&
	       same_nocase(pb + 1, se - pl + 1, pl - 1);	/* …@x.b.example */
}

/* ---- the word table ------------------------------------------------------- */

/*
 * The words are a trie: from each character of the text the walk follows
 * the text's bytes for as long as some word goes on, and meets the words
 * that end on the way.  It is built through a hash table keyed by (node,
 * byte), then laid out for reading (struct tnode), so a step costs about
 * the same whatever the node; the walk is as long as the longest word
 * that starts alike, never the number of words.
 */
struct entry {
	size_t len;			/* normalised, without "-" and "*" */
	size_t rule, word;		/* where it was written */
	bool left, right;		/* a word boundary is needed there */
	bool except;			/* "-…": the rule's words do not count inside */
	bool negatable;			/* a denial nearby cancels it (not priority words) */
	struct entry *next;		/* the next word ending at the same node */
};

struct rule_state {
	unsigned words;			/* distinct words found */
	unsigned denied;		/* words found where the text denies them */
	bool sender;
	size_t except_end;		/* the end of the furthest exception seen */
};

/*
 * A node as the walk reads it.  Most nodes have one child or a few: their
 * children sit side by side, sorted by byte, so a step reads one short run;
 * a node with many (the root, a UTF-8 lead byte) has a row of 256 instead.
 * Either way a step touches a cache line or two, never a hash probe chain
 * (the hash is only for building).
 */
struct tnode {
	uint32_t at;			/* first child in kid_byte/kid_to, or its row */
	uint16_t count;			/* children */
	uint8_t dense;			/* `at` is a row of `rows` */
	uint8_t ends;			/* some word ends here (ends[node]) */
};

#define DENSE_KIDS 12			/* more children than this: a row of 256 */

/*
 * Most of a word's nodes have one child and end no word: from such a node
 * the walk compares the whole run of bytes down to the next node that
 * branches or ends a word, instead of stepping byte by byte.  A mismatch
 * anywhere in the run ends the walk, as stepping would: no word ends
 * inside it.
 */
struct tchain {
	uint32_t at;			/* its bytes in chain_bytes */
	uint32_t end;			/* the node after them */
	uint32_t len;			/* two or more */
};
#define START_LOG2 16
#define START_BITS (1u << START_LOG2)

struct table {
	struct entry *entries;
	size_t n;
	unsigned char *scratch;		/* a word being normalised */
	uint64_t *edge_key;		/* building: (node << 8 | byte) + 1; 0 a free slot */
	size_t *edge_to;
	size_t mask;
	struct entry **ends;		/* per node: exceptions first, then words */
	size_t nodes;			/* node 0 is the root */
	size_t longest;			/* bytes of the longest word: the deepest walk */
	struct tnode *node;		/* walking: per node */
	unsigned char *kid_byte;	/* the children of the small nodes, by byte */
	uint32_t *kid_to;
	uint32_t (*rows)[256];		/* the children of the big nodes; 0 none */
	uint32_t *chain_of;		/* per node: 1 + its chain in chains, 0 none */
	struct tchain *chains;
	unsigned char *chain_bytes;
	uint64_t starts[START_BITS / 64]; /* the first three bytes of some word, hashed */
	uint64_t shorts[START_BITS / 64]; /* … of a word shorter than six bytes */
	uint64_t starts6[START_BITS / 64]; /* the first six bytes of a longer word */
};

/*
 * Most characters of a report begin no word.  A bit per hash of a word's
 * first three bytes (8 KB, in the first-level cache) says so in one test,
 * before any step of the walk; most of the rest begin no word of two
 * characters either, which a bit per hash of a longer word's first six
 * bytes says — unless a word of under six bytes (雷, "db", "aws") starts
 * there.  A hash collision only costs a walk.
 */
static size_t start_bit(unsigned char a, unsigned char b, unsigned char c)
{
	if ((a & 0xf0) == 0xe0)		/* kana, kanji: the code point, exact */
		return (size_t)(a & 0x0f) << 12 | (size_t)(b & 0x3f) << 6 | (c & 0x3f);
	return (((uint32_t)a << 16 | (uint32_t)b << 8 | c) * 0x9e3779b1u) >> (32 - START_LOG2);
}

static size_t start6_bit(const unsigned char *s)
{
	uint64_t v = (uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 |
		     (uint64_t)s[3] << 24 | (uint64_t)s[4] << 32 | (uint64_t)s[5] << 40;

	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> (64 - START_LOG2));
}

static void bit_set(uint64_t *bits, size_t b)
{
	bits[b / 64] |= 1ull << (b % 64);
}

static bool bit_get(const uint64_t *bits, size_t b)
{
	return bits[b / 64] >> (b % 64) & 1;
}

static void start_add(struct table *t, const unsigned char *w, size_t len)
{
	size_t x, b;

	for (x = 0; x < (len > 2 ? 1u : 256u); x++) {	/* two bytes: any third */
		b = start_bit(w[0], w[1], len > 2 ? w[2] : (unsigned char)x);
		bit_set(t->starts, b);
		if (len < 6)
			bit_set(t->shorts, b);
	}
	if (len >= 6)
		bit_set(t->starts6, start6_bit(w));
}

/* Whether a word may start at s[0] (n bytes left). */
static bool start_may(const struct table *t, const unsigned char *s, size_t n)
{
	size_t b;

	if (n < 3)
		return true;
	b = start_bit(s[0], s[1], s[2]);
	if (!bit_get(t->starts, b))
		return false;
	return n < 6 || bit_get(t->shorts, b) || bit_get(t->starts6, start6_bit(s));
}

static size_t edge_slot(const struct table *t, uint64_t key)
{
	size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;

	while (t->edge_key[h] && t->edge_key[h] != key)
		h = (h + 1) & t->mask;
	return h;
}

/* The node after byte b from node, 0 when no word goes on so. */
static uint32_t trie_child(const struct table *t, uint32_t node, unsigned char b)
{
	const struct tnode *d = &t->node[node];
	const unsigned char *k;
	uint32_t i;

	if (d->dense)
		return t->rows[d->at][b];
	k = t->kid_byte + d->at;
	for (i = 0; i < d->count; i++)
		if (k[i] >= b)
			return k[i] == b ? t->kid_to[d->at + i] : 0;
	return 0;
}

/* The one child of a node that has one and is not a row, else 0. */
static uint32_t only_child(const struct table *t, uint32_t node)
{
	const struct tnode *d = &t->node[node];

	return !d->dense && d->count == 1 ? t->kid_to[d->at] : 0;
}

/* The run of single-child nodes from node: its length in bytes, its end. */
static uint32_t chain_from(const struct table *t, uint32_t node, uint32_t *end)
{
	uint32_t len = 0, next;

	while ((next = only_child(t, node))) {
		len++;
		node = next;
		if (t->node[node].ends)
			break;
	}
	*end = node;
	return len;
}

/*
 * The chains of struct tchain, for every node the walk can stand on that
 * starts one of two bytes or more.  A node inside another node's chain
 * (the single child, ending no word, of a single child) is jumped over,
 * so it needs none: each byte of the trie is in one chain at most, and
 * building is linear.
 */
static int table_chains(struct table *t)
{
	size_t total = 0, k = 0, at = 0;
	uint32_t i, end, len, node, x;
	bool *inside = calloc(t->nodes, sizeof *inside);

	if (!inside)
		return -1;
	for (i = 0; i < t->nodes; i++)
		if ((x = only_child(t, i)) && !t->node[x].ends && only_child(t, x))
			inside[x] = true;
	for (i = 0; i < t->nodes; i++)
		if (!inside[i] && (len = chain_from(t, i, &end)) >= 2) {
			total += len;
			k++;
		}
	t->chain_of = calloc(t->nodes, sizeof *t->chain_of);
	t->chains = malloc((k ? k : 1) * sizeof *t->chains);
	t->chain_bytes = malloc(total ? total : 1);
	if (!t->chain_of || !t->chains || !t->chain_bytes || total >= UINT32_MAX) {
		free(inside);
		return -1;
	}
	for (i = 0, k = 0; i < t->nodes; i++) {
		if (inside[i] || (len = chain_from(t, i, &end)) < 2)
			continue;
		t->chains[k] = (struct tchain){ .at = (uint32_t)at, .end = end, .len = len };
		for (node = i; node != end; node = only_child(t, node))
			t->chain_bytes[at++] = t->kid_byte[t->node[node].at];
		t->chain_of[i] = (uint32_t)++k;
	}
	free(inside);
	return 0;
}

/*
 * The hash of edges made into the walk's arrays (struct tnode), then freed.
 * Returns -1 when out of memory.
 */
static int table_compact(struct table *t)
{
	size_t h, n_rows = 0, n_kids = 0, i;
	uint32_t *count = calloc(t->nodes, sizeof *count), from, at, j;

	t->node = calloc(t->nodes, sizeof *t->node);
	if (!count || !t->node) {
		free(count);
		return -1;
	}
	for (h = 0; h <= t->mask; h++)
		if (t->edge_key[h])
			count[(t->edge_key[h] - 1) >> 8]++;
	for (i = 0; i < t->nodes; i++) {
		struct tnode *d = &t->node[i];

		d->count = (uint16_t)count[i];
		d->ends = t->ends[i] != NULL;
		d->dense = i == 0 || count[i] > DENSE_KIDS;
		d->at = (uint32_t)(d->dense ? n_rows++ : n_kids);
		if (!d->dense)
			n_kids += count[i];
	}
	free(count);
	t->rows = calloc(n_rows, sizeof *t->rows);
	t->kid_byte = malloc(n_kids ? n_kids : 1);
	t->kid_to = malloc((n_kids ? n_kids : 1) * sizeof *t->kid_to);
	if (!t->rows || !t->kid_byte || !t->kid_to)
		return -1;
	for (i = 0; i < t->nodes; i++)		/* refilled below, in byte order */
		if (!t->node[i].dense)
			t->node[i].count = 0;
	for (h = 0; h <= t->mask; h++) {
		uint64_t key = t->edge_key[h] - 1;
		unsigned char b = (unsigned char)(key & 0xff);
		struct tnode *d;

		if (!t->edge_key[h])
			continue;
		from = (uint32_t)(key >> 8);
		d = &t->node[from];
		if (d->dense) {
			t->rows[d->at][b] = (uint32_t)t->edge_to[h];
			continue;
		}
		at = d->at;	/* insertion: the run stays sorted by byte */
		for (j = d->count; j > 0 && t->kid_byte[at + j - 1] > b; j--) {
			t->kid_byte[at + j] = t->kid_byte[at + j - 1];
			t->kid_to[at + j] = t->kid_to[at + j - 1];
		}
		t->kid_byte[at + j] = b;
		t->kid_to[at + j] = (uint32_t)t->edge_to[h];
		d->count++;
	}
	free(t->edge_key);
	free(t->edge_to);
	t->edge_key = NULL;
	t->edge_to = NULL;
	return table_chains(t);
}

static size_t trie_add(struct table *t, const unsigned char *w, size_t len)
{
	size_t node = 0, i, h;

	for (i = 0; i < len; i++) {
		uint64_t key = ((uint64_t)node << 8 | w[i]) + 1;

		h = edge_slot(t, key);
		if (!t->edge_key[h]) {
			t->edge_key[h] = key;
			t->edge_to[h] = t->nodes++;
		}
		node = t->edge_to[h];
	}
	return node;
}

/*
 * Normalises and enters one word of the pass (0: words, 1: exceptions);
 * words shorter than two bytes mean nothing and are skipped, as are
 * repeats within a rule.
 */
static void table_add(struct table *t, const char *raw, size_t rule, size_t word,
		      bool except_pass, bool negatable)
{
	struct textnorm st = { .o = t->scratch };
	unsigned char *w = t->scratch;
	struct entry *e, **end;
	size_t len;
	bool except = false, prefix = false, right;

	textnorm_start(&st);
	textnorm_text(&st, raw, strlen(raw));
	len = st.n;
	if (len > 1 && w[0] == '-') {
		except = true;
		w++, len--;
		if (w[0] == ' ')
			w++, len--;
	}
	if (except != except_pass)
		return;
	if (len > 1 && w[len - 1] == '*') {
		prefix = true;
		len--;
	}
	if (len < 2)
		return;
	start_add(t, w, len);
	right = !prefix && ascii_alnum(w[len - 1]);
	end = &t->ends[trie_add(t, w, len)];
	for (e = *end; e; e = e->next)
		if (e->rule == rule && e->except == except && e->right == right)
			return;
	e = &t->entries[t->n++];
	*e = (struct entry){
		.len = len, .rule = rule, .word = word, .except = except,
		.negatable = negatable,
		.left = ascii_alnum(w[0]), .right = right, .next = *end,
	};
	*end = e;
}

/*
 * The trie of every valid rule's words.  Exceptions are entered last, so
 * that they head the list at their node.  Returns -1 when out of memory.
 */
static int table_build(struct table *t, const struct keyword_rule *rules, size_t n_rules)
{
	size_t r, i, words = 0, bytes = 0, longest = 0, cap = 16, l;
	int pass;

	for (r = 0; r < n_rules; r++)
		if (rule_valid(&rules[r]) && rules[r].words)
			for (i = 0; i < rules[r].n_words; i++)
				if (rules[r].words[i]) {
					words++;
					bytes += l = strlen(rules[r].words[i]);
					longest = l > longest ? l : longest;
				}
	if (bytes >= UINT32_MAX / 2)
		return -1;	/* nodes are numbered in 32 bits */
	while (cap < 2 * (bytes + 1))
		cap *= 2;
	t->mask = cap - 1;
	t->nodes = 1;
	t->n = 0;
	t->entries = malloc((words ? words : 1) * sizeof *t->entries);
	t->edge_key = calloc(cap, sizeof *t->edge_key);
	t->edge_to = malloc(cap * sizeof *t->edge_to);
	t->ends = calloc(bytes + 1, sizeof *t->ends);
	t->scratch = malloc(longest + 1);	/* normalising never lengthens */
	t->longest = longest;
	if (!t->entries || !t->edge_key || !t->edge_to || !t->ends || !t->scratch)
		return -1;
	for (pass = 0; pass < 2; pass++)
		for (r = 0; r < n_rules; r++)
			if (rule_valid(&rules[r]) && rules[r].words)
				for (i = 0; i < rules[r].n_words; i++)
					if (rules[r].words[i])
						table_add(t, rules[r].words[i], r, i, pass,
							  rules[r].field != KW_PRIORITY);
	return table_compact(t);
}

static void table_free(struct table *t)
{
	free(t->entries);
	free(t->edge_key);
	free(t->edge_to);
	free(t->ends);
	free(t->scratch);
	free(t->node);
	free(t->kid_byte);
	free(t->kid_to);
	free(t->rows);
	free(t->chain_of);
	free(t->chains);
	free(t->chain_bytes);
}

/* ---- denials ------------------------------------------------------------- */

/*
 * A word a report denies does not count: 「個人情報の漏えいはありません」
 * sets no personal-data flag, 「攻撃の形跡はなく、操作ミス」 no malicious,
 * "no personal data was affected" none either.  Priority words are not
 * denied ("we cannot reach the server" is still about a server).
 *
 * Japanese puts the denial after what it denies, within a short phrase:
 * the word, at most DENY_GAP characters of the same clause (no 。、 or
 * line break between), then a form that denies a fact.  Bare ない is not
 * one ("ログインできない" is the malfunction itself), and a denial that
 * asks or hedges (〜ていないか確認中, 〜ないとは言い切れない) denies
 * nothing: when in doubt the duty stays (issue 12).  English puts it
 * before ("no", "not", "without", "no evidence of" up to DENY_WORDS words
 * back in the sentence) or right after ("… was not affected").
 *
 * To add a form: here, in the normalised spelling (ASCII lower case).
 */
#define DENY_GAP 14		/* characters between a Japanese word and its denial */
#define DENY_WORDS 4		/* English words between a denial and the word */

static const char *const deny_after_ja[] = {
	"はなく", "はない", "は無い", "はありません", "はございません", "はありませんでした",
	"ではない", "ではありません", "ではなく", "ていない", "ていません", "ておりません",
	"ておらず", "ていなかった", "てない", "ませんでした", "なし", "無し", "はゼロ",
	"は0件", "は確認されず", "はみられません", "は見られません", "は認められません",
	"は認められず", "もなかった", "もありません", "もございません", "も見当たりません",
	"は見当たりません", "見当たりません", "は影響ありません", "影響はありません",
	"は正常", NULL
};
static const char *const deny_hedges[] = {	/* right after a denial: it asks or hedges */
	"か", "とは", "と断定", "とは言", "とも", "可能性", "かも", "とは限", NULL
};
static const char *const deny_before_en[] = {
	"no", "not", "without", "never", "none", "nor", "neither", NULL
};
static const char *const deny_after_en[] = {
	"was not", "were not", "is not", "are not", "has not", "have not", "had not",
	"was never", "were never", "wasn't", "weren't", "isn't", "aren't", "hasn't",
	"haven't", "not affected", "unaffected", NULL
};

/* Whether [b, e) holds one of the ends of a clause. */
static bool clause_ends(const unsigned char *s, size_t b, size_t e)
{
	size_t i;

	for (i = b; i < e; i++) {
		if (s[i] == '.' || s[i] == ',' || s[i] == '!' || s[i] == '?' || s[i] == ';' ||
		    s[i] == '\n')
			return true;
		if (e - i >= 3 && s[i] == 0xe3 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0x82 || s[i + 2] == 0x81))
			return true;	/* 。、 */
		if (e - i >= 3 && s[i] == 0xef && s[i + 1] == 0xbc &&
		    (s[i + 2] == 0x8c || s[i + 2] == 0x81 || s[i + 2] == 0x9f))
			return true;	/* ，！？ (ASCII once normalised, but kept) */
	}
	return false;
}

/* The length of w when s[i] starts with it, else 0 (compared byte by byte:
 * most tries fail at the first or second byte). */
static size_t prefix_at(const unsigned char *s, size_t n, size_t i, const char *w)
{
	size_t l;

	for (l = 0; w[l]; l++)
		if (i + l >= n || s[i + l] != (unsigned char)w[l])
			return 0;
	return l;
}

static bool starts_with_any(const unsigned char *s, size_t n, size_t i, const char *const *list,
			    size_t *len)
{
	size_t l;

	for (; *list; list++)
		if ((l = prefix_at(s, n, i, *list))) {
			if (len)
				*len = l;
			return true;
		}
	return false;
}

/* A Japanese denial within DENY_GAP characters after s[end], same clause. */
static bool denied_after_ja(const unsigned char *s, size_t n, size_t end)
{
	size_t j = end, k, l, chars;

	for (chars = 0; j < n && chars <= DENY_GAP; chars++, j = k) {
		if (starts_with_any(s, n, j, deny_after_ja, &l))
			return !starts_with_any(s, n, j + l, deny_hedges, NULL);
		for (k = j + 1; k < n && (s[k] & 0xc0) == 0x80; k++)
			;
		if (clause_ends(s, j, k))
			return false;
	}
	return false;
}

/* The ASCII word ending just before s[*i] (after spaces), moving *i to its start. */
static bool word_before(const unsigned char *s, size_t *i, size_t *b, size_t *e)
{
	size_t j = *i;

	while (j > 0 && s[j - 1] == ' ')
		j--;
	*e = j;
	while (j > 0 && (ascii_alnum(s[j - 1]) || s[j - 1] == '\''))
		j--;
	*b = j;
	*i = j;
	return *e > *b;
}

static bool word_is(const unsigned char *s, size_t b, size_t e, const char *w)
{
	return e - b == strlen(w) && memcmp(s + b, w, e - b) == 0;
}

/* An English denial up to DENY_WORDS words before s[start] or right after s[end]. */
static bool denied_en(const unsigned char *s, size_t n, size_t start, size_t end)
{
	size_t i = start, b, e, k, l, j;

	for (k = 0; k <= DENY_WORDS; k++) {
		if (i > 0 && clause_ends(s, i - 1, i))
			break;
		if (!word_before(s, &i, &b, &e))
			break;
		if (word_is(s, b, e, "whether") || word_is(s, b, e, "if"))
			return false;	/* "no idea whether card data leaked" asks */
		for (const char *const *p = deny_before_en; *p; p++)
			if (word_is(s, b, e, *p))
				return true;
		if (e - b > 3 && memcmp(s + e - 3, "n't", 3) == 0)
			return true;
	}
	for (j = end, k = 0; j < n && k < 3; k++) {	/* "… data was not affected" */
		while (j < n && s[j] == ' ')
			j++;
		if (starts_with_any(s, n, j, deny_after_en, &l) &&
		    (j + l == n || !ascii_alnum(s[j + l])))
			return true;
		while (j < n && ascii_alnum(s[j]))
			j++;
		if (j < n && s[j] != ' ')
			break;
	}
	return false;
}

/*
 * A word written as a label, 「電話番号: 03-…」 or "E-mail: …", as in a
 * signature or a form, says nothing about the incident: a plain outage
 * report signed with a phone number is no personal-data leak.
 */
static bool label(const unsigned char *s, size_t n, size_t end)
{
	if (end < n && s[end] == ' ')
		end++;
	return end < n && s[end] == ':';	/* "：" is ":" once normalised */
}

/* Whether the word found at s[i, i + len) is denied or a label where it stands. */
static bool denied(const unsigned char *s, size_t n, size_t i, size_t len)
{
	return label(s, n, i + len) || denied_after_ja(s, n, i + len) ||
	       (ascii_alnum(s[i]) && denied_en(s, n, i, i + len));
}

/* Whether the word found at s[i] stands on the boundaries it needs. */
static bool bounded(const unsigned char *s, size_t n, size_t i, const struct entry *e)
{
	return !(e->left && i > 0 && ascii_alnum(s[i - 1])) &&
	       !(e->right && i + e->len < n && ascii_alnum(s[i + e->len]));
}

/*
 * What one report found: per entry whether it was found, and the entries
 * found in the order they were found (for why).  The report's own: the
 * table is only read.
 */
struct hits {
	bool *found;			/* per entry; the caller zeroes it */
	uint32_t *order;		/* entry numbers, first found first */
	size_t n;			/* entries found */
};

/*
 * The one pass: each entry found is marked and listed in h, and each word
 * found counts once for its rule.  From each character the trie is walked
 * once; the nodes where words end (at most t->longest, in `ends`, the
 * caller's) are read twice: first for the exceptions (usually longer than
 * the words they hold), then for the words.  The table is only read.
 */
static void table_scan(const struct table *t, const unsigned char *s, size_t n,
		       struct rule_state *rs, struct hits *h, size_t *ends)
{
	size_t i, j, node, m, x;

	for (i = 0; i < n; i++) {
		const struct entry *e;

		if ((s[i] & 0xc0) == 0x80)
			continue;	/* words start on a character */
		if (!start_may(t, s + i, n - i)) {
			if (s[i] >= 0xe0)
				i += 2;	/* nor inside this character */
			continue;	/* no word starts so */
		}
		for (j = i, node = 0, m = 0; j < n;) {
			uint32_t c = t->chain_of[node];

			if (c) {	/* a run of single children, compared at once */
				const struct tchain *ch = &t->chains[c - 1];
				const unsigned char *b = t->chain_bytes + ch->at;
				uint32_t k;

				if (n - j < ch->len)
					break;
				for (k = 0; k < ch->len && s[j + k] == b[k]; k++)
					;
				if (k < ch->len)
					break;
				node = ch->end;
				j += ch->len;
			} else if ((node = trie_child(t, (uint32_t)node, s[j]))) {
				j++;
			} else {
				break;
			}
			if (t->node[node].ends)
				ends[m++] = node;
		}
		for (x = 0; x < m; x++)
			for (e = t->ends[ends[x]]; e && e->except; e = e->next)
				if (bounded(s, n, i, e) && i + e->len > rs[e->rule].except_end)
					rs[e->rule].except_end = i + e->len;
		for (x = 0; x < m; x++) {
			for (e = t->ends[ends[x]]; e && e->except; e = e->next)
				;
			for (; e; e = e->next) {
				size_t k = (size_t)(e - t->entries);

				if (!h->found[k] && bounded(s, n, i, e) &&
				    i + e->len > rs[e->rule].except_end) {
					if (e->negatable && denied(s, n, i, e->len)) {
						rs[e->rule].denied++;
						continue;
					}
					h->found[k] = true;	/* counts once */
					h->order[h->n++] = (uint32_t)k;
					rs[e->rule].words++;
				}
			}
		}
	}
}

/* Policy 1(1): the types that are someone's act, not a failure or a mistake. */
static bool type_is_attack(int type)
{
	return type == TYPE_DATABASE_HACKING || type == TYPE_UNAUTHORIZED_ACCESS ||
	       type == TYPE_MALWARE || type == TYPE_DOS || type == TYPE_INSIDER_LEAK;
}

/* ---- drills --------------------------------------------------------------- */

/*
 * Policy 6-2: a drill is announced as one in the subject —
 * 【訓練】, ［訓練］, [DRILL], 訓練: — or made one by /drill.  A body that
 * mentions a drill (「先月の訓練で…」) is a real report: a drill flag hides
 * the ticket from management's digest and counts as the drill held, so
 * words never set it (issue 12).  The subject is normalised: ［］ are [],
 * "：" is ":", ASCII is lower case.
 *
 * To add a marker: here, normalised.
 */
static const char *const drill_brackets[] = {
	"【訓練】", "【演習】", "【drill】", "【exercise】", "[訓練]", "[演習]", "[drill]",
	"[exercise]", "〔訓練〕", "<訓練>", "(訓練)", NULL
};
static const char *const drill_leads[] = {	/* at the start, after Re:/Fw: */
	"訓練:", "演習:", "drill:", "exercise:", NULL
};
static const char *const reply_leads[] = { "re:", "fw:", "fwd:", "転送:", "返信:", NULL };

static bool drill_subject(const unsigned char *s, size_t n)
{
	size_t i = 0, l;
	bool more = true;

	for (size_t j = 0; j < n; j++)
		if (starts_with_any(s, n, j, drill_brackets, NULL))
			return true;
	while (more) {		/* "Re: Fwd: 訓練: …" */
		more = false;
		while (i < n && s[i] == ' ')
			i++;
		if (starts_with_any(s, n, i, reply_leads, &l)) {
			i += l;
			more = true;
		}
	}
	return starts_with_any(s, n, i, drill_leads, NULL);
}

/* ---- counts --------------------------------------------------------------- */

#define COUNT_CAP 1000000000000000ULL	/* 10^15: more is no count of people */

static bool at_str(const unsigned char *s, size_t n, size_t i, const char *w, bool word)
{
	size_t l = prefix_at(s, n, i, w);

	return l && !(word && i + l < n && ascii_alnum(s[i + l]));
}

/* The first of list at s[i] (ASCII entries end on a word boundary), its length or 0. */
static size_t at_any(const unsigned char *s, size_t n, size_t i, const char *const *list)
{
	size_t l;

	for (; *list; list++)
		if ((l = prefix_at(s, n, i, *list)) &&
		    !(ascii_alnum((unsigned char)**list) && i + l < n && ascii_alnum(s[i + l])))
			return l;
	return 0;
}

/*
 * What a count is of.  APPI rules art. 7(4) counts people (「1,000人を超える」
 * 本人), so people and records are kept apart: 1,200件 of records says
 * nothing of how many people they belong to, and the admins are asked
 * (ppc-assess) rather than told.  To add a unit: here, normalised.
 */
static const char *const people_units[] = {
	"名", "人", "アカウント", "customers", "customer", "users", "user", "accounts",
	"account", "people", "persons", "person", "individuals", "individual", "members",
	"member", NULL
};
static const char *const record_units[] = {
	"件", "レコード", "行", "records", "record", "entries", "entry", "rows", "row", NULL
};
static const char *const count_before[] = {	/* for why only */
	"約", "およそ", "最大", "推定", "about ", "approx. ", "approximately ",
	"around ", "roughly ", "up to ", "nearly ", NULL
};
/* "more than N" (art. 7(4) wants > 1,000): 以上 is read so too — when in
 * doubt the duty stays (issue 12) */
static const char *const more_before[] = { "over ", "more than ", "above ", "in excess of ", NULL };
static const char *const more_after[] = { "以上", "超", "を超える", "を超え", "強", NULL };
static const char *const count_after[] = { "程度", "前後", NULL };

static const struct { const char *w; unsigned long long mult; } count_mults[] = {
	{ "億", 100000000 }, { "万", 10000 }, { "千", 1000 },
	{ "million", 1000000 }, { "thousand", 1000 },
};

/*
 * Digits with "," thousands separators and a decimal part at s[*i]: the
 * integer part and the fraction in thousandths.  False past 15 digits.
 */
static bool read_number(const unsigned char *s, size_t n, size_t *i,
			unsigned long long *ip, unsigned long long *milli)
{
	size_t j = *i, digits = 0, f;

	*ip = *milli = 0;
	while (j < n) {
		if (s[j] >= '0' && s[j] <= '9') {
			if (++digits > 15)
				return false;
			*ip = *ip * 10 + (s[j++] - '0');
		} else if (s[j] == ',' && n - j > 3 && s[j + 1] >= '0' && s[j + 1] <= '9' &&
			   s[j + 2] >= '0' && s[j + 2] <= '9' && s[j + 3] >= '0' &&
			   s[j + 3] <= '9' && (n - j == 4 || s[j + 4] < '0' || s[j + 4] > '9')) {
			j++;
		} else
			break;
	}
	if (j + 1 < n && s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9') {
		for (j++, f = 100; j < n && s[j] >= '0' && s[j] <= '9'; j++, f /= 10)
			*milli += f * (s[j] - '0');
	}
	*i = j;
	return true;
}

/* A count read from the text. */
struct count {
	long long value;	/* capped at COUNT_CAP */
	bool people;		/* a unit of people, else of records */
	bool more;		/* "more than" the value */
	size_t end;		/* after the unit and any 以上 */
};

/*
 * A count starting at s[i]: "1,200件", "1.2万件", "1万2000人", "500 customers",
 * "1,000人超".  Returns false when the number is not followed by a unit.
 */
static bool read_count(const unsigned char *s, size_t n, size_t i, struct count *c)
{
	unsigned long long total = 0, ip, milli, mult;
	size_t j = i, k, l, m;
	int round;

	for (round = 0;; round++) {
		if (!read_number(s, n, &j, &ip, &milli))
			return false;
		k = j < n && s[j] == ' ' ? j + 1 : j;
		for (mult = 0, m = 0; m < sizeof count_mults / sizeof count_mults[0]; m++)
			if (at_str(s, n, k, count_mults[m].w,
				   ascii_alnum((unsigned char)count_mults[m].w[0]))) {
				mult = count_mults[m].mult;
				j = k + strlen(count_mults[m].w);
				break;
			}
		if (!mult) {
			total += ip;
			break;
		}
		total += ip > COUNT_CAP / mult ? COUNT_CAP : ip * mult + milli * mult / 1000;
		if (round == 3 || j >= n || s[j] < '0' || s[j] > '9')
			break;
	}
	c->more = false;
	if (j < n && s[j] == '+') {		/* "1,000+ customers" */
		c->more = true;
		j++;
	}
	if (j < n && s[j] == ' ')
		j++;
	if (at_str(s, n, j, "余", false)) {	/* 1,000余人: more than */
		c->more = true;
		j += strlen("余");
	}
	if ((l = at_any(s, n, j, people_units)))
		c->people = true;
	else if ((l = at_any(s, n, j, record_units)))
		c->people = false;
	else
		return false;
	j += l;
	if ((l = at_any(s, n, j, more_after))) {
		c->more = true;
		j += l;
	}
	j += at_any(s, n, j, count_after);
	c->end = j;
	c->value = total > COUNT_CAP ? (long long)COUNT_CAP : (long long)total;
	return true;
}

/* Where a count's text begins: before 約, "over " and the like. */
static size_t count_start(const unsigned char *s, size_t i, bool *more)
{
	const char *const *p;
	size_t l;

	for (p = more_before; *p; p++)
		if ((l = strlen(*p)) <= i && memcmp(s + i - l, *p, l) == 0) {
			*more = true;
			return i - l;
		}
	for (p = count_before; *p; p++)
		if ((l = strlen(*p)) <= i && memcmp(s + i - l, *p, l) == 0)
			return i - l;
	return i;
}

/* The largest count of people and of records in s, with their text spans. */
struct counts {
	long long people, records;	/* -1: none */
	bool people_more;
	size_t pb, pe, rb, re;
};

/*
 * The first ASCII digit at or after s[i], or n.  A report has few: eight
 * bytes at a time are tested for one (a byte between '/' and ':', the
 * exact test of "Bit Twiddling Hacks", hasbetween).
 */
static size_t next_digit(const unsigned char *s, size_t n, size_t i)
{
	const uint64_t ones = 0x0101010101010101ull, low7 = ones * 127;

	while (n - i >= 8 && i < n) {
		uint64_t x;

		memcpy(&x, s + i, 8);
		if ((ones * (127 + ':') - (x & low7)) & ~x & ((x & low7) + ones * (127 - '/')) &
		    ones * 128)
			break;
		i += 8;
	}
	while (i < n && (s[i] < '0' || s[i] > '9'))
		i++;
	return i;
}

static void find_counts(const unsigned char *s, size_t n, struct counts *out)
{
	struct count c;
	size_t i, b;

	*out = (struct counts){ .people = -1, .records = -1 };
	for (i = next_digit(s, n, 0); i < n; i = next_digit(s, n, i + 1)) {
		/* not inside a word, a version, a phone number or a time */
		if (i > 0 && (ascii_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ',' ||
			      s[i - 1] == '-' || s[i - 1] == '/' || s[i - 1] == ':' || s[i - 1] == '#'))
			continue;
		if (!read_count(s, n, i, &c))
			continue;
		b = count_start(s, i, &c.more);
		if (c.people && (c.value > out->people ||
				 (c.value == out->people && c.more && !out->people_more))) {
			out->people = c.value;
			out->people_more = c.more;
			out->pb = b;
			out->pe = c.end;
		} else if (!c.people && c.value > out->records) {
			out->records = c.value;
			out->rb = b;
			out->re = c.end;
		}
	}
}

/* ---- why ------------------------------------------------------------------ */

/* At most CLASSIFY_WHY_MAX - 1 bytes: room is kept for "…" when cut. */
struct why {
	char *b;
	size_t n;
	bool full;
};

#define WHY_ROOM (CLASSIFY_WHY_MAX - 1 - 3)

/* Appends n bytes as valid UTF-8 (bad bytes U+FFFD, controls spaces). */
static void why_addn(struct why *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char tmp[4];
	size_t i = 0, k, l;
	uint32_t cp;

	while (i < n && !w->full) {
		if (!(k = textnorm_utf8_next(p + i, n - i, &cp))) {
			cp = 0xfffd;
			k = 1;
		} else if (cp < 0x20 || cp == 0x7f)
			cp = ' ';
		l = textnorm_utf8_put(cp, tmp);
		if (w->n + l > WHY_ROOM) {
			memcpy(w->b + w->n, "…", 3);
			w->n += 3;
			w->full = true;
			break;
		}
		memcpy(w->b + w->n, tmp, l);
		w->n += l;
		i += k;
	}
	w->b[w->n] = '\0';
}

static void why_add(struct why *w, const char *s)
{
	why_addn(w, s, strlen(s));
}

static void why_part(struct why *w)
{
	if (w->n)
		why_add(w, " / ");
}

/*
 * The words of (field, value) found, in the order of the text, after
 * "送信者 addr" when a sender rule matched.
 */
static void why_words(struct why *w, const struct keyword_rule *rules,
		      const struct table *t, const struct hits *h, int field, int value,
		      bool sender_matched, const char *sender)
{
	bool first = true;
	size_t x;

	if (sender_matched) {
		why_add(w, "送信者 ");
		why_add(w, sender);
		first = false;
	}
	for (x = 0; x < h->n && !w->full; x++) {
		const struct entry *e = &t->entries[h->order[x]];

		if ((int)rules[e->rule].field != field || rules[e->rule].value != value)
			continue;
		if (!first)
			why_add(w, ", ");
		why_add(w, rules[e->rule].words[e->word]);
		first = false;
	}
}

/* ---- the entry point ------------------------------------------------------ */

/* A subject of a reply: "Re:", "RE:", "返信:". */
static bool replied(const char *subject)
{
	const char *p = subject;

	while (p && (*p == ' ' || *p == '\t'))
		p++;
	return p && (strncasecmp(p, "re:", 3) == 0 || strncmp(p, "返信:", strlen("返信:")) == 0 ||
		     strncasecmp(p, "re：", strlen("re：")) == 0);
}

/* A subject of a forward ("FW:", "Fwd:", "転送:", after any "Re:"). */
static bool forwarded(const char *subject)
{
	static const char *const leads[] = { "fw:", "fwd:", "fw：", "転送", NULL };
	const char *p = subject;
	bool more = true;

	while (p && more) {
		more = false;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "re:", 3) == 0) {
			p += 3;
			more = true;
		}
	}
	for (size_t i = 0; p && leads[i]; i++)
		if (strncasecmp(p, leads[i], strlen(leads[i])) == 0)
			return true;
	return false;
}

struct tally {
	unsigned words;
	unsigned denied;
	bool sender;
	bool listed;
	size_t first;		/* the first rule of the value */
};

/* The winning value of a one-value field, or -1: senders, then words, then order. */
static int decide(const struct tally *v, int count)
{
	int i, best = -1;

	for (i = 0; i < count; i++) {
		if (!v[i].sender && !v[i].words)
			continue;
		if (best < 0 || v[i].sender > v[best].sender ||
		    (v[i].sender == v[best].sender &&
		     (v[i].words > v[best].words ||
		      (v[i].words == v[best].words && v[i].first < v[best].first))))
			best = i;
	}
	return best;
}

/* " / 種別 data-leak: 流出, 漏洩" */
static void why_field(struct why *w, const char *head, const struct keyword_rule *rules,
		      const struct table *t, const struct hits *h, int field, int value,
		      const struct tally *y, const char *sender)
{
	why_part(w);
	why_add(w, head);
	why_add(w, value_name(field, value));
	why_add(w, ": ");
	why_words(w, rules, t, h, field, value, y->sender, sender);
}

/* " / 個人情報 (personal-data): 顧客情報" for each flag; "外部からの報告: sender". */
static void why_flags(struct why *w, const struct keyword_rule *rules,
		      const struct table *t, const struct hits *h, unsigned flags,
		      const struct tally *y,
		      const char *sender, bool external, bool attack)
{
	int v;

	for (v = 0; v < FLAG_COUNT; v++) {
		if (!(flags & FLAG_BIT(v)))
			continue;
		why_part(w);
		why_add(w, flag_names[v][0]);
		if (v == FLAG_EXTERNAL_REPORTER && external) {
			why_add(w, ": ");
			why_add(w, sender && *sender ? sender : "(送信者不明)");
			if (!y[v].words && !y[v].sender)
				continue;
			why_add(w, ", ");
		} else if (v == FLAG_PARTNER_DATA && !y[v].words && !y[v].sender) {
			why_add(w, " (partner-data): 委託元のデータのため (APPI art. 26(1))");
			continue;
		} else if (v == FLAG_PERSONAL_DATA && !y[v].words && !y[v].sender) {
			why_add(w, " (personal-data): 要配慮個人情報のため (APPI art. 2(3))");
			continue;
		} else if (v == FLAG_MALICIOUS && attack) {
			why_add(w, " (malicious): 攻撃・内部不正の種別のため (APPI rules art. 7(3))");
			continue;
		} else if (v == FLAG_DRILL) {
			why_add(w, " (drill): 件名の訓練表示 (policy 6-2)");
			continue;
		} else {
			why_add(w, " (");
			why_add(w, flag_names[v][1]);
			why_add(w, "): ");
		}
		why_words(w, rules, t, h, KW_FLAG, v, y[v].sender, sender);
	}
}

static void nothing(struct classification *out, const char *why)
{
	out->source = -1;
	out->type = TYPE_OTHER;
	out->priority = PRIORITY_LOW;
	out->flags = 0;
	out->affected = -1;
	out->affected_over = false;
	out->records = -1;
	snprintf(out->why, sizeof out->why, "%s", why);
}

/* The keyword table built once for a configuration's rules. */
struct classifier {
	const struct keyword_rule *rules;
	size_t n_rules;
	struct table t;
};

struct classifier *classifier_new(const struct keyword_rule *rules, size_t n_rules)
{
	struct classifier *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->rules = rules;
	c->n_rules = rules ? n_rules : 0;
	if (table_build(&c->t, c->rules, c->n_rules) < 0) {
		table_free(&c->t);
		free(c);
		return NULL;
	}
	return c;
}

void classifier_free(struct classifier *c)
{
	if (!c)
		return;
	table_free(&c->t);
	free(c);
}

void classify(const struct keyword_rule *rules, size_t n_rules,
	      const char *subject, const char *body, const char *sender,
	      bool external, struct classification *out)
{
	struct classifier *c = classifier_new(rules, n_rules);

	if (!c) {
		nothing(out, "分類不能 (メモリ不足) / out of memory");
		return;
	}
	classify_with(c, subject, body, sender, external, out);
	classifier_free(c);
}

void classify_with(struct classifier *c, const char *subject, const char *body,
		   const char *sender, bool external, struct classification *out)
{
	const struct keyword_rule *rules = c->rules;
	size_t n_rules = c->n_rules;
	/* Policy 7-1 asks what this report says: the quoted original of a
	 * reply and the signature are another matter (issue 12, point 3);
	 * a forward is the report itself and is read whole. */
	char *fresh = body && !forwarded(subject) ? quote_new_text(body) : NULL;
	size_t sl = subject ? strlen(subject) : 0, bl;
	struct tally tally[KW_FLAG + 1][VALUES_MAX] = { { { 0 } } };
	struct why w = { .b = out->why };
	const struct table *t = &c->t;
	struct rule_state *rs;
	struct hits h = { 0 };
	size_t *ends;
	struct textnorm st = { 0 };
	int f, v, decided[KW_PRIORITY + 1];
	bool drill, attack;
	size_t r, i;
	struct counts counts = { .people = -1, .records = -1 };
	/* One block for this report's state, in falling alignment: the rules'
	 * tallies, the walk's ends, the order and marks of the words found,
	 * the normalised text. */
	size_t rs_size = (n_rules ? n_rules : 1) * sizeof *rs;
	size_t ends_size = (t->longest + 1) * sizeof *ends;
	size_t order_size = (t->n ? t->n : 1) * sizeof *h.order;
	size_t found_size = (t->n ? t->n : 1) * sizeof *h.found;
	unsigned char *block = NULL;

	bool oom = !fresh && body && !forwarded(subject);

	if (fresh)
		body = fresh;
	bl = body && !oom ? strlen(body) : 0;
	nothing(out, "一致なし / no keyword matched");
	if (!oom && sl < SIZE_MAX / 4 && bl < SIZE_MAX / 4)
		block = malloc(rs_size + ends_size + order_size + found_size + sl + bl + 2);
	if (!block) {
		nothing(out, "分類不能 (メモリ不足) / out of memory");
		free(fresh);
		return;
	}
	rs = (struct rule_state *)block;
	ends = (size_t *)(block + rs_size);
	h.order = (uint32_t *)(block + rs_size + ends_size);
	h.found = (bool *)(block + rs_size + ends_size + order_size);
	st.o = block + rs_size + ends_size + order_size + found_size;
	memset(rs, 0, rs_size);
	memset(h.found, 0, found_size);

	/* subject and body apart: no word spans the two */
	textnorm_start(&st);
	textnorm_text(&st, subject ? subject : "", sl);
	drill = drill_subject(st.o, st.n);
	if (replied(subject))
		st.n = 0;	/* a reply's subject is the old thread's matter */
	st.o[st.n++] = '\n';
	textnorm_start(&st);
	textnorm_text(&st, body ? body : "", bl);
	table_scan(t, st.o, st.n, rs, &h, ends);

	for (r = 0; r < n_rules; r++) {
		struct tally *y;

		if (!rule_valid(&rules[r]))
			continue;
		for (i = 0; rules[r].senders && i < rules[r].n_senders && !rs[r].sender; i++)
			rs[r].sender = sender_matches(rules[r].senders[i], sender);
		y = &tally[rules[r].field][rules[r].value];
		y->words += rs[r].words;
		y->sender |= rs[r].sender;
		y->denied += rs[r].denied;
		if (!y->listed) {
			y->listed = true;
			y->first = r;
		}
	}

	for (f = KW_SOURCE; f <= KW_PRIORITY; f++)
		decided[f] = decide(tally[f], field_count[f]);
	for (v = 0; v < FLAG_COUNT; v++)
		if (v != FLAG_DRILL && (tally[KW_FLAG][v].words || tally[KW_FLAG][v].sender))
			out->flags |= FLAG_BIT(v);
	if (drill)
		out->flags |= FLAG_BIT(FLAG_DRILL);
	/* APPI rules art. 7(3): "不正の目的をもって行われたおそれ" — an attack
	 * or an insider's act is such a risk whatever words describe it, unless
	 * the report denies one (「攻撃の形跡はなく」).  When unsure the duty
	 * stays: the admins clear the flag with /flag malicious off. */
	attack = decided[KW_TYPE] >= 0 && type_is_attack(decided[KW_TYPE]) &&
		 !(out->flags & FLAG_BIT(FLAG_MALICIOUS)) && !tally[KW_FLAG][FLAG_MALICIOUS].denied;
	if (attack)
		out->flags |= FLAG_BIT(FLAG_MALICIOUS);
	if (external)
		out->flags |= FLAG_BIT(FLAG_EXTERNAL_REPORTER);
	if (out->flags & FLAG_BIT(FLAG_SENSITIVE))	/* APPI art. 2(3): it is personal data */
		out->flags |= FLAG_BIT(FLAG_PERSONAL_DATA);
	/* APPI art. 26(1) ただし書: data we process for a principal is that
	 * partner's data, and the partner is told (policy 7-2 末尾) */
	/* The processor words (「受託している」, 「委託元」) are the company's
	 * account of its own role: from an outsider they say the outsider is
	 * our processor (「貴社より…を受託しております」), not that we are. */
	if (external)
		out->flags &= ~FLAG_BIT(FLAG_PROCESSOR);
	if (out->flags & FLAG_BIT(FLAG_PROCESSOR))
		out->flags |= FLAG_BIT(FLAG_PARTNER_DATA);
	find_counts(st.o, st.n, &counts);
	out->affected = counts.people < 0 ? -1 : counts.people > LONG_MAX ? LONG_MAX : (long)counts.people;
	out->affected_over = counts.people >= 0 && counts.people_more;
	out->records = counts.records < 0 ? -1 : counts.records > LONG_MAX ? LONG_MAX : (long)counts.records;

	out->why[0] = '\0';
	if ((v = decided[KW_SOURCE]) >= 0) {
		out->source = v;
		why_field(&w, "検知 ", rules, t, &h, KW_SOURCE, v, &tally[KW_SOURCE][v], sender);
	} else if (external) {
		/* policy 7-1: その他外部からの情報提供, when nothing says more */
		out->source = SOURCE_EXTERNAL_NOTICE;
		why_add(&w, "検知 external-notice: 外部の送信者");
	}
	if ((v = decided[KW_TYPE]) >= 0) {
		out->type = v;
		why_field(&w, "種別 ", rules, t, &h, KW_TYPE, v, &tally[KW_TYPE][v], sender);
	}
	v = decided[KW_PRIORITY];
	if ((out->flags & FLAG_BIT(FLAG_PERSONAL_DATA)) && v != PRIORITY_HIGH) {
		/* policy 7-2 (1): customer information is high whatever the system */
		out->priority = PRIORITY_HIGH;
		why_part(&w);
		why_add(&w, "優先度 high: 個人情報を含むため (customer data, policy 7-2)");
		if (v >= 0)
			why_field(&w, "語では優先度 ", rules, t, &h, KW_PRIORITY, v,
				  &tally[KW_PRIORITY][v], sender);
	} else if (v >= 0) {
		out->priority = v;
		why_field(&w, "優先度 ", rules, t, &h, KW_PRIORITY, v, &tally[KW_PRIORITY][v], sender);
	}
	why_flags(&w, rules, t, &h, out->flags, tally[KW_FLAG], sender, external, attack);
	if (out->affected >= 0) {
		why_part(&w);
		why_add(&w, "人数: ");
		why_addn(&w, (const char *)st.o + counts.pb, counts.pe - counts.pb);
	}
	if (out->records >= 0) {
		why_part(&w);
		why_add(&w, "件数（人数ではない）: ");
		why_addn(&w, (const char *)st.o + counts.rb, counts.re - counts.rb);
	}
	if (!w.n)
		nothing(out, "一致なし / no keyword matched");
	free(block);
	free(fresh);
}
