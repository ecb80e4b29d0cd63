/*
 * test_conversation.c: Conversation API webhooks: the trigger found from the top-level
 * key, the readers of sender, ids and content, and the text reply body.
 */
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

/* A WhatsApp text message as the Conversation API documentation shows it. */
static const char whatsapp_text[] =
    "{\"app_id\":\"01E8RCZPK7HFV70FFDWFFK0EXK\",\"accepted_time\":\"2020-06-22T10:55:39.534687Z\","
    "\"project_id\":\"c36f3d3d-1513-4edd-ae42-11995557ff61\",\"message\":{\"id\":\"01EBDTPPG3Q3EH14H7DY8X09MG\","
    "\"direction\":\"TO_APP\",\"contact_message\":{\"text_message\":{\"text\":\"Hi from contact\"}},"
    "\"channel_identity\":{\"channel\":\"WHATSAPP\",\"identity\":\"46712312312\",\"app_id\":\"\"},"
    "\"conversation_id\":\"01EB199XQ2CBY50K6WZD9S1A22\",\"contact_id\":\"01EB197NDA4W7V15NPRCVV0S79\","
    "\"metadata\":\"\",\"accept_time\":\"2020-06-22T10:55:39.521500Z\"}}";

static const sinchfn_conversation_event *event;

static const sinchfn_request *json_request(const char *body)
{
    apr_table_t *headers = apr_table_make(test_pool, 1);
    sinchfn_request *request;

    apr_table_set(headers, "Content-Type", "application/json");
    request = sinchfn_request_create(test_pool, "POST", "/webhook/conversation", headers);
    ck_assert_ptr_null(sinchfn_request_parse_body(request, body, body ? strlen(body) : 0));
    return request;
}

static void parse(const char *body)
{
    const char *error = NULL;

    event = NULL;
    ck_assert_msg(sinchfn_conversation_parse(json_request(body), &event, &error) == SINCHFN_OK, "rejected: %s",
                  error);
    ck_assert_ptr_nonnull(event);
}

static const char *parse_error(const char *body)
{
    const char *error = NULL;
    const sinchfn_conversation_event *rejected = (const sinchfn_conversation_event *)1;

    ck_assert_int_eq(sinchfn_conversation_parse(json_request(body), &rejected, &error), SINCHFN_ERROR);
    ck_assert_ptr_null(rejected);
    ck_assert_ptr_nonnull(error);
    return error;
}

static const char *reply_text(const char *text)
{
    const char *error = NULL;
    json_object *reply = sinchfn_conversation_text_reply(event, text, &error);
    apr_size_t length;

    ck_assert_msg(reply != NULL, "no reply: %s", error);
    sinchfn_json_pool_own(test_pool, reply);
    return sinchfn_json_serialize(test_pool, reply, &length);
}

/* ---- inbound messages ---- */

START_TEST(conversation_text_message_members)
{
    parse(whatsapp_text);
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event), SINCHFN_TRIGGER_MESSAGE_INBOUND);
    ck_assert_str_eq(sinchfn_conversation_trigger_name(event), "MESSAGE_INBOUND");
    ck_assert_str_eq(sinchfn_conversation_trigger_key(event), "message");
    ck_assert_str_eq(sinchfn_conversation_app_id(event), "01E8RCZPK7HFV70FFDWFFK0EXK");
    ck_assert_str_eq(sinchfn_conversation_project_id(event), "c36f3d3d-1513-4edd-ae42-11995557ff61");
    ck_assert_str_eq(sinchfn_conversation_accepted_time(event), "2020-06-22T10:55:39.534687Z");
    ck_assert_str_eq(sinchfn_conversation_text(event), "Hi from contact");
    ck_assert_str_eq(sinchfn_conversation_channel(event), "WHATSAPP");
    ck_assert_str_eq(sinchfn_conversation_identity(event), "46712312312");
    ck_assert_str_eq(sinchfn_conversation_contact_id(event), "01EB197NDA4W7V15NPRCVV0S79");
    ck_assert_str_eq(sinchfn_conversation_conversation_id(event), "01EB199XQ2CBY50K6WZD9S1A22");
    ck_assert_str_eq(sinchfn_conversation_message_id(event), "01EBDTPPG3Q3EH14H7DY8X09MG");
    ck_assert_ptr_null(sinchfn_conversation_media_url(event));
    ck_assert_ptr_null(sinchfn_conversation_postback(event));
    ck_assert_ptr_null(sinchfn_conversation_delivery_status(event));
    ck_assert_ptr_nonnull(sinchfn_conversation_item(event));
    ck_assert(json_object_is_type(sinchfn_conversation_json(event), json_type_object));
}
END_TEST

