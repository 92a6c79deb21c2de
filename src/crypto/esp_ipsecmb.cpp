// ESP transforms backed by intel-ipsec-mb (the data-path provider).
//
// Algorithms (all sizes from the RFCs named in esp_transform.hpp):
//   AES-GCM-16 (RFC 4106)          direct API: IMB_AES{128,256}_GCM_{ENC,DEC}
//   ChaCha20-Poly1305 (RFC 7634)   job API: IMB_CIPHER_CHACHA20_POLY1305
//   AES-CBC / 3DES-CBC / NULL with HMAC-SHA1-96, HMAC-SHA256-128 or (legacy)
//   HMAC-MD5-96                    job API, cipher then hash (RFC 4303 §3.3.2)
//   NULL with no integrity         nothing to compute (tests only)
//
// One IMB_MGR per provider, shared (by shared_ptr) with the transforms it
// makes: a provider and its transforms must be used from one thread. Each
// seal/open submits one job and flushes it, so the manager's queue is empty
// between calls. No heap allocation per packet.
//
// ESN with encrypt-then-MAC (RFC 4303 §2.2.1, §3.3.2.1): the ICV covers
// header..payload || Seq hi. The job API hashes one contiguous region, so
// Seq hi is written temporarily into the first 4 octets of the ICV field
// (which follows the payload in the packet) and the hash runs over
// header..payload+4; the tag goes to a scratch buffer and then into the ICV
// field (seal) or is compared with the saved received ICV (open).
#include <intel-ipsec-mb.h>

#include <array>
#include <cstring>

#include "crypto/esp_test_hooks.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/md5.hpp"

namespace l2sec::crypto {
namespace {

constexpr std::size_t kHeaderSize = 8;  // SPI || Seq lo
constexpr std::size_t kAeadIvSize = 8;  // RFC 4106 §3.1, RFC 7634 §2
constexpr std::size_t kAeadIcvSize = 16;
constexpr std::size_t kSaltSize = 4;
constexpr std::size_t kMaxIcv = 16;

// The manager, shared by the provider and every transform it made.
struct Mgr {
  IMB_MGR* m = nullptr;
  Mgr() = default;
  Mgr(const Mgr&) = delete;
  Mgr& operator=(const Mgr&) = delete;
  ~Mgr() {
    if (m != nullptr) free_mb_mgr(m);
  }
};
using MgrPtr = std::shared_ptr<Mgr>;

constexpr Error kBadLayoutSeal{Errc::out_of_range, "esp: packet layout does not match the transform"};
constexpr Error kBadLayoutOpen{Errc::malformed, "esp: packet layout does not match the transform"};
constexpr Error kAuthFailed{Errc::auth_failed, "esp: ICV mismatch"};
constexpr Error kLibFailed{Errc::invalid_state, "esp: intel-ipsec-mb job failed"};

bool adjacent(Bytes a, Bytes b) noexcept { return a.data() + a.size() == b.data(); }

// Checks the sizes every transform needs; `contiguous` also requires
// header, iv and payload to follow each other (job API: one buffer), and
// the ICV to follow the payload when `icv_follows`.
bool layout_ok(const EspPacketView& p, std::size_t iv, std::size_t block, std::size_t icv, bool contiguous,
               bool icv_follows) noexcept {
  if (p.header.size() != kHeaderSize || p.iv.size() != iv || p.icv.size() != icv) return false;
  if (p.payload.empty() || p.payload.size() % block != 0) return false;
  if (contiguous) {
    if (!adjacent(p.header, p.iv) || !adjacent(p.iv, p.payload)) return false;
    if (icv_follows && !adjacent(p.payload, p.icv)) return false;
  }
  return true;
}

// Submits the job just filled in and waits for it (flush): the queue holds
// only this job, so what comes back is this job.
bool run_job(IMB_MGR* m, IMB_JOB* job) noexcept {
  IMB_JOB* done = IMB_SUBMIT_JOB(m);
  while (done == nullptr) {
    done = IMB_FLUSH_JOB(m);
    if (done == nullptr) return false;
  }
  return done == job && done->status == IMB_STATUS_COMPLETED;
}

// Base: IV override for tests (esp_test_hooks.hpp).
class ImbTransform : public EspTransform, public EspIvOverride {
 public:
  void set_next_iv_for_test(Bytes iv) override {
    forced_len_ = std::min(iv.size(), forced_iv_.size());
    std::memcpy(forced_iv_.data(), iv.data(), forced_len_);
    forced_ = true;
  }

