// Engine: datagram dispatch (RFC 2661 §3.1, §5.3, §8.1), timers, output and
// the commands. The control connection lives in engine_tunnel.cpp, the
// calls in engine_session.cpp (see engine_impl.hpp for the layout).
#include "l2tp/engine.hpp"

#include <algorithm>
#include <string_view>

#include "l2tp/data.hpp"
#include "l2tp/engine_impl.hpp"

namespace l2sec::l2tp {

namespace {
// How many messages the channel may hold beyond the window before we keep
// them in the backlog instead (at least one, so the backlog always drains).
std::size_t send_queue_room(const Tunnel& t) { return std::max<std::size_t>(t.cfg.channel.max_send_queue, 1); }

Endpoint host_key(const Endpoint& e) {
  Endpoint k = e;
  k.port = 0;
  return k;
}
}  // namespace

// ---------------------------------------------------------------------------
// Plumbing

Tunnel* Engine::Impl::find_tunnel(std::uint16_t id) {
  auto* p = tunnels.find(id);
  return p ? p->get() : nullptr;
}

const Tunnel* Engine::Impl::find_tunnel(std::uint16_t id) const {
  auto* p = tunnels.find(id);
  return p ? p->get() : nullptr;
}

// §9.1: Tunnel IDs SHOULD be unpredictable; 0 is never assigned (§5.3).
std::uint16_t Engine::Impl::alloc_tunnel_id() {
  for (;;) {
    std::uint16_t id = rng.u16();
    if (id != 0 && !tunnels.contains(id)) return id;
  }
}

std::uint16_t Engine::Impl::alloc_session_id(const Tunnel& t) {
  for (;;) {
    std::uint16_t id = rng.u16();
    if (id != 0 && !t.sessions.contains(id)) return id;
  }
}

Tunnel& Engine::Impl::create_tunnel(const TunnelConfig& tc, const Endpoint& peer, Instant now) {
  auto t = std::make_unique<Tunnel>(tc, ctr);
  t->local_id = alloc_tunnel_id();
  t->peer = peer;
  t->last_rx = now;
  t->last_hello = now;
  Tunnel& ref = *t;
  const std::uint16_t id = t->local_id;
  tunnels.insert(id, std::move(t));
  return ref;
}

void Engine::Impl::free_tunnel(std::uint16_t id) {
  Tunnel* t = find_tunnel(id);
  if (!t) return;
  forget_outstanding(*t);
  if (t->peer_id != 0) {
    auto it = by_peer.find(PeerKey{t->peer, t->peer_id});
    if (it != by_peer.end() && it->second == id) by_peer.erase(it);
  }
  session_total -= t->sessions.size();
  tunnels.erase(id);
}

void Engine::Impl::learn_peer_tunnel(Tunnel& t, std::uint16_t peer_id) {
  if (t.peer_id != 0) {
    auto it = by_peer.find(PeerKey{t.peer, t.peer_id});
    if (it != by_peer.end() && it->second == t.local_id) by_peer.erase(it);
  }
  t.peer_id = peer_id;
  t.channel.set_peer_tunnel_id(peer_id);
  by_peer[PeerKey{t.peer, peer_id}] = t.local_id;
}

Result<void> Engine::Impl::send_control(Tunnel& t, Instant now, std::uint16_t session_id,
                                        const ControlMessage& m) {
  PacketBuf buf(256);
  EncodeOptions opt;
  opt.secret = t.cfg.secret;
  opt.hide = t.cfg.hide_avps && !t.cfg.secret.empty();
  opt.random = &rng;
  if (auto r = encode_control(m, buf, opt); !r) {
    ctr.inc(Ctr::l2tp_ctl_tx_encode_failed);
    return r;
  }
  mark_dirty(t);
  if (!t.backlog.empty() || t.channel.queued() >= send_queue_room(t)) {
    t.backlog.push_back(Tunnel::Pending{session_id, std::move(buf)});
    return ok();
  }
  return t.channel.send(now, session_id, std::move(buf));
}

void Engine::Impl::drain_backlog(Tunnel& t, Instant now) {
  while (!t.backlog.empty() && t.channel.queued() < send_queue_room(t)) {
    Tunnel::Pending m = std::move(t.backlog.front());
    t.backlog.pop_front();
    (void)t.channel.send(now, m.session_id, std::move(m.avps));
  }
}

void Engine::Impl::mark_dirty(Tunnel& t) {
  if (t.in_dirty) return;
  t.in_dirty = true;
  dirty.push_back(t.local_id);
}

void Engine::Impl::flush(Instant now) {
  while (!dirty.empty()) {
    std::vector<std::uint16_t> batch;
    batch.swap(dirty);
    for (std::uint16_t id : batch) {
      Tunnel* t = find_tunnel(id);
      if (!t) continue;
      t->in_dirty = false;
      drain_backlog(*t, now);
      pump_waiting(*t, now);
      while (auto p = t->channel.poll_transmit(now)) {
        out.push_back(Transmit{t->peer, t->local_id, std::move(*p)});
        ctr.inc(Ctr::l2tp_tx_packets);
      }
      reschedule(*t);
    }
  }
}

Instant Engine::Impl::compute_deadline(const Tunnel& t) const {
  Instant d = t.channel.next_deadline();
  if (t.state == TunnelState::closing) return earliest(d, t.hold_until);
  if (t.cfg.hello_interval > Duration::zero()) {
    if (t.state == TunnelState::established)
      d = earliest(d, std::max(t.last_rx, t.last_hello) + t.cfg.hello_interval);
    else if (t.channel.all_acknowledged())
      d = earliest(d, t.last_rx + t.cfg.hello_interval);  // establishment stalled
  }
  if (!t.setup_deadlines.empty()) d = earliest(d, t.setup_deadlines.front().at);
  return d;
}

void Engine::Impl::reschedule(Tunnel& t) {
  Instant d = compute_deadline(t);
  if (d < t.scheduled) {
    t.scheduled = d;
    timers.push(TimerEntry{d, t.local_id});
  }
}

void Engine::Impl::service(Tunnel& t, Instant now) {
  t.channel.on_timeout(now);
  if (t.channel.failed()) {
    // §5.8: retransmissions exhausted -> the tunnel and all its sessions
    // are cleared. Nothing is left to acknowledge or deliver: free at once.
    if (t.state != TunnelState::closing)
      enter_closing(t, now, make_result(result::kGeneralError, error::kNoError, "retransmissions exhausted"),
                    false);
    free_tunnel(t.local_id);
    return;
  }
  if (t.state == TunnelState::closing) {
    if (now >= t.hold_until) free_tunnel(t.local_id);
    return;
  }
  const bool hello_on = t.cfg.hello_interval > Duration::zero();
  if (hello_on && t.state != TunnelState::established && t.channel.all_acknowledged() &&
      now >= t.last_rx + t.cfg.hello_interval) {
    // The peer acknowledged our SCCRQ / SCCRP but never went on (the
    // channel alone would wait forever): clear it.
    stop_tunnel(t, now, make_result(result::kGeneralError, error::kNoError, "control connection not established in time"));
    mark_dirty(t);
    return;
  }
  if (hello_on && t.state == TunnelState::established &&
      now >= std::max(t.last_rx, t.last_hello) + t.cfg.hello_interval) {
    // §6.5: Hello after hello_interval without any message from the peer.
    t.last_hello = now;
    if (send_control(t, now, 0, make_hello())) ctr.inc(Ctr::l2tp_hello_tx);
  }
  expire_setups(t, now);
  mark_dirty(t);
}

void Engine::Impl::emit_tunnel_event(const Tunnel& t, Event::Kind kind, const ResultCode& rc, bool by_peer) {
  Event e{};
  e.kind = kind;
  e.ref = SessionRef{t.local_id, 0};
  e.peer = t.peer;
  e.peer_host_name = t.peer_host_name;
  e.result = rc;
  e.by_peer = by_peer;
  events.push_back(std::move(e));
}

void Engine::Impl::emit_session_event(const Tunnel& t, std::uint16_t session, Event::Kind kind,
                                      const ResultCode& rc, bool by_peer) {
  Event e{};
  e.kind = kind;
  e.ref = SessionRef{t.local_id, session};
  e.peer = t.peer;
  e.result = rc;
  e.by_peer = by_peer;
  events.push_back(std::move(e));
}

// ---------------------------------------------------------------------------
// Input

void Engine::Impl::on_control(Instant now, const Endpoint& from, const Header& hdr, PacketBuf&& avps) {
  if (hdr.tunnel_id == 0) {
    on_tunnel_zero(now, from, hdr, std::move(avps));
    return;
  }
  Tunnel* t = find_tunnel(hdr.tunnel_id);
  if (!t) {
    ctr.inc(Ctr::l2tp_rx_unknown_tunnel);
    return;
  }
  if (t->peer != from) {
    // §8.1: the recipient may answer our SCCRQ from another port; from then
    // on the tunnel's endpoints stay fixed.
    if (t->state == TunnelState::wait_ctl_reply && t->originator && t->peer.same_host(from)) {
      t->peer = from;
    } else {
      ctr.inc(Ctr::l2tp_rx_wrong_peer);
      return;
    }
  }
  feed(*t, now, hdr, std::move(avps));
}

void Engine::Impl::feed(Tunnel& t, Instant now, const Header& hdr, PacketBuf&& avps) {
  t.last_rx = now;
  t.channel.on_receive(now, hdr, std::move(avps));
  while (auto d = t.channel.poll_delivered()) handle_message(t, now, d->hdr, d->avps.bytes());
  mark_dirty(t);
}

// Messages with Tunnel ID 0: only an SCCRQ may carry it (§5.3: the peer
// has not learned our Tunnel ID yet).
void Engine::Impl::on_tunnel_zero(Instant now, const Endpoint& from, const Header& hdr, PacketBuf&& avps) {
  if (avps.empty()) {  // a ZLB for no tunnel
    ctr.inc(Ctr::l2tp_rx_zero_tunnel_not_sccrq);
    return;
  }
  // First look without a secret: Message Type, Tie Breaker, Host Name and
  // Protocol Version are never hidden; Assigned Tunnel ID may be.
  auto d0 = decode_control(avps.bytes(), {});
  if (!d0) {
    ctr.inc(d0.error().code == Errc::unsupported ? Ctr::l2tp_rx_unknown_message_type
                                                 : Ctr::l2tp_rx_malformed_avp);
    return;
  }
  if (d0->msg.type != MessageType::SCCRQ) {
    ctr.inc(Ctr::l2tp_rx_zero_tunnel_not_sccrq);
    return;
  }
  auto route_duplicate = [&](std::uint16_t peer_tid) {
    auto it = by_peer.find(PeerKey{from, peer_tid});
    if (it == by_peer.end()) return false;
    Tunnel* t = find_tunnel(it->second);
    if (!t) return false;
    feed(*t, now, hdr, std::move(avps));  // the channel acknowledges it again
    return true;
  };
  std::optional<std::uint16_t> peer_tid = d0->msg.assigned_tunnel_id;
  if (peer_tid && route_duplicate(*peer_tid)) return;
  if (resolve_tie(now, from, d0->msg.tie_breaker, hdr, avps)) return;

  if (tunnels.size() >= cfg.max_tunnels) {
    ctr.inc(Ctr::l2tp_tunnel_refused);
    return;
  }
  std::optional<TunnelConfig> tc = policy ? policy->accept_tunnel(from, d0->msg) : std::nullopt;
  if (!peer_tid && tc && !tc->secret.empty()) {
    // A hidden Assigned Tunnel ID: look again with the secret before
    // taking this for a new tunnel.
    auto d1 = decode_control(avps.bytes(), tc->secret);
    if (d1 && d1->msg.assigned_tunnel_id && route_duplicate(*d1->msg.assigned_tunnel_id)) return;
  }
  Tunnel& t = create_tunnel(tc ? *tc : cfg.tunnel, from, now);
  t.state = TunnelState::idle;
  t.originator = false;
  t.refused_stub = !tc.has_value();
  feed(t, now, hdr, std::move(avps));
}

void Engine::Impl::handle_message(Tunnel& t, Instant now, const Header& hdr, Bytes avps) {
  if (avps.empty()) return;  // a ZLB: the channel has used its Nr
  if (t.state == TunnelState::closing) {
    ctr.inc(Ctr::l2tp_ctl_rx_while_closing);
    if (t.peer_id == 0) {
      // We cleared a tunnel in wait-ctl-reply: our StopCCN went out with
      // Tunnel ID 0. The peer's SCCRP names its tunnel; retransmissions of
      // the StopCCN then reach it.
      auto d = decode_control(avps, t.cfg.secret);
      if (d && d->msg.type == MessageType::SCCRP && d->msg.assigned_tunnel_id && *d->msg.assigned_tunnel_id != 0)
        learn_peer_tunnel(t, *d->msg.assigned_tunnel_id);
    }
    return;
  }
  auto dec = decode_control(avps, t.cfg.secret);
  if (!dec) {
    if (dec.error().code == Errc::unsupported) {
      // §4.4.1: an unknown Message Type with M set clears the tunnel; with
      // M clear the message is ignored.
      ctr.inc(Ctr::l2tp_rx_unknown_message_type);
      auto mt = peek_message_type(avps);
      if (mt && mt->mandatory)
        stop_tunnel(t, now,
                    make_result(result::kGeneralError, error::kUnknownMandatoryAvp,
                                "unknown mandatory message type " + std::to_string(mt->value)));
      return;
    }
    // §7.1: an unrecoverable malformed message clears the control
    // connection (it has been acknowledged; dropping it would desynchronise
    // the peers).
    ctr.inc(Ctr::l2tp_rx_malformed_avp);
    stop_tunnel(t, now, make_result(result::kGeneralError, error::kLengthWrong, "malformed AVP list"));
    return;
  }
  const Decoded& d = *dec;
  if (d.unknown_optional) ctr.inc(Ctr::l2tp_rx_unknown_optional_avp, d.unknown_optional);
  if (d.malformed_optional) ctr.inc(Ctr::l2tp_rx_malformed_avp, d.malformed_optional);
  if (d.fault) {
    switch (d.fault->kind) {
      case AvpFault::Kind::unknown_mandatory: ctr.inc(Ctr::l2tp_rx_unknown_mandatory_avp); break;
      case AvpFault::Kind::malformed_mandatory: ctr.inc(Ctr::l2tp_rx_malformed_avp); break;
      case AvpFault::Kind::missing_required: ctr.inc(Ctr::l2tp_rx_missing_avp); break;
    }
    if (is_session_message(d.msg.type)) {
      on_session_fault(t, now, hdr, d);
    } else {
      // §4.1: the tunnel is cleared. A refused SCCRQ still tells us where
      // to send the StopCCN when its Assigned Tunnel ID could be read.
      if (t.state == TunnelState::idle && t.peer_id == 0 && d.msg.assigned_tunnel_id &&
          *d.msg.assigned_tunnel_id != 0)
        learn_peer_tunnel(t, *d.msg.assigned_tunnel_id);
      if (t.state == TunnelState::idle && d.msg.host_name) t.peer_host_name = *d.msg.host_name;
      stop_tunnel(t, now, d.fault->to_send);
    }
    return;
  }
  if (is_session_message(d.msg.type))
    on_session_message(t, now, hdr, d.msg);
  else
    on_tunnel_message(t, now, d.msg);
}

void Engine::Impl::on_data(Instant now, const Endpoint& from, const Header& hdr, PacketBuf&& frame) {
  Tunnel* t = find_tunnel(hdr.tunnel_id);
  if (!t) {
    ctr.inc(Ctr::l2tp_rx_unknown_tunnel);
    return;
  }
  if (t->peer != from) {
    ctr.inc(Ctr::l2tp_rx_wrong_peer);
    return;
  }
  if (t->state == TunnelState::closing) {
    ctr.inc(Ctr::l2tp_data_rx_no_session);
    return;
  }
  t->last_rx = now;  // §6.5: data counts as a message received
  Session* s = t->sessions.find(hdr.session_id);
  if (!s || s->state != CallState::established) {
    ctr.inc(Ctr::l2tp_data_rx_no_session);
    return;
  }
  if (on_data_received(hdr, is_lac(s->role), s->seq) == DataVerdict::old) {
    ctr.inc(Ctr::l2tp_data_rx_out_of_order);
    return;
  }
  ctr.inc(Ctr::l2tp_data_rx);
  Event e{};
  e.kind = Event::Kind::frame;
  e.ref = SessionRef{t->local_id, s->local_id};
  e.frame = std::move(frame);
  events.push_back(std::move(e));
}

// ---------------------------------------------------------------------------
// Engine

Engine::Engine(EngineConfig cfg, crypto::Random& random, TunnelPolicy* policy)
    : impl_(std::make_unique<Impl>(std::move(cfg), random, policy, counters_)) {}

Engine::~Engine() = default;

void Engine::on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) {
  counters_.inc(Ctr::l2tp_rx_packets);
  auto parsed = parse_header(pkt.bytes());
  if (!parsed) {
    const std::string_view what = parsed.error().what;
    Ctr c = Ctr::l2tp_rx_bad_header;
    if (what == "version")
      c = Ctr::l2tp_rx_bad_version;
    else if (what == "control message flags")
      c = Ctr::l2tp_rx_control_bad_flags;
    else if (what == "L2TP offset beyond message")
      c = Ctr::l2tp_data_rx_bad_offset;
    else if (what == "L2TP Length beyond datagram" || what == "L2TP Length shorter than header")
      c = Ctr::l2tp_rx_bad_length;
    counters_.inc(c);
    return;
  }
  const Parsed& p = *parsed;
  pkt.trim_back(pkt.size() - (p.payload_offset + p.payload_size));  // link padding after Length
  pkt.pull_front(p.payload_offset);
  if (p.hdr.control)
    impl_->on_control(now, from, p.hdr, std::move(pkt));
  else
    impl_->on_data(now, from, p.hdr, std::move(pkt));
  impl_->flush(now);
}

