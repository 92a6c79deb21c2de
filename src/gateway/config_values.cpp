// The scalar notations of the configuration file: endpoints and durations
// (contracts in config.hpp, reference in docs/config.md).
//
// Both parsers are strict: the whole text must match, with no surrounding
// blanks, signs or leading zeros, so that a typo is an error and never a
// different value. IPv6 goes through inet_pton (libc text conversion, no
// socket and no name lookup); IPv4 is parsed here because inet_pton accepts
// nothing we would want to refuse, but inet_aton-style shorthands ("1.2.3",
// "0x7f.1") must never slip in through any other path.
#include <arpa/inet.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/config.hpp"

namespace l2sec::gateway {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal number with 1..max_digits digits, no sign, no leading zero
// (except "0" itself).
std::optional<std::uint64_t> parse_decimal(std::string_view s, std::size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

// Dotted quad: exactly four decimal octets 0..255.
std::optional<std::array<std::uint8_t, 4>> parse_ipv4(std::string_view s) {
  std::array<std::uint8_t, 4> out{};
  for (std::size_t i = 0; i < 4; ++i) {
    std::size_t dot = s.find('.');
    std::string_view part = s.substr(0, dot);
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    auto v = parse_decimal(part, 3);
    if (!v || *v > 255) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(*v);
    s = (dot == std::string_view::npos) ? std::string_view{} : s.substr(dot + 1);
  }
  return out;
}

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view s) {
  // Longest textual IPv6 address (with an embedded IPv4 tail) is 45 chars.
  if (s.empty() || s.size() > 45) return std::nullopt;
  std::string z(s);  // inet_pton needs a terminated string
  std::array<std::uint8_t, 16> out{};
  if (inet_pton(AF_INET6, z.c_str(), out.data()) != 1) return std::nullopt;
  return out;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  auto v = parse_decimal(s, 5);
  if (!v || *v < 1 || *v > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {
    // "[v6]" or "[v6]:port"
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto a = parse_ipv6(text.substr(1, close - 1));
    if (!a) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return Endpoint::v6(*a, default_port);
    if (rest.front() != ':') return std::nullopt;
    auto port = parse_port(rest.substr(1));
    if (!port) return std::nullopt;
    return Endpoint::v6(*a, *port);
  }
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    auto a = parse_ipv4(text);
    if (!a) return std::nullopt;
    return Endpoint::v4(*a, default_port);
  }
  if (text.find(':', colon + 1) == std::string_view::npos) {
    // One colon: IPv4 with a port.
    auto a = parse_ipv4(text.substr(0, colon));
    auto port = parse_port(text.substr(colon + 1));
    if (!a || !port) return std::nullopt;
    return Endpoint::v4(*a, *port);
  }
  // Several colons and no brackets: a bare IPv6 address, no port.
  auto a = parse_ipv6(text);
  if (!a) return std::nullopt;
  return Endpoint::v6(*a, default_port);
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  if (n == 0) return std::nullopt;
  std::string_view unit = text.substr(n);
  std::int64_t unit_ns = 0;
  if (unit.empty() || unit == "s") {
    unit_ns = 1'000'000'000;
  } else if (unit == "ms") {
    unit_ns = 1'000'000;
  } else if (unit == "m") {
    unit_ns = 60LL * 1'000'000'000;
  } else if (unit == "h") {
    unit_ns = 3600LL * 1'000'000'000;
  } else {
    return std::nullopt;
  }
  // Leading zeros are harmless here ("05s"), but cap the digit count so the
  // accumulation below cannot overflow before the range check.
  std::string_view digits = text.substr(0, n);
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  if (v > std::numeric_limits<std::int64_t>::max() / unit_ns) return std::nullopt;
  return Duration(v * unit_ns);
}

}  // namespace l2sec::gateway
