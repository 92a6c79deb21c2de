#!/usr/bin/env bash
# l2sec LAC -> l2sec LNS with L2TP protected by manually keyed ESP (RFC 3193)
# on the IP medium, in two network namespaces this test creates and deletes.
# The kernel here has no ESP: both ends run it in user space over raw
# protocol-50 sockets (or UDP 4500 for RFC 3948). xl2tpd cannot take part
# (it relies on kernel IPsec), so both ends are l2sec.
#
# Rounds (one capture each, fresh processes):
#   1. transport mode, AES-GCM-16-128 (RFC 4106)
#   2. transport mode, AES-CBC-128 + HMAC-SHA1-96 (RFC 3602, RFC 2404)
#   3. transport mode, NULL + HMAC-SHA-256-128 (RFC 2410, RFC 4868)
#   4. tunnel mode in UDP 4500 (RFC 3948), AES-GCM-16-256
# Each round: tunnel and one call come up, LCP echoes cross both ways,
# SIGTERM on the LAC sends StopCCN, both exit 0. Then tshark, given our keys
# in its esp_sa table, decrypts the capture: every ESP packet's ICV is
# marked good, the L2TP control messages and data messages are found inside
# ESP, no L2TP crosses in the clear, and nothing is malformed.
# Usage: bash tests/interop/l2sec_esp_pair_test.sh /path/to/l2sec
source "$(dirname "$0")/lib.sh"
IT_BUDGET=${IT_BUDGET:-240}
it_init l2sec_esp_pair "$@"
it_require_tools l2sec
it_netns_up

SPI_TO_LNS=0x00002001
SPI_TO_LAC=0x00001001

# hexkey N: N random octets as hex (lab keys, fresh per run).
hexkey() { "$IT_PY" -c "import os,sys; print(os.urandom(int(sys.argv[1])).hex())" "$1"; }

# esp_conf NAME ROLE OUR_ADDR OUR_HOST PEER_HOST PEER_ADDR SESSIONS CIPHER INTEGRITY MODE UDP SPI_IN SPI_OUT
esp_conf() {
  local name=$1 role=$2 addr=$3 host=$4 peer_host=$5 peer_addr=$6 sessions=$7
  local cipher=$8 integ=$9 mode=${10} udp=${11} spi_in=${12} spi_out=${13}
  {
    echo "role = \"$role\""
    echo "listen = \"$addr:1701\""
    echo "host_name = \"$host\""
    echo "log_level = \"debug\""
    echo "status_file = \"$IT_DIR/$name.status.json\""
    echo "sink = \"lcp-echo\""
    echo "lcp_echo_interval = \"300ms\""
    echo
    echo "[esp]"
    echo "shape = \"compulsory\""
    echo "auth = \"psk\""
    echo "mode = \"$mode\""
    echo "udp_encap = $udp"
    echo "replay_window = 128"
    echo "key_file = \"$IT_DIR/$name.keys.toml\""
    echo "state_file = \"$IT_DIR/$name.state\""
    echo
    echo "[[peer]]"
    echo "name = \"$peer_host\""
    echo "address = \"$peer_addr\""
    echo "sessions = $sessions"
    echo "[peer.esp]"
    echo "spi_in = $spi_in"
    echo "spi_out = $spi_out"
    echo "cipher = \"$cipher\""
    echo "integrity = \"$integ\""
  } >"$IT_DIR/$name.toml"
}

# keys_file NAME SPI_A ENC_A AUTH_A SPI_B ENC_B AUTH_B (mode 0600)
keys_file() {
  local f=$IT_DIR/$1.keys.toml
  (
    umask 077
    {
      echo "[[sa]]"
      echo "spi = $2"
      [ -z "$3" ] || echo "enc_key = \"$3\""
      [ -z "$4" ] || echo "auth_key = \"$4\""
      echo "[[sa]]"
      echo "spi = $5"
      [ -z "$6" ] || echo "enc_key = \"$6\""
      [ -z "$7" ] || echo "auth_key = \"$7\""
    } >"$f"
  )
}

