/* One program per section kind of libbpf's table: the loader must give each
 * its program type (and expected attach type). */
#include <linux/bpf.h>
#include <bpfvm/bpf_helpers.h>

#define PROG(sec, name, ret) SEC(sec) int name(void *ctx) { return ret; }

PROG("socket", sock_prog, 0)
PROG("xdp", xdp_prog, 2)
PROG("classifier", cls_prog, 0)
PROG("tc", tc_prog, 0)
PROG("action", act_prog, 0)
PROG("cgroup_skb/ingress", cg_ingress, 1)
PROG("cgroup_skb/egress", cg_egress, 1)
PROG("cgroup/sock", cg_sock, 1)
PROG("cgroup/dev", cg_dev, 1)
PROG("cgroup/bind4", cg_bind4, 1)
PROG("cgroup/bind6", cg_bind6, 1)
PROG("cgroup/connect4", cg_connect4, 1)
PROG("cgroup/connect6", cg_connect6, 1)
PROG("cgroup/sendmsg4", cg_sendmsg4, 1)
PROG("cgroup/sendmsg6", cg_sendmsg6, 1)
PROG("cgroup/post_bind4", cg_post_bind4, 1)
PROG("cgroup/post_bind6", cg_post_bind6, 1)
PROG("lwt_in", lwt_in_prog, 0)
PROG("lwt_out", lwt_out_prog, 0)
PROG("lwt_xmit", lwt_xmit_prog, 0)
PROG("lwt_seg6local", lwt_seg6_prog, 0)
PROG("sk_skb/stream_parser", skb_parser, 0)
PROG("sk_skb/stream_verdict", skb_verdict, 0)
PROG("sk_skb", skb_prog, 0)
PROG("sk_msg", msg_prog, 0)
PROG("sockops", sockops_prog, 0)
PROG("flow_dissector", dissect_prog, 0)
PROG("kprobe/sys_nanosleep", kprobe_prog, 0)
PROG("kretprobe/sys_nanosleep", kretprobe_prog, 0)
PROG("tracepoint/syscalls/sys_enter_write", tp_prog, 0)
PROG("raw_tracepoint/sched_switch", raw_tp_prog, 0)
PROG("perf_event", perf_prog, 0)
PROG("lirc_mode2", lirc_prog, 0)
PROG("sk_reuseport", reuseport_prog, 0)

char _license[] SEC("license") = "GPL";
unsigned int _version SEC("version") = 0x050100;
