/*
 * test_menu.c: runMenu from plain structs (checks and JSON), the menu builder (defaults,
 * prompts, range checks) and the menu templates, compared as exact SVAML text.
 */
#include <string.h>

#include <apr_strings.h>

#include "test_suites.h"
#include "sinchfn_core.h"

static const sinchfn_menu_option main_options[] = { { "1", "return(support)" }, { "2", "menu(sub)" } };
static const sinchfn_menu_option sub_options[] = { { "*", "menu(main)" } };

static sinchfn_menu menus[2];
static sinchfn_run_menu run_menu;

/* A valid two-menu runMenu in `run_menu`, for tests to break one field of. */
static void create_menus(void)
{
    test_pool_setup();
    memset(menus, 0, sizeof(menus));
    memset(&run_menu, 0, sizeof(run_menu));
    menus[0].id = "main";
    menus[0].main_prompt = "#tts[Main]";
    menus[0].options = main_options;
    menus[0].option_count = 2;
    menus[1].id = "sub";
    menus[1].main_prompt = "#tts[Sub]";
    menus[1].options = sub_options;
    menus[1].option_count = 1;
    run_menu.menus = menus;
    run_menu.menu_count = 2;
}

static const char *svaml_text(sinchfn_svaml *svaml)
{
    const char *text = sinchfn_svaml_serialize(svaml);

    ck_assert_msg(text != NULL, "no SVAML: %s", sinchfn_svaml_error(svaml) ? sinchfn_svaml_error(svaml) : "no action");
    return text;
}

/* Sets run_menu on an ICE builder and returns the builder error, or NULL. */
static const char *run_menu_error(void)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);
    sinchfn_status status = sinchfn_svaml_run_menu(svaml, &run_menu);

    ck_assert_int_eq(status, sinchfn_svaml_error(svaml) ? SINCHFN_ERROR : SINCHFN_OK);
    if (status == SINCHFN_ERROR)
        ck_assert_ptr_null(sinchfn_svaml_serialize(svaml));
    return sinchfn_svaml_error(svaml);
}

static void assert_run_menu_rejected(const char *expected)
{
    const char *error = run_menu_error();

    ck_assert_msg(error != NULL, "runMenu was accepted; expected '%s'", expected);
    ck_assert_str_eq(error, expected);
}

/* ---- plain structs ---- */

START_TEST(run_menu_two_menus_exact)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ace(test_pool);

    run_menu.barge = SINCHFN_FALSE;
    run_menu.enable_voice = SINCHFN_FALSE;
    run_menu.main_menu = "main";
    menus[1].repeats = SINCHFN_INT(0);
    ck_assert_int_eq(sinchfn_svaml_run_menu(svaml, &run_menu), SINCHFN_OK);
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"runMenu\",\"barge\":false,\"mainMenu\":\"main\",\"enableVoice\":false,"
                     "\"menus\":[{\"id\":\"main\",\"mainPrompt\":\"#tts[Main]\",\"options\":[{\"dtmf\":\"1\","
                     "\"action\":\"return(support)\"},{\"dtmf\":\"2\",\"action\":\"menu(sub)\"}]},{\"id\":\"sub\","
                     "\"mainPrompt\":\"#tts[Sub]\",\"repeats\":0,\"options\":[{\"dtmf\":\"*\","
                     "\"action\":\"menu(main)\"}]}]}}");
}
END_TEST

START_TEST(run_menu_range_bounds_accepted)
{
    menus[0].timeout_mills = SINCHFN_INT(1000);
    menus[0].max_timeout_mills = SINCHFN_INT(30000);
    menus[0].max_digits = SINCHFN_INT(20);
    menus[0].repeats = SINCHFN_INT(5);
    menus[1].timeout_mills = SINCHFN_INT(30000);
    menus[1].max_digits = SINCHFN_INT(1);
    menus[1].repeats = SINCHFN_INT(0);
    ck_assert_ptr_null(run_menu_error());
}
END_TEST

START_TEST(run_menu_timeout_out_of_range)
{
    menus[0].timeout_mills = SINCHFN_INT(999);
    assert_run_menu_rejected("runMenu menu 'main': timeoutMills 999 is outside 1000-30000 ms");
    menus[0].timeout_mills = SINCHFN_INT(30001);
    assert_run_menu_rejected("runMenu menu 'main': timeoutMills 30001 is outside 1000-30000 ms");
}
END_TEST

