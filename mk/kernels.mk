# make kernels [KERNELS="..."] (issue 7 item 2): the suite under other Linux
# kernels, each booted under qemu from a reproducible initramfs; results in
# reports/kernels/<release>/. See scripts/kernels/README.md.
#
# KERNELS words: host, 6.1, 6.12, 6.1-rt, 6.12-rt (newest Debian build of
# the series), a package (linux-image-6.1.0-56-rt-amd64) or a release
# (6.12.117+deb12-cloud-amd64). Knobs: KERNEL_JOBS (CPUs), KERNEL_ACCEL
# (auto|kvm|tcg), KERNEL_TIMEOUT (s per VM), KERNEL_TCG_SCALE (case timeout
# scale under TCG), KERNEL_SCALE (forces one), KERNEL_MEM, KERNEL_SUITE_ARGS,
# KERNEL_CACHE (outside the tree: kernels outlive the mirror there).

KERNELS           ?= 6.1 6.12 host
KERNEL_CACHE      ?= $(HOME)/.cache/ptrace-suite/kernels
KERNEL_JOBS       ?= $(shell nproc)
KERNEL_ACCEL      ?= auto
KERNEL_TIMEOUT    ?= 10800
KERNEL_TCG_SCALE  ?= 10
KERNEL_MEM        ?= 1024M
KERNEL_SUITE_ARGS ?= -j1
KERNEL_REPORTS    ?= reports/kernels

KB                := build/kernels
KSTATIC           := $(KB)/static
KERNEL_INITRD     := $(KB)/initramfs.cpio

.PHONY: kernels kernels-deps kernels-initramfs kernels-bisect

kernels-deps:
	@scripts/kernels/deps.sh

# The harness linked statically (libseccomp, libjansson, glibc) in a build
# folder of its own: the guest has no shared libraries. The inner make
# (KSTATIC_INNER) builds it with the Makefile's own rule for $(B)/harness.
ifndef KSTATIC_INNER
$(KSTATIC)/harness: FORCE_KSTATIC
	@$(MAKE) --no-print-directory B=$(KSTATIC) SANITIZE=0 KSTATIC_INNER=1 \
		LDLIBS="-static $(LDLIBS)" $(KSTATIC)/harness
endif

$(KB)/init: scripts/kernels/init.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static $< -o $@

$(KERNEL_INITRD): $(KB)/init $(KSTATIC)/harness fixtures $(shell find cases -type f 2>/dev/null)
	scripts/kernels/initramfs.sh $(KB)/init $(KSTATIC)/harness cases $(B)/fixtures $@

kernels-initramfs: $(KERNEL_INITRD)

kernels: deps kernels-deps
	@$(MAKE) --no-print-directory all $(KERNEL_INITRD)
	@KERNEL_CACHE=$(KERNEL_CACHE) KERNEL_INITRD=$(KERNEL_INITRD) KERNEL_REPORTS=$(KERNEL_REPORTS) \
	 KERNEL_WORK=$(KB)/run KERNEL_JOBS=$(KERNEL_JOBS) KERNEL_ACCEL=$(KERNEL_ACCEL) \
	 KERNEL_TIMEOUT=$(KERNEL_TIMEOUT) KERNEL_TCG_SCALE=$(KERNEL_TCG_SCALE) \
	 KERNEL_SCALE=$(KERNEL_SCALE) KERNEL_MEM=$(KERNEL_MEM) KERNEL_SUITE_ARGS="$(KERNEL_SUITE_ARGS)" \
	 KERNEL_HARNESS=$(B)/harness KERNEL_FIXTURES=$(B)/fixtures \
	 scripts/kernels/run.sh $(KERNELS)

# make kernels-bisect CASE=family/name GOOD=PKG BAD=PKG [VARIANT=lazy]:
# the first package of the series between GOOD and BAD whose result for
# CASE differs from GOOD's (harness triage bisect, scripts/kernels/bisect-run.sh).
kernels-bisect: deps kernels-deps
	@test -n "$(CASE)" -a -n "$(GOOD)" -a -n "$(BAD)" || \
		{ echo "usage: make kernels-bisect CASE=family/name GOOD=PKG BAD=PKG [VARIANT=V]" >&2; exit 2; }
	@$(MAKE) --no-print-directory all $(KERNEL_INITRD)
	@KERNEL_CACHE=$(KERNEL_CACHE) KERNEL_INITRD=$(KERNEL_INITRD) KERNEL_WORK=$(KB)/bisect \
	 KERNEL_ACCEL=$(KERNEL_ACCEL) KERNEL_TIMEOUT=$(KERNEL_TIMEOUT) KERNEL_TCG_SCALE=$(KERNEL_TCG_SCALE) \
	 KERNEL_SCALE=$(KERNEL_SCALE) KERNEL_MEM=$(KERNEL_MEM) \
	 $(B)/harness triage bisect $(CASE) $(if $(VARIANT),--variant $(VARIANT)) --good $(GOOD) --bad $(BAD) \
		--runner scripts/kernels/bisect-run.sh --out reports/bisect

.PHONY: FORCE_KSTATIC
FORCE_KSTATIC:
