// ControlChannel (RFC 2661 §5.8, Appendix A): one channel fed hand-built
// headers, two channels wired by hand, and a property test across a seeded
// lossy / duplicating / reordering queue. Time is a number (fake clock).
#include "l2tp/control_channel.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <queue>
#include <random>
#include <span>
#include <vector>

namespace l2sec::l2tp {
namespace {

constexpr Instant kT0 = kEpoch + std::chrono::hours(1);
Instant at_ms(std::int64_t ms) { return kT0 + std::chrono::milliseconds(ms); }

// A datagram taken apart again, as the tunnel engine would.
struct Wire {
  Header hdr;
  PacketBuf avps;
  std::size_t size = 0;
};

Wire decode(const PacketBuf& dg) {
  auto p = parse_header(dg.bytes());
  EXPECT_TRUE(p.ok());
  if (!p.ok()) return {};
  Wire w;
  w.hdr = p->hdr;
  w.avps = PacketBuf::copy_of(dg.bytes().subspan(p->payload_offset, p->payload_size));
  w.size = dg.size();
  return w;
}

PacketBuf avps_of(std::initializer_list<std::uint8_t> b) {
  std::vector<std::uint8_t> v(b);
  return PacketBuf::copy_of(v);
}
PacketBuf payload(std::uint8_t tag) { return avps_of({0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, tag}); }

// A message or ZLB as the peer would send it to us.
void feed(ControlChannel& ch, Instant now, std::uint16_t ns, std::uint16_t nr, std::uint8_t tag = 1) {
  ch.on_receive(now, control_header(1, 0, ns, nr), payload(tag));
}
void feed_zlb(ControlChannel& ch, Instant now, std::uint16_t ns, std::uint16_t nr) {
  ch.on_receive(now, control_header(1, 0, ns, nr), PacketBuf{});
}

std::vector<Wire> drain(ControlChannel& ch, Instant now) {
  std::vector<Wire> out;
  while (auto p = ch.poll_transmit(now)) out.push_back(decode(*p));
  return out;
}

std::vector<std::uint8_t> tags_delivered(ControlChannel& ch) {
  std::vector<std::uint8_t> tags;
  while (auto m = ch.poll_delivered()) tags.push_back(m->avps.bytes().back());
  return tags;
}

// Moves every datagram `from` wants to send into `to`; returns how many.
std::size_t pump(ControlChannel& from, ControlChannel& to, Instant now) {
  std::size_t n = 0;
  while (auto p = from.poll_transmit(now)) {
    Wire w = decode(*p);
    to.on_receive(now, w.hdr, std::move(w.avps));
    ++n;
  }
  return n;
}

class ControlChannelTest : public ::testing::Test {
 protected:
  ControlChannelConfig cfg_;
  Counters ca_, cb_;
};

// ---- sending side ----

TEST_F(ControlChannelTest, FirstMessageHeaderCarriesNsZeroNrZero) {
  ControlChannel a(cfg_, ca_);
  a.set_peer_tunnel_id(0x1234);
  ASSERT_TRUE(a.send(kT0, 7, payload(0xAA)).ok());
  EXPECT_EQ(a.next_ns(), 1);
  auto dg = a.poll_transmit(kT0);
  ASSERT_TRUE(dg);
  const std::vector<std::uint8_t> expect = {0xC8, 0x02, 0x00, 0x14, 0x12, 0x34, 0x00, 0x07, 0x00, 0x00,
                                            0x00, 0x00, 0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAA};
  EXPECT_EQ(std::vector<std::uint8_t>(dg->bytes().begin(), dg->bytes().end()), expect);
  EXPECT_GE(dg->headroom(), 40u);  // room left for the layers below
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_tx], 1u);
  EXPECT_FALSE(a.poll_transmit(kT0));
  EXPECT_FALSE(a.all_acknowledged());
  EXPECT_EQ(a.next_deadline(), at_ms(1000));
}