void Engine::on_timeout(Instant now) {
  auto& timers = impl_->timers;
  while (!timers.empty() && timers.top().at <= now) {
    Impl::TimerEntry e = timers.top();
    timers.pop();
    Tunnel* t = impl_->find_tunnel(e.tunnel);
    if (!t || t->scheduled != e.at) continue;  // stale entry
    t->scheduled = kNever;
    impl_->service(*t, now);  // may free t
    if (Tunnel* still = impl_->find_tunnel(e.tunnel)) impl_->mark_dirty(*still);
  }
  impl_->flush(now);
}

Instant Engine::next_deadline() const {
  // Logically const: drops stale entries and re-files early ones (a
  // deadline that moved later since it was filed), so the answer is exact.
  auto& timers = impl_->timers;
  while (!timers.empty()) {
    const Impl::TimerEntry e = timers.top();
    Tunnel* t = impl_->find_tunnel(e.tunnel);
    if (!t || t->scheduled != e.at) {
      timers.pop();
      continue;
    }
    const Instant real = impl_->compute_deadline(*t);
    if (real <= e.at) return e.at;
    timers.pop();
    t->scheduled = kNever;
    impl_->reschedule(*t);
  }
  return kNever;
}

std::optional<Transmit> Engine::poll_transmit() {
  if (impl_->out.empty()) return std::nullopt;
  Transmit t = std::move(impl_->out.front());
  impl_->out.pop_front();
  return t;
}

