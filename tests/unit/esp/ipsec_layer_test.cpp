// IpsecLayer: the SPD decides, the SAD supplies the SA, the framing of the
// SA's mode wraps the L2TP packet; inbound, every check of RFC 3193 §3.3
// with its named counter. Two layers face each other with mirrored SAs.
#include "esp/ipsec_layer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"

namespace l2sec::esp {
namespace {

using crypto::EspAuth;
using crypto::EspCipher;

const Endpoint kA4 = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kB4 = Endpoint::v4({198, 51, 100, 7}, 1701);
const Endpoint kC4 = Endpoint::v4({203, 0, 113, 9}, 1701);
Endpoint v6(std::uint8_t last, std::uint16_t port) {
  std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
  a[15] = last;
  return Endpoint::v6(a, port);
}

std::vector<std::uint8_t> l2tp_packet(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  v[0] = 0xc8;  // control, L, S
  v[1] = 0x02;
  for (std::size_t i = 2; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 13);
  return v;
}

struct Pair {
  crypto::SeededRandom rng{1};
  std::unique_ptr<crypto::EspProvider> prov = crypto::make_mbedtls_provider();
  IpsecLayer a, b;
  Endpoint a_ep, b_ep;

  std::unique_ptr<crypto::EspTransform> t() {
    std::vector<std::uint8_t> k(crypto::enc_key_size(EspCipher::aes_gcm16_128), 0x33);
    auto r = prov->make(EspCipher::aes_gcm16_128, EspAuth::none, k, {}, rng);
    EXPECT_TRUE(r.ok());
    return std::move(*r);
  }

