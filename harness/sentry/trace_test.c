/*
 * S11 trace lines, compared byte for byte. Guest memory is a small array
 * at MEM; anything outside it reads as -EFAULT, like mm_copy_in.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "harness/sentry/trace.h"

#define MEM 0x10000ul
#define MEMSIZE 8192u /* two pages: strings can end at a page boundary */
#define BAD 0xdead0000ul

static unsigned char mem[MEMSIZE];
static char *out;
static size_t outlen, seen;
static FILE *f;
static struct trace *t;

static int fake_read(void *arg, uintptr_t addr, void *buf, size_t len)
{
	unsigned char *m = arg;
	if (addr < MEM || addr - MEM > MEMSIZE || len > MEMSIZE - (addr - MEM))
		return -EFAULT;
	memcpy(buf, m + (addr - MEM), len);
	return 0;
}

static const struct trace_mem M = { mem, fake_read };

static void setup(void)
{
	memset(mem, 0, sizeof(mem));
	f = open_memstream(&out, &outlen);
	cr_assert(f);
	t = trace_new(f);
	cr_assert(t);
	seen = 0;
}

static void teardown(void)
{
	trace_free(t);
	fclose(f);
	free(out);
}

TestSuite(trace, .init = setup, .fini = teardown);

/* The text written since the last expect() must be exactly want. */
static void expect(const char *want)
{
	fflush(f);
	cr_assert_str_eq(out + seen, want);
	seen = outlen;
}

/* Puts bytes (or a NUL-terminated string) at guest address MEM + off. */
static uint64_t poke(size_t off, const void *p, size_t len)
{
	cr_assert(off + len <= MEMSIZE);
	memcpy(mem + off, p, len);
	return MEM + off;
}

static uint64_t pokes(size_t off, const char *s)
{
	return poke(off, s, strlen(s) + 1);
}

static uint64_t poke64(size_t off, uint64_t v)
{
	return poke(off, &v, sizeof(v));
}

#define SC(nr, ret, ...) sc(nr, ret, true, (uint64_t[6]){ __VA_ARGS__ })
#define SC_NOT(nr, ret, ...) sc(nr, ret, false, (uint64_t[6]){ __VA_ARGS__ })

static void sc(long nr, long ret, bool implemented, const uint64_t args[6])
{
	trace_syscall(t, &M, nr, args, ret, implemented);
}

/* ---- names and results ---- */

Test(trace, libseccomp_names)
{
	SC(0, 0, 0, pokes(0, ""), 10);
	SC(60, 0, 3);
	SC(231, 0, 0);
	SC(334, 0, MEM, 0x20, 0, 0x53053053);
	expect("read(0, \"\", 10) = 0\n"
	       "exit(3) = ?\n"
	       "exit_group(0) = ?\n"
	       "rseq(0x10000, 0x20, 0, 0x53053053) = 0\n");
}

Test(trace, known_but_not_decoded_prints_six_hex_args)
{
	SC(__NR_umask, 022, 077, 1, 0, 0, 0, 0xffffffffffffffff);
	expect("umask(0x3f, 0x1, 0, 0, 0, 0xffffffffffffffff) = 18\n");
}

Test(trace, unknown_numbers)
{
	SC_NOT(1000, -ENOSYS, 1, 2);
	SC_NOT(-1, -ENOSYS);
	SC_NOT(0xffffffffl, -ENOSYS);
	SC_NOT(0x40000001l, -ENOSYS, 1); /* x32 write */
	SC_NOT(0x100000000l, -ENOSYS);   /* read, were it truncated to int */
	SC_NOT(-10101, -ENOSYS);         /* a libseccomp pseudo-syscall */
	expect("syscall_0x3e8(0x1, 0x2, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]\n"
	       "syscall_0xffffffffffffffff(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]\n"
	       "syscall_0xffffffff(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]\n"
	       "syscall_0x40000001(0x1, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]\n"
	       "syscall_0x100000000(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]\n"
	       "syscall_0xffffffffffffd88b(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) [not emulated]\n");
}

Test(trace, errors)
{
	SC(__NR_close, -EBADF, 9);
	SC(__NR_close, -EHWPOISON, 9);
	SC(__NR_close, -EPERM, 9);
	SC(__NR_close, -41, 9); /* unused by Linux */
	SC(__NR_close, -4095, 9);
	SC(__NR_close, -4096, 9); /* not an error value */
	SC(__NR_close, -EAGAIN, 9);
	expect("close(9) = -1 EBADF (Bad file descriptor)\n"
	       "close(9) = -1 EHWPOISON (Memory page has hardware error)\n"
	       "close(9) = -1 EPERM (Operation not permitted)\n"
	       "close(9) = -1 41 (Unknown error 41)\n"
	       "close(9) = -1 4095 (Unknown error 4095)\n"
	       "close(9) = -4096\n"
	       "close(9) = -1 EAGAIN (Resource temporarily unavailable)\n");
}

Test(trace, restart_codes)
{
	SC(__NR_read, -512, 0, MEM, 1);
	SC(__NR_read, -513, 0, MEM, 1);
	SC(__NR_read, -514, 0, MEM, 1);
	SC(__NR_ioctl, -515, 0, 0x5401, MEM);
	SC(__NR_nanosleep, -516, pokes(0, ""), 0);
	expect("read(0, 0x10000, 1) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
	       "read(0, 0x10000, 1) = ? ERESTARTNOINTR (To be restarted)\n"
	       "read(0, 0x10000, 1) = ? ERESTARTNOHAND (To be restarted if no handler)\n"
	       "ioctl(0, TCGETS, 0x10000) = -1 ENOIOCTLCMD (Unknown error 515)\n"
	       "nanosleep({tv_sec=0, tv_nsec=0}, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n");
}

Test(trace, not_emulated_decoded_call)
{
	SC_NOT(__NR_uname, -ENOSYS, MEM);
	expect("uname(0x10000) = -1 ENOSYS (Function not implemented) [not emulated]\n");
}

/* ---- strings and buffers ---- */

Test(trace, write_escapes)
{
	uint64_t p = poke(0, "a\n\t\"\\\0\xff\x7f\r\v\f~ ", 13);
	SC(__NR_write, 13, 1, p, 13);
	expect("write(1, \"a\\n\\t\\\"\\\\\\x00\\xff\\x7f\\r\\v\\f~ \", 13) = 13\n");
}