START_TEST(conversation_media_message)
{
    parse("{\"app_id\":\"A\",\"message\":{\"id\":\"M\",\"contact_message\":{\"media_message\":{\"url\":"
          "\"https://example.com/logo.png\"}},\"channel_identity\":{\"channel\":\"MESSENGER\",\"identity\":\"77\"}}}");
    ck_assert_str_eq(sinchfn_conversation_media_url(event), "https://example.com/logo.png");
    ck_assert_ptr_null(sinchfn_conversation_text(event));
}
END_TEST

START_TEST(conversation_choice_postback)
{
    parse("{\"app_id\":\"A\",\"message\":{\"contact_message\":{\"choice_response_message\":{\"message_id\":\"M1\","
          "\"postback_data\":\"order-42\"}},\"channel_identity\":{\"channel\":\"RCS\",\"identity\":\"+4670\"}}}");
    ck_assert_str_eq(sinchfn_conversation_postback(event), "order-42");
}
END_TEST

START_TEST(conversation_redaction_message_text)
{
    parse("{\"app_id\":\"A\",\"message_redaction\":{\"contact_message\":{\"text_message\":{\"text\":\"***\"}}}}");
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event),
                     SINCHFN_TRIGGER_MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION);
    ck_assert_str_eq(sinchfn_conversation_text(event), "***");
}
END_TEST

/* ---- other triggers ---- */

START_TEST(conversation_delivery_report)
{
    parse("{\"app_id\":\"A\",\"message_delivery_report\":{\"message_id\":\"M9\",\"conversation_id\":\"C\","
          "\"status\":\"FAILED\",\"channel_identity\":{\"channel\":\"SMS\",\"identity\":\"46700000000\"},"
          "\"contact_id\":\"K\",\"reason\":{\"code\":\"RECIPIENT_NOT_REACHABLE\"}}}");
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event), SINCHFN_TRIGGER_MESSAGE_DELIVERY);
    ck_assert_str_eq(sinchfn_conversation_delivery_status(event), "FAILED");
    ck_assert_str_eq(sinchfn_conversation_message_id(event), "M9");
    ck_assert_str_eq(sinchfn_conversation_channel(event), "SMS");
    ck_assert_ptr_null(sinchfn_conversation_text(event));
}
END_TEST

START_TEST(conversation_event_inbound)
{
    parse("{\"app_id\":\"A\",\"event\":{\"id\":\"E1\",\"contact_event\":{\"composing_event\":{}},"
          "\"channel_identity\":{\"channel\":\"WHATSAPP\",\"identity\":\"4670\"},\"contact_id\":\"K\"}}");
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event), SINCHFN_TRIGGER_EVENT_INBOUND);
    ck_assert_str_eq(sinchfn_conversation_message_id(event), "E1");
    ck_assert_ptr_null(sinchfn_conversation_text(event));
    ck_assert_ptr_null(sinchfn_conversation_delivery_status(event));
}
END_TEST

START_TEST(conversation_start_notification_ids)
{
    parse("{\"app_id\":\"A\",\"conversation_start_notification\":{\"conversation\":{\"id\":\"C1\",\"app_id\":\"A\","
          "\"contact_id\":\"K1\",\"active_channel\":\"WHATSAPP\",\"active\":true}}}");
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event), SINCHFN_TRIGGER_CONVERSATION_START);
    ck_assert_str_eq(sinchfn_conversation_conversation_id(event), "C1");
    ck_assert_str_eq(sinchfn_conversation_contact_id(event), "K1");
    ck_assert_str_eq(sinchfn_conversation_channel(event), "WHATSAPP");
    ck_assert_ptr_null(sinchfn_conversation_identity(event));
}
END_TEST

START_TEST(conversation_contact_notification_id)
{
    parse("{\"app_id\":\"A\",\"contact_create_notification\":{\"contact\":{\"id\":\"K2\",\"display_name\":\"Ann\"}}}");
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event), SINCHFN_TRIGGER_CONTACT_CREATE);
    ck_assert_str_eq(sinchfn_conversation_contact_id(event), "K2");
}
END_TEST

