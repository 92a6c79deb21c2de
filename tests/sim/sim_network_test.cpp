// The simulated network alone: reproducibility, each impairment, blackholes
// and the order of deliveries.
#include "sim_network.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;

const Endpoint kA = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kB = Endpoint::v4({192, 0, 2, 2}, 1701);
const Endpoint kC = Endpoint::of_circuit(7);

// A datagram of `size` bytes whose first 4 bytes hold `n` (big-endian).
PacketBuf numbered(std::uint32_t n, std::size_t size = 32) {
  PacketBuf p(size);
  std::uint8_t* d = p.push_back(size);
  for (std::size_t i = 0; i < size; ++i) d[i] = static_cast<std::uint8_t>(i * 7 + n);
  d[0] = static_cast<std::uint8_t>(n >> 24);
  d[1] = static_cast<std::uint8_t>(n >> 16);
  d[2] = static_cast<std::uint8_t>(n >> 8);
  d[3] = static_cast<std::uint8_t>(n);
  return p;
}

std::uint32_t number_of(const PacketBuf& p) {
  const std::uint8_t* d = p.data();
  return (std::uint32_t{d[0]} << 24) | (std::uint32_t{d[1]} << 16) | (std::uint32_t{d[2]} << 8) | d[3];
}

// Drains everything in flight, advancing the clock delivery by delivery.
std::vector<Datagram> drain(SimNetwork& net) {
  std::vector<Datagram> out;
  while (net.next_delivery() != kNever) {
    net.advance_to(net.next_delivery());
    while (auto d = net.pop_due()) out.push_back(std::move(*d));
  }
  return out;
}

Impairments everything() {
  Impairments imp;
  imp.loss = 0.2;
  imp.duplicate = 0.1;
  imp.corrupt = 0.1;
  imp.reorder = 0.3;
  imp.reorder_delay = 50ms;
  imp.delay = 10ms;
  imp.jitter = 5ms;
  return imp;
}

// Sends 2000 datagrams among three nodes at staggered times, drains, and
// returns the trace.
std::vector<TraceEntry> traffic(std::uint64_t seed) {
  SimNetwork net(seed, everything());
  net.enable_trace(true);
  const Endpoint nodes[] = {kA, kB, kC};
  for (std::uint32_t i = 0; i < 2000; ++i) {
    net.send(nodes[i % 3], nodes[(i + 1) % 3], numbered(i, 20 + i % 50));
    if (i % 10 == 9) {
      net.advance_to(net.now() + 3ms);
      while (net.pop_due()) {
      }
    }
  }
  drain(net);
  return net.trace();
}

TEST(SimNetwork, SameSeedGivesIdenticalTrace) {
  const auto t1 = traffic(42);
  const auto t2 = traffic(42);
  ASSERT_GT(t1.size(), 2000u);
  EXPECT_EQ(t1, t2);
  const auto t3 = traffic(43);
  EXPECT_NE(t1, t3);
}

TEST(SimNetwork, NoImpairmentsDeliversEverythingAfterTheFixedDelay) {
  Impairments imp;
  imp.delay = 7ms;
  SimNetwork net(1, imp);
  for (std::uint32_t i = 0; i < 100; ++i) net.send(kA, kB, numbered(i));
  EXPECT_EQ(net.next_delivery(), kEpoch + 7ms);
  net.advance_to(kEpoch + 7ms - 1ns);
  EXPECT_FALSE(net.pop_due().has_value());
  net.advance_to(kEpoch + 7ms);
  for (std::uint32_t i = 0; i < 100; ++i) {
    auto d = net.pop_due();
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->at, kEpoch + 7ms);
    EXPECT_EQ(d->from, kA);
    EXPECT_EQ(d->to, kB);
    EXPECT_EQ(number_of(d->pkt), i);  // same instant: send order
    EXPECT_EQ(std::memcmp(d->pkt.data(), numbered(i).data(), 32), 0);
  }
  EXPECT_FALSE(net.pop_due().has_value());
  EXPECT_EQ(net.next_delivery(), kNever);
  const NetStats& s = net.stats();
  EXPECT_EQ(s.sent, 100u);
  EXPECT_EQ(s.delivered, 100u);
  EXPECT_EQ(s.dropped_loss + s.dropped_blackhole + s.duplicated + s.corrupted + s.reordered, 0u);
}

TEST(SimNetwork, LossRateIsNearTheSetting) {
  Impairments imp;
  imp.loss = 0.3;
  SimNetwork net(2024, imp);
  constexpr std::uint32_t kN = 100'000;
  for (std::uint32_t i = 0; i < kN; ++i) net.send(kA, kB, numbered(i, 4));
  const auto got = drain(net);
  const double rate = static_cast<double>(net.stats().dropped_loss) / kN;
  // Standard deviation sqrt(0.3 * 0.7 / 1e5) = 0.00145; 0.01 is ~7 of them.
  EXPECT_NEAR(rate, 0.3, 0.01);
  EXPECT_EQ(net.stats().delivered, got.size());
  EXPECT_EQ(net.stats().delivered + net.stats().dropped_loss, kN);
  // What survives arrives in order (no jitter) and unduplicated.
  for (std::size_t i = 1; i < got.size(); ++i) ASSERT_LT(number_of(got[i - 1].pkt), number_of(got[i].pkt));
}

