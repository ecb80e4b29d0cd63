/*
 * event.c: voice callback events. A callback body is a JSON object whose `event` names
 * one of the five callbacks and matches the route it was posted to. The members every
 * handler reads are typed here once, and the whole object stays available.
 */
#include <apr_cstr.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "sinchfn_core.h"

/* The top-level members that the event types, in the order of typed_keys. */
enum {
    TYPED_EVENT,
    TYPED_CALLID,
    TYPED_TIMESTAMP,
    TYPED_TO,
    TYPED_USER_RATE,
    TYPED_DEBIT,
    TYPED_MENU_RESULT,
    TYPED_AMD,
    TYPED_COUNT
};

/* The time, destination, rates, menu result and AMD result are read together on the first
 * call of one of their accessors, since most handlers call none of them. */
struct sinchfn_event {
    const char *name;
    sinchfn_callback callback;
    const sinchfn_json_members *members; /* of the body */
    const sinchfn_request *request;
    const char *callid; /* NULL when absent or not a string */
    const sinchfn_json_member *typed[TYPED_COUNT];
    int typed_read;  /* whether the fields below were read from typed */
    apr_time_t time; /* 0 when `timestamp` is absent or invalid */
    const sinchfn_destination *to;
    const sinchfn_money *user_rate;
    const sinchfn_money *debit;
    const sinchfn_menu_result *menu_result;
    const sinchfn_amd_result *amd;
};

static const char *const callback_names[] = { "ice", "ace", "pie", "dice", "notify" };

sinchfn_callback sinchfn_callback_from_name(const char *name)
{
    apr_size_t i;

    for (i = 0; i < sizeof(callback_names) / sizeof(callback_names[0]); i++) {
        if (!strcmp(name, callback_names[i]))
            return (sinchfn_callback)(SINCHFN_CALLBACK_ICE + i);
    }
    return (sinchfn_callback)0;
}

/* ---- member readers ---- */

static const char *member_string(const sinchfn_json_members *object, const char *name)
{
    return object ? sinchfn_json_member_string(object, name) : NULL;
}

static apr_int64_t member_int(const sinchfn_json_members *object, const char *name, apr_int64_t absent)
{
    const sinchfn_json_member *member;

    if (!object || !(member = sinchfn_json_member_get(object, name)) || member->type != json_type_int)
        return absent;
    return member->integer;
}

/* ---- typed members ---- */

static const sinchfn_destination *read_destination(apr_pool_t *pool, const sinchfn_json_members *object)
{
    sinchfn_destination *destination;

    if (!object)
        return NULL;
    destination = apr_pcalloc(pool, sizeof(*destination));
    destination->type = member_string(object, "type");
    destination->endpoint = member_string(object, "endpoint");
    return destination;
}

static const sinchfn_money *read_money(apr_pool_t *pool, const sinchfn_json_members *object)
{
    sinchfn_money *money;
    const sinchfn_json_member *amount;

    if (!object)
        return NULL;
    money = apr_pcalloc(pool, sizeof(*money));
    money->currency_id = member_string(object, "currencyId");
    if ((amount = sinchfn_json_member_get(object, "amount")) &&
        (amount->type == json_type_double || amount->type == json_type_int))
        money->amount = amount->number;
    return money;
}

static sinchfn_menu_result_type menu_result_kind(const char *type)
{
    static const struct {
        const char *name;
        sinchfn_menu_result_type kind;
    } kinds[] = {
        { "return", SINCHFN_MENU_RESULT_RETURN },
        { "sequence", SINCHFN_MENU_RESULT_SEQUENCE },
        { "timeout", SINCHFN_MENU_RESULT_TIMEOUT },
        { "hangup", SINCHFN_MENU_RESULT_HANGUP },
        { "invalidinput", SINCHFN_MENU_RESULT_INVALID_INPUT },
        { "error", SINCHFN_MENU_RESULT_ERROR },
    };
    apr_size_t i;

    for (i = 0; type && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (!apr_cstr_casecmp(type, kinds[i].name))
            return kinds[i].kind;
    }
    return SINCHFN_MENU_RESULT_OTHER;
}

