#!/usr/bin/env bash
# accel.sh VMLINUZ INITRD WORKDIR: prints kvm when KVM can really boot a
# stock kernel here, else tcg. /dev/kvm being there proves little: on a
# host without VMX/SVM it may be PVM (kvm_pvm), which opens fine and then
# aborts qemu or crawls through the instruction emulator with a stock
# kernel (research/kernels.md section 1). So boot a canary: the real
# kernel and initramfs with PTSUITE_CANARY=1, whose init prints
# PTSUITE-CANARY-OK and powers off. KERNEL_ACCEL=kvm|tcg skips the probe.
set -uo pipefail
vmlinuz=$1 initrd=$2 work=$3
case ${KERNEL_ACCEL:-auto} in
kvm|tcg) echo "$KERNEL_ACCEL"; exit 0 ;;
esac
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo tcg
	exit 0
fi
mkdir -p "$work"
# In a subshell whose stderr is dropped: qemu aborting under PVM would
# have bash print "Aborted" and the whole command line; the reason is
# in canary-qemu.log, quoted below.
(timeout -k 2 "${KERNEL_CANARY_TIMEOUT:-30}" qemu-system-x86_64 -M pc -nodefaults -no-user-config \
	-display none -accel kvm -cpu host -m 512M -smp 1 -kernel "$vmlinuz" -initrd "$initrd" \
	-no-reboot -append 'console=ttyS0 panic=-1 quiet no_timer_check PTSUITE_CANARY=1' \
	-serial "file:$work/canary.log" </dev/null >"$work/canary-qemu.log" 2>&1; true) 2>/dev/null
if tr -d '\r' 2>/dev/null <"$work/canary.log" | grep -q '^PTSUITE-CANARY-OK'; then
	echo kvm
else
	echo "kernels: /dev/kvm is there but cannot boot a stock kernel (canary: $(head -c 200 "$work/canary-qemu.log" | tr '\n' ' ')); using TCG" >&2
	echo tcg
fi
