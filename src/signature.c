/*
 * signature.c: the signatures that prove a request comes from Sinch or from another
 * webhook sender. Voice and Verification callbacks carry the application signature,
 * Conversation and SMS webhooks a nonce HMAC, and Numbers callbacks a hex HMAC-SHA1.
 * Other senders can use a Stripe-style timestamped HMAC. Every check works on the raw
 * body bytes and compares in constant time.
 */
#include <stdlib.h>
#include <strings.h>

#include <apr_base64.h>
#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_md5.h>
#include <apr_strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sinchfn_core.h"

#define WEBHOOK_ALGORITHM "HmacSHA256"

/* ---- encodings ---- */

static int is_base64_digit(char c)
{
    return apr_isalnum(c) || c == '+' || c == '/';
}

int sinchfn_decode_base64_strict(apr_pool_t *pool, const char *text, const unsigned char **bytes,
                                 apr_size_t *length)
{
    apr_size_t size = text ? strlen(text) : 0;
    apr_size_t i, padding = 0;
    unsigned char *decoded;

    if (size == 0 || size % 4 != 0)
        return 0;
    if (text[size - 1] == '=')
        padding = text[size - 2] == '=' ? 2 : 1;
    for (i = 0; i < size - padding; i++) {
        if (!is_base64_digit(text[i]))
            return 0;
    }

    decoded = apr_palloc(pool, (apr_size_t)apr_base64_decode_len(text) + 1);
    *length = (apr_size_t)apr_base64_decode_binary(decoded, text);
    *bytes = decoded;
    return 1;
}

int sinchfn_decode_secret(apr_pool_t *pool, const char *text, const unsigned char **bytes, apr_size_t *length)
{
    apr_size_t size = text ? strlen(text) : 0;
    apr_size_t i, digits;
    char *normalized;

    while (size > 0 && text[size - 1] == '=')
        size--;
    digits = size;
    /* One leftover digit carries 6 bits, less than a byte: no encoder produces it. */
    if (digits == 0 || digits % 4 == 1)
        return 0;

    normalized = apr_palloc(pool, digits + 4);
    for (i = 0; i < digits; i++) {
        char c = text[i];

        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!is_base64_digit(c))
            return 0;
        normalized[i] = c;
    }
    while (i % 4 != 0)
        normalized[i++] = '=';
    normalized[i] = '\0';
    return sinchfn_decode_base64_strict(pool, normalized, bytes, length);
}

static const char *encode_base64(apr_pool_t *pool, const unsigned char *bytes, apr_size_t length)
{
    char *text = apr_palloc(pool, (apr_size_t)apr_base64_encode_len((int)length));

    apr_base64_encode_binary(text, bytes, (int)length);
    return text;
}

static const char *encode_hex(apr_pool_t *pool, const unsigned char *bytes, apr_size_t length)
{
    char *text = apr_palloc(pool, length * 2 + 1);

    apr_escape_hex(text, bytes, length, 0, NULL);
    return text;
}

/* ---- time ---- */

/* Reads exactly count decimal digits. Returns -1 when one is not a digit. */
static int read_digits(const char **cursor, int count)
{
    int value = 0;

    while (count-- > 0) {
        if (!apr_isdigit(**cursor))
            return -1;
        value = value * 10 + (**cursor - '0');
        (*cursor)++;
    }
    return value;
}

/* Skips the expected character, in either case for a letter, as RFC 3339 allows for 'T'
 * and 'Z'. */
static int expect_char(const char **cursor, char c)
{
    if (apr_tolower(**cursor) != apr_tolower(c))
        return 0;
    (*cursor)++;
    return 1;
}

static int days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return days[month - 1] + (month == 2 && leap);
}

/* Reads an optional fraction after '.', keeping microseconds; digits past the sixth
 * (Sinch sends seven) are dropped. A '.' without digits is invalid. */
static int read_fraction(const char **cursor, apr_int32_t *usec)
{
    apr_int32_t scale = 100000;
    const char *start;

    *usec = 0;
    if (**cursor != '.')
        return 1;
    start = ++(*cursor);
    while (apr_isdigit(**cursor)) {
        *usec += (**cursor - '0') * scale;
        scale /= 10;
        (*cursor)++;
    }
    return *cursor > start;
}

