// WireReader / WireWriter: big-endian at every width, and failure that
// sticks, so a chain of reads or writes is checked once.
#include "core/wire.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace l2sec {
namespace {

const std::array<std::uint8_t, 15> kBytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                             0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};

TEST(WireLoadStore, BigEndianAtEveryWidth) {
  EXPECT_EQ(load_be16(kBytes.data()), 0x0102);
  EXPECT_EQ(load_be32(kBytes.data()), 0x01020304u);
  EXPECT_EQ(load_be64(kBytes.data()), 0x0102030405060708ull);
  std::array<std::uint8_t, 8> b{};
  store_be16(b.data(), 0xA1B2);
  EXPECT_EQ(b[0], 0xA1);
  EXPECT_EQ(b[1], 0xB2);
  store_be32(b.data(), 0xDEADBEEF);
  EXPECT_EQ(b, (std::array<std::uint8_t, 8>{0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0}));
  store_be64(b.data(), 0x8877665544332211ull);
  EXPECT_EQ(b, (std::array<std::uint8_t, 8>{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}));
  EXPECT_EQ(load_be64(b.data()), 0x8877665544332211ull);
  // High bits survive (no sign extension).
  const std::array<std::uint8_t, 4> ff = {0xFF, 0xFF, 0xFF, 0xFE};
  EXPECT_EQ(load_be16(ff.data()), 0xFFFF);
  EXPECT_EQ(load_be32(ff.data()), 0xFFFFFFFEu);
}

TEST(WireReader, ReadsEveryWidthInOrder) {
  WireReader r(kBytes);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_EQ(r.offset(), 7u);
  EXPECT_EQ(r.remaining(), 8u);
  EXPECT_EQ(r.u64(), 0x08090A0B0C0D0E0Full);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.failed());
  EXPECT_TRUE(r.rest().empty());
}

TEST(WireReader, BytesSkipAndRest) {
  WireReader r(kBytes);
  auto b = r.bytes(3);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->data(), kBytes.data());  // a view, not a copy
  EXPECT_EQ(b->size(), 3u);
  EXPECT_TRUE(r.skip(2));
  EXPECT_EQ(r.rest().size(), 10u);
  EXPECT_EQ(r.rest().data(), kBytes.data() + 5);
  auto none = r.bytes(0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(r.skip(10));
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.failed());
}

// Each width, one byte short: the read fails, consumes nothing, and every
// later read fails too, even one that would fit.
TEST(WireReader, TruncationFailsAndSticksAtEveryWidth) {
  struct Case {
    std::size_t avail;
    int width;  // 1, 2, 4, 8 = u8..u64; 0 = bytes(avail + 1); -1 = skip(avail + 1)
  };
  const Case cases[] = {{0, 1}, {1, 2}, {3, 4}, {7, 8}, {4, 0}, {4, -1}};
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "width " << c.width << " avail " << c.avail);
    WireReader r(Bytes(kBytes).first(c.avail + 1));
    ASSERT_TRUE(r.u8());  // one byte in, `avail` left
    bool ok = true;
    switch (c.width) {
      case 1:
        ok = r.u8().has_value();
        break;
      case 2:
        ok = r.u16().has_value();
        break;
      case 4:
        ok = r.u32().has_value();
        break;
      case 8:
        ok = r.u64().has_value();
        break;
      case 0:
        ok = r.bytes(c.avail + 1).has_value();
        break;
      case -1:
        ok = r.skip(c.avail + 1);
        break;
    }
    EXPECT_FALSE(ok);
    EXPECT_TRUE(r.failed());
    EXPECT_EQ(r.offset(), 1u);  // nothing consumed
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(r.empty());
    EXPECT_TRUE(r.rest().empty());
    // Sticky: even reads that would fit now fail.
    EXPECT_FALSE(r.u8());
    EXPECT_FALSE(r.bytes(0));
    EXPECT_FALSE(r.skip(0));
    EXPECT_TRUE(r.failed());
  }
}

TEST(WireReader, EmptyInput) {
  WireReader r(Bytes{});
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.failed());
  EXPECT_FALSE(r.u16());
  EXPECT_TRUE(r.failed());
}

