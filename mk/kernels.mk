# make kernels [KERNELS="..."]: the suite under other Linux
# kernels, each booted under qemu from a reproducible initramfs; results in
# reports/kernels/<release>/. See scripts/kernels/README.md.
#
# KERNELS words: host, 5.10, 6.1, 6.12, 7.2 (the newest Debian build of the
# series in bullseye, bookworm, trixie or unstable; -rt, -cloud, -generic
# for a flavour), a package (linux-image-6.1.0-56-rt-amd64) or a release
# (6.12.117+deb12-cloud-amd64). Kernels come through an apt configuration of
# their own under KERNEL_CACHE/apt (scripts/kernels/apt.sh), never the
# machine's sources. Knobs: KERNEL_JOBS (CPUs), KERNEL_ACCEL (auto|kvm|tcg),
# KERNEL_TIMEOUT (s per VM), KERNEL_TCG_SCALE (case timeout scale under TCG),
# KERNEL_SCALE (forces one), KERNEL_MEM, KERNEL_SUITE_ARGS, KERNEL_CACHE
# (outside the tree: kernels outlive the mirror there), KERNEL_SUITES,
# KERNEL_MIRROR, KERNEL_APT_UPDATE=1 (refresh the lists now).
#
# The default KERNEL_SUITE_ARGS runs every family under cases/ but
# KERNEL_SKIP_FAMILIES: syscalls/ (the sentry's own syscall emulation:
# about 40 % of the suite's time and the same on every kernel), hostile/,
# and files/ and programs/ (their stored traces hold the host's ext4:
# the guest's tmpfs root differs alike on every kernel), under every
# variant the suite has: the five default kernels took 6.5 min on 2 cores
# (scripts/kernels/README.md, Timing).
# KERNEL_SUITE_ARGS=-j1 runs the whole suite.

KERNELS           ?= 5.10 6.1 6.12 7.2 host
KERNEL_CACHE      ?= $(HOME)/.cache/ptrace-suite/kernels
KERNEL_JOBS       ?= $(shell nproc)
KERNEL_ACCEL      ?= auto
KERNEL_TIMEOUT    ?= 10800
KERNEL_TCG_SCALE  ?= 10
KERNEL_MEM        ?= 1024M
KERNEL_SKIP_FAMILIES ?= syscalls/ hostile/ files/ programs/
KERNEL_FAMILIES   ?= $(filter-out $(KERNEL_SKIP_FAMILIES),$(patsubst cases/%,%,$(sort $(dir $(wildcard cases/*/*.case)))))
KERNEL_SUITE_ARGS ?= -j1 $(KERNEL_FAMILIES)
KERNEL_REPORTS    ?= reports/kernels

# Read by scripts/kernels/apt.sh when set (its defaults otherwise).
export KERNEL_SUITES KERNEL_MIRROR KERNEL_SECURITY_MIRROR KERNEL_APT_UPDATE KERNEL_APT_MAX_AGE

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

# make kernels-bisect CASE=family/name GOOD=PKG BAD=PKG [VARIANT=lazy] [SLOW=S]:
# the first package of the series between GOOD and BAD whose result for
# CASE differs from GOOD's (harness triage bisect, scripts/kernels/bisect-run.sh);
# with SLOW, a run longer than S seconds counts as a result of its own.
kernels-bisect: deps kernels-deps
	@test -n "$(CASE)" -a -n "$(GOOD)" -a -n "$(BAD)" || \
		{ echo "usage: make kernels-bisect CASE=family/name GOOD=PKG BAD=PKG [VARIANT=V]" >&2; exit 2; }
	@$(MAKE) --no-print-directory all $(KERNEL_INITRD)
	@KERNEL_CACHE=$(KERNEL_CACHE) KERNEL_INITRD=$(KERNEL_INITRD) KERNEL_WORK=$(KB)/bisect \
	 KERNEL_ACCEL=$(KERNEL_ACCEL) KERNEL_TIMEOUT=$(KERNEL_TIMEOUT) KERNEL_TCG_SCALE=$(KERNEL_TCG_SCALE) \
	 KERNEL_SCALE=$(KERNEL_SCALE) KERNEL_MEM=$(KERNEL_MEM) \
	 $(B)/harness triage bisect $(CASE) $(if $(VARIANT),--variant $(VARIANT)) $(if $(SLOW),--slow $(SLOW)) --good $(GOOD) --bad $(BAD) \
		--runner scripts/kernels/bisect-run.sh --out reports/bisect

.PHONY: FORCE_KSTATIC
FORCE_KSTATIC:
