# tests/interop/lib.sh: shared plumbing for the interop tests (sourced, not run).
#
# Each tests/interop/X_test.sh is a ctest `interop_X_test` (tests/CMakeLists.txt),
# run as root as
#   bash tests/interop/X_test.sh /path/to/l2sec
# and exits 0 on pass, non-zero on failure with a "FAIL: reason" line. It
# never skips: a missing tool or binary is a failure that says so.
#
# What this file gives a test (all names start with it_):
#   it_init NAME "$@"       strict mode, scratch dir, namespace names and a
#                            per-test subnet derived from NAME, cleanup trap,
#                            a watchdog that ends the test after IT_BUDGET s.
#   it_netns_up              namespaces $IT_NS_A and $IT_NS_B joined by a veth
#                            pair ($IT_IF_A, $IT_IF_B), $IT_ADDR_A / $IT_ADDR_B.
#   it_capture_start NAME    dumpcap on $IT_IF_A, waits until it captures;
#   it_capture_stop NAME     stops it; the file is $IT_DIR/NAME.pcapng.
#   it_xl2tpd_conf / it_xl2tpd_start   xl2tpd with fakepppd.py bind-mounted
#                            over /usr/sbin/pppd in a private mount namespace.
#   it_l2sec_conf / it_l2sec_start     the l2sec binary under test.
#   it_wait_*, it_assert_*   polling with timeouts, log and capture checks,
#                            status JSON checks; any failure ends the test.
#                            Capture checks are queued and evaluated by
#                            it_cap_verify NAME in one tshark pass.
#   it_round_*               the scenarios (see "scenarios" below): one round
#                            = one capture, fresh l2sec and xl2tpd, one tunnel.
#
# Cleanup runs on every exit (pass, fail, signal, watchdog): the processes the
# test started are ended by PID (SIGTERM, then SIGKILL), then whatever still
# runs inside the test's namespaces (e.g. fakepppd children of xl2tpd),
# then the namespaces are deleted. On failure the tail of every log, the
# capture summary and the status files are printed, and the scratch directory
# is kept (its path is printed). IT_KEEP=1 keeps it on success too.
#
# Nothing here depends on ../shared: the peers' configuration templates,
# fakepppd.py and the ppp options file are in tests/interop/peers/.

set -euo pipefail

IT_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_PEERS=$IT_HERE/peers

# L2TP control message types (RFC 2661 §3.2), as tshark's l2tp.avp.message_type.
declare -A IT_MSG=([SCCRQ]=1 [SCCRP]=2 [SCCCN]=3 [StopCCN]=4 [HELLO]=6
                   [OCRQ]=7 [OCRP]=8 [OCCN]=9 [ICRQ]=10 [ICRP]=11 [ICCN]=12
                   [CDN]=14 [WEN]=15 [SLI]=16)

declare -A IT_PID=()      # process name -> PID (children of this shell)
declare -A IT_RC=()       # process name -> exit status once reaped
declare -A IT_WATCH=()    # process name -> 1 while it must stay up (its death fails the test)
IT_ORDER=()               # process names in start order
IT_CAPTURES=()            # capture names started
IT_NAME=""
IT_DIR=""
IT_WATCHDOG=""
IT_WAIT_HINT=""
IT_PY=python3
IT_FAILED=""
IT_LAST=""
IT_ROUND_RETRY=0
IT_NETNS_MADE=0
IT_T0=$(date +%s%N)

# ---------------------------------------------------------------- messages

it_log() {
  local now; now=$(date +%s%N)
  printf '[%s +%d.%03ds] %s\n' "$IT_NAME" $(((now - IT_T0) / 1000000000)) \
    $((((now - IT_T0) / 1000000) % 1000)) "$*"
}

