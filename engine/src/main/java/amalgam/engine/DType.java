package amalgam.engine;

import amalgam.kernels.Precision;

/**
 * The element type of a tensor. F32 is what models compute in; F64 exists for finite-difference gradient
 * checks, which need errors far below their tolerance. The dtype also selects the backend (see {@link Engine}).
 */
public enum DType {
    F32(Precision.F32),
    F64(Precision.F64);

    private final Precision precision;

    DType(Precision precision) {
        this.precision = precision;
    }

    /** How the kernels store this type. */
    public Precision precision() {
        return precision;
    }

    public int bytes() {
        return precision.bytes();
    }
}