static const sinchfn_menu_result *read_menu_result(apr_pool_t *pool, const sinchfn_json_members *object)
{
    sinchfn_menu_result *result;

    if (!object)
        return NULL;
    result = apr_pcalloc(pool, sizeof(*result));
    result->type = member_string(object, "type");
    result->kind = menu_result_kind(result->type);
    result->value = member_string(object, "value");
    result->menu_id = member_string(object, "menuId");
    result->input_method = member_string(object, "inputMethod");
    return result;
}

static const sinchfn_amd_result *read_amd(apr_pool_t *pool, const sinchfn_json_members *object)
{
    sinchfn_amd_result *amd;

    if (!object)
        return NULL;
    amd = apr_pcalloc(pool, sizeof(*amd));
    amd->status = member_string(object, "status");
    amd->reason = member_string(object, "reason");
    amd->duration = member_int(object, "duration", -1);
    return amd;
}

/* ---- creation ---- */

static const sinchfn_client_error *reject(apr_pool_t *pool, const char *message)
{
    sinchfn_client_error *error = apr_palloc(pool, sizeof(*error));

    error->status = 400;
    error->message = message;
    return error;
}

static const char *const typed_keys[TYPED_COUNT] = { "event", "callid", "timestamp", "to", "userRate",
                                                     "debit", "menuResult", "amd" };

/* Finds the typed members in one pass over the body. A later duplicate replaces an earlier
 * one, since json-c keeps the last value of a duplicate key. */
static void find_typed_members(const sinchfn_json_members *body, const sinchfn_json_member **found)
{
    int i, j;

    for (j = 0; j < TYPED_COUNT; j++)
        found[j] = NULL;
    for (i = 0; i < body->count; i++) {
        const char *key = body->members[i].key;

        for (j = 0; j < TYPED_COUNT; j++) {
            if (key[0] == typed_keys[j][0] && !strcmp(key, typed_keys[j])) {
                found[j] = &body->members[i];
                break;
            }
        }
    }
}

static const sinchfn_json_members *object_value(const sinchfn_json_member *member)
{
    return member && member->type == json_type_object ? &member->object : NULL;
}

const sinchfn_client_error *sinchfn_event_create(sinchfn_request *request, const char *route,
                                                 sinchfn_event **event)
{
    apr_pool_t *pool = request->pool;
    const sinchfn_json_members *body = &request->json_members;
    const sinchfn_json_member *typed[TYPED_COUNT];
    const char *name;
    sinchfn_callback callback;
    sinchfn_event *created;

    if (request->body_kind != SINCHFN_BODY_JSON || request->json_root != json_type_object)
        return reject(pool, apr_psprintf(pool, "The '%s' callback needs a JSON object body with Content-Type "
                                         "application/json.", route));
    find_typed_members(body, typed);
    if (!(name = sinchfn_json_string_of(typed[TYPED_EVENT])))
        return reject(pool, "The callback body has no 'event' string; Sinch voice callbacks carry one.");
    if (strlen(name) != typed[TYPED_EVENT]->string_length)
        return reject(pool, "The callback 'event' contains a NUL byte; send the event name alone.");
    if (!(callback = sinchfn_callback_from_name(name)))
        return reject(pool, apr_psprintf(pool, "Unknown voice event type '%s'; the event must be ice, ace, pie, "
                                         "dice or notify.", name));
    if (strcmp(name, route))
        return reject(pool, apr_psprintf(pool, "The callback event '%s' does not match the '%s' route; post each "
                                         "event to its own route.", name, route));

    created = apr_pcalloc(pool, sizeof(*created));
    created->name = name;
    created->callback = callback;
    created->members = body;
    created->request = request;
    created->callid = sinchfn_json_string_of(typed[TYPED_CALLID]);
    memcpy(created->typed, typed, sizeof(typed));
    *event = created;
    return NULL;
}

/* ---- accessors ---- */

const char *sinchfn_event_name(const sinchfn_event *event)
{
    return event->name;
}

