// Two l2tp::Engines, a LAC and an LNS, over the simulated network
// (DESIGN.md §6 item 3): tunnels and sessions come up through loss,
// duplication and reordering, with and without tunnel authentication and
// hidden AVPs; frames flow; teardown from either side leaves both engines
// idle; Hellos keep an idle tunnel up for an hour; a blackhole brings it
// down on both sides after the retransmission cycle.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "crypto/random.hpp"
#include "l2tp/engine.hpp"
#include "sim_driver.hpp"
#include "sim_engine_node.hpp"
#include "sim_network.hpp"
#include "sim_seeds.hpp"

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;
using l2tp::CallParams;
using l2tp::Engine;
using l2tp::EngineConfig;
using l2tp::Event;
using l2tp::ResultCode;
using l2tp::SessionRef;
using l2tp::TunnelConfig;
using Kind = l2tp::Event::Kind;

const Endpoint kLacAddr = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kLnsAddr = Endpoint::v4({198, 51, 100, 7}, 1701);

// Accepts every tunnel with a fixed configuration, and every call.
class FixedPolicy final : public l2tp::TunnelPolicy {
 public:
  explicit FixedPolicy(std::optional<TunnelConfig> cfg) : cfg_(std::move(cfg)) {}
  std::optional<TunnelConfig> accept_tunnel(const Endpoint&, const l2tp::ControlMessage&) override {
    return cfg_;
  }

 private:
  std::optional<TunnelConfig> cfg_;
};

enum class Auth { none, challenge, hidden };
const char* auth_name(Auth a) {
  switch (a) {
    case Auth::none:
      return "no-auth";
    case Auth::challenge:
      return "auth";
    case Auth::hidden:
      return "auth+hidden";
  }
  return "?";
}

TunnelConfig tunnel_config(const std::string& host, Auth auth) {
  TunnelConfig c;
  c.host_name = host;
  if (auth != Auth::none) {
    const std::string s = "sim secret";
    c.secret.assign(s.begin(), s.end());
    c.challenge = true;
    c.require_authentication = true;
    c.hide_avps = auth == Auth::hidden;
  }
  return c;
}

// Timers for a 30%-loss network. With the §5.8 defaults (5 retransmissions)
// six lost attempts in a row are likely somewhere among the hundreds of
// messages of a run, and the tunnel would rightly give up: this test is
// about getting through, so it allows 20 retransmissions (151 s cycle), holds
// closed tunnels for that cycle (§5.7), and gives calls 10 minutes.
TunnelConfig patient(TunnelConfig c) {
  c.channel.max_retransmits = 20;
  c.stop_hold = 160s;
  c.call_setup_timeout = 10min;
  return c;
}

Impairments lossy() {
  Impairments imp;
  imp.loss = 0.3;
  imp.duplicate = 0.1;
  imp.reorder = 0.2;
  imp.reorder_delay = 300ms;
  imp.delay = 15ms;
  imp.jitter = 10ms;
  return imp;
}

Impairments clean() {
  Impairments imp;
  imp.delay = 10ms;
  return imp;
}

// A LAC engine and an LNS engine on one simulated network.
struct Lab {
  Lab(std::uint64_t seed, const Impairments& imp, const TunnelConfig& lac_tunnel,
      const TunnelConfig& lns_tunnel, bool record_frames = true)
      : net(seed, imp),
        drv(net),
        lac_rng(seed * 2 + 1),
        lns_rng(seed * 2 + 2),
        lac_policy(std::nullopt),
        lns_policy(lns_tunnel),
        lac(lac_engine_config(lac_tunnel), lac_rng, &lac_policy),
        lns(EngineConfig{}, lns_rng, &lns_policy),
        lac_node(lac, {}, record_frames),
        lns_node(lns, {}, record_frames),
        lac_tunnel_cfg(lac_tunnel) {
    drv.attach(kLacAddr, lac_node);
    drv.attach(kLnsAddr, lns_node);
  }
  static EngineConfig lac_engine_config(const TunnelConfig& t) {
    EngineConfig c;
    c.tunnel = t;
    return c;
  }