 protected:
  // Writes the forced IV if one is pending; returns false otherwise.
  bool take_forced_iv(MutBytes iv) noexcept {
    if (!forced_) return false;
    forced_ = false;
    std::memcpy(iv.data(), forced_iv_.data(), std::min(iv.size(), forced_len_));
    return true;
  }

 private:
  std::array<std::uint8_t, 16> forced_iv_{};
  std::size_t forced_len_ = 0;
  bool forced_ = false;
};

// The 8-octet AEAD IV (RFC 4106 §3.1 / RFC 7634 §2): the 64-bit sequence
// number, big-endian. Without ESN the sequence number is 32 bits.
void write_seq_iv(const EspPacketView& p) noexcept {
  store_be32(p.iv.data(), p.esn ? p.seq_hi : 0);
  std::memcpy(p.iv.data() + 4, p.header.data() + 4, 4);
}

// AAD (RFC 4106 §5, RFC 7634 §2.1): SPI || [Seq hi ||] Seq lo.
std::size_t make_aad(const EspPacketView& p, std::uint8_t (&aad)[12]) noexcept {
  std::memcpy(aad, p.header.data(), 4);
  if (p.esn) {
    store_be32(aad + 4, p.seq_hi);
    std::memcpy(aad + 8, p.header.data() + 4, 4);
    return 12;
  }
  std::memcpy(aad + 4, p.header.data() + 4, 4);
  return 8;
}

// ---- AEAD: AES-GCM-16 (RFC 4106) and ChaCha20-Poly1305 (RFC 7634) -------

// What both AEAD transforms share: sizes, the salt, the nonce (salt || IV),
// the IV choice on seal and the constant-time tag check on open. A subclass
// supplies only the library call.
class AeadTransform : public ImbTransform {
 public:
  ~AeadTransform() override { imb_clear_mem(salt_, sizeof salt_); }

  std::size_t iv_size() const override { return kAeadIvSize; }
  std::size_t block_size() const override { return 4; }
  std::size_t icv_size() const override { return kAeadIcvSize; }

  Result<void> seal(const EspPacketView& p) override {
    if (!layout_ok(p, kAeadIvSize, 4, kAeadIcvSize, false, false)) return kBadLayoutSeal;
    if (!take_forced_iv(p.iv)) write_seq_iv(p);
    if (!crypt(p, true, p.icv.data())) return kLibFailed;
    return ok();
  }

  Result<void> open(const EspPacketView& p) override {
    if (!layout_ok(p, kAeadIvSize, 4, kAeadIcvSize, false, false)) return kBadLayoutOpen;
    std::uint8_t tag[kAeadIcvSize];
    if (!crypt(p, false, tag)) return kLibFailed;
    if (!equal_ct(tag, Bytes(p.icv))) return kAuthFailed;
    return ok();
  }

 protected:
  explicit AeadTransform(Bytes salt) { std::memcpy(salt_, salt.data(), kSaltSize); }

  // Encrypts (or decrypts) p.payload in place; writes the computed tag.
  virtual bool crypt(const EspPacketView& p, bool encrypt, std::uint8_t* tag) = 0;

  // RFC 4106 §4 / RFC 7634 §2: nonce = salt || IV.
  void make_nonce(const EspPacketView& p, std::uint8_t (&nonce)[12]) const noexcept {
    std::memcpy(nonce, salt_, kSaltSize);
    std::memcpy(nonce + kSaltSize, p.iv.data(), kAeadIvSize);
  }

 private:
  std::uint8_t salt_[kSaltSize];
};

class GcmTransform final : public AeadTransform {
 public:
  GcmTransform(MgrPtr mgr, bool aes256, Bytes enc_key)
      : AeadTransform(enc_key.last(kSaltSize)), mgr_(std::move(mgr)), aes256_(aes256) {
    if (aes256_) {
      IMB_AES256_GCM_PRE(mgr_->m, enc_key.data(), &key_);
    } else {
      IMB_AES128_GCM_PRE(mgr_->m, enc_key.data(), &key_);
    }
  }
  ~GcmTransform() override { imb_clear_mem(&key_, sizeof key_); }

