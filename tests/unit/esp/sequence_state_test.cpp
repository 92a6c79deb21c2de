// Sequence state that survives restarts (manually keyed SAs): the sender's
// reservation (SequenceCounter / OutboundSa: no number beyond the persisted
// mark is ever sent, numbers past it are refused and counted) and the
// receiver's floor (ReplayWindow / InboundSa: after a restart every number
// up to the restored top is refused, including the ESN high half inferred
// from it).
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "core/wire.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"
#include "esp/replay_window.hpp"
#include "esp/sa.hpp"
#include "esp/sequence.hpp"

namespace l2sec::esp {
namespace {

using crypto::EspAuth;
using crypto::EspCipher;
using Buf = std::vector<std::uint8_t>;

constexpr std::uint32_t kSpi = 0x00002001;

// --- SequenceCounter: the reservation -------------------------------------

TEST(SequenceReservation, UnlimitedUntilReserved) {
  for (bool esn : {false, true}) {
    SequenceCounter s(esn);
    EXPECT_EQ(s.reserved(), s.max());
    EXPECT_FALSE(s.needs_reservation());
    EXPECT_FALSE(s.needs_reservation(1000));
    Counters c;
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(s.next(c).ok());
    EXPECT_EQ(c[Ctr::esp_tx_unreserved], 0u);
  }
}

TEST(SequenceReservation, NeverHandsOutANumberBeyondTheMark) {
  SequenceCounter s(false);
  Counters c;
  s.reserve(0);  // a fresh SA whose owner persists: nothing reserved yet
  EXPECT_EQ(s.reserved(), 0u);
  EXPECT_TRUE(s.needs_reservation());
  auto r = s.next(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::invalid_state);
  EXPECT_EQ(r.error().what, "sequence numbers not yet persisted");
  EXPECT_EQ(c[Ctr::esp_tx_unreserved], 1u);
  EXPECT_EQ(s.last(), 0u);  // the refusal used no number

  s.reserve(5);
  EXPECT_FALSE(s.needs_reservation());
  for (std::uint64_t want = 1; want <= 5; ++want) EXPECT_EQ(*s.next(c), want);
  EXPECT_TRUE(s.needs_reservation());
  EXPECT_FALSE(s.next(c).ok());
  EXPECT_FALSE(s.next(c).ok());
  EXPECT_EQ(c[Ctr::esp_tx_unreserved], 3u);
  EXPECT_EQ(s.last(), 5u);
  s.reserve(7);
  EXPECT_EQ(*s.next(c), 6u);
  EXPECT_EQ(*s.next(c), 7u);
  EXPECT_FALSE(s.next(c).ok());
  EXPECT_EQ(c[Ctr::esp_tx_unreserved], 4u);
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 0u);
}

TEST(SequenceReservation, MarginAsksAheadOfNeed) {
  SequenceCounter s(false);
  Counters c;
  s.reserve(10);
  EXPECT_FALSE(s.needs_reservation(5));  // 10 left
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s.next(c).ok());
  EXPECT_FALSE(s.needs_reservation(5));  // 5 left: not fewer than the margin
  ASSERT_TRUE(s.next(c).ok());
  EXPECT_TRUE(s.needs_reservation(5));   // 4 left
  EXPECT_FALSE(s.needs_reservation(0));  // but some are left
  EXPECT_FALSE(s.needs_reservation(4));
}

TEST(SequenceReservation, ReserveIsClampedToWhatWasSentAndTheMaximum) {
  SequenceCounter s(false, 0, 100);  // restored: 100 sent
  s.reserve(50);                     // cannot take back what was sent
  EXPECT_EQ(s.reserved(), 100u);
  s.reserve(UINT64_MAX);
  EXPECT_EQ(s.reserved(), SequenceCounter::kMax32);
  EXPECT_FALSE(s.needs_reservation(1u << 20));  // nothing more to reserve

  // At the end of the numbers, exhaustion is what is reported.
  SequenceCounter e(false, 0, SequenceCounter::kMax32);
  e.reserve(SequenceCounter::kMax32);
  Counters c;
  EXPECT_FALSE(e.needs_reservation());
  auto r = e.next(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_resources);
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 1u);
  EXPECT_EQ(c[Ctr::esp_tx_unreserved], 0u);
}

TEST(SequenceReservation, RestartStartsAfterThePersistedMark) {
  // Before the restart: marks persisted 64 at a time; the SA dies having
  // sent 100 of the 128 reserved.
  SequenceCounter before(true);
  before.reserve(0);
  Counters c;
  std::uint64_t persisted = 0;
  std::set<std::uint64_t> sent;
  for (int i = 0; i < 100; ++i) {
    if (before.needs_reservation(32)) {
      persisted = before.last() + 64;
      before.reserve(persisted);
    }
    auto n = before.next(c);
    ASSERT_TRUE(n.ok());
    EXPECT_LE(*n, persisted);
    sent.insert(*n);
  }
  EXPECT_EQ(persisted, 163u);  // reserved again at 33, 66 and 99 sent
  // After: the counter restored from the mark; again nothing until reserved.
  SequenceCounter after(true, 0, persisted);
  after.reserve(persisted);
  EXPECT_FALSE(after.next(c).ok());
  after.reserve(persisted + 64);
  for (int i = 0; i < 64; ++i) {
    auto n = after.next(c);
    ASSERT_TRUE(n.ok());
    EXPECT_FALSE(sent.count(*n)) << *n << " sent twice";
    EXPECT_GT(*n, persisted);
  }
}

