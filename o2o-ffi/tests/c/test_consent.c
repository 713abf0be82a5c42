/* Consent handles: building signals, JSON round trip, and the gate's answer with its reason. */
#include "harness.h"

static void no_signals_deny_everything(void) {
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK(c != NULL);
  for (uint32_t op = O2O_OPERATION_MEASURE; op <= O2O_OPERATION_PERSONALISE; op++) {
    bool allowed = true;
    struct o2o_string reason = {NULL, 0};
    CHECK_OK(o2o_consent_check(c, op, &allowed, &reason));
    CHECK(!allowed);
    CHECK(o2o_test_str_eq(&reason, "no consent signals"));
    o2o_string_free(&reason);
  }
  o2o_consent_free(c);
}

static void consent_mode_decides_per_operation(void) {
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK_OK(o2o_consent_set_mode(c, O2O_CONSENT_STATE_GRANTED, O2O_CONSENT_STATE_GRANTED,
                                O2O_CONSENT_STATE_DENIED, O2O_CONSENT_STATE_UNKNOWN));
  bool allowed = false;
  struct o2o_string reason = {NULL, 0};
  CHECK_OK(o2o_consent_check(c, O2O_OPERATION_MEASURE, &allowed, &reason));
  CHECK(allowed);
  CHECK(o2o_test_str_eq(&reason, "analytics_storage granted"));
  o2o_string_free(&reason);
  CHECK_OK(o2o_consent_check(c, O2O_OPERATION_HASH_FOR_UPLOAD, &allowed, &reason));
  CHECK(!allowed);
  CHECK(o2o_test_str_eq(&reason, "ad_user_data denied"));
  o2o_string_free(&reason);

  CHECK_OK(o2o_consent_set_mode(c, O2O_CONSENT_STATE_DENIED, O2O_CONSENT_STATE_DENIED,
                                O2O_CONSENT_STATE_GRANTED, O2O_CONSENT_STATE_UNKNOWN));
  CHECK_OK(o2o_consent_check(c, O2O_OPERATION_HASH_FOR_UPLOAD, &allowed, &reason));
  CHECK(allowed);
  o2o_string_free(&reason);
  CHECK_OK(o2o_consent_check(c, O2O_OPERATION_PERSONALISE, &allowed, &reason));
  CHECK(!allowed); /* unknown is denied: fail closed */
  CHECK(o2o_test_str_has(&reason, "ad_personalization unknown"));
  o2o_string_free(&reason);
  o2o_consent_free(c);
}

