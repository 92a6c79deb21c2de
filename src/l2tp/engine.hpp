// The L2TPv2 engine of one gateway: every tunnel and session, both roles
// (LAC and LNS), over whatever medium carries its datagrams.
//
// Sans-IO like every engine here (DESIGN.md §2):
//   on_datagram(now, from, pkt)   an L2TP datagram arrived from `from`
//   on_timeout(now)               next_deadline() has passed
//   poll_transmit()               datagrams to send, with their destination
//   poll_event()                  tunnel/session up and down, PPP frames in
// and commands: open_tunnel, open_session, close_*, send_frame.
//
// Tunnels: control connection FSM of §7.2 for originator and recipient,
// tunnel authentication (§5.1.1, both directions), tie breaker (§4.4.3),
// Hello after `hello_interval` of silence (§6.5), StopCCN with the hold of a
// full retransmission cycle (§5.7). Sessions: incoming calls (ICRQ / ICRP /
// ICCN, §7.4) and outgoing calls (OCRQ / OCRP / OCCN, §7.5) in both roles,
// CDN, WEN and SLI; data messages (§5.4) with sequencing when asked for and
// the Offset field honoured.
//
// §8.1: as originator the engine accepts the SCCRP from a different UDP
// port than the one it sent the SCCRQ to and uses that port from then on;
// after that, datagrams for the tunnel from any other endpoint are dropped
// (l2tp_rx_wrong_peer).
//
// Choices where RFC 2661 leaves room (the code says why, next to each):
// - Tie breaker: the loser discards its SCCRQ silently (no StopCCN) and its
//   tunnel object answers the winner's SCCRQ under the same local Tunnel ID,
//   so the ID open_tunnel() returned and the calls waiting on it stay valid.
//   The peer's SCCRQ is then accepted with that tunnel's own TunnelConfig
//   (the policy is not asked again). Equal values: both discard, and we send
//   a fresh SCCRQ with a new Tie Breaker.
// - StopCCN results we send: 4 for authentication and policy refusals, 5
//   (error 0x0100 = version 1.0) for another Protocol Version, 7 for a
//   message out of sequence (§7.2.1 tables), 2 with error 8 for an unknown
//   mandatory Message Type, the codec's Result Code for AVP faults. A call's
//   CDN: 4 when max_sessions is reached, 3 when the policy refuses, 2 with
//   error 6 (and a text) for a message out of sequence, 10 when the call is
//   not established within call_setup_timeout.
// - A StopCCN-closed tunnel holds state for stop_hold; one whose
//   retransmissions are exhausted is freed at once (result 2, "retransmissions
//   exhausted").
// - Control messages beyond the channel's send queue wait in an engine
//   backlog (in order); new calls wait (wait-tunnel) while the tunnel has
//   more than a few dozen messages queued, so bursts of open_session() or
//   close_session() never lose a message.
// - next_deadline() is exact; events come out in the order things happened.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "crypto/random.hpp"
#include "l2tp/control_channel.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {

// What a tunnel says about itself and demands of its peer.
struct TunnelConfig {
  std::string host_name = "l2sec";          // Host Name AVP
  std::string vendor_name = "l2sec";        // Vendor Name AVP
  std::uint16_t firmware_revision = 0x0001; // Firmware Revision AVP
  std::uint32_t framing_capabilities = kFramingSync | kFramingAsync;
  std::uint32_t bearer_capabilities = kBearerDigital | kBearerAnalog;
  // Shared tunnel secret (§5.1.1; also hides AVPs). Empty: no
  // authentication, no hiding. Never logged.
  std::vector<std::uint8_t> secret;
  // Send a Challenge to the peer (requires a secret). When the peer sends
  // one, we answer whenever we hold a secret.
  bool challenge = true;
  // When true (and a secret is set) the tunnel must be authenticated one
  // way at least: a peer that does not answer our Challenge is refused, and
  // when we send none (challenge = false) a peer that sends none is refused.
  // A peer that does not challenge us is fine when it answered ours (xl2tpd's
  // default "challenge = no").
  bool require_authentication = true;
  bool hide_avps = false;                   // hide what §4.4 allows
  ControlChannelConfig channel;
  // §6.5 recommendation. Also bounds establishment: a tunnel not yet
  // established that hears nothing from its peer for this long is cleared
  // (StopCCN result 2, "control connection not established in time").
  // Zero turns both off.
  Duration hello_interval = std::chrono::seconds(60);
  // How long a closed tunnel keeps state to acknowledge retransmissions
  // (§5.7: a full retransmission cycle, 31 s with the defaults).
  Duration stop_hold = std::chrono::seconds(31);
  std::uint16_t max_sessions = 65535;
  // Send a Tie Breaker AVP (8 random octets) in our SCCRQ (§4.4.3): we want
  // a single tunnel with this peer. Without it on both sides, simultaneous
  // SCCRQs make two tunnels.
  bool tie_breaker = true;
  // A call not established this long after its ICRQ / OCRQ was sent or
  // received is cleared with CDN result 10 (not established in time).
  Duration call_setup_timeout = std::chrono::seconds(60);
};

// Decides what to do with a tunnel a peer asks for (SCCRQ).
class TunnelPolicy {
 public:
  virtual ~TunnelPolicy() = default;
  // Returns the configuration for a tunnel with this peer, or nullopt to
  // refuse it (StopCCN result 4, not authorized).
  virtual std::optional<TunnelConfig> accept_tunnel(const Endpoint& from, const ControlMessage& sccrq) = 0;
  // Whether to accept an incoming call (ICRQ) as LNS, or an outgoing call
  // request (OCRQ) as LAC. Default: accept.
  virtual bool accept_session(std::uint16_t /*tunnel*/, const ControlMessage& /*request*/) { return true; }
};

// Parameters of a call we start (ICRQ as LAC, OCRQ as LNS).
struct CallParams {
  enum class Kind : std::uint8_t { incoming, outgoing };
  Kind kind = Kind::incoming;
  std::uint32_t bearer_type = kBearerDigital;
  std::uint32_t framing_type = kFramingSync;
  std::string called_number;
  std::string calling_number;
  std::uint32_t tx_connect_speed = 100000000;
  std::uint32_t minimum_bps = 0;            // OCRQ
  std::uint32_t maximum_bps = 100000000;    // OCRQ
  bool sequencing_required = false;         // ask for Ns/Nr on data
};

// Handles are our own (local) IDs: the tunnel ID we assigned, and the
// session ID we assigned within it.
struct SessionRef {
  std::uint16_t tunnel = 0;
  std::uint16_t session = 0;
  friend bool operator==(const SessionRef&, const SessionRef&) = default;
};

// Every tunnel the engine creates (open_tunnel, or a peer's SCCRQ, even one
// it refuses) ends with exactly one tunnel_down; tunnel_up comes between
// when it got established. Every session created (open_session, or an
// accepted ICRQ / OCRQ) ends with exactly one session_down, whoever cleared
// it; session_down of sessions cleared with their tunnel carry the tunnel's
// Result Code. A refused ICRQ / OCRQ creates no session (only
// l2tp_session_refused counts it).
struct Event {
  enum class Kind : std::uint8_t {
    tunnel_up,      // control connection established
    tunnel_down,    // cleared (result says why; local or by the peer)
    session_up,     // call established (ICCN / OCCN exchanged)
    session_down,   // call cleared (CDN, or its tunnel went down)
    frame,          // a PPP frame arrived on an established session
    set_link_info,  // SLI received: accm holds the peer's ACCM
    wan_error,      // WEN received: call_errors
  };
  Kind kind;
  SessionRef ref;                 // session = 0 for tunnel events
  Endpoint peer;
  std::string peer_host_name;     // tunnel events
  ResultCode result;              // *_down: what was sent or received
  bool by_peer = false;           // *_down: the peer cleared it
  PacketBuf frame;                // frame events: the PPP frame (no L2TP header)
  std::optional<Accm> accm;
  std::optional<CallErrors> call_errors;
};

