// Two l2tp::ControlChannels over the simulated network (RFC 2661 §5.8,
// Appendix A): whatever the network loses, duplicates or reorders, every
// control message reaches the peer exactly once and in order.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/counters.hpp"
#include "crypto/random.hpp"
#include "l2tp/control_channel.hpp"
#include "sim_control_channel_node.hpp"
#include "sim_driver.hpp"
#include "sim_network.hpp"
#include "sim_seeds.hpp"

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;
using l2tp::ControlChannel;
using l2tp::ControlChannelConfig;

const Endpoint kLac = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kLns = Endpoint::v4({192, 0, 2, 2}, 1701);
constexpr std::uint16_t kLacTunnel = 0x1111;
constexpr std::uint16_t kLnsTunnel = 0x2222;

// The AVP bytes of message `n` from side `side` (not real AVPs: the channel
// does not look inside). Length varies with n; never empty (a ZLB is).
PacketBuf message(char side, std::uint32_t n) {
  const std::size_t len = 8 + n % 40;
  PacketBuf p(len);
  std::uint8_t* d = p.push_back(len);
  d[0] = static_cast<std::uint8_t>(side);
  d[1] = static_cast<std::uint8_t>(n >> 16);
  d[2] = static_cast<std::uint8_t>(n >> 8);
  d[3] = static_cast<std::uint8_t>(n);
  for (std::size_t i = 4; i < len; ++i) d[i] = static_cast<std::uint8_t>(n * 31 + i);
  return p;
}
std::uint16_t session_of(std::uint32_t n) { return static_cast<std::uint16_t>(n % 5); }

struct Pair {
  Pair(std::uint64_t seed, const Impairments& imp, const ControlChannelConfig& cfg)
      : net(seed, imp),
        drv(net),
        lac(cfg, lac_counters),
        lns(cfg, lns_counters),
        lac_node(lac, kLns, kLacTunnel),
        lns_node(lns, kLac, kLnsTunnel) {
    lac.set_peer_tunnel_id(kLnsTunnel);
    lns.set_peer_tunnel_id(kLacTunnel);
    lac.set_peer_window(cfg.receive_window);
    lns.set_peer_window(cfg.receive_window);
    drv.attach(kLac, lac_node);
    drv.attach(kLns, lns_node);
  }
  SimNetwork net;
  SimDriver drv;
  Counters lac_counters, lns_counters;
  ControlChannel lac, lns;
  ControlChannelNode lac_node, lns_node;
};

// Checks that `got` is exactly messages 0..count-1 of `side`, in order.
void expect_exactly_once_in_order(std::vector<l2tp::DeliveredMessage>& got, char side, std::uint32_t count,
                                  std::uint16_t tunnel) {
  ASSERT_EQ(got.size(), count) << "side " << side;
  for (std::uint32_t n = 0; n < count; ++n) {
    const PacketBuf want = message(side, n);
    const l2tp::DeliveredMessage& m = got[n];
    ASSERT_EQ(m.avps.size(), want.size()) << "side " << side << " message " << n;
    ASSERT_EQ(std::memcmp(m.avps.data(), want.data(), want.size()), 0) << "side " << side << " message " << n;
    ASSERT_EQ(m.hdr.ns, static_cast<std::uint16_t>(n));
    ASSERT_EQ(m.hdr.session_id, session_of(n));
    ASSERT_EQ(m.hdr.tunnel_id, tunnel);
  }
}

Impairments lossy() {
  Impairments imp;
  imp.loss = 0.3;
  imp.duplicate = 0.1;
  imp.reorder = 0.2;
  imp.reorder_delay = 400ms;
  imp.delay = 20ms;
  imp.jitter = 30ms;
  return imp;
}

