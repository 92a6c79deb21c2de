#include "esp/ipsec_layer.hpp"

#include <algorithm>

#include "core/wire.hpp"

namespace l2sec::esp {

std::optional<OutPdu> IpsecLayer::send(const Endpoint& local, const Endpoint& remote, PacketBuf&& l2tp) {
  const Filter* f = spd_.lookup(Direction::outbound, local, remote);
  // Fail closed: a flow no filter covers is discarded (an [esp] whose
  // filters name no peer must not leave L2TP in the clear).
  const Action action = f ? f->action : Action::discard;
  switch (action) {
    case Action::bypass:
      counters_.inc(Ctr::esp_tx_clear);
      return OutPdu{PduKind::l2tp, remote, std::move(l2tp)};
    case Action::discard:
      counters_.inc(Ctr::esp_tx_policy_discard);
      return std::nullopt;
    case Action::protect:
      break;
  }
  OutboundEntry* e = sad_.find_outbound(local, remote);
  if (!e) {
    counters_.inc(Ctr::esp_tx_no_sa);
    // One acquire per flow until an SA covers it: L2TP retransmits, and the
    // key manager must not see a negotiation request per retransmission.
    bool queued = std::any_of(pending_.begin(), pending_.end(),
                              [&](const Acquire& a) { return a.local == local && a.remote == remote; });
    if (!queued && pending_.size() < kMaxPendingAcquires) {
      Acquire a{local, remote, spd_.lookup_id(Direction::outbound, local, remote)};
      pending_.push_back(a);
      acquires_.push_back(a);
    }
    return std::nullopt;
  }
  if (!pending_.empty())
    std::erase_if(pending_, [&](const Acquire& a) { return a.local == local && a.remote == remote; });

  const SaBinding& b = e->binding;
  auto nh = push_inner(b.mode, InnerFlow{local, remote}, l2tp, ip_id_++);
  if (!nh) {
    // out_of_range: too big for UDP/IP; otherwise the flow does not fit the
    // SA's mode (an IP flow on a circuit SA): a configuration mismatch.
    counters_.inc(nh.error().code == Errc::out_of_range ? Ctr::esp_tx_too_big : Ctr::esp_tx_policy_discard);
    return std::nullopt;
  }
  if (!e->sa.encap(l2tp, *nh)) return std::nullopt;  // counted by the SA
  return OutPdu{b.udp_encap ? PduKind::esp_in_udp : PduKind::esp, b.outer_remote, std::move(l2tp)};
}

bool IpsecLayer::accept_clear(const Endpoint& local, const Endpoint& remote) {
  const Filter* f = spd_.lookup(Direction::inbound, local, remote);
  const Action action = f ? f->action : Action::discard;  // fail closed, as send()
  switch (action) {
    case Action::bypass:
      counters_.inc(Ctr::esp_rx_clear);
      return true;
    case Action::discard:
      counters_.inc(Ctr::esp_rx_policy_discard);
      return false;
    case Action::protect:
      if (!require_) {
        counters_.inc(Ctr::esp_rx_clear);
        return true;
      }
      counters_.inc(Ctr::esp_rx_clear_on_protected);
      return false;
  }
  return false;
}

Result<InnerFlow> IpsecLayer::open(const Endpoint& outer_from, const Endpoint& outer_to, PacketBuf& pkt,
                                   bool udp_encap) {
  if (pkt.size() < kEspHeaderSize) {
    counters_.inc(Ctr::esp_rx_truncated);
    return Error{Errc::truncated, "ESP packet shorter than its header"};
  }
  const std::uint8_t* p = pkt.data();
  const std::uint32_t spi = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                            (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
  InboundEntry* e = sad_.find_inbound(spi, outer_from);
  if (!e) {
    counters_.inc(Ctr::esp_rx_no_sa);
    return Error{Errc::not_found, "no SA for this SPI"};
  }
  // An SA keyed for plain ESP takes nothing from UDP 4500 and the reverse:
  // the medium a packet came by is part of what was agreed.
  if (e->binding.udp_encap != udp_encap) {
    counters_.inc(Ctr::esp_rx_encap_mismatch);
    return Error{Errc::malformed, "ESP on the other encapsulation than its SA's"};
  }
  auto nh = e->sa.decap(pkt);
  if (!nh) return nh.error();  // counted by the SA
  PullOptions opt;
  // RFC 3948 §3.1.2: behind a NAT the transport-mode UDP checksum covers
  // addresses that changed on the way; the ICV already covered the bytes.
  // A tunnel-mode inner header is the peer's own: NAT did not touch it.
  opt.verify_udp_checksum = !udp_encap || e->binding.mode == Mode::tunnel;
  auto flow = pull_inner(e->binding.mode, *nh, outer_from, outer_to, pkt, counters_, opt);
  if (!flow) return flow.error();
  // RFC 3193 §3.3: the packet must belong to the flow this SA was set up
  // for (addresses and ports), whatever SPI it came with.
  if (!e->binding.selector.matches(flow->dst, flow->src)) {
    counters_.inc(Ctr::esp_rx_selector_mismatch);
    return Error{Errc::malformed, "decapsulated packet outside its SA's selectors"};
  }
  const Filter* f = spd_.lookup(Direction::inbound, flow->dst, flow->src);
  if (f && f->action == Action::discard) {
    counters_.inc(Ctr::esp_rx_policy_discard);
    return Error{Errc::malformed, "inbound flow discarded by policy"};
  }
  // RFC 3948: a NAT may move the peer's outer port (its mapping expired or
  // was rebuilt). Only an authenticated packet may move where we send.
  if (udp_encap && e->binding.outer_remote != outer_from) follow_nat(*e, outer_from, *flow);
  return flow;
}

void IpsecLayer::follow_nat(InboundEntry& in, const Endpoint& outer_from, const InnerFlow& flow) {
  counters_.inc(Ctr::esp_natt_peer_moved);
  in.binding.outer_remote = outer_from;
  if (OutboundEntry* out = sad_.find_outbound(flow.dst, flow.src); out && out->binding.udp_encap)
    out->binding.outer_remote = outer_from;
}

std::optional<Acquire> IpsecLayer::poll_acquire() {
  if (acquires_.empty()) return std::nullopt;
  Acquire a = acquires_.front();
  acquires_.pop_front();
  return a;
}

Counters IpsecLayer::counters() const {
  Counters c = counters_;
  c += sad_.counters();
  return c;
}

}  // namespace l2sec::esp
