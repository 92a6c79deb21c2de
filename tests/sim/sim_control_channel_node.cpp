#include "sim_control_channel_node.hpp"

#include "l2tp/header.hpp"

namespace l2sec::sim {

void ControlChannelNode::on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt) {
  auto parsed = l2tp::parse_header(pkt.bytes());
  if (!parsed || !parsed->hdr.control || parsed->hdr.tunnel_id != local_tunnel_id_ || !(from == peer_)) {
    ++rejected_;
    return;
  }
  // Keep only the AVPs: strip the header and anything after Length.
  pkt.trim_back(pkt.size() - (parsed->payload_offset + parsed->payload_size));
  pkt.pull_front(parsed->payload_offset);
  ch_.on_receive(now, parsed->hdr, std::move(pkt));
}

void ControlChannelNode::flush(Instant now, gateway::Output& out) {
  while (auto p = ch_.poll_transmit(now)) {
    ++sent_;
    out.send(peer_, std::move(*p));
  }
  while (auto m = ch_.poll_delivered()) delivered_.push_back(std::move(*m));
}

}  // namespace l2sec::sim
