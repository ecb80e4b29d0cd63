/*
 * shared: the function of the cluster tests. Every node of the cluster serves it with
 * the same sinch.json and env file and a per-node NODE_NAME variable, and keeps its
 * state in Redis (cache) and PostgreSQL (database and storage).
 *
 * GET  /whoami            {"node", "greeting", "tokenMatches"}: NODE_NAME, the GREETING
 *                         variable, and whether the X-Token header equals the API_TOKEN secret
 * POST /counter           adds 1 to the cache counter "hits": {"value", "node"}
 * GET  /counter           {"value", "node"}: the counter, 0 when absent
 * POST /record?id=ID      {"value"} is written to the cache key record:ID, the storage
 *                         key record/ID and the row ID of the table shared_records; 200
 *                         only after all three writes succeeded
 * GET  /record?id=ID      {"cache", "storage", "row", "node"}, each null when absent
 */
#include <string.h>

#include <apr_strings.h>

#include <sinchfn.h>

#define COUNTER_KEY "hits"
#define COUNTER_TTL_SECONDS 3600
#define RECORD_TTL_SECONDS 3600
#define MAX_ID_LENGTH 64

#define CREATE_TABLE "CREATE TABLE IF NOT EXISTS shared_records (id VARCHAR(64) PRIMARY KEY, " \
                     "value VARCHAR(255) NOT NULL, node VARCHAR(64) NOT NULL)"
#define INSERT_RECORD "INSERT INTO shared_records (id, value, node) VALUES (%s, %s, %s)"
#define SELECT_RECORD "SELECT value FROM shared_records WHERE id = %s"

static const char *node_name(const sinchfn_ctx *ctx)
{
    const char *name = sinchfn_variable(ctx, "NODE_NAME");

    return name ? name : "unnamed";
}

static sinchfn_status whoami(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *token = sinchfn_secret(ctx, "API_TOKEN");
    const char *offered = sinchfn_request_header(request, "X-Token");
    const char *greeting = sinchfn_variable(ctx, "GREETING");
    int matches = token && offered && sinchfn_secure_equals(token, offered);

    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "node", json_object_new_string(node_name(ctx)),
                                                    "greeting", greeting ? json_object_new_string(greeting) : NULL,
                                                    "tokenMatches", json_object_new_boolean(matches), NULL));
}

static sinchfn_status counter(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    apr_int64_t value = 0;

    if (!strcmp(sinchfn_request_method(request), "POST")) {
        if (sinchfn_cache_increment(ctx, COUNTER_KEY, 1, COUNTER_TTL_SECONDS, &value) != SINCHFN_OK)
            return sinchfn_fail(ctx, "incrementing the counter failed: %s", sinchfn_last_error(ctx));
    }
    else {
        json_object *stored = NULL;

        if (sinchfn_cache_get(ctx, COUNTER_KEY, &stored) != SINCHFN_OK)
            return sinchfn_fail(ctx, "reading the counter failed: %s", sinchfn_last_error(ctx));
        value = stored ? json_object_get_int64(stored) : 0;
    }
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "value", json_object_new_int64(value),
                                                    "node", json_object_new_string(node_name(ctx)), NULL));
}

/* Creates the table when missing. PostgreSQL can fail one of two sessions that create
 * it at the same moment, so a failure is retried once. */
static sinchfn_status ensure_table(sinchfn_ctx *ctx)
{
    if (sinchfn_db_execute_sql(ctx, CREATE_TABLE, NULL, 0, NULL) == SINCHFN_OK)
        return SINCHFN_OK;
    if (sinchfn_last_error_is_unavailable(ctx))
        return SINCHFN_ERROR;
    return sinchfn_db_execute_sql(ctx, CREATE_TABLE, NULL, 0, NULL);
}

/* Returns the id query parameter when it is 1 to MAX_ID_LENGTH letters, digits, '-'
 * or '_', else NULL. */
