// The IPsec layer between L2TP and the medium (DESIGN.md §1): every L2TP
// packet out is matched against the SPD and, when a filter protects it,
// sent through the SA the SAD has for its flow; every packet in, clear or
// ESP, is checked against the SPD and the SA's selectors before L2TP sees
// it (RFC 3193 §3.3).
//
// Outbound (send):
//   SPD outbound lookup on (local, remote) ->
//     PROTECT: the newest SA covering the flow -> inner framing (mode) ->
//              ESP encap -> PDU of kind esp (IP: protocol 50; circuit:
//              the secured channel) or esp_in_udp (RFC 3948);
//              no SA: dropped (esp_tx_no_sa) and an acquire is queued for
//              the key manager (RFC 3193 §4.2.2; IKE later);
//     BYPASS:  clear L2TP (esp_tx_clear);  DISCARD: dropped (esp_tx_policy_discard);
//     no filter: DISCARD (fail closed).
// Inbound clear L2TP (accept_clear):
//   SPD inbound lookup on (local, remote) -> PROTECT: dropped
//   (esp_rx_clear_on_protected) unless `require` is off; BYPASS: delivered
//   (esp_rx_clear); DISCARD or no filter: dropped (esp_rx_policy_discard).
// Inbound ESP (open):
//   SAD by SPI (and circuit) -> the SA's encapsulation (plain or UDP 4500)
//   must be the packet's (esp_rx_encap_mismatch) -> decap (the SA's checks and counters, replay
//   included) -> inner framing checked and stripped -> the inner flow must
//   lie within the SA's selector (esp_rx_selector_mismatch) and no inbound
//   DISCARD filter may match it -> delivered to L2TP with the inner source
//   as the peer's endpoint. So a packet reaches a tunnel only through the
//   SA negotiated (or keyed) for that peer's address and ports, and the
//   L2TP engine then checks the address/port against the tunnel's socket.
//   With UDP encapsulation an authenticated packet from a new outer port
//   moves the SA pair's outer peer there (RFC 3948: NAT mappings change;
//   esp_natt_peer_moved).
//
// Sans-IO, no clock, not thread-safe. No allocation per packet.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "esp/framing.hpp"
#include "esp/sad.hpp"
#include "esp/spd.hpp"

namespace l2sec::esp {

enum class PduKind : std::uint8_t {
  l2tp,        // clear L2TP (UDP 1701 on IP; the L2TP code point on a circuit)
  esp,         // ESP (IP protocol 50; the secured channel's dispatch 50 on a circuit)
  esp_in_udp,  // RFC 3948 ESP-in-UDP (IP only)
};

struct OutPdu {
  PduKind kind = PduKind::l2tp;
  Endpoint to;  // l2tp: the peer's L2TP endpoint; esp: the SA's outer peer (port: NAT-T port for esp_in_udp)
  PacketBuf pkt;
};

// A flow the SPD protects and no SA covers yet (for the key manager).
struct Acquire {
  Endpoint local;
  Endpoint remote;
  FilterId filter;
};

class IpsecLayer {
 public:
  // require: RFC 3193 §3.3 enforcement of clear packets on protected flows.
  explicit IpsecLayer(bool require = true) : require_(require) {}

  Spd& spd() noexcept { return spd_; }
  const Spd& spd() const noexcept { return spd_; }
  Sad& sad() noexcept { return sad_; }
  const Sad& sad() const noexcept { return sad_; }

  // An L2TP packet from `local` (our address and port) to `remote`.
  // nullopt: dropped (counted).
  std::optional<OutPdu> send(const Endpoint& local, const Endpoint& remote, PacketBuf&& l2tp);

  // May a clear L2TP packet from `remote` to `local` go to L2TP?
  bool accept_clear(const Endpoint& local, const Endpoint& remote);

  // An ESP packet (pkt starts at the SPI) from `outer_from` to `outer_to`.
  // On success pkt holds the L2TP packet and the inner flow is returned:
  // src is the peer's L2TP endpoint, dst ours. On failure (counted) pkt is
  // unspecified.
  Result<InnerFlow> open(const Endpoint& outer_from, const Endpoint& outer_to, PacketBuf& pkt,
                         bool udp_encap);

  std::optional<Acquire> poll_acquire();
  // Flows asked for and not yet covered are capped: a key manager that never
  // answers must not let them grow without bound.
  static constexpr std::size_t kMaxPendingAcquires = 256;

  // The layer's own counters plus every SA's.
  Counters counters() const;

 private:
  void follow_nat(InboundEntry& in, const Endpoint& outer_from, const InnerFlow& flow);

  Spd spd_;
  Sad sad_;
  Counters counters_;
  std::deque<Acquire> acquires_;  // not yet polled
  std::vector<Acquire> pending_;  // asked for, no SA yet (one acquire per flow)
  bool require_;
  std::uint16_t ip_id_ = 0;
};

}  // namespace l2sec::esp