# Ends the test: prints the reason; the EXIT trap prints the logs.
it_fail() {
  IT_FAILED=1
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------- set-up

# it_init NAME [L2SEC_PATH]: must be the first call of every test.
it_init() {
  IT_NAME=$1
  IT_L2SEC=${2:-}
  IT_BUDGET=${IT_BUDGET:-120}
  trap it__on_exit EXIT
  trap 'it__on_signal INT 130' INT
  trap 'it__on_signal TERM 143' TERM

  # fakepppd is executed from here: TMPDIR must not be mounted noexec.
  IT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/l2sec-interop.$IT_NAME.XXXXXX")
  chmod 755 "$IT_DIR"

  # Namespace names and subnet are derived from the test name, so that the
  # tests can run side by side (and a rerun finds and replaces its own
  # leftovers). Interface names must stay under 16 characters. (Two tests
  # sharing a subnet by chance would still not meet: each pair of
  # namespaces is its own network.)
  local h; h=$(printf '%s' "$IT_NAME" | cksum | cut -d' ' -f1)
  local tag; tag=$(printf '%06x' $((h % 16777216)))
  IT_NS_A="l2i${tag}a"
  IT_NS_B="l2i${tag}b"
  IT_IF_A="$IT_NS_A-v"
  IT_IF_B="$IT_NS_B-v"
  IT_NET="10.$((128 + h % 64)).$(((h / 64) % 256))"
  IT_ADDR_A="$IT_NET.1"
  IT_ADDR_B="$IT_NET.2"

  it__watchdog_start
  it_log "scratch dir $IT_DIR; namespaces $IT_NS_A ($IT_ADDR_A) and $IT_NS_B ($IT_ADDR_B); budget ${IT_BUDGET}s"
}

# it_require_tools [l2sec]: fails (never skips) when something the
# test needs is missing. With "l2sec", also checks the binary given as $1.
it_require_tools() {
  [ "$(id -u)" = 0 ] || it_fail "interop tests need root (network namespaces, mount --bind)"
  local t
  for t in ip tshark dumpcap xl2tpd unshare mount python3 timeout cksum; do
    command -v "$t" >/dev/null 2>&1 || it_fail "required tool '$t' is not installed (Debian packages: xl2tpd, tshark (with dumpcap), iproute2, util-linux, python3)"
  done
  [ -e /usr/sbin/pppd ] || it_fail "/usr/sbin/pppd is missing: fakepppd.py is bind-mounted over it (install the ppp package)"
  [ -f "$IT_PEERS/fakepppd.py" ] || it_fail "missing $IT_PEERS/fakepppd.py"
  if [ "${1:-}" = l2sec ]; then
    [ -n "$IT_L2SEC" ] || it_fail "usage: $0 /path/to/l2sec"
    [ -x "$IT_L2SEC" ] || it_fail "l2sec binary '$IT_L2SEC' does not exist or is not executable"
    IT_L2SEC=$(cd "$(dirname "$IT_L2SEC")" && pwd)/$(basename "$IT_L2SEC")
  fi
  # The interpreter itself, not a wrapper (a pyenv shim costs ~0.5 s a call).
  IT_PY=$(python3 -c 'import sys; print(sys.executable)') || it_fail "python3 does not run"
}

it__ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

it__ns_kill_all() {  # ends every process still inside namespace $1
  local ns=$1 p
  it__ns_exists "$ns" || return 0
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.2
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
}

# Two namespaces joined by a veth pair, IPv6 off (no router solicitations or
# DAD in the captures), lo up.
it_netns_up() {
  local ns
  for ns in "$IT_NS_A" "$IT_NS_B"; do
    if it__ns_exists "$ns"; then
      it_log "removing leftover namespace $ns from an earlier run"
      it__ns_kill_all "$ns"
      ip netns del "$ns"
    fi
  done
  IT_NETNS_MADE=1
  for ns in "$IT_NS_A" "$IT_NS_B"; do
    ip netns add "$ns" || it_fail "cannot create network namespace $ns (root with CAP_SYS_ADMIN needed)"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
    ip -n "$ns" link set lo up
  done
  ip link add "$IT_IF_A" netns "$IT_NS_A" type veth peer name "$IT_IF_B" netns "$IT_NS_B"
  ip -n "$IT_NS_A" addr add "$IT_ADDR_A/24" dev "$IT_IF_A"
  ip -n "$IT_NS_B" addr add "$IT_ADDR_B/24" dev "$IT_IF_B"
  ip -n "$IT_NS_A" link set "$IT_IF_A" up
  ip -n "$IT_NS_B" link set "$IT_IF_B" up
  it_wait 5 "veth pair $IT_IF_A/$IT_IF_B to come up" it__veth_up
}

# (No ping: it is not installed everywhere.)
it__veth_up() {
  ip -n "$IT_NS_A" -br link show dev "$IT_IF_A" 2>/dev/null | grep -q ' UP ' &&
    ip -n "$IT_NS_B" -br link show dev "$IT_IF_B" 2>/dev/null | grep -q ' UP '
}

# ---------------------------------------------------------------- processes

# it_spawn NAME NETNS CMD...: runs CMD in NETNS in the background, stdout and
# stderr to $IT_DIR/NAME.log. `ip netns exec` execs CMD, so the PID is CMD's.
it_spawn() {
  local name=$1 ns=$2; shift 2
  [ -z "${IT_PID[$name]:-}" ] || it_fail "internal: process name '$name' used twice"
  ip netns exec "$ns" "$@" </dev/null >>"$IT_DIR/$name.log" 2>&1 &
  IT_PID[$name]=$!
  IT_ORDER+=("$name")
  it_log "started $name (pid $!) in $ns: $*"
}

# True while the process is running (a zombie counts as gone).
it_alive() {
  local pid=${IT_PID[$1]:-}
  [ -n "$pid" ] || return 1
  [ -z "${IT_RC[$1]:-}" ] || return 1
  [ -r "/proc/$pid/stat" ] || return 1
  local st; st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}

# "exit status N" or "killed by signal N (NAME)".
it_describe_rc() {
  if [ "$1" -gt 128 ] 2>/dev/null; then
    echo "killed by signal $(($1 - 128)) (SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo '?'))"
  else
    echo "exit status $1"
  fi
}

# Fails the test when a watched process (l2sec, xl2tpd) has died on its own.
it_check_watched() {
  local name
  for name in "${!IT_WATCH[@]}"; do
    [ "${IT_WATCH[$name]}" = 1 ] || continue
    if ! it_alive "$name"; then
      IT_WATCH[$name]=0
      it__reap "$name"
      it_fail "$name died unexpectedly: $(it_describe_rc "${IT_RC[$name]}")"
    fi
  done
}

# Reaps a finished process and records its exit status in IT_RC[NAME].
it__reap() {
  local name=$1 rc=0
  [ -z "${IT_RC[$name]:-}" ] || return 0
  wait "${IT_PID[$name]}" 2>/dev/null || rc=$?
  IT_RC[$name]=$rc
}

# it_wait_exit NAME SECONDS: waits for the process to end by itself; returns
# 1 if it is still running after SECONDS. Records the exit status.
it_wait_exit() {
  local name=$1 secs=$2
  local deadline=$(($(date +%s%N) + secs * 1000000000))
  while it_alive "$name"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
  it__reap "$name"
}

# it_stop NAME SIGNAL SECONDS: sends SIGNAL, waits up to SECONDS for the exit;
# SIGKILL after that (and returns 1). Sets IT_STOP_MS (time to exit).
it_stop() {
  local name=$1 sig=$2 secs=$3
  local t0; t0=$(date +%s%N)
  IT_WATCH[$name]=0
  if it_alive "$name"; then
    it_log "sending SIG$sig to $name (pid ${IT_PID[$name]})"
    kill -"$sig" "${IT_PID[$name]}" 2>/dev/null || true
  fi
  if ! it_wait_exit "$name" "$secs"; then
    kill -KILL "${IT_PID[$name]}" 2>/dev/null || true
    it_wait_exit "$name" 5 || true
    IT_STOP_MS=$((($(date +%s%N) - t0) / 1000000))
    return 1
  fi
  IT_STOP_MS=$((($(date +%s%N) - t0) / 1000000))
  return 0
}

# ---------------------------------------------------------------- waiting

# it_wait SECONDS DESCRIPTION CMD...: runs CMD every 0.2 s until it succeeds;
# fails the test after SECONDS. CMD's stdout is discarded, its stderr is not
# (so a CMD that calls it_fail is heard). When IT_WAIT_HINT is set, the
# failure message ends with the output of that command (the value waited on).
it_wait() {
  local secs=$1 what=$2; shift 2
  if ! it_try_wait "$secs" "$@"; then
    local now=""
    [ -z "${IT_WAIT_HINT:-}" ] || now=" (now: $(eval "$IT_WAIT_HINT"))"
    it_fail "timed out after ${secs}s waiting for: $what$now"
  fi
}

# it_try_wait SECONDS CMD...: like it_wait, but returns 1 on time-out.
it_try_wait() {
  local secs=$1; shift
  local deadline=$(($(date +%s%N) + secs * 1000000000))
  until "$@" >/dev/null; do
    it_check_watched
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# it_num_cmp A OP B: integer comparison, OP one of -eq -ne -ge -gt -le -lt;
# false when A is not an integer.
it_num_cmp() {
  [[ $1 =~ ^-?[0-9]+$ ]] || return 1
  case $2 in
    -eq) [ "$1" -eq "$3" ] ;;
    -ne) [ "$1" -ne "$3" ] ;;
    -ge) [ "$1" -ge "$3" ] ;;
    -gt) [ "$1" -gt "$3" ] ;;
    -le) [ "$1" -le "$3" ] ;;
    -lt) [ "$1" -lt "$3" ] ;;
    *) it_fail "internal: unknown comparison '$2'" ;;
  esac
}

# Number of lines of FILE matching the extended regex (0 when no file).
it_count() { local n; n=$(grep -cE -- "$2" "$1" 2>/dev/null) || true; echo "${n:-0}"; }

it__has() { grep -qE -- "$2" "$1" 2>/dev/null; }

# it_wait_log NAME REGEX SECONDS [DESCRIPTION]: waits for a line of
# $IT_DIR/NAME.log to match.
it_wait_log() {
  it_wait "$3" "${4:-/$2/ in $1.log}" it__has "$IT_DIR/$1.log" "$2"
}

it_assert_log() {  # NAME REGEX DESCRIPTION
  it__has "$IT_DIR/$1.log" "$2" || it_fail "$3 (no line matching /$2/ in $1.log)"
}

it_assert_no_log() {  # NAME REGEX DESCRIPTION
  if it__has "$IT_DIR/$1.log" "$2"; then
    it_fail "$3 ($1.log has: $(grep -m1 -E -- "$2" "$IT_DIR/$1.log"))"
  fi
}

# ---------------------------------------------------------------- capture

# it_capture_start NAME: captures namespace A's end of the veth, everything
# on the wire (IPv6 is off), so ICMP errors show up too, into
# $IT_DIR/NAME.pcapng. The capturer is dumpcap, the engine tshark itself runs
# for a live capture: tshark takes seconds to load its dissectors before it
# reports "Capture started" on a busy machine, dumpcap a tenth of one. It
# prints "File: ..." once the interface is open and the file created;
# packets from then on are kept. tshark decodes the file afterwards.
it_capture_start() {
  local name=$1
  it_spawn "capture-$name" "$IT_NS_A" dumpcap -i "$IT_IF_A" -w "$IT_DIR/$name.pcapng"
  IT_CAPTURES+=("$name")
  it_wait 15 "dumpcap to start capturing ($name)" it__has "$IT_DIR/capture-$name.log" "^File: "
}

it_capture_stop() {
  local name=$1
  sleep 0.3  # let the last datagrams reach the capture
  # dumpcap handles SIGTERM like Ctrl-C: writes what it has and exits.
  it_stop "capture-$name" TERM 10 || it_fail "dumpcap ($name) did not stop within 10s"
  [ -s "$IT_DIR/$name.pcapng" ] || it_fail "capture $name.pcapng is empty or missing"
}

# Capture checks are queued, then evaluated together by it_cap_verify NAME
# in one tshark pass (an io,stat column per display filter): tshark takes
# most of a second to start, and a round has some twenty checks. Filters
# cannot hold commas (io,stat separates them with commas). A test that
# queues checks and never verifies them fails at exit.
IT_CQ_CAP=() IT_CQ_DESC=() IT_CQ_FILTER=() IT_CQ_OP=() IT_CQ_N=()

# it_cap_want NAME DESCRIPTION FILTER OP N: expect the number of packets of
# capture NAME matching FILTER to be OP N (OP: -ge, -eq, -le).
it_cap_want() {
  [[ $3 != *,* ]] || it_fail "internal: capture filter with a comma: $3"
  IT_CQ_CAP+=("$1") IT_CQ_DESC+=("$2") IT_CQ_FILTER+=("$3") IT_CQ_OP+=("$4") IT_CQ_N+=("$5")
}

# it_assert_cap NAME DESCRIPTION FILTER [MIN]: at least MIN (default 1) packets match.
it_assert_cap() { it_cap_want "$1" "$2" "$3" -ge "${4:-1}"; }

