/*
 * A function object whose export table declares ABI version 99, written out by hand
 * instead of with SINCHFN_EXPORTS(); mod_sinchfn must reject it at start-up.
 */
#include <sinchfn.h>

static sinchfn_status status(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, NULL));
}

static const sinchfn_export exports[] = { SINCHFN_ENDPOINT(status) };

__attribute__((visibility("default"))) const sinchfn_function sinchfn_function_table = { 99, exports, 1 };
