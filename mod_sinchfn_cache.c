/*
 * mod_sinchfn_cache.c: the server-wide cache behind the cache API. It parses SinchCache,
 * sets up httpd's shmcb socache provider with a global mutex (shmcb is not safe for
 * concurrent use), and implements the backend operations on it. Redis lives in
 * mod_sinchfn_redis.c.
 */
#include <errno.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "mod_sinchfn_glue.h"

#include <http_core.h>
#include <http_log.h>
#include <ap_provider.h>
#include <ap_socache.h>
#include <util_mutex.h>

APLOG_USE_MODULE(sinchfn);

#define MUTEX_TYPE "sinchfn-cache"
#define SOCACHE_NAME "sinchfn-cache"
#define DEFAULT_SHMCB_SIZE 2097152
#define DEFAULT_MAX_VALUE 16384
/* Default of SinchCacheTimeout, in milliseconds. */
#define DEFAULT_REDIS_TIMEOUT_MS 2000
/* Bytes in front of each shmcb value: the absolute expiry in microseconds, big-endian,
 * because socache returns no expiry and extend needs it. */
#define EXPIRY_BYTES 8

typedef enum { CACHE_SHMCB = 0, CACHE_REDIS } cache_kind;

/* Server-wide settings. Directives run in each configuration pass; pre_config resets them. */
static struct {
    cache_kind kind;
    int configured; /* whether SinchCache was given */
    apr_size_t shmcb_size;
    const char *redis_host;
    int redis_port;
    apr_size_t max_value;
    int redis_timeout_ms; /* SinchCacheTimeout */
} settings;

/* The cache of this generation, set in post_config and child_init. */
static const ap_socache_provider_t *shmcb_provider;
static ap_socache_instance_t *shmcb_instance;
static apr_global_mutex_t *shmcb_mutex;
static server_rec *main_server;
static sinchfn_cache_backend *process_cache;

const sinchfn_cache_backend *mod_sinchfn_cache(void)
{
    return process_cache;
}

/* ---- directives ---- */

static const char *parse_size(apr_pool_t *pool, const char *text, apr_int64_t low, apr_int64_t high,
                              apr_int64_t *size)
{
    char *end = NULL;
    apr_int64_t value = apr_strtoi64(text, &end, 10);

    if (!*text || *end || value < low || value > high)
        return apr_psprintf(pool, "'%s' is not a number of bytes from %" APR_INT64_T_FMT " to %" APR_INT64_T_FMT,
                            text, low, high);
    *size = value;
    return NULL;
}

static const char *parse_redis(cmd_parms *cmd, const char *address)
{
    const char *colon = strrchr(address, ':');
    char *end = NULL;
    long port;

    if (!colon || colon == address)
        return apr_psprintf(cmd->pool, "SinchCache: 'redis:%s' is not valid; use redis:HOST:PORT, e.g. "
                            "redis:127.0.0.1:6379", address);
    port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 1 || port > 65535)
        return apr_psprintf(cmd->pool, "SinchCache: the Redis port in 'redis:%s' is not a number from 1 to 65535",
                            address);
    settings.kind = CACHE_REDIS;
    settings.redis_host = apr_pstrmemdup(cmd->pool, address, (apr_size_t)(colon - address));
    settings.redis_port = (int)port;
    return NULL;
}

