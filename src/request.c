/*
 * request.c: the request model a handler reads: method, path, headers, decoded query,
 * and the body, stored raw and parsed by media type (strict JSON, URL-encoded form, or
 * text).
 */
#include <math.h>

#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

sinchfn_request *sinchfn_request_create(apr_pool_t *pool, const char *method, const char *path,
                                        apr_table_t *headers)
{
    sinchfn_request *request = apr_pcalloc(pool, sizeof(*request));

    request->pool = pool;
    request->method = method;
    request->path = path;
    request->headers = headers ? headers : apr_table_make(pool, 1);
    request->query = apr_array_make(pool, 0, sizeof(sinchfn_param));
    request->form = apr_array_make(pool, 0, sizeof(sinchfn_param));
    return request;
}

static const sinchfn_client_error *client_error(apr_pool_t *pool, int status, const char *fmt, ...)
{
    sinchfn_client_error *error = apr_palloc(pool, sizeof(*error));
    va_list ap;

    va_start(ap, fmt);
    error->status = status;
    error->message = apr_pvsprintf(pool, fmt, ap);
    va_end(ap);
    return error;
}

/* Returns the offset of the first '%' that does not start a valid escape of a non-NUL
 * byte, or -1. */
static apr_ssize_t find_bad_escape(const char *text, apr_size_t length)
{
    apr_size_t i;

    for (i = 0; i < length; i++) {
        if (text[i] != '%')
            continue;
        if (i + 2 >= length)
            return (apr_ssize_t)i;
        if (!apr_isxdigit(text[i + 1]) || !apr_isxdigit(text[i + 2]) ||
            (text[i + 1] == '0' && text[i + 2] == '0'))
            return (apr_ssize_t)i;
    }
    return -1;
}

/* Percent-decodes one form or query component, '+' meaning space. */
static const char *decode_component(apr_pool_t *pool, const char *text, apr_size_t length)
{
    char *decoded = apr_palloc(pool, length + 1);

    if (apr_unescape_url(decoded, text, (apr_ssize_t)length, NULL, NULL, 1, NULL) == APR_NOTFOUND) {
        memcpy(decoded, text, length);
        decoded[length] = '\0';
    }
    return decoded;
}

const sinchfn_client_error *sinchfn_parse_urlencoded(apr_pool_t *pool, const char *text,
                                                     const char *what, apr_array_header_t **params)
{
    const char *pair = text;

    *params = apr_array_make(pool, 4, sizeof(sinchfn_param));
    while (pair && *pair) {
        const char *end = strchr(pair, '&');
        apr_size_t length = end ? (apr_size_t)(end - pair) : strlen(pair);
        const char *equals = memchr(pair, '=', length);
        apr_size_t name_length = equals ? (apr_size_t)(equals - pair) : length;
        apr_ssize_t bad = find_bad_escape(pair, length);
        sinchfn_param *param;

        if (bad >= 0)
            return client_error(pool, 400,
                                "The %s contains an invalid percent-encoding or an encoded NUL at byte %"
                                APR_SIZE_T_FMT "; encode '%%' as %%25.",
                                what, (apr_size_t)(pair - text) + (apr_size_t)bad);
        if (length > 0) {
            param = apr_array_push(*params);
            param->name = decode_component(pool, pair, name_length);
            param->value = equals ? decode_component(pool, equals + 1, length - name_length - 1) : "";
            if (sinchfn_utf8_invalid_offset(param->name, strlen(param->name)) >= 0 ||
                sinchfn_utf8_invalid_offset(param->value, strlen(param->value)) >= 0)
                return client_error(pool, 400, "The %s is not valid UTF-8 after percent-decoding at byte %"
                                    APR_SIZE_T_FMT "; encode names and values as UTF-8.",
                                    what, (apr_size_t)(pair - text));
        }
        pair = end ? end + 1 : NULL;
    }
    return NULL;
}

const sinchfn_client_error *sinchfn_request_parse_query(sinchfn_request *request, const char *query)
{
    /* A request without a query keeps the empty array made with it. */
    if (!query || !*query)
        return NULL;
    return sinchfn_parse_urlencoded(request->pool, query, "query string", &request->query);
}