START_TEST(conversation_every_trigger_key)
{
    static const struct {
        const char *key;
        sinchfn_conversation_trigger trigger;
        const char *name;
    } keys[] = {
        { "message", SINCHFN_TRIGGER_MESSAGE_INBOUND, "MESSAGE_INBOUND" },
        { "message_redaction", SINCHFN_TRIGGER_MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION,
          "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION" },
        { "message_submit_notification", SINCHFN_TRIGGER_MESSAGE_SUBMIT, "MESSAGE_SUBMIT" },
        { "message_delivery_report", SINCHFN_TRIGGER_MESSAGE_DELIVERY, "MESSAGE_DELIVERY" },
        { "event", SINCHFN_TRIGGER_EVENT_INBOUND, "EVENT_INBOUND" },
        { "event_delivery_report", SINCHFN_TRIGGER_EVENT_DELIVERY, "EVENT_DELIVERY" },
        { "conversation_start_notification", SINCHFN_TRIGGER_CONVERSATION_START, "CONVERSATION_START" },
        { "conversation_stop_notification", SINCHFN_TRIGGER_CONVERSATION_STOP, "CONVERSATION_STOP" },
        { "conversation_delete_notification", SINCHFN_TRIGGER_CONVERSATION_DELETE, "CONVERSATION_DELETE" },
        { "contact_create_notification", SINCHFN_TRIGGER_CONTACT_CREATE, "CONTACT_CREATE" },
        { "contact_delete_notification", SINCHFN_TRIGGER_CONTACT_DELETE, "CONTACT_DELETE" },
        { "contact_merge_notification", SINCHFN_TRIGGER_CONTACT_MERGE, "CONTACT_MERGE" },
        { "contact_update_notification", SINCHFN_TRIGGER_CONTACT_UPDATE, "CONTACT_UPDATE" },
        { "duplicated_identities", SINCHFN_TRIGGER_CONTACT_IDENTITIES_DUPLICATION, "CONTACT_IDENTITIES_DUPLICATION" },
        { "capability_notification", SINCHFN_TRIGGER_CAPABILITY, "CAPABILITY" },
        { "opt_in_notification", SINCHFN_TRIGGER_OPT_IN, "OPT_IN" },
        { "opt_out_notification", SINCHFN_TRIGGER_OPT_OUT, "OPT_OUT" },
        { "channel_event_notification", SINCHFN_TRIGGER_CHANNEL_EVENT, "CHANNEL_EVENT" },
        { "unsupported_callback", SINCHFN_TRIGGER_UNSUPPORTED, "UNSUPPORTED" },
        { "smart_conversation_notification", SINCHFN_TRIGGER_SMART_CONVERSATIONS, "SMART_CONVERSATIONS" },
        { "record_notification", SINCHFN_TRIGGER_RECORD_NOTIFICATION, "RECORD_NOTIFICATION" },
    };
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        parse(apr_psprintf(test_pool, "{\"app_id\":\"A\",\"project_id\":\"P\",\"%s\":{}}", keys[i].key));
        ck_assert_msg(sinchfn_conversation_trigger_of(event) == keys[i].trigger, "key %s", keys[i].key);
        ck_assert_str_eq(sinchfn_conversation_trigger_name(event), keys[i].name);
        ck_assert_str_eq(sinchfn_conversation_trigger_key(event), keys[i].key);
    }
}
END_TEST

START_TEST(conversation_first_key_wins)
{
    parse("{\"event\":{},\"message\":{\"contact_message\":{\"text_message\":{\"text\":\"hi\"}}}}");
    ck_assert_int_eq(sinchfn_conversation_trigger_of(event), SINCHFN_TRIGGER_MESSAGE_INBOUND);
    ck_assert_str_eq(sinchfn_conversation_text(event), "hi");
}
END_TEST

START_TEST(conversation_non_object_item)
{
    parse("{\"message\":\"text\"}");
    ck_assert_ptr_null(sinchfn_conversation_item(event));
    ck_assert_ptr_null(sinchfn_conversation_text(event));
    ck_assert_ptr_null(sinchfn_conversation_channel(event));
}
END_TEST

/* ---- rejected bodies ---- */

