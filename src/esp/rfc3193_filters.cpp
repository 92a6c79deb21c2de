#include "esp/rfc3193_filters.hpp"

#include <string>

namespace l2sec::esp {

namespace {

// One "From X to Y, UDP, src P, dst Q" statement as RFC 3193 and the brief
// write it. `from_is_us` says whose side X is: our side sending is outbound
// (local = From), the peer sending is inbound (local = To).
struct Statement {
  bool from_is_us;
  HostSelector from;
  HostSelector to;
};

Filter make_filter(const Statement& s, std::string label) {
  Filter f;
  f.action = Action::protect;
  f.label = std::move(label);
  if (s.from_is_us) {
    f.dir = Direction::outbound;
    f.sel = TrafficSelector{s.from, s.to};
  } else {
    f.dir = Direction::inbound;
    f.sel = TrafficSelector{s.to, s.from};
  }
  return f;
}

// An address for a label: "192.0.2.7", "[2001:db8::7]", "circuit 7".
std::string address_text(const Endpoint& e) {
  Endpoint a = e;
  a.port = 0;
  std::string s = a.to_string();
  if (a.is_ip()) s.erase(s.rfind(':'));
  return s;
}

HostSelector at(const Endpoint& host, std::uint16_t port) { return HostSelector::of(host, port); }
HostSelector any_at(std::uint16_t port) {  // Any-Addr, one port
  HostSelector s;
  s.port = port;
  return s;
}
const HostSelector kAny = HostSelector::any();  // Any-Addr, Any-Port
constexpr std::uint16_t kAnyPort = 0;

void number(std::vector<Filter>& fs, int base_priority) {
  for (std::size_t i = 0; i < fs.size(); ++i) fs[i].priority = base_priority + static_cast<int>(i);
}

// ---- The brief, section V ----

std::string auth_text(AuthMethod a) {
  return a == AuthMethod::certificate ? "certificates" : "pre-shared key";
}

}  // namespace

std::string_view shape_name(Shape s) noexcept {
  switch (s) {
    case Shape::voluntary:
      return "voluntary";
    case Shape::compulsory:
      return "compulsory";
    case Shape::gateway_to_gateway:
      return "gateway-to-gateway";
  }
  return "?";
}

std::vector<Filter> shape_filters(const ShapeParams& p) {
  std::vector<Filter> out;
  const std::string section = p.shape == Shape::voluntary    ? "brief V.1"
                              : p.shape == Shape::compulsory ? "brief V.2"
                                                             : "brief V.3";
  const Endpoint& me = p.local;
  // The L2TP ports the brief writes as 1701: ours from `listen`, the peer's
  // from its configured address (1701 when none is given).
  const std::uint16_t my_port = me.port != 0 ? me.port : kL2tpPort;
  auto port_of = [](const Endpoint& peer) { return peer.port != 0 ? peer.port : kL2tpPort; };
  auto label = [&](const std::string& who, int n, const Endpoint* peer, const char* peer_role) {
    std::string s = who + ", filter " + std::to_string(n);
    if (peer) s += std::string(", ") + peer_role + " " + address_text(*peer);
    return s + " (" + section + ")";
  };

  if (p.shape == Shape::gateway_to_gateway) {
    // V.3, GW1 = us, GW2 = the peer; any method.
    for (const Endpoint& gw2 : p.peers) {
      const Statement st[4] = {
          {true, at(me, kAnyPort), at(gw2, port_of(gw2))},   // From GW1 to GW2, src Any, dst 1701
          {false, at(gw2, kAnyPort), at(me, my_port)},       // From GW2 to GW1, src Any, dst 1701
          {true, at(me, my_port), at(gw2, kAnyPort)},        // From GW1 to GW2, src 1701, dst Any
          {false, at(gw2, port_of(gw2)), at(me, kAnyPort)},  // From GW2 to GW1, src 1701, dst Any
      };
      for (int i = 0; i < 4; ++i) out.push_back(make_filter(st[i], label("Gateway", i + 1, &gw2, "peer")));
      // Either gateway may initiate, and the initiator MUST let the
      // responder float its port (RFC 3193 §4.2, §4.2.4): the responder's
      // new port is neither side's listening port.
      out.push_back(make_filter({true, at(me, kAnyPort), at(gw2, kAnyPort)},
                                label("Gateway, responder port float (RFC 3193 4.2.4)", 5, &gw2, "peer")));
      out.push_back(make_filter({false, at(gw2, kAnyPort), at(me, kAnyPort)},
                                label("Gateway, responder port float (RFC 3193 4.2.4)", 6, &gw2, "peer")));
    }
    number(out, p.base_priority);
    return out;
  }

  if (p.role == GatewayRole::lns) {
    // V.1 and V.2 give the LNS the same filters.
    if (p.auth == AuthMethod::certificate) {
      const std::string who = "LNS, certificates";
      out.push_back(make_filter({true, at(me, my_port), kAny}, label(who, 1, nullptr, "")));
      out.push_back(make_filter({false, kAny, at(me, my_port)}, label(who, 2, nullptr, "")));
    } else {
      const std::string who = "LNS, pre-shared key";
      for (const Endpoint& lac : p.peers) {
        out.push_back(make_filter({true, at(me, my_port), at(lac, kAnyPort)}, label(who, 1, &lac, "LAC")));
        out.push_back(make_filter({false, at(lac, kAnyPort), at(me, my_port)}, label(who, 2, &lac, "LAC")));
      }
    }
  } else if (p.shape == Shape::compulsory && p.auth == AuthMethod::certificate) {
    // V.2, LAC with certificates: towards any LNS ("dest port 1710" read as 1701).
    const std::string who = "LAC, certificates";
    out.push_back(make_filter({true, at(me, kAnyPort), any_at(kL2tpPort)}, label(who, 1, nullptr, "")));
    out.push_back(make_filter({false, any_at(kL2tpPort), at(me, kAnyPort)}, label(who, 2, nullptr, "")));
    // The initiator MUST let the responder float its port (RFC 3193 §4.2).
    out.push_back(make_filter({true, at(me, kAnyPort), kAny},
                              label(who + ", responder port float (RFC 3193 4.2.4)", 3, nullptr, "")));
    out.push_back(make_filter({false, kAny, at(me, kAnyPort)},
                              label(who + ", responder port float (RFC 3193 4.2.4)", 4, nullptr, "")));
  } else {
    // V.1 LAC (any method) and V.2 LAC with pre-shared keys: per LNS
    // ("dest port 1710" of V.1 read as 1701).
    const std::string who = p.shape == Shape::voluntary ? "LAC, any method" : "LAC, " + auth_text(p.auth);
    for (const Endpoint& lns : p.peers) {
      out.push_back(make_filter({true, at(me, kAnyPort), at(lns, port_of(lns))}, label(who, 1, &lns, "LNS")));
      out.push_back(
          make_filter({false, at(lns, port_of(lns)), at(me, kAnyPort)}, label(who, 2, &lns, "LNS")));
      // The initiator MUST let the responder float its port (RFC 3193 §4.2).
      const std::string flt = who + ", responder port float (RFC 3193 4.2.4)";
      out.push_back(make_filter({true, at(me, kAnyPort), at(lns, kAnyPort)}, label(flt, 3, &lns, "LNS")));
      out.push_back(make_filter({false, at(lns, kAnyPort), at(me, kAnyPort)}, label(flt, 4, &lns, "LNS")));
    }
  }
  number(out, p.base_priority);
  return out;
}

// ---- RFC 3193 §4.2.2-§4.2.5 ----

std::vector<Filter> rfc3193_filters(Stage stage, bool initiator, const Rfc3193Params& p) {
  const Endpoint& i = p.i_addr;
  const Endpoint& r1 = p.r_addr1;
  // R-IPAddr2 (§4.2.3); a responder that did not move stays on R-IPAddr1.
  const Endpoint& r2 = p.r_addr2.kind == Endpoint::Kind::none ? p.r_addr1 : p.r_addr2;
  // R-IPAddr (§4.2.1): R-IPAddr2 when the responder moved, else R-IPAddr1.
  const Endpoint& r = r2;
  const std::uint16_t i_port = p.i_port;
  const std::uint16_t r_port = p.r_port;
  // Whose side a "From" is: I-IPAddr is ours when we initiate, R-IPAddr when
  // we respond, Any-Addr never.
  const bool I = initiator;
  const bool R = !initiator;

  struct Row {
    const char* name;  // "Outbound-1"
    Statement st;
  };
  std::vector<Row> rows;
  const char* section = "4.2.2";
  switch (stage) {
    case Stage::initial:
    case Stage::responder_after_qm:
      if (initiator) {
        // §4.2.2 Initiator Filters (unchanged once phase 2 is done: Appendix A.1).
        rows = {{"Outbound-1", {I, at(i, i_port), at(r1, kL2tpPort)}},
                {"Inbound-1", {R, at(r1, kL2tpPort), at(i, i_port)}},
                {"Inbound-2", {R, at(r1, kAnyPort), at(i, i_port)}}};
      } else if (stage == Stage::initial) {
        // §4.2.2 Responder Filters: Outbound-1 none, IKE creates them.
        rows = {{"Inbound-1", {false, kAny, at(r1, kL2tpPort)}}};
      } else {
        // §4.2.2 "The new filter set at the responder will be".
        rows = {{"Outbound-1", {R, at(r1, kL2tpPort), at(i, i_port)}},
                {"Inbound-1", {I, at(i, i_port), at(r1, kL2tpPort)}},
                {"Inbound-2", {false, kAny, at(r1, kL2tpPort)}}};
      }
      break;
    case Stage::moved_address:
      section = "4.2.3";
      if (initiator) {
        rows = {{"Outbound-1", {I, at(i, i_port), at(r2, kL2tpPort)}},
                {"Inbound-1", {R, at(r2, kL2tpPort), at(i, i_port)}},
                {"Inbound-2", {R, at(r2, kAnyPort), at(i, i_port)}}};
      } else {
        rows = {{"Outbound-1", {R, at(r2, kL2tpPort), at(i, i_port)}},
                {"Inbound-1", {I, at(i, i_port), at(r2, kL2tpPort)}},
                {"Inbound-2", {false, kAny, at(r1, kL2tpPort)}}};
      }
      break;
    case Stage::new_port:
      section = "4.2.4";
      if (initiator) {
        rows = {{"Outbound-1", {I, at(i, i_port), at(r, r_port)}},
                {"Outbound-2", {I, at(i, i_port), at(r, kL2tpPort)}},
                {"Inbound-1", {R, at(r, r_port), at(i, i_port)}},
                {"Inbound-2", {R, at(r, kL2tpPort), at(i, i_port)}},
                {"Inbound-3", {R, at(r, kAnyPort), at(i, i_port)}}};
      } else {
        rows = {{"Outbound-1", {R, at(r, r_port), at(i, i_port)}},
                {"Outbound-2", {R, at(r, kL2tpPort), at(i, i_port)}},
                {"Inbound-1", {I, at(i, i_port), at(r, r_port)}},
                {"Inbound-2", {I, at(i, i_port), at(r, kL2tpPort)}},
                {"Inbound-3", {false, kAny, at(r1, kL2tpPort)}}};
      }
      break;
    case Stage::gateway:
      // §4.2.5: "From Any-Addr, to R-IPAddr1": the address each side accepts
      // L2TP on (Appendix A.2.1 "My-IPAddr"): I-IPAddr on the initiator.
      section = "4.2.5";
      rows = {{"Inbound-1", {false, kAny, at(initiator ? i : r1, kL2tpPort)}}};
      break;
  }

  std::vector<Filter> out;
  out.reserve(rows.size());
  const std::string side = initiator ? "Initiator " : "Responder ";
  for (const Row& row : rows)
    out.push_back(make_filter(row.st, side + row.name + " (RFC 3193 " + section + ")"));
  number(out, p.base_priority);
  return out;
}

}  // namespace l2sec::esp
