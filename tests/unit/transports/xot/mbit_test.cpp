// Complete packet sequences (transports/xot/mbit.hpp): a PDU split into
// Data packets with M = 1 on all but the last and joined again, through
// the real Data packet codec; the bounds and every error by its counter.
#include "transports/xot/mbit.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "transports/xot/x25.hpp"
#include "vectors.hpp"

namespace l2sec::transports::xot {
namespace {

using testing::Buf;
using testing::to_hex;

Buf pattern(std::size_t n, unsigned seed = 0) {
  Buf b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + seed);
  return b;
}

std::vector<Segment> split(Bytes pdu, std::size_t size) {
  Segmenter s(pdu, size);
  std::vector<Segment> out;
  const std::size_t count = s.count();
  while (!s.done()) out.push_back(s.next());
  EXPECT_EQ(out.size(), count);
  return out;
}

TEST(Segmenter, SplitsIntoFullPacketsWithMOnAllButTheLast) {
  const Buf pdu = pattern(300);
  auto segs = split(pdu, 128);
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(segs[0].data.size(), 128u);
  EXPECT_TRUE(segs[0].more);
  EXPECT_EQ(segs[1].data.size(), 128u);
  EXPECT_TRUE(segs[1].more);
  EXPECT_EQ(segs[2].data.size(), 44u);
  EXPECT_FALSE(segs[2].more);
  EXPECT_EQ(segs[0].data.data(), pdu.data());  // views, no copy
  EXPECT_EQ(segs[2].data.data(), pdu.data() + 256);
}

TEST(Segmenter, ExactMultipleEmptyAndSmall) {
  const Buf pdu = pattern(256);
  auto segs = split(pdu, 128);
  ASSERT_EQ(segs.size(), 2u);  // no trailing empty packet
  EXPECT_TRUE(segs[0].more);
  EXPECT_FALSE(segs[1].more);
  EXPECT_EQ(segs[1].data.size(), 128u);

  auto empty = split({}, 128);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_TRUE(empty[0].data.empty());
  EXPECT_FALSE(empty[0].more);

  const Buf one = pattern(1);
  auto small = split(one, 16);
  ASSERT_EQ(small.size(), 1u);
  EXPECT_FALSE(small[0].more);

  Segmenter s(one, 16);
  (void)s.next();
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.count(), 0u);
  EXPECT_TRUE(s.next().data.empty());  // after the end: nothing more
}

// Sends a PDU through Segmenter -> Data packets (encode) -> decode ->
// Reassembler, the way the VC will.
Buf through_the_wire(Bytes pdu, std::size_t packet_size, Modulo mod, Reassembler& r, Counters& c,
                     std::size_t* packets = nullptr) {
  Segmenter s(pdu, packet_size);
  std::uint8_t ps = 0;
  Buf out;
  std::size_t n = 0;
  while (!s.done()) {
    Segment seg = s.next();
    Packet p;
    p.hdr = Header{false, false, mod, 42};
    p.ps = ps;
    p.m = seg.more;
    p.user_data = seg.data;
    ps = static_cast<std::uint8_t>((ps + 1) % (mod == Modulo::mod8 ? 8 : 128));
    PacketBuf wire(packet_size + 8);
    EXPECT_TRUE(encode(p, wire).ok());
    auto d = decode(wire.bytes(), c);
    EXPECT_TRUE(d.ok());
    auto got = r.add(d->user_data, d->m, d->hdr.q, c);
    EXPECT_TRUE(got.ok());
    ++n;
    if (got.ok() && got->has_value()) {
      EXPECT_FALSE(seg.more);
      EXPECT_EQ((*got)->packets, n);
      out.assign((*got)->data.begin(), (*got)->data.end());
    }
  }
  if (packets) *packets = n;
  return out;
}

TEST(Reassembler, RoundTripsOverSizesAndPacketSizes) {
  for (Modulo mod : {Modulo::mod8, Modulo::mod128}) {
    for (std::size_t size : std::vector<std::size_t>{16, 128, 1024, 4096}) {
      Reassembler r(8192, size);
      Counters c;
      std::size_t pdus = 0;
      for (std::size_t len : std::vector<std::size_t>{0, 1, size - 1, size, size + 1, 3 * size, 1600, 8192}) {
        if (len > 8192) continue;
        const Buf pdu = pattern(len, static_cast<unsigned>(len));
        std::size_t packets = 0;
        EXPECT_EQ(to_hex(through_the_wire(pdu, size, mod, r, c, &packets)), to_hex(pdu))
            << len << "/" << size;
        EXPECT_EQ(packets, len == 0 ? 1 : (len + size - 1) / size);
        ++pdus;
      }
      EXPECT_EQ(c[Ctr::x25_reasm_pdus], pdus);
      EXPECT_EQ(r.pending(), 0u);
    }
  }
}

TEST(Reassembler, RandomPdusOverSeeds) {
  for (unsigned seed = 0; seed < 50; ++seed) {
    std::mt19937 rng(seed);
    const std::size_t size = std::size_t{1} << (4 + rng() % 9);
    const std::size_t len = rng() % 5000;
    Reassembler r(5000, size);
    Counters c;
    const Buf pdu = pattern(len, seed);
    EXPECT_EQ(to_hex(through_the_wire(pdu, size, seed % 2 ? Modulo::mod8 : Modulo::mod128, r, c)),
              to_hex(pdu))
        << "seed " << seed;
    EXPECT_EQ(c[Ctr::x25_reasm_pdus], 1u);
  }
}

