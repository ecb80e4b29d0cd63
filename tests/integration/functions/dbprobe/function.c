/*
 * dbprobe: runs the database call named in a JSON body and reports the result, so the
 * integration tests can drive the database API directly.
 *
 * POST /sql {"op": "select"|"execute"|"selectSql"|"executeSql", "statement": LABEL or SQL,
 *            "args": [strings or null]}
 *   200 {"rows": [...]} or {"affected": N}, 503 or 500 {"error": ..., "unavailable": bool}
 * GET /driver  {"driver": "sqlite3"|"pgsql"|null}
 */
#include <apr_strings.h>

#include <sinchfn.h>

#define MAX_ARGS 16

static sinchfn_status failure(sinchfn_ctx *ctx, sinchfn_response *response)
{
    int unavailable = sinchfn_last_error_is_unavailable(ctx);

    return sinchfn_respond_json(response, unavailable ? 503 : 500,
                                sinchfn_json_object(ctx, "error", json_object_new_string(sinchfn_last_error(ctx)),
                                                    "unavailable", json_object_new_boolean(unavailable), NULL));
}

static sinchfn_status sql(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    json_object *body = sinchfn_request_json(request), *args_value = NULL, *rows = NULL;
    const char *op = sinchfn_request_json_string(request, "op");
    const char *statement = sinchfn_request_json_string(request, "statement");
    const char *args[MAX_ARGS];
    int count = 0, affected = 0, i;
    sinchfn_status status;

    if (!op || !statement)
        return sinchfn_respond_error(response, 400, "op and statement are required");
    if (body && json_object_object_get_ex(body, "args", &args_value)) {
        count = (int)json_object_array_length(args_value);
        if (count > MAX_ARGS)
            return sinchfn_respond_error(response, 400, "too many args");
        for (i = 0; i < count; i++) {
            json_object *arg = json_object_array_get_idx(args_value, i);

            args[i] = arg ? apr_pstrdup(sinchfn_pool(ctx), json_object_get_string(arg)) : NULL;
        }
    }

    if (!strcmp(op, "select"))
        status = sinchfn_db_select(ctx, statement, args, count, &rows);
    else if (!strcmp(op, "execute"))
        status = sinchfn_db_execute(ctx, statement, args, count, &affected);
    else if (!strcmp(op, "selectSql"))
        status = sinchfn_db_select_sql(ctx, statement, args, count, &rows);
    else if (!strcmp(op, "executeSql"))
        status = sinchfn_db_execute_sql(ctx, statement, args, count, &affected);
    else
        return sinchfn_respond_error(response, 400, "unknown op");
    if (status != SINCHFN_OK)
        return failure(ctx, response);
    if (rows)
        return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "rows", json_object_get(rows), NULL));
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "affected", json_object_new_int(affected),
                                                                   NULL));
}

static sinchfn_status driver(sinchfn_ctx *ctx, const sinchfn_request *request, sinchfn_response *response)
{
    const char *name = sinchfn_db_driver(ctx);

    (void)request;
    return sinchfn_respond_json(response, 200, sinchfn_json_object(ctx, "driver",
                                                                   name ? json_object_new_string(name) : NULL, NULL));
}

SINCHFN_EXPORTS(SINCHFN_ENDPOINT(sql), SINCHFN_ENDPOINT(driver));
