// SimDriver: the driver loop of DESIGN.md §2, run on virtual time.
//
// The same loop the Asio shell runs: feed each engine what arrives, call
// on_timeout() when its deadline has passed, send what it emits. Here the
// "socket" is a SimNetwork and the "timer" jumps: each step advances the
// clock straight to the earliest of (next datagram delivery, next node
// deadline), so an hour of keepalives takes milliseconds.
//
// Nodes are SimNode adapters (sim_control_channel_node.hpp,
// sim_engine_node.hpp, sim_gateway_node.hpp), attached at the Endpoint they
// send from and receive on.
//
// Order within one instant, for reproducibility: datagrams due now are
// delivered one at a time in (time, sequence) order, then nodes whose
// deadline has passed get on_timeout() in attach order; after every single
// input, every node is flushed in attach order.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "gateway/gateway.hpp"
#include "sim_network.hpp"

namespace l2sec::sim {

// What the driver needs of a node: the sans-IO engine interface.
class SimNode {
 public:
  virtual ~SimNode() = default;
  virtual void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) = 0;
  virtual void on_timeout(Instant now) = 0;
  // kNever when nothing is scheduled.
  virtual Instant next_deadline() const = 0;
  // Sends everything the node has queued through out, and handles (or
  // records) whatever else it produced (events, delivered messages).
  virtual void flush(Instant now, gateway::Output& out) = 0;
};

// gateway::Output onto the network, sending from a fixed address.
class NetOutput final : public gateway::Output {
 public:
  NetOutput(SimNetwork& net, const Endpoint& from) : net_(&net), from_(from) {}
  void send(const Endpoint& to, PacketBuf&& datagram) override { net_->send(from_, to, std::move(datagram)); }
  // ESP goes between the hosts' "protocol 50" endpoints (port 0), or their
  // NAT-T ports with udp_encap (the same port number on both ends): attach
  // an EspPortNode (sim_gateway_node.hpp) there.
  void send_esp(const Endpoint& to, PacketBuf&& esp, bool udp_encap) override {
    Endpoint f = from_;
    f.port = udp_encap ? to.port : 0;
    Endpoint t = to;
    if (!udp_encap) t.port = 0;
    net_->send(f, t, std::move(esp));
  }
  const Endpoint& from() const { return from_; }

 private:
  SimNetwork* net_;
  Endpoint from_;
};

struct DriverStats {
  std::uint64_t steps = 0;       // clock advances (distinct instants visited)
  std::uint64_t deliveries = 0;  // datagrams handed to a node
  std::uint64_t timeouts = 0;    // on_timeout() calls
  std::uint64_t unroutable = 0;  // datagrams for an address with no node (dropped)
};

class SimDriver {
 public:
  explicit SimDriver(SimNetwork& net) : net_(net) {}
  SimDriver(const SimDriver&) = delete;
  SimDriver& operator=(const SimDriver&) = delete;

  // Attaches node at addr. The node must outlive the driver; one node per
  // address (a second attach at the same address replaces the first).
  void attach(const Endpoint& addr, SimNode& node);

  SimNetwork& network() { return net_; }
  Instant now() const { return net_.now(); }

  // Flushes every node: call after issuing commands to engines outside run().
  void flush();

  // Runs until pred() holds or the next event lies beyond `limit`; then the
  // clock stays at the last event (pred held) or moves to `limit`. pred is
  // checked before the first step and after every input. Returns pred().
  // Throws std::runtime_error if a node keeps the clock from advancing
  // (a deadline that stays in the past, or an endless zero-delay exchange).
  bool run_until(const std::function<bool()>& pred, Instant limit);
  bool run_for(const std::function<bool()>& pred, Duration d) { return run_until(pred, now() + d); }
  // Runs every event up to now() + d, then sets the clock to now() + d.
  void run_for(Duration d) { run_until(nullptr, now() + d); }

  // The earliest node deadline (kNever if none).
  Instant next_deadline() const;

  const DriverStats& stats() const { return stats_; }
  // Livelock guard: how many inputs (deliveries and timeouts) one instant
  // may take before run_until() throws.
  void set_max_inputs_per_instant(std::uint64_t n) { max_inputs_per_instant_ = n; }

 private:
  struct Slot {
    Endpoint addr;
    SimNode* node;
    NetOutput out;
  };
  Slot* find(const Endpoint& addr);
  // Runs one instant's inputs; returns true if pred held after an input.
  bool step(const std::function<bool()>& pred);

  SimNetwork& net_;
  std::vector<Slot> nodes_;
  DriverStats stats_;
  Instant instant_ = kNever;             // the instant inputs_at_instant_ counts
  std::uint64_t inputs_at_instant_ = 0;  // livelock guard
  std::uint64_t max_inputs_per_instant_ = 10'000'000;
};

}  // namespace l2sec::sim
