// Generated filter sets (src/esp/rfc3193_filters.hpp) against their sources:
// - RFC 3193 Appendix A.1 and A.2 (1.1.1.1 / 2.2.2.1, ports 5000 / 6000),
//   filter by filter: direction, both selectors, order, priority, label;
// - every table of §4.2.2-§4.2.5, initiator and responder, with distinct
//   symbolic addresses and ports;
// - the brief's deployment shapes (seed, section V): LNS and LAC with
//   certificates or pre-shared keys, gateway-to-gateway, and no 1710;
// - generated sets installed in an Spd and asked about real flows.
//
// Each expected row is written by hand as (direction, local, remote) from
// the RFC's "From X to Y, src P, dst Q" line quoted above it: an outbound
// line has local = From; an inbound one local = To.
#include "esp/rfc3193_filters.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace l2sec::esp {
namespace {

constexpr Direction kOut = Direction::outbound;
constexpr Direction kIn = Direction::inbound;

struct Row {
  std::string label;
  Direction dir;
  std::string local;
  std::string remote;
};

void expect_set(const std::vector<Filter>& got, const std::vector<Row>& want, int base_priority = 100) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i) + ": " + want[i].label);
    EXPECT_EQ(got[i].label, want[i].label);
    EXPECT_EQ(direction_name(got[i].dir), direction_name(want[i].dir));
    EXPECT_EQ(got[i].sel.local.to_string(), want[i].local);
    EXPECT_EQ(got[i].sel.remote.to_string(), want[i].remote);
    EXPECT_EQ(got[i].action, Action::protect);
    EXPECT_EQ(got[i].priority, base_priority + static_cast<int>(i));
  }
}

