/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PK_CONF_PVT_H
#define PK_CONF_PVT_H

/*
 * The configuration language's insides (pk_conf.h is the API), shared by its
 * parts, one per seam: conf_util.c (memory, errors, names, files), conf_lex.c
 * (tokens; conf_lex.h), conf_parse.c (statements into the records below),
 * conf_key.c (demux keys), conf_check.c (kinds, arguments, names, paths),
 * conf_chain.c (chains into edges), conf_graph.c (what moves packets over
 * each edge), conf_build.c (objects), conf_api.c (the entry points),
 * conf_dot.c (Graphviz and statistics), conf_reload.c (a new generation
 * built beside the running one and switched in), conf_move.c (the packets
 * it carries over). Parsing and checking touch no DPDK
 * object and need no EAL, so --check, --dot and the fuzzer run without
 * one; only conf_build.c creates anything. Not installed.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include <pathkit/pk_conf.h>
#include <pathkit/pk_flow.h>
#include <pathkit/pk_owner.h>
#include <pathkit/pk_stage.h>

#define CONF_NAME_MAX PK_STAGE_NAMESIZE /* names, NUL included */
#define CONF_VALUE_MAX 256              /* a value, after $ expansion */
#define CONF_INCLUDE_DEPTH 8            /* include within include ... */
#define CONF_FILE_MAX (1u << 20)        /* bytes of one file */

/* Where something was written: file index, line and column (from 1). */
struct conf_pos {
	uint32_t file;
	uint32_t line;
	uint32_t col;
};

/* key=value, as written (value after $ expansion). */
struct conf_arg {
	char *key;
	char *val;
	struct conf_pos pos;  /* of the key */
	struct conf_pos vpos; /* of the value */
};

struct conf_args {
	struct conf_arg *v;
	unsigned int n, cap;
};

/* What a kind is, for the graph: from its caps, or its API (demux, sched). */
enum conf_role {
	ROLE_UNKNOWN = 0, /* no caps declared: checked only when built */
	ROLE_THREAD,      /* pulls from one stage, pushes into another */
	ROLE_PROC,        /* pushed or pulled through */
	ROLE_QUEUE,       /* pushed into, pulled from */
	ROLE_SOURCE,      /* pulled from only (port_rx) */
	ROLE_SINK,        /* pushed into only (port_tx) */
	ROLE_DEMUX,       /* pushed into, pushes into its keys' targets */
	ROLE_SCHED,       /* pulls its queues, pulled from */
};

struct conf_stage {
	char name[CONF_NAME_MAX];
	char *kind;
	struct conf_args args;
	struct conf_pos pos;  /* of its name, where declared */
	struct conf_pos kpos; /* of its kind */
	/* check */
	const struct pk_stage_kind *k;
	uint32_t caps;
	enum conf_role role;
	int path;           /* the path it belongs to, or -1 */
	int runner;         /* a runner= argument's runner, or -1 */
	int lcore;          /* an lcore= argument, or -1 */
	const char *policy; /* a scheduler's policy (NULL: its default) */
	bool drop_sink;     /* a drops statement's sink: linked to that */
	/* build */
	struct pk_stage *s;
	bool owned;         /* destroyed by the conf, not by its path */
	bool adopted;       /* s is the running generation's (path swap) */
};

/* [output] or [key=value, ...] after a stage in a chain. */
struct conf_br {
	struct conf_pos pos;
	char *out;             /* an output name, or NULL */
	struct conf_args args; /* or input parameters */
};

/* One mention of a stage or path in a chain. */
struct conf_occ {
	char name[CONF_NAME_MAX];
	struct conf_pos pos;
	struct conf_br *br;
};

struct conf_chain {
	struct conf_occ *v;
	unsigned int n, cap;
	int path; /* written in this path's body, or -1 */
};

/* How packets cross an edge. */
enum conf_mode {
	MODE_UNDECIDED = 0,
	MODE_PUSH,   /* a pushes into b */
	MODE_PULL,   /* b pulls from a */
	MODE_KEY,    /* a demux pushes into b, for the keys naming b */
	MODE_ATTACH, /* a scheduler b pulls from its queue a */
};

