// The one-call frame API (transports/fr/frame.hpp): whole frames byte for
// byte, libosmocore's real LMI frames, round trips of every kind over every
// address size and flag combination with the payload untouched and no
// reallocation, and the refusals of encode and decode.
#include "transports/fr/frame.hpp"

#include <gtest/gtest.h>

#include "fr_test_util.hpp"

namespace l2sec::transports::fr {
namespace {

using test::Buf;
using test::concat;
using test::hex;
using test::moved;

const Kind kDataKinds[] = {Kind::clear_l2tp,   Kind::esp,  Kind::ipless_udp,
                           Kind::secured_l2tp, Kind::ipv4, Kind::ipv6};

FrameCodec codec(std::uint8_t address_size, SecuredCodePoint cp = {}) {
  auto c = FrameCodec::create({cp, address_size});
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : FrameCodec{};
}

Buf encoded(const FrameCodec& fc, std::uint32_t dlci, Kind kind, const Buf& pdu, Flags f = {}) {
  PacketBuf p = PacketBuf::copy_of(pdu);
  auto r = fc.encode(dlci, kind, p, f);
  EXPECT_TRUE(r.ok()) << kind_name(kind);
  EXPECT_EQ(p.realloc_count(), 0u);
  return test::bytes_of(p);
}

// Whole frames (DESIGN.md §3, RFC 3070 §2.1).
TEST(FrFrame, KnownAnswerFrames) {
  const FrameCodec fc;
  const Buf zlb = hex("C8 02 00 0C 00 01 00 00 00 00 00 00");  // L2TP ZLB, tunnel 1
  EXPECT_EQ(encoded(fc, 16, Kind::clear_l2tp, zlb), concat(hex("04 01 03 00 80 00 00 5E 00 07"), zlb));
  const Buf esp = hex("00 00 10 01 00 00 00 01 AA BB");  // SPI 0x1001, seq 1, ...
  EXPECT_EQ(encoded(fc, 100, Kind::esp, esp), concat(hex("18 41 03 00 80 00 00 5E 00 42 32"), esp));
  const Buf udp = hex("01 F4 01 F4 00 0C 00 00 DE AD BE EF");  // IP-less UDP 500 -> 500
  EXPECT_EQ(encoded(fc, 1007, Kind::ipless_udp, udp), concat(hex("F8 F1 03 00 80 00 00 5E 00 42 11"), udp));
  EXPECT_EQ(encoded(fc, 50, Kind::secured_l2tp, zlb), concat(hex("0C 21 03 00 80 00 00 5E 00 42 73"), zlb));
  EXPECT_EQ(encoded(fc, 60, Kind::ipv4, hex("45")), hex("0C C1 03 CC 45"));
  EXPECT_EQ(encoded(fc, 70, Kind::ipv6, hex("60")), hex("10 61 03 8E 60"));
  EXPECT_EQ(encoded(fc, 16, Kind::esp, esp, {.de = true}),
            concat(hex("04 03 03 00 80 00 00 5E 00 42 32"), esp));
  EXPECT_EQ(encoded(codec(4), 5769024, Kind::ipv4, hex("45")), hex("b0 00 3a 01 03 CC 45"));
  EXPECT_EQ(encoded(codec(2, {{0x00, 0x11, 0x22}, 0x1234}), 16, Kind::esp, esp),
            concat(hex("04 01 03 00 80 00 11 22 12 34 32"), esp));
}

// libosmocore 1.7's Q.933 Annex A frames seen on the wire (PEERS.md): user
// STATUS ENQUIRY (link integrity) and network full STATUS (PVC 16 new and
// active). DLCI 0, LMI; the message from the protocol discriminator 08 on is
// what is left; encoding it again gives the same octets.
TEST(FrFrame, LibosmocoreLmiFrames) {
  const FrameCodec fc;
  for (const char* s :
       {"00 01 03 08 00 75 51 01 01 53 02 02 01", "00 01 03 08 00 7d 51 01 00 53 02 03 03 57 03 01 80 82"}) {
    const Buf frame = hex(s);
    PacketBuf p = PacketBuf::copy_of(frame);
    Counters c;
    auto f = fc.decode(p, c);
    ASSERT_TRUE(f.ok()) << s;
    EXPECT_EQ(f->address, (Address{0, {}, 2}));
    EXPECT_EQ(f->kind, Kind::lmi);
    EXPECT_EQ(moved(c), "");
    EXPECT_EQ(test::bytes_of(p), Buf(frame.begin() + 3, frame.end()));
    ASSERT_TRUE(fc.encode(0, Kind::lmi, p).ok());
    EXPECT_EQ(test::bytes_of(p), frame);
  }
  // Cisco LMI on DLCI 1023 (SPEC-NOTES §7.2 layout).
  const Buf cisco = hex("FC F1 03 09 00 75 01 01 00 03 02 01 00");
  PacketBuf p = PacketBuf::copy_of(cisco);
  Counters c;
  auto f = fc.decode(p, c);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->address.dlci, 1023u);
  EXPECT_EQ(f->kind, Kind::lmi);
  EXPECT_EQ(test::bytes_of(p), Buf(cisco.begin() + 3, cisco.end()));
}

// Every data kind x address size x 16 flag combinations x a few DLCIs and
// payload sizes: decode gives back DLCI, flags, size and kind, and exactly
// the payload; nothing is counted; no reallocation.
TEST(FrFrame, RoundTripEveryKindSizeAndFlag) {
  for (std::uint8_t size = 2; size <= 4; ++size) {
    const FrameCodec fc = codec(size, {{0x00, 0x11, 0x22}, 0xBEEF});
    for (Kind kind : kDataKinds) {
      for (std::uint32_t dlci : {1u, 16u, 1007u, max_dlci(size) - 1}) {
        for (unsigned fl = 0; fl < 16; ++fl) {
          const Flags flags{(fl & 1) != 0, (fl & 2) != 0, (fl & 4) != 0, (fl & 8) != 0};
          for (std::size_t n : {0u, 1u, 64u, 1400u}) {
            Buf pdu(n);
            for (std::size_t i = 0; i < n; ++i) pdu[i] = static_cast<std::uint8_t>(i * 7 + fl);
            PacketBuf p = PacketBuf::copy_of(pdu);
            ASSERT_TRUE(fc.encode(dlci, kind, p, flags).ok());
            EXPECT_EQ(p.size(), n + size + header_size(kind));
            Counters c;
            auto f = fc.decode(p, c);
            ASSERT_TRUE(f.ok()) << kind_name(kind) << " dlci " << dlci;
            EXPECT_EQ(f->address, (Address{dlci, flags, size}));
            EXPECT_EQ(f->kind, kind);
            EXPECT_EQ(test::bytes_of(p), pdu);
            EXPECT_EQ(moved(c), "");
            EXPECT_EQ(p.realloc_count(), 0u);
          }
        }
      }
    }
    // LMI on both signalling DLCIs of this size.
    for (std::uint32_t dlci : {0u, max_dlci(size)}) {
      PacketBuf p = PacketBuf::copy_of(hex("08 00 75"));
      ASSERT_TRUE(fc.encode(dlci, Kind::lmi, p).ok());
      Counters c;
      auto f = fc.decode(p, c);
      ASSERT_TRUE(f.ok());
      EXPECT_EQ(f->address.dlci, dlci);
      EXPECT_EQ(f->kind, Kind::lmi);
      EXPECT_EQ(test::bytes_of(p), hex("08 00 75"));
    }
  }
}

// The headroom a fresh PacketBuf has is enough for the longest header.
TEST(FrFrame, HeaderFitsDefaultHeadroom) {
  EXPECT_EQ(kMaxFrameHeaderSize, 13u);
  EXPECT_LE(kMaxFrameHeaderSize, PacketBuf::kDefaultHeadroom);
  const FrameCodec fc = codec(4);
  PacketBuf p(100);
  ASSERT_TRUE(fc.encode(8388606, Kind::esp, p).ok());
  EXPECT_EQ(p.size(), 13u);
  EXPECT_EQ(p.realloc_count(), 0u);
  // A buffer without headroom still works (one reallocation, the slow path).
  PacketBuf tight(100, 0);
  ASSERT_TRUE(fc.encode(8388606, Kind::esp, tight).ok());
  EXPECT_EQ(test::bytes_of(tight), test::bytes_of(p));
}

TEST(FrFrame, EncodeRefusals) {
  const struct {
    std::uint8_t size;
    std::uint32_t dlci;
    Kind kind;
    Errc code;
  } cases[] = {
      {2, 1024, Kind::esp, Errc::out_of_range},         // does not fit 10 bits
      {3, 65536, Kind::esp, Errc::out_of_range},        // 16 bits
      {4, 8388608, Kind::esp, Errc::out_of_range},      // 23 bits
      {2, 0, Kind::esp, Errc::out_of_range},            // data on DLCI 0
      {2, 1023, Kind::clear_l2tp, Errc::out_of_range},  // data on the Cisco LMI DLCI
      {3, 65535, Kind::ipv4, Errc::out_of_range},       // all-ones of 3 octets
      {2, 16, Kind::lmi, Errc::out_of_range},           // LMI on a data DLCI
      {3, 1023, Kind::lmi, Errc::out_of_range},         // 1023 is a data DLCI in 3 octets
      {2, 16, Kind::other, Errc::unsupported},
  };
  for (const auto& k : cases) {
    const FrameCodec fc = codec(k.size);
    PacketBuf p = PacketBuf::copy_of(hex("AA"));
    auto r = fc.encode(k.dlci, k.kind, p);
    ASSERT_FALSE(r.ok()) << k.dlci << " " << kind_name(k.kind);
    EXPECT_EQ(r.error().code, k.code);
    EXPECT_EQ(test::bytes_of(p), hex("AA"));
  }
}

TEST(FrFrame, CreateRefusals) {
  for (std::uint8_t size : {0, 1, 5}) {
    auto c = FrameCodec::create({{}, size});
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, Errc::out_of_range);
  }
  auto c = FrameCodec::create({{{0x00, 0x00, 0x5E}, 0x0007}, 2});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::exists);
  EXPECT_EQ(FrameCodec{}.config().address_size, 2);
  EXPECT_EQ(FrameCodec{}.config().secured, SecuredCodePoint{});
}

