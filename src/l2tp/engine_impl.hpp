// Engine::Impl: the state behind l2tp::Engine, shared by the files that
// implement it (internal header, not part of the contract):
//   engine.cpp          datagram dispatch, timers, output, commands
//   engine_tunnel.cpp   control connection: §7.2.1, authentication, tie breaker,
//                       StopCCN and its hold, Hello
//   engine_session.cpp  calls: §7.4, §7.5, CDN, WEN, SLI, set-up timeouts
//
// Ownership: tunnels live in an IdMap of unique_ptr (stable addresses while
// they exist). A tunnel is freed only at the top of a call chain
// (service() on a timer, or flush()), so handlers never see one vanish.
//
// Timers: one heap of (deadline, tunnel) with lazy invalidation. Each tunnel
// remembers the deadline of its live entry (Tunnel::scheduled); an entry
// that does not match is stale and skipped. A new entry is pushed only when
// a tunnel's deadline moves earlier, so data traffic (which moves the Hello
// deadline later) never touches the heap: the old entry is re-filed at the
// real deadline when it reaches the top (next_deadline(), so its answer is
// exact) or fires early, finds nothing due and re-arms (on_timeout()).
// next_deadline() is O(1) amortised.
//
// Output: control messages are drained from the channels of the tunnels
// touched by a call ("dirty" list) at its end, with that call's `now`; data
// messages are queued directly. poll_transmit() only pops.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "l2tp/engine.hpp"
#include "l2tp/header.hpp"
#include "l2tp/id_map.hpp"
#include "l2tp/tunnel.hpp"

namespace l2sec::l2tp {

// New calls wait in Tunnel::waiting while this many control messages are
// queued on the tunnel (our choice: keeps bursts of open_session() within
// the channel's send queue, and lets replies overtake new requests).
inline constexpr std::size_t kCallBacklog = 32;

struct Engine::Impl {
  Impl(EngineConfig c, crypto::Random& r, TunnelPolicy* p, Counters& counters)
      : cfg(std::move(c)), rng(r), policy(p), ctr(counters) {}

  EngineConfig cfg;
  crypto::Random& rng;
  TunnelPolicy* policy;
  Counters& ctr;

  IdMap<std::unique_ptr<Tunnel>> tunnels;
  std::size_t session_total = 0;
  std::uint32_t next_call_serial = 1;

  // (peer endpoint, peer's Assigned Tunnel ID) -> our Tunnel ID: absorbs
  // retransmitted SCCRQs (they carry Tunnel ID 0).
  struct PeerKey {
    Endpoint ep;
    std::uint16_t tunnel;
    friend bool operator==(const PeerKey&, const PeerKey&) = default;
  };
  struct PeerKeyHash {
    std::size_t operator()(const PeerKey& k) const noexcept {
      return EndpointHash{}(k.ep) * 31 + k.tunnel;
    }
  };
  std::unordered_map<PeerKey, std::uint16_t, PeerKeyHash> by_peer;
  // Host (port cleared) -> our tunnels in wait-ctl-reply (tie breaker, §4.4.3).
  std::unordered_multimap<Endpoint, std::uint16_t, EndpointHash> outstanding;

  struct TimerEntry {
    Instant at;
    std::uint16_t tunnel;
    bool operator>(const TimerEntry& o) const { return at > o.at; }
  };
  mutable std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers;

  std::vector<std::uint16_t> dirty;
  std::deque<Transmit> out;
  std::deque<Event> events;