TEST_F(ControlChannelTest, InOrderDeliveryAndZlbAcknowledgement) {
  ControlChannel a(cfg_, ca_), b(cfg_, cb_);
  a.set_peer_tunnel_id(2);
  b.set_peer_tunnel_id(1);
  for (std::uint8_t i = 1; i <= 3; ++i) ASSERT_TRUE(a.send(kT0, 0, payload(i)).ok());

  // Slow start: CWND 1, one message.
  auto w = drain(a, kT0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hdr.ns, 0);
  EXPECT_EQ(w[0].hdr.nr, 0);
  b.on_receive(kT0, w[0].hdr, std::move(w[0].avps));
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({1}));
  EXPECT_EQ(b.expected_nr(), 1);

  // B has nothing to say: ZLB, Ns 0 (B's next), Nr 1, Length 12.
  auto z = drain(b, kT0);
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].size, 12u);
  EXPECT_EQ(z[0].hdr.length, 12);
  EXPECT_EQ(z[0].hdr.tunnel_id, 1);
  EXPECT_EQ(z[0].hdr.session_id, 0);
  EXPECT_EQ(z[0].hdr.ns, 0);
  EXPECT_EQ(z[0].hdr.nr, 1);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_zlb_tx], 1u);
  EXPECT_EQ(b.next_ns(), 0);  // a ZLB consumes no Ns
  a.on_receive(kT0, z[0].hdr, std::move(z[0].avps));
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_zlb_rx], 1u);
  EXPECT_DOUBLE_EQ(a.cwnd(), 2.0);

  // CWND 2: the other two go together.
  w = drain(a, kT0);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].hdr.ns, 1);
  EXPECT_EQ(w[1].hdr.ns, 2);
  for (auto& x : w) b.on_receive(kT0, x.hdr, std::move(x.avps));
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({2, 3}));
  z = drain(b, kT0);
  ASSERT_EQ(z.size(), 1u);  // one ZLB acknowledges both
  EXPECT_EQ(z[0].hdr.nr, 3);
  a.on_receive(kT0, z[0].hdr, std::move(z[0].avps));
  EXPECT_TRUE(a.all_acknowledged());
  EXPECT_EQ(a.next_deadline(), kNever);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_tx], 3u);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_retransmit], 0u);
}

TEST_F(ControlChannelTest, ReplyPiggyBacksTheAcknowledgement) {
  ControlChannel a(cfg_, ca_), b(cfg_, cb_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());
  ASSERT_EQ(pump(a, b, kT0), 1u);
  ASSERT_TRUE(b.send(kT0, 0, payload(2)).ok());  // the reply is queued first
  auto w = drain(b, kT0);
  ASSERT_EQ(w.size(), 1u);  // no ZLB besides
  EXPECT_EQ(w[0].hdr.ns, 0);
  EXPECT_EQ(w[0].hdr.nr, 1);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_zlb_tx], 0u);
  a.on_receive(kT0, w[0].hdr, std::move(w[0].avps));
  EXPECT_TRUE(a.all_acknowledged());
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_zlb_rx], 0u);
}

TEST_F(ControlChannelTest, AckDelayWaitsForAReplyThenSendsZlb) {
  cfg_.ack_delay = std::chrono::milliseconds(200);
  ControlChannel b(cfg_, cb_);
  feed(b, at_ms(0), 0, 0);
  EXPECT_FALSE(b.poll_transmit(at_ms(0)));
  EXPECT_EQ(b.next_deadline(), at_ms(200));
  feed(b, at_ms(50), 1, 0);  // a second debt does not push the deadline back
  EXPECT_EQ(b.next_deadline(), at_ms(200));
  EXPECT_FALSE(b.poll_transmit(at_ms(199)));
  auto z = drain(b, at_ms(200));
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].size, 12u);
  EXPECT_EQ(z[0].hdr.nr, 2);
  EXPECT_EQ(b.next_deadline(), kNever);

  // A reply within the delay carries the acknowledgement instead.
  feed(b, at_ms(300), 2, 0);
  ASSERT_TRUE(b.send(at_ms(350), 0, payload(9)).ok());
  auto w = drain(b, at_ms(350));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hdr.nr, 3);
  EXPECT_EQ(w[0].size, 20u);
  EXPECT_EQ(b.next_deadline(), at_ms(1350));  // only the retransmission timer
  EXPECT_TRUE(drain(b, at_ms(500)).empty());
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_zlb_tx], 1u);
}

