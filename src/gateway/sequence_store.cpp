// MemorySequenceStore: see sequence_store.hpp.
#include "gateway/sequence_store.hpp"

namespace l2sec::gateway {

bool MemorySequenceStore::persist(std::span<const SequenceRecord> records) {
  if (failing_) return false;
  for (const SequenceRecord& r : records) {
    bool found = false;
    for (SequenceRecord& have : records_) {
      if (have.key == r.key) {
        have.value = r.value;
        found = true;
        break;
      }
    }
    if (!found) records_.push_back(r);
  }
  ++writes_;
  return true;
}

const std::uint64_t* MemorySequenceStore::find(const SequenceKey& key) const noexcept {
  for (const SequenceRecord& r : records_)
    if (r.key == key) return &r.value;
  return nullptr;
}

}  // namespace l2sec::gateway
