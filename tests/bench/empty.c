/* The floor for the startup figure: a preloaded shared object that does
 * nothing, so the bench can tell the loader's cost of any preload from the
 * shim's own. */
int trustshim_bench_empty;
