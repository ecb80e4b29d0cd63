/*
 * response.c: the response a handler fills in, the JSON error bodies of the runtime, and
 * the checks applied before a response is sent.
 */
#include <apr_strings.h>

#include "sinchfn_core.h"

#define CONTENT_TYPE_JSON "application/json"
#define CONTENT_TYPE_TEXT "text/plain; charset=utf-8"

sinchfn_response *sinchfn_response_create(apr_pool_t *pool)
{
    sinchfn_response *response = apr_pcalloc(pool, sizeof(*response));

    response->pool = pool;
    response->headers = apr_array_make(pool, 4, sizeof(sinchfn_param));
    return response;
}

void sinchfn_response_status(sinchfn_response *response, int status)
{
    response->status = status;
}

void sinchfn_response_header(sinchfn_response *response, const char *name, const char *value)
{
    sinchfn_param *header = apr_array_push(response->headers);

    header->name = apr_pstrdup(response->pool, name ? name : "");
    header->value = apr_pstrdup(response->pool, value ? value : "");
}

sinchfn_status sinchfn_respond_json(sinchfn_response *response, int status, json_object *body)
{
    response->status = status;
    response->content_type = CONTENT_TYPE_JSON;
    response->body = sinchfn_json_serialize(response->pool, body, &response->body_length);
    json_object_put(body);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_respond_text(sinchfn_response *response, int status, const char *text)
{
    response->status = status;
    response->content_type = CONTENT_TYPE_TEXT;
    response->body = apr_pstrdup(response->pool, text ? text : "");
    response->body_length = strlen(response->body);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_respond_error(sinchfn_response *response, int status, const char *message)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "error", json_object_new_string(message ? message : ""));
    return sinchfn_respond_json(response, status, body);
}

void sinchfn_response_runtime_error(sinchfn_response *response, int status, const char *message,
                                    const char *route, const char *request_id)
{
    json_object *body = json_object_new_object();

    json_object_object_add(body, "error", json_object_new_string(message));
    if (route)
        json_object_object_add(body, "route", json_object_new_string(route));
    if (request_id)
        json_object_object_add(body, "requestId", json_object_new_string(request_id));

    apr_array_clear(response->headers);
    sinchfn_respond_json(response, status, body);
}

/* A header name must be an RFC 9110 token. */
static int is_token(const char *name)
{
    static const char separators[] = "()<>@,;:\\\"/[]?={} \t";

    if (!*name)
        return 0;
    for (; *name; name++) {
        unsigned char c = (unsigned char)*name;

        if (c <= 0x20 || c >= 0x7f || strchr(separators, c))
            return 0;
    }
    return 1;
}

/* A header value may hold visible characters, spaces and tabs, never CR, LF, NUL or
 * another control character (RFC 9110 field-value). */
static int is_field_value(const char *value)
{
    for (; *value; value++) {
        unsigned char c = (unsigned char)*value;

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

const char *sinchfn_response_invalid_header(const sinchfn_response *response)
{
    int i;

    for (i = 0; i < response->headers->nelts; i++) {
        const sinchfn_param *header = &APR_ARRAY_IDX(response->headers, i, sinchfn_param);

        if (!is_token(header->name) || !is_field_value(header->value))
            return header->name;
    }
    return NULL;
}

int sinchfn_response_final_status(const sinchfn_response *response)
{
    if (response->status == 0)
        return response->body ? 200 : 204;
    return response->status;
}
