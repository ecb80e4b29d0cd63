/*
 * auth.c: the credentials a client presents: Basic auth against the function's
 * configured credential pairs, bearer tokens, access tokens in query strings (rejected
 * and redacted), and the constant-time comparison every check uses.
 */
#include <strings.h>

#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sinchfn_core.h"

#define ACCESS_TOKEN_PARAMETER "access_token"

/* The credential pairs Basic auth accepts, in the order they are tried. */
static const char *const credential_pairs[][2] = {
    { "PROJECT_ID_API_KEY", "PROJECT_ID_API_SECRET" },
    { "ADMIN_USER", "ADMIN_PASSWORD" },
};
#define CREDENTIAL_PAIR_COUNT (sizeof(credential_pairs) / sizeof(credential_pairs[0]))

/* Writes the SHA-256 digest of text. The digest and its context are made once per
 * thread, because EVP_Digest with EVP_sha256() fetches the implementation and makes a
 * context on every call (about 13,000 instructions under callgrind). */
static int sha256_digest(const char *text, unsigned char *digest, unsigned int *length)
{
    static __thread EVP_MD *algorithm;
    static __thread EVP_MD_CTX *context;

    if (!algorithm && !(algorithm = EVP_MD_fetch(NULL, "SHA256", NULL)))
        return 0;
    if (!context && !(context = EVP_MD_CTX_new()))
        return 0;
    return EVP_DigestInit_ex2(context, algorithm, NULL) && EVP_DigestUpdate(context, text, strlen(text)) &&
           EVP_DigestFinal_ex(context, digest, length);
}

int sinchfn_secure_equals(const char *a, const char *b)
{
    unsigned char digest_a[EVP_MAX_MD_SIZE], digest_b[EVP_MAX_MD_SIZE];
    unsigned int length_a = 0, length_b = 0;

    if (!a || !b)
        return 0;
    /* Comparing SHA-256 digests makes the time depend on the two lengths only, never on
     * where the strings first differ or on how long the expected one is. */
    if (!sha256_digest(a, digest_a, &length_a) || !sha256_digest(b, digest_b, &length_b) || length_a != length_b)
        return 0;
    return CRYPTO_memcmp(digest_a, digest_b, length_a) == 0;
}

int sinchfn_public_length_equals(const char *a, const char *b)
{
    apr_size_t length;

    if (!a || !b || (length = strlen(a)) != strlen(b))
        return 0;
    return CRYPTO_memcmp(a, b, length) == 0;
}

/* ---- which routes are gated ---- */

int sinchfn_basic_auth_exempt(const char *name)
{
    return sinchfn_is_voice_name(name) || !strcmp(name, "conversationWebhook") || !strcmp(name, "health");
}

int sinchfn_route_is_protected(const sinchfn_protection *protection, const char *name)
{
    if (sinchfn_basic_auth_exempt(name))
        return 0;
    if (protection->protect_all)
        return 1;
    return protection->protected_exports && apr_hash_get(protection->protected_exports, name, APR_HASH_KEY_STRING);
}

int sinchfn_route_is_signed(const sinchfn_protection *protection, const char *name)
{
    return protection->signed_exports && apr_hash_get(protection->signed_exports, name, APR_HASH_KEY_STRING);
}

/* ---- Basic auth ---- */

/* Returns a variable's value, or NULL when it is unset or empty. */
static const char *configured(const sinchfn_ctx *ctx, const char *name)
{
    const char *value = sinchfn_variable(ctx, name);

    return value && *value ? value : NULL;
}

const char *sinchfn_basic_missing_variables(apr_pool_t *pool, const sinchfn_ctx *ctx)
{
    const char *missing = NULL;
    apr_size_t i, j;

    for (i = 0; i < CREDENTIAL_PAIR_COUNT; i++) {
        if (configured(ctx, credential_pairs[i][0]) && configured(ctx, credential_pairs[i][1]))
            return NULL;
    }
    for (i = 0; i < CREDENTIAL_PAIR_COUNT; i++) {
        for (j = 0; j < 2; j++) {
            if (!configured(ctx, credential_pairs[i][j]))
                missing = missing ? apr_pstrcat(pool, missing, ", ", credential_pairs[i][j], NULL)
                                  : credential_pairs[i][j];
        }
    }
    return apr_psprintf(pool, "set PROJECT_ID_API_KEY and PROJECT_ID_API_SECRET, or ADMIN_USER and "
                        "ADMIN_PASSWORD (missing or empty: %s)", missing);
}

