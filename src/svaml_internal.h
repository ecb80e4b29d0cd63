/*
 * svaml_internal.h: the SVAML builder's state and the helpers shared by svaml.c
 * (builder, instructions), svaml_actions.c (actions) and menu.c (runMenu).
 */
#ifndef SINCHFN_SVAML_INTERNAL_H
#define SINCHFN_SVAML_INTERNAL_H

#include "sinchfn_core.h"

struct sinchfn_svaml {
    apr_pool_t *pool;
    const char *callback;
    const struct svaml_rules *rules; /* the callback's allowed elements, or NULL when it takes no SVAML */
    sinchfn_node *action;       /* NULL until an action is set */
    sinchfn_node *instructions; /* array, created on the first instruction */
    const char *error;         /* the first error */
};

/* Records the first error of the builder and returns SINCHFN_ERROR. */
sinchfn_status sinchfn_svaml_reject(sinchfn_svaml *svaml, const char *fmt, ...) SINCHFN_PRINTF(2, 3);
/* Checks that the builder's callback accepts the instruction or action `name`, and that
 * no action is set yet when is_action. */
sinchfn_status sinchfn_svaml_check(sinchfn_svaml *svaml, const char *name, int is_action);
/* A new SVAML element {"name": name} in pool. name is not copied: it is a literal. */
sinchfn_node *sinchfn_svaml_element(apr_pool_t *pool, const char *name);
/* Append an instruction or set the action; both reject an element that has a string that
 * is not UTF-8. */
sinchfn_status sinchfn_svaml_add_instruction(sinchfn_svaml *svaml, sinchfn_node *instruction);
sinchfn_status sinchfn_svaml_set_action(sinchfn_svaml *svaml, sinchfn_node *action);

/* Add a member unless the value is unset: a NULL string, SINCHFN_UNSET, an unset int. */
void sinchfn_node_put_string(sinchfn_node *object, const char *key, const char *value);
void sinchfn_node_put_bool(sinchfn_node *object, const char *key, sinchfn_bool value);
void sinchfn_node_put_int(sinchfn_node *object, const char *key, sinchfn_int value);
/* Adds value unless it is an empty object. */
void sinchfn_node_put_unless_empty(sinchfn_node *object, const char *key, sinchfn_node *value);

/* Whether a sinchfn_bool is one of its three values. */
int sinchfn_bool_valid(sinchfn_bool value);
/* Returns the first character of text that is not in allowed, or NULL. */
const char *sinchfn_find_invalid_char(const char *text, const char *allowed);

/* Characters of sendDtmf and connectPstn's dtmf: digits, '*', '#' and 'w' for a pause.
 * NOTE: Sinch documents 0-9, '#' and 'w'; '*' is accepted because it is a DTMF key. */
#define SINCHFN_DTMF_SEND_CHARS "0123456789*#w"
/* Characters of a menu option's dtmf. */
#define SINCHFN_DTMF_KEY_CHARS "0123456789*#"

#endif /* SINCHFN_SVAML_INTERNAL_H */
