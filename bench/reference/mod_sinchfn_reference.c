/*
 * mod_sinchfn_reference.c: reference handlers for the benchmark. They write the same
 * fixed JSON as the example's /status with no runtime at all, so their rates bound what
 * any module can reach on the machine. Each reads and drops a request body first.
 *   1. SetHandler reference-plain: a plain content handler (the filesystem walk runs);
 *   2. the same with `ReferenceSkipWalk on`: map_to_storage skips the filesystem walk,
 *      while authentication and authorization of the Location still run;
 *   3. `ReferenceQuickPrefix /prefix`: a quick_handler that responds before any phase.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>

module AP_MODULE_DECLARE_DATA sinchfn_reference_module;

static const char body[] = "{\"status\":\"healthy\",\"functionName\":\"example\","
                           "\"environment\":\"production\",\"uptime\":1}";

typedef struct {
    int skip_walk; /* -1 while unset */
} dir_config;

typedef struct {
    const char *quick_prefix;
} server_config;

static void *create_dir_config(apr_pool_t *pool, char *path)
{
    dir_config *conf = apr_pcalloc(pool, sizeof(*conf));

    (void)path;
    conf->skip_walk = -1;
    return conf;
}

static void *merge_dir_config(apr_pool_t *pool, void *base_conf, void *add_conf)
{
    dir_config *base = base_conf, *add = add_conf;
    dir_config *conf = apr_pcalloc(pool, sizeof(*conf));

    conf->skip_walk = add->skip_walk >= 0 ? add->skip_walk : base->skip_walk;
    return conf;
}

static void *create_server_config(apr_pool_t *pool, server_rec *s)
{
    (void)s;
    return apr_pcalloc(pool, sizeof(server_config));
}

static const char *set_skip_walk(cmd_parms *cmd, void *mconfig, int on)
{
    (void)cmd;
    ((dir_config *)mconfig)->skip_walk = on;
    return NULL;
}

static const char *set_quick_prefix(cmd_parms *cmd, void *mconfig, const char *prefix)
{
    server_config *conf = ap_get_module_config(cmd->server->module_config, &sinchfn_reference_module);

    (void)mconfig;
    conf->quick_prefix = prefix;
    return NULL;
}

/* Reads and drops a request body, as any handler of a POST must, then writes the JSON. */
static int write_body(request_rec *r)
{
    int status = ap_discard_request_body(r);

    if (status != OK)
        return status;
    ap_set_content_type(r, "application/json");
    ap_set_content_length(r, sizeof(body) - 1);
    if (!r->header_only)
        ap_rwrite(body, sizeof(body) - 1, r);
    return OK;
}

static int reference_handler(request_rec *r)
{
    if (!r->handler || strcmp(r->handler, "reference-plain"))
        return DECLINED;
    return write_body(r);
}

/* httpd resets r->per_dir_config to the server defaults before map_to_storage, so the
 * Location's setting is read in translate_name, after the first Location walk, and kept
 * in the request's module config for map_to_storage. */
static int reference_translate_name(request_rec *r)
{
    dir_config *conf = ap_get_module_config(r->per_dir_config, &sinchfn_reference_module);

    if (conf && conf->skip_walk == 1)
        ap_set_module_config(r->request_config, &sinchfn_reference_module, conf);
    return DECLINED;
}

static int reference_map_to_storage(request_rec *r)
{
    return ap_get_module_config(r->request_config, &sinchfn_reference_module) ? OK : DECLINED;
}

static int reference_quick_handler(request_rec *r, int lookup_uri)
{
    server_config *conf = ap_get_module_config(r->server->module_config, &sinchfn_reference_module);

    if (lookup_uri || !conf->quick_prefix || strncmp(r->uri, conf->quick_prefix, strlen(conf->quick_prefix)))
        return DECLINED;
    return write_body(r);
}

static const command_rec reference_directives[] = {
    AP_INIT_FLAG("ReferenceSkipWalk", set_skip_walk, NULL, ACCESS_CONF,
                 "on: skip the filesystem walk for this Location"),
    AP_INIT_TAKE1("ReferenceQuickPrefix", set_quick_prefix, NULL, RSRC_CONF,
                  "URI prefix answered by the quick_handler"),
    { NULL }
};

static void register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_quick_handler(reference_quick_handler, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_translate_name(reference_translate_name, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(reference_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_handler(reference_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA sinchfn_reference_module = {
    STANDARD20_MODULE_STUFF,
    create_dir_config,
    merge_dir_config,
    create_server_config,
    NULL,
    reference_directives,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE
#endif
};
