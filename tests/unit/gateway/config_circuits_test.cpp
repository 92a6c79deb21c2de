// [[link]] and [[circuit]] (src/gateway/config_circuits.cpp): every medium's
// keys filled from a file, the defaults, and each error with its exact
// "file:line:col: message" (names, references, ranges, keys of another
// medium, duplicates, underlay requirements).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/config.hpp"

namespace l2sec::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> errors(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "t.toml").errors) out.push_back(e.to_string());
  return out;
}

Config parse_ok(const std::string& text) {
  LoadResult r = parse_config(text, "t.toml");
  std::vector<std::string> errs;
  for (const auto& e : r.errors) errs.push_back(e.to_string());
  EXPECT_THAT(errs, IsEmpty());
  return r.config.value_or(Config{});
}

const std::string kHead = "role = \"lac\"\n";  // line 1

TEST(ConfigCircuits, EveryMediumFromAFile) {
  Config c = parse_ok(kHead + R"(
[[link]]
name = "fr0"
type = "frame-relay"
underlay = "udp"
local = "127.0.0.1:7001"
remote = "127.0.0.1:7002"
lmi = "ansi"
lmi_role = "network"
t391 = "5s"
t392 = "20s"
n391 = 10
n392 = 2
n393 = 5
address_size = 4
max_frame = 4096
secured_oui = "00-11-22"
secured_pid = 0x0101
record = "fr0.pcap"

[[link]]
name = "atm0"
type = "atm"
underlay = "afpacket"
interface = "veth-a"
cells = true
nni_header = true
max_sdu = 4470
oam_interval = "10s"
oam_retries = 5

[[link]]
name = "xot0"
type = "xot"
local = "10.0.0.1"
packet_size = 256
modulo = 128
window = 7

[[circuit]]
name = "fr-100"
link = "fr0"
dlci = 100

[[circuit]]
name = "atm-0-32"
link = "atm0"
vpi = 1000
vci = 32
encapsulation = "vc-mux"
carries = "l2tp"

[[circuit]]
name = "x25-a"
link = "xot0"
remote = "10.0.0.2"
called = "1234"
calling = "5678"

[[peer]]
name = "lns"
circuit = "x25-a"
)");
  ASSERT_EQ(c.links.size(), 3u);
  const LinkConfig& fr = c.links[0];
  EXPECT_EQ(fr.type, LinkType::frame_relay);
  EXPECT_EQ(fr.underlay, UnderlayKind::udp);
  EXPECT_EQ(fr.local, Endpoint::v4({127, 0, 0, 1}, 7001));
  EXPECT_EQ(fr.remote, Endpoint::v4({127, 0, 0, 1}, 7002));
  EXPECT_EQ(fr.lmi, LmiVariant::ansi);
  EXPECT_EQ(fr.lmi_role, LmiRole::network);
  EXPECT_EQ(fr.t391, std::chrono::seconds(5));
  EXPECT_EQ(fr.t392, std::chrono::seconds(20));
  EXPECT_EQ(fr.n391, 10u);
  EXPECT_EQ(fr.n392, 2u);
  EXPECT_EQ(fr.n393, 5u);
  EXPECT_EQ(fr.address_size, 4);
  EXPECT_EQ(fr.max_frame, 4096u);
  EXPECT_EQ(fr.secured_oui, (std::array<std::uint8_t, 3>{0x00, 0x11, 0x22}));
  EXPECT_EQ(fr.secured_pid, 0x0101);
  EXPECT_EQ(fr.record, std::filesystem::path("fr0.pcap"));
  const LinkConfig& atm = c.links[1];
  EXPECT_EQ(atm.underlay, UnderlayKind::afpacket);
  EXPECT_EQ(atm.interface, "veth-a");
  EXPECT_TRUE(atm.cells);
  EXPECT_TRUE(atm.nni_header);
  EXPECT_EQ(atm.max_sdu, 4470u);
  EXPECT_EQ(atm.oam_interval, std::chrono::seconds(10));
  EXPECT_EQ(atm.oam_retries, 5u);
  const LinkConfig& xot = c.links[2];
  EXPECT_EQ(xot.underlay, UnderlayKind::tcp);
  EXPECT_EQ(xot.local, Endpoint::v4({10, 0, 0, 1}, 1998));
  EXPECT_EQ(xot.packet_size, 256u);
  EXPECT_TRUE(xot.modulo128);
  EXPECT_EQ(xot.window, 7u);

  ASSERT_EQ(c.circuits.size(), 3u);
  EXPECT_EQ(c.circuits[0].id, 1u);
  EXPECT_EQ(c.circuits[0].dlci, 100u);
  EXPECT_EQ(c.circuits[1].link, 1u);
  EXPECT_EQ(c.circuits[1].vpi, 1000);
  EXPECT_EQ(c.circuits[1].vci, 32);
  EXPECT_TRUE(c.circuits[1].vc_mux);
  EXPECT_FALSE(c.circuits[1].vc_mux_secured);
  EXPECT_EQ(c.circuits[2].remote, "10.0.0.2");
  EXPECT_EQ(c.circuits[2].called, "1234");
  EXPECT_EQ(c.circuits[2].calling, "5678");
  EXPECT_EQ(c.circuits[2].id, 3u);

  ASSERT_EQ(c.peers.size(), 1u);
  EXPECT_EQ(c.peers[0].circuit, 2u);
  EXPECT_EQ(c.peers[0].address, Endpoint::of_circuit(3));
}

TEST(ConfigCircuits, Defaults) {
  Config c = parse_ok(kHead + R"(
[[link]]
name = "fr0"
type = "frame-relay"
local = "127.0.0.1:7001"
remote = "127.0.0.1:7002"
[[circuit]]
name = "a"
link = "fr0"
dlci = 16
[[peer]]
name = "lns"
circuit = "a"
)");
  const LinkConfig& l = c.links.at(0);
  EXPECT_EQ(l.underlay, UnderlayKind::udp);
  EXPECT_EQ(l.lmi, LmiVariant::none);
  EXPECT_EQ(l.address_size, 2);
  EXPECT_EQ(l.max_frame, 1600u);
  EXPECT_EQ(l.secured_oui, (std::array<std::uint8_t, 3>{0x00, 0x00, 0x5E}));
  EXPECT_EQ(l.secured_pid, 0x0042);
  EXPECT_EQ(l.t391, std::chrono::seconds(10));
  EXPECT_EQ(l.t392, std::chrono::seconds(15));
  EXPECT_EQ(l.n391, 6u);
  EXPECT_EQ(l.n392, 3u);
  EXPECT_EQ(l.n393, 4u);
}

TEST(ConfigCircuits, ErrorsSayFileLineAndColumn) {
  const std::string links = R"(
[[link]]
name = "fr0"
type = "frame-relay"
local = "127.0.0.1:7001"
remote = "127.0.0.1:7002"
[[link]]
name = "atm0"
type = "atm"
underlay = "pcap"
replay = "x.pcap"
)";  // lines 2..11
  EXPECT_THAT(errors(kHead + links + R"([[circuit]]
name = "a"
link = "fr1"
[[peer]]
name = "lns"
circuit = "a"
)"),
              ElementsAre("t.toml:15:8: no [[link]] named 'fr1'", "t.toml:18:11: no [[circuit]] named 'a'"));
  EXPECT_THAT(errors(kHead + links + R"([[circuit]]
name = "a"
link = "fr0"
dlci = 1000
vci = 40
[[peer]]
name = "lns"
address = "192.0.2.1"
)"),
              ElementsAre("t.toml:16:8: 'dlci' must be between 16 and 991, not 1000",
                          "t.toml:17:7: 'vci' is for an atm circuit; this one is frame-relay"));
  EXPECT_THAT(errors(kHead + links + R"([[circuit]]
name = "a"
link = "fr0"
dlci = 100
[[circuit]]
name = "b"
link = "fr0"
dlci = 100
[[peer]]
name = "lns"
address = "192.0.2.1"
circuit = "a"
)"),
              ElementsAre("t.toml:17:1: DLCI 100 is already circuit 'a' (t.toml:13:1)",
                          "t.toml:24:11: give either 'address' (IP) or 'circuit', not both"));
  EXPECT_THAT(errors(kHead + R"(
[[link]]
name = "fr0"
type = "frame-relay"
local = "127.0.0.1:7001"
lmi = "annex-z"
oam_interval = "10s"
[[link]]
name = "fr0"
type = "atm"
underlay = "tcp"
oam_interval = "10s"
[[peer]]
name = "lns"
address = "192.0.2.1"
)"),
              ElementsAre("t.toml:3:1: underlay = \"udp\" needs 'local' and 'remote' (address:port of each end)",
                          "t.toml:7:7: 'lmi' must be one of none, q933a, ansi, cisco, auto, not 'annex-z'",
                          "t.toml:8:16: 'oam_interval' is for an atm link; this one is frame-relay",
                          "t.toml:9:1: duplicate link name 'fr0' (first at t.toml:3:1)",
                          "t.toml:12:12: underlay = \"tcp\" is for XOT; Frame Relay and ATM take \"udp\", "
                          "\"afpacket\" or \"pcap\"",
                          "t.toml:13:16: 'oam_interval' needs cells = true (OAM F5 travels in cells)"));
}

TEST(ConfigCircuits, LmiTimersAndCountersAreCheckedTogether) {
  EXPECT_THAT(errors(kHead + R"(
[[link]]
name = "fr0"
type = "frame-relay"
local = "127.0.0.1:7001"
remote = "127.0.0.1:7002"
t391 = "20s"
t392 = "10s"
n392 = 5
n393 = 4
[[peer]]
name = "lns"
address = "192.0.2.1"
)"),
              ElementsAre("t.toml:9:8: t392 must be longer than t391 (the network waits longer than the user polls)",
                          "t.toml:10:8: n392 (errors) must not exceed n393 (events monitored), Q.933 A.7"));
}

TEST(ConfigCircuits, SecuredCodePointMayNotBeClearL2tps) {
  EXPECT_THAT(errors(kHead + R"(
[[link]]
name = "fr0"
type = "frame-relay"
local = "127.0.0.1:7001"
remote = "127.0.0.1:7002"
secured_pid = 7
secured_oui = "00-00-5e"
[[peer]]
name = "lns"
address = "192.0.2.1"
)"),
              ElementsAre("t.toml:8:15: the secured code point must differ from clear L2TP's 00-00-5E/0x0007 "
                          "(RFC 3070)"));
}

}  // namespace
}  // namespace l2sec::gateway
