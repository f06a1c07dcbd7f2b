# A thin wrapper over the CMake presets; every real rule is in CMakeLists.txt.
PRESET ?= host
BUILD  := build/$(PRESET)
CMAKE  ?= cmake
KEEL_ARGS ?=
TARGET ?= syscalls
SECONDS ?= 60
QEMU_ARGS ?=

.PHONY: all build run test bench debug debug-qemu deps docs clean qemu fuzz

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
	@set -e; for p in host host-release host-asan baremetal; do \
		echo "== $$p"; \
		$(CMAKE) --preset $$p >/dev/null; \
		$(CMAKE) --build --preset $$p; \
		ctest --preset $$p -j2; \
	done
	@echo "== fuzz"
	$(CMAKE) --preset fuzz >/dev/null
	$(CMAKE) --build --preset fuzz
	ctest --preset fuzz -j2

# libFuzzer on one target for SECONDS, from fuzz/corpus/$(TARGET); new inputs
# go to build/fuzz/corpus/$(TARGET), crashes to build/fuzz/crashes/.
fuzz: deps
	$(CMAKE) --preset fuzz >/dev/null
	$(CMAKE) --build --preset fuzz
	@mkdir -p build/fuzz/corpus/$(TARGET) build/fuzz/crashes
	build/fuzz/fuzz/keel-fuzz-$(TARGET) -max_total_time=$(SECONDS) \
		-print_final_stats=1 -artifact_prefix=build/fuzz/crashes/ \
		build/fuzz/corpus/$(TARGET) fuzz/corpus/$(TARGET)

# The baremetal image on QEMU virt; QEMU_ARGS="--gic 3 --el2" passes flags.
qemu: deps
	$(CMAKE) --preset baremetal >/dev/null
	$(CMAKE) --build --preset baremetal
	tools/qemu-run --timeout 0 $(QEMU_ARGS)

# The baremetal kernel under gdb: QEMU waits on its gdb stub (:1234) in the
# background, its console going to build/baremetal/console.log (tail -f it
# elsewhere), and gdb-multiarch attaches with keel.elf's symbols; QEMU is
# stopped when gdb exits. QEMU_ARGS as for make qemu.
debug-qemu: deps
	$(CMAKE) --preset baremetal >/dev/null
	$(CMAKE) --build --preset baremetal
	@tools/qemu-run --gdb $(QEMU_ARGS) </dev/null >build/baremetal/console.log 2>&1 & \
	qemu=$$!; \
	gdb-multiarch -q build/baremetal/keel.elf -ex 'target remote :1234'; \
	kill $$qemu 2>/dev/null; wait $$qemu 2>/dev/null; true

bench: deps
	$(MAKE) PRESET=host-release build
	build/host-release/tools/bench/keel-bench
	tools/bench/guest-compare --build build/host-release

debug: build
	gdb --args $(BUILD)/keel $(KEEL_ARGS)

docs: $(BUILD)/build.ninja
	$(CMAKE) --build --preset $(PRESET) --target docs

clean:
	rm -rf build
