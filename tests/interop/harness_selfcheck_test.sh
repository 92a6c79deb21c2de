#!/usr/bin/env bash
# Self-check of the interop harness, with xl2tpd on both ends (LAC in
# namespace A dials the LNS in namespace B): proves the namespaces, the
# fakepppd bind mount, the capture and the tshark decode that the l2sec tests
# rely on. It does not use l2sec (the path argument is accepted and ignored).
#
# Rounds, each with its own capture on A's end of the veth:
#   plain    no tunnel auth. Tunnel and call come up; LCP flows both ways
#            through both fakepppds; the LNS's fakepppd exits -> the LNS
#            sends CDN; SIGINT to the LAC -> StopCCN (xl2tpd 1.3.18 sends
#            StopCCN on SIGINT; on SIGTERM it exits without one).
#   auth     tunnel auth, same secret both sides, both challenge: Challenge
#            and Challenge Response AVPs where RFC 2661 §5.1.1 puts them;
#            SIGINT to the LNS -> StopCCN the other way.
#   badauth  wrong secret: the LAC rejects the SCCRP's response, StopCCN,
#            no SCCCN, no tunnel on either side.
# The complaint filter the l2sec tests apply to xl2tpd's log
# (it_assert_xl2tpd_happy) must be quiet here. plain and auth are run again
# if xl2tpd hits its ID-0 defect (lib.sh, it__xl2tpd_zero_id).
source "$(dirname "$0")/lib.sh"
it_init harness_selfcheck "$@"
it_require_tools
it_netns_up

A=$IT_ADDR_A
B=$IT_ADDR_B

sc_up() {  # ROUND: tunnel and call up on both xl2tpd
  it__has "$IT_DIR/$1-lac.log" "Call established with $(it__re "$B")" &&
    it__has "$IT_DIR/$1-lns.log" "Call established with $(it__re "$A")"
}

# sc_start ROUND SECRET LNS_PPP_SECONDS: both xl2tpd and the capture. Sets
# IT_ROUND_RETRY=1 (after stopping them) when xl2tpd's ID-0 defect kept the
# call down.
sc_start() {
  local r=$1 secret=$2 lns_secs=$3
  it_log "==== round $r"
  it_capture_start "$r"
  it_xl2tpd_conf "$r-lns" lns "$B" "" peer-lns peer-lac "$secret" yes
  it_xl2tpd_conf "$r-lac" lac "$A" "$B" peer-lac peer-lns "$secret" yes
  it_xl2tpd_start "$r-lns" "$IT_NS_B" "$lns_secs"
  it_xl2tpd_start "$r-lac" "$IT_NS_A" 60
  if ! it_try_wait 10 sc_up "$r" && { it__xl2tpd_zero_id "$r" "$A" || it__xl2tpd_zero_id "$r" "$B"; }; then
    it_log "round $r: xl2tpd assigned ID 0 to a tunnel or call (xl2tpd defect)"
    it_stop "$r-lac" INT 5 || true
    it_stop "$r-lns" INT 5 || true
    it_capture_stop "$r"
    IT_ROUND_RETRY=1
    return 0
  fi
  it_xl2tpd_wait_tunnel "$r-lac" "$B" 1
  it_xl2tpd_wait_tunnel "$r-lns" "$A" 1
  it_xl2tpd_wait_call "$r-lac" "$B" 1
  it_xl2tpd_wait_call "$r-lns" "$A" 1
}

round_plain() {
  local r=$1 side
  sc_start "$r" "" 5
  [ "$IT_ROUND_RETRY" = 0 ] || return 0
  # The LNS's fakepppd sends its Echo-Request at ~3 s and exits at 5 s.
  it_wait_log "$r-lns-ppp" '^done' 15 "the LNS's fakepppd to end (FAKEPPP_SECONDS=5)"
  it_xl2tpd_wait_rx "$r-lac" CDN 10
  for side in lac lns; do
    it_assert_ppp_rx "$r-$side" "$IT_LCP_CONFREQ" 2 "LCP Configure-Request from the far fakepppd"
    it_assert_ppp_rx "$r-$side" "$IT_LCP_ECHOREQ" 1 "LCP Echo-Request from the far fakepppd"
    it_assert_ppp_rx "$r-$side" "$IT_LCP_ECHOREP_FAKE" 1 "LCP Echo-Reply to our Echo-Request"
  done
  it_stop "$r-lac" INT 5 || it_fail "xl2tpd LAC did not exit within 5s of SIGINT"
  it_xl2tpd_wait_rx "$r-lns" StopCCN 5
  it_stop "$r-lns" INT 5 || it_fail "xl2tpd LNS did not exit within 5s of SIGINT"
  it_capture_stop "$r"
  for m in SCCRQ SCCCN ICRQ ICCN StopCCN; do it_assert_cap_msg "$r" "$m" "$A"; done
  for m in SCCRP ICRP CDN; do it_assert_cap_msg "$r" "$m" "$B"; done
  it_assert_cap_data "$r" "$A" "$B" 4
  it_assert_cap_data "$r" "$B" "$A" 4
  it_assert_cap_none "$r" "Challenge AVPs (no auth configured)" 'l2tp.avp.type == 11 || l2tp.avp.type == 13'
  it_assert_cap_clean "$r"
  it_cap_verify "$r"
  it_assert_xl2tpd_happy "$r-lac"
  it_assert_xl2tpd_happy "$r-lns"
}

