// ESP transforms (RFC 4303 §3.2 and the algorithm RFCs): the keyed
// cipher + integrity of one direction of one SA, behind one interface with
// two providers: intel-ipsec-mb (the data path) and mbedTLS (portable
// fallback, and everything ipsec-mb lacks). Both must produce identical
// bytes for identical inputs (same IV), which the vector tests check.
//
// Packet layout the transform works on (RFC 4303 §2), all contiguous:
//   | SPI (4) | Seq lo (4) | IV (iv_size) | payload + padding + pad len + NH | ICV (icv_size) |
//     `header`               `iv`          `payload` (block-aligned)          `icv`
// ESN (RFC 4303 §2.2.1): for integrity-only and encrypt-then-MAC transforms
// the ICV covers header..payload followed by the high 32 bits of the
// sequence number (not transmitted); for AEAD (RFC 4106 §5, RFC 7634 §2.1)
// the AAD is SPI || Seq hi || Seq lo instead of SPI || Seq lo.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "core/wire.hpp"
#include "crypto/random.hpp"

namespace l2sec::crypto {

enum class EspCipher : std::uint8_t {
  null,               // RFC 2410
  aes_cbc_128,        // RFC 3602
  aes_cbc_256,        // RFC 3602
  aes_gcm16_128,      // RFC 4106, 16-octet ICV; key = 16 + 4-octet salt
  aes_gcm16_256,      // RFC 4106; key = 32 + 4-octet salt
  chacha20_poly1305,  // RFC 7634; key = 32 + 4-octet salt
  des3_cbc,           // RFC 2451: legacy profile only
};
enum class EspAuth : std::uint8_t {
  none,             // only with AEAD ciphers (or NULL cipher for tests: refused by SA config)
  hmac_sha1_96,     // RFC 2404
  hmac_sha256_128,  // RFC 4868
  // RFC 2403, 16-octet key, 12-octet ICV. Legacy: exists only to read old
  // captures and talk to old peers (MD5's collision weakness does not break
  // HMAC, but no new SA should choose it).
  hmac_md5_96,
};

bool is_aead(EspCipher c) noexcept;
// Key lengths in octets (encryption key includes the salt for AEAD).
std::size_t enc_key_size(EspCipher c) noexcept;
std::size_t auth_key_size(EspAuth a) noexcept;
std::string_view cipher_name(EspCipher c) noexcept;
std::string_view auth_name(EspAuth a) noexcept;

struct EspPacketView {
  MutBytes header;   // 8 octets: SPI, sequence number (low 32 bits)
  MutBytes iv;       // iv_size() octets
  MutBytes payload;  // plaintext (seal) / ciphertext (open), block-aligned
  MutBytes icv;      // icv_size() octets
  std::uint32_t seq_hi = 0;  // high 32 bits of the sequence number
  bool esn = false;          // extended sequence numbers negotiated
};

class EspTransform {
 public:
  virtual ~EspTransform() = default;
  virtual std::size_t iv_size() const = 0;
  // Alignment of `payload` (cipher block size, at least 4, RFC 4303 §2.4).
  virtual std::size_t block_size() const = 0;
  virtual std::size_t icv_size() const = 0;
  // Writes a fresh IV (random for CBC; the 64-bit sequence number for
  // GCM and ChaCha20-Poly1305, which never repeats under one key), encrypts
  // payload in place, writes the ICV. Fails with out_of_range on a layout
  // that does not match the sizes above (payload empty or not block-aligned,
  // wrong IV or ICV size; the ipsec-mb provider also needs the four parts
  // adjacent), invalid_state if the library itself fails.
  virtual Result<void> seal(const EspPacketView& p) = 0;
  // Verifies the ICV in constant time and decrypts payload in place. Fails
  // with auth_failed on a wrong ICV (payload then unspecified), malformed
  // on a layout that does not match.
  virtual Result<void> open(const EspPacketView& p) = 0;
};

class EspProvider {
 public:
  virtual ~EspProvider() = default;
  virtual std::string_view name() const = 0;  // "intel-ipsec-mb", "mbedtls"
  virtual bool supports(EspCipher c, EspAuth a) const = 0;
  // Keys are copied into the transform (and wiped on destruction). Fails
  // with unsupported for a pair the provider does not do or that is not
  // allowed (AEAD with a separate auth, a non-AEAD cipher other than NULL
  // without integrity), out_of_range for a wrong key length. `random` (CBC
  // IVs) must outlive the transform.
  virtual Result<std::unique_ptr<EspTransform>> make(EspCipher c, EspAuth a, Bytes enc_key, Bytes auth_key,
                                                     Random& random) const = 0;
};

std::unique_ptr<EspProvider> make_mbedtls_provider();
// nullptr when the CPU lacks what the library needs (AES-NI).
std::unique_ptr<EspProvider> make_ipsecmb_provider();

}  // namespace l2sec::crypto
