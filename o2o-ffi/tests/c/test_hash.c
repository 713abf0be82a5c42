/* Normalising, hashing (SHA-256 under consent, one or a batch) and keyed pseudonyms. */
#include "harness.h"
#include <stdint.h>

static int normalizes_to(const char *kind, const char *profile, const char *country,
                         const char *value, const char *expected) {
  struct o2o_string out = {NULL, 0};
  enum o2o_status st = o2o_normalize(kind, strlen(kind), profile, strlen(profile), country,
                                     strlen(country), value, strlen(value), &out);
  int ok = st == O2O_STATUS_OK && o2o_test_str_eq(&out, expected);
  if (!ok)
    fprintf(stderr, "normalize %s/%s `%s`: status %d, got `%s`, want `%s` (%s)\n", kind, profile,
            value, (int)st, out.ptr ? out.ptr : "(null)", expected, o2o_last_error());
  o2o_string_free(&out);
  return ok;
}

static void normalize_follows_each_platform(void) {
  CHECK(normalizes_to("email", "meta", "", " Ann@Example.com ", "ann@example.com"));
  CHECK(normalizes_to("email", "google", "", "A.n.n+promo@Gmail.com", "ann@gmail.com"));
  CHECK(normalizes_to("phone", "meta", "VN", "0912 345 678", "84912345678"));
  CHECK(normalizes_to("phone", "google", "VN", "0912 345 678", "+84912345678"));
  CHECK(normalizes_to("mac", "meta", "", "AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff"));
}

static void normalize_errors(void) {
  struct o2o_string out = {NULL, 0};
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("meta"), LIT(""), LIT("not an email"), &out),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("email");
  CHECK(out.ptr == NULL);
  CHECK_STATUS(o2o_normalize(LIT("phone"), LIT("meta"), LIT(""), LIT("0912 345 678"), &out),
               O2O_STATUS_INVALID_INPUT); /* no country code and no default country */
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("bing"), LIT(""), LIT("a@b.co"), &out),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("unknown profile `bing`");
  CHECK_STATUS(o2o_normalize(LIT("shoe_size"), LIT("meta"), LIT(""), LIT("42"), &out),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("`kind`");
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("meta"), LIT(""), LIT("a" BAD_UTF8 "@b.co"), &out),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("meta"), LIT(BAD_UTF8), LIT("a@b.co"), &out),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_normalize(LIT(BAD_UTF8), LIT("meta"), LIT(""), LIT("a@b.co"), &out),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT(BAD_UTF8), LIT(""), LIT("a@b.co"), &out),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_normalize(NULL, 0, LIT("meta"), LIT(""), LIT("a@b.co"), &out),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_normalize(LIT("email"), NULL, 0, LIT(""), LIT("a@b.co"), &out),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("meta"), NULL, 0, LIT("a@b.co"), &out),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("meta"), LIT(""), NULL, 0, &out),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_normalize(LIT("email"), LIT("meta"), LIT(""), LIT("a@b.co"), NULL),
               O2O_STATUS_NULL_ARGUMENT);
}

/* Reference digests from Python's hashlib / hmac (an independent implementation):
 *   sha256("ann@example.com"), sha256("84912345678"),
 *   hmac_sha256(0x0011…eeff ×2, "email:ann@example.com"). */
#define SHA_ANN "71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476"
#define SHA_PHONE "25cc2f7574420a2d46c9f2d6cf94cdbb242ef7d479afe92ed6e8eb33a7493093"
#define HMAC_ANN "8ce56a06c6e1371276ce2d1719e09c44a09cff8fed62469922d9522ca1af7432"
#define GRANTED "{\"gcm\":{\"ad_user_data\":\"granted\"}}"

static struct o2o_consent *consent_from(const char *json) {
  struct o2o_consent *c = NULL;
  CHECK_OK(o2o_consent_from_json(json, strlen(json), &c));
  return c;
}

static void hashing_needs_consent(void) {
  struct o2o_consent *denied = consent_from("{\"gcm\":{\"ad_user_data\":\"denied\"}}");
  struct o2o_hasher *h = (struct o2o_hasher *)denied;
  CHECK_STATUS(o2o_hasher_new(denied, LIT("meta"), LIT(""), false, &h),
               O2O_STATUS_CONSENT_DENIED);
  CHECK_ERROR_MENTIONS("ad_user_data denied");
  CHECK(h == NULL);
  struct o2o_consent *none = NULL;
  CHECK_OK(o2o_consent_new(&none));
  CHECK_STATUS(o2o_hasher_new(none, LIT("meta"), LIT(""), false, &h), O2O_STATUS_CONSENT_DENIED);
  CHECK(h == NULL);
  o2o_consent_free(none);
  o2o_consent_free(denied);
}

