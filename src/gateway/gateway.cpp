#include "gateway/gateway.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "crypto/esp_providers.hpp"
#include "esp/ipsec_layer.hpp"
#include "esp/rfc3193_filters.hpp"
#include "gateway/sink.hpp"
#include "l2tp/tunnel.hpp"

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

// The store's key for one SA: the peer's outer address without the port
// (the NAT-T port may change; the SPI and the address name the SA).
SequenceKey sequence_key(SeqDirection d, std::uint32_t spi, const Endpoint& outer_remote) {
  SequenceKey k{d, spi, outer_remote};
  k.peer.port = 0;
  return k;
}

using KeyTuple =
    std::tuple<std::uint8_t, std::uint32_t, std::uint8_t, std::array<std::uint8_t, 16>, std::uint32_t>;
KeyTuple tuple_of(const SequenceKey& k) {
  return {static_cast<std::uint8_t>(k.direction), k.spi, static_cast<std::uint8_t>(k.peer.kind), k.peer.addr,
          k.peer.circuit};
}

// While the store fails, how often a write is tried again (our choice:
// often enough to resume quickly, rare enough not to hammer a sick disk).
constexpr Duration kStoreRetry = std::chrono::seconds(1);

}  // namespace

void Output::send_esp(const Endpoint&, PacketBuf&&, bool) {}