const char *mod_sinchfn_set_cache(cmd_parms *cmd, void *mconfig, const char *arg)
{
    const char *problem = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_int64_t size;

    (void)mconfig;
    if (problem)
        return problem;
    settings.configured = 1;
    if (!strcmp(arg, "shmcb")) {
        settings.kind = CACHE_SHMCB;
        settings.shmcb_size = DEFAULT_SHMCB_SIZE;
        return NULL;
    }
    if (!strncmp(arg, "shmcb:", 6)) {
        /* shmcb itself rejects less than 8192 bytes and sizes that do not fit 32 bits. */
        if ((problem = parse_size(cmd->pool, arg + 6, 65536, APR_INT32_MAX, &size)))
            return apr_psprintf(cmd->pool, "SinchCache: the shmcb size %s", problem);
        settings.kind = CACHE_SHMCB;
        settings.shmcb_size = (apr_size_t)size;
        return NULL;
    }
    if (!strncmp(arg, "redis:", 6))
        return parse_redis(cmd, arg + 6);
    if (!strncmp(arg, "memcache", 8))
        return "SinchCache: memcache is not supported yet, because memcached through socache cannot "
               "increment atomically or list keys; use shmcb for one server or redis:HOST:PORT for several";
    return apr_psprintf(cmd->pool, "SinchCache: '%s' is not valid; use shmcb, shmcb:SIZE or redis:HOST:PORT", arg);
}

const char *mod_sinchfn_set_cache_max_value(cmd_parms *cmd, void *mconfig, const char *arg)
{
    const char *problem = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    apr_int64_t size;

    (void)mconfig;
    if (problem)
        return problem;
    if ((problem = parse_size(cmd->pool, arg, 16, 64 * 1024 * 1024, &size)))
        return apr_psprintf(cmd->pool, "SinchCacheMaxValueSize: %s", problem);
    settings.max_value = (apr_size_t)size;
    return NULL;
}

const char *mod_sinchfn_set_cache_timeout(cmd_parms *cmd, void *mconfig, const char *arg)
{
    const char *problem = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end = NULL;
    long milliseconds;

    (void)mconfig;
    if (problem)
        return problem;
    milliseconds = strtol(arg, &end, 10);
    if (!*arg || *end || milliseconds < 1 || milliseconds > 60000)
        return apr_psprintf(cmd->pool, "SinchCacheTimeout: '%s' is not a number of milliseconds from 1 to 60000",
                            arg);
    settings.redis_timeout_ms = (int)milliseconds;
    return NULL;
}

/* ---- shmcb backend ---- */

/* shmcb picks its subcache from the first byte of an id, and every complete key starts
 * with "sinchfn:", so each id starts with a byte hashed from the key (FNV-1a) to spread
 * the entries over all subcaches. */
typedef struct {
    const unsigned char *bytes;
    unsigned int length;
} shmcb_id;

static shmcb_id make_shmcb_id(apr_pool_t *pool, const char *key)
{
    apr_size_t key_length = strlen(key);
    unsigned char *bytes = apr_palloc(pool, key_length + 2);
    apr_uint32_t hash = 2166136261u;
    apr_size_t i;
    shmcb_id id;

    for (i = 0; i < key_length; i++)
        hash = (hash ^ (unsigned char)key[i]) * 16777619u;
    bytes[0] = (unsigned char)(hash ^ (hash >> 8) ^ (hash >> 16) ^ (hash >> 24));
    memcpy(bytes + 1, key, key_length + 1);
    id.bytes = bytes;
    id.length = (unsigned int)(key_length + 1);
    return id;
}

static const char *lock(apr_pool_t *pool)
{
    apr_status_t status = apr_global_mutex_lock(shmcb_mutex);

    return status == APR_SUCCESS ? NULL : apr_psprintf(pool, "locking the cache mutex failed (%pm)", &status);
}

static void unlock(void)
{
    apr_global_mutex_unlock(shmcb_mutex);
}

typedef struct {
    apr_time_t expiry;
    const char *value;
    apr_size_t length;
} shmcb_entry;

/* Reads an entry with the mutex held. Returns 1 when found. */
static int shmcb_read(apr_pool_t *pool, shmcb_id id, apr_size_t max_value, shmcb_entry *entry)
{
    unsigned int length = (unsigned int)(EXPIRY_BYTES + max_value + 1);
    unsigned char *buffer = apr_palloc(pool, length + 1);
    apr_uint64_t expiry = 0;
    int i;

    if (shmcb_provider->retrieve(shmcb_instance, main_server, id.bytes, id.length, buffer, &length, pool) != APR_SUCCESS ||
        length < EXPIRY_BYTES)
        return 0;
    for (i = 0; i < EXPIRY_BYTES; i++)
        expiry = (expiry << 8) | buffer[i];
    buffer[length] = '\0';
    entry->expiry = (apr_time_t)expiry;
    entry->value = (const char *)buffer + EXPIRY_BYTES;
    entry->length = length - EXPIRY_BYTES;
    return 1;
}