std::vector<Filter> concat(std::vector<Filter> a, const std::vector<Filter>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---- Appendix A.1: fixed addresses and ports ----

Rfc3193Params a1() {
  Rfc3193Params p;
  p.i_addr = Endpoint::v4({1, 1, 1, 1}, 0);
  p.i_port = 1701;
  p.r_addr1 = Endpoint::v4({2, 2, 2, 1}, 0);
  p.r_port = 1701;
  return p;
}

const std::vector<Row> kA1Initiator = {
    // Outbound-1: From 1.1.1.1, to 2.2.2.1, UDP, src 1701, dst 1701
    {"Initiator Outbound-1 (RFC 3193 4.2.2)", kOut, "1.1.1.1:1701", "2.2.2.1:1701"},
    // Inbound-1:  From 2.2.2.1, to 1.1.1.1, UDP, src 1701, dst 1701
    {"Initiator Inbound-1 (RFC 3193 4.2.2)", kIn, "1.1.1.1:1701", "2.2.2.1:1701"},
    // Inbound-2:  From 2.2.2.1, to 1.1.1.1, UDP, src Any-Port, dst 1701
    {"Initiator Inbound-2 (RFC 3193 4.2.2)", kIn, "1.1.1.1:1701", "2.2.2.1:Any-Port"},
};

TEST(AppendixA1, ProtectTheSccrq) {
  // A.1.1 Initiator Filters.
  expect_set(rfc3193_filters(Stage::initial, true, a1()), kA1Initiator);
  // A.1.1 Responder Filters: Outbound-1 none;
  // Inbound-1: From Any-Addr, to 2.2.2.1, UDP, src Any-Port, dst 1701
  expect_set(rfc3193_filters(Stage::initial, false, a1()),
             {{"Responder Inbound-1 (RFC 3193 4.2.2)", kIn, "2.2.2.1:1701", "Any-Addr:Any-Port"}});
}

TEST(AppendixA1, AfterPhase2) {
  // The initiator's filters do not change.
  expect_set(rfc3193_filters(Stage::responder_after_qm, true, a1()), kA1Initiator);
  expect_set(rfc3193_filters(Stage::responder_after_qm, false, a1()),
             {
                 // Outbound-1: From 2.2.2.1, to 1.1.1.1, UDP, src 1701, dst 1701
                 {"Responder Outbound-1 (RFC 3193 4.2.2)", kOut, "2.2.2.1:1701", "1.1.1.1:1701"},
                 // Inbound-1:  From 1.1.1.1, to 2.2.2.1, UDP, src 1701, dst 1701
                 {"Responder Inbound-1 (RFC 3193 4.2.2)", kIn, "2.2.2.1:1701", "1.1.1.1:1701"},
                 // Inbound-2:  From Any-Addr, to 2.2.2.1, UDP, src Any-Port, dst 1701
                 {"Responder Inbound-2 (RFC 3193 4.2.2)", kIn, "2.2.2.1:1701", "Any-Addr:Any-Port"},
             });
}

// ---- Appendix A.2: gateway to gateway, dynamic ports ----

Rfc3193Params a2() {
  Rfc3193Params p;
  p.i_addr = Endpoint::v4({1, 1, 1, 1}, 0);
  p.i_port = 5000;
  p.r_addr1 = Endpoint::v4({2, 2, 2, 1}, 0);
  p.r_port = 6000;
  return p;
}

TEST(AppendixA2, InitialFiltersAtBothPeers) {
  // A.2.1 Inbound-1: From Any-Addr, to My-IPAddr, UDP, src Any-Port, dst 1701
  expect_set(rfc3193_filters(Stage::gateway, true, a2()),
             {{"Initiator Inbound-1 (RFC 3193 4.2.5)", kIn, "1.1.1.1:1701", "Any-Addr:Any-Port"}});
  expect_set(rfc3193_filters(Stage::gateway, false, a2()),
             {{"Responder Inbound-1 (RFC 3193 4.2.5)", kIn, "2.2.2.1:1701", "Any-Addr:Any-Port"}});
}

std::vector<Filter> a2_initiator_sccrq() {
  // §4.2.2 initiator set plus the §4.2.5 filter, numbered as one list.
  auto fs = concat(rfc3193_filters(Stage::initial, true, a2()), rfc3193_filters(Stage::gateway, true, a2()));
  for (std::size_t i = 0; i < fs.size(); ++i) fs[i].priority = 100 + static_cast<int>(i);
  return fs;
}

const std::vector<Row> kA2Initiator = {
    // Outbound-1: From 1.1.1.1, to 2.2.2.1, UDP, src 5000, dst 1701
    {"Initiator Outbound-1 (RFC 3193 4.2.2)", kOut, "1.1.1.1:5000", "2.2.2.1:1701"},
    // Inbound-1:  From 2.2.2.1, to 1.1.1.1, UDP, src 1701, dst 5000
    {"Initiator Inbound-1 (RFC 3193 4.2.2)", kIn, "1.1.1.1:5000", "2.2.2.1:1701"},
    // Inbound-2:  From 2.2.2.1, to 1.1.1.1, UDP, src Any-Port, dst 5000
    {"Initiator Inbound-2 (RFC 3193 4.2.2)", kIn, "1.1.1.1:5000", "2.2.2.1:Any-Port"},
    // Inbound-3:  From Any-Addr, to 1.1.1.1, UDP, src Any-Port, dst 1701
    {"Initiator Inbound-1 (RFC 3193 4.2.5)", kIn, "1.1.1.1:1701", "Any-Addr:Any-Port"},
};

TEST(AppendixA2, ProtectTheSccrq) {
  // A.2.2 Initiator Filters.
  expect_set(a2_initiator_sccrq(), kA2Initiator);
  // A.2.2 Responder Filters: Outbound-1 none;
  // Inbound-1: From Any-Addr, to 2.2.2.1, UDP, src Any-Port, dst 1701
  expect_set(rfc3193_filters(Stage::initial, false, a2()),
             {{"Responder Inbound-1 (RFC 3193 4.2.2)", kIn, "2.2.2.1:1701", "Any-Addr:Any-Port"}});
}

TEST(AppendixA2, AfterFirstPhase2) {
  // The initiator's set is unchanged.
  auto ini = concat(rfc3193_filters(Stage::responder_after_qm, true, a2()),
                    rfc3193_filters(Stage::gateway, true, a2()));
  for (std::size_t i = 0; i < ini.size(); ++i) ini[i].priority = 100 + static_cast<int>(i);
  expect_set(ini, kA2Initiator);
  expect_set(rfc3193_filters(Stage::responder_after_qm, false, a2()),
             {
                 // Outbound-1: From 2.2.2.1, to 1.1.1.1, UDP, src 1701, dst 5000
                 {"Responder Outbound-1 (RFC 3193 4.2.2)", kOut, "2.2.2.1:1701", "1.1.1.1:5000"},
                 // Inbound-1:  From 1.1.1.1, to 2.2.2.1, UDP, src 5000, dst 1701
                 {"Responder Inbound-1 (RFC 3193 4.2.2)", kIn, "2.2.2.1:1701", "1.1.1.1:5000"},
                 // Inbound-2:  From Any-Addr, to 2.2.2.1, UDP, src Any-Port, dst 1701
                 {"Responder Inbound-2 (RFC 3193 4.2.2)", kIn, "2.2.2.1:1701", "Any-Addr:Any-Port"},
             });
}

TEST(AppendixA2, ResponderAfterPortChange) {
  // A.2.3, "The new filter set at the responder is" and, unchanged, the set
  // after the second phase 2.
  expect_set(rfc3193_filters(Stage::new_port, false, a2()),
             {
                 // Outbound-1: From 2.2.2.1, to 1.1.1.1, UDP, src 6000, dst 5000
                 {"Responder Outbound-1 (RFC 3193 4.2.4)", kOut, "2.2.2.1:6000", "1.1.1.1:5000"},
                 // Outbound-2: From 2.2.2.1, to 1.1.1.1, UDP, src 1701, dst 5000
                 {"Responder Outbound-2 (RFC 3193 4.2.4)", kOut, "2.2.2.1:1701", "1.1.1.1:5000"},
                 // Inbound-1:  From 1.1.1.1, to 2.2.2.1, UDP, src 5000, dst 6000
                 {"Responder Inbound-1 (RFC 3193 4.2.4)", kIn, "2.2.2.1:6000", "1.1.1.1:5000"},
                 // Inbound-2:  From 1.1.1.1, to 2.2.2.1, UDP, src 5000, dst 1701
                 {"Responder Inbound-2 (RFC 3193 4.2.4)", kIn, "2.2.2.1:1701", "1.1.1.1:5000"},
                 // Inbound-3:  From Any-Addr, to 2.2.2.1, UDP, src Any-Port, dst 1701
                 {"Responder Inbound-3 (RFC 3193 4.2.4)", kIn, "2.2.2.1:1701", "Any-Addr:Any-Port"},
             });
}

TEST(AppendixA2, InitiatorAfterSecondPhase2) {
  // A.2.3 Initiator Filters. Rows 1-4 as printed. Row 5 is printed
  //   Inbound-3: From 2.2.2.1, to 1.1.1.1, UDP, src Any-Port, dst 1701
  // while §4.2.4 says "From R-IPAddr, to I-IPAddr, UDP, src Any-Port, dst
  // I-Port" (dst 5000 here). The generator follows §4.2.4; the appendix's
  // flow stays protected on a gateway because the §4.2.5 filter (Any-Addr to
  // 1.1.1.1:1701, which A.2.1 allows narrowing to the peer's address) covers
  // it: see Rfc3193Spd.GatewayInitiatorFinalSet.
  expect_set(rfc3193_filters(Stage::new_port, true, a2()),
             {
                 // Outbound-1: From 1.1.1.1, to 2.2.2.1, UDP, src 5000, dst 6000
                 {"Initiator Outbound-1 (RFC 3193 4.2.4)", kOut, "1.1.1.1:5000", "2.2.2.1:6000"},
                 // Outbound-2: From 1.1.1.1, to 2.2.2.1, UDP, src 5000, dst 1701
                 {"Initiator Outbound-2 (RFC 3193 4.2.4)", kOut, "1.1.1.1:5000", "2.2.2.1:1701"},
                 // Inbound-1:  From 2.2.2.1, to 1.1.1.1, UDP, src 6000, dst 5000
                 {"Initiator Inbound-1 (RFC 3193 4.2.4)", kIn, "1.1.1.1:5000", "2.2.2.1:6000"},
                 // Inbound-2:  From 2.2.2.1, to 1.1.1.1, UDP, src 1701, dst 5000
                 {"Initiator Inbound-2 (RFC 3193 4.2.4)", kIn, "1.1.1.1:5000", "2.2.2.1:1701"},
                 // §4.2.4 Inbound-3 (see above)
                 {"Initiator Inbound-3 (RFC 3193 4.2.4)", kIn, "1.1.1.1:5000", "2.2.2.1:Any-Port"},
             });
}

// ---- §4.2.2-§4.2.5 with symbolic values ----
// I-IPAddr 10.1.1.1, I-Port 40000, R-IPAddr1 10.2.2.1, R-IPAddr2 10.2.2.2,
// R-Port 50000.

Rfc3193Params sym(bool moved) {
  Rfc3193Params p;
  p.i_addr = Endpoint::v4({10, 1, 1, 1}, 4444);  // its port is ignored
  p.i_port = 40000;
  p.r_addr1 = Endpoint::v4({10, 2, 2, 1}, 0);
  if (moved) p.r_addr2 = Endpoint::v4({10, 2, 2, 2}, 0);
  p.r_port = 50000;
  p.base_priority = 7;
  return p;
}

TEST(Rfc3193Section, InitialFilters_4_2_2) {
  expect_set(rfc3193_filters(Stage::initial, false, sym(false)),
             {// Inbound-1: From Any-Addr, to R-IPAddr1, UDP, src Any-Port, dst 1701
              {"Responder Inbound-1 (RFC 3193 4.2.2)", kIn, "10.2.2.1:1701", "Any-Addr:Any-Port"}},
             7);
  expect_set(rfc3193_filters(Stage::initial, true, sym(false)),
             {
                 // Outbound-1: From I-IPAddr, to R-IPAddr1, UDP, src I-Port, dst 1701
                 {"Initiator Outbound-1 (RFC 3193 4.2.2)", kOut, "10.1.1.1:40000", "10.2.2.1:1701"},
                 // Inbound-1:  From R-IPAddr1, to I-IPAddr, UDP, src 1701, dst I-Port
                 {"Initiator Inbound-1 (RFC 3193 4.2.2)", kIn, "10.1.1.1:40000", "10.2.2.1:1701"},
                 // Inbound-2:  From R-IPAddr1, to I-IPAddr, UDP, src Any-Port, dst I-Port
                 {"Initiator Inbound-2 (RFC 3193 4.2.2)", kIn, "10.1.1.1:40000", "10.2.2.1:Any-Port"},
             },
             7);
  expect_set(rfc3193_filters(Stage::responder_after_qm, false, sym(false)),
             {
                 // Outbound-1: From R-IPAddr1, to I-IPAddr, UDP, src 1701, dst I-Port
                 {"Responder Outbound-1 (RFC 3193 4.2.2)", kOut, "10.2.2.1:1701", "10.1.1.1:40000"},
                 // Inbound-1:  From I-IPAddr, to R-IPAddr1, UDP, src I-Port, dst 1701
                 {"Responder Inbound-1 (RFC 3193 4.2.2)", kIn, "10.2.2.1:1701", "10.1.1.1:40000"},
                 // Inbound-2:  From Any-Addr, to R-IPAddr1, UDP, src Any-Port, dst 1701
                 {"Responder Inbound-2 (RFC 3193 4.2.2)", kIn, "10.2.2.1:1701", "Any-Addr:Any-Port"},
             },
             7);
}

TEST(Rfc3193Section, ResponderChoosesNewAddress_4_2_3) {
  expect_set(rfc3193_filters(Stage::moved_address, true, sym(true)),
             {
                 // Outbound-1: From I-IPAddr, to R-IPAddr2, UDP, src I-Port, dst 1701
                 {"Initiator Outbound-1 (RFC 3193 4.2.3)", kOut, "10.1.1.1:40000", "10.2.2.2:1701"},
                 // Inbound-1:  From R-IPAddr2, to I-IPAddr, UDP, src 1701, dst I-Port
                 {"Initiator Inbound-1 (RFC 3193 4.2.3)", kIn, "10.1.1.1:40000", "10.2.2.2:1701"},
                 // Inbound-2:  From R-IPAddr2, to I-IPAddr, UDP, src Any-Port, dst I-Port
                 {"Initiator Inbound-2 (RFC 3193 4.2.3)", kIn, "10.1.1.1:40000", "10.2.2.2:Any-Port"},
             },
             7);
  expect_set(rfc3193_filters(Stage::moved_address, false, sym(true)),
             {
                 // Outbound-1: From R-IPAddr2, to I-IPAddr, UDP, src 1701, dst I-Port
                 {"Responder Outbound-1 (RFC 3193 4.2.3)", kOut, "10.2.2.2:1701", "10.1.1.1:40000"},
                 // Inbound-1:  From I-IPAddr, to R-IPAddr2, UDP, src I-Port, dst 1701
                 {"Responder Inbound-1 (RFC 3193 4.2.3)", kIn, "10.2.2.2:1701", "10.1.1.1:40000"},
                 // Inbound-2:  From Any-Addr, to R-IPAddr1, UDP, src Any-Port, dst 1701
                 {"Responder Inbound-2 (RFC 3193 4.2.3)", kIn, "10.2.2.1:1701", "Any-Addr:Any-Port"},
             },
             7);
}

TEST(Rfc3193Section, ResponderChoosesNewPort_4_2_4) {
  // R-IPAddr is R-IPAddr2 once the responder moved (§4.2.1).
  expect_set(rfc3193_filters(Stage::new_port, true, sym(true)),
             {
                 // Outbound-1: From I-IPAddr, to R-IPAddr, UDP, src I-Port, dst R-Port
                 {"Initiator Outbound-1 (RFC 3193 4.2.4)", kOut, "10.1.1.1:40000", "10.2.2.2:50000"},
                 // Outbound-2: From I-IPAddr, to R-IPAddr, UDP, src I-Port, dst 1701
                 {"Initiator Outbound-2 (RFC 3193 4.2.4)", kOut, "10.1.1.1:40000", "10.2.2.2:1701"},
                 // Inbound-1:  From R-IPAddr, to I-IPAddr, UDP, src R-Port, dst I-Port
                 {"Initiator Inbound-1 (RFC 3193 4.2.4)", kIn, "10.1.1.1:40000", "10.2.2.2:50000"},
                 // Inbound-2:  From R-IPAddr, to I-IPAddr, UDP, src 1701, dst I-Port
                 {"Initiator Inbound-2 (RFC 3193 4.2.4)", kIn, "10.1.1.1:40000", "10.2.2.2:1701"},
                 // Inbound-3:  From R-IPAddr, to I-IPAddr, UDP, src Any-Port, dst I-Port
                 {"Initiator Inbound-3 (RFC 3193 4.2.4)", kIn, "10.1.1.1:40000", "10.2.2.2:Any-Port"},
             },
             7);
  expect_set(rfc3193_filters(Stage::new_port, false, sym(true)),
             {
                 // Outbound-1: From R-IPAddr, to I-IPAddr, UDP, src R-Port, dst I-Port
                 {"Responder Outbound-1 (RFC 3193 4.2.4)", kOut, "10.2.2.2:50000", "10.1.1.1:40000"},
                 // Outbound-2: From R-IPAddr, to I-IPAddr, UDP, src 1701, dst I-Port
                 {"Responder Outbound-2 (RFC 3193 4.2.4)", kOut, "10.2.2.2:1701", "10.1.1.1:40000"},
                 // Inbound-1:  From I-IPAddr, to R-IPAddr, UDP, src I-Port, dst R-Port
                 {"Responder Inbound-1 (RFC 3193 4.2.4)", kIn, "10.2.2.2:50000", "10.1.1.1:40000"},
                 // Inbound-2:  From I-IPAddr, to R-IPAddr, UDP, src I-Port, dst 1701
                 {"Responder Inbound-2 (RFC 3193 4.2.4)", kIn, "10.2.2.2:1701", "10.1.1.1:40000"},
                 // Inbound-3:  From Any-Addr, to R-IPAddr1, UDP, src Any-Port, dst 1701
                 {"Responder Inbound-3 (RFC 3193 4.2.4)", kIn, "10.2.2.1:1701", "Any-Addr:Any-Port"},
             },
             7);
  // Without a move, R-IPAddr is R-IPAddr1.
  const auto fixed = rfc3193_filters(Stage::new_port, true, sym(false));
  ASSERT_EQ(fixed.size(), 5u);
  EXPECT_EQ(fixed[0].sel.remote.to_string(), "10.2.2.1:50000");
  EXPECT_EQ(fixed[4].sel.remote.to_string(), "10.2.2.1:Any-Port");
}

TEST(Rfc3193Section, GatewayFilter_4_2_5) {
  // 1: From Any-Addr, to R-IPAddr1, UDP, src Any-Port, dst 1701, at both
  // sides (each side's own listening address).
  expect_set(rfc3193_filters(Stage::gateway, false, sym(true)),
             {{"Responder Inbound-1 (RFC 3193 4.2.5)", kIn, "10.2.2.1:1701", "Any-Addr:Any-Port"}}, 7);
  expect_set(rfc3193_filters(Stage::gateway, true, sym(true)),
             {{"Initiator Inbound-1 (RFC 3193 4.2.5)", kIn, "10.1.1.1:1701", "Any-Addr:Any-Port"}}, 7);
}

TEST(Rfc3193Section, MovedAddressWithoutNewAddressStaysOnFirst) {
  const auto fs = rfc3193_filters(Stage::moved_address, true, sym(false));
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(fs[0].sel.remote.to_string(), "10.2.2.1:1701");
}

TEST(Rfc3193Section, Ipv6) {
  Rfc3193Params p;
  p.i_addr = Endpoint::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0);
  p.r_addr1 = Endpoint::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 0);
  p.i_port = 5000;
  expect_set(
      rfc3193_filters(Stage::initial, true, p),
      {
          {"Initiator Outbound-1 (RFC 3193 4.2.2)", kOut, "[2001:db8::1]:5000", "[2001:db8::2]:1701"},
          {"Initiator Inbound-1 (RFC 3193 4.2.2)", kIn, "[2001:db8::1]:5000", "[2001:db8::2]:1701"},
          {"Initiator Inbound-2 (RFC 3193 4.2.2)", kIn, "[2001:db8::1]:5000", "[2001:db8::2]:Any-Port"},
      });
}

