// Two l2tp::Engines wired back to back for the engine tests: a zero-latency
// in-order "network" that moves every Transmit to the other engine, a fake
// clock advanced from deadline to deadline, a filter that may drop or
// rewrite datagrams, and helpers to build and inspect control messages.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/random.hpp"
#include "l2tp/engine.hpp"
#include "l2tp/header.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp::testing {

enum class Side { a, b };
inline Side other(Side s) { return s == Side::a ? Side::b : Side::a; }

// Accepts every tunnel with `cfg`, and every call unless told otherwise.
class TestPolicy : public TunnelPolicy {
 public:
  explicit TestPolicy(TunnelConfig c) : cfg(std::move(c)) {}
  std::optional<TunnelConfig> accept_tunnel(const Endpoint&, const ControlMessage& sccrq) override {
    ++tunnel_requests;
    last_sccrq = sccrq;
    if (!accept_tunnels) return std::nullopt;
    return cfg;
  }
  bool accept_session(std::uint16_t, const ControlMessage& request) override {
    last_request = request;
    return accept_sessions;
  }
  TunnelConfig cfg;
  bool accept_tunnels = true;
  bool accept_sessions = true;
  int tunnel_requests = 0;
  std::optional<ControlMessage> last_sccrq;
  std::optional<ControlMessage> last_request;
};

struct Seen {
  Instant at;
  Event ev;
};

struct Node {
  Node(const EngineConfig& cfg, std::uint64_t seed, TunnelPolicy* policy, Endpoint a)
      : rng(seed), engine(cfg, rng, policy), addr(a) {}
  crypto::SeededRandom rng;
  Engine engine;
  Endpoint addr;        // where the other side sends to
  Endpoint src;         // what the other side sees as our source (default addr)
  std::vector<Seen> events;
  std::vector<PacketBuf> sent;  // copies of every datagram sent (when recording)

  const Counters& ctr() const { return engine.counters(); }
  std::uint64_t count(Ctr c) const { return engine.counters().get(c); }
  std::size_t count(Event::Kind k) const {
    std::size_t n = 0;
    for (const auto& s : events) n += s.ev.kind == k;
    return n;
  }
  const Event* last(Event::Kind k) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->ev.kind == k) return &it->ev;
    return nullptr;
  }
  const Seen* last_seen(Event::Kind k) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->ev.kind == k) return &*it;
    return nullptr;
  }
};

inline EngineConfig engine_config(const TunnelConfig& t = {}) {
  EngineConfig c;
  c.tunnel = t;
  return c;
}

inline TunnelConfig with_secret(std::string s, TunnelConfig t = {}) {
  t.secret.assign(s.begin(), s.end());
  return t;
}

class Pair {
 public:
  // seed: everything random in both engines derives from it.
  Pair(std::uint64_t seed, const TunnelConfig& a_cfg, const TunnelConfig& b_cfg, bool a_policy = true,
       bool b_policy = true)
      : seed_(seed),
        pa(a_cfg),
        pb(b_cfg),
        a(engine_config(a_cfg), seed * 2 + 1, a_policy ? &pa : nullptr, Endpoint::v4({192, 0, 2, 1}, 1701)),
        b(engine_config(b_cfg), seed * 2 + 2, b_policy ? &pb : nullptr, Endpoint::v4({192, 0, 2, 2}, 1701)),
        trace_(__FILE__, __LINE__, "seed=" + std::to_string(seed)) {
    a.src = a.addr;
    b.src = b.addr;
  }

  Node& node(Side s) { return s == Side::a ? a : b; }

  // Drains both engines until nothing moves (at the current time).
  void pump() {
    for (int guard = 0; guard < 1000000; ++guard) {
      bool moved = false;
      moved |= step(Side::a);
      moved |= step(Side::b);
      collect(a);
      collect(b);
      if (!moved) return;
    }
    ADD_FAILURE() << "pump did not settle";
  }

  // Runs timers and traffic until `until` (inclusive).
  void run_until(Instant until) {
    pump();
    for (int guard = 0; guard < 1000000; ++guard) {
      Instant d = earliest(a.engine.next_deadline(), b.engine.next_deadline());
      if (d > until) break;
      if (d > now) now = d;
      if (a.engine.next_deadline() <= now) a.engine.on_timeout(now);
      if (b.engine.next_deadline() <= now) b.engine.on_timeout(now);
      pump();
    }
    if (until > now) now = until;
    pump();
  }
  void advance(Duration d) { run_until(now + d); }

