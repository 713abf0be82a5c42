/* Vouchers: issue with a key ring, verify offline, redeem into a check-in. */
#include "harness.h"
#include <threads.h>

#define KEY_TEXT "k2026a:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define OTHER_KEY "k2026b:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define MAR_1_2026 1772359200
#define MAY_1_2026 1777593600
#define ANON "{\"campaign\":1,\"voucher_type\":2,\"expires\":\"2026-04-30\",\"serial\":7}"
#define TABLE "[\"zalo-spring\",{\"name\":\"tet-2026\",\"expires\":\"2026-04-30\"}]"

static struct o2o_key *key(const char *text) {
  struct o2o_key *k = NULL;
  CHECK_OK(o2o_key_new(text, strlen(text), &k));
  return k;
}

static void issue(struct o2o_key *k, const char *voucher, struct o2o_string *code) {
  CHECK_OK(o2o_voucher_issue(k, voucher, strlen(voucher), code));
}

static void issued_code_verifies_offline(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0};
  issue(k, ANON, &code);
  CHECK(code.len == 21);
  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(k, LIT("[\"zalo-spring\",\"tet-2026\"]"), &v));
  o2o_key_free(k); /* the verifier keeps its own prepared state */
  struct o2o_string verified = {NULL, 0};
  CHECK_OK(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified));
  CHECK(o2o_test_str_has(&verified, "\"key_id\":\"k2026a\""));
  CHECK(o2o_test_str_has(&verified, "\"valid\":true,\"voucher\":{\"campaign\":1,"
                                    "\"expires\":\"2026-04-30\",\"serial\":7,\"voucher_type\":2}"));
  o2o_string_free(&verified);

  /* Typed in lower case with a dash: still the same code. */
  char typed[32];
  size_t n = 0;
  for (size_t i = 0; i < code.len; i++) {
    if (i == 5) typed[n++] = '-';
    char c = code.ptr[i];
    typed[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  CHECK_OK(o2o_voucher_verify(v, typed, n, MAR_1_2026, NULL, 0, &verified));
  o2o_string_free(&verified);

  /* One typo is caught by the check character. */
  char typo[32];
  memcpy(typo, code.ptr, code.len);
  typo[3] = typo[3] == '7' ? '8' : '7';
  CHECK_STATUS(o2o_voucher_verify(v, typo, code.len, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "bad_check_character", 19) == 0);
  CHECK(verified.ptr == NULL);

  /* Past its last day. */
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAY_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "expired", 7) == 0);
  CHECK_ERROR_MENTIONS("2026-04-30");
  o2o_string_free(&code);
  o2o_verifier_free(v);
}

static void other_key_and_personal_codes(void) {
  struct o2o_key *signer = key(OTHER_KEY);
  struct o2o_key *till = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0};
  issue(signer, ANON, &code);
  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(till, LIT("[]"), &v));
  struct o2o_string verified = {NULL, 0};
  enum o2o_status st = o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified);
  CHECK(st == O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "unknown_key", 11) == 0 ||
        strncmp(o2o_last_error(), "bad_signature", 13) == 0);
  o2o_string_free(&code);

  /* A personal code needs the customer's pseudonym, and only that one. */
  issue(till, "{\"campaign\":0,\"voucher_type\":1,\"expires\":\"2026-12-31\",\"serial\":1,"
              "\"customer\":\"k1:ann\"}",
        &code);
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "customer_required", 17) == 0);
  CHECK_STATUS(
      o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, LIT("k1:bob"), &verified),
      O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "bad_signature", 13) == 0);
  CHECK_OK(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, LIT("k1:ann"), &verified));
  CHECK(o2o_test_str_has(&verified, "\"customer\":\"k1:ann\""));
  o2o_string_free(&verified);
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, LIT(BAD_UTF8), &verified),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 3, &verified),
               O2O_STATUS_NULL_ARGUMENT);
  o2o_string_free(&code);
  o2o_verifier_free(v);
  o2o_key_free(signer);
  o2o_key_free(till);
}

