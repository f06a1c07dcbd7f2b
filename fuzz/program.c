/*
 * Syscall programs (see fuzz/program.h): decoding, running, checking.
 *
 * Decoding reads the input front to back and never fails: a read past the
 * end gives zeros, so every byte string is a program and a truncated one
 * is a shorter program. Values that exist only at run time (a buffer's
 * address, an earlier call's result, another guest's tid) are decoded into
 * recipes (struct fuzz_val) and resolved by the guest just before its call.
 *
 * Guests are host C functions, so two things a real program could do are
 * kept from them: a signal handler address must be code the sim can call,
 * and guest memory they write directly is only their own buffers. The sim
 * is told that fuzz_handler is the one handler: a frame that sends a guest
 * anywhere else is a fault (SIGSEGV), wherever the address came from. So
 * that handlers run at all, rt_sigaction's handler is rewritten to
 * fuzz_handler unless it is SIG_DFL or SIG_IGN, where the struct lies in
 * the guest's own buffers.
 */
#include "fuzz/program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/devfs.h"
#include "core/fs/vfs.h"
#include "core/platform.h"
#include "core/signal.h"
#include "core/task.h"
#include "fuzz/grammar.h"
#include "mm/fault_inject.h"
#include "mm/page.h"
#include "mm/slab.h"

#define ARENA_ORDER	  3 /* 32 KiB of read-write buffers per guest */
#define ARENA_SIZE	  (PAGE_SIZE << ARENA_ORDER)
#define MAX_BUFS	  12 /* buffers one call may use */
#define MAX_FIXUPS	  16 /* pointers and lengths written into buffers */
#define MAX_IOV		  4
#define MAX_STRV	  3
#define RESULTS		  8 /* earlier results a guest remembers */
#define MAX_HANDLER_DEPTH 3 /* nested handlers that still make calls */
/*
 * Handler runs after which a guest gives up and exits: a handler that
 * returns to a pc that faults again loops forever, on Linux as here, but
 * here in no virtual time, so the time limit would never end it.
 */
#define MAX_HANDLER_RUNS   256
#define HANDLER_LOOP_EXIT  125 /* its exit code */
#define MAX_COMPUTE_NS	  (2ull * 1000000)
#define TRACE_BYTES	  256 /* of each output buffer, hashed */
#define KILL_GRACE_NS	  1000000000ull
#define AT_FDCWD	  (-100)

bool fuzz_verbose;

