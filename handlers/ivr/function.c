/*
 * An IVR for inbound calls: the ICE plays the business menu (sales, support, operator),
 * the PIE connects the caller to the chosen department or plays a goodbye, and the DICE
 * logs how the call ended. Company name and department numbers come from the variables
 * in sinch.json.
 */
#include <sinchfn.h>

#include <string.h>

#include <apr_strings.h>

static const char *or_dash(const char *text)
{
    return text ? text : "-";
}

static sinchfn_status ice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    sinchfn_menu_builder *menu = sinchfn_menu_template_business(sinchfn_pool(ctx), sinchfn_variable(ctx, "COMPANY_NAME"));

    sinchfn_log_info(ctx, "Incoming call %s on %s", or_dash(sinchfn_event_callid(event)),
                     or_dash(sinchfn_event_domain(event)));
    return sinchfn_svaml_menu(svaml, menu);
}

/* The number of the department a menu option returned, or NULL. */
static const char *department_number(const sinchfn_ctx *ctx, const char *department)
{
    if (!department)
        return NULL;
    if (!strcmp(department, "sales"))
        return sinchfn_variable(ctx, "SALES_NUMBER");
    if (!strcmp(department, "support"))
        return sinchfn_variable(ctx, "SUPPORT_NUMBER");
    if (!strcmp(department, "operator"))
        return sinchfn_variable(ctx, "OPERATOR_NUMBER");
    return NULL;
}

static sinchfn_status pie(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    const sinchfn_menu_result *result = sinchfn_event_menu_result(event);
    const char *number = NULL;

    if (result && result->kind == SINCHFN_MENU_RESULT_RETURN)
        number = department_number(ctx, result->value);

    if (number) {
        sinchfn_connect_pstn connect = { .number = number };

        sinchfn_log_info(ctx, "Call %s chose %s", or_dash(sinchfn_event_callid(event)), result->value);
        sinchfn_svaml_say(svaml, apr_psprintf(sinchfn_pool(ctx), "Connecting you to %s.", result->value), NULL);
        return sinchfn_svaml_connect_pstn(svaml, &connect);
    }

    sinchfn_log_info(ctx, "Call %s left the menu with %s %s", or_dash(sinchfn_event_callid(event)),
                     result ? or_dash(result->type) : "no menuResult", result ? or_dash(result->value) : "");
    sinchfn_svaml_say(svaml, "Sorry, we did not get your choice. Goodbye.", NULL);
    return sinchfn_svaml_hangup(svaml);
}

static sinchfn_status dice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    (void)svaml;
    sinchfn_log_info(ctx, "Call %s ended: result %s, reason %s, %" APR_INT64_T_FMT " s",
                     or_dash(sinchfn_event_callid(event)), or_dash(sinchfn_event_result(event)),
                     or_dash(sinchfn_event_reason(event)), sinchfn_event_duration(event));
    return SINCHFN_OK;
}

SINCHFN_EXPORTS(SINCHFN_VOICE(ice), SINCHFN_VOICE(pie), SINCHFN_VOICE(dice));
