// SimNode adapter for gateway::Gateway (sim_driver.hpp): the gateway sends
// through gateway::Output, which the driver implements onto the network.
#pragma once

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

}  // namespace l2sec::sim
