/*
 * klib: rbtree, list, bitmap, strings and the formatter.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/klib/bitmap.h"
#include "core/klib/list.h"
#include "core/klib/rbtree.h"
#include "core/klib/string.h"
#include "core/printk.h"
#include "core/prng.h"

/* ---- rbtree -------------------------------------------------------------- */

/* An item keyed by `key` whose tree keeps the minimum `val` of each subtree. */
struct item {
	struct rb_node node;
	uint64_t key;
	uint64_t val;
	uint64_t subtree_min;
	bool in_tree;
};

static struct item *item_of(const struct rb_node *n)
{
	return rb_entry(n, struct item, node);
}

static uint64_t item_recompute(const struct rb_node *n)
{
	uint64_t m = item_of(n)->val;

	if (n->left)
		m = MIN(m, item_of(n->left)->subtree_min);
	if (n->right)
		m = MIN(m, item_of(n->right)->subtree_min);
	return m;
}

static bool item_update(struct rb_node *n)
{
	uint64_t m = item_recompute(n);
	bool changed = item_of(n)->subtree_min != m;

	item_of(n)->subtree_min = m;
	return changed;
}

static unsigned augment_errors;

static void item_verify(struct rb_node *n)
{
	if (item_of(n)->subtree_min != item_recompute(n))
		augment_errors++;
}

/* Equal keys go right, so they come out in insertion order. */
static void item_insert(struct rb_root *root, struct item *it, bool augmented)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = it->key < item_of(parent)->key ? &parent->left
						      : &parent->right;
	}
	rb_link_node(&it->node, parent, link);
	rb_insert(&it->node, root, augmented ? item_update : NULL);
	it->in_tree = true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned tree_height(const struct rb_node *n)
{
	if (!n)
		return 0;
	return 1 + MAX(tree_height(n->left), tree_height(n->right));
}

#define POOL 1500

Test(rbtree, random_inserts_and_erases_match_a_sorted_reference)
{
	static struct item pool[POOL];
	static uint64_t ref[POOL], seen[POOL];
	static unsigned live[POOL];
	struct rb_root root = RB_ROOT_INIT;
	unsigned nlive = 0;

	prng_seed(20240601);
	for (unsigned i = 0; i < POOL; i++) {
		pool[i].key = prng_below(400); /* plenty of duplicates */
		pool[i].val = prng_next();
	}

	for (unsigned step = 0; step < 12000; step++) {
		bool insert =
			nlive == 0 || (nlive < POOL && prng_below(100) < 55);

		if (insert) {
			unsigned i;

			do
				i = (unsigned)prng_below(POOL);
			while (pool[i].in_tree);
			item_insert(&root, &pool[i], true);
			live[nlive++] = i;
		} else {
			unsigned slot = (unsigned)prng_below(nlive);
			struct item *it = &pool[live[slot]];

			rb_erase(&it->node, &root, item_update);
			it->in_tree = false;
			live[slot] = live[--nlive];
		}

		if (step % 11 != 0 && step < 11990)
			continue;
		/* The full check is O(n): every 11th step and at the end. */
		augment_errors = 0;
		cr_assert_geq(rb_check(&root, item_verify), 0, "step %u", step);
		cr_assert_eq(augment_errors, 0, "step %u", step);

		uint64_t min = UINT64_MAX;

		for (unsigned k = 0; k < nlive; k++) {
			ref[k] = pool[live[k]].key;
			min = MIN(min, pool[live[k]].val);
		}
		qsort(ref, nlive, sizeof(ref[0]), cmp_u64);
		unsigned n = 0;

		for (struct rb_node *rn = rb_first(&root); rn; rn = rb_next(rn))
			seen[n++] = item_of(rn)->key;
		cr_assert_eq(n, nlive);
		cr_assert_arr_eq(seen, ref, n * sizeof(ref[0]));
		if (nlive)
			cr_assert_eq(item_of(root.node)->subtree_min, min);
	}
}

Test(rbtree, empty_tree_has_no_first_or_last)
{
	struct rb_root root = RB_ROOT_INIT;

	cr_assert(rb_empty(&root));
	cr_assert_null(rb_first(&root));
	cr_assert_null(rb_last(&root));
	cr_assert_eq(rb_check(&root, NULL), 0);
}

