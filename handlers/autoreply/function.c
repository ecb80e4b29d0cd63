/*
 * An SMS and WhatsApp auto-reply for Conversation API webhooks posted to
 * /webhook/conversation. Every inbound message on those channels gets the text of the
 * AUTO_REPLY_TEXT variable as a reply, and other triggers and channels are acknowledged.
 *
 * NOTE: the runtime has no Conversation API client yet, so the handler returns the
 * send-message body in its 200 answer (Sinch ignores webhook answers) instead of sending
 * it. Posting it to https://REGION.conversation.api.sinch.com/v1/projects/PROJECT_ID/messages:send
 * with the project's credentials delivers the reply.
 */
#include <sinchfn.h>

#include <string.h>

#define DEFAULT_REPLY "Thanks for your message! We will get back to you shortly."

static const char *or_dash(const char *text)
{
    return text ? text : "-";
}

static int replies_on(const char *channel)
{
    return channel && (!strcmp(channel, "SMS") || !strcmp(channel, "WHATSAPP"));
}

static sinchfn_status acknowledge(sinchfn_ctx *ctx, sinchfn_response *response,
                                  const sinchfn_conversation_event *event)
{
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "trigger", json_object_new_string(sinchfn_conversation_trigger_name(event)),
                                                    "replied", json_object_new_boolean(0),
                                                    NULL));
}

static sinchfn_status conversation_webhook(sinchfn_ctx *ctx, const sinchfn_request *request,
                                           sinchfn_response *response)
{
    const sinchfn_conversation_event *event;
    const char *error, *text, *channel;
    json_object *reply;

    if (sinchfn_conversation_parse(request, &event, &error) != SINCHFN_OK) {
        sinchfn_log_info(ctx, "Rejected a webhook: %s", error);
        return sinchfn_respond_error(response, 400, error);
    }
    channel = sinchfn_conversation_channel(event);
    if (sinchfn_conversation_trigger_of(event) != SINCHFN_TRIGGER_MESSAGE_INBOUND || !replies_on(channel)) {
        sinchfn_log_debug(ctx, "No reply to %s on %s", sinchfn_conversation_trigger_name(event), or_dash(channel));
        return acknowledge(ctx, response, event);
    }

    text = sinchfn_variable(ctx, "AUTO_REPLY_TEXT");
    if (!(reply = sinchfn_conversation_text_reply(event, text ? text : DEFAULT_REPLY, &error))) {
        sinchfn_log_info(ctx, "Cannot reply to message %s: %s", or_dash(sinchfn_conversation_message_id(event)), error);
        return sinchfn_respond_error(response, 400, error);
    }
    sinchfn_log_info(ctx, "Auto-reply to message %s on %s", or_dash(sinchfn_conversation_message_id(event)), channel);
    return sinchfn_respond_json(response, 200,
                                sinchfn_json_object(ctx,
                                                    "trigger", json_object_new_string("MESSAGE_INBOUND"),
                                                    "replied", json_object_new_boolean(1),
                                                    "reply", reply,
                                                    NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT_NAMED("conversationWebhook", conversation_webhook));
