/* S6: an FP image a guest hands to rt_sigreturn, checked the way the
 * kernel checks one before it loads it (validate_user_xstate_header and
 * the MXCSR mask test): an image the kernel would refuse must become the
 * guest's SIGSEGV, never a ptrace SETREGSET failure (which the platform
 * treats as fatal, P24). Found by hostile/sigframe_smash. */
#ifndef HARNESS_SENTRY_FPVALID_H
#define HARNESS_SENTRY_FPVALID_H

#include <stdbool.h>
#include <stddef.h>

/* fp: size bytes in the regset layout (FXSAVE, then the XSAVE header at
 * 512 when xsave). */
bool fp_image_valid(const unsigned char *fp, size_t size, bool xsave);

#endif