std::optional<Event> Engine::poll_event() {
  if (impl_->events.empty()) return std::nullopt;
  Event e = std::move(impl_->events.front());
  impl_->events.pop_front();
  return e;
}

Result<std::uint16_t> Engine::open_tunnel(Instant now, const Endpoint& peer, const TunnelConfig& cfg) {
  if (impl_->tunnels.size() >= impl_->cfg.max_tunnels) return Error{Errc::no_resources, "max_tunnels reached"};
  Tunnel& t = impl_->create_tunnel(cfg, peer, now);
  t.originator = true;
  t.state = TunnelState::wait_ctl_reply;
  impl_->outstanding.emplace(host_key(peer), t.local_id);
  impl_->send_sccrq(t, now);
  std::uint16_t id = t.local_id;
  impl_->flush(now);
  return id;
}

Result<SessionRef> Engine::open_session(Instant now, std::uint16_t tunnel, const CallParams& params) {
  Tunnel* t = impl_->find_tunnel(tunnel);
  if (!t) return Error{Errc::not_found, "no such tunnel"};
  if (t->state == TunnelState::closing) return Error{Errc::invalid_state, "tunnel closing"};
  if (t->sessions.size() >= t->cfg.max_sessions) return Error{Errc::no_resources, "max_sessions reached"};
  Session s;
  s.local_id = impl_->alloc_session_id(*t);
  s.role = params.kind == CallParams::Kind::incoming ? CallRole::lac_incoming : CallRole::lns_outgoing;
  s.state = CallState::wait_tunnel;
  t->sessions.insert(s.local_id, s);
  ++impl_->session_total;
  t->waiting.push_back(WaitingCall{s.local_id, params});
  impl_->mark_dirty(*t);  // flush() sends it when the tunnel is up and has room
  SessionRef ref{tunnel, s.local_id};
  impl_->flush(now);
  return ref;
}

