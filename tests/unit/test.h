/*
 * test.h — a tiny TAP producer for the unit tests.
 *
 * Each test binary calls CHECK/CHECK_STR/CHECK_INT as often as it likes and
 * ends main() with `return test_done();`.  Output is TAP ("ok 1 - what",
 * "not ok 2 - what"), which tests/run counts into "N passed, N failed".
 * test_write_file writes the small files a test sets up.
 */
#ifndef INCIDENT_TEST_H
#define INCIDENT_TEST_H

#include <stdio.h>
#include <string.h>

static int test_count, test_failed;

static inline void test_result(int ok, const char *file, int line, const char *what)
{
	test_count++;
	if (!ok)
		test_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", test_count, what);
	if (!ok)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
}

#define CHECK(cond, what) test_result(!!(cond), __FILE__, __LINE__, what)

#define CHECK_STR(got, want, what) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int ok_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;		\
	test_result(ok_, __FILE__, __LINE__, what);			\
	if (!ok_)							\
		printf("#   got  \"%s\"\n#   want \"%s\"\n",		\
		       g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

#define CHECK_INT(got, want, what) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	test_result(g_ == w_, __FILE__, __LINE__, what);		\
	if (g_ != w_)							\
		printf("#   got  %lld\n#   want %lld\n", g_, w_);	\
} while (0)

/* Writes text to folder/name (a template or configuration the test needs). */
static inline void test_write_file(const char *folder, const char *name, const char *text)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", folder, name);
	if (!(f = fopen(path, "w"))) {
		printf("# cannot write %s\n", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static inline int test_done(void)
{
	printf("1..%d\n", test_count);
	return test_failed ? 1 : 0;
}

#endif
