#include "crypto/md5.hpp"

#include <mbedtls/md5.h>

#include <cstring>
#include <new>

namespace l2sec::crypto {

static_assert(sizeof(mbedtls_md5_context) <= 128, "grow Md5::ctx_");

Md5::Md5() {
  auto* c = new (ctx_) mbedtls_md5_context;
  mbedtls_md5_init(c);
  mbedtls_md5_starts_ret(c);
}

Md5::~Md5() { mbedtls_md5_free(reinterpret_cast<mbedtls_md5_context*>(ctx_)); }

Md5& Md5::update(std::span<const std::uint8_t> b) {
  mbedtls_md5_update_ret(reinterpret_cast<mbedtls_md5_context*>(ctx_), b.data(), b.size());
  return *this;
}

Md5Digest Md5::finish() {
  Md5Digest d;
  mbedtls_md5_finish_ret(reinterpret_cast<mbedtls_md5_context*>(ctx_), d.data());
  return d;
}

Md5Digest md5(std::span<const std::uint8_t> b) { return Md5().update(b).finish(); }

bool equal_ct(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  // Every octet is compared whatever the data; the barrier keeps the
  // compiler from turning the OR chain into an early exit.
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    acc |= x ^ y;
  }
  for (; i < a.size(); ++i) acc |= static_cast<std::uint64_t>(a[i] ^ b[i]);
  asm volatile("" : "+r"(acc));
  return acc == 0;
}

}  // namespace l2sec::crypto