/* Reads Z or +HH:MM / -HH:MM into seconds east of UTC. */
static int read_offset(const char **cursor, apr_int32_t *offset)
{
    int sign, hours, minutes;

    if (expect_char(cursor, 'Z')) {
        *offset = 0;
        return 1;
    }
    if (**cursor != '+' && **cursor != '-')
        return 0;
    sign = **cursor == '-' ? -1 : 1;
    (*cursor)++;
    if ((hours = read_digits(cursor, 2)) < 0 || !expect_char(cursor, ':') ||
        (minutes = read_digits(cursor, 2)) < 0 || hours > 23 || minutes > 59)
        return 0;
    *offset = sign * (hours * 3600 + minutes * 60);
    return 1;
}

apr_status_t sinchfn_parse_iso8601(const char *text, apr_time_t *time)
{
    const char *cursor = text;
    apr_time_exp_t exploded;
    int year, month, day, hour, minute, second;
    apr_int32_t offset;

    memset(&exploded, 0, sizeof(exploded));
    if (!text)
        return APR_EINVAL;
    if ((year = read_digits(&cursor, 4)) < 0 || !expect_char(&cursor, '-') ||
        (month = read_digits(&cursor, 2)) < 0 || !expect_char(&cursor, '-') ||
        (day = read_digits(&cursor, 2)) < 0 || !expect_char(&cursor, 'T') ||
        (hour = read_digits(&cursor, 2)) < 0 || !expect_char(&cursor, ':') ||
        (minute = read_digits(&cursor, 2)) < 0 || !expect_char(&cursor, ':') ||
        (second = read_digits(&cursor, 2)) < 0)
        return APR_EINVAL;
    if (!read_fraction(&cursor, &exploded.tm_usec) || !read_offset(&cursor, &offset) || *cursor)
        return APR_EINVAL;
    /* A second of 60 is a leap second, which APR counts as the next minute's first. */
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 60)
        return APR_EINVAL;

    exploded.tm_year = year - 1900;
    exploded.tm_mon = month - 1;
    exploded.tm_mday = day;
    exploded.tm_hour = hour;
    exploded.tm_min = minute;
    exploded.tm_sec = second;
    if (apr_time_exp_gmt_get(time, &exploded) != APR_SUCCESS)
        return APR_EINVAL;
    *time -= apr_time_from_sec(offset);
    return APR_SUCCESS;
}

/* Parses decimal Unix seconds: digits only, at most 12 of them. */
static int parse_unix_seconds(const char *text, apr_time_t *time)
{
    apr_size_t length = text ? strlen(text) : 0;
    apr_size_t i;

    if (length == 0 || length > 12)
        return 0;
    for (i = 0; i < length; i++) {
        if (!apr_isdigit(text[i]))
            return 0;
    }
    *time = apr_time_from_sec(apr_atoi64(text));
    return 1;
}

/* Checks that a sender's time lies within max_skew seconds of now, either way. The
 * difference is compared in microseconds, and the message rounds it up to whole seconds,
 * so a time 600.5 s away fails a 600 s skew and reads "601 s". */
static sinchfn_signature_status check_skew(apr_pool_t *pool, const char *header, apr_time_t sent, apr_time_t now,
                                           apr_int64_t max_skew, const char **reason)
{
    apr_time_t late = now - sent;
    apr_time_t away = late < 0 ? -late : late;

    if (away <= apr_time_from_sec(max_skew))
        return SINCHFN_SIGNATURE_VALID;
    *reason = apr_psprintf(pool, "%s is %" APR_INT64_T_FMT " s in the %s; the maximum skew is %" APR_INT64_T_FMT " s",
                           header, (apr_int64_t)((away + APR_USEC_PER_SEC - 1) / APR_USEC_PER_SEC),
                           late > 0 ? "past" : "future", max_skew);
    return SINCHFN_SIGNATURE_EXPIRED;
}

/* ---- MACs ---- */

/* HMAC contexts kept per thread, one per digest, with the key they were made for. Making
 * a context fetches HMAC and the digest from OpenSSL's provider, which callgrind
 * measured at about 14,000 instructions. A context whose key matches is reset for the
 * next message instead. */