Test(trace, write_truncates_at_32)
{
	const char *s = "0123456789abcdef0123456789ABCDEFxyz";
	uint64_t p = pokes(0, s);
	SC(__NR_write, 35, 1, p, 35);
	SC(__NR_write, 32, 1, p, 32);
	expect("write(1, \"0123456789abcdef0123456789ABCDEF\"..., 35) = 35\n"
	       "write(1, \"0123456789abcdef0123456789ABCDEF\", 32) = 32\n");
}

Test(trace, read_shows_bytes_transferred)
{
	uint64_t p = pokes(0, "hello world");
	SC(__NR_read, 5, 0, p, 4096);
	SC(__NR_read, 0, 0, p, 4096);
	SC(__NR_read, -EAGAIN, 0, p, 4096);
	expect("read(0, \"hello\", 4096) = 5\n"
	       "read(0, \"\", 4096) = 0\n"
	       "read(0, 0x10000, 4096) = -1 EAGAIN (Resource temporarily unavailable)\n");
}

Test(trace, bad_pointer_prints_address)
{
	SC(__NR_write, -EFAULT, 1, BAD, 5);
	SC(__NR_write, -EFAULT, 1, 0, 5);
	SC(__NR_openat, -EFAULT, -100, BAD, 0);
	/* The buffer runs off the end of guest memory. */
	SC(__NR_write, -EFAULT, 1, MEM + MEMSIZE - 2, 5);
	expect("write(1, 0xdead0000, 5) = -1 EFAULT (Bad address)\n"
	       "write(1, NULL, 5) = -1 EFAULT (Bad address)\n"
	       "openat(AT_FDCWD, 0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)\n"
	       "write(1, 0x11ffe, 5) = -1 EFAULT (Bad address)\n");
}

Test(trace, no_memory_reader)
{
	pokes(0, "x");
	trace_syscall(t, NULL, __NR_write, (uint64_t[6]){ 1, MEM, 1 }, 1, true);
	expect("write(1, 0x10000, 1) = 1\n");
}

Test(trace, pread_pwrite)
{
	uint64_t p = pokes(0, "abc");
	SC(__NR_pread64, 3, 3, p, 100, 4096);
	SC(__NR_pwrite64, 2, 3, p, 2, -1);
	expect("pread64(3, \"abc\", 100, 4096) = 3\n"
	       "pwrite64(3, \"ab\", 2, -1) = 2\n");
}

Test(trace, iovecs)
{
	uint64_t a = pokes(0, "hi"), b = pokes(300, "there is more text than thirty-two bytes");
	uint64_t iov = poke64(64, a);
	poke64(72, 2);
	poke64(80, b);
	poke64(88, 100);
	SC(__NR_writev, 102, 1, iov, 2);
	SC(__NR_readv, 4, 0, iov, 2); /* 2 bytes into the first, 2 into the second */
	SC(__NR_readv, -EBADF, 9, iov, 2);
	SC(__NR_writev, -EFAULT, 1, BAD, 2);
	SC(__NR_writev, 0, 1, iov, 0);
	poke64(80, BAD);
	SC(__NR_writev, -EFAULT, 1, iov, 2);
	expect("writev(1, [{iov_base=\"hi\", iov_len=2}, "
	       "{iov_base=\"there is more text than thirty-t\"..., iov_len=100}], 2) = 102\n"
	       "readv(0, [{iov_base=\"hi\", iov_len=2}, {iov_base=\"th\", iov_len=100}], 2) = 4\n"
	       "readv(9, 0x10040, 2) = -1 EBADF (Bad file descriptor)\n"
	       "writev(1, 0xdead0000, 2) = -1 EFAULT (Bad address)\n"
	       "writev(1, [], 0) = 0\n"
	       "writev(1, [{iov_base=\"hi\", iov_len=2}, {iov_base=0xdead0000, iov_len=100}], 2)"
	       " = -1 EFAULT (Bad address)\n");
}

Test(trace, iovec_array_longer_than_32)
{
	char want[2048] = "writev(1, [";
	for (int i = 0; i < 40; i++) {
		poke64(256 + 16 * i, MEM);
		poke64(264 + 16 * i, 0);
	}
	for (int i = 0; i < 32; i++)
		strcat(want, i ? ", {iov_base=\"\", iov_len=0}" : "{iov_base=\"\", iov_len=0}");
	strcat(want, ", ...], 40) = 0\n");
	SC(__NR_writev, 0, 1, MEM + 256, 40);
	expect(want);
}

/* ---- files ---- */

Test(trace, open_flags_and_mode)
{
	uint64_t p = pokes(0, "/etc/passwd");
	SC(__NR_openat, 3, -100, p, 02000000);
	SC(__NR_openat, -ENOENT, 5, p, 01 | 0100 | 01000, 0644);
	SC(__NR_open, 4, p, 02 | 04010000 | 0x80000000ul, 0600);
	SC(__NR_open, 4, p, 020200002, 0);
	expect("openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3\n"
	       "openat(5, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = -1 ENOENT (No such file or directory)\n"
	       "open(\"/etc/passwd\", O_RDWR|O_SYNC|0x80000000) = 4\n"
	       "open(\"/etc/passwd\", O_RDWR|O_TMPFILE, 000) = 4\n");
}

Test(trace, paths_are_not_cut_at_32)
{
	const char *s = "/a/very/long/path/that/goes/on/and/on/for/more/than/32/bytes";
	SC(__NR_open, 3, pokes(0, s), 0);
	expect("open(\"/a/very/long/path/that/goes/on/and/on/for/more/than/32/bytes\", O_RDONLY) = 3\n");
}

Test(trace, string_ending_at_the_last_guest_byte)
{
	/* A whole-page read from the string would fault past the end. */
	uint64_t p = pokes(MEMSIZE - 4, "abc");
	SC(__NR_open, 3, p, 0);
	/* Unterminated up to the end of memory: unreadable. */
	poke(MEMSIZE - 4, "abcd", 4);
	SC(__NR_open, 3, p, 0);
	expect("open(\"abc\", O_RDONLY) = 3\n"
	       "open(0x11ffc, O_RDONLY) = 3\n");
}

Test(trace, close_lseek_dup_pipe)
{
	int32_t fds[2] = { 3, 4 };
	uint64_t p = poke(0, fds, sizeof(fds));
	SC(__NR_close, 0, 3);
	SC(__NR_lseek, 90, 3, -10, 2);
	SC(__NR_lseek, -EINVAL, 3, 0, 7);
	SC(__NR_dup, 5, 1);
	SC(__NR_dup2, 7, 1, 7);
	SC(__NR_dup3, 7, 1, 7, 02000000);
	SC(__NR_pipe2, 0, p, 02000000 | 04000);
	SC(__NR_pipe2, 0, p, 0);
	SC(__NR_pipe2, -EMFILE, p, 0);
	expect("close(3) = 0\n"
	       "lseek(3, -10, SEEK_END) = 90\n"
	       "lseek(3, 0, 7) = -1 EINVAL (Invalid argument)\n"
	       "dup(1) = 5\n"
	       "dup2(1, 7) = 7\n"
	       "dup3(1, 7, O_CLOEXEC) = 7\n"
	       "pipe2([3, 4], O_NONBLOCK|O_CLOEXEC) = 0\n"
	       "pipe2([3, 4], 0) = 0\n"
	       "pipe2(0x10000, 0) = -1 EMFILE (Too many open files)\n");
}