  // Hands a datagram to `to` as if it came from `from`.
  void inject(Side to, const Endpoint& from, PacketBuf pkt) {
    node(to).engine.on_datagram(now, from, std::move(pkt));
    collect(node(to));
  }

  // Brings a tunnel up from A to B; returns (A's tunnel ID, B's tunnel ID).
  std::pair<std::uint16_t, std::uint16_t> tunnel_up() {
    auto id = a.engine.open_tunnel(now, b.addr, pa.cfg);
    EXPECT_TRUE(id.ok());
    pump();
    auto bt = b.engine.tunnels();
    EXPECT_EQ(bt.size(), 1u);
    return {id.ok() ? *id : std::uint16_t{0}, bt.empty() ? std::uint16_t{0} : bt.front().local_id};
  }

  // Returns false to drop; may rewrite pkt. Called for every datagram.
  std::function<bool(Side from, PacketBuf& pkt)> filter;
  bool record = false;
  Instant now = kEpoch;

 private:
  bool step(Side from) {
    Node& src = node(from);
    Node& dst = node(other(from));
    auto t = src.engine.poll_transmit();
    if (!t) return false;
    EXPECT_TRUE(t->to.same_host(dst.addr)) << t->to.to_string();
    if (record) src.sent.push_back(t->pkt.clone());
    if (filter && !filter(from, t->pkt)) return true;
    dst.engine.on_datagram(now, src.src, std::move(t->pkt));
    return true;
  }
  void collect(Node& n) {
    while (auto e = n.engine.poll_event()) n.events.push_back(Seen{now, std::move(*e)});
  }

  std::uint64_t seed_;

 public:
  std::uint64_t seed() const { return seed_; }
  TestPolicy pa, pb;
  Node a, b;

 private:
  ::testing::ScopedTrace trace_;  // every failure prints the seed
};

// --- datagram helpers ---

struct PeekedControl {
  Header hdr;
  std::optional<ControlMessage> msg;  // nullopt for a ZLB
  std::optional<AvpFault> fault;
};

// Parses a control datagram (AVPs decoded with `secret`). nullopt for data
// messages and anything unparsable.
inline std::optional<PeekedControl> peek_control(const PacketBuf& pkt, Bytes secret = {}) {
  auto p = parse_header(pkt.bytes());
  if (!p || !p->hdr.control) return std::nullopt;
  PeekedControl out;
  out.hdr = p->hdr;
  if (p->payload_size == 0) return out;
  auto d = decode_control(pkt.bytes().subspan(p->payload_offset, p->payload_size), secret);
  if (!d) return std::nullopt;
  out.msg = d->msg;
  out.fault = d->fault;
  return out;
}

inline std::optional<MessageType> control_type(const PacketBuf& pkt) {
  auto c = peek_control(pkt);
  if (!c || !c->msg) return std::nullopt;
  return c->msg->type;
}

// Re-encodes a control datagram after f changed its message (same header,
// Length recomputed). Only for messages without hidden AVPs.
template <class F>
PacketBuf rewrite_control(const PacketBuf& pkt, F&& f) {
  auto c = peek_control(pkt);
  EXPECT_TRUE(c && c->msg);
  ControlMessage m = c->msg.value();
  f(m);
  PacketBuf out(1500);
  EXPECT_TRUE(encode_control(m, out).ok());
  push_header(out, c->hdr);
  return out;
}

// A control datagram built by hand.
inline PacketBuf build_control(const Header& h, const ControlMessage& m) {
  PacketBuf out(1500);
  EXPECT_TRUE(encode_control(m, out).ok());
  push_header(out, h);
  return out;
}

inline PacketBuf frame_of(std::initializer_list<std::uint8_t> bytes) {
  std::vector<std::uint8_t> v(bytes);
  return PacketBuf::copy_of(v);
}

inline std::vector<std::uint8_t> bytes_of(const PacketBuf& p) { return {p.bytes().begin(), p.bytes().end()}; }

}  // namespace l2sec::l2tp::testing
