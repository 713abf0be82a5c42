/*
 * pos.c: a till, written against the installed o2o C library.
 *
 *   1. The customer shows a voucher code (received on Zalo); the till verifies it offline with
 *      the key file that HQ distributed: no server round trip.
 *   2. The customer types a phone number on the PIN pad. It is hashed for the Meta offline
 *      conversions upload only if the customer's consent allows it.
 *   3. The visit is recorded as a voucher-redemption check-in: one NDJSON line appended to
 *      events.ndjson, the file `o2o attribute` and `o2o report` read.
 *
 * Build: cc -std=c11 examples/pos.c $(pkg-config --cflags --libs o2o) -o pos
 * (scripts/ci/test-c.sh builds and runs it against a freshly installed prefix, under valgrind.)
 */
#include <o2o.h>
#include <stdio.h>
#include <string.h>

/* In a real till these come from files HQ distributes: the key file and the campaign table. */
static const char KEY_FILE[] =
    "# o2o voucher keys: current first\n"
    "k2026b:8f3c1a0e5d7b9c2f4a6e8d0b1c3e5f7a9b2d4f6e8a0c1e3f5a7b9d2f4e6a8c0e\n"
    "k2026a:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
static const char CAMPAIGNS[] =
    "[\"zalo-spring\",{\"name\":\"tet-2026\",\"expires\":\"2026-04-30\"}]";
static const char STORE[] = "HCM-01";

static int check(enum o2o_status st, const char *what) {
  if (st != O2O_STATUS_OK) {
    fprintf(stderr, "%s: status %d: %s\n", what, (int)st, o2o_last_error());
    return 0;
  }
  return 1;
}

/* HQ side, only so that the example has genuine codes to scan: the shared 16-character code
 * of campaign 1 (tet-2026, voucher type 2; valid until the campaign's last day in CAMPAIGNS)... */
static int hq_issue_short_code(const o2o_key *key, o2o_string *code) {
  return check(o2o_voucher_issue_short(key, CAMPAIGNS, strlen(CAMPAIGNS), 1, 2, NULL, 0, code),
               "issue");
}

/* ... and a single-use 21-character serial code of the same offer. */
static int hq_issue_code(const o2o_key *key, int serial, o2o_string *code) {
  char voucher[128];
  snprintf(voucher, sizeof voucher,
           "{\"campaign\":1,\"voucher_type\":2,\"expires\":\"2026-04-30\",\"serial\":%d}",
           serial);
  return check(o2o_voucher_issue(key, voucher, strlen(voucher), code), "issue");
}

