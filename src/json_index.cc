/*
 * json_index.cc: the member index of JSON bodies. simdjson checks a body and lays it out
 * without an allocation per value. The members of the top-level object are then copied
 * into the request pool, so voice events and sinchfn_request_json_string read them
 * without building json-c's tree, which costs several times the parse itself. A handler
 * that requests the tree gets it from json-c on first use.
 */
#include <cstring>
#include <new>

#include <simdjson.h>

#include <apr_strings.h>

#include "json_index.h"

namespace {

/* Each thread keeps one parser: it allocates its tape and string buffers once and reuses
 * them, and SINCHFN_JSON_INDEX_MAX bounds what it keeps. */
simdjson::dom::parser *thread_parser()
{
    static thread_local simdjson::dom::parser *parser;

    if (!parser) {
        parser = new (std::nothrow) simdjson::dom::parser(SINCHFN_JSON_INDEX_MAX);
        if (parser && parser->allocate(4096, SINCHFN_JSON_MAX_DEPTH) != simdjson::SUCCESS) {
            delete parser;
            parser = nullptr;
        }
    }
    return parser;
}

/* The block that receives the copies of one body's keys and strings. Its size is the
 * body's length plus one, because unescaped text and its NUL never take more bytes than
 * the quoted text. */
struct arena {
    apr_pool_t *pool;
    char *next;
};

const char *arena_copy(arena *strings, std::string_view text)
{
    char *copy = strings->next;

    memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    strings->next += text.size() + 1;
    return copy;
}

bool index_object(arena *strings, simdjson::dom::object object, sinchfn_json_members *members);

/* Returns whether value or any value nested in it is an integer beyond the signed 64-bit
 * range, which json-c would clamp. Arrays are not indexed, so this is the only check of
 * the values inside them. */
bool holds_uint64(simdjson::dom::element value)
{
    simdjson::dom::array array;
    simdjson::dom::object object;

    switch (value.type()) {
    case simdjson::dom::element_type::UINT64:
        return true;
    case simdjson::dom::element_type::ARRAY:
        array = value.get_array().value_unsafe();
        for (simdjson::dom::element item : array) {
            if (holds_uint64(item))
                return true;
        }
        return false;
    case simdjson::dom::element_type::OBJECT:
        object = value.get_object().value_unsafe();
        for (simdjson::dom::key_value_pair field : object) {
            if (holds_uint64(field.value))
                return true;
        }
        return false;
    default:
        return false;
    }
}

/* Fills member from value. Returns false for a value that json-c would type differently. */
bool index_value(arena *strings, simdjson::dom::element value, sinchfn_json_member *member)
{
    switch (value.type()) {
    case simdjson::dom::element_type::STRING: {
        std::string_view text = value.get_string().value_unsafe();

        member->type = json_type_string;
        member->string = arena_copy(strings, text);
        member->string_length = text.size();
        return true;
    }
    case simdjson::dom::element_type::INT64:
        member->type = json_type_int;
        member->integer = value.get_int64().value_unsafe();
        member->number = (double)member->integer;
        return true;
    case simdjson::dom::element_type::UINT64:
        /* Beyond the signed 64-bit range, where json-c clamps. */
        return false;
    case simdjson::dom::element_type::DOUBLE:
        member->type = json_type_double;
        member->number = value.get_double().value_unsafe();
        return true;
    case simdjson::dom::element_type::BOOL:
        member->type = json_type_boolean;
        member->boolean = value.get_bool().value_unsafe();
        return true;
    case simdjson::dom::element_type::NULL_VALUE:
        member->type = json_type_null;
        return true;
    case simdjson::dom::element_type::ARRAY:
        member->type = json_type_array;
        return !holds_uint64(value);
    case simdjson::dom::element_type::OBJECT:
        member->type = json_type_object;
        return index_object(strings, value.get_object().value_unsafe(), &member->object);
    }
    return false;
}

bool index_object(arena *strings, simdjson::dom::object object, sinchfn_json_members *members)
{
    sinchfn_json_member *member;

    members->count = (int)object.size();
    members->members = member =
        static_cast<sinchfn_json_member *>(apr_pcalloc(strings->pool, sizeof(*member) * (members->count + 1)));
    for (simdjson::dom::key_value_pair field : object) {
        member->key = arena_copy(strings, field.key);
        if (!index_value(strings, field.value, member))
            return false;
        member++;
    }
    return true;
}

void index_tree_value(apr_pool_t *pool, json_object *value, sinchfn_json_member *member)
{
    member->type = json_object_get_type(value);
    switch (member->type) {
    case json_type_string:
        member->string = json_object_get_string(value);
        member->string_length = (apr_size_t)json_object_get_string_len(value);
        break;
    case json_type_int:
        member->integer = json_object_get_int64(value);
        member->number = (double)member->integer;
        break;
    case json_type_double:
        member->number = json_object_get_double(value);
        break;
    case json_type_boolean:
        member->boolean = json_object_get_boolean(value);
        break;
    case json_type_object:
        sinchfn_json_index_tree(pool, value, &member->object);
        break;
    default:
        break;
    }
}

} // namespace

int sinchfn_json_index(apr_pool_t *pool, const char *text, apr_size_t length, json_type *type,
                       sinchfn_json_members *members)
{
    simdjson::dom::parser *parser = thread_parser();
    simdjson::dom::element root;
    sinchfn_json_member value = {};
    arena strings;

    members->count = 0;
    members->members = NULL;
    if (!parser || length > SINCHFN_JSON_INDEX_MAX ||
        parser->parse(reinterpret_cast<const uint8_t *>(text), length, false).get(root) != simdjson::SUCCESS)
        return 0;
    strings.pool = pool;
    strings.next = static_cast<char *>(apr_palloc(pool, length + 1));
    if (!index_value(&strings, root, &value))
        return 0;
    *type = value.type;
    if (value.type == json_type_object)
        *members = value.object;
    return 1;
}

void sinchfn_json_index_tree(apr_pool_t *pool, json_object *object, sinchfn_json_members *members)
{
    sinchfn_json_member *member;

    members->count = json_object_object_length(object);
    members->members = member =
        static_cast<sinchfn_json_member *>(apr_pcalloc(pool, sizeof(*member) * (members->count + 1)));
    json_object_object_foreach(object, key, value)
    {
        member->key = key;
        if (value)
            index_tree_value(pool, value, member);
        else
            member->type = json_type_null;
        member++;
    }
}

const sinchfn_json_member *sinchfn_json_member_get(const sinchfn_json_members *members, const char *key)
{
    int i;

    for (i = members->count - 1; i >= 0; i--) {
        const char *candidate = members->members[i].key;

        if (candidate[0] == key[0] && !strcmp(candidate, key))
            return &members->members[i];
    }
    return NULL;
}

const char *sinchfn_json_member_string(const sinchfn_json_members *members, const char *key)
{
    return sinchfn_json_string_of(sinchfn_json_member_get(members, key));
}
