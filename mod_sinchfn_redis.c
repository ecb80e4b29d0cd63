/*
 * mod_sinchfn_redis.c: the Redis cache backend (SinchCache redis:HOST:PORT), through
 * hiredis. Each child process keeps a pool of connections, one per thread at most;
 * increment and extend run as Lua scripts so each is atomic on the Redis server.
 */
#include <errno.h>
#include <stdlib.h>

#include <apr_reslist.h>
#include <apr_strings.h>

#include "mod_sinchfn_glue.h"

#include <http_log.h>
#include <ap_mpm.h>

#include <hiredis/hiredis.h>

APLOG_USE_MODULE(sinchfn);

/* Idle connections are closed after this many seconds. */
#define REDIS_IDLE_SECONDS 60
/* Keys SCAN is asked to visit per call. */
#define REDIS_SCAN_COUNT "500"

/* A missing key starts from 0 and gets the TTL; an existing one keeps its lifetime.
 * INCRBY rejects a value that is not an integer or would overflow, and its integer
 * reply keeps all 64 bits (a Lua number would round above 2^53). */
static const char INCREMENT_SCRIPT[] =
    "if redis.call('EXISTS', KEYS[1]) == 0 then "
    "local value = redis.call('INCRBY', KEYS[1], ARGV[1]) "
    "redis.call('EXPIRE', KEYS[1], ARGV[2]) return value end "
    "return redis.call('INCRBY', KEYS[1], ARGV[1])";

/* Returns 0 for a missing key. A key without expiry (written by another client) stays
 * without one. */
static const char EXTEND_SCRIPT[] =
    "local ttl = redis.call('PTTL', KEYS[1]) "
    "if ttl == -2 then return 0 end "
    "if ttl >= 0 then redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[1])) end "
    "return 1";

typedef struct {
    const char *host;
    int port;
    int timeout_ms; /* SinchCacheTimeout: connect and command timeout */
    apr_reslist_t *connections;
} redis_server;

/* One pooled connection; context is NULL until first use and after an I/O error. */
typedef struct {
    redisContext *context;
} redis_connection;

static apr_status_t construct_connection(void **resource, void *params, apr_pool_t *pool)
{
    (void)params;
    (void)pool;
    *resource = calloc(1, sizeof(redis_connection));
    return *resource ? APR_SUCCESS : APR_ENOMEM;
}

static apr_status_t destruct_connection(void *resource, void *params, apr_pool_t *pool)
{
    redis_connection *connection = resource;

    (void)params;
    (void)pool;
    if (connection->context)
        redisFree(connection->context);
    free(connection);
    return APR_SUCCESS;
}

static struct timeval redis_timeout(const redis_server *server)
{
    struct timeval timeout = { server->timeout_ms / 1000, (server->timeout_ms % 1000) * 1000 };

    return timeout;
}

/* Takes a connection from the pool and connects it when needed; *fresh tells whether it
 * was connected by this call. */
static const char *acquire(const redis_server *server, apr_pool_t *pool, redis_connection **out, int *fresh)
{
    redis_connection *connection;
    apr_status_t status = apr_reslist_acquire(server->connections, (void **)&connection);

    if (status != APR_SUCCESS)
        return apr_psprintf(pool, "no Redis connection is available (%pm)", &status);
    *fresh = !connection->context;
    if (!connection->context) {
        redisContext *context = redisConnectWithTimeout(server->host, server->port, redis_timeout(server));

        if (!context || context->err) {
            const char *problem = apr_psprintf(pool, "connecting to Redis at %s:%d failed: %s; check that Redis "
                                               "runs there and the SinchCache address", server->host, server->port,
                                               context ? context->errstr : "out of memory");

            if (context)
                redisFree(context);
            apr_reslist_release(server->connections, connection);
            return problem;
        }
        redisSetTimeout(context, redis_timeout(server));
        connection->context = context;
    }
    *out = connection;
    return NULL;
}

/* Returns a connection to the pool, or closes it after an I/O or protocol error,
 * because hiredis cannot use a context once its err is set. */
