#include "sim_driver.hpp"

#include <stdexcept>
#include <string>

namespace l2sec::sim {
void SimDriver::attach(const Endpoint& addr, SimNode& node) {
  if (Slot* s = find(addr)) {
    s->node = &node;
    return;
  }
  nodes_.push_back(Slot{addr, &node, NetOutput{net_, addr}});
}

SimDriver::Slot* SimDriver::find(const Endpoint& addr) {
  // A handful of nodes: a linear scan beats hashing.
  for (Slot& s : nodes_)
    if (s.addr == addr) return &s;
  return nullptr;
}

void SimDriver::flush() {
  for (Slot& s : nodes_) s.node->flush(net_.now(), s.out);
}

Instant SimDriver::next_deadline() const {
  Instant t = kNever;
  for (const Slot& s : nodes_) t = earliest(t, s.node->next_deadline());
  return t;
}

bool SimDriver::step(const std::function<bool()>& pred) {
  const Instant now = net_.now();
  if (now != instant_) {
    instant_ = now;
    inputs_at_instant_ = 0;
  }
  auto check_livelock = [&] {
    if (++inputs_at_instant_ > max_inputs_per_instant_)
      throw std::runtime_error(
          "SimDriver: no progress at t=" + std::to_string(now.time_since_epoch().count()) + " ns");
  };
  for (;;) {
    bool any = false;
    while (auto dg = net_.pop_due()) {
      any = true;
      check_livelock();
      Slot* dst = find(dg->to);
      if (dst == nullptr) {
        ++stats_.unroutable;
        continue;
      }
      ++stats_.deliveries;
      dst->node->on_datagram(now, dg->from, std::move(dg->pkt));
      flush();
      if (pred && pred()) return true;
    }
    for (Slot& s : nodes_) {
      if (s.node->next_deadline() > now) continue;
      any = true;
      check_livelock();
      ++stats_.timeouts;
      s.node->on_timeout(now);
      flush();
      if (pred && pred()) return true;
    }
    // A timeout may have queued zero-delay datagrams due at this instant.
    if (!any || net_.next_delivery() > now) return false;
  }
}

bool SimDriver::run_until(const std::function<bool()>& pred, Instant limit) {
  flush();
  if (pred && pred()) return true;
  for (;;) {
    Instant t = earliest(net_.next_delivery(), next_deadline());
    if (t > limit || t == kNever) {
      if (limit > net_.now() && limit != kNever) net_.advance_to(limit);
      return pred ? pred() : false;
    }
    if (t > net_.now()) net_.advance_to(t);
    ++stats_.steps;
    if (step(pred)) return true;
  }
}

}  // namespace l2sec::sim
