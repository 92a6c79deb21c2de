// The hash of an L2TP flow (two endpoints), shared by the per-packet caches
// of the SPD and the SAD: whole words, each multiplied by its own odd
// constant (independent multiplies), then the splitmix64 finaliser.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/endpoint.hpp"

namespace l2sec::esp {

inline std::uint64_t splitmix64_finalise(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline std::uint64_t endpoint_words(const Endpoint& e, std::uint64_t k1, std::uint64_t k2,
                                    std::uint64_t k3) noexcept {
  std::uint64_t lo, hi;
  std::memcpy(&lo, e.addr.data(), 8);
  std::memcpy(&hi, e.addr.data() + 8, 8);
  const std::uint64_t rest =
      (std::uint64_t{static_cast<std::uint8_t>(e.kind)} << 48) | (std::uint64_t{e.port} << 32) | e.circuit;
  return lo * k1 ^ hi * k2 ^ rest * k3;
}

// `extra` tells apart keys that share the endpoints (the SPD's direction).
inline std::size_t flow_hash(const Endpoint& local, const Endpoint& remote,
                             std::uint64_t extra = 0) noexcept {
  return static_cast<std::size_t>(splitmix64_finalise(
      endpoint_words(local, 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull) +
      endpoint_words(remote, 0x27d4eb2f165667c5ull, 0x85ebca77c2b2ae63ull, 0xff51afd7ed558ccdull) + extra));
}

}  // namespace l2sec::esp