static void release(const redis_server *server, redis_connection *connection)
{
    if (connection->context && connection->context->err) {
        redisFree(connection->context);
        connection->context = NULL;
    }
    apr_reslist_release(server->connections, connection);
}

/* Whether a command failed because the server had closed the connection: end of file,
 * or a reset or broken pipe on the write. */
static int closed_by_server(const redisContext *context)
{
    if (context->err == REDIS_ERR_EOF)
        return 1;
    return context->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE);
}

/* Runs one command (printf-style with %b for binary strings). Returns NULL and the
 * reply, which the caller frees, or a message. Error replies become messages. */
static const char *run(const sinchfn_cache_backend *cache, apr_pool_t *pool, redisReply **reply,
                       const char *format, ...)
{
    const redis_server *server = cache->baton;
    redis_connection *connection = NULL;
    const char *problem;
    int attempt, fresh = 0;
    va_list ap;

    *reply = NULL;
    for (attempt = 0;; attempt++) {
        if ((problem = acquire(server, pool, &connection, &fresh)))
            return problem;
        va_start(ap, format);
        errno = 0;
        *reply = redisvCommand(connection->context, format, ap);
        va_end(ap);
        if (*reply || fresh || attempt > 0 || !closed_by_server(connection->context))
            break;
        /* A pooled connection that Redis closed while idle, as a Redis restart does: the
         * command is sent once more on a new connection. NOTE: had Redis closed the
         * connection after running the command, an increment would count twice. */
        release(server, connection);
    }
    /* hiredis 0.14 reports a timeout as an I/O error with errno EAGAIN. */
    if (!*reply && connection->context->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        problem = apr_psprintf(pool, "the Redis command timed out after %d ms (SinchCacheTimeout); check that "
                               "Redis at %s:%d is running and not overloaded", server->timeout_ms, server->host,
                               server->port);
    }
    else if (!*reply) {
        problem = apr_psprintf(pool, "the Redis command to %s:%d failed: %s", server->host, server->port,
                               connection->context->errstr);
        if (!connection->context->err)
            connection->context->err = REDIS_ERR_OTHER;
    }
    else if ((*reply)->type == REDIS_REPLY_ERROR) {
        problem = apr_psprintf(pool, "Redis returned an error: %s", (*reply)->str);
        freeReplyObject(*reply);
        *reply = NULL;
    }
    release(server, connection);
    return problem;
}

static const char *redis_get(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                             const char **value, apr_size_t *length)
{
    redisReply *reply;
    const char *problem = run(cache, pool, &reply, "GET %s", key);

    *value = NULL;
    if (problem)
        return problem;
    if (reply->type == REDIS_REPLY_STRING) {
        *value = apr_pstrmemdup(pool, reply->str, reply->len);
        *length = reply->len;
    }
    freeReplyObject(reply);
    return NULL;
}

static const char *redis_set(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                             const char *value, apr_size_t length, apr_int64_t ttl)
{
    redisReply *reply;
    const char *problem = run(cache, pool, &reply, "SET %s %b EX %lld", key, value, length, (long long)ttl);

    if (!problem)
        freeReplyObject(reply);
    return problem;
}

static const char *redis_remove(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key, int *removed)
{
    redisReply *reply;
    const char *problem = run(cache, pool, &reply, "DEL %s", key);

    *removed = 0;
    if (problem)
        return problem;
    *removed = reply->type == REDIS_REPLY_INTEGER && reply->integer > 0;
    freeReplyObject(reply);
    return NULL;
}

static const char *redis_extend(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                                apr_int64_t seconds, int *extended)
{
    redisReply *reply;
    const char *problem = run(cache, pool, &reply, "EVAL %s 1 %s %lld", EXTEND_SCRIPT, key,
                              (long long)seconds * 1000);

    *extended = 0;
    if (problem)
        return problem;
    *extended = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
    freeReplyObject(reply);
    return NULL;
}