// --- ReplayWindow: the floor --------------------------------------------------

TEST(ReplayFloor, NumbersUpToTheFloorAreRefusedAndAboveAccepted) {
  auto w = ReplayWindow::create(64, false, 100);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->top(), 100u);
  EXPECT_EQ(w->status(100), ReplayStatus::duplicate);
  EXPECT_EQ(w->status(37), ReplayStatus::duplicate);  // inside the window
  EXPECT_EQ(w->status(36), ReplayStatus::too_old);    // 100 - 36 = 64 = W
  EXPECT_EQ(w->status(1), ReplayStatus::too_old);
  for (std::uint64_t s = 37; s <= 100; ++s) EXPECT_NE(w->status(s), ReplayStatus::ok) << s;
  // The rest of the floor's bitmap block (101..127) is free.
  for (std::uint64_t s = 101; s <= 140; ++s) EXPECT_EQ(w->status(s), ReplayStatus::ok) << s;
  Counters c;
  EXPECT_TRUE(w->accept(130, c));  // moves into the next block
  for (std::uint64_t s = 101; s < 130; ++s) EXPECT_EQ(w->status(s), ReplayStatus::ok) << s;
  EXPECT_TRUE(w->accept(101, c));
  EXPECT_TRUE(w->accept(127, c));
  EXPECT_EQ(w->status(100), ReplayStatus::duplicate);
  EXPECT_EQ(w->status(66), ReplayStatus::too_old);
}

TEST(ReplayFloor, EveryOffsetInItsBlock) {
  for (std::uint64_t floor : {1u, 62u, 63u, 64u, 127u, 4095u, 4096u, 100000u}) {
    SCOPED_TRACE(floor);
    auto w = ReplayWindow::create(128, false, floor);
    ASSERT_TRUE(w.ok());
    for (std::uint64_t s = floor > 300 ? floor - 300 : 0; s <= floor; ++s)
      EXPECT_NE(w->status(s), ReplayStatus::ok) << s;
    for (std::uint64_t s = floor + 1; s <= floor + 300; ++s) EXPECT_EQ(w->status(s), ReplayStatus::ok) << s;
  }
}

TEST(ReplayFloor, ZeroIsAnEmptyWindowAndNonEsnIsClamped) {
  auto zero = ReplayWindow::create(64, false, 0);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->top(), 0u);
  EXPECT_EQ(zero->status(1), ReplayStatus::ok);
  auto big = ReplayWindow::create(64, false, std::uint64_t{1} << 40);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->top(), UINT32_MAX);
  EXPECT_NE(big->classify(UINT32_MAX).status, ReplayStatus::ok);
  EXPECT_NE(big->classify(5).status, ReplayStatus::ok);
}

TEST(ReplayFloor, EsnHighHalfInferredFromTheFloor) {
  const std::uint64_t floor = (std::uint64_t{7} << 32) + 5;
  auto w = ReplayWindow::create(64, true, floor);
  ASSERT_TRUE(w.ok());
  auto a = w->classify(10);  // 7:10, right of the floor
  EXPECT_EQ(a.status, ReplayStatus::ok);
  EXPECT_EQ(a.seq, (std::uint64_t{7} << 32) + 10);
  EXPECT_NE(w->classify(5).status, ReplayStatus::ok);                // 7:5, the floor itself
  EXPECT_NE(w->classify(UINT32_MAX - 10).status, ReplayStatus::ok);  // 6:..., before the floor
}

// --- the SAs ----------------------------------------------------------------------

class SaStateTest : public ::testing::Test {
 protected:
  void SetUp() override { provider_ = crypto::make_mbedtls_provider(); }
  std::unique_ptr<crypto::EspTransform> transform() {
    auto r = provider_->make(EspCipher::aes_gcm16_128, EspAuth::none, Buf(20, 0x42), {}, random_);
    EXPECT_TRUE(r.ok());
    return std::move(r).value();
  }
  static std::uint32_t wire_seq(const PacketBuf& p) { return load_be32(p.data() + 4); }

  std::unique_ptr<crypto::EspProvider> provider_;
  crypto::SeededRandom random_{77};
};

