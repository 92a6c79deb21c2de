// RFC 2684 encapsulation of the AAL5 SDU, for the PDU kinds l2sec carries
// on an ATM circuit (DESIGN.md §3, SPEC-NOTES §2.2, §3.2, §7.1).
//
// LLC encapsulation (RFC 2684 §5.1; RFC 3355 §5):
//   +------+------+------+------+------+------+------+------+-----------
//   | DSAP | SSAP | Ctrl |         OUI        |     PID     | payload
//   |  AA  |  AA  |  03  |                    |             |
//   +------+------+------+------+------+------+------+------+-----------
//   clear L2TP (RFC 3355):   AA AA 03 00 00 5E 00 07 | L2TP packet
//   secured channel:         AA AA 03 <OUI>   <PID>  | dispatch | PDU
//                            (default 00-00-5E / 0x0042, configurable)
//   IPv4 (RFC 2684 §5.1):    AA AA 03 00 00 00 08 00 | IPv4 packet
// VC multiplexing (RFC 2684 §6; RFC 3355 §6): no header; the VC is
// configured for one protocol (clear L2TP, the secured channel, or IPv4),
// and a secured-channel payload still starts with its dispatch octet.
//
// Secured-channel dispatch octet (an IANA protocol number):
//   50 ESP (Next Header 115 inside)  17 IP-less UDP (IKE)  115 clear L2TP.
//
// classify() maps a received SDU to (kind, PDU) and counts what it drops;
// anything else (other SNAP code points, routed ISO NLPIDs FE FE 03,
// bridged PDUs) is "other": counted (atm_llc_rx_other) and dropped. The
// encoders write the same headers in front of a PDU.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::atm {

// From the specifications.
inline constexpr std::size_t kLlcSnapSize = 8;  // LLC (3) + SNAP OUI (3) + PID (2)
inline constexpr std::uint8_t kLlcSnapDsap = 0xAA, kLlcSnapSsap = 0xAA, kLlcUi = 0x03;
inline constexpr std::uint8_t kDispatchEsp = 50;
inline constexpr std::uint8_t kDispatchUdp = 17;
inline constexpr std::uint8_t kDispatchL2tp = 115;

struct SnapCodePoint {
  std::array<std::uint8_t, 3> oui{};
  std::uint16_t pid = 0;
  friend constexpr bool operator==(const SnapCodePoint&, const SnapCodePoint&) = default;
};
// RFC 3355 §5 (IANA OUI, PID 0x0007 = L2TP).
inline constexpr SnapCodePoint kSnapL2tp{{0x00, 0x00, 0x5E}, 0x0007};
// RFC 2684 §5.1: OUI 00-00-00, PID = EtherType.
inline constexpr SnapCodePoint kSnapIpv4{{0x00, 0x00, 0x00}, 0x0800};
// Our choice (DESIGN.md §3): RFC 7042 §3.2 reserves 00-00-5E / 0x0042 for
// documentation: fine in a lab, operators configure their own OUI.
inline constexpr SnapCodePoint kDefaultSecuredCodePoint{{0x00, 0x00, 0x5E}, 0x0042};

enum class Encapsulation : std::uint8_t { llc, vc_mux };
// What a VC-multiplexed VC carries (configured, RFC 3355 §4).
enum class VcMuxProtocol : std::uint8_t { l2tp, secured, ipv4 };

enum class PduKind : std::uint8_t {
  clear_l2tp,    // L2TP code point (or VC-mux L2TP VC)
  esp,           // secured channel, dispatch 50
  ipless_udp,    // secured channel, dispatch 17
  secured_l2tp,  // secured channel, dispatch 115
  ipv4,          // LLC EtherType 0x0800 (or VC-mux IPv4 VC)
};

struct Rfc2684Config {
  Encapsulation encapsulation = Encapsulation::llc;
  SnapCodePoint secured = kDefaultSecuredCodePoint;
  VcMuxProtocol vc_mux = VcMuxProtocol::l2tp;  // used when encapsulation == vc_mux
};

// Errc::malformed if the secured code point equals the L2TP or the IPv4
// one (the receiver could not tell them apart).
Result<void> validate(const Rfc2684Config& cfg) noexcept;

struct Classified {
  PduKind kind;
  Bytes pdu;  // after LLC/SNAP and dispatch: a view into the SDU
};

// Classifies an AAL5 SDU. Errors, each counted in ctr:
//   Errc::truncated    shorter than the LLC/SNAP header, or no dispatch
//                      octet, or an empty VC-mux SDU          atm_llc_rx_truncated
//   Errc::unsupported  another protocol (LLC/SNAP code point, NLPID, or a
//                      VC-mux VC's kind the caller does not take)  atm_llc_rx_other
//   Errc::malformed    dispatch octet not 50, 17, 115         atm_rx_bad_dispatch
Result<Classified> classify(Bytes sdu, const Rfc2684Config& cfg, Counters& ctr) noexcept;

// The header that goes in front of a PDU of `kind`: LLC/SNAP and dispatch,
// or for VC-mux the dispatch alone (secured VC) or nothing.
// Errc::invalid_state if a VC-mux VC is not configured for `kind`.
struct Rfc2684Header {
  std::array<std::uint8_t, kLlcSnapSize + 1> bytes{};
  std::size_t size = 0;
  Bytes view() const noexcept { return Bytes(bytes.data(), size); }
};
Result<Rfc2684Header> header_for(PduKind kind, const Rfc2684Config& cfg) noexcept;

// Prepends header_for(kind) to the PDU in pkt (its headroom). Same errors.
Result<void> encapsulate(PacketBuf& pkt, PduKind kind, const Rfc2684Config& cfg);

}  // namespace l2sec::transports::atm