TEST_F(ControlChannelTest, ZlbWhenWindowClosedCarriesNextNsOnTheWire) {
  ControlChannel a(cfg_, ca_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());
  ASSERT_TRUE(a.send(kT0, 0, payload(2)).ok());
  ASSERT_EQ(drain(a, kT0).size(), 1u);  // CWND 1: Ns 1 waits
  feed(a, at_ms(10), 0, 0);             // peer's message, acknowledges nothing
  auto z = drain(a, at_ms(10));
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].size, 12u);
  EXPECT_EQ(z[0].hdr.ns, 1);  // the next Ns to go on the wire
  EXPECT_EQ(z[0].hdr.nr, 1);
  EXPECT_EQ(a.next_ns(), 2);
}

TEST_F(ControlChannelTest, SendQueueFullIsRefusedAndCounted) {
  cfg_.max_send_queue = 2;
  ControlChannel a(cfg_, ca_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());
  ASSERT_TRUE(a.send(kT0, 0, payload(2)).ok());
  auto r = a.send(kT0, 0, payload(3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_resources);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_tx_queue_full], 1u);
  EXPECT_EQ(a.queued(), 2u);
  ASSERT_EQ(drain(a, kT0).size(), 1u);  // one on the wire: one waits, room for one
  EXPECT_EQ(a.queued(), 1u);
  EXPECT_EQ(a.in_flight(), 1u);
  EXPECT_TRUE(a.send(kT0, 0, payload(3)).ok());
  EXPECT_FALSE(a.send(kT0, 0, payload(4)).ok());
  EXPECT_EQ(a.next_ns(), 3);
}

// ---- receiving side ----

TEST_F(ControlChannelTest, DuplicateIsDroppedAndAcknowledgedAgain) {
  ControlChannel b(cfg_, cb_);
  feed(b, kT0, 0, 0, 1);
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({1}));
  auto z = drain(b, kT0);
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].hdr.nr, 1);

  feed(b, at_ms(1000), 0, 0, 1);  // the peer lost our ZLB and retransmits
  EXPECT_TRUE(tags_delivered(b).empty());
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_duplicate], 1u);
  z = drain(b, at_ms(1000));
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].hdr.nr, 1);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_zlb_tx], 2u);
}

TEST_F(ControlChannelTest, DuplicateRangeIsTheLast32768Values) {
  // §5.8's example: last received 15 -> 0..15 and 32784..65535 are old.
  cfg_.receive_window = 16;
  ControlChannel b(cfg_, cb_);
  for (std::uint16_t ns = 0; ns <= 15; ++ns) feed(b, kT0, ns, 0);
  EXPECT_EQ(tags_delivered(b).size(), 16u);
  EXPECT_EQ(b.expected_nr(), 16);
  for (std::uint16_t ns : {0, 15, 32784, 40000, 65535}) feed(b, kT0, ns, 0);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_duplicate], 5u);
  feed(b, kT0, 32783, 0);  // 32767 ahead: new, far outside the window
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_outside_window], 1u);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_duplicate], 5u);
  EXPECT_TRUE(tags_delivered(b).empty());
  EXPECT_EQ(b.expected_nr(), 16);
}

TEST_F(ControlChannelTest, ReorderedMessagesAreHeldAndReleasedInOrder) {
  cfg_.receive_window = 4;
  ControlChannel b(cfg_, cb_);
  feed(b, kT0, 2, 0, 2);
  feed(b, kT0, 1, 0, 1);
  feed(b, kT0, 3, 0, 3);
  feed(b, kT0, 2, 0, 2);  // a second copy is stored once
  feed(b, kT0, 4, 0, 4);  // Ns 0 + window 4: outside
  EXPECT_TRUE(tags_delivered(b).empty());
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_out_of_order], 3u);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_duplicate], 1u);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_outside_window], 1u);
  EXPECT_EQ(b.expected_nr(), 0);
  // Acknowledgement owed, but Nr cannot move yet.
  auto z = drain(b, kT0);
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].hdr.nr, 0);

  feed(b, at_ms(5), 0, 0, 0);  // the gap fills
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({0, 1, 2, 3}));
  EXPECT_EQ(b.expected_nr(), 4);
  z = drain(b, at_ms(5));
  ASSERT_EQ(z.size(), 1u);
  EXPECT_EQ(z[0].hdr.nr, 4);
  feed(b, at_ms(6), 4, 0, 4);  // now in order
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({4}));
  feed(b, at_ms(6), 2, 0, 2);  // released copies are old now
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_duplicate], 2u);
}

