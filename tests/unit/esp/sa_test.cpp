// ESP Security Associations (src/esp/sa.hpp), for every available provider:
// encap -> decap round trips (NULL+HMAC-SHA1-96, AES-CBC-128+HMAC-SHA1-96,
// AES-GCM-16-128, ChaCha20-Poly1305; with and without ESN; payloads 0..300),
// the exact byte layout of a NULL-cipher packet, replay and too-old drops
// before the ICV, a forged packet not moving the window, truncation at every
// length, padding checks, dummy packets, sequence exhaustion, and published
// AES-GCM ESP packets (draft-mcgrew-gcm-test-01) through InboundSa and,
// with the IV forced, OutboundSa.
//
// With L2SEC_WRITE_ESP_CORPUS=<dir>, the disabled test WriteFuzzCorpus
// writes the seed corpus of tests/fuzz/esp_decap_fuzz.cpp.
#include "esp/sa.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crypto/esp_test_hooks.hpp"
#include "crypto/random.hpp"

namespace l2sec::esp {
namespace {

using crypto::EspAuth;
using crypto::EspCipher;
using crypto::EspTransform;
using Buf = std::vector<std::uint8_t>;

Buf hex(const std::string& s) {
  Buf out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return out;
}

Buf key_of(std::size_t n, std::uint8_t start) {
  Buf k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(start + i);
  return k;
}

Buf to_buf(const PacketBuf& p) { return Buf(p.bytes().begin(), p.bytes().end()); }

using Section = std::map<std::string, std::string>;

std::map<std::string, Section> load_vectors(const std::string& rel) {
  const std::string path = std::string(L2SEC_SOURCE_DIR) + "/tests/vectors/" + rel;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::map<std::string, Section> out;
  std::string line;
  std::string current;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      current = line.substr(1, line.find(']') - 1);
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq != std::string::npos) out[current][line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

struct Suite {
  const char* name;
  EspCipher cipher;
  EspAuth auth;
};
constexpr Suite kSuites[] = {
    {"null+hmac-sha1-96", EspCipher::null, EspAuth::hmac_sha1_96},
    {"aes-cbc-128+hmac-sha1-96", EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96},
    {"aes-gcm16-128", EspCipher::aes_gcm16_128, EspAuth::none},
    {"chacha20-poly1305", EspCipher::chacha20_poly1305, EspAuth::none},
};

constexpr std::uint32_t kSpi = 0x01020304;

enum class Which { mbedtls, ipsecmb };

class EspSaTest : public ::testing::TestWithParam<Which> {
 protected:
  void SetUp() override {
    provider_ =
        GetParam() == Which::mbedtls ? crypto::make_mbedtls_provider() : crypto::make_ipsecmb_provider();
    if (!provider_)
      GTEST_SKIP() << "intel-ipsec-mb provider unavailable: make_ipsecmb_provider() returned nullptr";
  }

  bool supports(const Suite& s) const { return provider_->supports(s.cipher, s.auth); }

  // Both directions of one SA use the same keys (seeded by `seed`).
  std::unique_ptr<EspTransform> transform(const Suite& s, std::uint8_t seed = 0x10) {
    auto r = provider_->make(s.cipher, s.auth, key_of(crypto::enc_key_size(s.cipher), seed),
                             key_of(crypto::auth_key_size(s.auth), static_cast<std::uint8_t>(seed + 0x70)),
                             random_);
    EXPECT_TRUE(r.ok()) << s.name;
    return r.ok() ? std::move(r).value() : nullptr;
  }

  OutboundSa outbound(const Suite& s, bool esn, std::uint64_t last_sent = 0) {
    return OutboundSa(kSpi, transform(s), esn, last_sent);
  }
  InboundSa inbound(const Suite& s, bool esn, std::uint32_t window = 64) {
    auto r = InboundSa::create(kSpi, transform(s), esn, window);
    EXPECT_TRUE(r.ok());
    return std::move(r).value();
  }

  PacketBuf sealed(OutboundSa& out, const Buf& payload, std::uint8_t nh = kNextHeaderL2tp) {
    PacketBuf p = PacketBuf::copy_of(payload);
    EXPECT_TRUE(out.encap(p, nh).ok());
    return p;
  }

  std::unique_ptr<crypto::EspProvider> provider_;
  crypto::SeededRandom random_{0x5a5eed};
};

std::string which_name(const ::testing::TestParamInfo<Which>& i) {
  return i.param == Which::mbedtls ? "mbedtls" : "ipsecmb";
}

INSTANTIATE_TEST_SUITE_P(Providers, EspSaTest, ::testing::Values(Which::mbedtls, Which::ipsecmb), which_name);

const Suite& null_hmac() { return kSuites[0]; }
const Suite& gcm() { return kSuites[2]; }

TEST_P(EspSaTest, RoundTripEverySuiteEsnAndSize) {
  std::size_t tested = 0;
  for (const Suite& s : kSuites) {
    if (!supports(s)) {
      ASSERT_EQ(GetParam(), Which::ipsecmb) << "mbedtls must do " << s.name;
      continue;
    }
    for (bool esn : {false, true}) {
      SCOPED_TRACE(std::string(s.name) + (esn ? " esn" : " no-esn"));
      OutboundSa out = outbound(s, esn);
      InboundSa in = inbound(s, esn);
      auto probe = transform(s);
      const std::size_t iv = probe->iv_size();
      const std::size_t icv = probe->icv_size();
      const std::size_t align = std::max<std::size_t>(probe->block_size(), 4);
      for (std::size_t n = 0; n <= 300; ++n) {
        SCOPED_TRACE(n);
        Buf payload(n);
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<std::uint8_t>(i * 7 + n);
        PacketBuf p = PacketBuf::copy_of(payload);
        const std::uint8_t* payload_at = p.data();
        const std::uint8_t nh = (n % 2) != 0 ? kNextHeaderUdp : kNextHeaderL2tp;
        ASSERT_TRUE(out.encap(p, nh).ok());
        EXPECT_EQ(p.data() + kEspHeaderSize + iv, payload_at);  // payload not moved
        const std::size_t body = p.size() - kEspHeaderSize - iv - icv;
        EXPECT_EQ(body % align, 0u);
        EXPECT_EQ(p.size() % 4, 0u);
        EXPECT_LT(body - n - kEspTrailerSize, align);  // minimal padding
        EXPECT_EQ(p.size(), out.overhead_front() + n + out.overhead_back(n));
        EXPECT_EQ(load_be32(p.data()), kSpi);
        EXPECT_EQ(load_be32(p.data() + 4), static_cast<std::uint32_t>(n + 1));
        EXPECT_EQ(p.realloc_count(), 0u);

        auto r = in.decap(p);
        ASSERT_TRUE(r.ok()) << errc_name(r.error().code);
        EXPECT_EQ(*r, nh);
        EXPECT_EQ(to_buf(p), payload);
        EXPECT_EQ(p.data(), payload_at);
        EXPECT_EQ(p.realloc_count(), 0u);
      }
      EXPECT_EQ(out.counters()[Ctr::esp_tx_packets], 301u);
      EXPECT_EQ(in.counters()[Ctr::esp_rx_packets], 301u);
      EXPECT_EQ(in.replay_window().top(), 301u);
      ++tested;
    }
  }
  EXPECT_GE(tested, GetParam() == Which::mbedtls ? 8u : 2u);
}

TEST_P(EspSaTest, EsnMismatchFailsIcv) {
  for (const Suite& s : kSuites) {
    if (!supports(s)) continue;
    SCOPED_TRACE(s.name);
    // The high half is 0 here, but with ESN it is still in the ICV input (or AAD).
    OutboundSa out = outbound(s, true);
    InboundSa in = inbound(s, false);
    PacketBuf p = sealed(out, Buf(10, 0xaa));
    auto r = in.decap(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::auth_failed);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 1u);
  }
}

// NULL cipher (RFC 2410): everything but the ICV is plaintext on the wire.
TEST_P(EspSaTest, NullCipherExactLayout) {
  if (!supports(null_hmac())) GTEST_SKIP() << "no NULL+HMAC-SHA1-96";
  OutboundSa out = outbound(null_hmac(), false);
  InboundSa in = inbound(null_hmac(), false);
  for (std::size_t n = 0; n <= 12; ++n) {
    SCOPED_TRACE(n);
    Buf payload(n, 0xee);
    PacketBuf p = sealed(out, payload, kNextHeaderL2tp);
    const std::size_t pad = (4 - (n + 2) % 4) % 4;
    Buf expect = {0x01, 0x02, 0x03, 0x04};  // SPI
    expect.push_back(0);
    expect.push_back(0);
    expect.push_back(0);
    expect.push_back(static_cast<std::uint8_t>(n + 1));  // sequence number
    expect.insert(expect.end(), payload.begin(), payload.end());
    for (std::size_t i = 1; i <= pad; ++i) expect.push_back(static_cast<std::uint8_t>(i));
    expect.push_back(static_cast<std::uint8_t>(pad));
    expect.push_back(115);
    ASSERT_EQ(p.size(), expect.size() + 12);  // HMAC-SHA1-96
    EXPECT_EQ(Buf(p.bytes().begin(), p.bytes().end() - 12), expect);
    EXPECT_EQ(p.size() % 4, 0u);
    auto r = in.decap(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 115);
    EXPECT_EQ(to_buf(p), payload);
  }
  // Spot check: 5 octets -> one pad octet.
  PacketBuf p = sealed(out, Buf{1, 2, 3, 4, 5}, kNextHeaderUdp);
  EXPECT_EQ(Buf(p.bytes().begin() + 8, p.bytes().begin() + 16), (Buf{1, 2, 3, 4, 5, 0x01, 0x01, 17}));
}

TEST_P(EspSaTest, ReplayedPacketRefusedBeforeIcv) {
  for (const Suite& s : kSuites) {
    if (!supports(s)) continue;
    SCOPED_TRACE(s.name);
    OutboundSa out = outbound(s, false);
    InboundSa in = inbound(s, false);
    PacketBuf p = sealed(out, Buf(20, 1));
    PacketBuf copy = p.clone();
    ASSERT_TRUE(in.decap(p).ok());
    auto r = in.decap(copy);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::exists);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_replayed], 1u);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 0u);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_packets], 1u);

    // A replay with a broken ICV is still counted as a replay: checked first.
    PacketBuf again = sealed(out, Buf(20, 2));
    PacketBuf forged = again.clone();
    ASSERT_TRUE(in.decap(again).ok());
    forged.data()[forged.size() - 1] ^= 1;
    EXPECT_EQ(in.decap(forged).error().code, Errc::exists);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_replayed], 2u);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 0u);
  }
}

