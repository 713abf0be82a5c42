/* Recording a check-in and serialising it as an NDJSON line. */
#include "harness.h"
#include <math.h>

static struct o2o_checkin *new_checkin(void) {
  struct o2o_checkin *ci = NULL;
  CHECK_OK(o2o_checkin_new(LIT("pos_purchase"), LIT("HCM-01"), 1772359200, &ci));
  return ci;
}

static void full_checkin_serialises_to_one_ndjson_line(void) {
  struct o2o_checkin *ci = new_checkin();
  CHECK_OK(o2o_checkin_set_id(ci, LIT("R-1001")));
  CHECK_OK(o2o_checkin_set_region(ci, LIT("south")));
  CHECK_OK(o2o_checkin_set_value(ci, 250000.5, LIT("VND")));
  CHECK_OK(o2o_checkin_add_item(ci, LIT("SKU-1"), 2, 125000.25));
  CHECK_OK(o2o_checkin_set_campaign(ci, LIT("tet-2026")));
  CHECK_OK(o2o_checkin_set_voucher(ci, LIT("ABCD-1234")));
  CHECK_OK(o2o_checkin_add_identifier(ci, LIT("phone"), LIT("0912 345 678")));
  CHECK_OK(o2o_checkin_add_identifier(ci, LIT("loyalty_card"), LIT("L-77")));
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK_OK(o2o_consent_set_mode(c, 1, 1, 1, 2));
  CHECK_OK(o2o_checkin_set_consent(ci, c));
  o2o_consent_free(c); /* copied: freeing it early is fine */

  struct o2o_string line = {NULL, 0};
  CHECK_OK(o2o_checkin_to_ndjson(ci, &line));
  CHECK(o2o_test_str_eq(
      &line,
      "{\"type\":\"checkin\",\"id\":\"R-1001\",\"method\":\"pos_purchase\",\"store\":\"HCM-01\","
      "\"region\":\"south\",\"timestamp\":1772359200,\"value\":250000.5,\"currency\":\"VND\","
      "\"items\":[{\"sku\":\"SKU-1\",\"quantity\":2,\"price\":125000.25}],"
      "\"campaign\":\"tet-2026\",\"voucher\":\"ABCD-1234\","
      "\"identifiers\":[{\"kind\":\"phone\",\"value\":\"0912 345 678\"},"
      "{\"kind\":\"loyalty_card\",\"value\":\"L-77\"}],"
      "\"consent\":{\"gcm\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\","
      "\"ad_user_data\":\"granted\",\"ad_personalization\":\"denied\"}}}\n"));
  o2o_string_free(&line);
  o2o_checkin_free(ci);
}

static void minimal_checkin(void) {
  struct o2o_checkin *ci = NULL;
  CHECK_OK(o2o_checkin_new(LIT("qr_scan"), LIT("S1"), 1, &ci));
  struct o2o_string line = {NULL, 0};
  CHECK_OK(o2o_checkin_to_ndjson(ci, &line));
  CHECK(o2o_test_str_eq(&line, "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\","
                               "\"timestamp\":1,\"identifiers\":[]}\n"));
  o2o_string_free(&line);
  CHECK_STATUS(o2o_checkin_to_ndjson(NULL, &line), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_to_ndjson(ci, NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_checkin_free(ci);
  o2o_checkin_free(NULL);
}

static void new_rejects_bad_arguments(void) {
  struct o2o_checkin *ci = NULL;
  CHECK_STATUS(o2o_checkin_new(LIT("teleport"), LIT("S1"), 1, &ci), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("teleport");
  CHECK(ci == NULL);
  CHECK_STATUS(o2o_checkin_new(NULL, 0, LIT("S1"), 1, &ci), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_new(LIT("qr_scan"), NULL, 0, 1, &ci), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_new(LIT("qr_scan"), LIT("S1"), 1, NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_new(LIT("qr_scan"), LIT("S" BAD_UTF8), 1, &ci),
               O2O_STATUS_INVALID_UTF8);
  CHECK_ERROR_MENTIONS("`store`");
  CHECK_STATUS(o2o_checkin_new(LIT(BAD_UTF8), LIT("S1"), 1, &ci), O2O_STATUS_INVALID_UTF8);
  CHECK(ci == NULL);
}

typedef enum o2o_status (*text_setter)(struct o2o_checkin *, const char *, size_t);

static void text_setters_reject_null_and_bad_utf8(void) {
  text_setter setters[] = {o2o_checkin_set_id, o2o_checkin_set_region, o2o_checkin_set_campaign,
                           o2o_checkin_set_voucher};
  struct o2o_checkin *ci = new_checkin();
  for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++) {
    CHECK_STATUS(setters[i](NULL, LIT("x")), O2O_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(setters[i](ci, NULL, 1), O2O_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(setters[i](ci, LIT(BAD_UTF8)), O2O_STATUS_INVALID_UTF8);
    CHECK_OK(setters[i](ci, LIT("")));
  }
  o2o_checkin_free(ci);
}

static void value_item_identifier_consent_errors(void) {
  struct o2o_checkin *ci = new_checkin();
  CHECK_STATUS(o2o_checkin_set_value(ci, NAN, LIT("VND")), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`value`");
  CHECK_STATUS(o2o_checkin_set_value(ci, 1.0, LIT(BAD_UTF8)), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_checkin_set_value(ci, 1.0, NULL, 0), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_set_value(NULL, 1.0, LIT("VND")), O2O_STATUS_NULL_ARGUMENT);

  CHECK_STATUS(o2o_checkin_add_item(ci, LIT("A"), 1, INFINITY), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`price`");
  CHECK_STATUS(o2o_checkin_add_item(ci, LIT(BAD_UTF8), 1, 1.0), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_checkin_add_item(ci, NULL, 0, 1, 1.0), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_add_item(NULL, LIT("A"), 1, 1.0), O2O_STATUS_NULL_ARGUMENT);

  CHECK_STATUS(o2o_checkin_add_identifier(ci, LIT("shoe_size"), LIT("42")),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("unknown identifier kind `shoe_size`");
  CHECK_STATUS(o2o_checkin_add_identifier(ci, LIT("email"), LIT(BAD_UTF8)),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_checkin_add_identifier(ci, LIT(BAD_UTF8), LIT("a")), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_checkin_add_identifier(ci, NULL, 0, LIT("a")), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_add_identifier(ci, LIT("email"), NULL, 0), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_add_identifier(NULL, LIT("email"), LIT("a")),
               O2O_STATUS_NULL_ARGUMENT);

  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK_STATUS(o2o_checkin_set_consent(NULL, c), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_checkin_set_consent(ci, NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_consent_free(c);

  /* Nothing above changed the check-in. */
  struct o2o_string line = {NULL, 0};
  CHECK_OK(o2o_checkin_to_ndjson(ci, &line));
  CHECK(o2o_test_str_eq(&line, "{\"type\":\"checkin\",\"method\":\"pos_purchase\","
                               "\"store\":\"HCM-01\",\"timestamp\":1772359200,"
                               "\"identifiers\":[]}\n"));
  o2o_string_free(&line);
  o2o_checkin_free(ci);
}

void test_area_checkin(void) {
  RUN(full_checkin_serialises_to_one_ndjson_line);
  RUN(minimal_checkin);
  RUN(new_rejects_bad_arguments);
  RUN(text_setters_reject_null_and_bad_utf8);
  RUN(value_item_identifier_consent_errors);
}
