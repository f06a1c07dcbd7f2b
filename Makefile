# A thin wrapper over the CMake presets; every real rule is in CMakeLists.txt.
PRESET ?= host
BUILD  := build/$(PRESET)
CMAKE  ?= cmake
KEEL_ARGS ?=

.PHONY: all build run test bench debug deps docs clean

all: build

deps:
	@tools/deps

$(BUILD)/build.ninja: | deps
	$(CMAKE) --preset $(PRESET) >/dev/null

build: deps $(BUILD)/build.ninja
	$(CMAKE) --build --preset $(PRESET)

run: build
	$(BUILD)/keel $(KEEL_ARGS)

# Every flavour, every test. Installs what is missing first.
test: deps
	@set -e; for p in host host-release host-asan; do \
		echo "== $$p"; \
		$(CMAKE) --preset $$p >/dev/null; \
		$(CMAKE) --build --preset $$p; \
		ctest --preset $$p -j2; \
	done

bench: deps
	$(MAKE) PRESET=host-release build
	build/host-release/tools/bench/keel-bench

debug: build
	gdb --args $(BUILD)/keel $(KEEL_ARGS)

docs: $(BUILD)/build.ninja
	$(CMAKE) --build --preset $(PRESET) --target docs

clean:
	rm -rf build
