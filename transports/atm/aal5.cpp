#include "transports/atm/aal5.hpp"

#include <cstring>

#include "transports/atm/crc32.hpp"

namespace l2sec::transports::atm {
namespace {

enum class Fault : std::uint8_t { none, oversize, aborted, bad_length, bad_crc, bad_cpi };

// The receiver checks of I.363.5 §10.3 on a whole PDU, cheapest first.
Fault check_pdu(const std::uint8_t* p, std::size_t n, std::size_t max_sdu, CpcsPdu& out) noexcept {
  if (n > cpcs_pdu_size(max_sdu)) return Fault::oversize;
  if (n < kCellPayloadSize || n % kCellPayloadSize != 0) return Fault::bad_length;
  const std::uint8_t* t = p + n - kCpcsTrailerSize;
  const std::uint16_t length = load_be16(t + 2);
  if (length == 0) return Fault::aborted;
  if (cpcs_pdu_size(length) != n) return Fault::bad_length;
  // The last cell can hold a few octets more than max_sdu: the bound is on
  // the SDU.
  if (length > max_sdu) return Fault::oversize;
  if (crc32_update(kCrc32Init, Bytes(p, n)) != kCrc32Residue) return Fault::bad_crc;
  if (t[1] != 0) return Fault::bad_cpi;
  out = CpcsPdu{Bytes(p, length), t[0], t[1]};
  return Fault::none;
}

Ctr fault_counter(Fault f) noexcept {
  switch (f) {
    case Fault::oversize:
      return Ctr::atm_aal5_rx_oversize;
    case Fault::aborted:
      return Ctr::atm_aal5_rx_aborted;
    case Fault::bad_length:
      return Ctr::atm_aal5_rx_bad_length;
    case Fault::bad_crc:
      return Ctr::atm_aal5_rx_bad_crc;
    case Fault::bad_cpi:
      return Ctr::atm_aal5_rx_bad_cpi;
    case Fault::none:
      break;
  }
  return Ctr::atm_aal5_rx_pdus;
}

Error fault_error(Fault f) noexcept {
  switch (f) {
    case Fault::oversize:
      return Error{Errc::out_of_range, "AAL5 PDU larger than the configured maximum"};
    case Fault::aborted:
      return Error{Errc::not_found, "AAL5 PDU aborted (Length 0)"};
    case Fault::bad_length:
      return Error{Errc::malformed, "AAL5 Length disagrees with the PDU size"};
    case Fault::bad_crc:
      return Error{Errc::malformed, "AAL5 CRC-32 wrong"};
    case Fault::bad_cpi:
      return Error{Errc::unsupported, "AAL5 CPI not 0"};
    case Fault::none:
      break;
  }
  return Error{Errc::malformed, "AAL5"};
}

// Fills the tail of a PDU: the SDU octets that do not fill a whole cell,
// the pad, CPCS-UU, CPI and Length; returns the tail size (48 or 96).
std::size_t build_tail(Bytes rest, std::size_t sdu_size, std::uint8_t uu, std::uint8_t* tail) noexcept {
  const std::size_t tail_size = cpcs_pdu_size(sdu_size) - (sdu_size - rest.size());
  std::memset(tail, 0, tail_size);
  if (!rest.empty()) std::memcpy(tail, rest.data(), rest.size());
  std::uint8_t* t = tail + tail_size - kCpcsTrailerSize;
  t[0] = uu;
  t[1] = 0;  // CPI
  store_be16(t + 2, static_cast<std::uint16_t>(sdu_size));
  return tail_size;
}

Result<void> check_segment_args(const CellHeader& h, HeaderFormat f) noexcept {
  if (auto v = validate(h, f); !v) return v;
  if (!h.user_data()) return Error{Errc::out_of_range, "AAL5 cells carry a user-data PTI"};
  return ok();
}

// Writes `n` cells whose payloads are consecutive 48-octet chunks of src.
std::uint8_t* emit_cells(std::uint8_t* out, const std::uint8_t* src, std::size_t n,
                         const std::array<std::uint8_t, kCellHeaderSize>& hdr) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(out, hdr.data(), kCellHeaderSize);
    std::memcpy(out + kCellHeaderSize, src, kCellPayloadSize);
    out += kCellSize;
    src += kCellPayloadSize;
  }
  return out;
}

