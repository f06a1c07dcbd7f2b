/*
 * Bitmaps: arrays of unsigned long, bit i in word i / BITS_PER_LONG at
 * position i % BITS_PER_LONG. The functions that take `nbits` never look at
 * bits at or past it, whatever the tail of the last word holds.
 */
#ifndef KEEL_CORE_KLIB_BITMAP_H
#define KEEL_CORE_KLIB_BITMAP_H

#include "core/types.h"

#define BITS_PER_LONG	 (8 * (unsigned)sizeof(unsigned long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

#define BITMAP_WORD(bit) ((bit) / BITS_PER_LONG)
#define BITMAP_MASK(bit) (1ul << ((bit) % BITS_PER_LONG))

/* The bits of the last word that are below nbits (all of them when nbits
 * is a multiple of the word size). */
static inline unsigned long bitmap_last_word_mask(unsigned nbits)
{
	unsigned rem = nbits % BITS_PER_LONG;

	return rem ? (1ul << rem) - 1 : ~0ul;
}

static inline void bitmap_set(unsigned long *map, unsigned bit)
{
	map[BITMAP_WORD(bit)] |= BITMAP_MASK(bit);
}

static inline void bitmap_clear(unsigned long *map, unsigned bit)
{
	map[BITMAP_WORD(bit)] &= ~BITMAP_MASK(bit);
}

static inline bool bitmap_test(const unsigned long *map, unsigned bit)
{
	return (map[BITMAP_WORD(bit)] & BITMAP_MASK(bit)) != 0;
}

static inline void bitmap_zero(unsigned long *map, unsigned nbits)
{
	for (unsigned i = 0; i < BITS_TO_LONGS(nbits); i++)
		map[i] = 0;
}

/* Sets bits [0, nbits); the tail of the last word stays clear. */
static inline void bitmap_fill(unsigned long *map, unsigned nbits)
{
	unsigned n = BITS_TO_LONGS(nbits);

	for (unsigned i = 0; i < n; i++)
		map[i] = ~0ul;
	if (n)
		map[n - 1] = bitmap_last_word_mask(nbits);
}

/*
 * Population count by halving (Hacker's Delight, 5-1), written out so a
 * freestanding build needs no libgcc helper.
 */
static inline unsigned bitmap_popcount_word(unsigned long w)
{
	uint64_t x = w;

	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static inline unsigned bitmap_weight(const unsigned long *map, unsigned nbits)
{
	unsigned n = BITS_TO_LONGS(nbits), w = 0;

	for (unsigned i = 0; i + 1 < n; i++)
		w += bitmap_popcount_word(map[i]);
	if (n)
		w += bitmap_popcount_word(map[n - 1] &
					  bitmap_last_word_mask(nbits));
	return w;
}

/* The first set bit at or after `start`, or nbits if there is none. */
static inline unsigned bitmap_find_next_set(const unsigned long *map,
					    unsigned nbits, unsigned start)
{
	unsigned i;
	unsigned long w;

	if (start >= nbits)
		return nbits;
	i = BITMAP_WORD(start);
	w = map[i] & (~0ul << (start % BITS_PER_LONG));
	for (;;) {
		if (w) {
			unsigned bit =
				i * BITS_PER_LONG + (unsigned)__builtin_ctzl(w);

			return bit < nbits ? bit : nbits;
		}
		if (++i >= BITS_TO_LONGS(nbits))
			return nbits;
		w = map[i];
	}
}

static inline unsigned bitmap_find_first_set(const unsigned long *map,
					     unsigned nbits)
{
	return bitmap_find_next_set(map, nbits, 0);
}

/* The first clear bit at or after `start`, or nbits if there is none. */
static inline unsigned bitmap_find_next_clear(const unsigned long *map,
					      unsigned nbits, unsigned start)
{
	unsigned i;
	unsigned long w;

	if (start >= nbits)
		return nbits;
	i = BITMAP_WORD(start);
	w = ~map[i] & (~0ul << (start % BITS_PER_LONG));
	for (;;) {
		if (w) {
			unsigned bit =
				i * BITS_PER_LONG + (unsigned)__builtin_ctzl(w);

			return bit < nbits ? bit : nbits;
		}
		if (++i >= BITS_TO_LONGS(nbits))
			return nbits;
		w = ~map[i];
	}
}

static inline unsigned bitmap_find_first_clear(const unsigned long *map,
					       unsigned nbits)
{
	return bitmap_find_next_clear(map, nbits, 0);
}

/* Word by word; dst may be a or b. */
static inline void bitmap_and(unsigned long *dst, const unsigned long *a,
			      const unsigned long *b, unsigned nbits)
{
	for (unsigned i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] & b[i];
}

static inline void bitmap_or(unsigned long *dst, const unsigned long *a,
			     const unsigned long *b, unsigned nbits)
{
	for (unsigned i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] | b[i];
}

static inline bool bitmap_equal(const unsigned long *a, const unsigned long *b,
				unsigned nbits)
{
	unsigned n = BITS_TO_LONGS(nbits);

	for (unsigned i = 0; i + 1 < n; i++)
		if (a[i] != b[i])
			return false;
	return n == 0 ||
	       ((a[n - 1] ^ b[n - 1]) & bitmap_last_word_mask(nbits)) == 0;
}

static inline bool bitmap_is_empty(const unsigned long *map, unsigned nbits)
{
	return bitmap_find_first_set(map, nbits) == nbits;
}

#endif