TEST_P(EspSaTest, TooOldRefused) {
  OutboundSa out = outbound(gcm(), false);
  InboundSa in = inbound(gcm(), false, 64);
  PacketBuf first = sealed(out, Buf(4, 1));  // seq 1
  for (int i = 2; i <= 65; ++i) {
    PacketBuf p = sealed(out, Buf(4, 1));
    ASSERT_TRUE(in.decap(p).ok());
  }
  // top 65, window 64: 2..65 are inside, 1 is left of it.
  auto r = in.decap(first);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::exists);
  EXPECT_EQ(in.counters()[Ctr::esp_rx_too_old], 1u);
  EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 0u);
}

TEST_P(EspSaTest, OutOfOrderInsideWindowAccepted) {
  OutboundSa out = outbound(gcm(), false);
  InboundSa in = inbound(gcm(), false, 128);
  std::vector<PacketBuf> pkts;
  for (int i = 0; i < 100; ++i) pkts.push_back(sealed(out, Buf(30, static_cast<std::uint8_t>(i))));
  for (int i = 99; i >= 0; --i) {
    auto r = in.decap(pkts[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(r.ok()) << i;
    EXPECT_EQ(to_buf(pkts[static_cast<std::size_t>(i)]), Buf(30, static_cast<std::uint8_t>(i)));
  }
  EXPECT_EQ(in.counters()[Ctr::esp_rx_packets], 100u);
}

TEST_P(EspSaTest, WrongIcvDoesNotMoveWindow) {
  for (const Suite& s : kSuites) {
    if (!supports(s)) continue;
    SCOPED_TRACE(s.name);
    OutboundSa out = outbound(s, false);
    InboundSa in = inbound(s, false);
    PacketBuf p1 = sealed(out, Buf(33, 1));
    PacketBuf p2 = sealed(out, Buf(33, 2));

    // Tampered copies of p2: in the ICV, in the ciphertext, in the header.
    for (std::size_t at : {p2.size() - 1, std::size_t{20}, std::size_t{6}}) {
      PacketBuf bad = p2.clone();
      bad.data()[at] ^= 0x40;
      auto r = in.decap(bad);
      ASSERT_FALSE(r.ok()) << at;
      EXPECT_EQ(r.error().code, Errc::auth_failed) << at;
    }
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 3u);
    EXPECT_EQ(in.replay_window().top(), 0u);

    // A forged far-ahead number must not slide p1 out of the window either.
    PacketBuf far = p2.clone();
    store_be32(far.data() + 4, 100000);
    EXPECT_EQ(in.decap(far).error().code, Errc::auth_failed);
    EXPECT_EQ(in.replay_window().top(), 0u);

    auto r2 = in.decap(p2);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(to_buf(p2), Buf(33, 2));
    auto r1 = in.decap(p1);
    ASSERT_TRUE(r1.ok());
    EXPECT_EQ(to_buf(p1), Buf(33, 1));
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 4u);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_replayed], 0u);
  }
}

