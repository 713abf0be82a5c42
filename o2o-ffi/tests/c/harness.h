/*
 * A minimal test harness for the o2o C API tests: CHECK macros that report the file, line and
 * o2o_last_error(), TEST/RUN to group checks into named tests, and a runner that ends with the
 * line "N passed, M failed" and a non-zero exit status when anything failed.
 */
#ifndef O2O_TEST_HARNESS_H
#define O2O_TEST_HARNESS_H

#include <o2o.h>
#include <stdio.h>
#include <string.h>

extern int o2o_test_current_failed;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n    o2o_last_error: %s\n", __FILE__, \
              __LINE__, #cond, o2o_last_error());                                    \
      o2o_test_current_failed = 1;                                                   \
    }                                                                                \
  } while (0)

/* Check that `call` returns `expected` (an o2o_status). */
#define CHECK_STATUS(call, expected)                                                     \
  do {                                                                                   \
    enum o2o_status got_ = (call);                                                       \
    if (got_ != (expected)) {                                                            \
      fprintf(stderr, "%s:%d: %s returned %d, expected %s (%d)\n    o2o_last_error: %s\n", \
              __FILE__, __LINE__, #call, (int)got_, #expected, (int)(expected),          \
              o2o_last_error());                                                         \
      o2o_test_current_failed = 1;                                                       \
    }                                                                                    \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, O2O_STATUS_OK)

/* Check that the last error on this thread mentions `needle`. */
#define CHECK_ERROR_MENTIONS(needle) CHECK(strstr(o2o_last_error(), (needle)) != NULL)

/* A string literal as the (pointer, length) pair every o2o string argument takes. */
#define LIT(s) (s), (sizeof(s) - 1)
/* Two bytes that are not UTF-8. */
#define BAD_UTF8 "\xff\xfe"

typedef void (*o2o_test_fn)(void);
void o2o_test_run(const char *name, o2o_test_fn fn);
#define RUN(fn) o2o_test_run(#fn, fn)

/* Whether an owned o2o_string holds exactly `expected` (and is NUL-terminated at len). */
int o2o_test_str_eq(const struct o2o_string *s, const char *expected);
/* Whether an owned o2o_string contains `needle`. */
int o2o_test_str_has(const struct o2o_string *s, const char *needle);

/* One function per area; each RUNs its tests. */
void test_area_core(void);
void test_area_consent(void);
void test_area_keys(void);
void test_area_checkin(void);
void test_area_events(void);
void test_area_hash(void);
void test_area_voucher(void);

#endif