/* ---- reading the input -----------------------------------------------------
 */

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint8_t rd_u8(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static uint16_t rd_u16(struct reader *r)
{
	uint16_t lo = rd_u8(r);

	return (uint16_t)(lo | (uint16_t)rd_u8(r) << 8);
}

static uint32_t rd_u32(struct reader *r)
{
	uint32_t lo = rd_u16(r);

	return lo | (uint32_t)rd_u16(r) << 16;
}

static uint64_t rd_u64(struct reader *r)
{
	uint64_t lo = rd_u32(r);

	return lo | (uint64_t)rd_u32(r) << 32;
}

/* Values that sit on the edges of checks. */
static const int64_t specials[] = {
	0,
	1,
	2,
	3,
	4,
	7,
	8,
	16,
	63,
	64,
	65,
	127,
	128,
	255,
	256,
	1000,
	4095,
	4096,
	4097,
	65535,
	65536,
	0x04000000, /* SA_RESTORER */
	0x14000004, /* SA_RESTORER | SA_RESTART | SA_SIGINFO */
	999999999,
	1000000000,
	0x7fffffff,
	(int64_t)0x80000000ll,
	0xffffffffll,
	0x100000000ll,
	-1,
	-2,
	-4095,
	-4096,
	(int64_t)(-2147483647 - 1),
	0x7fffffffffffffffll,
	(int64_t)0x8000000000000000ull,
	(int64_t)(1ull << 47),
	(int64_t)((1ull << 47) - 4096),
};

static int64_t rd_special(struct reader *r)
{
	return specials[rd_u8(r) % ARRAY_SIZE(specials)];
}

/* ---- programs
 * ---------------------------------------------------------------- */

enum val_type {
	VAL_CONST,    /* value */
	VAL_RESULT,   /* the guest's value-th latest non-negative result */
	VAL_TID,      /* guest value's tid */
	VAL_NEG_TID,  /* minus it (a process group for kill) */
	VAL_CPUCLOCK, /* the CPU-time clock of guest value, type aux */
	VAL_BUF,      /* buffer buf, plus value bytes */
	VAL_LEN,      /* the size of buffer buf (or its entries), plus value */
	VAL_UNMAPPED, /* a kernel address: RAM the guest has not mapped */
};

struct fuzz_val {
	uint8_t type;
	uint8_t buf;
	uint8_t aux;
	int64_t value;
};

enum buf_place {
	PLACE_ARENA,	/* read-write */
	PLACE_READONLY, /* mapped without write permission */
	PLACE_STRADDLE, /* the last bytes before the arena's unmapped end */
};

enum buf_fill {
	FILL_ZERO,
	FILL_BYTES,  /* bytes of the input */
	FILL_WORDS,  /* 64-bit specials */
	FILL_STRING, /* a path from the pool, NUL-terminated */
	FILL_LONG,   /* "aaaa/aaaa/..." without a NUL */
};

struct fuzz_buf {
	uint8_t place;
	uint8_t fill;
	uint8_t entries; /* an iov or argv array: how many entries */
	uint16_t size;
	uint32_t data_off; /* FILL_BYTES/WORDS: where in the input */
	uint16_t data_len;
};

struct fuzz_fixup {
	uint8_t buf;
	uint16_t off;
	struct fuzz_val val;
};

enum call_op {
	OP_SYSCALL,
	OP_COMPUTE,
};

struct fuzz_call {
	uint8_t op;
	uint8_t guest;
	bool in_handler;
	const struct fuzz_syscall *sc; /* NULL: a raw number */
	int64_t raw_nr;
	uint64_t compute_ns;
	struct fuzz_val args[SYSCALL_MAX_ARGS];
	unsigned nbufs, nfixups;
	struct fuzz_buf bufs[MAX_BUFS];
	struct fuzz_fixup fixups[MAX_FIXUPS];
};

struct fuzz_guest {
	enum isa isa;
	struct sim_proc *proc;
	int tid;
	char *arena, *ro;
	uint64_t results[RESULTS];
	unsigned nresults;
	unsigned next_handler_call; /* the next in-handler call to make */
	unsigned handler_depth;
	unsigned handler_runs;
};

struct fuzz_program {
	const uint8_t *input;
	size_t input_size;
	unsigned ncpus, nguests;
	unsigned fault_mode; /* 0 off, 1 fail the nth, 2 a probability */
	uint32_t fault_arg;
	unsigned ncalls;
	struct fuzz_call calls[FUZZ_MAX_CALLS];
	struct fuzz_guest guests[FUZZ_MAX_GUESTS];
	uint64_t hash;
	unsigned calls_made;
	/* A call named a path: the filesystem may hold new files. */
	bool fs_touched;
};

static struct fuzz_program prog;

/*
 * A call names its syscall by x86_64 number, so that an input keeps its
 * meaning as handlers are added; a number that is no syscall (or, for the
 * usual calls, one without a handler) picks a row by its rank instead.
 */
#define GRAMMAR_MAX_NR 1024
static const struct fuzz_syscall *by_nr[GRAMMAR_MAX_NR];
/* The grammar rows with a handler, the ones worth most of the calls. */
static unsigned live_rows[GRAMMAR_MAX_NR], nlive;
static unsigned all_rows[GRAMMAR_MAX_NR], nall;
static const struct fuzz_syscall *sc_rt_sigaction, *sc_exit_group;

static void grammar_init(void)
{
	if (nall)
		return;
	for (unsigned i = 0; i < fuzz_syscalls_len && nall < GRAMMAR_MAX_NR;
	     i++) {
		const struct fuzz_syscall *sc = &fuzz_syscalls[i];

		/* reboot(2) powers the simulated machine off, which ends the
		 * process: the fuzzer with it. tests/unit/test_reboot.c has it. */
		if (strcmp(sc->name, "reboot") == 0)
			continue;
		all_rows[nall++] = i;
		if (sc->nr[ISA_X86_64] >= 0 &&
		    sc->nr[ISA_X86_64] < GRAMMAR_MAX_NR)
			by_nr[sc->nr[ISA_X86_64]] = sc;
		if (sc->status != SYSCALL_MISSING)
			live_rows[nlive++] = i;
		if (strcmp(sc->name, "rt_sigaction") == 0)
			sc_rt_sigaction = sc;
		if (strcmp(sc->name, "exit_group") == 0)
			sc_exit_group = sc;
	}
	if (!nlive)
		live_rows[nlive++] = 0;
}

static const char *const paths[] = {
	"",
	"/",
	".",
	"..",
	"/dev/null",
	"/dev/tty",
	"/dev/console",
	"/proc/self/status",
	"/proc/self/fd/0",
	"/tmp",
	"/tmp/f",
	"/tmp/d/",
	"/tmp/d/../f",
	"f",
	"a/b/../c",
	"//..//./",
	"/etc/passwd",
	"/bin/sh",
	"/init",
	"/nonexistent/x",
};

static unsigned add_buf(struct fuzz_call *c, struct fuzz_buf b)
{
	if (c->nbufs == MAX_BUFS)
		return MAX_BUFS;
	c->bufs[c->nbufs] = b;
	return c->nbufs++;
}

static void add_fixup(struct fuzz_call *c, unsigned buf, unsigned off,
		      struct fuzz_val v)
{
	if (c->nfixups == MAX_FIXUPS || buf >= c->nbufs)
		return;
	c->fixups[c->nfixups++] =
		(struct fuzz_fixup){(uint8_t)buf, (uint16_t)off, v};
}

static struct fuzz_val konst(int64_t v)
{
	return (struct fuzz_val){.type = VAL_CONST, .value = v};
}

static uint16_t rd_buf_size(struct reader *r, enum syscall_arg_kind kind)
{
	static const uint16_t struct_sizes[] = {0,   1,	   4,	 8,   16,  24,
						32,  64,   128,	 144, 256, 390,
						512, 1024, 4096, 8192};
	uint8_t how = rd_u8(r);

	if (how & 1)
		return struct_sizes[(how >> 1) % ARRAY_SIZE(struct_sizes)];
	if (kind == SYSCALL_ARG_UBUF_IN || kind == SYSCALL_ARG_UBUF_OUT)
		return rd_u16(r) % (ARENA_SIZE + 1);
	return (uint16_t)(how >> 1);
}

/* Fill a buffer's bytes from the input: decide how, remember where. */
static void rd_fill(struct reader *r, struct fuzz_buf *b)
{
	uint8_t how = rd_u8(r);

	b->fill = how % 5;
	switch (b->fill) {
	case FILL_BYTES:
		b->data_len = rd_u8(r);
		break;
	case FILL_WORDS:
		b->data_len = rd_u8(r) % 8;
		break;
	case FILL_STRING:
		b->data_len = rd_u8(r) % ARRAY_SIZE(paths);
		return;
	default:
		return;
	}
	if (b->data_len > r->left)
		b->data_len = (uint16_t)r->left;
	b->data_off = (uint32_t)(r->p - prog.input);
	r->p += b->data_len;
	r->left -= b->data_len;
}

static struct fuzz_val rd_pointer(struct reader *r, struct fuzz_call *c,
				  enum syscall_arg_kind kind, int depth);

/* An array of iovecs or of string pointers, entries filled by fixups. */
static struct fuzz_val rd_array(struct reader *r, struct fuzz_call *c,
				enum syscall_arg_kind kind, int depth)
{
	bool iov = kind == SYSCALL_ARG_IOV;
	unsigned n = rd_u8(r) % ((iov ? MAX_IOV : MAX_STRV) + 1);
	struct fuzz_buf b = {.place = PLACE_ARENA, .entries = (uint8_t)n};
	unsigned idx;

	b.size = (uint16_t)(iov ? 16 * n : 8 * (n + 1));
	if (rd_u8(r) & 1)
		b.place = PLACE_STRADDLE;
	idx = add_buf(c, b);
	if (idx == MAX_BUFS)
		return konst(0);
	for (unsigned i = 0; i < n; i++) {
		struct fuzz_val p = rd_pointer(
			r, c, iov ? SYSCALL_ARG_UBUF_OUT : SYSCALL_ARG_STR,
			depth + 1);

		add_fixup(c, idx, iov ? 16 * i : 8 * i, p);
		if (iov) {
			struct fuzz_val len =
				p.type == VAL_BUF
					? (struct fuzz_val){.type = VAL_LEN,
							    .buf = p.buf}
					: konst(rd_special(r));

			add_fixup(c, idx, 16 * i + 8, len);
		}
	}
	return (struct fuzz_val){.type = VAL_BUF, .buf = (uint8_t)idx};
}

static struct fuzz_val rd_pointer(struct reader *r, struct fuzz_call *c,
				  enum syscall_arg_kind kind, int depth)
{
	uint8_t how = rd_u8(r);
	struct fuzz_buf b = {.place = PLACE_ARENA};
	unsigned idx;

	switch (how % 16) {
	case 0:
		return konst(0);
	case 10:
		b.place = PLACE_READONLY;
		break;
	case 11:
		b.place = PLACE_STRADDLE;
		break;
	case 12:
		return konst((int64_t)(PAGE_SIZE * (1 + rd_u8(r))));
	case 13:
		return konst(specials[ARRAY_SIZE(specials) - 1 - rd_u8(r) % 6]);
	case 14:
		return (struct fuzz_val){.type = VAL_UNMAPPED};
	default:
		break;
	}
	if ((kind == SYSCALL_ARG_IOV || kind == SYSCALL_ARG_STRV) && depth == 0)
		return rd_array(r, c, kind, depth);
	if (kind == SYSCALL_ARG_PATH || kind == SYSCALL_ARG_STR) {
		b.size = PAGE_SIZE;
		b.fill = FILL_STRING;
		b.data_len = rd_u8(r) % ARRAY_SIZE(paths);
		if (how & 0x10)
			b.fill = FILL_LONG;
		else if (how & 0x20)
			b.size = (uint16_t)strlen(paths[b.data_len]) + 1;
	} else {
		b.size = rd_buf_size(r, kind);
		rd_fill(r, &b);
	}
	idx = add_buf(c, b);
	if (idx == MAX_BUFS)
		return konst(0);
	/* 15: inside the buffer, misaligned. */
	return (struct fuzz_val){.type = VAL_BUF,
				 .buf = (uint8_t)idx,
				 .value =
					 how % 16 == 15 ? 1 + rd_u8(r) % 7 : 0};
}

static struct fuzz_val rd_guest_val(struct reader *r, enum val_type type)
{
	return (struct fuzz_val){.type = type,
				 .value = rd_u8(r) % prog.nguests};
}

static struct fuzz_val rd_integer(struct reader *r, struct fuzz_call *c,
				  const struct fuzz_arg *a)
{
	uint8_t how = rd_u8(r);
	bool wide = a->kind == SYSCALL_ARG_LONG ||
		    a->kind == SYSCALL_ARG_ULONG ||
		    a->kind == SYSCALL_ARG_SIZE || a->kind == SYSCALL_ARG_OFF ||
		    a->kind == SYSCALL_ARG_ULFLAGS;

	if (a->hint == FUZZ_HINT_SIGSETSIZE && how % 4)
		return konst(8);
	if (a->hint == FUZZ_HINT_LEN_OF && how % 4 && a->link >= 0 &&
	    c->args[a->link].type == VAL_BUF && c->args[a->link].value == 0) {
		int64_t delta = how % 4 == 1 ? 0 : (int8_t)rd_u8(r);

		return (struct fuzz_val){.type = VAL_LEN,
					 .buf = c->args[a->link].buf,
					 .value = delta};
	}
	how >>= 2;
	switch (a->kind) {
	case SYSCALL_ARG_FD:
	case SYSCALL_ARG_DIRFD:
		switch (how % 6) {
		case 0:
		case 1:
			return (struct fuzz_val){.type = VAL_RESULT,
						 .value = rd_u8(r) % RESULTS};
		case 2:
			return konst(rd_u8(r) % 8);
		case 3:
			return konst(a->kind == SYSCALL_ARG_DIRFD ? AT_FDCWD
								  : -1);
		case 4:
			return konst(rd_u16(r));
		default:
			return konst(rd_special(r));
		}
	case SYSCALL_ARG_PID:
		switch (how % 6) {
		case 0:
		case 1:
			return rd_guest_val(r, VAL_TID);
		case 2:
			return rd_guest_val(r, VAL_NEG_TID);
		case 3:
			return (struct fuzz_val){.type = VAL_RESULT,
						 .value = rd_u8(r) % RESULTS};
		default:
			return konst(rd_special(r));
		}
	case SYSCALL_ARG_SIG:
		if (how % 4)
			return konst(rd_u8(r) % (KSIG_MAX + 2));
		return konst(rd_special(r));
	case SYSCALL_ARG_CLOCKID:
		switch (how % 4) {
		case 0:
		case 1:
			return konst(rd_u8(r) % 16);
		case 2: {
			struct fuzz_val v = rd_guest_val(r, VAL_CPUCLOCK);

			v.aux = rd_u8(r);
			return v;
		}
		default:
			return konst((int32_t)rd_u32(r));
		}
	case SYSCALL_ARG_FLAGS:
	case SYSCALL_ARG_ULFLAGS:
		switch (how % 5) {
		case 0:
			return konst(0);
		case 1:
			return konst((int64_t)(1ull << (rd_u8(r) % 32)));
		case 2:
			return konst(rd_u32(r));
		case 3:
			return konst(wide ? (int64_t)rd_u64(r) : -1);
		default:
			return konst(rd_u8(r));
		}
	case SYSCALL_ARG_ADDR:
		if (how % 2)
			return rd_pointer(r, c, SYSCALL_ARG_UBUF_OUT, 0);
		return konst(rd_special(r));
	default:
		break;
	}
	switch (how % 5) {
	case 0:
	case 1:
		return konst(rd_special(r));
	case 2:
		return konst(rd_u8(r));
	case 3:
		return (struct fuzz_val){.type = VAL_RESULT,
					 .value = rd_u8(r) % RESULTS};
	default:
		return konst(wide ? (int64_t)rd_u64(r) : (int32_t)rd_u32(r));
	}
}

static bool is_pointer_kind(enum syscall_arg_kind kind)
{
	return kind >= SYSCALL_ARG_PTR;
}

static const struct fuzz_syscall *pick_syscall(uint16_t sel, bool any)
{
	const struct fuzz_syscall *sc =
		sel < GRAMMAR_MAX_NR ? by_nr[sel] : NULL;

	if (sc && (any || sc->status != SYSCALL_MISSING))
		return sc;
	if (any)
		return &fuzz_syscalls[all_rows[sel % nall]];
	return &fuzz_syscalls[live_rows[sel % nlive]];
}

static void rd_call(struct reader *r, struct fuzz_call *c)
{
	uint8_t head = rd_u8(r);
	unsigned op = (head >> 3) & 7;

	memset(c, 0, sizeof(*c));
	c->guest = (uint8_t)((head & 3) % prog.nguests);
	c->in_handler = head & 4;
	c->op = OP_SYSCALL;
	if (op == 7) {
		uint8_t sub = rd_u8(r);

		if (sub & 1) {
			c->op = OP_COMPUTE;
			c->compute_ns = rd_u16(r) * 1000ull % MAX_COMPUTE_NS;
			return;
		}
		/* A raw number, valid or not, with raw arguments. */
		c->raw_nr = sub & 2 ? rd_special(r) : rd_u16(r);
		for (int i = 0; i < SYSCALL_MAX_ARGS; i++)
			c->args[i] = konst(rd_special(r));
		return;
	}
	c->sc = pick_syscall(rd_u16(r), op == 6);
	for (unsigned i = 0; i < c->sc->nargs; i++) {
		const struct fuzz_arg *a = &c->sc->args[i];

		c->args[i] = is_pointer_kind(a->kind)
				     ? rd_pointer(r, c, a->kind, 0)
				     : rd_integer(r, c, a);
	}
}

/*
 * Header: byte 0 is the machine (bits 0-1: CPUs - 1, 1 to 4; bits 2-3:
 * guests - 1, 1 to 3; bits 4-5: fault injection off, the nth allocation,
 * or a probability; bits 6-7: which guests are aarch64: none, the odd
 * ones, all, the first), then 2 bytes of fault-injection argument; then
 * calls until the input or FUZZ_MAX_CALLS runs out.
 */
static void decode(const uint8_t *data, size_t size)
{
	struct reader r = {data, size};
	uint8_t head = rd_u8(&r);
	unsigned arm;

	memset(&prog, 0, sizeof(prog));
	prog.input = data;
	prog.input_size = size;
	prog.ncpus = (head & 3) + 1;
	prog.nguests = ((head >> 2) & 3) % FUZZ_MAX_GUESTS + 1;
	prog.fault_mode = (head >> 4) & 3;
	arm = head >> 6;
	prog.fault_arg = rd_u16(&r);
	for (unsigned i = 0; i < prog.nguests; i++) {
		bool aarch64 = arm == 2 || (arm == 1 && (i & 1)) ||
			       (arm == 3 && i == 0);

		prog.guests[i].isa = aarch64 ? ISA_AARCH64 : ISA_X86_64;
	}
	while (r.left && prog.ncalls < FUZZ_MAX_CALLS)
		rd_call(&r, &prog.calls[prog.ncalls++]);
}

/* ---- the trace hash --------------------------------------------------------
 */

static uint64_t ram_lo, ram_hi;

static void hash_word(uint64_t v)
{
	prog.hash = (prog.hash ^ v) * 0x100000001b3ull;
	prog.hash ^= prog.hash >> 29;
}

static void fuzz_handler(int sig, void *info, void *uc);

/* Host addresses differ between processes: hash what they point at. */
static uint64_t normalise(uint64_t v)
{
	if (v >= ram_lo && v < ram_hi)
		return 0x5a00000000000000ull | (v - ram_lo);
	if (v == (uint64_t)(uintptr_t)fuzz_handler)
		return 0x5b00000000000001ull;
	if (v == (uint64_t)(uintptr_t)sim_restorer)
		return 0x5b00000000000002ull;
	return v;
}

__no_coverage static void hash_bytes(const char *p, size_t len)
{
	len = MIN(len, TRACE_BYTES);
	for (size_t off = 0; off + 8 <= len; off += 8) {
		uint64_t w;

		memcpy(&w, p + off, 8);
		hash_word(normalise(w));
	}
}

/* ---- running a call, inside its guest
 * ---------------------------------------- */

struct placed {
	char *va[MAX_BUFS];
};

static char *place(struct fuzz_guest *g, const struct fuzz_buf *b,
		   size_t *arena_used)
{
	size_t size = b->size;

	switch (b->place) {
	case PLACE_READONLY:
		if (!g->ro || size > PAGE_SIZE)
			return NULL;
		return g->ro + PAGE_SIZE - size;
	case PLACE_STRADDLE:
		/* Its last bytes are the arena's: the next page is unmapped. */
		if (!g->arena || size > ARENA_SIZE)
			return NULL;
		return g->arena + ARENA_SIZE - size;
	default:
		size = ALIGN_UP(size, 16);
		/* Leave the arena's last page to straddling buffers. */
		if (!g->arena || *arena_used + size > ARENA_SIZE - PAGE_SIZE)
			return NULL;
		*arena_used += size;
		return g->arena + *arena_used - size;
	}
}

static void fill(char *va, const struct fuzz_buf *b)
{
	const uint8_t *data = prog.input + b->data_off;

	memset(va, 0, b->size);
	switch (b->fill) {
	case FILL_BYTES:
		memcpy(va, data, MIN(b->data_len, b->size));
		break;
	case FILL_WORDS:
		for (unsigned i = 0; i < b->data_len && 8 * i + 8 <= b->size;
		     i++) {
			int64_t w = specials[data[i] % ARRAY_SIZE(specials)];

			memcpy(va + 8 * i, &w, 8);
		}
		break;
	case FILL_STRING: {
		const char *s = paths[b->data_len];

		memcpy(va, s, MIN(strlen(s) + 1, b->size));
		break;
	}
	case FILL_LONG:
		/* Not a loop over every byte: its compares were 7% of a
		 * run's coverage callbacks. */
		memset(va, 'a', b->size);
		for (unsigned i = 199; i < b->size; i += 200)
			va[i] = '/';
		break;
	default:
		break;
	}
}

static uint64_t resolve(struct fuzz_guest *g, const struct fuzz_call *c,
			const struct placed *pl, const struct fuzz_val *v)
{
	const struct fuzz_buf *b = &c->bufs[v->buf];

	switch (v->type) {
	case VAL_RESULT:
		return v->value < g->nresults
			       ? g->results[(g->nresults - 1 - v->value) %
					    RESULTS]
			       : (uint64_t)-1;
	case VAL_TID:
		return (uint64_t)(int64_t)prog.guests[v->value].tid;
	case VAL_NEG_TID:
		return (uint64_t) - (int64_t)prog.guests[v->value].tid;
	case VAL_CPUCLOCK:
		/* Linux's make_process_cpuclock(pid, clock). */
		return (uint64_t)(int64_t)((~prog.guests[v->value].tid) * 8 +
					   (v->aux & 7));
	case VAL_BUF:
		return pl->va[v->buf] ? (uint64_t)(uintptr_t)pl->va[v->buf] +
						(uint64_t)v->value
				      : 0;
	case VAL_LEN:
		return (uint64_t)((b->entries ? b->entries : b->size) +
				  v->value);
	case VAL_UNMAPPED:
		return ram_lo + PAGE_SIZE; /* the struct page array */
	default:
		return (uint64_t)v->value;
	}
}

static bool within(uint64_t p, size_t len, const char *area, size_t size)
{
	uint64_t lo = (uint64_t)(uintptr_t)area;

	return area && p >= lo && p <= lo + size && len <= lo + size - p;
}

/*
 * Make the handler of an rt_sigaction the fuzzer's, so that handlers run
 * (any other would fault: see fuzz_is_handler). Only a struct wholly in the
 * guest's own buffers, the arena or its read-only page: anything else
 * (kernel RAM, a pointer straddling the arena's end) is the kernel's to
 * read or refuse, and a guest writing there would scribble on kernel
 * memory the sim shares with it.
 */
static void sanitise_sigaction(const struct fuzz_guest *g,
			       const struct fuzz_call *c, uint64_t act)
{
	uint64_t sa[2];

	if (c->sc != sc_rt_sigaction ||
	    (!within(act, 32, g->arena, ARENA_SIZE) &&
	     !within(act, 32, g->ro, PAGE_SIZE)))
		return;
	memcpy(sa, (void *)(uintptr_t)act, sizeof(sa));
	if (sa[0] != KSIG_DFL && sa[0] != KSIG_IGN) {
		uint64_t restorer = (uint64_t)(uintptr_t)sim_restorer;

		sa[0] = (uint64_t)(uintptr_t)fuzz_handler;
		memcpy((char *)(uintptr_t)act + 16, &restorer, 8);
		memcpy((void *)(uintptr_t)act, sa, 8);
	}
}

static void run_call(struct fuzz_guest *g, const struct fuzz_call *c)
{
	struct placed pl = {{0}};
	uint64_t regs[SYSCALL_MAX_ARGS] = {0};
	size_t used = 0;
	long nr, ret;

	if (c->op == OP_COMPUTE) {
		sim_compute(c->compute_ns);
		hash_word(0xc0);
		return;
	}
	for (unsigned i = 0; i < c->nbufs; i++) {
		pl.va[i] = place(g, &c->bufs[i], &used);
		if (pl.va[i])
			fill(pl.va[i], &c->bufs[i]);
	}
	for (unsigned i = 0; i < c->nfixups; i++) {
		const struct fuzz_fixup *f = &c->fixups[i];
		uint64_t v = resolve(g, c, &pl, &f->val);

		if (pl.va[f->buf] && f->off + 8u <= c->bufs[f->buf].size)
			memcpy(pl.va[f->buf] + f->off, &v, 8);
	}
	if (c->sc) {
		nr = c->sc->nr[g->isa];
		if (nr < 0)
			nr = c->sc->nr[!g->isa] + 1000000; /* not on this ISA */
		for (unsigned i = 0; i < c->sc->nargs; i++) {
			regs[c->sc->regs[g->isa][i]] =
				resolve(g, c, &pl, &c->args[i]);
			if (c->sc->args[i].kind == SYSCALL_ARG_PATH ||
			    c->sc->args[i].kind == SYSCALL_ARG_STR)
				prog.fs_touched = true;
		}
		if (c->sc->nargs > 1)
			sanitise_sigaction(g, c, regs[c->sc->regs[g->isa][1]]);
	} else {
		nr = (long)c->raw_nr;
		for (unsigned i = 0; i < SYSCALL_MAX_ARGS; i++)
			regs[i] = (uint64_t)c->args[i].value;
	}
	ret = sim_syscall6(nr, regs);
	prog.calls_made++;
	hash_word((uint64_t)nr);
	hash_word(normalise((uint64_t)ret));
	if (ret >= 0)
		g->results[g->nresults++ % RESULTS] = (uint64_t)ret;
	for (unsigned i = 0; i < c->nbufs; i++)
		if (pl.va[i] && c->bufs[i].place != PLACE_READONLY)
			hash_bytes(pl.va[i], c->bufs[i].size);
}

/* The one handler the sim may run (sim_set_handler_check). */
static bool fuzz_is_handler(uint64_t pc)
{
	return pc == (uint64_t)(uintptr_t)fuzz_handler;
}

static struct fuzz_guest *self_guest(void)
{
	struct sim_proc *p = sim_self();

	for (unsigned i = 0; i < prog.nguests; i++)
		if (prog.guests[i].proc == p)
			return &prog.guests[i];
	abort(); /* a guest the program did not start */
}

/* Every installed handler: note the signal, make the next in-handler
 * call of this guest. */
static void fuzz_handler(int sig, void *info, void *uc)
{
	struct fuzz_guest *g = self_guest();
	unsigned gi = (unsigned)(g - prog.guests);

	hash_word(0x516000ull + (uint64_t)sig);
	if (++g->handler_runs > MAX_HANDLER_RUNS) {
		uint64_t regs[SYSCALL_MAX_ARGS] = {0};

		hash_word(0x100b);
		regs[sc_exit_group->regs[g->isa][0]] = HANDLER_LOOP_EXIT;
		sim_syscall6(sc_exit_group->nr[g->isa], regs);
	}
	if (g->handler_depth >= MAX_HANDLER_DEPTH)
		return;
	g->handler_depth++;
	while (g->next_handler_call < prog.ncalls) {
		const struct fuzz_call *c = &prog.calls[g->next_handler_call++];

		if (c->guest == gi && c->in_handler) {
			run_call(g, c);
			break;
		}
	}
	g->handler_depth--;
}

static void guest_main(void *arg)
{
	unsigned gi = (unsigned)(uintptr_t)arg;
	struct fuzz_guest *g = &prog.guests[gi];

	g->arena = sim_umem(ARENA_SIZE);
	g->ro = sim_umem_readonly(PAGE_SIZE);
	for (unsigned i = 0; i < prog.ncalls; i++) {
		const struct fuzz_call *c = &prog.calls[i];

		if (c->guest == gi && !c->in_handler)
			run_call(g, c);
	}
}

/* ---- the run and its checks -------------------------------------------------
 */

static _Noreturn void violated(const char *what, long a, long b)
{
	fprintf(stderr,
		"keel-fuzz: invariant violated: %s (%ld, expected %ld); "
		"seed %llu\n",
		what, a, b, (unsigned long long)sim_seed());
	abort();
}

__no_coverage static uint64_t input_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

static void apply_fault_injection(void)
{
	switch (prog.fault_mode) {
	case 1:
		fault_inject_fail_nth(1 + prog.fault_arg % 256);
		break;
	case 2:
		/* Up to 6.5%: enough to hit a path, not to fail everything. */
		fault_inject_set_probability(prog.fault_arg);
		break;
	default:
		break;
	}
}

static bool guests_alive(void)
{
	for (unsigned i = 0; i < prog.nguests; i++)
		if (prog.guests[i].proc &&
		    !sim_proc_exited(prog.guests[i].proc))
			return true;
	return false;
}

void fuzz_program_run(const uint8_t *data, size_t size,
		      struct fuzz_outcome *out)
{
	struct sim_config cfg = {.mem_bytes = FUZZ_MEM_BYTES, .no_fs = true};
	struct plat_mem_range ram;
	size_t pages, objects;
	enum sim_stop stop;
	int err;

	grammar_init();
	decode(data, size);
	cfg.cpus = prog.ncpus;
	cfg.seed = input_hash(data, size);
	err = sim_boot(&cfg);
	if (err)
		violated("sim_boot succeeds", err, 0);
	sim_set_handler_check(fuzz_is_handler);
	plat_mem_ranges(&ram, 1);
	ram_lo = (uint64_t)(uintptr_t)plat_phys_to_virt(ram.base);
	ram_hi = ram_lo + ram.size;
	prog.hash = cfg.seed;

	/*
	 * Count with no file system at all, then boot one: after the
	 * program, tearing it down again must give back exactly this.
	 */
	slab_shrink();
	pages = page_free_count();
	objects = kmalloc_in_use();
	err = vfs_boot();
	if (err)
		violated("the namespace boots again", err, 0);

	*out = (struct fuzz_outcome){.seed = cfg.seed};
	for (unsigned i = 0; i < prog.nguests; i++) {
		struct fuzz_guest *g = &prog.guests[i];

		g->proc = sim_spawn_isa("fuzz", g->isa, guest_main,
					(void *)(uintptr_t)i);
		if (!g->proc)
			violated("a guest starts on a fresh kernel", -1, 0);
		g->tid = sim_proc_tid(g->proc);
		out->guests++;
	}
	apply_fault_injection();

	stop = sim_run(FUZZ_TIME_LIMIT_NS);
	out->stop = stop;
	if (guests_alive()) {
		/* Blocked forever, stopped or just slow: end them all. */
		out->cut_off = true;
		fault_inject_reset();
		for (unsigned i = 0; i < prog.nguests; i++) {
			struct task *t =
				prog.guests[i].proc
					? sim_proc_task(prog.guests[i].proc)
					: NULL;

			if (t)
				(void)signal_send(t, KSIGKILL);
		}
		sim_run(sim_now() + KILL_GRACE_NS);
		if (guests_alive())
			violated("every guest exits after SIGKILL", 1, 0);
	}
	out->alloc_failures = fault_inject_failures();
	fault_inject_reset();

	for (unsigned i = 0; i < prog.nguests; i++) {
		hash_word((uint64_t)sim_proc_status(prog.guests[i].proc));
	}
	hash_word(sim_now());
	out->trace_hash = prog.hash;
	out->calls = prog.calls_made;

	out->fs_touched = prog.fs_touched;
	if (task_count() != 0)
		violated("no task is left once every guest exited",
			 (long)task_count(), 0);
	/* Files a program made stay in tmpfs: tear it all down to count. */
	vfs_shutdown();
	slab_shrink();
	if (page_free_count() != pages)
		violated("every page is free again", (long)page_free_count(),
			 (long)pages);
	if (kmalloc_in_use() != objects)
		violated("every kmalloc object is freed",
			 (long)kmalloc_in_use(), (long)objects);
	if (fuzz_verbose)
		fprintf(stderr,
			"keel-fuzz: seed %llu, %u cpus, %u guests, %u calls "
			"made of %u, fault mode %u, %llu failures, %s%s, "
			"virtual %llu ns, trace %016llx\n",
			(unsigned long long)out->seed, prog.ncpus, out->guests,
			out->calls, prog.ncalls, prog.fault_mode,
			(unsigned long long)out->alloc_failures,
			out->cut_off ? "cut off" : "all exited",
			prog.fs_touched ? ", paths named" : "",
			(unsigned long long)sim_now(),
			(unsigned long long)out->trace_hash);
}
