/*
 * sinchfn/conversation.h: Conversation API webhooks (SMS, WhatsApp, RCS, Messenger, ...)
 * as they reach the `conversationWebhook` export at /webhook/conversation. Included by
 * sinchfn.h; do not include it on its own.
 */
#ifndef SINCHFN_CONVERSATION_H
#define SINCHFN_CONVERSATION_H

#ifndef SINCHFN_H
#error "include <sinchfn.h>, which includes sinchfn/conversation.h"
#endif

/* The webhook trigger, named as in the Conversation API. The top-level key of the body
 * that selects each one is given in the comment; the first key found in this order wins. */
typedef enum {
    SINCHFN_TRIGGER_UNKNOWN = 0,
    SINCHFN_TRIGGER_MESSAGE_INBOUND,        /* message */
    SINCHFN_TRIGGER_MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION, /* message_redaction */
    SINCHFN_TRIGGER_MESSAGE_SUBMIT,         /* message_submit_notification */
    SINCHFN_TRIGGER_MESSAGE_DELIVERY,       /* message_delivery_report */
    SINCHFN_TRIGGER_EVENT_INBOUND,          /* event */
    SINCHFN_TRIGGER_EVENT_DELIVERY,         /* event_delivery_report */
    SINCHFN_TRIGGER_CONVERSATION_START,     /* conversation_start_notification */
    SINCHFN_TRIGGER_CONVERSATION_STOP,      /* conversation_stop_notification */
    SINCHFN_TRIGGER_CONVERSATION_DELETE,    /* conversation_delete_notification */
    SINCHFN_TRIGGER_CONTACT_CREATE,         /* contact_create_notification */
    SINCHFN_TRIGGER_CONTACT_DELETE,         /* contact_delete_notification */
    SINCHFN_TRIGGER_CONTACT_MERGE,          /* contact_merge_notification */
    SINCHFN_TRIGGER_CONTACT_UPDATE,         /* contact_update_notification */
    SINCHFN_TRIGGER_CONTACT_IDENTITIES_DUPLICATION, /* duplicated_identities */
    SINCHFN_TRIGGER_CAPABILITY,             /* capability_notification */
    SINCHFN_TRIGGER_OPT_IN,                 /* opt_in_notification */
    SINCHFN_TRIGGER_OPT_OUT,                /* opt_out_notification */
    SINCHFN_TRIGGER_CHANNEL_EVENT,          /* channel_event_notification */
    SINCHFN_TRIGGER_UNSUPPORTED,            /* unsupported_callback */
    SINCHFN_TRIGGER_SMART_CONVERSATIONS,    /* smart_conversation_notification */
    SINCHFN_TRIGGER_RECORD_NOTIFICATION     /* record_notification */
} sinchfn_conversation_trigger;

typedef struct sinchfn_conversation_event sinchfn_conversation_event;

/* Parses the JSON body of a Conversation API webhook. On failure returns SINCHFN_ERROR
 * and sets *error to a message for a 400 response (the body is not a JSON object, or has
 * none of the trigger keys). Memory comes from the request's pool. */
SINCHFN_API sinchfn_status sinchfn_conversation_parse(const sinchfn_request *request,
                                                      const sinchfn_conversation_event **event,
                                                      const char **error);

SINCHFN_API sinchfn_conversation_trigger sinchfn_conversation_trigger_of(const sinchfn_conversation_event *event);
/* The trigger's name, e.g. "MESSAGE_INBOUND". */
SINCHFN_API const char *sinchfn_conversation_trigger_name(const sinchfn_conversation_event *event);
/* The top-level key that selected the trigger, e.g. "message". */
SINCHFN_API const char *sinchfn_conversation_trigger_key(const sinchfn_conversation_event *event);
/* The whole body, and the object under the trigger key. The event owns both. */
SINCHFN_API json_object *sinchfn_conversation_json(const sinchfn_conversation_event *event);
SINCHFN_API json_object *sinchfn_conversation_item(const sinchfn_conversation_event *event);

/* Members of the body. NULL when absent or not a string. */
SINCHFN_API const char *sinchfn_conversation_app_id(const sinchfn_conversation_event *event);     /* app_id */
SINCHFN_API const char *sinchfn_conversation_project_id(const sinchfn_conversation_event *event); /* project_id */
SINCHFN_API const char *sinchfn_conversation_accepted_time(const sinchfn_conversation_event *event); /* accepted_time */

/* The ids of the item: `id` of a message or event, `message_id` of a delivery report. */
SINCHFN_API const char *sinchfn_conversation_message_id(const sinchfn_conversation_event *event);
/* `contact_id` of the item, or `contact.id` / `conversation.contact_id` of contact and
 * conversation notifications. Empty or absent in the DISPATCH processing mode. */
SINCHFN_API const char *sinchfn_conversation_contact_id(const sinchfn_conversation_event *event);
/* `conversation_id` of the item, or `conversation.id` of conversation notifications. */
SINCHFN_API const char *sinchfn_conversation_conversation_id(const sinchfn_conversation_event *event);
/* `channel_identity.channel` of the item ("SMS", "WHATSAPP", "RCS", "MESSENGER", ...), or
 * `conversation.active_channel` of conversation notifications. */
SINCHFN_API const char *sinchfn_conversation_channel(const sinchfn_conversation_event *event);
/* `channel_identity.identity`: the sender's phone number or channel-specific id. */
SINCHFN_API const char *sinchfn_conversation_identity(const sinchfn_conversation_event *event);
/* `status` of a delivery report, e.g. "DELIVERED", "FAILED". */
SINCHFN_API const char *sinchfn_conversation_delivery_status(const sinchfn_conversation_event *event);

/* Content of an inbound contact message (`contact_message`); NULL for other kinds. */
SINCHFN_API const char *sinchfn_conversation_text(const sinchfn_conversation_event *event);      /* text_message.text */
SINCHFN_API const char *sinchfn_conversation_media_url(const sinchfn_conversation_event *event); /* media_message.url */
/* choice_response_message.postback_data: the postback of a tapped button or choice. */
SINCHFN_API const char *sinchfn_conversation_postback(const sinchfn_conversation_event *event);

/* Builds the body of a Conversation API send-message request that replies to the
 * sender with text on the channel it wrote from:
 *   {"app_id":..., "recipient":{"identified_by":{"channel_identities":[{"channel":...,
 *    "identity":...}]}}, "message":{"text_message":{"text":...}}}
 * Without a channel identity the recipient is {"contact_id":...}. Returns NULL, with
 * *error set, when the event has no app_id, no sender to answer, or text is empty. The
 * caller owns the returned object (sinchfn_respond_json takes it). */
SINCHFN_API json_object *sinchfn_conversation_text_reply(const sinchfn_conversation_event *event, const char *text,
                                                         const char **error);

#endif /* SINCHFN_CONVERSATION_H */