TEST_F(ControlChannelTest, DeliveredMessageKeepsItsHeader) {
  ControlChannel b(cfg_, cb_);
  b.on_receive(kT0, control_header(1, 0x4242, 0, 0), payload(5));
  auto m = b.poll_delivered();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hdr.session_id, 0x4242);
  EXPECT_EQ(m->hdr.ns, 0);
  EXPECT_EQ(m->avps.size(), 8u);
  EXPECT_FALSE(b.poll_delivered());
}

// ---- Nr processing ----

TEST_F(ControlChannelTest, BadNrIsIgnoredButTheMessageIsProcessed) {
  ControlChannel a(cfg_, ca_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());
  ASSERT_TRUE(a.send(kT0, 0, payload(2)).ok());
  ASSERT_EQ(drain(a, kT0).size(), 1u);  // Ns 0 on the wire, Ns 1 waits

  feed(a, kT0, 0, 2, 7);  // Nr 2 acknowledges Ns 1, never sent
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_rx_bad_nr], 1u);
  EXPECT_EQ(tags_delivered(a), std::vector<std::uint8_t>({7}));  // Ns part handled
  EXPECT_FALSE(a.all_acknowledged());
  EXPECT_DOUBLE_EQ(a.cwnd(), 1.0);

  feed_zlb(a, kT0, 0, 9);  // same for a ZLB
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_rx_bad_nr], 2u);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_zlb_rx], 1u);

  feed_zlb(a, kT0, 0, 1);  // a good one
  EXPECT_DOUBLE_EQ(a.cwnd(), 2.0);
  auto w = drain(a, kT0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hdr.ns, 1);
  EXPECT_EQ(w[0].hdr.nr, 1);

  feed_zlb(a, kT0, 0, 0);  // stale (reordered) acknowledgement: not bad
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_rx_bad_nr], 2u);
  feed_zlb(a, kT0, 0, 2);
  EXPECT_TRUE(a.all_acknowledged());
  feed_zlb(a, kT0, 0, 3);  // nothing sent with Ns 2
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_rx_bad_nr], 3u);
}

// ---- window, slow start, congestion avoidance ----

TEST_F(ControlChannelTest, PeerWindowFourHoldsTheFifthMessage) {
  ControlChannel a(cfg_, ca_);
  a.set_peer_window(4);
  // Grow CWND to 4 with three lock-step exchanges.
  for (std::uint16_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.send(kT0, 0, payload(0)).ok());
    ASSERT_EQ(drain(a, kT0).size(), 1u);
    feed_zlb(a, kT0, 0, static_cast<std::uint16_t>(i + 1));
  }
  EXPECT_DOUBLE_EQ(a.cwnd(), 4.0);
  for (std::uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(a.send(kT0, 0, payload(i)).ok());
  auto w = drain(a, kT0);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(a.in_flight(), 4u);
  EXPECT_EQ(a.queued(), 1u);
  EXPECT_EQ(w[0].hdr.ns, 3);
  EXPECT_EQ(w[3].hdr.ns, 6);
  feed_zlb(a, at_ms(1), 0, 4);  // one acknowledged: the fifth goes
  w = drain(a, at_ms(1));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hdr.ns, 7);
  EXPECT_DOUBLE_EQ(a.cwnd(), 4.0);  // never above the peer's window
  EXPECT_TRUE(drain(a, at_ms(1)).empty());
}

TEST_F(ControlChannelTest, PeerWindowZeroIsIgnored) {
  ControlChannel a(cfg_, ca_);
  a.set_peer_window(0);
  EXPECT_DOUBLE_EQ(a.ssthresh(), 4.0);
  a.set_peer_window(2);
  EXPECT_DOUBLE_EQ(a.ssthresh(), 2.0);
}

