// RFC 2427 multiprotocol encapsulation after the Q.922 address (RFC 2427
// §3, §4.1; SPEC-NOTES §7.2), with the code points l2sec carries on Frame
// Relay (DESIGN.md §3):
//
//   clear L2TP (RFC 3070 §2.1):  03 | 00 | 80 | 00 00 5E | 00 07 | L2TP
//   secured channel:             03 | 00 | 80 | OUI(3)   | PID(2) | dispatch | PDU
//        dispatch 50 = ESP, 17 = IP-less UDP (8-octet UDP header, then ISAKMP),
//        115 = clear L2TP inside the secured channel
//   real IPv4 / IPv6:            03 | CC | IPv4 datagram      03 | 8E | IPv6 datagram
//   LMI (Q.933 Annex A, ANSI T1.617 Annex D on DLCI 0; Cisco on DLCI 1023):
//                                03 | 08 (or 09) ... the protocol discriminator is the
//                                first octet of the LMI message and stays with it
//
// 03 is the Q.922 UI control field; 00 the pad that 2-aligns what follows
// a SNAP header; 80 the NLPID of SNAP (OUI + PID); CC, 8E, 08 the NLPIDs of
// IPv4, IPv6 and Q.933 (ISO/IEC TR 9577, RFC 2427 App. A); 09 is Cisco
// LMI's protocol discriminator (Linux NLPID_CISCO_LMI).
//
// On receive we accept what RFC 2427 allows and a little more (Postel): the
// pad is optional before any NLPID, SNAP included. We send exactly the forms
// above (pad before SNAP only, as §4.1 shows).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::fr {

// From the specifications.
inline constexpr std::uint8_t kControlUi = 0x03;      // Q.922 UI, RFC 2427 §3
inline constexpr std::uint8_t kPad = 0x00;            // RFC 2427 §3 (NLPID 0x00 is invalid)
inline constexpr std::uint8_t kNlpidQ933 = 0x08;      // RFC 2427 App. A
inline constexpr std::uint8_t kNlpidCiscoLmi = 0x09;  // Cisco LMI protocol discriminator
inline constexpr std::uint8_t kNlpidSnap = 0x80;      // RFC 2427 §4.1
inline constexpr std::uint8_t kNlpidIpv6 = 0x8E;      // RFC 2427 App. A
inline constexpr std::uint8_t kNlpidIpv4 = 0xCC;      // RFC 2427 §4.1
inline constexpr std::array<std::uint8_t, 3> kIanaOui{0x00, 0x00, 0x5E};
inline constexpr std::uint16_t kPidL2tp = 0x0007;  // RFC 3070 §2.1 (RFC 7042 §3.1)
// The project's secured channel (DESIGN.md §3): IP protocol numbers.
inline constexpr std::uint8_t kDispatchUdp = 17;
inline constexpr std::uint8_t kDispatchEsp = 50;
inline constexpr std::uint8_t kDispatchL2tp = 115;

// What a frame carries.
enum class Kind : std::uint8_t {
  clear_l2tp,    // SNAP 00-00-5E / 0x0007 (RFC 3070)
  esp,           // secured code point, dispatch 50
  ipless_udp,    // secured code point, dispatch 17
  secured_l2tp,  // secured code point, dispatch 115 (clear L2TP in the secured channel)
  ipv4,          // NLPID 0xCC
  ipv6,          // NLPID 0x8E
  lmi,           // NLPID 0x08 or 0x09 on a signalling DLCI (q922.hpp is_signalling_dlci)
  other,         // anything else we do not carry (counted as unsupported)
};
std::string_view kind_name(Kind k) noexcept;

// The secured channel's SNAP code point: configuration. The default is
// IANA's documentation PID (RFC 7042 §2.1.2 / §3.1), fine in a lab only.
struct SecuredCodePoint {
  std::array<std::uint8_t, 3> oui = kIanaOui;
  std::uint16_t pid = 0x0042;
  friend bool operator==(const SecuredCodePoint&, const SecuredCodePoint&) = default;
};
// Refuses (Errc::exists) the clear-L2TP code point 00-00-5E/0007: a frame
// on it could not be told apart from RFC 3070 clear L2TP.
Result<void> validate(const SecuredCodePoint& cp);

// Octets write_header puts in front of a PDU of kind k: 8 (clear L2TP),
// 9 (secured kinds), 2 (IPv4, IPv6), 1 (LMI: the control field), 0 (other).
constexpr std::size_t header_size(Kind k) {
  switch (k) {
    case Kind::clear_l2tp:
      return 8;
    case Kind::esp:
    case Kind::ipless_udp:
    case Kind::secured_l2tp:
      return 9;
    case Kind::ipv4:
    case Kind::ipv6:
      return 2;
    case Kind::lmi:
      return 1;
    case Kind::other:
      return 0;
  }
  return 0;
}
inline constexpr std::size_t kMaxHeaderSize = 9;

// Writes the header of kind k into out[0 .. header_size(k)) and returns
// header_size(k). Kind::other writes nothing.
std::size_t write_header(Kind k, const SecuredCodePoint& cp, std::uint8_t* out) noexcept;

// Prepends the header of kind k into pkt's headroom. Fails with
// unsupported for Kind::other (pkt unchanged). Which DLCI may carry which
// kind is the caller's to check (frame.hpp does).
Result<void> push_header(Kind k, const SecuredCodePoint& cp, PacketBuf& pkt);

// A classified header: its kind and how many octets to strip before the
// PDU (the LMI protocol discriminator and, for Kind::other, everything stay).
struct Header {
  Kind kind = Kind::other;
  std::uint8_t size = 0;
};

// Classifies what follows the Q.922 address. `signalling_dlci` says the
// frame came on DLCI 0 or the all-ones DLCI (q922.hpp). Outcomes:
// - a kind we carry: {kind, size};
// - Kind::other (size 0), counted once, for what is well formed but not
//   ours to carry: fr_rx_not_ui (control not 0x03: Cisco encapsulation, XID,
//   LAPF I/S frames), fr_rx_unsupported_nlpid (CLNP, PPP, FRF.9 ...; also
//   Q.933/Cisco LMI discriminators on a data DLCI, RFC 2427 §5),
//   fr_rx_unsupported_snap (SNAP other than clear L2TP and `cp`);
// - an error, counted once:
//   fr_rx_hdr_truncated           Errc::truncated  ends before the NLPID, SNAP header or dispatch
//   fr_rx_nlpid_null              Errc::malformed  NLPID 0x00 after the pad (RFC 2427 §3)
//   fr_rx_bad_dispatch            Errc::malformed  secured code point, dispatch not 50/17/115
//   fr_rx_data_on_signalling_dlci Errc::malformed  L2TP, ESP, IKE or IP on DLCI 0 / all-ones
Result<Header> read_header(Bytes after_address, const SecuredCodePoint& cp, bool signalling_dlci,
                           Counters& counters);

// read_header, then strips header.size octets from pkt (unchanged on error).
Result<Kind> pull_header(PacketBuf& pkt, const SecuredCodePoint& cp, bool signalling_dlci,
                         Counters& counters);

}  // namespace l2sec::transports::fr
