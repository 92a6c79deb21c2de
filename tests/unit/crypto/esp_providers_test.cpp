// ESP provider selection (src/crypto/esp_providers.cpp): the automatic
// choice for every algorithm pair, forced choices honoured or refused with
// a message naming the pair and the provider, the fallback to mbedTLS for
// what intel-ipsec-mb lacks, and what describe() says.
#include "crypto/esp_providers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <intel-ipsec-mb.h>
#include <mbedtls/version.h>

#include <string>
#include <vector>

namespace l2sec::crypto {
namespace {

using ::testing::HasSubstr;

// Every enumerator the library knows (names other than "?"), so a cipher or
// integrity algorithm added later is covered without editing this test.
std::vector<EspCipher> all_ciphers() {
  std::vector<EspCipher> out;
  for (int i = 0; i < 16; ++i) {
    if (cipher_name(static_cast<EspCipher>(i)) != "?") out.push_back(static_cast<EspCipher>(i));
  }
  return out;
}
std::vector<EspAuth> all_auths() {
  std::vector<EspAuth> out;
  for (int i = 0; i < 16; ++i) {
    if (auth_name(static_cast<EspAuth>(i)) != "?") out.push_back(static_cast<EspAuth>(i));
  }
  return out;
}

std::string pair(EspCipher c, EspAuth a) {
  return std::string(cipher_name(c)) + " + " + std::string(auth_name(a));
}

TEST(EspProviders, BothProvidersOnThisMachine) {
  EspProviders p;
  EXPECT_EQ(p.mbedtls().name(), "mbedtls");
  // The build machine has AES-NI; intel-ipsec-mb must come up there.
  ASSERT_NE(p.ipsec_mb(), nullptr);
  EXPECT_EQ(p.ipsec_mb()->name(), "intel-ipsec-mb");
  EXPECT_EQ(all_ciphers().size(), 7u);
  EXPECT_GE(all_auths().size(), 3u);
}

TEST(EspProviders, AutomaticAeadGoesToIpsecMb) {
  EspProviders p;
  ASSERT_NE(p.ipsec_mb(), nullptr);
  for (EspCipher c : {EspCipher::aes_gcm16_128, EspCipher::aes_gcm16_256, EspCipher::chacha20_poly1305}) {
    SCOPED_TRACE(cipher_name(c));
    auto r = p.pick(c, EspAuth::none);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, p.ipsec_mb());
    EXPECT_EQ((*r)->name(), "intel-ipsec-mb");
  }
}

TEST(EspProviders, AutomaticCbcAndNullHmacGoToMbedtls) {
  EspProviders p;
  for (EspCipher c : {EspCipher::aes_cbc_128, EspCipher::aes_cbc_256, EspCipher::des3_cbc, EspCipher::null}) {
    for (EspAuth a : {EspAuth::hmac_sha1_96, EspAuth::hmac_sha256_128}) {
      SCOPED_TRACE(pair(c, a));
      auto r = p.pick(c, a);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(*r, &p.mbedtls());
      EXPECT_EQ((*r)->name(), "mbedtls");
    }
  }
  // NULL without integrity (tests only; the SA config refuses it) is mbedTLS too.
  auto r = p.pick(EspCipher::null, EspAuth::none);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, &p.mbedtls());
}

// The rule over every pair: AEAD prefers intel-ipsec-mb, the rest mbedTLS,
// each falling back to the other provider; a pair nobody does is refused.
TEST(EspProviders, AutomaticRuleForEveryPair) {
  EspProviders p;
  const EspProvider* imb = p.ipsec_mb();
  const EspProvider* mbed = &p.mbedtls();
  for (EspCipher c : all_ciphers()) {
    for (EspAuth a : all_auths()) {
      SCOPED_TRACE(pair(c, a));
      const EspProvider* first = is_aead(c) ? imb : mbed;
      const EspProvider* second = is_aead(c) ? mbed : imb;
      const EspProvider* want = nullptr;
      if (first && first->supports(c, a)) {
        want = first;
      } else if (second && second->supports(c, a)) {
        want = second;
      }
      auto r = p.pick(c, a, EspProviderId::automatic);
      if (want) {
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(*r, want);
      } else {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, Errc::unsupported);
        EXPECT_EQ(r.error().what, "esp: no provider supports " + pair(c, a));
      }
    }
  }
}

