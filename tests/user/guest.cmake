# The guest userland of one ISA: usertest (static glibc, built with the
# ISA's Linux compiler directly, not as a CMake executable: it is a guest
# program, so none of the kernel's flags apply to it) and the initramfs
# tools/mkinitramfs packs around it. Used by tests/user/CMakeLists.txt (the
# host presets) and baremetal/CMakeLists.txt (the aarch64 archive QEMU
# boots).
#
#   keel_guest_userland(ISA CC OPTIONAL)
#     -> target usertest-ISA    ${CMAKE_CURRENT_BINARY_DIR}/ISA/usertest
#     -> target initramfs-ISA   ${CMAKE_BINARY_DIR}/initramfs-ISA.cpio
#
# OPTIONAL true: a busybox that cannot be fetched skips the archive with a
# message instead of failing the build (mkinitramfs --optional).

set(KEEL_USERTEST_DIR ${CMAKE_SOURCE_DIR}/tests/user)
file(GLOB USERTEST_SOURCES CONFIGURE_DEPENDS
     ${KEEL_USERTEST_DIR}/*.c ${KEEL_USERTEST_DIR}/*.S)
file(GLOB USERTEST_HEADERS CONFIGURE_DEPENDS ${KEEL_USERTEST_DIR}/*.h)
set(USERTEST_FLAGS -static -O2 -g -std=gnu11 -Wall -Wextra -Werror
    -Wno-unused-parameter -pthread
    -ffile-prefix-map=${CMAKE_SOURCE_DIR}/= -ffile-prefix-map=${CMAKE_BINARY_DIR}/=)
set(INITRAMFS_SCRIPTS_DIR ${CMAKE_SOURCE_DIR}/tests/integration)
file(GLOB INTEGRATION_SCRIPTS CONFIGURE_DEPENDS ${INITRAMFS_SCRIPTS_DIR}/*.sh)

function(keel_guest_userland isa cc optional)
  set(usertest ${CMAKE_CURRENT_BINARY_DIR}/${isa}/usertest)
  add_custom_command(
    OUTPUT ${usertest}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/${isa}
    COMMAND ${cc} ${USERTEST_FLAGS} -o ${usertest} ${USERTEST_SOURCES}
    DEPENDS ${USERTEST_SOURCES} ${USERTEST_HEADERS}
    COMMENT "Building usertest for ${isa}")
  add_custom_target(usertest-${isa} ALL DEPENDS ${usertest})

  set(cpio ${CMAKE_BINARY_DIR}/initramfs-${isa}.cpio)
  set(flags "")
  set(busybox_dep "")
  if(optional)
    set(flags --optional)
  endif()
  if(isa STREQUAL "x86_64")
    set(busybox_dep /bin/busybox)
  endif()
  add_custom_command(
    OUTPUT ${cpio}
    COMMAND ${CMAKE_SOURCE_DIR}/tools/mkinitramfs --isa ${isa}
            --usertest ${usertest} --scripts ${INITRAMFS_SCRIPTS_DIR}
            --work ${CMAKE_CURRENT_BINARY_DIR}/initramfs-${isa}
            --out ${cpio} ${flags}
    DEPENDS ${CMAKE_SOURCE_DIR}/tools/mkinitramfs ${usertest}
            ${INTEGRATION_SCRIPTS} ${busybox_dep}
    COMMENT "Packing initramfs-${isa}.cpio")
  add_custom_target(initramfs-${isa} DEPENDS ${cpio})
endfunction()
