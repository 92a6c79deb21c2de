// RFC 2427 header codec (transports/fr/rfc2427.hpp): the exact octets of
// every kind we send, classification of what we receive (pad or not, LMI
// only on the signalling DLCIs, data never on them), and every refusal
// counted by name.
#include "transports/fr/rfc2427.hpp"

#include <gtest/gtest.h>

#include "fr_test_util.hpp"

namespace l2sec::transports::fr {
namespace {

using test::Buf;
using test::concat;
using test::hex;
using test::moved;

const SecuredCodePoint kDefault{};
const SecuredCodePoint kCustom{{0x00, 0x11, 0x22}, 0x1234};

Buf header(Kind k, const SecuredCodePoint& cp = kDefault) {
  PacketBuf p(64);
  EXPECT_TRUE(push_header(k, cp, p).ok());
  EXPECT_EQ(p.size(), header_size(k));
  return test::bytes_of(p);
}

// RFC 3070 §2.1 (clear L2TP: 03 | pad 0 | 80 | 00 00 5E | 00 07), RFC 2427
// §4.1 (03 CC), App. A (8E IPv6), DESIGN.md §3 (secured: SNAP with the
// configured OUI/PID, then the dispatch octet).
TEST(Rfc2427, HeaderOctetsOfEveryKind) {
  EXPECT_EQ(header(Kind::clear_l2tp), hex("03 00 80 00 00 5E 00 07"));
  EXPECT_EQ(header(Kind::esp), hex("03 00 80 00 00 5E 00 42 32"));
  EXPECT_EQ(header(Kind::ipless_udp), hex("03 00 80 00 00 5E 00 42 11"));
  EXPECT_EQ(header(Kind::secured_l2tp), hex("03 00 80 00 00 5E 00 42 73"));
  EXPECT_EQ(header(Kind::ipv4), hex("03 CC"));
  EXPECT_EQ(header(Kind::ipv6), hex("03 8E"));
  EXPECT_EQ(header(Kind::lmi), hex("03"));
  EXPECT_EQ(header(Kind::esp, kCustom), hex("03 00 80 00 11 22 12 34 32"));
  EXPECT_EQ(header(Kind::clear_l2tp, kCustom), hex("03 00 80 00 00 5E 00 07"));  // never configurable

  PacketBuf p = PacketBuf::copy_of(hex("AA"));
  auto r = push_header(Kind::other, kDefault, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(test::bytes_of(p), hex("AA"));
}

TEST(Rfc2427, KindNames) {
  EXPECT_EQ(kind_name(Kind::clear_l2tp), "clear_l2tp");
  EXPECT_EQ(kind_name(Kind::esp), "esp");
  EXPECT_EQ(kind_name(Kind::ipless_udp), "ipless_udp");
  EXPECT_EQ(kind_name(Kind::secured_l2tp), "secured_l2tp");
  EXPECT_EQ(kind_name(Kind::ipv4), "ipv4");
  EXPECT_EQ(kind_name(Kind::ipv6), "ipv6");
  EXPECT_EQ(kind_name(Kind::lmi), "lmi");
  EXPECT_EQ(kind_name(Kind::other), "other");
}

TEST(Rfc2427, ValidateCodePoint) {
  EXPECT_TRUE(validate(kDefault).ok());
  EXPECT_TRUE(validate(kCustom).ok());
  EXPECT_TRUE(validate({{0x00, 0x00, 0x5E}, 0x0008}).ok());
  auto r = validate({{0x00, 0x00, 0x5E}, 0x0007});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::exists);
}

struct Classified {
  Kind kind;
  std::size_t size;
};

Classified classify_ok(const Buf& after_address, bool signalling = false,
                       const SecuredCodePoint& cp = kDefault) {
  Counters c;
  auto r = read_header(after_address, cp, signalling, c);
  EXPECT_TRUE(r.ok()) << after_address.size();
  EXPECT_EQ(moved(c), "");
  return r.ok() ? Classified{r->kind, r->size} : Classified{Kind::other, 999};
}

// What we send is classified back, with its exact header size, and the same
// with and without the optional pad (RFC 2427 §3: pad before SNAP; we also
// take it before a direct NLPID and take SNAP without it).
TEST(Rfc2427, ClassifyEveryKind) {
  for (const auto& cp : {kDefault, kCustom}) {
    for (Kind k :
         {Kind::clear_l2tp, Kind::esp, Kind::ipless_udp, Kind::secured_l2tp, Kind::ipv4, Kind::ipv6}) {
      const Buf h = header(k, cp);
      const Classified got = classify_ok(concat(h, hex("45 00")), false, cp);
      EXPECT_EQ(got.kind, k) << kind_name(k);
      EXPECT_EQ(got.size, h.size()) << kind_name(k);
    }
  }
  EXPECT_EQ(classify_ok(hex("03 80 00 00 5E 00 07 C8 02")).kind, Kind::clear_l2tp);  // SNAP, no pad
  EXPECT_EQ(classify_ok(hex("03 80 00 00 5E 00 07 C8 02")).size, 7u);
  EXPECT_EQ(classify_ok(hex("03 80 00 00 5E 00 42 32 00")).kind, Kind::esp);
  EXPECT_EQ(classify_ok(hex("03 00 CC 45")).kind, Kind::ipv4);  // pad before a direct NLPID
  EXPECT_EQ(classify_ok(hex("03 00 CC 45")).size, 3u);
  EXPECT_EQ(classify_ok(hex("03 00 8E 60")).kind, Kind::ipv6);
  // An empty PDU is still a frame of its kind (e.g. a zero-length test).
  EXPECT_EQ(classify_ok(hex("03 CC")).kind, Kind::ipv4);
  EXPECT_EQ(classify_ok(hex("03 00 80 00 00 5E 00 07")).kind, Kind::clear_l2tp);
}

// libosmocore's Q.933 Annex A bytes (PEERS.md) after their 00 01 address:
// STATUS ENQUIRY and a full STATUS. On DLCI 0 they are LMI and only the
// control field is stripped: the protocol discriminator 08 starts the
// message. ANSI Annex D (SPEC-NOTES §7.2) and Cisco LMI (09, DLCI 1023) too.
TEST(Rfc2427, LmiOnSignallingDlciOnly) {
  const Buf enquiry = hex("03 08 00 75 51 01 01 53 02 02 01");
  const Buf status = hex("03 08 00 7d 51 01 00 53 02 03 03 57 03 01 80 82");
  const Buf ansi = hex("03 08 00 75 95 01 01 00 03 02 01 00");
  const Buf cisco = hex("03 09 00 75 01 01 00 03 02 01 00");
  for (const Buf& m : {enquiry, status, ansi, cisco}) {
    const Classified got = classify_ok(m, true);
    EXPECT_EQ(got.kind, Kind::lmi);
    EXPECT_EQ(got.size, 1u);
    // The same bytes on a data DLCI are RFC 2427 §5 "Q.933-identified"
    // protocols, which we do not carry.
    Counters c;
    auto r = read_header(m, kDefault, false, c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->kind, Kind::other);
    EXPECT_EQ(r->size, 0u);
    EXPECT_EQ(moved(c), "fr_rx_unsupported_nlpid");
  }
  // A pad before the discriminator is tolerated and stripped.
  EXPECT_EQ(classify_ok(hex("03 00 08 00 75"), true).size, 2u);

  PacketBuf p = PacketBuf::copy_of(enquiry);
  Counters c;
  auto k = pull_header(p, kDefault, true, c);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, Kind::lmi);
  EXPECT_EQ(test::bytes_of(p), hex("08 00 75 51 01 01 53 02 02 01"));
}

// Well formed but not ours: Kind::other, size 0, one counter.
TEST(Rfc2427, OtherCountedByName) {
  const struct {
    const char* bytes;
    bool signalling;
    const char* counter;
  } cases[] = {
      {"08 00 45 00", false, "fr_rx_not_ui"},             // Cisco encapsulation, IPv4 (arkime capture)
      {"86 DD 60 00", false, "fr_rx_not_ui"},             // Cisco encapsulation, IPv6 (PacketLife OSPFv3)
      {"AF 81 01", false, "fr_rx_not_ui"},                // XID (RFC 2427 §5)
      {"13 CC 45", false, "fr_rx_not_ui"},                // UI with P=1
      {"00 11 88", false, "fr_rx_not_ui"},                // LAPF I frame (tcpdump q933-heapoverflow-2)
      {"2c 00 08", true, "fr_rx_not_ui"},                 // not UI on DLCI 0 either
      {"03 81 01", false, "fr_rx_unsupported_nlpid"},     // CLNP
      {"03 CF C0 21", false, "fr_rx_unsupported_nlpid"},  // PPP
      {"03 B1 00", false, "fr_rx_unsupported_nlpid"},     // FRF.12
      {"03 00 81 01", false, "fr_rx_unsupported_nlpid"},
      {"03 81 01", true, "fr_rx_unsupported_nlpid"},
      {"03 00 80 00 80 C2 00 07 FF", false, "fr_rx_unsupported_snap"},  // bridged Ethernet
      {"03 00 80 00 00 00 08 00 45", false, "fr_rx_unsupported_snap"},  // IPv4 by ethertype
      {"03 00 80 00 00 5E 00 43 32", false, "fr_rx_unsupported_snap"},  // PID off by one
      {"03 00 80 00 00 5F 00 42 32", false, "fr_rx_unsupported_snap"},  // OUI off by one
      {"03 00 80 00 00 5E 00 07 C8", true, "fr_rx_data_on_signalling_dlci"},
  };
  for (const auto& k : cases) {
    Counters c;
    auto r = read_header(hex(k.bytes), kDefault, k.signalling, c);
    const std::string expect = k.counter;
    if (expect == "fr_rx_data_on_signalling_dlci") {
      ASSERT_FALSE(r.ok()) << k.bytes;
      EXPECT_EQ(r.error().code, Errc::malformed);
    } else {
      ASSERT_TRUE(r.ok()) << k.bytes;
      EXPECT_EQ(r->kind, Kind::other) << k.bytes;
      EXPECT_EQ(r->size, 0u) << k.bytes;
    }
    EXPECT_EQ(moved(c), expect) << k.bytes;
  }
  // The secured kinds are only ours under the configured code point.
  Counters c;
  auto r = read_header(header(Kind::esp, kDefault), kCustom, false, c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, Kind::other);
  EXPECT_EQ(moved(c), "fr_rx_unsupported_snap");
}

// Malformed: an error, one counter, pkt unchanged.
TEST(Rfc2427, MalformedCountedByName) {
  const struct {
    const char* bytes;
    bool signalling;
    Errc code;
    const char* counter;
  } cases[] = {
      {"", false, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03", false, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03 00", false, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03 00 80", false, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03 00 80 00 00 5E 00", false, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03 80 00 00 5E 00", false, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03 00 80 00 00 5E 00 42", false, Errc::truncated, "fr_rx_hdr_truncated"},  // no dispatch
      {"03", true, Errc::truncated, "fr_rx_hdr_truncated"},
      {"03 00 00", false, Errc::malformed, "fr_rx_nlpid_null"},
      {"03 00 00 CC 45", false, Errc::malformed, "fr_rx_nlpid_null"},
      {"03 00 80 00 00 5E 00 42 00", false, Errc::malformed, "fr_rx_bad_dispatch"},
      {"03 00 80 00 00 5E 00 42 04", false, Errc::malformed, "fr_rx_bad_dispatch"},
      {"03 00 80 00 00 5E 00 42 06", false, Errc::malformed, "fr_rx_bad_dispatch"},
      {"03 CC 45 00", true, Errc::malformed, "fr_rx_data_on_signalling_dlci"},
      {"03 8E 60", true, Errc::malformed, "fr_rx_data_on_signalling_dlci"},
      {"03 00 80 00 00 5E 00 42 32 00", true, Errc::malformed, "fr_rx_data_on_signalling_dlci"},
      {"03 00 80 00 00 5E 00 42 11 00", true, Errc::malformed, "fr_rx_data_on_signalling_dlci"},
  };
  for (const auto& k : cases) {
    const Buf in = hex(k.bytes);
    PacketBuf p = PacketBuf::copy_of(in);
    Counters c;
    auto r = pull_header(p, kDefault, k.signalling, c);
    ASSERT_FALSE(r.ok()) << k.bytes;
    EXPECT_EQ(r.error().code, k.code) << k.bytes;
    EXPECT_EQ(moved(c), k.counter) << k.bytes;
    EXPECT_EQ(test::bytes_of(p), in) << k.bytes;
  }
}

}  // namespace
}  // namespace l2sec::transports::fr
