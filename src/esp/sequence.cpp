// ESP sender sequence number: RFC 4303 §3.3.3.
#include "esp/sequence.hpp"

namespace l2sec::esp {

SequenceCounter::SequenceCounter(bool esn, std::uint64_t soft_limit, std::uint64_t last) noexcept
    : last_(esn || last <= kMax32 ? last : kMax32),
      reserved_(esn ? kMax64 : kMax32),
      soft_limit_(soft_limit != 0 ? soft_limit : (esn ? kDefaultSoft64 : kDefaultSoft32)),
      esn_(esn) {}

Result<std::uint64_t> SequenceCounter::next(Counters& counters) noexcept {
  // §3.3.3: "the transmitted sequence number must never be allowed to cycle".
  if (exhausted()) {
    counters.inc(Ctr::esp_tx_seq_exhausted);
    return Error{Errc::no_resources, "sequence number exhausted: rekey"};
  }
  // Past the mark the owner has persisted, a number could be sent again
  // after a restart under the same key: refuse until reserve() moves it.
  if (last_ >= reserved_) {
    counters.inc(Ctr::esp_tx_unreserved);
    return Error{Errc::invalid_state, "sequence numbers not yet persisted"};
  }
  return ++last_;
}

void SequenceCounter::reserve(std::uint64_t until) noexcept {
  if (until < last_) until = last_;
  if (until > max()) until = max();
  reserved_ = until;
}

}  // namespace l2sec::esp