/* An edge's end: a stage for the graph, a path's stage when built. */
struct conf_end {
	int st;   /* the stage (a path's head or tail member) */
	int path; /* >= 0: written as, or reaching into, this path */
};

struct conf_edge {
	struct conf_end a, b;
	struct conf_pos pos;    /* of b's mention */
	enum conf_mode mode;
	bool internal;          /* inside a path: pk_path_create links it */
	const char *out;        /* a demux's output name, or NULL */
	bool has_param;         /* a scheduler input's parameter was given */
	uint32_t param;
	int qid;                /* built: the scheduler input's queue id */
};

struct conf_path {
	char name[CONF_NAME_MAX];
	struct conf_pos pos;
	struct conf_args args;
	/* check */
	int *member;            /* stages, head first */
	unsigned int n;
	int owner;              /* index in owners, or -1 for "unknown" */
	uint32_t tail, acct, flags;
	/* build */
	struct pk_path *p;
	bool adopted;           /* p is the running generation's (swap) */
};

struct conf_runner {
	char name[CONF_NAME_MAX];
	struct conf_pos pos;
	struct conf_args args;
	int lcore;
	unsigned int threads;
	struct pk_runner *r;
	bool adopted;           /* r is the running generation's (reload) */
};

struct conf_port {
	char *spec;             /* id or device name */
	struct conf_pos pos;
	struct conf_args args;
	uint16_t rxq, txq, rxd, txd;
	bool promisc;
	uint16_t id;
	bool started;           /* set up by this conf: stopped at teardown */
	bool adopted;           /* up already, the running generation's */
};

struct conf_owner {
	char name[PK_OWNER_NAMESIZE];
	struct conf_pos pos;
	int id;
	bool created;
};

struct conf_key {
	char demux[CONF_NAME_MAX];
	struct conf_pos pos, dpos;
	char *out;                  /* via a named output, or NULL */
	char target[CONF_NAME_MAX]; /* or straight to a stage or path */
	struct conf_pos tpos;
	struct pk_flow_key key;
	char text[128];             /* as written, for errors and the graph */
	int d;
	struct conf_end t;
};

/* "drops FROM -> SINK": FROM's drops are pushed into SINK. */
struct conf_drop {
	struct conf_occ from, sink; /* as written (no bracket) */
	struct conf_end f, s;       /* resolved: a stage, or a path */
};

struct conf_define {
	char *name;
	char *val;
	struct conf_pos pos;
	bool fixed; /* from the parameters: the file's define is ignored */
};

struct conf_file {
	char *name;
	char *text;
	size_t len;
};

/* Names of stages, paths and runners: one namespace, hashed. */
enum conf_name_type { NAME_STAGE = 1, NAME_PATH, NAME_RUNNER };

struct conf_name {
	char name[CONF_NAME_MAX]; /* a copy: the records' arrays move */
	enum conf_name_type type;
	int idx;
};

#define CONF_VEC(type)                                                         \
	struct {                                                               \
		type *v;                                                       \
		unsigned int n, cap;                                           \
	}

struct pk_conf {
	struct pk_conf_params par;
	FILE *err;
	unsigned int nerr;
	CONF_VEC(struct conf_file) files;
	CONF_VEC(struct conf_define) defines;
	CONF_VEC(struct conf_stage) stages;
	CONF_VEC(struct conf_chain) chains;
	CONF_VEC(struct conf_path) paths;
	CONF_VEC(struct conf_runner) runners;
	CONF_VEC(struct conf_port) ports;
	CONF_VEC(struct conf_owner) owners;
	CONF_VEC(struct conf_key) keys;
	CONF_VEC(struct conf_edge) edges;
	CONF_VEC(struct conf_drop) drops;
	struct conf_pmaps *pmaps; /* port maps (conf_portmap.c), or NULL */
	struct conf_name *names; /* open addressing, a power of two */
	unsigned int names_n, names_cap;
	bool built, started;
	/* reload (conf_reload.c): the generation running while this one is
	 * built beside it, whose runners and ports this one takes over */
	const struct pk_conf *from;
	int swap_path;          /* with from: the one path built anew; the
				 * rest is from's (conf_swap.c), or -1 */
	struct pk_conf_reload_stats reloads; /* every reload's, summed */
};