static void set_mode_and_check_reject_bad_arguments(void) {
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK_STATUS(o2o_consent_set_mode(NULL, 0, 0, 0, 0), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_set_mode(c, 0, 0, 3, 0), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("ad_user_data");
  bool allowed = true;
  struct o2o_string reason = {NULL, 0};
  CHECK_STATUS(o2o_consent_check(c, 4, &allowed, &reason), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("operation");
  CHECK(!allowed && reason.ptr == NULL);
  CHECK_STATUS(o2o_consent_check(NULL, 0, &allowed, &reason), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_check(c, 0, NULL, &reason), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_check(c, 0, &allowed, NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK(reason.ptr == NULL);
  CHECK_STATUS(o2o_consent_new(NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_consent_free(c);
  o2o_consent_free(NULL);
}

#define TC_ES "COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA"

static void tcf_string_is_decoded_kept_and_checked(void) {
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_new(&c));
  CHECK_OK(o2o_consent_set_tcf(c, LIT(TC_ES)));
  struct o2o_string json = {NULL, 0};
  CHECK_OK(o2o_consent_to_json(c, &json));
  CHECK(o2o_test_str_eq(&json, "{\"tcf\":\"" TC_ES "\"}"));
  o2o_string_free(&json);
  /* A malformed string is refused with the place at fault, and the handle keeps the old one. */
  CHECK_STATUS(o2o_consent_set_tcf(c, LIT("COrVd1pOrVd1pAC")), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("bit");
  CHECK_OK(o2o_consent_to_json(c, &json));
  CHECK(o2o_test_str_has(&json, TC_ES));
  o2o_string_free(&json);
  CHECK_STATUS(o2o_consent_set_tcf(c, LIT(BAD_UTF8)), O2O_STATUS_INVALID_UTF8);
  CHECK_ERROR_MENTIONS("`tc`");
  CHECK_STATUS(o2o_consent_set_tcf(c, NULL, 3), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_set_tcf(NULL, LIT("x")), O2O_STATUS_NULL_ARGUMENT);
  o2o_consent_free(c);
}

static void json_round_trips(void) {
  static const char in[] =
      "{\"tcf\":\"" TC_ES "\",\"gcm\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"denied\","
      "\"ad_user_data\":\"granted\",\"ad_personalization\":\"unknown\"}}";
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_from_json(LIT(in), &c));
  struct o2o_string json = {NULL, 0};
  CHECK_OK(o2o_consent_to_json(c, &json));
  CHECK(o2o_test_str_eq(&json, in));
  bool allowed = false;
  struct o2o_string reason = {NULL, 0};
  /* Both signals must allow: this TC string has no publisher segment, so TCF denies. */
  CHECK_OK(o2o_consent_check(c, O2O_OPERATION_LINK_IDENTITY, &allowed, &reason));
  CHECK(!allowed);
  CHECK(o2o_test_str_has(&reason, "TCF"));
  o2o_string_free(&reason);
  o2o_string_free(&json);
  o2o_consent_free(c);

  CHECK_STATUS(o2o_consent_to_json(NULL, &json), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_to_json(c, NULL), O2O_STATUS_NULL_ARGUMENT);
}

static void from_json_rejects_bad_input(void) {
  struct o2o_consent *c = NULL;
  CHECK_STATUS(o2o_consent_from_json(LIT("{\"gcm\":{\"ad_storage\":\"maybe\"}}"), &c),
               O2O_STATUS_INVALID_INPUT);
  CHECK(c == NULL);
  CHECK_ERROR_MENTIONS("line 1");
  /* A signal given twice (denied, then granted) is refused, not read as the last value. */
  CHECK_STATUS(o2o_consent_from_json(
                   LIT("{\"gcm\":{\"ad_user_data\":\"denied\",\"ad_user_data\":\"granted\"}}"), &c),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("duplicate field `ad_user_data`");
  CHECK(c == NULL);
  CHECK_STATUS(o2o_consent_from_json(LIT("{\"tcf\":\"COrVd1pOrVd1pAC\"}"), &c),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("tcf: segment 0");
  CHECK_STATUS(o2o_consent_from_json(LIT("{\"tcf\":\"" BAD_UTF8 "\"}"), &c),
               O2O_STATUS_INVALID_UTF8);
  CHECK_ERROR_MENTIONS("at byte 8");
  CHECK_STATUS(o2o_consent_from_json(NULL, 2, &c), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_from_json(LIT("{}"), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_consent_from_json(LIT("{}"), &c), O2O_STATUS_OK);
  o2o_consent_free(c);
}

static void tcf_decode_gives_the_tcmodel_json(void) {
  struct o2o_string json = {NULL, 0};
  CHECK_OK(o2o_tcf_decode(LIT(TC_ES), &json));
  CHECK(o2o_test_str_has(&json, "\"version\":2"));
  CHECK(o2o_test_str_has(&json, "\"cmpId\":2"));
  CHECK(o2o_test_str_has(&json, "\"publisherCountryCode\":\"ES\""));
  CHECK(o2o_test_str_has(&json, "\"purposeConsents\":["));
  o2o_string_free(&json);
  CHECK_STATUS(o2o_tcf_decode(LIT("COrVd1pOrVd1pAC"), &json), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("truncated");
  CHECK(json.ptr == NULL);
  CHECK_STATUS(o2o_tcf_decode(LIT(""), &json), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("empty");
  CHECK_STATUS(o2o_tcf_decode(LIT("CO" BAD_UTF8), &json), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_tcf_decode(NULL, 0, &json), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_tcf_decode(LIT(TC_ES), NULL), O2O_STATUS_NULL_ARGUMENT);
}

void test_area_consent(void) {
  RUN(no_signals_deny_everything);
  RUN(consent_mode_decides_per_operation);
  RUN(set_mode_and_check_reject_bad_arguments);
  RUN(tcf_string_is_decoded_kept_and_checked);
  RUN(tcf_decode_gives_the_tcmodel_json);
  RUN(json_round_trips);
  RUN(from_json_rejects_bad_input);
}