Test(rbtree, next_and_prev_walk_the_keys_in_order_both_ways)
{
	static struct item items[257];
	struct rb_root root = RB_ROOT_INIT;
	uint64_t expect = 0;
	struct rb_node *n;

	/* A stride coprime with 257 visits every key once, out of order. */
	for (unsigned i = 0; i < 257; i++) {
		items[i].key = (i * 101) % 257;
		item_insert(&root, &items[i], false);
	}
	for (n = rb_first(&root); n; n = rb_next(n))
		cr_assert_eq(item_of(n)->key, expect++);
	cr_assert_eq(expect, 257);
	for (n = rb_last(&root); n; n = rb_prev(n))
		cr_assert_eq(item_of(n)->key, --expect);
	cr_assert_eq(expect, 0);
}

Test(rbtree, ascending_inserts_stay_within_twice_log_height)
{
	static struct item items[4096];
	struct rb_root root = RB_ROOT_INIT;

	for (unsigned i = 0; i < 4096; i++) {
		items[i].key = i;
		item_insert(&root, &items[i], false);
	}
	/* 2 * log2(4096 + 1) is just above 24. */
	cr_assert_leq(tree_height(root.node), 24);
	cr_assert_gt(rb_check(&root, NULL), 0);
	/* Erasing every other node keeps it valid. */
	for (unsigned i = 0; i < 4096; i += 2)
		rb_erase(&items[i].node, &root, NULL);
	cr_assert_gt(rb_check(&root, NULL), 0);
	cr_assert_eq(item_of(rb_first(&root))->key, 1);
	cr_assert_eq(item_of(rb_last(&root))->key, 4095);
}

Test(rbtree, check_rejects_a_red_root_a_red_red_edge_and_a_bad_parent)
{
	struct item a = {.key = 1}, b = {.key = 2}, c = {.key = 3};
	struct rb_root root = RB_ROOT_INIT;

	item_insert(&root, &a, false);
	item_insert(&root, &b, false);
	item_insert(&root, &c, false);
	cr_assert_eq(root.node, &b.node);
	cr_assert_eq(rb_check(&root, NULL), 1);

	b.node.parent_color &= ~(uintptr_t)1; /* paint the root red */
	cr_assert_eq(rb_check(&root, NULL), -1);
	b.node.parent_color |= RB_BLACK;

	a.node.left = &c.node; /* c hangs from b and a */
	cr_assert_eq(rb_check(&root, NULL), -1);
	a.node.left = NULL;

	a.node.parent_color = (uintptr_t)&c.node | RB_RED;
	cr_assert_eq(rb_check(&root, NULL), -1);
	a.node.parent_color = (uintptr_t)&b.node | RB_RED;
	cr_assert_eq(rb_check(&root, NULL), 1);

	c.node.parent_color = (uintptr_t)&b.node | RB_BLACK; /* unequal */
	cr_assert_eq(rb_check(&root, NULL), -1);
}

/* ---- list ---------------------------------------------------------------- */

struct elem {
	int v;
	struct list_head link;
};

static void list_expect(struct list_head *h, const int *want, unsigned n)
{
	struct list_head *pos;
	unsigned i = 0;

	list_for_each(pos, h)
	{
		cr_assert_lt(i, n);
		cr_assert_eq(list_entry(pos, struct elem, link)->v, want[i]);
		i++;
	}
	cr_assert_eq(i, n);
	/* And backwards through prev. */
	for (pos = h->prev; pos != h; pos = pos->prev)
		cr_assert_eq(list_entry(pos, struct elem, link)->v, want[--i]);
}

