#include "sim_engine_node.hpp"

namespace l2sec::sim {

void EngineNode::flush(Instant now, gateway::Output& out) {
  for (;;) {
    bool any = false;
    while (auto t = engine_.poll_transmit()) {
      any = true;
      ++sent_;
      out.send(t->to, std::move(t->pkt));
    }
    while (auto e = engine_.poll_event()) {
      any = true;
      if (hook_) hook_(now, *e);
      if (record_) events_.push_back(TimedEvent{now, std::move(*e)});
    }
    if (!any) return;
  }
}

std::size_t EngineNode::count(l2tp::Event::Kind kind) const {
  std::size_t n = 0;
  for (const TimedEvent& t : events_) n += t.ev.kind == kind ? 1 : 0;
  return n;
}

}  // namespace l2sec::sim