START_TEST(conversation_unknown_body_error)
{
    ck_assert_str_eq(parse_error("{\"app_id\":\"A\",\"something\":{}}"),
                     "The webhook body has none of the Conversation API trigger keys (message, "
                     "message_delivery_report, event, conversation_start_notification, ...).");
}
END_TEST

START_TEST(conversation_not_object_error)
{
    static const char expected[] =
        "A Conversation API webhook needs a JSON object body with Content-Type application/json.";

    ck_assert_str_eq(parse_error("[{\"message\":{}}]"), expected);
    ck_assert_str_eq(parse_error(NULL), expected);
}
END_TEST

/* ---- replies ---- */

START_TEST(conversation_reply_to_channel_identity)
{
    parse(whatsapp_text);
    ck_assert_str_eq(reply_text("Thanks, we got your message."),
                     "{\"app_id\":\"01E8RCZPK7HFV70FFDWFFK0EXK\",\"recipient\":{\"identified_by\":{"
                     "\"channel_identities\":[{\"channel\":\"WHATSAPP\",\"identity\":\"46712312312\"}]}},"
                     "\"message\":{\"text_message\":{\"text\":\"Thanks, we got your message.\"}}}");
}
END_TEST

START_TEST(conversation_reply_to_contact_id)
{
    parse("{\"app_id\":\"A\",\"message\":{\"contact_id\":\"K7\",\"contact_message\":{\"text_message\":"
          "{\"text\":\"hi\"}}}}");
    ck_assert_str_eq(reply_text("hello"), "{\"app_id\":\"A\",\"recipient\":{\"contact_id\":\"K7\"},\"message\":"
                                          "{\"text_message\":{\"text\":\"hello\"}}}");
}
END_TEST

START_TEST(conversation_reply_errors)
{
    const char *error = NULL;

    parse("{\"message\":{\"channel_identity\":{\"channel\":\"SMS\",\"identity\":\"1\"}}}");
    ck_assert_ptr_null(sinchfn_conversation_text_reply(event, "x", &error));
    ck_assert_str_eq(error, "The webhook body has no app_id to send the reply from.");
    parse("{\"app_id\":\"A\",\"message\":{\"channel_identity\":{\"channel\":\"SMS\"}}}");
    ck_assert_ptr_null(sinchfn_conversation_text_reply(event, "x", &error));
    ck_assert_str_eq(error, "The webhook names no sender to reply to: it has no channel_identity and no contact_id.");
    parse(whatsapp_text);
    ck_assert_ptr_null(sinchfn_conversation_text_reply(event, "", &error));
    ck_assert_str_eq(error, "The reply text is empty.");
}
END_TEST

Suite *conversation_suite(void)
{
    Suite *suite = suite_create("conversation");
    TCase *messages = tcase_create("messages");
    TCase *triggers = tcase_create("triggers");
    TCase *replies = tcase_create("replies");

    tcase_add_checked_fixture(messages, test_pool_setup, test_pool_teardown);
    tcase_add_test(messages, conversation_text_message_members);
    tcase_add_test(messages, conversation_media_message);
    tcase_add_test(messages, conversation_choice_postback);
    tcase_add_test(messages, conversation_redaction_message_text);
    suite_add_tcase(suite, messages);

    tcase_add_checked_fixture(triggers, test_pool_setup, test_pool_teardown);
    tcase_add_test(triggers, conversation_delivery_report);
    tcase_add_test(triggers, conversation_event_inbound);
    tcase_add_test(triggers, conversation_start_notification_ids);
    tcase_add_test(triggers, conversation_contact_notification_id);
    tcase_add_test(triggers, conversation_every_trigger_key);
    tcase_add_test(triggers, conversation_first_key_wins);
    tcase_add_test(triggers, conversation_non_object_item);
    tcase_add_test(triggers, conversation_unknown_body_error);
    tcase_add_test(triggers, conversation_not_object_error);
    suite_add_tcase(suite, triggers);

    tcase_add_checked_fixture(replies, test_pool_setup, test_pool_teardown);
    tcase_add_test(replies, conversation_reply_to_channel_identity);
    tcase_add_test(replies, conversation_reply_to_contact_id);
    tcase_add_test(replies, conversation_reply_errors);
    suite_add_tcase(suite, replies);
    return suite;
}
