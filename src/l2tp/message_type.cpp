// Control message types (RFC 2661 §3.2) and the AVPs each must carry (§6).
#include <array>

#include "l2tp/avp.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {
namespace {

using A = AvpType;
constexpr std::uint64_t b(AvpType t) { return avp::bit(static_cast<std::uint16_t>(t)); }

struct TypeRow {
  std::string_view name;
  std::uint64_t required;  // §6.x "The following AVPs MUST be present"
};

// Indexed by the Message Type value; empty name = reserved / undefined.
// clang-format off
constexpr std::array<TypeRow, 17> kTypes{{
    {{}, 0},                                                                                   // 0
    {"SCCRQ", b(A::MessageType) | b(A::ProtocolVersion) | b(A::HostName) |                  // 6.1
                  b(A::FramingCapabilities) | b(A::AssignedTunnelId)},
    {"SCCRP", b(A::MessageType) | b(A::ProtocolVersion) | b(A::FramingCapabilities) |       // 6.2
                  b(A::HostName) | b(A::AssignedTunnelId)},
    {"SCCCN", b(A::MessageType)},                                                             // 6.3
    {"StopCCN", b(A::MessageType) | b(A::AssignedTunnelId) | b(A::ResultCode)},              // 6.4
    {{}, 0},                                                                                   // 5
    {"HELLO", b(A::MessageType)},                                                             // 6.5
    {"OCRQ", b(A::MessageType) | b(A::AssignedSessionId) | b(A::CallSerialNumber) |          // 6.9
                 b(A::MinimumBps) | b(A::MaximumBps) | b(A::BearerType) | b(A::FramingType) |
                 b(A::CalledNumber)},
    {"OCRP", b(A::MessageType) | b(A::AssignedSessionId)},                                    // 6.10
    {"OCCN", b(A::MessageType) | b(A::TxConnectSpeed) | b(A::FramingType)},                   // 6.11
    {"ICRQ", b(A::MessageType) | b(A::AssignedSessionId) | b(A::CallSerialNumber)},           // 6.6
    {"ICRP", b(A::MessageType) | b(A::AssignedSessionId)},                                    // 6.7
    {"ICCN", b(A::MessageType) | b(A::TxConnectSpeed) | b(A::FramingType)},                   // 6.8
    {{}, 0},                                                                                   // 13
    {"CDN", b(A::MessageType) | b(A::ResultCode) | b(A::AssignedSessionId)},                  // 6.12
    {"WEN", b(A::MessageType) | b(A::CallErrors)},                                            // 6.13
    {"SLI", b(A::MessageType) | b(A::Accm)},                                                  // 6.14
}};
// clang-format on

// "type N" for the values that have no name: built at compile time so the
// names are static (no formatting, no storage to own). Values above 255 share
// one name.
constexpr std::size_t kNumbered = 256;
struct TypeNumber {
  char text[9] = {};
  std::uint8_t len = 0;
};
constexpr std::array<TypeNumber, kNumbered> make_numbers() {
  std::array<TypeNumber, kNumbered> out{};
  for (std::size_t v = 0; v < kNumbered; ++v) {
    TypeNumber& t = out[v];
    for (char c : {'t', 'y', 'p', 'e', ' '}) t.text[t.len++] = c;
    if (v >= 100) t.text[t.len++] = static_cast<char>('0' + v / 100);
    if (v >= 10) t.text[t.len++] = static_cast<char>('0' + v / 10 % 10);
    t.text[t.len++] = static_cast<char>('0' + v % 10);
  }
  return out;
}
constexpr std::array<TypeNumber, kNumbered> kNumbers = make_numbers();

}  // namespace

bool is_known_message_type(std::uint16_t v) noexcept { return v < kTypes.size() && !kTypes[v].name.empty(); }

std::string_view message_type_name(MessageType t) noexcept {
  const auto v = static_cast<std::uint16_t>(t);
  if (is_known_message_type(v)) return kTypes[v].name;
  if (v < kNumbered) return {kNumbers[v].text, kNumbers[v].len};
  return "type >255";
}

bool is_session_message(MessageType t) noexcept {
  switch (t) {
    case MessageType::OCRQ:
    case MessageType::OCRP:
    case MessageType::OCCN:
    case MessageType::ICRQ:
    case MessageType::ICRP:
    case MessageType::ICCN:
    case MessageType::CDN:
    case MessageType::WEN:
    case MessageType::SLI:
      return true;
    default:
      return false;
  }
}

namespace avp {
std::uint64_t required_mask(MessageType t) noexcept {
  const auto v = static_cast<std::uint16_t>(t);
  return is_known_message_type(v) ? kTypes[v].required : 0;
}
}  // namespace avp

}  // namespace l2sec::l2tp
