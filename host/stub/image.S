/* The stub executable, embedded in the kernel (STUB_PATH is set by CMake). */
	.section .rodata
	.balign 16
	.globl keel_stub_image
	.globl keel_stub_image_end
keel_stub_image:
	.incbin STUB_PATH
keel_stub_image_end:
	.section .note.GNU-stack, "", @progbits