struct CellHeaders {
  std::array<std::uint8_t, kCellHeaderSize> mid, last;
};
CellHeaders headers_for(CellHeader h, HeaderFormat f) noexcept {
  h.pti = static_cast<std::uint8_t>(h.pti & ~kPtiAuu);
  CellHeaders c;
  c.mid = encode_header_unchecked(h, f);
  h.pti = static_cast<std::uint8_t>(h.pti | kPtiAuu);
  c.last = encode_header_unchecked(h, f);
  return c;
}

}  // namespace

// ---- whole PDUs ----------------------------------------------------------

Result<std::size_t> encode_cpcs(Bytes sdu, std::uint8_t uu, MutBytes out) noexcept {
  if (sdu.empty() || sdu.size() > kMaxSduSize)
    return Error{Errc::out_of_range, "AAL5 SDU is 1..65535 octets"};
  const std::size_t n = cpcs_pdu_size(sdu.size());
  if (out.size() < n) return Error{Errc::truncated, "no room for the AAL5 PDU"};
  std::memmove(out.data(), sdu.data(), sdu.size());
  const std::size_t pad = n - kCpcsTrailerSize - sdu.size();
  std::uint8_t* t = out.data() + sdu.size();
  std::memset(t, 0, pad);
  t += pad;
  t[0] = uu;
  t[1] = 0;
  store_be16(t + 2, static_cast<std::uint16_t>(sdu.size()));
  store_be32(t + 4, crc32_aal5(Bytes(out.data(), n - 4)));
  return n;
}

Result<void> append_cpcs_trailer(PacketBuf& pkt, std::uint8_t uu) {
  const std::size_t sdu = pkt.size();
  if (sdu == 0 || sdu > kMaxSduSize) return Error{Errc::out_of_range, "AAL5 SDU is 1..65535 octets"};
  const std::size_t n = cpcs_pdu_size(sdu);
  pkt.push_back(n - sdu);
  auto r = encode_cpcs(Bytes(pkt.data(), sdu), uu, pkt.bytes());
  (void)r;  // cannot fail: size checked, room made
  return ok();
}

Result<CpcsPdu> decode_cpcs(Bytes pdu, Counters& ctr, std::size_t max_sdu) noexcept {
  CpcsPdu out;
  const Fault f = check_pdu(pdu.data(), pdu.size(), max_sdu, out);
  ctr.inc(fault_counter(f));
  if (f != Fault::none) return fault_error(f);
  return out;
}

// ---- cells ---------------------------------------------------------------

Result<std::size_t> segment_sdu(const CellHeader& h, HeaderFormat f, Bytes sdu, std::uint8_t uu,
                                MutBytes out) noexcept {
  if (auto v = check_segment_args(h, f); !v) return v.error();
  if (sdu.empty() || sdu.size() > kMaxSduSize)
    return Error{Errc::out_of_range, "AAL5 SDU is 1..65535 octets"};
  const std::size_t cells = cell_count(sdu.size());
  if (out.size() < cells * kCellSize) return Error{Errc::truncated, "no room for the cells"};

  const CellHeaders hdr = headers_for(h, f);
  // Whole cells of SDU octets, then a tail of one cell (the SDU ends 40
  // octets or less into it, or on a cell boundary) or two.
  const std::size_t body = sdu.size() / kCellPayloadSize * kCellPayloadSize;
  std::uint8_t tail[2 * kCellPayloadSize];
  const std::size_t tail_size = build_tail(sdu.subspan(body), sdu.size(), uu, tail);

  std::uint32_t crc = crc32_update(kCrc32Init, sdu.first(body));
  crc = crc32_update(crc, Bytes(tail, tail_size - 4));
  store_be32(tail + tail_size - 4, ~crc);

  std::uint8_t* o = emit_cells(out.data(), sdu.data(), body / kCellPayloadSize, hdr.mid);
  if (tail_size > kCellPayloadSize) o = emit_cells(o, tail, 1, hdr.mid);
  emit_cells(o, tail + tail_size - kCellPayloadSize, 1, hdr.last);
  return cells;
}