TEST_P(EspSaTest, TruncatedAtEveryLength) {
  for (const Suite& s : kSuites) {
    if (!supports(s)) continue;
    SCOPED_TRACE(s.name);
    OutboundSa out = outbound(s, false);
    InboundSa in = inbound(s, false);
    auto probe = transform(s);
    const std::size_t align = std::max<std::size_t>(probe->block_size(), 4);
    const std::size_t min = kEspHeaderSize + probe->iv_size() + align + probe->icv_size();
    const Buf full = to_buf(sealed(out, Buf(40, 9)));
    std::uint64_t expect_truncated = 0;
    for (std::size_t len = 0; len < full.size(); ++len) {
      SCOPED_TRACE(len);
      PacketBuf p = PacketBuf::copy_of(Bytes(full.data(), len));
      auto r = in.decap(p);
      ASSERT_FALSE(r.ok());
      if (len < min) {
        ++expect_truncated;
        EXPECT_EQ(r.error().code, Errc::truncated);
      }
    }
    EXPECT_EQ(in.counters()[Ctr::esp_rx_truncated], expect_truncated);
    EXPECT_EQ(expect_truncated, min);
    // Every drop is counted exactly once.
    const Counters& c = in.counters();
    EXPECT_EQ(c[Ctr::esp_rx_truncated] + c[Ctr::esp_rx_bad_length] + c[Ctr::esp_rx_bad_icv], full.size());
    EXPECT_EQ(in.replay_window().top(), 0u);
    // The whole packet still goes through.
    PacketBuf whole = PacketBuf::copy_of(full);
    ASSERT_TRUE(in.decap(whole).ok());
    EXPECT_EQ(to_buf(whole), Buf(40, 9));
  }
}

