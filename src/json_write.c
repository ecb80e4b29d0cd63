/*
 * json_write.c: serializes a json-c value into a pool, in json-c's plain format without
 * slash escaping. Every JSON response and SVAML document passes through here. json-c's
 * own serializer measured about 50 instructions per output byte under callgrind, because
 * it escapes byte by byte into a printbuf. This writer copies unescaped runs whole into
 * one pool buffer.
 *
 * The output matches json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE) byte for byte, except that NaN and infinities, which
 * JSON lacks, are written as null; the unit tests and the JSON fuzz target
 * compare the two. Doubles are written by json-c itself, so a double parsed from a body
 * keeps its original text and a computed one gets json-c's formatting.
 *
 * json-c writes every value that carries user data, which is how json_object_set_serializer()
 * passes state to a custom serializer.
 *
 * NOTE: a custom serializer set with NULL user data on another type than double is not
 * called, because json-c 0.16 has no call that reports whether a value has one.
 */
#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <apr_strings.h>

#include "sinchfn_core.h"

typedef struct {
    apr_pool_t *pool;
    char *data;
    apr_size_t length;
    apr_size_t size;
} json_buffer;

static APR_INLINE void reserve(json_buffer *buffer, apr_size_t extra)
{
    apr_size_t size;
    char *data;

    if (buffer->length + extra <= buffer->size)
        return;
    size = buffer->size * 2;
    if (size < buffer->length + extra)
        size = buffer->length + extra;
    data = apr_palloc(buffer->pool, size);
    memcpy(data, buffer->data, buffer->length);
    buffer->data = data;
    buffer->size = size;
}

static APR_INLINE void append(json_buffer *buffer, const char *text, apr_size_t length)
{
    reserve(buffer, length);
    memcpy(buffer->data + buffer->length, text, length);
    buffer->length += length;
}

static APR_INLINE void append_char(json_buffer *buffer, char c)
{
    reserve(buffer, 1);
    buffer->data[buffer->length++] = c;
}

/* The bytes json-c escapes, marked 1: the quote, the backslash and control characters.
 * Looking a byte up takes one load instead of three comparisons. */
static const unsigned char escaped_bytes[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static APR_INLINE int needs_escape(unsigned char c)
{
    return escaped_bytes[c];
}

/* Returns the offset of the first byte at or after i that needs escaping, or length.
 * With SSE2 it tests sixteen bytes at once, because strings in responses and SVAML
 * rarely contain a byte to escape. */
static APR_INLINE apr_size_t next_escape(const char *text, apr_size_t i, apr_size_t length)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1f);

    for (; i + 16 <= length; i += 16) {
        __m128i chunk = _mm_loadu_si128((const __m128i *)(const void *)(text + i));
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                    _mm_cmpeq_epi8(_mm_min_epu8(chunk, last_control), chunk));
        int mask = _mm_movemask_epi8(hits);

        if (mask)
            return i + (apr_size_t)__builtin_ctz((unsigned int)mask);
    }
#endif
    for (; i < length; i++) {
        if (needs_escape((unsigned char)text[i]))
            return i;
    }
    return length;
}

static void append_string(json_buffer *buffer, const char *text, apr_size_t length)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t start = 0, i;

    /* The quotes and the text, when nothing needs escaping. */
    reserve(buffer, length + 2);
    buffer->data[buffer->length++] = '"';
    while ((i = next_escape(text, start, length)) < length) {
        unsigned char c = (unsigned char)text[i];
        char escape[6];
        apr_size_t escape_length = 2;

        append(buffer, text + start, i - start);
        start = i + 1;
        escape[0] = '\\';
        switch (c) {
        case '\b': escape[1] = 'b'; break;
        case '\n': escape[1] = 'n'; break;
        case '\r': escape[1] = 'r'; break;
        case '\t': escape[1] = 't'; break;
        case '\f': escape[1] = 'f'; break;
        case '"': escape[1] = '"'; break;
        case '\\': escape[1] = '\\'; break;
        default:
            memcpy(escape + 1, "u00", 3);
            escape[4] = hex[c >> 4];
            escape[5] = hex[c & 0xf];
            escape_length = 6;
        }
        append(buffer, escape, escape_length);
    }
    append(buffer, text + start, length - start);
    append_char(buffer, '"');
}

char *sinchfn_format_unsigned(char *end, apr_uint64_t value, unsigned base)
{
    static const char digits[] = "0123456789abcdef";

    do {
        *--end = digits[value % base];
        value /= base;
    } while (value);
    return end;
}

char *sinchfn_format_signed(char *end, apr_int64_t value)
{
    char *start = sinchfn_format_unsigned(end, value < 0 ? (apr_uint64_t)0 - (apr_uint64_t)value : (apr_uint64_t)value,
                                          10);

    if (value < 0)
        *--start = '-';
    return start;
}

/* Writes an integer in decimal. json-c keeps integers above INT64_MAX as uint64, for
 * which json_object_get_int64 returns INT64_MAX. */
static void append_integer(json_buffer *buffer, json_object *value)
{
    apr_int64_t signed_value = json_object_get_int64(value);
    char digits[24];
    char *start;

    if (signed_value == INT64_MAX)
        start = sinchfn_format_unsigned(digits + sizeof(digits), (apr_uint64_t)json_object_get_uint64(value), 10);
    else
        start = sinchfn_format_signed(digits + sizeof(digits), signed_value);
    append(buffer, start, (apr_size_t)(digits + sizeof(digits) - start));
}

