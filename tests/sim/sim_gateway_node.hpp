// SimNode adapter for gateway::Gateway (sim_driver.hpp): the gateway sends
// through gateway::Output, which the driver implements onto the network.
#pragma once

#include "esp/framing.hpp"
#include "gateway/gateway.hpp"
#include "sim_driver.hpp"

namespace l2sec::sim {

class GatewayNode final : public SimNode {
 public:
  // gw must outlive the node.
  explicit GatewayNode(gateway::Gateway& gw) : gw_(gw) {}

  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override {
    gw_.on_datagram(now, from, std::move(pkt));
  }
  void on_timeout(Instant now) override { gw_.on_timeout(now); }
  Instant next_deadline() const override { return gw_.next_deadline(); }
  void flush(Instant now, gateway::Output& out) override { gw_.flush(now, out); }

  gateway::Gateway& gateway() { return gw_; }

 private:
  gateway::Gateway& gw_;
};

// The gateway's ESP endpoint on the simulated network: attach it at the
// gateway's address with port 0 (IP protocol 50) or the NAT-T port
// (udp_encap). What the gateway emits in answer is flushed by its
// GatewayNode, which the driver flushes after every input.
class EspPortNode final : public SimNode {
 public:
  EspPortNode(gateway::Gateway& gw, const Endpoint& self, bool udp_encap)
      : gw_(gw), self_(self), udp_encap_(udp_encap) {}

  // On the NAT-T port, what the IP medium does: keepalives and IKE are not
  // ESP (RFC 3948 §2); they are counted here.
  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override {
    if (udp_encap_ && esp::classify_natt(pkt.bytes()) != esp::NattKind::esp) {
      ++not_esp_;
      return;
    }
    gw_.on_esp(now, from, self_, std::move(pkt), udp_encap_);
  }
  std::uint64_t not_esp() const { return not_esp_; }
  void on_timeout(Instant) override {}
  Instant next_deadline() const override { return kNever; }
  void flush(Instant, gateway::Output&) override {}

 private:
  gateway::Gateway& gw_;
  Endpoint self_;
  bool udp_encap_;
  std::uint64_t not_esp_ = 0;
};

}  // namespace l2sec::sim
