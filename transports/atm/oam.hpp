// ATM OAM (ITU-T I.610): recognising F4/F5 OAM cells and answering
// loopback requests, so that a peer's (or a switch's) OAM ping of a VC
// gets its reply, as routers on ATM PVCs expect.
//
// OAM cell payload (I.610 §10.1, 48 octets):
//   +----------+----------+------------------------------+-----------+-----------+
//   | OAM type | function |  function-specific, 45 octets | reserved  |  CRC-10   |
//   |  4 bits  |  4 bits  |                              |  6 bits   |  10 bits  |
//   +----------+----------+------------------------------+-----------+-----------+
// Fault management = 0001; loopback = 1000, so a loopback cell starts 0x18.
// Loopback function-specific field (I.610 §10.2.4):
//   Loopback Indication (1: 7 bits 0, LSB 1 = to be looped back, 0 = looped back)
//   Correlation Tag (4) | Loopback Location ID (16; all ones = the end point)
//   Source ID (16; all ones = not given) | unused (8 octets of 0x6A)
// CRC-10: generator x^10+x^9+x^5+x^4+x+1, register preset 0, MSB first, over
// the 48 octets with the CRC field: an intact payload leaves 0 (CRC-10/ATM
// of the catalogues: check("123456789") = 0x199).
//
// F5 flows are the cells of a VC with PTI 100 (segment) or 101 (end to
// end); F4 flows are VCI 3 and 4 of a VP. A loopback request is answered on
// the same flow with the same payload, Loopback Indication 0 and a new CRC,
// when its Location ID is all ones (the end point: us, as the VC ends here)
// or our configured Location ID; other requests are counted and ignored.
// Sans-IO: on_cell() writes the reply cell into a caller's buffer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/counters.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"
#include "transports/atm/cell.hpp"

namespace l2sec::transports::atm {

// From the specification (I.610 Table 3 / §10).
inline constexpr std::uint8_t kOamTypeFaultManagement = 0x1;
inline constexpr std::uint8_t kOamFunctionLoopback = 0x8;
inline constexpr std::size_t kOamIdSize = 16;
inline constexpr std::uint8_t kOamUnusedOctet = 0x6A;
inline constexpr std::uint16_t kCrc10Poly = 0x233;  // x^10 implicit

using OamId = std::array<std::uint8_t, kOamIdSize>;
inline constexpr OamId kOamIdAllOnes = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

// Runs the CRC-10 register over data (no conditioning).
std::uint16_t crc10_update(std::uint16_t reg, Bytes data) noexcept;
// The CRC-10 a 48-octet OAM payload must carry (computed over octets 1..46
// and six zero reserved bits). `payload` must hold at least 46 octets.
std::uint16_t oam_crc10(Bytes payload) noexcept;
// True if the 48-octet payload's CRC-10 is right.
bool oam_crc10_ok(Bytes payload) noexcept;

struct OamHeader {
  std::uint8_t type = 0;      // OAM type, 4 bits
  std::uint8_t function = 0;  // function type, 4 bits
  std::uint16_t crc10 = 0;    // the CRC field as received
};
// Errc::truncated unless payload is 48 octets. No CRC check.
Result<OamHeader> decode_oam_header(Bytes payload) noexcept;

struct Loopback {
  bool request = true;  // Loopback Indication 1: to be looped back
  std::uint32_t correlation_tag = 0;
  OamId location_id = kOamIdAllOnes;
  OamId source_id = kOamIdAllOnes;
};

// Reads a loopback payload, without checking the CRC (the capture tests
// read cells whose CRC is wrong). The reserved bits of the indication octet
// are ignored. Errc::truncated unless 48 octets; Errc::unsupported if the
// cell is not fault management / loopback.
Result<Loopback> decode_loopback(Bytes payload) noexcept;

// Writes a loopback payload (unused octets 0x6A, reserved bits 0, CRC-10).
void encode_loopback(const Loopback& lb, std::span<std::uint8_t, kCellPayloadSize> out) noexcept;

// A whole loopback cell: header (PTI 100/101 for F5, h as given for F4),
// then the payload. Errors: validate()'s, Errc::truncated if out < 53.
Result<void> build_loopback_cell(const CellHeader& h, HeaderFormat f, const Loopback& lb,
                                 MutBytes out) noexcept;

struct OamConfig {
  HeaderFormat format = HeaderFormat::uni;
  // Our Loopback Location ID, if we have one besides "the end point".
  std::optional<OamId> location_id;
};

enum class OamEvent : std::uint8_t {
  none,            // consumed (or dropped and counted), nothing to do
  reply_ready,     // a loopback reply is in the caller's buffer: send it
  loopback_reply,  // a reply to a loopback request: outcome.loopback
};

struct OamOutcome {
  OamEvent event = OamEvent::none;
  Loopback loopback;  // the loopback cell seen (reply_ready, loopback_reply)
};

class OamResponder {
 public:
  OamResponder() : OamResponder(OamConfig{}) {}
  explicit OamResponder(const OamConfig& cfg) noexcept : cfg_(cfg) {}

  // One OAM cell (classify() said F4 or F5): its header and 48-octet
  // payload. Counts atm_oam_rx_cells, then one of: atm_oam_rx_bad_crc
  // (dropped), atm_oam_rx_unhandled (not a loopback, or the payload is not
  // 48 octets, or `h` is not OAM), atm_oam_loopback_not_for_us,
  // atm_oam_loopback_answered (reply_ready: the 53-octet reply is in
  // reply[0..53); if reply is shorter, nothing is written and the request is
  // counted unhandled), atm_oam_loopback_reply_rx (loopback_reply).
  OamOutcome on_cell(const CellHeader& h, Bytes payload, MutBytes reply) noexcept;

  const Counters& counters() const noexcept { return counters_; }

 private:
  OamConfig cfg_;
  Counters counters_;
};

}  // namespace l2sec::transports::atm
