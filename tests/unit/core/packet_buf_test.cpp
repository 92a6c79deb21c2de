// PacketBuf: headers go in front without moving the payload; the slow path
// (reallocation) is counted; clone and move keep ownership clear.
#include "core/packet_buf.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace l2sec {
namespace {

std::vector<std::uint8_t> contents(const PacketBuf& p) { return {p.bytes().begin(), p.bytes().end()}; }

TEST(PacketBuf, DefaultIsEmpty) {
  PacketBuf p;
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.headroom(), 0u);
  EXPECT_EQ(p.tailroom(), 0u);
  EXPECT_EQ(p.realloc_count(), 0u);
}

TEST(PacketBuf, CapacityAndHeadroomAreAsAsked) {
  PacketBuf p(100, 32);
  EXPECT_EQ(p.size(), 0u);
  EXPECT_EQ(p.headroom(), 32u);
  EXPECT_EQ(p.tailroom(), 100u);
  PacketBuf d(10);
  EXPECT_EQ(d.headroom(), PacketBuf::kDefaultHeadroom);
}

TEST(PacketBuf, CopyOfKeepsHeadroomAndTailroom) {
  const std::vector<std::uint8_t> payload = {1, 2, 3, 4, 5};
  PacketBuf p = PacketBuf::copy_of(payload);
  EXPECT_EQ(contents(p), payload);
  EXPECT_EQ(p.headroom(), PacketBuf::kDefaultHeadroom);
  EXPECT_EQ(p.tailroom(), PacketBuf::kDefaultTailroom);
  PacketBuf q = PacketBuf::copy_of(payload, 8, 2);
  EXPECT_EQ(q.headroom(), 8u);
  EXPECT_EQ(q.tailroom(), 2u);
  PacketBuf e = PacketBuf::copy_of({});
  EXPECT_TRUE(e.empty());
}

TEST(PacketBuf, PushFrontGrowsIntoHeadroomWithoutMovingThePayload) {
  const std::vector<std::uint8_t> payload = {0xAA, 0xBB, 0xCC};
  PacketBuf p = PacketBuf::copy_of(payload, 64, 16);
  const std::uint8_t* const payload_at = p.data();

  std::uint8_t* l2tp = p.push_front(12);
  EXPECT_EQ(l2tp, p.data());
  EXPECT_EQ(l2tp + 12, payload_at);  // payload did not move
  EXPECT_EQ(p.headroom(), 52u);
  EXPECT_EQ(p.size(), 15u);
  for (int i = 0; i < 12; ++i) l2tp[i] = static_cast<std::uint8_t>(i);

  std::uint8_t* udp = p.push_front(8);
  EXPECT_EQ(udp + 8, l2tp);
  EXPECT_EQ(udp + 20, payload_at);
  EXPECT_EQ(p.headroom(), 44u);
  std::fill(udp, udp + 8, 0xEE);

  EXPECT_EQ(p.realloc_count(), 0u);
  std::vector<std::uint8_t> expect(8, 0xEE);
  for (int i = 0; i < 12; ++i) expect.push_back(static_cast<std::uint8_t>(i));
  expect.insert(expect.end(), payload.begin(), payload.end());
  EXPECT_EQ(contents(p), expect);

  // Exactly the remaining headroom still fits.
  p.push_front(44);
  EXPECT_EQ(p.headroom(), 0u);
  EXPECT_EQ(p.realloc_count(), 0u);
  EXPECT_EQ(p.data() + 64, payload_at);
}

