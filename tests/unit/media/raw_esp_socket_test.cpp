// Raw protocol-50 sockets (src/media/raw_esp_socket.hpp) on loopback, as
// root, each test process in a network namespace of its own (unshare), so
// no other ESP traffic of the host reaches these sockets and every counter
// is exact. The kernel here has no ESP (PEERS.md): raw sockets get every
// ESP packet.
//
// What the kernel does, and these tests pin down: a raw socket bound to an
// address receives only the ESP packets to that address (Linux matches the
// bound address itself: raw_v4_match / __raw_v6_lookup), so a socket bound
// to 127.86.75.2 never sees what goes to 127.86.75.1 and its
// media_rx_not_for_us stays 0; the check in RawEspSocket is for any kernel
// that would not. All sockets bound to one address see every packet to it.
//
// The loop runs until the awaited packets arrived (run_for is only a guard
// against a hang; nothing is timed).
#include "media/raw_esp_socket.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "core/wire.hpp"

namespace l2sec::media {
namespace {

using Buf = std::vector<std::uint8_t>;

Endpoint lo4(std::uint8_t last) { return Endpoint::v4({127, 86, 75, last}, 0); }
Endpoint lo6() {
  std::array<std::uint8_t, 16> a{};
  a[15] = 1;
  return Endpoint::v6(a, 0);
}
// 2001:db8::<last>, added to lo in the private namespace.
Endpoint doc6(std::uint8_t last) {
  std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
  a[15] = last;
  return Endpoint::v6(a, 0);
}

// An ESP-looking packet: SPI, sequence number, some octets.
Buf esp_packet(std::uint32_t spi, std::size_t body = 24) {
  Buf b(8 + body);
  store_be32(b.data(), spi);
  store_be32(b.data() + 4, 1);
  for (std::size_t i = 0; i < body; ++i) b[8 + i] = static_cast<std::uint8_t>(0xA0 + i);
  return b;
}

struct Got {
  Endpoint from;
  Endpoint to;
  Buf bytes;
  std::size_t headroom;
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Why the tests cannot run here, or "" once this process has a network
// namespace of its own with lo up and 2001:db8::1, ::2 on it.
std::string isolate() {
  static const std::string why = []() -> std::string {
    if (::geteuid() != 0) return "raw sockets need root (CAP_NET_RAW)";
    if (::unshare(CLONE_NEWNET) != 0) return errno_text("unshare(CLONE_NEWNET)");
    const int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) return errno_text("socket");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    std::string err;
    if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) err = errno_text("SIOCGIFFLAGS lo");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (err.empty() && ::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) err = errno_text("SIOCSIFFLAGS lo");
    for (std::uint8_t last : {1, 2}) {
      // struct in6_ifreq (linux/ipv6.h): address, prefix length, ifindex.
      struct {
        in6_addr addr;
        std::uint32_t prefixlen;
        int ifindex;
      } req{};
      std::memcpy(&req.addr, doc6(last).addr.data(), 16);
      req.prefixlen = 128;
      req.ifindex = static_cast<int>(::if_nametoindex("lo"));
      if (err.empty() && ::ioctl(fd, SIOCSIFADDR, &req) != 0) err = errno_text("SIOCSIFADDR 2001:db8::");
    }
    ::close(fd);
    // A new address is tentative until the kernel's DAD work has run (even
    // on lo, where it does no DAD): wait until each binds. Not a timing
    // assumption, a readiness wait with a generous bound.
    for (const Endpoint& e : {lo6(), doc6(1), doc6(2)}) {
      if (!err.empty()) break;
      sockaddr_in6 sin6{};
      sin6.sin6_family = AF_INET6;
      std::memcpy(&sin6.sin6_addr, e.addr.data(), 16);
      for (int tries = 0;; ++tries) {
        const int probe = ::socket(AF_INET6, SOCK_DGRAM, 0);
        const int rc = ::bind(probe, reinterpret_cast<sockaddr*>(&sin6), sizeof sin6);
        const int bind_errno = errno;
        ::close(probe);
        if (rc == 0) break;
        if (bind_errno != EADDRNOTAVAIL || tries == 10000) {
          errno = bind_errno;
          err = errno_text(("bind " + e.to_string()).c_str());
          break;
        }
        ::usleep(1000);
      }
    }
    return err;
  }();
  return why;
}

class RawEspSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = isolate();
    if (!why.empty()) GTEST_SKIP() << why;
  }

  std::unique_ptr<RawEspSocket> open(const Endpoint& local) {
    auto s = RawEspSocket::open(io_, local);
    EXPECT_TRUE(s.ok()) << RawEspSocket::os_error();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  // Starts s, collecting what it receives into `into`; stops the loop when
  // `into` holds `stop_at` packets.
  void collect(RawEspSocket& s, std::vector<Got>& into, const std::size_t& stop_at) {
    s.start([this, &into, &stop_at](const Endpoint& from, const Endpoint& to, PacketBuf&& p) {
      into.push_back({from, to, Buf(p.bytes().begin(), p.bytes().end()), p.headroom()});
      if (into.size() >= stop_at) io_.stop();
    });
  }
  void run() {
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
  }

  boost::asio::io_context io_;
};