Result<void> Engine::close_session(Instant now, SessionRef ref, ResultCode why) {
  Tunnel* t = impl_->find_tunnel(ref.tunnel);
  if (!t || t->state == TunnelState::closing || !t->sessions.contains(ref.session))
    return Error{Errc::not_found, "no such session"};
  impl_->clear_session(*t, now, ref.session, why, true, false);
  impl_->flush(now);
  return ok();
}

Result<void> Engine::close_tunnel(Instant now, std::uint16_t tunnel, ResultCode why) {
  Tunnel* t = impl_->find_tunnel(tunnel);
  if (!t || t->state == TunnelState::closing) return Error{Errc::not_found, "no such tunnel"};
  impl_->stop_tunnel(*t, now, why);
  impl_->flush(now);
  return ok();
}

void Engine::close_all(Instant now, ResultCode why) {
  std::vector<std::uint16_t> ids;
  impl_->tunnels.for_each([&](std::uint16_t id, const std::unique_ptr<Tunnel>& t) {
    if (t->state != TunnelState::closing) ids.push_back(id);
  });
  for (std::uint16_t id : ids)
    if (Tunnel* t = impl_->find_tunnel(id)) impl_->stop_tunnel(*t, now, why);
  impl_->flush(now);
}

std::size_t Engine::lose_peer(Instant now, const Endpoint& peer, ResultCode why) {
  std::vector<std::uint16_t> ids;
  impl_->tunnels.for_each([&](std::uint16_t id, const std::unique_ptr<Tunnel>& t) {
    if (t->peer.same_host(peer)) ids.push_back(id);
  });
  std::size_t cleared = 0;
  for (std::uint16_t id : ids) {
    Tunnel* t = impl_->find_tunnel(id);
    if (!t) continue;
    if (t->state != TunnelState::closing) ++cleared;  // one already closing was reported down before
    impl_->enter_closing(*t, now, why, false);
    impl_->free_tunnel(id);
  }
  return cleared;
}