#define HMAC_CACHED_KEY_MAX 128

typedef enum { HMAC_SHA256, HMAC_SHA1, HMAC_DIGEST_COUNT } hmac_digest;

static const char *const hmac_digest_names[HMAC_DIGEST_COUNT] = { "SHA256", "SHA1" };

typedef struct {
    EVP_MAC_CTX *context;
    unsigned char key[HMAC_CACHED_KEY_MAX];
    apr_size_t key_length;
} hmac_slot;

static __thread EVP_MAC *hmac_algorithm;
static __thread hmac_slot hmac_slots[HMAC_DIGEST_COUNT];

/* Returns a context ready for a new message under key. *owned is set when the caller
 * must free it, because the key is too long to keep. */
static EVP_MAC_CTX *hmac_context(hmac_digest digest, const void *key, apr_size_t key_length, int *owned)
{
    hmac_slot *slot = &hmac_slots[digest];
    OSSL_PARAM params[2];
    EVP_MAC_CTX *context;

    *owned = 0;
    if (slot->context && slot->key_length == key_length && !memcmp(slot->key, key, key_length))
        return EVP_MAC_init(slot->context, NULL, 0, NULL) ? slot->context : NULL;

    if (!hmac_algorithm && !(hmac_algorithm = EVP_MAC_fetch(NULL, "HMAC", NULL)))
        return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)hmac_digest_names[digest], 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!(context = EVP_MAC_CTX_new(hmac_algorithm)) ||
        !EVP_MAC_init(context, key_length ? key : (const void *)"", key_length, params)) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    if (key_length > HMAC_CACHED_KEY_MAX) {
        *owned = 1;
        return context;
    }
    EVP_MAC_CTX_free(slot->context);
    slot->context = context;
    memcpy(slot->key, key, key_length);
    slot->key_length = key_length;
    return context;
}

static const unsigned char *hmac(apr_pool_t *pool, hmac_digest digest, const void *key, apr_size_t key_length,
                                 const char *data, apr_size_t length, apr_size_t *mac_length)
{
    unsigned char *mac = apr_palloc(pool, EVP_MAX_MD_SIZE);
    size_t size = 0;
    int owned, done;
    EVP_MAC_CTX *context = hmac_context(digest, key, key_length, &owned);

    if (!context)
        return NULL;
    done = EVP_MAC_update(context, (const unsigned char *)data, length) &&
           EVP_MAC_final(context, mac, &size, EVP_MAX_MD_SIZE);
    if (owned)
        EVP_MAC_CTX_free(context);
    if (!done)
        return NULL;
    *mac_length = size;
    return mac;
}

static const char *body_text(const sinchfn_request *request, apr_size_t *length)
{
    *length = request->body ? request->body_length : 0;
    return request->body ? request->body : "";
}

/* Writes Base64 of the body's MD5 to text, which has room for APPLICATION_MD5_TEXT bytes,
 * and returns its length. An empty body gives an empty text, as Sinch's SDKs sign it. */
#define APPLICATION_MD5_TEXT 25

static apr_size_t content_md5(char *text, const char *body, apr_size_t length)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];

    text[0] = '\0';
    if (length == 0)
        return 0;
    apr_md5(digest, body, length);
    return (apr_size_t)apr_base64_encode_binary(text, digest, sizeof(digest)) - 1;
}

static char *append(char *cursor, const char *text, apr_size_t length)
{
    memcpy(cursor, text, length);
    return cursor + length;
}

