# The syscalls/ family: one fixture and one case per
# x86-64 syscall number the installed libseccomp names. See
# cases/syscalls/README.md.
#
#   make check-syscalls   cases/syscalls/*.case against libseccomp's list
#                         (also run by every build of the fixtures)
#   make gen-syscalls     (re)writes the key block of every case from the
#                         list, adds missing cases, removes stale ones
#   make bless-syscalls   re-blesses the family after a sentry change
#                         (BLESS_SYSCALLS="read pause" for a few)
#
# The fixtures are one template, compiled once and linked once per number
# with --defsym=syscall_nr=N: a link costs a third of a compile (~25 ms),
# which matters for some 370 fixtures on every fresh build.

SYSCALLS_GEN      := scripts/gen-syscall-cases.sh
SYSCALLS_TEMPLATE := fixtures/syscalls_template.c.in
SYSCALLS_LIST     := $(B)/gen/syscalls.list
SYSCALLS_LISTER   := $(B)/gen/syscall-lister
SYSCALLS_OBJ      := $(B)/gen/syscalls_template.o
# The committed cases say which fixtures to build; the list gives their
# numbers, and check-syscalls that the two agree.
SYSCALLS_CASES    := $(sort $(wildcard cases/syscalls/*.case))
SYSCALLS_NAMES    := $(basename $(notdir $(SYSCALLS_CASES)))
SYSCALLS_FIXTURES := $(SYSCALLS_NAMES:%=$(B)/fixtures/syscalls/%)
BLESS_SYSCALLS    ?= $(SYSCALLS_NAMES)

.PHONY: check-syscalls gen-syscalls bless-syscalls syscalls-list-refresh

fixtures: check-syscalls $(SYSCALLS_FIXTURES)

# A host program: it asks the libseccomp the build links against.
$(SYSCALLS_LISTER): $(SYSCALLS_GEN)
	@mkdir -p $(dir $@)
	$(SYSCALLS_GEN) lister-source | $(CC) $(CFLAGS_STD) -x c - -lseccomp -o $@

# Asked on every run (an upgraded libseccomp changes no file here), but
# rewritten only when it changed, so the fixtures are not relinked.
syscalls-list-refresh: $(SYSCALLS_LISTER)
	@$(SYSCALLS_LISTER) >$(SYSCALLS_LIST).tmp
	@if cmp -s $(SYSCALLS_LIST).tmp $(SYSCALLS_LIST); then rm -f $(SYSCALLS_LIST).tmp; \
	 else mv -f $(SYSCALLS_LIST).tmp $(SYSCALLS_LIST); fi
$(SYSCALLS_LIST): syscalls-list-refresh
	@:

check-syscalls: $(SYSCALLS_LIST)
	@$(SYSCALLS_GEN) check $(SYSCALLS_LIST)

gen-syscalls: $(SYSCALLS_LIST)
	$(SYSCALLS_GEN) generate $(SYSCALLS_LIST)

# Guest code: the runtime's flags, never the sanitizers'.
$(SYSCALLS_OBJ): $(SYSCALLS_TEMPLATE) $(wildcard fixtures/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -x c -c $< -o $@

# The number comes from the list: a case libseccomp does not name gets no
# fixture (and check-syscalls says why).
$(SYSCALLS_FIXTURES): $(B)/fixtures/syscalls/%: $(SYSCALLS_OBJ) $(B)/fixtures/libguest.a $(SYSCALLS_LIST)
	@mkdir -p $(dir $@)
	@nr=$$(awk -v n='$*' '$$2 == n { print $$1 }' $(SYSCALLS_LIST)); \
	if [ -z "$$nr" ]; then \
		echo "$@: libseccomp names no x86-64 syscall '$*' (make check-syscalls)" >&2; exit 1; \
	fi; \
	echo "LINK $@ (syscall $$nr)"; \
	$(CC) $(GUEST_CFLAGS) $(SYSCALLS_OBJ) $(B)/fixtures/libguest.a -lgcc -Wl,--defsym=syscall_nr=$$nr -o $@

# One bless run for all of them, after `make all`; the diff of each case
# is shown. Bless runs the lazy variant; run the suite afterwards.
bless-syscalls: all
	$(B)/harness bless --fixtures $(B)/fixtures $(BLESS_SYSCALLS:%=cases/syscalls/%.case)
