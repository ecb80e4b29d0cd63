/*
 * fuzz_svaml.c: drives the SVAML and menu builders with call sequences read from the
 * input and checks that every document the builder serializes is one JSON object that
 * the strict request parser accepts, with an `action` object that has a `name`.
 */
#include "fuzz_common.h"

typedef struct {
    const uint8_t *data;
    size_t size;
    apr_pool_t *pool;
} input;

static unsigned int next_byte(input *in)
{
    unsigned int byte;

    if (in->size == 0)
        return 0;
    byte = in->data[0];
    in->data++;
    in->size--;
    return byte;
}

/* A string of up to 31 input bytes (NUL ends it early); a length byte of 255 gives NULL. */
static const char *next_string(input *in)
{
    unsigned int length = next_byte(in);
    const char *text;

    if (length == 255)
        return NULL;
    length %= 32;
    if (length > in->size)
        length = (unsigned int)in->size;
    text = apr_pstrmemdup(in->pool, (const char *)in->data, length);
    in->data += length;
    in->size -= length;
    return text;
}

static int next_int(input *in)
{
    unsigned int value = next_byte(in);

    value = value << 8 | next_byte(in);
    return (int)(value % 70000) - 5000;
}

static sinchfn_int next_optional_int(input *in)
{
    sinchfn_int value = { 0, 0 };

    if (next_byte(in) & 1) {
        value.set = 1;
        value.value = next_int(in);
    }
    return value;
}

/* Mostly valid values, with an out-of-range one now and then. */
static sinchfn_bool next_bool(input *in)
{
    unsigned int byte = next_byte(in);

    return byte == 255 ? (sinchfn_bool)7 : (sinchfn_bool)(byte % 3);
}

static sinchfn_destination next_destination(input *in)
{
    sinchfn_destination destination;

    destination.type = next_string(in);
    destination.endpoint = next_string(in);
    return destination;
}

static const sinchfn_call_header *next_call_headers(input *in, apr_size_t *count)
{
    sinchfn_call_header *headers;
    apr_size_t i;

    *count = next_byte(in) % 3;
    headers = apr_pcalloc(in->pool, sizeof(*headers) * (*count + 1));
    for (i = 0; i < *count; i++) {
        headers[i].key = next_string(in);
        headers[i].value = next_string(in);
    }
    return headers;
}

static void connect_pstn(input *in, sinchfn_svaml *svaml)
{
    sinchfn_connect_pstn pstn;

    memset(&pstn, 0, sizeof(pstn));
    pstn.number = next_string(in);
    pstn.locale = next_string(in);
    pstn.max_duration = next_optional_int(in);
    pstn.dial_timeout = next_optional_int(in);
    pstn.cli = next_string(in);
    pstn.suppress_callbacks = next_bool(in);
    pstn.dtmf = next_string(in);
    pstn.indications = next_string(in);
    pstn.amd.enabled = next_bool(in);
    pstn.amd.async = next_bool(in);
    sinchfn_svaml_connect_pstn(svaml, &pstn);
}

static void connect_sip(input *in, sinchfn_svaml *svaml)
{
    sinchfn_connect_sip sip;

    memset(&sip, 0, sizeof(sip));
    sip.destination = next_destination(in);
    sip.max_duration = next_optional_int(in);
    sip.cli = next_string(in);
    sip.transport = next_string(in);
    sip.suppress_callbacks = next_bool(in);
    sip.call_headers = next_call_headers(in, &sip.call_header_count);
    sip.moh = next_string(in);
    sinchfn_svaml_connect_sip(svaml, &sip);
}

