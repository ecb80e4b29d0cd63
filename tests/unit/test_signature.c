/* test_signature.c: signature checks and signing, on reference vectors from Sinch's SDK
 * tests (the file PEER_CASES, read at run time) and on cases of our own. */
#include <string.h>

#include <apr_base64.h>
#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "test_suites.h"
#include "sinchfn_core.h"

#define PEER_CASES SINCHFN_SOURCE_DIR "/tests/vectors/signature-cases.json"

/* An application key, and the secret of the example in Sinch's Voice documentation. */
#define APP_KEY "669E367E-6BBA-48AB-AF15-266871C28135"
#define DOCS_SECRET "BeIukql3pTKJ8RGL5zo0DA=="

/* Cases where Sinch's SDKs disagree, with the outcome mod_sinchfn chose. A case that
 * records a disagreement and is missing here fails, so every new one gets a decision. */
static const struct {
    const char *id;
    int valid;
} decisions[] = {
    /* Node accepts `Basic KEY:SECRET` with the raw key and secret; Java and .NET reject
     * Basic. mod_sinchfn accepts Basic only as RFC 7617 base64 of KEY:SECRET. */
    { "app-node-basic-valid", 0 },
};

/* The cases of the vector file, loaded once before the tests fork. */
/* The whole vector file stays referenced for the life of the process, so LeakSanitizer
 * does not report it from each forked test. volatile keeps the compiler from dropping
 * a variable that is only written. */
static json_object *volatile peer_root;
static json_object *peer_cases;
static const char *peer_cases_problem;

/* ---- helpers ---- */

static const char *member_string(json_object *object, const char *name)
{
    json_object *member;

    if (!object || !json_object_object_get_ex(object, name, &member) || json_object_is_type(member, json_type_null))
        return NULL;
    return json_object_get_string(member);
}

static json_object *member(json_object *object, const char *name)
{
    json_object *value = NULL;

    if (object)
        json_object_object_get_ex(object, name, &value);
    return value;
}

static sinchfn_request *make_request(const char *method, const char *path, const char *body)
{
    sinchfn_request *request = sinchfn_request_create(test_pool, method, path, apr_table_make(test_pool, 4));

    if (body && *body) {
        request->body = body;
        request->body_length = strlen(body);
    }
    return request;
}

static sinchfn_request *request_from_case(json_object *inputs)
{
    sinchfn_request *request = make_request(member_string(inputs, "method") ? member_string(inputs, "method") : "POST",
                                            member_string(inputs, "path") ? member_string(inputs, "path") : "/",
                                            member_string(inputs, "body"));
    json_object *headers = member(inputs, "headers");

    if (headers) {
        json_object_object_foreach(headers, name, value)
            apr_table_set(request->headers, name, json_object_get_string(value));
    }
    return request;
}

static const char *hex(const unsigned char *bytes, apr_size_t length)
{
    char *text = apr_palloc(test_pool, length * 2 + 1);

    apr_escape_hex(text, bytes, length, 0, NULL);
    return text;
}

static const char *base64_hmac_sha256(const char *key, const char *data, apr_size_t length)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    char *text;

    ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)data, length, mac, &size));
    text = apr_palloc(test_pool, (apr_size_t)apr_base64_encode_len((int)size));
    apr_base64_encode_binary(text, mac, (int)size);
    return text;
}

static const char *hex_hmac_sha256(const char *key, const char *data)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;

    ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)data, strlen(data), mac,
                               &size));
    return hex(mac, size);
}

/* Returns the validity a validate case must have: the decision when the SDKs disagree,
 * else expected.valid. */
static int expected_validity(json_object *peer_case)
{
    const char *id = member_string(peer_case, "id");
    apr_size_t i;

    for (i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++) {
        if (!strcmp(decisions[i].id, id))
            return decisions[i].valid;
    }
    ck_assert_msg(!member(peer_case, "expected_by_sdk") && !member(peer_case, "sdk_disagreement"),
                  "case %s records an SDK disagreement but has no entry in decisions[]", id);
    return json_object_get_boolean(member(member(peer_case, "expected"), "valid"));
}

/* ---- the reference vectors ---- */

static void load_peer_cases(void)
{
    peer_root = json_object_from_file(PEER_CASES);
    if (!peer_root) {
        peer_cases_problem = "cannot read " PEER_CASES "; the signature reference vectors must sit in "
                             "tests/vectors of the source tree";
        return;
    }
    peer_cases = member(peer_root, "cases");
    if (!peer_cases || !json_object_is_type(peer_cases, json_type_array) || json_object_array_length(peer_cases) == 0)
        peer_cases_problem = PEER_CASES " has no \"cases\" array";
}

static void check_application_intermediate(json_object *peer_case, const sinchfn_request *request,
                                           const char *content_type, const char *x_timestamp)
{
    json_object *intermediate = member(peer_case, "intermediate");
    json_object *inputs = member(peer_case, "inputs");
    const char *string_to_sign = member_string(intermediate, "string_to_sign");
    const char *key_hex = member_string(intermediate, "hmac_key_hex");
    const unsigned char *key;
    apr_size_t key_length;

    if (string_to_sign)
        ck_assert_str_eq(sinchfn_application_string_to_sign(test_pool, request->method, request->path, content_type,
                                                            x_timestamp, request->body ? request->body : "",
                                                            request->body_length),
                         string_to_sign);
    if (key_hex) {
        ck_assert(sinchfn_decode_secret(test_pool, member_string(inputs, "application_secret"), &key, &key_length));
        ck_assert_str_eq(hex(key, key_length), key_hex);
    }
}