START_TEST(run_menu_max_timeout_out_of_range)
{
    menus[1].max_timeout_mills = SINCHFN_INT(0);
    assert_run_menu_rejected("runMenu menu 'sub': maxTimeoutMills 0 is outside 1000-30000 ms");
}
END_TEST

START_TEST(run_menu_max_digits_out_of_range)
{
    menus[0].max_digits = SINCHFN_INT(0);
    assert_run_menu_rejected("runMenu menu 'main': maxDigits 0 is outside 1-20");
    menus[0].max_digits = SINCHFN_INT(21);
    assert_run_menu_rejected("runMenu menu 'main': maxDigits 21 is outside 1-20");
}
END_TEST

START_TEST(run_menu_repeats_out_of_range)
{
    menus[0].repeats = SINCHFN_INT(-1);
    assert_run_menu_rejected("runMenu menu 'main': repeats -1 is outside 0-5");
    menus[0].repeats = SINCHFN_INT(6);
    assert_run_menu_rejected("runMenu menu 'main': repeats 6 is outside 0-5");
}
END_TEST

START_TEST(run_menu_without_menus)
{
    run_menu.menu_count = 0;
    assert_run_menu_rejected("runMenu needs at least one menu");
}
END_TEST

START_TEST(run_menu_without_main)
{
    menus[0].id = "start";
    menus[1].options = NULL;
    menus[1].option_count = 0;
    menus[0].option_count = 1;
    assert_run_menu_rejected("runMenu starts at the menu 'main', which is not among the menus; name one menu "
                             "\"main\" or set main_menu");
}
END_TEST

START_TEST(run_menu_main_menu_named)
{
    run_menu.main_menu = "sub";
    ck_assert_ptr_null(run_menu_error());
    run_menu.main_menu = "other";
    assert_run_menu_rejected("runMenu starts at the menu 'other', which is not among the menus");
}
END_TEST

START_TEST(run_menu_duplicate_id)
{
    menus[0].option_count = 1;
    menus[1].id = "main";
    assert_run_menu_rejected("runMenu menu id 'main' is used twice");
}
END_TEST

START_TEST(run_menu_unknown_target)
{
    menus[1].id = "other";
    assert_run_menu_rejected("runMenu menu 'main': option '2' goes to menu 'sub', which is not among the menus");
}
END_TEST

START_TEST(run_menu_invalid_option_action)
{
    sinchfn_menu_option goto_option[] = { { "1", "goto(sub)" } };
    sinchfn_menu_option empty_return[] = { { "1", "return()" } };

    menus[0].options = goto_option;
    menus[0].option_count = 1;
    assert_run_menu_rejected("runMenu menu 'main': option '1' has the action 'goto(sub)'; use return(value) or "
                             "menu(id)");
    menus[0].options = empty_return;
    assert_run_menu_rejected("runMenu menu 'main': option '1' returns an empty value");
}
END_TEST

START_TEST(run_menu_invalid_option_dtmf)
{
    sinchfn_menu_option letters[] = { { "1a", "return(x)" } };
    sinchfn_menu_option twice[] = { { "1", "return(x)" }, { "1", "return(y)" } };
    sinchfn_menu_option none[] = { { NULL, "return(x)" } };

    menus[0].options = letters;
    menus[0].option_count = 1;
    assert_run_menu_rejected("runMenu menu 'main': option dtmf '1a' has the invalid character 'a'; use 0-9, * and #");
    menus[0].options = twice;
    menus[0].option_count = 2;
    assert_run_menu_rejected("runMenu menu 'main': option dtmf '1' is used twice");
    menus[0].options = none;
    menus[0].option_count = 1;
    assert_run_menu_rejected("runMenu menu 'main': option 0 has no dtmf");
}
END_TEST

START_TEST(run_menu_options_count_without_array)
{
    menus[1].options = NULL;
    assert_run_menu_rejected("runMenu menu 'sub' has option_count 1 but no options");
}
END_TEST