/* ---- conf_util.c: memory, errors, names, files ---- */

/*
 * Make room for element n of the array *pv (its pointer, passed by
 * address) of *cap elements of size bytes. @return 0, or -ENOMEM (reported).
 */
int conf_grow(struct pk_conf *c, void *pv, unsigned int *cap, unsigned int n,
	      size_t size);

/* Append a zeroed element to a CONF_VEC: a pointer to it, or NULL. */
#define CONF_ADD(c, vec)                                                       	({                                                                     		__typeof__((vec).v) conf_add_ = NULL;                          		if (conf_grow((c), &(vec).v, &(vec).cap, (vec).n,              			      sizeof(*(vec).v)) == 0) {                        			conf_add_ = &(vec).v[(vec).n++];                       			memset(conf_add_, 0, sizeof(*conf_add_));              		}                                                              		conf_add_;                                                     	})

/* strdup, or NULL with an error reported. */
char *conf_strdup(struct pk_conf *c, const char *s);

/*
 * Report an error at pos: "file:line:col: message", one line on the
 * error stream. @return -EINVAL, for "return conf_err(...)".
 */
int conf_err(struct pk_conf *c, const struct conf_pos *pos, const char *fmt,
	     ...) __rte_format_printf(3, 4);

/* Enough errors: stop looking for more. */
bool conf_enough(const struct pk_conf *c);

/* "file:line:col" of pos, for "first at ..." in messages. */
const char *conf_where(const struct pk_conf *c, const struct conf_pos *pos,
		       char *buf, size_t size);

/* Quote user text for a message (pk_parse_quote() into buf). */
const char *conf_quote(const char *s, char *buf, size_t size);

/*
 * The candidate nearest to word by edit distance, if near enough to be a
 * likely typo; NULL otherwise.
 */
const char *conf_nearest(const char *word, const char *const *cands,
			 unsigned int n);

/* Add name to the namespace. @return 0, -EEXIST (*prev: the holder). */
int conf_name_add(struct pk_conf *c, const char *name,
		  enum conf_name_type type, int idx,
		  const struct conf_name **prev);

/* @return the holder of name, or NULL. */
const struct conf_name *conf_name_find(const struct pk_conf *c,
				       const char *name);

/* The define called name, or NULL. */
struct conf_define *conf_define_find(struct pk_conf *c, const char *name);

/* Free what parsing and checking allocated, c too (no object is built). */
void conf_free(struct pk_conf *c);

/* Load a file into c->files. @return its index, or -errno (reported). */
int conf_file_load(struct pk_conf *c, const char *path,
		   const struct conf_pos *from);

/* Add text as a file named name. @return its index, or -ENOMEM. */
int conf_file_add(struct pk_conf *c, const char *name, const char *text,
		  size_t len);

/* ---- conf_args.c: reading arguments once parsed ---- */

/* The value of key in a, or NULL. */
const char *conf_arg(const struct conf_args *a, const char *key);

/* The position of key's value in a (or fallback if absent). */
const struct conf_pos *conf_arg_pos(const struct conf_args *a,
				    const char *key,
				    const struct conf_pos *fallback);

/*
 * Read key's value as an integer in [min, max]; absent: *v = dflt.
 * @return 0, or -EINVAL (reported at the value).
 */
int conf_arg_u64(struct pk_conf *c, const struct conf_args *a,
		 const char *key, uint64_t min, uint64_t max, uint64_t dflt,
		 uint64_t *v);

/*
 * Every key of a must be one of keys (NULL-terminated): the others are
 * reported ("what takes ..."). @return 0 or -EINVAL.
 */
int conf_args_only(struct pk_conf *c, const struct conf_args *a,
		   const char *what, const char *const *keys);

/* ---- conf_parse.c ---- */

/* Parse file number file (and what it includes) into c. @return 0 or -errno. */
int conf_parse(struct pk_conf *c, uint32_t file);

/* ---- conf_key.c ---- */