# round N CIPHER INTEGRITY ENC_OCTETS AUTH_OCTETS MODE UDP TSHARK_ENC TSHARK_AUTH
round() {
  local n=$1 cipher=$2 integ=$3 enc_len=$4 auth_len=$5 mode=$6 udp=$7 ts_enc=$8 ts_auth=$9
  local lac=lac$n lns=lns$n cap=esp$n
  it_log "round $n: $cipher / $integ, $mode mode$([ "$udp" = true ] && echo ' in UDP 4500')"
  local e1 a1="" e2 a2=""
  e1=$(hexkey "$enc_len") e2=$(hexkey "$enc_len")
  if [ "$auth_len" -gt 0 ]; then a1=$(hexkey "$auth_len") a2=$(hexkey "$auth_len"); fi
  esp_conf "$lns" lns "$IT_ADDR_B" "lns.esp" "lac.esp" "$IT_ADDR_A" 0 "$cipher" "$integ" "$mode" "$udp" \
    "$SPI_TO_LNS" "$SPI_TO_LAC"
  esp_conf "$lac" lac "$IT_ADDR_A" "lac.esp" "lns.esp" "$IT_ADDR_B" 1 "$cipher" "$integ" "$mode" "$udp" \
    "$SPI_TO_LAC" "$SPI_TO_LNS"
  keys_file "$lns" "$SPI_TO_LNS" "$e1" "$a1" "$SPI_TO_LAC" "$e2" "$a2"
  keys_file "$lac" "$SPI_TO_LNS" "$e1" "$a1" "$SPI_TO_LAC" "$e2" "$a2"

  it_capture_start "$cap"
  it_l2sec_start "$lns" "$IT_NS_B"
  it_l2sec_start "$lac" "$IT_NS_A"
  it_wait_status "$lac" lcp_echo_replies -ge 3 20
  it_wait_status "$lns" lcp_echo_replies -ge 3 20
  it_assert_counter "$lns" l2tp_session_established -eq 1
  local side
  for side in "$lac" "$lns"; do
    it_assert_counter "$side" esp_rx_packets -ge 10
    it_assert_counter "$side" esp_rx_bad_icv -eq 0
    it_assert_counter "$side" esp_rx_clear_on_protected -eq 0
    it_assert_counter "$side" esp_rx_selector_mismatch -eq 0
    it_assert_counter "$side" esp_tx_clear -eq 0
  done
  it_l2sec_stop "$lac"
  it_wait_counter "$lns" l2tp_tunnel_closed -eq 1 10
  it_l2sec_stop "$lns"
  it_capture_stop "$cap"
  it_assert_log "$lac" "ESP peer lns.esp .*SA in 0x00001001, out 0x00002001" "the LAC logs its SA pair"
  local k keys_re=""
  for k in "$e1" "$e2" "$a1" "$a2"; do [ -z "$k" ] || keys_re+="${keys_re:+|}$k"; done
  it_assert_no_log "$lac" "$keys_re" "no ESP key in the LAC's log"
  it_assert_no_log "$lns" "$keys_re" "no ESP key in the LNS's log"

  # tshark decrypts with our keys and checks every ICV.
  local sa_a sa_b opts f=$IT_DIR/$cap.pcapng
  sa_a="\"IPv4\",\"$IT_ADDR_A\",\"$IT_ADDR_B\",\"$SPI_TO_LNS\",\"$ts_enc\",\"0x$e1\",\"$ts_auth\",\"0x${a1:-}\""
  sa_b="\"IPv4\",\"$IT_ADDR_B\",\"$IT_ADDR_A\",\"$SPI_TO_LAC\",\"$ts_enc\",\"0x$e2\",\"$ts_auth\",\"0x${a2:-}\""
  opts=(-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE
        -o "uat:esp_sa:$sa_a" -o "uat:esp_sa:$sa_b")
  count() { timeout 60 tshark -n -r "$f" "${opts[@]}" -Y "$1" 2>"$IT_DIR/tshark-$cap.err" | wc -l; }
  local esp good bad clear ctl data sccrq stop malformed
  esp=$(count 'esp')
  good=$(count 'esp.icv_good == 1')
  bad=$(count 'esp.icv_bad == 1 || esp.icv_good == 0')
  clear=$(count '(udp.port == 1701 || l2tp) && !esp')
  sccrq=$(count 'esp && l2tp.avp.message_type == 1')
  stop=$(count 'esp && l2tp.avp.message_type == 4')
  ctl=$(count 'esp && l2tp.type == 1')
  data=$(count 'esp && l2tp.type == 0')
  malformed=$(count '_ws.malformed || _ws.expert.severity >= warning')
  it_log "capture $cap: $esp ESP, $good ICV good, $bad bad, $clear clear L2TP, $ctl control and $data data inside ESP, $malformed malformed/warnings"
  [ "$esp" -ge 20 ] || it_fail "round $n: only $esp ESP packets captured"
  [ "$good" -eq "$esp" ] || it_fail "round $n: tshark marks $good of $esp ICVs good"
  [ "$bad" -eq 0 ] || it_fail "round $n: tshark marks $bad ICVs bad"
  [ "$clear" -eq 0 ] || it_fail "round $n: $clear L2TP packets crossed in the clear"
  [ "$sccrq" -eq 1 ] || it_fail "round $n: SCCRQ inside ESP seen $sccrq times (want 1)"
  [ "$stop" -ge 1 ] || it_fail "round $n: no StopCCN inside ESP"
  [ "$ctl" -ge 6 ] || it_fail "round $n: only $ctl control messages decrypted"
  [ "$data" -ge 6 ] || it_fail "round $n: only $data data messages decrypted"
  [ "$malformed" -eq 0 ] || {
    timeout 60 tshark -n -r "$f" "${opts[@]}" -Y '_ws.malformed || _ws.expert.severity >= warning' >&2 || true
    it_fail "round $n: $malformed malformed packets or expert warnings"
  }
  if grep -q 'Lua\|rror' "$IT_DIR/tshark-$cap.err"; then it_fail "tshark: $(cat "$IT_DIR/tshark-$cap.err")"; fi
  if [ "$udp" = true ]; then
    [ "$(count 'udp.port == 4500 && esp')" -eq "$esp" ] || it_fail "round $n: ESP not all in UDP 4500"
    # RFC 3948 §2.1: the UDP checksum SHOULD be 0 (the ICV protects the content).
    [ "$(count 'udp.port == 4500 && esp && udp.checksum == 0')" -eq "$esp" ] ||
      it_fail "round $n: UDP-encapsulated ESP sent with a UDP checksum"
  else
    [ "$(count 'ip.proto == 50')" -eq "$esp" ] || it_fail "round $n: ESP not all on IP protocol 50"
  fi
}

round 1 aes-gcm-16-128 none 20 0 transport false "AES-GCM with 16 octet ICV [RFC4106]" "NULL"
round 2 aes-cbc-128 hmac-sha1-96 16 20 transport false "AES-CBC [RFC3602]" "HMAC-SHA-1-96 [RFC2404]"
round 3 null hmac-sha256-128 0 32 transport false "NULL" "HMAC-SHA-256-128 [RFC4868]"
round 4 aes-gcm-16-256 none 36 0 tunnel true "AES-GCM with 16 octet ICV [RFC4106]" "NULL"
echo "l2sec_esp_pair: 4 rounds of L2TP over ESP between namespaces, decrypted and ICV-checked by tshark"
