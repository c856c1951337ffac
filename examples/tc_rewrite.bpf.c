/* A tc classifier that redirects TCP port 8080 to port 80 in place: it
 * rewrites the destination port and fixes the TCP checksum with
 * bpf_l4_csum_replace, and decrements the TTL, fixing the IP header
 * checksum with bpf_l3_csum_replace. */
#include <bpfvm/uapi.h>
#include <bpfvm/bpf_helpers.h>

#define ETH_HLEN 14
#define IP_TTL_OFF (ETH_HLEN + 8)
#define IP_CSUM_OFF (ETH_HLEN + 10)
#define TC_ACT_OK 0

SEC("classifier")
int tc_rewrite(struct __sk_buff *skb)
{
	uint8_t *data = (uint8_t *)(long)skb->data;
	uint8_t *end = (uint8_t *)(long)skb->data_end;
	if (data + ETH_HLEN + 20 + 20 > end)
		return TC_ACT_OK;
	if (data[12] != 0x08 || data[13] != 0x00 || (data[14] & 0x0f) != 5 || data[23] != 6)
		return TC_ACT_OK;
	uint16_t dport = (uint16_t)(data[ETH_HLEN + 20 + 2] << 8 | data[ETH_HLEN + 20 + 3]);
	if (dport != 8080)
		return TC_ACT_OK;
	/* TTL and protocol share a 16-bit word of the IP header. */
	uint16_t old_word = *(uint16_t *)(data + IP_TTL_OFF);
	uint8_t ttl = data[IP_TTL_OFF];
	if (ttl <= 1)
		return TC_ACT_OK;
	uint8_t new_bytes[2] = { (uint8_t)(ttl - 1), data[IP_TTL_OFF + 1] };
	uint16_t new_word;
	__builtin_memcpy(&new_word, new_bytes, 2);
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_word, new_word, 2);
	bpf_skb_store_bytes(skb, IP_TTL_OFF, &new_word, 2, 0);
	uint16_t old_port = __builtin_bswap16(8080), new_port = __builtin_bswap16(80);
	bpf_l4_csum_replace(skb, ETH_HLEN + 20 + 16, old_port, new_port, 2);
	bpf_skb_store_bytes(skb, ETH_HLEN + 20 + 2, &new_port, 2, 0);
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
