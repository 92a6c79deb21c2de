// L2TPv2 header codec (RFC 2661 §3.1): flags, every optional field, version
// checks, Length and Offset bounds, push_header round trips, serial
// arithmetic of Ns/Nr (§5.8).
#include "l2tp/header.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "avp_builder.hpp"

namespace l2sec::l2tp {
namespace {

using test::from_hex;

TEST(L2tpHeader, ControlHeaderAllFields) {
  // T L S, Ver 2, Length 20, tunnel 0x1234, session 0x5678, Ns 7, Nr 9, 8 AVP octets
  const auto d = from_hex("c802 0014 1234 5678 0007 0009 8008 0000 0000 0006");
  auto p = parse_header(d);
  ASSERT_TRUE(p.ok()) << p.error().what;
  const Header& h = p->hdr;
  EXPECT_TRUE(h.control);
  EXPECT_TRUE(h.has_length);
  EXPECT_TRUE(h.has_sequence);
  EXPECT_FALSE(h.has_offset);
  EXPECT_FALSE(h.priority);
  EXPECT_EQ(h.length, 20);
  EXPECT_EQ(h.tunnel_id, 0x1234);
  EXPECT_EQ(h.session_id, 0x5678);
  EXPECT_EQ(h.ns, 7);
  EXPECT_EQ(h.nr, 9);
  EXPECT_EQ(p->payload_offset, 12u);
  EXPECT_EQ(p->payload_size, 8u);
  EXPECT_EQ(h.wire_size(), kControlHeaderLen);
}

TEST(L2tpHeader, ZlbIsHeaderOnly) {
  auto p = parse_header(from_hex("c802 000c 0001 0000 0003 0004"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->payload_offset, 12u);
  EXPECT_EQ(p->payload_size, 0u);
}

TEST(L2tpHeader, MinimalDataHeader) {
  // No optional field: flags, tunnel, session, then the PPP frame.
  auto p = parse_header(from_hex("0002 0102 0304 ff03 c021"));
  ASSERT_TRUE(p.ok());
  const Header& h = p->hdr;
  EXPECT_FALSE(h.control);
  EXPECT_FALSE(h.has_length);
  EXPECT_FALSE(h.has_sequence);
  EXPECT_FALSE(h.has_offset);
  EXPECT_FALSE(h.priority);
  EXPECT_EQ(h.tunnel_id, 0x0102);
  EXPECT_EQ(h.session_id, 0x0304);
  EXPECT_EQ(p->payload_offset, 6u);
  EXPECT_EQ(p->payload_size, 4u);
}

TEST(L2tpHeader, DataHeaderEveryOptionalField) {
  // L S O P, Length 20, tunnel 1, session 2, Ns 0xfffe, Nr 0x1111 (reserved
  // in data, still read), Offset Size 2 + 2 pad octets, 4 payload octets.
  const auto d = from_hex("4b02 0014 0001 0002 fffe 1111 0002 aaaa ff03 c021");
  auto p = parse_header(d);
  ASSERT_TRUE(p.ok()) << p.error().what;
  const Header& h = p->hdr;
  EXPECT_FALSE(h.control);
  EXPECT_TRUE(h.has_length);
  EXPECT_TRUE(h.has_sequence);
  EXPECT_TRUE(h.has_offset);
  EXPECT_TRUE(h.priority);
  EXPECT_EQ(h.length, 20);
  EXPECT_EQ(h.ns, 0xfffe);
  EXPECT_EQ(h.nr, 0x1111);
  EXPECT_EQ(h.offset_size, 2);
  EXPECT_EQ(p->payload_offset, 16u);
  EXPECT_EQ(p->payload_size, 4u);
  EXPECT_EQ(h.wire_size(), 16u);
}

TEST(L2tpHeader, EachFlagAlone) {
  struct Case {
    const char* hex;
    bool l, s, o, p;
    std::size_t payload_offset;
  };
  const Case cases[] = {
      {"4002 000a 0001 0002 ffff", true, false, false, false, 8},
      {"0802 0001 0002 0003 0004 ffff", false, true, false, false, 10},
      {"0202 0001 0002 0000 ffff", false, false, true, false, 8},
      {"0102 0001 0002 ffff", false, false, false, true, 6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.hex);
    auto p = parse_header(from_hex(c.hex));
    ASSERT_TRUE(p.ok()) << p.error().what;
    EXPECT_FALSE(p->hdr.control);
    EXPECT_EQ(p->hdr.has_length, c.l);
    EXPECT_EQ(p->hdr.has_sequence, c.s);
    EXPECT_EQ(p->hdr.has_offset, c.o);
    EXPECT_EQ(p->hdr.priority, c.p);
    EXPECT_EQ(p->payload_offset, c.payload_offset);
    EXPECT_EQ(p->payload_size, 2u);
  }
}

TEST(L2tpHeader, ReservedBitsIgnored) {
  // 0x34F0 are reserved bits; they must not change the parse (§3.1).
  auto p = parse_header(from_hex("fcf2 000c 0001 0002 0003 0004"));
  ASSERT_TRUE(p.ok()) << p.error().what;
  EXPECT_TRUE(p->hdr.control);
  EXPECT_EQ(p->hdr.tunnel_id, 1);
  EXPECT_EQ(p->payload_size, 0u);
}

TEST(L2tpHeader, VersionOtherThanTwoRejected) {
  // Ver 3: L2TPv3 over UDP (RFC 3931 §4.1.2.1): T=0, reserved, session 32 bits.
  auto v3 = parse_header(from_hex("0003 0000 0000 0001 0000"));
  ASSERT_FALSE(v3.ok());
  EXPECT_EQ(v3.error().code, Errc::malformed);
  EXPECT_EQ(v3.error().what, "version");
  // L2TPv3 control: T L S, Ver 3.
  auto v3c = parse_header(from_hex("c803 000c 0000 0001 0000 0000"));
  ASSERT_FALSE(v3c.ok());
  EXPECT_EQ(v3c.error().what, "version");
  // Ver 1: L2F shares port 1701 (§8.1).
  auto v1 = parse_header(from_hex("c801 000c 0001 0002 0003 0004"));
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.error().code, Errc::malformed);
  EXPECT_EQ(v1.error().what, "version");
  auto v0 = parse_header(from_hex("0000 0001 0002"));
  EXPECT_FALSE(v0.ok());
}

TEST(L2tpHeader, ControlFlagsEnforced) {
  for (const char* hex : {
           "8802 0001 0002 0003 0004",            // T S, no L
           "c002 000c 0001 0002 0003 0004",       // T L, no S
           "ca02 000e 0001 0002 0003 0004 0000",  // T L S O
           "c902 000c 0001 0002 0003 0004",       // T L S P
       }) {
    SCOPED_TRACE(hex);
    auto p = parse_header(from_hex(hex));
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, Errc::malformed);
  }
}

TEST(L2tpHeader, TruncatedHeaders) {
  EXPECT_EQ(parse_header({}).error().code, Errc::truncated);
  EXPECT_EQ(parse_header(from_hex("c8")).error().code, Errc::truncated);
  // Control header cut anywhere before its 12 octets.
  const auto full = from_hex("c802 000c 0001 0002 0003 0004");
  for (std::size_t n = 0; n < full.size(); ++n) {
    SCOPED_TRACE(n);
    auto p = parse_header(Bytes(full.data(), n));
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, Errc::truncated);
  }
  // Data header announcing an Offset Size it does not carry.
  EXPECT_EQ(parse_header(from_hex("0202 0001 0002")).error().code, Errc::truncated);
  EXPECT_EQ(parse_header(from_hex("0802 0001 0002 0003")).error().code, Errc::truncated);
}

