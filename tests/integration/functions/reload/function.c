/*
 * The function of the graceful reload test. The test rewrites RELOAD_VERSION in a copy
 * of this file, rebuilds it and reloads Apache, then waits for the new text.
 */
#include <sinchfn.h>

#define RELOAD_VERSION "version-1"

static sinchfn_status version(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    (void)ctx;
    (void)request;
    return sinchfn_respond_text(response, 200, RELOAD_VERSION);
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(version));