static void redeem_makes_a_redemption_checkin(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0};
  issue(k, ANON, &code);
  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(k, LIT("[\"zalo-spring\",\"tet-2026\"]"), &v));
  struct o2o_checkin *ci = NULL;
  CHECK_OK(o2o_voucher_redeem(v, code.ptr, code.len, MAR_1_2026, NULL, 0, LIT("HCM-01"), &ci));
  CHECK_OK(o2o_checkin_set_value(ci, 99000, LIT("VND")));
  struct o2o_string line = {NULL, 0};
  CHECK_OK(o2o_checkin_to_ndjson(ci, &line));
  CHECK(o2o_test_str_has(&line, "\"method\":\"voucher_redemption\",\"store\":\"HCM-01\","
                                "\"timestamp\":1772359200,\"value\":99000.0"));
  CHECK(o2o_test_str_has(&line, "\"campaign\":\"tet-2026\""));
  char voucher_field[64];
  snprintf(voucher_field, sizeof voucher_field, "\"voucher\":\"%s\"", code.ptr);
  CHECK(o2o_test_str_has(&line, voucher_field));
  o2o_string_free(&line);
  o2o_checkin_free(ci);

  /* A rejected code makes no check-in. */
  ci = (struct o2o_checkin *)&line;
  CHECK_STATUS(o2o_voucher_redeem(v, code.ptr, code.len, MAY_1_2026, NULL, 0, LIT("HCM-01"), &ci),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(ci == NULL);
  CHECK_STATUS(o2o_voucher_redeem(v, code.ptr, code.len, MAR_1_2026, NULL, 0, LIT(BAD_UTF8), &ci),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_voucher_redeem(v, code.ptr, code.len, MAR_1_2026, NULL, 0, NULL, 0, &ci),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_redeem(v, code.ptr, code.len, MAR_1_2026, NULL, 0, LIT("S"), NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_redeem(NULL, code.ptr, code.len, MAR_1_2026, NULL, 0, LIT("S"), &ci),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_redeem(v, NULL, 0, MAR_1_2026, NULL, 0, LIT("S"), &ci),
               O2O_STATUS_NULL_ARGUMENT);
  o2o_string_free(&code);
  o2o_verifier_free(v);
  o2o_key_free(k);
}

static void voucher_argument_errors(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0};
  CHECK_STATUS(o2o_voucher_issue(k, LIT("{\"campaign\":40,\"voucher_type\":2,"
                                        "\"expires\":\"2026-04-30\",\"serial\":7}"),
                                 &code),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("campaign 40");
  CHECK_STATUS(o2o_voucher_issue(k, LIT("{\"campaign\":1}"), &code), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("voucher JSON");
  CHECK_STATUS(o2o_voucher_issue(k, LIT(BAD_UTF8), &code), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_voucher_issue(k, NULL, 0, &code), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue(NULL, LIT(ANON), &code), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue(k, LIT(ANON), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK(code.ptr == NULL);

  struct o2o_verifier *v = NULL;
  CHECK_STATUS(o2o_verifier_new(k, LIT("{\"not\":\"an array\"}"), &v), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("campaign table");
  CHECK(v == NULL);
  CHECK_STATUS(o2o_verifier_new(k, LIT(BAD_UTF8), &v), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_verifier_new(k, NULL, 0, &v), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_verifier_new(NULL, LIT("[]"), &v), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_verifier_new(k, LIT("[]"), NULL), O2O_STATUS_NULL_ARGUMENT);

  CHECK_OK(o2o_verifier_new(k, LIT("[]"), &v));
  struct o2o_string verified = {NULL, 0};
  CHECK_STATUS(o2o_voucher_verify(v, LIT("HELLO"), MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "malformed", 9) == 0);
  CHECK_STATUS(o2o_voucher_verify(v, LIT(BAD_UTF8), MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_voucher_verify(v, NULL, 0, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_verify(NULL, LIT("X"), MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_verify(v, LIT("X"), MAR_1_2026, NULL, 0, NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_verify(v, LIT("X"), INT64_MAX, NULL, 0, &verified),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`now`");
  o2o_verifier_free(v);
  o2o_verifier_free(NULL);
  o2o_key_free(k);
}

struct shared_verify {
  const struct o2o_verifier *verifier;
  const struct o2o_string *code;
  int failures;
};

static int verify_many(void *arg) {
  struct shared_verify *s = arg;
  for (int i = 0; i < 200; i++) {
    struct o2o_string verified = {NULL, 0};
    if (o2o_voucher_verify(s->verifier, s->code->ptr, s->code->len, MAR_1_2026, NULL, 0,
                           &verified) != O2O_STATUS_OK)
      s->failures++;
    o2o_string_free(&verified);
  }
  return 0;
}

static void one_verifier_serves_several_threads(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0};
  issue(k, ANON, &code);
  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(k, LIT("[]"), &v));
  struct shared_verify work[4];
  thrd_t threads[4];
  for (int t = 0; t < 4; t++) {
    work[t] = (struct shared_verify){v, &code, 0};
    CHECK(thrd_create(&threads[t], verify_many, &work[t]) == thrd_success);
  }
  for (int t = 0; t < 4; t++) {
    CHECK(thrd_join(threads[t], NULL) == thrd_success);
    CHECK(work[t].failures == 0);
  }
  o2o_string_free(&code);
  o2o_verifier_free(v);
  o2o_key_free(k);
}

static void short_codes_take_their_expiry_from_the_table(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0}, again = {NULL, 0}, personal = {NULL, 0};
  CHECK_OK(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, NULL, 0, &code));
  CHECK(code.len == 16);
  /* The shared code of campaign 1, type 2: issuing it again gives the same code. */
  CHECK_OK(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, NULL, 0, &again));
  CHECK(again.len == code.len && memcmp(again.ptr, code.ptr, code.len) == 0);
  CHECK_OK(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, LIT("k1:ann"), &personal));
  CHECK(personal.len == 16);

  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(k, LIT(TABLE), &v));
  struct o2o_string verified = {NULL, 0};
  CHECK_OK(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified));
  /* The shape `o2o voucher verify` prints (one serde type): sorted keys, valid, campaign_name. */
  CHECK(o2o_test_str_has(&verified, "{\"campaign_name\":\"tet-2026\",\"code\":\""));
  CHECK(o2o_test_str_has(&verified, "\"format\":\"short\",\"key_id\":\"k2026a\",\"valid\":true,"));
  CHECK(o2o_test_str_has(&verified, "\"voucher\":{\"campaign\":1,\"expires\":\"2026-04-30\","
                                    "\"voucher_type\":2}}"));
  o2o_string_free(&verified);

  /* The same verdict as a struct, for a till that branches on it. */
  struct o2o_voucher_verdict verdict;
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verdict));
  CHECK(verdict.valid && verdict.reason == O2O_VOUCHER_REASON_VALID);
  CHECK(verdict.campaign == 1 && verdict.voucher_type == 2 && verdict.expires == 20260430);
  CHECK(verdict.serial == -1);
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAY_1_2026, NULL, 0, &verdict));
  CHECK(!verdict.valid && verdict.reason == O2O_VOUCHER_REASON_EXPIRED);
  CHECK(verdict.campaign == 1 && verdict.expires == 20260430); /* what the expired code says */
  /* 22:00 UTC on the last day is 05:00 on May 1st at a till at UTC+7: expired there. */
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAY_1_2026 - 7200, NULL, 0, &verdict));
  CHECK(verdict.valid);
  CHECK_OK(o2o_verifier_set_utc_offset(v, 7 * 3600));
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAY_1_2026 - 7200, NULL, 0, &verdict));
  CHECK(!verdict.valid && verdict.reason == O2O_VOUCHER_REASON_EXPIRED);
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAY_1_2026 - 7 * 3600 - 1, NULL, 0, &verdict));
  CHECK(verdict.valid); /* 23:59:59 local on the last day */
  CHECK_STATUS(o2o_verifier_set_utc_offset(v, 100000), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_verifier_set_utc_offset(NULL, 0), O2O_STATUS_NULL_ARGUMENT);
  CHECK_OK(o2o_verifier_set_utc_offset(v, 0));
  CHECK_OK(o2o_voucher_check(v, personal.ptr, personal.len, MAR_1_2026, NULL, 0, &verdict));
  CHECK(!verdict.valid && verdict.reason == O2O_VOUCHER_REASON_CUSTOMER_REQUIRED);
  CHECK(verdict.campaign == 0 && verdict.expires == 0);
  CHECK_OK(o2o_voucher_check(v, LIT("HELLO"), MAR_1_2026, NULL, 0, &verdict));
  CHECK(verdict.reason == O2O_VOUCHER_REASON_MALFORMED);
  CHECK_STATUS(o2o_voucher_check(v, code.ptr, code.len, INT64_MAX, NULL, 0, &verdict),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK(!verdict.valid);
  CHECK_STATUS(o2o_voucher_check(NULL, code.ptr, code.len, MAR_1_2026, NULL, 0, &verdict),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_check(v, code.ptr, code.len, MAR_1_2026, NULL, 0, NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_OK(o2o_voucher_verify(v, personal.ptr, personal.len, MAR_1_2026, LIT("k1:ann"), &verified));
  CHECK(o2o_test_str_has(&verified, "\"customer\":\"k1:ann\""));
  o2o_string_free(&verified);
  CHECK_STATUS(o2o_voucher_verify(v, personal.ptr, personal.len, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "customer_required", 17) == 0);

  /* A typo, and the day after the campaign's last day. */
  char typo[16];
  memcpy(typo, code.ptr, 16);
  typo[9] = typo[9] == 'Q' ? 'R' : 'Q';
  CHECK_STATUS(o2o_voucher_verify(v, typo, 16, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "bad_check_character", 19) == 0);
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAY_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "expired", 7) == 0);
  CHECK_ERROR_MENTIONS("2026-04-30");

  /* Redeemed: the check-in carries the campaign's name. */
  struct o2o_checkin *ci = NULL;
  CHECK_OK(o2o_voucher_redeem(v, code.ptr, code.len, MAR_1_2026, NULL, 0, LIT("HCM-01"), &ci));
  struct o2o_string line = {NULL, 0};
  CHECK_OK(o2o_checkin_to_ndjson(ci, &line));
  CHECK(o2o_test_str_has(&line, "\"campaign\":\"tet-2026\""));
  o2o_string_free(&line);
  o2o_checkin_free(ci);
  o2o_verifier_free(v);

  /* A till without the campaign, or whose table was edited to extend it. */
  CHECK_OK(o2o_verifier_new(k, LIT("[]"), &v));
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "unknown_campaign", 16) == 0);
  o2o_verifier_free(v);
  CHECK_OK(o2o_verifier_new(
      k, LIT("[\"zalo-spring\",{\"name\":\"tet-2026\",\"expires\":\"2026-12-31\"}]"), &v));
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified),
               O2O_STATUS_VOUCHER_REJECTED);
  CHECK(strncmp(o2o_last_error(), "bad_signature", 13) == 0);
  o2o_verifier_free(v);

  /* Argument errors. */
  struct o2o_string none = {NULL, 0};
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 0, 2, NULL, 0, &none),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("no expiry");
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 5, 2, NULL, 0, &none),
               O2O_STATUS_INVALID_INPUT);
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 1, 9, NULL, 0, &none),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`voucher_type`: 9 is out of range 0..=7");
  /* A wide campaign number is refused, never truncated: 257 is not campaign 1. */
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 257, 2, NULL, 0, &none),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`campaign`: 257 is out of range 0..=31");
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 32, 2, NULL, 0, &none),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 0xFFFFFFFFu, 2, NULL, 0, &none),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT("{}"), 1, 2, NULL, 0, &none),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("campaign table");
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, LIT(BAD_UTF8), &none),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, NULL, 4, &none),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_short(NULL, LIT(TABLE), 1, 2, NULL, 0, &none),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_short(k, NULL, 0, 1, 2, NULL, 0, &none),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, NULL, 0, NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK(none.ptr == NULL);
  /* o2o_voucher_issue makes serial codes only. */
  CHECK_STATUS(o2o_voucher_issue(k, LIT("{\"campaign\":1,\"voucher_type\":2,"
                                        "\"expires\":\"2026-04-30\"}"),
                                 &none),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("o2o_voucher_issue_short");
  o2o_string_free(&code);
  o2o_string_free(&again);
  o2o_string_free(&personal);
  o2o_key_free(k);
}