  // A protects everything to B and back, with SPIs 0x1000 (to B) and 0x2000 (to A).
  Pair(Endpoint ae, Endpoint be, Mode mode, bool udp) : a_ep(ae), b_ep(be) {
    for (auto [self, local, remote, spi_out, spi_in] :
         {std::tuple{&a, ae, be, 0x1000u, 0x2000u}, std::tuple{&b, be, ae, 0x2000u, 0x1000u}}) {
      SaBinding bind;
      bind.mode = mode;
      bind.udp_encap = udp;
      const bool circuit = local.kind == Endpoint::Kind::circuit;
      bind.selector = circuit
                          ? TrafficSelector{HostSelector::any(), HostSelector::of_circuit(remote.circuit)}
                          : TrafficSelector{HostSelector::of(local, local.port), HostSelector::of(remote, 0)};
      bind.outer_local = local;
      bind.outer_remote = remote;
      if (udp) bind.outer_local.port = bind.outer_remote.port = 4500;
      self->spd().add(Filter{Direction::outbound, bind.selector, Action::protect, 1, "out"});
      self->spd().add(Filter{Direction::inbound, bind.selector, Action::protect, 2, "in"});
      auto in = InboundSa::create(spi_in, t(), false, 64);
      if (!in.ok()) throw std::runtime_error("InboundSa::create failed");
      if (!self->sad().add_inbound(bind, std::move(*in)).ok()) throw std::runtime_error("add_inbound failed");
      self->sad().add_outbound(bind, OutboundSa(spi_out, t(), false));
    }
  }
};

PacketBuf buf(const std::vector<std::uint8_t>& v) { return PacketBuf::copy_of(v); }

struct ModeCase {
  const char* name;
  Endpoint a, b;
  Mode mode;
  bool udp;
};

class LayerModes : public ::testing::TestWithParam<ModeCase> {};

TEST_P(LayerModes, RoundTripThroughTheModesFraming) {
  const ModeCase& m = GetParam();
  Pair p(m.a, m.b, m.mode, m.udp);
  for (std::size_t n : {12u, 64u, 1400u}) {
    const auto l2tp = l2tp_packet(n);
    auto pdu = p.a.send(m.a, m.b, buf(l2tp));
    ASSERT_TRUE(pdu.has_value());
    EXPECT_EQ(pdu->kind, m.udp ? PduKind::esp_in_udp : PduKind::esp);
    Endpoint expect_to = m.b;
    if (m.udp) expect_to.port = 4500;
    EXPECT_EQ(pdu->to, expect_to);
    // On the wire: SPI 0x1000, and the plaintext nowhere (GCM).
    EXPECT_EQ(load_be32(pdu->pkt.data()), 0x1000u);
    Endpoint outer_from = m.a, outer_to = m.b;
    if (m.udp) outer_from.port = outer_to.port = 4500;
    if (m.a.is_ip()) outer_from.port = m.udp ? 4500 : 0;
    auto flow = p.b.open(outer_from, outer_to, pdu->pkt, m.udp);
    ASSERT_TRUE(flow.ok()) << errc_name(flow.error().code);
    EXPECT_EQ(std::vector<std::uint8_t>(pdu->pkt.bytes().begin(), pdu->pkt.bytes().end()), l2tp);
    EXPECT_EQ(flow->src, m.a);  // the peer's L2TP endpoint, port from the inner UDP
    EXPECT_EQ(flow->dst, m.b);
  }
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_packets], 3u);
  EXPECT_EQ(p.a.counters()[Ctr::esp_tx_packets], 3u);
  EXPECT_EQ(p.a.counters()[Ctr::esp_tx_clear], 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Esp, LayerModes,
    ::testing::Values(ModeCase{"transport_v4", kA4, kB4, Mode::transport, false},
                      ModeCase{"transport_v6", v6(1, 1701), v6(2, 1701), Mode::transport, false},
                      ModeCase{"tunnel_v4", kA4, kB4, Mode::tunnel, false},
                      ModeCase{"tunnel_v6", v6(1, 1701), v6(2, 1701), Mode::tunnel, false},
                      ModeCase{"transport_v4_udp", kA4, kB4, Mode::transport, true},
                      ModeCase{"tunnel_v4_udp", kA4, kB4, Mode::tunnel, true},
                      ModeCase{"ipless_circuit", Endpoint::of_circuit(7), Endpoint::of_circuit(7),
                               Mode::ipless, false}),
    [](const auto& info) { return std::string(info.param.name); });

// Fail closed: with [esp] on, a flow no filter covers is neither sent nor
// accepted in the clear (an SPD that names no peer protects nothing, so it
// must pass nothing).
TEST(IpsecLayer, NoFilterAtAllMeansDiscard) {
  IpsecLayer l;
  EXPECT_FALSE(l.send(kA4, kB4, buf(l2tp_packet(20))).has_value());
  EXPECT_FALSE(l.accept_clear(kA4, kB4));
  EXPECT_EQ(l.counters()[Ctr::esp_tx_policy_discard], 1u);
  EXPECT_EQ(l.counters()[Ctr::esp_rx_policy_discard], 1u);
  EXPECT_EQ(l.counters()[Ctr::esp_tx_clear], 0u);
  // An explicit bypass filter is what lets L2TP through in the clear.
  l.spd().add(
      Filter{Direction::outbound, {HostSelector::any(), HostSelector::any()}, Action::bypass, 1, "b"});
  auto pdu = l.send(kA4, kB4, buf(l2tp_packet(20)));
  ASSERT_TRUE(pdu.has_value());
  EXPECT_EQ(pdu->kind, PduKind::l2tp);
  EXPECT_EQ(pdu->to, kB4);
  EXPECT_EQ(l.counters()[Ctr::esp_tx_clear], 1u);
}

TEST(IpsecLayer, ProtectedFlowWithoutSaIsNotSentAndAsksOnce) {
  IpsecLayer l;
  TrafficSelector sel{HostSelector::of(kA4, 1701), HostSelector::of(kB4, 0)};
  l.spd().add(Filter{Direction::outbound, sel, Action::protect, 1, "out"});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(l.send(kA4, kB4, buf(l2tp_packet(20))).has_value());
  EXPECT_EQ(l.counters()[Ctr::esp_tx_no_sa], 5u);
  auto acq = l.poll_acquire();
  ASSERT_TRUE(acq.has_value());
  EXPECT_EQ(acq->local, kA4);
  EXPECT_EQ(acq->remote, kB4);
  EXPECT_NE(acq->filter, 0u);
  EXPECT_FALSE(l.poll_acquire().has_value());  // one per flow, however often L2TP retransmits
  // A flow the SPD does not cover, with PROTECT filters present: discarded, never clear.
  EXPECT_FALSE(l.send(kA4, kC4, buf(l2tp_packet(20))).has_value());
  EXPECT_EQ(l.counters()[Ctr::esp_tx_policy_discard], 1u);
  EXPECT_EQ(l.counters()[Ctr::esp_tx_clear], 0u);
}

TEST(IpsecLayer, ClearPacketsOnProtectedFlowsAreDroppedUnlessRequireIsOff) {
  for (bool require : {true, false}) {
    IpsecLayer l(require);
    TrafficSelector sel{HostSelector::of(kA4, 1701), HostSelector::of(kB4, 0)};
    l.spd().add(Filter{Direction::inbound, sel, Action::protect, 1, "in"});
    l.spd().add(
        Filter{Direction::inbound, {HostSelector::any(), HostSelector::of(kC4, 0)}, Action::bypass, 2, "c"});
    EXPECT_EQ(l.accept_clear(kA4, kB4), !require);
    EXPECT_EQ(l.counters()[Ctr::esp_rx_clear_on_protected], require ? 1u : 0u);
    EXPECT_TRUE(l.accept_clear(kA4, kC4));  // bypass
    // Unknown flow with PROTECT filters present: dropped.
    EXPECT_FALSE(l.accept_clear(kA4, Endpoint::v4({10, 9, 9, 9}, 1701)));
  }
}

TEST(IpsecLayer, DiscardFiltersDropBothWays) {
  IpsecLayer l;
  TrafficSelector sel{HostSelector::any(), HostSelector::of(kB4, 0)};
  l.spd().add(Filter{Direction::outbound, sel, Action::discard, 1, "out"});
  l.spd().add(Filter{Direction::inbound, sel, Action::discard, 1, "in"});
  EXPECT_FALSE(l.send(kA4, kB4, buf(l2tp_packet(20))).has_value());
  EXPECT_FALSE(l.accept_clear(kA4, kB4));
  EXPECT_EQ(l.counters()[Ctr::esp_tx_policy_discard], 1u);
  EXPECT_EQ(l.counters()[Ctr::esp_rx_policy_discard], 1u);
}

TEST(IpsecLayer, InboundDropsAreCountedByName) {
  Pair p(kA4, kB4, Mode::transport, false);
  // Too short for an ESP header.
  PacketBuf runt = buf({0, 0, 0x20});
  EXPECT_EQ(p.b.open(kA4, kB4, runt, false).error().code, Errc::truncated);
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_truncated], 1u);
  // An SPI no SA has.
  auto pdu = p.a.send(kA4, kB4, buf(l2tp_packet(40)));
  ASSERT_TRUE(pdu.has_value());
  PacketBuf other = pdu->pkt.clone();
  other.data()[3] ^= 0x01;
  EXPECT_FALSE(p.b.open(kA4, kB4, other, false).ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_no_sa], 1u);
  // The right packet, then the same again: replayed.
  PacketBuf again = pdu->pkt.clone();
  EXPECT_TRUE(p.b.open(kA4, kB4, pdu->pkt, false).ok());
  EXPECT_FALSE(p.b.open(kA4, kB4, again, false).ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_replayed], 1u);
}

