// X.25 packet layer codec (x25.hpp has the layouts and the contract).
#include "transports/xot/x25.hpp"

#include <cstring>

namespace l2sec::transports::xot {

namespace {

constexpr std::uint8_t kGfiQ = 0x80;
constexpr std::uint8_t kGfiD = 0x40;
constexpr std::uint8_t kGfiMod8 = 0x10;    // bits 6-5 = 01
constexpr std::uint8_t kGfiMod128 = 0x20;  // bits 6-5 = 10
constexpr std::uint8_t kMbitMod8 = 0x10;
constexpr std::uint8_t kMbitMod128 = 0x01;
constexpr std::size_t kPvcFixedLen = 12;  // octets after the PTI before the names (RFC 1613 §6.5)

Error fail(Counters& c, Ctr why, Errc code, std::string_view what) {
  c.inc(why);
  return Error{code, what};
}

unsigned modulus(Modulo m) { return m == Modulo::mod8 ? 8u : 128u; }

bool is_flow_control(Type t) { return t == Type::rr || t == Type::rnr || t == Type::rej; }

std::uint8_t flow_control_pti(Type t) { return t == Type::rr ? kPtiRr : t == Type::rnr ? kPtiRnr : kPtiRej; }

// ---- decoding helpers ----

// Address block (X.25 §5, SPEC-NOTES §7.3): lengths octet, then BCD digits, called
// first. Leaves r after the block.
bool read_addresses(WireReader& r, Packet& p, Counters& c, Error& err) {
  auto lens = r.u8();
  if (!lens) {
    err = fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 address block missing");
    return false;
  }
  const unsigned called_len = *lens & 0x0F;
  const unsigned calling_len = *lens >> 4;
  const unsigned n = called_len + calling_len;
  auto digits = r.bytes((n + 1) / 2);
  if (!digits) {
    err = fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 address digits truncated");
    return false;
  }
  for (unsigned i = 0; i < n; ++i) {
    const std::uint8_t octet = (*digits)[i / 2];
    const std::uint8_t nib = (i % 2 == 0) ? octet >> 4 : octet & 0x0F;
    if (nib > 9) {
      err = fail(c, Ctr::x25_rx_bad_address, Errc::malformed, "X.25 address semi-octet above 9");
      return false;
    }
    Address& a = i < called_len ? p.called : p.calling;
    a.digits[a.len++] = static_cast<char>('0' + nib);
  }
  return true;
}

// Facility length and field (X.25 §7). Leaves r after the field.
bool read_facilities(WireReader& r, Facilities& f, Counters& c, Error& err) {
  auto len = r.u8();
  if (!len) {
    err = fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 facility length missing");
    return false;
  }
  auto field = r.bytes(*len);
  if (!field) {
    err = fail(c, Ctr::x25_rx_bad_facilities, Errc::malformed, "X.25 facility field past the packet");
    return false;
  }
  WireReader fr(*field);
  bool after_marker = false;
  while (!fr.empty()) {
    const std::uint8_t code = *fr.u8();
    std::size_t plen = 0;
    switch (code & 0xC0) {
      case 0x00:
        plen = 1;
        break;
      case 0x40:
        plen = 2;
        break;
      case 0x80:
        plen = 3;
        break;
      default: {
        auto l = fr.u8();
        if (!l) {
          err = fail(c, Ctr::x25_rx_bad_facilities, Errc::malformed, "X.25 class D facility length missing");
          return false;
        }
        plen = *l;
      }
    }
    auto param = fr.bytes(plen);
    if (!param) {
      err = fail(c, Ctr::x25_rx_bad_facilities, Errc::malformed, "X.25 facility past the facility field");
      return false;
    }
    if (code == kFacMarker) {
      after_marker = true;  // the codes that follow belong to another table
      continue;
    }
    if (!after_marker && code == kFacPacketSize) {
      auto called = packet_size_octets((*param)[0]);
      auto calling = packet_size_octets((*param)[1]);
      if (!called || !calling) {
        err = fail(c, Ctr::x25_rx_bad_facilities, Errc::malformed, "X.25 packet size value not allowed");
        return false;
      }
      f.packet_size = FlowPair{static_cast<std::uint16_t>(*called), static_cast<std::uint16_t>(*calling)};
      continue;
    }
    if (!after_marker && code == kFacWindowSize) {
      const std::uint8_t called = (*param)[0], calling = (*param)[1];
      if (called < 1 || called > 127 || calling < 1 || calling > 127) {
        err = fail(c, Ctr::x25_rx_bad_facilities, Errc::malformed, "X.25 window size value not allowed");
        return false;
      }
      f.window_size = FlowPair{called, calling};
      continue;
    }
    if (f.ignored < 0xFF) ++f.ignored;
  }
  return true;
}

// Address block, facilities, then user data up to `max_user` octets (0:
// none allowed).
bool read_call_fields(WireReader& r, Packet& p, std::size_t max_user, Counters& c, Error& err) {
  if (p.hdr.q) {
    err = fail(c, Ctr::x25_rx_unsupported, Errc::unsupported, "X.25 A-bit (TOA/NPI) address format");
    return false;
  }
  p.has_call_fields = true;
  if (!read_addresses(r, p, c, err) || !read_facilities(r, p.facilities, c, err)) return false;
  if (r.remaining() > max_user) {
    err = fail(c, Ctr::x25_rx_too_long, Errc::malformed, "X.25 user data over its limit");
    return false;
  }
  p.user_data = r.rest();
  return true;
}

// Cause and, when present, diagnostic. Consumes them.
bool read_cause(WireReader& r, Packet& p, Counters& c, Error& err) {
  auto cause = r.u8();
  if (!cause) {
    err = fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 cause missing");
    return false;
  }
  p.cause = *cause;
  if (!r.empty()) p.diagnostic = *r.u8();
  return true;
}

bool expect_end(const WireReader& r, Counters& c, Error& err) {
  if (r.empty()) return true;
  err = fail(c, Ctr::x25_rx_too_long, Errc::malformed, "X.25 octets beyond what the packet type carries");
  return false;
}

bool expect_lci0(const Packet& p, Counters& c, Error& err) {
  if (p.hdr.lci == 0) return true;
  err = fail(c, Ctr::x25_rx_bad_lci, Errc::malformed, "X.25 restart or diagnostic off channel 0");
  return false;
}

bool decode_pvc_setup(WireReader& r, Packet& p, Counters& c, Error& err) {
  if (r.remaining() < kPvcFixedLen) {
    err = fail(c, Ctr::x25_rx_too_short, Errc::truncated, "XOT PVC setup truncated");
    return false;
  }
  if (*r.u8() != kPvcSetupVersion) {
    err = fail(c, Ctr::x25_rx_unsupported, Errc::unsupported, "XOT PVC setup version not 0x81");
    return false;
  }
  PvcSetup& v = p.pvc;
  v.status = *r.u8();
  const std::uint8_t n = *r.u8();
  v.initiator_lcn = *r.u16();
  const std::uint8_t m = *r.u8();
  v.responder_lcn = *r.u16();
  v.in_window = *r.u8();
  v.out_window = *r.u8();
  v.in_packet = *r.u8();
  v.out_packet = *r.u8();
  if (r.remaining() < std::size_t{n} + m) {
    err = fail(c, Ctr::x25_rx_too_short, Errc::truncated, "XOT PVC setup names truncated");
    return false;
  }
  v.initiator_name = *r.bytes(n);
  v.responder_name = *r.bytes(m);
  return expect_end(r, c, err);
}

// ---- encoding helpers ----

Result<void> check_address(const Address& a) {
  if (a.len > kMaxAddressDigits) return Error{Errc::out_of_range, "X.25 address over 15 digits"};
  for (std::size_t i = 0; i < a.len; ++i)
    if (a.digits[i] < '0' || a.digits[i] > '9') return Error{Errc::malformed, "X.25 address digit not 0-9"};
  return ok();
}

Result<std::size_t> facilities_size(const Facilities& f) {
  std::size_t n = 0;
  if (f.packet_size) {
    if (!packet_size_code(f.packet_size->from_called) || !packet_size_code(f.packet_size->from_calling))
      return Error{Errc::out_of_range, "X.25 packet size not a power of two in 16..4096"};
    n += 3;
  }
  if (f.window_size) {
    const auto& w = *f.window_size;
    if (w.from_called < 1 || w.from_called > 127 || w.from_calling < 1 || w.from_calling > 127)
      return Error{Errc::out_of_range, "X.25 window size outside 1..127"};
    n += 3;
  }
  return n;
}

// Size of address block + facility length + facilities (user data aside).
Result<std::size_t> call_fields_size(const Packet& p) {
  if (p.hdr.q) return Error{Errc::unsupported, "X.25 A-bit (TOA/NPI) address format"};
  if (auto e = check_address(p.called); !e) return e.error();
  if (auto e = check_address(p.calling); !e) return e.error();
  auto fac = facilities_size(p.facilities);
  if (!fac) return fac.error();
  return 1 + (std::size_t{p.called.len} + p.calling.len + 1) / 2 + 1 + *fac;
}

void write_call_fields(WireWriter& w, const Packet& p) {
  w.u8(static_cast<std::uint8_t>(p.calling.len << 4 | p.called.len));
  const std::size_t n = std::size_t{p.called.len} + p.calling.len;
  std::uint8_t octet = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char ch = i < p.called.len ? p.called.digits[i] : p.calling.digits[i - p.called.len];
    const auto nib = static_cast<std::uint8_t>(ch - '0');
    if (i % 2 == 0) {
      octet = static_cast<std::uint8_t>(nib << 4);
    } else {
      w.u8(static_cast<std::uint8_t>(octet | nib));
    }
  }
  if (n % 2 == 1) w.u8(octet);  // padded with a zero semi-octet
  const Facilities& f = p.facilities;
  w.u8(static_cast<std::uint8_t>((f.packet_size ? 3 : 0) + (f.window_size ? 3 : 0)));
  if (f.packet_size) {
    w.u8(kFacPacketSize);
    w.u8(*packet_size_code(f.packet_size->from_called));
    w.u8(*packet_size_code(f.packet_size->from_calling));
  }
  if (f.window_size) {
    w.u8(kFacWindowSize);
    w.u8(static_cast<std::uint8_t>(f.window_size->from_called));
    w.u8(static_cast<std::uint8_t>(f.window_size->from_calling));
  }
}

std::uint8_t gfi(const Header& h) {
  return static_cast<std::uint8_t>((h.q ? kGfiQ : 0) | (h.d ? kGfiD : 0) |
                                   (h.modulo == Modulo::mod8 ? kGfiMod8 : kGfiMod128) | (h.lci >> 8));
}

Result<void> check_data(const Header& hdr, unsigned ps, unsigned pr, std::size_t user) {
  if (hdr.lci > kMaxLci) return Error{Errc::out_of_range, "X.25 LCI above 4095"};
  const unsigned mod = modulus(hdr.modulo);
  if (ps >= mod || pr >= mod) return Error{Errc::out_of_range, "X.25 P(S) or P(R) not below the modulus"};
  if (user > kMaxUserData) return Error{Errc::out_of_range, "X.25 Data over 4096 octets"};
  return ok();
}

void write_data_header(std::uint8_t* at, const Header& hdr, std::uint8_t ps, std::uint8_t pr, bool m) {
  at[0] = gfi(hdr);
  at[1] = static_cast<std::uint8_t>(hdr.lci);
  if (hdr.modulo == Modulo::mod8) {
    at[2] = static_cast<std::uint8_t>(pr << 5 | (m ? kMbitMod8 : 0) | ps << 1);
  } else {
    at[2] = static_cast<std::uint8_t>(ps << 1);
    at[3] = static_cast<std::uint8_t>(pr << 1 | (m ? kMbitMod128 : 0));
  }
}

}  // namespace

