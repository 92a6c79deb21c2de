// ATM cells: the 5-octet header (ITU-T I.361 §2.2) and its HEC (ITU-T
// I.432.1 §4.3), for the AAL5 link adapter (RFC 3355; DESIGN.md §3).
//
//   UNI:   8   7   6   5   4   3   2   1        NNI:  8 ... 5   4 ... 1
//        +---------------+---------------+           +---------------+---------------+
//   o1   |      GFC      |   VPI 7..4    |      o1   |   VPI 11..8   |   VPI 7..4    |
//        +---------------+---------------+           +---------------+---------------+
//   o2   |   VPI 3..0    |  VCI 15..12   |      o2   |   VPI 3..0    |  VCI 15..12   |
//        +---------------+---------------+           +---------------+---------------+
//   o3   |           VCI 11..4           |      o3   |           VCI 11..4           |
//        +---------------+-----------+---+           +---------------+-----------+---+
//   o4   |   VCI 3..0    |    PTI    |CLP|      o4   |   VCI 3..0    |    PTI    |CLP|
//        +---------------+-----------+---+           +---------------+-----------+---+
//   o5   |              HEC              |      o5   |              HEC              |
//        +-------------------------------+           +-------------------------------+
//   then 48 octets of payload (53 in all).
//
// HEC = CRC-8 of octets 1..4, generator x^8+x^2+x+1, XORed with the coset
// 01010101 (0x55) (I.432.1 §4.3.2). The idle cell header 00 00 00 01 has
// HEC 0x52.
//
// PTI (I.361 Table 3):  0xy user data: x = EFCI (congestion experienced),
//   y = ATM-user-to-ATM-user indication (AUU; AAL5 sets it on the last cell
//   of a CPCS-PDU); 100 = OAM F5 segment, 101 = OAM F5 end-to-end,
//   110 = resource management, 111 = reserved. F4 OAM flows use VCI 3
//   (segment) and 4 (end-to-end) of a VP (I.610 §9.2.1).
//
// HEC errors: HecReceiver implements the receiver of I.432.1 §4.3.1.1: in
// correction mode a single-bit header error is corrected (atm_rx_hec_corrected)
// and the receiver moves to detection mode; any other error discards the
// cell (atm_rx_bad_hec). In detection mode every errored header is
// discarded; a good one returns it to correction mode. Correction can be
// switched off (then every error discards). Cell delineation (hunting for
// cell boundaries in a bit stream) is not done: underlays deliver whole cells.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/counters.hpp"
#include "core/result.hpp"
#include "core/wire.hpp"

namespace l2sec::transports::atm {

// From the specification (I.361).
inline constexpr std::size_t kCellSize = 53;
inline constexpr std::size_t kCellHeaderSize = 5;
inline constexpr std::size_t kCellHeaderNoHecSize = 4;  // captures that strip the HEC
inline constexpr std::size_t kCellPayloadSize = 48;
inline constexpr std::uint8_t kHecCoset = 0x55;

inline constexpr std::uint8_t kPtiEfci = 0x2;  // user data: congestion experienced
inline constexpr std::uint8_t kPtiAuu = 0x1;   // user data: last cell of an AAL5 PDU
inline constexpr std::uint8_t kPtiOamF5Segment = 4;
inline constexpr std::uint8_t kPtiOamF5EndToEnd = 5;
inline constexpr std::uint8_t kPtiResourceManagement = 6;
inline constexpr std::uint8_t kPtiReserved = 7;

inline constexpr std::uint16_t kVciOamF4Segment = 3;
inline constexpr std::uint16_t kVciOamF4EndToEnd = 4;

inline constexpr std::uint16_t kMaxVpiUni = 0xFF;
inline constexpr std::uint16_t kMaxVpiNni = 0xFFF;

enum class HeaderFormat : std::uint8_t { uni, nni };

// A virtual channel: the key of per-VC state (reassembly, OAM, encapsulation).
struct VcId {
  std::uint16_t vpi = 0;
  std::uint16_t vci = 0;
  constexpr std::uint32_t key() const noexcept { return (std::uint32_t{vpi} << 16) | vci; }
  friend constexpr bool operator==(const VcId&, const VcId&) = default;
};

struct CellHeader {
  std::uint8_t gfc = 0;  // UNI only (0 in NNI)
  std::uint16_t vpi = 0;
  std::uint16_t vci = 0;
  std::uint8_t pti = 0;
  bool clp = false;