  // Opens a tunnel from the LAC with `calls` incoming calls waiting on it.
  std::uint16_t open_tunnel(unsigned calls) {
    auto t = lac.open_tunnel(drv.now(), kLnsAddr, lac_tunnel_cfg);
    EXPECT_TRUE(t.ok());
    if (!t.ok()) return 0;
    for (unsigned i = 0; i < calls; ++i) {
      CallParams p;
      p.calling_number = "555-" + std::to_string(i);
      EXPECT_TRUE(lac.open_session(drv.now(), *t, p).ok());
    }
    drv.flush();
    return *t;
  }

  SimNetwork net;
  SimDriver drv;
  crypto::SeededRandom lac_rng, lns_rng;
  FixedPolicy lac_policy, lns_policy;
  Engine lac, lns;
  EngineNode lac_node, lns_node;
  TunnelConfig lac_tunnel_cfg;
};

std::size_t count(const EngineNode& n, Kind k) { return n.count(k); }

// The story of a run, printed when a test fails or L2SEC_SIM_VERBOSE is set.
std::string summary(const Lab& lab) {
  std::ostringstream o;
  o << "t=" << (lab.drv.now() - kEpoch) / 1ms << " ms, steps " << lab.drv.stats().steps;
  const NetStats& n = lab.net.stats();
  o << "; net sent " << n.sent << " delivered " << n.delivered << " lost " << n.dropped_loss << " dup "
    << n.duplicated << " corrupt " << n.corrupted << " blackholed " << n.dropped_blackhole;
  for (const auto& [name, e] : {std::pair<const char*, const Engine*>{"LAC", &lab.lac}, {"LNS", &lab.lns}}) {
    o << "\n  " << name << " tunnels " << e->tunnel_count() << " sessions " << e->session_count() << ":";
    e->counters().for_each_nonzero([&](Ctr c, std::uint64_t v) { o << " " << counter_name(c) << "=" << v; });
  }
  return o.str();
}

// Prints the summary on failure (or always with L2SEC_SIM_VERBOSE set).
struct Story {
  explicit Story(const Lab& l) : lab(l) {}
  ~Story() {
    if (testing::Test::HasFailure() || std::getenv("L2SEC_SIM_VERBOSE") != nullptr)
      std::printf("%s\n", summary(lab).c_str());
  }
  const Lab& lab;
};

// Checks an engine's event log against the contract of l2tp::Event: per
// tunnel, at most one tunnel_up, then exactly one tunnel_down (when
// `closed`); per session, at most one session_up after its tunnel's
// tunnel_up, exactly one session_down (when `closed`), frames only while
// up. Returns "" or the first violation.
std::string check_events(const std::vector<TimedEvent>& log, bool closed) {
  struct Life {
    bool up = false, down = false;
  };
  std::map<std::uint16_t, Life> tunnels;
  std::map<std::pair<std::uint16_t, std::uint16_t>, Life> sessions;
  std::ostringstream err;
  for (std::size_t i = 0; i < log.size(); ++i) {
    const Event& e = log[i].ev;
    const auto key = std::make_pair(e.ref.tunnel, e.ref.session);
    Life& t = tunnels[e.ref.tunnel];
    switch (e.kind) {
      case Kind::tunnel_up:
        if (t.up || t.down) err << "event " << i << ": second tunnel_up for tunnel " << e.ref.tunnel;
        t.up = true;
        break;
      case Kind::tunnel_down:
        if (t.down) err << "event " << i << ": second tunnel_down for tunnel " << e.ref.tunnel;
        t.down = true;
        for (auto& [k, s] : sessions)
          if (k.first == e.ref.tunnel && !s.down)
            err << "event " << i << ": tunnel " << e.ref.tunnel << " down before session " << k.second;
        break;
      case Kind::session_up: {
        Life& s = sessions[key];
        if (!t.up || t.down) err << "event " << i << ": session_up outside its tunnel's life";
        if (s.up || s.down)
          err << "event " << i << ": second session_up for " << key.first << "/" << key.second;
        s.up = true;
        break;
      }
      case Kind::session_down: {
        Life& s = sessions[key];
        if (s.down) err << "event " << i << ": second session_down for " << key.first << "/" << key.second;
        s.down = true;
        break;
      }
      case Kind::frame: {
        auto it = sessions.find(key);
        if (it == sessions.end() || !it->second.up || it->second.down)
          err << "event " << i << ": frame on a session that is not up";
        break;
      }
      default:
        break;
    }
    if (!err.str().empty()) return err.str();
  }
  if (closed) {
    for (auto& [id, t] : tunnels)
      if (!t.down) return "tunnel " + std::to_string(id) + " never went down";
    for (auto& [k, s] : sessions)
      if (!s.down)
        return "session " + std::to_string(k.first) + "/" + std::to_string(k.second) + " never went down";
  }
  return "";
}