/* Resolve every key's demux and target; add their edges. */
int conf_check_keys(struct pk_conf *c);

/* ---- conf_drops.c: drops statements ---- */

/* Resolve them: sources, sinks that take pushes, no loop. 0/-EINVAL. */
int conf_check_drops(struct pk_conf *c);

/* Set the built sources' drop sinks (those a path swap builds). */
int conf_build_drops(struct pk_conf *c);

/*
 * A reload or path swap of run by nc: drop sinks set from C (not by a
 * drops statement) on run's objects go to nc's of the same names; a drop
 * sink anywhere that is one of run's objects nc does not keep becomes
 * nc's of its name, or the reload is refused (reported). after false:
 * check, and set nc's own (before the switch); true: the switch is done,
 * move the others (stages outside both, and those nc took over).
 * @return 0 or -EINVAL.
 */
int conf_drops_carry(const struct pk_conf *run, struct pk_conf *nc,
		     bool after);

/* ---- conf_check.c, conf_chain.c, conf_graph.c ---- */

/* An occurrence's name: a stage (*st) or a path (*path), or an error. */
int conf_chain_resolve(struct pk_conf *c, const struct conf_occ *o, int *st,
		       int *path);


/* Every check; edges, roles and paths' members filled. @return 0/-EINVAL. */
int conf_check(struct pk_conf *c);

/* Paths' members and the edges of every chain (conf_chain.c). */
int conf_check_chains(struct pk_conf *c);

/* Runners with no thread; lcores claimed twice. */
int conf_check_lcores(struct pk_conf *c);

/* The name of a pktsched policy's input parameter ("weight"), or NULL. */
const char *conf_policy_param(const char *policy);

/* Edge modes, threads, fan in and out, cycles, unconnected stages, lcores. */
int conf_check_graph(struct pk_conf *c);

/* An edge from a to b (an error reported if out of memory). */
struct conf_edge *conf_edge_add(struct pk_conf *c, struct conf_end a,
				struct conf_end b, const struct conf_pos *pos);

/* The name of an edge end as written: the path's name or the stage's. */
const char *conf_end_name(const struct pk_conf *c, struct conf_end e);

/* ---- conf_build.c ---- */

/* The library's log, while one call runs (its reason, if it fails). */
struct conf_logcap {
	FILE *old, *mem;
	char *buf;
	size_t len;
};

/* Send the log to memory. */
void conf_cap_begin(struct conf_logcap *lc);

/*
 * Stop capturing. rc 0: what was logged goes to the log after all;
 * otherwise its first line, less "pathkit: " and "name: " (the caller's
 * message names the object), is the reason (rte_strerror(rc) if nothing
 * was logged), written to why.
 */
const char *conf_cap_end(struct conf_logcap *lc, int rc, const char *name,
			 char *why, size_t size);

/* Destroy whatever was built, in reverse; safe on a half-built conf. */
void conf_teardown(struct pk_conf *c);

/*
 * Start c's threads, then its runners, up to the first failure (reported
 * on c). taken_over: a runner already running (a reload took it over)
 * counts as started. @return 0 or that failure's -errno; the caller stops
 * what started.
 */
int conf_start_all(struct pk_conf *c, bool taken_over);

/* reload and swap (conf_reload.c, conf_move.c, conf_swap*.c): conf_reload_pvt.h */

/* ---- conf_portmap.c: portmap and reserve statements ---- */

struct conf_lex;
int conf_parse_portmap(struct conf_lex *l);  /* l at the keyword */
int conf_parse_reserve(struct conf_lex *l);  /* l at the keyword */
int conf_portmap_check(struct pk_conf *c);   /* after the stages' */
int conf_portmap_build(struct pk_conf *c);   /* after the owners */
/* Bind (or unbind) key k in the map guarding its demux; why: a refusal's
 * reason. @return 0, or pm_key_bind()'s errors. */
int conf_portmap_key(struct pk_conf *c, const struct conf_key *k, bool bind,
		     char *why, size_t size);
void conf_portmap_teardown(struct pk_conf *c); /* after the stages */
void conf_portmap_free(struct pk_conf *c);

#endif /* PK_CONF_PVT_H */
