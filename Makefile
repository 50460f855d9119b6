# Quick-start wrapper around CMake. Everything real lives in CMakeLists.txt and CMakePresets.json.
#
#   make demo   install what is missing, build, run the demo (50,000 records through the sink)
#   make test   install what is missing (incl. the Python readers and a Java runtime for Spark),
#               build, run every test
#   make sanitize   the tests again under AddressSanitizer + UBSan, then ThreadSanitizer (ctest)
#   make libcxx     the library and its tests built by clang against libc++ (ctest)

PRESET ?= release
BUILD_DIR := build/$(PRESET)
VENV := build/venv
PYTHON ?= python3
APT_PACKAGES := cmake ninja-build g++ libgtest-dev libbenchmark-dev python3-venv pkg-config
# Spark, the third reader (tests/readers/verify_spark.py), runs on a Java runtime.
JAVA_PACKAGE := openjdk-17-jre-headless
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test sanitize libcxx build configure deps java venv clean

demo: build
	./$(BUILD_DIR)/examples/demo local_data/log_flow.parquet

test: venv
	$(MAKE) build
	ctest --preset $(PRESET)

build: configure
	cmake --build --preset $(PRESET)

configure: deps
	cmake --preset $(PRESET) $$([ -x $(VENV)/bin/python ] && echo -DPARQUET_FLOW_PYTHON=$(abspath $(VENV))/bin/python)

# The C/C++ side under the sanitizers (the Rust core is checked by its tests, loom and its type
# system). Skipped there: entries that reinstall the package or run cargo, the crash and
# restart tests (processes killed with SIGKILL; minutes under ThreadSanitizer, nothing to add),
# and Spark's cross-check (a JVM reading files: nothing there for the sanitizers to instrument).
SANITIZER_SKIP := consumer|install|vendored|minimum|rust_unit|loom|mutation|clock|crash|restart|spark
sanitize: venv
	for preset in asan tsan; do \
	  cmake --preset $$preset -DPARQUET_FLOW_PYTHON=$(abspath $(VENV))/bin/python && \
	  cmake --build --preset $$preset && \
	  ctest --preset $$preset -E "$(SANITIZER_SKIP)" || exit 1; \
	done

# clang with libc++ instead of g++ with libstdc++: the C++ glue cargo compiles gets the same
# -stdlib=libc++ (cmake/ParquetFlowRust.cmake), googletest is built from its Debian source, and
# ctest's cxx_stdlib checks that only libc++ is linked. Skipped as under the sanitizers, except
# the crash and restart tests: entries that reinstall the package or run cargo, and Spark.
LIBCXX_PACKAGES := clang libc++-dev libc++abi-dev
LIBCXX_SKIP := consumer|install|vendored|minimum|rust_unit|loom|mutation|clock|spark
libcxx: venv
	@if ! echo '#include <vector>' | clang++ -stdlib=libc++ -x c++ -fsyntax-only - 2>/dev/null; then \
	  echo "installing: $(LIBCXX_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(LIBCXX_PACKAGES); \
	fi
	cmake --preset libcxx -DPARQUET_FLOW_PYTHON=$(abspath $(VENV))/bin/python
	cmake --build --preset libcxx
	ctest --preset libcxx -E "$(LIBCXX_SKIP)"

# System packages, installed only when something is missing.
deps:
	@missing=""; \
	command -v cmake >/dev/null || missing=1; \
	command -v ninja >/dev/null || missing=1; \
	command -v pkg-config >/dev/null || missing=1; \
	[ -f /usr/include/gtest/gtest.h ] || missing=1; \
	[ -f /usr/include/benchmark/benchmark.h ] || missing=1; \
	$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || missing=1; \
	if [ -n "$$missing" ]; then \
	  echo "installing: $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

# The Java runtime Spark runs on, installed only when there is no java (for the reader checks:
# `make demo` does not need it).
java:
	@if ! command -v java >/dev/null; then \
	  echo "installing: $(JAVA_PACKAGE)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(JAVA_PACKAGE); \
	fi

# pyarrow, DuckDB and Spark (pyspark, on the Java runtime), the independent readers the test
# files are checked with.
venv: $(VENV)/.installed java
$(VENV)/.installed: tests/readers/requirements.txt | deps
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/readers/requirements.txt
	touch $@

clean:
	rm -rf build