// ---- The brief, section V ----

const Endpoint kLns = Endpoint::v4({192, 0, 2, 1}, 0);  // port 0: the L2TP port 1701
const Endpoint kLac1 = Endpoint::v4({198, 51, 100, 7}, 0);
const Endpoint kLac2 = Endpoint::v4({198, 51, 100, 8}, 1701);

ShapeParams shape(Shape s, GatewayRole role, AuthMethod auth, Endpoint local, std::vector<Endpoint> peers) {
  ShapeParams p;
  p.shape = s;
  p.role = role;
  p.auth = auth;
  p.local = local;
  p.peers = std::move(peers);
  p.base_priority = 200;
  return p;
}

TEST(BriefShapes, Names) {
  EXPECT_EQ(shape_name(Shape::voluntary), "voluntary");
  EXPECT_EQ(shape_name(Shape::compulsory), "compulsory");
  EXPECT_EQ(shape_name(Shape::gateway_to_gateway), "gateway-to-gateway");
}

TEST(BriefShapes, LnsCertificatesAnyAddr) {
  for (Shape s : {Shape::voluntary, Shape::compulsory}) {
    const std::string src = s == Shape::voluntary ? "(brief V.1)" : "(brief V.2)";
    // Peers are ignored: any LAC may come.
    expect_set(shape_filters(shape(s, GatewayRole::lns, AuthMethod::certificate, kLns, {kLac1, kLac2})),
               {
                   // From <LNS IP> to <Any IP>, protocol UDP, source port 1701, dest port Any
                   {"LNS, certificates, filter 1 " + src, kOut, "192.0.2.1:1701", "Any-Addr:Any-Port"},
                   // From <Any IP> to <LNS IP>, protocol UDP, source port Any, dest port 1701
                   {"LNS, certificates, filter 2 " + src, kIn, "192.0.2.1:1701", "Any-Addr:Any-Port"},
               },
               200);
  }
}

