// parquet_flow::Sink over the cxx bridge (rust/src/bridge.rs, rust/src/sink.rs).
#include "parquet_flow/sink.hpp"

#include "bridge_util.hpp"
#include "parquet_flow_core/bridge.rs.h"

namespace parquet_flow {

struct Sink::Impl {
    rust::Box<bridge::SinkCore> core;
};

struct Sink::Producer::Impl {
    rust::Box<bridge::ProducerCore> core;
};

namespace {

std::int64_t nanos_or(const std::optional<std::chrono::nanoseconds>& d, std::int64_t fallback) {
    return d ? d->count() : fallback;
}

SinkStats to_stats(const bridge::SinkCounters& c) {
    // Field by field by name: a counter added on one side and not the other fails to compile
    // (designated initializers must follow declaration order), never swaps silently.
    static_assert(sizeof(SinkStats) == sizeof(bridge::SinkCounters), "SinkStats and the bridge's SinkCounters differ");
    return SinkStats{
        .attempted = c.attempted,
        .accepted = c.accepted,
        .dropped_full = c.dropped_full,
        .dropped_oversize = c.dropped_oversize,
        .dropped_closed = c.dropped_closed,
        .dropped_failed = c.dropped_failed,
        .rows_written = c.rows_written,
        .row_groups = c.row_groups,
        .files = c.files,
        .bytes_written = c.bytes_written,
        .ring_high_water = c.ring_high_water,
        .producers = c.producers,
        .rows_durable = c.rows_durable,
        .io_errors = c.io_errors,
        .retries = c.retries,
        .files_failed = c.files_failed,
        .rows_lost = c.rows_lost,
        .files_recovered = c.files_recovered,
        .rows_recovered = c.rows_recovered,
        .files_unrecoverable = c.files_unrecoverable,
        .blocked = c.blocked,
        .blocked_ns = c.blocked_ns,
        .dropped_invalid = c.dropped_invalid,
    };
}

}  // namespace

Sink::Sink(const SinkOptions& o) {
    const std::string& path = o.path.native();
    if (o.flush_interval && o.flush_interval->count() < 0) {
        throw Error(ErrorCode::InvalidArgument, "flush_interval must not be negative");
    }
    if (o.rotate_age && o.rotate_age->count() <= 0) {
        throw Error(ErrorCode::InvalidArgument, "rotate_age must be positive");
    }
    if ((o.rotate_rows && *o.rotate_rows == 0) || (o.rotate_bytes && *o.rotate_bytes == 0)) {
        throw Error(ErrorCode::InvalidArgument, "rotation limits must be positive");
    }
    if (o.retry_backoff && o.retry_backoff->count() <= 0) {
        throw Error(ErrorCode::InvalidArgument, "retry_backoff must be positive");
    }
    const auto positive = [](const std::optional<std::size_t>& v, const char* name) -> std::uint64_t {
        if (v && *v == 0) throw Error(ErrorCode::InvalidArgument, std::string(name) + " must be positive");
        return v.value_or(0);
    };
    bridge::SinkSettings settings{
        .path = detail::byte_slice(path),
        .ring_bytes = positive(o.ring_bytes, "ring_bytes"),
        .max_record_bytes = positive(o.max_record_bytes, "max_record_bytes"),
        .max_producers = positive(o.max_producers, "max_producers"),
        .row_group_rows = positive(o.row_group_rows, "row_group_rows"),
        .flush_interval_ns = nanos_or(o.flush_interval, -1),
        .recv_ts = o.recv_ts,
        .recv_ts_unit = static_cast<std::uint8_t>(o.recv_ts_unit),
        .producer_id = o.producer_id,
        .seq = o.seq,
        .codec = static_cast<std::uint8_t>(o.compression),
        .gzip_level = o.gzip_level.value_or(-1),
        .zstd_level = o.zstd_level.value_or(INT32_MIN),
        .data_page_size = positive(o.data_page_size, "data_page_size"),
        .rotate_rows = o.rotate_rows.value_or(0),
        .rotate_bytes = o.rotate_bytes.value_or(0),
        .rotate_age_ns = nanos_or(o.rotate_age, 0),
        .durability = static_cast<std::uint8_t>(o.durability),
        .retry_backoff_ns = nanos_or(o.retry_backoff, 0),
        .recover_at_start = o.recover_at_start,
        .compression_threads = o.compression_threads.value_or(0),
        .statistics = static_cast<std::uint8_t>(o.statistics),
        .overflow = static_cast<std::uint8_t>(o.overflow),
        .recv_ts_clock = static_cast<std::uint8_t>(o.recv_ts_clock),
        .worker_delay_ns = o.worker_delay_for_testing.count(),
    };
    std::vector<bridge::TableSpec> tables;
    std::vector<bridge::FieldSpec> fields;
    detail::table_specs(o.tables, tables, fields);
    bridge::Status status{0, {}};
    auto core = bridge::open_sink(settings, detail::slice(std::span<const bridge::TableSpec>(tables)),
                                  detail::slice(std::span<const bridge::FieldSpec>(fields)), status);
    detail::throw_if_error(status);
    impl_ = std::make_unique<Impl>(Impl{std::move(core)});
}

Sink::~Sink() = default;  // dropping the core closes the sink (drain, footer, join)
Sink::Sink(Sink&&) noexcept = default;
Sink& Sink::operator=(Sink&&) noexcept = default;

Sink::Producer Sink::producer() {
    if (!impl_) throw Error(ErrorCode::NotOpen, "sink was moved from");
    bridge::Status status{0, {}};
    auto core = impl_->core->new_producer(status);
    detail::throw_if_error(status);
    return Producer(std::make_unique<Producer::Impl>(Producer::Impl{std::move(core)}));
}

void Sink::flush() {
    if (!impl_) throw Error(ErrorCode::NotOpen, "sink was moved from");
    detail::throw_if_error(impl_->core->flush());
}

SinkStats Sink::close() {
    if (!impl_) throw Error(ErrorCode::NotOpen, "sink was moved from");
    detail::throw_if_error(impl_->core->close());
    return stats();
}

SinkStats Sink::stats() const noexcept {
    return impl_ ? to_stats(impl_->core->counters()) : SinkStats{};
}

std::string Sink::last_error() const {
    return impl_ ? std::string(impl_->core->last_error()) : std::string();
}

Sink::Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
// A moved-from producer keeps a ring-less handle to the same sink, so a call through it is
// counted (dropped_closed) like any other drop instead of vanishing.
Sink::Producer::Producer(Producer&& other) noexcept : impl_(std::move(other.impl_)) {
    if (impl_) other.impl_ = std::make_unique<Impl>(Impl{impl_->core->detached()});
}

Sink::Producer& Sink::Producer::operator=(Producer&& other) noexcept {
    if (this != &other) {
        impl_ = std::move(other.impl_);
        if (impl_) other.impl_ = std::make_unique<Impl>(Impl{impl_->core->detached()});
    }
    return *this;
}
Sink::Producer::~Producer() = default;

namespace {
const std::uint8_t* data(std::span<const std::byte> payload) noexcept {
    return reinterpret_cast<const std::uint8_t*>(payload.data());
}
}  // namespace

bool Sink::Producer::try_record(std::span<const std::byte> payload) noexcept {
    return impl_ && impl_->core->try_record(data(payload), payload.size());
}

bool Sink::Producer::try_record(std::span<const std::byte> payload, std::int64_t recv_ts_ns) noexcept {
    return impl_ && impl_->core->try_record_at(data(payload), payload.size(), recv_ts_ns);
}

bool Sink::Producer::try_record_table(std::uint32_t table, std::span<const std::byte> record) noexcept {
    return impl_ && impl_->core->try_record_table(table, data(record), record.size());
}

bool Sink::Producer::try_record_table(std::uint32_t table, std::span<const std::byte> record,
                                      std::int64_t recv_ts_ns) noexcept {
    return impl_ && impl_->core->try_record_table_at(table, data(record), record.size(), recv_ts_ns);
}

std::uint32_t Sink::Producer::id() const noexcept { return impl_ ? impl_->core->id() : UINT32_MAX; }

}  // namespace parquet_flow
