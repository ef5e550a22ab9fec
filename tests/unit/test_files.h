/*
 * test_files — files for unit tests: a scratch directory per test program
 * (a cmocka group fixture), writing a file into it, reading one back.
 * static inline, so a test that uses only some of them still compiles
 * warning-free.
 */
#ifndef LEASED_TEST_FILES_H
#define LEASED_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>

static char test_dir[] __attribute__((unused)) = "/tmp/leased-unit.XXXXXX";

static inline int test_dir_setup(void **state)
{
	(void)state;
	return mkdtemp(test_dir) ? 0 : -1;
}

static inline int test_dir_remove(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Write text to test_dir/name; the path stays valid for 8 more calls. */
static inline const char *write_file(const char *name, const char *text)
{
	static char paths[8][256];
	static int next;
	char *path = paths[next++ % 8];

	snprintf(path, 256, "%s/%s", test_dir, name);
	write_text(path, text);
	return path;
}

/* The whole file, NUL-terminated (free it), or NULL when it cannot be read. */
static inline char *read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n)
		buf[0] = '\0';
	fclose(fp);
	return buf;
}

#endif