TEST(SimNetwork, DuplicationDeliversIdenticalCopies) {
  Impairments imp;
  imp.duplicate = 0.25;
  SimNetwork net(7, imp);
  constexpr std::uint32_t kN = 20'000;
  for (std::uint32_t i = 0; i < kN; ++i) net.send(kA, kB, numbered(i));
  const auto got = drain(net);
  const NetStats& s = net.stats();
  EXPECT_NEAR(static_cast<double>(s.duplicated) / kN, 0.25, 0.015);
  EXPECT_EQ(got.size(), kN + s.duplicated);
  std::map<std::uint32_t, int> copies;
  for (const Datagram& d : got) {
    ++copies[number_of(d.pkt)];
    ASSERT_EQ(std::memcmp(d.pkt.data(), numbered(number_of(d.pkt)).data(), 32), 0);
  }
  ASSERT_EQ(copies.size(), kN);
  std::uint64_t twice = 0;
  for (auto& [n, c] : copies) {
    ASSERT_TRUE(c == 1 || c == 2) << n;
    twice += c == 2 ? 1 : 0;
  }
  EXPECT_EQ(twice, s.duplicated);
}

TEST(SimNetwork, ReorderAndJitterStayWithinTheirBounds) {
  Impairments imp;
  imp.delay = 10ms;
  imp.jitter = 2ms;
  imp.reorder = 0.2;
  imp.reorder_delay = 40ms;
  SimNetwork net(99, imp);
  constexpr std::uint32_t kN = 10'000;
  std::vector<Instant> sent_at(kN);
  for (std::uint32_t i = 0; i < kN; ++i) {
    sent_at[i] = net.now();
    net.send(kA, kB, numbered(i));
    net.advance_to(net.now() + 1ms);
  }
  // Take deliveries in time order as the clock passes them.
  std::vector<Datagram> got;
  while (net.next_delivery() != kNever) {
    net.advance_to(std::max(net.now(), net.next_delivery()));
    while (auto d = net.pop_due()) got.push_back(std::move(*d));
  }
  ASSERT_EQ(got.size(), kN);
  std::uint64_t inversions = 0;
  std::uint64_t late = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::uint32_t n = number_of(got[i].pkt);
    const Duration d = got[i].at - sent_at[n];
    ASSERT_GE(d, 10ms);
    ASSERT_LE(d, 10ms + 2ms + 40ms);
    late += d > 12ms ? 1 : 0;
    if (i > 0) inversions += number_of(got[i - 1].pkt) > n ? 1 : 0;
  }
  EXPECT_NEAR(static_cast<double>(net.stats().reordered) / kN, 0.2, 0.02);
  EXPECT_GT(inversions, kN / 20);  // reordering did reorder
  EXPECT_LE(late, net.stats().reordered);
  EXPECT_GT(late, net.stats().reordered * 9 / 10);  // extra delay > 2 ms for most of them
}

TEST(SimNetwork, CorruptionFlipsBitsOrTruncates) {
  Impairments imp;
  imp.corrupt = 1.0;
  SimNetwork net(5, imp);
  constexpr std::uint32_t kN = 4000;
  for (std::uint32_t i = 0; i < kN; ++i) net.send(kA, kB, numbered(i, 64));
  // The first 4 bytes may be damaged too: match copies by delivery order
  // (no jitter, so order is send order).
  const auto got = drain(net);
  ASSERT_EQ(got.size(), kN);
  const NetStats& s = net.stats();
  EXPECT_EQ(s.corrupted, kN);
  EXPECT_NEAR(static_cast<double>(s.truncated) / kN, 0.5, 0.05);
  std::uint64_t shorter = 0;
  for (std::uint32_t i = 0; i < kN; ++i) {
    const PacketBuf orig = numbered(i, 64);
    const PacketBuf& p = got[i].pkt;
    if (p.size() < 64) {
      ++shorter;
      ASSERT_EQ(std::memcmp(p.data(), orig.data(), p.size()), 0) << "truncation keeps a prefix";
      continue;
    }
    ASSERT_EQ(p.size(), 64u);
    int bits = 0;
    for (std::size_t j = 0; j < 64; ++j) bits += __builtin_popcount(p.data()[j] ^ orig.data()[j]);
    ASSERT_GE(bits, 1);
    ASSERT_LE(bits, 4);
  }
  EXPECT_EQ(shorter, s.truncated);
}

