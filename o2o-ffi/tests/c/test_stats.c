/* Attribution over a path table and uplift tests. */
#include "harness.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* The number after `"key":` in a JSON text, or NAN. */
static double json_number(const struct o2o_string *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = json->ptr ? strstr(json->ptr, pattern) : NULL;
  return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

/* The conversions credited to `channel` in attribution JSON, or NAN. */
static double channel_conversions(const struct o2o_string *json, const char *channel) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "{\"channel\":\"%s\",\"conversions\":", channel);
  const char *at = json->ptr ? strstr(json->ptr, pattern) : NULL;
  return at ? strtod(at + strlen(pattern), NULL) : NAN;
}

static int close_to(double got, double want, double rel) {
  return fabs(got - want) <= rel * fabs(want);
}

#define PATHS "path;total_conversions;total_null\na > b;3;2\nb;1;oops\nb;1;4\n"

static void attribution_runs_each_model(void) {
  struct o2o_string credit = {NULL, 0}, rejected = {NULL, 0};
  CHECK_OK(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("first"), 1, &credit, &rejected));
  CHECK(o2o_test_str_has(&credit, "\"model\":\"first\""));
  CHECK(o2o_test_str_has(&credit, "{\"channel\":\"a\",\"conversions\":3.0"));
  CHECK(o2o_test_str_has(&credit, "{\"channel\":\"b\",\"conversions\":1.0"));
  CHECK(o2o_test_str_has(&rejected, "\"line\":3"));
  CHECK(o2o_test_str_has(&rejected, "\"field\":\"total_null\""));
  o2o_string_free(&credit);
  o2o_string_free(&rejected);

  CHECK_OK(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("markov"), 2, &credit, &rejected));
  CHECK(o2o_test_str_has(&credit, "\"order\":2"));
  CHECK(o2o_test_str_has(&credit, "\"removal_effects\""));
  CHECK(o2o_test_str_has(&credit, "\"p_conversion\""));
  o2o_string_free(&credit);
  o2o_string_free(&rejected);

  /* Shapley is efficient: the credit adds up to the 4 conversions of the two good rows. */
  CHECK_OK(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("shapley"), 1, &credit, &rejected));
  double a = channel_conversions(&credit, "a"), b = channel_conversions(&credit, "b");
  CHECK(close_to(a + b, 4.0, 1e-12));
  CHECK(a > 0 && b > a);
  o2o_string_free(&credit);
  o2o_string_free(&rejected);
}

static void attribution_errors(void) {
  struct o2o_string credit = {NULL, 0}, rejected = {NULL, 0};
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("magic"), 1, &credit, &rejected),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("magic");
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("markov"), 9, &credit, &rejected),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("order 9");
  CHECK_STATUS(o2o_attribute_paths(LIT("nothing;here\n"), LIT(">"), LIT("first"), 1, &credit,
                                   &rejected),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("line 1");
  CHECK(credit.ptr == NULL && rejected.ptr == NULL);
  CHECK_STATUS(o2o_attribute_paths(LIT(BAD_UTF8), LIT(">"), LIT("first"), 1, &credit, &rejected),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(BAD_UTF8), LIT("first"), 1, &credit, &rejected),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT(BAD_UTF8), 1, &credit, &rejected),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_attribute_paths(NULL, 0, LIT(">"), LIT("first"), 1, &credit, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), NULL, 0, LIT("first"), 1, &credit, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(">"), NULL, 0, 1, &credit, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("first"), 1, NULL, &rejected),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_attribute_paths(LIT(PATHS), LIT(">"), LIT("first"), 1, &credit, NULL),
               O2O_STATUS_NULL_ARGUMENT);
}

/* Reference values: statsmodels proportions_ztest([230, 100], [1000, 1000]) and scipy
 * ttest_ind_from_stats(105, 30, 400, 100, 28, 380, equal_var=False); relative tolerance 1e-9
 * (both sides evaluate the same closed forms in double precision). */
