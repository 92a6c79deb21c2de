// ESP sender sequence number: RFC 4303 §3.3.3.
#include "esp/sequence.hpp"

namespace l2sec::esp {

SequenceCounter::SequenceCounter(bool esn, std::uint64_t soft_limit, std::uint64_t last) noexcept
    : last_(esn || last <= kMax32 ? last : kMax32),
      soft_limit_(soft_limit != 0 ? soft_limit : (esn ? kDefaultSoft64 : kDefaultSoft32)),
      esn_(esn) {}

Result<std::uint64_t> SequenceCounter::next(Counters& counters) noexcept {
  // §3.3.3: "the transmitted sequence number must never be allowed to cycle".
  if (exhausted()) {
    counters.inc(Ctr::esp_tx_seq_exhausted);
    return Error{Errc::no_resources, "sequence number exhausted: rekey"};
  }
  return ++last_;
}

}  // namespace l2sec::esp
