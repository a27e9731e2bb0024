/* See fpvalid.h. */
#include "harness/sentry/fpvalid.h"

#include <stdint.h>
#include <string.h>

#define MXCSR_OFFSET 24
#define XSAVE_HDR 512
#define XSAVE_HDR_SIZE 64

/* The host's MXCSR mask, from its own FXSAVE image (0 there means the
 * architectural default 0xffbf). */
static uint32_t mxcsr_mask(void)
{
	static unsigned char area[512] __attribute__((aligned(16)));
	uint32_t m;
	__asm__ volatile("fxsave64 %0" : "=m"(area));
	memcpy(&m, area + 28, 4);
	return m ? m : 0xffbf;
}

static uint64_t xcr0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

bool fp_image_valid(const unsigned char *fp, size_t size, bool xsave)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, fp + MXCSR_OFFSET, 4);
	if (mxcsr & ~mxcsr_mask())
		return false;
	if (!xsave || size < XSAVE_HDR + XSAVE_HDR_SIZE)
		return true;
	uint64_t bv, comp;
	memcpy(&bv, fp + XSAVE_HDR, 8);
	memcpy(&comp, fp + XSAVE_HDR + 8, 8);
	if ((bv & ~xcr0()) || comp)
		return false;
	for (size_t i = XSAVE_HDR + 16; i < XSAVE_HDR + XSAVE_HDR_SIZE; i++)
		if (fp[i])
			return false;
	return true;
}
