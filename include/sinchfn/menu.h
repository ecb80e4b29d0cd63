/*
 * sinchfn/menu.h: IVR menus for the runMenu action, as plain structs and through a menu
 * builder with templates. Included by sinchfn.h; do not include it on its own.
 *
 * Ranges are checked when the action is set, and a value outside its range makes the
 * builder call return SINCHFN_ERROR: timeoutMills and maxTimeoutMills 1000-30000 ms,
 * maxDigits 1-20, repeats 0-5. Menu ids are unique, one menu is the start menu (`mainMenu`,
 * else the menu "main"), and every menu(id) option names a menu of the same action.
 */
#ifndef SINCHFN_MENU_H
#define SINCHFN_MENU_H

#ifndef SINCHFN_H
#error "include <sinchfn.h>, which includes sinchfn/menu.h"
#endif

#define SINCHFN_MENU_TIMEOUT_MIN 1000
#define SINCHFN_MENU_TIMEOUT_MAX 30000
#define SINCHFN_MENU_MAX_DIGITS_MAX 20
#define SINCHFN_MENU_REPEATS_MAX 5

/* What the menu builder sets on each menu until a setter changes it. */
#define SINCHFN_MENU_DEFAULT_TIMEOUT 8000
#define SINCHFN_MENU_DEFAULT_MAX_DIGITS 1
#define SINCHFN_MENU_DEFAULT_REPEATS 2

/* ---- runMenu as plain structs (unset fields are left out of the SVAML) ---- */

/* One `options` entry: the DTMF input and its action, "return(value)" or "menu(id)". */
typedef struct {
    const char *dtmf;
    const char *action;
} sinchfn_menu_option;

/* One entry of `menus`. Prompts are passed through unchanged. */
typedef struct {
    const char *id;                /* required */
    const char *main_prompt;       /* `mainPrompt` */
    const char *repeat_prompt;     /* `repeatPrompt`, played after a timeout or invalid input */
    sinchfn_int repeats;
    sinchfn_int max_digits;        /* `maxDigits` */
    sinchfn_int timeout_mills;     /* `timeoutMills`: silence before the menu times out, ms */
    sinchfn_int max_timeout_mills; /* `maxTimeoutMills`: limit for collecting voice input, ms */
    const sinchfn_menu_option *options;
    apr_size_t option_count;
} sinchfn_menu;

typedef struct {
    sinchfn_bool barge;        /* input may interrupt the prompt */
    const char *locale;        /* of #tts[] prompts */
    const char *main_menu;     /* `mainMenu`; NULL starts at the menu "main" */
    sinchfn_bool enable_voice; /* `enableVoice`: spoken input as well as DTMF */
    const sinchfn_menu *menus;
    apr_size_t menu_count;     /* at least 1 */
} sinchfn_run_menu;

/* runMenu: plays the menus and sends the caller's choice in a PIE. */
SINCHFN_API sinchfn_status sinchfn_svaml_run_menu(sinchfn_svaml *svaml, const sinchfn_run_menu *options);

/* ---- the menu builder ---- */

/*
 * Each menu the builder adds gets timeoutMills 8000, maxDigits 1 and repeats 2, which the
 * setters below change for the menu added last. A prompt written as plain text is sent as
 * "#tts[text]". A prompt that starts with "#tts[", "#ssml[", "#href[", "http://",
 * "https://" or "[" (a recorded prompt) is passed through. A setter that fails records
 * the first error, which sinchfn_svaml_menu() then reports.
 */
typedef struct sinchfn_menu_builder sinchfn_menu_builder;

SINCHFN_API sinchfn_menu_builder *sinchfn_menu_builder_create(apr_pool_t *pool);
/* Adds a menu with its main prompt; the first menu is usually "main". */
SINCHFN_API sinchfn_status sinchfn_menu_add(sinchfn_menu_builder *builder, const char *id, const char *prompt);
SINCHFN_API sinchfn_status sinchfn_menu_repeat_prompt(sinchfn_menu_builder *builder, const char *prompt);
/* Option dtmf -> return(value): the PIE carries menuResult type "return" and this value. */
SINCHFN_API sinchfn_status sinchfn_menu_option_return(sinchfn_menu_builder *builder, const char *dtmf,
                                                      const char *value);
