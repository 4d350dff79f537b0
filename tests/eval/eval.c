/*
 * eval.c — measures the first classification against the labelled reports
 * of tests/eval (README.md there is the labelling guide): per-field accuracy
 * and per-flag precision and recall, for the tuned part and the held-out
 * part apart.  `make eval` runs it; `make check` runs it too.
 *
 *   tests/eval/eval CONFIG DIR...    one table per DIR, then the targets
 *   tests/eval/eval --bench CONFIG DIR...   the classifier's speed (make bench):
 *                                    the median of a 16 KB report, and the
 *                                    whole set's time (issue 12 targets:
 *                                    <= 50 µs, < 1 s)
 *
 * Each mail goes the way a report goes in the bot: mime_parse, then the
 * configuration's classifier over the subject and body, the sender
 * external when outside the company's domain (desk/engine.c).  The
 * X-Eval-* headers are read here only; the classifier never sees headers.
 * EVAL_WHY=1 adds the classifier's reasons to each wrong type.
 * Exit status: 0; 1 when the tuned part misses a target of issue 12
 * (type >= 90 %, recall 100 % and precision >= 90 % for the flags that
 * create legal duties) — printed as TAP so tests/run counts it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config/config.h"
#include "lib/error.h"
#include "mime/mail.h"
#include "mime/mime.h"
#include "rules/classify.h"
#include "lib/clock.h"
#include "rules/policy.h"
#include "rules/when.h"

/* The flags whose duties are law or contract (issue 12, SPEC 5). */
static const enum flag duty_flags[] = {
	FLAG_PERSONAL_DATA, FLAG_FINANCIAL, FLAG_SENSITIVE, FLAG_MALICIOUS, FLAG_AMAZON,
	FLAG_AWS, FLAG_RAKUTEN, FLAG_YAHOO, FLAG_PARTNER_DATA,
};
#define N_DUTY (sizeof duty_flags / sizeof duty_flags[0])

struct score {
	int n, type, priority, source;
	int aware_labelled, aware_right, aware_wrong;	/* the noticed time the text writes */
	int tp[FLAG_COUNT], fp[FLAG_COUNT], fn[FLAG_COUNT];
};

