// ESP per algorithm and provider, ns per packet for 64-, 512- and
// 1400-octet payloads, three figures per pair in the same run:
//   BM_SaEncapDecap  OutboundSa::encap then InboundSa::decap of one packet
//                    (padding, header, trailer, sequence number, replay
//                    window, the checks in RFC order: the whole ESP path);
//   BM_SealOpen      the provider's EspTransform seal then open on a packet
//                    of the same size (the crypto alone, our wrapper);
//   BM_RawGcm        for AES-128-GCM, the library's own calls on a buffer of
//                    the same size (ipsec-mb IMB_AES128_GCM_ENC/DEC,
//                    mbedtls_gcm_crypt_and_tag/auth_decrypt).
// Ratios (SA / raw) go to docs/PERFORMANCE.md. No heap allocation per
// packet: the PacketBuf keeps its headroom and tailroom across iterations
// (checked: the benchmark fails if it reallocates).
#include <benchmark/benchmark.h>
#include <intel-ipsec-mb.h>
#include <mbedtls/gcm.h>

#include <memory>
#include <vector>

#include "core/packet_buf.hpp"
#include "core/wire.hpp"
#include "crypto/esp_transform.hpp"
#include "crypto/random.hpp"
#include "esp/sa.hpp"

namespace {

using namespace l2sec;
using namespace l2sec::crypto;

enum class Prov { ipsecmb, mbedtls };

std::unique_ptr<EspProvider> provider(Prov p) {
  return p == Prov::ipsecmb ? make_ipsecmb_provider() : make_mbedtls_provider();
}

std::unique_ptr<EspTransform> transform(benchmark::State& state, const EspProvider& prov, EspCipher c,
                                        EspAuth a, Random& random, std::uint8_t seed) {
  std::vector<std::uint8_t> ek(enc_key_size(c), seed),
      ak(auth_key_size(a), static_cast<std::uint8_t>(seed + 1));
  auto t = prov.make(c, a, ek, ak, random);
  if (!t) {
    state.SkipWithError("provider refused the pair");
    return nullptr;
  }
  return std::move(*t);
}

void sa_encap_decap(benchmark::State& state, Prov pv, EspCipher c, EspAuth a) {
  auto prov = provider(pv);
  if (!prov) {
    state.SkipWithError("provider unavailable on this CPU");
    return;
  }
  SeededRandom random(1);
  auto t_out = transform(state, *prov, c, a, random, 0x42);
  auto t_in = transform(state, *prov, c, a, random, 0x42);
  if (!t_out || !t_in) return;
  esp::OutboundSa out(0x1001, std::move(t_out), false);
  auto in = esp::InboundSa::create(0x1001, std::move(t_in), false, 128);
  if (!in) {
    state.SkipWithError("InboundSa::create failed");
    return;
  }
  const auto len = static_cast<std::size_t>(state.range(0));
  PacketBuf pkt(len + 64);
  std::fill_n(pkt.push_back(len), len, std::uint8_t{0x5a});
  const auto reallocs = pkt.realloc_count();
  for (auto _ : state) {
    if (!out.encap(pkt, esp::kNextHeaderUdp) || !in->decap(pkt)) {
      state.SkipWithError("encap/decap failed");
      break;
    }
    benchmark::DoNotOptimize(pkt.data());
    benchmark::ClobberMemory();
  }
  if (pkt.size() != len || pkt.realloc_count() != reallocs)
    state.SkipWithError("packet reallocated or resized");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * len));
}

void seal_open(benchmark::State& state, Prov pv, EspCipher c, EspAuth a) {
  auto prov = provider(pv);
  if (!prov) {
    state.SkipWithError("provider unavailable on this CPU");
    return;
  }
  SeededRandom random(1);
  auto t = transform(state, *prov, c, a, random, 0x42);
  if (!t) return;
  // The SA pads payload + 2 to the block; do the same so both move as many bytes.
  const auto bs = t->block_size();
  const auto len = (static_cast<std::size_t>(state.range(0)) + 2 + bs - 1) / bs * bs;
  std::vector<std::uint8_t> buf(8 + t->iv_size() + len + t->icv_size(), 0x5a);
  MutBytes all(buf);
  EspPacketView p{all.subspan(0, 8),
                  all.subspan(8, t->iv_size()),
                  all.subspan(8 + t->iv_size(), len),
                  all.subspan(8 + t->iv_size() + len, t->icv_size()),
                  0,
                  false};
  std::uint32_t seq = 1;
  for (auto _ : state) {
    store_be32(buf.data() + 4, seq++);
    if (!t->seal(p) || !t->open(p)) {
      state.SkipWithError("seal/open failed");
      break;
    }
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * state.range(0)));
}

