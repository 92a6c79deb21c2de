#!/usr/bin/env bash
# Interop: xl2tpd 1.3.18 as LAC (namespace A) dials l2sec as LNS (namespace
# B) with tunnel authentication (RFC 2661 §4.2 / §5.1.1: Challenge and
# Challenge Response, MD5 over message type, secret and challenge), both
# ends challenging. Rounds (see lib.sh):
#   xlclose   same secret; call cleared by xl2tpd (CDN), tunnel by xl2tpd
#             (StopCCN); then SIGTERM to l2sec, exit 0.
#   l2close   same secret; SIGTERM to l2sec: StopCCN, exit 0 within 5 s.
#   badxl     different secrets: xl2tpd checks l2sec's response in the SCCRP
#             and refuses (StopCCN "Invalid challenge authentication").
#   nochal    same secret, xl2tpd does not challenge: l2sec, which requires
#             mutual authentication when it holds a secret, refuses the
#             SCCRQ (StopCCN Result Code 4, counter l2tp_tunnel_auth_failed).
# (A wrong response found by l2sec as LNS cannot be staged with xl2tpd: an
# xl2tpd LAC that challenges finds the mismatch first, one that does not is
# refused at its SCCRQ. l2sec_lac_to_xl2tpd_lns_auth covers l2sec finding it.)
# Usage: bash tests/interop/xl2tpd_lac_to_l2sec_lns_auth_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
it_init xl2tpd_lac_to_l2sec_lns_auth "$@"
it_require_tools l2sec
it_netns_up
it_round_l2sec_lns xlclose "interop-tunnel-secret" xl2tpd
it_round_l2sec_lns l2close "interop-tunnel-secret" l2sec
it_round_bad_secret badxl lns xl2tpd
it_round_peer_no_challenge nochal lns
