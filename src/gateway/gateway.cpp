#include "gateway/gateway.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include "gateway/sink.hpp"

namespace l2sec::gateway {
namespace {

bool name_matches(const std::string& pattern, const std::optional<std::string>& name) {
  return pattern == "*" || (name && *name == pattern);
}

// The tunnel configuration for one peer: the [tunnel] defaults with the
// peer's secret and switches.
l2tp::TunnelConfig tunnel_config_for(const Config& cfg, const PeerConfig& peer) {
  l2tp::TunnelConfig t = cfg.tunnel;
  t.host_name = cfg.host_name;
  t.secret = peer.secret;
  t.challenge = peer.challenge && !peer.secret.empty();
  t.require_authentication = !peer.secret.empty();
  t.hide_avps = peer.hidden_avps && !peer.secret.empty();
  return t;
}

// Answers SCCRQs from the [[peer]] list: the first entry whose name matches
// the SCCRQ's Host Name and whose address (if any) is the sender's.
class ConfigPolicy final : public l2tp::TunnelPolicy {
 public:
  explicit ConfigPolicy(const Config& cfg) : cfg_(cfg) {}
  std::optional<l2tp::TunnelConfig> accept_tunnel(const Endpoint& from,
                                                  const l2tp::ControlMessage& sccrq) override {
    for (const auto& p : cfg_.peers) {
      if (!name_matches(p.name, sccrq.host_name)) continue;
      if (p.address && !p.address->same_host(from)) continue;
      return tunnel_config_for(cfg_, p);
    }
    return std::nullopt;
  }

 private:
  const Config& cfg_;
};

}  // namespace

struct Gateway::Impl {
  Impl(const Config& c, crypto::Random& random, Hooks h)
      : cfg(c), policy(cfg), engine(make_engine_config(cfg), random, &policy), hooks(std::move(h)) {}

  static l2tp::EngineConfig make_engine_config(const Config& cfg) {
    l2tp::EngineConfig e;
    e.max_tunnels = cfg.max_tunnels;
    e.tunnel = cfg.tunnel;
    e.tunnel.host_name = cfg.host_name;
    return e;
  }

  Config cfg;
  ConfigPolicy policy;
  l2tp::Engine engine;
  Hooks hooks;
  bool shutting_down = false;

  // LAC: which [[peer]] each of our originated tunnels serves.
  std::unordered_map<std::uint16_t, std::size_t> tunnel_peer;
  // LAC: peers waiting to be dialled again, by the time to dial.
  std::multimap<Instant, std::size_t> redials;
  // Established sessions (for the LCP echo sink's periodic requests).
  std::vector<l2tp::SessionRef> sessions;
  Instant next_echo = kNever;
  std::uint8_t echo_id = 0;

  std::uint64_t frames_rx = 0, frames_tx = 0, echo_replies = 0;

  void dial(Instant now, std::size_t peer_index) {
    const PeerConfig& p = cfg.peers[peer_index];
    auto t = engine.open_tunnel(now, *p.address, tunnel_config_for(cfg, p));
    if (!t) {
      schedule_redial(now, peer_index);
      return;
    }
    tunnel_peer[*t] = peer_index;
    for (unsigned i = 0; i < p.sessions; ++i) (void)engine.open_session(now, *t, p.call);
  }

  void schedule_redial(Instant now, std::size_t peer_index) {
    if (cfg.redial && !shutting_down) redials.emplace(now + cfg.redial_delay, peer_index);
  }

  void send(Instant now, l2tp::SessionRef ref, PacketBuf&& frame) {
    if (engine.send_frame(now, ref, std::move(frame))) ++frames_tx;
  }

  void on_frame(Instant now, l2tp::Event& ev) {
    ++frames_rx;
    switch (cfg.sink) {
      case SinkKind::discard:
        break;
      case SinkKind::echo:
        send(now, ev.ref, std::move(ev.frame));
        break;
      case SinkKind::lcp_echo: {
        auto lcp = parse_lcp(ev.frame.bytes());
        if (!lcp) break;
        if (lcp->code == kLcpEchoRequest) {
          send(now, ev.ref, build_lcp_echo(kLcpEchoReply, lcp->identifier, lcp->has_address_control, lcp->data));
        } else if (lcp->code == kLcpEchoReply) {
          ++echo_replies;
        }
        break;
      }
    }
  }

