# gdb settings for the harness (make debug CASE=family/name).
set pagination off
set confirm off
# The harness forks the master stub (and native runs): stay with the harness.
set follow-fork-mode parent
set detach-on-fork on
# gdb turns ASLR off, which puts the harness stack at the very top, where
# the stub page must go (P1); guest addresses would then not fit.
set disable-randomization off
# SIGCHLD is the platform's interrupt signal (P19) and arrives from every
# child; SIGPIPE and SIGSTOP are noise from the stubs' side. None of them is
# a reason to stop.
handle SIGCHLD nostop noprint pass
handle SIGPIPE nostop noprint pass
handle SIGSTOP nostop noprint pass
# Stop where the platform's fatal path (P24) or an assertion aborts.
break abort
run
