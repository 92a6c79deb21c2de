// Restarts of a gateway with manually keyed AES-GCM SAs (RFC 3193 over
// RFC 4106) on the simulated network, with the sequence state persisted
// (gateway/sequence_store.hpp) in a store that survives the restart.
//
// The LAC gateway object is destroyed mid-traffic and built again with the
// same store, either after a crash (no save) or after a clean stop
// (save_sequence_state()). Every ESP packet the LAC ever emits is recorded
// (SPI and sequence number from its header) and checked, as it leaves,
// against the mark durable in the store at that moment. Afterwards:
// - no (SPI, sequence number) pair was sent twice under the key, across the
//   restart (AES-GCM's nonce is the sequence number);
// - the tunnel and its calls come back and the LNS, which never restarted,
//   drops (almost) nothing of the new LAC as too old;
// - the LNS's packets captured before the restart replayed at the new LAC:
//   refused, all of them after a clean stop, all but at most one block after
//   a crash;
// - a crash skips at most one block of numbers, a clean stop none.
// The same crash without a store shows what the state prevents: the LAC
// starts again at 1, the LNS drops it all as too old and the calls do not
// come back.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/counters.hpp"
#include "core/wire.hpp"
#include "crypto/random.hpp"
#include "esp_pair_config.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "gateway/sequence_store.hpp"
#include "sim_driver.hpp"
#include "sim_network.hpp"
#include "sim_seeds.hpp"

namespace l2sec::sim {
namespace {

using namespace std::chrono_literals;
using gateway::Config;
using gateway::Gateway;
using gateway::MemorySequenceStore;
using gateway::SeqDirection;
using gateway::SequenceKey;
using Kind = l2tp::Event::Kind;

const Endpoint kLacAddr = Endpoint::v4({192, 0, 2, 1}, 1701);
const Endpoint kLnsAddr = Endpoint::v4({198, 51, 100, 7}, 1701);
constexpr unsigned kCalls = 2;
constexpr std::uint32_t kSpiToLns = kEspSpiToLns, kSpiToLac = kEspSpiToLac;
// Small blocks, so that a minute of traffic needs many reservations.
constexpr std::uint64_t kBlock = 64;

Endpoint esp_of(Endpoint a) {
  a.port = 0;
  return a;
}

Config config(bool lac) {
  Config c = esp_pair_config(lac, kLacAddr, kLnsAddr, EspSetup{}, kCalls);
  c.lcp_echo_interval = 100ms;
  return c;
}

struct Sent {
  std::uint32_t spi;
  std::uint32_t seq;
  std::uint32_t life;  // which incarnation of the gateway sent it
};

// What a gateway emits, on its way to the network: ESP packets recorded
// (and, for the LNS, kept whole for replaying) and checked against the
// store's durable mark.
class RecordingOutput final : public gateway::Output {
 public:
  RecordingOutput(gateway::Output& inner, std::vector<Sent>& log,
                  std::vector<std::vector<std::uint8_t>>* keep, const MemorySequenceStore* store,
                  std::uint32_t life)
      : inner_(inner), log_(log), keep_(keep), store_(store), life_(life) {}
  void send(const Endpoint& to, PacketBuf&& d) override { inner_.send(to, std::move(d)); }
  void send_esp(const Endpoint& to, PacketBuf&& esp, bool udp) override {
    const std::uint32_t spi = load_be32(esp.data());
    const std::uint32_t seq = load_be32(esp.data() + 4);
    log_.push_back({spi, seq, life_});
    if (store_) {
      const std::uint64_t* mark = store_->find(SequenceKey{SeqDirection::outbound, spi, esp_of(to)});
      EXPECT_TRUE(mark != nullptr && seq <= *mark)
          << "seq " << seq << " sent above the durable mark " << (mark ? *mark : 0);
    }
    if (keep_) keep_->emplace_back(esp.bytes().begin(), esp.bytes().end());
    inner_.send_esp(to, std::move(esp), udp);
  }

 private:
  gateway::Output& inner_;
  std::vector<Sent>& log_;
  std::vector<std::vector<std::uint8_t>>* keep_;
  const MemorySequenceStore* store_;
  std::uint32_t life_;
};

// One host: the gateway (null while "down"), its store, the nodes the
// driver knows (which outlive the gateway objects), the record.
struct Host {
  Host(bool is_lac, SimDriver& drv, bool with_store) : lac(is_lac), persist(with_store), rng(lac ? 11 : 22) {
    drv.attach(lac ? kLacAddr : kLnsAddr, l2tp_node);
    drv.attach(esp_of(lac ? kLacAddr : kLnsAddr), esp_node);
  }