struct Gateway::Impl {
  Impl(const Config& c, crypto::Random& random, Hooks h, SequencePersistence p)
      : cfg(c), policy(cfg), engine(make_engine_config(cfg), random, &policy), hooks(std::move(h)), seq(p) {
    if (seq.block < 2) seq.block = 2;
    margin = seq.block / 2;
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
      if (p.address && !p.circuit) sp.peers.push_back(*p.address);
    for (auto& f : esp::shape_filters(sp)) ipsec->spd().add(std::move(f));
    // On a circuit the selector is the circuit (DESIGN.md §3): everything on
    // a circuit whose peer is configured with [esp] is protected, both ways.
    for (const auto& p : cfg.peers) {
      if (!p.circuit) continue;
      const CircuitConfig& k = cfg.circuits[*p.circuit];
      const esp::TrafficSelector sel{esp::HostSelector::any(), esp::HostSelector::of_circuit(k.id)};
      const std::string label = "circuit " + k.name + " (" + k.source + ")";
      ipsec->spd().add(esp::Filter{esp::Direction::outbound, sel, esp::Action::protect, 0, label + " out"});
      ipsec->spd().add(esp::Filter{esp::Direction::inbound, sel, esp::Action::protect, 0, label + " in"});
    }

    // The persisted sequence state; without it no SA is set up (the app
    // refuses to run with a setup error anyway).
    std::map<KeyTuple, std::uint64_t> restored;
    if (seq.store) {
      auto loaded = seq.store->load();
      if (!loaded) {
        setup_errors.push_back("ESP sequence state: " + std::string(loaded.error().what));
        return;
      }
      for (const SequenceRecord& r : *loaded) restored[tuple_of(r.key)] = r.value;
    }
    auto restore = [&](const SequenceKey& k) {
      auto it = restored.find(tuple_of(k));
      return it == restored.end() ? std::uint64_t{0} : it->second;
    };

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
      if (p.circuit) {
        // IP-less on the circuit: ESP carries the L2TP packet itself (NH 115).
        b.mode = esp::Mode::ipless;
        b.udp_encap = false;
        b.selector = esp::TrafficSelector{esp::HostSelector::any(), esp::HostSelector::of_circuit(p.address->circuit)};
        b.outer_local = *p.address;
      } else if (b.udp_encap) {
        b.outer_local.port = cfg.esp.natt_port;
        b.outer_remote.port = e.natt_port;
      }
      b.peer = p.name;
      const SequenceKey key_in = sequence_key(SeqDirection::inbound, e.spi_in, b.outer_remote);
      const SequenceKey key_out = sequence_key(SeqDirection::outbound, e.spi_out, b.outer_remote);
      const std::uint64_t floor = restore(key_in);
      const std::uint64_t mark = restore(key_out);
      auto in = esp::InboundSa::create(e.spi_in, std::move(*t_in), cfg.esp.esn, cfg.esp.replay_window, floor);
      if (!in) {
        setup_errors.push_back(p.source + ": " + std::string(in.error().what));
        continue;
      }
      // Sad::add_inbound keys circuit SAs by the peer's circuit.
      const Endpoint& in_from =
          b.outer_remote.kind == Endpoint::Kind::circuit ? b.outer_remote : b.outer_local;
      if (auto r = ipsec->sad().add_inbound(b, std::move(*in)); !r) {
        setup_errors.push_back(p.source + ": inbound SPI " + hex_spi(e.spi_in) + " already in use");
        continue;
      }
      const esp::SaId out_id =
          ipsec->sad().add_outbound(b, esp::OutboundSa(e.spi_out, std::move(*t_out), cfg.esp.esn, mark));
      esp::OutboundEntry* out = ipsec->sad().outbound(out_id);
      const std::string who = "peer " + p.name + " (" + p.source + "): ";
      if (seq.store) {
        // Nothing is sent before a first reservation above the mark is
        // written (end of setup_esp). Manual SAs live as long as the
        // gateway, so the entries stay valid (Sad: node-allocated).
        out->sa.reserve(mark);
        seq_out.push_back(PersistedOut{out, key_out});
        seq_in.push_back(PersistedIn{ipsec->sad().find_inbound(e.spi_in, in_from), key_in, floor});
      } else {
        setup_warnings.push_back(
            who + "SA out " + hex_spi(e.spi_out) + " / in " + hex_spi(e.spi_in) +
            ": no [esp] state_file, so a restart starts the sequence numbers again at 1 under the same keys: "
            "the peer drops what we send as replayed until it restarts too, packets captured before the "
            "restart can be replayed at us" +
            (crypto::is_aead(e.cipher)
                 ? ", and " + std::string(crypto::cipher_name(e.cipher)) + " repeats its nonces (RFC 4106 §3)"
                 : std::string{}));
      }
      if (out->sa.rekey_due()) {
        setup_warnings.push_back(who + "SA out " + hex_spi(e.spi_out) + " has used " +
                                 std::to_string(out->sa.sequence().last()) +
                                 " sequence numbers, close to its end: replace its keys and SPIs");
      }
      const std::string what =
          std::string(crypto::cipher_name(e.cipher)) +
          (e.auth == crypto::EspAuth::none ? "" : "/" + std::string(crypto::auth_name(e.auth))) + " via " +
          std::string((*provider)->name()) + ", " + std::string(esp::mode_name(b.mode)) +
          (b.udp_encap ? " in UDP" : "") + (cfg.esp.esn ? ", ESN" : "") + ", replay window " +
          std::to_string(cfg.esp.replay_window);
      summary.push_back("peer " + p.name + " (" + p.address->to_string() + "): SA in " + hex_spi(e.spi_in) +
                        ", out " + hex_spi(e.spi_out) + ": " + what);
    }