TEST_F(RawEspSocketTest, Ipv4BothWays) {
  auto a = open(lo4(1));
  auto b = open(lo4(2));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->local(), lo4(1));
  std::vector<Got> at_a, at_b;
  std::size_t want_a = 1, want_b = 1;
  collect(*a, at_a, want_a);
  collect(*b, at_b, want_b);

  a->send(lo4(2), PacketBuf::copy_of(esp_packet(0x1001)));
  run();
  ASSERT_EQ(at_b.size(), 1u);
  EXPECT_EQ(at_b[0].from, lo4(1));  // the kernel's source: our bound address
  EXPECT_EQ(at_b[0].to, lo4(2));
  EXPECT_EQ(at_b[0].bytes, esp_packet(0x1001));  // IP header stripped
  EXPECT_GE(at_b[0].headroom, PacketBuf::kDefaultHeadroom);

  b->send(lo4(1), PacketBuf::copy_of(esp_packet(0x1002, 1400)));
  run();
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_a[0].from, lo4(2));
  EXPECT_EQ(at_a[0].to, lo4(1));
  EXPECT_EQ(at_a[0].bytes, esp_packet(0x1002, 1400));

  for (auto* s : {a.get(), b.get()}) {
    EXPECT_EQ(s->counters()[Ctr::media_tx_datagrams], 1u);
    EXPECT_EQ(s->counters()[Ctr::media_rx_datagrams], 1u);
    EXPECT_EQ(s->counters()[Ctr::media_tx_errors], 0u);
    EXPECT_EQ(s->counters()[Ctr::media_rx_not_for_us], 0u);
    EXPECT_EQ(s->counters()[Ctr::media_rx_bad_ip_header], 0u);
  }
}

// C sends X to A, then (once A has it) Z to B. Had the kernel given X to B
// too, it would have queued it before Z existed: B must hold exactly Z.
TEST_F(RawEspSocketTest, Ipv4SocketSeesOnlyItsAddress) {
  auto a = open(lo4(1));
  auto b = open(lo4(2));
  auto c = open(lo4(3));
  ASSERT_TRUE(a && b && c);
  std::vector<Got> at_a, at_b, at_c;
  std::size_t want_a = 1, want_b = 1, want_c = 1;
  collect(*a, at_a, want_a);
  collect(*b, at_b, want_b);
  collect(*c, at_c, want_c);

  c->send(lo4(1), PacketBuf::copy_of(esp_packet(0x2001)));
  run();
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_a[0].bytes, esp_packet(0x2001));
  c->send(lo4(2), PacketBuf::copy_of(esp_packet(0x2002)));
  run();
  ASSERT_EQ(at_b.size(), 1u);
  EXPECT_EQ(at_b[0].bytes, esp_packet(0x2002));
  EXPECT_EQ(at_b[0].to, lo4(2));
  EXPECT_TRUE(at_c.empty());  // its own packets go elsewhere
  EXPECT_EQ(b->counters()[Ctr::media_rx_datagrams], 1u);
  EXPECT_EQ(b->counters()[Ctr::media_rx_not_for_us], 0u);
  EXPECT_EQ(c->counters()[Ctr::media_rx_datagrams], 0u);
  EXPECT_EQ(c->counters()[Ctr::media_tx_datagrams], 2u);
}

// A hand-made IPv4 header (IP_HDRINCL) with options and another source: the
// socket strips IHL * 4 octets and reports the header's source.
TEST_F(RawEspSocketTest, Ipv4HeaderWithOptionsIsStripped) {
  auto a = open(lo4(1));
  ASSERT_TRUE(a);
  std::vector<Got> at_a;
  std::size_t want = 1;
  collect(*a, at_a, want);

  const Buf esp = esp_packet(0x3001, 13);
  Buf ip = {0x46, 0,  0,  0, 0x12, 0x34, 0,  0, 64, 50, 0, 0,
            127,  86, 75, 9, 127,  86,   75, 1, 1,  1,  1, 1};  // 4 NOPs
  ip.insert(ip.end(), esp.begin(), esp.end());
  store_be16(&ip[2], static_cast<std::uint16_t>(ip.size()));  // the kernel sets it and the checksum anyway
  const int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_RAW);    // IPPROTO_RAW implies IP_HDRINCL
  ASSERT_GE(fd, 0) << errno_text("socket");
  sockaddr_in to{};
  to.sin_family = AF_INET;
  std::memcpy(&to.sin_addr, lo4(1).addr.data(), 4);
  const ssize_t n = ::sendto(fd, ip.data(), ip.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
  ASSERT_EQ(n, static_cast<ssize_t>(ip.size())) << errno_text("sendto");

  run();
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_a[0].from, lo4(9));
  EXPECT_EQ(at_a[0].to, lo4(1));
  EXPECT_EQ(at_a[0].bytes, esp);
  EXPECT_EQ(a->counters()[Ctr::media_rx_bad_ip_header], 0u);
}

