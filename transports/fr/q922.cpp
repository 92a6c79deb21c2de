#include "transports/fr/q922.hpp"

namespace l2sec::transports::fr {

namespace {

constexpr std::uint8_t flag_bit(bool on, std::uint8_t bit) { return on ? bit : std::uint8_t{0}; }

// Octets 1 and 2 carry the top 10 bits of the DLCI whatever the size.
void write_first_two(std::uint32_t top10, const Flags& f, bool last, std::uint8_t* out) noexcept {
  out[0] = static_cast<std::uint8_t>(((top10 >> 2) & 0xFC) | flag_bit(f.cr, kCr));
  out[1] = static_cast<std::uint8_t>(((top10 << 4) & 0xF0) | flag_bit(f.fecn, kFecn) |
                                     flag_bit(f.becn, kBecn) | flag_bit(f.de, kDe) | flag_bit(last, kEa));
}

}  // namespace

std::size_t write_address(const Address& a, std::uint8_t* out) noexcept {
  switch (a.size) {
    case 2:
      write_first_two(a.dlci, a.flags, true, out);
      return 2;
    case 3:
      write_first_two(a.dlci >> 6, a.flags, false, out);
      out[2] = static_cast<std::uint8_t>(((a.dlci & 0x3F) << 2) | kEa);
      return 3;
    default:
      write_first_two(a.dlci >> 13, a.flags, false, out);
      out[2] = static_cast<std::uint8_t>(((a.dlci >> 6) & 0x7F) << 1);
      out[3] = static_cast<std::uint8_t>(((a.dlci & 0x3F) << 2) | kEa);
      return 4;
  }
}

Result<void> push_address(const Address& a, PacketBuf& pkt) {
  if (a.size < kMinAddressSize || a.size > kMaxAddressSize)
    return Error{Errc::out_of_range, "Q.922 address size is not 2, 3 or 4 octets"};
  if (a.dlci > max_dlci(a.size)) return Error{Errc::out_of_range, "DLCI does not fit the Q.922 address size"};
  write_address(a, pkt.push_front(a.size));
  return ok();
}

Result<Address> read_address(Bytes frame, Counters& counters) {
  const std::uint8_t* p = frame.data();
  const std::size_t n = frame.size();
  auto truncated = [&counters]() -> Result<Address> {
    counters.inc(Ctr::fr_rx_addr_truncated);
    return Error{Errc::truncated, "frame ends inside its Q.922 address"};
  };
  auto dl_core = [&counters]() -> Result<Address> {
    counters.inc(Ctr::fr_rx_addr_dl_core);
    return Error{Errc::unsupported, "Q.922 address with D/C=1 (DL-CORE control)"};
  };

  if (n < 1) return truncated();
  if ((p[0] & kEa) != 0) {
    counters.inc(Ctr::fr_rx_addr_ea_first);
    return Error{Errc::malformed, "Q.922 address with EA=1 in its first octet"};
  }
  if (n < 2) return truncated();
  Address a;
  a.flags.cr = (p[0] & kCr) != 0;
  a.flags.fecn = (p[1] & kFecn) != 0;
  a.flags.becn = (p[1] & kBecn) != 0;
  a.flags.de = (p[1] & kDe) != 0;
  std::uint32_t dlci = (std::uint32_t{p[0] & 0xFCu} << 2) | (p[1] >> 4);
  if ((p[1] & kEa) != 0) {
    a.dlci = dlci;
    a.size = 2;
    return a;
  }
  if (n < 3) return truncated();
  if ((p[2] & kEa) != 0) {
    if ((p[2] & kDc) != 0) return dl_core();
    a.dlci = (dlci << 6) | (p[2] >> 2);
    a.size = 3;
    return a;
  }
  if (n < 4) return truncated();
  if ((p[3] & kEa) == 0) {
    counters.inc(Ctr::fr_rx_addr_too_long);
    return Error{Errc::malformed, "Q.922 address longer than 4 octets"};
  }
  if ((p[3] & kDc) != 0) return dl_core();
  a.dlci = (((dlci << 7) | (p[2] >> 1)) << 6) | (p[3] >> 2);
  a.size = 4;
  return a;
}

Result<Address> pull_address(PacketBuf& pkt, Counters& counters) {
  auto a = read_address(pkt.bytes(), counters);
  if (a.ok()) pkt.pull_front(a->size);
  return a;
}

}  // namespace l2sec::transports::fr
