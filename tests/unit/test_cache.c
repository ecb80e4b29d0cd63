/* test_cache.c: the cache front end (key checks, namespaces, TTLs, value sizes, glob
 * matching) against an in-memory backend. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

/* An in-memory backend that records the complete keys and TTLs it receives. */
typedef struct {
    apr_hash_t *values; /* complete key -> NUL-terminated JSON text */
    apr_int64_t last_ttl;
    const char *fail_with; /* returned by every operation when set */
} memory_store;

static sinchfn_ctx ctx;
static sinchfn_cache_backend backend;
static memory_store store;

static const char *memory_get(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                              const char **value, apr_size_t *length)
{
    (void)cache;
    (void)pool;
    *value = apr_hash_get(store.values, key, APR_HASH_KEY_STRING);
    *length = *value ? strlen(*value) : 0;
    return store.fail_with;
}

static const char *memory_set(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                              const char *value, apr_size_t length, apr_int64_t ttl)
{
    (void)cache;
    if (store.fail_with)
        return store.fail_with;
    store.last_ttl = ttl;
    apr_hash_set(store.values, apr_pstrdup(pool, key), APR_HASH_KEY_STRING, apr_pstrmemdup(pool, value, length));
    return NULL;
}

static const char *memory_remove(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key, int *removed)
{
    (void)cache;
    (void)pool;
    *removed = apr_hash_get(store.values, key, APR_HASH_KEY_STRING) != NULL;
    apr_hash_set(store.values, key, APR_HASH_KEY_STRING, NULL);
    return NULL;
}

static const char *memory_extend(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                                 apr_int64_t seconds, int *extended)
{
    (void)cache;
    (void)pool;
    store.last_ttl = seconds;
    *extended = apr_hash_get(store.values, key, APR_HASH_KEY_STRING) != NULL;
    return NULL;
}

static const char *memory_list(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *prefix,
                               apr_array_header_t *keys)
{
    apr_hash_index_t *entry;

    (void)cache;
    for (entry = apr_hash_first(pool, store.values); entry; entry = apr_hash_next(entry)) {
        const char *key = apr_hash_this_key(entry);

        if (!strncmp(key, prefix, strlen(prefix)))
            APR_ARRAY_PUSH(keys, const char *) = key;
    }
    return NULL;
}

static const char *memory_increment(const sinchfn_cache_backend *cache, apr_pool_t *pool, const char *key,
                                    apr_int64_t by, apr_int64_t ttl, apr_int64_t *value)
{
    const char *text = apr_hash_get(store.values, key, APR_HASH_KEY_STRING);

    (void)cache;
    *value = (text ? apr_atoi64(text) : 0) + by;
    if (!text)
        store.last_ttl = ttl;
    apr_hash_set(store.values, apr_pstrdup(pool, key), APR_HASH_KEY_STRING,
                 apr_psprintf(pool, "%" APR_INT64_T_FMT, *value));
    return NULL;
}

static void create_context(void)
{
    test_pool_setup();
    memset(&ctx, 0, sizeof(ctx));
    memset(&store, 0, sizeof(store));
    memset(&backend, 0, sizeof(backend));
    store.values = apr_hash_make(test_pool);
    backend.name = "memory";
    backend.max_value = 32;
    backend.get = memory_get;
    backend.set = memory_set;
    backend.remove = memory_remove;
    backend.extend = memory_extend;
    backend.list = memory_list;
    backend.increment = memory_increment;
    ctx.pool = test_pool;
    ctx.function_name = "example";
    ctx.cache = &backend;
    ctx.log_level = SINCHFN_LOG_DEBUG;
}

START_TEST(namespace_has_name_length)
{
    ck_assert_str_eq(sinchfn_cache_namespace(test_pool, "example"), "sinchfn:7:example:");
    ck_assert_str_eq(sinchfn_cache_namespace(test_pool, "a:b"), "sinchfn:3:a:b:");
}
END_TEST