// Seals `body` (payload..Next Header, already aligned) with an authentic ICV,
// bypassing OutboundSa's padding, to test the receiver's padding checks.
PacketBuf seal_raw(EspTransform& t, std::uint32_t seq, const Buf& body) {
  PacketBuf p = PacketBuf::copy_of(body);
  p.push_back(t.icv_size());
  std::uint8_t* d = p.push_front(kEspHeaderSize + t.iv_size());
  store_be32(d, kSpi);
  store_be32(d + 4, seq);
  const std::size_t h = kEspHeaderSize + t.iv_size();
  const crypto::EspPacketView v{.header = MutBytes(d, kEspHeaderSize),
                                .iv = MutBytes(d + kEspHeaderSize, t.iv_size()),
                                .payload = MutBytes(d + h, body.size()),
                                .icv = MutBytes(d + h + body.size(), t.icv_size())};
  EXPECT_TRUE(t.seal(v).ok());
  return p;
}

TEST_P(EspSaTest, CorruptedPaddingCounted) {
  for (const Suite& s : {null_hmac(), gcm()}) {
    if (!supports(s)) continue;
    SCOPED_TRACE(s.name);
    auto sender = transform(s);
    InboundSa in = inbound(s, false);
    struct Case {
      Buf body;
      bool ok;
    };
    const Case cases[] = {
        {{'a', 'b', 'c', 'd', 1, 2, 2, 115}, true},     // good: pad 01 02
        {{'a', 'b', 'c', 'd', 1, 3, 2, 115}, false},    // second pad byte wrong
        {{'a', 'b', 'c', 'd', 0, 0, 2, 115}, false},    // zero padding
        {{'a', 'b', 'c', 'd', 1, 2, 7, 115}, false},    // pad length beyond the payload
        {{'a', 'b', 'c', 'd', 1, 2, 255, 115}, false},  // far beyond
        {{1, 2, 3, 4, 5, 6, 6, 115}, true},             // all padding, empty payload
        {{1, 2, 3, 4, 5, 6, 7, 115}, false},            // one too many
    };
    std::uint32_t seq = 0;
    std::uint64_t bad = 0;
    for (const Case& c : cases) {
      ++seq;
      SCOPED_TRACE(seq);
      PacketBuf p = seal_raw(*sender, seq, c.body);
      auto r = in.decap(p);
      EXPECT_EQ(r.ok(), c.ok);
      if (!c.ok) {
        ++bad;
        EXPECT_EQ(r.error().code, Errc::malformed);
      }
      EXPECT_EQ(in.replay_window().top(), seq);  // authentic: the window moved
    }
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_padding], bad);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_packets], 2u);
    EXPECT_EQ(in.counters()[Ctr::esp_rx_bad_icv], 0u);
  }
}

