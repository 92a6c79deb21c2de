// AAL5: the CPCS-PDU (ITU-T I.363.5 §10; RFC 2684 §4), its segmentation
// into cells and its reassembly per virtual channel.
//
//   +--------------------------------------+
//   |  CPCS-PDU payload (the SDU), 1..65535 |
//   +--------------------------------------+
//   |  PAD, 0..47 octets of 0x00            |   so that the whole PDU is a
//   +---------+---------+-------------------+   multiple of 48 octets and the
//   | CPCS-UU |   CPI   |      Length       |   trailer ends the last cell
//   +---------+---------+-------------------+
//   |                 CRC-32                |   (crc32.hpp), over everything
//   +---------------------------------------+   above it
//     1 octet   1 octet    2 octets (SDU octets, big-endian)
//
// CPI MUST be 0 (RFC 2684 §4); Length 0 means "abort" (I.363.5). SAR: each
// 48 octets of the PDU become one cell payload, in order; PTI 000 on every
// cell but the last, which carries AUU = 1 (PTI 001).
//
// Two granularities:
// - whole PDUs, as AAL5-capable interfaces and ERF type 4 capture records
//   hand them over: encode_cpcs() / decode_cpcs(). (DLT_SUNATM and
//   DLT_ATM_RFC1483 records hold the SDU alone, without PAD and trailer:
//   that is how Wireshark reads them, as WTAP_ENCAP_ATM_PDUS.)
// - cells: segment_sdu() (an SDU straight into cells, no intermediate PDU)
//   and Reassembler (cells of many VCs in, verified SDUs out).
//
// Reassembler contract (sans-IO: `now` is a parameter, next_deadline() says
// when on_timeout() is due):
// - VCs are configured (add_vc); a cell of another VC is counted
//   (atm_rx_unknown_vc) and dropped. Each VC's buffer is allocated once,
//   in add_vc; cells never allocate.
// - Size bound: a PDU may grow to cpcs_pdu_size(max_sdu) octets. Default
//   max_sdu = 65535, the largest Length AAL5 can express: any conforming
//   peer is accepted whatever MTU it was configured with (RFC 3355 §3.1 only
//   sets a floor, PPP MRU 1500, and recommends 9180-octet IP packets, and
//   IKE messages with certificate chains have no IP fragmentation to lean on
//   on a circuit, SPEC-NOTES §3.3). The price is 65568 octets per VC; a
//   gateway with thousands of VCs lowers max_sdu. A PDU that would grow past
//   the bound is counted (atm_aal5_rx_oversize) and the rest of its cells
//   are dropped up to its AUU cell; a PDU that fits the buffer but whose
//   Length exceeds max_sdu (the last cell has room for up to 40 octets
//   more) is counted the same way when it completes.
// - Time bound: the reassembly timer of I.363.5 (RFC 2684 §4: "MAY be
//   used") runs from the first cell of a PDU; a PDU still incomplete
//   `timeout` later is discarded (atm_aal5_rx_timeout), by on_timeout() or
//   by the next cell of its VC, whichever comes first. Default 10 s: a
//   65535-octet PDU needs about 4.4 s on a 128 kbit/s VC, so a slow but
//   healthy VC never loses one; a PDU whose last cell was lost then holds
//   its buffer for at most 10 s, and a PDU starting more than 10 s after it
//   is not merged with it. `now` must not go backwards.
// - On the AUU cell the PDU is checked in this order: Length 0 (abort,
//   atm_aal5_rx_aborted); PDU size == cpcs_pdu_size(Length), which catches
//   lost and extra cells (atm_aal5_rx_bad_length); CRC-32
//   (atm_aal5_rx_bad_crc); CPI == 0 (atm_aal5_rx_bad_cpi). A lost cell of
//   a PDU shows as a length or CRC error; a lost last cell merges the PDU
//   with the next one, which then fails the same way (both are lost, as
//   AAL5 has no sequence numbers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "core/wire.hpp"
#include "transports/atm/cell.hpp"

