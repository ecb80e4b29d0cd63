/*
 * cache.c: the cache API of include/sinchfn.h. It checks keys, TTLs and value sizes,
 * namespaces keys by function, converts JSON values to text and back, and calls the
 * backend the glue attached to the context (shmcb through socache, or Redis).
 */
#include <stdlib.h>

#include <apr_strings.h>

#include "sinchfn_core.h"

#define REJECTED SINCHFN_LOG_INFO, SINCHFN_TAG_STATE_REJECTED
#define FAILED SINCHFN_LOG_ERROR, SINCHFN_TAG_STATE_FAILED

/* Returns "sinchfn:<length of the name>:<name>:<key>". */
static const char *namespaced_key(apr_pool_t *pool, const char *function_name, const char *key)
{
    static const char prefix[] = "sinchfn:";
    apr_size_t name_length = strlen(function_name), key_length = strlen(key), digits_length;
    char digits[20], *first = sinchfn_format_unsigned(digits + sizeof(digits), name_length, 10);
    char *text, *at;

    digits_length = (apr_size_t)(digits + sizeof(digits) - first);
    at = text = apr_palloc(pool, sizeof(prefix) - 1 + digits_length + name_length + key_length + 3);
    memcpy(at, prefix, sizeof(prefix) - 1);
    at += sizeof(prefix) - 1;
    memcpy(at, first, digits_length);
    at += digits_length;
    *at++ = ':';
    memcpy(at, function_name, name_length);
    at += name_length;
    *at++ = ':';
    memcpy(at, key, key_length + 1);
    return text;
}

const char *sinchfn_cache_namespace(apr_pool_t *pool, const char *function_name)
{
    return namespaced_key(pool, function_name, "");
}

