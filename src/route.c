/*
 * route.c: maps a request path to the export that answers it. The route is the last
 * segment below the function's Location, except that a voice callback name anywhere in
 * the path wins, `/webhook/<service>` names `<service>Webhook`, and the Location itself
 * is the root route. Segments are split on the raw path before percent-decoding, so an
 * encoded slash (%2F) stays inside its segment.
 */
#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

static const char *const voice_names[] = { "ice", "ace", "pie", "dice", "notify" };

static const sinchfn_client_error bad_escape = {
    400, "The request path contains an invalid percent-encoding; encode '%' as %25."
};
static const sinchfn_client_error bad_dot_segment = {
    400, "The request path contains an encoded '.' or '..' segment or a NUL byte; send the path without them."
};
static const sinchfn_client_error bad_utf8 = {
    400, "The request path is not valid UTF-8 after percent-decoding; encode names as UTF-8."
};
static const sinchfn_client_error escapes_root = {
    400, "The request path climbs above the root with '..'; send a normalized path."
};
static const sinchfn_client_error outside_location = {
    404, "The request path is outside the function's Location."
};

int sinchfn_is_voice_name(const char *name)
{
    apr_size_t i;

    for (i = 0; i < sizeof(voice_names) / sizeof(voice_names[0]); i++) {
        if (!strcmp(name, voice_names[i]))
            return 1;
    }
    return 0;
}

/* Splits a raw path into segments, dropping empty and "." segments and applying ".."
 * as RFC 3986 dot-segment removal does. */
static const sinchfn_client_error *split_raw(apr_pool_t *pool, const char *raw_path,
                                             apr_array_header_t *segments)
{
    char *c = apr_pstrdup(pool, raw_path ? raw_path : "/");

    while (*c) {
        char *segment;

        if (*c == '/') {
            c++;
            continue;
        }
        segment = c;
        while (*c && *c != '/')
            c++;
        if (*c)
            *c++ = '\0';
        if (segment[0] == '.' && !segment[1])
            continue;
        if (segment[0] == '.' && segment[1] == '.' && !segment[2]) {
            if (!apr_array_pop(segments))
                return &escapes_root;
            continue;
        }
        APR_ARRAY_PUSH(segments, char *) = segment;
    }
    return NULL;
}

/* Percent-decodes each segment in place. A decoded NUL, "." or ".." is rejected, since
 * it can only come from an encoding meant to slip past normalization. */
static const sinchfn_client_error *decode_segments(apr_pool_t *pool, apr_array_header_t *segments)
{
    int i;

    for (i = 0; i < segments->nelts; i++) {
        const char *raw = APR_ARRAY_IDX(segments, i, char *);
        apr_size_t length = strlen(raw);
        char *decoded;
        apr_status_t status;

        if (!memchr(raw, '%', length)) {
            if (sinchfn_utf8_invalid_offset(raw, length) >= 0)
                return &bad_utf8;
            continue;
        }
        decoded = apr_palloc(pool, length + 1);
        status = apr_unescape_url(decoded, raw, APR_ESCAPE_STRING, NULL, NULL, 0, NULL);
        if (status == APR_EINVAL)
            return &bad_escape;
        if (status == APR_BADCH || !strcmp(decoded, ".") || !strcmp(decoded, ".."))
            return &bad_dot_segment;
        if (sinchfn_utf8_invalid_offset(decoded, strlen(decoded)) >= 0)
            return &bad_utf8;
        APR_ARRAY_IDX(segments, i, char *) = decoded;
    }
    return NULL;
}

/* Turns a dashed service name into the camelCase prefix of its webhook export:
 * "sms-inbound" becomes "smsInbound". */
static const char *webhook_export_name(apr_pool_t *pool, const char *service)
{
    char *name = apr_palloc(pool, strlen(service) + sizeof("Webhook"));
    char *out = name;
    int upper_next = 0;

    for (; *service; service++) {
        if (*service == '-') {
            upper_next = out != name;
            continue;
        }
        *out++ = upper_next ? (char)apr_toupper(*service) : *service;
        upper_next = 0;
    }
    strcpy(out, "Webhook");
    return name;
}

/* The segments from index first on, as an array that shares the elements of segments. */
static const apr_array_header_t *below_location(apr_pool_t *pool, const apr_array_header_t *segments, int first)
{
    apr_array_header_t *below = apr_palloc(pool, sizeof(*below));

    below->pool = pool;
    below->elt_size = segments->elt_size;
    below->nelts = below->nalloc = segments->nelts - first;
    below->elts = segments->elts + (apr_size_t)first * (apr_size_t)segments->elt_size;
    return below;
}

const apr_array_header_t *sinchfn_route_prefix(apr_pool_t *pool, const char *location)
{
    apr_array_header_t *prefix = apr_array_make(pool, 4, sizeof(char *));

    if (split_raw(pool, location, prefix) || decode_segments(pool, prefix))
        return NULL;
    return prefix;
}

const sinchfn_client_error *sinchfn_route_resolve(apr_pool_t *pool, const char *raw_path,
                                                  const char *location, sinchfn_route *route)
{
    return sinchfn_route_resolve_in(pool, raw_path, sinchfn_route_prefix(pool, location), route);
}

const sinchfn_client_error *sinchfn_route_resolve_in(apr_pool_t *pool, const char *raw_path,
                                                     const apr_array_header_t *prefix, sinchfn_route *route)
{
    apr_array_header_t *segments = apr_array_make(pool, 8, sizeof(char *));
    const sinchfn_client_error *error;
    int below, i;

    if ((error = split_raw(pool, raw_path, segments)) || (error = decode_segments(pool, segments)))
        return error;
    if (!prefix)
        return &outside_location;

    if (prefix->nelts > segments->nelts)
        return &outside_location;
    for (i = 0; i < prefix->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(prefix, i, char *), APR_ARRAY_IDX(segments, i, char *)))
            return &outside_location;
    }
    below = segments->nelts - prefix->nelts;
    route->segments = below_location(pool, segments, prefix->nelts);

    for (i = segments->nelts - 1; i >= prefix->nelts; i--) {
        const char *segment = APR_ARRAY_IDX(segments, i, char *);

        if (sinchfn_is_voice_name(segment)) {
            route->kind = SINCHFN_ROUTE_VOICE;
            route->name = segment;
            return NULL;
        }
    }

    if (below == 0) {
        route->kind = SINCHFN_ROUTE_ROOT;
        route->name = "default";
        return NULL;
    }

    route->kind = SINCHFN_ROUTE_EXPORT;
    route->name = APR_ARRAY_IDX(segments, segments->nelts - 1, char *);
    if (below >= 2 && !strcmp(APR_ARRAY_IDX(segments, segments->nelts - 2, char *), "webhook"))
        route->name = webhook_export_name(pool, route->name);
    return NULL;
}
