/*
 * state.c: what the state services (cache, storage, assets, database) share: the last error of
 * a context and the client address.
 */
#include <apr_strings.h>

#include "sinchfn_core.h"

sinchfn_status sinchfn_state_fail(sinchfn_ctx *ctx, int level, const char *tag, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ctx->error = apr_pvsprintf(ctx->pool, fmt, ap);
    va_end(ap);
    ctx->error_not_found = 0;
    ctx->error_unavailable = 0;
    sinchfn_log(ctx, level, tag, "%s", ctx->error);
    return SINCHFN_ERROR;
}

const char *sinchfn_last_error(const sinchfn_ctx *ctx)
{
    return ctx->error;
}

int sinchfn_last_error_is_not_found(const sinchfn_ctx *ctx)
{
    return ctx->error && ctx->error_not_found;
}

int sinchfn_last_error_is_unavailable(const sinchfn_ctx *ctx)
{
    return ctx->error && ctx->error_unavailable;
}

const char *sinchfn_client_ip(const sinchfn_ctx *ctx)
{
    return ctx->client_ip;
}
