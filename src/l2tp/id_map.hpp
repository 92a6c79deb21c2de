// IdMap<T>: a flat hash map from a non-zero 16-bit L2TP ID (Tunnel ID or
// Session ID, RFC 2661 §5.3: 0 is never assigned) to a T stored inline.
//
// Open addressing with linear probing and backward-shift deletion; key 0
// marks an empty slot, so a slot is 2 octets plus the value (no node per
// entry, no tombstones). The table doubles when 3/4 full and never shrinks
// below its high-water mark (a tunnel that once held 10,000 sessions keeps
// the room for them).
//
// References and pointers to values are invalidated by insert() (rehash) and
// erase() (backward shift); hold IDs across calls, not pointers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace l2sec::l2tp {

template <class T>
class IdMap {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return slots_.size(); }

  T* find(std::uint16_t id) {
    if (id == 0 || slots_.empty()) return nullptr;
    for (std::size_t i = home(id);; i = next(i)) {
      if (slots_[i].key == id) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  const T* find(std::uint16_t id) const { return const_cast<IdMap*>(this)->find(id); }
  bool contains(std::uint16_t id) const { return find(id) != nullptr; }

  // Inserts value under id (id must be non-zero and absent). Returns a
  // reference valid until the next insert or erase.
  T& insert(std::uint16_t id, T value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    std::size_t i = home(id);
    while (slots_[i].key != 0) i = next(i);
    slots_[i].key = id;
    slots_[i].value = std::move(value);
    ++size_;
    return slots_[i].value;
  }

  // Removes id; returns false when it was not there.
  bool erase(std::uint16_t id) {
    if (id == 0 || slots_.empty()) return false;
    std::size_t i = home(id);
    while (slots_[i].key != id) {
      if (slots_[i].key == 0) return false;
      i = next(i);
    }
    // Backward shift: pull later entries of the same probe run into the hole.
    std::size_t hole = i;
    for (std::size_t j = next(hole);; j = next(j)) {
      if (slots_[j].key == 0) break;
      std::size_t h = home(slots_[j].key);
      // Entry j may move to the hole when its home is not cyclically in (hole, j].
      bool in_range = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!in_range) {
        slots_[hole].key = slots_[j].key;
        slots_[hole].value = std::move(slots_[j].value);
        hole = j;
      }
    }
    slots_[hole].key = 0;
    slots_[hole].value = T{};
    --size_;
    return true;
  }

  void clear() {
    slots_.clear();
    size_ = 0;
  }

  // Calls f(id, value&) for every entry. f must not insert or erase.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : slots_)
      if (s.key != 0) f(s.key, s.value);
  }
  template <class F>
  void for_each(F&& f) const {
    for (const auto& s : slots_)
      if (s.key != 0) f(s.key, s.value);
  }

 private:
  struct Slot {
    std::uint16_t key = 0;
    T value{};
  };

  std::size_t home(std::uint16_t id) const {
    // Fibonacci hashing: IDs are random, but this also spreads sequential ones.
    return static_cast<std::size_t>((std::uint32_t{id} * 0x9E3779B1u) >> 8) & (slots_.size() - 1);
  }
  std::size_t next(std::size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(old.empty() ? 8 : old.size() * 2);
    size_ = 0;
    for (auto& s : old)
      if (s.key != 0) insert(s.key, std::move(s.value));
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace l2sec::l2tp
