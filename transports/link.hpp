// The link adapter contract (DESIGN.md §3, §4): how the one L2TP / ESP /
// IKE core runs over circuits without learning which medium it is on.
//
//   gateway (L2TP, IPsec layer, IKE)
//        |  Endpoint::of_circuit(id), PDU kinds
//   circuit medium (src/media/circuit_medium.hpp): maps gateway PDUs to
//        |  (circuit, PduKind) and back; circuit state to the gateway
//   LinkAdapter: one per link (a Frame Relay port with its DLCIs and LMI, an
//        |  ATM port with its VCs, an XOT endpoint with its virtual calls):
//        |  native encapsulation, circuit state, MTU
//   underlay: moves the adapter's frames (FrameTx / on_frame) or, for XOT,
//             its TCP byte streams: emulated UDP wire, AF_PACKET, pcap
//             replay / record, TCP 1998, or the simulator's wires.
//
// Adapters are sans-IO like the engines: no clock (Instant handed in), no
// sockets, no threads; what they emit leaves through the FrameTx (or stream
// sink) they were given, what happens goes up through LinkUpcalls. Every
// drop is counted by name (core/counters.hpp), never thrown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/counters.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"

namespace l2sec::transports {

// The gateway-wide number of a circuit (Endpoint::of_circuit(id)). The
// configuration gives every [[circuit]] one; an adapter is told the numbers
// of the circuits it owns together with their native addresses.
using CircuitId = std::uint32_t;

// The three PDU kinds a circuit carries (DESIGN.md §3), each in the
// adapter's native encapsulation:
enum class PduKind : std::uint8_t {
  l2tp,        // clear L2TP: the RFC 3070 / RFC 3355 code point (SNAP 00-00-5E/0007),
               //   or the secured channel's dispatch 115 where policy allows
  esp,         // ESP (RFC 4303), SPI first, inner Next Header 115: secured channel, dispatch 50
  ipless_udp,  // IP-less UDP (8-octet header, checksum 0 on send, ignored on receive)
               //   carrying ISAKMP: secured channel, dispatch 17
};
std::string_view pdu_kind_name(PduKind k) noexcept;

// Why a circuit is down (for logs and the status file).
enum class DownReason : std::uint8_t {
  none,            // it is up
  not_started,     // the adapter has not been started
  underlay_down,   // the physical/emulated wire is gone (socket error, interface down, TCP lost)
  lmi_inactive,    // LMI reports the PVC inactive, deleted or absent
  link_integrity,  // LMI link integrity lost (N392 errors in N393 events)
  call_cleared,    // X.25 call cleared or refused, or the XOT connection lost
  admin,           // configuration (the circuit is shut)
};
std::string_view down_reason_name(DownReason r) noexcept;

// What an adapter says about one of its circuits.
struct CircuitInfo {
  CircuitId id = 0;
  std::string name;         // the [[circuit]] name from the configuration
  std::string address;      // native address for humans: "dlci 100", "vpi 0 vci 32", "xot 10.0.0.2 lcn 1"
  bool up = false;
  DownReason reason = DownReason::not_started;
  std::size_t mtu = 0;      // largest PDU (L2TP datagram or ESP packet) carried in one piece
};

// Where an adapter reports what happens. Implemented by the circuit medium
// (and by tests). Calls come from inside the adapter's own entry points
// (on_frame, on_timeout, start...), never later.
class LinkUpcalls {
 public:
  virtual ~LinkUpcalls() = default;
  // One PDU of `kind` arrived on circuit `c`; pdu starts at the L2TP
  // header, the SPI, or the IP-less UDP header.
  virtual void on_pdu(Instant now, CircuitId c, PduKind kind, PacketBuf&& pdu) = 0;
  // Circuit `c` went up or down. Reported on every change, and once for
  // each circuit when it first comes up.
  virtual void on_circuit_state(Instant now, CircuitId c, bool up, DownReason why) = 0;
};

// Frames to the wire below a frame-based adapter. One frame is one unit of
// the underlay, in the form the adapter documents:
//   Frame Relay: Q.922 address to the end of the information field, no
//                HDLC flags, no FCS (DLT_FRELAY, 107);
//   ATM, PDU granularity: the 4-octet SunATM pseudo-header (flags, VPI,
//                VCI) and the CPCS-SDU without pad or trailer (DLT_SUNATM, 123);
//   ATM, cell granularity: one 53-octet cell, header with HEC.
// The underlay may drop a frame (counted on its side); it never blocks.
class FrameTx {
 public:
  virtual ~FrameTx() = default;
  virtual void send_frame(PacketBuf&& frame) = 0;
};

class LinkAdapter {
 public:
  virtual ~LinkAdapter() = default;

  // "fr0 (Frame Relay, Q.933 Annex A user side)" and such.
  virtual std::string describe() const = 0;
  // Must be called before start().
  virtual void set_upcalls(LinkUpcalls* up) = 0;
  // Begins signalling (LMI polls, X.25 calls, XOT connections) or, without
  // signalling, reports the circuits up.
  virtual void start(Instant now) = 0;
  // Stops: clears calls, reports every circuit down (admin).
  virtual void stop(Instant now) = 0;

  // Sends one PDU on circuit c. False when the circuit is unknown or down,
  // or the PDU does not fit (each counted by the adapter); the PDU is gone
  // either way.
  virtual bool send(Instant now, CircuitId c, PduKind kind, PacketBuf&& pdu) = 0;

  virtual void on_timeout(Instant now) = 0;
  virtual Instant next_deadline() const = 0;  // kNever when nothing is pending

  virtual std::vector<CircuitInfo> circuits() const = 0;
  virtual Counters counters() const = 0;
};

// An adapter whose underlay moves frames (Frame Relay, ATM).
class FrameLinkAdapter : public LinkAdapter {
 public:
  // A frame from the underlay (same form as FrameTx documents).
  virtual void on_frame(Instant now, PacketBuf&& frame) = 0;
  // The underlay itself went down or came back (interface, socket): every
  // circuit follows (down: underlay_down; up: as signalling then says).
  virtual void on_underlay_state(Instant now, bool up) = 0;
};

}  // namespace l2sec::transports