static const char *record_id(const sinchfn_request *request)
{
    const char *id = sinchfn_request_query(request, "id");
    size_t length;

    if (!id)
        return NULL;
    length = strlen(id);
    if (length == 0 || length > MAX_ID_LENGTH || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                            "0123456789-_") != length)
        return NULL;
    return id;
}

static sinchfn_status write_record(sinchfn_ctx *ctx, const char *id, const char *value, sinchfn_response *response)
{
    apr_pool_t *pool = sinchfn_pool(ctx);
    const char *args[3] = {id, value, node_name(ctx)};
    json_object *cached = json_object_new_string(value);
    sinchfn_status status;

    status = sinchfn_cache_set(ctx, apr_pstrcat(pool, "record:", id, NULL), cached, RECORD_TTL_SECONDS);
    json_object_put(cached);
    if (status != SINCHFN_OK)
        return sinchfn_fail(ctx, "caching record %s failed: %s", id, sinchfn_last_error(ctx));
    if (sinchfn_storage_write_text(ctx, apr_pstrcat(pool, "record/", id, NULL), value) != SINCHFN_OK)
        return sinchfn_fail(ctx, "storing record %s failed: %s", id, sinchfn_last_error(ctx));
    if (ensure_table(ctx) != SINCHFN_OK || sinchfn_db_execute_sql(ctx, INSERT_RECORD, args, 3, NULL) != SINCHFN_OK)
        return sinchfn_fail(ctx, "inserting record %s failed: %s", id, sinchfn_last_error(ctx));

    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "id", json_object_new_string(id),
                                                    "node", json_object_new_string(node_name(ctx)), NULL));
}

static sinchfn_status read_record(sinchfn_ctx *ctx, const char *id, sinchfn_response *response)
{
    apr_pool_t *pool = sinchfn_pool(ctx);
    const char *args[1] = {id};
    json_object *cached = NULL, *rows = NULL, *row = NULL, *stored = NULL;
    const char *data;
    apr_size_t length;

    if (sinchfn_cache_get(ctx, apr_pstrcat(pool, "record:", id, NULL), &cached) != SINCHFN_OK)
        return sinchfn_fail(ctx, "reading the cached record %s failed: %s", id, sinchfn_last_error(ctx));

    if (sinchfn_storage_read(ctx, apr_pstrcat(pool, "record/", id, NULL), &data, &length) == SINCHFN_OK)
        stored = json_object_new_string_len(data, (int)length);
    else if (!sinchfn_last_error_is_not_found(ctx))
        return sinchfn_fail(ctx, "reading the stored record %s failed: %s", id, sinchfn_last_error(ctx));

    if (ensure_table(ctx) != SINCHFN_OK || sinchfn_db_select_sql(ctx, SELECT_RECORD, args, 1, &rows) != SINCHFN_OK) {
        json_object_put(stored);
        return sinchfn_fail(ctx, "selecting record %s failed: %s", id, sinchfn_last_error(ctx));
    }
    if (json_object_array_length(rows) > 0)
        json_object_object_get_ex(json_object_array_get_idx(rows, 0), "value", &row);

    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "cache", json_object_get(cached), "storage", stored,
                                                    "row", json_object_get(row),
                                                    "node", json_object_new_string(node_name(ctx)), NULL));
}

static sinchfn_status record(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *id = record_id(request);
    const char *value;

    if (!id)
        return sinchfn_respond_error(response, 400, "id must be 1 to 64 letters, digits, '-' or '_'.");
    if (strcmp(sinchfn_request_method(request), "POST"))
        return read_record(ctx, id, response);

    value = sinchfn_request_json_string(request, "value");
    if (!value || strlen(value) > 255)
        return sinchfn_respond_error(response, 400, "Send {\"value\": STRING} of at most 255 bytes.");
    return write_record(ctx, id, value, response);
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(whoami), SINCHFN_ENDPOINT(counter), SINCHFN_ENDPOINT(record));