/* Returns whether the integer literal text[0..length) fits in a signed 64-bit integer. */
static int fits_int64(const char *text, apr_size_t length)
{
    static const char max_positive[] = "9223372036854775807";
    static const char max_negative[] = "9223372036854775808";
    const char *limit = max_positive;
    apr_size_t digits;

    if (*text == '-') {
        text++;
        length--;
        limit = max_negative;
    }
    digits = length;
    if (digits != sizeof(max_positive) - 1)
        return digits < sizeof(max_positive) - 1;
    return memcmp(text, limit, digits) <= 0;
}

/* Finds what json-c 0.16 accepts even in strict mode although RFC 8259 forbids it:
 * NaN and Infinity, single-quoted strings, a '.' without digits on both sides, leading
 * zeros and raw control characters inside strings. json-c rejects "01" but accepts "-01",
 * "00" and "01.5". The scan also finds integers beyond 64 bits, which json-c would clamp.
 * Returns the offending byte's offset, or -1 when there is none. */
/* Returns the value of the four hex digits at text[at..at+4), or -1. */
static long hex4(const char *text, apr_size_t length, apr_size_t at)
{
    long value = 0;
    apr_size_t i;

    if (at + 4 > length)
        return -1;
    for (i = at; i < at + 4; i++) {
        int digit = apr_isdigit(text[i]) ? text[i] - '0' : apr_isxdigit(text[i]) ? apr_tolower(text[i]) - 'a' + 10 : -1;

        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* Checks the \uXXXX escape whose 'u' is text[u]: a UTF-16 surrogate must come as a high
 * and low pair, since json-c turns an unpaired one into U+FFFD. Returns how many bytes
 * after the 'u' the escape (or pair) covers, or -1 with *problem set. */
static apr_ssize_t check_unicode_escape(const char *text, apr_size_t length, apr_size_t u, const char **problem)
{
    long unit = hex4(text, length, u + 1), low;

    if (unit < 0xd800 || unit > 0xdfff)
        return 4;
    if (unit <= 0xdbff && u + 6 < length && text[u + 5] == '\\' && text[u + 6] == 'u' &&
        (low = hex4(text, length, u + 7)) >= 0xdc00 && low <= 0xdfff)
        return 10;
    *problem = "an unpaired UTF-16 surrogate escape; send valid Unicode";
    return -1;
}

/* Visits one value of a body: stops on an infinite or NaN double, since json-c reads 1e999
 * as infinity. */
static int find_non_finite(json_object *value, const char *key)
{
    (void)key;
    return json_object_is_type(value, json_type_double) && !isfinite(json_object_get_double(value));
}

static apr_ssize_t find_lenient_json(const char *text, apr_size_t length, const char **problem, int *has_fraction)
{
    /* The bytes that end a run of plain string content: control characters, the quote
     * and the backslash. */
    static const unsigned char string_stops[256] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        ['"'] = 1, ['\\'] = 1,
    };
    int in_string = 0, escaped = 0;
    apr_ssize_t skip;
    apr_size_t i;

    *has_fraction = 0;
    for (i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];

        if (in_string) {
            /* Most string bytes need no check, so skip to the next quote, backslash or
             * control character. */
            if (!escaped) {
                while (i < length && !string_stops[(unsigned char)text[i]])
                    i++;
                if (i >= length)
                    break;
                c = (unsigned char)text[i];
            }
            if (c < 0x20) {
                *problem = "a raw control character in a string; escape it";
                return (apr_ssize_t)i;
            }
            if (escaped) {
                escaped = 0;
                if (c == 'u' && (skip = check_unicode_escape(text, length, i, problem)) < 0)
                    return (apr_ssize_t)i - 1;
                if (c == 'u')
                    i += (apr_size_t)skip;
            }
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
        }
        else if (c == 'N' || c == 'I' || c == '\'') {
            *problem = "NaN, Infinity or a single quote; send standard JSON";
            return (apr_ssize_t)i;
        }
        else if (c == '.' && (i == 0 || !apr_isdigit(text[i - 1]) || i + 1 >= length || !apr_isdigit(text[i + 1]))) {
            *problem = "a '.' without digits on both sides; send standard JSON numbers";
            return (apr_ssize_t)i;
        }
        else if (c == '-' || apr_isdigit(c)) {
            apr_size_t end = i + 1;
            apr_size_t first_digit = c == '-' ? i + 1 : i;
            int integer = 1;

            if (first_digit + 1 < length && text[first_digit] == '0' && apr_isdigit(text[first_digit + 1])) {
                *problem = "a number with a leading zero; send standard JSON numbers";
                return (apr_ssize_t)first_digit;
            }
            while (end < length && (apr_isdigit(text[end]) || strchr(".eE+-", text[end]))) {
                if (text[end] == '.' && (!apr_isdigit(text[end - 1]) || end + 1 >= length ||
                                         !apr_isdigit(text[end + 1]))) {
                    *problem = "a '.' without digits on both sides; send standard JSON numbers";
                    return (apr_ssize_t)end;
                }
                if (!apr_isdigit(text[end]))
                    integer = 0;
                end++;
            }
            if (!integer)
                *has_fraction = 1;
            if (integer && !fits_int64(text + i, end - i)) {
                *problem = "an integer outside the signed 64-bit range; send it as a string";
                return (apr_ssize_t)i;
            }
            i = end - 1;
        }
    }
    return -1;
}