TEST_F(RawEspSocketTest, Ipv6BothWaysWithPktinfoDestination) {
  auto a = open(doc6(1));
  auto b = open(doc6(2));
  ASSERT_TRUE(a && b);
  std::vector<Got> at_a, at_b;
  std::size_t want_a = 1, want_b = 1;
  collect(*a, at_a, want_a);
  collect(*b, at_b, want_b);

  a->send(doc6(2), PacketBuf::copy_of(esp_packet(0x4001)));
  run();
  ASSERT_EQ(at_b.size(), 1u);
  EXPECT_EQ(at_b[0].from, doc6(1));
  EXPECT_EQ(at_b[0].to, doc6(2));
  EXPECT_EQ(at_b[0].bytes, esp_packet(0x4001));
  EXPECT_GE(at_b[0].headroom, PacketBuf::kDefaultHeadroom);

  b->send(doc6(1), PacketBuf::copy_of(esp_packet(0x4002, 1400)));
  run();
  ASSERT_EQ(at_a.size(), 1u);
  EXPECT_EQ(at_a[0].from, doc6(2));
  EXPECT_EQ(at_a[0].to, doc6(1));
  EXPECT_EQ(at_a[0].bytes, esp_packet(0x4002, 1400));
  for (auto* s : {a.get(), b.get()}) {
    EXPECT_EQ(s->counters()[Ctr::media_tx_datagrams], 1u);
    EXPECT_EQ(s->counters()[Ctr::media_rx_datagrams], 1u);
    EXPECT_EQ(s->counters()[Ctr::media_rx_not_for_us], 0u);
  }
}

// Two sockets on ::1: both see the packet one of them sends to ::1.
TEST_F(RawEspSocketTest, Ipv6LoopbackEverySocketOfTheAddressSeesIt) {
  auto a = open(lo6());
  auto b = open(lo6());
  ASSERT_TRUE(a && b);
  std::vector<Got> at_a, at_b;
  std::size_t want_a = 1, want_b = 1;
  collect(*a, at_a, want_a);
  collect(*b, at_b, want_b);
  a->send(lo6(), PacketBuf::copy_of(esp_packet(0x5001)));
  run();
  if (at_b.empty() || at_a.empty()) run();  // the loop stopped at the first of the two
  ASSERT_EQ(at_a.size(), 1u);
  ASSERT_EQ(at_b.size(), 1u);
  for (const auto& g : {at_a[0], at_b[0]}) {
    EXPECT_EQ(g.from, lo6());
    EXPECT_EQ(g.to, lo6());
    EXPECT_EQ(g.bytes, esp_packet(0x5001));
  }
}

TEST_F(RawEspSocketTest, SendToAnotherFamilyOrACircuitIsATxError) {
  auto a4 = open(lo4(1));
  auto a6 = open(lo6());
  ASSERT_TRUE(a4 && a6);
  a4->send(lo6(), PacketBuf::copy_of(esp_packet(1)));
  a4->send(Endpoint::of_circuit(7), PacketBuf::copy_of(esp_packet(1)));
  a6->send(lo4(2), PacketBuf::copy_of(esp_packet(1)));
  EXPECT_EQ(a4->counters()[Ctr::media_tx_errors], 2u);
  EXPECT_EQ(a6->counters()[Ctr::media_tx_errors], 1u);
  EXPECT_EQ(a4->counters()[Ctr::media_tx_datagrams], 0u);
  EXPECT_EQ(a6->counters()[Ctr::media_tx_datagrams], 0u);
}

TEST_F(RawEspSocketTest, OpenRefusesWhatItCannotBind) {
  for (const Endpoint& e :
       {Endpoint::v4({0, 0, 0, 0}, 0), Endpoint::v6({}, 0), Endpoint::of_circuit(1), Endpoint{}}) {
    auto s = RawEspSocket::open(io_, e);
    ASSERT_FALSE(s.ok()) << e.to_string();
    EXPECT_EQ(s.error().code, Errc::invalid_state);
  }
  // An address this namespace does not have.
  auto s = RawEspSocket::open(io_, Endpoint::v4({192, 0, 2, 1}, 0));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_NE(RawEspSocket::os_error().find("192.0.2.1"), std::string::npos) << RawEspSocket::os_error();
}

// close() ends the pending receive: the loop runs out of work and returns.
TEST_F(RawEspSocketTest, CloseEndsReceiving) {
  auto a = open(lo4(1));
  ASSERT_TRUE(a);
  std::vector<Got> got;
  std::size_t want = 1;
  collect(*a, got, want);
  a->close();
  io_.restart();
  EXPECT_EQ(io_.run_for(std::chrono::seconds(10)), 1u);  // the aborted wait, nothing more
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace l2sec::media