/* Writes an entry with the mutex held. */
static const char *shmcb_write(apr_pool_t *pool, shmcb_id id, const char *value, apr_size_t length,
                               apr_time_t expiry)
{
    unsigned char *buffer = apr_palloc(pool, EXPIRY_BYTES + length);
    apr_uint64_t bits = (apr_uint64_t)expiry;
    apr_status_t status;
    int i;

    for (i = EXPIRY_BYTES - 1; i >= 0; i--, bits >>= 8)
        buffer[i] = (unsigned char)(bits & 0xff);
    memcpy(buffer + EXPIRY_BYTES, value, length);
    status = shmcb_provider->store(shmcb_instance, main_server, id.bytes, id.length, expiry, buffer,
                                   (unsigned int)(EXPIRY_BYTES + length), pool);
    if (status != APR_SUCCESS)
        return apr_psprintf(pool, "the shmcb store failed (%pm); a value must fit one shmcb subcache, "
                            "so raise the SinchCache shmcb size", &status);
    return NULL;
}

static const char *shmcb_get(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                             const char **value, apr_size_t *length)
{
    const char *problem = lock(pool);
    shmcb_entry entry;

    *value = NULL;
    if (problem)
        return problem;
    if (shmcb_read(pool, make_shmcb_id(pool, key), cache->max_value, &entry)) {
        *value = entry.value;
        *length = entry.length;
    }
    unlock();
    return NULL;
}

static const char *shmcb_set(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                             const char *value, apr_size_t length, apr_int64_t ttl)
{
    const char *problem = lock(pool);

    (void)cache;
    if (problem)
        return problem;
    problem = shmcb_write(pool, make_shmcb_id(pool, key), value, length, apr_time_now() + apr_time_from_sec(ttl));
    unlock();
    return problem;
}

static const char *shmcb_remove(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key, int *removed)
{
    shmcb_id id = make_shmcb_id(pool, key);
    const char *problem = lock(pool);
    shmcb_entry entry;

    if (problem)
        return problem;
    /* shmcb's remove keeps expired entries it finds, so presence is checked by a read. */
    *removed = shmcb_read(pool, id, cache->max_value, &entry);
    shmcb_provider->remove(shmcb_instance, main_server, id.bytes, id.length, pool);
    unlock();
    return NULL;
}

static const char *shmcb_extend(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                                apr_int64_t seconds, int *extended)
{
    shmcb_id id = make_shmcb_id(pool, key);
    const char *problem = lock(pool);
    shmcb_entry entry;

    *extended = 0;
    if (problem)
        return problem;
    if (shmcb_read(pool, id, cache->max_value, &entry)) {
        problem = shmcb_write(pool, id, entry.value, entry.length, entry.expiry + apr_time_from_sec(seconds));
        *extended = problem == NULL;
    }
    unlock();
    return problem;
}

typedef struct {
    const char *prefix;
    apr_size_t prefix_length;
    apr_array_header_t *keys;
    apr_pool_t *pool;
} list_request;

static apr_status_t collect_key(ap_socache_instance_t *instance, server_rec *s, void *baton,
                                const unsigned char *id, unsigned int id_length, const unsigned char *data,
                                unsigned int data_length, apr_pool_t *pool)
{
    list_request *request = baton;
    const char *key = (const char *)id + 1;

    (void)instance;
    (void)s;
    (void)data;
    (void)data_length;
    (void)pool;
    if (id_length > request->prefix_length && !strncmp(key, request->prefix, request->prefix_length))
        APR_ARRAY_PUSH(request->keys, const char *) = apr_pstrmemdup(request->pool, key, id_length - 1);
    return APR_SUCCESS;
}

