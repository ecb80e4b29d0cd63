/*
 * mod_sinchfn_public.c: serves the files of a function's public/ directory at the
 * function's Location, as Sinch's Node runtime serves public/. The handler calls
 * public_serve for a route that matches no export. src/public.c checks the path and
 * opens the file, and this file sends it with httpd's validators and a file bucket.
 */
#include <apr_buckets.h>
#include <apr_strings.h>

#include <httpd.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>

#include "mod_sinchfn.h"

APLOG_USE_MODULE(sinchfn);

#define PUBLIC_DIR "public"
#define TAG_PUBLIC_FAILED "SFN0203"
#define TAG_PUBLIC_SENT "SFN0204"

/* Whether a route may be served from public/. Voice callbacks and the health check
 * never are, so a file cannot shadow them. */
static int route_may_be_public(const sinchfn_route *route)
{
    if (route->kind == SINCHFN_ROUTE_VOICE)
        return 0;
    return route->kind == SINCHFN_ROUTE_ROOT || strcmp(route->name, "health");
}

static int send_method_not_allowed(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx,
                                   const sinchfn_route *route, int body_consumed)
{
    const char *message = "Files in public/ accept GET and HEAD only.";
    sinchfn_response *response = sinchfn_response_create(r->pool);

    if (!body_consumed)
        skip_body(r, conf);
    sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_CLIENT_ERROR, "%d %s %s: %s", HTTP_METHOD_NOT_ALLOWED, r->method,
                r->unparsed_uri, message);
    sinchfn_response_runtime_error(response, HTTP_METHOD_NOT_ALLOWED, message, route->name, ctx->request_id);
    sinchfn_response_header(response, "Allow", "GET, HEAD");
    return send_response(r, response, ctx->request_id);
}

/* Redirects a directory path without its trailing slash to the path with one, as
 * mod_dir's DirectorySlash does, so relative links in its index.html resolve below it.
 * The target is rebuilt from the Location and the checked relative path instead of the
 * client's text, so a path such as //host/dir cannot become an off-site redirect. */
static int send_directory_redirect(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const char *relative)
{
    char *base = apr_pstrdup(r->pool, conf->location);
    apr_size_t length = strlen(base);
    const char *location;

    while (length > 0 && base[length - 1] == '/')
        base[--length] = '\0';
    location = apr_pstrcat(r->pool, base, "/", *relative ? ap_escape_uri(r->pool, relative) : "",
                           *relative ? "/" : "", r->args ? "?" : "", r->args ? r->args : "", NULL);

    r->status = HTTP_MOVED_PERMANENTLY;
    apr_table_setn(r->headers_out, "Location", location);
    apr_table_setn(r->headers_out, "X-Request-Id", ctx->request_id);
    ap_set_content_length(r, 0);
    return OK;
}

/* Sends an open file: validators first, so a conditional request gets 304 or 412,
 * then the body as a file bucket, which the core output filter sends with sendfile or
 * mmap instead of copying it through memory. */
static int send_file(request_rec *r, sinchfn_ctx *ctx, const sinchfn_public_file *public, const char *name,
                     const char *route_name)
{
    apr_bucket_brigade *brigade;
    apr_status_t status;
    int condition;

    apr_table_setn(r->headers_out, "X-Request-Id", ctx->request_id);
    ap_set_content_type(r, sinchfn_public_content_type(name));
    /* ap_make_etag reads r->finfo: FileETag picks the fields, MTime Size by default. */
    r->finfo = public->info;
    ap_update_mtime(r, public->info.mtime);
    ap_set_last_modified(r);
    ap_set_etag(r);

    condition = ap_meets_conditions(r);
    if (condition == HTTP_NOT_MODIFIED) {
        /* Returned as OK rather than as an error status, so headers_out is kept. */
        r->status = HTTP_NOT_MODIFIED;
        return OK;
    }
    if (condition != OK)
        return send_runtime_error(r, ctx, condition, TAG_CLIENT_ERROR,
                                  "The file does not meet the request's preconditions.", route_name);

    ap_set_content_length(r, public->info.size);
    sinchfn_log(ctx, SINCHFN_LOG_DEBUG, TAG_PUBLIC_SENT, "%s %s: sending public/%s (%" APR_OFF_T_FMT " bytes)",
                r->method, r->unparsed_uri, name, public->info.size);
    if (r->header_only || public->info.size == 0)
        return OK;

    brigade = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_insert_file(brigade, public->file, 0, public->info.size, r->pool);
    APR_BRIGADE_INSERT_TAIL(brigade, apr_bucket_eos_create(r->connection->bucket_alloc));
    status = ap_pass_brigade(r->output_filters, brigade);
    if (status == APR_SUCCESS || r->connection->aborted)
        return OK;
    sinchfn_log(ctx, SINCHFN_LOG_INFO, TAG_PUBLIC_FAILED, "%s %s: sending public/%s failed: %pm", r->method,
                r->unparsed_uri, name, &status);
    return AP_FILTER_ERROR;
}

int public_serve(request_rec *r, const dir_config *conf, sinchfn_ctx *ctx, const sinchfn_route *route,
                 const char *raw_path, int body_consumed)
{
    const char *relative, *public_dir, *name;
    sinchfn_public_file public;
    apr_status_t status;

    if (!conf->function_dir || !route_may_be_public(route))
        return DECLINED;
    if (!(relative = sinchfn_public_relative_path(r->pool, route->segments)))
        return DECLINED;

    public_dir = apr_pstrcat(r->pool, conf->function_dir, "/" PUBLIC_DIR, NULL);
    status = sinchfn_public_open(r->pool, public_dir, relative, &public);
    if (APR_STATUS_IS_ENOENT(status))
        return DECLINED;
    if (status != APR_SUCCESS) {
        int forbidden = APR_STATUS_IS_EACCES(status);

        sinchfn_log(ctx, SINCHFN_LOG_ERROR, TAG_PUBLIC_FAILED, "opening %s/%s failed: %pm%s", public_dir, relative,
                    &status, forbidden ? "; check that the Apache User can read it" : "");
        if (!body_consumed)
            skip_body(r, conf);
        return send_runtime_error(r, ctx, forbidden ? HTTP_FORBIDDEN : HTTP_INTERNAL_SERVER_ERROR, NULL,
                                  forbidden ? "The file is not readable by the server." : "The file could not be opened.",
                                  route->name);
    }

    /* HEAD has method_number M_GET, with r->header_only set. */
    if (r->method_number != M_GET)
        return send_method_not_allowed(r, conf, ctx, route, body_consumed);
    if (!body_consumed)
        skip_body(r, conf);
    if (public.is_directory_index && (!*raw_path || raw_path[strlen(raw_path) - 1] != '/'))
        return send_directory_redirect(r, conf, ctx, relative);

    name = public.is_directory_index ? apr_pstrcat(r->pool, relative, *relative ? "/" : "", "index.html", NULL)
                                     : relative;
    return send_file(r, ctx, &public, name, route->name);
}
