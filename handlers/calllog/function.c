/*
 * calllog: records every finished call in the function's database and lists them.
 *
 * POST /dice   Sinch's Disconnected Call Event: stores callid, result, reason, duration.
 * GET  /calls  the recorded calls, oldest first: {"calls": [...], "count": N};
 *              ?limit=N (1 to 1000, default 100) keeps the newest N.
 *
 * The SQL runs unchanged on SQLite (the default database) and on PostgreSQL through
 * mod_dbd, so the table has no auto-increment column: rows are ordered by the time the
 * runtime recorded them.
 */
#include <stdlib.h>

#include <apr_strings.h>
#include <apr_time.h>

#include <sinchfn.h>

#define CREATE_TABLE "CREATE TABLE IF NOT EXISTS calls (callid VARCHAR(255) NOT NULL, result VARCHAR(64) NOT NULL, " \
                     "reason VARCHAR(64), duration INTEGER NOT NULL, recorded_at VARCHAR(32) NOT NULL)"
#define INSERT_CALL "INSERT INTO calls (callid, result, reason, duration, recorded_at) VALUES (%s, %s, %s, %d, %s)"
#define SELECT_CALLS "SELECT callid, result, reason, duration FROM (SELECT callid, result, reason, duration, " \
                     "recorded_at FROM calls ORDER BY recorded_at DESC, callid DESC LIMIT %d) AS newest "     \
                     "ORDER BY recorded_at, callid"
#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000

/* Creates the table when missing. PostgreSQL can fail one of two processes that create
 * it at the same moment, so a failure is retried once. */
static sinchfn_status ensure_table(sinchfn_ctx *ctx)
{
    if (sinchfn_db_execute_sql(ctx, CREATE_TABLE, NULL, 0, NULL) == SINCHFN_OK)
        return SINCHFN_OK;
    if (sinchfn_last_error_is_unavailable(ctx))
        return SINCHFN_ERROR;
    return sinchfn_db_execute_sql(ctx, CREATE_TABLE, NULL, 0, NULL);
}

/* The current time as ISO-8601 UTC with microseconds, which sorts as text. */
static const char *recorded_at(apr_pool_t *pool)
{
    apr_time_exp_t now;

    apr_time_exp_gmt(&now, apr_time_now());
    return apr_psprintf(pool, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", now.tm_year + 1900, now.tm_mon + 1,
                        now.tm_mday, now.tm_hour, now.tm_min, now.tm_sec, now.tm_usec);
}

static sinchfn_status dice(sinchfn_ctx *ctx, const sinchfn_event *event, sinchfn_svaml *svaml)
{
    json_object *duration_value = NULL;
    const char *args[5];

    (void)svaml;
    args[0] = sinchfn_event_callid(event);
    args[1] = sinchfn_event_string(event, "result");
    args[2] = sinchfn_event_string(event, "reason");
    if (!args[0] || !args[1]) {
        sinchfn_log_warn(ctx, "dice without callid or result; nothing recorded");
        return SINCHFN_OK;
    }
    json_object_object_get_ex(sinchfn_event_json(event), "duration", &duration_value);
    args[3] = apr_psprintf(sinchfn_pool(ctx), "%" APR_INT64_T_FMT,
                           json_object_is_type(duration_value, json_type_int) ? json_object_get_int64(duration_value)
                                                                              : (apr_int64_t)0);
    args[4] = recorded_at(sinchfn_pool(ctx));

    if (ensure_table(ctx) != SINCHFN_OK || sinchfn_db_execute_sql(ctx, INSERT_CALL, args, 5, NULL) != SINCHFN_OK)
        return sinchfn_fail(ctx, "recording call %s failed: %s", args[0], sinchfn_last_error(ctx));
    sinchfn_log_info(ctx, "recorded call %s (%s, %s s)", args[0], args[1], args[3]);
    return SINCHFN_OK;
}

/* Answers a database failure: 503 when the database is unreachable, else 500. */
static sinchfn_status database_error(sinchfn_ctx *ctx, sinchfn_response *response)
{
    if (sinchfn_last_error_is_unavailable(ctx))
        return sinchfn_respond_error(response, 503, "The call log database is unavailable.");
    return sinchfn_respond_error(response, 500, "The call log could not be read.");
}

/* Turns the duration column, which drivers return as text, into a JSON integer. */
static json_object *call_object(json_object *row)
{
    json_object *duration;

    if (json_object_object_get_ex(row, "duration", &duration) && json_object_get_string(duration))
        json_object_object_add(row, "duration",
                               json_object_new_int64(strtoll(json_object_get_string(duration), NULL, 10)));
    return json_object_get(row);
}

static sinchfn_status calls(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *limit_text = sinchfn_request_query(request, "limit");
    char *end = NULL;
    long limit = limit_text ? strtol(limit_text, &end, 10) : DEFAULT_LIMIT;
    const char *args[1];
    json_object *rows, *list;
    size_t i;

    if (strcmp(sinchfn_request_method(request), "GET"))
        return sinchfn_respond_error(response, 405, "Use GET to list calls.");
    if (limit_text && (!*limit_text || *end || limit < 1 || limit > MAX_LIMIT))
        return sinchfn_respond_error(response, 400, "limit must be an integer from 1 to 1000.");
    args[0] = apr_ltoa(sinchfn_pool(ctx), limit);

    if (ensure_table(ctx) != SINCHFN_OK || sinchfn_db_select_sql(ctx, SELECT_CALLS, args, 1, &rows) != SINCHFN_OK)
        return database_error(ctx, response);
    list = json_object_new_array();
    for (i = 0; i < json_object_array_length(rows); i++)
        json_object_array_add(list, call_object(json_object_array_get_idx(rows, i)));
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "calls", list, "count",
                                                                   json_object_new_int64((int64_t)i), NULL));
}

SINCHFN_EXPORTS(SINCHFN_VOICE(dice), SINCHFN_ENDPOINT(calls));
