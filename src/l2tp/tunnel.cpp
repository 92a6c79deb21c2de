#include "l2tp/tunnel.hpp"

#include "crypto/md5.hpp"

namespace l2sec::l2tp {

std::string_view tunnel_state_name(TunnelState s) noexcept {
  switch (s) {
    case TunnelState::idle: return "idle";
    case TunnelState::wait_ctl_reply: return "wait-ctl-reply";
    case TunnelState::wait_ctl_conn: return "wait-ctl-conn";
    case TunnelState::established: return "established";
    case TunnelState::closing: return "closing";
  }
  return "?";
}

// §7.2.1, one row per (state, received message). "Receive StopCCN -> Clean
// up" holds in every state; SCCRQ reaches a tunnel's table only as the
// first message of a recipient's tunnel (later SCCRQs for the same peer
// tunnel are duplicates the channel absorbs).
TunnelAction tunnel_action(TunnelState state, MessageType type) noexcept {
  using M = MessageType;
  using S = TunnelState;
  if (state == S::closing) return TunnelAction::while_closing;
  switch (type) {
    case M::StopCCN: return TunnelAction::process;
    case M::HELLO: return TunnelAction::ignore;
    case M::SCCRQ: return state == S::idle ? TunnelAction::process : TunnelAction::stop_fsm;
    case M::SCCRP: return state == S::wait_ctl_reply ? TunnelAction::process : TunnelAction::stop_fsm;
    case M::SCCCN: return state == S::wait_ctl_conn ? TunnelAction::process : TunnelAction::stop_fsm;
    default: return TunnelAction::stop_fsm;  // session messages never get here
  }
}

AuthVerdict check_auth(const TunnelConfig& cfg, MessageType carrier,
                       const std::optional<std::array<std::uint8_t, 16>>& our_challenge,
                       const std::optional<std::array<std::uint8_t, 16>>& response, bool peer_challenged) {
  if (peer_challenged && cfg.secret.empty()) return AuthVerdict::challenge_without_secret;
  const bool require = !cfg.secret.empty() && cfg.require_authentication;
  if (our_challenge) {
    if (!response) {
      if (require) return AuthVerdict::missing_response;
    } else {
      auto expected = challenge_response(carrier, cfg.secret, *our_challenge);
      if (!crypto::equal_ct(*response, expected)) return AuthVerdict::wrong_response;
    }
  }
  // With a secret, authentication must happen one way at least: our
  // challenge answered (checked above), or else the peer's challenge.
  // (cfg.challenge, not our_challenge: a recipient checks the SCCRQ before
  // it makes the Challenge it will send in its SCCRP.)
  if (require && !cfg.challenge && !peer_challenged) return AuthVerdict::no_challenge_from_peer;
  return AuthVerdict::ok;
}

namespace {
void fill_start(ControlMessage& m, const TunnelConfig& cfg, std::uint16_t local_tunnel) {
  m.protocol_version = kProtocolVersion;
  m.host_name = cfg.host_name;
  m.framing_capabilities = cfg.framing_capabilities;
  m.bearer_capabilities = cfg.bearer_capabilities;
  m.assigned_tunnel_id = local_tunnel;
  m.receive_window_size = cfg.channel.receive_window;
  m.firmware_revision = cfg.firmware_revision;
  if (!cfg.vendor_name.empty()) m.vendor_name = cfg.vendor_name;
}
}  // namespace

ControlMessage make_sccrq(const TunnelConfig& cfg, std::uint16_t local_tunnel,
                          std::optional<std::uint64_t> tie_breaker,
                          const std::optional<std::array<std::uint8_t, 16>>& challenge) {
  ControlMessage m;
  m.type = MessageType::SCCRQ;
  fill_start(m, cfg, local_tunnel);
  m.tie_breaker = tie_breaker;
  if (challenge) m.challenge = std::vector<std::uint8_t>(challenge->begin(), challenge->end());
  return m;
}

ControlMessage make_sccrp(const TunnelConfig& cfg, std::uint16_t local_tunnel,
                          const std::optional<std::array<std::uint8_t, 16>>& challenge,
                          const std::optional<std::array<std::uint8_t, 16>>& response) {
  ControlMessage m;
  m.type = MessageType::SCCRP;
  fill_start(m, cfg, local_tunnel);
  if (challenge) m.challenge = std::vector<std::uint8_t>(challenge->begin(), challenge->end());
  m.challenge_response = response;
  return m;
}

ControlMessage make_scccn(const std::optional<std::array<std::uint8_t, 16>>& response) {
  ControlMessage m;
  m.type = MessageType::SCCCN;
  m.challenge_response = response;
  return m;
}

ControlMessage make_stopccn(std::uint16_t local_tunnel, const ResultCode& why) {
  ControlMessage m;
  m.type = MessageType::StopCCN;
  m.assigned_tunnel_id = local_tunnel;
  m.result_code = why;
  return m;
}

ControlMessage make_hello() {
  ControlMessage m;
  m.type = MessageType::HELLO;
  return m;
}

ResultCode make_result(std::uint16_t result, std::optional<std::uint16_t> error, std::string message) {
  ResultCode rc;
  rc.result = result;
  rc.error = error;
  rc.message = std::move(message);
  return rc;
}

}  // namespace l2sec::l2tp