TEST_F(ControlChannelTest, SlowStartDoublesPerRoundTripThenCollapsesOnTimeout) {
  ControlChannel a(cfg_, ca_);
  a.set_peer_window(8);
  EXPECT_DOUBLE_EQ(a.cwnd(), 1.0);
  EXPECT_DOUBLE_EQ(a.ssthresh(), 8.0);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(a.send(kT0, 0, payload(0)).ok());

  std::uint16_t acked = 0;
  for (std::size_t burst : {1u, 2u, 4u, 8u}) {
    auto w = drain(a, kT0);
    ASSERT_EQ(w.size(), burst);
    acked = static_cast<std::uint16_t>(acked + burst);
    feed_zlb(a, kT0, 0, acked);  // one ZLB acknowledges the whole burst
  }
  EXPECT_DOUBLE_EQ(a.cwnd(), 8.0);  // 1 -> 2 -> 4 -> 8, capped at the window

  // Eight on the wire, all lost: every timer fires at +1 s.
  auto w = drain(a, at_ms(10));
  ASSERT_EQ(w.size(), 8u);
  a.on_timeout(at_ms(1009));
  EXPECT_TRUE(drain(a, at_ms(1009)).empty());
  a.on_timeout(at_ms(1010));
  EXPECT_DOUBLE_EQ(a.ssthresh(), 4.0);
  EXPECT_DOUBLE_EQ(a.cwnd(), 1.0);
  w = drain(a, at_ms(1010));
  ASSERT_EQ(w.size(), 8u);  // retransmissions, same Ns, no new message
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(w[i].hdr.ns, 15 + i);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_retransmit], 8u);

  // Acknowledged one by one: slow start up to SSTHRESH 4, then +1/CWND.
  const double after_ack[] = {2, 3, 4, 4.25, 4.25 + 1 / 4.25};
  for (std::uint16_t i = 0; i < 5; ++i) {
    feed_zlb(a, at_ms(1100), 0, static_cast<std::uint16_t>(16 + i));
    EXPECT_DOUBLE_EQ(a.cwnd(), after_ack[i]) << "after ack " << i + 1;
  }
  EXPECT_DOUBLE_EQ(a.ssthresh(), 4.0);
  for (std::uint16_t i = 5; i < 8; ++i) feed_zlb(a, at_ms(1100), 0, static_cast<std::uint16_t>(16 + i));
  EXPECT_NEAR(a.cwnd(), 5.1238, 1e-4);
  EXPECT_FALSE(a.all_acknowledged());           // 17 of 40 still queued
  EXPECT_EQ(drain(a, at_ms(1100)).size(), 5u);  // floor(CWND) = 5
}

// ---- retransmission ----

TEST_F(ControlChannelTest, RetransmitsAt1_2_4_8_8SecondsThenGivesUp) {
  ControlChannel a(cfg_, ca_);
  ASSERT_TRUE(a.send(kT0, 3, payload(1)).ok());
  ASSERT_EQ(drain(a, kT0).size(), 1u);

  const std::int64_t expected_ms[] = {1000, 3000, 7000, 15000, 23000};
  std::uint16_t peer_ns = 0;
  for (std::int64_t t : expected_ms) {
    ASSERT_EQ(a.next_deadline(), at_ms(t));
    a.on_timeout(at_ms(t - 1));
    EXPECT_TRUE(drain(a, at_ms(t - 1)).empty());
    // Meanwhile the peer talks: the retransmission must carry the new Nr.
    feed(a, at_ms(t - 1), peer_ns, 0);
    ++peer_ns;
    a.on_timeout(at_ms(t));
    auto w = drain(a, at_ms(t));
    ASSERT_EQ(w.size(), 1u) << "at " << t << " ms";
    EXPECT_EQ(w[0].hdr.ns, 0);
    EXPECT_EQ(w[0].hdr.nr, peer_ns);
    EXPECT_EQ(w[0].hdr.session_id, 3);
    EXPECT_EQ(w[0].size, 20u);
  }
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_retransmit], 5u);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_zlb_tx], 0u);  // every debt rode on a retransmission
  EXPECT_EQ(a.next_deadline(), at_ms(31000));
  a.on_timeout(at_ms(30999));
  EXPECT_FALSE(a.failed());
  a.on_timeout(at_ms(31000));
  EXPECT_TRUE(a.failed());
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_give_up], 1u);
  EXPECT_EQ(a.next_deadline(), kNever);
  EXPECT_FALSE(a.poll_transmit(at_ms(31000)));
  feed(a, at_ms(32000), peer_ns, 0);  // ignored: nothing owed, nothing sent
  EXPECT_FALSE(a.poll_transmit(at_ms(32000)));
  a.on_timeout(at_ms(40000));
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_give_up], 1u);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_retransmit], 5u);
}