TEST(Reassembler, OnePacketPduIsAViewOfThePacket) {
  Reassembler r(1600, 128);
  Counters c;
  const Buf data = pattern(100);
  auto got = r.add(data, false, true, c);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->data.data(), data.data());
  EXPECT_TRUE((*got)->q);
  EXPECT_EQ((*got)->packets, 1u);
}

TEST(Reassembler, PartiallyFullMPacketIsAnError) {
  Reassembler r(1600, 128);
  Counters c;
  const Buf full = pattern(128), part = pattern(100);
  ASSERT_TRUE(r.add(full, true, false, c).ok());
  auto e = r.add(part, true, false, c);  // M = 1 but not full (diagnostic 165)
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(c[Ctr::x25_reasm_partial_m], 1u);
  EXPECT_EQ(r.pending(), 0u);
  // Over-full with M = 1 too.
  const Buf over = pattern(129);
  EXPECT_FALSE(r.add(over, true, false, c).ok());
  EXPECT_EQ(c[Ctr::x25_reasm_partial_m], 2u);
  // The next sequence starts clean.
  auto ok = r.add(part, false, false, c);
  ASSERT_TRUE(ok.ok() && ok->has_value());
  EXPECT_EQ((*ok)->data.size(), 100u);
}

TEST(Reassembler, QBitChangeWithinASequenceIsAnError) {
  Reassembler r(1600, 128);
  Counters c;
  const Buf full = pattern(128);
  ASSERT_TRUE(r.add(full, true, true, c).ok());
  auto e = r.add(full, false, false, c);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(c[Ctr::x25_reasm_q_mismatch], 1u);
  EXPECT_EQ(r.pending(), 0u);
  // Q = 1 throughout is fine and reported.
  ASSERT_TRUE(r.add(full, true, true, c).ok());
  auto got = r.add(full, false, true, c);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_TRUE((*got)->q);
  EXPECT_EQ((*got)->data.size(), 256u);
}

TEST(Reassembler, OverflowDropsTheWholeSequenceUpToItsLastPacket) {
  Reassembler r(300, 128);
  Counters c;
  const Buf full = pattern(128), tail = pattern(10);
  ASSERT_TRUE(r.add(full, true, false, c).ok());
  ASSERT_TRUE(r.add(full, true, false, c).ok());
  auto e = r.add(full, true, false, c);  // 384 > 300
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(c[Ctr::x25_reasm_overflow], 1u);
  EXPECT_TRUE(r.discarding());
  auto d1 = r.add(full, true, false, c);
  ASSERT_TRUE(d1.ok());
  EXPECT_FALSE(d1->has_value());
  auto d2 = r.add(tail, false, false, c);  // the end of the bad sequence
  ASSERT_TRUE(d2.ok());
  EXPECT_FALSE(d2->has_value());
  EXPECT_EQ(c[Ctr::x25_reasm_discarded], 2u);
  EXPECT_FALSE(r.discarding());
  // The next sequence is whole again.
  ASSERT_TRUE(r.add(full, true, false, c).ok());
  auto got = r.add(tail, false, false, c);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->data.size(), 138u);
  EXPECT_EQ(c[Ctr::x25_reasm_pdus], 1u);
}

TEST(Reassembler, OverflowOnTheLastPacketAndOnAOnePacketPdu) {
  Reassembler r(200, 128);
  Counters c;
  const Buf full = pattern(128);
  ASSERT_TRUE(r.add(full, true, false, c).ok());
  EXPECT_FALSE(r.add(full, false, false, c).ok());  // 256 > 200, and it was the last
  EXPECT_FALSE(r.discarding());
  Reassembler small(100, 128);
  EXPECT_FALSE(small.add(full, false, false, c).ok());  // one packet over the limit
  EXPECT_EQ(c[Ctr::x25_reasm_overflow], 2u);
  EXPECT_EQ(c[Ctr::x25_reasm_discarded], 0u);
}

TEST(Reassembler, ResetDropsAPartialSequence) {
  Reassembler r(1600, 128);
  Counters c;
  r.reset(c);
  EXPECT_EQ(c[Ctr::x25_reasm_aborted], 0u);  // nothing to drop
  const Buf full = pattern(128);
  ASSERT_TRUE(r.add(full, true, false, c).ok());
  r.reset(c);
  EXPECT_EQ(c[Ctr::x25_reasm_aborted], 1u);
  EXPECT_EQ(r.pending(), 0u);
  const Buf last = pattern(5);
  auto got = r.add(last, false, false, c);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->data.size(), 5u);
}

TEST(Reassembler, PacketSizeCanChange) {
  Reassembler r(1600, 128);
  Counters c;
  r.set_packet_size(256);
  const Buf full = pattern(256);
  EXPECT_TRUE(r.add(full, true, false, c).ok());
  EXPECT_EQ(c[Ctr::x25_reasm_partial_m], 0u);
}

}  // namespace
}  // namespace l2sec::transports::xot