Result<void> Engine::send_frame(Instant now, SessionRef ref, PacketBuf&& frame) {
  (void)now;
  Tunnel* t = impl_->find_tunnel(ref.tunnel);
  Session* s = t ? t->sessions.find(ref.session) : nullptr;
  if (!s) return Error{Errc::not_found, "no such session"};
  if (s->state != CallState::established || t->state != TunnelState::established)
    return Error{Errc::invalid_state, "session not established"};
  push_data_header(frame, t->peer_id, s->peer_id, impl_->cfg.data_length_field, s->seq);
  impl_->out.push_back(Transmit{t->peer, t->local_id, std::move(frame)});
  counters_.inc(Ctr::l2tp_data_tx);
  counters_.inc(Ctr::l2tp_tx_packets);
  return ok();
}

Result<void> Engine::send_set_link_info(Instant now, SessionRef ref, const Accm& accm) {
  Tunnel* t = impl_->find_tunnel(ref.tunnel);
  Session* s = t ? t->sessions.find(ref.session) : nullptr;
  if (!s) return Error{Errc::not_found, "no such session"};
  if (s->state != CallState::established || is_lac(s->role))
    return Error{Errc::invalid_state, "SLI: the LNS sends it on an established call"};
  auto r = impl_->send_control(*t, now, s->peer_id, make_sli(accm));
  impl_->flush(now);
  return r;
}

