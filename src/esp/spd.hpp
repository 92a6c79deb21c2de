// Security Policy Database (RFC 4301 §4.4.1) as RFC 3193 uses it: an
// ordered list of filters over L2TP's UDP flows (or, on a circuit, over the
// circuit), each saying PROTECT, BYPASS or DISCARD.
//
// Filters are written from our side: `local` is this gateway's address and
// port, `remote` the peer's. RFC 3193's tables say "From X to Y"; for an
// outbound filter From is local, for an inbound one From is remote
// (rfc3193_filters.hpp does that translation).
//
// Contract:
// - Priority: a lower number wins; filters of equal priority keep the order
//   they were added in (RFC 3193 §4.2.1 lists filters highest priority first).
// - lookup() returns the first filter of the direction that matches, or
//   nullptr. What to do with "no filter" is the caller's policy (the gateway
//   treats it as DISCARD when any PROTECT filter exists, BYPASS otherwise).
// - lookup() is called per packet: after the first packet of a flow it costs
//   one hash and one compare whatever the number of filters (a direct-mapped
//   flow cache of fixed size, emptied by every add/remove; no allocation).
// - Sans-IO, no clock, not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/endpoint.hpp"

namespace l2sec::esp {

// One side of a selector: a host or Any-Addr, a UDP port or Any-Port.
struct HostSelector {
  std::optional<Endpoint> host;  // nullopt: Any-Addr. Its port is ignored.
  std::uint16_t port = 0;        // 0: Any-Port (RFC 3193 §4.2.1)

  static HostSelector any() { return {}; }
  static HostSelector of(const Endpoint& host, std::uint16_t port);  // port 0: Any-Port
  static HostSelector of_circuit(std::uint32_t circuit);

  // IP: same address family and address (unless Any-Addr) and port (unless
  // Any-Port). Circuit: the same circuit (Any-Addr matches any circuit too).
  bool matches(const Endpoint& e) const noexcept;
  // "192.0.2.1:1701", "Any-Addr:Any-Port", "[2001:db8::1]:Any-Port", "circuit 7".
  std::string to_string() const;
  friend bool operator==(const HostSelector&, const HostSelector&) = default;
};

// A traffic selector (RFC 4301 §4.4.1.1) for L2TP: UDP between two hosts, or
// a circuit (local Any, remote the circuit).
struct TrafficSelector {
  HostSelector local;
  HostSelector remote;

  bool matches(const Endpoint& local_ep, const Endpoint& remote_ep) const noexcept {
    return local.matches(local_ep) && remote.matches(remote_ep);
  }
  std::string to_string() const;  // "local 192.0.2.1:1701 <-> remote Any-Addr:Any-Port"
  friend bool operator==(const TrafficSelector&, const TrafficSelector&) = default;
};

enum class Direction : std::uint8_t { outbound, inbound };
enum class Action : std::uint8_t { protect, bypass, discard };

std::string_view direction_name(Direction d) noexcept;  // "outbound", "inbound"
std::string_view action_name(Action a) noexcept;        // "protect", "bypass", "discard"

struct Filter {
  Direction dir = Direction::outbound;
  TrafficSelector sel;
  Action action = Action::protect;
  int priority = 0;   // lower wins
  std::string label;  // e.g. "Initiator Inbound-2 (RFC 3193 4.2.2)"; logs and status
};

using FilterId = std::uint32_t;  // never 0, never reused by one Spd

class Spd {
 public:
  FilterId add(Filter f);
  bool remove(FilterId id);
  void clear();

  // The first matching filter of `dir` in priority order, nullptr if none.
  // The pointer stays valid until the next add/remove/clear.
  const Filter* lookup(Direction dir, const Endpoint& local, const Endpoint& remote) const;
  // The id of the filter lookup() would return (0 if none).
  FilterId lookup_id(Direction dir, const Endpoint& local, const Endpoint& remote) const;

  bool has_protect() const noexcept;  // any PROTECT filter at all
  std::size_t size() const noexcept { return entries_.size(); }

  struct Entry {
    FilterId id;
    Filter filter;
  };
  // In priority order.
  const std::vector<Entry>& entries() const noexcept { return entries_; }

 private:
  struct FlowKey {
    Endpoint local, remote;
    Direction dir;
    friend bool operator==(const FlowKey&, const FlowKey&) = default;
  };
  // The flow being looked up, by reference: the cache is probed without
  // copying the endpoints into a FlowKey (heterogeneous lookup).
  struct FlowRef {
    const Endpoint& local;
    const Endpoint& remote;
    Direction dir;
  };
  struct FlowKeyHash {
    using is_transparent = void;
    std::size_t operator()(const FlowKey& k) const noexcept;
    std::size_t operator()(const FlowRef& k) const noexcept;
  };
  struct FlowKeyEq {
    using is_transparent = void;
    bool operator()(const FlowKey& a, const FlowKey& b) const noexcept { return a == b; }
    bool operator()(const FlowRef& a, const FlowKey& b) const noexcept {
      return a.dir == b.dir && a.local == b.local && a.remote == b.remote;
    }
    bool operator()(const FlowKey& a, const FlowRef& b) const noexcept { return (*this)(b, a); }
  };
  std::size_t find_index(Direction dir, const Endpoint& local, const Endpoint& remote) const;

  std::vector<Entry> entries_;
  FilterId next_id_ = 1;
  std::size_t protect_count_ = 0;  // has_protect() is asked per unmatched packet
  // Flow cache, direct-mapped: a fixed array of slots allocated once, so a
  // flood of packets from ever-new addresses or ports (clear packets are
  // looked up before anything authenticates them) costs no allocation; a
  // colliding flow just evicts the slot. Emptied by every add/remove/clear.
  struct Slot {
    FlowKey key;
    std::size_t index = 0;         // into entries_ (SIZE_MAX: no filter matches)
    std::uint64_t generation = 0;  // valid when equal to generation_
  };
  static constexpr std::size_t kCacheSlots = 1024;  // power of two
  mutable std::vector<Slot> cache_ = std::vector<Slot>(kCacheSlots);
  std::uint64_t generation_ = 1;
};

}  // namespace l2sec::esp
