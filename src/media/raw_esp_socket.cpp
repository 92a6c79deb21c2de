#include "media/raw_esp_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/socket_base.hpp>
#include <cerrno>
#include <cstring>

#include "core/wire.hpp"

namespace l2sec::media {
namespace asio = boost::asio;
using raw = asio::generic::raw_protocol;

namespace {

// From the specifications.
constexpr int kProtoEsp = 50;                // IANA protocol number of ESP (RFC 4303)
constexpr std::size_t kIpv4HeaderSize = 20;  // RFC 791 §3.1, no options
// An IPv4 packet, header included, or an IPv6 payload (no jumbograms) is at
// most this long.
constexpr std::size_t kMaxDatagram = 65535;
// Our choice: after this many failed reads in a row, wait for the socket to
// be readable again. A pending socket error (an ICMP protocol unreachable
// for something we sent: ECONNREFUSED) fails one read and is gone; anything
// that keeps failing must not spin the io_context.
constexpr int kMaxReadErrors = 8;

thread_local std::string g_last_error;

bool is_any(const Endpoint& e) {
  const std::size_t n = e.kind == Endpoint::Kind::ipv4 ? 4 : 16;
  for (std::size_t i = 0; i < n; ++i)
    if (e.addr[i] != 0) return false;
  return true;
}

// The socket address of an IP endpoint, port 0: raw sockets have no port
// (an IPv6 raw socket would take a non-zero one as a protocol number).
raw::endpoint to_raw(const Endpoint& e) {
  if (e.kind == Endpoint::Kind::ipv4) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, e.addr.data(), 4);
    return raw::endpoint(&sin, sizeof sin, kProtoEsp);
  }
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  std::memcpy(&sin6.sin6_addr, e.addr.data(), 16);
  return raw::endpoint(&sin6, sizeof sin6, kProtoEsp);
}

Endpoint v4_at(const std::uint8_t* p) { return Endpoint::v4({p[0], p[1], p[2], p[3]}, 0); }
Endpoint v6_at(const void* p) {
  std::array<std::uint8_t, 16> a;
  std::memcpy(a.data(), p, 16);
  return Endpoint::v6(a, 0);
}

}  // namespace

RawEspSocket::RawEspSocket(asio::io_context& io, const Endpoint& local)
    : socket_(io), local_(local), rx_buf_(kMaxDatagram, 0) {
  local_.port = 0;
  rx_buf_.push_back(kMaxDatagram);  // once: the receive area never moves
}

std::string RawEspSocket::os_error() { return g_last_error; }

Result<std::unique_ptr<RawEspSocket>> RawEspSocket::open(asio::io_context& io, const Endpoint& local) {
  if (!local.is_ip() || is_any(local))
    return Error{Errc::invalid_state, "a raw ESP socket needs a specific IP address"};
  std::unique_ptr<RawEspSocket> s(new RawEspSocket(io, local));
  const bool v6 = local.kind == Endpoint::Kind::ipv6;
  boost::system::error_code ec;
  s->socket_.open(raw(v6 ? AF_INET6 : AF_INET, kProtoEsp), ec);
  if (!ec && v6) {
    // IPv6 raw sockets deliver no header: the destination comes with each
    // packet as IPV6_PKTINFO (RFC 3542 §6.1).
    const int on = 1;
    if (::setsockopt(s->socket_.native_handle(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) != 0)
      ec.assign(errno, boost::system::system_category());
  }
  if (!ec) s->socket_.bind(to_raw(local), ec);
  if (!ec) s->socket_.non_blocking(true, ec);
  if (ec) {
    g_last_error = "cannot open a raw ESP socket on " + s->local_.to_string() + ": " + ec.message();
    return Error{Errc::io, "cannot open the raw ESP socket"};
  }
  return s;
}

void RawEspSocket::start(Receiver rx) {
  rx_ = std::move(rx);
  receive_next();
}

void RawEspSocket::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

// Asio gives no ancillary data, so we wait for readability and read with
// recvmsg ourselves. The reactor reports readiness on edges: every queued
// datagram is read before waiting again.
void RawEspSocket::receive_next() {
  socket_.async_wait(raw::socket::wait_read, [this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
    if (ec) return;  // the descriptor is gone: nothing more will arrive
    const bool v6 = local_.kind == Endpoint::Kind::ipv6;
    std::uint8_t* buf = rx_buf_.data();
    int errors = 0;
    for (;;) {
      sockaddr_in6 from{};
      alignas(cmsghdr) std::uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))];
      iovec iov{buf, kMaxDatagram};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      if (v6) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
      }
      const ssize_t n = ::recvmsg(socket_.native_handle(), &msg, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || ++errors > kMaxReadErrors) break;
        continue;
      }
      errors = 0;
      counters_.inc(Ctr::media_rx_datagrams);
      if ((msg.msg_flags & MSG_TRUNC) != 0) {
        counters_.inc(Ctr::media_rx_oversize);
        continue;
      }
      const auto len = static_cast<std::size_t>(n);
      Endpoint src;
      Endpoint dst;
      Bytes esp;
      if (!v6) {
        // RFC 791 §3.1. Linux hands raw IPv4 sockets the header as it came
        // (Total Length in network order), after reassembly.
        const std::size_t ihl = std::size_t{buf[0] & 0x0Fu} * 4;
        const std::size_t total = len >= kIpv4HeaderSize ? load_be16(buf + 2) : 0;
        if (len < kIpv4HeaderSize || buf[0] >> 4 != 4 || ihl < kIpv4HeaderSize || total < ihl ||
            total > len || buf[9] != kProtoEsp) {
          counters_.inc(Ctr::media_rx_bad_ip_header);
          continue;
        }
        src = v4_at(buf + 12);
        dst = v4_at(buf + 16);
        esp = Bytes(buf + ihl, total - ihl);
      } else {
        const in6_pktinfo* info = nullptr;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c))
          if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
            info = reinterpret_cast<const in6_pktinfo*>(CMSG_DATA(c));
        if (info == nullptr || msg.msg_namelen < sizeof(sockaddr_in6) || from.sin6_family != AF_INET6) {
          counters_.inc(Ctr::media_rx_bad_ip_header);
          continue;
        }
        src = v6_at(&from.sin6_addr);
        dst = v6_at(&info->ipi6_addr);
        esp = Bytes(buf, len);
      }
      // Linux already matches a bound raw socket's address; this keeps the
      // contract wherever it would not.
      if (!dst.same_host(local_)) {
        counters_.inc(Ctr::media_rx_not_for_us);
        continue;
      }
      // Copy out with headroom so the engines decapsulate and re-frame in
      // place; the receive area is reused.
      rx_(src, dst, PacketBuf::copy_of(esp));
      if (!socket_.is_open()) return;  // the receiver closed us
    }
    receive_next();
  });
}

void RawEspSocket::send(const Endpoint& to, PacketBuf&& esp) {
  if (to.kind != local_.kind) {
    counters_.inc(Ctr::media_tx_errors);
    return;
  }
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(esp.data(), esp.size()), to_raw(to), 0, ec);
  if (ec) {
    counters_.inc(Ctr::media_tx_errors);
    return;
  }
  counters_.inc(Ctr::media_tx_datagrams);
}

}  // namespace l2sec::media
