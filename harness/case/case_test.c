/* Tests of the case-file parser and writer (case.c, case_format.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/case/case.h"
#include "harness/util/signame.h"

#define PATH "cases/smoke/t.case"

static const char full[] =
	"# a comment\n"
	"description: says hello  \n"
	"\n"
	"fixture: smoke/hello\n"
	"args: one \"two words\" 'x'\n"
	"env: CASE_A=1 CASE_B=\"x y\"\n"
	"oracle: golden selfcheck native\n"
	"requires: P10 P14 S10\n"
	"features: fsgsbase vsyscall\n"
	"timeout: 2.5\n"
	"exit: signal SIGSEGV core\n"
	"variants: lazy full-state\n"
	"--- stdin\n"
	"in\n"
	"--- stdout\n"
	"hello\n"
	"# not a comment\n"
	"--- stderr\n"
	"--- trace\n"
	"write(1, \"hello\\n\", 6) = 6\n"
	"--- end\n";

static void parse_ok(const char *text, struct tcase *c)
{
	char err[256] = "";
	int rc = case_parse(PATH, text, strlen(text), c, err, sizeof err);
	cr_assert_eq(rc, 0, "parse failed: %s", err);
}

/* The parser's message for text, which must be rejected. */
static const char *parse_err(const char *path, const char *text)
{
	static char err[512];
	struct tcase c;
	err[0] = 0;
	int rc = case_parse(path, text, strlen(text), &c, err, sizeof err);
	cr_assert_eq(rc, -1, "accepted:\n%s", text);
	cr_assert_null(c.fixture, "a failed parse leaves the case empty");
	return err;
}

static void expect_err(const char *text, const char *msg)
{
	const char *got = parse_err(PATH, text);
	cr_assert_str_eq(got, msg, "for:\n%s", text);
}

Test(case_parse, full_example)
{
	struct tcase c;
	parse_ok(full, &c);
	cr_assert_str_eq(c.name, "smoke/t");
	cr_assert_str_eq(c.family, "smoke");
	cr_assert_str_eq(c.comments, "# a comment\n");
	cr_assert_str_eq(c.description, "says hello");
	cr_assert_str_eq(c.fixture, "smoke/hello");
	cr_assert_eq(c.args.n, 3);
	cr_assert_str_eq(c.args.v[1], "two words");
	cr_assert_null(c.args.v[3], "argv-style NULL at the end");
	cr_assert_eq(c.env.n, 2);
	cr_assert_str_eq(c.env.v[1], "CASE_B=x y");
	cr_assert_eq(c.oracles, ORACLE_GOLDEN | ORACLE_SELFCHECK | ORACLE_NATIVE);
	cr_assert_eq(c.requires.n, 3);
	cr_assert_str_eq(c.requires.v[2], "S10");
	cr_assert_str_eq(c.features.v[1], "vsyscall");
	cr_assert_eq(c.timeout_ms, 2500);
	cr_assert_eq(c.exit.kind, CASE_EXIT_SIGNAL);
	cr_assert_eq(c.exit.value, 11);
	cr_assert(c.exit.core);
	cr_assert_str_eq(c.variants.v[0], "lazy");
	cr_assert_str_eq(c.sect[CASE_STDIN].data, "in\n");
	cr_assert_str_eq(c.sect[CASE_STDOUT].data, "hello\n# not a comment\n");
	cr_assert(c.sect[CASE_STDERR].present);
	cr_assert_eq(c.sect[CASE_STDERR].len, 0);
	cr_assert_str_eq(c.sect[CASE_TRACE].data, "write(1, \"hello\\n\", 6) = 6\n");
	case_free(&c);
}

Test(case_parse, minimal_case_checks_nothing_else)
{
	struct tcase c;
	parse_ok("fixture: smoke/hello\noracle: selfcheck", &c);
	cr_assert_eq(c.oracles, ORACLE_SELFCHECK);
	cr_assert_eq(c.exit.kind, CASE_EXIT_UNCHECKED);
	cr_assert_eq(c.timeout_ms, 0);
	cr_assert_null(c.description);
	cr_assert_null(c.comments);
	cr_assert_eq(c.args.n + c.env.n + c.variants.n + c.requires.n, 0);
	for (int i = 0; i < CASE_NSECTIONS; i++)
		cr_assert_not(c.sect[i].present, "section %d", i);
	case_free(&c);
}

Test(case_parse, shell_quoting_without_expansion)
{
	struct tcase c;
	parse_ok(
		"fixture: f\noracle: golden\n"
		"args: a\\ b \"q\\\"u\\\\o\\n\" '' mix'ed'\"up\" $HOME '*' \"'\"\n",
		&c);
	const char *want[] = { "a b", "q\"u\\o\\n", "", "mixedup", "$HOME", "*", "'" };
	cr_assert_eq(c.args.n, 7);
	for (size_t i = 0; i < 7; i++)
		cr_assert_str_eq(c.args.v[i], want[i], "word %zu", i);
	case_free(&c);
}