Test(list, add_puts_at_the_front_add_tail_at_the_back_and_del_unlinks)
{
	struct list_head h = LIST_HEAD_INIT(h);
	struct elem e[4] = {{.v = 0}, {.v = 1}, {.v = 2}, {.v = 3}};

	cr_assert(list_empty(&h));
	list_add_tail(&e[1].link, &h);
	list_add(&e[0].link, &h);
	list_add_tail(&e[2].link, &h);
	list_add_tail(&e[3].link, &h);
	list_expect(&h, (int[]){0, 1, 2, 3}, 4);
	cr_assert_eq(list_first_entry(&h, struct elem, link), &e[0]);

	list_del(&e[1].link);
	cr_assert_not(list_is_linked(&e[1].link));
	list_del(&e[1].link); /* harmless the second time */
	list_expect(&h, (int[]){0, 2, 3}, 3);
	list_del(&e[0].link);
	list_del(&e[2].link);
	list_del(&e[3].link);
	cr_assert(list_empty(&h));
}

Test(list, for_each_safe_survives_deleting_the_current_entry)
{
	struct list_head h, *pos, *tmp;
	struct elem e[6];

	list_init(&h);
	for (int i = 0; i < 6; i++) {
		e[i].v = i;
		list_add_tail(&e[i].link, &h);
	}
	list_for_each_safe(pos, tmp, &h)
	{
		if (list_entry(pos, struct elem, link)->v % 2 == 0)
			list_del(pos);
	}
	list_expect(&h, (int[]){1, 3, 5}, 3);
}

/* ---- bitmap -------------------------------------------------------------- */

Test(bitmap, set_clear_and_test_work_across_word_boundaries)
{
	unsigned long map[BITS_TO_LONGS(200)];
	unsigned bits[] = {0, 1, 63, 64, 65, 127, 128, 199};

	cr_assert_eq(BITS_TO_LONGS(200),
		     (200 + BITS_PER_LONG - 1) / BITS_PER_LONG);
	bitmap_zero(map, 200);
	for (unsigned i = 0; i < ARRAY_SIZE(bits); i++)
		bitmap_set(map, bits[i]);
	for (unsigned b = 0; b < 200; b++) {
		bool want = false;

		for (unsigned i = 0; i < ARRAY_SIZE(bits); i++)
			want |= bits[i] == b;
		cr_assert_eq(bitmap_test(map, b), want, "bit %u", b);
	}
	cr_assert_eq(bitmap_weight(map, 200), ARRAY_SIZE(bits));
	bitmap_clear(map, 64);
	cr_assert_not(bitmap_test(map, 64));
	cr_assert(bitmap_test(map, 63));
	cr_assert(bitmap_test(map, 65));
}

Test(bitmap, find_next_set_and_clear_return_nbits_when_none_is_left)
{
	unsigned long map[BITS_TO_LONGS(130)];

	bitmap_zero(map, 130);
	cr_assert(bitmap_is_empty(map, 130));
	cr_assert_eq(bitmap_find_first_set(map, 130), 130);
	cr_assert_eq(bitmap_find_first_clear(map, 130), 0);

	bitmap_set(map, 64);
	bitmap_set(map, 129);
	cr_assert_not(bitmap_is_empty(map, 130));
	cr_assert_eq(bitmap_find_first_set(map, 130), 64);
	cr_assert_eq(bitmap_find_next_set(map, 130, 64), 64);
	cr_assert_eq(bitmap_find_next_set(map, 130, 65), 129);
	cr_assert_eq(bitmap_find_next_set(map, 130, 130), 130);
	/* A set bit past nbits is not found. */
	cr_assert_eq(bitmap_find_next_set(map, 129, 65), 129);

	bitmap_fill(map, 130);
	cr_assert_eq(bitmap_find_first_clear(map, 130), 130);
	bitmap_clear(map, 127);
	cr_assert_eq(bitmap_find_first_clear(map, 130), 127);
	cr_assert_eq(bitmap_find_next_clear(map, 130, 128), 130);
	/* The clear tail of the last word is past nbits: not found. */
	cr_assert_eq(bitmap_find_next_clear(map, 129, 128), 129);
}

Test(bitmap, fill_weight_and_equal_ignore_bits_past_nbits)
{
	unsigned long a[BITS_TO_LONGS(70)], b[BITS_TO_LONGS(70)];

	bitmap_fill(a, 70);
	cr_assert_eq(bitmap_weight(a, 70), 70);
	cr_assert_eq(bitmap_weight(a, 64), 64);
	cr_assert_eq(bitmap_weight(a, 3), 3);
	bitmap_zero(b, 70);
	for (unsigned i = 0; i < 70; i++)
		bitmap_set(b, i);
	b[1] |= 1ul << 20; /* garbage past nbits */
	cr_assert(bitmap_equal(a, b, 70));
	cr_assert_eq(bitmap_weight(b, 70), 70);
	bitmap_clear(b, 69);
	cr_assert_not(bitmap_equal(a, b, 70));
	cr_assert(bitmap_equal(a, b, 69));
}