Result<std::size_t> segment_pdu(const CellHeader& h, HeaderFormat f, Bytes pdu, MutBytes out) noexcept {
  if (auto v = check_segment_args(h, f); !v) return v.error();
  if (pdu.empty() || pdu.size() % kCellPayloadSize != 0) {
    return Error{Errc::malformed, "AAL5 PDU not a multiple of 48 octets"};
  }
  if (pdu.size() > kMaxCpcsPduSize) return Error{Errc::out_of_range, "AAL5 PDU too large"};
  const std::size_t cells = pdu.size() / kCellPayloadSize;
  if (out.size() < cells * kCellSize) return Error{Errc::truncated, "no room for the cells"};
  const CellHeaders hdr = headers_for(h, f);
  std::uint8_t* o = emit_cells(out.data(), pdu.data(), cells - 1, hdr.mid);
  emit_cells(o, pdu.data() + pdu.size() - kCellPayloadSize, 1, hdr.last);
  return cells;
}

// ---- Reassembler ---------------------------------------------------------

Result<Reassembler> Reassembler::create(const ReassemblerConfig& cfg) {
  if (cfg.max_sdu == 0 || cfg.max_sdu > kMaxSduSize) {
    return Error{Errc::out_of_range, "AAL5 max_sdu is 1..65535 octets"};
  }
  if (cfg.timeout <= Duration::zero())
    return Error{Errc::out_of_range, "AAL5 reassembly timeout must be > 0"};
  if (cfg.max_vcs == 0 || cfg.max_vcs >= kNone) return Error{Errc::out_of_range, "AAL5 max_vcs out of range"};
  return Reassembler(cfg);
}

std::uint32_t Reassembler::find(VcId vc) const noexcept {
  auto it = index_.find(vc.key());
  return it == index_.end() ? kNone : it->second;
}

Result<void> Reassembler::add_vc(VcId vc) {
  if (find(vc) != kNone) return Error{Errc::exists, "AAL5 VC already configured"};
  if (index_.size() >= cfg_.max_vcs) return Error{Errc::no_resources, "AAL5 VC limit reached"};
  std::uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[i];
  s = Slot{};
  s.buf = std::make_unique_for_overwrite<std::uint8_t[]>(capacity_);
  s.vc = vc;
  index_.emplace(vc.key(), i);
  return ok();
}

Result<void> Reassembler::remove_vc(VcId vc) {
  const std::uint32_t i = find(vc);
  if (i == kNone) return Error{Errc::not_found, "AAL5 VC not configured"};
  stop(i);
  slots_[i].buf.reset();
  free_.push_back(i);
  index_.erase(vc.key());
  if (last_ == i) last_ = kNone;
  return ok();
}

std::size_t Reassembler::partial_size(VcId vc) const noexcept {
  const std::uint32_t i = find(vc);
  return i == kNone ? 0 : slots_[i].fill;
}

void Reassembler::start(std::uint32_t i, Instant now) noexcept {
  Slot& s = slots_[i];
  s.active = true;
  s.deadline = now > kNever - cfg_.timeout ? kNever : now + cfg_.timeout;
  // Deadlines are now + a constant, so the new one normally goes last; walk
  // back only if the caller's clock stepped back.
  std::uint32_t after = tail_;
  while (after != kNone && slots_[after].deadline > s.deadline) after = slots_[after].prev;
  s.prev = after;
  s.next = after == kNone ? head_ : slots_[after].next;
  if (s.prev != kNone)
    slots_[s.prev].next = i;
  else
    head_ = i;
  if (s.next != kNone)
    slots_[s.next].prev = i;
  else
    tail_ = i;
}

