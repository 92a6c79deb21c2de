// ReplayWindow: RFC 4303 §3.4.3 and Appendix A2.3 (ESN), RFC 6479 bitmap.
#include "esp/replay_window.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <vector>

namespace l2sec::esp {
namespace {

constexpr std::uint64_t k32 = std::uint64_t{1} << 32;

ReplayWindow make(std::uint32_t size, bool esn) {
  auto w = ReplayWindow::create(size, esn);
  EXPECT_TRUE(w.ok());
  return std::move(w).value();
}

// Accepts seq as if its ICV had verified; fails the test if refused.
void must_accept(ReplayWindow& w, std::uint64_t seq) {
  Counters c;
  ASSERT_TRUE(w.accept(seq, c)) << "seq " << seq;
}

TEST(ReplayWindow, SizeMustBeMultipleOf64Within64To4096) {
  for (std::uint32_t bad : {0u, 1u, 32u, 63u, 65u, 100u, 4032u + 1, 4160u, 8192u})
    EXPECT_EQ(ReplayWindow::create(bad, false).error().code, Errc::out_of_range) << bad;
  for (std::uint32_t good : {64u, 128u, 1024u, 4032u, 4096u}) {
    auto w = ReplayWindow::create(good, true);
    ASSERT_TRUE(w.ok()) << good;
    EXPECT_EQ(w->size(), good);
    EXPECT_TRUE(w->esn());
    EXPECT_EQ(w->top(), 0u);
  }
}

TEST(ReplayWindow, SequenceZeroIsNeverValid) {
  for (bool esn : {false, true}) {
    auto w = make(64, esn);
    Counters c;
    EXPECT_EQ(w.check(0, c), std::nullopt);
    EXPECT_EQ(c[Ctr::esp_rx_too_old], 1u);
    EXPECT_FALSE(w.accept(0, c));
    EXPECT_EQ(c[Ctr::esp_rx_too_old], 2u);
    EXPECT_EQ(w.check(1, c), std::optional<std::uint64_t>(1));
  }
}

TEST(ReplayWindow, CheckDoesNotChangeStateAcceptDoes) {
  auto w = make(64, false);
  Counters c;
  EXPECT_EQ(w.check(5, c), std::optional<std::uint64_t>(5));
  EXPECT_EQ(w.check(5, c), std::optional<std::uint64_t>(5));  // still fresh
  EXPECT_EQ(w.top(), 0u);
  // Two packets with the same number both passed check(); only one wins.
  EXPECT_TRUE(w.accept(5, c));
  EXPECT_FALSE(w.accept(5, c));
  EXPECT_EQ(c[Ctr::esp_rx_replayed], 1u);
  EXPECT_EQ(w.top(), 5u);
  EXPECT_EQ(w.check(5, c), std::nullopt);
  EXPECT_EQ(c[Ctr::esp_rx_replayed], 2u);
  EXPECT_EQ(c[Ctr::esp_rx_too_old], 0u);
  // A number below the top that never arrived is still welcome.
  EXPECT_EQ(w.check(3, c), std::optional<std::uint64_t>(3));
}

class ReplayWindowSize : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(ReplayWindowSize, EdgesExactlyWMinus1BehindAcceptedWBehindRefused) {
  const std::uint32_t size = GetParam();
  for (bool esn : {false, true}) {
    auto w = make(size, esn);
    const std::uint64_t top = 100000;
    must_accept(w, top);
    Counters c;
    EXPECT_EQ(w.check(static_cast<std::uint32_t>(top - (size - 1)), c),
              std::optional<std::uint64_t>(top - (size - 1)));
    if (!esn) {  // with ESN, Tl - W is read as a number after 2^32 (A2.3 case A)
      EXPECT_EQ(w.check(static_cast<std::uint32_t>(top - size), c), std::nullopt);
      EXPECT_EQ(c[Ctr::esp_rx_too_old], 1u);
    }
    EXPECT_EQ(w.status(top - size), ReplayStatus::too_old);
    EXPECT_FALSE(w.accept(top - size, c));
    must_accept(w, top - (size - 1));
    EXPECT_EQ(w.status(top - (size - 1)), ReplayStatus::duplicate);
    // Every number inside the window that has not arrived is still fresh.
    for (std::uint64_t s = top - (size - 2); s < top; ++s)
      ASSERT_EQ(w.status(s), ReplayStatus::ok) << s;
    // Moving the top by one pushes the oldest number out.
    must_accept(w, top + 1);
    EXPECT_EQ(w.status(top - (size - 1)), ReplayStatus::too_old);
    EXPECT_EQ(w.status(top - (size - 2)), ReplayStatus::ok);
  }
}

TEST_P(ReplayWindowSize, LargeJumpsClearTheBitmap) {
  const std::uint32_t size = GetParam();
  auto w = make(size, false);
  // Fill 1 .. 3W completely, then jump by amounts around the ring size.
  std::uint64_t top = 3 * std::uint64_t{size};
  for (std::uint64_t s = 1; s <= top; ++s) must_accept(w, s);
  for (std::uint64_t jump : {std::uint64_t{size} / 2, std::uint64_t{size} + 1, std::uint64_t{size} + 64,
                             2 * std::uint64_t{size}, 8 * std::uint64_t{size} + 63, std::uint64_t{1} << 30}) {
    const std::uint64_t old_top = top;
    top += jump;
    must_accept(w, top);
    for (std::uint64_t s = top - (size - 1); s < top; ++s) {
      const ReplayStatus want = s <= old_top ? ReplayStatus::duplicate : ReplayStatus::ok;
      ASSERT_EQ(w.status(s), want) << "jump " << jump << " seq " << s;
    }
    // Fill the new window again so stale bits would show after the next jump.
    for (std::uint64_t s = top - (size - 1); s < top; ++s)
      if (s > old_top) must_accept(w, s);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReplayWindowSize, ::testing::Values(64u, 128u, 1024u, 4096u));

TEST(ReplayWindow, WithoutEsnNothingPassesTheTopOf32Bits) {
  auto w = make(64, false);
  must_accept(w, 0xFFFFFFFFu);
  Counters c;
  EXPECT_EQ(w.check(1, c), std::nullopt);  // never read as 2^32 + 1
  EXPECT_EQ(c[Ctr::esp_rx_too_old], 1u);
  EXPECT_FALSE(w.accept(k32 + 1, c));
  EXPECT_EQ(w.check(0xFFFFFFC1u, c), std::optional<std::uint64_t>(0xFFFFFFC1u));  // W - 1 behind
}

// RFC 4303 Appendix A2.3, case A (Tl >= W - 1): the window lies within one
// Seqh. Th = 5, Tl = 1000, W = 64: the window is Tl-63 = 937 .. 1000.
TEST(ReplayWindowEsn, A23CaseA) {
  auto w = make(64, true);
  const std::uint64_t th = 5;
  must_accept(w, (th << 32) | 1000);
  const auto full = [&](std::uint64_t hi, std::uint64_t lo) { return (hi << 32) | lo; };
  EXPECT_EQ(w.classify(1000).status, ReplayStatus::duplicate);
  EXPECT_EQ(w.classify(1000).seq, full(th, 1000));
  // Seql >= Tl - W + 1, Seql <= Tl: Seqh = Th, judged by the bitmap.
  EXPECT_EQ(w.classify(937).seq, full(th, 937));
  EXPECT_EQ(w.classify(937).status, ReplayStatus::ok);
  // Seql > Tl: Seqh = Th, a new highest number.
  EXPECT_EQ(w.classify(1001).seq, full(th, 1001));
  EXPECT_EQ(w.classify(0xFFFFFFFFu).seq, full(th, 0xFFFFFFFF));
  EXPECT_EQ(w.classify(0xFFFFFFFFu).status, ReplayStatus::ok);
  // Seql < Tl - W + 1: Seqh = Th + 1 (the sender wrapped). Only the ICV can
  // tell whether it did, so these are candidates, not drops.
  EXPECT_EQ(w.classify(936).seq, full(th + 1, 936));
  EXPECT_EQ(w.classify(936).status, ReplayStatus::ok);
  EXPECT_EQ(w.classify(0).seq, full(th + 1, 0));
  EXPECT_EQ(w.classify(0).status, ReplayStatus::ok);
  // Tl exactly W - 1 is still case A: the window is 0 .. 63 of Th.
  auto v = make(64, true);
  must_accept(v, full(th, 63));
  EXPECT_EQ(v.classify(0).seq, full(th, 0));
  EXPECT_EQ(v.classify(0).status, ReplayStatus::ok);
  EXPECT_EQ(v.classify(0xFFFFFFFFu).seq, full(th, 0xFFFFFFFF));
}

// RFC 4303 Appendix A2.3, case B (Tl < W - 1): the window straddles the
// boundary. Th = 5, Tl = 10, W = 64: the window is (Th-1, 2^32-53) .. (Th, 10).
TEST(ReplayWindowEsn, A23CaseB) {
  auto w = make(64, true);
  const std::uint64_t th = 5;
  const auto full = [&](std::uint64_t hi, std::uint64_t lo) { return (hi << 32) | lo; };
  must_accept(w, full(th, 10));
  // Seql >= Tl - W + 1 (mod 2^32): Seqh = Th - 1, inside the window.
  EXPECT_EQ(w.classify(0xFFFFFFFFu).seq, full(th - 1, 0xFFFFFFFF));
  EXPECT_EQ(w.classify(0xFFFFFFFFu).status, ReplayStatus::ok);
  EXPECT_EQ(w.classify(0xFFFFFFCBu).seq, full(th - 1, 0xFFFFFFCB));  // 2^32 - 53: W-1 behind
  EXPECT_EQ(w.classify(0xFFFFFFCBu).status, ReplayStatus::ok);
  // Seql < Tl - W + 1: Seqh = Th, in the window (<= Tl) or new (> Tl).
  EXPECT_EQ(w.classify(0xFFFFFFCAu).seq, full(th, 0xFFFFFFCA));
  EXPECT_EQ(w.classify(0xFFFFFFCAu).status, ReplayStatus::ok);
  EXPECT_EQ(w.classify(10).status, ReplayStatus::duplicate);
  EXPECT_EQ(w.classify(3).seq, full(th, 3));
  EXPECT_EQ(w.classify(3).status, ReplayStatus::ok);
  EXPECT_EQ(w.classify(11).seq, full(th, 11));
  // Accept one on each side of the boundary, then they are duplicates.
  must_accept(w, full(th - 1, 0xFFFFFFFF));
  must_accept(w, full(th, 0));
  EXPECT_EQ(w.classify(0xFFFFFFFFu).status, ReplayStatus::duplicate);
  EXPECT_EQ(w.classify(0).status, ReplayStatus::duplicate);
  EXPECT_EQ(w.top(), full(th, 10));
}

TEST(ReplayWindowEsn, CaseBBeforeTheFirstWrapHasNoPreviousSeqh) {
  auto w = make(64, true);
  Counters c;
  // Nothing received yet (T = 0): numbers just below 2^32 would need Th - 1.
  EXPECT_EQ(w.check(0xFFFFFFFFu, c), std::nullopt);
  EXPECT_EQ(c[Ctr::esp_rx_too_old], 1u);
  EXPECT_EQ(w.check(1, c), std::optional<std::uint64_t>(1));
  must_accept(w, 20);
  EXPECT_EQ(w.check(0xFFFFFFD5u, c), std::nullopt);  // Tl - W + 1 = 2^32 - 43
  EXPECT_EQ(w.check(0xFFFFFFD4u, c), std::optional<std::uint64_t>(0xFFFFFFD4u));  // Seqh = 0, new
  EXPECT_EQ(c[Ctr::esp_rx_too_old], 2u);
}

TEST(ReplayWindowEsn, WrapAcross2To32BothCases) {
  for (std::uint32_t size : {64u, 1024u, 4096u}) {
    auto w = make(size, true);
    Counters c;
    must_accept(w, k32 - 16);
    // Case A: a small Seql is after the wrap.
    auto s = w.check(5, c);
    ASSERT_EQ(s, std::optional<std::uint64_t>(k32 + 5)) << size;
    ASSERT_TRUE(w.accept(*s, c));
    // Now case B: late packets from before the wrap get Seqh = 0.
    EXPECT_EQ(w.check(0xFFFFFFF8u, c), std::optional<std::uint64_t>(k32 - 8)) << size;
    EXPECT_EQ(w.check(0xFFFFFFF0u, c), std::nullopt) << size;  // k32 - 16: duplicate
    EXPECT_EQ(c[Ctr::esp_rx_replayed], 1u);
    EXPECT_EQ(w.check(3, c), std::optional<std::uint64_t>(k32 + 3)) << size;
    EXPECT_EQ(w.check(5, c), std::nullopt) << size;
    EXPECT_EQ(c[Ctr::esp_rx_replayed], 2u);
    const auto oldest = static_cast<std::uint32_t>(k32 + 5 - (size - 1));
    EXPECT_EQ(w.check(oldest, c), std::optional<std::uint64_t>(k32 + 5 - (size - 1))) << size;
    EXPECT_EQ(c[Ctr::esp_rx_too_old], 0u);
  }
}

TEST(ReplayWindowEsn, NothingPassesTheEndOf64Bits) {
  auto w = make(64, true);
  must_accept(w, UINT64_MAX - 10);
  Counters c;
  EXPECT_EQ(w.check(0xFFFFFFFFu, c), std::optional<std::uint64_t>(UINT64_MAX));
  EXPECT_EQ(w.check(1, c), std::nullopt);  // would be Th + 1 = 2^32
  EXPECT_EQ(c[Ctr::esp_rx_too_old], 1u);
  must_accept(w, UINT64_MAX);
  EXPECT_EQ(w.check(0xFFFFFFFFu, c), std::nullopt);
  EXPECT_EQ(c[Ctr::esp_rx_replayed], 1u);
}

// ---- properties: random arrival orders ----

// Numbers 1..n, shuffled within aligned chunks of `size`, so every packet
// arrives at most W-1 behind the highest: all must be accepted exactly once;
// injected duplicates must all be refused.
TEST(ReplayWindowProperty, ReorderedWithinWindowAllAcceptedOnce) {
  for (std::uint32_t size : {64u, 1024u, 4096u}) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      std::mt19937_64 rng(seed * 7919 + size);
      const bool esn = (seed & 1) != 0;
      const std::uint64_t base = esn ? k32 - 3 * std::uint64_t{size} : 0;  // ESN: cross 2^32
      const std::uint64_t n = 6 * std::uint64_t{size};
      std::vector<std::uint64_t> order;
      for (std::uint64_t s = 1; s <= n; ++s) order.push_back(base + s);
      for (std::size_t i = 0; i < order.size(); i += size)
        std::shuffle(order.begin() + static_cast<std::ptrdiff_t>(i),
                     order.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(i + size, order.size())), rng);
      auto w = make(size, esn);
      if (base != 0) must_accept(w, base);
      Counters c;
      std::uint64_t accepted = 0, dups = 0;
      std::set<std::uint64_t> seen;
      std::vector<std::uint64_t> seen_list;
      for (std::uint64_t s : order) {
        auto got = w.check(static_cast<std::uint32_t>(s), c);
        ASSERT_EQ(got, std::optional<std::uint64_t>(s)) << "seed " << seed << " size " << size << " seq " << s;
        ASSERT_TRUE(w.accept(s, c)) << "seed " << seed << " size " << size << " seq " << s;
        ASSERT_TRUE(seen.insert(s).second);
        seen_list.push_back(s);
        ++accepted;
        if (rng() % 4 == 0) {  // replay a random earlier number
          const std::uint64_t d = seen_list[rng() % seen_list.size()];
          ReplayStatus st = w.status(d);
          ASSERT_NE(st, ReplayStatus::ok) << "seed " << seed << " size " << size << " replay " << d;
          ASSERT_FALSE(w.accept(d, c)) << "seed " << seed;
          ++dups;
        }
      }
      EXPECT_EQ(accepted, n) << "seed " << seed;
      EXPECT_EQ(c[Ctr::esp_rx_replayed] + c[Ctr::esp_rx_too_old], dups) << "seed " << seed;
      EXPECT_EQ(w.top(), base + n) << "seed " << seed;
    }
  }
}

