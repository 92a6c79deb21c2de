#include "transports/atm/crc32.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define L2SEC_ATM_HAVE_CLMUL 1
#include <immintrin.h>
#endif

namespace l2sec::transports::atm {
namespace {

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

// T[0][b]: the register after byte b from 0; T[k][b]: the same followed by
// k zero octets, so eight octets are folded with eight independent lookups.
constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t r = b << 24;
    for (int i = 0; i < 8; ++i) r = (r & 0x80000000u) ? (r << 1) ^ kCrc32Poly : r << 1;
    t[0][b] = r;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] << 8) ^ t[0][t[k - 1][b] >> 24];
  return t;
}
constexpr Tables kT = make_tables();

std::uint32_t table_update(std::uint32_t reg, const std::uint8_t* p, std::size_t n) noexcept {
  while (n >= 8) {
    const std::uint32_t a = reg ^ load_be32(p);
    const std::uint32_t b = load_be32(p + 4);
    reg = kT[7][a >> 24] ^ kT[6][(a >> 16) & 0xFF] ^ kT[5][(a >> 8) & 0xFF] ^ kT[4][a & 0xFF] ^
          kT[3][b >> 24] ^ kT[2][(b >> 16) & 0xFF] ^ kT[1][(b >> 8) & 0xFF] ^ kT[0][b & 0xFF];
    p += 8;
    n -= 8;
  }
  while (n-- != 0) reg = (reg << 8) ^ kT[0][(reg >> 24) ^ *p++];
  return reg;
}

#ifdef L2SEC_ATM_HAVE_CLMUL

// x^n mod P, bit i = coefficient of x^i.
constexpr std::uint64_t xpow_mod(unsigned n) {
  std::uint64_t r = 1;
  for (unsigned i = 0; i < n; ++i) {
    r <<= 1;
    if (r & (std::uint64_t{1} << 32)) r ^= (std::uint64_t{1} << 32) | kCrc32Poly;
  }
  return r;
}

// Folding a 128-bit block A = Ah*x^64 + Al forward by D bits:
//   A * x^D = Ah * x^(D+64) + Al * x^D  ==  Ah * K(D+64) + Al * K(D)  (mod P),
// two 64x32 carry-less products that fit in 128 bits.
__attribute__((target("pclmul,ssse3"))) inline __m128i fold(__m128i a, __m128i k) {
  return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x11), _mm_clmulepi64_si128(a, k, 0x00));
}

// Fold distances 128, 256, 384, 512: {K(D), K(D+64)}.
struct FoldConst {
  std::uint64_t lo, hi;
};
constexpr FoldConst kFold[4] = {{xpow_mod(128), xpow_mod(192)},
                                {xpow_mod(256), xpow_mod(320)},
                                {xpow_mod(384), xpow_mod(448)},
                                {xpow_mod(512), xpow_mod(576)}};

__attribute__((target("pclmul,ssse3"))) inline __m128i konst(const FoldConst& k) {
  return _mm_set_epi64x(static_cast<long long>(k.hi), static_cast<long long>(k.lo));
}

// Loads 16 octets so that the first octet is the most significant (bit 127
// = the highest power of x): the MSB-first CRC reads the message that way.
__attribute__((target("pclmul,ssse3"))) inline __m128i load_block(const std::uint8_t* p, __m128i bswap) {
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), bswap);
}

__attribute__((target("pclmul,ssse3"))) std::uint32_t clmul_update(std::uint32_t reg, const std::uint8_t* p,
                                                                   std::size_t n) noexcept {
  // The register is absorbed into the first 32 message bits below, so the
  // bytes that do not fill a 16-octet block go first, through the tables.
  const std::size_t head = n % 16;
  reg = table_update(reg, p, head);
  p += head;
  n -= head;  // a multiple of 16, at least 16 (callers pass n >= 32)

  const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m128i k128 = konst(kFold[0]), k256 = konst(kFold[1]), k384 = konst(kFold[2]),
                k512 = konst(kFold[3]);

  __m128i acc = _mm_xor_si128(load_block(p, bswap), _mm_set_epi32(static_cast<int>(reg), 0, 0, 0));
  p += 16;
  n -= 16;
  if (n >= 48) {
    // Four lanes, each folded forward 512 bits per round: four independent
    // multiply chains keep the multiplier busy.
    __m128i l0 = acc, l1 = load_block(p, bswap), l2 = load_block(p + 16, bswap),
            l3 = load_block(p + 32, bswap);
    p += 48;
    n -= 48;
    while (n >= 64) {
      l0 = _mm_xor_si128(fold(l0, k512), load_block(p, bswap));
      l1 = _mm_xor_si128(fold(l1, k512), load_block(p + 16, bswap));
      l2 = _mm_xor_si128(fold(l2, k512), load_block(p + 32, bswap));
      l3 = _mm_xor_si128(fold(l3, k512), load_block(p + 48, bswap));
      p += 64;
      n -= 64;
    }
    acc = _mm_xor_si128(_mm_xor_si128(fold(l0, k384), fold(l1, k256)), _mm_xor_si128(fold(l2, k128), l3));
  }
  while (n >= 16) {
    acc = _mm_xor_si128(fold(acc, k128), load_block(p, bswap));
    p += 16;
    n -= 16;
  }
  // acc == message (mod P); the register is acc * x^32 mod P, which the
  // tables compute from a zero register over acc's 16 octets.
  alignas(16) std::uint8_t out[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(acc, bswap));
  return table_update(0, out, sizeof out);
}

bool cpu_has_clmul() noexcept {
  static const bool has = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
  return has;
}

#endif  // L2SEC_ATM_HAVE_CLMUL

// Below this the set-up of the folding costs more than it saves.
constexpr std::size_t kClmulMin = 32;

}  // namespace

namespace detail {
std::uint32_t crc32_update_table(std::uint32_t reg, Bytes data) noexcept {
  return table_update(reg, data.data(), data.size());
}
bool clmul_available() noexcept {
#ifdef L2SEC_ATM_HAVE_CLMUL
  return cpu_has_clmul();
#else
  return false;
#endif
}
std::uint32_t crc32_update_clmul(std::uint32_t reg, Bytes data) noexcept {
#ifdef L2SEC_ATM_HAVE_CLMUL
  if (data.size() >= kClmulMin && cpu_has_clmul()) return clmul_update(reg, data.data(), data.size());
#endif
  return table_update(reg, data.data(), data.size());
}
}  // namespace detail

std::uint32_t crc32_update(std::uint32_t reg, Bytes data) noexcept {
  return detail::crc32_update_clmul(reg, data);
}

std::string_view crc32_implementation() noexcept {
  return detail::clmul_available() ? "pclmul" : "slice-by-8";
}

}  // namespace l2sec::transports::atm