#define L2SEC_PAIR(name, prov, cipher, auth)                                                  \
  void BM_SaEncapDecap_##name(benchmark::State& s) { sa_encap_decap(s, prov, cipher, auth); } \
  BENCHMARK(BM_SaEncapDecap_##name)->Arg(64)->Arg(512)->Arg(1400);                            \
  void BM_SealOpen_##name(benchmark::State& s) { seal_open(s, prov, cipher, auth); }          \
  BENCHMARK(BM_SealOpen_##name)->Arg(64)->Arg(512)->Arg(1400);

L2SEC_PAIR(IpsecMb_AesGcm128, Prov::ipsecmb, EspCipher::aes_gcm16_128, EspAuth::none)
L2SEC_PAIR(IpsecMb_AesGcm256, Prov::ipsecmb, EspCipher::aes_gcm16_256, EspAuth::none)
L2SEC_PAIR(IpsecMb_ChaCha20Poly1305, Prov::ipsecmb, EspCipher::chacha20_poly1305, EspAuth::none)
L2SEC_PAIR(IpsecMb_AesCbc128Sha1, Prov::ipsecmb, EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96)
L2SEC_PAIR(Mbedtls_AesGcm128, Prov::mbedtls, EspCipher::aes_gcm16_128, EspAuth::none)
L2SEC_PAIR(Mbedtls_ChaCha20Poly1305, Prov::mbedtls, EspCipher::chacha20_poly1305, EspAuth::none)
L2SEC_PAIR(Mbedtls_AesCbc128Sha1, Prov::mbedtls, EspCipher::aes_cbc_128, EspAuth::hmac_sha1_96)
L2SEC_PAIR(Mbedtls_AesCbc256Sha256, Prov::mbedtls, EspCipher::aes_cbc_256, EspAuth::hmac_sha256_128)
L2SEC_PAIR(Mbedtls_NullSha1, Prov::mbedtls, EspCipher::null, EspAuth::hmac_sha1_96)
L2SEC_PAIR(Mbedtls_NullSha256, Prov::mbedtls, EspCipher::null, EspAuth::hmac_sha256_128)

void BM_RawGcm_IpsecMb_AesGcm128(benchmark::State& state) {
  IMB_MGR* m = alloc_mb_mgr(0);
  if (m == nullptr) {
    state.SkipWithError("alloc_mb_mgr failed");
    return;
  }
  IMB_ARCH arch = IMB_ARCH_NONE;
  init_mb_mgr_auto(m, &arch);
  alignas(64) gcm_key_data key;
  std::uint8_t raw_key[16];
  std::fill(std::begin(raw_key), std::end(raw_key), 0x42);
  IMB_AES128_GCM_PRE(m, raw_key, &key);
  const auto len = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> buf(len, 0x5a);
  std::uint8_t nonce[12] = {0x42, 0x42, 0x42, 0x42};
  std::uint8_t aad[8] = {};
  std::uint8_t tag[16], tag2[16];
  gcm_context_data ctx;
  std::uint32_t seq = 1;
  for (auto _ : state) {
    store_be32(nonce + 8, seq);
    store_be32(aad + 4, seq++);
    IMB_AES128_GCM_ENC(m, &key, &ctx, buf.data(), buf.data(), len, nonce, aad, sizeof aad, tag, sizeof tag);
    IMB_AES128_GCM_DEC(m, &key, &ctx, buf.data(), buf.data(), len, nonce, aad, sizeof aad, tag2, sizeof tag2);
    benchmark::DoNotOptimize(tag2);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * len));
  free_mb_mgr(m);
}
BENCHMARK(BM_RawGcm_IpsecMb_AesGcm128)->Arg(64)->Arg(512)->Arg(1400);

void BM_RawGcm_Mbedtls_AesGcm128(benchmark::State& state) {
  mbedtls_gcm_context gcm;
  mbedtls_gcm_init(&gcm);
  std::uint8_t raw_key[16];
  std::fill(std::begin(raw_key), std::end(raw_key), 0x42);
  if (mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, raw_key, 128) != 0) {
    state.SkipWithError("mbedtls_gcm_setkey failed");
    return;
  }
  const auto len = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> buf(len, 0x5a);
  std::uint8_t nonce[12] = {0x42, 0x42, 0x42, 0x42};
  std::uint8_t aad[8] = {};
  std::uint8_t tag[16];
  std::uint32_t seq = 1;
  for (auto _ : state) {
    store_be32(nonce + 8, seq);
    store_be32(aad + 4, seq++);
    mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, nonce, sizeof nonce, aad, sizeof aad,
                              buf.data(), buf.data(), sizeof tag, tag);
    if (mbedtls_gcm_auth_decrypt(&gcm, len, nonce, sizeof nonce, aad, sizeof aad, tag, sizeof tag, buf.data(),
                                 buf.data()) != 0) {
      state.SkipWithError("tag mismatch");
      break;
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * len));
  mbedtls_gcm_free(&gcm);
}
BENCHMARK(BM_RawGcm_Mbedtls_AesGcm128)->Arg(64)->Arg(512)->Arg(1400);

}  // namespace
