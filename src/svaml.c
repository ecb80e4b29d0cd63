/*
 * svaml.c: voice callback events and the SVAML builder. Each callback kind accepts its
 * own set of instructions and actions (the per-callback sets of Sinch's SDKs); a call
 * outside the set, or a second action, records an error instead of producing SVAML
 * Sinch would reject.
 */
#include <apr_strings.h>

#include "sinchfn_core.h"

struct sinchfn_event {
    const char *name;
    json_object *json;
    const sinchfn_request *request;
};

struct sinchfn_svaml {
    apr_pool_t *pool;
    const char *callback;
    json_object *action;
    json_object *instructions; /* array, created on the first instruction */
    const char *error;
};

/* Instructions and actions each callback kind accepts. */
typedef struct {
    const char *callback;
    const char *instructions;
    const char *actions;
} svaml_rules;

static const svaml_rules rules[] = {
    { "ice", " playFiles say sendDtmf setCookie startRecording stopRecording answer ",
      " hangup connectPstn connectMxp connectConf connectSip connectStream runMenu park " },
    { "ace", " playFiles say setCookie startRecording ", " hangup continue connectConf runMenu " },
    { "pie", " playFiles say sendDtmf setCookie startRecording stopRecording ",
      " hangup continue connectConf connectPstn connectSip runMenu " },
};

static const svaml_rules *rules_for(const char *callback)
{
    apr_size_t i;

    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (!strcmp(rules[i].callback, callback))
            return &rules[i];
    }
    return NULL;
}

int sinchfn_callback_takes_svaml(const char *callback)
{
    return rules_for(callback) != NULL;
}

static int in_set(const char *set, const char *name)
{
    const char *found = strstr(set, name);
    apr_size_t length = strlen(name);

    while (found) {
        if (found[-1] == ' ' && found[length] == ' ')
            return 1;
        found = strstr(found + 1, name);
    }
    return 0;
}

/* ---- events ---- */

const sinchfn_client_error *sinchfn_event_create(sinchfn_request *request, const char *route,
                                                 sinchfn_event **event)
{
    sinchfn_client_error *error = apr_palloc(request->pool, sizeof(*error));
    json_object *name;

    error->status = 400;
    if (!request->json || !json_object_is_type(request->json, json_type_object)) {
        error->message = apr_psprintf(request->pool,
                                      "The '%s' callback needs a JSON object body with Content-Type application/json.",
                                      route);
        return error;
    }
    if (!json_object_object_get_ex(request->json, "event", &name) ||
        !json_object_is_type(name, json_type_string)) {
        error->message = "The callback body has no 'event' string; Sinch voice callbacks carry one.";
        return error;
    }
    if (strcmp(json_object_get_string(name), route)) {
        error->message = apr_psprintf(request->pool,
                                      "The callback event '%s' does not match the '%s' route; post each event to its own route.",
                                      json_object_get_string(name), route);
        return error;
    }

    *event = apr_pcalloc(request->pool, sizeof(**event));
    (*event)->name = json_object_get_string(name);
    (*event)->json = request->json;
    (*event)->request = request;
    return NULL;
}

const char *sinchfn_event_name(const sinchfn_event *event)
{
    return event->name;
}

const char *sinchfn_event_string(const sinchfn_event *event, const char *name)
{
    json_object *member;

    if (!json_object_object_get_ex(event->json, name, &member) ||
        !json_object_is_type(member, json_type_string))
        return NULL;
    return json_object_get_string(member);
}

const char *sinchfn_event_callid(const sinchfn_event *event)
{
    return sinchfn_event_string(event, "callid");
}

json_object *sinchfn_event_json(const sinchfn_event *event)
{
    return event->json;
}

const sinchfn_request *sinchfn_event_request(const sinchfn_event *event)
{
    return event->request;
}

/* ---- builder ---- */

sinchfn_svaml *sinchfn_svaml_create(apr_pool_t *pool, const char *callback)
{
    sinchfn_svaml *svaml = apr_pcalloc(pool, sizeof(*svaml));

    svaml->pool = pool;
    svaml->callback = callback;
    return svaml;
}

const char *sinchfn_svaml_error(const sinchfn_svaml *svaml)
{
    return svaml->error;
}

int sinchfn_svaml_has_action(const sinchfn_svaml *svaml)
{
    return svaml->action != NULL;
}

static sinchfn_status reject(sinchfn_svaml *svaml, const char *message)
{
    if (!svaml->error)
        svaml->error = message;
    return SINCHFN_ERROR;
}

static sinchfn_status check_allowed(sinchfn_svaml *svaml, const char *name, int is_action)
{
    const svaml_rules *allowed = rules_for(svaml->callback);

    if (!allowed)
        return reject(svaml, apr_psprintf(svaml->pool, "the '%s' callback takes no SVAML, so '%s' is not allowed",
                                          svaml->callback, name));
    if (!in_set(is_action ? allowed->actions : allowed->instructions, name))
        return reject(svaml, apr_psprintf(svaml->pool, "the '%s' callback does not accept the %s '%s'",
                                          svaml->callback, is_action ? "action" : "instruction", name));
    if (is_action && svaml->action)
        return reject(svaml, apr_psprintf(svaml->pool, "a SVAML response has one action, and '%s' would be a second",
                                          name));
    return SINCHFN_OK;
}

static json_object *element(const char *name)
{
    json_object *object = json_object_new_object();

    json_object_object_add(object, "name", json_object_new_string(name));
    return object;
}

static sinchfn_status add_instruction(sinchfn_svaml *svaml, json_object *instruction)
{
    if (!svaml->instructions)
        svaml->instructions = sinchfn_json_pool_own(svaml->pool, json_object_new_array());
    json_object_array_add(svaml->instructions, instruction);
    return SINCHFN_OK;
}

static sinchfn_status set_action(sinchfn_svaml *svaml, json_object *action)
{
    svaml->action = sinchfn_json_pool_own(svaml->pool, action);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_svaml_say(sinchfn_svaml *svaml, const char *text, const char *locale)
{
    json_object *say;

    if (check_allowed(svaml, "say", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!text)
        return reject(svaml, "say needs a text");

    say = element("say");
    json_object_object_add(say, "text", json_object_new_string(text));
    if (locale)
        json_object_object_add(say, "locale", json_object_new_string(locale));
    return add_instruction(svaml, say);
}

sinchfn_status sinchfn_svaml_answer(sinchfn_svaml *svaml)
{
    if (check_allowed(svaml, "answer", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return add_instruction(svaml, element("answer"));
}

sinchfn_status sinchfn_svaml_hangup(sinchfn_svaml *svaml)
{
    if (check_allowed(svaml, "hangup", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return set_action(svaml, element("hangup"));
}

sinchfn_status sinchfn_svaml_continue(sinchfn_svaml *svaml)
{
    if (check_allowed(svaml, "continue", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return set_action(svaml, element("continue"));
}

json_object *sinchfn_svaml_document(sinchfn_svaml *svaml)
{
    json_object *document = sinchfn_json_pool_own(svaml->pool, json_object_new_object());

    /* The document takes extra references so the pool cleanups of the parts stay valid. */
    json_object_object_add(document, "action", json_object_get(svaml->action));
    if (svaml->instructions)
        json_object_object_add(document, "instructions", json_object_get(svaml->instructions));
    return document;
}
