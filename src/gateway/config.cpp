// The configuration loader: TOML text -> Config, checked as a whole.
//
// Three passes over one parsed document, all reporting into one
// Diagnostics so that every error is found in one run:
//   1. keys: every table holds only the keys of its schema (a typo is an
//      error, with a hint: the key it resembles, or the table it belongs in);
//   2. values: each key's type and range (config_reader.hpp), filling Config;
//   3. the whole: what only makes sense across keys (role vs. peers, hidden
//      AVPs vs. secrets, retransmission timers).
// [esp], [peer.esp] and the ESP key file are read by config_esp.cpp, called
// from the same passes. The schema, defaults and ranges are documented in
// docs/config.md; keep both in step.
#include "gateway/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <span>

#include "esp/rfc3193_filters.hpp"
#include "gateway/config_circuits.hpp"
#include "gateway/config_esp.hpp"
#include "gateway/config_reader.hpp"
#include "gateway/config_secret.hpp"
#include "l2tp/message.hpp"

namespace l2sec::gateway {
namespace {

using cfg::Diagnostics;
using cfg::Fields;
using cfg::resolve;
using cfg::scrub;
using cfg::Section;
using cfg::show;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// --- schema: the keys of each table --------------------------------------

constexpr std::string_view kTopKeys[] = {
    "role",        "listen", "host_name",    "log_level", "status_file", "sink", "lcp_echo_interval",
    "max_tunnels", "redial", "redial_delay", "tunnel",    "peer",        "esp",
    "link",        "circuit"};
constexpr std::string_view kTunnelKeys[] = {"hidden_avps",    "hello_interval",   "retransmit_initial",
                                            "retransmit_max", "retransmit_tries", "receive_window",
                                            "stop_hold",      "max_sessions",     "framing",
                                            "bearer",         "vendor_name"};
constexpr std::string_view kPeerKeys[] = {"name",          "address",        "secret_file", "secret",
                                          "challenge",     "hidden_avps",    "sessions",    "sequencing",
                                          "called_number", "calling_number", "esp",         "circuit"};

constexpr Section kTop{"at top level", kTopKeys};
constexpr Section kTunnel{"in [tunnel]", kTunnelKeys};
constexpr Section kPeer{"in [[peer]]", kPeerKeys};
constexpr const Section* kSections[] = {&kTop,          &kTunnel, &kPeer, &cfg::kEspSection, &cfg::kPeerEspSection,
                                        &cfg::kLinkSection, &cfg::kCircuitSection};

constexpr std::string_view kRoles[] = {"lac", "lns"};
constexpr Role kRoleValues[] = {Role::lac, Role::lns};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view kSinks[] = {"echo", "discard", "lcp-echo"};
constexpr SinkKind kSinkValues[] = {SinkKind::echo, SinkKind::discard, SinkKind::lcp_echo};
constexpr std::string_view kFramings[] = {"sync", "async"};
constexpr std::uint32_t kFramingBits[] = {l2tp::kFramingSync, l2tp::kFramingAsync};
constexpr std::string_view kBearers[] = {"digital", "analog"};
constexpr std::uint32_t kBearerBits[] = {l2tp::kBearerDigital, l2tp::kBearerAnalog};

constexpr std::uint16_t kL2tpPort = 1701;    // RFC 2661 §8.1
constexpr std::size_t kMaxNameLength = 255;  // our choice for names and numbers
constexpr std::size_t kMaxConfigFileSize = 1 << 20;

// --- pass 1: keys ----------------------------------------------------------

void check_keys(Diagnostics& diag, const toml::table& t, const Section& section) {
  cfg::check_keys(diag, t, section, kSections);
}

// --- pass 2: values --------------------------------------------------------

std::optional<Endpoint> endpoint(Diagnostics& diag, Fields& f, std::string_view key) {
  const toml::node* n = f.node(key);
  if (!n) return std::nullopt;
  auto s = n->value_exact<std::string>();
  if (!s) {
    f.type_error(key, *n, "a string");
    return std::nullopt;
  }
  auto e = parse_endpoint(*s, kL2tpPort);
  if (!e) {
    diag.error(n->source(), "'" + std::string(key) + "' is not an address: '" + show(*s) +
                                "' (expected IPv4 a.b.c.d or IPv6, in [brackets] when followed by :port)");
  }
  return e;
}

// [tunnel]: nodes the cross checks need.
struct TunnelNodes {
  const toml::node* hidden_avps = nullptr;
};

void read_tunnel(Diagnostics& diag, const toml::table& t, l2tp::TunnelConfig& tc, TunnelNodes& nodes) {
  check_keys(diag, t, kTunnel);
  Fields f(t, diag);
  if (auto v = f.boolean("hidden_avps")) {
    tc.hide_avps = *v;
    nodes.hidden_avps = f.node("hidden_avps");
  }
  if (auto v = f.duration("hello_interval", seconds(1), hours(24))) tc.hello_interval = *v;
  auto initial = f.duration("retransmit_initial", milliseconds(100), seconds(60));
  if (initial) tc.channel.initial_timeout = *initial;
  auto max = f.duration("retransmit_max", milliseconds(100), minutes(10));
  if (max) tc.channel.max_timeout = *max;
  if (tc.channel.max_timeout < tc.channel.initial_timeout && (initial || max)) {
    // Blame the key that is present; retransmit_max when both are.
    const char* key = max ? "retransmit_max" : "retransmit_initial";
    diag.error(f.node(key)->source(), "retransmit_max (" + cfg::format_duration(tc.channel.max_timeout) +
                                          ") must not be less than retransmit_initial (" +
                                          cfg::format_duration(tc.channel.initial_timeout) + ")");
  }
  if (auto v = f.integer("retransmit_tries", 1, 20)) tc.channel.max_retransmits = static_cast<unsigned>(*v);
  if (auto v = f.integer("receive_window", 1, 65535)) {
    tc.channel.receive_window = static_cast<std::uint16_t>(*v);
  }
  if (auto v = f.duration("stop_hold", seconds(1), hours(1))) tc.stop_hold = *v;
  if (auto v = f.integer("max_sessions", 1, 65535)) tc.max_sessions = static_cast<std::uint16_t>(*v);
  if (auto v = f.flags("framing", kFramings, kFramingBits, false)) tc.framing_capabilities = *v;
  if (auto v = f.flags("bearer", kBearers, kBearerBits, true)) tc.bearer_capabilities = *v;
  if (auto v = f.string("vendor_name", 1, kMaxNameLength)) tc.vendor_name = *v;
}

// One [[peer]] with the nodes the cross checks need.
struct PeerRead {
  PeerConfig cfg;
  toml::source_region table;
  const toml::node* name = nullptr;
  const toml::node* address = nullptr;  // given, even if not valid
  const toml::node* sessions = nullptr;
  const toml::node* hidden_avps = nullptr;  // its own, when given
  bool secret_failed = false;               // already reported: do not pile on
  std::optional<cfg::PeerEspRead> esp;      // [peer.esp]
};

// What every [[peer]] needs to know of the rest of the file.
struct PeerContext {
  const std::filesystem::path& base_dir;
  const Config& config;  // its links and circuits
  const cfg::EspRead& esp_read;
  const EspConfig& esp;
};

PeerRead read_peer(Diagnostics& diag, const toml::table& t, const PeerContext& ctx) {
  const std::filesystem::path& base_dir = ctx.base_dir;
  PeerRead p;
  p.table = t.source();
  p.cfg.source = diag.place(t.source());
  check_keys(diag, t, kPeer);
  Fields f(t, diag);

  if (auto v = f.string("name", 1, kMaxNameLength)) {
    p.cfg.name = *v;
    p.name = f.node("name");
  } else if (!f.node("name")) {
    diag.error(t.source(), "[[peer]] needs a 'name' (the peer's Host Name, or \"*\" for any)");
  }
  p.cfg.address = endpoint(diag, f, "address");
  p.address = f.node("address");
  if (const toml::node* n = f.node("circuit")) {
    if (p.address) {
      diag.error(n->source(), "give either 'address' (IP) or 'circuit', not both");
    } else if (auto i = cfg::find_circuit(diag, ctx.config, *n)) {
      p.cfg.circuit = *i;
      p.cfg.address = Endpoint::of_circuit(ctx.config.circuits[*i].id);
    }
    p.address = n;  // given (valid or reported)
  }

  const toml::node* secret = f.node("secret");
  const toml::node* secret_file = f.node("secret_file");
  if (secret && secret_file) {
    diag.error(secret->source(), "give either 'secret' or 'secret_file', not both");
    p.secret_failed = true;
  } else if (secret) {
    if (auto v = f.string("secret", 1, 65535)) {
      p.cfg.secret.assign(v->begin(), v->end());
    } else {
      p.secret_failed = true;
    }
  } else if (secret_file) {
    if (auto v = f.string("secret_file", 1, 4096)) {
      SecretFile s = read_secret_file(resolve(base_dir, *v));
      if (s.error.empty()) {
        p.cfg.secret = std::move(s.secret);
      } else {
        diag.error(secret_file->source(), s.error);
        p.secret_failed = true;
      }
    } else {
      p.secret_failed = true;
    }
  }

  if (auto v = f.boolean("challenge")) p.cfg.challenge = *v;
  if (auto v = f.boolean("hidden_avps")) {
    p.cfg.hidden_avps = *v;
    p.hidden_avps = f.node("hidden_avps");
  }
  if (auto v = f.integer("sessions", 0, 65535)) {
    p.cfg.sessions = static_cast<unsigned>(*v);
    p.sessions = f.node("sessions");
  }
  if (auto v = f.boolean("sequencing")) p.cfg.call.sequencing_required = *v;
  if (auto v = f.string("called_number", 0, kMaxNameLength)) p.cfg.call.called_number = *v;
  if (auto v = f.string("calling_number", 0, kMaxNameLength)) p.cfg.call.calling_number = *v;
  if (const toml::node* n = f.node("esp")) {
    if (const auto* e = n->as_table()) {
      check_keys(diag, *e, cfg::kPeerEspSection);
      p.esp = cfg::read_peer_esp(diag, *e, ctx.esp_read, ctx.esp);
    } else {
      f.type_error("esp", *n, "a table ([peer.esp])");
    }
  }
  return p;
}

std::vector<PeerRead> read_peers(Diagnostics& diag, const toml::node& n, const PeerContext& ctx) {
  std::vector<PeerRead> out;
  const auto* arr = n.as_array();
  if (!arr) {
    diag.error(n.source(), std::string("'peer' must be an array of tables ([[peer]]), not ") +
                               std::string(cfg::type_name(n.type())));
    return out;
  }
  for (const toml::node& e : *arr) {
    if (const auto* t = e.as_table()) {
      out.push_back(read_peer(diag, *t, ctx));
    } else {
      diag.error(e.source(),
                 std::string("each 'peer' must be a table, not ") + std::string(cfg::type_name(e.type())));
    }
  }
  return out;
}

// --- pass 3: the whole -----------------------------------------------------

void check_peers(Diagnostics& diag, std::optional<Role> role, const toml::node* role_node,
                 const l2tp::TunnelConfig& tc, const TunnelNodes& tn, const std::vector<PeerRead>& peers) {
  for (const PeerRead& p : peers) {
    bool hidden = p.hidden_avps ? p.cfg.hidden_avps : tc.hide_avps;
    if (hidden && p.cfg.secret.empty() && !p.secret_failed) {
      if (p.hidden_avps) {
        diag.error(p.hidden_avps->source(),
                   "'hidden_avps' needs a secret (RFC 2661 §4.3); this peer has none");
      } else {
        diag.error(p.table, "hidden_avps = true in [tunnel] (at " + diag.place(tn.hidden_avps->source()) +
                                ") needs a secret (RFC 2661 §4.3); this peer has none");
      }
    }
  }
  if (!role) return;
  if (*role == Role::lac) {
    // A peer whose address is wrong has been reported already.
    bool dials =
        std::any_of(peers.begin(), peers.end(), [](const PeerRead& p) { return p.address != nullptr; });
    if (!dials && role_node) {
      diag.error(role_node->source(), "a LAC needs at least one [[peer]] with an 'address' or a 'circuit' to dial");
    }
    for (const PeerRead& p : peers) {
      if (p.name && p.cfg.name == "*") {
        diag.error(p.name->source(), "name = \"*\" (any peer) is for an LNS; a LAC names the LNS it dials");
      }
    }
    return;
  }
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const PeerRead& p = peers[i];
    if (p.sessions && p.cfg.sessions > 0) {
      diag.error(p.sessions->source(),
                 "'sessions' places calls from a LAC; an LNS takes calls, so it must be 0");
    }
    if (!p.name) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (peers[j].name && peers[j].cfg.name == p.cfg.name) {
        diag.error(p.name->source(), "duplicate peer name '" + show(p.cfg.name) + "' (first at " +
                                         diag.place(peers[j].name->source()) + ")");
        break;
      }
    }
  }
}

}  // namespace