Test(trace, readlinkat_getcwd)
{
	uint64_t path = pokes(0, "/proc/self/exe");
	uint64_t buf = poke(64, "/fixtures/basic/hello-world-of-long-names", 41);
	SC(__NR_readlinkat, 41, -100, path, buf, 4096);
	SC(__NR_readlinkat, -ENOENT, -100, path, buf, 4096);
	uint64_t cwd = pokes(128, "/");
	SC(__NR_getcwd, 2, cwd, 4096);
	SC(__NR_getcwd, -ERANGE, cwd, 1);
	expect("readlinkat(AT_FDCWD, \"/proc/self/exe\", \"/fixtures/basic/hello-world-of-long-names\", 4096) = 41\n"
	       "readlinkat(AT_FDCWD, \"/proc/self/exe\", 0x10040, 4096) = -1 ENOENT (No such file or directory)\n"
	       "getcwd(\"/\", 4096) = 2\n"
	       "getcwd(0x10080, 1) = -1 ERANGE (Numerical result out of range)\n");
}

Test(trace, stat_calls)
{
	struct stat st = {
		.st_mode = S_IFREG | 0644, .st_size = 1234, .st_ino = 99, .st_mtime = 5
	};
	uint64_t sb = poke(256, &st, sizeof(st));
	uint64_t path = pokes(0, "");
	SC(__NR_newfstatat, 0, -100, path, sb, 0x1000);
	st.st_mode = S_IFCHR | 0620;
	st.st_size = 0;
	poke(256, &st, sizeof(st));
	SC(__NR_fstat, 0, 1, sb);
	SC(__NR_fstat, -EBADF, 9, sb);
	SC(__NR_newfstatat, -ENOENT, 3, pokes(0, "x"), sb, 0x100 | 0x800);
	expect("newfstatat(AT_FDCWD, \"\", {st_mode=S_IFREG|0644, st_size=1234, ...}, AT_EMPTY_PATH) = 0\n"
	       "fstat(1, {st_mode=S_IFCHR|0620, st_size=0, ...}) = 0\n"
	       "fstat(9, 0x10100) = -1 EBADF (Bad file descriptor)\n"
	       "newfstatat(3, \"x\", 0x10100, AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT) = -1 ENOENT (No such file or directory)\n");
}

Test(trace, ioctl_and_fcntl)
{
	SC(__NR_ioctl, -ENOTTY, 1, 0x5401, MEM);
	SC(__NR_ioctl, -ENOTTY, 1, 0x5413, MEM);
	SC(__NR_ioctl, -ENOTTY, 1, 0xc0de, 0);
	SC(__NR_fcntl, 0x8002, 3, 3);
	SC(__NR_fcntl, 0, 0, 3);
	SC(__NR_fcntl, 0, 3, 4, 04000);
	SC(__NR_fcntl, 1, 3, 1);
	SC(__NR_fcntl, 0, 3, 1);
	SC(__NR_fcntl, 0, 3, 2, 1);
	SC(__NR_fcntl, 10, 3, 1030, 10);
	SC(__NR_fcntl, -EINVAL, 3, 999, 5);
	expect("ioctl(1, TCGETS, 0x10000) = -1 ENOTTY (Inappropriate ioctl for device)\n"
	       "ioctl(1, TIOCGWINSZ, 0x10000) = -1 ENOTTY (Inappropriate ioctl for device)\n"
	       "ioctl(1, 0xc0de, 0) = -1 ENOTTY (Inappropriate ioctl for device)\n"
	       "fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)\n"
	       "fcntl(0, F_GETFL) = 0 (flags O_RDONLY)\n"
	       "fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0\n"
	       "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)\n"
	       "fcntl(3, F_GETFD) = 0\n"
	       "fcntl(3, F_SETFD, FD_CLOEXEC) = 0\n"
	       "fcntl(3, F_DUPFD_CLOEXEC, 10) = 10\n"
	       "fcntl(3, 999, 0x5) = -1 EINVAL (Invalid argument)\n");
}

/* ---- memory ---- */

Test(trace, mmap_family)
{
	SC(__NR_mmap, 0x7f0000000000, 0, 8192, 3, 0x22, -1, 0);
	SC(__NR_mmap, 0x400000, 0x400000, 4096, 5, 0x12, 3, 0x1000);
	SC(__NR_mmap, -ENOMEM, 0, 1ul << 40, 0, 0x4022 | 0x8000, -1, 0);
	SC(__NR_mmap, -EINVAL, 0, 4096, 0x10, 0x3 | 0x80, -1, 0);
	SC(__NR_munmap, 0, 0x7f0000000000, 8192);
	SC(__NR_mprotect, 0, 0x400000, 4096, 1);
	SC(__NR_mremap, 0x7f0000100000, 0x7f0000000000, 4096, 8192, 1);
	SC(__NR_mremap, 0x20000000, 0x7f0000000000, 4096, 8192, 3, 0x20000000);
	SC(__NR_madvise, 0, 0x7f0000000000, 4096, 4);
	SC(__NR_madvise, -EINVAL, 0x7f0000000000, 4096, 77);
	SC(__NR_brk, 0x602000, 0);
	SC(__NR_brk, 0x623000, 0x623000);
	expect("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
	       "mmap(0x400000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, 3, 0x1000) = 0x400000\n"
	       "mmap(NULL, 1099511627776, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE|MAP_POPULATE, -1, 0) = -1 ENOMEM (Cannot allocate memory)\n"
	       "mmap(NULL, 4096, 0x10, MAP_SHARED_VALIDATE|0x80, -1, 0) = -1 EINVAL (Invalid argument)\n"
	       "munmap(0x7f0000000000, 8192) = 0\n"
	       "mprotect(0x400000, 4096, PROT_READ) = 0\n"
	       "mremap(0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE) = 0x7f0000100000\n"
	       "mremap(0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x20000000) = 0x20000000\n"
	       "madvise(0x7f0000000000, 4096, MADV_DONTNEED) = 0\n"
	       "madvise(0x7f0000000000, 4096, 77) = -1 EINVAL (Invalid argument)\n"
	       "brk(NULL) = 0x602000\n"
	       "brk(0x623000) = 0x623000\n");
}