TEST(BriefShapes, LnsPreSharedKeyOnePairPerLac) {
  for (Shape s : {Shape::voluntary, Shape::compulsory}) {
    const std::string src = s == Shape::voluntary ? "(brief V.1)" : "(brief V.2)";
    expect_set(shape_filters(shape(s, GatewayRole::lns, AuthMethod::pre_shared_key, kLns, {kLac1, kLac2})),
               {
                   // From <LNS IP> to <LAC IP>, protocol UDP, source port 1701, dest port Any
                   {"LNS, pre-shared key, filter 1, LAC 198.51.100.7 " + src, kOut, "192.0.2.1:1701",
                    "198.51.100.7:Any-Port"},
                   // From <LAC IP> to <LNS IP>, protocol UDP, source port Any, dest port 1701
                   {"LNS, pre-shared key, filter 2, LAC 198.51.100.7 " + src, kIn, "192.0.2.1:1701",
                    "198.51.100.7:Any-Port"},
                   {"LNS, pre-shared key, filter 1, LAC 198.51.100.8 " + src, kOut, "192.0.2.1:1701",
                    "198.51.100.8:Any-Port"},
                   {"LNS, pre-shared key, filter 2, LAC 198.51.100.8 " + src, kIn, "192.0.2.1:1701",
                    "198.51.100.8:Any-Port"},
               },
               200);
    // No key without a known address: nothing.
    EXPECT_TRUE(shape_filters(shape(s, GatewayRole::lns, AuthMethod::pre_shared_key, kLns, {})).empty());
  }
}