 private:
  bool crypt(const EspPacketView& p, bool encrypt, std::uint8_t* tag) override {
    std::uint8_t nonce[12];
    std::uint8_t aad[12];
    const std::size_t aad_len = make_aad(p, aad);
    make_nonce(p, nonce);
    gcm_context_data ctx;
    std::uint8_t* d = p.payload.data();
    const std::size_t n = p.payload.size();
    if (aes256_ && encrypt) {
      IMB_AES256_GCM_ENC(mgr_->m, &key_, &ctx, d, d, n, nonce, aad, aad_len, tag, kAeadIcvSize);
    } else if (aes256_) {
      IMB_AES256_GCM_DEC(mgr_->m, &key_, &ctx, d, d, n, nonce, aad, aad_len, tag, kAeadIcvSize);
    } else if (encrypt) {
      IMB_AES128_GCM_ENC(mgr_->m, &key_, &ctx, d, d, n, nonce, aad, aad_len, tag, kAeadIcvSize);
    } else {
      IMB_AES128_GCM_DEC(mgr_->m, &key_, &ctx, d, d, n, nonce, aad, aad_len, tag, kAeadIcvSize);
    }
    return true;
  }

  MgrPtr mgr_;
  bool aes256_;
  alignas(64) gcm_key_data key_;
};

class ChachaTransform final : public AeadTransform {
 public:
  ChachaTransform(MgrPtr mgr, Bytes enc_key) : AeadTransform(enc_key.last(kSaltSize)), mgr_(std::move(mgr)) {
    std::memcpy(key_, enc_key.data(), 32);
  }
  ~ChachaTransform() override { imb_clear_mem(key_, sizeof key_); }

 private:
  bool crypt(const EspPacketView& p, bool encrypt, std::uint8_t* tag) override {
    const IMB_CIPHER_DIRECTION dir = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    std::uint8_t nonce[12];
    make_nonce(p, nonce);
    std::uint8_t aad[12];
    const std::size_t aad_len = make_aad(p, aad);
    IMB_MGR* m = mgr_->m;
    IMB_JOB* job = IMB_GET_NEXT_JOB(m);
    *job = IMB_JOB{};
    job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
    job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
    job->cipher_direction = dir;
    job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    job->enc_keys = key_;
    job->dec_keys = key_;
    job->key_len_in_bytes = 32;
    job->src = p.payload.data();
    job->dst = p.payload.data();
    job->cipher_start_src_offset_in_bytes = 0;
    job->msg_len_to_cipher_in_bytes = p.payload.size();
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = p.payload.size();
    job->iv = nonce;
    job->iv_len_in_bytes = sizeof nonce;
    job->u.CHACHA20_POLY1305.aad = aad;
    job->u.CHACHA20_POLY1305.aad_len_in_bytes = aad_len;
    job->auth_tag_output = tag;
    job->auth_tag_output_len_in_bytes = kAeadIcvSize;
    return run_job(m, job);
  }

  MgrPtr mgr_;
  alignas(16) std::uint8_t key_[32];
};

// ---- CBC (AES, 3DES) or NULL, with HMAC ----------------------------------

class CbcHmacTransform final : public ImbTransform {
 public:
  CbcHmacTransform(MgrPtr mgr, EspCipher c, EspAuth a, Bytes enc_key, Bytes auth_key, Random& random)
      : mgr_(std::move(mgr)), auth_(a), random_(&random) {
    IMB_MGR* m = mgr_->m;
    switch (c) {
      case EspCipher::aes_cbc_128:
        IMB_AES_KEYEXP_128(m, enc_key.data(), enc_exp_, dec_exp_);
        mode_ = IMB_CIPHER_CBC;
        key_len_ = 16;
        iv_size_ = block_ = 16;
        break;
      case EspCipher::aes_cbc_256:
        IMB_AES_KEYEXP_256(m, enc_key.data(), enc_exp_, dec_exp_);
        mode_ = IMB_CIPHER_CBC;
        key_len_ = 32;
        iv_size_ = block_ = 16;
        break;
      case EspCipher::des3_cbc:
        for (std::size_t i = 0; i < 3; ++i) {
          IMB_DES_KEYSCHED(m, des_ks_[i], enc_key.data() + 8 * i);
          des_ptrs_[i] = des_ks_[i];
        }
        mode_ = IMB_CIPHER_DES3;
        key_len_ = 24;
        iv_size_ = block_ = 8;
        break;
      default:  // NULL (RFC 2410): no IV, 4-octet alignment
        mode_ = IMB_CIPHER_NULL;
        key_len_ = 0;
        iv_size_ = 0;
        block_ = 4;
        break;
    }
    if (a != EspAuth::none) {
      // RFC 2104: K (16, 20 or 32 octets, below the 64-octet block of all
      // three hashes) padded with zeros, XOR ipad / opad; the library
      // takes the hash state after one block of each.
      std::uint8_t block[64];
      for (int pass = 0; pass < 2; ++pass) {
        const std::uint8_t pad = pass == 0 ? 0x36 : 0x5c;
        std::memset(block, pad, sizeof block);
        for (std::size_t i = 0; i < auth_key.size(); ++i)
          block[i] = static_cast<std::uint8_t>(auth_key[i] ^ pad);
        std::uint8_t* out = pass == 0 ? ipad_ : opad_;
        if (a == EspAuth::hmac_sha1_96) {
          IMB_SHA1_ONE_BLOCK(m, block, out);
        } else if (a == EspAuth::hmac_md5_96) {
          IMB_MD5_ONE_BLOCK(m, block, out);
        } else {
          IMB_SHA256_ONE_BLOCK(m, block, out);
        }
      }
      imb_clear_mem(block, sizeof block);
      switch (a) {
        case EspAuth::hmac_sha1_96:
          hash_ = IMB_AUTH_HMAC_SHA_1;
          icv_ = 12;  // RFC 2404 §2
          break;
        case EspAuth::hmac_md5_96:
          hash_ = IMB_AUTH_MD5;
          icv_ = 12;  // RFC 2403 §2
          break;
        default:
          hash_ = IMB_AUTH_HMAC_SHA_256;
          icv_ = 16;  // RFC 4868 §2.3
          break;
      }
    }
  }
  ~CbcHmacTransform() override {
    imb_clear_mem(enc_exp_, sizeof enc_exp_);
    imb_clear_mem(dec_exp_, sizeof dec_exp_);
    imb_clear_mem(des_ks_, sizeof des_ks_);
    imb_clear_mem(ipad_, sizeof ipad_);
    imb_clear_mem(opad_, sizeof opad_);
  }

