/* fuzz.h: what every fuzz harness shares: its entry points, with libFuzzer or the replay driver, and its one assertion. */
#ifndef BZPEER_FUZZ_H
#define BZPEER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * A harness is tests/fuzz/NAME.c with its seeds, dictionary and crash
 * regressions in tests/fuzz/NAME/. It defines
 *
 *   FUZZ_INIT(NAME) { ... return 0; }         once per process
 *   FUZZ_ONE(NAME)  { ... return 0; }         once per input (data, size)
 *
 * Built by `make fuzz` with clang -fsanitize=fuzzer,address,undefined and
 * -DFUZZ_LIBFUZZER, they are libFuzzer's LLVMFuzzerInitialize and
 * LLVMFuzzerTestOneInput. Built by `make test` without it, they are
 * fuzz_NAME_init and fuzz_NAME_one, which tests/fuzz/replay.c runs over every
 * file of NAME/corpus and NAME/regressions (no libFuzzer needed), so a crash
 * once found stays fixed.
 *
 * FUZZ_CHECK(expr) states what must hold beyond "no crash, no sanitizer
 * report": it prints the expression (and the input file when replaying) and
 * aborts, which both libFuzzer and the replay driver treat as a failure.
 */
#ifdef FUZZ_LIBFUZZER
#define FUZZ_ONE(name)  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#define FUZZ_INIT(name) int LLVMFuzzerInitialize(int *argc, char ***argv)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
#else
#define FUZZ_ONE(name)  int fuzz_##name##_one(const uint8_t *data, size_t size)
#define FUZZ_INIT(name) int fuzz_##name##_init(int *argc, char ***argv)
#define FUZZ_DECLARE(name) \
	int fuzz_##name##_one(const uint8_t *data, size_t size); \
	int fuzz_##name##_init(int *argc, char ***argv);
FUZZ_DECLARE(form)
FUZZ_DECLARE(cookie)
FUZZ_DECLARE(router)
FUZZ_DECLARE(session)
FUZZ_DECLARE(oa_author)
FUZZ_DECLARE(oa_work)
FUZZ_DECLARE(tmpl)
FUZZ_DECLARE(fcgi)
FUZZ_DECLARE(page)
FUZZ_DECLARE(fold)
FUZZ_DECLARE(manifest)
FUZZ_DECLARE(csv)
#endif

/* The input being replayed (NULL under libFuzzer, which names it itself). */
extern const char *fuzz_current_input;

#define FUZZ_CHECK(expr) do { \
	if (!(expr)) { \
		fprintf(stderr, "not ok - fuzz check failed: %s at %s:%d%s%s\n", \
		    #expr, __FILE__, __LINE__, \
		    fuzz_current_input ? " on " : "", \
		    fuzz_current_input ? fuzz_current_input : ""); \
		fflush(stderr); \
		abort(); \
	} } while (0)

/*
 * The repository root, for harnesses that need views/ or store/sample/:
 * $BZPEER_ROOT, else $ROOT (tests/run.sh sets it), else FUZZ_ROOT given at
 * build time, else ".".
 */
const char *fuzz_root(void);

/* A copy of data with a NUL after it (size + 1 bytes, caller frees). */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