// Reference: the window as a std::set of accepted numbers, and A2.3's Seqh
// inference restated as "the only number with these low 32 bits in
// [T - W + 1, T - W + 1 + 2^32)".
class Reference {
 public:
  Reference(std::uint32_t size, bool esn) : size_(size), esn_(esn) {}

  ReplayCheck classify(std::uint32_t lo) const {
    if (!esn_) return {lo, status(lo)};
    const __int128 base = static_cast<__int128>(top_) - size_ + 1;
    const auto base_lo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(base));
    const __int128 s = base + static_cast<std::uint32_t>(lo - base_lo);
    if (s <= 0 || s > static_cast<__int128>(UINT64_MAX)) return {0, ReplayStatus::too_old};
    return {static_cast<std::uint64_t>(s), status(static_cast<std::uint64_t>(s))};
  }
  ReplayStatus status(std::uint64_t s) const {
    if (s == 0 || (!esn_ && s > UINT32_MAX)) return ReplayStatus::too_old;
    if (s > top_) return ReplayStatus::ok;
    if (top_ - s >= size_) return ReplayStatus::too_old;
    return got_.count(s) != 0 ? ReplayStatus::duplicate : ReplayStatus::ok;
  }
  bool accept(std::uint64_t s) {
    if (status(s) != ReplayStatus::ok) return false;
    got_.insert(s);
    top_ = std::max(top_, s);
    while (!got_.empty() && top_ - *got_.begin() >= size_) got_.erase(got_.begin());
    return true;
  }
  std::uint64_t top() const { return top_; }

 private:
  std::set<std::uint64_t> got_;
  std::uint64_t top_ = 0;
  std::uint32_t size_;
  bool esn_;
};