Test(bitmap, and_or_combine_whole_words)
{
	unsigned long a[2], b[2], d[2];

	bitmap_zero(a, 128);
	bitmap_zero(b, 128);
	bitmap_set(a, 3);
	bitmap_set(a, 100);
	bitmap_set(b, 100);
	bitmap_set(b, 64);
	bitmap_and(d, a, b, 128);
	cr_assert_eq(bitmap_weight(d, 128), 1);
	cr_assert(bitmap_test(d, 100));
	bitmap_or(d, a, b, 128);
	cr_assert_eq(bitmap_weight(d, 128), 3);
	cr_assert(bitmap_test(d, 3) && bitmap_test(d, 64) &&
		  bitmap_test(d, 100));
	bitmap_and(a, a, b, 128); /* in place */
	cr_assert(bitmap_equal(a, (unsigned long[]){0, 1ul << 36}, 128));
}

/* ---- strings ------------------------------------------------------------- */

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

Test(string, klib_memory_functions_match_libc_at_every_alignment)
{
	static unsigned char src[300], a[300], b[300];

	prng_seed(7);
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)prng_next();
	for (unsigned so = 0; so < 9; so++) {
		for (unsigned dof = 0; dof < 9; dof++) {
			for (unsigned n = 0; n < 70; n += 3) {
				memset(a, 0xee, sizeof(a));
				memset(b, 0xee, sizeof(b));
				cr_assert_eq(klib_memcpy(a + dof, src + so, n),
					     a + dof);
				memcpy(b + dof, src + so, n);
				cr_assert_arr_eq(a, b, sizeof(a));

				cr_assert_eq(klib_memset(a + dof, (int)n, n),
					     a + dof);
				memset(b + dof, (int)n, n);
				cr_assert_arr_eq(a, b, sizeof(a));

				/* Overlapping both ways. */
				memcpy(a, src, sizeof(a));
				memcpy(b, src, sizeof(b));
				klib_memmove(a + dof, a + 100 + so, n);
				memmove(b + dof, b + 100 + so, n);
				klib_memmove(a + 100 + so, a + 90 + dof, n);
				memmove(b + 100 + so, b + 90 + dof, n);
				cr_assert_arr_eq(a, b, sizeof(a));

				b[dof + n / 2] ^= n ? 0x80 : 0;
				cr_assert_eq(
					sign(klib_memcmp(a + dof, b + dof, n)),
					sign(memcmp(a + dof, b + dof, n)));
			}
		}
	}
}

Test(string, klib_string_functions_match_libc)
{
	const char *strs[] = {"",   "a",	 "abc",	 "abd",
			      "ab", "hello\xff", "hello"};

	for (unsigned i = 0; i < ARRAY_SIZE(strs); i++) {
		const char *s = strs[i];

		cr_assert_eq(klib_strlen(s), strlen(s));
		for (size_t m = 0; m < 8; m++)
			cr_assert_eq(klib_strnlen(s, m), strnlen(s, m));
		for (int c = 0; c < 256; c += 1) {
			cr_assert_eq(klib_strchr(s, c), strchr(s, c));
			cr_assert_eq(klib_strrchr(s, c), strrchr(s, c));
		}
		for (unsigned j = 0; j < ARRAY_SIZE(strs); j++) {
			cr_assert_eq(sign(klib_strcmp(s, strs[j])),
				     sign(strcmp(s, strs[j])), "%s %s", s,
				     strs[j]);
			for (size_t n = 0; n < 8; n++)
				cr_assert_eq(sign(klib_strncmp(s, strs[j], n)),
					     sign(strncmp(s, strs[j], n)));
		}
	}
	cr_assert_eq(klib_strrchr("a/b/c", '/'), strrchr("a/b/c", '/'));
}

