// [[link]] and [[circuit]]: see config_circuits.hpp and docs/config.md.
#include "gateway/config_circuits.hpp"

#include <algorithm>
#include <cstdio>

namespace l2sec::gateway::cfg {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kLinkKeys[] = {
    "name",        "type",         "underlay",     "local",   "remote",     "interface",   "replay",
    "record",      "secured_oui",  "secured_pid",  "lmi",     "lmi_role",   "t391",        "t392",
    "n391",        "n392",         "n393",         "address_size", "max_frame", "cells", "nni_header",
    "max_sdu",     "oam_interval", "oam_retries",  "oam_up_count", "packet_size", "window", "modulo"};
constexpr std::string_view kCircuitKeys[] = {"name",   "link",    "dlci", "vpi", "vci",     "encapsulation",
                                             "carries", "remote", "called", "calling", "pvc", "lcn"};

constexpr std::string_view kTypes[] = {"frame-relay", "atm", "xot"};
constexpr LinkType kTypeValues[] = {LinkType::frame_relay, LinkType::atm, LinkType::xot};
constexpr std::string_view kUnderlays[] = {"udp", "afpacket", "pcap", "tcp"};
constexpr UnderlayKind kUnderlayValues[] = {UnderlayKind::udp, UnderlayKind::afpacket, UnderlayKind::pcap,
                                            UnderlayKind::tcp};
constexpr std::string_view kLmis[] = {"none", "q933a", "ansi", "cisco", "auto"};
constexpr LmiVariant kLmiValues[] = {LmiVariant::none, LmiVariant::q933a, LmiVariant::ansi, LmiVariant::cisco,
                                     LmiVariant::automatic};
constexpr std::string_view kLmiRoles[] = {"user", "network", "nni"};
constexpr LmiRole kLmiRoleValues[] = {LmiRole::user, LmiRole::network, LmiRole::nni};
constexpr std::string_view kEncaps[] = {"llc", "vc-mux"};
constexpr std::string_view kCarries[] = {"secured", "l2tp"};

// Keys that only one link type takes (the others are refused with a hint).
constexpr std::string_view kFrKeys[] = {"lmi", "lmi_role", "t391", "t392", "n391", "n392", "n393",
                                        "address_size", "max_frame"};
constexpr std::string_view kAtmKeys[] = {"cells", "nni_header", "max_sdu", "oam_interval", "oam_retries",
                                         "oam_up_count"};
constexpr std::string_view kXotKeys[] = {"packet_size", "window", "modulo"};
constexpr std::string_view kFrCircuitKeys[] = {"dlci"};
constexpr std::string_view kAtmCircuitKeys[] = {"vpi", "vci", "encapsulation", "carries"};
constexpr std::string_view kXotCircuitKeys[] = {"remote", "called", "calling", "pvc", "lcn"};

constexpr std::uint16_t kXotPort = 1998;  // RFC 1613 §3
constexpr std::size_t kMaxName = 64;

bool contains(std::span<const std::string_view> keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

std::string_view type_label(LinkType t) {
  switch (t) {
    case LinkType::frame_relay:
      return "frame-relay";
    case LinkType::atm:
      return "atm";
    case LinkType::xot:
      return "xot";
  }
  return "?";
}

// Keys of another link type's kind in this table.
void refuse_foreign_keys(Diagnostics& diag, const toml::table& t, LinkType type, bool circuit) {
  struct Group {
    LinkType type;
    std::span<const std::string_view> keys;
  };
  const Group groups[] = {
      {LinkType::frame_relay, circuit ? std::span<const std::string_view>(kFrCircuitKeys) : kFrKeys},
      {LinkType::atm, circuit ? std::span<const std::string_view>(kAtmCircuitKeys) : kAtmKeys},
      {LinkType::xot, circuit ? std::span<const std::string_view>(kXotCircuitKeys) : kXotKeys}};
  for (const auto& [k, v] : t) {
    for (const Group& g : groups) {
      if (g.type == type || !contains(g.keys, k.str())) continue;
      diag.error(v.source(), "'" + std::string(k.str()) + "' is for " +
                                 (g.type == LinkType::atm ? "an " : "a ") + std::string(type_label(g.type)) +
                                 (circuit ? " circuit" : " link") + "; this one is " +
                                 std::string(type_label(type)));
    }
  }
}

std::optional<Endpoint> address(Diagnostics& diag, Fields& f, std::string_view key, std::uint16_t port) {
  const toml::node* n = f.node(key);
  if (!n) return std::nullopt;
  auto s = n->value_exact<std::string>();
  if (!s) {
    f.type_error(key, *n, "a string");
    return std::nullopt;
  }
  auto e = parse_endpoint(*s, port);
  if (!e) diag.error(n->source(), "'" + std::string(key) + "' is not an address: '" + show(*s) + "'");
  return e;
}

// X.121: up to 15 decimal digits (X.121 §7; the address block holds 15).
bool is_x121(std::string_view s) {
  return s.size() <= 15 && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

void read_fr(Diagnostics& diag, Fields& f, LinkConfig& l);
void read_atm(Diagnostics& diag, Fields& f, const toml::table& t, LinkConfig& l);
void read_xot(Diagnostics& diag, Fields& f, LinkConfig& l);

LinkConfig read_link(Diagnostics& diag, const toml::table& t, const std::filesystem::path& base_dir,
                     const toml::node*& type_node) {
  LinkConfig l;
  l.source = diag.place(t.source());
  Fields f(t, diag);
  if (auto v = f.string("name", 1, kMaxName)) l.name = *v;
  else if (!f.node("name")) diag.error(t.source(), "[[link]] needs a 'name'");
  type_node = f.node("type");
  if (auto i = f.choice("type", kTypes)) l.type = kTypeValues[*i];
  else if (!type_node) diag.error(t.source(), "[[link]] needs a 'type' (\"frame-relay\", \"atm\" or \"xot\")");
  refuse_foreign_keys(diag, t, l.type, false);

  l.underlay = l.type == LinkType::xot ? UnderlayKind::tcp : UnderlayKind::udp;
  if (auto i = f.choice("underlay", kUnderlays)) l.underlay = kUnderlayValues[*i];
  const toml::node* un = f.node("underlay");
  const bool xot = l.type == LinkType::xot;
  if (un && xot != (l.underlay == UnderlayKind::tcp))
    diag.error(un->source(), xot ? "an XOT link runs on underlay = \"tcp\" (RFC 1613)"
                                 : "underlay = \"tcp\" is for XOT; Frame Relay and ATM take \"udp\", "
                                   "\"afpacket\" or \"pcap\"");
  l.local = address(diag, f, "local", xot ? kXotPort : 0);
  l.remote = address(diag, f, "remote", 0);
  if (auto v = f.string("interface", 1, 15)) l.interface = *v;  // IFNAMSIZ - 1
  if (auto v = f.string("replay", 1, 4096)) l.replay = resolve(base_dir, *v);
  if (auto v = f.string("record", 1, 4096)) l.record = resolve(base_dir, *v);
  switch (l.underlay) {
    case UnderlayKind::udp:
      if (!f.node("local") || !f.node("remote"))
        diag.error(t.source(), "underlay = \"udp\" needs 'local' and 'remote' (address:port of each end)");
      else if (l.local && l.remote && (l.local->port == 0 || l.remote->port == 0))
        diag.error(f.node(l.local->port == 0 ? "local" : "remote")->source(), "the UDP wire needs a port");
      break;
    case UnderlayKind::afpacket:
      if (!f.node("interface")) diag.error(t.source(), "underlay = \"afpacket\" needs 'interface'");
      break;
    case UnderlayKind::pcap:
      if (!f.node("replay")) diag.error(t.source(), "underlay = \"pcap\" needs 'replay' (the capture to play)");
      break;
    case UnderlayKind::tcp:
      if (!l.local) l.local = Endpoint::v4({0, 0, 0, 0}, kXotPort);
      break;
  }
  if (xot && f.node("record") == nullptr) {
    // nothing: XOT recordings are a later option of the TCP underlay
  } else if (xot) {
    diag.error(f.node("record")->source(), "'record' is for Frame Relay and ATM links");
  }

  if (const toml::node* n = f.node("secured_oui")) {
    auto s = n->value_exact<std::string>();
    unsigned a = 0, b = 0, c = 0;
    char tail = 0;
    if (!s || std::sscanf(s->c_str(), "%2x-%2x-%2x%c", &a, &b, &c, &tail) != 3 || s->size() != 8) {
      diag.error(n->source(), "'secured_oui' must read like \"00-00-5E\" (three hex octets)");
    } else {
      l.secured_oui = {static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(c)};
    }
  }
  if (auto v = f.integer("secured_pid", 0, 0xFFFF)) l.secured_pid = static_cast<std::uint16_t>(*v);
  if (l.secured_oui == std::array<std::uint8_t, 3>{0, 0, 0x5E} && l.secured_pid == 0x0007) {
    const toml::node* n = f.node("secured_pid");
    diag.error(n ? n->source() : t.source(),
               "the secured code point must differ from clear L2TP's 00-00-5E/0x0007 (RFC 3070)");
  }

  if (l.type == LinkType::frame_relay) read_fr(diag, f, l);
  if (l.type == LinkType::atm) read_atm(diag, f, t, l);
  if (l.type == LinkType::xot) read_xot(diag, f, l);
  return l;
}

void read_fr(Diagnostics& diag, Fields& f, LinkConfig& l) {
  if (auto i = f.choice("lmi", kLmis)) l.lmi = kLmiValues[*i];
  if (auto i = f.choice("lmi_role", kLmiRoles)) l.lmi_role = kLmiRoleValues[*i];
  if (auto v = f.duration("t391", seconds(5), seconds(30))) l.t391 = *v;   // Q.933 A.7 range
  if (auto v = f.duration("t392", seconds(5), seconds(30))) l.t392 = *v;
  if (auto v = f.integer("n391", 1, 255)) l.n391 = static_cast<unsigned>(*v);
  if (auto v = f.integer("n392", 1, 10)) l.n392 = static_cast<unsigned>(*v);
  if (auto v = f.integer("n393", 1, 10)) l.n393 = static_cast<unsigned>(*v);
  if (l.n392 > l.n393 && (f.node("n392") || f.node("n393")))
    diag.error((f.node("n392") ? f.node("n392") : f.node("n393"))->source(),
               "n392 (errors) must not exceed n393 (events monitored), Q.933 A.7");
  if (l.t392 <= l.t391 && (f.node("t391") || f.node("t392")))
    diag.error((f.node("t392") ? f.node("t392") : f.node("t391"))->source(),
               "t392 must be longer than t391 (the network waits longer than the user polls)");
  if (auto v = f.integer("address_size", 2, 4)) {
    if (*v == 3) {
      diag.error(f.node("address_size")->source(), "address_size must be 2 or 4 (3-octet Q.922 addresses are not "
                                                   "sent; they are accepted on receive)");
    } else {
      l.address_size = static_cast<std::uint8_t>(*v);
    }
  }
  if (auto v = f.integer("max_frame", 262, 8188)) l.max_frame = static_cast<std::size_t>(*v);
}

void read_atm(Diagnostics& diag, Fields& f, const toml::table& t, LinkConfig& l) {
  if (auto v = f.boolean("cells")) l.cells = *v;
  if (auto v = f.boolean("nni_header")) l.nni_header = *v;
  if (auto v = f.integer("max_sdu", 64, 65535)) l.max_sdu = static_cast<std::size_t>(*v);
  if (auto v = f.duration("oam_interval", seconds(1), hours(1))) {
    l.oam_interval = *v;
    if (!l.cells)
      diag.error(f.node("oam_interval")->source(), "'oam_interval' needs cells = true (OAM F5 travels in cells)");
  }
  if (auto v = f.integer("oam_retries", 1, 100)) l.oam_retries = static_cast<unsigned>(*v);
  if (auto v = f.integer("oam_up_count", 1, 100)) l.oam_up_count = static_cast<unsigned>(*v);
  if (l.cells && l.underlay == UnderlayKind::pcap)
    diag.error(t.source(), "a pcap replay holds AAL5 PDUs (DLT_SUNATM / DLT_ATM_RFC1483), not cells: "
                           "cells = true does not go with underlay = \"pcap\"");
}

void read_xot(Diagnostics& diag, Fields& f, LinkConfig& l) {
  if (const toml::node* n = f.node("packet_size")) {
    if (auto v = f.integer("packet_size", 16, 4096)) {
      if ((*v & (*v - 1)) != 0)
        diag.error(n->source(), "'packet_size' must be a power of two from 16 to 4096 (X.25 §7.2.2.1)");
      else
        l.packet_size = static_cast<unsigned>(*v);
    }
  }
  if (auto v = f.integer("modulo", 8, 128)) {
    if (*v != 8 && *v != 128) diag.error(f.node("modulo")->source(), "'modulo' must be 8 or 128");
    l.modulo128 = *v == 128;
  }
  if (auto v = f.integer("window", 1, 127)) {
    if (*v > (l.modulo128 ? 127 : 7))
      diag.error(f.node("window")->source(), l.modulo128 ? "'window' must be 1..127 (modulo 128)"
                                                         : "'window' must be 1..7 (modulo 8)");
    else
      l.window = static_cast<unsigned>(*v);
  }
}

CircuitConfig read_circuit(Diagnostics& diag, const toml::table& t, const Config& c, std::uint32_t id,
                           bool& link_ok) {
  CircuitConfig k;
  k.id = id;
  k.source = diag.place(t.source());
  Fields f(t, diag);
  if (auto v = f.string("name", 1, kMaxName)) k.name = *v;
  else if (!f.node("name")) diag.error(t.source(), "[[circuit]] needs a 'name'");
  link_ok = false;
  const toml::node* ln = f.node("link");
  if (auto v = f.string("link", 1, kMaxName)) {
    auto it = std::find_if(c.links.begin(), c.links.end(), [&](const LinkConfig& l) { return l.name == *v; });
    if (it == c.links.end()) {
      diag.error(ln->source(), "no [[link]] named '" + show(*v) + "'");
    } else {
      k.link = static_cast<std::size_t>(it - c.links.begin());
      link_ok = true;
    }
  } else if (!ln) {
    diag.error(t.source(), "[[circuit]] needs a 'link' (the name of a [[link]])");
  }
  if (!link_ok) return k;
  const LinkConfig& l = c.links[k.link];
  refuse_foreign_keys(diag, t, l.type, true);
  switch (l.type) {
    case LinkType::frame_relay: {
      // Q.922 DLCIs 16..991 carry user data with 2-octet addresses (0 and
      // 1023 signal, 992..1007 are layer-2 management); longer addresses
      // widen the space (Q.922 §3.3.6).
      const std::int64_t max = l.address_size == 2 ? 991 : (1 << 23) - 1;
      if (auto v = f.integer("dlci", 16, max)) k.dlci = static_cast<std::uint32_t>(*v);
      else if (!f.node("dlci")) diag.error(t.source(), "a Frame Relay circuit needs a 'dlci'");
      break;
    }
    case LinkType::atm: {
      if (auto v = f.integer("vpi", 0, l.nni_header ? 4095 : 255)) k.vpi = static_cast<std::uint16_t>(*v);
      // VCIs 0..31 are reserved for signalling and OAM (I.361 §2.2.3).
      if (auto v = f.integer("vci", 32, 65535)) k.vci = static_cast<std::uint16_t>(*v);
      else if (!f.node("vci")) diag.error(t.source(), "an ATM circuit needs a 'vci' (32..65535)");
      if (auto i = f.choice("encapsulation", kEncaps)) k.vc_mux = *i == 1;
      if (auto i = f.choice("carries", kCarries)) k.vc_mux_secured = *i == 0;
      if (f.node("carries") && !k.vc_mux)
        diag.error(f.node("carries")->source(),
                   "'carries' is for encapsulation = \"vc-mux\" (an LLC VC carries every kind)");
      break;
    }
    case LinkType::xot: {
      if (auto v = f.string("remote", 1, 255)) {
        k.remote = *v;
        if (!parse_endpoint(*v, kXotPort))
          diag.error(f.node("remote")->source(), "'remote' is not an address: '" + show(*v) + "'");
      }
      if (auto v = f.string("called", 0, 15)) k.called = *v;
      if (auto v = f.string("calling", 0, 15)) k.calling = *v;
      for (const char* key : {"called", "calling"})
        if (const toml::node* n = f.node(key); n && n->value_exact<std::string>() &&
                                               !is_x121(*n->value_exact<std::string>()))
          diag.error(n->source(), std::string("'") + key + "' must be an X.121 address (up to 15 digits)");
      if (auto v = f.boolean("pvc")) k.pvc = *v;
      if (auto v = f.integer("lcn", 1, 4095)) k.lcn = static_cast<std::uint16_t>(*v);
      if (k.pvc && k.remote.empty())
        diag.error(t.source(), "a PVC needs 'remote': XOT sets PVCs up from one side (RFC 1613 §5)");
      break;
    }
  }
  return k;
}

template <class Reader>
void each_table(Diagnostics& diag, const toml::table& root, std::string_view key, Reader&& read) {
  const toml::node* n = root.get(key);
  if (!n) return;
  const auto* arr = n->as_array();
  if (!arr) {
    diag.error(n->source(), "'" + std::string(key) + "' must be an array of tables ([[" + std::string(key) +
                                "]]), not " + std::string(type_name(n->type())));
    return;
  }
  for (const toml::node& e : *arr) {
    if (const auto* t = e.as_table())
      read(*t);
    else
      diag.error(e.source(), "each '" + std::string(key) + "' must be a table, not " +
                                 std::string(type_name(e.type())));
  }
}

}  // namespace

const Section kLinkSection{"in [[link]]", kLinkKeys};
const Section kCircuitSection{"in [[circuit]]", kCircuitKeys};

void read_links_and_circuits(Diagnostics& diag, const toml::table& root, Config& c,
                             const std::filesystem::path& base_dir, std::span<const Section* const> all) {
  each_table(diag, root, "link", [&](const toml::table& t) {
    check_keys(diag, t, kLinkSection, all);
    const toml::node* type_node = nullptr;
    LinkConfig l = read_link(diag, t, base_dir, type_node);
    for (std::size_t i = 0; i < c.links.size(); ++i)
      if (!l.name.empty() && c.links[i].name == l.name)
        diag.error(t.source(), "duplicate link name '" + show(l.name) + "' (first at " + c.links[i].source + ")");
    if (l.type == LinkType::xot && l.underlay == UnderlayKind::tcp)
      for (const LinkConfig& o : c.links)
        if (o.type == LinkType::xot && o.local == l.local)
          diag.error(t.source(), "two XOT links listen on " + l.local->to_string() + " (first at " + o.source + ")");
    c.links.push_back(std::move(l));
  });
  std::uint32_t next_id = 1;
  each_table(diag, root, "circuit", [&](const toml::table& t) {
    check_keys(diag, t, kCircuitSection, all);
    bool link_ok = false;
    CircuitConfig k = read_circuit(diag, t, c, next_id++, link_ok);
    for (const CircuitConfig& o : c.circuits) {
      if (!k.name.empty() && o.name == k.name)
        diag.error(t.source(), "duplicate circuit name '" + show(k.name) + "' (first at " + o.source + ")");
      if (!link_ok || o.link != k.link) continue;
      const LinkConfig& l = c.links[k.link];
      bool same = false;
      std::string what;
      if (l.type == LinkType::frame_relay && k.dlci != 0 && o.dlci == k.dlci) {
        same = true;
        what = "DLCI " + std::to_string(k.dlci);
      } else if (l.type == LinkType::atm && k.vci != 0 && o.vpi == k.vpi && o.vci == k.vci) {
        same = true;
        what = "VPI/VCI " + std::to_string(k.vpi) + "/" + std::to_string(k.vci);
      }
      if (same) diag.error(t.source(), what + " is already circuit '" + show(o.name) + "' (" + o.source + ")");
    }
    if (link_ok) c.circuits.push_back(std::move(k));
  });
}

std::optional<std::size_t> find_circuit(Diagnostics& diag, const Config& c, const toml::node& n) {
  auto s = n.value_exact<std::string>();
  if (!s) {
    diag.error(n.source(), "'circuit' must be a string (the name of a [[circuit]])");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < c.circuits.size(); ++i)
    if (c.circuits[i].name == *s) return i;
  diag.error(n.source(), "no [[circuit]] named '" + show(*s) + "'");
  return std::nullopt;
}

}  // namespace l2sec::gateway::cfg
