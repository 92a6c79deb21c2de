// mbedTLS ESP provider: every cipher and integrity algorithm of
// esp_transform.hpp, as the portable fallback next to intel-ipsec-mb.
//
// All mbedTLS contexts are keyed once at construction (mbedtls_md_setup is
// the only allocation); seal()/open() then work in place on the caller's
// buffers with no heap allocation. Key material lives only inside the
// mbedTLS contexts (their *_free() wipe it with mbedtls_platform_zeroize)
// and in the salt, which the destructor wipes. The transform keeps a
// reference to the Random given to make(): it must outlive the transform.
//
//   CBC (RFC 3602, RFC 2451) + HMAC (RFC 2404, RFC 4868, legacy RFC 2403), encrypt-then-MAC
//   (RFC 4303 §3.3.2): ICV = trunc(HMAC(header || iv || ciphertext [|| seq_hi])).
//   AES-GCM (RFC 4106 §4-5) / ChaCha20-Poly1305 (RFC 7634 §2-3):
//     nonce = salt(4) || IV(8), AAD = SPI || [seq_hi ||] seq_lo, ICV = 16-octet tag.
#include <mbedtls/aes.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/des.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include <array>
#include <cstring>

#include "crypto/esp_test_hooks.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/md5.hpp"

namespace l2sec::crypto {
namespace {

constexpr std::size_t kHeaderSize = 8;  // SPI || Seq lo
constexpr std::size_t kSaltSize = 4;
constexpr std::size_t kAeadIvSize = 8;
constexpr std::size_t kAeadTagSize = 16;
constexpr std::size_t kMaxIv = 16;

bool combination_valid(EspCipher c, EspAuth a) {
  if (is_aead(c)) return a == EspAuth::none;
  if (c == EspCipher::null) return true;
  return a != EspAuth::none;
}

mbedtls_md_type_t md_type(EspAuth a) {
  switch (a) {
    case EspAuth::hmac_sha1_96:
      return MBEDTLS_MD_SHA1;
    case EspAuth::hmac_sha256_128:
      return MBEDTLS_MD_SHA256;
    case EspAuth::hmac_md5_96:
      return MBEDTLS_MD_MD5;
    case EspAuth::none:
      break;
  }
  return MBEDTLS_MD_NONE;
}

class MbedEspTransform final : public EspTransform, public EspIvOverride {
 public:
  MbedEspTransform(EspCipher c, EspAuth a, Random& random) : cipher_(c), auth_(a), random_(random) {
    mbedtls_aes_init(&aes_enc_);
    mbedtls_aes_init(&aes_dec_);
    mbedtls_gcm_init(&gcm_);
    mbedtls_chachapoly_init(&chachapoly_);
    mbedtls_des3_init(&des3_enc_);
    mbedtls_des3_init(&des3_dec_);
    mbedtls_md_init(&md_);
  }
  ~MbedEspTransform() override {
    mbedtls_aes_free(&aes_enc_);
    mbedtls_aes_free(&aes_dec_);
    mbedtls_gcm_free(&gcm_);
    mbedtls_chachapoly_free(&chachapoly_);
    mbedtls_des3_free(&des3_enc_);
    mbedtls_des3_free(&des3_dec_);
    mbedtls_md_free(&md_);
    mbedtls_platform_zeroize(salt_.data(), salt_.size());
    mbedtls_platform_zeroize(forced_iv_.data(), forced_iv_.size());
  }
  MbedEspTransform(const MbedEspTransform&) = delete;
  MbedEspTransform& operator=(const MbedEspTransform&) = delete;

