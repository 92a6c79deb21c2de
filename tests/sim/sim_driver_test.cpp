// The driver loop with trivial in-test nodes: an echo responder, a pinger
// with a retransmission timer, and a periodic ticker.
#include "sim_driver.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <stdexcept>
#include <vector>

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;

const Endpoint kA = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kB = Endpoint::v4({192, 0, 2, 2}, 1701);

PacketBuf byte_packet(std::uint8_t v) {
  PacketBuf p(1);
  *p.push_back(1) = v;
  return p;
}

// Sends back every datagram it receives.
class EchoNode final : public SimNode {
 public:
  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override {
    received.push_back(now);
    out_.push_back({from, std::move(pkt)});
  }
  void on_timeout(Instant) override {}
  Instant next_deadline() const override { return kNever; }
  void flush(Instant, gateway::Output& out) override {
    for (auto& [to, p] : out_) out.send(to, std::move(p));
    out_.clear();
  }
  std::vector<Instant> received;

 private:
  std::vector<std::pair<Endpoint, PacketBuf>> out_;
};

// Sends `count` pings one after the other to `peer`; resends the current
// one if no echo came back within `rto` (stop-and-wait).
class PingNode final : public SimNode {
 public:
  PingNode(Endpoint peer, int count, Duration rto) : peer_(peer), left_(count), rto_(rto) {}
  void start(Instant now) { send_next(now); }
  void on_datagram(Instant now, const Endpoint&, PacketBuf&& pkt) override {
    if (pkt.size() != 1 || pkt.data()[0] != current_) return;  // stale duplicate
    ++echoed;
    rtts.push_back(now - sent_at_);
    deadline_ = kNever;
    if (left_ > 0) send_next(now);
  }
  void on_timeout(Instant now) override {
    ++retransmits;
    pending_ = true;
    sent_at_ = now;
    deadline_ = now + rto_;
  }
  Instant next_deadline() const override { return deadline_; }
  void flush(Instant, gateway::Output& out) override {
    if (!pending_) return;
    pending_ = false;
    out.send(peer_, byte_packet(current_));
  }
  bool done() const { return left_ == 0 && deadline_ == kNever; }
  int echoed = 0;
  int retransmits = 0;
  std::vector<Duration> rtts;

 private:
  void send_next(Instant now) {
    --left_;
    ++current_;
    pending_ = true;
    sent_at_ = now;
    deadline_ = now + rto_;
  }
  Endpoint peer_;
  int left_;
  Duration rto_;
  std::uint8_t current_ = 0;
  bool pending_ = false;
  Instant sent_at_{};
  Instant deadline_ = kNever;
};

// Fires every `period`, recording when.
class TickNode final : public SimNode {
 public:
  explicit TickNode(Duration period) : period_(period), next_(kEpoch + period) {}
  void on_datagram(Instant, const Endpoint&, PacketBuf&&) override {}
  void on_timeout(Instant now) override {
    ticks.push_back(now);
    next_ = now + period_;
  }
  Instant next_deadline() const override { return next_; }
  void flush(Instant, gateway::Output&) override {}
  std::vector<Instant> ticks;

 private:
  Duration period_;
  Instant next_;
};

// Its deadline never moves: a broken engine.
class StuckNode final : public SimNode {
 public:
  void on_datagram(Instant, const Endpoint&, PacketBuf&&) override {}
  void on_timeout(Instant) override {}
  Instant next_deadline() const override { return kEpoch + 1s; }
  void flush(Instant, gateway::Output&) override {}
};

Impairments delay_only(Duration d) {
  Impairments imp;
  imp.delay = d;
  return imp;
}

TEST(SimDriver, EchoRoundTripsTakeExactlyTwiceTheDelay) {
  SimNetwork net(1, delay_only(10ms));
  SimDriver drv(net);
  EchoNode echo;
  PingNode ping(kB, 100, 1s);
  drv.attach(kA, ping);
  drv.attach(kB, echo);
  ping.start(drv.now());
  ASSERT_TRUE(drv.run_until([&] { return ping.done(); }, kEpoch + 1h));
  EXPECT_EQ(ping.echoed, 100);
  EXPECT_EQ(ping.retransmits, 0);
  for (Duration rtt : ping.rtts) EXPECT_EQ(rtt, 20ms);
  EXPECT_EQ(drv.now(), kEpoch + 100 * 20ms);  // stops as soon as the predicate holds
  EXPECT_EQ(echo.received.size(), 100u);
  EXPECT_EQ(echo.received.front(), kEpoch + 10ms);
  EXPECT_EQ(drv.stats().deliveries, 200u);
  EXPECT_EQ(drv.stats().timeouts, 0u);
  EXPECT_EQ(net.stats().delivered, 200u);
}

