// AVP header walking and the AVP catalogue of RFC 2661 §4.4.
#include "l2tp/avp.hpp"

#include <array>

#include "l2tp/message.hpp"

namespace l2sec::l2tp::avp {
namespace {

constexpr std::uint16_t kAny = kMaxValue;

// RFC 2661 §4.4, one row per Attribute Type (SPEC-NOTES §4.4). Lengths are
// value octets before hiding: the RFC's Length minus the 6-octet header.
//   name, M, H, min value, max value
// clang-format off
constexpr std::array<Spec, 40> kTable{{
    {"Message Type", true, false, 2, 2},                   // 0
    {"Result Code", true, false, 2, kAny},                 // 1: 2, 4 or 4+n (checked apart)
    {"Protocol Version", true, false, 2, 2},               // 2
    {"Framing Capabilities", true, true, 4, 4},            // 3
    {"Bearer Capabilities", true, true, 4, 4},             // 4
    {"Tie Breaker", false, false, 8, 8},                   // 5
    {"Firmware Revision", false, true, 2, 2},              // 6
    {"Host Name", true, false, 1, kAny},                   // 7
    {"Vendor Name", false, true, 0, kAny},                 // 8
    {"Assigned Tunnel ID", true, true, 2, 2},              // 9
    {"Receive Window Size", true, false, 2, 2},            // 10
    {"Challenge", true, true, 1, kAny},                    // 11
    {"Q.931 Cause Code", true, false, 3, kAny},            // 12
    {"Challenge Response", true, true, 16, 16},            // 13
    {"Assigned Session ID", true, true, 2, 2},             // 14
    {"Call Serial Number", true, true, 4, 4},              // 15
    {"Minimum BPS", true, true, 4, 4},                     // 16
    {"Maximum BPS", true, true, 4, 4},                     // 17
    {"Bearer Type", true, true, 4, 4},                     // 18
    {"Framing Type", true, true, 4, 4},                    // 19
    {{}, false, false, 0, 0},                              // 20: not defined
    {"Called Number", true, true, 0, kAny},                // 21
    {"Calling Number", true, true, 0, kAny},               // 22
    {"Sub-Address", true, true, 0, kAny},                  // 23
    {"Tx Connect Speed", true, true, 4, 4},                // 24
    {"Physical Channel ID", false, true, 4, 4},            // 25
    {"Initial Received LCP CONFREQ", false, true, 0, kAny},// 26
    {"Last Sent LCP CONFREQ", false, true, 0, kAny},       // 27
    {"Last Received LCP CONFREQ", false, true, 0, kAny},   // 28
    {"Proxy Authen Type", false, true, 2, 2},              // 29
    {"Proxy Authen Name", false, true, 0, kAny},           // 30
    {"Proxy Authen Challenge", false, true, 0, kAny},      // 31
    {"Proxy Authen ID", false, true, 2, 2},                // 32
    {"Proxy Authen Response", false, true, 0, kAny},       // 33
    {"Call Errors", true, true, 26, 26},                   // 34
    {"ACCM", true, true, 10, 10},                          // 35
    {"Random Vector", true, false, 0, kAny},               // 36
    {"Private Group ID", false, true, 0, kAny},            // 37
    {"Rx Connect Speed", false, true, 4, 4},               // 38
    {"Sequencing Required", true, false, 0, 0},            // 39
}};
// clang-format on

}  // namespace

Result<View> next(Bytes list, std::size_t& pos) {
  if (pos > list.size() || list.size() - pos < kHeaderLen)
    return Error{Errc::truncated, "AVP header truncated"};
  const std::uint8_t* p = list.data() + pos;
  const std::uint16_t word = load_be16(p);
  const std::size_t len = word & kLengthMask;
  if (len < kHeaderLen) return Error{Errc::malformed, "AVP Length below 6"};
  if (len > list.size() - pos) return Error{Errc::truncated, "AVP runs past the message"};
  View v;
  v.mandatory = (word & kFlagM) != 0;
  v.hidden = (word & kFlagH) != 0;
  v.reserved = (word & kReservedMask) != 0;
  v.vendor = load_be16(p + 2);
  v.type = load_be16(p + 4);
  v.value = list.subspan(pos + kHeaderLen, len - kHeaderLen);
  pos += len;
  return v;
}

const Spec* spec(std::uint16_t type) noexcept {
  if (type >= kTable.size() || kTable[type].name.empty()) return nullptr;
  return &kTable[type];
}

}  // namespace l2sec::l2tp::avp

namespace l2sec::l2tp {

std::string_view avp_type_name(std::uint16_t type) noexcept {
  const avp::Spec* s = avp::spec(type);
  return s != nullptr ? s->name : std::string_view{"unknown AVP"};
}

}  // namespace l2sec::l2tp
