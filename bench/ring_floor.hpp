// The floor try_record is measured against: write a 4-byte length (and, with a timestamp, the
// 8-byte TSC reading) and the payload into ring memory and publish with a release store,
// nothing else (no capacity check, no counters).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

class RingFloor {
public:
    // `timestamp`: frames also hold an 8-byte TSC reading (record(payload, tsc)).
    RingFloor(std::size_t ring_bytes, std::size_t payload_size, bool timestamp = false)
        : ring_(ring_bytes, std::byte{0}),
          frame_((8 + (timestamp ? 8 : 0) + payload_size + 7) & ~std::size_t{7}) {}

    void record(std::span<const std::byte> payload) { write(payload, nullptr); }

    // With a receive timestamp: the counter's value, as the sink's own hot path stores it.
    void record(std::span<const std::byte> payload, std::uint64_t tsc) { write(payload, &tsc); }

private:
    void write(std::span<const std::byte> payload, const std::uint64_t* tsc) {
        if (pos_ + frame_ > ring_.size()) pos_ = 0;
        const auto len = static_cast<std::uint32_t>(payload.size());
        std::memcpy(ring_.data() + pos_, &len, 4);
        std::size_t at = pos_ + 8;
        if (tsc) {
            std::memcpy(ring_.data() + at, tsc, 8);
            at += 8;
        }
        std::memcpy(ring_.data() + at, payload.data(), payload.size());
        pos_ += frame_;
        head_.store(pos_, std::memory_order_release);
    }

    std::vector<std::byte> ring_;  // zero-filled: written once, like the sink's pre-faulted ring
    std::size_t frame_;
    std::uint64_t pos_ = 0;
    std::atomic<std::uint64_t> head_{0};
};