  void boot() {
    ++life;
    log.clear();
    gateway::Hooks hooks{[this](const l2tp::Event& ev) {
                           if (ev.kind != Kind::frame) log.push_back(ev.kind);
                         },
                         on_message};
    gw = std::make_unique<Gateway>(config(lac), rng, hooks,
                                   gateway::SequencePersistence{persist ? &store : nullptr, kBlock});
    EXPECT_TRUE(gw->setup_errors().empty()) << gw->setup_errors().front();
  }
  std::size_t count(Kind k) const { return static_cast<std::size_t>(std::count(log.begin(), log.end(), k)); }
  bool calls_up() const { return gw && count(Kind::session_up) >= kCalls; }

  struct L2tpNode final : SimNode {
    Host* h;
    explicit L2tpNode(Host* host) : h(host) {}
    void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override {
      if (h->gw) h->gw->on_datagram(now, from, std::move(pkt));
    }
    void on_timeout(Instant now) override {
      if (h->gw) h->gw->on_timeout(now);
    }
    Instant next_deadline() const override { return h->gw ? h->gw->next_deadline() : kNever; }
    void flush(Instant now, gateway::Output& out) override {
      if (!h->gw) return;
      RecordingOutput rec(out, h->sent, h->lac ? nullptr : &h->kept, h->persist ? &h->store : nullptr,
                          h->life);
      h->gw->flush(now, rec);
    }
  };
  struct EspNode final : SimNode {
    Host* h;
    explicit EspNode(Host* host) : h(host) {}
    void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override {
      if (h->gw) h->gw->on_esp(now, from, esp_of(h->lac ? kLacAddr : kLnsAddr), std::move(pkt), false);
    }
    void on_timeout(Instant) override {}
    Instant next_deadline() const override { return kNever; }
    void flush(Instant, gateway::Output&) override {}
  };

