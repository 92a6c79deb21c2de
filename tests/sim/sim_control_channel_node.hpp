// SimNode adapter for one l2tp::ControlChannel (sim_driver.hpp): the
// channel talking to a peer address, with no tunnel around it. Two of them
// make the raw pair the reliable-delivery tests drive (test-only).
//
// The channel outlives its node.
#pragma once

#include <cstdint>
#include <vector>

#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "l2tp/control_channel.hpp"
#include "sim_driver.hpp"

namespace l2sec::sim {

class ControlChannelNode final : public SimNode {
 public:
  // ch sends everything to `peer` and accepts control messages whose
  // Tunnel ID is `local_tunnel_id`; anything else is dropped and counted in
  // rejected().
  ControlChannelNode(l2tp::ControlChannel& ch, const Endpoint& peer, std::uint16_t local_tunnel_id)
      : ch_(ch), peer_(peer), local_tunnel_id_(local_tunnel_id) {}

  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) override;
  void on_timeout(Instant now) override { ch_.on_timeout(now); }
  Instant next_deadline() const override { return ch_.next_deadline(); }
  void flush(Instant now, gateway::Output& out) override;

  l2tp::ControlChannel& channel() { return ch_; }
  // Messages the channel delivered in order, oldest first.
  std::vector<l2tp::DeliveredMessage>& delivered() { return delivered_; }
  std::uint64_t rejected() const { return rejected_; }
  std::uint64_t datagrams_sent() const { return sent_; }

 private:
  l2tp::ControlChannel& ch_;
  Endpoint peer_;
  std::uint16_t local_tunnel_id_;
  std::vector<l2tp::DeliveredMessage> delivered_;
  std::uint64_t rejected_ = 0;
  std::uint64_t sent_ = 0;
};

}  // namespace l2sec::sim
