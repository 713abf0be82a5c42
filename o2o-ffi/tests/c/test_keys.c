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

void test_area_keys(void) {
  RUN(key_ring_parses_and_names_its_current_key);
  RUN(bad_key_text_names_the_line);
}