TEST_P(EspSaTest, DummyPacketDropped) {
  OutboundSa out = outbound(gcm(), false);
  InboundSa in = inbound(gcm(), false);
  PacketBuf p = sealed(out, Buf(7, 0), kNextHeaderDummy);
  auto r = in.decap(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(in.counters()[Ctr::esp_rx_dummy], 1u);
  EXPECT_EQ(in.counters()[Ctr::esp_rx_packets], 0u);
  EXPECT_EQ(in.replay_window().top(), 1u);  // authentic: its number is used up
}

TEST_P(EspSaTest, WrongSpiCounted) {
  OutboundSa out = OutboundSa(kSpi + 1, transform(gcm()), false);
  InboundSa in = inbound(gcm(), false);
  PacketBuf p = sealed(out, Buf(7, 0));
  EXPECT_EQ(in.decap(p).error().code, Errc::malformed);
  EXPECT_EQ(in.counters()[Ctr::esp_rx_wrong_spi], 1u);
  EXPECT_EQ(in.replay_window().top(), 0u);
}

TEST_P(EspSaTest, SequenceExhaustionRefusesNeverWraps) {
  struct Mode {
    bool esn;
    std::uint64_t max;
  };
  for (const Mode m : {Mode{false, UINT32_MAX}, Mode{true, UINT64_MAX}}) {
    SCOPED_TRACE(m.esn);
    OutboundSa out = outbound(gcm(), m.esn, m.max - 1);
    PacketBuf p = PacketBuf::copy_of(Buf(10, 3));
    ASSERT_TRUE(out.encap(p, kNextHeaderUdp).ok());
    EXPECT_EQ(load_be32(p.data() + 4), 0xffffffffu);
    EXPECT_EQ(out.sequence().last(), m.max);
    EXPECT_TRUE(out.rekey_due());

    PacketBuf q = PacketBuf::copy_of(Buf(10, 3));
    auto r = out.encap(q, kNextHeaderUdp);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::no_resources);
    EXPECT_EQ(to_buf(q), Buf(10, 3));  // untouched
    EXPECT_EQ(out.counters()[Ctr::esp_tx_seq_exhausted], 1u);
    EXPECT_EQ(out.encap(q, kNextHeaderUdp).error().code, Errc::no_resources);  // stays refused
    EXPECT_EQ(out.counters()[Ctr::esp_tx_seq_exhausted], 2u);
    EXPECT_EQ(out.counters()[Ctr::esp_tx_packets], 1u);
  }
}

