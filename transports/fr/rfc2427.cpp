#include "transports/fr/rfc2427.hpp"

#include <cstring>

namespace l2sec::transports::fr {

namespace {

constexpr std::size_t kSnapSize = 5;  // OUI(3) + PID(2)

std::uint8_t dispatch_of(Kind k) {
  switch (k) {
    case Kind::esp:
      return kDispatchEsp;
    case Kind::ipless_udp:
      return kDispatchUdp;
    default:
      return kDispatchL2tp;
  }
}

void write_snap(const std::array<std::uint8_t, 3>& oui, std::uint16_t pid, std::uint8_t* out) {
  out[0] = kControlUi;
  out[1] = kPad;
  out[2] = kNlpidSnap;
  std::memcpy(out + 3, oui.data(), oui.size());
  store_be16(out + 6, pid);
}

}  // namespace

std::string_view kind_name(Kind k) noexcept {
  switch (k) {
    case Kind::clear_l2tp:
      return "clear_l2tp";
    case Kind::esp:
      return "esp";
    case Kind::ipless_udp:
      return "ipless_udp";
    case Kind::secured_l2tp:
      return "secured_l2tp";
    case Kind::ipv4:
      return "ipv4";
    case Kind::ipv6:
      return "ipv6";
    case Kind::lmi:
      return "lmi";
    case Kind::other:
      return "other";
  }
  return "?";
}

Result<void> validate(const SecuredCodePoint& cp) {
  if (cp.oui == kIanaOui && cp.pid == kPidL2tp)
    return Error{Errc::exists, "secured code point equals the clear L2TP code point 00-00-5E/0007"};
  return ok();
}

std::size_t write_header(Kind k, const SecuredCodePoint& cp, std::uint8_t* out) noexcept {
  switch (k) {
    case Kind::clear_l2tp:
      write_snap(kIanaOui, kPidL2tp, out);
      return 8;
    case Kind::esp:
    case Kind::ipless_udp:
    case Kind::secured_l2tp:
      write_snap(cp.oui, cp.pid, out);
      out[8] = dispatch_of(k);
      return 9;
    case Kind::ipv4:
    case Kind::ipv6:
      out[0] = kControlUi;
      out[1] = k == Kind::ipv4 ? kNlpidIpv4 : kNlpidIpv6;
      return 2;
    case Kind::lmi:
      out[0] = kControlUi;
      return 1;
    case Kind::other:
      break;
  }
  return 0;
}

Result<void> push_header(Kind k, const SecuredCodePoint& cp, PacketBuf& pkt) {
  if (k == Kind::other) return Error{Errc::unsupported, "no Frame Relay encapsulation for kind other"};
  write_header(k, cp, pkt.push_front(header_size(k)));
  return ok();
}

Result<Header> read_header(Bytes after_address, const SecuredCodePoint& cp, bool signalling_dlci,
                           Counters& counters) {
  const std::uint8_t* p = after_address.data();
  const std::size_t n = after_address.size();
  auto truncated = [&counters]() -> Result<Header> {
    counters.inc(Ctr::fr_rx_hdr_truncated);
    return Error{Errc::truncated, "frame ends inside its RFC 2427 header"};
  };
  auto other = [&counters](Ctr why) -> Result<Header> {
    counters.inc(why);
    return Header{Kind::other, 0};
  };

  if (n < 1) return truncated();
  if (p[0] != kControlUi) return other(Ctr::fr_rx_not_ui);
  std::size_t i = 1;
  if (i >= n) return truncated();
  if (p[i] == kPad) {
    if (++i >= n) return truncated();
    if (p[i] == kPad) {
      counters.inc(Ctr::fr_rx_nlpid_null);
      return Error{Errc::malformed, "NLPID 0x00 after the pad"};
    }
  }
  const std::uint8_t nlpid = p[i++];
  Kind kind = Kind::other;
  switch (nlpid) {
    case kNlpidIpv4:
      kind = Kind::ipv4;
      break;
    case kNlpidIpv6:
      kind = Kind::ipv6;
      break;
    case kNlpidQ933:
    case kNlpidCiscoLmi:
      if (!signalling_dlci) return other(Ctr::fr_rx_unsupported_nlpid);
      // The discriminator is the first octet of the LMI message.
      return Header{Kind::lmi, static_cast<std::uint8_t>(i - 1)};
    case kNlpidSnap: {
      if (n - i < kSnapSize) return truncated();
      const std::uint16_t pid = load_be16(p + i + 3);
      const bool iana = p[i] == kIanaOui[0] && p[i + 1] == kIanaOui[1] && p[i + 2] == kIanaOui[2];
      const bool secured =
          p[i] == cp.oui[0] && p[i + 1] == cp.oui[1] && p[i + 2] == cp.oui[2] && pid == cp.pid;
      i += kSnapSize;
      if (iana && pid == kPidL2tp) {
        kind = Kind::clear_l2tp;
      } else if (secured) {
        if (i >= n) return truncated();
        switch (p[i++]) {
          case kDispatchEsp:
            kind = Kind::esp;
            break;
          case kDispatchUdp:
            kind = Kind::ipless_udp;
            break;
          case kDispatchL2tp:
            kind = Kind::secured_l2tp;
            break;
          default:
            counters.inc(Ctr::fr_rx_bad_dispatch);
            return Error{Errc::malformed, "secured-channel dispatch octet not 50, 17 or 115"};
        }
      } else {
        return other(Ctr::fr_rx_unsupported_snap);
      }
      break;
    }
    default:
      return other(Ctr::fr_rx_unsupported_nlpid);
  }
  if (signalling_dlci) {
    counters.inc(Ctr::fr_rx_data_on_signalling_dlci);
    return Error{Errc::malformed, "data frame on a signalling DLCI"};
  }
  return Header{kind, static_cast<std::uint8_t>(i)};
}

Result<Kind> pull_header(PacketBuf& pkt, const SecuredCodePoint& cp, bool signalling_dlci,
                         Counters& counters) {
  auto h = read_header(pkt.bytes(), cp, signalling_dlci, counters);
  if (!h.ok()) return h.error();
  pkt.pull_front(h->size);
  return h->kind;
}

}  // namespace l2sec::transports::fr
