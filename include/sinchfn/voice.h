/*
 * sinchfn/voice.h: voice callback events and the SVAML builders. Included by sinchfn.h;
 * do not include it on its own.
 *
 * Field names in comments are spelled as Sinch sends and expects them (`callid` in lower
 * case, `callHeaders`). Option structs follow one rule: a NULL pointer, SINCHFN_UNSET or an
 * sinchfn_int without SINCHFN_INT() leaves the field out of the SVAML, so `false` and `0`
 * are sent only when set. Zero-initialize them (`= {0}` or designated initializers).
 */
#ifndef SINCHFN_VOICE_H
#define SINCHFN_VOICE_H

#ifndef SINCHFN_H
#error "include <sinchfn.h>, which includes sinchfn/voice.h"
#endif

#include <apr_time.h>

/* ---- shared value types ------------------------------------------------------------ */

/* The five voice callbacks. */
typedef enum {
    SINCHFN_CALLBACK_ICE = 1, /* Incoming Call Event: answered with SVAML */
    SINCHFN_CALLBACK_ACE,     /* Answered Call Event: answered with SVAML */
    SINCHFN_CALLBACK_PIE,     /* Prompt Input Event: answered with SVAML */
    SINCHFN_CALLBACK_DICE,    /* Disconnected Call Event: answered with an empty 200 */
    SINCHFN_CALLBACK_NOTIFY   /* Notify Event: answered with an empty 200 */
} sinchfn_callback;

/* An optional boolean: SINCHFN_UNSET (the zero value) leaves the field out. */
typedef enum {
    SINCHFN_UNSET = 0,
    SINCHFN_FALSE = 1,
    SINCHFN_TRUE = 2
} sinchfn_bool;

/* An optional integer: `set` is 0 (the zero value) to leave the field out. */
typedef struct {
    int set;
    apr_int64_t value;
} sinchfn_int;

/* A set sinchfn_int, e.g. `.max_duration = SINCHFN_INT(3600)`. */
#define SINCHFN_INT(v) ((sinchfn_int){ 1, (apr_int64_t)(v) })

/* A call endpoint: a callback's `to`, or the `destination` of connectMxp, connectSip and
 * connectStream. Sinch sends `type` in varying case (`number`, `Number`, `did`). */
typedef struct {
    const char *type;
    const char *endpoint;
} sinchfn_destination;

/* ---- callback events --------------------------------------------------------------- */

/* An amount of money: `userRate` and `debit`. */
typedef struct {
    const char *currency_id; /* `currencyId`; NULL when absent */
    double amount;           /* `amount`; 0 when absent */
} sinchfn_money;

/* The `type` of a PIE's menuResult, matched case-insensitively. */
typedef enum {
    SINCHFN_MENU_RESULT_OTHER = 0, /* a type not listed here; read `type` */
    SINCHFN_MENU_RESULT_RETURN,    /* an option with action return(value) was chosen */
    SINCHFN_MENU_RESULT_SEQUENCE,  /* digits were collected; `value` contains them */
    SINCHFN_MENU_RESULT_TIMEOUT,
    SINCHFN_MENU_RESULT_HANGUP,
    SINCHFN_MENU_RESULT_INVALID_INPUT,
    SINCHFN_MENU_RESULT_ERROR
} sinchfn_menu_result_type;

/* The `menuResult` object of a PIE. String members are NULL when absent. */
typedef struct {
    sinchfn_menu_result_type kind;
    const char *type;         /* as sent: "return", "sequence", ... */
    const char *value;        /* the return(value) or the digits */
    const char *menu_id;      /* `menuId` */
    const char *input_method; /* `inputMethod`: "dtmf" or "voice" */
} sinchfn_menu_result;

/* The `amd` object (answering machine detection) of an ACE or notify. */
typedef struct {
    const char *status;   /* e.g. "human", "machine", "notsure", "hangup" */
    const char *reason;   /* e.g. "longgreeting", "initialsilence" */
    apr_int64_t duration; /* -1 when absent */
} sinchfn_amd_result;