Test(case_parse, exit_forms)
{
	static const struct {
		const char *v;
		int kind, value;
		bool core;
	} t[] = {
		{ "0", CASE_EXIT_CODE, 0, false },
		{ "255", CASE_EXIT_CODE, 255, false },
		{ "signal SIGKILL", CASE_EXIT_SIGNAL, 9, false },
		{ "signal  SIGABRT   core", CASE_EXIT_SIGNAL, 6, true },
		{ "signal SIGRTMIN", CASE_EXIT_SIGNAL, 32, false },
		{ "signal SIGRTMIN+3", CASE_EXIT_SIGNAL, 35, false },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char text[128];
		struct tcase c;
		snprintf(text, sizeof text, "fixture: f\noracle: golden\nexit: %s\n", t[i].v);
		parse_ok(text, &c);
		cr_assert_eq(c.exit.kind, t[i].kind, "%s", t[i].v);
		cr_assert_eq(c.exit.value, t[i].value, "%s", t[i].v);
		cr_assert_eq(c.exit.core, t[i].core, "%s", t[i].v);
		case_free(&c);
	}
}

Test(case_parse, timeouts_in_milliseconds)
{
	static const struct {
		const char *v;
		unsigned ms;
	} t[] = {
		{ "10", 10000 },  { "2.5", 2500 },       { "0.001", 1 },
		{ "1.25", 1250 }, { "86400", 86400000 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char text[128];
		struct tcase c;
		snprintf(text, sizeof text, "fixture: f\noracle: golden\ntimeout: %s\n", t[i].v);
		parse_ok(text, &c);
		cr_assert_eq(c.timeout_ms, t[i].ms, "%s", t[i].v);
		case_free(&c);
	}
}

Test(case_parse, sections_are_byte_exact)
{
	static const char text[] =
		"fixture: f\noracle: golden\n"
		"--- stdout\n"
		"crlf\r\n \ttrailing  \n\n---not a header\n# hash\n"
		"--- trace noeol\n"
		"no newline at the end\n"
		"--- stdin\n"
		"nul:\0:byte\n"
		"--- end\n";
	struct tcase c;
	char err[256];
	cr_assert_eq(case_parse(PATH, text, sizeof text - 1, &c, err, sizeof err), 0, "%s", err);
	const char out[] = "crlf\r\n \ttrailing  \n\n---not a header\n# hash\n";
	cr_assert_eq(c.sect[CASE_STDOUT].len, sizeof out - 1);
	cr_assert_eq(memcmp(c.sect[CASE_STDOUT].data, out, sizeof out - 1), 0);
	cr_assert_str_eq(c.sect[CASE_TRACE].data, "no newline at the end");
	cr_assert_eq(c.sect[CASE_STDIN].len, 11);
	cr_assert_eq(memcmp(c.sect[CASE_STDIN].data, "nul:\0:byte\n", 11), 0);
	cr_assert_not(c.sect[CASE_STDERR].present);
	case_free(&c);
}

Test(case_parse, empty_section_right_before_end)
{
	struct tcase c;
	parse_ok("fixture: f\noracle: golden\n--- stdout\n--- end", &c);
	cr_assert(c.sect[CASE_STDOUT].present);
	cr_assert_eq(c.sect[CASE_STDOUT].len, 0);
	cr_assert_str_eq(c.sect[CASE_STDOUT].data, "");
	case_free(&c);
}

Test(case_parse, comments_and_blank_lines)
{
	struct tcase c;
	parse_ok("\n  # indented\n\t\nfixture: f\n#second\noracle: golden\n\n", &c);
	cr_assert_str_eq(c.comments, "# indented\n#second\n");
	case_free(&c);
}

Test(case_name, from_path)
{
	static const struct {
		const char *path, *name, *family;
	} t[] = {
		{ "cases/smoke/hello.case", "smoke/hello", "smoke" },
		{ "./cases/smoke/hello.case", "smoke/hello", "smoke" },
		{ "/src/cases/proj/cases/sig/deep/a.case", "sig/deep/a", "sig" },
		{ "cases/per-number/nr_0.case", "per-number/nr_0", "per-number" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *name, *family, err[256];
		cr_assert_eq(case_name(t[i].path, &name, &family, err, sizeof err), 0, "%s", err);
		cr_assert_str_eq(name, t[i].name);
		cr_assert_str_eq(family, t[i].family);
		free(name);
		free(family);
	}
}

Test(case_name, bad_paths)
{
	static const struct {
		const char *path, *msg;
	} t[] = {
		{ "t.case", "t.case: not a case file path: expected cases/FAMILY/NAME.case" },
		{ "cases/t.case",
		  "cases/t.case: not a case file path: expected cases/FAMILY/NAME.case" },
		{ "mycases/a/t.case",
		  "mycases/a/t.case: not a case file path: expected cases/FAMILY/NAME.case" },
		{ "cases/a/t.txt",
		  "cases/a/t.txt: not a case file path: expected cases/FAMILY/NAME.case" },
		{ "cases/a/.case", "cases/a/.case: case name 'a/' has an empty path component" },
		{ "cases/a/b c.case",
		  "cases/a/b c.case: case name 'a/b c' may only hold letters, digits, '_', '-', '.', '+' and '/'" },
		{ "cases/a/../b.case",
		  "cases/a/../b.case: case name 'a/../b' has a '.' or '..' component" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		cr_assert_str_eq(parse_err(t[i].path, "fixture: f\noracle: golden\n"), t[i].msg);
}

#define HEAD "fixture: f\noracle: golden\n"

Test(case_parse, key_errors)
{
	expect_err(HEAD "bogus: 1\n", PATH ":3: unknown key 'bogus'");
	expect_err(HEAD "Fixture: g\n", PATH ":3: unknown key 'Fixture'");
	expect_err(HEAD "\nfixture: g\n", PATH ":4: duplicate key 'fixture' (first on line 1)");
	expect_err("oracle: golden\n# c\n", PATH ":2: missing key 'fixture'");
	expect_err("", PATH ":1: missing key 'fixture'");
	expect_err("fixture: f\n--- stdout\nx\n--- end\n", PATH ":2: missing key 'oracle'");
	expect_err(HEAD "args:   \n", PATH ":3: empty value for 'args'");
	expect_err(HEAD "just some text\n",
		   PATH ":3: expected 'key: value', a comment or a blank line");
	expect_err(HEAD "  args: x\n", PATH ":3: expected 'key: value', a comment or a blank line");
}

Test(case_parse, nul_in_key_block_is_reported)
{
	static const char text[] = "fixture: f\noracle: gol\0den\n";
	struct tcase c;
	char err[256];
	cr_assert_eq(case_parse(PATH, text, sizeof text - 1, &c, err, sizeof err), -1);
	cr_assert_str_eq(err, PATH ":2: NUL byte outside a section");
}

Test(case_parse, value_errors)
{
	expect_err(HEAD "oracle: golden\n", PATH ":3: duplicate key 'oracle' (first on line 2)");
	expect_err("fixture: f\noracle: golden gold\n", PATH
		   ":2: unknown oracle "
		   "'gold' (expected golden, selfcheck or native)");
	expect_err("fixture: f\noracle: native native\n", PATH ":2: oracle 'native' given twice");
	expect_err(HEAD "requires: P1 X1\n",
		   PATH ":3: bad requirement 'X1' (expected an id like P10 or S3)");
	expect_err(HEAD "requires: P\n",
		   PATH ":3: bad requirement 'P' (expected an id like P10 or S3)");
	expect_err(HEAD "requires: P1a\n",
		   PATH ":3: bad requirement 'P1a' (expected an id like P10 or S3)");
	expect_err(HEAD "requires: p1\n",
		   PATH ":3: bad requirement 'p1' (expected an id like P10 or S3)");
	expect_err(HEAD "requires: S1 S1\n", PATH ":3: requirement 'S1' given twice");
	expect_err(HEAD "features: a b a\n", PATH ":3: feature 'a' given twice");
	expect_err(HEAD "variants: Lazy\n", PATH
		   ":3: bad variant 'Lazy' (expected "
		   "lower-case letters, digits and '-')");
	expect_err(HEAD "variants: lazy lazy\n", PATH ":3: variant 'lazy' given twice");
	expect_err("fixture: ../x\noracle: golden\n",
		   PATH ":1: bad fixture '../x': the path has a '.' or '..' component");
	/* An absolute fixture is a host program: it needs a file system. */
	expect_err("fixture: /bin/sh\noracle: golden\n",
		   PATH ":2: a host program (absolute fixture) needs 'fs:'");
	expect_err("fixture: a b\noracle: golden\n", PATH
		   ":1: bad fixture 'a b': "
		   "the path may only hold letters, digits, '_', '-', '.', '+' and '/'");
	expect_err(HEAD "args: 'open\n", PATH ":3: bad args: unterminated ' quote");
	expect_err(HEAD "args: \"open\n", PATH ":3: bad args: unterminated \" quote");
	expect_err(HEAD "args: x\\\n", PATH ":3: bad args: backslash at end of line");
	expect_err(HEAD "env: 1A=x\n", PATH ":3: bad env '1A=x': expected NAME=VALUE");
	expect_err(HEAD "env: A\n", PATH ":3: bad env 'A': expected NAME=VALUE");
	expect_err(HEAD "env: A=1 B=2 A=3\n", PATH ":3: env variable 'A' set twice");
	expect_err(HEAD "env: A='x\n", PATH ":3: bad env: unterminated ' quote");
}

Test(case_parse, timeout_errors)
{
	static const char *bad[] = {
		"0",   "0.000", "-1",        "1.2345", "abc",
		"1.",  ".5",    "86400.001", "100000", "99999999999999999999",
		"1e3", "10s",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128], msg[256];
		snprintf(text, sizeof text, HEAD "timeout: %s\n", bad[i]);
		snprintf(msg, sizeof msg,
			 PATH
			 ":3: bad timeout '%s' (expected "
			 "seconds above 0 and at most 86400, like 10 or 2.5)",
			 bad[i]);
		expect_err(text, msg);
	}
}

Test(case_parse, exit_errors)
{
	static const char *bad[] = {
		"256",
		"-1",
		"1 2",
		"signal",
		"signal SIGSEGV dump",
		"killed SIGSEGV",
		"0x1",
		"signal SIGSEGV core core",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128], msg[256];
		snprintf(text, sizeof text, HEAD "exit: %s\n", bad[i]);
		snprintf(msg, sizeof msg,
			 PATH
			 ":3: bad exit '%s' (expected a number "
			 "0-255, 'signal NAME' or 'signal NAME core')",
			 bad[i]);
		expect_err(text, msg);
	}
	expect_err(HEAD "exit: signal SEGV\n", PATH ":3: unknown signal 'SEGV'");
	expect_err(HEAD "exit: signal SIGRTMIN+33\n", PATH ":3: unknown signal 'SIGRTMIN+33'");
	expect_err(HEAD "exit: signal SIGRTMIN+03\n", PATH ":3: unknown signal 'SIGRTMIN+03'");
}

Test(case_parse, section_errors)
{
	expect_err(HEAD "--- foo\n--- end\n", PATH
		   ":3: unknown section 'foo' "
		   "(expected stdin, stdout, stderr, trace or end)");
	expect_err(HEAD "--- \n--- end\n", PATH ":3: section header without a name");
	expect_err(HEAD "--- stdout\na\n--- trace\n--- stdout\nb\n--- end\n",
		   PATH ":6: duplicate section 'stdout' (first on line 3)");
	expect_err(HEAD "--- stdout\na\nb\n", PATH
		   ":3: section 'stdout' is not closed: no '--- end' before "
		   "the end of the file");
	expect_err(HEAD "--- stdout\na\n--- trace\nx", PATH
		   ":5: section 'trace' is not closed: no '--- end' before "
		   "the end of the file");
	expect_err(HEAD "--- stdout\n--- end\n\n", PATH ":5: text after '--- end'");
	expect_err(HEAD "--- stdout\n--- end\nfixture: g\n", PATH ":5: text after '--- end'");
	expect_err(HEAD "--- stdout noeol\n--- end\n", PATH ":3: 'noeol' on an empty section");
	expect_err(HEAD "--- stdout bogus\n--- end\n",
		   PATH ":3: unexpected 'bogus' after '--- stdout'");
	expect_err(HEAD "--- stdout noeol x\nq\n--- end\n",
		   PATH ":3: unexpected 'x' after '--- stdout'");
	/* Inside a section only an exact header counts: this is content. */
	expect_err(HEAD "--- stdout\nq\n--- end noeol\n", PATH
		   ":3: section 'stdout' is not closed: no '--- end' before "
		   "the end of the file");
	expect_err(HEAD "--- end noeol\n", PATH ":3: unexpected 'noeol' after '--- end'");
	expect_err(HEAD "bogus: 2\n--- stdout\n--- end\n", PATH ":3: unknown key 'bogus'");
}

Test(case_load, reads_a_file)
{
	char dir[] = "/tmp/case_test.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char sub[64], path[96];
	snprintf(sub, sizeof sub, "%s/cases", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/cases/io", dir);
	mkdir(sub, 0700);
	snprintf(path, sizeof path, "%s/cases/io/f.case", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(full, f);
	fclose(f);

	struct tcase c;
	char err[256];
	cr_assert_eq(case_load(path, &c, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(c.name, "io/f");
	cr_assert_str_eq(c.path, path);
	cr_assert_str_eq(c.sect[CASE_STDOUT].data, "hello\n# not a comment\n");
	case_free(&c);

	unlink(path);
	cr_assert_eq(case_load(path, &c, err, sizeof err), -1);
	char want[256];
	snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
	cr_assert_str_eq(err, want);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/cases", dir);
	rmdir(sub);
	rmdir(dir);
}

/* ----- writing ----- */

static char *format_ok(const struct tcase *c, size_t *len)
{
	char err[512] = "";
	char *text = case_format_len(c, len);
	if (!text)
		case_check(c, err, sizeof err);
	cr_assert_not_null(text, "format failed: %s", err);
	return text;
}

static void round_trip(const struct tcase *c)
{
	size_t len, len2;
	char *text = format_ok(c, &len);
	struct tcase back;
	char err[512];
	cr_assert_eq(case_parse(c->path, text, len, &back, err, sizeof err), 0, "%s\n%s", err,
		     text);
	cr_assert(case_equal(c, &back), "changed by a round trip:\n%s", text);
	char *again = format_ok(&back, &len2);
	cr_assert(len == len2 && !memcmp(again, text, len), "the format is not canonical");
	free(again);
	free(text);
	case_free(&back);
}

Test(case_format, canonical_form_of_messy_input)
{
	struct tcase c;
	parse_ok(
		"variants:  lazy   pool-off\n"
		"exit:   signal  SIGSEGV\n"
		"oracle: native golden\n"
		"# why this case\n"
		"timeout: 1.500\n"
		"args: \"plain\" \"two words\" it\\'s '' a\"=\"b\n"
		"env: B=\"x y\" A=1 C=\n"
		"fixture: smoke/hello\n"
		"description:   trimmed   \n"
		"--- trace\nt\n--- stdout noeol\nno eol\n--- stdin\n--- end\n",
		&c);
	size_t len;
	char *text = format_ok(&c, &len);
	char *plain = case_format(&c);
	cr_assert_eq(len, strlen(text));
	cr_assert_str_eq(plain, text, "both forms agree without NUL bytes");
	free(plain);
	cr_assert_str_eq(text,
			 "# why this case\n"
			 "description: trimmed\n"
			 "fixture: smoke/hello\n"
			 "args: plain 'two words' 'it'\\''s' '' a=b\n"
			 "env: B='x y' A=1 C=''\n"
			 "oracle: golden native\n"
			 "timeout: 1.5\n"
			 "exit: signal SIGSEGV\n"
			 "variants: lazy pool-off\n"
			 "--- stdin\n"
			 "--- stdout noeol\n"
			 "no eol\n"
			 "--- trace\n"
			 "t\n"
			 "--- end\n");
	free(text);
	case_free(&c);
}

Test(case_format, round_trip_of_full_example)
{
	struct tcase c;
	parse_ok(full, &c);
	round_trip(&c);
	case_free(&c);
}

Test(case_format, round_trip_of_odd_values)
{
	struct tcase c;
	parse_ok(
		"fixture: f\noracle: golden\nexit: signal SIGRTMIN+32\ntimeout: 0.007\n"
		"--- stdout noeol\n\n--- stderr noeol\nx\r\n\n--- end\n",
		&c);
	cr_assert_eq(c.exit.value, 64);
	cr_assert_eq(c.sect[CASE_STDOUT].len, 0, "noeol of a lone newline is empty");
	round_trip(&c);
	case_free(&c);
}

/* Cases built from random bytes: whatever the words and sections hold,
 * writing and reading back gives the same case. */
Test(case_format, round_trip_of_random_cases)
{
	static const char alphabet[] = "ab '\"\\$*#=\t-\r\n\x01\xff";
	static const char bytes[] = "ab -\n\n\r\0\xff"; /* sections */
	unsigned seed = 12345;
	for (int iter = 0; iter < 300; iter++) {
		struct tcase c;
		parse_ok("fixture: f\noracle: golden\n", &c);
		for (int w = 0; w < 4; w++) {
			char word[12];
			size_t n = (size_t)(rand_r(&seed) % 8);
			for (size_t i = 0; i < n; i++) {
				word[i] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
				if (word[i] == '\n' || word[i] == '\r')
					word[i] = 'n'; /* a line cannot hold them */
			}
			words_push(&c.args, word, n);
			char env[16];
			snprintf(env, sizeof env, "V%d=", w);
			memcpy(env + 3, word, n);
			words_push(&c.env, env, 3 + n);
		}
		for (int s = 0; s < CASE_NSECTIONS; s++) {
			struct case_text *t = &c.sect[s];
			t->present = rand_r(&seed) % 4 != 0;
			t->len = t->present ? (size_t)(rand_r(&seed) % 40) : 0;
			t->data = malloc(t->len + 1);
			for (size_t i = 0; i < t->len; i++)
				t->data[i] = bytes[rand_r(&seed) % (sizeof bytes - 1)];
			/* keep "--- " out: it is tested on its own below */
			if (t->len >= 4 && !memcmp(t->data, "--- ", 4))
				t->data[0] = 'x';
			for (size_t i = 1; i + 4 <= t->len; i++)
				if (t->data[i - 1] == '\n' && !memcmp(t->data + i, "--- ", 4))
					t->data[i] = 'x';
			t->data[t->len] = 0;
		}
		round_trip(&c);
		case_free(&c);
	}
}

Test(case_format, nul_bytes_need_the_length)
{
	static const char text[] =
		"fixture: f\noracle: golden\n--- stdin noeol\n"
		"a\0b\n--- end\n";
	struct tcase c;
	char err[256];
	cr_assert_eq(case_parse(PATH, text, sizeof text - 1, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.sect[CASE_STDIN].len, 3);
	size_t len;
	char *out = case_format_len(&c, &len);
	cr_assert_not_null(out);
	cr_assert_eq(len, sizeof text - 1);
	cr_assert_eq(memcmp(out, text, len), 0);
	free(out);
	cr_assert_eq(case_check(&c, err, sizeof err), 0, "%s", err);
	errno = 0;
	cr_assert_null(case_format(&c), "no length: a NUL would cut the text");
	cr_assert_eq(errno, EINVAL);
	case_free(&c);
}

Test(case_format, section_holding_a_header_line_is_refused)
{
	struct tcase c;
	parse_ok("fixture: f\noracle: golden\n--- stdout\nok\n--- end\n", &c);
	free(c.sect[CASE_STDOUT].data);
	c.sect[CASE_STDOUT].data = strdup("one\ntwo\n--- trace\n");
	c.sect[CASE_STDOUT].len = strlen(c.sect[CASE_STDOUT].data);
	errno = 0;
	cr_assert_null(case_format(&c));
	cr_assert_eq(errno, EINVAL);
	char err[256];
	cr_assert_eq(case_check(&c, err, sizeof err), -1);
	cr_assert_str_eq(err, PATH
			 ": stdout line 3 reads as a section header, "
			 "which a case file cannot hold");
	case_free(&c);
}

/* Traces hold strace-style "--- SIGSEGV {...} ---" lines: only an exact
 * header ends a section. */
Test(case_format, trace_lines_starting_with_dashes_round_trip)
{
	const char *text =
		"fixture: f\noracle: golden\n--- trace\n"
		"--- fault addr=0x0 access=r-- rip=0x401000 ---\n"
		"--- SIGSEGV {si_signo=SIGSEGV} --- default action\n"
		"--- stdoutx\n--- end\n";
	struct tcase c;
	parse_ok(text, &c);
	cr_assert_eq(c.sect[CASE_TRACE].len,
		     strlen(text) - strlen("fixture: f\noracle: golden\n--- trace\n") -
			     strlen("--- end\n"));
	char *again = case_format(&c);
	cr_assert_not_null(again);
	cr_assert_str_eq(again, text);
	free(again);
	case_free(&c);
	cr_assert(case_is_section_header("--- stdout noeol\n", 17));
	cr_assert(case_is_section_header("--- end", 7));
	cr_assert_not(case_is_section_header("--- end noeol", 13));
	cr_assert_not(case_is_section_header("--- SIGSEGV {} ---", 18));
}

Test(case_format, unrepresentable_field_is_refused)
{
	struct tcase c;
	parse_ok("fixture: f\noracle: golden\n", &c);
	c.description = strdup("two\nlines");
	char err[512];
	cr_assert_eq(case_check(&c, err, sizeof err), -1);
	cr_assert_str_eq(err, PATH ": the case cannot be written as a case file: " PATH
				   ":2: expected 'key: value', a comment or a blank line");
	free(c.description);
	c.description = strdup(" padded");
	cr_assert_eq(case_check(&c, err, sizeof err), -1);
	cr_assert_str_eq(err, PATH
			 ": the case cannot be written as a case file: "
			 "a field changes when read back");
	case_free(&c);
}

Test(case_format, equal_notices_each_difference)
{
	struct tcase a, b;
	parse_ok(full, &a);
	parse_ok(full, &b);
	cr_assert(case_equal(&a, &b));
	b.sect[CASE_TRACE].data[0] ^= 1;
	cr_assert_not(case_equal(&a, &b), "section byte");
	b.sect[CASE_TRACE].data[0] ^= 1;
	b.exit.core = false;
	cr_assert_not(case_equal(&a, &b), "core flag");
	b.exit.core = true;
	b.timeout_ms++;
	cr_assert_not(case_equal(&a, &b), "timeout");
	b.timeout_ms--;
	b.args.v[1][0] = 'T';
	cr_assert_not(case_equal(&a, &b), "args");
	b.args.v[1][0] = 't';
	b.sect[CASE_STDERR].present = false;
	cr_assert_not(case_equal(&a, &b), "absent section");
	b.sect[CASE_STDERR].present = true;
	cr_assert(case_equal(&a, &b));
	case_free(&a);
	case_free(&b);
}

Test(signame, names_and_numbers)
{
	char buf[SIGNAME_LEN];
	cr_assert_eq(signame_parse("SIGSEGV"), 11);
	cr_assert_eq(signame_parse("SIGSYS"), 31);
	cr_assert_eq(signame_parse("SIGRTMIN+32"), 64);
	cr_assert_eq(signame_parse("SIGIOT"), 0, "no aliases");
	cr_assert_eq(signame_parse("SIGRTMIN+"), 0);
	cr_assert_eq(signame_parse(""), 0);
	for (int s = 1; s <= LINUX_NSIG; s++)
		cr_assert_eq(signame_parse(signame(s, buf)), s, "signal %d", s);
	cr_assert_null(signame(0, buf));
	cr_assert_null(signame(65, buf));
}

/* expect: timeout: a guest that blocks for ever is judged on its timeout. */
Test(case_parse, expect_timeout)
{
	struct tcase c;
	parse_ok(
		"fixture: f\noracle: golden\ntimeout: 2\nexpect: timeout\n"
		"--- stdout\nx\n--- end\n",
		&c);
	cr_assert(c.expect_timeout);
	round_trip(&c);
	case_free(&c);
	expect_err("fixture: f\noracle: golden\nexpect: crash\n",
		   PATH ":3: bad expect 'crash' (expected 'timeout')");
	expect_err("fixture: f\noracle: golden\nexit: 0\nexpect: timeout\n",
		   PATH ":4: 'expect: timeout' goes with 'oracle: golden' alone and no 'exit'");
	expect_err("fixture: f\noracle: golden native\nexpect: timeout\n",
		   PATH ":3: 'expect: timeout' goes with 'oracle: golden' alone and no 'exit'");
}

Test(case_parse, chaos_key)
{
	struct tcase c;
	parse_ok(HEAD "chaos: kill-stub-thread\n", &c);
	cr_assert_eq(c.chaos, CASE_CHAOS_KILL_THREAD);
	char *text = case_format(&c);
	cr_assert(text && strstr(text, "chaos: kill-stub-thread\n"), "%s", text);
	struct tcase back;
	parse_ok(text, &back);
	cr_assert(case_equal(&c, &back));
	free(text);
	case_free(&back);
	case_free(&c);
	expect_err(HEAD "chaos: kill-harness\n", PATH
		   ":3: bad chaos 'kill-harness' (expected kill-stub-process, "
		   "kill-stub-thread or signal-stub STEPS)");
}

Test(case_parse, chaos_signal_stub)
{
	struct tcase c;
	parse_ok(HEAD
		 "chaos: signal-stub  kill SIGUSR1 x3,tgkill SIGRTMIN+1, stop-continue x2,"
		 " sigqueue SIGCHLD x1, tgsigqueue SIGHUP, sigqueue-positive SIGUSR2 x100\n",
		 &c);
	cr_assert_eq(c.chaos, CASE_CHAOS_SIGNAL_STUB);
	cr_assert_eq(c.chaos_nsteps, 6);
	const struct case_chaos_step want[] = {
		{ CHAOS_KILL, 10, 3 },         { CHAOS_TGKILL, 33, 1 },
		{ CHAOS_STOP_CONTINUE, 0, 2 }, { CHAOS_SIGQUEUE, 17, 1 },
		{ CHAOS_TGSIGQUEUE, 1, 1 },    { CHAOS_SIGQUEUE_POSITIVE, 12, 100 },
	};
	for (unsigned i = 0; i < 6; i++) {
		cr_assert_eq(c.chaos_steps[i].action, want[i].action, "step %u", i);
		cr_assert_eq(c.chaos_steps[i].sig, want[i].sig, "step %u", i);
		cr_assert_eq(c.chaos_steps[i].count, want[i].count, "step %u", i);
	}
	char *text = case_format(&c);
	cr_assert(text && strstr(text,
				 "chaos: signal-stub kill SIGUSR1 x3, tgkill SIGRTMIN+1, "
				 "stop-continue x2, sigqueue SIGCHLD, tgsigqueue SIGHUP, "
				 "sigqueue-positive SIGUSR2 x100\n"),
		  "%s", text);
	struct tcase back;
	parse_ok(text, &back);
	cr_assert(case_equal(&c, &back));
	back.chaos_steps[5].count = 99;
	cr_assert_not(case_equal(&c, &back));
	free(text);
	case_free(&back);
	case_free(&c);
}

Test(case_parse, chaos_signal_stub_errors)
{
	expect_err(HEAD "chaos: signal-stub\n", PATH ":3: 'signal-stub' needs at least one step");
	expect_err(HEAD "chaos: signal-stubs kill SIGUSR1\n", PATH
		   ":3: bad chaos 'signal-stubs kill SIGUSR1' (expected kill-stub-process, "
		   "kill-stub-thread or signal-stub STEPS)");
	expect_err(HEAD "chaos: signal-stub raise SIGUSR1\n", PATH
		   ":3: bad chaos step 'raise' (expected kill, tgkill, sigqueue, tgsigqueue, "
		   "sigqueue-positive or stop-continue)");
	expect_err(HEAD "chaos: signal-stub kill\n", PATH
		   ":3: chaos step 'kill' needs a signal other than SIGKILL and SIGSTOP, got ''");
	expect_err(
		HEAD "chaos: signal-stub kill SIGKILL\n", PATH
		":3: chaos step 'kill' needs a signal other than SIGKILL and SIGSTOP, got 'SIGKILL'");
	expect_err(
		HEAD "chaos: signal-stub tgkill SIGSTOP\n", PATH
		":3: chaos step 'tgkill' needs a signal other than SIGKILL and SIGSTOP, got 'SIGSTOP'");
	expect_err(
		HEAD "chaos: signal-stub kill USR1\n", PATH
		":3: chaos step 'kill' needs a signal other than SIGKILL and SIGSTOP, got 'USR1'");
	expect_err(HEAD "chaos: signal-stub kill SIGUSR1 x0\n",
		   PATH ":3: bad chaos count 'x0' (expected x1 to x100)");
	expect_err(HEAD "chaos: signal-stub kill SIGUSR1 x101\n",
		   PATH ":3: bad chaos count 'x101' (expected x1 to x100)");
	expect_err(HEAD "chaos: signal-stub kill SIGUSR1 3\n",
		   PATH ":3: bad chaos count '3' (expected x1 to x100)");
	expect_err(HEAD "chaos: signal-stub stop-continue SIGCONT\n",
		   PATH ":3: bad chaos count 'SIGCONT' (expected x1 to x100)");
	expect_err(HEAD "chaos: signal-stub kill SIGUSR1 x2 x3\n",
		   PATH ":3: chaos step 'kill': unexpected 'x3'");
	expect_err(HEAD "chaos: signal-stub kill SIGUSR1,,kill SIGUSR2\n", PATH
		   ":3: bad chaos step '' (expected kill, tgkill, sigqueue, tgsigqueue, "
		   "sigqueue-positive or stop-continue)");
	expect_err(HEAD
		   "chaos: signal-stub stop-continue, stop-continue, stop-continue, stop-continue,"
		   " stop-continue, stop-continue, stop-continue, stop-continue, stop-continue\n",
		   PATH ":3: more than 8 chaos steps");
	expect_err("fixture: f\noracle: golden native\nchaos: signal-stub kill SIGUSR1\n",
		   PATH ":3: a chaos case cannot ask for 'native': it needs a stub");
}

/* fs: and tree: (a filesystem view for the run), and a host program as
 * the fixture: parsed, written back in place, refused where they make no
 * sense. */
Test(case_parse, filesystem_keys)
{
	struct tcase c;
	parse_ok("fixture: files/calls\noracle: golden\nfs: scratch\n", &c);
	cr_assert_eq(c.fs, CASE_FS_SCRATCH);
	cr_assert_null(c.tree);
	cr_assert_not(case_host_program(&c));
	char *p = case_program_path(&c, "build/fixtures");
	cr_assert_str_eq(p, "build/fixtures/files/calls");
	free(p);
	case_free(&c);
	parse_ok("fixture: /bin/busybox\nargs: cat words\noracle: native\nfs: host\ntree: tree\n",
		 &c);
	cr_assert_eq(c.fs, CASE_FS_HOST);
	cr_assert_str_eq(c.tree, "tree");
	cr_assert(case_host_program(&c));
	p = case_program_path(&c, "build/fixtures");
	cr_assert_str_eq(p, "/bin/busybox");
	free(p);
	char *text = case_format(&c);
	cr_assert_not_null(text);
	cr_assert_not_null(strstr(text, "fs: host\ntree: tree\n"), "%s", text);
	struct tcase back;
	parse_ok(text, &back);
	cr_assert(case_equal(&c, &back));
	free(text);
	case_free(&back);
	case_free(&c);
}

Test(case_parse, filesystem_keys_refused)
{
	expect_err("fixture: a/b\noracle: golden\nfs: nowhere\n",
		   PATH ":3: bad fs 'nowhere' (expected 'scratch' or 'host')");
	expect_err("fixture: /bin/busybox\noracle: native\n",
		   PATH ":2: a host program (absolute fixture) needs 'fs:'");
	expect_err("fixture: a/b\noracle: golden\ntree: t\n", PATH ":3: 'tree:' needs 'fs:'");
	expect_err("fixture: a/b\noracle: golden\nfs: host\ntree: ../t\n",
		   PATH ":4: bad tree '../t': the path has a '.' or '..' component");
}