  std::size_t iv_size() const override { return iv_size_; }
  std::size_t block_size() const override { return block_; }
  std::size_t icv_size() const override { return icv_; }

  Result<void> seal(const EspPacketView& p) override {
    if (!layout_ok(p, iv_size_, block_, icv_, true, p.esn && icv_ != 0)) return kBadLayoutSeal;
    if (!take_forced_iv(p.iv) && iv_size_ != 0) random_->fill(p.iv);  // RFC 3602 §2.1: unpredictable IV
    if (auth_ == EspAuth::none) return ok();                          // NULL/none: nothing to do
    std::uint8_t tag[32];
    if (!run(p, IMB_DIR_ENCRYPT, tag)) return kLibFailed;
    std::memcpy(p.icv.data(), tag, icv_);
    return ok();
  }

  Result<void> open(const EspPacketView& p) override {
    if (!layout_ok(p, iv_size_, block_, icv_, true, p.esn && icv_ != 0)) return kBadLayoutOpen;
    if (auth_ == EspAuth::none) return ok();
    std::uint8_t received[kMaxIcv];
    std::memcpy(received, p.icv.data(), icv_);
    std::uint8_t tag[32];
    const bool ran = run(p, IMB_DIR_DECRYPT, tag);
    std::memcpy(p.icv.data(), received, icv_);  // undo the Seq hi scratch
    if (!ran) return kLibFailed;
    if (!equal_ct(Bytes(tag, icv_), Bytes(received, icv_))) return kAuthFailed;
    return ok();
  }

 private:
  bool run(const EspPacketView& p, IMB_CIPHER_DIRECTION dir, std::uint8_t* tag) {
    std::size_t hash_len = kHeaderSize + iv_size_ + p.payload.size();
    if (p.esn) {
      store_be32(p.icv.data(), p.seq_hi);  // RFC 4303 §2.2.1: ICV input ends with Seq hi
      hash_len += 4;
    }
    IMB_MGR* m = mgr_->m;
    IMB_JOB* job = IMB_GET_NEXT_JOB(m);
    *job = IMB_JOB{};
    job->cipher_mode = mode_;
    job->cipher_direction = dir;
    // Encrypt-then-MAC: the ICV always covers the ciphertext.
    job->chain_order = dir == IMB_DIR_ENCRYPT ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    if (mode_ == IMB_CIPHER_DES3) {
      job->enc_keys = des_ptrs_;
      job->dec_keys = des_ptrs_;
    } else {
      job->enc_keys = enc_exp_;
      job->dec_keys = dec_exp_;
    }
    job->key_len_in_bytes = key_len_;
    job->src = p.header.data();
    job->dst = p.payload.data();  // dst is where the cipher output starts (no offset applied)
    job->cipher_start_src_offset_in_bytes = kHeaderSize + iv_size_;
    job->msg_len_to_cipher_in_bytes = p.payload.size();
    job->iv = p.iv.data();
    job->iv_len_in_bytes = iv_size_;
    job->hash_alg = hash_;
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = hash_len;
    job->u.HMAC._hashed_auth_key_xor_ipad = ipad_;
    job->u.HMAC._hashed_auth_key_xor_opad = opad_;
    job->auth_tag_output = tag;
    job->auth_tag_output_len_in_bytes = icv_;
    return run_job(m, job);
  }

