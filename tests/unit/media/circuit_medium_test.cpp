// The circuit medium between the gateway and link adapters: PDU kinds in
// both directions, circuit state driving tunnels (a LAC waits for its
// circuit, a circuit going down clears the tunnels over it as a lost peer,
// and with `redial` the LAC dials again when it comes back), IP endpoints
// passed to the IP medium. The adapters here are a minimal in-test pair
// (the real ones have tests of their own under tests/unit/transports/).
#include "media/circuit_medium.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>

#include "crypto/random.hpp"
#include "gateway/gateway.hpp"
#include "sim/circuit_pair_config.hpp"

namespace l2sec::media {
namespace {

using transports::CircuitId;
using transports::DownReason;
using transports::PduKind;

// Two of these are the two ends of circuits: what one sends the other
// reports (when the test delivers), with the kind it was sent as.
class PairAdapter final : public transports::LinkAdapter {
 public:
  explicit PairAdapter(std::vector<CircuitId> ids) : ids_(std::move(ids)) {}
  PairAdapter* peer = nullptr;
  std::vector<PduKind> sent_kinds;
  bool started = false;

  std::string describe() const override { return "pair"; }
  void set_upcalls(transports::LinkUpcalls* up) override { up_ = up; }
  void start(Instant) override { started = true; }
  void stop(Instant now) override { set_up(now, false); }
  bool send(Instant, CircuitId c, PduKind kind, PacketBuf&& pdu) override {
    if (!up_now_ || std::find(ids_.begin(), ids_.end(), c) == ids_.end()) return false;
    sent_kinds.push_back(kind);
    peer->wire_.push_back({c, kind, std::move(pdu)});
    return true;
  }
  void on_timeout(Instant) override {}
  Instant next_deadline() const override { return kNever; }
  std::vector<transports::CircuitInfo> circuits() const override {
    std::vector<transports::CircuitInfo> v;
    for (CircuitId id : ids_) v.push_back({id, "c" + std::to_string(id), "test", up_now_, DownReason::none, 1500});
    return v;
  }
  Counters counters() const override { return {}; }

  void set_up(Instant now, bool up) {
    up_now_ = up;
    if (!up) wire_.clear();  // what was on the wire is lost
    for (CircuitId id : ids_) up_->on_circuit_state(now, id, up, up ? DownReason::none : DownReason::underlay_down);
  }
  // Hands what the peer sent to the upcalls. Returns how many.
  std::size_t deliver(Instant now) {
    std::size_t n = 0;
    while (!wire_.empty()) {
      auto w = std::move(wire_.front());
      wire_.pop_front();
      if (!up_now_) continue;
      up_->on_pdu(now, w.c, w.kind, std::move(w.pdu));
      ++n;
    }
    return n;
  }

 private:
  struct OnWire {
    CircuitId c;
    PduKind kind;
    PacketBuf pdu;
  };
  std::vector<CircuitId> ids_;
  transports::LinkUpcalls* up_ = nullptr;
  bool up_now_ = false;
  std::deque<OnWire> wire_;
};

class IpSink final : public gateway::Output {
 public:
  std::size_t sent = 0;
  void send(const Endpoint&, PacketBuf&&) override { ++sent; }
};

constexpr CircuitId kCircuit = 7;

struct Lab {
  explicit Lab(const std::optional<sim::EspSetup>& esp, bool redial = false)
      : lac_cfg(sim::circuit_pair_config(true, kCircuit, esp, 1)),
        lns_cfg(sim::circuit_pair_config(false, kCircuit, esp, 0)),
        rnd_lac(1),
        rnd_lns(2),
        lac(with_redial(lac_cfg, redial), rnd_lac, hooks(lac_events), {}),
        lns(lns_cfg, rnd_lns, hooks(lns_events), {}),
        m_lac(lac, &ip),
        m_lns(lns, nullptr),
        a_lac({kCircuit}),
        a_lns({kCircuit}) {
    a_lac.peer = &a_lns;
    a_lns.peer = &a_lac;
    m_lac.add(a_lac, {kCircuit});
    m_lns.add(a_lns, {kCircuit});
    m_lac.on_state_change([this](const transports::CircuitInfo& i) { states.push_back(i.up); });
  }
  static gateway::Config& with_redial(gateway::Config& c, bool on) {
    c.redial = on;
    c.redial_delay = std::chrono::seconds(1);
    return c;
  }
  static gateway::Hooks hooks(std::vector<l2tp::Event::Kind>& sink) {
    return gateway::Hooks{[&sink](const l2tp::Event& e) { sink.push_back(e.kind); }};
  }
  void start() {
    lac.start(now);
    lns.start(now);
    m_lac.start(now);
    m_lns.start(now);
  }
  // Runs `d` of virtual time in 10 ms steps.
  void run(Duration d) {
    const Instant end = now + d;
    while (now < end) {
      now += std::chrono::milliseconds(10);
      for (int i = 0; i < 50; ++i) {
        std::size_t n = a_lac.deliver(now) + a_lns.deliver(now);
        m_lac.pump(now);
        m_lns.pump(now);
        if (n == 0) break;
      }
      if (lac.next_deadline() <= now) lac.on_timeout(now);
      if (lns.next_deadline() <= now) lns.on_timeout(now);
      m_lac.pump(now);
      m_lns.pump(now);
    }
  }
  std::size_t count(const std::vector<l2tp::Event::Kind>& v, l2tp::Event::Kind k) {
    return static_cast<std::size_t>(std::count(v.begin(), v.end(), k));
  }