  constexpr VcId vc() const noexcept { return {vpi, vci}; }
  constexpr bool user_data() const noexcept { return (pti & 0x4) == 0; }
  constexpr bool auu() const noexcept { return user_data() && (pti & kPtiAuu) != 0; }
  constexpr bool efci() const noexcept { return user_data() && (pti & kPtiEfci) != 0; }
  friend constexpr bool operator==(const CellHeader&, const CellHeader&) = default;
};

enum class CellKind : std::uint8_t {
  user_data,            // PTI 0xy
  oam_f5_segment,       // PTI 100
  oam_f5_end_to_end,    // PTI 101
  oam_f4_segment,       // VCI 3
  oam_f4_end_to_end,    // VCI 4
  resource_management,  // PTI 110
  reserved,             // PTI 111
  idle_or_unassigned,   // VPI 0 and VCI 0 (I.361 Table 2, I.432.1 idle cells)
};

CellKind classify(const CellHeader& h) noexcept;
inline bool is_oam(CellKind k) noexcept {
  return k == CellKind::oam_f5_segment || k == CellKind::oam_f5_end_to_end || k == CellKind::oam_f4_segment ||
         k == CellKind::oam_f4_end_to_end;
}

// HEC of the first four header octets (`four` must hold at least 4).
std::uint8_t hec(Bytes four) noexcept;

// Errc::out_of_range if a field does not fit the format: GFC > 15, VPI >
// 255 (UNI) or 4095 (NNI), PTI > 7, or GFC != 0 in NNI.
Result<void> validate(const CellHeader& h, HeaderFormat f) noexcept;

// Writes the 5 header octets (HEC included) to out[0..4]. Errors: those of
// validate(); Errc::truncated if out holds fewer than 5 octets.
Result<void> encode_header(const CellHeader& h, HeaderFormat f, MutBytes out) noexcept;
// The same into an array; h must be valid (checked by the caller once).
std::array<std::uint8_t, kCellHeaderSize> encode_header_unchecked(const CellHeader& h,
                                                                  HeaderFormat f) noexcept;

// Reads octets 1..4 without any check (captures without HEC, or after it
// was checked). `p` must point to 4 readable octets.
CellHeader decode_header_fields(const std::uint8_t* p, HeaderFormat f) noexcept;

// Reads a 5-octet header and checks its HEC, without correction.
// Errc::truncated if fewer than 5 octets, Errc::malformed if the HEC is wrong.
Result<CellHeader> decode_header(Bytes b, HeaderFormat f) noexcept;

// A received cell: its header (corrected if it had to be) and its payload,
// a view into the caller's cell.
struct Cell {
  CellHeader header;
  Bytes payload;  // 48 octets
  bool corrected = false;
};

class HecReceiver {
 public:
  enum class Mode : std::uint8_t { correction, detection };
  struct Options {
    HeaderFormat format = HeaderFormat::uni;
    bool correct_single_bit = true;  // false: detection only, every error discards
  };

  HecReceiver() : HecReceiver(Options{}) {}
  explicit HecReceiver(Options o) noexcept : opt_(o) {}

  // One 53-octet cell. Errors, each counted:
  //   Errc::truncated   size != 53              atm_rx_bad_cell_size
  //   Errc::malformed   HEC error discarded      atm_rx_bad_hec
  //   Errc::not_found   idle/unassigned cell     atm_rx_idle_cell  (nothing to deliver)
  // A corrected header is returned with `corrected` set (atm_rx_hec_corrected).
  Result<Cell> receive(Bytes cell) noexcept;

  Mode mode() const noexcept { return mode_; }
  const Counters& counters() const noexcept { return counters_; }

 private:
  Options opt_;
  Mode mode_ = Mode::correction;
  Counters counters_;
};

namespace detail {
// The bit a single-bit error syndrome points to (0 = MSB of octet 1 ... 31 =
// LSB of octet 4, 32..39 = the HEC octet), or -1 if the syndrome is not that
// of a single-bit error. syndrome = hec(received octets 1..4) ^ received HEC.
int hec_error_bit(std::uint8_t syndrome) noexcept;
}  // namespace detail

}  // namespace l2sec::transports::atm
