// The control connection (RFC 2661 §7.2.1): SCCRQ / SCCRP / SCCCN with
// tunnel authentication (§5.1.1), the tie breaker (§4.4.3), StopCCN and the
// hold after it (§5.7, §7.6).
//
//   originator                         recipient
//   open_tunnel: SCCRQ  ---------->    (idle) policy, version, auth: SCCRP
//   (wait-ctl-reply)    <----------    (wait-ctl-conn)
//   check SCCRP: SCCCN  ---------->    check Challenge Response
//   (established)                      (established)
//
// Tie breaker decisions (our SCCRQ outstanding to the host an SCCRQ comes
// from): lower value wins; a side that sent a value wins over one that did
// not; neither: two tunnels. The loser "MUST silently discard its tunnel"
// (§4.4.3): no StopCCN. Our losing tunnel object is reused as the
// recipient of the winner's SCCRQ, keeping its local Tunnel ID (the ID the
// peer never acted on), so the caller's handle from open_tunnel() and the
// calls waiting on it stay valid: they go out once that tunnel is up.
// Equal values: both discard; we drop the peer's SCCRQ and send a fresh
// SCCRQ with a new Tie Breaker (§7.2.1 "Clean up, re-queue SCCRQ").
#include <string>

#include "l2tp/engine_impl.hpp"

