// L2TP protected by manually keyed ESP (RFC 3193) between two gateways on
// the simulated network: every mode (transport, tunnel, each also in UDP)
// and every algorithm family, over a network that loses, duplicates,
// reorders and corrupts; no L2TP ever crosses in the clear; the §3.3 checks
// drop clear packets, packets of another peer's SA and packets without an SA.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "crypto/random.hpp"
#include "esp_pair_config.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "sim_driver.hpp"
#include "sim_gateway_node.hpp"
#include "sim_network.hpp"
#include "sim_seeds.hpp"

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;
using crypto::EspAuth;
using crypto::EspCipher;
using gateway::Config;
using gateway::Gateway;
using Kind = l2tp::Event::Kind;

const Endpoint kLacAddr = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kLnsAddr = Endpoint::v4({198, 51, 100, 7}, 1701);
const Endpoint kRogueAddr = Endpoint::v4({203, 0, 113, 66}, 1701);
constexpr unsigned kCalls = 2;
constexpr std::uint16_t kNatt = 4500;

struct Suite {
  EspCipher cipher;
  EspAuth auth;
  const char* name;
};
const Suite kSuites[] = {
    {EspCipher::null, EspAuth::hmac_sha1_96, "null-sha1"},
    {EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96, "aes-cbc-128-sha1"},
    {EspCipher::aes_cbc_256, EspAuth::hmac_sha256_128, "aes-cbc-256-sha256"},
    {EspCipher::aes_gcm16_128, EspAuth::none, "aes-gcm-128"},
    {EspCipher::aes_gcm16_256, EspAuth::none, "aes-gcm-256"},
    {EspCipher::chacha20_poly1305, EspAuth::none, "chacha20-poly1305"},
};

EspSetup setup_of(const Suite& s) {
  EspSetup e;
  e.cipher = s.cipher;
  e.auth = s.auth;
  return e;
}

Config lac_config(const EspSetup& e) { return esp_pair_config(true, kLacAddr, kLnsAddr, e, kCalls); }
Config lns_config(const EspSetup& e) { return esp_pair_config(false, kLacAddr, kLnsAddr, e, kCalls); }

Endpoint esp_port(Endpoint a, const EspSetup& e) {
  a.port = e.udp_encap ? kNatt : 0;
  return a;
}

struct EspLab {
  EspLab(std::uint64_t seed, const Impairments& imp, const EspSetup& e, Config lac_cfg, Config lns_cfg)
      : net(seed, imp),
        drv(net),
        lac_rng(seed * 2 + 1),
        lns_rng(seed * 2 + 2),
        lac(lac_cfg, lac_rng, hooks(lac_log)),
        lns(lns_cfg, lns_rng, hooks(lns_log)),
        lac_node(lac),
        lns_node(lns),
        lac_esp(lac, esp_port(kLacAddr, e), e.udp_encap),
        lns_esp(lns, esp_port(kLnsAddr, e), e.udp_encap) {
    drv.attach(kLacAddr, lac_node);
    drv.attach(kLnsAddr, lns_node);
    drv.attach(esp_port(kLacAddr, e), lac_esp);
    drv.attach(esp_port(kLnsAddr, e), lns_esp);
    net.enable_trace(true);
  }
  EspLab(std::uint64_t seed, const Impairments& imp, const EspSetup& e)
      : EspLab(seed, imp, e, lac_config(e), lns_config(e)) {}

  gateway::Hooks hooks(std::vector<Kind>& log) {
    return gateway::Hooks{[&log](const l2tp::Event& ev) {
      if (ev.kind != Kind::frame) log.push_back(ev.kind);
    }};
  }
  static std::size_t count(const std::vector<Kind>& log, Kind k) {
    return static_cast<std::size_t>(std::count(log.begin(), log.end(), k));
  }
  bool all_up() const {
    return count(lac_log, Kind::session_up) >= kCalls && count(lns_log, Kind::session_up) >= kCalls;
  }
  // Datagrams the network carried to or from the L2TP port: must be none.
  std::size_t clear_l2tp_on_wire() const {
    std::size_t n = 0;
    for (const auto& t : net.trace())
      if (t.kind == TraceEntry::Kind::queued && (t.to.port == 1701 || t.from.port == 1701)) ++n;
    return n;
  }

