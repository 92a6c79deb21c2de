// L2TPv2 control messages (RFC 2661 §3.2, §4.4, §6) as typed values, and
// their AVP encoding (§4.1) including hidden AVPs (§4.3).
//
// AVP layout (§4.1):
//   |M|H| rsvd  |      Length       |           Vendor ID           |
//   |         Attribute Type        |        Attribute Value...
//
// decode_control() turns the AVP list of one control message (the bytes
// after the 12-octet header) into a ControlMessage; encode_control() does the
// reverse. Every AVP of RFC 2661 §4.4 has a typed field. Unknown and vendor
// AVPs are kept in `unrecognized` (both directions), so a gateway can relay or
// log them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"
#include "crypto/random.hpp"

namespace l2sec::l2tp {

// Message types (§3.2, IANA registry of §10.2).
enum class MessageType : std::uint16_t {
  SCCRQ = 1, SCCRP = 2, SCCCN = 3, StopCCN = 4, HELLO = 6,
  OCRQ = 7, OCRP = 8, OCCN = 9, ICRQ = 10, ICRP = 11, ICCN = 12,
  CDN = 14, WEN = 15, SLI = 16,
};
std::string_view message_type_name(MessageType t) noexcept;  // "SCCRQ", ... "type 99" (">255" above)
bool is_known_message_type(std::uint16_t v) noexcept;
// Session-scoped messages (ICRQ..CDN, WEN, SLI; the outgoing-call messages
// OCRQ, OCRP, OCCN too): an unknown mandatory AVP in them clears the session,
// not the tunnel (§4.1).
bool is_session_message(MessageType t) noexcept;

// Attribute types (§4.4).
enum class AvpType : std::uint16_t {
  MessageType = 0, ResultCode = 1, ProtocolVersion = 2, FramingCapabilities = 3,
  BearerCapabilities = 4, TieBreaker = 5, FirmwareRevision = 6, HostName = 7, VendorName = 8,
  AssignedTunnelId = 9, ReceiveWindowSize = 10, Challenge = 11, Q931CauseCode = 12,
  ChallengeResponse = 13, AssignedSessionId = 14, CallSerialNumber = 15, MinimumBps = 16,
  MaximumBps = 17, BearerType = 18, FramingType = 19, CalledNumber = 21, CallingNumber = 22,
  SubAddress = 23, TxConnectSpeed = 24, PhysicalChannelId = 25, InitialReceivedLcpConfreq = 26,
  LastSentLcpConfreq = 27, LastReceivedLcpConfreq = 28, ProxyAuthenType = 29,
  ProxyAuthenName = 30, ProxyAuthenChallenge = 31, ProxyAuthenId = 32, ProxyAuthenResponse = 33,
  CallErrors = 34, Accm = 35, RandomVector = 36, PrivateGroupId = 37, RxConnectSpeed = 38,
  SequencingRequired = 39,
};
std::string_view avp_type_name(std::uint16_t type) noexcept;  // "Host Name", ... "unknown AVP"

// Result codes (§4.4.2).
namespace result {
// StopCCN
inline constexpr std::uint16_t kGeneralClear = 1;
inline constexpr std::uint16_t kGeneralError = 2;
inline constexpr std::uint16_t kChannelExists = 3;
inline constexpr std::uint16_t kNotAuthorized = 4;
inline constexpr std::uint16_t kUnsupportedVersion = 5;
inline constexpr std::uint16_t kShuttingDown = 6;
inline constexpr std::uint16_t kFsmError = 7;
// CDN
inline constexpr std::uint16_t kLossOfCarrier = 1;
inline constexpr std::uint16_t kCdnSeeError = 2;
inline constexpr std::uint16_t kAdministrative = 3;
inline constexpr std::uint16_t kNoFacilitiesTemporary = 4;
inline constexpr std::uint16_t kNoFacilitiesPermanent = 5;
inline constexpr std::uint16_t kInvalidDestination = 6;
inline constexpr std::uint16_t kNotEstablishedInTime = 10;
}  // namespace result
namespace error {
inline constexpr std::uint16_t kNoError = 0;
inline constexpr std::uint16_t kNoControlConnection = 1;
inline constexpr std::uint16_t kLengthWrong = 2;
inline constexpr std::uint16_t kFieldOutOfRange = 3;
inline constexpr std::uint16_t kInsufficientResources = 4;
inline constexpr std::uint16_t kInvalidSessionId = 5;
inline constexpr std::uint16_t kVendorSpecific = 6;
inline constexpr std::uint16_t kTryAnother = 7;
inline constexpr std::uint16_t kUnknownMandatoryAvp = 8;
}  // namespace error

// Bits of Framing/Bearer Capabilities and Framing/Bearer Type (§4.4.3, §4.4.5).
inline constexpr std::uint32_t kFramingSync = 0x1;
inline constexpr std::uint32_t kFramingAsync = 0x2;
inline constexpr std::uint32_t kBearerDigital = 0x1;
inline constexpr std::uint32_t kBearerAnalog = 0x2;

struct ResultCode {
  std::uint16_t result = 0;
  std::optional<std::uint16_t> error;  // present when the AVP is 10+ octets
  std::string message;                 // optional UTF-8 text (needs error)
  friend bool operator==(const ResultCode&, const ResultCode&) = default;
};
struct ProtocolVersion {
  std::uint8_t version = 1;
  std::uint8_t revision = 0;
  friend bool operator==(const ProtocolVersion&, const ProtocolVersion&) = default;
};
struct Q931Cause {
  std::uint16_t cause = 0;
  std::uint8_t message = 0;
  std::string advisory;
  friend bool operator==(const Q931Cause&, const Q931Cause&) = default;
};
struct CallErrors {
  std::uint32_t crc = 0, framing = 0, hardware_overruns = 0, buffer_overruns = 0, timeouts = 0,
                alignment = 0;
  friend bool operator==(const CallErrors&, const CallErrors&) = default;
};
struct Accm {
  std::uint32_t send = 0xFFFFFFFF;
  std::uint32_t receive = 0xFFFFFFFF;
  friend bool operator==(const Accm&, const Accm&) = default;
};
// An AVP we keep as bytes: vendor AVPs, unknown IETF AVPs (M=0 only: an
// unknown M=1 AVP makes the message fail, see Decoded).
struct RawAvp {
  bool mandatory = false;
  bool hidden = false;  // as received; its value is already revealed
  std::uint16_t vendor = 0;
  std::uint16_t type = 0;
  std::vector<std::uint8_t> value;
  friend bool operator==(const RawAvp&, const RawAvp&) = default;
};

struct ControlMessage {
  MessageType type = MessageType::HELLO;

