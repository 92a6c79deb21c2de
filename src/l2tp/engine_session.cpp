// Calls (RFC 2661 §7.4, §7.5): ICRQ / ICRP / ICCN and OCRQ / OCRP / OCCN
// in both roles, CDN from either side, WEN and SLI, and the set-up timeout.
//
//   LAC (incoming)         LNS               LNS (outgoing)        LAC
//   open_session: ICRQ --> accept_session    open_session: OCRQ --> accept_session
//                 <-- ICRP (wait-connect)    (wait-reply)   <-- OCRP
//   ICCN (established) --> (established)     (wait-connect) <-- OCCN (established:
//                                            (established)        answered at once)
//
// The policy refuses a request with CDN result 3 (administrative); a
// tunnel at max_sessions refuses with CDN result 4 (no facilities,
// temporary). A refused request never becomes a session: its CDN carries a
// fresh Assigned Session ID that is not kept.
#include "l2tp/engine_impl.hpp"

namespace l2sec::l2tp {

void Engine::Impl::on_session_message(Tunnel& t, Instant now, const Header& hdr, const ControlMessage& m) {
  const bool request = m.type == MessageType::ICRQ || m.type == MessageType::OCRQ;
  if (t.state != TunnelState::established) {
    // Calls need an established control connection (§5.0).
    ctr.inc(Ctr::l2tp_ctl_rx_session_unexpected);
    if (request && m.assigned_session_id)
      refuse_call(t, now, *m.assigned_session_id,
                  make_result(result::kCdnSeeError, error::kNoControlConnection, "control connection not established"));
    return;
  }
  if (request && hdr.session_id == 0) {
    on_call_request(t, now, m);
    return;
  }
  std::uint16_t sid = hdr.session_id;
  if (sid == 0 && m.type == MessageType::CDN && m.assigned_session_id) {
    // §6.12: a CDN before the peer learned our Session ID names the call by
    // the Assigned Session ID it gave us.
    const std::uint16_t theirs = *m.assigned_session_id;
    t.sessions.for_each([&](std::uint16_t id, const Session& s) {
      if (s.peer_id == theirs && s.state != CallState::wait_tunnel) sid = id;
    });
  }
  Session* s = t.sessions.find(sid);
  if (!s) {
    ctr.inc(Ctr::l2tp_rx_unknown_session);
    return;
  }
  switch (call_action(s->role, s->state, m.type)) {
    case CallAction::process: break;
    case CallAction::cdn_and_clear:
      ctr.inc(Ctr::l2tp_ctl_rx_session_unexpected);
      clear_session(t, now, sid, call_fsm_error(m.type, s->state), true, false);
      return;
    case CallAction::clear:
      ctr.inc(Ctr::l2tp_ctl_rx_session_unexpected);
      clear_session(t, now, sid, call_fsm_error(m.type, s->state), false, false);
      return;
    case CallAction::ignore: ctr.inc(Ctr::l2tp_ctl_rx_session_unexpected); return;
  }
  switch (m.type) {
    case MessageType::CDN:
      clear_session(t, now, sid, m.result_code.value_or(ResultCode{}), false, true);
      break;
    case MessageType::ICRP:  // LAC wait-reply: send ICCN -> established
      s->peer_id = m.assigned_session_id.value_or(0);
      (void)send_control(t, now, s->peer_id, make_iccn(s->tx_connect_speed, s->framing_type, s->seq.required));
      session_established(t, *s);
      break;
    case MessageType::ICCN:  // LNS wait-connect -> established
      if (m.sequencing_required) s->seq.required = true;
      session_established(t, *s);
      break;
    case MessageType::OCRP:  // LNS wait-reply -> wait-connect
      s->peer_id = m.assigned_session_id.value_or(0);
      s->state = CallState::wait_connect;
      break;
    case MessageType::OCCN:  // LNS wait-connect -> established
      if (m.sequencing_required) s->seq.required = true;
      session_established(t, *s);
      break;
    case MessageType::WEN: {
      Event e{};
      e.kind = Event::Kind::wan_error;
      e.ref = SessionRef{t.local_id, sid};
      e.peer = t.peer;
      e.call_errors = m.call_errors;
      events.push_back(std::move(e));
      break;
    }
    case MessageType::SLI: {
      Event e{};
      e.kind = Event::Kind::set_link_info;
      e.ref = SessionRef{t.local_id, sid};
      e.peer = t.peer;
      e.accm = m.accm;
      events.push_back(std::move(e));
      break;
    }
    default: break;
  }
}

// §4.1: an unknown or malformed mandatory AVP in a session message clears
// the session (CDN with the codec's Result Code), not the tunnel.
void Engine::Impl::on_session_fault(Tunnel& t, Instant now, const Header& hdr, const Decoded& d) {
  const MessageType type = d.msg.type;
  if ((type == MessageType::ICRQ || type == MessageType::OCRQ) && hdr.session_id == 0) {
    ctr.inc(Ctr::l2tp_session_refused);
    refuse_call(t, now, d.msg.assigned_session_id.value_or(0), d.fault->to_send);
    return;
  }
  if (t.state != TunnelState::established || !t.sessions.contains(hdr.session_id)) {
    ctr.inc(Ctr::l2tp_rx_unknown_session);
    return;
  }
  if (type == MessageType::CDN)  // the peer clears it anyway
    clear_session(t, now, hdr.session_id, d.msg.result_code.value_or(d.fault->to_send), false, true);
  else
    clear_session(t, now, hdr.session_id, d.fault->to_send, true, false);
}

// LNS idle, receive ICRQ; LAC idle, receive OCRQ (§7.4.2, §7.5.1).
void Engine::Impl::on_call_request(Tunnel& t, Instant now, const ControlMessage& m) {
  const std::uint16_t peer_sid = m.assigned_session_id.value_or(0);
  if (t.sessions.size() >= t.cfg.max_sessions) {
    ctr.inc(Ctr::l2tp_session_refused);
    refuse_call(t, now, peer_sid,
                make_result(result::kNoFacilitiesTemporary, error::kInsufficientResources, "max_sessions reached"));
    return;
  }
  if (policy && !policy->accept_session(t.local_id, m)) {
    ctr.inc(Ctr::l2tp_session_refused);
    refuse_call(t, now, peer_sid, make_result(result::kAdministrative, error::kNoError, "refused by policy"));
    return;
  }
  Session s;
  s.local_id = alloc_session_id(t);
  s.peer_id = peer_sid;
  const std::uint16_t id = s.local_id;
  if (m.type == MessageType::ICRQ) {
    s.role = CallRole::lns_incoming;
    s.state = CallState::wait_connect;
    s.setup_tag = t.next_setup_tag++;
    t.sessions.insert(id, s);
    ++session_total;
    t.setup_deadlines.push_back(Tunnel::SetupDeadline{now + t.cfg.call_setup_timeout, id, s.setup_tag});
    (void)send_control(t, now, peer_sid, make_icrp(id));
    return;
  }
  // OCRQ: our bearer is virtual, so the call is answered at once:
  // wait-cs-answer ends as soon as it starts (OCRP, then OCCN).
  s.role = CallRole::lac_outgoing;
  s.state = CallState::wait_connect;
  t.sessions.insert(id, s);
  ++session_total;
  (void)send_control(t, now, peer_sid, make_ocrp(id));
  (void)send_control(t, now, peer_sid,
                     make_occn(m.maximum_bps.value_or(0), m.framing_type.value_or(kFramingSync), false));
  if (Session* p = t.sessions.find(id)) session_established(t, *p);
}

void Engine::Impl::refuse_call(Tunnel& t, Instant now, std::uint16_t peer_session, const ResultCode& why) {
  (void)send_control(t, now, peer_session, make_cdn(alloc_session_id(t), why));
}

void Engine::Impl::pump_waiting(Tunnel& t, Instant now) {
  if (t.state != TunnelState::established) return;
  const std::size_t limit = std::min(kCallBacklog, t.cfg.channel.max_send_queue / 2 + 1);
  while (!t.waiting.empty() && t.backlog.empty() && t.channel.queued() + t.channel.in_flight() < limit) {
    WaitingCall wc = std::move(t.waiting.front());
    t.waiting.pop_front();
    start_call(t, now, wc);
  }
}

// wait-tunnel, tunnel-open: send ICRQ (LAC) / OCRQ (LNS) -> wait-reply.
void Engine::Impl::start_call(Tunnel& t, Instant now, WaitingCall& wc) {
  Session* s = t.sessions.find(wc.session);
  if (!s || s->state != CallState::wait_tunnel) return;
  const CallParams& p = wc.params;
  const std::uint16_t id = s->local_id;
  const std::uint32_t serial = next_call_serial++;
  ControlMessage m;
  if (s->role == CallRole::lac_incoming) {
    m = make_icrq(id, serial, p.bearer_type, p.called_number, p.calling_number);
    s->tx_connect_speed = p.tx_connect_speed;
    s->framing_type = p.framing_type;
    s->seq.required = p.sequencing_required;  // announced in ICCN
  } else {
    m = make_ocrq(id, serial, p.minimum_bps, p.maximum_bps, p.bearer_type, p.framing_type, p.called_number);
    s->seq.tx = p.sequencing_required;  // §5.4: the LNS turns sequencing on by using it
  }
  s->state = CallState::wait_reply;
  s->setup_tag = t.next_setup_tag++;
  const std::uint16_t tag = s->setup_tag;
  if (!send_control(t, now, 0, m)) {
    clear_session(t, now, id, make_result(result::kNoFacilitiesTemporary, error::kInsufficientResources,
                                          "request could not be sent"),
                  false, false);
    return;
  }
  t.setup_deadlines.push_back(Tunnel::SetupDeadline{now + t.cfg.call_setup_timeout, id, tag});
}

void Engine::Impl::session_established(Tunnel& t, Session& s) {
  s.state = CallState::established;
  ctr.inc(Ctr::l2tp_session_established);
  emit_session_event(t, s.local_id, Event::Kind::session_up, ResultCode{}, false);
  // Drop set-up entries that have nothing left to time out (keeps the FIFO
  // short when calls complete in order).
  while (!t.setup_deadlines.empty()) {
    const auto& f = t.setup_deadlines.front();
    const Session* o = t.sessions.find(f.session);
    if (o && o->setup_tag == f.tag && o->state != CallState::established) break;
    t.setup_deadlines.pop_front();
  }
}

void Engine::Impl::clear_session(Tunnel& t, Instant now, std::uint16_t id, const ResultCode& why, bool send_cdn,
                                 bool by_peer) {
  Session* s = t.sessions.find(id);
  if (!s) return;
  if (s->state == CallState::wait_tunnel) {
    // wait-tunnel, local close: clean up (the peer never heard of it).
    for (auto it = t.waiting.begin(); it != t.waiting.end(); ++it) {
      if (it->session == id) {
        t.waiting.erase(it);
        break;
      }
    }
  } else if (send_cdn) {
    (void)send_control(t, now, s->peer_id, make_cdn(id, why));
  }
  emit_session_event(t, id, Event::Kind::session_down, why, by_peer);
  ctr.inc(Ctr::l2tp_session_closed);
  t.sessions.erase(id);
  --session_total;
}

void Engine::Impl::clear_all_sessions(Tunnel& t, const ResultCode& why, bool by_peer) {
  t.sessions.for_each([&](std::uint16_t id, const Session&) {
    emit_session_event(t, id, Event::Kind::session_down, why, by_peer);
    ctr.inc(Ctr::l2tp_session_closed);
  });
  session_total -= t.sessions.size();
  t.sessions.clear();
  t.waiting.clear();
  t.setup_deadlines.clear();
}

void Engine::Impl::expire_setups(Tunnel& t, Instant now) {
  while (!t.setup_deadlines.empty() && t.setup_deadlines.front().at <= now) {
    const Tunnel::SetupDeadline e = t.setup_deadlines.front();
    t.setup_deadlines.pop_front();
    const Session* s = t.sessions.find(e.session);
    if (s && s->setup_tag == e.tag && s->state != CallState::established) {
      ctr.inc(Ctr::l2tp_session_setup_timeout);
      clear_session(t, now, e.session,
                    make_result(result::kNotEstablishedInTime, error::kNoError, "call not established in time"),
                    true, false);
    }
  }
}

}  // namespace l2sec::l2tp
