#!/usr/bin/env bash
# Interop: xl2tpd 1.3.18 as LAC (namespace A) dials l2sec as LNS (namespace
# B) with tunnel authentication (RFC 2661 §4.2 / §5.1.1: Challenge and
# Challenge Response, MD5 over message type, secret and challenge). l2sec
# holds a secret and accepts a tunnel authenticated one way at least
# (docs/config.md). Rounds (see lib.sh):
#   xlclose   same secret, both ends challenging; call cleared by xl2tpd
#             (CDN), tunnel by xl2tpd (StopCCN); then SIGTERM to l2sec, exit 0.
#   l2close   same secret, both ends challenging; SIGTERM to l2sec: StopCCN,
#             exit 0 within 5 s.
#   nochal    same secret, xl2tpd does not challenge (its default): l2sec's
#             Challenge in the SCCRP, xl2tpd's Challenge Response in the
#             SCCCN; tunnel and call come up, data both ways, xl2tpd clears
#             the call and the tunnel as in xlclose.
#   badxl     different secrets: xl2tpd checks l2sec's response in the SCCRP
#             and refuses (StopCCN "Invalid challenge authentication").
#   badl2     different secrets, xl2tpd does not challenge: l2sec checks
#             xl2tpd's response in the SCCCN and refuses (StopCCN Result
#             Code 4, counter l2tp_tunnel_auth_failed); no call.
#   nochal2   same secret, neither end challenges (l2sec challenge = false):
#             l2sec refuses the SCCRQ (StopCCN Result Code 4, "no
#             challenge", counter l2tp_tunnel_auth_failed).
# Usage: bash tests/interop/xl2tpd_lac_to_l2sec_lns_auth_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
it_init xl2tpd_lac_to_l2sec_lns_auth "$@"
it_require_tools l2sec
it_netns_up
it_round_l2sec_lns xlclose "interop-tunnel-secret" xl2tpd
it_round_l2sec_lns l2close "interop-tunnel-secret" l2sec
it_round_peer_no_challenge nochal lns xl2tpd
it_round_bad_secret badxl lns xl2tpd
it_round_bad_secret badl2 lns l2sec
it_round_no_challenge nochal2 lns
