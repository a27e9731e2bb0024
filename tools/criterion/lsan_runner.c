/* Linked into the Criterion test binaries (platform_tests, harness_tests,
 * knockout_tests). Under make check SANITIZE=1, Criterion's runner process
 * sometimes leaks one 48-byte block of its own, allocated inside
 * criterion_run_all_tests (libcriterion.so.3 2.4.1; 3 of 4 full runs of
 * platform_tests with the machine loaded, none with one suite alone), and
 * LeakSanitizer then fails the binary. That block is Criterion's, not
 * ours. So the runner's main thread stops recording its allocations for
 * LeakSanitizer when the run starts. Every test still runs in a process of
 * its own with LeakSanitizer on: a test body that leaks is still reported
 * (CONTRIBUTING.md, "Sanitizers"). */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
#ifdef __SANITIZE_ADDRESS__
	__lsan_disable();
#endif
}
