// Two gateway::Gateways, a LAC and an LNS built from Config values, over
// the simulated network: the LAC dials its peer and places its calls, LCP
// echoes cross the sessions both ways, shutdown leaves both idle, and a LAC
// with redial comes back after the LNS or the link drops the tunnel.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/counters.hpp"
#include "crypto/random.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "sim_driver.hpp"
#include "sim_gateway_node.hpp"
#include "sim_network.hpp"
#include "sim_seeds.hpp"

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;
using gateway::Config;
using gateway::Gateway;
using Kind = l2tp::Event::Kind;

const Endpoint kLacAddr = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kLnsAddr = Endpoint::v4({198, 51, 100, 7}, 1701);
constexpr unsigned kCalls = 3;

std::vector<std::uint8_t> secret() { return {'g', 'w', '-', 's', 'e', 'c', 'r', 'e', 't'}; }

Config lac_config(bool redial) {
  Config c;
  c.role = gateway::Role::lac;
  c.listen = kLacAddr;
  c.host_name = "lac.gw";
  c.sink = gateway::SinkKind::lcp_echo;
  c.redial = redial;
  c.redial_delay = 5s;
  gateway::PeerConfig p;
  p.name = "lns.gw";
  p.address = kLnsAddr;
  p.secret = secret();
  p.hidden_avps = true;
  p.sessions = kCalls;
  p.call.calling_number = "5551234";
  c.peers.push_back(p);
  return c;
}

Config lns_config() {
  Config c;
  c.role = gateway::Role::lns;
  c.listen = kLnsAddr;
  c.host_name = "lns.gw";
  c.sink = gateway::SinkKind::lcp_echo;
  gateway::PeerConfig p;
  p.name = "lac.gw";
  p.address = kLacAddr;
  p.secret = secret();
  p.hidden_avps = true;
  c.peers.push_back(p);
  return c;
}

struct EventLog {
  struct Entry {
    Instant at;
    Kind kind;
    bool by_peer;
  };
  std::vector<Entry> entries;
  std::size_t count(Kind k) const {
    std::size_t n = 0;
    for (const Entry& e : entries) n += e.kind == k ? 1 : 0;
    return n;
  }
  Instant last(Kind k) const {
    Instant t = kNever;
    for (const Entry& e : entries)
      if (e.kind == k) t = e.at;
    return t;
  }
};

struct GatewayLab {
  GatewayLab(std::uint64_t seed, const Impairments& imp, bool redial)
      : net(seed, imp),
        drv(net),
        lac_rng(seed * 2 + 1),
        lns_rng(seed * 2 + 2),
        lac(lac_config(redial), lac_rng, hooks(lac_log)),
        lns(lns_config(), lns_rng, hooks(lns_log)),
        lac_node(lac),
        lns_node(lns) {
    drv.attach(kLacAddr, lac_node);
    drv.attach(kLnsAddr, lns_node);
  }
  gateway::Hooks hooks(EventLog& log) {
    return gateway::Hooks{[this, &log](const l2tp::Event& e) {
      if (e.kind != Kind::frame) log.entries.push_back({drv.now(), e.kind, e.by_peer});
    }};
  }
  bool all_up() const {
    return lac_log.count(Kind::session_up) >= kCalls && lns_log.count(Kind::session_up) >= kCalls;
  }

  SimNetwork net;
  SimDriver drv;
  crypto::SeededRandom lac_rng, lns_rng;
  EventLog lac_log, lns_log;
  Gateway lac, lns;
  GatewayNode lac_node, lns_node;
};

Impairments lossy() {
  Impairments imp;
  imp.loss = 0.05;
  imp.duplicate = 0.05;
  imp.reorder = 0.1;
  imp.reorder_delay = 200ms;
  imp.delay = 10ms;
  imp.jitter = 5ms;
  return imp;
}