TEST(ReplayWindowProperty, MatchesSetReference) {
  for (std::uint32_t size : {64u, 1024u, 4096u}) {
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      for (bool esn : {false, true}) {
        std::mt19937_64 rng(seed * 1000003 + size * 2 + (esn ? 1 : 0));
        auto w = make(size, esn);
        Reference ref(size, esn);
        Counters c;
        // Start near a 2^32 boundary half of the time.
        std::uint64_t cursor = (seed & 1) ? (esn ? 3 * k32 - 2 * std::uint64_t{size} : k32 - 4 * std::uint64_t{size}) : 1;
        if (cursor > 1) {
          ASSERT_TRUE(w.accept(cursor, c));
          ASSERT_TRUE(ref.accept(cursor));
        }
        for (int step = 0; step < 4000; ++step) {
          const std::uint64_t r = rng() % 100;
          std::uint64_t s;
          if (r < 60) {  // near the top, both sides of the window edge
            s = ref.top() - std::min<std::uint64_t>(ref.top(), rng() % (std::uint64_t{size} + 64)) + rng() % 8;
          } else if (r < 90) {
            s = ref.top() + 1 + rng() % (2 * std::uint64_t{size});
          } else if (r < 97) {
            s = ref.top() + rng() % (std::uint64_t{1} << 31);  // big jump
          } else {
            s = rng();  // anything
          }
          if (!esn) s &= UINT32_MAX;
          const auto lo = static_cast<std::uint32_t>(s);
          const ReplayCheck got = w.classify(lo);
          const ReplayCheck want = ref.classify(lo);
          ASSERT_EQ(got.status, want.status) << "seed " << seed << " size " << size << " esn " << esn
                                             << " step " << step << " lo " << lo << " top " << ref.top();
          if (want.status == ReplayStatus::ok) {
            ASSERT_EQ(got.seq, want.seq) << "seed " << seed << " step " << step;
          }
          // The ICV fails for one in ten candidates: nothing may change then.
          if (got.status == ReplayStatus::ok && rng() % 10 != 0) {
            ASSERT_TRUE(w.accept(got.seq, c)) << "seed " << seed << " step " << step;
            ASSERT_TRUE(ref.accept(want.seq));
          }
          // A full-number re-check of anything near the top agrees too.
          const std::uint64_t probe = ref.top() - std::min<std::uint64_t>(ref.top(), rng() % (2 * std::uint64_t{size}));
          ASSERT_EQ(w.status(probe), ref.status(probe)) << "seed " << seed << " step " << step << " probe " << probe;
          ASSERT_EQ(w.top(), ref.top()) << "seed " << seed << " step " << step;
        }
      }
    }
  }
}

}  // namespace
}  // namespace l2sec::esp
