// Complete packet sequences (mbit.hpp has the rules and the contract).
#include "transports/xot/mbit.hpp"

#include <algorithm>
#include <cstring>

namespace l2sec::transports::xot {

Segmenter::Segmenter(Bytes pdu, std::size_t packet_size) : rest_(pdu), size_(packet_size) {}

std::size_t Segmenter::count() const {
  if (done_) return 0;
  return rest_.empty() ? 1 : (rest_.size() + size_ - 1) / size_;
}

Segment Segmenter::next() {
  if (done_) return {};
  const std::size_t n = std::min(rest_.size(), size_);
  Segment s{rest_.first(n), rest_.size() > size_};
  rest_ = rest_.subspan(n);
  done_ = !s.more;
  return s;
}

Reassembler::Reassembler(std::size_t max_pdu, std::size_t packet_size)
    : buf_(max_pdu), packet_size_(packet_size) {}

void Reassembler::reset(Counters& c) {
  if (len_ != 0 || packets_ != 0 || discarding_) c.inc(Ctr::x25_reasm_aborted);
  len_ = packets_ = 0;
  discarding_ = false;
}

Result<std::optional<Pdu>> Reassembler::add(Bytes user_data, bool more, bool q, Counters& c) {
  auto drop = [&](Ctr why, std::string_view what) {
    c.inc(why);
    len_ = packets_ = 0;
    return Error{Errc::malformed, what};
  };
  if (discarding_) {
    c.inc(Ctr::x25_reasm_discarded);
    discarding_ = more;
    return std::optional<Pdu>();
  }
  if (more && user_data.size() != packet_size_)
    return drop(Ctr::x25_reasm_partial_m, "X.25 M=1 Data packet not full");
  if (packets_ != 0 && q != q_)
    return drop(Ctr::x25_reasm_q_mismatch, "X.25 Q bit changed within a sequence");
  if (len_ + user_data.size() > buf_.size()) {
    discarding_ = more;
    return drop(Ctr::x25_reasm_overflow, "X.25 complete packet sequence over the PDU limit");
  }
  if (packets_ == 0) {
    if (!more) {  // the common case: a one-packet PDU, no copy
      c.inc(Ctr::x25_reasm_pdus);
      return std::optional<Pdu>(Pdu{user_data, q, 1});
    }
    q_ = q;
  }
  if (!user_data.empty()) std::memcpy(buf_.data() + len_, user_data.data(), user_data.size());
  len_ += user_data.size();
  ++packets_;
  if (more) return std::optional<Pdu>();
  Pdu pdu{Bytes(buf_.data(), len_), q_, packets_};
  len_ = packets_ = 0;
  c.inc(Ctr::x25_reasm_pdus);
  return std::optional<Pdu>(pdu);
}

}  // namespace l2sec::transports::xot