  // Keys the contexts; false if mbedTLS refuses.
  bool init(Bytes enc_key, Bytes auth_key) {
    const auto* k = enc_key.data();
    switch (cipher_) {
      case EspCipher::null:
        break;
      case EspCipher::aes_cbc_128:
      case EspCipher::aes_cbc_256: {
        const auto bits = static_cast<unsigned>(enc_key.size() * 8);
        if (mbedtls_aes_setkey_enc(&aes_enc_, k, bits) != 0) return false;
        if (mbedtls_aes_setkey_dec(&aes_dec_, k, bits) != 0) return false;
        break;
      }
      case EspCipher::aes_gcm16_128:
      case EspCipher::aes_gcm16_256: {
        const std::size_t klen = enc_key.size() - kSaltSize;
        if (mbedtls_gcm_setkey(&gcm_, MBEDTLS_CIPHER_ID_AES, k, static_cast<unsigned>(klen * 8)) != 0)
          return false;
        std::memcpy(salt_.data(), k + klen, kSaltSize);
        break;
      }
      case EspCipher::chacha20_poly1305: {
        if (mbedtls_chachapoly_setkey(&chachapoly_, k) != 0) return false;
        std::memcpy(salt_.data(), k + 32, kSaltSize);
        break;
      }
      case EspCipher::des3_cbc:
        if (mbedtls_des3_set3key_enc(&des3_enc_, k) != 0) return false;
        if (mbedtls_des3_set3key_dec(&des3_dec_, k) != 0) return false;
        break;
    }
    if (auth_ != EspAuth::none) {
      const mbedtls_md_info_t* info = mbedtls_md_info_from_type(md_type(auth_));
      if (info == nullptr || mbedtls_md_setup(&md_, info, 1) != 0) return false;
      if (mbedtls_md_hmac_starts(&md_, auth_key.data(), auth_key.size()) != 0) return false;
    }
    return true;
  }

  std::size_t iv_size() const override {
    switch (cipher_) {
      case EspCipher::null:
        return 0;
      case EspCipher::aes_cbc_128:
      case EspCipher::aes_cbc_256:
        return 16;
      case EspCipher::des3_cbc:
        return 8;
      default:
        return kAeadIvSize;
    }
  }
  std::size_t block_size() const override {
    switch (cipher_) {
      case EspCipher::aes_cbc_128:
      case EspCipher::aes_cbc_256:
        return 16;
      case EspCipher::des3_cbc:
        return 8;
      default:
        return 4;
    }
  }
  std::size_t icv_size() const override {
    if (is_aead(cipher_)) return kAeadTagSize;
    switch (auth_) {
      case EspAuth::none:
        return 0;
      case EspAuth::hmac_sha1_96:
      case EspAuth::hmac_md5_96:
        return 12;
      case EspAuth::hmac_sha256_128:
        return 16;
    }
    return 0;
  }

  void set_next_iv_for_test(Bytes iv) override {
    if (iv.size() != iv_size()) return;
    std::memcpy(forced_iv_.data(), iv.data(), iv.size());
    iv_forced_ = true;
  }

  Result<void> seal(const EspPacketView& p) override {
    if (!layout_ok(p)) return Error{Errc::out_of_range, "ESP packet layout does not match the transform"};
    write_iv(p);
    if (is_aead(cipher_)) {
      if (!aead(p, true, p.icv)) return Error{Errc::invalid_state, "AEAD encryption failed"};
      return ok();
    }
    if (!cbc(p, true)) return Error{Errc::invalid_state, "CBC encryption failed"};
    if (auth_ != EspAuth::none) {
      std::array<std::uint8_t, MBEDTLS_MD_MAX_SIZE> mac;
      if (!hmac(p, mac)) return Error{Errc::invalid_state, "HMAC failed"};
      std::memcpy(p.icv.data(), mac.data(), p.icv.size());
    }
    return ok();
  }