    // The first reservation, before anything can be sent.
    if (seq.store && !seq_out.empty() && !write_sequence_state(kEpoch, false))
      setup_errors.push_back("ESP sequence state: cannot persist the first reservation of sequence numbers");
  }

  // ---- sequence state (sequence_store.hpp) ----

  struct PersistedOut {
    esp::OutboundEntry* entry;
    SequenceKey key;
  };
  struct PersistedIn {
    esp::InboundEntry* entry;
    SequenceKey key;
    std::uint64_t stored;  // the top last persisted
  };

  // The mark a reservation moves an SA to: a block past its last number.
  std::uint64_t next_mark(const esp::OutboundSa& sa) const {
    const std::uint64_t last = sa.sequence().last(), max = sa.sequence().max();
    return max - last < seq.block ? max : last + seq.block;
  }

  // Before every packet handed to the IPsec layer. Each packet uses at most
  // one number of one SA, and after a write every SA has at least `margin`
  // reserved numbers left (or could not get them): checking every `margin`
  // packets keeps every SA supplied without a per-packet SA lookup.
  void before_send(Instant now) {
    if (seq_out.empty()) return;
    const bool retry = store_failing && now >= retry_at;
    if (++tx_since_check < margin && !check_now && !retry) return;
    if (retry) retry_at = now + kStoreRetry;  // at most one retry a second, whatever it finds to write
    write_sequence_state(now, false);
  }

  // After every ESP packet received (accepted or not: an upper bound on
  // what moved the windows).
  void after_receive(Instant now) {
    if (seq_in.empty()) return;
    if (++rx_since_write >= seq.block) write_sequence_state(now, true);
  }

  // One durable write: new marks for the outbound SAs short of numbers and,
  // when `inbound_due`, anyway writing or retrying after a failure, the
  // inbound tops that moved. Applies what it wrote only once the store says
  // it is durable.
  bool write_sequence_state(Instant now, bool inbound_due) {
    tx_since_check = 0;
    check_now = false;
    batch.clear();
    for (const PersistedOut& o : seq_out)
      if (o.entry->sa.needs_reservation(margin)) batch.push_back({o.key, next_mark(o.entry->sa)});
    const bool with_inbound = inbound_due || !batch.empty() || store_failing;
    if (with_inbound) {
      rx_since_write = 0;
      for (const PersistedIn& i : seq_in)
        if (i.entry->sa.highest() != i.stored) batch.push_back({i.key, i.entry->sa.highest()});
    }
    if (batch.empty()) return true;
    if (!persist_batch(now)) return false;
    // Nothing was sent or received during the write: the same SAs qualify.
    for (const PersistedOut& o : seq_out)
      if (o.entry->sa.needs_reservation(margin)) o.entry->sa.reserve(next_mark(o.entry->sa));
    if (with_inbound)
      for (PersistedIn& i : seq_in) i.stored = i.entry->sa.highest();
    return true;
  }

  bool save_sequence_state() {
    if (!seq.store) return true;
    batch.clear();
    for (const PersistedOut& o : seq_out) {
      // End the reservation BEFORE writing: whether the write lands or not,
      // nothing is sent above what the store may now hold.
      o.entry->sa.reserve(o.entry->sa.sequence().last());
      batch.push_back({o.key, o.entry->sa.sequence().last()});
    }
    for (const PersistedIn& i : seq_in) batch.push_back({i.key, i.entry->sa.highest()});
    check_now = true;  // the next packet asks for a new reservation
    if (batch.empty()) return true;
    if (!persist_batch(kEpoch)) return false;  // no clock here: retry at the next packet
    for (PersistedIn& i : seq_in) i.stored = i.entry->sa.highest();
    return true;
  }

  bool persist_batch(Instant now) {
    if (seq.store->persist(batch)) {
      if (store_failing) {
        store_failing = false;
        message(Severity::warning, "ESP sequence state persisted again: sending resumes");
      }
      return true;
    }
    seq_counters.inc(Ctr::esp_state_write_failed);
    retry_at = now + kStoreRetry;
    if (!store_failing) {
      store_failing = true;
      message(
          Severity::error,
          "cannot persist the ESP sequence state: SAs send nothing beyond their reserved sequence numbers "
          "(esp_tx_unreserved) until it can be written again");
    }
    return false;
  }

  // Our end of a flow with `remote`: the listen address on IP, the circuit itself on a circuit.
  const Endpoint& local_for(const Endpoint& remote) const {
    return remote.kind == Endpoint::Kind::circuit ? remote : cfg.listen;
  }

  void message(Severity s, const std::string& text) {
    if (hooks.on_message) hooks.on_message(s, text);
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

  // Sequence state: the SAs persisted, and when to write next.
  SequencePersistence seq;
  std::uint64_t margin = 0;  // block / 2: reserve again when fewer numbers are left
  std::vector<PersistedOut> seq_out;
  std::vector<PersistedIn> seq_in;
  std::vector<SequenceRecord> batch;  // reused by every write
  std::uint64_t tx_since_check = 0;   // packets handed to the layer since the last check
  std::uint64_t rx_since_write = 0;   // ESP packets received since the inbound tops were written
  bool check_now = false;
  bool store_failing = false;
  Instant retry_at = kEpoch;
  Counters seq_counters;  // esp_state_write_failed
  std::vector<std::string> setup_warnings;

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

  // Circuits (Endpoint::of_circuit ids) reported up by the medium. A
  // circuit is down until its medium says otherwise.
  std::unordered_map<std::uint32_t, bool> circuit_up;
  // LAC peers on a circuit that is down, dialled when it comes up.
  std::vector<std::size_t> parked;
  Counters circuit_counters;  // gw_circuit_*

  bool reachable(const PeerConfig& p) const {
    if (!p.circuit) return true;
    auto it = circuit_up.find(p.address->circuit);
    return it != circuit_up.end() && it->second;
  }

  void on_circuit_state(Instant now, std::uint32_t circuit, bool up) {
    bool& state = circuit_up[circuit];
    if (state == up) return;
    state = up;
    const Endpoint ep = Endpoint::of_circuit(circuit);
    if (!up) {
      circuit_counters.inc(Ctr::gw_circuit_down);
      // As a lost peer (RFC 2661 §5.8): nothing can reach it any more.
      const std::size_t n = engine.lose_peer(
          now, ep, l2tp::make_result(l2tp::result::kGeneralError, l2tp::error::kNoError, "circuit down"));
      circuit_counters.inc(Ctr::gw_circuit_tunnels_lost, n);
      if (n > 0)
        message(Severity::warning, ep.to_string() + " down: " + std::to_string(n) + " tunnel" +
                                       (n == 1 ? "" : "s") + " over it cleared");
      return;
    }
    circuit_counters.inc(Ctr::gw_circuit_up);
    if (shutting_down) return;
    std::vector<std::size_t> ready;
    std::erase_if(parked, [&](std::size_t i) {
      if (cfg.peers[i].address->circuit != circuit) return false;
      ready.push_back(i);
      return true;
    });
    for (std::size_t i : ready) dial(now, i);
  }

  void dial(Instant now, std::size_t peer_index) {
    const PeerConfig& p = cfg.peers[peer_index];
    if (!reachable(p)) {
      if (std::find(parked.begin(), parked.end(), peer_index) == parked.end()) parked.push_back(peer_index);
      return;
    }
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

  // RFC 3948 §4: a UDP-encapsulating peer keeps its NAT mapping open with a
  // NAT-keepalive (one octet 0xFF) when it has nothing else to send; 20 s is
  // the RFC's suggested period, shorter than the common 30 s+ NAT timeouts.
  static constexpr Duration kNattKeepalive = std::chrono::seconds(20);
  Instant next_keepalive = kNever;
  bool keepalive_due = false;

  // What the SPD protects and no SA covers: with manual keys, a
  // configuration gap (IKE will take these later). Said once per flow.
  void drain_acquires() {
    while (auto a = ipsec->poll_acquire())
      message(Severity::warning, "ESP: no SA for " + a->local.to_string() + " -> " + a->remote.to_string() +
                                     " (the SPD protects it; nothing is sent in the clear)");
  }

  void send_keepalives(Output& out) {
    keepalive_due = false;
    ipsec->sad().for_each_outbound([&](const esp::OutboundEntry& e) {
      if (!e.binding.udp_encap) return;
      PacketBuf ka(1);
      *ka.push_back(1) = 0xFF;
      out.send_esp(e.binding.outer_remote, std::move(ka), true);
      seq_counters.inc(Ctr::esp_tx_natt_keepalive);
    });
  }

  void on_timeout(Instant now) {
    engine.on_timeout(now);
    if (now >= next_keepalive) {
      keepalive_due = true;
      next_keepalive = now + kNattKeepalive;
    }
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
    d = earliest(d, next_keepalive);
    return earliest(d, next_echo);
  }
};

Gateway::Gateway(const Config& cfg, crypto::Random& random, Hooks hooks, SequencePersistence persistence)
    : impl_(std::make_unique<Impl>(cfg, random, std::move(hooks), persistence)) {}

Gateway::~Gateway() = default;

void Gateway::start(Instant now) {
  if (impl_->ipsec && impl_->cfg.esp.udp_encap) impl_->next_keepalive = now + Impl::kNattKeepalive;
  if (impl_->cfg.role != Role::lac) return;
  for (std::size_t i = 0; i < impl_->cfg.peers.size(); ++i)
    if (impl_->cfg.peers[i].address) impl_->dial(now, i);
}

void Gateway::shutdown(Instant now) {
  impl_->shutting_down = true;
  impl_->redials.clear();
  impl_->parked.clear();
  impl_->next_echo = kNever;
  impl_->engine.close_all(now, l2tp::ResultCode{l2tp::result::kShuttingDown, std::nullopt, {}});
}

void Gateway::on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) {
  // RFC 3193 §3.3: a clear packet on a flow that requires security never
  // reaches L2TP.
  if (impl_->ipsec && !impl_->ipsec->accept_clear(impl_->local_for(from), from)) return;
  impl_->engine.on_datagram(now, from, std::move(pkt));
}

