#include "media/udp_medium.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace l2sec::media {
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {
// The largest UDP payload; L2TP over IP never comes near it.
constexpr std::size_t kMaxDatagram = 65535;
thread_local std::string g_last_error;
}  // namespace

udp::endpoint to_asio(const Endpoint& e, bool v6_socket) {
  if (e.kind == Endpoint::Kind::ipv4) {
    asio::ip::address_v4::bytes_type b{e.addr[0], e.addr[1], e.addr[2], e.addr[3]};
    asio::ip::address_v4 a(b);
    if (v6_socket) return {asio::ip::make_address_v6(asio::ip::v4_mapped, a), e.port};
    return {a, e.port};
  }
  asio::ip::address_v6::bytes_type b;
  std::memcpy(b.data(), e.addr.data(), 16);
  return {asio::ip::address_v6(b), e.port};
}

Endpoint from_asio(const udp::endpoint& e) {
  auto a = e.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  if (a.is_v4()) return Endpoint::v4(a.to_v4().to_bytes(), e.port());
  std::array<std::uint8_t, 16> b;
  auto v6 = a.to_v6().to_bytes();
  std::memcpy(b.data(), v6.data(), 16);
  return Endpoint::v6(b, e.port());
}

UdpMedium::UdpMedium(asio::io_context& io) : socket_(io), rx_buf_(kMaxDatagram, 0) {}

std::string UdpMedium::os_error() { return g_last_error; }

Result<std::unique_ptr<UdpMedium>> UdpMedium::open(asio::io_context& io, const Endpoint& listen) {
  std::unique_ptr<UdpMedium> m(new UdpMedium(io));
  boost::system::error_code ec;
  m->v6_ = listen.kind == Endpoint::Kind::ipv6;
  udp::endpoint ep = to_asio(listen, m->v6_);
  m->socket_.open(ep.protocol(), ec);
  if (!ec && m->v6_) m->socket_.set_option(asio::ip::v6_only(false), ec);
  if (!ec) m->socket_.set_option(udp::socket::reuse_address(true), ec);
  if (!ec) m->socket_.bind(ep, ec);
  if (!ec) m->socket_.non_blocking(true, ec);
  if (ec) {
    g_last_error = "cannot bind " + listen.to_string() + ": " + ec.message();
    return Error{Errc::io, "cannot bind the UDP socket"};
  }
  return m;
}

void UdpMedium::start(Receiver rx) {
  rx_ = std::move(rx);
  receive_next();
}

void UdpMedium::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void UdpMedium::receive_next() {
  rx_buf_.reset(0);
  std::uint8_t* p = rx_buf_.push_back(kMaxDatagram);
  socket_.async_receive_from(asio::buffer(p, kMaxDatagram), from_,
                             [this](const boost::system::error_code& ec, std::size_t n) {
                               if (ec == asio::error::operation_aborted) return;
                               if (!ec) {
                                 counters_.inc(Ctr::media_rx_datagrams);
                                 // Copy out with headroom so the engines can
                                 // prepend in place; the receive buffer is reused.
                                 PacketBuf pkt = PacketBuf::copy_of({rx_buf_.data(), n});
                                 rx_(from_asio(from_), std::move(pkt));
                               }
                               receive_next();
                             });
}

void UdpMedium::send(const Endpoint& to, PacketBuf&& datagram) {
  if (!to.is_ip() || (to.kind == Endpoint::Kind::ipv6 && !v6_)) {
    counters_.inc(Ctr::media_tx_errors);
    return;
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(datagram.data(), datagram.size()), to_asio(to, v6_), 0, ec);
  if (ec) {
    counters_.inc(Ctr::media_tx_errors);
    return;
  }
  counters_.inc(Ctr::media_tx_datagrams);
}

bool UdpMedium::send_without_checksum() {
  if (v6_) return false;
  int one = 1;
  return ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_NO_CHECK, &one, sizeof one) == 0;
}

Endpoint UdpMedium::local_endpoint() const {
  boost::system::error_code ec;
  return from_asio(socket_.local_endpoint(ec));
}

}  // namespace l2sec::media