/* ---- process start-up ---- */

Test(trace, startup_calls)
{
	SC(__NR_arch_prctl, 0, 0x1002, 0x4c5880);
	SC(__NR_arch_prctl, -EINVAL, 0x3001, 0);
	SC(__NR_set_tid_address, 1000, 0x4c5b50);
	SC(__NR_set_robust_list, 0, 0x4c5b60, 24);
	SC(__NR_getrandom, 16, poke(0, "secret-bytes-xyz", 16), 16, 1);
	SC(__NR_getuid, 0);
	SC(__NR_geteuid, 0);
	SC(__NR_getgid, 0);
	SC(__NR_getegid, 0);
	SC(__NR_getpid, 1000);
	SC(__NR_gettid, 1001);
	SC(__NR_getppid, 999);
	SC(__NR_sched_yield, 0);
	expect("arch_prctl(ARCH_SET_FS, 0x4c5880) = 0\n"
	       "arch_prctl(0x3001, 0) = -1 EINVAL (Invalid argument)\n"
	       "set_tid_address(0x4c5b50) = 1000\n"
	       "set_robust_list(0x4c5b60, 24) = 0\n"
	       "getrandom(0x10000, 16, GRND_NONBLOCK) = 16\n"
	       "getuid() = 0\n"
	       "geteuid() = 0\n"
	       "getgid() = 0\n"
	       "getegid() = 0\n"
	       "getpid() = 1000\n"
	       "gettid() = 1001\n"
	       "getppid() = 999\n"
	       "sched_yield() = 0\n");
}

Test(trace, prlimit64)
{
	uint64_t lim[2] = { 8 << 20, UINT64_MAX };
	uint64_t p = poke(0, lim, sizeof(lim));
	SC(__NR_prlimit64, 0, 0, 3, 0, p);
	SC(__NR_prlimit64, 0, 0, 7, p, 0);
	SC(__NR_prlimit64, -ESRCH, 55, 3, 0, p);
	SC(__NR_prlimit64, -EINVAL, 0, 99, BAD, BAD);
	expect("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8388608, rlim_max=RLIM64_INFINITY}) = 0\n"
	       "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=8388608, rlim_max=RLIM64_INFINITY}, NULL) = 0\n"
	       "prlimit64(55, RLIMIT_STACK, NULL, 0x10000) = -1 ESRCH (No such process)\n"
	       "prlimit64(0, 99, 0xdead0000, 0xdead0000) = -1 EINVAL (Invalid argument)\n");
}

Test(trace, uname)
{
	char u[6][65] = { "Linux", "sentry", "6.1.0", "#1", "x86_64", "(none)" };
	uint64_t p = poke(0, u, sizeof(u));
	SC(__NR_uname, 0, p);
	memset(mem, 'n', 65 * 2); /* fields without a NUL */
	SC(__NR_uname, 0, p);
	expect("uname({sysname=\"Linux\", nodename=\"sentry\", ...}) = 0\n"
	       "uname({sysname=\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"..., "
	       "nodename=\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"..., ...}) = 0\n");
}

Test(trace, clock_gettime_never_prints_the_time)
{
	int64_t ts[2] = { 1700000000, 123456789 };
	uint64_t p = poke(0, ts, sizeof(ts));
	SC(__NR_clock_gettime, 0, 1, p);
	SC(__NR_clock_gettime, 0, 0, p);
	SC(__NR_clock_gettime, -EINVAL, -6, p);
	expect("clock_gettime(CLOCK_MONOTONIC, 0x10000) = 0\n"
	       "clock_gettime(CLOCK_REALTIME, 0x10000) = 0\n"
	       "clock_gettime(-6, 0x10000) = -1 EINVAL (Invalid argument)\n");
}

Test(trace, exits)
{
	SC(__NR_exit_group, 0, 1);
	SC(__NR_exit, 0, 255);
	trace_exit(t, 0);
	trace_exit(t, 42);
	trace_killed(t, SIGSEGV, true);
	trace_killed(t, SIGKILL, false);
	trace_killed(t, 40, false);
	expect("exit_group(1) = ?\n"
	       "exit(255) = ?\n"
	       "+++ exited with 0 +++\n"
	       "+++ exited with 42 +++\n"
	       "+++ killed by SIGSEGV (core dumped) +++\n"
	       "+++ killed by SIGKILL +++\n"
	       "+++ killed by SIGRTMIN+8 +++\n");
}

/* ---- signals ---- */

Test(trace, rt_sigaction)
{
	uint64_t act[4] = { 0x401000, 0x04000000 | 0x10000000 | 4, 0x401100,
			    (1ull << (SIGTERM - 1)) | (1ull << (SIGUSR1 - 1)) };
	uint64_t dfl[4] = { 1, 0, 0, 0 };
	uint64_t a = poke(0, act, sizeof(act)), o = poke(64, dfl, sizeof(dfl));
	SC(__NR_rt_sigaction, 0, SIGINT, a, o, 8);
	SC(__NR_rt_sigaction, 0, SIGCHLD, o, 0, 8);
	SC(__NR_rt_sigaction, -EINVAL, SIGKILL, a, o, 8);
	SC(__NR_rt_sigaction, -EINVAL, SIGINT, a, o, 16);
	dfl[0] = 0;
	poke(64, dfl, sizeof(dfl));
	SC(__NR_rt_sigaction, 0, 34, 0, o, 8);
	expect("rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[SIGUSR1 SIGTERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x401100}, "
	       "{sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}, 8) = 0\n"
	       "rt_sigaction(SIGCHLD, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=0}, NULL, 8) = 0\n"
	       "rt_sigaction(SIGKILL, {sa_handler=0x401000, sa_mask=[SIGUSR1 SIGTERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x401100}, 0x10040, 8) = -1 EINVAL (Invalid argument)\n"
	       "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[SIGUSR1 SIGTERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART|SA_SIGINFO, sa_restorer=0x401100}, 0x10040, 16) = -1 EINVAL (Invalid argument)\n"
	       "rt_sigaction(SIGRTMIN+2, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0\n");
}

