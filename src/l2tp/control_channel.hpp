// Reliable delivery of L2TP control messages (RFC 2661 §5.8, Appendix A).
//
// One ControlChannel per tunnel. It numbers outgoing messages (Ns), keeps
// them until acknowledged (Nr), retransmits with exponential backoff, limits
// what is in flight by the peer's Receive Window Size and a slow-start /
// congestion-avoidance window, acknowledges every received message
// (piggy-backed on the next message, else a ZLB), drops duplicates (and
// acknowledges them again), and queues out-of-order messages within our
// receive window until the gap fills.
//
// Sans-IO: give it received messages with on_receive(), take what it wants
// sent from poll_transmit(), take in-order messages from poll_delivered(),
// call on_timeout() when next_deadline() has passed.
//
// Choices where RFC 2661 leaves room (documented here because the tunnel
// engine relies on them):
// - Ns is assigned by send(); messages go on the wire in Ns order. A ZLB
//   carries the Ns of the next message to go on the wire (the first one
//   still waiting for the window, else next_ns()) and consumes none.
// - Nr handling: an Nr in [oldest unacknowledged Ns, Ns of the next message
//   to go on the wire] acknowledges every message before it; an Nr before
//   the oldest unacknowledged one (a stale, reordered acknowledgement) is
//   ignored silently; an Nr beyond what was sent acknowledges a message
//   never sent: that Nr is ignored and counted (l2tp_ctl_rx_bad_nr), and the
//   Ns part of the message is still processed (the sequence numbers are
//   independent; dropping the whole message would only make the peer
//   retransmit it with the same Nr).
// - Every received non-ZLB message makes an acknowledgement owed (in order,
//   duplicate, held or outside the window alike): the acknowledgement reports
//   our Nr, which is all a sender can learn. ZLBs are never acknowledged.
// - Each message on the wire has its own retransmission timer; on_timeout()
//   retransmits every message whose timer expired (not only the oldest), so
//   a peer that discards out-of-order messages still gets all of them back
//   without waiting for one timeout per message. One congestion reaction
//   (Appendix A: SSTHRESH = max(CWND/2, 1), CWND = 1) per on_timeout() call
//   that found an expired timer.
// - Timers: first transmission + initial_timeout, then the timeout doubles
//   per retransmission up to max_timeout (defaults: retransmissions 1, 3, 7,
//   15, 23 s after the first transmission). When the timer of a message
//   already retransmitted max_retransmits times expires, the channel fails
//   (31 s with the defaults, the full cycle of §5.7): failed() turns true,
//   l2tp_ctl_give_up counts once, and from then on nothing is sent, received
//   input is ignored and next_deadline() is kNever.
// - Retransmissions are not limited by the window (they are already in
//   flight); new messages go out while the number in flight is below
//   min(peer window, floor(CWND)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "core/time.hpp"
#include "l2tp/header.hpp"

namespace l2sec::l2tp {

struct ControlChannelConfig {
  // From the specification (§5.8): 1 s first retransmission, doubling,
  // capped at no less than 8 s, 5 retransmissions before giving up.
  Duration initial_timeout = std::chrono::seconds(1);
  Duration max_timeout = std::chrono::seconds(8);
  unsigned max_retransmits = 5;
  // Our choice: the Receive Window Size we advertise, and how many messages
  // may wait to be sent beyond the window before send() refuses.
  std::uint16_t receive_window = 16;
  std::size_t max_send_queue = 256;
  // Delay before a lone ZLB acknowledgement, so a reply can piggy-back. 0 =
  // acknowledge at the next poll_transmit().
  Duration ack_delay = Duration::zero();
};

struct DeliveredMessage {
  Header hdr;      // as received (session_id tells which session it is for)
  PacketBuf avps;  // the AVP list (header stripped)
};

class ControlChannel {
 public:
  ControlChannel(const ControlChannelConfig& cfg, Counters& counters);

  // The Tunnel ID to put in the headers we send (0 until the peer assigned
  // one). Applies to retransmissions too.
  void set_peer_tunnel_id(std::uint16_t id) { peer_tunnel_id_ = id; }
  std::uint16_t peer_tunnel_id() const { return peer_tunnel_id_; }
  // The peer's Receive Window Size AVP (default 4 when absent; 0 is invalid
  // and ignored).
  void set_peer_window(std::uint16_t w);