TEST_P(EspSaTest, NonEsnReceiverAcceptsLastNumber) {
  OutboundSa out = outbound(gcm(), false, UINT32_MAX - 2);
  InboundSa in = inbound(gcm(), false);
  for (int i = 0; i < 2; ++i) {
    PacketBuf p = sealed(out, Buf(5, 5));
    ASSERT_TRUE(in.decap(p).ok());
  }
  EXPECT_EQ(in.replay_window().top(), UINT32_MAX);
}

TEST_P(EspSaTest, CreateRefusesBadWindowAndNullTransform) {
  EXPECT_EQ(InboundSa::create(kSpi, transform(gcm()), false, 32).error().code, Errc::out_of_range);
  EXPECT_EQ(InboundSa::create(kSpi, transform(gcm()), false, 8192).error().code, Errc::out_of_range);
  EXPECT_TRUE(InboundSa::create(kSpi, transform(gcm()), false, 4096).ok());
  EXPECT_EQ(InboundSa::create(kSpi, nullptr, false).error().code, Errc::invalid_state);
}

// draft-mcgrew-gcm-test-01 §4 (RFC 4106 ESP packets) whose 32-bit sequence
// numbers fit a fresh receive window.
TEST_P(EspSaTest, PublishedGcmEspPacketsDecap) {
  if (!supports(gcm())) GTEST_SKIP() << "no AES-GCM";
  const auto v = load_vectors("esp/draft-mcgrew-gcm-test-01_aes-gcm-esp.txt");
  for (const char* name : {"Case 2", "Case 4", "Case 12"}) {
    SCOPED_TRACE(name);
    const Section& s = v.at(name);
    const Buf key = [&] {
      Buf k = hex(s.at("key"));
      const Buf salt = hex(s.at("salt"));
      k.insert(k.end(), salt.begin(), salt.end());
      return k;
    }();
    const auto spi = load_be32(hex(s.at("spi")).data());
    auto t = provider_->make(EspCipher::aes_gcm16_128, EspAuth::none, key, {}, random_);
    ASSERT_TRUE(t.ok());
    auto in = InboundSa::create(spi, std::move(t).value(), false);
    ASSERT_TRUE(in.ok());
    const Buf plain = hex(s.at("plaintext"));
    const std::size_t pad = plain[plain.size() - 2];
    const Buf expect(plain.begin(), plain.end() - static_cast<std::ptrdiff_t>(pad + 2));
    PacketBuf p = PacketBuf::copy_of(hex(s.at("packet")));
    auto r = in->decap(p);
    ASSERT_TRUE(r.ok()) << errc_name(r.error().code);
    EXPECT_EQ(*r, plain.back());
    EXPECT_EQ(to_buf(p), expect);
    EXPECT_EQ(in->replay_window().top(), load_be32(hex(s.at("packet")).data() + 4));
  }
}

