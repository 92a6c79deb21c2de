// The gateway: the L2TP engine, the policy that answers peers from the
// config, the frame sinks, and the LAC's calls. Sans-IO like the engines:
// a driver (the Asio shell in src/app, or the simulator in tests/sim)
// feeds it datagrams and timeouts and sends what it emits.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "crypto/random.hpp"
#include "gateway/config.hpp"
#include "l2tp/engine.hpp"

namespace l2sec::gateway {

// Where the gateway's datagrams go. The Asio UDP medium and the simulated
// network implement it.
class Output {
 public:
  virtual ~Output() = default;
  virtual void send(const Endpoint& to, PacketBuf&& datagram) = 0;
};

// Observer of what happens (logs, status file, tests). All optional.
struct Hooks {
  std::function<void(const l2tp::Event&)> on_event;
};

class Gateway {
 public:
  Gateway(const Config& cfg, crypto::Random& random, Hooks hooks = {});
  ~Gateway();

  // Opens the LAC's tunnels (one per [[peer]] with an address).
  void start(Instant now);
  // Sends StopCCN to every peer; the driver keeps running until idle().
  void shutdown(Instant now);

  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt);
  void on_timeout(Instant now);
  Instant next_deadline() const;
  // Sends everything the engine has queued through out, handles events.
  void flush(Instant now, Output& out);

  bool idle() const;  // after shutdown: every tunnel gone
  l2tp::Engine& engine();
  const l2tp::Engine& engine() const;
  // Gateway-level counters plus the engine's.
  Counters counters() const;
  std::uint64_t frames_received() const;
  std::uint64_t frames_sent() const;
  std::uint64_t lcp_echo_replies() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace l2sec::gateway
