#include "resolve.h"

#include <dlfcn.h>
#include <stddef.h>

static void *lookup_in(const char *soname, const char *name)
{
	void *h = dlopen(soname, RTLD_NOLOAD | RTLD_LAZY);
	void *p;

	if (h == NULL)
		return NULL;
	p = dlsym(h, name);
	/* The library stays mapped: the host holds its own reference. */
	dlclose(h);
	return p;
}

void *ts_resolve(struct ts_sym *sym)
{
	void *p = atomic_load_explicit(&sym->real, memory_order_acquire);

	if (p != NULL)
		return p;
	p = dlsym(RTLD_NEXT, sym->name);
	if (p == NULL || p == sym->self)
		p = lookup_in(sym->soname, sym->name);
	/* proxychains aborts when it finds itself; we report "not found". */
	if (p == sym->self)
		p = NULL;
	if (p != NULL)
		atomic_store_explicit(&sym->real, p, memory_order_release);
	return p;
}

int ts_resolve_calls(struct ts_sym *table, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i].call && ts_resolve(&table[i]) == NULL)
			return 0;
	return 1;
}

int ts_lib_loaded(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOLOAD | RTLD_LAZY);

	if (h == NULL)
		return 0;
	dlclose(h);
	return 1;
}
