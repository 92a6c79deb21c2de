// XOT framing over a TCP byte stream (transports/xot/xot.hpp, RFC 1613 §4):
// the deframer gives the same packets whether the stream arrives whole,
// byte by byte, in random chunks (a property over seeds) or cut at every
// offset; every broken header is counted by name and breaks the stream
// for good; the encoder prepends the header into the headroom.
#include "transports/xot/xot.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "vectors.hpp"

namespace l2sec::transports::xot {
namespace {

using testing::Buf;
using testing::hex;
using testing::to_hex;

Buf framed(const Buf& pkt) {
  Buf b(kHeaderLen + pkt.size());
  store_be16(&b[2], static_cast<std::uint16_t>(pkt.size()));
  std::copy(pkt.begin(), pkt.end(), b.begin() + kHeaderLen);
  return b;
}

// Every known vector, then a maximum-size mod-128 Data packet, then a
// minimum-size one.
std::vector<Buf> packets() {
  std::vector<Buf> out;
  for (const auto& v : testing::known_vectors()) out.push_back(testing::full_packet(v));
  Buf big = hex("20 05 02 04");
  for (std::size_t i = 0; i < kMaxUserData; ++i) big.push_back(static_cast<std::uint8_t>(i));
  EXPECT_EQ(big.size(), kMaxPacketLen);
  out.push_back(big);
  out.push_back(hex("10 01 27"));
  return out;
}

Buf stream_of(const std::vector<Buf>& pkts) {
  Buf s;
  for (const Buf& p : pkts) {
    Buf f = framed(p);
    s.insert(s.end(), f.begin(), f.end());
  }
  return s;
}

// Feeds the chunks in order, draining each; returns the packets (hex).
std::vector<std::string> feed(Deframer& d, const Buf& stream, const std::vector<std::size_t>& cuts,
                              Counters& c) {
  std::vector<std::string> got;
  std::size_t at = 0;
  auto chunk = [&](std::size_t end) {
    Bytes in(stream.data() + at, end - at);
    for (;;) {
      auto r = d.next(in, c);
      EXPECT_TRUE(r.ok());
      if (!r.ok() || !r->has_value()) break;
      got.push_back(to_hex(**r));
    }
    EXPECT_TRUE(in.empty());  // a whole chunk is always consumed
    at = end;
  };
  for (std::size_t cut : cuts) chunk(cut);
  chunk(stream.size());
  return got;
}

std::vector<std::string> hexes(const std::vector<Buf>& pkts) {
  std::vector<std::string> h;
  for (const Buf& p : pkts) h.push_back(to_hex(p));
  return h;
}

TEST(XotDeframer, WholeStreamInOneChunkWithoutCopies) {
  const auto pkts = packets();
  const Buf s = stream_of(pkts);
  Deframer d;
  Counters c;
  Bytes in(s);
  std::size_t i = 0, at = 0;
  for (;;) {
    auto r = d.next(in, c);
    ASSERT_TRUE(r.ok());
    if (!r->has_value()) break;
    ASSERT_LT(i, pkts.size());
    EXPECT_EQ(to_hex(**r), to_hex(pkts[i]));
    EXPECT_EQ((*r)->data(), s.data() + at + kHeaderLen);  // a view of the input
    at += kHeaderLen + pkts[i].size();
    ++i;
  }
  EXPECT_EQ(i, pkts.size());
  EXPECT_EQ(c[Ctr::xot_rx_packets], pkts.size());
  EXPECT_EQ(d.pending(), 0u);
}

TEST(XotDeframer, ByteByByte) {
  const auto pkts = packets();
  const Buf s = stream_of(pkts);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
  Deframer d;
  Counters c;
  EXPECT_EQ(feed(d, s, cuts, c), hexes(pkts));
  EXPECT_EQ(c[Ctr::xot_rx_packets], pkts.size());
}

TEST(XotDeframer, RandomChunkSizesGiveTheSamePacketsOverSeeds) {
  const auto pkts = packets();
  const Buf s = stream_of(pkts);
  for (unsigned seed = 0; seed < 200; ++seed) {
    std::mt19937 rng(seed);
    // Small chunks (header cuts), medium and large (several packets each).
    const std::size_t max_chunk = seed % 3 == 0 ? 7 : seed % 3 == 1 ? 300 : 6000;
    std::vector<std::size_t> cuts;
    for (std::size_t at = 0;;) {
      at += 1 + rng() % max_chunk;
      if (at >= s.size()) break;
      cuts.push_back(at);
    }
    Deframer d;
    Counters c;
    EXPECT_EQ(feed(d, s, cuts, c), hexes(pkts)) << "seed " << seed;
    EXPECT_EQ(c[Ctr::xot_rx_packets], pkts.size()) << "seed " << seed;
  }
}

TEST(XotDeframer, EveryCutOfATwoPacketStream) {
  const std::vector<Buf> pkts = {hex("10 01 0B 35 12345678 06 420707 430202 8000005E0007"), hex("10 01 A1")};
  const Buf s = stream_of(pkts);
  for (std::size_t a = 1; a < s.size(); ++a) {
    for (std::size_t b = a + 1; b < s.size(); ++b) {
      Deframer d;
      Counters c;
      ASSERT_EQ(feed(d, s, {a, b}, c), hexes(pkts)) << a << "," << b;
    }
  }
}

TEST(XotDeframer, EmptyInputNeedsMore) {
  Deframer d;
  Counters c;
  Bytes in;
  auto r = d.next(in, c);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

struct BadHeader {
  const char* what;
  Buf header;
  Ctr counter;
};

TEST(XotDeframer, BrokenHeadersAreCountedByNameAndBreakTheStream) {
  const std::vector<BadHeader> cases = {
      {"version 1", hex("0001 0003"), Ctr::xot_rx_bad_version},
      {"version 0x8000", hex("8000 0003"), Ctr::xot_rx_bad_version},
      {"length 0", hex("0000 0000"), Ctr::xot_rx_zero_length},
      {"length 1", hex("0000 0001"), Ctr::xot_rx_runt},
      {"length 2", hex("0000 0002"), Ctr::xot_rx_runt},
      {"length 4101", hex("0000 1005"), Ctr::xot_rx_oversize},
      {"length 65535", hex("0000 FFFF"), Ctr::xot_rx_oversize},
  };
  for (const BadHeader& b : cases) {
    for (bool bytewise : {false, true}) {
      SCOPED_TRACE(std::string(b.what) + (bytewise ? " byte by byte" : " whole"));
      // A good packet, then the bad header and bytes after it.
      Buf s = framed(hex("10 01 27"));
      s.insert(s.end(), b.header.begin(), b.header.end());
      for (int i = 0; i < 8; ++i) s.push_back(0x10);
      Deframer d;
      Counters c;
      std::vector<std::string> got;
      bool failed = false;
      std::size_t at = 0;
      while (at < s.size() && !failed) {
        const std::size_t n = bytewise ? 1 : s.size() - at;
        Bytes in(s.data() + at, n);
        for (;;) {
          auto r = d.next(in, c);
          if (!r.ok()) {
            failed = true;
            EXPECT_EQ(r.error().code, Errc::malformed);
            break;
          }
          if (!r->has_value()) break;
          got.push_back(to_hex(**r));
        }
        at += n - in.size();
      }
      EXPECT_TRUE(failed);
      EXPECT_EQ(got, std::vector<std::string>{"100127"});  // the packet before it still came out
      EXPECT_EQ(c[b.counter], 1u);
      EXPECT_TRUE(d.broken());
      // Later calls: same error, nothing consumed, nothing counted again.
      Buf more = framed(hex("10 01 27"));
      Bytes in(more);
      auto r = d.next(in, c);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(in.size(), more.size());
      EXPECT_EQ(c[b.counter], 1u);
      std::uint64_t total = 0;
      c.for_each_nonzero([&](Ctr, std::uint64_t v) { total += v; });
      EXPECT_EQ(total, 2u);  // xot_rx_packets for the good one + the drop
      // A new TCP connection: reset() makes it usable again.
      d.reset();
      EXPECT_FALSE(d.broken());
      auto again = d.next(in, c);
      ASSERT_TRUE(again.ok());
      ASSERT_TRUE(again->has_value());
      EXPECT_EQ(to_hex(**again), "100127");
    }
  }
}

TEST(XotDeframer, BoundIsClampedAndHonoured) {
  EXPECT_EQ(Deframer().max_packet(), kMaxPacketLen);
  EXPECT_EQ(Deframer(10).max_packet(), kMinDeframerBound);
  EXPECT_EQ(Deframer(100000).max_packet(), kMaxPacketLen);
  Deframer d(1000);
  EXPECT_EQ(d.max_packet(), 1000u);
  Counters c;
  Buf ok_pkt = hex("10 01 00");
  ok_pkt.resize(1000, 0x11);
  Buf s = framed(ok_pkt);
  Bytes in(s);
  auto r = d.next(in, c);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->size(), 1000u);
  Buf big = hex("10 01 00");
  big.resize(1001, 0x11);
  s = framed(big);
  in = Bytes(s);
  EXPECT_FALSE(d.next(in, c).ok());
  EXPECT_EQ(c[Ctr::xot_rx_oversize], 1u);
}

TEST(XotDeframer, ResetForgetsAPartialPacket) {
  Deframer d;
  Counters c;
  Buf s = framed(hex("10 01 A1"));
  Bytes in(s.data(), 5);
  auto r = d.next(in, c);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_EQ(d.pending(), 5u);
  d.reset();
  EXPECT_EQ(d.pending(), 0u);
  Bytes whole(s);
  auto r2 = d.next(whole, c);
  ASSERT_TRUE(r2.ok() && r2->has_value());
  EXPECT_EQ(to_hex(**r2), "1001a1");
}

TEST(XotFramer, PrependsTheHeaderIntoTheHeadroom) {
  PacketBuf pkt = PacketBuf::copy_of(hex("10 01 0B 00 00 CC"));
  const std::uint8_t* x25 = pkt.data();
  ASSERT_TRUE(push_header(pkt).ok());
  EXPECT_EQ(to_hex(pkt.bytes()), "0000000610010b0000cc");
  EXPECT_EQ(pkt.data() + kHeaderLen, x25);
  EXPECT_EQ(pkt.realloc_count(), 0u);

  Buf big(kMaxPacketLen, 0x20);
  PacketBuf b = PacketBuf::copy_of(big);
  ASSERT_TRUE(push_header(b).ok());
  EXPECT_EQ(to_hex(b.bytes().first(4)), "00001004");
  // And back through the deframer.
  Deframer d;
  Counters c;
  Bytes in = b.bytes();
  auto r = d.next(in, c);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->size(), kMaxPacketLen);
}

TEST(XotFramer, RefusesIllegalLengths) {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, kMaxPacketLen + 1}) {
    PacketBuf pkt = PacketBuf::copy_of(Buf(n, 0x10));
    auto e = push_header(pkt);
    ASSERT_FALSE(e.ok()) << n;
    EXPECT_EQ(e.error().code, Errc::out_of_range);
    EXPECT_EQ(pkt.size(), n);  // unchanged
  }
}

}  // namespace
}  // namespace l2sec::transports::xot
