// The circuit medium (DESIGN.md §3, transports/link.hpp): between the
// gateway and the link adapters. The gateway speaks of circuits as
// Endpoint::of_circuit(id); here those become (adapter, circuit, PDU kind):
//
//   gateway Output::send(circuit, L2TP)        -> adapter.send(c, PduKind::l2tp)
//   gateway Output::send_esp(circuit, ESP)     -> adapter.send(c, PduKind::esp)
//   adapter on_pdu(c, l2tp)                    -> gateway.on_datagram(circuit)
//   adapter on_pdu(c, esp)                     -> gateway.on_esp(circuit, circuit)
//   adapter on_pdu(c, ipless_udp)              -> IKE (counted as unhandled until IKE exists)
//   adapter on_circuit_state(c, up/down)       -> gateway.on_circuit_state, log
//
// Endpoints that are not circuits go to the IP medium given (if any), so
// one Output serves a gateway with IP peers and circuit peers alike.
//
// Sans-IO: what adapters report is queued and handed to the gateway by
// pump(), never from inside the gateway's own flush (an adapter wired back
// to back in one process must not re-enter the engine while it sends).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "gateway/gateway.hpp"
#include "transports/link.hpp"

namespace l2sec::media {

class CircuitMedium final : public gateway::Output, public transports::LinkUpcalls {
 public:
  // `ip`: where IP endpoints go (null: dropped, counted as circuit_tx_no_route).
  explicit CircuitMedium(gateway::Gateway& gw, gateway::Output* ip = nullptr);

  // Hands circuits `ids` of adapter `a` to this medium (a must outlive it).
  // Call before start(). Sets a's upcalls.
  void add(transports::LinkAdapter& a, const std::vector<transports::CircuitId>& ids);

  // Circuit state changes, for the log ("circuit fr-100 (fr0 dlci 100) up").
  using StateFn = std::function<void(const transports::CircuitInfo&)>;
  void on_state_change(StateFn fn) { state_fn_ = std::move(fn); }

  void start(Instant now);  // starts every adapter
  void stop(Instant now);   // stops every adapter (circuits down, admin)

  // Delivers what the adapters reported to the gateway, then flushes the
  // gateway through this medium, until nothing is left. Call after every
  // input (a frame handed to an adapter, a timeout, an IP datagram).
  void pump(Instant now);

  void on_timeout(Instant now);  // every adapter whose deadline has come
  Instant next_deadline() const;

  // gateway::Output
  void send(const Endpoint& to, PacketBuf&& datagram) override;
  void send_esp(const Endpoint& to, PacketBuf&& esp, bool udp_encap) override;

  // transports::LinkUpcalls
  void on_pdu(Instant now, transports::CircuitId c, transports::PduKind kind, PacketBuf&& pdu) override;
  void on_circuit_state(Instant now, transports::CircuitId c, bool up, transports::DownReason why) override;

  std::vector<transports::CircuitInfo> circuits() const;  // every adapter's, in id order
  // The medium's counters plus every adapter's.
  Counters counters() const;
  std::size_t adapter_count() const { return adapters_.size(); }

 private:
  struct Inbound {
    bool is_state = false;
    transports::CircuitId circuit = 0;
    transports::PduKind kind = transports::PduKind::l2tp;
    PacketBuf pdu;
    bool up = false;
    transports::DownReason why = transports::DownReason::none;
  };
  void deliver(Instant now, Inbound& in);
  bool to_circuit(const Endpoint& to, transports::PduKind kind, PacketBuf&& pkt);

  gateway::Gateway& gw_;
  gateway::Output* ip_;
  std::vector<transports::LinkAdapter*> adapters_;
  std::unordered_map<transports::CircuitId, transports::LinkAdapter*> by_circuit_;
  std::vector<Inbound> inbox_, batch_;
  Instant now_ = kEpoch;  // the latest Instant seen: sends happen inside pump()
  StateFn state_fn_;
  Counters counters_;
};

}  // namespace l2sec::media