static void connect_other(input *in, sinchfn_svaml *svaml, unsigned int which)
{
    sinchfn_connect_mxp mxp;
    sinchfn_connect_conf conf;
    sinchfn_connect_stream stream;
    sinchfn_park park;

    switch (which) {
    case 0:
        memset(&mxp, 0, sizeof(mxp));
        mxp.destination = next_destination(in);
        mxp.call_headers = next_call_headers(in, &mxp.call_header_count);
        sinchfn_svaml_connect_mxp(svaml, &mxp);
        break;
    case 1:
        memset(&conf, 0, sizeof(conf));
        conf.conference_id = next_string(in);
        conf.dtmf_options.mode = next_string(in);
        conf.dtmf_options.max_digits = next_optional_int(in);
        conf.dtmf_options.timeout_mills = next_optional_int(in);
        conf.moh = next_string(in);
        sinchfn_svaml_connect_conf(svaml, &conf);
        break;
    case 2:
        memset(&stream, 0, sizeof(stream));
        stream.destination = next_destination(in);
        stream.streaming_options.version = next_optional_int(in);
        stream.streaming_options.sample_rate = next_optional_int(in);
        stream.max_duration = next_optional_int(in);
        stream.call_headers = next_call_headers(in, &stream.call_header_count);
        sinchfn_svaml_connect_stream(svaml, &stream);
        break;
    default:
        memset(&park, 0, sizeof(park));
        park.locale = next_string(in);
        park.intro_prompt = next_string(in);
        park.hold_prompt = next_string(in);
        park.max_duration = next_optional_int(in);
        sinchfn_svaml_park(svaml, &park);
        break;
    }
}

static void run_menu_structs(input *in, sinchfn_svaml *svaml)
{
    sinchfn_run_menu run_menu;
    sinchfn_menu *menus;
    apr_size_t i, j;

    memset(&run_menu, 0, sizeof(run_menu));
    run_menu.barge = next_bool(in);
    run_menu.locale = next_string(in);
    run_menu.main_menu = next_string(in);
    run_menu.enable_voice = next_bool(in);
    run_menu.menu_count = next_byte(in) % 3;
    menus = apr_pcalloc(in->pool, sizeof(*menus) * (run_menu.menu_count + 1));
    for (i = 0; i < run_menu.menu_count; i++) {
        sinchfn_menu_option *options;

        menus[i].id = next_string(in);
        menus[i].main_prompt = next_string(in);
        menus[i].repeat_prompt = next_string(in);
        menus[i].repeats = next_optional_int(in);
        menus[i].max_digits = next_optional_int(in);
        menus[i].timeout_mills = next_optional_int(in);
        menus[i].max_timeout_mills = next_optional_int(in);
        menus[i].option_count = next_byte(in) % 4;
        options = apr_pcalloc(in->pool, sizeof(*options) * (menus[i].option_count + 1));
        for (j = 0; j < menus[i].option_count; j++) {
            options[j].dtmf = next_string(in);
            options[j].action = next_string(in);
        }
        menus[i].options = options;
    }
    run_menu.menus = menus;
    sinchfn_svaml_run_menu(svaml, &run_menu);
}

static sinchfn_menu_builder *menu_template(input *in)
{
    sinchfn_menu_choice choices[3];
    apr_size_t i, count;

    switch (next_byte(in) % 7) {
    case 0:
        return sinchfn_menu_template_business(in->pool, next_string(in));
    case 1:
        return sinchfn_menu_template_yes_no(in->pool, next_string(in));
    case 2:
        count = next_byte(in) % 4;
        for (i = 0; i < count; i++) {
            choices[i].label = next_string(in);
            choices[i].value = next_string(in);
        }
        return sinchfn_menu_template_language(in->pool, choices, count);
    case 3:
        return sinchfn_menu_template_after_hours(in->pool, next_string(in));
    case 4:
        return sinchfn_menu_template_recording_consent(in->pool);
    case 5:
        return sinchfn_menu_template_numeric_input(in->pool, next_string(in), next_int(in) % 30);
    default:
        return sinchfn_menu_builder_create(in->pool);
    }
}

