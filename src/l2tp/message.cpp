// Decoding the AVP list of an L2TPv2 control message (RFC 2661 §4.1, §4.4,
// §6, §7.1) into a ControlMessage.
//
//   Message Type AVP (MUST be first) | AVP | AVP | ...
//
// Rules applied, in the order the walk meets them:
// - an AVP whose Length is < 6 or runs past the list fails the whole
//   message (the list cannot be walked);
// - a reserved bit set, a vendor AVP or an attribute we do not know is
//   unrecognized: M=1 -> fault unknown_mandatory (error 8), M=0 -> counted in
//   unknown_optional and kept in `unrecognized` (unless a reserved bit is set
//   or it is hidden and cannot be revealed: then only counted);
// - a known AVP of the wrong length (error 2) or value (error 3), or hidden
//   with no secret or no Random Vector before it (error 3): M=1 -> fault
//   malformed_mandatory, M=0 -> counted in malformed_optional and ignored;
// - after the walk, an AVP §6 requires and the message lacks -> fault
//   missing_required (error 3).
// The first fault wins; the walk goes on so the message is as complete as
// possible. The M bit is taken as received, not from the catalogue.
// Hidden AVPs are revealed with the last Random Vector before them. We
// accept hidden values for any known AVP (liberal receive), except Message
// Type and Random Vector, which cannot be hidden.
#include "l2tp/message.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <string>

#include "l2tp/avp.hpp"