std::string_view type_name(Type t) noexcept {
  switch (t) {
    case Type::call_request:
      return "Call Request";
    case Type::call_accepted:
      return "Call Accepted";
    case Type::clear_request:
      return "Clear Request";
    case Type::clear_confirmation:
      return "Clear Confirmation";
    case Type::data:
      return "Data";
    case Type::interrupt:
      return "Interrupt";
    case Type::interrupt_confirmation:
      return "Interrupt Confirmation";
    case Type::rr:
      return "RR";
    case Type::rnr:
      return "RNR";
    case Type::rej:
      return "REJ";
    case Type::reset_request:
      return "Reset Request";
    case Type::reset_confirmation:
      return "Reset Confirmation";
    case Type::restart_request:
      return "Restart Request";
    case Type::restart_confirmation:
      return "Restart Confirmation";
    case Type::diagnostic:
      return "Diagnostic";
    case Type::pvc_setup:
      return "PVC Setup";
  }
  return "?";
}

Result<Address> Address::parse(std::string_view s) {
  if (s.size() > kMaxAddressDigits) return Error{Errc::out_of_range, "X.121 address over 15 digits"};
  Address a;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return Error{Errc::malformed, "X.121 address digit not 0-9"};
    a.digits[a.len++] = ch;
  }
  return a;
}

