#!/usr/bin/env bash
# Two l2sec processes, LAC and LNS, over IPv6 loopback ([::1], UDP 1701 and
# 1702) inside a network namespace this test creates and deletes. Tunnel
# authentication with hidden AVPs; checks that the tunnel and one session
# come up, LCP echo frames cross both ways, and SIGTERM on the LAC clears
# the tunnel on both sides (StopCCN) with both processes exiting 0.
# Usage: bash tests/interop/l2sec_pair_ipv6_test.sh /path/to/l2sec
set -euo pipefail
BIN=${1:?usage: $0 /path/to/l2sec}
NS=l2sec-v6-$$
D=$(mktemp -d /tmp/l2sec-v6.XXXXXX)
pids=()
fail() {
  echo "FAIL: $*" >&2
  for f in "$D"/*.log "$D"/*.json; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done >&2
  exit 1
}
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
umask 077
printf 'v6-tunnel-secret\n' > "$D/secret"
cat > "$D/lns.toml" <<CONF
role = "lns"
listen = "[::1]:1701"
host_name = "v6-lns"
status_file = "$D/lns.json"
sink = "lcp-echo"
lcp_echo_interval = "200ms"
[[peer]]
name = "v6-lac"
secret_file = "$D/secret"
hidden_avps = true
CONF
cat > "$D/lac.toml" <<CONF
role = "lac"
listen = "[::1]:1702"
host_name = "v6-lac"
status_file = "$D/lac.json"
sink = "lcp-echo"
lcp_echo_interval = "200ms"
[[peer]]
name = "v6-lns"
address = "[::1]:1701"
secret_file = "$D/secret"
hidden_avps = true
sessions = 1
CONF
"$BIN" check "$D/lns.toml" >/dev/null || fail "l2sec check lns.toml"
"$BIN" check "$D/lac.toml" >/dev/null || fail "l2sec check lac.toml"

ip netns exec "$NS" "$BIN" run "$D/lns.toml" 2> "$D/lns.log" & lns=$!; pids+=($lns)
sleep 0.3
ip netns exec "$NS" "$BIN" run "$D/lac.toml" 2> "$D/lac.log" & lac=$!; pids+=($lac)

# value FILE EXPR: a Python expression over the status JSON `s`.
value() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null || echo -1; }

ok=0
for _ in $(seq 1 100); do
  sleep 0.1
  [ -f "$D/lac.json" ] && [ -f "$D/lns.json" ] || continue
  if [ "$(value "$D/lac.json" "s['lcp_echo_replies']")" -ge 3 ] &&
     [ "$(value "$D/lns.json" "s['lcp_echo_replies']")" -ge 3 ]; then ok=1; break; fi
done
[ $ok = 1 ] || fail "LCP echoes did not cross both ways within 10 s"
[ "$(value "$D/lac.json" "s['tunnels'][0]['peer']")" = "[::1]:1701" ] || fail "LAC's peer is not [::1]:1701"
[ "$(value "$D/lns.json" "s['tunnels'][0]['peer']")" = "[::1]:1702" ] || fail "LNS's peer is not [::1]:1702"
[ "$(value "$D/lns.json" "s['counters']['l2tp_session_established']")" = 1 ] || fail "LNS session count"
[ "$(value "$D/lns.json" "s['counters']['l2tp_tunnel_auth_failed']")" = 0 ] || fail "authentication failed"

kill -TERM "$lac"
wait "$lac" || fail "LAC exited with status $?"
for _ in $(seq 1 50); do
  sleep 0.1
  [ "$(value "$D/lns.json" "s['counters']['l2tp_tunnel_closed']")" = 1 ] && break
done
[ "$(value "$D/lns.json" "s['counters']['l2tp_tunnel_closed']")" = 1 ] || fail "LNS did not see the StopCCN"
grep -q "closed by peer (result 6" "$D/lns.log" || fail "LNS log lacks the StopCCN result 6"
kill -TERM "$lns"
wait "$lns" || fail "LNS exited with status $?"
pids=()
if grep -q "v6-tunnel-secret" "$D"/*.log; then fail "the secret appears in a log"; fi
echo "l2sec_pair_ipv6: tunnel, session and frames over [::1]; clean StopCCN"