static void run_application_validate(json_object *peer_case)
{
    json_object *inputs = member(peer_case, "inputs");
    sinchfn_request *request = request_from_case(inputs);
    const char *reason = NULL;
    sinchfn_signature_status status;
    int valid = expected_validity(peer_case);

    /* The vectors date from 2014 to 2024: the time check is off (max skew 0). */
    status = sinchfn_check_application(test_pool, request, member_string(inputs, "application_key"),
                                       member_string(inputs, "application_secret"), apr_time_now(), 0, &reason);
    ck_assert_msg((status == SINCHFN_SIGNATURE_VALID) == valid, "case %s: expected %s, got status %d (%s)",
                  member_string(peer_case, "id"), valid ? "valid" : "invalid", (int)status, reason ? reason : "-");
    check_application_intermediate(peer_case, request, apr_table_get(request->headers, "Content-Type"),
                                   apr_table_get(request->headers, "x-timestamp"));
}

static void run_application_sign(json_object *peer_case)
{
    json_object *inputs = member(peer_case, "inputs");
    const char *body = member_string(inputs, "body");
    sinchfn_request *request = make_request(member_string(inputs, "method"), member_string(inputs, "path"), body);
    const char *authorization, *reason = NULL;

    authorization = sinchfn_sign_application_request(test_pool, member_string(inputs, "application_key"),
                                                     member_string(inputs, "application_secret"),
                                                     member_string(inputs, "method"), member_string(inputs, "path"),
                                                     member_string(inputs, "content_type"),
                                                     member_string(inputs, "x_timestamp"), body, strlen(body));
    ck_assert_ptr_nonnull(authorization);
    ck_assert_str_eq(authorization, member_string(member(peer_case, "expected"), "authorization"));
    check_application_intermediate(peer_case, request, member_string(inputs, "content_type"),
                                   member_string(inputs, "x_timestamp"));

    /* What was signed must pass the check that guards callbacks. */
    apr_table_set(request->headers, "Authorization", authorization);
    apr_table_set(request->headers, "Content-Type", member_string(inputs, "content_type"));
    apr_table_set(request->headers, "x-timestamp", member_string(inputs, "x_timestamp"));
    ck_assert_int_eq(sinchfn_check_application(test_pool, request, member_string(inputs, "application_key"),
                                               member_string(inputs, "application_secret"), apr_time_now(), 0,
                                               &reason),
                     SINCHFN_SIGNATURE_VALID);
}

static void run_webhook_validate(json_object *peer_case)
{
    json_object *inputs = member(peer_case, "inputs");
    sinchfn_request *request = request_from_case(inputs);
    const char *reason = NULL;
    sinchfn_signature_status status;
    int valid = expected_validity(peer_case);

    status = sinchfn_check_webhook(test_pool, request, member_string(inputs, "secret"), apr_time_now(), 0, &reason);
    ck_assert_msg((status == SINCHFN_SIGNATURE_VALID) == valid, "case %s: expected %s, got status %d (%s)",
                  member_string(peer_case, "id"), valid ? "valid" : "invalid", (int)status, reason ? reason : "-");
}

/* The layout case names no signature: sign its expected signed data here and check that
 * the webhook check accepts it for the case's body, nonce and timestamp. */
static void run_webhook_signed_data(json_object *peer_case)
{
    json_object *inputs = member(peer_case, "inputs");
    const char *signed_data = member_string(member(peer_case, "expected"), "signed_data");
    sinchfn_request *request = make_request("POST", "/", member_string(inputs, "body"));
    const char *reason = NULL;

    apr_table_set(request->headers, "x-sinch-webhook-signature",
                  base64_hmac_sha256("layout-secret", signed_data, strlen(signed_data)));
    apr_table_set(request->headers, "x-sinch-webhook-signature-nonce", member_string(inputs, "nonce"));
    apr_table_set(request->headers, "x-sinch-webhook-signature-timestamp", member_string(inputs, "timestamp"));
    ck_assert_int_eq(sinchfn_check_webhook(test_pool, request, "layout-secret", apr_time_now(), 0, &reason),
                     SINCHFN_SIGNATURE_VALID);
}

static void run_numbers_validate(json_object *peer_case)
{
    json_object *inputs = member(peer_case, "inputs");
    sinchfn_request *request = request_from_case(inputs);
    const char *reason = NULL;
    sinchfn_signature_status status;
    int valid = expected_validity(peer_case);

    status = sinchfn_check_numbers(test_pool, request, member_string(inputs, "secret"), &reason);
    ck_assert_msg((status == SINCHFN_SIGNATURE_VALID) == valid, "case %s: expected %s, got status %d (%s)",
                  member_string(peer_case, "id"), valid ? "valid" : "invalid", (int)status, reason ? reason : "-");
}

