#!/usr/bin/env bash
# Interop: l2sec as LAC (namespace A, one call) dials xl2tpd 1.3.18 as LNS
# (namespace B) with tunnel authentication (RFC 2661 §5.1.1), both ends
# challenging. Rounds (see lib.sh):
#   xlclose   same secret; call cleared by xl2tpd (CDN), tunnel by xl2tpd
#             (StopCCN); then SIGTERM to l2sec, exit 0.
#   l2close   same secret; SIGTERM to l2sec: StopCCN, exit 0 within 5 s.
#   badl2     different secrets: l2sec checks xl2tpd's response in the SCCRP
#             and refuses (counter l2tp_tunnel_auth_failed, StopCCN).
#   badxl     different secrets, l2sec does not challenge (but answers):
#             xl2tpd checks l2sec's response in the SCCCN and refuses.
#   nochal    same secret, xl2tpd does not challenge: l2sec, which requires
#             mutual authentication when it holds a secret, refuses at the
#             SCCRP (StopCCN Result Code 4, counter l2tp_tunnel_auth_failed).
# Usage: bash tests/interop/l2sec_lac_to_xl2tpd_lns_auth_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
it_init l2sec_lac_to_xl2tpd_lns_auth "$@"
it_require_tools l2sec
it_netns_up
it_round_l2sec_lac xlclose "interop-tunnel-secret" xl2tpd
it_round_l2sec_lac l2close "interop-tunnel-secret" l2sec
it_round_bad_secret badl2 lac l2sec
it_round_bad_secret badxl lac xl2tpd
it_round_peer_no_challenge nochal lac
