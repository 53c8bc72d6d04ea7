package amalgam.kernels.cpu;

import jdk.incubator.vector.FloatVector;

import java.util.Locale;

/**
 * What the Vector API backend was given to work with, decided once at start-up (as Lucene's
 * VectorizationProvider does): the vector length C2 compiles {@code SPECIES_PREFERRED} to, the vector
 * registers it can allocate, and from these the GEMM micro-kernel's register tile. Every ISA-specific choice of
 * the {@code cpu} backend reads this one object; {@code amalgam selfcheck} prints it.
 *
 * <p>The tile is {@value MicroKernel#MR} rows of A broadcast against {@code tileVectors} vectors of B, so it
 * holds {@code MR·tileVectors} accumulators, plus {@code tileVectors} B vectors and one broadcast live per step:
 * <ul>
 *   <li>16 registers (AVX2; x86 below 512-bit vectors): 6×2 = 12 accumulators + 2 + 1 = 15 registers. A 6×3 tile
 *       (18 accumulators) would spill on every step of k.</li>
 *   <li>32 registers (AVX-512, and AArch64's NEON/SVE files): 6×4 = 24 accumulators + 4 + 1 = 29. Per step of k
 *       that is 24 FMAs for 4 vector loads and 6 broadcasts (6×2 does 12 FMAs for 2 + 6), so the two FMA
 *       ports are fed by fewer loads; the rows stay at 6 so the A packing and its edge waste are unchanged.
 *       Measured on a shared 2-core Zen 5 (noisy): the same speed as 6×2 at n=256 on one thread, about
 *       100 GFLOP/s each; the load-to-FMA ratio is not what bounds this GEMM there.</li>
 * </ul>
 * On x86 the register count is inferred from the vector length: C2 allocates zmm16–31 only with AVX-512
 * ({@code -XX:UseAVX=3}); a 256-bit preference may still have them (AVX-512 with {@code -XX:MaxVectorSize=32})
 * but 16 is the safe assumption. {@value #TILE_PROPERTY}={@code 6x2|6x4} overrides the tile, for benchmarks.
 *
 * @param name        a name a user would recognise, e.g. "AVX-512"
 * @param vectorBits  bits per preferred float vector
 * @param registers   vector registers C2 can allocate
 * @param tileVectors vectors of B (columns of C) per micro-kernel tile: 2 or 4
 * @param tileReason  why that tile: from the register file, or forced by {@value #TILE_PROPERTY}
 */
public record VectorIsa(String name, int vectorBits, int registers, int tileVectors, String tileReason) {

    static final String TILE_PROPERTY = "amalgam.cpu.tile";

    /** This JVM's, fixed for its lifetime. */
    public static final VectorIsa CURRENT = detect(FloatVector.SPECIES_PREFERRED.vectorBitSize(),
            System.getProperty("os.arch", ""), System.getProperty(TILE_PROPERTY));

    /** Floats per vector. */
    public int lanes() {
        return vectorBits / Float.SIZE;
    }

    /** Rows of C per micro-kernel tile. */
    public int tileRows() {
        return MicroKernel.MR;
    }

    /** Columns of C per micro-kernel tile. */
    public int tileColumns() {
        return tileVectors * lanes();
    }

    /** One line for selfcheck, e.g. "AVX-512: 512-bit vectors, 32 registers, GEMM tile 6×64 (24 accumulators)". */
    public String describe() {
        return String.format("%s: %d-bit vectors (%d floats), %d registers; GEMM micro-kernel %d×%d (%d×%d vectors, "
                        + "%d accumulators; %s)", name, vectorBits, lanes(), registers, tileRows(), tileColumns(),
                tileRows(), tileVectors, tileRows() * tileVectors, tileReason);
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
            int vectors = switch (forcedTile.trim().toLowerCase(Locale.ROOT)) {
                case "6x2" -> 2;
                case "6x4" -> 4;
                default -> throw new IllegalArgumentException("-D" + TILE_PROPERTY + "=" + forcedTile
                        + ": use 6x2 or 6x4 (rows × vectors)");
            };
            return new VectorIsa(name, vectorBits, registers, vectors, "forced by -D" + TILE_PROPERTY + "=" + forcedTile);
        }
        int vectors = registers >= 32 ? 4 : 2;
        return new VectorIsa(name, vectorBits, registers, vectors,
                (MicroKernel.MR * vectors + vectors + 1) + " of " + registers + " registers live");
    }
}
