#!/usr/bin/env bash
# Interop: xl2tpd 1.3.18 as LAC (namespace A) dials l2sec as LNS (namespace
# B), no tunnel authentication. Two rounds (see lib.sh, it_round_l2sec_lns):
#   xlclose  the call is cleared by xl2tpd (CDN), then the tunnel (StopCCN
#            on SIGINT); l2sec keeps running until SIGTERM, exits 0.
#   l2close  SIGTERM to l2sec: StopCCN to xl2tpd, exit 0 within 5 s.
# Usage: bash tests/interop/xl2tpd_lac_to_l2sec_lns_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
it_init xl2tpd_lac_to_l2sec_lns "$@"
it_require_tools l2sec
it_netns_up
it_round_l2sec_lns xlclose "" xl2tpd
it_round_l2sec_lns l2close "" l2sec