static void uplift_matches_statsmodels_and_scipy(void) {
  struct o2o_string report = {NULL, 0};
  CHECK_OK(o2o_uplift_proportions(230, 1000, 100, 1000, 0.05, LIT("two-sided"), &report));
  CHECK(close_to(json_number(&report, "z"), 7.831467403441269, 1e-9));
  CHECK(close_to(json_number(&report, "p_value"), 4.8220837773826334e-15, 1e-6));
  CHECK(close_to(json_number(&report, "relative_lift"), 1.3, 1e-9));
  CHECK(o2o_test_str_has(&report, "\"ci_newcombe\":["));
  o2o_string_free(&report);

  CHECK_OK(o2o_uplift_welch(105.0, 30.0, 400, 100.0, 28.0, 380, 0.05, LIT("two-sided"), &report));
  CHECK(close_to(json_number(&report, "t"), 2.4075334277249776, 1e-9));
  CHECK(close_to(json_number(&report, "p_value"), 0.016292603696264476, 1e-9));
  CHECK(o2o_test_str_has(&report, "\"ci_welch\":["));
  o2o_string_free(&report);
}

static void uplift_errors(void) {
  struct o2o_string report = {NULL, 0};
  CHECK_STATUS(o2o_uplift_proportions(5, 4, 1, 10, 0.05, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("test.successes");
  CHECK_STATUS(o2o_uplift_proportions(1, 4, 1, 0, 0.05, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("control.trials");
  CHECK_STATUS(o2o_uplift_proportions(1, 4, 1, 4, 1.5, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("alpha");
  CHECK_STATUS(o2o_uplift_proportions(1, 4, 1, 4, 0.05, LIT("sideways"), &report),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_uplift_proportions(1, 4, 1, 4, 0.05, LIT(BAD_UTF8), &report),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_uplift_proportions(1, 4, 1, 4, 0.05, NULL, 0, &report),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_uplift_proportions(1, 4, 1, 4, 0.05, LIT("larger"), NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK(report.ptr == NULL);

  CHECK_STATUS(o2o_uplift_welch(NAN, 1, 10, 1, 1, 10, 0.05, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("test_mean");
  CHECK_STATUS(o2o_uplift_welch(1, 1, 1, 1, 1, 10, 0.05, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("at least 2 observations");
  CHECK_STATUS(o2o_uplift_welch(1, 0, 10, 1, 0, 10, 0.05, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_INPUT);
  CHECK_STATUS(o2o_uplift_welch(1, 1, 10, 1, 1, 10, 0.05, LIT("up"), &report),
               O2O_STATUS_INVALID_ARGUMENT);
  CHECK_STATUS(o2o_uplift_welch(1, 1, 10, 1, 1, 10, 0.05, LIT(BAD_UTF8), &report),
               O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_uplift_welch(1, 1, 10, 1, 1, 10, 0.05, NULL, 0, &report),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_uplift_welch(1, 1, 10, 1, 1, 10, 0.05, LIT("larger"), NULL),
               O2O_STATUS_NULL_ARGUMENT);
  CHECK(report.ptr == NULL);
}

/* Issue #31, point 5, at the C boundary: inputs at the edge of double precision give either a
 * typed status whose message says why, or a report whose every number is finite — never `null`
 * (how JSON renders NaN and infinity) with O2O_STATUS_OK, and never a crash. */
static void no_finite_report_has_null(const struct o2o_string *report) {
  CHECK(report->ptr != NULL);
  CHECK(!o2o_test_str_has(report, "null"));
  CHECK(!o2o_test_str_has(report, "inf"));
  CHECK(!o2o_test_str_has(report, "NaN"));
}

static void uplift_at_the_edges_is_finite_or_refused(void) {
  struct o2o_string report = {NULL, 0};
  /* ±1e308: the difference of the means does not fit in a double. */
  CHECK_STATUS(o2o_uplift_welch(1e308, 1, 10, -1e308, 1, 10, 0.05, LIT("two-sided"), &report),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("not a finite number");
  CHECK(report.ptr == NULL);
  CHECK_STATUS(o2o_uplift_welch(-1e308, 1, 10, 1e308, 1, 10, 0.05, LIT("larger"), &report),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("not a finite number");
  CHECK(report.ptr == NULL);

  /* Equal huge means: no difference, a finite test (t = 0, p = 1). */
  CHECK_OK(o2o_uplift_welch(1e308, 1, 10, 1e308, 1, 10, 0.05, LIT("two-sided"), &report));
  no_finite_report_has_null(&report);
  CHECK(json_number(&report, "t") == 0.0);
  CHECK(json_number(&report, "p_value") == 1.0);
  o2o_string_free(&report);

  /* Standard deviations of 1e308: the variances overflow unless the core scales them. */
  CHECK_OK(o2o_uplift_welch(1, 1e308, 10, 2, 1e308, 10, 0.05, LIT("two-sided"), &report));
  no_finite_report_has_null(&report);
  /* se = sqrt(sd²/10 + sd²/10) = sd / sqrt(5). */
  CHECK(close_to(json_number(&report, "se"), 1e308 / sqrt(5.0), 1e-12));
  o2o_string_free(&report);

  /* 2^64 − 1 customers per arm: finite, and the interval shrinks around the difference. */
  CHECK_OK(o2o_uplift_welch(1, 1, UINT64_MAX, 2, 1, UINT64_MAX, 0.05, LIT("two-sided"), &report));
  no_finite_report_has_null(&report);
  CHECK(close_to(json_number(&report, "absolute_lift"), -1.0, 1e-12));
  o2o_string_free(&report);

  /* Conversion counts whose sums pass 2^64: the pooled z from its closed form, evaluated here
   * in double precision (the counts are exact in double up to a relative 1e-16). */
  uint64_t n = UINT64_MAX - 1, a = n / 2, b = n / 3;
  CHECK_OK(o2o_uplift_proportions(a, n, b, n, 0.05, LIT("two-sided"), &report));
  no_finite_report_has_null(&report);
  double p1 = (double)a / (double)n, p2 = (double)b / (double)n, p = (p1 + p2) / 2;
  double z = (p1 - p2) / sqrt(p * (1 - p) * 2 / (double)n);
  CHECK(close_to(json_number(&report, "z"), z, 1e-9));
  o2o_string_free(&report);
}

#define HUGE_PATHS "path;total_conversions;total_null\na > b;1e308;1e308\nb;1e307;3e307\n"
#define SMALL_PATHS "path;total_conversions;total_null\na > b;10;10\nb;1;3\n"
#define OVERFLOW_PATHS "path;total_conversions;total_null\na;1e308;1\na > b;1e308;1\nb > a;1e308;1\n"

static void attribution_at_the_edges_is_finite_or_refused(void) {
  struct o2o_string huge = {NULL, 0}, small = {NULL, 0}, rejected = {NULL, 0};
  /* Counts of 1e308: the chain's weights overflow unless scaled; the credit is the small
   * table's, times 1e307. */
  CHECK_OK(o2o_attribute_paths(LIT(HUGE_PATHS), LIT(">"), LIT("markov"), 1, &huge, &rejected));
  o2o_string_free(&rejected);
  CHECK_OK(o2o_attribute_paths(LIT(SMALL_PATHS), LIT(">"), LIT("markov"), 1, &small, &rejected));
  o2o_string_free(&rejected);
  no_finite_report_has_null(&huge);
  CHECK(close_to(channel_conversions(&huge, "a") / 1e307, channel_conversions(&small, "a"), 1e-9));
  CHECK(close_to(channel_conversions(&huge, "b") / 1e307, channel_conversions(&small, "b"), 1e-9));
  CHECK(close_to(json_number(&huge, "p_conversion"), json_number(&small, "p_conversion"), 1e-12));
  o2o_string_free(&huge);
  o2o_string_free(&small);

  /* A credit past 1.8e308 cannot be returned: every model refuses it and names the channel. */
  static const char *const models[] = {"markov", "first", "linear", "shapley"};
  for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
    CHECK_STATUS(o2o_attribute_paths(LIT(OVERFLOW_PATHS), LIT(">"), models[i], strlen(models[i]),
                                     1, &huge, &rejected),
                 O2O_STATUS_INVALID_INPUT);
    CHECK_ERROR_MENTIONS("not a finite number");
    CHECK_ERROR_MENTIONS("channel `a`");
    CHECK(huge.ptr == NULL && rejected.ptr == NULL);
  }
}

void test_area_stats(void) {
  RUN(attribution_runs_each_model);
  RUN(attribution_errors);
  RUN(uplift_matches_statsmodels_and_scipy);
  RUN(uplift_errors);
  RUN(uplift_at_the_edges_is_finite_or_refused);
  RUN(attribution_at_the_edges_is_finite_or_refused);
}
