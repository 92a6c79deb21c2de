#include "gateway/gateway.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <vector>

#include "crypto/esp_providers.hpp"
#include "esp/ipsec_layer.hpp"
#include "esp/rfc3193_filters.hpp"
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

std::string hex_spi(std::uint32_t spi) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += digits[(spi >> i) & 0xF];
  return s;
}

}  // namespace

void Output::send_esp(const Endpoint&, PacketBuf&&, bool) {}

struct Gateway::Impl {
  Impl(const Config& c, crypto::Random& random, Hooks h)
      : cfg(c), policy(cfg), engine(make_engine_config(cfg), random, &policy), hooks(std::move(h)) {
    if (cfg.esp.enabled) setup_esp(random);
  }

  // The SPD from the deployment shape and one manually keyed SA pair per
  // [peer.esp]. Errors (a pair the forced provider lacks) go to
  // setup_errors; the app refuses to run with any.
  void setup_esp(crypto::Random& random) {
    ipsec.emplace(cfg.esp.require);
    providers.emplace();
    esp::ShapeParams sp;
    sp.shape = cfg.esp.shape;
    sp.role = cfg.role == Role::lac ? esp::GatewayRole::lac : esp::GatewayRole::lns;
    sp.auth = cfg.esp.auth;
    sp.local = cfg.listen;
    for (const auto& p : cfg.peers)
      if (p.address) sp.peers.push_back(*p.address);
    for (auto& f : esp::shape_filters(sp)) ipsec->spd().add(std::move(f));

    for (const auto& p : cfg.peers) {
      if (!p.esp || !p.address) continue;
      const PeerEspConfig& e = *p.esp;
      auto provider = providers->pick(e.cipher, e.auth, cfg.esp.provider);
      if (!provider) {
        setup_errors.push_back(
            p.source + ": no ESP provider for " + std::string(crypto::cipher_name(e.cipher)) + " with " +
            std::string(crypto::auth_name(e.auth)) + " (" + std::string(provider.error().what) + ")");
        continue;
      }
      auto t_in = (*provider)->make(e.cipher, e.auth, e.keys_in.enc, e.keys_in.auth, random);
      auto t_out = (*provider)->make(e.cipher, e.auth, e.keys_out.enc, e.keys_out.auth, random);
      if (!t_in || !t_out) {
        setup_errors.push_back(p.source + ": cannot key the SA pair (" +
                               std::string((!t_in ? t_in.error() : t_out.error()).what) + ")");
        continue;
      }
      esp::SaBinding b;
      b.mode = cfg.esp.mode;
      b.udp_encap = cfg.esp.udp_encap;
      // The SA carries L2TP between our socket and the peer's address,
      // whatever port the peer uses (RFC 3193 §4.2: the responder may float).
      b.selector = esp::TrafficSelector{esp::HostSelector::of(cfg.listen, cfg.listen.port),
                                        esp::HostSelector::of(*p.address, 0)};
      b.outer_local = cfg.listen;
      b.outer_remote = *p.address;
      if (b.udp_encap) {
        b.outer_local.port = cfg.esp.natt_port;
        b.outer_remote.port = e.natt_port;
      }
      b.peer = p.name;
      auto in = esp::InboundSa::create(e.spi_in, std::move(*t_in), cfg.esp.esn, cfg.esp.replay_window);
      if (!in) {
        setup_errors.push_back(p.source + ": " + std::string(in.error().what));
        continue;
      }
      if (auto r = ipsec->sad().add_inbound(b, std::move(*in)); !r) {
        setup_errors.push_back(p.source + ": inbound SPI " + hex_spi(e.spi_in) + " already in use");
        continue;
      }
      ipsec->sad().add_outbound(b, esp::OutboundSa(e.spi_out, std::move(*t_out), cfg.esp.esn));
      const std::string what =
          std::string(crypto::cipher_name(e.cipher)) +
          (e.auth == crypto::EspAuth::none ? "" : "/" + std::string(crypto::auth_name(e.auth))) + " via " +
          std::string((*provider)->name()) + ", " + std::string(esp::mode_name(b.mode)) +
          (b.udp_encap ? " in UDP" : "") + (cfg.esp.esn ? ", ESN" : "") + ", replay window " +
          std::to_string(cfg.esp.replay_window);
      summary.push_back("peer " + p.name + " (" + p.address->to_string() + "): SA in " + hex_spi(e.spi_in) +
                        ", out " + hex_spi(e.spi_out) + ": " + what);
    }
  }

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

  // ESP ([esp] in the config): absent when L2TP runs in the clear.
  std::optional<crypto::EspProviders> providers;  // only with [esp]: ipsec-mb has a manager per instance
  std::optional<esp::IpsecLayer> ipsec;
  std::vector<std::string> setup_errors;
  std::vector<std::string> summary;

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
          send(now, ev.ref,
               build_lcp_echo(kLcpEchoReply, lcp->identifier, lcp->has_address_control, lcp->data));
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
  // RFC 3193 §3.3: a clear packet on a flow that requires security never
  // reaches L2TP.
  if (impl_->ipsec && !impl_->ipsec->accept_clear(impl_->cfg.listen, from)) return;
  impl_->engine.on_datagram(now, from, std::move(pkt));
}

void Gateway::on_esp(Instant now, const Endpoint& from, const Endpoint& to, PacketBuf&& pkt, bool udp_encap) {
  if (!impl_->ipsec) return;
  auto flow = impl_->ipsec->open(from, to, pkt, udp_encap);
  if (!flow) return;  // counted by the layer or the SA
  impl_->engine.on_datagram(now, flow->src, std::move(pkt));
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
      any = true;
      if (!impl_->ipsec) {
        out.send(tx->to, std::move(tx->pkt));
        continue;
      }
      auto pdu = impl_->ipsec->send(impl_->cfg.listen, tx->to, std::move(tx->pkt));
      if (!pdu) continue;  // counted by the layer
      if (pdu->kind == esp::PduKind::l2tp)
        out.send(pdu->to, std::move(pdu->pkt));
      else
        out.send_esp(pdu->to, std::move(pdu->pkt), pdu->kind == esp::PduKind::esp_in_udp);
    }
    if (!any) break;
  }
}

bool Gateway::idle() const { return impl_->engine.idle(); }
l2tp::Engine& Gateway::engine() { return impl_->engine; }
const l2tp::Engine& Gateway::engine() const { return impl_->engine; }
Counters Gateway::counters() const {
  Counters c = impl_->engine.counters();
  if (impl_->ipsec) c += impl_->ipsec->counters();
  return c;
}
const std::vector<std::string>& Gateway::setup_errors() const { return impl_->setup_errors; }
std::vector<std::string> Gateway::esp_summary() const { return impl_->summary; }
bool Gateway::esp_enabled() const { return impl_->ipsec.has_value(); }
std::uint64_t Gateway::frames_received() const { return impl_->frames_rx; }
std::uint64_t Gateway::frames_sent() const { return impl_->frames_tx; }
std::uint64_t Gateway::lcp_echo_replies() const { return impl_->echo_replies; }

}  // namespace l2sec::gateway