std::optional<std::uint8_t> packet_size_code(std::size_t octets) noexcept {
  for (std::uint8_t code = 4; code <= 12; ++code)
    if (octets == (std::size_t{1} << code)) return code;
  return std::nullopt;
}

std::optional<std::size_t> packet_size_octets(std::uint8_t code) noexcept {
  if (code < 4 || code > 12) return std::nullopt;
  return std::size_t{1} << code;
}

std::size_t Packet::header_size() const {
  return hdr.modulo == Modulo::mod128 && (type == Type::data || is_flow_control(type)) ? 4 : 3;
}

Result<Packet> decode(Bytes pkt, Counters& c) {
  if (pkt.size() < kMinPacketLen)
    return fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 packet shorter than its header");
  Packet p;
  const std::uint8_t g = pkt[0];
  switch (g & 0x30) {
    case kGfiMod8:
      p.hdr.modulo = Modulo::mod8;
      break;
    case kGfiMod128:
      p.hdr.modulo = Modulo::mod128;
      break;
    default:
      return fail(c, Ctr::x25_rx_bad_gfi, Errc::unsupported, "X.25 GFI modulo not 8 or 128");
  }
  p.hdr.q = (g & kGfiQ) != 0;
  p.hdr.d = (g & kGfiD) != 0;
  p.hdr.lci = static_cast<std::uint16_t>((g & 0x0F) << 8 | pkt[1]);
  const std::uint8_t pti = pkt[2];
  const bool mod8 = p.hdr.modulo == Modulo::mod8;
  WireReader r(pkt.subspan(3));
  Error err{Errc::malformed, {}};

  if ((pti & 0x01) == 0) {  // Data
    p.type = Type::data;
    if (mod8) {
      p.ps = (pti >> 1) & 0x07;
      p.m = (pti & kMbitMod8) != 0;
      p.pr = pti >> 5;
    } else {
      auto o4 = r.u8();
      if (!o4)
        return fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 modulo-128 Data header truncated");
      p.ps = pti >> 1;
      p.pr = *o4 >> 1;
      p.m = (*o4 & kMbitMod128) != 0;
    }
    if (r.remaining() > kMaxUserData)
      return fail(c, Ctr::x25_rx_too_long, Errc::malformed, "X.25 Data over 4096 octets");
    p.user_data = r.rest();
    return p;
  }

  bool good = true;
  switch (pti) {
    case kPtiCallRequest:
      p.type = Type::call_request;
      good = read_call_fields(r, p, kMaxCallUserData, c, err);
      break;
    case kPtiCallAccepted:
      p.type = Type::call_accepted;
      if (!r.empty()) good = read_call_fields(r, p, kMaxCallUserData, c, err);
      break;
    case kPtiClearRequest:
      p.type = Type::clear_request;
      good = read_cause(r, p, c, err) && (r.empty() || read_call_fields(r, p, kMaxClearUserData, c, err));
      break;
    case kPtiClearConfirmation:
      p.type = Type::clear_confirmation;
      if (!r.empty()) good = read_call_fields(r, p, 0, c, err);
      break;
    case kPtiInterrupt:
      p.type = Type::interrupt;
      if (r.empty())
        return fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 Interrupt without user data");
      if (r.remaining() > kMaxInterruptUserData)
        return fail(c, Ctr::x25_rx_too_long, Errc::malformed, "X.25 interrupt user data over 32 octets");
      p.user_data = r.rest();
      break;
    case kPtiInterruptConfirmation:
      p.type = Type::interrupt_confirmation;
      good = expect_end(r, c, err);
      break;
    case kPtiResetRequest:
      p.type = Type::reset_request;
      good = read_cause(r, p, c, err) && expect_end(r, c, err);
      break;
    case kPtiResetConfirmation:
      p.type = Type::reset_confirmation;
      good = expect_end(r, c, err);
      break;
    case kPtiRestartRequest:
      p.type = Type::restart_request;
      good = expect_lci0(p, c, err) && read_cause(r, p, c, err) && expect_end(r, c, err);
      break;
    case kPtiRestartConfirmation:
      p.type = Type::restart_confirmation;
      good = expect_lci0(p, c, err) && expect_end(r, c, err);
      break;
    case kPtiDiagnostic: {
      p.type = Type::diagnostic;
      if (!expect_lci0(p, c, err)) return err;
      auto code = r.u8();
      if (!code) return fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 Diagnostic without a code");
      p.cause = *code;
      if (r.remaining() > kMaxDiagnosticExplanation)
        return fail(c, Ctr::x25_rx_too_long, Errc::malformed, "X.25 diagnostic explanation over 4 octets");
      p.user_data = r.rest();
      break;
    }
    case kPtiRegistrationRequest:
    case kPtiRegistrationConfirmation:
      return fail(c, Ctr::x25_rx_unsupported, Errc::unsupported, "X.25 registration packets not implemented");
    case kPtiPvcSetup:
      p.type = Type::pvc_setup;
      good = decode_pvc_setup(r, p, c, err);
      break;
    default: {
      // Flow control: modulo 8 keeps P(R) in bits 8-6; modulo 128 has the
      // bare type in octet 3 and P(R) in octet 4.
      const std::uint8_t fc = mod8 ? (pti & 0x1F) : pti;
      if (fc == kPtiRr) {
        p.type = Type::rr;
      } else if (fc == kPtiRnr) {
        p.type = Type::rnr;
      } else if (fc == kPtiRej) {
        p.type = Type::rej;
      } else {
        return fail(c, Ctr::x25_rx_unknown_type, Errc::malformed, "X.25 packet type unidentifiable");
      }
      if (mod8) {
        p.pr = pti >> 5;
      } else {
        auto o4 = r.u8();
        if (!o4)
          return fail(c, Ctr::x25_rx_too_short, Errc::truncated, "X.25 modulo-128 RR/RNR/REJ truncated");
        p.pr = *o4 >> 1;
      }
      good = expect_end(r, c, err);
    }
  }
  if (!good) return err;
  if (p.facilities.ignored != 0) c.inc(Ctr::x25_rx_facility_ignored, p.facilities.ignored);
  return p;
}

