/* Reading NDJSON files and POS CSV exports: good records kept, bad lines reported. */
#include "harness.h"

static void ndjson_keeps_good_lines_and_reports_bad_ones(void) {
  static const char in[] =
      "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\",\"timestamp\":1}\n"
      "not json\n"
      "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S2\","
      "\"timestamp\":\"2026-03-01T10:00:00Z\"}\n";
  struct o2o_string events = {NULL, 0}, report = {NULL, 0};
  CHECK_OK(o2o_events_read(O2O_EVENT_FORMAT_NDJSON, LIT(in), &events, &report));
  CHECK(o2o_test_str_eq(&events,
                        "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S1\","
                        "\"timestamp\":1,\"identifiers\":[]}\n"
                        "{\"type\":\"checkin\",\"method\":\"qr_scan\",\"store\":\"S2\","
                        "\"timestamp\":1772359200,\"identifiers\":[]}\n"));
  CHECK(o2o_test_str_has(&report, "\"read\":2,\"rejected\":1"));
  CHECK(o2o_test_str_has(&report, "\"line\":2"));
  o2o_string_free(&events);
  o2o_string_free(&report);
}

static void pos_csv_becomes_checkins(void) {
  static const char in[] = "timestamp,store,value,currency,phone\n"
                           "2026-03-01T10:00:00Z,S1,12.5,VND,0912345678\n"
                           "yesterday,S1,1,VND,\n";
  struct o2o_string events = {NULL, 0}, report = {NULL, 0};
  CHECK_OK(o2o_events_read(O2O_EVENT_FORMAT_POS_CSV, LIT(in), &events, &report));
  CHECK(o2o_test_str_has(&events, "\"method\":\"pos_purchase\",\"store\":\"S1\","
                                  "\"timestamp\":1772359200,\"value\":12.5"));
  CHECK(o2o_test_str_has(&events, "{\"kind\":\"phone\",\"value\":\"0912345678\"}"));
  CHECK(o2o_test_str_has(&report, "\"read\":1,\"rejected\":1"));
  CHECK(o2o_test_str_has(&report, "\"line\":3,\"field\":\"timestamp\""));
  o2o_string_free(&events);
  o2o_string_free(&report);
}

static void read_errors(void) {
  struct o2o_string events = {NULL, 0}, report = {NULL, 0};
  CHECK_STATUS(o2o_events_read(O2O_EVENT_FORMAT_POS_CSV, LIT("store,value\nS1,2\n"), &events,
                               &report),
               O2O_STATUS_INVALID_INPUT);
  CHECK_ERROR_MENTIONS("timestamp");
  CHECK(events.ptr == NULL && report.ptr == NULL);
  CHECK_STATUS(o2o_events_read(7, LIT(""), &events, &report), O2O_STATUS_INVALID_ARGUMENT);
  CHECK_ERROR_MENTIONS("format");
  CHECK_STATUS(o2o_events_read(0, LIT(BAD_UTF8), &events, &report), O2O_STATUS_INVALID_UTF8);
  CHECK_STATUS(o2o_events_read(0, NULL, 0, &events, &report), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_events_read(0, LIT(""), NULL, &report), O2O_STATUS_NULL_ARGUMENT);
  CHECK_STATUS(o2o_events_read(0, LIT(""), &events, NULL), O2O_STATUS_NULL_ARGUMENT);
  /* Empty input: nothing read, nothing rejected. */
  CHECK_OK(o2o_events_read(O2O_EVENT_FORMAT_NDJSON, LIT(""), &events, &report));
  CHECK(o2o_test_str_eq(&events, ""));
  CHECK(o2o_test_str_eq(&report, "{\"read\":0,\"rejected\":0,\"errors\":[]}"));
  o2o_string_free(&events);
  o2o_string_free(&report);
}

void test_area_events(void) {
  RUN(ndjson_keeps_good_lines_and_reports_bad_ones);
  RUN(pos_csv_becomes_checkins);
  RUN(read_errors);
}