const char *sinchfn_parse_basic(apr_pool_t *pool, const char *authorization, const char **user,
                                const char **password)
{
    const unsigned char *decoded;
    apr_size_t length;
    const char *colon;
    char *text;

    if (!authorization || strncasecmp(authorization, "Basic ", 6))
        return "the Authorization scheme is not Basic";
    if (!sinchfn_decode_base64_strict(pool, authorization + 6, &decoded, &length))
        return "the Basic credentials are not padded base64";
    if (memchr(decoded, '\0', length))
        return "the Basic credentials contain a NUL byte";
    text = apr_pstrmemdup(pool, (const char *)decoded, length);
    if (!(colon = strchr(text, ':')))
        return "the Basic credentials are not USER:PASSWORD";

    *user = apr_pstrmemdup(pool, text, (apr_size_t)(colon - text));
    *password = colon + 1;
    return NULL;
}

const char *sinchfn_basic_auth_check(apr_pool_t *pool, const sinchfn_ctx *ctx, const char *authorization)
{
    const char *user, *password, *problem;
    int accepted = 0;
    apr_size_t i;

    if (!authorization)
        return "the Authorization header is missing";
    if ((problem = sinchfn_parse_basic(pool, authorization, &user, &password)))
        return problem;

    /* Every configured pair is compared, so the time taken does not tell which pair a
     * guess came close to. */
    for (i = 0; i < CREDENTIAL_PAIR_COUNT; i++) {
        const char *expected_user = configured(ctx, credential_pairs[i][0]);
        const char *expected_password = configured(ctx, credential_pairs[i][1]);
        int user_matches, password_matches;

        if (!expected_user || !expected_password)
            continue;
        user_matches = sinchfn_secure_equals(user, expected_user);
        password_matches = sinchfn_secure_equals(password, expected_password);
        accepted |= user_matches & password_matches;
    }
    return accepted ? NULL : "the user or password is wrong";
}

/* ---- bearer tokens ---- */

/* RFC 6750 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding. */
static int is_b64token(const char *token)
{
    const char *c = token;

    while (apr_isalnum(*c) || (*c && strchr("-._~+/", *c)))
        c++;
    if (c == token)
        return 0;
    while (*c == '=')
        c++;
    return *c == '\0';
}

const char *sinchfn_request_bearer_token(const sinchfn_request *request)
{
    const char *authorization = apr_table_get(request->headers, "Authorization");

    if (!authorization || strncasecmp(authorization, "Bearer ", 7) || !is_b64token(authorization + 7))
        return NULL;
    return authorization + 7;
}

/* ---- access tokens in query strings ---- */

/* Whether one raw name=value pair of a query string carries an access token: its name,
 * decoded or (when it does not decode) raw, starts with access_token. The prefix match
 * also catches names such as access_token%00 that a query parser rejects, since the
 * rejection would log the query. */
static int is_access_token_pair(apr_pool_t *pool, const char *pair, apr_size_t length)
{
    const char *equals = memchr(pair, '=', length);
    apr_size_t name_length = equals ? (apr_size_t)(equals - pair) : length;
    char *name = apr_pstrmemdup(pool, pair, name_length);
    char *decoded = apr_palloc(pool, name_length + 1);

    if (apr_unescape_url(decoded, name, APR_ESCAPE_STRING, NULL, NULL, 1, NULL) != APR_SUCCESS)
        decoded = name;
    return !strncmp(decoded, ACCESS_TOKEN_PARAMETER, sizeof(ACCESS_TOKEN_PARAMETER) - 1);
}

int sinchfn_query_has_access_token(apr_pool_t *pool, const char *query)
{
    const char *pair = query;

    while (pair && *pair) {
        const char *end = strchr(pair, '&');
        apr_size_t length = end ? (apr_size_t)(end - pair) : strlen(pair);

        if (is_access_token_pair(pool, pair, length))
            return 1;
        pair = end ? end + 1 : NULL;
    }
    return 0;
}

const char *sinchfn_redact_access_token(apr_pool_t *pool, const char *query)
{
    const char *pair = query;
    const char *redacted = "";
    const char *separator = "";

    if (!query)
        return NULL;
    while (pair) {
        const char *end = strchr(pair, '&');
        apr_size_t length = end ? (apr_size_t)(end - pair) : strlen(pair);
        const char *kept = apr_pstrmemdup(pool, pair, length);

        if (is_access_token_pair(pool, pair, length)) {
            const char *equals = memchr(pair, '=', length);
            apr_size_t name_length = equals ? (apr_size_t)(equals - pair) : length;

            kept = apr_pstrcat(pool, apr_pstrmemdup(pool, pair, name_length), "=REDACTED", NULL);
        }
        redacted = apr_pstrcat(pool, redacted, separator, kept, NULL);
        separator = "&";
        pair = end ? end + 1 : NULL;
    }
    return redacted;
}