  Result<void> open(const EspPacketView& p) override {
    if (!layout_ok(p)) return Error{Errc::malformed, "ESP packet layout does not match the transform"};
    if (is_aead(cipher_)) {
      std::array<std::uint8_t, kAeadTagSize> tag;
      if (!aead(p, false, tag)) return Error{Errc::auth_failed, "AEAD decryption failed"};
      if (!equal_ct(tag, p.icv)) return Error{Errc::auth_failed, "ESP ICV mismatch"};
      return ok();
    }
    if (auth_ != EspAuth::none) {
      std::array<std::uint8_t, MBEDTLS_MD_MAX_SIZE> mac;
      if (!hmac(p, mac)) return Error{Errc::auth_failed, "HMAC failed"};
      if (!equal_ct(Bytes(mac.data(), p.icv.size()), p.icv))
        return Error{Errc::auth_failed, "ESP ICV mismatch"};
    }
    if (!cbc(p, false)) return Error{Errc::malformed, "CBC decryption failed"};
    return ok();
  }

 private:
  bool layout_ok(const EspPacketView& p) const {
    return p.header.size() == kHeaderSize && p.iv.size() == iv_size() && p.icv.size() == icv_size() &&
           p.payload.size() % block_size() == 0;
  }

  void write_iv(const EspPacketView& p) {
    if (iv_forced_) {
      std::memcpy(p.iv.data(), forced_iv_.data(), p.iv.size());
      iv_forced_ = false;
      return;
    }
    if (is_aead(cipher_)) {
      // RFC 4106 §3.1 / RFC 7634 §2: the 64-bit sequence number is a
      // counter that never repeats under one key.
      store_be32(p.iv.data(), p.esn ? p.seq_hi : 0);
      std::memcpy(p.iv.data() + 4, p.header.data() + 4, 4);
      return;
    }
    if (!p.iv.empty()) random_.fill(p.iv);  // RFC 3602 §2.1: unpredictable IV
  }

  // AAD = SPI || [Seq hi ||] Seq lo (RFC 4106 §5, RFC 7634 §2.1).
  static std::size_t make_aad(const EspPacketView& p, std::array<std::uint8_t, 12>& aad) {
    std::memcpy(aad.data(), p.header.data(), 4);
    if (!p.esn) {
      std::memcpy(aad.data() + 4, p.header.data() + 4, 4);
      return 8;
    }
    store_be32(aad.data() + 4, p.seq_hi);
    std::memcpy(aad.data() + 8, p.header.data() + 4, 4);
    return 12;
  }

  bool aead(const EspPacketView& p, bool encrypt, MutBytes tag) {
    std::array<std::uint8_t, kSaltSize + kAeadIvSize> nonce;
    std::memcpy(nonce.data(), salt_.data(), kSaltSize);
    std::memcpy(nonce.data() + kSaltSize, p.iv.data(), kAeadIvSize);
    std::array<std::uint8_t, 12> aad;
    const std::size_t aad_len = make_aad(p, aad);
    std::uint8_t* data = p.payload.data();
    const std::size_t n = p.payload.size();
    if (cipher_ == EspCipher::chacha20_poly1305) {
      const auto mode = encrypt ? MBEDTLS_CHACHAPOLY_ENCRYPT : MBEDTLS_CHACHAPOLY_DECRYPT;
      return mbedtls_chachapoly_starts(&chachapoly_, nonce.data(), mode) == 0 &&
             mbedtls_chachapoly_update_aad(&chachapoly_, aad.data(), aad_len) == 0 &&
             mbedtls_chachapoly_update(&chachapoly_, n, data, data) == 0 &&
             mbedtls_chachapoly_finish(&chachapoly_, tag.data()) == 0;
    }
    const int mode = encrypt ? MBEDTLS_GCM_ENCRYPT : MBEDTLS_GCM_DECRYPT;
    return mbedtls_gcm_crypt_and_tag(&gcm_, mode, n, nonce.data(), nonce.size(), aad.data(), aad_len, data,
                                     data, tag.size(), tag.data()) == 0;
  }

