// ESP transforms (esp_transform.hpp): seal + open, ns per packet, for 64,
// 512 and 1400-octet payloads (rounded down to the cipher block), per
// cipher and provider, next to the raw mbedTLS primitive doing the same
// crypto (encrypt + MAC, decrypt + MAC) on the same buffer, so the cost of
// the transform layer itself shows. Only pairs a provider supports are
// registered (intel-ipsec-mb is skipped entirely when unavailable).
#include <benchmark/benchmark.h>
#include <mbedtls/aes.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/des.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"

namespace l2sec::crypto {
namespace {

struct Combo {
  EspCipher cipher;
  EspAuth auth;
};
constexpr Combo kCombos[] = {
    {EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96}, {EspCipher::aes_cbc_256, EspAuth::hmac_sha256_128},
    {EspCipher::aes_gcm16_128, EspAuth::none},       {EspCipher::aes_gcm16_256, EspAuth::none},
    {EspCipher::chacha20_poly1305, EspAuth::none},   {EspCipher::des3_cbc, EspAuth::hmac_sha1_96},
    {EspCipher::null, EspAuth::hmac_sha256_128},
};
constexpr std::size_t kSizes[] = {64, 512, 1400};

std::vector<std::uint8_t> key_of(std::size_t n) {
  std::vector<std::uint8_t> k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(i * 13 + 1);
  return k;
}

void bm_transform(benchmark::State& state, std::shared_ptr<EspProvider> provider, Combo c, std::size_t size) {
  SeededRandom random(1);
  auto t =
      provider->make(c.cipher, c.auth, key_of(enc_key_size(c.cipher)), key_of(auth_key_size(c.auth)), random);
  if (!t.ok()) {
    state.SkipWithError("make failed");
    return;
  }
  EspTransform& x = **t;
  const std::size_t n = size / x.block_size() * x.block_size();
  std::vector<std::uint8_t> buf(8 + x.iv_size() + n + x.icv_size(), 0x5a);
  MutBytes all(buf);
  EspPacketView v{all.subspan(0, 8), all.subspan(8, x.iv_size()), all.subspan(8 + x.iv_size(), n),
                  all.subspan(8 + x.iv_size() + n, x.icv_size())};
  std::uint32_t seq = 0;
  for (auto _ : state) {
    store_be32(buf.data() + 4, ++seq);
    if (!x.seal(v).ok() || !x.open(v).ok()) {
      state.SkipWithError("seal/open failed");
      break;
    }
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

// The same crypto straight on mbedTLS: encrypt + MAC, then MAC + decrypt.
void bm_raw_mbedtls(benchmark::State& state, Combo c, std::size_t size) {
  const auto ek = key_of(enc_key_size(c.cipher));
  const auto ak = key_of(auth_key_size(c.auth));
  const std::size_t bs = c.cipher == EspCipher::des3_cbc                                              ? 8
                         : (c.cipher == EspCipher::aes_cbc_128 || c.cipher == EspCipher::aes_cbc_256) ? 16
                                                                                                      : 4;
  const std::size_t n = size / bs * bs;
  std::vector<std::uint8_t> buf(n, 0x5a);
  std::array<std::uint8_t, 16> iv{}, iv_work{}, tag{};
  std::array<std::uint8_t, 12> nonce{};
  std::array<std::uint8_t, 8> aad{};
  std::array<std::uint8_t, MBEDTLS_MD_MAX_SIZE> mac{};
  mbedtls_aes_context ae, ad;
  mbedtls_gcm_context gcm;
  mbedtls_chachapoly_context cp;
  mbedtls_des3_context de, dd;
  mbedtls_md_context_t md;
  mbedtls_aes_init(&ae);
  mbedtls_aes_init(&ad);
  mbedtls_gcm_init(&gcm);
  mbedtls_chachapoly_init(&cp);
  mbedtls_des3_init(&de);
  mbedtls_des3_init(&dd);
  mbedtls_md_init(&md);
  switch (c.cipher) {
    case EspCipher::aes_cbc_128:
    case EspCipher::aes_cbc_256:
      mbedtls_aes_setkey_enc(&ae, ek.data(), static_cast<unsigned>(ek.size() * 8));
      mbedtls_aes_setkey_dec(&ad, ek.data(), static_cast<unsigned>(ek.size() * 8));
      break;
    case EspCipher::aes_gcm16_128:
    case EspCipher::aes_gcm16_256:
      mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, ek.data(), static_cast<unsigned>((ek.size() - 4) * 8));
      break;
    case EspCipher::chacha20_poly1305:
      mbedtls_chachapoly_setkey(&cp, ek.data());
      break;
    case EspCipher::des3_cbc:
      mbedtls_des3_set3key_enc(&de, ek.data());
      mbedtls_des3_set3key_dec(&dd, ek.data());
      break;
    case EspCipher::null:
      break;
  }
  if (c.auth != EspAuth::none) {
    mbedtls_md_setup(
        &md, mbedtls_md_info_from_type(c.auth == EspAuth::hmac_sha1_96 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256),
        1);
    mbedtls_md_hmac_starts(&md, ak.data(), ak.size());
  }
  auto do_mac = [&] {
    if (c.auth == EspAuth::none) return;
    mbedtls_md_hmac_reset(&md);
    mbedtls_md_hmac_update(&md, buf.data(), buf.size());
    mbedtls_md_hmac_finish(&md, mac.data());
  };
  for (auto _ : state) {
    switch (c.cipher) {
      case EspCipher::aes_cbc_128:
      case EspCipher::aes_cbc_256:
        iv_work = iv;
        mbedtls_aes_crypt_cbc(&ae, MBEDTLS_AES_ENCRYPT, n, iv_work.data(), buf.data(), buf.data());
        do_mac();
        do_mac();
        iv_work = iv;
        mbedtls_aes_crypt_cbc(&ad, MBEDTLS_AES_DECRYPT, n, iv_work.data(), buf.data(), buf.data());
        break;
      case EspCipher::des3_cbc:
        iv_work = iv;
        mbedtls_des3_crypt_cbc(&de, MBEDTLS_DES_ENCRYPT, n, iv_work.data(), buf.data(), buf.data());
        do_mac();
        do_mac();
        iv_work = iv;
        mbedtls_des3_crypt_cbc(&dd, MBEDTLS_DES_DECRYPT, n, iv_work.data(), buf.data(), buf.data());
        break;
      case EspCipher::aes_gcm16_128:
      case EspCipher::aes_gcm16_256:
        mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, n, nonce.data(), nonce.size(), aad.data(),
                                  aad.size(), buf.data(), buf.data(), tag.size(), tag.data());
        mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_DECRYPT, n, nonce.data(), nonce.size(), aad.data(),
                                  aad.size(), buf.data(), buf.data(), tag.size(), tag.data());
        break;
      case EspCipher::chacha20_poly1305:
        mbedtls_chachapoly_encrypt_and_tag(&cp, n, nonce.data(), aad.data(), aad.size(), buf.data(),
                                           buf.data(), tag.data());
        mbedtls_chachapoly_auth_decrypt(&cp, n, nonce.data(), aad.data(), aad.size(), tag.data(), buf.data(),
                                        buf.data());
        break;
      case EspCipher::null:
        do_mac();
        do_mac();
        break;
    }
    benchmark::DoNotOptimize(buf.data());
    benchmark::DoNotOptimize(mac.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
  mbedtls_aes_free(&ae);
  mbedtls_aes_free(&ad);
  mbedtls_gcm_free(&gcm);
  mbedtls_chachapoly_free(&cp);
  mbedtls_des3_free(&de);
  mbedtls_des3_free(&dd);
  mbedtls_md_free(&md);
}

std::string label(Combo c) {
  return std::string(cipher_name(c.cipher)) + "+" + std::string(auth_name(c.auth));
}

const bool registered = [] {
  std::vector<std::shared_ptr<EspProvider>> providers;
  providers.emplace_back(make_mbedtls_provider());
  if (auto p = make_ipsecmb_provider()) providers.emplace_back(std::move(p));
  for (Combo c : kCombos) {
    for (std::size_t s : kSizes) {
      const std::string tail = "/" + label(c) + "/" + std::to_string(s);
      benchmark::RegisterBenchmark(("EspSealOpen/raw-mbedtls" + tail).c_str(), bm_raw_mbedtls, c, s);
      for (const auto& p : providers) {
        if (!p->supports(c.cipher, c.auth)) continue;
        benchmark::RegisterBenchmark(("EspSealOpen/" + std::string(p->name()) + tail).c_str(), bm_transform,
                                     p, c, s);
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace l2sec::crypto
