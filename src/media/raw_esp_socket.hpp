// ESP straight on IP (protocol 50) for the IP medium: a raw socket per
// address family, bound to the gateway's address, on Boost.Asio. The kernel
// here has no ESP (PEERS.md): it hands every protocol-50 packet to raw
// sockets and builds the outer IP header of what we send, so transport-mode
// ESP runs entirely in user space.
//
// Receive: IPv4 raw sockets deliver the IP header too: it is parsed (version
// 4, IHL >= 5, total length within the datagram; media_rx_bad_ip_header
// otherwise) and stripped; the destination must be the bound address
// (media_rx_not_for_us otherwise: a raw socket sees every ESP packet to the
// host). IPv6 raw sockets deliver the payload only; the destination comes
// from IPV6_PKTINFO. The callback gets the outer source and destination
// (port 0) and the ESP packet with the default headroom.
// Send: `to` is the peer's address (port ignored); the kernel adds the IP
// header with our bound address as source. A packet the OS refuses counts
// media_tx_errors and is dropped, as a lossy network would.
#pragma once

#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"

namespace l2sec::media {

class RawEspSocket {
 public:
  using Receiver = std::function<void(const Endpoint& from, const Endpoint& to, PacketBuf&& esp)>;

  // `local` must be a specific IPv4 or IPv6 address (port ignored).
  // Errc::io (os_error() says why: usually not root / no CAP_NET_RAW) when
  // the socket cannot be opened or bound; invalid_state for Any/circuit.
  static Result<std::unique_ptr<RawEspSocket>> open(boost::asio::io_context& io, const Endpoint& local);

  void start(Receiver rx);
  void close();
  void send(const Endpoint& to, PacketBuf&& esp);

  const Endpoint& local() const { return local_; }
  const Counters& counters() const { return counters_; }
  static std::string os_error();

 private:
  RawEspSocket(boost::asio::io_context& io, const Endpoint& local);
  void receive_next();

  boost::asio::basic_raw_socket<boost::asio::generic::raw_protocol> socket_;
  Endpoint local_;
  PacketBuf rx_buf_;
  Receiver rx_;
  Counters counters_;
};

}  // namespace l2sec::media