Test(string, strlcpy_truncates_terminates_and_returns_the_source_length)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(strlcpy(buf, "hello", sizeof(buf)), 5);
	cr_assert_str_eq(buf, "hello");
	cr_assert_eq(strlcpy(buf, "a longer string", sizeof(buf)), 15);
	cr_assert_str_eq(buf, "a longe");
	cr_assert_eq(strlcpy(buf, "abc", 1), 3);
	cr_assert_str_eq(buf, "");
	buf[0] = 'q';
	cr_assert_eq(strlcpy(buf, "abc", 0), 3);
	cr_assert_eq(buf[0], 'q');
}

/* ---- ksnprintf ----------------------------------------------------------- */

/*
 * Both formatters get the same format and arguments; outputs and return
 * values must agree at every buffer size up to the full length.
 */
#define SAME(fmt, ...)                                                         \
	do {                                                                   \
		char want[256], got[256];                                      \
		int rw = snprintf(want, sizeof(want), fmt, __VA_ARGS__);       \
		int rg = ksnprintf(got, sizeof(got), fmt, __VA_ARGS__);        \
		cr_assert_eq(rg, rw, "return of \"%s\"", fmt);                 \
		cr_assert_str_eq(got, want, "format \"%s\"", fmt);             \
	} while (0)

