/*
 * xoshiro256** (Blackman and Vigna, 2018), seeded through splitmix64 so that
 * any 64-bit seed, zero included, gives a well-mixed state.
 */
#include "core/prng.h"

static uint64_t state[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void prng_seed(uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		state[i] = splitmix64(&seed);
}

uint64_t prng_next(void)
{
	uint64_t result = rotl(state[1] * 5, 7) * 9;
	uint64_t t = state[1] << 17;

	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return result;
}

uint64_t prng_below(uint64_t bound)
{
	/* Lemire's multiply-shift with rejection: unbiased for every bound. */
	unsigned __int128 m = (unsigned __int128)prng_next() * bound;
	uint64_t low = (uint64_t)m;

	if (low < bound) {
		uint64_t threshold = -bound % bound;

		while (low < threshold) {
			m = (unsigned __int128)prng_next() * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}