TEST(BriefShapes, VoluntaryLacAnyMethodPerLns) {
  for (AuthMethod a : {AuthMethod::certificate, AuthMethod::pre_shared_key}) {
    expect_set(
        shape_filters(shape(Shape::voluntary, GatewayRole::lac, a, kLac1, {kLns})),
        {
            // From <LAC IP> to <LNS IP>, protocol UDP, source port Any, dest port 1710 (sic: 1701)
            {"LAC, any method, filter 1, LNS 192.0.2.1 (brief V.1)", kOut, "198.51.100.7:Any-Port",
             "192.0.2.1:1701"},
            // From <LNS IP> to <LAC IP>, protocol UDP, source port 1701, dest port Any
            {"LAC, any method, filter 2, LNS 192.0.2.1 (brief V.1)", kIn, "198.51.100.7:Any-Port",
             "192.0.2.1:1701"},
            // RFC 3193 §4.2: the initiator MUST let the responder float its port.
            {"LAC, any method, responder port float (RFC 3193 4.2.4), filter 3, LNS 192.0.2.1 (brief V.1)",
             kOut, "198.51.100.7:Any-Port", "192.0.2.1:Any-Port"},
            {"LAC, any method, responder port float (RFC 3193 4.2.4), filter 4, LNS 192.0.2.1 (brief V.1)",
             kIn, "198.51.100.7:Any-Port", "192.0.2.1:Any-Port"},
        },
        200);
  }
}

