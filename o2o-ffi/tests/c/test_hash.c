/* Normalising identifiers per ad-platform profile. */
#include "harness.h"

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

void test_area_hash(void) {
  RUN(normalize_follows_each_platform);
  RUN(normalize_errors);
}
