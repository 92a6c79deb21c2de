// SequenceCounter: RFC 4303 §3.3.3 (sender sequence number, never cycles).
#include "esp/sequence.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace l2sec::esp {
namespace {

TEST(SequenceCounter, StartsAtOne) {
  for (bool esn : {false, true}) {
    SequenceCounter s(esn);
    Counters c;
    EXPECT_EQ(s.last(), 0u);
    auto a = s.next(c);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, 1u);
    EXPECT_EQ(*s.next(c), 2u);
    EXPECT_EQ(*s.next(c), 3u);
    EXPECT_EQ(s.last(), 3u);
    EXPECT_FALSE(s.exhausted());
    EXPECT_FALSE(s.soft_limit_reached());
    EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 0u);
  }
}

TEST(SequenceCounter, WithoutEsnExhaustsExactlyAfter2To32Minus1) {
  SequenceCounter s(false, 0, 0xFFFFFFFDu);
  Counters c;
  EXPECT_EQ(*s.next(c), 0xFFFFFFFEu);
  EXPECT_FALSE(s.exhausted());
  EXPECT_EQ(*s.next(c), 0xFFFFFFFFu);  // the last number: sent
  EXPECT_TRUE(s.exhausted());
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 0u);
  auto r = s.next(c);  // would cycle to 0
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_resources);
  EXPECT_EQ(r.error().what, "sequence number exhausted: rekey");
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 1u);
  EXPECT_FALSE(s.next(c).ok());  // and stays refused
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 2u);
  EXPECT_EQ(s.last(), 0xFFFFFFFFu);
}

TEST(SequenceCounter, WithEsnCrosses2To32AndExhaustsAfter2To64Minus1) {
  SequenceCounter s(true, 0, 0xFFFFFFFEu);
  Counters c;
  EXPECT_EQ(*s.next(c), 0xFFFFFFFFu);
  EXPECT_EQ(*s.next(c), std::uint64_t{1} << 32);  // low 32 bits on the wire: 0
  EXPECT_EQ(*s.next(c), (std::uint64_t{1} << 32) + 1);
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 0u);

  SequenceCounter e(true, 0, UINT64_MAX - 1);
  EXPECT_EQ(*e.next(c), UINT64_MAX);
  EXPECT_TRUE(e.exhausted());
  auto r = e.next(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::no_resources);
  EXPECT_EQ(c[Ctr::esp_tx_seq_exhausted], 1u);
}

TEST(SequenceCounter, RestoredStateIsClampedToTheMode) {
  SequenceCounter s(false, 0, std::uint64_t{1} << 40);
  EXPECT_EQ(s.last(), 0xFFFFFFFFu);
  EXPECT_TRUE(s.exhausted());
  SequenceCounter e(true, 0, std::uint64_t{1} << 40);
  EXPECT_EQ(e.last(), std::uint64_t{1} << 40);
  EXPECT_FALSE(e.exhausted());
}

TEST(SequenceCounter, DefaultSoftLimits) {
  Counters c;
  SequenceCounter s(false, 0, SequenceCounter::kDefaultSoft32 - 2);
  EXPECT_EQ(SequenceCounter::kDefaultSoft32, 0xFF000000u);
  EXPECT_EQ(*s.next(c), 0xFEFFFFFFu);
  EXPECT_FALSE(s.soft_limit_reached());
  EXPECT_EQ(*s.next(c), 0xFF000000u);
  EXPECT_TRUE(s.soft_limit_reached());

  SequenceCounter e(true, 0, 0xFF000000u);
  EXPECT_FALSE(e.soft_limit_reached());  // 2^32 - 2^24 is nothing with ESN
  SequenceCounter f(true, 0, SequenceCounter::kDefaultSoft64 - 1);
  EXPECT_FALSE(f.soft_limit_reached());
  EXPECT_EQ(*f.next(c), 0xFF00000000000000u);
  EXPECT_TRUE(f.soft_limit_reached());
}

TEST(SequenceCounter, ConfiguredSoftLimit) {
  Counters c;
  SequenceCounter s(false, 3);
  EXPECT_EQ(*s.next(c), 1u);
  EXPECT_EQ(*s.next(c), 2u);
  EXPECT_FALSE(s.soft_limit_reached());
  EXPECT_EQ(*s.next(c), 3u);
  EXPECT_TRUE(s.soft_limit_reached());
  EXPECT_EQ(*s.next(c), 4u);  // soft: sending goes on
  EXPECT_TRUE(s.soft_limit_reached());
  // A limit beyond the end never triggers; the hard limit still does.
  SequenceCounter n(false, std::uint64_t{1} << 33, 0xFFFFFFFEu);
  EXPECT_EQ(*n.next(c), 0xFFFFFFFFu);
  EXPECT_FALSE(n.soft_limit_reached());
  EXPECT_FALSE(n.next(c).ok());
}

}  // namespace
}  // namespace l2sec::esp
