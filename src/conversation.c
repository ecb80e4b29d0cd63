/*
 * conversation.c: Conversation API webhooks. The top-level key of the body names the
 * trigger, as Sinch's SDKs read it. Helpers read the sender, ids and content of the
 * object under that key, and build the send-message body of a text reply.
 */
#include <apr_strings.h>

#include "sinchfn_core.h"

struct sinchfn_conversation_event {
    sinchfn_conversation_trigger trigger;
    const char *trigger_name;
    const char *key;
    json_object *json;
    json_object *item;
};

/* Trigger keys in the order Sinch's Node SDK tests them; the first one present wins. */
static const struct {
    const char *key;
    sinchfn_conversation_trigger trigger;
    const char *name;
} triggers[] = {
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

sinchfn_status sinchfn_conversation_parse(const sinchfn_request *request, const sinchfn_conversation_event **event,
                                          const char **error)
{
    json_object *body = sinchfn_request_tree(request);
    sinchfn_conversation_event *parsed;
    apr_size_t i;

    *event = NULL;
    if (!body || !json_object_is_type(body, json_type_object)) {
        *error = "A Conversation API webhook needs a JSON object body with Content-Type application/json.";
        return SINCHFN_ERROR;
    }
    for (i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
        json_object *item;

        if (!json_object_object_get_ex(body, triggers[i].key, &item))
            continue;
        parsed = apr_pcalloc(request->pool, sizeof(*parsed));
        parsed->trigger = triggers[i].trigger;
        parsed->trigger_name = triggers[i].name;
        parsed->key = triggers[i].key;
        parsed->json = body;
        parsed->item = json_object_is_type(item, json_type_object) ? item : NULL;
        *event = parsed;
        return SINCHFN_OK;
    }
    *error = "The webhook body has none of the Conversation API trigger keys (message, message_delivery_report, "
             "event, conversation_start_notification, ...).";
    return SINCHFN_ERROR;
}

/* ---- member readers ---- */

static json_object *path_object(json_object *object, const char *name)
{
    json_object *member;

    if (!object || !json_object_object_get_ex(object, name, &member) || !json_object_is_type(member, json_type_object))
        return NULL;
    return member;
}

static const char *path_string(json_object *object, const char *name)
{
    json_object *member;

    if (!object || !json_object_object_get_ex(object, name, &member) || !json_object_is_type(member, json_type_string))
        return NULL;
    return json_object_get_string(member);
}

/* The object that carries ids in conversation and contact notifications. */
static json_object *notification_subject(const sinchfn_conversation_event *event, const char *name)
{
    return path_object(event->item, name);
}

sinchfn_conversation_trigger sinchfn_conversation_trigger_of(const sinchfn_conversation_event *event)
{
    return event->trigger;
}

const char *sinchfn_conversation_trigger_name(const sinchfn_conversation_event *event)
{
    return event->trigger_name;
}

const char *sinchfn_conversation_trigger_key(const sinchfn_conversation_event *event)
{
    return event->key;
}

json_object *sinchfn_conversation_json(const sinchfn_conversation_event *event)
{
    return event->json;
}

json_object *sinchfn_conversation_item(const sinchfn_conversation_event *event)
{
    return event->item;
}

const char *sinchfn_conversation_app_id(const sinchfn_conversation_event *event)
{
    return path_string(event->json, "app_id");
}

const char *sinchfn_conversation_project_id(const sinchfn_conversation_event *event)
{
    return path_string(event->json, "project_id");
}

const char *sinchfn_conversation_accepted_time(const sinchfn_conversation_event *event)
{
    return path_string(event->json, "accepted_time");
}

const char *sinchfn_conversation_message_id(const sinchfn_conversation_event *event)
{
    const char *id = path_string(event->item, "message_id");

    return id ? id : path_string(event->item, "id");
}

const char *sinchfn_conversation_contact_id(const sinchfn_conversation_event *event)
{
    const char *id = path_string(event->item, "contact_id");

    if (!id)
        id = path_string(notification_subject(event, "conversation"), "contact_id");
    if (!id)
        id = path_string(notification_subject(event, "contact"), "id");
    return id;
}

const char *sinchfn_conversation_conversation_id(const sinchfn_conversation_event *event)
{
    const char *id = path_string(event->item, "conversation_id");

    return id ? id : path_string(notification_subject(event, "conversation"), "id");
}

const char *sinchfn_conversation_channel(const sinchfn_conversation_event *event)
{
    const char *channel = path_string(path_object(event->item, "channel_identity"), "channel");

    return channel ? channel : path_string(notification_subject(event, "conversation"), "active_channel");
}

const char *sinchfn_conversation_identity(const sinchfn_conversation_event *event)
{
    return path_string(path_object(event->item, "channel_identity"), "identity");
}

const char *sinchfn_conversation_delivery_status(const sinchfn_conversation_event *event)
{
    if (event->trigger != SINCHFN_TRIGGER_MESSAGE_DELIVERY && event->trigger != SINCHFN_TRIGGER_EVENT_DELIVERY)
        return NULL;
    return path_string(event->item, "status");
}

/* The `contact_message` of an inbound message, or NULL for other triggers. */
static json_object *contact_message(const sinchfn_conversation_event *event)
{
    if (event->trigger != SINCHFN_TRIGGER_MESSAGE_INBOUND &&
        event->trigger != SINCHFN_TRIGGER_MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION)
        return NULL;
    return path_object(event->item, "contact_message");
}

const char *sinchfn_conversation_text(const sinchfn_conversation_event *event)
{
    return path_string(path_object(contact_message(event), "text_message"), "text");
}

const char *sinchfn_conversation_media_url(const sinchfn_conversation_event *event)
{
    return path_string(path_object(contact_message(event), "media_message"), "url");
}

const char *sinchfn_conversation_postback(const sinchfn_conversation_event *event)
{
    return path_string(path_object(contact_message(event), "choice_response_message"), "postback_data");
}

/* ---- reply ---- */

static json_object *reply_recipient(const sinchfn_conversation_event *event)
{
    const char *channel = sinchfn_conversation_channel(event);
    const char *identity = sinchfn_conversation_identity(event);
    const char *contact_id = sinchfn_conversation_contact_id(event);
    json_object *recipient = json_object_new_object();

    /* The channel identity reaches the sender on the channel the sender used, and it works
     * in the DISPATCH processing mode, where messages carry no contact id. */
    if (channel && *channel && identity && *identity) {
        json_object *identities = json_object_new_array();
        json_object *one = json_object_new_object();
        json_object *identified_by = json_object_new_object();

        json_object_object_add(one, "channel", json_object_new_string(channel));
        json_object_object_add(one, "identity", json_object_new_string(identity));
        json_object_array_add(identities, one);
        json_object_object_add(identified_by, "channel_identities", identities);
        json_object_object_add(recipient, "identified_by", identified_by);
        return recipient;
    }
    if (contact_id && *contact_id) {
        json_object_object_add(recipient, "contact_id", json_object_new_string(contact_id));
        return recipient;
    }
    json_object_put(recipient);
    return NULL;
}

json_object *sinchfn_conversation_text_reply(const sinchfn_conversation_event *event, const char *text,
                                             const char **error)
{
    const char *app_id = sinchfn_conversation_app_id(event);
    json_object *body, *recipient, *message, *text_message;

    if (!text || !*text) {
        *error = "The reply text is empty.";
        return NULL;
    }
    if (!app_id || !*app_id) {
        *error = "The webhook body has no app_id to send the reply from.";
        return NULL;
    }
    if (!(recipient = reply_recipient(event))) {
        *error = "The webhook names no sender to reply to: it has no channel_identity and no contact_id.";
        return NULL;
    }

    body = json_object_new_object();
    json_object_object_add(body, "app_id", json_object_new_string(app_id));
    json_object_object_add(body, "recipient", recipient);
    message = json_object_new_object();
    text_message = json_object_new_object();
    json_object_object_add(text_message, "text", json_object_new_string(text));
    json_object_object_add(message, "text_message", text_message);
    json_object_object_add(body, "message", message);
    return body;
}