START_TEST(run_menu_invalid_bool)
{
    run_menu.barge = (sinchfn_bool)7;
    assert_run_menu_rejected("runMenu barge or enableVoice is not SINCHFN_UNSET, SINCHFN_FALSE or SINCHFN_TRUE");
}
END_TEST

START_TEST(run_menu_second_action_rejected)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    sinchfn_svaml_hangup(svaml);
    ck_assert_int_eq(sinchfn_svaml_run_menu(svaml, &run_menu), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_svaml_error(svaml), "a SVAML response has one action, and 'runMenu' would be a second");
}
END_TEST

/* ---- the builder ---- */

START_TEST(menu_builder_defaults_and_wrapping)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_int_eq(sinchfn_menu_add(builder, "main", "Press 1 to continue."), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_menu_option_return(builder, "1", "continue"), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_svaml_menu(svaml, builder), SINCHFN_OK);
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"runMenu\",\"menus\":[{\"id\":\"main\",\"mainPrompt\":\"#tts[Press 1 to "
                     "continue.]\",\"repeats\":2,\"maxDigits\":1,\"timeoutMills\":8000,\"options\":[{\"dtmf\":\"1\","
                     "\"action\":\"return(continue)\"}]}]}}");
}
END_TEST

START_TEST(menu_builder_all_settings)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);
    sinchfn_svaml *svaml = sinchfn_svaml_create_pie(test_pool);

    sinchfn_menu_barge(builder, 0);
    sinchfn_menu_locale(builder, "sv-SE");
    sinchfn_menu_main(builder, "start");
    sinchfn_menu_enable_voice(builder, 1);
    sinchfn_menu_add(builder, "start", "#ssml[<speak>Hej</speak>]");
    sinchfn_menu_repeat_prompt(builder, "https://example.com/repeat.mp3");
    sinchfn_menu_timeout(builder, 30000);
    sinchfn_menu_max_digits(builder, 4);
    sinchfn_menu_repeats(builder, 0);
    sinchfn_menu_option_menu(builder, "9", "pin");
    sinchfn_menu_add(builder, "pin", "[EnterPin]");
    sinchfn_menu_option_menu(builder, "#", "start");
    ck_assert_int_eq(sinchfn_svaml_menu(svaml, builder), SINCHFN_OK);
    ck_assert_str_eq(svaml_text(svaml),
                     "{\"action\":{\"name\":\"runMenu\",\"barge\":false,\"locale\":\"sv-SE\",\"mainMenu\":\"start\","
                     "\"enableVoice\":true,\"menus\":[{\"id\":\"start\",\"mainPrompt\":\"#ssml[<speak>Hej</speak>]\","
                     "\"repeatPrompt\":\"https://example.com/repeat.mp3\",\"repeats\":0,\"maxDigits\":4,"
                     "\"timeoutMills\":30000,\"options\":[{\"dtmf\":\"9\",\"action\":\"menu(pin)\"}]},{\"id\":\"pin\","
                     "\"mainPrompt\":\"[EnterPin]\",\"repeats\":2,\"maxDigits\":1,\"timeoutMills\":8000,\"options\":"
                     "[{\"dtmf\":\"#\",\"action\":\"menu(start)\"}]}]}}");
}
END_TEST

START_TEST(menu_builder_prompt_passthrough)
{
    static const char *const prompts[] = { "#tts[Hi]", "#ssml[<speak/>]", "#href[http://a/b.wav]",
                                           "http://a/b.wav", "https://a/b.wav", "[Welcome]" };
    size_t i;

    for (i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
        sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);

        ck_assert_int_eq(sinchfn_menu_add(builder, "main", prompts[i]), SINCHFN_OK);
        ck_assert_str_eq(sinchfn_menu_build(builder)->menus[0].main_prompt, prompts[i]);
    }
}
END_TEST

START_TEST(menu_builder_bracket_in_text_error)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);

    ck_assert_int_eq(sinchfn_menu_add(builder, "main", "Press [1]"), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_menu_error(builder), "the menu prompt 'Press [1]' is plain text with a '[' or ']', "
                     "which would break its #tts[] element; write it as #ssml[...] instead");
    ck_assert_ptr_null(sinchfn_menu_build(builder));
}
END_TEST

