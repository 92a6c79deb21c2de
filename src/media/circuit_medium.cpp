#include "media/circuit_medium.hpp"

#include <algorithm>

namespace l2sec::media {

using transports::CircuitId;
using transports::PduKind;

CircuitMedium::CircuitMedium(gateway::Gateway& gw, gateway::Output* ip) : gw_(gw), ip_(ip) {}

void CircuitMedium::add(transports::LinkAdapter& a, const std::vector<CircuitId>& ids) {
  adapters_.push_back(&a);
  for (CircuitId id : ids) by_circuit_[id] = &a;
  a.set_upcalls(this);
}

void CircuitMedium::start(Instant now) {
  now_ = now;
  for (auto* a : adapters_) a->start(now);
  pump(now);
}

void CircuitMedium::stop(Instant now) {
  now_ = now;
  for (auto* a : adapters_) a->stop(now);
  pump(now);
}

void CircuitMedium::pump(Instant now) {
  now_ = now;
  for (;;) {
    gw_.flush(now, *this);
    if (inbox_.empty()) break;
    batch_.swap(inbox_);
    for (Inbound& in : batch_) deliver(now, in);
    batch_.clear();
  }
}

void CircuitMedium::on_timeout(Instant now) {
  now_ = now;
  for (auto* a : adapters_)
    if (a->next_deadline() <= now) a->on_timeout(now);
}

Instant CircuitMedium::next_deadline() const {
  Instant d = kNever;
  for (const auto* a : adapters_) d = earliest(d, a->next_deadline());
  return d;
}

bool CircuitMedium::to_circuit(const Endpoint& to, PduKind kind, PacketBuf&& pkt) {
  auto it = by_circuit_.find(to.circuit);
  if (it == by_circuit_.end()) {
    counters_.inc(Ctr::circuit_tx_no_route);
    return false;
  }
  if (!it->second->send(now_, to.circuit, kind, std::move(pkt))) {
    counters_.inc(Ctr::circuit_tx_refused);
    return false;
  }
  counters_.inc(Ctr::circuit_tx_pdus);
  return true;
}

void CircuitMedium::send(const Endpoint& to, PacketBuf&& datagram) {
  if (to.kind == Endpoint::Kind::circuit) {
    to_circuit(to, PduKind::l2tp, std::move(datagram));
  } else if (ip_) {
    ip_->send(to, std::move(datagram));
  } else {
    counters_.inc(Ctr::circuit_tx_no_route);
  }
}

void CircuitMedium::send_esp(const Endpoint& to, PacketBuf&& esp, bool udp_encap) {
  if (to.kind == Endpoint::Kind::circuit) {
    // No UDP encapsulation on a circuit (no NAT to cross, DESIGN.md §3).
    if (udp_encap) {
      counters_.inc(Ctr::circuit_tx_no_route);
      return;
    }
    to_circuit(to, PduKind::esp, std::move(esp));
  } else if (ip_) {
    ip_->send_esp(to, std::move(esp), udp_encap);
  } else {
    counters_.inc(Ctr::circuit_tx_no_route);
  }
}

void CircuitMedium::on_pdu(Instant, CircuitId c, PduKind kind, PacketBuf&& pdu) {
  Inbound in;
  in.circuit = c;
  in.kind = kind;
  in.pdu = std::move(pdu);
  inbox_.push_back(std::move(in));
}

void CircuitMedium::on_circuit_state(Instant, CircuitId c, bool up, transports::DownReason why) {
  Inbound in;
  in.is_state = true;
  in.circuit = c;
  in.up = up;
  in.why = why;
  inbox_.push_back(std::move(in));
}

void CircuitMedium::deliver(Instant now, Inbound& in) {
  const Endpoint ep = Endpoint::of_circuit(in.circuit);
  if (in.is_state) {
    if (state_fn_) {
      for (const auto& info : circuits())
        if (info.id == in.circuit) {
          transports::CircuitInfo i = info;
          i.up = in.up;
          i.reason = in.up ? transports::DownReason::none : in.why;
          state_fn_(i);
        }
    }
    gw_.on_circuit_state(now, in.circuit, in.up);
    return;
  }
  counters_.inc(Ctr::circuit_rx_pdus);
  switch (in.kind) {
    case PduKind::l2tp:
      gw_.on_datagram(now, ep, std::move(in.pdu));
      break;
    case PduKind::esp:
      gw_.on_esp(now, ep, ep, std::move(in.pdu), false);
      break;
    case PduKind::ipless_udp:
      counters_.inc(Ctr::circuit_rx_ike_unhandled);
      break;
  }
}

std::vector<transports::CircuitInfo> CircuitMedium::circuits() const {
  std::vector<transports::CircuitInfo> all;
  for (const auto* a : adapters_) {
    auto v = a->circuits();
    all.insert(all.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  }
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return all;
}

Counters CircuitMedium::counters() const {
  Counters c = counters_;
  for (const auto* a : adapters_) c += a->counters();
  return c;
}

}  // namespace l2sec::media