  std::optional<ResultCode> result_code;
  std::optional<ProtocolVersion> protocol_version;
  std::optional<std::uint32_t> framing_capabilities;
  std::optional<std::uint32_t> bearer_capabilities;
  std::optional<std::uint64_t> tie_breaker;
  std::optional<std::uint16_t> firmware_revision;
  std::optional<std::string> host_name;
  std::optional<std::string> vendor_name;
  std::optional<std::uint16_t> assigned_tunnel_id;
  std::optional<std::uint16_t> receive_window_size;
  std::optional<std::vector<std::uint8_t>> challenge;
  std::optional<Q931Cause> q931_cause;
  std::optional<std::array<std::uint8_t, 16>> challenge_response;
  std::optional<std::uint16_t> assigned_session_id;
  std::optional<std::uint32_t> call_serial_number;
  std::optional<std::uint32_t> minimum_bps;
  std::optional<std::uint32_t> maximum_bps;
  std::optional<std::uint32_t> bearer_type;
  std::optional<std::uint32_t> framing_type;
  std::optional<std::string> called_number;
  std::optional<std::string> calling_number;
  std::optional<std::string> sub_address;
  std::optional<std::uint32_t> tx_connect_speed;
  std::optional<std::uint32_t> physical_channel_id;
  std::optional<std::vector<std::uint8_t>> initial_received_lcp_confreq;
  std::optional<std::vector<std::uint8_t>> last_sent_lcp_confreq;
  std::optional<std::vector<std::uint8_t>> last_received_lcp_confreq;
  std::optional<std::uint16_t> proxy_authen_type;
  std::optional<std::string> proxy_authen_name;
  std::optional<std::vector<std::uint8_t>> proxy_authen_challenge;
  std::optional<std::uint16_t> proxy_authen_id;
  std::optional<std::vector<std::uint8_t>> proxy_authen_response;
  std::optional<CallErrors> call_errors;
  std::optional<Accm> accm;
  std::optional<std::vector<std::uint8_t>> private_group_id;
  std::optional<std::uint32_t> rx_connect_speed;
  bool sequencing_required = false;

  std::vector<RawAvp> unrecognized;

