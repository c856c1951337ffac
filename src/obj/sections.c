/* libbpf's section-name table: which program type (and expected attach
 * type, given to PROG_LOAD) a section name means. One table; the entries
 * are the ones of libbpf's section_defs that name a program type of v5.1.
 *
 * Matching is libbpf's (sec_def_matches): a name ending in '+' matches
 * itself or itself followed by "/anything"; others match exactly. Entries
 * marked SLOPPY also match any name they begin (libbpf before 1.0 matched
 * prefixes, so "xdp_prog" or "socket1" of samples/bpf are still XDP and
 * socket filters); exact matches are tried first so that "cgroup/sock"
 * never takes "cgroup/sock_create". */
#include "obj/obj.h"
#include <string.h>

enum { SEC_F_SLOPPY = 1u << 0 };

#define DEF(sec, type, attach, flags) { sec, BPF_PROG_TYPE_##type, attach, flags }
static const struct obj_sec_def sec_defs[] = {
	DEF("socket", SOCKET_FILTER, 0, SEC_F_SLOPPY),
	DEF("sk_reuseport", SK_REUSEPORT, 0, SEC_F_SLOPPY),
	DEF("kprobe+", KPROBE, 0, 0),
	DEF("kretprobe+", KPROBE, 0, 0),
	DEF("tc", SCHED_CLS, 0, 0),
	DEF("classifier", SCHED_CLS, 0, SEC_F_SLOPPY),
	DEF("action", SCHED_ACT, 0, SEC_F_SLOPPY),
	DEF("tracepoint+", TRACEPOINT, 0, 0),
	DEF("tp+", TRACEPOINT, 0, 0),
	DEF("raw_tracepoint+", RAW_TRACEPOINT, 0, 0),
	DEF("raw_tp+", RAW_TRACEPOINT, 0, 0),
	DEF("xdp", XDP, 0, SEC_F_SLOPPY),
	DEF("perf_event", PERF_EVENT, 0, SEC_F_SLOPPY),
	DEF("lwt_in", LWT_IN, 0, SEC_F_SLOPPY),
	DEF("lwt_out", LWT_OUT, 0, SEC_F_SLOPPY),
	DEF("lwt_xmit", LWT_XMIT, 0, SEC_F_SLOPPY),
	DEF("lwt_seg6local", LWT_SEG6LOCAL, 0, SEC_F_SLOPPY),
	DEF("cgroup_skb/ingress", CGROUP_SKB, BPF_CGROUP_INET_INGRESS, SEC_F_SLOPPY),
	DEF("cgroup_skb/egress", CGROUP_SKB, BPF_CGROUP_INET_EGRESS, SEC_F_SLOPPY),
	DEF("cgroup/skb", CGROUP_SKB, 0, SEC_F_SLOPPY),
	DEF("cgroup/sock_create", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, SEC_F_SLOPPY),
	DEF("cgroup/sock", CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, SEC_F_SLOPPY),
	DEF("cgroup/post_bind4", CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, SEC_F_SLOPPY),
	DEF("cgroup/post_bind6", CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, SEC_F_SLOPPY),
	DEF("cgroup/dev", CGROUP_DEVICE, BPF_CGROUP_DEVICE, SEC_F_SLOPPY),
	DEF("sockops", SOCK_OPS, BPF_CGROUP_SOCK_OPS, SEC_F_SLOPPY),
	DEF("sk_skb/stream_parser", SK_SKB, BPF_SK_SKB_STREAM_PARSER, SEC_F_SLOPPY),
	DEF("sk_skb/stream_verdict", SK_SKB, BPF_SK_SKB_STREAM_VERDICT, SEC_F_SLOPPY),
	DEF("sk_skb", SK_SKB, 0, SEC_F_SLOPPY),
	DEF("sk_msg", SK_MSG, BPF_SK_MSG_VERDICT, SEC_F_SLOPPY),
	DEF("lirc_mode2", LIRC_MODE2, BPF_LIRC_MODE2, SEC_F_SLOPPY),
	DEF("flow_dissector", FLOW_DISSECTOR, BPF_FLOW_DISSECTOR, SEC_F_SLOPPY),
	DEF("cgroup/bind4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SEC_F_SLOPPY),
	DEF("cgroup/bind6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, SEC_F_SLOPPY),
	DEF("cgroup/connect4", CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, SEC_F_SLOPPY),
	DEF("cgroup/connect6", CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, SEC_F_SLOPPY),
	DEF("cgroup/sendmsg4", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, SEC_F_SLOPPY),
	DEF("cgroup/sendmsg6", CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, SEC_F_SLOPPY),
};
#undef DEF

static int matches(const struct obj_sec_def *d, const char *name, int sloppy)
{
	size_t n = strlen(d->sec);
	if (d->sec[n - 1] == '+') {
		n--;
		return !strncmp(name, d->sec, n) && (name[n] == 0 || name[n] == '/');
	}
	if (sloppy)
		return (d->flags & SEC_F_SLOPPY) && !strncmp(name, d->sec, n);
	return !strcmp(name, d->sec);
}

const struct obj_sec_def *obj_sec_def_find(const char *name)
{
	for (int sloppy = 0; sloppy < 2; sloppy++)
		for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++)
			if (matches(&sec_defs[i], name, sloppy))
				return &sec_defs[i];
	return NULL;
}
