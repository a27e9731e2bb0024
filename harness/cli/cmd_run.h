#ifndef HARNESS_RUN_H
#define HARNESS_RUN_H
/* harness run: one program through the platform, its output passed through. */
int cmd_run(int argc, char **argv);
#endif
