/*
 * menu.c: IVR menus of the runMenu action: the checks and JSON of the plain structs, the
 * menu builder that fills them with defaults and text-to-speech prompts, and the menu
 * templates.
 */
#include <apr_strings.h>

#include "svaml_internal.h"

/* ---- runMenu checks ---- */

static const sinchfn_menu *find_menu(const sinchfn_run_menu *options, const char *id)
{
    apr_size_t i;

    for (i = 0; i < options->menu_count; i++) {
        if (options->menus[i].id && !strcmp(options->menus[i].id, id))
            return &options->menus[i];
    }
    return NULL;
}

static const char *check_range(apr_pool_t *pool, const sinchfn_menu *menu, const char *field, sinchfn_int value,
                               apr_int64_t min, apr_int64_t max, const char *unit)
{
    if (!value.set || (value.value >= min && value.value <= max))
        return NULL;
    return apr_psprintf(pool, "runMenu menu '%s': %s %" APR_INT64_T_FMT " is outside %" APR_INT64_T_FMT "-%"
                        APR_INT64_T_FMT "%s", menu->id, field, value.value, min, max, unit);
}

/* Returns the text inside "prefix(...)" of action, or NULL when it has another form. */
static const char *action_argument(apr_pool_t *pool, const char *action, const char *prefix)
{
    apr_size_t prefix_length = strlen(prefix), length = strlen(action);

    if (length < prefix_length + 2 || strncmp(action, prefix, prefix_length) || action[prefix_length] != '(' ||
        action[length - 1] != ')')
        return NULL;
    return apr_pstrndup(pool, action + prefix_length + 1, length - prefix_length - 2);
}

static const char *check_option(apr_pool_t *pool, const sinchfn_run_menu *options, const sinchfn_menu *menu,
                                apr_size_t index)
{
    const sinchfn_menu_option *option = &menu->options[index];
    const char *argument, *invalid;
    apr_size_t i;

    if (!option->dtmf || !*option->dtmf)
        return apr_psprintf(pool, "runMenu menu '%s': option %" APR_SIZE_T_FMT " has no dtmf", menu->id, index);
    if ((invalid = sinchfn_find_invalid_char(option->dtmf, SINCHFN_DTMF_KEY_CHARS)))
        return apr_psprintf(pool, "runMenu menu '%s': option dtmf '%s' has the invalid character '%c'; use 0-9, "
                            "* and #", menu->id, option->dtmf, *invalid);
    for (i = 0; i < index; i++) {
        if (!strcmp(menu->options[i].dtmf, option->dtmf))
            return apr_psprintf(pool, "runMenu menu '%s': option dtmf '%s' is used twice", menu->id, option->dtmf);
    }

    if (!option->action)
        return apr_psprintf(pool, "runMenu menu '%s': option '%s' has no action", menu->id, option->dtmf);
    if ((argument = action_argument(pool, option->action, "return")))
        return *argument ? NULL
                         : apr_psprintf(pool, "runMenu menu '%s': option '%s' returns an empty value", menu->id,
                                        option->dtmf);
    if ((argument = action_argument(pool, option->action, "menu"))) {
        if (find_menu(options, argument))
            return NULL;
        return apr_psprintf(pool, "runMenu menu '%s': option '%s' goes to menu '%s', which is not among the menus",
                            menu->id, option->dtmf, argument);
    }
    return apr_psprintf(pool, "runMenu menu '%s': option '%s' has the action '%s'; use return(value) or menu(id)",
                        menu->id, option->dtmf, option->action);
}