START_TEST(signature_peer_case)
{
    json_object *peer_case;
    const char *scheme, *operation;

    ck_assert_msg(peer_cases_problem == NULL, "%s", peer_cases_problem);
    peer_case = json_object_array_get_idx(peer_cases, (size_t)_i);
    scheme = member_string(peer_case, "scheme");
    operation = member_string(peer_case, "operation");
    ck_assert_ptr_nonnull(scheme);
    ck_assert_ptr_nonnull(operation);

    if (!strcmp(scheme, "application-signed") && !strcmp(operation, "validate"))
        run_application_validate(peer_case);
    else if (!strcmp(scheme, "application-signed") && !strcmp(operation, "sign"))
        run_application_sign(peer_case);
    else if (!strcmp(scheme, "webhook-hmac-sha256-nonce") && !strcmp(operation, "validate"))
        run_webhook_validate(peer_case);
    else if (!strcmp(scheme, "webhook-hmac-sha256-nonce") && !strcmp(operation, "signed-data"))
        run_webhook_signed_data(peer_case);
    else if (!strcmp(scheme, "numbers-hmac-sha1-hex") && !strcmp(operation, "validate"))
        run_numbers_validate(peer_case);
    else
        ck_abort_msg("case %s has scheme %s and operation %s, which no test runs", member_string(peer_case, "id"),
                     scheme, operation);
}
END_TEST

/* ---- secrets and times ---- */

START_TEST(secret_standard_base64)
{
    const unsigned char *bytes;
    apr_size_t length;

    ck_assert(sinchfn_decode_secret(test_pool, DOCS_SECRET, &bytes, &length));
    ck_assert_str_eq(hex(bytes, length), "05e22e92a977a53289f1118be73a340c");
}
END_TEST

START_TEST(secret_url_safe_unpadded)
{
    const unsigned char *bytes;
    apr_size_t length;

    ck_assert(sinchfn_decode_secret(test_pool, "app-secret", &bytes, &length));
    ck_assert_str_eq(hex(bytes, length), "6a9a7eb1e72b7a");
    ck_assert(sinchfn_decode_secret(test_pool, "9876543210", &bytes, &length));
    ck_assert_str_eq(hex(bytes, length), "f7cefae78df6d7");
    ck_assert(sinchfn_decode_secret(test_pool, "_-8", &bytes, &length));
    ck_assert_str_eq(hex(bytes, length), "ffef");
}
END_TEST

START_TEST(secret_invalid_rejected)
{
    static const char *const invalid[] = { "", "=", "a", "abcde", "ab$d", "ab d", "ab==cd" };
    const unsigned char *bytes;
    apr_size_t length, i;

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        ck_assert_msg(!sinchfn_decode_secret(test_pool, invalid[i], &bytes, &length), "'%s' was accepted", invalid[i]);
    ck_assert(!sinchfn_decode_secret(test_pool, NULL, &bytes, &length));
}
END_TEST

START_TEST(strict_base64_rejects_url_safe)
{
    const unsigned char *bytes;
    apr_size_t length;

    ck_assert(sinchfn_decode_base64_strict(test_pool, "dXNlcjpwYXNz", &bytes, &length));
    ck_assert_uint_eq(length, 9);
    ck_assert(!sinchfn_decode_base64_strict(test_pool, "dXNlcjpwYXN", &bytes, &length));
    ck_assert(!sinchfn_decode_base64_strict(test_pool, "dXNl-jpw", &bytes, &length));
    ck_assert(!sinchfn_decode_base64_strict(test_pool, "app-key:app-secret", &bytes, &length));
}
END_TEST

START_TEST(iso8601_seven_fraction_digits)
{
    apr_time_t time;

    ck_assert_int_eq(sinchfn_parse_iso8601("2023-12-01T15:01:20.0406449Z", &time), APR_SUCCESS);
    ck_assert_int_eq(apr_time_sec(time), 1701442880);
    ck_assert_int_eq(apr_time_usec(time), 40644);
}
END_TEST

START_TEST(iso8601_forms)
{
    apr_time_t time;

    ck_assert_int_eq(sinchfn_parse_iso8601("2014-09-24T10:59:41Z", &time), APR_SUCCESS);
    ck_assert_int_eq(apr_time_sec(time), 1411556381);
    ck_assert_int_eq(sinchfn_parse_iso8601("2014-09-24T12:59:41+02:00", &time), APR_SUCCESS);
    ck_assert_int_eq(apr_time_sec(time), 1411556381);
    ck_assert_int_eq(sinchfn_parse_iso8601("2014-09-24T10:59:41.5Z", &time), APR_SUCCESS);
    ck_assert_int_eq(apr_time_usec(time), 500000);
}
END_TEST

START_TEST(iso8601_lower_case_and_leap_second)
{
    apr_time_t time;

    ck_assert_int_eq(sinchfn_parse_iso8601("2014-09-24t10:59:41z", &time), APR_SUCCESS);
    ck_assert(time == apr_time_from_sec(1411556381));
    ck_assert_int_eq(sinchfn_parse_iso8601("2016-12-31T23:59:60Z", &time), APR_SUCCESS);
    ck_assert(time == apr_time_from_sec(1483228800));
}
END_TEST

START_TEST(iso8601_invalid)
{
    static const char *const invalid[] = {
        "", "2014-09-24", "2014-09-24T10:59:41", "2014-09-24T10:59:41.Z", "2014-09-24 10:59:41Z",
        "2014-13-24T10:59:41Z", "2014-09-24T24:00:00Z", "2014-09-24T10:59:41Zjunk", "x-timestamp:2014-09-24T10:59:41Z",
        "2014-09-24T10:59:41+0200", "2014-02-29T10:59:41Z", "2014-04-31T10:59:41Z", "1969-12-31T23:59:59Z",
    };
    apr_time_t time;
    apr_size_t i;

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        ck_assert_msg(sinchfn_parse_iso8601(invalid[i], &time) != APR_SUCCESS, "'%s' was accepted", invalid[i]);
}
END_TEST

