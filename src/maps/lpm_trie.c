/*
 * BPF_MAP_TYPE_LPM_TRIE (the kernel's kernel/bpf/lpm_trie.c of v5.1):
 * longest-prefix match over keys struct bpf_lpm_trie_key { u32 prefixlen;
 * u8 data[]; } with data in network order (bit 0 = the most significant bit
 * of data[0]).
 *
 * The same path-compressed binary trie as the kernel: every node holds a
 * prefix; a node's children extend it, child[b] where b is the bit just
 * after the node's prefix. "Intermediate" nodes (no value) join two
 * subtrees whose prefixes diverge, and always have two children. Behaviour
 * that later kernels changed is kept as v5.1 has it:
 *   - update ignores BPF_NOEXIST / BPF_EXIST (only flags > BPF_EXIST fail),
 *     and a full map refuses even the replacement of an existing prefix
 *     (-ENOSPC);
 *   - get_next_key walks in post-order (more specific prefixes first) and
 *     takes a key whose prefix length matches a node on its path as that
 *     node, even if the data differ.
 *
 * Concurrency: one mutex per trie serializes every operation, lookups
 * included (the kernel's readers walk under RCU instead). Nodes that leave
 * the trie are freed after a grace period (arraymap.h), since a program may
 * still hold a pointer to their value.
 */
#include "maps/arraymap.h"
#include "core/kerrno.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LPM_DATA_SIZE_MAX 256u
#define LPM_DATA_SIZE_MIN 1u
/* sizeof(struct lpm_trie_node) in the kernel: rcu head, two children,
 * prefixlen, flags. */
#define K_NODE_SIZE 40u
#define LPM_VAL_SIZE_MAX (BPFVM_K_KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - K_NODE_SIZE)
#define LPM_VAL_SIZE_MIN 1u
#define LPM_KEY_SIZE(x) (4u + (x))
#define LPM_CREATE_FLAG_MASK (BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY)

#define NODE_INTERMEDIATE 1u

struct node {
	struct node *child[2];
	uint32_t prefixlen;
	uint32_t flags;
	/* data_size bytes of prefix, then (8-aligned) the value. */
	_Alignas(8) uint8_t data[];
};

struct lpm_trie {
	struct bpfvm_map map;
	struct node *root;
	uint64_t n_entries;             /* nodes with a value */
	uint32_t data_size;
	uint32_t max_prefixlen;
	uint32_t value_off;             /* round_up(data_size, 8) */
	pthread_mutex_t lock;
	struct bpfvm_defer defer;
};

static inline struct lpm_trie *to_trie(struct bpfvm_map *map)
{
	return (struct lpm_trie *)map;
}

/* Bit `index` of `data`, most significant bit of data[0] first. */
static inline unsigned extract_bit(const uint8_t *data, uint32_t index)
{
	return (data[index / 8] >> (7 - index % 8)) & 1;
}

static inline uint32_t key_prefixlen(const void *key)
{
	uint32_t p;
	memcpy(&p, key, sizeof(p));
	return p;
}

static inline const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + 4;
}

/* How many leading bits of node and key agree, up to both prefix lengths. */
static uint32_t longest_prefix_match(const struct lpm_trie *t, const struct node *n, const void *key)
{
	uint32_t limit = n->prefixlen < key_prefixlen(key) ? n->prefixlen : key_prefixlen(key);
	const uint8_t *kd = key_data(key);
	uint32_t len = 0;
	for (uint32_t i = 0; i < t->data_size && len < limit; i++) {
		uint8_t diff = n->data[i] ^ kd[i];
		if (diff) {
			len += (uint32_t)__builtin_clz(diff) - 24;
			break;
		}
		len += 8;
	}
	return len < limit ? len : limit;
}

/* ---- creation ------------------------------------------------------------------ */

/* trie_alloc's checks: BPF_F_NO_PREALLOC is required (nodes are allocated
 * on update); key data 1..256 bytes; value 1..LPM_VAL_SIZE_MAX bytes; all
 * -EINVAL. Then the memory cost of max_entries nodes, -E2BIG. */
static int trie_alloc_check(struct bpfvm *vm, const union bpf_attr *attr)
{
	if (attr->max_entries == 0 || !(attr->map_flags & BPF_F_NO_PREALLOC) ||
	    (attr->map_flags & ~LPM_CREATE_FLAG_MASK) || attr->key_size < LPM_KEY_SIZE(LPM_DATA_SIZE_MIN) ||
	    attr->key_size > LPM_KEY_SIZE(LPM_DATA_SIZE_MAX) || attr->value_size < LPM_VAL_SIZE_MIN ||
	    attr->value_size > LPM_VAL_SIZE_MAX)
		return -EINVAL;
	uint64_t per_node = K_NODE_SIZE + attr->value_size + (attr->key_size - 4);
	if (BPFVM_K_MAP_STRUCT_SIZE + (uint64_t)attr->max_entries * per_node >= BPFVM_K_COST_LIMIT)
		return -E2BIG;
	return 0;
}

