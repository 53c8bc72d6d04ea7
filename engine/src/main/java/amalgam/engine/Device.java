package amalgam.engine;

/** Where a tensor's storage lives. Only the CPU exists today; the field is kept so CUDA can join later. */
public enum Device {
    CPU
}