/* ---- application signature ---- */

#define CALLBACK_BODY "{\"event\":\"ace\",\"callid\":\"c1\"}"

/* A callback to /fn/ace signed with the docs secret at the given x-timestamp. */
static sinchfn_request *signed_callback(const char *x_timestamp, const char *scheme)
{
    sinchfn_request *request = make_request("POST", "/fn/ace", CALLBACK_BODY);
    const char *authorization = sinchfn_sign_application_request(test_pool, APP_KEY, DOCS_SECRET, "POST", "/fn/ace",
                                                                 "application/json", x_timestamp, CALLBACK_BODY,
                                                                 strlen(CALLBACK_BODY));

    ck_assert_ptr_nonnull(authorization);
    apr_table_set(request->headers, "Content-Type", "application/json");
    apr_table_set(request->headers, "x-timestamp", x_timestamp);
    apr_table_set(request->headers, "Authorization",
                  apr_pstrcat(test_pool, scheme, authorization + strlen("Application"), NULL));
    return request;
}

static const char *iso_time(apr_time_t time)
{
    apr_time_exp_t exploded;

    apr_time_exp_gmt(&exploded, time);
    return apr_psprintf(test_pool, "%04d-%02d-%02dT%02d:%02d:%02d.%06d1Z", exploded.tm_year + 1900,
                        exploded.tm_mon + 1, exploded.tm_mday, exploded.tm_hour, exploded.tm_min, exploded.tm_sec,
                        exploded.tm_usec);
}

static sinchfn_signature_status check(const sinchfn_request *request, apr_time_t now, apr_int64_t max_skew,
                                      const char **reason)
{
    return sinchfn_check_application(test_pool, request, APP_KEY, DOCS_SECRET, now, max_skew, reason);
}

START_TEST(application_fresh_signature_valid)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;

    ck_assert_int_eq(check(signed_callback(iso_time(now), "Application"), now, 600, &reason), SINCHFN_SIGNATURE_VALID);
    ck_assert_int_eq(check(signed_callback(iso_time(now), "application"), now, 600, &reason), SINCHFN_SIGNATURE_VALID);
    ck_assert_int_eq(check(signed_callback(iso_time(now), "APPLICATION"), now, 600, &reason), SINCHFN_SIGNATURE_VALID);
}
END_TEST

START_TEST(application_stale_timestamp_expired)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;
    sinchfn_request *request = signed_callback(iso_time(now - apr_time_from_sec(601)), "Application");

    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_ptr_nonnull(strstr(reason, "in the past"));
    ck_assert_int_eq(check(request, now, 0, &reason), SINCHFN_SIGNATURE_VALID);
}
END_TEST

START_TEST(application_future_timestamp_expired)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;
    sinchfn_request *request = signed_callback(iso_time(now + apr_time_from_sec(602)), "Application");

    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_ptr_nonnull(strstr(reason, "in the future"));
}
END_TEST

/* The skew is compared in microseconds, so part of a second past the limit fails. */
START_TEST(application_skew_fraction_expired)
{
    apr_time_t now = apr_time_now();
    apr_time_t half = APR_USEC_PER_SEC / 2;
    const char *reason = NULL;

    ck_assert_int_eq(check(signed_callback(iso_time(now - apr_time_from_sec(600) - half), "Application"), now, 600,
                           &reason),
                     SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_ptr_nonnull(strstr(reason, "is 601 s in the past"));
    ck_assert_int_eq(check(signed_callback(iso_time(now + apr_time_from_sec(600) + half), "Application"), now, 600,
                           &reason),
                     SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_ptr_nonnull(strstr(reason, "is 601 s in the future"));
    ck_assert_int_eq(check(signed_callback(iso_time(now - apr_time_from_sec(599) - half), "Application"), now, 600,
                           &reason),
                     SINCHFN_SIGNATURE_VALID);
    ck_assert_int_eq(check(signed_callback(iso_time(now + apr_time_from_sec(599) + half), "Application"), now, 600,
                           &reason),
                     SINCHFN_SIGNATURE_VALID);
}
END_TEST

START_TEST(application_unparsable_timestamp_rejected)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;

    ck_assert_int_eq(check(signed_callback("yesterday", "Application"), now, 600, &reason), SINCHFN_SIGNATURE_MALFORMED);
    ck_assert_str_eq(reason, "x-timestamp is not an ISO-8601 time");
}
END_TEST

START_TEST(application_body_changed_mismatch)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_callback(iso_time(now), "Application");
    const char *reason = NULL;

    request->body = "{\"event\":\"ace\",\"callid\":\"c2\"}";
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_str_eq(reason, "the signature does not match the request");
}
END_TEST

START_TEST(application_content_type_verbatim)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_callback(iso_time(now), "Application");
    const char *reason = NULL;

    apr_table_set(request->headers, "Content-Type", "application/json; charset=utf-8");
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MISMATCH);
    apr_table_unset(request->headers, "Content-Type");
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MISMATCH);
}
END_TEST

