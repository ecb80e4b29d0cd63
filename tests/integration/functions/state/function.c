/*
 * The state function of the integration tests: one endpoint per state service that
 * runs the operation named in the JSON body and reports the result together with the
 * process id, so the tests can check which process served each request.
 */
#include <string.h>
#include <unistd.h>

#include <sinchfn.h>

/* Returns member name of the JSON body, or NULL. */
static json_object *member(const sinchfn_request *request, const char *name)
{
    json_object *body = sinchfn_request_json(request), *value = NULL;

    if (!body || !json_object_is_type(body, json_type_object))
        return NULL;
    json_object_object_get_ex(body, name, &value);
    return value;
}

static const char *member_string(const sinchfn_request *request, const char *name)
{
    json_object *value = member(request, name);

    return value && json_object_is_type(value, json_type_string) ? json_object_get_string(value) : NULL;
}

static apr_int64_t member_int(const sinchfn_request *request, const char *name)
{
    json_object *value = member(request, name);

    return value ? json_object_get_int64(value) : 0;
}

static json_object *result_object(void)
{
    json_object *result = json_object_new_object();

    json_object_object_add(result, "pid", json_object_new_int64((apr_int64_t)getpid()));
    return result;
}

/* Sends {"error": sinchfn_last_error(), "pid": ...} with status 400. */
static sinchfn_status send_state_error(sinchfn_ctx *ctx, sinchfn_response *response)
{
    json_object *result = result_object();
    const char *error = sinchfn_last_error(ctx);

    json_object_object_add(result, "error", json_object_new_string(error ? error : "no error recorded"));
    json_object_object_add(result, "notFound", json_object_new_boolean(sinchfn_last_error_is_not_found(ctx)));
    return sinchfn_respond_json(response, 400, result);
}

static sinchfn_status pid(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    return sinchfn_respond_json(response, 200, result_object());
}

static json_object *string_array(const apr_array_header_t *strings)
{
    json_object *array = json_object_new_array();
    int i;

    for (i = 0; i < strings->nelts; i++)
        json_object_array_add(array, json_object_new_string(APR_ARRAY_IDX(strings, i, const char *)));
    return array;
}

/* Runs a cache operation; the body holds op, key, value, ttl, seconds, pattern, keys, by. */
static sinchfn_status cache(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *op = member_string(request, "op"), *key = member_string(request, "key");
    json_object *result = result_object(), *value = NULL;
    apr_int64_t number = 0;
    int flag = 0;
    sinchfn_status status;

    if (!op)
        op = "";
    if (!strcmp(op, "get")) {
        status = sinchfn_cache_get(ctx, key, &value);
        json_object_object_add(result, "found", json_object_new_boolean(value != NULL));
        json_object_object_add(result, "value", json_object_get(value));
    }
    else if (!strcmp(op, "set")) {
        status = sinchfn_cache_set(ctx, key, member(request, "value"), member_int(request, "ttl"));
    }
    else if (!strcmp(op, "has")) {
        status = sinchfn_cache_has(ctx, key, &flag);
        json_object_object_add(result, "found", json_object_new_boolean(flag));
    }
    else if (!strcmp(op, "delete")) {
        status = sinchfn_cache_delete(ctx, key, &flag);
        json_object_object_add(result, "deleted", json_object_new_boolean(flag));
    }
    else if (!strcmp(op, "extend")) {
        status = sinchfn_cache_extend(ctx, key, member_int(request, "seconds"), &flag);
        json_object_object_add(result, "extended", json_object_new_boolean(flag));
    }
    else if (!strcmp(op, "keys")) {
        apr_array_header_t *keys;

        status = sinchfn_cache_keys(ctx, member_string(request, "pattern"), &keys);
        json_object_object_add(result, "keys", string_array(keys));
    }
    else if (!strcmp(op, "getMany")) {
        json_object *names = member(request, "keys");
        int count = names ? (int)json_object_array_length(names) : 0, i;
        const char **list = apr_pcalloc(sinchfn_pool(ctx), sizeof(*list) * (apr_size_t)(count + 1));

        for (i = 0; i < count; i++)
            list[i] = json_object_get_string(json_object_array_get_idx(names, (size_t)i));
        status = sinchfn_cache_get_many(ctx, list, count, &value);
        json_object_object_add(result, "values", json_object_get(value));
    }
    else if (!strcmp(op, "increment")) {
        status = sinchfn_cache_increment(ctx, key, member_int(request, "by"), member_int(request, "ttl"), &number);
        json_object_object_add(result, "value", json_object_new_int64(number));
    }
    else {
        json_object_put(result);
        return sinchfn_respond_error(response, 400, "unknown op");
    }

    if (status != SINCHFN_OK) {
        json_object_put(result);
        return send_state_error(ctx, response);
    }
    return sinchfn_respond_json(response, 200, result);
}