// AEAD with a separate integrity algorithm is no valid ESP transform.
TEST(EspProviders, InvalidPairsRefusedByEveryChoice) {
  EspProviders p;
  auto r = p.pick(EspCipher::aes_gcm16_128, EspAuth::hmac_sha1_96);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(r.error().what, "esp: no provider supports aes-gcm16-128 + hmac-sha1-96");

  r = p.pick(EspCipher::chacha20_poly1305, EspAuth::hmac_sha256_128, EspProviderId::mbedtls);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what, "esp: provider mbedtls does not support chacha20-poly1305 + hmac-sha256-128");

  r = p.pick(EspCipher::aes_cbc_128, EspAuth::none, EspProviderId::ipsec_mb);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unsupported);
  if (p.ipsec_mb()) {
    EXPECT_EQ(r.error().what, "esp: provider intel-ipsec-mb does not support aes-cbc-128 + none");
  }
}

TEST(EspProviders, ForcedChoiceHonoured) {
  EspProviders p;
  ASSERT_NE(p.ipsec_mb(), nullptr);
  // Against the automatic choice in both directions.
  auto r = p.pick(EspCipher::aes_gcm16_256, EspAuth::none, EspProviderId::mbedtls);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, &p.mbedtls());
  r = p.pick(EspCipher::aes_cbc_128, EspAuth::hmac_sha256_128, EspProviderId::ipsec_mb);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, p.ipsec_mb());

  // Every pair: a forced provider is returned exactly when it supports the
  // pair, otherwise the error names it and the pair.
  for (EspCipher c : all_ciphers()) {
    for (EspAuth a : all_auths()) {
      SCOPED_TRACE(pair(c, a));
      for (auto [id, prov] : {std::pair{EspProviderId::ipsec_mb, p.ipsec_mb()},
                              std::pair{EspProviderId::mbedtls, &p.mbedtls()}}) {
        auto got = p.pick(c, a, id);
        if (prov->supports(c, a)) {
          ASSERT_TRUE(got.ok());
          EXPECT_EQ(*got, prov);
        } else {
          ASSERT_FALSE(got.ok());
          EXPECT_EQ(got.error().code, Errc::unsupported);
          EXPECT_EQ(got.error().what,
                    "esp: provider " + std::string(prov->name()) + " does not support " + pair(c, a));
        }
      }
    }
  }
}

// Whatever intel-ipsec-mb lacks (an algorithm added to mbedTLS only, say)
// falls back to mbedTLS, even for AEAD, and forcing ipsec-mb then fails.
TEST(EspProviders, FallbackForWhatIpsecMbLacks) {
  EspProviders p;
  ASSERT_NE(p.ipsec_mb(), nullptr);
  int lacking = 0;
  for (EspCipher c : all_ciphers()) {
    for (EspAuth a : all_auths()) {
      if (p.ipsec_mb()->supports(c, a) || !p.mbedtls().supports(c, a)) continue;
      SCOPED_TRACE(pair(c, a));
      ++lacking;
      auto r = p.pick(c, a);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(*r, &p.mbedtls());
      EXPECT_FALSE(p.pick(c, a, EspProviderId::ipsec_mb).ok());
    }
  }
  RecordProperty("pairs_ipsec_mb_lacks", lacking);
}

TEST(EspProviders, PickedProviderMakesTheTransform) {
  EspProviders p;
  class Zero final : public Random {
   public:
    void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), 0); }
  } rnd;
  std::vector<std::uint8_t> enc(enc_key_size(EspCipher::aes_gcm16_128), 0x11);
  auto prov = p.pick(EspCipher::aes_gcm16_128, EspAuth::none);
  ASSERT_TRUE(prov.ok());
  auto t = (*prov)->make(EspCipher::aes_gcm16_128, EspAuth::none, enc, {}, rnd);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->icv_size(), 16u);
  EXPECT_EQ((*t)->iv_size(), 8u);
}

TEST(EspProviders, Describe) {
  EspProviders p;
  const std::string mbed = std::string("mbedtls ") + MBEDTLS_VERSION_STRING;
  if (p.ipsec_mb()) {
    EXPECT_EQ(p.describe(), std::string("intel-ipsec-mb ") + imb_get_version_str() + ", " + mbed);
    EXPECT_THAT(p.describe(), HasSubstr(IMB_VERSION_STR));
  } else {
    EXPECT_THAT(p.describe(), ::testing::StartsWith(mbed + " (intel-ipsec-mb unavailable: "));
  }
}

TEST(EspProviders, Movable) {
  EspProviders a;
  const EspProvider* mbed = &a.mbedtls();
  const EspProvider* imb = a.ipsec_mb();
  EspProviders b(std::move(a));
  EXPECT_EQ(&b.mbedtls(), mbed);
  EXPECT_EQ(b.ipsec_mb(), imb);
  EspProviders c;
  c = std::move(b);
  EXPECT_EQ(&c.mbedtls(), mbed);
  auto r = c.pick(EspCipher::aes_cbc_256, EspAuth::hmac_sha1_96);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, mbed);
}

}  // namespace
}  // namespace l2sec::crypto