namespace l2sec::l2tp {
namespace {

enum class Verdict : std::uint8_t { ok, bad_length, bad_value };

std::string text_of(Bytes v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size()); }
std::vector<std::uint8_t> octets_of(Bytes v) { return std::vector<std::uint8_t>(v.begin(), v.end()); }

// Stores the value of a known AVP (type has a catalogue row, is neither
// Message Type nor Random Vector) into m.
Verdict apply(ControlMessage& m, std::uint16_t type, Bytes v) {
  const avp::Spec& s = *avp::spec(type);
  if (v.size() < s.min_value || v.size() > s.max_value) return Verdict::bad_length;
  const std::uint8_t* p = v.data();
  // clang-format off
  switch (static_cast<AvpType>(type)) {
    case AvpType::ResultCode: {  // 8, 10 or 10+n (§4.4.2)
      if (v.size() == 3) return Verdict::bad_length;
      ResultCode rc;
      rc.result = load_be16(p);
      if (v.size() >= 4) {
        rc.error = load_be16(p + 2);
        rc.message = text_of(v.subspan(4));
      }
      m.result_code = std::move(rc);
      break;
    }
    case AvpType::ProtocolVersion:
      m.protocol_version = ProtocolVersion{p[0], p[1]};
      break;
    case AvpType::FramingCapabilities: m.framing_capabilities = load_be32(p); break;
    case AvpType::BearerCapabilities: m.bearer_capabilities = load_be32(p); break;
    case AvpType::TieBreaker: m.tie_breaker = load_be64(p); break;
    case AvpType::FirmwareRevision: m.firmware_revision = load_be16(p); break;
    case AvpType::HostName: m.host_name = text_of(v); break;
    case AvpType::VendorName: m.vendor_name = text_of(v); break;
    case AvpType::AssignedTunnelId:  // §4.4.3: non-zero
      if (load_be16(p) == 0) return Verdict::bad_value;
      m.assigned_tunnel_id = load_be16(p);
      break;
    case AvpType::ReceiveWindowSize:  // §5.8: 0 is invalid
      if (load_be16(p) == 0) return Verdict::bad_value;
      m.receive_window_size = load_be16(p);
      break;
    case AvpType::Challenge: m.challenge = octets_of(v); break;
    case AvpType::Q931CauseCode:  // cause (2) | message (1) | advisory
      m.q931_cause = Q931Cause{load_be16(p), p[2], text_of(v.subspan(3))};
      break;
    case AvpType::ChallengeResponse: {
      std::array<std::uint8_t, 16> r{};
      std::copy(v.begin(), v.end(), r.begin());
      m.challenge_response = r;
      break;
    }
    case AvpType::AssignedSessionId:  // §4.4.4: non-zero
      if (load_be16(p) == 0) return Verdict::bad_value;
      m.assigned_session_id = load_be16(p);
      break;
    case AvpType::CallSerialNumber: m.call_serial_number = load_be32(p); break;
    case AvpType::MinimumBps: m.minimum_bps = load_be32(p); break;
    case AvpType::MaximumBps: m.maximum_bps = load_be32(p); break;
    case AvpType::BearerType: m.bearer_type = load_be32(p); break;
    case AvpType::FramingType: m.framing_type = load_be32(p); break;
    case AvpType::CalledNumber: m.called_number = text_of(v); break;
    case AvpType::CallingNumber: m.calling_number = text_of(v); break;
    case AvpType::SubAddress: m.sub_address = text_of(v); break;
    case AvpType::TxConnectSpeed: m.tx_connect_speed = load_be32(p); break;
    case AvpType::PhysicalChannelId: m.physical_channel_id = load_be32(p); break;
    case AvpType::InitialReceivedLcpConfreq: m.initial_received_lcp_confreq = octets_of(v); break;
    case AvpType::LastSentLcpConfreq: m.last_sent_lcp_confreq = octets_of(v); break;
    case AvpType::LastReceivedLcpConfreq: m.last_received_lcp_confreq = octets_of(v); break;
    case AvpType::ProxyAuthenType: m.proxy_authen_type = load_be16(p); break;
    case AvpType::ProxyAuthenName: m.proxy_authen_name = text_of(v); break;
    case AvpType::ProxyAuthenChallenge: m.proxy_authen_challenge = octets_of(v); break;
    case AvpType::ProxyAuthenId: m.proxy_authen_id = load_be16(p); break;
    case AvpType::ProxyAuthenResponse: m.proxy_authen_response = octets_of(v); break;
    case AvpType::CallErrors:  // reserved (2) | 6 x 32-bit counters; reserved ignored
      m.call_errors = CallErrors{load_be32(p + 2),  load_be32(p + 6),  load_be32(p + 10),
                                 load_be32(p + 14), load_be32(p + 18), load_be32(p + 22)};
      break;
    case AvpType::Accm:  // reserved (2) | send (4) | receive (4); reserved ignored
      m.accm = Accm{load_be32(p + 2), load_be32(p + 6)};
      break;
    case AvpType::PrivateGroupId: m.private_group_id = octets_of(v); break;
    case AvpType::RxConnectSpeed: m.rx_connect_speed = load_be32(p); break;
    case AvpType::SequencingRequired: m.sequencing_required = true; break;
    case AvpType::MessageType:
    case AvpType::RandomVector:
      return Verdict::bad_value;  // handled by the walk, never stored here
  }
  // clang-format on
  return Verdict::ok;
}

std::string attribute_text(std::uint16_t vendor, std::uint16_t type) {
  if (vendor != 0) return std::to_string(vendor) + ":" + std::to_string(type);
  if (avp::spec(type) != nullptr) return std::string(avp_type_name(type));
  return std::to_string(type);
}

// Records the first fault of the message: the Result Code to send back is
// StopCCN 2 (general error) or, for session messages, CDN 2 (see error code).
void set_fault(Decoded& d, AvpFault::Kind kind, std::uint16_t vendor, std::uint16_t type,
               std::uint16_t error_code) {
  if (d.fault) return;
  const bool session = is_session_message(d.msg.type);
  std::string text;
  switch (kind) {
    case AvpFault::Kind::unknown_mandatory:
      text = "unknown mandatory AVP ";
      break;  // §4.4.2: name it
    case AvpFault::Kind::malformed_mandatory:
      text = "malformed AVP ";
      break;
    case AvpFault::Kind::missing_required:
      text = "missing AVP ";
      break;
  }
  text += attribute_text(vendor, type);
  d.fault = AvpFault{
      kind, vendor, type,
      ResultCode{session ? result::kCdnSeeError : result::kGeneralError, error_code, std::move(text)}};
}

// A hidden value revealed into `clear` (stack storage), or nullopt when it
// cannot be (no secret, no Random Vector before it, inner length too big).
struct Revealed {
  Bytes value;
  std::uint16_t error = error::kNoError;  // why not, when value is unusable
};
Revealed reveal(const avp::View& a, Bytes secret, const std::optional<Bytes>& rv,
                std::array<std::uint8_t, avp::kMaxValue>& clear) {
  if (secret.empty() || !rv) return {{}, error::kFieldOutOfRange};
  if (a.value.size() < avp::kHiddenLenField) return {{}, error::kLengthWrong};
  MutBytes buf(clear.data(), a.value.size());
  std::copy(a.value.begin(), a.value.end(), buf.begin());
  avp::reveal_in_place(a.type, buf, secret, *rv);
  const std::size_t len = load_be16(buf.data());
  if (len > buf.size() - avp::kHiddenLenField) return {{}, error::kLengthWrong};
  return {Bytes(buf.data() + avp::kHiddenLenField, len), error::kNoError};
}

}  // namespace