/* Returns the string member name, or NULL when it is absent, not a string or holds an
 * embedded NUL (which a C string key cannot carry). */
static const char *member_key(const sinchfn_request *request, const char *name, int *has_nul)
{
    json_object *value = member(request, name);

    *has_nul = 0;
    if (!value || !json_object_is_type(value, json_type_string))
        return NULL;
    *has_nul = strlen(json_object_get_string(value)) != (size_t)json_object_get_string_len(value);
    return json_object_get_string(value);
}

/* Returns bytes as a JSON array of numbers, so binary values survive the round trip. */
static int is_ascii(const char *data, apr_size_t length)
{
    apr_size_t i;

    for (i = 0; i < length; i++) {
        if ((unsigned char)data[i] >= 0x80)
            return 0;
    }
    return 1;
}

static json_object *byte_array(const char *data, apr_size_t length)
{
    json_object *array = json_object_new_array();
    apr_size_t i;

    for (i = 0; i < length; i++)
        json_object_array_add(array, json_object_new_int((unsigned char)data[i]));
    return array;
}

/* Runs a storage operation; the body holds op, key, text, bytes (array of numbers) and
 * prefix. */
static sinchfn_status storage(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *op = member_string(request, "op");
    int has_nul, flag = 0;
    const char *key = member_key(request, "key", &has_nul);
    json_object *result = result_object();
    sinchfn_status status;

    if (has_nul) {
        json_object_put(result);
        return sinchfn_respond_error(response, 400, "the key contains a NUL character");
    }
    if (!op)
        op = "";
    if (!strcmp(op, "write")) {
        status = sinchfn_storage_write_text(ctx, key, member_string(request, "text"));
    }
    else if (!strcmp(op, "writeBytes")) {
        json_object *numbers = member(request, "bytes");
        apr_size_t count = numbers ? json_object_array_length(numbers) : 0, i;
        unsigned char *bytes = apr_palloc(sinchfn_pool(ctx), count + 1);

        for (i = 0; i < count; i++)
            bytes[i] = (unsigned char)json_object_get_int(json_object_array_get_idx(numbers, i));
        status = sinchfn_storage_write(ctx, key, bytes, count);
    }
    else if (!strcmp(op, "read")) {
        const char *data;
        apr_size_t length;

        status = sinchfn_storage_read(ctx, key, &data, &length);
        if (status == SINCHFN_OK) {
            /* A JSON body must be UTF-8, so "text" is left out for data that is not ASCII;
             * "bytes" always carries the data. */
            if (is_ascii(data, length))
                json_object_object_add(result, "text", json_object_new_string_len(data, (int)length));
            json_object_object_add(result, "bytes", byte_array(data, length));
        }
    }
    else if (!strcmp(op, "exists")) {
        status = sinchfn_storage_exists(ctx, key, &flag);
        json_object_object_add(result, "exists", json_object_new_boolean(flag));
    }
    else if (!strcmp(op, "delete")) {
        status = sinchfn_storage_delete(ctx, key, &flag);
        json_object_object_add(result, "deleted", json_object_new_boolean(flag));
    }
    else if (!strcmp(op, "list")) {
        apr_array_header_t *keys;

        status = sinchfn_storage_list(ctx, member_string(request, "prefix"), &keys);
        json_object_object_add(result, "keys", string_array(keys));
    }
    else {
        json_object_put(result);
        return sinchfn_respond_error(response, 400, "unknown op");
    }

    if (status != SINCHFN_OK) {
        json_object_put(result);
        return send_state_error(ctx, response);
    }
    return sinchfn_respond_json(response, 200, result);
}

/* Returns the asset named by the `name` query parameter as {"text", "length"}. */
static sinchfn_status asset(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *data;
    apr_size_t length;

    if (sinchfn_asset_read(ctx, sinchfn_request_query(request, "name"), &data, &length) != SINCHFN_OK)
        return send_state_error(ctx, response);
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "text", json_object_new_string_len(data, (int)length),
                                                    "length", json_object_new_int64((apr_int64_t)length), NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(pid), SINCHFN_ENDPOINT(cache), SINCHFN_ENDPOINT(storage), SINCHFN_ENDPOINT(asset));
