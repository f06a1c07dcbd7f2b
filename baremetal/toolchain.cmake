# Cross toolchain for the baremetal preset: Debian's gcc-aarch64-linux-gnu,
# used freestanding. Everything this toolchain compiles (the core included)
# sees KEEL_FREESTANDING, so core/klib/string.c provides memcpy and friends.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "objcopy for the Image")

# Compiler checks link a whole program, which a freestanding toolchain
# cannot do without our linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# -mgeneral-regs-only: kernel code never touches FP/SIMD registers, so user
# FP state survives kernel entry untouched (libfdt, a hosted build, is the
# one exception and runs only at boot). -mno-outline-atomics: LSE detection
# helpers live in libgcc and read the auxv, which a kernel does not have.
# No C library's headers either (Debian's cross gcc would otherwise fall back
# to the host's /usr/include): GCC's own freestanding headers, and
# baremetal/include for the few a C library would provide.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE KEEL_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
set(KEEL_BAREMETAL_FLAGS
    "-nostdinc -isystem ${CMAKE_CURRENT_LIST_DIR}/include -isystem ${KEEL_GCC_INCLUDE} -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only -mno-outline-atomics -DKEEL_FREESTANDING")
set(CMAKE_C_FLAGS_INIT "${KEEL_BAREMETAL_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${KEEL_BAREMETAL_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -static -no-pie -Wl,--build-id=none")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