std::optional<MessageTypeAvp> peek_message_type(Bytes avps) noexcept {
  std::size_t pos = 0;
  auto first = avp::next(avps, pos);
  if (!first || first->vendor != 0 || first->type != static_cast<std::uint16_t>(AvpType::MessageType) ||
      first->reserved || first->hidden || first->value.size() != 2)
    return std::nullopt;
  return MessageTypeAvp{load_be16(first->value.data()), first->mandatory};
}

Result<Decoded> decode_control(Bytes avps, Bytes secret) {
  if (avps.empty()) return Error{Errc::malformed, "control message without AVPs"};
  std::size_t pos = 0;
  {
    auto first = avp::next(avps, pos);
    if (!first) return first.error();
  }
  const auto mt = peek_message_type(avps);
  if (!mt) return Error{Errc::malformed, "first AVP is not a Message Type AVP"};
  if (!is_known_message_type(mt->value)) return Error{Errc::unsupported, "unknown Message Type"};

  Decoded d;
  ControlMessage& m = d.msg;
  m.type = static_cast<MessageType>(mt->value);
  std::uint64_t present = avp::bit(static_cast<std::uint16_t>(AvpType::MessageType));
  std::optional<Bytes> rv;  // the last Random Vector seen so far
  std::array<std::uint8_t, avp::kMaxValue> clear;

  while (pos < avps.size()) {
    auto next = avp::next(avps, pos);
    if (!next) return next.error();
    const avp::View& a = *next;

    const avp::Spec* known = (a.vendor == 0 && !a.reserved) ? avp::spec(a.type) : nullptr;
    if (known == nullptr) {  // §4.1: unrecognized
      if (a.mandatory) {
        set_fault(d, AvpFault::Kind::unknown_mandatory, a.vendor, a.type, error::kUnknownMandatoryAvp);
        continue;
      }
      ++d.unknown_optional;
      if (a.reserved) continue;  // cannot be re-sent as received: drop
      Bytes value = a.value;
      if (a.hidden) {
        Revealed r = reveal(a, secret, rv, clear);
        if (r.error != error::kNoError) continue;
        value = r.value;
      }
      if (m.unrecognized.empty()) m.unrecognized.reserve(4);
      m.unrecognized.push_back(RawAvp{false, a.hidden, a.vendor, a.type, octets_of(value)});
      continue;
    }

    std::uint16_t bad = error::kNoError;
    if (a.type == static_cast<std::uint16_t>(AvpType::RandomVector)) {
      if (!a.hidden) {
        rv = a.value;
        continue;
      }
      bad = error::kFieldOutOfRange;  // §4.4.1: MUST NOT be hidden
    } else if (a.type == static_cast<std::uint16_t>(AvpType::MessageType)) {
      bad = error::kFieldOutOfRange;  // only as the first AVP
    } else {
      Bytes value = a.value;
      if (a.hidden) {
        Revealed r = reveal(a, secret, rv, clear);
        bad = r.error;
        value = r.value;
      }
      if (bad == error::kNoError) {
        switch (apply(m, a.type, value)) {
          case Verdict::ok:
            present |= avp::bit(a.type);
            break;
          case Verdict::bad_length:
            bad = error::kLengthWrong;
            break;
          case Verdict::bad_value:
            bad = error::kFieldOutOfRange;
            break;
        }
      }
    }
    if (bad != error::kNoError) {  // §7.1: malformed AVP
      if (a.mandatory)
        set_fault(d, AvpFault::Kind::malformed_mandatory, a.vendor, a.type, bad);
      else
        ++d.malformed_optional;
    }
  }

  if (!d.fault) {
    const std::uint64_t missing = avp::required_mask(m.type) & ~present;
    if (missing != 0) {
      const auto type = static_cast<std::uint16_t>(std::countr_zero(missing));
      set_fault(d, AvpFault::Kind::missing_required, 0, type, error::kFieldOutOfRange);
    }
  }
  return d;
}

}  // namespace l2sec::l2tp