/* The value of header name in raw's header block, into buf ("" if absent). */
static void header(const char *raw, const char *name, char *buf, size_t len)
{
	const char *p = raw;
	size_t nl = strlen(name);

	buf[0] = '\0';
	while (*p && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
		const char *e = strchr(p, '\n');

		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t l;

			while (*v == ' ' || *v == '\t')
				v++;
			l = (size_t)((e ? e : v + strlen(v)) - v);
			while (l && (v[l - 1] == '\r' || v[l - 1] == ' '))
				l--;
			snprintf(buf, len, "%.*s", (int)l, v);
			return;
		}
		if (!e)
			break;
		p = e + 1;
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		b[n] = '\0';
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scores one mail; prints a line for each field it gets wrong. */
static void score_mail(const struct config *cfg, const char *path, struct score *sc)
{
	char want_type[64], want_pri[64], want_src[64], want_flags[512], *raw, *tok, *save;
	struct classification c;
	struct mail m = { 0 };
	struct error err;
	unsigned want = 0;
	size_t len;
	const char *at;

	if (!(raw = read_file(path, &len)) || mime_parse(raw, len, &m, &err) < 0) {
		printf("# %s: unreadable\n", path);
		free(raw);
		return;
	}
	header(raw, "X-Eval-Type", want_type, sizeof want_type);
	header(raw, "X-Eval-Priority", want_pri, sizeof want_pri);
	header(raw, "X-Eval-Source", want_src, sizeof want_src);
	header(raw, "X-Eval-Flags", want_flags, sizeof want_flags);
	{	/* issue 12: the time the reporter writes, proposed for /aware */
		char want_aware[64];
		time_t want = 0, got = when_noticed(m.body, m.date, NULL, NULL);

		header(raw, "X-Eval-Aware", want_aware, sizeof want_aware);
		if (*want_aware && clock_parse(want_aware, &want) == 0) {
			sc->aware_labelled++;
			if (got == want)
				sc->aware_right++;
			else if (got)
				sc->aware_wrong++;
		} else if (got) {
			sc->aware_wrong++;
		}
	}
	for (tok = strtok_r(want_flags, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (flag_from_name(tok) >= 0)
			want |= FLAG_BIT(flag_from_name(tok));
	at = m.from.addr ? strrchr(m.from.addr, '@') : NULL;
	classify_with(cfg->classifier, m.subject, m.body, m.from.addr,
		      !config_find_person(cfg, m.from.addr) &&
		      !(at && strcasecmp(at + 1, config_mail_domain(cfg)) == 0), &c);

	sc->n++;
	if (strcmp(type_name(c.type), want_type) == 0)
		sc->type++;
	else
		printf("# %s: type %s, labelled %s%s%s\n", path, type_name(c.type), want_type,
		       getenv("EVAL_WHY") ? " — " : "", getenv("EVAL_WHY") ? c.why : "");
	if (strcmp(priority_name(c.priority), want_pri) == 0)
		sc->priority++;
	else
		printf("# %s: priority %s, labelled %s\n", path, priority_name(c.priority), want_pri);
	if (strcmp(c.source >= 0 ? source_name(c.source) : "-", want_src) == 0)
		sc->source++;
	for (int f = 0; f < FLAG_COUNT; f++) {
		bool got = c.flags & FLAG_BIT(f), w = want & FLAG_BIT(f);

		sc->tp[f] += got && w;
		sc->fp[f] += got && !w;
		sc->fn[f] += !got && w;
		if (got != w)
			for (size_t d = 0; d < N_DUTY; d++)
				if ((int)duty_flags[d] == f)
					printf("# %s: %s %s\n", path, flag_name(f),
					       got ? "set, not labelled (false positive)" :
						     "labelled, not set (missed duty)");
	}
	mail_release(&m);
	free(raw);
}

static double pct(int a, int b)
{
	return b ? 100.0 * a / b : 100.0;
}

static void print_score(const char *dir, const struct score *sc)
{
	printf("# %s: %d reports\n", dir, sc->n);
	printf("#   type %.1f %%   priority %.1f %%   source %.1f %%\n", pct(sc->type, sc->n),
	       pct(sc->priority, sc->n), pct(sc->source, sc->n));
	printf("#   noticed time proposed right %d of %d written, wrong %d\n", sc->aware_right,
	       sc->aware_labelled, sc->aware_wrong);
	printf("#   %-18s %9s %9s %5s\n", "flag", "precision", "recall", "n");
	for (int f = 0; f < FLAG_COUNT; f++)
		printf("#   %-18s %8.1f%% %8.1f%% %5d\n", flag_name(f),
		       pct(sc->tp[f], sc->tp[f] + sc->fp[f]), pct(sc->tp[f], sc->tp[f] + sc->fn[f]),
		       sc->tp[f] + sc->fn[f]);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of `runs` classifications of text (µs). */
static double median_us(const struct config *cfg, const char *subject, const char *text, int runs)
{
	double *t = malloc(runs * sizeof *t), m;
	struct classification c;

	if (!t)
		return -1;
	for (int i = 0; i < runs; i++) {
		double t0 = now_us();

		classify_with(cfg->classifier, subject, text, "someone@example.com", false, &c);
		t[i] = now_us() - t0;
	}
	qsort(t, runs, sizeof *t, cmp_double);
	m = t[runs / 2];
	free(t);
	return m;
}

/* make bench: a 16 KB report (a real one of the set, repeated) and the whole set. */
static int bench(const struct config *cfg, int argc, char **argv)
{
	static const char report[] =
		"北垣さん\n\n物流の田中です。本日9時40分ごろ、受注管理画面に見覚えのない管理者"
		"アカウントがあり、顧客情報（氏名・住所・電話番号）約1,200人分が閲覧された可能性が"
		"あります。Amazon と楽天の注文データも同じデータベースにあります。攻撃の形跡は"
		"調査中です。サーバーはまだ稼働しています。\n\n田中\n電話番号: 03-0000-0000\n";
	char *text = malloc(16 * 1024 + 1), path[4096];
	size_t len = strlen(report), n = 0;
	double t0, total, m;
	int files = 0;

	if (!text)
		return 1;
	while (n + len <= 16 * 1024) {
		memcpy(text + n, report, len);
		n += len;
	}
	text[n] = '\0';
	m = median_us(cfg, "顧客情報流出の可能性", text, 2000);
	printf("classify: a %zu-byte report: median %.1f µs over 2000 runs (target <= 50 µs)\n", n, m);
	free(text);
	t0 = now_us();
	for (int a = 0; a < argc; a++) {
		DIR *d = opendir(argv[a]);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			struct classification c;
			struct mail mm = { 0 };
			struct error err;
			char *raw;

			if (strlen(de->d_name) < 5 || strcmp(de->d_name + strlen(de->d_name) - 4, ".eml"))
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[a], de->d_name);
			if (!(raw = read_file(path, &len)))
				continue;
			if (mime_parse(raw, len, &mm, &err) == 0) {
				classify_with(cfg->classifier, mm.subject, mm.body, mm.from.addr, false, &c);
				mail_release(&mm);
				files++;
			}
			free(raw);
		}
		if (d)
			closedir(d);
	}
	total = now_us() - t0;
	printf("classify: the evaluation set, %d reports parsed and classified: %.1f ms "
	       "(target < 1 s)\n", files, total / 1000);
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { 0 };
	struct error err;
	int count = 0, failed = 0;

	bool speed = argc > 1 && strcmp(argv[1], "--bench") == 0;

	if (speed) {
		argc--;
		argv++;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: eval [--bench] CONFIG DIR...\n");
		return 2;
	}
	if (config_load(argv[1], &cfg, &err) < 0 || !cfg.classifier) {
		fprintf(stderr, "eval: %s: %s\n", argv[1], err.msg);
		return 2;
	}
	clock_set_zone(cfg.timezone);
	if (speed) {
		int rc = bench(&cfg, argc - 2, argv + 2);

		config_release(&cfg);
		return rc;
	}
	for (int a = 2; a < argc; a++) {
		struct score sc = { 0 };
		char *names[1024], path[4096];
		size_t n = 0;
		struct dirent *de;
		DIR *d = opendir(argv[a]);

		if (!d) {
			printf("not ok %d - %s: readable\n", ++count, argv[a]);
			failed++;
			continue;
		}
		while ((de = readdir(d)) && n < 1024)
			if (strlen(de->d_name) > 4 && !strcmp(de->d_name + strlen(de->d_name) - 4, ".eml"))
				names[n++] = strdup(de->d_name);
		closedir(d);
		qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof path, "%s/%s", argv[a], names[i]);
			score_mail(&cfg, path, &sc);
			free(names[i]);
		}
		print_score(argv[a], &sc);
		/* the targets bind the tuned part; the held-out part is reported as it is */
		if (strstr(argv[a], "tuned")) {
			bool ok = pct(sc.type, sc.n) >= 90.0;

			/* met since the tuning of issue 12: a miss is a regression */
			printf("%sok %d - %s: type accuracy %.1f %% (target 90 %%)\n", ok ? "" : "not ",
			       ++count, argv[a], pct(sc.type, sc.n));
			failed += !ok;
			for (size_t d2 = 0; d2 < N_DUTY; d2++) {
				int f = duty_flags[d2];
				double r = pct(sc.tp[f], sc.tp[f] + sc.fn[f]);
				double p = pct(sc.tp[f], sc.tp[f] + sc.fp[f]);

				ok = r >= 100.0 && p >= 90.0;
				printf("%sok %d - %s: %s recall %.1f %% precision %.1f %% (targets 100, 90)\n",
				       ok ? "" : "not ", ++count, argv[a], flag_name(f), r, p);
				failed += !ok;
			}
		} else {
			printf("ok %d - %s: measured (held out: figures as they are)\n", ++count, argv[a]);
		}
	}
	printf("1..%d\n", count);
	config_release(&cfg);
	return failed ? 1 : 0;
}