// Sends `count` messages from each side in random bursts over time, then
// runs until both have everything and nothing is left unacknowledged.
void exchange(Pair& p, std::uint64_t seed, std::uint32_t count) {
  crypto::SeededRandom rnd(seed ^ 0x5eed);
  std::uint32_t sent_lac = 0, sent_lns = 0;
  while (sent_lac < count || sent_lns < count) {
    for (std::uint64_t k = rnd.next() % 9; k > 0 && sent_lac < count; --k, ++sent_lac)
      ASSERT_TRUE(p.lac.send(p.drv.now(), session_of(sent_lac), message('L', sent_lac)));
    for (std::uint64_t k = rnd.next() % 9; k > 0 && sent_lns < count; --k, ++sent_lns)
      ASSERT_TRUE(p.lns.send(p.drv.now(), session_of(sent_lns), message('N', sent_lns)));
    p.drv.run_for(Duration{static_cast<Duration::rep>(rnd.next() % 3'000'000'000)});
  }
  const bool done = p.drv.run_for(
      [&] {
        return p.lac_node.delivered().size() == count && p.lns_node.delivered().size() == count &&
               p.lac.all_acknowledged() && p.lns.all_acknowledged();
      },
      1h);
  ASSERT_TRUE(done) << "LAC got " << p.lac_node.delivered().size() << ", LNS got "
                    << p.lns_node.delivered().size();
}

TEST(ControlChannelSim, ExactlyOnceInOrderUnderLossDuplicationAndReordering) {
  // 30% loss in each direction makes six lost attempts in a row likely
  // somewhere among thousands of messages (0.3^6 per message, more with
  // lost acknowledgements): give the channel more retransmissions than the
  // default 5 (§5.8 makes the count configurable) so this test is about
  // delivery, not give-up.
  ControlChannelConfig cfg;
  cfg.max_retransmits = 20;
  constexpr std::uint32_t kCount = 200;
  for (std::uint64_t seed : sim_seeds(50)) {
    SCOPED_TRACE(seed_trace(seed));
    Pair p(seed, lossy(), cfg);
    exchange(p, seed, kCount);
    if (testing::Test::HasFatalFailure()) return;
    expect_exactly_once_in_order(p.lns_node.delivered(), 'L', kCount, kLnsTunnel);
    expect_exactly_once_in_order(p.lac_node.delivered(), 'N', kCount, kLacTunnel);
    for (const Counters* c : {&p.lac_counters, &p.lns_counters}) {
      EXPECT_EQ(c->get(Ctr::l2tp_ctl_tx), kCount);
      EXPECT_GT(c->get(Ctr::l2tp_ctl_retransmit), 0u);
      EXPECT_GT(c->get(Ctr::l2tp_ctl_rx_duplicate), 0u);
      EXPECT_EQ(c->get(Ctr::l2tp_ctl_give_up), 0u);
      EXPECT_EQ(c->get(Ctr::l2tp_ctl_rx_bad_nr), 0u);
    }
    EXPECT_GT(
        p.lac_counters.get(Ctr::l2tp_ctl_rx_out_of_order) + p.lns_counters.get(Ctr::l2tp_ctl_rx_out_of_order),
        0u);
    EXPECT_FALSE(p.lac.failed());
    EXPECT_FALSE(p.lns.failed());
    EXPECT_EQ(p.lac.next_ns(), static_cast<std::uint16_t>(kCount));
    EXPECT_EQ(p.lns.expected_nr(), static_cast<std::uint16_t>(kCount));
    EXPECT_EQ(p.lac_node.rejected() + p.lns_node.rejected(), 0u);
  }
}

TEST(ControlChannelSim, DefaultTimersSurviveModerateLoss) {
  // The §5.8 defaults (5 retransmissions, 1 s doubling to 8 s) with 10% loss.
  Impairments imp = lossy();
  imp.loss = 0.1;
  constexpr std::uint32_t kCount = 300;
  for (std::uint64_t seed : sim_seeds(20, 1000)) {
    SCOPED_TRACE(seed_trace(seed));
    Pair p(seed, imp, ControlChannelConfig{});
    exchange(p, seed, kCount);
    if (testing::Test::HasFatalFailure()) return;
    expect_exactly_once_in_order(p.lns_node.delivered(), 'L', kCount, kLnsTunnel);
    expect_exactly_once_in_order(p.lac_node.delivered(), 'N', kCount, kLacTunnel);
    EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_give_up) + p.lns_counters.get(Ctr::l2tp_ctl_give_up), 0u);
  }
}

TEST(ControlChannelSim, CleanNetworkNeedsNoRetransmission) {
  Impairments imp;
  imp.delay = 5ms;
  Pair p(1, imp, ControlChannelConfig{});
  exchange(p, 1, 500);
  ASSERT_FALSE(testing::Test::HasFatalFailure());
  expect_exactly_once_in_order(p.lns_node.delivered(), 'L', 500, kLnsTunnel);
  expect_exactly_once_in_order(p.lac_node.delivered(), 'N', 500, kLacTunnel);
  for (const Counters* c : {&p.lac_counters, &p.lns_counters}) {
    EXPECT_EQ(c->get(Ctr::l2tp_ctl_tx), 500u);
    EXPECT_EQ(c->get(Ctr::l2tp_ctl_retransmit), 0u);
    EXPECT_EQ(c->get(Ctr::l2tp_ctl_rx_duplicate), 0u);
    EXPECT_EQ(c->get(Ctr::l2tp_ctl_rx_out_of_order), 0u);
  }
}

TEST(ControlChannelSim, BlackholeGivesUpAfterTheFullRetransmissionCycle) {
  // §5.7/§5.8 defaults: retransmissions at 1, 3, 7, 15, 23 s; the channel
  // gives up when the fifth one times out, 31 s after the first send.
  Impairments imp;
  imp.delay = 5ms;
  Pair p(9, imp, ControlChannelConfig{});
  p.net.set_blackhole(kLac, kLns, true);
  ASSERT_TRUE(p.lac.send(p.drv.now(), 0, message('L', 0)));
  ASSERT_TRUE(p.drv.run_for([&] { return p.lac.failed(); }, 1h));
  EXPECT_EQ(p.drv.now(), kEpoch + 31s);
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_tx), 1u);
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_retransmit), 5u);
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_give_up), 1u);
  EXPECT_EQ(p.net.stats().dropped_blackhole, 6u);
  EXPECT_EQ(p.lac.next_deadline(), kNever);
  EXPECT_TRUE(p.lns_node.delivered().empty());
  // Nothing more happens afterwards.
  p.drv.run_for(1h);
  EXPECT_EQ(p.net.stats().sent, 6u);
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_give_up), 1u);
}

TEST(ControlChannelSim, LinkRestoredBeforeGivingUpDelivers) {
  Impairments imp;
  imp.delay = 5ms;
  Pair p(9, imp, ControlChannelConfig{});
  p.net.set_blackhole(kLac, kLns, true);
  ASSERT_TRUE(p.lac.send(p.drv.now(), 0, message('L', 0)));
  p.drv.run_for(20s);  // retransmissions at 1, 3, 7, 15 s lost
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_retransmit), 4u);
  p.net.set_blackhole(kLac, kLns, false);
  ASSERT_TRUE(p.drv.run_for([&] { return p.lac.all_acknowledged(); }, 1h));
  EXPECT_EQ(p.drv.now(), kEpoch + 23s + 10ms);  // fifth retransmission + round trip
  EXPECT_EQ(p.lns_node.delivered().size(), 1u);
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_give_up), 0u);
  EXPECT_EQ(p.lns_counters.get(Ctr::l2tp_ctl_zlb_tx), 1u);
  EXPECT_EQ(p.lac_counters.get(Ctr::l2tp_ctl_zlb_rx), 1u);
}

}  // namespace
}  // namespace l2sec::sim
