/* An XDP firewall: drops IPv4 packets whose source address falls in a
 * blocklist of prefixes (an LPM trie the host fills), and counts packets and
 * bytes per IP protocol in a per-CPU array. */
#include <bpfvm/uapi.h>
#include <bpfvm/bpf_helpers.h>

struct ipv4_key {
	uint32_t prefixlen;
	uint8_t addr[4];
};

struct proto_count {
	uint64_t packets;
	uint64_t bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct ipv4_key);
	__type(value, uint32_t);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, uint32_t);
	__type(value, struct proto_count);
} proto_stats SEC(".maps");

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
/* Counters for what is not IPv4: slots no IP protocol number uses. */
#define SLOT_IPV6 255
#define SLOT_OTHER 254

static __always_inline void count(uint32_t slot, uint64_t len)
{
	struct proto_count *c = bpf_map_lookup_elem(&proto_stats, &slot);
	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

SEC("xdp")
int xdp_firewall(struct xdp_md *ctx)
{
	uint8_t *data = (uint8_t *)(long)ctx->data;
	uint8_t *end = (uint8_t *)(long)ctx->data_end;
	uint64_t len = end - data;
	if (data + 14 > end)
		return XDP_DROP;
	uint16_t proto = (uint16_t)(data[12] << 8 | data[13]);
	if (proto == ETH_P_IPV6) {
		count(SLOT_IPV6, len);
		return XDP_PASS;
	}
	if (proto != ETH_P_IP) {
		count(SLOT_OTHER, len);
		return XDP_PASS;
	}
	uint8_t *ip = data + 14;
	if (ip + 20 > end)
		return XDP_DROP;
	struct ipv4_key key = { .prefixlen = 32 };
	__builtin_memcpy(key.addr, ip + 12, 4);
	if (bpf_map_lookup_elem(&blocklist, &key))
		return XDP_DROP;
	count(ip[9], len);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
