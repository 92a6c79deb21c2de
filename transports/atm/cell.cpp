#include "transports/atm/cell.hpp"

namespace l2sec::transports::atm {
namespace {

constexpr std::uint8_t kHecPoly = 0x07;  // x^8 + x^2 + x + 1, x^8 implicit

constexpr std::array<std::uint8_t, 256> make_crc8_table() {
  std::array<std::uint8_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned r = b;
    for (int i = 0; i < 8; ++i) r = (r & 0x80) ? ((r << 1) ^ kHecPoly) & 0xFF : (r << 1) & 0xFF;
    t[b] = static_cast<std::uint8_t>(r);
  }
  return t;
}
constexpr auto kCrc8 = make_crc8_table();

constexpr std::uint8_t crc8(const std::uint8_t* p, std::size_t n) {
  std::uint8_t r = 0;
  for (std::size_t i = 0; i < n; ++i) r = kCrc8[r ^ p[i]];
  return r;
}

// kShift[k][b]: the CRC of octet b followed by k zero octets. The HEC of four
// octets is then four independent lookups instead of a chain of four, which
// matters on the receive path (one HEC per 48 octets of payload).
constexpr std::array<std::array<std::uint8_t, 256>, 4> make_shift_tables() {
  std::array<std::array<std::uint8_t, 256>, 4> t{};
  t[0] = make_crc8_table();
  for (std::size_t k = 1; k < 4; ++k)
    for (std::size_t b = 0; b < 256; ++b) t[k][b] = kCrc8[t[k - 1][b]];
  return t;
}
constexpr auto kShift = make_shift_tables();

inline std::uint8_t crc8_4(const std::uint8_t* p) noexcept {
  return static_cast<std::uint8_t>(kShift[3][p[0]] ^ kShift[2][p[1]] ^ kShift[1][p[2]] ^ kShift[0][p[3]]);
}

// Syndrome -> erroneous bit. The CRC is linear, so a single flipped bit of
// octets 1..4 gives the CRC of that one-bit pattern (the coset cancels), and
// a flipped HEC bit gives that bit itself. The generator has a primitive
// factor of degree 7, so the 40 syndromes are distinct and non-zero
// (checked by a test).
constexpr std::array<std::int8_t, 256> make_syndromes() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int bit = 0; bit < 32; ++bit) {
    std::uint8_t e[4] = {0, 0, 0, 0};
    e[bit / 8] = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    t[crc8(e, 4)] = static_cast<std::int8_t>(bit);
  }
  for (int bit = 32; bit < 40; ++bit) t[0x80 >> (bit - 32)] = static_cast<std::int8_t>(bit);
  return t;
}
constexpr auto kSyndromes = make_syndromes();

}  // namespace

namespace detail {
int hec_error_bit(std::uint8_t syndrome) noexcept { return kSyndromes[syndrome]; }
}  // namespace detail

std::uint8_t hec(Bytes four) noexcept { return static_cast<std::uint8_t>(crc8_4(four.data()) ^ kHecCoset); }

CellKind classify(const CellHeader& h) noexcept {
  if (h.vpi == 0 && h.vci == 0) return CellKind::idle_or_unassigned;
  if (h.vci == kVciOamF4Segment) return CellKind::oam_f4_segment;
  if (h.vci == kVciOamF4EndToEnd) return CellKind::oam_f4_end_to_end;
  switch (h.pti) {
    case kPtiOamF5Segment:
      return CellKind::oam_f5_segment;
    case kPtiOamF5EndToEnd:
      return CellKind::oam_f5_end_to_end;
    case kPtiResourceManagement:
      return CellKind::resource_management;
    case kPtiReserved:
      return CellKind::reserved;
    default:
      return CellKind::user_data;
  }
}

Result<void> validate(const CellHeader& h, HeaderFormat f) noexcept {
  if (h.pti > 7) return Error{Errc::out_of_range, "ATM PTI is 3 bits"};
  if (f == HeaderFormat::uni) {
    if (h.gfc > 15) return Error{Errc::out_of_range, "ATM GFC is 4 bits"};
    if (h.vpi > kMaxVpiUni) return Error{Errc::out_of_range, "ATM UNI VPI is 8 bits"};
  } else {
    if (h.gfc != 0) return Error{Errc::out_of_range, "ATM NNI header has no GFC"};
    if (h.vpi > kMaxVpiNni) return Error{Errc::out_of_range, "ATM NNI VPI is 12 bits"};
  }
  return ok();
}

