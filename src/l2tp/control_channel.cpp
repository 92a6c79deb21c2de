// Reliable delivery of L2TP control messages (RFC 2661 §5.8, Appendix A).
// The contract and the choices made where the RFC leaves room are in
// control_channel.hpp.
//
// Sequence state, sender side (all Ns mod 2^16, in order):
//
//   ns_una()            ns_wire()              ns_next_
//     |  on the wire      |  waiting for window  |
//     [ acked? no ....... ][ ................... ]
//     \_____ in_flight_ __/
//     \__________________ unacked_ _____________/
//
// Receiver side: nr_expected_ is the Nr we send; messages with Ns in
// (nr_expected_, nr_expected_ + receive_window) are held in reorder_.
#include "l2tp/control_channel.hpp"

#include <algorithm>
#include <cmath>

namespace l2sec::l2tp {

ControlChannel::ControlChannel(const ControlChannelConfig& cfg, Counters& counters)
    : cfg_(cfg), counters_(&counters) {}

void ControlChannel::set_peer_window(std::uint16_t w) {
  if (w == 0) return;  // §5.8: 0 is invalid
  peer_window_ = w;
  // Appendix A: SSTHRESH starts at the advertised window; CWND never
  // exceeds it.
  ssthresh_ = w;
  cwnd_ = std::min(cwnd_, static_cast<double>(w));
}

std::uint16_t ControlChannel::ns_una() const { return unacked_.empty() ? ns_next_ : unacked_.front().ns; }

std::uint16_t ControlChannel::ns_wire() const { return static_cast<std::uint16_t>(ns_una() + in_flight_); }

std::size_t ControlChannel::send_limit() const {
  auto c = static_cast<std::size_t>(std::floor(cwnd_));
  return std::max<std::size_t>(1, std::min<std::size_t>(peer_window_, c));
}

Result<void> ControlChannel::send(Instant /*now*/, std::uint16_t session_id, PacketBuf&& avps) {
  if (queued() >= cfg_.max_send_queue) {
    counters_->inc(Ctr::l2tp_ctl_tx_queue_full);
    return Error{Errc::no_resources, "control send queue full"};
  }
  Outgoing m;
  m.ns = ns_next_++;
  m.session_id = session_id;
  m.avps = std::move(avps);
  unacked_.push_back(std::move(m));
  return ok();
}

void ControlChannel::on_receive(Instant now, const Header& hdr, PacketBuf&& avps) {
  if (failed_) return;
  const bool zlb = avps.empty();
  if (zlb) counters_->inc(Ctr::l2tp_ctl_zlb_rx);
  apply_nr(hdr.nr);
  if (zlb) return;  // a ZLB takes no Ns and is never acknowledged
  owe_ack(now);
  accept_ns(hdr, std::move(avps));
}

void ControlChannel::apply_nr(std::uint16_t nr) {
  const std::uint16_t una = ns_una();
  const auto acked = static_cast<std::uint16_t>(nr - una);
  if (acked <= in_flight_) {
    for (std::uint16_t i = 0; i < acked; ++i) on_acked();
    return;
  }
  if (seq_before(nr, una)) return;  // stale: acknowledges nothing new
  counters_->inc(Ctr::l2tp_ctl_rx_bad_nr);
}

void ControlChannel::on_acked() {
  unacked_.pop_front();
  --in_flight_;
  // Appendix A: +1 per acknowledged message in slow start, +1/CWND in
  // congestion avoidance, never beyond the advertised window.
  if (cwnd_ < ssthresh_)
    cwnd_ += 1;
  else
    cwnd_ += 1 / cwnd_;
  cwnd_ = std::min(cwnd_, static_cast<double>(peer_window_));
}

void ControlChannel::accept_ns(const Header& hdr, PacketBuf&& avps) {
  const auto ahead = static_cast<std::uint16_t>(hdr.ns - nr_expected_);
  if (ahead == 0) {
    delivered_.push_back(DeliveredMessage{hdr, std::move(avps)});
    ++nr_expected_;
    while (!reorder_.empty() && reorder_.front().hdr.ns == nr_expected_) {
      delivered_.push_back(DeliveredMessage{reorder_.front().hdr, std::move(reorder_.front().avps)});
      reorder_.pop_front();
      ++nr_expected_;
    }
    return;
  }
  if (seq_before(hdr.ns, nr_expected_)) {
    // §5.8: within the last received Ns and the 32767 before it.
    counters_->inc(Ctr::l2tp_ctl_rx_duplicate);
    return;
  }
  if (ahead >= cfg_.receive_window) {
    counters_->inc(Ctr::l2tp_ctl_rx_outside_window);
    return;
  }
  auto dist = [this](const Held& h) { return static_cast<std::uint16_t>(h.hdr.ns - nr_expected_); };
  auto at = std::lower_bound(reorder_.begin(), reorder_.end(), ahead,
                             [&](const Held& h, std::uint16_t d) { return dist(h) < d; });
  if (at != reorder_.end() && at->hdr.ns == hdr.ns) {
    counters_->inc(Ctr::l2tp_ctl_rx_duplicate);  // already held
    return;
  }
  counters_->inc(Ctr::l2tp_ctl_rx_out_of_order);
  reorder_.insert(at, Held{hdr, std::move(avps)});
}

void ControlChannel::owe_ack(Instant now) {
  if (ack_owed_) return;  // the delay runs from the oldest debt
  ack_owed_ = true;
  ack_deadline_ = now + cfg_.ack_delay;
}

std::optional<DeliveredMessage> ControlChannel::poll_delivered() {
  if (delivered_.empty()) return std::nullopt;
  DeliveredMessage m = std::move(delivered_.front());
  delivered_.pop_front();
  return m;
}

PacketBuf ControlChannel::build(std::uint16_t session_id, std::uint16_t ns, Bytes avps) {
  PacketBuf pkt = PacketBuf::copy_of(avps);
  push_header(pkt, control_header(peer_tunnel_id_, session_id, ns, nr_expected_));
  ack_owed_ = false;
  ack_deadline_ = kNever;
  return pkt;
}

std::optional<PacketBuf> ControlChannel::poll_transmit(Instant now) {
  if (failed_) return std::nullopt;

  // 1. Retransmissions: same Ns, current Nr, timeout doubled up to the cap.
  while (!to_retransmit_.empty()) {
    const std::uint16_t ns = to_retransmit_.front();
    to_retransmit_.pop_front();
    const auto idx = static_cast<std::uint16_t>(ns - ns_una());
    if (idx >= in_flight_) continue;  // acknowledged meanwhile
    Outgoing& m = unacked_[idx];
    if (!m.rtx_due) continue;
    m.rtx_due = false;
    ++m.retransmits;
    m.timeout = std::min(m.timeout * 2, cfg_.max_timeout);
    m.deadline = now + m.timeout;
    counters_->inc(Ctr::l2tp_ctl_retransmit);
    return build(m.session_id, m.ns, m.avps.bytes());
  }

  // 2. A new message, if the window has room.
  if (in_flight_ < unacked_.size() && in_flight_ < send_limit()) {
    Outgoing& m = unacked_[in_flight_];
    ++in_flight_;
    m.timeout = std::min(cfg_.initial_timeout, cfg_.max_timeout);
    m.deadline = now + m.timeout;
    counters_->inc(Ctr::l2tp_ctl_tx);
    return build(m.session_id, m.ns, m.avps.bytes());
  }

  // 3. A ZLB when an acknowledgement is owed and nothing above carried it.
  if (ack_owed_ && now >= ack_deadline_) {
    counters_->inc(Ctr::l2tp_ctl_zlb_tx);
    return build(0, ns_wire(), {});
  }
  return std::nullopt;
}

void ControlChannel::fail() {
  failed_ = true;
  counters_->inc(Ctr::l2tp_ctl_give_up);
  to_retransmit_.clear();
  ack_owed_ = false;
  ack_deadline_ = kNever;
}

void ControlChannel::on_timeout(Instant now) {
  if (failed_) return;
  bool expired = false;
  for (std::size_t i = 0; i < in_flight_; ++i) {
    Outgoing& m = unacked_[i];
    if (m.rtx_due || m.deadline > now) continue;
    if (m.retransmits >= cfg_.max_retransmits) {
      fail();
      return;
    }
    m.rtx_due = true;
    to_retransmit_.push_back(m.ns);
    expired = true;
  }
  if (expired) {
    // Appendix A: congestion is signalled by a retransmission.
    ssthresh_ = std::max(cwnd_ / 2, 1.0);
    cwnd_ = 1;
  }
}

Instant ControlChannel::next_deadline() const {
  if (failed_) return kNever;
  Instant t = ack_owed_ ? ack_deadline_ : kNever;
  // A message whose timer expired but is not yet retransmitted keeps its
  // (past) deadline: the caller should poll now.
  for (std::size_t i = 0; i < in_flight_; ++i) t = earliest(t, unacked_[i].deadline);
  return t;
}

bool ControlChannel::all_acknowledged() const { return unacked_.empty(); }

}  // namespace l2sec::l2tp