/* A personal code bound to the pseudonym o2o_pseudonym returns (KEY_ID:HEX, up to 97 bytes). */
static void codes_bind_to_keyed_pseudonyms(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_pseudonymizer *p = NULL;
  CHECK_OK(o2o_pseudonymizer_new(k, LIT("meta"), LIT(""), &p));
  struct o2o_string ann = {NULL, 0}, code = {NULL, 0};
  CHECK_OK(o2o_pseudonym(p, LIT("email"), LIT("ann@example.com"), &ann));
  CHECK(ann.len == 6 + 1 + 64); /* "k2026a:" + 64 hex digits */
  CHECK_OK(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, ann.ptr, ann.len, &code));
  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(k, LIT(TABLE), &v));
  struct o2o_voucher_verdict verdict;
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAR_1_2026, ann.ptr, ann.len, &verdict));
  CHECK(verdict.valid);
  /* A pseudonym no code can carry is the caller's error, said as such (not bad_signature). */
  char longer[200];
  memset(longer, 'x', sizeof longer);
  struct o2o_string out = {NULL, 0};
  CHECK_STATUS(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, longer, sizeof longer, &out),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("customer pseudonym has 200 bytes: it must be 1 to 128");
  CHECK_STATUS(o2o_voucher_check(v, code.ptr, code.len, MAR_1_2026, LIT(""), &verdict),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_short(k, LIT(TABLE), 1, 2, longer, sizeof longer, &out),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`customer`");
  o2o_verifier_free(v);
  o2o_string_free(&code);
  o2o_string_free(&ann);
  o2o_pseudonymizer_free(p);
  o2o_key_free(k);
}

