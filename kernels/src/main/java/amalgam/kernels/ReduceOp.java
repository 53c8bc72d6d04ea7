package amalgam.kernels;

/** Reductions along one axis. MAX propagates NaN; SUM and MEAN of an empty axis are 0 and NaN. */
public enum ReduceOp {
    SUM, MAX, MEAN
}
