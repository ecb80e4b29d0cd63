/*
 * json_index.h: the member index of JSON bodies (json_index.cc), in C for both the C
 * core and the C++ file that fills it with simdjson.
 */
#ifndef SINCHFN_JSON_INDEX_H
#define SINCHFN_JSON_INDEX_H

#include <apr_pools.h>
#include <json-c/json.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Maximum nesting of arrays and objects in a JSON body. Deeper bodies are rejected with
 * 400 before a handler runs, by json-c and simdjson at the same depth. */
#define SINCHFN_JSON_MAX_DEPTH 64

/* Bytes past the end of a body that simdjson may read. A buffer with this many readable
 * bytes after its body is parsed in place, and any other is copied first. */
#define SINCHFN_JSON_PADDING 64

/* The largest JSON body parsed with simdjson. Each thread's parser keeps buffers of about
 * 14 bytes per byte of the largest body it parsed (simdjson 3.0's tape, string buffer and
 * structural index), so this bounds them at about 220 KiB per thread. Larger bodies go to
 * json-c, which keeps nothing. Voice callbacks and webhooks are a few KiB at most. */
#define SINCHFN_JSON_INDEX_MAX (16 * 1024)

/* The members of a JSON object, read once from a body so that handlers and the event
 * accessors look members up without a json-c tree. Strings are NUL-terminated copies in
 * the request pool. Arrays are typed but not indexed. */
typedef struct sinchfn_json_member sinchfn_json_member;
typedef struct {
    int count;
    const sinchfn_json_member *members;
} sinchfn_json_members;

struct sinchfn_json_member {
    const char *key;
    json_type type;
    const char *string;          /* json_type_string */
    apr_size_t string_length;
    apr_int64_t integer;         /* json_type_int */
    double number;               /* json_type_double and json_type_int */
    int boolean;                 /* json_type_boolean */
    sinchfn_json_members object; /* json_type_object */
};

/* Checks text[0..length) with simdjson, whose grammar is RFC 8259's, with at most
 * SINCHFN_JSON_MAX_DEPTH levels of nesting. Records the value's type and, for an object,
 * its members. text must have SINCHFN_JSON_PADDING readable bytes after length. Returns 0
 * when simdjson rejects the text or an integer is outside the signed 64-bit range, so that
 * sinchfn_parse_json words the error. */
int sinchfn_json_index(apr_pool_t *pool, const char *text, apr_size_t length, json_type *type,
                       sinchfn_json_members *members);
/* Records the members of a json-c object the same way. */
void sinchfn_json_index_tree(apr_pool_t *pool, json_object *object, sinchfn_json_members *members);
/* Returns the last member named key (json-c keeps the last of duplicate keys), or NULL. */
const sinchfn_json_member *sinchfn_json_member_get(const sinchfn_json_members *members, const char *key);
/* Returns a member's string value, or NULL when the member is missing or not a string. */
static inline const char *sinchfn_json_string_of(const sinchfn_json_member *member)
{
    return member && member->type == json_type_string ? member->string : NULL;
}

/* Returns the string value of the last member named key, or NULL when it is missing or
 * not a string. */
const char *sinchfn_json_member_string(const sinchfn_json_members *members, const char *key);

#ifdef __cplusplus
}
#endif

#endif /* SINCHFN_JSON_INDEX_H */
