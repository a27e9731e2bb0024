/* LeakSanitizer checks at exit(), but the runner's children end with
 * _exit() (they are copies of the runner: its atexit work and stdio
 * buffers are not theirs to run), so a leak in plat_new(), sentry_run()
 * or plat_destroy() would never be seen. The platform child calls this
 * just before _exit(), once the platform is destroyed and every sentry
 * thread joined, so that whatever is still allocated is a leak. */
#include "harness/runner/sanleak.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>

int sanleak_check(void)
{
	return __lsan_do_recoverable_leak_check();
}
#else
int sanleak_check(void)
{
	return 0;
}
#endif
