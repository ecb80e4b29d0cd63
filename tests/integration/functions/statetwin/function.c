/*
 * The state function under another name: the same endpoints, so the tests can check
 * that the cache keeps two functions' entries apart.
 */
#include "../state/function.c"
