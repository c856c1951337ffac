/* Compiled at test time (clang -O2 -g -target bpf) for the BTF
 * differential test: its .BTF exercises most kinds clang emits for C
 * (no floats: FLOAT is a kind newer than v5.1). */
typedef unsigned int u32;
typedef unsigned long long u64;

struct bpf_spin_lock {
	u32 val;
};

enum color { RED, GREEN = 5, BLUE = -1 };

struct forward_only;

union bits {
	struct {
		u32 lo : 3;
		u32 mid : 13;
		u32 hi : 16;
	};
	u32 word;
};

struct node {
	struct node *next;
	const volatile char *name;
	int (*cb)(struct node *, u64);
	struct forward_only *opaque;
	union bits b;
	enum color c;
	char tag[7];
	u64 counts[2][3];
	struct bpf_spin_lock lock;
};

struct value_with_lock {
	int n;
	struct bpf_spin_lock lock;
};

/* a BTF-defined map, as libbpf's __uint/__type spell it */
struct {
	int (*type)[1];
	int (*max_entries)[16];
	int *key;
	struct value_with_lock *value;
} locked_map __attribute__((section(".maps"), used));

struct node global_node;
int counter = 3;
const int answer = 42;
static volatile u64 hidden;
char _license[] __attribute__((section("license"), used)) = "GPL";

static __attribute__((noinline)) int helper_fn(struct node *n, int k)
{
	hidden += k;
	return n->c + k;
}

__attribute__((section("socket"), used)) int entry(void *ctx)
{
	return helper_fn(&global_node, counter) + answer;
}