TEST(L2tpHeader, LengthLongerThanDatagram) {
  auto p = parse_header(from_hex("c802 0010 0001 0002 0003 0004 8008"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Errc::truncated);
}

TEST(L2tpHeader, LengthShorterThanHeader) {
  auto p = parse_header(from_hex("c802 000b 0001 0002 0003 0004 00"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Errc::malformed);
  // Data with L: header is 8 octets, Length 7.
  auto d = parse_header(from_hex("4002 0007 0001 0002"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, Errc::malformed);
}

TEST(L2tpHeader, LengthShorterThanDatagramIgnoresTheRest) {
  // Length 14: two AVP octets; the 4 octets after are link padding.
  auto p = parse_header(from_hex("c802 000e 0001 0002 0003 0004 aabb ccdd eeff"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->payload_offset, 12u);
  EXPECT_EQ(p->payload_size, 2u);
}

TEST(L2tpHeader, OffsetPadBeyondMessage) {
  // Offset Size 4 but only 3 octets follow.
  auto p = parse_header(from_hex("0202 0001 0002 0004 aabbcc"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, Errc::malformed);
  // Offset within the datagram but beyond Length.
  auto l = parse_header(from_hex("4202 000c 0001 0002 0004 aabb ccdd"));
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, Errc::malformed);
  // Offset that exactly consumes the message: empty payload.
  auto e = parse_header(from_hex("0202 0001 0002 0003 aabbcc"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->payload_offset, 11u);
  EXPECT_EQ(e->payload_size, 0u);
}

TEST(L2tpHeader, PushHeaderControlBytes) {
  PacketBuf pkt = PacketBuf::copy_of(from_hex("8008 0000 0000 0006"));
  push_header(pkt, control_header(0x1234, 0, 5, 6));
  EXPECT_EQ(test::to_hex(pkt.bytes()), "c802001412340000000500068008000000000006");
  EXPECT_EQ(pkt.realloc_count(), 0u);
}

TEST(L2tpHeader, PushHeaderRoundTripAllCombinations) {
  const std::vector<std::uint8_t> payload = from_hex("ff03 c021 0901 0008 c134 3922");
  for (unsigned bits = 0; bits < 16; ++bits) {
    Header h;
    h.has_length = (bits & 1) != 0;
    h.has_sequence = (bits & 2) != 0;
    h.has_offset = (bits & 4) != 0;
    h.priority = (bits & 8) != 0;
    h.tunnel_id = static_cast<std::uint16_t>(0x4a32 + bits);
    h.session_id = static_cast<std::uint16_t>(0xd35e - bits);
    h.ns = h.has_sequence ? 0xfff0 + bits : 0;
    h.nr = h.has_sequence ? 0x0100 + bits : 0;
    h.offset_size = h.has_offset ? static_cast<std::uint16_t>(bits) : 0;
    SCOPED_TRACE(bits);

    PacketBuf pkt = PacketBuf::copy_of(payload);
    push_header(pkt, h);
    EXPECT_EQ(pkt.size(), h.wire_size() + payload.size());
    EXPECT_EQ(pkt.realloc_count(), 0u);

    auto p = parse_header(pkt.bytes());
    ASSERT_TRUE(p.ok()) << p.error().what;
    EXPECT_EQ(p->hdr.has_length, h.has_length);
    EXPECT_EQ(p->hdr.has_sequence, h.has_sequence);
    EXPECT_EQ(p->hdr.has_offset, h.has_offset);
    EXPECT_EQ(p->hdr.priority, h.priority);
    EXPECT_EQ(p->hdr.tunnel_id, h.tunnel_id);
    EXPECT_EQ(p->hdr.session_id, h.session_id);
    EXPECT_EQ(p->hdr.ns, h.ns);
    EXPECT_EQ(p->hdr.nr, h.nr);
    EXPECT_EQ(p->hdr.offset_size, h.offset_size);
    if (h.has_length) {
      EXPECT_EQ(p->hdr.length, pkt.size());
    }
    EXPECT_EQ(p->payload_offset, h.wire_size());
    ASSERT_EQ(p->payload_size, payload.size());
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), pkt.data() + p->payload_offset));
    // Offset pad is written as zeros.
    for (std::size_t i = h.wire_size() - h.offset_size; i < h.wire_size(); ++i) EXPECT_EQ(pkt.data()[i], 0);
  }
}

TEST(L2tpHeader, PushHeaderControlRoundTrip) {
  PacketBuf pkt = PacketBuf::copy_of(from_hex("8008 0000 0000 0001"));
  push_header(pkt, control_header(7, 9, 65535, 0));
  auto p = parse_header(pkt.bytes());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->hdr.control);
  EXPECT_EQ(p->hdr.length, 20);
  EXPECT_EQ(p->hdr.tunnel_id, 7);
  EXPECT_EQ(p->hdr.session_id, 9);
  EXPECT_EQ(p->hdr.ns, 65535);
  EXPECT_EQ(p->hdr.nr, 0);
}

TEST(L2tpHeader, SeqBeforeWrapsAround) {
  EXPECT_TRUE(seq_before(0, 1));
  EXPECT_FALSE(seq_before(1, 0));
  EXPECT_FALSE(seq_before(5, 5));
  EXPECT_TRUE(seq_before(65535, 0));  // wrap
  EXPECT_FALSE(seq_before(0, 65535));
  EXPECT_TRUE(seq_before(65000, 100));
  EXPECT_FALSE(seq_before(100, 65000));
  // The half-window boundary (§5.8: b is "after" a when it lies within the
  // 32767 values that follow a, mod 2^16).
  EXPECT_TRUE(seq_before(0, 32767));
  EXPECT_FALSE(seq_before(0, 32769));
  EXPECT_TRUE(seq_before(32769, 0));
  EXPECT_TRUE(seq_before(40000, 7231));   // 7231 = 40000 + 32767 mod 2^16
  EXPECT_FALSE(seq_before(40000, 7233));  // 7233 = 40000 - 32767 mod 2^16
  // Exactly half way is ambiguous: both orders count as "before".
  EXPECT_TRUE(seq_before(0, 32768));
  EXPECT_TRUE(seq_before(32768, 0));
}

}  // namespace
}  // namespace l2sec::l2tp
