/* Minimal test harness: a test is a program; CHECK failures are counted and
 * reported with file:line, main() returns test_done(). A test that cannot run
 * here calls test_skip("why"), which exits 77 (the runner prints SKIP + why). */
#ifndef BPFVM_TEST_H
#define BPFVM_TEST_H
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do { test_checks++; if (!(cond)) { test_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { test_checks++; long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { test_failures++; fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", \
	__FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
#define CHECK_EQ_U64(a, b) do { test_checks++; uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); \
	if (_a != _b) { test_failures++; fprintf(stderr, "%s:%d: %s == %s failed: 0x%" PRIx64 " != 0x%" PRIx64 "\n", \
	__FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
#define CHECK_STR(a, b) do { test_checks++; const char *_a = (a), *_b = (b); \
	if (!_a || !_b || strcmp(_a, _b)) { test_failures++; fprintf(stderr, "%s:%d: %s == %s failed:\n  got:  \"%s\"\n  want: \"%s\"\n", \
	__FILE__, __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)
#define CHECK_CONTAINS(hay, needle) do { test_checks++; const char *_h = (hay), *_n = (needle); \
	if (!_h || !strstr(_h, _n)) { test_failures++; fprintf(stderr, "%s:%d: \"%s\" not found in:\n%s\n", \
	__FILE__, __LINE__, _n, _h ? _h : "(null)"); } } while (0)

static inline void test_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(77);
}

static inline int test_done(void)
{
	if (test_failures) {
		fprintf(stderr, "%d of %d checks failed\n", test_failures, test_checks);
		return 1;
	}
	printf("%d checks passed\n", test_checks);
	return 0;
}
#endif
