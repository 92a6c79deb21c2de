// The SAD (src/esp/sad.hpp): the inbound key (SPI alone on IP, circuit +
// SPI on circuits; a duplicate refused with Errc::exists), outbound lookup
// by selector with the newest SA winning, removal, ids never 0 nor reused,
// the summed counters, and a packet sealed by an OutboundSa on the other
// side decapsulated through find_inbound()->sa (NULL + HMAC-SHA1-96 and
// AES-GCM-16, mbedTLS provider).
#include "esp/sad.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/wire.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"

namespace l2sec::esp {
namespace {

using crypto::EspAuth;
using crypto::EspCipher;
using Buf = std::vector<std::uint8_t>;

const Endpoint kUs = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kPeer = Endpoint::v4({198, 51, 100, 7}, 1701);
const Endpoint kOther = Endpoint::v4({203, 0, 113, 9}, 1701);

Buf key_of(std::size_t n, std::uint8_t start) {
  Buf k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(start + i);
  return k;
}

class SadTest : public ::testing::Test {
 protected:
  // Both ends of an SA use the same keys (seeded by `seed`).
  std::unique_ptr<crypto::EspTransform> transform(std::uint8_t seed, EspCipher c = EspCipher::null,
                                                  EspAuth a = EspAuth::hmac_sha1_96) {
    auto r =
        provider_->make(c, a, key_of(crypto::enc_key_size(c), seed),
                        key_of(crypto::auth_key_size(a), static_cast<std::uint8_t>(seed + 0x40)), random_);
    EXPECT_TRUE(r.ok());
    return std::move(r).value();
  }
  InboundSa in_sa(std::uint32_t spi, std::uint8_t seed = 1, EspCipher c = EspCipher::null,
                  EspAuth a = EspAuth::hmac_sha1_96) {
    auto r = InboundSa::create(spi, transform(seed, c, a), false);
    EXPECT_TRUE(r.ok());
    return std::move(r).value();
  }
  OutboundSa out_sa(std::uint32_t spi, std::uint8_t seed = 1, EspCipher c = EspCipher::null,
                    EspAuth a = EspAuth::hmac_sha1_96) {
    return OutboundSa(spi, transform(seed, c, a), false);
  }

  static SaBinding ip_binding(const Endpoint& local, const Endpoint& remote, std::string peer = "peer") {
    SaBinding b;
    b.mode = Mode::transport;
    b.selector = TrafficSelector{HostSelector::of(local, local.port), HostSelector::of(remote, 0)};
    b.outer_local = local;
    b.outer_local.port = 0;
    b.outer_remote = remote;
    b.outer_remote.port = 0;
    b.peer = std::move(peer);
    return b;
  }
  static SaBinding circuit_binding(std::uint32_t circuit) {
    SaBinding b;
    b.mode = Mode::ipless;
    b.selector = TrafficSelector{HostSelector::any(), HostSelector::of_circuit(circuit)};
    b.outer_local = Endpoint::of_circuit(circuit);
    b.outer_remote = Endpoint::of_circuit(circuit);
    b.peer = "circuit peer " + std::to_string(circuit);
    return b;
  }

  std::unique_ptr<crypto::EspProvider> provider_ = crypto::make_mbedtls_provider();
  crypto::SeededRandom random_{0x5ad};
};

TEST(SadNames, ModeName) {
  EXPECT_EQ(mode_name(Mode::transport), "transport");
  EXPECT_EQ(mode_name(Mode::tunnel), "tunnel");
  EXPECT_EQ(mode_name(Mode::ipless), "ipless");
}

TEST_F(SadTest, DuplicateSpiOnIpIsRefused) {
  Sad sad;
  auto first = sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x1000));
  ASSERT_TRUE(first.ok());
  // Another peer, same SPI: on IP the SPI alone is the key.
  auto again = sad.add_inbound(ip_binding(kUs, kOther), in_sa(0x1000));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::exists);
  EXPECT_EQ(sad.inbound_count(), 1u);
  EXPECT_EQ(sad.find_inbound(0x1000, kPeer)->binding.outer_remote, ip_binding(kUs, kPeer).outer_remote);
  // A different SPI is fine.
  EXPECT_TRUE(sad.add_inbound(ip_binding(kUs, kOther), in_sa(0x1001)).ok());
  EXPECT_EQ(sad.inbound_count(), 2u);
}

