/*
 * fuzz_auth.c: the Authorization header parsers and access tokens in query strings.
 * Input: the Authorization value, '\n', a raw query string.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_table_t *headers = apr_table_make(pool, 1);
    sinchfn_ctx *ctx = apr_pcalloc(pool, sizeof(*ctx));
    const char *fields[2];
    apr_size_t lengths[2];
    const char *user, *password, *problem, *token, *redacted;
    sinchfn_request *request;

    fuzz_split(pool, data, size, 2, fields, lengths);
    if (!fields[0]) {
        apr_pool_destroy(pool);
        return 0;
    }
    ctx->pool = pool;
    ctx->variables = apr_hash_make(pool);
    apr_hash_set(ctx->variables, "ADMIN_USER", APR_HASH_KEY_STRING, "admin");
    apr_hash_set(ctx->variables, "ADMIN_PASSWORD", APR_HASH_KEY_STRING, "secret");

    if (!(problem = sinchfn_parse_basic(pool, fields[0], &user, &password)))
        FUZZ_ASSERT(user && password && !strchr(user, ':'));
    else
        FUZZ_ASSERT(*problem);
    sinchfn_basic_auth_check(pool, ctx, fields[0]);

    apr_table_set(headers, "Authorization", fields[0]);
    request = sinchfn_request_create(pool, "GET", "/fn/admin", headers);
    if ((token = sinchfn_request_bearer_token(request)))
        FUZZ_ASSERT(*token && !strchr(token, ' '));

    if (fields[1]) {
        int has_token = sinchfn_query_has_access_token(pool, fields[1]);

        redacted = sinchfn_redact_access_token(pool, fields[1]);
        FUZZ_ASSERT(redacted);
        FUZZ_ASSERT(!has_token || strstr(redacted, "=REDACTED"));
    }
    apr_pool_destroy(pool);
    return 0;
}