TEST(SimNetwork, CorruptionRateIsNearTheSetting) {
  Impairments imp;
  imp.corrupt = 0.05;
  SimNetwork net(11, imp);
  constexpr std::uint32_t kN = 40'000;
  for (std::uint32_t i = 0; i < kN; ++i) net.send(kA, kB, numbered(i));
  drain(net);
  EXPECT_NEAR(static_cast<double>(net.stats().corrupted) / kN, 0.05, 0.006);
  EXPECT_EQ(net.stats().delivered, kN);
}

TEST(SimNetwork, BlackholeCutsALinkBothWaysAndRestores) {
  SimNetwork net(3);
  net.set_blackhole(kA, kB, true);
  net.send(kA, kB, numbered(1));
  net.send(kB, kA, numbered(2));
  net.send(kA, kC, numbered(3));  // other links unaffected
  auto got = drain(net);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, kC);
  EXPECT_EQ(net.stats().dropped_blackhole, 2u);

  net.set_blackhole(kA, kB, false);
  net.send(kA, kB, numbered(4));
  got = drain(net);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(number_of(got[0].pkt), 4u);
}

TEST(SimNetwork, BlackholeDropsDatagramsAlreadyInFlight) {
  SimNetwork net(3);
  net.send(kA, kB, numbered(1));
  net.send(kA, kC, numbered(2));
  net.set_blackhole(kA, kB, true);  // cut while both are on the wire
  auto got = drain(net);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(number_of(got[0].pkt), 2u);
  EXPECT_EQ(net.stats().dropped_blackhole, 1u);
  EXPECT_EQ(net.stats().delivered, 1u);
}

TEST(SimNetwork, OneWayAndTotalBlackhole) {
  SimNetwork net(3);
  net.set_blackhole_one_way(kA, kB, true);
  net.send(kA, kB, numbered(1));
  net.send(kB, kA, numbered(2));
  auto got = drain(net);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, kA);

  net.set_blackhole_all(true);
  net.send(kB, kA, numbered(3));
  net.send(kC, kA, numbered(4));
  EXPECT_TRUE(drain(net).empty());
  EXPECT_EQ(net.stats().dropped_blackhole, 3u);
  net.set_blackhole_all(false);
  net.send(kC, kA, numbered(5));
  EXPECT_EQ(drain(net).size(), 1u);
}

TEST(SimNetwork, LinkImpairmentsOverrideTheGlobalOnes) {
  Impairments lossy;
  lossy.loss = 1.0;
  SimNetwork net(8);
  net.set_link_impairments(kA, kB, lossy);
  net.send(kA, kB, numbered(1));
  net.send(kB, kA, numbered(2));  // the other direction is its own link
  auto got = drain(net);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].to, kA);
  EXPECT_EQ(net.stats().dropped_loss, 1u);
  net.clear_link_impairments(kA, kB);
  net.send(kA, kB, numbered(3));
  EXPECT_EQ(drain(net).size(), 1u);
}

TEST(SimNetwork, DeliveriesComeInTimeThenSequenceOrder) {
  Impairments imp;
  imp.delay = 5ms;
  imp.jitter = 5ms;
  SimNetwork net(17, imp);
  for (std::uint32_t i = 0; i < 5000; ++i) {
    net.send(kA, kB, numbered(i));
    if (i % 100 == 99) net.advance_to(net.now() + 1ms);
  }
  net.advance_to(net.now() + 1h);  // everything is due: pop_due must sort it
  Instant last = kEpoch;
  std::uint64_t last_id = 0;
  std::size_t n = 0;
  while (auto d = net.pop_due()) {
    ++n;
    ASSERT_TRUE(d->at > last || (d->at == last && d->id > last_id));
    last = d->at;
    last_id = d->id;
  }
  EXPECT_EQ(n, 5000u);
}

TEST(SimNetwork, CountersAccountForEveryDatagram) {
  SimNetwork net(1234, everything());
  net.set_blackhole(kA, kC, true);
  const Endpoint nodes[] = {kA, kB, kC};
  for (std::uint32_t i = 0; i < 30'000; ++i) net.send(nodes[i % 3], nodes[(i / 3) % 3], numbered(i));
  const NetStats& s = net.stats();
  EXPECT_EQ(s.sent + s.duplicated, s.delivered + s.dropped_loss + s.dropped_blackhole + net.in_flight());
  drain(net);
  EXPECT_EQ(net.in_flight(), 0u);
  EXPECT_EQ(s.sent, 30'000u);
  EXPECT_EQ(s.sent + s.duplicated, s.delivered + s.dropped_loss + s.dropped_blackhole);
  EXPECT_GT(s.dropped_blackhole, 0u);
  EXPECT_GT(s.corrupted, 0u);
}

TEST(SimNetworkDeathTest, ClockCannotGoBackwards) {
  SimNetwork net(1);
  net.advance_to(kEpoch + 1s);
  EXPECT_DEATH(net.advance_to(kEpoch), "backwards");
}

}  // namespace
}  // namespace l2sec::sim