namespace l2sec::l2tp {

namespace {
Endpoint host_of(const Endpoint& e) {
  Endpoint k = e;
  k.port = 0;
  return k;
}

std::string unexpected_text(MessageType type, TunnelState state) {
  std::string s = "unexpected ";
  s += message_type_name(type);
  s += " in ";
  s += tunnel_state_name(state);
  return s;
}
}  // namespace

void Engine::Impl::forget_outstanding(Tunnel& t) {
  auto [b, e] = outstanding.equal_range(host_of(t.peer));
  for (auto it = b; it != e; ++it) {
    if (it->second == t.local_id) {
      outstanding.erase(it);
      return;
    }
  }
}

void Engine::Impl::send_sccrq(Tunnel& t, Instant now) {
  t.tie_breaker.reset();
  if (t.cfg.tie_breaker) t.tie_breaker = rng.u64();
  t.our_challenge.reset();
  if (!t.cfg.secret.empty() && t.cfg.challenge) {
    std::array<std::uint8_t, 16> ch;
    rng.fill(ch);
    t.our_challenge = ch;
  }
  (void)send_control(t, now, 0, make_sccrq(t.cfg, t.local_id, t.tie_breaker, t.our_challenge));
}

bool Engine::Impl::resolve_tie(Instant now, const Endpoint& from, std::optional<std::uint64_t> their,
                               const Header& hdr, PacketBuf& avps) {
  auto [b, e] = outstanding.equal_range(host_of(from));
  for (auto it = b; it != e; ++it) {
    Tunnel* c = find_tunnel(it->second);
    if (!c || c->state != TunnelState::wait_ctl_reply) continue;
    const auto ours = c->tie_breaker;
    if (!ours && !their) continue;  // neither asked for a single tunnel
    if (ours && (!their || *ours < *their)) {
      ctr.inc(Ctr::l2tp_tunnel_tie_won);  // the peer discards its tunnel and answers ours
      return true;
    }
    ctr.inc(Ctr::l2tp_tunnel_tie_lost);
    c->channel = ControlChannel(c->cfg.channel, ctr);  // silently discard what we sent
    if (ours && their && *ours == *their) {
      // Both discard; try again with a new Tie Breaker.
      send_sccrq(*c, now);
      return true;
    }
    // We lose: this tunnel becomes the recipient of the winner's SCCRQ.
    forget_outstanding(*c);  // invalidates `it`: return below
    c->originator = false;
    c->state = TunnelState::idle;
    c->peer = from;
    c->tie_breaker.reset();
    c->our_challenge.reset();
    feed(*c, now, hdr, std::move(avps));
    return true;
  }
  return false;
}

void Engine::Impl::on_tunnel_message(Tunnel& t, Instant now, const ControlMessage& m) {
  switch (tunnel_action(t.state, m.type)) {
    case TunnelAction::process:
      switch (m.type) {
        case MessageType::SCCRQ: on_sccrq(t, now, m); break;
        case MessageType::SCCRP: on_sccrp(t, now, m); break;
        case MessageType::SCCCN: on_scccn(t, now, m); break;
        case MessageType::StopCCN: enter_closing(t, now, m.result_code.value_or(ResultCode{}), true); break;
        default: break;
      }
      break;
    case TunnelAction::stop_fsm:
      // §7.1: a message in an improper sequence clears the connection.
      ctr.inc(Ctr::l2tp_fsm_unexpected);
      stop_tunnel(t, now, make_result(result::kFsmError, error::kNoError, unexpected_text(m.type, t.state)));
      break;
    case TunnelAction::ignore: break;
    case TunnelAction::while_closing: ctr.inc(Ctr::l2tp_ctl_rx_while_closing); break;
  }
}

void Engine::Impl::refuse_auth(Tunnel& t, Instant now, AuthVerdict v) {
  ctr.inc(Ctr::l2tp_tunnel_auth_failed);
  const char* why = "";
  switch (v) {
    case AuthVerdict::wrong_response: why = "challenge response wrong"; break;
    case AuthVerdict::missing_response: why = "challenge response missing"; break;
    case AuthVerdict::no_challenge_from_peer: why = "authentication required: no challenge"; break;
    case AuthVerdict::challenge_without_secret: why = "challenge received but no secret"; break;
    case AuthVerdict::ok: break;
  }
  stop_tunnel(t, now, make_result(result::kNotAuthorized, error::kNoError, why));
}

// idle, receive SCCRQ: acceptable -> send SCCRP, wait-ctl-conn; not
// acceptable -> send StopCCN, clean up.
void Engine::Impl::on_sccrq(Tunnel& t, Instant now, const ControlMessage& m) {
  if (m.assigned_tunnel_id && *m.assigned_tunnel_id != 0) learn_peer_tunnel(t, *m.assigned_tunnel_id);
  t.peer_host_name = m.host_name.value_or(std::string{});
  if (t.refused_stub) {
    ctr.inc(Ctr::l2tp_tunnel_refused);
    stop_tunnel(t, now, make_result(result::kNotAuthorized, error::kNoError, "refused by policy"));
    return;
  }
  if (m.protocol_version != kProtocolVersion) {
    ctr.inc(Ctr::l2tp_tunnel_refused);
    stop_tunnel(t, now, make_result(result::kUnsupportedVersion, kProtocolVersionCode));
    return;
  }
  if (m.receive_window_size) t.channel.set_peer_window(*m.receive_window_size);
  t.peer_framing_caps = m.framing_capabilities.value_or(0);
  t.peer_bearer_caps = m.bearer_capabilities.value_or(0);
  t.peer_challenged = m.challenge.has_value();
  if (auto v = check_auth(t.cfg, MessageType::SCCRQ, std::nullopt, std::nullopt, t.peer_challenged);
      v != AuthVerdict::ok) {
    refuse_auth(t, now, v);
    return;
  }
  std::optional<std::array<std::uint8_t, 16>> response;
  if (m.challenge) response = challenge_response(MessageType::SCCRP, t.cfg.secret, *m.challenge);
  t.our_challenge.reset();
  if (!t.cfg.secret.empty() && t.cfg.challenge) {
    std::array<std::uint8_t, 16> ch;
    rng.fill(ch);
    t.our_challenge = ch;
  }
  (void)send_control(t, now, 0, make_sccrp(t.cfg, t.local_id, t.our_challenge, response));
  t.state = TunnelState::wait_ctl_conn;
}

// wait-ctl-reply, receive SCCRP: acceptable -> send SCCCN, established;
// not acceptable -> send StopCCN, clean up.
void Engine::Impl::on_sccrp(Tunnel& t, Instant now, const ControlMessage& m) {
  forget_outstanding(t);
  if (m.assigned_tunnel_id && *m.assigned_tunnel_id != 0) learn_peer_tunnel(t, *m.assigned_tunnel_id);
  t.peer_host_name = m.host_name.value_or(std::string{});
  if (m.receive_window_size) t.channel.set_peer_window(*m.receive_window_size);
  t.peer_framing_caps = m.framing_capabilities.value_or(0);
  t.peer_bearer_caps = m.bearer_capabilities.value_or(0);
  if (m.protocol_version != kProtocolVersion) {
    // §7.2.1 wait-ctl-reply: a version we do not support -> StopCCN.
    stop_tunnel(t, now, make_result(result::kUnsupportedVersion, kProtocolVersionCode));
    return;
  }
  t.peer_challenged = m.challenge.has_value();
  if (auto v = check_auth(t.cfg, MessageType::SCCRP, t.our_challenge, m.challenge_response, t.peer_challenged);
      v != AuthVerdict::ok) {
    refuse_auth(t, now, v);
    return;
  }
  std::optional<std::array<std::uint8_t, 16>> response;
  if (m.challenge) response = challenge_response(MessageType::SCCCN, t.cfg.secret, *m.challenge);
  (void)send_control(t, now, 0, make_scccn(response));
  establish(t, now);
}

// wait-ctl-conn, receive SCCCN: acceptable -> established; not acceptable
// (challenge response) -> send StopCCN, clean up.
void Engine::Impl::on_scccn(Tunnel& t, Instant now, const ControlMessage& m) {
  if (auto v = check_auth(t.cfg, MessageType::SCCCN, t.our_challenge, m.challenge_response, t.peer_challenged);
      v != AuthVerdict::ok) {
    refuse_auth(t, now, v);
    return;
  }
  establish(t, now);
}

void Engine::Impl::establish(Tunnel& t, Instant now) {
  t.state = TunnelState::established;
  t.our_challenge.reset();
  t.last_hello = now;
  ctr.inc(Ctr::l2tp_tunnel_established);
  emit_tunnel_event(t, Event::Kind::tunnel_up, ResultCode{}, false);
  mark_dirty(t);  // flush() sends the calls waiting for this tunnel
}

void Engine::Impl::stop_tunnel(Tunnel& t, Instant now, const ResultCode& why) {
  if (t.state == TunnelState::closing) return;
  t.backlog.clear();  // the StopCCN clears the calls these were about (§5.7)
  (void)send_control(t, now, 0, make_stopccn(t.local_id, why));
  enter_closing(t, now, why, false);
}

void Engine::Impl::enter_closing(Tunnel& t, Instant now, const ResultCode& why, bool by_peer) {
  if (t.state == TunnelState::closing) return;
  forget_outstanding(t);
  clear_all_sessions(t, why, by_peer);
  t.state = TunnelState::closing;
  t.hold_until = now + t.cfg.stop_hold;
  ctr.inc(Ctr::l2tp_tunnel_closed);
  if (!t.down_reported) {
    t.down_reported = true;
    emit_tunnel_event(t, Event::Kind::tunnel_down, why, by_peer);
  }
  mark_dirty(t);
}

}  // namespace l2sec::l2tp
