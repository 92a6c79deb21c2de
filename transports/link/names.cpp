// Names of the link contract's enumerations, for logs and the status file.
#include "transports/link.hpp"

namespace l2sec::transports {

std::string_view pdu_kind_name(PduKind k) noexcept {
  switch (k) {
    case PduKind::l2tp:
      return "l2tp";
    case PduKind::esp:
      return "esp";
    case PduKind::ipless_udp:
      return "ipless-udp";
  }
  return "?";
}

std::string_view down_reason_name(DownReason r) noexcept {
  switch (r) {
    case DownReason::none:
      return "up";
    case DownReason::not_started:
      return "not started";
    case DownReason::underlay_down:
      return "underlay down";
    case DownReason::lmi_inactive:
      return "PVC inactive (LMI)";
    case DownReason::link_integrity:
      return "link integrity lost (LMI)";
    case DownReason::call_cleared:
      return "call cleared";
    case DownReason::admin:
      return "shut";
  }
  return "?";
}

}  // namespace l2sec::transports
