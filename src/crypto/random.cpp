#include "crypto/random.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace l2sec::crypto {
namespace {

class DrbgRandom final : public Random {
 public:
  DrbgRandom() {
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
    static const unsigned char pers[] = "l2sec";
    if (mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, pers, sizeof pers - 1) != 0) {
      std::fputs("l2sec: cannot seed CTR_DRBG from the OS entropy source\n", stderr);
      std::abort();
    }
  }
  ~DrbgRandom() override {
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }
  void fill(std::span<std::uint8_t> out) override {
    while (!out.empty()) {
      std::size_t n = out.size() < MBEDTLS_CTR_DRBG_MAX_REQUEST ? out.size() : MBEDTLS_CTR_DRBG_MAX_REQUEST;
      if (mbedtls_ctr_drbg_random(&drbg_, out.data(), n) != 0) {
        std::fputs("l2sec: CTR_DRBG failed\n", stderr);
        std::abort();
      }
      out = out.subspan(n);
    }
  }

 private:
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
};

std::uint64_t splitmix(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::unique_ptr<Random> make_system_random() { return std::make_unique<DrbgRandom>(); }

SeededRandom::SeededRandom(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix(seed);
}

std::uint64_t SeededRandom::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void SeededRandom::fill(std::span<std::uint8_t> out) {
  while (!out.empty()) {
    std::uint64_t v = next();
    std::size_t n = out.size() < 8 ? out.size() : 8;
    std::memcpy(out.data(), &v, n);
    out = out.subspan(n);
  }
}

}  // namespace l2sec::crypto
