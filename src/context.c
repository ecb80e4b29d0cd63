/*
 * context.c: the function context a handler receives: configuration, secrets, request
 * id, uptime and the logger that feeds Apache's error log through a sink.
 */
#include <apr_strings.h>

#include "sinchfn_core.h"

const char *sinchfn_function_name(const sinchfn_ctx *ctx)
{
    return ctx->function_name;
}

const char *sinchfn_environment(const sinchfn_ctx *ctx)
{
    return ctx->environment;
}

const char *sinchfn_variable(const sinchfn_ctx *ctx, const char *name)
{
    const char *value = NULL;

    if (ctx->variables)
        value = apr_hash_get(ctx->variables, name, APR_HASH_KEY_STRING);
    if (!value)
        value = sinchfn_secret(ctx, name);
    return value;
}

const char *sinchfn_secret(const sinchfn_ctx *ctx, const char *name)
{
    if (!ctx->secrets)
        return NULL;
    return apr_hash_get(ctx->secrets, name, APR_HASH_KEY_STRING);
}

const char *sinchfn_request_id(const sinchfn_ctx *ctx)
{
    return ctx->request_id;
}

apr_pool_t *sinchfn_pool(const sinchfn_ctx *ctx)
{
    return ctx->pool;
}

apr_int64_t sinchfn_uptime(const sinchfn_ctx *ctx)
{
    apr_time_t elapsed = apr_time_now() - ctx->process_start;

    return elapsed > 0 ? (apr_int64_t)apr_time_sec(elapsed) : 0;
}

static void log_v(const sinchfn_ctx *ctx, int level, const char *tag, const char *fmt, va_list ap)
{
    if (!ctx->log_sink || level > ctx->log_level)
        return;
    ctx->log_sink(ctx->log_baton, level, tag, apr_pvsprintf(ctx->pool, fmt, ap));
}

void sinchfn_log(const sinchfn_ctx *ctx, int level, const char *tag, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_v(ctx, level, tag, fmt, ap);
    va_end(ap);
}

#define DEFINE_LOGGER(fn, level)                                                           \
    void fn(const sinchfn_ctx *ctx, const char *fmt, ...)                                  \
    {                                                                                      \
        va_list ap;                                                                        \
        va_start(ap, fmt);                                                                 \
        log_v(ctx, level, SINCHFN_TAG_HANDLER, fmt, ap);                                   \
        va_end(ap);                                                                        \
    }

DEFINE_LOGGER(sinchfn_log_debug, SINCHFN_LOG_DEBUG)
DEFINE_LOGGER(sinchfn_log_info, SINCHFN_LOG_INFO)
DEFINE_LOGGER(sinchfn_log_warn, SINCHFN_LOG_WARN)
DEFINE_LOGGER(sinchfn_log_error, SINCHFN_LOG_ERROR)

sinchfn_status sinchfn_fail(const sinchfn_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_v(ctx, SINCHFN_LOG_ERROR, SINCHFN_TAG_HANDLER, fmt, ap);
    va_end(ap);
    return SINCHFN_ERROR;
}

static apr_status_t json_release(void *data)
{
    json_object_put(data);
    return APR_SUCCESS;
}

json_object *sinchfn_json_pool_own(apr_pool_t *pool, json_object *value)
{
    if (value)
        apr_pool_cleanup_register(pool, value, json_release, apr_pool_cleanup_null);
    return value;
}

int sinchfn_json_find(json_object *value, const char *key, int (*visit)(json_object *value, const char *key))
{
    int verdict = visit(value, key);

    if (verdict != 0)
        return verdict > 0;
    if (json_object_is_type(value, json_type_array)) {
        size_t i, count = json_object_array_length(value);

        for (i = 0; i < count; i++) {
            if (sinchfn_json_find(json_object_array_get_idx(value, i), NULL, visit))
                return 1;
        }
    }
    else if (json_object_is_type(value, json_type_object)) {
        json_object_object_foreach(value, member_key, member) {
            if (sinchfn_json_find(member, member_key, visit))
                return 1;
        }
    }
    return 0;
}

json_object *sinchfn_json_object(const sinchfn_ctx *ctx, ...)
{
    json_object *object = json_object_new_object();
    const char *key;
    va_list ap;

    va_start(ap, ctx);
    while ((key = va_arg(ap, const char *)) != NULL)
        json_object_object_add(object, key, va_arg(ap, json_object *));
    va_end(ap);
    (void)ctx;
    return object;
}