Test(trace, rt_sigprocmask_sets)
{
	uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
	uint64_t full = ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	uint64_t rt = (1ull << 31) | (1ull << 32) | (1ull << 63);
	uint64_t s = poke64(0, set), o = poke64(8, 0), fl = poke64(16, full), r = poke64(24, rt);
	SC(__NR_rt_sigprocmask, 0, 0, s, o, 8);
	SC(__NR_rt_sigprocmask, 0, 2, fl, 0, 8);
	SC(__NR_rt_sigprocmask, 0, 1, r, 0, 8);
	SC(__NR_rt_sigprocmask, -EINVAL, 7, s, o, 8);
	SC(__NR_rt_sigprocmask, 0, 0, BAD, 0, 8);
	expect("rt_sigprocmask(SIG_BLOCK, [SIGINT SIGTERM], [], 8) = 0\n"
	       "rt_sigprocmask(SIG_SETMASK, ~[SIGKILL SIGSTOP], NULL, 8) = 0\n"
	       "rt_sigprocmask(SIG_UNBLOCK, [SIGRTMIN SIGRTMIN+1 SIGRTMIN+32], NULL, 8) = 0\n"
	       "rt_sigprocmask(0x7, [SIGINT SIGTERM], 0x10008, 8) = -1 EINVAL (Invalid argument)\n"
	       "rt_sigprocmask(SIG_BLOCK, 0xdead0000, NULL, 8) = 0\n");
}

Test(trace, sigaltstack)
{
	uint64_t ss[3] = { 0x7f0000010000, 0, 8192 };
	uint64_t old[3] = { 0, 2, 0 };
	uint64_t a = poke(0, ss, sizeof(ss)), o = poke(32, old, sizeof(old));
	SC(__NR_sigaltstack, 0, a, o);
	SC(__NR_sigaltstack, -ENOMEM, a, o);
	expect("sigaltstack({ss_sp=0x7f0000010000, ss_flags=0, ss_size=8192}, "
	       "{ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0\n"
	       "sigaltstack({ss_sp=0x7f0000010000, ss_flags=0, ss_size=8192}, 0x10020) = -1 ENOMEM (Cannot allocate memory)\n");
}

Test(trace, kill_family)
{
	SC(__NR_kill, 0, 1000, SIGTERM);
	SC(__NR_kill, 0, -1, 0);
	SC(__NR_tgkill, 0, 1000, 1001, SIGUSR2);
	SC(__NR_tkill, -EINVAL, 1001, 65);
	SC(__NR_tkill, 0, 1001, 33);
	expect("kill(1000, SIGTERM) = 0\n"
	       "kill(-1, 0) = 0\n"
	       "tgkill(1000, 1001, SIGUSR2) = 0\n"
	       "tkill(1001, 65) = -1 EINVAL (Invalid argument)\n"
	       "tkill(1001, SIGRTMIN+1) = 0\n");
}

Test(trace, nanosleep)
{
	int64_t req[2] = { 1, 500000000 };
	uint64_t p = poke(0, req, sizeof(req));
	SC(__NR_nanosleep, 0, p, 0);
	SC(__NR_nanosleep, -EINTR, p, MEM + 64);
	SC(__NR_nanosleep, -EFAULT, BAD, 0);
	expect("nanosleep({tv_sec=1, tv_nsec=500000000}, NULL) = 0\n"
	       "nanosleep({tv_sec=1, tv_nsec=500000000}, 0x10040) = -1 EINTR (Interrupted system call)\n"
	       "nanosleep(0xdead0000, NULL) = -1 EFAULT (Bad address)\n");
}

Test(trace, futex)
{
	int64_t ts[2] = { 0, 1000 };
	uint64_t p = poke(0, ts, sizeof(ts));
	SC(__NR_futex, 0, 0x4c0000, 128, 1, 0);
	SC(__NR_futex, -ETIMEDOUT, 0x4c0000, 0, 2, p);
	SC(__NR_futex, 1, 0x4c0000, 129, 1);
	SC(__NR_futex, -EAGAIN, 0x4c0000, 9 | 128 | 256, 0, p, 0, 0xffffffff);
	SC(__NR_futex, 1, 0x4c0000, 4 | 128, 1, 0x7fffffff, 0x4c0010, 7);
	SC(__NR_futex, 1, 0x4c0000, 3, 1, 2, 0x4c0010);
	SC(__NR_futex, 1, 0x4c0000, 10 | 128, 1, 0, 0, 0x3);
	SC(__NR_futex, -ENOSYS, 0x4c0000, 77, 1, 2, 3, 4);
	expect("futex(0x4c0000, FUTEX_WAIT_PRIVATE, 1, NULL) = 0\n"
	       "futex(0x4c0000, FUTEX_WAIT, 2, {tv_sec=0, tv_nsec=1000}) = -1 ETIMEDOUT (Connection timed out)\n"
	       "futex(0x4c0000, FUTEX_WAKE_PRIVATE, 1) = 1\n"
	       "futex(0x4c0000, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, 0x10000, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)\n"
	       "futex(0x4c0000, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2147483647, 0x4c0010, 0x7) = 1\n"
	       "futex(0x4c0000, FUTEX_REQUEUE, 1, 2, 0x4c0010) = 1\n"
	       "futex(0x4c0000, FUTEX_WAKE_BITSET_PRIVATE, 1, 0x3) = 1\n"
	       "futex(0x4c0000, 0x4d, 0x1, 0x2, 0x3, 0x4) = -1 ENOSYS (Function not implemented)\n");
}

Test(trace, wait4)
{
	int st = 3 << 8;
	uint64_t p = poke(0, &st, sizeof(st));
	SC(__NR_wait4, 1001, -1, p, 0, 0);
	st = SIGSEGV | 0x80;
	poke(0, &st, sizeof(st));
	SC(__NR_wait4, 1001, 1001, p, 0x40000000, MEM + 64);
	SC(__NR_wait4, 0, -1, p, 1, 0);
	SC(__NR_wait4, -ECHILD, -1, p, 0, 0);
	st = (SIGSTOP << 8) | 0x7f;
	poke(0, &st, sizeof(st));
	SC(__NR_wait4, 1001, -1, p, 2, 0);
	expect("wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 1001\n"
	       "wait4(1001, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], __WALL, 0x10040) = 1001\n"
	       "wait4(-1, 0x10000, WNOHANG, NULL) = 0\n"
	       "wait4(-1, 0x10000, 0, NULL) = -1 ECHILD (No child processes)\n"
	       "wait4(-1, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WUNTRACED, NULL) = 1001\n");
}