static struct bpfvm_map *trie_alloc(struct bpfvm *vm, const union bpf_attr *attr, int *err)
{
	struct lpm_trie *t = calloc(1, sizeof(*t));
	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->data_size = attr->key_size - 4;
	t->max_prefixlen = t->data_size * 8;
	t->value_off = bpfvm_round_up8(t->data_size);
	pthread_mutex_init(&t->lock, NULL);
	bpfvm_defer_init(&t->defer);
	return &t->map;
}

static void free_subtree(struct node *n)
{
	while (n) {
		free_subtree(n->child[0]);
		struct node *next = n->child[1];
		free(n);
		n = next;
	}
}

static void trie_free(struct bpfvm_map *map)
{
	struct lpm_trie *t = to_trie(map);
	free_subtree(t->root);
	bpfvm_defer_fini(&t->defer);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct node *node_alloc(struct lpm_trie *t, const void *value)
{
	struct node *n = malloc(sizeof(*n) + t->value_off + (value ? t->map.value_size : 0));
	if (!n)
		return NULL;
	n->child[0] = n->child[1] = NULL;
	n->flags = 0;
	if (value)
		memcpy(n->data + t->value_off, value, t->map.value_size);
	return n;
}

/* ---- lookup ---------------------------------------------------------------------- */

/* trie_lookup_elem: walk down while the node's whole prefix matches,
 * remembering the last node with a value; a full-length match ends it. */
static void *trie_lookup(struct bpfvm_map *map, const void *key, uint32_t cpu)
{
	struct lpm_trie *t = to_trie(map);
	struct node *found = NULL;
	pthread_mutex_lock(&t->lock);
	for (struct node *n = t->root; n;) {
		uint32_t matchlen = longest_prefix_match(t, n, key);
		if (matchlen == t->max_prefixlen) {
			found = n;
			break;
		}
		if (matchlen < n->prefixlen)
			break;
		if (!(n->flags & NODE_INTERMEDIATE))
			found = n;
		n = n->child[extract_bit(key_data(key), n->prefixlen)];
	}
	pthread_mutex_unlock(&t->lock);
	return found ? found->data + t->value_off : NULL;
}

/* ---- update ---------------------------------------------------------------------- */

static void node_free(void *obj)
{
	free(obj);
}

static int trie_update(struct bpfvm_map *map, const void *key, const void *value, uint64_t flags,
		       uint32_t cpu)
{
	struct lpm_trie *t = to_trie(map);
	uint32_t plen = key_prefixlen(key);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (plen > t->max_prefixlen)
		return -EINVAL;
	int rc = 0;
	struct node *old = NULL;
	pthread_mutex_lock(&t->lock);
	if (t->n_entries == map->max_entries) {
		rc = -ENOSPC;
		goto out;
	}
	struct node *nn = node_alloc(t, value);
	if (!nn) {
		rc = -ENOMEM;
		goto out;
	}
	t->n_entries++;
	nn->prefixlen = plen;
	memcpy(nn->data, key_data(key), t->data_size);

	/* Find the slot: descend while the node's prefix is a proper prefix
	 * of the key. */
	struct node **slot = &t->root, *n;
	uint32_t matchlen = 0;
	while ((n = *slot)) {
		matchlen = longest_prefix_match(t, n, key);
		if (n->prefixlen != matchlen || n->prefixlen == plen || n->prefixlen == t->max_prefixlen)
			break;
		slot = &n->child[extract_bit(key_data(key), n->prefixlen)];
	}
	if (!n) {
		*slot = nn;             /* an empty slot */
	} else if (n->prefixlen == matchlen) {
		/* The same prefix: the new node takes the old one's place. */
		nn->child[0] = n->child[0];
		nn->child[1] = n->child[1];
		if (!(n->flags & NODE_INTERMEDIATE))
			t->n_entries--;
		*slot = nn;
		old = n;
	} else if (matchlen == plen) {
		/* The new prefix covers the node: it becomes its parent. */
		nn->child[extract_bit(n->data, matchlen)] = n;
		*slot = nn;
	} else {
		/* They diverge after matchlen bits: join them under an
		 * intermediate node of that prefix. */
		struct node *im = node_alloc(t, NULL);
		if (!im) {
			t->n_entries--;
			free(nn);
			rc = -ENOMEM;
			goto out;
		}
		im->prefixlen = matchlen;
		im->flags = NODE_INTERMEDIATE;
		memcpy(im->data, n->data, t->data_size);
		unsigned bit = extract_bit(key_data(key), matchlen);
		im->child[bit] = nn;
		im->child[!bit] = n;
		*slot = im;
	}
out:
	pthread_mutex_unlock(&t->lock);
	if (old)
		bpfvm_defer_release(&t->defer, old, node_free);
	return rc;
}

/* ---- delete ---------------------------------------------------------------------- */

/* trie_delete_elem: only an exact (prefix, data) match is removed. A node
 * with two children just loses its value; a leaf whose parent is an
 * intermediate node takes that parent with it, promoting the sibling; else
 * the node's only child (or nothing) takes its place. */
static int trie_delete(struct bpfvm_map *map, const void *key)
{
	struct lpm_trie *t = to_trie(map);
	uint32_t plen = key_prefixlen(key);
	if (plen > t->max_prefixlen)
		return -EINVAL;
	struct node *gone[2] = { NULL, NULL };
	int rc = 0;
	pthread_mutex_lock(&t->lock);
	struct node **trim = &t->root, **trim2 = trim, *parent = NULL, *n;
	uint32_t matchlen = 0;
	while ((n = *trim)) {
		matchlen = longest_prefix_match(t, n, key);
		if (n->prefixlen != matchlen || n->prefixlen == plen)
			break;
		parent = n;
		trim2 = trim;
		trim = &n->child[extract_bit(key_data(key), n->prefixlen)];
	}
	if (!n || n->prefixlen != plen || n->prefixlen != matchlen || (n->flags & NODE_INTERMEDIATE)) {
		rc = -ENOENT;
		goto out;
	}
	t->n_entries--;
	if (n->child[0] && n->child[1]) {
		n->flags |= NODE_INTERMEDIATE;
		goto out;
	}
	if (parent && (parent->flags & NODE_INTERMEDIATE) && !n->child[0] && !n->child[1]) {
		*trim2 = parent->child[n == parent->child[0] ? 1 : 0];
		gone[0] = parent;
		gone[1] = n;
		goto out;
	}
	*trim = n->child[0] ? n->child[0] : n->child[1];
	gone[0] = n;
out:
	pthread_mutex_unlock(&t->lock);
	for (int i = 0; i < 2; i++)
		if (gone[i])
			bpfvm_defer_release(&t->defer, gone[i], node_free);
	return rc;
}

/* ---- get_next_key ------------------------------------------------------------------ */

static struct node *leftmost(struct node *n)
{
	struct node *next = NULL;
	/* The first node of the post-order: intermediate nodes always have
	 * two children, so this ends on a node with a value. */
	while (n) {
		if (n->flags & NODE_INTERMEDIATE) {
			n = n->child[0];
		} else {
			next = n;
			n = n->child[0] ? n->child[0] : n->child[1];
		}
	}
	return next;
}

static int trie_get_next_key(struct bpfvm_map *map, const void *key, void *next_key)
{
	struct lpm_trie *t = to_trie(map);
	struct node *next = NULL, *search_root;
	struct node **stack = NULL;
	int rc = 0, sp = -1;
	pthread_mutex_lock(&t->lock);
	if (!(search_root = t->root)) {
		rc = -ENOENT;
		goto out;
	}
	if (!key || key_prefixlen(key) > t->max_prefixlen)
		goto find_leftmost;
	/* A root-to-leaf path has at most max_prefixlen + 1 nodes (the
	 * kernel's stack has one slot less). */
	if (!(stack = malloc((t->max_prefixlen + 1) * sizeof(*stack)))) {
		rc = -ENOMEM;
		goto out;
	}
	struct node *n;
	for (n = search_root; n;) {
		stack[++sp] = n;
		uint32_t matchlen = longest_prefix_match(t, n, key);
		if (n->prefixlen != matchlen || n->prefixlen == key_prefixlen(key))
			break;
		n = n->child[extract_bit(key_data(key), n->prefixlen)];
	}
	if (!n || n->prefixlen != key_prefixlen(key) || (n->flags & NODE_INTERMEDIATE))
		goto find_leftmost;
	/* The key's node is found: the next in post-order is the leftmost of
	 * its right sibling's subtree, or else the first ancestor with a
	 * value. */
	n = stack[sp];
	for (; sp > 0; sp--) {
		struct node *parent = stack[sp - 1];
		if (parent->child[0] == n && parent->child[1]) {
			search_root = parent->child[1];
			goto find_leftmost;
		}
		if (!(parent->flags & NODE_INTERMEDIATE)) {
			next = parent;
			goto copy;
		}
		n = parent;
	}
	rc = -ENOENT;
	goto out;
find_leftmost:
	next = leftmost(search_root);
copy:
	memcpy(next_key, &next->prefixlen, 4);
	memcpy((uint8_t *)next_key + 4, next->data, t->data_size);
out:
	pthread_mutex_unlock(&t->lock);
	free(stack);
	return rc;
}

const struct bpfvm_map_ops bpfvm_lpm_trie_map_ops = {
	.alloc_check = trie_alloc_check,
	.alloc = trie_alloc,
	.free = trie_free,
	.lookup = trie_lookup,
	.update = trie_update,
	.delete = trie_delete,
	.get_next_key = trie_get_next_key,
};
