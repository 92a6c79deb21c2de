// Q.922 address field of a Frame Relay frame (ITU-T Q.922 §3.2, Figure 3;
// SPEC-NOTES §7.2). Two, three or four octets; the EA bit (bit 1) of each
// octet is 0 except in the last one:
//
//   bit:  8   7   6   5   4   3   2   1
//   2 octets:
//       | DLCI[9:4]               |C/R| 0 |
//       | DLCI[3:0]     |FECN|BECN|DE | 1 |       10-bit DLCI
//   3 octets:
//       | DLCI[15:10]             |C/R| 0 |
//       | DLCI[9:6]     |FECN|BECN|DE | 0 |
//       | DLCI[5:0]               |D/C| 1 |       16-bit DLCI
//   4 octets:
//       | DLCI[22:17]             |C/R| 0 |
//       | DLCI[16:13]   |FECN|BECN|DE | 0 |
//       | DLCI[12:6]                  | 0 |
//       | DLCI[5:0]               |D/C| 1 |       23-bit DLCI
//
// D/C (DLCI or DL-CORE control indicator): 0 = the last octet holds DLCI
// bits; 1 = it holds DL-CORE control, leaving a 10-bit (3 octets) or 17-bit
// (4 octets) DLCI. Nothing in l2sec uses DL-CORE control, so a D/C=1 address
// is refused as unsupported (counted) rather than guessed at; we never send
// one.
//
// DLCI values: this codec checks only that a DLCI fits its address size.
// It does not refuse Q.922's reserved ranges (10-bit: 1-15, 1008-1022):
// networks and Linux's hdlc_fr use 1..1023 for PVCs, and which DLCIs are
// circuits is configuration. The two signalling DLCIs (0 and the all-ones
// in-channel layer management DLCI, 1023 in 2 octets, Cisco LMI) are policed
// one layer up, by the RFC 2427 codec (rfc2427.hpp), which keeps data off
// them and LMI on them (is_signalling_dlci below).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::fr {

// From the specification (Q.922 §3.3; masks as Wireshark's packet-fr.c).
inline constexpr std::uint8_t kEa = 0x01;    // address extension: 1 = last octet
inline constexpr std::uint8_t kCr = 0x02;    // octet 1: command/response
inline constexpr std::uint8_t kFecn = 0x08;  // octet 2: forward congestion
inline constexpr std::uint8_t kBecn = 0x04;  // octet 2: backward congestion
inline constexpr std::uint8_t kDe = 0x02;    // octet 2: discard eligibility
inline constexpr std::uint8_t kDc = 0x02;    // last octet of 3/4: DLCI or DL-CORE control
inline constexpr std::size_t kMinAddressSize = 2;
inline constexpr std::size_t kMaxAddressSize = 4;

// The largest DLCI an address of `size` octets (2, 3 or 4) carries: 1023,
// 65535, 8388607 (10, 16, 23 bits); 0 for any other size.
constexpr std::uint32_t max_dlci(std::size_t size) {
  return size == 2 ? 0x3FFu : size == 3 ? 0xFFFFu : size == 4 ? 0x7FFFFFu : 0u;
}

// DLCI 0 (Q.933 signalling and Annex A/D LMI) and the all-ones DLCI of the
// address size (Q.922 "in-channel layer management": 1023, Cisco LMI, in 2
// octets). Data never travels on them.
constexpr bool is_signalling_dlci(std::uint32_t dlci, std::size_t size) {
  return dlci == 0 || dlci == max_dlci(size);
}

// The bits of the address other than the DLCI. C/R is carried end to end
// (RFC 2427 leaves it to the application; we send 0); FECN and BECN are set
// by the network; DE may be set by either.
struct Flags {
  bool cr = false;
  bool fecn = false;
  bool becn = false;
  bool de = false;
  friend bool operator==(const Flags&, const Flags&) = default;
};

struct Address {
  std::uint32_t dlci = 0;
  Flags flags{};
  std::uint8_t size = 2;  // octets on the wire: 2, 3 or 4
  friend bool operator==(const Address&, const Address&) = default;
};

// Writes the address into out[0 .. a.size) (D/C = 0) and returns a.size.
// The caller guarantees a.size is 2, 3 or 4 and a.dlci <= max_dlci(a.size)
// (push_address checks both).
std::size_t write_address(const Address& a, std::uint8_t* out) noexcept;

// Prepends the address into pkt's headroom. Fails with out_of_range when
// a.size is not 2, 3 or 4 or the DLCI does not fit it; pkt is then unchanged.
Result<void> push_address(const Address& a, PacketBuf& pkt);

// Parses the address at the start of `frame` (the size comes from the EA
// bits). Each refusal counts one counter and returns:
//   fr_rx_addr_truncated  Errc::truncated   the frame ends before an octet with EA=1
//   fr_rx_addr_ea_first   Errc::malformed   EA=1 in octet 1 (a 1-octet address)
//   fr_rx_addr_too_long   Errc::malformed   EA=0 in octet 4 (more than 4 octets)
//   fr_rx_addr_dl_core    Errc::unsupported D/C=1 in the last octet of 3 or 4
Result<Address> read_address(Bytes frame, Counters& counters);

// read_address, then strips the address from pkt (unchanged on failure).
Result<Address> pull_address(PacketBuf& pkt, Counters& counters);

}  // namespace l2sec::transports::fr
