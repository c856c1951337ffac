/* Compiled at test time for the BTF differential test's PROG_LOAD cases:
 * two functions (so func_info has two records) and no maps, so the
 * section loads as it is. */
static __attribute__((noinline)) int twice_plus_one(int x)
{
	return x * 2 + 1;
}

__attribute__((section("socket"), used)) int prog(void *ctx)
{
	int r = twice_plus_one(3);
	if (r > 10)
		return 1;
	return 0;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
