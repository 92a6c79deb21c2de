#include "esp/sad.hpp"

#include <algorithm>
#include <cstring>

#include "esp/flow_hash.hpp"

namespace l2sec::esp {

namespace {

// Our choice, as Spd's: the outbound flow cache is bounded so that flows
// made up by a peer cannot grow it without limit (emptied when full).
constexpr std::size_t kFlowCacheLimit = 16384;

}  // namespace

std::string_view mode_name(Mode m) noexcept {
  switch (m) {
    case Mode::transport:
      return "transport";
    case Mode::tunnel:
      return "tunnel";
    case Mode::ipless:
      return "ipless";
  }
  return "?";
}

std::size_t Sad::InKeyHash::operator()(const InKey& k) const noexcept {
  const std::uint64_t v = (std::uint64_t{k.circuit} << 32) | k.spi;
  return static_cast<std::size_t>(splitmix64_finalise(v ^ (k.on_circuit ? 0x5bd1e995ull << 40 : 0)));
}

std::size_t Sad::FlowKeyHash::operator()(const FlowKey& k) const noexcept {
  return flow_hash(k.local, k.remote);
}
std::size_t Sad::FlowKeyHash::operator()(const FlowRef& k) const noexcept {
  return flow_hash(k.local, k.remote);
}

Sad::InKey Sad::key_of(std::uint32_t spi, const Endpoint& outer_from) noexcept {
  if (outer_from.kind == Endpoint::Kind::circuit) return InKey{outer_from.circuit, spi, true};
  return InKey{0, spi, false};  // IP: we allocate our inbound SPIs, the SPI alone selects
}

Result<SaId> Sad::add_inbound(SaBinding b, InboundSa sa) {
  // Packets of this SA come from the peer's end of the circuit; a binding
  // that names the circuit on our side only is keyed by it all the same.
  const Endpoint& from = b.outer_remote.kind == Endpoint::Kind::circuit ? b.outer_remote : b.outer_local;
  const InKey key = key_of(sa.spi(), from);
  if (in_.contains(key)) return Error{Errc::exists, "an inbound SA with this SPI exists (on this circuit)"};
  const SaId id = next_id_++;
  in_.emplace(key, std::make_unique<InboundEntry>(InboundEntry{id, std::move(b), std::move(sa)}));
  return id;
}

SaId Sad::add_outbound(SaBinding b, OutboundSa sa) {
  const SaId id = next_id_++;
  out_.push_back(std::make_unique<OutboundEntry>(OutboundEntry{id, std::move(b), std::move(sa)}));
  out_cache_.clear();
  return id;
}

bool Sad::remove(SaId id) {
  if (id == 0) return false;
  for (auto it = in_.begin(); it != in_.end(); ++it) {
    if (it->second->id == id) {
      in_.erase(it);
      return true;
    }
  }
  auto it = std::find_if(out_.begin(), out_.end(), [id](const auto& e) { return e->id == id; });
  if (it == out_.end()) return false;
  out_.erase(it);
  out_cache_.clear();
  return true;
}

void Sad::clear() {
  in_.clear();
  out_.clear();
  out_cache_.clear();
}

InboundEntry* Sad::find_inbound(std::uint32_t spi, const Endpoint& outer_from) noexcept {
  auto it = in_.find(key_of(spi, outer_from));
  return it == in_.end() ? nullptr : it->second.get();
}

OutboundEntry* Sad::find_outbound(const Endpoint& local, const Endpoint& remote) noexcept {
  if (auto it = out_cache_.find(FlowRef{local, remote}); it != out_cache_.end()) return it->second;
  OutboundEntry* found = nullptr;
  for (auto it = out_.rbegin(); it != out_.rend(); ++it) {  // newest first
    if ((*it)->binding.selector.matches(local, remote)) {
      found = it->get();
      break;
    }
  }
  if (out_cache_.size() >= kFlowCacheLimit) out_cache_.clear();
  out_cache_.emplace(FlowKey{local, remote}, found);
  return found;
}

InboundEntry* Sad::inbound(SaId id) noexcept {
  for (auto& [k, e] : in_)
    if (e->id == id) return e.get();
  return nullptr;
}

OutboundEntry* Sad::outbound(SaId id) noexcept {
  for (auto& e : out_)
    if (e->id == id) return e.get();
  return nullptr;
}

Counters Sad::counters() const {
  Counters sum;
  for (const auto& [k, e] : in_) sum += e->sa.counters();
  for (const auto& e : out_) sum += e->sa.counters();
  return sum;
}

}  // namespace l2sec::esp