START_TEST(glob_cases)
{
    ck_assert(sinchfn_glob_match("*", ""));
    ck_assert(sinchfn_glob_match("*", "anything"));
    ck_assert(sinchfn_glob_match("user:*", "user:1"));
    ck_assert(!sinchfn_glob_match("user:*", "order:1"));
    ck_assert(sinchfn_glob_match("*:1", "order:1"));
    ck_assert(sinchfn_glob_match("a*b*c", "aXXbYYc"));
    ck_assert(!sinchfn_glob_match("a*b*c", "aXXbYY"));
    ck_assert(sinchfn_glob_match("exact", "exact"));
    ck_assert(!sinchfn_glob_match("exact", "exactly"));
    ck_assert(!sinchfn_glob_match("?", "x"));
    ck_assert(sinchfn_glob_match("a**b", "ab"));
}
END_TEST

START_TEST(set_stores_namespaced_json)
{
    json_object *value = json_object_new_object();

    json_object_object_add(value, "n", json_object_new_int(1));
    ck_assert_int_eq(sinchfn_cache_set(&ctx, "k", value, 0), SINCHFN_OK);
    json_object_put(value);

    ck_assert_str_eq(apr_hash_get(store.values, "sinchfn:7:example:k", APR_HASH_KEY_STRING), "{\"n\":1}");
    ck_assert_int_eq(store.last_ttl, SINCHFN_CACHE_DEFAULT_TTL);
}
END_TEST

START_TEST(get_round_trips)
{
    json_object *value = json_object_new_string("hello");
    json_object *read = NULL;

    sinchfn_cache_set(&ctx, "k", value, 5);
    json_object_put(value);

    ck_assert_int_eq(sinchfn_cache_get(&ctx, "k", &read), SINCHFN_OK);
    ck_assert_ptr_nonnull(read);
    ck_assert_str_eq(json_object_get_string(read), "hello");
    ck_assert_int_eq(store.last_ttl, 5);
}
END_TEST

START_TEST(get_miss_is_not_error)
{
    json_object *read = json_object_new_int(1);
    json_object *original = read;

    ck_assert_int_eq(sinchfn_cache_get(&ctx, "absent", &read), SINCHFN_OK);
    ck_assert_ptr_null(read);
    ck_assert_ptr_null(sinchfn_last_error(&ctx));
    json_object_put(original);
}
END_TEST

START_TEST(value_over_max_rejected)
{
    json_object *value = json_object_new_string("0123456789012345678901234567890123456789");

    ck_assert_int_eq(sinchfn_cache_set(&ctx, "k", value, 0), SINCHFN_ERROR);
    json_object_put(value);
    ck_assert_ptr_nonnull(strstr(sinchfn_last_error(&ctx), "SinchCacheMaxValueSize (32 bytes)"));
    ck_assert_int_eq(apr_hash_count(store.values), 0);
}
END_TEST

