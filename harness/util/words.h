/* Word lists and the shell-like quoting of case files.
 *
 * Quoting follows the POSIX shell without any expansion: blanks (space,
 * tab) separate words; '...' keeps everything literally; "..." keeps
 * everything except \" and \\, which stand for " and \; outside quotes a
 * backslash makes the next character literal. Quoted and unquoted pieces
 * next to each other form one word ('a'"b"c is abc), and '' is an empty
 * word. Nothing else is special: $, *, ~ are plain characters. */
#ifndef HARNESS_WORDS_H
#define HARNESS_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/util/hbuf.h"

/* v[n] is NULL once a word has been added, so v can serve as argv. */
struct words {
	char **v;
	size_t n;
};

int words_push(struct words *w, const char *s, size_t len);
void words_free(struct words *w);
bool words_equal(const struct words *a, const struct words *b);
/* The index of s in w, or -1. */
long words_find(const struct words *w, const char *s);

/* Split s at blanks, no quoting. Always succeeds unless out of memory. */
int words_split_plain(const char *s, struct words *out);
/* Split s with the quoting above. On a syntax error *why says what
 * is wrong and -1 is returned; out of memory also gives -1 and *why. */
int words_split_quoted(const char *s, struct words *out, const char **why);
/* Append s, quoted if needed, so words_split_quoted() gives s back:
 * plain when made only of unremarkable characters, else in '...'. */
void words_quote(struct hbuf *b, const char *s);

#endif
