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
    return response;
}

void sinchfn_response_status(sinchfn_response *response, int status)
{
    response->status = status;
}

void sinchfn_response_header(sinchfn_response *response, const char *name, const char *value)
{
    sinchfn_param *header;

    /* Most responses set no header, so the array is made on the first one. */
    if (!response->headers)
        response->headers = apr_array_make(response->pool, 4, sizeof(sinchfn_param));
    header = apr_array_push(response->headers);
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

/* ---- object bodies built member by member ---- */

/* Returns the member of the response's object named name, appended when it is new, so a
 * name set again keeps its place and takes the new value. */
static sinchfn_node *object_member(sinchfn_response *response, const char *name, json_type type)
{
    sinchfn_node *member;

    if (!name)
        name = "";
    if (!response->object)
        response->object = sinchfn_node_new(response->pool, json_type_object);
    for (member = response->object->first; member; member = member->next) {
        if (!strcmp(member->key, name)) {
            member->type = type;
            member->raw = NULL;
            return member;
        }
    }
    member = sinchfn_node_new(response->pool, type);
    return sinchfn_node_add(response->object, apr_pstrdup(response->pool, name), member);
}

/* The writer takes a string node's length, so NUL bytes in value are written as \u0000. */
void sinchfn_response_set_string_len(sinchfn_response *response, const char *name, const char *value,
                                     apr_size_t length)
{
    sinchfn_node *member = object_member(response, name, value ? json_type_string : json_type_null);

    if (!value)
        return;
    member->string = apr_pstrmemdup(response->pool, value, length);
    member->length = length;
}

void sinchfn_response_set_string(sinchfn_response *response, const char *name, const char *value)
{
    sinchfn_response_set_string_len(response, name, value, value ? strlen(value) : 0);
}

void sinchfn_response_set_int(sinchfn_response *response, const char *name, apr_int64_t value)
{
    object_member(response, name, json_type_int)->integer = value;
}

void sinchfn_response_set_bool(sinchfn_response *response, const char *name, int value)
{
    object_member(response, name, json_type_boolean)->integer = value ? 1 : 0;
}

void sinchfn_response_set_json(sinchfn_response *response, const char *name, json_object *value)
{
    sinchfn_node *member = object_member(response, name, json_type_null);

    member->raw = sinchfn_json_serialize(response->pool, value, &member->raw_length);
    json_object_put(value);
}

sinchfn_status sinchfn_respond_object(sinchfn_response *response, int status)
{
    if (!response->object)
        response->object = sinchfn_node_new(response->pool, json_type_object);
    response->status = status;
    response->content_type = CONTENT_TYPE_JSON;
    response->body = sinchfn_node_serialize(response->pool, response->object, &response->body_length);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_respond_error(sinchfn_response *response, int status, const char *message)
{
    response->object = NULL;
    sinchfn_response_set_string(response, "error", message ? message : "");
    return sinchfn_respond_object(response, status);
}

void sinchfn_response_runtime_error(sinchfn_response *response, int status, const char *message,
                                    const char *route, const char *request_id)
{
    response->object = NULL;
    sinchfn_response_set_string(response, "error", message);
    if (route)
        sinchfn_response_set_string(response, "route", route);
    if (request_id)
        sinchfn_response_set_string(response, "requestId", request_id);

    if (response->headers)
        apr_array_clear(response->headers);
    sinchfn_respond_object(response, status);
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

    for (i = 0; response->headers && i < response->headers->nelts; i++) {
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
