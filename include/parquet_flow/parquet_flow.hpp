// parquet_flow — everything: Schema, Writer, Sink and their types.
#pragma once

#include "parquet_flow/error.hpp"
#include "parquet_flow/schema.hpp"
#include "parquet_flow/sink.hpp"
#include "parquet_flow/table.hpp"
#include "parquet_flow/types.hpp"
#include "parquet_flow/version.hpp"
#include "parquet_flow/writer.hpp"