static void bulk_codes_issue_from_c_and_verify_offline(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_verifier *v = NULL;
  CHECK_OK(o2o_verifier_new(k, LIT(TABLE), &v));

  /* The last serial of campaign 1, type 2: 20 characters, genuine, its expiry the table's. */
  struct o2o_string code = {NULL, 0};
  CHECK_OK(o2o_voucher_issue_bulk(k, LIT(TABLE), 1, 2, O2O_VOUCHER_BULK_SERIALS - 1, NULL, 0,
                                  &code));
  CHECK(code.len == O2O_VOUCHER_BULK_CODE_LEN && code.ptr[code.len] == '\0');
  struct o2o_voucher_verdict verdict;
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verdict));
  CHECK(verdict.valid && verdict.campaign == 1 && verdict.voucher_type == 2);
  CHECK(verdict.serial == 1048575 && verdict.expires == 20260430);
  struct o2o_string verified = {NULL, 0};
  CHECK_OK(o2o_voucher_verify(v, code.ptr, code.len, MAR_1_2026, NULL, 0, &verified));
  CHECK(o2o_test_str_has(&verified, "\"format\":\"bulk\""));
  CHECK(o2o_test_str_has(&verified, "\"serial\":1048575"));
  o2o_string_free(&verified);
  CHECK_OK(o2o_voucher_check(v, code.ptr, code.len, MAY_1_2026, NULL, 0, &verdict));
  CHECK(!verdict.valid && verdict.reason == O2O_VOUCHER_REASON_EXPIRED);

  /* A personal bulk code needs its customer at the till. */
  struct o2o_string personal = {NULL, 0};
  CHECK_OK(o2o_voucher_issue_bulk(k, LIT(TABLE), 1, 2, 5, LIT("k1:ann"), &personal));
  CHECK_OK(o2o_voucher_check(v, personal.ptr, personal.len, MAR_1_2026, NULL, 0, &verdict));
  CHECK(verdict.reason == O2O_VOUCHER_REASON_CUSTOMER_REQUIRED);
  CHECK_OK(o2o_voucher_check(v, personal.ptr, personal.len, MAR_1_2026, LIT("k1:ann"), &verdict));
  CHECK(verdict.valid && verdict.serial == 5);
  o2o_string_free(&personal);

  /* A range into the caller's buffer: each code is the single call's, each verifies, and the
   * bytes past the range are untouched. */
  enum { N = 4 };
  char buf[N * O2O_VOUCHER_BULK_CODE_LEN + 1];
  memset(buf, '#', sizeof buf);
  CHECK_OK(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, O2O_VOUCHER_BULK_SERIALS - N, N,
                                        buf, N * O2O_VOUCHER_BULK_CODE_LEN));
  CHECK(buf[N * O2O_VOUCHER_BULK_CODE_LEN] == '#');
  CHECK(memcmp(buf + (N - 1) * O2O_VOUCHER_BULK_CODE_LEN, code.ptr, code.len) == 0);
  for (int i = 0; i < N; i++) {
    CHECK_OK(o2o_voucher_check(v, buf + i * O2O_VOUCHER_BULK_CODE_LEN, O2O_VOUCHER_BULK_CODE_LEN,
                               MAR_1_2026, NULL, 0, &verdict));
    CHECK(verdict.valid && verdict.serial == (int32_t)(O2O_VOUCHER_BULK_SERIALS - N + i));
  }
  for (int i = 1; i < N; i++) {
    CHECK(memcmp(buf, buf + i * O2O_VOUCHER_BULK_CODE_LEN, O2O_VOUCHER_BULK_CODE_LEN) != 0);
  }
  o2o_string_free(&code);
  o2o_verifier_free(v);
  o2o_key_free(k);
}

