// Fuzz target: ESP decapsulation through an InboundSa (src/esp/sa.hpp).
// Input: byte 0 selects
//   bit 0: the SA: 0 = NULL + HMAC-SHA1-96, 1 = AES-GCM-16-128 (mbedTLS);
//   bit 1: 0 = the rest is an ESP packet, decapsulated as is (length,
//          SPI, replay and ICV checks); 1 = the rest is a 32-bit sequence
//          number and a payload..Next Header body (cut to the block size),
//          sealed with the same keys first, so the checks after the ICV
//          (window, padding, dummy) see authentic packets;
//   bit 2: ESN.
// Keys (also in tests/unit/esp/sa_test.cpp, which writes the seed corpus):
// encryption key octets 0x10, 0x11, ..., integrity key 0x80, 0x81, ...;
// SPI 0x01020304.
// Invariants: never crashes; a successful decap leaves a payload no longer
// than the input, and exactly one of the SA's counters moves per packet.
// Violations trap. Corpus: tests/fuzz/esp_decap/.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/wire.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"
#include "esp/sa.hpp"

#define ESP_CHECK(cond)            \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

namespace {

using namespace l2sec;

std::vector<std::uint8_t> key_of(std::size_t n, std::uint8_t start) {
  std::vector<std::uint8_t> k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = static_cast<std::uint8_t>(start + i);
  return k;
}

std::unique_ptr<crypto::EspTransform> make(bool gcm, crypto::Random& random) {
  const auto provider = crypto::make_mbedtls_provider();
  const auto c = gcm ? crypto::EspCipher::aes_gcm16_128 : crypto::EspCipher::null;
  const auto a = gcm ? crypto::EspAuth::none : crypto::EspAuth::hmac_sha1_96;
  auto t = provider->make(c, a, key_of(crypto::enc_key_size(c), 0x10), key_of(crypto::auth_key_size(a), 0x80),
                          random);
  ESP_CHECK(t.ok());
  return std::move(t).value();
}

std::uint64_t total(const Counters& c) {
  std::uint64_t n = 0;
  c.for_each_nonzero([&](Ctr, std::uint64_t v) { n += v; });
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool gcm = (data[0] & 1) != 0;
  const bool raw = (data[0] & 2) != 0;
  const bool esn = (data[0] & 4) != 0;
  crypto::SeededRandom random(1);
  auto sa = esp::InboundSa::create(0x01020304, make(gcm, random), esn);
  ESP_CHECK(sa.ok());
  const Bytes in(data + 1, size - 1);

  PacketBuf pkt;
  if (!raw) {
    pkt = PacketBuf::copy_of(in);
  } else {
    if (in.size() < 4) return 0;
    auto sender = make(gcm, random);
    const std::size_t align = sender->block_size() < 4 ? 4 : sender->block_size();
    const std::size_t body = (in.size() - 4) / align * align;
    if (body == 0) return 0;
    pkt = PacketBuf::copy_of(in.subspan(4, body));
    pkt.push_back(sender->icv_size());
    std::uint8_t* d = pkt.push_front(esp::kEspHeaderSize + sender->iv_size());
    store_be32(d, 0x01020304);
    std::copy(in.begin(), in.begin() + 4, d + 4);
    const std::size_t h = esp::kEspHeaderSize + sender->iv_size();
    const crypto::EspPacketView v{.header = MutBytes(d, esp::kEspHeaderSize),
                                  .iv = MutBytes(d + esp::kEspHeaderSize, sender->iv_size()),
                                  .payload = MutBytes(d + h, body),
                                  .icv = MutBytes(d + h + body, sender->icv_size()),
                                  .seq_hi = 0,
                                  .esn = esn};
    ESP_CHECK(sender->seal(v).ok());
  }
  const std::size_t before = pkt.size();
  auto r = sa->decap(pkt);
  ESP_CHECK(total(sa->counters()) == 1);
  if (r.ok()) {
    ESP_CHECK(pkt.size() < before);
    ESP_CHECK(sa->counters()[Ctr::esp_rx_packets] == 1);
    // A fresh window: the accepted number is the new top.
    if (raw) ESP_CHECK(sa->replay_window().top() == load_be32(in.data()));
  }
  return 0;
}