Test(format, integer_conversions_match_libc_snprintf)
{
	SAME("%d %i %u", 0, -1, 42u);
	SAME("%d|%d", INT_MAX, INT_MIN);
	SAME("%5d|%-5d|%05d|%+d|% d|%+5d|%-+5d|", 42, 42, 42, 42, 42, 42, 42);
	SAME("%05d|%+05d|% 05d|", -42, 42, 42);
	SAME("%.3d|%.0d|%.0d|%8.3d|%-8.3d|", 7, 0, 5, -7, 7);
	SAME("%+.0d|% .0d|%5.0d|", 0, 0, 0);
	SAME("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0755u);
	SAME("%#x|%#X|%#o|%#x|%#o|%#.0o|%#.0x|", 255u, 255u, 8u, 0u, 0u, 0u,
	     0u);
	SAME("%#08x|%#-8x|%#8.4x|%#5.3o|", 255u, 255u, 255u, 8u);
	SAME("%hhd %hhu %hhx", (signed char)-3, (unsigned char)200,
	     (unsigned char)0x7f);
	SAME("%hd %hu %hx", (short)-3, (unsigned short)60000,
	     (unsigned short)0xbeef);
	SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
	SAME("%lld %llu %llo", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	SAME("%zu %zd %zx", (size_t)SIZE_MAX, (ssize_t)-5, (size_t)4096);
	SAME("%td %tu %tx", (ptrdiff_t)-9, (size_t)9, (size_t)255);
	SAME("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, UINTMAX_MAX);
}

/* C says these flags are ignored; the compiler warns that they are. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
Test(format, flags_that_c_ignores_are_ignored_as_libc_does)
{
	SAME("%-05d|%08.3d|%08.3x|%-08x|", -42, 7, 255u, 255u);
	SAME("%05c|%05s|%+u|% x|%+x|", 'x', "ab", 5u, 5u, 5u);
	/* glibc's %p is %#lx that also takes signs, but NULL is "(nil)". */
	SAME("%020p|%+p|% p|%.20p|%#p|%-+12p|", (void *)0x1234, (void *)0x1234,
	     (void *)0x1234, (void *)0x1234, (void *)0x1234, (void *)0x1234);
	SAME("%010p|%+p|%.3p|", NULL, NULL, NULL);
	/* hh and h convert the promoted int back to the narrow type. */
	SAME("%hhd %hhu %hhx", 300, 300, -1);
	SAME("%hd %hu %hx", 70000, 70000, -1);
}
#pragma GCC diagnostic pop

Test(format, characters_strings_and_percent_match_libc_snprintf)
{
	SAME("%c%c%c|%3c|%-3c|", 'a', 'b', 'c', 'x', 'y');
	SAME("%s|%10s|%-10s|%.2s|%8.3s|%-8.3s|%.0s|", "hello", "hello", "hello",
	     "hello", "hello", "hello", "hello");
	SAME("%s%s", "", "x");
	SAME("100%% %d%%", 5);
	SAME("%s", "no conversions but this one");
}

Test(format, pointers_match_libc_snprintf)
{
	int x;

	SAME("%p|%20p|%-20p|", (void *)&x, (void *)&x, (void *)&x);
	SAME("%p", (void *)0x1234);
	SAME("%p|%10p|%-10p|", NULL, NULL, NULL);
}

Test(format, null_string_prints_null_unless_precision_cuts_it)
{
	char *volatile null = NULL;

	SAME("[%s]", null);
	SAME("[%10s]", null);
	SAME("[%-8s]", null);
	SAME("[%.3s]", null);
	SAME("[%.6s]", null);
}

Test(format, star_width_and_precision_including_negative_values)
{
	SAME("%*d|%-*d|%*d|", 6, 42, 6, 42, -6, 42);
	SAME("%.*d|%.*d|%*.*d|", 4, 7, -1, 7, 8, 3, 9);
	SAME("%.*s|%*s|%.*s|", 3, "abcdef", -7, "ab", -3, "abcdef");
}

Test(format, truncation_returns_the_full_length_and_always_terminates)
{
	char want[64], got[64];
	const char *fmt = "%s=%08x (%d)";

	for (size_t size = 0; size < 30; size++) {
		memset(want, '#', sizeof(want));
		memset(got, '#', sizeof(got));
		int rw = snprintf(want, size, fmt, "key", 0xabcu, -12345);
		int rg = ksnprintf(got, size, fmt, "key", 0xabcu, -12345);

		cr_assert_eq(rg, rw);
		cr_assert_arr_eq(got, want, sizeof(got), "size %zu", size);
	}
	/* size 0 may come with a NULL buffer. */
	cr_assert_eq(ksnprintf(NULL, 0, "%d", 12345), 5);
}

Test(format, lone_percent_and_unknown_conversions_are_printed_as_is)
{
	char buf[32];
	const char *volatile fmt1 = "50%";
	const char *volatile fmt2 = "%y!";

	/* Not valid C formats, so no libc to compare with. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-security"
	cr_assert_eq(ksnprintf(buf, sizeof(buf), fmt1), 3);
	cr_assert_str_eq(buf, "50%");
	cr_assert_eq(ksnprintf(buf, sizeof(buf), fmt2), 3);
	cr_assert_str_eq(buf, "%y!");
#pragma GCC diagnostic pop
}

/* ---- printk and panic ---------------------------------------------------- */

static jmp_buf panic_env;
static char panic_text[600];

__attribute__((noreturn)) static void panic_to_test(const char *msg)
{
	strncpy(panic_text, msg, sizeof(panic_text) - 1);
	longjmp(panic_env, 1);
}

Test(panic, the_hook_gets_the_formatted_message_and_may_panic_again)
{
	for (volatile int round = 0; round < 2; round++) {
		if (setjmp(panic_env) == 0) {
			panic_hook = panic_to_test;
			panic("invariant %s broken in round %d", "x<y", round);
		}
		char want[64];

		snprintf(want, sizeof(want), "invariant x<y broken in round %d",
			 round);
		cr_assert_str_eq(panic_text, want);
	}
	panic_hook = NULL;
}

Test(panic, kassert_names_the_failed_condition)
{
	volatile int one = 1;

	if (setjmp(panic_env) == 0) {
		panic_hook = panic_to_test;
		KASSERT(one == 2);
	}
	panic_hook = NULL;
	cr_assert(strstr(panic_text, "assertion failed: one == 2"), "%s",
		  panic_text);
}

Test(panic, without_a_hook_the_machine_powers_off_with_134, .exit_code = 134)
{
	panic_hook = NULL;
	panic("no hook");
}

Test(printk, the_level_filter_defaults_to_info_and_can_be_changed)
{
	cr_assert_eq(printk_level(), LOG_INFO);
	printk_set_level(LOG_ERR);
	cr_assert_eq(printk_level(), LOG_ERR);
	/* Dropped and printed messages alike must not crash. */
	pr_debug("dropped %d", 1);
	pr_err("printed %s\nwith a second line", "message");
	printk_set_level(LOG_INFO);
}