START_TEST(menu_builder_out_of_range_errors)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);

    sinchfn_menu_add(builder, "main", "Hi");
    ck_assert_int_eq(sinchfn_menu_timeout(builder, 999), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_menu_error(builder), "sinchfn_menu_timeout (milliseconds): 999 is outside 1000-30000");
    ck_assert_int_eq(sinchfn_menu_max_digits(builder, 21), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_menu_repeats(builder, 6), SINCHFN_ERROR);
    ck_assert_int_eq(sinchfn_menu_max_digits(builder, 20), SINCHFN_OK);
    ck_assert_int_eq(sinchfn_menu_repeats(builder, 5), SINCHFN_OK);
    ck_assert_ptr_null(sinchfn_menu_build(builder));
}
END_TEST

START_TEST(menu_builder_setter_before_menu_error)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);

    ck_assert_int_eq(sinchfn_menu_option_return(builder, "1", "x"), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_menu_error(builder),
                     "sinchfn_menu_option_return needs a menu; add one with sinchfn_menu_add first");
}
END_TEST

START_TEST(menu_builder_option_argument_errors)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);

    sinchfn_menu_add(builder, "main", "Hi");
    ck_assert_int_eq(sinchfn_menu_option_return(builder, "1", "a)b"), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_menu_error(builder),
                     "sinchfn_menu_option_return for dtmf '1' needs a return value without ')'");
    builder = sinchfn_menu_builder_create(test_pool);
    sinchfn_menu_add(builder, "main", "Hi");
    ck_assert_int_eq(sinchfn_menu_option_menu(builder, "", "sub"), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_menu_error(builder), "sinchfn_menu_option_menu needs the dtmf input of the option");
}
END_TEST

START_TEST(menu_builder_duplicate_menu_error)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);

    sinchfn_menu_add(builder, "main", "Hi");
    ck_assert_int_eq(sinchfn_menu_add(builder, "main", "Again"), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_menu_error(builder), "the menu id 'main' is used twice");
}
END_TEST

START_TEST(menu_builder_structure_checked_at_build)
{
    sinchfn_menu_builder *builder = sinchfn_menu_builder_create(test_pool);
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    sinchfn_menu_add(builder, "main", "Hi");
    sinchfn_menu_option_menu(builder, "1", "missing");
    ck_assert_int_eq(sinchfn_svaml_menu(svaml, builder), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_svaml_error(svaml), "menu builder: runMenu menu 'main': option '1' goes to menu "
                     "'missing', which is not among the menus");
    ck_assert_int_eq(sinchfn_svaml_has_action(svaml), 0);
}
END_TEST

START_TEST(menu_builder_empty_error)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_int_eq(sinchfn_svaml_menu(svaml, sinchfn_menu_builder_create(test_pool)), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_svaml_error(svaml), "menu builder: runMenu needs at least one menu");
    svaml = sinchfn_svaml_create_ice(test_pool);
    ck_assert_int_eq(sinchfn_svaml_menu(svaml, NULL), SINCHFN_ERROR);
}
END_TEST

START_TEST(menu_builder_on_dice_rejected)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create(test_pool, "dice");

    ck_assert_int_eq(sinchfn_svaml_menu(svaml, sinchfn_menu_template_recording_consent(test_pool)), SINCHFN_ERROR);
    ck_assert_str_eq(sinchfn_svaml_error(svaml), "the 'dice' callback takes no SVAML, so 'runMenu' is not allowed");
}
END_TEST

/* ---- templates ---- */

/* The runMenu JSON of a template's one menu "main". */
static const char *template_text(sinchfn_menu_builder *builder)
{
    sinchfn_svaml *svaml = sinchfn_svaml_create_ice(test_pool);

    ck_assert_msg(sinchfn_svaml_menu(svaml, builder) == SINCHFN_OK, "%s", sinchfn_svaml_error(svaml));
    return svaml_text(svaml);
}

#define MENU_JSON(prompt, repeat, digits, options)                                                          \
    "{\"action\":{\"name\":\"runMenu\",\"menus\":[{\"id\":\"main\",\"mainPrompt\":\"#tts[" prompt "]\","   \
    "\"repeatPrompt\":\"#tts[" repeat "]\",\"repeats\":2,\"maxDigits\":" digits ",\"timeoutMills\":8000"  \
    options "}]}}"