TEST(SimDriver, TimeoutsDriveRetransmissionOverALossyLink) {
  Impairments imp = delay_only(10ms);
  imp.loss = 0.3;
  SimNetwork net(77, imp);
  SimDriver drv(net);
  EchoNode echo;
  PingNode ping(kB, 200, 100ms);
  drv.attach(kA, ping);
  drv.attach(kB, echo);
  ping.start(drv.now());
  ASSERT_TRUE(drv.run_until([&] { return ping.done(); }, kEpoch + 1h));
  EXPECT_EQ(ping.echoed, 200);
  EXPECT_GT(ping.retransmits, 0);
  EXPECT_EQ(static_cast<std::uint64_t>(ping.retransmits), drv.stats().timeouts);
  // Every attempt is one send; each lost either way costs one timeout.
  EXPECT_EQ(net.stats().sent, 200u + ping.retransmits + echo.received.size());
  EXPECT_EQ(net.stats().dropped_loss, static_cast<std::uint64_t>(ping.retransmits));
}

TEST(SimDriver, AnHourOfTimersRunsWithoutWaiting) {
  SimNetwork net(1);
  SimDriver drv(net);
  TickNode tick(1s);
  drv.attach(kA, tick);
  drv.run_for(1h);
  EXPECT_EQ(drv.now(), kEpoch + 1h);
  ASSERT_EQ(tick.ticks.size(), 3600u);
  for (std::size_t i = 0; i < tick.ticks.size(); ++i) EXPECT_EQ(tick.ticks[i], kEpoch + (i + 1) * 1s);
  EXPECT_EQ(drv.stats().steps, 3600u);
  EXPECT_EQ(drv.next_deadline(), kEpoch + 3601s);
}

TEST(SimDriver, RunUntilStopsAtTheLimitWhenThePredicateNeverHolds) {
  SimNetwork net(1);
  SimDriver drv(net);
  TickNode tick(10s);
  drv.attach(kA, tick);
  EXPECT_FALSE(drv.run_for([] { return false; }, 35s));
  EXPECT_EQ(drv.now(), kEpoch + 35s);
  EXPECT_EQ(tick.ticks.size(), 3u);
  // A predicate already true: nothing runs.
  EXPECT_TRUE(drv.run_for([] { return true; }, 1h));
  EXPECT_EQ(drv.now(), kEpoch + 35s);
  EXPECT_EQ(tick.ticks.size(), 3u);
}

TEST(SimDriver, NothingScheduledEndsTheRunAtTheLimit) {
  SimNetwork net(1);
  SimDriver drv(net);
  EchoNode echo;
  drv.attach(kA, echo);
  EXPECT_FALSE(drv.run_for([] { return false; }, 5s));
  EXPECT_EQ(drv.now(), kEpoch + 5s);
  EXPECT_FALSE(drv.run_until([] { return false; }, kNever));  // returns: nothing can happen
  EXPECT_EQ(drv.stats().steps, 0u);
}

TEST(SimDriver, DatagramsToNoNodeAreCountedUnroutable) {
  SimNetwork net(1);
  SimDriver drv(net);
  EchoNode echo;
  drv.attach(kA, echo);
  net.send(kA, kB, byte_packet(1));
  net.send(kB, kA, byte_packet(2));
  drv.run_for(1s);
  EXPECT_EQ(echo.received.size(), 1u);
  // kA -> kB, and the echo back to kB: no node there.
  EXPECT_EQ(drv.stats().unroutable, 2u);
  EXPECT_EQ(drv.stats().deliveries, 1u);
}

TEST(SimDriver, ZeroDelayExchangesRunWithinOneInstant) {
  SimNetwork net(1, delay_only(Duration::zero()));
  SimDriver drv(net);
  EchoNode echo;
  PingNode ping(kB, 50, 1s);
  drv.attach(kA, ping);
  drv.attach(kB, echo);
  ping.start(drv.now());
  ASSERT_TRUE(drv.run_until([&] { return ping.done(); }, kEpoch + 1s));
  EXPECT_EQ(drv.now(), kEpoch);
  EXPECT_EQ(ping.echoed, 50);
}

TEST(SimDriver, ANodeWhoseDeadlineNeverMovesIsReported) {
  SimNetwork net(1);
  SimDriver drv(net);
  StuckNode stuck;
  drv.attach(kA, stuck);
  drv.set_max_inputs_per_instant(1000);
  EXPECT_THROW(drv.run_for(1h), std::runtime_error);
  EXPECT_EQ(drv.now(), kEpoch + 1s);
}

TEST(SimDriver, SameSeedSameRun) {
  auto run = [](std::uint64_t seed) {
    Impairments imp = delay_only(10ms);
    imp.loss = 0.2;
    imp.duplicate = 0.1;
    imp.jitter = 30ms;
    SimNetwork net(seed, imp);
    net.enable_trace(true);
    SimDriver drv(net);
    EchoNode echo;
    PingNode ping(kB, 100, 100ms);
    drv.attach(kA, ping);
    drv.attach(kB, echo);
    ping.start(drv.now());
    EXPECT_TRUE(drv.run_until([&] { return ping.done(); }, kEpoch + 1h));
    return std::make_pair(net.trace(), drv.now());
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5).first, run(6).first);
}

}  // namespace
}  // namespace l2sec::sim