Test(trace, clone)
{
	uint64_t thread =
		0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x100000 | 0x200000;
	SC(__NR_clone, 1002, thread, 0x7f0000800000, 0x7f0000800990, 0x7f0000800990,
	   0x7f00008006c0);
	SC(__NR_clone, 1003, 0x1000000 | 0x200000 | SIGCHLD, 0, 0, 0x4c5b50, 0);
	SC(__NR_clone, 1004, SIGCHLD, 0, 0, 0, 0);
	SC(__NR_clone, -EINVAL, 0, 0, 0, 0, 0);
	expect("clone(child_stack=0x7f0000800000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
	       "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
	       "parent_tid=0x7f0000800990, child_tidptr=0x7f0000800990, tls=0x7f00008006c0) = 1002\n"
	       "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
	       "child_tidptr=0x4c5b50) = 1003\n"
	       "clone(child_stack=NULL, flags=SIGCHLD) = 1004\n"
	       "clone(child_stack=NULL, flags=0) = -1 EINVAL (Invalid argument)\n");
}

Test(trace, execve)
{
	uint64_t path = pokes(0, "/fixtures/basic/echo");
	uint64_t a0 = pokes(64, "echo"), a1 = pokes(80, "hi\tthere");
	uint64_t argv = poke64(128, a0);
	poke64(136, a1);
	poke64(144, BAD);
	poke64(152, 0);
	uint64_t envp = poke64(192, a0);
	poke64(200, a1);
	poke64(208, 0);
	SC(__NR_execve, 0, path, argv, envp);
	SC(__NR_execve, -ENOENT, path, argv, 0);
	SC(__NR_execve, -EFAULT, path, BAD, BAD);
	SC(__NR_execve, -EFAULT, path, 0, MEM + 208);
	expect("execve(\"/fixtures/basic/echo\", [\"echo\", \"hi\\tthere\", 0xdead0000], 0x100c0 /* 2 vars */) = 0\n"
	       "execve(\"/fixtures/basic/echo\", [\"echo\", \"hi\\tthere\", 0xdead0000], NULL) = -1 ENOENT (No such file or directory)\n"
	       "execve(\"/fixtures/basic/echo\", 0xdead0000, 0xdead0000) = -1 EFAULT (Bad address)\n"
	       "execve(\"/fixtures/basic/echo\", NULL, 0x100d0 /* 0 vars */) = -1 EFAULT (Bad address)\n");
}

Test(trace, argv_strings_of_32_and_33_bytes)
{
	uint64_t a = pokes(0, "0123456789abcdef0123456789ABCDEF");
	uint64_t b = pokes(64, "0123456789abcdef0123456789ABCDEFx");
	uint64_t argv = poke64(128, a);
	poke64(136, b);
	poke64(144, 0);
	SC(__NR_execve, -ENOENT, a, argv, 0);
	expect("execve(\"0123456789abcdef0123456789ABCDEF\", "
	       "[\"0123456789abcdef0123456789ABCDEF\", \"0123456789abcdef0123456789ABCDEF\"...], "
	       "NULL) = -1 ENOENT (No such file or directory)\n");
}

Test(trace, execve_argv_longer_than_32)
{
	uint64_t s = pokes(0, "a");
	char want[1024] = "execve(\"a\", [";
	for (int i = 0; i < 40; i++)
		poke64(64 + 8 * i, s);
	poke64(64 + 8 * 40, 0);
	for (int i = 0; i < 32; i++)
		strcat(want, i ? ", \"a\"" : "\"a\"");
	strcat(want, ", ...], NULL) = 0\n");
	SC(__NR_execve, 0, s, MEM + 64, 0);
	expect(want);
}

/* ---- faults, signals, events, notes ---- */

Test(trace, faults)
{
	trace_fault(t, 0x20000000, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE, 0x401000);
	trace_fault(t, 0, PLAT_ACCESS_READ, 0x401002);
	trace_fault(t, 0x7f0000000000, PLAT_ACCESS_EXEC, 0x7f0000000000);
	trace_fault(t, 0x1000, 0, 0x401004);
	trace_fault(t, 0x1000, PLAT_ACCESS_READ | PLAT_ACCESS_WRITE | PLAT_ACCESS_EXEC, 1);
	expect("--- fault addr=0x20000000 access=rw- rip=0x401000 ---\n"
	       "--- fault addr=0x0 access=r-- rip=0x401002 ---\n"
	       "--- fault addr=0x7f0000000000 access=--x rip=0x7f0000000000 ---\n"
	       "--- fault addr=0x1000 access=--- rip=0x401004 ---\n"
	       "--- fault addr=0x1000 access=rwx rip=0x1 ---\n");
}

static siginfo_t info(int sig, int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	return si;
}

Test(trace, fault_signals)
{
	siginfo_t si = info(SIGSEGV, SEGV_MAPERR);
	trace_signal(t, &si, "delivered");
	si = info(SIGSEGV, SEGV_ACCERR);
	si.si_addr = (void *)0x20000000;
	trace_signal(t, &si, "default action");
	si = info(SIGSEGV, SI_KERNEL);
	trace_signal(t, &si, "delivered");
	si = info(SIGBUS, BUS_ADRERR);
	si.si_addr = (void *)0x30001000;
	trace_signal(t, &si, "delivered");
	si = info(SIGILL, ILL_ILLOPN);
	si.si_addr = (void *)0x401000;
	trace_signal(t, &si, "delivered");
	si = info(SIGFPE, FPE_INTDIV);
	si.si_addr = (void *)0x401001;
	trace_signal(t, &si, "delivered");
	si = info(SIGTRAP, TRAP_BRKPT);
	trace_signal(t, &si, NULL);
	si = info(SIGSEGV, 77);
	trace_signal(t, &si, "delivered");
	expect("--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x0} --- delivered\n"
	       "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x20000000} --- default action\n"
	       "--- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=0x0} --- delivered\n"
	       "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x30001000} --- delivered\n"
	       "--- SIGILL {si_signo=SIGILL, si_code=ILL_ILLOPN, si_addr=0x401000} --- delivered\n"
	       "--- SIGFPE {si_signo=SIGFPE, si_code=FPE_INTDIV, si_addr=0x401001} --- delivered\n"
	       "--- SIGTRAP {si_signo=SIGTRAP, si_code=TRAP_BRKPT, si_addr=0x0} ---\n"
	       "--- SIGSEGV {si_signo=SIGSEGV, si_code=77, si_addr=0x0} --- delivered\n");
}