TEST(BriefShapes, CompulsoryLac) {
  // Certificates: towards any LNS; peers ignored.
  expect_set(
      shape_filters(shape(Shape::compulsory, GatewayRole::lac, AuthMethod::certificate, kLac1, {kLns})),
      {
          // From <LAC IP> to <Any IP>, protocol UDP, source port Any, dest port 1710 (sic: 1701)
          {"LAC, certificates, filter 1 (brief V.2)", kOut, "198.51.100.7:Any-Port", "Any-Addr:1701"},
          // From <Any IP> to <LAC IP>, protocol UDP, source port 1701, dest port Any
          {"LAC, certificates, filter 2 (brief V.2)", kIn, "198.51.100.7:Any-Port", "Any-Addr:1701"},
          {"LAC, certificates, responder port float (RFC 3193 4.2.4), filter 3 (brief V.2)", kOut,
           "198.51.100.7:Any-Port", "Any-Addr:Any-Port"},
          {"LAC, certificates, responder port float (RFC 3193 4.2.4), filter 4 (brief V.2)", kIn,
           "198.51.100.7:Any-Port", "Any-Addr:Any-Port"},
      },
      200);
  // Pre-shared keys: per LNS.
  const Endpoint lns2 = Endpoint::v4({192, 0, 2, 2}, 0);
  expect_set(
      shape_filters(
          shape(Shape::compulsory, GatewayRole::lac, AuthMethod::pre_shared_key, kLac1, {kLns, lns2})),
      {
          // From <LAC IP> to <LNS IP>, protocol UDP, source port Any, dest port 1701
          {"LAC, pre-shared key, filter 1, LNS 192.0.2.1 (brief V.2)", kOut, "198.51.100.7:Any-Port",
           "192.0.2.1:1701"},
          // From <LNS IP> to <LAC IP>, protocol UDP, source port 1701, dest port Any
          {"LAC, pre-shared key, filter 2, LNS 192.0.2.1 (brief V.2)", kIn, "198.51.100.7:Any-Port",
           "192.0.2.1:1701"},
          {"LAC, pre-shared key, responder port float (RFC 3193 4.2.4), filter 3, LNS 192.0.2.1 (brief V.2)",
           kOut, "198.51.100.7:Any-Port", "192.0.2.1:Any-Port"},
          {"LAC, pre-shared key, responder port float (RFC 3193 4.2.4), filter 4, LNS 192.0.2.1 (brief V.2)",
           kIn, "198.51.100.7:Any-Port", "192.0.2.1:Any-Port"},
          {"LAC, pre-shared key, filter 1, LNS 192.0.2.2 (brief V.2)", kOut, "198.51.100.7:Any-Port",
           "192.0.2.2:1701"},
          {"LAC, pre-shared key, filter 2, LNS 192.0.2.2 (brief V.2)", kIn, "198.51.100.7:Any-Port",
           "192.0.2.2:1701"},
          {"LAC, pre-shared key, responder port float (RFC 3193 4.2.4), filter 3, LNS 192.0.2.2 (brief V.2)",
           kOut, "198.51.100.7:Any-Port", "192.0.2.2:Any-Port"},
          {"LAC, pre-shared key, responder port float (RFC 3193 4.2.4), filter 4, LNS 192.0.2.2 (brief V.2)",
           kIn, "198.51.100.7:Any-Port", "192.0.2.2:Any-Port"},
      },
      200);
}

TEST(BriefShapes, GatewayToGatewayFourPerPeer) {
  const Endpoint gw1 = Endpoint::v4({192, 0, 2, 1}, 0);
  const Endpoint gw2 = Endpoint::v4({203, 0, 113, 9}, 0);
  const Endpoint gw3 = Endpoint::v4({203, 0, 113, 10}, 0);
  const std::vector<Row> want = {
      // From <GW1 IP> to <GW2 IP>, protocol UDP, source port Any, dest port 1701
      {"Gateway, filter 1, peer 203.0.113.9 (brief V.3)", kOut, "192.0.2.1:Any-Port", "203.0.113.9:1701"},
      // From <GW2 IP> to <GW1 IP>, protocol UDP, source port Any, dest port 1701
      {"Gateway, filter 2, peer 203.0.113.9 (brief V.3)", kIn, "192.0.2.1:1701", "203.0.113.9:Any-Port"},
      // From <GW1 IP> to <GW2 IP>, protocol UDP, source port 1701, dest port Any
      {"Gateway, filter 3, peer 203.0.113.9 (brief V.3)", kOut, "192.0.2.1:1701", "203.0.113.9:Any-Port"},
      // From <GW2 IP> to <GW1 IP>, protocol UDP, source port 1701, dest port Any
      {"Gateway, filter 4, peer 203.0.113.9 (brief V.3)", kIn, "192.0.2.1:Any-Port", "203.0.113.9:1701"},
      {"Gateway, responder port float (RFC 3193 4.2.4), filter 5, peer 203.0.113.9 (brief V.3)", kOut,
       "192.0.2.1:Any-Port", "203.0.113.9:Any-Port"},
      {"Gateway, responder port float (RFC 3193 4.2.4), filter 6, peer 203.0.113.9 (brief V.3)", kIn,
       "192.0.2.1:Any-Port", "203.0.113.9:Any-Port"},
      {"Gateway, filter 1, peer 203.0.113.10 (brief V.3)", kOut, "192.0.2.1:Any-Port", "203.0.113.10:1701"},
      {"Gateway, filter 2, peer 203.0.113.10 (brief V.3)", kIn, "192.0.2.1:1701", "203.0.113.10:Any-Port"},
      {"Gateway, filter 3, peer 203.0.113.10 (brief V.3)", kOut, "192.0.2.1:1701", "203.0.113.10:Any-Port"},
      {"Gateway, filter 4, peer 203.0.113.10 (brief V.3)", kIn, "192.0.2.1:Any-Port", "203.0.113.10:1701"},
      {"Gateway, responder port float (RFC 3193 4.2.4), filter 5, peer 203.0.113.10 (brief V.3)", kOut,
       "192.0.2.1:Any-Port", "203.0.113.10:Any-Port"},
      {"Gateway, responder port float (RFC 3193 4.2.4), filter 6, peer 203.0.113.10 (brief V.3)", kIn,
       "192.0.2.1:Any-Port", "203.0.113.10:Any-Port"},
  };
  // Any method, either role.
  for (GatewayRole r : {GatewayRole::lac, GatewayRole::lns})
    for (AuthMethod a : {AuthMethod::certificate, AuthMethod::pre_shared_key})
      expect_set(shape_filters(shape(Shape::gateway_to_gateway, r, a, gw1, {gw2, gw3})), want, 200);
  EXPECT_TRUE(
      shape_filters(shape(Shape::gateway_to_gateway, GatewayRole::lns, AuthMethod::certificate, gw1, {}))
          .empty());
}

