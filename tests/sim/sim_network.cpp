#include "sim_network.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace l2sec::sim {
namespace {

std::uint32_t fnv1a(std::span<const std::uint8_t> b) {
  std::uint32_t h = 2166136261u;
  for (std::uint8_t c : b) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

std::size_t SimNetwork::LinkKeyHash::operator()(const LinkKey& k) const noexcept {
  EndpointHash h;
  return h(k.from) * 31 + h(k.to);
}

SimNetwork::SimNetwork(std::uint64_t seed, const Impairments& global, Instant start)
    : rng_(seed), now_(start), global_(global) {}

void SimNetwork::advance_to(Instant t) {
  if (t < now_) {
    std::fputs("SimNetwork::advance_to: time cannot go backwards\n", stderr);
    std::abort();
  }
  now_ = t;
}

void SimNetwork::set_link_impairments(const Endpoint& from, const Endpoint& to, const Impairments& imp) {
  links_[LinkKey{from, to}].imp = imp;
}

void SimNetwork::clear_link_impairments(const Endpoint& from, const Endpoint& to) {
  auto it = links_.find(LinkKey{from, to});
  if (it != links_.end()) it->second.imp.reset();
}

void SimNetwork::set_blackhole(const Endpoint& a, const Endpoint& b, bool cut) {
  set_blackhole_one_way(a, b, cut);
  set_blackhole_one_way(b, a, cut);
}

void SimNetwork::set_blackhole_one_way(const Endpoint& from, const Endpoint& to, bool cut) {
  links_[LinkKey{from, to}].cut = cut;
}

const Impairments& SimNetwork::impairments_for(const Endpoint& from, const Endpoint& to) const {
  if (!links_.empty()) {
    auto it = links_.find(LinkKey{from, to});
    if (it != links_.end() && it->second.imp) return *it->second.imp;
  }
  return global_;
}

bool SimNetwork::is_cut(const Endpoint& from, const Endpoint& to) const {
  if (all_cut_) return true;
  if (links_.empty()) return false;
  auto it = links_.find(LinkKey{from, to});
  return it != links_.end() && it->second.cut;
}

bool SimNetwork::chance(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  // 53 random bits -> a double uniform in [0, 1).
  const double u = static_cast<double>(rng_.next() >> 11) * 0x1.0p-53;
  return u < p;
}

std::uint64_t SimNetwork::below(std::uint64_t n) { return n <= 1 ? 0 : rng_.next() % n; }

Duration SimNetwork::upto(Duration d) {
  if (d <= Duration::zero()) return Duration::zero();
  return Duration{static_cast<Duration::rep>(below(static_cast<std::uint64_t>(d.count()) + 1))};
}

void SimNetwork::record(TraceEntry::Kind kind, std::uint64_t id, const Endpoint& from, const Endpoint& to,
                        const PacketBuf& pkt) {
  if (!trace_on_) return;
  trace_.push_back(TraceEntry{now_, kind, id, from, to, pkt.size(), fnv1a(pkt.bytes())});
}

void SimNetwork::damage(PacketBuf& pkt) {
  ++stats_.corrupted;
  if (pkt.empty()) return;
  if (chance(0.5)) {
    ++stats_.truncated;
    pkt.trim_back(pkt.size() - below(pkt.size()));  // keep [0, size) bytes
    return;
  }
  // 1..4 distinct bits, so the copy always differs from what was sent.
  const std::uint64_t bits = pkt.size() * 8;
  const std::uint64_t flips = std::min<std::uint64_t>(1 + below(4), bits);
  std::uint64_t chosen[4];
  for (std::uint64_t i = 0; i < flips; ++i) {
    std::uint64_t bit;
    do bit = below(bits);
    while (std::find(chosen, chosen + i, bit) != chosen + i);
    chosen[i] = bit;
    pkt.data()[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
  }
}

void SimNetwork::queue_copy(const Impairments& imp, const Endpoint& from, const Endpoint& to,
                            PacketBuf&& pkt) {
  Duration d = imp.delay + upto(imp.jitter);
  if (chance(imp.reorder)) {
    ++stats_.reordered;
    d += upto(imp.reorder_delay);
  }
  if (chance(imp.corrupt)) damage(pkt);
  Datagram dg{now_ + d, next_id_++, from, to, std::move(pkt)};
  record(TraceEntry::Kind::queued, dg.id, from, to, dg.pkt);
  queue_.push_back(std::move(dg));
  std::push_heap(queue_.begin(), queue_.end(), Later{});
}

void SimNetwork::send(const Endpoint& from, const Endpoint& to, PacketBuf&& pkt) {
  ++stats_.sent;
  if (is_cut(from, to)) {
    ++stats_.dropped_blackhole;
    record(TraceEntry::Kind::blackholed, 0, from, to, pkt);
    return;
  }
  const Impairments& imp = impairments_for(from, to);
  if (chance(imp.loss)) {
    ++stats_.dropped_loss;
    record(TraceEntry::Kind::lost, 0, from, to, pkt);
    return;
  }
  std::optional<PacketBuf> copy;
  if (chance(imp.duplicate)) {
    ++stats_.duplicated;
    copy = pkt.clone();
  }
  queue_copy(imp, from, to, std::move(pkt));
  if (copy) queue_copy(imp, from, to, std::move(*copy));
}

Instant SimNetwork::next_delivery() const { return queue_.empty() ? kNever : queue_.front().at; }

std::optional<Datagram> SimNetwork::pop_due() {
  while (!queue_.empty() && queue_.front().at <= now_) {
    std::pop_heap(queue_.begin(), queue_.end(), Later{});
    Datagram dg = std::move(queue_.back());
    queue_.pop_back();
    if (is_cut(dg.from, dg.to)) {
      ++stats_.dropped_blackhole;
      record(TraceEntry::Kind::blackholed, dg.id, dg.from, dg.to, dg.pkt);
      continue;
    }
    ++stats_.delivered;
    record(TraceEntry::Kind::delivered, dg.id, dg.from, dg.to, dg.pkt);
    return dg;
  }
  return std::nullopt;
}

}  // namespace l2sec::sim