std::vector<SessionRef> refs_of(const EngineNode& n, Kind k) {
  std::vector<SessionRef> v;
  for (const TimedEvent& t : n.events())
    if (t.ev.kind == k) v.push_back(t.ev.ref);
  return v;
}

PacketBuf frame_from(SessionRef ref, std::uint8_t n) {
  PacketBuf p(8);
  std::uint8_t* d = p.push_back(8);
  d[0] = 0xff;
  d[1] = 0x03;
  d[2] = static_cast<std::uint8_t>(ref.tunnel >> 8);
  d[3] = static_cast<std::uint8_t>(ref.tunnel);
  d[4] = static_cast<std::uint8_t>(ref.session >> 8);
  d[5] = static_cast<std::uint8_t>(ref.session);
  d[6] = n;
  d[7] = 0x7e;
  return p;
}
using Key = std::pair<int, int>;  // (tunnel, session)
Key key(SessionRef r) { return {r.tunnel, r.session}; }

SessionRef sender_of(const PacketBuf& f) {
  const std::uint8_t* d = f.data();
  return SessionRef{static_cast<std::uint16_t>((d[2] << 8) | d[3]),
                    static_cast<std::uint16_t>((d[4] << 8) | d[5])};
}

// --- the full life cycle under loss, per authentication mode ----------------

class L2tpSimLifecycle : public testing::TestWithParam<Auth> {};

constexpr unsigned kTunnels = 3;
constexpr unsigned kIncoming = 4;  // ICRQ from the LAC, per tunnel
constexpr unsigned kOutgoing = 2;  // OCRQ from the LNS, per tunnel
constexpr unsigned kSessions = kTunnels * (kIncoming + kOutgoing);
constexpr unsigned kFrames = 3;  // per session and direction