  friend bool operator==(const ControlMessage&, const ControlMessage&) = default;
};

// Why a received message cannot be accepted as it stands (§4.1, §7.1).
struct AvpFault {
  enum class Kind : std::uint8_t {
    unknown_mandatory,  // M=1 AVP we do not know (incl. reserved bits set)
    malformed_mandatory,// M=1 AVP with a wrong length or value, or hidden without a secret
    missing_required,   // an AVP §6 requires for this type is absent
  };
  Kind kind;
  std::uint16_t vendor = 0;
  std::uint16_t attribute = 0;
  // The Result Code to send back: StopCCN 2/error, or CDN 2/error for
  // session messages. error = 8 for unknown_mandatory, 2 for wrong length,
  // 3 for a bad value or a missing AVP.
  ResultCode to_send;
};

struct Decoded {
  ControlMessage msg;
  // Set when the message must clear the tunnel (or the session, when
  // is_session_message(msg.type)). Malformed M=0 AVPs are ignored and only
  // counted (see malformed_optional).
  std::optional<AvpFault> fault;
  std::uint16_t malformed_optional = 0;  // M=0 AVPs ignored as malformed
  std::uint16_t unknown_optional = 0;    // M=0 AVPs not recognised
};

// Decodes the AVP list of one control message.
//   avps:   the bytes after the control header (Length-bounded).
//   secret: the tunnel secret, for hidden AVPs (may be empty).
// Fails (Errc::malformed, Errc::truncated) when the list cannot be walked:
// an AVP length < 6 or past the end, a first AVP that is not Message Type,
// or an empty list (a ZLB has no AVPs and is handled by the caller). An
// unknown Message Type value fails with Errc::unsupported (the caller clears
// the tunnel if the Message Type AVP had M set, §4.4.1). Everything else
// decodes, with `fault` set where the standard says to clear.
// Details: the first fault found is kept; value checks are Assigned
// Tunnel/Session ID and Receive Window Size not 0; an AVP seen twice keeps
// the last value; a hidden AVP that cannot be revealed (no secret, no Random
// Vector before it) is malformed (error 3); known AVPs are revealed even when
// §4.4 says they should not be hidden, except Message Type and Random Vector.
Result<Decoded> decode_control(Bytes avps, Bytes secret);

// The leading Message Type AVP of an AVP list, without decoding the rest:
// its value and M bit, so that when decode_control() fails with unsupported
// the caller can tell whether §4.4.1 says to clear the tunnel (M=1) or to
// ignore the message (M=0). nullopt when the list does not start with a
// well-formed Message Type AVP (vendor 0, no reserved or H bit, Length 8).
struct MessageTypeAvp {
  std::uint16_t value = 0;
  bool mandatory = false;
};
std::optional<MessageTypeAvp> peek_message_type(Bytes avps) noexcept;

struct EncodeOptions {
  Bytes secret;                        // tunnel secret; needed to hide
  bool hide = false;                   // hide every AVP §4.4 allows to hide
  crypto::Random* random = nullptr;    // Random Vector source; required when hide
};

// Appends the AVPs of m to out (Message Type first, then the others in
// type order, then `unrecognized`). With hide: a Random Vector AVP
// (16 octets) precedes the first hidden AVP. Fails with out_of_range when a
// value does not fit an AVP (1023 octets) and invalid_state when hiding is
// asked without a secret or random source. A Result Code whose message is
// set without an error code is sent with error 0 (the message needs one).
// On failure `out` is left as it was.
Result<void> encode_control(const ControlMessage& m, PacketBuf& out, const EncodeOptions& opt = {});

// Hidden AVP value (§4.3, attribute number hashed as RFC 3931 §5.3 says).
// hide_value: value -> subformat (length(2) | value | pad) XOR MD5 chain
// (the `pad` octets are zeros before masking).
// reveal_value: the reverse; fails (malformed) when the inner length exceeds
// the AVP.
std::vector<std::uint8_t> hide_value(std::uint16_t attribute, Bytes value, Bytes secret,
                                     Bytes random_vector, std::size_t pad = 0);
Result<std::vector<std::uint8_t>> reveal_value(std::uint16_t attribute, Bytes hidden, Bytes secret,
                                               Bytes random_vector);

// Tunnel authentication (§5.1.1, CHAP per RFC 1994):
//   MD5(message type of the carrier | secret | challenge)
// with 2 for SCCRP and 3 for SCCCN.
std::array<std::uint8_t, 16> challenge_response(MessageType carrier, Bytes secret, Bytes challenge);

}  // namespace l2sec::l2tp
