#include "esp/spd.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "esp/flow_hash.hpp"

namespace l2sec::esp {

namespace {

constexpr std::size_t kNoFilter = std::numeric_limits<std::size_t>::max();

// Our choice: the flow cache is a fixed direct-mapped array (spd.hpp), so a
// peer spraying packets from ever new source ports costs no memory and no
// allocation, only a linear scan per evicted flow; the common case, a few
// hundred long-lived L2TP flows, stays at one hash and one compare.

// Address octets compared by family: an IPv4 endpoint keeps its address in
// the first 4 octets, whatever the rest holds.
bool same_address(const Endpoint& a, const Endpoint& b) noexcept {
  const std::size_t n = a.kind == Endpoint::Kind::ipv4 ? 4 : 16;
  return std::memcmp(a.addr.data(), b.addr.data(), n) == 0;
}

}  // namespace

// ---- HostSelector, TrafficSelector ----

HostSelector HostSelector::of(const Endpoint& host, std::uint16_t port) {
  HostSelector s;
  s.host = host;
  s.host->port = 0;  // the selector's port is `port`; keeps == meaningful
  s.port = port;
  return s;
}

HostSelector HostSelector::of_circuit(std::uint32_t circuit) {
  HostSelector s;
  s.host = Endpoint::of_circuit(circuit);
  return s;
}

bool HostSelector::matches(const Endpoint& e) const noexcept {
  if (!host) {
    // Any-Addr. A port only exists on IP: Any-Addr:1701 matches no circuit.
    return port == 0 || (e.is_ip() && e.port == port);
  }
  if (host->kind != e.kind) return false;  // IPv4 never matches IPv6, nor IP a circuit
  switch (e.kind) {
    case Endpoint::Kind::ipv4:
    case Endpoint::Kind::ipv6:
      return same_address(*host, e) && (port == 0 || e.port == port);
    case Endpoint::Kind::circuit:
      return host->circuit == e.circuit;
    case Endpoint::Kind::none:
      return false;  // a selector naming "no endpoint" covers nothing
  }
  return false;
}

std::string HostSelector::to_string() const {
  const std::string port_text = port == 0 ? "Any-Port" : std::to_string(port);
  if (!host) return "Any-Addr:" + port_text;
  if (!host->is_ip()) return host->to_string();  // "circuit 7"
  std::string s = host->to_string();             // "...:0" (port cleared by of())
  const auto colon = s.rfind(':');
  return s.substr(0, colon + 1) + port_text;
}

std::string TrafficSelector::to_string() const {
  return "local " + local.to_string() + " <-> remote " + remote.to_string();
}

std::string_view direction_name(Direction d) noexcept {
  switch (d) {
    case Direction::outbound:
      return "outbound";
    case Direction::inbound:
      return "inbound";
  }
  return "?";
}

std::string_view action_name(Action a) noexcept {
  switch (a) {
    case Action::protect:
      return "protect";
    case Action::bypass:
      return "bypass";
    case Action::discard:
      return "discard";
  }
  return "?";
}

// ---- Spd ----

std::size_t Spd::FlowKeyHash::operator()(const FlowKey& k) const noexcept {
  return flow_hash(k.local, k.remote, static_cast<std::uint64_t>(k.dir));
}
std::size_t Spd::FlowKeyHash::operator()(const FlowRef& k) const noexcept {
  return flow_hash(k.local, k.remote, static_cast<std::uint64_t>(k.dir));
}

FilterId Spd::add(Filter f) {
  const FilterId id = next_id_++;
  // After every filter of the same priority: equal priorities keep the order
  // they were added in.
  auto at = std::upper_bound(entries_.begin(), entries_.end(), f.priority,
                             [](int p, const Entry& e) { return p < e.filter.priority; });
  if (f.action == Action::protect) ++protect_count_;
  entries_.insert(at, Entry{id, std::move(f)});
  ++generation_;  // empties the flow cache
  return id;
}

bool Spd::remove(FilterId id) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [id](const Entry& e) { return e.id == id; });
  if (it == entries_.end()) return false;
  if (it->filter.action == Action::protect) --protect_count_;
  entries_.erase(it);
  ++generation_;  // empties the flow cache
  return true;
}

void Spd::clear() {
  entries_.clear();
  protect_count_ = 0;
  ++generation_;  // empties the flow cache
}

std::size_t Spd::find_index(Direction dir, const Endpoint& local, const Endpoint& remote) const {
  Slot& slot = cache_[FlowKeyHash{}(FlowRef{local, remote, dir}) & (kCacheSlots - 1)];
  if (slot.generation == generation_ && FlowKeyEq{}(FlowRef{local, remote, dir}, slot.key)) return slot.index;
  std::size_t found = kNoFilter;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    const Filter& f = entries_[i].filter;
    if (f.dir == dir && f.sel.matches(local, remote)) {
      found = i;
      break;
    }
  }
  slot.key = FlowKey{local, remote, dir};
  slot.index = found;
  slot.generation = generation_;
  return found;
}

const Filter* Spd::lookup(Direction dir, const Endpoint& local, const Endpoint& remote) const {
  const std::size_t i = find_index(dir, local, remote);
  return i == kNoFilter ? nullptr : &entries_[i].filter;
}

FilterId Spd::lookup_id(Direction dir, const Endpoint& local, const Endpoint& remote) const {
  const std::size_t i = find_index(dir, local, remote);
  return i == kNoFilter ? 0 : entries_[i].id;
}

bool Spd::has_protect() const noexcept { return protect_count_ != 0; }

}  // namespace l2sec::esp