  SimNetwork net;
  SimDriver drv;
  crypto::SeededRandom lac_rng, lns_rng;
  std::vector<Kind> lac_log, lns_log;
  Gateway lac, lns;
  GatewayNode lac_node, lns_node;
  EspPortNode lac_esp, lns_esp;
};

Impairments harsh() {
  Impairments imp;
  imp.loss = 0.05;
  imp.duplicate = 0.05;
  imp.corrupt = 0.02;
  imp.reorder = 0.1;
  imp.reorder_delay = 200ms;
  imp.delay = 10ms;
  imp.jitter = 5ms;
  return imp;
}

// Brings the tunnel and calls up, runs a minute of LCP echoes, shuts down,
// and checks what ESP did.
void run_lab(EspLab& lab) {
  ASSERT_TRUE(lab.lac.setup_errors().empty()) << lab.lac.setup_errors().front();
  ASSERT_TRUE(lab.lns.setup_errors().empty()) << lab.lns.setup_errors().front();
  lab.lac.start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.all_up(); }, 10min));
  const std::uint64_t lac0 = lab.lac.lcp_echo_replies(), lns0 = lab.lns.lcp_echo_replies();
  lab.drv.run_for(60s);
  for (std::uint64_t got : {lab.lac.lcp_echo_replies() - lac0, lab.lns.lcp_echo_replies() - lns0}) {
    EXPECT_GE(got, 45u * kCalls);
    EXPECT_LE(got, 70u * kCalls);
  }
  lab.lac.shutdown(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.idle() && lab.lns.idle(); }, 10min));

  EXPECT_EQ(lab.clear_l2tp_on_wire(), 0u);
  for (const Gateway* g : {&lab.lac, &lab.lns}) {
    Counters c = g->counters();
    EXPECT_GT(c[Ctr::esp_rx_packets], 100u);
    EXPECT_GT(c[Ctr::esp_tx_packets], 100u);
    EXPECT_EQ(c[Ctr::esp_tx_clear], 0u);
    EXPECT_EQ(c[Ctr::esp_tx_no_sa], 0u);
    EXPECT_EQ(c[Ctr::esp_rx_selector_mismatch], 0u);
    EXPECT_EQ(c[Ctr::l2tp_ctl_give_up], 0u);
    EXPECT_EQ(c[Ctr::l2tp_rx_wrong_peer], 0u);
  }
}

TEST(EspSim, EverySuiteCarriesL2tpOverALossyCorruptingNetwork) {
  for (const Suite& s : kSuites) {
    for (std::uint64_t seed : sim_seeds(3, 900)) {
      SCOPED_TRACE(std::string(s.name) + " " + seed_trace(seed));
      EspSetup e = setup_of(s);
      EspLab lab(seed, harsh(), e);
      run_lab(lab);
      // Duplicates reach the replay window; corruption the ICV (or, for a
      // truncated copy, the length check).
      Counters both = lab.lac.counters();
      both += lab.lns.counters();
      EXPECT_GT(both[Ctr::esp_rx_replayed], 0u);
      EXPECT_GT(both[Ctr::esp_rx_bad_icv] + both[Ctr::esp_rx_truncated] + both[Ctr::esp_rx_bad_length], 0u);
      // Nothing that failed the ICV got further.
      EXPECT_EQ(both[Ctr::esp_rx_bad_padding], 0u);
      EXPECT_EQ(both[Ctr::esp_rx_inner_bad_checksum], 0u);
    }
  }
}