  bool lac;
  bool persist;
  std::function<void(gateway::Severity, const std::string&)> on_message;
  crypto::SeededRandom rng;
  MemorySequenceStore store;
  std::unique_ptr<Gateway> gw;
  std::uint32_t life = 0;
  std::vector<Kind> log;  // this life's events
  std::vector<Sent> sent;
  std::vector<std::vector<std::uint8_t>> kept;  // the LNS's ESP packets, whole
  L2tpNode l2tp_node{this};
  EspNode esp_node{this};
};

Impairments mild() {
  Impairments imp;
  imp.loss = 0.01;
  imp.delay = 10ms;
  imp.jitter = 2ms;
  return imp;
}

struct Lab {
  Lab(std::uint64_t seed, bool persist)
      : net(seed, mild()), drv(net), lns(false, drv, persist), lac(true, drv, persist) {
    lns.boot();
    lac.boot();
  }
  SimNetwork net;
  SimDriver drv;
  Host lns, lac;  // attach order: LNS first
};

// The sequence numbers one side sent on one SPI, in order, per life.
std::vector<std::uint32_t> seqs(const std::vector<Sent>& log, std::uint32_t spi, std::uint32_t life) {
  std::vector<std::uint32_t> v;
  for (const Sent& s : log)
    if (s.spi == spi && s.life == life) v.push_back(s.seq);
  return v;
}

enum class Stop { crash, clean };

// Replays at the LAC the first `count` ESP packets the LNS sent; returns
// how many the LAC accepted.
std::uint64_t replay_old_lns_packets(Lab& lab, std::size_t count) {
  const Counters before = lab.lac.gw->counters();
  for (std::size_t i = 0; i < count; ++i) {
    const auto& b = lab.lns.kept[i];
    lab.lac.gw->on_esp(lab.drv.now(), esp_of(kLnsAddr), esp_of(kLacAddr), PacketBuf::copy_of(b), false);
  }
  const Counters after = lab.lac.gw->counters();
  const std::uint64_t refused = (after[Ctr::esp_rx_replayed] - before[Ctr::esp_rx_replayed]) +
                                (after[Ctr::esp_rx_too_old] - before[Ctr::esp_rx_too_old]);
  EXPECT_EQ(after[Ctr::esp_rx_bad_icv], before[Ctr::esp_rx_bad_icv]);
  EXPECT_EQ(after[Ctr::esp_rx_packets] - before[Ctr::esp_rx_packets], count - refused);
  return count - refused;
}

struct Restart {
  std::uint64_t mark;      // the LAC's outbound mark in the store when it stopped
  std::uint64_t replayed;  // LNS packets from before the stop the new LAC accepted again
  std::size_t old;         // of how many
};

// Stops the LAC, keeps it down 2 s, builds it again from the store, replays
// at it everything the LNS had sent before the stop (before anything new
// arrives, so only the restored floor can refuse them), and starts it.
Restart restart_lac(Lab& lab, Stop how) {
  if (how == Stop::clean) {
    lab.lac.gw->shutdown(lab.drv.now());
    lab.drv.flush();
    EXPECT_TRUE(lab.drv.run_for([&] { return lab.lac.gw->idle(); }, 1min));
    EXPECT_TRUE(lab.lac.gw->save_sequence_state());
  }
  const std::uint64_t* found = lab.lac.store.find({SeqDirection::outbound, kSpiToLns, esp_of(kLnsAddr)});
  Restart r{found ? *found : 0, 0, lab.lns.kept.size()};
  lab.lac.gw.reset();   // a crash: whatever was not persisted is lost
  lab.drv.run_for(2s);  // down: what arrives meanwhile is lost
  lab.lac.boot();
  r.replayed = replay_old_lns_packets(lab, r.old);
  lab.lac.gw->start(lab.drv.now());
  lab.drv.flush();
  return r;
}

void run_restart(std::uint64_t seed, Stop how) {
  Lab lab(seed, true);
  lab.lac.gw->start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.calls_up() && lab.lns.calls_up(); }, 2min));
  lab.drv.run_for(30s);  // mid-traffic
  const auto before = seqs(lab.lac.sent, kSpiToLns, 1);
  ASSERT_GT(before.size(), 500u);
  const Counters lns_before = lab.lns.gw->counters();

  const Restart r = restart_lac(lab, how);
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.calls_up(); }, 3min)) << "the calls did not come back";
  lab.drv.run_for(30s);

  // No (SPI, number) twice, across both lives.
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (const Sent& s : lab.lac.sent)
    EXPECT_TRUE(seen.insert({s.spi, s.seq}).second) << "SPI " << s.spi << " seq " << s.seq << " sent twice";
  const auto after = seqs(lab.lac.sent, kSpiToLns, 2);
  ASSERT_GT(after.size(), 200u);
  EXPECT_TRUE(std::is_sorted(before.begin(), before.end()));
  EXPECT_TRUE(std::is_sorted(after.begin(), after.end()));
  // With a clean stop, StopCCN and its acknowledgement came after `before`.
  const std::uint32_t last_before = seqs(lab.lac.sent, kSpiToLns, 1).back(), first_after = after.front();
  EXPECT_EQ(first_after, r.mark + 1) << "starts right after the durable mark";
  if (how == Stop::clean) {
    EXPECT_EQ(first_after, last_before + 1u) << "a clean stop skips no number";
  } else {
    EXPECT_LE(first_after - last_before, kBlock + 1) << "a crash skips at most a block";
  }

  // The LNS did not restart and takes the new LAC's packets: at most a few
  // stragglers are too old (none expected without reordering).
  const Counters lns_after = lab.lns.gw->counters();
  EXPECT_LE(lns_after[Ctr::esp_rx_too_old] - lns_before[Ctr::esp_rx_too_old], 3u);
  EXPECT_EQ(lns_after[Ctr::esp_rx_bad_icv], 0u);
  EXPECT_GT(lab.lac.gw->lcp_echo_replies(), 100u);

  // The LNS's packets from before the stop, replayed at the new LAC: after
  // a crash, those received since the floor was last written get through
  // (at most a block; the floor is also written with every reservation),
  // after a clean stop none.
  EXPECT_GT(r.old, 1000u);
  if (how == Stop::clean) {
    EXPECT_EQ(r.replayed, 0u);
  } else {
    EXPECT_LE(r.replayed, kBlock);
  }

  // Nothing was refused for want of a reservation: the store never failed.
  for (const Host* h : {&lab.lac, &lab.lns}) {
    EXPECT_EQ(h->gw->counters()[Ctr::esp_tx_unreserved], 0u);
    EXPECT_EQ(h->gw->counters()[Ctr::esp_state_write_failed], 0u);
  }
  EXPECT_GT(lab.lac.store.writes(), 10u);  // many blocks were reserved
}

