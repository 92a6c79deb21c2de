// L2TPv2 AVP wire format and catalogue (RFC 2661 §4.1, §4.4). Internal to
// src/l2tp: the public contract is message.hpp.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |M|H| rsvd  |      Length       |           Vendor ID           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Attribute Type        |        Attribute Value...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length (10 bits) counts the 6-octet AVP header plus the value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.hpp"
#include "core/wire.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp::avp {

// From the specification (§4.1).
inline constexpr std::uint16_t kFlagM = 0x8000;
inline constexpr std::uint16_t kFlagH = 0x4000;
inline constexpr std::uint16_t kReservedMask = 0x3C00;  // MUST be 0; set -> unrecognized
inline constexpr std::uint16_t kLengthMask = 0x03FF;
inline constexpr std::size_t kHeaderLen = 6;
inline constexpr std::size_t kMaxLen = 1023;                                 // 10-bit Length
inline constexpr std::size_t kMaxValue = kMaxLen - kHeaderLen;               // 1017
inline constexpr std::size_t kHiddenLenField = 2;                            // §4.3 Original Length
inline constexpr std::size_t kMaxHiddenValue = kMaxValue - kHiddenLenField;  // 1015
// Our choice: the Random Vector we send before hidden AVPs (§4.4.1
// recommends at least 16 octets).
inline constexpr std::size_t kRandomVectorLen = 16;

// One AVP as found on the wire. `value` is still hidden when `hidden`.
struct View {
  bool mandatory = false;
  bool hidden = false;
  bool reserved = false;  // a reserved bit is set: treat as unrecognized
  std::uint16_t vendor = 0;
  std::uint16_t type = 0;
  Bytes value;
};

// Reads the AVP starting at `pos` in `list` and advances `pos` past it.
// Fails with truncated when fewer than 6 octets remain or the Length runs
// past the end of the list, malformed when Length < 6.
Result<View> next(Bytes list, std::size_t& pos);

// Catalogue row of §4.4 (SPEC-NOTES §4.4): the M bit we send, whether we may
// hide the AVP, and the value length before hiding.
struct Spec {
  std::string_view name;
  bool mandatory;           // M column
  bool hideable;            // H column
  std::uint16_t min_value;  // value octets (Length - 6), inclusive
  std::uint16_t max_value;
};

// The row for an IETF attribute type of RFC 2661, or nullptr (unknown, or a
// hole such as 20).
const Spec* spec(std::uint16_t type) noexcept;

// AVPs that RFC 2661 §6 (SPEC-NOTES §4.5) says MUST be present in a message
// of type t, as a bit mask: bit n = Attribute Type n.
std::uint64_t required_mask(MessageType t) noexcept;
inline constexpr std::uint64_t bit(std::uint16_t type) { return type < 64 ? std::uint64_t{1} << type : 0; }

// Hides (or reveals) a hidden-AVP subformat in place (§4.3):
//   b1 = MD5(type | secret | RV), c1 = p1 ^ b1, bi = MD5(secret | c(i-1)).
// `buf` holds the Original Length, the value and any padding; a short last
// segment is XORed over the octets present only.
void hide_in_place(std::uint16_t attribute, MutBytes buf, Bytes secret, Bytes random_vector);
void reveal_in_place(std::uint16_t attribute, MutBytes buf, Bytes secret, Bytes random_vector);

}  // namespace l2sec::l2tp::avp
