#!/usr/bin/env bash
# Interop: l2sec as LAC (namespace A, one call) dials xl2tpd 1.3.18 as LNS
# (namespace B), no tunnel authentication. Two rounds (see lib.sh,
# it_round_l2sec_lac):
#   xlclose  the call is cleared by xl2tpd (CDN), then the tunnel (StopCCN
#            on SIGINT); l2sec keeps running until SIGTERM, exits 0.
#   l2close  SIGTERM to l2sec: StopCCN to xl2tpd, exit 0 within 5 s.
# Usage: bash tests/interop/l2sec_lac_to_xl2tpd_lns_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
it_init l2sec_lac_to_xl2tpd_lns "$@"
it_require_tools l2sec
it_netns_up
it_round_l2sec_lac xlclose "" xl2tpd
it_round_l2sec_lac l2close "" l2sec
