/* SPDX-License-Identifier: MIT */
/* A minimal test harness: each test is a function; CHECK* macros record
 * failures with file:line and the values compared; the program prints
 * "N passed, N failed" and exits non-zero on any failure. */
#ifndef VSMMU_TEST_H
#define VSMMU_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;
static const char *t_cur_name;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, t_cur_name, #cond); \
    t_cur_failed++; } } while (0)

#define CHECK_EQ(a, b) do { uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); if (_a != _b) { \
    fprintf(stderr, "%s:%d: %s: %s == %s failed: 0x%" PRIx64 " != 0x%" PRIx64 "\n", \
            __FILE__, __LINE__, t_cur_name, #a, #b, _a, _b); t_cur_failed++; } } while (0)

#define CHECK_MSG(cond, ...) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, t_cur_name); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); t_cur_failed++; } } while (0)

/* Abort the current test function (after a failed precondition). */
#define REQUIRE(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: %s: REQUIRE(%s) failed\n", __FILE__, __LINE__, t_cur_name, #cond); \
    t_cur_failed++; return; } } while (0)

static inline void t_run(const char *name, void (*fn)(void))
{
    t_cur_name = name;
    t_cur_failed = 0;
    fn();
    if (t_cur_failed) {
        t_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else {
        t_passed++;
        if (getenv("VSMMU_TEST_VERBOSE"))
            fprintf(stderr, "ok   %s\n", name);
    }
}

#define RUN(fn) t_run(#fn, fn)

static inline int t_done(void)
{
    printf("%d passed, %d failed\n", t_passed, t_failed);
    return t_failed ? 1 : 0;
}

#endif