TEST(GatewaySim, LacDialsCallsComeUpEchoesFlowAndShutdownIsClean) {
  for (std::uint64_t seed : sim_seeds(20, 700)) {
    SCOPED_TRACE(seed_trace(seed));
    GatewayLab lab(seed, lossy(), false);
    lab.lac.start(lab.drv.now());
    ASSERT_TRUE(lab.drv.run_for([&] { return lab.all_up(); }, 10min));
    EXPECT_EQ(lab.lac.engine().session_count(), kCalls);
    EXPECT_EQ(lab.lns.engine().session_count(), kCalls);
    // A minute of LCP echoes each way, every second on every session: 60
    // per session, less what the 5% loss takes (each way), plus what the
    // 5% duplication adds.
    const std::uint64_t lac0 = lab.lac.lcp_echo_replies(), lns0 = lab.lns.lcp_echo_replies();
    lab.drv.run_for(60s);
    for (std::uint64_t got : {lab.lac.lcp_echo_replies() - lac0, lab.lns.lcp_echo_replies() - lns0}) {
      EXPECT_GE(got, 48u * kCalls);
      EXPECT_LE(got, 70u * kCalls);
    }
    EXPECT_GT(lab.lac.frames_received(), 0u);
    EXPECT_EQ(lab.lac.counters()[Ctr::l2tp_data_rx_no_session], 0u);

    lab.lac.shutdown(lab.drv.now());
    ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 10min));
    for (const EventLog* log : {&lab.lac_log, &lab.lns_log}) {
      EXPECT_EQ(log->count(Kind::tunnel_up), 1u);
      EXPECT_EQ(log->count(Kind::tunnel_down), 1u);
      EXPECT_EQ(log->count(Kind::session_down), kCalls);
    }
    for (const Gateway* g : {&lab.lac, &lab.lns}) {
      EXPECT_EQ(g->counters()[Ctr::l2tp_ctl_give_up], 0u);
      EXPECT_EQ(g->counters()[Ctr::l2tp_tunnel_auth_failed], 0u);
    }
    // Nothing left to do: no redial, no echo timer.
    EXPECT_EQ(lab.drv.next_deadline(), kNever);
  }
}

TEST(GatewaySim, LacRedialsAfterTheLnsClosesTheTunnel) {
  Impairments imp;
  imp.delay = 10ms;
  GatewayLab lab(1, imp, true);
  lab.lac.start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.all_up(); }, 1min));
  lab.lns.engine().close_all(lab.drv.now(), l2tp::ResultCode{l2tp::result::kGeneralClear, std::nullopt, ""});
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac_log.count(Kind::tunnel_up) == 2; }, 1min));
  const Instant down = lab.lac_log.last(Kind::tunnel_down);
  ASSERT_NE(down, kNever);
  // Dialled again redial_delay after the peer's StopCCN, up one round trip later.
  EXPECT_EQ(lab.drv.now(), down + 5s + 20ms);
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac_log.count(Kind::session_up) == 2 * kCalls; }, 1min));
  EXPECT_EQ(lab.lac.engine().session_count(), kCalls);
  EXPECT_EQ(lab.lac_log.count(Kind::tunnel_up), 2u);
  EXPECT_EQ(lab.lac_log.count(Kind::tunnel_down), 1u);
  EXPECT_EQ(lab.lac_log.count(Kind::session_down), kCalls);
}

TEST(GatewaySim, LacRedialsUntilABlackholedLinkComesBack) {
  Impairments imp;
  imp.delay = 10ms;
  GatewayLab lab(2, imp, true);
  lab.lac.start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.all_up(); }, 1min));
  lab.net.set_blackhole(kLacAddr, kLnsAddr, true);
  // LCP echoes keep data flowing but data is not acknowledged; the tunnel
  // falls when a Hello goes unanswered for a full cycle.
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac_log.count(Kind::tunnel_down) == 1; }, 10min));
  EXPECT_EQ(lab.lac.counters()[Ctr::l2tp_ctl_give_up], 1u);
  // Redials fail (each SCCRQ given up after 31 s) while the link is cut.
  lab.drv.run_for(2min);
  EXPECT_EQ(lab.lac_log.count(Kind::tunnel_up), 1u);
  EXPECT_GE(lab.lac_log.count(Kind::tunnel_down), 3u);
  lab.net.set_blackhole(kLacAddr, kLnsAddr, false);
  ASSERT_TRUE(lab.drv.run_for(
      [&] {
        return lab.lac_log.count(Kind::session_up) == 2 * kCalls &&
               lab.lac.engine().session_count() == kCalls;
      },
      5min));
  // The LNS dropped its side too (its own Hello went unanswered).
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lns.engine().tunnel_count() == 1; }, 5min));
  EXPECT_EQ(lab.lns.counters()[Ctr::l2tp_ctl_give_up], 1u);
}

}  // namespace
}  // namespace l2sec::sim