void run_lifecycle(std::uint64_t seed, Auth auth) {
  const TunnelConfig lac_cfg = patient(tunnel_config("lac.sim", auth));
  const TunnelConfig lns_cfg = patient(tunnel_config("lns.sim", auth));
  Lab lab(seed, lossy(), lac_cfg, lns_cfg);
  Story story(lab);
  // The LNS places its outgoing calls as soon as a tunnel is up.
  lab.lns_node.set_hook([&](Instant now, Event& ev) {
    if (ev.kind != Kind::tunnel_up) return;
    for (unsigned i = 0; i < kOutgoing; ++i) {
      CallParams p;
      p.kind = CallParams::Kind::outgoing;
      p.called_number = "666-" + std::to_string(i);
      EXPECT_TRUE(lab.lns.open_session(now, ev.ref.tunnel, p).ok());
    }
  });

  // --- set-up: SCCRQ/SCCRP/SCCCN, ICRQ/ICRP/ICCN, OCRQ/OCRP/OCCN ---
  for (unsigned i = 0; i < kTunnels; ++i) lab.open_tunnel(kIncoming);
  const bool up = lab.drv.run_for(
      [&] {
        return count(lab.lac_node, Kind::session_up) == kSessions &&
               count(lab.lns_node, Kind::session_up) == kSessions;
      },
      1h);
  ASSERT_TRUE(up) << "at " << (lab.drv.now() - kEpoch) / 1s << " s: LAC sessions up "
                  << count(lab.lac_node, Kind::session_up) << ", LNS "
                  << count(lab.lns_node, Kind::session_up) << ", LAC tunnels up "
                  << count(lab.lac_node, Kind::tunnel_up) << ", down "
                  << count(lab.lac_node, Kind::tunnel_down);
  for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
    const Engine& e = n->engine();
    EXPECT_EQ(count(*n, Kind::tunnel_up), kTunnels);
    EXPECT_EQ(count(*n, Kind::tunnel_down), 0u);
    EXPECT_EQ(count(*n, Kind::session_down), 0u);
    EXPECT_EQ(e.tunnel_count(), kTunnels);
    EXPECT_EQ(e.session_count(), kSessions);
    EXPECT_EQ(e.counters()[Ctr::l2tp_tunnel_established], kTunnels);
    EXPECT_EQ(e.counters()[Ctr::l2tp_session_established], kSessions);
    EXPECT_EQ(e.counters()[Ctr::l2tp_ctl_give_up], 0u);
    EXPECT_EQ(e.counters()[Ctr::l2tp_tunnel_auth_failed], 0u);
    EXPECT_EQ(e.counters()[Ctr::l2tp_session_refused], 0u);
    EXPECT_GT(e.counters()[Ctr::l2tp_ctl_retransmit], 0u);
    EXPECT_EQ(check_events(n->events(), false), "");
    for (const auto& t : e.tunnels()) {
      EXPECT_TRUE(t.established);
      EXPECT_EQ(t.sessions, kIncoming + kOutgoing);
    }
  }
  for (const TimedEvent& t : lab.lac_node.events())
    if (t.ev.kind == Kind::tunnel_up) {
      EXPECT_EQ(t.ev.peer_host_name, "lns.sim");
    }
  for (const TimedEvent& t : lab.lns_node.events())
    if (t.ev.kind == Kind::tunnel_up) {
      EXPECT_EQ(t.ev.peer_host_name, "lac.sim");
    }
  // The duplicates the network made were acknowledged and dropped.
  EXPECT_GT(lab.lac.counters()[Ctr::l2tp_ctl_rx_duplicate] + lab.lns.counters()[Ctr::l2tp_ctl_rx_duplicate],
            0u);

  // --- frames, on a clean network so every one must arrive ---
  lab.net.set_impairments(clean());
  const auto lac_refs = refs_of(lab.lac_node, Kind::session_up);
  const auto lns_refs = refs_of(lab.lns_node, Kind::session_up);
  for (std::uint8_t n = 0; n < kFrames; ++n) {
    for (SessionRef r : lac_refs) ASSERT_TRUE(lab.lac.send_frame(lab.drv.now(), r, frame_from(r, n)).ok());
    for (SessionRef r : lns_refs) ASSERT_TRUE(lab.lns.send_frame(lab.drv.now(), r, frame_from(r, n)).ok());
  }
  lab.drv.run_for(
      [&] {
        return count(lab.lac_node, Kind::frame) == kSessions * kFrames &&
               count(lab.lns_node, Kind::frame) == kSessions * kFrames;
      },
      10s);
  // Each frame arrives on the session paired with its sender's, and the
  // pairing is one-to-one and the same both ways.
  std::map<Key, Key> lac_to_lns, lns_to_lac;
  for (const TimedEvent& t : lab.lns_node.events()) {
    if (t.ev.kind != Kind::frame) continue;
    const SessionRef from = sender_of(t.ev.frame);
    auto it = lac_to_lns.try_emplace(key(from), key(t.ev.ref)).first;
    EXPECT_EQ(it->second, key(t.ev.ref));
  }
  for (const TimedEvent& t : lab.lac_node.events()) {
    if (t.ev.kind != Kind::frame) continue;
    const SessionRef from = sender_of(t.ev.frame);
    lns_to_lac.try_emplace(key(from), key(t.ev.ref));
    auto it = lac_to_lns.find(key(t.ev.ref));
    ASSERT_NE(it, lac_to_lns.end());
    EXPECT_EQ(it->second, key(from));
  }
  EXPECT_EQ(lac_to_lns.size(), kSessions);
  EXPECT_EQ(lns_to_lac.size(), kSessions);
  for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
    EXPECT_EQ(count(*n, Kind::frame), kSessions * kFrames);
    EXPECT_EQ(n->engine().counters()[Ctr::l2tp_data_tx], kSessions * kFrames);
    EXPECT_EQ(n->engine().counters()[Ctr::l2tp_data_rx], kSessions * kFrames);
    EXPECT_EQ(n->engine().counters()[Ctr::l2tp_data_rx_no_session], 0u);
  }

  // --- teardown under loss: a session and a tunnel from each side ---
  lab.net.set_impairments(lossy());
  const auto lac_tunnels = lab.lac.tunnels();
  ASSERT_EQ(lac_tunnels.size(), kTunnels);
  const Instant t0 = lab.drv.now();
  const ResultCode admin{l2tp::result::kAdministrative, std::nullopt, ""};
  const ResultCode clear{l2tp::result::kGeneralClear, std::nullopt, ""};
  // A call of tunnel 2 closed by the LAC, another one by the LNS.
  SessionRef lac_closed{}, lns_closed{};
  for (SessionRef r : lac_refs)
    if (r.tunnel == lac_tunnels[2].local_id) lac_closed = r;
  const Key pair_of_lac_closed = lac_to_lns[key(lac_closed)];
  for (SessionRef r : lns_refs)
    if (r.tunnel == lac_tunnels[2].peer_id && key(r) != pair_of_lac_closed) lns_closed = r;
  ASSERT_NE(lac_closed.session, 0);
  ASSERT_NE(lns_closed.session, 0);
  ASSERT_TRUE(lab.lac.close_session(t0, lac_closed, admin).ok());
  ASSERT_TRUE(lab.lns.close_session(t0, lns_closed, admin).ok());
  // Tunnel 0 closed by the LAC, tunnel 1 by the LNS.
  ASSERT_TRUE(lab.lac.close_tunnel(t0, lac_tunnels[0].local_id, clear).ok());
  ASSERT_TRUE(lab.lns.close_tunnel(t0, lac_tunnels[1].peer_id, clear).ok());
  const auto first_closes_done = [&] {
    for (EngineNode* n : {&lab.lac_node, &lab.lns_node})
      if (count(*n, Kind::tunnel_down) != 2 ||
          count(*n, Kind::session_down) != 2 * (kIncoming + kOutgoing) + 2)
        return false;
    return true;
  };
  ASSERT_TRUE(lab.drv.run_for(first_closes_done, 1h));
  // Then the rest, from the LNS (shutdown).
  lab.lns.close_all(lab.drv.now(), ResultCode{l2tp::result::kShuttingDown, std::nullopt, ""});
  const bool idle = lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 1h);
  ASSERT_TRUE(idle) << "LAC tunnels " << lab.lac.tunnel_count() << ", LNS tunnels " << lab.lns.tunnel_count();
  EXPECT_GE(lab.drv.now(), t0 + lns_cfg.stop_hold);  // closing tunnels held their state

  for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
    const Engine& e = n->engine();
    EXPECT_EQ(check_events(n->events(), true), "");
    EXPECT_EQ(count(*n, Kind::tunnel_down), kTunnels);
    EXPECT_EQ(count(*n, Kind::session_down), kSessions);
    EXPECT_EQ(e.tunnel_count(), 0u);
    EXPECT_EQ(e.session_count(), 0u);
    EXPECT_EQ(e.counters()[Ctr::l2tp_tunnel_closed], kTunnels);
    EXPECT_EQ(e.counters()[Ctr::l2tp_session_closed], kSessions);
    EXPECT_EQ(e.counters()[Ctr::l2tp_ctl_give_up], 0u);
    EXPECT_EQ(e.next_deadline(), kNever);
  }
  // Who closed what, and why.
  std::map<std::uint16_t, const Event*> lac_down, lns_down;
  for (const TimedEvent& t : lab.lac_node.events())
    if (t.ev.kind == Kind::tunnel_down) lac_down[t.ev.ref.tunnel] = &t.ev;
  for (const TimedEvent& t : lab.lns_node.events())
    if (t.ev.kind == Kind::tunnel_down) lns_down[t.ev.ref.tunnel] = &t.ev;
  ASSERT_EQ(lac_down.size(), kTunnels);
  ASSERT_EQ(lns_down.size(), kTunnels);
  const bool lac_closes[kTunnels] = {true, false, false};
  const std::uint16_t why[kTunnels] = {clear.result, clear.result, l2tp::result::kShuttingDown};
  for (unsigned i = 0; i < kTunnels; ++i) {
    SCOPED_TRACE("tunnel " + std::to_string(i));
    const Event* l = lac_down[lac_tunnels[i].local_id];
    const Event* n = lns_down[lac_tunnels[i].peer_id];
    ASSERT_NE(l, nullptr);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(l->by_peer, !lac_closes[i]);
    EXPECT_EQ(n->by_peer, lac_closes[i]);
    EXPECT_EQ(l->result.result, why[i]);
    EXPECT_EQ(n->result.result, why[i]);
  }
  // The two sessions closed alone carry CDN result 3 on both sides.
  int admin_downs = 0;
  for (EngineNode* n : {&lab.lac_node, &lab.lns_node})
    for (const TimedEvent& t : n->events())
      if (t.ev.kind == Kind::session_down && t.ev.result.result == l2tp::result::kAdministrative)
        ++admin_downs;
  EXPECT_EQ(admin_downs, 4);
}