TEST(EspSim, EveryModeOnIp) {
  struct M {
    esp::Mode mode;
    bool udp;
  };
  for (M m : {M{esp::Mode::transport, false}, M{esp::Mode::tunnel, false}, M{esp::Mode::transport, true},
              M{esp::Mode::tunnel, true}}) {
    SCOPED_TRACE(std::string(esp::mode_name(m.mode)) + (m.udp ? " in UDP" : ""));
    EspSetup e;
    e.mode = m.mode;
    e.udp_encap = m.udp;
    EspLab lab(7, harsh(), e);
    run_lab(lab);
    if (m.udp) {
      // RFC 3948 §4: a keepalive every 20 s to the peer's NAT-T port; they
      // arrive as keepalives (the lossy network drops and doubles some).
      EXPECT_GE(lab.lac.counters()[Ctr::esp_tx_natt_keepalive], 3u);
      EXPECT_GE(lab.lns_esp.not_esp(), 1u);
    } else {
      EXPECT_EQ(lab.lac.counters()[Ctr::esp_tx_natt_keepalive], 0u);
    }
    // Every ESP packet went where the mode sends it.
    for (const auto& t : lab.net.trace()) {
      if (t.kind == TraceEntry::Kind::queued) {
        EXPECT_EQ(t.to.port, m.udp ? kNatt : 0);
      }
    }
  }
}

// RFC 3193 §3.3: a clear SCCRQ from the LAC's own address reaches no tunnel.
TEST(EspSim, ClearL2tpOnAProtectedFlowIsDropped) {
  EspSetup e;
  Impairments imp;
  imp.delay = 10ms;
  EspLab lab(1, imp, e);
  lab.lac.start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.all_up(); }, 1min));
  // A plain LAC without ESP at the same address, dialling the LNS in the clear.
  Config plain;
  plain.role = gateway::Role::lac;
  plain.listen = kLacAddr;
  plain.host_name = "lac.gw";
  gateway::PeerConfig p;
  p.name = "lns.gw";
  p.address = kLnsAddr;
  plain.peers.push_back(p);
  crypto::SeededRandom rng(99);
  Gateway intruder(plain, rng);
  GatewayNode intruder_node(intruder);
  lab.drv.attach(kLacAddr, intruder_node);  // replaces the real LAC's clear port
  intruder.start(lab.drv.now());
  lab.drv.run_for(5s);
  EXPECT_GE(lab.lns.counters()[Ctr::esp_rx_clear_on_protected], 1u);
  EXPECT_EQ(lab.lns.engine().tunnels().size(), 1u);  // only the protected tunnel
}

// A rogue host holding the LAC's keys cannot use the LAC's SA from its own
// address: the SA's selector names the LAC's address (RFC 3193 §3.3).
TEST(EspSim, AnSaUsedFromAnotherAddressIsDropped) {
  EspSetup e;
  Impairments imp;
  imp.delay = 10ms;
  Config rogue_cfg = lac_config(e);
  rogue_cfg.listen = kRogueAddr;
  rogue_cfg.host_name = "rogue";
  EspLab lab(1, imp, e);
  crypto::SeededRandom rng(5);
  Gateway rogue(rogue_cfg, rng);
  GatewayNode rogue_node(rogue);
  EspPortNode rogue_esp(rogue, esp_port(kRogueAddr, e), false);
  lab.drv.attach(kRogueAddr, rogue_node);
  lab.drv.attach(esp_port(kRogueAddr, e), rogue_esp);
  rogue.start(lab.drv.now());
  lab.drv.run_for(5s);
  EXPECT_GE(lab.lns.counters()[Ctr::esp_rx_selector_mismatch], 1u);
  EXPECT_TRUE(lab.lns.engine().tunnels().empty());
  EXPECT_EQ(lab.lns.counters()[Ctr::esp_rx_packets], lab.lns.counters()[Ctr::esp_rx_selector_mismatch]);
}

// A peer the SPD protects but no SA covers: nothing leaves in the clear,
// and one acquire is asked for however often L2TP retransmits.
TEST(EspSim, NoSaMeansNothingSentInTheClear) {
  EspSetup e;
  Config lac_cfg = lac_config(e);
  lac_cfg.peers[0].esp.reset();  // the SPD still protects the LNS's address
  Impairments imp;
  imp.delay = 10ms;
  EspLab lab(1, imp, e, lac_cfg, lns_config(e));
  lab.lac.start(lab.drv.now());
  lab.drv.run_for(40s);
  EXPECT_EQ(lab.net.stats().sent, 0u);
  EXPECT_GE(lab.lac.counters()[Ctr::esp_tx_no_sa], 5u);  // SCCRQ and its retransmissions
  EXPECT_EQ(lab.lac.counters()[Ctr::esp_tx_clear], 0u);
}

}  // namespace
}  // namespace l2sec::sim
