/* PID 1 of the guest that `make kernels` boots (see scripts/kernels/README.md).
 *
 * Mounts what the harness reads (/proc for the platform's probes and the
 * timeout evidence, /sys, devtmpfs for /dev/null and the serial ports),
 * runs `/harness suite` over /cases and /fixtures, and sends the reports
 * to the host over the second serial port (ttyS1), which carries nothing
 * else. Each file goes as base64 lines between markers, with its size and
 * POSIX cksum, so the host can prove it arrived whole. The console (ttyS0)
 * only gets progress lines tagged PTSUITE-.
 *
 * Arguments come from the kernel command line: parameters of the form
 * NAME=VALUE without a dot that the kernel does not know are given to init
 * as environment variables. PTSUITE_ARGS is the suite's extra arguments
 * separated by commas (the command line splits on spaces);
 * HARNESS_TIMEOUT_SCALE reaches the harness unchanged.
 *
 * PID 1 must never exit (the kernel panics), so every path ends in
 * reboot(RB_POWER_OFF). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define REPORT_DIR "/tmp/reports"
#define KTAP_FILE "/tmp/ktap.txt"
#define MAX_ARGS 64

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("PTSUITE-", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

static double uptime(void)
{
	double up = -1;
	FILE *f = fopen("/proc/uptime", "re");
	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = -1;
		fclose(f);
	}
	return up;
}

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void mount_one(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		say("WARN mount %s on %s: %s", type, dir, strerror(errno));
}

/* The kernel opened /dev/console before /dev existed in the initramfs
 * (no device nodes in a cpio written without root), so fds 0-2 may be
 * closed; take them from devtmpfs. */
static void console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 1; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
}

/* POSIX cksum (the CRC of `cksum`): CRC-32 polynomial 0x04C11DB7, MSB
 * first, over the data and then its length, inverted. */
struct cksum {
	uint32_t crc;
	uint64_t len;
};

static void cksum_byte(struct cksum *c, unsigned char b)
{
	c->crc ^= (uint32_t)b << 24;
	for (int i = 0; i < 8; i++)
		c->crc = c->crc & 0x80000000u ? (c->crc << 1) ^ 0x04C11DB7u : c->crc << 1;
}

static uint32_t cksum_of(const unsigned char *p, size_t n)
{
	struct cksum c = { 0, n };
	for (size_t i = 0; i < n; i++)
		cksum_byte(&c, p[i]);
	for (uint64_t l = c.len; l; l >>= 8)
		cksum_byte(&c, l & 0xff);
	return ~c.crc;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	unsigned char *p = malloc(cap);
	size_t got;
	while (p && (got = fread(p + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			unsigned char *q = realloc(p, cap *= 2);
			if (!q)
				free(p);
			p = q;
		}
	}
	fclose(f);
	*n = len;
	return p;
}

static void base64_line(FILE *out, const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		putc(a[v >> 18 & 63], out);
		putc(a[v >> 12 & 63], out);
		putc(i + 1 < n ? a[v >> 6 & 63] : '=', out);
		putc(i + 2 < n ? a[v & 63] : '=', out);
	}
	putc('\n', out);
}

/* One file on the result port; a missing file is sent as MISSING so the
 * host can tell "not written" from "lost on the way". */
static void send_file(FILE *out, const char *path, const char *name)
{
	size_t n = 0;
	unsigned char *p = slurp(path, &n);
	if (!p) {
		fprintf(out, "PTSUITE-MISSING %s %s\n", name, strerror(errno));
		return;
	}
	fprintf(out, "PTSUITE-FILE %s %zu %u\n", name, n, cksum_of(p, n));
	for (size_t i = 0; i < n; i += 57) /* 57 bytes: 76 base64 characters */
		base64_line(out, p + i, n - i < 57 ? n - i : 57);
	fprintf(out, "PTSUITE-EOF %s\n", name);
	free(p);
}

/* ttyS1 in raw mode: no \n -> \r\n, no echo, nothing eaten. */
static FILE *result_port(void)
{
	int fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	if (fd < 0) {
		say("WARN /dev/ttyS1: %s", strerror(errno));
		return NULL;
	}
	struct termios t;
	if (!tcgetattr(fd, &t)) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fdopen(fd, "w");
}

static int split_args(char *s, char **argv, int max)
{
	int n = 0;
	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
		argv[n++] = tok;
	return n;
}

static int run_suite(void)
{
	char *argv[MAX_ARGS + 12] = {
		"/harness",   "suite",     "--cases",      "/cases",
		"--fixtures", "/fixtures", "--report-dir", REPORT_DIR,
	};
	int n = 8;
	char *extra = getenv("PTSUITE_ARGS");
	if (extra)
		n += split_args(strdup(extra), argv + n, MAX_ARGS);
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(KTAP_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return 255;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	mount_one("devtmpfs", "/dev", "devtmpfs");
	console();
	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("tmpfs", "/tmp", "tmpfs");
	setenv("PATH", "/", 1);
	struct utsname u;
	uname(&u);
	double boot = uptime();
	if (getenv("PTSUITE_CANARY")) {
		say("CANARY-OK release=%s uptime=%.2f", u.release, boot); /* accel.sh */
		power_off();
	}
	say("BEGIN release=%s uptime=%.2f", u.release, boot);
	int status = run_suite();
	double end = uptime();
	say("SUITE status=%d seconds=%.2f", status, end - boot);
	FILE *out = result_port();
	if (out) {
		fprintf(out, "PTSUITE-META release=%s boot_s=%.2f suite_s=%.2f status=%d\n",
			u.release, boot, end - boot, status);
		send_file(out, REPORT_DIR "/results.json", "results.json");
		send_file(out, KTAP_FILE, "ktap.txt");
		fputs("PTSUITE-DONE\n", out);
		fflush(out);
		tcdrain(fileno(out));
		fclose(out);
	}
	say("END");
	power_off();
}