/* One customer at the till. Returns 1 when the visit was recorded. */
static int serve(const o2o_verifier *verifier, const char *code, const char *typed_phone,
                 const char *consent_json, long long now, FILE *events) {
  int ok = 0;
  o2o_consent *consent = NULL;
  o2o_checkin *checkin = NULL;
  o2o_hasher *hasher = NULL;
  o2o_string hashed = {NULL, 0}, reason = {NULL, 0}, line = {NULL, 0};

  /* 1. Verify the voucher offline; a rejected code says why (typo, forgery, expired). */
  enum o2o_status st = o2o_voucher_redeem(verifier, code, strlen(code), now, NULL, 0, STORE,
                                          strlen(STORE), &checkin);
  if (st == O2O_STATUS_VOUCHER_REJECTED) {
    printf("  voucher %s refused: %s\n", code, o2o_last_error());
    goto done;
  }
  if (!check(st, "redeem")) goto done;
  printf("  voucher %s accepted\n", code);

  /* 2. Consent as captured by the loyalty app, then hash the phone only if allowed. */
  if (!check(o2o_consent_from_json(consent_json, strlen(consent_json), &consent), "consent"))
    goto done;
  bool may_upload = false;
  if (!check(o2o_consent_check(consent, O2O_OPERATION_HASH_FOR_UPLOAD, &may_upload, &reason),
             "consent check"))
    goto done;
  if (may_upload) {
    if (!check(o2o_hasher_new(consent, "meta", 4, "VN", 2, false, &hasher), "hasher")) goto done;
    st = o2o_hash(hasher, "phone", 5, typed_phone, strlen(typed_phone), &hashed);
    if (st == O2O_STATUS_INVALID_INPUT) {
      printf("  phone `%s` not usable: %s\n", typed_phone, o2o_last_error());
    } else if (check(st, "hash")) {
      printf("  phone hashed for the Meta upload: %s\n", hashed.ptr);
    }
  } else {
    printf("  phone not hashed: no consent for upload (%s)\n", reason.ptr);
  }

  /* 3. Record the visit: purchase, consent, and the phone as the customer's identifier when
   *    linking is allowed. */
  bool may_link = false;
  o2o_string_free(&reason);
  if (!check(o2o_consent_check(consent, O2O_OPERATION_LINK_IDENTITY, &may_link, &reason),
             "consent check") ||
      !check(o2o_checkin_set_value(checkin, 350000, "VND", 3), "value") ||
      !check(o2o_checkin_add_item(checkin, "TEA-500", 7, 2, 175000), "item") ||
      !check(o2o_checkin_set_consent(checkin, consent), "consent"))
    goto done;
  if (may_link && !check(o2o_checkin_add_identifier(checkin, "phone", 5, typed_phone,
                                                    strlen(typed_phone)),
                         "identifier"))
    goto done;
  if (!check(o2o_checkin_to_ndjson(checkin, &line), "ndjson")) goto done;
  fwrite(line.ptr, 1, line.len, events);
  printf("  check-in recorded (%zu bytes of NDJSON)\n", line.len);
  ok = 1;

done:
  o2o_string_free(&line);
  o2o_string_free(&reason);
  o2o_string_free(&hashed);
  o2o_hasher_free(hasher);
  o2o_checkin_free(checkin);
  o2o_consent_free(consent);
  return ok;
}

int main(void) {
  if (o2o_abi_version() != O2O_ABI_VERSION) {
    fprintf(stderr, "libo2o ABI %u does not match the header's %u\n", o2o_abi_version(),
            O2O_ABI_VERSION);
    return 1;
  }
  printf("till %s, libo2o %s\n", STORE, o2o_version());

  int rc = 1;
  o2o_key *key = NULL;
  o2o_verifier *verifier = NULL;
  o2o_string code = {NULL, 0}, code2 = {NULL, 0};
  FILE *events = NULL;
  if (!check(o2o_key_new(KEY_FILE, strlen(KEY_FILE), &key), "key file") ||
      !check(o2o_verifier_new(key, CAMPAIGNS, strlen(CAMPAIGNS), &verifier), "verifier") ||
      /* The store is at UTC+7: a code is valid through its expiry day on the store's calendar. */
      !check(o2o_verifier_set_utc_offset(verifier, 7 * 3600), "store time zone") ||
      !hq_issue_short_code(key, &code) || !hq_issue_code(key, 43, &code2))
    goto done;
  events = fopen("events.ndjson", "a");
  if (events == NULL) {
    perror("events.ndjson");
    goto done;
  }

  const long long now = 1772359200; /* 2026-03-01 10:00 UTC */
  const char *consented = "{\"gcm\":{\"ad_storage\":\"granted\",\"analytics_storage\":\"granted\","
                          "\"ad_user_data\":\"granted\",\"ad_personalization\":\"denied\"}}";
  const char *refused = "{\"gcm\":{\"ad_user_data\":\"denied\"}}";

  printf("customer 1 (consents):\n");
  int served = serve(verifier, code.ptr, "0912 345 678", consented, now, events);
  printf("customer 2 (refuses upload):\n");
  served += serve(verifier, code2.ptr, "0987 654 321", refused, now, events);

  /* A mistyped code: the check character catches it before any signature check. */
  char typo[64];
  snprintf(typo, sizeof typo, "%s", code.ptr);
  typo[4] = typo[4] == 'A' ? 'B' : 'A';
  printf("customer 3 (typo in the code):\n");
  served += serve(verifier, typo, "0912 000 111", consented, now, events);

  printf("%d of 3 visits recorded in events.ndjson\n", served);
  rc = served == 2 ? 0 : 1;

done:
  if (events != NULL) fclose(events);
  o2o_string_free(&code);
  o2o_string_free(&code2);
  o2o_verifier_free(verifier);
  o2o_key_free(key);
  return rc;
}