TEST_F(ControlChannelTest, ConfiguredTimersAreHonoured) {
  cfg_.initial_timeout = std::chrono::milliseconds(500);
  cfg_.max_timeout = std::chrono::seconds(3);
  cfg_.max_retransmits = 3;
  ControlChannel a(cfg_, ca_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());
  ASSERT_EQ(drain(a, kT0).size(), 1u);
  std::vector<std::int64_t> fired;
  std::int64_t failed_at = -1;
  for (std::int64_t t = 0; t <= 20000 && !a.failed(); t += 100) {
    if (a.next_deadline() > at_ms(t)) continue;
    a.on_timeout(at_ms(t));
    if (a.failed()) failed_at = t;
    if (!drain(a, at_ms(t)).empty()) fired.push_back(t);
  }
  // Intervals 0.5, 1, 2, then 3 (4 capped) until the give-up.
  EXPECT_EQ(fired, std::vector<std::int64_t>({500, 1500, 3500}));
  EXPECT_EQ(failed_at, 6500);
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_give_up], 1u);
}

TEST_F(ControlChannelTest, AcknowledgementStopsRetransmission) {
  ControlChannel a(cfg_, ca_), b(cfg_, cb_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());
  ASSERT_TRUE(a.poll_transmit(kT0));  // lost
  a.on_timeout(at_ms(1000));
  ASSERT_EQ(pump(a, b, at_ms(1000)), 1u);
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({1}));
  ASSERT_EQ(pump(b, a, at_ms(1000)), 1u);  // ZLB
  EXPECT_TRUE(a.all_acknowledged());
  EXPECT_EQ(a.next_deadline(), kNever);
  a.on_timeout(at_ms(60000));
  EXPECT_FALSE(a.failed());
  EXPECT_FALSE(a.poll_transmit(at_ms(60000)));
}

TEST_F(ControlChannelTest, RetransmissionUsesTheCurrentPeerTunnelId) {
  ControlChannel a(cfg_, ca_);
  ASSERT_TRUE(a.send(kT0, 0, payload(1)).ok());  // e.g. SCCRQ, peer ID unknown
  auto w = drain(a, kT0);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hdr.tunnel_id, 0);
  a.set_peer_tunnel_id(77);
  a.on_timeout(at_ms(1000));
  w = drain(a, at_ms(1000));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].hdr.tunnel_id, 77);
}

// ---- wrap-around at 65535 ----

TEST_F(ControlChannelTest, NsAndNrWrapAround) {
  cfg_.receive_window = 8;
  ControlChannel a(cfg_, ca_), b(cfg_, cb_);
  a.set_peer_window(8);
  // 65534 lock-step messages, acknowledged by crafted ZLBs.
  for (std::uint32_t i = 0; i < 65534; ++i) {
    ASSERT_TRUE(a.send(kT0, 0, payload(0)).ok());
    auto p = a.poll_transmit(kT0);
    ASSERT_TRUE(p);
    feed_zlb(a, kT0, 0, static_cast<std::uint16_t>(i + 1));
  }
  EXPECT_EQ(a.next_ns(), 65534);
  EXPECT_TRUE(a.all_acknowledged());
  for (std::uint8_t i = 0; i < 5; ++i) ASSERT_TRUE(a.send(kT0, 0, payload(i)).ok());
  auto w = drain(a, kT0);
  ASSERT_EQ(w.size(), 5u);
  const std::uint16_t expect_ns[] = {65534, 65535, 0, 1, 2};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(w[i].hdr.ns, expect_ns[i]);
  feed_zlb(a, kT0, 0, 1);  // acknowledges 65534, 65535 and 0
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_rx_bad_nr], 0u);
  feed_zlb(a, kT0, 0, 4);  // Ns 3 was never sent
  EXPECT_EQ(ca_[Ctr::l2tp_ctl_rx_bad_nr], 1u);
  feed_zlb(a, kT0, 0, 3);
  EXPECT_TRUE(a.all_acknowledged());

  // Receiver: bring B to expect 65533, then reorder across the wrap.
  for (std::uint32_t ns = 0; ns < 65533; ++ns) {
    feed(b, kT0, static_cast<std::uint16_t>(ns), 0);
    (void)b.poll_delivered();
  }
  EXPECT_EQ(b.expected_nr(), 65533);
  feed(b, kT0, 1, 0, 4);
  feed(b, kT0, 65535, 0, 2);
  feed(b, kT0, 0, 0, 3);
  feed(b, kT0, 65534, 0, 1);
  EXPECT_TRUE(tags_delivered(b).empty());
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_out_of_order], 4u);
  feed(b, kT0, 65533, 0, 0);
  EXPECT_EQ(tags_delivered(b), std::vector<std::uint8_t>({0, 1, 2, 3, 4}));
  EXPECT_EQ(b.expected_nr(), 2);
  feed(b, kT0, 65535, 0);  // just before the wrap: old
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_duplicate], 1u);
  EXPECT_EQ(cb_[Ctr::l2tp_ctl_rx_outside_window], 0u);
}