TEST(PacketBuf, PullFrontAndTrimBack) {
  const std::vector<std::uint8_t> payload = {1, 2, 3, 4, 5, 6};
  PacketBuf p = PacketBuf::copy_of(payload, 16, 4);
  const std::uint8_t* base = p.data();
  p.pull_front(2);
  EXPECT_EQ(p.data(), base + 2);
  EXPECT_EQ(p.headroom(), 18u);
  p.trim_back(1);
  EXPECT_EQ(p.tailroom(), 5u);
  EXPECT_EQ(contents(p), (std::vector<std::uint8_t>{3, 4, 5}));
  p.push_front(2);  // the stripped header comes back in place
  EXPECT_EQ(p.data(), base);
  EXPECT_EQ(contents(p), (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
  p.pull_front(p.size());
  EXPECT_TRUE(p.empty());
}

TEST(PacketBuf, PushBackUsesTailroom) {
  PacketBuf p = PacketBuf::copy_of(std::vector<std::uint8_t>{9}, 8, 4);
  const std::uint8_t* base = p.data();
  std::uint8_t* t = p.push_back(4);
  EXPECT_EQ(t, base + 1);
  EXPECT_EQ(p.tailroom(), 0u);
  EXPECT_EQ(p.realloc_count(), 0u);
  std::fill(t, t + 4, 7);
  const std::vector<std::uint8_t> more = {5, 6};
  p.append(more);  // no tailroom left: slow path
  EXPECT_EQ(p.realloc_count(), 1u);
  EXPECT_EQ(contents(p), (std::vector<std::uint8_t>{9, 7, 7, 7, 7, 5, 6}));
  EXPECT_GE(p.headroom(), 8u);  // headroom never shrinks in a reallocation
}

TEST(PacketBuf, HeadroomOverflowReallocatesOnceAndKeepsTheData) {
  const std::vector<std::uint8_t> payload = {1, 2, 3};
  PacketBuf p = PacketBuf::copy_of(payload, 4, 0);
  std::uint8_t* h = p.push_front(10);  // 10 > 4: slow path
  EXPECT_EQ(p.realloc_count(), 1u);
  EXPECT_EQ(h, p.data());
  EXPECT_EQ(p.size(), 13u);
  EXPECT_EQ(std::vector<std::uint8_t>(p.data() + 10, p.data() + 13), payload);
  // It made room for more: the next push does not reallocate again.
  EXPECT_GE(p.headroom(), PacketBuf::kDefaultHeadroom / 2);
  p.push_front(8);
  EXPECT_EQ(p.realloc_count(), 1u);
  EXPECT_EQ(std::vector<std::uint8_t>(p.data() + 18, p.data() + 21), payload);
}

TEST(PacketBuf, CloneIsADeepCopyWithTheSameLayout) {
  PacketBuf p = PacketBuf::copy_of(std::vector<std::uint8_t>{1, 2, 3}, 20, 6);
  p.push_front(2)[0] = 0x11;
  p.data()[1] = 0x22;
  PacketBuf c = p.clone();
  EXPECT_EQ(contents(c), contents(p));
  EXPECT_NE(c.data(), p.data());
  EXPECT_EQ(c.headroom(), p.headroom());
  EXPECT_EQ(c.tailroom(), p.tailroom());
  EXPECT_EQ(c.realloc_count(), 0u);
  c.data()[0] = 0x99;
  EXPECT_EQ(p.data()[0], 0x11);
}

TEST(PacketBuf, MoveTransfersTheBufferWithoutCopying) {
  PacketBuf p = PacketBuf::copy_of(std::vector<std::uint8_t>{4, 5, 6}, 32, 8);
  const std::uint8_t* at = p.data();
  PacketBuf q(std::move(p));
  EXPECT_EQ(q.data(), at);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.headroom(), 32u);
  EXPECT_EQ(p.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(p.headroom(), 0u);
  EXPECT_EQ(p.tailroom(), 0u);

  PacketBuf r = PacketBuf::copy_of(std::vector<std::uint8_t>{1}, 8, 8);
  r = std::move(q);
  EXPECT_EQ(r.data(), at);
  EXPECT_EQ(contents(r), (std::vector<std::uint8_t>{4, 5, 6}));
  EXPECT_TRUE(q.empty());  // NOLINT(bugprone-use-after-move)

  // A moved-from buffer is still usable (it grows on demand).
  p.append(std::vector<std::uint8_t>{7});
  EXPECT_EQ(contents(p), (std::vector<std::uint8_t>{7}));
}

TEST(PacketBuf, ResetReusesTheBuffer) {
  PacketBuf p = PacketBuf::copy_of(std::vector<std::uint8_t>(50, 1), 16, 14);
  p.reset(24);
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.headroom(), 24u);
  EXPECT_EQ(p.tailroom(), 80u - 24u);
  EXPECT_EQ(p.realloc_count(), 0u);
}

}  // namespace
}  // namespace l2sec