START_TEST(menu_template_business)
{
    ck_assert_str_eq(template_text(sinchfn_menu_template_business(test_pool, "Acme Corp")),
                     MENU_JSON("Thank you for calling Acme Corp. Press 1 for sales, 2 for support, or 0 for an "
                               "operator.", "Press 1 for sales, 2 for support, or 0 for an operator.", "1",
                               ",\"options\":[{\"dtmf\":\"1\",\"action\":\"return(sales)\"},{\"dtmf\":\"2\","
                               "\"action\":\"return(support)\"},{\"dtmf\":\"0\",\"action\":\"return(operator)\"}]"));
    ck_assert_ptr_nonnull(strstr(template_text(sinchfn_menu_template_business(test_pool, NULL)),
                                 "#tts[Thank you for calling. Press 1"));
}
END_TEST

START_TEST(menu_template_yes_no)
{
    ck_assert_str_eq(template_text(sinchfn_menu_template_yes_no(test_pool, "Is this about an order?")),
                     MENU_JSON("Is this about an order? Press 1 for yes or 2 for no.", "Press 1 for yes or 2 for no.",
                               "1", ",\"options\":[{\"dtmf\":\"1\",\"action\":\"return(yes)\"},{\"dtmf\":\"2\","
                               "\"action\":\"return(no)\"}]"));
    ck_assert_str_eq(sinchfn_menu_error(sinchfn_menu_template_yes_no(test_pool, NULL)),
                     "the yes/no menu template needs a question");
}
END_TEST

START_TEST(menu_template_language)
{
    static const sinchfn_menu_choice languages[] = { { "English", "en-US" }, { "Svenska", "sv-SE" } };

    ck_assert_str_eq(template_text(sinchfn_menu_template_language(test_pool, languages, 2)),
                     MENU_JSON("For English, press 1. For Svenska, press 2.", "For English, press 1. For Svenska, "
                               "press 2.", "1", ",\"options\":[{\"dtmf\":\"1\",\"action\":\"return(en-US)\"},"
                               "{\"dtmf\":\"2\",\"action\":\"return(sv-SE)\"}]"));
}
END_TEST

START_TEST(menu_template_language_invalid)
{
    static const sinchfn_menu_choice ten[10] = { { "A", "a" } };
    static const sinchfn_menu_choice unlabelled[] = { { "English", "en-US" }, { NULL, "sv-SE" } };

    ck_assert_str_eq(sinchfn_menu_error(sinchfn_menu_template_language(test_pool, ten, 10)),
                     "the language menu template needs 1 to 9 languages, not 10");
    ck_assert_str_eq(sinchfn_menu_error(sinchfn_menu_template_language(test_pool, ten, 0)),
                     "the language menu template needs 1 to 9 languages, not 0");
    ck_assert_str_eq(sinchfn_menu_error(sinchfn_menu_template_language(test_pool, unlabelled, 2)),
                     "language 2 of the language menu template has no label");
}
END_TEST

START_TEST(menu_template_after_hours)
{
    ck_assert_str_eq(template_text(sinchfn_menu_template_after_hours(test_pool, "Acme")),
                     MENU_JSON("Thank you for calling Acme. We are closed right now. Press 1 to leave a message, or 2 "
                               "to request a call back.", "Press 1 to leave a message, or 2 to request a call back.",
                               "1", ",\"options\":[{\"dtmf\":\"1\",\"action\":\"return(voicemail)\"},{\"dtmf\":\"2\","
                               "\"action\":\"return(callback)\"}]"));
}
END_TEST

START_TEST(menu_template_recording_consent)
{
    ck_assert_str_eq(template_text(sinchfn_menu_template_recording_consent(test_pool)),
                     MENU_JSON("This call may be recorded for quality and training purposes. Press 1 to accept or 2 "
                               "to decline.", "Press 1 to accept or 2 to decline.", "1",
                               ",\"options\":[{\"dtmf\":\"1\",\"action\":\"return(accept)\"},{\"dtmf\":\"2\","
                               "\"action\":\"return(decline)\"}]"));
}
END_TEST