std::string ConfigError::to_string() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult parse_config(std::string_view text, const std::string& name,
                        const std::filesystem::path& base_dir) {
  Diagnostics diag(name);
  LoadResult result;
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(name));
  } catch (const toml::parse_error& e) {
    diag.error(e.source(), scrub(e.description()));
    result.errors = diag.take();
    return result;
  }

  Config c;
  c.file = name;
  check_keys(diag, root, kTop);
  Fields f(root, diag);

  std::optional<Role> role;
  if (auto i = f.choice("role", kRoles)) {
    role = kRoleValues[*i];
    c.role = *role;
  } else if (!f.node("role")) {
    diag.error("missing required key 'role' (\"lac\" or \"lns\")");
  }
  c.listen = Endpoint::v4({0, 0, 0, 0}, kL2tpPort);
  if (auto e = endpoint(diag, f, "listen")) c.listen = *e;
  if (auto v = f.string("host_name", 1, kMaxNameLength)) c.host_name = *v;
  if (auto i = f.choice("log_level", kLogLevels)) c.log_level = std::string(kLogLevels[*i]);
  if (auto v = f.string("status_file", 1, 4096)) c.status_file = resolve(base_dir, *v);
  if (auto i = f.choice("sink", kSinks)) c.sink = kSinkValues[*i];
  if (auto v = f.duration("lcp_echo_interval", milliseconds(100), hours(1))) c.lcp_echo_interval = *v;
  if (auto v = f.integer("max_tunnels", 1, 65535)) c.max_tunnels = static_cast<std::uint16_t>(*v);
  if (auto v = f.boolean("redial")) {
    c.redial = *v;
    if (*v && role == Role::lns)
      diag.error(f.node("redial")->source(), "'redial' is for a LAC; an LNS does not dial");
  }
  if (auto v = f.duration("redial_delay", milliseconds(100), hours(1))) c.redial_delay = *v;

  TunnelNodes tn;
  if (const toml::node* n = f.node("tunnel")) {
    if (const auto* t = n->as_table()) {
      read_tunnel(diag, *t, c.tunnel, tn);
    } else {
      f.type_error("tunnel", *n, "a table ([tunnel])");
    }
  }
  c.tunnel.host_name = c.host_name;

  // [esp] before the peers: their [peer.esp] depend on its profile.
  cfg::EspRead esp_read;
  if (const toml::node* n = f.node("esp")) {
    if (const auto* t = n->as_table()) {
      check_keys(diag, *t, cfg::kEspSection);
      esp_read = cfg::read_esp(diag, *t, c.esp, base_dir);
    } else {
      f.type_error("esp", *n, "a table ([esp])");
    }
  }

  // Links and circuits before the peers: a peer may name a circuit.
  cfg::read_links_and_circuits(diag, root, c, base_dir, kSections);

  std::vector<PeerRead> peers;
  if (const toml::node* n = f.node("peer"))
    peers = read_peers(diag, *n, PeerContext{base_dir, c, esp_read, c.esp});
  check_peers(diag, role, f.node("role"), c.tunnel, tn, peers);

  std::vector<cfg::EspPeer> esp_peers;
  for (PeerRead& p : peers) {
    if (p.esp) esp_peers.push_back(cfg::EspPeer{&*p.esp, p.cfg.name, p.address != nullptr});
  }
  std::vector<ConfigError> key_file_errors =
      cfg::check_esp(diag, esp_read, c.esp, esp_peers, c.listen, f.node("listen"));

  for (PeerRead& p : peers) {
    if (!p.hidden_avps) p.cfg.hidden_avps = c.tunnel.hide_avps;
    if (p.esp) p.cfg.esp = p.esp->cfg;
    c.peers.push_back(std::move(p.cfg));
  }

  // With [esp], L2TP passes only where a filter protects it (the IPsec layer
  // fails closed): a shape and method that yield no filter at all would
  // let nothing through, which is never what was meant. (Only asked of an
  // otherwise valid file: a peer whose address was refused would trip it.)
  if (esp_read.present && diag.count() == 0) {
    esp::ShapeParams sp;
    sp.shape = c.esp.shape;
    sp.role = c.role == Role::lac ? esp::GatewayRole::lac : esp::GatewayRole::lns;
    sp.auth = c.esp.auth;
    sp.local = c.listen;
    bool on_circuit = false;  // circuit peers get their own filters (the circuit is the selector)
    for (const PeerConfig& p : c.peers) {
      if (p.circuit) on_circuit = true;
      else if (p.address) sp.peers.push_back(*p.address);
    }
    if (!on_circuit && esp::shape_filters(sp).empty())
      diag.error(esp_read.table,
                 "[esp] yields no RFC 3193 filter: with auth = \"psk\" (and for gateway-to-gateway) "
                 "the filters are per peer address, and no [[peer]] has an 'address'; ESP would pass "
                 "no L2TP at all");
  }

  if (diag.count() > 0 || !key_file_errors.empty()) {
    // The main file's errors in file order, then the key file's.
    result.errors = diag.take();
    result.errors.insert(result.errors.end(), key_file_errors.begin(), key_file_errors.end());
  } else {
    result.config = std::move(c);
  }
  return result;
}