  void handle(Instant now, l2tp::Event& ev) {
    using K = l2tp::Event::Kind;
    switch (ev.kind) {
      case K::frame:
        on_frame(now, ev);
        break;
      case K::session_up:
        sessions.push_back(ev.ref);
        if (cfg.sink == SinkKind::lcp_echo && next_echo == kNever) next_echo = now + cfg.lcp_echo_interval;
        break;
      case K::session_down:
        std::erase(sessions, ev.ref);
        break;
      case K::tunnel_down: {
        auto it = tunnel_peer.find(ev.ref.tunnel);
        if (it != tunnel_peer.end()) {
          schedule_redial(now, it->second);
          tunnel_peer.erase(it);
        }
        std::erase_if(sessions, [&](const l2tp::SessionRef& r) { return r.tunnel == ev.ref.tunnel; });
        break;
      }
      default:
        break;
    }
    if (hooks.on_event) hooks.on_event(ev);
  }

  void on_timeout(Instant now) {
    engine.on_timeout(now);
    while (!redials.empty() && redials.begin()->first <= now) {
      std::size_t peer = redials.begin()->second;
      redials.erase(redials.begin());
      dial(now, peer);
    }
    if (now >= next_echo) {
      ++echo_id;
      for (const auto& ref : sessions) send(now, ref, build_lcp_echo(kLcpEchoRequest, echo_id, true, {}));
      next_echo = sessions.empty() ? kNever : now + cfg.lcp_echo_interval;
    }
  }

  Instant next_deadline() const {
    Instant d = engine.next_deadline();
    if (!redials.empty()) d = earliest(d, redials.begin()->first);
    return earliest(d, next_echo);
  }
};

Gateway::Gateway(const Config& cfg, crypto::Random& random, Hooks hooks)
    : impl_(std::make_unique<Impl>(cfg, random, std::move(hooks))) {}

Gateway::~Gateway() = default;

void Gateway::start(Instant now) {
  if (impl_->cfg.role != Role::lac) return;
  for (std::size_t i = 0; i < impl_->cfg.peers.size(); ++i)
    if (impl_->cfg.peers[i].address) impl_->dial(now, i);
}

void Gateway::shutdown(Instant now) {
  impl_->shutting_down = true;
  impl_->redials.clear();
  impl_->next_echo = kNever;
  impl_->engine.close_all(now, l2tp::ResultCode{l2tp::result::kShuttingDown, std::nullopt, {}});
}

void Gateway::on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) {
  impl_->engine.on_datagram(now, from, std::move(pkt));
}

void Gateway::on_timeout(Instant now) { impl_->on_timeout(now); }

Instant Gateway::next_deadline() const { return impl_->next_deadline(); }

void Gateway::flush(Instant now, Output& out) {
  for (;;) {
    bool any = false;
    while (auto ev = impl_->engine.poll_event()) {
      impl_->handle(now, *ev);
      any = true;
    }
    while (auto tx = impl_->engine.poll_transmit()) {
      out.send(tx->to, std::move(tx->pkt));
      any = true;
    }
    if (!any) break;
  }
}

bool Gateway::idle() const { return impl_->engine.idle(); }
l2tp::Engine& Gateway::engine() { return impl_->engine; }
const l2tp::Engine& Gateway::engine() const { return impl_->engine; }
Counters Gateway::counters() const { return impl_->engine.counters(); }
std::uint64_t Gateway::frames_received() const { return impl_->frames_rx; }
std::uint64_t Gateway::frames_sent() const { return impl_->frames_tx; }
std::uint64_t Gateway::lcp_echo_replies() const { return impl_->echo_replies; }

}  // namespace l2sec::gateway
