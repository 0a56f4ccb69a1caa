/* CPython attribution without linking libpython: the Python source frames
 * running in the calling thread, found through the public C API at run time. */
#ifndef TS_PYFRAMES_H
#define TS_PYFRAMES_H

#include <stddef.h>

/* Writes up to 8 innermost frames of the calling thread, innermost first, as
 * "file:line in function" lines separated by "\n" (no trailing newline), the
 * form struct ts_attempt.python takes.  Returns the number of frames written;
 * 0, with buf "", when the process runs no CPython (3.9 or later), the
 * interpreter is not initialized, or this thread does not hold the GIL (the
 * handshake itself runs without it: capture at the setter call).  Leaves no
 * Python exception set.  Always NUL-terminates when cap > 0. */
int ts_python_frames(char *buf, size_t cap);

#endif
