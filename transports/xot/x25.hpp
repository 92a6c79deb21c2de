// The X.25 packet layer codec (ITU-T X.25 §5-§6, §7 facilities; SPEC-NOTES
// §7.3), as carried by XOT (RFC 1613) and as l2sec uses it for L2TP and
// the secured channel (DESIGN.md §3). Pure functions: no state, no clock,
// no allocation; a decoded Packet's byte fields are views into the input.
//
// Every packet starts with the same three octets:
//
//     8   7   6   5   4   3   2   1
//   +---+---+---+---+---------------+
//   | Q | D | modulo|     LCGN      |  GFI: modulo 01 = 8, 10 = 128
//   +---+---+---+---+---------------+
//   |              LCN              |  LCI = LCGN << 8 | LCN (12 bits)
//   +-------------------------------+
//   |   packet type identifier      |  bit 1 = 0: Data
//   +-------------------------------+
//
//   Data, modulo 8:    octet 3 = P(R) << 5 | M << 4 | P(S) << 1 | 0
//   Data, modulo 128:  octet 3 = P(S) << 1 | 0,   octet 4 = P(R) << 1 | M
//   RR/RNR/REJ mod 8:  octet 3 = P(R) << 5 | 0x01 / 0x05 / 0x09
//   RR/RNR/REJ mod 128: octet 3 = 0x01 / 0x05 / 0x09, octet 4 = P(R) << 1
//   Call Request / Incoming Call (0x0B), and optionally Call Accepted / Call
//   Connected (0x0F), Clear Request / Indication (0x13, after cause and
//   diagnostic) and Clear Confirmation (0x17) carry the address block:
//     calling length << 4 | called length (digits, 0-15),
//     BCD digits, called address first, high semi-octet first, padded with 0,
//     facility length, facilities, then Call User Data / Clear User Data.
//   Clear, Reset, Restart request: cause, diagnostic (the diagnostic octet
//   is optional in X.25 (1980); we accept a packet without it).
//   Interrupt (0x23): 1-32 octets of interrupt user data.
//   Interrupt, Reset, Restart confirmation (0x27, 0x1F, 0xFF): header only.
//   Diagnostic (0xF1, LCI 0): diagnostic code, explanation (up to the 4
//   header octets of the erroneous packet).
//   PVC Setup (0xF5, RFC 1613 §6.5, XOT only): see PvcSetup.
//
// Restart, Diagnostic and Registration have local DTE/DCE significance:
// over XOT they MUST NOT be sent and are discarded on receipt (RFC 1613
// §6.4). The codec still handles Restart and Diagnostic, for a local X.25
// interface and for tests; that choice belongs to the VC layer.
//
// In call setup and clearing packets the Q bit position is the A bit
// (address format). The A = 1 (TOA/NPI) address format is not implemented:
// such a packet with an address block fails as unsupported.
//
// Facilities (X.25 §7; SPEC-NOTES §7.3): the code's top two bits give the class (A: one
// parameter octet, B: two, C: three, D: a length octet then that many).
// Decoded: packet size (0x42, two octets: from the called DTE, from the
// calling DTE; log2 of the size, 4..12 = 16..4096 octets) and window size
// (0x43, same order; 1..127). Everything else, and everything after a
// facility marker (code 0x00: CCITT-specified DTE facilities or non-X.25
// facilities follow, whose codes mean other things), is skipped and
// counted (RFC 1613 §6.1: unknown facilities SHOULD be ignored).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::xot {

// ---- From the specification ----
// Packet type identifiers (X.25 §5-§6; SPEC-NOTES §7.3, as in Linux net/x25 and
// Wireshark's packet-x25.c).
inline constexpr std::uint8_t kPtiCallRequest = 0x0B;
inline constexpr std::uint8_t kPtiCallAccepted = 0x0F;
inline constexpr std::uint8_t kPtiClearRequest = 0x13;
inline constexpr std::uint8_t kPtiClearConfirmation = 0x17;
inline constexpr std::uint8_t kPtiInterrupt = 0x23;
inline constexpr std::uint8_t kPtiInterruptConfirmation = 0x27;
inline constexpr std::uint8_t kPtiResetRequest = 0x1B;
inline constexpr std::uint8_t kPtiResetConfirmation = 0x1F;
inline constexpr std::uint8_t kPtiRestartRequest = 0xFB;
inline constexpr std::uint8_t kPtiRestartConfirmation = 0xFF;
inline constexpr std::uint8_t kPtiDiagnostic = 0xF1;
inline constexpr std::uint8_t kPtiRegistrationRequest = 0xF3;
inline constexpr std::uint8_t kPtiRegistrationConfirmation = 0xF7;
inline constexpr std::uint8_t kPtiPvcSetup = 0xF5;  // RFC 1613 §6.5
inline constexpr std::uint8_t kPtiRr = 0x01;        // low 5 bits (mod 8) / whole octet (mod 128)
inline constexpr std::uint8_t kPtiRnr = 0x05;
inline constexpr std::uint8_t kPtiRej = 0x09;
inline constexpr std::uint8_t kPvcSetupVersion = 0x81;  // RFC 1613 §6.5

