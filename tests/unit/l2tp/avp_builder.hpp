// Test helper: writes L2TPv2 AVP lists byte by byte (RFC 2661 §4.1), apart
// from the encoder under test, so tests can build exactly the wire bytes
// they need (wrong lengths, reserved bits, vendor AVPs, hidden values).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/wire.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp::test {

inline constexpr std::uint16_t kM = 0x8000;
inline constexpr std::uint16_t kH = 0x4000;

class AvpList {
 public:
  // One AVP: flags are the high 6 bits of the first word (M, H, reserved);
  // Length is 6 + value size unless `length` overrides it.
  AvpList& raw(std::uint16_t flags, std::uint16_t vendor, std::uint16_t type,
               const std::vector<std::uint8_t>& value, int length = -1) {
    const std::size_t len = length >= 0 ? static_cast<std::size_t>(length) : 6 + value.size();
    put16(static_cast<std::uint16_t>(flags | (len & 0x3FF)));
    put16(vendor);
    put16(type);
    bytes_.insert(bytes_.end(), value.begin(), value.end());
    return *this;
  }
  AvpList& avp(std::uint16_t type, const std::vector<std::uint8_t>& value, bool m = true) {
    return raw(m ? kM : 0, 0, type, value);
  }
  AvpList& avp(AvpType type, const std::vector<std::uint8_t>& value, bool m = true) {
    return avp(static_cast<std::uint16_t>(type), value, m);
  }
  AvpList& u16(AvpType type, std::uint16_t v, bool m = true) { return avp(type, be16(v), m); }
  AvpList& u32(AvpType type, std::uint32_t v, bool m = true) { return avp(type, be32(v), m); }
  AvpList& text(AvpType type, std::string_view s, bool m = true) {
    return avp(type, std::vector<std::uint8_t>(s.begin(), s.end()), m);
  }
  AvpList& message_type(MessageType t) { return u16(AvpType::MessageType, static_cast<std::uint16_t>(t)); }
  AvpList& random_vector(const std::vector<std::uint8_t>& rv) { return avp(AvpType::RandomVector, rv); }
  // A hidden AVP whose value field is given already masked.
  AvpList& hidden(std::uint16_t type, const std::vector<std::uint8_t>& masked, bool m = true,
                  std::uint16_t vendor = 0) {
    return raw(static_cast<std::uint16_t>((m ? kM : 0) | kH), vendor, type, masked);
  }
  AvpList& bytes(const std::vector<std::uint8_t>& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }

  const std::vector<std::uint8_t>& vec() const { return bytes_; }
  Bytes span() const { return Bytes(bytes_); }

  static std::vector<std::uint8_t> be16(std::uint16_t v) {
    return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  }
  static std::vector<std::uint8_t> be32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  }

 private:
  void put16(std::uint16_t v) {
    bytes_.push_back(static_cast<std::uint8_t>(v >> 8));
    bytes_.push_back(static_cast<std::uint8_t>(v));
  }
  std::vector<std::uint8_t> bytes_;
};

inline std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int hi = -1;
  for (char c : hex) {
    const int n = nib(c);
    if (n < 0) continue;  // spaces and separators
    if (hi < 0) {
      hi = n;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | n));
      hi = -1;
    }
  }
  return out;
}

inline std::string to_hex(Bytes b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s += kDigits[x >> 4];
    s += kDigits[x & 15];
  }
  return s;
}

inline std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

}  // namespace l2sec::l2tp::test

namespace l2sec::l2tp {
// gtest printer: a message shows as its type and its clear AVP encoding.
inline void PrintTo(const ControlMessage& m, std::ostream* os) {
  PacketBuf b(2048);
  const bool ok = encode_control(m, b).ok();
  *os << message_type_name(m.type) << " {" << (ok ? test::to_hex(b.bytes()) : std::string("unencodable"))
      << "}";
}
}  // namespace l2sec::l2tp