TEST_P(L2tpSimLifecycle, EstablishExchangeAndTearDownUnderLoss) {
  for (std::uint64_t seed : sim_seeds(50, 100)) {
    SCOPED_TRACE(seed_trace(seed) + " " + auth_name(GetParam()));
    run_lifecycle(seed, GetParam());
    if (HasFailure()) return;  // one seed's story is enough
  }
}

INSTANTIATE_TEST_SUITE_P(Auth, L2tpSimLifecycle, testing::Values(Auth::none, Auth::challenge, Auth::hidden),
                         [](const testing::TestParamInfo<Auth>& i) {
                           std::string s = auth_name(i.param);
                           std::replace(s.begin(), s.end(), '-', '_');
                           std::replace(s.begin(), s.end(), '+', '_');
                           return s;
                         });

// --- exact timing on a clean network -----------------------------------------

TEST(L2tpSim, CleanHandshakeTakesThreeMessagesPerStep) {
  Lab lab(1, clean(), tunnel_config("lac", Auth::challenge), tunnel_config("lns", Auth::challenge));
  Story story(lab);
  lab.open_tunnel(1);
  ASSERT_TRUE(lab.drv.run_for(
      [&] {
        return count(lab.lac_node, Kind::session_up) == 1 && count(lab.lns_node, Kind::session_up) == 1;
      },
      1min));
  // SCCRQ ->, <- SCCRP, SCCCN ->; ICRQ ->, <- ICRP, ICCN ->: the LNS sees
  // the session at 5 one-way delays; the LAC's session is up when it sends
  // ICCN, at 4.
  const auto at = [](const EngineNode& n, Kind k) {
    for (const TimedEvent& t : n.events())
      if (t.ev.kind == k) return t.at;
    return kNever;
  };
  EXPECT_EQ(at(lab.lac_node, Kind::tunnel_up), kEpoch + 20ms);
  EXPECT_EQ(at(lab.lns_node, Kind::tunnel_up), kEpoch + 30ms);
  EXPECT_EQ(at(lab.lac_node, Kind::session_up), kEpoch + 40ms);
  EXPECT_EQ(at(lab.lns_node, Kind::session_up), kEpoch + 50ms);
  for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
    EXPECT_EQ(n->engine().counters()[Ctr::l2tp_ctl_retransmit], 0u);
    EXPECT_EQ(n->engine().counters()[Ctr::l2tp_ctl_rx_duplicate], 0u);
  }
  EXPECT_EQ(lab.lac.counters()[Ctr::l2tp_ctl_tx], 4u);  // SCCRQ, SCCCN, ICRQ, ICCN
  EXPECT_EQ(lab.lns.counters()[Ctr::l2tp_ctl_tx], 2u);  // SCCRP, ICRP
}