Test(trace, user_and_child_signals)
{
	siginfo_t si = info(SIGTERM, SI_USER);
	si.si_pid = 1000;
	si.si_uid = 0;
	trace_signal(t, &si, "delivered");
	si = info(SIGUSR1, SI_TKILL);
	si.si_pid = 1000;
	si.si_uid = 1;
	trace_signal(t, &si, "discarded");
	si = info(34, SI_QUEUE);
	si.si_pid = 1000;
	si.si_value.sival_int = 42;
	trace_signal(t, &si, "delivered");
	si = info(SIGCHLD, CLD_EXITED);
	si.si_pid = 1001;
	si.si_status = 3;
	si.si_utime = 77; /* a CPU time: never shown */
	trace_signal(t, &si, "delivered");
	si = info(SIGCHLD, CLD_KILLED);
	si.si_pid = 1001;
	si.si_status = SIGKILL;
	trace_signal(t, &si, "delivered");
	si = info(SIGALRM, SI_KERNEL);
	trace_signal(t, &si, "delivered");
	si = info(SIGSYS, 1);
	si.si_call_addr = (void *)0x401000;
	si.si_syscall = 1000;
	si.si_arch = 0xc000003e;
	trace_signal(t, &si, "delivered");
	si = info(SIGIO, 1);
	si.si_band = 1;
	si.si_fd = 3;
	trace_signal(t, &si, "delivered");
	expect("--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=1000, si_uid=0} --- delivered\n"
	       "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=1000, si_uid=1} --- discarded\n"
	       "--- SIGRTMIN+2 {si_signo=SIGRTMIN+2, si_code=SI_QUEUE, si_pid=1000, si_uid=0, "
	       "si_value={int=42, ptr=0x2a}} --- delivered\n"
	       "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1001, si_uid=0, si_status=3} --- delivered\n"
	       "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=1001, si_uid=0, si_status=SIGKILL} --- delivered\n"
	       "--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} --- delivered\n"
	       "--- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x401000, si_syscall=1000, "
	       "si_arch=0xc000003e} --- delivered\n"
	       "--- SIGIO {si_signo=SIGIO, si_code=POLL_IN, si_band=1, si_fd=3} --- delivered\n");
}

Test(trace, events)
{
	siginfo_t si = info(SIGCHLD, CLD_EXITED);
	si.si_pid = 31337; /* a host pid: never shown */
	struct plat_event ev[] = {
		{ .kind = PLAT_EV_AS_NEW, .stub_pid = 4242 },
		{ .kind = PLAT_EV_MAP_FILE,
		  .addr = 0x400000,
		  .len = 0x1000,
		  .offset = 0x3000,
		  .prot = 5 },
		{ .kind = PLAT_EV_MAP_FILE,
		  .addr = 0x7f0000000000,
		  .len = 0x10000,
		  .prot = 0,
		  .precommit = true,
		  .result = -ENOMEM },
		{ .kind = PLAT_EV_UNMAP, .addr = 0x400000, .len = 0x1000 },
		{ .kind = PLAT_EV_UNMAP, .addr = 0x400000, .len = 0x1000, .result = -EOWNERDEAD },
		{ .kind = PLAT_EV_THREAD_NEW, .stub_tid = 4243 },
		{ .kind = PLAT_EV_THREAD_REKEY },
		{ .kind = PLAT_EV_SIGNAL_DISCARDED, .info = &si },
		{ .kind = PLAT_EV_AS_REUSE },
		{ .kind = PLAT_EV_AS_RELEASE },
	};
	for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		trace_event(t, &ev[i]);
	expect("~~~ as-new ~~~\n"
	       "~~~ map-file addr=0x400000 len=0x1000 prot=PROT_READ|PROT_EXEC off=0x3000 = 0 ~~~\n"
	       "~~~ map-file addr=0x7f0000000000 len=0x10000 prot=PROT_NONE off=0x0 precommit = -1 ENOMEM (Cannot allocate memory) ~~~\n"
	       "~~~ unmap addr=0x400000 len=0x1000 = 0 ~~~\n"
	       "~~~ unmap addr=0x400000 len=0x1000 = -1 EOWNERDEAD (Owner died) ~~~\n"
	       "~~~ thread-new ~~~\n"
	       "~~~ thread-rekey ~~~\n"
	       "~~~ signal-discarded SIGCHLD si_code=CLD_EXITED ~~~\n"
	       "~~~ as-reuse ~~~\n"
	       "~~~ as-release ~~~\n");
}

Test(trace, notes)
{
	trace_note(t, "--- limit: %s exceeded ---", "output bytes");
	trace_note(t, "two\nlines\x7f");
	expect("--- limit: output bytes exceeded ---\n"
	       "two\\x0alines\\x7f\n");
}

/* ---- line bound, no-ops ---- */

static void assert_cut_line(void)
{
	fflush(f);
	cr_assert_eq(outlen - seen, (size_t)TRACE_LINE_MAX);
	cr_assert_eq(memcmp(out + outlen - sizeof(TRACE_CUT), TRACE_CUT "\n", sizeof(TRACE_CUT)),
		     0);
	cr_assert_eq(memchr(out + seen, '\n', TRACE_LINE_MAX - 1), NULL);
	seen = outlen;
}

