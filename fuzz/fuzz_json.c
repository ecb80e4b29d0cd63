/*
 * fuzz_json.c: JSON body intake as a handler sees it: strict parsing by media type,
 * the Conversation API webhook reader on the parsed body, and a round trip that checks
 * an accepted body serializes to JSON the strict parser accepts again, byte for byte as
 * json-c's own serializer writes it.
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
    if ((error = sinchfn_request_parse_body(request, body, size))) {
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