TEST(L2tpSim, ClosedTunnelsHoldStateForTheFullCycle) {
  Lab lab(2, clean(), tunnel_config("lac", Auth::none), tunnel_config("lns", Auth::none));
  Story story(lab);
  const std::uint16_t t = lab.open_tunnel(2);
  ASSERT_TRUE(lab.drv.run_for([&] { return count(lab.lns_node, Kind::session_up) == 2; }, 1min));
  const Instant t0 = lab.drv.now();
  ASSERT_TRUE(lab.lac.close_tunnel(t0, t, ResultCode{l2tp::result::kGeneralClear, std::nullopt, ""}).ok());
  // The LAC holds from t0, the LNS from when the StopCCN arrives (t0 + 10 ms).
  lab.drv.run_until(nullptr, t0 + 31s - 1ns);
  EXPECT_FALSE(lab.lac.idle());
  EXPECT_FALSE(lab.lns.idle());
  EXPECT_EQ(count(lab.lac_node, Kind::tunnel_down), 1u);  // reported at once
  EXPECT_EQ(count(lab.lns_node, Kind::tunnel_down), 1u);
  EXPECT_EQ(count(lab.lac_node, Kind::session_down), 2u);
  EXPECT_EQ(count(lab.lns_node, Kind::session_down), 2u);
  EXPECT_TRUE(lab.lac.quiescent());  // StopCCN acknowledged
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 1min));
  EXPECT_LE(lab.drv.now(), t0 + 31s + 10ms);
  EXPECT_EQ(lab.lac.counters()[Ctr::l2tp_ctl_retransmit] + lab.lns.counters()[Ctr::l2tp_ctl_retransmit], 0u);
}