/* Applies up to 16 builder calls to a template or an empty builder, then runs it. */
static void run_menu_builder(input *in, sinchfn_svaml *svaml)
{
    sinchfn_menu_builder *menu = menu_template(in);
    unsigned int calls = next_byte(in) % 16;

    if (!menu)
        return;
    while (calls-- > 0 && in->size > 0) {
        switch (next_byte(in) % 11) {
        case 0: sinchfn_menu_add(menu, next_string(in), next_string(in)); break;
        case 1: sinchfn_menu_repeat_prompt(menu, next_string(in)); break;
        case 2: sinchfn_menu_option_return(menu, next_string(in), next_string(in)); break;
        case 3: sinchfn_menu_option_menu(menu, next_string(in), next_string(in)); break;
        case 4: sinchfn_menu_timeout(menu, next_int(in)); break;
        case 5: sinchfn_menu_max_digits(menu, next_int(in) % 40); break;
        case 6: sinchfn_menu_repeats(menu, next_int(in) % 10); break;
        case 7: sinchfn_menu_barge(menu, (int)next_byte(in) % 3); break;
        case 8: sinchfn_menu_locale(menu, next_string(in)); break;
        case 9: sinchfn_menu_enable_voice(menu, (int)next_byte(in) % 3); break;
        default: sinchfn_menu_main(menu, next_string(in)); break;
        }
    }
    sinchfn_menu_error(menu);
    sinchfn_svaml_menu(svaml, menu);
}

static void apply_call(input *in, sinchfn_svaml *svaml)
{
    const char *ids[4] = { NULL, NULL, NULL, NULL };
    sinchfn_recording_options recording;
    unsigned int i, count;

    switch (next_byte(in) % 18) {
    case 0: sinchfn_svaml_say(svaml, next_string(in), next_string(in)); break;
    case 1:
        count = next_byte(in) % 4;
        for (i = 0; i < count; i++)
            ids[i] = next_string(in);
        sinchfn_svaml_play_files(svaml, ids, next_string(in));
        break;
    case 2: sinchfn_svaml_set_cookie(svaml, next_string(in), next_string(in)); break;
    case 3: sinchfn_svaml_send_dtmf(svaml, next_string(in)); break;
    case 4: sinchfn_svaml_answer(svaml); break;
    case 5:
        memset(&recording, 0, sizeof(recording));
        recording.destination_url = next_string(in);
        recording.credentials = next_string(in);
        recording.format = next_string(in);
        recording.notification_events = next_bool(in);
        recording.transcription.enabled = next_bool(in);
        recording.transcription.locale = next_string(in);
        sinchfn_svaml_start_recording(svaml, next_byte(in) == 255 ? NULL : &recording);
        break;
    case 6: sinchfn_svaml_stop_recording(svaml); break;
    case 7: sinchfn_svaml_hangup(svaml); break;
    case 8: sinchfn_svaml_continue(svaml); break;
    case 9: connect_pstn(in, svaml); break;
    case 10: connect_sip(in, svaml); break;
    case 11: case 12: case 13: case 14: connect_other(in, svaml, next_byte(in) % 4); break;
    case 15: run_menu_structs(in, svaml); break;
    default: run_menu_builder(in, svaml); break;
    }
}

static void check_document(apr_pool_t *pool, sinchfn_svaml *svaml)
{
    const char *text = sinchfn_svaml_serialize(svaml);
    json_object *document, *action, *name;

    if (sinchfn_svaml_error(svaml) || !sinchfn_svaml_has_action(svaml)) {
        FUZZ_ASSERT(text == NULL);
        return;
    }
    FUZZ_ASSERT(text != NULL);
    FUZZ_ASSERT(sinchfn_parse_json(pool, text, strlen(text), &document) == NULL);
    FUZZ_ASSERT(json_object_is_type(document, json_type_object));
    FUZZ_ASSERT(json_object_object_get_ex(document, "action", &action));
    FUZZ_ASSERT(json_object_is_type(action, json_type_object));
    FUZZ_ASSERT(json_object_object_get_ex(action, "name", &name));
    FUZZ_ASSERT(json_object_is_type(name, json_type_string));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const callbacks[] = { "ice", "ace", "pie", "dice", "notify" };
    apr_pool_t *pool = fuzz_pool();
    input in = { data, size, pool };
    sinchfn_svaml *svaml = sinchfn_svaml_create(pool, callbacks[next_byte(&in) % 5]);
    unsigned int calls = 0;

    while (in.size > 0 && calls++ < 64)
        apply_call(&in, svaml);
    check_document(pool, svaml);
    apr_pool_destroy(pool);
    return 0;
}