/* Builds the string to sign in one allocation of its known length. */
static const char *application_string_to_sign(apr_pool_t *pool, const char *method, const char *path,
                                              const char *content_type, const char *x_timestamp,
                                              const char *body, apr_size_t body_length, apr_size_t *length)
{
    static const char timestamp_line[] = "\nx-timestamp:";
    char md5[APPLICATION_MD5_TEXT];
    apr_size_t md5_length = content_md5(md5, body, body_length);
    apr_size_t method_length, type_length, time_length, path_length, i;
    char *text, *cursor;

    method = method ? method : "";
    content_type = content_type ? content_type : "";
    x_timestamp = x_timestamp ? x_timestamp : "";
    path = path ? path : "";
    method_length = strlen(method);
    type_length = strlen(content_type);
    time_length = strlen(x_timestamp);
    path_length = strlen(path);
    *length = method_length + 1 + md5_length + 1 + type_length + sizeof(timestamp_line) - 1 + time_length + 1 +
              path_length;

    cursor = text = apr_palloc(pool, *length + 1);
    for (i = 0; i < method_length; i++)
        *cursor++ = (char)apr_toupper(method[i]);
    *cursor++ = '\n';
    cursor = append(cursor, md5, md5_length);
    *cursor++ = '\n';
    cursor = append(cursor, content_type, type_length);
    cursor = append(cursor, timestamp_line, sizeof(timestamp_line) - 1);
    cursor = append(cursor, x_timestamp, time_length);
    *cursor++ = '\n';
    cursor = append(cursor, path, path_length);
    *cursor = '\0';
    return text;
}

const char *sinchfn_application_string_to_sign(apr_pool_t *pool, const char *method, const char *path,
                                               const char *content_type, const char *x_timestamp,
                                               const char *body, apr_size_t length)
{
    apr_size_t text_length;

    return application_string_to_sign(pool, method, path, content_type, x_timestamp, body, length, &text_length);
}

static const char *application_signature(apr_pool_t *pool, const unsigned char *secret, apr_size_t secret_length,
                                         const char *string_to_sign, apr_size_t length)
{
    apr_size_t mac_length;
    const unsigned char *mac = hmac(pool, HMAC_SHA256, secret, secret_length, string_to_sign, length, &mac_length);

    return mac ? encode_base64(pool, mac, mac_length) : NULL;
}

/* ---- application signature ---- */

/* The last application secret decoded on this thread. A Location's secret is the same
 * text on every request, and decoding it measured about 1,500 instructions. */
#define DECODED_SECRET_MAX 128

static __thread struct {
    char text[DECODED_SECRET_MAX + 1];
    unsigned char bytes[DECODED_SECRET_MAX];
    apr_size_t length; /* 0 while empty */
} decoded_secret;

static int decode_application_secret(apr_pool_t *pool, const char *secret, const unsigned char **bytes,
                                      apr_size_t *length)
{
    apr_size_t text_length = strlen(secret);

    if (decoded_secret.length && !strcmp(decoded_secret.text, secret)) {
        *bytes = decoded_secret.bytes;
        *length = decoded_secret.length;
        return 1;
    }
    if (!sinchfn_decode_secret(pool, secret, bytes, length))
        return 0;
    if (text_length <= DECODED_SECRET_MAX && *length <= DECODED_SECRET_MAX) {
        memcpy(decoded_secret.text, secret, text_length + 1);
        memcpy(decoded_secret.bytes, *bytes, *length);
        decoded_secret.length = *length;
    }
    return 1;
}

static sinchfn_signature_status fail(const char **reason, const char *text, sinchfn_signature_status status)
{
    *reason = text;
    return status;
}

/* Accepts `Basic BASE64(key:secret)` on a signed route; RFC 7617 credentials only. */
static sinchfn_signature_status check_application_basic(apr_pool_t *pool, const char *authorization,
                                                        const char *key, const char *secret, const char **reason)
{
    const char *user, *password;
    int user_matches, password_matches;

    if (sinchfn_parse_basic(pool, authorization, &user, &password))
        return fail(reason, "the Basic credentials are not RFC 7617 base64 of KEY:SECRET",
                    SINCHFN_SIGNATURE_MALFORMED);
    user_matches = sinchfn_secure_equals(user, key);
    password_matches = sinchfn_secure_equals(password, secret);
    if (!user_matches || !password_matches)
        return fail(reason, "the Basic credentials do not match the application key and secret",
                    SINCHFN_SIGNATURE_MISMATCH);
    return SINCHFN_SIGNATURE_VALID;
}

/* Splits "SCHEME CREDENTIALS" on exactly one space, as Sinch's SDKs do: a double space
 * or a trailing space makes a third, empty part and the value is rejected. httpd strips
 * the spaces around a header value, so in the server only a double space reaches this. */
