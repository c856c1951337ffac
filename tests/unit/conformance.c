/* The bpf_conformance suite (github.com/Alan-Jowett/bpf_conformance) run
 * through bpfvm-conformance-plugin.
 *
 * The suite is not part of this repository: it is looked for in
 * $BPF_CONFORMANCE_DIR, else /tmp/bpf_conformance: its tests/ directory of
 * .data files and a built bpf_conformance_runner ($BPF_CONFORMANCE_RUNNER
 * may name the runner).
 * Without it the test is skipped. The plugin is $BPFVM_PLUGIN, else
 * $BUILD/bpfvm-conformance-plugin, else build/bpfvm-conformance-plugin
 * (relative to the repository root, where tests run).
 *
 * Every test is run at the highest cpu version (v4) with the groups the
 * runner leaves out by default (callx, packet) included, once with raw
 * instructions and once with the runner's ELF encoding (--elf true). Every
 * test must pass; a test the runner itself skips is listed, not failed. */
#include "test.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SUITE_DIR "/tmp/bpf_conformance"

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return s;
}

static int is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Number of *.data files in dir, or -1 if dir cannot be read. */
static int count_data_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".data") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* The runner: $BPF_CONFORMANCE_RUNNER, or where a cmake build of the suite
 * puts it. NULL if none is found; *looked lists the places tried. */
static char *find_runner(const char *suite, char **looked)
{
	const char *env = getenv("BPF_CONFORMANCE_RUNNER");
	if (env && *env) {
		*looked = xasprintf("%s", env);
		return is_executable_file(env) ? xasprintf("%s", env) : NULL;
	}
	static const char *const rel[] = {
		"build/bin/bpf_conformance_runner",
		"bin/bpf_conformance_runner",
		"bpf_conformance_runner",
	};
	*looked = xasprintf("%s/%s", suite, rel[0]);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char *p = xasprintf("%s/%s", suite, rel[i]);
		if (is_executable_file(p))
			return p;
		free(p);
	}
	return NULL;
}

/* Runs argv with stdin from /dev/null and stdout + stderr captured into
 * *out (malloc'd, NUL-terminated). Returns the wait status, or -1. */
static int run_capture(char *const argv[], char **out)
{
	int fds[2];
	*out = NULL;
	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0) {
			dup2(null, 0);
			close(null);
		}
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (buf && n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			} else {
				buf = nb;
				cap *= 2;
			}
		}
		char sink[4096];
		ssize_t got = buf ? read(fds[0], buf + n, cap - n - 1) : read(fds[0], sink, sizeof(sink));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (buf)
			n += (size_t)got;
	}
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	}
	if (!buf)
		return -1;
	buf[n] = '\0';
	*out = buf;
	return status;
}

/* The test's name in a result line: "tests/add.data" -> "add". Writes into
 * name (size namelen). */
static void test_name(const char *line, char *name, size_t namelen)
{
	const char *q = strchr(line, '"');
	const char *e = q ? strchr(q + 1, '"') : NULL;
	if (!q || !e) {
		snprintf(name, namelen, "%s", line);
		return;
	}
	const char *s = q + 1;
	for (const char *p = s; p < e; p++)
		if (*p == '/')
			s = p + 1;
	size_t l = (size_t)(e - s);
	if (l > 5 && strncmp(e - 5, ".data", 5) == 0)
		l -= 5;
	snprintf(name, namelen, "%.*s", (int)l, s);
}

struct tally {
	int pass, fail, skip, reported;
	int summary_passed, summary_run;        /* "Passed X out of Y tests." */
};

/* Parses the runner's report ("Test results:" then one PASS/FAIL/ERROR/
 * SKIP/UNKNOWN line per test file), printing failures and skips. */