static const char *check_menu(apr_pool_t *pool, const sinchfn_run_menu *options, apr_size_t index)
{
    const sinchfn_menu *menu = &options->menus[index];
    const char *problem;
    apr_size_t i;

    if (!menu->id || !*menu->id)
        return apr_psprintf(pool, "runMenu menu %" APR_SIZE_T_FMT " has no id", index);
    if (find_menu(options, menu->id) != menu)
        return apr_psprintf(pool, "runMenu menu id '%s' is used twice", menu->id);
    if ((problem = check_range(pool, menu, "repeats", menu->repeats, 0, SINCHFN_MENU_REPEATS_MAX, "")) ||
        (problem = check_range(pool, menu, "maxDigits", menu->max_digits, 1, SINCHFN_MENU_MAX_DIGITS_MAX, "")) ||
        (problem = check_range(pool, menu, "timeoutMills", menu->timeout_mills, SINCHFN_MENU_TIMEOUT_MIN,
                               SINCHFN_MENU_TIMEOUT_MAX, " ms")) ||
        /* NOTE: the Sinch Node SDK reference gives no range for maxTimeoutMills, so it shares
         * timeoutMills's range. */
        (problem = check_range(pool, menu, "maxTimeoutMills", menu->max_timeout_mills, SINCHFN_MENU_TIMEOUT_MIN,
                               SINCHFN_MENU_TIMEOUT_MAX, " ms")))
        return problem;
    if (menu->option_count > 0 && !menu->options)
        return apr_psprintf(pool, "runMenu menu '%s' has option_count %" APR_SIZE_T_FMT " but no options", menu->id,
                            menu->option_count);
    for (i = 0; i < menu->option_count; i++) {
        if ((problem = check_option(pool, options, menu, i)))
            return problem;
    }
    return NULL;
}

static const char *check_run_menu(apr_pool_t *pool, const sinchfn_run_menu *options)
{
    const char *start = options->main_menu ? options->main_menu : "main";
    const char *problem;
    apr_size_t i;

    if (options->menu_count == 0 || !options->menus)
        return "runMenu needs at least one menu";
    if (!sinchfn_bool_valid(options->barge) || !sinchfn_bool_valid(options->enable_voice))
        return "runMenu barge or enableVoice is not SINCHFN_UNSET, SINCHFN_FALSE or SINCHFN_TRUE";
    for (i = 0; i < options->menu_count; i++) {
        if ((problem = check_menu(pool, options, i)))
            return problem;
    }
    if (!find_menu(options, start))
        return apr_psprintf(pool, "runMenu starts at the menu '%s', which is not among the menus%s", start,
                            options->main_menu ? "" : "; name one menu \"main\" or set main_menu");
    return NULL;
}

/* ---- runMenu JSON ---- */

static sinchfn_node *menu_object(apr_pool_t *pool, const sinchfn_menu *menu)
{
    sinchfn_node *object = sinchfn_node_new(pool, json_type_object);
    apr_size_t i;

    sinchfn_node_add(object, "id", sinchfn_node_string(object->pool, menu->id));
    sinchfn_node_put_string(object, "mainPrompt", menu->main_prompt);
    sinchfn_node_put_string(object, "repeatPrompt", menu->repeat_prompt);
    sinchfn_node_put_int(object, "repeats", menu->repeats);
    sinchfn_node_put_int(object, "maxDigits", menu->max_digits);
    sinchfn_node_put_int(object, "timeoutMills", menu->timeout_mills);
    sinchfn_node_put_int(object, "maxTimeoutMills", menu->max_timeout_mills);
    if (menu->option_count > 0) {
        sinchfn_node *list = sinchfn_node_new(pool, json_type_array);

        for (i = 0; i < menu->option_count; i++) {
            sinchfn_node *option = sinchfn_node_new(pool, json_type_object);

            sinchfn_node_add(option, "dtmf", sinchfn_node_string(option->pool, menu->options[i].dtmf));
            sinchfn_node_add(option, "action", sinchfn_node_string(option->pool, menu->options[i].action));
            sinchfn_node_add(list, NULL, option);
        }
        sinchfn_node_add(object, "options", list);
    }
    return object;
}

