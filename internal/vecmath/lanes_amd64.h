// LANES4 defines name, 32 read-only bytes holding the 64-bit pattern bits in
// each of four lanes: a constant operand for a 4-wide AVX2 instruction.
#define LANES4(name, bits) \
	DATA name+0(SB)/8, bits; \
	DATA name+8(SB)/8, bits; \
	DATA name+16(SB)/8, bits; \
	DATA name+24(SB)/8, bits; \
	GLOBL name(SB), RODATA|NOPTR, $32
