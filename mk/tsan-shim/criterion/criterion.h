/*
 * A stand-in for <criterion/criterion.h> in the ThreadSanitizer build only
 * (mk/tsan.mk): Criterion cannot start under TSan (its inheritable arena
 * collides with TSan's shadow memory: "Could not initialize inheritable
 * arena", Criterion issue 274). It offers what the platform's tests use:
 * Test(), cr_assert*, cr_skip*. Each test runs in a forked child, as under
 * Criterion; main() is in tsan_main.c.
 */
#ifndef TSAN_SHIM_CRITERION_H
#define TSAN_SHIM_CRITERION_H

#include <stdio.h>
#include <string.h>

struct tsan_test {
	const char *suite, *name;
	void (*fn)(void);
	struct tsan_test *next;
};
void tsan_register(struct tsan_test *t);
_Noreturn void tsan_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
_Noreturn void tsan_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define Test(s, n, ...)                                                \
	static void s##_##n(void);                                     \
	__attribute__((constructor)) static void s##_##n##_reg(void)   \
	{                                                              \
		static struct tsan_test t = { #s, #n, s##_##n, NULL }; \
		tsan_register(&t);                                     \
	}                                                              \
	static void s##_##n(void)

#define cr_assert(cond, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			tsan_fail(__FILE__, __LINE__, #cond, " " __VA_ARGS__); \
	} while (0)
#define cr_assert_eq(a, b, ...) cr_assert((a) == (b), __VA_ARGS__)
#define cr_assert_neq(a, b, ...) cr_assert((a) != (b), __VA_ARGS__)
#define cr_assert_null(a, ...) cr_assert((a) == NULL, __VA_ARGS__)
#define cr_assert_not_null(a, ...) cr_assert((a) != NULL, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) cr_assert(strcmp((a), (b)) == 0, __VA_ARGS__)
#define cr_assert_not(cond, ...) cr_assert(!(cond), __VA_ARGS__)
#define cr_assert_geq(a, b, ...) cr_assert((a) >= (b), __VA_ARGS__)
#define cr_assert_leq(a, b, ...) cr_assert((a) <= (b), __VA_ARGS__)
#define cr_assert_gt(a, b, ...) cr_assert((a) > (b), __VA_ARGS__)
#define cr_assert_lt(a, b, ...) cr_assert((a) < (b), __VA_ARGS__)
#define cr_assert_fail(...) tsan_fail(__FILE__, __LINE__, "cr_assert_fail", " " __VA_ARGS__)
/* Criterion's cr_expect goes on after a failure; here the first one ends
 * the test, which is all a TSan run needs. */
#define cr_expect(cond, ...) cr_assert(cond, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) cr_assert_eq(a, b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) cr_assert_gt(a, b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) cr_assert_lt(a, b, __VA_ARGS__)
#define cr_skip(...) tsan_skip(" " __VA_ARGS__)
#define cr_skip_test(...) tsan_skip(" " __VA_ARGS__)

#endif