Test(trace, long_lines_are_cut)
{
	char big[6000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	trace_note(t, "%s", big);
	assert_cut_line();

	/* 32 arguments of 32 bytes escaped to 4 each: over 4 KiB. */
	memset(mem, 0xff, 32);
	mem[32] = 0;
	for (int i = 0; i < 32; i++)
		poke64(64 + 8 * i, MEM);
	poke64(64 + 8 * 32, 0);
	SC(__NR_execve, 0, pokes(1024, "/x"), MEM + 64, 0);
	assert_cut_line();

	/* A short line after a cut one is whole. */
	SC(__NR_getpid, 1000);
	expect("getpid() = 1000\n");
}

Test(trace, exactly_full_line_is_not_cut)
{
	char text[TRACE_LINE_MAX];
	memset(text, 'y', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	trace_note(t, "%s", text);
	fflush(f);
	cr_assert_eq(outlen, (size_t)TRACE_LINE_MAX);
	cr_assert_eq(out[TRACE_LINE_MAX - 2], 'y');
	cr_assert_eq(out[TRACE_LINE_MAX - 1], '\n');
}

Test(trace, null_trace_and_null_file_are_no_ops)
{
	struct trace *quiet = trace_new(NULL);
	siginfo_t si = info(SIGSEGV, SEGV_MAPERR);
	struct plat_event ev = { .kind = PLAT_EV_AS_NEW };
	cr_assert(quiet);
	trace_syscall(quiet, &M, 0, (uint64_t[6]){ 0 }, 0, true);
	trace_syscall(NULL, &M, 0, (uint64_t[6]){ 0 }, 0, true);
	trace_fault(quiet, 0, 0, 0);
	trace_signal(NULL, &si, "delivered");
	trace_event(quiet, &ev);
	trace_exit(NULL, 0);
	trace_killed(quiet, SIGKILL, false);
	trace_note(NULL, "x");
	trace_free(quiet);
	trace_free(NULL);
	expect("");
}

Test(trace, same_call_same_bytes)
{
	uint64_t p = pokes(0, "det");
	char first[256];
	SC(__NR_write, 3, 1, p, 3);
	fflush(f);
	cr_assert_lt(outlen, sizeof(first));
	memcpy(first, out, outlen + 1);
	seen = outlen;
	SC(__NR_write, 3, 1, p, 3);
	expect(first);
}

/* ---- timers, waits, polls and the calls without arguments ---- */

Test(trace, itimers_alarm_pause_fork)
{
	int64_t it[4] = { 0, 0, 0, 20000 };
	uint64_t a = poke(0, it, sizeof(it));
	SC(__NR_setitimer, 0, 0, a, 0);
	SC(__NR_setitimer, -EINVAL, 5, a, MEM + 64);
	SC(__NR_getitimer, 0, 1, MEM + 64);
	SC(__NR_alarm, 0, 1);
	SC(__NR_pause, -514);
	SC(__NR_fork, 1001);
	SC(__NR_vfork, 1002);
	expect("setitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, "
	       "it_value={tv_sec=0, tv_usec=20000}}, NULL) = 0\n"
	       "setitimer(5, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=20000}}, "
	       "0x10040) = -1 EINVAL (Invalid argument)\n"
	       "getitimer(ITIMER_VIRTUAL, 0x10040) = 0\n"
	       "alarm(1) = 0\n"
	       "pause() = ? ERESTARTNOHAND (To be restarted if no handler)\n"
	       "fork() = 1001\n"
	       "vfork() = 1002\n");
}

Test(trace, signal_waits)
{
	uint64_t set = 1ull << (SIGUSR1 - 1);
	int64_t ts[2] = { 5, 0 };
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = 1000;
	si.si_uid = 1000;
	si.si_value.sival_int = 7;
	uint64_t s = poke64(0, set), t5 = poke(8, ts, sizeof(ts)), i = poke(64, &si, sizeof(si));
	SC(__NR_rt_sigsuspend, -514, s, 8);
	SC(__NR_rt_sigpending, 0, s, 8);
	SC(__NR_rt_sigpending, -EINVAL, s, 16);
	SC(__NR_rt_sigtimedwait, SIGUSR1, s, i, t5, 8);
	SC(__NR_rt_sigtimedwait, -EAGAIN, s, i, t5, 8);
	SC(__NR_rt_sigqueueinfo, 0, 1000, SIGUSR1, i);
	SC(__NR_rt_tgsigqueueinfo, -EAGAIN, 1000, 1000, 32, i);
	expect("rt_sigsuspend([SIGUSR1], 8) = ? ERESTARTNOHAND (To be restarted if no handler)\n"
	       "rt_sigpending([SIGUSR1], 8) = 0\n"
	       "rt_sigpending(0x10000, 16) = -1 EINVAL (Invalid argument)\n"
	       "rt_sigtimedwait([SIGUSR1], {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=1000, "
	       "si_uid=1000, si_value={int=7, ptr=0x7}}, {tv_sec=5, tv_nsec=0}, 8) = 10 (SIGUSR1)\n"
	       "rt_sigtimedwait([SIGUSR1], 0x10040, {tv_sec=5, tv_nsec=0}, 8) = -1 EAGAIN "
	       "(Resource temporarily unavailable)\n"
	       "rt_sigqueueinfo(1000, SIGUSR1, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=1000, "
	       "si_uid=1000, si_value={int=7, ptr=0x7}}) = 0\n"
	       "rt_tgsigqueueinfo(1000, 1000, SIGRTMIN, {si_signo=SIGUSR1, si_code=SI_QUEUE, "
	       "si_pid=1000, si_uid=1000, si_value={int=7, ptr=0x7}}) = -1 EAGAIN "
	       "(Resource temporarily unavailable)\n");
}

Test(trace, clock_nanosleep_relative_and_absolute)
{
	int64_t ts[2] = { 2, 0 };
	uint64_t a = poke(0, ts, sizeof(ts));
	SC(__NR_clock_nanosleep, -516, 1, 0, a, MEM + 16);
	SC(__NR_clock_nanosleep, -514, 0, 1, a, MEM + 16);
	expect("clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=2, tv_nsec=0}, 0x10010) = ? "
	       "ERESTART_RESTARTBLOCK (Interrupted by signal)\n"
	       "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, 0x10000, 0x10010) = ? "
	       "ERESTARTNOHAND (To be restarted if no handler)\n");
}

Test(trace, poll_and_ppoll)
{
	struct {
		int32_t fd;
		int16_t events, revents;
	} p[2] = { { 3, 1, 1 }, { 4, 4 | 1, 0 } };
	int64_t ts[2] = { 0, 20000000 };
	uint64_t set = 1ull << (SIGUSR1 - 1);
	uint64_t a = poke(0, p, sizeof(p)), t20 = poke(16, ts, sizeof(ts)), s = poke64(32, set);
	SC(__NR_poll, 1, a, 2, -1);
	SC(__NR_poll, 0, a, 2, 0);
	SC(__NR_ppoll, -514, a, 1, t20, s, 8);
	SC(__NR_poll, -EINVAL, a, 5000, 0);
	expect("poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}], 2, -1) = 1 "
	       "([{fd=3, revents=POLLIN}])\n"
	       "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}], 2, 0) = 0 (Timeout)\n"
	       "ppoll([{fd=3, events=POLLIN}], 1, 0x10010, [SIGUSR1], 8) = ? "
	       "ERESTARTNOHAND (To be restarted if no handler)\n"
	       "poll(0x10000, 5000, 0) = -1 EINVAL (Invalid argument)\n");
}

/* rt_sigreturn's args[0] is the stack pointer at the call: the frame's
 * uc_sigmask is 296 bytes into the ucontext, which follows pretcode. */
Test(trace, rt_sigreturn_mask_and_restart_syscall)
{
	uint64_t sp = MEM + 8;
	poke64(296 + 8, 1ull << (SIGALRM - 1));
	SC(__NR_rt_sigreturn, -EINTR, sp);
	SC(__NR_rt_sigreturn, 0, BAD);
	SC(__NR_restart_syscall, 0);
	expect("rt_sigreturn({mask=[SIGALRM]}) = -1 EINTR (Interrupted system call)\n"
	       "rt_sigreturn({mask=0xdead0128}) = 0\n"
	       "restart_syscall(<... resuming interrupted call ...>) = 0\n");
}