struct Transmit {
  Endpoint to;
  std::uint16_t local_tunnel = 0;  // which tunnel sent it (for the SPD later)
  PacketBuf pkt;                   // a whole L2TP datagram
};

struct EngineConfig {
  std::uint16_t max_tunnels = 65535;
  // Defaults for tunnels we originate (open_tunnel may override per peer).
  TunnelConfig tunnel;
  // Data messages we send carry the Length field (xl2tpd's "length bit").
  bool data_length_field = true;
};

class Engine {
 public:
  // policy may be null: then every SCCRQ is refused. random must outlive
  // the engine; it picks tunnel and session IDs (§9.1: unpredictable), tie
  // breakers, challenges and random vectors.
  Engine(EngineConfig cfg, crypto::Random& random, TunnelPolicy* policy);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- input ---
  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt);
  void on_timeout(Instant now);
  Instant next_deadline() const;

  // --- output ---
  std::optional<Transmit> poll_transmit();
  std::optional<Event> poll_event();

  // --- commands ---
  // Starts a tunnel to `peer` (SCCRQ). Returns our tunnel ID. Fails with
  // no_resources when max_tunnels are open.
  Result<std::uint16_t> open_tunnel(Instant now, const Endpoint& peer, const TunnelConfig& cfg);
  // Starts a call on a tunnel: incoming (ICRQ, we are LAC) or outgoing
  // (OCRQ, we are LNS). If the tunnel is not yet established the call waits
  // for it (§7.4.1 wait-tunnel). Returns the session reference.
  Result<SessionRef> open_session(Instant now, std::uint16_t tunnel, const CallParams& params);
  // Clears a call with CDN (result e.g. result::kAdministrative).
  Result<void> close_session(Instant now, SessionRef ref, ResultCode why);
  // Clears a tunnel with StopCCN and all its sessions.
  Result<void> close_tunnel(Instant now, std::uint16_t tunnel, ResultCode why);
  // Clears every tunnel (shutdown).
  void close_all(Instant now, ResultCode why);
  // The path to `peer` is gone (its circuit went down): every tunnel with
  // that peer (same host, any port) is cleared at once as if retransmissions
  // had been exhausted (§5.8): sessions cleared, tunnel_down reported with
  // `why`, nothing sent, no state held. Returns how many tunnels it cleared.
  std::size_t lose_peer(Instant now, const Endpoint& peer, ResultCode why);
  // Sends one PPP frame on an established session (data message, §5.4).
  // Fails with not_found / invalid_state.
  Result<void> send_frame(Instant now, SessionRef ref, PacketBuf&& frame);
  // Sends SLI (as LNS) or WEN (as LAC) on an established session.
  Result<void> send_set_link_info(Instant now, SessionRef ref, const Accm& accm);
  Result<void> send_wan_error(Instant now, SessionRef ref, const CallErrors& errors);

  // --- inspection ---
  const Counters& counters() const { return counters_; }
  std::size_t tunnel_count() const;
  std::size_t session_count() const;
  // True when no tunnel is left (not even one holding state after StopCCN).
  bool idle() const;
  // ENGINE NEEDS (added by the lead for shutdown): true when no tunnel has a
  // control message waiting to be sent or acknowledged, i.e. after
  // close_all() every StopCCN has been acknowledged (or given up on). Tunnels
  // may still be holding state (§5.7); the process can exit.
  bool quiescent() const;

  struct TunnelInfo {
    std::uint16_t local_id, peer_id;
    Endpoint peer;
    std::string peer_host_name;
    bool established;
    std::size_t sessions;
  };
  std::vector<TunnelInfo> tunnels() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Counters counters_;
};

}  // namespace l2sec::l2tp
