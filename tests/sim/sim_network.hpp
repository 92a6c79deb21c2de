// SimNetwork: the simulator's network and clock (DESIGN.md §2, §6 item 3).
//
// Time is a number: the network owns the virtual clock (now()), and only
// the driver moves it forward (advance_to()). A datagram handed to send()
// is queued for delivery at now + delay; the queue is ordered by
// (delivery time, sequence number), so two runs with the same seed and the
// same calls deliver the same datagrams at the same instants, byte for byte.
//
// Impairments (global, or per directional link) all draw from one seeded
// generator:
//   loss        the datagram is dropped
//   duplicate   a second copy is queued (its delay and damage drawn apart)
//   corrupt     the copy is damaged: 1..4 distinct random bits flipped, or
//               cut short at a random length (half the time each), so it
//               always differs from what was sent (an empty one cannot be)
//   reorder     the copy waits an extra uniform [0, reorder_delay]
//   delay       fixed one-way delay, plus uniform [0, jitter]
// A blackhole cuts a link (or everything): datagrams sent on it, and those
// already in flight on it when they come due, are dropped.
//
// Nodes are named by Endpoint (core/endpoint.hpp): a datagram goes from one
// Endpoint to another. The network does not know the nodes; the driver
// (sim_driver.hpp) hands each due datagram to the node at its destination.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "crypto/random.hpp"

namespace l2sec::sim {

struct Impairments {
  double loss = 0.0;       // probability in [0, 1]
  double duplicate = 0.0;  // probability in [0, 1]
  double corrupt = 0.0;    // probability in [0, 1], per copy
  double reorder = 0.0;    // probability of the extra reorder delay, per copy
  Duration reorder_delay = Duration::zero();
  Duration delay = std::chrono::milliseconds(1);
  Duration jitter = Duration::zero();
};

// What the network did. Every datagram handed to send() ends up counted as
// exactly one of delivered / dropped_* (copies from duplication too), once
// the queue is empty: sent + duplicated == delivered + dropped_loss +
// dropped_blackhole + in_flight().
struct NetStats {
  std::uint64_t sent = 0;               // send() calls
  std::uint64_t dropped_loss = 0;       // lost by the loss draw
  std::uint64_t dropped_blackhole = 0;  // sent on, or in flight on, a cut link
  std::uint64_t duplicated = 0;         // extra copies queued
  std::uint64_t corrupted = 0;          // copies damaged (bit flips or truncation)
  std::uint64_t truncated = 0;          // of those, cut short
  std::uint64_t reordered = 0;          // copies given the extra reorder delay
  std::uint64_t delivered = 0;          // copies handed out by pop_due()
};

struct Datagram {
  Instant at;            // delivery time
  std::uint64_t id = 0;  // sequence number given when queued (unique per copy)
  Endpoint from;
  Endpoint to;
  PacketBuf pkt;
};

// One line of the trace (enable_trace): what happened to which copy, when.
struct TraceEntry {
  enum class Kind : std::uint8_t { queued, lost, blackholed, delivered };
  Instant at;
  Kind kind;
  std::uint64_t id;  // copy id (0 for a datagram lost before it had one)
  Endpoint from;
  Endpoint to;
  std::size_t size;      // bytes (after damage)
  std::uint32_t digest;  // FNV-1a of the bytes (after damage)
  friend bool operator==(const TraceEntry&, const TraceEntry&) = default;
};

class SimNetwork {
 public:
  explicit SimNetwork(std::uint64_t seed, const Impairments& global = {}, Instant start = kEpoch);

  // --- the clock ---
  Instant now() const { return now_; }
  // Moves the clock to t. t must not be before now() (checked: aborts).
  void advance_to(Instant t);

  // --- configuration (applies to datagrams sent from now on) ---
  void set_impairments(const Impairments& global) { global_ = global; }
  const Impairments& impairments() const { return global_; }
  // Impairments for the directional link from -> to, overriding the global ones.
  void set_link_impairments(const Endpoint& from, const Endpoint& to, const Impairments& imp);
  void clear_link_impairments(const Endpoint& from, const Endpoint& to);
  // Cuts (or restores) the link between a and b, both directions.
  void set_blackhole(const Endpoint& a, const Endpoint& b, bool cut);
  void set_blackhole_one_way(const Endpoint& from, const Endpoint& to, bool cut);
  // Cuts (or restores) every link.
  void set_blackhole_all(bool cut) { all_cut_ = cut; }

  // --- traffic ---
  // Queues pkt from -> to at now(), applying the link's impairments.
  void send(const Endpoint& from, const Endpoint& to, PacketBuf&& pkt);
  // Delivery time of the earliest queued datagram; kNever when none.
  Instant next_delivery() const;
  // Takes the earliest datagram due at or before now(), skipping (and
  // counting) those whose link was cut meanwhile. nullopt when none is due.
  std::optional<Datagram> pop_due();
  std::size_t in_flight() const { return queue_.size(); }

  const NetStats& stats() const { return stats_; }

  // Records a TraceEntry for every queue, loss, blackhole and delivery.
  void enable_trace(bool on) { trace_on_ = on; }
  const std::vector<TraceEntry>& trace() const { return trace_; }

 private:
  struct LinkKey {
    Endpoint from, to;
    friend bool operator==(const LinkKey&, const LinkKey&) = default;
  };
  struct LinkKeyHash {
    std::size_t operator()(const LinkKey& k) const noexcept;
  };
  struct Link {
    std::optional<Impairments> imp;
    bool cut = false;
  };
  struct Later {  // heap order: earliest (at, id) on top
    bool operator()(const Datagram& a, const Datagram& b) const {
      return a.at != b.at ? a.at > b.at : a.id > b.id;
    }
  };

  const Impairments& impairments_for(const Endpoint& from, const Endpoint& to) const;
  bool is_cut(const Endpoint& from, const Endpoint& to) const;
  void queue_copy(const Impairments& imp, const Endpoint& from, const Endpoint& to, PacketBuf&& pkt);
  void damage(PacketBuf& pkt);
  void record(TraceEntry::Kind kind, std::uint64_t id, const Endpoint& from, const Endpoint& to,
              const PacketBuf& pkt);

  bool chance(double p);                 // true with probability p (draws only when 0 < p < 1)
  std::uint64_t below(std::uint64_t n);  // uniform in [0, n)
  Duration upto(Duration d);             // uniform in [0, d]

  crypto::SeededRandom rng_;
  Instant now_;
  Impairments global_;
  std::unordered_map<LinkKey, Link, LinkKeyHash> links_;
  bool all_cut_ = false;
  std::vector<Datagram> queue_;  // binary heap ordered by Later
  std::uint64_t next_id_ = 1;
  NetStats stats_;
  bool trace_on_ = false;
  std::vector<TraceEntry> trace_;
};

}  // namespace l2sec::sim
