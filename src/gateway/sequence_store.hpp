// Where the gateway keeps the ESP sequence state of manually keyed SAs
// across restarts (docs/config.md, "Sequence state").
//
// Why: a manually keyed SA keeps its keys across a restart of l2sec. If its
// sender counter started again at 1, (a) AES-GCM and ChaCha20-Poly1305,
// whose IV is the sequence number, would repeat nonces under the same key
// (RFC 4106 §3, RFC 8221 §3); (b) the peer's anti-replay window would drop
// every packet as too old until the peer restarts too; (c) our empty inbound
// window would accept packets captured before the restart.
//
// What is kept, per SA, keyed by (direction, SPI, peer's outer address):
// - outbound: the reserved mark R. Every number ever sent on the SA is <= R;
//   after a restart the SA starts at R + 1. The gateway persists a new mark
//   (last sent + block) BEFORE the SA may use the numbers under it, and at a
//   clean shutdown writes the last number actually sent (nothing is sent
//   after that write without a new reservation).
// - inbound: the highest authenticated number T. After a restart every
//   number <= T is refused. Written at least every `block` ESP packets
//   received and at a clean shutdown, so after a crash at most `block`
//   packets accepted before it can be replayed, after a clean stop none.
//
// Contract of a store:
// - load() gives what was persisted (one record per key). The gateway calls
//   it once, when it is constructed.
// - persist() is synchronous, durable and all or nothing: when it returns
//   true, every record given (replacing the value of its key; records of
//   other keys are kept) survives a crash or power loss. false: the store
//   holds either all the new values or all the old ones, not a mix (the
//   gateway acts so that either is safe). Records of SAs no longer
//   configured are kept, so an SA taken out and put back does not start
//   again at 0.
// - Not thread-safe; the gateway calls it from its own thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/endpoint.hpp"
#include "core/result.hpp"

namespace l2sec::gateway {

enum class SeqDirection : std::uint8_t { inbound, outbound };

struct SequenceKey {
  SeqDirection direction = SeqDirection::outbound;
  std::uint32_t spi = 0;
  Endpoint peer;  // the SA's outer peer: IP address with port 0, or circuit
  friend bool operator==(const SequenceKey&, const SequenceKey&) = default;
};

struct SequenceRecord {
  SequenceKey key;
  std::uint64_t value = 0;  // outbound: reserved mark; inbound: highest authenticated
  friend bool operator==(const SequenceRecord&, const SequenceRecord&) = default;
};

class SequenceStore {
 public:
  virtual ~SequenceStore() = default;
  // What was persisted. An error (unreadable state) stops the gateway from
  // running (setup_errors()).
  virtual Result<std::vector<SequenceRecord>> load() = 0;
  // Durably replaces the values of `records`' keys; see the contract above.
  virtual bool persist(std::span<const SequenceRecord> records) = 0;
};

// Our choice: sequence numbers are reserved (and inbound tops written) in
// blocks of 2^20. One durable write per million packets per SA keeps the
// data path free of disk waits; a crash skips at most a block of numbers,
// so a 32-bit SA survives 2^32 / 2^20 = 4096 crashes before it is
// exhausted (with ESN, practically unlimited); after a crash at most a
// block of received packets can be replayed.
inline constexpr std::uint64_t kSequenceBlock = std::uint64_t{1} << 20;

// What Gateway's constructor takes for persistence.
struct SequencePersistence {
  SequenceStore* store = nullptr;        // null: no persistence (start-up warnings)
  std::uint64_t block = kSequenceBlock;  // at least 2 (tests use small blocks)
};

// A store in memory: for tests and the simulator (a "restart" keeps the
// object). persist() fails while failing() is set.
class MemorySequenceStore final : public SequenceStore {
 public:
  Result<std::vector<SequenceRecord>> load() override { return records_; }
  bool persist(std::span<const SequenceRecord> records) override;

  const std::vector<SequenceRecord>& records() const noexcept { return records_; }
  // The value stored for a key (nullptr: none).
  const std::uint64_t* find(const SequenceKey& key) const noexcept;
  void set_failing(bool failing) noexcept { failing_ = failing; }
  bool failing() const noexcept { return failing_; }
  std::uint64_t writes() const noexcept { return writes_; }  // successful persist() calls

 private:
  std::vector<SequenceRecord> records_;
  std::uint64_t writes_ = 0;
  bool failing_ = false;
};

}  // namespace l2sec::gateway