/* The `event` field: "ice", "ace", "pie", "dice" or "notify". */
SINCHFN_API const char *sinchfn_event_name(const sinchfn_event *event);
SINCHFN_API sinchfn_callback sinchfn_event_callback(const sinchfn_event *event);
/* The whole callback body. The event owns the value. */
SINCHFN_API json_object *sinchfn_event_json(const sinchfn_event *event);
/* The HTTP request that carried the callback. */
SINCHFN_API const sinchfn_request *sinchfn_event_request(const sinchfn_event *event);

/* A string member of the callback body; NULL when absent or not a string. */
SINCHFN_API const char *sinchfn_event_string(const sinchfn_event *event, const char *name);
/* An integer member of the callback body, or `absent` when it is missing or not an
 * integer. */
SINCHFN_API apr_int64_t sinchfn_event_int(const sinchfn_event *event, const char *name, apr_int64_t absent);

/* Typed members common to the callbacks. Strings are NULL and integers -1 when absent;
 * pointers to structs are NULL when the member is absent or not an object. */
SINCHFN_API const char *sinchfn_event_callid(const sinchfn_event *event);           /* `callid` */
SINCHFN_API const char *sinchfn_event_call_resource_url(const sinchfn_event *event); /* `callResourceUrl` */
SINCHFN_API const char *sinchfn_event_timestamp(const sinchfn_event *event);        /* `timestamp`, as sent */
/* `timestamp` as an APR time (ISO 8601, UTC or with an offset, fractions of a second
 * kept to the microsecond); 0 when absent or not a valid timestamp. */
SINCHFN_API apr_time_t sinchfn_event_time(const sinchfn_event *event);
SINCHFN_API apr_int64_t sinchfn_event_version(const sinchfn_event *event);          /* `version` */
SINCHFN_API const char *sinchfn_event_custom(const sinchfn_event *event);           /* `custom` */
SINCHFN_API const char *sinchfn_event_application_key(const sinchfn_event *event);  /* `applicationKey` */
SINCHFN_API const char *sinchfn_event_cli(const sinchfn_event *event);              /* `cli`: the caller */
SINCHFN_API const sinchfn_destination *sinchfn_event_to(const sinchfn_event *event); /* `to` */
SINCHFN_API const char *sinchfn_event_domain(const sinchfn_event *event);           /* `domain`: "pstn", "mxp" */
SINCHFN_API const char *sinchfn_event_origination_type(const sinchfn_event *event); /* `originationType` */
SINCHFN_API const char *sinchfn_event_conference_id(const sinchfn_event *event);    /* `conferenceId` */
SINCHFN_API const sinchfn_money *sinchfn_event_user_rate(const sinchfn_event *event); /* `userRate` */

/* PIE: the `menuResult` object. */
SINCHFN_API const sinchfn_menu_result *sinchfn_event_menu_result(const sinchfn_event *event);

/* DICE: `result` (e.g. "ANSWERED"), `reason` (e.g. "MANAGERHANGUP"), `duration` in
 * seconds, `from` and `debit`. */
SINCHFN_API const char *sinchfn_event_result(const sinchfn_event *event);
SINCHFN_API const char *sinchfn_event_reason(const sinchfn_event *event);
SINCHFN_API apr_int64_t sinchfn_event_duration(const sinchfn_event *event);
SINCHFN_API const char *sinchfn_event_from(const sinchfn_event *event);
SINCHFN_API const sinchfn_money *sinchfn_event_debit(const sinchfn_event *event);

/* ACE and notify: the `amd` object. */
SINCHFN_API const sinchfn_amd_result *sinchfn_event_amd(const sinchfn_event *event);

/* notify: `type` ("recording_finished", "recording_available",
 * "transcription_available", ...) and `destination`, where the recording or
 * transcription was stored. */