// --- keepalive ------------------------------------------------------------------

TEST(L2tpSim, HellosKeepAQuietTunnelUpForAnHour) {
  Impairments imp = lossy();
  // With the §5.8 defaults a Hello is given up on when six attempts in a
  // row lose the Hello or its acknowledgement: (1 - 0.95^2)^6 ~ 1e-6 per
  // Hello at 5% loss (at 10% it is 5e-5, and seed 153 of a 10%-loss run
  // does lose a tunnel that way, rightly).
  imp.loss = 0.05;
  for (std::uint64_t seed : sim_seeds(10, 300)) {
    SCOPED_TRACE(seed_trace(seed));
    Lab lab(seed, imp, tunnel_config("lac", Auth::challenge), tunnel_config("lns", Auth::challenge));
    Story story(lab);
    lab.open_tunnel(1);
    ASSERT_TRUE(lab.drv.run_for([&] { return count(lab.lns_node, Kind::session_up) == 1; }, 5min));
    const Instant t0 = lab.drv.now();
    const std::uint64_t steps0 = lab.drv.stats().steps;
    lab.drv.run_for(1h);
    EXPECT_EQ(lab.drv.now(), t0 + 1h);
    for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
      EXPECT_EQ(count(*n, Kind::tunnel_down), 0u);
      EXPECT_EQ(count(*n, Kind::session_down), 0u);
      EXPECT_EQ(n->engine().counters()[Ctr::l2tp_ctl_give_up], 0u);
      ASSERT_EQ(n->engine().tunnels().size(), 1u);
      EXPECT_TRUE(n->engine().tunnels()[0].established);
    }
    // Whoever hears nothing for 60 s says Hello: at least one per minute
    // between them, and never more than one each per minute.
    const std::uint64_t hellos =
        lab.lac.counters()[Ctr::l2tp_hello_tx] + lab.lns.counters()[Ctr::l2tp_hello_tx];
    EXPECT_GE(hellos, 59u);
    EXPECT_LE(hellos, 122u);
    // Virtual time jumps from event to event: an hour is a few hundred steps.
    EXPECT_LT(lab.drv.stats().steps - steps0, 2000u);
  }
}

// --- link failure -----------------------------------------------------------------

TEST(L2tpSim, BlackholeBringsTheTunnelDownOnBothSides) {
  for (std::uint64_t seed : sim_seeds(10, 400)) {
    SCOPED_TRACE(seed_trace(seed));
    Lab lab(seed, clean(), tunnel_config("lac", Auth::none), tunnel_config("lns", Auth::none));
    Story story(lab);
    const std::uint16_t t = lab.open_tunnel(2);
    ASSERT_TRUE(lab.drv.run_for([&] { return count(lab.lns_node, Kind::session_up) == 2; }, 1min));
    lab.drv.run_for(5s);
    const Instant cut = lab.drv.now();
    lab.net.set_blackhole(kLacAddr, kLnsAddr, true);
    // A new call right at the cut: its ICRQ is never acknowledged, so the
    // LAC gives up one full cycle later (1+2+4+8+8+8 = 31 s, §5.7/§5.8).
    ASSERT_TRUE(lab.lac.open_session(cut, t, CallParams{}).ok());
    ASSERT_TRUE(lab.drv.run_for([&] { return count(lab.lac_node, Kind::tunnel_down) == 1; }, 10min));
    EXPECT_EQ(lab.drv.now(), cut + 31s);
    // The LNS hears nothing; it says Hello after 60 s of silence and gives up
    // a cycle later.
    ASSERT_TRUE(lab.drv.run_for([&] { return count(lab.lns_node, Kind::tunnel_down) == 1; }, 10min));
    EXPECT_LE(lab.drv.now(), cut + 60s + 31s);
    EXPECT_GE(lab.drv.now(), cut + 31s);
    for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
      const Engine& e = n->engine();
      EXPECT_EQ(e.counters()[Ctr::l2tp_ctl_give_up], 1u);
      EXPECT_EQ(e.counters()[Ctr::l2tp_ctl_retransmit], 5u);
      EXPECT_EQ(count(*n, Kind::tunnel_down), 1u);
      for (const TimedEvent& te : n->events())
        if (te.ev.kind == Kind::tunnel_down) {
          EXPECT_FALSE(te.ev.by_peer);
        }
    }
    EXPECT_EQ(lab.lns.counters()[Ctr::l2tp_hello_tx], 1u);
    EXPECT_EQ(count(lab.lac_node, Kind::session_down), 3u);  // two up, one waiting
    EXPECT_EQ(count(lab.lns_node, Kind::session_down), 2u);
    ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 10min));
    EXPECT_EQ(check_events(lab.lac_node.events(), true), "");
    EXPECT_EQ(check_events(lab.lns_node.events(), true), "");
    EXPECT_EQ(lab.net.stats().delivered + lab.net.stats().dropped_blackhole, lab.net.stats().sent);
  }
}