  gateway::Config lac_cfg, lns_cfg;
  crypto::SeededRandom rnd_lac, rnd_lns;
  std::vector<l2tp::Event::Kind> lac_events, lns_events;
  std::vector<bool> states;
  gateway::Gateway lac, lns;
  IpSink ip;
  CircuitMedium m_lac, m_lns;
  PairAdapter a_lac, a_lns;
  Instant now = kEpoch;
};

using K = l2tp::Event::Kind;

TEST(CircuitMedium, LacWaitsForItsCircuitThenTunnelAndCallComeUp) {
  Lab lab(std::nullopt);
  lab.start();
  lab.run(std::chrono::seconds(5));
  EXPECT_TRUE(lab.a_lac.started);
  EXPECT_TRUE(lab.a_lac.sent_kinds.empty()) << "nothing may be sent on a circuit that is down";
  EXPECT_EQ(lab.lac.engine().tunnel_count(), 0u);

  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  lab.run(std::chrono::seconds(5));
  EXPECT_EQ(lab.count(lab.lac_events, K::tunnel_up), 1u);
  EXPECT_EQ(lab.count(lab.lac_events, K::session_up), 1u);
  EXPECT_EQ(lab.count(lab.lns_events, K::session_up), 1u);
  ASSERT_FALSE(lab.a_lac.sent_kinds.empty());
  for (PduKind k : lab.a_lac.sent_kinds) EXPECT_EQ(k, PduKind::l2tp);
  EXPECT_TRUE(lab.lac.circuit_up(kCircuit));
  EXPECT_EQ(lab.states, (std::vector<bool>{true}));
  EXPECT_EQ(lab.m_lac.counters()[Ctr::circuit_tx_refused], 0u);
  EXPECT_GT(lab.m_lns.counters()[Ctr::circuit_rx_pdus], 0u);
  EXPECT_EQ(lab.lac.counters()[Ctr::gw_circuit_up], 1u);
}

TEST(CircuitMedium, EspOnTheCircuitCarriesEveryL2tpPacket) {
  Lab lab(sim::EspSetup{});
  ASSERT_TRUE(lab.lac.setup_errors().empty()) << lab.lac.setup_errors()[0];
  lab.start();
  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  lab.run(std::chrono::seconds(5));
  EXPECT_EQ(lab.count(lab.lac_events, K::session_up), 1u);
  ASSERT_FALSE(lab.a_lac.sent_kinds.empty());
  for (PduKind k : lab.a_lac.sent_kinds) EXPECT_EQ(k, PduKind::esp);
  for (PduKind k : lab.a_lns.sent_kinds) EXPECT_EQ(k, PduKind::esp);
  EXPECT_GT(lab.lns.counters()[Ctr::esp_rx_packets], 0u);
  EXPECT_EQ(lab.lns.counters()[Ctr::esp_rx_selector_mismatch], 0u);
  // The summary names the circuit SA as IP-less.
  ASSERT_EQ(lab.lac.esp_summary().size(), 1u);
  EXPECT_NE(lab.lac.esp_summary()[0].find("ipless"), std::string::npos) << lab.lac.esp_summary()[0];
}

TEST(CircuitMedium, ClearL2tpOnAProtectedCircuitIsDropped) {
  Lab lab(sim::EspSetup{});
  lab.start();
  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  // A clear SCCRQ-like datagram arriving on the circuit (RFC 3193 §3.3).
  PacketBuf junk(64);
  const std::uint8_t sccrq_hdr[] = {0xC8, 0x02, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(junk.push_back(sizeof sccrq_hdr), sccrq_hdr, sizeof sccrq_hdr);
  lab.m_lns.on_pdu(lab.now, kCircuit, PduKind::l2tp, std::move(junk));
  lab.m_lns.pump(lab.now);
  EXPECT_EQ(lab.lns.counters()[Ctr::esp_rx_clear_on_protected], 1u);
  EXPECT_EQ(lab.lns.counters()[Ctr::l2tp_rx_packets], 0u);
}

TEST(CircuitMedium, CircuitDownClearsTunnelsAsALostPeerAndRedialBringsThemBack) {
  Lab lab(std::nullopt, /*redial=*/true);
  lab.start();
  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  lab.run(std::chrono::seconds(5));
  ASSERT_EQ(lab.count(lab.lac_events, K::session_up), 1u);

  lab.a_lac.set_up(lab.now, false);
  lab.a_lns.set_up(lab.now, false);
  lab.run(std::chrono::milliseconds(20));
  EXPECT_EQ(lab.count(lab.lac_events, K::tunnel_down), 1u);
  EXPECT_EQ(lab.count(lab.lns_events, K::tunnel_down), 1u);
  EXPECT_EQ(lab.count(lab.lac_events, K::session_down), 1u);
  EXPECT_EQ(lab.lac.engine().tunnel_count(), 0u) << "a lost peer leaves no state to hold";
  EXPECT_EQ(lab.lns.engine().tunnel_count(), 0u);
  EXPECT_EQ(lab.lac.counters()[Ctr::gw_circuit_tunnels_lost], 1u);
  EXPECT_EQ(lab.lns.counters()[Ctr::gw_circuit_tunnels_lost], 1u);

  // Down for a while: the redial waits for the circuit, sends nothing.
  const std::size_t sent_before = lab.a_lac.sent_kinds.size();
  lab.run(std::chrono::seconds(30));
  EXPECT_EQ(lab.a_lac.sent_kinds.size(), sent_before);
  EXPECT_EQ(lab.lac.engine().tunnel_count(), 0u);

  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  lab.run(std::chrono::seconds(5));
  EXPECT_EQ(lab.count(lab.lac_events, K::tunnel_up), 2u);
  EXPECT_EQ(lab.count(lab.lac_events, K::session_up), 2u);
  EXPECT_EQ(lab.states, (std::vector<bool>{true, false, true}));
}

TEST(CircuitMedium, WithoutRedialALostCircuitStaysWithoutTunnel) {
  Lab lab(std::nullopt, /*redial=*/false);
  lab.start();
  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  lab.run(std::chrono::seconds(5));
  lab.a_lac.set_up(lab.now, false);
  lab.a_lns.set_up(lab.now, false);
  lab.run(std::chrono::seconds(2));
  lab.a_lac.set_up(lab.now, true);
  lab.a_lns.set_up(lab.now, true);
  lab.run(std::chrono::seconds(10));
  EXPECT_EQ(lab.count(lab.lac_events, K::tunnel_up), 1u);
  EXPECT_EQ(lab.lac.engine().tunnel_count(), 0u);
}

TEST(CircuitMedium, IpEndpointsGoToTheIpMediumAndUnknownCircuitsAreCounted) {
  Lab lab(std::nullopt);
  lab.m_lac.send(Endpoint::v4({192, 0, 2, 1}, 1701), PacketBuf(16));
  EXPECT_EQ(lab.ip.sent, 1u);
  lab.m_lac.send(Endpoint::of_circuit(99), PacketBuf(16));
  lab.m_lns.send(Endpoint::v4({192, 0, 2, 1}, 1701), PacketBuf(16));  // no IP medium there
  lab.m_lac.send_esp(Endpoint::of_circuit(kCircuit), PacketBuf(16), /*udp_encap=*/true);
  EXPECT_EQ(lab.m_lac.counters()[Ctr::circuit_tx_no_route], 2u);
  EXPECT_EQ(lab.m_lns.counters()[Ctr::circuit_tx_no_route], 1u);
  // A circuit that is down refuses.
  lab.m_lac.send(Endpoint::of_circuit(kCircuit), PacketBuf(16));
  EXPECT_EQ(lab.m_lac.counters()[Ctr::circuit_tx_refused], 1u);
  // IKE on a circuit is counted until IKE exists.
  lab.m_lns.on_pdu(lab.now, kCircuit, PduKind::ipless_udp, PacketBuf(16));
  lab.m_lns.pump(lab.now);
  EXPECT_EQ(lab.m_lns.counters()[Ctr::circuit_rx_ike_unhandled], 1u);
}

}  // namespace
}  // namespace l2sec::media
