/*
 * svaml.c: the SVAML builder and its instructions. Each callback kind accepts its own
 * set of instructions and actions, the per-callback sets of Sinch's SDKs. A call outside
 * the set, a second action or an invalid argument records an error instead of producing
 * SVAML that Sinch would reject.
 */
#include <apr_strings.h>

#include "svaml_internal.h"

/* Instructions and actions each callback kind accepts. */
typedef struct svaml_rules {
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

/* ---- builder ---- */

sinchfn_svaml *sinchfn_svaml_create(apr_pool_t *pool, const char *callback)
{
    sinchfn_svaml *svaml = apr_pcalloc(pool, sizeof(*svaml));

    svaml->pool = pool;
    svaml->callback = callback;
    svaml->rules = rules_for(callback);
    return svaml;
}

sinchfn_svaml *sinchfn_svaml_create_ice(apr_pool_t *pool)
{
    return sinchfn_svaml_create(pool, "ice");
}

sinchfn_svaml *sinchfn_svaml_create_ace(apr_pool_t *pool)
{
    return sinchfn_svaml_create(pool, "ace");
}

sinchfn_svaml *sinchfn_svaml_create_pie(apr_pool_t *pool)
{
    return sinchfn_svaml_create(pool, "pie");
}

const char *sinchfn_svaml_error(const sinchfn_svaml *svaml)
{
    return svaml->error;
}

int sinchfn_svaml_has_action(const sinchfn_svaml *svaml)
{
    return svaml->action != NULL;
}

sinchfn_status sinchfn_svaml_reject(sinchfn_svaml *svaml, const char *fmt, ...)
{
    va_list ap;

    if (!svaml->error) {
        va_start(ap, fmt);
        svaml->error = apr_pvsprintf(svaml->pool, fmt, ap);
        va_end(ap);
    }
    return SINCHFN_ERROR;
}

sinchfn_status sinchfn_svaml_check(sinchfn_svaml *svaml, const char *name, int is_action)
{
    const svaml_rules *allowed = svaml->rules;

    if (!allowed)
        return sinchfn_svaml_reject(svaml, "the '%s' callback takes no SVAML, so '%s' is not allowed",
                                    svaml->callback, name);
    if (!in_set(is_action ? allowed->actions : allowed->instructions, name))
        return sinchfn_svaml_reject(svaml, "the '%s' callback does not accept the %s '%s'", svaml->callback,
                                    is_action ? "action" : "instruction", name);
    if (is_action && svaml->action)
        return sinchfn_svaml_reject(svaml, "a SVAML response has one action, and '%s' would be a second", name);
    return SINCHFN_OK;
}

sinchfn_node *sinchfn_svaml_element(apr_pool_t *pool, const char *name)
{
    sinchfn_node *element = sinchfn_node_new(pool, json_type_object);

    sinchfn_node_add(element, "name", sinchfn_node_literal(pool, name));
    return element;
}

/* Returns the first key or string in node or below it that is not valid UTF-8, or NULL. */
static const char *find_invalid_utf8(const sinchfn_node *node)
{
    const sinchfn_node *item;
    const char *invalid;

    /* Keys are not checked: every SVAML key is a name of the schema, an ASCII literal of
     * this library. */
    if (node->type == json_type_string && sinchfn_utf8_invalid_offset(node->string, node->length) >= 0)
        return node->string;
    for (item = node->first; item; item = item->next) {
        if ((invalid = find_invalid_utf8(item)))
            return invalid;
    }
    return NULL;
}

/* Rejects an element with a string that is not UTF-8, since the document would not be
 * JSON that Sinch can parse. Strings are copied byte for byte. */
static sinchfn_status check_utf8(sinchfn_svaml *svaml, sinchfn_node *element)
{
    if (!find_invalid_utf8(element))
        return SINCHFN_OK;
    return sinchfn_svaml_reject(svaml, "'%s' has a string that is not valid UTF-8; pass UTF-8 text",
                                element->first->string);
}

sinchfn_status sinchfn_svaml_add_instruction(sinchfn_svaml *svaml, sinchfn_node *instruction)
{
    if (check_utf8(svaml, instruction) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!svaml->instructions)
        svaml->instructions = sinchfn_node_new(svaml->pool, json_type_array);
    sinchfn_node_add(svaml->instructions, NULL, instruction);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_svaml_set_action(sinchfn_svaml *svaml, sinchfn_node *action)
{
    if (check_utf8(svaml, action) != SINCHFN_OK)
        return SINCHFN_ERROR;
    svaml->action = action;
    return SINCHFN_OK;
}

const char *sinchfn_svaml_write(sinchfn_svaml *svaml, apr_size_t *length)
{
    sinchfn_node document = { 0 }, action = { 0 }, instructions;

    /* The document refers to the parts through copies, since a node is linked into one
     * parent only. */
    document.pool = svaml->pool;
    document.type = json_type_object;
    if (svaml->action)
        action = *svaml->action;
    else
        action.type = json_type_null;
    action.next = NULL;
    sinchfn_node_add(&document, "action", &action);
    if (svaml->instructions) {
        instructions = *svaml->instructions;
        instructions.next = NULL;
        sinchfn_node_add(&document, "instructions", &instructions);
    }
    return sinchfn_node_serialize(svaml->pool, &document, length);
}

json_object *sinchfn_svaml_document(sinchfn_svaml *svaml)
{
    json_object *document = NULL;
    apr_size_t length;
    const char *text = sinchfn_svaml_write(svaml, &length);

    if (sinchfn_parse_json(svaml->pool, text, length, &document))
        return NULL;
    return document;
}

const char *sinchfn_svaml_serialize(sinchfn_svaml *svaml)
{
    apr_size_t length;

    if (svaml->error || !svaml->action)
        return NULL;
    return sinchfn_svaml_write(svaml, &length);
}

sinchfn_svaml *sinchfn_svaml_fallback(apr_pool_t *pool, const char *callback, const sinchfn_voice_fallback *fallback)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(pool, callback);
    const char *text = fallback ? fallback->text : SINCHFN_FALLBACK_TEXT;
    const char *locale = fallback ? fallback->locale : SINCHFN_FALLBACK_LOCALE;

    /* An answered outbound call keeps going as its callout set it up. On ICE and PIE the
     * caller waits for this response, so the caller hears the message and is hung up. */
    if (!strcmp(callback, "ace")) {
        sinchfn_svaml_continue(svaml);
        return svaml;
    }
    if (text && *text)
        sinchfn_svaml_say(svaml, text, locale);
    sinchfn_svaml_hangup(svaml);
    return svaml;
}

/* ---- element helpers ---- */

void sinchfn_node_put_string(sinchfn_node *object, const char *key, const char *value)
{
    if (value)
        sinchfn_node_add(object, key, sinchfn_node_string(object->pool, value));
}

void sinchfn_node_put_bool(sinchfn_node *object, const char *key, sinchfn_bool value)
{
    sinchfn_node *member;

    if (value == SINCHFN_UNSET)
        return;
    member = sinchfn_node_add(object, key, sinchfn_node_new(object->pool, json_type_boolean));
    member->integer = value == SINCHFN_TRUE;
}

void sinchfn_node_put_int(sinchfn_node *object, const char *key, sinchfn_int value)
{
    sinchfn_node *member;

    if (!value.set)
        return;
    member = sinchfn_node_add(object, key, sinchfn_node_new(object->pool, json_type_int));
    member->integer = value.value;
}

void sinchfn_node_put_unless_empty(sinchfn_node *object, const char *key, sinchfn_node *value)
{
    if (value->count > 0)
        sinchfn_node_add(object, key, value);
}

int sinchfn_bool_valid(sinchfn_bool value)
{
    return value == SINCHFN_UNSET || value == SINCHFN_FALSE || value == SINCHFN_TRUE;
}

const char *sinchfn_find_invalid_char(const char *text, const char *allowed)
{
    for (; *text; text++) {
        if (!strchr(allowed, *text))
            return text;
    }
    return NULL;
}

/* ---- instructions ---- */

sinchfn_status sinchfn_svaml_say(sinchfn_svaml *svaml, const char *text, const char *locale)
{
    sinchfn_node *say;

    if (sinchfn_svaml_check(svaml, "say", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!text || !*text)
        return sinchfn_svaml_reject(svaml, "say needs a non-empty text");

    say = sinchfn_svaml_element(svaml->pool, "say");
    sinchfn_node_add(say, "text", sinchfn_node_string(svaml->pool, text));
    sinchfn_node_put_string(say, "locale", locale);
    return sinchfn_svaml_add_instruction(svaml, say);
}

sinchfn_status sinchfn_svaml_play_files(sinchfn_svaml *svaml, const char *const *ids, const char *locale)
{
    sinchfn_node *play, *list;
    apr_size_t i;

    if (sinchfn_svaml_check(svaml, "playFiles", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!ids || !ids[0])
        return sinchfn_svaml_reject(svaml, "playFiles needs at least one id in a NULL-terminated array");
    for (i = 0; ids[i]; i++) {
        if (!*ids[i])
            return sinchfn_svaml_reject(svaml, "playFiles id %" APR_SIZE_T_FMT " is empty", i);
    }

    play = sinchfn_svaml_element(svaml->pool, "playFiles");
    list = sinchfn_node_new(svaml->pool, json_type_array);
    for (i = 0; ids[i]; i++)
        sinchfn_node_add(list, NULL, sinchfn_node_string(svaml->pool, ids[i]));
    sinchfn_node_add(play, "ids", list);
    sinchfn_node_put_string(play, "locale", locale);
    return sinchfn_svaml_add_instruction(svaml, play);
}

sinchfn_status sinchfn_svaml_set_cookie(sinchfn_svaml *svaml, const char *key, const char *value)
{
    sinchfn_node *cookie;

    if (sinchfn_svaml_check(svaml, "setCookie", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!key || !*key)
        return sinchfn_svaml_reject(svaml, "setCookie needs a non-empty key");
    if (!value)
        return sinchfn_svaml_reject(svaml, "setCookie '%s' needs a value (it may be empty)", key);

    cookie = sinchfn_svaml_element(svaml->pool, "setCookie");
    sinchfn_node_add(cookie, "key", sinchfn_node_string(svaml->pool, key));
    sinchfn_node_add(cookie, "value", sinchfn_node_string(svaml->pool, value));
    return sinchfn_svaml_add_instruction(svaml, cookie);
}

sinchfn_status sinchfn_svaml_send_dtmf(sinchfn_svaml *svaml, const char *value)
{
    sinchfn_node *dtmf;
    const char *invalid;

    if (sinchfn_svaml_check(svaml, "sendDtmf", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!value || !*value)
        return sinchfn_svaml_reject(svaml, "sendDtmf needs digits");
    if ((invalid = sinchfn_find_invalid_char(value, SINCHFN_DTMF_SEND_CHARS)))
        return sinchfn_svaml_reject(svaml, "sendDtmf value '%s' has the invalid character '%c'; use 0-9, *, # "
                                    "and w", value, *invalid);

    dtmf = sinchfn_svaml_element(svaml->pool, "sendDtmf");
    sinchfn_node_add(dtmf, "value", sinchfn_node_string(svaml->pool, value));
    return sinchfn_svaml_add_instruction(svaml, dtmf);
}

sinchfn_status sinchfn_svaml_answer(sinchfn_svaml *svaml)
{
    if (sinchfn_svaml_check(svaml, "answer", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return sinchfn_svaml_add_instruction(svaml, sinchfn_svaml_element(svaml->pool, "answer"));
}

static sinchfn_node *recording_options(apr_pool_t *pool, const sinchfn_recording_options *options)
{
    sinchfn_node *object = sinchfn_node_new(pool, json_type_object);
    sinchfn_node *transcription = sinchfn_node_new(pool, json_type_object);

    sinchfn_node_put_string(object, "destinationUrl", options->destination_url);
    sinchfn_node_put_string(object, "credentials", options->credentials);
    sinchfn_node_put_string(object, "format", options->format);
    sinchfn_node_put_bool(object, "notificationEvents", options->notification_events);
    sinchfn_node_put_bool(transcription, "enabled", options->transcription.enabled);
    sinchfn_node_put_string(transcription, "locale", options->transcription.locale);
    sinchfn_node_put_unless_empty(object, "transcriptionOptions", transcription);
    return object;
}

sinchfn_status sinchfn_svaml_start_recording(sinchfn_svaml *svaml, const sinchfn_recording_options *options)
{
    sinchfn_node *start;

    if (sinchfn_svaml_check(svaml, "startRecording", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (options && (!sinchfn_bool_valid(options->notification_events) ||
                    !sinchfn_bool_valid(options->transcription.enabled)))
        return sinchfn_svaml_reject(svaml, "startRecording has a boolean option that is not SINCHFN_UNSET, "
                                    "SINCHFN_FALSE or SINCHFN_TRUE");

    start = sinchfn_svaml_element(svaml->pool, "startRecording");
    if (options)
        sinchfn_node_put_unless_empty(start, "options", recording_options(svaml->pool, options));
    return sinchfn_svaml_add_instruction(svaml, start);
}

sinchfn_status sinchfn_svaml_stop_recording(sinchfn_svaml *svaml)
{
    if (sinchfn_svaml_check(svaml, "stopRecording", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return sinchfn_svaml_add_instruction(svaml, sinchfn_svaml_element(svaml->pool, "stopRecording"));
}