static const char *redis_increment(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                                   apr_int64_t by, apr_int64_t ttl, apr_int64_t *value)
{
    redisReply *reply;
    const char *problem = run(cache, pool, &reply, "EVAL %s 1 %s %lld %lld", INCREMENT_SCRIPT, key,
                              (long long)by, (long long)ttl);

    if (problem) {
        /* Redis words it "value is not an integer or out of range". */
        if (strstr(problem, "not an integer"))
            return "the stored value is not an integer, or the result would overflow a 64-bit integer";
        return problem;
    }
    if (reply->type != REDIS_REPLY_INTEGER) {
        freeReplyObject(reply);
        return "Redis returned a reply that is not an integer";
    }
    *value = reply->integer;
    freeReplyObject(reply);
    return NULL;
}

/* Escapes the glob characters of Redis' MATCH so the prefix matches literally. */
static const char *literal_pattern(apr_pool_t *pool, const char *prefix)
{
    char *pattern = apr_palloc(pool, strlen(prefix) * 2 + 2);
    char *out = pattern;

    for (; *prefix; prefix++) {
        if (strchr("*?[]\\", *prefix))
            *out++ = '\\';
        *out++ = *prefix;
    }
    *out++ = '*';
    *out = '\0';
    return pattern;
}

/* SCAN may return a key more than once, so keys are collected in a hash first. */
static const char *redis_list(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *prefix,
                              apr_array_header_t *keys)
{
    const char *pattern = literal_pattern(pool, prefix);
    apr_hash_t *seen = apr_hash_make(pool);
    const char *cursor = "0";
    apr_hash_index_t *entry;

    do {
        redisReply *reply;
        const char *problem = run(cache, pool, &reply, "SCAN %s MATCH %s COUNT " REDIS_SCAN_COUNT, cursor,
                                  pattern);
        size_t i;

        if (problem)
            return problem;
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
            reply->element[0]->type != REDIS_REPLY_STRING || reply->element[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(reply);
            return "Redis returned an unexpected SCAN reply";
        }
        cursor = apr_pstrdup(pool, reply->element[0]->str);
        for (i = 0; i < reply->element[1]->elements; i++) {
            const redisReply *key = reply->element[1]->element[i];

            if (key->type == REDIS_REPLY_STRING)
                apr_hash_set(seen, apr_pstrmemdup(pool, key->str, key->len), APR_HASH_KEY_STRING, "");
        }
        freeReplyObject(reply);
    } while (strcmp(cursor, "0"));

    for (entry = apr_hash_first(pool, seen); entry; entry = apr_hash_next(entry))
        APR_ARRAY_PUSH(keys, const char *) = apr_hash_this_key(entry);
    return NULL;
}

const char *mod_sinchfn_redis_create(apr_pool_t *pool, server_rec *s, const char *host, int port,
                                     apr_size_t max_value, int timeout_ms, sinchfn_cache_backend **backend)
{
    redis_server *server = apr_pcalloc(pool, sizeof(*server));
    sinchfn_cache_backend *cache = apr_pcalloc(pool, sizeof(*cache));
    int threads = 1;
    apr_status_t status;

    (void)s;
    if (ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads) != APR_SUCCESS || threads < 1)
        threads = 1;
    server->host = host;
    server->port = port;
    server->timeout_ms = timeout_ms;
    status = apr_reslist_create(&server->connections, 0, threads, threads,
                                apr_time_from_sec(REDIS_IDLE_SECONDS), construct_connection,
                                destruct_connection, server, pool);
    if (status != APR_SUCCESS)
        return apr_psprintf(pool, "creating the Redis connection pool failed (%pm)", &status);
    apr_pool_cleanup_register(pool, server->connections, (apr_status_t (*)(void *))apr_reslist_destroy,
                              apr_pool_cleanup_null);

    cache->name = "redis";
    cache->max_value = max_value;
    cache->baton = server;
    cache->get = redis_get;
    cache->set = redis_set;
    cache->remove = redis_remove;
    cache->extend = redis_extend;
    cache->list = redis_list;
    cache->increment = redis_increment;
    *backend = cache;
    return NULL;
}
