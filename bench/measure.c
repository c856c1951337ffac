/* Timing: calibrate a repetition count, then keep the best of a few runs.
 * The minimum is the figure least disturbed by the other work on the
 * machine (the cores are shared with compilers and test runs), and user
 * space is timed in the thread's CPU time, which leaves out the time the
 * thread waits for a core, as the kernel's BPF_PROG_TEST_RUN timer leaves
 * out the time it gives up the CPU. */
#include "bench.h"
#include <time.h>

struct bench_cfg bench_cfg = { .min_seconds = 0.2, .best_of = 3, .json = 0, .kernel = 1, .only = NULL };

double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int bench_measure(bench_body_fn body, void *arg, uint64_t max_reps, double *ns)
{
	double target = bench_cfg.min_seconds * 1e9, per = 0;
	uint64_t reps = 1;
	/* Calibration: grow reps until one call lasts a tenth of the target,
	 * then scale to the target. */
	for (;;) {
		int rc = body(arg, reps, &per);
		if (rc < 0)
			return rc;
		double total = per * (double)reps;
		if (total >= target / 10 || reps >= max_reps) {
			double want = per > 0 ? target / per * 1.05 : (double)max_reps;
			reps = want > (double)max_reps ? max_reps : want < 1 ? 1 : (uint64_t)want;
			break;
		}
		reps = total < target / 1000 ? reps * 16 : reps * 2;
		if (reps > max_reps)
			reps = max_reps;
	}
	double best = 0;
	for (int i = 0; i < bench_cfg.best_of; i++) {
		int rc = body(arg, reps, &per);
		if (rc < 0)
			return rc;
		if (i == 0 || per < best)
			best = per;
	}
	*ns = best;
	return 0;
}
