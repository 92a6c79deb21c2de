#include "esp/sa.hpp"

#include <cassert>
#include <utility>

#include "core/wire.hpp"

namespace l2sec::esp {

namespace {

// §2.4: payload + padding + Pad Length + Next Header ends on a multiple of
// the cipher's block size, and of 4 whatever the cipher.
std::size_t alignment(const crypto::EspTransform& t) noexcept {
  const std::size_t bs = t.block_size();
  return bs < 4 ? 4 : bs;
}

std::size_t pad_length(std::size_t payload_size, std::size_t align) noexcept {
  const std::size_t used = (payload_size + kEspTrailerSize) % align;
  return used == 0 ? 0 : align - used;
}

}  // namespace

// ---- OutboundSa ----

OutboundSa::OutboundSa(std::uint32_t spi, std::unique_ptr<crypto::EspTransform> transform, bool esn,
                       std::uint64_t last_sent, std::uint64_t soft_limit)
    : transform_(std::move(transform)), seq_(esn, soft_limit, last_sent), spi_(spi), esn_(esn) {
  assert(transform_ != nullptr);
}

std::size_t OutboundSa::overhead_back(std::size_t payload_size) const noexcept {
  return pad_length(payload_size, alignment(*transform_)) + kEspTrailerSize + transform_->icv_size();
}

Result<void> OutboundSa::encap(PacketBuf& pkt, std::uint8_t next_header) {
  const std::size_t n = pkt.size();
  // Far beyond any datagram; keeps the arithmetic below from overflowing.
  if (n > (std::size_t{1} << 30)) return Error{Errc::out_of_range, "ESP payload too large"};

  // Counts esp_tx_seq_exhausted (never wraps) or esp_tx_unreserved.
  auto seq = seq_.next(counters_);
  if (!seq) return seq.error();

  const std::size_t iv_size = transform_->iv_size();
  const std::size_t icv_size = transform_->icv_size();
  const std::size_t pad = pad_length(n, alignment(*transform_));
  const std::size_t body = n + pad + kEspTrailerSize;

  // Trailer first: push_back may move the data (slow path), so every
  // pointer is taken after both pushes.
  pkt.push_back(pad + kEspTrailerSize + icv_size);
  pkt.push_front(kEspHeaderSize + iv_size);
  std::uint8_t* p = pkt.data();
  std::uint8_t* payload = p + kEspHeaderSize + iv_size;
  for (std::size_t i = 0; i < pad; ++i) payload[n + i] = static_cast<std::uint8_t>(i + 1);
  payload[n + pad] = static_cast<std::uint8_t>(pad);
  payload[n + pad + 1] = next_header;
  store_be32(p, spi_);
  store_be32(p + 4, static_cast<std::uint32_t>(*seq));

  const crypto::EspPacketView view{
      .header = MutBytes(p, kEspHeaderSize),
      .iv = MutBytes(p + kEspHeaderSize, iv_size),
      .payload = MutBytes(payload, body),
      .icv = MutBytes(payload + body, icv_size),
      .seq_hi = static_cast<std::uint32_t>(*seq >> 32),
      .esn = esn_,
  };
  if (auto sealed = transform_->seal(view); !sealed) {
    pkt.pull_front(kEspHeaderSize + iv_size);
    pkt.trim_back(pad + kEspTrailerSize + icv_size);
    return sealed.error();
  }
  counters_.inc(Ctr::esp_tx_packets);
  return ok();
}

// ---- InboundSa ----

InboundSa::InboundSa(std::uint32_t spi, std::unique_ptr<crypto::EspTransform> transform, bool esn,
                     ReplayWindow window)
    : transform_(std::move(transform)), window_(std::move(window)), spi_(spi), esn_(esn) {}

Result<InboundSa> InboundSa::create(std::uint32_t spi, std::unique_ptr<crypto::EspTransform> transform,
                                    bool esn, std::uint32_t replay_window, std::uint64_t floor) {
  if (transform == nullptr) return Error{Errc::invalid_state, "ESP SA without a transform"};
  auto window = ReplayWindow::create(replay_window, esn, floor);
  if (!window) return window.error();
  return InboundSa(spi, std::move(transform), esn, std::move(window).value());
}

Result<std::uint8_t> InboundSa::decap(PacketBuf& pkt) {
  const std::size_t iv_size = transform_->iv_size();
  const std::size_t icv_size = transform_->icv_size();
  const std::size_t align = alignment(*transform_);
  const std::size_t len = pkt.size();

  // 1. Length (§3.4.1: the smallest packet is one block of ciphertext).
  if (len < kEspHeaderSize + iv_size + align + icv_size) {
    counters_.inc(Ctr::esp_rx_truncated);
    return Error{Errc::truncated, "ESP packet truncated"};
  }
  const std::size_t body = len - kEspHeaderSize - iv_size - icv_size;
  if (body % align != 0) {
    counters_.inc(Ctr::esp_rx_bad_length);
    return Error{Errc::malformed, "ESP ciphertext not block-aligned"};
  }

  // 2. SPI.
  std::uint8_t* p = pkt.data();
  if (load_be32(p) != spi_) {
    counters_.inc(Ctr::esp_rx_wrong_spi);
    return Error{Errc::malformed, "ESP packet for another SPI"};
  }

  // 3. Replay check before the ICV (§3.4.3); the window is not changed.
  const auto seq = window_.check(load_be32(p + 4), counters_);
  if (!seq) return Error{Errc::exists, "ESP sequence number replayed or too old"};

  // 4. ICV and decryption.
  std::uint8_t* payload = p + kEspHeaderSize + iv_size;
  const crypto::EspPacketView view{
      .header = MutBytes(p, kEspHeaderSize),
      .iv = MutBytes(p + kEspHeaderSize, iv_size),
      .payload = MutBytes(payload, body),
      .icv = MutBytes(payload + body, icv_size),
      .seq_hi = static_cast<std::uint32_t>(*seq >> 32),
      .esn = esn_,
  };
  if (auto opened = transform_->open(view); !opened) {
    counters_.inc(opened.error().code == Errc::auth_failed ? Ctr::esp_rx_bad_icv : Ctr::esp_rx_bad_length);
    return opened.error();
  }

  // 5. Only an authentic packet moves the window (counts on a race loss).
  if (!window_.accept(*seq, counters_)) return Error{Errc::exists, "ESP sequence number replayed"};

  // 6. Padding (§2.4): Pad Length within the payload, bytes 1, 2, 3...
  const std::size_t pad = payload[body - 2];
  const std::uint8_t next_header = payload[body - 1];
  if (pad + kEspTrailerSize > body) {
    counters_.inc(Ctr::esp_rx_bad_padding);
    return Error{Errc::malformed, "ESP pad length beyond the payload"};
  }
  const std::uint8_t* pad_bytes = payload + body - kEspTrailerSize - pad;
  for (std::size_t i = 0; i < pad; ++i) {
    if (pad_bytes[i] != static_cast<std::uint8_t>(i + 1)) {
      counters_.inc(Ctr::esp_rx_bad_padding);
      return Error{Errc::malformed, "ESP padding bytes not 1, 2, 3..."};
    }
  }

  pkt.pull_front(kEspHeaderSize + iv_size);
  pkt.trim_back(pad + kEspTrailerSize + icv_size);

  // 7. Dummy packet (§2.6): authentic, but nothing to deliver.
  if (next_header == kNextHeaderDummy) {
    counters_.inc(Ctr::esp_rx_dummy);
    return Error{Errc::not_found, "ESP dummy packet"};
  }
  counters_.inc(Ctr::esp_rx_packets);
  return next_header;
}

}  // namespace l2sec::esp