# it_assert_cap_none NAME DESCRIPTION FILTER: no packet matches.
it_assert_cap_none() { it_cap_want "$1" "$2" "$3" -eq 0; }

# it_assert_cap_msg NAME TYPE SRC_ADDR [MIN]: control messages of TYPE (a key
# of IT_MSG) sent by SRC_ADDR.
it_assert_cap_msg() {
  local t=${IT_MSG[$2]:?unknown message type $2}
  it_assert_cap "$1" "$2 from $3" "l2tp.avp.message_type == $t && ip.src == $3" "${4:-1}"
}

# Data messages (T bit clear) from SRC to DST.
it_assert_cap_data() {  # NAME SRC DST [MIN]
  it_assert_cap "$1" "data messages $2 -> $3" "l2tp.type == 0 && ip.src == $2 && ip.dst == $3" "${4:-1}"
}

# The capture decodes without a malformed packet and without an expert item
# of severity warning or error. Nothing is exempted: in every exchange seen
# so far (xl2tpd with xl2tpd, and with l2sec) tshark 4.0 raises none; its
# "chat" and "note" items (sequence remarks and the like) are below
# "warning" and are not counted.
IT_CAP_BAD='_ws.malformed || _ws.expert.severity >= warning'
it_assert_cap_clean() {
  it_cap_want "$1" "malformed packets or expert warnings" "$IT_CAP_BAD" -eq 0
}

# it_cap_verify NAME: evaluates every queued check of capture NAME.
it_cap_verify() {
  local name=$1 i idx=() zarg="io,stat,0,frame" out
  for i in "${!IT_CQ_CAP[@]}"; do
    [ "${IT_CQ_CAP[$i]}" = "$name" ] || continue
    idx+=("$i")
    zarg+=",${IT_CQ_FILTER[$i]}"
  done
  [ "${#idx[@]}" -gt 0 ] || return 0
  out=$(timeout 60 tshark -n -r "$IT_DIR/$name.pcapng" -q -z "$zarg" 2>"$IT_DIR/tshark-read.err") ||
    it_fail "tshark could not evaluate the checks of $name.pcapng: $(grep -v 'Running as user' "$IT_DIR/tshark-read.err")"
  local counts=()
  mapfile -t counts < <(printf '%s\n' "$out" | awk -F'|' '/<>/ { for (i = 3; i <= NF; i += 2) print $i + 0 }')
  [ "${#counts[@]}" -ge $((${#idx[@]} + 1)) ] ||
    it_fail "cannot parse tshark io,stat output for $name.pcapng: $out"
  it_log "capture $name: ${counts[0]} packets in all"
  local k=1 bad=0 n want
  for i in "${idx[@]}"; do
    n=${counts[$k]}
    k=$((k + 1))
    want="${IT_CQ_OP[$i]} ${IT_CQ_N[$i]}"
    if it_num_cmp "$n" "${IT_CQ_OP[$i]}" "${IT_CQ_N[$i]}"; then
      it_log "capture $name: ${IT_CQ_DESC[$i]}: $n packet(s) (want $want)"
    else
      bad=$((bad + 1))
      printf 'capture %s: %s: %s packet(s), want %s (filter: %s)\n' "$name" "${IT_CQ_DESC[$i]}" "$n" "$want" \
        "${IT_CQ_FILTER[$i]}" >&2
      if [ "${IT_CQ_FILTER[$i]}" = "$IT_CAP_BAD" ]; then
        timeout 30 tshark -n -r "$IT_DIR/$name.pcapng" -Y "$IT_CAP_BAD" 2>/dev/null | head -20 >&2
        timeout 30 tshark -n -r "$IT_DIR/$name.pcapng" -q -z expert,warn 2>/dev/null | head -40 >&2
      fi
    fi
    unset "IT_CQ_CAP[$i]" "IT_CQ_DESC[$i]" "IT_CQ_FILTER[$i]" "IT_CQ_OP[$i]" "IT_CQ_N[$i]"
  done
  [ "$bad" -eq 0 ] || it_fail "capture $name: $bad check(s) failed (see above)"
}

# The whole L2TP exchange of a capture, one line per packet (for logs).
it_cap_summary() {
  timeout 30 tshark -n -r "$IT_DIR/$1.pcapng" 2>/dev/null || true
}

# ---------------------------------------------------------------- xl2tpd

# it_xl2tpd_conf NAME ROLE OUR_ADDR PEER_ADDR OUR_HOST PEER_HOST [SECRET [CHALLENGE]]
#   ROLE lac|lns; PEER_ADDR is the LNS to dial (LAC); SECRET empty = no
#   tunnel authentication; CHALLENGE yes|no (default yes): whether xl2tpd
#   also challenges the peer (with a secret and "no", it only answers).
# Writes $IT_DIR/NAME.conf (and NAME.secrets).
it_xl2tpd_conf() {
  local name=$1 role=$2 addr=$3 peer=$4 host=$5 peer_host=$6 secret=${7:-} chal=${8:-yes}
  local tpl=$IT_PEERS/xl2tpd-$role.conf conf=$IT_DIR/$name.conf secrets=$IT_DIR/$name.secrets
  [ -f "$tpl" ] || it_fail "missing template $tpl"
  [ -f "$IT_DIR/ppp-options" ] || cp "$IT_PEERS/ppp-options" "$IT_DIR/ppp-options"
  local auth_sed=()
  if [ -n "$secret" ]; then
    # xl2tpd splits the secrets file on white space: a secret cannot hold any.
    [[ $secret != *[[:space:]]* ]] || it_fail "internal: xl2tpd secrets cannot contain white space: '$secret'"
    (umask 077; printf '%s %s %s\n' "$host" "$peer_host" "$secret" >"$secrets")
    auth_sed+=(-e 's/^; auth file = /auth file = /')
    [ "$chal" = yes ] && auth_sed+=(-e 's/^; challenge = yes/challenge = yes/')
  fi
  sed -e "s|@ADDR@|$addr|g" -e "s|@LNS@|$peer|g" -e "s|@HOSTNAME@|$host|g" \
      -e "s|@SECRETS@|$secrets|g" -e "s|@DIR@|$IT_DIR|g" ${auth_sed[@]+"${auth_sed[@]}"} \
      "$tpl" >"$conf"
}

# it_xl2tpd_start NAME NETNS PPP_SECONDS: xl2tpd -D with $IT_DIR/NAME.conf,
# fakepppd.py (log $IT_DIR/NAME-ppp.log, up for PPP_SECONDS per call)
# bind-mounted over /usr/sbin/pppd in a private mount namespace. Returns when
# xl2tpd listens. Its log is $IT_DIR/NAME.log.
it_xl2tpd_start() {
  local name=$1 ns=$2 secs=$3
  local fake=$IT_DIR/fakepppd
  if [ ! -x "$fake" ]; then
    cp "$IT_PEERS/fakepppd.py" "$fake"
    chmod 755 "$fake"   # a fresh clone may not keep the mode
  fi
  : >"$IT_DIR/$name-ppp.log"
  # shellcheck disable=SC2016  # $1..$4 belong to the inner sh
  it_spawn "$name" "$ns" env FAKEPPP_LOG="$IT_DIR/$name-ppp.log" FAKEPPP_SECONDS="$secs" \
    unshare -m --propagation private sh -c \
    'mount --bind "$1" /usr/sbin/pppd && exec xl2tpd -D -c "$2" -p "$3" -C "$4"' \
    sh "$fake" "$IT_DIR/$name.conf" "$IT_DIR/$name.pid" "$IT_DIR/$name.ctl"
  it_wait 10 "xl2tpd $name to listen" it__xl2tpd_ready "$name"
  IT_WATCH[$name]=1
}

it__xl2tpd_ready() {
  if ! it_alive "$1"; then
    it__reap "$1"
    it_fail "xl2tpd $1 ended at start-up: $(it_describe_rc "${IT_RC[$1]}")"
  fi
  it__has "$IT_DIR/$1.log" "Listening on IP address"
}

# What xl2tpd 1.3.18 logs (with the debug options of the templates):
#   "Connection established to ADDR, 1701."          tunnel up
#   "Call established with ADDR"                     session up
#   "message_type_avp: message type N (NAME)"        control message N received
#   "Invalid authentication for host 'NAME'"         challenge response wrong
#   "Connection ... closed to ADDR, port 1701 (Invalid challenge authentication)"
# shellcheck disable=SC2016  # a sed expression, not a shell one
it__re() { printf '%s' "$1" | sed 's/[.[\*^$()+?{|]/\\&/g'; }

it_xl2tpd_wait_tunnel() {  # NAME PEER_ADDR SECONDS
  it_wait_log "$1" "Connection established to $(it__re "$2"), 1701" "$3" "xl2tpd $1: tunnel with $2 established"
}

it_xl2tpd_wait_call() {  # NAME PEER_ADDR SECONDS
  it_wait_log "$1" "Call established with $(it__re "$2")" "$3" "xl2tpd $1: call with $2 established"
}

it_xl2tpd_wait_rx() {  # NAME TYPE SECONDS: xl2tpd received a control message of TYPE
  local t=${IT_MSG[$2]:?unknown message type $2}
  it_wait_log "$1" "message_type_avp: message type $t \\(" "$3" "xl2tpd $1 to receive $2"
}

# ---------------------------------------------------------------- l2sec

# it_l2sec_conf NAME ROLE LISTEN_ADDR HOST_NAME PEER_NAME PEER_ADDR SECRET CHALLENGE SESSIONS
#   SECRET empty = no tunnel authentication; PEER_ADDR empty = none given.
# Writes $IT_DIR/NAME.toml; the status file is $IT_DIR/NAME.status.json.
it_l2sec_conf() {
  local name=$1 role=$2 listen=$3 host=$4 peer_name=$5 peer_addr=$6 secret=$7 chal=$8 sessions=$9
  local conf=$IT_DIR/$name.toml
  {
    echo "# l2sec interop test configuration ($IT_NAME)"
    echo "role = \"$role\""
    echo "listen = \"$listen:1701\""
    echo "host_name = \"$host\""
    echo "log_level = \"debug\""
    echo "status_file = \"$IT_DIR/$name.status.json\""
    echo "sink = \"lcp-echo\""
    echo
    echo "[tunnel]"
    echo "hidden_avps = false"
    echo "hello_interval = \"60s\""
    echo
    echo "[[peer]]"
    echo "name = \"$peer_name\""
    [ -z "$peer_addr" ] || echo "address = \"$peer_addr\""
    if [ -n "$secret" ]; then
      (umask 077; printf '%s' "$secret" >"$IT_DIR/$name.secret")
      echo "secret_file = \"$IT_DIR/$name.secret\""
      echo "challenge = $chal"
    fi
    echo "sessions = $sessions"
  } >"$conf"
}

# it_l2sec_start NAME NETNS: `l2sec check` then `l2sec run` with
# $IT_DIR/NAME.toml; log $IT_DIR/NAME.log.
it_l2sec_start() {
  local name=$1 ns=$2 conf=$IT_DIR/$1.toml rc=0
  timeout 10 "$IT_L2SEC" check "$conf" >"$IT_DIR/$name-check.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$IT_DIR/$name-check.log" >&2
    echo "---- $conf:" >&2; cat "$conf" >&2
    it_fail "'l2sec check $conf' exited $rc"
  fi
  rm -f "$IT_DIR/$name.status.json"
  it_spawn "$name" "$ns" "$IT_L2SEC" run "$conf"
  it_wait 10 "l2sec $name to write its status file" it__l2sec_ready "$name"
  IT_WATCH[$name]=1
}

it__l2sec_ready() {
  if ! it_alive "$1"; then
    it__reap "$1"
    it_fail "l2sec $1 ended at start-up: $(it_describe_rc "${IT_RC[$1]}")"
  fi
  it__json "$1" tunnels >/dev/null
}

# it__json NAME PATH: a value of $IT_DIR/NAME.status.json; PATH is dotted
# (list indexes are numbers: tunnels.0.established). Booleans print as
# true/false, objects and lists as JSON. Fails (status 1) when the file is
# missing, half-written or lacks PATH.
it__json() {
  timeout 5 "$IT_PY" - "$IT_DIR/$1.status.json" "$2" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        v = json.load(f)
    for k in sys.argv[2].split("."):
        v = v[int(k)] if isinstance(v, list) else v[k]
except Exception:
    sys.exit(1)
if isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True))
else:
    print(v)
PY
}

# it_status NAME PATH: prints the value, or "" when not available.
it_status() { it__json "$1" "$2" 2>/dev/null || true; }

# it_counter NAME COUNTER: a counter of the status file (0 when not listed).
it_counter() {
  local v; v=$(it_status "$1" "counters.$2")
  echo "${v:-0}"
}

# The comparisons leave the value they read in IT_LAST (for messages).
it__status_cmp() {  # NAME PATH OP VALUE
  local v
  IT_LAST=""
  v=$(it__json "$1" "$2") || return 1
  IT_LAST=$v
  case $3 in
    ==) [ "$v" = "$4" ] ;;
    !=) [ "$v" != "$4" ] ;;
    -eq|-ne|-ge|-gt|-le|-lt) it_num_cmp "$v" "$3" "$4" ;;
    *) return 2 ;;
  esac
}