TEST_F(SadTest, SameSpiOnTwoCircuitsAndOnIp) {
  Sad sad;
  auto c7 = sad.add_inbound(circuit_binding(7), in_sa(0x2000));
  auto c8 = sad.add_inbound(circuit_binding(8), in_sa(0x2000));
  auto c0 = sad.add_inbound(circuit_binding(0), in_sa(0x2000));
  auto ip = sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x2000));
  ASSERT_TRUE(c7.ok());
  ASSERT_TRUE(c8.ok());
  ASSERT_TRUE(c0.ok());  // circuit 0 is not IP
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(sad.inbound_count(), 4u);

  auto dup = sad.add_inbound(circuit_binding(7), in_sa(0x2000));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::exists);

  ASSERT_NE(sad.find_inbound(0x2000, Endpoint::of_circuit(7)), nullptr);
  EXPECT_EQ(sad.find_inbound(0x2000, Endpoint::of_circuit(7))->id, *c7);
  EXPECT_EQ(sad.find_inbound(0x2000, Endpoint::of_circuit(8))->id, *c8);
  EXPECT_EQ(sad.find_inbound(0x2000, Endpoint::of_circuit(0))->id, *c0);
  EXPECT_EQ(sad.find_inbound(0x2000, kOther)->id, *ip);
  EXPECT_EQ(sad.find_inbound(0x2000, Endpoint::of_circuit(9)), nullptr);
  EXPECT_EQ(sad.find_inbound(0x2001, Endpoint::of_circuit(7)), nullptr);
}

TEST_F(SadTest, IpLookupBySpiIgnoresTheSource) {
  Sad sad;
  auto id = sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0xdeadbeef));
  ASSERT_TRUE(id.ok());
  std::array<std::uint8_t, 16> v6{0x20, 0x01, 0x0d, 0xb8};
  for (const Endpoint& from :
       {kPeer, kOther, Endpoint::v4({198, 51, 100, 7}, 4500), Endpoint::v6(v6, 500), Endpoint{}}) {
    InboundEntry* e = sad.find_inbound(0xdeadbeef, from);
    ASSERT_NE(e, nullptr) << from.to_string();
    EXPECT_EQ(e->id, *id);
    EXPECT_EQ(e->sa.spi(), 0xdeadbeefu);
  }
  EXPECT_EQ(sad.find_inbound(0xdeadbeee, kPeer), nullptr);
  // An IP SA is not found from a circuit.
  EXPECT_EQ(sad.find_inbound(0xdeadbeef, Endpoint::of_circuit(0)), nullptr);
}

TEST_F(SadTest, NewestOutboundWins) {
  Sad sad;
  EXPECT_EQ(sad.find_outbound(kUs, kPeer), nullptr);
  const SaId old_id = sad.add_outbound(ip_binding(kUs, kPeer, "old"), out_sa(0x3000));
  ASSERT_NE(sad.find_outbound(kUs, kPeer), nullptr);
  EXPECT_EQ(sad.find_outbound(kUs, kPeer)->id, old_id);
  // The rekeyed SA takes over at once (the lookup above is cached).
  const SaId new_id = sad.add_outbound(ip_binding(kUs, kPeer, "new"), out_sa(0x3001));
  EXPECT_EQ(sad.find_outbound(kUs, kPeer)->id, new_id);
  EXPECT_EQ(sad.find_outbound(kUs, kPeer)->binding.peer, "new");
  EXPECT_EQ(sad.find_outbound(kUs, kPeer)->sa.spi(), 0x3001u);
  // An SA for another peer does not cover this flow.
  const SaId other_id = sad.add_outbound(ip_binding(kUs, kOther, "other"), out_sa(0x3002));
  EXPECT_EQ(sad.find_outbound(kUs, kPeer)->id, new_id);
  EXPECT_EQ(sad.find_outbound(kUs, kOther)->id, other_id);
  // Not covered: wrong local port, a third peer.
  EXPECT_EQ(sad.find_outbound(Endpoint::v4({192, 0, 2, 1}, 1702), kPeer), nullptr);
  EXPECT_EQ(sad.find_outbound(kUs, Endpoint::v4({203, 0, 113, 10}, 1701)), nullptr);
  // The old SA stays usable until removed; once the new one goes, it is back.
  EXPECT_NE(sad.outbound(old_id), nullptr);
  EXPECT_TRUE(sad.remove(new_id));
  EXPECT_EQ(sad.find_outbound(kUs, kPeer)->id, old_id);
  EXPECT_TRUE(sad.remove(old_id));
  EXPECT_EQ(sad.find_outbound(kUs, kPeer), nullptr);
  EXPECT_EQ(sad.outbound_count(), 1u);
}