START_TEST(application_wrong_key_mismatch)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;

    ck_assert_int_eq(sinchfn_check_application(test_pool, signed_callback(iso_time(now), "Application"), "other-key",
                                               DOCS_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_str_eq(reason, "the application key does not match the configured key");
    /* A configured key that is a prefix or an extension of the sent one does not match. */
    ck_assert_int_eq(sinchfn_check_application(test_pool, signed_callback(iso_time(now), "Application"),
                                               apr_pstrndup(test_pool, APP_KEY, strlen(APP_KEY) - 1), DOCS_SECRET,
                                               now, 600, &reason),
                     SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_int_eq(sinchfn_check_application(test_pool, signed_callback(iso_time(now), "Application"),
                                               APP_KEY "0", DOCS_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_str_eq(reason, "the application key does not match the configured key");
}
END_TEST

START_TEST(application_wrong_secret_mismatch)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;

    ck_assert_int_eq(sinchfn_check_application(test_pool, signed_callback(iso_time(now), "Application"), APP_KEY,
                                               "b3RoZXItc2VjcmV0", now, 600, &reason),
                     SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_str_eq(reason, "the signature does not match the request");
}
END_TEST

/* Secrets alternate on one thread, as Locations with different secrets do, so a secret
 * decoded for one request must not serve the next. */
START_TEST(application_secrets_alternate)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_callback(iso_time(now), "Application");
    const char *reason = NULL;
    int round;

    for (round = 0; round < 3; round++) {
        ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_VALID);
        ck_assert_int_eq(sinchfn_check_application(test_pool, request, APP_KEY, "b3RoZXItc2VjcmV0", now, 600,
                                                   &reason),
                         SINCHFN_SIGNATURE_MISMATCH);
        ck_assert_int_eq(sinchfn_check_application(test_pool, request, APP_KEY, "not base64!", now, 600, &reason),
                         SINCHFN_SIGNATURE_NO_SECRET);
    }
}
END_TEST

START_TEST(application_malformed_authorization)
{
    static const char *const values[] = {
        "Application  " APP_KEY ":sig", "Application " APP_KEY ":sig ", "Application", "Application " APP_KEY,
        "Application " APP_KEY ":a:b", " Application " APP_KEY ":sig",
    };
    apr_time_t now = apr_time_now();
    apr_size_t i;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        sinchfn_request *request = signed_callback(iso_time(now), "Application");
        const char *reason = NULL;

        apr_table_set(request->headers, "Authorization", values[i]);
        ck_assert_msg(check(request, now, 600, &reason) == SINCHFN_SIGNATURE_MALFORMED, "'%s': %s", values[i],
                      reason ? reason : "accepted");
    }
}
END_TEST

START_TEST(application_missing_headers)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_callback(iso_time(now), "Application");
    const char *reason = NULL;

    apr_table_unset(request->headers, "x-timestamp");
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MISSING);
    ck_assert_str_eq(reason, "the x-timestamp header is missing");
    apr_table_unset(request->headers, "Authorization");
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MISSING);
    ck_assert_str_eq(reason, "the Authorization header is missing");
}
END_TEST

START_TEST(application_other_scheme_unsupported)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;

    ck_assert_int_eq(check(signed_callback(iso_time(now), "Bearer"), now, 600, &reason), SINCHFN_SIGNATURE_UNSUPPORTED);
    /* The scheme matches by its whole length, case aside. */
    ck_assert_int_eq(check(signed_callback(iso_time(now), "Applicatio"), now, 600, &reason),
                     SINCHFN_SIGNATURE_UNSUPPORTED);
    ck_assert_int_eq(check(signed_callback(iso_time(now), "Applications"), now, 600, &reason),
                     SINCHFN_SIGNATURE_UNSUPPORTED);
    ck_assert_int_eq(check(signed_callback(iso_time(now), "Basi"), now, 600, &reason), SINCHFN_SIGNATURE_UNSUPPORTED);
}
END_TEST

START_TEST(application_basic_base64_only)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = make_request("POST", "/fn/ace", CALLBACK_BODY);
    char encoded[128];
    const char *reason = NULL;

    apr_base64_encode(encoded, APP_KEY ":" DOCS_SECRET, (int)strlen(APP_KEY ":" DOCS_SECRET));
    apr_table_set(request->headers, "Authorization", apr_pstrcat(test_pool, "Basic ", encoded, NULL));
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_VALID);

    apr_table_set(request->headers, "Authorization", "Basic " APP_KEY ":" DOCS_SECRET);
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MALFORMED);

    apr_base64_encode(encoded, APP_KEY ":wrong", (int)strlen(APP_KEY ":wrong"));
    apr_table_set(request->headers, "Authorization", apr_pstrcat(test_pool, "basic ", encoded, NULL));
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_MISMATCH);
}
END_TEST

/* The header step decides without the body, and the body step checks the signature. */
START_TEST(application_steps_split_at_body)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_callback(iso_time(now), "Application");
    const char *body = request->body;
    sinchfn_application_check check;
    const char *reason = NULL;

    request->body = NULL;
    request->body_length = 0;
    ck_assert_int_eq(sinchfn_check_application_headers(test_pool, request, APP_KEY, DOCS_SECRET, now, 600, &check,
                                                       &reason),
                     SINCHFN_SIGNATURE_VALID);
    ck_assert_ptr_null(reason);
    ck_assert_int_eq(check.basic, 0);
    ck_assert_ptr_nonnull(check.signature);
    request->body = body;
    request->body_length = strlen(body);
    ck_assert_int_eq(sinchfn_check_application_body(test_pool, request, &check, &reason), SINCHFN_SIGNATURE_VALID);

    ck_assert_int_eq(sinchfn_check_application_headers(test_pool, request, "other-key", DOCS_SECRET, now, 600, &check,
                                                       &reason),
                     SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_str_eq(reason, "the application key does not match the configured key");
}
END_TEST