static void hash_matches_an_independent_sha256(void) {
  struct o2o_consent *c = consent_from(GRANTED);
  struct o2o_hasher *h = NULL;
  CHECK_OK(o2o_hasher_new(c, LIT("meta"), LIT("VN"), false, &h));
  o2o_consent_free(c); /* the hasher does not borrow it */
  struct o2o_string hex = {NULL, 0};
  CHECK_OK(o2o_hash(h, LIT("email"), LIT("  Ann@Example.COM "), &hex));
  CHECK(o2o_test_str_eq(&hex, SHA_ANN));
  o2o_string_free(&hex);
  CHECK_OK(o2o_hash(h, LIT("phone"), LIT("0912 345 678"), &hex));
  CHECK(o2o_test_str_eq(&hex, SHA_PHONE));
  o2o_string_free(&hex);
  /* Already hashed (any case): passed through lowercased, never hashed twice. */
  CHECK_OK(o2o_hash(h, LIT("email"), LIT("71D4F55F72FA128DFB468A1A3901507C804B74316488744D769D7F4B16696476"), &hex));
  CHECK(o2o_test_str_eq(&hex, SHA_ANN));
  o2o_string_free(&hex);

  CHECK_STATUS(o2o_hash(h, LIT("email"), LIT("nobody"), &hex), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("email");
  CHECK(hex.ptr == NULL);
  CHECK_STATUS(o2o_hash(h, LIT("shoe_size"), LIT("42"), &hex), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_hash(h, LIT("email"), LIT(BAD_UTF8), &hex), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_hash(h, LIT(BAD_UTF8), LIT("a@b.co"), &hex), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_hash(h, NULL, 0, LIT("a@b.co"), &hex), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash(h, LIT("email"), NULL, 0, &hex), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash(h, LIT("email"), LIT("a@b.co"), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash(NULL, LIT("email"), LIT("a@b.co"), &hex), O2O_STATUS_NULL_ARGUMENT);
  o2o_hasher_free(h);
  o2o_hasher_free(NULL);
}

static void hasher_new_argument_errors(void) {
  struct o2o_consent *c = consent_from(GRANTED);
  struct o2o_hasher *h = NULL;
  CHECK_STATUS(o2o_hasher_new(c, LIT("bing"), LIT(""), false, &h), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("bing");
  CHECK_STATUS(o2o_hasher_new(c, LIT(BAD_UTF8), LIT(""), false, &h), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_hasher_new(c, LIT("meta"), LIT(BAD_UTF8), false, &h), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_hasher_new(c, NULL, 0, LIT(""), false, &h), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hasher_new(c, LIT("meta"), NULL, 0, false, &h), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hasher_new(NULL, LIT("meta"), LIT(""), false, &h), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hasher_new(c, LIT("meta"), LIT(""), false, NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK(h == NULL);
  o2o_consent_free(c);
}

static void batch_gives_one_output_per_input(void) {
  struct o2o_consent *c = consent_from(GRANTED);
  struct o2o_hasher *h = NULL;
  CHECK_OK(o2o_hasher_new(c, LIT("meta"), LIT(""), false, &h));
  struct o2o_str values[] = {{LIT(" Ann@Example.com")}, {LIT("not an email")}, {LIT("ann@example.com")}};
  struct o2o_string_array hex = {NULL, 0}, errors = {NULL, 0};
  size_t rejected = 99;
  CHECK_OK(o2o_hash_batch(h, LIT("email"), values, 3, &hex, &errors, &rejected));
  CHECK(hex.len == 3 && errors.len == 3 && rejected == 1);
  if (hex.len == 3 && errors.len == 3) {
    CHECK(o2o_test_str_eq(&hex.items[0], SHA_ANN));
    CHECK(o2o_test_str_eq(&hex.items[1], ""));
    CHECK(o2o_test_str_eq(&hex.items[2], SHA_ANN));
    CHECK(o2o_test_str_eq(&errors.items[0], ""));
    CHECK(o2o_test_str_has(&errors.items[1], "email"));
    CHECK(o2o_test_str_eq(&errors.items[2], ""));
  }
  o2o_string_array_free(&hex);
  o2o_string_array_free(&errors);
  CHECK(hex.items == NULL && hex.len == 0);

  /* An empty list is fine. */
  CHECK_OK(o2o_hash_batch(h, LIT("email"), values, 0, &hex, &errors, &rejected));
  CHECK(hex.len == 0 && errors.len == 0 && rejected == 0);

  /* A NULL or non-UTF-8 element is named by its index, and nothing is returned. */
  struct o2o_str bad[] = {{LIT("a@b.co")}, {NULL, 3}};
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), bad, 2, &hex, &errors, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_ERROR_MENTIONS("values[1]");
  CHECK(hex.items == NULL && errors.items == NULL && rejected == 0);
  struct o2o_str bad_utf8[] = {{LIT(BAD_UTF8)}};
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), bad_utf8, 1, &hex, &errors, &rejected),
               O2O_STATUS_INVALID_UTF8);
  CHECK_ERROR_MENTIONS("values[0]");
  CHECK_STATUS(o2o_hash_batch(h, LIT("shoe"), values, 3, &hex, &errors, &rejected),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(h, LIT(BAD_UTF8), values, 3, &hex, &errors, &rejected),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_hash_batch(h, NULL, 0, values, 3, &hex, &errors, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), NULL, 3, &hex, &errors, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), values, 3, NULL, &errors, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), values, 3, &hex, NULL, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), values, 3, &hex, &errors, NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(NULL, LIT("email"), values, 3, &hex, &errors, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_hash_batch(h, LIT("email"), values, SIZE_MAX, &hex, &errors, &rejected),
               O2O_STATUS_INVALID_ARGUMENT);
  o2o_hasher_free(h);
  o2o_consent_free(c);
}

