# ThreadSanitizer: the platform's unit tests, PLAT_TESTING
# library included, built with -fsanitize=thread into build-tsan/. They
# exercise the thread pools (P8), the per-process servers (P9), interrupts
# from other threads (P11, P19) and the lazy FP ownership (P13). A report
# makes the test's process exit with 66, which fails the test; nothing is
# suppressed. Criterion cannot start under TSan, so the tests are built
# against mk/tsan-shim/ (a small Test()/cr_assert stand-in with a fork-per-
# test runner). `make tsan` (TSAN_ARGS="--filter 'threads/*'" to narrow).
.PHONY: tsan clean-tsan
TSAN_B     := build-tsan
TSAN_ARGS  ?=
TSAN_FLAGS := $(CFLAGS_STD) -fsanitize=thread -Imk/tsan-shim -I. -DPLAT_TESTING $(EXTRA_CFLAGS)

$(TSAN_B)/platform_tests: $(PLATFORM_SRC) $(PLATFORM_TESTS) $(STUB_SRC) $(wildcard platform/*.h) tools/knockout/knockout.c \
			  $(wildcard mk/tsan-shim/*.c mk/tsan-shim/criterion/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TSAN_FLAGS) $(PLATFORM_SRC) $(PLATFORM_TESTS) mk/tsan-shim/tsan_main.c tools/knockout/knockout.c $(STUB_SRC) \
		$(LDLIBS) -o $@

tsan: deps $(TSAN_B)/platform_tests
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
		$(TSAN_B)/platform_tests $(TSAN_ARGS)

clean: clean-tsan
clean-tsan:
	rm -rf $(TSAN_B)