it__counter_cmp() {  # NAME COUNTER OP VALUE (absent counter = 0)
  local v; v=$(it_counter "$1" "$2")
  IT_LAST=$v
  it_num_cmp "$v" "$3" "$4"
}

# it_wait_status NAME PATH OP VALUE SECONDS: OP is == != -eq -ge -gt ...
it_wait_status() {
  IT_WAIT_HINT="it_status $(printf '%q %q' "$1" "$2")"
  it_wait "$5" "l2sec $1 status '$2 $3 $4'" it__status_cmp "$1" "$2" "$3" "$4"
  IT_WAIT_HINT=""
}

it_assert_status() {  # NAME PATH OP VALUE
  it__status_cmp "$@" || it_fail "l2sec $1 status: expected $2 $3 $4, found '$IT_LAST'"
  it_log "l2sec $1 status: $2 = $IT_LAST"
}

it_wait_counter() {  # NAME COUNTER OP VALUE SECONDS
  IT_WAIT_HINT="it_counter $(printf '%q %q' "$1" "$2")"
  it_wait "$5" "l2sec $1 counter $2 $3 $4" it__counter_cmp "$1" "$2" "$3" "$4"
  IT_WAIT_HINT=""
}

it_assert_counter() {  # NAME COUNTER OP VALUE
  it__counter_cmp "$@" || it_fail "l2sec $1 counter $2: expected $3 $4, found $IT_LAST"
  it_log "l2sec $1 counter $2 = $IT_LAST"
}

# it_l2sec_stop NAME: SIGTERM; l2sec must send StopCCN to every peer and
# exit 0 within 5 s.
it_l2sec_stop() {
  local name=$1
  it_check_watched
  it_stop "$name" TERM 5 || it_fail "l2sec $name did not exit within 5s of SIGTERM (killed)"
  [ "${IT_RC[$name]}" = 0 ] || it_fail "l2sec $name: $(it_describe_rc "${IT_RC[$name]}") after SIGTERM (expected exit status 0)"
  it_log "l2sec $name exited 0, ${IT_STOP_MS} ms after SIGTERM"
}

# ---------------------------------------------------------------- fakepppd checks

# it_assert_ppp_rx NAME REGEX MIN DESCRIPTION: fakepppd's log of xl2tpd NAME
# has at least MIN received frames ("rx <hex>") matching REGEX (hex of
# address, control, protocol, ...), and no frame with a bad FCS.
it_assert_ppp_rx() {
  local log=$IT_DIR/$1-ppp.log
  local n; n=$(it_count "$log" "^rx $2")
  [ "$n" -ge "$3" ] || it_fail "fakepppd of $1: expected at least $3 frame(s) of $4, found $n"
  [ "$(it_count "$log" '^rx-badfcs')" -eq 0 ] || it_fail "fakepppd of $1 received frames with a bad FCS"
  it_log "fakepppd of $1: $n frame(s) of $4"
}

# LCP frames as fakepppd logs them (address ff, control 03, protocol c021).
# shellcheck disable=SC2034  # used by harness_selfcheck_test.sh
IT_LCP_CONFREQ='ff03c02101'
IT_LCP_ECHOREQ='ff03c02109'
IT_LCP_ECHOREP_FAKE='ff03c0210a42'  # the reply to fakepppd's own Echo-Request (id 0x42)

# ---------------------------------------------------------------- exit

it__watchdog_start() {
  local main=$$ budget=$IT_BUDGET
  trap 'it__on_signal USR1 124' USR1
  (
    trap 'kill "$sp" 2>/dev/null; wait "$sp"; exit 0' TERM
    sleep "$budget" &
    sp=$!
    wait "$sp"
    kill -USR1 "$main" 2>/dev/null
  ) </dev/null >/dev/null 2>&1 &
  IT_WATCHDOG=$!
}