Result<std::size_t> encoded_size(const Packet& p) {
  const Header& h = p.hdr;
  if (h.lci > kMaxLci) return Error{Errc::out_of_range, "X.25 LCI above 4095"};
  const unsigned mod = modulus(h.modulo);
  const std::size_t base = p.header_size();
  auto with_call_fields = [&](std::size_t fixed, std::size_t max_user) -> Result<std::size_t> {
    if (p.user_data.size() > max_user) return Error{Errc::out_of_range, "X.25 user data over its limit"};
    auto cf = call_fields_size(p);
    if (!cf) return cf.error();
    return base + fixed + *cf + p.user_data.size();
  };
  switch (p.type) {
    case Type::data:
      if (auto e = check_data(h, p.ps, p.pr, p.user_data.size()); !e) return e.error();
      return base + p.user_data.size();
    case Type::rr:
    case Type::rnr:
    case Type::rej:
      if (p.pr >= mod) return Error{Errc::out_of_range, "X.25 P(R) not below the modulus"};
      return base;
    case Type::call_request:
      return with_call_fields(0, kMaxCallUserData);
    case Type::call_accepted:
      if (!p.has_call_fields) {
        if (!p.user_data.empty()) return Error{Errc::malformed, "X.25 called user data without call fields"};
        return base;
      }
      return with_call_fields(0, kMaxCallUserData);
    case Type::clear_request:
      if (!p.has_call_fields) {
        if (!p.user_data.empty()) return Error{Errc::malformed, "X.25 clear user data without call fields"};
        return base + (p.diagnostic ? 2 : 1);
      }
      if (!p.diagnostic) return Error{Errc::malformed, "X.25 clear call fields need a diagnostic"};
      return with_call_fields(2, kMaxClearUserData);
    case Type::clear_confirmation:
      if (!p.user_data.empty()) return Error{Errc::malformed, "X.25 Clear Confirmation carries no user data"};
      return p.has_call_fields ? with_call_fields(0, 0) : Result<std::size_t>(base);
    case Type::interrupt:
      if (p.user_data.empty() || p.user_data.size() > kMaxInterruptUserData)
        return Error{Errc::out_of_range, "X.25 interrupt user data not 1-32 octets"};
      return base + p.user_data.size();
    case Type::interrupt_confirmation:
    case Type::reset_confirmation:
      return base;
    case Type::reset_request:
      return base + (p.diagnostic ? 2 : 1);
    case Type::restart_request:
      if (h.lci != 0) return Error{Errc::out_of_range, "X.25 restart off channel 0"};
      return base + (p.diagnostic ? 2 : 1);
    case Type::restart_confirmation:
      if (h.lci != 0) return Error{Errc::out_of_range, "X.25 restart off channel 0"};
      return base;
    case Type::diagnostic:
      if (h.lci != 0) return Error{Errc::out_of_range, "X.25 diagnostic off channel 0"};
      if (p.user_data.size() > kMaxDiagnosticExplanation)
        return Error{Errc::out_of_range, "X.25 diagnostic explanation over 4 octets"};
      return base + 1 + p.user_data.size();
    case Type::pvc_setup:
      if (p.pvc.initiator_name.size() > 255 || p.pvc.responder_name.size() > 255)
        return Error{Errc::out_of_range, "XOT PVC interface name over 255 octets"};
      return base + kPvcFixedLen + p.pvc.initiator_name.size() + p.pvc.responder_name.size();
  }
  return Error{Errc::malformed, "X.25 packet type unknown"};
}

