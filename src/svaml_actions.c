/*
 * svaml_actions.c: the SVAML actions. Each one checks that the callback accepts it and
 * that no action is set yet, then checks its options, and writes the element's fields
 * in the order of Sinch's SVAML reference with unset fields left out.
 */
#include <apr_strings.h>

#include "svaml_internal.h"

static sinchfn_status set_simple_action(sinchfn_svaml *svaml, const char *name)
{
    if (sinchfn_svaml_check(svaml, name, 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return sinchfn_svaml_set_action(svaml, sinchfn_svaml_element(name));
}

sinchfn_status sinchfn_svaml_hangup(sinchfn_svaml *svaml)
{
    return set_simple_action(svaml, "hangup");
}

sinchfn_status sinchfn_svaml_continue(sinchfn_svaml *svaml)
{
    return set_simple_action(svaml, "continue");
}

/* ---- option checks ---- */

static sinchfn_status check_bool(sinchfn_svaml *svaml, const char *action, const char *field, sinchfn_bool value)
{
    if (!sinchfn_bool_valid(value))
        return sinchfn_svaml_reject(svaml, "%s %s is %d, not SINCHFN_UNSET, SINCHFN_FALSE or SINCHFN_TRUE", action,
                                    field, (int)value);
    return SINCHFN_OK;
}

static sinchfn_status check_not_negative(sinchfn_svaml *svaml, const char *action, const char *field,
                                         sinchfn_int value)
{
    if (value.set && value.value < 0)
        return sinchfn_svaml_reject(svaml, "%s %s is %" APR_INT64_T_FMT "; it cannot be negative", action, field,
                                    value.value);
    return SINCHFN_OK;
}

static sinchfn_status check_destination(sinchfn_svaml *svaml, const char *action,
                                        const sinchfn_destination *destination)
{
    if (!destination->endpoint || !*destination->endpoint)
        return sinchfn_svaml_reject(svaml, "%s needs a destination endpoint", action);
    return SINCHFN_OK;
}

static sinchfn_status check_call_headers(sinchfn_svaml *svaml, const char *action,
                                         const sinchfn_call_header *headers, apr_size_t count)
{
    apr_size_t i;

    if (count > 0 && !headers)
        return sinchfn_svaml_reject(svaml, "%s has call_header_count %" APR_SIZE_T_FMT " but no call_headers",
                                    action, count);
    for (i = 0; i < count; i++) {
        if (!headers[i].key || !*headers[i].key)
            return sinchfn_svaml_reject(svaml, "%s call header %" APR_SIZE_T_FMT " has no key", action, i);
        if (!headers[i].value)
            return sinchfn_svaml_reject(svaml, "%s call header '%s' has no value", action, headers[i].key);
    }
    return SINCHFN_OK;
}

/* ---- option writers ---- */

static json_object *destination_object(const sinchfn_destination *destination)
{
    json_object *object = json_object_new_object();

    sinchfn_json_put_string(object, "type", destination->type);
    sinchfn_json_put_string(object, "endpoint", destination->endpoint);
    return object;
}

static void put_call_headers(json_object *element, const sinchfn_call_header *headers, apr_size_t count)
{
    json_object *list;
    apr_size_t i;

    if (count == 0)
        return;
    list = json_object_new_array();
    for (i = 0; i < count; i++) {
        json_object *header = json_object_new_object();

        json_object_object_add(header, "key", json_object_new_string(headers[i].key));
        json_object_object_add(header, "value", json_object_new_string(headers[i].value));
        json_object_array_add(list, header);
    }
    json_object_object_add(element, "callHeaders", list);
}

/* ---- connectPstn ---- */

static sinchfn_status check_connect_pstn(sinchfn_svaml *svaml, const sinchfn_connect_pstn *options)
{
    const char *invalid;

    if ((options->number && !*options->number))
        return sinchfn_svaml_reject(svaml, "connectPstn number is empty; leave it NULL to connect the dialed number");
    if (options->dtmf && (invalid = sinchfn_find_invalid_char(options->dtmf, SINCHFN_DTMF_SEND_CHARS)))
        return sinchfn_svaml_reject(svaml, "connectPstn dtmf '%s' has the invalid character '%c'; use 0-9, *, # "
                                    "and w", options->dtmf, *invalid);
    if (check_not_negative(svaml, "connectPstn", "maxDuration", options->max_duration) != SINCHFN_OK ||
        check_not_negative(svaml, "connectPstn", "dialTimeout", options->dial_timeout) != SINCHFN_OK ||
        check_bool(svaml, "connectPstn", "suppressCallbacks", options->suppress_callbacks) != SINCHFN_OK ||
        check_bool(svaml, "connectPstn", "amd.enabled", options->amd.enabled) != SINCHFN_OK ||
        check_bool(svaml, "connectPstn", "amd.async", options->amd.async) != SINCHFN_OK)
        return SINCHFN_ERROR;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_svaml_connect_pstn(sinchfn_svaml *svaml, const sinchfn_connect_pstn *options)
{
    static const sinchfn_connect_pstn none;
    json_object *action, *amd;

    if (sinchfn_svaml_check(svaml, "connectPstn", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        options = &none;
    if (check_connect_pstn(svaml, options) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element("connectPstn");
    sinchfn_json_put_string(action, "number", options->number);
    sinchfn_json_put_string(action, "locale", options->locale);
    sinchfn_json_put_int(action, "maxDuration", options->max_duration);
    sinchfn_json_put_int(action, "dialTimeout", options->dial_timeout);
    sinchfn_json_put_string(action, "cli", options->cli);
    sinchfn_json_put_bool(action, "suppressCallbacks", options->suppress_callbacks);
    sinchfn_json_put_string(action, "dtmf", options->dtmf);
    sinchfn_json_put_string(action, "indications", options->indications);
    amd = json_object_new_object();
    sinchfn_json_put_bool(amd, "enabled", options->amd.enabled);
    sinchfn_json_put_bool(amd, "async", options->amd.async);
    sinchfn_json_put_unless_empty(action, "amd", amd);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectMxp ---- */

sinchfn_status sinchfn_svaml_connect_mxp(sinchfn_svaml *svaml, const sinchfn_connect_mxp *options)
{
    json_object *action;

    if (sinchfn_svaml_check(svaml, "connectMxp", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "connectMxp needs options with a destination");
    if (check_destination(svaml, "connectMxp", &options->destination) != SINCHFN_OK ||
        check_call_headers(svaml, "connectMxp", options->call_headers, options->call_header_count) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element("connectMxp");
    json_object_object_add(action, "destination", destination_object(&options->destination));
    put_call_headers(action, options->call_headers, options->call_header_count);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectConf ---- */

sinchfn_status sinchfn_svaml_connect_conf(sinchfn_svaml *svaml, const sinchfn_connect_conf *options)
{
    json_object *action, *dtmf;

    if (sinchfn_svaml_check(svaml, "connectConf", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options || !options->conference_id || !*options->conference_id)
        return sinchfn_svaml_reject(svaml, "connectConf needs a conference_id");
    if (check_not_negative(svaml, "connectConf", "conferenceDtmfOptions.maxDigits",
                           options->dtmf_options.max_digits) != SINCHFN_OK ||
        check_not_negative(svaml, "connectConf", "conferenceDtmfOptions.timeoutMills",
                           options->dtmf_options.timeout_mills) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element("connectConf");
    json_object_object_add(action, "conferenceId", json_object_new_string(options->conference_id));
    dtmf = json_object_new_object();
    sinchfn_json_put_string(dtmf, "mode", options->dtmf_options.mode);
    sinchfn_json_put_int(dtmf, "maxDigits", options->dtmf_options.max_digits);
    sinchfn_json_put_int(dtmf, "timeoutMills", options->dtmf_options.timeout_mills);
    sinchfn_json_put_unless_empty(action, "conferenceDtmfOptions", dtmf);
    sinchfn_json_put_string(action, "moh", options->moh);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectSip ---- */

sinchfn_status sinchfn_svaml_connect_sip(sinchfn_svaml *svaml, const sinchfn_connect_sip *options)
{
    json_object *action;

    if (sinchfn_svaml_check(svaml, "connectSip", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "connectSip needs options with a destination");
    if (check_destination(svaml, "connectSip", &options->destination) != SINCHFN_OK ||
        check_not_negative(svaml, "connectSip", "maxDuration", options->max_duration) != SINCHFN_OK ||
        check_bool(svaml, "connectSip", "suppressCallbacks", options->suppress_callbacks) != SINCHFN_OK ||
        check_call_headers(svaml, "connectSip", options->call_headers, options->call_header_count) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element("connectSip");
    json_object_object_add(action, "destination", destination_object(&options->destination));
    sinchfn_json_put_int(action, "maxDuration", options->max_duration);
    sinchfn_json_put_string(action, "cli", options->cli);
    sinchfn_json_put_string(action, "transport", options->transport);
    sinchfn_json_put_bool(action, "suppressCallbacks", options->suppress_callbacks);
    put_call_headers(action, options->call_headers, options->call_header_count);
    sinchfn_json_put_string(action, "moh", options->moh);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectStream ---- */

sinchfn_status sinchfn_svaml_connect_stream(sinchfn_svaml *svaml, const sinchfn_connect_stream *options)
{
    json_object *action, *streaming;

    if (sinchfn_svaml_check(svaml, "connectStream", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "connectStream needs options with a destination");
    if (check_destination(svaml, "connectStream", &options->destination) != SINCHFN_OK ||
        check_not_negative(svaml, "connectStream", "maxDuration", options->max_duration) != SINCHFN_OK ||
        check_not_negative(svaml, "connectStream", "streamingOptions.sampleRate",
                           options->streaming_options.sample_rate) != SINCHFN_OK ||
        check_call_headers(svaml, "connectStream", options->call_headers, options->call_header_count) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element("connectStream");
    json_object_object_add(action, "destination", destination_object(&options->destination));
    streaming = json_object_new_object();
    sinchfn_json_put_int(streaming, "version", options->streaming_options.version);
    sinchfn_json_put_int(streaming, "sampleRate", options->streaming_options.sample_rate);
    sinchfn_json_put_unless_empty(action, "streamingOptions", streaming);
    sinchfn_json_put_int(action, "maxDuration", options->max_duration);
    put_call_headers(action, options->call_headers, options->call_header_count);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- park ---- */

sinchfn_status sinchfn_svaml_park(sinchfn_svaml *svaml, const sinchfn_park *options)
{
    static const sinchfn_park none;
    json_object *action;

    if (sinchfn_svaml_check(svaml, "park", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        options = &none;
    if (check_not_negative(svaml, "park", "maxDuration", options->max_duration) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element("park");
    sinchfn_json_put_string(action, "locale", options->locale);
    sinchfn_json_put_string(action, "introPrompt", options->intro_prompt);
    sinchfn_json_put_string(action, "holdPrompt", options->hold_prompt);
    sinchfn_json_put_int(action, "maxDuration", options->max_duration);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- runMenu ---- */

sinchfn_status sinchfn_svaml_run_menu(sinchfn_svaml *svaml, const sinchfn_run_menu *options)
{
    json_object *action = NULL;
    const char *problem;

    if (sinchfn_svaml_check(svaml, "runMenu", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "runMenu needs options with at least one menu");
    if ((problem = sinchfn_run_menu_action(svaml->pool, options, &action)))
        return sinchfn_svaml_reject(svaml, "%s", problem);
    return sinchfn_svaml_set_action(svaml, action);
}