TEST(EspRestartSim, CrashMidTrafficRepeatsNoSequenceNumber) {
  for (std::uint64_t seed : sim_seeds(3, 300)) {
    SCOPED_TRACE(seed_trace(seed));
    run_restart(seed, Stop::crash);
  }
}

TEST(EspRestartSim, CleanStopSkipsNothingAndReplaysNothing) {
  for (std::uint64_t seed : sim_seeds(3, 400)) {
    SCOPED_TRACE(seed_trace(seed));
    run_restart(seed, Stop::clean);
  }
}

// The control: the same crash without persistence. The LAC's counter starts
// again at 1 under the same key (nonces repeat), the LNS drops every packet
// as too old and the calls do not come back.
TEST(EspRestartSim, WithoutTheStateTheTunnelDoesNotComeBack) {
  Lab lab(1, false);
  EXPECT_FALSE(lab.lac.gw->setup_warnings().empty());
  lab.lac.gw->start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.calls_up() && lab.lns.calls_up(); }, 2min));
  lab.drv.run_for(30s);
  const std::uint64_t too_old = lab.lns.gw->counters()[Ctr::esp_rx_too_old];
  restart_lac(lab, Stop::crash);
  EXPECT_FALSE(lab.drv.run_for([&] { return lab.lac.calls_up(); }, 1min));
  const auto again = seqs(lab.lac.sent, kSpiToLns, 2);
  ASSERT_GE(again.size(), 5u);  // SCCRQ and its retransmissions
  EXPECT_EQ(again.front(), 1u);
  // Every one of them (but what the network lost) dropped as too old.
  EXPECT_GE(lab.lns.gw->counters()[Ctr::esp_rx_too_old] - too_old, again.size() - 1);
}

// A store that fails: nothing is sent beyond the reservation (counted), the
// failure is reported once, and sending resumes when the store works again.
TEST(EspRestartSim, FailingStoreStopsSendingUntilItWorksAgain) {
  Lab lab(5, true);
  std::vector<std::pair<gateway::Severity, std::string>> messages;
  // The LAC again, with a message hook (nothing was sent yet).
  lab.lac.on_message = [&](gateway::Severity s, const std::string& m) { messages.emplace_back(s, m); };
  lab.lac.gw.reset();
  lab.lac.boot();
  lab.lac.gw->start(lab.drv.now());
  ASSERT_TRUE(lab.drv.run_for([&] { return lab.lac.calls_up() && lab.lns.calls_up(); }, 2min));
  lab.drv.run_for(10s);

  lab.lac.store.set_failing(true);
  const std::size_t sent_at_failure = lab.lac.sent.size();
  const std::uint64_t mark = *lab.lac.store.find({SeqDirection::outbound, kSpiToLns, esp_of(kLnsAddr)});
  lab.drv.run_for(20s);
  const Counters c = lab.lac.gw->counters();
  EXPECT_GT(c[Ctr::esp_tx_unreserved], 10u);
  EXPECT_GT(c[Ctr::esp_state_write_failed], 1u);
  for (std::size_t i = sent_at_failure; i < lab.lac.sent.size(); ++i)
    if (lab.lac.sent[i].spi == kSpiToLns) {
      EXPECT_LE(lab.lac.sent[i].seq, mark);
    }
  ASSERT_EQ(messages.size(), 1u) << "reported once per failure";
  EXPECT_EQ(messages[0].first, gateway::Severity::error);

  lab.lac.store.set_failing(false);
  const std::uint64_t echoes = lab.lac.gw->lcp_echo_replies();
  lab.drv.run_for(20s);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].first, gateway::Severity::warning);
  EXPECT_GT(*lab.lac.store.find({SeqDirection::outbound, kSpiToLns, esp_of(kLnsAddr)}), mark);
  EXPECT_GT(lab.lac.gw->lcp_echo_replies(), echoes) << "traffic resumed";
}

}  // namespace
}  // namespace l2sec::sim