  MgrPtr mgr_;
  EspAuth auth_;
  Random* random_;
  IMB_CIPHER_MODE mode_ = IMB_CIPHER_NULL;
  IMB_HASH_ALG hash_ = IMB_AUTH_NULL;
  std::size_t key_len_ = 0;
  std::size_t iv_size_ = 0;
  std::size_t block_ = 4;
  std::size_t icv_ = 0;
  alignas(16) std::uint32_t enc_exp_[4 * 15] = {};  // up to 15 round keys (AES-256)
  alignas(16) std::uint32_t dec_exp_[4 * 15] = {};
  alignas(16) std::uint64_t des_ks_[3][16] = {};
  const void* des_ptrs_[3] = {};
  alignas(16) std::uint8_t ipad_[32] = {};
  alignas(16) std::uint8_t opad_[32] = {};
};

// ---- provider -------------------------------------------------------------

class IpsecMbProvider final : public EspProvider {
 public:
  explicit IpsecMbProvider(MgrPtr mgr) : mgr_(std::move(mgr)) {}

  std::string_view name() const override { return "intel-ipsec-mb"; }

  bool supports(EspCipher c, EspAuth a) const override {
    switch (c) {
      case EspCipher::aes_gcm16_128:
      case EspCipher::aes_gcm16_256:
      case EspCipher::chacha20_poly1305:
        return a == EspAuth::none;
      case EspCipher::aes_cbc_128:
      case EspCipher::aes_cbc_256:
      case EspCipher::des3_cbc:
        return a == EspAuth::hmac_sha1_96 || a == EspAuth::hmac_sha256_128 || a == EspAuth::hmac_md5_96;
      case EspCipher::null:
        return true;
    }
    return false;
  }

  Result<std::unique_ptr<EspTransform>> make(EspCipher c, EspAuth a, Bytes enc_key, Bytes auth_key,
                                             Random& random) const override {
    if (is_aead(c) && a != EspAuth::none)
      return Error{Errc::unsupported, "esp: AEAD cipher with separate auth"};
    if (!is_aead(c) && c != EspCipher::null && a == EspAuth::none)
      return Error{Errc::unsupported, "esp: cipher without integrity"};
    if (!supports(c, a)) return Error{Errc::unsupported, "esp: transform not supported by intel-ipsec-mb"};
    if (enc_key.size() != enc_key_size(c))
      return Error{Errc::out_of_range, "esp: wrong encryption key length"};
    if (auth_key.size() != auth_key_size(a))
      return Error{Errc::out_of_range, "esp: wrong integrity key length"};
    std::unique_ptr<EspTransform> t;
    switch (c) {
      case EspCipher::aes_gcm16_128:
        t = std::make_unique<GcmTransform>(mgr_, false, enc_key);
        break;
      case EspCipher::aes_gcm16_256:
        t = std::make_unique<GcmTransform>(mgr_, true, enc_key);
        break;
      case EspCipher::chacha20_poly1305:
        t = std::make_unique<ChachaTransform>(mgr_, enc_key);
        break;
      default:
        t = std::make_unique<CbcHmacTransform>(mgr_, c, a, enc_key, auth_key, random);
        break;
    }
    return t;
  }

 private:
  MgrPtr mgr_;
};

}  // namespace

std::unique_ptr<EspProvider> make_ipsecmb_provider() {
  if ((imb_get_feature_flags() & IMB_FEATURE_AESNI) == 0) return nullptr;
  auto mgr = std::make_shared<Mgr>();
  mgr->m = alloc_mb_mgr(0);
  if (mgr->m == nullptr) return nullptr;
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(mgr->m, &arch);
  if (imb_get_errno(mgr->m) != 0 || arch == IMB_ARCH_NONE || arch == IMB_ARCH_NOAESNI) return nullptr;
  return std::make_unique<IpsecMbProvider>(std::move(mgr));
}

}  // namespace l2sec::crypto