std::array<std::uint8_t, kCellHeaderSize> encode_header_unchecked(const CellHeader& h,
                                                                  HeaderFormat f) noexcept {
  std::array<std::uint8_t, kCellHeaderSize> o{};
  const unsigned top =
      f == HeaderFormat::uni ? (unsigned{h.gfc} << 4) | ((h.vpi >> 4) & 0x0F) : (h.vpi >> 4) & 0xFF;
  o[0] = static_cast<std::uint8_t>(top);
  o[1] = static_cast<std::uint8_t>(((h.vpi & 0x0F) << 4) | (h.vci >> 12));
  o[2] = static_cast<std::uint8_t>(h.vci >> 4);
  o[3] = static_cast<std::uint8_t>(((h.vci & 0x0F) << 4) | ((h.pti & 0x7) << 1) | (h.clp ? 1 : 0));
  o[4] = hec(Bytes(o.data(), 4));
  return o;
}

Result<void> encode_header(const CellHeader& h, HeaderFormat f, MutBytes out) noexcept {
  if (auto v = validate(h, f); !v) return v;
  if (out.size() < kCellHeaderSize) return Error{Errc::truncated, "no room for an ATM cell header"};
  const auto o = encode_header_unchecked(h, f);
  std::memcpy(out.data(), o.data(), o.size());
  return ok();
}

CellHeader decode_header_fields(const std::uint8_t* p, HeaderFormat f) noexcept {
  CellHeader h;
  if (f == HeaderFormat::uni) {
    h.gfc = static_cast<std::uint8_t>(p[0] >> 4);
    h.vpi = static_cast<std::uint16_t>(((p[0] & 0x0F) << 4) | (p[1] >> 4));
  } else {
    h.vpi = static_cast<std::uint16_t>((p[0] << 4) | (p[1] >> 4));
  }
  h.vci = static_cast<std::uint16_t>(((p[1] & 0x0F) << 12) | (p[2] << 4) | (p[3] >> 4));
  h.pti = static_cast<std::uint8_t>((p[3] >> 1) & 0x7);
  h.clp = (p[3] & 1) != 0;
  return h;
}

Result<CellHeader> decode_header(Bytes b, HeaderFormat f) noexcept {
  if (b.size() < kCellHeaderSize) return Error{Errc::truncated, "ATM cell header truncated"};
  if (hec(b) != b[4]) return Error{Errc::malformed, "ATM cell header HEC wrong"};
  return decode_header_fields(b.data(), f);
}

Result<Cell> HecReceiver::receive(Bytes cell) noexcept {
  if (cell.size() != kCellSize) {
    counters_.inc(Ctr::atm_rx_bad_cell_size);
    return Error{Errc::truncated, "ATM cell is not 53 octets"};
  }
  std::uint8_t hdr[kCellHeaderSize];
  std::memcpy(hdr, cell.data(), kCellHeaderSize);
  const auto syndrome = static_cast<std::uint8_t>(hec(Bytes(hdr, 4)) ^ hdr[4]);
  bool corrected = false;
  if (syndrome != 0) {
    const int bit = detail::hec_error_bit(syndrome);
    if (mode_ == Mode::correction && opt_.correct_single_bit && bit >= 0) {
      hdr[bit / 8] ^= static_cast<std::uint8_t>(0x80 >> (bit % 8));
      corrected = true;
      counters_.inc(Ctr::atm_rx_hec_corrected);
      mode_ = Mode::detection;
    } else {
      counters_.inc(Ctr::atm_rx_bad_hec);
      mode_ = Mode::detection;
      return Error{Errc::malformed, "ATM cell header HEC wrong"};
    }
  } else {
    mode_ = Mode::correction;
  }
  Cell c{decode_header_fields(hdr, opt_.format), cell.subspan(kCellHeaderSize), corrected};
  if (classify(c.header) == CellKind::idle_or_unassigned) {
    counters_.inc(Ctr::atm_rx_idle_cell);
    return Error{Errc::not_found, "idle or unassigned ATM cell"};
  }
  return c;
}

}  // namespace l2sec::transports::atm