// ---- property: exactly once, in order, across a hostile network ----

struct NetParams {
  double loss, dup;
  std::int64_t max_delay_ms;
};

struct InFlight {
  Instant at;
  std::uint64_t seq;
  int to;
  std::vector<std::uint8_t> bytes;
  bool operator>(const InFlight& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

void run_lossy_exchange(std::uint64_t seed, Counters& total) {
  constexpr std::uint32_t kMessages = 500;
  std::mt19937_64 rng(seed);
  auto uni = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  const NetParams net{uni(0, 0.2), uni(0, 0.1), pick(1, 400)};

  ControlChannelConfig cfg[2];
  Counters ctr[2];
  for (auto& c : cfg) {
    c.receive_window = static_cast<std::uint16_t>(pick(1, 16));
    c.ack_delay = std::chrono::milliseconds(pick(0, 1) * pick(1, 100));
    c.max_send_queue = static_cast<std::size_t>(pick(1, 64));
    c.max_retransmits = 40;  // legitimate loss must not end the run
  }
  ControlChannel ch[2] = {ControlChannel(cfg[0], ctr[0]), ControlChannel(cfg[1], ctr[1])};
  for (int i = 0; i < 2; ++i) {
    ch[i].set_peer_window(cfg[1 - i].receive_window);
    ch[i].set_peer_tunnel_id(static_cast<std::uint16_t>(100 + (1 - i)));
  }
  SCOPED_TRACE(::testing::Message() << "seed " << seed << " loss " << net.loss << " dup " << net.dup
                                    << " delay<=" << net.max_delay_ms << "ms windows "
                                    << cfg[0].receive_window << "/" << cfg[1].receive_window);

  std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> wire;
  std::uint64_t wire_seq = 0;
  std::uint32_t sent[2] = {0, 0}, got[2] = {0, 0};
  Instant next_app[2] = {kT0, kT0};
  Instant now = kT0;

  for (int iter = 0;; ++iter) {
    ASSERT_LT(iter, 2'000'000) << "no progress";
    ASSERT_LT(now, kT0 + std::chrono::hours(10)) << "took too long";
    // Network to channels.
    while (!wire.empty() && wire.top().at <= now) {
      InFlight d = wire.top();
      wire.pop();
      auto p = parse_header(d.bytes);
      ASSERT_TRUE(p.ok());
      ASSERT_EQ(p->hdr.tunnel_id, 100 + d.to);
      ch[d.to].on_receive(now, p->hdr,
                          PacketBuf::copy_of(std::span(d.bytes).subspan(p->payload_offset, p->payload_size)));
    }
    for (auto& c : ch)
      if (c.next_deadline() <= now) c.on_timeout(now);
    // Applications send bursts; the queue may refuse, they retry later.
    for (int i = 0; i < 2; ++i) {
      if (sent[i] == kMessages || next_app[i] > now) continue;
      for (auto n = pick(1, 6); n > 0 && sent[i] < kMessages; --n) {
        std::vector<std::uint8_t> m(static_cast<std::size_t>(5 + pick(0, 40)), 0xEE);
        m[0] = static_cast<std::uint8_t>(i);
        store_be32(m.data() + 1, sent[i]);
        if (!ch[i].send(now, static_cast<std::uint16_t>(sent[i]), PacketBuf::copy_of(m)).ok()) break;
        ++sent[i];
      }
      next_app[i] = now + std::chrono::milliseconds(pick(1, 300));
    }
    // Channels to network.
    for (int i = 0; i < 2; ++i) {
      while (auto p = ch[i].poll_transmit(now)) {
        const int copies = uni(0, 1) < net.dup ? 2 : 1;
        for (int k = 0; k < copies; ++k) {
          if (uni(0, 1) < net.loss) continue;
          wire.push(InFlight{now + std::chrono::milliseconds(pick(1, net.max_delay_ms)), wire_seq++, 1 - i,
                             std::vector<std::uint8_t>(p->bytes().begin(), p->bytes().end())});
        }
      }
    }
    // Deliveries: exactly once, in order.
    for (int i = 0; i < 2; ++i) {
      while (auto m = ch[i].poll_delivered()) {
        const int from = 1 - i;
        ASSERT_GE(m->avps.size(), 5u);
        ASSERT_EQ(m->avps.bytes()[0], from);
        ASSERT_EQ(load_be32(m->avps.data() + 1), got[i]) << "delivered out of order or twice";
        ASSERT_EQ(m->hdr.session_id, static_cast<std::uint16_t>(got[i]));
        ++got[i];
      }
    }
    ASSERT_FALSE(ch[0].failed());
    ASSERT_FALSE(ch[1].failed());
    if (sent[0] == kMessages && sent[1] == kMessages && got[0] == kMessages && got[1] == kMessages &&
        ch[0].all_acknowledged() && ch[1].all_acknowledged())
      break;

    Instant next = kNever;
    if (!wire.empty()) next = earliest(next, wire.top().at);
    for (int i = 0; i < 2; ++i) {
      next = earliest(next, ch[i].next_deadline());
      if (sent[i] < kMessages) next = earliest(next, next_app[i]);
    }
    ASSERT_NE(next, kNever) << "stalled: nothing in flight, nothing scheduled";
    ASSERT_GT(next, now) << "a deadline that is already due was not acted upon";
    now = next;
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ctr[i][Ctr::l2tp_ctl_tx], kMessages);
    EXPECT_EQ(ctr[i][Ctr::l2tp_ctl_give_up], 0u);
    EXPECT_EQ(ctr[i][Ctr::l2tp_ctl_rx_bad_nr], 0u);
    EXPECT_EQ(ctr[i][Ctr::l2tp_ctl_rx_outside_window], 0u);  // senders respect our window
    total += ctr[i];
  }
}

TEST(ControlChannelProperty, ExactlyOnceInOrderAcrossLossDuplicationAndReordering) {
  Counters total;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    run_lossy_exchange(seed, total);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The network was hostile enough to exercise every path.
  EXPECT_EQ(total[Ctr::l2tp_ctl_tx], 200u * 2 * 500);
  EXPECT_GT(total[Ctr::l2tp_ctl_retransmit], 1000u);
  EXPECT_GT(total[Ctr::l2tp_ctl_rx_duplicate], 1000u);
  EXPECT_GT(total[Ctr::l2tp_ctl_rx_out_of_order], 1000u);
  EXPECT_GT(total[Ctr::l2tp_ctl_zlb_tx], 1000u);
  EXPECT_GT(total[Ctr::l2tp_ctl_tx_queue_full], 0u);
  std::printf("totals: retransmit %llu duplicate %llu out-of-order %llu zlb %llu queue-full %llu\n",
              static_cast<unsigned long long>(total[Ctr::l2tp_ctl_retransmit]),
              static_cast<unsigned long long>(total[Ctr::l2tp_ctl_rx_duplicate]),
              static_cast<unsigned long long>(total[Ctr::l2tp_ctl_rx_out_of_order]),
              static_cast<unsigned long long>(total[Ctr::l2tp_ctl_zlb_tx]),
              static_cast<unsigned long long>(total[Ctr::l2tp_ctl_tx_queue_full]));
}

}  // namespace
}  // namespace l2sec::l2tp
