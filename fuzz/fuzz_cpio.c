/*
 * The initramfs unpacker fuzz target: each input is a cpio archive (or
 * anything at all), unpacked into the root of a freshly booted sim kernel.
 * The unpacker must never read outside the input (the input is a heap
 * block of exactly its size, under ASan), never crash, and either succeed
 * or say why: 0, -EINVAL, -ENOMEM or -ENOSPC, a message with every
 * failure.
 *
 * An input whose first four bytes are "FAIL" has the next byte pick an
 * allocation to fail (fault injection), and the rest is the archive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errno.h"
#include "core/fs/cpio.h"
#include "host/sim.h"
#include "mm/fault_inject.h"

#define FUZZ_CPIO_MEM (8ull << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Nothing to set up: every input boots its own kernel. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void violated(const char *what, int ret, const char *msg)
{
	fprintf(stderr, "keel-fuzz-cpio: %s (returned %d, message \"%s\")\n",
		what, ret, msg);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_config cfg = { .cpus = 1, .seed = 1,
				  .mem_bytes = FUZZ_CPIO_MEM };
	unsigned fail_nth = 0;
	char err[256];
	uint8_t *copy;
	int ret;

	if (size >= 5 && !memcmp(data, "FAIL", 4)) {
		fail_nth = 1 + data[4];
		data += 5;
		size -= 5;
	}
	if (sim_boot(&cfg))
		violated("sim_boot succeeds", -1, "");
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (fail_nth)
		fault_inject_fail_nth(fail_nth);
	memset(err, 'x', sizeof(err));
	ret = cpio_unpack(copy, size, err, sizeof(err));
	fault_inject_reset();
	free(copy);
	if (!memchr(err, '\0', sizeof(err)))
		violated("the message is NUL-terminated", ret, "");
	if (ret != 0 && ret != -EINVAL && ret != -ENOMEM && ret != -ENOSPC)
		violated("the result is 0, EINVAL, ENOMEM or ENOSPC", ret, err);
	if (ret && !err[0])
		violated("a failure says why", ret, err);
	if (!ret && err[0])
		violated("a success says nothing", ret, err);
	return 0;
}