// RFC 3193 §3.3: a valid packet of A's SA arriving from C's address (the
// transport-mode inner addresses are the outer ones) is outside the SA's
// selector.
TEST(IpsecLayer, PacketOfAnSaFromAnotherAddressIsOutsideItsSelector) {
  Pair p(kA4, kB4, Mode::transport, false);
  // C holds A's keys and SPI and sends from its own address.
  Pair rogue(kC4, kB4, Mode::transport, false);
  auto pdu = rogue.a.send(kC4, kB4, buf(l2tp_packet(40)));
  ASSERT_TRUE(pdu.has_value());
  auto r = p.b.open(kC4, kB4, pdu->pkt, false);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_selector_mismatch], 1u);
}

// An SA keyed for UDP 4500 takes nothing by plain IP, and the reverse.
TEST(IpsecLayer, EncapsulationMustBeTheSas) {
  Pair p(kA4, kB4, Mode::transport, true);
  auto pdu = p.a.send(kA4, kB4, buf(l2tp_packet(40)));
  ASSERT_TRUE(pdu.has_value());
  EXPECT_FALSE(p.b.open(kA4, kB4, pdu->pkt, false).ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_encap_mismatch], 1u);
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_packets], 0u);  // refused before the SA
}

// RFC 3948: when a NAT moves the peer's port, an authenticated packet from
// the new port moves where the SA pair sends; a forged one moves nothing.
TEST(IpsecLayer, UdpEncapsulationFollowsTheNatAfterAuthenticationOnly) {
  Pair p(kA4, kB4, Mode::transport, true);
  Endpoint moved = kA4;
  moved.port = 61000;  // the NAT's new mapping
  Endpoint b_natt = kB4;
  b_natt.port = 4500;
  // A forged packet from the new port (SPI right, ICV wrong) is dropped and
  // changes nothing.
  auto good = p.a.send(kA4, kB4, buf(l2tp_packet(40)));
  ASSERT_TRUE(good.has_value());
  PacketBuf forged = good->pkt.clone();
  forged.data()[forged.size() - 1] ^= 0x80;
  EXPECT_FALSE(p.b.open(moved, b_natt, forged, true).ok());
  auto reply = p.b.send(kB4, kA4, buf(l2tp_packet(30)));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->to.port, 4500);
  // The real packet from the new port moves the pair.
  ASSERT_TRUE(p.b.open(moved, b_natt, good->pkt, true).ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_natt_peer_moved], 1u);
  reply = p.b.send(kB4, kA4, buf(l2tp_packet(30)));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->kind, PduKind::esp_in_udp);
  EXPECT_EQ(reply->to, moved);
}

