/*
 * The function of the fault tests: `counter` increments a cache counter and `store`
 * writes the request body to the storage key named by the `key` query parameter. Each
 * passes a failed cache or storage call on as 503 {"error": message}.
 */
#include <sinchfn.h>

static sinchfn_status unavailable(sinchfn_ctx *ctx, sinchfn_response *response)
{
    const char *error = sinchfn_last_error(ctx);

    return sinchfn_respond_error(response, 503, error ? error : "no error recorded");
}

static sinchfn_status counter(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    apr_int64_t count;

    (void)request;
    if (sinchfn_cache_increment(ctx, "faults:counter", 1, 600, &count) != SINCHFN_OK)
        return unavailable(ctx, response);
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "count", json_object_new_int64(count), NULL));
}

static sinchfn_status store(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    apr_size_t length;
    const char *body = sinchfn_request_body(request, &length);

    if (sinchfn_storage_write(ctx, sinchfn_request_query(request, "key"), body ? body : "", length) != SINCHFN_OK)
        return unavailable(ctx, response);
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx, "written", json_object_new_int64((apr_int64_t)length), NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(counter), SINCHFN_ENDPOINT(store));