/* shmcb's iterate visits every unexpired entry, so the list is exact at the moment the
 * mutex is held. */
static const char *shmcb_list(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *prefix,
                              apr_array_header_t *keys)
{
    const char *problem = lock(pool);
    list_request request = { prefix, strlen(prefix), keys, pool };
    apr_status_t status;

    (void)cache;
    if (problem)
        return problem;
    status = shmcb_provider->iterate(shmcb_instance, main_server, &request, collect_key, pool);
    unlock();
    if (status != APR_SUCCESS)
        return apr_psprintf(pool, "the shmcb iteration failed (%pm)", &status);
    return NULL;
}

/* Parses a stored counter: a JSON integer, nothing else. */
static int parse_counter(const shmcb_entry *entry, apr_int64_t *value)
{
    char *end = NULL;
    char text[32];

    if (entry->length == 0 || entry->length >= sizeof(text))
        return 0;
    memcpy(text, entry->value, entry->length);
    text[entry->length] = '\0';
    errno = 0;
    *value = apr_strtoi64(text, &end, 10);
    return errno == 0 && *end == '\0' && (apr_isdigit(text[0]) || text[0] == '-');
}

static const char *shmcb_increment(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                                   apr_int64_t by, apr_int64_t ttl, apr_int64_t *value)
{
    shmcb_id id = make_shmcb_id(pool, key);
    const char *problem = lock(pool);
    apr_time_t expiry = apr_time_now() + apr_time_from_sec(ttl);
    apr_int64_t current = 0;
    shmcb_entry entry;
    char digits[21], *text;

    if (problem)
        return problem;
    if (shmcb_read(pool, id, cache->max_value, &entry)) {
        if (!parse_counter(&entry, &current)) {
            unlock();
            return "the stored value is not an integer";
        }
        expiry = entry.expiry;
    }
    if ((by > 0 && current > APR_INT64_MAX - by) || (by < 0 && current < APR_INT64_MIN - by)) {
        unlock();
        return "the result would overflow a 64-bit integer";
    }
    current += by;
    text = sinchfn_format_signed(digits + sizeof(digits), current);
    problem = shmcb_write(pool, id, text, (apr_size_t)(digits + sizeof(digits) - text), expiry);
    unlock();
    if (!problem)
        *value = current;
    return problem;
}

/* ---- start-up ---- */

static int cache_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    memset(&settings, 0, sizeof(settings));
    settings.kind = CACHE_SHMCB;
    settings.shmcb_size = DEFAULT_SHMCB_SIZE;
    settings.max_value = DEFAULT_MAX_VALUE;
    settings.redis_timeout_ms = DEFAULT_REDIS_TIMEOUT_MS;
    process_cache = NULL;
    return ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

static apr_status_t destroy_shmcb(void *data)
{
    (void)data;
    if (shmcb_instance)
        shmcb_provider->destroy(shmcb_instance, main_server);
    shmcb_instance = NULL;
    shmcb_mutex = NULL;
    return APR_SUCCESS;
}

/* Stores and removes one value of the maximum size, so that a shmcb too small for
 * SinchCacheMaxValueSize stops start-up instead of failing requests. */
static int probe_max_value(apr_pool_t *ptemp, server_rec *s)
{
    char *filler = apr_palloc(ptemp, settings.max_value);
    const char *key = "sinchfn:0::start-up probe";
    shmcb_id id = make_shmcb_id(ptemp, key);
    const char *problem;

    memset(filler, 'x', settings.max_value);
    if ((problem = shmcb_write(ptemp, id, filler, settings.max_value, apr_time_now() + apr_time_from_sec(1)))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0611: SinchCache shmcb:%" APR_SIZE_T_FMT " cannot hold a "
                     "value of SinchCacheMaxValueSize %" APR_SIZE_T_FMT " bytes; raise the shmcb size (about 64 "
                     "times the value size) or lower SinchCacheMaxValueSize", settings.shmcb_size, settings.max_value);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    shmcb_provider->remove(shmcb_instance, s, id.bytes, id.length, ptemp);
    return OK;
}

