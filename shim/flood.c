/* The flood bound: a loop that repeats the same attempt must not write a
 * record each time.  Counts attempts per site and says which to write. */
#include "flood.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A site is (api, caller, host, port, decision, python frames).  Its first
 * attempt is written; after that only the 10th, 100th, 1000th, ... with the
 * running count, and at exit one last record when attempts happened after
 * the last one written.  The Python frames are part of the site so that two
 * script lines going through the same urllib3 code are two sites. */
#define TS_SITES 256     /* power of two */
#define TS_S_HOST 256
#define TS_S_STR 256
#define TS_S_PY 6144

struct site {
	uint64_t key;                /* 0: free */
	unsigned long count, written;
	enum ts_verdict verdict;
	unsigned port;
	unsigned nulls;              /* bit i: field i was NULL */
	char lib[16], host_source[16], peer_ip[64];
	char host[TS_S_HOST], api[TS_S_STR], caller[TS_S_STR], rule[TS_S_STR], error[TS_S_STR];
	char python[TS_S_PY];
};

/* Allocated at the first attempt: ~1.9 MB that a process which never
 * records one should not even map (start-up cost, make bench figure 1). */
static struct site *sites;
static unsigned n_sites;
static unsigned long n_untracked;
static pthread_mutex_t site_lock = PTHREAD_MUTEX_INITIALIZER;
static int any_site;

static uint64_t fnv(uint64_t h, const char *s)
{
	if (s == NULL)
		return (h ^ 1) * 0x100000001b3ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL; /* field separator */
}

static uint64_t site_key(const struct ts_attempt *a, enum ts_verdict v)
{
	char num[32];
	uint64_t h = 0xcbf29ce484222325ULL;

	snprintf(num, sizeof num, "%u/%d", a->port, (int)v);
	h = fnv(h, a->api);
	h = fnv(h, a->caller);
	h = fnv(h, a->host ? a->host : a->peer_ip);
	h = fnv(h, num);
	h = fnv(h, a->python);
	return h ? h : 1;
}

static int is_pow10(unsigned long n)
{
	while (n >= 10 && n % 10 == 0)
		n /= 10;
	return n == 1;
}

enum { F_LIB, F_HOST, F_HSRC, F_PEER, F_API, F_CALLER, F_RULE, F_ERROR, F_PY };

static void keep(char *dst, size_t cap, const char *src, unsigned *nulls, int bit)
{
	if (src == NULL) {
		*nulls |= 1u << bit;
		dst[0] = 0;
	} else
		snprintf(dst, cap, "%s", src);
}

static const char *kept(const struct site *s, const char *f, int bit)
{
	return (s->nulls & (1u << bit)) ? NULL : f;
}

static void site_fill(struct site *s, const struct ts_attempt *a, enum ts_verdict v, const char *rule)
{
	s->nulls = 0;
	s->verdict = v;
	s->port = a->port;
	keep(s->lib, sizeof s->lib, a->lib, &s->nulls, F_LIB);
	keep(s->host, sizeof s->host, a->host, &s->nulls, F_HOST);
	keep(s->host_source, sizeof s->host_source, a->host_source, &s->nulls, F_HSRC);
	keep(s->peer_ip, sizeof s->peer_ip, a->peer_ip, &s->nulls, F_PEER);
	keep(s->api, sizeof s->api, a->api, &s->nulls, F_API);
	keep(s->caller, sizeof s->caller, a->caller, &s->nulls, F_CALLER);
	keep(s->rule, sizeof s->rule, rule, &s->nulls, F_RULE);
	keep(s->error, sizeof s->error, a->error, &s->nulls, F_ERROR);
	keep(s->python, sizeof s->python, a->python, &s->nulls, F_PY);
}

/* Counts the attempt.  Returns 1 when it must be written, with *count the
 * site's total so far (0 when the table is full and the site is untracked:
 * then the first 100 untracked attempts and every 1000th after are written,
 * without a count). */
int ts_flood_admit(const struct ts_attempt *a, enum ts_verdict v, const char *rule,
		       unsigned long *count)
{
	uint64_t key = site_key(a, v);
	unsigned i, slot;
	struct site *s = NULL;
	int admit;

	pthread_mutex_lock(&site_lock);
	any_site = 1;
	if (sites == NULL)
		sites = calloc(TS_SITES, sizeof(*sites));  /* NULL: every site untracked */
	for (i = 0; sites != NULL && i < TS_SITES; i++) {
		slot = (unsigned)(key + i) & (TS_SITES - 1);
		if (sites[slot].key == key) {
			s = &sites[slot];
			break;
		}
		if (sites[slot].key == 0) {
			if (n_sites < TS_SITES - 1) { /* one slot stays free: probes end */
				s = &sites[slot];
				s->key = key;
				s->count = s->written = 0;
				site_fill(s, a, v, rule);
				n_sites++;
			}
			break;
		}
	}
	if (s == NULL) {
		unsigned long n = ++n_untracked;

		admit = n <= 100 || n % 1000 == 0;
		*count = 0;
	} else {
		s->count++;
		admit = s->count == 1 || is_pow10(s->count);
		if (admit)
			s->written = s->count;
		*count = s->count;
	}
	pthread_mutex_unlock(&site_lock);
	return admit;
}

/* Calls emit, outside the lock, for every site that had attempts after its
 * last record, with the site's final count. */
void ts_flood_drain(ts_flood_emit_fn emit, void *arg)
{
	unsigned i;

	pthread_mutex_lock(&site_lock);
	if (!any_site || sites == NULL) {
		pthread_mutex_unlock(&site_lock);
		return;
	}
	pthread_mutex_unlock(&site_lock);
	for (i = 0; i < TS_SITES; i++) {
		struct site copy;
		struct ts_attempt a;

		pthread_mutex_lock(&site_lock);
		if (sites[i].key == 0 || sites[i].count <= sites[i].written) {
			pthread_mutex_unlock(&site_lock);
			continue;
		}
		sites[i].written = sites[i].count;
		copy = sites[i];
		pthread_mutex_unlock(&site_lock);

		a.lib = kept(&copy, copy.lib, F_LIB);
		a.host = kept(&copy, copy.host, F_HOST);
		a.host_source = kept(&copy, copy.host_source, F_HSRC);
		a.peer_ip = kept(&copy, copy.peer_ip, F_PEER);
		a.port = copy.port;
		a.api = kept(&copy, copy.api, F_API);
		a.caller = kept(&copy, copy.caller, F_CALLER);
		a.python = kept(&copy, copy.python, F_PY);
		a.error = kept(&copy, copy.error, F_ERROR);
		emit(&a, copy.verdict, kept(&copy, copy.rule, F_RULE), copy.count, arg);
	}
}

/* fork: the lock is held across fork() so that the child never inherits it
 * locked by a thread that does not exist there, and a child starts with no
 * counts of its own (the parent's are the parent's to report). */
void ts_flood_fork_prepare(void) { pthread_mutex_lock(&site_lock); }
void ts_flood_fork_parent(void) { pthread_mutex_unlock(&site_lock); }

void ts_flood_fork_child(void)
{
	/* Free the used slots only (key 0 is free): clearing the whole table
	 * would write every page of it in every child, 0.8 ms on each fork()
	 * (a shell's $(...)) of a process that once recorded an attempt. */
	if (sites != NULL && any_site)
		for (unsigned i = 0; i < TS_SITES; i++)
			if (sites[i].key != 0)  /* a read shares the page; a write copies it */
				sites[i].key = 0;
	n_sites = 0;
	n_untracked = 0;
	any_site = 0;
	pthread_mutex_unlock(&site_lock);
}