static void append_value(json_buffer *buffer, json_object *value)
{
    size_t length = 0;
    const char *text;

    if (value && json_object_get_userdata(value)) {
        text = json_object_to_json_string_length(value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                 &length);
        append(buffer, text, length);
        return;
    }
    switch (json_object_get_type(value)) {
    case json_type_null:
        append(buffer, "null", 4);
        return;
    case json_type_boolean:
        if (json_object_get_boolean(value))
            append(buffer, "true", 4);
        else
            append(buffer, "false", 5);
        return;
    case json_type_int:
        append_integer(buffer, value);
        return;
    case json_type_double:
        /* JSON has no NaN or Infinity, which json-c would write. */
        if (!isfinite(json_object_get_double(value))) {
            append(buffer, "null", 4);
            return;
        }
        text = json_object_to_json_string_length(value, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                                 &length);
        append(buffer, text, length);
        return;
    case json_type_string:
        append_string(buffer, json_object_get_string(value), (apr_size_t)json_object_get_string_len(value));
        return;
    case json_type_array: {
        size_t i, count = json_object_array_length(value);

        append_char(buffer, '[');
        for (i = 0; i < count; i++) {
            if (i > 0)
                append_char(buffer, ',');
            append_value(buffer, json_object_array_get_idx(value, i));
        }
        append_char(buffer, ']');
        return;
    }
    case json_type_object: {
        int first = 1;

        append_char(buffer, '{');
        json_object_object_foreach(value, key, member) {
            if (!first)
                append_char(buffer, ',');
            first = 0;
            append_string(buffer, key, strlen(key));
            append_char(buffer, ':');
            append_value(buffer, member);
        }
        append_char(buffer, '}');
        return;
    }
    }
}

static void start_buffer(json_buffer *buffer, apr_pool_t *pool)
{
    buffer->pool = pool;
    buffer->size = 256;
    buffer->data = apr_palloc(pool, buffer->size);
    buffer->length = 0;
}

/* Terminates the text with a NUL and returns it, with its length without the NUL. */
static const char *finish_buffer(json_buffer *buffer, apr_size_t *length)
{
    append_char(buffer, '\0');
    *length = buffer->length - 1;
    return buffer->data;
}

const char *sinchfn_json_serialize(apr_pool_t *pool, json_object *value, apr_size_t *length)
{
    json_buffer buffer;

    start_buffer(&buffer, pool);
    append_value(&buffer, value);
    return finish_buffer(&buffer, length);
}

/* ---- pool nodes ---- */

sinchfn_node *sinchfn_node_new(apr_pool_t *pool, json_type type)
{
    sinchfn_node *node = apr_pcalloc(pool, sizeof(*node));

    node->pool = pool;
    node->type = type;
    return node;
}

sinchfn_node *sinchfn_node_string(apr_pool_t *pool, const char *text)
{
    sinchfn_node *node = sinchfn_node_new(pool, json_type_string);

    node->length = strlen(text);
    node->string = apr_pmemdup(pool, text, node->length + 1);
    return node;
}

sinchfn_node *sinchfn_node_literal(apr_pool_t *pool, const char *text)
{
    sinchfn_node *node = sinchfn_node_new(pool, json_type_string);

    node->length = strlen(text);
    node->string = text;
    return node;
}

sinchfn_node *sinchfn_node_add(sinchfn_node *parent, const char *key, sinchfn_node *value)
{
    value->key = key;
    if (parent->last)
        parent->last->next = value;
    else
        parent->first = value;
    parent->last = value;
    parent->count++;
    return value;
}

static void append_node(json_buffer *buffer, const sinchfn_node *node)
{
    char digits[21], *first;
    const sinchfn_node *item;

    if (node->raw) {
        append(buffer, node->raw, node->raw_length);
        return;
    }
    switch (node->type) {
    case json_type_string:
        append_string(buffer, node->string, node->length);
        return;
    case json_type_int:
        first = sinchfn_format_signed(digits + sizeof(digits), node->integer);
        append(buffer, first, (apr_size_t)(digits + sizeof(digits) - first));
        return;
    case json_type_boolean:
        if (node->integer)
            append(buffer, "true", 4);
        else
            append(buffer, "false", 5);
        return;
    case json_type_array:
    case json_type_object:
        append_char(buffer, node->type == json_type_array ? '[' : '{');
        for (item = node->first; item; item = item->next) {
            if (item != node->first)
                append_char(buffer, ',');
            if (node->type == json_type_object) {
                append_string(buffer, item->key, strlen(item->key));
                append_char(buffer, ':');
            }
            append_node(buffer, item);
        }
        append_char(buffer, node->type == json_type_array ? ']' : '}');
        return;
    default:
        append(buffer, "null", 4);
        return;
    }
}

const char *sinchfn_node_serialize(apr_pool_t *pool, const sinchfn_node *node, apr_size_t *length)
{
    json_buffer buffer;

    start_buffer(&buffer, pool);
    append_node(&buffer, node);
    return finish_buffer(&buffer, length);
}