SINCHFN_API const char *sinchfn_event_notification_type(const sinchfn_event *event);
SINCHFN_API const char *sinchfn_event_destination(const sinchfn_event *event);

/* ---- SVAML builders ------------------------------------------------------------------ */

/*
 * A voice handler fills the builder it receives, made for its callback. A builder made
 * with sinchfn_svaml_create_ice/_ace/_pie builds SVAML for other uses, such as the
 * body of a custom callout.
 *
 * Every call returns SINCHFN_ERROR when the callback kind does not accept the action or
 * instruction (see docs/api.md for the sets), when an action is already set, or when an
 * argument is invalid. The first error is kept in sinchfn_svaml_error(), and a voice
 * handler whose builder has an error answers with the fallback SVAML instead of its own
 * (SinchVoiceFallback). Instructions keep their order; the one action is written first.
 */

SINCHFN_API sinchfn_svaml *sinchfn_svaml_create_ice(apr_pool_t *pool);
SINCHFN_API sinchfn_svaml *sinchfn_svaml_create_ace(apr_pool_t *pool);
SINCHFN_API sinchfn_svaml *sinchfn_svaml_create_pie(apr_pool_t *pool);
/* The first builder error, or NULL. */
SINCHFN_API const char *sinchfn_svaml_error(const sinchfn_svaml *svaml);
/* The SVAML as JSON text, `action` first and `instructions` only when there are any, in
 * the builder's pool. NULL when the builder has an error or no action. */
SINCHFN_API const char *sinchfn_svaml_serialize(sinchfn_svaml *svaml);

/* ---- instructions ---- */

/* `transcriptionOptions` of startRecording: transcribe the recording. */
typedef struct {
    sinchfn_bool enabled;
    const char *locale;
} sinchfn_transcription_options;

/* `options` of startRecording. */
typedef struct {
    const char *destination_url; /* `destinationUrl`, e.g. "azure://account/container/file.mp3" */
    const char *credentials;
    const char *format;          /* e.g. "mp3", "wav" */
    sinchfn_bool notification_events; /* `notificationEvents`: send notify callbacks */
    sinchfn_transcription_options transcription; /* sent when either member is set */
} sinchfn_recording_options;

/* say: text to speech. locale may be NULL (a language code or a voice name, e.g. "Ivy"). */
SINCHFN_API sinchfn_status sinchfn_svaml_say(sinchfn_svaml *svaml, const char *text, const char *locale);
/* playFiles: ids is a NULL-terminated array of at least one prompt (a URL, "#tts[...]",
 * "#ssml[...]" or a recorded prompt such as "[Welcome]"). locale may be NULL. */
SINCHFN_API sinchfn_status sinchfn_svaml_play_files(sinchfn_svaml *svaml, const char *const *ids, const char *locale);
/* setCookie: a value Sinch sends back in later callbacks of the call. */
SINCHFN_API sinchfn_status sinchfn_svaml_set_cookie(sinchfn_svaml *svaml, const char *key, const char *value);
/* sendDtmf: digits 0-9, '*', '#' and 'w' (a 500 ms pause). */
SINCHFN_API sinchfn_status sinchfn_svaml_send_dtmf(sinchfn_svaml *svaml, const char *value);
SINCHFN_API sinchfn_status sinchfn_svaml_answer(sinchfn_svaml *svaml);
/* startRecording; options may be NULL for Sinch's defaults. */
SINCHFN_API sinchfn_status sinchfn_svaml_start_recording(sinchfn_svaml *svaml, const sinchfn_recording_options *options);
SINCHFN_API sinchfn_status sinchfn_svaml_stop_recording(sinchfn_svaml *svaml);

/* ---- actions ---- */

/* One `callHeaders` entry. */
typedef struct {
    const char *key;
    const char *value;
} sinchfn_call_header;

/* `amd` of connectPstn: answering machine detection; sent when either member is set. */
typedef struct {
    sinchfn_bool enabled;
    sinchfn_bool async;
} sinchfn_amd_options;

