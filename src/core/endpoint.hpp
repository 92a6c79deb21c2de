// Endpoint: where a PDU comes from or goes to, whatever the medium. On IP it
// is an address and a UDP port; on a circuit it is the circuit's number
// (transports/ give circuits numbers). Engines only compare and hash it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace l2sec {

struct Endpoint {
  enum class Kind : std::uint8_t { none, ipv4, ipv6, circuit };

  Kind kind = Kind::none;
  std::array<std::uint8_t, 16> addr{};  // IPv4 in the first 4 octets
  std::uint16_t port = 0;               // UDP port (IP kinds)
  std::uint32_t circuit = 0;            // circuit number (circuit kind)

  static Endpoint v4(std::array<std::uint8_t, 4> a, std::uint16_t port);
  static Endpoint v6(const std::array<std::uint8_t, 16>& a, std::uint16_t port);
  static Endpoint of_circuit(std::uint32_t id);

  bool is_ip() const { return kind == Kind::ipv4 || kind == Kind::ipv6; }
  // Same host: kind and address (or circuit) equal, port ignored.
  bool same_host(const Endpoint& o) const;
  // "192.0.2.1:1701", "[2001:db8::1]:1701", "circuit 7".
  std::string to_string() const;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct EndpointHash {
  std::size_t operator()(const Endpoint& e) const noexcept;
};

}  // namespace l2sec
