#include "crypto/md5.hpp"

#include <mbedtls/md5.h>

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
  volatile std::uint8_t acc = 0;
  for (std::size_t i = 0; i < a.size(); ++i) acc = acc | (a[i] ^ b[i]);
  return acc == 0;
}

}  // namespace l2sec::crypto
