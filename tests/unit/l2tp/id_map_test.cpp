// IdMap: the flat hash map behind tunnels and sessions.
#include "l2tp/id_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "crypto/random.hpp"

namespace l2sec::l2tp {
namespace {

TEST(IdMap, InsertFindErase) {
  IdMap<int> m;
  EXPECT_EQ(m.find(1), nullptr);
  EXPECT_EQ(m.find(0), nullptr);
  m.insert(7, 70);
  m.insert(65535, 5);
  ASSERT_NE(m.find(7), nullptr);
  EXPECT_EQ(*m.find(7), 70);
  EXPECT_EQ(*m.find(65535), 5);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_FALSE(m.erase(8));
  EXPECT_TRUE(m.erase(7));
  EXPECT_FALSE(m.contains(7));
  EXPECT_TRUE(m.contains(65535));
  EXPECT_EQ(m.size(), 1u);
}

TEST(IdMap, MoveOnlyValues) {
  IdMap<std::unique_ptr<int>> m;
  m.insert(3, std::make_unique<int>(33));
  ASSERT_NE(m.find(3), nullptr);
  EXPECT_EQ(**m.find(3), 33);
  m.erase(3);
  EXPECT_TRUE(m.empty());
}

// Random inserts and erases checked against std::map, across growth and
// the backward shifts of deletion.
TEST(IdMap, MatchesStdMapUnderChurn) {
  const std::uint64_t seed = 1234;
  SCOPED_TRACE(seed);
  crypto::SeededRandom rng(seed);
  IdMap<std::uint32_t> m;
  std::map<std::uint16_t, std::uint32_t> ref;
  for (int i = 0; i < 200000; ++i) {
    auto id = static_cast<std::uint16_t>(rng.next() % 3000 + 1);
    if (rng.next() % 3 != 0) {
      if (!ref.count(id)) {
        ref[id] = static_cast<std::uint32_t>(i);
        m.insert(id, static_cast<std::uint32_t>(i));
      }
    } else {
      EXPECT_EQ(m.erase(id), ref.erase(id) == 1);
    }
  }
  EXPECT_EQ(m.size(), ref.size());
  for (auto& [k, v] : ref) {
    ASSERT_NE(m.find(k), nullptr) << k;
    EXPECT_EQ(*m.find(k), v);
  }
  std::size_t n = 0;
  m.for_each([&](std::uint16_t k, std::uint32_t v) {
    ++n;
    EXPECT_EQ(ref.at(k), v);
  });
  EXPECT_EQ(n, ref.size());
  EXPECT_LE(m.size() * 4, m.capacity() * 3);
}

TEST(IdMap, FullIdSpace) {
  IdMap<std::uint16_t> m;
  for (std::uint32_t id = 1; id <= 65535; ++id) m.insert(static_cast<std::uint16_t>(id), static_cast<std::uint16_t>(id));
  EXPECT_EQ(m.size(), 65535u);
  for (std::uint32_t id = 1; id <= 65535; id += 7) EXPECT_EQ(*m.find(static_cast<std::uint16_t>(id)), id);
  for (std::uint32_t id = 1; id <= 65535; id += 2) EXPECT_TRUE(m.erase(static_cast<std::uint16_t>(id)));
  EXPECT_EQ(m.size(), 32767u);
  EXPECT_FALSE(m.contains(1));
  EXPECT_TRUE(m.contains(2));
}

}  // namespace
}  // namespace l2sec::l2tp
