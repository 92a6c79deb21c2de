#!/usr/bin/env bash
# Interop: l2sec as LAC (namespace A, one call) dials xl2tpd 1.3.18 as LNS
# (namespace B) with tunnel authentication (RFC 2661 §5.1.1). l2sec holds a
# secret and accepts a tunnel authenticated one way at least
# (docs/config.md). Rounds (see lib.sh):
#   xlclose   same secret, both ends challenging; call cleared by xl2tpd
#             (CDN), tunnel by xl2tpd (StopCCN); then SIGTERM to l2sec, exit 0.
#   l2close   same secret, both ends challenging; SIGTERM to l2sec: StopCCN,
#             exit 0 within 5 s.
#   nochal    same secret, xl2tpd does not challenge (its default): l2sec's
#             Challenge in the SCCRQ, xl2tpd's Challenge Response in the
#             SCCRP; tunnel and call come up, data both ways; SIGTERM to
#             l2sec as in l2close.
#   badl2     different secrets: l2sec checks xl2tpd's response in the SCCRP
#             and refuses (StopCCN Result Code 4, counter
#             l2tp_tunnel_auth_failed).
#   badxl     different secrets, l2sec does not challenge (but answers):
#             xl2tpd checks l2sec's response in the SCCCN and refuses.
# (The refusal when neither end challenges is covered by
# xl2tpd_lac_to_l2sec_lns_auth, round nochal2.)
# Usage: bash tests/interop/l2sec_lac_to_xl2tpd_lns_auth_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
it_init l2sec_lac_to_xl2tpd_lns_auth "$@"
it_require_tools l2sec
it_netns_up
it_round_l2sec_lac xlclose "interop-tunnel-secret" xl2tpd
it_round_l2sec_lac l2close "interop-tunnel-secret" l2sec
it_round_peer_no_challenge nochal lac l2sec
it_round_bad_secret badl2 lac l2sec
it_round_bad_secret badxl lac xl2tpd
