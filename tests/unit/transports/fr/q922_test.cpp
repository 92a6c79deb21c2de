// Q.922 address codec (transports/fr/q922.hpp): known answers from the
// standards and third parties, round trips for every size and flag
// combination, and every malformed form counted by name.
#include "transports/fr/q922.hpp"

#include <gtest/gtest.h>

#include "fr_test_util.hpp"

namespace l2sec::transports::fr {
namespace {

using test::Buf;
using test::hex;
using test::moved;

Buf encode(const Address& a) {
  PacketBuf p(64);
  auto r = push_address(a, p);
  EXPECT_TRUE(r.ok());
  return test::bytes_of(p);
}

Address decode_ok(const Buf& b) {
  Counters c;
  auto r = read_address(b, c);
  EXPECT_TRUE(r.ok()) << "bytes of " << b.size();
  EXPECT_EQ(moved(c), "");
  return r.ok() ? *r : Address{};
}

// 2 octets. Sources: RFC 2427 Appendix (DLCI to Q.922 address table:
// 50 0x0C21, 60 0x0CC1, 70 0x1061, 80 0x1401); SPEC-NOTES §7.2 (0, 16,
// 100, 1023); libosmocore's LMI bytes in PEERS.md ("00 01 03 08 ..." on
// DLCI 0); the reference captures (0x1861 = 102 in arkime's ICMP capture,
// 0x48D1/0x48E1 = 301/302 in PacketLife's OSPFv3 capture, as tshark prints).
TEST(Q922, TwoOctetKnownAnswers) {
  const struct {
    std::uint32_t dlci;
    const char* bytes;
  } cases[] = {{50, "0C21"},  {60, "0CC1"},   {70, "1061"},  {80, "1401"},  {0, "0001"},  {16, "0401"},
               {100, "1841"}, {1023, "FCF1"}, {102, "1861"}, {301, "48D1"}, {302, "48E1"}};
  for (const auto& k : cases) {
    const Address a{k.dlci, {}, 2};
    EXPECT_EQ(encode(a), hex(k.bytes)) << k.dlci;
    EXPECT_EQ(decode_ok(hex(k.bytes)), a) << k.bytes;
  }
}

// Each flag alone lands on its bit (Q.922 Figure 3: C/R bit 2 of octet 1;
// FECN bit 4, BECN bit 3, DE bit 2 of octet 2), on DLCI 16 = 04 01.
TEST(Q922, FlagBits) {
  EXPECT_EQ(encode({16, {.cr = true}, 2}), hex("0601"));
  EXPECT_EQ(encode({16, {.fecn = true}, 2}), hex("0409"));
  EXPECT_EQ(encode({16, {.becn = true}, 2}), hex("0405"));
  EXPECT_EQ(encode({16, {.de = true}, 2}), hex("0403"));
  EXPECT_EQ(encode({1023, {true, true, true, true}, 2}), hex("FEFF"));
  const Address all = decode_ok(hex("FEFF"));
  EXPECT_EQ(all.dlci, 1023u);
  EXPECT_EQ(all.flags, (Flags{true, true, true, true}));
  // In 3 and 4 octets the flags stay in octets 1 and 2.
  EXPECT_EQ(encode({0, {.cr = true, .de = true}, 3}), hex("02 02 01"));
  EXPECT_EQ(encode({0, {.fecn = true, .becn = true}, 4}), hex("00 0C 00 01"));
}

// 3 and 4 octets. The 4-octet answers are tshark's and tcpdump's DLCIs for
// frames of tcpdump's q933-heapoverflow-2.pcap (tests/data/fr): "b0 00 3a
// 01" = 5769024, "00 00 3a 01" = 1856, "10 00 3a 01" = 526144. The 3-octet
// ones follow Q.922 Figure 3 by hand (16 bits: 6 | 4 | 6) and are checked
// by tshark in capture_test.cpp.
TEST(Q922, ThreeAndFourOctetKnownAnswers) {
  EXPECT_EQ(decode_ok(hex("b0003a01")), (Address{5769024, {}, 4}));
  EXPECT_EQ(decode_ok(hex("00003a01")), (Address{1856, {}, 4}));
  EXPECT_EQ(decode_ok(hex("10003a01")), (Address{526144, {}, 4}));
  EXPECT_EQ(encode({5769024, {}, 4}), hex("b0003a01"));
  // 0x1234 = 0001 00|10 00|11 0100: octets 0x10, 0x80, 0xD1.
  EXPECT_EQ(encode({0x1234, {}, 3}), hex("10 80 D1"));
  EXPECT_EQ(decode_ok(hex("10 80 D1")), (Address{0x1234, {}, 3}));
  EXPECT_EQ(encode({0xFFFF, {}, 3}), hex("FC F0 FD"));
  EXPECT_EQ(encode({0x7FFFFF, {}, 4}), hex("FC F0 FE FD"));
  EXPECT_EQ(encode({0, {}, 3}), hex("00 00 01"));
  EXPECT_EQ(encode({0, {}, 4}), hex("00 00 00 01"));
}

TEST(Q922, MaxDlciAndSignalling) {
  EXPECT_EQ(max_dlci(2), 1023u);
  EXPECT_EQ(max_dlci(3), 65535u);
  EXPECT_EQ(max_dlci(4), 8388607u);
  EXPECT_EQ(max_dlci(1), 0u);
  EXPECT_EQ(max_dlci(5), 0u);
  EXPECT_TRUE(is_signalling_dlci(0, 2));
  EXPECT_TRUE(is_signalling_dlci(1023, 2));
  EXPECT_FALSE(is_signalling_dlci(1023, 3));
  EXPECT_TRUE(is_signalling_dlci(65535, 3));
  EXPECT_TRUE(is_signalling_dlci(8388607, 4));
  EXPECT_FALSE(is_signalling_dlci(16, 2));
  EXPECT_FALSE(is_signalling_dlci(1, 2));  // reserved by Q.922 but not refused (q922.hpp)
}

// Every size x all 16 flag combinations x DLCIs at the edges and with
// alternating bit patterns: encode, decode, same address; pull strips
// exactly the address.
TEST(Q922, RoundTripEverySizeAndFlag) {
  for (std::uint8_t size = 2; size <= 4; ++size) {
    const std::uint32_t max = max_dlci(size);
    const std::uint32_t dlcis[] = {0, 1, 15, 16, 0x2AA & max, 0x555555 & max, max - 1, max};
    for (std::uint32_t dlci : dlcis) {
      for (unsigned f = 0; f < 16; ++f) {
        const Address a{dlci, {(f & 1) != 0, (f & 2) != 0, (f & 4) != 0, (f & 8) != 0}, size};
        PacketBuf p = PacketBuf::copy_of(hex("AB CD"));
        ASSERT_TRUE(push_address(a, p).ok());
        ASSERT_EQ(p.size(), size + 2u);
        // EA is 0 everywhere but in the last octet, D/C is 0.
        for (std::size_t i = 0; i < size; ++i) EXPECT_EQ(p.data()[i] & kEa, i + 1 == size ? 1 : 0);
        if (size > 2) {
          EXPECT_EQ(p.data()[size - 1] & kDc, 0);
        }
        Counters c;
        auto r = pull_address(p, c);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(*r, a);
        EXPECT_EQ(test::bytes_of(p), hex("AB CD"));
        EXPECT_EQ(moved(c), "");
      }
    }
  }
}

// Every malformed form: one named counter, the error code, pkt unchanged.
TEST(Q922, MalformedCountedByName) {
  const struct {
    const char* bytes;
    Errc code;
    const char* counter;
  } cases[] = {
      {"", Errc::truncated, "fr_rx_addr_truncated"},
      {"00", Errc::truncated, "fr_rx_addr_truncated"},          // octet 2 missing
      {"04 00", Errc::truncated, "fr_rx_addr_truncated"},       // EA=0 in octet 2, octet 3 missing
      {"04 00 00", Errc::truncated, "fr_rx_addr_truncated"},    // EA=0 in octet 3, octet 4 missing
      {"01", Errc::malformed, "fr_rx_addr_ea_first"},           // 1-octet address
      {"05 01 03", Errc::malformed, "fr_rx_addr_ea_first"},     // EA=1 in octet 1, whatever follows
      {"04 00 00 00", Errc::malformed, "fr_rx_addr_too_long"},  // EA=0 in octet 4
      {"80 00 00 00 ff 03", Errc::malformed, "fr_rx_addr_too_long"},
      {"04 00 03", Errc::unsupported, "fr_rx_addr_dl_core"},     // 3 octets, D/C=1
      {"04 00 FF", Errc::unsupported, "fr_rx_addr_dl_core"},     //
      {"04 00 00 03", Errc::unsupported, "fr_rx_addr_dl_core"},  // 4 octets, D/C=1
      {"80 00 00 ff", Errc::unsupported, "fr_rx_addr_dl_core"},  // tshark: fr.dc 1, DLCI 65536
  };
  for (const auto& k : cases) {
    const Buf in = hex(k.bytes);
    PacketBuf p = PacketBuf::copy_of(in);
    Counters c;
    auto r = pull_address(p, c);
    ASSERT_FALSE(r.ok()) << k.bytes;
    EXPECT_EQ(r.error().code, k.code) << k.bytes;
    EXPECT_FALSE(r.error().what.empty());
    EXPECT_EQ(moved(c), k.counter) << k.bytes;
    EXPECT_EQ(test::bytes_of(p), in) << k.bytes;
  }
}

TEST(Q922, PushRefusesWhatDoesNotFit) {
  const Address bad[] = {{1024, {}, 2}, {65536, {}, 3}, {8388608, {}, 4}, {0, {}, 1}, {0, {}, 5}, {0, {}, 0}};
  for (const auto& a : bad) {
    PacketBuf p = PacketBuf::copy_of(hex("AA"));
    auto r = push_address(a, p);
    ASSERT_FALSE(r.ok()) << a.dlci << "/" << int{a.size};
    EXPECT_EQ(r.error().code, Errc::out_of_range);
    EXPECT_EQ(test::bytes_of(p), hex("AA"));
  }
}

// Decoding does not look past the address: bytes after it are the frame's.
TEST(Q922, ReadLeavesTheRest) {
  const Buf lmi = hex("00 01 03 08 00 75 51 01 01 53 02 02 01");  // PEERS.md, libosmocore
  Counters c;
  auto r = read_address(lmi, c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Address{0, {}, 2}));
}

}  // namespace
}  // namespace l2sec::transports::fr
