// RFC 2684 / RFC 3355 encapsulation (transports/atm/rfc2684.hpp): the exact
// LLC/SNAP and dispatch octets of every kind, VC-mux, and the counted drops.
#include "transports/atm/rfc2684.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace l2sec::transports::atm {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf cat(Buf a, const Buf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const Buf kL2tp = {0xC8, 0x02, 0x00, 0x0C, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

TEST(Rfc2684, HeadersAreByteExact) {
  const Rfc2684Config llc;
  auto h = header_for(PduKind::clear_l2tp, llc);
  ASSERT_TRUE(h);
  EXPECT_EQ(Buf(h->view().begin(), h->view().end()), (Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x07}));
  h = header_for(PduKind::ipv4, llc);
  EXPECT_EQ(Buf(h->view().begin(), h->view().end()), (Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00}));
  h = header_for(PduKind::esp, llc);
  EXPECT_EQ(Buf(h->view().begin(), h->view().end()),
            (Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 50}));
  h = header_for(PduKind::ipless_udp, llc);
  EXPECT_EQ(h->view().back(), 17);
  h = header_for(PduKind::secured_l2tp, llc);
  EXPECT_EQ(h->view().back(), 115);

  Rfc2684Config own;
  own.secured = {{0x00, 0x1B, 0x21}, 0x8001};
  h = header_for(PduKind::esp, own);
  EXPECT_EQ(Buf(h->view().begin(), h->view().end()),
            (Buf{0xAA, 0xAA, 0x03, 0x00, 0x1B, 0x21, 0x80, 0x01, 50}));
}

TEST(Rfc2684, LlcClassifiesEveryKind) {
  const Rfc2684Config cfg;
  Counters c;
  struct Case {
    Buf sdu;
    PduKind kind;
    std::size_t pdu_at;
  };
  const Buf esp = {0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x01};
  const Case cases[] = {
      {cat({0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x07}, kL2tp), PduKind::clear_l2tp, 8},
      {cat({0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 50}, esp), PduKind::esp, 9},
      {cat({0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 17}, {0x01, 0xF4, 0x01, 0xF4}),
       PduKind::ipless_udp, 9},
      {cat({0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 115}, kL2tp), PduKind::secured_l2tp, 9},
      {cat({0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00}, {0x45, 0x00}), PduKind::ipv4, 8},
  };
  for (const auto& k : cases) {
    auto r = classify(k.sdu, cfg, c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, k.kind);
    EXPECT_EQ(r->pdu.data(), k.sdu.data() + k.pdu_at);
    EXPECT_EQ(r->pdu.size(), k.sdu.size() - k.pdu_at);
  }
  c.for_each_nonzero([](Ctr n, std::uint64_t) { ADD_FAILURE() << counter_name(n); });
}

TEST(Rfc2684, LlcDropsAreCounted) {
  const Rfc2684Config cfg;
  Counters c;
  // Another SNAP code point (IPv6 EtherType), routed ISO NLPID, bridged Ethernet.
  EXPECT_EQ(classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00, 0x86, 0xDD, 0x60}, cfg, c).error().code,
            Errc::unsupported);
  EXPECT_EQ(classify(Buf{0xFE, 0xFE, 0x03, 0xCC, 0x45}, cfg, c).error().code, Errc::unsupported);
  EXPECT_EQ(classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x80, 0xC2, 0x00, 0x07, 0x00, 0x00}, cfg, c).error().code,
            Errc::unsupported);
  EXPECT_EQ(c[Ctr::atm_llc_rx_other], 3u);
  // Too short for LLC/SNAP, or a secured PDU without its dispatch octet.
  EXPECT_EQ(classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00}, cfg, c).error().code, Errc::truncated);
  EXPECT_EQ(classify(Buf{0xAA}, cfg, c).error().code, Errc::truncated);
  EXPECT_EQ(classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42}, cfg, c).error().code,
            Errc::truncated);
  EXPECT_EQ(c[Ctr::atm_llc_rx_truncated], 3u);
  // Unknown dispatch.
  EXPECT_EQ(classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 6, 0}, cfg, c).error().code,
            Errc::malformed);
  EXPECT_EQ(c[Ctr::atm_rx_bad_dispatch], 1u);
}

