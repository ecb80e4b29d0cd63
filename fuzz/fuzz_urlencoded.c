/*
 * fuzz_urlencoded.c: query string and form body decoding. The whole input is both a
 * query string (up to its first NUL, as httpd passes r->args) and a form body (all of
 * its bytes).
 */
#include "fuzz_common.h"

static void check_params(const apr_array_header_t *params)
{
    int i;

    for (i = 0; i < params->nelts; i++) {
        const sinchfn_param *param = &APR_ARRAY_IDX(params, i, sinchfn_param);

        FUZZ_ASSERT(param->name && param->value);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_table_t *headers = apr_table_make(pool, 1);
    const char *text = apr_pstrmemdup(pool, (const char *)data, size);
    sinchfn_request *request;
    const sinchfn_client_error *error;

    apr_table_set(headers, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request = sinchfn_request_create(pool, "POST", "/fn/form", headers);

    if (!(error = sinchfn_request_parse_query(request, text)))
        check_params(sinchfn_request_query_params(request));
    else
        FUZZ_ASSERT(error->status == 400);
    sinchfn_request_query(request, "name");

    if (!(error = sinchfn_request_parse_body(request, text, size)))
        check_params(sinchfn_request_form_params(request));
    else
        FUZZ_ASSERT(error->status == 400);
    sinchfn_request_form(request, "message");
    apr_pool_destroy(pool);
    return 0;
}
