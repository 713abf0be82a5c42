#include "harness.h"

int o2o_test_current_failed;
static int passed;
static int failed;

void o2o_test_run(const char *name, o2o_test_fn fn) {
  o2o_test_current_failed = 0;
  fn();
  if (o2o_test_current_failed) {
    failed++;
    printf("FAIL %s\n", name);
  } else {
    passed++;
    printf("ok   %s\n", name);
  }
}

int o2o_test_str_eq(const struct o2o_string *s, const char *expected) {
  size_t n = strlen(expected);
  return s->ptr != NULL && s->len == n && memcmp(s->ptr, expected, n) == 0 && s->ptr[n] == '\0';
}

int o2o_test_str_has(const struct o2o_string *s, const char *needle) {
  return s->ptr != NULL && s->ptr[s->len] == '\0' && strstr(s->ptr, needle) != NULL;
}

int main(void) {
  test_area_core();
  test_area_consent();
  test_area_keys();
  test_area_checkin();
  test_area_events();
  test_area_hash();
  test_area_voucher();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