// RFC 3193 §3.3 in tunnel mode, where the inner addresses are the sender's
// to choose: peer C, with its own valid SA, sends packets whose inner source
// is peer A. C's SA covers only C's address: dropped.
TEST(IpsecLayer, TunnelModeInnerSourceOfAnotherPeerIsOutsideTheSelector) {
  Pair p(kC4, kB4, Mode::tunnel, false);  // B's SA pair with C
  // C's side, re-keyed to send anything (selector Any) through the same SPI.
  IpsecLayer forger;
  SaBinding bind;
  bind.mode = Mode::tunnel;
  bind.selector = TrafficSelector{HostSelector::any(), HostSelector::any()};
  bind.outer_local = kC4;
  bind.outer_remote = kB4;
  forger.spd().add(Filter{Direction::outbound, bind.selector, Action::protect, 1, "all"});
  forger.sad().add_outbound(bind, OutboundSa(0x1000, p.t(), false));
  auto pdu = forger.send(kA4, kB4, buf(l2tp_packet(40)));  // inner source: A
  ASSERT_TRUE(pdu.has_value());
  Endpoint from = kC4;
  from.port = 0;
  EXPECT_FALSE(p.b.open(from, kB4, pdu->pkt, false).ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_packets], 1u);            // it authenticated...
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_selector_mismatch], 1u);  // ...and was dropped
}

TEST(IpsecLayer, SameSpiOnAnotherCircuitFindsNoSa) {
  Pair p(Endpoint::of_circuit(7), Endpoint::of_circuit(7), Mode::ipless, false);
  auto pdu = p.a.send(Endpoint::of_circuit(7), Endpoint::of_circuit(7), buf(l2tp_packet(40)));
  ASSERT_TRUE(pdu.has_value());
  EXPECT_FALSE(p.b.open(Endpoint::of_circuit(8), Endpoint::of_circuit(8), pdu->pkt, false).ok());
  EXPECT_EQ(p.b.counters()[Ctr::esp_rx_no_sa], 1u);
}

// Steady state: the packet's headroom and tailroom carry every header and
// trailer, both ways, with no reallocation.
TEST(IpsecLayer, NoReallocationPerPacket) {
  for (Mode mode : {Mode::transport, Mode::tunnel}) {
    Pair p(kA4, kB4, mode, false);
    PacketBuf pkt(1400 + 128);
    auto l2tp = l2tp_packet(1400);
    pkt.append(l2tp);
    const auto reallocs = pkt.realloc_count();
    for (int i = 0; i < 100; ++i) {
      auto pdu = p.a.send(kA4, kB4, std::move(pkt));
      ASSERT_TRUE(pdu.has_value());
      Endpoint from = kA4;
      from.port = 0;
      ASSERT_TRUE(p.b.open(from, kB4, pdu->pkt, false).ok());
      pkt = std::move(pdu->pkt);
    }
    EXPECT_EQ(pkt.realloc_count(), reallocs);
    EXPECT_EQ(std::vector<std::uint8_t>(pkt.bytes().begin(), pkt.bytes().end()), l2tp);
  }
}

}  // namespace
}  // namespace l2sec::esp
