// MD5 (RFC 1321), used by L2TPv2 only: hidden AVPs (RFC 2661 §4.3) and the
// tunnel Challenge Response (§5.1.1, CHAP-style). Backed by mbedTLS.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace l2sec::crypto {

using Md5Digest = std::array<std::uint8_t, 16>;

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  Md5& update(std::span<const std::uint8_t> b);
  Md5Digest finish();

 private:
  alignas(8) std::uint8_t ctx_[128];
};

Md5Digest md5(std::span<const std::uint8_t> b);

// Constant-time comparison: time depends on the length only.
bool equal_ct(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace l2sec::crypto