static int split_authorization(const char *authorization, apr_size_t *scheme_length, const char **credentials)
{
    const char *space = strchr(authorization, ' ');

    if (!space || space == authorization || !space[1] || strchr(space + 1, ' '))
        return 0;
    *scheme_length = (apr_size_t)(space - authorization);
    *credentials = space + 1;
    return 1;
}

/* Returns whether the scheme of an Authorization value, scheme_length bytes long, is name. */
static int scheme_is(const char *authorization, apr_size_t scheme_length, const char *name)
{
    return scheme_length == strlen(name) && !strncasecmp(authorization, name, scheme_length);
}

sinchfn_signature_status sinchfn_check_application_headers(apr_pool_t *pool, const sinchfn_request *request,
                                                           const char *key, const char *secret, apr_time_t now,
                                                           apr_int64_t max_skew, sinchfn_application_check *check,
                                                           const char **reason)
{
    const char *authorization = apr_table_get(request->headers, "Authorization");
    const char *credentials, *colon;
    apr_size_t scheme_length, key_length;
    apr_time_t sent;

    *reason = NULL;
    memset(check, 0, sizeof(*check));
    if (!key || !*key || !secret || !*secret)
        return fail(reason, "no application key and secret are configured", SINCHFN_SIGNATURE_NO_SECRET);
    if (!authorization)
        return fail(reason, "the Authorization header is missing", SINCHFN_SIGNATURE_MISSING);
    if (!split_authorization(authorization, &scheme_length, &credentials))
        return fail(reason, "the Authorization value is not SCHEME and credentials separated by one space",
                    SINCHFN_SIGNATURE_MALFORMED);
    if (scheme_is(authorization, scheme_length, "Basic")) {
        sinchfn_signature_status status = check_application_basic(pool, authorization, key, secret, reason);

        check->basic = status == SINCHFN_SIGNATURE_VALID;
        return status;
    }
    if (!scheme_is(authorization, scheme_length, "Application"))
        return fail(reason, "the Authorization scheme is neither Application nor Basic",
                    SINCHFN_SIGNATURE_UNSUPPORTED);

    colon = strchr(credentials, ':');
    if (!colon || strchr(colon + 1, ':'))
        return fail(reason, "the Application credentials are not KEY:SIGNATURE", SINCHFN_SIGNATURE_MALFORMED);
    /* The application key is public, since every signed request carries it, so it is
     * compared with memcmp. Only the signature needs a constant-time comparison. */
    key_length = strlen(key);
    if ((apr_size_t)(colon - credentials) != key_length || memcmp(credentials, key, key_length))
        return fail(reason, "the application key does not match the configured key", SINCHFN_SIGNATURE_MISMATCH);
    if (!(check->x_timestamp = apr_table_get(request->headers, "x-timestamp")))
        return fail(reason, "the x-timestamp header is missing", SINCHFN_SIGNATURE_MISSING);
    if (!decode_application_secret(pool, secret, &check->secret, &check->secret_length))
        return fail(reason, "the application secret is not valid base64", SINCHFN_SIGNATURE_NO_SECRET);
    if (max_skew > 0) {
        sinchfn_signature_status status;

        if (sinchfn_parse_iso8601(check->x_timestamp, &sent) != APR_SUCCESS)
            return fail(reason, "x-timestamp is not an ISO-8601 time", SINCHFN_SIGNATURE_MALFORMED);
        if ((status = check_skew(pool, "x-timestamp", sent, now, max_skew, reason)) != SINCHFN_SIGNATURE_VALID)
            return status;
    }
    check->signature = colon + 1;
    return SINCHFN_SIGNATURE_VALID;
}

sinchfn_signature_status sinchfn_check_application_body(apr_pool_t *pool, const sinchfn_request *request,
                                                        const sinchfn_application_check *check, const char **reason)
{
    const char *body, *string_to_sign, *expected;
    apr_size_t length, sign_length;

    *reason = NULL;
    /* Basic credentials were checked in full with the headers. */
    if (check->basic)
        return SINCHFN_SIGNATURE_VALID;
    if (!check->signature)
        return fail(reason, "the headers were not checked before the body", SINCHFN_SIGNATURE_MISSING);
    body = body_text(request, &length);
    string_to_sign = application_string_to_sign(pool, request->method, request->path,
                                                apr_table_get(request->headers, "Content-Type"), check->x_timestamp,
                                                body, length, &sign_length);
    expected = application_signature(pool, check->secret, check->secret_length, string_to_sign, sign_length);
    if (!expected || !sinchfn_public_length_equals(check->signature, expected))
        return fail(reason, "the signature does not match the request", SINCHFN_SIGNATURE_MISMATCH);
    return SINCHFN_SIGNATURE_VALID;
}