START_TEST(menu_template_numeric_input)
{
    ck_assert_str_eq(template_text(sinchfn_menu_template_numeric_input(test_pool, "Enter your 4-digit PIN.", 4)),
                     MENU_JSON("Enter your 4-digit PIN.", "Enter your 4-digit PIN.", "4", ""));
    ck_assert_str_eq(sinchfn_menu_error(sinchfn_menu_template_numeric_input(test_pool, "PIN", 21)),
                     "sinchfn_menu_max_digits: 21 is outside 1-20");
    ck_assert_str_eq(sinchfn_menu_error(sinchfn_menu_template_numeric_input(test_pool, NULL, 4)),
                     "a menu prompt is empty");
}
END_TEST

START_TEST(menu_template_locale_changed)
{
    sinchfn_menu_builder *builder = sinchfn_menu_template_recording_consent(test_pool);

    sinchfn_menu_locale(builder, "en-GB");
    sinchfn_menu_timeout(builder, 5000);
    ck_assert_ptr_nonnull(strstr(template_text(builder), "\"name\":\"runMenu\",\"locale\":\"en-GB\",\"menus\""));
    ck_assert_ptr_nonnull(strstr(template_text(builder), "\"timeoutMills\":5000"));
}
END_TEST

Suite *menu_suite(void)
{
    Suite *suite = suite_create("menu");
    TCase *structs = tcase_create("run_menu");
    TCase *builder = tcase_create("builder");
    TCase *templates = tcase_create("templates");

    tcase_add_checked_fixture(structs, create_menus, test_pool_teardown);
    tcase_add_test(structs, run_menu_two_menus_exact);
    tcase_add_test(structs, run_menu_range_bounds_accepted);
    tcase_add_test(structs, run_menu_timeout_out_of_range);
    tcase_add_test(structs, run_menu_max_timeout_out_of_range);
    tcase_add_test(structs, run_menu_max_digits_out_of_range);
    tcase_add_test(structs, run_menu_repeats_out_of_range);
    tcase_add_test(structs, run_menu_without_menus);
    tcase_add_test(structs, run_menu_without_main);
    tcase_add_test(structs, run_menu_main_menu_named);
    tcase_add_test(structs, run_menu_duplicate_id);
    tcase_add_test(structs, run_menu_unknown_target);
    tcase_add_test(structs, run_menu_invalid_option_action);
    tcase_add_test(structs, run_menu_invalid_option_dtmf);
    tcase_add_test(structs, run_menu_options_count_without_array);
    tcase_add_test(structs, run_menu_invalid_bool);
    tcase_add_test(structs, run_menu_second_action_rejected);
    suite_add_tcase(suite, structs);

    tcase_add_checked_fixture(builder, test_pool_setup, test_pool_teardown);
    tcase_add_test(builder, menu_builder_defaults_and_wrapping);
    tcase_add_test(builder, menu_builder_all_settings);
    tcase_add_test(builder, menu_builder_prompt_passthrough);
    tcase_add_test(builder, menu_builder_bracket_in_text_error);
    tcase_add_test(builder, menu_builder_out_of_range_errors);
    tcase_add_test(builder, menu_builder_setter_before_menu_error);
    tcase_add_test(builder, menu_builder_option_argument_errors);
    tcase_add_test(builder, menu_builder_duplicate_menu_error);
    tcase_add_test(builder, menu_builder_structure_checked_at_build);
    tcase_add_test(builder, menu_builder_empty_error);
    tcase_add_test(builder, menu_builder_on_dice_rejected);
    suite_add_tcase(suite, builder);

    tcase_add_checked_fixture(templates, test_pool_setup, test_pool_teardown);
    tcase_add_test(templates, menu_template_business);
    tcase_add_test(templates, menu_template_yes_no);
    tcase_add_test(templates, menu_template_language);
    tcase_add_test(templates, menu_template_language_invalid);
    tcase_add_test(templates, menu_template_after_hours);
    tcase_add_test(templates, menu_template_recording_consent);
    tcase_add_test(templates, menu_template_numeric_input);
    tcase_add_test(templates, menu_template_locale_changed);
    suite_add_tcase(suite, templates);
    return suite;
}
