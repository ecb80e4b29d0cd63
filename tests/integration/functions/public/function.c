/*
 * The static-file function of the integration tests. test_public.py writes its public/
 * directory. The one export, greeting, has the name of a file in public/, so the tests
 * can check that an export wins over a file. It exports neither default nor home, so
 * the Location root serves public/index.html.
 */
#include <sinchfn.h>

static sinchfn_status greeting(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)request;
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "export", json_object_new_string("greeting"),
                                                                   NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(greeting));
