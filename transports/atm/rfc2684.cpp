#include "transports/atm/rfc2684.hpp"

#include <cstring>

namespace l2sec::transports::atm {
namespace {

bool is_secured(PduKind k) noexcept {
  return k == PduKind::esp || k == PduKind::ipless_udp || k == PduKind::secured_l2tp;
}

std::uint8_t dispatch_of(PduKind k) noexcept {
  switch (k) {
    case PduKind::esp:
      return kDispatchEsp;
    case PduKind::ipless_udp:
      return kDispatchUdp;
    default:
      return kDispatchL2tp;
  }
}

Result<Classified> dispatch(Bytes rest, Counters& ctr) noexcept {
  if (rest.empty()) {
    ctr.inc(Ctr::atm_llc_rx_truncated);
    return Error{Errc::truncated, "secured-channel PDU without dispatch octet"};
  }
  const Bytes pdu = rest.subspan(1);
  switch (rest[0]) {
    case kDispatchEsp:
      return Classified{PduKind::esp, pdu};
    case kDispatchUdp:
      return Classified{PduKind::ipless_udp, pdu};
    case kDispatchL2tp:
      return Classified{PduKind::secured_l2tp, pdu};
    default:
      break;
  }
  ctr.inc(Ctr::atm_rx_bad_dispatch);
  return Error{Errc::malformed, "secured-channel dispatch octet unknown"};
}

Error other(Counters& ctr) noexcept {
  ctr.inc(Ctr::atm_llc_rx_other);
  return Error{Errc::unsupported, "AAL5 SDU of a protocol not carried here"};
}

}  // namespace

Result<void> validate(const Rfc2684Config& cfg) noexcept {
  if (cfg.secured == kSnapL2tp || cfg.secured == kSnapIpv4) {
    return Error{Errc::malformed, "secured code point collides with L2TP or IPv4"};
  }
  return ok();
}

Result<Classified> classify(Bytes sdu, const Rfc2684Config& cfg, Counters& ctr) noexcept {
  if (cfg.encapsulation == Encapsulation::vc_mux) {
    if (sdu.empty()) {
      ctr.inc(Ctr::atm_llc_rx_truncated);
      return Error{Errc::truncated, "empty VC-multiplexed SDU"};
    }
    switch (cfg.vc_mux) {
      case VcMuxProtocol::l2tp:
        return Classified{PduKind::clear_l2tp, sdu};
      case VcMuxProtocol::ipv4:
        return Classified{PduKind::ipv4, sdu};
      case VcMuxProtocol::secured:
        return dispatch(sdu, ctr);
    }
    return other(ctr);
  }
  // LLC: anything that is not LLC/SNAP (e.g. FE FE 03 routed ISO) is another
  // protocol, whatever its length.
  if (sdu.size() >= 3 && !(sdu[0] == kLlcSnapDsap && sdu[1] == kLlcSnapSsap && sdu[2] == kLlcUi)) {
    return other(ctr);
  }
  if (sdu.size() < kLlcSnapSize) {
    ctr.inc(Ctr::atm_llc_rx_truncated);
    return Error{Errc::truncated, "AAL5 SDU shorter than LLC/SNAP"};
  }
  const SnapCodePoint cp{{sdu[3], sdu[4], sdu[5]}, load_be16(sdu.data() + 6)};
  const Bytes rest = sdu.subspan(kLlcSnapSize);
  if (cp == kSnapL2tp) return Classified{PduKind::clear_l2tp, rest};
  if (cp == cfg.secured) return dispatch(rest, ctr);
  if (cp == kSnapIpv4) return Classified{PduKind::ipv4, rest};
  return other(ctr);
}

Result<Rfc2684Header> header_for(PduKind kind, const Rfc2684Config& cfg) noexcept {
  Rfc2684Header h;
  if (cfg.encapsulation == Encapsulation::vc_mux) {
    const bool fits = (cfg.vc_mux == VcMuxProtocol::l2tp && kind == PduKind::clear_l2tp) ||
                      (cfg.vc_mux == VcMuxProtocol::ipv4 && kind == PduKind::ipv4) ||
                      (cfg.vc_mux == VcMuxProtocol::secured && is_secured(kind));
    if (!fits) return Error{Errc::invalid_state, "VC-multiplexed VC not configured for this PDU kind"};
    if (is_secured(kind)) h.bytes[h.size++] = dispatch_of(kind);
    return h;
  }
  const SnapCodePoint& cp = kind == PduKind::clear_l2tp ? kSnapL2tp
                            : kind == PduKind::ipv4     ? kSnapIpv4
                                                        : cfg.secured;
  h.bytes = {kLlcSnapDsap,
             kLlcSnapSsap,
             kLlcUi,
             cp.oui[0],
             cp.oui[1],
             cp.oui[2],
             static_cast<std::uint8_t>(cp.pid >> 8),
             static_cast<std::uint8_t>(cp.pid),
             0};
  h.size = kLlcSnapSize;
  if (is_secured(kind)) h.bytes[h.size++] = dispatch_of(kind);
  return h;
}

Result<void> encapsulate(PacketBuf& pkt, PduKind kind, const Rfc2684Config& cfg) {
  auto h = header_for(kind, cfg);
  if (!h) return h.error();
  if (h->size != 0) std::memcpy(pkt.push_front(h->size), h->bytes.data(), h->size);
  return ok();
}

}  // namespace l2sec::transports::atm