TEST(WireWriter, WritesEveryWidthBigEndian) {
  std::array<std::uint8_t, 20> buf{};
  WireWriter w(buf);
  w.u8(0x01);
  w.u16(0x0203);
  w.u32(0x04050607);
  w.u64(0x08090A0B0C0D0E0Full);
  const std::array<std::uint8_t, 2> tail = {0xAA, 0xBB};
  w.bytes(tail);
  w.zeros(2);
  EXPECT_FALSE(w.failed());
  EXPECT_EQ(w.offset(), 19u);
  const std::vector<std::uint8_t> expect = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
                                            0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xAA, 0xBB, 0x00, 0x00};
  EXPECT_EQ(std::vector<std::uint8_t>(w.written().begin(), w.written().end()), expect);
  EXPECT_EQ(w.written().data(), buf.data());
}

TEST(WireWriter, OverflowFailsWritesNothingAndSticks) {
  const int widths[] = {1, 2, 4, 8, 0};
  for (int width : widths) {
    SCOPED_TRACE(::testing::Message() << "width " << width);
    // Larger than the writer's view: the bytes past the view must stay
    // untouched too (and g++ 12 does not see a possible overflow).
    std::array<std::uint8_t, 16> buf;
    buf.fill(0x55);
    const std::size_t room = width == 0 ? 3 : static_cast<std::size_t>(width) - 1;
    WireWriter w(MutBytes(buf).first(room + 1));
    w.u8(0x11);  // one byte used, `room` left
    const std::array<std::uint8_t, 4> four = {9, 9, 9, 9};
    switch (width) {
      case 1:
        w.u8(0xEE);
        break;
      case 2:
        w.u16(0xEEEE);
        break;
      case 4:
        w.u32(0xEEEEEEEE);
        break;
      case 8:
        w.u64(0xEEEEEEEEEEEEEEEEull);
        break;
      case 0:
        w.bytes(four);
        break;
    }
    EXPECT_TRUE(w.failed());
    EXPECT_EQ(w.offset(), 1u);
    EXPECT_EQ(buf[0], 0x11);
    for (std::size_t i = 1; i < buf.size(); ++i) EXPECT_EQ(buf[i], 0x55) << "byte " << i;  // untouched
    // Sticky: a write that fits is refused too.
    if (room > 0) {
      w.u8(0x22);
      EXPECT_EQ(buf[1], 0x55);
    }
    w.zeros(0);
    EXPECT_TRUE(w.failed());
    EXPECT_EQ(w.offset(), 1u);
  }
}

TEST(WireWriter, ReserveThenPatchU16) {
  std::array<std::uint8_t, 8> buf{};
  WireWriter w(buf);
  w.u16(0xC802);
  const std::size_t len_at = w.reserve(2);
  EXPECT_EQ(len_at, 2u);
  w.u32(0x01020304);
  w.patch_u16(len_at, static_cast<std::uint16_t>(w.offset()));
  EXPECT_EQ(buf, (std::array<std::uint8_t, 8>{0xC8, 0x02, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04}));
}

TEST(WireWriter, PatchOutsideWrittenBytesOrAfterFailureDoesNothing) {
  std::array<std::uint8_t, 6> buf{};
  WireWriter w(buf);
  w.u16(0x1111);
  w.u8(0x22);
  w.patch_u16(2, 0xFFFF);  // would cover byte 3, not yet written
  w.patch_u16(5, 0xFFFF);  // beyond
  EXPECT_EQ(buf, (std::array<std::uint8_t, 6>{0x11, 0x11, 0x22, 0, 0, 0}));
  w.patch_u16(1, 0xABCD);  // within: bytes 1..2
  EXPECT_EQ(buf, (std::array<std::uint8_t, 6>{0x11, 0xAB, 0xCD, 0, 0, 0}));

  w.u32(0);  // overflow (3 left)
  ASSERT_TRUE(w.failed());
  w.patch_u16(0, 0x9999);
  EXPECT_EQ(buf[0], 0x11);
  EXPECT_EQ(buf[1], 0xAB);
}

TEST(WireWriter, ReserveOnOverflowFails) {
  std::array<std::uint8_t, 1> buf{};
  WireWriter w(buf);
  (void)w.reserve(2);
  EXPECT_TRUE(w.failed());
  EXPECT_EQ(w.offset(), 0u);
  EXPECT_TRUE(w.written().empty());
}

}  // namespace
}  // namespace l2sec