// --- authentication mismatch ---------------------------------------------------------

TEST(L2tpSim, WrongSecretRefusesTheTunnelOnBothSides) {
  for (std::uint64_t seed : sim_seeds(20, 500)) {
    SCOPED_TRACE(seed_trace(seed));
    TunnelConfig lns_cfg = patient(tunnel_config("lns", Auth::challenge));
    lns_cfg.secret = {'o', 't', 'h', 'e', 'r'};
    Lab lab(seed, lossy(), patient(tunnel_config("lac", Auth::challenge)), lns_cfg);
    Story story(lab);
    lab.open_tunnel(1);
    ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 1h));
    for (EngineNode* n : {&lab.lac_node, &lab.lns_node}) {
      EXPECT_EQ(count(*n, Kind::tunnel_up), 0u);
      EXPECT_EQ(count(*n, Kind::session_up), 0u);
      EXPECT_EQ(count(*n, Kind::tunnel_down), 1u);
      EXPECT_EQ(check_events(n->events(), true), "");
    }
    // The LAC checks the LNS's Challenge Response in the SCCRP first.
    EXPECT_EQ(lab.lac.counters()[Ctr::l2tp_tunnel_auth_failed], 1u);
    EXPECT_EQ(lab.lac.counters()[Ctr::l2tp_tunnel_established], 0u);
    EXPECT_EQ(lab.lns.counters()[Ctr::l2tp_tunnel_established], 0u);
  }
}

// --- damage --------------------------------------------------------------------------

TEST(L2tpSim, CorruptedDatagramsNeverBreakTheContract) {
  // Flipped bits and truncations anywhere (no UDP checksum in the
  // simulator): the engines may clear tunnels and calls, but every event
  // sequence stays valid and close_all() still ends idle.
  Impairments imp = lossy();
  imp.loss = 0.1;
  imp.corrupt = 0.1;
  std::uint64_t dropped = 0;
  for (std::uint64_t seed : sim_seeds(50, 600)) {
    SCOPED_TRACE(seed_trace(seed));
    Lab lab(seed, imp, patient(tunnel_config("lac", Auth::hidden)),
            patient(tunnel_config("lns", Auth::hidden)));
    Story story(lab);
    for (unsigned i = 0; i < 3; ++i) lab.open_tunnel(4);
    lab.drv.run_for(10min);
    lab.lac.close_all(lab.drv.now(), ResultCode{l2tp::result::kShuttingDown, std::nullopt, ""});
    lab.lns.close_all(lab.drv.now(), ResultCode{l2tp::result::kShuttingDown, std::nullopt, ""});
    ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 1h));
    EXPECT_EQ(check_events(lab.lac_node.events(), true), "");
    EXPECT_EQ(check_events(lab.lns_node.events(), true), "");
    for (const Engine* e : {&lab.lac, &lab.lns}) {
      const Counters& c = e->counters();
      dropped += c[Ctr::l2tp_rx_bad_header] + c[Ctr::l2tp_rx_bad_length] + c[Ctr::l2tp_rx_bad_version] +
                 c[Ctr::l2tp_rx_malformed_avp] + c[Ctr::l2tp_rx_unknown_tunnel] +
                 c[Ctr::l2tp_rx_unknown_session] + c[Ctr::l2tp_rx_control_bad_flags];
    }
    EXPECT_GT(lab.net.stats().corrupted, 0u);
  }
  EXPECT_GT(dropped, 0u);  // the damage was seen and counted
}

}  // namespace
}  // namespace l2sec::sim