// Facility codes (X.25 §7; SPEC-NOTES §7.3, checked against Wireshark's packet-x25.c).
inline constexpr std::uint8_t kFacMarker = 0x00;
inline constexpr std::uint8_t kFacPacketSize = 0x42;
inline constexpr std::uint8_t kFacWindowSize = 0x43;

// Sizes. The largest X.25 packet size is 4096 octets of user data (packet
// size facility value 12, SPEC-NOTES §7.3); the longest header we decode is
// the 4-octet modulo-128 Data header (modulo 32768 is not implemented).
inline constexpr std::size_t kMinPacketLen = 3;  // GFI/LCGN, LCN, packet type
inline constexpr std::size_t kMaxUserData = 4096;
inline constexpr std::size_t kMaxPacketLen = 4 + kMaxUserData;
inline constexpr std::size_t kMaxAddressDigits = 15;      // 4-bit length field
inline constexpr std::size_t kMaxCallUserData = 128;      // with fast select (16 without)
inline constexpr std::size_t kMaxClearUserData = 128;     // fast select
inline constexpr std::size_t kMaxInterruptUserData = 32;  // X.25 (1984) [R]
inline constexpr std::size_t kMaxDiagnosticExplanation = 4;
inline constexpr std::uint16_t kMaxLci = 0x0FFF;

// ---- Packets ----
enum class Modulo : std::uint8_t { mod8, mod128 };

enum class Type : std::uint8_t {
  call_request,   // also Incoming Call (same coding, other direction)
  call_accepted,  // also Call Connected
  clear_request,  // also Clear Indication
  clear_confirmation,
  data,
  interrupt,
  interrupt_confirmation,
  rr,
  rnr,
  rej,
  reset_request,  // also Reset Indication
  reset_confirmation,
  restart_request,  // also Restart Indication
  restart_confirmation,
  diagnostic,
  pvc_setup,  // RFC 1613 §6.5 (XOT only)
};
std::string_view type_name(Type t) noexcept;

struct Header {
  bool q = false;  // Q bit (Data); the A bit in call setup and clearing packets
  bool d = false;  // D bit (delivery confirmation)
  Modulo modulo = Modulo::mod8;
  std::uint16_t lci = 0;  // logical channel identifier: LCGN (4 bits) << 8 | LCN
  friend bool operator==(const Header&, const Header&) = default;
};

// An X.121 address: up to 15 decimal digits, kept as ASCII.
struct Address {
  std::uint8_t len = 0;
  std::array<char, kMaxAddressDigits> digits{};
  // Fails with malformed for a non-digit, out_of_range for more than 15.
  static Result<Address> parse(std::string_view s);
  std::string_view view() const { return {digits.data(), len}; }
  friend bool operator==(const Address& a, const Address& b) { return a.view() == b.view(); }
};

// A pair of flow control parameters, in the facility's order (SPEC-NOTES §7.3).
struct FlowPair {
  std::uint16_t from_called = 0;   // direction of transmission from the called DTE
  std::uint16_t from_calling = 0;  // from the calling DTE
  friend bool operator==(const FlowPair&, const FlowPair&) = default;
};

struct Facilities {
  std::optional<FlowPair> packet_size;  // octets: a power of two, 16..4096
  std::optional<FlowPair> window_size;  // packets: 1..127
  // Decode only: how many facilities were skipped (not encoded back).
  std::uint8_t ignored = 0;
  bool empty() const { return !packet_size && !window_size; }
  friend bool operator==(const Facilities&, const Facilities&) = default;
};

// PVC Setup (RFC 1613 §6.5): the XOT-only packet that binds two PVCs.
struct PvcSetup {
  std::uint8_t status = 0;  // 0x00 waiting to connect ... 0x12 connected (§6.5 table)
  std::uint16_t initiator_lcn = 0;
  std::uint16_t responder_lcn = 0;
  std::uint8_t in_window = 0;   // sender's incoming window
  std::uint8_t out_window = 0;  // sender's outgoing window
  std::uint8_t in_packet = 0;   // sender's incoming max packet size, log2 (7 = 128)
  std::uint8_t out_packet = 0;  // sender's outgoing max packet size, log2
  Bytes initiator_name;         // interface names, at most 255 octets each
  Bytes responder_name;
};

// One decoded (or to be encoded) packet. Which fields mean something
// depends on `type`; the others stay at their defaults.
struct Packet {
  Header hdr;
  Type type = Type::data;
  std::uint8_t ps = 0;  // Data: P(S)
  std::uint8_t pr = 0;  // Data, RR, RNR, REJ: P(R)
  bool m = false;       // Data: more data follows in this complete packet sequence
  // Clear/Reset/Restart request: cause; Diagnostic: the diagnostic code.
  std::uint8_t cause = 0;
  // Clear/Reset/Restart request: the diagnostic code, when present.
  std::optional<std::uint8_t> diagnostic;
  // Call Request always carries the address block and facility field; Call
  // Accepted, Clear Request and Clear Confirmation carry them when
  // `has_call_fields` (decode: present on the wire; encode: write them).
  bool has_call_fields = false;
  Address called;
  Address calling;
  Facilities facilities;
  // Data: user data; Call Request/Accepted: Call User Data; Clear Request:
  // Clear User Data; Interrupt: interrupt user data; Diagnostic: the
  // explanation. A view: into the decoded input, or the caller's bytes.
  Bytes user_data;
  PvcSetup pvc;  // type pvc_setup only

