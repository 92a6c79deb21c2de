// Encoding a ControlMessage as the AVP list of an L2TPv2 control message
// (RFC 2661 §4.1, §4.3, §4.4).
//
//   Message Type | AVPs in Attribute Type order | unrecognized (as given)
//
// M bits follow the catalogue (§4.4, SPEC-NOTES §4.4 "M" column); with
// opt.hide every AVP whose "H" column allows it is hidden, and one 16-octet
// Random Vector AVP goes right before the first hidden AVP (§4.3). Raw AVPs
// keep their own M bit, and are hidden when they were received hidden and
// opt.hide is set.
//
// Two passes over the same list of AVPs: the first sizes the message and
// checks every value fits, the second writes into one push_back() of `out`,
// so a failed encode leaves `out` untouched and a good one grows it once.
#include <cassert>
#include <cstring>

#include "l2tp/avp.hpp"
#include "l2tp/message.hpp"

namespace l2sec::l2tp {
namespace {

// Our limit: an AVP list must fit a control message whose 16-bit Length also
// counts the 12-octet header (§3.1).
constexpr std::size_t kMaxAvpList = 0xFFFF - 12;

// One AVP to emit; its value is head (small, serialised by the visitor on
// its stack) followed by tail (borrowed from the message).
struct Item {
  std::uint16_t vendor;
  std::uint16_t type;
  bool mandatory;
  bool hide;
  Bytes head;
  Bytes tail;
  std::size_t value_size() const { return head.size() + tail.size(); }
  std::size_t wire_size() const { return avp::kHeaderLen + (hide ? avp::kHiddenLenField : 0) + value_size(); }
};

Bytes bytes_of(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// Calls f(Item) for every AVP of m, in wire order, Random Vector excluded.
template <class F>
void for_each_avp(const ControlMessage& m, bool hide, F&& f) {
  std::uint8_t b[26];
  auto ietf = [&](AvpType t, Bytes head, Bytes tail = {}) {
    const auto type = static_cast<std::uint16_t>(t);
    const avp::Spec& s = *avp::spec(type);
    f(Item{0, type, s.mandatory, hide && s.hideable, head, tail});
  };
  auto u16 = [&](AvpType t, const std::optional<std::uint16_t>& v) {
    if (!v) return;
    store_be16(b, *v);
    ietf(t, Bytes(b, 2));
  };
  auto u32 = [&](AvpType t, const std::optional<std::uint32_t>& v) {
    if (!v) return;
    store_be32(b, *v);
    ietf(t, Bytes(b, 4));
  };
  auto text = [&](AvpType t, const std::optional<std::string>& v) {
    if (v) ietf(t, {}, bytes_of(*v));
  };
  auto octets = [&](AvpType t, const std::optional<std::vector<std::uint8_t>>& v) {
    if (v) ietf(t, {}, Bytes(*v));
  };

  u16(AvpType::MessageType, static_cast<std::uint16_t>(m.type));
  if (m.result_code) {  // 8, 10 or 10+n (§4.4.2); a message needs an error code
    const ResultCode& rc = *m.result_code;
    store_be16(b, rc.result);
    const bool with_error = rc.error.has_value() || !rc.message.empty();
    if (with_error) store_be16(b + 2, rc.error.value_or(error::kNoError));
    ietf(AvpType::ResultCode, Bytes(b, with_error ? 4 : 2), bytes_of(rc.message));
  }
  if (m.protocol_version) {
    b[0] = m.protocol_version->version;
    b[1] = m.protocol_version->revision;
    ietf(AvpType::ProtocolVersion, Bytes(b, 2));
  }
  u32(AvpType::FramingCapabilities, m.framing_capabilities);
  u32(AvpType::BearerCapabilities, m.bearer_capabilities);
  if (m.tie_breaker) {
    store_be64(b, *m.tie_breaker);
    ietf(AvpType::TieBreaker, Bytes(b, 8));
  }
  u16(AvpType::FirmwareRevision, m.firmware_revision);
  text(AvpType::HostName, m.host_name);
  text(AvpType::VendorName, m.vendor_name);
  u16(AvpType::AssignedTunnelId, m.assigned_tunnel_id);
  u16(AvpType::ReceiveWindowSize, m.receive_window_size);
  octets(AvpType::Challenge, m.challenge);
  if (m.q931_cause) {  // cause (2) | message (1) | advisory
    store_be16(b, m.q931_cause->cause);
    b[2] = m.q931_cause->message;
    ietf(AvpType::Q931CauseCode, Bytes(b, 3), bytes_of(m.q931_cause->advisory));
  }
  if (m.challenge_response) ietf(AvpType::ChallengeResponse, {}, Bytes(*m.challenge_response));
  u16(AvpType::AssignedSessionId, m.assigned_session_id);
  u32(AvpType::CallSerialNumber, m.call_serial_number);
  u32(AvpType::MinimumBps, m.minimum_bps);
  u32(AvpType::MaximumBps, m.maximum_bps);
  u32(AvpType::BearerType, m.bearer_type);
  u32(AvpType::FramingType, m.framing_type);
  text(AvpType::CalledNumber, m.called_number);
  text(AvpType::CallingNumber, m.calling_number);
  text(AvpType::SubAddress, m.sub_address);
  u32(AvpType::TxConnectSpeed, m.tx_connect_speed);
  u32(AvpType::PhysicalChannelId, m.physical_channel_id);
  octets(AvpType::InitialReceivedLcpConfreq, m.initial_received_lcp_confreq);
  octets(AvpType::LastSentLcpConfreq, m.last_sent_lcp_confreq);
  octets(AvpType::LastReceivedLcpConfreq, m.last_received_lcp_confreq);
  u16(AvpType::ProxyAuthenType, m.proxy_authen_type);
  text(AvpType::ProxyAuthenName, m.proxy_authen_name);
  octets(AvpType::ProxyAuthenChallenge, m.proxy_authen_challenge);
  u16(AvpType::ProxyAuthenId, m.proxy_authen_id);
  octets(AvpType::ProxyAuthenResponse, m.proxy_authen_response);
  if (m.call_errors) {  // reserved (2) | 6 x 32-bit counters
    const CallErrors& e = *m.call_errors;
    store_be16(b, 0);
    store_be32(b + 2, e.crc);
    store_be32(b + 6, e.framing);
    store_be32(b + 10, e.hardware_overruns);
    store_be32(b + 14, e.buffer_overruns);
    store_be32(b + 18, e.timeouts);
    store_be32(b + 22, e.alignment);
    ietf(AvpType::CallErrors, Bytes(b, 26));
  }
  if (m.accm) {  // reserved (2) | send (4) | receive (4)
    store_be16(b, 0);
    store_be32(b + 2, m.accm->send);
    store_be32(b + 6, m.accm->receive);
    ietf(AvpType::Accm, Bytes(b, 10));
  }
  octets(AvpType::PrivateGroupId, m.private_group_id);
  u32(AvpType::RxConnectSpeed, m.rx_connect_speed);
  if (m.sequencing_required) ietf(AvpType::SequencingRequired, {});
  for (const RawAvp& r : m.unrecognized)
    f(Item{r.vendor, r.type, r.mandatory, hide && r.hidden, {}, Bytes(r.value)});
}

std::uint8_t* put_header(std::uint8_t* p, bool mandatory, bool hidden, std::size_t len, std::uint16_t vendor,
                         std::uint16_t type) {
  std::uint16_t word = static_cast<std::uint16_t>(len) & avp::kLengthMask;
  if (mandatory) word |= avp::kFlagM;
  if (hidden) word |= avp::kFlagH;
  store_be16(p, word);
  store_be16(p + 2, vendor);
  store_be16(p + 4, type);
  return p + avp::kHeaderLen;
}

std::uint8_t* put(std::uint8_t* p, Bytes b) {
  if (!b.empty()) std::memcpy(p, b.data(), b.size());
  return p + b.size();
}

}  // namespace

Result<void> encode_control(const ControlMessage& m, PacketBuf& out, const EncodeOptions& opt) {
  if (opt.hide && (opt.secret.empty() || opt.random == nullptr))
    return Error{Errc::invalid_state, "hiding AVPs needs a secret and a random source"};

  // Pass 1: size and check.
  std::size_t total = 0;
  bool any_hidden = false;
  bool fits = true;
  for_each_avp(m, opt.hide, [&](const Item& it) {
    if (it.wire_size() > avp::kMaxLen) fits = false;
    total += it.wire_size();
    any_hidden = any_hidden || it.hide;
  });
  if (!fits) return Error{Errc::out_of_range, "AVP value longer than an AVP can carry"};
  const std::size_t rv_avp = avp::kHeaderLen + avp::kRandomVectorLen;
  if (any_hidden) total += rv_avp;
  if (total > kMaxAvpList) return Error{Errc::out_of_range, "AVP list longer than a control message"};

  // Pass 2: write.
  std::uint8_t rv[avp::kRandomVectorLen];
  if (any_hidden) opt.random->fill(rv);
  std::uint8_t* const start = out.push_back(total);
  std::uint8_t* p = start;
  bool rv_written = false;
  for_each_avp(m, opt.hide, [&](const Item& it) {
    if (it.hide && !rv_written) {  // §4.3: the Random Vector precedes the first hidden AVP
      const auto rv_type = static_cast<std::uint16_t>(AvpType::RandomVector);
      p = put_header(p, avp::spec(rv_type)->mandatory, false, rv_avp, 0, rv_type);
      p = put(p, Bytes(rv));
      rv_written = true;
    }
    p = put_header(p, it.mandatory, it.hide, it.wire_size(), it.vendor, it.type);
    if (!it.hide) {
      p = put(put(p, it.head), it.tail);
      return;
    }
    std::uint8_t* sub = p;  // Original Length | value, then masked in place
    store_be16(p, static_cast<std::uint16_t>(it.value_size()));
    p = put(put(p + avp::kHiddenLenField, it.head), it.tail);
    avp::hide_in_place(it.type, MutBytes(sub, static_cast<std::size_t>(p - sub)), opt.secret, Bytes(rv));
  });
  assert(p == start + total);
  (void)start;
  return ok();
}

}  // namespace l2sec::l2tp
