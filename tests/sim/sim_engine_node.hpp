// SimNode adapter for one l2tp::Engine (sim_driver.hpp): what
// poll_transmit() returns goes to the network, what poll_event() returns
// goes to a hook and to a log the test reads.
//
// The engine outlives its node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "l2tp/engine.hpp"
#include "sim_driver.hpp"

namespace l2sec::sim {

struct TimedEvent {
  Instant at;
  l2tp::Event ev;
};

class EngineNode final : public SimNode {
 public:
  // Called for every event the engine emits, in order, before it is logged.
  // It may issue commands to the engine (or to other engines).
  using EventHook = std::function<void(Instant now, l2tp::Event& ev)>;

  // record = false keeps no event log (benchmarks).
  explicit EngineNode(l2tp::Engine& engine, EventHook hook = {}, bool record = true)
      : engine_(engine), hook_(std::move(hook)), record_(record) {}

  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override {
    engine_.on_datagram(now, from, std::move(pkt));
  }
  void on_timeout(Instant now) override { engine_.on_timeout(now); }
  Instant next_deadline() const override { return engine_.next_deadline(); }
  void flush(Instant now, gateway::Output& out) override;

  l2tp::Engine& engine() { return engine_; }
  void set_hook(EventHook hook) { hook_ = std::move(hook); }

  const std::vector<TimedEvent>& events() const { return events_; }
  std::size_t count(l2tp::Event::Kind kind) const;
  void clear_events() { events_.clear(); }
  std::uint64_t datagrams_sent() const { return sent_; }

 private:
  l2tp::Engine& engine_;
  EventHook hook_;
  bool record_;
  std::vector<TimedEvent> events_;
  std::uint64_t sent_ = 0;
};

}  // namespace l2sec::sim