  // Queues one control message: `avps` holds its AVP list; the header (with
  // the next Ns) is prepended here. Fails with no_resources when the send
  // queue is full (counted as l2tp_ctl_tx_queue_full). The queue counts
  // messages not yet on the wire. After failed() the message is accepted but
  // never sent.
  Result<void> send(Instant now, std::uint16_t session_id, PacketBuf&& avps);

  // Processes one received control message (header already parsed by the
  // caller, `avps` = the bytes after the header, empty for a ZLB). Applies
  // its Nr, then delivers it if in order, queues it if ahead within our
  // window, or drops it as a duplicate (scheduling an acknowledgement).
  void on_receive(Instant now, const Header& hdr, PacketBuf&& avps);

  // Next message that arrived in order and is ready for the tunnel.
  std::optional<DeliveredMessage> poll_delivered();

  // Next datagram to send (header + AVPs): retransmissions first, then new
  // messages within the window, then a ZLB if an acknowledgement is owed and
  // nothing else carries it. Returns nullopt when there is nothing to send.
  std::optional<PacketBuf> poll_transmit(Instant now);

  // Marks every message whose retransmission timer expired by `now` for
  // retransmission (poll_transmit() sends them), or gives up (failed()).
  void on_timeout(Instant now);
  // The earliest retransmission timer or delayed-acknowledgement deadline;
  // a past value means "poll now"; kNever when none (or after failure).
  Instant next_deadline() const;

  // True once retransmissions are exhausted (counted as l2tp_ctl_give_up):
  // the tunnel must be cleared.
  bool failed() const { return failed_; }
  // True when every message sent has been acknowledged and none waits.
  bool all_acknowledged() const;
  // Messages accepted by send() that are not on the wire yet (what
  // max_send_queue bounds), and messages on the wire not yet acknowledged.
  std::size_t queued() const { return unacked_.size() - in_flight_; }
  std::size_t in_flight() const { return in_flight_; }

  std::uint16_t next_ns() const { return ns_next_; }
  std::uint16_t expected_nr() const { return nr_expected_; }
  // Congestion window and slow-start threshold (Appendix A), for tests.
  double cwnd() const { return cwnd_; }
  double ssthresh() const { return ssthresh_; }

 private:
  struct Outgoing {
    std::uint16_t ns;
    std::uint16_t session_id;
    PacketBuf avps;             // kept without header; header rebuilt per send
    unsigned retransmits = 0;   // retransmissions so far
    bool rtx_due = false;       // timer expired, waits in to_retransmit_
    Instant deadline = kNever;  // retransmission timer (while on the wire)
    Duration timeout{};         // current interval
  };
  struct Held {
    Header hdr;
    PacketBuf avps;
  };

  // Ns of the oldest unacknowledged message (next_ns() when none).
  std::uint16_t ns_una() const;
  // Ns of the next message to go on the wire (what a ZLB carries).
  std::uint16_t ns_wire() const;
  std::size_t send_limit() const;
  void apply_nr(std::uint16_t nr);
  void on_acked();
  void accept_ns(const Header& hdr, PacketBuf&& avps);
  void owe_ack(Instant now);
  void fail();
  // A fresh datagram: header (current Nr) + a copy of avps. Clears the
  // acknowledgement debt, since the datagram carries our Nr.
  PacketBuf build(std::uint16_t session_id, std::uint16_t ns, Bytes avps);

  ControlChannelConfig cfg_;
  Counters* counters_;
  std::uint16_t peer_tunnel_id_ = 0;
  std::uint16_t peer_window_ = 4;
  std::uint16_t ns_next_ = 0;      // Ns of the next new message
  std::uint16_t nr_expected_ = 0;  // next Ns we expect from the peer
  double cwnd_ = 1;
  double ssthresh_ = 4;
  bool failed_ = false;
  bool ack_owed_ = false;
  Instant ack_deadline_ = kNever;

  // In Ns order: the first in_flight_ are on the wire, the rest wait for
  // the window.
  std::deque<Outgoing> unacked_;
  std::size_t in_flight_ = 0;
  std::deque<std::uint16_t> to_retransmit_;  // Ns whose timer expired
  std::deque<Held> reorder_;                 // received ahead of nr_expected_, by Ns distance
  std::deque<DeliveredMessage> delivered_;
};

}  // namespace l2sec::l2tp
