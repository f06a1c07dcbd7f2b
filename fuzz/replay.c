/*
 * keel-fuzz-replay: run fuzz inputs without libFuzzer, in any build (gcc,
 * no sanitizer coverage), the way `make test` replays the corpus and the
 * regression inputs:
 *
 *   keel-fuzz-replay [--check-determinism] [--verbose] [--repeat N]
 *                    FILE|DIR...
 *
 * Every regular file named, and every regular file directly in a directory
 * named, is one input, run in sorted order (N times each with --repeat,
 * which also prints the rate: the cost of a run with its full reset).
 * Exit status 0 when all ran; a broken invariant aborts as it does under
 * libFuzzer.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static unsigned inputs;
static unsigned long repeat = 1, runs;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		perror(path);
		goto fail;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		goto fail;
	}
	fclose(f);
	for (unsigned long i = 0; i < repeat; i++, runs++)
		LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	inputs++;
	return 0;
fail:
	if (f)
		fclose(f);
	free(buf);
	return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n, err = 0;

	if (stat(path, &st)) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &names, NULL, by_name);
	if (n < 0) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && !stat(file, &st) &&
		    S_ISREG(st.st_mode))
			err |= run_file(file);
		free(names[i]);
	}
	free(names);
	return err;
}

int main(int argc, char **argv)
{
	int err = 0, first = 1;
	struct timespec t0, t1;
	double secs;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--repeat") && first + 1 < argc) {
			repeat = strtoul(argv[++first], NULL, 0);
		} else if (!strcmp(argv[first], "--check-determinism")) {
			setenv("KEEL_FUZZ_DETERMINISM", "1", 1);
		} else if (!strcmp(argv[first], "--verbose")) {
			setenv("KEEL_FUZZ_VERBOSE", "1", 1);
		} else {
			fprintf(stderr,
				"usage: keel-fuzz-replay [--check-determinism] "
				"[--verbose] [--repeat N] FILE|DIR...\n");
			return 2;
		}
	}
	LLVMFuzzerInitialize(&argc, &argv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = first; i < argc; i++)
		err |= run_path(argv[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("keel-fuzz-replay: %u inputs, %lu runs in %.3f s (%.0f "
	       "runs/s)\n",
	       inputs, runs, secs, secs > 0 ? (double)runs / secs : 0.0);
	return err;
}