static void pseudonyms_are_keyed_and_carry_the_key_id(void) {
  struct o2o_key *k = NULL;
  CHECK_OK(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"), &k));
  struct o2o_pseudonymizer *p = NULL;
  CHECK_OK(o2o_pseudonymizer_new(k, LIT("meta"), LIT(""), &p));
  o2o_key_free(k); /* the pseudonymizer keeps its own keyed state */
  struct o2o_string ps = {NULL, 0};
  CHECK_OK(o2o_pseudonym(p, LIT("email"), LIT(" Ann@Example.com"), &ps));
  CHECK(o2o_test_str_eq(&ps, "k1:" HMAC_ANN));
  o2o_string_free(&ps);
  CHECK_STATUS(o2o_pseudonym(p, LIT("email"), LIT("nobody"), &ps), O2O_STATUS_INVALID_INPUT);
  CHECK(ps.ptr == NULL);
  CHECK_STATUS(o2o_pseudonym(p, LIT("shoe"), LIT("1"), &ps), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_pseudonym(p, LIT("email"), LIT(BAD_UTF8), &ps), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_pseudonym(p, LIT(BAD_UTF8), LIT("a@b.co"), &ps), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_pseudonym(p, NULL, 0, LIT("a@b.co"), &ps), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_pseudonym(p, LIT("email"), NULL, 0, &ps), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_pseudonym(p, LIT("email"), LIT("a@b.co"), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_pseudonym(NULL, LIT("email"), LIT("a@b.co"), &ps), O2O_STATUS_NULL_ARGUMENT);
  o2o_pseudonymizer_free(p);
  o2o_pseudonymizer_free(NULL);

  struct o2o_pseudonymizer *q = NULL;
  CHECK_STATUS(o2o_pseudonymizer_new(NULL, LIT("meta"), LIT(""), &q), O2O_STATUS_NULL_ARGUMENT);
  CHECK(q == NULL);
}

static void pseudonymizer_new_argument_errors(void) {
  struct o2o_key *k = NULL;
  CHECK_OK(o2o_key_new(LIT("k1:00112233445566778899aabbccddeeff"), &k));
  struct o2o_pseudonymizer *p = NULL;
  CHECK_STATUS(o2o_pseudonymizer_new(k, LIT("bing"), LIT(""), &p), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_pseudonymizer_new(k, LIT(BAD_UTF8), LIT(""), &p), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_pseudonymizer_new(k, LIT("meta"), LIT(BAD_UTF8), &p), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_pseudonymizer_new(k, NULL, 0, LIT(""), &p), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_pseudonymizer_new(k, LIT("meta"), NULL, 0, &p), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_pseudonymizer_new(k, LIT("meta"), LIT(""), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK(p == NULL);
  o2o_key_free(k);
}

void test_area_hash(void) {
  RUN(normalize_follows_each_platform);
  RUN(normalize_errors);
  RUN(hashing_needs_consent);
  RUN(hash_matches_an_independent_sha256);
  RUN(hasher_new_argument_errors);
  RUN(batch_gives_one_output_per_input);
  RUN(pseudonyms_are_keyed_and_carry_the_key_id);
  RUN(pseudonymizer_new_argument_errors);
}