  bool cbc(const EspPacketView& p, bool encrypt) {
    if (cipher_ == EspCipher::null || p.payload.empty()) return true;
    std::array<std::uint8_t, kMaxIv> iv;  // mbedTLS advances the IV in place
    std::memcpy(iv.data(), p.iv.data(), p.iv.size());
    std::uint8_t* data = p.payload.data();
    const std::size_t n = p.payload.size();
    if (cipher_ == EspCipher::des3_cbc) {
      return encrypt ? mbedtls_des3_crypt_cbc(&des3_enc_, MBEDTLS_DES_ENCRYPT, n, iv.data(), data, data) == 0
                     : mbedtls_des3_crypt_cbc(&des3_dec_, MBEDTLS_DES_DECRYPT, n, iv.data(), data, data) == 0;
    }
    return encrypt ? mbedtls_aes_crypt_cbc(&aes_enc_, MBEDTLS_AES_ENCRYPT, n, iv.data(), data, data) == 0
                   : mbedtls_aes_crypt_cbc(&aes_dec_, MBEDTLS_AES_DECRYPT, n, iv.data(), data, data) == 0;
  }

  // RFC 4303 §2.2.1 / §3.3.2.1: ICV over header || iv || payload, then
  // Seq hi when ESN is in use.
  bool hmac(const EspPacketView& p, std::array<std::uint8_t, MBEDTLS_MD_MAX_SIZE>& mac) {
    if (mbedtls_md_hmac_reset(&md_) != 0) return false;
    if (mbedtls_md_hmac_update(&md_, p.header.data(), p.header.size()) != 0) return false;
    if (!p.iv.empty() && mbedtls_md_hmac_update(&md_, p.iv.data(), p.iv.size()) != 0) return false;
    if (!p.payload.empty() && mbedtls_md_hmac_update(&md_, p.payload.data(), p.payload.size()) != 0)
      return false;
    if (p.esn) {
      std::array<std::uint8_t, 4> hi;
      store_be32(hi.data(), p.seq_hi);
      if (mbedtls_md_hmac_update(&md_, hi.data(), hi.size()) != 0) return false;
    }
    return mbedtls_md_hmac_finish(&md_, mac.data()) == 0;
  }

  EspCipher cipher_;
  EspAuth auth_;
  Random& random_;
  mbedtls_aes_context aes_enc_;
  mbedtls_aes_context aes_dec_;
  mbedtls_gcm_context gcm_;
  mbedtls_chachapoly_context chachapoly_;
  mbedtls_des3_context des3_enc_;
  mbedtls_des3_context des3_dec_;
  mbedtls_md_context_t md_;
  std::array<std::uint8_t, kSaltSize> salt_{};
  std::array<std::uint8_t, kMaxIv> forced_iv_{};
  bool iv_forced_ = false;
};

class MbedEspProvider final : public EspProvider {
 public:
  std::string_view name() const override { return "mbedtls"; }
  bool supports(EspCipher c, EspAuth a) const override { return combination_valid(c, a); }
  Result<std::unique_ptr<EspTransform>> make(EspCipher c, EspAuth a, Bytes enc_key, Bytes auth_key,
                                             Random& random) const override {
    if (!combination_valid(c, a))
      return Error{Errc::unsupported, "ESP cipher/integrity combination not allowed"};
    if (enc_key.size() != enc_key_size(c)) return Error{Errc::out_of_range, "ESP encryption key length"};
    if (auth_key.size() != auth_key_size(a)) return Error{Errc::out_of_range, "ESP integrity key length"};
    auto t = std::make_unique<MbedEspTransform>(c, a, random);
    if (!t->init(enc_key, auth_key)) return Error{Errc::unsupported, "mbedTLS refused the ESP key"};
    return std::unique_ptr<EspTransform>(std::move(t));
  }
};

}  // namespace

std::unique_ptr<EspProvider> make_mbedtls_provider() { return std::make_unique<MbedEspProvider>(); }

}  // namespace l2sec::crypto