// The same packets built by OutboundSa (the vectors' padding is the minimal
// 1, 2, 3... padding, and the IV is forced through the test hook).
TEST_P(EspSaTest, PublishedGcmEspPacketsEncap) {
  if (!supports(gcm())) GTEST_SKIP() << "no AES-GCM";
  const auto v = load_vectors("esp/draft-mcgrew-gcm-test-01_aes-gcm-esp.txt");
  int checked = 0;
  for (const char* name : {"Case 2", "Case 4", "Case 12"}) {
    SCOPED_TRACE(name);
    const Section& s = v.at(name);
    Buf key = hex(s.at("key"));
    const Buf salt = hex(s.at("salt"));
    key.insert(key.end(), salt.begin(), salt.end());
    const Buf packet = hex(s.at("packet"));
    auto t = provider_->make(EspCipher::aes_gcm16_128, EspAuth::none, key, {}, random_);
    ASSERT_TRUE(t.ok());
    auto* hook = dynamic_cast<crypto::EspIvOverride*>(t->get());
    if (hook == nullptr) GTEST_SKIP() << "provider has no IV hook";
    hook->set_next_iv_for_test(Bytes(packet).subspan(8, 8));
    OutboundSa out(load_be32(packet.data()), std::move(t).value(), false, load_be32(packet.data() + 4) - 1);
    const Buf plain = hex(s.at("plaintext"));
    const std::size_t pad = plain[plain.size() - 2];
    const Buf payload(plain.begin(), plain.end() - static_cast<std::ptrdiff_t>(pad + 2));
    PacketBuf p = PacketBuf::copy_of(payload);
    ASSERT_TRUE(out.encap(p, plain.back()).ok());
    EXPECT_EQ(to_buf(p), packet);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// Seed corpus for tests/fuzz/esp_decap_fuzz.cpp (see its header for the
// input format). Run: L2SEC_WRITE_ESP_CORPUS=tests/fuzz/esp_decap
//   unit_esp_sa_test --gtest_also_run_disabled_tests --gtest_filter='*WriteFuzzCorpus*mbedtls'
TEST_P(EspSaTest, DISABLED_WriteFuzzCorpus) {
  const char* dir = std::getenv("L2SEC_WRITE_ESP_CORPUS");
  if (dir == nullptr) GTEST_SKIP() << "L2SEC_WRITE_ESP_CORPUS not set";
  auto write = [&](const std::string& name, std::uint8_t selector, const Buf& bytes) {
    std::ofstream f(std::string(dir) + "/" + name, std::ios::binary);
    f.put(static_cast<char>(selector));
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  };
  // Keys as in the fuzz target: enc key_of(n, 0x10), auth key_of(n, 0x80); SPI 0x01020304.
  for (std::uint8_t mode : {0, 1}) {
    const Suite& s = mode == 0 ? null_hmac() : gcm();
    for (bool esn : {false, true}) {
      OutboundSa out = outbound(s, esn);
      const std::uint8_t sel = static_cast<std::uint8_t>(mode | (esn ? 4 : 0));
      const std::string base = std::string(mode == 0 ? "null-hmac" : "gcm") + (esn ? "-esn" : "");
      for (std::size_t n : {0, 1, 40, 200}) {
        const Buf pkt =
            to_buf(sealed(out, Buf(n, static_cast<std::uint8_t>(n)), n == 1 ? kNextHeaderDummy : 115));
        write(base + "-valid-" + std::to_string(n), sel, pkt);
        write(base + "-truncated-" + std::to_string(n), sel,
              Buf(pkt.begin(), pkt.begin() + static_cast<std::ptrdiff_t>(pkt.size() / 2)));
      }
      // Raw bodies for the seal-then-decap modes: seq, then payload..NH.
      write(base + "-raw-good", static_cast<std::uint8_t>(sel | 2),
            Buf{0, 0, 0, 7, 'a', 'b', 'c', 'd', 1, 2, 2, 115});
      write(base + "-raw-badpad", static_cast<std::uint8_t>(sel | 2),
            Buf{0, 0, 0, 7, 'a', 'b', 'c', 'd', 1, 3, 9, 115});
    }
  }
}

}  // namespace
}  // namespace l2sec::esp
