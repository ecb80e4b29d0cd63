/*
 * fuzz_signature.c: the signature header parsers and checks. Input fields, one per
 * line: application key, secret, method, path, Content-Type, Authorization,
 * x-timestamp, x-sinch-webhook-signature, its nonce, its timestamp, its algorithm,
 * X-Sinch-Signature, Stripe-Signature, then the body (the rest of the input).
 */
#include "fuzz_common.h"

#define FIELD_COUNT 14
#define FIRST_HEADER 4

static const char *const header_names[] = {
    "Content-Type", "Authorization", "x-timestamp", "x-sinch-webhook-signature",
    "x-sinch-webhook-signature-nonce", "x-sinch-webhook-signature-timestamp",
    "x-sinch-webhook-signature-algorithm", "X-Sinch-Signature", "Stripe-Signature",
};

static void check_status(sinchfn_signature_status status, const char *reason)
{
    FUZZ_ASSERT(status == SINCHFN_SIGNATURE_VALID || (reason && *reason));
    FUZZ_ASSERT(sinchfn_signature_status_text(status) != NULL);
}

static void decode_header_values(apr_pool_t *pool, const char *const *fields)
{
    const unsigned char *bytes;
    apr_size_t length;
    apr_time_t time;
    int i;

    for (i = FIRST_HEADER; i < FIELD_COUNT - 1; i++) {
        if (!fields[i])
            continue;
        sinchfn_parse_iso8601(fields[i], &time);
        if (sinchfn_decode_secret(pool, fields[i], &bytes, &length))
            FUZZ_ASSERT(bytes && length > 0);
        if (sinchfn_decode_base64_strict(pool, fields[i], &bytes, &length))
            FUZZ_ASSERT(bytes || length == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_table_t *headers = apr_table_make(pool, FIELD_COUNT);
    const char *fields[FIELD_COUNT];
    apr_size_t lengths[FIELD_COUNT];
    apr_time_t now = apr_time_from_sec(1700000000);
    sinchfn_request *request;
    sinchfn_signature_status status;
    const char *key, *secret, *reason;
    apr_size_t i;

    fuzz_split(pool, data, size, FIELD_COUNT, fields, lengths);
    for (i = 0; i < sizeof(header_names) / sizeof(header_names[0]); i++) {
        if (fields[FIRST_HEADER + i])
            apr_table_set(headers, header_names[i], fields[FIRST_HEADER + i]);
    }
    key = fields[0] ? fields[0] : "";
    secret = fields[1] ? fields[1] : "";
    request = sinchfn_request_create(pool, fields[2] ? fields[2] : "POST", fields[3] ? fields[3] : "/", headers);
    request->body = fields[FIELD_COUNT - 1];
    request->body_length = lengths[FIELD_COUNT - 1];

    status = sinchfn_check_application(pool, request, key, secret, now, 600, &reason);
    check_status(status, reason);
    status = sinchfn_check_application(pool, request, key, secret, now, 0, &reason);
    check_status(status, reason);
    status = sinchfn_check_webhook(pool, request, secret, now, 600, &reason);
    check_status(status, reason);
    status = sinchfn_check_numbers(pool, request, secret, &reason);
    check_status(status, reason);
    status = sinchfn_check_timestamped_hmac(pool, request, "Stripe-Signature", secret, now, 300, &reason);
    check_status(status, reason);
    sinchfn_application_string_to_sign(pool, fields[2], fields[3], fields[4], fields[6], request->body,
                                       request->body_length);
    decode_header_values(pool, fields);
    apr_pool_destroy(pool);
    return 0;
}