const char *sinchfn_run_menu_action(apr_pool_t *pool, const sinchfn_run_menu *options, sinchfn_node **action)
{
    const char *problem;
    sinchfn_node *menus;
    apr_size_t i;

    if ((problem = check_run_menu(pool, options)))
        return problem;

    *action = sinchfn_svaml_element(pool, "runMenu");
    sinchfn_node_put_bool(*action, "barge", options->barge);
    sinchfn_node_put_string(*action, "locale", options->locale);
    sinchfn_node_put_string(*action, "mainMenu", options->main_menu);
    sinchfn_node_put_bool(*action, "enableVoice", options->enable_voice);
    menus = sinchfn_node_new(pool, json_type_array);
    for (i = 0; i < options->menu_count; i++)
        sinchfn_node_add(menus, NULL, menu_object(pool, &options->menus[i]));
    sinchfn_node_add(*action, "menus", menus);
    return NULL;
}

/* ---- the menu builder ---- */

typedef struct {
    sinchfn_menu menu;
    apr_array_header_t *options; /* of sinchfn_menu_option */
} builder_menu;

struct sinchfn_menu_builder {
    apr_pool_t *pool;
    sinchfn_run_menu run_menu;
    apr_array_header_t *menus; /* of builder_menu */
    const char *error;         /* the first error */
};

sinchfn_menu_builder *sinchfn_menu_builder_create(apr_pool_t *pool)
{
    sinchfn_menu_builder *builder = apr_pcalloc(pool, sizeof(*builder));

    builder->pool = pool;
    builder->menus = apr_array_make(pool, 2, sizeof(builder_menu));
    return builder;
}

static sinchfn_status builder_fail(sinchfn_menu_builder *builder, const char *fmt, ...) SINCHFN_PRINTF(2, 3);

static sinchfn_status builder_fail(sinchfn_menu_builder *builder, const char *fmt, ...)
{
    va_list ap;

    if (!builder->error) {
        va_start(ap, fmt);
        builder->error = apr_pvsprintf(builder->pool, fmt, ap);
        va_end(ap);
    }
    return SINCHFN_ERROR;
}

/* The menu the per-menu setters apply to: the one added last. */
static builder_menu *current_menu(sinchfn_menu_builder *builder, const char *setter)
{
    if (builder->menus->nelts == 0) {
        builder_fail(builder, "%s needs a menu; add one with sinchfn_menu_add first", setter);
        return NULL;
    }
    return &APR_ARRAY_IDX(builder->menus, builder->menus->nelts - 1, builder_menu);
}

/* Returns the prompt as Sinch plays it: prompts already written as a #tts[], #ssml[] or
 * #href[] element, a URL or a recorded prompt pass through, plain text becomes #tts[text]. */
static const char *prompt_text(sinchfn_menu_builder *builder, const char *prompt)
{
    static const char *const passed_through[] = { "#tts[", "#ssml[", "#href[", "http://", "https://", "[" };
    apr_size_t i;

    if (!prompt || !*prompt) {
        builder_fail(builder, "a menu prompt is empty");
        return NULL;
    }
    for (i = 0; i < sizeof(passed_through) / sizeof(passed_through[0]); i++) {
        if (!strncmp(prompt, passed_through[i], strlen(passed_through[i])))
            return prompt;
    }
    if (strpbrk(prompt, "[]")) {
        builder_fail(builder, "the menu prompt '%s' is plain text with a '[' or ']', which would break its #tts[] "
                     "element; write it as #ssml[...] instead", prompt);
        return NULL;
    }
    return apr_pstrcat(builder->pool, "#tts[", prompt, "]", NULL);
}