TEST(BriefShapes, Ipv6PeerLabel) {
  const Endpoint lns6 = Endpoint::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0);
  const Endpoint lac6 = Endpoint::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}, 0);
  const auto fs =
      shape_filters(shape(Shape::compulsory, GatewayRole::lns, AuthMethod::pre_shared_key, lns6, {lac6}));
  ASSERT_EQ(fs.size(), 2u);
  EXPECT_EQ(fs[0].label, "LNS, pre-shared key, filter 1, LAC [2001:db8::7] (brief V.2)");
  EXPECT_EQ(fs[0].sel.to_string(), "local [2001:db8::1]:1701 <-> remote [2001:db8::7]:Any-Port");
}

TEST(BriefShapes, No1710Anywhere) {
  std::size_t total = 0;
  for (Shape s : {Shape::voluntary, Shape::compulsory, Shape::gateway_to_gateway})
    for (GatewayRole r : {GatewayRole::lac, GatewayRole::lns})
      for (AuthMethod a : {AuthMethod::certificate, AuthMethod::pre_shared_key})
        for (const Filter& f : shape_filters(shape(s, r, a, kLns, {kLac1, kLac2}))) {
          ++total;
          for (const HostSelector* h : {&f.sel.local, &f.sel.remote}) {
            EXPECT_TRUE(h->port == 0 || h->port == kL2tpPort) << f.label << ": " << h->port;
            EXPECT_TRUE(!h->host || h->host->port == 0) << f.label;
          }
          EXPECT_EQ(f.label.find("1710"), std::string::npos);
          EXPECT_EQ(f.sel.to_string().find("1710"), std::string::npos);
          // Every filter names our address on the local side.
          ASSERT_TRUE(f.sel.local.host.has_value()) << f.label;
          EXPECT_TRUE(f.sel.local.host->same_host(kLns)) << f.label;
        }
  // Voluntary: LAC 8 + 8 (4 per LNS, with the port-float pair, per
  // method), LNS 2 + 4; compulsory: LAC 4 + 8, LNS 2 + 4; gateway: 12 (6 per
  // peer) for each of the 4 role/method pairs.
  EXPECT_EQ(total, (16u + 6u) + (12u + 6u) + 4u * 12);
}

// ---- Generated sets in an Spd, asked about real flows ----

Spd install(const std::vector<Filter>& fs) {
  Spd spd;
  for (const Filter& f : fs) spd.add(f);
  return spd;
}

std::string label_of(const Spd& spd, Direction d, const Endpoint& local, const Endpoint& remote) {
  const Filter* f = spd.lookup(d, local, remote);
  return f ? f->label : "none";
}

TEST(Rfc3193Spd, ResponderInboundAcceptsAnyInitiatorOnlyOn1701) {
  Rfc3193Params p;
  p.r_addr1 = Endpoint::v4({192, 0, 2, 1}, 0);
  p.i_addr = Endpoint::v4({10, 0, 0, 5}, 0);
  const Spd spd = install(rfc3193_filters(Stage::initial, false, p));
  const Endpoint initiator = Endpoint::v4({10, 0, 0, 5}, 33000);
  EXPECT_EQ(label_of(spd, kIn, Endpoint::v4({192, 0, 2, 1}, 1701), initiator),
            "Responder Inbound-1 (RFC 3193 4.2.2)");
  EXPECT_EQ(label_of(spd, kIn, Endpoint::v4({192, 0, 2, 1}, 1702), initiator), "none");
  EXPECT_EQ(label_of(spd, kIn, Endpoint::v4({192, 0, 2, 2}, 1701), initiator), "none");
  EXPECT_EQ(label_of(spd, kOut, Endpoint::v4({192, 0, 2, 1}, 1701), initiator), "none");  // IKE adds it
  EXPECT_EQ(spd.entries()[0].filter.sel.to_string(), "local 192.0.2.1:1701 <-> remote Any-Addr:Any-Port");
}

