/*
 * fuzz_json.c: JSON body intake as a handler sees it: strict parsing by media type,
 * the Conversation API webhook reader on the parsed body, and a round trip that checks
 * an accepted body serializes to JSON the strict parser accepts again, byte for byte as
 * json-c's own serializer writes it. A body's intake (simdjson and the member index)
 * must accept exactly what json-c with the strictness checks accepts, and index the
 * same members as json-c's tree.
 */
#include "fuzz_common.h"

static void read_conversation(const sinchfn_request *request)
{
    const sinchfn_conversation_event *event;
    const char *error = NULL;
    json_object *reply;

    if (sinchfn_conversation_parse(request, &event, &error) != SINCHFN_OK) {
        FUZZ_ASSERT(error && *error);
        return;
    }
    sinchfn_conversation_trigger_of(event);
    sinchfn_conversation_trigger_name(event);
    sinchfn_conversation_trigger_key(event);
    sinchfn_conversation_item(event);
    sinchfn_conversation_app_id(event);
    sinchfn_conversation_project_id(event);
    sinchfn_conversation_accepted_time(event);
    sinchfn_conversation_message_id(event);
    sinchfn_conversation_contact_id(event);
    sinchfn_conversation_conversation_id(event);
    sinchfn_conversation_channel(event);
    sinchfn_conversation_identity(event);
    sinchfn_conversation_delivery_status(event);
    sinchfn_conversation_text(event);
    sinchfn_conversation_media_url(event);
    sinchfn_conversation_postback(event);
    reply = sinchfn_conversation_text_reply(event, "Thanks!", &error);
    FUZZ_ASSERT(reply || (error && *error));
    json_object_put(reply);
}

/* Checks that two member indexes hold the same value for every key either has. */
static void same_members(const sinchfn_json_members *left, const sinchfn_json_members *right)
{
    int i;

    for (i = 0; i < left->count; i++) {
        const sinchfn_json_member *a = sinchfn_json_member_get(left, left->members[i].key);
        const sinchfn_json_member *b = sinchfn_json_member_get(right, left->members[i].key);

        FUZZ_ASSERT(a && b && a->type == b->type);
        switch (a->type) {
        case json_type_string:
            FUZZ_ASSERT(a->string_length == b->string_length && !memcmp(a->string, b->string, a->string_length));
            break;
        case json_type_int:
            FUZZ_ASSERT(a->integer == b->integer);
            break;
        case json_type_double:
            FUZZ_ASSERT(!memcmp(&a->number, &b->number, sizeof(a->number)));
            break;
        case json_type_boolean:
            FUZZ_ASSERT(a->boolean == b->boolean);
            break;
        case json_type_object:
            same_members(&a->object, &b->object);
            same_members(&b->object, &a->object);
            break;
        default:
            break;
        }
    }
}

/* Parses the body again with json-c alone and compares the verdict and the members. */
static void check_intake(apr_pool_t *pool, const char *body, size_t size, const sinchfn_request *request,
                         int accepted)
{
    json_object *tree;
    sinchfn_json_members members;

    FUZZ_ASSERT((sinchfn_parse_json(pool, body, size, &tree) == NULL) == accepted);
    if (!accepted)
        return;
    FUZZ_ASSERT(request->json_root == json_object_get_type(tree));
    if (request->json_root != json_type_object)
        return;
    sinchfn_json_index_tree(pool, tree, &members);
    same_members(&members, &request->json_members);
    same_members(&request->json_members, &members);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    apr_table_t *headers = apr_table_make(pool, 1);
    const char *body = apr_pstrmemdup(pool, (const char *)data, size);
    sinchfn_request *request;
    const sinchfn_client_error *error;
    const char *text, *expected;
    apr_size_t length;
    size_t expected_length = 0;
    json_object *again;

    apr_table_set(headers, "Content-Type", "application/json");
    request = sinchfn_request_create(pool, "POST", "/fn/webhook/conversation", headers);
    error = sinchfn_request_parse_body(request, body, size);
    if (size > 0)
        check_intake(pool, body, size, request, !error);
    if (error) {
        FUZZ_ASSERT(error->status == 400 && error->message && *error->message);
        apr_pool_destroy(pool);
        return 0;
    }

    sinchfn_request_json_string(request, "message");
    read_conversation(request);
    if (sinchfn_request_json(request)) {
        text = sinchfn_json_serialize(pool, sinchfn_request_json(request), &length);
        FUZZ_ASSERT(text);
        expected = json_object_to_json_string_length(sinchfn_request_json(request), JSON_C_TO_STRING_PLAIN |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE, &expected_length);
        FUZZ_ASSERT(length == expected_length && !memcmp(text, expected, length));
        FUZZ_ASSERT(!sinchfn_parse_json(pool, text, length, &again));
    }
    apr_pool_destroy(pool);
    return 0;
}