START_TEST(application_header_step_checks_skew)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_callback(iso_time(now - apr_time_from_sec(601)), "Application");
    sinchfn_application_check found;
    const char *reason = NULL;

    /* The skew is checked before the signature, so a stale request with a changed body
     * reports its timestamp. */
    request->body = "{}";
    request->body_length = 2;
    ck_assert_int_eq(sinchfn_check_application_headers(test_pool, request, APP_KEY, DOCS_SECRET, now, 600, &found,
                                                       &reason),
                     SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_ptr_nonnull(strstr(reason, "in the past"));
    ck_assert_int_eq(check(request, now, 600, &reason), SINCHFN_SIGNATURE_EXPIRED);
}
END_TEST

START_TEST(application_body_step_fails_closed)
{
    sinchfn_request *request = signed_callback(iso_time(apr_time_now()), "Application");
    sinchfn_application_check check;
    const char *reason = NULL;

    memset(&check, 0, sizeof(check));
    ck_assert_int_eq(sinchfn_check_application_body(test_pool, request, &check, &reason), SINCHFN_SIGNATURE_MISSING);
    ck_assert_str_eq(reason, "the headers were not checked before the body");
}
END_TEST

START_TEST(application_basic_decided_by_headers)
{
    sinchfn_request *request = make_request("POST", "/fn/ace", CALLBACK_BODY);
    sinchfn_application_check check;
    const char *reason = NULL;
    char encoded[128];

    apr_base64_encode(encoded, APP_KEY ":" DOCS_SECRET, (int)strlen(APP_KEY ":" DOCS_SECRET));
    apr_table_set(request->headers, "Authorization", apr_pstrcat(test_pool, "Basic ", encoded, NULL));
    ck_assert_int_eq(sinchfn_check_application_headers(test_pool, request, APP_KEY, DOCS_SECRET, apr_time_now(), 600,
                                                       &check, &reason),
                     SINCHFN_SIGNATURE_VALID);
    ck_assert_int_eq(check.basic, 1);
    ck_assert_int_eq(sinchfn_check_application_body(test_pool, request, &check, &reason), SINCHFN_SIGNATURE_VALID);
}
END_TEST

START_TEST(application_without_secret)
{
    const char *reason = NULL;
    sinchfn_request *request = signed_callback("2014-09-24T10:59:41Z", "Application");

    ck_assert_int_eq(sinchfn_check_application(test_pool, request, APP_KEY, NULL, 0, 0, &reason),
                     SINCHFN_SIGNATURE_NO_SECRET);
    ck_assert_int_eq(sinchfn_check_application(test_pool, request, NULL, DOCS_SECRET, 0, 0, &reason),
                     SINCHFN_SIGNATURE_NO_SECRET);
    ck_assert_int_eq(sinchfn_check_application(test_pool, request, APP_KEY, "not base64!", 0, 0, &reason),
                     SINCHFN_SIGNATURE_NO_SECRET);
    ck_assert_str_eq(reason, "the application secret is not valid base64");
}
END_TEST

START_TEST(application_empty_body_md5)
{
    ck_assert_str_eq(sinchfn_application_string_to_sign(test_pool, "get", "/p", "application/json", "t", "", 0),
                     "GET\n\napplication/json\nx-timestamp:t\n/p");
}
END_TEST

/* ---- webhook signature ---- */

#define WEBHOOK_SECRET "webhook-secret"

static sinchfn_request *signed_webhook(const char *body, const char *timestamp)
{
    sinchfn_request *request = make_request("POST", "/fn/webhook/conversation", body);
    const char *data = apr_pstrcat(test_pool, body, ".nonce-1.", timestamp, NULL);

    apr_table_set(request->headers, "x-sinch-webhook-signature", base64_hmac_sha256(WEBHOOK_SECRET, data, strlen(data)));
    apr_table_set(request->headers, "x-sinch-webhook-signature-nonce", "nonce-1");
    apr_table_set(request->headers, "x-sinch-webhook-signature-timestamp", timestamp);
    return request;
}

static const char *unix_seconds(apr_time_t time)
{
    return apr_psprintf(test_pool, "%" APR_INT64_T_FMT, (apr_int64_t)apr_time_sec(time));
}