TEST_F(SadTest, OutboundOnCircuits) {
  Sad sad;
  const SaId c7 = sad.add_outbound(circuit_binding(7), out_sa(0x4000));
  const SaId c8 = sad.add_outbound(circuit_binding(8), out_sa(0x4000));  // outbound SPIs are the peer's
  EXPECT_EQ(sad.find_outbound(Endpoint::of_circuit(7), Endpoint::of_circuit(7))->id, c7);
  EXPECT_EQ(sad.find_outbound(Endpoint::of_circuit(8), Endpoint::of_circuit(8))->id, c8);
  EXPECT_EQ(sad.find_outbound(Endpoint::of_circuit(9), Endpoint::of_circuit(9)), nullptr);
  EXPECT_EQ(sad.find_outbound(kUs, kPeer), nullptr);
}

TEST_F(SadTest, RemoveEitherDirection) {
  Sad sad;
  auto in = sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x5000));
  ASSERT_TRUE(in.ok());
  const SaId out = sad.add_outbound(ip_binding(kUs, kPeer), out_sa(0x5001));
  EXPECT_NE(sad.inbound(*in), nullptr);
  EXPECT_EQ(sad.outbound(*in), nullptr);
  EXPECT_NE(sad.outbound(out), nullptr);
  EXPECT_EQ(sad.inbound(out), nullptr);

  EXPECT_TRUE(sad.remove(*in));
  EXPECT_FALSE(sad.remove(*in));
  EXPECT_EQ(sad.inbound(*in), nullptr);
  EXPECT_EQ(sad.find_inbound(0x5000, kPeer), nullptr);
  EXPECT_EQ(sad.inbound_count(), 0u);
  // The SPI is free again.
  EXPECT_TRUE(sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x5000)).ok());

  EXPECT_TRUE(sad.remove(out));
  EXPECT_FALSE(sad.remove(out));
  EXPECT_FALSE(sad.remove(0));
  EXPECT_FALSE(sad.remove(999));
  EXPECT_EQ(sad.outbound_count(), 0u);

  sad.clear();
  EXPECT_EQ(sad.inbound_count(), 0u);
  EXPECT_EQ(sad.find_inbound(0x5000, kPeer), nullptr);
}

TEST_F(SadTest, IdsAreNeverZeroNorReused) {
  Sad sad;
  std::set<SaId> seen;
  for (std::uint32_t round = 0; round < 3; ++round) {
    for (std::uint32_t i = 0; i < 5; ++i) {
      auto in = sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x6000 + i));
      ASSERT_TRUE(in.ok());
      const SaId out = sad.add_outbound(ip_binding(kUs, kPeer), out_sa(0x7000 + i));
      EXPECT_TRUE(seen.insert(*in).second) << *in;
      EXPECT_TRUE(seen.insert(out).second) << out;
    }
    // A refused add uses no id... and the next id is still fresh.
    EXPECT_FALSE(sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x6000)).ok());
    if (round == 0) {
      for (SaId id : seen) sad.remove(id);
    } else {
      sad.clear();
    }
  }
  EXPECT_EQ(seen.size(), 30u);
  EXPECT_EQ(seen.count(0), 0u);
}

TEST_F(SadTest, PointersStayValidWhileOthersComeAndGo) {
  Sad sad;
  auto keep = sad.add_inbound(ip_binding(kUs, kPeer), in_sa(0x8000));
  ASSERT_TRUE(keep.ok());
  InboundEntry* e = sad.find_inbound(0x8000, kPeer);
  const SaId keep_out = sad.add_outbound(ip_binding(kUs, kPeer), out_sa(0x8800));
  OutboundEntry* o = sad.outbound(keep_out);
  std::vector<SaId> churn;
  for (std::uint32_t i = 1; i <= 200; ++i) {
    auto r = sad.add_inbound(ip_binding(kUs, kOther), in_sa(0x8000 + i));
    ASSERT_TRUE(r.ok());
    churn.push_back(*r);
    churn.push_back(sad.add_outbound(ip_binding(kUs, kOther), out_sa(0x9000 + i)));
  }
  for (SaId id : churn) EXPECT_TRUE(sad.remove(id));
  EXPECT_EQ(sad.find_inbound(0x8000, kPeer), e);
  EXPECT_EQ(e->id, *keep);
  EXPECT_EQ(sad.find_outbound(kUs, kPeer), o);
  EXPECT_EQ(o->id, keep_out);
}