void Gateway::on_esp(Instant now, const Endpoint& from, const Endpoint& to, PacketBuf&& pkt, bool udp_encap) {
  if (!impl_->ipsec) return;
  auto flow = impl_->ipsec->open(from, to, pkt, udp_encap);
  impl_->after_receive(now);
  if (!flow) return;  // counted by the layer or the SA
  impl_->engine.on_datagram(now, flow->src, std::move(pkt));
}

void Gateway::on_circuit_state(Instant now, std::uint32_t circuit, bool up) {
  impl_->on_circuit_state(now, circuit, up);
}

bool Gateway::circuit_up(std::uint32_t circuit) const {
  auto it = impl_->circuit_up.find(circuit);
  return it != impl_->circuit_up.end() && it->second;
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
      impl_->before_send(now);
      auto pdu = impl_->ipsec->send(impl_->local_for(tx->to), tx->to, std::move(tx->pkt));
      if (!pdu) continue;  // counted by the layer
      if (pdu->kind == esp::PduKind::l2tp)
        out.send(pdu->to, std::move(pdu->pkt));
      else
        out.send_esp(pdu->to, std::move(pdu->pkt), pdu->kind == esp::PduKind::esp_in_udp);
    }
    if (!any) break;
  }
  if (impl_->ipsec) {
    impl_->drain_acquires();
    if (impl_->keepalive_due) impl_->send_keepalives(out);
  }
}

bool Gateway::idle() const { return impl_->engine.idle(); }
l2tp::Engine& Gateway::engine() { return impl_->engine; }
const l2tp::Engine& Gateway::engine() const { return impl_->engine; }
Counters Gateway::counters() const {
  Counters c = impl_->engine.counters();
  if (impl_->ipsec) c += impl_->ipsec->counters();
  c += impl_->seq_counters;
  c += impl_->circuit_counters;
  return c;
}
const std::vector<std::string>& Gateway::setup_errors() const { return impl_->setup_errors; }
const std::vector<std::string>& Gateway::setup_warnings() const { return impl_->setup_warnings; }
bool Gateway::save_sequence_state() { return impl_->save_sequence_state(); }
std::vector<std::string> Gateway::esp_summary() const { return impl_->summary; }
bool Gateway::esp_enabled() const { return impl_->ipsec.has_value(); }
std::uint64_t Gateway::frames_received() const { return impl_->frames_rx; }
std::uint64_t Gateway::frames_sent() const { return impl_->frames_tx; }
std::uint64_t Gateway::lcp_echo_replies() const { return impl_->echo_replies; }

}  // namespace l2sec::gateway