Result<void> encode(const Packet& p, PacketBuf& out) {
  auto size = encoded_size(p);
  if (!size) return size.error();
  WireWriter w({out.push_back(*size), *size});
  const Header& h = p.hdr;
  if (p.type == Type::data) {
    std::uint8_t hdr[4];
    write_data_header(hdr, h, p.ps, p.pr, p.m);
    w.bytes({hdr, p.header_size()});
    w.bytes(p.user_data);
    return ok();
  }
  w.u8(gfi(h));
  w.u8(static_cast<std::uint8_t>(h.lci));
  switch (p.type) {
    case Type::data:
      break;  // above
    case Type::rr:
    case Type::rnr:
    case Type::rej:
      if (h.modulo == Modulo::mod8) {
        w.u8(static_cast<std::uint8_t>(p.pr << 5 | flow_control_pti(p.type)));
      } else {
        w.u8(flow_control_pti(p.type));
        w.u8(static_cast<std::uint8_t>(p.pr << 1));
      }
      break;
    case Type::call_request:
      w.u8(kPtiCallRequest);
      write_call_fields(w, p);
      w.bytes(p.user_data);
      break;
    case Type::call_accepted:
      w.u8(kPtiCallAccepted);
      if (p.has_call_fields) {
        write_call_fields(w, p);
        w.bytes(p.user_data);
      }
      break;
    case Type::clear_request:
      w.u8(kPtiClearRequest);
      w.u8(p.cause);
      if (p.diagnostic) w.u8(*p.diagnostic);
      if (p.has_call_fields) {
        write_call_fields(w, p);
        w.bytes(p.user_data);
      }
      break;
    case Type::clear_confirmation:
      w.u8(kPtiClearConfirmation);
      if (p.has_call_fields) write_call_fields(w, p);
      break;
    case Type::interrupt:
      w.u8(kPtiInterrupt);
      w.bytes(p.user_data);
      break;
    case Type::interrupt_confirmation:
      w.u8(kPtiInterruptConfirmation);
      break;
    case Type::reset_request:
    case Type::restart_request:
      w.u8(p.type == Type::reset_request ? kPtiResetRequest : kPtiRestartRequest);
      w.u8(p.cause);
      if (p.diagnostic) w.u8(*p.diagnostic);
      break;
    case Type::reset_confirmation:
      w.u8(kPtiResetConfirmation);
      break;
    case Type::restart_confirmation:
      w.u8(kPtiRestartConfirmation);
      break;
    case Type::diagnostic:
      w.u8(kPtiDiagnostic);
      w.u8(p.cause);
      w.bytes(p.user_data);
      break;
    case Type::pvc_setup: {
      const PvcSetup& v = p.pvc;
      w.u8(kPtiPvcSetup);
      w.u8(kPvcSetupVersion);
      w.u8(v.status);
      w.u8(static_cast<std::uint8_t>(v.initiator_name.size()));
      w.u16(v.initiator_lcn);
      w.u8(static_cast<std::uint8_t>(v.responder_name.size()));
      w.u16(v.responder_lcn);
      w.u8(v.in_window);
      w.u8(v.out_window);
      w.u8(v.in_packet);
      w.u8(v.out_packet);
      w.bytes(v.initiator_name);
      w.bytes(v.responder_name);
      break;
    }
  }
  // encoded_size() and the writes above agree by construction; a mismatch
  // is a bug here, not an input error.
  assert(!w.failed() && w.offset() == *size);
  return ok();
}