  // --- engine.cpp: plumbing ---
  Tunnel* find_tunnel(std::uint16_t id);
  const Tunnel* find_tunnel(std::uint16_t id) const;
  std::uint16_t alloc_tunnel_id();
  std::uint16_t alloc_session_id(const Tunnel& t);
  Tunnel& create_tunnel(const TunnelConfig& tc, const Endpoint& peer, Instant now);
  void free_tunnel(std::uint16_t id);
  void learn_peer_tunnel(Tunnel& t, std::uint16_t peer_id);
  // Encodes m (hiding per the tunnel's config) and queues it on the channel
  // with `session_id` in the header. Fails when encoding or queueing fails
  // (counted).
  Result<void> send_control(Tunnel& t, Instant now, std::uint16_t session_id, const ControlMessage& m);
  // Moves backlogged control messages into the channel while it has room.
  void drain_backlog(Tunnel& t, Instant now);
  void mark_dirty(Tunnel& t);
  void flush(Instant now);
  Instant compute_deadline(const Tunnel& t) const;
  void reschedule(Tunnel& t);
  void service(Tunnel& t, Instant now);  // may free t
  void emit_tunnel_event(const Tunnel& t, Event::Kind kind, const ResultCode& rc, bool by_peer);
  void emit_session_event(const Tunnel& t, std::uint16_t session, Event::Kind kind, const ResultCode& rc,
                          bool by_peer);

  // --- engine.cpp: input ---
  void on_control(Instant now, const Endpoint& from, const Header& hdr, PacketBuf&& avps);
  void on_tunnel_zero(Instant now, const Endpoint& from, const Header& hdr, PacketBuf&& avps);
  // Feeds one control datagram (already matched to t and its peer) to t's
  // channel and handles what it delivers.
  void feed(Tunnel& t, Instant now, const Header& hdr, PacketBuf&& avps);
  void on_data(Instant now, const Endpoint& from, const Header& hdr, PacketBuf&& frame);
  void handle_message(Tunnel& t, Instant now, const Header& hdr, Bytes avps);

  // --- engine_tunnel.cpp ---
  // Tie breaker (§4.4.3) for an SCCRQ from `from` carrying `their`.
  // Returns true when the SCCRQ has been dealt with (dropped because we won
  // or tied, or adopted by our losing tunnel).
  bool resolve_tie(Instant now, const Endpoint& from, std::optional<std::uint64_t> their, const Header& hdr,
                   PacketBuf& avps);
  void send_sccrq(Tunnel& t, Instant now);
  void on_tunnel_message(Tunnel& t, Instant now, const ControlMessage& m);
  void on_sccrq(Tunnel& t, Instant now, const ControlMessage& m);
  void on_sccrp(Tunnel& t, Instant now, const ControlMessage& m);
  void on_scccn(Tunnel& t, Instant now, const ControlMessage& m);
  void establish(Tunnel& t, Instant now);
  // Sends StopCCN (Assigned Tunnel ID = ours) and enters closing.
  void stop_tunnel(Tunnel& t, Instant now, const ResultCode& why);
  // Clears every session, reports tunnel_down once, holds for stop_hold.
  void enter_closing(Tunnel& t, Instant now, const ResultCode& why, bool by_peer);
  void forget_outstanding(Tunnel& t);
  void refuse_auth(Tunnel& t, Instant now, AuthVerdict v);

  // --- engine_session.cpp ---
  void on_session_message(Tunnel& t, Instant now, const Header& hdr, const ControlMessage& m);
  void on_session_fault(Tunnel& t, Instant now, const Header& hdr, const Decoded& d);
  void on_call_request(Tunnel& t, Instant now, const ControlMessage& m);
  // Sends a CDN for a request we do not turn into a session.
  void refuse_call(Tunnel& t, Instant now, std::uint16_t peer_session, const ResultCode& why);
  void pump_waiting(Tunnel& t, Instant now);
  void start_call(Tunnel& t, Instant now, WaitingCall& wc);
  void session_established(Tunnel& t, Session& s);
  void clear_session(Tunnel& t, Instant now, std::uint16_t id, const ResultCode& why, bool send_cdn,
                     bool by_peer);
  void clear_all_sessions(Tunnel& t, const ResultCode& why, bool by_peer);
  void expire_setups(Tunnel& t, Instant now);
};

}  // namespace l2sec::l2tp