static void bulk_argument_errors(void) {
  struct o2o_key *k = key(KEY_TEXT);
  struct o2o_string code = {NULL, 0};
  /* Out of range: an argument error naming the argument, nothing issued. */
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 1, 2, O2O_VOUCHER_BULK_SERIALS, NULL, 0,
                                      &code),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("serial");
  CHECK(code.ptr == NULL && code.len == 0);
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 288, 2, 0, NULL, 0, &code),
               O2O_STATUS_INVALID_ARGUMENT); /* 288 would be campaign 0 in 5 bits */
  CHECK_ERROR_MENTIONS("campaign");
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 1, 8, 0, NULL, 0, &code),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("voucher_type");
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 1, 2, 0, "", 0, &code),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("customer");
  /* The table: campaign 0 has no expiry, campaign 5 is not in it, a malformed table. */
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 0, 2, 0, NULL, 0, &code),
               O2O_STATUS_INVALID_INPUT);
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 5, 2, 0, NULL, 0, &code),
               O2O_STATUS_INVALID_INPUT);
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT("{}"), 1, 2, 0, NULL, 0, &code),
               O2O_STATUS_INVALID_INPUT);
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(BAD_UTF8), 1, 2, 0, NULL, 0, &code),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_voucher_issue_bulk(NULL, LIT(TABLE), 1, 2, 0, NULL, 0, &code),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_bulk(k, NULL, 0, 1, 2, 0, NULL, 0, &code),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_bulk(k, LIT(TABLE), 1, 2, 0, NULL, 0, NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK(code.ptr == NULL);

  /* Ranges: past the last serial, a buffer too small, a NULL buffer; nothing written. */
  char buf[2 * O2O_VOUCHER_BULK_CODE_LEN];
  memset(buf, '#', sizeof buf);
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, O2O_VOUCHER_BULK_SERIALS - 1, 2,
                                            buf, sizeof buf),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("first_serial");
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, 0xFFFFFFFFu, 2, buf, sizeof buf),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, 0, 2, buf, sizeof buf - 1),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("buf_len");
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, 0, (size_t)1 << 21, buf,
                                            sizeof buf),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("count");
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 9, 0, 2, buf, sizeof buf),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 5, 2, 0, 2, buf, sizeof buf),
               O2O_STATUS_INVALID_INPUT);
  for (size_t i = 0; i < sizeof buf; i++) CHECK(buf[i] == '#');
  CHECK_STATUS(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, 0, 2, NULL, 40),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_voucher_issue_bulk_range(NULL, LIT(TABLE), 1, 2, 0, 2, buf, sizeof buf),
               O2O_STATUS_NULL_ARGUMENT);
  /* An empty range writes nothing and succeeds. */
  CHECK_OK(o2o_voucher_issue_bulk_range(k, LIT(TABLE), 1, 2, 0, 0, buf, 0));
  CHECK(buf[0] == '#');
  o2o_key_free(k);
}

void test_area_voucher(void) {
  RUN(bulk_codes_issue_from_c_and_verify_offline);
  RUN(bulk_argument_errors);
  RUN(codes_bind_to_keyed_pseudonyms);
  RUN(short_codes_take_their_expiry_from_the_table);
  RUN(one_verifier_serves_several_threads);
  RUN(issued_code_verifies_offline);
  RUN(other_key_and_personal_codes);
  RUN(redeem_makes_a_redemption_checkin);
  RUN(voucher_argument_errors);
}
