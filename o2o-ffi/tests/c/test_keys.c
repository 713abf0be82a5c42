/* Key rings from KEY_ID:HEX text. */
#include "harness.h"

static void key_ring_parses_and_names_its_current_key(void) {
  struct o2o_key *k = NULL;
  CHECK_OK(o2o_key_new(LIT("# rotated monthly\n"
                           "k2026b:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                           "k2026a:ffeeddccbbaa99887766554433221100\n"),
                       &k));
  CHECK(k != NULL);
  struct o2o_string id = {NULL, 0};
  CHECK_OK(o2o_key_id(k, &id));
  CHECK(o2o_test_str_eq(&id, "k2026b"));
  o2o_string_free(&id);
  CHECK_STATUS(o2o_key_id(NULL, &id), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_key_id(k, NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_key_free(k);
  o2o_key_free(NULL);
}

static void bad_key_text_names_the_line(void) {
  struct o2o_key *k = NULL;
  CHECK_STATUS(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff\nk2:0011zz\n"), &k),
               O2O_STATUS_INVALID_INPUT);
  CHECK(k == NULL);
  CHECK_ERROR_MENTIONS("line 2");
  CHECK_STATUS(o2o_key_new(LIT("k1:0011"), &k), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("at least 16");
  CHECK_STATUS(o2o_key_new(LIT("\n# only comments\n"), &k), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("no key");
  CHECK_STATUS(o2o_key_new(LIT("k1:" BAD_UTF8), &k), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_key_new(NULL, 0, &k), O2O_STATUS_NULL_ARGUMENT);
  CHECK_ERROR_MENTIONS("`text`");
}

static void placeholder_secrets_and_duplicate_ids_are_refused(void) {
  struct o2o_key *k = NULL;
  /* 16 zero bytes; one byte repeated. */
  CHECK_STATUS(o2o_key_new(LIT("k1:00000000000000000000000000000000"), &k),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("only 1 distinct byte values");
  CHECK_STATUS(o2o_key_new(LIT("k1:8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f8f"), &k),
               O2O_STATUS_INVALID_INPUT);
  CHECK(k == NULL);
  /* One id, two secrets. */
  CHECK_STATUS(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff\n"
                               "k1:ffeeddccbbaa99887766554433221100\n"),
                           &k),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("line 2: key id `k1` is already given on line 1");
}

static void double_free_rule(void) {
  /* The documented rule: a handle is freed once and the caller's variable set to NULL; the
   * free then accepts it again. Owned strings are reset by their free. */
  struct o2o_key *k = NULL;
  CHECK_OK(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff"), &k));
  o2o_key_free(k);
  k = NULL;
  o2o_key_free(k);
  struct o2o_string id = {NULL, 0};
  CHECK_OK(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff"), &k));
  CHECK_OK(o2o_key_id(k, &id));
  o2o_string_free(&id);
  CHECK(id.ptr == NULL && id.len == 0);
  o2o_string_free(&id); /* harmless */
  o2o_key_free(k);
}

void test_area_keys(void) {
  RUN(key_ring_parses_and_names_its_current_key);
  RUN(bad_key_text_names_the_line);
  RUN(placeholder_secrets_and_duplicate_ids_are_refused);
  RUN(double_free_rule);
}
