/*
 * svaml.c: the SVAML builder and its instructions. Each callback kind accepts its own
 * set of instructions and actions, the per-callback sets of Sinch's SDKs. A call outside
 * the set, a second action or an invalid argument records an error instead of producing
 * SVAML that Sinch would reject.
 */
#include <apr_strings.h>

#include "svaml_internal.h"

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

/* ---- builder ---- */

sinchfn_svaml *sinchfn_svaml_create(apr_pool_t *pool, const char *callback)
{
    sinchfn_svaml *svaml = apr_pcalloc(pool, sizeof(*svaml));

    svaml->pool = pool;
    svaml->callback = callback;
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
    const svaml_rules *allowed = rules_for(svaml->callback);

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

json_object *sinchfn_svaml_element(const char *name)
{
    json_object *object = json_object_new_object();

    json_object_object_add(object, "name", json_object_new_string(name));
    return object;
}

/* Visits one value of an element: stops on a key or string that is not valid UTF-8. A
 * value with user data (a double's original text, a custom serializer's state) is checked
 * as json-c writes it, without its members. */
static int find_invalid_utf8(json_object *value, const char *key)
{
    size_t length = 0;
    const char *text;

    if (key && sinchfn_utf8_invalid_offset(key, strlen(key)) >= 0)
        return 1;
    if (value && json_object_get_userdata(value)) {
        text = json_object_to_json_string_length(value, JSON_C_TO_STRING_PLAIN, &length);
        return sinchfn_utf8_invalid_offset(text, length) >= 0 ? 1 : -1;
    }
    if (json_object_is_type(value, json_type_string))
        return sinchfn_utf8_invalid_offset(json_object_get_string(value),
                                           (apr_size_t)json_object_get_string_len(value)) >= 0;
    return 0;
}

/* Rejects and releases an element with a string that is not UTF-8, since the document
 * would not be JSON that Sinch can parse. json-c copies strings byte for byte. */
static sinchfn_status check_utf8(sinchfn_svaml *svaml, json_object *element)
{
    json_object *name;
    sinchfn_status status;

    if (!sinchfn_json_find(element, NULL, find_invalid_utf8))
        return SINCHFN_OK;
    json_object_object_get_ex(element, "name", &name);
    status = sinchfn_svaml_reject(svaml, "'%s' has a string that is not valid UTF-8; pass UTF-8 text",
                                  json_object_get_string(name));
    json_object_put(element);
    return status;
}

sinchfn_status sinchfn_svaml_add_instruction(sinchfn_svaml *svaml, json_object *instruction)
{
    if (check_utf8(svaml, instruction) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!svaml->instructions)
        svaml->instructions = sinchfn_json_pool_own(svaml->pool, json_object_new_array());
    json_object_array_add(svaml->instructions, instruction);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_svaml_set_action(sinchfn_svaml *svaml, json_object *action)
{
    if (check_utf8(svaml, action) != SINCHFN_OK)
        return SINCHFN_ERROR;
    svaml->action = sinchfn_json_pool_own(svaml->pool, action);
    return SINCHFN_OK;
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

const char *sinchfn_svaml_serialize(sinchfn_svaml *svaml)
{
    apr_size_t length;

    if (svaml->error || !svaml->action)
        return NULL;
    return sinchfn_json_serialize(svaml->pool, sinchfn_svaml_document(svaml), &length);
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

/* ---- JSON helpers ---- */

void sinchfn_json_put_string(json_object *object, const char *key, const char *value)
{
    if (value)
        json_object_object_add(object, key, json_object_new_string(value));
}

void sinchfn_json_put_bool(json_object *object, const char *key, sinchfn_bool value)
{
    if (value != SINCHFN_UNSET)
        json_object_object_add(object, key, json_object_new_boolean(value == SINCHFN_TRUE));
}

void sinchfn_json_put_int(json_object *object, const char *key, sinchfn_int value)
{
    if (value.set)
        json_object_object_add(object, key, json_object_new_int64(value.value));
}

void sinchfn_json_put_unless_empty(json_object *object, const char *key, json_object *value)
{
    if (json_object_object_length(value) == 0) {
        json_object_put(value);
        return;
    }
    json_object_object_add(object, key, value);
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
    json_object *say;

    if (sinchfn_svaml_check(svaml, "say", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!text)
        return sinchfn_svaml_reject(svaml, "say needs a text");

    say = sinchfn_svaml_element("say");
    json_object_object_add(say, "text", json_object_new_string(text));
    sinchfn_json_put_string(say, "locale", locale);
    return sinchfn_svaml_add_instruction(svaml, say);
}

sinchfn_status sinchfn_svaml_play_files(sinchfn_svaml *svaml, const char *const *ids, const char *locale)
{
    json_object *play, *list;
    apr_size_t i;

    if (sinchfn_svaml_check(svaml, "playFiles", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!ids || !ids[0])
        return sinchfn_svaml_reject(svaml, "playFiles needs at least one id in a NULL-terminated array");
    for (i = 0; ids[i]; i++) {
        if (!*ids[i])
            return sinchfn_svaml_reject(svaml, "playFiles id %" APR_SIZE_T_FMT " is empty", i);
    }

    play = sinchfn_svaml_element("playFiles");
    list = json_object_new_array();
    for (i = 0; ids[i]; i++)
        json_object_array_add(list, json_object_new_string(ids[i]));
    json_object_object_add(play, "ids", list);
    sinchfn_json_put_string(play, "locale", locale);
    return sinchfn_svaml_add_instruction(svaml, play);
}

sinchfn_status sinchfn_svaml_set_cookie(sinchfn_svaml *svaml, const char *key, const char *value)
{
    json_object *cookie;

    if (sinchfn_svaml_check(svaml, "setCookie", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!key || !*key)
        return sinchfn_svaml_reject(svaml, "setCookie needs a non-empty key");
    if (!value)
        return sinchfn_svaml_reject(svaml, "setCookie '%s' needs a value (it may be empty)", key);

    cookie = sinchfn_svaml_element("setCookie");
    json_object_object_add(cookie, "key", json_object_new_string(key));
    json_object_object_add(cookie, "value", json_object_new_string(value));
    return sinchfn_svaml_add_instruction(svaml, cookie);
}

sinchfn_status sinchfn_svaml_send_dtmf(sinchfn_svaml *svaml, const char *value)
{
    json_object *dtmf;
    const char *invalid;

    if (sinchfn_svaml_check(svaml, "sendDtmf", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!value || !*value)
        return sinchfn_svaml_reject(svaml, "sendDtmf needs digits");
    if ((invalid = sinchfn_find_invalid_char(value, SINCHFN_DTMF_SEND_CHARS)))
        return sinchfn_svaml_reject(svaml, "sendDtmf value '%s' has the invalid character '%c'; use 0-9, *, # "
                                    "and w", value, *invalid);

    dtmf = sinchfn_svaml_element("sendDtmf");
    json_object_object_add(dtmf, "value", json_object_new_string(value));
    return sinchfn_svaml_add_instruction(svaml, dtmf);
}

sinchfn_status sinchfn_svaml_answer(sinchfn_svaml *svaml)
{
    if (sinchfn_svaml_check(svaml, "answer", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return sinchfn_svaml_add_instruction(svaml, sinchfn_svaml_element("answer"));
}

static json_object *recording_options(const sinchfn_recording_options *options)
{
    json_object *object = json_object_new_object();
    json_object *transcription = json_object_new_object();

    sinchfn_json_put_string(object, "destinationUrl", options->destination_url);
    sinchfn_json_put_string(object, "credentials", options->credentials);
    sinchfn_json_put_string(object, "format", options->format);
    sinchfn_json_put_bool(object, "notificationEvents", options->notification_events);
    sinchfn_json_put_bool(transcription, "enabled", options->transcription.enabled);
    sinchfn_json_put_string(transcription, "locale", options->transcription.locale);
    sinchfn_json_put_unless_empty(object, "transcriptionOptions", transcription);
    return object;
}

sinchfn_status sinchfn_svaml_start_recording(sinchfn_svaml *svaml, const sinchfn_recording_options *options)
{
    json_object *start;

    if (sinchfn_svaml_check(svaml, "startRecording", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (options && (!sinchfn_bool_valid(options->notification_events) ||
                    !sinchfn_bool_valid(options->transcription.enabled)))
        return sinchfn_svaml_reject(svaml, "startRecording has a boolean option that is not SINCHFN_UNSET, "
                                    "SINCHFN_FALSE or SINCHFN_TRUE");

    start = sinchfn_svaml_element("startRecording");
    if (options)
        sinchfn_json_put_unless_empty(start, "options", recording_options(options));
    return sinchfn_svaml_add_instruction(svaml, start);
}

sinchfn_status sinchfn_svaml_stop_recording(sinchfn_svaml *svaml)
{
    if (sinchfn_svaml_check(svaml, "stopRecording", 0) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return sinchfn_svaml_add_instruction(svaml, sinchfn_svaml_element("stopRecording"));
}