START_TEST(webhook_algorithm_header)
{
    apr_time_t now = apr_time_now();
    sinchfn_request *request = signed_webhook("{\"a\":1}", unix_seconds(now));
    const char *reason = NULL;

    ck_assert_int_eq(sinchfn_check_webhook(test_pool, request, WEBHOOK_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_VALID);
    apr_table_set(request->headers, "x-sinch-webhook-signature-algorithm", "HmacSHA256");
    ck_assert_int_eq(sinchfn_check_webhook(test_pool, request, WEBHOOK_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_VALID);
    apr_table_set(request->headers, "x-sinch-webhook-signature-algorithm", "HmacSHA1");
    ck_assert_int_eq(sinchfn_check_webhook(test_pool, request, WEBHOOK_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_UNSUPPORTED);
}
END_TEST

START_TEST(webhook_replay_window)
{
    apr_time_t now = apr_time_now();
    const char *reason = NULL;

    ck_assert_int_eq(sinchfn_check_webhook(test_pool, signed_webhook("{}", unix_seconds(now - apr_time_from_sec(700))),
                                           WEBHOOK_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_int_eq(sinchfn_check_webhook(test_pool, signed_webhook("{}", unix_seconds(now + apr_time_from_sec(700))),
                                           WEBHOOK_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_int_eq(sinchfn_check_webhook(test_pool, signed_webhook("{}", "1634579353.5"), WEBHOOK_SECRET, now, 600,
                                           &reason),
                     SINCHFN_SIGNATURE_MALFORMED);
}
END_TEST

START_TEST(webhook_body_with_nul)
{
    static const char body[] = "a\0b";
    apr_time_t now = apr_time_now();
    sinchfn_request *request = make_request("POST", "/", NULL);
    const char *timestamp = unix_seconds(now);
    char *data = apr_palloc(test_pool, 64);
    apr_size_t length = 3 + strlen(".n.") + strlen(timestamp);
    const char *reason = NULL;

    memcpy(data, body, 3);
    apr_snprintf(data + 3, 61, ".n.%s", timestamp);
    request->body = body;
    request->body_length = 3;
    apr_table_set(request->headers, "x-sinch-webhook-signature", base64_hmac_sha256(WEBHOOK_SECRET, data, length));
    apr_table_set(request->headers, "x-sinch-webhook-signature-nonce", "n");
    apr_table_set(request->headers, "x-sinch-webhook-signature-timestamp", timestamp);
    ck_assert_int_eq(sinchfn_check_webhook(test_pool, request, WEBHOOK_SECRET, now, 600, &reason),
                     SINCHFN_SIGNATURE_VALID);
}
END_TEST

/* ---- timestamped HMAC ---- */

static sinchfn_request *stripe_request(const char *header_value)
{
    sinchfn_request *request = make_request("POST", "/fn/stripe", "{\"id\":\"evt_1\"}");

    apr_table_set(request->headers, "Stripe-Signature", header_value);
    return request;
}

START_TEST(timestamped_hmac_valid)
{
    apr_time_t now = apr_time_now();
    const char *t = unix_seconds(now);
    const char *v1 = hex_hmac_sha256("whsec", apr_pstrcat(test_pool, t, ".{\"id\":\"evt_1\"}", NULL));
    const char *reason = NULL;

    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(apr_pstrcat(test_pool, "t=", t, ",v1=", v1,
                                                                                          NULL)),
                                                    "Stripe-Signature", "whsec", now, 300, &reason),
                     SINCHFN_SIGNATURE_VALID);
    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool,
                                                    stripe_request(apr_pstrcat(test_pool, "t=", t, ", v1=00, v1=", v1,
                                                                               ",v0=ff", NULL)),
                                                    "Stripe-Signature", "whsec", now, 300, &reason),
                     SINCHFN_SIGNATURE_VALID);
}
END_TEST

/* The HMAC context kept per thread for a key must not serve another key: secrets that
 * alternate, including one longer than any kept key and one that is a prefix of
 * another, each verify under their own HMAC only. */
START_TEST(timestamped_hmac_secrets_alternate)
{
    static const char *const secrets[] = { "whsec", "other-secret", "other", NULL };
    char long_secret[300];
    apr_time_t now = apr_time_now();
    const char *t = unix_seconds(now);
    const char *data = apr_pstrcat(test_pool, t, ".{\"id\":\"evt_1\"}", NULL);
    const char *reason = NULL;
    int round, i, j;

    memset(long_secret, 'k', sizeof(long_secret) - 1);
    long_secret[sizeof(long_secret) - 1] = '\0';
    for (round = 0; round < 2; round++) {
        for (i = 0; i < 4; i++) {
            const char *secret = secrets[i] ? secrets[i] : long_secret;
            const char *header = apr_pstrcat(test_pool, "t=", t, ",v1=", hex_hmac_sha256(secret, data), NULL);

            for (j = 0; j < 4; j++) {
                const char *checked = secrets[j] ? secrets[j] : long_secret;

                ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(header), "Stripe-Signature",
                                                                checked, now, 300, &reason),
                                 i == j ? SINCHFN_SIGNATURE_VALID : SINCHFN_SIGNATURE_MISMATCH);
            }
        }
    }
}
END_TEST

START_TEST(timestamped_hmac_rejections)
{
    apr_time_t now = apr_time_now();
    const char *t = unix_seconds(now - apr_time_from_sec(400));
    const char *v1 = hex_hmac_sha256("whsec", apr_pstrcat(test_pool, t, ".{\"id\":\"evt_1\"}", NULL));
    const char *header = apr_pstrcat(test_pool, "t=", t, ",v1=", v1, NULL);
    const char *reason = NULL;

    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(header), "Stripe-Signature", "whsec", now,
                                                    300, &reason),
                     SINCHFN_SIGNATURE_EXPIRED);
    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(header), "Stripe-Signature", "whsec", now,
                                                    0, &reason),
                     SINCHFN_SIGNATURE_VALID);
    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(header), "Stripe-Signature", "other",
                                                    now, 0, &reason),
                     SINCHFN_SIGNATURE_MISMATCH);
    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(apr_pstrcat(test_pool, "v1=", v1, NULL)),
                                                    "Stripe-Signature", "whsec", now, 0, &reason),
                     SINCHFN_SIGNATURE_MALFORMED);
    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(apr_pstrcat(test_pool, "t=", t, NULL)),
                                                    "Stripe-Signature", "whsec", now, 0, &reason),
                     SINCHFN_SIGNATURE_MALFORMED);
    ck_assert_int_eq(sinchfn_check_timestamped_hmac(test_pool, stripe_request(header), "X-Other", "whsec", now, 0,
                                                    &reason),
                     SINCHFN_SIGNATURE_MISSING);
}
END_TEST

