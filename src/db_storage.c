/*
 * db_storage.c: the storage API kept in the function's database (SinchStorage dbd), so
 * that servers sharing a PostgreSQL database through mod_dbd share storage. Keys follow
 * the rules of the file backend; values are stored as base64 text, because apr_dbd
 * passes every argument as a C string.
 */
#include <stdlib.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

#define REJECTED SINCHFN_LOG_INFO, SINCHFN_TAG_STATE_REJECTED

/* The function_name column keeps functions apart when several share one mod_dbd database. */
#define CREATE_TABLE "CREATE TABLE IF NOT EXISTS sinchfn_storage (function_name VARCHAR(255) NOT NULL, " \
                     "name VARCHAR(1024) NOT NULL, value TEXT NOT NULL, PRIMARY KEY (function_name, name))"
#define UPSERT "INSERT INTO sinchfn_storage (function_name, name, value) VALUES (%s, %s, %s) " \
               "ON CONFLICT (function_name, name) DO UPDATE SET value = excluded.value"
#define SELECT_VALUE "SELECT value FROM sinchfn_storage WHERE function_name = %s AND name = %s"
#define DELETE_KEY "DELETE FROM sinchfn_storage WHERE function_name = %s AND name = %s"
#define SELECT_NAMES "SELECT name FROM sinchfn_storage WHERE function_name = %s"
/* Marks a connection whose table statement has run. */
#define TABLE_READY_KEY "storage:table-ready"

/* Runs one storage statement, creating the table on the connection's first use. */
static sinchfn_status run(sinchfn_ctx *ctx, const char *operation, const char *key, const char *sql,
                          const char *const *args, int count, json_object **rows, int *affected)
{
    sinchfn_db_connection *connection = sinchfn_db_connect(ctx, operation);

    if (!connection)
        return SINCHFN_ERROR;
    if (!apr_hash_get(connection->prepared, TABLE_READY_KEY, APR_HASH_KEY_STRING)) {
        /* Two processes creating the table at once can make PostgreSQL fail one of them
         * on its catalog's unique index; the second attempt finds the table. */
        if (sinchfn_db_run(ctx, connection, operation, "storage:create", NULL, CREATE_TABLE, NULL, 0, NULL, NULL) !=
                SINCHFN_OK &&
            sinchfn_db_run(ctx, connection, operation, "storage:create", NULL, CREATE_TABLE, NULL, 0, NULL, NULL) !=
                SINCHFN_OK)
            return SINCHFN_ERROR;
        apr_hash_set(connection->prepared, TABLE_READY_KEY, APR_HASH_KEY_STRING, connection);
    }
    return sinchfn_db_run(ctx, connection, operation, key, NULL, sql, args, count, rows, affected);
}

static const char *checked_key(sinchfn_ctx *ctx, const char *operation, const char *key)
{
    const char *problem = sinchfn_relative_path_check(ctx->pool, "storage key", key, 0);

    if (problem) {
        sinchfn_state_fail(ctx, REJECTED, "storage %s rejected: %s", operation, problem);
        return NULL;
    }
    return key;
}

sinchfn_status sinchfn_db_storage_write(sinchfn_ctx *ctx, const char *key, const void *data, apr_size_t length)
{
    const char *args[3];
    char *encoded;

    if (!checked_key(ctx, "write", key))
        return SINCHFN_ERROR;
    if (length > (apr_size_t)APR_INT32_MAX / 2)
        return sinchfn_state_fail(ctx, REJECTED, "storage write of key '%s' rejected: %" APR_SIZE_T_FMT " bytes is "
                                  "too large for the database backend", key, length);
    encoded = apr_palloc(ctx->pool, (apr_size_t)apr_base64_encode_len((int)length));
    apr_base64_encode_binary(encoded, data, (int)length);
    args[0] = ctx->function_name;
    args[1] = key;
    args[2] = encoded;
    return run(ctx, apr_psprintf(ctx->pool, "storage write of key '%s'", key), "storage:upsert", UPSERT, args, 3,
               NULL, NULL);
}

/* Reads the stored text of key; *value is NULL when the key is absent. */
static sinchfn_status select_value(sinchfn_ctx *ctx, const char *operation, const char *key, const char **value)
{
    const char *args[2] = { ctx->function_name, key };
    json_object *rows, *row, *column;

    *value = NULL;
    if (run(ctx, apr_psprintf(ctx->pool, "storage %s of key '%s'", operation, key), "storage:select",
            SELECT_VALUE, args, 2, &rows, NULL) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (json_object_array_length(rows) > 0 && (row = json_object_array_get_idx(rows, 0)) &&
        json_object_object_get_ex(row, "value", &column))
        *value = json_object_get_string(column);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_db_storage_read(sinchfn_ctx *ctx, const char *key, const char **data, apr_size_t *length)
{
    const char *text;
    char *decoded;
    int size;

    *data = NULL;
    *length = 0;
    if (!checked_key(ctx, "read", key) || select_value(ctx, "read", key, &text) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!text) {
        sinchfn_state_fail(ctx, SINCHFN_LOG_DEBUG, SINCHFN_TAG_STATE_REJECTED, "storage key '%s' not found", key);
        ctx->error_not_found = 1;
        return SINCHFN_ERROR;
    }
    decoded = apr_palloc(ctx->pool, (apr_size_t)apr_base64_decode_len(text) + 1);
    size = apr_base64_decode_binary((unsigned char *)decoded, text);
    decoded[size] = '\0';
    *data = decoded;
    *length = (apr_size_t)size;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_db_storage_exists(sinchfn_ctx *ctx, const char *key, int *exists)
{
    const char *text;

    *exists = 0;
    if (!checked_key(ctx, "exists", key) || select_value(ctx, "exists", key, &text) != SINCHFN_OK)
        return SINCHFN_ERROR;
    *exists = text != NULL;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_db_storage_delete(sinchfn_ctx *ctx, const char *key, int *deleted)
{
    const char *args[2] = { ctx->function_name, key };
    int affected = 0;

    if (deleted)
        *deleted = 0;
    if (!checked_key(ctx, "delete", key) ||
        run(ctx, apr_psprintf(ctx->pool, "storage delete of key '%s'", key), "storage:delete", DELETE_KEY, args, 2,
            NULL, &affected) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (deleted)
        *deleted = affected > 0;
    return SINCHFN_OK;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Filters by prefix here rather than in SQL, because SQLite and PostgreSQL count
 * substr() in characters and sort by different collations; the result is sorted by
 * bytes like the file backend's. */
sinchfn_status sinchfn_db_storage_list(sinchfn_ctx *ctx, const char *prefix, apr_array_header_t *keys)
{
    const char *args[1] = { ctx->function_name };
    apr_size_t prefix_length = strlen(prefix);
    json_object *rows;
    size_t i;

    if (run(ctx, apr_psprintf(ctx->pool, "storage list of prefix '%s'", prefix), "storage:names", SELECT_NAMES,
            args, 1, &rows, NULL) != SINCHFN_OK)
        return SINCHFN_ERROR;
    for (i = 0; i < json_object_array_length(rows); i++) {
        json_object *column;
        const char *name;

        if (!json_object_object_get_ex(json_object_array_get_idx(rows, i), "name", &column))
            continue;
        name = json_object_get_string(column);
        if (name && !strncmp(name, prefix, prefix_length))
            APR_ARRAY_PUSH(keys, const char *) = apr_pstrdup(ctx->pool, name);
    }
    qsort(keys->elts, (size_t)keys->nelts, sizeof(const char *), compare_keys);
    return SINCHFN_OK;
}