START_TEST(key_checks)
{
    char long_key[SINCHFN_CACHE_MAX_KEY + 2];
    json_object *read;

    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    ck_assert_int_eq(sinchfn_cache_get(&ctx, "", &read), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(strstr(sinchfn_last_error(&ctx), "the key is empty"));
    ck_assert_int_eq(sinchfn_cache_get(&ctx, NULL, &read), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_cache_get(&ctx, long_key, &read), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(strstr(sinchfn_last_error(&ctx), "more than the maximum of 250"));
    long_key[SINCHFN_CACHE_MAX_KEY] = '\0';
    ck_assert_int_eq(sinchfn_cache_get(&ctx, long_key, &read), SINCHFN_OK);
}
END_TEST

START_TEST(ttl_checks)
{
    json_object *value = json_object_new_int(1);

    ck_assert_int_eq(sinchfn_cache_set(&ctx, "k", value, -1), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_cache_set(&ctx, "k", value, SINCHFN_CACHE_MAX_TTL + 1), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_cache_set(&ctx, "k", value, SINCHFN_CACHE_MAX_TTL), SINCHFN_OK);
    json_object_put(value);
}
END_TEST

START_TEST(null_value_rejected)
{
    ck_assert_int_eq(sinchfn_cache_set(&ctx, "k", NULL, 0), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(strstr(sinchfn_last_error(&ctx), "JSON null"));
}
END_TEST

START_TEST(keys_filtered_and_sorted)
{
    apr_array_header_t *keys;

    apr_hash_set(store.values, "sinchfn:7:example:user:2", APR_HASH_KEY_STRING, "1");
    apr_hash_set(store.values, "sinchfn:7:example:user:1", APR_HASH_KEY_STRING, "1");
    apr_hash_set(store.values, "sinchfn:7:example:order:1", APR_HASH_KEY_STRING, "1");
    apr_hash_set(store.values, "sinchfn:5:other:user:3", APR_HASH_KEY_STRING, "1");

    ck_assert_int_eq(sinchfn_cache_keys(&ctx, "user:*", &keys), SINCHFN_OK);
    ck_assert_int_eq(keys->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(keys, 0, const char *), "user:1");
    ck_assert_str_eq(APR_ARRAY_IDX(keys, 1, const char *), "user:2");
}
END_TEST

START_TEST(get_many_holds_present_keys)
{
    const char *names[] = { "a", "b", "c" };
    json_object *values, *member;

    apr_hash_set(store.values, "sinchfn:7:example:a", APR_HASH_KEY_STRING, "1");
    apr_hash_set(store.values, "sinchfn:7:example:c", APR_HASH_KEY_STRING, "[true]");

    ck_assert_int_eq(sinchfn_cache_get_many(&ctx, names, 3, &values), SINCHFN_OK);
    ck_assert_int_eq(json_object_object_length(values), 2);
    ck_assert(json_object_object_get_ex(values, "a", &member));
    ck_assert_int_eq(json_object_get_int(member), 1);
    ck_assert(!json_object_object_get_ex(values, "b", NULL));
}
END_TEST

START_TEST(increment_passes_ttl)
{
    apr_int64_t value;

    ck_assert_int_eq(sinchfn_cache_increment(&ctx, "n", 3, 60, &value), SINCHFN_OK);
    ck_assert_int_eq(value, 3);
    ck_assert_int_eq(store.last_ttl, 60);
    ck_assert_int_eq(sinchfn_cache_increment(&ctx, "n", 2, 0, &value), SINCHFN_OK);
    ck_assert_int_eq(value, 5);
}
END_TEST

START_TEST(extend_rejects_nonpositive)
{
    int extended = 1;

    ck_assert_int_eq(sinchfn_cache_extend(&ctx, "k", 0, &extended), SINCHFN_ERROR);
    ck_assert_int_eq(extended, 0);
}
END_TEST

START_TEST(backend_failure_reported)
{
    json_object *read;

    store.fail_with = "connection refused";
    ck_assert_int_eq(sinchfn_cache_get(&ctx, "k", &read), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_last_error(&ctx), "cache get of key 'k' failed on memory: connection refused");
    ck_assert(!sinchfn_last_error_is_not_found(&ctx));
}
END_TEST

START_TEST(no_cache_reported)
{
    json_object *read;

    ctx.cache = NULL;
    ck_assert_int_eq(sinchfn_cache_get(&ctx, "k", &read), SINCHFN_ERROR);
    ck_assert_ptr_nonnull(strstr(sinchfn_last_error(&ctx), "no cache"));
}
END_TEST

Suite *cache_suite(void)
{
    Suite *suite = suite_create("cache");
    TCase *tc = tcase_create("cache");

    tcase_add_checked_fixture(tc, create_context, test_pool_teardown);
    tcase_add_test(tc, namespace_has_name_length);
    tcase_add_test(tc, glob_cases);
    tcase_add_test(tc, set_stores_namespaced_json);
    tcase_add_test(tc, get_round_trips);
    tcase_add_test(tc, get_miss_is_not_error);
    tcase_add_test(tc, value_over_max_rejected);
    tcase_add_test(tc, key_checks);
    tcase_add_test(tc, ttl_checks);
    tcase_add_test(tc, null_value_rejected);
    tcase_add_test(tc, keys_filtered_and_sorted);
    tcase_add_test(tc, get_many_holds_present_keys);
    tcase_add_test(tc, increment_passes_ttl);
    tcase_add_test(tc, extend_rejects_nonpositive);
    tcase_add_test(tc, backend_failure_reported);
    tcase_add_test(tc, no_cache_reported);
    suite_add_tcase(suite, tc);
    return suite;
}