Result<void> push_data_header(const Header& hdr, std::uint8_t ps, std::uint8_t pr, bool m, PacketBuf& pkt) {
  if (auto e = check_data(hdr, ps, pr, pkt.size()); !e) return e;
  const std::size_t n = hdr.modulo == Modulo::mod8 ? 3 : 4;
  write_data_header(pkt.push_front(n), hdr, ps, pr, m);
  return ok();
}

Bytes make_cud(CudKind k, const SnapCodePoint& secured, std::array<std::uint8_t, kMaxOurCudLen>& storage) {
  if (k == CudKind::ipv4) {
    storage[0] = kNlpidIpv4;
    return {storage.data(), 1};
  }
  const SnapCodePoint& cp = k == CudKind::clear_l2tp ? kL2tpCodePoint : secured;
  storage[0] = kNlpidSnap;
  std::memcpy(&storage[1], cp.oui.data(), 3);
  store_be16(&storage[4], cp.pid);
  return {storage.data(), kMaxOurCudLen};
}

Result<CudKind> classify_cud(Bytes cud, const SnapCodePoint& secured, Counters& c) {
  if (!cud.empty() && cud[0] == kNlpidIpv4) return CudKind::ipv4;
  if (cud.size() >= kMaxOurCudLen && cud[0] == kNlpidSnap) {
    SnapCodePoint cp;
    std::memcpy(cp.oui.data(), &cud[1], 3);
    cp.pid = load_be16(&cud[4]);
    if (cp == kL2tpCodePoint) return CudKind::clear_l2tp;
    if (cp == secured) return CudKind::secured;
  }
  return fail(c, Ctr::x25_rx_cud_unknown, Errc::unsupported,
              "X.25 Call User Data names no protocol we carry");
}

}  // namespace l2sec::transports::xot
