#include "core/endpoint.hpp"

#include <cstdio>

namespace l2sec {

Endpoint Endpoint::v4(std::array<std::uint8_t, 4> a, std::uint16_t port) {
  Endpoint e;
  e.kind = Kind::ipv4;
  for (int i = 0; i < 4; ++i) e.addr[i] = a[i];
  e.port = port;
  return e;
}

Endpoint Endpoint::v6(const std::array<std::uint8_t, 16>& a, std::uint16_t port) {
  Endpoint e;
  e.kind = Kind::ipv6;
  e.addr = a;
  e.port = port;
  return e;
}

Endpoint Endpoint::of_circuit(std::uint32_t id) {
  Endpoint e;
  e.kind = Kind::circuit;
  e.circuit = id;
  return e;
}

bool Endpoint::same_host(const Endpoint& o) const {
  return kind == o.kind && addr == o.addr && circuit == o.circuit;
}

std::string Endpoint::to_string() const {
  char buf[64];
  switch (kind) {
    case Kind::none:
      return "none";
    case Kind::ipv4:
      std::snprintf(buf, sizeof buf, "%u.%u.%u.%u:%u", addr[0], addr[1], addr[2], addr[3], port);
      return buf;
    case Kind::ipv6: {
      // RFC 5952 §4.2: the longest run (leftmost on a tie) of two or more
      // zero groups becomes "::".
      unsigned group[8];
      for (int g = 0; g < 8; ++g) group[g] = (unsigned{addr[2 * g]} << 8) | addr[2 * g + 1];
      int run_at = -1, run_len = 1;
      for (int g = 0; g < 8;) {
        int e = g;
        while (e < 8 && group[e] == 0) ++e;
        if (e - g > run_len) run_at = g, run_len = e - g;
        g = e == g ? g + 1 : e;
      }
      std::string s = "[";
      for (int g = 0; g < 8; ++g) {
        if (g == run_at) {
          s += "::";
          g += run_len - 1;
          continue;
        }
        std::snprintf(buf, sizeof buf, "%s%x", (g == 0 || g == run_at + run_len) ? "" : ":", group[g]);
        s += buf;
      }
      std::snprintf(buf, sizeof buf, "]:%u", port);
      return s + buf;
    }
    case Kind::circuit:
      std::snprintf(buf, sizeof buf, "circuit %u", circuit);
      return buf;
  }
  return "?";
}

std::size_t EndpointHash::operator()(const Endpoint& e) const noexcept {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](std::uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  mix(static_cast<std::uint8_t>(e.kind));
  for (auto b : e.addr) mix(b);
  mix(static_cast<std::uint8_t>(e.port >> 8));
  mix(static_cast<std::uint8_t>(e.port));
  for (int i = 0; i < 32; i += 8) mix(static_cast<std::uint8_t>(e.circuit >> i));
  return static_cast<std::size_t>(h);
}

}  // namespace l2sec
