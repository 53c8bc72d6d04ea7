package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;

import java.util.Locale;

/**
 * What the Vector API backend was given to work with, decided once at start-up (as Lucene's
 * VectorizationProvider does): the vector length C2 compiles {@code SPECIES_PREFERRED} to, the vector
 * registers it can allocate, and from these the GEMM micro-kernel's register tile. Every ISA-specific choice of
 * the {@code cpu} backend reads this one object; {@code amalgam selfcheck} prints it.
 *
 * <p>The tile is {@code tileRows} rows of A broadcast against two vectors of B: {@code 2·tileRows} accumulators,
 * plus two B vectors and one broadcast live per step of k. Measured, the kernel alone on L1-resident panels
 * (one thread, Zen 5, shared machine, so ± 10%):
 * <ul>
 *   <li>16 registers (AVX2; x86 below 512-bit vectors): 4×2, 8 accumulators (= 2 FMA pipes × 4 cycles),
 *       11 registers live: 70–104 GFLOP/s with 256-bit vectors, where 6×2 (15 live) made 47–50 and 6×4, 4×3,
 *       3×4 40–46: C2 needs a few registers of its own, and the wider tiles spill.</li>
 *   <li>32 registers (AVX-512; AArch64's NEON/SVE files): 6×2, 12 accumulators: 114 GFLOP/s with 512-bit
 *       vectors, the loop's FMA peak there; 6×4 (29 live) made 92–99, so a wider tile does not pay.</li>
 * </ul>
 * On x86 the register count is inferred from the vector length: C2 allocates zmm16–31 only with AVX-512
 * ({@code -XX:UseAVX=3}); a 256-bit preference may still have them (AVX-512 with {@code -XX:MaxVectorSize=32})
 * but 16 is the safe assumption. {@value #TILE_PROPERTY}={@code 4x2|6x2} overrides the tile, for benchmarks.
 *
 * @param name        a name a user would recognise, e.g. "AVX-512"
 * @param vectorBits  bits per preferred float vector
 * @param registers   vector registers C2 can allocate
 * @param tileRows    rows of C per micro-kernel tile: 4 or 6
 * @param tileReason  why that tile: from the register file, or forced by {@value #TILE_PROPERTY}
 */
public record VectorIsa(String name, int vectorBits, int registers, int tileRows, String tileReason) {

    static final String TILE_PROPERTY = "amalgam.cpu.tile";
    /** Vectors of B (and of each row of C) per tile, on every ISA. */
    static final int TILE_VECTORS = 2;

    /** This JVM's, fixed for its lifetime. */
    public static final VectorIsa CURRENT = detect(FloatVector.SPECIES_PREFERRED.vectorBitSize(),
            System.getProperty("os.arch", ""), System.getProperty(TILE_PROPERTY));

    /** Floats per vector. */
    public int lanes() {
        return vectorBits / Float.SIZE;
    }

    /** Columns of C per micro-kernel tile. */
    public int tileColumns() {
        return TILE_VECTORS * lanes();
    }

    /** Vector registers the micro-kernel keeps live: accumulators, B vectors and the broadcast. */
    public int liveRegisters() {
        return tileRows * TILE_VECTORS + TILE_VECTORS + 1;
    }

    /** One line for selfcheck, e.g. "AVX2: 256-bit vectors (8 floats), 16 registers; GEMM micro-kernel 4x16 …". */
    public String describe() {
        // ASCII only: a bundle's launcher may run under the POSIX locale, where "×" prints as "?".
        return String.format("%s: %d-bit vectors (%d floats), %d registers; GEMM micro-kernel %dx%d (%dx%d vectors,"
                        + " %d accumulators; %s)", name, vectorBits, lanes(), registers, tileRows, tileColumns(),
                tileRows, TILE_VECTORS, tileRows * TILE_VECTORS, tileReason);
    }

    /** A pure function of what the JVM reports, so tests can ask about machines they do not run on. */
    static VectorIsa detect(int vectorBits, String osArch, String forcedTile) {
        boolean x86 = osArch.equals("amd64") || osArch.equals("x86_64");
        boolean arm = osArch.equals("aarch64");
        String name;
        int registers;
        if (x86) {
            name = switch (vectorBits) {
                case 512 -> "AVX-512";
                case 256 -> "AVX2";
                default -> vectorBits + "-bit x86";
            };
            registers = vectorBits == 512 ? 32 : 16;
        } else if (arm) {
            name = vectorBits == 128 ? "NEON" : vectorBits + "-bit SVE";
            registers = 32;
        } else {
            name = vectorBits + "-bit " + osArch;
            registers = 16;
        }
        if (forcedTile != null && !forcedTile.isBlank()) {
            int rows = switch (forcedTile.trim().toLowerCase(Locale.ROOT)) {
                case "4x2" -> FourRowTile.ROWS;
                case "6x2" -> SixRowTile.ROWS;
                default -> throw new IllegalArgumentException("-D" + TILE_PROPERTY + "=" + forcedTile
                        + ": use 4x2 or 6x2 (rows x vectors)");
            };
            return new VectorIsa(name, vectorBits, registers, rows, "forced by -D" + TILE_PROPERTY + "=" + forcedTile);
        }
        int rows = registers >= 32 ? SixRowTile.ROWS : FourRowTile.ROWS;
        VectorIsa isa = new VectorIsa(name, vectorBits, registers, rows, "");
        return new VectorIsa(name, vectorBits, registers, rows,
                isa.liveRegisters() + " of " + registers + " registers live");
    }
}