TEST(Rfc2684, ConfiguredSecuredCodePoint) {
  Rfc2684Config cfg;
  cfg.secured = {{0x00, 0x1B, 0x21}, 0x8001};
  ASSERT_TRUE(validate(cfg));
  Counters c;
  auto r = classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x1B, 0x21, 0x80, 0x01, 50, 1}, cfg, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, PduKind::esp);
  // The default secured code point is now just another protocol.
  EXPECT_FALSE(classify(Buf{0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 50, 1}, cfg, c));
  EXPECT_EQ(c[Ctr::atm_llc_rx_other], 1u);

  cfg.secured = kSnapL2tp;
  EXPECT_EQ(validate(cfg).error().code, Errc::malformed);
  cfg.secured = kSnapIpv4;
  EXPECT_EQ(validate(cfg).error().code, Errc::malformed);
  EXPECT_TRUE(validate(Rfc2684Config{}));
}

TEST(Rfc2684, VcMux) {
  Counters c;
  Rfc2684Config l2tp{Encapsulation::vc_mux, kDefaultSecuredCodePoint, VcMuxProtocol::l2tp};
  auto r = classify(kL2tp, l2tp, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, PduKind::clear_l2tp);
  EXPECT_EQ(r->pdu.data(), kL2tp.data());
  auto h = header_for(PduKind::clear_l2tp, l2tp);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->size, 0u);
  EXPECT_EQ(header_for(PduKind::esp, l2tp).error().code, Errc::invalid_state);

  Rfc2684Config sec{Encapsulation::vc_mux, kDefaultSecuredCodePoint, VcMuxProtocol::secured};
  const Buf esp = {50, 0x00, 0x00, 0x12, 0x34};
  r = classify(esp, sec, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, PduKind::esp);
  EXPECT_EQ(r->pdu.size(), 4u);
  h = header_for(PduKind::ipless_udp, sec);
  ASSERT_TRUE(h);
  EXPECT_EQ(Buf(h->view().begin(), h->view().end()), Buf{17});
  EXPECT_EQ(header_for(PduKind::clear_l2tp, sec).error().code, Errc::invalid_state);
  EXPECT_FALSE(classify(Buf{99, 1}, sec, c));
  EXPECT_EQ(c[Ctr::atm_rx_bad_dispatch], 1u);

  Rfc2684Config ip{Encapsulation::vc_mux, kDefaultSecuredCodePoint, VcMuxProtocol::ipv4};
  r = classify(Buf{0x45, 0x00}, ip, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, PduKind::ipv4);
  EXPECT_FALSE(classify(Buf{}, ip, c));
  EXPECT_EQ(c[Ctr::atm_llc_rx_truncated], 1u);
}

TEST(Rfc2684, EncapsulateUsesTheHeadroom) {
  PacketBuf pkt = PacketBuf::copy_of(kL2tp);
  ASSERT_TRUE(encapsulate(pkt, PduKind::secured_l2tp, Rfc2684Config{}));
  EXPECT_EQ(pkt.realloc_count(), 0u);
  EXPECT_EQ(Buf(pkt.bytes().begin(), pkt.bytes().end()),
            cat({0xAA, 0xAA, 0x03, 0x00, 0x00, 0x5E, 0x00, 0x42, 115}, kL2tp));
  Counters c;
  auto r = classify(pkt.bytes(), Rfc2684Config{}, c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, PduKind::secured_l2tp);
  EXPECT_EQ(Buf(r->pdu.begin(), r->pdu.end()), kL2tp);
}

}  // namespace
}  // namespace l2sec::transports::atm
