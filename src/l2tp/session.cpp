#include "l2tp/session.hpp"

namespace l2sec::l2tp {

static_assert(sizeof(Session) <= 24, "keep sessions small: an LNS holds tens of thousands");

std::string_view call_role_name(CallRole r) noexcept {
  switch (r) {
    case CallRole::lac_incoming: return "LAC incoming";
    case CallRole::lns_incoming: return "LNS incoming";
    case CallRole::lns_outgoing: return "LNS outgoing";
    case CallRole::lac_outgoing: return "LAC outgoing";
  }
  return "?";
}

std::string_view call_state_name(CallState s) noexcept {
  switch (s) {
    case CallState::wait_tunnel: return "wait-tunnel";
    case CallState::wait_reply: return "wait-reply";
    case CallState::wait_connect: return "wait-connect";
    case CallState::established: return "established";
  }
  return "?";
}

CallAction call_action(CallRole role, CallState state, MessageType type) noexcept {
  using M = MessageType;
  using S = CallState;
  if (type == M::CDN) return CallAction::process;  // every table: "Receive CDN -> Clean up"
  // The peer cannot address a call it has not heard of yet.
  if (state == S::wait_tunnel) return CallAction::ignore;
  if (type == M::WEN || type == M::SLI)
    return state == S::established ? CallAction::process : CallAction::ignore;
  switch (role) {
    case CallRole::lac_incoming:  // §7.4.1
      if (state == S::wait_reply) {
        if (type == M::ICRP) return CallAction::process;
        if (type == M::ICCN) return CallAction::clear;
      }
      return CallAction::cdn_and_clear;
    case CallRole::lns_incoming:  // §7.4.2
      if (state == S::wait_connect && type == M::ICCN) return CallAction::process;
      return CallAction::cdn_and_clear;
    case CallRole::lns_outgoing:  // §7.5.2
      if (state == S::wait_reply && type == M::OCRP) return CallAction::process;
      if (state == S::wait_connect && type == M::OCCN) return CallAction::process;
      return CallAction::cdn_and_clear;
    case CallRole::lac_outgoing:  // §7.5.1
      return CallAction::cdn_and_clear;
  }
  return CallAction::cdn_and_clear;
}

namespace {
ControlMessage of_type(MessageType t) {
  ControlMessage m;
  m.type = t;
  return m;
}
}  // namespace

ControlMessage make_icrq(std::uint16_t local_session, std::uint32_t serial, std::uint32_t bearer_type,
                         const std::string& called, const std::string& calling) {
  ControlMessage m = of_type(MessageType::ICRQ);
  m.assigned_session_id = local_session;
  m.call_serial_number = serial;
  m.bearer_type = bearer_type;
  if (!called.empty()) m.called_number = called;
  if (!calling.empty()) m.calling_number = calling;
  return m;
}

ControlMessage make_icrp(std::uint16_t local_session) {
  ControlMessage m = of_type(MessageType::ICRP);
  m.assigned_session_id = local_session;
  return m;
}

namespace {
// ICCN and OCCN carry the same AVPs (§6.8, §6.12).
ControlMessage make_connected(MessageType type, std::uint32_t tx_connect_speed, std::uint32_t framing_type,
                              bool sequencing) {
  ControlMessage m = of_type(type);
  m.tx_connect_speed = tx_connect_speed;
  m.framing_type = framing_type;
  m.sequencing_required = sequencing;
  return m;
}
}  // namespace

ControlMessage make_iccn(std::uint32_t tx_connect_speed, std::uint32_t framing_type, bool sequencing) {
  return make_connected(MessageType::ICCN, tx_connect_speed, framing_type, sequencing);
}

ControlMessage make_ocrq(std::uint16_t local_session, std::uint32_t serial, std::uint32_t min_bps,
                         std::uint32_t max_bps, std::uint32_t bearer_type, std::uint32_t framing_type,
                         const std::string& called) {
  ControlMessage m = of_type(MessageType::OCRQ);
  m.assigned_session_id = local_session;
  m.call_serial_number = serial;
  m.minimum_bps = min_bps;
  m.maximum_bps = max_bps;
  m.bearer_type = bearer_type;
  m.framing_type = framing_type;
  m.called_number = called;  // required in OCRQ (§6.9), even when empty
  return m;
}

ControlMessage make_ocrp(std::uint16_t local_session) {
  ControlMessage m = of_type(MessageType::OCRP);
  m.assigned_session_id = local_session;
  return m;
}

ControlMessage make_occn(std::uint32_t tx_connect_speed, std::uint32_t framing_type, bool sequencing) {
  return make_connected(MessageType::OCCN, tx_connect_speed, framing_type, sequencing);
}

ControlMessage make_cdn(std::uint16_t local_session, const ResultCode& why) {
  ControlMessage m = of_type(MessageType::CDN);
  m.result_code = why;
  m.assigned_session_id = local_session;
  return m;
}

ControlMessage make_wen(const CallErrors& errors) {
  ControlMessage m = of_type(MessageType::WEN);
  m.call_errors = errors;
  return m;
}

ControlMessage make_sli(const Accm& accm) {
  ControlMessage m = of_type(MessageType::SLI);
  m.accm = accm;
  return m;
}

ResultCode call_fsm_error(MessageType got, CallState state) {
  ResultCode rc;
  rc.result = result::kCdnSeeError;
  rc.error = error::kVendorSpecific;
  rc.message = "unexpected ";
  rc.message += message_type_name(got);
  rc.message += " in ";
  rc.message += call_state_name(state);
  return rc;
}

}  // namespace l2sec::l2tp