LoadResult load_config(const std::filesystem::path& file) {
  std::string name = file.string();
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return LoadResult{std::nullopt, {ConfigError{name, 0, 0, "is a directory, not a configuration file"}}};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    int err = errno;
    return LoadResult{std::nullopt,
                      {ConfigError{name, 0, 0, std::string("cannot read: ") + std::strerror(err)}}};
  }
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigFileSize) {
      return LoadResult{std::nullopt,
                        {ConfigError{name, 0, 0, "larger than 1 MiB; not a configuration file?"}}};
    }
  }
  if (in.bad()) {
    return LoadResult{std::nullopt, {ConfigError{name, 0, 0, "cannot read: I/O error"}}};
  }
  std::filesystem::path dir = file.parent_path();
  LoadResult r = parse_config(text, name, dir);
  if (r.config) r.config->file = file;
  return r;
}

}  // namespace l2sec::gateway

namespace l2sec::gateway {
// Keys are wiped, not just freed: a core dump or a reused page must not show them.
EspKeys::~EspKeys() {
  volatile std::uint8_t* e = enc.data();
  for (std::size_t i = 0; i < enc.size(); ++i) e[i] = 0;
  volatile std::uint8_t* a = auth.data();
  for (std::size_t i = 0; i < auth.size(); ++i) a[i] = 0;
}
}  // namespace l2sec::gateway
