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
source "$(dirname "$0")/lib.sh"
it_init harness_selfcheck "$@"
it_require_tools
it_netns_up

A=$IT_ADDR_A
B=$IT_ADDR_B

# ---- plain
it_capture_start plain
it_xl2tpd_conf plain-lns lns "$B" "" peer-lns peer-lac
it_xl2tpd_conf plain-lac lac "$A" "$B" peer-lac peer-lns
it_xl2tpd_start plain-lns "$IT_NS_B" 5
it_xl2tpd_start plain-lac "$IT_NS_A" 60
it_xl2tpd_wait_tunnel plain-lac "$B" 10
it_xl2tpd_wait_tunnel plain-lns "$A" 10
it_xl2tpd_wait_call plain-lac "$B" 10
it_xl2tpd_wait_call plain-lns "$A" 10
# The LNS's fakepppd sends its Echo-Request at ~3 s and exits at 5 s.
it_wait_log plain-lns-ppp '^done' 15 "the LNS's fakepppd to end (FAKEPPP_SECONDS=5)"
it_xl2tpd_wait_rx plain-lac CDN 10
for side in lac lns; do
  it_assert_ppp_rx "plain-$side" "$IT_LCP_CONFREQ" 2 "LCP Configure-Request from the far fakepppd"
  it_assert_ppp_rx "plain-$side" "$IT_LCP_ECHOREQ" 1 "LCP Echo-Request from the far fakepppd"
  it_assert_ppp_rx "plain-$side" "$IT_LCP_ECHOREP_FAKE" 1 "LCP Echo-Reply to our Echo-Request"
done
it_stop plain-lac INT 5 || it_fail "xl2tpd LAC did not exit within 5s of SIGINT"
it_xl2tpd_wait_rx plain-lns StopCCN 5
it_stop plain-lns INT 5 || it_fail "xl2tpd LNS did not exit within 5s of SIGINT"
it_capture_stop plain
for m in SCCRQ SCCCN ICRQ ICCN StopCCN; do it_assert_cap_msg plain "$m" "$A"; done
for m in SCCRP ICRP CDN; do it_assert_cap_msg plain "$m" "$B"; done
it_assert_cap_data plain "$A" "$B" 4
it_assert_cap_data plain "$B" "$A" 4
it_assert_cap_none plain "Challenge AVPs (no auth configured)" 'l2tp.avp.type == 11 || l2tp.avp.type == 13'
it_assert_cap_clean plain
it_cap_verify plain

# ---- auth
it_capture_start auth
it_xl2tpd_conf auth-lns lns "$B" "" peer-lns peer-lac "harness-secret" yes
it_xl2tpd_conf auth-lac lac "$A" "$B" peer-lac peer-lns "harness-secret" yes
it_xl2tpd_start auth-lns "$IT_NS_B" 60
it_xl2tpd_start auth-lac "$IT_NS_A" 60
it_xl2tpd_wait_call auth-lac "$B" 10
it_xl2tpd_wait_call auth-lns "$A" 10
it_wait_log auth-lac-ppp "^rx $IT_LCP_CONFREQ" 5 "LCP from the LNS side"
it_wait_log auth-lns-ppp "^rx $IT_LCP_CONFREQ" 5 "LCP from the LAC side"
it_stop auth-lns INT 5 || it_fail "xl2tpd LNS did not exit within 5s of SIGINT"
it_xl2tpd_wait_rx auth-lac StopCCN 5
it_stop auth-lac INT 5 || it_fail "xl2tpd LAC did not exit within 5s of SIGINT"
it_capture_stop auth
it_assert_cap auth "SCCRQ with a Challenge" "l2tp.avp.message_type == 1 && l2tp.avp.type == 11 && ip.src == $A"
it_assert_cap auth "SCCRP with a Challenge and a Challenge Response" \
  "l2tp.avp.message_type == 2 && l2tp.avp.type == 11 && l2tp.avp.type == 13 && ip.src == $B"
it_assert_cap auth "SCCCN with a Challenge Response" "l2tp.avp.message_type == 3 && l2tp.avp.type == 13 && ip.src == $A"
for m in ICRQ ICCN; do it_assert_cap_msg auth "$m" "$A"; done
for m in ICRP StopCCN; do it_assert_cap_msg auth "$m" "$B"; done
it_assert_cap_data auth "$A" "$B"
it_assert_cap_data auth "$B" "$A"
it_assert_cap_clean auth
it_cap_verify auth

# ---- badauth
it_capture_start badauth
it_xl2tpd_conf bad-lns lns "$B" "" peer-lns peer-lac "the-LNS-secret" yes
it_xl2tpd_conf bad-lac lac "$A" "$B" peer-lac peer-lns "another-secret" yes
it_xl2tpd_start bad-lns "$IT_NS_B" 60
it_xl2tpd_start bad-lac "$IT_NS_A" 60
it_wait_log bad-lac "Invalid authentication for host 'peer-lns'" 10 "the LAC to reject the LNS's challenge response"
it_xl2tpd_wait_rx bad-lns StopCCN 5
it_assert_no_log bad-lns "Connection established" "LNS established a tunnel with a wrong secret"
it_assert_no_log bad-lac "Connection established" "LAC established a tunnel with a wrong secret"
it_stop bad-lac INT 5 || it_fail "xl2tpd LAC did not exit within 5s of SIGINT"
it_stop bad-lns INT 5 || it_fail "xl2tpd LNS did not exit within 5s of SIGINT"
it_capture_stop badauth
it_assert_cap_msg badauth SCCRQ "$A"
it_assert_cap_msg badauth SCCRP "$B"
it_assert_cap badauth "StopCCN from $A with Result Code 2, Error Code 6" \
  "l2tp.avp.message_type == 4 && ip.src == $A && l2tp.result_code == 2 && l2tp.avp.error_code == 6"
it_assert_cap_none badauth "SCCCN" "l2tp.avp.message_type == 3"
it_assert_cap_none badauth "ICRQ" "l2tp.avp.message_type == 10"
it_assert_cap_clean badauth
it_cap_verify badauth

# The complaint filter the l2sec tests apply to xl2tpd's log must be quiet
# for an xl2tpd-to-xl2tpd exchange.
for n in plain-lac plain-lns auth-lac auth-lns; do it_assert_xl2tpd_happy "$n"; done
