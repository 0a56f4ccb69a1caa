/* The flood bound of the audit writer (README: "Repeated attempts"). */
#ifndef TS_FLOOD_H
#define TS_FLOOD_H

#include "policy.h"

/* Counts the attempt.  Returns 1 when it must be written, with *count the
 * site's total so far (0 when the table is full and the site is untracked). */
int ts_flood_admit(const struct ts_attempt *a, enum ts_verdict v, const char *rule, unsigned long *count);

typedef void (*ts_flood_emit_fn)(const struct ts_attempt *a, enum ts_verdict v, const char *rule,
				 unsigned long count, void *arg);
/* The last count of every site that had attempts after its last record. */
void ts_flood_drain(ts_flood_emit_fn emit, void *arg);

void ts_flood_fork_prepare(void);
void ts_flood_fork_parent(void);
void ts_flood_fork_child(void);

#endif