// Every way decode refuses a frame: an error, one named counter, and the
// frame left as it was.
TEST(FrFrame, DecodeErrorsCountedByName) {
  const struct {
    const char* bytes;
    Errc code;
    const char* counter;
  } cases[] = {
      {"", Errc::truncated, "fr_rx_addr_truncated"},
      {"04", Errc::truncated, "fr_rx_addr_truncated"},
      {"04 00 00", Errc::truncated, "fr_rx_addr_truncated"},
      {"05 01 03 CC", Errc::malformed, "fr_rx_addr_ea_first"},
      {"80 00 00 00 ff 03 cc", Errc::malformed, "fr_rx_addr_too_long"},
      {"04 00 03 03 CC", Errc::unsupported, "fr_rx_addr_dl_core"},
      {"04 00 00 03 03 CC", Errc::unsupported, "fr_rx_addr_dl_core"},
      {"04 01", Errc::truncated, "fr_rx_hdr_truncated"},
      {"04 01 03", Errc::truncated, "fr_rx_hdr_truncated"},
      {"04 01 03 00 80 00 00 5E", Errc::truncated, "fr_rx_hdr_truncated"},
      {"04 01 03 00 80 00 00 5E 00 42", Errc::truncated, "fr_rx_hdr_truncated"},
      {"04 01 03 00 00", Errc::malformed, "fr_rx_nlpid_null"},
      {"04 01 03 00 80 00 00 5E 00 42 01 45", Errc::malformed, "fr_rx_bad_dispatch"},
      {"00 01 03 00 80 00 00 5E 00 07 C8 02", Errc::malformed, "fr_rx_data_on_signalling_dlci"},
      {"FC F1 03 CC 45", Errc::malformed, "fr_rx_data_on_signalling_dlci"},
      {"00 00 01 03 CC 45", Errc::malformed, "fr_rx_data_on_signalling_dlci"},  // DLCI 0, 3 octets
  };
  const FrameCodec fc;
  for (const auto& k : cases) {
    const Buf in = hex(k.bytes);
    PacketBuf p = PacketBuf::copy_of(in);
    Counters c;
    auto f = fc.decode(p, c);
    ASSERT_FALSE(f.ok()) << k.bytes;
    EXPECT_EQ(f.error().code, k.code) << k.bytes;
    EXPECT_EQ(moved(c), k.counter) << k.bytes;
    EXPECT_EQ(test::bytes_of(p), in) << k.bytes;
  }
}