sinchfn_signature_status sinchfn_check_application(apr_pool_t *pool, const sinchfn_request *request,
                                                   const char *key, const char *secret, apr_time_t now,
                                                   apr_int64_t max_skew, const char **reason)
{
    sinchfn_application_check check;
    sinchfn_signature_status status = sinchfn_check_application_headers(pool, request, key, secret, now, max_skew,
                                                                        &check, reason);

    return status == SINCHFN_SIGNATURE_VALID ? sinchfn_check_application_body(pool, request, &check, reason) : status;
}

/* ---- Conversation and SMS webhooks ---- */

/* Builds body "." nonce "." timestamp by length, since a body may hold NUL bytes. */
static const char *join_signed_data(apr_pool_t *pool, const char *body, apr_size_t *length, const char *nonce,
                                    const char *timestamp)
{
    apr_size_t tail = strlen(nonce) + strlen(timestamp) + 2;
    char *data = apr_palloc(pool, *length + tail + 1);

    memcpy(data, body, *length);
    apr_snprintf(data + *length, tail + 1, ".%s.%s", nonce, timestamp);
    *length += tail;
    return data;
}

sinchfn_signature_status sinchfn_check_webhook(apr_pool_t *pool, const sinchfn_request *request,
                                               const char *secret, apr_time_t now, apr_int64_t max_skew,
                                               const char **reason)
{
    const char *signature = apr_table_get(request->headers, "x-sinch-webhook-signature");
    const char *nonce = apr_table_get(request->headers, "x-sinch-webhook-signature-nonce");
    const char *timestamp = apr_table_get(request->headers, "x-sinch-webhook-signature-timestamp");
    const char *algorithm = apr_table_get(request->headers, "x-sinch-webhook-signature-algorithm");
    const char *body, *signed_data;
    const unsigned char *mac;
    apr_size_t length, mac_length;
    apr_time_t sent;

    *reason = NULL;
    if (!secret || !*secret)
        return fail(reason, "no webhook secret is configured", SINCHFN_SIGNATURE_NO_SECRET);
    if (!signature)
        return fail(reason, "the x-sinch-webhook-signature header is missing", SINCHFN_SIGNATURE_MISSING);
    if (!nonce)
        return fail(reason, "the x-sinch-webhook-signature-nonce header is missing", SINCHFN_SIGNATURE_MISSING);
    if (!timestamp)
        return fail(reason, "the x-sinch-webhook-signature-timestamp header is missing",
                    SINCHFN_SIGNATURE_MISSING);
    /* Sinch's Java SDK uses the algorithm header as the MAC name; the other SDKs ignore
     * it. Only HMAC-SHA256 is accepted here, and an absent header means HMAC-SHA256. */
    if (algorithm && strcmp(algorithm, WEBHOOK_ALGORITHM))
        return fail(reason, "x-sinch-webhook-signature-algorithm is not " WEBHOOK_ALGORITHM,
                    SINCHFN_SIGNATURE_UNSUPPORTED);

    body = body_text(request, &length);
    signed_data = join_signed_data(pool, body, &length, nonce, timestamp);
    mac = hmac(pool, HMAC_SHA256, secret, strlen(secret), signed_data, length, &mac_length);
    if (!mac || !sinchfn_public_length_equals(signature, encode_base64(pool, mac, mac_length)))
        return fail(reason, "the webhook signature does not match the request", SINCHFN_SIGNATURE_MISMATCH);

    if (max_skew <= 0)
        return SINCHFN_SIGNATURE_VALID;
    if (!parse_unix_seconds(timestamp, &sent))
        return fail(reason, "x-sinch-webhook-signature-timestamp is not Unix seconds", SINCHFN_SIGNATURE_MALFORMED);
    return check_skew(pool, "x-sinch-webhook-signature-timestamp", sent, now, max_skew, reason);
}