void Reassembler::stop(std::uint32_t i) noexcept {
  Slot& s = slots_[i];
  if (s.active) {
    if (s.prev != kNone)
      slots_[s.prev].next = s.next;
    else
      head_ = s.next;
    if (s.next != kNone)
      slots_[s.next].prev = s.prev;
    else
      tail_ = s.prev;
  }
  s.prev = s.next = kNone;
  s.active = s.discarding = s.clp = s.efci = false;
  s.fill = 0;
  s.deadline = kNever;
}

std::optional<Sdu> Reassembler::on_cell(Instant now, const CellHeader& h, Bytes payload) noexcept {
  if (payload.size() != kCellPayloadSize) {
    counters_.inc(Ctr::atm_rx_bad_cell_size);
    return std::nullopt;
  }
  if (!h.user_data()) {
    counters_.inc(Ctr::atm_rx_unhandled_cell);
    return std::nullopt;
  }
  std::uint32_t i = last_;
  if (i == kNone || slots_[i].vc != h.vc()) {
    i = find(h.vc());
    if (i == kNone) {
      counters_.inc(Ctr::atm_rx_unknown_vc);
      return std::nullopt;
    }
    last_ = i;
  }
  Slot& s = slots_[i];
  if (s.active && now >= s.deadline) {
    if (!s.discarding) counters_.inc(Ctr::atm_aal5_rx_timeout);
    stop(i);
  }
  if (!s.active) start(i, now);
  if (s.discarding) {
    if (h.auu()) stop(i);
    return std::nullopt;
  }
  if (s.fill + kCellPayloadSize > capacity_) {
    counters_.inc(Ctr::atm_aal5_rx_oversize);
    s.fill = 0;
    s.discarding = true;
    if (h.auu()) stop(i);
    return std::nullopt;
  }
  std::memcpy(s.buf.get() + s.fill, payload.data(), kCellPayloadSize);
  s.fill += kCellPayloadSize;
  s.clp = s.clp || h.clp;
  s.efci = s.efci || h.efci();
  if (!h.auu()) return std::nullopt;
  return complete(i);
}

std::optional<Sdu> Reassembler::complete(std::uint32_t i) noexcept {
  Slot& s = slots_[i];
  CpcsPdu pdu;
  const Fault f = check_pdu(s.buf.get(), s.fill, cfg_.max_sdu, pdu);
  counters_.inc(fault_counter(f));
  Sdu out{s.vc, pdu.sdu, pdu.uu, s.clp, s.efci};
  stop(i);  // the buffer keeps its octets until the next cell of this VC
  if (f != Fault::none) return std::nullopt;
  return out;
}

void Reassembler::on_timeout(Instant now) noexcept {
  while (head_ != kNone && slots_[head_].deadline <= now) {
    if (!slots_[head_].discarding) counters_.inc(Ctr::atm_aal5_rx_timeout);
    stop(head_);
  }
}

// ---- captures ------------------------------------------------------------

Result<SunAtmHeader> decode_sunatm(Bytes b) noexcept {
  if (b.size() < kSunAtmHeaderSize) return Error{Errc::truncated, "SunATM pseudo-header truncated"};
  return SunAtmHeader{b[0], b[1], load_be16(b.data() + 2)};
}

std::array<std::uint8_t, kSunAtmHeaderSize> encode_sunatm(const SunAtmHeader& h) noexcept {
  std::array<std::uint8_t, kSunAtmHeaderSize> o{h.flags, h.vpi, 0, 0};
  store_be16(o.data() + 2, h.vci);
  return o;
}

}  // namespace l2sec::transports::atm
