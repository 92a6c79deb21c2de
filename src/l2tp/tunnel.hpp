// One L2TP tunnel (control connection) and its state machine (RFC 2661
// §7.2.1) as a table, plus the messages it sends (§6.1-§6.5) and tunnel
// authentication (§5.1.1, §4.4.3 Challenge / Challenge Response).
//
//   state           meaning
//   idle            a recipient's tunnel created for a received SCCRQ, not yet answered
//   wait_ctl_reply  originator: SCCRQ sent
//   wait_ctl_conn   recipient: SCCRP sent
//   established     SCCCN sent (originator) or accepted (recipient)
//   closing         StopCCN sent or received: state kept for `stop_hold` so the
//                   peer's retransmissions are acknowledged and our StopCCN is
//                   delivered (§5.7, §7.1), then freed
//
// The engine (engine_tunnel.cpp) runs the transitions; this file decides.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/endpoint.hpp"
#include "core/time.hpp"
#include "crypto/random.hpp"
#include "l2tp/control_channel.hpp"
#include "l2tp/engine.hpp"
#include "l2tp/id_map.hpp"
#include "l2tp/message.hpp"
#include "l2tp/session.hpp"

namespace l2sec::l2tp {

enum class TunnelState : std::uint8_t { idle, wait_ctl_reply, wait_ctl_conn, established, closing };
std::string_view tunnel_state_name(TunnelState s) noexcept;

// What a received tunnel-scoped message (SCCRQ, SCCRP, SCCCN, StopCCN,
// HELLO) does in a state, per §7.2.1.
enum class TunnelAction : std::uint8_t {
  process,       // the transition the table defines
  stop_fsm,      // "Send StopCCN, Clean up": StopCCN result 7 (FSM error)
  ignore,        // nothing to do (HELLO: the channel acknowledges it)
  while_closing, // the tunnel is closing: acknowledge (the channel does) and drop
};
TunnelAction tunnel_action(TunnelState state, MessageType type) noexcept;

// The Protocol Version we speak (§4.4.3): 1.0, encoded 0x0100 in the Error
// Code of a StopCCN result 5 ("highest version supported").
inline constexpr ProtocolVersion kProtocolVersion{1, 0};
inline constexpr std::uint16_t kProtocolVersionCode = 0x0100;

// The Challenge Response check of §5.1.1. `carrier` is the message that
// carries the response (SCCRP or SCCCN).
enum class AuthVerdict : std::uint8_t { ok, wrong_response, missing_response, no_challenge_from_peer,
                                        challenge_without_secret };
// Checks what the peer did about authentication, in the message that
// completes its part (SCCRQ for the recipient's first look, SCCRP for the
// originator, SCCCN for the recipient):
//   our_challenge  what we sent (nullopt: none)
//   response       the Challenge Response the peer sent (nullopt: none)
//   peer_challenged whether the peer sent a Challenge (SCCRQ or SCCRP)
// A wrong response always fails; a missing one, or a peer that never
// challenges while we hold a secret, fails when cfg.require_authentication.
// A Challenge from a peer while we have no secret fails (we cannot answer).
AuthVerdict check_auth(const TunnelConfig& cfg, MessageType carrier,
                       const std::optional<std::array<std::uint8_t, 16>>& our_challenge,
                       const std::optional<std::array<std::uint8_t, 16>>& response, bool peer_challenged);

// --- messages the control connection sends ---
// SCCRQ (§6.1): Protocol Version, Host Name, Framing and Bearer
// Capabilities, Assigned Tunnel ID, Receive Window Size, Firmware
// Revision, Vendor Name, Tie Breaker and Challenge when given.
ControlMessage make_sccrq(const TunnelConfig& cfg, std::uint16_t local_tunnel,
                          std::optional<std::uint64_t> tie_breaker,
                          const std::optional<std::array<std::uint8_t, 16>>& challenge);
// SCCRP (§6.2): as SCCRQ without Tie Breaker, with the Challenge Response to
// the peer's Challenge when it sent one.
ControlMessage make_sccrp(const TunnelConfig& cfg, std::uint16_t local_tunnel,
                          const std::optional<std::array<std::uint8_t, 16>>& challenge,
                          const std::optional<std::array<std::uint8_t, 16>>& response);
// SCCCN (§6.3): the Challenge Response when the peer sent a Challenge.
ControlMessage make_scccn(const std::optional<std::array<std::uint8_t, 16>>& response);
// StopCCN (§6.4): Assigned Tunnel ID = ours, Result Code.
ControlMessage make_stopccn(std::uint16_t local_tunnel, const ResultCode& why);
ControlMessage make_hello();

// A Result Code (StopCCN or CDN) with optional Error Code and text.
ResultCode make_result(std::uint16_t result, std::optional<std::uint16_t> error = std::nullopt,
                       std::string message = {});

// A session waiting for its tunnel (§7.4.1 / §7.5.2 wait-tunnel): the call
// parameters are kept only until the ICRQ / OCRQ is sent.
struct WaitingCall {
  std::uint16_t session = 0;
  CallParams params;
};

struct Tunnel {
  Tunnel(const TunnelConfig& c, Counters& counters) : cfg(c), channel(c.channel, counters) {}

  std::uint16_t local_id = 0;
  std::uint16_t peer_id = 0;              // the peer's Assigned Tunnel ID (0 until known)
  TunnelState state = TunnelState::idle;
  bool originator = false;
  bool down_reported = false;             // tunnel_down emitted
  bool refused_stub = false;              // created only to refuse an SCCRQ
  bool in_dirty = false;                  // queued for the engine's flush
  bool peer_challenged = false;           // the peer sent a Challenge (SCCRQ / SCCRP)
  Endpoint peer;
  TunnelConfig cfg;
  ControlChannel channel;
  std::string peer_host_name;
  std::optional<std::uint64_t> tie_breaker;                  // ours, while wait_ctl_reply
  std::optional<std::array<std::uint8_t, 16>> our_challenge; // what the peer must answer
  std::uint32_t peer_framing_caps = 0;
  std::uint32_t peer_bearer_caps = 0;

  Instant last_rx{};        // last control or data message from the peer (§6.5)
  Instant last_hello{};     // last Hello we sent
  Instant hold_until = kNever;  // closing: when to free
  Instant scheduled = kNever;   // the engine's timer entry for this tunnel

  // Control messages waiting for room in the channel's send queue (in
  // order, behind which every later message waits too): a burst of CDNs or
  // replies never meets a full queue.
  struct Pending {
    std::uint16_t session_id;
    PacketBuf avps;
  };
  std::deque<Pending> backlog;

  IdMap<Session> sessions;
  std::deque<WaitingCall> waiting;   // wait-tunnel calls, in open order
  // Calls in set-up, in deadline order (the timeout is per tunnel, so the
  // FIFO stays sorted): cleared with CDN 10 when not established in time.
  // `tag` tells a call from a later one that reused its Session ID.
  struct SetupDeadline {
    Instant at;
    std::uint16_t session;
    std::uint16_t tag;
  };
  std::deque<SetupDeadline> setup_deadlines;
  std::uint16_t next_setup_tag = 0;
};

}  // namespace l2sec::l2tp