/* Returns this thread's tokener. Creating one costs about as much as parsing a small
 * callback body, so each thread keeps one, reset after every parse and replaced after an
 * error.
 * UTF-8 is validated beforehand by sinchfn_utf8_invalid_offset, more strictly than
 * json-c's own flag would. */
static __thread json_tokener *kept_tokener;

static json_tokener *thread_tokener(void)
{
    if (!kept_tokener && (kept_tokener = json_tokener_new_ex(SINCHFN_JSON_MAX_DEPTH)))
        json_tokener_set_flags(kept_tokener, JSON_TOKENER_STRICT);
    return kept_tokener;
}

static const sinchfn_client_error *parse_json_with(apr_pool_t *pool, json_tokener *tokener, const char *text,
                                                   apr_size_t length, json_object **value);

/* json_tokener_reset (json-c 0.16) keeps the state of a \u escape that a body cut off in
 * the middle of a surrogate pair leaves behind, and the next parse on the thread would join
 * it to its own first escape. A tokener that stopped on an error is therefore replaced. */
const sinchfn_client_error *sinchfn_parse_json(apr_pool_t *pool, const char *text, apr_size_t length,
                                               json_object **value)
{
    const sinchfn_client_error *invalid = parse_json_with(pool, thread_tokener(), text, length, value);

    if (invalid && kept_tokener) {
        json_tokener_free(kept_tokener);
        kept_tokener = NULL;
    }
    return invalid;
}

const sinchfn_client_error *sinchfn_parse_json_file(apr_pool_t *pool, const char *text, apr_size_t length,
                                                    json_object **value)
{
    json_tokener *tokener = json_tokener_new_ex(SINCHFN_JSON_MAX_DEPTH);
    const sinchfn_client_error *invalid;

    if (tokener)
        json_tokener_set_flags(tokener, JSON_TOKENER_STRICT);
    invalid = parse_json_with(pool, tokener, text, length, value);
    if (tokener)
        json_tokener_free(tokener);
    return invalid;
}