sinchfn_callback sinchfn_event_callback(const sinchfn_event *event)
{
    return event->callback;
}

json_object *sinchfn_event_json(const sinchfn_event *event)
{
    return sinchfn_request_tree(event->request);
}

const sinchfn_request *sinchfn_event_request(const sinchfn_event *event)
{
    return event->request;
}

const char *sinchfn_event_string(const sinchfn_event *event, const char *name)
{
    return member_string(event->members, name);
}

apr_int64_t sinchfn_event_int(const sinchfn_event *event, const char *name, apr_int64_t absent)
{
    return member_int(event->members, name, absent);
}

#define DEFINE_STRING_MEMBER(function, member)                                              \
    const char *function(const sinchfn_event *event)                                      \
    {                                                                                     \
        return member_string(event->members, member);                                        \
    }

const char *sinchfn_event_callid(const sinchfn_event *event)
{
    return event->callid;
}

DEFINE_STRING_MEMBER(sinchfn_event_call_resource_url, "callResourceUrl")
DEFINE_STRING_MEMBER(sinchfn_event_timestamp, "timestamp")
DEFINE_STRING_MEMBER(sinchfn_event_custom, "custom")
DEFINE_STRING_MEMBER(sinchfn_event_application_key, "applicationKey")
DEFINE_STRING_MEMBER(sinchfn_event_cli, "cli")
DEFINE_STRING_MEMBER(sinchfn_event_domain, "domain")
DEFINE_STRING_MEMBER(sinchfn_event_origination_type, "originationType")
DEFINE_STRING_MEMBER(sinchfn_event_conference_id, "conferenceId")
DEFINE_STRING_MEMBER(sinchfn_event_result, "result")
DEFINE_STRING_MEMBER(sinchfn_event_reason, "reason")
DEFINE_STRING_MEMBER(sinchfn_event_from, "from")
DEFINE_STRING_MEMBER(sinchfn_event_notification_type, "type")
DEFINE_STRING_MEMBER(sinchfn_event_destination, "destination")

/* Returns the event with its typed fields read. No event is a const object: the accessors
 * take const pointers only so that handlers cannot change events. */
static const sinchfn_event *typed_fields(const sinchfn_event *event)
{
    sinchfn_event *fields = (sinchfn_event *)event;
    apr_pool_t *pool = event->request->pool;

    if (event->typed_read)
        return event;
    fields->typed_read = 1;
    if (sinchfn_parse_iso8601(sinchfn_json_string_of(event->typed[TYPED_TIMESTAMP]), &fields->time) != APR_SUCCESS)
        fields->time = 0;
    fields->to = read_destination(pool, object_value(event->typed[TYPED_TO]));
    fields->user_rate = read_money(pool, object_value(event->typed[TYPED_USER_RATE]));
    fields->debit = read_money(pool, object_value(event->typed[TYPED_DEBIT]));
    fields->menu_result = read_menu_result(pool, object_value(event->typed[TYPED_MENU_RESULT]));
    fields->amd = read_amd(pool, object_value(event->typed[TYPED_AMD]));
    return event;
}

apr_time_t sinchfn_event_time(const sinchfn_event *event)
{
    return typed_fields(event)->time;
}

apr_int64_t sinchfn_event_version(const sinchfn_event *event)
{
    return member_int(event->members, "version", -1);
}

apr_int64_t sinchfn_event_duration(const sinchfn_event *event)
{
    return member_int(event->members, "duration", -1);
}

const sinchfn_destination *sinchfn_event_to(const sinchfn_event *event)
{
    return typed_fields(event)->to;
}

const sinchfn_money *sinchfn_event_user_rate(const sinchfn_event *event)
{
    return typed_fields(event)->user_rate;
}

const sinchfn_money *sinchfn_event_debit(const sinchfn_event *event)
{
    return typed_fields(event)->debit;
}

const sinchfn_menu_result *sinchfn_event_menu_result(const sinchfn_event *event)
{
    return typed_fields(event)->menu_result;
}

const sinchfn_amd_result *sinchfn_event_amd(const sinchfn_event *event)
{
    return typed_fields(event)->amd;
}