// Well-formed frames that are not ours: Kind::other with their address,
// counted once, only the address stripped.
TEST(FrFrame, OtherKeepsAddressAndCounts) {
  const struct {
    const char* bytes;
    std::uint32_t dlci;
    const char* counter;
  } cases[] = {
      {"18 61 08 00 45 00 00 64", 102, "fr_rx_not_ui"},      // arkime: Cisco encapsulation, IPv4
      {"48 D1 86 DD 60 00", 301, "fr_rx_not_ui"},            // PacketLife OSPFv3: Cisco, IPv6
      {"b0 00 3a 01 00 11 88 6b", 5769024, "fr_rx_not_ui"},  // tcpdump q933-heapoverflow-2 #2
      {"04 01 03 CF C0 21", 16, "fr_rx_unsupported_nlpid"},  // PPP over FR (RFC 1973)
      {"04 01 03 08 00 75", 16, "fr_rx_unsupported_nlpid"},  // Q.933 discriminator on DLCI 16
      {"04 01 03 00 80 00 80 C2 00 07 FF", 16, "fr_rx_unsupported_snap"},
  };
  const FrameCodec fc;
  for (const auto& k : cases) {
    const Buf in = hex(k.bytes);
    PacketBuf p = PacketBuf::copy_of(in);
    Counters c;
    auto f = fc.decode(p, c);
    ASSERT_TRUE(f.ok()) << k.bytes;
    EXPECT_EQ(f->kind, Kind::other);
    EXPECT_EQ(f->address.dlci, k.dlci);
    EXPECT_EQ(moved(c), k.counter) << k.bytes;
    EXPECT_EQ(test::bytes_of(p), Buf(in.begin() + f->address.size, in.end()));
  }
}

// Decode takes any address size, whatever the codec sends.
TEST(FrFrame, DecodeAnyAddressSize) {
  const FrameCodec two;
  const FrameCodec four = codec(4);
  PacketBuf p = PacketBuf::copy_of(hex("45"));
  ASSERT_TRUE(four.encode(300000, Kind::ipv4, p).ok());
  Counters c;
  auto f = two.decode(p, c);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->address, (Address{300000, {}, 4}));
  EXPECT_EQ(f->kind, Kind::ipv4);
}

}  // namespace
}  // namespace l2sec::transports::fr