namespace l2sec::transports::atm {

// From the specification (I.363.5 §10.2).
inline constexpr std::size_t kCpcsTrailerSize = 8;
inline constexpr std::size_t kMaxSduSize = 65535;

constexpr std::size_t cpcs_pdu_size(std::size_t sdu) noexcept {
  return (sdu + kCpcsTrailerSize + kCellPayloadSize - 1) / kCellPayloadSize * kCellPayloadSize;
}
constexpr std::size_t cell_count(std::size_t sdu) noexcept { return cpcs_pdu_size(sdu) / kCellPayloadSize; }
inline constexpr std::size_t kMaxCpcsPduSize = cpcs_pdu_size(kMaxSduSize);  // 65568 = 1366 cells

// ---- whole PDUs ----------------------------------------------------------

// Writes the CPCS-PDU of `sdu` (payload, zero pad, CPCS-UU, CPI 0, Length,
// CRC-32) into out; returns its size, cpcs_pdu_size(sdu.size()).
// Errors: Errc::out_of_range for an SDU of 0 or more than 65535 octets (0
// would read as an abort), Errc::truncated if out is too small.
Result<std::size_t> encode_cpcs(Bytes sdu, std::uint8_t uu, MutBytes out) noexcept;

// The same in place: appends PAD and trailer behind the SDU held by pkt
// (its tailroom; PacketBuf reallocates once if it lacks room).
Result<void> append_cpcs_trailer(PacketBuf& pkt, std::uint8_t uu = 0);

struct CpcsPdu {
  Bytes sdu;  // a view into the PDU
  std::uint8_t uu = 0;
  std::uint8_t cpi = 0;
};

// Checks a whole CPCS-PDU and returns its SDU. Errors, each counted in ctr:
//   Errc::out_of_range  larger than cpcs_pdu_size(max_sdu), or
//                       a Length above max_sdu                  atm_aal5_rx_oversize
//   Errc::not_found     Length 0 (abort)                        atm_aal5_rx_aborted
//   Errc::malformed     size not cpcs_pdu_size(Length) (also 0
//                       or not a multiple of 48)                atm_aal5_rx_bad_length
//   Errc::malformed     CRC-32 wrong                            atm_aal5_rx_bad_crc
//   Errc::unsupported   CPI != 0                                atm_aal5_rx_bad_cpi
// Success counts atm_aal5_rx_pdus.
Result<CpcsPdu> decode_cpcs(Bytes pdu, Counters& ctr, std::size_t max_sdu = kMaxSduSize) noexcept;

// ---- cells ---------------------------------------------------------------

// Segments `sdu` into cell_count(sdu.size()) cells of 53 octets written
// back to back into out, computing the CRC-32 on the way (the CPCS-PDU is
// never built). Every cell gets `vc`'s header with PTI 000 (EFCI, if the
// caller sets it in h.pti, kept), the last one AUU = 1. Returns the number
// of cells. Errors: validate()'s for h, Errc::out_of_range for a PTI that
// is not user data or an SDU of 0 or > 65535 octets, Errc::truncated if out
// is too small.
Result<std::size_t> segment_sdu(const CellHeader& h, HeaderFormat f, Bytes sdu, std::uint8_t uu,
                                MutBytes out) noexcept;

// Segments an already built CPCS-PDU (a multiple of 48 octets, e.g. from
// encode_cpcs or a capture). Same errors; Errc::malformed for a size that
// is 0 or not a multiple of 48.
Result<std::size_t> segment_pdu(const CellHeader& h, HeaderFormat f, Bytes pdu, MutBytes out) noexcept;

// A verified SDU. `payload` points into the reassembler's buffer for the VC
// and stays valid until the next non-const call on the reassembler.
struct Sdu {
  VcId vc;
  Bytes payload;
  std::uint8_t uu = 0;
  bool clp = false;   // some cell had CLP = 1
  bool efci = false;  // some cell had EFCI (congestion experienced)
};

struct ReassemblerConfig {
  std::size_t max_sdu = kMaxSduSize;  // 1..65535; see the header comment
  Duration timeout = std::chrono::seconds(10);
  std::size_t max_vcs = 4096;  // how many VCs add_vc accepts
};

class Reassembler {
 public:
  // Errc::out_of_range for max_sdu outside 1..65535, a timeout <= 0 or
  // max_vcs 0.
  static Result<Reassembler> create(const ReassemblerConfig& cfg = {});

