// The gateway: the L2TP engine, the policy that answers peers from the
// config, the frame sinks, and the LAC's calls. Sans-IO like the engines:
// a driver (the Asio shell in src/app, or the simulator in tests/sim)
// feeds it datagrams and timeouts and sends what it emits.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/counters.hpp"
#include "core/endpoint.hpp"
#include "core/packet_buf.hpp"
#include "core/time.hpp"
#include "crypto/random.hpp"
#include "gateway/config.hpp"
#include "gateway/sequence_store.hpp"
#include "l2tp/engine.hpp"

namespace l2sec::gateway {

// Where the gateway's datagrams go. The Asio UDP medium and the simulated
// network implement it.
class Output {
 public:
  virtual ~Output() = default;
  // Clear L2TP: a UDP datagram to `to` (IP) or the L2TP code point of a circuit.
  virtual void send(const Endpoint& to, PacketBuf&& datagram) = 0;
  // An ESP packet to the SA's outer peer: IP protocol 50, or with
  // `udp_encap` a UDP datagram to to.port (RFC 3948). An Output that carries
  // no ESP (the default) drops it and counts it in media_tx_errors of its own.
  virtual void send_esp(const Endpoint& to, PacketBuf&& esp, bool udp_encap);
};

enum class Severity : std::uint8_t { warning, error };

// Observer of what happens (logs, status file, tests). All optional.
struct Hooks {
  using EventFn = std::function<void(const l2tp::Event&)>;
  using MessageFn = std::function<void(Severity, const std::string&)>;
  Hooks() = default;
  // Hooks{on_event} and Hooks{on_event, on_message}.
  explicit Hooks(EventFn e, MessageFn m = {}) : on_event(std::move(e)), on_message(std::move(m)) {}

  EventFn on_event;
  // Operator messages while running: the sequence store failing (once per
  // episode) and working again. Never a key.
  MessageFn on_message;
};

class Gateway {
 public:
  // `persistence.store`: where the sequence state of the manually keyed SAs
  // lives (sequence_store.hpp); it must outlive the gateway. Loaded here:
  // outbound SAs start after their persisted mark, inbound ones above their
  // persisted floor, and a first reservation is written before anything is
  // sent (failures: setup_errors()). Without a store every manually keyed
  // SA starts at 0 and setup_warnings() says so.
  Gateway(const Config& cfg, crypto::Random& random, Hooks hooks = {}, SequencePersistence persistence = {});
  ~Gateway();

  // Opens the LAC's tunnels (one per [[peer]] with an address).
  void start(Instant now);
  // Sends StopCCN to every peer; the driver keeps running until idle().
  void shutdown(Instant now);

  // A clear L2TP datagram from `from`.
  void on_datagram(Instant now, const Endpoint& from, PacketBuf&& pkt);
  // An ESP packet (from the IP protocol 50 socket, or UDP 4500 with
  // udp_encap): verified, decapsulated and handed to L2TP, or dropped and
  // counted. `to` is our outer address.
  void on_esp(Instant now, const Endpoint& from, const Endpoint& to, PacketBuf&& pkt, bool udp_encap);
  // A circuit (Endpoint::of_circuit(circuit)) went up or down, as its link
  // adapter reports (transports/link.hpp). Down: every tunnel over it is
  // cleared as a lost peer (gw_circuit_tunnels_lost, on_message); a LAC
  // dials it again when it comes back if `redial` is on. Up: a LAC dials
  // the peers waiting for it (at start every circuit is down, so the first
  // dial waits for its circuit).
  void on_circuit_state(Instant now, std::uint32_t circuit, bool up);
  bool circuit_up(std::uint32_t circuit) const;
  void on_timeout(Instant now);
  Instant next_deadline() const;
  // Sends everything the engine has queued through out, handles events.
  void flush(Instant now, Output& out);

  bool idle() const;  // after shutdown: every tunnel gone
  // What could not be set up from the configuration (an SA whose algorithm
  // pair the chosen provider lacks...): the app refuses to run when not empty.
  const std::vector<std::string>& setup_errors() const;
  // What the app should log as warnings at start (a manually keyed SA
  // without persistence, an SA near the end of its sequence numbers).
  const std::vector<std::string>& setup_warnings() const;
  // Clean shutdown: persists every SA's state now, outbound the last number
  // actually sent (its reservation ends there, so the SA sends nothing more
  // until a new mark is written, which the next packet triggers) and
  // inbound the highest number authenticated. Call when the gateway stops
  // (the app: after its event loop). True without a store; false (counted,
  // reported through on_message) when the store failed.
  bool save_sequence_state();
  // One line per SA in force: peer, direction, SPI, algorithms, provider,
  // mode (never a key), for the log and the status file.
  std::vector<std::string> esp_summary() const;
  bool esp_enabled() const;
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