static int setup_shmcb(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    struct ap_socache_hints hints = { 48, 256, apr_time_from_sec(60) };
    const char *problem;
    apr_status_t status;

    shmcb_provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, "shmcb", AP_SOCACHE_PROVIDER_VERSION);
    if (!shmcb_provider && !settings.configured) {
        /* Without SinchCache the cache is optional: functions that never use it still run. */
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, "SFN0610: mod_socache_shmcb is not loaded, so functions "
                     "have no cache and cache calls fail; add LoadModule socache_shmcb_module "
                     "modules/mod_socache_shmcb.so (a2enmod socache_shmcb) or set SinchCache redis:HOST:PORT");
        return DECLINED;
    }
    if (!shmcb_provider) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0612: SinchCache shmcb needs mod_socache_shmcb; add "
                     "LoadModule socache_shmcb_module modules/mod_socache_shmcb.so (a2enmod socache_shmcb)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* shmcb takes "FILE(SIZE)"; the file is used only where anonymous shared memory is missing. */
    problem = shmcb_provider->create(&shmcb_instance, apr_psprintf(ptemp, SOCACHE_NAME "(%" APR_SIZE_T_FMT ")",
                                                                   settings.shmcb_size), ptemp, pconf);
    if (problem) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "SFN0613: SinchCache shmcb:%" APR_SIZE_T_FMT ": %s",
                     settings.shmcb_size, problem);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if ((status = shmcb_provider->init(shmcb_instance, SOCACHE_NAME, &hints, s, pconf)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0614: creating the shmcb cache of %" APR_SIZE_T_FMT
                     " bytes failed; lower the SinchCache shmcb size", settings.shmcb_size);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, NULL, destroy_shmcb, apr_pool_cleanup_null);

    if ((status = ap_global_mutex_create(&shmcb_mutex, NULL, MUTEX_TYPE, NULL, s, pconf, 0)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, status, s, "SFN0615: creating the cache mutex failed; see the "
                     "Mutex directive for the mechanism and directory of mutex '" MUTEX_TYPE "'");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return probe_max_value(ptemp, s);
}

static sinchfn_cache_backend *make_shmcb_backend(apr_pool_t *pool)
{
    sinchfn_cache_backend *backend = apr_pcalloc(pool, sizeof(*backend));

    backend->name = "shmcb";
    backend->max_value = settings.max_value;
    backend->get = shmcb_get;
    backend->set = shmcb_set;
    backend->remove = shmcb_remove;
    backend->extend = shmcb_extend;
    backend->list = shmcb_list;
    backend->increment = shmcb_increment;
    return backend;
}

static int cache_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int status;

    (void)plog;
    /* The first pass only checks the configuration: shared memory waits for the real start. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    main_server = s;
    shmcb_instance = NULL;
    shmcb_mutex = NULL;
    if (settings.kind != CACHE_SHMCB)
        return OK;
    if ((status = setup_shmcb(pconf, ptemp, s)) == DECLINED)
        return OK;
    if (status != OK)
        return status;
    process_cache = make_shmcb_backend(pconf);
    return OK;
}

static void cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t status;

    if (settings.kind == CACHE_REDIS) {
        sinchfn_cache_backend *backend;
        const char *problem = mod_sinchfn_redis_create(pchild, s, settings.redis_host, settings.redis_port,
                                                       settings.max_value, settings.redis_timeout_ms, &backend);

        if (problem) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, "SFN0616: setting up the Redis cache failed: %s", problem);
            return;
        }
        process_cache = backend;
        return;
    }
    if (!shmcb_mutex)
        return;
    status = apr_global_mutex_child_init(&shmcb_mutex, apr_global_mutex_lockfile(shmcb_mutex), pchild);
    if (status != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, status, s, "SFN0617: reopening the cache mutex in a child failed; "
                     "cache calls of this process fail");
        process_cache = NULL;
    }
}

void mod_sinchfn_cache_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_pre_config(cache_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cache_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(cache_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}