// A packet sealed by the peer's OutboundSa, found by SPI and opened by the
// InboundSa the SAD holds; the SAD's counters are the SAs' counters summed.
TEST_F(SadTest, DecapThroughFindInboundEndToEnd) {
  struct Case {
    const char* name;
    EspCipher c;
    EspAuth a;
  };
  for (const Case& cs : {Case{"null+hmac-sha1-96", EspCipher::null, EspAuth::hmac_sha1_96},
                         Case{"aes-gcm16-128", EspCipher::aes_gcm16_128, EspAuth::none}}) {
    SCOPED_TRACE(cs.name);
    // The peer: its outbound SA to us, in its own SAD.
    Sad peer;
    peer.add_outbound(circuit_binding(7), out_sa(0xa0a0a0a0, 0x33, cs.c, cs.a));
    // Us: the inbound SA for that SPI on circuit 7, and a decoy with the
    // same SPI on circuit 8 under other keys.
    Sad us;
    ASSERT_TRUE(us.add_inbound(circuit_binding(7), in_sa(0xa0a0a0a0, 0x33, cs.c, cs.a)).ok());
    ASSERT_TRUE(us.add_inbound(circuit_binding(8), in_sa(0xa0a0a0a0, 0x99, cs.c, cs.a)).ok());

    const Buf l2tp = {0xc8, 0x02, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06};
    OutboundEntry* tx = peer.find_outbound(Endpoint::of_circuit(7), Endpoint::of_circuit(7));
    ASSERT_NE(tx, nullptr);
    PacketBuf pkt = PacketBuf::copy_of(l2tp);
    ASSERT_TRUE(tx->sa.encap(pkt, kNextHeaderL2tp).ok());
    PacketBuf copy = PacketBuf::copy_of(pkt.bytes());
    PacketBuf copy2 = PacketBuf::copy_of(pkt.bytes());

    const std::uint32_t spi = load_be32(pkt.data());
    ASSERT_EQ(spi, 0xa0a0a0a0u);
    InboundEntry* rx = us.find_inbound(spi, Endpoint::of_circuit(7));
    ASSERT_NE(rx, nullptr);
    EXPECT_EQ(rx->binding.mode, Mode::ipless);
    auto nh = rx->sa.decap(pkt);
    ASSERT_TRUE(nh.ok()) << errc_name(nh.error().code);
    EXPECT_EQ(*nh, kNextHeaderL2tp);
    EXPECT_EQ(Buf(pkt.bytes().begin(), pkt.bytes().end()), l2tp);

    // The same bytes again: a replay, counted by the SA.
    auto replay = us.find_inbound(spi, Endpoint::of_circuit(7))->sa.decap(copy);
    ASSERT_FALSE(replay.ok());
    EXPECT_EQ(replay.error().code, Errc::exists);
    // Arriving on circuit 8 they meet the decoy's keys: ICV failure.
    auto wrong = us.find_inbound(spi, Endpoint::of_circuit(8))->sa.decap(copy2);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, Errc::auth_failed);

    const Counters sum = us.counters();
    EXPECT_EQ(sum[Ctr::esp_rx_packets], 1u);
    EXPECT_EQ(sum[Ctr::esp_rx_replayed], 1u);
    EXPECT_EQ(sum[Ctr::esp_rx_bad_icv], 1u);
    EXPECT_EQ(sum[Ctr::esp_tx_packets], 0u);
    EXPECT_EQ(peer.counters()[Ctr::esp_tx_packets], 1u);
  }
}

TEST_F(SadTest, CountersSumEverySa) {
  Sad sad;
  const SaId a = sad.add_outbound(ip_binding(kUs, kPeer), out_sa(0xb000));
  const SaId b = sad.add_outbound(ip_binding(kUs, kOther), out_sa(0xb001));
  for (int i = 0; i < 3; ++i) {
    PacketBuf p = PacketBuf::copy_of(Buf(16, 0x11));
    ASSERT_TRUE(sad.outbound(a)->sa.encap(p, kNextHeaderUdp).ok());
  }
  for (int i = 0; i < 4; ++i) {
    PacketBuf p = PacketBuf::copy_of(Buf(16, 0x22));
    ASSERT_TRUE(sad.outbound(b)->sa.encap(p, kNextHeaderUdp).ok());
  }
  EXPECT_EQ(sad.counters()[Ctr::esp_tx_packets], 7u);
  std::size_t n = 0;
  sad.for_each_outbound([&](const OutboundEntry& e) { n += e.sa.counters()[Ctr::esp_tx_packets]; });
  EXPECT_EQ(n, 7u);
  // A removed SA's counters leave the sum.
  ASSERT_TRUE(sad.remove(b));
  EXPECT_EQ(sad.counters()[Ctr::esp_tx_packets], 3u);
}

}  // namespace
}  // namespace l2sec::esp
