// The IP medium as a whole: clear L2TP on UDP (RFC 2661 §8.1, 1701), ESP on
// IP protocol 50 (RFC 3193 transport or tunnel mode) and ESP-in-UDP on the
// NAT-T port (RFC 3948, 4500), all on the gateway's listen address. What
// arrives goes to the handler of its kind; what the gateway emits leaves by
// the socket of its kind.
//
// UDP 4500 demultiplexing (RFC 3948 §2): ESP (first four octets a non-zero
// SPI) goes to the ESP handler with udp_encap set; a NAT-keepalive (0xFF) is
// counted (media_rx_natt_keepalive) and dropped; IKE after a Non-ESP Marker
// is counted (media_rx_ike_unhandled) until IKE exists; anything shorter is
// media_rx_runt.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/result.hpp"
#include "gateway/gateway.hpp"
#include "media/raw_esp_socket.hpp"
#include "media/udp_medium.hpp"

namespace l2sec::media {

class IpMedium final : public gateway::Output {
 public:
  struct Options {
    Endpoint listen;                         // address and L2TP port
    bool esp = false;                        // open the protocol-50 socket
    std::optional<std::uint16_t> natt_port;  // open UDP <port> for ESP-in-UDP
  };
  struct Handlers {
    std::function<void(const Endpoint& from, PacketBuf&& l2tp)> l2tp;
    std::function<void(const Endpoint& from, const Endpoint& to, PacketBuf&& esp, bool udp_encap)> esp;
  };

  // Errc::io when a socket cannot be opened; os_error() says which and why.
  static Result<std::unique_ptr<IpMedium>> open(boost::asio::io_context& io, const Options& opt);

  void start(Handlers h);
  void close();

  void send(const Endpoint& to, PacketBuf&& datagram) override;
  void send_esp(const Endpoint& to, PacketBuf&& esp, bool udp_encap) override;

  Endpoint local_endpoint() const { return l2tp_->local_endpoint(); }
  Counters counters() const;
  // One line per socket: "udp 10.0.0.1:1701", "esp 10.0.0.1", "udp 10.0.0.1:4500 (ESP-in-UDP)".
  std::vector<std::string> describe() const;
  static std::string os_error();

 private:
  IpMedium() = default;
  void on_natt(const Endpoint& from, PacketBuf&& datagram);

  std::unique_ptr<UdpMedium> l2tp_;
  std::unique_ptr<RawEspSocket> esp_;
  std::unique_ptr<UdpMedium> natt_;
  Handlers handlers_;
  Counters counters_;  // demultiplexing of UDP 4500
};

}  // namespace l2sec::media