/* Parses with the given tokener (NULL when it could not be created) and resets it. */
static const sinchfn_client_error *parse_json_with(apr_pool_t *pool, json_tokener *tokener, const char *text,
                                                   apr_size_t length, json_object **value)
{
    enum json_tokener_error status;
    apr_ssize_t lenient;
    int has_fraction;
    const char *problem = NULL;
    apr_size_t end;
    json_object *parsed;

    *value = NULL;
    if (length >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        return client_error(pool, 400, "The JSON body starts with a UTF-8 byte order mark; send it without one.");
    if ((lenient = sinchfn_utf8_invalid_offset(text, length)) >= 0)
        return client_error(pool, 400, "The JSON body contains invalid UTF-8 at byte %" APR_SSIZE_T_FMT
                            "; send the body encoded as UTF-8.", lenient);

    if (!tokener)
        return client_error(pool, 500, "The JSON parser could not be created.");
    parsed = json_tokener_parse_ex(tokener, text, (int)length);
    status = json_tokener_get_error(tokener);
    end = json_tokener_get_parse_end(tokener);
    if (status == json_tokener_continue) {
        /* A number or literal that ends the input waits for more bytes; a terminating
         * NUL completes it, and anything still open stays incomplete. */
        parsed = json_tokener_parse_ex(tokener, "", 1);
        status = json_tokener_get_error(tokener);
        end = length;
    }
    json_tokener_reset(tokener);

    if (status == json_tokener_continue || (status != json_tokener_success && end >= length))
        return client_error(pool, 400, "The JSON body ends early at byte %" APR_SIZE_T_FMT
                            "; send a complete JSON value.", length);
    if (status == json_tokener_error_depth)
        return client_error(pool, 400, "The JSON body nests deeper than %d levels at byte %"
                            APR_SIZE_T_FMT "; flatten the document.", SINCHFN_JSON_MAX_DEPTH, end);
    if (status == json_tokener_error_parse_utf8_string)
        return client_error(pool, 400, "The JSON body contains invalid UTF-8 at byte %" APR_SIZE_T_FMT
                            "; send the body encoded as UTF-8.", end);
    if (status != json_tokener_success) {
        /* json-c stops at the offending byte, counted from 0. */
        return client_error(pool, 400, "The JSON body is invalid at byte %" APR_SIZE_T_FMT
                            " (%s); send one well-formed JSON value.", end, json_tokener_error_desc(status));
    }
    sinchfn_json_pool_own(pool, parsed);

    while (end < length && (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n'))
        end++;
    if (end < length)
        return client_error(pool, 400, "The JSON body has data after the JSON value at byte %"
                            APR_SIZE_T_FMT "; send exactly one JSON value.", end);
    if ((lenient = find_lenient_json(text, length, &problem, &has_fraction)) >= 0)
        return client_error(pool, 400, "The JSON body is invalid at byte %" APR_SSIZE_T_FMT ": %s.",
                            lenient, problem);
    if (has_fraction && sinchfn_json_find(parsed, NULL, find_non_finite))
        return client_error(pool, 400, "The JSON body contains a number beyond the range of a double; send it "
                            "as a string.");

    *value = parsed;
    return NULL;
}

/* Copies the media type of a Content-Type value, lower-cased and without parameters. */
static const char *media_type(apr_pool_t *pool, const char *content_type)
{
    const char *end;
    char *type;

    if (!content_type)
        return "";
    while (apr_isspace(*content_type))
        content_type++;
    end = content_type + strcspn(content_type, ";");
    while (end > content_type && apr_isspace(end[-1]))
        end--;
    type = apr_pstrmemdup(pool, content_type, (apr_size_t)(end - content_type));
    for (end = type; *end; end++)
        type[end - type] = (char)apr_tolower(*end);
    return type;
}

static int is_json_media_type(const char *type)
{
    apr_size_t length = strlen(type);

    return !strcmp(type, "application/json") ||
           (length > 5 && !strcmp(type + length - 5, "+json"));
}

/* Accepts a JSON body that simdjson accepts and indexes its members, leaving json-c's tree
 * for when a handler requests it. simdjson rejects everything find_lenient_json finds
 * (the fuzz_json target checks that both paths accept the same bodies). Any other body
 * goes through sinchfn_parse_json, which words the error, or parses at once a body that
 * only json-c accepts, such as one larger than SINCHFN_JSON_INDEX_MAX. */
static const sinchfn_client_error *parse_json_body(sinchfn_request *request, const char *body, apr_size_t length)
{
    const sinchfn_client_error *invalid;
    const char *padded = body;

    /* Nothing of a body parsed before on this request may stay. */
    request->json = NULL;
    request->json_members.count = 0;
    request->json_members.members = NULL;
    if (length <= SINCHFN_JSON_INDEX_MAX && (length < 3 || memcmp(body, "\xef\xbb\xbf", 3))) {
        if (request->body_capacity < length + SINCHFN_JSON_PADDING) {
            char *copy = apr_palloc(request->pool, length + SINCHFN_JSON_PADDING);

            memcpy(copy, body, length);
            memset(copy + length, 0, SINCHFN_JSON_PADDING);
            padded = copy;
        }
        if (sinchfn_json_index(request->pool, padded, length, &request->json_root, &request->json_members))
            return NULL;
        request->json_members.count = 0;
    }
    if ((invalid = sinchfn_parse_json(request->pool, body, length, &request->json)))
        return invalid;
    request->json_root = json_object_get_type(request->json);
    if (request->json_root == json_type_object)
        sinchfn_json_index_tree(request->pool, request->json, &request->json_members);
    return NULL;
}

const sinchfn_client_error *sinchfn_request_parse_body(sinchfn_request *request, const char *body,
                                                       apr_size_t length)
{
    const char *type;

    if (!body || length == 0) {
        request->body = NULL;
        request->body_length = 0;
        request->body_kind = SINCHFN_BODY_NONE;
        return NULL;
    }
    if (body != request->body)
        request->body_capacity = 0;
    request->body = body;
    request->body_length = length;

    type = media_type(request->pool, apr_table_get(request->headers, "Content-Type"));
    if (is_json_media_type(type)) {
        request->body_kind = SINCHFN_BODY_JSON;
        return parse_json_body(request, body, length);
    }
    if (!strcmp(type, "application/x-www-form-urlencoded")) {
        request->body_kind = SINCHFN_BODY_FORM;
        if (memchr(body, '\0', length))
            return client_error(request->pool, 400, "The form body contains a NUL byte; URL-encode the fields.");
        return sinchfn_parse_urlencoded(request->pool, body, "form body", &request->form);
    }
    request->body_kind = SINCHFN_BODY_TEXT;
    return NULL;
}

const char *sinchfn_request_method(const sinchfn_request *request)
{
    return request->method;
}

const char *sinchfn_request_path(const sinchfn_request *request)
{
    return request->path;
}

const char *sinchfn_request_route(const sinchfn_request *request)
{
    return request->route;
}

const char *sinchfn_request_header(const sinchfn_request *request, const char *name)
{
    return apr_table_get(request->headers, name);
}

const apr_table_t *sinchfn_request_headers(const sinchfn_request *request)
{
    return request->headers;
}

static const char *first_param(const apr_array_header_t *params, const char *name)
{
    int i;

    for (i = 0; i < params->nelts; i++) {
        const sinchfn_param *param = &APR_ARRAY_IDX(params, i, sinchfn_param);

        if (!strcmp(param->name, name))
            return param->value;
    }
    return NULL;
}

const char *sinchfn_request_query(const sinchfn_request *request, const char *name)
{
    return first_param(request->query, name);
}

const apr_array_header_t *sinchfn_request_query_params(const sinchfn_request *request)
{
    return request->query;
}

const char *sinchfn_request_body(const sinchfn_request *request, apr_size_t *length)
{
    if (length)
        *length = request->body_length;
    return request->body;
}

json_object *sinchfn_request_tree(const sinchfn_request *request)
{
    /* The tree is built once and only adds to the request, so a const request stays
     * unchanged for everything its caller can read. */
    sinchfn_request *parsed = (sinchfn_request *)request;

    if (!request->json && request->body_kind == SINCHFN_BODY_JSON && request->body &&
        sinchfn_parse_json(request->pool, request->body, request->body_length, &parsed->json))
        parsed->json = NULL;
    return request->json;
}

json_object *sinchfn_request_json(const sinchfn_request *request)
{
    return sinchfn_request_tree(request);
}

const char *sinchfn_request_json_string(const sinchfn_request *request, const char *name)
{
    if (request->body_kind != SINCHFN_BODY_JSON)
        return NULL;
    return sinchfn_json_member_string(&request->json_members, name);
}

const char *sinchfn_request_form(const sinchfn_request *request, const char *name)
{
    return first_param(request->form, name);
}

const apr_array_header_t *sinchfn_request_form_params(const sinchfn_request *request)
{
    return request->form;
}