// Whatever the owner does, no packet leaves with a number above the mark it
// had persisted when the packet was built.
TEST_F(SaStateTest, OutboundNeverSendsBeyondThePersistedMark) {
  OutboundSa sa(kSpi, transform(), false);
  sa.reserve(0);
  std::uint64_t persisted = 0;
  crypto::SeededRandom rng(5);
  std::uint64_t sent = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    // The owner sometimes lags (a slow or failing store): reserves only
    // on some rounds, by a random block.
    std::uint8_t dice[2];
    rng.fill(dice);
    if (sa.needs_reservation(4) && dice[0] % 4 == 0) {
      persisted = sa.sequence().last() + 1 + dice[1] % 40;
      sa.reserve(persisted);
    }
    PacketBuf p = PacketBuf::copy_of(Buf(40, 0xab));
    const std::size_t before = p.size();
    if (sa.encap(p, kNextHeaderL2tp).ok()) {
      ++sent;
      EXPECT_LE(wire_seq(p), persisted);
      EXPECT_EQ(wire_seq(p), sa.sequence().last());
    } else {
      ++refused;
      EXPECT_EQ(p.size(), before);  // untouched
      EXPECT_EQ(sa.sequence().last(), persisted);
    }
  }
  EXPECT_GT(sent, 1000u);
  EXPECT_GT(refused, 10u);
  EXPECT_EQ(sa.counters()[Ctr::esp_tx_unreserved], refused);
  EXPECT_EQ(sa.counters()[Ctr::esp_tx_packets], sent);
}

TEST_F(SaStateTest, InboundFloorRefusesCapturedPacketsAfterARestart) {
  OutboundSa out(kSpi, transform(), false);
  std::vector<PacketBuf> captured;
  for (int i = 0; i < 200; ++i) {
    PacketBuf p = PacketBuf::copy_of(Buf(20, static_cast<std::uint8_t>(i)));
    ASSERT_TRUE(out.encap(p, kNextHeaderL2tp).ok());
    captured.push_back(std::move(p));
  }
  // Before the restart the receiver took packets 1..150 and persisted 150.
  auto in = InboundSa::create(kSpi, transform(), false, 64);
  ASSERT_TRUE(in.ok());
  for (int i = 0; i < 150; ++i) {
    PacketBuf p = PacketBuf::copy_of(captured[i].bytes());
    ASSERT_TRUE(in->decap(p).ok());
  }
  EXPECT_EQ(in->highest(), 150u);

  // After: a fresh SA with the floor; every captured packet up to 150 is
  // refused, as replayed (inside the window) or too old.
  auto after = InboundSa::create(kSpi, transform(), false, 64, in->highest());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->highest(), 150u);
  for (int i = 0; i < 150; ++i) {
    PacketBuf p = PacketBuf::copy_of(captured[i].bytes());
    auto r = after->decap(p);
    ASSERT_FALSE(r.ok()) << "packet " << i + 1 << " replayed after the restart";
    EXPECT_EQ(r.error().code, Errc::exists);
  }
  const Counters& c = after->counters();
  EXPECT_EQ(c[Ctr::esp_rx_replayed], 64u);  // 87..150
  EXPECT_EQ(c[Ctr::esp_rx_too_old], 86u);   // 1..86
  EXPECT_EQ(c[Ctr::esp_rx_bad_icv], 0u);    // refused before the ICV
  // The sender's later packets are taken, in any order.
  for (int i : {180, 151, 199, 160}) {
    PacketBuf p = PacketBuf::copy_of(captured[i - 1].bytes());
    EXPECT_TRUE(after->decap(p).ok()) << i;
  }
  EXPECT_EQ(after->highest(), 199u);
  // Without the floor, the same old packets would have gone through.
  auto naive = InboundSa::create(kSpi, transform(), false, 64);
  PacketBuf p = PacketBuf::copy_of(captured[10].bytes());
  EXPECT_TRUE(naive->decap(p).ok());
}

TEST_F(SaStateTest, InboundFloorWithEsnAcrossTheLowHalf) {
  // The sender is past 2^32 (ESN); the receiver restarts with a floor there.
  const std::uint64_t base = (std::uint64_t{1} << 32) + 100;
  OutboundSa out(kSpi, transform(), true, base - 10);
  std::vector<PacketBuf> pkts;
  for (int i = 0; i < 20; ++i) {  // base - 9 .. base + 10
    PacketBuf p = PacketBuf::copy_of(Buf(20, 1));
    ASSERT_TRUE(out.encap(p, kNextHeaderL2tp).ok());
    pkts.push_back(std::move(p));
  }
  auto in = InboundSa::create(kSpi, transform(), true, 64, base);
  ASSERT_TRUE(in.ok());
  for (int i = 0; i < 10; ++i) {  // base - 9 .. base
    PacketBuf p = PacketBuf::copy_of(pkts[i].bytes());
    EXPECT_FALSE(in->decap(p).ok()) << i;
  }
  for (int i = 10; i < 20; ++i) {  // base + 1 .. base + 10: the ICV covers the inferred high half
    PacketBuf p = PacketBuf::copy_of(pkts[i].bytes());
    EXPECT_TRUE(in->decap(p).ok()) << i;
  }
  EXPECT_EQ(in->highest(), base + 10);
  EXPECT_EQ(in->counters()[Ctr::esp_rx_bad_icv], 0u);
}

}  // namespace
}  // namespace l2sec::esp