it__on_signal() {
  trap - INT TERM USR1
  IT_FAILED=1
  if [ "$1" = USR1 ]; then
    printf 'FAIL: test budget of %ss exceeded\n' "$IT_BUDGET" >&2
  else
    printf 'FAIL: interrupted by SIG%s\n' "$1" >&2
  fi
  exit "$2"
}

it__dump_logs() {
  local f
  echo "======== diagnostics for $IT_NAME (scratch dir $IT_DIR kept)"
  for f in "$IT_DIR"/*.log; do
    [ -e "$f" ] || continue
    case $f in */tshark-read.err) continue ;; esac
    echo "-------- tail of $(basename "$f")"
    tail -n 50 "$f"
  done
  for f in "$IT_DIR"/*.status.json; do
    [ -e "$f" ] || continue
    echo "-------- $(basename "$f")"
    cat "$f"; echo
  done
  local c
  for c in ${IT_CAPTURES[@]+"${IT_CAPTURES[@]}"}; do
    [ -s "$IT_DIR/$c.pcapng" ] || continue
    echo "-------- capture $c.pcapng (last 60 packets)"
    timeout 30 tshark -n -r "$IT_DIR/$c.pcapng" 2>/dev/null | tail -n 60
  done
  echo "======== end of diagnostics"
}

it__on_exit() {
  local rc=$? last=$BASH_COMMAND
  set +e
  # A command that failed under `set -e` ends the test without it_fail.
  [ "$rc" -eq 0 ] || [ -n "$IT_FAILED" ] ||
    printf 'FAIL: unexpected failure (exit status %s) of: %s\n' "$rc" "$last" >&2
  trap - INT TERM USR1 EXIT
  if [ -n "$IT_WATCHDOG" ]; then
    kill -TERM "$IT_WATCHDOG" 2>/dev/null
    wait "$IT_WATCHDOG" 2>/dev/null
  fi
  # Stop what we started, newest first; dumpcap gets a chance to finish its
  # file (SIGTERM) before the namespaces go.
  local i name pid
  for ((i = ${#IT_ORDER[@]} - 1; i >= 0; i--)); do
    name=${IT_ORDER[$i]}
    if it_alive "$name"; then
      kill -TERM "${IT_PID[$name]}" 2>/dev/null
    fi
  done
  for ((i = ${#IT_ORDER[@]} - 1; i >= 0; i--)); do
    name=${IT_ORDER[$i]}
    it_wait_exit "$name" 3 >/dev/null 2>&1 || {
      pid=${IT_PID[$name]}
      kill -KILL "$pid" 2>/dev/null
      it_wait_exit "$name" 2 >/dev/null 2>&1
    }
  done
  if [ "$IT_NETNS_MADE" = 1 ]; then
    it__ns_kill_all "$IT_NS_A"
    it__ns_kill_all "$IT_NS_B"
  fi
  if [ "$rc" -eq 0 ] && [ "${#IT_CQ_CAP[@]}" -gt 0 ]; then
    echo "FAIL: internal: capture checks queued but never verified (it_cap_verify): ${IT_CQ_DESC[*]}" >&2
    rc=1
  fi
  if [ "$rc" -ne 0 ] && [ -n "$IT_DIR" ] && [ -z "$(ls -A "$IT_DIR" 2>/dev/null)" ]; then
    rmdir "$IT_DIR"  # failed before anything ran: nothing to show
  elif [ "$rc" -ne 0 ]; then
    it__dump_logs >&2
  fi
  if [ "$IT_NETNS_MADE" = 1 ]; then
    it__ns_exists "$IT_NS_A" && ip netns del "$IT_NS_A"
    it__ns_exists "$IT_NS_B" && ip netns del "$IT_NS_B"
  fi
  if [ "$rc" -eq 0 ]; then
    if [ "${IT_KEEP:-0}" = 1 ]; then
      echo "scratch dir kept: $IT_DIR"
    elif [ -n "$IT_DIR" ]; then
      rm -rf "$IT_DIR"
    fi
    it_log "PASS"
  else
    it_log "FAIL (exit status $rc)"
  fi
  exit "$rc"
}

# ================================================================ scenarios
#
# One "round" = one capture, fresh l2sec and xl2tpd processes, one tunnel
# with one call, then a teardown. The LAC is always in namespace A
# ($IT_ADDR_A), the LNS in B ($IT_ADDR_B); the capture is on A's veth end.
# Host names: xl2tpd is peer-lac / peer-lns, l2sec is l2sec-lac / l2sec-lns.
#
#   it_round_l2sec_lns ROUND SECRET TEARDOWN [XL_CHALLENGE]   xl2tpd LAC dials l2sec LNS
#   it_round_l2sec_lac ROUND SECRET TEARDOWN [XL_CHALLENGE]   l2sec LAC dials xl2tpd LNS
#     SECRET  tunnel secret for both ends ("" = no tunnel authentication)
#     XL_CHALLENGE (with a secret) yes (default): both ends challenge
#             (mutual authentication); no: only l2sec challenges and
#             xl2tpd only answers (one-way authentication, which l2sec
#             accepts, docs/config.md; see it_round_peer_no_challenge)
#     TEARDOWN
#       xl2tpd  fakepppd exits after 6 s -> xl2tpd sends CDN, l2sec closes
#               the session and keeps the tunnel; then SIGINT to xl2tpd ->
#               StopCCN, l2sec closes the tunnel and keeps running; then
#               SIGTERM to l2sec (no tunnel left) -> exit 0.
#       l2sec   SIGTERM to l2sec -> StopCCN to xl2tpd, exit 0 within 5 s;
#               xl2tpd receives the StopCCN.
#
# Checks of every round: xl2tpd logs tunnel and call established; l2sec's
# status shows the tunnel established with the right peer and one session;
# LCP flows both ways (l2sec answers fakepppd's Echo-Request, fakepppd
# answers l2sec's, l2sec counts frames received and echo replies); the
# capture holds SCCRQ, SCCRP, SCCCN, ICRQ, ICRP, ICCN from the right ends,
# data messages both ways, Challenge / Challenge Response AVPs exactly where
# the secret and XL_CHALLENGE put them (it__check_capture), the teardown
# messages, nothing malformed and no expert warning; no error in l2sec's
# log, no complaint in xl2tpd's.

# xl2tpd 1.3.18 log lines that mean it did not like what it received (from
# its header and AVP checks). Not included, because they are legitimate:
# "no handler for attribute N" and "don't know how to handle attribute N"
# without "mandatory" (an optional AVP xl2tpd ignores, as RFC 2661 §4.1
# allows; e.g. the Tie Breaker AVP, type 5, which xl2tpd never parses),
# "can't find call ... special ZLB" (a message racing a CDN) and "select
# returned error" (xl2tpd's own signal handling).
IT_XL2TPD_COMPLAINTS='wrong size|incorrect size|too small|too large|not appropriate|unknown message type|mandatory attribute|No handler for mandatory|Bad exit status|reserved bits|First AVP was not|length > remaining|negative overall packet length|Unable to handle hidden|attempting to negotiate|result code out of range|sizes differ|endianness fix|Invalid'

# it_assert_xl2tpd_happy NAME [EXTRA_ALLOWED_REGEX]: no complaint in its log
# (and a note of the optional AVPs it ignored).
it_assert_xl2tpd_happy() {
  local log=$IT_DIR/$1.log bad ignored
  ignored=$(grep -oE "(no handler for|don.t know how to handle) at?tribute [0-9]+( \([^)]*\))?" "$log" 2>/dev/null | sort -u | tr '\n' ';' || true)
  [ -z "$ignored" ] || it_log "xl2tpd $1 ignored optional AVPs: $ignored"
  bad=$(grep -E -- "$IT_XL2TPD_COMPLAINTS" "$log" 2>/dev/null || true)
  if [ -n "${2:-}" ] && [ -n "$bad" ]; then bad=$(printf '%s\n' "$bad" | grep -vE -- "$2" || true); fi
  [ -z "$bad" ] || it_fail "xl2tpd $1 complained: $(printf '%s\n' "$bad" | head -3 | tr '\n' '|')"
}

# No error or critical line in l2sec's log (spdlog pattern "<time> <level> ...").
it_assert_l2sec_no_errors() {
  local bad; bad=$(grep -E '^[^ ]+ (error|critical) ' "$IT_DIR/$1.log" 2>/dev/null || true)
  [ -z "$bad" ] || it_fail "l2sec $1 logged errors: $(printf '%s\n' "$bad" | head -3 | tr '\n' '|')"
}

it__no_established_tunnel() {  # NAME
  local t; t=$(it__json "$1" tunnels) || return 1
  ! printf '%s' "$t" | grep -q '"established": true'
}

it_wait_no_tunnel() {  # NAME SECONDS
  IT_WAIT_HINT="it_status $(printf '%q' "$1") tunnels"
  it_wait "$2" "l2sec $1 to have no established tunnel" it__no_established_tunnel "$1"
  IT_WAIT_HINT=""
}

# xl2tpd 1.3.18 defect: now and then it assigns ID 0 to a tunnel or a call
# (Assigned Tunnel ID / Assigned Session ID 0, which RFC 2661 §4.4.3-4
# reserves). Its IDs are two random bytes, yet it was seen once in about a
# hundred runs (an ICRQ with Assigned Session ID 0). The call then cannot
# come up, by no fault of l2sec. A round that does not come up and whose
# capture shows such an ID from xl2tpd's address is stopped cleanly and run
# again (it__retry_round); nothing else is retried.
it__xl2tpd_zero_id() {  # CAPTURE XL_ADDR
  local n
  n=$(timeout 30 tshark -n -r "$IT_DIR/$1.pcapng" \
    -Y "ip.src == $2 && (l2tp.avp.assigned_tunnel_id == 0 || l2tp.avp.assigned_session_id == 0)" \
    -T fields -e frame.number 2>/dev/null | grep -c .) || true
  [ "${n:-0}" -gt 0 ]
}

it__up_both() {  # XL L2 L2_ADDR: tunnel and call up on both ends
  it__has "$IT_DIR/$1.log" "Connection established to $(it__re "$3"), 1701" &&
    it__has "$IT_DIR/$1.log" "Call established with $(it__re "$3")" &&
    it__status_cmp "$2" tunnels.0.established == true &&
    it__status_cmp "$2" tunnels.0.sessions -eq 1
}

# it__check_up ROUND XL L2 XL_ADDR L2_ADDR XL_HOST: tunnel and session up on
# both. Sets IT_ROUND_RETRY=1 (and returns) when xl2tpd's ID-0 defect
# prevented it.
it__check_up() {
  local r=$1 xl=$2 l2=$3 xl_addr=$4 l2_addr=$5 xl_host=$6
  if ! it_try_wait 10 it__up_both "$xl" "$l2" "$l2_addr" && it__xl2tpd_zero_id "$r" "$xl_addr"; then
    it_log "round $r: xl2tpd assigned ID 0 to its tunnel or call (xl2tpd defect, see it__xl2tpd_zero_id)"
    IT_ROUND_RETRY=1
    return 0
  fi
  it_xl2tpd_wait_tunnel "$xl" "$l2_addr" 1
  it_xl2tpd_wait_call "$xl" "$l2_addr" 1
  it_wait_status "$l2" tunnels.0.established == true 1
  it_wait_status "$l2" tunnels.0.sessions -eq 1 1
  it_assert_status "$l2" tunnels.0.peer == "$xl_addr:1701"
  it_assert_status "$l2" tunnels.0.peer_host_name == "$xl_host"
  it_assert_counter "$l2" l2tp_tunnel_established -eq 1
  it_assert_counter "$l2" l2tp_session_established -eq 1
  it_log "tunnel and session established: $(it_status "$l2" tunnels)"
}

# it__check_data XL L2: PPP frames both ways through the session.
it__check_data() {
  local xl=$1 l2=$2
  # fakepppd sends its Echo-Request (id 0x42) ~3 s after the call is up;
  # l2sec (sink lcp-echo) answers it and sends its own every second.
  it_wait_log "$xl-ppp" "^rx $IT_LCP_ECHOREP_FAKE" 10 "l2sec's Echo-Reply to fakepppd's Echo-Request (in $xl-ppp.log)"
  it_wait_status "$l2" lcp_echo_replies -ge 1 10
  it_assert_ppp_rx "$xl" "$IT_LCP_ECHOREQ" 1 "LCP Echo-Request from l2sec"
  it_assert_ppp_rx "$xl" "$IT_LCP_ECHOREP_FAKE" 1 "LCP Echo-Reply from l2sec to fakepppd's Echo-Request"
  [ "$(it_count "$IT_DIR/$xl-ppp.log" '^tx LCP Echo-Reply')" -ge 1 ] ||
    it_fail "fakepppd of $xl never answered an Echo-Request from l2sec"
  # l2sec got fakepppd's Configure-Requests, its Echo-Request and replies.
  it_wait_status "$l2" frames_received -ge 3 5
  it_assert_status "$l2" frames_sent -ge 2
  it_assert_counter "$l2" l2tp_data_rx -ge 3
  it_assert_counter "$l2" l2tp_data_tx -ge 2
  it_assert_status "$l2" lcp_echo_replies -ge 1
}

# it__teardown TEARDOWN XL L2
it__teardown() {
  local how=$1 xl=$2 l2=$3
  case $how in
    xl2tpd)
      it_wait_log "$xl-ppp" '^done' 15 "fakepppd of $xl to end (FAKEPPP_SECONDS=6)"
      it_wait_status "$l2" tunnels.0.sessions -eq 0 10
      it_assert_counter "$l2" l2tp_session_closed -ge 1
      it_assert_status "$l2" tunnels.0.established == true
      it_log "call cleared by xl2tpd (CDN); l2sec keeps the tunnel"
      it_stop "$xl" INT 5 || it_fail "xl2tpd $xl did not exit within 5s of SIGINT"
      it_wait_counter "$l2" l2tp_tunnel_closed -ge 1 10
      it_wait_no_tunnel "$l2" 10
      it_check_watched  # l2sec must outlive the tunnel the peer closed
      it_log "tunnel closed by xl2tpd (StopCCN); l2sec still running"
      it_l2sec_stop "$l2"
      ;;
    l2sec)
      it_l2sec_stop "$l2"
      it_xl2tpd_wait_rx "$xl" StopCCN 5
      it_stop "$xl" INT 5 || it_fail "xl2tpd $xl did not exit within 5s of SIGINT"
      ;;
    *) it_fail "internal: unknown teardown '$how'" ;;
  esac
}

# Capture checks common to both directions (LAC in A, LNS in B).
# it__check_capture ROUND SECRET TEARDOWN XL_ADDR L2_ADDR XL_CHALLENGE
#   With a secret and XL_CHALLENGE yes: Challenge in SCCRQ and SCCRP,
#   Challenge Response in SCCRP and SCCCN (both ends authenticated). With
#   XL_CHALLENGE no: l2sec's Challenge in the first message it sends (SCCRQ
#   as LAC, SCCRP as LNS), xl2tpd's Challenge Response in its answer (SCCRP
#   as LNS, SCCCN as LAC), no Challenge from xl2tpd, no Challenge Response
#   from l2sec.
it__check_capture() {
  local r=$1 secret=$2 how=$3 xl_addr=$4 l2_addr=$5 xl_chal=${6:-yes}
  local A=$IT_ADDR_A B=$IT_ADDR_B
  for m in SCCRQ SCCCN ICRQ ICCN; do it_assert_cap_msg "$r" "$m" "$A" 1; done
  for m in SCCRP ICRP; do it_assert_cap_msg "$r" "$m" "$B" 1; done
  it_assert_cap_data "$r" "$A" "$B" 2
  it_assert_cap_data "$r" "$B" "$A" 2
  if [ -n "$secret" ] && [ "$xl_chal" = no ]; then
    local l2_first=SCCRQ xl_answer=SCCRP
    [ "$l2_addr" = "$B" ] && l2_first=SCCRP xl_answer=SCCCN
    it_assert_cap "$r" "$l2_first from l2sec ($l2_addr) with a Challenge" \
      "l2tp.avp.message_type == ${IT_MSG[$l2_first]} && l2tp.avp.type == 11 && ip.src == $l2_addr"
    it_assert_cap "$r" "$xl_answer from xl2tpd ($xl_addr) with a Challenge Response" \
      "l2tp.avp.message_type == ${IT_MSG[$xl_answer]} && l2tp.avp.type == 13 && ip.src == $xl_addr"
    it_assert_cap_none "$r" "Challenge from xl2tpd ($xl_addr; it does not challenge)" \
      "l2tp.avp.type == 11 && ip.src == $xl_addr"
    it_assert_cap_none "$r" "Challenge Response from l2sec ($l2_addr; nothing to answer)" \
      "l2tp.avp.type == 13 && ip.src == $l2_addr"
  elif [ -n "$secret" ]; then
    it_assert_cap "$r" "SCCRQ with a Challenge" "l2tp.avp.message_type == 1 && l2tp.avp.type == 11"
    it_assert_cap "$r" "SCCRP with a Challenge and a Challenge Response" \
      "l2tp.avp.message_type == 2 && l2tp.avp.type == 11 && l2tp.avp.type == 13"
    it_assert_cap "$r" "SCCCN with a Challenge Response" "l2tp.avp.message_type == 3 && l2tp.avp.type == 13"
  else
    it_assert_cap_none "$r" "Challenge or Challenge Response AVPs (no secret)" 'l2tp.avp.type == 11 || l2tp.avp.type == 13'
  fi
  case $how in
    xl2tpd)
      it_assert_cap_msg "$r" CDN "$xl_addr"
      it_assert_cap_msg "$r" StopCCN "$xl_addr"
      ;;
    l2sec)
      # RFC 2661 §4.4.2 / §6.4: a StopCCN carries a Result Code AVP.
      it_assert_cap "$r" "StopCCN from $l2_addr with a Result Code" \
        "l2tp.avp.message_type == 4 && ip.src == $l2_addr && l2tp.result_code"
      it__log_stopccn "$r" "$l2_addr"
      ;;
  esac
  it_assert_cap_clean "$r"
  it_cap_verify "$r"
}

it_round_l2sec_lns() { it__retry_round it__round_l2sec_lns "$@"; }
it_round_l2sec_lac() { it__retry_round it__round_l2sec_lac "$@"; }

it__auth_desc() {  # SECRET XL_CHALLENGE: the round's tunnel authentication, for the log
  if [ -z "$1" ]; then echo no
  elif [ "$2" = no ]; then echo "one-way (l2sec challenges, xl2tpd does not)"
  else echo "mutual (both challenge)"; fi
}

# it__retry_round FUNCTION ROUND ARGS...: runs the round; again (as ROUND-2,
# ROUND-3) when it reports xl2tpd's ID-0 defect by IT_ROUND_RETRY=1.
it__retry_round() {
  local fn=$1 r=$2 n name; shift 2
  for n in 1 2 3; do
    name=$r; [ "$n" = 1 ] || name=$r-$n
    IT_ROUND_RETRY=0
    "$fn" "$name" "$@"
    [ "$IT_ROUND_RETRY" = 1 ] || return 0
    it_log "==== round $name abandoned (xl2tpd defect); running it again"
  done
  it_fail "round $r: xl2tpd assigned ID 0 three times in a row"
}

# Ends an abandoned round; l2sec must still stop cleanly.
it__abandon_round() {  # ROUND XL L2
  it_l2sec_stop "$3"
  it_stop "$2" INT 5 || true
  it_capture_stop "$1"
}

it__round_l2sec_lns() {
  local r=$1 secret=$2 how=$3 xl_chal=${4:-yes}
  local A=$IT_ADDR_A B=$IT_ADDR_B xl=$1-xl2tpd l2=$1-l2sec secs=60
  [ "$how" = xl2tpd ] && secs=6
  it_log "==== round $r: xl2tpd LAC ($A) -> l2sec LNS ($B); tunnel auth: $(it__auth_desc "$secret" "$xl_chal"); teardown: $how"
  it_capture_start "$r"
  it_l2sec_conf "$l2" lns "$B" l2sec-lns peer-lac "$A" "$secret" true 0
  it_l2sec_start "$l2" "$IT_NS_B"
  it_xl2tpd_conf "$xl" lac "$A" "$B" peer-lac l2sec-lns "$secret" "$xl_chal"
  it_xl2tpd_start "$xl" "$IT_NS_A" "$secs"
  it__check_up "$r" "$xl" "$l2" "$A" "$B" peer-lac
  if [ "$IT_ROUND_RETRY" = 1 ]; then it__abandon_round "$r" "$xl" "$l2"; return 0; fi
  it__check_data "$xl" "$l2"
  it__teardown "$how" "$xl" "$l2"
  it_capture_stop "$r"
  it__check_capture "$r" "$secret" "$how" "$A" "$B" "$xl_chal"
  it_assert_l2sec_no_errors "$l2"
  it_assert_xl2tpd_happy "$xl"
  it_log "==== round $r passed"
}

it__round_l2sec_lac() {
  local r=$1 secret=$2 how=$3 xl_chal=${4:-yes}
  local A=$IT_ADDR_A B=$IT_ADDR_B xl=$1-xl2tpd l2=$1-l2sec secs=60
  [ "$how" = xl2tpd ] && secs=6
  it_log "==== round $r: l2sec LAC ($A) -> xl2tpd LNS ($B); tunnel auth: $(it__auth_desc "$secret" "$xl_chal"); teardown: $how"
  it_capture_start "$r"
  it_xl2tpd_conf "$xl" lns "$B" "" peer-lns l2sec-lac "$secret" "$xl_chal"
  it_xl2tpd_start "$xl" "$IT_NS_B" "$secs"
  it_l2sec_conf "$l2" lac "$A" l2sec-lac peer-lns "$B" "$secret" true 1
  it_l2sec_start "$l2" "$IT_NS_A"
  it__check_up "$r" "$xl" "$l2" "$B" "$A" peer-lns
  if [ "$IT_ROUND_RETRY" = 1 ]; then it__abandon_round "$r" "$xl" "$l2"; return 0; fi
  it__check_data "$xl" "$l2"
  it__teardown "$how" "$xl" "$l2"
  it_capture_stop "$r"
  it__check_capture "$r" "$secret" "$how" "$B" "$A" "$xl_chal"
  it_assert_l2sec_no_errors "$l2"
  it_assert_xl2tpd_happy "$xl"
  it_log "==== round $r passed"
}

# it_round_bad_secret ROUND L2SEC_ROLE DETECTOR: the two ends hold different
# secrets; the tunnel must be refused and no call placed.
#   L2SEC_ROLE  lns (xl2tpd LAC dials l2sec) or lac (l2sec dials xl2tpd LNS)
#   DETECTOR    which end finds the wrong Challenge Response. The LAC checks
#               the response in the SCCRP, the LNS the one in the SCCCN, so
#               for the LNS to be the detector the LAC must not challenge
#               (it still answers the LNS's Challenge).
#     xl2tpd    xl2tpd logs "Invalid authentication", sends StopCCN
#     l2sec     l2sec counts l2tp_tunnel_auth_failed, sends StopCCN with
#               Result Code 4 (not authorized, RFC 2661 §4.4.2) and the
#               message "challenge response wrong"
#   All four are reachable: lns/xl2tpd (SCCRP), lns/l2sec (SCCCN: xl2tpd
#   has "challenge = no", which l2sec accepts when its own Challenge is
#   answered, docs/config.md), lac/l2sec (SCCRP), lac/xl2tpd (SCCCN: l2sec
#   has "challenge = false").
# Then SIGTERM to l2sec: exit 0 (no tunnel left).
it_round_bad_secret() {
  local r=$1 role=$2 det=$3
  local A=$IT_ADDR_A B=$IT_ADDR_B xl=$1-xl2tpd l2=$1-l2sec
  local xl_chal=yes l2_chal=true at=SCCRP l2_addr xl_addr l2_host
  if [ "$role" = lns ]; then
    l2_addr=$B xl_addr=$A l2_host=l2sec-lns
    [ "$det" = l2sec ] && at=SCCCN xl_chal=no
  else
    l2_addr=$A xl_addr=$B l2_host=l2sec-lac
    [ "$det" = xl2tpd ] && at=SCCCN l2_chal=false
  fi
  local det_addr=$xl_addr; [ "$det" = l2sec ] && det_addr=$l2_addr
  it_log "==== round $r: wrong secret, l2sec is the ${role^^}, $det finds the wrong response in the $at"
  it_capture_start "$r"
  it__start_pair "$r" "$role" l2sec-secret "$l2_chal" xl2tpd-secret "$xl_chal"
  if [ "$det" = xl2tpd ]; then
    it_wait_log "$xl" "Invalid authentication for host '$l2_host'" 10 "xl2tpd to reject l2sec's Challenge Response"
    it_wait_no_tunnel "$l2" 10
    sleep 1  # l2sec's acknowledgement of the StopCCN
  else
    it_wait_counter "$l2" l2tp_tunnel_auth_failed -ge 1 10
    it_xl2tpd_wait_rx "$xl" StopCCN 5
    it_wait_no_tunnel "$l2" 10
  fi
  it_assert_no_log "$xl" "Call established" "xl2tpd placed or took a call with a wrong tunnel secret"
  it_assert_counter "$l2" l2tp_session_established -eq 0
  # A LAC that sent SCCCN may count its tunnel up before the LNS refuses it.
  if [ "$at" = SCCCN ] && [ "$role" = lac ]; then
    it_log "l2sec $l2 counter l2tp_tunnel_established = $(it_counter "$l2" l2tp_tunnel_established) (LAC: up once SCCCN is sent)"
  else
    it_assert_counter "$l2" l2tp_tunnel_established -eq 0
  fi
  if [ "$det" = l2sec ]; then
    it_assert_counter "$l2" l2tp_tunnel_auth_failed -eq 1
  else
    it_log "l2sec $l2 counter l2tp_tunnel_auth_failed = $(it_counter "$l2" l2tp_tunnel_auth_failed)"
  fi
  it_check_watched  # l2sec must outlive the refused tunnel
  it_l2sec_stop "$l2"
  it_stop "$xl" INT 5 || it_fail "xl2tpd $xl did not exit within 5s of SIGINT"
  it_capture_stop "$r"
  it_assert_cap_msg "$r" SCCRQ "$A"
  it_assert_cap_msg "$r" SCCRP "$B"
  if [ "$at" = SCCCN ]; then
    it_assert_cap_none "$r" "Challenge in the SCCRQ (the LAC does not challenge)" "l2tp.avp.message_type == 1 && l2tp.avp.type == 11"
    it_assert_cap "$r" "SCCRP with a Challenge" "l2tp.avp.message_type == 2 && l2tp.avp.type == 11"
    it_assert_cap "$r" "SCCCN with a Challenge Response" "l2tp.avp.message_type == 3 && l2tp.avp.type == 13 && ip.src == $A"
  else
    it_assert_cap "$r" "SCCRQ with a Challenge" "l2tp.avp.message_type == 1 && l2tp.avp.type == 11"
    it_assert_cap "$r" "SCCRP with a Challenge Response" "l2tp.avp.message_type == 2 && l2tp.avp.type == 13"
    it_assert_cap_none "$r" "SCCCN" "l2tp.avp.message_type == 3"
  fi
  it_assert_cap_msg "$r" StopCCN "$det_addr"
  if [ "$det" = l2sec ]; then
    it_assert_cap "$r" "StopCCN from $l2_addr with Result Code 4 and \"challenge response wrong\"" \
      "l2tp.avp.message_type == 4 && ip.src == $l2_addr && l2tp.result_code == 4 && l2tp.avp.error_message contains \"challenge response wrong\""
  fi
  it__log_stopccn "$r" "$det_addr"
  it_assert_cap_none "$r" "ICRP or ICCN" "l2tp.avp.message_type == 11 || l2tp.avp.message_type == 12"
  it_assert_cap_none "$r" "data messages" "l2tp.type == 0"
  it_assert_cap_clean "$r"
  it_cap_verify "$r"
  it_log "==== round $r passed"
}

# it_round_peer_no_challenge ROUND L2SEC_ROLE TEARDOWN: both ends hold the
# same secret, l2sec challenges (its default), xl2tpd does not ("challenge =
# no", its default) and only answers l2sec's Challenge. One-way
# authentication is enough for l2sec (docs/config.md, [[peer]] secret): the
# tunnel and the call come up and the round is a normal one
# (it_round_l2sec_lns / _lac with XL_CHALLENGE no), whose capture checks
# l2sec's Challenge and xl2tpd's Challenge Response and no Challenge from
# xl2tpd.
it_round_peer_no_challenge() {
  local r=$1 role=$2 how=$3
  case $role in
    lns) it_round_l2sec_lns "$r" "interop-tunnel-secret" "$how" no ;;
    lac) it_round_l2sec_lac "$r" "interop-tunnel-secret" "$how" no ;;
    *) it_fail "internal: unknown role '$role'" ;;
  esac
}

# it_round_no_challenge ROUND L2SEC_ROLE: both ends hold the same secret and
# neither challenges (l2sec "challenge = false", xl2tpd "challenge = no").
# The tunnel would not be authenticated at all, so l2sec refuses it where it
# learns the peer sent no Challenge: as LNS at the SCCRQ (StopCCN without
# SCCRP), as LAC at the SCCRP (no SCCCN). StopCCN Result Code 4 (not
# authorized, RFC 2661 §4.4.2) with "authentication required: no
# challenge", counter l2tp_tunnel_auth_failed.
it_round_no_challenge() {
  local r=$1 role=$2
  local A=$IT_ADDR_A B=$IT_ADDR_B xl=$1-xl2tpd l2=$1-l2sec l2_addr=$IT_ADDR_A
  [ "$role" = lns ] && l2_addr=$B
  it_log "==== round $r: same secret, neither end challenges; l2sec (${role^^}) refuses"
  it_capture_start "$r"
  it__start_pair "$r" "$role" same-secret false same-secret no
  it_wait_counter "$l2" l2tp_tunnel_auth_failed -ge 1 10
  it_xl2tpd_wait_rx "$xl" StopCCN 5
  it_wait_no_tunnel "$l2" 10
  it_assert_no_log "$xl" "Call established" "xl2tpd placed or took a call on a refused tunnel"
  it_assert_counter "$l2" l2tp_tunnel_auth_failed -eq 1
  it_assert_counter "$l2" l2tp_tunnel_established -eq 0
  it_assert_counter "$l2" l2tp_session_established -eq 0
  it_check_watched  # l2sec must outlive the refused tunnel
  it_l2sec_stop "$l2"
  it_stop "$xl" INT 5 || it_fail "xl2tpd $xl did not exit within 5s of SIGINT"
  it_capture_stop "$r"
  it_assert_cap_msg "$r" SCCRQ "$A"
  it_assert_cap_none "$r" "Challenge or Challenge Response AVPs (nobody challenges)" 'l2tp.avp.type == 11 || l2tp.avp.type == 13'
  if [ "$role" = lns ]; then
    it_assert_cap_none "$r" "SCCRP" "l2tp.avp.message_type == 2"
  else
    it_assert_cap_msg "$r" SCCRP "$B"
  fi
  it_assert_cap_none "$r" "SCCCN" "l2tp.avp.message_type == 3"
  it_assert_cap "$r" "StopCCN from $l2_addr with Result Code 4 and \"no challenge\"" \
    "l2tp.avp.message_type == 4 && ip.src == $l2_addr && l2tp.result_code == 4 && l2tp.avp.error_message contains \"no challenge\""
  it__log_stopccn "$r" "$l2_addr"
  it_assert_cap_none "$r" "ICRQ" "l2tp.avp.message_type == 10"
  it_assert_cap_clean "$r"
  it_cap_verify "$r"
  it_log "==== round $r passed"
}

# it__start_pair ROUND L2SEC_ROLE L2SEC_SECRET L2SEC_CHALLENGE XL2TPD_SECRET XL2TPD_CHALLENGE:
# the LNS first, then the LAC (which dials at start-up); names ROUND-l2sec
# and ROUND-xl2tpd.
it__start_pair() {
  local r=$1 role=$2 l2s=$3 l2c=$4 xls=$5 xlc=$6
  local A=$IT_ADDR_A B=$IT_ADDR_B xl=$1-xl2tpd l2=$1-l2sec
  if [ "$role" = lns ]; then
    it_l2sec_conf "$l2" lns "$B" l2sec-lns peer-lac "$A" "$l2s" "$l2c" 0
    it_l2sec_start "$l2" "$IT_NS_B"
    it_xl2tpd_conf "$xl" lac "$A" "$B" peer-lac l2sec-lns "$xls" "$xlc"
    it_xl2tpd_start "$xl" "$IT_NS_A" 60
  else
    it_xl2tpd_conf "$xl" lns "$B" "" peer-lns l2sec-lac "$xls" "$xlc"
    it_xl2tpd_start "$xl" "$IT_NS_B" 60
    it_l2sec_conf "$l2" lac "$A" l2sec-lac peer-lns "$B" "$l2s" "$l2c" 1
    it_l2sec_start "$l2" "$IT_NS_A"
  fi
}

# Logs the Result Code, Error Code and message of the StopCCN from ADDR.
it__log_stopccn() {  # CAPTURE ADDR
  it_log "capture $1: StopCCN from $2: result/error/message: $(timeout 30 tshark -n -r "$IT_DIR/$1.pcapng" \
    -Y "l2tp.avp.message_type == 4 && ip.src == $2" -T fields -E separator=';' \
    -e l2tp.result_code -e l2tp.avp.error_code -e l2tp.avp.error_message 2>/dev/null | head -1)"
}
