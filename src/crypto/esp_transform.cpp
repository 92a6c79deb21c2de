// Algorithm properties shared by every ESP provider (sizes from the
// algorithm RFCs named in esp_transform.hpp).
#include "crypto/esp_transform.hpp"

namespace l2sec::crypto {

bool is_aead(EspCipher c) noexcept {
  return c == EspCipher::aes_gcm16_128 || c == EspCipher::aes_gcm16_256 || c == EspCipher::chacha20_poly1305;
}

std::size_t enc_key_size(EspCipher c) noexcept {
  switch (c) {
    case EspCipher::null:
      return 0;
    case EspCipher::aes_cbc_128:
      return 16;
    case EspCipher::aes_cbc_256:
      return 32;
    case EspCipher::aes_gcm16_128:
      return 16 + 4;  // RFC 4106 §8.1: key || salt
    case EspCipher::aes_gcm16_256:
      return 32 + 4;
    case EspCipher::chacha20_poly1305:
      return 32 + 4;  // RFC 7634 §2: key || salt
    case EspCipher::des3_cbc:
      return 24;  // RFC 2451: three DES keys
  }
  return 0;
}

std::size_t auth_key_size(EspAuth a) noexcept {
  switch (a) {
    case EspAuth::none:
      return 0;
    case EspAuth::hmac_sha1_96:
      return 20;  // RFC 2404 §3
    case EspAuth::hmac_sha256_128:
      return 32;  // RFC 4868 §2.1.1
    case EspAuth::hmac_md5_96:
      return 16;  // RFC 2403 §3
  }
  return 0;
}

std::string_view cipher_name(EspCipher c) noexcept {
  switch (c) {
    case EspCipher::null:
      return "null";
    case EspCipher::aes_cbc_128:
      return "aes-cbc-128";
    case EspCipher::aes_cbc_256:
      return "aes-cbc-256";
    case EspCipher::aes_gcm16_128:
      return "aes-gcm16-128";
    case EspCipher::aes_gcm16_256:
      return "aes-gcm16-256";
    case EspCipher::chacha20_poly1305:
      return "chacha20-poly1305";
    case EspCipher::des3_cbc:
      return "3des-cbc";
  }
  return "?";
}

std::string_view auth_name(EspAuth a) noexcept {
  switch (a) {
    case EspAuth::none:
      return "none";
    case EspAuth::hmac_sha1_96:
      return "hmac-sha1-96";
    case EspAuth::hmac_sha256_128:
      return "hmac-sha256-128";
    case EspAuth::hmac_md5_96:
      return "hmac-md5-96";
  }
  return "?";
}

}  // namespace l2sec::crypto
