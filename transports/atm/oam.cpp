#include "transports/atm/oam.hpp"

#include <cstring>

namespace l2sec::transports::atm {
namespace {

// T[b] = b * x^10 mod G: the register after octet b from 0.
constexpr std::array<std::uint16_t, 256> make_crc10_table() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned r = b << 2;  // the octet in the register's top 8 bits
    for (int i = 0; i < 8; ++i) r = (r & 0x200) ? ((r << 1) ^ kCrc10Poly) & 0x3FF : (r << 1) & 0x3FF;
    t[b] = static_cast<std::uint16_t>(r);
  }
  return t;
}
constexpr auto kCrc10 = make_crc10_table();

constexpr std::size_t kOffIndication = 1;
constexpr std::size_t kOffTag = 2;
constexpr std::size_t kOffLocation = 6;
constexpr std::size_t kOffSource = 22;
constexpr std::size_t kOffUnused = 38;
constexpr std::size_t kOffCrc = 46;

}  // namespace

std::uint16_t crc10_update(std::uint16_t reg, Bytes data) noexcept {
  for (std::uint8_t b : data)
    reg = static_cast<std::uint16_t>(((reg << 8) & 0x3FF) ^ kCrc10[((reg >> 2) ^ b) & 0xFF]);
  return reg;
}

std::uint16_t oam_crc10(Bytes payload) noexcept {
  // The CRC covers 374 bits: octets 1..46, then the 6 reserved bits (0).
  unsigned r = crc10_update(0, payload.first(kOffCrc));
  for (int i = 0; i < 6; ++i) r = (r & 0x200) ? ((r << 1) ^ kCrc10Poly) & 0x3FF : (r << 1) & 0x3FF;
  return static_cast<std::uint16_t>(r);
}

bool oam_crc10_ok(Bytes payload) noexcept {
  return payload.size() == kCellPayloadSize && crc10_update(0, payload) == 0;
}

Result<OamHeader> decode_oam_header(Bytes payload) noexcept {
  if (payload.size() != kCellPayloadSize) return Error{Errc::truncated, "OAM cell payload is not 48 octets"};
  return OamHeader{static_cast<std::uint8_t>(payload[0] >> 4), static_cast<std::uint8_t>(payload[0] & 0x0F),
                   static_cast<std::uint16_t>(load_be16(payload.data() + kOffCrc) & 0x3FF)};
}

Result<Loopback> decode_loopback(Bytes payload) noexcept {
  auto h = decode_oam_header(payload);
  if (!h) return h.error();
  if (h->type != kOamTypeFaultManagement || h->function != kOamFunctionLoopback) {
    return Error{Errc::unsupported, "OAM cell is not a loopback"};
  }
  Loopback lb;
  lb.request = (payload[kOffIndication] & 0x01) != 0;
  lb.correlation_tag = load_be32(payload.data() + kOffTag);
  std::memcpy(lb.location_id.data(), payload.data() + kOffLocation, kOamIdSize);
  std::memcpy(lb.source_id.data(), payload.data() + kOffSource, kOamIdSize);
  return lb;
}

void encode_loopback(const Loopback& lb, std::span<std::uint8_t, kCellPayloadSize> out) noexcept {
  out[0] = static_cast<std::uint8_t>((kOamTypeFaultManagement << 4) | kOamFunctionLoopback);
  out[kOffIndication] = lb.request ? 1 : 0;
  store_be32(out.data() + kOffTag, lb.correlation_tag);
  std::memcpy(out.data() + kOffLocation, lb.location_id.data(), kOamIdSize);
  std::memcpy(out.data() + kOffSource, lb.source_id.data(), kOamIdSize);
  std::memset(out.data() + kOffUnused, kOamUnusedOctet, kOffCrc - kOffUnused);
  store_be16(out.data() + kOffCrc, oam_crc10(Bytes(out.data(), out.size())));
}

Result<void> build_loopback_cell(const CellHeader& h, HeaderFormat f, const Loopback& lb,
                                 MutBytes out) noexcept {
  if (auto v = encode_header(h, f, out); !v) return v;
  if (out.size() < kCellSize) return Error{Errc::truncated, "no room for an OAM cell"};
  encode_loopback(lb,
                  std::span<std::uint8_t, kCellPayloadSize>(out.data() + kCellHeaderSize, kCellPayloadSize));
  return ok();
}

OamOutcome OamResponder::on_cell(const CellHeader& h, Bytes payload, MutBytes reply) noexcept {
  counters_.inc(Ctr::atm_oam_rx_cells);
  if (!is_oam(classify(h)) || payload.size() != kCellPayloadSize) {
    counters_.inc(Ctr::atm_oam_rx_unhandled);
    return {};
  }
  if (!oam_crc10_ok(payload)) {
    counters_.inc(Ctr::atm_oam_rx_bad_crc);
    return {};
  }
  auto lb = decode_loopback(payload);
  if (!lb) {
    counters_.inc(Ctr::atm_oam_rx_unhandled);
    return {};
  }
  if (!lb->request) {
    counters_.inc(Ctr::atm_oam_loopback_reply_rx);
    return {OamEvent::loopback_reply, *lb};
  }
  const bool for_us =
      lb->location_id == kOamIdAllOnes || (cfg_.location_id && lb->location_id == *cfg_.location_id);
  if (!for_us) {
    counters_.inc(Ctr::atm_oam_loopback_not_for_us);
    return {};
  }
  if (reply.size() < kCellSize) {
    counters_.inc(Ctr::atm_oam_rx_unhandled);
    return {};
  }
  // The same flow (VPI, VCI, PTI), GFC and CLP 0; the same payload with the
  // indication decremented to 0 (I.610 §10.2.4) and the reserved bits 0,
  // hence a new CRC.
  CellHeader rh = h;
  rh.gfc = 0;
  rh.clp = false;
  const auto hdr = encode_header_unchecked(rh, cfg_.format);
  std::memcpy(reply.data(), hdr.data(), hdr.size());
  std::uint8_t* p = reply.data() + kCellHeaderSize;
  std::memcpy(p, payload.data(), kCellPayloadSize);
  p[kOffIndication] = static_cast<std::uint8_t>(p[kOffIndication] & ~0x01);
  store_be16(p + kOffCrc, oam_crc10(Bytes(p, kCellPayloadSize)));  // reserved bits 0
  counters_.inc(Ctr::atm_oam_loopback_answered);
  Loopback seen = *lb;
  return {OamEvent::reply_ready, seen};
}

}  // namespace l2sec::transports::atm