/* ---- Numbers callbacks ---- */

sinchfn_signature_status sinchfn_check_numbers(apr_pool_t *pool, const sinchfn_request *request,
                                               const char *secret, const char **reason)
{
    const char *signature = apr_table_get(request->headers, "X-Sinch-Signature");
    const unsigned char *mac;
    const char *body;
    apr_size_t length, mac_length;

    *reason = NULL;
    if (!secret || !*secret)
        return fail(reason, "no Numbers callback secret is configured", SINCHFN_SIGNATURE_NO_SECRET);
    if (!signature)
        return fail(reason, "the X-Sinch-Signature header is missing", SINCHFN_SIGNATURE_MISSING);

    body = body_text(request, &length);
    mac = hmac(pool, HMAC_SHA1, secret, strlen(secret), body, length, &mac_length);
    if (!mac || !sinchfn_public_length_equals(signature, encode_hex(pool, mac, mac_length)))
        return fail(reason, "X-Sinch-Signature does not match the body", SINCHFN_SIGNATURE_MISMATCH);
    return SINCHFN_SIGNATURE_VALID;
}

/* ---- Stripe-style timestamped HMAC ---- */

typedef struct {
    const char *timestamp;
    apr_array_header_t *signatures; /* of const char *, the v1 values */
    int timestamps;                 /* how many t= elements there were */
} timestamped_header;

/* Splits "t=...,v1=...,v0=..." into its t and v1 elements; other elements are ignored,
 * as Stripe's libraries do, so a sender can add schemes. */
static void parse_timestamped_header(apr_pool_t *pool, const char *value, timestamped_header *parsed)
{
    char *copy = apr_pstrdup(pool, value);
    char *state = NULL;
    char *element;

    parsed->timestamp = NULL;
    parsed->timestamps = 0;
    parsed->signatures = apr_array_make(pool, 2, sizeof(const char *));
    for (element = apr_strtok(copy, ",", &state); element; element = apr_strtok(NULL, ",", &state)) {
        char *equals;

        while (apr_isspace(*element))
            element++;
        if (!(equals = strchr(element, '=')))
            continue;
        *equals = '\0';
        apr_collapse_spaces(equals + 1, equals + 1);
        if (!strcmp(element, "t")) {
            parsed->timestamp = equals + 1;
            parsed->timestamps++;
        }
        else if (!strcmp(element, "v1")) {
            APR_ARRAY_PUSH(parsed->signatures, const char *) = equals + 1;
        }
    }
}

sinchfn_signature_status sinchfn_check_timestamped_hmac(apr_pool_t *pool, const sinchfn_request *request,
                                                        const char *header, const char *secret, apr_time_t now,
                                                        apr_int64_t tolerance, const char **reason)
{
    const char *value = header ? apr_table_get(request->headers, header) : NULL;
    timestamped_header parsed;
    const char *body, *expected;
    const unsigned char *mac;
    char *signed_data;
    apr_size_t length, mac_length, prefix;
    apr_time_t sent;
    int i, matches = 0;

    *reason = NULL;
    if (!secret || !*secret)
        return fail(reason, "no webhook secret is configured", SINCHFN_SIGNATURE_NO_SECRET);
    if (!value)
        return fail(reason, apr_psprintf(pool, "the %s header is missing", header), SINCHFN_SIGNATURE_MISSING);
    parse_timestamped_header(pool, value, &parsed);
    if (parsed.timestamps != 1 || !parse_unix_seconds(parsed.timestamp, &sent))
        return fail(reason, apr_psprintf(pool, "%s has no single t= element of Unix seconds", header),
                    SINCHFN_SIGNATURE_MALFORMED);
    if (parsed.signatures->nelts == 0)
        return fail(reason, apr_psprintf(pool, "%s has no v1= signature", header), SINCHFN_SIGNATURE_MALFORMED);

    body = body_text(request, &length);
    prefix = strlen(parsed.timestamp) + 1;
    signed_data = apr_palloc(pool, prefix + length + 1);
    memcpy(signed_data, parsed.timestamp, prefix - 1);
    signed_data[prefix - 1] = '.';
    memcpy(signed_data + prefix, body, length);
    mac = hmac(pool, HMAC_SHA256, secret, strlen(secret), signed_data, prefix + length, &mac_length);
    if (!mac)
        return fail(reason, "the HMAC could not be computed", SINCHFN_SIGNATURE_MISMATCH);
    expected = encode_hex(pool, mac, mac_length);

    /* Every v1 value is compared, so the time taken does not reveal which one matched. */
    for (i = 0; i < parsed.signatures->nelts; i++)
        matches |= sinchfn_public_length_equals(APR_ARRAY_IDX(parsed.signatures, i, const char *), expected);
    if (!matches)
        return fail(reason, apr_psprintf(pool, "no v1 signature of %s matches the body", header),
                    SINCHFN_SIGNATURE_MISMATCH);
    if (tolerance <= 0)
        return SINCHFN_SIGNATURE_VALID;
    return check_skew(pool, apr_psprintf(pool, "the t= time of %s", header), sent, now, tolerance, reason);
}

