/* CPython attribution without linking libpython.
 *
 * Only the public, stable C API is used (Include/cpython/pyframe.h,
 * Include/pystate.h), looked up with dlsym at run time:
 *   Debian's /usr/bin/python3 has libpython linked in statically and exports
 *   the API from the executable; pyenv's builds (--enable-shared) load
 *   libpython3.X.so as a DT_NEEDED, global, dependency.  Both are seen from
 *   RTLD_DEFAULT.  A program that embeds libpython through dlopen(RTLD_LOCAL)
 *   is found by walking the loaded objects and asking RTLD_NOLOAD.
 * PyFrame_GetCode and PyFrame_GetBack appeared in 3.9: older interpreters
 * give no frames. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "pyframes.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define TS_PY_MAX_FRAMES 40  /* requests' own frames alone are ~10 deep; reach the caller's script */

typedef struct _object PyObject;

static struct {
	int (*is_initialized)(void);
	int (*gil_check)(void);
	PyObject *(*get_frame)(void);                 /* borrowed */
	PyObject *(*frame_code)(PyObject *);          /* new reference */
	int (*frame_line)(PyObject *);
	PyObject *(*frame_back)(PyObject *);          /* new reference */
	PyObject *(*getattr)(PyObject *, const char *);
	const char *(*as_utf8)(PyObject *);
	void (*decref)(PyObject *);
	void (*err_fetch)(PyObject **, PyObject **, PyObject **);
	void (*err_restore)(PyObject *, PyObject *, PyObject *);
	void (*err_clear)(void);
	int ok;
} py;

static pthread_once_t py_once = PTHREAD_ONCE_INIT;

static int find_libpython(struct dl_phdr_info *info, size_t size, void *data)
{
	const char *n = info->dlpi_name, *b;
	void **out = data;

	(void)size;
	if (n == NULL || (b = strrchr(n, '/')) == NULL)
		b = n;
	else
		b++;
	if (b && strncmp(b, "libpython3", 10) == 0) {
		*out = dlopen(n, RTLD_NOLOAD | RTLD_LAZY);
		return *out != NULL;
	}
	return 0;
}

static void py_bind(void)
{
	void *h = RTLD_DEFAULT;

	if (dlsym(h, "Py_IsInitialized") == NULL) {
		void *lib = NULL;

		dl_iterate_phdr(find_libpython, &lib);
		if (lib == NULL)
			return;
		h = lib; /* stays referenced: the process holds libpython anyway */
	}
#define BIND(field, name) (*(void **)&py.field = dlsym(h, name))
	BIND(is_initialized, "Py_IsInitialized");
	BIND(gil_check, "PyGILState_Check");
	BIND(get_frame, "PyEval_GetFrame");
	BIND(frame_code, "PyFrame_GetCode");
	BIND(frame_line, "PyFrame_GetLineNumber");
	BIND(frame_back, "PyFrame_GetBack");
	BIND(getattr, "PyObject_GetAttrString");
	BIND(as_utf8, "PyUnicode_AsUTF8");
	BIND(decref, "Py_DecRef");
	BIND(err_fetch, "PyErr_Fetch");
	BIND(err_restore, "PyErr_Restore");
	BIND(err_clear, "PyErr_Clear");
#undef BIND
	py.ok = py.is_initialized && py.gil_check && py.get_frame && py.frame_code &&
		py.frame_line && py.frame_back && py.getattr && py.as_utf8 && py.decref &&
		py.err_fetch && py.err_restore && py.err_clear;
}

/* A code object's attribute as UTF-8 text, copied into out; "?" on failure
 * (with the exception cleared).  '\n' would split a frame in two: replaced. */
static void code_attr(PyObject *code, const char *name, const char *alt, char *out, size_t cap)
{
	PyObject *o = py.getattr(code, name);
	const char *s = NULL;
	char *p;

	if (o == NULL && alt != NULL) {
		py.err_clear();
		o = py.getattr(code, alt);
	}
	if (o != NULL)
		s = py.as_utf8(o);
	if (s == NULL)
		py.err_clear();
	snprintf(out, cap, "%s", s ? s : "?");
	for (p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = '?';
	if (o != NULL)
		py.decref(o);
}

int ts_python_frames(char *buf, size_t cap)
{
	PyObject *et, *ev, *etb, *f;
	size_t len = 0;
	int n = 0, owned = 0;

	if (cap == 0)
		return 0;
	buf[0] = 0;
	pthread_once(&py_once, py_bind);
	if (!py.ok || !py.is_initialized() || py.gil_check() != 1)
		return 0;
	f = py.get_frame();
	if (f == NULL)
		return 0;
	/* The caller may be in the middle of handling an exception: keep it. */
	py.err_fetch(&et, &ev, &etb);
	while (f != NULL && n < TS_PY_MAX_FRAMES) {
		char file[1024], func[256], line[1400];
		PyObject *code = py.frame_code(f), *back;
		int ln = py.frame_line(f), w;

		if (code != NULL) {
			code_attr(code, "co_filename", NULL, file, sizeof file);
			/* co_qualname (3.11+) says "Class.method" */
			code_attr(code, "co_qualname", "co_name", func, sizeof func);
			py.decref(code);
		} else {
			py.err_clear();
			snprintf(file, sizeof file, "?");
			snprintf(func, sizeof func, "?");
		}
		w = snprintf(line, sizeof line, "%s%s:%d in %s", n ? "\n" : "", file, ln, func);
		if (w < 0 || (size_t)w >= sizeof line || (size_t)w >= cap - len)
			break; /* whole frames only */
		memcpy(buf + len, line, (size_t)w + 1);
		len += (size_t)w;
		n++;
		back = py.frame_back(f);
		if (owned)
			py.decref(f);
		f = back;
		owned = 1;
	}
	if (f != NULL && owned)
		py.decref(f);
	py.err_restore(et, ev, etb);
	return n;
}
