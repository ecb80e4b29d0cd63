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
    return sinchfn_svaml_set_action(svaml, sinchfn_svaml_element(svaml->pool, name));
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

static sinchfn_node *destination_object(apr_pool_t *pool, const sinchfn_destination *destination)
{
    sinchfn_node *object = sinchfn_node_new(pool, json_type_object);

    sinchfn_node_put_string(object, "type", destination->type);
    sinchfn_node_put_string(object, "endpoint", destination->endpoint);
    return object;
}

static void put_call_headers(sinchfn_node *element, const sinchfn_call_header *headers, apr_size_t count)
{
    sinchfn_node *list;
    apr_size_t i;

    if (count == 0)
        return;
    list = sinchfn_node_new(element->pool, json_type_array);
    for (i = 0; i < count; i++) {
        sinchfn_node *header = sinchfn_node_new(element->pool, json_type_object);

        sinchfn_node_add(header, "key", sinchfn_node_string(header->pool, headers[i].key));
        sinchfn_node_add(header, "value", sinchfn_node_string(header->pool, headers[i].value));
        sinchfn_node_add(list, NULL, header);
    }
    sinchfn_node_add(element, "callHeaders", list);
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
    sinchfn_node *action, *amd;

    if (sinchfn_svaml_check(svaml, "connectPstn", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        options = &none;
    if (check_connect_pstn(svaml, options) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element(svaml->pool, "connectPstn");
    sinchfn_node_put_string(action, "number", options->number);
    sinchfn_node_put_string(action, "locale", options->locale);
    sinchfn_node_put_int(action, "maxDuration", options->max_duration);
    sinchfn_node_put_int(action, "dialTimeout", options->dial_timeout);
    sinchfn_node_put_string(action, "cli", options->cli);
    sinchfn_node_put_bool(action, "suppressCallbacks", options->suppress_callbacks);
    sinchfn_node_put_string(action, "dtmf", options->dtmf);
    sinchfn_node_put_string(action, "indications", options->indications);
    amd = sinchfn_node_new(svaml->pool, json_type_object);
    sinchfn_node_put_bool(amd, "enabled", options->amd.enabled);
    sinchfn_node_put_bool(amd, "async", options->amd.async);
    sinchfn_node_put_unless_empty(action, "amd", amd);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectMxp ---- */

sinchfn_status sinchfn_svaml_connect_mxp(sinchfn_svaml *svaml, const sinchfn_connect_mxp *options)
{
    sinchfn_node *action;

    if (sinchfn_svaml_check(svaml, "connectMxp", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "connectMxp needs options with a destination");
    if (check_destination(svaml, "connectMxp", &options->destination) != SINCHFN_OK ||
        check_call_headers(svaml, "connectMxp", options->call_headers, options->call_header_count) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element(svaml->pool, "connectMxp");
    sinchfn_node_add(action, "destination", destination_object(svaml->pool, &options->destination));
    put_call_headers(action, options->call_headers, options->call_header_count);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectConf ---- */

sinchfn_status sinchfn_svaml_connect_conf(sinchfn_svaml *svaml, const sinchfn_connect_conf *options)
{
    sinchfn_node *action, *dtmf;

    if (sinchfn_svaml_check(svaml, "connectConf", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options || !options->conference_id || !*options->conference_id)
        return sinchfn_svaml_reject(svaml, "connectConf needs a conference_id");
    if (check_not_negative(svaml, "connectConf", "conferenceDtmfOptions.maxDigits",
                           options->dtmf_options.max_digits) != SINCHFN_OK ||
        check_not_negative(svaml, "connectConf", "conferenceDtmfOptions.timeoutMills",
                           options->dtmf_options.timeout_mills) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element(svaml->pool, "connectConf");
    sinchfn_node_add(action, "conferenceId", sinchfn_node_string(action->pool, options->conference_id));
    dtmf = sinchfn_node_new(svaml->pool, json_type_object);
    sinchfn_node_put_string(dtmf, "mode", options->dtmf_options.mode);
    sinchfn_node_put_int(dtmf, "maxDigits", options->dtmf_options.max_digits);
    sinchfn_node_put_int(dtmf, "timeoutMills", options->dtmf_options.timeout_mills);
    sinchfn_node_put_unless_empty(action, "conferenceDtmfOptions", dtmf);
    sinchfn_node_put_string(action, "moh", options->moh);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectSip ---- */

sinchfn_status sinchfn_svaml_connect_sip(sinchfn_svaml *svaml, const sinchfn_connect_sip *options)
{
    sinchfn_node *action;

    if (sinchfn_svaml_check(svaml, "connectSip", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "connectSip needs options with a destination");
    if (check_destination(svaml, "connectSip", &options->destination) != SINCHFN_OK ||
        check_not_negative(svaml, "connectSip", "maxDuration", options->max_duration) != SINCHFN_OK ||
        check_bool(svaml, "connectSip", "suppressCallbacks", options->suppress_callbacks) != SINCHFN_OK ||
        check_call_headers(svaml, "connectSip", options->call_headers, options->call_header_count) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element(svaml->pool, "connectSip");
    sinchfn_node_add(action, "destination", destination_object(svaml->pool, &options->destination));
    sinchfn_node_put_int(action, "maxDuration", options->max_duration);
    sinchfn_node_put_string(action, "cli", options->cli);
    sinchfn_node_put_string(action, "transport", options->transport);
    sinchfn_node_put_bool(action, "suppressCallbacks", options->suppress_callbacks);
    put_call_headers(action, options->call_headers, options->call_header_count);
    sinchfn_node_put_string(action, "moh", options->moh);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- connectStream ---- */

sinchfn_status sinchfn_svaml_connect_stream(sinchfn_svaml *svaml, const sinchfn_connect_stream *options)
{
    sinchfn_node *action, *streaming;

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

    action = sinchfn_svaml_element(svaml->pool, "connectStream");
    sinchfn_node_add(action, "destination", destination_object(svaml->pool, &options->destination));
    streaming = sinchfn_node_new(svaml->pool, json_type_object);
    sinchfn_node_put_int(streaming, "version", options->streaming_options.version);
    sinchfn_node_put_int(streaming, "sampleRate", options->streaming_options.sample_rate);
    sinchfn_node_put_unless_empty(action, "streamingOptions", streaming);
    sinchfn_node_put_int(action, "maxDuration", options->max_duration);
    put_call_headers(action, options->call_headers, options->call_header_count);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- park ---- */

sinchfn_status sinchfn_svaml_park(sinchfn_svaml *svaml, const sinchfn_park *options)
{
    static const sinchfn_park none;
    sinchfn_node *action;

    if (sinchfn_svaml_check(svaml, "park", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        options = &none;
    if (check_not_negative(svaml, "park", "maxDuration", options->max_duration) != SINCHFN_OK)
        return SINCHFN_ERROR;

    action = sinchfn_svaml_element(svaml->pool, "park");
    sinchfn_node_put_string(action, "locale", options->locale);
    sinchfn_node_put_string(action, "introPrompt", options->intro_prompt);
    sinchfn_node_put_string(action, "holdPrompt", options->hold_prompt);
    sinchfn_node_put_int(action, "maxDuration", options->max_duration);
    return sinchfn_svaml_set_action(svaml, action);
}

/* ---- runMenu ---- */

sinchfn_status sinchfn_svaml_run_menu(sinchfn_svaml *svaml, const sinchfn_run_menu *options)
{
    sinchfn_node *action = NULL;
    const char *problem;

    if (sinchfn_svaml_check(svaml, "runMenu", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!options)
        return sinchfn_svaml_reject(svaml, "runMenu needs options with at least one menu");
    if ((problem = sinchfn_run_menu_action(svaml->pool, options, &action)))
        return sinchfn_svaml_reject(svaml, "%s", problem);
    return sinchfn_svaml_set_action(svaml, action);
}