/* Option dtmf -> menu(menu_id): plays another menu of the same builder. */
SINCHFN_API sinchfn_status sinchfn_menu_option_menu(sinchfn_menu_builder *builder, const char *dtmf,
                                                    const char *menu_id);
SINCHFN_API sinchfn_status sinchfn_menu_timeout(sinchfn_menu_builder *builder, int milliseconds);
SINCHFN_API sinchfn_status sinchfn_menu_max_digits(sinchfn_menu_builder *builder, int digits);
SINCHFN_API sinchfn_status sinchfn_menu_repeats(sinchfn_menu_builder *builder, int repeats);
/* Settings of the whole runMenu action. */
SINCHFN_API sinchfn_status sinchfn_menu_barge(sinchfn_menu_builder *builder, int barge);
SINCHFN_API sinchfn_status sinchfn_menu_locale(sinchfn_menu_builder *builder, const char *locale);
SINCHFN_API sinchfn_status sinchfn_menu_enable_voice(sinchfn_menu_builder *builder, int enable);
SINCHFN_API sinchfn_status sinchfn_menu_main(sinchfn_menu_builder *builder, const char *menu_id);
/* The first error of the builder, or NULL. */
SINCHFN_API const char *sinchfn_menu_error(const sinchfn_menu_builder *builder);
/* The runMenu options built so far, checked as sinchfn_svaml_run_menu() checks them;
 * NULL when the builder has an error (then sinchfn_menu_error() names it). */
SINCHFN_API const sinchfn_run_menu *sinchfn_menu_build(sinchfn_menu_builder *builder);
/* Sets the runMenu action built by builder, or records the builder's error in svaml. */
SINCHFN_API sinchfn_status sinchfn_svaml_menu(sinchfn_svaml *svaml, sinchfn_menu_builder *builder);

/* ---- templates ---- */

/*
 * Each template returns a builder with one menu "main" (never NULL; an invalid argument
 * is recorded as the builder's error). The return values reach the PIE handler as
 * menuResult type "return".
 */

/* "Thank you for calling COMPANY. Press 1 for sales, 2 for support, or 0 for an
 * operator.": returns sales, support, operator. company may be NULL. */
SINCHFN_API sinchfn_menu_builder *sinchfn_menu_template_business(apr_pool_t *pool, const char *company);
/* "QUESTION Press 1 for yes or 2 for no.": returns yes, no. */
SINCHFN_API sinchfn_menu_builder *sinchfn_menu_template_yes_no(apr_pool_t *pool, const char *question);

/* One language of the language template: its name as callers know it, and the value
 * returned, e.g. { "Svenska", "sv-SE" }. */
typedef struct {
    const char *label;
    const char *value;
} sinchfn_menu_choice;

/* "For English, press 1. For Svenska, press 2.": returns the value of the chosen
 * language. 1 to 9 languages. */
SINCHFN_API sinchfn_menu_builder *sinchfn_menu_template_language(apr_pool_t *pool, const sinchfn_menu_choice *languages,
                                                                 apr_size_t count);
/* "Thank you for calling COMPANY. We are closed right now. Press 1 to leave a message,
 * or 2 to request a call back.": returns voicemail, callback. company may be NULL. */
SINCHFN_API sinchfn_menu_builder *sinchfn_menu_template_after_hours(apr_pool_t *pool, const char *company);
/* "This call may be recorded for quality and training purposes. Press 1 to accept or 2
 * to decline.": returns accept, decline. */
SINCHFN_API sinchfn_menu_builder *sinchfn_menu_template_recording_consent(apr_pool_t *pool);
/* Collects up to `digits` digits (1-20) after prompt; the PIE carries menuResult type
 * "sequence" and the digits. */
SINCHFN_API sinchfn_menu_builder *sinchfn_menu_template_numeric_input(apr_pool_t *pool, const char *prompt, int digits);

#endif /* SINCHFN_MENU_H */