/* ---- public API ---- */

const char *sinchfn_signature_status_text(sinchfn_signature_status status)
{
    switch (status) {
    case SINCHFN_SIGNATURE_VALID:
        return "valid signature";
    case SINCHFN_SIGNATURE_MISSING:
        return "signature header missing";
    case SINCHFN_SIGNATURE_MALFORMED:
        return "signature header malformed";
    case SINCHFN_SIGNATURE_MISMATCH:
        return "signature mismatch";
    case SINCHFN_SIGNATURE_EXPIRED:
        return "signature timestamp outside the allowed skew";
    case SINCHFN_SIGNATURE_UNSUPPORTED:
        return "signature scheme or algorithm not supported";
    case SINCHFN_SIGNATURE_NO_SECRET:
        return "no valid secret configured";
    }
    return "unknown signature status";
}

sinchfn_signature_status sinchfn_verify_application_signature(const sinchfn_ctx *ctx,
                                                              const sinchfn_request *request,
                                                              const char *key, const char *secret)
{
    const char *reason;

    return sinchfn_check_application(request->pool, request, key, secret, apr_time_now(), ctx->signature_max_skew,
                                     &reason);
}

sinchfn_signature_status sinchfn_verify_webhook_signature(const sinchfn_ctx *ctx, const sinchfn_request *request,
                                                          const char *secret)
{
    const char *reason;

    return sinchfn_check_webhook(request->pool, request, secret, apr_time_now(), ctx->signature_max_skew, &reason);
}

sinchfn_signature_status sinchfn_verify_numbers_signature(const sinchfn_request *request, const char *secret)
{
    const char *reason;

    return sinchfn_check_numbers(request->pool, request, secret, &reason);
}

sinchfn_signature_status sinchfn_verify_timestamped_hmac(const sinchfn_request *request, const char *header,
                                                         const char *secret, apr_int64_t tolerance)
{
    const char *reason;

    return sinchfn_check_timestamped_hmac(request->pool, request, header, secret, apr_time_now(), tolerance,
                                          &reason);
}

const char *sinchfn_sign_application_request(apr_pool_t *pool, const char *key, const char *secret,
                                             const char *method, const char *path, const char *content_type,
                                             const char *x_timestamp, const char *body, apr_size_t length)
{
    const unsigned char *secret_bytes;
    apr_size_t secret_length, sign_length;
    const char *string_to_sign, *signature;

    if (!key || !sinchfn_decode_secret(pool, secret, &secret_bytes, &secret_length))
        return NULL;
    string_to_sign = application_string_to_sign(pool, method, path, content_type, x_timestamp, body ? body : "",
                                                body ? length : 0, &sign_length);
    signature = application_signature(pool, secret_bytes, secret_length, string_to_sign, sign_length);
    return signature ? apr_pstrcat(pool, "Application ", key, ":", signature, NULL) : NULL;
}

const char *sinchfn_signature_timestamp(apr_pool_t *pool)
{
    apr_time_exp_t now;

    apr_time_exp_gmt(&now, apr_time_now());
    return apr_psprintf(pool, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", now.tm_year + 1900, now.tm_mon + 1,
                        now.tm_mday, now.tm_hour, now.tm_min, now.tm_sec, now.tm_usec / 1000);
}