typedef struct {
    const char *number;        /* E.164; NULL connects the number the caller dialed */
    const char *locale;
    sinchfn_int max_duration;  /* `maxDuration`, seconds */
    sinchfn_int dial_timeout;  /* `dialTimeout`, seconds */
    const char *cli;           /* caller id shown to the callee, or "private" */
    sinchfn_bool suppress_callbacks; /* `suppressCallbacks` */
    const char *dtmf;          /* digits sent when the callee answers, as for sendDtmf */
    const char *indications;   /* ring tone country, e.g. "se" */
    sinchfn_amd_options amd;
} sinchfn_connect_pstn;

typedef struct {
    sinchfn_destination destination; /* required; type "username" */
    const sinchfn_call_header *call_headers; /* `callHeaders` */
    apr_size_t call_header_count;
} sinchfn_connect_mxp;

/* `conferenceDtmfOptions` of connectConf; sent when any member is set. */
typedef struct {
    const char *mode;          /* "detect" or "forward" */
    sinchfn_int max_digits;    /* `maxDigits` */
    sinchfn_int timeout_mills; /* `timeoutMills`, milliseconds */
} sinchfn_conference_dtmf_options;

typedef struct {
    const char *conference_id; /* `conferenceId`, required */
    sinchfn_conference_dtmf_options dtmf_options;
    const char *moh;           /* music on hold: "music1", "music2", "music3" */
} sinchfn_connect_conf;

typedef struct {
    sinchfn_destination destination; /* required; type "Sip", endpoint "user@host" */
    sinchfn_int max_duration;  /* `maxDuration`, seconds */
    const char *cli;
    const char *transport;     /* "udp", "tcp" or "tls" */
    sinchfn_bool suppress_callbacks;
    const sinchfn_call_header *call_headers;
    apr_size_t call_header_count;
    const char *moh;
} sinchfn_connect_sip;

/* `streamingOptions` of connectStream; sent when either member is set. */
typedef struct {
    sinchfn_int version;
    sinchfn_int sample_rate; /* `sampleRate`, Hz */
} sinchfn_streaming_options;

typedef struct {
    sinchfn_destination destination; /* required; type "Websocket", endpoint "wss://..." */
    sinchfn_streaming_options streaming_options;
    sinchfn_int max_duration;
    const sinchfn_call_header *call_headers;
    apr_size_t call_header_count;
} sinchfn_connect_stream;

typedef struct {
    const char *locale;
    const char *intro_prompt; /* `introPrompt` */
    const char *hold_prompt;  /* `holdPrompt` */
    sinchfn_int max_duration; /* seconds */
} sinchfn_park;

SINCHFN_API sinchfn_status sinchfn_svaml_hangup(sinchfn_svaml *svaml);
SINCHFN_API sinchfn_status sinchfn_svaml_continue(sinchfn_svaml *svaml);
SINCHFN_API sinchfn_status sinchfn_svaml_connect_pstn(sinchfn_svaml *svaml, const sinchfn_connect_pstn *options);
SINCHFN_API sinchfn_status sinchfn_svaml_connect_mxp(sinchfn_svaml *svaml, const sinchfn_connect_mxp *options);
SINCHFN_API sinchfn_status sinchfn_svaml_connect_conf(sinchfn_svaml *svaml, const sinchfn_connect_conf *options);
SINCHFN_API sinchfn_status sinchfn_svaml_connect_sip(sinchfn_svaml *svaml, const sinchfn_connect_sip *options);
SINCHFN_API sinchfn_status sinchfn_svaml_connect_stream(sinchfn_svaml *svaml, const sinchfn_connect_stream *options);
/* park; options may be NULL, which sends {"name":"park"}. */
SINCHFN_API sinchfn_status sinchfn_svaml_park(sinchfn_svaml *svaml, const sinchfn_park *options);

#endif /* SINCHFN_VOICE_H */