sinchfn_status sinchfn_menu_add(sinchfn_menu_builder *builder, const char *id, const char *prompt)
{
    builder_menu *added;
    const char *text;
    int i;

    if (!id || !*id)
        return builder_fail(builder, "sinchfn_menu_add needs a menu id");
    for (i = 0; i < builder->menus->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(builder->menus, i, builder_menu).menu.id, id))
            return builder_fail(builder, "the menu id '%s' is used twice", id);
    }
    if (!(text = prompt_text(builder, prompt)))
        return SINCHFN_ERROR;

    added = apr_array_push(builder->menus);
    memset(added, 0, sizeof(*added));
    added->menu.id = apr_pstrdup(builder->pool, id);
    added->menu.main_prompt = text;
    added->menu.timeout_mills = SINCHFN_INT(SINCHFN_MENU_DEFAULT_TIMEOUT);
    added->menu.max_digits = SINCHFN_INT(SINCHFN_MENU_DEFAULT_MAX_DIGITS);
    added->menu.repeats = SINCHFN_INT(SINCHFN_MENU_DEFAULT_REPEATS);
    added->options = apr_array_make(builder->pool, 4, sizeof(sinchfn_menu_option));
    return SINCHFN_OK;
}

sinchfn_status sinchfn_menu_repeat_prompt(sinchfn_menu_builder *builder, const char *prompt)
{
    builder_menu *menu = current_menu(builder, "sinchfn_menu_repeat_prompt");
    const char *text;

    if (!menu || !(text = prompt_text(builder, prompt)))
        return SINCHFN_ERROR;
    menu->menu.repeat_prompt = text;
    return SINCHFN_OK;
}

