/* Version, ABI, last error (thread-local), and the NULL-safe frees of owned values. */
#include "harness.h"
#include <threads.h>

static void version_is_static_and_matches_abi(void) {
  const char *v = o2o_version();
  CHECK(v != NULL);
  CHECK(strcmp(v, "0.1.0") == 0);
  CHECK(o2o_version() == v); /* static storage: the same pointer every time */
  CHECK(o2o_abi_version() == O2O_ABI_VERSION);
}

static int fresh_thread_error(void *arg) {
  const char **seen = arg;
  *seen = o2o_last_error();
  /* A failure on this thread must not leak into the main thread's message. */
  CHECK_STATUS(o2o_consent_new(NULL), O2O_STATUS_NULL_ARGUMENT);
  return strcmp(*seen, "") == 0 ? 0 : 1;
}

static void last_error_is_per_thread_and_survives_success(void) {
  CHECK_STATUS(o2o_key_new(NULL, 0, NULL), O2O_STATUS_NULL_ARGUMENT);
  const char *first = o2o_last_error();
  CHECK(strstr(first, "argument `out` is NULL") != NULL);

  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK(o2o_last_error() == first); /* success leaves the message unchanged */
  o2o_consent_free(c);

  thrd_t t;
  const char *seen = NULL;
  int rc = -1;
  CHECK(thrd_create(&t, fresh_thread_error, &seen) == thrd_success);
  CHECK(thrd_join(t, &rc) == thrd_success);
  CHECK(rc == 0); /* a new thread starts with "" */
  CHECK_ERROR_MENTIONS("argument `out` is NULL"); /* ours is untouched */
}

static void string_free_is_null_safe_and_idempotent(void) {
  o2o_string_free(NULL);
  struct o2o_string empty = {NULL, 0};
  o2o_string_free(&empty);
  CHECK(empty.ptr == NULL && empty.len == 0);

  struct o2o_key *k = NULL;
  CHECK_OK(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff"), &k));
  struct o2o_string id = {NULL, 0};
  CHECK_OK(o2o_key_id(k, &id));
  CHECK(o2o_test_str_eq(&id, "k1"));
  o2o_string_free(&id);
  CHECK(id.ptr == NULL && id.len == 0); /* reset: a second free is harmless */
  o2o_string_free(&id);
  o2o_key_free(k);
}

static void bytes_and_array_frees_accept_null_and_empty(void) {
  o2o_bytes_free(NULL);
  struct o2o_bytes b = {NULL, 0};
  o2o_bytes_free(&b);
  CHECK(b.ptr == NULL && b.len == 0);
  o2o_string_array_free(NULL);
  struct o2o_string_array a = {NULL, 0};
  o2o_string_array_free(&a);
  CHECK(a.items == NULL && a.len == 0);
}

static void failed_calls_leave_empty_outputs(void) {
  /* Outputs are reset before anything can fail, so garbage in them is never freed or kept. */
  struct o2o_string s = {(char *)"garbage", 7};
  CHECK_STATUS(o2o_key_id(NULL, &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK(s.ptr == NULL && s.len == 0);
  struct o2o_key *k = (struct o2o_key *)&s;
  CHECK_STATUS(o2o_key_new(LIT("nonsense"), &k), O2O_STATUS_INVALID_INPUT);
  CHECK(k == NULL);
}

void test_area_core(void) {
  RUN(version_is_static_and_matches_abi);
  RUN(last_error_is_per_thread_and_survives_success);
  RUN(string_free_is_null_safe_and_idempotent);
  RUN(bytes_and_array_frees_accept_null_and_empty);
  RUN(failed_calls_leave_empty_outputs);
}
