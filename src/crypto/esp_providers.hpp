// Which ESP provider runs an SA: the providers this process has, and the
// choice per algorithm pair, automatic or forced by the configuration
// ([esp] provider). `l2sec` logs and reports the choice per SA.
//
// Automatic choice (measured, docs/PERFORMANCE.md): intel-ipsec-mb for the
// AEAD ciphers (AES-GCM, ChaCha20-Poly1305), where it is several times
// faster; mbedTLS for CBC + HMAC and NULL + HMAC, because ipsec-mb's
// multi-buffer SHA is flushed per packet and costs microseconds there; and
// mbedTLS for whatever ipsec-mb does not do or when the CPU lacks what
// ipsec-mb needs (make_ipsecmb_provider() returned nullptr).
// Forced choice: that provider or an error (unsupported) naming the pair.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "crypto/esp_transform.hpp"

namespace l2sec::crypto {

enum class EspProviderId : std::uint8_t { automatic, ipsec_mb, mbedtls };

class EspProviders {
 public:
  // Both providers where available (ipsec-mb may be missing).
  EspProviders();
  ~EspProviders();
  EspProviders(EspProviders&&) noexcept;
  EspProviders& operator=(EspProviders&&) noexcept;

  // The provider for (c, a) under `choice`; never nullptr on success.
  // Errors: unsupported when the forced provider lacks the pair (or is not
  // available on this CPU) or no provider does it.
  Result<const EspProvider*> pick(EspCipher c, EspAuth a, EspProviderId choice = EspProviderId::automatic) const;

  // What is available: "intel-ipsec-mb <version>, mbedtls <version>" or
  // "mbedtls <version> (intel-ipsec-mb unavailable: <why>)".
  std::string describe() const;
  const EspProvider* ipsec_mb() const noexcept { return ipsecmb_.get(); }
  const EspProvider& mbedtls() const noexcept { return *mbedtls_; }

 private:
  std::unique_ptr<EspProvider> ipsecmb_;
  std::unique_ptr<EspProvider> mbedtls_;
};

}  // namespace l2sec::crypto