Result<void> Engine::send_wan_error(Instant now, SessionRef ref, const CallErrors& errors) {
  Tunnel* t = impl_->find_tunnel(ref.tunnel);
  Session* s = t ? t->sessions.find(ref.session) : nullptr;
  if (!s) return Error{Errc::not_found, "no such session"};
  if (s->state != CallState::established || !is_lac(s->role))
    return Error{Errc::invalid_state, "WEN: the LAC sends it on an established call"};
  auto r = impl_->send_control(*t, now, s->peer_id, make_wen(errors));
  impl_->flush(now);
  return r;
}

std::size_t Engine::tunnel_count() const {
  std::size_t n = 0;
  impl_->tunnels.for_each([&](std::uint16_t, const std::unique_ptr<Tunnel>& t) {
    if (t->state != TunnelState::closing) ++n;
  });
  return n;
}

std::size_t Engine::session_count() const { return impl_->session_total; }

bool Engine::idle() const { return impl_->tunnels.empty(); }

bool Engine::quiescent() const {
  bool q = impl_->out.empty();
  impl_->tunnels.for_each([&](std::uint16_t, const std::unique_ptr<Tunnel>& t) {
    if (!t->backlog.empty() || (!t->channel.failed() && !t->channel.all_acknowledged())) q = false;
  });
  return q;
}

std::vector<Engine::TunnelInfo> Engine::tunnels() const {
  std::vector<TunnelInfo> v;
  impl_->tunnels.for_each([&](std::uint16_t id, const std::unique_ptr<Tunnel>& t) {
    v.push_back(TunnelInfo{id, t->peer_id, t->peer, t->peer_host_name, t->state == TunnelState::established,
                           t->sessions.size()});
  });
  std::sort(v.begin(), v.end(), [](const TunnelInfo& a, const TunnelInfo& b) { return a.local_id < b.local_id; });
  return v;
}

}  // namespace l2sec::l2tp