TEST(Rfc3193Spd, GatewayInitiatorFinalSet) {
  // A.2 initiator after the second phase 2, keeping the §4.2.5 filter.
  auto fs = concat(rfc3193_filters(Stage::new_port, true, a2()), rfc3193_filters(Stage::gateway, true, a2()));
  const Spd spd = install(fs);
  const Endpoint me5000 = Endpoint::v4({1, 1, 1, 1}, 5000), me1701 = Endpoint::v4({1, 1, 1, 1}, 1701);
  auto r = [](std::uint16_t port) { return Endpoint::v4({2, 2, 2, 1}, port); };
  EXPECT_EQ(label_of(spd, kOut, me5000, r(6000)), "Initiator Outbound-1 (RFC 3193 4.2.4)");
  EXPECT_EQ(label_of(spd, kOut, me5000, r(1701)), "Initiator Outbound-2 (RFC 3193 4.2.4)");
  EXPECT_EQ(label_of(spd, kOut, me5000, r(7000)), "none");
  EXPECT_EQ(label_of(spd, kIn, me5000, r(6000)), "Initiator Inbound-1 (RFC 3193 4.2.4)");
  EXPECT_EQ(label_of(spd, kIn, me5000, r(1701)), "Initiator Inbound-2 (RFC 3193 4.2.4)");
  EXPECT_EQ(label_of(spd, kIn, me5000, r(7000)), "Initiator Inbound-3 (RFC 3193 4.2.4)");
  // The appendix's printed Inbound-3 (2.2.2.1 Any-Port -> 1.1.1.1:1701).
  EXPECT_EQ(label_of(spd, kIn, me1701, r(7000)), "Initiator Inbound-1 (RFC 3193 4.2.5)");
  // Another gateway starting a tunnel to us.
  EXPECT_EQ(label_of(spd, kIn, me1701, Endpoint::v4({3, 3, 3, 3}, 1234)),
            "Initiator Inbound-1 (RFC 3193 4.2.5)");
  EXPECT_EQ(label_of(spd, kIn, me5000, Endpoint::v4({3, 3, 3, 3}, 1234)), "none");
}

TEST(Rfc3193Spd, LnsShapes) {
  const Endpoint lac = Endpoint::v4({10, 0, 0, 5}, 33000);
  const Endpoint lns1701 = Endpoint::v4({192, 0, 2, 1}, 1701);
  // Certificates: any LAC address, any source port, only our port 1701.
  const Spd cert =
      install(shape_filters(shape(Shape::compulsory, GatewayRole::lns, AuthMethod::certificate, kLns, {})));
  EXPECT_EQ(label_of(cert, kIn, lns1701, lac), "LNS, certificates, filter 2 (brief V.2)");
  EXPECT_EQ(label_of(cert, kOut, lns1701, lac), "LNS, certificates, filter 1 (brief V.2)");
  EXPECT_EQ(label_of(cert, kIn, Endpoint::v4({192, 0, 2, 1}, 1702), lac), "none");
  // Pre-shared keys: only the known LAC.
  const Spd psk = install(
      shape_filters(shape(Shape::compulsory, GatewayRole::lns, AuthMethod::pre_shared_key, kLns, {lac})));
  EXPECT_EQ(label_of(psk, kIn, lns1701, lac), "LNS, pre-shared key, filter 2, LAC 10.0.0.5 (brief V.2)");
  EXPECT_EQ(label_of(psk, kIn, lns1701, Endpoint::v4({10, 0, 0, 6}, 33000)), "none");
  EXPECT_EQ(label_of(psk, kOut, lns1701, lac), "LNS, pre-shared key, filter 1, LAC 10.0.0.5 (brief V.2)");
}

TEST(Rfc3193Spd, GatewayShapeFlows) {
  const Endpoint gw1 = Endpoint::v4({192, 0, 2, 1}, 0);
  const Endpoint gw2 = Endpoint::v4({203, 0, 113, 9}, 0);
  const Spd spd = install(
      shape_filters(shape(Shape::gateway_to_gateway, GatewayRole::lac, AuthMethod::certificate, gw1, {gw2})));
  auto us = [](std::uint16_t port) { return Endpoint::v4({192, 0, 2, 1}, port); };
  auto peer = [](std::uint16_t port) { return Endpoint::v4({203, 0, 113, 9}, port); };
  const std::string v3 = " (brief V.3)";
  EXPECT_EQ(label_of(spd, kOut, us(33000), peer(1701)), "Gateway, filter 1, peer 203.0.113.9" + v3);
  EXPECT_EQ(label_of(spd, kIn, us(1701), peer(40000)), "Gateway, filter 2, peer 203.0.113.9" + v3);
  EXPECT_EQ(label_of(spd, kOut, us(1701), peer(40000)), "Gateway, filter 3, peer 203.0.113.9" + v3);
  EXPECT_EQ(label_of(spd, kIn, us(40000), peer(1701)), "Gateway, filter 4, peer 203.0.113.9" + v3);
  // 1701 <-> 1701 is covered by filters 1 and 3 (2 and 4): the first listed wins.
  EXPECT_EQ(label_of(spd, kOut, us(1701), peer(1701)), "Gateway, filter 1, peer 203.0.113.9" + v3);
  EXPECT_EQ(label_of(spd, kIn, us(1701), peer(1701)), "Gateway, filter 2, peer 203.0.113.9" + v3);
  // Neither end on 1701: a responder that floated its port (RFC 3193 §4.2.4),
  // which the initiator MUST allow.
  EXPECT_EQ(label_of(spd, kOut, us(33000), peer(40000)),
            "Gateway, responder port float (RFC 3193 4.2.4), filter 5, peer 203.0.113.9" + v3);
  EXPECT_EQ(label_of(spd, kIn, us(33000), peer(40000)),
            "Gateway, responder port float (RFC 3193 4.2.4), filter 6, peer 203.0.113.9" + v3);
  // Another peer: nothing.
  EXPECT_EQ(label_of(spd, kIn, us(1701), Endpoint::v4({203, 0, 113, 10}, 1701)), "none");
}

}  // namespace
}  // namespace l2sec::esp