/* ---- Numbers ---- */

START_TEST(numbers_uppercase_hex_rejected)
{
    sinchfn_request *request = make_request("POST", "/", "{}");
    const char *reason = NULL;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    char *upper;
    apr_size_t i;

    HMAC(EVP_sha1(), "s", 1, (const unsigned char *)"{}", 2, mac, &size);
    upper = apr_pstrdup(test_pool, hex(mac, size));
    apr_table_set(request->headers, "X-Sinch-Signature", upper);
    ck_assert_int_eq(sinchfn_check_numbers(test_pool, request, "s", &reason), SINCHFN_SIGNATURE_VALID);
    for (i = 0; upper[i]; i++)
        upper[i] = (char)apr_toupper(upper[i]);
    apr_table_set(request->headers, "X-Sinch-Signature", upper);
    ck_assert_int_eq(sinchfn_check_numbers(test_pool, request, "s", &reason), SINCHFN_SIGNATURE_MISMATCH);
}
END_TEST

START_TEST(status_texts_distinct)
{
    ck_assert_str_eq(sinchfn_signature_status_text(SINCHFN_SIGNATURE_VALID), "valid signature");
    ck_assert_str_eq(sinchfn_signature_status_text(SINCHFN_SIGNATURE_EXPIRED),
                     "signature timestamp outside the allowed skew");
    ck_assert_str_ne(sinchfn_signature_status_text(SINCHFN_SIGNATURE_MISSING),
                     sinchfn_signature_status_text(SINCHFN_SIGNATURE_MALFORMED));
}
END_TEST

Suite *signature_suite(void)
{
    Suite *suite = suite_create("signature");
    TCase *peer = tcase_create("peer cases");
    TCase *secrets = tcase_create("secrets");
    TCase *application = tcase_create("application");
    TCase *webhooks = tcase_create("webhooks");
    int count;

    load_peer_cases();
    count = peer_cases_problem ? 1 : (int)json_object_array_length(peer_cases);
    tcase_add_checked_fixture(peer, test_pool_setup, test_pool_teardown);
    tcase_add_loop_test(peer, signature_peer_case, 0, count);
    suite_add_tcase(suite, peer);

    tcase_add_checked_fixture(secrets, test_pool_setup, test_pool_teardown);
    tcase_add_test(secrets, secret_standard_base64);
    tcase_add_test(secrets, secret_url_safe_unpadded);
    tcase_add_test(secrets, secret_invalid_rejected);
    tcase_add_test(secrets, strict_base64_rejects_url_safe);
    tcase_add_test(secrets, iso8601_seven_fraction_digits);
    tcase_add_test(secrets, iso8601_forms);
    tcase_add_test(secrets, iso8601_lower_case_and_leap_second);
    tcase_add_test(secrets, iso8601_invalid);
    suite_add_tcase(suite, secrets);

    tcase_add_checked_fixture(application, test_pool_setup, test_pool_teardown);
    tcase_add_test(application, application_fresh_signature_valid);
    tcase_add_test(application, application_stale_timestamp_expired);
    tcase_add_test(application, application_future_timestamp_expired);
    tcase_add_test(application, application_unparsable_timestamp_rejected);
    tcase_add_test(application, application_body_changed_mismatch);
    tcase_add_test(application, application_content_type_verbatim);
    tcase_add_test(application, application_wrong_key_mismatch);
    tcase_add_test(application, application_steps_split_at_body);
    tcase_add_test(application, application_header_step_checks_skew);
    tcase_add_test(application, application_skew_fraction_expired);
    tcase_add_test(application, application_body_step_fails_closed);
    tcase_add_test(application, application_basic_decided_by_headers);
    tcase_add_test(application, application_wrong_secret_mismatch);
    tcase_add_test(application, application_secrets_alternate);
    tcase_add_test(application, application_malformed_authorization);
    tcase_add_test(application, application_missing_headers);
    tcase_add_test(application, application_other_scheme_unsupported);
    tcase_add_test(application, application_basic_base64_only);
    tcase_add_test(application, application_without_secret);
    tcase_add_test(application, application_empty_body_md5);
    suite_add_tcase(suite, application);

    tcase_add_checked_fixture(webhooks, test_pool_setup, test_pool_teardown);
    tcase_add_test(webhooks, webhook_algorithm_header);
    tcase_add_test(webhooks, webhook_replay_window);
    tcase_add_test(webhooks, webhook_body_with_nul);
    tcase_add_test(webhooks, timestamped_hmac_valid);
    tcase_add_test(webhooks, timestamped_hmac_secrets_alternate);
    tcase_add_test(webhooks, timestamped_hmac_rejections);
    tcase_add_test(webhooks, numbers_uppercase_hex_rejected);
    tcase_add_test(webhooks, status_texts_distinct);
    suite_add_tcase(suite, webhooks);
    return suite;
}