round_auth() {
  local r=$1
  sc_start "$r" harness-secret 60
  [ "$IT_ROUND_RETRY" = 0 ] || return 0
  it_wait_log "$r-lac-ppp" "^rx $IT_LCP_CONFREQ" 5 "LCP from the LNS side"
  it_wait_log "$r-lns-ppp" "^rx $IT_LCP_CONFREQ" 5 "LCP from the LAC side"
  it_stop "$r-lns" INT 5 || it_fail "xl2tpd LNS did not exit within 5s of SIGINT"
  it_xl2tpd_wait_rx "$r-lac" StopCCN 5
  it_stop "$r-lac" INT 5 || it_fail "xl2tpd LAC did not exit within 5s of SIGINT"
  it_capture_stop "$r"
  it_assert_cap "$r" "SCCRQ with a Challenge" "l2tp.avp.message_type == 1 && l2tp.avp.type == 11 && ip.src == $A"
  it_assert_cap "$r" "SCCRP with a Challenge and a Challenge Response" \
    "l2tp.avp.message_type == 2 && l2tp.avp.type == 11 && l2tp.avp.type == 13 && ip.src == $B"
  it_assert_cap "$r" "SCCCN with a Challenge Response" "l2tp.avp.message_type == 3 && l2tp.avp.type == 13 && ip.src == $A"
  for m in ICRQ ICCN; do it_assert_cap_msg "$r" "$m" "$A"; done
  for m in ICRP StopCCN; do it_assert_cap_msg "$r" "$m" "$B"; done
  it_assert_cap_data "$r" "$A" "$B"
  it_assert_cap_data "$r" "$B" "$A"
  it_assert_cap_clean "$r"
  it_cap_verify "$r"
  it_assert_xl2tpd_happy "$r-lac"
  it_assert_xl2tpd_happy "$r-lns"
}

it__retry_round round_plain plain
it__retry_round round_auth auth

# ---- badauth (no call is placed: the ID-0 defect cannot matter)
r=badauth
it_log "==== round $r"
it_capture_start "$r"
it_xl2tpd_conf "$r-lns" lns "$B" "" peer-lns peer-lac "the-LNS-secret" yes
it_xl2tpd_conf "$r-lac" lac "$A" "$B" peer-lac peer-lns "another-secret" yes
it_xl2tpd_start "$r-lns" "$IT_NS_B" 60
it_xl2tpd_start "$r-lac" "$IT_NS_A" 60
it_wait_log "$r-lac" "Invalid authentication for host 'peer-lns'" 10 "the LAC to reject the LNS's challenge response"
it_xl2tpd_wait_rx "$r-lns" StopCCN 5
it_assert_no_log "$r-lns" "Connection established" "LNS established a tunnel with a wrong secret"
it_assert_no_log "$r-lac" "Connection established" "LAC established a tunnel with a wrong secret"
it_stop "$r-lac" INT 5 || it_fail "xl2tpd LAC did not exit within 5s of SIGINT"
it_stop "$r-lns" INT 5 || it_fail "xl2tpd LNS did not exit within 5s of SIGINT"
it_capture_stop "$r"
it_assert_cap_msg "$r" SCCRQ "$A"
it_assert_cap_msg "$r" SCCRP "$B"
it_assert_cap "$r" "StopCCN from $A with Result Code 2, Error Code 6" \
  "l2tp.avp.message_type == 4 && ip.src == $A && l2tp.result_code == 2 && l2tp.avp.error_code == 6"
it_assert_cap_none "$r" "SCCCN" "l2tp.avp.message_type == 3"
it_assert_cap_none "$r" "ICRQ" "l2tp.avp.message_type == 10"
it_assert_cap_clean "$r"
it_cap_verify "$r"
