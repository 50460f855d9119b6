// The floor try_record is measured against: write a 4-byte length and the payload into ring
// memory and publish with a release store, nothing else (no capacity check, no counters).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

class RingFloor {
public:
    RingFloor(std::size_t ring_bytes, std::size_t payload_size)
        : ring_(ring_bytes, std::byte{0}), frame_((8 + payload_size + 7) & ~std::size_t{7}) {}

    void record(std::span<const std::byte> payload) {
        if (pos_ + frame_ > ring_.size()) pos_ = 0;
        const auto len = static_cast<std::uint32_t>(payload.size());
        std::memcpy(ring_.data() + pos_, &len, 4);
        std::memcpy(ring_.data() + pos_ + 8, payload.data(), payload.size());
        pos_ += frame_;
        head_.store(pos_, std::memory_order_release);
    }

private:
    std::vector<std::byte> ring_;  // zero-filled: written once, like the sink's pre-faulted ring
    std::size_t frame_;
    std::uint64_t pos_ = 0;
    std::atomic<std::uint64_t> head_{0};
};