static sinchfn_status add_option(sinchfn_menu_builder *builder, const char *setter, const char *dtmf,
                                 const char *kind, const char *argument)
{
    builder_menu *menu = current_menu(builder, setter);
    sinchfn_menu_option *option;

    if (!menu)
        return SINCHFN_ERROR;
    if (!dtmf || !*dtmf)
        return builder_fail(builder, "%s needs the dtmf input of the option", setter);
    if (!argument || !*argument || strchr(argument, ')'))
        return builder_fail(builder, "%s for dtmf '%s' needs a %s without ')'", setter, dtmf,
                            !strcmp(kind, "menu") ? "menu id" : "return value");

    option = apr_array_push(menu->options);
    option->dtmf = apr_pstrdup(builder->pool, dtmf);
    option->action = apr_pstrcat(builder->pool, kind, "(", argument, ")", NULL);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_menu_option_return(sinchfn_menu_builder *builder, const char *dtmf, const char *value)
{
    return add_option(builder, "sinchfn_menu_option_return", dtmf, "return", value);
}

sinchfn_status sinchfn_menu_option_menu(sinchfn_menu_builder *builder, const char *dtmf, const char *menu_id)
{
    return add_option(builder, "sinchfn_menu_option_menu", dtmf, "menu", menu_id);
}

static sinchfn_status set_in_range(sinchfn_menu_builder *builder, const char *setter, sinchfn_int *field, int value,
                                   int min, int max)
{
    if (value < min || value > max)
        return builder_fail(builder, "%s: %d is outside %d-%d", setter, value, min, max);
    *field = SINCHFN_INT(value);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_menu_timeout(sinchfn_menu_builder *builder, int milliseconds)
{
    builder_menu *menu = current_menu(builder, "sinchfn_menu_timeout");

    if (!menu)
        return SINCHFN_ERROR;
    return set_in_range(builder, "sinchfn_menu_timeout (milliseconds)", &menu->menu.timeout_mills, milliseconds,
                        SINCHFN_MENU_TIMEOUT_MIN, SINCHFN_MENU_TIMEOUT_MAX);
}

sinchfn_status sinchfn_menu_max_digits(sinchfn_menu_builder *builder, int digits)
{
    builder_menu *menu = current_menu(builder, "sinchfn_menu_max_digits");

    if (!menu)
        return SINCHFN_ERROR;
    return set_in_range(builder, "sinchfn_menu_max_digits", &menu->menu.max_digits, digits, 1,
                        SINCHFN_MENU_MAX_DIGITS_MAX);
}

sinchfn_status sinchfn_menu_repeats(sinchfn_menu_builder *builder, int repeats)
{
    builder_menu *menu = current_menu(builder, "sinchfn_menu_repeats");

    if (!menu)
        return SINCHFN_ERROR;
    return set_in_range(builder, "sinchfn_menu_repeats", &menu->menu.repeats, repeats, 0, SINCHFN_MENU_REPEATS_MAX);
}

sinchfn_status sinchfn_menu_barge(sinchfn_menu_builder *builder, int barge)
{
    builder->run_menu.barge = barge ? SINCHFN_TRUE : SINCHFN_FALSE;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_menu_locale(sinchfn_menu_builder *builder, const char *locale)
{
    if (!locale || !*locale)
        return builder_fail(builder, "sinchfn_menu_locale needs a locale such as en-US");
    builder->run_menu.locale = apr_pstrdup(builder->pool, locale);
    return SINCHFN_OK;
}

sinchfn_status sinchfn_menu_enable_voice(sinchfn_menu_builder *builder, int enable)
{
    builder->run_menu.enable_voice = enable ? SINCHFN_TRUE : SINCHFN_FALSE;
    return SINCHFN_OK;
}

sinchfn_status sinchfn_menu_main(sinchfn_menu_builder *builder, const char *menu_id)
{
    if (!menu_id || !*menu_id)
        return builder_fail(builder, "sinchfn_menu_main needs a menu id");
    builder->run_menu.main_menu = apr_pstrdup(builder->pool, menu_id);
    return SINCHFN_OK;
}

const char *sinchfn_menu_error(const sinchfn_menu_builder *builder)
{
    return builder->error;
}

const sinchfn_run_menu *sinchfn_menu_build(sinchfn_menu_builder *builder)
{
    sinchfn_menu *menus;
    const char *problem;
    int i;

    if (builder->error)
        return NULL;

    menus = apr_pcalloc(builder->pool, sizeof(*menus) * (apr_size_t)(builder->menus->nelts + 1));
    for (i = 0; i < builder->menus->nelts; i++) {
        builder_menu *menu = &APR_ARRAY_IDX(builder->menus, i, builder_menu);

        menus[i] = menu->menu;
        menus[i].options = (const sinchfn_menu_option *)menu->options->elts;
        menus[i].option_count = (apr_size_t)menu->options->nelts;
    }
    builder->run_menu.menus = menus;
    builder->run_menu.menu_count = (apr_size_t)builder->menus->nelts;

    if ((problem = check_run_menu(builder->pool, &builder->run_menu))) {
        builder_fail(builder, "%s", problem);
        return NULL;
    }
    return &builder->run_menu;
}

sinchfn_status sinchfn_svaml_menu(sinchfn_svaml *svaml, sinchfn_menu_builder *builder)
{
    const sinchfn_run_menu *options;

    if (sinchfn_svaml_check(svaml, "runMenu", 1) != SINCHFN_OK)
        return SINCHFN_ERROR;
    if (!builder)
        return sinchfn_svaml_reject(svaml, "sinchfn_svaml_menu needs a menu builder");
    if (!(options = sinchfn_menu_build(builder)))
        return sinchfn_svaml_reject(svaml, "menu builder: %s", builder->error);
    return sinchfn_svaml_run_menu(svaml, options);
}

/* ---- templates ---- */

/* Adds the one menu "main" of a template, with its repeat prompt when given. */
static sinchfn_menu_builder *template_menu(apr_pool_t *pool, const char *prompt, const char *repeat_prompt)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(pool);

    if (sinchfn_menu_add(builder, "main", prompt) == SINCHFN_OK && repeat_prompt)
        sinchfn_menu_repeat_prompt(builder, repeat_prompt);
    return builder;
}

static const char *greeting(apr_pool_t *pool, const char *company)
{
    if (!company || !*company)
        return "Thank you for calling.";
    return apr_psprintf(pool, "Thank you for calling %s.", company);
}

sinchfn_menu_builder *sinchfn_menu_template_business(apr_pool_t *pool, const char *company)
{
    static const char choices[] = "Press 1 for sales, 2 for support, or 0 for an operator.";
    sinchfn_menu_builder *builder = template_menu(pool, apr_pstrcat(pool, greeting(pool, company), " ", choices, NULL),
                                                  choices);

    sinchfn_menu_option_return(builder, "1", "sales");
    sinchfn_menu_option_return(builder, "2", "support");
    sinchfn_menu_option_return(builder, "0", "operator");
    return builder;
}

sinchfn_menu_builder *sinchfn_menu_template_yes_no(apr_pool_t *pool, const char *question)
{
    static const char choices[] = "Press 1 for yes or 2 for no.";
    sinchfn_menu_builder *builder;

    if (!question || !*question) {
        builder = sinchfn_menu_builder_create(pool);
        builder_fail(builder, "the yes/no menu template needs a question");
        return builder;
    }
    builder = template_menu(pool, apr_pstrcat(pool, question, " ", choices, NULL), choices);
    sinchfn_menu_option_return(builder, "1", "yes");
    sinchfn_menu_option_return(builder, "2", "no");
    return builder;
}

sinchfn_menu_builder *sinchfn_menu_template_language(apr_pool_t *pool, const sinchfn_menu_choice *languages,
                                                     apr_size_t count)
{
    sinchfn_menu_builder *builder;
    const char *prompt = NULL;
    apr_size_t i;

    if (!languages || count < 1 || count > 9) {
        builder = sinchfn_menu_builder_create(pool);
        builder_fail(builder, "the language menu template needs 1 to 9 languages, not %" APR_SIZE_T_FMT, count);
        return builder;
    }
    for (i = 0; i < count; i++) {
        const char *label = languages[i].label ? languages[i].label : "";
        const char *sentence = apr_psprintf(pool, "For %s, press %" APR_SIZE_T_FMT ".", label, i + 1);

        prompt = prompt ? apr_pstrcat(pool, prompt, " ", sentence, NULL) : sentence;
    }

    builder = template_menu(pool, prompt, prompt);
    for (i = 0; i < count; i++) {
        if (!languages[i].label || !*languages[i].label) {
            builder_fail(builder, "language %" APR_SIZE_T_FMT " of the language menu template has no label", i + 1);
            break;
        }
        sinchfn_menu_option_return(builder, apr_psprintf(pool, "%" APR_SIZE_T_FMT, i + 1), languages[i].value);
    }
    return builder;
}

sinchfn_menu_builder *sinchfn_menu_template_after_hours(apr_pool_t *pool, const char *company)
{
    static const char choices[] = "Press 1 to leave a message, or 2 to request a call back.";
    sinchfn_menu_builder *builder =
        template_menu(pool, apr_pstrcat(pool, greeting(pool, company), " We are closed right now. ", choices, NULL),
                      choices);

    sinchfn_menu_option_return(builder, "1", "voicemail");
    sinchfn_menu_option_return(builder, "2", "callback");
    return builder;
}

sinchfn_menu_builder *sinchfn_menu_template_recording_consent(apr_pool_t *pool)
{
    static const char choices[] = "Press 1 to accept or 2 to decline.";
    sinchfn_menu_builder *builder =
        template_menu(pool, "This call may be recorded for quality and training purposes. Press 1 to accept or 2 "
                      "to decline.", choices);

    sinchfn_menu_option_return(builder, "1", "accept");
    sinchfn_menu_option_return(builder, "2", "decline");
    return builder;
}

sinchfn_menu_builder *sinchfn_menu_template_numeric_input(apr_pool_t *pool, const char *prompt, int digits)
{
    sinchfn_menu_builder *builder = template_menu(pool, prompt, prompt);

    sinchfn_menu_max_digits(builder, digits);
    return builder;
}
