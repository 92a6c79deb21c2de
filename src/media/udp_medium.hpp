// The IP medium for L2TP: one UDP socket (RFC 2661 §8.1, port 1701 by
// default) on Boost.Asio. Receives datagrams and hands them to a callback
// with the sender's endpoint; sends what the gateway emits.
//
// One socket of the listen address's family: a gateway that listens on an
// IPv4 address reaches IPv4 peers; an IPv6 listen address ("[::]:1701")
// reaches IPv6 peers and, through IPv4-mapped addresses, IPv4 peers too.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <functional>
#include <memory>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "gateway/gateway.hpp"

namespace l2sec::media {

class UdpMedium final : public gateway::Output {
 public:
  using Receiver = std::function<void(const Endpoint& from, PacketBuf&& datagram)>;

  // Binds to `listen`. Fails with Errc::io (and `os_error()` says why) when
  // the address cannot be bound.
  static Result<std::unique_ptr<UdpMedium>> open(boost::asio::io_context& io, const Endpoint& listen);

  // Starts receiving; every datagram goes to `rx` on the io_context's thread.
  void start(Receiver rx);
  void close();

  // gateway::Output: sends at once (the socket is non-blocking; a datagram
  // the OS refuses is counted as media_tx_errors and dropped, as a lossy
  // network would).
  void send(const Endpoint& to, PacketBuf&& datagram) override;

  Endpoint local_endpoint() const;
  // IPv4: send with UDP checksum 0 (SO_NO_CHECK), as RFC 3948 §2.1 says
  // UDP-encapsulated ESP SHOULD (the ESP ICV protects the content). False
  // when the OS refuses; IPv6 keeps its mandatory checksum.
  bool send_without_checksum();
  const Counters& counters() const { return counters_; }
  static std::string os_error();

 private:
  explicit UdpMedium(boost::asio::io_context& io);
  void receive_next();

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint from_;
  PacketBuf rx_buf_;
  Receiver rx_;
  Counters counters_;
  bool v6_ = false;
};

// Conversions between l2sec::Endpoint and Asio endpoints.
boost::asio::ip::udp::endpoint to_asio(const Endpoint& e, bool v6_socket);
Endpoint from_asio(const boost::asio::ip::udp::endpoint& e);

}  // namespace l2sec::media
