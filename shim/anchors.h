/* Extra trust anchors: found and read once per process, kept as DER bytes
 * that each backend turns into its own certificate objects. */
#ifndef TS_ANCHORS_H
#define TS_ANCHORS_H

#include <stddef.h>
#include "config.h"

struct ts_anchor {
	unsigned char *der;
	size_t len;
	const char *source;   /* path it came from, or "TRUSTSHIM_CA_PEM" */
};

struct ts_anchors {
	struct ts_anchor *v;
	size_t n;
	char *sources;        /* "path1:path2" of the sources that gave anchors, for the record */
};

/* The process's anchors, loaded on the first call (pthread_once) from the
 * configuration.  Problems are reported through the audit writer, one line
 * each; good anchors beside a bad one still load.  Never NULL. */
const struct ts_anchors *ts_anchors(void);

/* Loads from a colon-separated path list and inline PEM.  Pure apart from
 * reading the named files: for unit tests.  var is used in reports. */
int ts_anchors_load(const char *ca_list, const char *ca_pem, struct ts_anchors *out,
		    ts_report_fn report, void *arg);

/* Adds every certificate found in buf (PEM with one or more certificates, or
 * one DER certificate).  Returns the number added, or -1 with *why set to a
 * short reason ("no certificate found", "holds a private key, not a
 * certificate", "certificate expired on 2020-01-01", ...).  For fuzzing. */
int ts_anchors_from_buffer(const unsigned char *buf, size_t len, const char *source,
			   struct ts_anchors *out, const char **why);

void ts_anchors_free(struct ts_anchors *a);

#endif