  Reassembler(Reassembler&&) noexcept = default;
  Reassembler& operator=(Reassembler&&) noexcept = default;

  // Configures a VC: allocates its buffer (cpcs_pdu_size(max_sdu) octets).
  // Errc::exists if already there, Errc::no_resources beyond max_vcs.
  Result<void> add_vc(VcId vc);
  // Forgets a VC and any partial PDU on it (not counted). Errc::not_found.
  Result<void> remove_vc(VcId vc);
  bool has_vc(VcId vc) const { return find(vc) != kNone; }

  // One user-data cell (PTI 0xy) of a configured VC; `payload` is its 48
  // octets. Returns the SDU when this cell completes a valid PDU, nothing
  // otherwise; every drop is counted (see the header comment, plus
  // atm_rx_bad_cell_size for a payload not 48 octets, atm_rx_unknown_vc,
  // and atm_rx_unhandled_cell for a cell that is not user data).
  std::optional<Sdu> on_cell(Instant now, const CellHeader& h, Bytes payload) noexcept;

  // Discards every partial PDU whose timer expired at `now` (<= now).
  void on_timeout(Instant now) noexcept;
  // When the earliest partial PDU expires; kNever when none is pending.
  Instant next_deadline() const noexcept { return head_ == kNone ? kNever : slots_[head_].deadline; }

  // Octets of the PDU being reassembled on `vc` (0 if none or unknown).
  std::size_t partial_size(VcId vc) const noexcept;
  std::size_t vc_count() const noexcept { return index_.size(); }
  const ReassemblerConfig& config() const noexcept { return cfg_; }
  const Counters& counters() const noexcept { return counters_; }

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;

  struct Slot {
    std::unique_ptr<std::uint8_t[]> buf;  // null: free slot
    VcId vc;
    std::size_t fill = 0;
    Instant deadline = kNever;
    std::uint32_t prev = kNone, next = kNone;  // the timer list, by deadline
    bool active = false;                       // a PDU is in progress (on the list)
    bool discarding = false;                   // dropping the rest of an oversize PDU
    bool clp = false, efci = false;
  };

  explicit Reassembler(const ReassemblerConfig& cfg) : cfg_(cfg), capacity_(cpcs_pdu_size(cfg.max_sdu)) {}
  std::uint32_t find(VcId vc) const noexcept;
  void start(std::uint32_t i, Instant now) noexcept;
  void stop(std::uint32_t i) noexcept;  // ends the PDU in progress: off the list, empty
  std::optional<Sdu> complete(std::uint32_t i) noexcept;

  ReassemblerConfig cfg_;
  std::size_t capacity_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::uint32_t, std::uint32_t> index_;  // VcId::key() -> slot
  std::uint32_t head_ = kNone, tail_ = kNone;
  std::uint32_t last_ = kNone;  // slot of the previous cell: cells come in runs per VC
  Counters counters_;
};

// ---- captures ------------------------------------------------------------

// The 4-octet pseudo-header of DLT_SUNATM (123) records (libpcap
// pcap/dlt.h, Wireshark wiretap/pcap-common.c): flags, VPI (1 octet), VCI
// (2 octets, big-endian), then the AAL PDU.
//   flags 0x80: direction (set: DTE->DCE, Wireshark "channel 0");
//   flags & 0x0F: traffic type: 0x00 none of the below, 0x01 LANE,
//   0x02 LLC-multiplexed (RFC 1483/2684), 0x05 ILMI, 0x06 Q.2931.
struct SunAtmHeader {
  std::uint8_t flags = 0;
  std::uint8_t vpi = 0;
  std::uint16_t vci = 0;
};
inline constexpr std::size_t kSunAtmHeaderSize = 4;
inline constexpr std::uint8_t kSunAtmDteToDce = 0x80;
inline constexpr std::uint8_t kSunAtmTrafficLlc = 0x02;

// Errc::truncated if fewer than 4 octets.
Result<SunAtmHeader> decode_sunatm(Bytes b) noexcept;
std::array<std::uint8_t, kSunAtmHeaderSize> encode_sunatm(const SunAtmHeader& h) noexcept;

}  // namespace l2sec::transports::atm
