// Randomness handed to engines at construction. The production source is
// mbedTLS's CTR_DRBG seeded from the OS; tests use a seeded deterministic
// source so every simulated run reproduces from its seed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace l2sec::crypto {

class Random {
 public:
  virtual ~Random() = default;
  // Fills out with random bytes. Never fails: a source that cannot deliver
  // aborts the process (running with bad randomness is worse).
  virtual void fill(std::span<std::uint8_t> out) = 0;

  std::uint16_t u16() { std::uint8_t b[2]; fill(b); return static_cast<std::uint16_t>((b[0] << 8) | b[1]); }
  std::uint32_t u32() { std::uint8_t b[4]; fill(b); return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3]; }
  std::uint64_t u64() { return (std::uint64_t{u32()} << 32) | u32(); }
};

// CTR_DRBG (AES-256) seeded from the OS entropy source.
std::unique_ptr<Random> make_system_random();

// xoshiro256** seeded from `seed`: reproducible, NOT for keys.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  void fill(std::span<std::uint8_t> out) override;
  std::uint64_t next();

 private:
  std::uint64_t s_[4];
};

}  // namespace l2sec::crypto
