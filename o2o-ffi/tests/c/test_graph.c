/* The identity graph: observe, resolve, profile of, explain, forget, snapshot and restore. */
#include "harness.h"

#define YES "\"consent\":{\"gcm\":{\"ad_user_data\":\"granted\"}}"
#define EV1 "{\"type\":\"checkin\",\"method\":\"pos_purchase\",\"store\":\"S1\",\"timestamp\":10," \
            "\"identifiers\":[{\"kind\":\"email\",\"value\":\"Ann@Example.com\"}," \
            "{\"kind\":\"loyalty_card\",\"value\":\"L-77\"}]," YES "}\n"
#define EV2 "{\"type\":\"touchpoint\",\"action\":\"click\",\"channel\":\"facebook\",\"timestamp\":5," \
            "\"identifiers\":[{\"kind\":\"device_id\",\"value\":\"cookie-1\"}," \
            "{\"kind\":\"email\",\"value\":\"ann@example.com\"}]," YES "}"
#define EV_NO_CONSENT "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\",\"timestamp\":11," \
            "\"identifiers\":[{\"kind\":\"phone\",\"value\":\"+84912345678\"}," \
            "{\"kind\":\"loyalty_card\",\"value\":\"L-99\"}]}"

static size_t lines(const struct o2o_string *s) {
  size_t n = 0;
  for (size_t i = 0; i < s->len; i++) n += s->ptr[i] == '\n';
  return n;
}

static struct o2o_graph *observed_graph(void) {
  struct o2o_graph *g = NULL;
  CHECK_OK(o2o_graph_new(LIT("{}"), &g));
  struct o2o_string outcome = {NULL, 0};
  CHECK_OK(o2o_graph_observe(g, LIT(EV1), &outcome));
  CHECK(o2o_test_str_has(&outcome, "\"recorded\":2"));
  o2o_string_free(&outcome);
  CHECK_OK(o2o_graph_observe(g, LIT(EV2), &outcome));
  o2o_string_free(&outcome);
  CHECK_OK(o2o_graph_observe(g, LIT(EV_NO_CONSENT), &outcome));
  CHECK(o2o_test_str_has(&outcome, "\"consent_denied\":true"));
  o2o_string_free(&outcome);
  return g;
}

