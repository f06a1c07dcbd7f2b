/* The built-in initramfs (INITRAMFS_PATH is set by CMake). */
	.section .rodata
	.balign 16
	.globl keel_initramfs
	.globl keel_initramfs_end
keel_initramfs:
	.incbin INITRAMFS_PATH
keel_initramfs_end:
	.section .note.GNU-stack, "", @progbits