  // Header octets of this packet on the wire (4 for modulo-128 Data and
  // flow control, 3 otherwise).
  std::size_t header_size() const;
};

// Decodes one X.25 packet (one XOT payload). Every failure counts one of:
//   x25_rx_too_short      shorter than its type requires (X.25 diag 38)
//   x25_rx_too_long       octets beyond what its type carries, or user data
//                         over its limit (diag 39)
//   x25_rx_bad_gfi        modulo bits 00 or 11 (extended, not implemented)
//   x25_rx_unknown_type   packet type not in X.25 for this modulo (diag 33)
//   x25_rx_unsupported    registration packets, A-bit address format, a PVC
//                         setup version other than 0x81
//   x25_rx_bad_lci        restart or diagnostic on a channel other than 0
//   x25_rx_bad_address    a semi-octet above 9
//   x25_rx_bad_facilities facility field running past its length or the
//                         packet, packet size or window value not allowed
// and returns truncated (too short), malformed or unsupported.
// On success the only counter moved is x25_rx_facility_ignored, by the
// number of facilities skipped (not a failure).
Result<Packet> decode(Bytes pkt, Counters& counters);

// The encoded size of p, or an error (see encode).
Result<std::size_t> encoded_size(const Packet& p);

// Appends the encoding of p to out (normally empty, with headroom for the
// XOT header). Fails, appending nothing, with:
//   out_of_range  a field beyond its bits or limit: LCI > 4095, P(S)/P(R)
//                 >= the modulus, a user data field over its limit (or an
//                 empty interrupt), a packet size not a power of two in
//                 16..4096, a window outside 1..127, an address over 15
//                 digits, an interface name over 255 octets, restart or
//                 diagnostic on a channel other than 0;
//   malformed     an address digit that is not 0-9, or fields the type
//                 cannot carry together (Clear User Data without the call
//                 fields, call fields on a Clear Request without a
//                 diagnostic, user data on a Clear Confirmation);
//   unsupported   the A bit set on a packet with an address block.
Result<void> encode(const Packet& p, PacketBuf& out);

// The Data header alone, prepended to the user data already in pkt (the
// zero-copy path of a one-packet PDU). Same checks as encode.
Result<void> push_data_header(const Header& hdr, std::uint8_t ps, std::uint8_t pr, bool m, PacketBuf& pkt);

// Packet size in octets <-> its facility value (log2); nullopt when not one
// of 16, 32, ... 4096 (values 4..12).
std::optional<std::uint8_t> packet_size_code(std::size_t octets) noexcept;
std::optional<std::size_t> packet_size_octets(std::uint8_t code) noexcept;

// ---- Call User Data: what a VC carries (RFC 1356 §3.2, DESIGN.md §3) ----
inline constexpr std::uint8_t kNlpidSnap = 0x80;  // SNAP header follows in the CUD
inline constexpr std::uint8_t kNlpidIpv4 = 0xCC;

struct SnapCodePoint {
  std::array<std::uint8_t, 3> oui{};
  std::uint16_t pid = 0;
  friend bool operator==(const SnapCodePoint&, const SnapCodePoint&) = default;
};
// Clear L2TP: IANA OUI, PID 0x0007 (RFC 3070 / RFC 3355's code point).
inline constexpr SnapCodePoint kL2tpCodePoint{{0x00, 0x00, 0x5E}, 0x0007};
// The shipped default of the secured channel: PID 0x0042 is reserved by
// IANA for documentation (RFC 7042 §3.2): fine in a lab, configure your own.
inline constexpr SnapCodePoint kDefaultSecuredCodePoint{{0x00, 0x00, 0x5E}, 0x0042};

enum class CudKind : std::uint8_t { clear_l2tp, secured, ipv4 };

inline constexpr std::size_t kMaxOurCudLen = 6;  // 0x80 + OUI(3) + PID(2)
// Writes the CUD of a VC of kind k into storage and returns the used part.
Bytes make_cud(CudKind k, const SnapCodePoint& secured, std::array<std::uint8_t, kMaxOurCudLen>& storage);

// What a received Call Request's CUD asks for. Octets after the protocol
// identification are ignored (RFC 1356 §3.2: receivers MUST ignore them).
// If the secured code point is configured equal to L2TP's, clear_l2tp wins.
// Fails with unsupported (counting x25_rx_cud_unknown) for an empty CUD, a
// truncated SNAP header, another NLPID (null encapsulation 0x00 included)
// or another SNAP code point.
Result<CudKind> classify_cud(Bytes cud, const SnapCodePoint& secured, Counters& counters);

}  // namespace l2sec::transports::xot