int sinchfn_glob_match(const char *pattern, const char *text)
{
    const char *star = NULL, *resume = NULL;

    /* Greedy matching with backtracking to the last `*`: linear in practice, and never
     * worse than the product of the two lengths. */
    while (*text) {
        if (*pattern == '*') {
            star = pattern++;
            resume = text;
        }
        else if (*pattern == *text) {
            pattern++;
            text++;
        }
        else if (star) {
            pattern = star + 1;
            text = ++resume;
        }
        else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}

/* Checks that the context has a cache and that key is usable, and returns the complete
 * key, or NULL after recording the error. */
static const char *full_key(sinchfn_ctx *ctx, const char *operation, const char *key)
{
    apr_size_t length;

    if (!ctx->cache) {
        sinchfn_state_fail(ctx, FAILED, "cache %s failed: this server process has no cache; "
                           "check the SinchCache directive and the start-up errors in the error log", operation);
        return NULL;
    }
    if (!key || !*key) {
        sinchfn_state_fail(ctx, REJECTED, "cache %s rejected: the key is empty", operation);
        return NULL;
    }
    length = strlen(key);
    if (length > SINCHFN_CACHE_MAX_KEY) {
        sinchfn_state_fail(ctx, REJECTED, "cache %s rejected: the key is %" APR_SIZE_T_FMT
                           " bytes long, more than the maximum of %d", operation, length, SINCHFN_CACHE_MAX_KEY);
        return NULL;
    }
    return namespaced_key(ctx->pool, ctx->function_name, key);
}

/* Resolves a TTL argument: 0 means the default; negative and huge values are rejected. */
static int resolve_ttl(sinchfn_ctx *ctx, const char *operation, apr_int64_t ttl, apr_int64_t *seconds)
{
    if (ttl == 0)
        ttl = SINCHFN_CACHE_DEFAULT_TTL;
    if (ttl < 0 || ttl > SINCHFN_CACHE_MAX_TTL) {
        sinchfn_state_fail(ctx, REJECTED, "cache %s rejected: the TTL %" APR_INT64_T_FMT
                           " s is outside 1 to %" APR_INT64_T_FMT " s (0 selects the default of %d s)",
                           operation, ttl, (apr_int64_t)SINCHFN_CACHE_MAX_TTL, SINCHFN_CACHE_DEFAULT_TTL);
        return 0;
    }
    *seconds = ttl;
    return 1;
}

static sinchfn_status backend_failed(sinchfn_ctx *ctx, const char *operation, const char *key, const char *problem)
{
    return sinchfn_state_fail(ctx, FAILED, "cache %s of key '%s' failed on %s: %s", operation, key,
                              ctx->cache->name, problem);
}

/* Parses a stored value. A value that is not JSON (written by another Redis client)
 * is returned as a JSON string. */
static json_object *parse_value(sinchfn_ctx *ctx, const char *text, apr_size_t length)
{
    json_object *value = NULL;

    if (sinchfn_parse_json(ctx->pool, text, length, &value))
        return sinchfn_json_pool_own(ctx->pool, json_object_new_string_len(text, (int)length));

    /* sinchfn_parse_json ties the value to the pool already. */
    return value;
}

sinchfn_status sinchfn_cache_get(sinchfn_ctx *ctx, const char *key, json_object **value)
{
    const char *complete = full_key(ctx, "get", key);
    const char *problem, *text = NULL;
    apr_size_t length = 0;

    *value = NULL;
    if (!complete)
        return SINCHFN_ERROR;
    if ((problem = ctx->cache->get(ctx->cache, ctx->pool, complete, &text, &length)))
        return backend_failed(ctx, "get", key, problem);
    if (text)
        *value = parse_value(ctx, text, length);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_cache_set(sinchfn_ctx *ctx, const char *key, json_object *value, apr_int64_t ttl)
{
    const char *complete = full_key(ctx, "set", key);
    const char *problem, *text;
    apr_size_t length;
    apr_int64_t seconds;

    if (!complete || !resolve_ttl(ctx, "set", ttl, &seconds))
        return SINCHFN_ERROR;

    /* json-c represents JSON null as NULL, which a later get could not tell from a miss. */
    if (!value)
        return sinchfn_state_fail(ctx, REJECTED, "cache set of key '%s' rejected: the value is JSON null; "
                                  "delete the key instead", key);
    text = sinchfn_json_serialize(ctx->pool, value, &length);
    if (length > ctx->cache->max_value)
        return sinchfn_state_fail(ctx, REJECTED, "cache set of key '%s' rejected: the value is %" APR_SIZE_T_FMT
                                  " bytes of JSON, more than SinchCacheMaxValueSize (%" APR_SIZE_T_FMT " bytes)",
                                  key, length, ctx->cache->max_value);
    if ((problem = ctx->cache->set(ctx->cache, ctx->pool, complete, text, length, seconds)))
        return backend_failed(ctx, "set", key, problem);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_cache_has(sinchfn_ctx *ctx, const char *key, int *found)
{
    const char *complete = full_key(ctx, "has", key);
    const char *problem, *text = NULL;
    apr_size_t length = 0;

    *found = 0;
    if (!complete)
        return SINCHFN_ERROR;
    if ((problem = ctx->cache->get(ctx->cache, ctx->pool, complete, &text, &length)))
        return backend_failed(ctx, "has", key, problem);
    *found = text != NULL;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_cache_delete(sinchfn_ctx *ctx, const char *key, int *deleted)
{
    const char *complete = full_key(ctx, "delete", key);
    const char *problem;
    int removed = 0;

    if (deleted)
        *deleted = 0;
    if (!complete)
        return SINCHFN_ERROR;
    if ((problem = ctx->cache->remove(ctx->cache, ctx->pool, complete, &removed)))
        return backend_failed(ctx, "delete", key, problem);
    if (deleted)
        *deleted = removed;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_cache_extend(sinchfn_ctx *ctx, const char *key, apr_int64_t seconds, int *extended)
{
    const char *complete = full_key(ctx, "extend", key);
    const char *problem;

    *extended = 0;
    if (!complete)
        return SINCHFN_ERROR;
    if (seconds <= 0 || seconds > SINCHFN_CACHE_MAX_TTL)
        return sinchfn_state_fail(ctx, REJECTED, "cache extend of key '%s' rejected: %" APR_INT64_T_FMT
                                  " s is outside 1 to %" APR_INT64_T_FMT " s", key, seconds,
                                  (apr_int64_t)SINCHFN_CACHE_MAX_TTL);
    if ((problem = ctx->cache->extend(ctx->cache, ctx->pool, complete, seconds, extended)))
        return backend_failed(ctx, "extend", key, problem);
    return SINCHFN_OK;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

sinchfn_status sinchfn_cache_keys(sinchfn_ctx *ctx, const char *pattern, apr_array_header_t **keys)
{
    apr_array_header_t *complete = apr_array_make(ctx->pool, 16, sizeof(const char *));
    const char *prefix, *problem;
    apr_size_t prefix_length;
    int i;

    *keys = apr_array_make(ctx->pool, 16, sizeof(const char *));
    if (!ctx->cache)
        return sinchfn_state_fail(ctx, FAILED, "cache keys failed: this server process has no cache");
    if (!pattern || !*pattern)
        return sinchfn_state_fail(ctx, REJECTED, "cache keys rejected: the pattern is empty; use * for every key");

    prefix = sinchfn_cache_namespace(ctx->pool, ctx->function_name);
    prefix_length = strlen(prefix);
    if ((problem = ctx->cache->list(ctx->cache, ctx->pool, prefix, complete)))
        return sinchfn_state_fail(ctx, FAILED, "cache keys '%s' failed on %s: %s", pattern, ctx->cache->name,
                                  problem);

    for (i = 0; i < complete->nelts; i++) {
        const char *key = APR_ARRAY_IDX(complete, i, const char *);

        if (strncmp(key, prefix, prefix_length) == 0 && sinchfn_glob_match(pattern, key + prefix_length))
            APR_ARRAY_PUSH(*keys, const char *) = key + prefix_length;
    }
    qsort((*keys)->elts, (size_t)(*keys)->nelts, sizeof(const char *), compare_strings);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_cache_get_many(sinchfn_ctx *ctx, const char *const *keys, int count, json_object **values)
{
    json_object *found = sinchfn_json_pool_own(ctx->pool, json_object_new_object());
    int i;

    *values = NULL;
    for (i = 0; i < count; i++) {
        json_object *value;

        if (sinchfn_cache_get(ctx, keys[i], &value) != SINCHFN_OK)
            return SINCHFN_ERROR;
        /* The object takes a reference; the pool keeps its own until the request ends. */
        if (value)
            json_object_object_add(found, keys[i], json_object_get(value));
    }
    *values = found;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_cache_increment(sinchfn_ctx *ctx, const char *key, apr_int64_t by, apr_int64_t ttl,
                                       apr_int64_t *value)
{
    const char *complete = full_key(ctx, "increment", key);
    const char *problem;
    apr_int64_t seconds;

    *value = 0;
    if (!complete || !resolve_ttl(ctx, "increment", ttl, &seconds))
        return SINCHFN_ERROR;
    if ((problem = ctx->cache->increment(ctx->cache, ctx->pool, complete, by, seconds, value)))
        return backend_failed(ctx, "increment", key, problem);
    return SINCHFN_OK;
}
