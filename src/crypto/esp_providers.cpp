// Provider selection: see esp_providers.hpp for the rule and its reasons.
//
// Error texts must be static (core/result.hpp) yet name the algorithm pair
// and the provider, so every possible text is built once, on first use,
// into a table that lives as long as the process, and pick() returns views
// into it.
#include "crypto/esp_providers.hpp"

#include <intel-ipsec-mb.h>
#include <mbedtls/version.h>

#include <array>
#include <string>

namespace l2sec::crypto {
namespace {

// Room for every enumerator of EspCipher and EspAuth, with space to grow;
// a value beyond it gets a text without the pair.
constexpr std::size_t kMaxAlg = 16;

enum class Why : std::uint8_t {
  ipsecmb_unavailable,  // forced intel-ipsec-mb, but this CPU / library cannot run it
  ipsecmb_lacks,        // forced intel-ipsec-mb, which does not do the pair
  mbedtls_lacks,        // forced mbedtls, which does not do the pair
  nobody,               // automatic, and no provider does the pair
  count,
};

constexpr std::size_t kWhyCount = static_cast<std::size_t>(Why::count);

std::string pair_text(std::size_t c, std::size_t a) {
  return std::string(cipher_name(static_cast<EspCipher>(c))) + " + " +
         std::string(auth_name(static_cast<EspAuth>(a)));
}

std::string message(Why why, const std::string& pair) {
  switch (why) {
    case Why::ipsecmb_unavailable:
      return "esp: provider intel-ipsec-mb is not available on this machine, so it cannot run " + pair;
    case Why::ipsecmb_lacks:
      return "esp: provider intel-ipsec-mb does not support " + pair;
    case Why::mbedtls_lacks:
      return "esp: provider mbedtls does not support " + pair;
    case Why::nobody:
    case Why::count:
      break;
  }
  return "esp: no provider supports " + pair;
}

using Table = std::array<std::string, kWhyCount * kMaxAlg * kMaxAlg>;

const Table& messages() {
  static const Table table = [] {
    Table t;
    for (std::size_t w = 0; w < kWhyCount; ++w) {
      for (std::size_t c = 0; c < kMaxAlg; ++c) {
        for (std::size_t a = 0; a < kMaxAlg; ++a) {
          t[(w * kMaxAlg + c) * kMaxAlg + a] = message(static_cast<Why>(w), pair_text(c, a));
        }
      }
    }
    return t;
  }();
  return table;
}

Error unsupported(Why why, EspCipher c, EspAuth a) {
  auto ci = static_cast<std::size_t>(c);
  auto ai = static_cast<std::size_t>(a);
  if (ci >= kMaxAlg || ai >= kMaxAlg) return Error{Errc::unsupported, "esp: algorithm pair not supported"};
  return Error{Errc::unsupported, messages()[(static_cast<std::size_t>(why) * kMaxAlg + ci) * kMaxAlg + ai]};
}

}  // namespace

EspProviders::EspProviders() : ipsecmb_(make_ipsecmb_provider()), mbedtls_(make_mbedtls_provider()) {}
EspProviders::~EspProviders() = default;
EspProviders::EspProviders(EspProviders&&) noexcept = default;
EspProviders& EspProviders::operator=(EspProviders&&) noexcept = default;

Result<const EspProvider*> EspProviders::pick(EspCipher c, EspAuth a, EspProviderId choice) const {
  const EspProvider* imb = ipsecmb_.get();
  const EspProvider* mbed = mbedtls_.get();
  switch (choice) {
    case EspProviderId::ipsec_mb:
      if (!imb) return unsupported(Why::ipsecmb_unavailable, c, a);
      if (!imb->supports(c, a)) return unsupported(Why::ipsecmb_lacks, c, a);
      return imb;
    case EspProviderId::mbedtls:
      if (!mbed->supports(c, a)) return unsupported(Why::mbedtls_lacks, c, a);
      return mbed;
    case EspProviderId::automatic:
      break;
  }
  // AEAD: intel-ipsec-mb first (several times faster). CBC / NULL + HMAC:
  // mbedTLS first (ipsec-mb flushes its multi-buffer SHA per packet). Either
  // way the other provider covers what the first one lacks.
  const EspProvider* first = is_aead(c) ? imb : mbed;
  const EspProvider* second = is_aead(c) ? mbed : imb;
  if (first && first->supports(c, a)) return first;
  if (second && second->supports(c, a)) return second;
  return unsupported(Why::nobody, c, a);
}

std::string EspProviders::describe() const {
  const std::string mbed = std::string("mbedtls ") + MBEDTLS_VERSION_STRING;
  if (ipsecmb_) return std::string("intel-ipsec-mb ") + imb_get_version_str() + ", " + mbed;
  // make_ipsecmb_provider() gives no reason; the CPU flag is the usual one.
  const char* why = (imb_get_feature_flags() & IMB_FEATURE_AESNI) == 0 ? "CPU lacks AES-NI"
                                                                       : "library initialisation failed";
  return mbed + " (intel-ipsec-mb unavailable: " + why + ")";
}

}  // namespace l2sec::crypto