static void parse_report(const char *pass_name, char *out, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	t->summary_passed = t->summary_run = -1;
	static const char head[] = "Test results:\n";
	char *results = out;
	while ((results = strstr(results, head)) && results != out && results[-1] != '\n')
		results++;
	if (!results)
		return;
	char *line = results + strlen(head);
	char skipped[4096] = "";
	size_t skipped_len = 0;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char name[256];
		int a, b;
		if (strncmp(line, "PASS: ", 6) == 0) {
			t->pass++;
			t->reported++;
		} else if (strncmp(line, "SKIP: ", 6) == 0) {
			t->skip++;
			t->reported++;
			test_name(line, name, sizeof(name));
			if (skipped_len < sizeof(skipped) - 1) {
				int k = snprintf(skipped + skipped_len, sizeof(skipped) - skipped_len, " %s", name);
				if (k > 0)
					skipped_len += (size_t)k;
			}
		} else if (strncmp(line, "FAIL: ", 6) == 0 || strncmp(line, "ERROR: ", 7) == 0 ||
			   strncmp(line, "UNKNOWN: ", 9) == 0) {
			t->fail++;
			t->reported++;
			test_name(line, name, sizeof(name));
			const char *q = strchr(line, '"');
			const char *msg = q ? strchr(q + 1, '"') : NULL;
			msg = msg ? msg + 1 : "";
			while (*msg == ' ')
				msg++;
			fprintf(stderr, "[%s] %.*s %s: %s\n", pass_name, (int)(strchr(line, ':') - line),
				line, name, msg);
		} else if (sscanf(line, "Passed %d out of %d tests.", &a, &b) == 2) {
			t->summary_passed = a;
			t->summary_run = b;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (t->skip)
		printf("[%s] note: the runner skipped %d test(s):%s\n", pass_name, t->skip, skipped);
}

static void run_pass(const char *pass_name, const char *runner, const char *tests_dir,
		     const char *plugin, int ndata, int elf)
{
	char *argv[] = {
		(char *)runner,
		"--test_file_directory", (char *)tests_dir,
		"--plugin_path", (char *)plugin,
		"--cpu_version", "v4",
		"--include_groups", "callx", "packet",
		"--elf", elf ? "true" : "false",
		NULL,
	};
	char *out = NULL;
	int status = run_capture(argv, &out);
	CHECK(status != -1);
	if (status == -1 || !out) {
		fprintf(stderr, "[%s] cannot run %s: %s\n", pass_name, runner, strerror(errno));
		free(out);
		return;
	}
	int exited = WIFEXITED(status);
	int code = exited ? WEXITSTATUS(status) : -1;
	struct tally t;
	parse_report(pass_name, out, &t);
	if (!exited || (code != 0 && code != 1) || t.reported == 0) {
		/* The runner itself failed (exception, signal, bad options):
		 * show what it said. */
		size_t l = strlen(out);
		const char *tail = l > 3000 ? out + l - 3000 : out;
		fprintf(stderr, "[%s] %s %s %d; its output ends with:\n%s\n", pass_name, runner,
			exited ? "exited with" : "was killed by signal",
			exited ? code : WTERMSIG(status), tail);
	}
	printf("[%s] %d passed, %d failed, %d skipped of %d test files\n", pass_name, t.pass, t.fail,
	       t.skip, ndata);
	CHECK(exited);
	CHECK_EQ(code, 0);
	CHECK(t.pass > 0);
	CHECK_EQ(t.fail, 0);
	CHECK_EQ(t.reported, ndata);
	CHECK_EQ(t.summary_passed, t.pass);
	CHECK_EQ(t.summary_run, t.pass + t.fail);
	free(out);
}

int main(void)
{
	const char *env = getenv("BPF_CONFORMANCE_DIR");
	const char *suite = env && *env ? env : DEFAULT_SUITE_DIR;
	char *tests_dir = xasprintf("%s/tests", suite);
	char *looked = NULL;
	int ndata = count_data_files(tests_dir);
	char *runner = ndata > 0 ? find_runner(suite, &looked) : NULL;
	if (ndata <= 0 || !runner) {
		char why[2048];
		snprintf(why, sizeof(why),
			 "bpf_conformance not found: %s%s%s (set BPF_CONFORMANCE_DIR to a checkout of "
			 "https://github.com/Alan-Jowett/bpf_conformance with its elfio submodule, built with "
			 "'cmake -S . -B build && cmake --build build --target bpf_conformance_runner'; "
			 "needs libboost-dev, libboost-program-options-dev, libboost-filesystem-dev)",
			 ndata <= 0 ? "no tests/*.data in " : "no bpf_conformance_runner at ",
			 ndata <= 0 ? tests_dir : looked,
			 env && *env ? "" : " (default; BPF_CONFORMANCE_DIR is not set)");
		free(tests_dir);
		free(looked);
		test_skip(why);
	}

	/* The plugin: $BPFVM_PLUGIN, else the one in $BUILD (build-asan/ under
	 * the sanitizer run), else build/. */
	const char *penv = getenv("BPFVM_PLUGIN");
	const char *benv = getenv("BUILD");
	char *plugin_rel = penv && *penv ? xasprintf("%s", penv)
			 : xasprintf("%s/bpfvm-conformance-plugin", benv && *benv ? benv : "build");
	char *plugin = realpath(plugin_rel, NULL);
	if (!plugin || !is_executable_file(plugin)) {
		if (penv && *penv)
			fprintf(stderr, "plugin %s (from BPFVM_PLUGIN) not found or not executable\n", plugin_rel);
		else
			fprintf(stderr, "plugin %s not found or not executable (build it with 'make %s', "
				"or name one with BPFVM_PLUGIN)\n", plugin_rel, plugin_rel);
		CHECK(plugin && is_executable_file(plugin));
	} else {
		printf("suite: %s (%d test files); runner: %s; plugin: %s\n", suite, ndata, runner, plugin);
		run_pass("raw", runner, tests_dir, plugin, ndata, 0);
		run_pass("elf", runner, tests_dir, plugin, ndata, 1);
	}
	free(plugin);
	free(plugin_rel);
	free(runner);
	free(looked);
	free(tests_dir);
	return test_done();
}
