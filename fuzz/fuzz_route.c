/*
 * fuzz_route.c: route extraction. Input: the Location path, '\n', the raw request path.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    const char *fields[2];
    apr_size_t lengths[2];
    const sinchfn_client_error *error;
    sinchfn_route route;

    fuzz_split(pool, data, size, 2, fields, lengths);
    memset(&route, 0, sizeof(route));
    error = sinchfn_route_resolve(pool, fields[1], fields[0] ? fields[0] : "/", &route);
    if (error) {
        FUZZ_ASSERT(error->status == 400 || error->status == 404);
        FUZZ_ASSERT(error->message && *error->message);
    }
    else {
        FUZZ_ASSERT(route.name && *route.name);
        FUZZ_ASSERT(route.kind != SINCHFN_ROUTE_VOICE || sinchfn_is_voice_name(route.name));
    }
    apr_pool_destroy(pool);
    return 0;
}