static void graph_links_one_person_across_sources(void) {
  struct o2o_graph *g = observed_graph();
  struct o2o_string s = {NULL, 0};
  CHECK_OK(o2o_graph_resolve(g, &s));
  CHECK(lines(&s) == 1); /* email, loyalty card and cookie are one person */
  CHECK(o2o_test_str_has(&s, "cookie-1"));
  CHECK(o2o_test_str_has(&s, "\"value\":\"L77\"")); /* normalised */
  CHECK(!o2o_test_str_has(&s, "L99")); /* no consent: never linked */
  o2o_string_free(&s);

  CHECK_OK(o2o_graph_profile_of(g, LIT("loyalty_card"), LIT("L-77"), &s));
  CHECK(o2o_test_str_has(&s, "cookie-1"));
  /* The id accessor gives the profile's "id" without reading JSON. */
  struct o2o_string id = {NULL, 0};
  CHECK_OK(o2o_graph_profile_id(g, LIT("device_id"), LIT("cookie-1"), &id));
  CHECK(id.len == 17 && id.ptr[0] == 'p');
  char field[64];
  snprintf(field, sizeof field, "\"id\":\"%s\"", id.ptr);
  CHECK(o2o_test_str_has(&s, field));
  o2o_string_free(&id);
  CHECK_STATUS(o2o_graph_profile_id(g, LIT("loyalty_card"), LIT("L-99"), &id), O2O_STATUS_NOT_FOUND);
  CHECK(id.ptr == NULL);
  CHECK_STATUS(o2o_graph_profile_id(g, LIT("shoe_size"), LIT("42"), &id), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_graph_profile_id(NULL, LIT("email"), LIT("a@b.c"), &id), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_profile_id(g, LIT("email"), LIT("a@b.c"), NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_string_free(&s);
  CHECK_STATUS(o2o_graph_profile_of(g, LIT("loyalty_card"), LIT("L-99"), &s), O2O_STATUS_NOT_FOUND);
  CHECK_ERROR_MENTIONS("L-99");
  CHECK(s.ptr == NULL);

  CHECK_OK(o2o_graph_explain(g, LIT("loyalty_card"), LIT("L-77"), LIT("device_id"), LIT("cookie-1"), &s));
  CHECK(o2o_test_str_has(&s, "\"linked\":true"));
  o2o_string_free(&s);
  CHECK_OK(o2o_graph_explain(g, LIT("loyalty_card"), LIT("L-77"), LIT("loyalty_card"), LIT("L-99"), &s));
  CHECK(o2o_test_str_has(&s, "\"linked\":false"));
  o2o_string_free(&s);
  o2o_graph_free(g);
}

static void snapshot_restores_the_same_profiles_and_forget_erases(void) {
  struct o2o_graph *g = observed_graph();
  struct o2o_bytes snap = {NULL, 0};
  CHECK_OK(o2o_graph_snapshot(g, &snap));
  CHECK(snap.len > 0);
  struct o2o_graph *h = NULL;
  CHECK_OK(o2o_graph_restore(snap.ptr, snap.len, &h));
  struct o2o_string a = {NULL, 0}, b = {NULL, 0};
  CHECK_OK(o2o_graph_resolve(g, &a));
  CHECK_OK(o2o_graph_resolve(h, &b));
  CHECK(a.len == b.len && a.ptr && b.ptr && memcmp(a.ptr, b.ptr, a.len) == 0);
  o2o_string_free(&b);
  /* Releasing the kept working memory changes no profile. */
  CHECK_OK(o2o_graph_release_memory(h));
  CHECK_OK(o2o_graph_resolve(h, &b));
  CHECK(a.len == b.len && a.ptr && b.ptr && memcmp(a.ptr, b.ptr, a.len) == 0);
  CHECK_STATUS(o2o_graph_release_memory(NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_string_free(&a);
  o2o_string_free(&b);
  o2o_bytes_free(&snap);
  CHECK(snap.ptr == NULL);

  struct o2o_string receipt = {NULL, 0};
  CHECK_OK(o2o_graph_forget(h, LIT("email"), LIT(" ANN@example.com"), &receipt));
  /* Counts, never the values erased. */
  CHECK(o2o_test_str_has(&receipt, "\"profiles_erased\":1"));
  CHECK(!o2o_test_str_has(&receipt, "L77"));
  o2o_string_free(&receipt);
  CHECK_STATUS(o2o_graph_profile_of(h, LIT("device_id"), LIT("cookie-1"), &a), O2O_STATUS_NOT_FOUND);
  CHECK_OK(o2o_graph_resolve(h, &a));
  CHECK(o2o_test_str_eq(&a, ""));
  o2o_string_free(&a);
  /* Nothing of the person is left in a new snapshot. */
  CHECK_OK(o2o_graph_snapshot(h, &snap));
  int found = 0;
  for (size_t i = 0; snap.ptr && i + 8 <= snap.len; i++) found |= memcmp(snap.ptr + i, "cookie-1", 8) == 0;
  CHECK(!found);
  o2o_bytes_free(&snap);
  o2o_graph_free(h);
  o2o_graph_free(g);
}

static void graph_errors(void) {
  struct o2o_graph *g = NULL;
  CHECK_STATUS(o2o_graph_new(LIT("{\"hub_threshold\":\"lots\"}"), &g), O2O_STATUS_INVALID_INPUT);
  CHECK(g == NULL);
  CHECK_STATUS(o2o_graph_new(LIT("[1"), &g), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("rules JSON");
  /* A misspelt rule name is an error, not a default silently kept. */
  CHECK_STATUS(o2o_graph_new(LIT("{\"max_identifers\":3}"), &g), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("unknown field `max_identifers`");
  CHECK_STATUS(o2o_graph_new(LIT("{\"default_country\":\"VN\",\"blocked_value\":[\"x\"]}"), &g),
               O2O_STATUS_INVALID_INPUT);
  CHECK(g == NULL);
  CHECK_STATUS(o2o_graph_new(LIT(BAD_UTF8), &g), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_graph_new(NULL, 0, &g), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_new(LIT("{}"), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_OK(o2o_graph_new(LIT("{}"), &g));

  struct o2o_string s = {NULL, 0};
  CHECK_STATUS(o2o_graph_observe(g, LIT("{\"type\":\"nope\"}"), &s), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("event JSON");
  CHECK_STATUS(o2o_graph_observe(g, LIT(BAD_UTF8), &s), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_graph_observe(g, NULL, 0, &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_observe(g, LIT(EV1), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_observe(NULL, LIT(EV1), &s), O2O_STATUS_NULL_ARGUMENT);

  CHECK_STATUS(o2o_graph_resolve(NULL, &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_resolve(g, NULL), O2O_STATUS_NULL_ARGUMENT);

  CHECK_STATUS(o2o_graph_profile_of(g, LIT("shoe"), LIT("1"), &s), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("id_kind");
  CHECK_STATUS(o2o_graph_profile_of(g, LIT("email"), LIT(BAD_UTF8), &s), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_graph_profile_of(g, NULL, 0, LIT("a"), &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_profile_of(g, LIT("email"), NULL, 0, &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_profile_of(g, LIT("email"), LIT("a"), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_profile_of(NULL, LIT("email"), LIT("a"), &s), O2O_STATUS_NULL_ARGUMENT);

  CHECK_STATUS(o2o_graph_explain(g, LIT("shoe"), LIT("1"), LIT("email"), LIT("a"), &s),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("a_kind");
  CHECK_STATUS(o2o_graph_explain(g, LIT("email"), LIT("a"), LIT("email"), LIT(BAD_UTF8), &s),
               O2O_STATUS_INVALID_UTF8);
  CHECK_ERROR_MENTIONS("b_value");
  CHECK_STATUS(o2o_graph_explain(g, NULL, 0, LIT("a"), LIT("email"), LIT("a"), &s),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_explain(g, LIT("email"), LIT("a"), LIT("email"), NULL, 0, &s),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_explain(g, LIT("email"), LIT("a"), LIT("email"), LIT("b"), NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_explain(NULL, LIT("email"), LIT("a"), LIT("email"), LIT("b"), &s),
               O2O_STATUS_NULL_ARGUMENT);

  CHECK_STATUS(o2o_graph_forget(g, LIT("shoe"), LIT("1"), &s), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_graph_forget(g, LIT("email"), LIT(BAD_UTF8), &s), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_graph_forget(g, NULL, 0, LIT("a"), &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_forget(g, LIT("email"), LIT("a"), NULL), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_forget(NULL, LIT("email"), LIT("a"), &s), O2O_STATUS_NULL_ARGUMENT);
  CHECK_OK(o2o_graph_forget(g, LIT("email"), LIT("nobody@example.com"), &s)); /* nothing to erase */
  o2o_string_free(&s);

  struct o2o_bytes b = {NULL, 0};
  CHECK_STATUS(o2o_graph_snapshot(NULL, &b), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_snapshot(g, NULL), O2O_STATUS_NULL_ARGUMENT);
  struct o2o_graph *h = NULL;
  CHECK_STATUS(o2o_graph_restore((const uint8_t *)"garbage", 7, &h), O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("snapshot");
  CHECK(h == NULL);
  CHECK_STATUS(o2o_graph_restore(NULL, 0, &h), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_graph_restore((const uint8_t *)"x", 1, NULL), O2O_STATUS_NULL_ARGUMENT);
  o2o_graph_free(g);
  o2o_graph_free(NULL);
}

void test_area_graph(void) {
  RUN(graph_links_one_person_across_sources);
  RUN(snapshot_restores_the_same_profiles_and_forget_erases);
  RUN(graph_errors);
}
